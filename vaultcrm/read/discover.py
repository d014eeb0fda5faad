"""What a vault already holds, before any setting says so: where its people, daily notes
and meetings are, and how they are marked.

`vaultcrm init` adopts what it finds (a lowercase `people/`, daily notes in
`journal/YYYY/MM/YYYY-MM-DD.md`, a meetings folder) instead of creating `People/` and
`Journal/` beside them; a vault where nobody was found is told what is there, with the
exact lines for `vaultcrm.yaml`. Reads folder listings, and frontmatter only to find a
person-like tag or property (at most `MAX_READ` notes): never on a vault that works.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from vaultcrm.config import OBSIDIAN_DAILY, Config, no_people_problem
from vaultcrm.ignoring import never_a_note
from vaultcrm.locate import CONFIG_FILE
from vaultcrm.model import Problem
from vaultcrm.read.walk import SKIP_DIRS

#: Folder names (any case) that hold people, and meeting notes.
PEOPLE_NAMES = frozenset({"people", "contacts", "persons", "person", "contact"})
MEETING_NAMES = frozenset({"meetings", "meeting", "calls", "interactions"})
#: Tags and property values that mark a person note (nested tags count for their root).
PERSON_WORDS = frozenset({"person", "people", "contact", "contacts", "persons"})
PERSON_KEYS = frozenset({"type", "category", "categories", "kind", "class", "is"})
#: At most this many notes are read for tags and properties.
MAX_READ = 5000

_ISO_STEM = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_TAG_LINE = re.compile(r"(?<![\w/#])#([A-Za-z][\w/-]*)")


@dataclass(frozen=True)
class Found:
    """What `discover` found; each part None (or empty) when there is none."""

    people_folder: str | None = None
    people_notes: int = 0
    daily_folder: str | None = None
    daily_format: str | None = None
    daily_notes: int = 0
    meeting_folders: tuple[str, ...] = ()
    #: the most common person-like tag, and how many notes carry it
    person_tag: tuple[str, int] | None = None
    #: the most common person-like property (key, value), and how many notes have it
    person_property: tuple[str, str, int] | None = None
    notes: int = 0

    def settings(self) -> dict[str, str]:
        """The `vaultcrm.yaml` lines (key → value as YAML) that adopt what was found; a
        person tag or property only when no people folder was."""
        out: dict[str, str] = {}
        if self.people_folder is not None:
            out["people_folder"] = self.people_folder or "."
        elif self.person_tag is not None:
            out["people_tags"] = f"[{self.person_tag[0]}]"
        elif self.person_property is not None:
            key, value, _ = self.person_property
            shown = f'"{value}"' if value.startswith("[[") else value
            out["people_properties"] = f"{{{key}: {shown}}}"
        if self.daily_folder is not None and self.daily_format is not None:
            out["daily_folder"] = self.daily_folder or "."
            out["daily_format"] = self.daily_format
        if self.meeting_folders:
            out["interaction_folders"] = "[" + ", ".join(self.meeting_folders) + "]"
        return out


def discover(root: Path, *, read_notes: bool = True) -> Found:
    """The people folder (named people, contacts, persons… in any case, the one holding
    the most notes), the daily notes (named by date, at most two date folders deep:
    `YYYY/MM/YYYY-MM-DD`), meeting folders, and, with `read_notes`, the most common
    person-like tag and property."""
    notes: list[str] = []
    folders: list[str] = []
    for dirpath, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d[0] != "." and d not in SKIP_DIRS)
        rel_dir = os.path.relpath(dirpath, root).replace(os.sep, "/")
        rel_dir = "" if rel_dir == "." else rel_dir
        if rel_dir:
            folders.append(rel_dir)
        for name in sorted(files):
            if name.endswith(".md") and name[0] != "." and not never_a_note(name):
                notes.append(f"{rel_dir}/{name}" if rel_dir else name)
    people, counted = _people_folder(folders, notes)
    daily = _daily(notes)
    meetings = tuple(
        f for f in folders if f.rsplit("/", 1)[-1].casefold() in MEETING_NAMES
        and any(n.startswith(f + "/") for n in notes)
    )  # fmt: skip
    tag = prop = None
    if read_notes:
        tag, prop = _marks(root, notes)
    daily_folder, daily_format, daily_count = daily or (None, None, 0)
    return Found(
        people, counted, daily_folder, daily_format, daily_count, meetings, tag, prop,
        len(notes),
    )  # fmt: skip


def _people_folder(folders: list[str], notes: list[str]) -> tuple[str | None, int]:
    best: tuple[int, int, str] | None = None
    for folder in folders:
        if folder.rsplit("/", 1)[-1].casefold() not in PEOPLE_NAMES:
            continue
        count = sum(1 for n in notes if n.startswith(folder + "/"))
        if count and (best is None or (-count, folder.count("/"), folder) < best):
            best = (-count, folder.count("/"), folder)
    return (None, 0) if best is None else (best[2], -best[0])


def _daily(notes: list[str]) -> tuple[str, str, int] | None:
    """(folder, moment.js format, how many) of the most common way daily notes are kept."""
    ways: Counter[tuple[str, str]] = Counter()
    for rel in notes:
        parts = rel.removesuffix(".md").split("/")
        match = _ISO_STEM.fullmatch(parts[-1])
        if match is None:
            continue
        year, month, _ = match.groups()
        folders = parts[:-1]
        if folders[-2:] == [year, month]:
            ways[("/".join(folders[:-2]), "YYYY/MM/YYYY-MM-DD")] += 1
        elif folders[-1:] == [year]:
            ways[("/".join(folders[:-1]), "YYYY/YYYY-MM-DD")] += 1
        else:
            ways[("/".join(folders), "YYYY-MM-DD")] += 1
    if not ways:
        return None
    (folder, fmt), count = max(ways.items(), key=lambda kv: (kv[1], -len(kv[0][0]), kv[0]))
    return folder, fmt, count


Tag = tuple[str, int]
Property = tuple[str, str, int]


def _marks(root: Path, notes: list[str]) -> tuple[Tag | None, Property | None]:
    """The most common person-like tag and property among (at most MAX_READ) notes."""
    from vaultcrm.read.membership import flat_texts, frontmatter_tags
    from vaultcrm.read.parse import _load_frontmatter, split_frontmatter
    from vaultcrm.read.spec import property_value

    tags: Counter[str] = Counter()
    props: Counter[tuple[str, str]] = Counter()
    for rel in notes[:MAX_READ]:
        try:
            with open(root / rel, "rb") as f:
                head = f.read(16384)
            text = head.decode("utf-8", errors="replace").removeprefix("\ufeff")
        except OSError:
            continue
        fm, body, _ = split_frontmatter(text.replace("\r\n", "\n"))
        data = _load_frontmatter(rel, fm)[0] if fm is not None else None
        seen = set(frontmatter_tags(data or {}))
        seen.update(t.lower() for t in _TAG_LINE.findall(body))
        for tag in {t.split("/", 1)[0] for t in seen}:
            if tag in PERSON_WORDS:
                tags[tag] += 1
        for key, value in (data or {}).items():
            if str(key).casefold() not in PERSON_KEYS:
                continue
            for item in flat_texts(value):
                if property_value(item) in PERSON_WORDS:
                    props[(str(key), item.strip())] += 1
    top_tag = max(tags.items(), key=lambda kv: (kv[1], kv[0])) if tags else None
    top_prop = max(props.items(), key=lambda kv: (kv[1], kv[0])) if props else None
    prop = None if top_prop is None else (top_prop[0][0], top_prop[0][1], top_prop[1])
    return top_tag, prop


def adoptable(root: Path) -> tuple[Found, dict[str, str]]:
    """What `vaultcrm init` writes into a new `vaultcrm.yaml`: the settings that adopt
    what the vault holds, leaving out those equal to the defaults, and the daily notes'
    when Obsidian's own settings say where they are (vaultcrm reads those already)."""
    found = discover(root)
    settings = found.settings()
    if os.path.exists(root / OBSIDIAN_DAILY):
        settings.pop("daily_folder", None)
        settings.pop("daily_format", None)
    defaults = Config()
    if settings.get("people_folder") == defaults.people_folder:
        del settings["people_folder"]
    daily = (settings.get("daily_folder"), settings.get("daily_format"))
    if daily == (defaults.daily_folder, defaults.daily_format):
        del settings["daily_folder"], settings["daily_format"]
    return found, settings


