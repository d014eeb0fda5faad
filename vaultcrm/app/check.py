"""`vaultcrm check`: every problem in the vault, as values, for a person to fix.

Most problems are found while loading (unreadable YAML, impossible dates, bad cadences,
unknown circles, shared names and aliases); the rules here add what loading does not
need to know: links in daily notes that almost name a person, daily notes whose name is
an impossible date, person notes whose file name is unsafe, and two person notes that
disagree about what they are to each other (`reflect.relations.disagreements`). Each
rule is one small pure function over records.
"""

from __future__ import annotations

import difflib
import heapq
import os
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from vaultcrm.app.flags import flags_hint
from vaultcrm.app.gitsetup import driver_problem
from vaultcrm.app.names import name_problem
from vaultcrm.config import people_folder_error
from vaultcrm.model import NoteRecord, Problem, stem_of
from vaultcrm.read.parse import DATE_RE, link_target
from vaultcrm.read.session import ReadSession
from vaultcrm.reflect.relations import disagreements
from vaultcrm.regular import read_regular
from vaultcrm.words import TEMPLATE_LEAVES_OUT, listed

#: How close a link must be to a name or alias to be taken for a typo of it.
NEAR = 0.8
_LINK = re.compile(r"(?<!!)\[\[([^\[\]\n]+?)\]\]")


