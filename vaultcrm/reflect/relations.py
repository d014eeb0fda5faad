"""The people around a person, resolved against the vault, pure.

A note names people around its person (`Relation`: a link, a plain name or a mapping);
here each is resolved as a link is (a name or alias, any case: `Vault.person_named`) and
given what the rules, the brief and `check` need: their name as the vault knows it, their
birthday and dates (the mapping's, else their own note's), and the relation read the
other way, for a person whose note another note names but who does not name it back.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from vaultcrm.model import Interaction, Person, Problem, Relation, Vault, YearlyDate
from vaultcrm.words import (
    EXCLUSIVE_ROLES,
    NAMED_AS,
    RELATION_PROBLEMS,
    REVERSE_ROLES,
    ROLE_OF,
)


@dataclass(frozen=True)
class Around:
    """Someone around a person, as seen from that person.

    `role` is what they are to the person ("partner", "son"); read from the other's note,
    it is the reverse of what that note says (a "child" there is a "parent" here), or,
    for a role with no known reverse, how that note puts it ("Ana Sousa is their boss").
    """

    role: str
    name: str  # as the vault knows them (their note's name), else as written
    person: str | None  # their person note's name, when they have one
    file: str | None
    birthday: YearlyDate | None
    dates: tuple[YearlyDate, ...]
    declared: bool  # the person's own note names them (False: read from their note)
    line: int | None = None


def reverse_role(role: str) -> str | None:
    """What the other side is, seen from the one `role` names; None when unknown."""
    return REVERSE_ROLES.get(ROLE_OF.get(role, role))


def _resolved(relation: Relation, owner: str, vault: Vault) -> tuple[str | None, Person | None]:
    name = vault.person_named(relation.name)
    if name is None or name == owner:
        return None, None
    return name, vault.people.get(name)


def declared(person: Person, vault: Vault) -> list[Around]:
    """The people `person`'s note names, in its order, each once (the first mention of
    someone wins). A relation who has a person note takes their birthday and dates from
    it when the note names them without any."""
    out: list[Around] = []
    seen: set[str] = set()
    for relation in person.relations:
        name, other = _resolved(relation, person.name, vault)
        key = name or relation.name.casefold()
        if key in seen:
            continue
        seen.add(key)
        birthday, dates = relation.birthday, relation.dates
        if other is not None:
            birthday = birthday or other.birthday
            dates = dates or other.dates
        out.append(
            Around(
                role=relation.role,
                name=name or relation.name,
                person=name,
                file=other.file if other is not None else None,
                birthday=birthday,
                dates=dates,
                declared=True,
                line=relation.line,
            )
        )
    return out


def naming(person: Person, vault: Vault) -> list[Around]:
    """The people whose notes name `person`, who do not name them back, by name: what
    they are to `person`, read from their notes. Only the notes in `vault` are seen (a
    partial vault holds the notes that name the person: the index links them)."""
    mine = {vault.person_named(r.name) for r in person.relations}
    out: list[Around] = []
    for other in vault.people.values():
        if other.name == person.name or other.name in mine or not other.relations:
            continue
        relation = next(
            (r for r in other.relations if vault.person_named(r.name) == person.name), None
        )
        if relation is None:
            continue
        role = reverse_role(relation.role) or NAMED_AS.format(
            name=person.name, role=relation.role
        )
        out.append(
            Around(role, other.name, other.name, other.file, other.birthday, other.dates, False)
        )
    return out


def around(person: Person, vault: Vault) -> list[Around]:
    """Everyone around `person`: those their note names, then those naming them."""
    return [*declared(person, vault), *naming(person, vault)]


def mentions(around: Around, vault: Vault, past: Sequence[Interaction]) -> Interaction | None:
    """The last of `past` (the person's interactions) that mentions them: their name or an
    alias in any case, or their first name as written (capitalised, a whole word)."""
    pattern = _mention_pattern(around, vault)
    for i in reversed(past):
        if pattern.search(i.text):
            return i
    return None


def _mention_pattern(around: Around, vault: Vault) -> re.Pattern[str]:
    names = {around.name}
    other = vault.people.get(around.person) if around.person else None
    if other is not None:
        names.update(a for a in other.aliases if a.strip())
    full = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    first = around.name.split()[0] if " " in around.name else ""
    words = rf"(?i:{full})" + (rf"|{re.escape(first)}" if len(first) > 1 else "")
    return re.compile(rf"(?<!\w)(?:{words})(?!\w)")


def disagreements(vault: Vault) -> list[Problem]:
    """Pairs of person notes that name each other as things that cannot both be true
    ("partner" here, "sibling" there; a child who names someone else as parent is fine,
    one partner naming another partner is not), once per pair, as warnings on the note
    whose path sorts first, at the line of its key. Roles with no known reverse are
    never compared."""
    found: list[Problem] = []
    for person in vault.people.values():
        for mine in declared(person, vault):
            other = vault.people.get(mine.person) if mine.person else None
            if other is None:
                continue
            all_theirs = declared(other, vault)
            theirs = [a for a in all_theirs if a.person == person.name]
            if theirs and (other.file, other.name) < (person.file, person.name):
                continue  # named both ways: said once, from the note whose path sorts first
            problem = _disagree(person, mine, other, theirs, all_theirs)
            if problem is not None:
                found.append(problem)
    return found


def _disagree(
    person: Person, mine: Around, other: Person, theirs: list[Around], all_theirs: list[Around]
) -> Problem | None:
    role = ROLE_OF.get(mine.role, mine.role)
    expected = REVERSE_ROLES.get(role)
    if expected is None:
        return None
    if theirs:
        said = ROLE_OF.get(theirs[0].role, theirs[0].role)
        if said not in REVERSE_ROLES or _couple(said) == _couple(expected):
            return None
        message = RELATION_PROBLEMS["roles"].format(
            a=person.name, b=other.name, role=mine.role, file_b=other.file,
            their_role=theirs[0].role,
        )  # fmt: skip
        return Problem(person.file, mine.line, message, "warning")
    if _couple(role) != "partner":
        return None
    rival = next((a for a in all_theirs if _couple(ROLE_OF.get(a.role, a.role)) == "partner"), None)
    if rival is None:
        return None
    message = RELATION_PROBLEMS["exclusive"].format(
        b=other.name, role=mine.role, file_b=other.file, other=rival.name, their_role=rival.role
    )
    return Problem(person.file, mine.line, message, "warning")


def _couple(role: str) -> str:
    """A partner and a spouse are one role for agreeing (`EXCLUSIVE_ROLES`)."""
    return "partner" if role in EXCLUSIVE_ROLES else role
