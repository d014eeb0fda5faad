"""The generated note's format, in one place: its marker, its `done` list, its task ids and
the pattern of a ticked line. `render` writes it and `app.ticks` reads it back.

Each actionable line ends in an Obsidian block id (`^vcrm-reach-out-1a2b3c4d`): hidden in
Obsidian's preview, stable across runs, and enough to know what a tick meant even after
the note's wording (a template override) changed.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from vaultcrm.model import Reflection
from vaultcrm.reflect.kinds import KIND

#: The generated note's frontmatter. `sync` refuses to overwrite a note without MARKER,
#: and it is written by code, not by the (overridable) template, so it is always there.
MARKER = "vaultcrm: generated"

_TICKED = re.compile(
    r"^[ \t]*[-*+] \[[xX]\] (?P<text>.*?)[ \t]*\^(?P<id>vcrm-(?P<kind>[a-z-]+)-[0-9a-f]{8})"
    r"[ \t]*\r?$",
    re.M,
)
_DONE_LINE = re.compile(r"^done: \[(.*)\]\r?$", re.M)
_TODAY_LINE = re.compile(r"^today: (\d{4}-\d{2}-\d{2})\r?$", re.M)
_TICKED_IN_LINE = re.compile(r"^ticked_in: \[(.*)\]\r?$", re.M)


def _digest(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode(), usedforsecurity=False).hexdigest()[:8]


def id_for(kind: str, person: str, *key: str) -> str:
    return f"vcrm-{kind.replace('_', '-')}-{_digest(kind, person, *key)}"


def item_id(r: Reflection) -> str:
    """The person and the kind's `id_fields` (`KindSpec`): follow-ups are told apart by
    where and what they are, birthdays and yearly dates by their label and occurrence,
    wins by their day and text; other kinds by person alone."""
    return id_for(r.kind, r.person, *_key(r))


def _key(r: Reflection) -> list[str]:
    """The values of the kind's `id_fields`; a field the item lacks is left out (a
    birthday's `relation`), so adding one to a kind keeps the ids of the items without it."""
    spec = KIND.get(r.kind)
    fields = spec.id_fields if spec is not None else ()
    return [str(r.data[f]) for f in fields if f in r.data]


def item_ids(reflections: Sequence[Reflection]) -> list[str]:
    """The id of each reflection, unique across the list (so a tick means one item).

    Two reflections can share an `item_id` (the same open task written twice in a note):
    the first keeps it, each repeat gets its occurrence number in the digest. Reflections
    come in a total order, so a repeat gets the same id on every run, and the note and the
    tick reader (which both use this) agree on what each id means."""
    seen: dict[str, int] = {}
    out = []
    for r in reflections:
        key = _quick_id(r)
        n = seen.get(key, 0)
        seen[key] = n + 1
        out.append(key if n == 0 else id_for(r.kind, r.person, *_key(r), f"repeat {n}"))
    return out


#: kind → the prefix of its ids and its `id_fields`, for `_quick_id`
_ID_PARTS: dict[str, tuple[str, tuple[str, ...]]] = {
    name: (f"vcrm-{name.replace('_', '-')}-", spec.id_fields) for name, spec in KIND.items()
}


def _quick_id(r: Reflection) -> str:
    """`item_id`, without a call per part: a note with thousands of items digests each."""
    parts = _ID_PARTS.get(r.kind)
    if parts is None:
        return item_id(r)
    prefix, fields = parts
    if fields:
        data = r.data
        text = "\x1f".join([r.kind, r.person, *[str(data[f]) for f in fields if f in data]])
    else:
        text = f"{r.kind}\x1f{r.person}"
    return prefix + hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:8]


def head(
    today: dt.date, done: Iterable[str], ticked_in: Mapping[str, dt.date] | None = None
) -> str:
    """The note's frontmatter: the marker, the day, the ids already recorded, and (in a
    note merged from several devices' versions, `output/merge_note.py`) the day of the
    version each box carried over from another day was ticked in."""
    listed = sorted(done)
    done_line = f"done: [{', '.join(listed)}]\n" if listed else ""
    carried = sorted(f"{key} {day.isoformat()}" for key, day in (ticked_in or {}).items())
    carried_line = f"ticked_in: [{', '.join(carried)}]\n" if carried else ""
    return f"---\n{MARKER}\ntoday: {today.isoformat()}\n{done_line}{carried_line}---\n"


