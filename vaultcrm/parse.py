"""One note's text → records and problems (frontmatter, log lines, tasks, wikilinks, tags).

Parsing never raises on bad content: what cannot be read becomes a `Problem` with the
file line, and the rest of the note (and of the vault) still loads. It runs on every
note of a vault, so each line is looked at once and most lines are dismissed by a
cheap test before any regex runs.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterator
from typing import Any

import yaml
from yaml.reader import ReaderError

from .durations import parse_duration
from .model import Entry, NoteKind, NoteRecord, Person, Problem, TaskState, YearlyDate
from .yamlload import loader_for

# python-frontmatter's own boundary rule, anchored to whole lines so that a `---`
# inside the body (a horizontal rule) never ends the block early.
_BOUNDARY = re.compile(r"^-{3,}[ \t]*\r?$", re.MULTILINE)


def split_frontmatter(text: str) -> tuple[str | None, str, int]:
    """Split a note (BOM already removed) into (frontmatter, body, body's first file line).

    The frontmatter is the text between a first line of `---` and the next `---` line,
    without the delimiter lines; None when the note has no (closed) frontmatter block.
    Line numbers count from 1, so a YAML mark at line `m` (0-based inside the block) is
    file line `m + 2`.
    """
    first = _BOUNDARY.match(text)
    if first is None:
        return None, text, 1
    start = first.end() + 1  # past the newline that ends the opening line
    closing = _BOUNDARY.search(text, start)
    if closing is None or start > len(text):
        return None, text, 1
    fm = text[start : closing.start()]
    body_start = closing.end() + 1 if closing.end() < len(text) else closing.end()
    body_line = text.count("\n", 0, body_start) + 1
    return fm, text[body_start:], body_line


# --- dates, links and tags in a line -------------------------------------------------

_ISO = r"\d{4}-\d{2}-\d{2}"
#: An ISO date (YYYY-MM-DD) not glued to other digits; groups are year, month, day.
DATE_RE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")

_LINK = re.compile(r"(?<!!)\[\[([^\[\]\n]+?)\]\]")  # `![[…]]` embeds are not links
_ANY_LINK = re.compile(r"!?\[\[[^\[\]\n]*\]\]")
_BACKTICKS = re.compile(r"`+")
_URL = re.compile(r"[A-Za-z][\w+.-]*://\S*")
# Obsidian: a tag starts after whitespace (or the line start), holds letters, digits,
# `_`, `-` and `/`, and needs one character that is not a digit (`#1984` is no tag).
_TAG = re.compile(r"(?<!\S)#([\w/-]+)")
_TAG_NOT_NUMBER = re.compile(r"[^\d/-]")


def link_target(raw: str) -> str:
    """The note a wikilink's inner text points at, as written.

    `Folder/Name.md#Heading|shown` → `Name`: display text, heading or block, folder and
    `.md` are dropped, so links compare with note names. A table's escaped pipe
    (`[[Name\\|shown]]`) works too.
    """
    target = raw.split("|", 1)[0].removesuffix("\\")
    target = target.split("#", 1)[0].rsplit("/", 1)[-1].strip()
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
    found: list[str] = []
    for match in _LINK.finditer(_without_code(line)):
        target = link_target(match.group(1))
        if target and target not in found:
            found.append(target)
    return found


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
    found: list[str] = []
    for match in _TAG.finditer(line):
        tag = match.group(1).rstrip("/").lower()
        if _TAG_NOT_NUMBER.search(tag) and tag not in found:
            found.append(tag)
    return found


def _iso_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


# --- frontmatter ------------------------------------------------------------------------

@functools.cache
def _handler() -> Any:
    """python-frontmatter's YAML handler, imported on first use: `vaultcrm log` never needs it."""
    from frontmatter.default_handlers import YAMLHandler

    return YAMLHandler()
_MAYBE_ANCHOR = re.compile(r"[&*]\S")
_ALIASES_REFUSED = "frontmatter uses a YAML anchor or alias (& or *), which vaultcrm refuses"
#: The frontmatter block starts on file line 2, after the opening `---`.
_FM_FIRST_LINE = 2


def _refuse_aliases(path: str, fm: str) -> Problem | None:
    """A problem if `fm` uses anchors or aliases, found before anything is expanded.

    Aliases are how a few lines of YAML become billions of nodes; person notes never
    need them. Text without `&x` or `*x` is passed at the cost of one regex search;
    otherwise the tokens (not the nodes) confirm, since `R&D` or `*bold*` are harmless.
    """
    if _MAYBE_ANCHOR.search(fm) is None:
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


def _load_frontmatter(path: str, fm: str) -> tuple[dict[Any, Any] | None, list[Problem]]:
    """The frontmatter mapping, or None and the problems that make the note unreadable."""
    refused = _refuse_aliases(path, fm)
    if refused is not None:
        return None, [refused]
    try:
        data = _handler().load(fm, Loader=loader_for(fm))
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError) as err:
        return None, [_yaml_problem(path, fm, err)]
    if data is None:
        return {}, []
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else "a single value"
        message = f"frontmatter is {kind}, not `key: value` lines"
        return None, [Problem(path, _FM_FIRST_LINE, message)]
    return data, []


