"""vCard files (2.1, 3.0, 4.0) → `Contact`s, and `Contact`s → vCard 4.0.

vobject reads each card: folded lines, quoted-printable (with its `=` soft line breaks:
`allowQP`), `item1.` groups, parameters with or without a name (`TEL;CELL` in 2.1).
Values are decoded here with vobject's own helpers rather than its vCard 3.0 behaviours,
which keep only the text before the first unescaped comma (vCard 2.1 never escapes one).

The file is cut into cards at their `BEGIN:VCARD` / `END:VCARD` lines first, so that a
broken card is one problem (with its card number and file line) and the others still
import. Photos, sounds and keys are never decoded.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from vaultcrm.interop.contacts import (
    Contact,
    Source,
    date_label,
    read_date,
    tag_name,
    unique,
)
from vaultcrm.model import Problem, YearlyDate

#: Escapes a value may hold: vobject's list plus `\:`, which Apple writes in URLs.
_ESCAPABLE = '\\;,:Nn"'
#: Google puts every contact in this system group; it is not a tag anyone chose.
SYSTEM_GROUPS = frozenset({"mycontacts"})
#: Properties holding a date a person has every year, other than BDAY.
_ANNIVERSARY = frozenset(
    {"ANNIVERSARY", "X-ANNIVERSARY", "X-MS-ANNIVERSARY", "X-EVOLUTION-ANNIVERSARY"}
)
PRODID = "-//vaultcrm//vaultcrm export//EN"
#: Bytes every vCard file vaultcrm writes holds: a file without them is not overwritten.
MARKER = b"PRODID:-//vaultcrm//"


@dataclass(frozen=True)
class _Card:
    number: int
    line: int  # file line of BEGIN:VCARD
    lines: list[str]
    closed: bool


def _cards(text: str) -> tuple[list[_Card], list[tuple[int, str]]]:
    """The file's cards, and (line, message) for what lies outside any card."""
    cards: list[_Card] = []
    stray: list[tuple[int, str]] = []
    current: list[str] | None = None
    start = 0
    for number, line in enumerate(text.splitlines(), 1):
        word = line.strip().upper()
        if word == "BEGIN:VCARD":
            if current is not None:
                cards.append(_Card(len(cards) + 1, start, current, False))
            current, start = [line], number
        elif current is not None:
            current.append(line)
            if word == "END:VCARD":
                cards.append(_Card(len(cards) + 1, start, current, True))
                current = None
        elif word:
            stray.append((number, "text outside BEGIN:VCARD … END:VCARD is ignored"))
    if current is not None:
        cards.append(_Card(len(cards) + 1, start, current, False))
    return cards, stray[:1]


def read_vcards(file: str, text: str) -> tuple[list[Contact], list[Problem]]:
    """Every readable card of a .vcf file as a contact; each broken card is a problem
    (`file:line: card N: …`) and is skipped, the rest are read."""
    cards, stray = _cards(text)
    problems = [Problem(file, line, message, "warning") for line, message in stray]
    contacts: list[Contact] = []
    for card in cards:
        source = Source(file, card.line, f"card {card.number}")
        if not card.closed:
            message = f"card {card.number}: no END:VCARD before the next card or the file's end"
            problems.append(Problem(file, card.line, f"{message}; skipped"))
            continue
        contact = _read_card(card, source, problems)
        if contact is not None:
            contacts.append(contact)
    if not cards:
        return [], [Problem(file, 1, "no BEGIN:VCARD in this file: is it a vCard file?")]
    return contacts, problems


# --- one card ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Line:
    name: str
    group: str | None
    params: dict[str, list[str]]
    singles: list[str]
    raw: str
    line: int  # file line

    def types(self) -> set[str]:
        found = {s.casefold() for s in self.singles}
        for value in self.params.get("TYPE", []):
            found.update(v.strip().casefold() for v in value.split(","))
        return found

    def preferred(self) -> bool:
        return "pref" in self.types() or "PREF" in self.params


