"""The store: a disposable SQLite index of parsed notes, keyed by path and `(mtime_ns, size)`.

A file whose signature is unchanged is never read again. Deleting the cache loses nothing;
a new envelope (`codec.cache_key`: layout, vaultcrm's version and code, Python, settings)
or a corrupt file rebuilds it from the notes. What is stored is encoded by `codec`; what
to redo is decided by `plan`.

Several runs may share the file at once. A write waits for another run's (SQLite's busy
timeout); a run that still cannot get in works from memory instead, and leaves the file
alone. Only a file SQLite calls corrupt is rebuilt, and only while no other run has it
open (each holds a shared lock on `<cache>.lock`; the rebuild needs it exclusively).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import sqlite3
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from vaultcrm.benchswitch import off
from vaultcrm.cache import plan
from vaultcrm.cache.codec import (
    BROKEN,
    Memo,
    cache_key,
    decode_memo,
    decode_record,
    decode_walk,
    encode_record,
    encode_walk,
)
from vaultcrm.cache.plan import Changes, indexed_links
from vaultcrm.children import fork, fork_safe, reap
from vaultcrm.locate import cache_dir
from vaultcrm.model import Claim, FileSig, NoteKind, NoteRecord
from vaultcrm.words import CACHE_NOTES

try:
    import fcntl
except ImportError:  # Windows: no lock file; a corrupt cache is simply rebuilt
    fcntl = None  # type: ignore[assignment]

_TABLES = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    # one row per indexed note; `problems` is 1 when the record carries any
    "CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, mtime_ns INTEGER, size INTEGER,"
    " record BLOB NOT NULL, problems INTEGER NOT NULL DEFAULT 0)",
    # the few notes with problems, found without reading every record's pages
    "CREATE INDEX IF NOT EXISTS files_with_problems ON files (problems) WHERE problems = 1",
    # which (casefolded) link targets each daily or meeting note mentions: who a change
    # can affect
    "CREATE TABLE IF NOT EXISTS links (target TEXT NOT NULL, path TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS links_by_target ON links (target)",
    "CREATE INDEX IF NOT EXISTS links_by_path ON links (path)",
    # the names and aliases each person note claims, to resolve links without decoding
    "CREATE TABLE IF NOT EXISTS people (path TEXT PRIMARY KEY, name TEXT NOT NULL,"
    " keys TEXT NOT NULL, aliases_line INTEGER, circle TEXT, circle_line INTEGER)",
    # per-person results of the last run (reflections and last contact), see `derived_for`
    "CREATE TABLE IF NOT EXISTS derived (person TEXT PRIMARY KEY, payload BLOB NOT NULL,"
    " due INTEGER NOT NULL)",
)


#: Joins a person's casefolded names in one column (a control character no name holds).
_KEY_SEP = "\x1f"

_LINK_INDEXES = ("links_by_target", "links_by_path")

#: meta keys: the envelope, the last walk's signatures, the roster built from the claims,
#: the `today` the per-person results were made for, and the last sync's memo
_KEY = "key"
_WALK = "walk"
ROSTER = "people_roster"
DERIVED_FOR = "derived_for"
LAST_SYNC = "last_sync"


def _claim(
    path: str, name: str, keys: str, aliases_line: int | None, circle: str | None,
    circle_line: int | None,
) -> Claim:  # fmt: skip
    return Claim(path, name, tuple(keys.split(_KEY_SEP)), aliases_line, circle, circle_line)


class Signatures(Protocol):
    """A walk's files as parallel columns (`vault.Walk`)."""

    @property
    def rels(self) -> list[str]: ...
    @property
    def mtimes(self) -> list[int]: ...
    @property
    def sizes(self) -> list[int]: ...
    @property
    def kinds(self) -> list[NoteKind]: ...


#: SQLite's name for a database in memory: this run's alone, gone when it ends.
MEMORY = ":memory:"

#: Seconds a write waits for another run's before this run works without the cache.
BUSY_TIMEOUT = 30.0


def busy_timeout() -> float:
    """`VAULTCRM_BUSY_TIMEOUT` (seconds), else `BUSY_TIMEOUT`."""
    try:
        return float(os.environ.get("VAULTCRM_BUSY_TIMEOUT", BUSY_TIMEOUT))
    except ValueError:
        return BUSY_TIMEOUT


