"""Run a real process on a real pseudo-terminal with a set window size (stdlib only).

Used by the terminal tests and by `.ci/pty_smoke.py`: what a person sees in a terminal
is only seen on one (isatty, the window's width, escape codes), never through a pipe.
"""

from __future__ import annotations

import fcntl
import os
import select
import struct
import subprocess
import termios
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

ESC = b"\x1b"


@dataclass(frozen=True)
class PtyRun:
    """What a process wrote to its terminal (stdout and stderr both), and its exit code."""

    code: int
    raw: bytes

    @property
    def text(self) -> str:
        """The output as text, with the terminal's CRLF line ends made `\\n`."""
        return self.raw.decode("utf-8", "replace").replace("\r\n", "\n")

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")


def set_size(fd: int, cols: int, rows: int) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def _take_terminal() -> None:
    """In the child, before exec: a session of its own whose controlling terminal is the
    pseudo-terminal on fd 0, as a terminal emulator sets it up (shells need one)."""
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def spawn_on_pty(
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cols: int = 80,
    rows: int = 24,
    cwd: str | os.PathLike[str] | None = None,
) -> tuple[subprocess.Popen[bytes], int]:
    """Start `argv` with stdin, stdout and stderr on a new pseudo-terminal of `cols` x
    `rows` (its controlling terminal); returns the process and the terminal's other end."""
    leader, follower = os.openpty()
    set_size(follower, cols, rows)
    try:
        proc = subprocess.Popen(
            list(argv),
            stdin=follower,
            stdout=follower,
            stderr=follower,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            preexec_fn=_take_terminal,  # noqa: PLW1509 (no threads in the test process)
        )
    except BaseException:
        os.close(leader)
        raise
    finally:
        os.close(follower)
    return proc, leader


def run_on_pty(
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cols: int = 80,
    rows: int = 24,
    cwd: str | os.PathLike[str] | None = None,
    timeout: float = 120,
) -> PtyRun:
    """Run `argv` on a new pseudo-terminal (see `spawn_on_pty`) and read everything it
    writes until it exits; `timeout` only catches a hang."""
    proc, leader = spawn_on_pty(argv, env=env, cols=cols, rows=rows, cwd=cwd)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                proc.kill()
                shown = b"".join(chunks)
                raise TimeoutError(f"{argv!r} still running after {timeout} s: {shown!r}")
            ready, _, _ = select.select([leader], [], [], min(left, 1.0))
            if not ready:
                if proc.poll() is not None and not _more(leader):
                    break
                continue
            try:
                data = os.read(leader, 65536)
            except OSError:  # EIO: every writer has closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        code = proc.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        os.close(leader)
    return PtyRun(code, b"".join(chunks))


def _more(fd: int) -> bool:
    ready, _, _ = select.select([fd], [], [], 0)
    return bool(ready)


__all__ = ["ESC", "PtyRun", "run_on_pty", "set_size", "spawn_on_pty"]
