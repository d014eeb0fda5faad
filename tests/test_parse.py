"""One note → records and problems: frontmatter, log lines, tasks, links, tags, line numbers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.conftest import allocates_at_most
from vaultcrm.model import Entry, NoteRecord, YearlyDate
from vaultcrm.read.parse import (
    DATE_RE,
    find_links,
    find_tags,
    frontmatter_problems,
    link_target,
    parse_note,
)

ALICE = """\
---
aliases: [Ali]
tags: [climbing]
circle: Close            # a key of config `circles`
cadence: 3 weeks
birthday: 1990-04-12
dates: {wedding: 2015-06-01, anniversary: --09-30}
snooze_until: 2026-12-01
likes: [flat white, bouldering]
boundaries: Don't bring up her dad.
company: Acme
---
Free notes…

- 2026-11-02 Coffee. Berlin marathon training. I told her about my imposter syndrome. #shared #deep
- 2026-10-01 Call. She got the promotion! #win
- [ ] 2026-11-20 Ask how the marathon went
"""
PATH = "People/Friends/Alice Smith.md"


def person_note(text: str, path: str = PATH) -> NoteRecord:
    return parse_note(path, text.encode("utf-8"), "person")


def daily_note(text: str, day: dt.date = dt.date(2026, 11, 2)) -> NoteRecord:
    return parse_note("Journal/2026-11-02.md", text.encode("utf-8"), "daily", day)


# --- a person -------------------------------------------------------------------------


def test_the_design_example_reads_completely() -> None:
    record = person_note(ALICE)
    assert record.problems == ()
    person = record.person
    assert person is not None
    assert (person.name, person.file) == ("Alice Smith", PATH)
    assert person.aliases == ("Ali",)
    assert person.tags == ("climbing",)
    assert person.circle == "close"
    assert person.cadence_days == 21
    assert person.birthday == YearlyDate("birthday", 4, 12, 1990)
    assert person.dates == (
        YearlyDate("anniversary", 9, 30, None),
        YearlyDate("wedding", 6, 1, 2015),
    )
    assert person.snooze_until == dt.date(2026, 12, 1)
    assert person.likes == ("flat white", "bouldering")
    assert person.boundaries == "Don't bring up her dad."
    assert person.key_lines["aliases"] == 2
    assert person.key_lines["boundaries"] == 10
    assert person.key_lines["company"] == 11  # unknown keys are ignored, but located
    assert record.entries == (
        Entry(
            15,
            "Coffee. Berlin marathon training. I told her about my imposter syndrome."
            " #shared #deep",
            dt.date(2026, 11, 2),
            ("shared", "deep"),
        ),
        Entry(16, "Call. She got the promotion! #win", dt.date(2026, 10, 1), ("win",)),
        Entry(17, "Ask how the marathon went", dt.date(2026, 11, 20), task="open"),
    )


def test_crlf_reads_exactly_like_lf() -> None:
    crlf = parse_note(PATH, ALICE.replace("\n", "\r\n").encode(), "person")
    lf = person_note(ALICE)
    assert crlf == lf
    assert crlf.person is not None and lf.person is not None
    assert crlf.person.key_lines == lf.person.key_lines


def test_a_bom_does_not_hide_the_frontmatter() -> None:
    record = parse_note(PATH, b"\xef\xbb\xbf" + ALICE.encode(), "person")
    assert record == person_note(ALICE)


def test_a_horizontal_rule_in_the_body_is_not_frontmatter() -> None:
    text = "---\ncircle: close\n---\nIntro\n\n---\n\n- 2026-11-02 Lunch\n---\nmore\n"
    record = person_note(text)
    assert record.problems == ()
    assert record.person is not None and record.person.circle == "close"
    assert [(e.line, e.text) for e in record.entries] == [(8, "Lunch")]


def test_a_note_without_frontmatter_is_a_person_with_only_a_name() -> None:
    record = person_note("- 2026-11-02 Met at the climbing gym\n", "People/Bob.md")
    assert record.person is not None
    assert record.person.name == "Bob"
    assert record.person.circle is None
    assert [(e.line, e.date) for e in record.entries] == [(1, dt.date(2026, 11, 2))]


@pytest.mark.parametrize("fm", ["", "# nothing yet\n", "\n\n"])
def test_an_empty_frontmatter_is_fine(fm: str) -> None:
    record = person_note(f"---\n{fm}---\n- 2026-11-02 Call\n")
    assert record.problems == ()
    assert record.person is not None
    assert len(record.entries) == 1


@pytest.mark.parametrize(
    ("yaml_text", "aliases"),
    [("aliases: Ali", ("Ali",)), ("aliases: [Ali, 'A. S.']", ("Ali", "A. S.")), ("aliases:", ())],
)
def test_aliases_are_text_or_a_list(yaml_text: str, aliases: tuple[str, ...]) -> None:
    person = person_note(f"---\n{yaml_text}\n---\n").person
    assert person is not None and person.aliases == aliases


@pytest.mark.parametrize(
    ("yaml_text", "tags"),
    [
        ("tags: [Climbing, '#Uni']", ("climbing", "uni")),
        ("tags: '#climbing, work'", ("climbing", "work")),
        ("tags:\n  - work/past\n  - '#work/past'", ("work/past",)),
    ],
)
def test_frontmatter_tags_lose_their_hash_and_case(yaml_text: str, tags: tuple[str, ...]) -> None:
    person = person_note(f"---\n{yaml_text}\n---\n").person
    assert person is not None and person.tags == tags


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1990-04-12", YearlyDate("birthday", 4, 12, 1990)),
        ("'1990-04-12'", YearlyDate("birthday", 4, 12, 1990)),
        ("1990-04-12 08:30:00", YearlyDate("birthday", 4, 12, 1990)),
        ("--04-12", YearlyDate("birthday", 4, 12)),
        ('"04-12"', YearlyDate("birthday", 4, 12)),
        ("1992-02-29", YearlyDate("birthday", 2, 29, 1992)),
        ("--02-29", YearlyDate("birthday", 2, 29)),
    ],
)
def test_birthday_forms(value: str, expected: YearlyDate) -> None:
    record = person_note(f"---\nbirthday: {value}\n---\n")
    assert record.problems == ()
    assert record.person is not None and record.person.birthday == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2026-12-01", dt.date(2026, 12, 1)), ("'2026-12-01'", dt.date(2026, 12, 1))],
)
def test_snooze_until_is_a_date_or_iso_text(value: str, expected: dt.date) -> None:
    person = person_note(f"---\nsnooze_until: {value}\n---\n").person
    assert person is not None and person.snooze_until == expected


@pytest.mark.parametrize(
    ("line", "key", "message"),
    [
        ("birthday: --02-30", "birthday", "birthday: impossible date '--02-30'"),
        ("birthday: 13-01", "birthday", "birthday: impossible date '13-01'"),
        ("birthday: [1990, 4, 12]", "birthday", "is not a date"),
        ("birthday: soon", "birthday", "is not a date"),
        ("cadence: fortnight", "cadence", "cadence: bad duration 'fortnight'"),
        ("cadence: 0", "cadence", "at least 1 day"),
        ("snooze_until: next week", "snooze_until", "snooze_until: 'next week' is not a date"),
        ("snooze_until: '2026-13-01'", "snooze_until", "impossible date"),
        ("circle: 3", "circle", "circle:"),
        ("aliases: {a: b}", "aliases", "aliases:"),
        ("dates: [2015-06-01]", "dates", "dates: expected labels with dates"),
    ],
)
def test_a_bad_value_is_a_problem_on_its_line_and_the_person_still_loads(
    line: str, key: str, message: str
) -> None:
    record = person_note(f"---\ncircle: friends\ntags: [x]\n{line}\n---\n- 2026-11-02 Call\n")
    assert record.person is not None
    assert record.person.name == "Alice Smith"
    assert len(record.entries) == 1
    errors = [p for p in record.problems if p.severity == "error"]
    assert [(p.path, p.line) for p in errors] == [(PATH, 4)]
    assert message in errors[0].message
    # `circle:` twice: the second (bad) one is the one read, and a warning says so
    warnings = [p.message for p in record.problems if p.severity == "warning"]
    assert warnings == (["frontmatter: key 'circle' is given 2 times (also on line 2); "
                         "the last one, on line 4, wins"] if key == "circle" else [])
    empty = {"birthday": None, "cadence": None, "snooze_until": None, "circle": None}
    if key in empty:
        attr = "cadence_days" if key == "cadence" else key
        assert getattr(record.person, attr) is None
    if key != "circle":
        assert record.person.circle == "friends"


def test_a_bad_yearly_date_points_at_its_own_line() -> None:
    text = "---\ndates:\n  wedding: 2015-06-01\n  moved in: --02-30\nlikes: jazz\n---\n"
    record = person_note(text)
    assert record.person is not None
    assert record.person.dates == (YearlyDate("wedding", 6, 1, 2015),)
    assert record.person.likes == ("jazz",)
    assert [(p.line, p.message) for p in record.problems] == [
        (4, "dates: moved in: impossible date '--02-30'")
    ]


# --- frontmatter that does not parse ------------------------------------------------------


@pytest.mark.parametrize(
    ("fm", "line", "col", "words"),
    [
        # ScannerError: the mark is line 2 (0-based) of the block, so file line 4.
        ("circle: close\ntags: [a]\nbad: x: y\n", 4, 7, "mapping values are not allowed"),
        # ParserError
        ("circle: close\nlikes: [a, b\nboundaries: x\n", 4, 11, "did not find expected"),
        # ConstructorError for an unknown tag
        ("circle: close\nx: !!python/name:os.system\n", 3, 4, "could not determine a constructor"),
        # PyYAML's own ValueError for a timestamp that is no day
        ("circle: close\ntags: [a]\n\nbirthday: 2026-02-30\n", 5, 11, "2026-02-30"),
        ("created: 2026-11-02 25:00:00\n", 2, 10, "hour must be in 0..23"),
        ("n: !!int twelve\n", 2, 4, "is not a number"),
        # ReaderError: a control character
        ("circle: close\nboundaries: a\x07b\n", 3, 14, "control characters are not allowed"),
    ],
)
def test_yaml_errors_become_a_problem_at_the_file_line(
    fm: str, line: int, col: int, words: str
) -> None:
    text = f"---\n{fm}---\n- 2026-11-02 Call\n"
    for data in (text.encode(), b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode()):
        record = parse_note(PATH, data, "person")
        assert record.kind == "person"
        assert record.person is None  # the note is skipped …
        assert record.entries == ()
        assert len(record.problems) == 1  # … and says why, where
        problem = record.problems[0]
        assert (problem.path, problem.line, problem.col) == (PATH, line, col)
        assert words in problem.message
        assert problem.format().startswith(f"{PATH}:{line}:{col}: frontmatter")


def test_python_object_tags_are_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = f'---\nname: x\nz: !!python/object/apply:os.system ["touch {marker}"]\n---\n'
    record = person_note(text)
    assert not marker.exists()
    assert record.person is None
    assert [p.line for p in record.problems] == [3]
    assert frontmatter_problems(PATH, text) == list(record.problems)


@pytest.mark.timeout(60)  # only catches a hang
def test_a_billion_laughs_is_refused_before_expansion() -> None:
    lines = ["---", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]")
    lines.append("---")
    with allocates_at_most(10_000_000):  # expanded, the lists would hold 9**9 items
        record = person_note("\n".join(lines) + "\n")
    assert record.person is None
    assert [(p.line, p.col) for p in record.problems] == [(2, 4)]
    assert "anchor or alias" in record.problems[0].message


def test_ampersands_and_asterisks_in_text_are_not_anchors() -> None:
    text = "---\ncompany: R&D *lab*\nboundaries: '*never* call & text'\nlikes: [a&b]\n---\n"
    record = person_note(text)
    assert record.problems == ()
    assert record.person is not None and record.person.likes == ("a&b",)


@pytest.mark.parametrize(
    "fm",
    [
        "a: " + "[" * 100_000 + "]" * 100_000 + "\n",
        "a:\n" + "- " * 100_000 + "x\n",
    ],
)
def test_absurd_nesting_is_a_problem_not_a_crash(fm: str) -> None:
    record = person_note(f"---\n{fm}---\n")
    assert record.person is None
    assert len(record.problems) == 1


@pytest.mark.parametrize(
    ("fm", "kind"), [("- a\n- b\n", "a list"), ("just text\n", "a single value")]
)
def test_a_frontmatter_that_is_not_a_mapping_is_a_problem(fm: str, kind: str) -> None:
    record = person_note(f"---\n{fm}---\n")
    assert record.person is None
    assert [(p.line, p.message) for p in record.problems] == [
        (2, f"frontmatter is {kind}, not `key: value` lines")
    ]


def test_frontmatter_problems_for_the_edit_engine() -> None:
    assert frontmatter_problems(PATH, ALICE) == []
    assert frontmatter_problems(PATH, "no frontmatter at all\n") == []
    assert frontmatter_problems(PATH, "\ufeff---\r\na: [\r\n---\r\n")[0].line == 3


def test_bytes_that_are_not_utf8_are_a_problem_and_nothing_else() -> None:
    data = b"---\ncircle: close\n---\n- 2026-11-02 Caf\xe9\n"
    record = parse_note(PATH, data, "person")
    assert record.person is None and record.entries == ()
    assert [(p.line, p.message) for p in record.problems] == [
        (4, "not UTF-8 text: the note is skipped")
    ]


def test_a_bom_does_not_shift_the_line_of_a_bad_byte() -> None:
    record = parse_note(PATH, b"\xef\xbb\xbf---\ncircle: close\n---\nx\n\xff\n", "person")
    assert [(p.line, p.message) for p in record.problems] == [
        (5, "not UTF-8 text: the note is skipped")
    ]


# --- a person's body ----------------------------------------------------------------------


def test_log_lines_in_every_list_style() -> None:
    body = (
        "- 2026-11-02 Coffee\n"
        "* 2026-11-03: Call\n"
        "+ 2026-11-04 — Walk\n"
        "    - 2026-11-05 - nested\n"
        "\t* [[2026-11-06]] Dinner with [[Bob Jones|Bob]] #Heard\n"
        "- [[Journal/2026-11-07|Nov 7]] Drinks\n"
        "-2026-11-08 not a list item\n"
        "Text 2026-11-09 not a list item\n"
        "- Partner: Sam (not dated)\n"
        "1. 2026-11-10 numbered lists are not log lines\n"
    )
    record = person_note(body)
    assert record.problems == ()
    got = [(e.line, e.date, e.text, e.tags, e.task) for e in record.entries]
    assert got == [
        (1, dt.date(2026, 11, 2), "Coffee", (), None),
        (2, dt.date(2026, 11, 3), "Call", (), None),
        (3, dt.date(2026, 11, 4), "Walk", (), None),
        (4, dt.date(2026, 11, 5), "nested", (), None),
        (5, dt.date(2026, 11, 6), "Dinner with [[Bob Jones|Bob]] #Heard", ("heard",), None),
        (6, dt.date(2026, 11, 7), "Drinks", (), None),
    ]
    assert record.entries[4].links[-1] == "Bob Jones"


def test_tasks_are_follow_ups_never_log_lines() -> None:
    body = (
        "- [ ] 2026-11-20 Ask how the marathon went\n"
        "- [ ] Send the article 📅 2026-11-21 #work\n"
        "- [x] 2026-08-01 Return the drill\n"
        "- [X] Done with a capital X\n"
        "* [ ] [[2026-11-22]]: Book the restaurant\n"
        "- [ ] Someday, no date\n"
        "- [-] cancelled in the Tasks plugin: not a task we read\n"
    )
    got = [(e.line, e.task, e.date, e.text, e.tags) for e in person_note(body).entries]
    assert got == [
        (1, "open", dt.date(2026, 11, 20), "Ask how the marathon went", ()),
        (2, "open", dt.date(2026, 11, 21), "Send the article #work", ("work",)),
        (3, "done", dt.date(2026, 8, 1), "Return the drill", ()),
        (4, "done", None, "Done with a capital X", ()),
        (5, "open", dt.date(2026, 11, 22), "Book the restaurant", ()),
        (6, "open", None, "Someday, no date", ()),
    ]


def test_an_impossible_date_in_a_log_line_is_a_problem_and_the_line_is_skipped() -> None:
    record = person_note("---\ncircle: close\n---\n- 2026-11-02 ok\n  - 2026-02-30 bad\n")
    assert record.person is not None
    assert [e.line for e in record.entries] == [4]
    assert [(p.line, p.col) for p in record.problems] == [(5, 5)]
    assert "2026-02-30" in record.problems[0].message


def test_an_impossible_task_date_is_a_problem_too() -> None:
    record = person_note("- [ ] Call 📅 2026-02-30\n")
    assert record.entries == ()
    assert [(p.line, p.col) for p in record.problems] == [(1, 14)]


def test_fenced_code_is_ignored() -> None:
    body = (
        "```\n- 2026-11-01 in code\n```\n"
        "- 2026-11-02 real\n"
        "~~~~ markdown\n- 2026-11-03 in code\n~~~\n- 2026-11-04 still in code\n~~~~\n"
        "  ```python\n  - [ ] 2026-11-05 in code\n  ```\n"
        "- 2026-11-06 real again\n"
    )
    assert [(e.line, e.text) for e in person_note(body).entries] == [
        (4, "real"),
        (13, "real again"),
    ]


def test_an_other_note_has_no_entries() -> None:
    record = parse_note("Ideas.md", b"- 2026-11-02 [[Alice]] #shared\n", "other")
    assert (record.kind, record.entries, record.problems, record.person) == ("other", (), (), None)


# --- a daily note -------------------------------------------------------------------------


def test_daily_lines_that_link_someone_are_entries() -> None:
    text = (
        "---\nmood: 7\nrelated: '[[Alice Smith]]'\n---\n"
        "# Monday\n\n"
        "Slept badly.\n"
        "- Coffee with [[Alice Smith]]. Marathon talk #shared #deep\n"
        "Walked with [[People/Bob Jones|Bob]] and [[carol#Work]] in the park\n"
        "- Saw ![[photo.jpg]] only an embed\n"
        "```\n- [[Alice Smith]] in code\n```\n"
        "  * [ ] Send [[Alice Smith]] the article\n"
        "- [x] 2026-11-09 Call [[Bob Jones]] back\n"
        "- [ ] Lunch with [[Carol]] 📅 2026-11-30\n"
    )
    record = daily_note(text)
    assert record.problems == ()
    assert record.day == dt.date(2026, 11, 2)
    got = [(e.line, e.text, e.date, e.tags, e.links, e.task) for e in record.entries]
    assert got == [
        (8, "Coffee with [[Alice Smith]]. Marathon talk #shared #deep", None, ("shared", "deep"),
         ("Alice Smith",), None),
        (9, "Walked with [[People/Bob Jones|Bob]] and [[carol#Work]] in the park", None, (),
         ("Bob Jones", "carol"), None),
        (14, "Send [[Alice Smith]] the article", None, (), ("Alice Smith",), "open"),
        (15, "Call [[Bob Jones]] back", dt.date(2026, 11, 9), (), ("Bob Jones",), "done"),
        (16, "Lunch with [[Carol]]", dt.date(2026, 11, 30), (), ("Carol",), "open"),
    ]  # fmt: skip


def test_daily_crlf_and_bom_keep_line_numbers() -> None:
    text = "---\nmood: 3\n---\nx\n- [[Alice]] call\n"
    plain = daily_note(text)
    odd = parse_note(
        "Journal/2026-11-02.md",
        b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode(),
        "daily",
        dt.date(2026, 11, 2),
    )
    assert plain == odd
    assert [e.line for e in plain.entries] == [5]


def test_a_daily_note_with_broken_frontmatter_still_yields_its_lines() -> None:
    record = daily_note("---\nmood: [\n---\n- Lunch with [[Alice]]\n")
    assert [e.links for e in record.entries] == [("Alice",)]


# --- links, tags and dates in a line --------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "target"),
    [
        ("Alice Smith", "Alice Smith"),
        ("Alice Smith|Ali", "Alice Smith"),
        ("People/Alice Smith", "Alice Smith"),
        ("People/Work/Alice Smith.md|x", "Alice Smith"),
        ("Alice Smith#Work", "Alice Smith"),
        ("Alice Smith#^block1", "Alice Smith"),
        ("Alice Smith#Work|Ali at work", "Alice Smith"),
        ("  Alice Smith  ", "Alice Smith"),
        ("alice smith.MD", "alice smith"),
        ("Alice Smith\\|Ali", "Alice Smith"),  # the escaped pipe of a table cell
        ("#Heading in this note", ""),
        ("2026-11-02", "2026-11-02"),
    ],
)
def test_link_target(raw: str, target: str) -> None:
    assert link_target(raw) == target


def test_find_links_in_order_once_each_without_embeds_or_code() -> None:
    line = "[[A]] met [[B|bee]], ![[C]] embed, `[[D]]` code, [[A#x]], [[ ]], [[#h]] and [[E]]"
    assert find_links(line) == ["A", "B", "E"]
    assert find_links("no links [ [x] ]") == []


@pytest.mark.parametrize(
    ("line", "tags"),
    [
        ("#shared #Deep", ["shared", "deep"]),
        ("#nested/tag and #Ünïcödé_tag-2", ["nested/tag", "ünïcödé_tag-2"]),
        ("# Heading", []),
        ("## Heading #real", ["real"]),
        ("#123 #2026 #y1984", ["y1984"]),
        ("issue#12 mail@x#y", []),
        ("[[Note#Heading]] [[Note|#shown]]", []),
        ("https://example.com/#anchor http://x.org/a#b", []),
        ("`#code` #real", ["real"]),
        ("#win, #win. (#win)", ["win"]),
        ("#a/ #b-", ["a", "b-"]),
    ],
)
def test_find_tags(line: str, tags: list[str]) -> None:
    assert find_tags(line) == tags


def test_date_re_finds_iso_dates_not_glued_to_digits() -> None:
    assert DATE_RE.fullmatch("2026-11-02")
    assert [m.group() for m in DATE_RE.finditer("on 2026-11-02 or [[2026-11-03]]")] == [
        "2026-11-02",
        "2026-11-03",
    ]
    assert DATE_RE.search("12026-11-022") is None
    assert DATE_RE.search("2026-1-2") is None


@pytest.mark.timeout(60)  # a scan that went back over the run would take hours here
def test_a_line_of_backticks_is_read_in_one_pass() -> None:
    record = person_note("- 2026-11-02 " + "`" * 200_000 + " [[Bob]] #x\n")
    assert record.entries[0].links == ("Bob",)
