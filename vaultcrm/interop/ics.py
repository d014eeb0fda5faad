"""People's birthdays, yearly dates and open follow-ups as an iCalendar (.ics) file.

Written so that a calendar subscribed to it updates instead of duplicating, and so that
git sees no change when nothing changed:

- UIDs come from the note's path, the kind and the key (the date's label; a follow-up's
  date and text), never from line numbers or the run's time;
- yearly events start on the date itself (year 2000 when the year is unknown: a leap
  year, so Feb 29 is possible) and repeat with RRULE:FREQ=YEARLY; Feb 29 repeats on
  the last day of February, as docs/format.md has it;
- the summary says "born 1990" rather than "turns 37": a recurring event has one summary
  for every year, so an age would be wrong on every other occurrence, and would change
  the file every year;
- DTSTAMP (required by RFC 5545) is the event's first day at midnight UTC, so it
  depends on nothing but the event;
- events are sorted, and icalendar writes properties in a fixed order.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from vaultcrm.model import FollowUp, Person, YearlyDate
from vaultcrm.words import CALENDAR

PRODID = "-//vaultcrm//vaultcrm calendar//EN"
#: Bytes every calendar vaultcrm writes holds: a file without them is not overwritten.
MARKER = b"PRODID:-//vaultcrm//"
#: Names the digest of what a calendar was made from; bump FORMAT when the output changes.
DIGEST_PROPERTY = "X-VAULTCRM-INPUTS"
FORMAT = "1"
_NO_YEAR = 2000  # a leap year: Feb 29 is a possible first occurrence


@dataclass(frozen=True)
class Event:
    """One calendar entry, before it is iCalendar."""

    uid: str
    summary: str
    start: dt.date
    yearly: bool
    description: str
    sort_key: tuple[str, ...]


def _uid(*parts: str) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]
    return f"{digest}@vaultcrm"


def _start(date: YearlyDate) -> dt.date:
    return dt.date(date.year or _NO_YEAR, date.month, date.day)


_LINK = re.compile(r"\[\[([^\]|]*)(?:\|([^\]]*))?\]\]")


def _plain(text: str, person: str) -> str:
    """A task's text as a summary: links as the words they show, and no leading link to
    the person the summary already names (`[[Bo]] return the book` → `return the book`)."""
    own = re.match(rf"\[\[(?:[^\]|]*/)?{re.escape(person)}(?:[#|][^\]]*)?\]\][\s:,-]*", text, re.I)
    if own:
        text = text[own.end() :]
    shown = _LINK.sub(lambda m: m.group(2) or m.group(1).rsplit("/", 1)[-1].split("#")[0], text)
    return " ".join(shown.split())


def events(people: Iterable[Person], follow_ups: Iterable[FollowUp]) -> list[Event]:
    """Every event of the calendar, in a stable order."""
    found: list[Event] = []
    people = list(people)
    files = {p.name: p.file for p in people}
    for person in people:
        if person.birthday is not None:
            year = person.birthday.year
            born = CALENDAR["born"].format(year=year) if year else ""
            found.append(
                Event(
                    _uid(person.file, "birthday"),
                    CALENDAR["birthday"].format(name=person.name) + born,
                    _start(person.birthday),
                    True,
                    CALENDAR["from"].format(file=person.file),
                    (person.name.casefold(), person.name, "0", ""),
                )
            )
        for date in person.dates:
            since = CALENDAR["since"].format(year=date.year) if date.year else ""
            found.append(
                Event(
                    _uid(person.file, "date", date.label),
                    CALENDAR["date"].format(name=person.name, label=date.label) + since,
                    _start(date),
                    True,
                    CALENDAR["from"].format(file=person.file),
                    (person.name.casefold(), person.name, "1", date.label),
                )
            )
    seen: dict[str, int] = {}
    for item in sorted(follow_ups, key=lambda f: (f.person, f.due, f.file, f.line)):
        if item.done:
            continue
        owner = files.get(item.person, item.person)
        uid = _uid(owner, "follow_up", item.file, item.due.isoformat(), item.text)
        seen[uid] = seen.get(uid, 0) + 1
        if seen[uid] > 1:  # the same task written twice: both shown, both stable
            uid = _uid(
                owner, "follow_up", item.file, item.due.isoformat(), item.text, str(seen[uid])
            )
        text = _plain(item.text, item.person) or CALENDAR["follow_up_empty"]
        found.append(
            Event(
                uid,
                CALENDAR["follow_up"].format(name=item.person, text=text),
                item.due,
                False,
                CALENDAR["follow_up_from"].format(file=item.file),
                (item.person.casefold(), item.person, "2", item.due.isoformat(), item.text),
            )
        )
    return sorted(found, key=lambda e: (e.sort_key, e.uid))


def digest(found: list[Event]) -> str:
    """What a calendar is made of, hashed: equal digests make equal files, so `sync` can
    tell that its calendar is current without importing or running icalendar."""
    # 32 hex digits keep the line under 75 octets: icalendar would fold a longer one
    return hashlib.sha256(repr((FORMAT, found)).encode("utf-8")).hexdigest()[:32]


def digest_line(found: list[Event]) -> bytes:
    return f"{DIGEST_PROPERTY}:{digest(found)}\r\n".encode()


def calendar(people: Iterable[Person], follow_ups: Iterable[FollowUp]) -> bytes:
    """The .ics file's bytes (CRLF lines, folded at 75 octets, as RFC 5545 wants)."""
    return render(events(people, follow_ups))


def render(found: list[Event]) -> bytes:
    """`found` as an iCalendar file, carrying its digest (`X-VAULTCRM-INPUTS`)."""
    import icalendar

    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", CALENDAR["name"])
    cal.add(DIGEST_PROPERTY.lower(), digest(found))
    for event in found:
        item = icalendar.Event()
        item.add("uid", event.uid)
        item.add("dtstamp", dt.datetime.combine(event.start, dt.time(), dt.UTC))
        item.add("dtstart", event.start)
        if event.start < dt.date.max:  # RFC 5545: without DTEND, a day's event lasts the day
            item.add("dtend", event.start + dt.timedelta(days=1))
        item.add("summary", event.summary)
        item.add("description", event.description)
        if event.yearly:
            rule: dict[str, object] = {"freq": "yearly"}
            if (event.start.month, event.start.day) == (2, 29):
                rule.update(bymonth=2, bymonthday=-1)  # Feb 28 in other years
            item.add("rrule", rule)
        item.add("transp", "TRANSPARENT")
        cal.add_component(item)
    data: bytes = cal.to_ical()
    return data
