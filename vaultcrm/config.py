"""`vaultcrm.yaml` (and Obsidian's daily-notes settings) → `Config`.

Every key is optional; the defaults below are a public contract (docs/config.md).
Durations are held as whole days (a month is 30 days, a year 365).
A bad key or value never stops a run: it is a problem with its line, and that key
keeps its default.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from vaultcrm.dailynotes import DailyNotes
from vaultcrm.durations import parse_duration
from vaultcrm.fields import DEFAULT_FIELDS, norm_key
from vaultcrm.locate import CONFIG_FILE
from vaultcrm.model import FLAGS, Problem
from vaultcrm.regular import NOT_REGULAR, NotRegularFile, read_regular

OBSIDIAN_DAILY = ".obsidian/daily-notes.json"
#: Where Obsidian's core Templates plugin and the Templater plugin keep their folder.
OBSIDIAN_TEMPLATES = ".obsidian/templates.json"
TEMPLATER_SETTINGS = ".obsidian/plugins/templater-obsidian/data.json"

DEFAULT_CIRCLES: Mapping[str, int] = {
    "family": 7,
    "close": 14,
    "friends": 42,
    "acquaintances": 180,
}
DEFAULT_TAGS: Mapping[str, str] = {
    "shared": "shared",
    "heard": "heard",
    "deep": "deep",
    "win": "win",
    # not a flag: a line tagged with it is never given a flag from its prose
    "noflag": "noflag",
}
#: The key of `tags` that names the tag keeping a line out of flag suggestions.
NOFLAG = "noflag"


class Destination(NamedTuple):
    """One `notify:` entry: a URL (`smtp://`, `ntfy://`, any Apprise URL) and, for mail, a
    file outside the vault holding the password (docs/digest.md)."""

    url: str
    password_file: str | None = None


@dataclass(frozen=True)
class Config:
    people_folder: str = "People"
    daily_folder: str = "Journal"
    daily_format: str = "YYYY-MM-DD"
    output: str = "Reflections due.md"
    circles: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_CIRCLES))
    default_cadence: int = 90
    horizon: int = 14
    ledger_threshold: int = 2
    deep_circles: tuple[str, ...] = ("close", "family")
    deep_every: int = 90
    celebrate_within: int = 14
    tags: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_TAGS))
    #: a path inside the vault: `sync` writes the ICS calendar there (issue "Interop")
    ics: str | None = None
    #: False when `daily_format` came from no setting at all: then any file under the
    #: daily folder whose name is an ISO date counts as a daily note.
    daily_format_explicit: bool = False
    # --- real vaults: who is a person, interaction notes, how fields are spelt ----------
    people_tags: tuple[str, ...] = ()
    #: property (as written in the config) → accepted values
    people_properties: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    interaction_folders: tuple[str, ...] = ()
    fields: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: dict(DEFAULT_FIELDS))
    #: note-template folders named in Obsidian's settings: never read (not a config key)
    template_folders: tuple[str, ...] = ()
    # -- the note's shape (issue "The copilot"; readers in the block below _READERS) --
    focus: int = 5  # people in the note's focus list (0: none)
    section_limit: int = 25  # items per section of the note, then "… and N more"
    chart: bool = True  # a Mermaid chart of the last 12 months in the note
    #: use the flags a line's prose reads as ("she told me…"), without writing them
    #: (issue "The ledger from prose"; docs/flags.md)
    infer_flags: bool = False
    # -- reach (issue "Reach"; readers in the block after the note's shape) --
    #: lines "- NAME: text #tags" here are filed into people's notes by sync and watch
    inbox: str = "Inbox.md"
    #: where `digest --send` sends the digest, in the order given
    notify: tuple[Destination, ...] = ()
    # -- depth (issue "Depth"; readers in the block after reach) --
    #: per circle, how far ahead birthdays, dates and follow-ups show (`horizon_for`)
    horizons: Mapping[str, int] = field(default_factory=dict)
    #: one unexpected reach-out a week, from outside `deep_circles`
    surprise: bool = True
    # -- personal vaults (issue "Personal vaults") --
    #: vault-relative globs never read as people or interactions (`vaultcrm.ignoring`)
    ignore: tuple[str, ...] = ()


if TYPE_CHECKING:  # PyYAML is imported only when a vaultcrm.yaml exists (start-up time)
    import yaml


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _folder(value: object) -> str:
    """A vault-relative folder or file path: `/`, `.` or empty is the vault root, `..` is
    refused."""
    if not isinstance(value, str):
        raise ValueError("expected a path inside the vault, e.g. People")
    parts = value.strip().replace("\\", "/").strip("/").split("/")
    if ".." in parts:
        raise ValueError(f"{value!r} leaves the vault: use a path inside it")
    return "/".join(p for p in parts if p not in ("", "."))


#: `/x`, `\\server\x`, `C:\x`, `C:/x`: a path that names a place outside the vault.
_ABSOLUTE = re.compile(r"^\s*(?:[/\\](?=.*[^/\\\s])|[A-Za-z]:[/\\])")


def _inside(value: object) -> str:
    """A vault-relative path from vaultcrm.yaml: an absolute one is refused, not nested
    in the vault (`/tmp/people` would otherwise become `<vault>/tmp/people`). A lone `/`
    stays the vault root."""
    if isinstance(value, str) and _ABSOLUTE.match(value):
        raise ValueError(f"{value!r} is an absolute path: use a path relative to the vault")
    return _folder(value)


def _output(value: object) -> str:
    path = _inside(value)
    if not path:
        raise ValueError("expected a note name, e.g. Reflections due.md")
    return path if path.endswith(".md") else path + ".md"


def _format(value: object) -> str:
    """A moment.js format; the path it names (it may hold folders) must stay inside the
    daily folder: `log --daily` creates that note."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("expected a moment.js date format, e.g. YYYY-MM-DD")
    fmt = value.strip()
    named = DailyNotes("", fmt, True).path_for(_SAMPLE_DAY).replace("\\", "/")
    if _ABSOLUTE.match(fmt) or _ABSOLUTE.match(named):
        raise ValueError(f"{value!r} is an absolute path: use a format inside the daily folder")
    if ".." in named.split("/"):
        raise ValueError(f"{value!r} leaves the daily folder: use a format inside it")
    return fmt


