"""Import contacts into the vault and export people out of it: the use cases behind
`vaultcrm import` and `vaultcrm export`, as functions that never print.

The formats and the plan are pure (`vaultcrm.interop`); this module reads the vault
into what the plan needs and carries the plan out through the edit engine: a new note
is rendered from the person template (the same file-name safety as `add`) and created,
a matched note gains only the keys it lacks, one `set_frontmatter_key` at a time, each
re-checked against the bytes on disk, so nothing the user wrote changes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vaultcrm.edit.engine import EditRefused, EditResult
from vaultcrm.errors import UsageError
from vaultcrm.interop.contacts import (
    KEYS,
    Contact,
    Source,
    Spellings,
    contact_from_frontmatter,
    key_name,
    key_of,
    with_config_fields,
)
from vaultcrm.interop.merge import Known, Step, plan, summary
from vaultcrm.model import Problem, stem_of
from vaultcrm.regular import read_regular

if TYPE_CHECKING:
    from vaultcrm.interop.ics import Event
    from vaultcrm.read.session import ReadSession

Progress = Callable[[int, int], None]


# --- reading the input files -----------------------------------------------------------


def _decode(display: str, data: bytes, problems: list[Problem]) -> str:
    """UTF-8 (a BOM is dropped); else Windows-1252, as old Outlook exports are, said so."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        message = "not UTF-8 text: read as Windows-1252; check names with accents"
        problems.append(Problem(display, line, message, "warning"))
        return data.decode("cp1252", errors="replace")


def read_contacts(kind: str, files: Sequence[Path]) -> tuple[list[Contact], list[Problem]]:
    """Every contact of every file, in order, and the problems of the ones not read.

    `kind` is "vcard" or "csv". A file that cannot be opened is a problem, not a crash.
    """
    if kind == "vcard":
        from vaultcrm.interop.vcard import read_vcards as reader
    elif kind == "csv":
        from vaultcrm.interop.google_csv import read_csv as reader
    else:  # pragma: no cover - the CLI offers only these
        raise UsageError(f"unknown contact format {kind!r}")
    contacts: list[Contact] = []
    problems: list[Problem] = []
    for path in files:
        display = str(path)
        try:
            data = path.read_bytes()
        except OSError as err:
            problems.append(Problem(display, None, f"cannot read it ({err.strerror or err})"))
            continue
        found, found_problems = reader(display, _decode(display, data, problems))
        contacts += found
        problems += found_problems
    return contacts, problems


# --- reading the vault -------------------------------------------------------------------


@dataclass(frozen=True)
class PersonNote:
    """A person note as import and export need it: its frontmatter as loaded (None when
    it does not parse) and whether its body is blank."""

    name: str
    file: str
    aliases: tuple[str, ...]
    frontmatter: Mapping[object, object] | None
    body_blank: bool


def _frontmatter(text: str) -> tuple[dict[Any, Any] | None, bool]:
    """(frontmatter, body is blank) of a note's text; None when it does not parse."""
    import yaml

    from vaultcrm.read.parse import frontmatter_problems, split_frontmatter
    from vaultcrm.read.yamlload import loader_for

    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    fm, body, _ = split_frontmatter(text)
    if fm is None:
        return {}, not body.strip()
    errors = [p for p in frontmatter_problems("", text) if p.severity == "error"]
    if errors:  # anchors, bad YAML: as the vault reads it (a duplicate key only warns)
        return None, not body.strip()
    data = yaml.load(fm, Loader=loader_for(fm))  # noqa: S506 - a safe loader
    return (data if isinstance(data, dict) else {}), not body.strip()


def read_people(session: ReadSession) -> tuple[list[PersonNote], list[Problem]]:
    """Every note the vault counts as a person (in the people folder, or by a tag or
    property, as `sync` reads them), in path order, with its frontmatter as loaded."""
    root = session.root
    records = session.records()
    notes: list[PersonNote] = []
    problems: list[Problem] = list(session.walked.problems)
    for record in records:
        if record.kind != "person" and record.person is None:
            continue
        problems += record.problems
        try:
            text = read_regular(root / record.path).decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as err:
            problems.append(Problem(record.path, None, f"cannot read it ({err})"))
            continue
        name = stem_of(record.path)
        aliases = record.person.aliases if record.person else ()
        if record.person is not None and record.person.name != name:  # a `name:` field
            aliases = (record.person.name, *aliases)
        frontmatter, blank = _frontmatter(text)
        if record.person is None:
            frontmatter = None
        notes.append(PersonNote(name, record.path, aliases, frontmatter, blank))
    return sorted(notes, key=lambda n: n.file), problems


