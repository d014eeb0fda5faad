"""Every layout the index stores, in one place, behind one versioned envelope.

Records, the last walk, the roster, each person's results and the last sync's memo are
marshalled (C speed both ways; the cache is disposable, so no format needs to outlive
the code that wrote it). The envelope is `cache_key`: the layout `VERSION`, the package's
version, a fingerprint of vaultcrm's own code and templates, the Python version, and the
settings that change how files parse. An index written under any other key is emptied on
open, so an upgrade (or an edit of a rule in an editable install) never serves what the
old code computed.
"""

from __future__ import annotations

import collections.abc
import contextlib
import dataclasses
import datetime as dt
import functools
import hashlib
import marshal
import os
import sys
import types
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import vaultcrm
from vaultcrm.locate import package_templates
from vaultcrm.model import (
    Entry,
    Interaction,
    NoteRecord,
    Person,
    Problem,
    Reflection,
    new_entry,
    new_interaction,
)

T = TypeVar("T")

#: The stored layouts' version. The code fingerprint already covers any change of
#: vaultcrm's code, so a bump is only a label for humans reading an index file.
VERSION = 12


@functools.cache
def code_fingerprint() -> str:
    """A digest of the bytes of vaultcrm's modules and package templates, once per process.

    A few dozen small files: cheap next to a no-change `sync` (benchmarks/RESULTS.md).
    """
    h = hashlib.sha256()
    package = Path(vaultcrm.__file__).resolve().parent
    folders = [package]
    with contextlib.suppress(FileNotFoundError):
        folders.append(package_templates())
    for folder in folders:
        for dirpath, dirs, files in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__" and d != "templates")
            for name in sorted(files):
                if name.endswith((".py", ".j2")):
                    path = os.path.join(dirpath, name)
                    rel = os.path.relpath(path, folder)
                    with open(path, "rb") as f:
                        data = f.read()
                    h.update(f"{rel}:{len(data)}:".encode())
                    h.update(data)
    return h.hexdigest()


def cache_key(settings: str) -> str:
    """The envelope: everything a stored value depends on besides the notes themselves."""
    python = f"{sys.version_info[0]}.{sys.version_info[1]}"
    return (
        f"layout {VERSION}|vaultcrm {vaultcrm.__version__}|code {code_fingerprint()}"
        f"|python {python}|{settings}"
    )


# -- records -----------------------------------------------------------------------------


#: day number → date, memoised: notes repeat the same days over and over.
_from_ordinal = functools.lru_cache(maxsize=65536)(dt.date.fromordinal)

class FieldsCodec:
    """A record (a dataclass or a NamedTuple) stored as the tuple of its fields, in their
    order, each field's form worked out from its type (`_forms`): a new field of a
    supported type is stored and read back with no edit here, and one of another type
    stops the import, naming the field (then give its type a form in `_forms`).

    `encode` and `decode` are compiled once from the fields, as `dataclasses` builds an
    `__init__`: one expression per field, no call for a field stored as it is (a person is
    decoded by the ten thousand)."""

    def __init__(self, cls: type) -> None:
        hints = typing.get_type_hints(cls)
        names = (
            [f.name for f in dataclasses.fields(cls)]
            if dataclasses.is_dataclass(cls)
            else list(cls._fields)  # type: ignore[attr-defined]
        )
        self.names = tuple(names)
        env: dict[str, Any] = {"cls": cls, "_from_ordinal": _from_ordinal}
        encoded, decoded = [], []
        for i, name in enumerate(names):
            try:
                enc, dec = _forms(hints[name], env)
            except TypeError as exc:
                raise TypeError(f"{cls.__name__}.{name}: {exc}") from None
            encoded.append(enc.replace("@", f"o.{name}"))
            decoded.append(dec.replace("@", f"d[{i}]"))
        source = (
            f"def encode(o):\n    return ({', '.join(encoded)},)\n"
            f"def decode(d):\n    return cls({', '.join(decoded)})\n"
        )
        exec(compile(source, f"<stored form of {cls.__name__}>", "exec"), env)  # noqa: S102
        self.encode: Callable[[Any], tuple[Any, ...]] = env["encode"]
        self.decode: Callable[[Sequence[Any]], Any] = env["decode"]


_PLAIN = (str, int, float, bool, type(None))


