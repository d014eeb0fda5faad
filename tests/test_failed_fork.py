"""A fork that fails (the process limit: EAGAIN) means doing the same work in this
process (issue 18, item 3): the walk's stat calls, the cold parse and the detached
store all fall back, and the run gives what a run with children gives.

Two ways to make fork fail: `os.fork` replaced, in a real vaultcrm process, by one that
raises what the kernel raises at the limit (BlockingIOError); and the real limit
(RLIMIT_NPROC, `ulimit -u 1`), which binds only a user without privileges, so as root
the run drops to `nobody` first.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from vaultcrm.cache.store import DETACH_THRESHOLD
from vaultcrm.read.records import PARALLEL_THRESHOLD
from vaultcrm.read.walk import PARALLEL_STAT

TODAY = "2026-11-23"
OUT = "Reflections due.md"
NOTES = max(PARALLEL_STAT, DETACH_THRESHOLD, PARALLEL_THRESHOLD) + 100

pytestmark = pytest.mark.slow

#: Runs vaultcrm's entry point with every `os.fork` failing as at the process limit, and
#: notes which function asked for each.
REFUSING_FORK = """
import os, sys
def refuse():
    with open(os.environ["FORK_LOG"], "a") as log:
        log.write(sys._getframe(2).f_code.co_name + "\\n")
    raise BlockingIOError(11, "Resource temporarily unavailable")
os.fork = refuse
from vaultcrm.cli import main
sys.argv[0] = "vaultcrm"
main()
"""


def big_vault(root: Path) -> Path:
    """Enough notes for every fork: the walk's stats, the parse and the store."""
    (root / "People").mkdir(parents=True)
    (root / "Journal").mkdir()
    for i in range(40):
        circle = ("close", "friends", "family")[i % 3]
        (root / f"People/Person {i}.md").write_text(
            f"---\ncircle: {circle}\n---\n- 2026-0{i % 9 + 1}-1{i % 9} Coffee #heard\n"
        )
    for i in range(NOTES):
        day = f"20{10 + i // 336:02d}-{i // 28 % 12 + 1:02d}-{i % 28 + 1:02d}"
        (root / f"Journal/{day}.md").write_text(f"- Saw [[Person {i % 40}]]. #shared\n")
    return root


def _env(cache: Path, **more: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "VAULTCRM_DEBUG"}
    return {**env, "VAULTCRM_CACHE_DIR": str(cache), **more}


def _sync(root: Path, env: dict[str, str], *, prefix: list[str] | None = None,
          preexec: Callable[[], None] | None = None) -> subprocess.CompletedProcess[str]:
    args = [*(prefix or [sys.executable, "-m", "vaultcrm"]), "sync", "--json",
            "--vault", str(root), "--today", TODAY]
    return subprocess.run(args, capture_output=True, text=True, check=False, env=env,
                          timeout=300, preexec_fn=preexec)  # fmt: skip


def _cached_rows(cache: Path) -> int:
    (found,) = cache.glob("*.sqlite3")
    with sqlite3.connect(found) as db:
        return int(db.execute("SELECT count(*) FROM files").fetchone()[0])


def test_every_fork_failing_means_the_work_is_done_here(tmp_path: Path) -> None:
    root = big_vault(tmp_path / "vault")
    expected = _sync(root, _env(tmp_path / "cache-ok"))
    assert expected.returncode == 0, expected.stderr
    normal = (root / OUT).read_bytes()
    (root / OUT).unlink()

    log = tmp_path / "forks.log"
    cache = tmp_path / "cache"
    refused = _sync(root, _env(cache, FORK_LOG=str(log)),
                    prefix=[sys.executable, "-c", REFUSING_FORK])  # fmt: skip
    assert refused.returncode == 0, refused.stderr
    assert refused.stderr == ""  # nothing to say: the work was done, only slower
    assert json.loads(refused.stdout)["written"] is True
    assert (root / OUT).read_bytes() == normal
    # each fork was asked for, and refused: the walk's, the parse's and the store's
    assert set(log.read_text().split()) == {"_in_child", "_start_child", "_store_detached"}
    # the store this process wrote instead is whole: the next run reads no note again
    assert _cached_rows(cache) == NOTES + 40


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A folder another user may write (the process-limit test runs as `nobody`)."""
    path = Path(tempfile.mkdtemp(prefix="vaultcrm-nproc-"))
    path.chmod(0o777)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _at_the_process_limit(tasks: int = 1) -> None:
    """In the child before exec: become a user without privileges (when root), then allow
    that user `tasks` processes and threads (this process and its threads): every fork it
    tries then fails with EAGAIN."""
    if os.geteuid() == 0:
        os.setgroups([])
        os.setgid(65534)
        os.setuid(65534)
    resource.setrlimit(resource.RLIMIT_NPROC, (tasks, tasks))


#: vaultcrm's entry point, from any interpreter of this Python version that can import
#: this environment's packages (the venv's own binary may sit where `nobody` cannot go).
BOOT = (
    "import site, sys; site.addsitedir({site!r}); from vaultcrm.cli import main; "
    "sys.argv[0] = 'vaultcrm'; {before}main()"
)
#: A thread running, as in `watch`: forking is unsafe, so the parse starts a pool instead
#: (its helpers cannot start at the limit either).
A_THREAD = (
    "import threading, time; "
    "threading.Thread(target=time.sleep, args=(600,), daemon=True).start(); "
)
PROBE = (
    "import site, os; site.addsitedir({site!r}); import vaultcrm.cli\n"
    "try:\n    os.fork()\nexcept BlockingIOError:\n    print('limited')"
)


def _limited_python(before: str = "") -> list[str] | None:
    """A command running vaultcrm at the process limit, or None where there is none."""
    import sysconfig

    site = sysconfig.get_paths()["purelib"]
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    system = "/usr/local/bin:/usr/bin:/bin"
    candidates = [sys.executable, shutil.which(version), shutil.which(version, path=system)]
    for python in dict.fromkeys(candidates):
        if python is None:
            continue
        try:
            probe = subprocess.run([python, "-c", PROBE.format(site=site)], check=False,
                                   capture_output=True, text=True, timeout=60,
                                   preexec_fn=_at_the_process_limit)  # fmt: skip
        except OSError:  # not runnable by the unprivileged user
            continue
        if probe.stdout.strip() == "limited":
            return [python, "-c", BOOT.format(site=site, before=before)]
    return None


@pytest.mark.skipif(not hasattr(resource, "RLIMIT_NPROC"), reason="no process limit here")
@pytest.mark.parametrize("before", ["", A_THREAD], ids=["forks", "a-pool"])
def test_at_the_real_process_limit_a_cold_sync_still_writes_the_note(
    shared_dir: Path, before: str
) -> None:
    limited = _limited_python(before)
    if limited is None:
        pytest.skip("no interpreter an unprivileged user can run at the process limit here")
    root = big_vault(shared_dir / "vault")
    expected = _sync(root, _env(shared_dir / "cache-ok"))
    assert expected.returncode == 0, expected.stderr
    normal = (root / OUT).read_bytes()
    (root / OUT).unlink()
    for path in [shared_dir, *shared_dir.rglob("*")]:
        path.chmod(0o777 if path.is_dir() else 0o666)

    tasks = 2 if before else 1  # the thread counts against the limit too
    result = _sync(root, _env(shared_dir / "cache"), prefix=limited,
                   preexec=lambda: _at_the_process_limit(tasks))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert (root / OUT).read_bytes() == normal
    assert _cached_rows(shared_dir / "cache") == NOTES + 40
