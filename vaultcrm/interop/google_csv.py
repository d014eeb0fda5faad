"""CSV files → `Contact`s: Google Contacts' export (the current one, with `First Name`,
`E-mail 1 - Value`…, and the older one, with `Given Name`, `Family Name`, `Name`…), and a
plain `name,birthday,email,...` file with a header row.

Columns are recognised by name, case-insensitively, so both shapes go through one
reader. Google packs several values into one cell with ` ::: `; a plain file's list
columns (emails, phones, tags, aliases) may separate values with `;` or `,`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass

from vaultcrm.interop.contacts import Contact, Source, date_label, read_date, tag_name, unique
from vaultcrm.interop.vcard import system_group
from vaultcrm.model import Problem, YearlyDate

_GOOGLE_SEPARATOR = " ::: "

# column name (normalised) → field; numbered Google columns by pattern below
_COLUMNS: dict[str, str] = {}
for _field, _names in {
    "name": ("name", "full name", "display name", "contact name"),
    "given": ("first name", "given name", "given", "first"),
    "middle": ("middle name", "additional name"),
    "family": ("last name", "family name", "surname", "last"),
    "aliases": ("nickname", "nicknames", "alias", "aliases", "short name"),
    "birthday": ("birthday", "bday", "born", "birth date", "date of birth"),
    "anniversary": ("anniversary",),
    "note": ("notes", "note"),
    "tags": ("labels", "group membership", "tags", "tag", "categories", "groups"),
    "emails": ("email", "emails", "e-mail", "e-mails", "email address", "e-mail address"),
    "phones": ("phone", "phones", "mobile", "mobile phone", "telephone", "phone number"),
    "addresses": ("address", "addresses"),
    "organization": ("organization name", "organization", "organisation", "company"),
    "job_title": ("organization title", "job title", "title"),
    "urls": ("website", "websites", "url", "urls", "web page", "homepage"),
}.items():
    for _name in _names:
        _COLUMNS[_name] = _field

_NUMBERED: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"e-?mail \d+ - value|e-?mail \d+ address"), "emails"),
    (re.compile(r"phone \d+ - value"), "phones"),
    (re.compile(r"address \d+ - formatted"), "addresses"),
    (re.compile(r"organization \d+ - name"), "organization"),
    (re.compile(r"organization \d+ - title"), "job_title"),
    (re.compile(r"website \d+ - value"), "urls"),
    (re.compile(r"event \d+ - value"), "event"),
    (re.compile(r"event \d+ - (?:label|type)"), "event_label"),
]
_GOOGLE_COLUMN = re.compile(r".* - (?:value|label|type|formatted)")
_LIST_FIELDS = frozenset({"aliases", "tags", "emails", "phones", "urls"})


def _norm(header: str) -> str:
    return " ".join(header.strip().lstrip("\ufeff").casefold().replace("_", " ").split())


def _field_of(header: str) -> tuple[str, str] | None:
    """(field, event number) for a column, or None when it is not imported."""
    name = _norm(header)
    if name in _COLUMNS:
        return _COLUMNS[name], ""
    for pattern, field in _NUMBERED:
        if pattern.fullmatch(name):
            number = re.search(r"\d+", name)
            return field, number.group(0) if number else ""
    return None


@dataclass(frozen=True)
class _Row:
    values: dict[str, list[str]]  # field → cell values, in column order
    events: dict[str, tuple[str, str]]  # event number → (label, value)


def read_csv(file: str, text: str) -> tuple[list[Contact], list[Problem]]:
    """Every readable row as a contact; a broken row is a problem (`file:line: row N: …`)
    and is skipped, the rest are read."""
    problems: list[Problem] = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        return [], [Problem(file, 1, "the file is empty: expected a header row")]
    except csv.Error as err:
        return [], [Problem(file, reader.line_num or 1, f"the header row is not CSV ({err})")]
    columns = [_field_of(h) for h in header]
    if not any(c and c[0] in ("name", "given", "family", "organization") for c in columns):
        message = "no name column: expected `name`, or `First Name` / `Last Name` as Google writes"
        return [], [Problem(file, 1, message)]
    unknown = [h.strip() for h, c in zip(header, columns, strict=True) if c is None and h.strip()]
    if unknown and not any(_GOOGLE_COLUMN.fullmatch(_norm(h)) for h in header):
        listed = ", ".join(repr(u) for u in unknown[:8]) + (" …" if len(unknown) > 8 else "")
        problems.append(Problem(file, 1, f"columns not imported: {listed}", "warning"))
    contacts: list[Contact] = []
    row_number = 0
    end = reader.line_num
    while True:
        start = end + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            row_number += 1
            end = reader.line_num
            message = f"row {row_number}: not valid CSV ({err}); skipped"
            problems.append(Problem(file, start, message))
            continue
        end = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        row_number += 1
        source = Source(file, start, f"row {row_number}")
        if len(cells) > len(header):
            count = f"{len(cells)} fields, the header has {len(header)}"
            message = f"row {row_number}: {count}; skipped"
            problems.append(Problem(file, start, message))
            continue
        contact = _contact(_row(columns, cells), source, problems)
        if contact is not None:
            contacts.append(contact)
    return contacts, problems


def _split(field: str, cell: str) -> list[str]:
    parts = cell.split(_GOOGLE_SEPARATOR) if _GOOGLE_SEPARATOR in cell else [cell]
    if field in _LIST_FIELDS:
        parts = [p for part in parts for p in re.split(r"[;,]", part)]
    return [p.strip() for p in parts if p.strip()]


def _row(columns: list[tuple[str, str] | None], cells: list[str]) -> _Row:
    values: dict[str, list[str]] = {}
    events: dict[str, tuple[str, str]] = {}
    for column, cell in zip(columns, cells, strict=False):
        if column is None or not cell.strip():
            continue
        field, number = column
        if field in ("event", "event_label"):
            label, value = events.get(number, ("", ""))
            events[number] = (cell.strip(), value) if field == "event_label" else (label, cell)
            continue
        if field == "note":
            values.setdefault(field, []).append(cell.replace("\r\n", "\n").strip())
            continue
        values.setdefault(field, []).extend(_split(field, cell))
    return _Row(values, events)


def _contact(row: _Row, source: Source, problems: list[Problem]) -> Contact | None:
    def first(field: str) -> str:
        return next(iter(row.values.get(field, [])), "")

    def warn(message: str) -> None:
        problems.append(Problem(source.file, source.line, f"{source.label}: {message}", "warning"))

    organization = first("organization") or None
    name = " ".join(first("name").split())
    named_after = "name"
    if not name:
        parts = (first("given"), first("middle"), first("family"))
        name = " ".join(" ".join(p for p in parts if p).split())
    if not name and organization:
        name, named_after = " ".join(organization.split()), "organization"
    if not name:
        message = f"{source.label}: no name (a name, first or last name, or organization); skipped"
        problems.append(Problem(source.file, source.line, message))
        return None
    birthday = _date(first("birthday"), "birthday", warn)
    dates: dict[str, YearlyDate] = {}
    anniversary = _date(first("anniversary"), "anniversary", warn)
    if anniversary:
        dates["anniversary"] = anniversary
    for label, value in row.events.values():
        key = date_label(label or "date")
        found = _date(value, key, warn)
        if found and key not in dates:
            dates[key] = found
    labels = [t.lstrip("* ") for t in row.values.get("tags", [])]
    tags = [t for t in labels if not system_group(t)]
    notes = row.values.get("note", [])
    return Contact(
        name=name,
        source=source,
        aliases=unique(a for a in row.values.get("aliases", []) if a != name),
        tags=unique(t for tag in tags if (t := tag_name(tag))),
        birthday=birthday,
        dates=tuple(sorted(dates.values(), key=lambda d: d.label)),
        emails=unique(row.values.get("emails", [])),
        phones=unique(row.values.get("phones", [])),
        addresses=unique(_one_line(a) for a in row.values.get("addresses", [])),
        organization=organization,
        job_title=first("job_title") or None,
        urls=unique(row.values.get("urls", []), fold=False),
        note="\n\n".join(notes) or None,
        named_after=named_after,
    )


def _date(text: str, label: str, warn: Callable[[str], None]) -> YearlyDate | None:
    if not text.strip():
        return None
    found = read_date(text, label)
    if found is None:
        warn(f"{label} {text.strip()!r} is not a date this import understands; left out")
    return found


def _one_line(address: str) -> str:
    return ", ".join(" ".join(part.split()) for part in address.splitlines() if part.strip())
