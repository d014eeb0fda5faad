"""One note's text → records and problems (frontmatter, log lines, tasks, wikilinks, tags)."""

from __future__ import annotations

import re

# python-frontmatter's own boundary rule, anchored to whole lines so that a `---`
# inside the body (a horizontal rule) never ends the block early.
_BOUNDARY = re.compile(r"^-{3,}[ \t]*\r?$", re.MULTILINE)


def split_frontmatter(text: str) -> tuple[str | None, str, int]:
    """Split a note (BOM already removed) into (frontmatter, body, body's first file line).

    The frontmatter is the text between a first line of `---` and the next `---` line,
    without the delimiter lines; None when the note has no (closed) frontmatter block.
    Line numbers count from 1, so a YAML mark at line `m` (0-based inside the block) is
    file line `m + 2`.
    """
    first = _BOUNDARY.match(text)
    if first is None:
        return None, text, 1
    start = first.end() + 1  # past the newline that ends the opening line
    closing = _BOUNDARY.search(text, start)
    if closing is None or start > len(text):
        return None, text, 1
    fm = text[start : closing.start()]
    body_start = closing.end() + 1 if closing.end() < len(text) else closing.end()
    body_line = text.count("\n", 0, body_start) + 1
    return fm, text[body_start:], body_line
