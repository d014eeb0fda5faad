"""One record per reflection kind (`KindSpec`), in report order, and running them all.

Everything vaultcrm knows about a kind is its record here: the rule that finds it, how
urgent one is within its section, its words (`vaultcrm.words.KIND_WORDS`), which fields
tell two items apart in the note, what a tick logs and whether the item stays listed after
one, and whether the watcher reports a change in its details.
Adding a kind is one record below, one rule function (`rules.py`), its words, and one
template block; `tests/test_kinds.py` proves every kind has every entry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from vaultcrm.config import Config
from vaultcrm.model import Person, Reflection, Vault
from vaultcrm.reflect import rules
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
    #: the flag the kind is built on: silent until some interaction of the vault carries it
    #: (a vault that never writes #deep is not told to go deeper with everyone)
    built_on: str | None = None
    #: whether an item (by its data) says only that the person is not in the notes yet
    #: (never contacted): no urgency, and the note lists those people together, compactly
    not_yet: Callable[[Mapping[str, Any]], bool] | None = None

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
        not_yet=lambda data: data.get("last_contact") is None,
    ),
    KindSpec(
        "share",
        rules.share,
        _by_count,
        logs_flag="shared",
        built_on="heard",  # their confidences, counted
    ),
    KindSpec(
        "listen",
        rules.listen,
        _by_count,
        logs_flag="heard",
        built_on="shared",  # yours, counted
    ),
    KindSpec(
        "deep",
        rules.deep,
        # never first, then the longest without (earliest last deep)
        lambda r: _never_first(r.data["last_deep"]),
        logs_flag="deep",
        built_on="deep",
    ),
    KindSpec(
        "birthday",
        rules.birthday,
        _by_date,
        id_fields=("date",),  # each year's birthday is its own item
        stays_after_tick=True,
        countdown=True,
    ),
    KindSpec(
        "date",
        rules.date,
        _by_date,
        id_fields=("label", "date"),
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
        built_on="win",
    ),
)

KIND: dict[str, KindSpec] = {spec.name: spec for spec in SPECS}
#: Kind names in report order.
KINDS: tuple[str, ...] = tuple(KIND)

_RANK = {name: i for i, name in enumerate(KINDS)}
_RULES = tuple(spec.rule for spec in SPECS)
#: (rule, the flag it is built on) of every kind, in report order
_BUILT = tuple((spec.rule, spec.built_on) for spec in SPECS)


def silent_kinds(used: frozenset[str] | None) -> tuple[str, ...]:
    """The kinds silent in a vault whose interactions carry the flags `used` (None: no
    kind is silent), in report order."""
    if used is None:
        return ()
    return tuple(s.name for s in SPECS if s.built_on is not None and s.built_on not in used)


def not_yet(kind: str, data: Mapping[str, Any]) -> bool:
    """Whether an item of `kind` with `data` only says its person is not in the notes
    yet (`KindSpec.not_yet`)."""
    spec = KIND.get(kind)
    return spec is not None and spec.not_yet is not None and spec.not_yet(data)


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
    """Every rule for one person, unordered (the index caches these per person); a rule
    built on a flag the vault never uses stays silent (`KindSpec.built_on`)."""
    used = vault.flags_used
    if used is None:
        return [found for rule in _RULES for found in rule(person, vault, today, config)]
    return [
        found
        for rule, flag in _BUILT
        if flag is None or flag in used
        for found in rule(person, vault, today, config)
    ]


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
    """Every rule for every person, in a total, deterministic order."""
    return order(
        found
        for person in vault.people.values()
        for found in reflect_person(person, vault, today, config)
    )


