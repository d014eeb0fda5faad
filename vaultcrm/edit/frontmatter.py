"""Set or remove one top-level frontmatter key, leaving every other byte of the note alone.

ruamel.yaml's round-trip mode renders only the lines of the key being changed; they are
spliced into the note and the whole block is read back to prove nothing else moved.
Separate from `lines.py` so that adding a line (`vaultcrm log`) never imports ruamel.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.representer import RepresenterError
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

from vaultcrm.edit.lines import Note, split_note

_STR_TAG = "tag:yaml.org,2002:str"
_FLOW_PLAIN = re.compile(r"\w[\w .'/+@-]*(?<! )")
# Other tools read frontmatter as YAML 1.1, where `no`, `on` and `1:30` are not strings.
_YAML11 = VersionedResolver(version=(1, 1))


def set_frontmatter_key(data: bytes, key: str, value: object) -> bytes:
    """Set top-level frontmatter `key` to `value` (str, int, date, list of str).

    Only the key's own lines change (its end-of-line comment is kept); a new key is added
    at the end of the block, and a note without frontmatter gets one.
    """
    note = split_note(data)
    if note.fm is None:
        if note.lines and re.fullmatch(r"-{3,}[ \t]*\r?\n?", note.lines[0]):
            raise ValueError("the frontmatter block is not closed by a `---` line")
        rendered = _render(key, value, None, note.nl, False)
        block = ["---" + note.nl, *rendered, "---" + note.nl]
        empty = Note(note.bom, note.nl, [block[0], block[-1], *note.lines], (1, 1))
        return _splice(empty, CommentedMap(), key, value, block + note.lines)
    doc = _load(note)
    key = spelling_in(doc, key)
    if key in doc and _same(doc[key], value):
        return data
    start, end = _key_span(note, doc, key)
    span = "".join(note.lines[start:end]) or None
    try:
        rendered = _render(key, value, span, note.nl, True)
        return _splice(note, doc, key, value, note.lines[:start] + rendered + note.lines[end:])
    except ValueError:  # ruamel could not re-use the old lines: render them afresh
        rendered = _render(key, value, span, note.nl, False)
        return _splice(note, doc, key, value, note.lines[:start] + rendered + note.lines[end:])


def spelling_in(doc: CommentedMap, key: str) -> str:
    """The note's own spelling of `key` (`Birthday`, `birth-day`): case, `-`, `_` and
    spaces alike, so `set` edits the user's key instead of adding a twin beside it."""
    if key in doc:
        return key
    from vaultcrm.fields import norm_key

    wanted = norm_key(key)
    return next((k for k in doc if isinstance(k, str) and norm_key(k) == wanted), key)


def _splice(note: Note, doc: CommentedMap, key: str, value: object, lines: list[str]) -> bytes:
    """The new note, once its frontmatter reads back with `key` set and nothing else moved."""
    _check_others(note, doc, lines, key)
    if not _same(_load(note, lines).get(key), value):
        raise ValueError(f"could not write {key!r} safely")
    return note.encode(lines)


def _existing(data: bytes, key: str) -> tuple[Note, CommentedMap, str] | None:
    """The note, its frontmatter and `key` as the note spells it, when the note has
    that top-level key; None otherwise (no frontmatter, or no such key)."""
    note = split_note(data)
    if note.fm is None:
        return None
    doc = _load(note)
    key = spelling_in(doc, key)
    return (note, doc, key) if key in doc else None


def unset_frontmatter_key(data: bytes, key: str) -> bytes:
    """Remove top-level frontmatter `key` and its lines; unchanged when it is absent."""
    found = _existing(data, key)
    if found is None:
        return data
    note, doc, key = found
    start, end = _key_span(note, doc, key)
    lines = note.lines[:start] + note.lines[end:]
    _check_others(note, doc, lines, key)
    return note.encode(lines)


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.width = 4096  # never fold a long value onto a second line
    return yaml


def _reader() -> YAML:
    """Reads values as the rest of vaultcrm (PyYAML) does: YAML 1.1, so `no` is False."""
    yaml = YAML(typ="rt")
    yaml.version = (1, 1)
    return yaml


def _load(note: Note, lines: list[str] | None = None) -> CommentedMap:
    assert note.fm is not None
    start, end = note.fm
    if lines is not None:
        end += len(lines) - len(note.lines)
    text = "".join((note.lines if lines is None else lines)[start:end])
    try:
        doc = _reader().load(text.replace("\r\n", "\n"))
    except (YAMLError, ValueError, TypeError, OverflowError) as err:
        raise ValueError(f"the frontmatter does not parse ({_yaml_reason(err)})") from err
    if doc is None:
        return CommentedMap()
    if not isinstance(doc, CommentedMap):
        raise ValueError("the frontmatter is not a set of `key: value` lines")
    return doc


def _yaml_reason(err: Exception) -> str:
    """One line for the user: the problem and its file line (the block starts on line 2)."""
    problem = getattr(err, "problem", None)
    mark = getattr(err, "problem_mark", None)
    if problem is None:
        return str(err).split("\n")[0]
    return f"{problem}, line {mark.line + 2}" if mark is not None else str(problem)


