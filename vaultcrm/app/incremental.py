"""Reflections for `today`, recomputed only for the people a change can affect.

The index keeps, per person, the reflections and last contact of the last run (`derived`),
valid for one `today` (a config change empties the whole index). When notes change, the
people they can touch are worked out from the index alone:

- a changed person note touches that person (before and after);
- a changed daily or meeting note touches everyone it links, before and after;
- a changed name or alias touches every person who claims that key now or claimed it
  before, since links to the key may now resolve differently;
- a changed person note touches every person whose note names them as someone around
  them (a partner, a child…), whose reminders carry their birthday and dates.
- a flag the vault starts or stops using (the first `#deep` anywhere) touches everyone:
  a kind built on it speaks or falls silent for people whose notes did not change
  (`plan.flags_moved`; each person's flags are stored with their results, and the count
  of people per flag beside them, so a change is seen without reading anyone else).

Everyone else keeps their cached result. A kind picked for one person of the whole
vault (`surprise`) is stored as each person's candidacy (the kind's name), and the
candidates' draws are kept beside the results (`POOLS`), updated person by person as the
chart's totals are; the pick is made from them on every run, and its item (the kind's
rule, run for the pick alone, from their notes) is kept beside them too (`PICKED`) until
the pick or their notes change. A new `today`, or a cache without results, is a full
pass. `tests/test_incremental.py` proves both paths give the same note.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import marshal
from collections.abc import Iterable

from vaultcrm.app.outcome import Outcome
from vaultcrm.cache import plan
from vaultcrm.cache.codec import (
    BROKEN,
    Pick,
    StoredResults,
    decode_candidacies,
    decode_counts,
    decode_flag_counts,
    decode_flags,
    decode_picks,
    decode_results,
    decode_roster,
    decode_totals,
    encode_flag_counts,
    encode_picks,
    encode_results,
    encode_roster,
    encode_totals,
    pick_of,
)
from vaultcrm.cache.store import ROSTER, Index
from vaultcrm.config import Config
from vaultcrm.model import (
    Claim,
    Interaction,
    NoteRecord,
    Person,
    Problem,
    Reflection,
    Vault,
)
from vaultcrm.read.assemble import Roster, roster, sort_problems
from vaultcrm.read.relations import named_people
from vaultcrm.read.session import ReadSession
from vaultcrm.read.walk import Walk
from vaultcrm.reflect import chart as charts
from vaultcrm.reflect.kinds import (
    Pools,
    add_draws,
    candidacies,
    order,
    picked,
    picks,
    reflect_person,
)
from vaultcrm.reflect.recall import last_contact, last_open, person_flags, wants_open
from vaultcrm.reflect.rules import until

#: meta key of the chart's totals, written with the per-person results they sum
CHART = "chart_totals"
#: meta key of the candidates' draws per picked kind, written with the results they come from
POOLS = "picked_pools"
#: meta key of each picked kind's item and person, written with the draws it comes from
PICKED = "picked_items"
#: meta key of how many people's interactions carry each flag, written with them too
FLAGS_USED = "flags_in_use"


def stored_flags(index: Index) -> frozenset[str] | None:
    """The flags the vault used when its results were last worked out; None when they
    never were (or the record does not decode)."""
    saved = index.get_blob(FLAGS_USED)
    counts = decode_flag_counts(saved) if saved is not None else None
    return None if counts is None else plan.flags_in_use(counts)


def _counts(vault: Vault, name: str, today: dt.date, config: Config) -> charts.Counts:
    if not config.chart:
        return ()
    return charts.person_counts(until(vault.interactions.get(name, ()), today), today)


def compute(session: ReadSession) -> Outcome:
    """The reflections for the session's day, reusing every stored result the changes
    leave valid. Problems are the vault's (walk, roster, notes); the caller adds the
    config's."""
    config, index, walked = session.config, session.index, session.walked
    state = session.today.isoformat()
    changes = session.update()
    stats = session.stats
    if not changes.unchanged:
        # Everything was parsed just now (a cold index): work from the records in memory
        # and leave the index alone until the end, while it is being written.
        fresh = list(changes.new.values())
        who = roster((Claim.of(r.person) for r in fresh if r.person is not None), config)
        problems = _problems(walked, who, fresh)
        result = _full_pass(session, who, fresh, problems, state)
        _remember_roster(index, who)
        return result
    who = _roster(index, config)
    problems = _problems(walked, who, index.records_with_problems())
    if not index.derived_hold(state, changes.base):
        records = [*index.records(changes.unchanged).values(), *changes.new.values()]
        return _full_pass(session, who, records, problems, state)
    affected = plan.affected(changes, who.names, index.claims, index.people_naming)
    chosen = None
    if affected:
        partial = _partial_pass(session, who, affected)
        if partial is None:  # a flag came into use, or went out of it: everyone
            records = [*index.records(changes.unchanged).values(), *changes.new.values()]
            return _full_pass(session, who, records, problems, state)
        stats.reflected, chosen = partial
    elif changes.any:  # the results still hold for the records just stored: say so
        index.put_derived([], replace_all=False, state=state)
    return _from_cache(session, problems, who, chosen)


