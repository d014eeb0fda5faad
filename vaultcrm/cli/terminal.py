"""What the terminal allows: colour and escape codes or none, and the width to wrap at.

`NO_COLOR` (no-color.org: set to anything but empty) and `TERM=dumb` both mean plain
text with no escape byte at all: no colour, no bold, no table rules drawn by rich, no
progress bar redrawing itself. Text a person reads on a terminal wraps at word boundaries
to its width, as rich's tables do; piped, every line stays whole (grep, golden files).
"""

from __future__ import annotations

import os
import sys

import click

#: Below this many columns for the text itself, continuation lines indent less.
_NARROWEST = 12


def plain() -> bool:
    """True when the user asked for no escape codes (`NO_COLOR`) or the terminal cannot
    interpret them (`TERM=dumb`)."""
    return bool(os.environ.get("NO_COLOR")) or os.environ.get("TERM") == "dumb"


def line_width() -> int | None:
    """The terminal's width when standard output is one; None when piped (no wrapping)."""
    if not sys.stdout.isatty():
        return None
    import shutil

    return shutil.get_terminal_size((80, 24)).columns


def wrap(text: str, width: int | None, *, head: str = "", hang: int | None = None) -> list[str]:
    """`head + text` as lines of at most `width` columns, broken between words only (a
    word longer than a line stays whole); later lines start with `hang` spaces (default:
    as wide as `head`). `width=None`: one line."""
    if width is None:
        return [head + text]
    import textwrap

    indent = len(head) if hang is None else hang
    if width - indent < _NARROWEST:
        indent = min(indent, 4)
    lines = textwrap.wrap(
        text,
        width,
        initial_indent=head,
        subsequent_indent=" " * indent,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return lines or [head.rstrip()]


def echo_wrapped(
    text: str, *, head: str = "", styled: str | None = None, hang: int | None = None
) -> None:
    """Print `head + text` on standard output, wrapped to the terminal (see `wrap`).
    `styled` is `head` with its colours (the same visible text): Click drops them where
    colour is off, so the caller never has to ask."""
    lines = wrap(text, line_width(), head=head, hang=hang)
    if styled is not None and lines[0].startswith(head):
        lines[0] = styled + lines[0][len(head) :]
    click.echo("\n".join(lines))


__all__ = ["plain", "line_width", "wrap", "echo_wrapped"]
