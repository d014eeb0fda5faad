"""One note's text → records and problems (frontmatter, log lines, tasks, wikilinks, tags).

Parsing never raises on bad content: what cannot be read becomes a `Problem` with the
file line, and the rest of the note (and of the vault) still loads. It runs on every
note of a vault, so a body is split by one regex pass (or str.find), not by a Python
loop over its lines, and cheap tests come before any regex.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import yaml
from yaml.reader import ReaderError

from vaultcrm.durations import parse_duration
from vaultcrm.fields import KeyTable, key_table, pick_inline
from vaultcrm.model import (
    Entry,
    NoteKind,
    NoteRecord,
    Person,
    Problem,
    Relation,
    TaskState,
    YearlyDate,
    new_entry,
    stem_of,
)
from vaultcrm.read.relations import RELATION_FIELDS, read_relations
from vaultcrm.read.spec import DEFAULT_SPEC, ReadSpec
from vaultcrm.read.yamlload import key_lines, loader_for

# python-frontmatter's own boundary rule, anchored to whole lines so that a `---`
# inside the body (a horizontal rule) never ends the block early.
_BOUNDARY = re.compile(r"^-{3,}[ \t]*\r?$", re.MULTILINE)


def _closing_boundary(text: str, start: int) -> re.Match[str] | None:
    """`_BOUNDARY.search(text, start)` for `start` at a line start, but faster.

    str.find first skips to the next line that starts with `---`, where the regex would
    try every position of the frontmatter on the way.
    """
    if text.startswith("---", start):
        found = _BOUNDARY.match(text, start)
        if found is not None:
            return found
    candidate = text.find("\n---", start)
    return None if candidate < 0 else _BOUNDARY.search(text, candidate + 1)


def split_frontmatter(text: str) -> tuple[str | None, str, int]:
    """Split a note (BOM already removed) into (frontmatter, body, body's first file line).

    The frontmatter is the text between a first line of `---` and the next `---` line,
    without the delimiter lines; None when the note has no (closed) frontmatter block.
    Line numbers count from 1, so a YAML mark at line `m` (0-based inside the block) is
    file line `m + 2`.
    """
    first = _BOUNDARY.match(text) if text[:3] == "---" else None
    if first is None:
        return None, text, 1
    start = first.end() + 1  # past the newline that ends the opening line
    closing = _closing_boundary(text, start) if start <= len(text) else None
    if closing is None:
        return None, text, 1
    fm = text[start : closing.start()]
    body_start = closing.end() + 1 if closing.end() < len(text) else closing.end()
    body_line = text.count("\n", 0, body_start) + 1
    return fm, text[body_start:], body_line


# --- dates, links and tags in a line -------------------------------------------------

_ISO = r"\d{4}-\d{2}-\d{2}"
#: An ISO date (YYYY-MM-DD) not glued to other digits; groups are year, month, day.
DATE_RE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")

# `_LINK` and `_TAG` start with their literal (`[[`, `#`) and look behind only after it,
# so that the engine jumps from candidate to candidate instead of trying every position.
_LINK = re.compile(r"\[\[(?<!!\[\[)([^\[\]\n]+)\]\]")  # `![[…]]` embeds are not links
_ANY_LINK = re.compile(r"!?\[\[[^\[\]\n]*\]\]")
_BACKTICKS = re.compile(r"`+")
_URL = re.compile(r"[A-Za-z][\w+.-]*://\S*")
# Obsidian: a tag starts after whitespace (or the line start), holds letters, digits,
# `_`, `-` and `/`, and needs one character that is not a digit (`#1984` is no tag).
_TAG = re.compile(r"#(?<!\S#)([\w/-]+)")
_TAG_NOT_NUMBER = re.compile(r"[^\d/-]")


def link_target(raw: str) -> str:
    """The note a wikilink's inner text points at, as written.

    `Folder/Name.md#Heading|shown` → `Name`: display text, heading or block, folder and
    `.md` are dropped, so links compare with note names. A table's escaped pipe
    (`[[Name\\|shown]]`) works too.
    """
    target = raw.partition("|")[0].removesuffix("\\").partition("#")[0]
    target = target[target.rfind("/") + 1 :].strip()
    if target[-3:].lower() == ".md":
        target = target[:-3].rstrip()
    return target


def _without_code(line: str) -> str:
    """`line` with its `code spans` blanked, in linear time even on a line of backticks.

    As in CommonMark, a run of backticks opens a span that the next run of the same
    length closes; a run with no partner is plain text.
    """
    if "`" not in line:
        return line
    runs = [m.span() for m in _BACKTICKS.finditer(line)]
    partner: list[int | None] = [None] * len(runs)
    last: dict[int, int] = {}
    for k in range(len(runs) - 1, -1, -1):
        length = runs[k][1] - runs[k][0]
        partner[k], last[length] = last.get(length), k
    parts: list[str] = []
    pos = i = 0
    while i < len(runs):
        close = partner[i]
        if close is None:
            i += 1
            continue
        parts += (line[pos : runs[i][0]], " ")
        pos, i = runs[close][1], close + 1
    parts.append(line[pos:])
    return "".join(parts)


def find_links(line: str) -> list[str]:
    """Link targets of the wikilinks in `line`, in order, once each.

    Embeds (`![[…]]`) and links inside `code` do not count.
    """
    if "[[" not in line:
        return []
    found: dict[str, None] = {}  # in order, once each, in linear time (a pasted export)
    for inner in _LINK.findall(_without_code(line)):
        target = link_target(inner)
        if target:
            found[target] = None
    return list(found)


def find_tags(line: str) -> list[str]:
    """Tags in `line`, lower-cased and without '#', in order, once each.

    Not a tag: a heading's `# `, `#123`, a `#` inside a wikilink, a URL or `code`.
    """
    if "#" not in line:
        return []
    line = _without_code(line)
    if "[[" in line:
        line = _ANY_LINK.sub(" ", line)
    if "://" in line:
        line = _URL.sub(" ", line)
    found: dict[str, None] = {}
    for tag in _TAG.findall(line):
        tag = tag.rstrip("/").lower()
        # a leading letter settles it without the regex: letters are never digits
        if tag not in found and (tag[:1].isalpha() or _TAG_NOT_NUMBER.search(tag)):
            found[tag] = None
    return list(found)


def _iso_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


# --- frontmatter ------------------------------------------------------------------------


_MAYBE_ANCHOR = re.compile(r"[&*]\S")
_ALIASES_REFUSED = "frontmatter uses a YAML anchor or alias (& or *), which vaultcrm refuses"
_UNCLOSED = (
    "frontmatter: the `---` on line 1 is never closed by another `---` line; "
    "the note is read as body only"
)
#: The frontmatter block starts on file line 2, after the opening `---`.
_FM_FIRST_LINE = 2
#: Characters a note's frontmatter may hold. A person's properties take a few hundred;
#: YAML is read at about a microsecond a character, so a pasted 5 MB block (400,000 keys)
#: would cost every sync that reads it tens of seconds.
MAX_FRONTMATTER = 100_000


def _refuse_aliases(path: str, fm: str) -> Problem | None:
    """A problem if `fm` uses anchors or aliases, found before anything is expanded.

    Aliases are how a few lines of YAML become billions of nodes; person notes never
    need them. Text without `&x` or `*x` is passed at the cost of one regex search;
    otherwise the tokens (not the nodes) confirm, since `R&D` or `*bold*` are harmless.
    """
    if ("&" not in fm and "*" not in fm) or _MAYBE_ANCHOR.search(fm) is None:
        return None
    try:
        for token in yaml.scan(fm, Loader=loader_for(fm)):
            if isinstance(token, yaml.AnchorToken | yaml.AliasToken):
                mark = token.start_mark
                line, col = mark.line + _FM_FIRST_LINE, mark.column + 1
                return Problem(path, line, _ALIASES_REFUSED, col=col)
    except yaml.YAMLError:
        return None  # loading reports the same error, with its line
    return None


def _yaml_problem(path: str, fm: str, err: Exception) -> Problem:
    if isinstance(err, yaml.MarkedYAMLError):
        mark = err.problem_mark or err.context_mark
        message = err.problem or err.context or "unreadable YAML"
        if err.context and err.problem:
            message += f" ({err.context})"
        if mark is not None:
            line, col = mark.line + _FM_FIRST_LINE, mark.column + 1
            return Problem(path, line, f"frontmatter: {message}", col=col)
        return Problem(path, 1, f"frontmatter: {message}")
    if isinstance(err, ReaderError):
        line = fm.count("\n", 0, err.position) + _FM_FIRST_LINE
        col = err.position - (fm.rfind("\n", 0, err.position) + 1) + 1
        message = f"frontmatter: {err.reason} (character #x{err.character:04x})"
        return Problem(path, line, message, col=col)
    if isinstance(err, RecursionError):
        return Problem(path, 1, "frontmatter nests too deeply to read")
    return Problem(path, 1, f"frontmatter does not parse: {err}")


def _load_frontmatter(
    path: str, fm: str, warnings: list[Problem] | None = None
) -> tuple[dict[Any, Any] | None, list[Problem]]:
    """The frontmatter mapping, or None and the problems that make the note unreadable.

    Keys given twice (PyYAML silently keeps the last) are added to `warnings` when given.
    A frontmatter longer than MAX_FRONTMATTER is not read at all.
    """
    if len(fm) > MAX_FRONTMATTER:
        message = (
            f"frontmatter is {len(fm):,} characters long, over the limit of "
            f"{MAX_FRONTMATTER:,}: the note is skipped"
        )
        return None, [Problem(path, 1, message)]
    refused = _refuse_aliases(path, fm)
    if refused is not None:
        return None, [refused]
    # What python-frontmatter's YAMLHandler.load does (as yaml.load does), without the
    # cost of importing it; the loader is kept to ask it which keys came twice.
    loader = loader_for(fm)(fm)
    try:
        data = loader.get_single_data()
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError) as err:
        return None, [_yaml_problem(path, fm, err)]
    finally:
        loader.dispose()
    duplicates = getattr(loader, "duplicates", None)  # unset for an empty document
    if warnings is not None and duplicates:
        warnings.extend(_duplicate_warnings(path, duplicates))
    if data is None:
        return {}, []
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else "a single value"
        message = f"frontmatter is {kind}, not `key: value` lines"
        return None, [Problem(path, _FM_FIRST_LINE, message)]
    return data, []


def _duplicate_warnings(path: str, duplicates: list[tuple[Any, Any]]) -> list[Problem]:
    """One warning per key given more than once in a mapping, at the line that wins."""
    out: list[Problem] = []
    seen: set[tuple[int, int]] = set()
    for mapping, key_node in duplicates:
        lines = [n + _FM_FIRST_LINE for n in key_lines(mapping, key_node)]
        if (id(mapping), lines[-1]) in seen:
            continue  # a key given three times: one warning
        seen.add((id(mapping), lines[-1]))
        others = ", ".join(map(str, lines[:-1]))
        message = (
            f"frontmatter: key {key_node.value!r} is given {len(lines)} times "
            f"(also on line{'s' if len(lines) > 2 else ''} {others}); "
            f"the last one, on line {lines[-1]}, wins"
        )
        out.append(Problem(path, lines[-1], message, "warning"))
    return out


def _decode(data: bytes) -> str:
    """UTF-8 text with a leading BOM dropped and CRLF read as LF (line numbers unchanged)."""
    if data[:3] == b"\xef\xbb\xbf":  # as "utf-8-sig" does, but without its Python wrapper
        data = data[3:]
    text = data.decode("utf-8")
    return text.replace("\r\n", "\n") if "\r" in text else text


def frontmatter_problems(path: str, text: str) -> list[Problem]:
    """Why this note's frontmatter cannot be read safely (empty when it can, or has none).

    The edit engine asks before it touches a note, so it never rewrites a file it misreads.
    """
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    fm = split_frontmatter(text)[0]
    return [] if fm is None else _load_frontmatter(path, fm)[1]


# --- person fields ----------------------------------------------------------------------

#: One match per line of "\n" + frontmatter: group 1 is the line's top-level key (quotes
#: kept, trailing blanks not), or empty. `findall` then yields the keys in line order.
_TOP_KEYS = re.compile(
    r"""\n(?:([^\s#"'\-](?:[^:\n]*[^: \t\n]|)|"[^"\n]*"|'[^'\n]*')[ \t]*:(?:[ \t]|$)|)""",
    re.MULTILINE,
)
_YEARLY = re.compile(r"(?:(\d{4})-|--)?(\d{1,2})-(\d{1,2})")
_TAG_SEPARATORS = re.compile(r"[,\s]+")
_DATE_FORMS = "use YYYY-MM-DD, or --MM-DD when the year is unknown"


def _key_lines(fm: str, keys: dict[Any, Any]) -> dict[str, int]:
    """File line of each top-level key, from a line scan (top-level keys start in column 0)."""
    lines: dict[str, int] = {}
    for number, key in enumerate(_TOP_KEYS.findall("\n" + fm), _FM_FIRST_LINE):
        if key:
            key = key.strip("\"'")
            if key in keys:
                lines[key] = number  # the last one wins, as in YAML's duplicate keys
    return lines


def _nested_line(fm_lines: list[str], key_line: int | None, label: str) -> int | None:
    """The line of `label:` in the block under a top-level key, else the key's own line."""
    if key_line is None:
        return None
    pattern = re.compile(rf"""[ \t]+["']?{re.escape(label)}["']?[ \t]*:""")
    for number in range(key_line + 1, len(fm_lines) + _FM_FIRST_LINE):
        line = fm_lines[number - _FM_FIRST_LINE]
        if line and not line[0].isspace():
            break
        if pattern.match(line):
            return number
    return key_line


#: A tuple, not `int | float`: the union would be built anew at every call.
_NUMBERS = (int, float)


def _texts(value: object, key: str) -> tuple[str, ...]:
    """Text or a list of texts (numbers are read as text) → non-empty stripped strings."""
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        if isinstance(item, str):  # the usual case first
            text = item.strip()
        elif item is None:
            continue
        elif isinstance(item, bool) or not isinstance(item, _NUMBERS):
            raise ValueError(f"{key}: expected text or a list of texts")
        else:
            text = str(item).strip()
        if text:
            out.append(text)
    return tuple(out)


def _tags(value: object) -> tuple[str, ...]:
    found: dict[str, None] = {}
    for text in _texts(value, "tags"):
        for tag in _TAG_SEPARATORS.split(text):
            tag = tag.lstrip("#").lower()
            if tag:
                found[tag] = None
    return tuple(found)


def _yearly(value: object, label: str, key: str) -> YearlyDate:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return YearlyDate(label, value.month, value.day, value.year)
    match = _YEARLY.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"{key}: {value!r} is not a date: {_DATE_FORMS}")
    year = int(match.group(1)) if match.group(1) else None
    month, day = int(match.group(2)), int(match.group(3))
    try:
        dt.date(year or 2000, month, day)  # 2000 was a leap year: Feb 29 stays valid
    except ValueError:
        raise ValueError(f"{key}: impossible date {value!r}") from None
    return YearlyDate(label, month, day, year)


def _day(value: object, key: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and DATE_RE.fullmatch(value.strip()):
        day = _iso_date(value.strip())
        if day is None:
            raise ValueError(f"{key}: impossible date {value!r}")
        return day
    raise ValueError(f"{key}: {value!r} is not a date: use YYYY-MM-DD")


def _circle(value: object) -> str | None:
    if not isinstance(value, str):
        raise ValueError("circle: expected the name of a circle, e.g. close")
    return value.strip().lower() or None


def _boundaries(value: object) -> str | None:
    return "; ".join(_texts(value, "boundaries")) or None


def _name(value: object) -> str | None:
    """The person's name as written (`name: Ben Cohen`), blanks collapsed; None when empty."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError("name: expected text, e.g. Ben Cohen; the file name is used")
    return " ".join(str(value).split()) or None


#: `cadence: never`: someone kept for reference, never nudged to keep in touch.
NEVER = "never"


def _cadence(value: object) -> int | str:
    if isinstance(value, str) and value.strip().casefold() == NEVER:
        return NEVER
    return parse_duration(value)


_READERS: dict[str, Callable[[object], object]] = {
    "name": _name,
    "aliases": lambda v: _texts(v, "aliases"),
    "tags": _tags,
    "circle": _circle,
    "cadence": _cadence,
    "birthday": lambda v: _yearly(v, "birthday", "birthday"),
    "snooze_until": lambda v: _day(v, "snooze_until"),
    "likes": lambda v: _texts(v, "likes"),
    "boundaries": _boundaries,
}
_FIELD = {"cadence": "cadence_days"}


def _person(
    path: str,
    fm: str,
    data: dict[Any, Any],
    problems: list[Problem],
    spec: ReadSpec = DEFAULT_SPEC,
    body: str = "",
    first_line: int = 1,
) -> tuple[Person, list[Entry]]:
    """Person fields from a parsed frontmatter (and the body's inline fields); a bad value
    is a problem and stays empty. Also the entries the fields make: `last_contact` is an
    interaction on its date, `follow_up` an open follow-up due on its date."""
    written_lines = _key_lines(fm, data) if data else {}
    found, misses = _keys(spec).read(data) if data else ({}, [])
    picked: dict[str, tuple[Any, Any, int | None]] = {
        name: (key, value, written_lines.get(key)) for name, (key, value) in found.items()
    }
    if _INLINE.search(body) is not None:  # as `"::" in body`, but twice as fast
        for name, hit in pick_inline(body, first_line, spec.fields, picked).items():
            picked[name] = hit
    key_lines = dict(written_lines)  # every key keeps its line; fields under their own name
    key_lines.update((name, line) for name, (_, _, line) in picked.items() if line is not None)
    fields: dict[str, Any] = {}
    extra: list[Entry] = []
    relations: list[Relation] = []
    for name, (key, value, line) in picked.items():
        if value is None or value == "":  # `key:` or `key::` with nothing after it
            continue
        if name in RELATION_FIELDS:
            lines = fm.split("\n")

            def role_line(role: str, at: int | None = line, lines: list[str] = lines) -> int | None:
                return _nested_line(lines, at, role)

            named, errors = read_relations(
                name, key, value, line, _yearly, find_links, role_line
            )
            relations += named
            # a relation nobody can read costs only itself (a count, `children: 2`)
            problems.extend(
                Problem(path, line if role is None else role_line(role), message, "warning")
                for message, role in errors
            )
            continue
        try:
            if name in _READERS:
                fields[_FIELD.get(name, name)] = _READERS[name](value)
            elif name == "last_contact":
                day = _day(value, name)
                extra.append(Entry(line or 1, f"Last contact ({key})", day))
            elif name == "follow_up":
                day = _day(value, name)
                extra.append(Entry(line or 1, f"Follow up ({key})", day, task="open"))
        except ValueError as err:
            message = str(err)
            message = f"{key}{message[len(name):]}" if message.startswith(f"{name}:") else (
                f"{key}: {message}"
            )
            problems.append(Problem(path, line, message))
    dates = picked.get("dates")
    if dates is not None and isinstance(dates[1], dict):
        fm_lines = fm.split("\n")
        yearly: list[YearlyDate] = []
        for label, value in dates[1].items():
            try:
                yearly.append(_yearly(value, str(label), f"{dates[0]}: {label}"))
            except ValueError as err:
                line = _nested_line(fm_lines, dates[2], str(label))
                problems.append(Problem(path, line, str(err)))
        fields["dates"] = tuple(sorted(yearly, key=lambda d: d.label))
    elif dates is not None and dates[1] is not None:
        message = f"{dates[0]}: expected labels with dates, e.g. {{wedding: 2015-06-01}}"
        problems.append(Problem(path, dates[2], message))
    for key, close in misses:
        message = f"unknown key {str(key)!r} — did you mean {close!r}?"
        problems.append(Problem(path, written_lines.get(key), message, "warning"))
    if relations:
        fields["relations"] = tuple(relations)
    name = fields.pop("name", None) or stem_of(path)
    if fields.get("cadence_days") == NEVER:
        fields["cadence_days"], fields["never"] = None, True
    return Person(name=name, file=path, key_lines=key_lines, **fields), extra


#: Dataview's inline-field mark. A compiled search for it beats `str.__contains__` on
#: long non-ASCII bodies (an emoji makes a body four bytes a character).
_INLINE = re.compile("::")
#: The last spec's key table: one spec per run, and a ReadSpec hashes all its fields.
_LAST_TABLE: list[tuple[ReadSpec, KeyTable]] = []


def _keys(spec: ReadSpec) -> KeyTable:
    """The key table of this spec: its field spellings, its people properties ignored
    (a property that marks people is no typo of a field)."""
    if _LAST_TABLE and _LAST_TABLE[0][0] is spec:
        return _LAST_TABLE[0][1]
    table = key_table(spec.fields, frozenset(key for key, _ in spec.people_properties))
    _LAST_TABLE[:] = [(spec, table)]
    return table


# --- body lines -------------------------------------------------------------------------

_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})(.*)", re.MULTILINE)
_ITEM = re.compile(r"[ \t]*[-*+](?:[ \t]+|$)")
_TASK = re.compile(r"\[([ xX])\](?:[ \t]+|$)")
_LEAD = rf"\[\[(?:[^\]|#\n]*/)?({_ISO})(?:\|[^\]\n]*)?\]\]|({_ISO})(?!\w)"
_LEAD_DATE = re.compile(_LEAD)
#: One match per task item or dated item of "\n" + body, found by the engine's search for
#: "\n" (other lines never reach Python). The groups are: the line; its checkbox (as
#: `_ITEM` then `_TASK` match it) or its date (`[[date]]` or bare, as `_ITEM` then
#: `_LEAD_DATE` match it); the rest of the line after them. The possessive blanks never
#: give back: neither a marker, a checkbox nor a date starts with one.
_PERSON_LINE = re.compile(
    rf"\n([ \t]*+[-*+][ \t]++(?:(\[[ xX]\](?:[ \t]+|$))|{_LEAD})(.*))", re.MULTILINE
)
_DUE = re.compile(rf"[ \t]*📅[ \t]*({_ISO})(?!\d)")
_SEPARATORS = " \t:-—–"


def _closes(fence: str, run: str, after: str) -> bool:
    """CommonMark: the same character, at least as long, and no info string after it."""
    return run[0] == fence[0] and len(run) >= len(fence) and not after.strip()


def _outside_fences(body: str) -> str:
    """`body` with the lines of fenced code blocks (fences included) emptied.

    Nothing in an empty line is an entry, and line numbers stay, so the scanners below
    need not know about fences. Only the lines that look like fences are visited.
    """
    # one-character tests first: `in` looks for a single character many times faster
    # than for three (on a long non-ASCII body above all), and most bodies hold no `
    if ("`" not in body or "```" not in body) and ("~" not in body or "~~~" not in body):
        return body
    parts: list[str] = []
    kept = opened = 0  # body[kept:opened] is outside any block
    fence = ""  # the run of ``` or ~~~ that opened the block we are in
    for match in _FENCE.finditer(body):
        if not fence:
            fence, opened = match.group(1), match.start()
        elif _closes(fence, match.group(1), match.group(2)):
            parts += (body[kept:opened], "\n" * body.count("\n", opened, match.end()))
            fence, kept = "", match.end()
    if fence:  # never closed: the block runs to the end of the note
        parts += (body[kept:opened], "\n" * body.count("\n", opened))
        kept = len(body)
    parts.append(body[kept:])
    return "".join(parts)


def _task(
    path: str, number: int, line: str, text: str, state: TaskState, problems: list[Problem]
) -> Entry | None:
    """The task `line` whose text after the checkbox is `text`; None if its date is impossible.

    Its date is a leading date after the checkbox, else the Tasks plugin's `📅 date`.
    """
    start = len(line) - len(text)
    when = None
    found = _LEAD_DATE.match(text) or (_DUE.search(text) if "📅" in text else None)
    if found is not None:
        group = found.lastindex or 1  # the one group of the alternative that matched
        when = _iso_date(found.group(group))
        if when is None:
            message = f"impossible date {found.group(group)!r}: this task is skipped"
            problems.append(Problem(path, number, message, col=start + found.start(group) + 1))
            return None
        before = text[: found.start()]
        text = before + text[found.end() :] if before else text[found.end() :].lstrip(_SEPARATORS)
    tags = tuple(find_tags(line)) if "#" in line else ()
    links = tuple(find_links(line)) if "[[" in line else ()
    return Entry(number, text.strip(), when, tags, links, state)


def _person_entries(
    path: str,
    body: str,
    first_line: int,
    problems: list[Problem],
    undated: list[str] | None = None,
) -> list[Entry]:
    """Dated list items (interactions) and tasks (follow-ups) of a person note; the text
    of each open task without a date is also added to `undated`.

    One regex search finds them; a line that is neither costs nothing in Python (a 9 KB
    note of prose holds a few dozen entries in 150 lines).
    """
    entries: list[Entry] = []
    text = "\n" + _outside_fences(body)
    number, counted = first_line - 1, 0  # text[:counted] holds the newlines before `number`
    for found in _PERSON_LINE.finditer(text):
        start = found.start()
        number += text.count("\n", counted, start + 1)
        counted = start + 1
        line, box, linked, bare, rest = found.groups("")
        if box:
            task = _task(path, number, line, rest, "open" if box[1] == " " else "done", problems)
            if task is not None:
                entries.append(task)
                if task.date is None and task.task == "open" and task.text and undated is not None:
                    undated.append(task.text)
            continue
        raw = linked or bare
        try:  # `_iso_date`, inlined: this runs for every log line of the vault
            when = dt.date.fromisoformat(raw)
        except ValueError:
            message = f"impossible date {raw!r}: this log line is skipped"
            problems.append(Problem(path, number, message, col=_lead_col(line)))
            continue
        tags = tuple(find_tags(line)) if "#" in line else ()
        links = tuple(find_links(line)) if "[[" in line else ()
        log = rest.lstrip(_SEPARATORS).rstrip()
        # = Entry(number, log, when, tags, links) minus NamedTuple's slower Python __new__
        entries.append(new_entry((number, log, when, tags, links, None)))
    return entries


def _lead_col(line: str) -> int | None:
    """The column of a log line's leading date (only wanted when that date is impossible)."""
    item = _ITEM.match(line)
    lead = _LEAD_DATE.match(line, item.end()) if item else None
    return lead.start(lead.lastindex or 1) + 1 if lead else None


def _daily_entries(path: str, body: str, first_line: int, problems: list[Problem]) -> list[Entry]:
    """Every line of a daily note that links a note; tasks among them keep their own date.

    Only lines holding `[[` are visited, found by str.find rather than a split.
    """
    if "[[" not in body:
        return []
    body = _outside_fences(body)
    entries: list[Entry] = []
    number, counted = first_line, 0  # body[:counted] holds the newlines before `number`
    found = body.find("[[")
    while found >= 0:
        start = body.rfind("\n", 0, found) + 1
        end = body.find("\n", found)
        if end < 0:
            end = len(body)
        found = body.find("[[", end)
        number += body.count("\n", counted, start)
        counted = start
        line = body[start:end]
        links = tuple(find_links(line))
        if not links:
            continue
        item = _ITEM.match(line)
        box = _TASK.match(line, item.end()) if item and line.startswith("[", item.end()) else None
        if box is not None:
            state: TaskState = "open" if box.group(1) == " " else "done"
            task = _task(path, number, line, line[box.end() :], state, problems)
            if task is not None:
                entries.append(task)
            continue
        text = line[item.end() :].strip() if item else line.strip()
        tags = tuple(find_tags(line)) if "#" in line else ()
        # = Entry(number, text, None, tags, links), as in `_person_entries`
        entries.append(new_entry((number, text, None, tags, links, None)))
    return entries


def parse_note(
    path: str,
    data: bytes,
    kind: NoteKind,
    day: dt.date | None = None,
    spec: ReadSpec = DEFAULT_SPEC,
) -> NoteRecord:
    """Parse one note's bytes; `path` is vault-relative POSIX, `day` a daily note's date.

    A person note whose frontmatter does not parse yields `person=None` and its problems:
    the vault skips it rather than guess. Other problems leave the rest of the note usable.
    Any other note ("other") is for `read/meetings.parse_other`, which decides whether it
    is a person after all, an interaction note, or nothing vaultcrm reads.
    """
    if kind in ("other", "meeting"):
        return NoteRecord(path, "other")
    try:
        text = _decode(data)
    except UnicodeDecodeError as err:
        bom = 3 if data[:3] == b"\xef\xbb\xbf" else 0  # positions count after the BOM
        line = data.count(b"\n", 0, err.start + bom) + 1
        problem = Problem(path, line, "not UTF-8 text: the note is skipped")
        return NoteRecord(path, kind, day=day, problems=(problem,))
    fm, body, first_line = split_frontmatter(text)
    problems: list[Problem] = []
    if fm is None and text[:3] == "---" and _BOUNDARY.match(text):
        problems.append(Problem(path, 1, _UNCLOSED))
    if kind == "daily":
        entries = _daily_entries(path, body, first_line, problems)
        return NoteRecord(path, kind, day=day, entries=tuple(entries), problems=tuple(problems))
    fields: dict[Any, Any] | None = {}
    if fm is not None:
        fields, unreadable = _load_frontmatter(path, fm, problems)
        problems += unreadable
    if fields is None:
        return NoteRecord(path, kind, problems=tuple(problems))
    return person_record(path, fm or "", fields, body, first_line, problems, spec)


def person_record(
    path: str,
    fm: str,
    fields: dict[Any, Any],
    body: str,
    first_line: int,
    problems: list[Problem],
    spec: ReadSpec = DEFAULT_SPEC,
) -> NoteRecord:
    """The record of a person note whose frontmatter has been read."""
    person, extra = _person(path, fm, fields, problems, spec, body, first_line)
    undated: list[str] = []
    entries = _person_entries(path, body, first_line, problems, undated)
    if undated:  # open with them, due on no day
        person = dataclasses.replace(person, open_tasks=tuple(undated))
    if extra:
        entries = sorted([*entries, *extra], key=lambda e: e.line)
    return NoteRecord(
        path, "person", person=person, entries=tuple(entries), problems=tuple(problems)
    )


# --- one field, where it is written (for the edits that keep fields true) ------------


@dataclasses.dataclass(frozen=True)
class FieldAt:
    """Where a person note writes one of its fields: the key as written, its value as
    read, its file line, and whether it is a Dataview inline field of the body."""

    key: str
    value: object
    line: int
    inline: bool

    def day(self) -> dt.date | None:
        """The value as a date (`2026-11-20`, `"[[2026-11-20]]"`); None when it is none."""
        try:
            return None if self.value is None else _day(self.value, self.key)
        except ValueError:
            return None


def field_at(data: bytes, name: str, spec: ReadSpec = DEFAULT_SPEC) -> FieldAt | None:
    """Where the person note `data` writes field `name` (`last_contact`, `follow_up`), in
    any of its spellings: the frontmatter's key, else an inline field (frontmatter wins,
    as when the note is read); None when it writes none, or cannot be read."""
    try:
        text = _decode(data)
    except UnicodeDecodeError:
        return None
    fm, body, first_line = split_frontmatter(text)
    loaded: dict[Any, Any] | None = {}
    if fm is not None:
        loaded = _load_frontmatter("", fm)[0]
        if loaded is None:
            return None
    found = _keys(spec).read(loaded)[0] if loaded else {}
    if name in found:
        key, value = found[name]
        line = _key_lines(fm or "", loaded or {}).get(key)
        return None if line is None else FieldAt(str(key), value, line, False)
    if _INLINE.search(body) is None:
        return None
    inline = pick_inline(body, first_line, spec.fields, found).get(name)
    if inline is None:
        return None
    key, value, line = inline
    return FieldAt(key, value, line, True)