def nobody_found(root: Path, config: Config) -> Problem:
    """The error of a vault where nobody was found (never a silent all-clear): where the
    config looked, and what the vault holds instead, as the exact lines for
    `vaultcrm.yaml` (or `vaultcrm init`, which writes them, when there is no such file)."""
    base = no_people_problem(root, config)
    found = discover(root)
    current = {
        "people_folder": config.people_folder.strip().strip("/") or ".",
        "daily_folder": config.daily_folder.strip().strip("/") or ".",
        "daily_format": config.daily_format,
        "interaction_folders": "[" + ", ".join(config.interaction_folders) + "]",
    }
    lines = {k: v for k, v in found.settings().items() if current.get(k) != v}
    if not lines:
        return Problem(base.path, base.line, base.message)
    seen = []
    if "people_folder" in lines:
        seen.append(f"{found.people_folder}/ ({_notes(found.people_notes)})")
    elif "people_tags" in lines and found.person_tag is not None:
        seen.append(f"{_notes(found.person_tag[1])} tagged #{found.person_tag[0]}")
    elif "people_properties" in lines and found.person_property is not None:
        key, value, count = found.person_property
        seen.append(f"{_notes(count)} with {key}: {value}")
    if "daily_format" in lines or "daily_folder" in lines:
        daily = "1 daily note" if found.daily_notes == 1 else f"{found.daily_notes} daily notes"
        seen.append(f"{found.daily_folder or '.'}/ ({daily})")
    if "interaction_folders" in lines:
        seen.append(", ".join(f"{f}/" for f in found.meeting_folders))
    where = base.message.split(":", 1)[0]  # "no people found in People/ (…)"
    settings = [f"`{key}: {value}`" for key, value in lines.items()]
    how = "" if (root / CONFIG_FILE).exists() else " (`vaultcrm init` writes them for you)"
    message = (
        f"{where}, but the vault holds {_joined(seen)}: put {_joined(settings)} in"
        f" vaultcrm.yaml{how}"
    )
    return Problem(base.path, base.line, message)


def _notes(n: int) -> str:
    return "1 note" if n == 1 else f"{n} notes"


def _joined(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + f" and {parts[-1]}"
