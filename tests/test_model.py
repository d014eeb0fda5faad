"""The hot records' one fast constructor builds them from a tuple of every field, in the
class's field order: these tests pin that order, so a new field cannot shift the others."""

from __future__ import annotations

import datetime as dt

from vaultcrm.model import Entry, Interaction, new_entry, new_interaction


def test_entry_field_order_is_pinned() -> None:
    assert Entry._fields == ("line", "text", "date", "tags", "links", "task")
    fields = (3, "Coffee", dt.date(2026, 11, 1), ("shared",), ("Ann",), None)
    built = new_entry(fields)
    assert type(built) is Entry
    assert built == Entry(*fields)
    assert (built.line, built.date, built.links) == (3, dt.date(2026, 11, 1), ("Ann",))


def test_interaction_field_order_is_pinned() -> None:
    assert Interaction._fields == ("person", "date", "text", "file", "line", "flags")
    fields = ("Ann", dt.date(2026, 11, 1), "Coffee", "People/Ann.md", 3, frozenset({"win"}))
    built = new_interaction(fields)
    assert type(built) is Interaction
    assert built == Interaction(*fields)
    assert (built.person, built.file, built.flags) == ("Ann", "People/Ann.md", {"win"})
