"""Reflections → the text of "Reflections due", through sandboxed Jinja templates.

Templates ship with the package; a vault overrides any of them by placing a file of the
same name in `.vaultcrm/templates/`. Note text only ever reaches a template as data, so
`{{ }}` written in a note comes out literally.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import stat
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vaultcrm.errors import VaultcrmError
from vaultcrm.model import Interaction, Person, Reflection, YearlyDate
from vaultcrm.output.generated import head, item_id
from vaultcrm.output.templates import REFLECTIONS_TEMPLATE, template_folders
from vaultcrm.reflect.kinds import KIND, KINDS
from vaultcrm.regular import NOT_REGULAR
from vaultcrm.words import MONTHS, MONTHS_SHORT, WEEKDAYS

if TYPE_CHECKING:
    from vaultcrm.output.template_limits import Limits


@dataclass(frozen=True)
class Item:
    """A reflection with what a template needs around it: the person and the last contact."""

    reflection: Reflection
    person: Person
    last: Interaction | None
    id: str
    done: bool = False  # recorded already, and stays listed (`KindSpec.stays_after_tick`)

    @property
    def kind(self) -> str:
        return self.reflection.kind

    @property
    def name(self) -> str:
        return self.reflection.person

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


#: The types a template reaches through `items` and `sections` (see RecordSandbox).
_RECORDS = frozenset({Item, Section, Reflection, Person, Interaction, YearlyDate, dt.date})


def build_items(
    reflections: Iterable[Reflection],
    people: Mapping[str, Person],
    last: Mapping[str, Interaction],
    done: Collection[str] = (),
) -> list[Item]:
    """Attach to each reflection its person, their last contact, and whether it is done."""
    items = []
    for r in reflections:
        key = item_id(r)
        items.append(Item(r, people[r.person], last.get(r.person), key, key in done))
    return items


def sections_of(items: Sequence[Item]) -> list[Section]:
    """One section per kind that has items, in KINDS order; items keep their order."""
    by_kind: dict[str, list[Item]] = {}
    for item in items:
        by_kind.setdefault(item.reflection.kind, []).append(item)
    return [
        Section(kind, KIND[kind].title, tuple(by_kind[kind]))
        for kind in KINDS
        if kind in by_kind
    ]


def long_date(value: dt.date) -> str:
    """'Monday 23 November 2026', independent of the machine's locale."""
    return f"{WEEKDAYS[value.weekday()]} {value.day} {MONTHS[value.month - 1]} {value.year}"


def short_date(value: dt.date) -> str:
    return f"{value.day} {MONTHS_SHORT[value.month - 1]}"


def wikilink(name: str) -> str:
    return f"[[{name}]]"


def linked(reason: str, name: str) -> str:
    """The reason with the person's first mention turned into a link, or the link in front."""
    if name in reason:
        return reason.replace(name, wikilink(name), 1)
    return f"{wikilink(name)} — {reason}"


_TAG = re.compile(r"(?<!\S)#([\w/-]+)")
_BLANKS = re.compile(r"[ \t]{2,}")


def _keep_numbers(m: re.Match[str]) -> str:
    return m.group(0) if m.group(1).isdigit() else ""


def detag(text: str) -> str:
    """Quoted note text without its #tags, so the dashboard does not inflate tag counts.

    Runs on every line of the note: the regular expressions only run when their
    character is there (most lines have no tag and no run of blanks)."""
    if "#" in text:
        text = _TAG.sub(_keep_numbers, text)
    if "  " in text or "\t" in text:
        text = _BLANKS.sub(" ", text)
    return text.strip()


def _bytecode_cache() -> Any:
    """Compiled templates kept beside the index (saves ~40 ms a run); None if unwritable."""
    import jinja2

    from vaultcrm.cache.store import cache_dir

    folder = cache_dir() / "templates"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(folder))


def make_environment(root: Path, limits: Limits | None = None) -> Any:
    """A sandboxed environment: StrictUndefined, templates only from the two folders,
    never through a symlink that leaves them, and run within `limits` (its `budget`,
    see template_limits.run_template)."""
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    from vaultcrm.output.template_limits import (
        SIZED_FILTERS,
        BoundedRange,
        Budget,
        check_binop,
        check_call,
        default_limits,
        guard_filter,
    )

    budget = Budget(limits or default_limits())

    class ContainedLoader(jinja2.FileSystemLoader):
        """One folder; a template that resolves outside it (a symlink) does not exist."""

        def get_source(
            self, environment: jinja2.Environment, template: str
        ) -> tuple[str, str, Callable[[], bool]]:
            candidate = os.path.join(self.searchpath[0], *template.split("/"))
            with contextlib.suppress(OSError):  # absent: jinja2 says so in its own words
                if not stat.S_ISREG(os.stat(candidate).st_mode):  # a FIFO would hang open()
                    raise VaultcrmError(f"{candidate}: {NOT_REGULAR}")
            source, filename, uptodate = super().get_source(environment, template)
            base = os.path.realpath(self.searchpath[0])
            if os.path.commonpath([base, os.path.realpath(filename)]) != base:
                raise jinja2.TemplateNotFound(template)
            return source, filename, uptodate

    class RecordSandbox(SandboxedEnvironment):
        """Jinja's sandbox with a short cut for the records vaultcrm hands a template."""

        def getattr(self, obj: Any, attribute: str) -> Any:
            # The full check costs ~1 µs and runs ~8 times per listed reflection, ~10 ms
            # for a big vault. For a public name on these records it can only say yes:
            # none is a function, type, frame or generator, and no attribute holds a
            # str.format. Anything else, underscores included, takes the full check.
            if type(obj) in _RECORDS and attribute[:1] != "_":
                try:
                    return getattr(obj, attribute)
                except AttributeError:
                    pass
            return super().getattr(obj, attribute)

        # `*`, `**` and `+` go through call_binop, which refuses results too big to make
        # (and keeps Jinja from folding them at compile time)
        intercepted_binops = frozenset({"*", "**", "+"})

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            check_binop(budget, operator, left, right)
            return super().call_binop(context, operator, left, right)

        def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
            check_call(budget, __obj, args, kwargs)
            return budget.size(super().call(__context, __obj, *args, **kwargs))

    env = RecordSandbox(
        bytecode_cache=_bytecode_cache(),
        loader=jinja2.ChoiceLoader(
            [ContainedLoader(str(p), followlinks=False) for p in template_folders(root)]
        ),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        wikilink=wikilink, linked=linked, detag=detag, long_date=long_date, short_date=short_date
    )
    env.filters.update({name: guard_filter(budget, env.filters[name]) for name in SIZED_FILTERS})
    env.globals["range"] = lambda *args: BoundedRange(budget, *args)
    env.budget = budget  # type: ignore[attr-defined]
    return env


def render_note(
    root: Path,
    items: Sequence[Item],
    today: dt.date,
    problem_count: int = 0,
    limits: Limits | None = None,
) -> str:
    """The full text of the generated note, marker frontmatter included, LF line endings.

    Items already recorded are listed as `done` in the frontmatter, so the next sync
    knows their ticks need no recording again. A template mistake or a template past its
    `limits` raises `TemplateError` (`path:line: message`), before anything is written.
    """
    from vaultcrm.output.template_limits import run_template

    env = make_environment(root, limits)
    context = {
        "today": today,
        "items": list(items),
        "sections": sections_of(items),
        "problem_count": problem_count,
    }
    body = run_template(env, REFLECTIONS_TEMPLATE, context, root)
    text = head(today, (i.id for i in items if i.done)) + body
    return text if text.endswith("\n") else text + "\n"