def _problems(walked: Walk, who: Roster, records: Iterable[NoteRecord]) -> list[Problem]:
    found = (p for rec in records if rec.problems for p in rec.problems)
    return sort_problems([*walked.problems, *who.problems, *found])


def _full_pass(
    session: ReadSession,
    who: Roster,
    records: list[NoteRecord],
    problems: list[Problem],
    state: str,
) -> Outcome:
    root, config, today, index = session.root, session.config, session.today, session.index
    stats = session.stats
    vault = session.assemble(records, roster=who)
    found: list[Reflection] = []
    rows = []
    people: dict[str, Person] = {}
    last: dict[str, Interaction] = {}
    opened: dict[str, Interaction] = {}
    due: dict[str, bytes] = {}
    total = charts.empty()
    pools: Pools = {}
    #: a candidate's stored results and last contact, should they be picked
    offered: dict[str, tuple[bytes, Interaction | None]] = {}
    in_use: dict[str, int] = {}
    for name, person in vault.people.items():
        mine = reflect_person(person, vault, today, config)
        kinds = candidacies(person, vault, today, config, mine)
        contact = last_contact(vault, name, today)
        exchange = last_open(vault, name, today) if wants_open(mine) else None
        counts = _counts(vault, name, today, config)
        charts.add(total, counts)
        flags = person_flags(vault, name)
        _count_flags(in_use, flags)
        payload = encode_results(person, mine, contact, exchange, counts, kinds, flags)
        rows.append((name, payload, bool(mine)))
        if kinds:
            add_draws(pools, name, kinds, today)
            offered[name] = (payload, contact)
        if mine:
            found.extend(mine)
            people[name] = person
            due[name] = payload
            if contact is not None:
                last[name] = contact
            if exchange is not None:
                opened[name] = exchange
    chosen = _picked_in(vault, picks(pools), today, config)
    for name, pick in chosen.values():
        payload, contact = offered[name]
        found.append(pick.item)
        due.setdefault(name, payload)
        people[name] = pick.person
        if contact is not None:
            last[name] = contact
    meta = {
        CHART: encode_totals(total),
        POOLS: marshal.dumps(pools),
        PICKED: encode_picks({kind: pick for kind, (_, pick) in chosen.items()}),
        FLAGS_USED: encode_flag_counts(in_use),
    }
    index.put_derived(rows, replace_all=True, state=state, meta=meta)
    stats.reflected = len(rows)
    content = plan.content_digest(due, *_digested(chosen))
    return Outcome(
        root, config, today, order(found), problems, stats, people, last, len(vault.people),
        content, opened, charts.chart_of(total, today),
    )  # fmt: skip


#: kind → the person picked and their item
Chosen = dict[str, tuple[str, Pick]]


def _picked_in(vault: Vault, chosen: dict[str, str], today: dt.date, config: Config) -> Chosen:
    """The item of each kind's pick, from `vault`, which holds everything of theirs."""
    out: Chosen = {}
    for kind, name in chosen.items():
        person = vault.people[name]
        item = picked(kind, person, vault, today, config)
        if item is not None:
            out[kind] = (name, pick_of(item, person))
    return out


