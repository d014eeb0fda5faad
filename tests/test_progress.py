"""Progress for a cold index of a large vault: the core reports, only the CLI draws."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.sessions import compute
from vaultcrm.read.records import PROGRESS_THRESHOLD, progress_to

from .conftest import MakeVault


def big_vault(make_vault: MakeVault) -> Path:
    files = {f"People/P{n:04}.md": f"- 2026-11-01 Coffee {n}\n" for n in range(PROGRESS_THRESHOLD)}
    files["Journal/2026-11-02.md"] = "Lunch with [[P0001]]\n"
    return make_vault(files)


def test_the_core_reports_progress_on_a_cold_index_only(make_vault: MakeVault) -> None:
    root = big_vault(make_vault)
    seen: list[tuple[int, int]] = []
    with progress_to(lambda done, total: seen.append((done, total))):
        compute(root, dt.date(2026, 11, 23))
    total = PROGRESS_THRESHOLD + 1
    assert seen and seen[-1] == (total, total)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    seen.clear()
    with progress_to(lambda done, total: seen.append((done, total))):
        compute(root, dt.date(2026, 11, 23))  # warm: nothing to read, nothing to report
    assert seen == []


@pytest.mark.slow  # a real pseudo-terminal and a subprocess
@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_a_terminal_sees_a_bar_and_a_pipe_does_not(make_vault: MakeVault, tmp_path: Path) -> None:
    root = big_vault(make_vault)
    args = [sys.executable, "-m", "vaultcrm", "sync", "--vault", str(root), "--today", "2026-11-23"]
    env = {**os.environ, "VAULTCRM_CACHE_DIR": str(tmp_path / "tty-cache"), "COLUMNS": "100"}
    leader, follower = os.openpty()
    drawn = b""
    try:
        proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=follower)
        os.close(follower)
        while True:  # read as it draws, so a full terminal buffer never blocks the bar
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal's other end is closed: all read
                break
            if not chunk:
                break
            drawn += chunk
        proc.wait(timeout=120)
    finally:
        os.close(leader)
    assert proc.returncode == 0
    assert b"Reading notes" in drawn
    piped = subprocess.run([*args, "--no-cache"], env=env, capture_output=True, check=False,
                           timeout=120)  # fmt: skip
    assert piped.returncode == 0 and piped.stderr == b""
