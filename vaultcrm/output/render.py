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

from vaultcrm.model import Interaction, Person, Reflection, YearlyDate
from vaultcrm.output.focus import FocusPerson, focus_people
from vaultcrm.output.generated import head, item_ids
from vaultcrm.output.templates import REFLECTIONS_TEMPLATE, package_templates, template_folders
from vaultcrm.reflect.chart import Chart
from vaultcrm.reflect.kinds import KIND
from vaultcrm.words import MONTHS, MONTHS_SHORT, WEEKDAYS, detag, focus_labels, human_day

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


def long_date(value: dt.date) -> str:
    """'Monday 23 November 2026', independent of the machine's locale."""
    return f"{WEEKDAYS[value.weekday()]} {value.day} {MONTHS[value.month - 1]} {value.year}"


def short_date(value: dt.date) -> str:
    return f"{value.day} {MONTHS_SHORT[value.month - 1]}"


def thousands(value: int) -> str:
    """12345 → '12,345'."""
    return f"{value:,}"


def wikilink(name: str) -> str:
    return f"[[{name}]]"


def linked(reason: str, name: str) -> str:
    """The reason with the person's first mention outside a link turned into a link; as
    it is when it already links them; else with the link in front."""
    at = reason.find(name)
    while at >= 0:
        if reason.rfind("[[", 0, at) <= reason.rfind("]]", 0, at):  # not inside a link
            return reason[:at] + wikilink(name) + reason[at + len(name) :]
        at = reason.find(name, at + len(name))
    if f"[[{name}" in reason:
        return reason
    return f"{wikilink(name)} — {reason}"


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
    root: Path, limits: Limits | None = None, today: dt.date | None = None
) -> Any:
    """A sandboxed environment (`output/sandbox.py`): StrictUndefined, templates only
    from the two folders, never through a symlink that leaves them, and run within
    `limits` (its `budget`, see template_limits.run_template)."""
    from vaultcrm.output.sandbox import sandbox
    from vaultcrm.output.template_limits import Budget, default_limits

    filters: dict[str, Any] = {
        "wikilink": wikilink,
        "linked": linked,
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
    import re

    from jinja2 import TemplateNotFound

    from vaultcrm.errors import VaultcrmError

    try:
        source, filename, _ = env.loader.get_source(env, REFLECTIONS_TEMPLATE)
    except (TemplateNotFound, OSError, UnicodeError, VaultcrmError):
        return None  # the render says why, in its own words
    if Path(filename).resolve().is_relative_to(package_templates().resolve()):
        return None
    named = frozenset(k for k in KIND.names if re.search(rf"\b{k}\b", source))
    return named if named and len(named) < len(KIND) else None


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

    env = make_environment(root, limits, today)
    known = kinds_named(env)
    if known is not None:
        items = [i for i in items if i.kind in known]
    leading = focus_people(items, focus)
    chosen = {f.name for f in leading}
    rest = [i for i in items if i.name not in chosen] if chosen else items
    context = {
        "today": today,
        "items": list(items),
        "people_count": len({i.name for i in items}),
        "sections": sections_of(items),
        "focus": leading,
        "focus_labels": focus_labels(),
        "rest": sections_of(rest, section_limit),
        "chart": chart,
        "problem_count": problem_count,
    }
    body = run_template(env, REFLECTIONS_TEMPLATE, context, root)
    text = head(today, (i.id for i in items if i.done)) + body
    return text if text.endswith("\n") else text + "\n"
