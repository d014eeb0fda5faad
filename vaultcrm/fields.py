"""Person fields as real vaults spell them: `Birthday`, `contact-frequency`, `bday:: …`.

Keys match case-insensitively with `-`, `_` and spaces alike (`norm_key`). Config
`fields` names, per field vaultcrm reads, the spellings it accepts, in order: the first
one a note has wins. Dataview inline fields in a person's body (`key:: value` lines,
`[key:: value]`, `(key:: value)`) count like frontmatter keys, and frontmatter wins.
A key that is none of these but close to one (`birtday`) is worth a warning.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from typing import Any

#: Field → accepted spellings, first found wins. The canonical name is always accepted.
DEFAULT_FIELDS: Mapping[str, tuple[str, ...]] = {
    # the person's name as people write it (`name: Ben Cohen` in `ben-cohen.md`)
    "name": ("name", "title", "full_name"),
    "aliases": ("aliases", "alias"),
    "tags": ("tags", "tag"),
    "circle": ("circle",),
    "cadence": ("cadence", "frequency", "contact_frequency", "keep_in_touch"),
    # `birth-date` and `Birth Date` read as birth_date (separators are alike)
    "birthday": ("birthday", "bday", "born", "birthdate", "birth_date"),
    "dates": ("dates",),
    "snooze_until": ("snooze_until",),
    "likes": ("likes",),
    "boundaries": ("boundaries",),
    "last_contact": ("last_contact", "last_contacted", "last_seen"),
    "follow_up": ("follow_up", "next_follow_up", "next_contact"),
    # the people around them (docs/format.md, "Family and people around them")
    "partner": ("partner",),
    "spouse": ("spouse",),
    "children": ("children",),
    "parents": ("parents",),
    "siblings": ("siblings",),
    "relations": ("relations",),
    # an interaction note's people: a plain name there counts like a link
    "attendees": ("attendees", "attendee", "people", "participants", "with", "contacts"),
}

#: The fields that name people around a person, each with the role it gives them; the
#: general `relations` field gives each person the role it is written under.
RELATION_ROLES: Mapping[str, str] = {
    "partner": "partner",
    "spouse": "spouse",
    "children": "child",
    "parents": "parent",
    "siblings": "sibling",
}

#: Normalised spellings per field, as a hashable tuple (it travels to worker processes).
Fields = tuple[tuple[str, tuple[str, ...]], ...]

#: Keys common in notes that sit close to a field name but mean something else
#: (`date` is not a typo of `dates`): never a near miss.
_NOT_MISSES = frozenset(
    {"date", "created", "updated", "modified", "title", "name", "type", "relationship"}
)
#: How close an unknown key must be to a spelling to be taken for a typo of it.
NEAR = 0.8


@functools.lru_cache(maxsize=8192)
def norm_key(key: object) -> str:
    """`Contact-Frequency` → `contact_frequency`: case, `-`, `_` and spaces alike.

    Memoised: every note of a vault repeats the same few keys."""
    return "_".join(str(key).casefold().replace("-", " ").replace("_", " ").split())


def normalise(fields: Mapping[str, Iterable[str]]) -> Fields:
    """Config's field map → normalised spellings, the canonical name always among them."""
    out = []
    for name, spellings in fields.items():
        found = [norm_key(s) for s in spellings]
        if name not in found:
            found.append(name)
        out.append((name, tuple(dict.fromkeys(found))))
    return tuple(out)


DEFAULT_NORMALISED: Fields = normalise(DEFAULT_FIELDS)


