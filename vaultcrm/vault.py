"""Walk the vault, parse (through the index), resolve names and aliases → a `Vault` snapshot."""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .config import CONFIG_FILE, Config, config_fingerprint, daily_notes
from .errors import VaultcrmError
from .index import FileSig, Index, RefreshStats, cache_path
from .model import FollowUp, Interaction, NoteRecord, Person, Problem, Vault
from .parse import parse_note

#: Folders never walked: tool state, trash, version control, editors' own.
SKIP_DIRS = frozenset({".git", ".obsidian", ".trash", ".vaultcrm", ".stfolder", "node_modules"})

#: Parsing more files than this at once is spread over processes (cold index).
PARALLEL_THRESHOLD = 1500

Progress = Callable[[int, int], None]


@dataclass
class LoadStats:
    files: int = 0
    parsed: int = 0
    reused: int = 0
    removed: int = 0
    cache: str | None = None
    cache_rebuilt: str | None = None


@dataclass(frozen=True)
class Walk:
    """The vault's relevant files and what the walk itself found wrong."""

    sigs: list[FileSig]
    problems: list[Problem] = field(default_factory=list)


def find_vault(explicit: str | os.PathLike[str] | None, cwd: Path | None = None) -> Path:
    """`--vault`, else `VAULTCRM_VAULT`, else the nearest parent holding `vaultcrm.yaml` or
    `.obsidian/`, else the working directory."""
    chosen = explicit or os.environ.get("VAULTCRM_VAULT")
    if chosen:
        root = Path(chosen).expanduser()
        if not root.is_dir():
            raise VaultcrmError(f"vault folder not found: {root}")
        return root.resolve()
    start = (cwd or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_FILE).is_file() or (folder / ".obsidian").is_dir():
            return folder
    return start


def _norm_folder(folder: str) -> str:
    return folder.strip().strip("/")


def walk(root: Path, config: Config) -> Walk:
    """Signatures of person notes and daily notes, without reading any file.

    Only the people and daily folders are walked (the whole vault when either is the
    root). Symlinked folders are not followed; a symlinked note is used only when it
    stays inside the vault.
    """
    people = _norm_folder(config.people_folder)
    daily_folder = _norm_folder(config.daily_folder)
    dailies = daily_notes(config)
    output = config.output.strip("/")
    tops = sorted({people, daily_folder}) if people and daily_folder else [""]
    root_real = os.path.realpath(root)
    sigs: list[FileSig] = []
    problems: list[Problem] = []
    people_prefix = people + "/" if people else ""

    def visit(dir_path: str, rel_dir: str) -> None:
        try:
            entries = list(os.scandir(dir_path))
        except OSError as exc:
            if rel_dir:
                problems.append(Problem(rel_dir, None, f"cannot read folder: {exc.strerror}"))
            return
        for entry in entries:
            name = entry.name
            rel = f"{rel_dir}/{name}" if rel_dir else name
            if entry.is_dir(follow_symlinks=False):
                if name not in SKIP_DIRS and not name.startswith("."):
                    visit(entry.path, rel)
                continue
            if not name.endswith(".md") or name.startswith(".") or rel == output:
                continue
            try:
                if entry.is_symlink():
                    real = os.path.realpath(entry.path)
                    if os.path.commonpath([root_real, real]) != root_real:
                        problems.append(
                            Problem(rel, None, "symlink points outside the vault; skipped")
                        )
                        continue
                    st = os.stat(entry.path)
                else:
                    st = entry.stat(follow_symlinks=False)
            except (OSError, ValueError) as exc:
                problems.append(Problem(rel, None, f"cannot read: {exc}"))
                continue
            if rel.startswith(people_prefix):
                sigs.append(FileSig(rel, st.st_mtime_ns, st.st_size, "person"))
                continue
            day = dailies.date_of(rel)
            if day is not None:
                sigs.append(FileSig(rel, st.st_mtime_ns, st.st_size, "daily", day))

    for top in tops:
        path = os.path.join(root, top) if top else os.fspath(root)
        if os.path.isdir(path) and not os.path.islink(path):
            visit(path, top)
    sigs.sort(key=lambda s: s.rel)
    return Walk(sigs, problems)


def read_records(root: Path, sigs: list[FileSig]) -> list[NoteRecord]:
    """Read and parse files, in order; many files are spread over the CPU's cores."""
    if len(sigs) >= PARALLEL_THRESHOLD and (os.cpu_count() or 1) > 1:
        from concurrent.futures import ProcessPoolExecutor

        workers = min(os.cpu_count() or 1, 8)
        chunk = max(64, len(sigs) // (workers * 4))
        with ProcessPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(_read_one, [root] * len(sigs), sigs, chunksize=chunk))
    return [_read_one(root, sig) for sig in sigs]


def _read_one(root: Path, sig: FileSig) -> NoteRecord:
    try:
        with open(os.path.join(root, sig.rel), "rb") as fh:
            data = fh.read()
    except OSError as exc:
        return NoteRecord(
            sig.rel, sig.kind, problems=(Problem(sig.rel, None, f"cannot read: {exc.strerror}"),)
        )
    return parse_note(sig.rel, data, sig.kind, sig.day)


def open_index(root: Path, config: Config) -> Index:
    return Index(cache_path(root), config_fingerprint(config))


def load_records(
    root: Path, config: Config, walked: Walk, index: Index | None
) -> tuple[list[NoteRecord], LoadStats]:
    """Records for every walked file, through the index when there is one."""
    stats = LoadStats(files=len(walked.sigs))
    if index is None:
        records = read_records(root, walked.sigs)
        stats.parsed = len(records)
        return records, stats
    records, refresh = index.refresh(walked.sigs, lambda stale: read_records(root, stale))
    _copy_stats(stats, refresh)
    stats.cache = str(index.path)
    stats.cache_rebuilt = index.rebuilt_reason
    return records, stats


