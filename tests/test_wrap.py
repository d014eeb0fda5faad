"""`cli.terminal.wrap`: lines of a set width, broken between words only (the pty tests in
test_terminal.py show it on a real terminal)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from vaultcrm.cli.terminal import wrap


def test_piped_text_stays_one_line() -> None:
    assert wrap("a b c " * 40, None, head="  x  ") == ["  x  " + "a b c " * 40]


def test_continuation_lines_hang_under_the_text() -> None:
    lines = wrap("one two three four five six seven eight", 24, head="  Ben  ", hang=7)
    assert lines == ["  Ben  one two three", "       four five six", "       seven eight"]


def test_a_narrow_column_left_for_the_text_indents_less() -> None:
    assert wrap("alpha beta gamma", 20, head="x" * 15) == ["x" * 15 + "alpha", "    beta gamma"]


def test_a_word_longer_than_the_line_stays_whole() -> None:
    url = "https://example.org/" + "x" * 100
    assert wrap(f"see {url} now", 40) == ["see", url, "now"]


@given(
    st.lists(
        st.text(st.characters(categories=["L", "N", "P"]), min_size=1, max_size=12), max_size=30
    ),
    st.integers(min_value=20, max_value=120),
)
def test_no_word_is_cut_or_lost(words: list[str], width: int) -> None:
    text = " ".join(words)
    lines = wrap(text, width, head="  ", hang=4)
    assert " ".join(" ".join(lines).split()) == " ".join(text.split())
    assert all(len(line) <= width for line in lines if len(line.split()) > 1)
