"""The edit engine: what it writes, and every write it refuses, with the message a user sees."""

from __future__ import annotations

import errno
import hashlib
import os
import subprocess
from pathlib import Path

import pytest

import vaultcrm.edit.engine as engine
from tests.conftest import MakeVault
from vaultcrm.edit.engine import (
    EditRefused,
    create,
    edit,
    read_for_edit,
    write_edit,
    write_generated,
)
from vaultcrm.edit.lines import append_log_line
from vaultcrm.errors import VaultcrmError
from vaultcrm.model import Problem

ANN = b"---\ncircle: close  # note\n---\n- 2026-11-02 Coffee\n"
LOGGED = ANN + b"- 2026-11-23 Walk\n"


def log_walk(data: bytes) -> bytes:
    return append_log_line(data, "- 2026-11-23 Walk")


def listing(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


# --- what it writes ----------------------------------------------------------------------


def test_edit_writes_the_transformed_bytes_and_keeps_the_mode(make_vault: MakeVault) -> None:
    root = make_vault({"People/Ann.md": ANN})
    (root / "People/Ann.md").chmod(0o640)
    result = edit(root, "People/Ann.md", log_walk)
    assert result == engine.EditResult("People/Ann.md", True, None)
    assert (root / "People/Ann.md").read_bytes() == LOGGED
    assert (root / "People/Ann.md").stat().st_mode & 0o777 == 0o640
    assert listing(root / "People") == ["Ann.md"]


def test_an_edit_that_changes_nothing_does_not_touch_the_file(make_vault: MakeVault) -> None:
    root = make_vault({"Ann.md": ANN})
    os.utime(root / "Ann.md", ns=(1, 1_000_000_000))
    assert edit(root, "Ann.md", lambda data: data).changed is False
    assert (root / "Ann.md").stat().st_mtime_ns == 1_000_000_000


def test_a_transform_that_says_no_becomes_a_refusal(make_vault: MakeVault) -> None:
    root = make_vault({"Ann.md": ANN})

    def refuse(data: bytes) -> bytes:
        raise ValueError("line 4 is no longer an open task")

    with pytest.raises(EditRefused, match="Ann.md: line 4 is no longer an open task"):
        edit(root, "Ann.md", refuse)


def test_create_makes_folders_and_refuses_an_existing_note(make_vault: MakeVault) -> None:
    root = make_vault({"Ann.md": ANN})
    assert create(root, "Journal/2026/2026-11-23.md", b"- [[Ann]]\n").changed
    assert (root / "Journal/2026/2026-11-23.md").read_bytes() == b"- [[Ann]]\n"
    with pytest.raises(EditRefused, match="Ann.md: it already exists"):
        create(root, "Ann.md", b"other")
    assert (root / "Ann.md").read_bytes() == ANN
    assert listing(root) == ["Ann.md", "Journal"]
    assert listing(root / "Journal/2026") == ["2026-11-23.md"]


def test_generated_note_is_created_rewritten_and_left_alone_when_equal(
    make_vault: MakeVault,
) -> None:
    root = make_vault({})
    marker = b"generated-by: vaultcrm"
    first = b"---\ngenerated-by: vaultcrm\n---\n- [[Ann]]\n"
    assert write_generated(root, "Reflections due.md", first, marker=marker).changed
    os.utime(root / "Reflections due.md", ns=(1, 1_000_000_000))
    assert not write_generated(root, "Reflections due.md", first, marker=marker).changed
    assert (root / "Reflections due.md").stat().st_mtime_ns == 1_000_000_000
    second = first + b"- [[Bob]]\n"
    assert write_generated(root, "Reflections due.md", second, marker=marker).changed
    assert (root / "Reflections due.md").read_bytes() == second


def test_generated_note_without_the_marker_is_refused(make_vault: MakeVault) -> None:
    root = make_vault({"Reflections due.md": b"My own reflections\n"})
    with pytest.raises(EditRefused) as caught:
        write_generated(root, "Reflections due.md", b"new", marker=b"generated-by: vaultcrm")
    assert str(caught.value) == (
        "cannot write Reflections due.md: it was not written by vaultcrm; "
        "move it away or set `output:` in vaultcrm.yaml"
    )
    assert (root / "Reflections due.md").read_bytes() == b"My own reflections\n"


def test_refusals_are_clean_user_errors_naming_the_file(make_vault: MakeVault) -> None:
    root = make_vault({})
    with pytest.raises(VaultcrmError) as caught:
        read_for_edit(root, "People/Nobody.md")
    assert isinstance(caught.value, EditRefused)
    assert caught.value.path == "People/Nobody.md"
    assert str(caught.value) == "cannot write People/Nobody.md: the folder People does not exist"


# --- refusals ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rel", "reason"),
    [
        ("../outside.md", "leaves the vault"),
        ("People/../../outside.md", "leaves the vault"),
        ("/etc/hostname", "relative to the vault"),
        ("", "relative to the vault"),
    ],
)
def test_paths_outside_the_vault_are_refused(
    make_vault: MakeVault, tmp_path: Path, rel: str, reason: str
) -> None:
    root = make_vault({"People/Ann.md": ANN})
    (tmp_path / "outside.md").write_bytes(b"outside\n")
    with pytest.raises(EditRefused, match=reason):
        edit(root, rel, log_walk)
    with pytest.raises(EditRefused, match=reason):
        create(root, rel, b"x")
    assert (tmp_path / "outside.md").read_bytes() == b"outside\n"


