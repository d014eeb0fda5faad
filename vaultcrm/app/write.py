"""The writing use cases (init, add, log, remind, set) as functions that never print.

Each one validates everything first and raises `UsageError` (exit 2) for a request that
cannot mean anything, then makes exactly one change through the edit engine, which
raises `EditRefused` (exit 1) when the file is not safe to touch. Imports that cost
start-up time (jinja2, the vault index) happen only in the use cases that need them, so
`log` stays instant.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from vaultcrm.app.names import PersonRef, name_problem, resolve_person, taken_names
from vaultcrm.config import CONFIG_FILE, Config, daily_notes, load_config, people_folder_error
from vaultcrm.errors import UsageError, VaultcrmError
from vaultcrm.model import FLAGS, stem_of
from vaultcrm.words import listed

if TYPE_CHECKING:
    from vaultcrm.read.session import ReadSession


@dataclass(frozen=True)
class Written:
    """What a command changed: the file, the line added (or the change), and whether the
    file was created or changed at all (a `set` to the same value changes nothing)."""

    file: str
    line: str
    person: str | None = None
    created: bool = False
    changed: bool = True
    #: an editor's save kept aside as a conflict copy while writing (vault-relative)
    conflict: str | None = None


# --- init -----------------------------------------------------------------------------

#: Every key of docs/config.md, commented out with its default: uncommented, it reads back
#: as exactly the defaults (a test pins this).
CONFIG_TEXT = """\
# vaultcrm settings for this vault. Every key is optional: each line below shows a
# default. Uncomment a line (and the lines indented under it) and change its value.

