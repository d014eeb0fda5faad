"""Reading a vault file only when it is a regular file.

A FIFO, socket or device named like a note (`mkfifo People/Ann.md`) would block `open()`
forever, or read without end. Every read of a vault file goes through here: the type is
checked before opening (no side effects on a device), and again on the open descriptor,
which is opened non-blocking so a file swapped for a FIFO in between cannot hang either.
"""

from __future__ import annotations

import errno
import os
import stat

#: The problem message for a note, config or settings file that is not a regular file.
NOT_REGULAR = "not a regular file"


class NotRegularFile(OSError):
    """The path exists but is a FIFO, socket, device or folder: it was not read."""

    def __init__(self, path: str) -> None:
        super().__init__(errno.EINVAL, NOT_REGULAR, path)


def read_regular(
    path: str | os.PathLike[str], size_hint: int = 0, *, stat_checked: bool = False
) -> bytes:
    """The bytes of the regular file at `path` (symlinks followed); NotRegularFile when it
    is anything else, FileNotFoundError and other OSErrors as `open` raises them.

    `stat_checked`: the caller already saw a regular file there (the vault walk), so only
    the open descriptor is checked.
    """
    if not stat_checked and not stat.S_ISREG(os.stat(path).st_mode):
        raise NotRegularFile(os.fspath(path))
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_BINARY", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped since the stat above
            raise NotRegularFile(os.fspath(path))
        chunks = []
        want = size_hint + 1
        while chunk := os.read(fd, want):
            chunks.append(chunk)
            want = 1 << 16
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)
    finally:
        os.close(fd)
