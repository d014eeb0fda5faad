"""Stable ids for the generated note's task lines, and reading back which ones were ticked.

Each actionable line ends in an Obsidian block id (`^vcrm-reach-out-1a2b3c4d`): hidden in
Obsidian's preview, stable across runs, and enough to know what a tick meant even after
the note's wording (a template override) changed.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from .model import Reflection

_TICKED = re.compile(r"^[ \t]*[-*+] \[[xX]\] .*\^(vcrm-([a-z-]+)-([0-9a-f]{8}))[ \t]*\r?$", re.M)


def _digest(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode(), usedforsecurity=False).hexdigest()[:8]


def id_for(kind: str, person: str, *key: str) -> str:
    return f"vcrm-{kind.replace('_', '-')}-{_digest(kind, person, *key)}"


def item_id(r: Reflection) -> str:
    """Follow-ups are told apart by where and what they are; every other kind by person."""
    if r.kind == "follow_up":
        return id_for(
            r.kind,
            r.person,
            str(r.data.get("source_file", "")),
            str(r.data.get("date", "")),
            str(r.data.get("text", "")),
        )
    return id_for(r.kind, r.person)


@dataclass(frozen=True)
class Tick:
    id: str
    kind: str


def ticked(text: str) -> list[Tick]:
    """Ids of the ticked task lines in a generated note, in order, each once."""
    seen: dict[str, Tick] = {}
    for m in _TICKED.finditer(text):
        seen.setdefault(m.group(1), Tick(m.group(1), m.group(2).replace("-", "_")))
    return list(seen.values())
