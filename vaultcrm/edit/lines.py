"""Pure byte-level transforms of one note: add a line, tick a task (keys: frontmatter.py).

Each function takes the note's bytes and returns new bytes in which every byte it was not
asked to change is identical: the BOM, the newline style (CRLF or LF), comments, key order,
quoting and the body all survive. Loading and re-dumping the whole note (as
python-frontmatter does) changed 17 of 18 real notes, so YAML is only ever rendered for the
lines of the one key being changed, and spliced in. Errors are `ValueError`s with a message
fit for the user; the edit engine turns them into refused edits.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from vaultcrm.read.parse import split_frontmatter

BOM = b"\xef\xbb\xbf"

_DATED_ITEM = re.compile(r"([ \t]*)[-*+][ \t]+(?!\[.\])(?:\[\[)?(\d{4}-\d{2}-\d{2})\b")
_OPEN_TASK = re.compile(r"([ \t]*[-*+][ \t]+)\[ \]")
# A line that starts a new Markdown block, so it cannot be a lazy continuation of an item.
_BLOCK_START = re.compile(r"[ \t]*([-*+][ \t]|\d+[.)][ \t]|#|>|```|~~~|\||-{3,}|\*{3,}|_{3,})")


@dataclass(frozen=True)
class Note:
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


def split_note(data: bytes) -> Note:
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
        return Note(bom, nl, lines, None)
    return Note(bom, nl, lines, (1, 1 + fm_text.count("\n")))


def _lines(text: str) -> list[str]:
    """Split on `\\n` only (str.splitlines also breaks on `\\r`, `\\x85`, `\\u2028`…)."""
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    return lines + [parts[-1]] if parts[-1] else lines


def _insert(note: Note, at: int, line: str) -> bytes:
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
    note = split_note(data)
    return _insert(note, len(note.lines), line)


def append_log_line(data: bytes, line: str) -> bytes:
    """Add a dated log line next to the note's dated log lines, keeping the log's order.

    With no dated list item in the body, the line goes at the end of the note. Otherwise
    it goes after the last dated item (and the indented or continued lines under it); a
    log kept newest-first gets the line above the first item not newer than it, and a
    back-dated line in an oldest-first log goes after the last item not newer than it.
    """
    note = split_note(data)
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


def _dated_items(note: Note) -> Iterator[tuple[int, re.Match[str]]]:
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
    note = split_note(data)
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
