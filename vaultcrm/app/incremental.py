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
vault (`surprise`) is stored as each person's candidacy, and the candidates' draws are
kept beside the results (`POOLS`), updated person by person as the chart's totals are;
the pick is made from them on every run. A new `today`, or a cache without results, is a
full pass. `tests/test_incremental.py` proves both paths give the same note.
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
    StoredResults,
    decode_candidates,
    decode_counts,
    decode_flag_counts,
    decode_flags,
    decode_results,
    decode_roster,
    decode_totals,
    encode_flag_counts,
    encode_results,
    encode_roster,
    encode_totals,
    encoded_person,
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
from vaultcrm.reflect.kinds import Pools, add_draws, candidates, order, picks, reflect_person
from vaultcrm.reflect.recall import last_contact, last_open, person_flags, wants_open
from vaultcrm.reflect.rules import until

#: meta key of the chart's totals, written with the per-person results they sum
CHART = "chart_totals"
#: meta key of the candidates' draws per picked kind, written with the results they come from
POOLS = "picked_pools"
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
    pools = None
    if affected:
        partial = _partial_pass(session, who, affected)
        if partial is None:  # a flag came into use, or went out of it: everyone
            records = [*index.records(changes.unchanged).values(), *changes.new.values()]
            return _full_pass(session, who, records, problems, state)
        stats.reflected, pools = partial
    elif changes.any:  # the results still hold for the records just stored: say so
        index.put_derived([], replace_all=False, state=state)
    return _from_cache(session, problems, who, pools)


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
    #: (kind, name) → a candidate's finding, stored results, person and last contact
    offered: dict[tuple[str, str], tuple[Reflection, bytes, Person, Interaction | None]] = {}
    in_use: dict[str, int] = {}
    for name, person in vault.people.items():
        mine = reflect_person(person, vault, today, config)
        extra = candidates(person, vault, today, config, mine)
        contact = last_contact(vault, name, today)
        exchange = last_open(vault, name, today) if wants_open(mine) else None
        counts = _counts(vault, name, today, config)
        charts.add(total, counts)
        flags = person_flags(vault, name)
        _count_flags(in_use, flags)
        payload = encode_results(person, mine, contact, exchange, counts, extra, flags)
        rows.append((name, payload, bool(mine)))
        if extra:
            add_draws(pools, extra)
            offered.update(((r.kind, name), (r, payload, person, contact)) for r in extra)
        if mine:
            found.extend(mine)
            people[name] = person
            due[name] = payload
            if contact is not None:
                last[name] = contact
            if exchange is not None:
                opened[name] = exchange
    chosen = picks(pools)
    picked_people: dict[str, bytes] = {}
    for kind, name in chosen.items():
        r, payload, person, contact = offered[(kind, name)]
        found.append(r)
        due.setdefault(name, payload)
        people[name] = person
        picked_people[name] = encoded_person(person)
        if contact is not None:
            last[name] = contact
    meta = {
        CHART: encode_totals(total),
        POOLS: marshal.dumps(pools),
        FLAGS_USED: encode_flag_counts(in_use),
    }
    index.put_derived(rows, replace_all=True, state=state, meta=meta)
    stats.reflected = len(rows)
    content = plan.content_digest(due, chosen, picked_people)
    return Outcome(
        root, config, today, order(found), problems, stats, people, last, len(vault.people),
        content, opened, charts.chart_of(total, today),
    )  # fmt: skip


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


