"""The command line: the only place that prints, prompts or exits.

Each command group lives in its own module; this one holds the group, the error wrapper
and the entry point. Heavy imports (jinja2, watchdog, yaml) stay inside the commands.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import importlib
import os
import signal
import sys
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import click

from vaultcrm.benchswitch import off
from vaultcrm.errors import VaultcrmError

F = TypeVar("F", bound=Callable[..., Any])


class DataError(click.ClickException):
    """A request about data that cannot mean anything (an unknown person, a bad date):
    one line on stderr and exit 2, without Click's `Usage:` banner, which would bury the
    one line that matters (and says nothing about the data)."""

    exit_code = 2


def debug_enabled() -> bool:
    ctx = click.get_current_context(silent=True)
    root = ctx.find_root() if ctx else None
    flag = bool(root and root.params.get("debug"))
    return flag or os.environ.get("VAULTCRM_DEBUG", "") not in ("", "0")


def handle_errors(f: F) -> F:
    """Turn the project's exceptions into a clean message and exit code, never a traceback."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return _noting_the_cache(f, *args, **kwargs)
        except VaultcrmError as exc:
            if debug_enabled():
                raise
            if exc.exit_code == 2:
                raise DataError(str(exc)) from None
            raise click.ClickException(str(exc)) from None
        except BrokenPipeError:
            raise
        except OSError as exc:
            if debug_enabled():
                raise
            raise click.ClickException(os_error_text(exc)) from None

    return wrapper  # type: ignore[return-value]


#: Errors of a write that names no file: in vaultcrm, only the standard output's (every
#: file a command writes goes through the edit engine, which names it; the index is
#: worked around; a failed stderr cannot be told about).
_WRITE_ERRORS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EBADF})


def os_error_text(exc: OSError) -> str:
    """`path: reason`, naming the file even when the error did not."""
    reason = exc.strerror or str(exc)
    if exc.filename is not None:
        return f"{exc.filename}: {reason}"
    if exc.errno in _WRITE_ERRORS:
        return f"cannot write to standard output{_target(1)}: {reason}"
    return reason


def _target(fd: int) -> str:
    """` (the file behind descriptor fd)`, where the system can tell."""
    try:
        return f" ({os.readlink(f'/proc/self/fd/{fd}')})"
    except OSError:
        return ""


def _noting_the_cache(f: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    store = sys.modules.get("vaultcrm.cache.store")
    if store is not None:  # what an earlier command of this process (a test's) left
        store.take_notes()
    try:
        return f(*args, **kwargs)
    finally:
        with contextlib.suppress(OSError, ValueError):  # a stream gone: nothing to say it on
            echo_cache_note()


def is_terminal(stream: Any) -> bool:
    """Whether `stream` is a terminal; False for a stream that is missing (started with
    it closed) or closed."""
    try:
        return bool(stream is not None and stream.isatty())
    except (OSError, ValueError):
        return False


def progress_bar(label: str) -> Callable[[int, int], None] | None:
    """A (done, total) callback drawing a rich progress bar on stderr, or None when stderr
    is not a terminal or escape codes are unwelcome (`NO_COLOR`, `TERM=dumb`). rich is
    imported on the first report, which the core sends only for a cold index of a large
    vault, so a run with little to read never pays for it."""
    from .terminal import plain

    if not is_terminal(sys.stderr) or plain():
        return None
    state: dict[str, Any] = {}

    def report(done: int, total: int) -> None:
        progress = state.get("progress")
        if progress is None:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            progress = state["progress"] = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            progress.start()
            state["task"] = progress.add_task(label, total=total)
        progress.update(state["task"], completed=done, total=total)
        if done >= total:
            progress.stop()

    return report


def echo_cache_note(stats: Any = None) -> None:
    """Say so on stderr, once, when the index could not be used (a full disk, a read-only
    folder) or had to be rebuilt. Every command says it by the end (`handle_errors`);
    reading commands say it before their problems."""
    store = sys.modules.get("vaultcrm.cache.store")  # not imported: nothing to say
    if store is not None:
        for note in store.take_notes():
            click.echo(f"note: {note.text}", err=True)


def echo_json(data: Any) -> None:
    """JSON for scripts, the same shape of output on every command."""
    import json

    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def echo_diagnostics(outcome: Any, *, capped: bool = False) -> None:
    """What a reading command says on stderr: the cache's state, then the problems
    (with `capped`, at most 20 lines and how many more: `sync` runs often)."""
    echo_cache_note(outcome.stats)
    if capped:
        from vaultcrm.model import capped_problem_lines

        for line in capped_problem_lines(outcome.problems):
            click.echo(line, err=True)
    else:
        echo_problems(outcome.problems)


def echo_problems(problems: Iterable[Any]) -> None:
    """Problems go to stderr as `path:line:col: message`."""
    for problem in problems:
        click.echo(problem.format(), err=True)


#: command name → (module in this package, attribute): imported only when used, so
#: `vaultcrm log` pays for nothing but itself.
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("writing", "init"),
    "add": ("writing", "add"),
    "log": ("writing", "log"),
    "remind": ("writing", "remind"),
    "set": ("writing", "set_"),
    "sync": ("reflecting", "sync"),
    "due": ("reflecting", "due"),
    "brief": ("showing", "brief"),
    "people": ("showing", "people"),
    "review": ("reviewing", "review"),
    "check": ("checking", "check"),
    "watch": ("watching", "watch"),
    "import": ("interop", "import_"),
    "export": ("interop", "export"),
    "completion": ("completion", "completion"),
    "flags": ("flagging", "flags"),
    "digest": ("reaching", "digest"),
    "schedule": ("reaching", "schedule"),
}

