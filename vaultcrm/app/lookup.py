"""The use cases behind `brief` and `people`: snapshots read through the index, never printed.

`brief` needs one person's history only: their note and the daily notes that link any of
their names, which the index can name without decoding anything else (the same subset a
partial `sync` pass reads). `people` needs everyone, so it reads every record from the
index. Both bring the index up to date first, exactly as `sync` and `due` do.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from vaultcrm.app.incremental import stored_flags
from vaultcrm.app.people import resolve_person
from vaultcrm.config import Config, load_config
from vaultcrm.errors import VaultcrmError
from vaultcrm.gcpause import collector_paused
from vaultcrm.model import Claim, LoadStats, Problem, Reflection, Vault
from vaultcrm.read.assemble import assemble, roster, sort_problems
from vaultcrm.read.records import load_records, open_index, update_index
from vaultcrm.read.walk import walk
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


def brief_of(
    root: Path, query: str, today: dt.date, *, use_cache: bool = True, processes: bool = False
) -> Briefing:
    """The brief of the person `query` names (a name, an alias or the start of one).

    Raises `UsageError` (exit 2) for an unknown or ambiguous PERSON, and `VaultcrmError`
    (exit 1) when their note cannot be read as a person note.
    """
    config, _ = load_config(root)
    ref = resolve_person(root, config, query)
    with collector_paused():
        vault, stats = _person_vault(root, config, ref.name, ref.file, use_cache, processes)
    # by file: a name found from file names alone is the note's stem, not always its name
    person = next((p for p in vault.people.values() if p.file == ref.file), None)
    mine = [p for p in vault.problems if p.path == ref.file]
    if person is None:
        why = mine[0].format() if mine else f"{ref.file}: not readable as a person note"
        raise VaultcrmError(f"cannot brief {ref.name}: {why}")
    return Briefing(make_brief(person, vault, today, config), mine, stats)


def _person_vault(
    root: Path, config: Config, name: str, file: str, use_cache: bool, processes: bool
) -> tuple[Vault, LoadStats]:
    """A `Vault` holding at least `name`'s note (`file`, read even when it does not parse,
    for its problems) and every daily note that links them."""
    walked = walk(root, config, processes=processes)
    stats = LoadStats(files=walked.count)
    if not use_cache:
        records = load_records(root, config, walked, None, stats, processes=processes)
        return assemble(root, records, config, walked.problems), stats
    index = open_index(root, config, detach=processes)
    try:
        update_index(root, config, index, walked, stats, processes=processes)
        try:
            claims = index.claims()
            who = roster(claims, config)
            name = next((c.name for c in claims if c.path == file), name)
            paths = {file, *index.paths_linking(index.keys_of({name}))}
            mine = list(index.records(paths).values())
            used = stored_flags(index)
            if used is None:  # never worked out for this index: from every note, once
                used = assemble(root, index.all_records(), config).flags_used
        except sqlite3.DatabaseError as exc:  # damaged or busy mid-way: read afresh
            index.recover(exc)
            records = load_records(root, config, walked, None, stats, processes=processes)
            return assemble(root, records, config, walked.problems), stats
        vault = assemble(root, mine, config, walked.problems, who)
        # the flags the whole vault uses, as the last sync counted them, and theirs now
        return dataclasses.replace(vault, flags_used=(used or frozenset()) | (
            vault.flags_used or frozenset())), stats
    finally:
        index.close()


def snapshot(
    root: Path, today: dt.date, *, use_cache: bool = True, processes: bool = False
) -> Snapshot:
    """Everyone and everything due for `today`; problems as values, never raised."""
    config, config_problems = load_config(root)
    walked = walk(root, config, processes=processes)
    stats = LoadStats(files=walked.count)
    with collector_paused():
        index = open_index(root, config, detach=processes) if use_cache else None
        try:
            try:
                records = load_records(root, config, walked, index, stats, processes=processes)
            except sqlite3.DatabaseError as exc:  # damaged or busy mid-way: read afresh
                assert index is not None
                index.recover(exc)
                records = load_records(root, config, walked, None, stats, processes=processes)
        finally:
            if index is not None:
                index.close()
        vault = assemble(root, records, config, walked.problems)
        reflections = reflect(vault, today, config)
    problems = sort_problems([*config_problems, *vault.problems])
    return Snapshot(config, today, vault, reflections, problems, stats)


def claims_quickly(root: Path) -> list[Claim]:
    """Names and aliases as the index last saw them, without walking or parsing: for
    shell completion, which must answer in a blink. With no index yet (a fresh clone, a
    cleared cache, a changed config) the index is built once, so aliases complete from
    the first Tab; nothing (an empty list) when it cannot be read or built."""
    from vaultcrm.app.people import claims
    from vaultcrm.cache.store import cache_path

    config, _ = load_config(root)
    try:
        if cache_path(root).exists():
            index = open_index(root, config)
            try:
                known = index.claims()
            finally:
                index.close()
            if known:
                return known
        return claims(root, config)  # none yet, or emptied by a config change
    except (sqlite3.Error, OSError, VaultcrmError):
        return []
