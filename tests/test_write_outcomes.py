"""What `log`, `set` and `remind` say is what happened on disk (issue 9, item 5).

An editor that re-reads the note right after vaultcrm wrote it and saves it back keeps
the new line: that is a success, not "run again" (which made users log it twice). And an
editor save kept aside as a conflict copy is said at once, on stderr.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

import vaultcrm.edit.engine as engine
from tests.conftest import MakeVault
from tests.editors import save_by_rename, save_in_place
from vaultcrm.cli import cli

ANN = "People/Ann.md"
BASE = "---\ncircle: close\n---\n# Ann\n\n- 2026-11-02 Coffee\n"
_CALL = re.compile(rb"^- 2026-11-23 Call (\d+)$", re.M)


class ReloadingEditor(threading.Thread):
    """Sees each new `Call N` line as soon as it is on disk and saves the note back: in
    place unchanged, or by rename with a line of its own typed at the end."""

    def __init__(self, path: Path, *, in_place: bool) -> None:
        super().__init__(daemon=True)
        self.path, self.in_place = path, in_place
        self.stop = threading.Event()
        self.seen: set[bytes] = set()
        self.saves = 0
        self.saved = threading.Condition()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                data = self.path.read_bytes()
            except FileNotFoundError:
                continue
            new = set(_CALL.findall(data)) - self.seen
            if not new:
                continue
            self.seen |= new
            if self.in_place:
                save_in_place(self.path, data)
            else:
                save_by_rename(self.path, data + b"typed in the editor\n")
            with self.saved:
                self.saves += 1
                self.saved.notify_all()

    def wait_for_save(self, count: int) -> None:
        """Until the editor has saved the note back `count` times (the next `log` then
        races only with the save-back of its own line)."""
        with self.saved:
            assert self.saved.wait_for(lambda: self.saves >= count, timeout=30), count


@pytest.mark.slow
@pytest.mark.parametrize("in_place", [False, True], ids=["rename-save", "in-place-save"])
def test_log_succeeds_when_an_editor_saves_the_new_line_back(
    make_vault: MakeVault, in_place: bool
) -> None:
    root = make_vault({ANN: BASE})
    editor = ReloadingEditor(root / ANN, in_place=in_place)
    editor.start()
    try:
        for n in range(150):
            result = CliRunner().invoke(
                cli,
                ["log", "Ann", f"Call {n}", "--date", "2026-11-23", "--vault", str(root)],
                env={"VAULTCRM_DEBUG": "0"},
                catch_exceptions=False,
            )
            assert result.exit_code == 0, (n, result.stdout, result.stderr)
            assert result.stdout == f"Logged in {ANN}: - 2026-11-23 Call {n}\n"
            editor.wait_for_save(n + 1)
            lines = (root / ANN).read_bytes().split(b"\n")
            assert lines.count(f"- 2026-11-23 Call {n}".encode()) == 1, n
    finally:
        editor.stop.set()
        editor.join()
    assert sorted(int(n) for n in _CALL.findall((root / ANN).read_bytes())) == list(range(150))


def editor_saves_before_swap(
    monkeypatch: pytest.MonkeyPatch, path: Path, change: Callable[[bytes], bytes]
) -> None:
    """The user's editor saves (a real save, by rename) in the instant between the engine's
    last check and its swap, once: the window in which a save can only be kept aside."""
    real_swap = engine._swap
    done: list[bool] = []

    def swap(dirfd: int, temp: str, name: str) -> bool:
        if not done:
            done.append(True)
            save_by_rename(path, change(path.read_bytes()))
        return real_swap(dirfd, temp, name)

    monkeypatch.setattr(engine, "_swap", swap)


CONFLICT_SAID = (
    f"{ANN}: your editor saved this note while vaultcrm wrote it; "
    "your version is kept as People/Ann.conflict.md\n"
)


@pytest.mark.parametrize(
    ("args", "stdout"),
    [
        (["log", "Ann", "Walk", "--date", "2026-11-23"], f"Logged in {ANN}: - 2026-11-23 Walk\n"),
        (["remind", "Ann", "2026-12-01", "Call", "--today", "2026-11-23"],
         f"Added to {ANN}: - [ ] 2026-12-01 Call\n"),
        (["set", "Ann", "circle", "friends"], f"Set circle: friends in {ANN}\n"),
    ],
    ids=["log", "remind", "set"],
)  # fmt: skip
def test_a_kept_conflict_copy_is_said_on_stderr_at_once(
    make_vault: MakeVault, monkeypatch: pytest.MonkeyPatch, args: list[str], stdout: str
) -> None:
    root = make_vault({ANN: BASE})
    typed = BASE.encode() + b"typed in the editor\n"
    editor_saves_before_swap(monkeypatch, root / ANN, lambda _data: typed)
    result = CliRunner().invoke(
        cli, [*args, "--vault", str(root)], env={"VAULTCRM_DEBUG": "0"}, catch_exceptions=False
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == stdout
    assert result.stderr == CONFLICT_SAID
    assert (root / "People/Ann.conflict.md").read_bytes() == typed


def test_a_recorded_tick_that_keeps_a_conflict_copy_says_so(
    make_vault: MakeVault, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_vault({ANN: "---\ncircle: close\n---\n- 2025-01-01 Coffee\n"})
    args = ["sync", "--vault", str(root), "--today", "2026-11-23"]
    assert CliRunner().invoke(cli, args, catch_exceptions=False).exit_code == 0
    note = root / "Reflections due.md"
    text = note.read_text(encoding="utf-8")
    assert "### [[Ann]]\n\n- [ ] **Reach out** — " in text  # Ann leads the focus list
    note.write_text(text.replace("- [ ] **Reach out** — ", "- [x] **Reach out** — "))
    typed = (root / ANN).read_bytes() + b"typed in the editor\n"
    editor_saves_before_swap(monkeypatch, root / ANN, lambda _data: typed)
    result = CliRunner().invoke(cli, args, env={"VAULTCRM_DEBUG": "0"}, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert "Recorded: People/Ann.md: - 2026-11-23 Reached out" in result.stdout
    assert CONFLICT_SAID in result.stderr
    assert (root / "People/Ann.conflict.md").read_bytes() == typed
