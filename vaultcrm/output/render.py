"""Reflections → the text of "Reflections due", through sandboxed Jinja templates.

Templates ship with the package; a vault overrides any of them by placing a file of the
same name in `.vaultcrm/templates/`. Note text only ever reaches a template as data, so
`{{ }}` written in a note comes out literally.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vaultcrm.model import Interaction, Person, Reflection, YearlyDate, stem_of
from vaultcrm.output.focus import FocusPerson, focus_people, is_not_yet
from vaultcrm.output.generated import head, item_ids
from vaultcrm.output.templates import REFLECTIONS_TEMPLATE, package_templates, template_folders
from vaultcrm.reflect.chart import Chart
from vaultcrm.reflect.kinds import KIND
from vaultcrm.words import (
    MONTHS,
    MONTHS_SHORT,
    NOT_YET_TITLE,
    WEEKDAYS,
    detag,
    focus_labels,
    human_day,
)

__all__ = ["Item", "Section", "detag", "render_note"]

if TYPE_CHECKING:
    from vaultcrm.output.template_limits import Limits


class Item:
    """A reflection with what a template needs around it: the person and the last contact.

    A plain class with slots, not a frozen dataclass: a note is built from every item
    due (thousands on a big vault), and a frozen dataclass's `__init__` costs four times
    as much. Compared and hashed by reflection, id and done, as a dataclass would be.
    """

    __slots__ = ("reflection", "id", "done", "kind", "name", "_people", "_last", "_open")

    def __init__(
        self,
        reflection: Reflection,
        id: str,  # noqa: A002 — the item's id in the note, as templates call it
        done: bool,  # recorded already, and stays listed (`KindSpec.stays_after_tick`)
        people: Mapping[str, Person],
        last: Mapping[str, Interaction],
        opened: Mapping[str, Interaction],
    ) -> None:
        self.reflection = reflection
        self.id = id
        self.done = done
        self.kind: str = reflection.kind
        self.name: str = reflection.person
        # Where the person, their last contact and last open exchange are looked up when
        # a template asks: those from the index are decoded then (the note shows a few
        # hundred items of thousands).
        self._people = people
        self._last = last
        self._open = opened

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Item):
            return NotImplemented
        return (self.reflection, self.id, self.done) == (other.reflection, other.id, other.done)

    def __hash__(self) -> int:
        return hash((self.reflection, self.id, self.done))

    def __repr__(self) -> str:
        return f"Item(reflection={self.reflection!r}, id={self.id!r}, done={self.done!r})"

    @property
    def person(self) -> Person:
        return self._people[self.reflection.person]

    @property
    def last(self) -> Interaction | None:
        """The last contact on or before today, if any."""
        return self._last.get(self.reflection.person)

    @property
    def open(self) -> Interaction | None:
        """The last open exchange (#shared, #heard or #deep) on or before today, if any."""
        return self._open.get(self.reflection.person)

    @property
    def reason(self) -> str:
        return self.reflection.reason

    @property
    def data(self) -> Any:
        return self.reflection.data


@dataclass(frozen=True)
class Section:
    """The items of one kind, under the heading the note gives that kind."""

    kind: str
    title: str
    items: tuple[Item, ...]
    more: int = 0  # items of this kind left out (section_limit); `due --kind` lists them


#: The types a template reaches through its variables (see RecordSandbox).
_RECORDS = frozenset(
    {Item, Section, FocusPerson, Chart, Reflection, Person, Interaction, YearlyDate, dt.date}
)


def build_items(
    reflections: Sequence[Reflection],
    people: Mapping[str, Person],
    last: Mapping[str, Interaction],
    done: Collection[str] = (),
    last_open: Mapping[str, Interaction] | None = None,
) -> list[Item]:
    """Attach to each reflection its person, their last contact and last open exchange,
    its id (unique in the note) and whether it is done."""
    opened = last_open or {}
    return [
        Item(r, key, key in done, people, last, opened)
        for r, key in zip(reflections, item_ids(reflections), strict=True)
    ]


def sections_of(items: Iterable[Item], limit: int | None = None) -> list[Section]:
    """One section per kind that has items, in report order; items keep their order (most
    urgent first), the first `limit` of them listed and the rest counted in `more`."""
    by_kind: dict[str, list[Item]] = {}
    for item in items:
        by_kind.setdefault(item.kind, []).append(item)
    out = []
    for kind in KIND.names:
        found = by_kind.get(kind)
        if found:
            shown = found if limit is None else found[:limit]
            out.append(Section(kind, KIND[kind].title, tuple(shown), len(found) - len(shown)))
    return out


def _not_yet_section(items: Sequence[Item], limit: int | None) -> Section | None:
    """The people not in the notes yet, as one section (of their kind), capped like
    every section; None when there are none."""
    if not items:
        return None
    shown = items if limit is None else items[:limit]
    kind = items[0].kind
    return Section(kind, NOT_YET_TITLE, tuple(shown), len(items) - len(shown))


def long_date(value: dt.date) -> str:
    """'Monday 23 November 2026', independent of the machine's locale."""
    return f"{WEEKDAYS[value.weekday()]} {value.day} {MONTHS[value.month - 1]} {value.year}"


def short_date(value: dt.date) -> str:
    return f"{value.day} {MONTHS_SHORT[value.month - 1]}"


def thousands(value: int) -> str:
    """12345 → '12,345'."""
    return f"{value:,}"


def wikilink(name: str, stems: Mapping[str, str] | None = None) -> str:
    """`[[name]]`; `[[stem|name]]` for someone whose name is not their note's file name
    (`stems`: name → stem), so the link resolves in Obsidian and reads as their name."""
    stem = stems.get(name) if stems else None
    if stem is None:
        return f"[[{name}]]"
    return f"[[{stem}|{name.replace('[', '(').replace(']', ')').replace('|', '/')}]]"


def _links_to(text: str, targets: Collection[str]) -> bool:
    """Whether `text` holds a wikilink to one of `targets` (casefolded names or stems)."""
    from vaultcrm.read.parse import find_links

    return any(t.casefold() in targets for t in find_links(text))


def linked(
    reason: str, name: str, sep: str = " — ", stems: Mapping[str, str] | None = None
) -> str:
    """The reason naming the person by a link: their first mention outside a link turned
    into one, else as it is when it links them already, else with the link in front (then
    `sep`), so every line names whom it is about."""
    at = _plain_mention(reason, name)
    if at >= 0:
        return reason[:at] + wikilink(name, stems) + reason[at + len(name) :]
    stem = stems.get(name) if stems else None
    if "[[" in reason and _links_to(reason, {name.casefold(), (stem or name).casefold()}):
        return reason
    return f"{wikilink(name, stems)}{sep}{reason}"


def _plain_mention(reason: str, name: str) -> int:
    """Where `name` first appears in `reason` as a whole word outside a `[[link]]`
    (`Bo` in "Call Bo", never in "Boston"); -1 when it does not."""
    at = reason.find(name)
    while at >= 0:
        end = at + len(name)
        whole = (at == 0 or not _word(reason[at - 1])) and (
            end == len(reason) or not _word(reason[end])
        )
        opened, closed = reason.rfind("[[", 0, at), reason.rfind("]]", 0, at)
        if whole and opened <= closed:  # a word of its own, not inside a link
            return at
        at = reason.find(name, at + 1)
    return -1


def _word(char: str) -> bool:
    return char.isalnum() or char == "_"


def link_stems(items: Iterable[Item]) -> dict[str, str]:
    """name → their note's stem, for the people whose name is not their file name (a
    `name:` field): what `wikilink` needs to make links that resolve."""
    stems: dict[str, str] = {}
    for item in items:
        stem = stem_of(item.reflection.file)
        if stem != item.name:
            stems[item.name] = stem
    return stems


def _bytecode_cache() -> Any:
    """Compiled templates kept beside the index; None if the folder cannot be made."""
    from vaultcrm.locate import cache_dir
    from vaultcrm.output.sandbox import ForgivingBytecodeCache

    folder = cache_dir() / "templates"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return ForgivingBytecodeCache(str(folder))


def make_environment(
    root: Path,
    limits: Limits | None = None,
    today: dt.date | None = None,
    stems: Mapping[str, str] | None = None,
) -> Any:
    """A sandboxed environment (`output/sandbox.py`): StrictUndefined, templates only
    from the two folders, never through a symlink that leaves them, and run within
    `limits` (its `budget`, see template_limits.run_template). `stems` (name → file
    stem) makes the links to people named by a `name:` field `[[stem|name]]`."""
    from vaultcrm.output.sandbox import sandbox
    from vaultcrm.output.template_limits import Budget, default_limits

    def link(name: str) -> str:
        return wikilink(name, stems)

    def link_in(reason: str, name: str, sep: str = " — ") -> str:
        return linked(reason, name, sep, stems)

    filters: dict[str, Any] = {
        "wikilink": link,
        "linked": link_in,
        "detag": detag,
        "long_date": long_date,
        "short_date": short_date,
        "thousands": thousands,
    }
    if today is not None:
        filters["day"] = lambda value: human_day(value, today)
    budget = Budget(limits or default_limits())
    folders = [str(p) for p in template_folders(root)]
    return sandbox(budget, folders, _RECORDS, filters, _bytecode_cache())


def kinds_named(env: Any) -> frozenset[str] | None:
    """The kinds a vault's own `reflections.md.j2` names, when it names some of them and
    not all: it picks a line per kind, and was written before the others existed (they
    would fail its render). None when the package's template is used, or the override
    names every kind or none (it treats every item alike)."""
    found = _override_naming(env)
    return None if found is None else found[1]


def kinds_left_out(root: Path) -> tuple[Path, tuple[str, ...]] | None:
    """The vault's own `reflections.md.j2` and the kinds whose items its note leaves out
    (`kinds_named`), in report order; None when it leaves none out. For `check`, which
    says so: a kind added since the template was copied is otherwise never seen."""
    found = _override_naming(make_environment(root))
    if found is None:
        return None
    path, named = found
    return path, tuple(k for k in KIND.names if k not in named)


def _override_naming(env: Any) -> tuple[Path, frozenset[str]] | None:
    import re

    from jinja2 import TemplateNotFound

    from vaultcrm.errors import VaultcrmError

    try:
        source, filename, _ = env.loader.get_source(env, REFLECTIONS_TEMPLATE)
    except (TemplateNotFound, OSError, UnicodeError, VaultcrmError):
        return None  # the render says why, in its own words
    path = Path(filename)
    if path.resolve().is_relative_to(package_templates().resolve()):
        return None
    named = frozenset(k for k in KIND.names if re.search(rf"\b{k}\b", source))
    return (path, named) if named and len(named) < len(KIND) else None


def render_note(
    root: Path,
    items: Sequence[Item],
    today: dt.date,
    problem_count: int = 0,
    limits: Limits | None = None,
    *,
    focus: int = 5,
    section_limit: int | None = 25,
    chart: Chart | None = None,
) -> str:
    """The full text of the generated note, marker frontmatter included, LF line endings.

    The note leads with the `focus` most urgent people (output/focus.py), then the
    sections by kind with everyone else, each capped at `section_limit`, then the chart.
    Items already recorded are listed as `done` in the frontmatter, so the next sync
    knows their ticks need no recording again. A vault's override written before some
    kinds existed leaves their items out (`kinds_named`), rather than fail. A template
    mistake or a template past its `limits` raises `TemplateError` (`path:line:
    message`), before anything is written.
    """
    from vaultcrm.output.template_limits import run_template

    env = make_environment(root, limits, today, link_stems(items))
    known = kinds_named(env)
    if known is not None:
        items = [i for i in items if i.kind in known]
    leading = focus_people(items, focus)
    chosen = {f.name for f in leading}
    rest = [i for i in items if i.name not in chosen] if chosen else items
    # people not in the notes yet: one compact list, not a line (and a focus place) each
    waiting = [i for i in rest if is_not_yet(i)]
    if waiting:
        rest = [i for i in rest if not is_not_yet(i)]
    context = {
        "today": today,
        "items": list(items),
        "people_count": len({i.name for i in items}),
        "sections": sections_of(items),
        "focus": leading,
        "focus_labels": focus_labels(),
        "rest": sections_of(rest, section_limit),
        "not_yet": _not_yet_section(waiting, section_limit),
        "chart": chart,
        "problem_count": problem_count,
    }
    body = run_template(env, REFLECTIONS_TEMPLATE, context, root)
    text = head(today, (i.id for i in items if i.done)) + body
    return text if text.endswith("\n") else text + "\n"