def _key_span(note: Note, doc: CommentedMap, key: str) -> tuple[int, int]:
    """Line indices [start, end) of `key` with its continuation lines; empty at block end."""
    assert note.fm is not None
    fm_start, fm_end = note.fm
    if key not in doc:
        _check_key(key)
        return fm_end, fm_end
    row, col = doc.lc.key(key)
    start = fm_start + row
    if col != 0 or not note.lines[start].startswith(key):
        raise ValueError(f"frontmatter key {key!r} is not a plain top-level key")
    end = cursor = start + 1
    while cursor < fm_end:
        text = note.lines[cursor]
        if text.strip():
            if not (text[0] in " \t" or text.startswith("-")):
                break  # the next top-level key or comment
            end = cursor + 1  # blank lines count only when more of the value follows
        cursor += 1
    return start, end


def _check_key(key: str) -> None:
    plain = re.fullmatch(r"[^\s#:?\-\[\]{},&*!|>'\"%@`][^:#\n\r]*(?<=\S)", key)
    if plain is None or _YAML11.resolve(ScalarNode, key, (True, False)) != _STR_TAG:
        raise ValueError(f"{key!r} cannot be written as a plain top-level frontmatter key")


def _render(key: str, value: object, span: str | None, nl: str, reuse: bool) -> list[str]:
    """YAML lines for `key: value` in the old lines' list style and indentation; with
    `reuse`, the old lines are round-tripped so their end-of-line comment stays."""
    _check_key(key)
    yaml = _yaml()
    old_doc = CommentedMap()
    offset = 0
    if span is not None:
        old_doc = yaml.load(span.replace("\r\n", "\n"))
        inner = [text for text in span.split("\n")[1:] if text.strip()]
        offset = len(inner[0]) - len(inner[0].lstrip(" ")) if inner else 0
    yaml.indent(mapping=max(offset, 2), sequence=offset + 2, offset=offset)
    old = old_doc.get(key)
    # `[]` can only be flow style (a block list needs an item): a first item keeps it so
    flow = not isinstance(old, CommentedSeq) or old.fa.flow_style() or not old
    doc = old_doc if reuse else CommentedMap()
    doc[key] = _prepare(value, bool(flow))
    out = io.StringIO()
    try:
        yaml.dump(doc, out)
    except RepresenterError as err:
        raise ValueError(f"cannot write {type(value).__name__} values to frontmatter") from err
    except Exception as err:  # ruamel trips over some comment layouts; the caller retries
        raise ValueError(f"could not write {key!r} safely") from err
    return [line + nl for line in out.getvalue().split("\n")[:-1]]


def _prepare(value: object, flow: bool) -> Any:
    """Quote strings another YAML reader would take for a bool, number, date or null,
    and, inside `[...]`, anything but plain words (ruamel leaves `[?0]` unquoted)."""
    if isinstance(value, str):
        misread = _YAML11.resolve(ScalarNode, value, (True, False)) != _STR_TAG
        if flow and not value.isprintable():
            return DoubleQuotedScalarString(value)
        if (misread and "\n" not in value) or (flow and not _FLOW_PLAIN.fullmatch(value)):
            return SingleQuotedScalarString(value)
        return value
    if isinstance(value, list | tuple):
        seq = CommentedSeq(_prepare(item, flow) for item in value)
        if flow:
            seq.fa.set_flow_style()
        return seq
    if isinstance(value, dict):  # `dates: {wedding: 2015-06-01}`, as `set` is given it
        mapping = CommentedMap((k, _prepare(v, flow)) for k, v in value.items())
        if flow:
            mapping.fa.set_flow_style()
        return mapping
    return value


def _plain(value: object) -> object:
    """Strip ruamel's round-trip wrappers so values compare as plain Python data."""
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, str):
        return str(value)
    if isinstance(value, bool | dt.date | float) or value is None:
        return value
    return int(value) if isinstance(value, int) else value


def _same(old: object, new: object) -> bool:
    return type(_plain(old)) is type(_plain(new)) and _plain(old) == _plain(new)


def _check_others(note: Note, doc: CommentedMap, lines: list[str], key: str) -> None:
    """Guard against a mis-cut span: every other key must read back exactly as before."""
    after = _load(note, lines)
    if [k for k in after if k != key] != [k for k in doc if k != key] or any(
        not _same(doc[k], after[k]) for k in doc if k != key
    ):
        raise ValueError(f"could not change {key!r} without touching other keys")


def clear_frontmatter_key(data: bytes, key: str) -> bytes:
    """Remove the value of top-level `key`, keeping the key (`next_follow_up:`), its
    end-of-line comment and every other byte; unchanged when the key is absent or empty.
    The key stays for the templates and Dataview tables that expect it."""
    found = _existing(data, key)
    if found is None:
        return data
    _note, doc, key = found
    return data if doc[key] is None else set_frontmatter_key(data, key, None)


def move_frontmatter_date(data: bytes, key: str, old: dt.date, new: dt.date) -> bytes:
    """Set the date held by top-level `key` from `old` to `new`, written as it was:
    only the date's digits change when they appear once on the key's lines (quotes,
    `[[links]]`, a time after it and the comment stay), else the value is set anew."""
    found = _existing(data, key)
    if found is None:
        return data
    note, doc, key = found
    start, end = _key_span(note, doc, key)
    span = "".join(note.lines[start:end])
    if span.count(old.isoformat()) == 1:
        lines = [*note.lines]
        at = next(i for i in range(start, end) if old.isoformat() in lines[i])
        lines[at] = lines[at].replace(old.isoformat(), new.isoformat())
        after = _load(note, lines).get(key)
        if _plain(after) in (new, str(_plain(doc[key])).replace(old.isoformat(), new.isoformat())):
            _check_others(note, doc, lines, key)
            return note.encode(lines)
    return set_frontmatter_key(data, key, new)
