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
import time
from collections.abc import Callable, Collection, Sequence
from pathlib import Path

from vaultcrm.app import heal
from vaultcrm.app.outcome import Outcome, SyncResult
from vaultcrm.cache import plan
from vaultcrm.cache.codec import Memo, encode_memo
from vaultcrm.cache.store import Index
from vaultcrm.config import (
    Config,
    config_fingerprint,
    load_config,
    people_folder_error,
)
from vaultcrm.errors import VaultcrmError
from vaultcrm.gcpause import collector_paused, leave_to_exit
from vaultcrm.model import LoadStats, Problem, Reflection, Vault
from vaultcrm.read.assemble import assemble, sort_problems
from vaultcrm.read.records import load_records, open_index
from vaultcrm.read.walk import Walk, walk
from vaultcrm.words import TICKS

__all__ = [
    "NoteKeptChanging", "Outcome", "SyncResult", "compute", "due", "render_outcome", "sync",
]  # fmt: skip


def compute(
    root: Path, today: dt.date, *, use_cache: bool = True, processes: bool = False
) -> Outcome:
    """Read the vault (through the index) and work out every reflection for `today`."""
    config, config_problems = load_config(root)
    walked = walk(root, config, processes=processes)
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
    if outcome.people_count == 0 and people_folder_error(config_problems) is None:
        from vaultcrm.read.discover import nobody_found

        # never a silent all-clear: an error saying what the vault holds instead
        outcome.problems = sort_problems([*outcome.problems, nobody_found(root, config)])
    return outcome


def _compute_uncached(
    root: Path, config: Config, today: dt.date, walked: Walk, processes: bool
) -> Outcome:
    from vaultcrm.app.incremental import last_contact, last_open, wants_open
    from vaultcrm.reflect import chart as charts
    from vaultcrm.reflect.kinds import reflect
    from vaultcrm.reflect.rules import until

    stats = LoadStats(files=walked.count)
    records = load_records(root, config, walked, None, stats, processes=processes)
    vault = assemble(root, records, config, walked.problems)
    leave_to_exit(records, vault)  # the CLI's process ends soon: never freed one by one
    reflections = reflect(vault, today, config)
    due = {r.person for r in reflections}
    last = {n: c for n in due if (c := last_contact(vault, n, today)) is not None}
    people = {n: vault.people[n] for n in due}
    ledger = {r.person for r in reflections if wants_open([r])}
    opened = {n: c for n in ledger if (c := last_open(vault, n, today)) is not None}
    total = charts.empty()
    if config.chart:
        for found in vault.interactions.values():
            charts.add(total, charts.person_counts(until(found, today), today))
    return Outcome(
        root, config, today, reflections, list(vault.problems), stats, people, last,
        len(vault.people), None, opened, charts.chart_of(total, today),
    )  # fmt: skip


def _compute_cached(
    root: Path, config: Config, today: dt.date, walked: Walk, index: Index, processes: bool
) -> Outcome:
    from vaultcrm.app import incremental

    try:
        return incremental.compute(root, config, today, index, walked, processes=processes)
    except sqlite3.DatabaseError as exc:  # damaged (rebuilt) or busy (bypassed) mid-way
        index.recover(exc)
        return incremental.compute(root, config, today, index, walked, processes=processes)


def render_outcome(outcome: Outcome, done: Collection[str] = ()) -> str:
    from vaultcrm.output.render import build_items, render_note

    config = outcome.config
    items = build_items(outcome.reflections, outcome.people, outcome.last, done, outcome.open)
    return render_note(
        outcome.root,
        items,
        outcome.today,
        len(outcome.problems),
        focus=config.focus,
        section_limit=config.section_limit,
        chart=outcome.chart if config.chart else None,
    )


def sync(
    root: Path, today: dt.date, *, use_cache: bool = True, processes: bool = False
) -> SyncResult:
    """Record the boxes ticked in the note, then regenerate it; the file is touched only
    when its bytes would change (see `_sync` for how a tick made meanwhile is kept)."""
    with collector_paused():  # rendering and remembering allocate as much as reading
        return _sync_paused(root, today, use_cache, processes)


def _sync_paused(root: Path, today: dt.date, use_cache: bool, processes: bool) -> SyncResult:
    config, config_problems = load_config(root)
    output = config.output.strip("/")
    walked = walk(root, config, processes=processes)
    if not use_cache:
        return _sync(root, config, config_problems, walked, today, None, None, processes)
    index = open_index(root, config, detach=processes)
    try:
        key = _inputs_key(index, root, config, config_problems, today, walked, output)
        memo = _memo(index)
        if (
            memo is not None
            and _holds(memo, key)
            and not _calendar_missing(root, config)
            and not heal.pending(root, output)
        ):
            return SyncResult(_remembered(root, config, today, walked, index, memo), output, False)
        return _sync(root, config, config_problems, walked, today, index, memo, processes)
    finally:
        index.close()


