"""The commands that write to the vault: `init`, `add`, `log`, `remind`, `set`.

Each prints one line saying what it changed, where. Everything heavy is imported inside
the command, so `vaultcrm log` starts fast.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click

from . import handle_errors, is_terminal
from .completion import complete_circle, complete_person
from .options import read_session, resolve_today, today_option, vault_option
from .terminal import echo_wrapped

if TYPE_CHECKING:
    from vaultcrm.dates import Prefer


def _say_conflict(written: object) -> None:
    """An editor's save kept as a conflict copy is said at once, on stderr."""
    from vaultcrm.words import conflict_message

    conflict = getattr(written, "conflict", None)
    if conflict is not None:
        click.echo(conflict_message(getattr(written, "file", ""), conflict), err=True)


@click.command(short_help="Set up a vault: vaultcrm.yaml and the people and daily folders.")
@click.argument("path", required=False, type=click.Path(file_okay=False, path_type=Path))
@vault_option
@click.option(
    "--git",
    "use_git",
    is_flag=True,
    help="Also make git merge the generated note (and the ics: calendar) with vaultcrm's "
    "merge driver: .gitattributes lines and this repository's merge.vaultcrm.driver.",
)
@handle_errors
def init(path: Path | None, vault: Path | None, use_git: bool) -> None:
    """Set up a vault in PATH (default: --vault, else the current folder).

    Writes vaultcrm.yaml with every option commented out at its default, and creates the
    people and daily-note folders. A vault that already keeps people (a people/ or
    contacts/ folder), daily notes (journal/YYYY/MM/YYYY-MM-DD.md) or meeting notes has
    them adopted in vaultcrm.yaml instead, and says what it found. Never overwrites: run
    it again and it keeps what is there.

    With --git (the vault must be inside a git work tree; an existing vault is fine), two
    devices that sync on different days no longer conflict in "Reflections due.md": git
    merges it with vaultcrm (every tick kept once). Run it again in each clone, and after
    moving or reinstalling vaultcrm (git runs this very Python).

    \b
    Examples:
      vaultcrm init ~/Notes
      vaultcrm init            # the current folder
      vaultcrm init --git      # a vault in git, synced from several devices
    """
    from vaultcrm.app.write import init_vault

    root = (path or vault or Path.cwd()).expanduser()
    if use_git:  # before anything is created
        from vaultcrm.app.gitsetup import require_work_tree

        require_work_tree(root)
    for step in init_vault(root):
        verb = "Found" if step.found else "Created" if step.created else "Kept"
        note = f" ({step.note})" if step.note else ""
        click.echo(f"{verb} {step.path}{note}")
    if use_git:
        from vaultcrm.app.gitsetup import init_git

        for git_step in init_git(root):
            click.echo(git_step.text)


