"""Personal vaults, item by item (issue "Personal vaults"), each on real files: names as
people write them, files that are not people, plain-name attendees, undated action items,
field follow-ups that close, contact counted once, silent flags, the first run, the focus
list and task lines that name their person."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from vaultcrm.cli import cli

from .conftest import MakeVault

TODAY = "2026-11-23"
OUT = "Reflections due.md"


def run(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, [*args, "--vault", str(root)], catch_exceptions=False)


def due(root: Path) -> list[dict[str, Any]]:
    result = run(root, "due", "--json", "--today", TODAY)
    return json.loads(result.stdout)["reflections"]  # type: ignore[no-any-return]


def kinds_of(root: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for r in due(root):
        out.setdefault(r["person"], []).append(r["kind"])
    return out


def synced(root: Path) -> str:
    result = run(root, "sync", "--today", TODAY)
    assert result.exit_code == 0, result.output
    return (root / OUT).read_text()


# --- 1. names as people write them -----------------------------------------------------------


def test_a_name_field_names_the_person_and_the_file_name_stays_an_alias(
    make_vault: MakeVault,
) -> None:
    root = make_vault({
        "People/ben-cohen.md": "---\nname: Ben Cohen\ncircle: close\n---\n",
        "People/ana.md": "---\nTitle: Ana Sousa\n---\n",
        "People/Kim Lee.md": "---\nfull_name: Kim Lee\n---\n",
        "People/jo.md": "---\nname: [Jo, Joanna]\n---\n",
        "Journal/2026-11-01.md": "- Tea with [[ben-cohen]]\n- Call with [[Ben Cohen|Ben]]\n",
        "Journal/2026-11-02.md": "- Walk with [[Ana Sousa]] and [[ana]]\n",
    })  # fmt: skip
    people = json.loads(run(root, "people", "--json", "--today", TODAY).stdout)["people"]
    found = {p["person"]: p for p in people}
    assert list(found) == ["Ana Sousa", "Ben Cohen", "jo", "Kim Lee"]
    assert found["Ben Cohen"]["file"] == "People/ben-cohen.md"
    assert found["Ben Cohen"]["last_contact"] == "2026-11-01"  # both links: one day
    assert found["Ana Sousa"]["last_contact"] == "2026-11-02"
    found_due = [(r["person"], r["kind"]) for r in due(root)]
    # and Ana, due for nothing else: this week's unexpected reach-out
    assert found_due == [("jo", "reach_out"), ("Kim Lee", "reach_out"),
                         ("Ben Cohen", "reach_out"), ("Ana Sousa", "surprise")]  # fmt: skip
    brief = json.loads(run(root, "brief", "ben-cohen", "--json", "--today", TODAY).stdout)
    assert brief["person"] == "Ben Cohen" and len(brief["recent"]) == 2
    # a name that is not text: a problem on its line, and the file name is used
    problems = json.loads(run(root, "check", "--json").stdout)["problems"]
    assert [(p["path"], p["line"], p["message"]) for p in problems] == [
        ("People/jo.md", 2, "name: expected text, e.g. Ben Cohen; the file name is used")
    ]
    assert run(root, "sync", "--today", TODAY).exit_code == 1  # the error, and the note
    note = (root / OUT).read_text()
    # links that resolve in Obsidian, and read as the name; a file-named person as ever
    assert "[[ben-cohen|Ben Cohen]]" in note and "[[Kim Lee]]" in note
    assert "[[Ben Cohen]]" not in note


def test_a_daily_log_goes_in_as_a_link_that_resolves(make_vault: MakeVault) -> None:
    root = make_vault({"People/ben-cohen.md": "---\nname: Ben Cohen\n---\n"})
    result = run(root, "log", "Ben Cohen", "Coffee", "--daily", "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert (root / "Journal/2026-11-23.md").read_text() == "- [[ben-cohen]] Coffee\n"


# --- 2. files that are not people, and people kept for reference -------------------------------


def test_readme_index_and_underscore_files_are_nobody(make_vault: MakeVault) -> None:
    root = make_vault({
        "People/README.md": "# People\n- [ ] tidy up\n",
        "People/index.md": "All my people.\n",
        "People/_template.md": "---\nname:\n---\n- [ ] next action\n",
        "People/_aliases.md": "- Benji: Ben\n",
        "People/work/Readme.md": "Colleagues.\n",
        "People/Ben.md": "- 2026-11-20 Tea\n",
    })  # fmt: skip
    report = json.loads(run(root, "check", "--json").stdout)
    assert (report["people"], report["open_follow_ups"]) == (1, 0)
    plain = CliRunner().invoke(
        cli, ["log", "_template", "Hello", "--vault", str(root)], env={"VAULTCRM_DEBUG": "0"}
    )
    assert plain.exit_code == 2 and "no person named '_template'" in plain.stderr


def test_ignore_globs_are_never_read(make_vault: MakeVault) -> None:
    root = make_vault({
        "vaultcrm.yaml": "ignore: [People/archive, '*.excalidraw.md', 'Journal/**/drafts']\n",
        "People/archive/Old Friend.md": "",
        "People/Ann.md": "",
        "People/Sketch.excalidraw.md": "",
        "Journal/2026/drafts/2026-11-20.md": "- Tea with [[Ann]]\n",
        "Journal/2026-11-21.md": "- Walk with [[Ann]]\n",
    })  # fmt: skip
    assert [(r["person"], r["kind"]) for r in due(root)] == []  # Ann: seen on the 21st
    people = json.loads(run(root, "people", "--json", "--today", TODAY).stdout)["people"]
    assert [(p["person"], p["last_contact"]) for p in people] == [("Ann", "2026-11-21")]
    bad = make_vault({"vaultcrm.yaml": "ignore: [../elsewhere]\n", "People/Ann.md": ""}, "bad")
    problems = json.loads(run(bad, "check", "--json").stdout)["problems"]
    assert problems[0]["message"] == (
        "ignore: '../elsewhere' leaves the vault: use a glob inside it; using the default"
    )


def test_cadence_never_keeps_someone_for_reference(make_vault: MakeVault) -> None:
    root = make_vault({
        "People/Ruth.md": (
            "---\ncircle: close\ncadence: Never\nbirthday: 1950-11-30\n---\n"
            "- 2025-01-01 Heard her read #heard\n- 2025-02-01 Again #heard #win\n"
            "- [ ] 2026-11-25 Buy her new book\n"
        ),
        "People/Ann.md": "- 2026-11-20 Tea #deep #shared\n",
    })  # fmt: skip
    assert kinds_of(root)["Ruth"] == ["birthday", "follow_up"]  # no reach_out, share, deep
    brief = run(root, "brief", "Ruth", "--today", TODAY)
    assert "Circle: close, kept for reference (cadence: never)" in brief.stdout
    assert "past the cadence" not in brief.stdout
    table = run(root, "people", "--today", TODAY).stdout
    assert re.search(r"Ruth +close +Sat 1 Feb 2025 +660 +never +- +birthday, follow-up", table)


# --- 3. plain-name attendees -----------------------------------------------------------------


def test_plain_names_in_a_meetings_people_properties_count_like_links(
    make_vault: MakeVault,
) -> None:
    root = make_vault({
        "People/max-klein.md": "---\nname: Max Klein\ncircle: friends\n---\n",
        "People/Ana Sousa.md": "---\ncircle: friends\n---\n",
        "People/Bo.md": "---\ncircle: friends\n---\n",
        "People/Cy.md": "---\ncircle: friends\n---\n",
        "Meetings/2026-11-12 Planning.md": (
            "---\nattendees: [Max Klein, Me, ana sousa]\n---\nBo was not there.\n"
        ),
        "Notes/Lunch.md": "---\ndate: 2026-11-13\nwith: Bo, Someone Else\n---\n",
        "Notes/Book.md": "---\ndate: 2026-11-14\ntitle: Cy\nauthor: Cy\n---\n",
    })  # fmt: skip
    people = json.loads(run(root, "people", "--json", "--today", TODAY).stdout)["people"]
    last = {p["person"]: p["last_contact"] for p in people}
    assert last == {
        "Ana Sousa": "2026-11-12", "Bo": "2026-11-13", "Cy": None, "Max Klein": "2026-11-12",
    }  # fmt: skip


# --- 4. undated action items -----------------------------------------------------------------


def test_an_undated_open_task_is_open_with_them_never_overdue(make_vault: MakeVault) -> None:
    root = make_vault({
        "People/Ben.md": (
            "---\ncircle: friends\n---\n- 2026-01-01 Tea\n- [ ] send Ben the deck #work\n"
            "- [x] return his drill\n- [ ] \n"
        ),
        "People/Ann.md": "- 2026-11-20 Tea\n- [ ] ask about the flat\n",
    })  # fmt: skip
    assert kinds_of(root) == {"Ben": ["reach_out"]}  # no follow-up: due on no day
    report = json.loads(run(root, "check", "--json").stdout)
    assert report["open_follow_ups"] == 2
    brief = run(root, "brief", "Ben", "--today", TODAY)
    assert "Open with them (no date)\n  - [ ] send Ben the deck #work\n" in brief.stdout
    assert json.loads(run(root, "brief", "Ben", "--json", "--today", TODAY).stdout)[
        "open_tasks"
    ] == ["send Ben the deck #work"]
    table = run(root, "people", "--today", TODAY).stdout
    assert re.search(r"Ann .* 1 open\n", table) and re.search(r"Ben .* reach out, 1 open", table)
    note = synced(root)
    assert "- Open with them: send Ben the deck\n" in note  # under Ben, in focus
    assert "ask about the flat" not in note  # Ann is not due: not in the note


# --- 6. contact counted once -----------------------------------------------------------------


def test_a_last_contact_field_on_a_day_with_a_real_contact_adds_nothing(
    make_vault: MakeVault,
) -> None:
    root = make_vault({
        "People/Ben.md": "---\nlast_contact: 2026-11-20\n---\n- 2026-11-01 Tea\n",
        "People/Ann.md": "---\nlast_seen: 2026-11-19\n---\n",
        "Journal/2026-11-20.md": "- Coffee with [[Ben]]\n",
        "Journal/2026-11-18.md": "- Walk with [[Ann]]\n",
    })  # fmt: skip
    ben = json.loads(run(root, "brief", "Ben", "--json", "--today", TODAY).stdout)
    assert [(m["date"], m["text"]) for m in ben["recent"]] == [
        ("2026-11-20", "Coffee with [[Ben]]"), ("2026-11-01", "Tea"),
    ]  # fmt: skip
    ann = json.loads(run(root, "brief", "Ann", "--json", "--today", TODAY).stdout)
    assert [m["date"] for m in ann["recent"]] == ["2026-11-19", "2026-11-18"]  # two days
    report = json.loads(run(root, "check", "--json").stdout)
    assert report["interactions"] == 4
    note = synced(root)
    assert "bar [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4]" in note  # the chart counts once too


# --- 7. flags nobody uses are silent ---------------------------------------------------------


def test_kinds_built_on_a_flag_are_silent_until_the_vault_uses_it(make_vault: MakeVault) -> None:
    root = make_vault({
        "People/Ann.md": "---\ncircle: close\n---\n- 2026-11-20 Tea\n",
        "People/Bo.md": "---\ncircle: family\n---\n- 2026-11-21 Call\n",
    })  # fmt: skip
    assert kinds_of(root) == {}  # no "go deeper" with everyone close
    (root / "Journal").mkdir()
    (root / "Journal/2026-01-10.md").write_text("- Long walk with [[Bo]] #deep\n")
    assert kinds_of(root) == {"Ann": ["deep"], "Bo": ["deep"]}
    inferring = make_vault({
        "vaultcrm.yaml": "infer_flags: true\n",
        "People/Ann.md": "---\ncircle: close\n---\n- 2026-11-20 Tea\n",
        "People/Bo.md": "---\ncircle: close\n---\n- 2026-01-10 We really opened up to each other\n",
    }, "inferring")  # fmt: skip
    found = {r["person"]: r for r in due(inferring)}
    assert found["Ann"]["kind"] == "deep"  # an inferred #deep counts as the vault using it


# --- 5. field follow-ups that close, last contact kept true ---------------------------------


def tick_line(root: Path, pattern: str) -> None:
    note = (root / OUT).read_text()
    lines = note.split("\n")
    hits = [i for i, line in enumerate(lines) if line.startswith("- [ ] ") and pattern in line]
    assert len(hits) == 1, (pattern, hits)
    lines[hits[0]] = "- [x] " + lines[hits[0]][6:]
    (root / OUT).write_text("\n".join(lines))


def test_a_ticked_field_follow_up_clears_its_field_and_moves_last_contact(
    make_vault: MakeVault,
) -> None:
    ben = (
        "---\r\nname: Ben Cohen\r\nlast_contact: '2026-11-01'  # by hand\r\n"
        "next_follow_up: 2026-11-22 # ask about the interview\r\n---\r\nNotes.\r\n"
    )
    root = make_vault({"People/ben-cohen.md": "\ufeff" + ben})
    synced(root)
    tick_line(root, "Follow up (next_follow_up)")
    result = run(root, "sync", "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert (
        "Recorded: People/ben-cohen.md: - 2026-11-23 Followed up (from Reflections due)"
        " (next_follow_up cleared)" in result.output
    )
    assert (root / "People/ben-cohen.md").read_bytes() == (
        "\ufeff---\r\nname: Ben Cohen\r\nlast_contact: '2026-11-23'  # by hand\r\n"
        "next_follow_up:            # ask about the interview\r\n---\r\nNotes.\r\n"
        "- 2026-11-23 Followed up (from Reflections due)\r\n"
    ).encode()
    assert "Follow up (next_follow_up)" not in synced(root)  # it never comes back


def test_an_inline_follow_up_field_is_cleared_on_its_line(make_vault: MakeVault) -> None:
    ann = "Call her (next_follow_up:: [[2026-11-22]]) soon.\nlast_seen:: 2026-11-01\n"
    root = make_vault({"People/Ann.md": ann})
    synced(root)
    tick_line(root, "Follow up (next_follow_up)")
    assert run(root, "sync", "--today", TODAY).exit_code == 0
    assert (root / "People/Ann.md").read_text() == (
        "Call her (next_follow_up::) soon.\nlast_seen:: 2026-11-23\n"
        "- 2026-11-23 Followed up (from Reflections due)\n"
    )


def test_log_moves_a_hand_kept_last_contact_forward_never_back(make_vault: MakeVault) -> None:
    root = make_vault({
        "People/Ann.md": '---\nLast-Contacted: "2026-11-01" # kept by hand\ntags: [x]\n---\n',
        "People/Bo.md": "---\nlast_contact: 2026-11-30\n---\n",
        "People/Cy.md": "---\ncircle: close\n---\n",
    })  # fmt: skip
    for name in ("Ann", "Bo", "Cy"):
        result = run(root, "log", name, "Coffee", "--date", "2026-11-20", "--today", TODAY)
        assert result.exit_code == 0, result.output
    assert (root / "People/Ann.md").read_text() == (
        '---\nLast-Contacted: "2026-11-20" # kept by hand\ntags: [x]\n---\n- 2026-11-20 Coffee\n'
    )
    assert (root / "People/Bo.md").read_text() == (
        "---\nlast_contact: 2026-11-30\n---\n- 2026-11-20 Coffee\n"  # later: left alone
    )
    assert (root / "People/Cy.md").read_text() == "---\ncircle: close\n---\n- 2026-11-20 Coffee\n"


def test_a_ticked_reach_out_moves_last_contact_too(make_vault: MakeVault) -> None:
    root = make_vault({"People/Ann.md": "---\nlast_contact: 2026-01-05\ncircle: friends\n---\n"})
    synced(root)
    tick_line(root, "**Reach out**")
    assert run(root, "sync", "--today", TODAY).exit_code == 0
    assert (root / "People/Ann.md").read_text() == (
        "---\nlast_contact: 2026-11-23\ncircle: friends\n---\n"
        "- 2026-11-23 Reached out (from Reflections due)\n"
    )


# --- 8. a vault where nobody is found: what is there ----------------------------------------


def test_no_people_found_names_the_most_common_person_tag(make_vault: MakeVault) -> None:
    root = make_vault({
        "Notes/Ann.md": "---\ntags: [person, friend]\n---\n",
        "Notes/Bo.md": "#person/work and more\n",
        "Notes/Kyoto.md": "---\ntags: [place]\n---\n",
        "Notes/Cy.md": "---\ntype: Person\n---\n",
    })  # fmt: skip
    result = run(root, "sync", "--today", TODAY)
    assert result.exit_code == 1 and not (root / OUT).exists()
    assert result.stderr == (
        "vaultcrm.yaml: no people found in People/ (it does not exist), but the vault holds"
        " 2 notes tagged #person: put `people_tags: [person]` in vaultcrm.yaml"
        " (`vaultcrm init` writes them for you)\n"
    )
    assert run(root, "init").stdout.splitlines()[0] == (
        "Found notes tagged #person (set people_tags: [person])"
    )
    assert sorted(r["person"] for r in due(root)) == ["Ann", "Bo"]


def test_a_contacts_folder_in_any_case_is_suggested(make_vault: MakeVault) -> None:
    root = make_vault({"CONTACTS/Ann.md": "", "CONTACTS/Bo.md": "", "vaultcrm.yaml": ""})
    result = run(root, "check")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        "vaultcrm.yaml: no people found in People/ (it does not exist), but the vault holds"
        " CONTACTS/ (2 notes): put `people_folder: CONTACTS` in vaultcrm.yaml"
    )


# --- 9 and 10. the focus list: real urgency first; every task line names its person ---------


def test_focus_ranks_real_urgency_and_lists_the_never_contacted_together(
    make_vault: MakeVault,
) -> None:
    files = {f"People/New {i}.md": "---\ncircle: friends\n---\n" for i in range(7)}
    files["People/Zed.md"] = "---\ncircle: friends\n---\n- 2026-05-27 Tea\n"
    note = synced(make_vault(files))
    assert re.findall(r"^### (.+)$", note, re.M) == ["[[Zed]]"]
    assert "\n## Not yet in your notes\n\n7 people — log a first contact or set `last_contact`:" \
        " [[New 0]], [[New 1]], [[New 2]], [[New 3]], [[New 4]], [[New 5]], [[New 6]].\n" in note


def test_every_focus_task_line_names_its_person(example_vault: Path) -> None:
    note = synced(example_vault)
    focus = note[note.index("## Focus") : note.index("\n## ", note.index("## Focus") + 1)]
    person = ""
    tasks = 0
    for line in focus.splitlines():
        if line.startswith("### "):
            person = line[4:]
        elif line.startswith("- [ ] "):
            tasks += 1
            assert person in line, line
    assert tasks == 8


def test_an_import_finds_someone_by_their_name_field(make_vault: MakeVault, tmp_path: Path) -> None:
    root = make_vault({"People/ben-cohen.md": "---\nname: Ben Cohen\n---\n"})
    card = tmp_path / "ben.vcf"
    card.write_text(
        "BEGIN:VCARD\nVERSION:3.0\nFN:Ben Cohen\nBDAY:1990-04-12\nEND:VCARD\n", encoding="utf-8"
    )
    result = run(root, "import", "vcard", str(card))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (root / "People").iterdir()) == ["ben-cohen.md"]
    assert (root / "People/ben-cohen.md").read_text() == (
        "---\nname: Ben Cohen\nbirthday: 1990-04-12\n---\n"
    )


def test_two_notes_with_one_name_say_which_field_to_change(make_vault: MakeVault) -> None:
    root = make_vault({
        "People/sam-lee.md": "---\nname: Sam Lee\n---\n",
        "People/sam-lee-2.md": "---\nname: Sam Lee\n---\n",
    })  # fmt: skip
    problems = json.loads(run(root, "check", "--json").stdout)["problems"]
    assert [(p["path"], p["message"]) for p in problems] == [(
        "People/sam-lee.md",
        "another note is also named 'Sam Lee' (People/sam-lee-2.md); this one is ignored:"
        " give one of them another name",
    )]  # fmt: skip


def test_cadence_never_is_never_drift_nor_the_weeks_surprise(make_vault: MakeVault) -> None:
    """Someone kept for reference has no rhythm to break and is never the unexpected
    reach-out: the same two people, kept in touch with, are each."""
    steady = "".join(f"- 2026-08-{d:02d} Run together\n" for d in (1, 8, 15, 22, 29))
    files = {
        "People/Ivo.md": "---\ncadence: 1 year\n---\n" + steady,
        "People/Pia.md": "---\ncadence: 1 year\nlikes: [chess]\n---\n- 2026-10-01 Tea\n",
    }
    kept = make_vault(files, "kept")
    assert kinds_of(kept) == {"Ivo": ["drift"], "Pia": ["surprise"]}
    never = {rel: text.replace("cadence: 1 year", "cadence: never") for rel, text in files.items()}
    assert kinds_of(make_vault(never, "never")) == {}
