"""Byte-level note surgery: exactly the asked-for lines change, every other byte survives."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import examples
from vaultcrm.edit.frontmatter import set_frontmatter_key, unset_frontmatter_key
from vaultcrm.edit.lines import append_line, append_log_line, check_task
from vaultcrm.read.parse import split_frontmatter

ALICE = (
    "---\n"
    "aliases: [Ali]\n"
    "tags:\n"
    "  - climbing\n"
    "circle: close            # a key of config `circles`\n"
    "# zip codes keep their zero\n"
    "zip: 012345\n"
    "vegan: no\n"
    "run: 1:30\n"
    "pet: ~\n"
    "birthday: 1990-04-12     # or --04-12\n"
    "---\n"
    "Free notes…\n"
    "\n"
    "- 2026-10-01 Call. She got the promotion! #win\n"
    "- 2026-11-02 Coffee. #shared #deep\n"
    "  - marathon training\n"
    "- [ ] 2026-11-20 Ask how the marathon went\n"
)


def lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


def frontmatter(data: bytes) -> dict[str, object]:
    """The frontmatter as another tool reads it (PyYAML, YAML 1.1)."""
    fm = split_frontmatter(data.decode("utf-8-sig").replace("\r\n", "\n"))[0]
    assert fm is not None
    loaded = yaml.safe_load(fm)
    assert isinstance(loaded, dict)
    return loaded


# --- append_log_line / append_line -------------------------------------------------------


def test_log_line_goes_after_the_last_dated_item_and_its_children() -> None:
    out = append_log_line(ALICE.encode(), "- 2026-11-23 Coffee #shared").decode()
    assert out == ALICE.replace(
        "  - marathon training\n", "  - marathon training\n- 2026-11-23 Coffee #shared\n"
    )


def test_log_line_in_a_newest_first_log_goes_on_top() -> None:
    note = b"Notes\n\n- [[2026-11-02]] Coffee\n- 2026-10-01 Call\n\nEnd\n"
    out = append_log_line(note, "- 2026-11-23 Walk")
    assert out == b"Notes\n\n- 2026-11-23 Walk\n- [[2026-11-02]] Coffee\n- 2026-10-01 Call\n\nEnd\n"


def test_a_back_dated_line_never_splits_an_item_from_its_dated_sub_items() -> None:
    note = b"- 2026-11-02 Coffee\n  - 2026-11-01 prep call\n- 2026-10-01 Call\n"
    out = append_log_line(note, "- 2026-11-01 Walk")
    assert (
        out == b"- 2026-11-02 Coffee\n  - 2026-11-01 prep call\n- 2026-11-01 Walk\n"
        b"- 2026-10-01 Call\n"
    )
    ascending = b"- 2026-10-01 Call\n- 2026-11-02 Coffee\n  - 2026-11-01 prep\n- 2026-12-01 X\n"
    out = append_log_line(ascending, "- 2026-11-05 Walk")
    assert out == ascending.replace(b"- 2026-12-01", b"- 2026-11-05 Walk\n- 2026-12-01")


def test_log_line_without_a_log_goes_at_the_end_and_tasks_are_not_log_lines() -> None:
    note = b"---\ndates:\n- 2015-06-01\n---\nHi\n- [ ] 2026-12-01 call\n"
    assert append_log_line(note, "- 2026-11-23 Walk") == note + b"- 2026-11-23 Walk\n"


def test_log_line_keeps_crlf_and_bom_and_adds_a_missing_final_newline() -> None:
    note = b"\xef\xbb\xbf---\r\ncircle: close\r\n---\r\n- 2026-01-01 a\r\n- 2026-01-02 b"
    out = append_log_line(note, "- 2026-11-23 c")
    assert out == note + b"\r\n- 2026-11-23 c\r\n"


def test_append_line_on_an_empty_note() -> None:
    assert append_line(b"", "- [ ] call") == b"- [ ] call\n"
    assert append_line(b"x\r\ny", "z") == b"x\r\ny\r\nz\r\n"


def test_a_line_with_a_break_is_refused() -> None:
    with pytest.raises(ValueError, match="line break"):
        append_line(b"x\n", "a\nb")


# --- set / unset frontmatter keys --------------------------------------------------------


def changed_lines(before: bytes, after: bytes) -> tuple[list[bytes], list[bytes]]:
    """The lines that differ: what was removed and what was added (a single contiguous run)."""
    a, b = lines(before), lines(after)
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    return a[head : len(a) - tail], b[head : len(b) - tail]


def test_setting_a_key_changes_only_its_line_and_keeps_its_comment() -> None:
    out = set_frontmatter_key(ALICE.encode(), "circle", "friends")
    assert changed_lines(ALICE.encode(), out) == (
        [b"circle: close            # a key of config `circles`\n"],
        [b"circle: friends          # a key of config `circles`\n"],
    )


def test_a_new_key_goes_at_the_end_of_the_block() -> None:
    out = set_frontmatter_key(ALICE.encode(), "snooze_until", dt.date(2026, 12, 1))
    assert changed_lines(ALICE.encode(), out) == ([], [b"snooze_until: 2026-12-01\n"])
    assert out.decode().index("snooze_until") < out.decode().index("Free notes")


def test_lists_keep_their_style() -> None:
    out = set_frontmatter_key(ALICE.encode(), "aliases", ["Ali", "Al"])
    assert changed_lines(ALICE.encode(), out)[1] == [b"aliases: [Ali, Al]\n"]
    out = set_frontmatter_key(ALICE.encode(), "tags", ["climbing", "chess"])
    assert changed_lines(ALICE.encode(), out) == ([], [b"  - chess\n"])


def test_strings_other_readers_would_misread_are_quoted() -> None:
    for value in ["no", "yes", "on", "1:30", "012345", "~", "null", "2026-01-01", "true"]:
        out = set_frontmatter_key(b"---\na: 1\n---\n", "k", value)
        assert frontmatter(out)["k"] == value


def test_a_note_without_frontmatter_gets_one_and_keeps_bom_and_crlf() -> None:
    out = set_frontmatter_key(b"\xef\xbb\xbfHello\r\n", "circle", "close")
    assert out == b"\xef\xbb\xbf---\r\ncircle: close\r\n---\r\nHello\r\n"


def test_setting_an_equal_value_changes_nothing() -> None:
    note = b"---\nbirthday: 1990-04-12   # x\n---\n"
    assert set_frontmatter_key(note, "birthday", dt.date(1990, 4, 12)) is note


def test_unset_removes_the_key_and_its_block() -> None:
    out = unset_frontmatter_key(ALICE.encode(), "tags")
    assert changed_lines(ALICE.encode(), out) == ([b"tags:\n", b"  - climbing\n"], [])
    assert unset_frontmatter_key(ALICE.encode(), "absent") == ALICE.encode()


@pytest.mark.parametrize("key", ["", "a: b", "no", "#x", "- x", "two\nlines", " pad"])
def test_keys_that_are_not_plain_top_level_keys_are_refused(key: str) -> None:
    with pytest.raises(ValueError, match="top-level"):
        set_frontmatter_key(ALICE.encode(), key, "x")


def test_unreadable_frontmatter_is_refused() -> None:
    with pytest.raises(ValueError, match="does not parse"):
        set_frontmatter_key(b"---\na: [\n---\n", "b", 1)
    with pytest.raises(ValueError, match="not closed"):
        set_frontmatter_key(b"---\na: 1\n", "b", 1)
    with pytest.raises(ValueError, match="not UTF-8"):
        set_frontmatter_key(b"---\na: \xff\n---\n", "b", 1)


# --- check_task --------------------------------------------------------------------------


def test_check_task_ticks_only_that_line() -> None:
    out = check_task(ALICE.encode(), 18, "Ask how")
    assert changed_lines(ALICE.encode(), out) == (
        [b"- [ ] 2026-11-20 Ask how the marathon went\n"],
        [b"- [x] 2026-11-20 Ask how the marathon went\n"],
    )


def test_check_task_refuses_a_line_that_moved_or_was_done() -> None:
    with pytest.raises(ValueError, match="no longer an open task"):
        check_task(ALICE.encode(), 17)
    with pytest.raises(ValueError, match="no longer reads"):
        check_task(ALICE.encode(), 18, "Call Bob")
    done = check_task(ALICE.encode(), 18)
    with pytest.raises(ValueError, match="no longer an open task"):
        check_task(done, 18)


# --- properties --------------------------------------------------------------------------

#: raw YAML after `key:`; (text, may carry an end-of-line comment)
VALUE_FORMS = [
    (" no", True),
    (" 012345", True),
    (" 1:30", True),
    (" ~", True),
    (" close", True),
    (" 'single ''q'''", True),
    (' "double: q"', True),
    (" [a, 'b c']", True),
    (" 2026-01-01", True),
    (" {wedding: 2015-06-01}", True),
    ("", True),
    ("\n  - x\n  - y", True),
    ("\n- x\n- y", True),
    ("\n    - deep", True),
    ("\n  wedding: 2015-06-01\n  # inner comment\n  other: x", True),
    (" |\n  line one\n\n  line three", True),
    (" Don't bring\n  up her dad", False),
]
KEYS = [
    "aliases",
    "tags",
    "circle",
    "cadence",
    "zip",
    "vegan",
    "run",
    "pet",
    "birthday",
    "dates",
    "likes",
    "boundaries",
    "snooze_until",
    "Last contact",
    "ключ",
]


@dataclass
class Note:
    data: bytes
    spans: dict[str, tuple[int, int]]  # key -> file line indices [start, end)
    fm_end: int | None  # index of the closing `---` line
    nl: str


body_text = st.text(st.characters(codec="utf-8", exclude_characters="\n"), max_size=20)
body_line = st.one_of(
    body_text,
    st.sampled_from(
        [
            "---",
            "",
            "## Log",
            "- 2026-01-03 x #shared",
            "- [[2026-02-01]] y",
            "  - child",
            "- [ ] 2026-03-01 task",
            "* 2025-12-31 old",
            "- [x] done",
        ]
    ),
    st.builds(lambda d, t: f"- {d.isoformat()} {t}", st.dates(), body_text),
)


@st.composite
def notes(draw: st.DrawFn) -> Note:
    nl = draw(st.sampled_from(["\n", "\r\n"]))
    out: list[str] = []
    spans: dict[str, tuple[int, int]] = {}
    fm_end = None
    if draw(st.booleans()):
        out.append("---")
        for key in draw(st.lists(st.sampled_from(KEYS), unique=True, max_size=6)):
            for _ in range(draw(st.integers(0, 1))):
                out.append(draw(st.sampled_from(["# a comment", "", "#"])))
            form, commentable = draw(st.sampled_from(VALUE_FORMS))
            first, *rest = form.split("\n")
            if commentable and draw(st.booleans()):
                first += "   # why"
            spans[key] = (len(out), len(out) + 1 + len(rest))
            out += [f"{key}:{first}", *rest]
        if draw(st.booleans()):
            out.append("# trailing comment")
        fm_end = len(out)
        out.append("---")
    body = draw(st.lists(body_line, max_size=8))
    if fm_end is None and body and body[0].startswith("---"):
        body[0] = "text"
    out += body
    final_break = draw(st.booleans())
    text = nl.join(out) + (nl if out and final_break else "")
    bom = b"\xef\xbb\xbf" if draw(st.booleans()) else b""
    data = bom + text.encode("utf-8")
    if fm_end is not None:  # the generator only writes valid YAML
        yaml.safe_load(nl.join(out[1:fm_end]))
    return Note(data, spans, fm_end, nl)


def removing_added_line_restores(original: bytes, result: bytes, line: str, nl: bytes) -> bool:
    bom = b"\xef\xbb\xbf"
    if original.startswith(bom) != result.startswith(bom):
        return False
    original, result = original.removeprefix(bom), result.removeprefix(bom)
    parts = result.split(b"\n")
    for i, part in enumerate(parts):
        if part.rstrip(b"\r") != line.encode():
            continue
        candidate = b"\n".join(parts[:i] + parts[i + 1 :])
        if candidate == original or (candidate.endswith(nl) and candidate[: -len(nl)] == original):
            return True
    return False


log_lines = st.builds(
    lambda d, t: f"- {d.isoformat()} {t}".rstrip(),
    st.dates(),
    st.text(st.characters(codec="utf-8", exclude_characters="\r\n"), max_size=15),
)


@settings(max_examples=examples(300), suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(notes(), log_lines)
def test_removing_the_appended_log_line_gives_back_the_original(note: Note, line: str) -> None:
    first_break = note.data.find(b"\n")
    nl = b"\r\n" if first_break > 0 and note.data[first_break - 1 : first_break] == b"\r" else b"\n"
    for append in (append_log_line, append_line):
        result = append(note.data, line)
        assert len(result) in (
            len(note.data) + len(line.encode()) + len(nl),
            len(note.data) + len(line.encode()) + 2 * len(nl),
        )
        assert removing_added_line_restores(note.data, result, line, nl)


plain_text = st.text(
    st.characters(exclude_categories=["Cs", "Cc", "Zl", "Zp"], exclude_characters="\ufeff"),
    max_size=20,
)
values = st.one_of(
    st.sampled_from(["no", "yes", "1:30", "012345", "~", "", " x ", "a: b", "# c", "- d"]),
    plain_text,
    st.integers(-(10**6), 10**6),
    st.dates(),
    st.lists(st.one_of(plain_text, st.sampled_from(["no", "1:30"])), max_size=3),
)


def file_lines(note: Note) -> list[bytes]:
    return note.data.split(b"\n")


@settings(max_examples=examples(300), suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(notes(), st.sampled_from(KEYS), values)
def test_setting_a_key_changes_exactly_that_keys_lines(note: Note, key: str, value: object) -> None:
    result = set_frontmatter_key(note.data, key, value)
    before, after = file_lines(note), result.split(b"\n")
    if key in note.spans:
        start, end = note.spans[key]
    elif note.fm_end is not None:
        start = end = note.fm_end
    else:
        start = end = 0
    if start == 0 and note.data.startswith(b"\xef\xbb\xbf"):
        before[0] = before[0][3:]
        assert after[0].startswith(b"\xef\xbb\xbf")
        after[0] = after[0][3:]
    tail = len(before) - end
    assert after[:start] == before[:start]
    assert after[len(after) - tail :] == before[end:]
    assert frontmatter(result)[key] == value


@settings(max_examples=examples(150), suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(notes(), st.sampled_from(KEYS))
def test_unsetting_a_key_removes_exactly_its_lines(note: Note, key: str) -> None:
    result = unset_frontmatter_key(note.data, key)
    if key not in note.spans:
        assert result == note.data
        return
    start, end = note.spans[key]
    before = file_lines(note)
    assert result.split(b"\n") == before[:start] + before[end:]


@settings(max_examples=examples(100), deadline=None)
@given(st.sampled_from(["circle", "likes", "new_key"]), values)
def test_tricky_scalars_in_other_keys_stay_byte_identical(key: str, value: object) -> None:
    note = (
        b"\xef\xbb\xbf---\r\nzip: 012345\r\nvegan: no\r\nrun: 1:30\r\npet: ~\r\n"
        b"circle: close # c\r\nlikes: [tea]\r\n---\r\nbody\r\n"
    )
    result = set_frontmatter_key(note, key, value)
    for line in (b"zip: 012345\r\n", b"vegan: no\r\n", b"run: 1:30\r\n", b"pet: ~\r\n"):
        assert line in result
    assert result.startswith(b"\xef\xbb\xbf---\r\n") and result.endswith(b"---\r\nbody\r\n")


@settings(max_examples=examples(200), deadline=None)
@given(st.text(max_size=30))
def test_any_string_value_is_written_faithfully_or_refused(value: str) -> None:
    try:
        result = set_frontmatter_key(b"---\na: no\n---\n", "k", value)
    except ValueError:
        return
    assert result.startswith(b"---\na: no\n")
    assert frontmatter(result)["k"] == value
