"""Walk the vault, parse (through the index), resolve names and aliases → a `Vault` snapshot."""

from __future__ import annotations

import contextlib
import contextvars
import functools
import gc
import hashlib
import operator
import os
import re
import sqlite3
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISREG

from .config import Config, config_fingerprint, daily_notes
from .dailynotes import DailyNotes, impossible_date_name
from .index import Changes, FileSig, Index, Parsed, cache_path, decode_record, encode_record
from .model import Claim, FollowUp, Interaction, NoteKind, NoteRecord, Problem, Vault
from .regular import NOT_REGULAR, NotRegularFile, read_regular

#: Folders never walked: tool state, trash, version control, editors' own.
SKIP_DIRS = frozenset({".git", ".obsidian", ".trash", ".vaultcrm", ".stfolder", "node_modules"})

#: The edit engine's conflict copies (`Ann.conflict.md`, `Ann.conflict-2.md`) are not people.
CONFLICT_COPY = re.compile(r"\.conflict(?:-\d+)?\.md$")

CONFLICT_MESSAGE = (
    "a conflict copy kept by vaultcrm: merge what you need into the note, then delete it"
)
SYMLINK_MESSAGE = "symlink points outside the vault; skipped"
FOLDER_SYMLINK_MESSAGE = "symlink leads outside the vault"

#: Parsing more files than this at once is spread over processes (cold index).
PARALLEL_THRESHOLD = 1500


@dataclass
class LoadStats:
    """What a run did: files seen, parsed again, reused from the index; people reflected."""

    files: int = 0
    parsed: int = 0
    reused: int = 0
    removed: int = 0
    cache: str | None = None
    cache_rebuilt: str | None = None
    reflected: int = 0  # people whose reflections were worked out (not taken from the cache)


