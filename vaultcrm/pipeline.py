"""The use cases behind `sync` and `due`, as plain functions that never print.

    config → walk → index → (incremental) reflections → render → write (only when changed)

A `sync` whose inputs (every file's signature, today, config, templates, the note
itself) are exactly those of the last run does no work beyond the walk.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import marshal
import os
import sqlite3
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import Config, config_fingerprint, daily_notes, load_config
from .errors import VaultcrmError
from .gcpause import collector_paused
from .index import SCHEMA_VERSION, Index
from .model import Interaction, Person, Problem, Reflection
from .vault import LoadStats, Walk, assemble, open_index, read_records, sort_problems, walk


@dataclass
class Outcome:
    """Everything one run learned about the vault for one `today`.

    `people` and `last` cover at least everyone with a reflection: the person and their
    last contact on or before today, for the note's context lines.
    """

    root: Path
    config: Config
    today: dt.date
    reflections: list[Reflection]
    problems: list[Problem]
    stats: LoadStats
    people: dict[str, Person] = field(default_factory=dict)
    last: dict[str, Interaction] = field(default_factory=dict)
    people_count: int = 0
    #: digest of the reflections, people and last contacts, when the index made one
    content: str | None = None


@dataclass
class SyncResult:
    outcome: Outcome
    output: str  # vault-relative path of the generated note
    written: bool
    recorded: list[str] = field(default_factory=list)  # one line per tick recorded
    #: the note's bytes as this run left them (None: not looked at, the no-change path)
    note: bytes | None = None
    #: one message per editor save kept as a conflict copy while recording ticks
    conflicts: list[str] = field(default_factory=list)
    calendar: str | None = None  # the `ics:` calendar, when this run rewrote it


def compute(root: Path, today: dt.date, *, use_cache: bool = True) -> Outcome:
    """Read the vault (through the index) and work out every reflection for `today`."""
    config, config_problems = load_config(root)
    return _compute(root, config, config_problems, walk(root, config), today, use_cache)


def _compute(
    root: Path,
    config: Config,
    config_problems: list[Problem],
    walked: Walk,
    today: dt.date,
    use_cache: bool,
) -> Outcome:
    with collector_paused():
        if not use_cache:
            return _compute_uncached(root, config, today, walked, config_problems)
        index = open_index(root, config)
        try:
            return _compute_cached(root, config, today, walked, config_problems, index)
        finally:
            index.close()


def _compute_uncached(
    root: Path, config: Config, today: dt.date, walked: Walk, config_problems: list[Problem]
) -> Outcome:
    from .incremental import last_contact
    from .reflect import reflect

    records = read_records(root, walked.sigs, daily_notes(config))
    vault = assemble(root, records, config, walked.problems)
    stats = LoadStats(files=walked.count, parsed=len(records))
    reflections = reflect(vault, today, config)
    due = {r.person for r in reflections}
    last = {n: c for n in due if (c := last_contact(vault, n, today)) is not None}
    return Outcome(
        root,
        config,
        today,
        reflections,
        sort_problems([*config_problems, *vault.problems]),
        stats,
        {n: vault.people[n] for n in due},
        last,
        len(vault.people),
    )


def _compute_cached(
    root: Path,
    config: Config,
    today: dt.date,
    walked: Walk,
    config_problems: list[Problem],
    index: Index,
) -> Outcome:
    from . import incremental

    try:
        result = incremental.compute(root, config, today, index, walked)
    except sqlite3.DatabaseError as exc:  # damaged (rebuilt) or busy (bypassed) mid-way
        index.recover(exc)
        result = incremental.compute(root, config, today, index, walked)
    return Outcome(
        root,
        config,
        today,
        result.reflections,
        sort_problems([*config_problems, *result.problems]),
        result.stats,
        result.people,
        result.last,
        result.people_count,
        result.content,
    )


def render_outcome(outcome: Outcome, done: Collection[str] = ()) -> str:
    from .render import build_items, render_note

    items = build_items(outcome.reflections, outcome.people, outcome.last, done)
    return render_note(outcome.root, items, outcome.today, len(outcome.problems))


#: How many times `sync` re-reads the ticks when the note keeps changing under it.
SYNC_ATTEMPTS = 10


class NoteKeptChanging(VaultcrmError):
    """The generated note changed on every attempt to rewrite it; it was left as it is."""

    def __init__(self, output: str, attempts: int, recorded: Sequence[str]) -> None:
        message = (
            f"{output} kept changing while vaultcrm rewrote it ({attempts} tries); it was "
            "left as it is, with every tick in it: sync again when it is quiet"
        )
        if recorded:
            message += ". Recorded meanwhile: " + "; ".join(recorded)
        super().__init__(message)
        self.recorded = list(recorded)


def sync(root: Path, today: dt.date, *, use_cache: bool = True) -> SyncResult:
    """Record the boxes ticked in the note, then regenerate it; the file is touched only
    when its bytes would change.

    The note is replaced only if it is still the version whose ticks were recorded (the
    edit engine's compare-and-swap): a box ticked meanwhile makes it read the ticks again,
    record them and render again, up to SYNC_ATTEMPTS times, then give up (the note left
    as it is) with `NoteKeptChanging`. So a tick is always recorded or still in the note.
    """
    config, config_problems = load_config(root)
    output = config.output.strip("/")
    walked = walk(root, config)
    key = _inputs_key(root, config, today, walked, output) if use_cache else ""
    if use_cache:
        unchanged = _unchanged_since_last_sync(root, config, today, walked, output, key)
        if unchanged is not None and not _calendar_missing(root, config):
            return unchanged
    from .edit import NoteChanged, read_generated, write_generated
    from .render import MARKER
    from .ticks import TicksNotRecorded, acknowledged, record_ticks

    marker = MARKER.encode()
    outcome = _compute(root, config, config_problems, walked, today, use_cache)
    recorded: list[str] = []
    conflicts: list[str] = []
    handled: set[str] = set()  # tick ids recorded by this run, on any attempt
    for attempt in range(SYNC_ATTEMPTS):
        try:
            snap = read_generated(root, output, marker=marker)
        except NoteChanged:  # an editor is saving it right now
            time.sleep(0.01 * (attempt + 1))
            continue
        text = snap.data.decode("utf-8", errors="replace") if snap is not None else ""
        try:
            now = record_ticks(
                root, config, today, outcome.reflections,
                text=text, skip=handled, conflicts=conflicts,
            )  # fmt: skip
        except TicksNotRecorded as err:  # say what earlier tries recorded too
            raise TicksNotRecorded(output, [*recorded, *err.recorded], err.failures) from None
        if now:  # the recorded lines changed notes: read them again
            recorded += now
            walked = walk(root, config)
            outcome = _compute(root, config, config_problems, walked, today, use_cache)
        done = acknowledged(text, outcome.reflections)
        note_key = _note_key(outcome, done) if use_cache else ""
        written, data = False, snap.data if snap is not None else None
        if not (note_key and _note_is(root, config, output, note_key)):
            data = render_outcome(outcome, done).encode("utf-8")
            try:
                written = write_generated(root, output, data, marker=marker, since=snap).changed
            except NoteChanged:  # a box ticked since the ticks were read: read them again
                continue
        break
    else:
        raise NoteKeptChanging(output, SYNC_ATTEMPTS, recorded)
    calendar = _write_calendar(root, config)
    if use_cache:
        # the note just written is an input of the next run: key it as it is now, unless
        # it already is not what this run left (a tick the next run must read)
        key = _inputs_key(root, config, today, walked, output)
        sig = _signature(root / output)
        if data is not None and _bytes_of(root / output) == data:
            _remember_sync(outcome, key, note_key, sig)
    return SyncResult(outcome, output, written, recorded, data, conflicts, calendar)


def _bytes_of(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _calendar_missing(root: Path, config: Config) -> bool:
    return bool(config.ics) and not os.path.lexists(root / str(config.ics))


def _write_calendar(root: Path, config: Config) -> str | None:
    """The `ics:` calendar, rewritten when its content changed (icalendar is imported
    only when `ics` is configured); its path when it was written."""
    if not config.ics:
        return None
    from .importing import sync_calendar

    result = sync_calendar(root, config)
    return result.rel if result is not None and result.changed else None


# -- the no-change fast path -------------------------------------------------------------


def _inputs_key(root: Path, config: Config, today: dt.date, walked: Walk, output: str) -> str:
    """Changes whenever anything a sync reads could have changed."""
    from .template_files import template_fingerprint

    h = hashlib.sha256()
    h.update(f"{SCHEMA_VERSION}|{today}|{config_fingerprint(config)}|".encode())
    h.update(template_fingerprint(root).encode())
    h.update(walked.digest.encode())
    try:
        st = os.stat(root / output)
        h.update(f"{st.st_mtime_ns}:{st.st_size}:{st.st_ino}".encode())
    except OSError:
        h.update(b"absent")
    return h.hexdigest()


def _unchanged_since_last_sync(
    root: Path, config: Config, today: dt.date, walked: Walk, output: str, key: str
) -> SyncResult | None:
    """The last sync's result when none of its inputs changed, else None."""
    outcome = _remembered(root, config, today, walked, key)
    return None if outcome is None else SyncResult(outcome, output, False)


def _remembered(
    root: Path, config: Config, today: dt.date, walked: Walk, key: str
) -> Outcome | None:
    """The last sync's outcome when its input key is `key`; without people or contacts."""
    index = open_index(root, config)
    try:
        memo = _memo(index)
        if memo is None or memo.get("key") != key:
            return None
        reflections = [Reflection.from_json(item) for item in memo["reflections"]]
        problems = [Problem(**p) for p in memo["problems"]]
    except (sqlite3.DatabaseError, ValueError, KeyError, TypeError):
        return None
    finally:
        index.close()
    stats = LoadStats(files=walked.count, reused=walked.count, cache=str(index.path))
    return Outcome(root, config, today, reflections, problems, stats, people_count=memo["people"])


def due(root: Path, today: dt.date, *, use_cache: bool = True) -> Outcome:
    """`compute` for reporting: answered from the last sync when nothing it read changed.

    The outcome then carries no people or last contacts (reporting needs neither), so it
    is not for rendering: use `compute` for that.
    """
    config, config_problems = load_config(root)
    walked = walk(root, config)
    if use_cache:
        key = _inputs_key(root, config, today, walked, config.output.strip("/"))
        remembered = _remembered(root, config, today, walked, key)
        if remembered is not None:
            return remembered
    return _compute(root, config, config_problems, walked, today, use_cache)


def _note_key(outcome: Outcome, done: Collection[str]) -> str:
    """Everything the generated note is made of; equal keys render equal notes."""
    from .index import encode_person
    from .template_files import template_fingerprint

    if outcome.content is not None:
        made_of: object = outcome.content
    else:
        people = [
            [name, encode_person(outcome.people[name]), _contact(outcome.last.get(name))]
            for name in sorted({r.person for r in outcome.reflections})
        ]
        made_of = [[r.to_json() for r in outcome.reflections], people]
    content = [
        outcome.today.isoformat(),
        template_fingerprint(outcome.root),
        len(outcome.problems),
        made_of,
        sorted(done),
    ]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()


def _contact(contact: Interaction | None) -> list[object] | None:
    if contact is None:
        return None
    return [contact.date.isoformat(), contact.text, contact.file, contact.line,
            sorted(contact.flags)]  # fmt: skip


def _signature(path: Path) -> list[int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_mtime_ns, st.st_size, st.st_ino]


def _note_is(root: Path, config: Config, output: str, note_key: str) -> bool:
    """Whether the note on disk is exactly what the last sync wrote for this content, so
    rendering again (jinja2's import alone is ~40 ms) would only reproduce it."""
    index = open_index(root, config)
    try:
        memo = _memo(index) or {}
    except sqlite3.DatabaseError:
        return False
    finally:
        index.close()
    return bool(
        memo.get("note_key") == note_key and memo.get("note_sig") == _signature(root / output)
    )


def _memo(index: Index) -> dict[str, Any] | None:
    """The last sync's memo (marshalled: it is read on every sync with nothing to do)."""
    saved = index.get_blob("last_sync")
    try:
        memo = marshal.loads(saved) if saved is not None else None
    except (ValueError, EOFError, TypeError):
        return None
    return memo if isinstance(memo, dict) else None


def _remember_sync(outcome: Outcome, key: str, note_key: str, note_sig: list[int] | None) -> None:
    memo = {
        "key": key,
        "note_key": note_key,
        "note_sig": note_sig,
        "problems": [p.to_json() for p in outcome.problems],
        "people": outcome.people_count,
        "reflections": [r.to_json() for r in outcome.reflections],
    }
    index = open_index(outcome.root, outcome.config)
    try:
        index.set_meta("last_sync", marshal.dumps(memo))
    except sqlite3.DatabaseError:
        pass  # only a cache: the next sync simply does the work again
    finally:
        index.close()
