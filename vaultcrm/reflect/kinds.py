"""One record per reflection kind (`KindSpec`), in report order, and running them all.

Everything vaultcrm knows about a kind is its record here, and no other module names a
kind: the rule that finds it, how urgent one is within its section, its words
(`vaultcrm.words.KIND_WORDS`), where it puts its person in the note's focus list, which
fields tell two items apart in the note, what a tick does and whether the item stays
listed after one (and for how long), whether the note recalls the last open exchange for
it or its reason quotes an interaction, the settings that tune it, whether the watcher
reports a change in its details, the flag it is built on (silent until the vault uses
it), which of its items only say the person is not in the notes yet, and, for a kind
reported for one person of the whole vault at a time (`alone`, `eligible`, `draw`,
`pick`), who may be picked and how.

Adding a kind is one record below, one rule function (`rules.py`), its words
(`words.py`), and one branch in the note's template; `tests/test_kinds.py` fails until
each is there. `KIND` is the live registry: `KIND.registered(spec)` adds a kind for a
block (a test's own kind) and takes it away after.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from vaultcrm.config import Config, longest_horizon
from vaultcrm.model import Person, Reflection, Vault
from vaultcrm.reflect import rules
from vaultcrm.reflect import surprise as weekly
from vaultcrm.words import KIND_WORDS, KindWords

Rule = Callable[[Person, Vault, dt.date, Config], list[Reflection]]
Urgency = Callable[[Reflection], tuple[Any, ...]]
Data = Mapping[str, Any]


@dataclass(frozen=True)
class Focus:
    """Where an item of the kind puts its person in the note's focus list
    (`output/focus.py`, docs/templates.md). Tiers, most urgent first: 0, something that
    cannot wait (`pressing`); 1, due to reach out, ranked by `rank`; 2, the rest, the
    nearest date ahead first (`dated`: the item's `date`), people without one last."""

    tier: Literal[1, 2] = 2
    #: the item's date when it cannot wait (today, overdue, a fresh win), else None;
    #: None for a kind whose items never do
    pressing: Callable[[Data], dt.date | None] | None = None
    #: tier 1's order, smallest first
    rank: Callable[[Data], Any] | None = None
    #: tier 2 orders by the item's `date`
    dated: bool = False


@dataclass(frozen=True)
class KindSpec:
    """Everything about one kind of reflection."""

    name: str
    rule: Rule
    #: most urgent first within the kind's section (a sort key)
    urgency: Urgency
    #: what the kind is called where a user meets it (its `words.py` entry)
    words: KindWords
    focus: Focus = Focus()
    #: fields that tell two items of the kind for one person apart (the note's task id)
    id_fields: tuple[str, ...] = ()
    #: what ticking an item does: "log", a dated line (`words.logged`) in the person's
    #: note; "task", the task the item came from ticked off (one from a `follow_up:`
    #: field, which has no task line, is logged)
    tick: Literal["log", "task"] = "log"
    #: the flag a tick's logged line carries (its configured tag), so the ledger sees it
    logs_flag: str | None = None
    #: a ticked item stays listed, ticked, until it is no longer due (`done` in the note)
    stays_after_tick: bool = False
    #: for such a kind, how many days an item is listed (a tick made in a note of an
    #: earlier day is looked up that far back, `app/ticks.py`)
    listed_for: Callable[[Config], int] | None = None
    #: the note recalls the person's last open exchange (#shared, #heard, #deep) for it,
    #: rather than the last contact
    open_context: bool = False
    #: its reason quotes the last interaction carrying this flag, so the note's context
    #: never repeats that interaction
    quotes_flag: str | None = None
    #: the settings of vaultcrm.yaml that tune it (docs/config.md)
    settings: tuple[str, ...] = ()
    #: the watcher reports a change in an item's details (a countdown), not only its arrival
    countdown: bool = False
    #: considered only for a person due for nothing else (of the kinds found per person)
    alone: bool = False
    #: a kind reported for one person of the whole vault: `eligible` says who is a
    #: candidate (the rule's conditions without its reason: it is asked of everyone, and
    #: the rule itself runs for the pick alone, so it must find an item for anyone
    #: eligible; without it, everyone is), `draw` keys a candidate (from their name and
    #: the day, so it can be stored beside the results), and `pick` chooses among every
    #: candidate's key (None: nobody)
    eligible: Callable[[Person, Vault, dt.date, Config], bool] | None = None
    draw: Callable[[str, dt.date], Any] | None = None
    pick: Callable[[Mapping[str, Any]], str | None] | None = None
    #: the flag the kind is built on: silent until some interaction of the vault carries it
    #: (a vault that never writes #deep is not told to go deeper with everyone)
    built_on: str | None = None
    #: whether an item (by its data) says only that the person is not in the notes yet
    #: (never contacted): no urgency, and the note lists those people together, compactly
    not_yet: Callable[[Data], bool] | None = None

    @property
    def title(self) -> str:
        return self.words.title


def _no_urgency(_: Reflection) -> tuple[Any, ...]:
    return ()


def _never_first(value: dt.date | None) -> tuple[int, dt.date]:
    return (0, dt.date.min) if value is None else (1, value)


def _by_date(r: Reflection) -> tuple[Any, ...]:
    return (r.data["date"],)


def _by_count(r: Reflection) -> tuple[Any, ...]:
    return (-r.data["count"],)


def _on_the_day(data: Data) -> dt.date | None:
    return data["date"] if data.get("days_until") == 0 else None  # type: ignore[no-any-return]


def _due_by_now(data: Data) -> dt.date | None:
    return data["date"] if data.get("days_until", 1) <= 0 else None  # type: ignore[no-any-return]


def _its_date(data: Data) -> dt.date | None:
    return data["date"]  # type: ignore[no-any-return]


def _past_cadence(data: Data) -> tuple[float]:
    """Furthest past their cadence in proportion first (days since / cadence). A person
    never contacted is no urgency (`not_yet`): their item never reaches the focus list."""
    since, cadence = data.get("days_since"), data.get("cadence_days") or 1
    return (-(float("inf") if since is None else since / cadence),)


def _horizon(config: Config) -> int:
    """The furthest ahead an item shows, whatever the person's circle (`horizons`)."""
    return longest_horizon(config)


def _celebrate_within(config: Config) -> int:
    return config.celebrate_within


def _a_week(config: Config) -> int:
    """An ISO week's pick is listed from its Monday to its Sunday."""
    return 7


#: Every kind of the package, in report order (the order of docs/format.md's table).
SPECS: tuple[KindSpec, ...] = (
    KindSpec(
        "reach_out",
        rules.reach_out,
        # never contacted first of all, then most overdue
        lambda r: (r.data["overdue_days"] is not None, -(r.data["overdue_days"] or 0)),
        KIND_WORDS["reach_out"],
        focus=Focus(tier=1, rank=_past_cadence),
        settings=("circles", "default_cadence"),
        not_yet=lambda data: data.get("last_contact") is None,
    ),
    KindSpec(
        "share",
        rules.share,
        _by_count,
        KIND_WORDS["share"],
        logs_flag="shared",
        open_context=True,
        settings=("ledger_threshold",),
        built_on="heard",  # their confidences, counted
    ),
    KindSpec(
        "listen",
        rules.listen,
        _by_count,
        KIND_WORDS["listen"],
        logs_flag="heard",
        open_context=True,
        settings=("ledger_threshold",),
        built_on="shared",  # yours, counted
    ),
    KindSpec(
        "deep",
        rules.deep,
        # never first, then the longest without (earliest last deep)
        lambda r: _never_first(r.data["last_deep"]),
        KIND_WORDS["deep"],
        logs_flag="deep",
        open_context=True,
        quotes_flag="deep",
        settings=("deep_circles", "deep_every"),
        built_on="deep",
    ),
    KindSpec(
        "birthday",
        rules.birthday,
        _by_date,
        KIND_WORDS["birthday"],
        focus=Focus(pressing=_on_the_day, dated=True),
        # each year's birthday is its own item, and each relation's (an id field that
        # is absent, as `relation` on their own birthday, is left out of the id)
        id_fields=("date", "relation"),
        stays_after_tick=True,
        listed_for=_horizon,
        settings=("horizon", "horizons"),
        countdown=True,
    ),
    KindSpec(
        "date",
        rules.date,
        _by_date,
        KIND_WORDS["date"],
        focus=Focus(pressing=_on_the_day, dated=True),
        id_fields=("label", "date", "relation"),
        stays_after_tick=True,
        listed_for=_horizon,
        settings=("horizon", "horizons"),
        countdown=True,
    ),
    KindSpec(
        "follow_up",
        rules.follow_up,
        _by_date,
        KIND_WORDS["follow_up"],
        focus=Focus(pressing=_due_by_now, dated=True),
        id_fields=("source_file", "date", "text"),
        tick="task",
        settings=("horizon", "horizons"),
        countdown=True,
    ),
    KindSpec(
        "celebrate",
        rules.celebrate,
        _by_date,
        KIND_WORDS["celebrate"],
        focus=Focus(pressing=_its_date),
        id_fields=("date", "text"),
        stays_after_tick=True,
        listed_for=_celebrate_within,
        quotes_flag="win",
        settings=("celebrate_within",),
        built_on="win",
    ),
    KindSpec(
        "drift",
        rules.drift,
        # the most broken rhythm first: the most usual gaps since the last contact
        lambda r: (-r.data["days_since"] / r.data["rhythm_days"],),
        KIND_WORDS["drift"],
        # it gives way to reach_out once their cadence is reached
        settings=("circles", "default_cadence"),
    ),
    KindSpec(
        "surprise",
        rules.surprise,
        _no_urgency,
        KIND_WORDS["surprise"],
        id_fields=("week",),  # each week's is its own item
        stays_after_tick=True,  # ticked, it stays this week's (`rules.SURPRISE_TICK`)
        listed_for=_a_week,
        settings=("surprise", "deep_circles"),
        alone=True,
        eligible=rules.surprise_candidate,
        draw=lambda name, today: weekly.draw(name, weekly.week_of(today)),
        pick=weekly.pick,
    ),
)


class Registry(Mapping[str, KindSpec]):
    """The kinds, by name, in report order: a mapping every module reads at the moment it
    needs a kind, so a kind `registered` for a block (a test's own) is seen everywhere."""

    def __init__(self, specs: Iterable[KindSpec]) -> None:
        self._set(tuple(specs))

    def _set(self, specs: tuple[KindSpec, ...]) -> None:
        self.specs = specs
        self._by_name = {spec.name: spec for spec in specs}
        self.names: tuple[str, ...] = tuple(self._by_name)
        self._rank = {name: i for i, name in enumerate(self.names)}
        #: the rules of the kinds found per person, and the kinds picked for the vault
        self.rules: tuple[Rule, ...] = tuple(spec.rule for spec in specs if spec.pick is None)
        self.picked: tuple[KindSpec, ...] = tuple(spec for spec in specs if spec.pick)
        #: (rule, the flag it is built on) of every kind found per person, in report order
        self.built: tuple[tuple[Rule, str | None], ...] = tuple(
            (spec.rule, spec.built_on) for spec in specs if spec.pick is None
        )

    def __getitem__(self, name: str) -> KindSpec:
        return self._by_name[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)

    def rank(self, name: str) -> int:
        """Its place in report order; a kind not registered comes after every other."""
        return self._rank.get(name, len(self.names))

    @contextlib.contextmanager
    def registered(self, *specs: KindSpec) -> Iterator[None]:
        """These kinds too (after the others, in report order), with their words, for
        the duration of the block."""
        before, words = self.specs, dict(KIND_WORDS)
        self._set(before + specs)
        KIND_WORDS.update({spec.name: spec.words for spec in specs})
        try:
            yield
        finally:
            self._set(before)
            KIND_WORDS.clear()
            KIND_WORDS.update(words)


#: Every kind, live (see `Registry`): `KIND[name]` is a kind's record, `KIND.names` the
#: kinds in report order.
KIND = Registry(SPECS)

#: kind → person → their candidate's draw (`KindSpec.draw`)
Pools = dict[str, dict[str, Any]]


def silent_kinds(used: frozenset[str] | None) -> tuple[str, ...]:
    """The kinds silent in a vault whose interactions carry the flags `used` (None: no
    kind is silent), in report order."""
    if used is None:
        return ()
    return tuple(
        s.name for s in KIND.specs if s.built_on is not None and s.built_on not in used
    )


def not_yet(kind: str, data: Data) -> bool:
    """Whether an item of `kind` with `data` only says its person is not in the notes
    yet (`KindSpec.not_yet`)."""
    spec = KIND.get(kind)
    return spec is not None and spec.not_yet is not None and spec.not_yet(data)


def _comparable(value: Any) -> tuple[Any, ...]:
    """A key that never compares None (or two different types) with each other."""
    if value is None:
        return (0, "", 0)
    return (1, type(value).__name__, value)


def _order(r: Reflection) -> tuple[Any, ...]:
    spec = KIND.get(r.kind)
    kind_rank = KIND.rank(r.kind)
    urgency = (spec.urgency if spec is not None else _no_urgency)(r)
    rest = tuple((key, _comparable(value)) for key, value in r.data.items())
    return (kind_rank, r.kind, urgency, r.person.casefold(), r.person, rest, r.file, r.reason)


def reflect_person(
    person: Person, vault: Vault, today: dt.date, config: Config
) -> list[Reflection]:
    """Every rule of the kinds found per person, for one person, unordered (the index
    caches these per person); a rule built on a flag the vault never uses stays silent
    (`KindSpec.built_on`)."""
    used = vault.flags_used
    if used is None:
        return [found for rule in KIND.rules for found in rule(person, vault, today, config)]
    return [
        found
        for rule, flag in KIND.built
        if flag is None or flag in used
        for found in rule(person, vault, today, config)
    ]


def candidacies(
    person: Person, vault: Vault, today: dt.date, config: Config, mine: Sequence[Reflection]
) -> tuple[str, ...]:
    """The kinds picked for the whole vault (`KindSpec.pick`) that `person` is a
    candidate for, given `mine`, what `reflect_person` found for them."""
    return tuple([
        spec.name
        for spec in KIND.picked
        if not (spec.alone and mine)
        and (spec.eligible is None or spec.eligible(person, vault, today, config))
    ])  # fmt: skip


def add_draws(pools: Pools, name: str, kinds: Iterable[str], today: dt.date) -> None:
    """Enter one person, a candidate for `kinds`, into those kinds' pools."""
    for kind in kinds:
        draw = KIND[kind].draw
        pools.setdefault(kind, {})[name] = draw(name, today) if draw is not None else None


def picks(pools: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """kind → the person picked among the kind's candidates (kinds nobody is picked for
    are left out)."""
    out: dict[str, str] = {}
    for spec in KIND.picked:
        pool = pools.get(spec.name)
        chosen = spec.pick(pool) if pool and spec.pick is not None else None
        if chosen is not None:
            out[spec.name] = chosen
    return out


def picked(
    kind: str, person: Person, vault: Vault, today: dt.date, config: Config
) -> Reflection | None:
    """The item of a picked kind for the person picked: its rule, run for them alone
    (`vault` holds at least everything of theirs)."""
    found = KIND[kind].rule(person, vault, today, config)
    return found[0] if found else None


def _lead(r: Reflection) -> tuple[Any, ...]:
    """The first fields of `_order`: they almost always settle it."""
    spec = KIND.get(r.kind)
    urgency = (spec.urgency if spec is not None else _no_urgency)(r)
    return (KIND.rank(r.kind), r.kind, urgency, r.person.casefold(), r.person)


def order(reflections: Iterable[Reflection]) -> list[Reflection]:
    """Kind (report order), then urgency, then name (case-insensitive, then exact), then
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
    for person in vault.people.values():
        mine = reflect_person(person, vault, today, config)
        found += mine
        if KIND.picked:
            add_draws(pools, person.name, candidacies(person, vault, today, config, mine), today)
    for kind, name in picks(pools).items():
        item = picked(kind, vault.people[name], vault, today, config)
        if item is not None:
            found.append(item)
    return order(found)
