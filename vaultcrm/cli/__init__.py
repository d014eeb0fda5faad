"""The command line: the only place that prints, prompts or exits.

Each command group lives in its own module; this one holds the group, the error wrapper
and the entry point. Heavy imports (jinja2, watchdog, yaml) stay inside the commands.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import click

from ..errors import VaultcrmError

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
            err = click.ClickException(str(exc))
            err.exit_code = exc.exit_code
            raise err from None
        except OSError as exc:
            if debug_enabled():
                raise
            raise click.ClickException(f"{exc.filename or ''}: {exc.strerror or exc}") from None

    return wrapper  # type: ignore[return-value]


def echo_problems(problems: Iterable[Any]) -> None:
    """Problems go to stderr as `path:line:col: message`."""
    for problem in problems:
        click.echo(problem.format(), err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="vaultcrm", prog_name="vaultcrm")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of short error messages.")
def cli(debug: bool) -> None:
    """vaultcrm: a personal CRM over a folder of Markdown notes.

    Each person is a note in People/; interactions come from dated bullets in that note
    and from daily notes that link the person. `vaultcrm sync` writes "Reflections due.md":
    who to reach out to, and why.
    """


def main() -> None:
    cli.main(prog_name="vaultcrm")


def _register() -> None:
    from . import reflecting, watching

    for command in [*reflecting.COMMANDS, *watching.COMMANDS]:
        cli.add_command(command)


_register()

__all__ = ["cli", "main", "handle_errors", "echo_problems"]
