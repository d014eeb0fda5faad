"""Several versions of the generated note made one, without conflict markers, losing no tick.

The note changes every day, so two devices that sync on different days always change it
differently: git leaves conflict markers in it, a sync tool a conflict copy beside it.
Every byte of it is vaultcrm's, and what matters in it is which boxes are ticked, so
vaultcrm merges it itself (`app/heal.py` on `sync`, `app/gitsetup.py` as git's merge
driver):

- the text is the version generated for the latest day (the first one on a tie);
- a box is ticked in the result when any version ticked it, except that a box ticked in
  the common ancestor (when it is known) stays ticked only if every version still has
  it ticked: a version without it recorded it (or the user unticked it), so it is not
  brought back to be recorded twice;
- `done` (ids already recorded) is the union of every version's;
- a ticked box the latest version does not list is carried over, under a heading of its
  own at the end; a box ticked in a version of an earlier day is listed in `ticked_in`
  with that day, so the tick is recorded as what the note showed on that day.

Everything here is pure text → text, and deterministic.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from vaultcrm.output.generated import (
    MARKER,
    Tick,
    head,
    note_day,
    recorded_ids,
    ticked,
    ticked_in,
)
from vaultcrm.words import CARRIED_TICKS

_MARKER_LINE = re.compile(r"^(<{7,}|\|{7,}|={7,}|>{7,})(?: .*)?\r?\n?$")
_LINE = re.compile(r"[^\n]*\n|[^\n]+\Z")
_FRONT = re.compile(r"\A---\r?\n(?:.*?\r?\n)?---[ \t]*(?:\r?\n|\Z)", re.S)


def has_conflict(text: str) -> bool:
    """Whether `text` holds a git conflict (a `<<<<<<<` line)."""
    return "<<<<<<<" in text and any(
        line.startswith("<<<<<<<") and _MARKER_LINE.match(line) for line in _lines(text)
    )


def _lines(text: str) -> list[str]:
    """Lines split on `\\n` only, each keeping its line break."""
    return _LINE.findall(text)


def split_conflict(text: str) -> tuple[list[str], str | None]:
    """The versions a conflicted text stands for, and their common ancestor when the
    markers show it (`merge.conflictStyle = diff3`): `([ours, theirs], base)`. A text
    without markers is its own one version. Conflicts nested inside a side (a recursive
    merge) are split too; markers that do not pair up are dropped, so no version ever
    holds one."""
    if not has_conflict(text):
        return [text], None
    parsed = _parse(text)
    if parsed is None:
        stripped = "".join(
            line for line in _lines(text) if not _MARKER_LINE.match(line)
        )
        return [stripped], None
    ours, theirs, base = parsed
    versions: list[str] = []
    for side in (ours, theirs):
        inner, _ = split_conflict(side)
        versions += inner
    if base is not None and has_conflict(base):
        base = None  # an ancestor that is itself a conflict says nothing certain
    return versions, base


def _parse(text: str) -> tuple[str, str, str | None] | None:
    """One pass over the hunks of the outermost marker size; None when they do not pair."""
    out: dict[str, list[str]] = {"ours": [], "theirs": [], "base": []}
    state, size, saw_base = "common", 0, False
    for line in _lines(text):
        kind = _marker(line, size)
        if state == "common" and kind == "<":
            size = len(line) - len(line.lstrip("<"))
            state = "ours"
        elif state == "ours" and kind == "|":
            state, saw_base = "base", True
        elif state in ("ours", "base") and kind == "=":
            state = "theirs"
        elif state == "theirs" and kind == ">":
            state = "common"
        elif state == "common":
            for part in out.values():
                part.append(line)
        else:
            out[state].append(line)
    if state != "common" or size == 0:
        return None
    return "".join(out["ours"]), "".join(out["theirs"]), "".join(out["base"]) if saw_base else None


def _marker(line: str, size: int) -> str | None:
    """`<`, `|`, `=` or `>` when the line is a marker of that size (any size ≥ 7 for an
    opening one, when `size` is 0), else None."""
    if not _MARKER_LINE.match(line):
        return None
    char = line[0]
    run = len(line) - len(line.lstrip(char))
    if size and run != size:
        return None
    return char


def merge_notes(versions: Sequence[str], base: str | None = None) -> str:
    """One note from `versions` of it (each may itself hold conflict markers), given
    their common ancestor `base` when it is known: see the module docstring."""
    sides: list[str] = []
    inner: list[str] = []
    for version in versions:
        found, inner_base = split_conflict(version)
        sides += found
        inner += [inner_base] if inner_base is not None else []
    if base is None and len(inner) == 1:  # the one conflict whose markers show its ancestor
        base = inner[0]
    sides = [side for side in sides if MARKER in side] or sides
    if not sides:
        return ""
    if base is not None:
        base_versions, _ = split_conflict(base)
        base = base_versions[0] if len(base_versions) == 1 and MARKER in base_versions[0] else None
    if len(sides) == 1 and base is None:
        return sides[0]
    days = [note_day(side) for side in sides]
    latest = max(range(len(sides)), key=lambda i: (days[i] or dt.date.min, -i))
    body, body_day = sides[latest], days[latest]
    ticks = [ticked(side) for side in sides]
    chosen = _chosen(ticks, base)
    done = set().union(*(recorded_ids(side) for side in sides))
    first_day: dict[str, dt.date] = {}
    first_tick: dict[str, Tick] = {}
    for side, day, side_ticks in zip(sides, days, ticks, strict=True):
        carried = ticked_in(side)
        for tick in side_ticks:
            when = carried.get(tick.id) or day or body_day or dt.date.min
            if tick.id not in first_day or when < first_day[tick.id]:
                first_day[tick.id], first_tick[tick.id] = when, tick
    body, missing = _set_boxes(body, chosen)
    if missing:
        lines = [f"- [x] {first_tick[key].text} ^{key}\n" for key in sorted(missing)]
        body = body.rstrip("\n") + f"\n\n## {CARRIED_TICKS}\n\n" + "".join(lines)
    if body_day is None:
        return body
    earlier = {
        key: first_day[key]
        for key in chosen
        if key not in done and first_day.get(key, body_day) < body_day
    }
    front = _FRONT.match(body)
    rest = body[front.end() :] if front else body
    return head(body_day, done, earlier) + rest


def _chosen(ticks: list[list[Tick]], base: str | None) -> set[str]:
    """The ids ticked in the result: any version's, but one ticked in the ancestor only
    while every version still has it."""
    each = [{t.id for t in side} for side in ticks]
    every = set().union(*each)
    if base is None:
        return every
    before = {t.id for t in ticked(base)}
    return {key for key in every if key not in before or all(key in side for side in each)}


_TASK = re.compile(
    r"^(?P<lead>[ \t]*[-*+] \[)(?P<box>[ xX])(?P<rest>\] .*?\^(?P<id>vcrm-[a-z-]+-[0-9a-f]{8})"
    r"[ \t]*\r?)$",
    re.M,
)


def _set_boxes(text: str, chosen: set[str]) -> tuple[str, set[str]]:
    """`text` with each vaultcrm task ticked exactly when its id is chosen; the chosen
    ids it has no line for."""
    listed: set[str] = set()

    def box(m: re.Match[str]) -> str:
        listed.add(m.group("id"))
        mark = "x" if m.group("id") in chosen else " "
        if (m.group("box") != " ") == (mark == "x"):
            return m.group(0)
        return f"{m.group('lead')}{mark}{m.group('rest')}"

    return _TASK.sub(box, text), chosen - listed
