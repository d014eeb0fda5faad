"""The ledger of the whole network at a glance: interactions per month, last 12 months.

Each month counts the interactions (one per person per line, up to `today`) in three
series: *you shared* (tagged #shared), *they shared* (#heard), *other* (neither). A
mutual line (both tags) counts in both shared series, as the ledger does.

Counting is per person (`person_counts`), so the incremental engine can keep a total
for the whole vault and correct it by the few people a change touches (`Counts` add and
subtract), instead of walking 100,000 interactions on every sync.

The picture is a Mermaid `xychart-beta` (Mermaid ≥ 10.5: GitHub, Obsidian ≥ 1.8). Its
bar series are drawn over each other, not side by side, so three cumulative series
(all, then shared by either, then shared by you) read as one stacked bar per month.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from vaultcrm.model import Interaction
from vaultcrm.words import CHART_TITLE, MONTHS_SHORT

MONTHS = 12
SERIES = ("you shared", "they shared", "other")
#: Colours of the three layers, bottom to top (the palette goes in drawing order).
COLOURS = {"you shared": "#4e79a7", "they shared": "#f28e2b", "other": "#bab0ac"}

#: Sparse per-person counts: (month offset in the window 0..11, you, they, other).
Counts = tuple[tuple[int, int, int, int], ...]


def first_month(today: dt.date) -> dt.date:
    """The first day of the window's first month (eleven months before today's)."""
    index = today.year * 12 + today.month - 1 - (MONTHS - 1)
    return dt.date(index // 12, index % 12 + 1, 1)


def person_counts(past: Sequence[Interaction], today: dt.date) -> Counts:
    """One person's counts in the window; `past` is sorted by date and ends by `today`.

    Runs for every person on a full pass (every interaction of a big vault), so the
    loop is kept flat: the window's slice found by a binary search on the interactions
    themselves (tuples: `(person, start)` sorts before that person's first one from
    `start`, with no Python key function), and a new month row opened whenever the
    month changes (the slice is in date order), with no dict and no sort."""
    if not past:
        return ()
    start, base = _window(today)
    first = past[0]
    if past[-1].date < start:
        return ()
    begin = 0 if first.date >= start else bisect.bisect_left(past, (first.person, start))
    rows: list[list[int]] = []
    month = -1
    row = [0, 0, 0, 0]
    for i in past[begin:]:
        day, flags = i.date, i.flags
        if day.year * 12 + day.month - base != month:
            month = day.year * 12 + day.month - base
            row = [month, 0, 0, 0]
            rows.append(row)
        if not flags:
            row[3] += 1
            continue
        shared, heard = "shared" in flags, "heard" in flags
        if shared:
            row[1] += 1
        if heard:
            row[2] += 1
        if not (shared or heard):
            row[3] += 1
    return tuple(map(tuple, rows))  # type: ignore[arg-type]


@functools.lru_cache(maxsize=4)
def _window(today: dt.date) -> tuple[dt.date, int]:
    """The window's first day, and its month count (year × 12 + month) for offsets."""
    start = first_month(today)
    return start, start.year * 12 + start.month


def add(total: list[list[int]], counts: Iterable[Sequence[int]], sign: int = 1) -> None:
    """Add (or with sign -1, take away) one person's counts to a 12×3 total, in place."""
    for m, you, they, other in counts:
        row = total[m]
        row[0] += sign * you
        row[1] += sign * they
        row[2] += sign * other


def empty() -> list[list[int]]:
    return [[0, 0, 0] for _ in range(MONTHS)]


@dataclass(frozen=True)
class Chart:
    """Twelve months of counts, oldest first, ready to be drawn."""

    start: dt.date  # first day of the first month
    you: tuple[int, ...]
    they: tuple[int, ...]
    other: tuple[int, ...]

    @property
    def labels(self) -> list[str]:
        index = self.start.year * 12 + self.start.month - 1
        return [MONTHS_SHORT[(index + k) % 12] for k in range(MONTHS)]

    @property
    def end(self) -> dt.date:
        index = self.start.year * 12 + self.start.month - 1 + MONTHS - 1
        return dt.date(index // 12, index % 12 + 1, 1)

    @property
    def title(self) -> str:
        first, last = self.start, self.end
        return CHART_TITLE.format(
            first=f"{MONTHS_SHORT[first.month - 1]} {first.year}",
            last=f"{MONTHS_SHORT[last.month - 1]} {last.year}",
        )

    @property
    def series(self) -> list[list[int]]:
        """What the drawing is made of, for the note's content key."""
        return [list(self.you), list(self.they), list(self.other)]

    @property
    def mermaid(self) -> str:
        """The fenced Mermaid block: three overlaid bar series that read as stacked."""
        both = [y + t for y, t in zip(self.you, self.they, strict=True)]
        everything = [b + o for b, o in zip(both, self.other, strict=True)]
        palette = ", ".join(COLOURS[s] for s in reversed(SERIES))  # drawing order
        labels = ", ".join(f'"{label}"' for label in self.labels)
        lines = [
            "```mermaid",
            '%%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "'
            + palette
            + '"}}}}%%',
            "xychart-beta",
            f'    title "{self.title}"',
            f"    x-axis [{labels}]",
            '    y-axis "Interactions"',
            f"    bar [{', '.join(map(str, everything))}]",
            f"    bar [{', '.join(map(str, both))}]",
            f"    bar [{', '.join(map(str, self.you))}]",
            "```",
        ]
        return "\n".join(lines)


def chart_of(total: Sequence[Sequence[int]], today: dt.date) -> Chart | None:
    """The chart of a 12×3 total; None when the window holds no interaction."""
    if not any(any(row) for row in total):
        return None
    you, they, other = (tuple(int(row[k]) for row in total) for k in range(3))
    return Chart(first_month(today), you, they, other)