#: Other names for a command; not listed in `vaultcrm --help`.
ALIASES: dict[str, str] = {"show": "brief"}

#: Commands for other programs, not people (git's merge driver): run by name, never listed.
HIDDEN: dict[str, tuple[str, str]] = {"merge-driver": ("writing", "merge_driver")}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        cmd_name = ALIASES.get(cmd_name, cmd_name)
        found = COMMANDS.get(cmd_name) or HIDDEN.get(cmd_name)
        if found is None:
            return None
        module_name, attr = found
        module = importlib.import_module(f"{__name__}.{module_name}")
        command: click.Command = getattr(module, attr)
        return command

    def _main_shell_completion(
        self, ctx_args: Any, prog_name: str, complete_var: str | None = None
    ) -> None:
        """A Tab is answered through vaultcrm's own bash and fish scripts' protocol
        (`cli/completion.py`: names with spaces must arrive quoted), so they are
        registered with Click before it answers; nothing is imported otherwise."""
        if os.environ.get(complete_var or "_VAULTCRM_COMPLETE"):
            from .completion import use_own_scripts

            use_own_scripts()
        super()._main_shell_completion(ctx_args, prog_name, complete_var)


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(package_name="vaultcrm", prog_name="vaultcrm")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of short error messages.")
def cli(debug: bool) -> None:
    """vaultcrm: a personal CRM over a folder of Markdown notes.

    Each person is a note in People/; interactions come from dated bullets in that note
    and from daily notes that link the person. `vaultcrm sync` writes "Reflections due.md":
    who to reach out to, and why. `vaultcrm <command> --help` explains each command.

    \b
    Examples:
      vaultcrm init ~/Notes && cd ~/Notes
      vaultcrm add "Ben Okafor" --circle close
      vaultcrm log Ben "Coffee; he told me about his dad" --heard
      vaultcrm brief Ben          # before you meet him
      vaultcrm sync               # writes "Reflections due.md"
    """
    from .terminal import plain

    if plain():  # no escape byte at all, even on a terminal: every command inherits it
        click.get_current_context().color = False


def _prepare_streams() -> None:
    """Started with stdin, stdout or stderr closed (`2>&-`, as some cron wrappers run
    jobs): the missing descriptor is opened on the null device, and the missing stream
    made from it. The command then does its work and exits with its own code; only what
    it would have printed there is lost. Without this, a stream that is None breaks the
    first print, and the first file the command opens (the cache, a note being written)
    would take the free descriptor, where anything written "to stderr" would land.
    A stream that refuses what it cannot encode (a vault path that is not UTF-8) escapes
    it instead."""
    for fd, name in ((0, "stdin"), (1, "stdout"), (2, "stderr")):
        try:
            os.fstat(fd)
        except OSError:
            try:
                null = os.open(os.devnull, os.O_RDONLY if fd == 0 else os.O_WRONLY)
            except OSError:
                continue
            if null != fd:  # the lowest free descriptor is the missing one, unless raced
                os.dup2(null, fd)
                os.close(null)
        stream = getattr(sys, name)
        if stream is None:
            with contextlib.suppress(OSError, ValueError):
                mode = "r" if fd == 0 else "w"
                stream = open(  # noqa: SIM115 - the process's own stream, open until it ends
                    fd, mode, encoding="utf-8", errors="backslashreplace", closefd=False
                )
                setattr(sys, name, stream)
        elif fd > 0 and getattr(stream, "errors", None) == "strict":
            # a path that is not UTF-8 (a vault's own) is shown escaped, never a traceback
            with contextlib.suppress(AttributeError, ValueError):
                stream.reconfigure(errors="backslashreplace")


def main() -> None:
    """The console entry point. The process ends here: everything is flushed, then it
    exits without tearing the heap down object by object (`os._exit`: no module, cache
    or record is freed one at a time; benchmarks/RESULTS.md). Every child process and
    file a command uses is waited for and closed before it returns."""
    if hasattr(signal, "SIGCHLD"):  # inherited as ignored, children would not be waited for
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    _prepare_streams()
    try:
        cli.main(prog_name="vaultcrm")
        code: int = 0
    except BrokenPipeError:
        # `vaultcrm due | head`: the reader left; end quietly, as Unix tools do
        code = 1
    except SystemExit as done:
        if done.code is None or isinstance(done.code, int):
            code = done.code or 0
        else:  # sys.exit("message"): Python prints it and exits 1
            with contextlib.suppress(Exception):
                print(done.code, file=sys.stderr)
            code = 1
    # what is still buffered, also under a progress bar's proxy; a stream may be missing
    # (started with it closed), closed, or its reader gone: nothing more can be said then
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        if stream is None:
            continue
        try:
            stream.flush()
        except (OSError, ValueError):
            code = code or 1
    if off("exit"):
        sys.exit(code)
    os._exit(code)


__all__ = ["cli", "main", "handle_errors", "echo_problems"]
