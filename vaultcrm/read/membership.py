"""Who is a person: a note under `people_folder`, or one that says so itself.

Real vaults keep people beside films and places and mark them with a tag
(`people_tags`: frontmatter `tags` or a body `#tag`) or a property
(`people_properties`: `categories: "[[People]]"`, `type: person`). Values compare
case-insensitively, a `[[link]]` as its target, and a list property matches when it
contains the value.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from vaultcrm.fields import norm_key
from vaultcrm.read.parse import find_tags
from vaultcrm.read.spec import ReadSpec, property_value


def flat_texts(value: object) -> Iterator[str]:
    """Every text in a property value, lists flattened (YAML reads an unquoted
    `[[People]]` as a list in a list; its text is then `[[People]]` again)."""
    if isinstance(value, list):
        if len(value) == 1 and isinstance(value[0], list) and len(value[0]) == 1:
            inner = value[0][0]
            if isinstance(inner, str):
                yield f"[[{inner}]]"
                return
        for item in value:
            yield from flat_texts(item)
    elif isinstance(value, str | int | float) and not isinstance(value, bool):
        yield str(value)


def frontmatter_tags(data: Mapping[Any, Any]) -> list[str]:
    """The `tags` (or `tag`) property's tags, lower-cased, without '#'."""
    found: dict[str, None] = {}  # in order, once each
    for key, value in data.items():
        if norm_key(key) in ("tags", "tag"):
            for text in flat_texts(value):
                for tag in text.replace(",", " ").split():
                    tag = tag.lstrip("#").lower()
                    if tag:
                        found[tag] = None
    return list(found)


def _has_tag(tags: list[str], wanted: tuple[str, ...]) -> bool:
    return any(t == w or t.startswith(w + "/") for t in tags for w in wanted)


def is_person(data: Mapping[Any, Any], body: str, spec: ReadSpec) -> bool:
    """Whether a note outside the people folder is a person by its tags or properties."""
    if spec.people_tags:
        if _has_tag(frontmatter_tags(data), spec.people_tags):
            return True
        if "#" in body and _has_tag(find_tags(body), spec.people_tags):
            return True
    if spec.people_properties and data:
        values: dict[str, object] = {}
        for key, value in data.items():
            values.setdefault(norm_key(key), value)
        for key, wanted in spec.people_properties:
            if key in values and any(
                property_value(text) in wanted for text in flat_texts(values[key])
            ):
                return True
    return False
