"""`import vcard|csv FILE…` and `export vcard|ics`: contacts in, people and dates out."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

import click

from vaultcrm.cli import echo_json, echo_problems, handle_errors, is_terminal
from vaultcrm.cli.options import json_option, read_session, vault_option

#: Files with more contacts than this get a progress bar (on a terminal only).
PROGRESS_FROM = 300
_VERBS = {"create": "create", "fill": "fill in", "unchanged": "unchanged", "skip": "skip"}


def _progress(total: int) -> Callable[[int, int], None] | None:
    """A rich progress bar on stderr for a big import, only when stderr is a terminal
    that welcomes escape codes."""
    from vaultcrm.cli.terminal import plain

    if total <= PROGRESS_FROM or not is_terminal(sys.stderr) or plain():
        return None
    from rich.console import Console
    from rich.progress import Progress

    bar = Progress(console=Console(stderr=True), transient=True)
    task = bar.add_task("Importing", total=total)
    bar.start()

    def report(done: int, total: int) -> None:
        bar.update(task, completed=done)
        if done >= total:
            bar.stop()

    return report


def _describe(step: Any) -> list[str]:
    src = step.contact.source
    where = f"{src.label} ({src.where()})"
    if step.action == "skip":
        lines = [f"{_VERBS[step.action]:<9} {where} {step.contact.name}: {step.reason}"]
    else:
        lines = [f"{_VERBS[step.action]:<9} {step.file}  ← {where}: {step.reason}"]
    lines += [f"          {note}" for note in step.notes]
    return lines


def _run_import(
    vault: Path | None, kind: str, files: tuple[Path, ...], dry_run: bool, as_json: bool
) -> None:
    from vaultcrm.app.importing import import_contacts

    with read_session(vault) as session:
        result = import_contacts(
            session, kind, list(files), dry_run=dry_run, progress=None if as_json else _progress
        )
    problems = result.all_problems()
    if as_json:
        echo_json(result.to_json())
    else:
        echo_problems(problems)
        for index, step in enumerate(result.steps):
            done = index not in result.refused and index not in result.stale
            if dry_run or (step.action in ("create", "fill") and done):
                for line in _describe(step):
                    click.echo(line)
        counts = result.counts
        tail = " (dry run: nothing was written)" if dry_run else ""
        click.echo(
            f"{counts['created']} created, {counts['filled']} filled in, "
            f"{counts['unchanged']} unchanged, {counts['skipped']} skipped{tail}"
        )
    failed = any(p.severity == "error" for p in problems)
    click.get_current_context().exit(1 if failed else 0)


_FILES = click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
_DRY_RUN = click.option(
    "--dry-run",
    is_flag=True,
    help="Print the plan (create / fill in / skip, and why); write nothing.",
)


@click.group("import", short_help="Bring contacts in from vCard (.vcf) or CSV files.")
def import_() -> None:
    """Bring contacts in from vCard (.vcf) or CSV files.

    A contact whose name, nickname or email matches a person only fills in what their
    note lacks; nothing you wrote changes, and importing the same file again does nothing.

    \b
    Examples:
      vaultcrm import vcard contacts.vcf --dry-run
      vaultcrm import csv google-contacts.csv
    """


@import_.command("vcard")
@vault_option
@_FILES
@_DRY_RUN
@json_option
@handle_errors
def import_vcard(vault: Path | None, files: tuple[Path, ...], dry_run: bool, as_json: bool) -> None:
    """Import vCard files (2.1, 3.0, 4.0: Google, Apple, Outlook, Monica exports).

    \b
    Example:
      vaultcrm import vcard contacts.vcf --dry-run
      vaultcrm import vcard contacts.vcf
    """
    _run_import(vault, "vcard", files, dry_run, as_json)


@import_.command("csv")
@vault_option
@_FILES
@_DRY_RUN
@json_option
@handle_errors
def import_csv(vault: Path | None, files: tuple[Path, ...], dry_run: bool, as_json: bool) -> None:
    """Import CSV files: Google Contacts' export, or a plain `name,birthday,email,...` file.

    \b
    Example:
      vaultcrm import csv contacts.csv --dry-run
    """
    _run_import(vault, "csv", files, dry_run, as_json)


@click.group(short_help="Take people out: a vCard file, or an ICS calendar.")
def export() -> None:
    """Take people out: a vCard file, or an ICS calendar.

    The calendar holds birthdays, yearly dates and open follow-ups.

    \b
    Examples:
      vaultcrm export vcard --out people.vcf
      vaultcrm export ics --out people.ics
    """


_OUT = click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (only ever replacing an earlier export); default: stdout.",
)


def _emit(root: Path, out: Path | None, data: bytes, marker: bytes, what: str) -> None:
    from vaultcrm.app.importing import write_output

    if out is None:
        stream: BinaryIO = sys.stdout.buffer
        stream.write(data)
        stream.flush()
        return
    result = write_output(root, out, data, marker)
    state = "Wrote" if result.changed else "Up to date:"
    click.echo(f"{state} {out} ({what})", err=True)


@export.command("vcard")
@vault_option
@_OUT
@handle_errors
def export_vcard(vault: Path | None, out: Path | None) -> None:
    """Every person as a vCard 4.0: name, aliases, birthday, dates, emails, phones, tags.

    \b
    Example:
      vaultcrm export vcard --out people.vcf
    """
    from vaultcrm.app.importing import export_vcards
    from vaultcrm.interop.vcard import MARKER

    with read_session(vault) as session:
        text, problems = export_vcards(session)
    echo_problems(problems)
    count = text.count("BEGIN:VCARD")
    _emit(session.root, out, text.encode("utf-8"), MARKER, f"{count} people")
    click.get_current_context().exit(1 if any(p.severity == "error" for p in problems) else 0)


@export.command("ics")
@vault_option
@_OUT
@handle_errors
def export_ics(vault: Path | None, out: Path | None) -> None:
    """Birthdays and dates as yearly all-day events, open follow-ups on their day (ICS).

    UIDs stay the same from one export to the next, so a calendar that subscribes to the
    file updates its events instead of duplicating them; set `ics:` in vaultcrm.yaml to
    have every `sync` write it.

    \b
    Example:
      vaultcrm export ics --out people.ics
    """
    from vaultcrm.app.importing import export_calendar
    from vaultcrm.interop.ics import MARKER

    with read_session(vault) as session:
        data, problems = export_calendar(session)
    echo_problems(problems)
    _emit(session.root, out, data, MARKER, f"{data.count(b'BEGIN:VEVENT')} events")
    click.get_current_context().exit(1 if any(p.severity == "error" for p in problems) else 0)


COMMANDS = [import_, export]
