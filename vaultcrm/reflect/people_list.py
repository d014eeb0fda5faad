"""One row per person for `vaultcrm people`: filtered and sorted, as values.

Pure: a `Vault` snapshot, its reflections for `today` and the config in, rows out. What is
"due" for someone is exactly what `due` reports for them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from vaultcrm.config import Config
from vaultcrm.model import Reflection, Vault
from vaultcrm.reflect.kinds import KIND
from vaultcrm.reflect.rhythm import rhythm
from vaultcrm.reflect.rules import cadence_days, until

Sort = Literal["name", "last", "overdue"]


@dataclass(frozen=True)
class PersonRow:
    name: str
    file: str
    circle: str | None
    tags: tuple[str, ...]
    last_contact: dt.date | None
    days_since: int | None
    cadence_days: int
    due: tuple[str, ...]  # kinds due now, in report order
    rhythm_days: int | None = None  # the usual gap between contacts (`reflect.rhythm`)
    #: their open tasks without a date: open with them, due on no day
    open_tasks: int = 0
    #: kept for reference (`cadence: never`): never nudged, whatever `cadence_days` says
    never: bool = False

    @property
    def overdue_days(self) -> int | None:
        """Days past the cadence (negative: days left); None when never contacted, or
        never to be nudged."""
        if self.days_since is None or self.never:
            return None
        return self.days_since - self.cadence_days

    def to_json(self) -> dict[str, Any]:
        return {
            "person": self.name,
            "file": self.file,
            "circle": self.circle,
            "tags": list(self.tags),
            "last_contact": None if self.last_contact is None else self.last_contact.isoformat(),
            "days_since": self.days_since,
            "cadence_days": self.cadence_days,
            "overdue_days": self.overdue_days,
            "due": list(self.due),
            "rhythm_days": self.rhythm_days,
            "open_tasks": self.open_tasks,
            "never": self.never,
        }


def people_rows(
    vault: Vault, reflections: Iterable[Reflection], today: dt.date, config: Config
) -> list[PersonRow]:
    """Everyone in the vault, in name order."""
    due: dict[str, list[str]] = {}
    for r in reflections:
        kinds = due.setdefault(r.person, [])
        if r.kind not in kinds:
            kinds.append(r.kind)
    rows = []
    for name, person in vault.people.items():
        past = until(vault.interactions.get(name, ()), today)
        last = past[-1].date if past else None
        kinds = sorted(due.get(name, ()), key=KIND.rank)
        usual = rhythm(past)
        rows.append(
            PersonRow(
                name,
                person.file,
                person.circle,
                person.tags,
                last,
                None if last is None else (today - last).days,
                cadence_days(person, config),
                tuple(kinds),
                None if usual is None else usual.days,
                len(person.open_tasks),
                person.never,
            )
        )
    return rows


def choose(
    rows: Sequence[PersonRow],
    *,
    circle: str | None = None,
    tag: str | None = None,
    due_only: bool = False,
    sort: Sort = "name",
) -> list[PersonRow]:
    """Rows in `circle` (any case), with `tag` (with or without `#`), due now; sorted by
    name, by last contact (longest ago first, never first of all) or by how overdue."""
    wanted_circle = circle.casefold() if circle else None
    wanted_tag = tag.lstrip("#").casefold() if tag else None
    kept = [
        row
        for row in rows
        if (wanted_circle is None or (row.circle or "").casefold() == wanted_circle)
        and (wanted_tag is None or wanted_tag in (t.casefold() for t in row.tags))
        and (not due_only or row.due)
    ]
    by_name = sorted(kept, key=lambda r: (r.name.casefold(), r.name))
    if sort == "last":
        return sorted(by_name, key=lambda r: (r.last_contact is not None, r.last_contact))
    if sort == "overdue":
        return sorted(by_name, key=lambda r: (r.overdue_days is not None, -(r.overdue_days or 0)))
    return by_name
