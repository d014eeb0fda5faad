"""Resolving people, aliases and every link form into interactions and follow-ups."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.sessions import opened
from vaultcrm.locate import find_vault

D = dt.date


def load(root: Path):  # type: ignore[no-untyped-def]
    """The vault as an uncached run reads it: walk, read every note, assemble."""
    with opened(root, cache=False) as session:
        return session.vault()


def test_every_link_form_counts(make_vault) -> None:  # type: ignore[no-untyped-def]
    root = make_vault({
        "People/Work/Alice Smith.md": "---\naliases: [Ali]\n---\n",
        "Journal/2026-11-01.md": "- Lunch with [[Alice Smith]]\n",
        "Journal/2026-11-02.md": "- Call with [[Alice Smith|her]]\n",
        "Journal/2026-11-03.md": "- Met [[People/Work/Alice Smith]]\n",
        "Journal/2026-11-04.md": "- Notes on [[Alice Smith#Work]]\n",
        "Journal/2026-11-05.md": "- Drinks with [[ali]] #heard\n",
        "Journal/2026-11-06.md": "- Wrote to [[ALICE SMITH]]\n",
    })
    vault = load(root)
    days = [i.date for i in vault.interactions["Alice Smith"]]
    assert days == [D(2026, 11, d) for d in range(1, 7)]
    assert vault.interactions["Alice Smith"][4].flags == frozenset({"heard"})


def test_shared_alias_counts_for_no_one(make_vault) -> None:  # type: ignore[no-untyped-def]
    root = make_vault({
        "People/Sam Lee.md": "---\naliases: [Sam]\n---\n",
        "People/Sam Park.md": "---\naliases:\n  - Sam\n---\n",
        "Journal/2026-11-01.md": "Dinner with [[Sam]]\n",
    })
    vault = load(root)
    assert vault.interactions["Sam Lee"] == () and vault.interactions["Sam Park"] == ()
    messages = [p.format() for p in vault.problems]
    assert any(m.startswith("People/Sam Lee.md:2:") and "'sam'" in m for m in messages)
    shared = [m for m in messages if "'sam' is shared by" in m]
    assert shared == [
        "People/Sam Lee.md:2: warning: name or alias 'sam' is shared by Sam Lee, Sam Park; "
        "links to it count for no one"
    ]


def test_daily_task_is_a_follow_up_not_an_interaction(make_vault) -> None:  # type: ignore[no-untyped-def]
    root = make_vault({
        "People/Ben.md": "",
        "Journal/2026-11-01.md": "- [ ] Send [[Ben]] the article\n- [ ] 2026-11-09 Call [[Ben]]\n",
    })
    vault = load(root)
    assert vault.interactions["Ben"] == ()
    assert [(f.due, f.done) for f in vault.follow_ups["Ben"]] == [
        (D(2026, 11, 1), False), (D(2026, 11, 9), False)]


def test_unknown_circle_is_a_warning_with_its_line(make_vault) -> None:  # type: ignore[no-untyped-def]
    root = make_vault({"People/Cy.md": "---\naliases: []\ncircle: buddies\n---\n"})
    vault = load(root)
    (problem,) = vault.problems
    assert problem.path == "People/Cy.md" and problem.line == 3
    assert "unknown circle 'buddies'" in problem.message


def test_symlink_out_of_the_vault_is_skipped(make_vault, tmp_path) -> None:  # type: ignore[no-untyped-def]
    outside = tmp_path / "secret.md"
    outside.write_text("---\ncircle: close\n---\n")
    root = make_vault({"People/Real.md": ""})
    (root / "People/Evil.md").symlink_to(outside)
    vault = load(root)
    assert list(vault.people) == ["Real"]
    assert any(p.path == "People/Evil.md" and "outside the vault" in p.message
               for p in vault.problems)


def test_find_vault_walks_up_to_the_config(make_vault, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    root = make_vault({"vaultcrm.yaml": "", "People/Ann.md": ""})
    assert find_vault(None, cwd=root / "People") == root.resolve()
    monkeypatch.setenv("VAULTCRM_VAULT", str(root))
    assert find_vault(None, cwd=Path("/")) == root.resolve()