# people_folder: People          # person notes, one per person, at any depth below it
# daily_folder: Journal          # daily notes; unset: Obsidian's daily-notes setting
# daily_format: YYYY-MM-DD       # daily note names in moment.js tokens; may hold folders
# output: Reflections due.md     # the note `vaultcrm sync` writes (never edit it by hand)
# circles:                       # how often to be in touch, per circle
#   family: 1 week
#   close: 2 weeks
#   friends: 6 weeks
#   acquaintances: 6 months
# default_cadence: 3 months      # for people with neither a circle nor a cadence of their own
# horizon: 14 days               # how far ahead birthdays, dates and follow-ups show
# ledger_threshold: 2            # one-sided confidences in a row before a share/listen nudge
# deep_circles: [close, family]  # circles nudged towards a truly open conversation...
# deep_every: 3 months           # ...when none was logged (#deep) within this long
# celebrate_within: 14 days      # how long a #win stays worth celebrating
# tags:                          # the tag you write for each flag
#   shared: shared               # you opened up
#   heard: heard                 # they opened up
#   deep: deep                   # a truly open exchange
#   win: win                     # a success of theirs
#   noflag: noflag               # a line never given a flag from its prose
# infer_flags: false             # true: use the flags your prose reads as ("she told me…")
#                                #   without writing them (`vaultcrm flags suggest`)
# people_tags: []                # a note anywhere with one of these tags is a person
# people_properties: {}          # e.g. {categories: "[[People]]", type: person}
# interaction_folders: []        # every person a note here links is met on its date
# fields:                        # spellings read for each field (case, -, _, spaces alike)
#   name: [name, title, full_name]   # the person's name, else the file name
#   birthday: [birthday, bday, born, birthdate, birth_date]
#   cadence: [cadence, frequency, contact_frequency, keep_in_touch]
#   last_contact: [last_contact, last_contacted, last_seen]
#   follow_up: [follow_up, next_follow_up, next_contact]
#   attendees: [attendees, attendee, people, participants, with, contacts]
# focus: 5                       # people the note leads with, most urgent first (0: none)
# section_limit: 25              # items per section of the note, then "... and N more"
# chart: true                    # a Mermaid chart of the last 12 months in the note
# ics:                           # e.g. Calendar/people.ics: `sync` writes birthdays,
#                                #   dates and follow-ups there as a calendar
# inbox: Inbox.md                # lines "- NAME: text #tags" here are filed into
#                                #   people's notes by sync and watch
# notify: []                     # where `vaultcrm digest --send` sends the digest, e.g.
#                                #   [ntfys://ntfy.sh/my-topic, smtps://me@host?to=me@x.org]
# horizons: {}                   # per circle, e.g. {family: 3 weeks, acquaintances: 3 days};
#                                #   `horizon` for the circles left out
# surprise: true                 # one unexpected reach-out a week, from outside deep_circles
# ignore: []                     # globs never read as people or interactions, e.g.
#                                #   [people/archive, "*.excalidraw.md"] (README, index
#                                #   and _ files never are)
"""


def people_config(session: ReadSession) -> Config:
    """The config of a command that reads people: a `people_folder` named in
    vaultcrm.yaml that does not exist stops it (exit 1), naming the folder."""
    missing = people_folder_error(session.config_problems)
    if missing is not None:
        raise VaultcrmError(missing.format())
    return session.config


@dataclass(frozen=True)
class InitStep:
    path: str  # vault-relative; folders end with "/"
    created: bool
    note: str = ""
    #: something the vault already holds, adopted in the config written (`note`: the lines)
    found: bool = False


def init_vault(root: Path) -> list[InitStep]:
    """Write `vaultcrm.yaml` and create the people and daily folders, keeping whatever
    already exists (never overwriting): running it twice changes nothing. A vault that
    already keeps people (`people/`, `contacts/`…), daily notes (`journal/YYYY/MM/…`) or
    meetings has them adopted in the config (`read/discover.py`) instead of `People/` and
    `Journal/` created beside them; the steps say what was found and what was set."""
    from vaultcrm.edit.engine import create

    root.mkdir(parents=True, exist_ok=True)
    steps: list[InitStep] = []
    if os.path.lexists(root / CONFIG_FILE):
        steps.append(InitStep(CONFIG_FILE, False, "it already exists; left as it is"))
    else:
        adopted, found = _adopt(root)
        text = CONFIG_TEXT
        for key, value in adopted.items():
            text = _uncommented(text, key, value)
        create(root, CONFIG_FILE, text.encode("utf-8"))
        steps.extend(found)
        note = "every option commented out, with its default"
        if adopted:
            found_keys = listed(list(adopted))
            note = f"{found_keys} set to what was found; every other option commented out"
        steps.append(InitStep(CONFIG_FILE, True, note))
    config, _ = load_config(root)
    for folder in dict.fromkeys([config.people_folder, config.daily_folder]):
        folder = folder.strip().strip("/")
        if folder:
            steps.append(_make_folder(root, folder))
    return steps


def _adopt(root: Path) -> tuple[dict[str, str], list[InitStep]]:
    """The settings that adopt what the vault holds (those that differ from the
    defaults, and no daily-note setting when Obsidian's own says where they are), and a
    step saying what was found for each."""
    from vaultcrm.read.discover import adoptable

    found, settings = adoptable(root)
    steps: list[InitStep] = []

    def said(*keys: str) -> str:
        return " and ".join(f"{key}: {settings[key]}" for key in keys)

    if "people_folder" in settings:
        count = found.people_notes
        what = f"{count} person note{'' if count == 1 else 's'}"
        steps.append(
            InitStep(f"{found.people_folder}/", False, f"{what}; set {said('people_folder')}", True)
        )
    if found.person_tag is not None and "people_tags" in settings:
        what = f"notes tagged #{found.person_tag[0]}"
        steps.append(InitStep(what, False, f"set {said('people_tags')}", True))
    if found.person_property is not None and "people_properties" in settings:
        key, value, _ = found.person_property
        steps.append(InitStep(f"notes with {key}: {value}", False,
                              f"set {said('people_properties')}", True))  # fmt: skip
    if "daily_folder" in settings:
        what = f"{found.daily_notes} daily note{'' if found.daily_notes == 1 else 's'}"
        steps.append(
            InitStep(
                f"{found.daily_folder}/", False,
                f"{what}; set {said('daily_folder', 'daily_format')}", True,
            )
        )  # fmt: skip
    if "interaction_folders" in settings:
        folders = ", ".join(f"{f}/" for f in found.meeting_folders)
        steps.append(
            InitStep(folders, False, f"meeting notes; set {said('interaction_folders')}", True)
        )
    return settings, steps


def _uncommented(text: str, key: str, value: str) -> str:
    """`CONFIG_TEXT` with `key`'s commented default replaced by `key: value`."""
    lines = text.split("\n")
    for at, line in enumerate(lines):
        if line.startswith(f"# {key}:"):
            comment = line[line.index("#", 2) :] if "#" in line[2:] else ""
            setting = f"{key}: {value}"
            lines[at] = f"{setting:<30} {comment}" if comment else setting
            break
    return "\n".join(lines)


def _make_folder(root: Path, folder: str) -> InitStep:
    path = root / folder
    if os.path.lexists(path):
        kind = "a symbolic link" if path.is_symlink() else "already there"
        return InitStep(folder + "/", False, kind)
    real_root = os.path.realpath(root)
    if os.path.commonpath([real_root, os.path.realpath(path)]) != real_root:
        raise UsageError(f"{folder}/ would be created outside the vault (through a link)")
    path.mkdir(parents=True)
    return InitStep(folder + "/", True)


# --- add ------------------------------------------------------------------------------

_MONTH_DAY = re.compile(r"--(\d{2})-(\d{2})")


def parse_birthday(raw: str) -> dt.date | str:
    """`YYYY-MM-DD` → a date; `--MM-DD` (year unknown) → that text. Feb 29 is fine."""
    text = raw.strip()
    match = _MONTH_DAY.fullmatch(text)
    try:
        if match:
            dt.date(2000, int(match.group(1)), int(match.group(2)))  # 2000: a leap year
            return text
        return dt.date.fromisoformat(text) if len(text) == 10 else _bad_birthday(raw)
    except ValueError:
        return _bad_birthday(raw)


def _bad_birthday(raw: str) -> dt.date:
    raise UsageError(
        f"--birthday {raw!r} is not a possible date: use YYYY-MM-DD, or --MM-DD without the year"
    )


def _labels(values: Iterable[str], what: str) -> list[str]:
    out: list[str] = []
    for value in values:
        text = one_line(value, what)
        if text.casefold() not in (o.casefold() for o in out):
            out.append(text)
    return out


def _tag_names(values: Iterable[str]) -> list[str]:
    out: list[str] = []
    for value in values:
        tag = one_line(value, "--tag").lstrip("#")
        if not tag or any(c.isspace() for c in tag):
            raise UsageError(f"--tag {value!r} is not a tag: one word, e.g. climbing")
        if tag not in out:
            out.append(tag)
    return out


def check_circle(circle: str, config: Config) -> str:
    """The circle, lower-cased, if the config knows it; else a usage error listing them."""
    name = circle.strip().lower()
    if name not in config.circles:
        known = ", ".join(sorted(config.circles)) or "none configured"
        raise UsageError(f"unknown circle {circle!r}; the circles are: {known}")
    return name


def add_person(
    session: ReadSession,
    name: str,
    *,
    circle: str | None = None,
    birthday: str | None = None,
    aliases: Sequence[str] = (),
    tags: Sequence[str] = (),
    force: bool = False,
) -> Written:
    """Create `People/NAME.md` from the person template; refuse a name that is unsafe as
    a file name or already a person's name or alias (case-insensitively), and, unless
    `force`, one that is the start of someone's name or alias (`NameShadows`)."""
    from vaultcrm.edit.engine import create

    root, config = session.root, people_config(session)
    reason = name_problem(name)
    if reason is not None:
        raise UsageError(f"cannot add {name!r}: {reason}")
    others = [a for a in _labels(aliases, "--alias") if a.casefold() != name.casefold()]
    context = {
        "name": name,
        "aliases": others,
        "tags": _tag_names(tags),
        "circle": check_circle(circle, config) if circle is not None else None,
        "birthday": parse_birthday(birthday) if birthday is not None else None,
    }
    taken = taken_names(session)
    for label in (name, *others):
        holder = taken.get(label.casefold())
        if holder is not None:
            raise UsageError(f"cannot add {name!r}: {label!r} is already taken ({holder})")
    if not force:
        _refuse_shadowing(name, (name, *others), taken)
    folder = config.people_folder.strip().strip("/")
    rel = f"{folder}/{name}.md" if folder else f"{name}.md"
    text = render_person(root, rel, context)
    create(root, rel, text.encode("utf-8"))
    return Written(rel, text, name, created=True)


def _refuse_shadowing(name: str, labels: Iterable[str], taken: Mapping[str, str]) -> None:
    """`add Sophie` while `Sophie B` exists: `log Sophie` finds Sophie B today by prefix,
    and would silently find the new note tomorrow. Say so before that happens."""
    shadowed: list[str] = []
    for label in labels:
        folded = label.casefold()
        for key, holder in sorted(taken.items()):
            if key != folded and key.startswith(folded):
                shadowed.append(f"{key!r} ({holder})")
    if shadowed:
        from vaultcrm.errors import NameShadows

        raise NameShadows(
            f"{name!r} is the start of {', '.join(shadowed)}: once added, a command given "
            f"{name!r} means the new note, not them; use --force to add it anyway",
            shadowed,
        )


def yaml_value(value: object) -> str:
    """One value as one line of YAML, quoted wherever a YAML reader could misread it:
    the `yaml` filter of the person template, so user text is data, never YAML syntax."""
    import yaml

    if isinstance(value, tuple):
        value = list(value)
    text = yaml.safe_dump(
        value, default_flow_style=True, allow_unicode=True, width=2**31 - 1, sort_keys=False
    )
    return text.removesuffix("\n...\n").strip()


PERSON_TEMPLATE = "person.md.j2"


def render_person(root: Path, rel: str, context: Mapping[str, object]) -> str:
    """The new note's text from `person.md.j2` (a vault override wins), checked to read
    back as a person note without problems: a broken override never writes a broken note."""
    import jinja2

    from vaultcrm.model import Problem
    from vaultcrm.output.render import make_environment
    from vaultcrm.output.template_limits import run_template
    from vaultcrm.output.templates import package_templates
    from vaultcrm.read.parse import parse_note

    env = make_environment(root)
    env.filters["yaml"] = yaml_value
    try:  # within limits; a mistake in an override is `path:line: message`
        text = run_template(env, PERSON_TEMPLATE, context, root)
    except jinja2.TemplateNotFound:  # an override linked out of the vault is never used
        source = (package_templates() / PERSON_TEMPLATE).read_text(encoding="utf-8")
        text = env.from_string(source).render(**context)
    record = parse_note(rel, text.encode("utf-8"), "person")
    problems: list[Problem] = list(record.problems)
    if record.person is None or problems:
        first = problems[0].format() if problems else "it does not read as a person note"
        raise UsageError(f"the person template {PERSON_TEMPLATE} gives a broken note: {first}")
    return text


# --- log and remind -------------------------------------------------------------------

_BREAKS = re.compile(r"[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def refuse_undecoded(text: str, what: str) -> None:
    """A usage error for an argument holding bytes that were not UTF-8 (Python keeps
    them as lone surrogates): no note can hold them."""
    if not text.isascii() and any("\ud800" <= c <= "\udfff" for c in text):
        raise UsageError(f"{what} is not valid text (check your terminal's encoding)")


def one_line(text: str, what: str) -> str:
    """`text` stripped; a usage error when it is empty or spans lines (or hides controls)."""
    if _BREAKS.search(text):
        raise UsageError(f"{what} must be one line")
    refuse_undecoded(text, what)
    if any(ord(c) < 32 and c != "\t" or c == "\x7f" for c in text):
        raise UsageError(f"{what} contains a control character")
    stripped = text.strip()
    if not stripped:
        raise UsageError(f"{what} is empty")
    return stripped


def tag_suffix(flags: Iterable[str], config: Config, text: str = "") -> str:
    """` #shared #heard …` for the flags, in FLAGS order, leaving out tags `text` has."""
    from vaultcrm.read.parse import find_tags

    chosen = set(flags)
    present = set(find_tags(text))
    tags = [config.tags[f] for f in FLAGS if f in chosen and config.tags[f] not in present]
    return "".join(f" #{tag}" for tag in tags)


def log_interaction(
    session: ReadSession,
    person: str,
    text: str,
    *,
    day: dt.date,
    flags: Iterable[str] = (),
    daily: bool = False,
    once: bool = False,
) -> Written:
    """Log `- DAY TEXT #tags` in the person's note, after its last dated log line (or
    `- [[Person]] TEXT #tags` in DAY's daily note, created when missing). A hand-kept
    `last_contact` field in their note moves to DAY when that is later
    (`edit/fieldline.py`), so the vault's own tables stay true.

    With `once` (the inbox, which may file a line again after a run was killed), a note
    that already holds exactly that line is left as it is (`changed` False)."""
    from vaultcrm.edit.lines import append_log_line

    root, config = session.root, people_config(session)
    text = one_line(text, "TEXT")
    ref = resolve_person(session, person)
    suffix = tag_suffix(flags, config, text)
    if daily:
        line = f"- [[{stem_of(ref.file)}]] {text}{suffix}"  # the file's name: it resolves
        return _append_to_daily(root, daily_notes(config).path_for(day), line, ref)
    line = f"- {day.isoformat()} {text}{suffix}"

    def log(data: bytes, line: str) -> bytes:
        from vaultcrm.edit.fieldline import moved_last_contact
        from vaultcrm.read.spec import read_spec

        return moved_last_contact(append_log_line(data, line), day, read_spec(config))

    return _add(root, ref, line, log, once)


def _add(
    root: Path, ref: PersonRef, line: str, add: Callable[[bytes, str], bytes], once: bool
) -> Written:
    """Add `line` to the person's note with `add`; with `once`, only if it is not there."""
    from vaultcrm.edit.engine import edit

    def change(data: bytes) -> bytes:
        return data if once and _count_line(data, line) else add(data, line)

    landed = (lambda _before, after: _count_line(after, line) > 0) if once else one_more(line)
    result = edit(root, ref.file, change, landed=landed)
    return Written(result.rel, line, ref.name, changed=result.changed, conflict=result.conflict)


def _count_line(data: bytes, line: str) -> int:
    text = data.decode("utf-8-sig", errors="replace")
    return sum(1 for existing in text.split("\n") if existing.rstrip("\r") == line)


def one_more(line: str) -> Callable[[bytes, bytes], bool]:
    """Whether the note on disk holds `line` once more than before the edit: an editor that
    re-read the note and saved it back (its own change or none) kept the added line."""
    return lambda before, after: _count_line(after, line) == _count_line(before, line) + 1


def _append_to_daily(root: Path, rel: str, line: str, ref: PersonRef) -> Written:
    from vaultcrm.edit.engine import EditRefused, create, edit
    from vaultcrm.edit.lines import append_line

    if not os.path.lexists(root / rel):
        try:
            create(root, rel, (line + "\n").encode("utf-8"))
            return Written(rel, line, ref.name, created=True)
        except EditRefused as err:
            if err.reason != "it already exists":  # created meanwhile: append instead
                raise
    result = edit(root, rel, lambda data: append_line(data, line), landed=one_more(line))
    return Written(result.rel, line, ref.name, conflict=result.conflict)


def add_reminder(
    session: ReadSession, person: str, day: dt.date, text: str, *, once: bool = False
) -> Written:
    """Add `- [ ] DAY TEXT`, an open follow-up, at the end of the person's note (with
    `once`, only if the note does not hold that line yet: see `log_interaction`)."""
    from vaultcrm.edit.lines import append_line

    people_config(session)
    text = one_line(text, "TEXT")
    ref = resolve_person(session, person)
    line = f"- [ ] {day.isoformat()} {text}"
    return _add(session.root, ref, line, append_line, once)


# --- set ------------------------------------------------------------------------------

_KEY = re.compile(r"[^\W\d][\w-]*(?: [\w-]+)*")
_ISO_LIKE = re.compile(r"\d{4}-\d{2}-\d{2}")
Scalar = str | int | bool | dt.date


def check_key(key: str) -> str:
    if not _KEY.fullmatch(key):
        raise UsageError(
            f"KEY {key!r} is not a frontmatter key vaultcrm writes: letters, digits, _ and -"
        )
    return key


def parse_value(raw: str) -> object:
    """VALUE as YAML would read it, safely: a scalar (text, whole number, true/false, a
    date), a flow list `[a, b]` or a flow mapping `{wedding: 2015-06-01}` of scalars.

    Text that YAML would take for something else (`Nurse: nights`, `#climbing`, `@me`)
    stays text: it is quoted when written. Anchors and nesting are refused, so a value
    can never expand (no "billion laughs").
    """
    import yaml

    text = raw.strip()
    if not text:
        raise UsageError("VALUE is empty: use --unset KEY to remove a key")
    refuse_undecoded(text, "VALUE")
    if _ISO_LIKE.fullmatch(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise UsageError(f"VALUE {raw!r} is not a possible date") from None
    flow = text[0] in "[{"
    if flow and re.search(r"[&*]\S", text):
        raise UsageError("VALUE may not use YAML anchors or aliases (& or *)")
    try:
        value = yaml.safe_load(text)
    except (yaml.YAMLError, ValueError, OverflowError) as err:
        if flow:
            raise UsageError(f"VALUE {raw!r} is not a YAML list or mapping ({err})") from None
        return text
    if isinstance(value, list) and flow:
        return [_scalar(item, raw) for item in value]
    if isinstance(value, dict) and flow:
        return {str(_scalar(k, raw)): _scalar(v, raw) for k, v in value.items()}
    if value is None or isinstance(value, list | dict):
        return text  # `#tag` (a comment to YAML), `- x`, `a: b`: the user meant text
    return _scalar(value, raw)


def _scalar(value: object, raw: str) -> Scalar:
    if isinstance(value, float):
        raise UsageError(
            f"VALUE {raw!r}: decimal numbers cannot be written yet; quote it to keep it as text"
        )
    if isinstance(value, str | int | dt.date):  # bool is an int
        return value
    raise UsageError(f"VALUE {raw!r}: only plain values may go inside a list or mapping")


def validate_field(session: ReadSession, key: str, value: object, person: str) -> None:
    """Refuse a value the vault would report as a problem (a bad cadence, an impossible
    birthday, an unknown circle, an alias someone else has): checked by parsing a note
    holding just that key, exactly as the vault will read it."""
    import yaml

    from vaultcrm.read.parse import parse_note

    config = session.config
    fm = yaml.safe_dump({key: value}, allow_unicode=True, default_flow_style=True, width=2**31 - 1)
    from vaultcrm.read.spec import read_spec

    # read as the vault reads it, with its field spellings: a near miss (`birtday`) is refused
    record = parse_note("VALUE", f"---\n{fm}---\n".encode(), "person", None, read_spec(config))
    problems = list(record.problems)
    if problems:
        raise UsageError(problems[0].message)
    found = record.person
    if found is None:
        return
    if key == "circle" and found.circle is not None:
        check_circle(found.circle, config)
    if key == "aliases":
        taken = taken_names(session)
        own = {f"it is an alias of {person}"}
        for alias in found.aliases:
            holder = taken.get(alias.casefold())
            if holder is not None and holder not in own and alias.casefold() != person.casefold():
                raise UsageError(f"alias {alias!r} is already taken ({holder})")


def set_field(session: ReadSession, person: str, key: str, raw: str) -> Written:
    """Set one frontmatter key; every other byte of the note stays as it was."""
    from vaultcrm.edit.engine import edit, settled
    from vaultcrm.edit.frontmatter import set_frontmatter_key

    people_config(session)
    key = check_key(key)
    ref = resolve_person(session, person)
    value = parse_value(raw)
    validate_field(session, key, value, ref.name)

    def change(data: bytes) -> bytes:
        return set_frontmatter_key(data, key, value)

    result = edit(session.root, ref.file, change, landed=settled(change))
    return Written(
        result.rel,
        f"{key}: {yaml_value(value)}",
        ref.name,
        changed=result.changed,
        conflict=result.conflict,
    )


def unset_field(session: ReadSession, person: str, key: str) -> Written:
    """Remove one frontmatter key and its lines; nothing changes when it is absent."""
    from vaultcrm.edit.engine import edit, settled
    from vaultcrm.edit.frontmatter import unset_frontmatter_key

    people_config(session)
    key = check_key(key)
    ref = resolve_person(session, person)

    def change(data: bytes) -> bytes:
        return unset_frontmatter_key(data, key)

    result = edit(session.root, ref.file, change, landed=settled(change))
    return Written(result.rel, key, ref.name, changed=result.changed, conflict=result.conflict)
