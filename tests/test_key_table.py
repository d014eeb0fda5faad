"""`fields.KeyTable` (memoised per key string) reads keys as a plain per-note loop does.

The oracle is the straightforward version it replaced: normalise every key of every
note, take per field the first of its spellings the note has (of keys written alike,
the first), and ask difflib about every key that is no spelling and no ignored property.
"""

from __future__ import annotations

import difflib
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import examples
from vaultcrm.fields import DEFAULT_FIELDS, NEAR, Fields, KeyTable, norm_key, normalise

_NOT_MISSES = {"date", "created", "updated", "modified", "title", "name", "type"}


def _oracle(
    data: dict[Any, Any], fields: Fields, ignored: frozenset[str]
) -> tuple[dict[str, tuple[Any, Any]], list[tuple[Any, str]]]:
    written: dict[str, Any] = {}
    for key in data:
        written.setdefault(norm_key(key), key)
    picked: dict[str, tuple[Any, Any]] = {}
    for name, spellings in fields:
        for spelling in spellings:
            key = written.get(spelling)
            if key is not None:
                picked[name] = (key, data[key])
                break
    known = [s for _, spellings in fields for s in spellings]
    misses = []
    for key in data:
        normed = norm_key(key)
        if normed in ignored or normed in known or normed in _NOT_MISSES or len(normed) < 3:
            continue
        close = difflib.get_close_matches(normed, known, n=1, cutoff=NEAR)
        if close:
            misses.append((key, close[0]))
    return picked, misses


KEYS = st.sampled_from([
    "tags", "Tags", "tag", "birthday", "Birthday", "bday", "born", "birtday", "cadence",
    "Contact-Frequency", "contact frequency", "keep_in_touch", "last_contact", "last-seen",
    "last_contated", "follow_up", "next_follow_up", "date", "dates", "company", "circel",
    "likes", "like", "aliasses", "type", "categories", "ab", "none", "None", 1, 2.5, None,
])  # fmt: skip
CONFIGS = [
    normalise(DEFAULT_FIELDS),
    normalise({**DEFAULT_FIELDS, "birthday": ("born", "Birthday"), "tags": ("tag", "categories")}),
]


@settings(max_examples=examples(300), deadline=None)
@given(
    st.lists(st.lists(KEYS, max_size=10), min_size=1, max_size=4),
    st.sampled_from(CONFIGS),
    st.sampled_from([frozenset(), frozenset({"categories", "type", "birtday"})]),
)
def test_key_table_reads_as_the_plain_loop(
    notes: list[list[Any]], fields: Fields, ignored: frozenset[str]
) -> None:
    table = KeyTable(fields, ignored)  # one table for several notes: the memo is exercised
    for keys in notes:
        data = {key: f"value {n}" for n, key in enumerate(keys)}
        picked, misses = table.read(data)
        want_picked, want_misses = _oracle(data, fields, ignored)
        assert list(picked.items()) == list(want_picked.items())
        assert misses == want_misses