def _read_card(card: _Card, source: Source, problems: list[Problem]) -> Contact | None:
    """vobject's line reader (unfolding, quoted-printable) and content-line parser, one
    logical line at a time; any line it cannot read makes the card a problem."""
    import io

    from vobject.base import getLogicalLines, textLineToContentLine

    lines: list[_Line] = []
    offset = 1
    try:
        stream = io.StringIO("\r\n".join(card.lines[1:-1]) + "\r\n")
        for text, offset in getLogicalLines(stream, allowQP=True):
            line = card.line + max(offset, 1)  # vobject numbers the first line 0
            lines.append(_line(textLineToContentLine(text, offset), line))
    except Exception as err:  # noqa: BLE001 - any failure of the parser on untrusted input
        reason = getattr(err, "msg", None) or str(err) or type(err).__name__
        line = card.line + max(offset, 1)
        problems.append(Problem(source.file, line, f"{source.label}: {_short(reason)}; skipped"))
        return None
    return _contact(lines, source, problems)


def _line(child: Any, line: int) -> _Line:
    return _Line(
        child.name.upper(),
        child.group.lower() if child.group else None,
        {key.upper(): list(values) for key, values in child.params.items()},
        list(child.singletonparams),
        child.value if isinstance(child.value, str) else "",
        line,
    )


