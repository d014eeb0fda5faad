"""The use cases behind `sync` and `due`, as plain functions that never print.

    config → walk → index → (incremental) reflections → render → write (only when changed)

A `sync` whose inputs (every file's signature, today, config, templates, the note
itself, and vaultcrm's own code) are exactly those of the last run does no work beyond
the walk. The index is opened once per run; with `processes` (the CLI asks for it) a cold
run may fork a writer and spread parsing over processes, otherwise nothing forks.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
from collections.abc import Collection
from pathlib import Path

from vaultcrm.app.outcome import Outcome, SyncResult
from vaultcrm.cache import plan
from vaultcrm.cache.codec import Memo, encode_memo
from vaultcrm.cache.store import Index
from vaultcrm.config import Config, config_fingerprint, load_config
from vaultcrm.gcpause import collector_paused
from vaultcrm.model import LoadStats, Problem
from vaultcrm.read.assemble import assemble, sort_problems
from vaultcrm.read.records import load_records, open_index
from vaultcrm.read.walk import Walk, walk

__all__ = ["Outcome", "SyncResult", "compute", "due", "render_outcome", "sync"]


def compute(
    root: Path, today: dt.date, *, use_cache: bool = True, processes: bool = False
) -> Outcome:
    """Read the vault (through the index) and work out every reflection for `today`."""
    config, config_problems = load_config(root)
    walked = walk(root, config)
    index = open_index(root, config, detach=processes) if use_cache else None
    try:
        return _compute(root, config, config_problems, walked, today, index, processes)
    finally:
        if index is not None:
            index.close()


def _compute(
    root: Path,
    config: Config,
    config_problems: list[Problem],
    walked: Walk,
    today: dt.date,
    index: Index | None,
    processes: bool,
) -> Outcome:
    with collector_paused():
        if index is None:
            outcome = _compute_uncached(root, config, today, walked, processes)
        else:
            outcome = _compute_cached(root, config, today, walked, index, processes)
    outcome.problems = sort_problems([*config_problems, *outcome.problems])
    return outcome


def _compute_uncached(
    root: Path, config: Config, today: dt.date, walked: Walk, processes: bool
) -> Outcome:
    from vaultcrm.app.incremental import last_contact
    from vaultcrm.reflect.kinds import reflect

    stats = LoadStats(files=walked.count)
    records = load_records(root, config, walked, None, stats, processes=processes)
    vault = assemble(root, records, config, walked.problems)
    reflections = reflect(vault, today, config)
    due = {r.person for r in reflections}
    last = {n: c for n in due if (c := last_contact(vault, n, today)) is not None}
    people = {n: vault.people[n] for n in due}
    return Outcome(
        root, config, today, reflections, list(vault.problems), stats, people, last,
        len(vault.people),
    )  # fmt: skip


def _compute_cached(
    root: Path, config: Config, today: dt.date, walked: Walk, index: Index, processes: bool
) -> Outcome:
    from vaultcrm.app import incremental

    try:
        return incremental.compute(root, config, today, index, walked, processes=processes)
    except sqlite3.DatabaseError as exc:  # damaged mid-way: start from an empty cache
        index.reset(f"cache was unreadable ({exc})")
        return incremental.compute(root, config, today, index, walked, processes=processes)


def render_outcome(outcome: Outcome, done: Collection[str] = ()) -> str:
    from vaultcrm.output.render import build_items, render_note

    items = build_items(outcome.reflections, outcome.people, outcome.last, done)
    return render_note(outcome.root, items, outcome.today, len(outcome.problems))


def sync(
    root: Path, today: dt.date, *, use_cache: bool = True, processes: bool = False
) -> SyncResult:
    """Record the boxes ticked in the note, then regenerate it; the file is touched only
    when its bytes would change."""
    config, config_problems = load_config(root)
    output = config.output.strip("/")
    walked = walk(root, config)
    if not use_cache:
        return _sync(root, config, config_problems, walked, today, None, None, processes)
    index = open_index(root, config, detach=processes)
    try:
        key = _inputs_key(index, root, config, today, walked, output)
        memo = _memo(index)
        if memo is not None and memo.key == key:
            return SyncResult(_remembered(root, config, today, walked, index, memo), output, False)
        return _sync(root, config, config_problems, walked, today, index, memo, processes)
    finally:
        index.close()


def _sync(
    root: Path,
    config: Config,
    config_problems: list[Problem],
    walked: Walk,
    today: dt.date,
    index: Index | None,
    memo: Memo | None,
    processes: bool,
) -> SyncResult:
    from vaultcrm.app.ticks import record_ticks
    from vaultcrm.edit.engine import write_generated
    from vaultcrm.output.generated import MARKER, acknowledged, generated_text

    output = config.output.strip("/")
    outcome = _compute(root, config, config_problems, walked, today, index, processes)
    recorded = record_ticks(root, config, today, outcome.reflections)
    if recorded:  # the recorded lines changed notes: read them again
        walked = walk(root, config)
        outcome = _compute(root, config, config_problems, walked, today, index, processes)
    done = acknowledged(generated_text(root, config), outcome.reflections)
    note_key = ""
    if index is not None and outcome.content is not None:
        note_key = plan.note_key(
            today, _templates(root), len(outcome.problems), outcome.content, done
        )
    written = False
    if not (note_key and _note_is(memo, note_key, root / output)):
        text = render_outcome(outcome, done)
        result = write_generated(root, output, text.encode("utf-8"), marker=MARKER.encode())
        written = result.changed
    if index is not None:
        # the note just written is an input of the next run: key it as it is now
        key = _inputs_key(index, root, config, today, walked, output)
        _remember_sync(index, outcome, key, note_key, _signature(root / output))
    return SyncResult(outcome, output, written, recorded)


def due(
    root: Path, today: dt.date, *, use_cache: bool = True, processes: bool = False
) -> Outcome:
    """`compute` for reporting: answered from the last sync when nothing it read changed.

    The outcome then carries no people or last contacts (reporting needs neither), so it
    is not for rendering: use `compute` for that.
    """
    config, config_problems = load_config(root)
    walked = walk(root, config)
    if not use_cache:
        return _compute(root, config, config_problems, walked, today, None, processes)
    index = open_index(root, config, detach=processes)
    try:
        key = _inputs_key(index, root, config, today, walked, config.output.strip("/"))
        memo = _memo(index)
        if memo is not None and memo.key == key:
            return _remembered(root, config, today, walked, index, memo)
        return _compute(root, config, config_problems, walked, today, index, processes)
    finally:
        index.close()


# -- the no-change fast path -------------------------------------------------------------


def _templates(root: Path) -> str:
    from vaultcrm.output.templates import template_fingerprint

    return template_fingerprint(root)


def _inputs_key(
    index: Index, root: Path, config: Config, today: dt.date, walked: Walk, output: str
) -> str:
    """Changes whenever anything a sync reads could have changed (`plan.inputs_key`)."""
    return plan.inputs_key(
        index.key,
        today,
        config_fingerprint(config),
        _templates(root),
        walked.digest,
        _stat(root / output),
    )


def _stat(path: Path) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def _signature(path: Path) -> list[int] | None:
    found = _stat(path)
    return None if found is None else list(found)


def _memo(index: Index) -> Memo | None:
    """The last sync's memo; a damaged cache has none (the run then does the work)."""
    try:
        return index.memo()
    except sqlite3.DatabaseError:
        return None


def _remembered(
    root: Path, config: Config, today: dt.date, walked: Walk, index: Index, memo: Memo
) -> Outcome:
    """The last sync's outcome (its inputs are this run's), without people or contacts."""
    stats = LoadStats(files=walked.count, reused=walked.count, cache=str(index.path))
    return Outcome(
        root, config, today, memo.reflections(), memo.problems(), stats,
        people_count=memo.people,
    )  # fmt: skip


def _note_is(memo: Memo | None, note_key: str, path: Path) -> bool:
    """Whether the note on disk is exactly what the last sync wrote for this content, so
    rendering again (jinja2's import alone is ~40 ms) would only reproduce it."""
    return memo is not None and memo.note_key == note_key and memo.note_sig == _signature(path)


def _remember_sync(
    index: Index, outcome: Outcome, key: str, note_key: str, note_sig: list[int] | None
) -> None:
    memo = encode_memo(
        key, note_key, note_sig, outcome.problems, outcome.people_count, outcome.reflections
    )
    with contextlib.suppress(sqlite3.DatabaseError):  # only a cache: the next sync redoes it
        index.remember_sync(memo)
