"""The vault's relevant files and their signatures, without reading any of them."""

from __future__ import annotations

import functools
import hashlib
import marshal
import os
import re
import threading
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISREG

from vaultcrm.config import Config
from vaultcrm.model import FileSig, NoteKind, Problem
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
        h.update("\0".join(self.rels).encode("utf-8", "surrogatepass"))  # no name holds NUL
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
    named in Obsidian's settings and the generated note. Symlinked folders are not
    followed; a symlinked note is used only when it stays inside the vault.

    The folders are listed first, then the notes found are stat'ed; with `processes`
    (the CLI asks for it) a big vault's stats are shared with a forked child.
    """
    people = _norm_folder(config.people_folder)
    daily_folder = _norm_folder(config.daily_folder)
    skipped = {_norm_folder(f) for f in config.template_folders}
    output = config.output.strip("/")
    root_real = os.path.realpath(root)
    rels: list[str] = []
    kinds: list[NoteKind] = []
    # what to stat, per note: its DirEntry, or the path of a symlink to follow
    found: list[os.DirEntry[str] | str] = []
    problems: list[Problem] = []

    def visit(dir_path: str, rel_dir: str) -> None:
        prefix = rel_dir + "/" if rel_dir else ""
        kind = folder_kind(rel_dir, people, daily_folder)
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
                    if name not in SKIP_DIRS and prefix + name not in skipped:
                        visit(entry.path, prefix + name)
                    continue
                if not name.endswith(".md"):
                    continue
                rel = prefix + name
                if rel == output or (".conflict" in name and CONFLICT_COPY.search(name)):
                    if rel != output:
                        problems.append(Problem(rel, None, CONFLICT_MESSAGE, "warning"))
                    continue
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
                    found.append(entry.path)
                else:
                    found.append(entry)
                # a daily-note candidate's name is matched against the format when read
                rels.append(rel)
                kinds.append(kind)

    def enter_folder(path: str, rel: str) -> None:
        """The people or daily folder itself may be (or lie under) a symlink: followed
        when it stays inside the vault, else skipped with a problem saying so."""
        real = os.path.realpath(path)
        if os.path.commonpath([root_real, real]) != root_real:
            problems.append(Problem(rel, None, f"{FOLDER_SYMLINK_MESSAGE} (to {real}); skipped"))
        elif os.path.isdir(real):
            visit(path, rel)

    if os.path.isdir(root):
        visit(os.fspath(root), "")
        for rel in sorted({people, daily_folder} - {""}):  # symlinked folders are not followed
            path = os.path.join(root, rel)
            if os.path.realpath(path) != os.path.join(root_real, rel):  # through a link
                enter_folder(path, rel)
    parallel = processes and len(found) >= PARALLEL_STAT
    mtimes, sizes, failed = _stat_all(found, parallel)
    if failed:  # rare: a note gone or swapped for a FIFO since it was listed
        problems += [Problem(rels[i], None, failed[i]) for i in sorted(failed)]
        for i in sorted(failed, reverse=True):
            del rels[i], kinds[i], mtimes[i], sizes[i]
    # No sort: nothing downstream depends on the order (records are sorted where it
    # matters), and the input key only has to be equal when nothing changed.
    return Walk(rels, mtimes, sizes, kinds, problems)


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

    Each stat waits on the kernel, so a child doing half of them takes ~35 % off a big
    walk on two cores. Only stats cross the pipe (two integers a note); if the child
    fails in any way, this process stats its half too.
    """
    n = len(found)
    if not parallel or not hasattr(os, "fork") or threading.active_count() != 1:
        return _stat_some(found, 0, n)
    half = n // 2
    try:
        read_end, write_end = os.pipe()
    except OSError:
        return _stat_some(found, 0, n)
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return _stat_some(found, 0, n)
    if pid == 0:  # the child: stat, send, and leave without running any exit handler
        try:
            os.close(read_end)
            data = memoryview(marshal.dumps(_stat_some(found, half, n)))
            while data:
                data = data[os.write(write_end, data) :]
        finally:
            os._exit(0)
    os.close(write_end)
    mtimes, sizes, failed = _stat_some(found, 0, half)
    chunks = []
    with open(read_end, "rb", buffering=0, closefd=True) as pipe:
        while chunk := pipe.read(1 << 20):
            chunks.append(chunk)
    os.waitpid(pid, 0)
    try:
        theirs: Stats = marshal.loads(b"".join(chunks))
        their_mtimes, their_sizes, their_failed = theirs
        if len(their_mtimes) != n - half or len(their_sizes) != n - half:
            raise ValueError("short")
    except (ValueError, EOFError, TypeError):  # the child died: do its half here
        their_mtimes, their_sizes, their_failed = _stat_some(found, half, n)
    mtimes += their_mtimes
    sizes += their_sizes
    failed.update(their_failed)
    return mtimes, sizes, failed
