"""Non-regular files (FIFOs above all) in a vault: skipped with a problem, never opened
for reading. A FIFO with no writer blocks `open()` for ever, so every test here runs the
command in a thread and fails (rather than hangs) if it does not finish."""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from vaultcrm.cli import cli
from vaultcrm.edit.engine import EditRefused, edit
from vaultcrm.regular import NotRegularFile, read_regular

from .test_watch import eventually, people, watching

ANN = "---\ncircle: friends\n---\nNo contact logged yet.\n"
TODAY = "2026-11-23"
#: Generous: these run in well under a second; the bound only turns a hang into a failure.
LIMIT = 30.0


@pytest.fixture(autouse=True)
def _clean_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    """Errors as a user sees them (conftest turns on tracebacks for debugging)."""
    monkeypatch.delenv("VAULTCRM_DEBUG", raising=False)


def finishing(call: Callable[[], Any]) -> Any:
    """`call()`'s result, or a test failure if it is still blocked after LIMIT seconds."""
    out: list[Any] = []
    thread = threading.Thread(target=lambda: out.append(call()), daemon=True)
    thread.start()
    thread.join(LIMIT)
    if thread.is_alive():
        pytest.fail("the command hung on a FIFO")
    return out[0]


def run(root: Path, *args: str) -> Result:
    runner = CliRunner()
    return finishing(
        lambda: runner.invoke(cli, [*args, "--vault", str(root)], catch_exceptions=False)
    )


def fifo_vault(make_vault: Any, fifo: str) -> Path:
    root: Path = make_vault({"People/Ann.md": ANN, "Journal/2026-11-20.md": "- a quiet day\n"})
    (root / fifo).parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(root / fifo)
    return root


@pytest.mark.parametrize(
    ("fifo", "message"),
    [
        ("People/Bob.md", "People/Bob.md: not a regular file"),
        ("Journal/2026-11-21.md", "Journal/2026-11-21.md: not a regular file"),
        ("vaultcrm.yaml", "vaultcrm.yaml: not a regular file; using the defaults"),
        (".obsidian/daily-notes.json", ".obsidian/daily-notes.json: not a regular file"),
    ],
)
@pytest.mark.parametrize("command", ["sync", "due", "check"])
def test_a_fifo_is_skipped_with_a_problem(
    make_vault: Any, fifo: str, message: str, command: str
) -> None:
    root = fifo_vault(make_vault, fifo)
    args = [command] if command == "check" else [command, "--today", TODAY]
    result = run(root, *args)
    out = result.output if command == "check" else result.stderr
    assert message in out.splitlines()
    assert result.exit_code == 1  # an error, as check and sync count them
    if command == "due":
        assert "Ann" in result.stdout  # the rest of the vault still works
    # a second run (through the index) says the same
    again = run(root, *args)
    assert message in (again.output if command == "check" else again.stderr).splitlines()


def test_a_fifo_person_with_no_cache(make_vault: Any) -> None:
    root = fifo_vault(make_vault, "People/Bob.md")
    result = run(root, "sync", "--today", TODAY, "--no-cache")
    assert "People/Bob.md: not a regular file" in result.stderr.splitlines()
    assert (root / "Reflections due.md").is_file()


def test_log_and_set_on_a_fifo_person_refuse_cleanly(make_vault: Any) -> None:
    root = fifo_vault(make_vault, "People/Bob.md")
    for args in (["log", "Bob", "Coffee", "--date", TODAY], ["set", "Bob", "circle", "close"]):
        result = run(root, *args)
        assert result.exit_code == 1
        assert "cannot write People/Bob.md: it is not a regular file" in result.output
    assert stat.S_ISFIFO(os.lstat(root / "People/Bob.md").st_mode)  # left as it was


def test_the_edit_engine_refuses_a_fifo_without_opening_it(make_vault: Any) -> None:
    root = fifo_vault(make_vault, "People/Bob.md")
    refused = finishing(lambda: _raising(lambda: edit(root, "People/Bob.md", lambda b: b + b"x")))
    assert isinstance(refused, EditRefused)
    assert "not a regular file" in str(refused)


