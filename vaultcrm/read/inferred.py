"""Flags read from prose, for a whole vault: suggestions per line, and `infer_flags`.

`prose.match` reads one line for one person; this module says which lines to read (an
interaction without a flag, not tagged `#noflag`), whom each is about (the person, and
the other people its links name), and gathers the results: `suggestions` for `vaultcrm
flags suggest|apply`, `with_inferred` for a vault whose config sets `infer_flags: true`
(`assemble` calls it, so every reader of the vault sees the same flags). Pure.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Collection, Iterator, Mapping
from typing import Any

from vaultcrm.config import NOFLAG, Config
from vaultcrm.model import FLAGS, Inferred, Interaction, Person, Vault, stem_of
from vaultcrm.prose.match import About, Evidence, default_confidence, flags_at, read_line
from vaultcrm.read.parse import find_links

Resolve = Callable[[str], "str | None"]


@dataclasses.dataclass(frozen=True)
class Suggestion:
    """The flags one interaction line reads as, for one person, with the words that made
    it so. `confidence` is the lowest of its flags' (each flag listed is at least that)."""

    person: str
    file: str
    line: int
    date: dt.date
    text: str
    evidence: tuple[Evidence, ...]

    @property
    def flags(self) -> tuple[str, ...]:
        return tuple(e.flag for e in self.evidence)

    @property
    def because(self) -> str:
        return "; ".join(dict.fromkeys(e.because for e in self.evidence))

    @property
    def confidence(self) -> float:
        return min(e.confidence for e in self.evidence)

    def to_json(self) -> dict[str, Any]:
        """The public `flags suggest --json` shape (docs/flags.md)."""
        return {
            "file": self.file,
            "line": self.line,
            "person": self.person,
            "date": self.date.isoformat(),
            "flags": list(self.flags),
            "because": self.because,
            "confidence": self.confidence,
            "text": self.text,
        }


def skip_tags(config: Config) -> frozenset[str]:
    """The tags that keep a line unread: its flag tags (already flagged) and `#noflag`."""
    return frozenset(config.tags[f] for f in (*FLAGS, NOFLAG) if f in config.tags)


def resolver(people: Mapping[str, Person]) -> Resolve:
    """Link target → person, from the people themselves (names and aliases; a key two
    people share names nobody), as `read.assemble.roster` resolves links."""
    owners: dict[str, set[str]] = {}
    for person in people.values():
        for key in (person.name, *person.aliases):
            if key.strip():
                owners.setdefault(key.strip().casefold(), set()).add(person.name)
    names = {key: next(iter(who)) for key, who in owners.items() if len(who) == 1}
    return lambda target: names.get(target.casefold())


def _names(person: Person) -> tuple[str, ...]:
    stem = stem_of(person.file)
    return tuple(dict.fromkeys((person.name, *person.aliases, stem)))


def about(person: Person, text: str, resolve: Resolve) -> About:
    """Whom `text` is about: `person`, and the other people its links name."""
    others: list[str] = []
    if "[[" in text:
        for target in find_links(text):
            name = resolve(target)
            if name and name != person.name and name not in others:
                others.append(name)
    return About(_names(person), tuple(others))


def read(
    person: Person, i: Interaction, resolve: Resolve, skip: Collection[str]
) -> tuple[Evidence, ...]:
    """Every flag the line reads as for `person` (any confidence)."""
    return read_line(i.text, about(person, i.text, resolve), skip_tags=skip)


def _unflagged(vault: Vault, who: Collection[str] | None) -> Iterator[tuple[Person, Interaction]]:
    """Interactions without a written flag (an inferred one is not written)."""
    for name, items in vault.interactions.items():
        if who is not None and name not in who:
            continue
        person = vault.people[name]
        for i in items:
            if not i.flags or vault.inferred_of(i) is not None:
                yield person, i


def suggestions(
    vault: Vault,
    config: Config,
    resolve: Resolve,
    *,
    at_least: float | None = None,
    who: Collection[str] | None = None,
    until: dt.date | None = None,
) -> list[Suggestion]:
    """Every interaction line (of the people `who`, else everyone; dated on or before
    `until`, when given) without a flag whose prose reads as one at `at_least` or more
    (default: the rules' default confidence), in file and line order."""
    floor = default_confidence() if at_least is None else at_least
    skip = skip_tags(config)
    found: list[Suggestion] = []
    for person, i in _unflagged(vault, who):
        if until is not None and i.date > until:
            continue
        evidence = flags_at(read(person, i, resolve, skip), floor)
        if evidence:
            found.append(Suggestion(person.name, i.file, i.line, i.date, i.text, evidence))
    found.sort(key=lambda s: (s.file, s.line, s.person.casefold(), s.person))
    return found


def with_inferred(vault: Vault, config: Config, resolve: Resolve) -> Vault:
    """The vault with each unflagged line's flags read from its prose, at the default
    confidence; `inferred` says which, and why. A written flag always wins: a line with
    one (or with `#noflag`) is never read."""
    floor = default_confidence()
    skip = skip_tags(config)
    inferred: dict[tuple[str, str, int], Inferred] = {}
    interactions: dict[str, tuple[Interaction, ...]] = {}
    for name, items in vault.interactions.items():
        person = vault.people[name]
        changed = list(items)
        for at, i in enumerate(items):
            if i.flags:
                continue
            evidence = flags_at(read(person, i, resolve, skip), floor)
            if not evidence:
                continue
            changed[at] = i._replace(flags=frozenset(e.flag for e in evidence))
            inferred[(name, i.file, i.line)] = Inferred(
                tuple((e.flag, e.because, e.confidence) for e in evidence)
            )
        interactions[name] = tuple(changed)
    return dataclasses.replace(vault, interactions=interactions, inferred=inferred)
