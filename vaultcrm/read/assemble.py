"""Records → a `Vault` snapshot: resolve names and aliases, pure (no file is read here)."""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from vaultcrm.config import Config
from vaultcrm.model import (
    FLAGS,
    Claim,
    FollowUp,
    Interaction,
    NoteRecord,
    Problem,
    Vault,
    new_interaction,
    stem_of,
)


def flag_reader(
    config: Config, memo: dict[tuple[str, ...], frozenset[str]] | None = None
) -> Callable[[tuple[str, ...]], frozenset[str]]:
    """tags of a line → canonical flags (shared/heard/deep/win), memoised: lines repeat
    tags. The memo (`memo`, when given) ends up holding every flag set handed out."""
    wanted = [(flag, config.tags[flag]) for flag in FLAGS if flag in config.tags]
    if memo is None:
        memo = {}
    memo[()] = frozenset()

    def flags(tags: tuple[str, ...]) -> frozenset[str]:
        found = memo.get(tags)
        if found is None:
            found = memo[tags] = frozenset(flag for flag, tag in wanted if tag in tags)
        return found

    return flags


#: A name or alias claimed by more than one person resolves to nobody.
AMBIGUOUS = ""


@dataclass(frozen=True)
class Roster:
    """Who is who: the kept note per name, the link table, and what is wrong with them."""

    paths: dict[str, str]  # person name → the note that defines them
    names: dict[str, str]  # casefolded name or alias → person name, or AMBIGUOUS
    problems: list[Problem]


#: At most this many names are spelt out in a "shared by" warning.
SHARED_SHOWN = 5


def shared_message(key: str, owners: list[str]) -> str:
    """`name or alias 'alice' is shared by A, B, C, D, E and 145 more; …`."""
    shown = ", ".join(owners[:SHARED_SHOWN])
    if len(owners) > SHARED_SHOWN:
        shown += f" and {len(owners) - SHARED_SHOWN} more"
    return f"name or alias {key!r} is shared by {shown}; links to it count for no one"


def roster(claims: Iterable[Claim], config: Config) -> Roster:
    """Duplicate names, shared aliases and unknown circles, from the claims alone."""
    problems: list[Problem] = []
    paths: dict[str, str] = {}
    kept: list[Claim] = []
    for claim in sorted(claims, key=_path_of):
        if claim.name in paths:
            # a name from a `name:` field, not the file's: that field is what to change
            fix = "" if stem_of(claim.path) == claim.name else ": give one of them another name"
            problems.append(
                Problem(
                    claim.path,
                    None,
                    f"another note is also named "
                    f"{claim.name!r} ({paths[claim.name]}); this one is ignored{fix}",
                )
            )
            continue
        paths[claim.name] = claim.path
        kept.append(claim)
    # each key's claims in path order (`kept` is), one per person: names are unique here
    owners: dict[str, list[Claim]] = {}
    for claim in kept:
        for key in claim.keys:
            found = owners.get(key)
            if found is None:
                owners[key] = [claim]
            else:
                found.append(claim)
    names: dict[str, str] = {}
    for key, sharing in owners.items():
        if len(sharing) == 1:
            names[key] = sharing[0].name
            continue
        names[key] = AMBIGUOUS
        # one warning per shared key, however many share it (10,000 people aliased by
        # first name must not print a line per note, each listing hundreds of names)
        first = sharing[0]
        message = shared_message(key, [c.name for c in sharing])
        problems.append(Problem(first.path, first.aliases_line, message, "warning"))
    known = ", ".join(sorted(config.circles)) or "none"
    for claim in kept:
        if claim.circle is not None and claim.circle not in config.circles:
            problems.append(
                Problem(
                    claim.path,
                    claim.circle_line,
                    f"unknown circle {claim.circle!r} (known: {known}); using default_cadence",
                    "warning",
                )
            )
    return Roster(paths, names, problems)


