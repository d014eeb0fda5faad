"""cache/plan.py: every decision about what a run may skip, as pure functions."""

from __future__ import annotations

import datetime as dt

from vaultcrm.cache.plan import (
    Changes,
    affected,
    inputs_key,
    note_key,
    stale_by_path,
    stale_in_order,
)
from vaultcrm.model import Claim, Entry, NoteRecord, Person

D = dt.date(2026, 11, 23)


def test_the_inputs_key_moves_with_each_input() -> None:
    base = ("envelope", D, "config", "templates", "walk", (1, 2, 3))
    keys = {inputs_key(*base)}
    for i, other in enumerate(("another build", D.replace(day=24), "c2", "t2", "w2", None)):
        changed = list(base)
        changed[i] = other
        keys.add(inputs_key(*changed))  # type: ignore[arg-type]
    assert len(keys) == 7
    assert inputs_key(*base) == inputs_key(*base)


def test_the_note_key_moves_with_each_input() -> None:
    base = (D, "templates", 0, "content", {"vcrm-a"})
    keys = {note_key(*base)}
    for i, other in enumerate((D.replace(day=24), "t2", 1, "c2", set())):
        changed = list(base)
        changed[i] = other
        keys.add(note_key(*changed))  # type: ignore[arg-type]
    assert len(keys) == 6


def test_stale_files_in_the_last_walks_order_and_by_path() -> None:
    rels = ["a.md", "b.md", "c.md"]
    last = (rels, [1, 2, 3], [10, 20, 30])
    assert stale_in_order(last, [1, 2, 3], [10, 20, 30], rels) == ([], [], [])
    assert stale_in_order(last, [1, 5, 3], [10, 20, 31], rels) == ([1, 2], [], ["b.md", "c.md"])
    known = {"a.md": (1, 10), "b.md": (2, 20), "gone.md": (9, 9)}
    assert stale_by_path(known, rels, [1, 5, 3], [10, 20, 30]) == (
        [1, 2], ["gone.md"], ["b.md", "gone.md"],
    )  # fmt: skip


def _person(name: str, *aliases: str) -> NoteRecord:
    person = Person(name, f"People/{name}.md", aliases=aliases)
    return NoteRecord(person.file, "person", person=person)


def _daily(path: str, *links: str) -> NoteRecord:
    return NoteRecord(path, "daily", day=D, entries=(Entry(1, "x", links=links),))


def test_affected_people() -> None:
    names = {"ann": "Ann", "bo": "Bo", "bobby": "Bo", "cy": "Cy"}
    asked: list[int] = []

    def claims() -> list[Claim]:
        asked.append(1)
        return [Claim.of(_person("Bo", "Bobby").person), Claim.of(_person("Cy").person)]  # type: ignore[arg-type]

    # a daily note changed: who it links before and after
    before, after = _daily("J/1.md", "Ann"), _daily("J/1.md", "Bobby")
    changes = Changes({"J/1.md": before}, {"J/1.md": after}, [], [])
    assert affected(changes, names, claims) == {"Ann", "Bo"}
    assert not asked  # no name moved: the claims are not read
    # a person note gains an alias someone else claims: both are touched
    changes = Changes({"People/Cy.md": _person("Cy")}, {"People/Cy.md": _person("Cy", "Bobby")},
                      [], [])  # fmt: skip
    assert affected(changes, names, claims) == {"Cy", "Bo"}
    assert asked