@dataclass(frozen=True)
class CheckReport:
    """The problems found, in file order, what was found, and how to sum them up."""

    problems: list[Problem]
    notes_checked: int = 0
    people: int = 0
    interactions: int = 0
    open_follow_ups: int = 0
    #: one-line tips before the summary (that `vaultcrm flags suggest` exists, when no
    #: line carries a flag tag); never problems, so they change no exit code
    hints: list[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> int:
        return len(self.problems) - self.errors

    @property
    def notes(self) -> int:
        """How many files have at least one problem."""
        return len({p.path for p in self.problems})

    def summary(self) -> str:
        """What was found, then the problems: never a bare all-clear, since "no problems"
        from a vault where nobody was found would hide a mistyped folder."""
        found = (
            f"{_count(self.people, 'person', 'people')}, "
            f"{_count(self.interactions, 'interaction')}, "
            f"{_count(self.open_follow_ups, 'open follow-up')}"
        )
        if not self.problems:
            return f"{found} — no problems in {_count(self.notes_checked, 'note')}"
        return (
            f"{found} — {_count(self.errors, 'error')}, {_count(self.warnings, 'warning')} "
            f"in {_count(self.notes_checked, 'note')}"
        )

    def to_json(self) -> dict[str, object]:
        return {
            "problems": [p.to_json() for p in self.problems],
            "errors": self.errors,
            "warnings": self.warnings,
            "notes": self.notes,
            "checked": self.notes_checked,
            "people": self.people,
            "interactions": self.interactions,
            "open_follow_ups": self.open_follow_ups,
            "summary": self.summary(),
            "hints": list(self.hints),
        }


def _count(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {plural or word + 's'}"


def check_vault(session: ReadSession) -> CheckReport:
    """Load the vault as `sync` does and run every rule; never raises on bad content."""
    root, config, config_problems = session.root, session.config, session.config_problems
    records = session.records()
    vault = session.vault()
    labels = {
        label.strip().casefold(): label.strip()
        for person in vault.people.values()
        for label in (person.name, *person.aliases)
        if label.strip()
    }
    found = [
        *config_problems,
        *vault.problems,
        *unsafe_names(records),
        *disagreements(vault),
    ]
    misses = near_miss_links(records, labels)
    if misses:
        found += _locate(root, _drop_existing_notes(root, misses))
    if not vault.people and people_folder_error(config_problems) is None:
        from vaultcrm.read.discover import nobody_found

        found.append(nobody_found(root, config))  # never a silent all-clear
    driver = driver_problem(root, config)
    if driver is not None:  # one line, in a git vault only
        found.append(driver)
    template = template_problem(root)
    if template is not None:
        found.append(template)
    unique = sorted(set(found), key=lambda p: (p.path, p.line or 0, p.col or 0, p.message))
    interactions = sum(len(items) for items in vault.interactions.values())
    open_follow_ups = sum(1 for items in vault.follow_ups.values() for f in items if not f.done)
    open_follow_ups += sum(len(p.open_tasks) for p in vault.people.values())  # undated
    hint = flags_hint(vault, config)
    return CheckReport(
        unique, len(records), len(vault.people), interactions, open_follow_ups,
        [hint] if hint else [],
    )  # fmt: skip


# --- rules ------------------------------------------------------------------------------


def template_problem(root: Path) -> Problem | None:
    """A warning on the vault's own `reflections.md.j2` when its note leaves out the items
    of some kinds (`output.render.kinds_left_out`: written before those kinds existed)."""
    from vaultcrm.output.render import kinds_left_out

    found = kinds_left_out(root)
    if found is None:
        return None
    path, kinds = found
    try:
        shown = path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        shown = str(path)
    several = len(kinds) > 1
    message = TEMPLATE_LEAVES_OUT.format(
        kinds=listed(kinds),
        their="their" if several else "its",
        branches="their branches" if several else "its branch",
    )
    return Problem(shown, None, message, "warning")


def unsafe_names(records: Iterable[NoteRecord]) -> list[Problem]:
    """Person notes whose file name is unportable or cannot be linked to in Obsidian."""
    out = []
    for rec in records:
        if rec.kind != "person":
            continue
        name = stem_of(rec.path)
        reason = name_problem(name)
        if reason is not None:
            out.append(Problem(rec.path, None, f"unsafe file name: {reason}", "warning"))
    return out


@dataclass(frozen=True)
class NearMiss:
    path: str
    line: int
    target: str
    suggestion: str


def near_miss_links(records: Iterable[NoteRecord], labels: Mapping[str, str]) -> list[NearMiss]:
    """Daily-note links that name nobody but are close (difflib ratio ≥ NEAR) to a
    person's name or alias: almost surely a typo. Links far from every name (a book,
    a place, a date) are not problems."""
    misses: list[NearMiss] = []
    memo: dict[str, str | None] = {}
    finder: _Finder | None = None
    for rec in records:
        if rec.kind != "daily":
            continue
        for entry in rec.entries:
            for target in entry.links:
                key = target.casefold()
                if key in labels or DATE_RE.fullmatch(key):
                    continue
                if key not in memo:
                    finder = finder or _Finder(labels)
                    memo[key] = finder.closest(key)
                if memo[key] is not None:
                    misses.append(NearMiss(rec.path, entry.line, target, str(memo[key])))
    return misses


class _Finder:
    """Closest label by difflib ratio, comparing only labels that share the most
    trigrams with the target: a vault has thousands of names, a typo few candidates."""

    TOP = 24

    def __init__(self, labels: Mapping[str, str]) -> None:
        self.labels = labels
        self.keys = list(labels)
        self.grams: dict[str, list[int]] = defaultdict(list)
        for i, key in enumerate(self.keys):
            for gram in _trigrams(key):
                self.grams[gram].append(i)

    def closest(self, target: str) -> str | None:
        shared: Counter[int] = Counter()
        for gram in _trigrams(target):
            shared.update(self.grams.get(gram, ()))
        best = heapq.nlargest(self.TOP, shared.items(), key=lambda kv: kv[1])
        candidates = [self.keys[i] for i, _ in best]
        close = difflib.get_close_matches(target, candidates, n=1, cutoff=NEAR)
        return self.labels[close[0]] if close else None


def _trigrams(text: str) -> set[str]:
    padded = f"  {text} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def _drop_existing_notes(root: Path, misses: Sequence[NearMiss]) -> list[NearMiss]:
    """A link to a note that exists (a book, a place) is fine, however close its name."""
    targets = {m.target.casefold() for m in misses}
    existing: set[str] = set()
    for _dirpath, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        existing.update(
            f[:-3].casefold() for f in files if f.endswith(".md") and f[:-3].casefold() in targets
        )
    return [m for m in misses if m.target.casefold() not in existing]


def _locate(root: Path, misses: Sequence[NearMiss]) -> list[Problem]:
    """Problems for the misses, each pointing at its link's column (files are read once)."""
    by_path: dict[str, list[NearMiss]] = defaultdict(list)
    for miss in misses:
        by_path[miss.path].append(miss)
    out: list[Problem] = []
    for path, group in by_path.items():
        try:
            text = read_regular(root / path).decode("utf-8-sig", errors="replace")
        except OSError:
            text = ""
        lines = text.replace("\r\n", "\n").split("\n")
        columns: dict[int, dict[str, int]] = {}  # per line, each target's first column
        for miss in group:
            if miss.line not in columns:  # one pass per line, however many misses it holds
                line = lines[miss.line - 1] if 0 < miss.line <= len(lines) else ""
                found: dict[str, int] = {}
                for m in _LINK.finditer(line):
                    found.setdefault(link_target(m.group(1)), m.start() + 1)
                columns[miss.line] = found
            col = columns[miss.line].get(miss.target)
            message = f"[[{miss.target}]] links to no one; did you mean [[{miss.suggestion}]]?"
            out.append(Problem(path, miss.line, message, "warning", col))
    return out