@click.command(
    "merge-driver",
    hidden=True,
    short_help="Merge two versions of vaultcrm's note or calendar, for git.",
)
@click.argument("base", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.argument("ours", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.argument("theirs", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.argument("name", required=False, default="")
@handle_errors
def merge_driver(base: Path, ours: Path, theirs: Path, name: str) -> None:
    """Merge THEIRS into OURS given their ancestor BASE (git's %O %A %B; NAME is %P, the
    file's path, for messages). `vaultcrm init --git` sets git up to run it as
    merge.vaultcrm.driver; you never need to run it yourself.

    The note: the text of the later day, every box ticked on either side ticked once
    (the next sync records them), never conflict markers. The calendar: ours, rewritten
    by the next sync. Exit 0 when merged; 1 when the files are not vaultcrm's, so git's
    own merge runs instead.

    \b
    Examples:
      git config merge.vaultcrm.driver "$(which python) -m vaultcrm merge-driver %O %A %B %P"
    """
    from vaultcrm.app.gitsetup import merge_driver as run_driver

    click.get_current_context().exit(0 if run_driver(base, ours, theirs) else 1)


@click.command(short_help="Create a person note, People/NAME.md.")
@vault_option
@click.argument("name")
@click.option(
    "--circle",
    metavar="CIRCLE",
    help="A circle from vaultcrm.yaml, e.g. close.",
    shell_complete=complete_circle,
)
@click.option("--birthday", metavar="DATE", help="YYYY-MM-DD, or --MM-DD when the year is unknown.")
@click.option(
    "--alias", "aliases", multiple=True, metavar="ALIAS", help="Another name; repeatable."
)
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="A tag; repeatable.")
@click.option(
    "--force",
    is_flag=True,
    help="Add NAME even when it is the start of someone's name or alias.",
)
@handle_errors
def add(
    vault: Path | None,
    name: str,
    circle: str | None,
    birthday: str | None,
    aliases: tuple[str, ...],
    tags: tuple[str, ...],
    force: bool,
) -> None:
    """Create a person note, People/NAME.md, with only the keys you give.

    Refuses a NAME that is unsafe as a file name (/ \\ : # ^ [ ] | and the like, a leading
    dot, Windows device names such as CON) or that is already someone's name or alias.
    A NAME that is the start of someone's name or alias (`Sophie` while `Sophie B`
    exists) would take over every command that meant them: on a terminal you are asked,
    otherwise it is refused unless --force.

    \b
    Examples:
      vaultcrm add "Alice Nakamura" --circle close --birthday 1991-03-02
      vaultcrm add "Sam Reyes" --alias Sammy --tag band --birthday --07-14
    """
    import sys

    from vaultcrm.app.write import add_person
    from vaultcrm.errors import NameShadows

    options = {"circle": circle, "birthday": birthday, "aliases": aliases, "tags": tags}
    with read_session(vault) as session:
        try:
            written = add_person(session, name, force=force, **options)  # type: ignore[arg-type]
        except NameShadows as exc:
            if not (is_terminal(sys.stdin) and is_terminal(sys.stdout)):
                raise
            click.echo(f"Warning: {exc}", err=True)
            if not click.confirm(f"Add {name!r} anyway?", default=False, err=True):
                raise click.exceptions.Exit(1) from None
            written = add_person(session, name, force=True, **options)  # type: ignore[arg-type]
    click.echo(f"Created {written.file}")


_FLAG_HELP = {
    "shared": "You opened up (adds the #shared tag).",
    "heard": "They opened up (#heard).",
    "deep": "A truly open exchange (#deep).",
    "win": "A success of theirs to celebrate (#win).",
}


def _flag_options(f):  # type: ignore[no-untyped-def]
    for flag in reversed(list(_FLAG_HELP)):
        f = click.option(f"--{flag}", flag, is_flag=True, help=_FLAG_HELP[flag])(f)
    return f


@click.command(short_help="Log an interaction in the person's note (or a daily note).")
@vault_option
@click.argument("person", shell_complete=complete_person)
@click.argument("text", nargs=-1, required=True)
@_flag_options
@click.option(
    "--date",
    "date_text",
    metavar="DATE",
    default=None,
    help="The day it happened: YYYY-MM-DD, or yesterday, last friday, 20 Dec, 3 days ago "
    "(default: today).",
)
@today_option
@click.option("--daily", is_flag=True, help="Write it in that day's daily note instead.")
@handle_errors
def log(
    vault: Path | None,
    person: str,
    text: tuple[str, ...],
    shared: bool,
    heard: bool,
    deep: bool,
    win: bool,
    date_text: str | None,
    today: dt.date | None,
    daily: bool,
) -> None:
    """Log an interaction: `- DATE TEXT #tags` in the person's note.

    PERSON is a name, an alias, or the start of one. The line goes after the note's last
    dated log line. With --daily it goes to that day's daily note as `- [[Person]] TEXT`.
    A --date in words is counted from today (or --today) and echoed back; a day or month
    name alone means the last one (`friday`: the last Friday before today).

    \b
    Examples:
      vaultcrm log Ben "Coffee; his dad is settling into the new routine" --heard
      vaultcrm log "Alice Nakamura" Called about the marathon --date 2026-11-20
      vaultcrm log aiko Ramen after work --date "last friday" --shared
      vaultcrm log tom Pub quiz, we came second --daily
    """
    from vaultcrm.app.write import log_interaction

    chosen = {"shared": shared, "heard": heard, "deep": deep, "win": win}
    flags = [flag for flag, on in chosen.items() if on]
    base = resolve_today(today)
    day = base if date_text is None else _date(date_text, base, "past", "--date")
    with read_session(vault, base) as session:
        written = log_interaction(
            session, person, " ".join(text), day=day, flags=flags, daily=daily
        )
    created = " (created)" if written.created else ""
    echo_wrapped(written.line, head=f"Logged in {written.file}{created}: ", hang=2)
    _say_conflict(written)
    if date_text is not None:
        _echo_date(date_text, day)


def _date(text: str, today: dt.date, prefer: Prefer, what: str) -> dt.date:
    """A date as people say it, counted from `today`; a bad one is exit 2, one line."""
    from vaultcrm.dates import parse_date

    from . import DataError

    try:
        return parse_date(text, today, prefer)
    except ValueError as err:
        raise DataError(f"{what}: {err}") from None


def _echo_date(text: str, day: dt.date) -> None:
    """A date given in words is said back as understood, so a surprise shows at once."""
    from vaultcrm.dates import is_spoken
    from vaultcrm.words import long_day

    if is_spoken(text):
        click.echo(f"Read “{' '.join(text.split())}” as {long_day(day)}.")


@click.command(short_help="Add a follow-up task to the person's note.")
@vault_option
@today_option
@click.argument("person", shell_complete=complete_person)
@click.argument("day", metavar="DATE")
@click.argument("text", nargs=-1, required=True)
@handle_errors
def remind(
    vault: Path | None, today: dt.date | None, person: str, day: str, text: tuple[str, ...]
) -> None:
    """Add a follow-up: `- [ ] DATE TEXT` at the end of the person's note.

    It shows in "Reflections due" from `horizon` days before DATE until it is ticked.
    DATE is YYYY-MM-DD or words counted from today (or --today), quoted or not:
    `next tuesday`, `in 2 weeks`, `20 Dec`; a day or month name alone means the next
    one. A date in words is echoed back as understood.

    \b
    Examples:
      vaultcrm remind Ben 2026-12-01 Ask how his dad's first week went
      vaultcrm remind Ben next tuesday Send the article
      vaultcrm remind aiko "in 2 weeks" Ask about the new job
    """
    from vaultcrm.app.write import add_reminder

    base = resolve_today(today)
    date_text, words = _split_date(day, text, base)
    when = _date(date_text, base, "future", "DATE")
    with read_session(vault, base) as session:
        written = add_reminder(session, person, when, " ".join(words))
    echo_wrapped(written.line, head=f"Added to {written.file}: ", hang=2)
    _say_conflict(written)
    _echo_date(date_text, when)
    if when < base:
        echo_wrapped(f"Note: {when.isoformat()} is already past, so it shows as overdue.", hang=2)


def _split_date(day: str, text: tuple[str, ...], today: dt.date) -> tuple[str, list[str]]:
    """DATE and TEXT of `remind`: DATE as given when it reads as a date on its own (quoted
    or ISO), else the longest run of words at the start that does (`next tuesday send
    the article`); failing both, DATE as given (its error says why)."""
    from vaultcrm.dates import date_at_start, parse_date

    with contextlib.suppress(ValueError):
        parse_date(day, today, "future")
        return day, list(text)
    words = [*day.split(), *text]
    found = date_at_start(words, today, "future", leave=1)
    if found is None:
        return day, list(text)
    return " ".join(words[: found[1]]), words[found[1] :]


@click.command("set", short_help="Set or remove one frontmatter key in a person's note.")
@vault_option
@click.argument("person", shell_complete=complete_person)
@click.argument("key", required=False)
@click.argument("value", required=False)
@click.option("--unset", "unset_key", metavar="KEY", help="Remove KEY instead.")
@handle_errors
def set_(
    vault: Path | None, person: str, key: str | None, value: str | None, unset_key: str | None
) -> None:
    """Set a frontmatter KEY to VALUE in a person's note (or remove one with --unset KEY).

    VALUE is read as YAML: text, a number, a date, or a list `[a, b]`. Known keys are
    checked (circle, cadence, birthday, ...). Every other line of the note stays
    byte-for-byte the same.

    \b
    Examples:
      vaultcrm set "Sam Reyes" circle close
      vaultcrm set Ben likes "[Arsenal, long runs]"
      vaultcrm set Tom --unset snooze_until
    """
    from vaultcrm.app.write import set_field, unset_field

    if unset_key is not None:
        if key is not None:
            raise click.UsageError("give either KEY VALUE or --unset KEY, not both")
        with read_session(vault) as session:
            written = unset_field(session, person, unset_key)
        _say_conflict(written)
        if written.changed:
            click.echo(f"Removed {written.line} from {written.file}")
        else:
            click.echo(f"{written.file} has no {written.line}; nothing to remove")
        return
    if key is None or value is None:
        raise click.UsageError("give KEY and VALUE (or --unset KEY)")
    with read_session(vault) as session:
        written = set_field(session, person, key, value)
    _say_conflict(written)
    if written.changed:
        click.echo(f"Set {written.line} in {written.file}")
    else:
        click.echo(f"{written.file} already has {written.line}")


COMMANDS = [init, add, log, remind, set_, merge_driver]
