"""Durations as people write them ("3 weeks", "10d", 45) → whole days.

One reader for cadences in person notes and every duration in `vaultcrm.yaml`, so both
accept exactly the same forms and fail with the same message.
"""

from __future__ import annotations

import re

#: Days per unit; a month is 30 days and a year 365 (docs/format.md), good enough for cadences.
_UNIT_DAYS = {"d": 1, "w": 7, "m": 30, "y": 365}
_UNITS = {
    "d": "d", "day": "d", "days": "d",
    "w": "w", "week": "w", "weeks": "w",
    "m": "m", "month": "m", "months": "m",
    "y": "y", "year": "y", "years": "y",
}  # fmt: skip
_DURATION = re.compile(r"(?:every[ \t]+)?([0-9]{1,12})[ \t]*([a-z]*)")
#: Cadences as words, as CRM templates write them (`frequency: quarterly`).
_WORDS = {
    "daily": 1, "weekly": 7, "fortnightly": 14, "biweekly": 14, "monthly": 30,
    "bimonthly": 60, "quarterly": 90, "semiannually": 182, "biannually": 182,
    "yearly": 365, "annually": 365,
}  # fmt: skip
#: `every week`, `every month`: one of the unit.
_EVERY_ONE = re.compile(r"every[ \t]+([a-z]+)")

#: Longer than any cadence means anything, and keeps `today ± duration` far from date.max.
MAX_DAYS = 100 * 365
_HINT = 'use e.g. "3 weeks", "10d" or a number of days'


def parse_duration(value: object) -> int:
    """Return `value` in days, or raise ValueError with a message fit to show the user.

    Accepts `N days|weeks|months|years` (singular too, any case, optional space),
    `Nd`/`Nw`/`Nm`/`Ny`, `every N weeks` (or `every week`), the words daily, weekly,
    fortnightly, biweekly, monthly, bimonthly, quarterly, semiannually, biannually,
    yearly and annually, an int of days or a numeric string. A YAML `true` is not a number.
    """
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"bad duration {value!r}: {_HINT}")
    if isinstance(value, int):
        days = value
    else:
        text = " ".join(value.lower().split())
        word = _WORDS.get(text.replace("-", "").replace(" ", ""))
        every = _EVERY_ONE.fullmatch(text)
        match = _DURATION.fullmatch(text)
        unit = _UNITS.get(match.group(2) or "d") if match else None
        if word is not None:
            days = word
        elif every is not None and every.group(1) in _UNITS:
            days = _UNIT_DAYS[_UNITS[every.group(1)]]
        elif match is None or unit is None:
            raise ValueError(f"bad duration {value!r}: {_HINT}")
        else:
            days = int(match.group(1)) * _UNIT_DAYS[unit]
    if days < 1:
        raise ValueError(f"bad duration {value!r}: must be at least 1 day")
    if days > MAX_DAYS:
        raise ValueError(f"bad duration {value!r}: must be at most 100 years")
    return days
