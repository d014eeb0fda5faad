"""A person's own rhythm: how often you are usually in touch, read from their contacts.

A circle says how often you mean to be in touch; the dates say how often you are. The
usual gap is the median of the gaps between the last `RHYTHM_CONTACTS` days of contact
(at least `RHYTHM_LEAST`): a median, so one long holiday or one busy week does not move
it. `drift` fires when the time since the last contact passes twice that gap (friendships
fade within months without contact, faster than family: Roberts & Dunbar 2015), before
the cadence says so. Pure; it walks back only as far as those last few days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from vaultcrm.model import Interaction

#: The days of contact a rhythm is read from (the last ones), and how many it needs.
RHYTHM_CONTACTS = 6
RHYTHM_LEAST = 5
#: A rhythm is broken once the time since the last contact is this many usual gaps…
DRIFT_FACTOR = 2
#: …and at least this many days: a weekly friend missed for ten days has not drifted.
DRIFT_LEAST = 21


@dataclass(frozen=True)
class Rhythm:
    """How often you are usually in touch with someone."""

    days: int  # the usual gap between contacts (a median, rounded; at least 1)
    contacts: int  # how many days of contact it was read from
    last: dt.date  # the last of them

    def broken(self, since: int) -> bool:
        """Whether `since` days without contact breaks this rhythm (`drift`)."""
        return since >= max(DRIFT_LEAST, DRIFT_FACTOR * self.days)


def rhythm(past: Sequence[Interaction]) -> Rhythm | None:
    """The rhythm of the date-sorted contacts `past` (several on one day count once);
    None with fewer than `RHYTHM_LEAST` days of contact."""
    days: list[dt.date] = []
    for i in reversed(past):
        if not days or i.date != days[-1]:
            days.append(i.date)
            if len(days) == RHYTHM_CONTACTS:
                break
    if len(days) < RHYTHM_LEAST:
        return None
    gaps = sorted([(later - earlier).days for later, earlier in zip(days, days[1:], strict=False)])
    middle = len(gaps) // 2
    twice = gaps[middle] * 2 if len(gaps) % 2 else gaps[middle - 1] + gaps[middle]
    return Rhythm(max(1, (twice + 1) // 2), len(days), days[0])  # a half rounds up
