"""How real editors save a note, for the race tests: one copy, so every race is run against
the same two behaviours."""

from __future__ import annotations

import os
from pathlib import Path


def save_by_rename(path: Path, data: bytes) -> None:
    """How Obsidian, VS Code and vim (by default) save: a temp file renamed over the note."""
    temp = path.with_name(f".{path.name}.editor-swp")
    temp.write_bytes(data)
    os.replace(temp, path)


def save_in_place(path: Path, data: bytes) -> None:
    """How some editors save: truncate the note and write into it."""
    with open(path, "wb") as file:
        file.write(data)