def assemble(
    root: Path,
    records: Iterable[NoteRecord],
    config: Config,
    problems: Iterable[Problem] = (),
    who: Roster | None = None,
) -> Vault:
    """Resolve links to people and build the snapshot. Pure: no file is read here.

    With `who` (the whole vault's roster) the records may be a subset: only the people
    whose notes are among them appear, and roster problems are left to the caller.
    """
    found: list[Problem] = list(problems)
    records = sorted(records, key=_path_of)
    person_records = [r for r in records if r.kind == "person" and r.person is not None]
    if who is None:
        who = roster((Claim.of(r.person) for r in person_records if r.person), config)
        found.extend(who.problems)
    people = {
        r.person.name: r.person
        for r in person_records
        if r.person is not None and who.paths.get(r.person.name) == r.path
    }
    handed: dict[tuple[str, ...], frozenset[str]] = {}
    flags = flag_reader(config, handed)
    names = who.names
    interactions: dict[str, list[Interaction]] = {n: [] for n in people}
    follow_ups: dict[str, list[FollowUp]] = {n: [] for n in people}
    for rec in records:
        if rec.problems:
            found.extend(rec.problems)
        if rec.kind == "person":
            person = rec.person
            if person is None or person.name not in people or people[person.name] is not person:
                continue
            name, path = person.name, rec.path
            mine, tasks = interactions[name], follow_ups[name]
            # entries unpacked as the tuples they are: this loop runs once per log line
            for line, text, when, tags, _links, task in rec.entries:
                if when is None:
                    continue
                if task is not None:
                    tasks.append(FollowUp(name, when, text, path, line, task == "done"))
                else:
                    mine.append(new_interaction((name, when, text, path, line, flags(tags))))
        elif rec.day is not None and rec.kind in ("daily", "meeting"):
            day, path = rec.day, rec.path
            for line, text, when, tags, links, task in rec.entries:
                if len(links) == 1:  # most lines link one note: skip the general case
                    one = names.get(links[0].casefold())
                    linked: Iterable[str] = (one,) if one else ()
                else:
                    linked = _resolve(links, names)
                for name in linked:
                    if name not in people:
                        continue
                    if task is not None:
                        follow_ups[name].append(
                            FollowUp(name, when or day, text, path, line, task == "done")
                        )
                    else:
                        interactions[name].append(
                            new_interaction((name, day, text, path, line, flags(tags)))
                        )

    for name, person in people.items():
        field_line = person.key_lines.get("last_contact")  # a hand-kept last contact
        if field_line is not None:
            interactions[name] = once_a_day(interactions[name], person.file, field_line)
    order = sorted(people, key=lambda n: (n.casefold(), n))
    vault = Vault(
        root=root,
        people={n: people[n] for n in order},
        interactions={n: tuple(sorted(interactions[n], key=_when_where)) for n in order},
        follow_ups={n: tuple(sorted(follow_ups[n], key=_due_where)) for n in order},
        problems=tuple(sort_problems(found)),
        names=names,
        # every flag set handed to an interaction: the flags the vault uses (with `who`,
        # those of these people only: the caller knows the rest)
        flags_used=frozenset().union(*handed.values()),
    )
    if config.infer_flags:  # flags read from prose (docs/flags.md); off: no cost at all
        from vaultcrm.read.inferred import with_inferred

        vault = with_inferred(vault, config, _resolver(names))
        inferred = {f for got in vault.inferred.values() for f, _, _ in got.evidence}
        if vault.flags_used is not None and not inferred <= vault.flags_used:
            vault = dataclasses.replace(vault, flags_used=vault.flags_used | inferred)
    return vault


def once_a_day(items: list[Interaction], file: str, line: int) -> list[Interaction]:
    """`items` without the contact a person's `last_contact` field (at `file`:`line`)
    makes when a real interaction with them is on the same day: one contact, not two."""
    field = next((i for i in items if i.line == line and i.file == file), None)
    if field is None or not any(i.date == field.date and i is not field for i in items):
        return items
    return [i for i in items if i is not field]


def _resolver(names: dict[str, str]) -> Callable[[str], str | None]:
    return lambda target: names.get(target.casefold()) or None


_path_of = operator.attrgetter("path")
_when_where = operator.attrgetter("date", "file", "line")
_due_where = operator.attrgetter("due", "file", "line")


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Distinct problems in file, line, column order."""
    return sorted(set(problems), key=lambda p: (p.path, p.line or 0, p.col or 0, p.message))


def _resolve(links: Iterable[str], names: dict[str, str]) -> list[str]:
    """The distinct people a line links to, in the order first linked."""
    out: dict[str, None] = {}
    for link in links:
        name = names.get(link.casefold())
        if name:
            out[name] = None
    return list(out)
