"""Running a vault's template within limits, and its mistakes as `path:line: message`.

A template override is the user's own code, run on every sync: a typo must not print a
traceback, and a loop or a repetition that is too big must not hang the terminal or fill
the disk. Jinja's sandbox keeps a template away from Python; these limits keep it small:
ranges, sizes (`*`, `**`, `+` and the calls and filters that pad or repeat), the output
(counted as it is generated), and the wall clock (checked between output chunks and loop
steps, and on POSIX's main thread by SIGALRM, which also stops one long expression).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any, NoReturn, overload

from vaultcrm.errors import VaultcrmError

#: Seconds a template may run. `VAULTCRM_TEMPLATE_SECONDS` overrides it.
MAX_SECONDS = 10.0
#: Characters a template may write, and the size of any one string or list it builds.
MAX_OUTPUT = 10 * 1024 * 1024
#: Items in one `range(...)`.
MAX_RANGE = 10_000
#: Bits of an integer a template may compute (`10 ** 10 ** 9` would take hours).
MAX_INT_BITS = 100_000


@dataclass(frozen=True)
class Limits:
    seconds: float = MAX_SECONDS
    output: int = MAX_OUTPUT
    range: int = MAX_RANGE


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


class Budget:
    """The clock of one render: `check()` raises once the time is up."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.deadline = float("inf")

    def start(self) -> None:
        self.deadline = time.monotonic() + self.limits.seconds

    def check(self) -> None:
        if time.monotonic() > self.deadline:
            raise LimitExceeded(f"template took longer than {self.limits.seconds:g} s")

    def size(self, value: object) -> object:
        """`value`, unless it is a string or list bigger than the output may be."""
        if isinstance(value, (str, bytes, list, tuple)) and len(value) > self.limits.output:
            raise LimitExceeded(f"value of {len(value):,} items is over the limit")
        return value


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


def _too_big_repeat(seq: object, times: object, limit: int) -> bool:
    return (
        isinstance(seq, (str, bytes, list, tuple))
        and isinstance(times, int)
        and len(seq) * times > limit
    )


def check_binop(budget: Budget, operator: str, left: Any, right: Any) -> None:
    """Refuse, before computing it, a `*`, `**` or `+` whose result would be too big."""
    limit = budget.limits.output
    ints = isinstance(left, int) and isinstance(right, int)
    sized = (str, bytes, list, tuple)
    if operator == "*":
        if _too_big_repeat(left, right, limit) or _too_big_repeat(right, left, limit):
            raise LimitExceeded(f"repeating that many times is over the limit of {limit:,}")
        if ints and left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise LimitExceeded("number too big")
    elif operator == "**":
        if ints and right > 0 and abs(left) > 1 and right * abs(left).bit_length() > MAX_INT_BITS:
            raise LimitExceeded("number too big")
    elif (
        operator == "+"
        and isinstance(left, sized)
        and isinstance(right, sized)
        and len(left) + len(right) > limit
    ):
        raise LimitExceeded(f"value over the limit of {limit:,}")
    budget.check()


_BIG_WIDTH = re.compile(r"\d{8,}")


def check_call(
    budget: Budget,
    obj: Any,
    args: Sequence[Any],
    kwargs: Mapping[str, Any],
    *,
    formats: bool = False,
) -> None:
    """Refuse a call asked to pad or repeat past the output limit (`'x'.ljust(10**9)`,
    `'{:>999999999}'.format(1)`)."""
    limit = budget.limits.output
    for value in (*args, *kwargs.values()):
        if type(value) is int and value > limit:
            raise LimitExceeded(f"{value:,} is over the limit of {limit:,}")
    if formats or getattr(obj, "__name__", "") in ("format", "format_map"):
        # the sandbox hands a template str.format wrapped (`__wrapped__` is the method)
        pattern = getattr(getattr(obj, "__wrapped__", obj), "__self__", None)
        texts = [pattern, *args] if isinstance(pattern, str) else list(args)
        if any(isinstance(t, str) and _BIG_WIDTH.search(t) for t in texts):
            raise LimitExceeded("a width that big is over the limit")
    budget.check()


#: Builtin filters that pad or repeat by a number they are given.
SIZED_FILTERS = ("center", "indent", "format", "wordwrap", "truncate")


def guard_filter(budget: Budget, f: Any) -> Any:
    """Filter `f`, refusing arguments and results past the output limit."""

    def guarded(*args: Any, **kwargs: Any) -> Any:
        check_call(budget, f, args, kwargs, formats=formats)
        return budget.size(f(*args, **kwargs))

    formats = getattr(f, "__name__", "") == "do_format"  # `'%999999999d'|format(1)`

    guarded.__name__ = getattr(f, "__name__", "filter")
    # some take the environment first (wordwrap, truncate): Jinja reads this mark
    if getattr(f, "jinja_pass_arg", None) is not None:
        guarded.jinja_pass_arg = f.jinja_pass_arg  # type: ignore[attr-defined]
    return guarded


@contextlib.contextmanager
def _alarm(budget: Budget) -> Iterator[None]:
    """SIGALRM after the time limit, on POSIX's main thread only (signals are delivered
    there; a watcher's worker thread relies on the checks between steps)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "setitimer"
    ):
        yield
        return

    def ring(signum: int, frame: object) -> NoReturn:
        raise LimitExceeded(f"template took longer than {budget.limits.seconds:g} s")

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


def run_template(env: Any, name: str, context: Mapping[str, Any], root: Path) -> str:
    """Render template `name` within `env.budget`'s limits; any mistake or limit is a
    `TemplateError` naming the template file and line."""
    import jinja2

    budget: Budget = env.budget
    limit = budget.limits.output
    template = None
    budget.start()
    try:
        with _alarm(budget):
            template = env.get_template(name)
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
            return "".join(chunks)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(_shown(exc.filename, root), exc.lineno, exc.message or "") from exc
    except jinja2.TemplateNotFound:
        if template is None:
            raise  # `name` itself: the caller knows where else to look
        raise TemplateError(_shown(template.filename, root), None, "template not found") from None
    except (Exception, RecursionError, MemoryError) as exc:  # noqa: BLE001 - all template faults
        filename = getattr(template, "filename", None)
        line = _template_line(exc, filename)
        raise TemplateError(_shown(filename, root), line, _describe(exc)) from exc


def _describe(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "macros call each other too deeply"
    if isinstance(exc, MemoryError):
        return "template ran out of memory"
    import jinja2

    if isinstance(exc, (LimitExceeded, jinja2.TemplateError)):
        return str(exc)
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _template_line(exc: BaseException, filename: str | None) -> int | None:
    """The line of the innermost template frame in the traceback (Jinja rewrites its
    frames to point at template lines)."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code.co_filename
        if code == filename or code.endswith(".j2"):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _shown(filename: str | None, root: Path) -> str:
    """The template's path relative to the vault when it is the vault's override."""
    if not filename:
        return "<template>"
    try:
        return Path(filename).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return filename