def _copy_stats(stats: LoadStats, refresh: RefreshStats) -> None:
    stats.parsed, stats.reused, stats.removed = refresh.parsed, refresh.reused, refresh.removed


def load_vault(root: Path, config: Config, *, use_cache: bool = True) -> tuple[Vault, LoadStats]:
    """The whole pipeline up to a `Vault`; problems are inside it, never raised."""
    walked = walk(root, config)
    index = open_index(root, config) if use_cache else None
    try:
        records, stats = load_records(root, config, walked, index)
    finally:
        if index is not None:
            index.close()
    return assemble(root, records, config, walked.problems), stats


def flags_of(tags: Iterable[str], config: Config) -> frozenset[str]:
    """Canonical flags (shared/heard/deep/win) carried by a line's tags."""
    tagset = set(tags)
    return frozenset(flag for flag, tag in config.tags.items() if tag in tagset)


def assemble(
    root: Path, records: Iterable[NoteRecord], config: Config, problems: Iterable[Problem] = ()
) -> Vault:
    """Resolve links to people and build the snapshot. Pure: no file is read here."""
    found: list[Problem] = list(problems)
    people: dict[str, Person] = {}
    person_records: list[NoteRecord] = []
    daily_records: list[NoteRecord] = []
    for rec in sorted(records, key=lambda r: r.path):
        found.extend(rec.problems)
        if rec.kind == "person" and rec.person is not None:
            name = rec.person.name
            if name in people:
                found.append(
                    Problem(
                        rec.path,
                        None,
                        f"another note is also named {name!r} "
                        f"({people[name].file}); this one is ignored",
                    )
                )
                continue
            people[name] = rec.person
            person_records.append(rec)
        elif rec.kind == "daily":
            daily_records.append(rec)

    names = _name_table(people, found)
    for person in people.values():
        if person.circle is not None and person.circle not in config.circles:
            known = ", ".join(sorted(config.circles)) or "none"
            found.append(
                Problem(
                    person.file,
                    person.key_lines.get("circle"),
                    f"unknown circle {person.circle!r} (known: {known}); using default_cadence",
                    "warning",
                )
            )

    interactions: dict[str, list[Interaction]] = defaultdict(list)
    follow_ups: dict[str, list[FollowUp]] = defaultdict(list)
    for rec in person_records:
        assert rec.person is not None
        name = rec.person.name
        for entry in rec.entries:
            if entry.date is None:
                continue
            if entry.task is not None:
                follow_ups[name].append(
                    FollowUp(
                        name, entry.date, entry.text, rec.path, entry.line, entry.task == "done"
                    )
                )
            else:
                interactions[name].append(
                    Interaction(
                        name,
                        entry.date,
                        entry.text,
                        rec.path,
                        entry.line,
                        flags_of(entry.tags, config),
                    )
                )
    for rec in daily_records:
        assert rec.day is not None
        for entry in rec.entries:
            linked = _resolve(entry.links, names)
            for name in linked:
                if entry.task is not None:
                    follow_ups[name].append(
                        FollowUp(
                            name,
                            entry.date or rec.day,
                            entry.text,
                            rec.path,
                            entry.line,
                            entry.task == "done",
                        )
                    )
                else:
                    interactions[name].append(
                        Interaction(
                            name,
                            rec.day,
                            entry.text,
                            rec.path,
                            entry.line,
                            flags_of(entry.tags, config),
                        )
                    )

    order = sorted(people, key=lambda n: (n.casefold(), n))
    return Vault(
        root=root,
        people={n: people[n] for n in order},
        interactions={
            n: tuple(sorted(interactions[n], key=lambda i: (i.date, i.file, i.line))) for n in order
        },
        follow_ups={
            n: tuple(sorted(follow_ups[n], key=lambda f: (f.due, f.file, f.line))) for n in order
        },
        problems=tuple(sorted(set(found), key=_problem_order)),
    )


def _problem_order(p: Problem) -> tuple[str, int, int, str]:
    return (p.path, p.line or 0, p.col or 0, p.message)


#: A name or alias claimed by more than one person resolves to nobody.
AMBIGUOUS = ""


def _name_table(people: dict[str, Person], problems: list[Problem]) -> dict[str, str]:
    """casefolded name or alias → person name, or AMBIGUOUS when shared."""
    claims: dict[str, set[str]] = defaultdict(set)
    for person in people.values():
        claims[person.name.casefold()].add(person.name)
        for alias in person.aliases:
            if alias.strip():
                claims[alias.strip().casefold()].add(person.name)
    table: dict[str, str] = {}
    for key, owners in claims.items():
        if len(owners) == 1:
            table[key] = next(iter(owners))
            continue
        table[key] = AMBIGUOUS
        for owner in sorted(owners):
            others = ", ".join(sorted(owners - {owner}))
            person = people[owner]
            problems.append(
                Problem(
                    person.file,
                    person.key_lines.get("aliases"),
                    f"name or alias {key!r} is shared with {others}; links to it count for no one",
                    "warning",
                )
            )
    return table


def _resolve(links: Iterable[str], names: dict[str, str]) -> list[str]:
    """The distinct people a line links to, in the order first linked."""
    out: list[str] = []
    for link in links:
        name = names.get(link.casefold())
        if name and name not in out:
            out.append(name)
    return out
