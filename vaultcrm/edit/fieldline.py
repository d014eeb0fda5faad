"""The edits that keep a person's hand-kept fields true, as pure byte transforms.

A contact vaultcrm records in a person's note (`log`, a tick) moves their hand-written
`last_contact` field (any spelling, frontmatter or inline) to that day when it is later,
so the vault's own Dataview tables stay true; a ticked follow-up that came from their
`follow_up` field clears that field's value, so it does not come back on the next sync.
Frontmatter keys are edited through `edit/frontmatter.py` (the key's own lines only);
Dataview inline fields (`key:: value`, `[key:: value]`) on their one line. Each result is
read back: the field must then say what was asked, or the note is left as it was (the
contact is still logged: keeping the field true is a courtesy, never a reason to refuse).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from vaultcrm.edit.lines import split_note
from vaultcrm.read.parse import FieldAt, field_at
from vaultcrm.read.spec import DEFAULT_SPEC, ReadSpec

LAST_CONTACT = "last_contact"
FOLLOW_UP = "follow_up"


def _might_hold(data: bytes, spec: ReadSpec, name: str) -> bool:
    """A cheap test before any YAML is read: does the note spell the field anywhere?
    (Case, `-`, `_` and spaces alike, as the reader compares keys.)"""
    folded = data.lower().replace(b"-", b"").replace(b"_", b"").replace(b" ", b"")
    spellings = dict(spec.fields).get(name, (name,))
    return any(s.replace("_", "").encode() in folded for s in spellings)


def moved_last_contact(data: bytes, day: dt.date, spec: ReadSpec = DEFAULT_SPEC) -> bytes:
    """The note with its `last_contact` field moved to `day` when the field holds an
    earlier date; unchanged when it holds a later one, none, or no field at all."""
    if not _might_hold(data, spec, LAST_CONTACT):
        return data
    found = field_at(data, LAST_CONTACT, spec)
    old = found.day() if found is not None else None
    if found is None or old is None or old >= day:
        return data
    try:
        if found.inline:
            iso, new = old.isoformat(), day.isoformat()
            changed = _inline_line(data, found, lambda value: value.replace(iso, new, 1))
        else:
            from vaultcrm.edit.frontmatter import move_frontmatter_date

            changed = move_frontmatter_date(data, found.key, old, day)
    except ValueError:
        return data
    after = field_at(changed, LAST_CONTACT, spec)
    return changed if after is not None and after.day() == day else data


def cleared_follow_up(data: bytes, line: int, spec: ReadSpec = DEFAULT_SPEC) -> bytes:
    """The note with the value of its `follow_up` field removed, when that field is
    written on `line` (the follow-up that was ticked); unchanged otherwise."""
    found = field_at(data, FOLLOW_UP, spec)
    if found is None or found.line != line or found.value in (None, ""):
        return data
    try:
        if found.inline:
            changed = _inline_line(data, found, lambda _value: "")
        else:
            from vaultcrm.edit.frontmatter import clear_frontmatter_key

            changed = clear_frontmatter_key(data, found.key)
    except ValueError:
        return data
    after = field_at(changed, FOLLOW_UP, spec)
    return data if after is not None and after.value not in (None, "") else changed


def follow_up_key(data: bytes, spec: ReadSpec = DEFAULT_SPEC) -> str | None:
    """The note's `follow_up` field's key as the note spells it (`next_follow_up`), to
    say which field a tick cleared; None without one."""
    found = field_at(data, FOLLOW_UP, spec)
    return None if found is None else found.key


#: A Dataview inline field's value as written after `key::`: up to the end of the line,
#: or of its `[…]` / `(…)`; a `[[link]]` inside is kept whole.
_VALUE = r"[ \t]*((?:\[\[[^\]\n]*\]\]|[^\])\r\n])*?)[ \t]*(?=[\])]|\r?$)"


def _inline_line(data: bytes, found: FieldAt, change: Callable[[str], str]) -> bytes:
    """The note with the value of the inline field `found` on its line replaced by
    `change(value)` (the spacing before it is kept only when a value remains)."""
    note = split_note(data)
    at = found.line - 1
    if not 0 <= at < len(note.lines):
        return data
    text = note.lines[at]
    pattern = re.compile(re.escape(found.key) + r"[ \t]*::" + _VALUE, re.IGNORECASE)
    match = pattern.search(text)
    if match is None:
        return data
    value = change(match.group(1))
    start, end = match.span(1)
    if not value:  # `key:: 2026-11-20` → `key::`
        start = text.index("::", match.start()) + 2
    lines = [*note.lines]
    lines[at] = text[:start] + value + text[end:]
    return note.encode(lines)