def _digested(chosen: Chosen) -> tuple[dict[str, str], dict[str, bytes]]:
    """`plan.content_digest`'s picks: kind → name, and name → their person and item."""
    return (
        {kind: name for kind, (name, _) in chosen.items()},
        {name: encode_picks({kind: pick}) for kind, (name, pick) in chosen.items()},
    )


def _roster(index: Index, config: Config) -> Roster:
    """Who is who, from the roster remembered with the claims, else built from them.

    The index forgets the remembered roster in the same transaction that changes any
    claim (a name, an alias, a circle or their lines), so a remembered one is current.
    """
    saved = index.get_blob(ROSTER)
    if saved is not None:
        try:
            return Roster(*decode_roster(saved))
        except BROKEN:
            pass
    who = roster(index.claims(), config)
    _remember_roster(index, who)
    return who


def _remember_roster(index: Index, who: Roster) -> None:
    index.remember(ROSTER, encode_roster(who.paths, who.names, who.problems))


def _slice(session: ReadSession, who: Roster, people: set[str]) -> tuple[Vault, list[str]]:
    """The vault as far as `people` go: their notes, the notes linking to them and the
    notes of the people around them; and those of them who have a note, sorted. Only
    their own findings can be read from it."""
    index = session.index
    present = [name for name in sorted(people) if name in who.paths]
    # only links that resolve to them matter: a key they share (a first name claimed by
    # hundreds) or one that now resolves to someone else counts for none of them
    keys = {key for key in index.keys_of(people) if who.names.get(key) in people}
    paths = {who.paths[name] for name in present} | index.paths_linking(keys)
    records = index.records(paths)
    # the people their notes name (a partner, a child…): their birthdays are reminded
    around = {who.paths[n] for n in named_people(records.values(), who.names, present)}
    if around - paths:
        records.update(index.records(around - paths))
    return session.assemble(records.values(), roster=who), present


def _partial_pass(
    session: ReadSession, who: Roster, affected: set[str]
) -> tuple[int, Chosen] | None:
    """Reflect the affected people again, correcting the stored totals person by person;
    how many, and the picks now. None (nothing stored) when the flags the vault uses
    would change: that is everyone's."""
    config, today, index = session.config, session.today, session.index
    vault, present = _slice(session, who, affected)
    saved = index.get_blob(FLAGS_USED)
    in_use = decode_flag_counts(saved) if saved is not None else None
    if in_use is None:
        return None
    before = plan.flags_in_use(in_use)
    total = _chart_totals(index)
    were_candidates = False
    for payload in index.derived_of(affected).values():  # what they counted until now
        charts.add(total, decode_counts(payload), -1)
        _count_flags(in_use, decode_flags(payload), -1)
        were_candidates = were_candidates or bool(decode_candidacies(payload))
    flags = {name: person_flags(vault, name) for name in present if name in vault.people}
    for theirs in flags.values():
        _count_flags(in_use, theirs)
    if plan.flags_moved(before, in_use):
        return None
    vault = dataclasses.replace(vault, flags_used=before)  # the whole vault's, not theirs
    rows = []
    offered: dict[str, tuple[str, ...]] = {}
    for name in present:
        person = vault.people.get(name)
        if person is None:  # its note no longer parses: nothing to say about them
            continue
        mine = reflect_person(person, vault, today, config)
        kinds = candidacies(person, vault, today, config, mine)
        if kinds:
            offered[name] = kinds
        contact = last_contact(vault, name, today)
        exchange = last_open(vault, name, today) if wants_open(mine) else None
        counts = _counts(vault, name, today, config)
        charts.add(total, counts)
        payload = encode_results(person, mine, contact, exchange, counts, kinds, flags[name])
        rows.append((name, payload, bool(mine)))
    gone = sorted(affected - {name for name, _, _ in rows})
    meta = {CHART: encode_totals(total), FLAGS_USED: encode_flag_counts(in_use)}
    # nobody affected was or is a candidate: the draws, and so the picks, stay as stored
    stored = None if were_candidates or offered else _stored_picks(index)
    chosen = None if stored is None else {k: (p.item.person, p) for k, p in stored.items()}
    if chosen is None:
        pools = _pools(index, today)
        for pool in pools.values():
            for name in affected:
                pool.pop(name, None)
        for name, kinds in offered.items():
            add_draws(pools, name, kinds, today)
        chosen = _picks_now(session, who, pools, affected, vault)
        meta[POOLS] = marshal.dumps(pools)
        meta[PICKED] = encode_picks({kind: pick for kind, (_, pick) in chosen.items()})
    index.put_derived(rows, replace_all=False, drop=gone, state=today.isoformat(), meta=meta)
    return len(rows), chosen


