"""Tables on a terminal (rich), for `due` and `people`.

rich is slow to import, so it is imported inside the functions that draw, and only
when `use_tables()` says a person is looking: `log`, a no-change `sync` and anything
piped never load it.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vaultcrm.model import Reflection
    from vaultcrm.reflect.people_list import PersonRow

__all__ = [
    "PEOPLE_HEADERS",
    "kind_label",
    "people_cells",
    "use_tables",
    "due_table",
    "people_table",
]


def kind_label(kind: str) -> str:
    """A kind in a word or two ('Reach out', 'Follow-up'), from words.py."""
    from vaultcrm.words import KIND_WORDS

    words = KIND_WORDS.get(kind)
    return kind.replace("_", " ") if words is None else words.label


def use_tables() -> bool:
    """Tables when standard output is a terminal (or FORCE_COLOR asks for colour anyway),
    never under NO_COLOR (no-color.org) or on a dumb terminal: then plain text."""
    from .terminal import plain

    if plain():
        return False
    return sys.stdout.isatty() or bool(os.environ.get("FORCE_COLOR"))


def due_table(reflections: Sequence[Reflection]) -> None:
    """One table, a section per kind, most urgent first."""
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False)
    table.add_column("Kind", style="bold", no_wrap=True)
    table.add_column("Person", style="cyan", no_wrap=True)
    table.add_column("Why")
    kind = None
    for r in reflections:
        title = ""
        if r.kind != kind:
            if kind is not None:
                table.add_section()
            kind = r.kind
            title = kind_label(r.kind)
        # Text, not markup: a reason may hold [[links]] that rich would read as tags
        table.add_row(Text(title), Text(r.person), Text(r.reason))
    Console().print(table)


def people_cells(row: PersonRow, today: dt.date) -> list[str]:
    """name, circle, last contact, days since, cadence, rhythm (the usual gap between
    contacts), due: the same cells everywhere (the date in the one style of every
    reason)."""
    from vaultcrm.words import human_day

    return [
        row.name,
        row.circle or "-",
        human_day(row.last_contact, today) if row.last_contact else "never",
        "-" if row.days_since is None else str(row.days_since),
        "never" if row.never else f"{row.cadence_days} days",
        "-" if row.rhythm_days is None else f"{row.rhythm_days} days",
        ", ".join([*(kind_label(k).lower() for k in row.due), *_open(row.open_tasks)]) or "-",
    ]


def _open(count: int) -> list[str]:
    """The undated open tasks, in the Due column: open with them, due on no day."""
    return [f"{count} open"] if count else []


PEOPLE_HEADERS = ["Person", "Circle", "Last contact", "Days", "Cadence", "Rhythm", "Due"]


def people_table(rows: Sequence[PersonRow], today: dt.date) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False)
    for header in PEOPLE_HEADERS:
        numeric = header == "Days"
        table.add_column(
            header,
            justify="right" if numeric else "left",
            style="cyan" if header == "Person" else None,
            no_wrap=header != "Due",
        )
    for row in rows:
        cells = people_cells(row, today)
        overdue = row.overdue_days is None or row.overdue_days >= 0
        style = "yellow" if row.due and overdue else None
        table.add_row(*(Text(c) for c in cells), style=style)
    Console().print(table)
