"""On a vault with no flag tag at all, the ledger a careful reader expects: after `flags
apply`, and (on a fresh copy, nothing written) with `infer_flags: true`. Everything that
rests on an inferred flag says so; a written tag always wins; the index never serves
results of the other setting; with the key off, nothing of it runs."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from vaultcrm.cli import cli

from .conftest import MakeVault

TODAY = "2026-11-23"

UNTAGGED = {
    "People/Priya Shah.md": "---\ncircle: close\n---\n"
    "- 2026-10-02 Coffee. She told me her parents are splitting up.\n"
    "- 2026-10-20 Walk. Priya admitted she's been struggling since the move.\n"
    "- 2026-11-05 Lunch, talked about the new office.\n"
    "- 2026-11-10 She told me that Tom's sister got engaged.\n"
    "- 2026-11-18 She told me about her divorce, hers to tell. #noflag\n",
    "People/Tom Gallagher.md": "---\ncircle: friends\n---\n"
    "- 2026-09-01 Pub. I told him about my imposter syndrome at work.\n"
    "- 2026-10-12 Long run. I admitted I'm not sure the new job was the right move.\n"
    "- 2026-11-01 I didn't tell him about the redundancy rumours.\n",
    "People/Ben Okafor.md": "---\ncircle: close\n---\n"
    "- 2026-10-01 Ben confided that he's thinking of leaving Sarah.\n"
    "- 2026-10-15 I opened up to Ben about the panic attacks.\n",
    "Journal/2026-11-12.md": "- Dinner with [[Ben Okafor]] and [[Priya Shah]]. Ben told me"
    " about his divorce.\n",
}

#: What a careful reader expects of these notes: Priya confided twice (her parents, the
#: move; not Tom's sister's news, not the line she asked to keep out), Tom was told twice
#: (not the rumours left untold); Ben's ledger is balanced either way.
SHARE = {
    "kind": "share", "person": "Priya Shah", "file": "People/Priya Shah.md",
    "reason": "Priya Shah has confided in you twice with nothing of your own logged in return"
    " — share, don't only listen.",
    "count": 2, "last_shared": None,
}  # fmt: skip
LISTEN = {
    "kind": "listen", "person": "Tom Gallagher", "file": "People/Tom Gallagher.md",
    "reason": "You have opened up to Tom Gallagher twice without Tom Gallagher reciprocating"
    " — read the room, ask and listen.",
    "count": 2, "last_heard": None,
}  # fmt: skip


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def ledger(root: Path) -> list[dict[str, Any]]:
    args = ["due", "--json", "--vault", str(root), "--today", TODAY, "--kind", "share"]
    out = run(*args, "--kind", "listen").output
    return list(json.loads(out)["reflections"])


def test_an_untagged_vault_has_a_silent_ledger(make_vault: MakeVault) -> None:
    assert ledger(make_vault(UNTAGGED)) == []


def test_after_flags_apply_the_ledger_is_what_a_careful_reader_expects(
    make_vault: MakeVault,
) -> None:
    root = make_vault(UNTAGGED)
    assert run("flags", "apply", "--vault", str(root), "--today", TODAY).exit_code == 0
    assert ledger(root) == [SHARE, LISTEN]


def test_with_infer_flags_and_nothing_written_the_same_ledger_says_it_is_inferred(
    make_vault: MakeVault,
) -> None:
    root = make_vault({**UNTAGGED, "vaultcrm.yaml": "infer_flags: true\n"})
    before = {p: p.read_bytes() for p in root.rglob("*.md")}
    because = ["She told me … splitting up", "Priya admitted she … struggling"]
    assert ledger(root) == [
        {**SHARE, "reason": SHARE["reason"] + " (inferred: 'She told me … splitting up',"
         " 'Priya admitted she … struggling')", "inferred": because},
        {**LISTEN, "reason": LISTEN["reason"] + " (inferred: 'I told him about … imposter"
         " syndrome', 'I admitted I … not sure')",
         "inferred": ["I told him about … imposter syndrome", "I admitted I … not sure"]},
    ]  # fmt: skip
    assert {p: p.read_bytes() for p in root.rglob("*.md")} == before  # nothing written
    # inferred, not written: `flags suggest` still lists them, as on the plain vault
    plain = make_vault(UNTAGGED, "plain")
    args = ["flags", "suggest", "--json", "--today", TODAY, "--vault"]
    listed = json.loads(run(*args, str(root)).output)["suggestions"]
    assert listed == json.loads(run(*args, str(plain)).output)["suggestions"]
    assert len(listed) == 7


def test_the_note_and_the_brief_say_what_was_inferred(make_vault: MakeVault) -> None:
    root = make_vault({**UNTAGGED, "vaultcrm.yaml": "infer_flags: true\n"})
    assert run("sync", "--vault", str(root), "--today", TODAY).exit_code == 0
    note = (root / "Reflections due.md").read_text(encoding="utf-8")
    assert "share, don't only listen. (inferred: 'She told me … splitting up'," in note
    # the context the note gives for the ledger: the last open exchange, marked too
    assert "since the move. (inferred: 'Priya admitted she … struggling')" in note
    brief = json.loads(run("brief", "Priya", "--json", "--vault", str(root), "--today", TODAY)
                       .output)  # fmt: skip
    assert [(m["date"], m.get("inferred")) for m in brief["heard"]] == [
        ("2026-10-20", ["Priya admitted she … struggling"]),
        ("2026-10-02", ["She told me … splitting up"]),
    ]
    assert brief["ledger"]["sentence"].endswith(
        "your turn to share. (inferred: 'She told me … splitting up', 'Priya admitted she …"
        " struggling')"
    )
    text = run("brief", "Priya", "--vault", str(root), "--today", TODAY).output
    assert "since the move. (inferred: 'Priya admitted she … struggling')" in text
    # a moment whose flags were written carries no `inferred` key: the shape is unchanged
    plain = make_vault(UNTAGGED, "plain")
    run("flags", "apply", "--vault", str(plain), "--today", TODAY)
    brief = json.loads(run("brief", "Priya", "--json", "--vault", str(plain), "--today", TODAY)
                       .output)  # fmt: skip
    assert all("inferred" not in m for m in brief["heard"])


def test_celebrate_and_deep_say_it_too(make_vault: MakeVault) -> None:
    root = make_vault(
        {
            "vaultcrm.yaml": "infer_flags: true\n",
            "People/Lena.md": "---\ncircle: close\n---\n"
            "- 2026-05-01 Proper heart-to-heart about her supervisor.\n"
            "- 2026-11-13 Lena passed her viva!\n",
        }
    )
    found = {r["kind"]: r for r in json.loads(
        run("due", "--json", "--vault", str(root), "--today", TODAY).output)["reflections"]}
    assert found["celebrate"]["reason"].endswith(
        "— celebrate it. (inferred: 'Lena passed her viva')"
    )
    assert found["deep"]["reason"] == (
        "Your last truly open exchange with Lena was on Fri 1 May: Proper heart-to-heart"
        " about her supervisor. (inferred: 'heart-to-heart')"
    )


def test_a_written_tag_always_wins(make_vault: MakeVault) -> None:
    files = {
        "vaultcrm.yaml": "infer_flags: true\n",
        # the prose reads as #heard; the user wrote #shared: only #shared counts
        "People/Ann.md": "- 2026-11-01 She told me her parents are splitting up. #shared\n"
        "- 2026-11-02 I told her about my divorce. #shared\n",
    }
    root = make_vault(files)
    assert ledger(root) == [
        {"kind": "listen", "person": "Ann", "file": "People/Ann.md",
         "reason": "You have opened up to Ann twice without Ann reciprocating — read the"
         " room, ask and listen.", "count": 2, "last_heard": None},
    ]  # fmt: skip
    out = run("flags", "suggest", "--vault", str(root), "--today", TODAY, "--min-confidence", "0")
    assert out.output.startswith("No line without a flag reads as one")


def test_the_index_never_serves_the_other_setting(make_vault: MakeVault) -> None:
    """infer_flags is part of the config that keys the index (every result), so turning
    it on or off, with the index warm, changes the answer at once (also for `sync`)."""
    root = make_vault(UNTAGGED)
    config = root / "vaultcrm.yaml"
    assert ledger(root) == []
    run("sync", "--vault", str(root), "--today", TODAY)
    config.write_text("infer_flags: true\n")
    assert [r["kind"] for r in ledger(root)] == ["share", "listen"]
    run("sync", "--vault", str(root), "--today", TODAY)
    assert "(inferred: " in (root / "Reflections due.md").read_text(encoding="utf-8")
    config.write_text("infer_flags: false\n")
    assert ledger(root) == []
    run("sync", "--vault", str(root), "--today", TODAY)
    assert "(inferred: " not in (root / "Reflections due.md").read_text(encoding="utf-8")


def test_the_rules_are_code_so_the_index_key_covers_them() -> None:
    """The envelope of the index digests every .py file of the package (codec's code
    fingerprint); the rules are such a file, so a change of a rule empties the index."""
    import vaultcrm
    from vaultcrm.prose import english, match

    package = Path(vaultcrm.__file__).resolve().parent
    for module in (english, match):
        path = Path(module.__file__ or "").resolve()
        assert path.suffix == ".py" and package in path.parents


@pytest.mark.slow
def test_with_the_key_off_no_line_is_read(make_vault: MakeVault) -> None:
    """No cost on the hot path: a sync (cold and warm) and a due never import the rules."""
    root = make_vault({**UNTAGGED, "People/Ann.md": "- 2026-11-01 Coffee #heard\n"})
    script = textwrap.dedent(
        f"""
        import datetime as dt, sys
        from pathlib import Path
        from tests.sessions import due, sync
        today = dt.date.fromisoformat("{TODAY}")
        sync(Path({str(root)!r}), today)
        sync(Path({str(root)!r}), today)
        due(Path({str(root)!r}), today)
        print(sorted(m for m in sys.modules if m.startswith("vaultcrm.prose")
                     or m == "vaultcrm.read.inferred"))
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True, timeout=60)  # fmt: skip
    assert out.stdout.strip() == "[]"
