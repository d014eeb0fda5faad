"""The one engine that writes user files: atomic, conflict-checked, nothing lost.

Protocol: read the bytes and hash them → refuse what is unsafe to touch → write a hidden
temp file beside the note and fsync it → re-hash the note and refuse if it changed → swap
the two names atomically (Linux `renameat2(RENAME_EXCHANGE)`) → the temp name now holds
what was swapped out: if that is not what we read, an editor saved in between, and its
version is kept as `NAME.conflict.md` → fsync the folder.

Why not temp + `os.replace`: a save landing between the check and the rename is silently
overwritten (274 of 400 measured races). The exchange hands back whatever it replaced, so
a concurrent save survives either in the note or in the conflict copy. Elsewhere the
engine falls back to `os.replace`, and that race is back.

An editor that saves in place (truncate, then write) is noticed with a Linux read-lease
probe: a note that another program holds open for writing is not read (the edit is refused:
try again), and a swapped-out file still open for writing is kept as a conflict copy
instead of being deleted under the editor's hands.

Every path is walked from the vault root with `O_NOFOLLOW`, one folder at a time, so a
symlink (or a `..`) can never make the engine write outside the vault. vaultcrm writers
serialise on an advisory lock of the note's folder.

A write killed at the wrong moment may leave one hidden `.NAME.vaultcrm-tmp-…` file. The
next `read_for_edit`/`create` of that note recovers it, under the lock and whatever its age:
a half-written `.NAME.vaultcrm-tmp-XXXXXX` is deleted; a complete
`.NAME.vaultcrm-tmp-OLD-NEW-XXXXXX` is deleted when its content hashes to OLD (the version
it replaced) or NEW (the version never swapped in), and anything else is a save that was
swapped out just before the kill, so it is kept as a conflict copy.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import functools
import hashlib
import os
import secrets
import signal
import stat
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from vaultcrm.errors import VaultcrmError
from vaultcrm.model import Problem

TEMP_TAG = ".vaultcrm-tmp-"
_GIT_BUSY = {
    "index.lock": "a git command is running (or crashed: delete {path} if none is)",
    "MERGE_HEAD": "git is in the middle of a merge; finish or abort it first",
    "rebase-merge": "git is in the middle of a rebase; finish or abort it first",
    "rebase-apply": "git is in the middle of a rebase or `git am`; finish or abort it first",
    "CHERRY_PICK_HEAD": "git is in the middle of a cherry-pick; finish or abort it first",
    "REVERT_HEAD": "git is in the middle of a revert; finish or abort it first",
}
RENAME_NOREPLACE = 1
RENAME_EXCHANGE = 2
_UNSUPPORTED = {errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP}
_SYSCALL_RENAMEAT2 = {"x86_64": 316, "aarch64": 276, "arm64": 276}
_DIGEST_CHARS = 12  # of the sha256 hex digests written into a temp file's name

Validator = Callable[[str, str], Sequence[Problem]]


class EditRefused(VaultcrmError):
    """A write that did not happen (or not fully), with a message naming the file and why."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"cannot write {path}: {reason}")
        self.path = path
        self.reason = reason


class NoteChanged(EditRefused):
    """The note changed (or was being saved) under vaultcrm: nothing of it was lost, and
    reading it again and redoing the edit is the answer."""


@dataclass(frozen=True)
class Snapshot:
    """A note's bytes as read for an edit; `digest` is how a later change is noticed."""

    root: Path
    rel: str
    path: Path
    data: bytes
    digest: str
    mode: int


@dataclass(frozen=True)
class EditResult:
    """`conflict` is the vault-relative path of a concurrent save kept aside, if any."""

    rel: str
    changed: bool
    conflict: str | None


# --- public ------------------------------------------------------------------------------


def read_for_edit(root: Path, rel: str, *, validate: bool | Validator = True) -> Snapshot:
    """Read a note that is safe to edit, or raise EditRefused saying why it is not.

    `validate` checks the frontmatter first: True uses `parse.frontmatter_problems`, a
    callable `(rel, text) -> problems` replaces it, False skips it (the generated note).
    """
    snap = _read_snapshot(root, rel)
    _refuse_conflict_markers(snap.rel, snap.data)
    if validate:
        validator = _default_validator if validate is True else validate
        _refuse_broken_frontmatter(snap.rel, snap.data, validator)
    _refuse_git_busy(snap.root, snap.rel)
    return snap


