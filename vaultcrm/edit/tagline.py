"""Pure byte transform: add tags at the end of given lines of a note (`flags apply`).

Every byte but the added ` #tag`s stays as it was: the BOM, each line's own break (CRLF
or LF, even mixed), the text, a link the line ends with, trailing blanks (a Markdown hard
break) and an Obsidian block id (`^abc123`, which must stay last to keep working). A tag
the line already has is not added again, so applying twice changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from vaultcrm.edit.lines import split_note
from vaultcrm.read.parse import find_tags

#: What must stay at the very end of a line: a block id, then blanks (a hard break).
_TAIL = re.compile(r"(?:[ \t]+\^[A-Za-z0-9-]+)?[ \t]*$")


@dataclass(frozen=True)
class TagLine:
    """Add `tags` (without `#`) to file line `line` (1-based), which must still hold `text`."""

    line: int
    text: str
    tags: tuple[str, ...]


def with_tags(line: str, tags: Iterable[str]) -> str:
    """`line` (without its break) with ` #tag` for each of `tags` it lacks, before a block
    id and trailing blanks."""
    present = set(find_tags(line))
    missing = [t for t in dict.fromkeys(tags) if t.lower() not in present]
    if not missing:
        return line
    tail = _TAIL.search(line)
    at = tail.start() if tail is not None else len(line)
    head = line[:at]
    added = "".join(f" #{t}" for t in missing)
    return head + added + line[at:] if head.strip() else line


def add_tags(data: bytes, edits: Sequence[TagLine]) -> bytes:
    """The note with each edit's tags added to its line. Refuses (ValueError, a message
    for the user) when a line no longer exists or no longer holds its text: the note
    changed since it was read."""
    note = split_note(data)
    lines = list(note.lines)
    for edit in edits:
        if not 1 <= edit.line <= len(lines):
            raise ValueError(f"line {edit.line} does not exist any more")
        raw = lines[edit.line - 1]
        end = len(raw) - (2 if raw.endswith("\r\n") else 1 if raw.endswith("\n") else 0)
        body, brk = raw[:end], raw[end:]
        if edit.text.strip() not in body:
            raise ValueError(f"line {edit.line} no longer reads {edit.text!r}")
        lines[edit.line - 1] = with_tags(body, edit.tags) + brk
    return note.encode(lines)
