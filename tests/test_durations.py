"""Durations as people write them in notes and in vaultcrm.yaml."""

from __future__ import annotations

import pytest

from vaultcrm.durations import parse_duration


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("3 weeks", 21),
        ("1 week", 7),
        ("10 days", 10),
        ("1 day", 1),
        ("2 months", 60),
        ("1 month", 30),
        ("1 year", 365),
        ("2 years", 730),
        ("10d", 10),
        ("3w", 21),
        ("2m", 60),
        ("1y", 365),
        ("3W", 21),
        ("2 Months", 60),
        ("6MONTHS", 180),
        ("  14 days  ", 14),
        ("45", 45),
        (45, 45),
        (1, 1),
    ],
)
def test_every_written_form_becomes_days(text: object, days: int) -> None:
    assert parse_duration(text) == days


@pytest.mark.parametrize(
    "bad",
    ["fortnight", "", "3 fortnights", "weeks", "1.5 weeks", "-3 days", "3 weeks ago", "d10"],
)
def test_unreadable_text_names_the_value_and_the_accepted_forms(bad: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_duration(bad)
    hint = 'use e.g. "3 weeks", "10d" or a number of days'
    assert str(caught.value) == f"bad duration {bad!r}: {hint}"


@pytest.mark.parametrize("bad", [0, -1, "0", "0 days", "0w"])
def test_zero_or_negative_is_refused(bad: object) -> None:
    with pytest.raises(ValueError, match="at least 1 day"):
        parse_duration(bad)


@pytest.mark.parametrize("bad", [True, False, None, 1.5, 7.0, [3], {"weeks": 3}])
def test_values_that_are_not_a_number_or_text_are_refused(bad: object) -> None:
    # YAML turns `cadence: yes` into True; a bool is no count of days.
    with pytest.raises(ValueError, match="bad duration"):
        parse_duration(bad)


def test_absurdly_long_durations_are_refused_before_date_arithmetic_overflows() -> None:
    assert parse_duration("100 years") == 36500
    with pytest.raises(ValueError, match="at most 100 years"):
        parse_duration("101 years")
    with pytest.raises(ValueError, match="bad duration"):
        parse_duration("9" * 5000)
