"""Files → records: read and parse what the index does not hold, through the index.

One process unless the read session's policy allows more (`read/session.py`; the CLI's
does): a library embedding vaultcrm never sees a fork or a process pool it did not ask for.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import gc
import os
import signal
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from vaultcrm.benchswitch import off
from vaultcrm.cache.codec import decode_record, encode_record
from vaultcrm.cache.plan import Changes
from vaultcrm.cache.store import Index, Parsed, cache_path
from vaultcrm.children import fork_safe
from vaultcrm.config import Config, config_fingerprint
from vaultcrm.dailynotes import DailyNotes, impossible_date_name
from vaultcrm.model import FileSig, LoadStats, NoteRecord, Problem
from vaultcrm.read.spec import ReadSpec, read_spec
from vaultcrm.read.walk import Walk
from vaultcrm.regular import NOT_REGULAR, NotRegularFile, read_regular

#: Parsing more files than this at once is spread over processes (cold index).
PARALLEL_THRESHOLD = 1500

#: Called as (done, total) while many notes are parsed; the CLI sets it to draw a bar.
Progress = Callable[[int, int], None]
_progress: contextvars.ContextVar[Progress | None] = contextvars.ContextVar(
    "vaultcrm_progress", default=None
)

#: Below this many files to read, nobody waits long enough to need progress.
PROGRESS_THRESHOLD = 500


@contextlib.contextmanager
def progress_to(report: Progress | None) -> Iterator[None]:
    """Send parsing progress to `report` for the duration of the block."""
    token = _progress.set(report)
    try:
        yield
    finally:
        _progress.reset(token)


def read_for_index(
    root: Path, sigs: list[FileSig], spec: ReadSpec, *, processes: bool = False
) -> list[Parsed]:
    """Read and parse files, in order, each with its index encoding if one was made.

    With `processes`, many files are spread over the CPU's cores; workers send back the
    encoding, not the record (marshalled bytes cross a process boundary far cheaper than
    pickled dataclasses). What this process parses itself is left for the index to
    encode (b""). A daily-note candidate whose name is not a date is read as what its
    folder is otherwise (a person under the people folder, else any other note).
    """
    n = len(sigs)
    report = _progress.get() if n >= PROGRESS_THRESHOLD else None
    helpers = min(os.cpu_count() or 1, 8) - 1
    if not processes or n < PARALLEL_THRESHOLD or helpers < 1:
        return _reporting(((_read_one(root, sig, spec), b"") for sig in sigs), n, report)
    if fork_safe() and not off("parse_fork"):
        from vaultcrm.read.forked import parse_shared

        count = 0

        def tick() -> None:
            nonlocal count
            count = _tick(report, count, n)

        return parse_shared(root, sigs, spec, _read_one, tick, helpers)
    if off("pool"):
        return _reporting(((_read_one(root, sig, spec), b"") for sig in sigs), n, report)
    # A watcher's threads run (forking could deadlock on a lock one of them holds), or
    # there is no fork: the helpers are started by a fork server (or spawned), in a pool.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    # Worker processes take a share of the files while this process parses the rest: on
    # two cores, one helper plus the parent beats two helpers and a parent that only
    # decodes what they send back. Shares interleave, since person notes cost ten times
    # what daily notes do. Equal shares: a helper also encodes and sends what it parses,
    # which costs about what the parent pays to decode it (the parent's own share is
    # encoded later, by the index's store).
    helper_slots = 10 * helpers
    cycle = helper_slots + 10
    theirs_at = [i for i in range(n) if i % cycle < helper_slots]
    mine_at = [i for i in range(n) if i % cycle >= helper_slots]
    theirs = [sigs[i] for i in theirs_at]
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    # As many chunks as the pool's call queue holds (a worker each, plus one): all are queued
    # before this process starts parsing, so no thread of ours has to take the GIL from the
    # parse loop to feed a worker that sits idle meanwhile (more chunks than that left the
    # helper waiting in half the runs: benchmarks/RESULTS.md).
    chunk = max(64, -(-len(theirs) // (helpers + 1)))
    out: list[Parsed | None] = [None] * n
    context = multiprocessing.get_context(method)
    count = 0
    try:
        with ProcessPoolExecutor(helpers, mp_context=context, initializer=_helper) as pool:
            k = len(theirs)
            with _ctrl_c_held():  # the helpers (and the fork server) start deaf to Ctrl-C
                texts = pool.map(_read_encoded, [root] * k, theirs, [spec] * k, chunksize=chunk)
            for i in mine_at:
                out[i] = (_read_one(root, sigs[i], spec), b"")
                count = _tick(report, count, n)
            for i, text in zip(theirs_at, texts, strict=True):
                out[i] = (decode_record(text), text)
                count = _tick(report, count, n)
    except (OSError, EOFError, BrokenProcessPool):  # no helper could start (the process
        # limit), or one died (the fork server hit by a Ctrl-C as it started)
        for i in range(n):  # what they did not send is parsed here
            if out[i] is None:
                out[i] = (_read_one(root, sigs[i], spec), b"")
                count = _tick(report, count, n)
    return [item for item in out if item is not None]


@contextlib.contextmanager
def _ctrl_c_held() -> Iterator[None]:
    """SIGINT blocked while helper processes start, so they inherit it blocked: a Ctrl-C
    is for this process (a watch stops quietly), not a traceback from each helper or the
    fork server caught half-way through its imports. Delivered here once unblocked."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _helper() -> None:
    """A pool helper: no cycle collection (it only parses), and Ctrl-C is for the
    process that started it (which stops the work), not a traceback from each helper."""
    gc.disable()
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _tick(report: Progress | None, done: int, total: int) -> int:
    done += 1
    if report is not None and (done % max(1, total // 100) == 0 or done == total):
        report(done, total)
    return done


def _reporting(results: Iterable[Parsed], total: int, report: Progress | None) -> list[Parsed]:
    if report is None:
        return list(results)
    out: list[Parsed] = []
    for item in results:
        out.append(item)
        _tick(report, len(out) - 1, total)
    return out


def _read_encoded(root: Path, sig: FileSig, spec: ReadSpec) -> bytes:
    return encode_record(_read_one(root, sig, spec))


@functools.lru_cache(maxsize=4)
def _daily_notes(spec: tuple[str, str, bool]) -> DailyNotes:
    return DailyNotes(*spec)


def _read_one(root: Path, sig: FileSig, spec: ReadSpec) -> NoteRecord:
    day, kind = sig.day, sig.kind
    if kind == "daily" and day is None:
        day = _daily_notes(spec.daily).date_of(sig.rel)
        if day is None:
            why = impossible_date_name(sig.rel)
            if why is not None:  # kept with its problem, so it is not read again
                return NoteRecord(sig.rel, "other", problems=(Problem(sig.rel, None, why),))
            kind = "person" if spec.in_people_folder(sig.rel) else "other"
    try:
        data = _read_bytes(os.path.join(root, sig.rel), sig.size)
    except NotRegularFile:
        problem = Problem(sig.rel, None, NOT_REGULAR)
        return NoteRecord(sig.rel, sig.kind, problems=(problem,))
    except OSError as exc:
        if kind == "other":
            return NoteRecord(sig.rel, kind)  # not a note vaultcrm reads: not its problem
        problem = Problem(sig.rel, None, f"cannot read: {exc.strerror}")
        return NoteRecord(sig.rel, kind, problems=(problem,))
    # here, not at the top: a run with nothing to parse skips these imports
    if kind == "other":
        from vaultcrm.read.meetings import parse_other

        return parse_other(sig.rel, data, spec)
    from vaultcrm.read.parse import parse_note

    return parse_note(sig.rel, data, kind, day, spec)


def _read_bytes(path: str, size: int) -> bytes:
    """A file's bytes: a read of the size the walk saw, then reads until end of file.

    Plain descriptors: a buffered file object costs twice as much per file, which on
    30,000 notes is a tenth of a second. The walk saw a regular file; one swapped for a
    FIFO since is caught on the descriptor, never waited on.
    """
    return read_regular(path, size, stat_checked=True)


def open_index(root: Path, config: Config, *, detach: bool = False, on_disk: bool = True) -> Index:
    """The vault's index; with `detach`, a big store may be written by a forked child.
    Not `on_disk` (`--no-cache`): an index in memory, for this run alone."""
    if not on_disk:
        return Index.memory(config_fingerprint(config))
    return Index(cache_path(root), config_fingerprint(config), detach=detach)


def update_index(
    root: Path,
    config: Config,
    index: Index,
    walked: Walk,
    stats: LoadStats,
    *,
    processes: bool = False,
) -> Changes:
    """Re-parse what changed; a damaged cache is thrown away and rebuilt, once."""
    spec = read_spec(config)
    last: list[tuple[list[FileSig], list[Parsed]]] = []

    def parse(stale: list[FileSig]) -> list[Parsed]:
        if last and last[0][0] == stale:  # tried again after a recovery: parsed already
            return last[0][1]
        parsed = read_for_index(root, stale, spec, processes=processes)
        last[:] = [(stale, parsed)]
        return parsed

    for attempt in range(3):
        try:
            changes = index.update(walked, parse)
            break
        except sqlite3.DatabaseError as exc:
            if attempt == 2:  # a cache in memory that fails is no cache problem: say so
                raise
            index.recover(exc)  # rebuilt, or worked around (busy, full disk): never raises
    stats.parsed, stats.reused = len(changes.new), len(changes.unchanged)
    stats.removed = len(changes.removed)
    stats.cache = None if index.in_memory else str(index.path)
    stats.cache_rebuilt = index.rebuilt_reason
    return changes