def _forms(hint: Any, env: dict[str, Any]) -> tuple[str, str]:
    """How a value of this type is stored and read back, as two expressions of `@` (the
    value); names they need go into `env`. TypeError for a type without a stored form."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint in _PLAIN or (origin is typing.Literal and all(type(a) in _PLAIN for a in args)):
        return "@", "@"
    if origin in (types.UnionType, typing.Union) and type(None) in args:
        (inner,) = [a for a in args if a is not type(None)]
        enc, dec = _forms(inner, env)
        return _or_none(enc), _or_none(dec)
    if hint is dt.date:
        return "@.toordinal()", "_from_ordinal(@)"
    if dataclasses.is_dataclass(hint) or hasattr(hint, "_fields"):
        record = FieldsCodec(hint)
        env[f"_enc_{hint.__name__}"], env[f"_dec_{hint.__name__}"] = record.encode, record.decode
        return f"_enc_{hint.__name__}(@)", f"_dec_{hint.__name__}(@)"
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        enc, dec = _forms(args[0], env)  # a tuple is stored as a tuple
        each = lambda form: "@" if form == "@" else f"tuple([{form.replace('@', 'x')} for x in @])"  # noqa: E731
        return each(enc), each(dec)
    if origin in (dict, collections.abc.Mapping) and all(a in _PLAIN for a in args):
        return "dict(@)", "@"
    raise TypeError(f"no stored form for {hint!r}")


def _or_none(form: str) -> str:
    return form if form == "@" else f"(None if @ is None else {form})"


_PERSON = FieldsCodec(Person)
_PROBLEM = FieldsCodec(Problem)


def encode_person(p: Person) -> tuple[Any, ...]:
    """A person as the tuple of its fields (also in the results cached per person)."""
    return _PERSON.encode(p)


def decode_person(data: Sequence[Any]) -> Person:
    return _PERSON.decode(data)  # type: ignore[no-any-return]


#: Where an entry's date is among its fields (stored as a day number; the rest as it is).
_ENTRY_DATE = Entry._fields.index("date")


def encode_record(rec: NoteRecord) -> bytes:
    """Entries keep Entry's field order (dates as day numbers), so decoding builds each
    one from its tuple without a call per field."""
    person = None if rec.person is None else encode_person(rec.person)
    d = _ENTRY_DATE
    entries = tuple(
        (*e[:d], None if e.date is None else e.date.toordinal(), *e[d + 1 :])
        for e in rec.entries
    )
    problems = tuple(_PROBLEM.encode(q) for q in rec.problems)
    day = None if rec.day is None else rec.day.toordinal()
    return marshal.dumps((rec.path, rec.kind, person, day, entries, problems))  # type: ignore[arg-type]


def decode_record(data: bytes) -> NoteRecord:
    path, kind, person, day, entries, problems = marshal.loads(data)
    d = _ENTRY_DATE
    return NoteRecord(
        path=path,
        kind=kind,
        person=None if person is None else decode_person(person),
        day=None if day is None else _from_ordinal(day),
        entries=tuple(
            new_entry((*e[:d], None if e[d] is None else _from_ordinal(e[d]), *e[d + 1 :]))
            for e in entries
        ),
        problems=tuple(_PROBLEM.decode(q) for q in problems),
    )


# -- small values --------------------------------------------------------------------------

#: What a stored blob that does not decode raises; callers treat it as absent.
BROKEN = (ValueError, EOFError, TypeError)


def _problem(p: Problem) -> tuple[Any, ...]:
    return _PROBLEM.encode(p)


def encode_walk(rels: list[str], mtimes: list[int], sizes: list[int]) -> bytes:
    return marshal.dumps((rels, mtimes, sizes))


def decode_walk(data: bytes) -> tuple[list[str], list[int], list[int]]:
    rels, mtimes, sizes = marshal.loads(data)
    return rels, mtimes, sizes


def encode_roster(
    paths: Mapping[str, str], names: Mapping[str, str], problems: Iterable[Problem]
) -> bytes:
    return marshal.dumps((dict(paths), dict(names), [_problem(p) for p in problems]))


def decode_roster(data: bytes) -> tuple[dict[str, str], dict[str, str], list[Problem]]:
    paths, names, problems = marshal.loads(data)
    return paths, names, [_PROBLEM.decode(p) for p in problems]


def _reflection(r: Reflection) -> tuple[Any, ...]:
    """The fields as one dict (marshal writes it in order, so equal reflections give
    equal bytes) with the keys of its dates, stored as day numbers: decoding then fixes
    those few values in place instead of rebuilding every field."""
    data = dict(r.data)
    dates = tuple([k for k, v in data.items() if isinstance(v, dt.date)])
    for k in dates:
        data[k] = data[k].toordinal()
    return (r.kind, r.person, r.file, r.reason, data, dates)


def _unreflection(item: tuple[Any, ...]) -> Reflection:
    kind, person, file, reason, data, dates = item
    data = dict(data)  # a copy: `item` stays the stored form (`StoredResults.stored_form`)
    for k in dates:
        data[k] = _from_ordinal(data[k])
    return Reflection(kind, person, file, reason, data)


def _interaction(i: Interaction | None) -> tuple[Any, ...] | None:
    if i is None:
        return None
    return (i.date.toordinal(), i.text, i.file, i.line, tuple(sorted(i.flags)))


def _uninteraction(name: str, saved: Any) -> Interaction:
    day, text, file, line, flags = saved
    return new_interaction((name, _from_ordinal(day), text, file, line, frozenset(flags)))


def encode_results(
    person: Person,
    reflections: Iterable[Reflection],
    contact: Interaction | None,
    exchange: Interaction | None = None,
    counts: tuple[tuple[int, int, int, int], ...] = (),
    candidacies: Iterable[str] = (),
    flags: Iterable[str] = (),
) -> bytes:
    """One person's results, as the note is made of: their reflections, last contact,
    last open exchange (when share, listen or deep is due), their interactions per
    month of the chart's window (`reflect.chart.person_counts`; every person has them,
    due or not, so the chart's totals can be corrected person by person), the kinds
    picked for the whole vault they are a candidate for (`reflect.kinds.candidacies`:
    the pools can be drawn again from them), and the flags their interactions carry, so
    the vault's flags in use are corrected the same way.

    Marshal's version 0, which writes equal values as equal bytes (later versions vary
    with which objects happen to be shared), since the note's key hashes these.
    """
    found = [_reflection(r) for r in reflections]
    # the person is needed only to render their reflections, and is marshalled apart so
    # that decoding the results leaves it as bytes until it is (`Stored`); a candidate's
    # is not stored (thousands of them, one picked: `encode_picks` keeps the pick's)
    mine = encoded_person(person) if found else None
    return marshal.dumps(
        (
            mine, found, _interaction(contact), _interaction(exchange), tuple(counts),
            tuple(candidacies), tuple(sorted(flags)),
        ),
        0,
    )  # fmt: skip


def encoded_person(person: Person) -> bytes:
    """A person as the results store them: marshal's version 0 (equal persons, equal
    bytes), so the note's content key can hash them."""
    return marshal.dumps(encode_person(person), 0)


