"""The reflection rules, one group per kind, plus the report order.

Vaults are built directly from records: the rules are pure, so no files are needed.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from vaultcrm.config import Config
from vaultcrm.model import FollowUp, Interaction, Person, Reflection, Vault, YearlyDate
from vaultcrm.reflect.kinds import KIND, SPECS, reflect
from vaultcrm.reflect.rules import cadence_days, next_yearly

TODAY = date(2026, 12, 7)  # a Monday
CONFIG = Config()


# --- builders -----------------------------------------------------------------------------


def person(name: str = "Alice", **fields: Any) -> Person:
    return Person(name=name, file=f"People/{name}.md", **fields)


def met(name: str, day: date, *flags: str, text: str = "Coffee.", line: int = 10) -> Interaction:
    return Interaction(
        person=name,
        date=day,
        text=text,
        file=f"People/{name}.md",
        line=line,
        flags=frozenset(flags),
    )


def task(
    name: str, due: date, text: str = "Ask how it went", done: bool = False, line: int = 20
) -> FollowUp:
    return FollowUp(person=name, due=due, text=text, file=f"People/{name}.md", line=line, done=done)


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def make_vault(
    people: Iterable[Person],
    interactions: Iterable[Interaction] = (),
    follow_ups: Iterable[FollowUp] = (),
) -> Vault:
    by_name = {p.name: p for p in sorted(people, key=lambda p: p.name)}
    inter: dict[str, list[Interaction]] = {name: [] for name in by_name}
    for i in interactions:
        inter[i.person].append(i)
    tasks: dict[str, list[FollowUp]] = {name: [] for name in by_name}
    for f in follow_ups:
        tasks[f.person].append(f)
    return Vault(
        root=Path("vault"),
        people=by_name,
        interactions={
            n: tuple(sorted(v, key=lambda i: (i.date, i.file, i.line))) for n, v in inter.items()
        },
        follow_ups={
            n: tuple(sorted(v, key=lambda f: (f.due, f.file, f.line))) for n, v in tasks.items()
        },
    )


def due(kind: str, vault: Vault, today: date = TODAY, config: Config = CONFIG) -> list[Reflection]:
    return [r for r in reflect(vault, today, config) if r.kind == kind]


def one(kind: str, vault: Vault, today: date = TODAY, config: Config = CONFIG) -> Reflection:
    found = due(kind, vault, today, config)
    assert len(found) == 1, found
    return found[0]


# --- registry -----------------------------------------------------------------------------


def test_registry_follows_kinds_order() -> None:
    assert tuple(spec.name for spec in SPECS) == KIND.names


def test_empty_vault_reflects_nothing() -> None:
    assert reflect(make_vault([]), TODAY, CONFIG) == []


# --- reach_out ----------------------------------------------------------------------------


class TestReachOut:
    def test_never_contacted(self) -> None:
        r = one("reach_out", make_vault([person(circle="close")]))
        assert r.reason == "No contact logged yet."
        assert dict(r.data) == {
            "last_contact": None,
            "cadence_days": 14,
            "overdue_days": None,
            "days_since": None,
        }
        assert r.person == "Alice" and r.file == "People/Alice.md"

    def test_exactly_at_cadence_fires(self) -> None:
        v = make_vault([person(circle="close")], [met("Alice", ago(14))])
        r = one("reach_out", v)
        assert dict(r.data) == {
            "last_contact": ago(14),
            "cadence_days": 14,
            "overdue_days": 0,
            "days_since": 14,
        }

    def test_one_day_before_cadence_does_not_fire(self) -> None:
        v = make_vault([person(circle="close")], [met("Alice", ago(13))])
        assert due("reach_out", v) == []

    def test_reason_names_the_circle(self) -> None:
        v = make_vault([person(circle="close")], [met("Alice", ago(45))])
        r = one("reach_out", v)
        assert r.reason == "Last contact 45 days ago; your cadence for close friends is 14 days."
        assert r.data["overdue_days"] == 31

    def test_per_person_cadence_beats_circle_beats_default(self) -> None:
        own = person("Own", circle="close", cadence_days=21)
        circled = person("Circled", circle="friends")
        plain = person("Plain")
        assert cadence_days(own, CONFIG) == 21
        assert cadence_days(circled, CONFIG) == 42
        assert cadence_days(plain, CONFIG) == 90
        v = make_vault(
            [own, circled, plain], [met(n, ago(30)) for n in ("Own", "Circled", "Plain")]
        )
        [r] = due("reach_out", v)
        assert r.person == "Own"
        assert r.reason == "Last contact 30 days ago; your cadence with Own is 21 days."

    def test_unknown_circle_falls_back_to_default(self) -> None:
        p = person(circle="climbing")
        assert cadence_days(p, CONFIG) == 90
        assert due("reach_out", make_vault([p], [met("Alice", ago(89))])) == []
        r = one("reach_out", make_vault([p], [met("Alice", ago(90))]))
        assert r.reason == "Last contact 90 days ago; your default cadence is 90 days."

    def test_custom_circle_and_default_from_config(self) -> None:
        config = dataclasses.replace(CONFIG, circles={"climbing": 10}, default_cadence=5)
        v = make_vault(
            [person("A", circle="climbing"), person("B")], [met("A", ago(10)), met("B", ago(5))]
        )
        a, b = due("reach_out", v, config=config)
        assert (
            a.reason == "Last contact 10 days ago; your cadence for the climbing circle is 10 days."
        )
        assert b.reason == "Last contact 5 days ago; your default cadence is 5 days."

    def test_future_interactions_are_plans(self) -> None:
        v = make_vault([person(circle="close")], [met("Alice", ago(20)), met("Alice", ago(-3))])
        assert one("reach_out", v).data["last_contact"] == ago(20)
        only_plans = make_vault([person()], [met("Alice", ago(-1))])
        assert one("reach_out", only_plans).data["last_contact"] is None

    def test_contact_today_counts(self) -> None:
        v = make_vault([person(circle="family")], [met("Alice", TODAY)])
        assert due("reach_out", v) == []


# --- share / listen -----------------------------------------------------------------------


class TestLedger:
    def test_share_counts_heard_since_last_shared(self) -> None:
        v = make_vault(
            [person()],
            [
                met("Alice", ago(40), "shared"),
                met("Alice", ago(30), "heard"),
                met("Alice", ago(20), "heard"),
                met("Alice", ago(10), "heard"),
            ],
        )
        r = one("share", v)
        assert dict(r.data) == {"count": 3, "last_shared": ago(40)}
        assert r.reason == (
            "Alice has confided in you 3 times since you last shared something real of your own"
            " — share, don't only listen."
        )
        assert due("listen", v) == []

    def test_share_when_never_shared_counts_all(self) -> None:
        v = make_vault([person()], [met("Alice", ago(5), "heard"), met("Alice", ago(3), "heard")])
        r = one("share", v)
        assert dict(r.data) == {"count": 2, "last_shared": None}
        assert "twice" in r.reason and "never" not in r.reason

    def test_listen_is_the_mirror(self) -> None:
        v = make_vault(
            [person("Carol")],
            [met("Carol", ago(9), "heard")] + [met("Carol", ago(d), "shared") for d in (7, 5, 3)],
        )
        r = one("listen", v)
        assert dict(r.data) == {"count": 3, "last_heard": ago(9)}
        assert r.reason == (
            "You have opened up to Carol 3 times without Carol reciprocating"
            " — read the room, ask and listen."
        )
        assert due("share", v) == []

    def test_threshold_boundary(self) -> None:
        heard = [met("Alice", ago(d), "heard") for d in (3, 2)]
        assert one("share", make_vault([person()], heard)).data["count"] == 2
        assert due("share", make_vault([person()], heard[:1])) == []
        strict = dataclasses.replace(CONFIG, ledger_threshold=3)
        assert due("share", make_vault([person()], heard), config=strict) == []

    def test_mutual_day_resets_both(self) -> None:
        v = make_vault(
            [person()],
            [
                met("Alice", ago(9), "heard"),
                met("Alice", ago(8), "heard"),
                met("Alice", ago(7), "shared"),
                met("Alice", ago(6), "shared"),
                met("Alice", ago(5), "heard", line=1),
                met("Alice", ago(5), "shared", line=2),
            ],
        )
        assert due("share", v) == []
        assert due("listen", v) == []

    def test_mutual_single_interaction_resets(self) -> None:
        v = make_vault(
            [person()],
            [
                met("Alice", ago(9), "heard"),
                met("Alice", ago(8), "heard"),
                met("Alice", ago(1), "heard", "shared"),
            ],
        )
        assert due("share", v) == []

    def test_heard_on_the_last_shared_day_is_not_counted(self) -> None:
        v = make_vault(
            [person()],
            [
                met("Alice", ago(4), "shared", line=1),
                met("Alice", ago(4), "heard", line=2),
                met("Alice", ago(2), "heard"),
            ],
        )
        assert due("share", v) == []

    def test_future_interactions_ignored(self) -> None:
        v = make_vault(
            [person()],
            [
                met("Alice", ago(3), "heard"),
                met("Alice", ago(2), "heard"),
                met("Alice", ago(-2), "shared"),
            ],
        )
        assert one("share", v).data == {"count": 2, "last_shared": None}

    def test_highest_count_first(self) -> None:
        v = make_vault(
            [person("Ann"), person("Zed")],
            [met("Ann", ago(d), "heard") for d in (2, 1)]
            + [met("Zed", ago(d), "heard") for d in (3, 2, 1)],
        )
        assert [r.person for r in due("share", v)] == ["Zed", "Ann"]


# --- deep ---------------------------------------------------------------------------------


class TestDeep:
    def test_last_deep_too_long_ago(self) -> None:
        v = make_vault([person("Bob", circle="close")], [met("Bob", date(2026, 3, 14), "deep")])
        r = one("deep", v)
        assert r.reason == "Your last truly open exchange with Bob was on Sat 14 Mar: Coffee."
        assert dict(r.data) == {"last_deep": date(2026, 3, 14), "deep_every_days": 90}

    def test_quotes_the_last_deep_exchange_not_the_last_contact(self) -> None:
        v = make_vault(
            [person("Bob", circle="close")],
            [
                met("Bob", date(2025, 6, 1), "deep", text="Talked about his dad #shared"),
                met("Bob", date(2025, 7, 1), "deep", text="Walked the Downs. #deep"),
                met("Bob", ago(2), text="Pub quiz."),
            ],
        )
        r = one("deep", v)
        assert r.reason == (
            "Your last truly open exchange with Bob was on Tue 1 Jul 2025: Walked the Downs."
        )

    def test_never_deep(self) -> None:
        r = one("deep", make_vault([person("Bob", circle="family")]))
        assert r.data["last_deep"] is None
        assert "never" not in r.reason.lower() and "Bob" in r.reason

    def test_exactly_deep_every_still_counts(self) -> None:
        at_edge = make_vault([person(circle="close")], [met("Alice", ago(90), "deep")])
        assert due("deep", at_edge) == []
        past_edge = make_vault([person(circle="close")], [met("Alice", ago(91), "deep")])
        assert one("deep", past_edge).data["last_deep"] == ago(91)

    def test_deep_circles_only(self) -> None:
        v = make_vault([person("A", circle="friends"), person("B"), person("C", circle="close")])
        assert [r.person for r in due("deep", v)] == ["C"]
        config = dataclasses.replace(CONFIG, deep_circles=("friends",))
        assert [r.person for r in due("deep", v, config=config)] == ["A"]

    def test_future_deep_is_a_plan(self) -> None:
        v = make_vault([person(circle="close")], [met("Alice", ago(-1), "deep")])
        assert one("deep", v).data["last_deep"] is None

    def test_never_first_then_longest_without(self) -> None:
        v = make_vault(
            [person("A", circle="close"), person("B", circle="close"), person("C", circle="close")],
            [met("A", ago(100), "deep"), met("B", ago(200), "deep")],
        )
        assert [r.person for r in due("deep", v)] == ["C", "B", "A"]


# --- birthday -----------------------------------------------------------------------------


def bday(month: int, day: int, year: int | None = None) -> YearlyDate:
    return YearlyDate("birthday", month, day, year)


class TestBirthday:
    def test_with_year_gives_age(self) -> None:
        r = one("birthday", make_vault([person(birthday=bday(12, 12, 1990))]))
        assert r.reason == "Turns 36 on Sat 12 Dec (in 5 days)."
        assert dict(r.data) == {"date": date(2026, 12, 12), "days_until": 5, "age": 36}

    def test_without_year(self) -> None:
        r = one("birthday", make_vault([person(birthday=bday(12, 8))]))
        assert r.data["age"] is None
        assert r.reason == "Birthday on Tue 8 Dec (tomorrow)."

    def test_today(self) -> None:
        r = one("birthday", make_vault([person(birthday=bday(12, 7))]))
        assert r.data["days_until"] == 0 and r.reason == "Birthday today!"
        aged = one("birthday", make_vault([person(birthday=bday(12, 7, 2000))]))
        assert aged.data["age"] == 26 and aged.reason.startswith("Birthday today")

    def test_horizon_inclusive(self) -> None:
        on_edge = make_vault([person(birthday=bday(12, 21))])
        assert one("birthday", on_edge).data["days_until"] == 14
        assert due("birthday", make_vault([person(birthday=bday(12, 22))])) == []

    def test_just_passed_waits_for_next_year(self) -> None:
        assert due("birthday", make_vault([person(birthday=bday(12, 6))])) == []
        assert next_yearly(bday(12, 6), TODAY) == date(2027, 12, 6)

    def test_new_year_horizon(self) -> None:
        v = make_vault([person(birthday=bday(1, 5, 1990))])
        r = one("birthday", v, today=date(2026, 12, 30))
        assert dict(r.data) == {"date": date(2027, 1, 5), "days_until": 6, "age": 37}

    def test_leap_day_in_common_year(self) -> None:
        v = make_vault([person(birthday=bday(2, 29, 2000))])
        r = one("birthday", v, today=date(2027, 2, 20))
        assert dict(r.data) == {"date": date(2027, 2, 28), "days_until": 8, "age": 27}
        assert r.reason == "Turns 27 on Sun 28 Feb (in 8 days)."

    def test_leap_day_in_leap_year(self) -> None:
        v = make_vault([person(birthday=bday(2, 29, 2000))])
        r = one("birthday", v, today=date(2028, 2, 20))
        assert dict(r.data) == {"date": date(2028, 2, 29), "days_until": 9, "age": 28}

    def test_leap_day_next_yearly_across_years(self) -> None:
        assert next_yearly(bday(2, 29), date(2027, 3, 1)) == date(2028, 2, 29)
        assert next_yearly(bday(2, 29), date(2027, 2, 28)) == date(2027, 2, 28)

    def test_not_silenced_by_snooze(self) -> None:
        v = make_vault([person(birthday=bday(12, 10), snooze_until=ago(-30))])
        assert one("birthday", v).data["days_until"] == 3


# --- date ---------------------------------------------------------------------------------


class TestDate:
    def test_with_years(self) -> None:
        v = make_vault([person(dates=(YearlyDate("wedding", 12, 10, 2015),))])
        r = one("date", v)
        assert dict(r.data) == {
            "date": date(2026, 12, 10),
            "label": "wedding",
            "days_until": 3,
            "years": 11,
        }
        assert r.reason == "Wedding: 11 years on Thu 10 Dec (in 3 days)."

    def test_without_year_and_today(self) -> None:
        v = make_vault([person(dates=(YearlyDate("name day", 12, 7),))])
        r = one("date", v)
        assert r.data["years"] is None and r.data["days_until"] == 0
        assert r.reason == "Name day today!"

    def test_several_dates_earliest_first_and_horizon(self) -> None:
        dates = (
            YearlyDate("moved in", 12, 20),
            YearlyDate("wedding", 12, 9),
            YearlyDate("far off", 12, 22),
        )
        v = make_vault([person(dates=dates)])
        assert [r.data["label"] for r in due("date", v)] == ["wedding", "moved in"]

    def test_new_year_horizon(self) -> None:
        v = make_vault([person(dates=(YearlyDate("met", 1, 2, 2020),))])
        r = one("date", v, today=date(2026, 12, 30))
        assert r.data["date"] == date(2027, 1, 2) and r.data["years"] == 7


# --- follow_up ----------------------------------------------------------------------------


class TestFollowUp:
    def test_overdue_first_and_fields(self) -> None:
        v = make_vault(
            [person()],
            follow_ups=[
                task("Alice", ago(-3), "Send the book", line=31),
                task("Alice", ago(4), line=30),
            ],
        )
        late, soon = due("follow_up", v)
        assert dict(late.data) == {
            "date": ago(4),
            "text": "Ask how it went",
            "days_until": -4,
            "source_file": "People/Alice.md",
            "line": 30,
        }
        assert late.reason == "Was due Thu 3 Dec (4 days ago): Ask how it went."
        assert soon.data["days_until"] == 3
        assert soon.reason == "Due Thu 10 Dec (in 3 days): Send the book."

    def test_due_today(self) -> None:
        r = one(
            "follow_up", make_vault([person()], follow_ups=[task("Alice", TODAY, "Call back?")])
        )
        assert r.reason == "Due today: Call back?"

    def test_one_date_style_with_the_year_only_when_another(self) -> None:
        v = make_vault(
            [person()],
            follow_ups=[
                task("Alice", date(2025, 12, 30), "Send the #book  back", line=30),
                task("Alice", ago(-3), "Call #phone", line=31),
            ],
        )
        late, soon = due("follow_up", v)
        assert late.reason == "Was due Tue 30 Dec 2025 (342 days ago): Send the back."
        assert soon.reason == "Due Thu 10 Dec (in 3 days): Call."

    def test_done_ignored(self) -> None:
        v = make_vault([person()], follow_ups=[task("Alice", ago(2), done=True)])
        assert due("follow_up", v) == []

    def test_horizon_inclusive(self) -> None:
        edge = make_vault([person()], follow_ups=[task("Alice", ago(-14))])
        assert one("follow_up", edge).data["days_until"] == 14
        beyond = make_vault([person()], follow_ups=[task("Alice", ago(-15))])
        assert due("follow_up", beyond) == []

    def test_not_silenced_by_snooze(self) -> None:
        v = make_vault([person(snooze_until=TODAY)], follow_ups=[task("Alice", TODAY)])
        assert len(due("follow_up", v)) == 1

    def test_same_day_ordered_by_name_case_insensitively_then_text(self) -> None:
        v = make_vault(
            [person("Bob"), person("anna")],
            follow_ups=[
                task("Bob", TODAY, "b"),
                task("Bob", TODAY, "a", line=21),
                task("anna", TODAY),
            ],
        )
        assert [(r.person, r.data["text"]) for r in due("follow_up", v)] == [
            ("anna", "Ask how it went"),
            ("Bob", "a"),
            ("Bob", "b"),
        ]


# --- celebrate ----------------------------------------------------------------------------


class TestCelebrate:
    def test_recent_win(self) -> None:
        v = make_vault([person()], [met("Alice", ago(3), "win", text="got the promotion")])
        r = one("celebrate", v)
        assert dict(r.data) == {"date": ago(3), "text": "got the promotion"}
        assert r.reason == "Had a win on Fri 4 Dec: got the promotion — celebrate it."

    def test_the_quoted_win_loses_its_tags(self) -> None:
        v = make_vault([person()], [met("Alice", ago(3), "win", text="Promoted! #win  #work")])
        r = one("celebrate", v)
        assert r.reason == "Had a win on Fri 4 Dec: Promoted! — celebrate it."
        assert r.data["text"] == "Promoted! #win  #work"  # the JSON field stays as written

    def test_window_boundary(self) -> None:
        edge = make_vault([person()], [met("Alice", ago(14), "win")])
        assert one("celebrate", edge).data["date"] == ago(14)
        beyond = make_vault([person()], [met("Alice", ago(15), "win")])
        assert due("celebrate", beyond) == []

    def test_contact_on_the_same_day_is_not_since(self) -> None:
        v = make_vault(
            [person()], [met("Alice", ago(3), "win", line=1), met("Alice", ago(3), line=2)]
        )
        assert len(due("celebrate", v)) == 1

    def test_contact_on_a_later_day_is_since(self) -> None:
        v = make_vault([person()], [met("Alice", ago(3), "win"), met("Alice", ago(2))])
        assert due("celebrate", v) == []

    def test_planned_contact_is_not_since(self) -> None:
        v = make_vault([person()], [met("Alice", ago(3), "win"), met("Alice", ago(-2))])
        assert len(due("celebrate", v)) == 1

    def test_future_win_ignored(self) -> None:
        assert due("celebrate", make_vault([person()], [met("Alice", ago(-1), "win")])) == []


# --- snooze -------------------------------------------------------------------------------

SILENCED = {"reach_out", "share", "listen", "deep", "celebrate"}


def everything_due_vault(snooze_until: date | None) -> Vault:
    """One person for whom every kind fires, unless snoozed."""
    p = person(
        circle="close",
        birthday=bday(12, 9, 1990),
        dates=(YearlyDate("wedding", 12, 10),),
        snooze_until=snooze_until,
    )
    return make_vault(
        [p],
        [
            met("Alice", ago(60), "heard"),
            met("Alice", ago(50), "heard"),
            met("Alice", ago(40), "win"),
            met("Alice", ago(30), "win", text="ran the marathon"),
        ],
        [task("Alice", ago(1))],
    )


class TestSnooze:
    def test_unsnoozed_person_fires_every_kind(self) -> None:
        config = dataclasses.replace(CONFIG, celebrate_within=30)
        kinds = {
            r.kind
            for r in reflect(everything_due_vault(None), TODAY, config)
            if r.person == "Alice"
        }
        # drift fires only before the cadence does, and surprise only for someone due
        # for nothing else
        assert kinds == set(KIND) - {"listen", "drift", "surprise"}

    @pytest.mark.parametrize("until", [TODAY, ago(-1)])
    def test_snooze_silences_the_nudges_only(self, until: date) -> None:
        config = dataclasses.replace(CONFIG, celebrate_within=30)
        kinds = {
            r.kind
            for r in reflect(everything_due_vault(until), TODAY, config)
            if r.person == "Alice"
        }
        assert kinds == {"birthday", "date", "follow_up"}

    def test_snooze_silences_listen(self) -> None:
        v = make_vault(
            [person(snooze_until=TODAY)],
            [met("Alice", ago(2), "shared"), met("Alice", ago(1), "shared")],
        )
        assert due("listen", v) == []

    def test_expired_snooze_does_not_silence(self) -> None:
        config = dataclasses.replace(CONFIG, celebrate_within=30)
        kinds = {
            r.kind
            for r in reflect(everything_due_vault(ago(1)), TODAY, config)
            if r.person == "Alice"
        }
        assert SILENCED - {"listen"} <= kinds


# --- order --------------------------------------------------------------------------------


def test_whole_order() -> None:
    people = [
        person("alice", circle="close"),  # never contacted
        person("Bob", circle="close", birthday=bday(12, 20)),
        person("carl", circle="friends", birthday=bday(12, 9)),
        person("Dora", dates=(YearlyDate("wedding", 12, 8), YearlyDate("adopted Rex", 12, 8))),
        person("Alice", circle="family"),  # never contacted, same name but for case
    ]
    interactions = [
        met("Bob", ago(100), "heard", "deep"),
        met("Bob", ago(99), "heard"),
        met("carl", ago(60), "heard"),
        met("carl", ago(50), "heard"),
        met("carl", ago(45), "heard"),
        met("Dora", ago(95), "win", text="won"),
        met("Dora", ago(5), "win", text="got the job"),
    ]
    follow_ups = [task("Dora", ago(-2)), task("Bob", ago(1)), task("carl", ago(1), "A")]
    result = reflect(make_vault(people, interactions, follow_ups), TODAY, CONFIG)
    assert [(r.kind, r.person) for r in result] == [
        ("reach_out", "Alice"),  # never first; case-insensitive tie → exact order
        ("reach_out", "alice"),
        ("reach_out", "Bob"),  # 99 days since, 85 overdue
        ("reach_out", "carl"),  # 45 days since, 3 overdue
        ("share", "carl"),  # 3 heard
        ("share", "Bob"),  # 2 heard
        ("deep", "Alice"),  # never
        ("deep", "alice"),
        ("deep", "Bob"),  # 100 days ago
        ("birthday", "carl"),  # 9 Dec
        ("birthday", "Bob"),  # 20 Dec
        ("date", "Dora"),  # adopted Rex, then wedding (same day, label order)
        ("date", "Dora"),
        ("follow_up", "Bob"),  # overdue
        ("follow_up", "carl"),
        ("follow_up", "Dora"),
        ("celebrate", "Dora"),
    ]
    assert [r.data["label"] for r in result if r.kind == "date"] == ["adopted Rex", "wedding"]
    # deterministic regardless of the order records arrive in
    shuffled = make_vault(list(reversed(people)), reversed(interactions), reversed(follow_ups))
    assert reflect(shuffled, TODAY, CONFIG) == result


def test_reflections_serialise_to_the_json_contract() -> None:
    v = make_vault([person(circle="close", birthday=bday(12, 12, 1990))], [met("Alice", ago(45))])
    rows = [r.to_json() for r in reflect(v, TODAY, CONFIG)]
    assert json.loads(json.dumps(rows)) == [
        {
            "kind": "reach_out",
            "person": "Alice",
            "file": "People/Alice.md",
            "reason": "Last contact 45 days ago; your cadence for close friends is 14 days.",
            "last_contact": "2026-10-23",
            "cadence_days": 14,
            "overdue_days": 31,
            "days_since": 45,
        },
        {
            "kind": "deep",
            "person": "Alice",
            "file": "People/Alice.md",
            "reason": "No truly open exchange with Alice logged yet — make room for one.",
            "last_deep": None,
            "deep_every_days": 90,
        },
        {
            "kind": "birthday",
            "person": "Alice",
            "file": "People/Alice.md",
            "reason": "Turns 36 on Sat 12 Dec (in 5 days).",
            "date": "2026-12-12",
            "days_until": 5,
            "age": 36,
        },
    ]
