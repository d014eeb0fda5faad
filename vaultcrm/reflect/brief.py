"""Everything to know about one person before you meet them, as a value.

`make_brief` is pure (a `Vault` snapshot holding the person, `today`, the config → a
`Brief`), like the reflection rules it agrees with: the ledger here is the one `share`
and `listen` count, and `due` is exactly what `due` reports for them. The CLI turns a
`Brief` into text or JSON; nothing here prints.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from vaultcrm.config import Config
from vaultcrm.model import Interaction, Person, Reflection, Vault, YearlyDate
from vaultcrm.reflect.kinds import reflect_person
from vaultcrm.reflect.relations import Around, around, mentions
from vaultcrm.reflect.rhythm import Rhythm, rhythm
from vaultcrm.reflect.rules import _ledger, cadence_days, ledger_inferred, next_yearly, until
from vaultcrm.words import LEDGER, human_day, inferred, times

#: How many of their last confidences, and of the last interactions, a brief shows.
HEARD_SHOWN = 3
RECENT_SHOWN = 5

Move = Literal["share", "listen", "balanced"]


@dataclass(frozen=True)
class Moment:
    """One dated line of the person's history (an interaction or a follow-up)."""

    date: dt.date
    text: str
    file: str
    line: int
    flags: tuple[str, ...] = ()
    #: the words behind flags read from the line's prose (config `infer_flags`), if any
    inferred: tuple[str, ...] = ()

    @classmethod
    def of(cls, i: Interaction, vault: Vault | None = None) -> Moment:
        found = vault.inferred_of(i) if vault is not None else None
        because = found.because() if found is not None else ()
        return cls(i.date, i.text, i.file, i.line, tuple(sorted(i.flags)), because)

    def to_json(self) -> dict[str, Any]:
        """`inferred` only when a flag was inferred: a vault without `infer_flags` keeps
        the shape it always had."""
        out = {"date": self.date.isoformat(), "text": self.text, "file": self.file,
               "line": self.line, "flags": list(self.flags)}  # fmt: skip
        if self.inferred:
            out["inferred"] = list(self.inferred)
        return out


@dataclass(frozen=True)
class Ahead:
    """A yearly date's next occurrence: a birthday (label "birthday") or a `dates` entry."""

    label: str
    date: dt.date
    days_until: int
    years: int | None  # the age turned, or the years since; None when the year is unknown

    def to_json(self) -> dict[str, Any]:
        return {"label": self.label, "date": self.date.isoformat(),
                "days_until": self.days_until, "years": self.years}  # fmt: skip


@dataclass(frozen=True)
class Near:
    """Someone around the person (`reflect.relations.Around`), with what to remember:
    their birthday and dates ahead, and the last interaction that mentions them."""

    around: Around
    ahead: tuple[Ahead, ...]
    mention: Moment | None

    def to_json(self) -> dict[str, Any]:
        a = self.around
        return {
            "role": a.role,
            "name": a.name,
            "person": a.person,
            "file": a.file,
            "declared": a.declared,
            "ahead": [x.to_json() for x in self.ahead],
            "mention": self.mention.to_json() if self.mention else None,
        }


@dataclass(frozen=True)
class Ledger:
    """Who opened up last: `heard` of theirs since you last shared, `shared` of yours
    since they last did (one of them is always 0), the move it suggests, in a sentence."""

    heard_since_shared: int
    shared_since_heard: int
    last_shared: dt.date | None
    last_heard: dt.date | None
    move: Move
    sentence: str

    def to_json(self) -> dict[str, Any]:
        return {
            "heard_since_shared": self.heard_since_shared,
            "shared_since_heard": self.shared_since_heard,
            "last_shared": _iso(self.last_shared),
            "last_heard": _iso(self.last_heard),
            "move": self.move,
            "sentence": self.sentence,
        }


@dataclass(frozen=True)
class Brief:
    """One person, ready for the terminal or JSON (dates stay dates until `to_json`)."""

    person: Person
    today: dt.date
    cadence_days: int  # kept for reference (`person.never`): never nudged, whatever it says
    cadence_from: Literal["person", "circle", "default"]
    last_contact: Moment | None
    days_since: int | None
    heard: tuple[Moment, ...]  # their last confidences, newest first: things to ask about
    last_shared: Moment | None
    ledger: Ledger
    last_deep: Moment | None
    follow_ups: tuple[Moment, ...]  # open ones, earliest first
    ahead: tuple[Ahead, ...]  # birthday and dates, soonest first
    recent: tuple[Moment, ...]  # the last interactions, newest first
    due: tuple[Reflection, ...]
    rhythm: Rhythm | None = None  # how often you are usually in touch (5+ contacts)
    around: tuple[Near, ...] = ()  # family and people around them

    def to_json(self) -> dict[str, Any]:
        """Stable keys; dates as YYYY-MM-DD; empty lists and nulls rather than missing keys."""
        p = self.person
        return {
            "today": self.today.isoformat(),
            "person": p.name,
            "file": p.file,
            "aliases": list(p.aliases),
            "tags": list(p.tags),
            "circle": p.circle,
            "cadence_days": self.cadence_days,
            "cadence_from": self.cadence_from,
            "never": p.never,
            "last_contact": _iso(self.last_contact.date if self.last_contact else None),
            "days_since": self.days_since,
            "heard": [m.to_json() for m in self.heard],
            "last_shared": self.last_shared.to_json() if self.last_shared else None,
            "ledger": self.ledger.to_json(),
            "last_deep": self.last_deep.to_json() if self.last_deep else None,
            "follow_ups": [m.to_json() for m in self.follow_ups],
            "open_tasks": list(p.open_tasks),
            "ahead": [a.to_json() for a in self.ahead],
            "likes": list(p.likes),
            "boundaries": p.boundaries,
            "snooze_until": _iso(p.snooze_until),
            "recent": [m.to_json() for m in self.recent],
            "due": [r.to_json() for r in self.due],
            "rhythm": _rhythm_json(self.rhythm),
            "relations": [n.to_json() for n in self.around],
        }


