"""The import plan: for each contact, create a note, fill in what a note lacks, or skip,
and why. Pure: it sees the vault as `Known` people and never touches a file.

A contact matches a person when its name or a nickname is the person's name or alias, or
one of its emails is theirs (all case-insensitively). A match only ever gains keys it does
not have (absent, or empty like the `tags: []` that `vaultcrm add` writes) and a body
when it has none: nothing the user wrote is changed, so importing the same file again
finds nothing to do. Contacts are planned in order against the vault as the earlier
steps leave it, so two cards for one person make one note.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from vaultcrm.interop.contacts import Contact, frontmatter_values
from vaultcrm.model import Problem

Action = Literal["create", "fill", "unchanged", "skip"]
NameCheck = Callable[[str], "str | None"]


@dataclass(frozen=True)
class Known:
    """A person note as the import sees it: who it is, which keys it has, if it has a body.

    `readable` is False when its frontmatter does not parse (it can only be matched).
    """

    name: str
    file: str
    aliases: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    present: frozenset[str] = frozenset()
    body_blank: bool = True
    readable: bool = True


@dataclass(frozen=True)
class Step:
    """What the import does with one contact, and why (shown by `--dry-run`)."""

    action: Action
    contact: Contact
    reason: str
    name: str | None = None  # the person's name (new or matched)
    file: str | None = None  # their note, vault-relative
    values: Mapping[str, object] = field(default_factory=dict)  # keys to write
    body: str | None = None  # text to put in the body
    kept: tuple[str, ...] = ()  # keys the note already has (left as they are)
    notes: tuple[str, ...] = ()  # values left out, and why

    def problem(self) -> Problem | None:
        """A skipped contact as a `file:line: card N: …` problem."""
        if self.action != "skip":
            return None
        src = self.contact.source
        return Problem(src.file, src.line, f"{src.label}: {self.reason}; skipped")

    def to_json(self) -> dict[str, object]:
        src = self.contact.source
        return {
            "action": self.action,
            "source": {"file": src.file, "line": src.line, "position": src.label},
            "contact": self.contact.name,
            "person": self.name,
            "file": self.file,
            "keys": list(self.values) + (["body"] if self.body else []),
            "kept": list(self.kept),
            "reason": self.reason,
            "notes": list(self.notes),
        }


@dataclass
class _Person:
    name: str
    file: str
    present: set[str]
    body_blank: bool
    readable: bool
    created_by: str | None = None  # the contact's position, for a note this plan creates


def plan(
    contacts: Sequence[Contact],
    known: Iterable[Known],
    *,
    people_folder: str,
    name_problem: NameCheck,
) -> list[Step]:
    """One step per contact, in order; `name_problem` is `add`'s file-name safety check."""
    people: list[_Person] = []
    keys: dict[str, set[int]] = {}  # casefolded name or alias → people
    mails: dict[str, set[int]] = {}  # casefolded email → people

    def remember(index: int, names: Iterable[str], emails: Iterable[str]) -> None:
        for name in names:
            keys.setdefault(name.casefold(), set()).add(index)
        for email in emails:
            mails.setdefault(email.casefold(), set()).add(index)

    for person in known:
        people.append(
            _Person(
                person.name, person.file, set(person.present), person.body_blank, person.readable
            )
        )
        remember(len(people) - 1, [person.name, *person.aliases], person.emails)

    folder = people_folder.strip().strip("/")
    steps: list[Step] = []
    for contact in contacts:
        matched = _matches(contact, keys, mails)
        if len(matched) > 1:
            who = ", ".join(sorted((people[i].name for i in matched), key=str.casefold))
            steps.append(Step("skip", contact, f"it matches {len(matched)} people ({who})"))
            continue
        if matched:
            index, how = next(iter(matched.items()))
            step = _fill(contact, people[index], keys, index, how)
            if step.action == "fill":
                remember(index, step.values.get("aliases", []), step.values.get("emails", []))  # type: ignore[arg-type]
            steps.append(step)
            continue
        step = _create(contact, folder, keys, name_problem)
        if step.action == "create" and step.name and step.file:
            values = step.values
            created = _Person(
                step.name, step.file, set(values), not step.body, True, contact.source.label
            )
            people.append(created)
            aliases: list[str] = list(values.get("aliases", []))  # type: ignore[call-overload]
            emails: list[str] = list(values.get("emails", []))  # type: ignore[call-overload]
            remember(len(people) - 1, [step.name, *aliases], emails)
        steps.append(step)
    return steps