def _present(frontmatter: Mapping[object, object], spellings: Spellings) -> frozenset[str]:
    return frozenset(
        key for key in KEYS if key_of(frontmatter, key, spellings) not in (None, "", [], {})
    )


def _emails(frontmatter: Mapping[object, object], spellings: Spellings) -> tuple[str, ...]:
    value = key_of(frontmatter, "emails", spellings)
    items = value if isinstance(value, list) else [value]
    return tuple(i.strip() for i in items if isinstance(i, str) and i.strip())


def known_people(notes: Iterable[PersonNote], spellings: Spellings) -> list[Known]:
    return [
        Known(
            n.name,
            n.file,
            n.aliases,
            _emails(n.frontmatter or {}, spellings),
            _present(n.frontmatter or {}, spellings),
            n.body_blank,
            n.frontmatter is not None,
        )
        for n in notes
    ]


# --- the plan, carried out ---------------------------------------------------------------


@dataclass
class ImportResult:
    """The plan, and every problem: in the input files, and writes the edit engine refused
    (that step then counts as skipped)."""

    steps: list[Step]
    problems: list[Problem]
    dry_run: bool
    refused: dict[int, Problem] = field(default_factory=dict)  # step index → why
    #: fills that found every key already there when written (the note changed meanwhile)
    stale: set[int] = field(default_factory=set)

    @property
    def counts(self) -> dict[str, int]:
        kept = [s for i, s in enumerate(self.steps) if i not in self.refused]
        counts = summary(kept, self.problems)
        counts["skipped"] += len(self.refused)
        counts["filled"] -= len(self.stale)
        counts["unchanged"] += len(self.stale)
        return counts

    def all_problems(self) -> list[Problem]:
        skipped = [p for s in self.steps if (p := s.problem()) is not None]
        return [*self.problems, *skipped, *self.refused.values()]

    def to_json(self) -> dict[str, object]:
        steps = []
        for index, step in enumerate(self.steps):
            item = step.to_json()
            if index in self.refused:
                item["refused"] = self.refused[index].message
            steps.append(item)
        return {
            "dry_run": self.dry_run,
            "steps": steps,
            "summary": self.counts,
            "problems": [p.to_json() for p in self.all_problems()],
        }


def import_contacts(
    session: ReadSession,
    kind: str,
    files: Sequence[Path],
    *,
    dry_run: bool = False,
    progress: Callable[[int], Progress | None] | None = None,
) -> ImportResult:
    """Read the files, plan against the vault, and (unless `dry_run`) carry the plan out.

    `progress(total)` may return a `(done, total)` callback, called after each step.
    """
    from vaultcrm.app.names import name_problem
    from vaultcrm.app.write import people_config

    root = session.root
    config = people_config(session)  # a named people folder that is missing stops it, as `add`
    contacts, problems = read_contacts(kind, files)
    notes, _vault_problems = read_people(session)
    spellings = with_config_fields(config.fields)
    steps = plan(
        contacts,
        known_people(notes, spellings),
        people_folder=config.people_folder,
        name_problem=name_problem,
    )
    result = ImportResult(steps, problems, dry_run)
    if dry_run:
        return result
    report = progress(len(steps)) if progress else None
    for index, step in enumerate(steps):
        try:
            written = apply_step(root, step)
            if written is not None and not written.changed:
                result.stale.add(index)
        except EditRefused as err:
            src = step.contact.source
            result.refused[index] = Problem(src.file, src.line, f"{src.label}: {err}")
        if report:
            report(index + 1, len(steps))
    return result


def apply_step(root: Path, step: Step, spellings: Spellings | None = None) -> EditResult | None:
    """Carry out one step through the edit engine (nothing for skip and unchanged)."""
    from vaultcrm.edit.engine import create, edit

    if step.file is None or step.action not in ("create", "fill"):
        return None
    if step.action == "create":
        return create(root, step.file, new_note(root, step))
    return edit(root, step.file, lambda data: fill_note(data, step.values, step.body, spellings))


def new_note(root: Path, step: Step) -> bytes:
    """A new person note from the person template (a vault override wins), with every
    imported key and the contact's note as its body."""
    from vaultcrm.app.write import render_person

    assert step.name is not None and step.file is not None
    values = dict(step.values)
    birthday = values.pop("birthday", None)
    context = {
        "name": step.name,
        "aliases": values.pop("aliases", []),
        "tags": values.pop("tags", []),
        "circle": None,
        "birthday": birthday,
        "fields": values,
    }
    text = render_person(root, step.file, context)
    data = text.encode("utf-8")
    # a template override that leaves keys out still gets them, each as `set` writes it
    data = fill_note(data, step.values, step.body)
    return data