def _read_snapshot(root: Path, rel: str) -> Snapshot:
    """A note's bytes, read safely (no link followed, no half-written save), refusing
    nothing about what they hold."""
    root = Path(root).resolve()
    rel, parts = _clean_rel(rel)
    with _refusing_os_errors(rel), _folder(root, rel, parts[:-1]) as dirfd:
        _recover_leftovers(dirfd, parts)
        data, mode = _read_regular(dirfd, parts[-1], root, rel)
    return Snapshot(root, rel, root / rel, data, _digest(data), mode)


def write_edit(
    snap: Snapshot,
    new: bytes,
    *,
    landed: Callable[[bytes], bool] | None = None,
    put_back: bool = False,
) -> EditResult:
    """Replace the note read in `snap` by `new`, keeping any save made since as a conflict.

    `landed(bytes)` says whether a note that is not exactly `new` after the swap (an editor
    re-read it and saved it back) still holds the change: then the edit succeeded.
    `put_back` makes it a strict compare-and-swap: a save that landed since the read is put
    back in place (no conflict copy) and `NoteChanged` is raised, for a caller that reads
    the note again and redoes its change (the generated note, whose ticks must be read).
    """
    if new == snap.data:
        return EditResult(snap.rel, False, None)
    parts = snap.rel.split("/")
    name = parts[-1]
    with _refusing_os_errors(snap.rel), _folder(snap.root, snap.rel, parts[:-1]) as dirfd:
        temp = _write_temp(dirfd, name, new, snap.mode, old=snap.digest)
        try:
            _refuse_if_changed(dirfd, name, snap)
            exchanged = _swap(dirfd, temp, name)
        except BaseException:
            _unlink_quietly(dirfd, temp)
            raise
        if exchanged and put_back and not _is_unchanged(dirfd, temp, snap):
            _put_back(dirfd, temp, name, new, snap)
        conflict = _settle_swapped_out(dirfd, temp, name, snap) if exchanged else None
        conflict_rel = "/".join([*parts[:-1], conflict]) if conflict else None
        _fsync_folder(dirfd, snap.rel)
        _refuse_if_overwritten(dirfd, name, new, snap, conflict_rel, landed, put_back)
    return EditResult(snap.rel, True, conflict_rel)


def edit(
    root: Path,
    rel: str,
    transform: Callable[[bytes], bytes],
    *,
    validate: bool | Validator = True,
    landed: Callable[[bytes, bytes], bool] | None = None,
) -> EditResult:
    """Read, transform, write; a `ValueError` from `transform` becomes EditRefused.

    `landed(before, after)` decides from the bytes on disk after the swap whether the
    change is there when they are not exactly what was written (see `write_edit`).
    """
    snap = read_for_edit(root, rel, validate=validate)
    try:
        new = transform(snap.data)
    except ValueError as err:
        raise EditRefused(snap.rel, str(err)) from err
    check = None if landed is None else functools.partial(landed, snap.data)
    return write_edit(snap, new, landed=check)


def settled(transform: Callable[[bytes], bytes]) -> Callable[[bytes, bytes], bool]:
    """`edit`'s `landed` for an idempotent change (set a key, add a tag): it landed when
    redoing it on what is on disk changes nothing (an editor saved it back, or its own
    change beside it)."""

    def landed(_before: bytes, after: bytes) -> bool:
        try:
            return transform(after) == after
        except ValueError:
            return False

    return landed


def create(root: Path, rel: str, data: bytes) -> EditResult:
    """Write a new note, creating its folders inside the vault; refuse if it exists."""
    root = Path(root).resolve()
    rel, parts = _clean_rel(rel)
    name = parts[-1]
    with _refusing_os_errors(rel), _folder(root, rel, parts[:-1], make=True) as dirfd:
        _recover_leftovers(dirfd, parts)
        if _exists(dirfd, name):
            raise EditRefused(rel, "it already exists")
        temp = _write_temp(dirfd, name, data, None, old=None)
        try:
            _rename_noreplace(dirfd, temp, name)
        except FileExistsError:
            _unlink_quietly(dirfd, temp)
            raise EditRefused(rel, "it already exists") from None
        except BaseException:
            _unlink_quietly(dirfd, temp)
            raise
        _fsync_folder(dirfd, rel)
    return EditResult(rel, True, None)


