"""The generated note, healed after several devices changed it.

Two devices that sync on different days both rewrite the note, so git leaves conflict
markers in it (when no merge driver is set up, `app/gitsetup.py`), and a sync tool
(Syncthing, Obsidian Sync, Dropbox) keeps one version as a conflict copy beside it
(`read/copies.py`). Every byte of both is vaultcrm's, so `sync` (and `watch`) resolves
them: `read_note` reads the note and every copy that carries vaultcrm's marker as one
marker-free version (`output/merge_note.py`), whose ticks the sync records once before it
regenerates the note; `settle` then removes the copies. A copy of a user's note (no
marker) is never read nor touched.

While git is in the middle of a merge or rebase, person notes are not written
(`edit/engine.py`), so the note is only resolved (every tick kept in it, markers gone)
for `git add`; the sync after the merge records the ticks.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from vaultcrm.read.copies import copy_of_output
from vaultcrm.regular import read_regular
from vaultcrm.words import HEAL

if TYPE_CHECKING:
    from vaultcrm.edit.engine import Snapshot

GIT = "git"


@dataclass(frozen=True)
class Copy:
    """A sync tool's conflict copy of the note, as read (it carries the marker)."""

    rel: str
    source: str  # the tool that made it (`read/copies.py`)
    snap: Snapshot

    @property
    def text(self) -> str:
        return self.snap.data.decode("utf-8", errors="replace")


@dataclass(frozen=True)
class NoteRead:
    """The note as `sync` reads it: `text` is one marker-free version holding the ticks
    of the note and of every copy; `snap` is the note's file as read (None: absent), for
    the compare-and-swap that replaces it."""

    snap: Snapshot | None
    text: str
    conflicted: bool = False  # the note held git conflict markers
    copies: tuple[Copy, ...] = ()
    merging: bool = False  # git is mid-merge or mid-rebase: resolve only, record nothing

    @property
    def healing(self) -> bool:
        return self.conflicted or bool(self.copies)


@dataclass(frozen=True)
class Healed:
    """One thing a sync healed: a conflict resolved in the note, or a copy removed."""

    file: str
    action: Literal["resolved", "removed"]
    source: str  # "git", or the tool that made the copy
    output: str
    merging: bool = False

    def message(self) -> str:
        if self.action == "removed":
            return HEAL["removed"].format(file=self.file, source=self.source, output=self.output)
        return HEAL["resolved_merging" if self.merging else "resolved"].format(file=self.file)

    def to_json(self) -> dict[str, str]:
        return {"file": self.file, "action": self.action, "source": self.source}


def read_note(root: Path, output: str, marker: bytes) -> NoteRead:
    """The note and its conflict copies as one version (see the module docstring).

    Raises what `read_generated` raises for the note itself (a user's note of that name,
    a running git command, a save in progress); a copy that cannot be read now is left
    for the next sync."""
    from vaultcrm.edit.engine import EditRefused, conflict_marker_line, git_busy, read_generated
    from vaultcrm.output.merge_note import has_conflict, merge_notes

    snap = read_generated(root, output, marker=marker)
    text = snap.data.decode("utf-8", errors="replace") if snap is not None else ""
    conflicted = has_conflict(text)
    if conflicted and not _all_ours(text, marker):  # one side is a user's note: theirs to merge
        line = conflict_marker_line(text.encode("utf-8"))
        raise EditRefused(output, HEAL["not_ours"].format(line=line))
    if conflicted and git_busy(root) is not None:
        return NoteRead(snap, merge_notes([text]), True, (), merging=True)
    copies = tuple(_copies(root, output, marker))
    if not conflicted and not copies:
        return NoteRead(snap, text)
    versions = ([text] if snap is not None else []) + [copy.text for copy in copies]
    return NoteRead(snap, merge_notes(versions), conflicted, copies)


def pending(root: Path, output: str) -> bool:
    """Whether a conflict copy of the note that carries the marker is there to heal (a
    sync with nothing else changed must still take it). Cheap when there is none: one
    listing of the note's folder, nothing imported."""
    names = _copy_names(root, output)
    if not names:
        return False
    from vaultcrm.output.generated import MARKER

    marker = MARKER.encode()
    for rel in names:
        try:
            if marker in read_regular(root / rel):
                return True
        except OSError:
            continue
    return False


def settle(root: Path, note: NoteRead, output: str) -> list[Healed]:
    """After the note's ticks are recorded and the note rewritten: remove the copies that
    are still what was read, and say what was healed. A copy changed since is left for
    the next sync."""
    from vaultcrm.edit.engine import EditRefused, remove_generated

    healed: list[Healed] = []
    if note.conflicted:
        healed.append(Healed(output, "resolved", GIT, output, merging=note.merging))
    for copy in note.copies:
        try:
            remove_generated(copy.snap)
        except EditRefused:
            continue
        healed.append(Healed(copy.rel, "removed", copy.source, output))
    return healed


def _copy_names(root: Path, output: str) -> list[str]:
    folder = output.rpartition("/")[0]
    try:
        with os.scandir(root / folder if folder else root) as listing:
            names = sorted(entry.name for entry in listing if entry.is_file(follow_symlinks=False))
    except OSError:
        return []
    rels = [f"{folder}/{name}" if folder else name for name in names]
    return [rel for rel in rels if copy_of_output(rel, output) is not None]


def _copies(root: Path, output: str, marker: bytes) -> list[Copy]:
    from vaultcrm.edit.engine import EditRefused, read_generated

    found = []
    for rel in _copy_names(root, output):
        try:
            snap = read_generated(root, rel, marker=marker)
        except EditRefused:  # a user's note, a link, a save in progress: not now
            continue
        source = copy_of_output(rel, output)
        text = snap.data.decode("utf-8", errors="replace") if snap is not None else ""
        if snap is not None and source is not None and _all_ours(text, marker):
            found.append(Copy(rel, source, snap))
    return found


def _all_ours(text: str, marker: bytes) -> bool:
    """Whether every version a (possibly conflicted) text stands for is vaultcrm's."""
    from vaultcrm.output.merge_note import split_conflict

    mark = marker.decode("utf-8")
    return all(mark in version for version in split_conflict(text)[0])
