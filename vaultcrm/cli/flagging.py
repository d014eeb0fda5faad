"""`vaultcrm flags suggest|apply`: flags from the prose you already wrote, with consent."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from vaultcrm.words import FLAGS_WORDS

from . import echo_cache_note, echo_json, handle_errors, progress_bar
from .completion import complete_person
from .options import cache_option, json_option, read_session, today_option, vault_option

if TYPE_CHECKING:
    from vaultcrm.app.flags import Plan, Planned
    from vaultcrm.model import Problem
    from vaultcrm.read.inferred import Suggestion


def _confidence_option(f: Any) -> Any:
    return click.option(
        "--min-confidence",
        "at_least",
        type=click.FloatRange(0.0, 1.0),
        default=None,
        metavar="C",
        help="Only suggestions at least this sure, 0 to 1 (default: the rules' default, 0.8).",
    )(f)


def _diagnostics(problems: Sequence[Problem], stats: Any) -> None:
    from vaultcrm.model import capped_problem_lines

    echo_cache_note(stats)
    for line in capped_problem_lines(problems):
        click.echo(line, err=True)


def _exit(problems: Sequence[Problem], refused: bool = False) -> None:
    error = any(p.severity == "error" for p in problems)
    click.get_current_context().exit(1 if error or refused else 0)


def _tags(flags: Sequence[str], tags: dict[str, str]) -> str:
    return " ".join(f"#{tags.get(f, f)}" for f in flags)


@click.group(short_help="Flags from what your notes already say: suggest them, apply them.")
def flags() -> None:
    """Flags from what your notes already say ("she told me…", "we talked for hours").

    The ledger (share, listen), going deeper and wins to celebrate run on #shared,
    #heard, #deep and #win. `suggest` lists the interaction lines without a flag whose
    words read as one, with the words that made it so and a confidence; `apply` adds
    those tags at the end of the lines (the plan first, then what it did). Tag a line
    #noflag to keep it out for good. Or set `infer_flags: true` in vaultcrm.yaml to use
    the suggestions without writing anything. What the rules catch and miss:
    docs/flags.md.

    \b
    Examples:
      vaultcrm flags suggest
      vaultcrm flags apply --dry-run
      vaultcrm flags apply Ben
    """


@flags.command(short_help="List the lines whose words read as a flag.")
@click.argument("person", required=False, shell_complete=complete_person)
@vault_option
@today_option
@_confidence_option
@json_option
@cache_option
@handle_errors
def suggest(
    person: str | None,
    vault: Path | None,
    today: dt.date | None,
    at_least: float | None,
    as_json: bool,
    no_cache: bool,
) -> None:
    """List the interaction lines without a flag whose words read as one.

    Each is `path:line: person: #flags confidence — "the words"`. PERSON (a name, an
    alias or the start of one) keeps to their lines. Nothing is written: `vaultcrm flags
    apply` adds the tags. --json prints {"suggestions": [{"file", "line", "person",
    "date", "flags", "because", "confidence", "text"}]}.

    \b
    Examples:
      vaultcrm flags suggest
      vaultcrm flags suggest Ben --min-confidence 0.6
      vaultcrm flags suggest --json | jq '.suggestions[] | select(.flags | index("heard"))'
    """
    from vaultcrm.app.flags import suggest as run_suggest
    from vaultcrm.read.records import progress_to

    with (
        progress_to(progress_bar("Reading notes")),
        read_session(vault, today, no_cache=no_cache) as session,
    ):
        found = run_suggest(session, person, at_least=at_least)
    _diagnostics(found.problems, found.stats)
    if as_json:
        echo_json(
            {
                "today": found.today.isoformat(),
                "min_confidence": found.at_least,
                "suggestions": [s.to_json() for s in found.suggestions],
                "problems": [p.to_json() for p in found.problems],
            }
        )
    else:
        for s in found.suggestions:
            click.echo(_suggestion_line(s, dict(found.tags)))
        click.echo(_suggest_summary(len(found.suggestions), found.at_least))
    _exit(found.problems)


def _suggestion_line(s: Suggestion, tags: dict[str, str]) -> str:
    where = click.style(f"{s.file}:{s.line}:", fg="cyan")
    what = click.style(_tags(s.flags, tags), fg="yellow")
    return f'{where} {s.person}: {what} {s.confidence:.2f} — "{s.because}"'


def _suggest_summary(count: int, at_least: float) -> str:
    if not count:
        return FLAGS_WORDS["none"].format(at_least=at_least)
    lines = "1 line reads" if count == 1 else f"{count} lines read"
    return FLAGS_WORDS["found"].format(lines=lines, at_least=at_least)


@flags.command(short_help="Add the suggested tags at the end of their lines.")
@click.argument("person", required=False, shell_complete=complete_person)
@vault_option
@today_option
@_confidence_option
@click.option("--dry-run", is_flag=True, help="Print the plan; write nothing.")
@json_option
@cache_option
@handle_errors
def apply(
    person: str | None,
    vault: Path | None,
    today: dt.date | None,
    at_least: float | None,
    dry_run: bool,
    as_json: bool,
    no_cache: bool,
) -> None:
    """Add the suggested tags at the end of their lines, through the edit engine.

    Prints the plan first (each line and the tags it gets), then what it did. Every
    other byte of the notes stays as it was; a note changed since it was read is left
    alone (exit 1). Running it again changes nothing. A line that counts for several
    people (a daily note linking two) gets only the flags it reads as for all of them.
    Undo is git: the plan names every line. Tag a line #noflag to keep it out.

    \b
    Examples:
      vaultcrm flags apply --dry-run
      vaultcrm flags apply Ben
      vaultcrm flags apply --min-confidence 0.9
    """
    from vaultcrm.app.flags import Applied, apply_plan
    from vaultcrm.app.flags import plan as make_plan
    from vaultcrm.read.records import progress_to

    with (
        progress_to(progress_bar("Reading notes")),
        read_session(vault, today, no_cache=no_cache) as session,
    ):
        planned = make_plan(session, person, at_least=at_least)
    _diagnostics(planned.problems, planned.stats)
    if not as_json:
        _print_plan(planned)
    done = Applied() if dry_run or not planned.lines else apply_plan(planned)
    for message in [*done.conflicts, *done.refused]:
        click.echo(message, err=True)
    if as_json:
        echo_json(_apply_json(planned, done, dry_run))
    elif planned.lines:
        if dry_run:
            click.echo(FLAGS_WORDS["dry_run"])
        else:
            click.echo(FLAGS_WORDS["wrote"].format(what=_count(done.written)))
    _exit(planned.problems, refused=bool(done.refused))


def _count(lines: Sequence[Planned]) -> str:
    tags = sum(len(p.tags) for p in lines)
    notes = len({p.file for p in lines})
    return (
        f"{tags} tag{'s' * (tags != 1)} on {len(lines)} line{'s' * (len(lines) != 1)}"
        f" in {notes} note{'s' * (notes != 1)}"
    )


def _print_plan(planned: Plan) -> None:
    if not planned.lines:
        click.echo(FLAGS_WORDS["nothing"].format(at_least=planned.at_least))
    else:
        click.secho(
            FLAGS_WORDS["plan"].format(what=_count(planned.lines), at_least=planned.at_least),
            bold=True,
        )
        for p in planned.lines:
            where = click.style(f"{p.file}:{p.line}:", fg="cyan")
            tags = click.style(" ".join(f"+#{t}" for t in p.tags), fg="yellow")
            click.echo(f'  {where} {tags} {p.confidence:.2f} — "{p.because}"')
    if planned.skipped:
        click.secho(FLAGS_WORDS["left_alone"], bold=True)
        for s in planned.skipped:
            where = click.style(f"{s.suggestion.file}:{s.suggestion.line}:", fg="cyan")
            click.echo(f"  {where} {', '.join(s.suggestion.flags)} for {s.suggestion.person}: "
                       f"{s.reason}")  # fmt: skip


def _apply_json(planned: Plan, done: Any, dry_run: bool) -> dict[str, Any]:
    def line(p: Planned) -> dict[str, Any]:
        return {"file": p.file, "line": p.line, "people": list(p.people), "flags": list(p.flags),
                "tags": list(p.tags), "because": p.because, "confidence": p.confidence}  # fmt: skip

    return {
        "today": planned.today.isoformat(),
        "min_confidence": planned.at_least,
        "dry_run": dry_run,
        "plan": [line(p) for p in planned.lines],
        "skipped": [{**s.suggestion.to_json(), "reason": s.reason} for s in planned.skipped],
        "written": [line(p) for p in done.written],
        "refused": list(done.refused),
        "conflicts": list(done.conflicts),
        "problems": [p.to_json() for p in planned.problems],
    }


COMMANDS = [flags]
