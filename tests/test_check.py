"""`vaultcrm check`: every problem as path:line:col: message, a summary, and an exit code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import MakeVault
from tests.sessions import check_vault
from vaultcrm.app.check import NearMiss, near_miss_links, unsafe_names
from vaultcrm.cli import cli
from vaultcrm.model import Entry, NoteRecord


def run_check(root: Path, *args: str) -> object:
    return CliRunner().invoke(cli, ["check", "--vault", str(root), *args])


def messages(root: Path) -> list[str]:
    return [p.format() for p in check_vault(root).problems]


def test_a_clean_vault_has_no_problems(example_vault: Path) -> None:
    result = run_check(example_vault)
    assert result.exit_code == 0
    assert result.output == (
        "20 people, 182 interactions, 6 open follow-ups — no problems in 154 notes\n"
    )


def test_yaml_errors_point_at_line_and_column(make_vault: MakeVault) -> None:
    root = make_vault({"People/Dana.md": "---\ncircle: close\nlikes: [tea\nboundaries: x\n---\n"})
    found = [m for m in messages(root) if m.startswith("People/")]
    assert len(found) == 1
    assert found[0].startswith("People/Dana.md:4:11: frontmatter: ")


def test_every_kind_of_problem_is_reported(make_vault: MakeVault) -> None:
    root = make_vault(
        {
            "vaultcrm.yaml": "horizon: soon\n",
            "People/Ann Lee.md": "---\naliases: [Annie]\ncircle: besties\ncadence: often\n---\n"
            "- 2026-02-30 Impossible coffee\n",
            "People/Bo.md": "---\nbirthday: 1990-13-01\n---\n",
            "People/Cy.md": "---\naliases: [annie]\n---\n",
            "People/Ann #2.md": "",
            "Journal/2026-11-02.md": "Lunch with [[Ann Leee]] and [[Dune]] and [[Cy]].\n",
            "Journal/2026-02-30.md": "Met [[Cy]].\n",
        }
    )
    result = run_check(root)
    assert result.exit_code == 1
    out = result.output.splitlines()
    expected = [
        "Journal/2026-02-30.md: 2026-02-30 is not a possible date",
        "Journal/2026-11-02.md:1:12: warning: [[Ann Leee]] links to no one; "
        "did you mean [[Ann Lee]]?",
        "People/Ann #2.md: warning: unsafe file name: the name contains '#'",
        "People/Ann Lee.md:2: warning: name or alias 'annie' is shared by Ann Lee, Cy;",
        "People/Ann Lee.md:3: warning: unknown circle 'besties'",
        "People/Ann Lee.md:4: cadence: bad duration 'often'",
        "People/Ann Lee.md:6:3: impossible date '2026-02-30'",
        "People/Bo.md:2:",
        "vaultcrm.yaml:1: horizon: bad duration 'soon'",
    ]
    for want in expected:
        assert any(line.startswith(want) for line in out), (want, out)
    assert "Dune" not in result.output
    assert out[-1] == (
        "3 people, 1 interaction, 0 open follow-ups — 5 errors, 4 warnings in 6 notes"
    )
    # no line carries a flag tag: one tip, before the summary (docs/flags.md)
    assert out[-2].startswith("No #shared, #heard, #deep or #win anywhere yet")
    assert len(out) == 11


def test_warnings_alone_exit_0(make_vault: MakeVault) -> None:
    root = make_vault({"People/Ann.md": "---\ncircle: besties\n---\n"})
    result = run_check(root)
    assert result.exit_code == 0
    assert result.output.splitlines()[-1] == (
        "1 person, 0 interactions, 0 open follow-ups — 0 errors, 1 warning in 1 note"
    )


def test_json_output(make_vault: MakeVault) -> None:
    root = make_vault({"People/Ann.md": "---\ncadence: often\n---\n"})
    result = run_check(root, "--json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["errors"] == 1 and data["warnings"] == 0 and data["notes"] == 1
    assert data["problems"] == [
        {
            "path": "People/Ann.md",
            "line": 2,
            "col": None,
            "severity": "error",
            "message": 'cadence: bad duration \'often\': use e.g. "3 weeks", "10d" '
            "or a number of days",
        }
    ]
    assert data["summary"] == (
        "1 person, 0 interactions, 0 open follow-ups — 1 error, 0 warnings in 1 note"
    )
    assert (data["people"], data["interactions"], data["open_follow_ups"]) == (1, 0, 0)


def test_a_link_to_an_existing_note_is_no_typo_however_close(make_vault: MakeVault) -> None:
    root = make_vault(
        {
            "People/Anna Berg.md": "",
            "Places/Anna Bergs.md": "a café",
            "Journal/2026-11-02.md": "Coffee at [[Anna Bergs]], then [[Anna Berg|Anna]].\n",
        }
    )
    assert messages(root) == []


def _daily(path: str, *links: str) -> NoteRecord:
    return NoteRecord(path, "daily", entries=(Entry(3, "x", links=links),))


def test_near_miss_rule_ignores_dates_and_far_names() -> None:
    labels = {"alice nakamura": "Alice Nakamura", "ali": "Ali", "ben okafor": "Ben Okafor"}
    records = [
        _daily("J/1.md", "Alice Nakamra", "2026-11-02", "Berlin", "Ben Okafor", "ali"),
        _daily("J/2.md", "ben okafr"),
    ]
    assert near_miss_links(records, labels) == [
        NearMiss("J/1.md", 3, "Alice Nakamra", "Alice Nakamura"),
        NearMiss("J/2.md", 3, "ben okafr", "Ben Okafor"),
    ]


@pytest.mark.timeout(120)  # only catches a hang
def test_near_miss_rule_compares_few_names_per_link(monkeypatch: pytest.MonkeyPatch) -> None:
    """The work is bounded by a count: difflib sees at most `_Finder.TOP` names per link,
    whatever the number of people (comparing with all 15,000 would be 4.5 million)."""
    import difflib

    from vaultcrm.app import check

    compared: list[int] = []
    real = difflib.get_close_matches

    def counting(word: str, possibilities: list[str], *args: object, **kw: object) -> list[str]:
        compared.append(len(possibilities))
        return real(word, possibilities, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(check.difflib, "get_close_matches", counting)
    labels = {f"person {i:05d} surname{i % 97}": f"Person {i}" for i in range(15000)}
    targets = [f"some book title {i}" for i in range(300)] + ["person 01234 surnme70"]
    misses = near_miss_links([_daily("J/1.md", *targets)], labels)
    assert [m.suggestion for m in misses] == ["Person 1234"]
    assert len(compared) == 301 and max(compared) <= check._Finder.TOP


def test_unsafe_file_names_are_warnings() -> None:
    records = [
        NoteRecord("People/CON.md", "person"),
        NoteRecord("People/Fine Name.md", "person"),
        NoteRecord("Journal/Bad#.md", "daily"),
    ]
    found = unsafe_names(records)
    assert [(p.path, p.severity) for p in found] == [("People/CON.md", "warning")]
