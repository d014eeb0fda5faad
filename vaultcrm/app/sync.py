"""The use cases behind `sync` and `due`, as plain functions that never print.

    session (config → walk → index) → (incremental) reflections → render → write (only when changed)

A `sync` whose inputs (every file's signature, today, config, templates, the note
itself, and vaultcrm's own code) are exactly those of the last run does no work beyond
the walk. How the vault is read (the index on disk or in memory, other processes or
not) is the session's (`read/session.py`), decided by whoever opened it.
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
from vaultcrm.config import config_fingerprint, people_folder_error
from vaultcrm.errors import VaultcrmError
from vaultcrm.model import LoadStats, Reflection
from vaultcrm.read.assemble import sort_problems
from vaultcrm.read.session import ReadSession
from vaultcrm.words import TICKS

__all__ = [
    "NoteKeptChanging", "Outcome", "SyncResult", "compute", "due", "render_outcome", "sync",
]  # fmt: skip


def compute(session: ReadSession) -> Outcome:
    """Read the vault (through the index) and work out every reflection for the
    session's day."""
    from vaultcrm.app import incremental

    try:
        outcome = incremental.compute(session)
    except sqlite3.DatabaseError as exc:  # damaged (rebuilt) or busy (bypassed) mid-way
        session.recover(exc)
        outcome = incremental.compute(session)
    config, config_problems = session.config, session.config_problems
    outcome.problems = sort_problems([*config_problems, *outcome.problems])
    if outcome.people_count == 0 and people_folder_error(config_problems) is None:
        from vaultcrm.read.discover import nobody_found

        # never a silent all-clear: an error saying what the vault holds instead
        root = session.root
        outcome.problems = sort_problems([*outcome.problems, nobody_found(root, config)])
    return outcome


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


def sync(session: ReadSession) -> SyncResult:
    """Record the boxes ticked in the note, then regenerate it; the file is touched only
    when its bytes would change (see `_sync` for how a tick made meanwhile is kept)."""
    output = session.config.output.strip("/")
    key = _inputs_key(session, output)
    memo = _memo(session)
    if (
        memo is not None
        and _holds(memo, key)
        and not _calendar_missing(session)
        and not heal.pending(session.root, output)
    ):
        return SyncResult(_remembered(session, memo), output, False)
    return _sync(session, memo)


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


def _sync(session: ReadSession, memo: Memo | None) -> SyncResult:
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

    root, config, today = session.root, session.config, session.today
    output = config.output.strip("/")
    marker = MARKER.encode()
    first = not os.path.lexists(root / output)  # this sync creates the note: say hello
    inbox = file_inbox(session)  # before reading: its lines are in the notes read
    if inbox.filed:
        session.walk_again()
    outcome = compute(session)
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
        try:
            now = record_ticks(
                root, config, today, outcome.reflections,
                text=text, skip=handled, conflicts=conflicts,
                reflections_on=_reflections_on(session),
            )  # fmt: skip
        except TicksNotRecorded as err:  # say what earlier tries recorded too
            raise TicksNotRecorded(output, [*recorded, *err.recorded], err.failures) from None
        if now:  # the recorded lines changed notes: read them again
            recorded += now
            session.walk_again()
            outcome = compute(session)
        done = acknowledged(text, outcome.reflections)
        note_key = ""
        if outcome.content is not None:
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
    calendar = _write_calendar(session)
    hints = _first_hints(session) if first and written else []
    # the note just written is an input of the next run: key it as it is now, unless it
    # already is not what this run left (a tick the next run must read)
    key = _inputs_key(session, output)
    sig = _signature(root / output)
    if data is not None and _bytes_of(root / output) == data:
        _remember_sync(session, outcome, key, note_key, sig)
    return SyncResult(
        outcome, output, written, recorded, data, conflicts, calendar, healed, hints, inbox
    )


