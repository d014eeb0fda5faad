"""Which notes are never read: README and index files, names starting with `_`, and the
config's `ignore:` globs.

A folder of people often holds a README, a `_template.md` and an `_aliases.md` beside
the people; none of them is a person. `ignore:` takes further vault-relative globs, as
in `.gitignore`: a glob without `/` matches a file or folder name at any depth
(`*.excalidraw.md`, `_archive`), one with `/` matches from the vault's root
(`people/archive`, `Templates/*`); `*` matches within a name, `**` across folders, and
a matched folder takes everything under it. Only the standard library: the walk, the
people scan and the config read it.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable

#: File names (any case) that describe a folder rather than being a note of it.
NOT_NOTES = frozenset({"readme.md", "index.md"})


def never_a_note(name: str) -> bool:
    """Whether a file of this name is never read: README/index, or a name starting `_`."""
    return name[:1] == "_" or (name[:1] in "RrIi" and name.lower() in NOT_NOTES)


def _part(glob: str) -> str:
    """One glob as a regular expression over whole names: `*` and `?` within a name,
    `**` across folders, `[...]` as fnmatch reads it."""
    out: list[str] = []
    for piece in re.split(r"(\*\*/?)", glob):
        if piece.startswith("**"):
            out.append("(?:.*/)?" if piece.endswith("/") else ".*")
        elif piece:
            core = fnmatch.translate(piece)  # `(?s:…)\Z`, `*` crossing `/`
            core = core[core.index(":") + 1 : core.rindex(")")]
            core = core.replace(".*", "[^/]*")
            out.append(re.sub(r"(?<!\\)\.", "[^/]", core))  # `?`: one character, not `/`
    return "".join(out)


class Ignore:
    """The `ignore:` globs of a config, as one test per path (a folder's path ignores
    everything under it)."""

    def __init__(self, globs: Iterable[str]) -> None:
        parts = []
        for glob in globs:
            glob = glob.strip().strip("/")
            if not glob:
                continue
            if "/" in glob:
                parts.append(f"(?:{_part(glob)})(?:/.*)?")
            else:
                parts.append(f"(?:.*/)?(?:{_part(glob)})(?:/.*)?")
        self._match = re.compile("|".join(parts), re.DOTALL).fullmatch if parts else None

    def __bool__(self) -> bool:
        return self._match is not None

    def __call__(self, rel: str) -> bool:
        """Whether the vault-relative path `rel` (a note or a folder) is ignored."""
        return self._match is not None and self._match(rel) is not None
