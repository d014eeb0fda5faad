"""Plain records that flow from parsing to reflections.

Only the standard library (and `words.py`, which imports nothing else) is imported here,
so every other module can depend on it without cost. Records are frozen: a `Vault`
snapshot is a value, never mutated in place. The records made by the hundred thousand
(`FileSig`, `Entry`, `Interaction`, `FollowUp`) are NamedTuples, several times cheaper to
build than frozen dataclasses; the hottest loops build them through `new_entry` /
`new_interaction` (below), the rest are dataclasses.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NamedTuple, TypeVar

from vaultcrm.words import PROBLEM_WORDS

Severity = Literal["error", "warning"]
NoteKind = Literal["person", "daily", "meeting", "other"]
TaskState = Literal["open", "done"]

#: Canonical interaction flags; config `tags` maps each to the tag the user writes.
FLAGS: tuple[str, ...] = ("shared", "heard", "deep", "win")
#: The flags of an open exchange (I opened up, they did, a truly open one): what the note
#: recalls for the kinds that ask for it (`KindSpec.open_context`).
OPEN_FLAGS: frozenset[str] = frozenset(FLAGS[:3])

class FileSig(NamedTuple):
    """What the walk learns about a file without reading it (one per note, every run)."""

    rel: str
    mtime_ns: int
    size: int
    kind: NoteKind
    day: dt.date | None = None


@dataclass
class LoadStats:
    """What a run did: files seen, parsed again, reused from the index; people reflected."""

    files: int = 0
    parsed: int = 0
    reused: int = 0
    removed: int = 0
    cache: str | None = None
    cache_rebuilt: str | None = None
    reflected: int = 0  # people whose reflections were worked out (not taken from the cache)


@dataclass(frozen=True)
class Problem:
    """Something wrong in one file, kept as a value so the rest of the vault still loads.

    `path` is vault-relative (POSIX separators); `line` and `col` count from 1.
    """

    path: str
    line: int | None
    message: str
    severity: Severity = "error"
    col: int | None = None

    def format(self) -> str:
        """`path:line:col: message`, the form editors jump to."""
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.col is not None:
                where += f":{self.col}"
        label = "" if self.severity == "error" else PROBLEM_WORDS["warning"]
        return f"{where}: {label}{self.message}"

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "col": self.col,
            "severity": self.severity,
            "message": self.message,
        }


#: `sync` and `watch` print at most this many problem lines (`check` lists them all).
PROBLEM_LINES = 20


def capped_problem_lines(problems: Sequence[Problem], limit: int = PROBLEM_LINES) -> list[str]:
    """At most `limit` problem lines, then one that says how many more there are: at
    10,000 people, a vault-wide mistake must not bury the terminal."""
    lines = [p.format() for p in problems[:limit]]
    if len(problems) > limit:
        lines.append(PROBLEM_WORDS["more"].format(count=len(problems) - limit))
    return lines


@dataclass(frozen=True)
class YearlyDate:
    """A date that comes back every year (a birthday, a wedding); `year` may be unknown."""

    label: str
    month: int
    day: int
    year: int | None = None


class Entry(NamedTuple):
    """One meaningful line of a note, before names are resolved to people.

    A person note yields its dated list items and its tasks; a daily note yields every
    line that carries a wikilink. `links` are raw link targets as written (path, heading
    and display text stripped); resolution to people happens in `read/assemble.py`, because it
    needs every person's name and aliases.
    """

    line: int
    text: str
    date: dt.date | None = None
    tags: tuple[str, ...] = ()  # lower-cased, without '#'
    links: tuple[str, ...] = ()
    task: TaskState | None = None  # None: not a task line


@dataclass(frozen=True)
class Relation:
    """Someone around a person, as their note names them (`partner`, `children`, a
    `relations` role…): a link to another note, a plain name, or a mapping that may carry
    their birthday and dates. Resolved to a person (by name or alias) only when read
    (`Vault.person_named`), since that needs everyone's names."""

    role: str  # singular, as the note's key says it ("partner", "child") or a `relations` key
    name: str  # a link's target, or the name as written
    linked: bool = False  # written as a [[link]]
    birthday: YearlyDate | None = None  # from a mapping {name, birthday}
    dates: tuple[YearlyDate, ...] = ()  # from a mapping {name, dates}
    line: int | None = None  # the file line of the key that names them


@dataclass(frozen=True)
class Person:
    """One person note: frontmatter holds the fields. `name` is how the person is called
    everywhere (their `name`/`title` field, else the file name; the file name stays an
    alias, `stem`), and the key of every mapping of people."""

    name: str
    file: str
    aliases: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    circle: str | None = None
    cadence_days: int | None = None  # explicit per-person override
    birthday: YearlyDate | None = None
    dates: tuple[YearlyDate, ...] = ()
    snooze_until: dt.date | None = None
    likes: tuple[str, ...] = ()
    boundaries: str | None = None
    #: file line of each top-level frontmatter key, so later checks can point at it
    key_lines: Mapping[str, int] = field(default_factory=dict, compare=False)
    #: the people around them (`partner`, `spouse`, `children`, `parents`, `siblings`,
    #: `relations`), in the order the note names them
    relations: tuple[Relation, ...] = ()
    #: the texts of the open tasks without a date in their note: open with them, due
    #: on no day (never overdue)
    open_tasks: tuple[str, ...] = ()
    #: `cadence: never`: kept for reference (an author), never nudged to keep in touch
    never: bool = False

    @property
    def stem(self) -> str:
        """The note's file name without `.md`: an alias whatever the name is, and what a
        link to the note is made of (`[[stem|name]]`)."""
        return stem_of(self.file)


