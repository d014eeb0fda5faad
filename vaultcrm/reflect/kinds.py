"""One record per reflection kind (`KindSpec`), in report order, and running them all.

Everything vaultcrm knows about a kind is its record here: the rule that finds it, how
urgent one is within its section, its words (`vaultcrm.words.KIND_WORDS`), which fields
tell two items apart in the note, what a tick logs and whether the item stays listed after
one, whether the watcher reports a change in its details, and, for a kind reported for
one person of the whole vault at a time (`surprise`), how that person is picked.
Adding a kind is one record below, one rule function (`rules.py`), its words, and one
template block; `tests/test_kinds.py` proves every kind has every entry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vaultcrm.config import Config
from vaultcrm.model import Person, Reflection, Vault
from vaultcrm.reflect import rules
from vaultcrm.reflect import surprise as weekly
from vaultcrm.words import KIND_WORDS, KindWords

Rule = Callable[[Person, Vault, dt.date, Config], list[Reflection]]
Urgency = Callable[[Reflection], tuple[Any, ...]]


@dataclass(frozen=True)
class KindSpec:
    """Everything about one kind of reflection."""

    name: str
    rule: Rule
    #: most urgent first within the kind's section (a sort key)
    urgency: Urgency
    #: fields that tell two items of the kind for one person apart (the note's task id)
    id_fields: tuple[str, ...] = ()
    #: the flag a tick's logged line carries (its configured tag), so the ledger sees it
    logs_flag: str | None = None
    #: a ticked item stays listed, ticked, until it is no longer due (`done` in the note)
    stays_after_tick: bool = False
    #: the watcher reports a change in an item's details (a countdown), not only its arrival
    countdown: bool = False
    #: considered only for a person due for nothing else (of the kinds found per person)
    alone: bool = False
    #: a kind reported for one person of the whole vault: each person's finding is a
    #: candidate, `draw` keys it (from the finding alone, so it can be stored with the
    #: person's results), and `pick` chooses among every candidate's key (None: nobody)
    draw: Callable[[Reflection], Any] | None = None
    pick: Callable[[Mapping[str, Any]], str | None] | None = None

    @property
    def words(self) -> KindWords:
        return KIND_WORDS[self.name]

    @property
    def title(self) -> str:
        return self.words.title


def _never_first(value: dt.date | None) -> tuple[int, dt.date]:
    return (0, dt.date.min) if value is None else (1, value)


def _by_date(r: Reflection) -> tuple[Any, ...]:
    return (r.data["date"],)


def _by_count(r: Reflection) -> tuple[Any, ...]:
    return (-r.data["count"],)


#: Every kind, in report order (the order of docs/format.md's table of kinds).
SPECS: tuple[KindSpec, ...] = (
    KindSpec(
        "reach_out",
        rules.reach_out,
        # never contacted first of all, then most overdue
        lambda r: (r.data["overdue_days"] is not None, -(r.data["overdue_days"] or 0)),
    ),
    KindSpec(
        "share",
        rules.share,
        _by_count,
        logs_flag="shared",
    ),
    KindSpec(
        "listen",
        rules.listen,
        _by_count,
        logs_flag="heard",
    ),
    KindSpec(
        "deep",
        rules.deep,
        # never first, then the longest without (earliest last deep)
        lambda r: _never_first(r.data["last_deep"]),
        logs_flag="deep",
    ),
    KindSpec(
        "birthday",
        rules.birthday,
        _by_date,
        # each year's birthday is its own item, and each relation's (an id field that
        # is absent, as `relation` on their own birthday, is left out of the id)
        id_fields=("date", "relation"),
        stays_after_tick=True,
        countdown=True,
    ),
    KindSpec(
        "date",
        rules.date,
        _by_date,
        id_fields=("label", "date", "relation"),
        stays_after_tick=True,
        countdown=True,
    ),
    KindSpec(
        "follow_up",
        rules.follow_up,
        _by_date,
        id_fields=("source_file", "date", "text"),
        countdown=True,
    ),
    KindSpec(
        "celebrate",
        rules.celebrate,
        _by_date,
        id_fields=("date", "text"),
        stays_after_tick=True,
    ),
    KindSpec(
        "drift",
        rules.drift,
        # the most broken rhythm first: the most usual gaps since the last contact
        lambda r: (-r.data["days_since"] / r.data["rhythm_days"],),
    ),
    KindSpec(
        "surprise",
        rules.surprise,
        lambda r: (),
        id_fields=("week",),  # each week's is its own item
        stays_after_tick=True,  # ticked, it stays this week's (`rules.SURPRISE_TICK`)
        alone=True,
        draw=lambda r: weekly.draw(r.person, r.data["week"]),
        pick=weekly.pick,
    ),
)

KIND: dict[str, KindSpec] = {spec.name: spec for spec in SPECS}
#: Kind names in report order.
KINDS: tuple[str, ...] = tuple(KIND)

_RANK = {name: i for i, name in enumerate(KINDS)}
#: the rules of the kinds found per person, and the kinds picked for the whole vault
_RULES = tuple(spec.rule for spec in SPECS if spec.pick is None)
_PICKED = tuple(spec for spec in SPECS if spec.pick is not None)
#: kind → person → their candidate's draw (`KindSpec.draw`)
Pools = dict[str, dict[str, Any]]


def _comparable(value: Any) -> tuple[Any, ...]:
    """A key that never compares None (or two different types) with each other."""
    if value is None:
        return (0, "", 0)
    return (1, type(value).__name__, value)


def _no_urgency(_: Reflection) -> tuple[Any, ...]:
    return ()


def _order(r: Reflection) -> tuple[Any, ...]:
    spec = KIND.get(r.kind)
    kind_rank = _RANK.get(r.kind, len(KINDS))
    urgency = (spec.urgency if spec is not None else _no_urgency)(r)
    rest = tuple((key, _comparable(value)) for key, value in r.data.items())
    return (kind_rank, r.kind, urgency, r.person.casefold(), r.person, rest, r.file, r.reason)


def reflect_person(
    person: Person, vault: Vault, today: dt.date, config: Config
) -> list[Reflection]:
    """Every rule of the kinds found per person, for one person, unordered (the index
    caches these per person)."""
    return [found for rule in _RULES for found in rule(person, vault, today, config)]


def candidates(
    person: Person, vault: Vault, today: dt.date, config: Config, mine: Sequence[Reflection]
) -> list[Reflection]:
    """One person's findings of the kinds picked for the whole vault (`KindSpec.pick`),
    given `mine`, what `reflect_person` found for them; at most one per kind."""
    return [
        found
        for spec in _PICKED
        if not (spec.alone and mine)
        for found in spec.rule(person, vault, today, config)[:1]
    ]


def add_draws(pools: Pools, found: Iterable[Reflection]) -> None:
    """Enter one person's candidates into the pools."""
    for r in found:
        draw = KIND[r.kind].draw
        if draw is not None:
            pools.setdefault(r.kind, {})[r.person] = draw(r)


