"""The fast body and key scans of `vaultcrm.read.parse` give exactly what a plain line loop gives.

`parse.py` splits a note with one regex pass and counts lines by position, for speed. The
oracle below is the straightforward version it replaced (split the text into lines, walk
them, track fences, match each line): on random notes built from the tricky pieces
(fences of both kinds and lengths, tasks, impossible dates, links, tags, code spans,
CRLF, a BOM, odd keys), both must yield equal records, problems and key lines.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import vaultcrm.read.parse as parse
from vaultcrm.model import Entry, NoteKind, NoteRecord, Problem, TaskState

from .conftest import EXAMPLE_VAULT, examples

# --- the oracle: one line at a time ------------------------------------------------------

_ISO = r"\d{4}-\d{2}-\d{2}"
_BOUNDARY = re.compile(r"^-{3,}[ \t]*\r?$", re.MULTILINE)
_LINK = re.compile(r"(?<!!)\[\[([^\[\]\n]+?)\]\]")
_TAG = re.compile(r"(?<!\S)#([\w/-]+)")
_TOP_KEY = re.compile(r"""("[^"\n]*"|'[^'\n]*'|[^\s#"'\-][^:\n]*?)[ \t]*:(?:[ \t]|$)""")
_FENCE = re.compile(r"[ \t]*(`{3,}|~{3,})")
_ITEM = re.compile(r"[ \t]*[-*+](?:[ \t]+|$)")
_TASK = re.compile(r"\[([ xX])\](?:[ \t]+|$)")
_LEAD_DATE = re.compile(rf"\[\[(?:[^\]|#\n]*/)?({_ISO})(?:\|[^\]\n]*)?\]\]|({_ISO})(?!\w)")
_DUE = re.compile(rf"[ \t]*📅[ \t]*({_ISO})(?!\d)")
_SEPARATORS = " \t:-—–"
# written out here, not imported: the oracle checks parse.py's scans, so it shares none
# of their helpers (only the YAML loading and person fields, which are not under test)
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.*?)(?<!`)\1(?!`)")
_ANY_LINK = re.compile(r"!?\[\[[^\[\]\n]*\]\]")
_URL = re.compile(r"[A-Za-z][\w+.-]*://\S*")
_NOT_A_NUMBER = re.compile(r"[^\d/-]")


def without_code(line: str) -> str:
    """CommonMark code spans: a run of backticks up to the next run of the same length."""
    return _CODE_SPAN.sub(" ", line)


def closes(fence: str, run: str, after: str) -> bool:
    return run[0] == fence[0] and len(run) >= len(fence) and not after.strip()


def split(text: str) -> tuple[str | None, str, int]:
    first = _BOUNDARY.match(text)
    if first is None:
        return None, text, 1
    start = first.end() + 1
    closing = _BOUNDARY.search(text, start)
    if closing is None or start > len(text):
        return None, text, 1
    body_start = closing.end() + 1 if closing.end() < len(text) else closing.end()
    return text[start : closing.start()], text[body_start:], text.count("\n", 0, body_start) + 1


def link_target(raw: str) -> str:
    target = raw.split("|", 1)[0].removesuffix("\\")
    target = target.split("#", 1)[0].rsplit("/", 1)[-1].strip()
    return target[:-3].rstrip() if target[-3:].lower() == ".md" else target


def links(line: str) -> list[str]:
    found: list[str] = []
    for match in _LINK.finditer(without_code(line)):
        target = link_target(match.group(1))
        if target and target not in found:
            found.append(target)
    return found


def tags(line: str) -> list[str]:
    line = without_code(line)
    line = _URL.sub(" ", _ANY_LINK.sub(" ", line))
    found: list[str] = []
    for match in _TAG.finditer(line):
        tag = match.group(1).rstrip("/").lower()
        if _NOT_A_NUMBER.search(tag) and tag not in found:
            found.append(tag)
    return found


def key_lines(fm: str, keys: dict[Any, Any]) -> dict[str, int]:
    found: dict[str, int] = {}
    for number, line in enumerate(fm.split("\n"), 2):
        match = _TOP_KEY.match(line)
        if match and match.group(1).strip("\"'") in keys:
            found[match.group(1).strip("\"'")] = number
    return found


def lines(body: str, first_line: int) -> Iterator[tuple[int, str]]:
    fence = ""
    for number, line in enumerate(body.split("\n"), first_line):
        match = _FENCE.match(line)
        if not fence:
            if match:
                fence = match.group(1)
            else:
                yield number, line
        elif match and closes(fence, match.group(1), line[match.end() :]):
            fence = ""


