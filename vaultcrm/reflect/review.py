"""A look at your circles as a whole, pure: `vaultcrm review`, meant once a quarter.

Per circle: how many people, how many you were in touch with in the last 3 and 12
months, the median days since contact. Beside them, Dunbar's layers (about 5, 15, 50
and 150 people, each holding the one before; Roberts & Dunbar 2015): each circle sits in
the layer whose usual contact its cadence matches, so you can see a "close" circle of 40.
And the people whose actual contact does not fit their circle, with the `vaultcrm set`
line that would move them one circle out (or in). It reads; it never writes.
"""

from __future__ import annotations

import datetime as dt
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from vaultcrm.config import Config
from vaultcrm.model import Interaction, Person, Vault
from vaultcrm.reflect.rules import until
from vaultcrm.words import REVIEW, count_contacts, count_months

#: Dunbar's layers: (people, the longest cadence of a circle that sits in it).
LAYERS: tuple[tuple[int, int], ...] = ((5, 7), (15, 30), (50, 90), (150, 365))
#: "Recently" and "this year", in days.
RECENT_DAYS = 90
YEAR_DAYS = 365
#: Someone first in touch more recently than this is too new to judge against a circle.
NEW_DAYS = 90
#: Contact this many times under (or over) what the circle's cadence expects is a misfit.
MISFIT_FACTOR = 3


@dataclass(frozen=True)
class CircleRow:
    circle: str | None  # None: people in no circle
    cadence_days: int
    people: int
    last_3_months: int  # of them, in touch within the last 90 days
    last_12_months: int  # within the last 365 days
    never: int  # with no contact logged at all
    median_days_since: int | None  # over those ever in touch
    layer: int | None  # the Dunbar layer its cadence sits in (5, 15, 50, 150)

    def to_json(self) -> dict[str, Any]:
        return {
            "circle": self.circle,
            "cadence_days": self.cadence_days,
            "people": self.people,
            "last_3_months": self.last_3_months,
            "last_12_months": self.last_12_months,
            "never": self.never,
            "median_days_since": self.median_days_since,
            "layer": self.layer,
        }


@dataclass(frozen=True)
class Layer:
    """One of Dunbar's layers: its size, the circles in it and every closer one, and how
    many people they hold together."""

    size: int
    every_days: int
    circles: tuple[str, ...]
    people: int

    def to_json(self) -> dict[str, Any]:
        return {"size": self.size, "every_days": self.every_days,
                "circles": list(self.circles), "people": self.people}  # fmt: skip


@dataclass(frozen=True)
class Misfit:
    """Someone whose contact does not fit their circle, and the circle next to it that
    fits better."""

    person: str
    file: str
    circle: str
    contacts: int  # days in touch within the window
    months: int  # the window: the last 12 months, or since the first contact
    suggested: str

    @property
    def command(self) -> str:
        return f"vaultcrm set {shlex.quote(self.person)} circle {shlex.quote(self.suggested)}"

    @property
    def sentence(self) -> str:
        return REVIEW["misfit"].format(
            name=self.person,
            circle=self.circle,
            contacts=count_contacts(self.contacts),
            months=count_months(self.months),
            suggested=self.suggested,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "person": self.person,
            "file": self.file,
            "circle": self.circle,
            "contacts": self.contacts,
            "months": self.months,
            "suggested": self.suggested,
            "sentence": self.sentence,
            "command": self.command,
        }


@dataclass(frozen=True)
class Review:
    today: dt.date
    circles: tuple[CircleRow, ...]
    layers: tuple[Layer, ...]
    misfits: tuple[Misfit, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "today": self.today.isoformat(),
            "circles": [c.to_json() for c in self.circles],
            "layers": [layer.to_json() for layer in self.layers],
            "misfits": [m.to_json() for m in self.misfits],
        }


def layer_of(cadence: int) -> int | None:
    """The Dunbar layer a cadence sits in; None past a year."""
    return next((size for size, every in LAYERS if cadence <= every), None)


