"""Daily notes: moment.js formats as Obsidian writes them, with folders and names."""

from __future__ import annotations

import datetime as dt

import pytest

from vaultcrm.dailynotes import DailyNotes

NOV_2 = dt.date(2026, 11, 2)  # a Monday


def test_default_iso_names_count_at_any_depth_below_the_folder() -> None:
    notes = DailyNotes("Journal", "YYYY-MM-DD", explicit=False)
    assert notes.date_of("Journal/2026-11-02.md") == NOV_2
    assert notes.date_of("Journal/2026/November/2026-11-02.md") == NOV_2
    assert notes.path_for(NOV_2) == "Journal/2026-11-02.md"


@pytest.mark.parametrize(
    "path",
    [
        "People/2026-11-02.md",  # another folder
        "Journaling/2026-11-02.md",  # a folder that only starts the same
        "2026-11-02.md",  # the vault root
        "Journal/2026-11-02.txt",
        "Journal/2026-11-02 notes.md",
        "Journal/2026-02-30.md",  # no such day
        "Journal/Ideas.md",
    ],
)
def test_other_files_are_not_daily_notes(path: str) -> None:
    assert DailyNotes("Journal", "YYYY-MM-DD", explicit=False).date_of(path) is None


def test_feb_29_exists_only_in_leap_years() -> None:
    notes = DailyNotes("Journal", "YYYY-MM-DD", explicit=False)
    assert notes.date_of("Journal/2028-02-29.md") == dt.date(2028, 2, 29)
    assert notes.date_of("Journal/2026-02-29.md") is None


@pytest.mark.parametrize("folder", ["", "/"])
def test_an_empty_folder_or_slash_is_the_vault_root(folder: str) -> None:
    notes = DailyNotes(folder, "YYYY-MM-DD", explicit=True)
    assert notes.path_for(NOV_2) == "2026-11-02.md"
    assert notes.date_of("2026-11-02.md") == NOV_2
    assert notes.date_of("Archive/2026-11-02.md") == NOV_2


def test_a_format_with_folders_round_trips() -> None:
    notes = DailyNotes("Journal", "YYYY/MM/YYYY-MM-DD", explicit=True)
    assert notes.path_for(NOV_2) == "Journal/2026/11/2026-11-02.md"
    assert notes.date_of("Journal/2026/11/2026-11-02.md") == NOV_2
    # Like Obsidian's calendar, the file name alone decides when it carries the whole date.
    assert notes.date_of("Journal/old/2026-11-02.md") == NOV_2


def test_a_format_whose_file_name_is_only_the_day_needs_the_whole_path() -> None:
    notes = DailyNotes("Daily", "YYYY/MM/DD", explicit=True)
    assert notes.path_for(NOV_2) == "Daily/2026/11/02.md"
    assert notes.date_of("Daily/2026/11/02.md") == NOV_2
    assert notes.date_of("Daily/misc/02.md") is None


def test_names_of_months_and_weekdays_and_ordinals() -> None:
    notes = DailyNotes("Journal", "dddd, MMMM Do YYYY", explicit=True)
    assert notes.path_for(NOV_2) == "Journal/Monday, November 2nd 2026.md"
    assert notes.date_of("Journal/Monday, November 2nd 2026.md") == NOV_2
    assert notes.date_of("Journal/monday, november 2nd 2026.md") == NOV_2
    assert notes.date_of("Journal/Tuesday, November 2nd 2026.md") is None  # wrong weekday
    short = DailyNotes("J", "ddd D MMM YY", explicit=True)
    assert short.path_for(NOV_2) == "J/Mon 2 Nov 26.md"
    assert short.date_of("J/Mon 2 Nov 26.md") == NOV_2


def test_bracketed_text_is_literal() -> None:
    notes = DailyNotes("Journal", "[Day] YYYY-MM-DD [(Week)]", explicit=True)
    assert notes.path_for(NOV_2) == "Journal/Day 2026-11-02 (Week).md"
    assert notes.date_of("Journal/Day 2026-11-02 (Week).md") == NOV_2
    assert notes.date_of("Journal/2026-11-02.md") is None


@pytest.mark.parametrize(
    "fmt",
    [
        "YYYY-MM-DD",
        "DD.MM.YYYY",
        "D.M.YY",
        "YYYY/MM/DD",
        "MMMM Do, YYYY",
        "YYYY/MMM/dddd D",
        "YYYYMMDD",
    ],
)
def test_every_day_of_a_leap_year_round_trips(fmt: str) -> None:
    notes = DailyNotes("Journal", fmt, explicit=True)
    day = dt.date(2028, 1, 1)
    while day.year == 2028:
        assert notes.date_of(notes.path_for(day)) == day, notes.path_for(day)
        day += dt.timedelta(days=1)


def test_ordinals_follow_english() -> None:
    notes = DailyNotes("", "Do", explicit=True)
    suffixes = [
        notes.path_for(dt.date(2026, 1, d)) for d in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 31)
    ]
    assert suffixes == [
        "1st.md", "2nd.md", "3rd.md", "4th.md", "11th.md", "12th.md", "13th.md",
        "21st.md", "22nd.md", "23rd.md", "31st.md",
    ]  # fmt: skip


def test_an_explicit_format_does_not_also_accept_iso_names() -> None:
    explicit = DailyNotes("Journal", "DD.MM.YYYY", explicit=True)
    assert explicit.date_of("Journal/02.11.2026.md") == NOV_2
    assert explicit.date_of("Journal/2026-11-02.md") is None
    fallback = DailyNotes("Journal", "DD.MM.YYYY", explicit=False)
    assert fallback.date_of("Journal/2026-11-02.md") == NOV_2


def test_two_digit_years_follow_moment() -> None:
    notes = DailyNotes("J", "YY-MM-DD", explicit=True)
    assert notes.date_of("J/68-01-01.md") == dt.date(2068, 1, 1)
    assert notes.date_of("J/69-01-01.md") == dt.date(1969, 1, 1)


def test_regex_characters_in_a_format_are_literal() -> None:
    notes = DailyNotes("Log (old)", "YYYY.MM.DD+", explicit=True)
    assert notes.date_of("Log (old)/2026.11.02+.md") == NOV_2
    assert notes.date_of("Log (old)/2026x11x02+.md") is None