def _reflections_on(session: ReadSession) -> Callable[[dt.date], list[Reflection]]:
    """The reflections of other days, for a tick made in a note of an earlier day whose
    item is no longer listed today (`app.ticks`): from the whole vault as the session
    reads it (its records are the same whatever the day; the index's stored results,
    which are today's, are not used)."""

    def on(day: dt.date) -> list[Reflection]:
        from vaultcrm.reflect.kinds import reflect

        return reflect(session.vault(), day, session.config)

    return on


def _first_hints(session: ReadSession) -> list[str]:
    from vaultcrm.app.flags import first_sync_hints

    return first_sync_hints(session)


def _calendar_missing(session: ReadSession) -> bool:
    ics = session.config.ics
    return bool(ics) and not os.path.lexists(session.root / str(ics))


def _write_calendar(session: ReadSession) -> str | None:
    """The `ics:` calendar, rewritten when its content changed (icalendar is imported
    only when `ics` is configured, and its events changed); its path when written."""
    if not session.config.ics:
        return None
    from vaultcrm.app.importing import sync_calendar

    result = sync_calendar(session)
    return result.rel if result is not None and result.changed else None


def _bytes_of(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def due(session: ReadSession) -> Outcome:
    """`compute` for reporting: answered from the last sync when nothing it read changed.

    The outcome then carries no people or last contacts (reporting needs neither), so it
    is not for rendering: use `compute` for that.
    """
    memo = _memo(session)
    if memo is not None and _holds(memo, _inputs_key(session, session.config.output.strip("/"))):
        return _remembered(session, memo)
    return compute(session)


# -- the no-change fast path -------------------------------------------------------------


def _templates(root: Path) -> str:
    from vaultcrm.output.templates import template_fingerprint

    return template_fingerprint(root)


def _inputs_key(session: ReadSession, output: str) -> str:
    """Changes whenever anything a sync reads could have changed (`plan.inputs_key`); the
    config's problems count with it (a people folder that appears, empty, changes only
    them), and so does the inbox's signature (one stat: an unchanged inbox, whose lines
    the last sync filed or kept, is not read again)."""
    root, config = session.root, session.config
    said = "\n".join(p.format() for p in session.config_problems)
    return plan.inputs_key(
        session.index.key,
        session.today,
        f"{config_fingerprint(config)}|{said}",
        _templates(root),
        session.walked.digest,
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


def _memo(session: ReadSession) -> Memo | None:
    """The last sync's memo; a damaged cache has none (the run then does the work)."""
    try:
        return session.index.memo()
    except sqlite3.DatabaseError:
        return None


def _holds(memo: Memo, key: str) -> bool:
    """Whether the memo is of a sync with exactly these inputs, and decodes."""
    return memo.key == key and memo.intact()


def _remembered(session: ReadSession, memo: Memo) -> Outcome:
    """The last sync's outcome (its inputs are this run's), without people or contacts."""
    count = session.walked.count
    cache = None if session.index.in_memory else str(session.index.path)
    stats = LoadStats(files=count, reused=count, cache=cache)
    return Outcome(
        session.root, session.config, session.today, memo.reflections(), memo.problems(),
        stats, people_count=memo.people,
    )  # fmt: skip


def _note_is(memo: Memo | None, note_key: str, path: Path) -> bool:
    """Whether the note on disk is exactly what the last sync wrote for this content, so
    rendering again (jinja2's import alone costs more than the rest of a no-change run)
    would only reproduce it."""
    return memo is not None and memo.note_key == note_key and memo.note_sig == _signature(path)


def _remember_sync(
    session: ReadSession, outcome: Outcome, key: str, note_key: str, note_sig: list[int] | None
) -> None:
    memo = encode_memo(
        key, note_key, note_sig, outcome.problems, outcome.people_count, outcome.reflections,
        outcome.stored,
    )  # fmt: skip
    with contextlib.suppress(sqlite3.DatabaseError):  # only a cache: the next sync redoes it
        session.index.remember_sync(memo)
