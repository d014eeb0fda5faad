"""One read session per command: the use cases take it, and how the vault is read is
decided where it is opened, never below (read/session.py, docs/architecture.md)."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

import vaultcrm.cache.store as store
from tests.conftest import REPO, MakeVault
from tests.sessions import opened
from vaultcrm.app.sync import sync
from vaultcrm.cli import cli

TODAY = dt.date(2026, 11, 23)
APP = REPO / "vaultcrm" / "app"


def _functions(path: Path) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def test_no_use_case_takes_the_read_policy_apart() -> None:
    """No function under app/ takes `processes` or `use_cache`: the session carries them."""
    for path in sorted(APP.glob("*.py")):
        for f in _functions(path):
            names = {a.arg for a in [*f.args.args, *f.args.kwonlyargs, *f.args.posonlyargs]}
            assert not names & {"processes", "use_cache"}, f"{path.name}: {f.name}"


def test_nothing_under_app_reads_around_the_session() -> None:
    """How the vault is read (processes, the collector, the exit) is the session's, and so
    is the one config → walk → index → records preamble: no use case walks, opens the
    index or forks itself."""
    preamble = {"walk", "open_index", "update_index", "read_for_index", "load_records"}
    for path in sorted(APP.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert node.module not in ("vaultcrm.gcpause", "vaultcrm.children"), path.name
                taken = {alias.name for alias in node.names} & preamble
                assert not taken, f"{path.name}: {taken}"
            if isinstance(node, ast.Attribute):
                assert node.attr not in ("fork", "_exit"), f"{path.name}: {node.attr}"


def test_no_branch_on_a_missing_index() -> None:
    """`--no-cache` is an index in memory, not a second path: no use case asks whether
    there is an index."""
    for path in sorted(APP.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert "index is None" not in text and "index is not None" not in text, path


def test_a_sync_opens_the_index_once(
    make_vault: MakeVault, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The inbox resolving an alias, the ticks, the first sync's hints and the calendar all
    read through the one session: one index, opened once."""
    root = make_vault({
        "vaultcrm.yaml": "ics: people.ics\n",
        "People/Ann Lee.md": "---\naliases: [Annie]\nbirthday: 1990-11-25\n---\n- 2026-01-02 Tea\n",
        "Inbox.md": "- Annie: coffee, she told me about the move\n",
    })
    opened_at: list[str] = []
    real = store.Index.__init__

    def counting(self: store.Index, *args: object, **kwargs: object) -> None:
        opened_at.append(str(args[0]))
        real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(store.Index, "__init__", counting)
    with opened(root, TODAY) as session:
        result = sync(session)
    assert result.inbox is not None and [f.person for f in result.inbox.filed] == ["Ann Lee"]
    assert result.calendar == "people.ics" and result.hints
    assert len(opened_at) == 1


def test_no_cache_leaves_nothing_and_says_the_same(example_vault: Path, tmp_path: Path) -> None:
    """A run without the cache works through an index in memory: the same output as a
    cached one, and no index file (only compiled templates, which any render keeps)."""
    import os

    runner = CliRunner()
    args = ["--vault", str(example_vault), "--today", "2026-11-23"]
    commands = (["due", "--json"], ["people", "--json"], ["brief", "ben", "--json"])
    fresh = [runner.invoke(cli, [*c, *args, "--no-cache"]) for c in commands]
    assert not list(Path(os.environ["VAULTCRM_CACHE_DIR"]).glob("*.sqlite3*"))
    for command, without in zip(commands, fresh, strict=True):
        cached = runner.invoke(cli, [*command, *args], catch_exceptions=False)
        assert (without.exit_code, without.stdout) == (cached.exit_code, cached.stdout), command
