"""Running a vault's template within limits, and its mistakes as `path:line: message`.

A template override is the user's own code, run on every sync: a typo must not print a
traceback, and a loop or a repetition that is too big must not hang the terminal, fill
the memory or the disk. Jinja's sandbox keeps a template away from Python; these limits
keep it small: ranges, the size of every value a sandboxed operation builds and of all
of them together (`template_sizes`), the output (counted as it is generated), and the
wall clock (checked between output chunks, loop steps and operations, and on POSIX's
main thread by SIGALRM, which also stops a loop over a plain list).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn, overload

from vaultcrm.errors import VaultcrmError

#: Seconds a template may run. `VAULTCRM_TEMPLATE_SECONDS` overrides it.
MAX_SECONDS = 10.0
#: Characters a template may write, and the size of any one string or list it builds.
MAX_OUTPUT = 10 * 1024 * 1024
#: Characters (an item of a list or mapping counts 8) of everything a template builds,
#: together: what values kept along the way (a list grown in a loop) may add up to.
MAX_BUILT = 10 * MAX_OUTPUT
#: Items in one `range(...)`.
MAX_RANGE = 10_000
#: Bits of an integer a template may compute (`10 ** 10 ** 9` would take hours).
MAX_INT_BITS = 100_000


@dataclass(frozen=True)
class Limits:
    seconds: float = MAX_SECONDS
    output: int = MAX_OUTPUT
    range: int = MAX_RANGE
    built: int = MAX_BUILT
    int_bits: int = MAX_INT_BITS


def default_limits() -> Limits:
    try:
        seconds = float(os.environ.get("VAULTCRM_TEMPLATE_SECONDS", MAX_SECONDS))
    except ValueError:
        seconds = MAX_SECONDS
    return Limits(seconds=seconds if seconds > 0 else MAX_SECONDS)


class TemplateError(VaultcrmError):
    """A template that does not parse, fails, or passes a limit: `path:line: message`."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        super().__init__(f"{path}:{line or 1}: {message}")
        self.path, self.line, self.message = path, line, message


class LimitExceeded(Exception):
    """Raised inside a template's code when it passes a limit (kept out of Jinja's own
    exception classes so a template cannot tell it from its own mistakes)."""


_SIZED = (str, bytes, list, tuple, dict, set, frozenset)
_TEXT = (str, bytes)


class Budget:
    """One render's limits as it runs: the clock (`check`), the size of each value and
    the running total of what was built (`size`, `spend`)."""

    #: What an item of a list or mapping counts in the running total, in characters.
    ITEM_WEIGHT = 8

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.deadline = float("inf")
        self.built = 0
        #: where the alarm found the template when the time ran out (file, line)
        self.stopped_at: tuple[str, int | None] | None = None

    def start(self) -> None:
        self.deadline = time.monotonic() + self.limits.seconds
        self.built = 0
        self.stopped_at = None

    def timed_out(self) -> LimitExceeded:
        return LimitExceeded(f"template took longer than {self.limits.seconds:g} s")

    def check(self) -> None:
        if time.monotonic() > self.deadline:
            raise self.timed_out()

    def spend(self, amount: int) -> None:
        """Count `amount` characters built; past `limits.built`, the template stops."""
        self.built += amount
        if self.built > self.limits.built:
            raise LimitExceeded(
                f"the template built more than {self.limits.built:,} characters in all"
            )

    def size(self, value: object) -> object:
        """`value`, unless it is a string or list bigger than a value may be; counted
        in the running total. Text that cannot be written to a note (a lone surrogate,
        `'\\ud800'`) is refused where it is made, so the message can name the line."""
        if isinstance(value, _SIZED):
            length = len(value)
            if length > self.limits.output:
                unit = "characters" if isinstance(value, _TEXT) else "items"
                raise LimitExceeded(
                    f"a value of {length:,} {unit} is over the limit of {self.limits.output:,}"
                )
            self.spend(length if isinstance(value, _TEXT) else length * self.ITEM_WEIGHT)
            if isinstance(value, str) and not value.isascii():
                refuse_unwritable(value)
        return value


def refuse_unwritable(text: str) -> None:
    """LimitExceeded for text holding a lone surrogate (`'\\ud800'`), which no note can
    hold: UTF-8 has no bytes for it."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        bad = text[exc.start]
        raise LimitExceeded(
            f"{bad!r} (U+{ord(bad):04X}) is not a character that a note can hold "
            "(a lone surrogate)"
        ) from None


class BoundedRange(Sequence[int]):
    """`range(...)` for templates: at most `limits.range` items, and a loop over it
    looks at the clock, so nested loops that write nothing still stop in time."""

    def __init__(self, budget: Budget, *args: int) -> None:
        self._range = range(*args)
        if len(self._range) > budget.limits.range:
            raise LimitExceeded(
                f"range of {len(self._range):,} items is over the limit of {budget.limits.range:,}"
            )
        self._budget = budget

    def __len__(self) -> int:
        return len(self._range)

    @overload
    def __getitem__(self, i: int) -> int: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[int]: ...
    def __getitem__(self, i: int | slice) -> int | Sequence[int]:
        return self._range[i]

    def __iter__(self) -> Iterator[int]:
        check = self._budget.check
        for n in self._range:
            if not n & 255:
                check()
            yield n


@contextlib.contextmanager
def _alarm(budget: Budget) -> Iterator[None]:
    """SIGALRM after the time limit, on POSIX's main thread only (signals are delivered
    there; a watcher's worker thread relies on the checks between steps). It notes where
    the template was (`budget.stopped_at`): the interrupted frame may have no line of its
    own, and Jinja's traceback rewriting then fails with a TypeError of its own."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "setitimer"
    ):
        yield
        return

    def ring(signum: int, frame: FrameType | None) -> NoReturn:
        budget.stopped_at = _where(frame)
        raise budget.timed_out()

    previous = signal.signal(signal.SIGALRM, ring)
    # a little after the checks' deadline, so it never cuts short their clean error
    started = time.monotonic()
    outer, interval = signal.setitimer(signal.ITIMER_REAL, budget.limits.seconds * 1.2 + 0.2)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        if previous is not None:  # None: installed outside Python, left to its owner
            signal.signal(signal.SIGALRM, previous)
        if outer > 0:  # someone else's timer was running: give it back what is left
            left = max(outer - (time.monotonic() - started), 0.001)
            signal.setitimer(signal.ITIMER_REAL, left, interval)