def read_generated(root: Path, rel: str, *, marker: bytes) -> Snapshot | None:
    """vaultcrm's own file as read for a compare-and-swap; None when absent. Refused when
    a file of that name lacks `marker` (the user's note, not ours).

    Git conflict markers in it are no reason to refuse: every byte of the file is
    vaultcrm's, so resolving the conflict is vaultcrm's job (`app/heal.py` for the
    note, regenerating for a calendar). Nor is a merge or rebase in progress then, since
    resolving the file is what git waits for; only a running git command is.
    """
    if not os.path.lexists(Path(root, rel)):
        return None
    snap = _read_snapshot(root, rel)
    if marker not in snap.data:
        _refuse_conflict_markers(snap.rel, snap.data)
        raise EditRefused(
            snap.rel,
            "it was not written by vaultcrm; move it away or set `output:` in vaultcrm.yaml",
        )
    if conflict_marker_line(snap.data) is None:
        _refuse_git_busy(snap.root, snap.rel)
    else:
        _refuse_git_running(snap.root, snap.rel)
    return snap


def remove_generated(snap: Snapshot) -> None:
    """Delete vaultcrm's own file as read in `snap` (a sync tool's copy of the note, once
    its ticks are recorded), only if it is still exactly that version.

    The file is first renamed to a hidden temp name (atomic), then compared: a save that
    landed meanwhile is put back under its name (or kept as a conflict copy if the name
    was taken again) and `NoteChanged` is raised. A kill mid-way leaves the temp name
    holding what was read, which the next read of that name deletes (it hashes to the
    version vaultcrm knew), or anything else, which it keeps as a conflict copy.
    """
    parts = snap.rel.split("/")
    name = parts[-1]
    tag = snap.digest[:_DIGEST_CHARS]
    hidden = f".{name}{TEMP_TAG}{tag}-{tag}-{secrets.token_hex(3)}"
    with _refusing_os_errors(snap.rel), _folder(snap.root, snap.rel, parts[:-1]) as dirfd:
        _refuse_if_changed(dirfd, name, snap)
        _rename_noreplace(dirfd, name, hidden)
        if _is_unchanged(dirfd, hidden, snap):
            os.unlink(hidden, dir_fd=dirfd)
            _fsync_folder(dirfd, snap.rel)
            return
        try:
            _rename_noreplace(dirfd, hidden, name)
            kept = ""
        except FileExistsError:
            kept = f"; the save was kept as {_keep_as_conflict(dirfd, hidden, name)}"
        _fsync_folder(dirfd, snap.rel)
    raise NoteChanged(snap.rel, f"it changed on disk since vaultcrm read it{kept}")


_LATEST = object()


def write_generated(
    root: Path, rel: str, data: bytes, *, marker: bytes, since: object = _LATEST
) -> EditResult:
    """Write vaultcrm's own note: created when absent, untouched when equal (mtime kept),
    refused when a note of that name lacks `marker` (the user's note, not ours).

    With `since` (a `read_generated` result, None for "absent"), it replaces only that
    version: a note changed since (a box ticked) raises `NoteChanged` and stays as it is.
    """
    if since is _LATEST:
        snap = read_generated(root, rel, marker=marker)
        if snap is None:
            try:
                return create(root, rel, data)
            except EditRefused as err:
                if err.reason != "it already exists":
                    raise
            # another run created it meanwhile (two syncs at once): replace that version
            snap = read_generated(root, rel, marker=marker)
            if snap is None:
                raise NoteChanged(rel, "it was created and removed since vaultcrm looked")
        return write_edit(snap, data)
    if since is None:
        try:
            return create(root, rel, data)
        except EditRefused as err:
            if err.reason == "it already exists":
                raise NoteChanged(err.path, "it was created since vaultcrm looked") from None
            raise
    assert isinstance(since, Snapshot)
    return write_edit(since, data, put_back=True)


# --- refusals ----------------------------------------------------------------------------


