"""Which files are daily notes, and of which day: moment.js formats as Obsidian writes them.

Obsidian names daily notes with a moment.js format that may contain folders
(`YYYY/MM/YYYY-MM-DD`). A format is compiled once into a regex, so telling a daily note
from any other file costs one prefix test and one match per path.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from vaultcrm.words import MONTHS, WEEKDAYS

# Names in English, spelt out (words.py): strftime's %A/%B follow the locale, and
# Obsidian's default (moment's "en") does not. moment counts weekdays from Sunday.
_MONTHS = MONTHS
_WEEKDAYS = (WEEKDAYS[6], *WEEKDAYS[:6])

# Longest token first, so `YYYY` is never read as two `YY`.
_TOKEN = re.compile(r"\[[^\]]*\]|YYYY|YY|MMMM|MMM|MM|M|Do|DD|D|dddd|ddd|dd|d")


def _alternatives(names: list[str]) -> str:
    return "(" + "|".join(names) + ")"


def _ordinal(day: int) -> str:
    if 10 <= day % 100 <= 20:
        return f"{day}th"
    return f"{day}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(day % 10, 'th') }"


def _two_digit_year(yy: str) -> int:
    """moment.js's rule for `YY`: 69-99 are the 1900s, 00-68 the 2000s."""
    n = int(yy)
    return n + (1900 if n > 68 else 2000)


def _name_index(names: list[str], first: int) -> Callable[[str], int]:
    """Read a name case-insensitively as its position in `names`, counting from `first`."""
    lookup = {name.lower(): i for i, name in enumerate(names, first)}
    return lambda text: lookup[text.lower()]


_MONTH_LONG = list(_MONTHS)
_MONTH_SHORT = [m[:3] for m in _MONTHS]
_DAY_LONG = list(_WEEKDAYS)
_DAY_SHORT = [d[:3] for d in _WEEKDAYS]
_DAY_MIN = [d[:2] for d in _WEEKDAYS]

# token → (regex, field, text → value, date → text)
_Spec = tuple[str, str, Callable[[str], int], Callable[[dt.date], str]]
_SPECS: dict[str, _Spec] = {
    "YYYY": (r"(\d{4})", "year", int, lambda d: f"{d.year:04d}"),
    "YY": (r"(\d{2})", "year", _two_digit_year, lambda d: f"{d.year % 100:02d}"),
    "MMMM": (_alternatives(_MONTH_LONG), "month", _name_index(_MONTH_LONG, 1),
             lambda d: _MONTH_LONG[d.month - 1]),
    "MMM": (_alternatives(_MONTH_SHORT), "month", _name_index(_MONTH_SHORT, 1),
            lambda d: _MONTH_SHORT[d.month - 1]),
    "MM": (r"(\d{2})", "month", int, lambda d: f"{d.month:02d}"),
    "M": (r"(\d{1,2})", "month", int, lambda d: str(d.month)),
    "DD": (r"(\d{2})", "day", int, lambda d: f"{d.day:02d}"),
    "D": (r"(\d{1,2})", "day", int, lambda d: str(d.day)),
    "Do": (r"(\d{1,2})(?:st|nd|rd|th)", "day", int, lambda d: _ordinal(d.day)),
    "dddd": (_alternatives(_DAY_LONG), "weekday", _name_index(_DAY_LONG, 0),
             lambda d: _DAY_LONG[(d.weekday() + 1) % 7]),
    "ddd": (_alternatives(_DAY_SHORT), "weekday", _name_index(_DAY_SHORT, 0),
            lambda d: _DAY_SHORT[(d.weekday() + 1) % 7]),
    "dd": (_alternatives(_DAY_MIN), "weekday", _name_index(_DAY_MIN, 0),
           lambda d: _DAY_MIN[(d.weekday() + 1) % 7]),
    "d": (r"([0-6])", "weekday", int, lambda d: str((d.weekday() + 1) % 7)),
}  # fmt: skip


