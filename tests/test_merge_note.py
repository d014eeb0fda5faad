"""Versions of the generated note made one: the pure text functions of
`output/merge_note.py`, with conflicts made by real `git merge-file`."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import examples
from vaultcrm.output.generated import (
    head,
    note_day,
    recorded_ids,
    tick_days,
    ticked,
    ticked_in,
)
from vaultcrm.output.merge_note import has_conflict, merge_notes, split_conflict
from vaultcrm.words import CARRIED_TICKS

D1, D2, D3 = dt.date(2026, 12, 1), dt.date(2026, 12, 2), dt.date(2026, 12, 3)
IDS = [f"vcrm-reach-out-{n:08x}" for n in range(6)]
BDAY = "vcrm-birthday-0000abcd"


def note(
    day: dt.date, listed: list[str], ticks: set[str] = frozenset(), done: set[str] = frozenset()
) -> str:
    """A generated note as `render` shapes it: frontmatter, a heading, one task per id,
    a line whose wording changes with the day."""
    lines = [f"- [{'x' if key in ticks else ' '}] Item {key[-2:]} ^{key}\n" for key in listed]
    when = f"*{day.isoformat()}: {len(listed)} reflections.*\n"
    return head(day, done) + "# Reflections due\n\n" + when + "\n" + "".join(lines)


def conflicted(ours: str, base: str, theirs: str, tmp_path: Path, *, diff3: bool = False) -> str:
    """What git leaves in the file: `git merge-file` of the three versions."""
    paths = []
    for name, text in (("ours", ours), ("base", base), ("theirs", theirs)):
        path = tmp_path / name
        path.write_text(text)
        paths.append(str(path))
    style = ["--diff3"] if diff3 else []
    done = subprocess.run(
        ["git", "merge-file", "-p", *style, *paths], capture_output=True, text=True, check=False
    )
    assert done.returncode > 0, "the versions were meant to conflict"
    return done.stdout


def ticked_ids(text: str) -> set[str]:
    return {t.id for t in ticked(text)}


def test_split_conflict_gives_each_side_whole(tmp_path: Path) -> None:
    """Git applies the changes that do not conflict (here both ticks) to both sides, and
    marks only the rest: each side comes back whole, with the changes git merged."""
    base = note(D1, IDS[:3])
    ours = note(D2, IDS[:3], {IDS[0]})
    theirs = note(D3, IDS[:3], {IDS[2]})
    text = conflicted(ours, base, theirs, tmp_path)
    assert has_conflict(text) and "<<<<<<< " in text
    (one, two), ancestor = split_conflict(text)
    assert ancestor is None
    assert (note_day(one), note_day(two)) == (D2, D3)
    assert not has_conflict(one) and not has_conflict(two)
    assert ticked_ids(one) == ticked_ids(two) == {IDS[0], IDS[2]}
    text3 = conflicted(ours, base, theirs, tmp_path, diff3=True)
    (one3, two3), ancestor3 = split_conflict(text3)
    assert (one3, two3) == (one, two)
    # the ancestor as the markers show it: with the changes git merged, as each side
    assert ancestor3 is not None and note_day(ancestor3) == D1
    assert ticked_ids(ancestor3) == {IDS[0], IDS[2]}


def test_a_text_without_markers_is_its_own_version() -> None:
    text = note(D1, IDS[:2], {IDS[1]})
    assert not has_conflict(text)
    assert split_conflict(text) == ([text], None)
    assert not has_conflict("a line\n======= not a marker\n<<<<<<<<not one either\n")


def test_markers_that_do_not_pair_are_dropped() -> None:
    text = note(D1, IDS[:2], {IDS[0]}) + "<<<<<<< HEAD\n- [x] Item ^" + IDS[3] + "\n"
    (only,), base = split_conflict(text)
    assert base is None and not has_conflict(only) and "<<<<<<<" not in only
    assert ticked_ids(only) == {IDS[0], IDS[3]}


def test_merge_keeps_the_latest_text_and_every_tick() -> None:
    ours = note(D2, IDS[:3], {IDS[0]})
    theirs = note(D3, IDS[1:4], {IDS[2]})
    merged = merge_notes([ours, theirs])
    assert not has_conflict(merged)
    assert note_day(merged) == D3
    assert f"*{D3.isoformat()}: 3 reflections.*" in merged
    assert ticked_ids(merged) == {IDS[0], IDS[2]}
    # IDS[0] is not listed on D3: carried over, and said to be ticked in the note of D2
    assert f"## {CARRIED_TICKS}\n\n- [x] Item 00 ^{IDS[0]}\n" in merged
    assert ticked_in(merged) == {IDS[0]: D2}
    assert tick_days(merged, D3) == (D3, {IDS[0]: D2})
    assert merge_notes([merged]) == merged  # one version is itself


def test_a_conflicted_note_merges_to_the_latest_day_with_both_ticks(tmp_path: Path) -> None:
    base = note(D1, IDS[:3])
    ours = note(D2, IDS[:3], {IDS[0]})
    theirs = note(D3, IDS[1:4], {IDS[2]})
    merged = merge_notes([conflicted(ours, base, theirs, tmp_path)])
    assert not has_conflict(merged) and "=======" not in merged
    assert note_day(merged) == D3 and ticked_ids(merged) == {IDS[0], IDS[2]}


def test_a_box_ticked_on_both_sides_is_one_tick(tmp_path: Path) -> None:
    ours = note(D2, IDS[:2], {IDS[1]})
    theirs = note(D3, IDS[:2], {IDS[1]})
    merged = merge_notes([ours, theirs])
    assert [t.id for t in ticked(merged)] == [IDS[1]]
    assert ticked_in(merged) == {IDS[1]: D2}  # the earlier day: recorded since then counts


def test_done_is_the_union_and_a_done_box_is_not_carried_as_new() -> None:
    ours = note(D2, [BDAY, IDS[0]], {BDAY}, done={BDAY})
    theirs = note(D3, [BDAY, IDS[0]], {IDS[0]})
    merged = merge_notes([ours, theirs])
    assert recorded_ids(merged) == {BDAY}
    assert ticked_ids(merged) == {BDAY, IDS[0]}
    assert ticked_in(merged) == {}  # BDAY is recorded; IDS[0] was ticked on D3 itself


def test_a_tick_the_other_side_recorded_is_not_brought_back(tmp_path: Path) -> None:
    """The ancestor had IDS[0] ticked; one side recorded it (its note no longer ticks
    it), the other left it as it was: with the ancestor known, it stays recorded."""
    base = note(D1, IDS[:3], {IDS[0]})
    recorded = note(D2, IDS[1:3])
    untouched = note(D1, IDS[:3], {IDS[0], IDS[1]})
    merged = merge_notes([recorded, untouched], base=base)
    assert ticked_ids(merged) == {IDS[1]}
    without_base = merge_notes([recorded, untouched])
    assert ticked_ids(without_base) == {IDS[0], IDS[1]}  # the reader's dedupe is needed then
    shown = conflicted(recorded, base, untouched, tmp_path, diff3=True)
    assert ticked_ids(merge_notes([shown])) == {IDS[1]}  # diff3 markers show the ancestor


def test_merge_is_deterministic_whatever_the_order() -> None:
    a = note(D2, IDS[:3], {IDS[0]})
    b = note(D2, IDS[:3], {IDS[2]})
    c = note(D1, IDS[2:5], {IDS[4]})
    assert merge_notes([a, b, c]) == merge_notes([a, c, b])
    assert ticked_ids(merge_notes([c, b, a])) == {IDS[0], IDS[2], IDS[4]}


@settings(max_examples=examples(60), deadline=None)
@given(
    st.sets(st.sampled_from(IDS)),
    st.sets(st.sampled_from(IDS)),
    st.sets(st.sampled_from(IDS), min_size=1),
    st.sets(st.sampled_from(IDS), min_size=1),
    st.sampled_from([D1, D2, D3]),
    st.sampled_from([D1, D2, D3]),
)
def test_merge_never_loses_a_tick_nor_leaves_a_marker(
    ticks_a: set[str], ticks_b: set[str], listed_a: set[str], listed_b: set[str],
    day_a: dt.date, day_b: dt.date,
) -> None:  # fmt: skip
    a = note(day_a, sorted(listed_a), ticks_a & listed_a)
    b = note(day_b, sorted(listed_b), ticks_b & listed_b)
    merged = merge_notes([a, b])
    assert not has_conflict(merged) and "=======" not in merged
    assert ticked_ids(merged) == (ticks_a & listed_a) | (ticks_b & listed_b)
    assert note_day(merged) == max(day_a, day_b)
    assert len(ticked(merged)) == len(ticked_ids(merged))  # each once