def test_a_template_that_is_a_fifo_is_an_error_not_a_hang(make_vault: Any) -> None:
    root = make_vault({"People/Ann.md": ANN})
    (root / ".vaultcrm/templates").mkdir(parents=True)
    os.mkfifo(root / ".vaultcrm/templates/reflections.md.j2")
    result = run(root, "sync", "--today", TODAY)
    assert result.exit_code == 1
    assert "reflections.md.j2: not a regular file" in result.stderr


def test_the_generated_note_as_a_fifo_does_not_hang(make_vault: Any) -> None:
    root = make_vault({"People/Ann.md": ANN})
    os.mkfifo(root / "Reflections due.md")
    result = run(root, "sync", "--today", TODAY)
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 1)


def test_read_regular_refuses_without_opening(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "f")
    refused = finishing(lambda: _raising(lambda: read_regular(tmp_path / "f")))
    assert isinstance(refused, NotRegularFile)
    (tmp_path / "r").write_bytes(b"x" * 70000)
    assert read_regular(tmp_path / "r", 10) == b"x" * 70000


def _raising(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except Exception as exc:  # noqa: BLE001 - handed back to the test's thread
        return exc


@pytest.mark.slow
def test_watch_goes_on_when_a_fifo_appears(make_vault: Any) -> None:
    root = people(make_vault)
    with watching(root) as s:
        os.mkfifo(root / "People/Zed.md")
        assert eventually(
            lambda: "People/Zed.md: not a regular file" in s.texts("problem"), 10.0
        ), s.reports
        (root / "People/Alice Smith.md").write_text(
            "---\ncircle: friends\n---\nNo contact yet.\n", encoding="utf-8"
        )
        assert eventually(lambda: "[[Alice Smith]]" in s.note(), 10.0)


@pytest.mark.parametrize("share", ["stats", "folders"])
def test_a_walk_shared_with_a_child_finds_what_one_process_finds(
    make_vault: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, share: str
) -> None:
    """With `processes`, a big walk is shared with a forked child (its top-level folders
    when they balance, else the notes' stat calls): the same notes, signatures and
    problems (a FIFO, a symlink out, a conflict copy) come back, in the same order."""
    import vaultcrm.read.walk as walking
    from vaultcrm.config import load_config

    root = fifo_vault(make_vault, "People/Pipe.md")
    for i in range(40):
        (root / f"Journal/2026-10-{i % 28 + 1:02d} {i}.md").write_text(f"- [[Ann]] {i}\n")
    (root / "Notes").mkdir()
    (root / "Notes/2026-10-02 Lunch.md").write_text("---\npeople: ['[[Ann]]']\n---\n")
    (root / "Top.md").write_text("a note at the top\n")
    outside = tmp_path / "outside.md"
    outside.write_text("---\ncircle: friends\n---\n")
    (root / "People/Out.md").symlink_to(outside)
    (root / "People/Ann.conflict.md").write_text(ANN)
    config, _ = load_config(root)
    alone = walking.walk(root, config)  # a walk never opens a note: no FIFO can block it
    if share == "stats":
        monkeypatch.setattr(walking, "PARALLEL_STAT", 1)
        monkeypatch.setattr(walking, "SHARE_WEIGHT", 10**12)
    else:
        monkeypatch.setattr(walking, "SHARE_WEIGHT", 0)
        monkeypatch.setattr(walking, "SHARE_HEAVIEST", 1.0)
    forks: list[int] = []
    real_fork = os.fork

    def counted_fork() -> int:
        forks.append(1)
        return real_fork()

    monkeypatch.setattr(os, "fork", counted_fork)
    here = os.getpid()
    stat_calls: list[int] = []
    real_stat_some = walking._stat_some

    def stat_some(found: Any, start: int, stop: int) -> Any:
        if os.getpid() == here:
            stat_calls.append(stop - start)
        return real_stat_some(found, start, stop)

    monkeypatch.setattr(walking, "_stat_some", stat_some)
    shared = walking.walk(root, config, processes=True)
    assert forks == [1]
    assert shared == alone
    # the child did its part: this process stat'ed only its own notes, not the child's too
    assert sum(stat_calls) < shared.count  # all of them (and the FIFO) if it had failed
    assert {p.path for p in shared.problems} == {
        "People/Pipe.md", "People/Out.md", "People/Ann.conflict.md"
    }
    assert "People/Ann.md" in shared.rels and shared.count == 44
