"""One cache, one key: a new build of vaultcrm never serves what the old one computed;
the core forks or starts processes only when asked; the hot constructor's field order."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import vaultcrm
import vaultcrm.cache.store as store
import vaultcrm.read.records as records
import vaultcrm.read.walk as walking
from tests.conftest import EXAMPLE_TODAY, REPO
from tests.sessions import compute, sync
from vaultcrm.app.sync import render_outcome
from vaultcrm.cache.codec import code_fingerprint

OLD = "Birthday on {day} ({when})."
NEW = "Birthday coming on {day} ({when})."


def _run(src: Path, vault: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run(
        [sys.executable, "-m", "vaultcrm", *args, "--vault", str(vault), "--today", EXAMPLE_TODAY],
        env=env, capture_output=True, text=True, check=True, cwd=src,
    )  # fmt: skip


def _reasons(proc: subprocess.CompletedProcess[str]) -> list[str]:
    return [r["reason"] for r in json.loads(proc.stdout)["reflections"] if r["kind"] == "birthday"]


@pytest.mark.slow  # a copy of the package and four fresh interpreters
def test_a_new_build_with_another_reason_text_is_seen_without_no_cache(
    tmp_path: Path, example_vault: Path
) -> None:
    """An editable install whose words changed: the next `due` shows the new text, from
    the same cache folder, with no `--no-cache` and no version bump."""
    src = tmp_path / "src"
    shutil.copytree(Path(vaultcrm.__file__).parent, src / "vaultcrm",
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    shutil.copytree(REPO / "templates", src / "templates")
    _run(src, example_vault, "sync")
    before = _reasons(_run(src, example_vault, "due", "--json"))
    assert "Birthday on Sat 5 Dec (in 12 days)." in before

    words = src / "vaultcrm" / "words.py"
    text = words.read_text(encoding="utf-8")
    assert f'"birthday": "{OLD}"' in text
    words.write_text(text.replace(OLD, NEW), encoding="utf-8")

    after = _reasons(_run(src, example_vault, "due", "--json"))
    assert after == [r.replace("Birthday on ", "Birthday coming on ") for r in before]
    assert "Birthday coming on Sat 5 Dec (in 12 days)." in after
    _run(src, example_vault, "sync")
    note = (example_vault / "Reflections due.md").read_text(encoding="utf-8")
    assert "Birthday coming on " in note


def test_the_code_fingerprint_is_made_once_per_process() -> None:
    assert code_fingerprint() is code_fingerprint()
    assert len(code_fingerprint()) == 64


def test_nothing_forks_unless_the_caller_asks(
    example_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A library embedding vaultcrm gets one process: even a store or a read big enough
    to fork or spread out stays in this one without `processes=True`."""
    monkeypatch.setattr(store, "DETACH_THRESHOLD", 1)
    monkeypatch.setattr(records, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(walking, "PARALLEL_STAT", 1)
    monkeypatch.setattr(walking, "SHARE_WEIGHT", 0)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a process was started without being asked for")

    monkeypatch.setattr(os, "fork", refuse)
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", refuse)
    today = dt.date.fromisoformat(EXAMPLE_TODAY)
    assert sync(example_vault, today).written
    assert compute(example_vault, today, cache=False).reflections


def test_asked_for_processes_a_cold_read_gives_what_one_process_gives(
    example_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    today = dt.date.fromisoformat(EXAMPLE_TODAY)
    alone = render_outcome(compute(example_vault, today, cache=False))
    monkeypatch.setattr(records, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(store, "DETACH_THRESHOLD", 1)
    monkeypatch.setattr(walking, "PARALLEL_STAT", 1)
    spread = compute(example_vault, today, processes=True)
    assert spread.stats.parsed == spread.stats.files
    assert render_outcome(spread) == alone
    again = compute(example_vault, today, processes=True)
    assert (again.stats.parsed, again.stats.reused) == (0, again.stats.files)


def test_the_index_is_opened_once_per_run(
    example_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It was opened four times per sync (no-change check, compute, render check, memo)."""
    opened: list[Path] = []

    class Counting(store.Index):
        def __init__(self, path: Path, settings: str, **kwargs: bool) -> None:
            opened.append(path)
            super().__init__(path, settings, **kwargs)

    monkeypatch.setattr(records, "Index", Counting)
    today = dt.date.fromisoformat(EXAMPLE_TODAY)
    from tests.sessions import due

    for run in (sync, sync, due, compute):  # cold, then no change, then reporting
        opened.clear()
        run(example_vault, today)
        assert len(opened) == 1, run
    (example_vault / "Journal/2026-11-23.md").write_text("Called [[Sam Reyes]]\n")
    opened.clear()
    sync(example_vault, today)
    assert len(opened) == 1