def iso(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def task(path: str, number: int, line: str, rest: str, problems: list[Problem]) -> Entry | None:
    box = _TASK.match(rest)
    assert box is not None
    start = len(line) - len(rest) + box.end()
    text, when = line[start:], None
    found = _LEAD_DATE.match(text) or _DUE.search(text)
    if found is not None:
        group = found.lastindex or 1
        when = iso(found.group(group))
        if when is None:
            message = f"impossible date {found.group(group)!r}: this task is skipped"
            problems.append(Problem(path, number, message, col=start + found.start(group) + 1))
            return None
        before = text[: found.start()]
        text = before + text[found.end() :] if before else text[found.end() :].lstrip(_SEPARATORS)
    state: TaskState = "open" if box.group(1) == " " else "done"
    return Entry(number, text.strip(), when, tuple(tags(line)), tuple(links(line)), state)


def person_entries(path: str, body: str, first: int, problems: list[Problem]) -> list[Entry]:
    entries: list[Entry] = []
    for number, line in lines(body, first):
        item = _ITEM.match(line)
        if item is None:
            continue
        rest = line[item.end() :]
        if rest[:1] == "[" and _TASK.match(rest):
            found = task(path, number, line, rest, problems)
            entries += [found] if found else []
            continue
        lead = _LEAD_DATE.match(rest)
        if lead is None:
            continue
        raw = lead.group(lead.lastindex or 1)
        when = iso(raw)
        if when is None:
            col = item.end() + lead.start(lead.lastindex or 1) + 1
            message = f"impossible date {raw!r}: this log line is skipped"
            problems.append(Problem(path, number, message, col=col))
            continue
        text = rest[lead.end() :].lstrip(_SEPARATORS).rstrip()
        entries.append(Entry(number, text, when, tuple(tags(line)), tuple(links(line))))
    return entries


def daily_entries(path: str, body: str, first: int, problems: list[Problem]) -> list[Entry]:
    entries: list[Entry] = []
    for number, line in lines(body, first):
        found = tuple(links(line))
        if not found:
            continue
        item = _ITEM.match(line)
        rest = line[item.end() :] if item else line
        if item is not None and rest[:1] == "[" and _TASK.match(rest):
            done = task(path, number, line, rest, problems)
            entries += [done] if done else []
            continue
        entries.append(Entry(number, rest.strip(), None, tuple(tags(line)), found))
    return entries


def oracle(path: str, data: bytes, kind: NoteKind, day: dt.date | None) -> NoteRecord:
    """`parse_note` with the oracle's scans (the YAML and person fields are parse.py's own)."""
    try:
        text = data.decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError as err:
        bom = 3 if data[:3] == b"\xef\xbb\xbf" else 0
        line = data.count(b"\n", 0, err.start + bom) + 1
        problem = Problem(path, line, "not UTF-8 text: the note is skipped")
        return NoteRecord(path, kind, day=day, problems=(problem,))
    fm, body, first = split(text)
    problems: list[Problem] = []
    if fm is None and _BOUNDARY.match(text):  # an opening `---` never closed
        problems.append(Problem(path, 1, parse._UNCLOSED))
    if kind == "daily":
        entries = daily_entries(path, body, first, problems)
        return NoteRecord(path, kind, day=day, entries=tuple(entries), problems=tuple(problems))
    fields: dict[Any, Any] | None = {}
    if fm is not None:
        fields, unreadable = parse._load_frontmatter(path, fm, problems)
        problems += unreadable
    if fields is None:
        return NoteRecord(path, kind, problems=tuple(problems))
    person, _ = parse._person(path, fm or "", fields, problems)
    entries = person_entries(path, body, first, problems)
    undated = tuple(e.text for e in entries if e.date is None and e.task == "open" and e.text)
    if undated:  # open with them, due on no day
        person = dataclasses.replace(person, open_tasks=undated)
    return NoteRecord(path, kind, person=person, entries=tuple(entries), problems=tuple(problems))


# --- random notes ------------------------------------------------------------------------

WORDS = st.sampled_from(
    ["text", " ", "\t", ":", "é", "\r", "\u2028", "2024-01-02", "2024-02-30", "[[Alice]]",
     "![[Pic.png]]", "[[Bob|Bobby]]", "[[People/Carol.md#Work|C]]", "[[ Dan .MD ]]",
     "[[x\\|y]]", "[[]]", "[[[[a]]]]", "[[2024-03-04]]", "#tag", "#Tag/sub/", "#123", "#1-2",
     "#/", "# heading", "a#b", "#ü", "#٣", "#x#y", "`code #t [[L]]`", "``", "`", "``x``",
     "http://x.y/#frag", "📅 2024-05-06", "📅2024-02-30", "📅 ", "—", "–", "- ", "[x] "]
).map(str)
ITEM = st.tuples(
    st.sampled_from(["", "", " ", "  ", "\t"]),
    st.sampled_from(["-", "*", "+", "-", "1."]),
    st.sampled_from([" ", " ", "  ", "\t", ""]),
    st.sampled_from(["", "", "[ ] ", "[x] ", "[X]", "[x]\t", "[ ]", "[-] "]),
    st.sampled_from(
        ["", "2024-01-02", "2024-02-30", "[[2024-03-04]]", "[[J/2024-03-04|d]]",
         "[[2024-13-01]]", "2024-01-02x", "12024-01-02", "٢٠٢٤-٠١-٠٢"]
    ),
    st.sampled_from(["", " ", " — ", ": ", " - ", "–", "\t"]),
    st.lists(WORDS, max_size=5).map("".join),
).map("".join)
FENCE = st.tuples(
    st.sampled_from(["", " ", "\t"]),
    st.sampled_from(["```", "````", "`````", "~~~", "~~~~", "``", "~~"]),
    st.sampled_from(["", "", " ", "py", " x", "`", "~"]),
).map("".join)
BODY = st.lists(st.one_of(ITEM, ITEM, FENCE, st.lists(WORDS, max_size=5).map("".join)),
                max_size=20).map("\n".join)
FRONTMATTER = st.lists(
    st.sampled_from(
        ["aliases: [A, B]\n", "tags: [x, '#y z']\n", "circle: Close\n", "birthday: --02-29\n",
         "dates:\n  a: 2020-01-01\n  'b' : 2020-02-31\n", "likes: [1, 2.5, true]\n",
         '"quoted": 1\n', "'single' : 2\n", "'mixed\"': 3\n", "x\t: 5\n", "a b: 6\n",
         ":x: 7\n", "key:value\n", "url: http://x\n", "# comment: x\n", "- item\n",
         "  nested: 1\n", "dup: 1\ndup: 2\n", "anchor: &a 1\n", "bad: [\n", "\n"]
    ),
    max_size=10,
).map("".join)
OPENINGS = st.sampled_from(["---\n", "---\n", "--- \n", ""])
CLOSINGS = st.sampled_from(["---\n", "---\n", "----\n", "---", "--- x\n", ""])


@st.composite
def notes(draw: st.DrawFn) -> bytes:
    text = draw(OPENINGS) + draw(FRONTMATTER) + draw(CLOSINGS) + draw(BODY)
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    data = text.encode()
    if draw(st.integers(0, 9)) == 0:
        data = b"\xef\xbb\xbf" + data
    if draw(st.integers(0, 19)) == 0:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + b"\xff" + data[at:]
    return data


def assert_same(path: str, data: bytes, kind: NoteKind, day: dt.date | None = None) -> None:
    fast, slow = parse.parse_note(path, data, kind, day), oracle(path, data, kind, day)
    assert fast == slow
    text = data.decode("utf-8", "replace").removeprefix("\ufeff").replace("\r\n", "\n")
    assert parse.split_frontmatter(text) == split(text)
    if fast.person is not None and slow.person is not None:
        assert list(fast.person.key_lines.items()) == list(slow.person.key_lines.items())


@settings(max_examples=examples(400), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(notes(), st.sampled_from(["person", "daily"]))
@example(b"- 2024-01-02 a\n```\n- 2024-01-03 hidden [[A]]\n``\n````\n- 2024-01-04 [[B]]", "person")
@example(b"~~~~\n- [[A]] x\n~~~\n- [[B]]\n~~~~~ py\n~~~~~\n- [ ] [[C]] 2024-02-30", "daily")
@example(b"```\n- 2024-01-02 never closed\n", "person")
@example(b"---\nx\t: 1\n'y' : 2\ndup: 1\ndup: 2\n---\n- [[J/2024-13-01|d]] bad\n", "person")
@example(b"\xef\xbb\xbfa\n\xff", "person")
def test_fast_parse_equals_the_line_loop(data: bytes, kind: NoteKind) -> None:
    assert_same("People/X.md", data, kind, dt.date(2024, 1, 1) if kind == "daily" else None)


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(WORDS, max_size=12).map("".join))
def test_line_helpers_equal_the_plain_regexes(line: str) -> None:
    assert parse.find_tags(line) == tags(line)
    assert parse.find_links(line) == links(line)
    for inner in _LINK.findall(line):
        assert parse.link_target(inner) == link_target(inner)


@settings(max_examples=examples(300), deadline=None)
@given(FRONTMATTER)
def test_key_lines_equal_the_line_loop(fm: str) -> None:
    keys = {k.strip("\"'"): 0 for k in re.findall(r"[^\n:]+", fm)}
    assert list(parse._key_lines(fm, keys).items()) == list(key_lines(fm, keys).items())


def test_every_example_vault_note_parses_as_the_line_loop_does() -> None:
    for file in sorted(EXAMPLE_VAULT.rglob("*.md")):
        rel = file.relative_to(EXAMPLE_VAULT).as_posix()
        kind: NoteKind = "daily" if rel.startswith("Journal/") else "person"
        assert_same(rel, file.read_bytes(), kind, dt.date(2026, 1, 1) if kind == "daily" else None)