def test_a_symlinked_folder_leading_out_of_the_vault_is_refused(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    root = make_vault({})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "Ann.md").write_bytes(ANN)
    (root / "People").symlink_to(elsewhere)
    with pytest.raises(EditRefused) as caught:
        edit(root, "People/Ann.md", log_walk)
    assert str(caught.value) == (
        f"cannot write People/Ann.md: People is a symbolic link to {elsewhere} outside the "
        "vault; vaultcrm does not write through links"
    )
    with pytest.raises(EditRefused, match="symbolic link"):
        create(root, "People/Bob.md", b"x")
    assert listing(elsewhere) == ["Ann.md"]
    assert (elsewhere / "Ann.md").read_bytes() == ANN


def test_a_symlinked_note_is_refused_and_the_link_kept(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    root = make_vault({})
    (tmp_path / "real.md").write_bytes(ANN)
    (root / "Ann.md").symlink_to(tmp_path / "real.md")
    with pytest.raises(EditRefused, match="Ann.md is a symbolic link to .* outside the vault"):
        edit(root, "Ann.md", log_walk)
    assert (root / "Ann.md").is_symlink()
    assert (tmp_path / "real.md").read_bytes() == ANN


def test_a_folder_is_not_a_note(make_vault: MakeVault) -> None:
    root = make_vault({"People/Ann.md": ANN})
    with pytest.raises(EditRefused, match="People: it is not a regular file"):
        edit(root, "People", log_walk)


def test_conflict_markers_are_refused(make_vault: MakeVault) -> None:
    note = b"- 2026-11-02 a\n<<<<<<< HEAD\n- 2026-11-03 b\n=======\n- 2026-11-04 c\n>>>>>>> x\n"
    root = make_vault({"Ann.md": note})
    with pytest.raises(EditRefused) as caught:
        edit(root, "Ann.md", log_walk)
    assert str(caught.value) == (
        "cannot write Ann.md: line 2 is a merge conflict marker; resolve the conflict first"
    )
    assert (root / "Ann.md").read_bytes() == note


def test_a_setext_heading_is_not_a_conflict_marker(make_vault: MakeVault) -> None:
    root = make_vault({"Ann.md": b"Title\n=======\n"})
    assert edit(root, "Ann.md", log_walk).changed


def test_broken_frontmatter_is_refused(make_vault: MakeVault) -> None:
    note = b"---\ncircle: [close\n---\n- 2026-11-02 a\n"
    root = make_vault({"Ann.md": note})
    with pytest.raises(EditRefused, match="Ann.md: its frontmatter does not parse"):
        edit(root, "Ann.md", log_walk)
    assert (root / "Ann.md").read_bytes() == note


def test_a_validator_can_be_passed_and_warnings_do_not_refuse(make_vault: MakeVault) -> None:
    root = make_vault({"Ann.md": ANN})

    def strict(rel: str, text: str) -> list[Problem]:
        return [Problem(rel, 2, "circle is not allowed here")]

    def lenient(rel: str, text: str) -> list[Problem]:
        return [Problem(rel, 2, "odd", severity="warning")]

    with pytest.raises(EditRefused) as caught:
        edit(root, "Ann.md", log_walk, validate=strict)
    assert str(caught.value) == (
        "cannot write Ann.md: its frontmatter does not parse "
        "(line 2: circle is not allowed here); fix it first"
    )
    assert edit(root, "Ann.md", log_walk, validate=lenient).changed


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.mark.parametrize(
    ("busy", "reason"),
    [
        ("MERGE_HEAD", "in the middle of a merge"),
        ("index.lock", "a git command is running"),
        ("rebase-merge/", "in the middle of a rebase"),
        ("CHERRY_PICK_HEAD", "cherry-pick"),
    ],
)
def test_git_mid_operation_is_refused(make_vault: MakeVault, busy: str, reason: str) -> None:
    root = make_vault({"People/Ann.md": ANN})
    git(root.parent, "init", "-q")  # the repo holds the vault in a subfolder
    target = root.parent / ".git" / busy
    if busy.endswith("/"):
        target.mkdir()
    else:
        target.write_bytes(b"")
    with pytest.raises(EditRefused, match=reason):
        edit(root, "People/Ann.md", log_walk)
    assert (root / "People/Ann.md").read_bytes() == ANN
    target.rmdir() if busy.endswith("/") else target.unlink()
    assert edit(root, "People/Ann.md", log_walk).changed


def test_git_worktree_mid_merge_is_refused(tmp_path: Path) -> None:
    main = tmp_path / "main"
    main.mkdir()
    git(main, "init", "-q")
    (main / "Ann.md").write_bytes(ANN)
    git(main, "add", "Ann.md")
    git(main, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x")
    git(main, "worktree", "add", "-q", str(tmp_path / "wt"))
    gitdir = (tmp_path / "wt/.git").read_text().removeprefix("gitdir:").strip()
    (Path(gitdir) / "MERGE_HEAD").write_bytes(b"")
    with pytest.raises(EditRefused, match="in the middle of a merge"):
        edit(tmp_path / "wt", "Ann.md", log_walk)
    assert edit(main, "Ann.md", log_walk).changed  # the main worktree is not merging


def test_a_note_changed_since_it_was_read_is_refused(make_vault: MakeVault) -> None:
    root = make_vault({"Ann.md": ANN})
    snap = read_for_edit(root, "Ann.md")
    (root / "Ann.md").write_bytes(ANN + b"typed in the editor\n")
    with pytest.raises(EditRefused) as caught:
        write_edit(snap, log_walk(snap.data))
    assert str(caught.value) == (
        "cannot write Ann.md: it changed on disk since vaultcrm read it; run the command again"
    )
    assert (root / "Ann.md").read_bytes() == ANN + b"typed in the editor\n"
    assert listing(root) == ["Ann.md"]


# --- concurrent saves, made deterministic by hooking one step of the protocol -----------


def save_after(monkeypatch: pytest.MonkeyPatch, step: str, path: Path, data: bytes) -> None:
    """Make an 'editor' save `path` (temp + rename) right after the engine's `step`."""
    original = getattr(engine, step)

    def hooked(*args: object, **kwargs: object) -> object:
        out = original(*args, **kwargs)
        (path.parent / "editor.tmp").write_bytes(data)
        os.replace(path.parent / "editor.tmp", path)
        monkeypatch.setattr(engine, step, original)
        return out

    monkeypatch.setattr(engine, step, hooked)


def test_a_save_between_check_and_swap_is_kept_as_a_conflict_copy(
    make_vault: MakeVault, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_vault({"People/Ann.md": ANN})
    saves = [ANN + b"editor save 1\n", ANN + b"editor save 2\n"]
    for number, save in enumerate(saves, 1):
        save_after(monkeypatch, "_refuse_if_changed", root / "People/Ann.md", save)
        snap = read_for_edit(root, "People/Ann.md")
        result = write_edit(snap, snap.data + b"- 2026-11-23 Walk\n")
        conflict = "People/Ann.conflict.md" if number == 1 else "People/Ann.conflict-2.md"
        assert result == engine.EditResult("People/Ann.md", True, conflict)
        assert (root / conflict).read_bytes() == save
        assert (root / "People/Ann.md").read_bytes() == snap.data + b"- 2026-11-23 Walk\n"
    assert listing(root / "People") == ["Ann.conflict-2.md", "Ann.conflict.md", "Ann.md"]


def test_a_save_right_after_the_swap_wins_and_the_edit_says_so(
    make_vault: MakeVault, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_vault({"Ann.md": ANN})
    save_after(monkeypatch, "_swap", root / "Ann.md", b"editor\n")
    with pytest.raises(EditRefused, match="another program saved it while vaultcrm was writing"):
        edit(root, "Ann.md", log_walk)
    assert (root / "Ann.md").read_bytes() == b"editor\n"
    assert listing(root) == ["Ann.md"]


def test_without_renameat2_it_falls_back_to_replace_and_link(
    make_vault: MakeVault, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unsupported(*args: object) -> None:
        raise OSError(errno.EINVAL, "not supported")

    monkeypatch.setattr(engine, "_renameat2", unsupported)
    root = make_vault({"Ann.md": ANN})
    assert edit(root, "Ann.md", log_walk).changed
    assert (root / "Ann.md").read_bytes() == LOGGED
    assert create(root, "Bob.md", b"bob\n").changed
    with pytest.raises(EditRefused, match="already exists"):
        create(root, "Bob.md", b"other\n")
    assert listing(root) == ["Ann.md", "Bob.md"]


# --- leftovers of killed writes ----------------------------------------------------------


def short(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def test_leftover_temp_files_are_removed_or_kept_as_conflicts(make_vault: MakeVault) -> None:
    tag = engine.TEMP_TAG
    old, new, stray = ANN, LOGGED, b"an editor save swapped out just before a kill\n"
    root = make_vault(
        {
            "Ann.md": new,
            f".Ann.md{tag}{short(old)}-{short(new)}-aaaaaa": old,  # killed after the swap
            f".Ann.md{tag}{short(old)}-{short(new)}-bbbbbb": new,  # killed before the swap
            f".Ann.md{tag}{short(old)}-{short(new)}-cccccc": stray,
            f".Bob.md{tag}{short(old)}-{short(new)}-dddddd": stray,  # another note's: not now
        }
    )
    snap = read_for_edit(root, "Ann.md")
    assert snap.data == new
    assert listing(root) == [
        f".Bob.md{tag}{short(old)}-{short(new)}-dddddd",
        "Ann.conflict.md",
        "Ann.md",
    ]
    assert (root / "Ann.conflict.md").read_bytes() == stray
