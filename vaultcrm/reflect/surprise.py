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


def monday_of(day: dt.date) -> dt.date:
    """The first day of `day`'s ISO week."""
    return day - dt.timedelta(days=day.weekday())


def _hash(week: str, name: str) -> int:
    """31 bits of a hash of the week and the name: small ints, which a stored pool of
    thousands keeps and reads back cheaply; a tie is settled by the name."""
    digest = hashlib.blake2b(f"{week}\x1f{name}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") >> 1


@functools.lru_cache(maxsize=256)
def _weeks_back(week: str, back: int) -> str:
    year, number = week.split("-W")
    monday = dt.date.fromisocalendar(int(year), int(number), 1)
    return week_of(monday - dt.timedelta(weeks=back))


def draw(name: str, week: str) -> Draw:
    """`name`'s draws in `week` (as `week_of` writes it) and the two weeks before."""
    return (week, _hash(week, name), _hash(_weeks_back(week, 1), name),
            _hash(_weeks_back(week, 2), name))  # fmt: skip


def pick(pool: Mapping[str, Draw]) -> str | None:
    """The week's pick among the candidates' draws (see the module docstring); None when
    there is nobody."""
    names = sorted(pool)
    if len(names) < 2:
        return names[0] if names else None
    week = pool[names[0]][0]
    lowest: dict[int, list[str]] = {}

    def two(back: int) -> list[str]:
        """The holders of the two lowest draws `back` weeks before this one."""
        if back not in lowest:
            if back <= 2:
                draws = ((pool[n][1 + back], n) for n in names)
            else:
                earlier = _weeks_back(week, back)
                draws = ((_hash(earlier, n), n) for n in names)
            lowest[back] = [n for _, n in heapq.nsmallest(2, draws)]
        return lowest[back]

    # A week whose winner is neither of the two lowest of the week before was picked
    # whatever came before it: the chain starts there.
    start = next(
        (back for back in range(1, MAX_WEEKS_BACK) if two(back)[0] not in two(back + 1)), None
    )
    if start is None:  # two candidates (or a year without such a week): they take turns
        year, number = week.split("-W")
        monday = dt.date.fromisocalendar(int(year), int(number), 1)
        return names[(monday.toordinal() // 7) % len(names)]
    chosen = two(start)[0]
    for back in range(start - 1, -1, -1):
        first, second = two(back)
        chosen = first if first != chosen else second
    return chosen
