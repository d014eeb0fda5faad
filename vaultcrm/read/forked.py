"""Parsing on several cores: this process and forked children, each a share of the files.

A child inherits the file list (nothing to send it), parses its share, and writes the
encoded records in batches to an unlinked temporary file, ringing a pipe once per batch.
This process parses its own share meanwhile and, between its files, decodes the batches
the children have finished, so that when its share is done little of theirs is left to
decode. Why not a process pool: its workers wait for their chunks and results until the
pool's own threads get the GIL from the parse loop (the helper starts late, and there is
a decode tail at the end), and a result bigger than a pipe blocks the worker until the
parent reads it.

Used only where `fork` is safe (POSIX, one thread); `read.records` decides. If a child
fails in any way, this process parses whatever it did not send.
"""

from __future__ import annotations

import gc
import marshal
import os
import struct
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

from vaultcrm.cache.codec import decode_record, encode_record
from vaultcrm.cache.store import Parsed
from vaultcrm.children import fork, reap
from vaultcrm.model import FileSig, NoteRecord
from vaultcrm.read.spec import ReadSpec

ReadOne = Callable[[Path, FileSig, ReadSpec], NoteRecord]

#: Of every CHILD_SHARE * children + OWN_SHARE files, each child parses CHILD_SHARE and
#: this process the rest (shares interleave, so all get the same mix of person notes,
#: which cost ten times a daily note). A child encodes what it parses and this process
#: decodes it, which costs a little more, so this process takes the smaller share: the
#: split that finished both together on two cores (benchmarks/RESULTS.md).
CHILD_SHARE = 21
OWN_SHARE = 19
#: Records per batch the child writes; this process looks for finished batches every
#: POLL_EVERY files of its own.
BATCH = 250
POLL_EVERY = 64

_LENGTH = struct.Struct("<Q")


def parse_shared(
    root: Path,
    sigs: list[FileSig],
    spec: ReadSpec,
    read_one: ReadOne,
    tick: Callable[[], None],
    children: int = 1,
) -> list[Parsed]:
    """Every file's record, in order, with its encoding for those a child parsed."""
    n = len(sigs)
    cycle = CHILD_SHARE * children + OWN_SHARE
    shares: list[list[int]] = [[] for _ in range(children + 1)]
    for i in range(n):
        at = i % cycle
        shares[at // CHILD_SHARE if at < CHILD_SHARE * children else children].append(i)
    mine = shares[children]
    out: list[Parsed | None] = [None] * n
    started: list[tuple[_Child, _Received]] = []
    spools: list[IO[bytes]] = []
    try:
        for theirs in shares[:children]:
            others = [c.bell for c, _ in started]  # a child closes its siblings' bells
            child = _start_child(root, sigs, spec, read_one, theirs, spools, others)
            if child is None:  # no temporary file or no fork: this share is parsed here
                mine += theirs
            else:
                started.append((child, _Received(theirs, out, tick)))
        for j, i in enumerate(mine):
            out[i] = (read_one(root, sigs[i], spec), b"")
            tick()
            if j % POLL_EVERY == 0:
                for child, received in started:
                    received.take(child.ready())
        for child, received in started:
            received.take(child.rest())
    finally:
        for child, _ in started:
            child.close()
        for spool in spools:
            spool.close()
    for _, received in started:  # a child that stopped short: the rest is parsed here
        for i in received.theirs[received.count :]:
            out[i] = (read_one(root, sigs[i], spec), b"")
            tick()
    return [item for item in out if item is not None]


class _Received:
    """Fills `out` with the child's records, in the order of its share."""

    def __init__(self, theirs: list[int], out: list[Parsed | None], tick: Callable[[], None]):
        self.theirs, self.out, self.tick, self.count = theirs, out, tick, 0

    def take(self, batches: list[list[bytes]]) -> None:
        theirs, out, count = self.theirs, self.out, self.count
        for batch in batches:
            for text in batch:
                if count == len(theirs):
                    break
                out[theirs[count]] = (decode_record(text), text)
                count += 1
                self.tick()
        self.count = count


class _Child:
    """The parent's end: batches are read from the spool as the bell pipe rings."""

    def __init__(self, pid: int, spool_fd: int, bell: int) -> None:
        self.pid, self.spool_fd, self.bell = pid, spool_fd, bell
        self.offset = 0
        self.done = False

    def ready(self) -> list[list[bytes]]:
        """The batches finished since the last look, without waiting."""
        try:
            rung = os.read(self.bell, 65536)
        except BlockingIOError:
            return []
        if not rung:
            self.done = True
        return self._read(len(rung))

    def rest(self) -> list[list[bytes]]:
        """Every batch still to come, waiting for the child to finish."""
        os.set_blocking(self.bell, True)
        found: list[list[bytes]] = []
        while not self.done:
            rung = os.read(self.bell, 65536)
            if not rung:
                self.done = True
            found += self._read(len(rung))
        return found

    def _read(self, count: int) -> list[list[bytes]]:
        batches = []
        for _ in range(count):
            head = os.pread(self.spool_fd, _LENGTH.size, self.offset)
            if len(head) < _LENGTH.size:
                break
            (size,) = _LENGTH.unpack(head)
            data = os.pread(self.spool_fd, size, self.offset + _LENGTH.size)
            if len(data) < size:
                break
            try:
                batch = marshal.loads(data)
            except (ValueError, EOFError, TypeError):
                break
            self.offset += _LENGTH.size + size
            batches.append(batch)
        return batches

    def close(self) -> None:
        os.close(self.bell)
        reap(self.pid)


def _start_child(
    root: Path,
    sigs: list[FileSig],
    spec: ReadSpec,
    read_one: ReadOne,
    theirs: list[int],
    spools: list[IO[bytes]],
    others: list[int],
) -> _Child | None:
    try:
        spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed by parse_shared
    except OSError:
        return None
    spools.append(spool)
    fd = spool.fileno()
    try:
        bell_read, bell_write = os.pipe()
    except OSError:
        return None
    pid = fork()
    if pid is None:  # no child (the process limit): this share is parsed here
        os.close(bell_read)
        os.close(bell_write)
        return None
    if pid == 0:  # the child: parse, write, ring; leave without running any exit handler
        try:
            for unused in (bell_read, *others):
                os.close(unused)
            gc.disable()
            batch: list[bytes] = []
            for i in theirs:
                batch.append(encode_record(read_one(root, sigs[i], spec)))
                if len(batch) == BATCH:
                    _send(fd, bell_write, batch)
                    batch = []
            if batch:
                _send(fd, bell_write, batch)
        finally:
            os._exit(0)
    os.close(bell_write)
    os.set_blocking(bell_read, False)
    return _Child(pid, fd, bell_read)


def _send(fd: int, bell: int, batch: list[bytes]) -> None:
    data = marshal.dumps(batch)
    view = memoryview(_LENGTH.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view) :]
    os.write(bell, b".")
