"""`vaultcrm check`: every problem in the vault, one per line, then a summary."""

from __future__ import annotations

from pathlib import Path

import click

from . import echo_json, handle_errors
from .options import cache_option, json_option, read_session, vault_option
from .terminal import echo_wrapped


@click.command(short_help="List every problem in the vault as path:line:col: message.")
@vault_option
@json_option
@cache_option
@handle_errors
def check(vault: Path | None, as_json: bool, no_cache: bool) -> None:
    """List every problem in the vault as path:line:col: message.

    Unreadable or unsafe YAML, an unclosed frontmatter block, keys given twice, impossible dates,
    unknown circles, bad cadences, names or aliases shared by two people, daily-note links
    that almost name a person, unsafe file names, files that are not regular files (a FIFO).
    A tip may follow (no flag tag anywhere yet: `vaultcrm flags suggest`); the last line
    sums up. Exit 1 when there is an error, 0 with warnings only.

    \b
    Examples:
      vaultcrm check
      vaultcrm check --json | jq '.problems[] | select(.severity == "error")'
    """
    from vaultcrm.app.check import check_vault

    with read_session(vault, no_cache=no_cache) as session:
        report = check_vault(session)
    if as_json:
        echo_json(report.to_json())
    else:
        for problem in report.problems:
            click.echo(problem.format())
        for hint in report.hints:
            echo_wrapped(hint, hang=2)
        echo_wrapped(report.summary(), hang=2)
    click.get_current_context().exit(1 if report.errors else 0)


COMMANDS = [check]
