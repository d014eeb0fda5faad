"""The vault's relevant files and their signatures, without reading any of them."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import marshal
import os
import re
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISREG
from typing import Any

from vaultcrm.benchswitch import off
from vaultcrm.children import fork, fork_safe, reap
from vaultcrm.config import Config
from vaultcrm.ignoring import Ignore, never_a_note
from vaultcrm.model import FileSig, NoteKind, Problem
from vaultcrm.read.copies import copy_of_output
from vaultcrm.regular import NOT_REGULAR

#: Folders never walked: tool state, trash, version control, editors' own.
SKIP_DIRS = frozenset({".git", ".obsidian", ".trash", ".vaultcrm", ".stfolder", "node_modules"})

#: The edit engine's conflict copies (`Ann.conflict.md`, `Ann.conflict-2.md`) are not people.
CONFLICT_COPY = re.compile(r"\.conflict(?:-\d+)?\.md$")

CONFLICT_MESSAGE = (
    "a conflict copy kept by vaultcrm: merge what you need into the note, then delete it"
)
SYMLINK_MESSAGE = "symlink points outside the vault; skipped"
FOLDER_SYMLINK_MESSAGE = "symlink leads outside the vault"
UNDECODABLE_MESSAGE = "the name is not UTF-8 text; rename it to have it read (skipped)"

#: With `processes`, a walk that finds at least this many notes stats half of them in a
#: forked child: the stat calls are four fifths of a walk, and a vault's notes are never
#: read by a walk (see `_stat_all`).
PARALLEL_STAT = 4000


@dataclass(frozen=True)
class Walk:
    """The vault's relevant files and what the walk itself found wrong.

    Kept as parallel columns rather than one `FileSig` per file: a sync with nothing to
    do only hashes them, so it never builds 30,000 tuples it would not look at.
    """

    rels: list[str]
    mtimes: list[int]
    sizes: list[int]
    kinds: list[NoteKind]
    problems: list[Problem] = field(default_factory=list)
    #: every path joined by NUL, as UTF-8, when `_readable_names` made it (for `digest`)
    names: bytes | None = field(default=None, compare=False, repr=False)

    @property
    def count(self) -> int:
        return len(self.rels)

    @functools.cached_property
    def sigs(self) -> list[FileSig]:
        return list(map(FileSig, self.rels, self.mtimes, self.sizes, self.kinds))

    @functools.cached_property
    def digest(self) -> str:
        """A digest of every file's signature (and the walk's problems), made once."""
        h = hashlib.sha256()
        names = self.names  # no name holds NUL
        if names is None:
            names = "\0".join(self.rels).encode("utf-8", "surrogatepass")
        h.update(names)
        try:
            h.update(array("q", self.mtimes).tobytes())
            h.update(array("q", self.sizes).tobytes())
        except OverflowError:  # a clock or size beyond 64 bits: slower, still exact
            h.update(repr((self.mtimes, self.sizes)).encode())
        for p in self.problems:
            h.update(p.format().encode("utf-8", "surrogatepass"))
        return h.hexdigest()


def _norm_folder(folder: str) -> str:
    return folder.strip().strip("/")


def _under(rel_dir: str, folder: str) -> bool:
    return not folder or rel_dir == folder or rel_dir.startswith(folder + "/")


def folder_kind(rel_dir: str, people: str, daily: str) -> NoteKind:
    """What the notes directly in `rel_dir` are taken for before they are read: the
    deeper of the people and daily folders that hold it decides (daily on a tie, and a
    daily candidate that is not a date is read as what the other folder says)."""
    in_daily, in_people = _under(rel_dir, daily), _under(rel_dir, people)
    if in_daily and (not in_people or len(daily) >= len(people)):
        return "daily"
    return "person" if in_people else "other"


def walk(root: Path, config: Config, *, processes: bool = False) -> Walk:
    """Signatures of every note in the vault, without reading any file.

    Notes under the people folder are "person", under the daily folder "daily" (reading
    settles whether the name is a date), anywhere else "other" (reading settles whether
    it is a person by tag or property, an interaction note, or nothing). Never walked:
    dot-folders (.obsidian, .trash, .vaultcrm…), `SKIP_DIRS`, the note-template folders
    named in Obsidian's settings, README, index and `_` files and the `ignore:` globs
    (`vaultcrm.ignoring`), the generated note, sync tools' conflict copies of it
    (`read/copies.py`: `sync` records their ticks) and the inbox. Symlinked folders are not
    followed; a symlinked note is used only when it stays inside the vault.

    With `processes` (the read session's policy: the CLI's) a big vault is walked by two
    processes: the top-level folders shared out when they balance (`_share_out`), else
    the notes' stat calls (`_stat_all`).
    """
    processes = processes and not off("walk_fork")
    lister = _Lister(root, config)
    if not os.path.isdir(root):
        return Walk([], [], [], [])
    # One order whoever walks what: the notes at the top level, then each top-level
    # folder in listing order, depth first; problems sorted.
    found = _Listing()
    top: list[tuple[str, str, os.DirEntry[str]]] = []
    lister.visit(found, os.fspath(root), "", top)
    shares = None
    if processes and fork_safe() and not off("walk_folders"):
        shares = _share_out([_weight(entry) for _, _, entry in top])
    if shares is not None:
        walked = _walk_shared(lister, found, top, shares)
    else:
        for path, rel, _ in top:
            lister.visit(found, path, rel)
        parallel = processes and len(found.entries) >= PARALLEL_STAT
        walked = found.signed(_stat_all(found.entries, parallel))
    walked = _readable_names(lister.through_links(walked))
    walked.problems.sort(key=lambda p: (p.path, p.line or 0, p.message))
    return walked


def shown_path(rel: str) -> str:
    """A path as text that can be printed, stored and sent as JSON: a byte that is not
    UTF-8 (kept by Python as a lone surrogate) is written `\\xe9`."""
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        return rel.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return rel


def _readable_names(walked: Walk) -> Walk:
    """`walked` without the notes whose path is not UTF-8 (`Caf\\xe9.md` written by a
    Latin-1 system): one problem per such file or folder, and the rest of the vault as
    usual. One encode of every path finds that there is none, the usual case."""
    try:
        names = "\0".join(walked.rels).encode("utf-8")  # kept: the digest hashes the same
        if all(shown_path(p.path) == p.path for p in walked.problems):
            return dataclasses.replace(walked, names=names)
    except UnicodeEncodeError:
        pass
    keep = [i for i, rel in enumerate(walked.rels) if shown_path(rel) == rel]
    problems = [
        p if shown_path(p.path) == p.path else dataclasses.replace(p, path=shown_path(p.path))
        for p in walked.problems
    ]
    named: set[str] = set()
    for rel in walked.rels:
        if shown_path(rel) == rel:
            continue
        parts = rel.split("/")
        first = next(i for i, part in enumerate(parts) if shown_path(part) != part)
        named.add(shown_path("/".join(parts[: first + 1])))
    problems += [Problem(path, None, UNDECODABLE_MESSAGE) for path in sorted(named)]
    return Walk(
        [walked.rels[i] for i in keep],
        [walked.mtimes[i] for i in keep],
        [walked.sizes[i] for i in keep],
        [walked.kinds[i] for i in keep],
        problems,
    )


@dataclass
class _Listing:
    """Notes found by listing folders, not yet stat'ed: each note's path, kind, and what
    to stat (its DirEntry, or the path of a symlink whose target stays in the vault)."""

    rels: list[str] = field(default_factory=list)
    kinds: list[NoteKind] = field(default_factory=list)
    entries: list[os.DirEntry[str] | str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def signed(self, stats: Stats) -> Walk:
        """The walk of these notes, given their stats (`_stat_some`)."""
        rels, kinds, problems = list(self.rels), list(self.kinds), list(self.problems)
        mtimes, sizes, failed = stats
        if failed:  # rare: a note gone or swapped for a FIFO since it was listed
            problems += [Problem(rels[i], None, failed[i]) for i in sorted(failed)]
            for i in sorted(failed, reverse=True):
                del rels[i], kinds[i], mtimes[i], sizes[i]
        # No sort: nothing downstream depends on the order (records are sorted where it
        # matters), and the input key only has to be equal when nothing changed.
        return Walk(rels, mtimes, sizes, kinds, problems)


class _Lister:
    """Lists a vault's folders by its rules (what is skipped, each folder's kind)."""

    def __init__(self, root: Path, config: Config) -> None:
        self.root = root
        self.people = _norm_folder(config.people_folder)
        self.daily = _norm_folder(config.daily_folder)
        self.skipped = {_norm_folder(f) for f in config.template_folders}
        self.output = config.output.strip("/")
        #: what a conflict copy's name starts with: a cheap test before the patterns
        self.output_stem = self.output.rpartition("/")[2].removesuffix(".md") or "\0"
        #: the inbox's lines are not interactions until `sync` files them (app/inbox.py)
        self.inbox = config.inbox.strip("/")
        self.root_real = os.path.realpath(root)
        #: `ignore:` globs (docs/config.md); README, index and `_` files never are notes
        self.ignored = Ignore(config.ignore)

    def visit(
        self,
        into: _Listing,
        dir_path: str,
        rel_dir: str,
        top: list[tuple[str, str, os.DirEntry[str]]] | None = None,
    ) -> None:
        """List one folder and, recursively, its folders; with `top`, its folders are
        put there instead (path, vault-relative path, entry)."""
        prefix = rel_dir + "/" if rel_dir else ""
        kind = folder_kind(rel_dir, self.people, self.daily)
        output, inbox, skipped, root_real = self.output, self.inbox, self.skipped, self.root_real
        output_stem = self.output_stem
        ignored = self.ignored or None
        problems, rels, kinds, entries = into.problems, into.rels, into.kinds, into.entries
        try:
            listing = os.scandir(dir_path)
        except OSError as exc:
            if rel_dir:
                problems.append(Problem(rel_dir, None, f"cannot read folder: {exc.strerror}"))
            return
        with listing:
            for entry in listing:
                name = entry.name
                if name[0] == ".":
                    continue
                if entry.is_dir(follow_symlinks=False):
                    if ignored is not None and ignored(prefix + name):
                        continue
                    if name not in SKIP_DIRS and prefix + name not in skipped:
                        if top is None:
                            self.visit(into, entry.path, prefix + name)
                        else:
                            top.append((entry.path, prefix + name, entry))
                    continue
                if not name.endswith(".md"):
                    if kind != "other" and entry.is_symlink():  # where notes are expected
                        self._folder_link(into, entry, prefix + name)
                    continue
                if never_a_note(name):
                    continue
                rel = prefix + name
                if ignored is not None and ignored(rel):
                    continue
                ours = rel in (output, inbox)
                if ours or (".conflict" in name and CONFLICT_COPY.search(name)):
                    if not ours and copy_of_output(rel, output) is None:
                        problems.append(Problem(rel, None, CONFLICT_MESSAGE, "warning"))
                    continue
                if name.startswith(output_stem) and copy_of_output(rel, output) is not None:
                    continue  # a sync tool's copy of the generated note: `sync` heals it
                if entry.is_symlink():
                    try:
                        real = os.path.realpath(entry.path)
                        inside = os.path.commonpath([root_real, real]) == root_real
                    except (OSError, ValueError) as exc:
                        problems.append(Problem(rel, None, f"cannot read: {exc}"))
                        continue
                    if not inside:
                        problems.append(Problem(rel, None, SYMLINK_MESSAGE))
                        continue
                    entries.append(entry.path)
                else:
                    entries.append(entry)
                # a daily-note candidate's name is matched against the format when read
                rels.append(rel)
                kinds.append(kind)

    def _folder_link(self, into: _Listing, entry: os.DirEntry[str], rel: str) -> None:
        """A symlinked folder among the people or daily notes is not followed: said once
        when it leads out of the vault (`People/Etc → /etc`), where its notes would be
        read from; one that stays inside is read where it leads."""
        try:
            if not entry.is_dir():  # follows the link: a file, or broken
                return
            real = os.path.realpath(entry.path)
            inside = os.path.commonpath([self.root_real, real]) == self.root_real
        except (OSError, ValueError):
            return
        if not inside:
            message = f"{FOLDER_SYMLINK_MESSAGE} (to {real}); skipped"
            into.problems.append(Problem(rel, None, message))

    def walk_folder(self, path: str, rel: str) -> Walk:
        found = _Listing()
        self.visit(found, path, rel)
        return found.signed(_stat_some(found.entries, 0, len(found.entries)))

    def through_links(self, walked: Walk) -> Walk:
        """`walked`, plus the people or daily folder when it is (or lies under) a symlink:
        followed when it stays inside the vault, else skipped with a problem saying so."""
        extra = _Listing()
        for rel in sorted({self.people, self.daily} - {""}):  # symlinked folders are not followed
            path = os.path.join(self.root, rel)
            if os.path.realpath(path) == os.path.join(self.root_real, rel):  # no link
                continue
            real = os.path.realpath(path)
            if os.path.commonpath([self.root_real, real]) != self.root_real:
                message = f"{FOLDER_SYMLINK_MESSAGE} (to {real}); skipped"
                extra.problems.append(Problem(rel, None, message))
            elif os.path.isdir(real):
                self.visit(extra, path, rel)
        if not extra.rels and not extra.problems:
            return walked
        more = extra.signed(_stat_some(extra.entries, 0, len(extra.entries)))
        return _joined([walked, more])


def _weight(entry: os.DirEntry[str]) -> int:
    """A folder's size as its file system reports it: on most, it grows with the number
    (and name length) of its entries, which is all `_share_out` needs."""
    try:
        return entry.stat(follow_symlinks=False).st_size
    except OSError:
        return 0


#: `_share_out` shares folders only when they hold at least this much (folder sizes,
#: ~3,000 notes on ext4), and the heaviest folder is at most this share of them all.
SHARE_WEIGHT = 100_000
SHARE_HEAVIEST = 2 / 3


def _share_out(weights: list[int]) -> list[int] | None:
    """Which process (0: this one, 1: the child) walks each top-level folder, heaviest
    first to the lighter side; None when there is too little to share, or one folder
    outweighs the rest (the stats are then shared instead)."""
    total = sum(weights)
    if total < SHARE_WEIGHT or max(weights) > SHARE_HEAVIEST * total:
        return None
    shares = [0] * len(weights)
    load = [0, 0]
    for i in sorted(range(len(weights)), key=lambda i: -weights[i]):
        side = 0 if load[0] <= load[1] else 1
        shares[i] = side
        load[side] += weights[i]
    return shares


def _joined(parts: list[Walk]) -> Walk:
    return Walk(
        [rel for w in parts for rel in w.rels],
        [m for w in parts for m in w.mtimes],
        [s for w in parts for s in w.sizes],
        [k for w in parts for k in w.kinds],
        [p for w in parts for p in w.problems],
    )


def _walk_shared(
    lister: _Lister,
    root_notes: _Listing,
    top: list[tuple[str, str, os.DirEntry[str]]],
    shares: list[int],
) -> Walk:
    """The walk of the vault with the folders of share 1 walked by a forked child; the
    notes at the top level and the folders of share 0 by this process. Only plain values
    cross the pipe; should the child fail in any way, this process walks its folders."""
    theirs = [i for i, side in enumerate(shares) if side == 1]

    def walk_theirs() -> dict[int, Walk]:
        return {i: lister.walk_folder(*top[i][:2]) for i in theirs}

    def send() -> bytes:
        return marshal.dumps([(i, _plain(w)) for i, w in walk_theirs().items()])

    parts: dict[int, Walk] = {}
    with _in_child(send) as sent:
        for i, side in enumerate(shares):
            if side == 0:
                parts[i] = lister.walk_folder(*top[i][:2])
        here = root_notes.signed(_stat_some(root_notes.entries, 0, len(root_notes.entries)))
        data = sent.result()
    try:
        received = {i: _unplain(w) for i, w in marshal.loads(data)}
        if sorted(received) != theirs:
            raise ValueError("incomplete")
    except (ValueError, EOFError, TypeError):  # the child died: walk its folders here
        received = walk_theirs()
    parts.update(received)
    return _joined([here, *(parts[i] for i in range(len(top)))])


def _plain(w: Walk) -> tuple[Any, ...]:
    problems = [(p.path, p.line, p.message, p.severity, p.col) for p in w.problems]
    return (w.rels, w.mtimes, w.sizes, w.kinds, problems)


def _unplain(data: tuple[Any, ...]) -> Walk:
    rels, mtimes, sizes, kinds, problems = data
    return Walk(rels, mtimes, sizes, kinds, [Problem(*p) for p in problems])


class _Sent:
    """What a forked child sends: `result()` waits for it (b"" if the child could not
    run or died); `close()`, always called, waits for the child whatever happened, so a
    parent interrupted before reading leaves neither a child nor a descriptor behind."""

    def __init__(self, pid: int | None = None, read_end: int | None = None) -> None:
        self.pid, self.read_end = pid, read_end

    def result(self) -> bytes:
        if self.read_end is None:
            return b""
        chunks = []
        with open(self.read_end, "rb", buffering=0, closefd=True) as pipe:
            self.read_end = None
            while chunk := pipe.read(1 << 20):
                chunks.append(chunk)
        self.close()
        return b"".join(chunks)

    def close(self) -> None:
        if self.read_end is not None:  # unread: the child's next write fails and it ends
            os.close(self.read_end)
            self.read_end = None
        if self.pid is not None:
            reap(self.pid)
            self.pid = None

    def __enter__(self) -> _Sent:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _in_child(work: Callable[[], bytes]) -> _Sent:
    """Run `work` in a forked child while this process works meanwhile."""
    try:
        read_end, write_end = os.pipe()
    except OSError:
        return _Sent()
    pid = fork()
    if pid is None:  # no child (the process limit): the caller does the work itself
        os.close(read_end)
        os.close(write_end)
        return _Sent()
    if pid == 0:  # the child: work, send, and leave without running any exit handler
        try:
            os.close(read_end)
            data = memoryview(work())
            while data:
                data = data[os.write(write_end, data) :]
        finally:
            os._exit(0)
    os.close(write_end)
    return _Sent(pid, read_end)


#: per note: its mtime and size, and why it is left out (by position) when it is
Stats = tuple[list[int], list[int], dict[int, str]]


def _stat_some(found: list[os.DirEntry[str] | str], start: int, stop: int) -> Stats:
    """mtime and size of found[start:stop]; a note that is not a regular file (a FIFO
    would block the read for ever) or cannot be stat'ed is left out, with the reason."""
    mtimes: list[int] = []
    sizes: list[int] = []
    failed: dict[int, str] = {}
    for i in range(start, stop):
        item = found[i]
        try:
            # a DirEntry stats without following links; a symlink's target was checked
            st = os.stat(item) if isinstance(item, str) else item.stat(follow_symlinks=False)
        except (OSError, ValueError) as exc:
            failed[i] = f"cannot read: {exc}"
            mtimes.append(0)
            sizes.append(0)
            continue
        if not S_ISREG(st.st_mode):
            failed[i] = NOT_REGULAR
        mtimes.append(st.st_mtime_ns)
        sizes.append(st.st_size)
    return mtimes, sizes, failed


def _stat_all(found: list[os.DirEntry[str] | str], parallel: bool) -> Stats:
    """`_stat_some` of every note; with `parallel`, the second half in a forked child.

    Each stat waits on the kernel, so a child doing half of them takes a third off a
    big walk on two cores. Only stats cross the pipe (two integers a note); if the child
    fails in any way, this process stats its half too.
    """
    n = len(found)
    if not parallel or not fork_safe():
        return _stat_some(found, 0, n)
    half = n // 2
    with _in_child(lambda: marshal.dumps(_stat_some(found, half, n))) as sent:
        mtimes, sizes, failed = _stat_some(found, 0, half)
        data = sent.result()
    try:
        their_mtimes, their_sizes, their_failed = marshal.loads(data)
        if len(their_mtimes) != n - half or len(their_sizes) != n - half:
            raise ValueError("incomplete")
    except (ValueError, EOFError, TypeError):  # the child died: do its half here
        their_mtimes, their_sizes, their_failed = _stat_some(found, half, n)
    mtimes += their_mtimes
    sizes += their_sizes
    failed.update(their_failed)
    return mtimes, sizes, failed