def _partial_pass(
    session: ReadSession, who: Roster, affected: set[str]
) -> tuple[int, Pools] | None:
    """Reflect the affected people again, correcting the stored totals person by person;
    how many, and the candidates' draws now. None (nothing stored) when the flags the
    vault uses would change: that is everyone's."""
    config, today, index = session.config, session.today, session.index
    present = [name for name in sorted(affected) if name in who.paths]
    # only links that resolve to them matter: a key they share (a first name claimed by
    # hundreds) or one that now resolves to someone else counts for none of them
    keys = {key for key in index.keys_of(affected) if who.names.get(key) in affected}
    paths = {who.paths[name] for name in present} | index.paths_linking(keys)
    records = index.records(paths)
    # the people their notes name (a partner, a child…): their birthdays are reminded
    around = {who.paths[n] for n in named_people(records.values(), who.names, present)}
    if around - paths:
        records.update(index.records(around - paths))
    vault = session.assemble(records.values(), roster=who)
    saved = index.get_blob(FLAGS_USED)
    in_use = decode_flag_counts(saved) if saved is not None else None
    if in_use is None:
        return None
    before = plan.flags_in_use(in_use)
    total = _chart_totals(index)
    pools = _pools(index)
    for pool in pools.values():
        for name in affected:
            pool.pop(name, None)
    for payload in index.derived_of(affected).values():  # what they counted until now
        charts.add(total, decode_counts(payload), -1)
        _count_flags(in_use, decode_flags(payload), -1)
    flags = {name: person_flags(vault, name) for name in present if name in vault.people}
    for theirs in flags.values():
        _count_flags(in_use, theirs)
    if plan.flags_moved(before, in_use):
        return None
    vault = dataclasses.replace(vault, flags_used=before)  # the whole vault's, not theirs
    rows = []
    for name in present:
        person = vault.people.get(name)
        if person is None:  # its note no longer parses: nothing to say about them
            continue
        mine = reflect_person(person, vault, today, config)
        extra = candidates(person, vault, today, config, mine)
        add_draws(pools, extra)
        contact = last_contact(vault, name, today)
        exchange = last_open(vault, name, today) if wants_open(mine) else None
        counts = _counts(vault, name, today, config)
        charts.add(total, counts)
        payload = encode_results(person, mine, contact, exchange, counts, extra, flags[name])
        rows.append((name, payload, bool(mine)))
    gone = sorted(affected - {name for name, _, _ in rows})
    index.put_derived(
        rows,
        replace_all=False,
        drop=gone,
        state=today.isoformat(),
        meta={
            CHART: encode_totals(total),
            POOLS: marshal.dumps(pools),
            FLAGS_USED: encode_flag_counts(in_use),
        },
    )
    return len(rows), pools


def _pools(index: Index) -> Pools:
    """The candidates' draws as last stored with the results; gathered again from every
    stored result when missing."""
    saved = index.get_blob(POOLS)
    if saved is not None:
        try:
            pools = marshal.loads(saved)
        except BROKEN:
            pools = None
        if isinstance(pools, dict):
            return pools
    pools = {}
    for payload in index.derived().values():
        add_draws(pools, decode_candidates(payload))
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
    session: ReadSession, problems: list[Problem], who: Roster, pools: Pools | None = None
) -> Outcome:
    root, config, today, index = session.root, session.config, session.today, session.index
    stats = session.stats
    found: list[Reflection] = []
    stored = StoredResults()
    due = index.derived(due_only=True)
    for name, payload in due.items():
        found.extend(decode_results(name, payload, stored))
    chosen = picks(_pools(index) if pools is None else pools)
    picked_people: dict[str, bytes] = {}
    if chosen:  # one person each, due for nothing else: their results are read now,
        # and their person from their note's record (a candidate's results leave it out)
        theirs = index.derived_of(set(chosen.values()))
        notes = index.records({who.paths[n] for n in chosen.values() if n in who.paths})
        for kind, name in chosen.items():
            picked = theirs.get(name)
            record = notes.get(who.paths.get(name, ""))
            person = record.person if record is not None else None
            if picked is None or person is None:
                continue
            if name not in due:
                decode_results(name, picked, stored)
                stored.people.keep(name, person)
                due[name] = picked
            picked_people[name] = encoded_person(person)
            found.extend(r for r in decode_candidates(picked, stored) if r.kind == kind)
    content = plan.content_digest(due, chosen, picked_people)
    chart = charts.chart_of(_chart_totals(index), today)
    return Outcome(
        root, config, today, order(found), problems, stats, stored.people, stored.last,
        len(who.paths), content, stored.open, chart, stored,
    )  # fmt: skip
