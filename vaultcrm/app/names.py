"""Which person a command means, and whether a new person's name can be a note's file name.

`log` must feel instant on a vault of 10,000 people, so a PERSON argument is first
resolved from the people folder's file names alone: no index, no YAML. Only when that
fails (an alias, an ambiguous prefix, a typo) is the vault loaded to look at aliases.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from vaultcrm.config import Config
from vaultcrm.errors import UsageError
from vaultcrm.ignoring import Ignore, never_a_note
from vaultcrm.model import Claim

if TYPE_CHECKING:
    from vaultcrm.read.session import ReadSession

#: Longest name in UTF-8 bytes: with `.md` it stays well under the usual 255-byte limit.
MAX_NAME_BYTES = 200
#: Characters Obsidian cannot link to (`#`, `^`, `[`, `]`, `|`) or Windows cannot store.
_FORBIDDEN = {
    "/": "separates folders",
    "\\": "separates folders on Windows",
    ":": "is not allowed in file names on Windows and macOS",
    "*": "is not allowed in file names on Windows",
    "?": "is not allowed in file names on Windows",
    '"': "is not allowed in file names on Windows",
    "<": "is not allowed in file names on Windows",
    ">": "is not allowed in file names on Windows",
    "|": "breaks Obsidian links and is not allowed on Windows",
    "#": "breaks Obsidian links (it starts a heading)",
    "^": "breaks Obsidian links (it starts a block id)",
    "[": "breaks Obsidian links",
    "]": "breaks Obsidian links",
}
_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL"}
    | {f"{p}{n}" for p in ("COM", "LPT") for n in [*"0123456789", "¹", "²", "³"]}
)
#: Invisible characters that reorder text: a name must look like what it is.
_BIDI = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
#: Folders never walked (as `read.walk.walk` does): dot-folders and these.
_SKIP_DIRS = frozenset({"node_modules"})


def name_problem(name: str) -> str | None:
    """Why `name` cannot be a person note's file name, or None when it is safe.

    Safe means: one file name (no folders), portable to Windows and macOS, and linkable
    as `[[name]]` in Obsidian.
    """
    if not name.strip():
        return "the name is empty"
    for char in name:
        category = unicodedata.category(char)
        if category == "Cs":
            return "the name is not valid text (check your terminal's encoding)"
        if category in ("Cc", "Zl", "Zp") or char in _BIDI:
            return f"the name contains the control character U+{ord(char):04X}"
    for char, why in _FORBIDDEN.items():
        if char in name:
            return f"the name contains {char!r}, which {why}"
    if ".." in name:
        return "the name contains '..', which can leave the people folder"
    if name.startswith("."):
        return "the name starts with a dot, which hides the file"
    if name != name.lstrip():
        return "the name starts with a space"
    if name.endswith((".", " ")) or name != name.rstrip():
        return "the name ends with a dot or a space, which Windows drops"
    stem = name.split(".", 1)[0].rstrip().upper()
    if stem in _RESERVED:
        return f"{stem} is a reserved device name on Windows"
    size = len(name.encode("utf-8"))
    if size > MAX_NAME_BYTES:
        return f"the name is {size} bytes long (at most {MAX_NAME_BYTES})"
    return None


# --- resolving a PERSON argument ------------------------------------------------------


@dataclass(frozen=True)
class PersonRef:
    """The person a command is about: their name and their note (vault-relative)."""

    name: str
    file: str


def person_files(root: Path, config: Config) -> list[PersonRef]:
    """Every person note by file name alone, in path order, without reading any file.

    Follows `read.walk.walk`'s rules (dot-folders and symlinked folders are not entered), but
    keeps symlinked notes: the edit engine refuses to write through them, with a message
    that says so, which is clearer than "no such person".
    """
    return _refs(_scan(root, config))


def _refs(found: Iterable[tuple[str, str]]) -> list[PersonRef]:
    refs = (PersonRef(n[:-3], f"{d}/{n}" if d else n) for d, n in found)
    return sorted(refs, key=lambda ref: ref.file)


def _scan(root: Path, config: Config) -> list[tuple[str, str]]:
    """(vault-relative folder, file name) of each person note: cheap enough to run on
    every `log` of a 10,000-person vault (no stat, no object per file)."""
    folder = config.people_folder.strip().strip("/")
    top = os.path.join(root, folder) if folder else os.fspath(root)
    found: list[tuple[str, str]] = []
    skipped = set(config.template_folders)
    ignored = Ignore(config.ignore)

    def visit(path: str, rel_dir: str) -> None:
        try:
            names = os.listdir(path)
        except OSError:
            return
        # Names ending in .md are taken as notes without a stat (a folder so named is
        # refused by the edit engine); only the few other names are checked for folders.
        found.extend(
            (rel_dir, n)
            for n in names
            if n.endswith(".md") and n[0] != "." and not never_a_note(n)
            and not (ignored and ignored(f"{rel_dir}/{n}" if rel_dir else n))
        )  # fmt: skip
        for name in names:
            if name[0] == "." or name.endswith(".md") or name in _SKIP_DIRS:
                continue
            rel = f"{rel_dir}/{name}" if rel_dir else name
            if ignored and ignored(rel):
                continue
            sub = os.path.join(path, name)
            if rel not in skipped and os.path.isdir(sub) and not os.path.islink(sub):
                visit(sub, rel)

    if os.path.isdir(top) and not os.path.islink(top):
        visit(top, folder)
    out_dir, _, out_name = config.output.strip("/").rpartition("/")
    in_dir, _, in_name = config.inbox.strip("/").rpartition("/")
    keep = [f for f in found if f != (out_dir, out_name) and f != (in_dir, in_name)]
    if not folder:  # people at the vault root: daily notes are not people
        from vaultcrm.config import daily_notes

        dailies = daily_notes(config)
        keep = [(d, n) for d, n in keep if dailies.date_of(f"{d}/{n}" if d else n) is None]
    return keep


def _by_name(found: list[tuple[str, str]], query: str) -> list[PersonRef]:
    """Exact name, else case-insensitive name, else case-insensitive name prefix; one
    entry per name (the first by path, as the vault keeps it)."""
    exact = query + ".md"
    folded = query.casefold()
    for test in (
        lambda n: n == exact,
        lambda n: n[:-3].casefold() == folded,
        lambda n: n.casefold().startswith(folded),
    ):
        hits = [(d, n) for d, n in found if test(n)]
        if hits:
            unique: dict[str, PersonRef] = {}
            for ref in _refs(hits):
                unique.setdefault(ref.name, ref)
            return list(unique.values())
    return []


def resolve_fast(root: Path, config: Config, query: str) -> PersonRef | None:
    """The person named (or uniquely prefixed) by `query`, from file names only; None
    when that is not enough to tell (then aliases must be read: `resolve_person`)."""
    query = query.strip()
    if not query:
        return None
    hits = _by_name(_scan(root, config), query)
    return hits[0] if len(hits) == 1 else None


def resolve_person(session: ReadSession, query: str) -> PersonRef:
    """The person `query` names: by name, alias, or a unique case-insensitive prefix of
    either. Raises UsageError listing the candidates when it is ambiguous or unknown.
    The session's index is read only when file names do not tell."""
    query = query.strip()
    if not query:
        raise UsageError("PERSON is empty: give a name, an alias or the start of one")
    fast = resolve_fast(session.root, session.config, query)
    if fast is not None:
        return fast
    return _resolve_with_aliases(session, query)