def picks(pools: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """kind → the person picked among the kind's candidates (kinds nobody is picked for
    are left out)."""
    out: dict[str, str] = {}
    for spec in _PICKED:
        pool = pools.get(spec.name)
        chosen = spec.pick(pool) if pool and spec.pick is not None else None
        if chosen is not None:
            out[spec.name] = chosen
    return out


def _lead(r: Reflection) -> tuple[Any, ...]:
    """The first fields of `_order`: they almost always settle it."""
    spec = KIND.get(r.kind)
    urgency = (spec.urgency if spec is not None else _no_urgency)(r)
    return (_RANK.get(r.kind, len(KINDS)), r.kind, urgency, r.person.casefold(), r.person)


def order(reflections: Iterable[Reflection]) -> list[Reflection]:
    """Kind (KINDS order), then urgency, then name (case-insensitive, then exact), then
    the remaining fields, so equal inputs always give an identical list.

    Sorted by `_lead` (a prefix of `_order`), then each run of equal leads by `_order`:
    the same list as one sort by `_order` (both stable), without building every
    reflection's remaining fields (thousands when most people are due)."""
    found = list(reflections)
    leads = [_lead(r) for r in found]
    at = sorted(range(len(found)), key=leads.__getitem__)
    out = [found[i] for i in at]
    start = 0
    for end in range(1, len(at) + 1):
        if end == len(at) or leads[at[end]] != leads[at[start]]:
            if end - start > 1:
                out[start:end] = sorted(out[start:end], key=_order)
            start = end
    return out


def reflect(vault: Vault, today: dt.date, config: Config) -> list[Reflection]:
    """Every rule for every person, and the person picked for each kind picked for the
    whole vault, in a total, deterministic order."""
    found: list[Reflection] = []
    pools: Pools = {}
    offered: dict[tuple[str, str], Reflection] = {}
    for person in vault.people.values():
        mine = reflect_person(person, vault, today, config)
        found += mine
        if _PICKED:
            extra = candidates(person, vault, today, config, mine)
            add_draws(pools, extra)
            offered.update(((r.kind, r.person), r) for r in extra)
    found += [offered[(kind, name)] for kind, name in picks(pools).items()]
    return order(found)