_SAMPLE_DAY = dt.date(2026, 1, 2)


def _entries(value: object, node: yaml.Node, what: str) -> list[tuple[str, object, int]]:
    """(lower-cased key, value, line) of a mapping's entries."""
    import yaml

    if not isinstance(value, dict) or not isinstance(node, yaml.MappingNode):
        raise ValueError(f"expected a mapping of {what}")
    lines: dict[str, int] = {}
    for key_node, _ in node.value:
        lines.setdefault(str(key_node.value).strip().lower(), _line(key_node))
    out = []
    for key, item in value.items():
        name = str(key).strip().lower()
        out.append((name, item, lines.get(name, _line(node))))
    return out


def _durations_per_circle(
    key: str, example: str
) -> Callable[[object, yaml.Node, list[Problem]], dict[str, int]]:
    """A reader of circle → duration for `key`: a bad entry is a problem and is left out
    (that circle falls back to the key's default), the others still apply."""

    def read(value: object, node: yaml.Node, problems: list[Problem]) -> dict[str, int]:
        durations: dict[str, int] = {}
        for name, item, line in _entries(value, node, f"circles to durations, e.g. {example}"):
            try:
                durations[name] = parse_duration(item)
            except ValueError as err:
                problems.append(Problem(CONFIG_FILE, line, f"{key}: {name}: {err}"))
        return durations

    return read


#: circle → cadence; a circle left out, or with a bad entry, takes `default_cadence`
_circles = _durations_per_circle("circles", "{close: 2 weeks}")


