"""The lean frontmatter loader gives exactly what PyYAML's stock safe loaders give.

`vaultcrm.read.yamlload` builds plain trees itself for speed; these properties compare its
values (with their types) and its errors (class and message) with PyYAML's own
constructor on generated documents, valid and broken.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import examples
from vaultcrm.read.yamlload import MARKED, FastLoader, SlowLoader, loader_for, with_mark


class _StockFast(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    pass


class _StockSlow(yaml.SafeLoader):
    pass


for _tag, _construct, _what in MARKED:
    for _loader in (_StockFast, _StockSlow):
        _loader.add_constructor(f"tag:yaml.org,2002:{_tag}", with_mark(_construct, _what))


def _typed(value: Any) -> Any:
    """The value with every type spelled out (1 == 1.0 == True must not pass)."""
    if isinstance(value, dict):
        return ("dict", [(_typed(k), _typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [_typed(v) for v in value])
    if isinstance(value, (set, frozenset, tuple)):
        return (type(value).__name__, sorted(repr(_typed(v)) for v in value))
    if isinstance(value, float) and math.isnan(value):
        return ("float", "nan")
    return (type(value).__name__, repr(value))


def _outcome(text: str, loader: Any) -> Any:
    try:
        return ("value", _typed(yaml.load(text, Loader=loader)))
    except Exception as err:  # noqa: BLE001 - the error itself is what is compared
        return ("error", type(err).__name__, str(err))


def _same_as_stock(text: str) -> None:
    assert _outcome(text, FastLoader) == _outcome(text, _StockFast), text
    assert _outcome(text, SlowLoader) == _outcome(text, _StockSlow), text


# Lines a frontmatter may hold, including every construct the lean path hands back to PyYAML.
_SNIPPETS = [
    "name: Alice",
    "circle: close",
    "cadence: 2w",
    "birthday: 1990-04-12",
    "birthday: --04-12",
    "birthday: 2026-02-30",
    "updated: 2024-05-01 10:30:00",
    "updated: 2024-05-01T10:30:00+02:00",
    "aliases: [Ali, 'Al', \"A.\"]",
    "tags:\n  - friend\n  - climbing",
    "likes:\n- tea\n- [nested, list]",
    "related: [\"[[Bob]]\", \"[[Carol|C]]\"]",
    "dates: {wedding: 2015-06-01, met: --09-03}",
    "dates:\n  wedding: 2015-06-01\n  bad: nope",
    "yes_no: no",
    "on_off: on",
    "octal: 012345",
    "sexagesimal: 1:30",
    "hex: 0x1F",
    "big: 1e400",
    "inf: .inf",
    "nan: -.NaN",
    "null_tilde: ~",
    "empty:",
    "quoted_num: '12'",
    "forced: !!str 12",
    "forced_int: !!int twelve",
    "forced_float: !!float x",
    "forced_bool: !!bool yes",
    "binary: !!binary aGVsbG8=",
    "custom: !custom 1",
    "set: !!set {a, b}",
    "omap: !!omap [a: 1, b: 2]",
    "pairs: !!pairs [a: 1, a: 2]",
    "<<: {merged: 1}",
    "base:\n  <<: {deep: 2}\n  own: 3",
    "=: value key",
    "? [a, b]\n: unhashable",
    "? {a: 1}\n: unhashable",
    "1: int key",
    "2024-01-01: date key",
    "null: null key",
    "true: bool key",
    "dup: 1\ndup: 2",
    "multi: |\n  line one\n  line two",
    "folded: >\n  a\n  b",
    "# a comment",
    "tab:\tvalue",
    "broken: [unclosed",
    "broken: {a: 1",
    "  bad indent: 1",
    "- a list item",
    "'quoted key': 1",
    "\"esc\": \"\\u00e9\\t\"",
    "weird: \"\\x\"",
    "text: ünïcödé ✓",
]


@settings(max_examples=examples(400), deadline=None)
@given(st.lists(st.sampled_from(_SNIPPETS), min_size=0, max_size=8))
def test_frontmatter_like_documents_load_as_stock(lines: list[str]) -> None:
    _same_as_stock("\n".join(lines))


_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True)
    | st.text(max_size=12)
    | st.dates()
    | st.datetimes(timezones=st.none() | st.just(dt.UTC))
)
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=6) | st.integers() | st.dates(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=examples(300), deadline=None)
@given(_values, st.sampled_from([None, True, False]), st.booleans())
def test_dumped_values_load_as_stock(value: Any, flow: bool | None, unicode: bool) -> None:
    _same_as_stock(yaml.safe_dump(value, default_flow_style=flow, allow_unicode=unicode))


@settings(max_examples=examples(300), deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab:-[]{},'\"!&*?|>#\n\t 01.~")), max_size=40))
def test_arbitrary_text_loads_or_fails_as_stock(text: str) -> None:
    _same_as_stock(text)


def test_long_frontmatter_uses_the_pure_python_loader() -> None:
    assert loader_for("a: 1") is FastLoader
    assert loader_for("a: " + "x" * 10_000) is SlowLoader


def test_deep_nesting_fails_cleanly_in_both_loaders() -> None:
    deep = "a: " + "[" * 3000 + "]" * 3000
    assert _outcome(deep, SlowLoader)[0] == "error"