def _stored_picks(index: Index, into: StoredResults | None = None) -> dict[str, Pick] | None:
    """The picks as stored beside the draws; None when they are not (or do not decode)."""
    saved = index.get_blob(PICKED)
    return decode_picks(saved, into) if saved is not None else None


def _picks_now(
    session: ReadSession,
    who: Roster,
    pools: Pools,
    changed: set[str],
    vault: Vault | None = None,
    into: StoredResults | None = None,
) -> Chosen:
    """Each kind's pick from `pools` and its item: as stored while the pick and their
    notes are the same (none of the `changed` people), else from their notes (`vault`,
    when it holds everything of theirs: they are among `changed`)."""
    config, today = session.config, session.today
    stored = _stored_picks(session.index, into) or {}
    out: Chosen = {}
    for kind, name in picks(pools).items():
        kept = stored.get(kind)
        if kept is not None and kept.item.person == name and name not in changed:
            out[kind] = (name, kept)
            continue
        theirs = vault
        if theirs is None or name not in changed or name not in theirs.people:
            theirs = _slice(session, who, {name})[0]
        out.update(_picked_in(theirs, {kind: name}, today, config))
    return out


def _pools(index: Index, today: dt.date) -> Pools:
    """The candidates' draws as last stored with the results; drawn again from every
    stored candidacy when missing."""
    saved = index.get_blob(POOLS)
    if saved is not None:
        try:
            pools = marshal.loads(saved)
        except BROKEN:
            pools = None
        if isinstance(pools, dict):
            return pools
    pools = {}
    for name, payload in index.derived().items():
        add_draws(pools, name, decode_candidacies(payload), today)
    return pools


def _count_flags(in_use: dict[str, int], flags: Iterable[str], step: int = 1) -> None:
    for flag in flags:
        in_use[flag] = in_use.get(flag, 0) + step


def _chart_totals(index: Index) -> list[list[int]]:
    """The chart's totals as last stored with the results; summed again from every
    stored result when missing."""
    saved = index.get_blob(CHART)
    total = decode_totals(saved) if saved is not None else None
    if total is not None:
        return total
    total = charts.empty()
    for payload in index.derived().values():
        charts.add(total, decode_counts(payload))
    return total


def _from_cache(
    session: ReadSession,
    problems: list[Problem],
    who: Roster,
    chosen: Chosen | None = None,
) -> Outcome:
    """The outcome from the stored results (with `chosen`, the picks a partial pass just
    stored)."""
    root, config, today, index = session.root, session.config, session.today, session.index
    stats = session.stats
    found: list[Reflection] = []
    stored = StoredResults()
    due = index.derived(due_only=True)
    for name, payload in due.items():
        found.extend(decode_results(name, payload, stored))
    if chosen is None:
        chosen = _picks_now(session, who, _pools(index, today), set(), into=stored)
    if chosen:  # one person each, due for nothing else: their results are read now
        theirs = index.derived_of({name for name, _ in chosen.values()})
        for name, pick in chosen.values():
            results = theirs.get(name)
            if results is None:
                continue
            if name not in due:
                decode_results(name, results, stored)
                stored.people.keep(name, pick.person)
                due[name] = results
            found.append(pick.item)
    content = plan.content_digest(due, *_digested(chosen))
    chart = charts.chart_of(_chart_totals(index), today)
    return Outcome(
        root, config, today, order(found), problems, stats, stored.people, stored.last,
        len(who.paths), content, stored.open, chart, stored,
    )  # fmt: skip