def stem_of(path: str) -> str:
    """`people/ben-cohen.md` → `ben-cohen`."""
    return path[path.rfind("/") + 1 :].removesuffix(".md")


class Claim(NamedTuple):
    """What one person note claims: enough to resolve links and check the roster.

    A NamedTuple (immutable, compared by value, as a frozen dataclass would be): a cold
    sync makes one per person note twice, and a tuple is much cheaper to build.
    """

    path: str
    name: str
    keys: tuple[str, ...]  # casefolded name and aliases
    aliases_line: int | None = None
    circle: str | None = None
    circle_line: int | None = None

    @classmethod
    def of(cls, person: Person) -> Claim:
        keys = {person.name.casefold(), person.stem.casefold()}
        for alias in person.aliases:
            if alias := alias.strip():
                keys.add(alias.casefold())
        lines = person.key_lines
        return cls(
            person.file,
            person.name,
            tuple(sorted(keys)),
            lines.get("aliases"),
            person.circle,
            lines.get("circle"),
        )


@dataclass(frozen=True)
class NoteRecord:
    """What parsing one file yields; this is the unit the index caches."""

    path: str
    kind: NoteKind
    person: Person | None = None  # for kind == "person" when the frontmatter parsed
    day: dt.date | None = None  # for kind == "daily" or "meeting"
    entries: tuple[Entry, ...] = ()
    problems: tuple[Problem, ...] = ()


class Interaction(NamedTuple):
    """Contact with one person on one day; `flags` are canonical names from FLAGS."""

    person: str
    date: dt.date
    text: str
    file: str
    line: int
    flags: frozenset[str] = frozenset()


class FollowUp(NamedTuple):
    """A task about a person, due on `due`; where it was written, so it can be ticked."""

    person: str
    due: dt.date
    text: str
    file: str
    line: int
    done: bool = False


_T = TypeVar("_T", bound=tuple)  # type: ignore[type-arg]


def fast_constructor(cls: type[_T]) -> Callable[[tuple[Any, ...]], _T]:
    """`cls(*fields)` without the NamedTuple's Python-level `__new__` (no defaults, no
    keywords): the one place the hot loops build records from a tuple of every field, in
    the class's field order (pinned by tests/test_model.py). Parsing and assembling a big
    vault make one per log line (150,000 on the synthetic vault)."""
    return functools.partial(tuple.__new__, cls)


new_entry = fast_constructor(Entry)
new_interaction = fast_constructor(Interaction)


class Inferred(NamedTuple):
    """Flags read from a line's prose (config `infer_flags`), none of them written on it:
    per flag, the words that made it so ("she told me") and the rule's confidence."""

    evidence: tuple[tuple[str, str, float], ...]  # (flag, because, confidence)

    def because(self, flags: Iterable[str] | None = None) -> tuple[str, ...]:
        """The words behind `flags` (all of them when None), once each."""
        wanted = None if flags is None else set(flags)
        found = (w for f, w, _ in self.evidence if wanted is None or f in wanted)
        return tuple(dict.fromkeys(found))


@dataclass(frozen=True)
class Vault:
    """A resolved snapshot of the vault: people, what happened with them, and problems.

    Mappings are keyed by person name and iterate in a deterministic (sorted) order;
    interaction and follow-up tuples are sorted by date, then file, then line.
    `names` resolves names and aliases for the whole vault, even when `people` holds
    only some of it (an incremental pass). `inferred` holds, per (person, file, line),
    the flags an interaction has only because its prose reads as them (config
    `infer_flags`; empty otherwise).
    """

    root: Path
    people: Mapping[str, Person]
    interactions: Mapping[str, tuple[Interaction, ...]]
    follow_ups: Mapping[str, tuple[FollowUp, ...]]
    problems: tuple[Problem, ...] = ()
    inferred: Mapping[tuple[str, str, int], Inferred] = field(default_factory=dict)
    #: casefolded name or alias → person name ("" when several people claim it): the
    #: roster's link table, so a relation's name resolves as a link does
    names: Mapping[str, str] = field(default_factory=dict)

    def person_named(self, target: str) -> str | None:
        """The person a link target or a plain name means: exactly their name or an alias,
        in any case; None for nobody, or for a name several people share."""
        return self.names.get(target.casefold()) or None
    #: the flags some interaction of the whole vault carries (written, or inferred with
    #: `infer_flags`): a kind built on a flag stays silent until the vault uses it.
    #: None: not known, nothing is silenced.
    flags_used: frozenset[str] | None = None

    def inferred_of(self, i: Interaction) -> Inferred | None:
        """What of `i`'s flags was inferred from its prose, if any (a dict lookup: the
        rules ask only when `inferred` is not empty)."""
        return self.inferred.get((i.person, i.file, i.line)) if self.inferred else None


@dataclass(frozen=True)
class Reflection:
    """One reason to reach out to one person, ready for a template or JSON.

    `data` holds the kind-specific fields (docs/json.md lists them per kind:
    last_contact, cadence_days, overdue_days, count, date, age, …); dates stay `date`
    objects until `to_json`.
    """

    kind: str
    person: str
    file: str
    reason: str
    data: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The public `due --json` shape: kind, person, file, reason, then the fields."""
        out: dict[str, Any] = {
            "kind": self.kind,
            "person": self.person,
            "file": self.file,
            "reason": self.reason,
        }
        for key, value in self.data.items():
            out[key] = value.isoformat() if isinstance(value, dt.date) else value
        return out
