"""This week's unexpected reach-out: whom the `surprise` kind picks, deterministically.

People underrate how welcome an unexpected reach-out is, and the more surprising, the
more it is valued (Liu et al. 2022); so once a week one person is picked who is due for
nothing, from outside `deep_circles`. Each candidate (`rules.surprise`) gets a draw per
week, a hash of the ISO week and their name. The lowest draw wins, unless its holder was
last week's pick: then the second lowest. Last week's pick is worked out the same way, as
far back as needed (a week whose winner could not have been passed over settles it), so
for the same candidates two weeks in a row never pick the same person; with only two
candidates, they take turns. The pick holds all week (a candidate who joins or leaves
changes it only if they hold the lowest draw), and a name never wins because of its place
in the alphabet. Pure: the same candidates in the same week give the same pick.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import heapq
from collections.abc import Mapping

#: A candidate's draw: the ISO week, and their draw in it, the week before and the one
#: before that (what `pick` needs almost always; further weeks are worked out then).
Draw = tuple[str, int, int, int]
#: How far back `pick` looks for a week that settles the chain before taking turns.
MAX_WEEKS_BACK = 52


@functools.lru_cache(maxsize=64)
def week_of(day: dt.date) -> str:
    """`2026-W48`: the ISO week `day` falls in (one string per week: stored pools share it)."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@functools.lru_cache(maxsize=64)
def monday_of(day: dt.date) -> dt.date:
    """The first day of `day`'s ISO week."""
    return day - dt.timedelta(days=day.weekday())


def _hash(week: str, name: str) -> int:
    """31 bits of a hash of the week and the name: small ints, which a stored pool of
    thousands keeps and reads back cheaply; a tie is settled by the name."""
    return _digest(_prefix(week) + name.encode())


def _digest(data: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(data, digest_size=4).digest(), "big") >> 1


@functools.lru_cache(maxsize=256)
def _prefix(week: str) -> bytes:
    return f"{week}\x1f".encode()


@functools.lru_cache(maxsize=256)
def _weeks_back(week: str, back: int) -> str:
    year, number = week.split("-W")
    monday = dt.date.fromisocalendar(int(year), int(number), 1)
    return week_of(monday - dt.timedelta(weeks=back))


@functools.lru_cache(maxsize=64)
def _drawn_weeks(week: str) -> tuple[bytes, bytes, bytes]:
    """What `draw` hashes a name after, for `week` and the two weeks before."""
    return (_prefix(week), _prefix(_weeks_back(week, 1)), _prefix(_weeks_back(week, 2)))


def draw(name: str, week: str) -> Draw:
    """`name`'s draws in `week` (as `week_of` writes it) and the two weeks before (every
    candidate of the vault has them drawn: the weeks' prefixes are made once)."""
    data = name.encode()
    this, one, two = _drawn_weeks(week)
    return (week, _digest(this + data), _digest(one + data), _digest(two + data))


def pick(pool: Mapping[str, Draw]) -> str | None:
    """The week's pick among the candidates' draws (see the module docstring); None when
    there is nobody."""
    if len(pool) < 2:
        return next(iter(pool), None)
    names = list(pool)  # (draw, name) pairs compare alike in any order: no sort needed
    draws = list(pool.values())
    week = draws[0][0]
    lowest: dict[int, list[str]] = {}

    def two(back: int) -> list[str]:
        """The holders of the two lowest draws `back` weeks before this one."""
        if back not in lowest:
            if back <= 2:
                column = [d[1 + back] for d in draws]
            else:
                earlier = _weeks_back(week, back)
                column = [_hash(earlier, n) for n in names]
            lowest[back] = [n for _, n in heapq.nsmallest(2, zip(column, names, strict=True))]
        return lowest[back]

    # A week whose winner is neither of the two lowest of the week before was picked
    # whatever came before it: the chain starts there.
    start = next(
        (back for back in range(1, MAX_WEEKS_BACK) if two(back)[0] not in two(back + 1)), None
    )
    if start is None:  # two candidates (or a year without such a week): they take turns
        year, number = week.split("-W")
        monday = dt.date.fromisocalendar(int(year), int(number), 1)
        return sorted(names)[(monday.toordinal() // 7) % len(names)]
    chosen = two(start)[0]
    for back in range(start - 1, -1, -1):
        first, second = two(back)
        chosen = first if first != chosen else second
    return chosen