def _resolve_with_aliases(session: ReadSession, query: str) -> PersonRef:
    from vaultcrm.read.assemble import AMBIGUOUS, roster

    root, config = session.root, session.config
    found = session.claims()
    who = roster(found, config)  # the vault's own rules: duplicates, shared aliases
    kept = [c for c in found if who.paths.get(c.name) == c.path]
    folded = query.casefold()
    exact = who.names.get(folded)
    if exact:
        return PersonRef(exact, who.paths[exact])
    if exact == AMBIGUOUS:
        owners = {c.name for c in kept if folded in c.keys}
    else:
        owners = {c.name for c in kept if any(k.startswith(folded) for k in c.keys)}
    if len(owners) == 1:
        name = owners.pop()
        return PersonRef(name, who.paths[name])
    if owners:
        listed = ", ".join(sorted(owners, key=str.casefold))
        raise UsageError(f"{query!r} matches {len(owners)} people: {listed}; be more specific")
    # Not even a prefix: the note may exist but be unreadable (broken frontmatter).
    files = _by_name(_scan(root, config), query)
    if len(files) == 1:
        return files[0]
    raise UsageError(f"no person named {query!r}{_did_you_mean(query, kept)}")


def _did_you_mean(query: str, kept: Iterable[Claim]) -> str:
    """Up to three names or aliases close to `query`: as a whole, or by one of their
    words (`Tomm` → Tom Gallagher), so a typo of a first name still finds the person."""
    import difflib

    shown: dict[str, str] = {}  # casefolded name or alias → how to show it
    for claim in kept:
        for key in claim.keys:
            alias = key != claim.name.casefold()
            shown.setdefault(key, f"{key!r} ({claim.name})" if alias else repr(claim.name))
    folded = query.casefold()

    def score(key: str) -> float:
        parts = [key, *key.split()] if " " in key else [key]
        return max(difflib.SequenceMatcher(None, folded, part).ratio() for part in parts)

    scored = sorted(((score(k), k) for k in shown), key=lambda sk: (-sk[0], sk[1]))
    close = [key for value, key in scored[:3] if value >= 0.6]
    if not close:
        return " (add them with `vaultcrm add`)"
    return " (did you mean " + " or ".join(shown[c] for c in close) + "?)"


def taken_names(session: ReadSession) -> dict[str, str]:
    """Every name and alias in use, casefolded → who holds it, so a new person or alias
    never collides with one (case-insensitively)."""
    taken: dict[str, str] = {}
    for ref in person_files(session.root, session.config):
        taken.setdefault(ref.name.casefold(), f"{ref.file} exists")
    for claim in session.claims():
        for key in claim.keys:
            taken.setdefault(key, f"it is an alias of {claim.name}")
    return taken