def fill_note(
    data: bytes,
    values: Mapping[str, object],
    body: str | None,
    spellings: Spellings | None = None,
) -> bytes:
    """`data` with each of `values` set where the note lacks it (absent or empty), and
    `body` appended when the note's body is blank; every other byte stays as it was."""
    from vaultcrm.edit.frontmatter import set_frontmatter_key
    from vaultcrm.edit.lines import append_line

    text = data.decode("utf-8-sig") if data else ""
    frontmatter, blank = _frontmatter(text)
    if frontmatter is None:
        raise ValueError("its frontmatter does not parse; fix it first")
    for key, value in values.items():
        if key_of(frontmatter, key, spellings) not in (None, "", [], {}):
            continue  # the user's value (perhaps written since the plan was made) stays
        # an empty key the note already has (`Email:`) is filled under its own spelling
        data = set_frontmatter_key(data, key_name(frontmatter, key, spellings) or key, value)
    if body and blank:
        lines = body.strip("\n").split("\n")
        if re.fullmatch(r"-{3,}[ \t]*", lines[0]) and not data.lstrip(b"\xef\xbb\xbf").startswith(
            b"---"
        ):
            lines.insert(0, "")  # in a note without frontmatter, `---` first would open one
        for line in lines:
            data = append_line(data, line.rstrip())
    return data


# --- export ------------------------------------------------------------------------------


def export_vcards(session: ReadSession) -> tuple[str, list[Problem]]:
    """Every readable person note as a vCard 4.0, in path order."""
    from vaultcrm.app.write import people_config
    from vaultcrm.interop.vcard import write_vcards

    config = people_config(session)
    notes, problems = read_people(session)
    spellings = with_config_fields(config.fields)
    contacts: list[tuple[Contact, str]] = []
    for note in notes:
        if note.frontmatter is None:
            continue  # its problem is already in `problems`
        source = Source(note.file, 1, note.name)
        contact = contact_from_frontmatter(note.name, note.frontmatter, source, spellings)
        contacts.append((contact, note.file))
    return write_vcards(contacts), problems


def calendar_events(session: ReadSession) -> tuple[list[Event], list[Problem]]:
    """The calendar's events from the vault as the session reads it."""
    from vaultcrm.interop.ics import events

    vault = session.vault()
    follow_ups = [f for items in vault.follow_ups.values() for f in items]
    return events(vault.people.values(), follow_ups), list(vault.problems)


def export_calendar(session: ReadSession) -> tuple[bytes, list[Problem]]:
    """The .ics calendar of the vault's birthdays, dates and open follow-ups."""
    from vaultcrm.interop.ics import render

    found, problems = calendar_events(session)
    return render(found), problems


def write_output(root: Path, out: Path, data: bytes, marker: bytes) -> EditResult:
    """Write an export to `out` through the edit engine: created, or replaced only when
    the file there is an earlier export (it holds `marker`), untouched when equal."""
    from vaultcrm.edit.engine import write_generated

    out = out.expanduser().absolute()
    real_root = os.path.realpath(root)
    real_out = os.path.realpath(out)
    if os.path.commonpath([real_root, real_out]) == real_root and real_out != real_root:
        base, rel = Path(real_root), os.path.relpath(real_out, real_root).replace(os.sep, "/")
    else:
        base, rel = out.parent, out.name
    path = base / rel
    if os.path.lexists(path):
        try:
            if marker not in read_regular(path):
                raise EditRefused(rel, "it was not written by vaultcrm; choose another file")
        except OSError:
            pass  # the edit engine says why
    return write_generated(base, rel, data, marker=marker)


def _conflicted(data: bytes) -> bool:
    from vaultcrm.edit.engine import conflict_marker_line

    return conflict_marker_line(data) is not None


def sync_calendar(session: ReadSession) -> EditResult | None:
    """The `ics:` hook of `sync`: write the calendar when its content changed. A calendar
    whose digest line matches is current: icalendar is then neither imported nor run."""
    root, config = session.root, session.config
    if not config.ics:
        return None
    from vaultcrm.interop.ics import MARKER, digest_line, render

    rel = config.ics
    found, _ = calendar_events(session)
    try:
        current = read_regular(root / rel)
    except OSError:  # absent, or not a regular file (the edit engine refuses that one)
        current = b""
    # current: made from these events, and not a git conflict of two versions (git's
    # markers may keep either side's digest line; `init --git` spares it the markers)
    if MARKER in current and digest_line(found) in current and not _conflicted(current):
        return EditResult(rel, False, None)
    try:
        return write_output(root, root / rel, render(found), MARKER)
    except EditRefused as err:
        if "not written by vaultcrm" not in err.reason:
            raise
        why = "it was not written by vaultcrm; move it away or change `ics:` in vaultcrm.yaml"
        raise EditRefused(err.path, why) from None
