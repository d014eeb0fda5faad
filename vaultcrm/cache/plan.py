"""What to redo: every decision about what the index lets a run skip, in one place.

Pure functions over values (signatures, records, keys); the store and the use cases act
on their answers. Four questions, from the cheapest answer to the dearest:

1. Has anything a sync reads changed at all? (`inputs_key`: equal keys, skip the run.)
2. Which files must be read again? (`stale_in_order` / `stale_by_path`.)
3. Whose reflections may differ? (`affected`: everyone else keeps their stored results;
   `flags_moved`: everyone's, when the flags the vault uses change.)
4. Would the note come out different? (`note_key`: equal keys, skip the render.)

Every key covers everything its answer depends on; the store's envelope
(`codec.cache_key`) adds vaultcrm's own code to all of them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass

from vaultcrm.model import Claim, NoteRecord

# -- 1. the whole run ----------------------------------------------------------------------


def inputs_key(
    envelope: str,
    today: dt.date,
    config: str,
    templates: str,
    walk: str,
    output: tuple[int, int, int] | None,
    *,
    inbox: tuple[int, int, int] | None = None,
) -> str:
    """Changes whenever anything a sync reads could have changed: vaultcrm itself (the
    envelope), today, the config and template fingerprints, every note's signature (the
    walk's digest), the generated note's own signature (it holds the user's ticks) and
    the inbox's (its lines are filed into notes)."""
    h = hashlib.sha256()
    h.update(f"{envelope}|{today}|{config}|{templates}|{walk}|".encode())
    h.update(b"absent" if output is None else "{}:{}:{}".format(*output).encode())
    if inbox is not None:
        h.update("|inbox {}:{}:{}".format(*inbox).encode())
    return h.hexdigest()


# -- 2. which files ------------------------------------------------------------------------

Stale = tuple[list[int], list[str], list[str]]


def stale_in_order(
    last: tuple[list[str], list[int], list[int]],
    mtimes: list[int],
    sizes: list[int],
    rels: list[str],
) -> Stale:
    """When the files come in the last walk's order (the usual case): the positions whose
    signature moved, nothing removed, and the known paths among them. Three lists kept as
    one blob are compared, not 30,000 rows."""
    old_mtimes, old_sizes = last[1], last[2]
    if old_mtimes == mtimes and old_sizes == sizes:
        return [], [], []
    stale_at = [
        i
        for i, (m, old_m, n, old_n) in enumerate(
            zip(mtimes, old_mtimes, sizes, old_sizes, strict=True)
        )
        if m != old_m or n != old_n
    ]
    return stale_at, [], [rels[i] for i in stale_at]


def stale_by_path(
    known: Mapping[str, tuple[int, int]], rels: list[str], mtimes: list[int], sizes: list[int]
) -> Stale:
    """Against the stored rows: positions to read again, paths gone, and the known paths
    among both (whose old records say whom the change touches)."""
    stale_at = [
        i
        for i, (rel, m, n) in enumerate(zip(rels, mtimes, sizes, strict=True))
        if known.get(rel) != (m, n)
    ]
    seen = set(rels)
    removed = [path for path in known if path not in seen]
    return stale_at, removed, [rels[i] for i in stale_at if rels[i] in known] + removed


# -- 3. whose results ----------------------------------------------------------------------


@dataclass
class Changes:
    """What one refresh found: the records before and after, for every path that moved."""

    old: dict[str, NoteRecord]  # previous records of changed or removed paths
    new: dict[str, NoteRecord]  # fresh records of changed or added paths
    removed: list[str]
    unchanged: list[str]  # paths whose cached record still holds
    base: str | None = None  # the cache's generation the comparison was made against

    @property
    def any(self) -> bool:
        return bool(self.new or self.removed)


def person_keys(rec: NoteRecord) -> tuple[str, ...]:
    """The casefolded names a person note answers to (empty when it did not parse)."""
    return () if rec.person is None else Claim.of(rec.person).keys


def link_keys(rec: NoteRecord) -> set[str]:
    return {link.casefold() for e in rec.entries for link in e.links}


def relation_keys(rec: NoteRecord) -> set[str]:
    """The casefolded names a person note names as people around them (`partner`,
    `children`…): the index keeps them as the note's links, so the notes that name a
    person are found as the daily notes that link them are."""
    person = rec.person
    return set() if person is None else {r.name.casefold() for r in person.relations}


def indexed_links(rec: NoteRecord) -> set[str]:
    """What the index keeps as `rec`'s links: a daily or meeting note's wikilinks, a
    person note's relations."""
    if rec.kind in ("daily", "meeting"):
        return link_keys(rec)
    return relation_keys(rec) if rec.kind == "person" else set()


def affected(
    changes: Changes,
    names: Mapping[str, str],
    claims: Callable[[], Iterable[Claim]],
    naming: Callable[[set[str]], Iterable[str]] | None = None,
) -> set[str]:
    """Names of the people whose results may differ after these changes.

    - a changed person note touches that person (before and after);
    - a changed daily or meeting note touches everyone it links, before and after;
    - a changed name or alias touches every person who claims that key now or claimed it
      before, since links to the key may now resolve differently (`claims` is asked
      only then);
    - a changed person note touches every person whose note names them as someone
      around them (`naming`: the people whose notes name any of these keys), since
      their birthday and dates are reminded through that person.
    """
    touched: set[str] = set()
    changed_keys: set[str] = set()
    person_keys_seen: set[str] = set()
    for path in {*changes.new, *changes.old}:
        before, after = changes.old.get(path), changes.new.get(path)
        for rec in (before, after):
            if rec is None:
                continue
            if rec.person is not None:
                touched.add(rec.person.name)
            if rec.kind in ("daily", "meeting"):
                touched.update(_linked(rec, names))
        old_keys = person_keys(before) if before else ()
        new_keys = person_keys(after) if after else ()
        person_keys_seen.update(old_keys, new_keys)
        if old_keys != new_keys:
            changed_keys.update(old_keys, new_keys)
    if changed_keys:
        touched.update(c.name for c in claims() if changed_keys.intersection(c.keys))
    if naming is not None and person_keys_seen:
        touched.update(naming(person_keys_seen))
    return touched


def flags_in_use(counts: Mapping[str, int]) -> frozenset[str]:
    """The flags some person's interactions carry, from the count of people per flag."""
    return frozenset(flag for flag, n in counts.items() if n > 0)


def flags_moved(before: frozenset[str], counts: Mapping[str, int]) -> bool:
    """Whether the flags in use differ from `before`: a kind built on one (`KindSpec.
    built_on`) then speaks or falls silent for everyone, whoever the change touched."""
    return flags_in_use(counts) != before


def _linked(rec: NoteRecord, names: Mapping[str, str]) -> set[str]:
    found = (names.get(link.casefold()) for e in rec.entries for link in e.links)
    return {name for name in found if name}


# -- 4. the note -----------------------------------------------------------------------------


def content_digest(
    payloads: Mapping[str, bytes],
    picked: Mapping[str, str] | None = None,
    picked_people: Mapping[str, bytes] | None = None,
) -> str:
    """A digest of the due people's stored results (person, reflections, last contact),
    of who was picked for the kinds picked for the whole vault (`picked`: kind → person,
    whose results are among `payloads`), and of the picks themselves (`picked_people`:
    name → their person and item as `codec.encode_picks` writes them; a candidate's
    results hold neither).

    The results are what the note is rendered from, so hashing their stored bytes keys
    the note's content without decoding or encoding a single reflection again.
    """
    h = hashlib.sha256()
    for name in sorted(payloads):
        h.update(f"{len(name)}:{name}{len(payloads[name])}:".encode())
        h.update(payloads[name])
    for kind, name in sorted((picked or {}).items()):
        h.update(f"|picked {len(kind)}:{kind}{len(name)}:{name}".encode())
    for name, data in sorted((picked_people or {}).items()):
        h.update(f"|person {len(name)}:{name}{len(data)}:".encode())
        h.update(data)
    return h.hexdigest()


def note_key(
    today: dt.date,
    templates: str,
    problems: int,
    content: str,
    done: Collection[str],
    *,
    shape: tuple[int, int, bool] = (0, 0, False),
    chart: list[list[int]] | None = None,
) -> str:
    """Everything the generated note is made of; equal keys render equal notes.

    `content` digests the due people's results; the chart sums everyone's interactions,
    due or not, so its series are keyed as they are (with the note's `shape`: focus,
    section_limit, chart)."""
    made_of = [today.isoformat(), templates, problems, content, sorted(done), shape, chart]
    return hashlib.sha256(json.dumps(made_of, ensure_ascii=False).encode()).hexdigest()