@dataclass(frozen=True)
class Walk:
    """The vault's relevant files and what the walk itself found wrong.

    Kept as parallel columns rather than one `FileSig` per file: a sync with nothing to
    do only hashes them, so it never builds 30,000 tuples it would not look at.
    """

    rels: list[str]
    mtimes: list[int]
    sizes: list[int]
    kinds: list[NoteKind]
    problems: list[Problem] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.rels)

    @functools.cached_property
    def sigs(self) -> list[FileSig]:
        return list(map(FileSig, self.rels, self.mtimes, self.sizes, self.kinds))

    @functools.cached_property
    def digest(self) -> str:
        """A digest of every file's signature (and the walk's problems), made once."""
        h = hashlib.sha256()
        h.update("\0".join(self.rels).encode("utf-8", "surrogatepass"))  # no name holds NUL
        try:
            h.update(array("q", self.mtimes).tobytes())
            h.update(array("q", self.sizes).tobytes())
        except OverflowError:  # a clock or size beyond 64 bits: slower, still exact
            h.update(repr((self.mtimes, self.sizes)).encode())
        for p in self.problems:
            h.update(p.format().encode("utf-8", "surrogatepass"))
        return h.hexdigest()


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
    output = config.output.strip("/")
    tops = sorted({people, daily_folder}) if people and daily_folder else [""]
    root_real = os.path.realpath(root)
    rels: list[str] = []
    mtimes: list[int] = []
    sizes: list[int] = []
    kinds: list[NoteKind] = []
    problems: list[Problem] = []
    people_prefix = people + "/" if people else ""

    def visit(dir_path: str, rel_dir: str) -> None:
        prefix = rel_dir + "/" if rel_dir else ""
        kind: NoteKind = "person" if (prefix + "x").startswith(people_prefix) else "daily"
        try:
            listing = os.scandir(dir_path)
        except OSError as exc:
            if rel_dir:
                problems.append(Problem(rel_dir, None, f"cannot read folder: {exc.strerror}"))
            return
        with listing:
            for entry in listing:
                name = entry.name
                if name[0] == ".":
                    continue
                if entry.is_dir(follow_symlinks=False):
                    if name not in SKIP_DIRS:
                        visit(entry.path, prefix + name)
                    continue
                if not name.endswith(".md"):
                    continue
                rel = prefix + name
                if rel == output or (".conflict" in name and CONFLICT_COPY.search(name)):
                    if rel != output:
                        problems.append(Problem(rel, None, CONFLICT_MESSAGE, "warning"))
                    continue
                try:
                    if entry.is_symlink():
                        real = os.path.realpath(entry.path)
                        if os.path.commonpath([root_real, real]) != root_real:
                            problems.append(Problem(rel, None, SYMLINK_MESSAGE))
                            continue
                        st = os.stat(entry.path)
                    else:
                        st = entry.stat(follow_symlinks=False)
                except (OSError, ValueError) as exc:
                    problems.append(Problem(rel, None, f"cannot read: {exc}"))
                    continue
                if not S_ISREG(st.st_mode):  # a FIFO would block the read for ever
                    problems.append(Problem(rel, None, NOT_REGULAR))
                    continue
                # a daily-note candidate's name is matched against the format when read
                rels.append(rel)
                mtimes.append(st.st_mtime_ns)
                sizes.append(st.st_size)
                kinds.append(kind)

    def enter_folder(path: str, rel: str) -> None:
        """The people or daily folder itself may be (or lie under) a symlink: followed
        when it stays inside the vault, else skipped with a problem saying so."""
        real = os.path.realpath(path)
        if os.path.commonpath([root_real, real]) != root_real:
            problems.append(Problem(rel, None, f"{FOLDER_SYMLINK_MESSAGE} (to {real}); skipped"))
        elif os.path.isdir(real):
            visit(path, rel)

    configured = {people, daily_folder} - {""}
    if tops == [""]:
        visit(os.fspath(root), "")
        for rel in sorted(configured):  # the walk does not follow symlinked folders
            path = os.path.join(root, rel)
            if os.path.realpath(path) != os.path.join(root_real, rel):  # through a link
                enter_folder(path, rel)
    else:
        for top in tops:
            enter_folder(os.path.join(root, top), top)
    # No sort: nothing downstream depends on the order (records are sorted where it
    # matters), and the input key only has to be equal when nothing changed.
    return Walk(rels, mtimes, sizes, kinds, problems)


#: Called as (done, total) while many notes are parsed; the CLI sets it to draw a bar.
Progress = Callable[[int, int], None]
_progress: contextvars.ContextVar[Progress | None] = contextvars.ContextVar(
    "vaultcrm_progress", default=None
)

#: Below this many files to read, nobody waits long enough to need progress.
PROGRESS_THRESHOLD = 500


@contextlib.contextmanager
def progress_to(report: Progress | None) -> Iterator[None]:
    """Send parsing progress to `report` for the duration of the block."""
    token = _progress.set(report)
    try:
        yield
    finally:
        _progress.reset(token)


def read_records(root: Path, sigs: list[FileSig], dailies: DailyNotes) -> list[NoteRecord]:
    """Read and parse files, in order (no index involved)."""
    return [rec for rec, _ in read_for_index(root, sigs, dailies)]


