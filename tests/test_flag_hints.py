"""`check` and a vault's first `sync` say in one line how to start using the flags the vault
never uses (`vaultcrm log NAME "…" --deep`, or `vaultcrm flags suggest`), and which kinds
stay silent until then; never otherwise."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from click.testing import CliRunner, Result

from vaultcrm.cli import cli

from .conftest import MakeVault

TODAY = "2026-11-23"
HINT = (
    "No #shared, #heard, #deep or #win anywhere yet, so share, listen, go deeper and"
    ' celebrate stay silent: tag a line with `vaultcrm log NAME "…" --deep` (or --shared,'
    ' --heard, --win), or let `vaultcrm flags suggest` find the lines whose words already'
    ' say it ("she told me…").'
)
UNTAGGED = {"People/Ann Lee.md": "- 2026-11-01 Coffee. She told me about her divorce.\n"}


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_check_says_it_before_its_summary(make_vault: MakeVault) -> None:
    root = make_vault(UNTAGGED)
    result = run("check", "--vault", str(root))
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        HINT,
        "1 person, 1 interaction, 0 open follow-ups — no problems in 1 note",
    ]
    assert json.loads(run("check", "--json", "--vault", str(root)).output)["hints"] == [HINT]


def test_check_names_only_the_flags_not_used_yet(make_vault: MakeVault) -> None:
    root = make_vault({"People/Ann Lee.md": "- 2026-11-01 Coffee #shared #heard #win\n"})
    assert json.loads(run("check", "--json", "--vault", str(root)).output)["hints"] == [
        'No #deep anywhere yet, so go deeper stays silent: tag a line with `vaultcrm log NAME'
        ' "…" --deep`, or let `vaultcrm flags suggest` find the lines whose words already say'
        ' it ("she told me…").'
    ]


def test_check_says_nothing_on_a_tagged_vault_or_one_that_infers(make_vault: MakeVault) -> None:
    tagged = make_vault(
        {"People/Ann Lee.md": "- 2026-11-01 Coffee #deep #win\n- 2026-11-02 Tea #shared #heard\n"},
        "tagged",
    )
    inferring = make_vault({**UNTAGGED, "vaultcrm.yaml": "infer_flags: true\n"}, "inferring")
    empty = make_vault({"People/Ann Lee.md": "Nothing logged yet.\n"}, "empty")
    for root in (tagged, inferring, empty):
        assert json.loads(run("check", "--json", "--vault", str(root)).output)["hints"] == []
        assert "flags suggest" not in run("check", "--vault", str(root)).output


def test_a_custom_tag_name_is_named_and_counts(make_vault: MakeVault) -> None:
    root = make_vault({**UNTAGGED, "vaultcrm.yaml": "tags: {heard: they-shared}\n"})
    assert "#they-shared" in run("check", "--vault", str(root)).output
    (root / "People/Ann Lee.md").write_text("- 2026-11-01 Coffee #they-shared\n")
    said = run("check", "--vault", str(root)).output
    assert "#they-shared" not in said and "No #shared, #deep or #win anywhere yet" in said


def test_only_the_first_sync_says_it(make_vault: MakeVault) -> None:
    root = make_vault(UNTAGGED)
    first = run("sync", "--vault", str(root), "--today", TODAY)
    assert first.output.splitlines()[-1] == HINT
    again = run("sync", "--vault", str(root), "--today", TODAY)
    assert "flags suggest" not in again.output
    (root / "Reflections due.md").unlink()  # a new start: said again
    data = json.loads(run("sync", "--json", "--vault", str(root), "--today", TODAY).output)
    assert data["hints"] == [HINT]
    data = json.loads(run("sync", "--json", "--vault", str(root), "--today", TODAY).output)
    assert data["hints"] == []


def test_a_first_sync_without_the_index_or_quiet(make_vault: MakeVault) -> None:
    root = make_vault(UNTAGGED)
    quiet = run("sync", "-q", "--vault", str(root), "--today", TODAY)
    assert quiet.output == ""
    other = make_vault(UNTAGGED, "other")
    plain = run("sync", "--no-cache", "--vault", str(other), "--today", TODAY)
    assert plain.output.splitlines()[-1] == HINT


def test_after_flags_apply_only_the_flags_still_unused_are_named(make_vault: MakeVault) -> None:
    root = make_vault(UNTAGGED)
    run("flags", "apply", "--vault", str(root), "--today", TODAY)
    assert "#heard" in Path(root / "People/Ann Lee.md").read_text()
    said = "No #shared, #deep or #win anywhere yet, so listen, go deeper and celebrate stay"
    assert said in run("sync", "--vault", str(root), "--today", TODAY).output
    assert said in run("check", "--vault", str(root)).output


def test_watch_says_it_when_its_first_pass_creates_the_note(make_vault: MakeVault) -> None:
    from vaultcrm.app.watch import Report, Watcher

    root = make_vault(UNTAGGED)
    reports: list[Report] = []
    watcher = Watcher(root, reports.append, today=lambda: dt.date.fromisoformat(TODAY))
    watcher._pass(first=True)  # the pass `watch` starts with, without the observer
    assert [r.text for r in reports if r.kind == "hint"] == [HINT]
    reports.clear()
    watcher._pass()
    assert all("flags suggest" not in r.text for r in reports)