def _clean_rel(rel: str) -> tuple[str, list[str]]:
    """A vault-relative POSIX path and its parts, refusing absolute paths and `..`."""
    if not rel or PurePosixPath(rel).is_absolute():
        raise EditRefused(rel, "the path must be relative to the vault")
    parts = [part for part in rel.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise EditRefused(rel, "the path leaves the vault (`..`)")
    if not parts or "\0" in rel:
        raise EditRefused(rel, "not a file path")
    return "/".join(parts), parts


def conflict_marker_line(data: bytes) -> int | None:
    """The number of the first line that is a git conflict marker (`<<<<<<< ` or
    `>>>>>>> `), or None."""
    if b"<<<<<<<" not in data and b">>>>>>>" not in data:
        return None
    for number, line in enumerate(data.split(b"\n"), 1):
        line = line.rstrip(b"\r")
        if line[:8] in (b"<<<<<<< ", b">>>>>>> ") or line in (b"<<<<<<<", b">>>>>>>"):
            return number
    return None


def _refuse_conflict_markers(rel: str, data: bytes) -> None:
    number = conflict_marker_line(data)
    if number is not None:
        raise EditRefused(
            rel, f"line {number} is a merge conflict marker; resolve the conflict first"
        )


def _default_validator(rel: str, text: str) -> Sequence[Problem]:
    from vaultcrm.read.parse import frontmatter_problems

    return frontmatter_problems(rel, text)


def _refuse_broken_frontmatter(rel: str, data: bytes, validator: Validator) -> None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise EditRefused(rel, f"it is not UTF-8 text ({err.reason})") from None
    errors = [p for p in validator(rel, text) if p.severity == "error"]
    if errors:
        where = f"line {errors[0].line}: " if errors[0].line is not None else ""
        raise EditRefused(
            rel, f"its frontmatter does not parse ({where}{errors[0].message}); fix it first"
        )


def git_dir(root: Path) -> Path | None:
    """The git dir of the repository holding the vault, found without running git."""
    return _git_dir(Path(root).resolve())


def _git_dir(root: Path) -> Path | None:
    """The git dir of the repo holding the vault; a `.git` file (worktree) points to it."""
    for folder in (root, *root.parents):
        dot_git = folder / ".git"
        if dot_git.is_dir():
            return dot_git
        if dot_git.is_file():
            text = dot_git.read_text("utf-8", errors="replace").strip()
            if text.startswith("gitdir:"):
                return folder / text.removeprefix("gitdir:").strip()
            return None
    return None


def git_busy(root: Path, *, running_only: bool = False) -> str | None:
    """Why git would not want the vault's files written now (a git command running, a
    merge, rebase, cherry-pick or revert in progress), or None. With `running_only`,
    only a running git command counts."""
    git_dir = _git_dir(Path(root).resolve())
    if git_dir is None:
        return None
    for entry, why in _GIT_BUSY.items():
        if os.path.lexists(git_dir / entry):
            return why.format(path=git_dir / entry)
        if running_only:
            break  # index.lock comes first
    return None


def _refuse_git_busy(root: Path, rel: str) -> None:
    why = git_busy(root)
    if why is not None:
        raise EditRefused(rel, why)


def _refuse_git_running(root: Path, rel: str) -> None:
    why = git_busy(root, running_only=True)
    if why is not None:
        raise EditRefused(rel, why)


def _refuse_if_changed(dirfd: int, name: str, snap: Snapshot) -> None:
    current, _ = _read_regular(dirfd, name, snap.root, snap.rel)
    if _digest(current) != snap.digest:
        raise NoteChanged(
            snap.rel, "it changed on disk since vaultcrm read it; run the command again"
        )


def _refuse_if_overwritten(
    dirfd: int,
    name: str,
    new: bytes,
    snap: Snapshot,
    conflict: str | None,
    landed: Callable[[bytes], bool] | None,
    put_back: bool,
) -> None:
    """A save landing just after the swap wins; say so rather than claim our edit is there,
    unless that save (an editor that re-read the note and saved it back) holds our change."""
    current = _settled_bytes(dirfd, name, snap)
    if current is not None and (current == new or (landed is not None and landed(current))):
        return
    if put_back:
        raise NoteChanged(snap.rel, "another program saved it while vaultcrm was writing")
    kept = f"; an earlier save was kept as {conflict}" if conflict else ""
    raise NoteChanged(
        snap.rel,
        "another program saved it while vaultcrm was writing; the note holds that save, "
        f"without vaultcrm's change{kept}; run the command again",
    )


_SETTLE_TRIES = 10


def _settled_bytes(dirfd: int, name: str, snap: Snapshot) -> bytes | None:
    """The note's bytes once no save is in progress (waiting up to ~0.2 s), else None: what
    the edit's outcome is decided from."""
    for attempt in range(_SETTLE_TRIES):
        try:
            return _read_regular(dirfd, name, snap.root, snap.rel)[0]
        except NoteChanged:  # an editor is saving in place right now: let it finish
            time.sleep(0.004 * (attempt + 1))
        except (OSError, EditRefused):
            return None
    return None


@contextlib.contextmanager
def _refusing_os_errors(rel: str) -> Iterator[None]:
    try:
        yield
    except OSError as err:
        raise EditRefused(rel, f"{err.strerror or err}; the note was left as it was") from err


# --- folders and files -------------------------------------------------------------------


@contextlib.contextmanager
def _folder(root: Path, rel: str, folders: list[str], *, make: bool = False) -> Iterator[int]:
    """An fd of the note's folder, reached without following any symlink, and locked."""
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for depth, part in enumerate(folders):
            fd = _enter(fd, part, root, "/".join(folders[: depth + 1]), rel, make)
        with contextlib.suppress(OSError):  # some network filesystems have no locks
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd
    finally:
        os.close(fd)


def _enter(fd: int, part: str, root: Path, sub: str, rel: str, make: bool) -> int:
    try:
        st = os.stat(part, dir_fd=fd, follow_symlinks=False)
    except FileNotFoundError:
        if not make:
            raise EditRefused(rel, f"the folder {sub} does not exist") from None
        with contextlib.suppress(FileExistsError):
            os.mkdir(part, dir_fd=fd)
        os.fsync(fd)
        st = os.stat(part, dir_fd=fd, follow_symlinks=False)
    if stat.S_ISLNK(st.st_mode):
        raise EditRefused(rel, _symlink_reason(fd, part, root, sub))
    if not stat.S_ISDIR(st.st_mode):
        raise EditRefused(rel, f"{sub} is not a folder")
    child = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
    os.close(fd)
    return child


def _symlink_reason(fd: int, part: str, root: Path, sub: str) -> str:
    target = os.readlink(part, dir_fd=fd)
    outside = not (root / sub).parent.joinpath(target).resolve().is_relative_to(root)
    where = " outside the vault" if outside else ""
    return f"{sub} is a symbolic link to {target}{where}; vaultcrm does not write through links"


def _read_regular(dirfd: int, name: str, root: Path, rel: str) -> tuple[bytes, int]:
    """The bytes and permission bits of a regular file, never following a symlink."""
    try:
        st = os.stat(name, dir_fd=dirfd, follow_symlinks=False)
    except FileNotFoundError:
        raise EditRefused(rel, "it does not exist") from None
    if stat.S_ISLNK(st.st_mode):
        raise EditRefused(rel, _symlink_reason(dirfd, name, root, rel))
    if not stat.S_ISREG(st.st_mode):
        raise EditRefused(rel, "it is not a regular file")
    fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=dirfd)
    with os.fdopen(fd, "rb") as file:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise EditRefused(rel, "it is not a regular file")
        data = file.read()
        # what we read may be half of a save in progress: one still open for writing, or
        # one that truncated the file, then wrote and closed it while we read
        if _written_elsewhere(fd) or os.fstat(fd).st_size != len(data):
            raise NoteChanged(rel, "another program is saving it right now; try again")
        return data, stat.S_IMODE(st.st_mode)