#: How many times `sync` re-reads the ticks when the note keeps changing under it.
SYNC_ATTEMPTS = 10


class NoteKeptChanging(VaultcrmError):
    """The generated note changed on every attempt to rewrite it; it was left as it is."""

    def __init__(self, output: str, attempts: int, recorded: Sequence[str]) -> None:
        message = TICKS["kept_changing"].format(output=output, attempts=attempts)
        if recorded:
            message += ". " + TICKS["recorded_meanwhile"].format(lines="; ".join(recorded))
        super().__init__(message)
        self.recorded = list(recorded)


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
    """The note is replaced only if it is still the version whose ticks were recorded (the
    edit engine's compare-and-swap): a box ticked meanwhile makes it read the ticks again,
    record them and render again, up to SYNC_ATTEMPTS times, then give up (the note left
    as it is) with `NoteKeptChanging`. So a tick is always recorded or still in the note.
    The note is read through `heal`: git conflict markers in it and sync tools' conflict
    copies beside it become one version whose ticks are recorded once.
    """
    from vaultcrm.app.inbox import file_inbox
    from vaultcrm.app.ticks import TicksNotRecorded, record_ticks
    from vaultcrm.edit.engine import NoteChanged, write_generated
    from vaultcrm.output.generated import MARKER, acknowledged

    output = config.output.strip("/")
    marker = MARKER.encode()
    first = not os.path.lexists(root / output)  # this sync creates the note: say hello
    inbox = file_inbox(root, config, today)  # before reading: its lines are in the notes read
    if inbox.filed:
        walked = walk(root, config, processes=processes)
    outcome = _compute(root, config, config_problems, walked, today, index, processes)
    if outcome.people_count == 0:  # no note at all rather than one that reads as all-clear
        return SyncResult(outcome, output, False, inbox=inbox)
    recorded: list[str] = []
    conflicts: list[str] = []
    handled: set[str] = set()  # tick ids recorded by this run, on any attempt
    for attempt in range(SYNC_ATTEMPTS):
        try:
            note = heal.read_note(root, output, marker)
        except NoteChanged:  # an editor is saving it right now
            time.sleep(0.01 * (attempt + 1))
            continue
        snap, text = note.snap, note.text
        if note.merging:  # git waits for the note: resolve it, record after the merge
            resolved = text.encode("utf-8")
            try:
                written = write_generated(root, output, resolved, marker=marker, since=snap).changed
            except NoteChanged:
                continue
            healed = heal.settle(root, note, output)
            return SyncResult(
                outcome, output, written, note=resolved, healed=healed, inbox=inbox
            )
        on_day = _reflections_on(root, config, walked)
        try:
            now = record_ticks(
                root, config, today, outcome.reflections,
                text=text, skip=handled, conflicts=conflicts, reflections_on=on_day,
            )  # fmt: skip
        except TicksNotRecorded as err:  # say what earlier tries recorded too
            raise TicksNotRecorded(output, [*recorded, *err.recorded], err.failures) from None
        if now:  # the recorded lines changed notes: read them again
            recorded += now
            walked = walk(root, config, processes=processes)
            outcome = _compute(root, config, config_problems, walked, today, index, processes)
        done = acknowledged(text, outcome.reflections)
        note_key = ""
        if index is not None and outcome.content is not None:
            note_key = plan.note_key(
                today, _templates(root), len(outcome.problems), outcome.content, done,
                shape=(config.focus, config.section_limit, config.chart),
                chart=outcome.chart.series if outcome.chart is not None else None,
            )  # fmt: skip
        written, data = False, snap.data if snap is not None else None
        if not (note_key and _note_is(memo, note_key, root / output)):
            data = render_outcome(outcome, done).encode("utf-8")
            try:
                written = write_generated(root, output, data, marker=marker, since=snap).changed
            except NoteChanged:  # a box ticked since the ticks were read: read them again
                continue
        break
    else:
        raise NoteKeptChanging(output, SYNC_ATTEMPTS, recorded)
    healed = heal.settle(root, note, output) if note.healing else []
    calendar = _write_calendar(root, config, walked, index)
    hints = _first_hints(root, config, walked, index) if first and written else []
    if index is not None:
        # the note just written is an input of the next run: key it as it is now, unless
        # it already is not what this run left (a tick the next run must read)
        key = _inputs_key(index, root, config, config_problems, today, walked, output)
        sig = _signature(root / output)
        if data is not None and _bytes_of(root / output) == data:
            _remember_sync(index, outcome, key, note_key, sig)
    return SyncResult(
        outcome, output, written, recorded, data, conflicts, calendar, healed, hints, inbox
    )