@dataclass(frozen=True)
class Tick:
    id: str
    kind: str
    text: str = ""  # the ticked line as the note showed it, for messages


_HEADING = re.compile(r"^(#{1,6}) +(.*?)[ \t]*\r?$", re.M)


def ticked(text: str) -> list[Tick]:
    """Ids of the ticked task lines in a generated note, in order, each once.

    A line of the focus list sits under its person's `###` heading and does not name
    them, so its text (for messages) is prefixed with that heading."""
    headings = [(m.start(), len(m.group(1)), m.group(2)) for m in _HEADING.finditer(text)]
    seen: dict[str, Tick] = {}
    for m in _TICKED.finditer(text):
        shown = m.group("text").strip().replace("**", "")
        under = _heading_before(headings, m.start())
        if under:
            shown = f"{under}: {shown}"
        tick = Tick(m.group("id"), m.group("kind").replace("-", "_"), shown)
        seen.setdefault(tick.id, tick)
    return list(seen.values())


def _heading_before(headings: list[tuple[int, int, str]], at: int) -> str:
    """The `###` heading the position sits under, if the nearest heading is one."""
    index = bisect.bisect_right(headings, at, key=lambda h: h[0]) - 1
    if index < 0 or headings[index][1] != 3:
        return ""
    return headings[index][2]


def _front(text: str) -> str:
    return text.split("\n---", 1)[0] if text.startswith("---") else ""


def recorded_ids(text: str) -> set[str]:
    """Ids the generated note lists as already recorded (its frontmatter's `done`)."""
    found = _DONE_LINE.search(_front(text))
    return {i.strip() for i in found.group(1).split(",") if i.strip()} if found else set()


def note_day(text: str) -> dt.date | None:
    """The day the note was generated for (its frontmatter's `today`), if it says."""
    found = _TODAY_LINE.search(_front(text))
    try:
        return dt.date.fromisoformat(found.group(1)) if found else None
    except ValueError:
        return None


def ticked_in(text: str) -> dict[str, dt.date]:
    """The frontmatter's `ticked_in`: id → the day of the version it was ticked in."""
    found = _TICKED_IN_LINE.search(_front(text))
    out: dict[str, dt.date] = {}
    for entry in found.group(1).split(",") if found else ():
        key, _, day = entry.strip().partition(" ")
        try:
            out[key] = dt.date.fromisoformat(day.strip())
        except ValueError:
            continue
    return out


def tick_days(text: str, today: dt.date) -> tuple[dt.date, dict[str, dt.date]]:
    """The day each tick in the note refers to: the note's own day, or for a box carried
    over from another device's version, that version's day (`ticked_in`); never after
    `today`. A tick means the item as the note showed it on that day."""
    own = min(note_day(text) or today, today)
    return own, {key: min(day, today) for key, day in ticked_in(text).items()}


def acknowledged(text: str, reflections: Sequence[Reflection]) -> set[str]:
    """Items of the kinds that stay after a tick, that the user ticked and still has ticked.

    A note with no tick needs no ids (thousands of digests when most people are due)."""
    ticks = {t.id for t in ticked(text)}
    if not ticks:
        return set()
    lasting = {
        key
        for r, key in zip(reflections, item_ids(reflections), strict=True)
        if (s := KIND.get(r.kind)) and s.stays_after_tick
    }
    return ticks & lasting


def note_text(root: Path, output: str) -> str:
    """The generated note's text, or "" when it is absent, unreadable or not ours."""
    from vaultcrm.edit.engine import EditRefused, read_for_edit

    if not (root / output).exists():
        return ""
    try:
        data = read_for_edit(root, output, validate=False).data
    except EditRefused:
        return ""  # writing it is refused too, with the reason: `sync` reports that
    if MARKER.encode() not in data:
        return ""
    return data.decode("utf-8", errors="replace")
