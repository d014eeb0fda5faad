"""A contact as read from an address book, and how it maps onto a person note's keys.

The frontmatter keys (documented in docs/interop.md) are docs/format.md's `aliases`, `tags`,
`birthday` and `dates`, plus the keys a user of Obsidian's Properties would expect for the
rest: `emails`, `phones`, `addresses`, `organization`, `job_title`, `urls`. The card's
NOTE becomes the note's body.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from vaultcrm.fields import norm_key
from vaultcrm.model import YearlyDate

#: Frontmatter keys an import may write, in the order they are written.
KEYS: tuple[str, ...] = (
    "aliases",
    "tags",
    "birthday",
    "dates",
    "emails",
    "phones",
    "addresses",
    "organization",
    "job_title",
    "urls",
)
#: Other spellings of a key that count as "already there" (case, `-`, `_`, spaces alike).
SPELLINGS: Mapping[str, tuple[str, ...]] = {
    "aliases": ("aliases", "alias"),
    "tags": ("tags", "tag"),
    "birthday": ("birthday", "bday", "born"),
    "dates": ("dates",),
    "emails": ("emails", "email", "e-mail", "mail"),
    "phones": ("phones", "phone", "tel", "mobile"),
    "addresses": ("addresses", "address"),
    "organization": ("organization", "organisation", "company", "org"),
    "job_title": ("job_title", "job title", "occupation"),
    "urls": ("urls", "url", "website", "websites"),
}


@dataclass(frozen=True)
class Source:
    """Where a contact was read: the file as named on the command line, the first line of
    its card or row, and `card 3` / `row 3` for a human."""

    file: str
    line: int
    label: str

    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Contact:
    """One person from an address book; empty fields are empty tuples or None.

    `named_after` says where `name` came from when it is not a person's name
    ("organization": a card or row with only a company).
    """

    name: str
    source: Source
    aliases: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    birthday: YearlyDate | None = None
    dates: tuple[YearlyDate, ...] = ()
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    organization: str | None = None
    job_title: str | None = None
    urls: tuple[str, ...] = ()
    note: str | None = None
    named_after: str = "name"


# --- values ------------------------------------------------------------------------------

_ISO_DAY = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})(?:[T ].*)?")
_NO_YEAR = re.compile(r"--(\d{2})-?(\d{2})")
_MONTH_DAY = re.compile(r"(\d{1,2})-(\d{1,2})")


def read_date(text: str, label: str, *, omit_year: int | None = None) -> YearlyDate | None:
    """A date as address books write it, or None when it is not one.

    `1990-04-12`, `19900412` (a time after it is ignored), `--04-12` and `--0412` (no
    year: vCard 4.0, Google), `04-12`; `omit_year` is Apple's X-APPLE-OMIT-YEAR, the
    placeholder year written for a date without one.
    """
    text = text.strip()
    year: int | None
    if found := _NO_YEAR.fullmatch(text):
        year, month, day = None, int(found.group(1)), int(found.group(2))
    elif found := _ISO_DAY.fullmatch(text):
        year, month, day = (int(g) for g in found.groups())
        if omit_year is not None and year == omit_year:
            year = None
    elif found := _MONTH_DAY.fullmatch(text):
        year, month, day = None, int(found.group(1)), int(found.group(2))
    else:
        return None
    try:
        dt.date(year or 2000, month, day)  # 2000 was a leap year: Feb 29 stays
    except ValueError:
        return None
    return YearlyDate(label, month, day, year)


def date_value(date: YearlyDate) -> dt.date | str:
    """The frontmatter value of a yearly date: a date, or `--MM-DD` without a year."""
    if date.year is None:
        return f"--{date.month:02d}-{date.day:02d}"
    return dt.date(date.year, date.month, date.day)


def tag_name(text: str) -> str:
    """A label as an Obsidian tag: no `#`, spaces and commas become `-` (a tag is one word)."""
    return re.sub(r"[\s,]+", "-", text.strip().lstrip("#").strip()).strip("-")


def date_label(text: str) -> str:
    """A date's label as a `dates` key: Apple's `_$!<Anniversary>!$_` → `anniversary`."""
    inner = re.fullmatch(r"_\$!<(.*)>!\$_", text.strip())
    label = (inner.group(1) if inner else text).strip().lower()
    return re.sub(r"\s+", " ", label.replace(":", " ")).strip() or "date"


def unique(values: Iterable[str], *, fold: bool = True) -> tuple[str, ...]:
    """Stripped, non-empty values, each once (case-insensitively unless `fold` is False)."""
    seen: set[str] = set()
    out: list[str] = []
    for value in values:
        text = value.strip()
        key = text.casefold() if fold else text
        if text and key not in seen:
            seen.add(key)
            out.append(text)
    return tuple(out)


# --- a contact ↔ frontmatter values -----------------------------------------------------


def frontmatter_values(contact: Contact) -> dict[str, object]:
    """The contact's non-empty fields as frontmatter values, in `KEYS` order."""
    values: dict[str, object] = {
        "aliases": list(contact.aliases),
        "tags": list(contact.tags),
        "birthday": date_value(contact.birthday) if contact.birthday else None,
        "dates": {d.label: date_value(d) for d in contact.dates},
        "emails": list(contact.emails),
        "phones": list(contact.phones),
        "addresses": list(contact.addresses),
        "organization": contact.organization,
        "job_title": contact.job_title,
        "urls": list(contact.urls),
    }
    return {key: value for key, value in values.items() if value}