@dataclass(frozen=True)
class Pick:
    """The item of a kind picked for the whole vault, and its person (stored beside the
    results: a candidate's results hold neither)."""

    item: Reflection
    person: Person
    #: the person as `encoded_person` writes them (the note's content key hashes it)
    person_data: bytes


def pick_of(item: Reflection, person: Person) -> Pick:
    return Pick(item, person, encoded_person(person))


def encode_picks(found: Mapping[str, Pick]) -> bytes:
    """kind → its pick, in kind order (equal picks, equal bytes)."""
    return marshal.dumps(
        [(kind, p.person_data, _reflection(p.item)) for kind, p in sorted(found.items())], 0
    )


def decode_picks(data: bytes, into: StoredResults | None = None) -> dict[str, Pick] | None:
    """What `encode_picks` wrote (None when it does not decode); with `into`, each item
    keeps its stored form there (as `decode_results` does), for the memo."""
    try:
        out = {}
        for kind, person_data, item in marshal.loads(data):
            r = _unreflection(item)
            if into is not None:
                into.forms[id(r)] = (r, item)
            out[kind] = Pick(r, decode_person(marshal.loads(person_data)), person_data)
        return out
    except BROKEN:
        return None


class Stored(Mapping[str, T]):
    """Values of stored results kept as they were stored, each decoded on first lookup:
    the note shows a few hundred of the thousands of people due."""

    def __init__(self, decode: Callable[[str, Any], T]) -> None:
        self._decode = decode
        self._stored: dict[str, Any] = {}
        self._decoded: dict[str, T] = {}

    def __getitem__(self, name: str) -> T:
        try:
            return self._decoded[name]
        except KeyError:
            found = self._decoded[name] = self._decode(name, self._stored[name])
            return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._stored)

    def __len__(self) -> int:
        return len(self._stored)

    def __contains__(self, name: object) -> bool:
        return name in self._stored

    def keep(self, name: str, value: T) -> None:
        """Hold `value` for `name`, decoded already (read from elsewhere than results)."""
        self._stored[name] = None
        self._decoded[name] = value


