"""The generated note healed after several devices changed it: git conflict markers in it
(made here by real `git merge-file`) and sync tools' conflict copies beside it. Every tick
of every side is recorded once, and what "once" means when the sides are of different days.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.conftest import MakeVault
from tests.test_ticks import tick
from vaultcrm.cli import cli
from vaultcrm.config import load_config
from vaultcrm.read.copies import DROPBOX, OBSIDIAN, SYNCTHING, VAULTCRM, copy_source
from vaultcrm.read.walk import walk

OUT = "Reflections due.md"
FILES = {
    # last seen long ago: due to reach out, with a box to tick (someone never contacted
    # is listed with the others not in the notes yet, without one)
    "People/Ann.md": "---\ncircle: friends\n---\n- 2026-01-05 Coffee\n",
    "People/Bo.md": "---\ncircle: friends\n---\n- 2026-01-05 Coffee\n",
    "People/Cy.md": "---\nbirthday: 1990-12-02\n---\n- 2026-11-20 Lunch\n",
}
REACHED = "Reached out (from Reflections due)"
WISHES = "Birthday wishes (from Reflections due)"


def run(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, [*args, "--vault", str(root)], catch_exceptions=False)


def sync(root: Path, day: str, *extra: str) -> Result:
    return run(root, "sync", "--today", day, *extra)


def note(root: Path) -> str:
    return (root / OUT).read_text()


def lines_with(root: Path, person: str, text: str) -> list[str]:
    return [line for line in (root / f"People/{person}.md").read_text().split("\n") if text in line]


def merge_file(ours: str, base: str, theirs: str, tmp_path: Path) -> str:
    """What `git merge` leaves in the note: real `git merge-file` of the three versions."""
    paths = []
    for name, text in (("ours", ours), ("base", base), ("theirs", theirs)):
        (tmp_path / f"{name}.txt").write_text(text)
        paths.append(str(tmp_path / f"{name}.txt"))
    done = subprocess.run(["git", "merge-file", "-p", *paths], capture_output=True, text=True)
    assert done.returncode > 0 and "<<<<<<< " in done.stdout
    return done.stdout


def two_devices(
    root: Path, tmp_path: Path, a: tuple[str, list[str]], b: tuple[str, list[str]]
) -> None:
    """The note as git leaves it when device A synced on day a[0] and ticked a[1], and
    device B did so on b[0] with b[1], both from the same version (neither recorded)."""
    base = note(root)
    versions = []
    for day, patterns in (a, b):
        (root / OUT).write_text(base)
        assert sync(root, day).exit_code == 0
        for pattern in patterns:
            tick(root, pattern)
        versions.append(note(root))
    (root / OUT).write_text(merge_file(versions[0], base, versions[1], tmp_path))


def test_a_conflicted_note_heals_and_records_both_ticks_once(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    root = make_vault(FILES)
    assert sync(root, "2026-11-30").exit_code == 0
    two_devices(root, tmp_path, ("2026-12-01", [r"\[\[Ann\]\]"]), ("2026-12-03", [r"\[\[Bo\]\]"]))

    result = sync(root, "2026-12-03")
    assert result.exit_code == 0, result.output
    assert "Resolved the git conflict in Reflections due.md" in result.stderr
    assert "<<<<<<<" not in note(root) and "=======" not in note(root)
    assert lines_with(root, "Ann", REACHED) == [f"- 2026-12-03 {REACHED}"]
    assert lines_with(root, "Bo", REACHED) == [f"- 2026-12-03 {REACHED}"]
    assert "[[Ann]]" not in note(root) and "[[Bo]]" not in note(root)
    again = sync(root, "2026-12-03")
    assert again.exit_code == 0 and "Recorded" not in again.output
    assert "Resolved" not in again.output


def test_a_box_ticked_on_both_devices_is_one_tick(make_vault: MakeVault, tmp_path: Path) -> None:
    """Reach-out ids are per person and kind, the same every day: the same box ticked on
    two devices, on different days, is one tick."""
    root = make_vault(FILES)
    sync(root, "2026-11-30")
    two_devices(root, tmp_path, ("2026-12-01", [r"\[\[Ann\]\]"]), ("2026-12-02", [r"\[\[Ann\]\]"]))
    result = sync(root, "2026-12-03")
    assert result.exit_code == 0, result.output
    assert lines_with(root, "Ann", REACHED) == [f"- 2026-12-03 {REACHED}"]


def test_a_birthday_ticked_before_it_passed_is_recorded_after(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    """A birthday's id is per occurrence: ticked in the note of 30 Nov, merged on 3 Dec
    when the 2 Dec birthday has passed, the tick still means that birthday."""
    root = make_vault(FILES)
    sync(root, "2026-11-29")
    two_devices(
        root, tmp_path, ("2026-11-30", [r"\[\[Cy\]\].*Birthday"]), ("2026-12-03", [r"\[\[Bo\]\]"])
    )
    result = sync(root, "2026-12-03")
    assert result.exit_code == 0, result.output
    assert f"Recorded: People/Cy.md: - 2026-12-03 {WISHES}" in result.output
    assert lines_with(root, "Cy", WISHES) == [f"- 2026-12-03 {WISHES}"]
    assert lines_with(root, "Bo", REACHED) == [f"- 2026-12-03 {REACHED}"]


def test_a_birthday_the_other_device_recorded_is_not_recorded_again(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    """Device A ticked Cy's birthday in its note of 30 Nov and did not sync; device B
    ticked it too, recorded it on 1 Dec, and synced again on 3 Dec, when the birthday
    had passed (so B's note no longer lists it, nor its `done`). The line B logged since
    30 Nov is that tick: A's is not logged a second time."""
    root = make_vault(FILES)
    sync(root, "2026-11-30")
    base = note(root)
    tick(root, r"\[\[Cy\]\].*Birthday")
    device_a = note(root)
    assert sync(root, "2026-12-01").exit_code == 0  # device B records it
    assert lines_with(root, "Cy", WISHES) == [f"- 2026-12-01 {WISHES}"]
    sync(root, "2026-12-03")
    device_b = note(root)
    assert "Cy" not in device_b
    (root / OUT).write_text(merge_file(device_a, base, device_b, tmp_path))
    result = sync(root, "2026-12-03")
    assert result.exit_code == 0, result.output
    assert f"People/Cy.md: - 2026-12-01 {WISHES} (already logged)" in result.output
    assert lines_with(root, "Cy", WISHES) == [f"- 2026-12-01 {WISHES}"]


def test_a_reach_out_whose_need_was_met_since_is_not_logged(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    """A reach-out ticked on one device while the other logged a coffee with Ann: Ann is
    no longer due, so the tick is ignored, and says so (ids per person: the need is met)."""
    root = make_vault(FILES)
    sync(root, "2026-11-30")
    base = note(root)
    sync(root, "2026-12-01")
    tick(root, r"\[\[Ann\]\]")
    device_a = note(root)
    (root / OUT).write_text(base)
    assert run(root, "log", "Ann", "Coffee", "--date", "2026-12-02").exit_code == 0
    sync(root, "2026-12-02")
    device_b = note(root)
    (root / OUT).write_text(merge_file(device_a, base, device_b, tmp_path))
    result = sync(root, "2026-12-02")
    assert result.exit_code == 0, result.output
    assert "no longer due, so the tick was ignored" in result.output
    assert lines_with(root, "Ann", "2026-") == ["- 2026-01-05 Coffee", "- 2026-12-02 Coffee"]


def test_a_conflict_with_a_users_text_is_still_refused(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    root = make_vault(FILES)
    sync(root, "2026-11-30")
    ours = note(root)
    (root / OUT).write_text(merge_file(ours, "", "My own list of things\n", tmp_path))
    kept = (root / OUT).read_bytes()
    result = CliRunner().invoke(
        cli, ["sync", "--vault", str(root), "--today", "2026-12-01"], env={"VAULTCRM_DEBUG": "0"}
    )
    assert result.exit_code == 1
    assert "one side of the conflict was not written by vaultcrm" in result.output
    assert (root / OUT).read_bytes() == kept


def test_during_a_merge_the_note_is_resolved_and_recorded_after(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    """While git waits for the merge to be finished, person notes are not written: the
    note is resolved (no markers, every tick kept) for `git add`; the sync after the merge
    records the ticks."""
    root = make_vault(FILES)
    sync(root, "2026-11-30")
    two_devices(root, tmp_path, ("2026-12-01", [r"\[\[Ann\]\]"]), ("2026-12-03", [r"\[\[Bo\]\]"]))
    (root / ".git").mkdir()
    (root / ".git/MERGE_HEAD").write_text("0" * 40 + "\n")
    people = {p: p.read_bytes() for p in (root / "People").iterdir()}

    result = sync(root, "2026-12-03")
    assert result.exit_code == 0, result.output
    assert "`git add` it and finish the merge" in result.stderr
    resolved = note(root)
    assert "<<<<<<<" not in resolved
    assert "- [x] " in resolved and resolved.count("- [x] ") == 2
    assert {p: p.read_bytes() for p in (root / "People").iterdir()} == people

    (root / ".git/MERGE_HEAD").unlink()  # `git commit` finished the merge
    result = sync(root, "2026-12-03")
    assert result.exit_code == 0, result.output
    assert lines_with(root, "Ann", REACHED) == [f"- 2026-12-03 {REACHED}"]
    assert lines_with(root, "Bo", REACHED) == [f"- 2026-12-03 {REACHED}"]
    assert "- [x]" not in note(root)


# --- conflict copies ---------------------------------------------------------------------

COPIES = {
    SYNCTHING: "Reflections due.sync-conflict-20261207-101010-ABCDEFG.md",
    OBSIDIAN: "Reflections due (Conflicted copy MyMacBook2 202612071010).md",
    DROPBOX: "Reflections due (Someone's conflicted copy 2026-12-07).md",
    VAULTCRM: "Reflections due.conflict.md",
}


@pytest.mark.parametrize("tool", list(COPIES))
def test_a_conflict_copy_is_recorded_once_then_removed(make_vault: MakeVault, tool: str) -> None:
    """The sync tool kept the version with Ann ticked as a copy, and the other device's
    version (Bo ticked) as the note: both ticks are recorded, the copy goes, and the run
    says so on stderr and in --json."""
    root = make_vault(FILES)
    sync(root, "2026-12-01")
    base = note(root)
    tick(root, r"\[\[Ann\]\]")
    kept_aside = note(root)
    (root / OUT).write_text(base)
    sync(root, "2026-12-03")  # the other device
    tick(root, r"\[\[Bo\]\]")
    (root / COPIES[tool]).write_text(kept_aside)  # the sync tool meets both versions

    result = sync(root, "2026-12-03", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["healed"] == [{"file": COPIES[tool], "action": "removed", "source": tool}]
    assert f"Removed {COPIES[tool]}, the {tool} conflict copy of {OUT}" in result.stderr
    assert not (root / COPIES[tool]).exists()
    assert lines_with(root, "Ann", REACHED) == [f"- 2026-12-03 {REACHED}"]
    assert lines_with(root, "Bo", REACHED) == [f"- 2026-12-03 {REACHED}"]
    assert sorted(p.name for p in root.iterdir() if p.suffix == ".md") == [OUT]


def test_a_copy_whose_ticks_were_recorded_is_removed_without_logging_twice(
    make_vault: MakeVault,
) -> None:
    root = make_vault(FILES)
    sync(root, "2026-12-01")
    tick(root, r"\[\[Ann\]\]")
    copy = root / COPIES[SYNCTHING]
    copy.write_text(note(root))
    assert sync(root, "2026-12-01").exit_code == 0  # records Ann from both: once
    assert not copy.exists()
    assert lines_with(root, "Ann", REACHED) == [f"- 2026-12-01 {REACHED}"]


def test_a_copy_appearing_after_a_sync_with_nothing_to_do_is_healed(make_vault: MakeVault) -> None:
    root = make_vault(FILES)
    sync(root, "2026-12-01")
    base = note(root)
    tick(root, r"\[\[Ann\]\]")
    ticked_version = note(root)
    (root / OUT).write_text(base)
    sync(root, "2026-12-01")
    assert "Up to date" in sync(root, "2026-12-01").output  # the no-change path
    (root / COPIES[DROPBOX]).write_text(ticked_version)
    result = sync(root, "2026-12-01")
    assert result.exit_code == 0 and "Removed" in result.stderr
    assert lines_with(root, "Ann", REACHED) == [f"- 2026-12-01 {REACHED}"]


def test_copies_of_a_users_note_are_never_touched(make_vault: MakeVault) -> None:
    """A person note's copy is the user's to merge; a copy named like the note that
    vaultcrm did not write is not read, not removed, not changed."""
    person_copy = "People/Ann.sync-conflict-20261207-101010-ABCDEFG.md"
    user_copy = COPIES[DROPBOX]
    root = make_vault(
        {
            **FILES,
            person_copy: "---\ncircle: friends\n---\n- [x] ^vcrm-reach-out-0123abcd\n",
            user_copy: "- [x] My own list ^vcrm-reach-out-0123abcd\n",
        }
    )
    before = {rel: (root / rel).read_bytes() for rel in (person_copy, user_copy)}
    assert sync(root, "2026-12-01").exit_code == 0
    tick(root, r"\[\[Ann\]\]")
    result = sync(root, "2026-12-01")
    assert result.exit_code == 0 and "Removed" not in result.output
    assert {rel: (root / rel).read_bytes() for rel in before} == before


def test_copies_of_the_note_are_not_read_as_people_or_interactions(make_vault: MakeVault) -> None:
    """Meanwhile (before a sync heals them, or while `due` and `check` run), a copy is no
    note of the vault, even where every note is read for people and meetings."""
    files = {**FILES, "vaultcrm.yaml": "interaction_folders: [/]\npeople_tags: [person]\n"}
    root = make_vault(files)
    sync(root, "2026-12-01")
    text = note(root).replace("today:", "tags: [person]\ndate: 2026-12-01\ntoday:", 1)
    due_before = run(root, "due", "--json", "--today", "2026-12-01").stdout
    check_before = run(root, "check", "--json").stdout
    for name in COPIES.values():
        (root / name).write_text(text)
    config, _ = load_config(root)
    assert not set(walk(root, config).rels) & set(COPIES.values())
    assert run(root, "due", "--json", "--today", "2026-12-01").stdout == due_before
    assert run(root, "check", "--json").stdout == check_before


@pytest.mark.parametrize(
    ("name", "tool"),
    [
        ("Reflections due.sync-conflict-20261207-101010-ABCDEFG.md", SYNCTHING),
        (
            "Reflections due.sync-conflict-20261207-101010-ABCDEFG"
            ".sync-conflict-20261208-090000-HIJKLMN.md",
            SYNCTHING,
        ),
        ("Reflections due (Conflicted copy My Phone 202612071010).md", OBSIDIAN),
        ("Reflections due (Someone's conflicted copy 2026-12-07).md", DROPBOX),
        ("Reflections due (Someone’s conflicted copy 2026-12-07 (1)).md", DROPBOX),
        ("Reflections due (conflicted copy 2026-12-07 101010).md", DROPBOX),  # Nextcloud
        ("Reflections due.conflict.md", VAULTCRM),
        ("Reflections due.conflict-3.md", VAULTCRM),
        ("Reflections due.md", None),
        ("Reflections due 2.md", None),
        ("Reflections due.sync-conflict.md", None),
        ("Reflections due (copy).md", None),
        ("Ann.sync-conflict-20261207-101010-ABCDEFG.md", None),
        ("Reflections due.sync-conflict-20261207-101010-ABCDEFG.txt", None),
    ],
)
def test_conflict_copy_names(name: str, tool: str | None) -> None:
    assert copy_source(name, OUT) == tool


def test_tick_days_are_never_after_today() -> None:
    from vaultcrm.output.generated import head, tick_days

    text = head(dt.date(2026, 12, 9), [], {"vcrm-birthday-0000abcd": dt.date(2026, 12, 8)})
    assert tick_days(text, dt.date(2026, 12, 1)) == (
        dt.date(2026, 12, 1),
        {"vcrm-birthday-0000abcd": dt.date(2026, 12, 1)},
    )


def test_a_conflicted_calendar_is_rewritten_without_markers(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    """Git's markers may keep the side whose digest matches the merged vault: the
    calendar is still rewritten, whole."""
    root = make_vault({**FILES, "vaultcrm.yaml": "ics: people.ics\n"})
    calendar = root / "people.ics"
    versions = []
    for birthday in ("", "birthday: 1991-03-02\n", "birthday: 1991-03-09\n"):
        (root / "People/Ann.md").write_text(f"---\ncircle: friends\n{birthday}---\n")
        sync(root, "2026-12-01")
        versions.append(calendar.read_bytes())
    base, ours, theirs = versions
    for name, data in (("base", base), ("ours", ours), ("theirs", theirs)):
        (tmp_path / name).write_bytes(data)  # CRLF lines, as RFC 5545 has them
    merged = subprocess.run(
        ["git", "merge-file", "-p", *(str(tmp_path / n) for n in ("ours", "base", "theirs"))],
        capture_output=True, check=False,
    ).stdout  # fmt: skip
    assert b"<<<<<<< " in merged and b"X-VAULTCRM-INPUTS" in merged
    (root / "People/Ann.md").write_text("---\ncircle: friends\nbirthday: 1991-03-02\n---\n")
    calendar.write_bytes(merged)
    result = sync(root, "2026-12-01")
    assert result.exit_code == 0, result.output
    assert calendar.read_bytes() == ours


def test_the_merge_driver_merges_notes_keeps_our_calendar_and_leaves_the_rest(
    tmp_path: Path,
) -> None:
    from vaultcrm.app.gitsetup import merge_driver
    from vaultcrm.output.generated import head

    def files(base: str, ours: str, theirs: str) -> tuple[Path, Path, Path]:
        paths = (tmp_path / "O", tmp_path / "A", tmp_path / "B")
        for path, text in zip(paths, (base, ours, theirs), strict=True):
            path.write_text(text)
        return paths

    line = "- [{}] Reach out ^vcrm-reach-out-0000000{}\n"
    base = head(dt.date(2026, 12, 1), []) + line.format(" ", 1) + line.format(" ", 2)
    ours = head(dt.date(2026, 12, 2), []) + line.format("x", 1) + line.format(" ", 2)
    theirs = head(dt.date(2026, 12, 3), []) + line.format(" ", 1) + line.format("x", 2)
    o, a, b = files(base, ours, theirs)
    assert merge_driver(o, a, b)
    merged = a.read_text()
    assert "today: 2026-12-03" in merged and merged.count("- [x]") == 2
    assert "ticked_in: [vcrm-reach-out-00000001 2026-12-02]" in merged

    o, a, b = files("BEGIN:VCALENDAR\r\n", *(
        f"BEGIN:VCALENDAR\r\nPRODID:-//vaultcrm//vaultcrm calendar//EN\r\nX-{n}\r\n"
        for n in ("A", "B")
    ))  # fmt: skip
    kept = a.read_bytes()
    assert merge_driver(o, a, b) and a.read_bytes() == kept

    o, a, b = files("mine\n", "mine, edited\n", "mine, edited elsewhere\n")
    assert not merge_driver(o, a, b) and a.read_text() == "mine, edited\n"
    o, a, b = files(base, ours, "My own note\n")  # a note of the user's on one side
    assert not merge_driver(o, a, b) and a.read_text() == ours
