"""The people around a person, as their note writes them → `Relation` records.

    partner: "[[Lucy Marsh]]"
    children: [Noah, {name: Mia, birthday: 2021-05-01}]
    relations: {colleague: "[[Ana Sousa]]", godmother: Ruth}

Each value is a link to another note, a plain name or a mapping (`name`, and optionally
`birthday`, `dates` and `role`), one of them or a list; an unquoted `[[Name]]`, which
YAML reads as a list in a list, is a link too. Pure: the note's parser (`read/parse.py`)
hands in how it reads links and dates, and turns the messages into problems. Also which
people some notes name (`named_people`), for incremental passes and briefs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from vaultcrm.cache.plan import relation_keys
from vaultcrm.fields import DEFAULT_FIELDS, RELATION_ROLES, norm_key
from vaultcrm.model import NoteRecord, Relation, YearlyDate

#: (value, label, where) → the yearly date; raises ValueError with a message that starts
#: with `where` (`read.parse._yearly`)
YearlyReader = Callable[[object, str, str], YearlyDate]
#: a line → the targets of its wikilinks, in order (`read.parse.find_links`)
LinkReader = Callable[[str], list[str]]

#: Every field that names people around a person: the fixed roles and `relations`.
RELATION_FIELDS = frozenset({*RELATION_ROLES, "relations"})
_BIRTHDAY_KEYS = frozenset(norm_key(k) for k in DEFAULT_FIELDS["birthday"])
_EXPECTED = "expected a name, a [[link]] or {name: …, birthday: …}"


#: A value that cannot be read: its message, and the `relations` role it is under (the
#: parser points at that role's line), if any.
Unread = tuple[str, str | None]


def read_relations(
    field: str,
    key: str,
    value: object,
    line: int | None,
    yearly: YearlyReader,
    links: LinkReader,
    role_line: Callable[[str], int | None] = lambda _: None,
) -> tuple[list[Relation], list[Unread]]:
    """The relations one field of a note names, and each value it cannot read (the rest
    still count). `key` is the field as the note spells it, `line` its line; under
    `relations`, `role_line` finds the line of a role."""
    if field != "relations":
        found, errors = _people(RELATION_ROLES[field], key, value, line, yearly, links)
        return found, [(message, None) for message in errors]
    if not isinstance(value, dict):
        example = '{colleague: "[[Ana Sousa]]"}'
        return [], [(f"{key}: expected roles with people, e.g. {example}", None)]
    found = []
    unread: list[Unread] = []
    for role, item in value.items():
        name = " ".join(str(role).split()).lower()
        if not name or role is None:
            continue
        at = role_line(str(role)) or line
        got, bad = _people(name, f"{key}: {role}", item, at, yearly, links)
        found += got
        unread += [(message, str(role)) for message in bad]
    return found, unread


def _people(
    role: str, where: str, value: object, line: int | None, yearly: YearlyReader, links: LinkReader
) -> tuple[list[Relation], list[str]]:
    found: list[Relation] = []
    errors: list[str] = []
    for item in _items(value):
        try:
            relation = _one(role, where, item, line, yearly, links)
        except ValueError as err:
            errors.append(str(err))
            continue
        if relation is not None:
            found.append(relation)
    return found, errors


def _is_link(value: object) -> bool:
    """An unquoted `[[Name]]`, as YAML reads it: a list holding a list holding one text."""
    return (
        isinstance(value, list)
        and len(value) == 1
        and isinstance(value[0], list)
        and len(value[0]) == 1
        and isinstance(value[0][0], str)
    )


def _items(value: object) -> list[object]:
    if _is_link(value) or not isinstance(value, list):
        return [value]
    out: list[object] = []
    for item in value:
        out.extend(_items(item) if isinstance(item, list) and not _is_link(item) else [item])
    return out


def _named(value: object, where: str, links: LinkReader) -> tuple[str, bool] | None:
    """(the name or link target, whether it is a link); None when empty."""
    if _is_link(value):
        value = f"[[{value[0][0]}]]"  # type: ignore[index]
    if not isinstance(value, str):
        raise ValueError(f"{where}: {_EXPECTED}")
    text = value.strip()
    if "[[" in text:
        targets = links(text)
        if targets:
            return targets[0], True
    return (text, False) if text else None


def _one(
    role: str, where: str, item: object, line: int | None, yearly: YearlyReader, links: LinkReader
) -> Relation | None:
    if item is None:
        return None
    if not isinstance(item, dict):
        named = _named(item, where, links)
        return None if named is None else Relation(role, named[0], named[1], line=line)
    fields: dict[str, Any] = {norm_key(k): v for k, v in item.items() if k is not None}
    named = _named(fields.get("name"), where, links) if fields.get("name") is not None else None
    if named is None:
        example = "{name: Noah, birthday: 2019-03-22}"
        raise ValueError(f"{where}: a mapping needs a name, e.g. {example}")
    birthday = None
    for spelling in _BIRTHDAY_KEYS:
        if fields.get(spelling) is not None:
            birthday = yearly(fields[spelling], "birthday", f"{where}: {named[0]}: birthday")
            break
    dates: list[YearlyDate] = []
    given = fields.get("dates")
    if isinstance(given, dict):
        for label, day in given.items():
            dates.append(yearly(day, str(label), f"{where}: {named[0]}: dates: {label}"))
    elif given is not None:
        raise ValueError(f"{where}: {named[0]}: dates: expected labels with dates")
    own_role = fields.get("role")
    if isinstance(own_role, str) and own_role.strip():
        role = " ".join(own_role.split()).lower()
    return Relation(
        role, named[0], named[1], birthday, tuple(sorted(dates, key=lambda d: d.label)), line
    )


def named_people(
    records: Iterable[NoteRecord], names: Mapping[str, str], of: Iterable[str] | None = None
) -> set[str]:
    """The people the person notes among `records` (only those of the people `of`, when
    given) name as someone around them, resolved by `names` (the roster's link table):
    the notes an incremental pass or a brief must read too, for their birthdays."""
    wanted = None if of is None else set(of)
    found: set[str] = set()
    for rec in records:
        person = rec.person
        if person is None or not person.relations:
            continue
        if wanted is not None and person.name not in wanted:
            continue
        for key in relation_keys(rec):
            name = names.get(key)
            if name and name != person.name:
                found.add(name)
    return found
