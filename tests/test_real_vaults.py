"""Vaults shaped like real ones: people by tag or property beside other notes, meeting
notes, interaction folders, keys spelt every way, cadence words, template folders, and
mistakes that must never read as an all-clear. Each vault is small and written here, in
the shape of public vaults (never their content)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.conftest import MakeVault
from vaultcrm.cli import cli

TODAY = "2026-11-23"
OUT = "Reflections due.md"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def run_plain(*args: str) -> Result:
    """As a user sees it: no --debug, so errors are one line, never a traceback."""
    return CliRunner().invoke(cli, list(args), env={"VAULTCRM_DEBUG": "0"})


def due(root: Path, *args: str) -> dict[str, Any]:
    result = run("due", "--vault", str(root), "--today", TODAY, "--json", *args)
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def of(data: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {r["person"]: r for r in data["reflections"] if r["kind"] == kind}


def people_in(data: dict[str, Any]) -> set[str]:
    """Everyone reach_out knows about (with no contact logged, everyone is due)."""
    return set(of(data, "reach_out"))


# --- who is a person -------------------------------------------------------------------


def test_people_by_tag_anywhere(make_vault: MakeVault) -> None:
    root = make_vault({
        "vaultcrm.yaml": "people_tags: [person]\n",
        "Notes/Ann Lee.md": "---\ntags: [person, climbing]\n---\nMet at the wall.\n",
        "Notes/Bo.md": "Old friend from school. #person\n",
        "Notes/Cy.md": "---\ntags: person/work\n---\n",
        "Notes/Dune.md": "---\ntags: [book]\n---\nA book, not a #personal favourite.\n",
        "Notes/Kyoto.md": "A city.\n",
    })
    assert people_in(due(root)) == {"Ann Lee", "Bo", "Cy"}


def test_people_by_property_in_a_mixed_folder(make_vault: MakeVault) -> None:
    # kepano-style: categories hold links; people live beside places and films
    root = make_vault({
        "vaultcrm.yaml": 'people_properties: {categories: "[[People]]", type: person}\n',
        "References/Steph Ango.md": '---\ncategories:\n  - "[[People]]"\norg:\n  - "[[Obsidian]]"\n'
        "created: 2023-09-12\n---\n## Meetings\n",
        "References/Kevin Kelly.md": "---\ncategories: [[People]]\n---\n",  # unquoted: a list
        "References/Ana.md": "---\nType: Person\n---\n",
        "References/Kyoto.md": '---\ncategories:\n  - "[[Places]]"\n---\n',
        "References/Blade Runner.md": '---\ncategories:\n  - "[[Movies]]"\ntype: film\n---\n',
    })
    assert people_in(due(root)) == {"Steph Ango", "Kevin Kelly", "Ana"}


# --- interaction notes -------------------------------------------------------------------


def test_meeting_notes_count_for_everyone_their_frontmatter_links(make_vault: MakeVault) -> None:
    root = make_vault({
        "People/Steph Ango.md": "---\ncadence: 30 days\n---\n",
        "People/Kevin Kelly.md": "---\ncadence: 30 days\n---\n",
        "People/Paul.md": "---\ncadence: 30 days\n---\n",
        "Notes/2026-11-12 Meeting with Steph.md": '---\ncategories:\n  - "[[Meetings]]"\n'
        'date: 2026-11-12\npeople:\n  - "[[Steph Ango]]"\ntags: [shared]\n---\n'
        "- Discussed [[Out of Control]] with [[Paul]]\n",  # body links count only in folders
        "Notes/Coffee.md": "---\ndate: 2026-11-20\nwith: [[Kevin Kelly]]\n---\n",
        "Notes/2026-10-01 Lunch.md": "---\nattendees: ['[[Paul]]']\n---\n",  # date from its name
        "Notes/Undated.md": '---\npeople: ["[[Paul]]"]\n---\n',
    })
    data = due(root)
    assert "Steph Ango" not in of(data, "reach_out")
    assert "Kevin Kelly" not in of(data, "reach_out")
    paul = of(data, "reach_out")["Paul"]
    assert (paul["last_contact"], paul["overdue_days"]) == ("2026-10-01", 23)
    result = run("sync", "--vault", str(root), "--today", TODAY)
    assert result.exit_code == 0, result.output
    check = run("check", "--vault", str(root))
    assert check.stdout.splitlines()[-1].startswith("3 people, 3 interactions, 0 open follow-ups")


def test_a_meeting_notes_tags_set_its_flags(make_vault: MakeVault) -> None:
    root = make_vault({
        "People/Ann.md": "---\ncircle: close\n---\n",
        "Meetings/2026-11-01 Call.md": '---\npeople: ["[[Ann]]"]\ntags: [heard]\n---\n',
        "Meetings/2026-11-08 Walk.md": '---\npeople: ["[[Ann]]"]\n---\nShe told me a lot. #heard\n',
    })
    assert of(due(root), "share")["Ann"]["count"] == 2


def test_an_interaction_folder_counts_body_links_too(make_vault: MakeVault) -> None:
    root = make_vault({
        "vaultcrm.yaml": "people_folder: CRM/People\ninteraction_folders: [CRM/Interactions]\n",
        "CRM/People/Jane Doe.md": "---\ncadence: 2 weeks\n---\n",
        "CRM/People/John Roe.md": "---\ncadence: 2 weeks\n---\n",
        "CRM/Interactions/2026-11-20 Call with Jane Doe.md": "Call with [[Jane Doe]].\n",
        "CRM/Interactions/Lunch.md": "---\ndate: 2026-11-18\ncontacts: ['[[John Roe]]']\n---\n",
        "Notes/2026-11-21 Idea.md": "Ask [[John Roe]] about it.\n",  # not an interaction
    })
    data = due(root)
    assert "Jane Doe" not in of(data, "reach_out")
    assert "John Roe" not in of(data, "reach_out")
    cold = run("due", "--vault", str(root), "--today", "2026-12-03", "--json")
    john = of(json.loads(cold.stdout), "reach_out")["John Roe"]
    assert john["last_contact"] == "2026-11-18"


# --- fields as others spell them ----------------------------------------------------------


def test_last_contacted_counts_as_an_interaction(make_vault: MakeVault) -> None:
    root = make_vault({
        "People/Ann.md": "---\nlast_contacted: 2026-09-20\ncadence: monthly\n---\n",
        "People/Bo.md": "---\nLast Seen: 2026-11-20\ncadence: monthly\n---\n",
    })
    data = of(due(root), "reach_out")
    assert data["Ann"]["last_contact"] == "2026-09-20"
    assert data["Ann"]["cadence_days"] == 30
    assert "Bo" not in data


def test_inline_fields_count_and_frontmatter_wins(make_vault: MakeVault) -> None:
    root = make_vault({
        "People/Ann.md": "---\ncadence: 3 weeks\n---\n"
        "birthday:: 1990-11-30\n- cadence:: weekly\nSeen lately [last_seen:: [[2026-11-20]]].\n",
        "People/Bo.md": "Some text (bday:: --11-25) and more.\nfrequency:: quarterly\n",
    })
    data = due(root)
    assert of(data, "birthday")["Ann"]["age"] == 36
    assert of(data, "birthday")["Bo"]["date"] == "2026-11-25"
    assert "Ann" not in of(data, "reach_out")  # 3 weeks from the frontmatter, seen 3 days ago
    assert of(data, "reach_out")["Bo"]["cadence_days"] == 90


@pytest.mark.parametrize(
    "key", ["birthday", "Birthday", "BIRTHDAY", "bday", "born", "birthdate", "birth-date"]
)
def test_each_birthday_spelling(make_vault: MakeVault, key: str) -> None:
    root = make_vault({"People/Ann.md": f"---\n{key}: 1990-11-30\n---\n"})
    assert of(due(root), "birthday")["Ann"]["age"] == 36


@pytest.mark.parametrize(
    "key", ["cadence", "Cadence", "frequency", "contact_frequency", "contact-frequency",
            "Contact Frequency", "keep_in_touch", "keep-in-touch"],
)  # fmt: skip
def test_each_cadence_spelling(make_vault: MakeVault, key: str) -> None:
    root = make_vault({"People/Ann.md": f"---\n{key}: 10 days\n---\n"})
    assert of(due(root), "reach_out")["Ann"]["cadence_days"] == 10


@pytest.mark.parametrize(
    "key", ["last_contact", "last_contacted", "Last-Contacted", "last_seen", "Last Seen"]
)
def test_each_last_contact_spelling(make_vault: MakeVault, key: str) -> None:
    root = make_vault({"People/Ann.md": f"---\n{key}: 2026-11-01\n---\n"})
    assert of(due(root), "reach_out") == {}


@pytest.mark.parametrize(
    "key", ["follow_up", "Follow-Up", "next_follow_up", "next-follow-up", "next_contact"]
)
def test_each_follow_up_spelling(make_vault: MakeVault, key: str) -> None:
    root = make_vault({"People/Ann.md": f"---\n{key}: 2026-11-25\n---\n"})
    follow = of(due(root), "follow_up")["Ann"]
    assert (follow["date"], follow["line"]) == ("2026-11-25", 2)


def test_configured_spellings(make_vault: MakeVault) -> None:
    root = make_vault({
        "vaultcrm.yaml": "fields: {birthday: [geburtstag], cadence: [Rhythmus]}\n",
        "People/Ann.md": "---\nGeburtstag: 1990-11-30\nrhythmus: 2 weeks\n---\n",
    })
    data = due(root)
    assert of(data, "birthday")["Ann"]["age"] == 36
    assert of(data, "reach_out")["Ann"]["cadence_days"] == 14


@pytest.mark.parametrize(
    ("word", "days"),
    [("daily", 1), ("Weekly", 7), ("fortnightly", 14), ("biweekly", 14), ("bi-weekly", 14),
     ("monthly", 30), ("bimonthly", 60), ("QUARTERLY", 90), ("semiannually", 182),
     ("semi-annually", 182), ("biannually", 182), ("yearly", 365), ("annually", 365),
     ("every 3 days", 3), ("every 2 weeks", 14), ("Every 2 Months", 60), ("every 1 year", 365),
     ("every week", 7)],
)  # fmt: skip
def test_cadence_words(make_vault: MakeVault, word: str, days: int) -> None:
    root = make_vault({"People/Ann.md": f"---\ncadence: {word}\n---\n"})
    data = due(root)
    assert data["problems"] == []
    assert of(data, "reach_out")["Ann"]["cadence_days"] == days


def test_a_near_miss_key_is_a_warning_with_a_suggestion(make_vault: MakeVault) -> None:
    root = make_vault({
        "People/Ann.md": "---\nbirtday: 1990-01-01\ncompany: Acme\ndate: 2020-01-01\n"
        "last_contated: 2026-01-01\n---\n",
    })
    result = run("check", "--vault", str(root))
    assert result.exit_code == 0
    assert result.stdout.splitlines()[:2] == [
        "People/Ann.md:2: warning: unknown key 'birtday' — did you mean 'birthday'?",
        "People/Ann.md:5: warning: unknown key 'last_contated' — did you mean 'last_contacted'?",
    ]


def test_set_keeps_the_users_spelling(make_vault: MakeVault) -> None:
    root = make_vault({"People/Max.md": "---\nBirthday: 1990-01-01  # roughly\nCadence: 2w\n---\n"})
    assert run("set", "--vault", str(root), "Max", "birthday", "1991-02-03").exit_code == 0
    assert run("set", "--vault", str(root), "Max", "--unset", "cadence").exit_code == 0
    text = (root / "People/Max.md").read_text()
    assert text == "---\nBirthday: 1991-02-03  # roughly\n---\n"


def test_a_follow_up_field_ticked_is_logged_and_cleared(make_vault: MakeVault) -> None:
    root = make_vault({"People/Ann.md": "---\nnext_follow_up: 2026-11-20\n---\n- 2026-11-22 Tea\n"})
    run("sync", "--vault", str(root), "--today", TODAY)
    note = (root / OUT).read_text()
    assert "- [ ] " in note and "Follow up (next_follow_up)" in note
    (root / OUT).write_text(note.replace("- [ ] ", "- [x] ", 1))
    result = run("sync", "--vault", str(root), "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert "Recorded: People/Ann.md: - 2026-11-23 Followed up (from Reflections due)" \
        " (next_follow_up cleared)" in result.output
    assert (root / "People/Ann.md").read_text() == (
        "---\nnext_follow_up:\n---\n- 2026-11-22 Tea\n"
        "- 2026-11-23 Followed up (from Reflections due)\n"
    )
    again = run("sync", "--vault", str(root), "--today", TODAY)  # it does not come back
    assert "Follow up (next_follow_up)" not in (root / OUT).read_text(), again.output


# --- never a person ---------------------------------------------------------------------


TEMPLATE = (
    "---\ncategories:\n  - \"[[People]]\"\nbirthday: {{birthday}}\ncreated: {{date}}\n"
    "cadence: {{cadence}}\n---\n- {{date}} {{title}}\n"
)


def test_template_folders_and_the_generated_note_are_never_people(make_vault: MakeVault) -> None:
    root = make_vault({
        "vaultcrm.yaml": "people_folder: .\ndaily_folder: Daily\n",
        ".obsidian/templates.json": '{"folder": "Templates"}',
        ".obsidian/plugins/templater-obsidian/data.json": '{"templates_folder": "Meta/Templater"}',
        "Templates/People Template.md": TEMPLATE,
        "Templates/Meeting Template.md": "---\ndate: {{date}}\npeople: []\n---\n",
        "Meta/Templater/Person.md": TEMPLATE,
        ".trash/Old Friend.md": "---\ncircle: close\n---\n",
        ".vaultcrm/templates/x.md": "---\ncircle: close\n---\n",
        "Daily/2026-11-20.md": "Saw [[Ann]].\n",
        "Ann.md": "---\ncircle: close\n---\n",
    })
    for _ in range(2):  # the second sync sees the note the first one wrote
        result = run("sync", "--vault", str(root), "--today", TODAY)
        assert result.exit_code == 0, result.stderr
        assert result.stderr == ""
    data = due(root)
    assert {r["person"] for r in data["reflections"]} <= {"Ann"}
    check = run("check", "--vault", str(root))
    assert check.stdout.splitlines()[-1].startswith("1 person, 1 interaction,")


def test_the_generated_note_is_never_a_person_by_tag(make_vault: MakeVault) -> None:
    root = make_vault({
        "vaultcrm.yaml": "people_tags: [person]\n",
        "Ann.md": "#person\n",
    })
    run("sync", "--vault", str(root), "--today", TODAY)
    (root / OUT).write_text((root / OUT).read_text() + "\n#person\n")
    assert people_in(due(root)) == {"Ann"}


# --- never a silent all-clear ----------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [["sync"], ["due"], ["check"], ["log", "Ann", "Coffee"], ["set", "Ann", "circle", "close"],
     ["remind", "Ann", "2026-12-01", "Call"], ["add", "Bo"]],
)  # fmt: skip
def test_a_mistyped_people_folder_exits_1_naming_it(
    make_vault: MakeVault, command: list[str]
) -> None:
    root = make_vault({"vaultcrm.yaml": "people_folder: Peple\n", "People/Ann.md": ""})
    before = (root / "People/Ann.md").read_bytes()
    result = run_plain(command[0], "--vault", str(root), *command[1:])
    assert result.exit_code == 1, result.output
    assert "vaultcrm.yaml:1: people_folder: there is no folder 'Peple'" in result.output
    assert "Traceback" not in result.output
    assert "no people found" not in result.output  # one message, the one that says why
    assert (root / "People/Ann.md").read_bytes() == before


def test_a_vault_without_people_is_an_error_and_gets_no_note(make_vault: MakeVault) -> None:
    root = make_vault({"Notes/Kyoto.md": "A city.\n"})
    result = run("check", "--vault", str(root))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "vaultcrm.yaml: no people found in People/ (it does not exist): put person "
        "notes there, or set people_folder, people_tags or people_properties in vaultcrm.yaml",
        "0 people, 0 interactions, 0 open follow-ups — 1 error, 0 warnings in 1 note",
    ]
    sync = run("sync", "--vault", str(root), "--today", TODAY)
    assert sync.exit_code == 1 and "no people found" in sync.stderr
    assert not (root / OUT).exists()  # never a note that reads as an all-clear
    shown = run("due", "--vault", str(root), "--today", TODAY)
    assert "no people found" in shown.stderr
    assert shown.stdout == "No people found.\n"  # not "Nobody is due. Enjoy the quiet."


# --- quiet at scale -----------------------------------------------------------------------


def test_a_150_person_shared_alias_is_one_line(make_vault: MakeVault) -> None:
    files = {f"People/Alice {i:03d}.md": "---\naliases: [Alice]\n---\n" for i in range(150)}
    files["Journal/2026-11-20.md"] = "Lunch with [[Alice]].\n"
    root = make_vault(files)
    shared = (
        "People/Alice 000.md:2: warning: name or alias 'alice' is shared by Alice 000, "
        "Alice 001, Alice 002, Alice 003, Alice 004 and 145 more; links to it count for no one"
    )
    check = run("check", "--vault", str(root))
    assert check.stdout.splitlines() == [
        shared,
        "150 people, 0 interactions, 0 open follow-ups — 0 errors, 1 warning in 151 notes",
    ]
    for _ in range(2):  # cold, then from the cache
        sync = run("sync", "--vault", str(root), "--today", TODAY)
        assert sync.stderr.splitlines() == [shared]


def test_sync_prints_at_most_20_problem_lines(make_vault: MakeVault) -> None:
    root = make_vault({f"People/P{i:02d}.md": "---\ncadence: often\n---\n" for i in range(30)})
    sync = run("sync", "--vault", str(root), "--today", TODAY)
    lines = sync.stderr.splitlines()
    assert len(lines) == 21
    assert lines[-1] == "… and 10 more (vaultcrm check lists them all)"
    check = run("check", "--vault", str(root))
    assert len(check.stdout.splitlines()) == 31
    assert len(due(root)["problems"]) == 30  # --json lists everything