class KeyTable:
    """What each distinct frontmatter key means for one field map: the spelling it is (or
    none), else the spelling it is probably a typo of (or none).

    Worked out once per key string and memoised: every note of a vault repeats the same
    few keys, so a note costs one dict lookup per key, and normalising and difflib run
    only for keys never seen before. Keys in `ignored` (normalised) are never near misses.
    """

    #: a key that is neither a spelling nor a near miss, the usual case
    PLAIN: tuple[str, str | None] = ("", None)

    def __init__(self, fields: Fields, ignored: frozenset[str] = frozenset()) -> None:
        self.fields = fields
        self.ignored = ignored
        self.known = tuple(s for _, spellings in fields for s in spellings)
        #: spelling → (field's position in `fields`, the spelling's rank, field name)
        self.where: dict[str, list[tuple[int, int, str]]] = {}
        for at, (name, spellings) in enumerate(fields):
            for rank, spelling in enumerate(spellings):
                self.where.setdefault(spelling, []).append((at, rank, name))
        #: str key as written → (spelling or "", near-missed spelling or None)
        self.memo: dict[str, tuple[str, str | None]] = {}

    def learn(self, key: object) -> tuple[str, str | None]:
        """A key's meaning, remembered when the key is a string (other keys, rare, would
        compare equal across types: `1`, `1.0`, `True`)."""
        normed = norm_key(key)
        if normed in self.where:
            found: tuple[str, str | None] = (normed, None)
        else:
            close = None if normed in self.ignored else self._closest(normed)
            found = self.PLAIN if close is None else ("", close)
        if key.__class__ is str:
            self.memo[key] = found  # type: ignore[index]
        return found

    def _closest(self, key: str) -> str | None:
        if key in _NOT_MISSES or len(key) < 3:
            return None
        import difflib

        close = difflib.get_close_matches(key, self.known, n=1, cutoff=NEAR)
        return close[0] if close else None

    def read(
        self, data: Mapping[Any, Any]
    ) -> tuple[dict[str, tuple[Any, Any]], list[tuple[Any, str]]]:
        """(field → (the key as written, its value), for the fields this mapping holds,
        in field order; (key, the spelling it is close to) per near-miss key, in order).

        For each field the first of its spellings the mapping has wins; of keys written
        alike (`Birthday`, `birthday`), the first one.
        """
        memo, plain = self.memo, self.PLAIN
        written: dict[str, Any] = {}
        misses: list[tuple[Any, str]] = []
        for key in data:
            what = memo.get(key)  # type: ignore[call-overload]
            if what is None:
                what = self.learn(key)
            if what is plain:
                continue
            spelling, close = what
            if close is not None:
                misses.append((key, close))
            elif spelling not in written:
                written[spelling] = key
        if not written:
            return {}, misses
        best: dict[int, tuple[int, str, Any]] = {}
        for spelling, key in written.items():
            if key is None:  # a `null:` key is no field's
                continue
            for at, rank, name in self.where[spelling]:
                held = best.get(at)
                if held is None or rank < held[0]:
                    best[at] = (rank, name, key)
        picked = {name: (key, data[key]) for _, (_, name, key) in sorted(best.items())}
        return picked, misses


@functools.lru_cache(maxsize=8)
def key_table(fields: Fields, ignored: frozenset[str] = frozenset()) -> KeyTable:
    """The memoised `KeyTable` of these settings (one per vault in practice)."""
    return KeyTable(fields, ignored)


# --- Dataview inline fields -------------------------------------------------------------

#: `key:: value` as a whole line (optionally a list item); the key starts with a letter.
_LINE_FIELD = re.compile(
    r"^[ \t]*(?:[-*+][ \t]+)?([^\W\d_][\w \t-]*?)[ \t]*::[ \t]*(.*?)[ \t]*$", re.MULTILINE
)
#: `[key:: value]` or `(key:: value)` inside a line; the value may hold `[[links]]`.
_BRACKET_FIELD = re.compile(
    r"[\[(]([^\W\d_][\w \t-]*?)[ \t]*::[ \t]*((?:\[\[[^\]\n]*\]\]|[^\])\n])*?)[ \t]*[\])]"
)


def inline_fields(body: str, first_line: int) -> list[tuple[str, str, str, int]]:
    """(normalised key, key as written, value, file line) of each inline field, in order."""
    if "::" not in body:
        return []
    found: list[tuple[int, str, str]] = []
    for pattern in (_LINE_FIELD, _BRACKET_FIELD):
        for match in pattern.finditer(body):
            found.append((match.start(), match.group(1), match.group(2)))
    found.sort()
    out = []
    for start, key, value in found:
        line = first_line + body.count("\n", 0, start)
        out.append((norm_key(key), key.strip(), value, line))
    return out


_LINK_VALUE = re.compile(r"\[\[([^\[\]|#\n]*)(?:[|#][^\[\]\n]*)?\]\]")


def inline_value(name: str, text: str) -> object:
    """An inline field's text as the frontmatter reader expects it: a `[[link]]` is its
    target (`[[2026-01-02]]` is a date), list fields split at commas."""
    text = _LINK_VALUE.sub(lambda m: m.group(1).strip(), text).strip()
    if name in ("aliases", "tags", "likes", *RELATION_ROLES):
        return [part.strip() for part in text.split(",") if part.strip()]
    return text


def pick_inline(
    body: str, first_line: int, fields: Fields, taken: Iterable[str]
) -> dict[str, tuple[str, object, int]]:
    """Field → (key as written, value, line) from inline fields, for fields not in `taken`."""
    inline = inline_fields(body, first_line)
    if not inline:
        return {}
    first: dict[str, tuple[str, str, int]] = {}
    for key, written, value, line in inline:
        first.setdefault(key, (written, value, line))
    skip = set(taken)
    out: dict[str, tuple[str, object, int]] = {}
    for name, spellings in fields:
        if name in skip:
            continue
        for spelling in spellings:
            hit = first.get(spelling)
            if hit is not None:
                out[name] = (hit[0], inline_value(name, hit[1]), hit[2])
                break
    return out
