"""Dates as people say them, pinned to a `today` (a Monday): the semantics docs/dates.md
promises, and `log --date` / `remind` echoing the date they understood."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import MakeVault
from vaultcrm.cli import cli
from vaultcrm.dates import date_at_start, parse_date

MONDAY = dt.date(2026, 11, 23)


@pytest.mark.parametrize(
    ("text", "prefer", "expected"),
    [
        ("2026-11-02", "past", "2026-11-02"),
        ("today", "past", "2026-11-23"),
        ("Yesterday", "past", "2026-11-22"),
        ("tomorrow", "future", "2026-11-24"),
        # "last X": the most recent X before today; "next X": the first X after today
        ("last friday", "past", "2026-11-20"),
        ("last friday", "future", "2026-11-20"),
        ("next tuesday", "future", "2026-11-24"),
        ("next tuesday", "past", "2026-11-24"),
        ("last monday", "past", "2026-11-16"),
        ("next monday", "future", "2026-11-30"),
        # a bare day or date: the past for what happened, the future for a reminder
        ("friday", "past", "2026-11-20"),
        ("friday", "future", "2026-11-27"),
        ("20 Dec", "past", "2025-12-20"),
        ("20 Dec", "future", "2026-12-20"),
        ("Dec 20", "future", "2026-12-20"),
        ("20 December 2025", "future", "2025-12-20"),
        ("in 2 weeks", "future", "2026-12-07"),
        ("in two weeks", "future", "2026-12-07"),
        ("3 days ago", "past", "2026-11-20"),
        ("next week", "future", "2026-11-30"),
        ("in 3 months", "future", "2027-02-23"),
    ],
)
def test_spoken_dates(text: str, prefer: str, expected: str) -> None:
    assert parse_date(text, MONDAY, prefer).isoformat() == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("2026-02-30", r"is not a date \(there is no such day\)"),
        ("12/11", "ambiguous"),
        ("20", "ambiguous"),
        ("May", "not a date vaultcrm understands"),  # a month, not a day
        ("2026", "ambiguous"),
        ("coffee with Ben", "not a date vaultcrm understands"),
        ("", "no date given"),
    ],
)
def test_refused_dates_say_why(text: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        parse_date(text, MONDAY, "past")


def test_a_date_at_the_start_of_words() -> None:
    words = ["next", "tuesday", "send", "the", "article"]
    assert date_at_start(words, MONDAY, "future", leave=1) == (dt.date(2026, 11, 24), 2)
    assert date_at_start(["2026-12-20", "x"], MONDAY, "future", leave=1) == (
        dt.date(2026, 12, 20),
        1,
    )
    assert date_at_start(["last", "friday", "Aiko"], MONDAY, "past", leave=1) == (
        dt.date(2026, 11, 20),
        2,
    )
    # a name is never read as a date; "May" alone is refused (a month)
    assert date_at_start(["Ben", "Okafor"], MONDAY, "past", leave=1) is None
    assert date_at_start(["May", "Chen"], MONDAY, "past", leave=1) is None
    # at least `leave` words stay
    assert date_at_start(["yesterday"], MONDAY, "past", leave=1) is None


@pytest.fixture
def vault(make_vault: MakeVault) -> Path:
    return make_vault({"People/Ben Okafor.md": "---\ncircle: close\n---\n- 2026-11-01 Run\n"})


def run(*args: str) -> object:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_log_date_in_words_is_echoed(vault: Path) -> None:
    result = run("log", "--vault", str(vault), "Ben", "Ramen", "--date", "last friday",
                 "--today", "2026-11-23")  # fmt: skip
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert result.output.splitlines() == [  # type: ignore[attr-defined]
        "Logged in People/Ben Okafor.md: - 2026-11-20 Ramen",
        "Read “last friday” as Friday 20 November 2026.",
    ]
    assert "- 2026-11-20 Ramen\n" in (vault / "People/Ben Okafor.md").read_text()


def test_log_today_alone_still_dates_the_line(vault: Path) -> None:
    """`log --today D` (once an alias of --date) still logs on D, with nothing echoed."""
    result = run("log", "--vault", str(vault), "Ben", "Call", "--today", "2026-11-20")
    assert result.output.splitlines() == [  # type: ignore[attr-defined]
        "Logged in People/Ben Okafor.md: - 2026-11-20 Call"
    ]


def test_log_bad_date_is_one_line_exit_2(vault: Path) -> None:
    result = run("log", "--vault", str(vault), "Ben", "x", "--date", "someday")
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert result.output.startswith("Error: --date: 'someday' is not a date")  # type: ignore[attr-defined]
    assert "Ramen" not in (vault / "People/Ben Okafor.md").read_text()


@pytest.mark.parametrize(
    "args",
    [
        ["next", "tuesday", "Send", "the", "article"],
        ["next tuesday", "Send", "the", "article"],
        ["next", "tuesday", "Send the article"],
    ],
)
def test_remind_date_in_words_quoted_or_not(vault: Path, args: list[str]) -> None:
    result = run("remind", "--vault", str(vault), "--today", "2026-11-23", "Ben", *args)
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert result.output.splitlines() == [  # type: ignore[attr-defined]
        "Added to People/Ben Okafor.md: - [ ] 2026-11-24 Send the article",
        "Read “next tuesday” as Tuesday 24 November 2026.",
    ]


def test_remind_iso_date_is_not_echoed(vault: Path) -> None:
    result = run("remind", "--vault", str(vault), "--today", "2026-11-23", "Ben", "2026-12-20",
                 "Send", "it")  # fmt: skip
    assert result.output.splitlines() == [  # type: ignore[attr-defined]
        "Added to People/Ben Okafor.md: - [ ] 2026-12-20 Send it"
    ]