def _written_elsewhere(fd: int) -> bool:
    """Whether another program holds this file open for writing (a save in place).

    Linux grants no read lease then. Elsewhere, or without the right to take leases (a
    file owned by another user, some network filesystems), this answers False.
    """
    setlease = getattr(fcntl, "F_SETLEASE", None)
    setsig = getattr(fcntl, "F_SETSIG", None)
    if setlease is None or setsig is None:
        return False
    try:
        # A writer opening the file during the lease waits until we let go, a moment later;
        # the kernel then signals us with SIGURG, whose default action is to ignore it.
        fcntl.fcntl(fd, setsig, signal.SIGURG)
        fcntl.fcntl(fd, setlease, fcntl.F_RDLCK)
    except OSError as err:
        return err.errno == errno.EAGAIN
    fcntl.fcntl(fd, setlease, fcntl.F_UNLCK)
    return False


def _exists(dirfd: int, name: str) -> bool:
    try:
        os.stat(name, dir_fd=dirfd, follow_symlinks=False)
    except FileNotFoundError:
        return False
    return True


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _write_temp(dirfd: int, name: str, data: bytes, mode: int | None, *, old: str | None) -> str:
    """A hidden, complete, fsynced temp file beside the note, named after the two versions
    it moves; it is written under a plain name first, so a killed write never leaves a
    half-written file that looks like a swapped-out note."""
    rand = secrets.token_hex(3)
    partial = f".{name}{TEMP_TAG}{rand}"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
    fd = os.open(partial, flags, 0o600 if mode is not None else 0o666, dir_fd=dirfd)
    old_tag = (old or "0" * _DIGEST_CHARS)[:_DIGEST_CHARS]
    ready = f".{name}{TEMP_TAG}{old_tag}-{_digest(data)[:_DIGEST_CHARS]}-{rand}"
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        if mode is not None:
            os.fchmod(fd, mode)
        os.fsync(fd)
        os.rename(partial, ready, src_dir_fd=dirfd, dst_dir_fd=dirfd)
    except BaseException:
        _unlink_quietly(dirfd, partial)
        raise
    finally:
        os.close(fd)
    return ready