@dataclass(frozen=True)
class StoredResults:
    """The due people's person, last contact and last open exchange, by name, each
    decoded when looked up (`decode_results` fills them), and the stored form of every
    reflection decoded, which the memo takes as it is instead of encoding it again."""

    people: Stored[Person] = field(
        default_factory=lambda: Stored(lambda _, data: decode_person(marshal.loads(data)))
    )
    last: Stored[Interaction] = field(default_factory=lambda: Stored(_uninteraction))
    open: Stored[Interaction] = field(default_factory=lambda: Stored(_uninteraction))
    #: id(reflection) → (the reflection, its stored form); the reflection is kept so that
    #: an id is never taken for another object's
    forms: dict[int, tuple[Reflection, tuple[Any, ...]]] = field(default_factory=dict)

    def stored_form(self, r: Reflection) -> tuple[Any, ...]:
        """`r` as the index stores it: the decoded form if `r` was decoded here."""
        known = self.forms.get(id(r))
        return known[1] if known is not None and known[0] is r else _reflection(r)


def decode_results(name: str, data: bytes, into: StoredResults) -> list[Reflection]:
    """The reflections of one person's results (not the month counts); their person (if
    they have reflections), last contact and last open exchange go `into` the rest."""
    mine, found, last, exchange, _counts, _candidacies, _flags = marshal.loads(data)
    if mine is not None:
        into.people._stored[name] = mine
    if last is not None:
        into.last._stored[name] = last
    if exchange is not None:
        into.open._stored[name] = exchange
    out = []
    forms = into.forms
    for item in found:
        r = _unreflection(item)
        forms[id(r)] = (r, item)
        out.append(r)
    return out


def decode_candidacies(data: bytes) -> tuple[str, ...]:
    """Only the kinds picked for the whole vault one person is a candidate for."""
    return marshal.loads(data)[5]  # type: ignore[no-any-return]


def decode_counts(data: bytes) -> tuple[tuple[int, int, int, int], ...]:
    """Only the month counts of one person's results."""
    return marshal.loads(data)[4]  # type: ignore[no-any-return]


def decode_flags(data: bytes) -> tuple[str, ...]:
    """Only the flags one person's interactions carry."""
    return marshal.loads(data)[6]  # type: ignore[no-any-return]


def encode_flag_counts(counts: Mapping[str, int]) -> bytes:
    """Per flag, how many people's interactions carry it (the vault's flags in use)."""
    return marshal.dumps(sorted(counts.items()))


def decode_flag_counts(data: bytes) -> dict[str, int] | None:
    try:
        pairs = marshal.loads(data)
        return {str(flag): int(n) for flag, n in pairs}
    except BROKEN:
        return None


def encode_totals(total: list[list[int]]) -> bytes:
    """The chart's totals (12 months × you, they, other) for the whole vault."""
    return marshal.dumps(total)


def decode_totals(data: bytes) -> list[list[int]] | None:
    try:
        total = marshal.loads(data)
    except (ValueError, EOFError, TypeError):
        return None
    if not isinstance(total, list) or len(total) != 12:
        return None
    return [list(row) for row in total]


def encode_memo(
    key: str,
    note_key: str,
    note_sig: list[int] | None,
    problems: Iterable[Problem],
    people: int,
    reflections: Iterable[Reflection],
    stored: StoredResults | None = None,
) -> bytes:
    """The last sync: its inputs' key, its note's key and signature, and what it found.

    What it found is marshalled apart, inside: a run whose inputs changed compares the
    keys without decoding thousands of reflections it will compute again anyway. The
    reflections `stored` decoded from the index keep their stored form (a third of a
    one-note sync's memo went into encoding them again)."""
    form = _reflection if stored is None else stored.stored_form
    # version 2: no back-references, whose bookkeeping made dumping thousands of shared
    # strings half as slow again (the result is as fast to load)
    found = marshal.dumps(
        ([_problem(p) for p in problems], people, [form(r) for r in reflections]), 2
    )
    return marshal.dumps((key, note_key, note_sig, found))


class Memo:
    """The last sync's memo, decoded lazily: the keys are compared first, and only a
    match needs what it found (`intact` says whether that decodes)."""

    def __init__(self, data: bytes) -> None:
        self.key, self.note_key, self.note_sig, self._found = marshal.loads(data)
        if not isinstance(self._found, bytes):
            raise TypeError("memo without its findings")

    @functools.cached_property
    def _decoded(self) -> tuple[list[Any], int, list[Any]]:
        problems, people, reflections = marshal.loads(self._found)
        return problems, people, reflections

    def intact(self) -> bool:
        """Whether what the last sync found decodes (a damaged cache then does the work)."""
        try:
            return isinstance(self._decoded[1], int)
        except BROKEN:
            return False

    @property
    def people(self) -> int:
        return self._decoded[1]

    def problems(self) -> list[Problem]:
        return [_PROBLEM.decode(p) for p in self._decoded[0]]

    def reflections(self) -> list[Reflection]:
        return [_unreflection(r) for r in self._decoded[2]]


def decode_memo(data: bytes) -> Memo:
    return Memo(data)
