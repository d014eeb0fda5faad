"""Rules: one pure function per kind, `(person, vault, today, config) -> reflections`.

Pure on purpose: no I/O, no clock, no locale. The same vault and `today` always give
the same list, so the generated note only changes when the vault does. Each rule is
registered, with everything else about its kind, in `kinds.SPECS`; the sentences it
writes are in `vaultcrm.words`.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from vaultcrm.config import Config, horizon_for
from vaultcrm.model import Interaction, Person, Reflection, Vault, YearlyDate
from vaultcrm.reflect import surprise as weekly
from vaultcrm.reflect.relations import Around, declared
from vaultcrm.reflect.rhythm import DRIFT_LEAST, rhythm
from vaultcrm.words import (
    CIRCLE_PHRASES,
    KIND_WORDS,
    MONTHS,
    REASONS,
    TICK_SOURCE,
    detag,
    human_day,
    inferred,
)
from vaultcrm.words import ago as _ago
from vaultcrm.words import count_days as _days
from vaultcrm.words import count_years as _years
from vaultcrm.words import times as _times
from vaultcrm.words import within as _when

Rule = Callable[[Person, Vault, dt.date, Config], list[Reflection]]


# --- Phrases (their words are in vaultcrm.words) -------------------------------------------


def _clause(text: str) -> str:
    """User text set inside a sentence: without its #tags (names never lose theirs), no
    trailing full stop to double up."""
    return detag(text).rstrip(".").rstrip()


def _sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?")) else text + "."


def _label(label: str) -> str:
    label = detag(label) or label  # a label that is all tags keeps them rather than vanish
    return label[:1].upper() + label[1:]


def _cadence_phrase(person: Person, config: Config, days: int) -> str:
    if person.cadence_days is not None:
        return REASONS["cadence_person"].format(name=person.name, days=_days(days))
    if person.circle is not None and person.circle in config.circles:
        circle = CIRCLE_PHRASES.get(person.circle, f"the {person.circle} circle")
        return REASONS["cadence_circle"].format(circle=circle, days=_days(days))
    return REASONS["cadence_default"].format(days=_days(days))


# --- Helpers ------------------------------------------------------------------------------


def cadence_days(person: Person, config: Config) -> int:
    """The person's own cadence, else their circle's, else the default (unknown circle too)."""
    if person.cadence_days is not None:
        return person.cadence_days
    if person.circle is not None and person.circle in config.circles:
        return config.circles[person.circle]
    return config.default_cadence


def _on(yd: YearlyDate, year: int) -> dt.date:
    """The yearly date in `year`; a day the month lacks (Feb 29) falls on its last day."""
    if yd.day <= 28:  # in every month: no calendar needed (the common case)
        return dt.date(year, yd.month, yd.day)
    last = calendar.monthrange(year, yd.month)[1]
    return dt.date(year, yd.month, min(yd.day, last))


def next_yearly(yd: YearlyDate, today: dt.date) -> dt.date | None:
    """The next occurrence of `yd` on or after `today` (Feb 29 → Feb 28 in common years);
    None when that would be after the last date Python knows (9999-12-31)."""
    this_year = _on(yd, today.year)
    if this_year >= today:
        return this_year
    return None if today.year == dt.MAXYEAR else _on(yd, today.year + 1)


def _past(person: Person, vault: Vault, today: dt.date) -> Sequence[Interaction]:
    """Interactions up to `today`; later ones are plans, not contact."""
    return until(vault.interactions.get(person.name, ()), today)


def until(items: Sequence[Interaction], today: dt.date) -> Sequence[Interaction]:
    """The date-sorted `items` up to `today`: a prefix, usually all of them (no copy),
    else a slice up to a binary search. Several rules ask for every person."""
    if not items or items[-1].date <= today:
        return items
    return items[: bisect.bisect_right(items, today, key=_date_of)]


def _date_of(i: Interaction) -> dt.date:
    return i.date


def _snoozed(person: Person, today: dt.date) -> bool:
    return person.snooze_until is not None and person.snooze_until >= today


def _quiet(person: Person, today: dt.date) -> bool:
    """Snoozed, or kept for reference (`cadence: never`): no nudge to keep in touch."""
    return person.never or _snoozed(person, today)


def _anniversary(yd: YearlyDate, on: dt.date) -> int | None:
    """Whole years since `yd`'s year at `on`; None when unknown (or not yet a year)."""
    if yd.year is None or on.year <= yd.year:
        return None
    return on.year - yd.year


def _make(kind: str, person: Person, reason: str, **data: Any) -> Reflection:
    return Reflection(kind=kind, person=person.name, file=person.file, reason=reason, data=data)