def _matches(
    contact: Contact, keys: Mapping[str, set[int]], mails: Mapping[str, set[int]]
) -> dict[int, str]:
    """The people this contact matches, each with how (for the plan's reason)."""
    found: dict[int, str] = {}
    for index in keys.get(contact.name.casefold(), set()):
        found.setdefault(index, "name")
    for alias in contact.aliases:
        for index in keys.get(alias.casefold(), set()):
            found.setdefault(index, f"nickname {alias!r}")
    for email in contact.emails:
        for index in mails.get(email.casefold(), set()):
            found.setdefault(index, f"email {email}")
    return found


def _free_aliases(
    aliases: Iterable[str], own: str, keys: Mapping[str, set[int]], index: int | None
) -> tuple[list[str], list[str]]:
    """Aliases that are nobody else's name or alias, and notes on those left out."""
    kept: list[str] = []
    notes: list[str] = []
    for alias in aliases:
        holders = keys.get(alias.casefold(), set()) - ({index} if index is not None else set())
        if alias.casefold() == own.casefold():
            continue
        if holders:
            notes.append(f"alias {alias!r} is already someone else's name or alias; left out")
        else:
            kept.append(alias)
    return kept, notes


def _fill(
    contact: Contact, person: _Person, keys: Mapping[str, set[int]], index: int, how: str
) -> Step:
    matched = f"matches {person.name} by {how}"
    if person.created_by:
        matched += f" (created from {person.created_by} above)"
    if not person.readable:
        reason = f"{matched}, whose frontmatter does not parse; fix it first"
        return Step("skip", contact, reason, person.name, person.file)
    values = frontmatter_values(contact)
    notes: list[str] = []
    if "aliases" in values:
        free, notes = _free_aliases(contact.aliases, person.name, keys, index)
        values["aliases"] = free
    values = {k: v for k, v in values.items() if v}
    missing = {k: v for k, v in values.items() if k not in person.present}
    kept = tuple(k for k in values if k in person.present)
    body = contact.note if contact.note and person.body_blank else None
    if contact.note and not body:
        kept += ("body",)
    if not missing and not body:
        reason = f"{matched}; the note already has everything this contact holds"
        return Step(
            "unchanged", contact, reason, person.name, person.file, kept=kept, notes=tuple(notes)
        )
    person.present |= set(missing)
    if body:
        person.body_blank = False
    added = ", ".join([*missing, *(["body"] if body else [])])
    reason = f"{matched}; adds {added}"
    if kept:
        reason += f"; keeps the note's own {', '.join(kept)}"
    return Step(
        "fill", contact, reason, person.name, person.file, missing, body, kept, tuple(notes)
    )


def _create(
    contact: Contact, folder: str, keys: Mapping[str, set[int]], name_problem: NameCheck
) -> Step:
    name = contact.name
    notes: list[str] = []
    aliases = list(contact.aliases)
    problem = name_problem(name)
    if problem is not None:
        cleaned = clean_name(name)
        if not cleaned or name_problem(cleaned) is not None:
            return Step("skip", contact, f"cannot name a note {name!r}: {problem}")
        if keys.get(cleaned.casefold()):
            return Step(
                "skip",
                contact,
                f"{name!r} is unsafe as a file name ({problem}) and "
                f"{cleaned!r} is someone else's name or alias",
            )
        notes.append(f"named {cleaned!r}: {problem}; {name!r} is kept as an alias")
        aliases.insert(0, name)
        name = cleaned
    values = frontmatter_values(contact)
    free, left_out = _free_aliases(aliases, name, keys, None)
    values["aliases"] = free
    values = {k: v for k, v in values.items() if v}
    notes += left_out
    if contact.named_after == "organization":
        notes.append("the contact has only an organization: the note is named after it")
    file = f"{folder}/{name}.md" if folder else f"{name}.md"
    reason = "no person has this name, alias or email"
    return Step("create", contact, reason, name, file, values, contact.note, (), tuple(notes))


_UNSAFE = re.compile(r'[/\\:*?"<>|#^\[\]]+')


def clean_name(name: str) -> str:
    """`name` made safe as a file name, or "" when nothing sensible is left: characters
    that break links or file systems become spaces, leading and trailing dots go."""
    kept = "".join(c for c in name if unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Zl", "Zp"))
    text = " ".join(_UNSAFE.sub(" ", kept).split()).replace("..", ".")
    return text.strip(" .")


def summary(steps: Sequence[Step], problems: Sequence[Problem]) -> dict[str, int]:
    """created / filled in / unchanged / skipped; a card or row that could not be read
    (an error) counts as skipped."""
    counts = {"created": 0, "filled": 0, "unchanged": 0, "skipped": 0}
    names = {"create": "created", "fill": "filled", "unchanged": "unchanged", "skip": "skipped"}
    for step in steps:
        counts[names[step.action]] += 1
    counts["skipped"] += sum(1 for p in problems if p.severity == "error")
    return counts