class CacheContended(sqlite3.OperationalError):
    """Other runs kept rewriting the cache under this one: work without it this time."""


def is_contention(exc: BaseException) -> bool:
    """Whether `exc` means another connection holds the database (busy or locked), as
    opposed to a damaged file: the one case where the file must be left alone."""
    if isinstance(exc, CacheContended):
        return True
    name = getattr(exc, "sqlite_errorname", None) or ""
    if name:
        return name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED"))
    return "locked" in str(exc) or "busy" in str(exc)


#: sqlite's names for a file it cannot write or read (as opposed to a damaged one)
_UNWRITABLE = (
    "SQLITE_FULL", "SQLITE_IOERR", "SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM",
    "SQLITE_NOMEM", "SQLITE_AUTH",
)  # fmt: skip


def is_unwritable(exc: BaseException) -> bool:
    """Whether `exc` means the cache cannot be written or read where it is (a full disk,
    a read-only folder, an I/O error): worked around, never rebuilt (nothing is wrong
    with the file, and removing it would not make room)."""
    if isinstance(exc, OSError):
        return True
    name = getattr(exc, "sqlite_errorname", None) or ""
    if name:
        return name.startswith(_UNWRITABLE)
    text = str(exc)
    return any(
        words in text for words in ("disk is full", "readonly", "unable to open", "I/O error")
    )


#: Why the index was worked around or rebuilt: the reasons a `CacheNote` may give.
CacheReason = Literal[
    "folder_unusable", "unusable", "was_unusable", "busy", "busy_store", "unreadable",
    "unreadable_in_use", "changed",
]


@dataclass(frozen=True)
class CacheNote:
    """Why the index was worked around or rebuilt: a reason (a key of
    `words.CACHE_NOTES`, whose text says it) and what it is about (the error, the folder).
    `said`: a note for the user to see; a busy index (another run's) is the cache's
    business alone."""

    reason: CacheReason
    detail: str = ""

    @property
    def text(self) -> str:
        return CACHE_NOTES[self.reason].format(detail=self.detail)

    @property
    def said(self) -> bool:
        return self.reason not in ("busy", "busy_store")


#: What this process noted about the cache for the user (worked around, rebuilt), in
#: order and once each: `take_notes` hands them to the CLI.
_NOTES: dict[CacheNote, None] = {}


def take_notes() -> list[CacheNote]:
    """Why the cache was worked around or rebuilt since the last call, once each."""
    notes = list(_NOTES)
    _NOTES.clear()
    return notes


class _Stale(Exception):
    """Another run wrote the cache between this run's read and its write."""


#: meta key of a token every store changes: a run's read is stale once it differs
_GENERATION = "generation"

#: With `detach`, stores of at least this many fresh records are written by a forked
#: child (POSIX).
DETACH_THRESHOLD = 2000
#: A detached store's exit code when another run kept the database (any other failure: 1).
_CHILD_BUSY = 3

#: A parsed note with its stored encoding, or b"" when the store is to encode it (workers
#: encode what they send; the parent leaves its own share to the store).
Parsed = tuple[NoteRecord, bytes]


def cache_path(root: Path) -> Path:
    """One cache file per vault, named after it so a user can tell them apart."""
    resolved = root.resolve()
    digest = hashlib.sha256(os.fsencode(resolved)).hexdigest()[:16]
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", resolved.name).strip("-")[:40] or "vault"
    return cache_dir() / f"{slug}-{digest}.sqlite3"