def make_review(vault: Vault, today: dt.date, config: Config) -> Review:
    """The review of every circle for `today`; contact after today is a plan, not contact."""
    configured = sorted(config.circles, key=lambda c: (config.circles[c], c))
    members: dict[str | None, list[Person]] = {c: [] for c in configured}
    for person in vault.people.values():
        members.setdefault(person.circle, []).append(person)
    others = sorted(c for c in members if c is not None and c not in config.circles)
    order: list[str | None] = [*configured, *others]
    if members.get(None):
        order.append(None)
    days = {name: _days(until(vault.interactions.get(name, ()), today)) for name in vault.people}
    rows = tuple(
        _row(circle, members.get(circle, []), days, today, config) for circle in order
    )
    return Review(today, rows, _layers(rows, configured), _misfits(vault, days, today, config))


def _days(past: Sequence[Interaction]) -> list[dt.date]:
    return sorted({i.date for i in past})


def _row(
    circle: str | None,
    people: list[Person],
    days: dict[str, list[dt.date]],
    today: dt.date,
    config: Config,
) -> CircleRow:
    since = sorted((today - days[p.name][-1]).days for p in people if days[p.name])
    cadence = config.circles.get(circle or "", config.default_cadence)
    return CircleRow(
        circle=circle,
        cadence_days=cadence,
        people=len(people),
        last_3_months=sum(1 for d in since if d <= RECENT_DAYS),
        last_12_months=sum(1 for d in since if d <= YEAR_DAYS),
        never=len(people) - len(since),
        median_days_since=_median(since),
        layer=layer_of(cadence) if circle in config.circles else None,
    )


def _median(values: list[int]) -> int | None:
    """The median of sorted whole numbers, a half rounded up; None when empty."""
    if not values:
        return None
    middle = len(values) // 2
    twice = values[middle] * 2 if len(values) % 2 else values[middle - 1] + values[middle]
    return (twice + 1) // 2


def _layers(rows: tuple[CircleRow, ...], configured: list[str]) -> tuple[Layer, ...]:
    out = []
    for size, every in LAYERS:
        inside = [r for r in rows if r.circle in configured and r.layer is not None
                  and r.layer <= size]  # fmt: skip
        out.append(
            Layer(size, every, tuple(str(r.circle) for r in inside), sum(r.people for r in inside))
        )
    return tuple(out)


def _misfits(
    vault: Vault, days: dict[str, list[dt.date]], today: dt.date, config: Config
) -> tuple[Misfit, ...]:
    """People in a configured circle, without a cadence of their own (which says you
    chose their rhythm), in touch for at least `NEW_DAYS`, whose days of contact in the
    last year (or since the first) are a third of what their circle's cadence expects,
    or three times it: each with the next circle out, or in."""
    ladder = sorted(config.circles, key=lambda c: (config.circles[c], c))
    found: list[Misfit] = []
    for person in vault.people.values():
        circle = person.circle
        mine = days[person.name]
        if circle is None or circle not in config.circles or person.cadence_days is not None:
            continue
        if not mine:
            continue
        window = min(YEAR_DAYS, (today - mine[0]).days)
        if window < NEW_DAYS:
            continue
        start = today - dt.timedelta(days=window)
        contacts = sum(1 for d in mine if d > start)
        expected = window / config.circles[circle]
        at = ladder.index(circle)
        if contacts * MISFIT_FACTOR <= expected and at + 1 < len(ladder):
            suggested = ladder[at + 1]
        elif contacts >= expected * MISFIT_FACTOR and at > 0:
            suggested = ladder[at - 1]
        else:
            continue
        months = 12 if window >= YEAR_DAYS else max(1, round(window / 30))
        found.append(Misfit(person.name, person.file, circle, contacts, months, suggested))
    return tuple(sorted(found, key=lambda m: (m.person.casefold(), m.person)))
