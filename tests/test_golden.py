"""End to end on a copy of example-vault/ against golden files (regenerate: --update-golden)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from vaultcrm.cli import cli
from vaultcrm.reflect.kinds import KIND

from .conftest import EXAMPLE_TODAY

GOLDEN = Path(__file__).parent / "golden"


def check_golden(name: str, actual: str, update: bool) -> None:
    path = GOLDEN / name
    if update:
        path.write_text(actual, encoding="utf-8", newline="")
    assert path.exists(), f"no golden file {path}: run pytest --update-golden once"
    assert actual == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"


def test_example_vault_note_matches_golden(example_vault: Path, update_golden: bool) -> None:
    result = CliRunner().invoke(
        cli, ["sync", "--vault", str(example_vault), "--today", EXAMPLE_TODAY],
        catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    note = (example_vault / "Reflections due.md").read_text(encoding="utf-8")
    check_golden("Reflections due 2026-11-23.md", note, update_golden)
    for kind, spec in KIND.items():
        listed = f"## {spec.title}\n" in note or f"**{spec.words.label}** — " in note
        assert listed, f"no {kind} in the example vault's note"


def test_example_vault_due_json_matches_golden(example_vault: Path, update_golden: bool) -> None:
    result = CliRunner().invoke(
        cli, ["due", "--json", "--vault", str(example_vault), "--today", EXAMPLE_TODAY],
        catch_exceptions=False)
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert {r["kind"] for r in data["reflections"]} == set(KIND)
    check_golden("due 2026-11-23.json", result.stdout, update_golden)


def test_cached_and_uncached_runs_agree(example_vault: Path) -> None:
    args = ["due", "--json", "--vault", str(example_vault), "--today", EXAMPLE_TODAY]
    runner = CliRunner()
    cold = runner.invoke(cli, args, catch_exceptions=False).stdout
    warm = runner.invoke(cli, args, catch_exceptions=False).stdout
    fresh = runner.invoke(cli, [*args, "--no-cache"], catch_exceptions=False).stdout
    assert cold == warm == fresh


def test_due_after_a_sync_answers_the_same_from_the_remembered_result(
    example_vault: Path,
) -> None:
    runner = CliRunner()
    args = ["--vault", str(example_vault), "--today", EXAMPLE_TODAY]
    runner.invoke(cli, ["sync", *args], catch_exceptions=False)
    remembered = runner.invoke(cli, ["due", "--json", *args], catch_exceptions=False).stdout
    fresh = runner.invoke(cli, ["due", "--json", "--no-cache", *args], catch_exceptions=False)
    assert remembered == fresh.stdout
