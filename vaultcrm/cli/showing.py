"""`brief` (alias `show`) and `people`: one person before you meet them, and everyone at once.

Text for people, `--json` for scripts. `people` draws a table on a terminal (rich,
imported only then); piped or under NO_COLOR it prints plain aligned columns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from vaultcrm.words import BRIEF, count_days, detag, human_day, inferred, relative_day

from . import (
    echo_cache_note,
    echo_diagnostics,
    echo_json,
    echo_problems,
    handle_errors,
    progress_bar,
)
from .completion import complete_circle, complete_person
from .options import (
    cache_option,
    json_option,
    read_session,
    resolve_today,
    today_option,
    vault_option,
)
from .tables import PEOPLE_HEADERS, kind_label, people_cells, use_tables
from .terminal import echo_wrapped

if TYPE_CHECKING:
    from vaultcrm.reflect.brief import Ahead, Brief, Moment
    from vaultcrm.reflect.people_list import PersonRow


def _when(day: dt.date, today: dt.date) -> str:
    """'Sun 15 Nov (8 days ago)': the date style of every reason, and how far it is."""
    return f"{human_day(day, today)} ({relative_day((day - today).days)})"


def _name(name: str) -> str:
    return click.style(name, bold=True, fg="cyan")


def _line(text: str, hang: int = 4) -> None:
    """An indented line of the brief, wrapped on a terminal with a deeper indent."""
    echo_wrapped(text, head="  ", hang=hang)


def _heading(title: str) -> None:
    click.echo()
    click.secho(title, bold=True)


def _dated(
    rows: Sequence[tuple[dt.date, str]], today: dt.date, empty: str, indent: str = "  "
) -> None:
    """`  Sun 15 Nov  text` per row, dates in one column, note text without its #tags;
    wrapped under the text on a terminal (piped: one line each, so grep and golden files
    see whole lines)."""
    if not rows:
        click.echo(f"{indent}{empty}")
        return
    days = [human_day(day, today) for day, _ in rows]
    width = max(len(d) for d in days)
    for day, (_, text) in zip(days, rows, strict=True):
        column = day.ljust(width)
        echo_wrapped(
            detag(text),
            head=f"{indent}{column}  ",
            styled=f"{indent}{click.style(column, fg='cyan')}  ",
            hang=width + len(indent) + 2,
        )


def _ahead_row(a: Ahead) -> tuple[dt.date, str]:
    """A birthday or yearly date ahead: `Birthday: turns 36 (in 6 days)`."""
    label = "Birthday" if a.label == "birthday" else a.label[:1].upper() + a.label[1:]
    if a.years is not None:
        label += f": turns {a.years}" if a.label == "birthday" else f": {a.years} years"
    return a.date, f"{label} ({relative_day(a.days_until)})"


def _moments(moments: Iterable[Moment | None], today: dt.date, empty: str) -> None:
    """Dated lines; one whose flags were read from its prose says so, with the words."""
    rows = [
        (m.date, f"{m.text} {inferred(m.inferred)}" if m.inferred else m.text)
        for m in moments
        if m is not None
    ]
    _dated(rows, today, empty)


def print_brief(b: Brief) -> None:
    """The brief as a person reads it: who, what is due, what to ask about, the ledger,
    what is coming, what to keep in mind, and the last few interactions."""
    p, today = b.person, b.today
    echo_wrapped(f"({p.file})", head=f"{p.name}  ", styled=_name(p.name) + "  ", hang=2)
    every = f"every {b.cadence_days} days"
    if p.never:
        cadence = f"{p.circle or 'none'}, {BRIEF['never_nudged']}"
    elif b.cadence_from == "circle":
        cadence = f"{p.circle}, {every}"
    else:
        circle = p.circle or "none"
        if p.circle and b.cadence_from == "default":
            circle += " (unknown circle)"
        cadence = f"{circle}, {'own' if b.cadence_from == 'person' else 'default'} cadence: {every}"
    _line(f"Circle: {cadence}")
    if b.last_contact is None or b.days_since is None:
        _line(f"Last contact: {BRIEF['never']}")
    else:
        overdue = 0 if p.never else b.days_since - b.cadence_days
        late = f"; {overdue} days past the cadence" if overdue > 0 else ""
        _line(f"Last contact: {_when(b.last_contact.date, today)}{late}")
    if b.rhythm is not None:
        _line(BRIEF["rhythm"].format(days=count_days(b.rhythm.days), contacts=b.rhythm.contacts))
    if p.aliases:
        _line(f"Also: {', '.join(p.aliases)}")
    if p.tags:
        _line(f"Tags: {', '.join('#' + t for t in p.tags)}")
    if p.snooze_until is not None and p.snooze_until >= today:
        _line(f"Snoozed until {p.snooze_until.isoformat()}")

    if b.due:
        _heading(BRIEF["due"])
        for r in b.due:
            title = kind_label(r.kind)
            styled = f"  {click.style(title, fg='yellow')}: "
            echo_wrapped(r.reason, head=f"  {title}: ", styled=styled, hang=4)
    _heading(BRIEF["heard"])
    _moments(b.heard, today, BRIEF["heard_none"])
    _heading(BRIEF["shared"])
    _moments([b.last_shared], today, BRIEF["shared_none"])
    _heading(BRIEF["ledger"])
    _line(b.ledger.sentence, hang=2)
    _heading(BRIEF["deep"])
    _moments([b.last_deep], today, BRIEF["deep_none"])
    if b.follow_ups:
        _heading(BRIEF["follow_ups"])
        rows = [(f.date, f"{f.text} ({relative_day((f.date - today).days)})") for f in b.follow_ups]
        _dated(rows, today, "")
    if p.open_tasks:
        _heading(BRIEF["open_tasks"])
        for task in p.open_tasks:
            _line(f"- [ ] {task}", hang=6)
    if b.ahead:
        _heading(BRIEF["ahead"])
        _dated([_ahead_row(a) for a in b.ahead], today, "")
    if b.around:
        _heading(BRIEF["around"])
        for near in b.around:
            a = near.around
            said = "" if a.declared else f" {BRIEF['from_their_note']}"
            _line(f"{a.name} ({a.role}){said}", hang=2)
            rows = [_ahead_row(x) for x in near.ahead]
            if near.mention is not None:
                mentioned = BRIEF["mentioned"].format(text=near.mention.text)
                rows.append((near.mention.date, mentioned))
            if rows:
                _dated(rows, today, "", indent="    ")
    if p.likes or p.boundaries:
        _heading(BRIEF["mind"])
        if p.likes:
            _line(f"Likes: {', '.join(p.likes)}")
        if p.boundaries:
            _line(f"Boundaries: {p.boundaries}")
    many = len(b.recent) > 1
    _heading(BRIEF["recent"].format(count=len(b.recent)) if many else BRIEF["recent_one"])
    _moments(b.recent, today, BRIEF["recent_none"])


@click.command(short_help="Everything to know about one person before you meet them.")
@click.argument("person", shell_complete=complete_person)
@vault_option
@today_option
@json_option
@cache_option
@handle_errors
def brief(
    person: str, vault: Path | None, today: dt.date | None, as_json: bool, no_cache: bool
) -> None:
    """Everything to know about one person before you meet them (alias: show).

    Who they are to you (circle, cadence, last contact), what they confided lately (your
    #heard lines: things to ask about), what you last shared, the ledger of who opened up
    and the move it suggests, the last truly open exchange (#deep), open follow-ups,
    birthday and dates ahead, likes, boundaries and the last five interactions.

    PERSON is a name, an alias, or the start of one, in any case.

    \b
    Examples:
      vaultcrm brief "Tom Gallagher"
      vaultcrm show tom --today 2026-11-23
      vaultcrm brief Ben --json | jq .ledger.move
    """
    from vaultcrm.app.showing import brief_of
    from vaultcrm.read.records import progress_to

    with (
        progress_to(progress_bar("Reading notes")),
        read_session(vault, today, no_cache=no_cache) as session,
    ):
        found = brief_of(session, person)
    echo_cache_note(found.stats)
    echo_problems(found.problems)
    if as_json:
        echo_json({**found.brief.to_json(), "problems": [p.to_json() for p in found.problems]})
    else:
        print_brief(found.brief)


@click.command(short_help="Everyone, one row each: circle, last contact, what is due.")
@vault_option
@today_option
@click.option(
    "--circle", metavar="CIRCLE", help="Only people in this circle.", shell_complete=complete_circle
)
@click.option("--tag", metavar="TAG", help="Only people with this tag (with or without #).")
@click.option("--due", "due_only", is_flag=True, help="Only people with something due now.")
@click.option(
    "--sort",
    type=click.Choice(["name", "last", "overdue"]),
    default="name",
    show_default=True,
    help="name; last: longest since last contact first; overdue: most overdue first.",
)
@json_option
@cache_option
@handle_errors
def people(
    vault: Path | None,
    today: dt.date | None,
    circle: str | None,
    tag: str | None,
    due_only: bool,
    sort: str,
    as_json: bool,
    no_cache: bool,
) -> None:
    """List everyone, one row per person: name, circle, last contact, days since,
    cadence and what is due now.

    "Due" holds the same kinds `vaultcrm due` reports for them. Problems in the vault
    are printed on stderr; the list shows everyone who could be read (exit 1 when a
    note has an error, as `due`).

    \b
    Examples:
      vaultcrm people
      vaultcrm people --circle close --sort overdue
      vaultcrm people --due --json | jq -r '.people[].person'
    """
    from vaultcrm.app.showing import snapshot
    from vaultcrm.read.records import progress_to
    from vaultcrm.reflect.people_list import choose, people_rows

    day = resolve_today(today)
    with (
        progress_to(progress_bar("Reading notes")),
        read_session(vault, day, no_cache=no_cache) as session,
    ):
        snap = snapshot(session)
    echo_diagnostics(snap, capped=True)  # a listing: the problems are `check`'s to detail
    rows = people_rows(snap.vault, snap.reflections, day, snap.config)
    if circle is not None:
        _check_circle(circle, {*snap.config.circles, *(r.circle for r in rows if r.circle)})
    chosen = choose(rows, circle=circle, tag=tag, due_only=due_only, sort=sort)  # type: ignore[arg-type]
    if as_json:
        echo_json(
            {
                "today": day.isoformat(),
                "people": [r.to_json() for r in chosen],
                "problems": [p.to_json() for p in snap.problems],
            }
        )
    elif not chosen:
        click.echo("Nobody matches." if rows else "No people yet: add one with `vaultcrm add`.")
    elif use_tables():
        from .tables import people_table

        people_table(chosen, day)
    else:
        _print_people(chosen, day)
    # as `due` does: 1 when the vault has an error (the list still shows who could be read)
    click.get_current_context().exit(1 if any(p.severity == "error" for p in snap.problems) else 0)


def _check_circle(circle: str, known: set[str]) -> None:
    """A circle nobody is in and the config does not know is a typo: say so (exit 2)."""
    import difflib

    from . import DataError

    if circle.casefold() in {k.casefold() for k in known}:
        return
    close = difflib.get_close_matches(circle.casefold(), sorted(known), n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise DataError(f"unknown circle {circle!r}{hint}; the circles are: {', '.join(sorted(known))}")


def _print_people(rows: list[PersonRow], today: dt.date) -> None:
    """Plain aligned columns: what a pipe, a file or NO_COLOR gets. On a terminal the
    last column (what is due) wraps under itself."""
    cells = [PEOPLE_HEADERS, *(people_cells(r, today) for r in rows)]
    widths = [max(len(c[i]) for c in cells) for i in range(len(PEOPLE_HEADERS) - 1)]
    for n, line in enumerate(cells):
        lead = "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=False)) + "  "
        if n == 0:
            click.secho((lead + line[-1]).rstrip(), bold=True)
        else:
            echo_wrapped(line[-1], head=lead)


COMMANDS = [brief, people]
