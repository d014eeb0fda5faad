"""`vaultcrm flags suggest|apply`, and the hint that they exist, as values (never printed).

The vault is loaded by one call, as `people` loads it (`showing.snapshot`); suggestions
come from `read.inferred`; `apply` writes through the edit engine (`edit.tagline`), one
note at a time, only lines that still read as they did, and says what it refused. A
line that counts for several people (a daily note linking two) is tagged only with the
flags it reads as for every one of them: a tag on a line counts for all it links.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from vaultcrm.config import Config
from vaultcrm.model import FLAGS, LoadStats, Problem, Vault
from vaultcrm.words import FLAGS_HINT, KIND_WORDS, SKIPPED_SHARED_LINE, listed

if TYPE_CHECKING:  # the rules are imported by the commands that read prose, not by `sync`
    from vaultcrm.read.inferred import Suggestion
    from vaultcrm.read.session import ReadSession


@dataclass(frozen=True)
class Suggested:
    """What `flags suggest` found: the suggestions at `at_least` or more, and the vault's
    problems (shown on stderr, as every reading command shows them)."""

    today: dt.date
    at_least: float
    suggestions: list[Suggestion]
    problems: list[Problem]
    stats: LoadStats
    tags: Mapping[str, str] = field(default_factory=dict)  # flag → the tag written for it


def _load(
    session: ReadSession, query: str | None
) -> tuple[Config, Vault, str | None, list[Problem], LoadStats]:
    from vaultcrm.app.names import resolve_person
    from vaultcrm.app.showing import snapshot

    found = snapshot(session)
    who = None
    if query is not None:
        who = resolve_person(session, query).name
    return found.config, found.vault, who, found.problems, found.stats


def suggest(
    session: ReadSession, query: str | None = None, *, at_least: float | None = None
) -> Suggested:
    """Every interaction line of `query`'s person (else everyone's), dated up to today and
    without a flag, whose prose reads as one at `at_least` or more (default: the rules'
    default confidence). Raises `UsageError` for an unknown or ambiguous person."""
    from vaultcrm.prose.match import default_confidence
    from vaultcrm.read.inferred import resolver, suggestions

    floor = default_confidence() if at_least is None else at_least
    config, vault, who, problems, stats = _load(session, query)
    today = session.today
    found = suggestions(
        vault, config, resolver(vault.people), at_least=floor,
        who=None if who is None else {who}, until=today,
    )  # fmt: skip
    return Suggested(today, floor, found, problems, stats, dict(config.tags))


# -- apply ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    """Tags to add to one line, for the people it counts for, and why."""

    file: str
    line: int
    text: str
    people: tuple[str, ...]
    flags: tuple[str, ...]
    tags: tuple[str, ...]
    because: str
    confidence: float


@dataclass(frozen=True)
class Skipped:
    """A suggestion `apply` leaves alone, and why."""

    suggestion: Suggestion
    reason: str


@dataclass(frozen=True)
class Plan:
    """What `flags apply` would write, line by line, in file and line order."""

    root: Path
    today: dt.date
    at_least: float
    lines: list[Planned]
    skipped: list[Skipped]
    problems: list[Problem]
    stats: LoadStats

    @property
    def files(self) -> list[str]:
        return list(dict.fromkeys(p.file for p in self.lines))


@dataclass
class Applied:
    """What `apply_plan` did: the lines written (per note), and the notes it refused."""

    written: list[Planned] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # one message per note not written
    conflicts: list[str] = field(default_factory=list)  # editor saves kept aside


def plan(
    session: ReadSession, query: str | None = None, *, at_least: float | None = None
) -> Plan:
    """The tags `flags apply` would add, and the suggestions it would leave, without
    writing anything."""
    from vaultcrm.prose.match import default_confidence
    from vaultcrm.read.inferred import resolver, suggestions

    floor = default_confidence() if at_least is None else at_least
    config, vault, who, problems, stats = _load(session, query)
    today = session.today
    found = suggestions(vault, config, resolver(vault.people), at_least=floor, until=today)
    lines, skipped = plan_lines(vault, config, found, who)
    return Plan(session.root, today, floor, lines, skipped, problems, stats)


def plan_lines(
    vault: Vault, config: Config, found: Sequence[Suggestion], who: str | None = None
) -> tuple[list[Planned], list[Skipped]]:
    """Group suggestions by line. A line's tags are the flags it reads as for everyone it
    counts for (its tags count for all of them); the rest is skipped, saying for whom it
    does not read so. With `who`, only lines that count for that person."""
    counts_for: dict[tuple[str, int], list[str]] = defaultdict(list)
    for name, items in vault.interactions.items():
        for i in items:
            counts_for[(i.file, i.line)].append(name)
    by_line: dict[tuple[str, int], list[Suggestion]] = defaultdict(list)
    for s in found:
        by_line[(s.file, s.line)].append(s)
    lines: list[Planned] = []
    skipped: list[Skipped] = []
    for (file, number), mine in sorted(by_line.items()):
        people = tuple(dict.fromkeys(counts_for.get((file, number), [s.person for s in mine])))
        if who is not None and who not in people:
            continue
        read_for = {s.person: set(s.flags) for s in mine}
        common = set.intersection(*(read_for.get(p, set()) for p in people))
        for s in mine:
            left = set(s.flags) - common
            if left:
                others = [p for p in people if not read_for.get(p, set()) >= left]
                skipped.append(Skipped(s, SKIPPED_SHARED_LINE.format(others=", ".join(others))))
        if not common:
            continue
        flags = tuple(f for f in FLAGS if f in common)
        evidence = [e for s in mine for e in s.evidence if e.flag in common]
        lines.append(
            Planned(
                file, number, mine[0].text, people, flags,
                tuple(config.tags[f] for f in flags),
                "; ".join(dict.fromkeys(e.because for e in evidence)),
                min(e.confidence for e in evidence),
            )
        )  # fmt: skip
    return lines, skipped


def apply_plan(plan: Plan) -> Applied:
    """Write the plan, one note at a time, through the edit engine; a note that cannot be
    written (changed since it was read, a conflict, a merge under way) is refused and the
    others are still written. Idempotent: a line holding its tags is left as it is."""
    from vaultcrm.edit.engine import EditRefused, edit, settled
    from vaultcrm.edit.tagline import TagLine, add_tags

    done = Applied()
    by_file: dict[str, list[Planned]] = defaultdict(list)
    for one in plan.lines:
        by_file[one.file].append(one)
    for file, planned in by_file.items():
        edits = [TagLine(p.line, p.text, p.tags) for p in planned]

        def transform(data: bytes, edits: list[TagLine] = edits) -> bytes:
            return add_tags(data, edits)

        try:
            result = edit(plan.root, file, transform, landed=settled(transform))
        except EditRefused as err:
            done.refused.append(str(err))
            continue
        if result.conflict:
            done.conflicts.append(f"{file}: your editor's save is kept as {result.conflict}")
        done.written.extend(planned)
    return done


# -- the hint ---------------------------------------------------------------------------------

#: The order in which the hint offers `vaultcrm log`'s flag options (`--deep` first: the
#: kind whose silence is the most felt).
_OFFERED = ("deep", "shared", "heard", "win")


def flags_hint(vault: Vault, config: Config) -> str | None:
    """One line saying how to start using the flags the vault has never used, and which
    kinds stay silent until then (`KindSpec.built_on`): for a vault with interactions,
    unless it reads flags from prose (`infer_flags`)."""
    from vaultcrm.reflect.kinds import silent_kinds

    silent = silent_kinds(vault.flags_used)
    if config.infer_flags or not silent or not any(vault.interactions.values()):
        return None
    used = vault.flags_used or frozenset()
    unused = [f for f in FLAGS if f not in used]
    offered = [f for f in _OFFERED if f in unused]
    others = "" if len(offered) < 2 else " (or " + ", ".join(f"--{f}" for f in offered[1:]) + ")"
    return FLAGS_HINT.format(
        tags=listed([f"#{config.tags[f]}" for f in unused], "or"),
        kinds=listed([KIND_WORDS[k].label.lower() for k in silent]),
        stay="stays" if len(silent) == 1 else "stay",
        option=f"--{offered[0]}",
        others=others,
    )


def first_sync_hints(session: ReadSession) -> list[str]:
    """The hints of a vault's first sync (the one that creates the note), from the
    session's records. Only then: a later sync reads nothing it does not need."""
    config = session.config
    if config.infer_flags:
        return []
    hint = flags_hint(session.vault(), config)
    return [hint] if hint else []
