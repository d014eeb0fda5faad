"""`export ics` and the `ics:` sync hook, read back with icalendar as a calendar app would."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import icalendar
from click.testing import CliRunner, Result

from tests.conftest import MakeVault
from vaultcrm.cli import cli

VAULT = {
    "People/Alice Smith.md": (
        "---\nbirthday: 1990-04-12\ndates: {wedding: 2015-06-01, sobriety: --09-30}\n---\n"
        "- 2026-11-02 Coffee\n- [ ] 2026-11-20 Ask how the marathon went\n"
        "- [x] 2026-10-01 Send the photos\n"
    ),
    "People/Bo.md": "---\nbirthday: --07-07\n---\n",
    "People/Leap Day.md": "---\nbirthday: 1992-02-29\n---\n",
    "People/Nobody.md": "---\ntags: [work]\n---\n",
    "Journal/2026-11-05.md": "- [ ] [[Bo]] return the book 📅 2026-12-01\n",
}


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def events(data: bytes) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(data)
    return {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}


def test_birthdays_and_dates_are_yearly_all_day_events_on_the_right_date(
    make_vault: MakeVault,
) -> None:
    root = make_vault(VAULT)
    result = run("export", "ics", "--vault", str(root))
    assert result.exit_code == 0
    found = events(result.stdout_bytes)
    birthdays = {s: e for s, e in found.items() if "birthday" in s}
    assert sorted(birthdays) == [
        "Alice Smith's birthday (born 1990)",  # "born", not an age: one summary every year
        "Bo's birthday",
        "Leap Day's birthday (born 1992)",
    ]
    starts = {s: e.decoded("DTSTART") for s, e in birthdays.items()}
    assert starts == {
        "Alice Smith's birthday (born 1990)": dt.date(1990, 4, 12),
        "Bo's birthday": dt.date(2000, 7, 7),  # year unknown: a leap year, never shown
        "Leap Day's birthday (born 1992)": dt.date(1992, 2, 29),
    }
    for event in birthdays.values():
        assert event["RRULE"]["FREQ"] == ["YEARLY"]
        assert event.decoded("DTEND") - event.decoded("DTSTART") == dt.timedelta(days=1)
    leap = birthdays["Leap Day's birthday (born 1992)"]["RRULE"]
    assert (leap["BYMONTH"], leap["BYMONTHDAY"]) == ([2], [-1])  # Feb 28 in other years
    assert found["Alice Smith: wedding (2015)"].decoded("DTSTART") == dt.date(2015, 6, 1)
    assert found["Alice Smith: sobriety"].decoded("DTSTART") == dt.date(2000, 9, 30)


def test_open_follow_ups_are_dated_events_and_done_ones_are_not(make_vault: MakeVault) -> None:
    found = events(run("export", "ics", "--vault", str(make_vault(VAULT))).stdout_bytes)
    follow = {s: e for s, e in found.items() if "birthday" not in s and "RRULE" not in e}
    assert {s: e.decoded("DTSTART") for s, e in follow.items()} == {
        "Alice Smith: Ask how the marathon went": dt.date(2026, 11, 20),
        "Bo: return the book": dt.date(2026, 12, 1),
    }
    assert len(found) == 7


def test_uids_and_bytes_are_equal_across_exports_and_survive_unrelated_edits(
    make_vault: MakeVault,
) -> None:
    root = make_vault(VAULT)
    first = run("export", "ics", "--vault", str(root)).stdout_bytes
    assert run("export", "ics", "--vault", str(root)).stdout_bytes == first
    note = root / "People/Alice Smith.md"
    note.write_text(note.read_text().replace("---\n- 2026", "---\nLikes tea.\n\n- 2026"))
    edited = run("export", "ics", "--vault", str(root)).stdout_bytes
    assert edited == first  # the follow-up moved two lines down: same UID, same file
    uids = [str(e["UID"]) for e in icalendar.Calendar.from_ical(first).walk("VEVENT")]
    assert len(set(uids)) == len(uids)
    assert b"DTSTAMP:19900412T000000Z" in first  # from the event, never from the clock


def test_sync_writes_the_calendar_only_when_its_content_changes(make_vault: MakeVault) -> None:
    root = make_vault({**VAULT, "vaultcrm.yaml": "ics: Calendar/people\n"})
    first = run("sync", "--vault", str(root), "--today", "2026-11-23")
    assert "Wrote Calendar/people.ics (calendar)" in first.stdout
    path = root / "Calendar/people.ics"
    exported = run("export", "ics", "--vault", str(root)).stdout_bytes
    assert path.read_bytes() == exported
    mtime = path.stat().st_mtime_ns
    (root / "People/Nobody.md").write_text("---\ntags: [work, tea]\n---\n")  # no date changes
    second = run("sync", "--vault", str(root), "--today", "2026-11-23")
    assert "calendar" not in second.stdout and path.stat().st_mtime_ns == mtime
    (root / "People/Bo.md").write_text("---\nbirthday: --07-08\n---\n")
    third = run("sync", "--vault", str(root), "--today", "2026-11-23")
    assert "Wrote Calendar/people.ics (calendar)" in third.stdout
    assert events(path.read_bytes())["Bo's birthday"].decoded("DTSTART") == dt.date(2000, 7, 8)
    path.unlink()  # a deleted calendar comes back on the next sync, even with nothing else new
    run("sync", "--vault", str(root), "--today", "2026-11-23")
    assert path.exists()


def test_sync_never_overwrites_a_calendar_it_did_not_write(make_vault: MakeVault) -> None:
    root = make_vault({**VAULT, "vaultcrm.yaml": "ics: mine.ics\n", "mine.ics": "my own\n"})
    result = CliRunner().invoke(
        cli, ["sync", "--vault", str(root), "--today", "2026-11-23"], env={"VAULTCRM_DEBUG": "0"}
    )
    assert result.exit_code == 1
    assert "cannot write mine.ics: it was not written by vaultcrm" in result.stderr
    assert "`ics:`" in result.stderr
    assert (root / "mine.ics").read_text() == "my own\n"


def test_an_ics_path_outside_the_vault_is_a_config_problem(make_vault: MakeVault) -> None:
    root = make_vault({**VAULT, "vaultcrm.yaml": "ics: ../out.ics\n"})
    result = run("check", "--vault", str(root))
    assert "vaultcrm.yaml:1: ics: '../out.ics' leaves the vault" in result.stdout


def test_sync_and_log_do_not_import_vobject_or_icalendar_unless_ics_is_set(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    root = make_vault(VAULT)
    code = (
        "import sys, datetime as dt, pathlib\n"
        "from vaultcrm.app.sync import sync\n"
        "from vaultcrm.read.session import ReadSession\n"
        f"with ReadSession.open(pathlib.Path({str(root)!r}), dt.date(2026, 11, 23)) as s:\n"
        "    sync(s)\n"
        "print(sorted(m for m in ('icalendar', 'vobject', 'rich') if m in sys.modules))\n"
    )
    env_cache = {"VAULTCRM_CACHE_DIR": str(tmp_path / "cache")}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**__import__("os").environ, **env_cache}, check=True)  # fmt: skip
    assert proc.stdout.strip() == "[]"
    (root / "vaultcrm.yaml").write_text("ics: people.ics\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**__import__("os").environ, **env_cache}, check=True)  # fmt: skip
    assert proc.stdout.strip() == "['icalendar']"
    (root / "People/Nobody.md").write_text("---\ntags: [tea]\n---\n")  # no date changed
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**__import__("os").environ, **env_cache}, check=True)  # fmt: skip
    assert proc.stdout.strip() == "[]"  # the calendar's digest line says it is current
