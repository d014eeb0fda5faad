"""Pure byte-level transforms of one note: add a line, set a frontmatter key, tick a task.

Each function takes the note's bytes and returns new bytes in which every byte it was not
asked to change is identical: the BOM, the newline style (CRLF or LF), comments, key order,
quoting and the body all survive. Loading and re-dumping the whole note (as
python-frontmatter does) changed 17 of 18 real notes, so YAML is only ever rendered for the
lines of the one key being changed, and spliced in. Errors are `ValueError`s with a message
fit for the user; the edit engine turns them into refused edits.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.representer import RepresenterError
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

from .parse import split_frontmatter

BOM = b"\xef\xbb\xbf"

_DATED_ITEM = re.compile(r"([ \t]*)[-*+][ \t]+(?!\[.\])(?:\[\[)?(\d{4}-\d{2}-\d{2})\b")
_OPEN_TASK = re.compile(r"([ \t]*[-*+][ \t]+)\[ \]")
# A line that starts a new Markdown block, so it cannot be a lazy continuation of an item.
_BLOCK_START = re.compile(r"[ \t]*([-*+][ \t]|\d+[.)][ \t]|#|>|```|~~~|\||-{3,}|\*{3,}|_{3,})")
_STR_TAG = "tag:yaml.org,2002:str"
_FLOW_PLAIN = re.compile(r"\w[\w .'/+@-]*(?<! )")
# Other tools read frontmatter as YAML 1.1, where `no`, `on` and `1:30` are not strings.
_YAML11 = VersionedResolver(version=(1, 1))


@dataclass(frozen=True)
class _Note:
    """A note cut into lines (each keeping its own line break), BOM and newline noted."""

    bom: bool
    nl: str
    lines: list[str]
    fm: tuple[int, int] | None  # line indices [start, end) of the frontmatter's YAML lines

    @property
    def body(self) -> int:
        """Index of the first line after the frontmatter block."""
        return 0 if self.fm is None else self.fm[1] + 1

    def encode(self, lines: list[str]) -> bytes:
        return (BOM if self.bom else b"") + "".join(lines).encode("utf-8")


def _split(data: bytes) -> _Note:
    bom = data.startswith(BOM)
    try:
        text = data[len(BOM) if bom else 0 :].decode("utf-8")
    except UnicodeDecodeError as err:
        raise ValueError(f"the note is not UTF-8 text ({err.reason})") from err
    first_break = text.find("\n")
    nl = "\r\n" if first_break > 0 and text[first_break - 1] == "\r" else "\n"
    lines = _lines(text)
    fm_text, _, _ = split_frontmatter(text)
    if fm_text is None:
        return _Note(bom, nl, lines, None)
    return _Note(bom, nl, lines, (1, 1 + fm_text.count("\n")))


def _lines(text: str) -> list[str]:
    """Split on `\\n` only (str.splitlines also breaks on `\\r`, `\\x85`, `\\u2028`…)."""
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    return lines + [parts[-1]] if parts[-1] else lines


def _insert(note: _Note, at: int, line: str) -> bytes:
    if "\n" in line or "\r" in line:
        raise ValueError("a line to add cannot contain a line break")
    lines = list(note.lines)
    head = ""
    if at == len(lines) and lines and not lines[-1].endswith("\n"):
        head = note.nl  # the last line had no break: give it one, only because we add after it
    lines.insert(at, head + line + note.nl)
    return note.encode(lines)


def append_line(data: bytes, line: str) -> bytes:
    """Add `line` as the note's last line, in the note's newline style."""
    note = _split(data)
    return _insert(note, len(note.lines), line)


def append_log_line(data: bytes, line: str) -> bytes:
    """Add a dated log line next to the note's dated log lines, keeping the log's order.

    With no dated list item in the body, the line goes at the end of the note. Otherwise
    it goes after the last dated item (and the indented or continued lines under it); a
    log kept newest-first gets the line above the first item not newer than it, and a
    back-dated line in an oldest-first log goes after the last item not newer than it.
    """
    note = _split(data)
    items = [(i, m.group(2), len(m.group(1))) for i, m in _dated_items(note)]
    if not items:
        return _insert(note, len(note.lines), line)
    outer = min(indent for _, _, indent in items)
    items = [item for item in items if item[2] == outer]  # dated sub-items stay with theirs
    match = _DATED_ITEM.match(line)
    new = match.group(2) if match else "9999-99-99"
    dates = [date for _, date, _ in items]
    after = items[-1]
    if len(dates) > 1 and dates == sorted(dates, reverse=True) and dates[0] > dates[-1]:
        not_newer = [i for i, date, _ in items if date <= new]
        if not_newer:
            return _insert(note, not_newer[0], line)
    elif dates == sorted(dates):
        not_newer_items = [item for item in items if item[1] <= new]
        if not not_newer_items:
            return _insert(note, items[0][0], line)
        after = not_newer_items[-1]
    return _insert(note, _item_end(note.lines, after[0], after[2]), line)


def _dated_items(note: _Note) -> Iterator[tuple[int, re.Match[str]]]:
    for i in range(note.body, len(note.lines)):
        match = _DATED_ITEM.match(note.lines[i])
        if match:
            yield i, match


def _item_end(lines: list[str], i: int, indent: int) -> int:
    """Index just past list item `i`: its deeper-indented lines and lazy continuations."""
    end = i + 1
    while end < len(lines) and lines[end].strip():
        text = lines[end]
        deeper = len(text) - len(text.lstrip(" \t")) > indent
        if not deeper and _BLOCK_START.match(text):
            break
        end += 1
    return end


def check_task(data: bytes, line_no: int, expected_text: str | None = None) -> bytes:
    """Tick the open task on file line `line_no` (1-based): `- [ ]` becomes `- [x]`.

    Refuses (ValueError) when that line is no longer an open task or no longer contains
    `expected_text`, because the user may have edited the note since it was read.
    """
    note = _split(data)
    if not 1 <= line_no <= len(note.lines):
        raise ValueError(f"line {line_no} does not exist any more")
    text = note.lines[line_no - 1]
    match = _OPEN_TASK.match(text)
    if match is None:
        raise ValueError(f"line {line_no} is no longer an open task")
    if expected_text is not None and expected_text not in text:
        raise ValueError(f"line {line_no} no longer reads {expected_text!r}")
    lines = list(note.lines)
    lines[line_no - 1] = match.group(1) + "[x]" + text[match.end() :]
    return note.encode(lines)


def set_frontmatter_key(data: bytes, key: str, value: object) -> bytes:
    """Set top-level frontmatter `key` to `value` (str, int, date, list of str).

    Only the key's own lines change (its end-of-line comment is kept); a new key is added
    at the end of the block, and a note without frontmatter gets one.
    """
    note = _split(data)
    if note.fm is None:
        if note.lines and re.fullmatch(r"-{3,}[ \t]*\r?\n?", note.lines[0]):
            raise ValueError("the frontmatter block is not closed by a `---` line")
        rendered = _render(key, value, None, note.nl, False)
        block = ["---" + note.nl, *rendered, "---" + note.nl]
        empty = _Note(note.bom, note.nl, [block[0], block[-1], *note.lines], (1, 1))
        return _splice(empty, CommentedMap(), key, value, block + note.lines)
    doc = _load(note)
    if key in doc and _same(doc[key], value):
        return data
    start, end = _key_span(note, doc, key)
    span = "".join(note.lines[start:end]) or None
    try:
        rendered = _render(key, value, span, note.nl, True)
        return _splice(note, doc, key, value, note.lines[:start] + rendered + note.lines[end:])
    except ValueError:  # ruamel could not re-use the old lines: render them afresh
        rendered = _render(key, value, span, note.nl, False)
        return _splice(note, doc, key, value, note.lines[:start] + rendered + note.lines[end:])


def _splice(note: _Note, doc: CommentedMap, key: str, value: object, lines: list[str]) -> bytes:
    """The new note, once its frontmatter reads back with `key` set and nothing else moved."""
    _check_others(note, doc, lines, key)
    if not _same(_load(note, lines).get(key), value):
        raise ValueError(f"could not write {key!r} safely")
    return note.encode(lines)


def unset_frontmatter_key(data: bytes, key: str) -> bytes:
    """Remove top-level frontmatter `key` and its lines; unchanged when it is absent."""
    note = _split(data)
    if note.fm is None:
        return data
    doc = _load(note)
    if key not in doc:
        return data
    start, end = _key_span(note, doc, key)
    lines = note.lines[:start] + note.lines[end:]
    _check_others(note, doc, lines, key)
    return note.encode(lines)


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.width = 4096  # never fold a long value onto a second line
    return yaml


def _reader() -> YAML:
    """Reads values as the rest of vaultcrm (PyYAML) does: YAML 1.1, so `no` is False."""
    yaml = YAML(typ="rt")
    yaml.version = (1, 1)
    return yaml


def _load(note: _Note, lines: list[str] | None = None) -> CommentedMap:
    assert note.fm is not None
    start, end = note.fm
    if lines is not None:
        end += len(lines) - len(note.lines)
    text = "".join((note.lines if lines is None else lines)[start:end])
    try:
        doc = _reader().load(text.replace("\r\n", "\n"))
    except (YAMLError, ValueError, TypeError, OverflowError) as err:
        raise ValueError(f"the frontmatter does not parse ({_yaml_reason(err)})") from err
    if doc is None:
        return CommentedMap()
    if not isinstance(doc, CommentedMap):
        raise ValueError("the frontmatter is not a set of `key: value` lines")
    return doc


def _yaml_reason(err: Exception) -> str:
    """One line for the user: the problem and its file line (the block starts on line 2)."""
    problem = getattr(err, "problem", None)
    mark = getattr(err, "problem_mark", None)
    if problem is None:
        return str(err).split("\n")[0]
    return f"{problem}, line {mark.line + 2}" if mark is not None else str(problem)


def _key_span(note: _Note, doc: CommentedMap, key: str) -> tuple[int, int]:
    """Line indices [start, end) of `key` with its continuation lines; empty at block end."""
    assert note.fm is not None
    fm_start, fm_end = note.fm
    if key not in doc:
        _check_key(key)
        return fm_end, fm_end
    row, col = doc.lc.key(key)
    start = fm_start + row
    if col != 0 or not note.lines[start].startswith(key):
        raise ValueError(f"frontmatter key {key!r} is not a plain top-level key")
    end = cursor = start + 1
    while cursor < fm_end:
        text = note.lines[cursor]
        if text.strip():
            if not (text[0] in " \t" or text.startswith("-")):
                break  # the next top-level key or comment
            end = cursor + 1  # blank lines count only when more of the value follows
        cursor += 1
    return start, end


def _check_key(key: str) -> None:
    plain = re.fullmatch(r"[^\s#:?\-\[\]{},&*!|>'\"%@`][^:#\n\r]*(?<=\S)", key)
    if plain is None or _YAML11.resolve(ScalarNode, key, (True, False)) != _STR_TAG:
        raise ValueError(f"{key!r} cannot be written as a plain top-level frontmatter key")


def _render(key: str, value: object, span: str | None, nl: str, reuse: bool) -> list[str]:
    """YAML lines for `key: value` in the old lines' list style and indentation; with
    `reuse`, the old lines are round-tripped so their end-of-line comment stays."""
    _check_key(key)
    yaml = _yaml()
    old_doc = CommentedMap()
    offset = 0
    if span is not None:
        old_doc = yaml.load(span.replace("\r\n", "\n"))
        inner = [text for text in span.split("\n")[1:] if text.strip()]
        offset = len(inner[0]) - len(inner[0].lstrip(" ")) if inner else 0
    yaml.indent(mapping=max(offset, 2), sequence=offset + 2, offset=offset)
    old = old_doc.get(key)
    flow = not isinstance(old, CommentedSeq) or old.fa.flow_style()
    doc = old_doc if reuse else CommentedMap()
    doc[key] = _prepare(value, bool(flow))
    out = io.StringIO()
    try:
        yaml.dump(doc, out)
    except RepresenterError as err:
        raise ValueError(f"cannot write {type(value).__name__} values to frontmatter") from err
    except Exception as err:  # ruamel trips over some comment layouts; the caller retries
        raise ValueError(f"could not write {key!r} safely") from err
    return [line + nl for line in out.getvalue().split("\n")[:-1]]


def _prepare(value: object, flow: bool) -> Any:
    """Quote strings another YAML reader would take for a bool, number, date or null,
    and, inside `[...]`, anything but plain words (ruamel leaves `[?0]` unquoted)."""
    if isinstance(value, str):
        misread = _YAML11.resolve(ScalarNode, value, (True, False)) != _STR_TAG
        if flow and not value.isprintable():
            return DoubleQuotedScalarString(value)
        if (misread and "\n" not in value) or (flow and not _FLOW_PLAIN.fullmatch(value)):
            return SingleQuotedScalarString(value)
        return value
    if isinstance(value, list | tuple):
        seq = CommentedSeq(_prepare(item, flow) for item in value)
        if flow:
            seq.fa.set_flow_style()
        return seq
    return value


def _plain(value: object) -> object:
    """Strip ruamel's round-trip wrappers so values compare as plain Python data."""
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, str):
        return str(value)
    if isinstance(value, bool | dt.date | float) or value is None:
        return value
    return int(value) if isinstance(value, int) else value


def _same(old: object, new: object) -> bool:
    return type(_plain(old)) is type(_plain(new)) and _plain(old) == _plain(new)


def _check_others(note: _Note, doc: CommentedMap, lines: list[str], key: str) -> None:
    """Guard against a mis-cut span: every other key must read back exactly as before."""
    after = _load(note, lines)
    if [k for k in after if k != key] != [k for k in doc if k != key] or any(
        not _same(doc[k], after[k]) for k in doc if k != key
    ):
        raise ValueError(f"could not change {key!r} without touching other keys")