def inferred_words(vault: Vault, items: Iterable[Interaction], flags: set[str]) -> tuple[str, ...]:
    """The words behind each of `flags` that `items` have only because their prose reads
    as them (config `infer_flags`); () at once when nothing in the vault was inferred."""
    if not vault.inferred:
        return ()
    found: list[str] = []
    for i in items:
        got = vault.inferred_of(i)
        if got is not None:
            found.extend(got.because(flags))
    return tuple(dict.fromkeys(found))


def _resting(r: Reflection, because: tuple[str, ...]) -> Reflection:
    """`r`, saying that it rests on flags inferred from prose (and which words), if it does."""
    if not because:
        return r
    reason = f"{r.reason} {inferred(because)}"
    return Reflection(r.kind, r.person, r.file, reason, {**r.data, "inferred": list(because)})


def ledger_inferred(
    vault: Vault, past: Sequence[Interaction], give: str, take: str, last_give: dt.date | None
) -> tuple[str, ...]:
    """The inferred words a ledger count rests on: its `take` lines since `last_give`, and
    the `give` line(s) of that day."""
    if not vault.inferred:
        return ()
    counted = [
        i
        for i in past
        if (take in i.flags and (last_give is None or i.date > last_give))
        or (give in i.flags and i.date == last_give)
    ]
    return inferred_words(vault, counted, {give, take})


# --- Rules --------------------------------------------------------------------------------


def reach_out(person: Person, vault: Vault, today: dt.date, config: Config) -> list[Reflection]:
    """Fires when the last contact is at least the cadence ago, or there was none."""
    if _quiet(person, today):
        return []
    cadence = cadence_days(person, config)
    past = _past(person, vault, today)
    if not past:
        return [
            _make(
                "reach_out",
                person,
                REASONS["reach_out_never"],
                last_contact=None,
                cadence_days=cadence,
                overdue_days=None,
                days_since=None,
            )
        ]
    last = past[-1].date  # sorted by date
    since = (today - last).days
    if since < cadence:
        return []
    reason = REASONS["reach_out"].format(
        ago=_ago(since), cadence=_cadence_phrase(person, config, cadence)
    )
    return [
        _make(
            "reach_out",
            person,
            reason,
            last_contact=last,
            cadence_days=cadence,
            overdue_days=since - cadence,
            days_since=since,
        )
    ]


def _ledger(past: Sequence[Interaction], give: str, take: str) -> tuple[int, dt.date | None]:
    """`take` interactions on days after the last day with a `give` one, and that day.

    Works by day: a day with both flags is mutual and is itself the last `give` day,
    so it resets the count either way. `past` is sorted by date, so both are found by
    walking back from the latest interaction, usually only a few steps.
    """
    last_give = next((i.date for i in reversed(past) if give in i.flags), None)
    count = 0
    for i in reversed(past):
        if last_give is not None and i.date <= last_give:
            break
        if take in i.flags:
            count += 1
    return count, last_give


def share(person: Person, vault: Vault, today: dt.date, config: Config) -> list[Reflection]:
    """They keep opening up and you have not: time to share something of your own."""
    if _quiet(person, today):
        return []
    past = _past(person, vault, today)
    count, last_shared = _ledger(past, give="shared", take="heard")
    if count < config.ledger_threshold:
        return []
    key = "share" if last_shared is not None else "share_never"
    reason = REASONS[key].format(name=person.name, times=_times(count))
    found = _make("share", person, reason, count=count, last_shared=last_shared)
    return [_resting(found, ledger_inferred(vault, past, "shared", "heard", last_shared))]


def listen(person: Person, vault: Vault, today: dt.date, config: Config) -> list[Reflection]:
    """You keep opening up and they have not: time to ask and listen."""
    if _quiet(person, today):
        return []
    past = _past(person, vault, today)
    count, last_heard = _ledger(past, give="heard", take="shared")
    if count < config.ledger_threshold:
        return []
    reason = REASONS["listen"].format(name=person.name, times=_times(count))
    found = _make("listen", person, reason, count=count, last_heard=last_heard)
    return [_resting(found, ledger_inferred(vault, past, "heard", "shared", last_heard))]


def deep(person: Person, vault: Vault, today: dt.date, config: Config) -> list[Reflection]:
    """A close person with no truly open exchange within `deep_every` (inclusive).

    The reason quotes that last exchange (date and text), not the last contact: it is
    what to pick up from."""
    if _quiet(person, today) or person.circle not in config.deep_circles:
        return []
    past = _past(person, vault, today)
    last = next((i for i in reversed(past) if "deep" in i.flags), None)  # sorted by date
    last_deep = last.date if last is not None else None
    if last_deep is not None and (today - last_deep).days <= config.deep_every:
        return []
    if last is None:
        reason = REASONS["deep_none"].format(name=person.name)
    else:
        reason = _sentence(
            REASONS["deep"].format(
                name=person.name, day=human_day(last.date, today), text=_clause(last.text)
            )
        )
    found = _make("deep", person, reason, last_deep=last_deep, deep_every_days=config.deep_every)
    return [_resting(found, inferred_words(vault, [last] if last else [], {"deep"}))]


