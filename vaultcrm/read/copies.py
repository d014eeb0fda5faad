"""Which file names are sync tools' conflict copies of a note, by name alone.

When two devices change one file before they see each other's change, a sync tool keeps
one version under the file's name and the other beside it, under a name of its own:

- Syncthing: `NAME.sync-conflict-20261207-101010-ABCDEFG.md` (date, time, device id);
- Obsidian Sync ("Create conflict file"): `NAME (Conflicted copy DEVICE 202612071010).md`;
- Dropbox: `NAME (Someone's conflicted copy 2026-12-07).md`, and Nextcloud or ownCloud's
  `NAME (conflicted copy 2026-12-07 101010).md` alike;
- vaultcrm's own edit engine: `NAME.conflict.md`, `NAME.conflict-2.md`.

The walk never reads a copy of the generated note as a person or an interaction, and
`sync` records the ticks in one and removes it (`app/heal.py`). Names are matched, files
are not read: what a copy holds (vaultcrm's marker or not) is decided by the reader.
"""

from __future__ import annotations

import functools
import re
from pathlib import PurePosixPath

#: The tools, in the order their patterns are tried (the most specific first).
SYNCTHING = "Syncthing"
OBSIDIAN = "Obsidian Sync"
DROPBOX = "Dropbox"
VAULTCRM = "vaultcrm"


@functools.lru_cache(maxsize=16)
def _patterns(stem: str, suffix: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    s, x = re.escape(stem), re.escape(suffix)
    return (
        (SYNCTHING, re.compile(rf"{s}(?:\.sync-conflict-\d{{8}}-\d{{6}}-[0-9A-Z]{{7}})+{x}")),
        (OBSIDIAN, re.compile(rf"{s} \(Conflicted copy .+ \d{{12}}\){x}")),
        (DROPBOX, re.compile(rf"{s} \([^()]*conflicted copy[^()]*(?:\(\d+\))?\){x}", re.I)),
        (VAULTCRM, re.compile(rf"{s}\.conflict(?:-\d+)?{x}")),
    )


def copy_source(name: str, of: str) -> str | None:
    """The tool that named `name` as a conflict copy of the file named `of` (both file
    names, no folders), or None when it is no such copy."""
    if name == of:
        return None
    path = PurePosixPath(of)
    stem, suffix = (path.stem, path.suffix) if path.suffix else (of, "")
    if not name.startswith(stem):
        return None
    for tool, pattern in _patterns(stem, suffix):
        if pattern.fullmatch(name):
            return tool
    return None


def copy_of_output(rel: str, output: str) -> str | None:
    """The tool, when vault-relative `rel` is a conflict copy of the generated note
    `output` (in the same folder); else None."""
    folder, _, name = rel.rpartition("/")
    out_folder, _, out_name = output.rpartition("/")
    if folder != out_folder:
        return None
    return copy_source(name, out_name)
