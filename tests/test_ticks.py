"""Closing the loop: boxes ticked in "Reflections due" are recorded by the next sync."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import EXAMPLE_TODAY, MakeVault
from tests.sessions import compute, sync
from vaultcrm.app.ticks import TicksNotRecorded, record_ticks
from vaultcrm.cli import cli
from vaultcrm.config import load_config
from vaultcrm.output.generated import Tick, ticked

TODAY = dt.date.fromisoformat(EXAMPLE_TODAY)
OUT = "Reflections due.md"


def run_sync(root: Path, *extra: str, debug: bool = True) -> object:
    env = {} if debug else {"VAULTCRM_DEBUG": "0"}
    return CliRunner().invoke(
        cli, ["sync", "--vault", str(root), "--today", EXAMPLE_TODAY, *extra], env=env
    )


#: Bo, last seen long ago: due to reach out (someone never contacted has no box to tick:
#: the note lists them together, `Not yet in your notes`)
BO = "---\ncircle: friends\n---\n- 2026-01-05 Coffee\n"


def tick(root: Path, pattern: str) -> str:
    """Tick the generated note's box on the (one) line matching `pattern`; its id.

    A task line of the focus list is matched as "[[Name]] <line>", after the heading it
    sits under, as a reader sees it."""
    path = root / OUT
    lines = path.read_bytes().decode().split("\n")
    hits, heading = [], ""
    for i, line in enumerate(lines):
        if line.startswith("#"):
            heading = line[4:] if line.startswith("### ") else ""
        seen = f"{heading} {line}" if heading else line
        if line.startswith("- [ ] ") and re.search(pattern, seen):
            hits.append(i)
    assert len(hits) == 1, (pattern, hits)
    lines[hits[0]] = "- [x] " + lines[hits[0]][6:]
    path.write_bytes("\n".join(lines).encode())
    found = re.search(r"\^(vcrm-[a-z-]+-[0-9a-f]{8})$", lines[hits[0]])
    assert found is not None
    return found.group(1)


def test_ticked_reads_ids_kinds_and_text_once_each() -> None:
    text = (
        "- [x] Reach out to [[Bo]] — due. ^vcrm-reach-out-0123abcd\r\n"
        "- [ ] Not ticked ^vcrm-share-0123abcd\n"
        "  - [X] [[Al]] — Due today: call. ^vcrm-follow-up-89abcdef  \n"
        "- [x] Reach out again ^vcrm-reach-out-0123abcd\n"
        "- [x] no id here\n"
        "- [x] an id mid-line ^vcrm-deep-0123abcd and more\n"
    )
    assert ticked(text) == [
        Tick("vcrm-reach-out-0123abcd", "reach_out", "Reach out to [[Bo]] — due."),
        Tick("vcrm-follow-up-89abcdef", "follow_up", "[[Al]] — Due today: call."),
    ]


def test_round_trip_on_the_example_vault(example_vault: Path) -> None:
    root = example_vault
    assert run_sync(root).exit_code == 0
    sam_before = (root / "People/Sam Reyes.md").read_bytes()
    alice_before = (root / "People/Alice Nakamura.md").read_text()
    reach = tick(root, r"\[\[Sam Reyes\]\].*Reach out")
    follow = tick(root, r"\[\[Alice Nakamura\]\].*Was due .*marathon")

    second = run_sync(root)
    assert second.exit_code == 0, second.output
    assert "Recorded: People/Sam Reyes.md: - 2026-11-23 Reached out" in second.output
    assert "ticked off “Ask how the marathon went”" in second.output

    sam_after = (root / "People/Sam Reyes.md").read_bytes()
    new_lines = sam_after.split(b"\n")
    for line in sam_before.split(b"\n"):
        new_lines.remove(line)
    assert new_lines == [b"- 2026-11-23 Reached out (from Reflections due)"]
    assert (root / "People/Alice Nakamura.md").read_text() == alice_before.replace(
        "- [ ] 2026-11-20 Ask how the marathon went", "- [x] 2026-11-20 Ask how the marathon went"
    )
    note = (root / OUT).read_text()
    assert reach not in note and follow not in note and "[x]" not in note
    assert "Sam Reyes" not in note  # nothing else was due for Sam

    files = {p: p.read_bytes() for p in root.rglob("*.md")}
    third = run_sync(root)
    assert third.exit_code == 0 and "Recorded" not in third.output
    assert {p: p.read_bytes() for p in root.rglob("*.md")} == files


def test_share_listen_and_deep_log_their_flag(example_vault: Path) -> None:
    root = example_vault
    run_sync(root)
    tick(root, r"\[\[Ben Okafor\]\] has confided")
    tick(root, r"opened up to \[\[Priya Shah\]\]")
    tick(root, r"open exchange with \[\[Tom Gallagher\]\]")
    result = run_sync(root)
    assert result.exit_code == 0, result.output
    assert (
        "- 2026-11-23 Shared something of my own (from Reflections due) #shared"
        in (root / "People/Ben Okafor.md").read_text()
    )
    assert (
        "- 2026-11-23 Asked, and listened (from Reflections due) #heard"
        in (root / "People/Priya Shah.md").read_text()
    )
    assert (
        "- 2026-11-23 A truly open conversation (from Reflections due) #deep"
        in (root / "People/Tom Gallagher.md").read_text()
    )
    outcome = compute(root, TODAY)
    due = {(r.kind, r.person) for r in outcome.reflections}
    assert not due & {("share", "Ben Okafor"), ("listen", "Priya Shah"), ("deep", "Tom Gallagher")}


def test_a_flag_is_logged_with_the_configured_tag(make_vault: MakeVault) -> None:
    root = make_vault(
        {
            "vaultcrm.yaml": "tags: {shared: opened-up}\n",
            "People/Bo.md": "- 2026-11-20 Call #heard\n- 2026-11-21 Walk #heard\n",
        }
    )
    run_sync(root)
    tick(root, r"\[\[Bo\]\] has confided")
    assert run_sync(root).exit_code == 0
    assert (
        (root / "People/Bo.md")
        .read_text()
        .endswith("- 2026-11-23 Shared something of my own (from Reflections due) #opened-up\n")
    )
    assert "confided" not in (root / OUT).read_text()


def test_a_follow_up_in_a_daily_note_is_ticked_where_it_was_written(example_vault: Path) -> None:
    root = example_vault
    run_sync(root)
    tick(root, r"\[\[Ben Okafor\]\].*Was due .*carers")
    result = run_sync(root)
    assert result.exit_code == 0
    assert (
        "- [x] Send [[Ben Okafor]] the article about carers' leave"
        in (root / "Journal/2026-11-21.md").read_text()
    )


def test_a_tick_that_matches_nothing_is_ignored_and_said(make_vault: MakeVault) -> None:
    root = make_vault({"People/Bo.md": BO})
    run_sync(root)
    tick(root, r"\[\[Bo\]\]")
    (root / "People/Bo.md").write_text(BO.replace("---\n-", "snooze_until: 2026-12-31\n---\n-"))
    result = run_sync(root)
    assert result.exit_code == 0
    assert (
        "Recorded: nothing for “[[Bo]]: Reach out — [[Bo]]: Last contact 322 days ago; your"
        " cadence for friends is 42 days.”" in result.output
    )
    assert "no longer due, so the tick was ignored" in result.output
    assert "2026-11-23" not in (root / "People/Bo.md").read_text()
    assert "[x]" not in (root / OUT).read_text()
    assert "Recorded" not in run_sync(root).output


def test_a_refused_recording_keeps_the_ticks_for_the_next_sync(make_vault: MakeVault) -> None:
    note = "---\ncircle: friends\n---\n- [ ] 2026-11-20 Call about the flat\n"
    root = make_vault({"People/Bo.md": note + "<<<<<<< HEAD\n"})
    run_sync(root)
    tick(root, r"\[\[Bo\]\].*Reach out")
    tick(root, r"Call about the flat")
    ticked_note = (root / OUT).read_bytes()
    result = run_sync(root, debug=False)
    assert result.exit_code == 1
    assert "could not record 2 ticked items of Reflections due.md" in result.output
    assert "merge conflict marker" in result.output
    assert "They stay ticked" in result.output and "Traceback" not in result.output
    assert (root / OUT).read_bytes() == ticked_note
    (root / "People/Bo.md").write_text(note)
    result = run_sync(root)
    assert result.exit_code == 0
    assert (root / "People/Bo.md").read_text() == (
        "---\ncircle: friends\n---\n- [x] 2026-11-20 Call about the flat\n"
        "- 2026-11-23 Reached out (from Reflections due)\n"
    )


def test_ticks_survive_a_sync_that_cannot_write(make_vault: MakeVault) -> None:
    root = make_vault({"People/Bo.md": BO})
    run_sync(root)
    tick(root, r"\[\[Bo\]\].*Reach out")
    ticked_note = (root / OUT).read_bytes()
    (root / ".git").mkdir()
    (root / ".git/index.lock").write_text("")  # a git command is running
    result = run_sync(root, debug=False)
    assert result.exit_code == 1 and "a git command is running" in result.output
    assert (root / OUT).read_bytes() == ticked_note
    assert (root / "People/Bo.md").read_text() == BO


def test_a_line_logged_before_is_not_logged_twice(make_vault: MakeVault) -> None:
    """A sync that recorded but could not rewrite the note runs again without doubling."""
    root = make_vault({"People/Bo.md": BO})
    run_sync(root)
    tick(root, r"\[\[Bo\]\].*Reach out")
    config, _ = load_config(root)
    # the reflections as they were when the box was ticked
    reflections = compute(root, TODAY).reflections
    first = record_ticks(root, config, TODAY, reflections)
    again = record_ticks(root, config, TODAY, reflections)
    assert first == ["People/Bo.md: - 2026-11-23 Reached out (from Reflections due)"]
    assert again == [first[0] + " (already logged)"]
    assert (root / "People/Bo.md").read_text().count("Reached out") == 1


def test_a_follow_up_edited_since_the_tick_is_not_ticked(make_vault: MakeVault) -> None:
    root = make_vault({"People/Bo.md": "---\ncircle: friends\n---\n- [ ] 2026-11-20 Call Bo\n"})
    run_sync(root)
    tick(root, r"Call \[\[Bo\]\]")  # the line names Bo with a link
    config, _ = load_config(root)
    reflections = compute(root, TODAY).reflections
    (root / "People/Bo.md").write_text("---\ncircle: friends\n---\n- [ ] 2026-11-20 Email Bo\n")
    with pytest.raises(TicksNotRecorded, match="line 4 is no longer the task “Call Bo”"):
        record_ticks(root, config, TODAY, reflections)
    assert (root / "People/Bo.md").read_text().endswith("- [ ] 2026-11-20 Email Bo\n")


def test_ticks_in_a_note_vaultcrm_did_not_write_are_not_read(make_vault: MakeVault) -> None:
    root = make_vault({"People/Bo.md": BO})
    run_sync(root)
    tick(root, r"\[\[Bo\]\]")
    text = (root / OUT).read_text().replace("vaultcrm: generated", "mine: true")
    (root / OUT).write_text(text)
    config, _ = load_config(root)
    assert record_ticks(root, config, TODAY, compute(root, TODAY).reflections) == []


def test_sync_records_through_the_library_too(make_vault: MakeVault) -> None:
    root = make_vault({"People/Bo.md": BO})
    sync(root, TODAY)
    tick(root, r"\[\[Bo\]\]")
    result = sync(root, TODAY)
    assert result.recorded == ["People/Bo.md: - 2026-11-23 Reached out (from Reflections due)"]
    assert result.written and not result.outcome.reflections


def test_a_ticked_birthday_is_recorded_once_and_stays_ticked(example_vault: Path) -> None:
    root = example_vault
    note = root / OUT
    tom = root / "People/Tom Gallagher.md"
    assert run_sync(root).exit_code == 0
    item = tick(root, r"Tom Gallagher\]\]'s birthday")

    def wishes() -> list[str]:
        return [line for line in tom.read_text().splitlines() if "Birthday wishes" in line]

    result = run_sync(root)
    assert result.exit_code == 0, result.output
    assert len(wishes()) == 1
    text = note.read_text()
    assert f"\ndone: [{item}]\n" in text
    assert re.search(rf"^- \[x\] .*Tom Gallagher\]\]'s birthday.*\^{item}$", text, re.M)

    # Nothing more to record: a third sync logs nothing and leaves every byte alone.
    after = tom.read_bytes(), note.read_bytes()
    assert run_sync(root).exit_code == 0
    assert (tom.read_bytes(), note.read_bytes()) == after

    # Unticking it brings the box back, and records nothing.
    ticked_line = "- [x] [[Tom Gallagher]]'s"
    note.write_text(note.read_text().replace(ticked_line, "- [ ] [[Tom Gallagher]]'s"))
    assert run_sync(root).exit_code == 0
    assert len(wishes()) == 1
    assert "- [ ] [[Tom Gallagher]]'s birthday" in note.read_text()
    assert "\ndone: [" not in note.read_text()