def birthday(person: Person, vault: Vault, today: dt.date, config: Config) -> list[Reflection]:
    """The next birthday within the person's horizon (inclusive), with the age they turn;
    and the birthday of each person around them that their note names (from its mapping,
    else from that person's own note), said through them, within the same horizon."""
    horizon = horizon_for(config, person.circle)
    out: list[Reflection] = []
    if person.birthday is not None:
        found = _birthday(person, person.birthday, today, horizon)
        if found is not None:
            out.append(found)
    if person.relations:
        for around in declared(person, vault):
            if around.birthday is not None:
                found = _birthday(person, around.birthday, today, horizon, around)
                if found is not None:
                    out.append(found)
    return out


def _birthday(
    person: Person, yd: YearlyDate, today: dt.date, horizon: int, around: Around | None = None
) -> Reflection | None:
    on = next_yearly(yd, today)
    if on is None:
        return None
    until = (on - today).days
    if until > horizon:
        return None
    age = _anniversary(yd, on)
    if until == 0:
        key = "birthday_today" if age is None else "birthday_today_age"
    else:
        key = "birthday" if age is None else "birthday_age"
    if around is None:
        reason = REASONS[key].format(age=age, day=human_day(on, today), when=_when(until))
        return _make("birthday", person, reason, date=on, days_until=until, age=age)
    reason = REASONS[f"relation_{key}"].format(
        age=age, day=human_day(on, today), when=_when(until), **_whose(person, around)
    )
    return _make(
        "birthday", person, reason, date=on, days_until=until, age=age,
        relation=around.name, role=around.role,
    )  # fmt: skip


def _whose(person: Person, around: Around) -> dict[str, str]:
    return {"relation": around.name, "name": person.name, "role": around.role}


def date(person: Person, vault: Vault, today: dt.date, config: Config) -> list[Reflection]:
    """Each other yearly date (`dates:`) whose next occurrence is within the person's
    horizon; and those of the people around them their note names, said through them."""
    horizon = horizon_for(config, person.circle)
    out = [
        found
        for yd in person.dates
        if (found := _date(person, yd, today, horizon)) is not None
    ]
    if person.relations:
        for around in declared(person, vault):
            for yd in around.dates:
                found = _date(person, yd, today, horizon, around)
                if found is not None:
                    out.append(found)
    return out


def _date(
    person: Person, yd: YearlyDate, today: dt.date, horizon: int, around: Around | None = None
) -> Reflection | None:
    on = next_yearly(yd, today)
    if on is None:
        return None
    until = (on - today).days
    if until > horizon:
        return None
    years = _anniversary(yd, on)
    key = "date" if until else "date_today"
    if years is not None:
        key += "_years"
    words = {
        "years": _years(years) if years is not None else "",
        "day": human_day(on, today),
        "when": _when(until),
    }
    if around is None:
        reason = REASONS[key].format(label=_label(yd.label), **words)
        return _make("date", person, reason, date=on, label=yd.label, days_until=until,
                     years=years)  # fmt: skip
    reason = REASONS[f"relation_{key}"].format(
        label=detag(yd.label) or yd.label, **words, **_whose(person, around)
    )
    return _make(
        "date", person, reason, date=on, label=yd.label, days_until=until, years=years,
        relation=around.name, role=around.role,
    )  # fmt: skip


def follow_up(person: Person, vault: Vault, today: dt.date, config: Config) -> list[Reflection]:
    """Every open follow-up due on or before today + the person's horizon; done ones
    never fire."""
    out: list[Reflection] = []
    horizon = horizon_for(config, person.circle)
    for task in vault.follow_ups.get(person.name, ()):
        until = (task.due - today).days
        if task.done or until > horizon:
            continue
        text = _clause(task.text)
        if until < 0:
            message = REASONS["follow_up_overdue"].format(
                day=human_day(task.due, today), ago=_ago(-until), text=text
            )
        elif until == 0:
            message = REASONS["follow_up_today"].format(text=text)
        else:
            message = REASONS["follow_up"].format(
                day=human_day(task.due, today), when=_when(until), text=text
            )
        out.append(
            _make(
                "follow_up",
                person,
                _sentence(message),
                date=task.due,
                text=task.text,
                days_until=until,
                source_file=task.file,
                line=task.line,
            )
        )
    return out


