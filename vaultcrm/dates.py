"""Dates as people say them: `yesterday`, `last friday`, `next tuesday`, `in 2 weeks`, `20 Dec`.

ISO dates (`2026-11-20`) are read here directly; `today`, `yesterday` and `tomorrow` too.
Anything else goes to dateparser, imported only then (its import and language data cost
more than a whole `vaultcrm log`). The meaning is pinned relative to a `today`
(docs/dates.md, tests/test_dates.py):

- `last friday`: the most recent Friday before today; `next tuesday`: the first Tuesday
  after today (on a Monday, `next tuesday` is tomorrow and `next monday` a week ahead);
- a bare day or month name (`friday`, `20 Dec`) is taken in the past for something that
  happened (`log`, an inbox line) and in the future for a reminder (`remind`);
- `in 2 weeks`, `3 days ago`, `next week` count from today.

Refused, because they would be guesses: numbers alone (`12/11` is 12 Nov or 11 Dec), a
month or year alone (`May`, `2026`). Each error says what to write instead.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Sequence
from typing import Any, Literal

Prefer = Literal["past", "future"]

_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
_PLAIN = {"today": 0, "yesterday": -1, "tomorrow": 1}
#: Words a spoken date can start with; a phrase starting otherwise is not tried (so a
#: name or a sentence never loads dateparser).
_STARTS = frozenset(
    {
        *("last", "next", "this", "on", "in", "a", "an", "the", "ago"),
        *("yesterday", "today", "tomorrow"),
        *("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
        *("mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun"),
        *("january", "february", "march", "april", "may", "june", "july"),
        *("august", "september", "october", "november", "december"),
        *("jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"),
    }
)
_NUMBERS_ONLY = re.compile(r"[\d\s./-]+")
#: Longest phrase tried as a date at the start of some words (`a week from today`).
MAX_WORDS = 4

HINT = "write YYYY-MM-DD, or words such as yesterday, last friday, next tuesday, in 2 weeks, 20 Dec"


def parse_date(text: str, today: dt.date, prefer: Prefer = "past") -> dt.date:
    """The date `text` names, relative to `today`; ValueError saying why not."""
    phrase = " ".join(text.split())
    if _ISO.fullmatch(phrase):
        try:
            return dt.date.fromisoformat(phrase)
        except ValueError:
            raise ValueError(f"{text!r} is not a date (there is no such day)") from None
    lowered = phrase.lower()
    if lowered in _PLAIN:
        return today + dt.timedelta(days=_PLAIN[lowered])
    if not phrase:
        raise ValueError(f"no date given: {HINT}")
    if _NUMBERS_ONLY.fullmatch(phrase):
        raise ValueError(
            f"{text!r} is ambiguous (day or month first?): write YYYY-MM-DD, or e.g. 20 Dec"
        )
    found = _spoken(lowered, today, prefer)
    if found is None:
        raise ValueError(f"{text!r} is not a date vaultcrm understands: {HINT}")
    return found


def is_spoken(text: str) -> bool:
    """Whether `text` is a date in words rather than YYYY-MM-DD (then it is echoed back)."""
    return not _ISO.fullmatch(text.strip())


def date_at_start(
    words: Sequence[str], today: dt.date, prefer: Prefer = "past", *, leave: int = 0
) -> tuple[dt.date, int] | None:
    """A date said by the first words of `words` and how many words it took (the longest
    phrase that reads as a date), keeping at least `leave` words after it; else None."""
    if len(words) <= leave:
        return None
    first = words[0].lower().strip(",")
    if _ISO.fullmatch(first) or first in _PLAIN:
        try:
            return parse_date(first, today, prefer), 1
        except ValueError:
            return None
    if first not in _STARTS and not first[:1].isdigit():
        return None
    for size in range(min(MAX_WORDS, len(words) - leave), 0, -1):
        phrase = " ".join(words[:size]).strip(",")
        try:
            return parse_date(phrase, today, prefer), size
        except ValueError:
            continue
    return None


def _spoken(phrase: str, today: dt.date, prefer: Prefer) -> dt.date | None:
    """dateparser's reading of a phrase, when it names one day (or a week from today)."""
    data = _parser(today, prefer).get_date_data(phrase)
    found, period = data.date_obj, data.period
    if found is None:
        return None
    # "May", "dec", "2026" name a month or a year, not a day; "in 3 months" is a day
    if period in ("month", "year") and period not in phrase:
        return None
    return found.date()  # type: ignore[no-any-return]


@functools.lru_cache(maxsize=4)
def _parser(today: dt.date, prefer: Prefer) -> Any:
    from dateparser.date import DateDataParser  # only for dates in words

    return DateDataParser(
        languages=["en"],
        settings={
            "RELATIVE_BASE": dt.datetime(today.year, today.month, today.day),
            "PREFER_DATES_FROM": prefer,
            "RETURN_AS_TIMEZONE_AWARE": False,
        },
    )
