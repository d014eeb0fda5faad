"""Reflections for `today`, recomputed only for the people a change can affect.

The index keeps, per person, the reflections and last contact of the last run (`derived`),
valid for one `today` (a config change empties the whole index). When notes change, the
people they can touch are worked out from the index alone:

- a changed person note touches that person (before and after);
- a changed daily note touches everyone it links, before and after;
- a changed name or alias touches every person who claims that key now or claimed it
  before, since links to the key may now resolve differently.

Everyone else keeps their cached result. A new `today`, or a cache without results, is a
full pass. `tests/test_incremental.py` proves both paths give the same note.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import marshal
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .config import Config
from .index import ROSTER, Changes, Index, decode_person, encode_person, person_keys
from .model import Claim, Interaction, NoteRecord, Person, Problem, Reflection, Vault
from .reflect import order, reflect_person, until
from .vault import LoadStats, Roster, Walk, assemble, roster, sort_problems, update_index


@dataclass
class Result:
    """What a run needs to report and render, without a whole `Vault` in memory."""

    reflections: list[Reflection]  # ordered
    people: dict[str, Person]  # at least everyone with a reflection
    last: dict[str, Interaction]  # their last contact on or before today
    problems: list[Problem]
    stats: LoadStats
    people_count: int
    #: digest of every due person's stored payload: equal digests, equal note content
    content: str


def content_digest(payloads: dict[str, bytes]) -> str:
    """A digest of the due people's payloads (person, reflections, last contact).

    The payloads are what the note is rendered from, so hashing their stored text keys
    the note's content without decoding or encoding a single reflection again.
    """
    h = hashlib.sha256()
    for name in sorted(payloads):
        h.update(f"{len(name)}:{name}{len(payloads[name])}:".encode())
        h.update(payloads[name])
    return h.hexdigest()


def last_contact(vault: Vault, name: str, today: dt.date) -> Interaction | None:
    """The last interaction on or before today."""
    past = until(vault.interactions.get(name, ()), today)
    return past[-1] if past else None


def compute(root: Path, config: Config, today: dt.date, index: Index, walked: Walk) -> Result:
    stats = LoadStats(files=walked.count)
    state = today.isoformat()
    changes = update_index(root, config, index, walked, stats)
    if not changes.unchanged:
        # Everything was parsed just now (a cold index): work from the records in memory
        # and leave the index alone until the end, while it is being written.
        fresh = list(changes.new.values())
        who = roster((Claim.of(r.person) for r in fresh if r.person is not None), config)
        problems = _problems(walked, who, fresh)
        result = _full_pass(root, config, today, index, who, fresh, problems, stats, state)
        _remember_roster(index, who)
        return result
    who = _roster(index, config)
    problems = _problems(walked, who, index.records_with_problems())
    if not index.derived_hold(state, changes.base):
        records = [*index.records(changes.unchanged).values(), *changes.new.values()]
        return _full_pass(root, config, today, index, who, records, problems, stats, state)
    affected = _affected(changes, who, index)
    if affected:
        stats.reflected = _partial_pass(root, config, today, index, who, affected)
    elif changes.any:  # the results still hold for the records just stored: say so
        index.put_derived([], replace_all=False, state=state)
    return _from_cache(index, problems, stats, len(who.paths))


def _problems(walked: Walk, who: Roster, records: Iterable[NoteRecord]) -> list[Problem]:
    found = (p for rec in records if rec.problems for p in rec.problems)
    return sort_problems([*walked.problems, *who.problems, *found])


def _full_pass(
    root: Path,
    config: Config,
    today: dt.date,
    index: Index,
    who: Roster,
    records: list[NoteRecord],
    problems: list[Problem],
    stats: LoadStats,
    state: str,
) -> Result:
    vault = assemble(root, records, config, (), who)
    found: list[Reflection] = []
    rows = []
    people: dict[str, Person] = {}
    last: dict[str, Interaction] = {}
    due: dict[str, bytes] = {}
    for name, person in vault.people.items():
        mine = reflect_person(person, vault, today, config)
        contact = last_contact(vault, name, today)
        payload = _payload(person, mine, contact)
        rows.append((name, payload, bool(mine)))
        if mine:
            found.extend(mine)
            people[name] = person
            due[name] = payload
            if contact is not None:
                last[name] = contact
    index.put_derived(rows, replace_all=True, state=state)
    stats.reflected = len(rows)
    content = content_digest(due)
    return Result(order(found), people, last, problems, stats, len(vault.people), content)


def _roster(index: Index, config: Config) -> Roster:
    """Who is who, from the roster remembered with the claims, else built from them.

    The index forgets the remembered roster in the same transaction that changes any
    claim (a name, an alias, a circle or their lines), so a remembered one is current.
    """
    saved = index.get_blob(ROSTER)
    if saved is not None:
        try:
            paths, names, problems = marshal.loads(saved)
            return Roster(paths, names, [Problem(*p) for p in problems])
        except (ValueError, EOFError, TypeError):
            pass
    who = roster(index.claims(), config)
    _remember_roster(index, who)
    return who


def _remember_roster(index: Index, who: Roster) -> None:
    problems = [(p.path, p.line, p.message, p.severity, p.col) for p in who.problems]
    index.remember(ROSTER, marshal.dumps((who.paths, who.names, problems)))


def _affected(changes: Changes, who: Roster, index: Index) -> set[str]:
    """Names of the people whose results may differ after these changes."""
    touched: set[str] = set()
    changed_keys: set[str] = set()
    for path in {*changes.new, *changes.old}:
        before, after = changes.old.get(path), changes.new.get(path)
        for rec in (before, after):
            if rec is None:
                continue
            if rec.person is not None:
                touched.add(rec.person.name)
            if rec.kind == "daily":
                touched.update(_linked(rec, who))
        old_keys = person_keys(before) if before else ()
        new_keys = person_keys(after) if after else ()
        if old_keys != new_keys:
            changed_keys.update(old_keys, new_keys)
    if changed_keys:
        touched.update(c.name for c in index.claims() if changed_keys.intersection(c.keys))
    return touched


def _linked(rec: NoteRecord, who: Roster) -> set[str]:
    found = (who.names.get(link.casefold()) for e in rec.entries for link in e.links)
    return {name for name in found if name}


def _partial_pass(
    root: Path,
    config: Config,
    today: dt.date,
    index: Index,
    who: Roster,
    affected: set[str],
) -> int:
    present = [name for name in sorted(affected) if name in who.paths]
    paths = {who.paths[name] for name in present} | index.paths_linking(index.keys_of(affected))
    vault = assemble(root, index.records(paths).values(), config, (), who)
    rows = []
    for name in present:
        person = vault.people.get(name)
        if person is None:  # its note no longer parses: nothing to say about them
            continue
        mine = reflect_person(person, vault, today, config)
        rows.append((name, _payload(person, mine, last_contact(vault, name, today)), bool(mine)))
    gone = sorted(affected - {name for name, _, _ in rows})
    index.put_derived(rows, replace_all=False, drop=gone, state=today.isoformat())
    return len(rows)


def _from_cache(index: Index, problems: list[Problem], stats: LoadStats, count: int) -> Result:
    found: list[Reflection] = []
    people: dict[str, Person] = {}
    last: dict[str, Interaction] = {}
    due = index.derived(due_only=True)
    for name, payload in due.items():
        person, mine, contact = _unpayload(name, payload)
        found.extend(mine)
        people[name] = person
        if contact is not None:
            last[name] = contact
    return Result(order(found), people, last, problems, stats, count, content_digest(due))


# -- payload: one person's results, marshalled ------------------------------------------


def _payload(
    person: Person, reflections: Iterable[Reflection], contact: Interaction | None
) -> bytes:
    """Marshal's version 0, which writes equal values as equal bytes (later versions
    vary with which objects happen to be shared), since the note's key hashes these."""
    found = list(reflections)
    last = None
    if contact is not None:
        last = [
            contact.date.isoformat(),
            contact.text,
            contact.file,
            contact.line,
            sorted(contact.flags),
        ]
    # the person is needed only to render their reflections
    mine = encode_person(person) if found else None
    return marshal.dumps((mine, [r.to_json() for r in found], last), 0)


def _unpayload(name: str, payload: bytes) -> tuple[Person, list[Reflection], Interaction | None]:
    mine, reflections, last = marshal.loads(payload)
    found = [Reflection.from_json(item) for item in reflections]
    contact = None
    if last is not None:
        day, text, file, line, flags = last
        contact = Interaction(name, dt.date.fromisoformat(day), text, file, line, frozenset(flags))
    return decode_person(mine), found, contact