def _rhythm_json(found: Rhythm | None) -> dict[str, Any] | None:
    if found is None:
        return None
    return {"days": found.days, "contacts": found.contacts}


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def make_brief(person: Person, vault: Vault, today: dt.date, config: Config) -> Brief:
    """The brief for `person` as of `today`; interactions after today are plans, not
    contact, and are left out (as the rules leave them out)."""
    past = until(vault.interactions.get(person.name, ()), today)
    last = past[-1] if past else None
    return Brief(
        person=person,
        today=today,
        cadence_days=cadence_days(person, config),
        cadence_from=_cadence_from(person, config),
        last_contact=Moment.of(last, vault) if last else None,
        days_since=(today - last.date).days if last else None,
        heard=tuple(Moment.of(i, vault) for i in _last_with(past, "heard", HEARD_SHOWN)),
        last_shared=_last_one(past, "shared", vault),
        ledger=ledger(person, past, today, vault),
        last_deep=_last_one(past, "deep", vault),
        follow_ups=tuple(
            Moment(f.due, f.text, f.file, f.line)
            for f in vault.follow_ups.get(person.name, ())
            if not f.done
        ),
        ahead=_ahead(person, today),
        recent=tuple(Moment.of(i, vault) for i in reversed(past[-RECENT_SHOWN:])),
        due=tuple(reflect_person(person, vault, today, config)),
        rhythm=rhythm(past),
        around=tuple(_near(a, vault, past, today) for a in around(person, vault)),
    )


def _near(a: Around, vault: Vault, past: Sequence[Interaction], today: dt.date) -> Near:
    yearly = ([a.birthday] if a.birthday else []) + list(a.dates)
    mention = mentions(a, vault, past)
    return Near(a, _next_of(yearly, today), Moment.of(mention, vault) if mention else None)


def _cadence_from(person: Person, config: Config) -> Literal["person", "circle", "default"]:
    if person.cadence_days is not None:
        return "person"
    if person.circle is not None and person.circle in config.circles:
        return "circle"
    return "default"


def _last_with(past: Sequence[Interaction], flag: str, n: int) -> list[Interaction]:
    found: list[Interaction] = []
    for i in reversed(past):
        if flag in i.flags:
            found.append(i)
            if len(found) == n:
                break
    return found


def _last_one(past: Sequence[Interaction], flag: str, vault: Vault) -> Moment | None:
    found = _last_with(past, flag, 1)
    return Moment.of(found[0], vault) if found else None


def ledger(
    person: Person, past: Sequence[Interaction], today: dt.date, vault: Vault | None = None
) -> Ledger:
    """The vulnerability ledger in one sentence, counted by day as `share`/`listen` count;
    its date in the one style of every reason (`human_day`). With `vault`, a count that
    rests on flags inferred from prose says so."""
    heard, last_shared = _ledger(past, give="shared", take="heard")
    shared, last_heard = _ledger(past, give="heard", take="shared")
    name = person.name
    if heard:
        key = "share" if last_shared else "share_never"
        sentence = LEDGER[key].format(name=name, times=times(heard), day=_day(last_shared, today))
        rests = _rests(vault, past, "shared", "heard", last_shared)
        return Ledger(heard, shared, last_shared, last_heard, "share", sentence + rests)
    if shared:
        key = "listen" if last_heard else "listen_never"
        sentence = LEDGER[key].format(name=name, times=times(shared), day=_day(last_heard, today))
        rests = _rests(vault, past, "heard", "shared", last_heard)
        return Ledger(heard, shared, last_shared, last_heard, "listen", sentence + rests)
    key = "none" if last_shared is None else "balanced"
    sentence = LEDGER[key].format(day=_day(last_shared, today))
    if last_shared is not None:
        sentence += _rests(vault, past, "shared", "heard", last_shared)
    return Ledger(0, 0, last_shared, last_heard, "balanced", sentence)


def _rests(
    vault: Vault | None, past: Sequence[Interaction], give: str, take: str, day: dt.date | None
) -> str:
    """` (inferred: '…')` when the ledger's count rests on flags read from prose."""
    if vault is None or not vault.inferred:
        return ""
    because = ledger_inferred(vault, past, give, take, day)
    return f" {inferred(because)}" if because else ""


def _day(day: dt.date | None, today: dt.date) -> str:
    return "" if day is None else human_day(day, today)


def _ahead(person: Person, today: dt.date) -> tuple[Ahead, ...]:
    return _next_of(([person.birthday] if person.birthday else []) + list(person.dates), today)


def _next_of(yearly: Sequence[YearlyDate], today: dt.date) -> tuple[Ahead, ...]:
    found: list[Ahead] = []
    for yd in yearly:
        on = next_yearly(yd, today)
        if on is None:  # after 9999-12-31: nothing ahead that a date can hold
            continue
        years = on.year - yd.year if yd.year is not None and on.year > yd.year else None
        found.append(Ahead(yd.label, on, (on - today).days, years))
    return tuple(sorted(found, key=lambda a: (a.date, a.label)))