def _decode(data: bytes) -> str:
    """UTF-8 text with a leading BOM dropped and CRLF read as LF (line numbers unchanged)."""
    text = data.decode("utf-8-sig")
    return text.replace("\r\n", "\n") if "\r" in text else text


def frontmatter_problems(path: str, text: str) -> list[Problem]:
    """Why this note's frontmatter cannot be read safely (empty when it can, or has none).

    The edit engine asks before it touches a note, so it never rewrites a file it misreads.
    """
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    fm = split_frontmatter(text)[0]
    return [] if fm is None else _load_frontmatter(path, fm)[1]


# --- person fields ----------------------------------------------------------------------

_TOP_KEY = re.compile(r"""("[^"\n]*"|'[^'\n]*'|[^\s#"'\-][^:\n]*?)[ \t]*:(?:[ \t]|$)""")
_YEARLY = re.compile(r"(?:(\d{4})-|--)?(\d{1,2})-(\d{1,2})")
_DATE_FORMS = "use YYYY-MM-DD, or --MM-DD when the year is unknown"


def _key_lines(fm: str, keys: dict[Any, Any]) -> dict[str, int]:
    """File line of each top-level key, from a line scan (top-level keys start in column 0)."""
    lines: dict[str, int] = {}
    for number, line in enumerate(fm.split("\n"), _FM_FIRST_LINE):
        match = _TOP_KEY.match(line)
        if match:
            key = match.group(1).strip("\"'")
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


def _texts(value: object, key: str) -> tuple[str, ...]:
    """Text or a list of texts (numbers are read as text) → non-empty stripped strings."""
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        if item is None:
            continue
        if isinstance(item, bool) or not isinstance(item, str | int | float):
            raise ValueError(f"{key}: expected text or a list of texts")
        text = str(item).strip()
        if text:
            out.append(text)
    return tuple(out)


def _tags(value: object) -> tuple[str, ...]:
    found: list[str] = []
    for text in _texts(value, "tags"):
        for tag in re.split(r"[,\s]+", text):
            tag = tag.lstrip("#").lower()
            if tag and tag not in found:
                found.append(tag)
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


_READERS: dict[str, Callable[[object], object]] = {
    "aliases": lambda v: _texts(v, "aliases"),
    "tags": _tags,
    "circle": _circle,
    "cadence": parse_duration,
    "birthday": lambda v: _yearly(v, "birthday", "birthday"),
    "snooze_until": lambda v: _day(v, "snooze_until"),
    "likes": lambda v: _texts(v, "likes"),
    "boundaries": _boundaries,
}
_FIELD = {"cadence": "cadence_days"}


def _person(path: str, fm: str, data: dict[Any, Any], problems: list[Problem]) -> Person:
    """Person fields from a parsed frontmatter; a bad value is a problem and stays empty."""
    key_lines = _key_lines(fm, data) if data else {}
    fields: dict[str, Any] = {}
    for key, read in _READERS.items():
        value = data.get(key)
        if value is None:
            continue
        try:
            fields[_FIELD.get(key, key)] = read(value)
        except ValueError as err:
            message = str(err) if str(err).startswith(f"{key}:") else f"{key}: {err}"
            problems.append(Problem(path, key_lines.get(key), message))
    dates = data.get("dates")
    if isinstance(dates, dict):
        fm_lines = fm.split("\n")
        yearly: list[YearlyDate] = []
        for label, value in dates.items():
            try:
                yearly.append(_yearly(value, str(label), f"dates: {label}"))
            except ValueError as err:
                line = _nested_line(fm_lines, key_lines.get("dates"), str(label))
                problems.append(Problem(path, line, str(err)))
        fields["dates"] = tuple(sorted(yearly, key=lambda d: d.label))
    elif dates is not None:
        message = "dates: expected labels with dates, e.g. {wedding: 2015-06-01}"
        problems.append(Problem(path, key_lines.get("dates"), message))
    name = path.rsplit("/", 1)[-1].removesuffix(".md")
    return Person(name=name, file=path, key_lines=key_lines, **fields)


# --- body lines -------------------------------------------------------------------------

_FENCE = re.compile(r"[ \t]*(`{3,}|~{3,})")
_ITEM = re.compile(r"[ \t]*[-*+](?:[ \t]+|$)")
_TASK = re.compile(r"\[([ xX])\](?:[ \t]+|$)")
_LEAD_DATE = re.compile(rf"\[\[(?:[^\]|#\n]*/)?({_ISO})(?:\|[^\]\n]*)?\]\]|({_ISO})(?!\w)")
_DUE = re.compile(rf"[ \t]*📅[ \t]*({_ISO})(?!\d)")
_SEPARATORS = " \t:-—–"


