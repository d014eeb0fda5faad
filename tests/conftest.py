"""Shared fixtures: vaults built from real files in tmp_path, an isolated cache, golden files."""

from __future__ import annotations

import os
import shutil
import tracemalloc
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import settings

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_VAULT = REPO / "example-vault"
EXAMPLE_TODAY = "2026-11-23"

#: Hypothesis's profile: `ci` (`HYPOTHESIS_PROFILE=ci`, as `.ci/run` sets it) tries every
#: property the number of examples its test asks for; `quick` (the default: the quick
#: loop) a fifth of them, at least 20, so the loop stays quick and CI stays thorough.
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "quick")
settings.register_profile("ci", deadline=None)
settings.register_profile("quick", deadline=None, max_examples=20)
settings.load_profile(PROFILE)


def examples(full: int) -> int:
    """How many examples a property test tries: `full` under the ci profile, a fifth of it
    (at least 20) under the quick one."""
    return full if PROFILE == "ci" else max(20, full // 5)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="Rewrite golden files from the current output (on purpose only).")


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path_factory: pytest.TempPathFactory,
                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own index cache and never sees the developer's vault settings."""
    monkeypatch.setenv("VAULTCRM_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.setenv("VAULTCRM_DEBUG", "1")
    monkeypatch.delenv("VAULTCRM_VAULT", raising=False)


MakeVault = Callable[..., Path]


def write_files(root: Path, files: Mapping[str, str | bytes]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))


@pytest.fixture
def make_vault(tmp_path: Path) -> MakeVault:
    """`make_vault({"People/Ann.md": "..."})` → a vault folder holding exactly those files."""

    def make(files: Mapping[str, str | bytes], name: str = "vault") -> Path:
        root = tmp_path / name
        root.mkdir(exist_ok=True)
        write_files(root, files)
        return root

    return make


@pytest.fixture
def example_vault(tmp_path: Path) -> Path:
    """A private copy of example-vault/, so tests may write to it."""
    dest = tmp_path / "example-vault"
    shutil.copytree(EXAMPLE_VAULT, dest, symlinks=True)
    return dest


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@contextmanager
def allocates_at_most(limit: int) -> Iterator[None]:
    """Fail when the code inside allocates more than `limit` bytes at its peak: the work
    it did, bounded without a clock (speed lives in benchmarks/)."""
    tracemalloc.start()
    try:
        yield
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak <= limit, f"peaked at {peak:,} bytes (limit {limit:,})"
