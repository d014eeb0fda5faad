"""The use cases behind `brief` and `people`: snapshots read through the index, never printed.

`brief` needs one person's history only: their note, the daily notes that link any of
their names and the notes of the people around them, which the index can name without
decoding anything else (the same subset a partial `sync` pass reads). `people` needs
everyone, so it reads every record from the index. Both bring the index up to date
first, exactly as `sync` and `due` do.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
from dataclasses import dataclass

from vaultcrm.app.incremental import stored_flags
from vaultcrm.app.names import resolve_person
from vaultcrm.config import Config
from vaultcrm.errors import VaultcrmError
from vaultcrm.model import Claim, LoadStats, Problem, Reflection, Vault
from vaultcrm.read.assemble import roster, sort_problems
from vaultcrm.read.relations import named_people
from vaultcrm.read.session import ReadSession
from vaultcrm.reflect.brief import Brief, make_brief
from vaultcrm.reflect.kinds import reflect


@dataclass(frozen=True)
class Briefing:
    """A brief, with the problems of the person's own note (shown on stderr)."""

    brief: Brief
    problems: list[Problem]
    stats: LoadStats


@dataclass(frozen=True)
class Snapshot:
    """The whole vault for one `today`: everyone, and every reflection due, ordered."""

    config: Config
    today: dt.date
    vault: Vault
    reflections: list[Reflection]
    problems: list[Problem]
    stats: LoadStats


def brief_of(session: ReadSession, query: str) -> Briefing:
    """The brief of the person `query` names (a name, an alias or the start of one).

    Raises `UsageError` (exit 2) for an unknown or ambiguous PERSON, and `VaultcrmError`
    (exit 1) when their note cannot be read as a person note.
    """
    ref = resolve_person(session, query)
    vault = _person_vault(session, ref.name, ref.file)
    # by file: a name found from file names alone is the note's stem, not always its name
    person = next((p for p in vault.people.values() if p.file == ref.file), None)
    mine = [p for p in vault.problems if p.path == ref.file]
    if person is None:
        why = mine[0].format() if mine else f"{ref.file}: not readable as a person note"
        raise VaultcrmError(f"cannot brief {ref.name}: {why}")
    return Briefing(make_brief(person, vault, session.today, session.config), mine, session.stats)


def _person_vault(session: ReadSession, name: str, file: str) -> Vault:
    """A `Vault` holding at least `name`'s note (`file`, read even when it does not parse,
    for its problems), every daily note that links them, the notes naming them as someone
    around them, and the notes of the people their note names."""
    session.update()
    index = session.index
    try:
        claims = index.claims()
        who = roster(claims, session.config)
        name = next((c.name for c in claims if c.path == file), name)
        paths = {file, *index.paths_linking(index.keys_of({name}))}
        read = index.records(paths)
        around = {who.paths[n] for n in named_people(read.values(), who.names, {name})}
        read.update(index.records(around - paths))
        mine = list(read.values())
        used = stored_flags(index)
        if used is None:  # never worked out for this index: from every note, once
            used = session.vault().flags_used
    except sqlite3.DatabaseError as exc:  # damaged or busy mid-way: read afresh
        session.recover(exc)
        return session.vault()
    vault = session.assemble(mine, session.walked.problems, who)
    # the flags the whole vault uses, as the last sync counted them, and theirs now
    theirs = vault.flags_used or frozenset()
    return dataclasses.replace(vault, flags_used=(used or frozenset()) | theirs)


def snapshot(session: ReadSession) -> Snapshot:
    """Everyone and everything due for the session's day; problems as values, never
    raised."""
    vault = session.vault()
    reflections = reflect(vault, session.today, session.config)
    problems = sort_problems([*session.config_problems, *vault.problems])
    return Snapshot(session.config, session.today, vault, reflections, problems, session.stats)


def claims_quickly(session: ReadSession) -> list[Claim]:
    """Names and aliases as the index last saw them, without walking or parsing: for
    shell completion, which must answer in a blink. With no index yet (a fresh clone, a
    cleared cache, a changed config) the index is built once, so aliases complete from
    the first Tab; nothing (an empty list) when it cannot be read or built."""
    from vaultcrm.cache.store import cache_path

    try:
        if cache_path(session.root).exists():
            known = session.index.claims()
            if known:
                return known
        return session.claims()  # none yet, or emptied by a config change
    except (sqlite3.Error, OSError, VaultcrmError):
        return []
