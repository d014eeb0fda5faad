"""`vaultcrm watch` runs for weeks: a few hundred passes keep no memory.

The passes run in this process, one after another (the watcher's own pass, as its loop
calls it after a settled burst), over a vault whose notes cycle through a few versions,
as a person typing does: the vault's data stays the same size, so whatever memory the
passes keep is what the watcher, the engine or a library holds on to.
"""

from __future__ import annotations

import datetime as dt
import gc
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from vaultcrm.app.watch import Report, Watcher

pytestmark = pytest.mark.slow  # hundreds of syncs under tracemalloc: several seconds

TODAY = dt.date(2026, 11, 23)
#: The saves go round a cycle of this many versions of the vault (see `_save`).
CYCLE = 6
WARM_UP = 4 * CYCLE
#: Two stretches of 150 passes each, measured apart.
STRETCH = 25 * CYCLE
#: What a stretch of 150 passes may keep: 32 KB, about 200 bytes a pass. Before the
#: watcher collected each pass's cycles, a pass kept ~36 KB here (a Jinja environment with
#: its sandbox classes, loader and compiled template): 5.4 MB a stretch; since, 20 KB
#: for the first stretch (bounded caches still filling) and 4 KB for the second.
BOUND = 32 * 1024


def _vault(make_vault: Any) -> Path:
    files = {
        "vaultcrm.yaml": "circles: {close: 2 weeks, friends: 6 weeks}\n",
        "People/Alice Smith.md": "---\ncircle: close\n---\n- 2026-11-20 Coffee #shared\n",
    }
    for i in range(40):
        circle = ("close", "friends")[i % 2]
        seen = TODAY - dt.timedelta(days=3 + i * 2)
        files[f"People/Friend {i:02d}.md"] = (
            f"---\ncircle: {circle}\nbirthday: 1990-12-{i % 28 + 1:02d}\n---\n"
            f"- {seen} Lunch #heard\n- [ ] {TODAY + dt.timedelta(days=i % 20)} Call back\n"
        )
    for i in range(30):
        day = TODAY - dt.timedelta(days=i + 1)
        files[f"Journal/{day}.md"] = f"- Walk with [[Friend {i:02d}]]\n"
    return make_vault(files)


def _save(root: Path, i: int) -> None:
    """One save, as an editor makes it: the note being typed in, in one of a few versions."""
    step = i % CYCLE
    if step < 2:  # Alice falls due and is seen again
        seen = "2026-11-20" if step else "2026-10-01"
        text = f"---\ncircle: close\n---\n- {seen} Coffee #shared\n"
        (root / "People/Alice Smith.md").write_text(text, encoding="utf-8")
    elif step < 4:  # a daily note gains and loses a line: the chart moves, no one's status
        extra = "- Call with [[Friend 03]] #heard\n" if step == 2 else ""
        text = f"- Walk with [[Friend 00]]\n{extra}"
        (root / f"Journal/{TODAY - dt.timedelta(days=1)}.md").write_text(text, encoding="utf-8")
    else:  # a follow-up is typed, then ticked off
        box = "x" if step == 5 else " "
        seen = TODAY - dt.timedelta(days=3)
        text = (
            f"---\ncircle: close\nbirthday: 1990-12-01\n---\n- {seen} Lunch #heard\n"
            f"- [{box}] {TODAY - dt.timedelta(days=2)} Send the photos\n"
        )
        (root / "People/Friend 00.md").write_text(text, encoding="utf-8")


def test_a_few_hundred_passes_keep_no_memory(make_vault: Any) -> None:
    root = _vault(make_vault)
    seen: dict[str, int] = {}

    def report(r: Report) -> None:  # counts, so the test itself keeps nothing per pass
        seen[r.kind] = seen.get(r.kind, 0) + 1

    watcher = Watcher(root, report, today=lambda: TODAY)
    watcher._pass(first=True)  # the loop's own pass: no observer, no debounce, no sleeps
    for i in range(WARM_UP):  # imports, bounded caches, the index's first full pass
        _save(root, i)
        watcher._pass()

    def passes(first: int, count: int) -> int:
        for i in range(first, first + count):
            _save(root, i)
            watcher._pass()
        return tracemalloc.get_traced_memory()[0]

    gc.collect()
    tracemalloc.start()
    try:
        # one cycle traced first, so what the watcher holds for the current pass (its
        # reflections, the note's bytes) is traced at every measure and cancels out
        start = passes(WARM_UP, CYCLE)
        before = tracemalloc.take_snapshot()
        middle = passes(WARM_UP + CYCLE, STRETCH)
        end = passes(WARM_UP + CYCLE + STRETCH, STRETCH)
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    assert seen.get("error", 0) == 0 and seen.get("problem", 0) == 0, seen
    assert watcher.passes == 1 + WARM_UP + CYCLE + 2 * STRETCH
    assert seen["rewrite"] >= STRETCH  # most saves changed the note: real work was done
    # A leak grows memory in every stretch. A table allocated before tracing began and
    # reallocated during it (the interned strings' dict, resized as path names come and
    # go) counts once, whole, since its old copy's release was never traced: so the
    # lesser stretch is the measure.
    kept = (middle - start, end - middle)
    growth = "\n".join(str(s) for s in after.compare_to(before, "lineno")[:5])
    assert min(kept) < BOUND, (
        f"two stretches of {STRETCH} passes kept {kept[0]:,} and {kept[1]:,} bytes; "
        f"what grew most:\n{growth}"
    )
