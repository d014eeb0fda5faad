"""What `vaultcrm watch` prints for a rewrite: what changed in the note, in words.

Who is now due or no longer due (tests/test_watch.py), a reason that changed for someone
still due, the month of the chart that moved when no one's status did, the count of
problems; `Reflections due.md updated (N reflections)` only when none of these changed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.test_watch import TODAY, SignallingWatcher, watching, write
from vaultcrm.app.watch import describe_changes, describe_chart, summarise
from vaultcrm.model import Reflection
from vaultcrm.reflect.chart import Chart, first_month

ALICE = "---\ncircle: friends\n---\n- 2026-11-20 Coffee\n"  # seen 3 days ago: not due
OVERDUE = "---\ncircle: friends\ncadence: {cadence}\n---\n- 2026-09-01 Coffee\n"


def _r(kind: str, person: str, reason: str = "…", **data: Any) -> Reflection:
    return Reflection(kind, person, f"People/{person}.md", reason, data)


def _chart(**months: tuple[int, int, int]) -> Chart:
    """A chart of the window ending in TODAY's month; `months` by short name."""
    start = first_month(TODAY)
    names = ["Dec", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov"]
    rows = [months.get(name, (0, 0, 0)) for name in names]
    you, they, other = (tuple(row[k] for row in rows) for k in range(3))
    return Chart(start, you, they, other)


# --- the pure parts -------------------------------------------------------------------------


def test_a_reason_that_changed_for_someone_still_due_is_the_line() -> None:
    twice = "Alice Smith has confided in you twice since you last shared something real."
    thrice = "Alice Smith has confided in you 3 times since you last shared something real."
    before = [_r("share", "Alice Smith", twice, count=2), _r("reach_out", "Ben Okafor")]
    after = [_r("share", "Alice Smith", thrice, count=3), _r("reach_out", "Ben Okafor")]
    assert describe_changes(before, after) == [f"Alice Smith: {thrice}"]
    # on a new day every overdue count moves: only arrivals, departures and countdowns
    assert describe_changes(before, after, details=False) == []


def test_the_month_of_the_chart_that_moved() -> None:
    before = _chart(Nov=(2, 1, 11), Dec=(1, 0, 0))
    assert describe_chart(before, _chart(Nov=(2, 1, 12), Dec=(1, 0, 0)), TODAY) == [
        "November: 15 interactions (was 14)"
    ]
    assert describe_chart(before, _chart(Nov=(2, 1, 11), Dec=(0, 0, 0)), TODAY) == [
        "December 2025: 0 interactions (was 1)"
    ]
    # the same lines, one tagged #heard now
    assert describe_chart(before, _chart(Nov=(2, 2, 10), Dec=(1, 0, 0)), TODAY) == [
        "November: you shared 2, they shared 2 (was 2, 1)"
    ]
    assert describe_chart(None, _chart(Nov=(0, 0, 1)), TODAY) == ["November: 1 interaction (was 0)"]
    assert describe_chart(before, before, TODAY) == []
    assert describe_chart(None, None, TODAY) == []
    next_month = Chart(dt.date(2026, 1, 1), before.you, before.they, before.other)
    assert describe_chart(before, next_month, TODAY) == []  # a new month: the new day says so


def test_the_line_lists_four_changes_then_counts_the_rest() -> None:
    changes = [f"Person {i}: now due to reach out" for i in range(6)]
    assert summarise(changes, output="Reflections due.md", count=6, new_day=None) == (
        "Person 0: now due to reach out; Person 1: now due to reach out; "
        "Person 2: now due to reach out; Person 3: now due to reach out; and 2 more"
    )
    assert summarise([], output="Reflections due.md", count=1379, new_day=None) == (
        "Reflections due.md updated (1379 reflections)"
    )


# --- a real watcher -------------------------------------------------------------------------


@pytest.mark.slow
def test_each_kind_of_rewrite_says_what_changed(make_vault: Any) -> None:
    root = make_vault({
        "People/Alice Smith.md": ALICE,
        "People/Ben Okafor.md": OVERDUE.format(cadence="6 weeks"),
        "Journal/2026-11-20.md": "- Lunch with [[Alice Smith]]\n",
    })  # fmt: skip
    with watching(root, SignallingWatcher) as s:

        def line_after(rel: str, text: str) -> str:
            count = len(s.texts("rewrite"))
            write(root, rel, text)
            assert s.after_passes(lambda: len(s.texts("rewrite")) > count)
            return s.texts("rewrite")[-1]

        # a contact with someone not due: no one's status moves, the chart does
        assert line_after("Journal/2026-11-22.md", "- Call with [[Alice Smith]]\n") == (
            "November: 3 interactions (was 2)"
        )
        # someone still due, for another reason
        assert line_after("People/Ben Okafor.md", OVERDUE.format(cadence="10 days")) == (
            "Ben Okafor: Last contact 83 days ago; your cadence with Ben Okafor is 10 days."
        )
        # a note that breaks, and is mended: the count of problems in the note
        line = line_after("People/Cleo.md", "---\ncircle: [friends\n---\n")
        assert line == "problems in the vault: 1 (was 0)"
        line = line_after("People/Cleo.md", "---\ncircle: friends\n---\n")
        assert line == "Cleo: now due to reach out; problems in the vault: 0 (was 1)"
        # anything else: the note, and how many reflections it holds
        line = line_after(".vaultcrm/templates/reflections.md.j2", "{{ items|length }} due\n")
        assert line == "Reflections due.md updated (2 reflections)"
        assert s.note() == s.expected()
    assert s.texts("error") == []
