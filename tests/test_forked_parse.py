"""Parsing shared with forked children (`read/forked.py`) gives exactly what one process
gives: the same records in the same order, each child's encoding decoding to its record,
whatever the number of children, when a child dies half way, and when no temporary file
can be made. With a watcher's threads running, the process pool parses instead."""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path
from typing import Any

import pytest

import vaultcrm.read.forked as forked
import vaultcrm.read.records as records
from vaultcrm.cache.codec import decode_record
from vaultcrm.config import load_config
from vaultcrm.model import FileSig, NoteRecord
from vaultcrm.read.spec import ReadSpec, read_spec
from vaultcrm.read.walk import walk

from .conftest import EXAMPLE_VAULT


def _vault() -> tuple[Path, list[FileSig], ReadSpec]:
    config, _ = load_config(EXAMPLE_VAULT)
    return EXAMPLE_VAULT, walk(EXAMPLE_VAULT, config).sigs, read_spec(config)


def _alone(root: Path, sigs: list[FileSig], spec: ReadSpec) -> list[NoteRecord]:
    return [rec for rec, _ in records.read_for_index(root, sigs, spec)]


def _shared(
    root: Path, sigs: list[FileSig], spec: ReadSpec, *, from_children: bool = True, **kw: Any
) -> list[NoteRecord]:
    ticks: list[int] = []
    parsed = forked.parse_shared(
        root, sigs, spec, kw.pop("read_one", records._read_one), lambda: ticks.append(1), **kw
    )
    assert len(ticks) == len(sigs)  # progress counts every file once
    sent = 0
    for rec, text in parsed:
        if text:  # a child's encoding is what the index stores: it must be the record
            assert decode_record(text) == rec
            sent += 1
    if from_children:  # the children did their share (a fallback here would hide a bug)
        children = kw.get("children", 1)
        cycle = forked.CHILD_SHARE * children + forked.OWN_SHARE
        assert sent == sum(1 for i in range(len(sigs)) if i % cycle < forked.CHILD_SHARE * children)
    else:
        assert sent < len(sigs)
    return [rec for rec, _ in parsed]


@pytest.mark.parametrize("children", [1, 2, 3])
def test_shared_parsing_gives_what_one_process_gives(
    children: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, sigs, spec = _vault()
    monkeypatch.setattr(forked, "BATCH", 2)  # many batches, read while this one parses
    monkeypatch.setattr(forked, "POLL_EVERY", 1)
    assert _shared(root, sigs, spec, children=children) == _alone(root, sigs, spec)


def test_a_child_that_dies_half_way_leaves_its_rest_to_this_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root, sigs, spec = _vault()
    monkeypatch.setattr(forked, "BATCH", 1)
    parent = os.getpid()
    cycle = forked.CHILD_SHARE + forked.OWN_SHARE
    theirs = [s for i, s in enumerate(sigs) if i % cycle < forked.CHILD_SHARE]
    victim = theirs[len(theirs) // 2].rel

    def read_one(root: Path, sig: FileSig, spec: ReadSpec) -> NoteRecord:
        if os.getpid() != parent and sig.rel == victim:
            os._exit(3)  # the child dies in the middle of its share
        return records._read_one(root, sig, spec)

    got = _shared(root, sigs, spec, read_one=read_one, from_children=False)
    assert got == _alone(root, sigs, spec)


def test_without_a_temporary_file_everything_is_parsed_here(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    root, sigs, spec = _vault()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))

    def refuse() -> int:
        raise AssertionError("forked although the child could not write its records")

    monkeypatch.setattr(os, "fork", refuse)
    assert _shared(root, sigs, spec, from_children=False) == _alone(root, sigs, spec)


def test_with_a_watchers_threads_running_the_pool_parses(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Forking a process whose other threads may hold locks can deadlock: the helpers
    then come from a fork server, and the records are the same."""
    root, sigs, spec = _vault()
    monkeypatch.setattr(records, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("forked.parse_shared used with threads running")

    monkeypatch.setattr(forked, "parse_shared", refuse)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()
    try:
        parsed = records.read_for_index(root, sigs, spec, processes=True)
    finally:
        stop.set()
        other.join()
    assert [rec for rec, _ in parsed] == _alone(root, sigs, spec)


def test_children_are_judged_by_what_they_sent_even_when_sigchld_is_ignored(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A process started with SIGCHLD ignored (some daemons and cron wrappers pass that
    on) has its children reaped by the kernel, and `waitpid` fails: the walk and the
    parse still give what one process gives."""
    import signal

    import vaultcrm.read.walk as walking

    root, sigs, spec = _vault()
    config, _ = load_config(root)
    alone_walk = walk(root, config)
    monkeypatch.setattr(walking, "PARALLEL_STAT", 1)
    monkeypatch.setattr(walking, "SHARE_WEIGHT", 10**12)
    previous = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        shared_walk = walk(root, config, processes=True)
        shared = _shared(root, sigs, spec)
    finally:
        signal.signal(signal.SIGCHLD, previous)
    assert shared_walk == alone_walk
    assert shared == _alone(root, sigs, spec)


def test_a_walk_interrupted_here_leaves_no_child_behind(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import vaultcrm.read.walk as walking

    root, _, _ = _vault()
    config, _ = load_config(root)
    monkeypatch.setattr(walking, "PARALLEL_STAT", 1)
    monkeypatch.setattr(walking, "SHARE_WEIGHT", 10**12)
    parent = os.getpid()
    real = walking._stat_some

    def interrupted(found: Any, start: int, stop: int) -> Any:
        if os.getpid() == parent:
            raise KeyboardInterrupt  # Ctrl-C while this process stats its half
        return real(found, start, stop)

    monkeypatch.setattr(walking, "_stat_some", interrupted)
    children: list[int] = []
    real_fork = os.fork

    def fork() -> int:
        pid = real_fork()
        if pid:
            children.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", fork)
    with pytest.raises(KeyboardInterrupt):
        walk(root, config, processes=True)
    assert len(children) == 1
    with pytest.raises(ChildProcessError):  # it was waited for: no zombie is left
        os.waitpid(children[0], os.WNOHANG)
