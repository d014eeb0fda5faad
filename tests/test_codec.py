"""The index stores records as the tuples of their fields, each field's form worked out
from its type: what goes in comes back equal, and a new field needs no edit of the codec."""

from __future__ import annotations

import dataclasses
import datetime as dt
import marshal
from collections.abc import Mapping

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vaultcrm.cache.codec import (
    FieldsCodec,
    decode_person,
    decode_record,
    encode_person,
    encode_record,
)
from vaultcrm.model import Entry, NoteRecord, Person, Problem, YearlyDate

text = st.text(max_size=12)
dates = st.dates(min_value=dt.date(1, 1, 2))
yearly = st.builds(
    YearlyDate, text, st.integers(1, 12), st.integers(1, 31), st.none() | st.integers(1, 9999)
)
people = st.builds(
    Person,
    name=text,
    file=text,
    aliases=st.tuples(text, text),
    tags=st.lists(text, max_size=3).map(tuple),
    circle=st.none() | text,
    cadence_days=st.none() | st.integers(0, 10_000),
    birthday=st.none() | yearly,
    dates=st.lists(yearly, max_size=3).map(tuple),
    snooze_until=st.none() | dates,
    likes=st.lists(text, max_size=3).map(tuple),
    boundaries=st.none() | text,
    key_lines=st.dictionaries(text, st.integers(1, 500), max_size=3),
)
entries = st.builds(
    Entry,
    st.integers(1, 999),
    text,
    st.none() | dates,
    st.lists(text, max_size=2).map(tuple),
    st.lists(text, max_size=2).map(tuple),
    st.sampled_from([None, "open", "done"]),
)
problems = st.builds(
    Problem, text, st.none() | st.integers(1, 99), text, st.sampled_from(["error", "warning"]),
    st.none() | st.integers(1, 99),
)  # fmt: skip


@given(people)
def test_a_person_comes_back_equal(person: Person) -> None:
    stored = marshal.loads(marshal.dumps(encode_person(person), 0))
    back = decode_person(stored)
    assert back == person
    assert back.key_lines == person.key_lines  # not compared by Person's ==


@given(st.none() | people, st.lists(entries, max_size=4), st.lists(problems, max_size=2))
def test_a_record_comes_back_equal(
    person: Person | None, found: list[Entry], wrong: list[Problem]
) -> None:
    record = NoteRecord("People/Ann.md", "person", person, None, tuple(found), tuple(wrong))
    back = decode_record(encode_record(record))
    assert back == record
    assert all(type(e) is Entry for e in back.entries)


def test_a_new_field_needs_no_edit_of_the_codec() -> None:
    """Issue "relations" adds person fields (a display name, relations): a field of a type
    the codec knows is stored and read back as it is declared."""

    @dataclasses.dataclass(frozen=True)
    class Grown:
        name: str
        shown_as: str | None = None
        relations: Mapping[str, str] = dataclasses.field(default_factory=dict)
        children: tuple[str, ...] = ()
        met: dt.date | None = None
        anniversaries: tuple[YearlyDate, ...] = ()

    codec = FieldsCodec(Grown)
    value = Grown("Ann", "Dr Ann", {"partner": "Bo"}, ("Cy",), dt.date(2020, 5, 1),
                  (YearlyDate("wedding", 6, 1, 2015),))  # fmt: skip
    assert codec.decode(marshal.loads(marshal.dumps(codec.encode(value)))) == value
    assert codec.names == ("name", "shown_as", "relations", "children", "met", "anniversaries")


def test_a_field_of_a_type_without_a_stored_form_is_named() -> None:
    @dataclasses.dataclass(frozen=True)
    class Odd:
        name: str
        seen: set[str]

    with pytest.raises(TypeError, match=r"Odd\.seen: no stored form"):
        FieldsCodec(Odd)