def _tags(value: object, node: yaml.Node, problems: list[Problem]) -> dict[str, str]:
    """Flag → the tag written for it; flags left out keep their default tag."""
    tags = dict(DEFAULT_TAGS)
    for flag, item, line in _entries(value, node, "flags to tags, e.g. {shared: opened-up}"):
        tag = item.strip().lstrip("#").strip().lower() if isinstance(item, str) else ""
        if flag not in FLAGS and flag != NOFLAG:
            known = ", ".join(FLAGS)
            message = f"tags: unknown flag {flag!r} (flags are {known}; also {NOFLAG})"
            problems.append(Problem(CONFIG_FILE, line, message))
        elif not tag or any(c.isspace() for c in tag):
            problems.append(
                Problem(CONFIG_FILE, line, f"tags: {flag}: expected a tag, e.g. {flag}")
            )
        else:
            tags[flag] = tag
    return tags


def _threshold(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError("expected a whole number, 1 or more")
    return value


def _deep_circles(value: object) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise ValueError("expected a list of circles, e.g. [close, family]")
    return tuple(i.strip().lower() for i in items if i.strip())


def _ics(value: object) -> str:
    """`ics:` is a file inside the vault for the calendar `sync` writes (`.ics` added);
    an absolute path is refused, as for `output:`."""
    path = _inside(value)
    if not path:
        raise ValueError("expected a file inside the vault, e.g. Calendar/people.ics")
    return path if path.lower().endswith(".ics") else path + ".ics"


# --- real vaults: people_tags, people_properties, interaction_folders, fields ------------


def _people_tags(value: object) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise ValueError("expected a list of tags, e.g. [person, people/work]")
    tags = (i.strip().lstrip("#").strip().lower() for i in items)
    return tuple(dict.fromkeys(t for t in tags if t))


def _scalar_texts(value: object, what: str) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if isinstance(item, list) and len(item) == 1 and isinstance(item[0], list):
            item = f"[[{item[0][0]}]]" if len(item[0]) == 1 else None  # unquoted [[X]]
        if isinstance(item, bool) or not isinstance(item, str | int | float):
            raise ValueError(f"expected {what}")
        if str(item).strip():
            out.append(str(item).strip())
    return tuple(out)


def _people_properties(
    value: object, node: yaml.Node, problems: list[Problem]
) -> dict[str, tuple[str, ...]]:
    """Property → the values that make a note a person; a bad entry is left out."""
    what = 'properties to values, e.g. {categories: "[[People]]", type: person}'
    out: dict[str, tuple[str, ...]] = {}
    for key, item, line in _entries(value, node, what):
        try:
            values = _scalar_texts(item, "a value or a list of values")
        except ValueError as err:
            problems.append(Problem(CONFIG_FILE, line, f"people_properties: {key}: {err}"))
            continue
        if values:
            out[key] = values
    return out


def _folders(value: object) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise ValueError("expected a list of folders, e.g. [CRM/Interactions]")
    return tuple(dict.fromkeys(_folder(i) for i in items))


def _fields(
    value: object, node: yaml.Node, problems: list[Problem]
) -> dict[str, tuple[str, ...]]:
    """Field → accepted spellings; fields left out keep their default spellings."""
    out = dict(DEFAULT_FIELDS)
    what = "fields to spellings, e.g. {birthday: [birthday, bday]}"
    for name, item, line in _entries(value, node, what):
        name = norm_key(name)
        if name not in DEFAULT_FIELDS:
            known = ", ".join(DEFAULT_FIELDS)
            problems.append(Problem(CONFIG_FILE, line, f"fields: unknown field {name!r} ({known})"))
            continue
        try:
            spellings = _scalar_texts(item, "a list of key spellings, e.g. [birthday, bday]")
        except ValueError as err:
            problems.append(Problem(CONFIG_FILE, line, f"fields: {name}: {err}"))
            continue
        out[name] = tuple(dict.fromkeys((*(norm_key(s) for s in spellings), name)))
    return out


_Reader = Callable[[object, Any, list[Problem]], object]


def _simple(read: Callable[[object], object]) -> _Reader:
    return lambda value, _node, _problems: read(value)


_READERS: dict[str, _Reader] = {
    "people_folder": _simple(_inside),
    "daily_folder": _simple(_inside),
    "daily_format": _simple(_format),
    "output": _simple(_output),
    "circles": _circles,
    "default_cadence": _simple(parse_duration),
    "horizon": _simple(parse_duration),
    "ledger_threshold": _simple(_threshold),
    "deep_circles": _simple(_deep_circles),
    "deep_every": _simple(parse_duration),
    "celebrate_within": _simple(parse_duration),
    "tags": _tags,
    "ics": _simple(_ics),


    "people_tags": _simple(_people_tags),
    "people_properties": _people_properties,
    "interaction_folders": _simple(_folders),
    "fields": _fields,
}


# -- the note's shape: focus, section_limit, chart (issue "The copilot") ---------------


def _count(least: int) -> Callable[[object], int]:
    def read(value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise ValueError(f"expected a whole number, {least} or more")
        return value

    return read


def _switch(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError("expected true or false")
    return value


_READERS.update(
    {
        "focus": _simple(_count(0)),
        "section_limit": _simple(_count(1)),
        "chart": _simple(_switch),
        "infer_flags": _simple(_switch),
    }
)


# -- reach: inbox, notify (issue "Reach") ------------------------------------------------


def _notify(value: object) -> tuple[Destination, ...]:
    """URLs, each a string or `{url: ..., password_file: ...}`; a password in the vault
    is refused where it is used (`app/notify.py`), with the destination named."""
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if isinstance(item, str):
            url, password_file = item, None
        elif isinstance(item, dict) and set(item) <= {"url", "password_file"} and "url" in item:
            url, password_file = item["url"], item.get("password_file")
            if password_file is not None and not isinstance(password_file, str):
                raise ValueError("password_file: expected a path, e.g. ~/.config/vaultcrm/smtp")
        else:
            raise ValueError(
                "expected a list of URLs (smtp://, ntfy://…), or {url: ..., password_file: ...}"
            )
        if not isinstance(url, str) or "://" not in url:
            raise ValueError(f"{url!r} is not a URL, e.g. ntfys://ntfy.sh/my-topic")
        out.append(Destination(url.strip(), password_file))
    return tuple(out)


_READERS.update({"inbox": _simple(_output), "notify": _simple(_notify)})


# -- depth: horizons, surprise (issue "Depth") ----------------------------------------------


#: circle → horizon; a circle left out, or with a bad entry, keeps `horizon`. Circles
#: nobody defines are said by `load_config`, which knows them all.
_horizons = _durations_per_circle("horizons", "{family: 3 weeks}")


_READERS.update({"horizons": _horizons, "surprise": _simple(_switch)})


def horizon_for(config: Config, circle: str | None) -> int:
    """How far ahead birthdays, dates and follow-ups show for someone in `circle`: the
    circle's `horizons` entry, else `horizon`."""
    if circle is not None and config.horizons:
        found = config.horizons.get(circle)
        if found is not None:
            return found
    return config.horizon


def longest_horizon(config: Config) -> int:
    """The furthest ahead anything shows, whatever the circle."""
    return max([config.horizon, *config.horizons.values()])


# -- personal vaults: ignore (issue "Personal vaults") -----------------------------------


def _globs(value: object) -> tuple[str, ...]:
    """Vault-relative globs (`people/archive`, `*.excalidraw.md`); `..` and absolute
    paths are refused, as for folders."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise ValueError("expected a list of globs, e.g. [people/archive, \"*.excalidraw.md\"]")
    globs = []
    for item in items:
        if _ABSOLUTE.match(item):
            raise ValueError(f"{item!r} is an absolute path: use a glob relative to the vault")
        if ".." in item.replace("\\", "/").split("/"):
            raise ValueError(f"{item!r} leaves the vault: use a glob inside it")
        if item.strip().strip("/"):
            globs.append(item.strip().strip("/"))
    return tuple(dict.fromkeys(globs))


_READERS["ignore"] = _simple(_globs)


def _describe(err: Exception) -> str:
    """A YAML error's own words, without PyYAML's `in "<unicode string>"` position lines."""
    import yaml

    if isinstance(err, yaml.MarkedYAMLError):
        message = err.problem or err.context or "unreadable YAML"
        return f"{message} ({err.context})" if err.problem and err.context else message
    return str(err)


def _yaml_problem(err: yaml.YAMLError) -> Problem:
    message = f"{_describe(err)}; using the defaults"
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    if mark is None:
        return Problem(CONFIG_FILE, 1, message)
    return Problem(CONFIG_FILE, mark.line + 1, message, col=mark.column + 1)


def _read_yaml(path: Path, problems: list[Problem]) -> list[tuple[str, object, yaml.Node, int]]:
    """(key, value, value's node, key's line) per top-level key of the config file.

    Values are built one key at a time, so one unreadable value (`horizon: 2026-02-30`)
    costs that key only.
    """
    try:
        text = read_regular(path).decode("utf-8-sig")
    except FileNotFoundError:
        return []
    except NotRegularFile:
        problems.append(Problem(CONFIG_FILE, None, f"{NOT_REGULAR}; using the defaults"))
        return []
    except (OSError, UnicodeDecodeError) as err:
        problems.append(Problem(CONFIG_FILE, None, f"cannot read it ({err}); using the defaults"))
        return []
    import yaml

    # the pure-Python safe loader: on a pathologically nested file it stops with a
    # RecursionError where libyaml can crash
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return []
        if not isinstance(root, yaml.MappingNode):
            problems.append(Problem(CONFIG_FILE, _line(root), "expected `key: value` lines"))
            return []
        out = []
        for key_node, value_node in root.value:
            try:
                value = loader.construct_object(value_node, deep=True)
            except (yaml.YAMLError, ValueError, OverflowError, RecursionError) as err:
                line = _line(value_node)
                reason = _describe(err)
                if isinstance(value_node, yaml.ScalarNode) and not isinstance(err, yaml.YAMLError):
                    reason = f"cannot read {value_node.value!r} ({reason})"
                message = f"{key_node.value}: {reason}; using the default"
                problems.append(Problem(CONFIG_FILE, line, message))
                continue
            out.append((str(key_node.value), value, value_node, _line(key_node)))
        return out
    except yaml.YAMLError as err:
        problems.append(_yaml_problem(err))
        return []
    except RecursionError:
        problems.append(Problem(CONFIG_FILE, 1, "nests too deeply to read; using the defaults"))
        return []
    finally:
        loader.dispose()


def _obsidian_daily(root: Path, problems: list[Problem]) -> dict[str, str]:
    """`folder` and `format` from Obsidian's daily-notes settings, where set."""
    try:
        settings = json.loads(read_regular(root / OBSIDIAN_DAILY).decode("utf-8-sig"))
    except FileNotFoundError:
        return {}
    except NotRegularFile:
        problems.append(Problem(OBSIDIAN_DAILY, None, NOT_REGULAR))
        return {}
    except json.JSONDecodeError as err:
        problems.append(Problem(OBSIDIAN_DAILY, err.lineno, err.msg, col=err.colno))
        return {}
    except (OSError, UnicodeDecodeError, RecursionError) as err:
        problems.append(Problem(OBSIDIAN_DAILY, None, f"cannot read it ({err})"))
        return {}
    if not isinstance(settings, dict):
        problems.append(Problem(OBSIDIAN_DAILY, 1, "expected a JSON object"))
        return {}
    found: dict[str, str] = {}
    folder, fmt = settings.get("folder"), settings.get("format")
    try:
        if folder is not None:  # "" is the vault root, as in Obsidian
            found["daily_folder"] = _folder(folder)
        if fmt not in (None, ""):  # "" means Obsidian's default format
            found["daily_format"] = _format(fmt)
    except ValueError as err:
        problems.append(Problem(OBSIDIAN_DAILY, None, f"daily notes setting: {err}"))
    return found


def load_config(root: Path) -> tuple[Config, list[Problem]]:
    """Read the vault's config; a bad key or value is a problem and falls back to its default."""
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    lines: dict[str, int] = {}
    for key, value, node, line in _read_yaml(root / CONFIG_FILE, problems):
        lines[key] = line
        read = _READERS.get(key)
        if read is None:
            problems.append(Problem(CONFIG_FILE, line, f"unknown key {key!r}{_suggest(key)}"))
            continue
        if value is None:
            continue  # `horizon:` with nothing after it: the default
        try:
            values[key] = read(value, node, problems)
        except ValueError as err:
            problems.append(Problem(CONFIG_FILE, line, f"{key}: {err}; using the default"))
    if "daily_folder" not in values or "daily_format" not in values:
        for key, value in _obsidian_daily(root, problems).items():
            values.setdefault(key, value)
    templates = _template_folders(root)
    if templates:
        values["template_folders"] = templates
    config = Config(**values, daily_format_explicit="daily_format" in values)
    unknown = sorted(set(config.horizons) - set(config.circles))
    if unknown:
        known = ", ".join(sorted(config.circles)) or "none"
        message = f"horizons: unknown circle {', '.join(map(repr, unknown))} (known: {known})"
        problems.append(Problem(CONFIG_FILE, lines.get("horizons"), message, "warning"))
    if "people_folder" in values:
        problems.extend(_people_folder_problems(root, config, lines.get("people_folder")))
    problems.sort(key=lambda p: (p.path, p.line or 0))
    return config, problems


#: The start of the message of a `people_folder` that does not exist (an error).
PEOPLE_FOLDER_MISSING = "people_folder: there is no folder"


def _people_folder_problems(root: Path, config: Config, line: int | None) -> list[Problem]:
    """A people folder named in vaultcrm.yaml that does not exist is an error: a typo
    must never read as "nobody is due". (The default one missing is said by the warning
    about finding no people, `no_people_problem`: with people found by tag, it is fine.)"""
    folder = config.people_folder.strip().strip("/")
    if line is None or not folder or (root / folder).is_dir():
        return []
    message = f"{PEOPLE_FOLDER_MISSING} {folder!r} in the vault; check its spelling"
    return [Problem(CONFIG_FILE, line, message)]


def no_people_problem(root: Path, config: Config) -> Problem:
    """Never a silent all-clear: the warning for a vault where nobody was found."""
    folder = config.people_folder.strip().strip("/")
    where = "the vault" if not folder else f"{folder}/"
    if folder and not (root / folder).is_dir():
        where = f"{folder}/ (it does not exist)"
    message = (
        f"no people found in {where}: put person notes there, or set people_folder, "
        "people_tags or people_properties in vaultcrm.yaml"
    )
    return Problem(CONFIG_FILE, None, message, "warning")


def people_folder_error(problems: list[Problem]) -> Problem | None:
    """The config's "people_folder does not exist" error, if it has one."""
    return next((p for p in problems if p.message.startswith(PEOPLE_FOLDER_MISSING)), None)


def _json_setting(root: Path, rel: str, key: str) -> str | None:
    try:
        settings = json.loads((root / rel).read_bytes().decode("utf-8-sig"))
    except (OSError, ValueError, RecursionError):
        return None  # another tool's settings: unreadable ones are not our problem
    value = settings.get(key) if isinstance(settings, dict) else None
    return value if isinstance(value, str) and value.strip() else None


def _template_folders(root: Path) -> tuple[str, ...]:
    """Folders of note templates ({{date}} placeholders): Obsidian's and Templater's."""
    found = []
    for rel, key in ((OBSIDIAN_TEMPLATES, "folder"), (TEMPLATER_SETTINGS, "templates_folder")):
        value = _json_setting(root, rel, key)
        if value is None:
            continue
        try:
            folder = _folder(value)
        except ValueError:
            continue
        if folder:
            found.append(folder)
    return tuple(dict.fromkeys(found))


def _suggest(key: str) -> str:
    import difflib  # only when a key is misspelt

    close = difflib.get_close_matches(key, list(_READERS), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _plain(value: object) -> object:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in sorted(value.items())}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


#: Settings that nothing read or written from the notes depends on: changing them must not
#: empty the index (where the digest is sent).
UNREAD = frozenset({"notify"})


def config_fingerprint(config: Config) -> str:
    """A stable hash of every setting a read depends on (all but `UNREAD`): caches built
    under another config are stale."""
    data = {f.name: _plain(getattr(config, f.name)) for f in fields(config) if f.name not in UNREAD}
    blob = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def daily_notes(config: Config) -> DailyNotes:
    """The daily-note matcher this config describes."""
    return DailyNotes(config.daily_folder, config.daily_format, config.daily_format_explicit)
