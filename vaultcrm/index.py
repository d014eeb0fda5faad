"""A disposable SQLite cache of parsed notes, keyed by path and `(mtime_ns, size)`.

A file whose signature is unchanged is never read again. Deleting the cache loses nothing;
a schema or parse-settings change, or a corrupt file, rebuilds it from the notes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .model import Entry, NoteKind, NoteRecord, Person, Problem, YearlyDate

#: Bump whenever the stored record layout or the parser's output changes.
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class FileSig:
    """What the walk learns about a file without reading it."""

    rel: str
    mtime_ns: int
    size: int
    kind: NoteKind
    day: dt.date | None = None


@dataclass
class RefreshStats:
    parsed: int = 0
    reused: int = 0
    removed: int = 0


def cache_dir() -> Path:
    """`VAULTCRM_CACHE_DIR`, else the user cache dir (never inside the vault)."""
    override = os.environ.get("VAULTCRM_CACHE_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_cache_dir("vaultcrm", appauthor=False))


def cache_path(root: Path) -> Path:
    """One cache file per vault, named after it so a user can tell them apart."""
    resolved = str(root.resolve())
    digest = hashlib.sha256(resolved.encode()).hexdigest()[:16]
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", root.resolve().name).strip("-")[:40] or "vault"
    return cache_dir() / f"{slug}-{digest}.sqlite3"


class Index:
    """The cache for one vault. `settings` fingerprints whatever changes how files parse."""

    def __init__(self, path: Path, settings: str) -> None:
        self.path = path
        self.settings = settings
        self.rebuilt_reason: str | None = None
        self.conn = self._open()

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = self._connect_checked()
        except sqlite3.DatabaseError as exc:  # corrupt or not a database: start over
            self.rebuilt_reason = f"cache was unreadable ({exc})"
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(str(self.path) + suffix).unlink(missing_ok=True)
            conn = self._connect_checked()
        return conn

    def _connect_checked(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
            )
            conn.execute(
                "CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, mtime_ns INTEGER,"
                " size INTEGER, record TEXT NOT NULL)"
            )
            meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
            if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise sqlite3.DatabaseError("quick_check failed")
        except sqlite3.DatabaseError:
            conn.close()
            raise
        wanted = {"schema": str(SCHEMA_VERSION), "settings": self.settings}
        if {k: meta.get(k) for k in wanted} != wanted:
            if meta:
                self.rebuilt_reason = "schema or settings changed"
            conn.execute("BEGIN")
            conn.execute("DELETE FROM files")
            conn.execute("DELETE FROM meta")
            conn.executemany("INSERT INTO meta VALUES (?, ?)", wanted.items())
            conn.execute("COMMIT")
        return conn

    def close(self) -> None:
        self.conn.close()

    def get_meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def refresh(
        self,
        sigs: Iterable[FileSig],
        parse: Callable[[list[FileSig]], list[NoteRecord]],
    ) -> tuple[list[NoteRecord], RefreshStats]:
        """Records for exactly `sigs`: cached ones reused, changed ones parsed, gone ones dropped.

        `parse` receives every file that must be (re)read at once, so it may spread the
        work over processes.
        """
        stats = RefreshStats()
        known = {
            path: (mtime, size, record)
            for path, mtime, size, record in self.conn.execute(
                "SELECT path, mtime_ns, size, record FROM files"
            )
        }
        records: list[NoteRecord] = []
        stale: list[FileSig] = []
        wanted: set[str] = set()
        for sig in sigs:
            wanted.add(sig.rel)
            hit = known.get(sig.rel)
            if hit is not None and hit[0] == sig.mtime_ns and hit[1] == sig.size:
                records.append(decode_record(hit[2]))
                stats.reused += 1
            else:
                stale.append(sig)
        fresh = parse(stale) if stale else []
        stats.parsed = len(fresh)
        gone = [path for path in known if path not in wanted]
        stats.removed = len(gone)
        if fresh or gone:
            self.conn.execute("BEGIN")
            self.conn.executemany(
                "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?)",
                (
                    (sig.rel, sig.mtime_ns, sig.size, encode_record(rec))
                    for sig, rec in zip(stale, fresh, strict=True)
                ),
            )
            self.conn.executemany("DELETE FROM files WHERE path = ?", ((p,) for p in gone))
            self.conn.execute("COMMIT")
        records.extend(fresh)
        return records, stats


# -- codec: records ⇄ compact JSON arrays (positional, so decoding stays cheap) ----------


def _d(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _ud(value: str | None) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)


def _yd(y: YearlyDate) -> list[Any]:
    return [y.label, y.month, y.day, y.year]


def encode_record(rec: NoteRecord) -> str:
    p = rec.person
    person = None
    if p is not None:
        person = [
            p.name,
            p.file,
            list(p.aliases),
            list(p.tags),
            p.circle,
            p.cadence_days,
            None if p.birthday is None else _yd(p.birthday),
            [_yd(y) for y in p.dates],
            _d(p.snooze_until),
            list(p.likes),
            p.boundaries,
            dict(p.key_lines),
        ]
    entries = [
        [e.line, e.text, _d(e.date), list(e.tags), list(e.links), e.task] for e in rec.entries
    ]
    problems = [[q.path, q.line, q.message, q.severity, q.col] for q in rec.problems]
    payload = [rec.path, rec.kind, person, _d(rec.day), entries, problems]
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def decode_record(text: str) -> NoteRecord:
    path, kind, person, day, entries, problems = json.loads(text)
    p = None
    if person is not None:
        (
            name,
            file,
            aliases,
            tags,
            circle,
            cadence,
            birthday,
            dates,
            snooze,
            likes,
            boundaries,
            key_lines,
        ) = person
        p = Person(
            name=name,
            file=file,
            aliases=tuple(aliases),
            tags=tuple(tags),
            circle=circle,
            cadence_days=cadence,
            birthday=None if birthday is None else YearlyDate(*birthday),
            dates=tuple(YearlyDate(*y) for y in dates),
            snooze_until=_ud(snooze),
            likes=tuple(likes),
            boundaries=boundaries,
            key_lines=key_lines,
        )
    return NoteRecord(
        path=path,
        kind=kind,
        person=p,
        day=_ud(day),
        entries=tuple(
            Entry(
                line=e[0], text=e[1], date=_ud(e[2]), tags=tuple(e[3]), links=tuple(e[4]), task=e[5]
            )
            for e in entries
        ),
        problems=tuple(Problem(q[0], q[1], q[2], q[3], q[4]) for q in problems),
    )
