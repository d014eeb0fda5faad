"""Who the note leads with: the `focus` most urgent people, each once, with everything due.

The note would otherwise list Tom under "Reach out", "Go deeper" and "Birthdays", each
time with the same context; with a few hundred people due it would be a wall. So the
people who need you most come first, each with all of their reflections and one context
block, and the sections by kind hold only the rest, capped at `section_limit`.

"Most urgent" is a total order on people (smallest key first), documented in
docs/templates.md. Where each item puts its person is its kind's (`KindSpec.focus`):

1. tier 0: something that cannot wait (an item's `pressing` date: a birthday or yearly
   date today, a follow-up due today or overdue, a win to celebrate); tier 1: due to
   reach out; tier 2: the rest (a date ahead, the ledger, going deeper); tier 3: all of
   it already done (ticked birthdays, dates and wins that stay listed);
2. within the tier: tier 0, the earliest date first (the longest overdue follow-up);
   tier 1, by the kind's `rank` (the furthest past their cadence in proportion); tier 2,
   the nearest date ahead, people without one last;
3. more reflections first (one conversation settles several);
4. the name, case-insensitive, then exact.

People never contacted (an item that says only that they are not in the notes yet,
`KindSpec.not_yet`) are no urgency: a new vault would otherwise lead with five of them,
alphabetically, while someone half a year overdue waits below. Such an item never puts
its person in the focus list; the note lists those people together (`not_yet_names`).

Pure: items in, a plan out; the template only lays it out.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from vaultcrm.model import Interaction, Person
from vaultcrm.reflect.kinds import KIND, Focus, not_yet


class Item(Protocol):
    """What the focus list reads of a note item (`output.render.Item`)."""

    @property
    def kind(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def data(self) -> Any: ...
    @property
    def done(self) -> bool: ...
    @property
    def person(self) -> Person: ...
    @property
    def last(self) -> Interaction | None: ...
    @property
    def open(self) -> Interaction | None: ...

#: The place of an item whose kind is not registered: tier 2, without a date.
_NO_FOCUS = Focus()


@dataclass(frozen=True)
class FocusPerson:
    """One person at the top of the note: every reflection of theirs, one context block.

    `context` is the interaction to recall: the last open exchange (`context_open`) when
    share, listen or deep is due, else the last contact; never the exchange a deep
    reason already quotes. None when there is nothing to recall.
    """

    name: str
    person: Person
    items: tuple[Item, ...]
    context: Interaction | None
    context_open: bool


def _focus(kind: str) -> Focus:
    spec = KIND.get(kind)
    return _NO_FOCUS if spec is None else spec.focus


def urgency(items: Sequence[Item]) -> tuple[Any, ...]:
    """The sort key of one person's items (all theirs): see the module docstring. Items
    saying only that they are not in the notes yet count for nothing."""
    live = [i for i in items if not i.done and not not_yet(i.kind, i.data)]
    name = items[0].name
    if not live:
        return (3, (), -len(items), name.casefold(), name)
    now = [d for i in live if (d := _pressing_date(i)) is not None]
    if now:
        return (0, (min(now),), -len(live), name.casefold(), name)
    ranks = [f.rank(i.data) for i in live if (f := _focus(i.kind)).tier == 1 and f.rank]
    if ranks:
        return (1, min(ranks), -len(live), name.casefold(), name)
    ahead = [i.data["date"] for i in live if _focus(i.kind).dated]
    measure = (0, min(ahead)) if ahead else (1, dt.date.min)
    return (2, measure, -len(live), name.casefold(), name)


def _pressing_date(item: Item) -> dt.date | None:
    """The item's date when it cannot wait (today, overdue, a fresh win), else None."""
    pressing = _focus(item.kind).pressing
    return None if pressing is None else pressing(item.data)


def choose(items: Sequence[Item], count: int) -> list[str]:
    """The names of the `count` most urgent people among `items`, most urgent first."""
    if count <= 0 or not items:
        return []
    # Tier 0 comes before every other tier: when it alone has `count` people, nobody
    # else can be chosen, and only they need a key (a few hundred of thousands due).
    pressing = {
        item.name for item in items if not item.done and _pressing_date(item) is not None
    }
    mine: dict[str, list[Item]] = {}
    if len(pressing) >= count:
        for item in items:
            if (name := item.name) in pressing:
                mine.setdefault(name, []).append(item)
    else:
        for item in items:
            mine.setdefault(item.name, []).append(item)
    keyed = (
        (urgency(found), name) for name, found in mine.items() if not _only_not_yet(found)
    )
    return [name for _, name in heapq.nsmallest(count, keyed)]


def _only_not_yet(items: Sequence[Item]) -> bool:
    """Whether all there is to say of someone is that they are not in the notes yet."""
    return all(not_yet(i.kind, i.data) for i in items)


def is_not_yet(item: Item) -> bool:
    """Whether the item only says its person is not in the notes yet."""
    return not_yet(item.kind, item.data)


def context_of(
    kinds: set[str], last: Interaction | None, last_open: Interaction | None
) -> tuple[Interaction | None, bool]:
    """The one interaction to recall for someone with these kinds due, and whether it is
    the last open exchange (for a kind with `open_context`). An interaction a reason
    already quotes (`quotes_flag`: the last #deep exchange of a deep reason, the win of a
    celebrate one) is never repeated."""
    specs = [spec for kind in kinds if (spec := KIND.get(kind)) is not None]
    quoted = {spec.quotes_flag for spec in specs if spec.quotes_flag}
    wants_open = any(spec.open_context for spec in specs)
    if wants_open and last_open is not None and not quoted & last_open.flags:
        return last_open, True
    if last is not None and not quoted & last.flags:
        return last, False
    return None, False


def focus_people(items: Sequence[Item], count: int) -> list[FocusPerson]:
    """The focus list: the chosen people with their items in report order."""
    chosen = choose(items, count)
    mine: dict[str, list[Item]] = {name: [] for name in chosen}
    for item in items:
        if item.name in mine:
            mine[item.name].append(item)
    out = []
    for name in chosen:
        found = sorted(mine[name], key=lambda i: KIND.rank(i.kind))
        first = found[0]
        context, is_open = context_of({i.kind for i in found}, first.last, first.open)
        out.append(FocusPerson(name, first.person, tuple(found), context, is_open))
    return out