def _texts(value: object) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    return unique(
        str(item) for item in items if isinstance(item, str | int) and not isinstance(item, bool)
    )


def _yearly(value: object, label: str) -> YearlyDate | None:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return YearlyDate(label, value.month, value.day, value.year)
    return read_date(value, label) if isinstance(value, str) else None


Spellings = Mapping[str, tuple[str, ...]]


def with_config_fields(fields: Mapping[str, tuple[str, ...]]) -> Spellings:
    """`SPELLINGS`, with the vault's own spellings (config `fields`) for the keys it names
    (`birthday: [geburtstag]` makes `Geburtstag:` a birthday already there)."""
    return {
        key: tuple(dict.fromkeys([*fields.get(key, ()), *spellings]))
        for key, spellings in SPELLINGS.items()
    }


def key_name(
    frontmatter: Mapping[object, object], key: str, spellings: Spellings | None = None
) -> str | None:
    """The frontmatter key that spells `key` in this note (first in spelling order)."""
    wanted = [norm_key(s) for s in (spellings or SPELLINGS).get(key, (key,))]
    found = {norm_key(name): name for name in frontmatter if isinstance(name, str)}
    return next((found[w] for w in wanted if w in found), None)


def key_of(
    frontmatter: Mapping[object, object], key: str, spellings: Spellings | None = None
) -> object:
    """The value of `key` (or one of its other spellings) in a note's frontmatter."""
    name = key_name(frontmatter, key, spellings)
    return None if name is None else frontmatter[name]


def contact_from_frontmatter(
    name: str,
    frontmatter: Mapping[object, object],
    source: Source,
    spellings: Spellings | None = None,
) -> Contact:
    """A person note read back as a contact (for `export vcard`): what it cannot read as
    one of `KEYS` is left out, never guessed."""

    def get(key: str) -> object:
        return key_of(frontmatter, key, spellings)

    tags = tuple(tag_name(t) for text in _texts(get("tags")) for t in text.split())
    raw_dates = get("dates")
    dates: list[YearlyDate] = []
    if isinstance(raw_dates, dict):
        for label, value in raw_dates.items():
            found = _yearly(value, str(label))
            if found is not None:
                dates.append(found)
    organization = _texts(get("organization"))
    job_title = _texts(get("job_title"))
    return Contact(
        name=name,
        source=source,
        aliases=tuple(a for a in _texts(get("aliases")) if a != name),
        tags=unique(t for t in tags if t),
        birthday=_yearly(get("birthday"), "birthday"),
        dates=tuple(sorted(dates, key=lambda d: d.label)),
        emails=_texts(get("emails")),
        phones=_texts(get("phones")),
        addresses=_texts(get("addresses")),
        organization=organization[0] if organization else None,
        job_title=job_title[0] if job_title else None,
        urls=_texts(get("urls")),
    )
