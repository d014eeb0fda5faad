"""Interaction notes: a meeting note is contact with everyone it links.

A note that is neither a person nor a daily note, whose date is known (its `date`
property, or a file name that starts with `YYYY-MM-DD`), is an interaction on that date
with every person its frontmatter links (`people`, `attendees`, `contacts`, `with`…, any
property); in an `interaction_folders` folder, with every person its body links too. In
its people properties (the `attendees` field's spellings), a plain name counts like a
link: `attendees: [Max Klein, Me]` is contact with Max Klein (and with nobody called Me).
Its text is the note's title, its tags (frontmatter and body) set the flags.

It becomes a record of kind "meeting" holding one entry, which the index, the
incremental engine and `vault.assemble` treat like a daily-note line.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from vaultcrm.fields import norm_key
from vaultcrm.model import Entry, NoteRecord, Problem, stem_of
from vaultcrm.read.membership import flat_texts, frontmatter_tags, is_person
from vaultcrm.read.parse import (
    _decode,
    _load_frontmatter,
    _outside_fences,
    find_links,
    find_tags,
    person_record,
    split_frontmatter,
)
from vaultcrm.read.spec import ReadSpec

_LEADING_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?!\d)")
_TITLE_SEPARATORS = " \t-—–_:,."


def _date_of(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return _leading_date(value.strip().strip("[]"))
    return None


def _leading_date(text: str) -> dt.date | None:
    match = _LEADING_DATE.match(text)
    if match is None:
        return None
    try:
        return dt.date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def note_date(data: dict[Any, Any], stem: str) -> dt.date | None:
    """The `date` property's date, else the one the file name starts with."""
    for key, value in data.items():
        if norm_key(key) == "date":
            found = _date_of(value)
            if found is not None:
                return found
    return _leading_date(stem)


def frontmatter_links(data: dict[Any, Any]) -> list[str]:
    """Link targets in any property, in order, once each."""
    found: dict[str, None] = {}  # in order, once each, in linear time
    for value in data.values():
        for text in flat_texts(value):
            if "[[" in text:
                found.update(dict.fromkeys(find_links(text)))
    return list(found)


def attendee_names(data: dict[Any, Any], spec: ReadSpec) -> list[str]:
    """Plain names (not links) in the people properties, in order, once each: a list's
    items, or a text's parts between commas."""
    keys = spec.attendee_keys
    found: dict[str, None] = {}
    for key, value in data.items():
        if norm_key(key) not in keys:
            continue
        texts = list(flat_texts(value))
        if isinstance(value, str):
            texts = value.split(",")
        for text in texts:
            name = " ".join(text.split())
            if name and "[[" not in name:
                found[name] = None
    return list(found)


def title(stem: str) -> str:
    """`2023-09-12 Meeting with Steph` → `Meeting with Steph` (the date is the entry's)."""
    match = _LEADING_DATE.match(stem)
    rest = stem[match.end() :].lstrip(_TITLE_SEPARATORS) if match else stem
    return rest or stem


def parse_other(path: str, data: bytes, spec: ReadSpec) -> NoteRecord:
    """A note outside the people and daily folders: a person (by tag or property), an
    interaction note, or nothing vaultcrm reads (an empty "other" record).

    Nothing here is a problem: these notes are the user's films and places, not ours to
    judge. Notes that cannot matter are dropped before their YAML is read.
    """
    nothing = NoteRecord(path, "other")
    in_folder = spec.in_interaction_folder(path)
    anywhere = spec.finds_people_anywhere
    head = data[:8].removeprefix(b"\xef\xbb\xbf")
    if not anywhere and not in_folder and not head.startswith(b"---"):
        return nothing  # no frontmatter: nothing can link anyone from it
    try:
        text = _decode(data)
    except UnicodeDecodeError:
        return nothing
    fm, body, first_line = split_frontmatter(text)
    if not anywhere and not in_folder and (
        fm is None or ("[[" not in fm and spec.attendee_line.search(fm) is None)
    ):
        return nothing
    fields: dict[Any, Any] = {}
    problems: list[Problem] = []  # duplicate keys: said only if the note is a person
    if fm is not None:
        loaded, _ = _load_frontmatter(path, fm, problems)
        if loaded is None:
            return nothing
        fields = loaded
    if anywhere and is_person(fields, body, spec):
        return person_record(path, fm or "", fields, body, first_line, problems, spec)
    stem = stem_of(path)
    day = note_date(fields, stem)
    if day is None:
        return nothing
    links = frontmatter_links(fields)
    names = attendee_names(fields, spec)
    if names:
        links = list(dict.fromkeys([*links, *names]))
    if in_folder and "[[" in body:
        links = list(dict.fromkeys([*links, *find_links(_outside_fences(body))]))
    if not links:
        return nothing
    tags = frontmatter_tags(fields)
    if "#" in body:
        tags = list(dict.fromkeys([*tags, *find_tags(_outside_fences(body))]))
    entry = Entry(1, title(stem), None, tuple(tags), tuple(links), None)
    return NoteRecord(path, "meeting", day=day, entries=(entry,))
