"""`brief`, `people` and `due` on the terminal and as JSON, on a copy of example-vault/."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from click.testing import CliRunner, Result

from tests.sessions import snapshot
from vaultcrm.cli import cli
from vaultcrm.config import Config
from vaultcrm.reflect.brief import make_brief

from .conftest import EXAMPLE_TODAY, MakeVault
from .test_golden import check_golden

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, env=env)


def at(vault: Path) -> list[str]:
    return ["--vault", str(vault), "--today", EXAMPLE_TODAY]


# --- brief ------------------------------------------------------------------------------


def test_brief_tells_what_to_know_before_meeting_ben(
    example_vault: Path, update_golden: bool
) -> None:
    result = run("brief", "ben", *at(example_vault))
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    out = result.stdout
    assert out.startswith("Ben Okafor  (People/Ben Okafor.md)\n")
    assert "  Circle: close, every 14 days\n" in out
    assert "  Last contact: Sun 15 Nov (8 days ago)\n" in out
    # what he confided lately, newest first: things to ask about
    confided = out.split("They confided")[1].split("\n\n")[0]
    assert confided.index("Sun 15 Nov") < confided.index("Sat 31 Oct") < confided.index(
        "Sat 10 Oct"
    )
    assert "Parkinson's" in confided
    assert "  Sat 26 Sep  Long run with [[Ben Okafor]]" in out.split("You last shared")[1]
    assert (
        "Ben Okafor has opened up 3 times since you last shared something of your own "
        "(Sat 26 Sep): your turn to share." in out
    )
    assert "  Sat 31 Oct  Halloween." in out.split("Last truly open exchange")[1]
    assert "  Sat 21 Nov  Send [[Ben Okafor]] the article about carers' leave (2 days ago)" in out
    assert "  Sat 14 Aug 2027  Birthday: turns 37 (in 264 days)" in out
    assert "  Boundaries: Don't try to fix things for him. Ask what he needs.\n" in out
    recent = out.split("Last 5 interactions\n")[1].splitlines()
    assert len(recent) == 5 and recent[0].startswith("  Sun 15 Nov")
    assert "#heard" not in out.split("They confided")[1]  # note text without its tags
    check_golden("brief Ben Okafor 2026-11-23.txt", out, update_golden)


def test_show_is_brief_and_json_has_stable_keys(example_vault: Path, update_golden: bool) -> None:
    shown = run("show", "Tom Gallagher", "--json", *at(example_vault))
    data = json.loads(shown.stdout)
    assert run("brief", "tom", "--json", *at(example_vault)).stdout == shown.stdout
    assert list(data) == [
        "today", "person", "file", "aliases", "tags", "circle", "cadence_days",
        "cadence_from", "never", "last_contact", "days_since", "heard", "last_shared", "ledger",
        "last_deep", "follow_ups", "open_tasks", "ahead", "likes", "boundaries", "snooze_until",
        "recent", "due", "rhythm", "relations", "problems",
    ]  # fmt: skip
    assert data["today"] == EXAMPLE_TODAY and data["person"] == "Tom Gallagher"
    assert data["last_contact"] == "2026-11-17" and data["days_since"] == 6
    assert data["ledger"]["move"] == "balanced"
    assert data["last_deep"]["date"] == "2026-05-16"
    assert data["ahead"][0] == {"label": "birthday", "date": "2026-11-29", "days_until": 6,
                                "years": 36}  # fmt: skip
    assert [r["kind"] for r in data["due"]] == ["deep", "birthday", "birthday"]
    assert data["due"][2]["relation"] == "Lucy" and data["due"][2]["role"] == "partner"
    assert [(r["name"], r["role"]) for r in data["relations"]] == [("Lucy", "partner")]
    assert len(data["recent"]) == 5
    check_golden("brief Tom Gallagher 2026-11-23.json", shown.stdout, update_golden)


def test_brief_answers_the_same_from_the_index_and_without_it(example_vault: Path) -> None:
    args = ["brief", "Mum", "--json", *at(example_vault)]
    cold, warm, fresh = run(*args), run(*args), run(*args, "--no-cache")
    assert cold.stdout == warm.stdout == fresh.stdout
    assert json.loads(cold.stdout)["person"] == "Helen Marsh"


def test_brief_ledger_moves(make_vault: MakeVault) -> None:
    root = make_vault(
        {
            "People/Ann.md": "- 2026-11-01 Coffee #shared\n- 2026-11-05 Walk #shared\n",
            "People/Bo.md": "- 2026-11-01 Call #shared\n- 2026-11-05 Lunch #heard\n",
            "People/Cy.md": "- 2026-11-01 Call #shared #heard\n",
            "People/Di.md": "- 2026-11-01 Call\n- 2026-12-01 Plan to share #shared\n",
        }
    )
    today = dt.date(2026, 11, 23)
    snap = snapshot(root, today)

    def move(name: str) -> tuple[str, str]:
        b = make_brief(snap.vault.people[name], snap.vault, today, Config())
        return b.ledger.move, b.ledger.sentence

    assert move("Ann") == (
        "listen",
        "You have opened up twice and Ann has not yet, as far as your notes say: "
        "ask, and listen.",
    )
    assert move("Bo")[0] == "share"
    assert move("Cy") == ("balanced", "Balanced: the last exchange went both ways (Sun 1 Nov).")
    # a plan after today is not contact
    assert move("Di") == ("balanced", "No exchange of confidences logged yet (#shared, #heard).")


# --- errors about data: one line, exit 2, no Usage banner --------------------------------


def test_an_unknown_person_is_one_line_with_a_suggestion(example_vault: Path) -> None:
    for command in (["brief"], ["log", "--vault", str(example_vault)]):
        args = [*command, "Tomm"] + (at(example_vault) if command == ["brief"] else ["Hi"])
        result = CliRunner().invoke(cli, args, env={"VAULTCRM_DEBUG": ""})
        assert result.exit_code == 2, result.output
        assert result.stdout == ""
        assert result.stderr == "Error: no person named 'Tomm' (did you mean 'Tom Gallagher'?)\n"


def test_a_bad_date_is_one_line(example_vault: Path) -> None:
    result = CliRunner().invoke(
        cli, ["brief", "Ben", "--vault", str(example_vault), "--today", "2026-02-30"]
    )
    assert result.exit_code == 2
    assert "Usage:" not in result.output
    assert result.stderr == (
        "Error: --today: '2026-02-30' is not a date: use YYYY-MM-DD, e.g. 2026-11-23\n"
    )
    result = CliRunner().invoke(cli, ["remind", "--vault", str(example_vault), "Ben", "soon", "x"])
    assert result.exit_code == 2 and "Usage:" not in result.output
    assert result.stderr.startswith("Error: DATE: 'soon' is not a date")


# --- people -----------------------------------------------------------------------------


def test_people_lists_everyone_with_what_is_due(example_vault: Path, update_golden: bool) -> None:
    result = run("people", *at(example_vault))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "Person", "Circle", "Last", "contact", "Days", "Cadence", "Rhythm", "Due",
    ]  # fmt: skip
    assert len(lines) == 1 + 20
    ben = next(line for line in lines if line.startswith("Ben Okafor"))
    assert ben.split() == ["Ben", "Okafor", "close", "Sun", "15", "Nov", "8", "14", "days",
                           "21", "days", "share,", "follow-up"]  # fmt: skip
    rosa = next(line for line in lines if line.startswith("Rosa"))
    assert "Thu 2 Jul  " in rosa
    oscar = next(line for line in lines if line.startswith("Oscar"))
    assert "never" in oscar and oscar.endswith("reach out")
    check_golden("people 2026-11-23.txt", result.stdout, update_golden)


def test_people_filters_sorts_and_json(example_vault: Path) -> None:
    def names(*extra: str) -> list[str]:
        result = run("people", "--json", *at(example_vault), *extra)
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        assert data["today"] == EXAMPLE_TODAY
        return [row["person"] for row in data["people"]]

    assert names("--circle", "Family") == ["Helen Marsh", "Jess Marsh", "Richard Marsh"]
    climbers = names("--tag", "climbing")
    assert names("--tag", "#Climbing") == climbers
    assert "Lena Fischer" in climbers and "Ben Okafor" not in climbers
    due = names("--due")
    reported = json.loads(run("due", "--json", *at(example_vault)).stdout)["reflections"]
    assert set(due) == {r["person"] for r in reported}
    # most overdue first; never contacted first of all
    assert names("--sort", "overdue")[:3] == ["Oscar Delgado", "Maya Lindqvist", "Sam Reyes"]
    assert names("--sort", "last")[:2] == ["Oscar Delgado", "Rosa Quintero"]
    row = json.loads(run("people", "--json", *at(example_vault)).stdout)["people"][0]
    assert row == {
        "person": "Alice Nakamura", "file": "People/Alice Nakamura.md", "circle": "close",
        "tags": row["tags"], "last_contact": "2026-11-12", "days_since": 11,
        "cadence_days": 14, "overdue_days": -3, "due": ["follow_up"], "rhythm_days": 35,
        "open_tasks": 0, "never": False,
    }  # fmt: skip
    assert run("people", "--tag", "nobody", *at(example_vault)).stdout == "Nobody matches.\n"
    typo = CliRunner().invoke(cli, ["people", "--circle", "clse", *at(example_vault)])
    assert typo.exit_code == 2 and "Usage:" not in typo.output
    assert typo.stderr == (
        "Error: unknown circle 'clse' (did you mean 'close'?); the circles are: "
        "acquaintances, close, family, friends, work\n"
    )


# --- due --------------------------------------------------------------------------------


def test_due_piped_is_plain_text_grouped_by_kind(example_vault: Path) -> None:
    result = run("due", *at(example_vault))
    out = result.stdout
    assert "\x1b[" not in out and "━" not in out and "─" not in out
    assert out.startswith("Reach out\n  Oscar Delgado")
    assert "\nBirthdays\n  Tom Gallagher" in out


def test_due_on_a_terminal_is_a_table(example_vault: Path) -> None:
    env = {"FORCE_COLOR": "1", "COLUMNS": "120", "NO_COLOR": ""}
    out = ANSI.sub("", run("due", *at(example_vault), env=env).stdout)
    header = next(line for line in out.splitlines() if "Kind" in line)
    assert header.split() == ["Kind", "Person", "Why"]
    rows = [line for line in out.splitlines() if "Oscar Delgado" in line]
    assert rows and rows[0].split()[:4] == ["Reach", "out", "Oscar", "Delgado"]
    assert "[[Ben Okafor]]" in out  # links are text, not rich markup
    # NO_COLOR wins: plain text again
    plain = run("due", *at(example_vault), env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).stdout
    assert plain == run("due", *at(example_vault)).stdout


def test_people_on_a_terminal_is_a_table(example_vault: Path) -> None:
    env = {"FORCE_COLOR": "1", "COLUMNS": "120", "NO_COLOR": ""}
    out = ANSI.sub("", run("people", *at(example_vault), env=env).stdout)
    assert any(line.split()[:2] == ["Person", "Circle"] for line in out.splitlines())
    assert any(line.split()[:2] == ["Sam", "Reyes"] for line in out.splitlines())


def test_due_json_is_unchanged_by_tables(example_vault: Path) -> None:
    env = {"FORCE_COLOR": "1", "COLUMNS": "120"}
    assert run("due", "--json", *at(example_vault), env=env).stdout == run(
        "due", "--json", *at(example_vault)
    ).stdout


def test_a_broken_note_is_reported_and_the_rest_still_listed(make_vault: MakeVault) -> None:
    root = make_vault(
        {
            "People/Ann.md": "---\ncircle: close\n---\n- 2026-11-01 Coffee\n",
            "People/Bo.md": "---\ncircle: buddies\n---\n",
            "People/Cy.md": "---\ncircle: [unclosed\n---\n",
        }
    )
    result = CliRunner().invoke(cli, ["people", *at(root)], env={"VAULTCRM_DEBUG": ""})
    assert result.exit_code == 1
    assert [line.split()[0] for line in result.stdout.splitlines()[1:]] == ["Ann", "Bo"]
    assert "People/Cy.md:3:1: frontmatter:" in result.stderr
    # briefing someone whose note does not read says why, where, and exits 1
    result = CliRunner().invoke(cli, ["brief", "Cy", *at(root)], env={"VAULTCRM_DEBUG": ""})
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith("Error: cannot brief Cy: People/Cy.md:3:1: frontmatter:")
    # a problem in their note is shown, and the brief still comes
    result = CliRunner().invoke(cli, ["brief", "Bo", *at(root)], env={"VAULTCRM_DEBUG": ""})
    assert result.exit_code == 0 and result.stdout.startswith("Bo  (People/Bo.md)")
    assert "  Circle: buddies (unknown circle), default cadence: every 90 days\n" in result.stdout
    assert result.stderr == ""  # roster warnings are `check`'s and `due`'s to print
