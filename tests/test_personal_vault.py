"""A personal vault kept in plain Markdown, as people keep them (tests/fixtures/personal-vault):
slug-named people with a `name:` property beside a README, a template and an alias list;
daily notes in `journal/YYYY/MM/`; a meeting note whose attendees are plain names;
hand-kept `last_contact` and `next_follow_up` fields; an undated action item; no flag
tag anywhere; an author kept for reference with `cadence: never`.

Its first run says what is there and writes no note; `init` adopts it; then every
reflection is the one written by hand below, no more and no fewer.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from vaultcrm.cli import cli

FIXTURE = Path(__file__).parent / "fixtures" / "personal-vault"
TODAY = "2026-11-23"
OUT = "Reflections due.md"

#: Every reflection on 23 Nov 2026, worked out by hand from the notes, in report order.
EXPECTED: list[dict[str, Any]] = [
    # never contacted: no contact anywhere, nor a last_contact field
    {"kind": "reach_out", "person": "Omar Haddad", "file": "people/omar-haddad.md",
     "reason": "No contact logged yet.", "last_contact": None, "cadence_days": 42,
     "overdue_days": None, "days_since": None},
    {"kind": "reach_out", "person": "Priya Nair", "file": "people/priya-nair.md",
     "reason": "No contact logged yet.", "last_contact": None, "cadence_days": 90,
     "overdue_days": None, "days_since": None},
    # her name is her `title:`; her last contact only her hand-kept field, 180 days ago
    {"kind": "reach_out", "person": "Léa Martin", "file": "people/lea-martin.md",
     "reason": "Last contact 180 days ago; your cadence for friends is 42 days.",
     "last_contact": "2026-05-27", "cadence_days": 42, "overdue_days": 138, "days_since": 180},
    # the meeting of 12 Nov lists her by name, not by link: that is contact
    {"kind": "reach_out", "person": "Ana Sousa", "file": "people/ana-sousa.md",
     "reason": "Last contact 11 days ago; your cadence for family is 7 days.",
     "last_contact": "2026-11-12", "cadence_days": 7, "overdue_days": 4, "days_since": 11},
    # kept for reference (cadence: never): her birthday still shows, no reach-out
    {"kind": "birthday", "person": "Ruth Calder", "file": "people/ruth-calder.md",
     "reason": "Turns 76 on Mon 30 Nov (in 7 days).", "date": "2026-11-30", "days_until": 7,
     "age": 76},
    {"kind": "follow_up", "person": "Ben Cohen", "file": "people/ben-cohen.md",
     "reason": "Due Wed 25 Nov (in 2 days): Follow up (next_follow_up).", "date": "2026-11-25",
     "text": "Follow up (next_follow_up)", "days_until": 2,
     "source_file": "people/ben-cohen.md", "line": 6},
]  # fmt: skip
# And nothing else: Max Klein was seen 11 days ago (friends: 42); Ben 3 days ago (close:
# 14), once that day, though his last_contact field says 20 Nov too; no "go deeper" for
# Ben (close) or Ana (family), since the vault never writes #deep; README.md,
# _template.md and _aliases.md are nobody.

SETTINGS = [
    "people_folder: people",
    "daily_folder: journal",
    "daily_format: YYYY/MM/YYYY-MM-DD",
    "interaction_folders: [meetings]",
]


def run(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, [*args, "--vault", str(root)], catch_exceptions=False)


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    root = tmp_path / "personal-vault"
    shutil.copytree(FIXTURE, root)
    return root


@pytest.fixture
def adopted(vault: Path) -> Path:
    assert run(vault, "init").exit_code == 0
    return vault


def test_the_first_run_writes_no_note_and_says_what_is_there(vault: Path) -> None:
    result = run(vault, "sync", "--today", TODAY)
    assert result.exit_code == 1
    assert result.stdout == (
        "Wrote no Reflections due.md: nobody was found (see above for where to look).\n"
    )
    assert result.stderr == (
        "vaultcrm.yaml: no people found in People/ (it does not exist), but the vault holds"
        " people/ (7 notes), journal/ (3 daily notes) and meetings/: put"
        " `people_folder: people`, `daily_folder: journal`, `daily_format: YYYY/MM/YYYY-MM-DD`"
        " and `interaction_folders: [meetings]` in vaultcrm.yaml (`vaultcrm init` writes them"
        " for you)\n"
    )
    assert not (vault / OUT).exists()  # never "Nobody is due. Enjoy the quiet."
    assert run(vault, "check").exit_code == 1
    shown = run(vault, "due", "--today", TODAY)
    assert shown.exit_code == 1 and shown.stdout == "No people found.\n"


def test_init_adopts_what_is_there_and_says_so(vault: Path) -> None:
    before = sorted(p.relative_to(vault) for p in vault.rglob("*"))
    result = run(vault, "init")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "Found people/ (7 person notes; set people_folder: people)",
        "Found journal/ (3 daily notes; set daily_folder: journal and daily_format:"
        " YYYY/MM/YYYY-MM-DD)",
        "Found meetings/ (meeting notes; set interaction_folders: [meetings])",
        "Created vaultcrm.yaml (people_folder, daily_folder, daily_format and"
        " interaction_folders set to what was found; every other option commented out)",
        "Kept people/ (already there)",
        "Kept journal/ (already there)",
    ]
    settings = [x for x in (vault / "vaultcrm.yaml").read_text().splitlines() if x[:1] != "#"]
    assert [x.split("#")[0].rstrip() for x in settings if x] == SETTINGS
    after = sorted(p.relative_to(vault) for p in vault.rglob("*"))
    assert after == sorted([*before, Path("vaultcrm.yaml")])  # no People/ nor Journal/
    again = run(vault, "init")
    assert again.stdout.splitlines()[0] == (
        "Kept vaultcrm.yaml (it already exists; left as it is)"
    )


def test_every_reflection_is_the_one_worked_out_by_hand(adopted: Path) -> None:
    result = run(adopted, "due", "--json", "--today", TODAY)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["reflections"] == EXPECTED
    assert data["problems"] == []


def test_check_counts_what_is_there_and_says_how_to_start_with_flags(adopted: Path) -> None:
    report = json.loads(run(adopted, "check", "--json").stdout)
    # 7 people (not README, _template, _aliases); 6 interactions: Ben twice (his
    # last_contact field is the 20 Nov coffee, not a third), Max twice (a journal link and
    # the meeting, by name), Ana once (the meeting), Léa once (her field); 2 open
    # follow-ups: Ben's next_follow_up and his undated "send Ben the deck"
    assert (report["people"], report["interactions"], report["open_follow_ups"]) == (7, 6, 2)
    assert report["problems"] == []
    assert report["hints"] == [
        "No #shared, #heard, #deep or #win anywhere yet, so share, listen, go deeper and"
        ' celebrate stay silent: tag a line with `vaultcrm log NAME "…" --deep` (or --shared,'
        " --heard, --win), or let `vaultcrm flags suggest` find the lines whose words already"
        ' say it ("she told me…").'
    ]


def test_the_note_leads_with_dated_urgency_and_names_everyone_by_their_name(
    adopted: Path,
) -> None:
    result = run(adopted, "sync", "--today", TODAY)
    assert result.exit_code == 0, result.output
    note = (adopted / OUT).read_text()
    body = note[note.index("## Focus") : note.index("## The last 12 months")]
    assert body == (
        "## Focus\n\n"
        "### [[lea-martin|Léa Martin]]\n\n"
        "- [ ] **Reach out** — [[lea-martin|Léa Martin]]: Last contact 180 days ago; your"
        " cadence for friends is 42 days. ^vcrm-reach-out-0856e7cf\n"
        "- Last time (Wed 27 May): Last contact (last_contact)\n\n"
        "### [[ana-sousa|Ana Sousa]]\n\n"
        "- [ ] **Reach out** — [[ana-sousa|Ana Sousa]]: Last contact 11 days ago; your cadence"
        " for family is 7 days. ^vcrm-reach-out-f6f9b1c0\n"
        "- Last time (Thu 12 Nov): Planning the trip\n\n"
        "### [[ben-cohen|Ben Cohen]]\n\n"
        "- [ ] **Follow-up** — [[ben-cohen|Ben Cohen]]: Due Wed 25 Nov (in 2 days): Follow up"
        " (next_follow_up). ^vcrm-follow-up-63cf96f1\n"
        "- Last time (Fri 20 Nov): Coffee with [[ben-cohen]]. He got the interview.\n"
        "- Open with them: send Ben the deck\n\n"
        "### [[ruth-calder|Ruth Calder]]\n\n"
        "- [ ] **Birthday** — [[ruth-calder|Ruth Calder]]: Turns 76 on Mon 30 Nov (in 7 days)."
        " ^vcrm-birthday-3791966a\n\n"
        "## Not yet in your notes\n\n"
        "2 people — log a first contact or set `last_contact`: [[omar-haddad|Omar Haddad]],"
        " [[priya-nair|Priya Nair]].\n\n"
    )


def test_brief_and_people_use_names_and_still_find_file_names(adopted: Path) -> None:
    for query in ("Ben Cohen", "ben-cohen", "ben", "BEN COHEN"):
        brief = json.loads(run(adopted, "brief", query, "--json", "--today", TODAY).stdout)
        assert (brief["person"], brief["file"]) == ("Ben Cohen", "people/ben-cohen.md")
    assert brief["open_tasks"] == ["send Ben the deck"]
    assert [m["date"] for m in brief["recent"]] == ["2026-11-20", "2026-11-02"]  # once a day
    people = json.loads(run(adopted, "people", "--json", "--today", TODAY).stdout)["people"]
    assert [p["person"] for p in people] == [
        "Ana Sousa", "Ben Cohen", "Léa Martin", "Max Klein", "Omar Haddad", "Priya Nair",
        "Ruth Calder",
    ]  # fmt: skip
    ruth = people[-1]
    assert (ruth["never"], ruth["due"], ruth["overdue_days"]) == (True, ["birthday"], None)
    assert people[1]["open_tasks"] == 1