class Index:
    """The cache for one vault. `settings` fingerprints whatever changes how files parse.

    Any `sqlite3.DatabaseError` escaping a method means the cache is damaged: callers
    `reset()` it and start again (it only ever holds what the notes can rebuild).
    With `detach` (the CLI asks for it), a big store is written by a forked child while
    this process goes on; without it, nothing here forks.
    """

    def __init__(self, path: Path, settings: str, *, detach: bool = False) -> None:
        self.path = path
        self.key = cache_key(settings)
        self.detach = detach
        self.rebuilt_reason: str | None = None
        self._pending: int | None = None  # a child process still writing a store
        self._why = -1  # the read end of a pipe on which that child says why it failed
        # what a detached store writes, kept in case the child fails (see `_settle`)
        self._detached: tuple[list[FileSig], list[Parsed], bytes, str] | None = None
        self._generation: str | None = None  # the store token this run last read
        self._lock: int | None = None  # fd of `<cache>.lock`, shared while open
        if self.in_memory:  # no file, no lock: nothing to share with another run
            self.conn = self._connect()
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._lock = _lock_shared(self.path)
            self.conn = self._connect()
        except sqlite3.DatabaseError as exc:
            try:
                self.conn = self.recover(exc)
            except (OSError, sqlite3.Error) as again:
                self._in_memory(again)
        except OSError as exc:
            self._in_memory(exc)

    @classmethod
    def memory(cls, settings: str) -> Index:
        """An index that lives in memory for one run (`--no-cache`): the same code as the
        file's, nothing left behind."""
        return cls(Path(MEMORY), settings)

    @property
    def in_memory(self) -> bool:
        """Whether this run's index lives in memory (`--no-cache`, or the file could not
        be used)."""
        return str(self.path) == MEMORY

    def _in_memory(self, exc: Exception) -> None:
        """No usable cache file (read-only or missing folder): work from memory this run."""
        reason = getattr(exc, "strerror", None) or str(exc)
        self._bypass(CacheNote("folder_unusable", f"{self.path.parent}: {reason}"))

    def _bypass(self, note: CacheNote) -> sqlite3.Connection:
        """Work from an empty cache in memory this run, leaving the file as it is; a note
        for the user to see goes to `take_notes`."""
        with contextlib.suppress(Exception):
            self._conn.close()
        self._unlock()
        self.rebuilt_reason = note.text
        if note.said:
            _NOTES.setdefault(note)
        self.path = Path(MEMORY)
        self.conn = self._connect()
        return self.conn

    def _unlock(self) -> None:
        if self._lock is not None:
            if self._lock >= 0:
                os.close(self._lock)  # closing the fd drops the lock
            self._lock = None

    def recover(self, exc: sqlite3.DatabaseError | OSError) -> sqlite3.Connection:
        """After `exc` escaped a method: rebuild a damaged cache, or work around one that
        is busy or cannot be written. Never raises: at worst the run goes on in memory.

        A busy or locked database is another run's, never damage: this run goes on from
        memory. So does a cache that cannot be written or read (a full disk, a read-only
        folder, an I/O error): it is left as it is. A corrupt file is rebuilt only when no
        other run has it open; otherwise this run, too, works from memory.
        """
        if self.in_memory:
            return self._bypass(CacheNote("was_unusable", str(exc)))
        if is_contention(exc):
            return self._bypass(CacheNote("busy", str(exc)))
        if is_unwritable(exc):
            return self._bypass(CacheNote("unusable", str(exc)))
        return self.reset(str(exc))

    @property
    def conn(self) -> sqlite3.Connection:
        """The connection, once any store still being written in the background is in."""
        if self._pending is not None:
            self._settle()
        return self._conn

    @conn.setter
    def conn(self, value: sqlite3.Connection) -> None:
        self._conn = value

    def _settle(self) -> None:
        """Wait for the background store. If it failed (another run held the database
        past the busy timeout, a full disk...), this run's records go into a cache in
        memory instead: the run's results stand, only the file is not written this time.
        """
        pid, self._pending = self._pending, None
        assert pid is not None
        code = reap(pid)
        why = _read_all(self._why)
        self._why = -1
        detached, self._detached = self._detached, None
        # unknown (reaped by the kernel): taken as written; had it failed, the generation
        # it would have left is not the file's, and every later write here is skipped
        if code in (0, None):
            self._conn = self._connect()
            if detached is not None:  # what this run stored, whatever others did since
                self._generation = detached[3]
            return
        if code == _CHILD_BUSY:
            self._bypass(CacheNote("busy_store"))
        else:
            self._bypass(CacheNote("unusable", why or "the store failed"))
        if detached is not None:  # a detached store holds every record (`update`)
            stale, parsed, walk, _ = detached
            self._store(stale, parsed, [], walk)

    def reset(self, why: str) -> sqlite3.Connection:
        """Throw a damaged cache file away (`why`: what SQLite said of it) and start an
        empty one, if no other run has it open (then this run works from memory and leaves
        the file to a later run)."""
        with contextlib.suppress(Exception):
            self.conn.close()
        if self.in_memory or not _lock_exclusive(self._lock):
            return self._bypass(CacheNote("unreadable_in_use", why))
        try:
            note = CacheNote("unreadable", why)
            self.rebuilt_reason = note.text
            _NOTES.setdefault(note)
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(str(self.path) + suffix).unlink(missing_ok=True)
            self.conn = self._connect()
        except (OSError, sqlite3.Error) as exc:  # cannot be removed or made again
            return self._bypass(CacheNote("unusable", str(exc)))
        finally:
            if fcntl is not None and self._lock is not None:
                fcntl.flock(self._lock, fcntl.LOCK_SH)
        return self.conn

    def _connect(self) -> sqlite3.Connection:
        # the busy timeout makes every statement wait for another run's write
        conn = sqlite3.connect(self.path, isolation_level=None, timeout=busy_timeout())
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
            if not {"meta", "files", "links", "people", "derived", "files_with_problems"} <= tables:
                conn.execute("BEGIN IMMEDIATE")
                for statement in _TABLES:
                    conn.execute(statement)
                conn.execute("COMMIT")
            meta = dict(
                conn.execute("SELECT key, value FROM meta WHERE key IN (?, ?)", (_KEY, _GENERATION))
            )
            if meta.get(_KEY) != self.key:
                conn.execute("BEGIN IMMEDIATE")
                # another run may have just done it, or be of another build: look again
                meta = dict(conn.execute("SELECT key, value FROM meta"))
                if meta.get(_KEY) != self.key:
                    if meta:
                        self.rebuilt_reason = CacheNote("changed").text
                    for table in ("files", "links", "people", "derived", "meta"):
                        conn.execute(f"DELETE FROM {table}")
                    meta = {_KEY: self.key, _GENERATION: _token()}
                    conn.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
                conn.execute("COMMIT")
        except sqlite3.DatabaseError:
            conn.close()
            raise
        self._generation = meta.get(_GENERATION)
        return conn

    def close(self) -> None:
        if self._pending is not None:  # closed for the fork; only wait for the child
            pid, self._pending = self._pending, None
            reap(pid)  # a failed store only means the next run parses again
            _close(self._why)
            self._why = -1
        else:
            self._conn.close()
        self._unlock()

    def get_meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str | bytes) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def get_blob(self, key: str) -> bytes | None:
        """A value stored as bytes (SQLite keeps a BLOB as it is, whatever the column says)."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row is not None and isinstance(row[0], bytes) else None

    def _last_walk(self) -> tuple[list[str], list[int], list[int]] | None:
        """The signatures the files table holds, in the last walk's order, if remembered."""
        saved = self.get_blob(_WALK)
        if saved is None:
            return None
        try:
            return decode_walk(saved)
        except BROKEN:
            return None

    def memo(self) -> Memo | None:
        """The last sync's memo (read on every sync with nothing to do), if it decodes."""
        saved = self.get_blob(LAST_SYNC)
        try:
            return None if saved is None else decode_memo(saved)
        except BROKEN:
            return None

    def remember_sync(self, memo: bytes) -> None:
        self.set_meta(LAST_SYNC, memo)

    def update(self, walked: Signatures, parse: Callable[[list[FileSig]], list[Parsed]]) -> Changes:
        """`_update`, again from what the cache then holds if another run wrote it meanwhile."""
        for _ in range(3):
            try:
                return self._update(walked, parse)
            except _Stale:
                continue
        raise CacheContended("other runs kept rewriting the cache")

    def _update(
        self, walked: Signatures, parse: Callable[[list[FileSig]], list[Parsed]]
    ) -> Changes:
        """Bring the cache in line with the walk: parse what changed, drop what is gone.

        Only signatures are compared; no unchanged record is decoded. When the files come
        in the order of the last walk (the usual case), the comparison is of three lists
        kept as one blob, not of 30,000 rows. `parse` receives every file that must be
        (re)read at once, so it may spread the work over processes, and returns each
        record with its encoding (`encode_record`), which is what is stored.
        """
        rels, mtimes, sizes = walked.rels, walked.mtimes, walked.sizes
        # read first: a store by another run from here on changes it (`_store` checks)
        self._generation = base = self.get_meta(_GENERATION)
        last = self._last_walk()
        if last is not None and last[0] == rels:
            stale_at, removed, changed_known = plan.stale_in_order(last, mtimes, sizes, rels)
        else:
            known = {
                path: (mtime, size)
                for path, mtime, size in self.conn.execute("SELECT path, mtime_ns, size FROM files")
            }
            stale_at, removed, changed_known = plan.stale_by_path(known, rels, mtimes, sizes)
        kinds = walked.kinds
        stale = [FileSig(rels[i], mtimes[i], sizes[i], kinds[i]) for i in stale_at]
        if stale_at:
            at = set(stale_at)
            unchanged = [rel for i, rel in enumerate(rels) if i not in at]
        else:
            unchanged = list(rels)
        old = self.records(changed_known)
        parsed = parse(stale) if stale else []
        remembered = encode_walk(rels, mtimes, sizes)
        # detached only when every record is fresh: then, should the child fail, these
        # records alone are the whole cache (`_settle`)
        if len(stale) >= DETACH_THRESHOLD and not unchanged and self._can_detach():
            self._store_detached(stale, parsed, changed_known, remembered)
        elif stale or removed:
            self._store(stale, parsed, changed_known, remembered, whole=not unchanged)
        elif last is None or last[0] != rels:
            self._store([], [], [], remembered)
        new = {sig.rel: rec for sig, (rec, _) in zip(stale, parsed, strict=True)}
        return Changes(old, new, removed, unchanged, base)

    def _can_detach(self) -> bool:
        return (
            self.detach and fork_safe() and not self.in_memory
            and not off("detached_store")
        )

    def _store_detached(
        self, stale: list[FileSig], parsed: list[Parsed], drop: list[str], walk: bytes
    ) -> None:
        """`_store` in a forked child, while this process goes on with the records.

        A cold index writes megabytes; the child (which shares the parsed records) encodes
        and writes them while the parent reflects, on the other core. The connection is
        closed across the fork (SQLite connections must not cross one) and reopened when
        the child is waited for, which any use of `conn` does first.
        """
        self._conn.close()
        token = _token()  # the generation the child's store leaves, known to both
        try:
            why_read, why_write = os.pipe()  # why the child failed, if it does
        except OSError:
            why_read = why_write = -1
        pid = fork()
        if pid is None or pid > 0:
            _close(why_read if pid is None else -1, why_write)
        if pid is None:  # no child (the process limit): store here, as a small store does
            read = self._generation
            self._conn = self._connect()
            self._generation = read  # what this run compared against, not what is there now
            self._store(stale, parsed, drop, walk, whole=True, token=token)
            return
        if pid == 0:  # the child: write, and leave without running any exit handler
            code = 1
            try:
                self._conn = sqlite3.connect(
                    self.path, isolation_level=None, timeout=busy_timeout()
                )
                # no fsync: the cache is disposable and WAL keeps it consistent; a store
                # lost to a power cut is only parsed again by the next run
                self._conn.execute("PRAGMA synchronous=OFF")
                self._store(stale, parsed, drop, walk, whole=True, token=token)
                self._conn.close()
                code = 0
            except BaseException as exc:  # the parent carries on without the file (`_settle`)
                code = _CHILD_BUSY if is_contention(exc) else 1
                with contextlib.suppress(Exception):
                    os.write(why_write, str(exc).encode("utf-8", "replace")[:1000])
            finally:
                os._exit(code)
        self._pending = pid
        self._why = why_read
        self._detached = (stale, parsed, walk, token)

    def _store(
        self,
        stale: list[FileSig],
        parsed: list[Parsed],
        drop: list[str],
        walk: bytes,
        *,
        whole: bool = False,
        token: str | None = None,
    ) -> None:
        """Write fresh records, in one transaction with what is derived from them.

        The remembered walk and the cached roster must never disagree with the rows, so
        the walk is rewritten, and the roster forgotten when any claim moved, in the same
        transaction. If another run stored since this one read the cache, the rows this
        run compared against are gone: records that are the `whole` cache replace
        everything; otherwise `_Stale` sends `update` back to compare again.
        """
        fresh = [rec for rec, _ in parsed]
        claims = [Claim.of(rec.person) for rec in fresh if rec.person is not None]
        c = self.conn
        c.execute("BEGIN IMMEDIATE")  # take the write lock now: a read can't be upgraded
        now = c.execute("SELECT value FROM meta WHERE key = ?", (_GENERATION,)).fetchone()
        if (None if now is None else now[0]) != self._generation:
            if not whole:
                c.execute("ROLLBACK")
                raise _Stale
            for table in ("files", "links", "people", "derived"):
                c.execute(f"DELETE FROM {table}")
            c.execute("DELETE FROM meta WHERE key != ?", (_KEY,))
            drop = []
            stale_rows = True
        else:
            stale_rows = False
        if stale or drop or stale_rows:  # rows change: results derived before no longer hold
            self._generation = token or _token()
            c.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (_GENERATION, self._generation))
        before = {claim.path: claim for claim in self._claims_at(drop)}
        claims_moved = before != {claim.path: claim for claim in claims}
        for table in ("files", "links", "people"):
            c.executemany(f"DELETE FROM {table} WHERE path = ?", ((p,) for p in drop))
        # Into an empty table (a cold index), rows go in first and the link indexes are
        # built once afterwards: about half the cost of updating them row by row.
        bulk = not drop and c.execute("SELECT 1 FROM links LIMIT 1").fetchone() is None
        if bulk:
            for index in _LINK_INDEXES:
                c.execute(f"DROP INDEX IF EXISTS {index}")
        c.executemany(
            "INSERT INTO files VALUES (?, ?, ?, ?, ?)",
            (
                (
                    sig.rel,
                    sig.mtime_ns,
                    sig.size,
                    text or encode_record(rec),
                    int(bool(rec.problems)),
                )
                for sig, (rec, text) in zip(stale, parsed, strict=True)
            ),
        )
        c.executemany(
            "INSERT INTO links VALUES (?, ?)",
            ((key, rec.path) for rec in fresh for key in indexed_links(rec)),
        )
        if bulk:
            for statement in _TABLES:
                if statement.startswith("CREATE INDEX IF NOT EXISTS links"):
                    c.execute(statement)
        c.executemany(
            "INSERT INTO people VALUES (?, ?, ?, ?, ?, ?)",
            (
                (c.path, c.name, _KEY_SEP.join(c.keys), c.aliases_line, c.circle, c.circle_line)
                for c in claims
            ),
        )
        c.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (_WALK, walk))
        if claims_moved:
            c.execute("DELETE FROM meta WHERE key = ?", (ROSTER,))
        c.execute("COMMIT")

    def _where_in(self, query: str, values: Iterable[str]) -> Iterator[Any]:
        """Rows of `query` (whose `IN (?)` takes the values), 500 values per statement,
        since SQLite caps the number of bound parameters."""
        wanted = list(values)
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            yield from self.conn.execute(
                query.replace("(?)", f"({','.join('?' * len(chunk))})"), chunk
            )

    def _claims_at(self, paths: list[str]) -> list[Claim]:
        return [
            _claim(*row) for row in self._where_in("SELECT * FROM people WHERE path IN (?)", paths)
        ]

    def records(self, paths: Iterable[str]) -> dict[str, NoteRecord]:
        """Decoded records of these paths (those the cache holds)."""
        query = "SELECT path, record FROM files WHERE path IN (?)"
        return {path: decode_record(data) for path, data in self._where_in(query, paths)}

    def all_records(self) -> list[NoteRecord]:
        return [decode_record(t) for (t,) in self.conn.execute("SELECT record FROM files")]

    def records_with_problems(self) -> list[NoteRecord]:
        return [
            decode_record(t)
            for (t,) in self.conn.execute("SELECT record FROM files WHERE problems = 1")
        ]

    def claims(self) -> list[Claim]:
        """What every parsed person note claims (names, aliases, circle), without decoding it."""
        return [_claim(*row) for row in self.conn.execute("SELECT * FROM people")]

    def keys_of(self, names: Iterable[str]) -> set[str]:
        """Every key (casefolded name or alias) that notes of these people claim."""
        query = "SELECT keys FROM people WHERE name IN (?)"
        return {
            key for (keys,) in self._where_in(query, set(names)) for key in keys.split(_KEY_SEP)
        }

    def paths_linking(self, targets: Iterable[str]) -> set[str]:
        """Notes that link any of these casefolded targets: daily and meeting notes by
        their wikilinks, person notes by the people around them they name."""
        query = "SELECT DISTINCT path FROM links WHERE target IN (?)"
        return {path for (path,) in self._where_in(query, set(targets))}

    def people_naming(self, targets: Iterable[str]) -> set[str]:
        """The people whose notes name any of these casefolded targets as someone around
        them (`plan.affected`'s `naming`)."""
        query = (
            "SELECT DISTINCT people.name FROM links JOIN people ON people.path = links.path"
            " WHERE links.target IN (?)"
        )
        return {name for (name,) in self._where_in(query, set(targets))}

    def derived(self, due_only: bool = False) -> dict[str, bytes]:
        query = "SELECT person, payload FROM derived" + (" WHERE due = 1" if due_only else "")
        return dict(self.conn.execute(query).fetchall())

    def derived_of(self, people: Iterable[str]) -> dict[str, bytes]:
        """The stored results of these people (those the cache holds)."""
        query = "SELECT person, payload FROM derived WHERE person IN (?)"
        return dict(self._where_in(query, set(people)))

    def derived_hold(self, state: str, base: str | None) -> bool:
        """Whether the per-person results were made for `state` from the records of
        generation `base` (the ones `update` compared the walk against)."""
        return self.get_meta(DERIVED_FOR) == f"{state}|{base}"

    def put_derived(
        self,
        rows: Iterable[tuple[str, bytes, bool]],
        *,
        replace_all: bool,
        drop: Iterable[str] = (),
        state: str,
        meta: Mapping[str, bytes] | None = None,
    ) -> None:
        """Store per-person results made for `state` from this run's records, unless
        another run stored records since (then they are not results of what it holds).
        `meta` keys derived from all of them (the chart's totals) go in the same
        transaction: they never disagree with the results."""
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        if not self._current():
            c.execute("ROLLBACK")
            return
        if replace_all:
            c.execute("DELETE FROM derived")
        c.executemany("DELETE FROM derived WHERE person = ?", ((p,) for p in drop))
        c.executemany(
            "INSERT OR REPLACE INTO derived VALUES (?, ?, ?)",
            ((person, payload, int(due)) for person, payload, due in rows),
        )
        c.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", (meta or {}).items())
        c.execute(
            "INSERT OR REPLACE INTO meta VALUES (?, ?)",
            (DERIVED_FOR, f"{state}|{self._generation}"),
        )
        c.execute("COMMIT")

    def remember(self, key: str, value: bytes) -> None:
        """`set_meta` for what is derived from the records, unless another run has
        stored records since this one read them."""
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        if self._current():
            c.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))
        c.execute("COMMIT")

    def _current(self) -> bool:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (_GENERATION,)).fetchone()
        return (None if row is None else row[0]) == self._generation


def _token() -> str:
    return uuid.uuid4().hex


def _close(*fds: int) -> None:
    for fd in fds:
        if fd >= 0:
            os.close(fd)


def _read_all(fd: int) -> str:
    """What a finished child wrote on the pipe `fd` (closed here); "" for none."""
    if fd < 0:
        return ""
    chunks = []
    try:
        while chunk := os.read(fd, 4096):
            chunks.append(chunk)
    except OSError:
        pass
    finally:
        os.close(fd)
    return b"".join(chunks).decode("utf-8", "replace").strip()


def _lock_shared(path: Path) -> int:
    """Open `<cache>.lock` and hold it shared: a rebuild (`reset`) waits for no one but
    must see that nobody else has the cache open."""
    if fcntl is None:
        return -1
    fd = os.open(str(path) + ".lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
    except OSError:
        os.close(fd)
        raise
    return fd


def _lock_exclusive(fd: int | None) -> bool:
    """Whether this run alone has the cache open (the lock is then held exclusively)."""
    if fd is None:
        return False
    if fcntl is None:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        # converting may have dropped the shared lock: take it back
        fcntl.flock(fd, fcntl.LOCK_SH)
        return False
    return True
