"""What parsing a note needs to know of the config, as one small hashable value.

Worker processes receive it with every chunk of files, and memoised helpers key on it,
so it holds tuples only. Everything in it is part of the config fingerprint, which keys
the index: records parsed under other settings are never reused.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vaultcrm.fields import DEFAULT_NORMALISED, Fields, norm_key, normalise

if TYPE_CHECKING:
    from vaultcrm.config import Config


def _under(rel: str, folder: str) -> bool:
    return not folder or rel == folder or rel.startswith(folder + "/")


@dataclass(frozen=True)
class ReadSpec:
    daily_folder: str = "Journal"
    daily_format: str = "YYYY-MM-DD"
    daily_explicit: bool = False
    people_folder: str = "People"
    #: lower-cased, without '#'; a nested tag (`people/work`) counts for its parent
    people_tags: tuple[str, ...] = ()
    #: (normalised key, accepted values casefolded and link-stripped)
    people_properties: tuple[tuple[str, tuple[str, ...]], ...] = ()
    interaction_folders: tuple[str, ...] = ()
    fields: Fields = DEFAULT_NORMALISED

    @property
    def daily(self) -> tuple[str, str, bool]:
        return (self.daily_folder, self.daily_format, self.daily_explicit)

    def in_people_folder(self, rel: str) -> bool:
        return _under(rel.rpartition("/")[0], self.people_folder)

    def in_interaction_folder(self, rel: str) -> bool:
        folder = rel.rpartition("/")[0]
        return any(_under(folder, f) for f in self.interaction_folders if f)

    @property
    def finds_people_anywhere(self) -> bool:
        return bool(self.people_tags or self.people_properties)

    @functools.cached_property
    def attendee_keys(self) -> frozenset[str]:
        """The people properties' spellings (the `attendees` field), normalised."""
        return frozenset(dict(self.fields).get("attendees", ("attendees",)))

    @functools.cached_property
    def attendee_line(self) -> re.Pattern[str]:
        """A test for a frontmatter line holding a people property: a note without one
        (and without a link) is dropped before its YAML is read. Cached on the spec, as
        every file of a walk asks it and hashing the fields each time would cost."""
        words = "|".join(re.escape(s).replace("_", "[-_ ]") for s in self.attendee_keys)
        return re.compile(rf"""^["']?(?:{words})["']?[ \t]*:""", re.MULTILINE | re.IGNORECASE)


def property_value(value: str) -> str:
    """How a property value compares: casefolded, a `[[link]]` as its target (`[[People]]`,
    `[[Categories/People|People]]` and `People` alike)."""
    text = value.strip()
    if text.startswith("[[") and text.endswith("]]"):
        text = text[2:-2].partition("|")[0].partition("#")[0]
        text = text[text.rfind("/") + 1 :].strip()
        if text[-3:].lower() == ".md":
            text = text[:-3].rstrip()
    return text.casefold()


def read_spec(config: Config) -> ReadSpec:
    """The parse settings of this config."""
    return ReadSpec(
        daily_folder=config.daily_folder,
        daily_format=config.daily_format,
        daily_explicit=config.daily_format_explicit,
        people_folder=config.people_folder.strip().strip("/"),
        people_tags=tuple(config.people_tags),
        people_properties=tuple(
            (norm_key(key), tuple(property_value(v) for v in values))
            for key, values in sorted(config.people_properties.items())
        ),
        interaction_folders=tuple(config.interaction_folders),
        fields=normalise(config.fields),
    )


DEFAULT_SPEC = ReadSpec()