def _unlink_quietly(dirfd: int, name: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(name, dir_fd=dirfd)


def _fsync_folder(dirfd: int, rel: str) -> None:
    try:
        os.fsync(dirfd)
    except OSError as err:
        if err.errno != errno.EINVAL:  # some filesystems cannot fsync a folder
            raise EditRefused(
                rel, f"written, but the folder could not be flushed to disk ({err.strerror})"
            ) from err


# --- swapping ----------------------------------------------------------------------------


def _swap(dirfd: int, temp: str, name: str) -> bool:
    """Put `temp` in place of `name`; True when the old file is now at `temp` (exchanged)."""
    try:
        _renameat2(dirfd, temp, name, RENAME_EXCHANGE)
        return True
    except OSError as err:
        if err.errno not in _UNSUPPORTED:
            raise
    os.replace(temp, name, src_dir_fd=dirfd, dst_dir_fd=dirfd)
    return False


def _settle_swapped_out(dirfd: int, temp: str, name: str, snap: Snapshot) -> str | None:
    """Delete the swapped-out file if it is what we read; else keep it as a conflict copy."""
    try:
        fd = os.open(temp, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=dirfd)
        with os.fdopen(fd, "rb") as file:
            # an editor saving in place into the old file would finish into a deleted one
            busy = _written_elsewhere(fd)
            same = _digest(file.read()) == snap.digest
        if same and not busy:
            os.unlink(temp, dir_fd=dirfd)
            return None
        return _keep_as_conflict(dirfd, temp, name)
    except OSError as err:  # the new version is in place; the old one stays in the temp file
        raise EditRefused(
            snap.rel, f"written, but the version it replaced is left in {temp} ({err.strerror})"
        ) from err


def _is_unchanged(dirfd: int, temp: str, snap: Snapshot) -> bool:
    """Whether the swapped-out file at `temp` is what was read, and nobody is writing it."""
    fd = os.open(temp, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=dirfd)
    with os.fdopen(fd, "rb") as file:
        busy = _written_elsewhere(fd)
        return not busy and _digest(file.read()) == snap.digest


def _put_back(dirfd: int, temp: str, name: str, new: bytes, snap: Snapshot) -> None:
    """Swap a save that landed since the read back in place, then raise NoteChanged.

    The exchange hands back what it replaced: our version (deleted), or, should yet
    another save have landed in the microseconds between, that save (kept as a conflict).
    """
    _renameat2(dirfd, temp, name, RENAME_EXCHANGE)
    fd = os.open(temp, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=dirfd)
    with os.fdopen(fd, "rb") as file:
        ours = file.read() == new and not _written_elsewhere(fd)
    if ours:
        os.unlink(temp, dir_fd=dirfd)
        conflict = None
    else:
        conflict = _keep_as_conflict(dirfd, temp, name)
    _fsync_folder(dirfd, snap.rel)
    kept = f"; a save made meanwhile was kept as {conflict}" if conflict else ""
    raise NoteChanged(snap.rel, f"it changed on disk since vaultcrm read it{kept}")


def _read_at(dirfd: int, name: str) -> bytes:
    fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=dirfd)
    with os.fdopen(fd, "rb") as file:
        return file.read()