def _reflections_on(
    root: Path, config: Config, walked: Walk
) -> Callable[[dt.date], list[Reflection]]:
    """The reflections of other days, for a tick made in a note of an earlier day whose
    item is no longer listed today (`app.ticks`): the vault is read once, on the first
    call, without the index (which holds today's results)."""
    from vaultcrm.reflect.kinds import reflect

    read: list[Vault] = []

    def on(day: dt.date) -> list[Reflection]:
        if not read:
            records = load_records(root, config, walked, None, LoadStats(files=walked.count))
            read.append(assemble(root, records, config, walked.problems))
        return reflect(read[0], day, config)

    return on


def _first_hints(root: Path, config: Config, walked: Walk, index: Index | None) -> list[str]:
    from vaultcrm.app.flags import first_sync_hints

    return first_sync_hints(root, config, walked, index)


def _calendar_missing(root: Path, config: Config) -> bool:
    return bool(config.ics) and not os.path.lexists(root / str(config.ics))


def _write_calendar(root: Path, config: Config, walked: Walk, index: Index | None) -> str | None:
    """The `ics:` calendar, rewritten when its content changed (icalendar is imported
    only when `ics` is configured, and its events changed); its path when written."""
    if not config.ics:
        return None
    from vaultcrm.app.importing import sync_calendar

    result = sync_calendar(root, config, walked, index)
    return result.rel if result is not None and result.changed else None


def _bytes_of(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def due(
    root: Path, today: dt.date, *, use_cache: bool = True, processes: bool = False
) -> Outcome:
    """`compute` for reporting: answered from the last sync when nothing it read changed.

    The outcome then carries no people or last contacts (reporting needs neither), so it
    is not for rendering: use `compute` for that.
    """
    with collector_paused():  # decoding the remembered reflections allocates thousands
        return _due_paused(root, today, use_cache, processes)


def _due_paused(root: Path, today: dt.date, use_cache: bool, processes: bool) -> Outcome:
    config, config_problems = load_config(root)
    walked = walk(root, config, processes=processes)
    if not use_cache:
        return _compute(root, config, config_problems, walked, today, None, processes)
    index = open_index(root, config, detach=processes)
    try:
        key = _inputs_key(
            index, root, config, config_problems, today, walked, config.output.strip("/")
        )
        memo = _memo(index)
        if memo is not None and _holds(memo, key):
            return _remembered(root, config, today, walked, index, memo)
        return _compute(root, config, config_problems, walked, today, index, processes)
    finally:
        index.close()


# -- the no-change fast path -------------------------------------------------------------


def _templates(root: Path) -> str:
    from vaultcrm.output.templates import template_fingerprint

    return template_fingerprint(root)


def _inputs_key(
    index: Index,
    root: Path,
    config: Config,
    config_problems: Sequence[Problem],
    today: dt.date,
    walked: Walk,
    output: str,
) -> str:
    """Changes whenever anything a sync reads could have changed (`plan.inputs_key`); the
    config's problems count with it (a people folder that appears, empty, changes only
    them), and so does the inbox's signature (one stat: an unchanged inbox, whose lines
    the last sync filed or kept, is not read again)."""
    said = "\n".join(p.format() for p in config_problems)
    return plan.inputs_key(
        index.key,
        today,
        f"{config_fingerprint(config)}|{said}",
        _templates(root),
        walked.digest,
        _stat(root / output),
        inbox=_stat(root / config.inbox.strip("/")),  # app/inbox.py: one stat, no import
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


def _holds(memo: Memo, key: str) -> bool:
    """Whether the memo is of a sync with exactly these inputs, and decodes."""
    return memo.key == key and memo.intact()


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
    rendering again (jinja2's import alone costs more than the rest of a no-change run)
    would only reproduce it."""
    return memo is not None and memo.note_key == note_key and memo.note_sig == _signature(path)


def _remember_sync(
    index: Index, outcome: Outcome, key: str, note_key: str, note_sig: list[int] | None
) -> None:
    memo = encode_memo(
        key, note_key, note_sig, outcome.problems, outcome.people_count, outcome.reflections,
        outcome.stored,
    )  # fmt: skip
    with contextlib.suppress(sqlite3.DatabaseError):  # only a cache: the next sync redoes it
        index.remember_sync(memo)
