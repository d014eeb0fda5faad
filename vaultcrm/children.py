"""Forking safely, and waiting for a forked child whatever the process inherited.

A process started with SIGCHLD ignored (some daemons, cron wrappers and supervisors pass
that on through exec) has its children reaped by the kernel: `waitpid` then fails with
ECHILD. Every fork in vaultcrm judges a child by what it sent or wrote, not by its exit
status alone, so an unknown status is not an error.

A fork may also fail: at the process limit (`ulimit -u`) the kernel answers EAGAIN, and
memory may run short (ENOMEM). Every fork in vaultcrm is an optimisation, so `fork()`
says None and the caller does the same work in this process.
"""

from __future__ import annotations

import os
import threading


def reap(pid: int) -> int | None:
    """Wait for child `pid`; its exit code, or None when the kernel reaped it already."""
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return None
    return os.waitstatus_to_exitcode(status)


def fork_safe() -> bool:
    """Whether this process may fork: POSIX, and no other thread (a watcher's) that could
    hold a lock the child would inherit held for ever."""
    return hasattr(os, "fork") and threading.active_count() == 1


def fork() -> int | None:
    """`os.fork()`: 0 in the child, the child's pid in this process, or None when no
    child could be started (the process limit, no memory): do the work here then."""
    try:
        return os.fork()
    except OSError:
        return None