def _keep_as_conflict(dirfd: int, source: str, name: str) -> str:
    """Move `source` to the first free `STEM.conflict[-N]SUFFIX`; never overwrites."""
    path = PurePosixPath(name)
    stem, suffix = (path.stem, path.suffix) if path.suffix else (name, "")
    for n in range(1, 10_000):
        conflict = f"{stem}.conflict{'' if n == 1 else f'-{n}'}{suffix}"
        try:
            _rename_noreplace(dirfd, source, conflict)
            return conflict
        except FileExistsError:
            continue
    raise OSError(errno.EEXIST, "too many conflict copies", name)


def _recover_leftovers(dirfd: int, parts: list[str]) -> None:
    """Clean up after writes killed mid-way (see the module docstring); runs under the lock."""
    prefix = f".{parts[-1]}{TEMP_TAG}"
    for entry in os.listdir(dirfd):
        if not entry.startswith(prefix):
            continue
        st = os.stat(entry, dir_fd=dirfd, follow_symlinks=False)
        if not stat.S_ISREG(st.st_mode):
            continue
        tags = entry.removeprefix(prefix).split("-")
        if len(tags) != 3 or _digest(_read_at(dirfd, entry))[:_DIGEST_CHARS] in tags[:2]:
            os.unlink(entry, dir_fd=dirfd)  # half-written, or a version we know of
        else:
            _keep_as_conflict(dirfd, entry, parts[-1])


def _rename_noreplace(dirfd: int, source: str, target: str) -> None:
    """Rename, failing with FileExistsError if `target` exists (a hard link where needed)."""
    try:
        _renameat2(dirfd, source, target, RENAME_NOREPLACE)
        return
    except OSError as err:
        if err.errno not in _UNSUPPORTED:
            raise
    os.link(source, target, src_dir_fd=dirfd, dst_dir_fd=dirfd)
    os.unlink(source, dir_fd=dirfd)


@functools.cache
def _libc_renameat2() -> Callable[..., int] | None:
    """libc's renameat2, else the raw syscall on known architectures, else None."""
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(None, use_errno=True)
    func = getattr(libc, "renameat2", None)
    if func is not None:
        func.argtypes = [
            ctypes.c_int,
            ctypes.c_char_p,
            ctypes.c_int,
            ctypes.c_char_p,
            ctypes.c_uint,
        ]
        func.restype = ctypes.c_int
        return func  # type: ignore[no-any-return]
    number = _SYSCALL_RENAMEAT2.get(os.uname().machine)
    if number is None:
        return None
    syscall = libc.syscall
    syscall.restype = ctypes.c_long

    def via_syscall(olddir: int, old: bytes, newdir: int, new: bytes, flags: int) -> int:
        return int(
            syscall(
                ctypes.c_long(number),
                ctypes.c_int(olddir),
                ctypes.c_char_p(old),
                ctypes.c_int(newdir),
                ctypes.c_char_p(new),
                ctypes.c_uint(flags),
            )
        )

    return via_syscall


def _renameat2(dirfd: int, source: str, target: str, flags: int) -> None:
    """`renameat2` within one folder; OSError(ENOSYS) where the system has none."""
    func = _libc_renameat2()
    if func is None:
        raise OSError(errno.ENOSYS, "renameat2 is not available", source)
    if func(dirfd, os.fsencode(source), dirfd, os.fsencode(target), flags) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), source, None, target)