def _short(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= 120 else text[:117] + "…"


def _text(raw: str) -> str:
    """One text value: escapes undone; an unescaped comma is kept as written (2.1)."""
    from vobject.icalendar import stringToTextValues

    return ",".join(stringToTextValues(raw, charList=_ESCAPABLE)).strip()


def _list(raw: str) -> list[str]:
    """A comma-separated list value (NICKNAME, CATEGORIES)."""
    from vobject.icalendar import stringToTextValues

    return [v.strip() for v in stringToTextValues(raw, charList=_ESCAPABLE) if v.strip()]


def _fields(raw: str) -> list[str]:
    """A structured value (N, ADR, ORG): its `;`-separated fields, each a flat text."""
    from vobject.vcard import splitFields

    out: list[str] = []
    for field in splitFields(raw):
        items = field if isinstance(field, list) else [field]
        out.append(", ".join(i.strip() for i in items if i.strip()))
    return out


def _by_pref(lines: Sequence[_Line], value: Any) -> tuple[str, ...]:
    ordered = sorted(lines, key=lambda ln: not ln.preferred())  # stable: file order otherwise
    return unique(value(ln) for ln in ordered)


def _labels(lines: Sequence[_Line]) -> dict[str, str]:
    """Apple's `itemN.X-ABLABEL` names the other lines of group `itemN`."""
    return {ln.group: _text(ln.raw) for ln in lines if ln.name == "X-ABLABEL" and ln.group}


def _contact(lines: list[_Line], source: Source, problems: list[Problem]) -> Contact | None:
    def all_of(*names: str) -> list[_Line]:
        return [ln for ln in lines if ln.name in names]

    def warn(line: int, message: str) -> None:
        problems.append(Problem(source.file, line, f"{source.label}: {message}", "warning"))

    labels = _labels(lines)
    full = next((t for ln in all_of("FN") if (t := " ".join(_text(ln.raw).split()))), "")
    n_parts = next((_fields(ln.raw) for ln in all_of("N")), [])
    organization = next((f[0] for ln in all_of("ORG") if (f := _fields(ln.raw)) and f[0]), None)
    name, named_after = full, "name"
    if not name and n_parts:
        family, given, additional = (n_parts + ["", "", ""])[:3]
        name = " ".join(" ".join(p for p in (given, additional, family) if p).split())
    if not name and organization:
        name = " ".join(organization.split())
    if organization and name == " ".join(organization.split()) and not any(n_parts[:2]):
        named_after = "organization"  # Google writes a company's name as its FN
    if not name:
        message = f"{source.label}: no name (FN, N or ORG); skipped"
        problems.append(Problem(source.file, source.line, message))
        return None
    birthday = None
    for ln in all_of("BDAY"):
        birthday = _date(ln, "birthday", warn)
        if birthday:
            break
    dates: dict[str, YearlyDate] = {}
    for ln in lines:
        label = None
        if ln.name in _ANNIVERSARY:
            label = "anniversary"
        elif ln.name == "X-ABDATE":
            label = date_label(labels.get(ln.group or "", "") or "date")
        if label is not None and label not in dates:
            found = _date(ln, label, warn)
            if found is not None:
                dates[label] = found
    categories = [c for ln in all_of("CATEGORIES") for c in _list(ln.raw)]
    notes = [t for ln in all_of("NOTE") if (t := _text(ln.raw).replace("\r\n", "\n"))]
    return Contact(
        name=name,
        source=source,
        aliases=unique(a for ln in all_of("NICKNAME") for a in _list(ln.raw) if a != name),
        tags=unique(t for c in categories if not system_group(c) if (t := tag_name(c))),
        birthday=birthday,
        dates=tuple(sorted(dates.values(), key=lambda d: d.label)),
        emails=_by_pref(all_of("EMAIL"), lambda ln: _text(ln.raw).removeprefix("mailto:")),
        phones=_by_pref(all_of("TEL"), lambda ln: _text(ln.raw).removeprefix("tel:")),
        addresses=_by_pref(all_of("ADR"), lambda ln: _address(_fields(ln.raw))),
        organization=organization,
        job_title=next((t for ln in all_of("TITLE") if (t := _text(ln.raw))), None),
        urls=_by_pref(all_of("URL"), lambda ln: _text(ln.raw)),
        note="\n\n".join(n.strip("\n") for n in notes) or None,
        named_after=named_after,
    )


def system_group(label: str) -> bool:
    """Google's "My Contacts" group (`myContacts`, `* My Contacts`): not a tag anyone chose."""
    return "".join(label.lstrip("* ").casefold().split()) in SYSTEM_GROUPS


def _date(ln: _Line, label: str, warn: Any) -> YearlyDate | None:
    omit = ln.params.get("X-APPLE-OMIT-YEAR", [""])[0]
    text = _text(ln.raw)
    found = read_date(text, label, omit_year=int(omit) if omit.isdigit() else None)
    if found is None and text:
        warn(ln.line, f"{ln.name} {text!r} is not a date this import understands; left out")
    return found


def _address(fields: list[str]) -> str:
    """ADR's seven fields as one line: street first, country last, blanks dropped."""
    box, extended, street, city, region, code, country = (fields + [""] * 7)[:7]
    town = " ".join(p for p in (code, city) if p)
    parts = [street, extended, box, town, region, country]
    return ", ".join(" ".join(p.split()) for p in parts if p.strip())


# --- writing ------------------------------------------------------------------------------


def card_uid(file: str) -> str:
    """A UID that stays the same for a person note across exports (from its path)."""
    return "urn:uuid:" + _uuid_from(hashlib.sha256(f"vaultcrm:{file}".encode()).hexdigest())


def _uuid_from(digest: str) -> str:
    h = digest[:32]
    return f"{h[:8]}-{h[8:12]}-5{h[13:16]}-{'89ab'[int(h[16], 16) % 4]}{h[17:20]}-{h[20:32]}"


def _vcard_date(date: YearlyDate) -> str:
    if date.year is None:
        return f"--{date.month:02d}{date.day:02d}"
    return f"{date.year:04d}{date.month:02d}{date.day:02d}"


def write_vcards(contacts: Sequence[tuple[Contact, str]]) -> str:
    """vCard 4.0 text, one card per (contact, note file), in the order given."""
    return "".join(_write_card(contact, file) for contact, file in contacts)


def _write_card(contact: Contact, file: str) -> str:
    import vobject

    card = vobject.vCard()
    card.add("version").value = "4.0"
    card.add("prodid").value = PRODID
    card.add("uid").value = card_uid(file)
    card.add("fn").value = contact.name
    words = contact.name.split()
    family, given = (words[-1], " ".join(words[:-1])) if len(words) > 1 else ("", contact.name)
    card.add("n").value = vobject.vcard.Name(family=family, given=given)
    if contact.aliases:
        from vobject.base import backslashEscape

        nickname = card.add("nickname")  # a list: its commas separate, escaped ones do not
        nickname.value = ",".join(backslashEscape(a) for a in contact.aliases)
        nickname.encoded = True
    if contact.birthday:
        card.add("bday").value = _vcard_date(contact.birthday)
    group = 0
    for date in contact.dates:
        if date.label == "anniversary":
            card.add("anniversary").value = _vcard_date(date)
            continue
        group += 1
        line = card.add(f"item{group}.x-abdate")
        line.value = _vcard_date(date)
        card.add(f"item{group}.x-ablabel").value = date.label
    for email in contact.emails:
        card.add("email").value = email
    for phone in contact.phones:
        card.add("tel").value = phone
    for address in contact.addresses:  # one line in the note: the street field holds it
        card.add("adr").value = vobject.vcard.Address(street=address)
    if contact.organization:
        card.add("org").value = [contact.organization]
    if contact.job_title:
        card.add("title").value = contact.job_title
    for url in contact.urls:
        card.add("url").value = url
    if contact.tags:
        card.add("categories").value = list(contact.tags)
    text: str = card.serialize()
    return text