def read_for_index(root: Path, sigs: list[FileSig], dailies: DailyNotes) -> list[Parsed]:
    """Read and parse files, in order, each with its index encoding if one was made.

    Many files are spread over the CPU's cores; workers send back the encoding, not the
    record (marshalled bytes cross a process boundary far cheaper than pickled dataclasses).
    What this process parses itself is left for the index to encode (b"").
    A daily-note candidate whose name is not a date for `dailies` becomes an empty
    "other" record, so the index remembers not to read it again.
    """
    spec = (dailies.folder, dailies.fmt, dailies.explicit)
    n = len(sigs)
    report = _progress.get() if n >= PROGRESS_THRESHOLD else None
    helpers = min(os.cpu_count() or 1, 8) - 1
    if n < PARALLEL_THRESHOLD or helpers < 1:
        return _reporting(((_read_one(root, sig, spec), b"") for sig in sigs), n, report)
    import multiprocessing
    import threading
    from concurrent.futures import ProcessPoolExecutor

    # Worker processes take a share of the files while this process parses the rest: on
    # two cores, one helper plus the parent beats two helpers and a parent that only
    # decodes what they send back. Shares interleave, since person notes cost ten times
    # what daily notes do. Equal shares: a helper also encodes and sends what it parses,
    # which costs about what the parent pays to decode it (the parent's own share is
    # encoded later, by the index's store).
    helper_slots = 10 * helpers
    cycle = helper_slots + 10
    theirs_at = [i for i in range(n) if i % cycle < helper_slots]
    mine_at = [i for i in range(n) if i % cycle >= helper_slots]
    theirs = [sigs[i] for i in theirs_at]
    # fork is fastest, but unsafe once other threads (a watcher's) may hold locks
    method = "fork" if threading.active_count() == 1 else "forkserver"
    chunk = max(64, len(theirs) // (helpers * 4))
    out: list[Parsed | None] = [None] * n
    context = multiprocessing.get_context(method)
    with ProcessPoolExecutor(helpers, mp_context=context, initializer=gc.disable) as pool:
        k = len(theirs)
        texts = pool.map(_read_encoded, [root] * k, theirs, [spec] * k, chunksize=chunk)
        count = 0
        for i in mine_at:
            out[i] = (_read_one(root, sigs[i], spec), b"")
            count = _tick(report, count, n)
        for i, text in zip(theirs_at, texts, strict=True):
            out[i] = (decode_record(text), text)
            count = _tick(report, count, n)
    return [item for item in out if item is not None]


def _tick(report: Progress | None, done: int, total: int) -> int:
    done += 1
    if report is not None and (done % max(1, total // 100) == 0 or done == total):
        report(done, total)
    return done


def _reporting(results: Iterable[Parsed], total: int, report: Progress | None) -> list[Parsed]:
    if report is None:
        return list(results)
    out: list[Parsed] = []
    for item in results:
        out.append(item)
        _tick(report, len(out) - 1, total)
    return out


def _read_encoded(root: Path, sig: FileSig, spec: tuple[str, str, bool]) -> bytes:
    return encode_record(_read_one(root, sig, spec))


@functools.lru_cache(maxsize=4)
def _daily_notes(spec: tuple[str, str, bool]) -> DailyNotes:
    return DailyNotes(*spec)


def _read_one(root: Path, sig: FileSig, spec: tuple[str, str, bool]) -> NoteRecord:
    day = sig.day
    if sig.kind == "daily" and day is None:
        day = _daily_notes(spec).date_of(sig.rel)
        if day is None:
            # kept (with any problem) so the index remembers not to read it again
            why = impossible_date_name(sig.rel)
            problems = () if why is None else (Problem(sig.rel, None, why),)
            return NoteRecord(sig.rel, "other", problems=problems)
    try:
        data = _read_bytes(os.path.join(root, sig.rel), sig.size)
    except NotRegularFile:
        problem = Problem(sig.rel, None, NOT_REGULAR)
        return NoteRecord(sig.rel, sig.kind, problems=(problem,))
    except OSError as exc:
        problem = Problem(sig.rel, None, f"cannot read: {exc.strerror}")
        return NoteRecord(sig.rel, sig.kind, problems=(problem,))
    from .parse import parse_note  # here, not at the top: a run with nothing to parse skips it

    return parse_note(sig.rel, data, sig.kind, day)


def _read_bytes(path: str, size: int) -> bytes:
    """A file's bytes: a read of the size the walk saw, then reads until end of file.

    Plain descriptors: a buffered file object costs twice as much per file, which on
    30,000 notes is a tenth of a second. The walk saw a regular file; one swapped for a
    FIFO since is caught on the descriptor, never waited on.
    """
    return read_regular(path, size, stat_checked=True)


def open_index(root: Path, config: Config) -> Index:
    return Index(cache_path(root), config_fingerprint(config))


def update_index(
    root: Path, config: Config, index: Index, walked: Walk, stats: LoadStats
) -> Changes:
    """Re-parse what changed; a damaged cache is thrown away and rebuilt, once."""
    dailies = daily_notes(config)
    try:
        changes = index.update(walked, lambda stale: read_for_index(root, stale, dailies))
    except sqlite3.DatabaseError as exc:
        index.recover(exc)
        changes = index.update(walked, lambda stale: read_for_index(root, stale, dailies))
    stats.parsed, stats.reused = len(changes.new), len(changes.unchanged)
    stats.removed = len(changes.removed)
    stats.cache, stats.cache_rebuilt = str(index.path), index.rebuilt_reason
    return changes


def load_vault(root: Path, config: Config, *, use_cache: bool = True) -> tuple[Vault, LoadStats]:
    """The whole pipeline up to a `Vault`; problems are inside it, never raised."""
    walked = walk(root, config)
    stats = LoadStats(files=walked.count)
    if not use_cache:
        records = read_records(root, walked.sigs, daily_notes(config))
        stats.parsed = len(records)
        return assemble(root, records, config, walked.problems), stats
    index = open_index(root, config)
    try:
        update_index(root, config, index, walked, stats)
        records = index.all_records()
    finally:
        index.close()
    return assemble(root, records, config, walked.problems), stats


def flag_reader(config: Config) -> Callable[[tuple[str, ...]], frozenset[str]]:
    """tags of a line → canonical flags (shared/heard/deep/win), memoised: lines repeat tags."""
    wanted = [(flag, tag) for flag, tag in config.tags.items()]
    memo: dict[tuple[str, ...], frozenset[str]] = {(): frozenset()}

    def flags(tags: tuple[str, ...]) -> frozenset[str]:
        found = memo.get(tags)
        if found is None:
            found = memo[tags] = frozenset(flag for flag, tag in wanted if tag in tags)
        return found

    return flags


#: A name or alias claimed by more than one person resolves to nobody.
AMBIGUOUS = ""


@dataclass(frozen=True)
class Roster:
    """Who is who: the kept note per name, the link table, and what is wrong with them."""

    paths: dict[str, str]  # person name → the note that defines them
    names: dict[str, str]  # casefolded name or alias → person name, or AMBIGUOUS
    problems: list[Problem]


def roster(claims: Iterable[Claim], config: Config) -> Roster:
    """Duplicate names, shared aliases and unknown circles, from the claims alone."""
    problems: list[Problem] = []
    paths: dict[str, str] = {}
    kept: list[Claim] = []
    for claim in sorted(claims, key=lambda c: c.path):
        if claim.name in paths:
            problems.append(
                Problem(
                    claim.path,
                    None,
                    f"another note is also named "
                    f"{claim.name!r} ({paths[claim.name]}); this one is ignored",
                )
            )
            continue
        paths[claim.name] = claim.path
        kept.append(claim)
    owners: dict[str, set[str]] = defaultdict(set)
    for claim in kept:
        for key in claim.keys:
            owners[key].add(claim.name)
    names: dict[str, str] = {}
    by_name = {c.name: c for c in kept}
    for key, who in owners.items():
        if len(who) == 1:
            names[key] = next(iter(who))
            continue
        names[key] = AMBIGUOUS
        for owner in sorted(who):
            others = ", ".join(sorted(who - {owner}))
            problems.append(
                Problem(
                    by_name[owner].path,
                    by_name[owner].aliases_line,
                    f"name or alias {key!r} is shared with {others}; links to it count for no one",
                    "warning",
                )
            )
    known = ", ".join(sorted(config.circles)) or "none"
    for claim in kept:
        if claim.circle is not None and claim.circle not in config.circles:
            problems.append(
                Problem(
                    claim.path,
                    claim.circle_line,
                    f"unknown circle {claim.circle!r} (known: {known}); using default_cadence",
                    "warning",
                )
            )
    return Roster(paths, names, problems)


def assemble(
    root: Path,
    records: Iterable[NoteRecord],
    config: Config,
    problems: Iterable[Problem] = (),
    who: Roster | None = None,
) -> Vault:
    """Resolve links to people and build the snapshot. Pure: no file is read here.

    With `who` (the whole vault's roster) the records may be a subset: only the people
    whose notes are among them appear, and roster problems are left to the caller.
    """
    found: list[Problem] = list(problems)
    records = sorted(records, key=_path_of)
    person_records = [r for r in records if r.kind == "person" and r.person is not None]
    if who is None:
        who = roster((Claim.of(r.person) for r in person_records if r.person), config)
        found.extend(who.problems)
    people = {
        r.person.name: r.person
        for r in person_records
        if r.person is not None and who.paths.get(r.person.name) == r.path
    }
    flags = flag_reader(config)
    names = who.names
    interactions: dict[str, list[Interaction]] = {n: [] for n in people}
    follow_ups: dict[str, list[FollowUp]] = {n: [] for n in people}
    for rec in records:
        if rec.problems:
            found.extend(rec.problems)
        if rec.kind == "person":
            person = rec.person
            if person is None or person.name not in people or people[person.name] is not person:
                continue
            name, path = person.name, rec.path
            mine, tasks = interactions[name], follow_ups[name]
            # entries unpacked as the tuples they are: this loop runs once per log line
            for line, text, when, tags, _links, task in rec.entries:
                if when is None:
                    continue
                if task is not None:
                    tasks.append(FollowUp(name, when, text, path, line, task == "done"))
                else:
                    mine.append(_interaction((name, when, text, path, line, flags(tags))))
        elif rec.kind == "daily" and rec.day is not None:
            day, path = rec.day, rec.path
            for line, text, when, tags, links, task in rec.entries:
                if len(links) == 1:  # most lines link one note: skip the general case
                    one = names.get(links[0].casefold())
                    linked: Iterable[str] = (one,) if one else ()
                else:
                    linked = _resolve(links, names)
                for name in linked:
                    if name not in people:
                        continue
                    if task is not None:
                        follow_ups[name].append(
                            FollowUp(name, when or day, text, path, line, task == "done")
                        )
                    else:
                        interactions[name].append(
                            _interaction((name, day, text, path, line, flags(tags)))
                        )

    order = sorted(people, key=lambda n: (n.casefold(), n))
    return Vault(
        root=root,
        people={n: people[n] for n in order},
        interactions={n: tuple(sorted(interactions[n], key=_when_where)) for n in order},
        follow_ups={n: tuple(sorted(follow_ups[n], key=_due_where)) for n in order},
        problems=tuple(sort_problems(found)),
    )


#: `Interaction(*fields)` without the NamedTuple's Python-level `__new__`: assembling a big
#: vault builds one per log line (150,000 on the synthetic vault). Fields in Interaction's order.
_interaction = functools.partial(tuple.__new__, Interaction)
_path_of = operator.attrgetter("path")
_when_where = operator.attrgetter("date", "file", "line")
_due_where = operator.attrgetter("due", "file", "line")


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Distinct problems in file, line, column order."""
    return sorted(set(problems), key=lambda p: (p.path, p.line or 0, p.col or 0, p.message))


def _resolve(links: Iterable[str], names: dict[str, str]) -> list[str]:
    """The distinct people a line links to, in the order first linked."""
    out: list[str] = []
    for link in links:
        name = names.get(link.casefold())
        if name and name not in out:
            out.append(name)
    return out