@dataclass(frozen=True)
class _Format:
    """One moment.js format compiled both ways: a regex to read names, pieces to write them."""

    regex: re.Pattern[str]
    #: (field, converter) per regex group, in group order
    groups: tuple[tuple[str, Callable[[str], int]], ...]
    #: literal text or a writer for a token, in format order
    pieces: tuple[str | Callable[[dt.date], str], ...]

    @property
    def complete(self) -> bool:
        """Whether a name in this format pins a day (it has a year, a month and a day)."""
        return {"year", "month", "day"} <= {name for name, _ in self.groups}

    def read(self, text: str) -> dt.date | None:
        match = self.regex.fullmatch(text)
        if match is None:
            return None
        values: dict[str, int] = {}
        for (name, convert), raw in zip(self.groups, match.groups(), strict=True):
            value = convert(raw)
            if values.setdefault(name, value) != value:
                return None  # `YYYY/YYYY-MM-DD` naming two different years
        try:
            day = dt.date(values["year"], values["month"], values["day"])
        except (KeyError, ValueError):
            return None
        weekday = values.get("weekday")
        if weekday is not None and weekday != (day.weekday() + 1) % 7:
            return None
        return day

    def write(self, day: dt.date) -> str:
        return "".join(p if isinstance(p, str) else p(day) for p in self.pieces)


def _compile(fmt: str) -> _Format:
    regex: list[str] = []
    groups: list[tuple[str, Callable[[str], int]]] = []
    pieces: list[str | Callable[[dt.date], str]] = []
    pos = 0
    for token in _TOKEN.finditer(fmt):
        literal = fmt[pos : token.start()]
        text = token.group()
        if text.startswith("["):
            literal += text[1:-1]
        regex.append(re.escape(literal))
        pieces.append(literal)
        if not text.startswith("["):
            pattern, field, convert, writer = _SPECS[text]
            regex.append(pattern)
            groups.append((field, convert))
            pieces.append(writer)
        pos = token.end()
    regex.append(re.escape(fmt[pos:]))
    pieces.append(fmt[pos:])
    compiled = re.compile("".join(regex), re.IGNORECASE)
    return _Format(compiled, tuple(groups), tuple(p for p in pieces if p != ""))


_ISO = _compile("YYYY-MM-DD")
_DATE_LIKE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def impossible_date_name(rel_path: str) -> str | None:
    """Why a note named like a date that cannot exist (`2026-02-30.md`) is not a daily
    note, else None: its links would otherwise silently count for nobody."""
    stem = rel_path.rsplit("/", 1)[-1].removesuffix(".md")
    match = _DATE_LIKE.fullmatch(stem)
    if match is None:
        return None
    try:
        dt.date(*(int(g) for g in match.groups()))
    except ValueError:
        return f"{stem} is not a possible date, so this is not read as a daily note"
    return None


class DailyNotes:
    """Daily notes under `folder`, named by the moment.js format `fmt`.

    A note matches when its path below the folder matches the whole format, or (as
    Obsidian's calendar does) when its file name matches the format's last segment, at
    any depth below the folder. When `explicit` is False (no format was configured
    anywhere) any file below the folder whose name is an ISO date is a daily note too.
    """

    def __init__(self, folder: str, fmt: str, explicit: bool) -> None:
        self.folder = folder.strip("/")
        self.fmt = fmt
        self.explicit = explicit
        self._prefix = self.folder + "/" if self.folder else ""
        self._full = _compile(fmt)
        name_format = _compile(fmt.rsplit("/", 1)[-1])
        names = [name_format] if name_format.complete else []
        if not explicit and fmt != "YYYY-MM-DD":
            names.append(_ISO)
        self._names = tuple(names)

    def date_of(self, rel_path: str) -> dt.date | None:
        """The day of the daily note at vault-relative `rel_path` (with `.md`), else None."""
        if not rel_path.startswith(self._prefix) or not rel_path.endswith(".md"):
            return None
        inner = rel_path[len(self._prefix) : -3]
        day = self._full.read(inner)
        if day is not None:
            return day
        name = inner.rsplit("/", 1)[-1]
        for fmt in self._names:
            day = fmt.read(name)
            if day is not None:
                return day
        return None

    def path_for(self, day: dt.date) -> str:
        """Where Obsidian would create the daily note for `day` (vault-relative, with `.md`)."""
        return f"{self._prefix}{self._full.write(day)}.md"

    def __repr__(self) -> str:
        return f"DailyNotes({self.folder!r}, {self.fmt!r}, explicit={self.explicit})"
