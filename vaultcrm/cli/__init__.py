"""The command line: the only place that prints, prompts or exits.

Each command group lives in its own module; this one holds the group, the error wrapper
and the entry point. Heavy imports (jinja2, watchdog, yaml) stay inside the commands.
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import click

from vaultcrm.errors import VaultcrmError

F = TypeVar("F", bound=Callable[..., Any])


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
                raise click.UsageError(str(exc)) from None
            raise click.ClickException(str(exc)) from None
        except BrokenPipeError:
            raise
        except OSError as exc:
            if debug_enabled():
                raise
            raise click.ClickException(f"{exc.filename or ''}: {exc.strerror or exc}") from None

    return wrapper  # type: ignore[return-value]


def progress_bar(label: str) -> Callable[[int, int], None] | None:
    """A (done, total) callback drawing a bar on stderr, or None when stderr is not a terminal."""
    if not sys.stderr.isatty():
        return None
    state: dict[str, Any] = {}

    def report(done: int, total: int) -> None:
        bar = state.get("bar")
        if bar is None:
            bar = state["bar"] = click.progressbar(length=total, label=label, file=sys.stderr)
            bar.__enter__()
        bar.update(done - bar.pos)
        if done >= total:
            bar.__exit__(None, None, None)

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
    "check": ("checking", "check"),
    "watch": ("watching", "watch"),
    "import": ("interop", "import_"),
    "export": ("interop", "export"),
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
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
    who to reach out to, and why.
    """


def main() -> None:
    try:
        cli.main(prog_name="vaultcrm")
    except BrokenPipeError:
        # `vaultcrm due | head`: the reader left; end quietly, as Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)


__all__ = ["cli", "main", "handle_errors", "echo_problems"]
