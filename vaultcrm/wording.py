"""How dates and quoted note text read, wherever a user reads them (note, `due`, …).

One date style everywhere (`Fri 13 Nov`, with the year when it is not this year), so
a reason reads the same in the note and on the terminal. Standard library only, and
no locale: the same vault and `today` always give the same words.
"""

from __future__ import annotations

import datetime as dt
import re

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS_SHORT = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def human_day(day: dt.date, today: dt.date) -> str:
    """'Fri 13 Nov', or 'Fri 13 Nov 2025' when `day` is not in `today`'s year."""
    text = f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS_SHORT[day.month - 1]}"
    return text if day.year == today.year else f"{text} {day.year}"


_TAG = re.compile(r"(?<!\S)#([\w/-]+)")
_BLANKS = re.compile(r"[ \t]{2,}")


def _keep_numbers(m: re.Match[str]) -> str:
    return m.group(0) if m.group(1).isdigit() else ""


def detag(text: str) -> str:
    """Quoted note text without its #tags (`#win`, `#shared`…), blanks collapsed.

    The tags are how the user flagged the line for vaultcrm; repeated in the generated
    note they would inflate Obsidian's tag counts, and on the terminal they are noise.
    `#2` is a number, not a tag, and stays. Only for note text, never for a name."""
    if "#" in text:
        text = _TAG.sub(_keep_numbers, text)
    if "  " in text or "\t" in text:
        text = _BLANKS.sub(" ", text)
    return text.strip()
