"""`vaultcrm review`: the circles as a whole, read as `people` reads them; never written."""

from __future__ import annotations

from dataclasses import dataclass

from vaultcrm.app.showing import snapshot
from vaultcrm.model import LoadStats, Problem
from vaultcrm.read.session import ReadSession
from vaultcrm.reflect.review import Review, make_review


@dataclass(frozen=True)
class Reviewed:
    review: Review
    problems: list[Problem]
    stats: LoadStats


def review_circles(session: ReadSession) -> Reviewed:
    """The review of every circle for the session's day; problems as values, never raised."""
    snap = snapshot(session)
    return Reviewed(make_review(snap.vault, snap.today, snap.config), snap.problems, snap.stats)