def _where(frame: FrameType | None) -> tuple[str, int | None] | None:
    """The innermost template frame from `frame` outwards: its file and template line
    (from the compiled module's own line table: nothing here may take a lock)."""
    while frame is not None:
        names = frame.f_globals
        if "environment" in names and names.get("__file__") == frame.f_code.co_filename:
            code_line = frame.f_lineno or _line_before(frame)
            line = None
            if code_line is not None:
                pairs = [p.split("=") for p in str(names.get("debug_info", "")).split("&") if p]
                line = 1
                for template_line, compiled_line in pairs:
                    if int(compiled_line) <= code_line:
                        line = int(template_line)
            return frame.f_code.co_filename, line
        frame = frame.f_back
    return None


def _line_before(frame: FrameType) -> int | None:
    """The line of the last instruction before `frame`'s current one that has a line
    (some instructions have none, and a signal may arrive on one of them)."""
    positions = list(islice(frame.f_code.co_positions(), frame.f_lasti // 2 + 1))
    return next((p[0] for p in reversed(positions) if p[0] is not None), None)


def run_template(env: Any, name: str, context: Mapping[str, Any], root: Path) -> str:
    """Render template `name` within `env.budget`'s limits; any mistake or limit is a
    `TemplateError` naming the template file and line."""
    import jinja2

    budget: Budget = env.budget
    limit = budget.limits.output
    loaded: list[Any] = []  # the template, once loaded
    budget.start()
    try:
        with _alarm(budget):
            template = env.get_template(name)
            loaded.append(template)
            chunks: list[str] = []
            size = 0
            gen = template.generate(**context)
            # in batches: a check per chunk would cost a third of a big note's render
            while batch := list(islice(gen, 256)):
                chunks += batch
                size += sum(map(len, batch))
                try:
                    if size > limit:
                        raise LimitExceeded(f"output passed the limit of {limit:,} characters")
                    budget.check()
                except LimitExceeded as exc:
                    gen.throw(exc)  # raised where the template is, for its line
            text = "".join(chunks)
            refuse_unwritable(text)  # made where no check looked (a config value)
        return text
    except jinja2.TemplateSyntaxError as exc:
        filename = exc.filename or _source_path(env, name)
        raise TemplateError(_shown(filename, root), exc.lineno, exc.message or "") from exc
    except jinja2.TemplateNotFound as exc:
        if not loaded:
            raise  # `name` itself: the caller knows where else to look
        found = _template_frame(exc)
        filename, line = found if found else (loaded[0].filename, None)
        message = f"template not found: {exc.name}"
        raise TemplateError(_shown(filename, root), line, message) from None
    except (Exception, RecursionError, MemoryError) as exc:  # noqa: BLE001 - all template faults
        if budget.stopped_at is not None:  # the alarm: whatever Jinja made of it after
            filename, line = budget.stopped_at
            raise TemplateError(_shown(filename, root), line, str(budget.timed_out())) from exc
        found = _template_frame(exc)
        filename = found[0] if found else (loaded[0].filename if loaded else None)
        filename = filename or _source_path(env, name)
        line = found[1] if found else None
        raise TemplateError(_shown(filename, root), line, _describe(exc)) from exc


def _source_path(env: Any, name: str) -> str | None:
    """Where the loader finds template `name` (for an error raised while loading it)."""
    loader = env.loader
    for each in getattr(loader, "loaders", [loader]):
        for folder in getattr(each, "searchpath", []):
            candidate = os.path.join(folder, *name.split("/"))
            if os.path.lexists(candidate):
                return candidate
    return None


def _describe(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "macros call each other too deeply"
    if isinstance(exc, MemoryError):
        return "template ran out of memory"
    import jinja2

    if isinstance(exc, (LimitExceeded, jinja2.TemplateError, VaultcrmError)):
        return str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        return f"cannot read it: {exc.strerror}"
    if isinstance(exc, UnicodeDecodeError):
        return f"not UTF-8 text (the byte 0x{exc.object[exc.start]:02x} at {exc.start:,})"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _template_frame(exc: BaseException) -> tuple[str, int] | None:
    """The file and line of the innermost template frame in the traceback (Jinja
    rewrites its frames to point at template lines; any template of the environment,
    an included one too)."""
    found = None
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code.co_filename
        if code.endswith(".j2") or "__jinja_exception__" in tb.tb_frame.f_globals:
            found = (code, tb.tb_lineno)
        tb = tb.tb_next
    return found


def _shown(filename: str | None, root: Path) -> str:
    """The template's path relative to the vault when it is the vault's override."""
    if not filename:
        return "<template>"
    try:
        return Path(filename).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return filename
