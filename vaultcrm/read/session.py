"""How one command reads the vault: a session, opened once, that every use case takes.

Whoever runs a command (the CLI, a test, a program embedding vaultcrm) opens one
`ReadSession` for one vault and one day; the use cases in `app/` take it and ask it for
what they need, each read at most once per walk: the config and its problems, the walk,
the index brought in line with it, every record, the vault assembled from them.

How the vault is read is decided once, by whoever opens the session (`ReadPolicy`), and
lives here, never in a use case:

- `processes`: a big walk, parse or store may use forked processes (`read/walk.py`,
  `read/records.py`, `cache/store.py`); otherwise nothing forks.
- `cache`: the index is the vault's file in the user cache folder; without it
  (`--no-cache`) the index lives in memory for the session, so a run without the cache
  takes the same code path as a cold one and leaves nothing behind.
- `repeated`: the process opens session after session (`watch`): the reference cycles a
  session leaves are freed when it closes, so the process stays the same size.

The cycle collector is paused for the whole session (`gcpause.collector_paused`): what
it reads is hundreds of thousands of records with no cycle to find.

Heavy modules (the index, the parser) are imported when first needed: `log` opens a
session only to resolve a name, and pays for the index only when file names do not tell.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from vaultcrm.config import Config, load_config
from vaultcrm.gcpause import collect_cycles, collector_paused
from vaultcrm.model import Claim, LoadStats, NoteRecord, Problem, Vault

if TYPE_CHECKING:
    from vaultcrm.cache.plan import Changes
    from vaultcrm.cache.store import Index
    from vaultcrm.read.assemble import Roster
    from vaultcrm.read.walk import Walk


@dataclass(frozen=True)
class ReadPolicy:
    """How a session reads (see the module docstring). The defaults are a library's:
    one process, the index on disk."""

    processes: bool = False
    cache: bool = True
    repeated: bool = False


class ReadSession:
    """One command's reading of one vault, for one day. Open it with `ReadSession.open`."""

    def __init__(
        self,
        root: Path,
        today: dt.date,
        config: Config,
        config_problems: list[Problem],
        policy: ReadPolicy,
    ) -> None:
        self.root = root
        self.today = today
        self.config = config
        #: what is wrong with vaultcrm.yaml (and the folders it names), as values
        self.config_problems = config_problems
        self.policy = policy
        self._walked: Walk | None = None
        self._index: Index | None = None
        self._changes: Changes | None = None
        self._stats = LoadStats()
        self._records: list[NoteRecord] | None = None
        self._vault: Vault | None = None

    @classmethod
    @contextlib.contextmanager
    def open(
        cls, root: Path, today: dt.date | None = None, policy: ReadPolicy | None = None
    ) -> Iterator[ReadSession]:
        """A session on the vault at `root` for `today` (a command without a day, such as
        `check`, may leave it out), closed (its index too) when the block ends."""
        policy = policy or ReadPolicy()
        try:
            with collector_paused():
                config, problems = load_config(root)
                session = cls(root, today or dt.date.today(), config, problems, policy)
                try:
                    yield session
                finally:
                    session._close()
        finally:
            if policy.repeated:
                collect_cycles()

    def _close(self) -> None:
        if self._index is not None:
            self._index.close()

    # -- the walk ------------------------------------------------------------------------

    @property
    def walked(self) -> Walk:
        """The vault's files and their signatures, walked on first use."""
        if self._walked is None:
            from vaultcrm.read.walk import walk

            self._walked = walk(self.root, self.config, processes=self.policy.processes)
        return self._walked

    def walk_again(self) -> Walk:
        """Walk again after this command wrote notes (lines filed from the inbox, ticks
        recorded): what was read from the last walk is read again when next asked."""
        self._walked = None
        self._forget()
        return self.walked

    def _forget(self) -> None:
        self._changes = None
        self._records = None
        self._vault = None

    # -- the index -----------------------------------------------------------------------

    @property
    def index(self) -> Index:
        """The vault's index (in memory without the cache), opened on first use; it may
        lag behind the walk until `update`."""
        if self._index is None:
            from vaultcrm.read.records import open_index

            self._index = open_index(
                self.root, self.config, detach=self.policy.processes, on_disk=self.policy.cache
            )
        return self._index

    def update(self) -> Changes:
        """The index brought in line with the walk (what changed parsed and stored), once
        per walk; `stats` says what it took."""
        if self._changes is None:
            from vaultcrm.read.records import update_index

            self._stats = LoadStats(files=self.walked.count)
            self._changes = update_index(
                self.root, self.config, self.index, self.walked, self._stats,
                processes=self.policy.processes,
            )  # fmt: skip
        return self._changes

    @property
    def stats(self) -> LoadStats:
        """What the last `update` did: files seen, parsed, reused, removed."""
        return self._stats

    def recover(self, exc: sqlite3.DatabaseError) -> None:
        """After `exc` escaped the index mid-way (a damaged file is rebuilt, a busy one is
        worked around in memory): what was read through it is read again when asked."""
        self.index.recover(exc)
        self._forget()

    # -- what the notes hold -------------------------------------------------------------

    def records(self) -> list[NoteRecord]:
        """Every walked note's record, through the index (read again from the notes should
        the index fail on the way)."""
        if self._records is None:
            try:
                self._records = self._all_records()
            except sqlite3.DatabaseError as exc:
                self.recover(exc)
                self._records = self._all_records()
        return self._records

    def _all_records(self) -> list[NoteRecord]:
        changes = self.update()
        if not changes.unchanged and not changes.removed:  # all parsed now: no decoding
            return list(changes.new.values())
        return self.index.all_records()

    def vault(self) -> Vault:
        """Every record assembled into a `Vault` (names and aliases resolved), once per
        walk; the walk's problems are among its problems."""
        if self._vault is None:
            self._vault = self.assemble(self.records(), self.walked.problems)
        return self._vault

    def assemble(
        self,
        records: Iterable[NoteRecord],
        problems: Iterable[Problem] = (),
        roster: Roster | None = None,
    ) -> Vault:
        """`read.assemble.assemble` of these records (with `roster`, the whole vault's,
        they may be a subset of it)."""
        from vaultcrm.read.assemble import assemble

        return assemble(self.root, records, self.config, problems, roster)

    def claims(self) -> list[Claim]:
        """What every readable person note claims (its name, casefolded aliases), from the
        index brought in line with the walk: no record is decoded."""
        try:
            self.update()
            return self.index.claims()
        except sqlite3.DatabaseError as exc:
            self.recover(exc)
            self.update()
            return self.index.claims()
