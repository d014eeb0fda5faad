"""The generated note is replaced by compare-and-swap: a box ticked since its ticks were
read is never overwritten (issue 9, item 2).

A real editor save is made at the one instant a test cannot otherwise reach, just before
the engine's swap (after its last check), by wrapping the engine's `_swap`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

import vaultcrm.app.sync as pipeline
import vaultcrm.edit.engine as engine
from tests.conftest import MakeVault
from tests.editors import save_by_rename
from vaultcrm.cli import cli
from vaultcrm.edit.engine import NoteChanged, read_generated, write_generated

OUT = "Reflections due.md"
MARKER = b"generated-by: vaultcrm"
TODAY = "2026-11-23"
LOGGED = f"- {TODAY} Reached out (from Reflections due)"


def save_before_swap(
    monkeypatch: pytest.MonkeyPatch, path: Path, change: Callable[[bytes], bytes], times: int
) -> list[bytes]:
    """The editor saves `path` (by rename) just before each of the next `times` swaps of
    that note; the saves made, in order."""
    real_swap = engine._swap
    saves: list[bytes] = []

    def swap(dirfd: int, temp: str, name: str) -> bool:
        if name == path.name and len(saves) < times:
            data = change(path.read_bytes())
            save_by_rename(path, data)
            saves.append(data)
        return real_swap(dirfd, temp, name)

    monkeypatch.setattr(engine, "_swap", swap)
    return saves


def leftovers(folder: Path) -> list[str]:
    return [n for n in os.listdir(folder) if engine.TEMP_TAG in n or ".conflict" in n]


def test_a_save_since_the_read_is_put_back_and_the_write_refused(
    make_vault: MakeVault, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = b"---\ngenerated-by: vaultcrm\n---\n- [ ] Reach out ^vcrm-reach-out-0123abcd\n"
    root = make_vault({OUT: old})
    snap = read_generated(root, OUT, marker=MARKER)
    assert snap is not None and snap.data == old
    ticked = old.replace(b"- [ ]", b"- [x]")
    save_before_swap(monkeypatch, root / OUT, lambda _data: ticked, times=1)
    with pytest.raises(NoteChanged):
        write_generated(root, OUT, old + b"- [ ] more\n", marker=MARKER, since=snap)
    assert (root / OUT).read_bytes() == ticked  # the tick stays; no conflict copy, no temp
    assert leftovers(root) == []


def test_a_note_created_since_it_was_found_absent_is_left_alone(make_vault: MakeVault) -> None:
    root = make_vault({})
    assert read_generated(root, OUT, marker=MARKER) is None
    (root / OUT).write_bytes(b"written meanwhile\n")
    with pytest.raises(NoteChanged):
        write_generated(root, OUT, b"---\ngenerated-by: vaultcrm\n---\n", marker=MARKER, since=None)
    assert (root / OUT).read_bytes() == b"written meanwhile\n"


def _due_vault(make_vault: MakeVault, count: int) -> Path:
    seen = "---\ncircle: friends\n---\n- 2025-01-01 Coffee\n"
    return make_vault({f"People/P{n}.md": seen for n in range(count)})


def _tick_next(data: bytes) -> bytes:
    """The editor ticks the last open 'reach out' box."""
    lines = data.split(b"\n")
    for i, line in reversed(list(enumerate(lines))):
        if line.startswith((b"- [ ] Reach out", b"- [ ] **Reach out**")):  # section, focus
            lines[i] = b"- [x] " + line[6:]
            break
    return b"\n".join(lines)


def _sync(root: Path) -> object:
    return CliRunner().invoke(
        cli, ["sync", "--vault", str(root), "--today", TODAY],
        env={"VAULTCRM_DEBUG": "0"}, catch_exceptions=False,
    )  # fmt: skip


def test_sync_reads_a_tick_saved_during_its_write_and_records_it(
    make_vault: MakeVault, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _due_vault(make_vault, 3)
    assert _sync(root).exit_code == 0  # type: ignore[attr-defined]
    (root / "People/P0.md").write_text("---\ncircle: friends\n---\n- 2026-11-01 Call\n")
    saves = save_before_swap(monkeypatch, root / OUT, _tick_next, times=1)
    result = _sync(root)
    assert result.exit_code == 0, result.stderr  # type: ignore[attr-defined]
    assert len(saves) == 1
    ticked = [n for n in range(3) if LOGGED in (root / f"People/P{n}.md").read_text()]
    assert len(ticked) == 1  # the tick saved during the write was read again and recorded
    assert f"[[P{ticked[0]}]]" not in (root / OUT).read_text()
    assert "[x]" not in (root / OUT).read_text()
    assert leftovers(root) == []


def test_a_note_that_keeps_changing_is_left_as_it_is_with_exit_1(
    make_vault: MakeVault, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _due_vault(make_vault, pipeline.SYNC_ATTEMPTS + 5)
    real_swap = engine._swap
    assert _sync(root).exit_code == 0  # type: ignore[attr-defined]
    (root / "People/P0.md").write_text("---\ncircle: friends\n---\n- 2026-11-01 Call\n")
    saves = save_before_swap(monkeypatch, root / OUT, _tick_next, times=10**6)
    result = _sync(root)
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert result.stderr.startswith(  # type: ignore[attr-defined]
        f"Error: {OUT} kept changing while vaultcrm rewrote it "
        f"({pipeline.SYNC_ATTEMPTS} tries); it was left as it is, with every tick in it"
    )
    assert "Traceback" not in result.stderr  # type: ignore[attr-defined]
    assert (root / OUT).read_bytes() == saves[-1]  # the editor's last save, untouched
    # each try recorded the ticks it read; the last save's tick waits in the note
    people = [root / f"People/P{n}.md" for n in range(pipeline.SYNC_ATTEMPTS + 5)]
    note = (root / OUT).read_text()
    assert len(saves) == note.count("- [x]") == pipeline.SYNC_ATTEMPTS
    assert sum(LOGGED in p.read_text() for p in people) == pipeline.SYNC_ATTEMPTS - 1
    assert leftovers(root) == []

    monkeypatch.setattr(engine, "_swap", real_swap)  # the editor is done: sync records the rest
    assert _sync(root).exit_code == 0  # type: ignore[attr-defined]
    assert [p.read_text().count(LOGGED) for p in people].count(1) == pipeline.SYNC_ATTEMPTS
    assert "[x]" not in (root / OUT).read_text()