def _closes(fence: str, run: str, after: str) -> bool:
    """CommonMark: the same character, at least as long, and no info string after it."""
    return run[0] == fence[0] and len(run) >= len(fence) and not after.strip()


def _lines(body: str, first_line: int) -> Iterator[tuple[int, str]]:
    """(file line, text) of the body's lines outside fenced code blocks."""
    lines = body.split("\n")
    if "```" not in body and "~~~" not in body:
        yield from enumerate(lines, first_line)
        return
    fence = ""  # the run of ``` or ~~~ that opened the block we are in
    for number, line in enumerate(lines, first_line):
        match = _FENCE.match(line)
        if not fence:
            if match:
                fence = match.group(1)
            else:
                yield number, line
        elif match and _closes(fence, match.group(1), line[match.end() :]):
            fence = ""


def _task(path: str, number: int, line: str, rest: str, problems: list[Problem]) -> Entry | None:
    """The task whose text (after the list marker) is `rest`, or None if it is not one.

    Its date is a leading date after the checkbox, else the Tasks plugin's `📅 date`.
    """
    box = _TASK.match(rest)
    if box is None:
        return None
    start = len(line) - len(rest) + box.end()
    text = line[start:]
    when = None
    found = _LEAD_DATE.match(text) or _DUE.search(text)
    if found is not None:
        group = found.lastindex or 1  # the one group of the alternative that matched
        when = _iso_date(found.group(group))
        if when is None:
            message = f"impossible date {found.group(group)!r}: this task is skipped"
            problems.append(Problem(path, number, message, col=start + found.start(group) + 1))
            return None
        before = text[: found.start()]
        text = before + text[found.end() :] if before else text[found.end() :].lstrip(_SEPARATORS)
    state: TaskState = "open" if box.group(1) == " " else "done"
    return Entry(number, text.strip(), when, tuple(find_tags(line)), tuple(find_links(line)), state)


def _person_entries(path: str, body: str, first_line: int, problems: list[Problem]) -> list[Entry]:
    """Dated list items (interactions) and tasks (follow-ups) of a person note."""
    entries: list[Entry] = []
    for number, line in _lines(body, first_line):
        item = _ITEM.match(line)
        if item is None:
            continue
        rest = line[item.end() :]
        if rest[:1] == "[" and _TASK.match(rest):
            task = _task(path, number, line, rest, problems)
            if task is not None:
                entries.append(task)
            continue
        lead = _LEAD_DATE.match(rest)
        if lead is None:
            continue
        raw = lead.group(lead.lastindex or 1)
        when = _iso_date(raw)
        if when is None:
            col = item.end() + lead.start(lead.lastindex or 1) + 1
            message = f"impossible date {raw!r}: this log line is skipped"
            problems.append(Problem(path, number, message, col=col))
            continue
        text = rest[lead.end() :].lstrip(_SEPARATORS).rstrip()
        entries.append(Entry(number, text, when, tuple(find_tags(line)), tuple(find_links(line))))
    return entries


def _daily_entries(path: str, body: str, first_line: int, problems: list[Problem]) -> list[Entry]:
    """Every line of a daily note that links a note; tasks among them keep their own date."""
    if "[[" not in body:
        return []
    entries: list[Entry] = []
    for number, line in _lines(body, first_line):
        if "[[" not in line:
            continue
        links = tuple(find_links(line))
        if not links:
            continue
        item = _ITEM.match(line)
        rest = line[item.end() :] if item else line
        if item is not None and rest[:1] == "[" and _TASK.match(rest):
            task = _task(path, number, line, rest, problems)
            if task is not None:
                entries.append(task)
            continue
        entries.append(Entry(number, rest.strip(), None, tuple(find_tags(line)), links))
    return entries


def parse_note(path: str, data: bytes, kind: NoteKind, day: dt.date | None = None) -> NoteRecord:
    """Parse one note's bytes; `path` is vault-relative POSIX, `day` a daily note's date.

    A person note whose frontmatter does not parse yields `person=None` and its problems:
    the vault skips it rather than guess. Other problems leave the rest of the note usable.
    """
    if kind == "other":
        return NoteRecord(path, kind)
    try:
        text = _decode(data)
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        problem = Problem(path, line, "not UTF-8 text: the note is skipped")
        return NoteRecord(path, kind, day=day, problems=(problem,))
    fm, body, first_line = split_frontmatter(text)
    problems: list[Problem] = []
    if kind == "daily":
        entries = _daily_entries(path, body, first_line, problems)
        return NoteRecord(path, kind, day=day, entries=tuple(entries), problems=tuple(problems))
    fields: dict[Any, Any] | None = {}
    if fm is not None:
        fields, problems = _load_frontmatter(path, fm)
    if fields is None:
        return NoteRecord(path, kind, problems=tuple(problems))
    person = _person(path, fm or "", fields, problems)
    entries = _person_entries(path, body, first_line, problems)
    return NoteRecord(path, kind, person=person, entries=tuple(entries), problems=tuple(problems))
