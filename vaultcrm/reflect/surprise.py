"""This week's unexpected reach-out: whom the `surprise` kind picks, deterministically.

People underrate how welcome an unexpected reach-out is, and the more surprising, the
more it is valued (Liu et al. 2022); so once a week one person is picked who is due for
nothing, from outside `deep_circles`. Each candidate (`rules.surprise`) gets a draw, a
hash of the ISO week and their name; the lowest draw wins, passing over the winner of
last week's draw (on the same candidates) when there is a choice. So the pick holds all
week (a candidate who leaves or joins changes it only if they hold the lowest draw),
moves the next, and a name never wins because of its place in the alphabet. Pure: the
same candidates in the same week give the same pick.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping

#: A candidate's draw: (this week's, last week's).
Draw = tuple[int, int]


def week_of(day: dt.date) -> str:
    """`2026-W48`: the ISO week `day` falls in."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def monday_of(day: dt.date) -> dt.date:
    """The first day of `day`'s ISO week."""
    return day - dt.timedelta(days=day.weekday())


def _hash(week: str, name: str) -> int:
    digest = hashlib.blake2b(f"{week}\x1f{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def draw(name: str, week: str) -> Draw:
    """`name`'s draw in `week` (as `week_of` writes it), and in the week before."""
    year, number = week.split("-W")
    monday = dt.date.fromisocalendar(int(year), int(number), 1)
    return (_hash(week, name), _hash(week_of(monday - dt.timedelta(days=7)), name))


def pick(pool: Mapping[str, Draw]) -> str | None:
    """The week's pick among the candidates' draws: the lowest draw, passing over the
    winner of last week's draw when there is anyone else; None when there is nobody."""
    if not pool:
        return None
    last = min(pool, key=lambda n: (pool[n][1], n))
    return min((n for n in pool if n != last or len(pool) == 1), key=lambda n: (pool[n][0], n))
