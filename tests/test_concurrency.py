"""Two or more runs at once on one cache: waited for or bypassed, never deleted, never a
traceback; only a truly corrupt cache file is rebuilt."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from vaultcrm.cache.store import Index, cache_path
from vaultcrm.cli import cli

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402

TODAY = "2026-11-23"


def _dated(args: tuple[str, ...]) -> list[str]:
    """`--today` for the commands whose output depends on the date (`check`'s does not)."""
    return [] if args[0] == "check" else ["--today", TODAY]


def _run(root: Path, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "vaultcrm", *args, "--vault", str(root), *_dated(args)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _env(cache: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "VAULTCRM_CACHE_DIR": str(cache), **extra}
    env.pop("VAULTCRM_DEBUG", None)  # what a user sees: errors as messages
    return env


@pytest.mark.slow
def test_three_syncs_on_a_cold_cache_all_succeed_alike(tmp_path: Path) -> None:
    root = tmp_path / "vault"
    generate.generate(root, 600, 1600, 7)  # 2,200 notes: the cold store is forked
    for round_ in range(4):
        cache = tmp_path / f"cache{round_}"
        env = _env(cache)
        procs = [_run(root, env, "sync") for _ in range(3)]
        done = [p.communicate(timeout=300) for p in procs]
        for proc, (_out, err) in zip(procs, done, strict=True):
            assert proc.returncode == 0, err
            assert "Traceback" not in err and "Error" not in err, err
        notes = {(root / "Reflections due.md").read_bytes()}
        reports = [_run(root, env, "due", "--json") for _ in range(3)]
        answers = {p.communicate(timeout=300)[0] for p in reports}
        assert all(p.returncode == 0 for p in reports)
        assert len(answers) == 1 and len(notes) == 1
        # the cache is whole afterwards: a single run answers the same
        alone = _run(root, env, "due", "--json").communicate(timeout=300)[0]
        assert {alone} == answers
    # different commands at once on a cold cache
    env = _env(tmp_path / "mixed")
    commands = [["sync"], ["due", "--json"], ["check"], ["due", "--json"], ["sync"]]
    procs = [_run(root, env, *command) for command in commands]
    done = [p.communicate(timeout=300) for p in procs]
    for proc, (_out, err) in zip(procs, done, strict=True):
        assert proc.returncode == 0, err
        assert "Traceback" not in err, err
    assert {done[1][0], done[3][0]} == answers


def _cli(root: Path, *args: str) -> Result:
    return CliRunner().invoke(
        cli, [*args, "--vault", str(root), *_dated(args)], catch_exceptions=False
    )


def test_a_corrupt_cache_file_is_rebuilt(example_vault: Path) -> None:
    expected = _cli(example_vault, "due", "--json", "--no-cache").output
    cache = cache_path(example_vault)
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(os.urandom(8192))
    result = _cli(example_vault, "sync")
    assert result.exit_code == 0
    assert _cli(example_vault, "due", "--json").stdout == expected
    with sqlite3.connect(cache) as conn:  # a real database again, holding the notes
        assert conn.execute("SELECT count(*) FROM files").fetchone()[0] > 0
    assert _cli(example_vault, "due", "--json").stderr == ""
    assert _cli(example_vault, "sync").exit_code == 0


@pytest.mark.slow  # waits out a busy timeout
def test_a_locked_cache_is_waited_for_then_bypassed_never_deleted(
    example_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VAULTCRM_BUSY_TIMEOUT", "0.2")
    assert _cli(example_vault, "sync").exit_code == 0
    note = next((example_vault / "People").glob("*.md"))
    note.write_bytes(note.read_bytes() + b"\n- 2026-11-20 met for coffee\n")
    expected = _cli(example_vault, "due", "--json", "--no-cache").output
    cache = cache_path(example_vault)
    inode = cache.stat().st_ino
    holder = sqlite3.connect(cache, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another run in the middle of writing
    try:
        for command in (["due", "--json"], ["sync"], ["check"]):
            result = _cli(example_vault, *command)
            assert result.exit_code in (0, 1), result.output  # check: 1 on vault problems
            assert "Traceback" not in result.output
            assert cache.stat().st_ino == inode  # the same file, still there
        assert _cli(example_vault, "due", "--json").stdout == expected
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    # once free, the cache catches up and answers alike
    assert _cli(example_vault, "sync").exit_code == 0
    assert _cli(example_vault, "due", "--json").stdout == expected
    assert cache.stat().st_ino == inode


def test_a_corrupt_cache_another_run_has_open_is_left_alone(example_vault: Path) -> None:
    expected = _cli(example_vault, "due", "--json", "--no-cache").output
    cache = cache_path(example_vault)
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(b"garbage" * 1000)
    other = Index(cache, "another run")  # holds the cache open (and rebuilds it itself)
    try:
        other_inode = cache.stat().st_ino
        cache.write_bytes(b"garbage again" * 1000)  # damaged again while it is open
        assert _cli(example_vault, "sync").exit_code == 0
        assert _cli(example_vault, "due", "--json").stdout == expected
        # not pulled from under the other run: the same file, as it was
        assert cache.stat().st_ino == other_inode
        assert cache.read_bytes() == b"garbage again" * 1000
    finally:
        other.close()


@pytest.mark.slow
def test_a_background_store_kept_out_by_a_busy_cache_still_succeeds(tmp_path: Path) -> None:
    root = tmp_path / "vault"
    generate.generate(root, 600, 1600, 7)
    env = _env(tmp_path / "cache", VAULTCRM_BUSY_TIMEOUT="0.3")
    assert _run(root, env, "sync").wait(timeout=300) == 0
    expected = _run(root, env, "due", "--json", "--no-cache").communicate(timeout=300)[0]
    for note in root.rglob("*.md"):  # every record is stale: the store is forked again
        os.utime(note, ns=(note.stat().st_atime_ns, note.stat().st_mtime_ns + 10**9))
    cache = next((tmp_path / "cache").glob("*.sqlite3"))
    holder = sqlite3.connect(cache, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # the child cannot write; the parent goes on
    try:
        sync = _run(root, env, "sync")
        _out, err = sync.communicate(timeout=300)
        assert sync.returncode == 0, err
        assert "Traceback" not in err
        report = _run(root, env, "due", "--json")
        assert report.communicate(timeout=300)[0] == expected
        assert report.returncode == 0
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert _run(root, env, "due", "--json").communicate(timeout=300)[0] == expected