def celebrate(person: Person, vault: Vault, today: dt.date, config: Config) -> list[Reflection]:
    """A `#win` within `celebrate_within` days (inclusive) and no contact on a later day."""
    if _snoozed(person, today):
        return []
    past = _past(person, vault, today)
    if not past:
        return []
    last_day = past[-1].date  # sorted by date
    if (today - last_day).days > config.celebrate_within:
        return []
    out: list[Reflection] = []
    seen: set[str] = set()
    # Only wins on the last day of contact have nothing "since" them.
    for win in past[bisect.bisect_left(past, last_day, key=_date_of) :]:
        if "win" not in win.flags or win.text in seen:
            continue
        seen.add(win.text)
        day = human_day(win.date, today)
        reason = REASONS["celebrate"].format(day=day, text=_clause(win.text))
        found = _make("celebrate", person, reason, date=win.date, text=win.text)
        out.append(_resting(found, inferred_words(vault, [win], {"win"})))
    return out


def drift(person: Person, vault: Vault, today: dt.date, config: Config) -> list[Reflection]:
    """Their own rhythm broke (`reflect.rhythm`): the days since the last contact reach
    twice the usual gap (and three weeks) while the cadence does not yet say so, which
    `reach_out` would."""
    if _quiet(person, today):
        return []
    past = _past(person, vault, today)
    if not past:
        return []
    since = (today - past[-1].date).days  # the rhythm's last day of contact too
    # too soon to be drift whatever the rhythm, or the cadence says it: no rhythm to read
    if since < DRIFT_LEAST or since >= cadence_days(person, config):
        return []
    found = rhythm(past)
    if found is None or not found.broken(since):
        return []
    reason = REASONS["drift"].format(
        rhythm=_days(found.days),
        contacts=found.contacts,
        since=_days(since),
        day=human_day(found.last, today),
    )
    return [
        _make(
            "drift", person, reason, last_contact=found.last, days_since=since,
            rhythm_days=found.days, contacts=found.contacts,
        )
    ]  # fmt: skip


#: Contact this recently (before the week began) keeps someone out of the week's draw.
SURPRISE_QUIET = 14
#: The line a ticked surprise logs (`app.ticks.log_text`): contact this week that is only
#: this keeps this week's pick, listed and ticked, rather than draw another.
SURPRISE_TICK = f"{KIND_WORDS['surprise'].logged} {TICK_SOURCE}"


def surprise_candidate(person: Person, vault: Vault, today: dt.date, config: Config) -> bool:
    """Whether `person` is a candidate for this week's unexpected reach-out (`surprise`
    for whom it is picked): asked of everyone, so it writes no reason."""
    return _before_the_week(person, vault, today, config) is not None


def _before_the_week(
    person: Person, vault: Vault, today: dt.date, config: Config
) -> Sequence[Interaction] | None:
    """A candidate's contacts before this week began (never empty); None for someone
    who is no candidate."""
    if not config.surprise or _quiet(person, today) or person.circle in config.deep_circles:
        return None
    past = _past(person, vault, today)
    monday = weekly.monday_of(today)
    before = until(past, monday - dt.timedelta(days=1))
    if not before or (monday - before[-1].date).days <= SURPRISE_QUIET:
        return None
    if len(before) < len(past) and any(i.text != SURPRISE_TICK for i in past[len(before) :]):
        return None  # in touch this week already
    return before


def surprise(person: Person, vault: Vault, today: dt.date, config: Config) -> list[Reflection]:
    """This week's unexpected reach-out, for a candidate (`reflect.surprise` picks one
    for the whole vault, among people due for nothing else: `KindSpec.alone`): outside
    `deep_circles`, not snoozed, last in touch more than two weeks before the week began,
    and not since (but for the line its own tick logs). The reason comes from their notes
    as they were when the week began: the last thing they confided (#heard), else
    something they like, else the last thing you did together."""
    before = _before_the_week(person, vault, today, config)
    if before is None:
        return []
    last = before[-1]
    heard = next((i for i in reversed(before) if "heard" in i.flags), None)
    if heard is not None:
        month = MONTHS[heard.date.month - 1]
        if heard.date.year != today.year:
            month += f" {heard.date.year}"
        reason = REASONS["surprise_heard"].format(
            month=month, name=person.name, text=_clause(heard.text)
        )
        because, source = "confided", heard.date
    elif person.likes:
        reason = REASONS["surprise_likes"].format(name=person.name, like=person.likes[0])
        because, source = "likes", None
    else:
        reason = REASONS["surprise_together"].format(
            name=person.name, day=human_day(last.date, today), text=_clause(last.text)
        )
        because, source = "together", last.date
    found = _make(
        "surprise", person, reason, week=weekly.week_of(today), because=because,
        source_date=source, last_contact=last.date, days_since=(today - last.date).days,
    )  # fmt: skip
    if heard is not None:
        return [_resting(found, inferred_words(vault, [heard], {"heard"}))]
    return [found]
