"""`sync` and `due`: the reflections, as a note or on the terminal."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

import click

from vaultcrm.words import KIND_WORDS, NO_NOTE, NO_PEOPLE, NOTHING_DUE, count_reflections

from . import echo_diagnostics, echo_json, handle_errors, progress_bar
from .options import cache_option, json_option, read_session, today_option, vault_option
from .terminal import echo_wrapped


def _exit_for(problems: list) -> int:  # type: ignore[type-arg]
    """1 when any problem is an error (as bean-check does), else 0."""
    return 1 if any(p.severity == "error" for p in problems) else 0


@click.command(short_help='Write "Reflections due.md": who to reach out to, and why.')
@vault_option
@today_option
@json_option
@cache_option
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but problems.")
@handle_errors
def sync(
    vault: Path | None, today: dt.date | None, as_json: bool, no_cache: bool, quiet: bool
) -> None:
    """Write "Reflections due.md": who to reach out to, and why.

    The note is rewritten only when its content changes, so a second run on an unchanged
    vault changes no byte. Problems are printed as path:line: message on stderr; a broken
    note is skipped and everything else is still processed. Exit 1 if any note has an error.

    First, lines typed in the inbox (Inbox.md) are filed into people's notes, such as
    "- Ben: coffee #heard" or "- remind Ben next tuesday call"; a line naming nobody (or
    several people) stays there, with the reason beside it.

    \b
    Examples:
      vaultcrm sync
      vaultcrm sync --vault ~/Notes --today 2026-11-23
    """
    from vaultcrm.app.sync import sync as run_sync
    from vaultcrm.read.records import progress_to

    with (
        progress_to(progress_bar("Reading notes")),
        read_session(vault, today, no_cache=no_cache) as session,
    ):
        result = run_sync(session)
    outcome = result.outcome
    inbox = result.inbox
    for message in [*result.conflicts, *(inbox.conflicts if inbox else [])]:
        click.echo(message, err=True)
    for healed in result.healed:
        click.echo(healed.message(), err=True)
    _echo_inbox_problems(inbox)
    echo_diagnostics(outcome, capped=True)  # `check` and --json list them all
    if as_json:
        echo_json(
            {
                "today": outcome.today.isoformat(),
                "output": result.output,
                "written": result.written,
                "reflections": len(outcome.reflections),
                "recorded": result.recorded,
                "conflicts": result.conflicts,
                "calendar": result.calendar,
                "healed": [healed.to_json() for healed in result.healed],
                "hints": result.hints,
                "inbox": _inbox_json(inbox, outcome.config.inbox),
                "problems": [p.to_json() for p in outcome.problems],
            }
        )
    elif not quiet:
        for filed in inbox.filed if inbox else []:
            click.echo(_filed_line(filed))
        for line in result.recorded:
            echo_wrapped(line, head="Recorded: ", hang=2)
        counts = Counter(r.kind for r in outcome.reflections)
        summary = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in counts.items()) or "none"
        verb = "Wrote" if result.written else "Up to date:"
        total = len(outcome.reflections)
        if outcome.people_count == 0:  # no note rather than an all-clear
            echo_wrapped(NO_NOTE.format(output=result.output), hang=2)
        else:
            line = f"{verb} {result.output} — {count_reflections(total)} ({summary})"
            echo_wrapped(line, hang=2)
        if result.calendar:
            click.echo(f"Wrote {result.calendar} (calendar)")
        for hint in result.hints:
            echo_wrapped(hint, hang=2)
    failed = bool(inbox and inbox.failures)
    click.get_current_context().exit(max(_exit_for(outcome.problems), int(failed)))


def _filed_line(filed: Any) -> str:
    from vaultcrm.words import INBOX

    said = INBOX["filed"].format(typed=filed.typed, file=filed.file, line=filed.line)
    return said + (INBOX["already"] if filed.already else "")


def _echo_inbox_problems(inbox: Any) -> None:
    """Lines kept in the inbox, as `path:line: kept: reason` (the reason is in the file
    too), and an inbox that could not be rewritten, on stderr."""
    if inbox is None:
        return
    from vaultcrm.words import INBOX

    for kept in inbox.kept:
        click.echo(
            INBOX["kept"].format(inbox=inbox.path, number=kept.number, reason=kept.reason),
            err=True,
        )
    for failure in inbox.failures:
        click.echo(f"Error: {failure}", err=True)


def _inbox_json(inbox: Any, path: str) -> dict[str, Any]:
    """What this run did with the inbox (nothing, on the no-change path: the inbox is the
    one the last sync left)."""
    if inbox is None:
        return {"inbox": path, "filed": [], "kept": [], "failures": []}
    return inbox.to_json()  # type: ignore[no-any-return]


@click.command(short_help="Show who is due, and why, without writing anything.")
@vault_option
@today_option
@json_option
@cache_option
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    metavar="KIND",
    # the kinds' names from words.py (stdlib only), not their rules: a no-change sync
    # imports nothing it does not use
    help=f"Only these kinds ({', '.join(KIND_WORDS)}); repeatable.",
)
@handle_errors
def due(
    vault: Path | None, today: dt.date | None, as_json: bool, no_cache: bool, kinds: tuple[str, ...]
) -> None:
    """Show who is due, and why, without writing anything.

    On a terminal: a table grouped by kind; piped or under NO_COLOR: plain text.
    --json prints {"today": ..., "reflections": [{"kind", "person", "file", "reason", ...}]}
    with kind-specific fields (last_contact, cadence_days, overdue_days, count, date, age).

    \b
    Examples:
      vaultcrm due
      vaultcrm due --kind birthday --kind follow_up
      vaultcrm due --json --today 2026-11-23 | jq '.reflections[].person'
    """
    from vaultcrm.app.sync import due as compute_due
    from vaultcrm.read.records import progress_to

    unknown = sorted(set(kinds) - set(KIND_WORDS))
    if unknown:
        known = ", ".join(KIND_WORDS)
        raise click.BadParameter(
            f"unknown kind {', '.join(unknown)}; known: {known}", param_hint="--kind"
        )
    with (
        progress_to(progress_bar("Reading notes")),
        read_session(vault, today, no_cache=no_cache) as session,
    ):
        outcome = compute_due(session)
    chosen = [r for r in outcome.reflections if not kinds or r.kind in kinds]
    echo_diagnostics(outcome, capped=True)  # the reflections, though, are all listed
    if as_json:
        echo_json(
            {
                "today": outcome.today.isoformat(),
                "reflections": [r.to_json() for r in chosen],
                "problems": [p.to_json() for p in outcome.problems],
            }
        )
    elif chosen and _use_tables():
        from .tables import due_table

        due_table(chosen)
    else:
        _print_due(chosen, outcome.people_count)
    click.get_current_context().exit(_exit_for(outcome.problems))


def _use_tables() -> bool:
    from .tables import use_tables

    return use_tables()


def _print_due(reflections: list, people: int = 1) -> None:  # type: ignore[type-arg]
    """Plain text, grouped by kind: what a pipe, a file or NO_COLOR gets."""
    if not reflections:
        # never a silent all-clear: "nobody is due" only when there is somebody
        click.echo(NOTHING_DUE if people else NO_PEOPLE)
        return
    width = min(28, max(len(r.person) for r in reflections))
    kind = None
    for r in reflections:
        if r.kind != kind:
            if kind is not None:
                click.echo()
            kind = r.kind
            click.secho(KIND_WORDS[kind].title, bold=True)
        column = r.person.ljust(width)
        styled = f"  {click.style(column, fg='cyan')}  "
        echo_wrapped(r.reason, head=f"  {column}  ", styled=styled, hang=width + 4)


COMMANDS = [sync, due]
