"""The command line: the only place that prints, prompts or exits.

Each command group lives in its own module; this one holds the group, the error wrapper
and the entry point. Heavy imports (jinja2, watchdog, yaml) stay inside the commands.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import os
import signal
import sys
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import click

from vaultcrm.errors import VaultcrmError
from vaultcrm.gcpause import end_with_exit

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
            return f(*args, **kwargs)
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
            raise click.ClickException(f"{exc.filename or ''}: {exc.strerror or exc}") from None

    return wrapper  # type: ignore[return-value]


def progress_bar(label: str) -> Callable[[int, int], None] | None:
    """A (done, total) callback drawing a rich progress bar on stderr, or None when stderr
    is not a terminal. rich is imported on the first report, which the core sends only
    for a cold index of a large vault, so a run with little to read never pays for it."""
    if not sys.stderr.isatty():
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


def echo_cache_note(stats: Any) -> None:
    """Say so on stderr when the index could not be used or had to be rebuilt."""
    reason = getattr(stats, "cache_rebuilt", None)
    if reason and ("unusable" in reason or "unreadable" in reason):
        click.echo(f"note: {reason}", err=True)


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
    "check": ("checking", "check"),
    "watch": ("watching", "watch"),
    "import": ("interop", "import_"),
    "export": ("interop", "export"),
    "completion": ("completion", "completion"),
    "digest": ("reaching", "digest"),
    "schedule": ("reaching", "schedule"),
}

#: Other names for a command; not listed in `vaultcrm --help`.
ALIASES: dict[str, str] = {"show": "brief"}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        cmd_name = ALIASES.get(cmd_name, cmd_name)
        if cmd_name not in COMMANDS:
            return None
        module_name, attr = COMMANDS[cmd_name]
        module = importlib.import_module(f"{__name__}.{module_name}")
        command: click.Command = getattr(module, attr)
        return command


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


def main() -> None:
    """The console entry point. The process ends here: everything is flushed, then it
    exits without tearing the heap down object by object (a cold sync's records would
    take ~40 ms to free; `gcpause.leave_to_exit` keeps them for this). Every child
    process and file a command uses is waited for and closed before it returns."""
    if hasattr(signal, "SIGCHLD"):  # inherited as ignored, children would not be waited for
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    end_with_exit()
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
    os._exit(code)


__all__ = ["cli", "main", "handle_errors", "echo_problems"]
