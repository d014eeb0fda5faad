"""`vaultcrm review`: the circles as a whole, read as `people` reads them; never written."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from vaultcrm.app.lookup import snapshot
from vaultcrm.model import LoadStats, Problem
from vaultcrm.reflect.review import Review, make_review


@dataclass(frozen=True)
class Reviewed:
    review: Review
    problems: list[Problem]
    stats: LoadStats


def review_circles(
    root: Path, today: dt.date, *, use_cache: bool = True, processes: bool = False
) -> Reviewed:
    """The review of every circle for `today`; problems as values, never raised."""
    snap = snapshot(root, today, use_cache=use_cache, processes=processes)
    return Reviewed(make_review(snap.vault, today, snap.config), snap.problems, snap.stats)
