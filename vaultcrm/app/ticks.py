"""Recording the boxes the user ticked in the generated note (whose format, ids included,
is `output.generated`'s).

Recording closes the loop: `sync` (and `watch`) reads the ticks before regenerating the
note, logs each as an interaction dated today in the person's note, or checks off the
original task of a follow-up, through the edit engine. A tick is recorded once: the note
is regenerated right after (without the tick), and a line already logged since the day of
the note the box was ticked in is not logged again, so a sync that failed half-way can
simply run again, and a box ticked on two devices (their versions merged,
`output/merge_note.py`) is one tick.

A tick means the item as its note showed it, on the note's day (`generated.tick_days`).
An item that stays listed after a tick (a birthday, a yearly date, a win: one id per
occurrence) may have passed by the time the tick is read (a merge days later): it is then
found among the reflections of the days before, and logged unless a line for it was
logged since it was first listed. Other kinds have one id per person (or per task) on
every day, so when one is no longer listed today its need was met since: the tick is
ignored, and says so.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from vaultcrm.config import Config, daily_notes
from vaultcrm.errors import VaultcrmError
from vaultcrm.model import Reflection
from vaultcrm.output.generated import item_ids, note_text, recorded_ids, tick_days, ticked
from vaultcrm.reflect.kinds import KIND
from vaultcrm.regular import read_regular
from vaultcrm.words import TICK_SOURCE, TICKS, conflict_message

if TYPE_CHECKING:
    from vaultcrm.edit.engine import EditResult


class TicksNotRecorded(VaultcrmError):
    """Some ticks could not be recorded; they stay ticked so the next sync tries again."""

    def __init__(self, output: str, recorded: Sequence[str], failures: Sequence[str]) -> None:
        count = len(failures)
        items = "1 ticked item" if count == 1 else f"{count} ticked items"
        message = TICKS["not_recorded"].format(
            items=items, output=output, failures="; ".join(failures)
        )
        if recorded:
            message += " " + TICKS["recorded_meanwhile"].format(lines="; ".join(recorded))
        super().__init__(message)
        self.recorded = list(recorded)
        self.failures = list(failures)


def log_text(
    kind: str, config: Config, labels: Iterable[str] = (), relation: str | None = None
) -> str:
    """The interaction text a ticked item of `kind` logs (without the date): the kind's
    words (`{label}`: the items' labels, a yearly date's name; about `relation`, someone
    around the person, when the item is: `logged_for`), then the flag's configured tag (if
    any), so the ledger sees it (`share` → `#shared`)."""
    spec = KIND[kind]
    logged = spec.words.logged
    if relation is not None and spec.words.logged_for is not None:
        logged = spec.words.logged_for
    names = [" ".join(label.replace("#", "").split()) for label in labels]
    label = " and ".join(n for n in names if n) or TICKS["no_label"]
    text = logged.format(label=label, relation=" ".join((relation or "").split()))
    tag = f" #{config.tags[spec.logs_flag]}" if spec.logs_flag else ""
    return f"{text} {TICK_SOURCE}{tag}"


def record_ticks(
    root: Path,
    config: Config,
    today: dt.date,
    reflections: Sequence[Reflection],
    *,
    text: str | None = None,
    skip: set[str] | None = None,
    conflicts: list[str] | None = None,
    reflections_on: Callable[[dt.date], Sequence[Reflection]] | None = None,
) -> list[str]:
    """Record every box ticked in the generated note; the human lines of what was done.

    Only the note vaultcrm wrote (it carries the marker) is read, or `text`, the version
    `sync` read for its compare-and-swap. Ids in `skip` were recorded already by this
    run; the ids recorded now are added to it. A tick whose id matches no current
    reflection is ignored, and says so. Raises `TicksNotRecorded` (after doing all it
    could) when an edit was refused, so those ticks are not lost by regenerating. An
    editor's save kept aside as a conflict copy meanwhile is added to `conflicts` as a
    message (`conflict_message`). `reflections_on(day)` gives another day's reflections,
    for a tick of a kind that stays listed made in a note of an earlier day (see the
    module docstring).
    """
    from vaultcrm.edit.engine import EditRefused

    output = config.output.strip("/")
    if text is None:
        text = note_text(root, output)
    skip = set() if skip is None else skip
    already = recorded_ids(text) | skip
    ticks = [t for t in ticked(text) if t.id not in already]
    if not ticks:
        return []
    by_id = _by_id(reflections)
    own_day, days = tick_days(text, today)
    earlier = _Earlier(reflections_on, today, config) if reflections_on is not None else None
    lines: list[str] = []
    failures: list[str] = []
    done_tasks: set[tuple[str, int]] = set()
    for tick in ticks:
        day = days.get(tick.id, own_day)
        matched = by_id.get(tick.id)
        if not matched and earlier is not None and _lasting(tick.kind):
            found = earlier.find(tick.id, day)
            if found is not None:  # recorded once per occurrence: since it was first listed
                matched, day = found
        if not matched:
            shown = tick.text or tick.id
            lines.append(TICKS["ignored"].format(shown=shown))
            skip.add(tick.id)
            continue
        try:
            if _ticks_off(matched[0]) and not _from_field(root, matched[0]):
                line, conflict = _tick_off(root, config, matched[0], done_tasks)
            elif _ticks_off(matched[0]):  # a task with no line of its own: logged,
                # and the field it was read from cleared (its line is the item's)
                field_line = int(matched[0].data.get("line") or 0)
                line, conflict = _log(root, config, today, matched[:1], field_line=field_line)
            else:
                line, conflict = _log(root, config, today, matched, since=day)
        except EditRefused as err:
            failures.append(str(err))
            continue
        skip.add(tick.id)
        if conflict is not None and conflicts is not None:
            conflicts.append(conflict)
        if line:
            lines.append(line)
    if failures:
        raise TicksNotRecorded(output, lines, failures)
    return lines


def _by_id(reflections: Sequence[Reflection]) -> dict[str, list[Reflection]]:
    by_id: dict[str, list[Reflection]] = {}
    for r, key in zip(reflections, item_ids(reflections), strict=True):
        by_id.setdefault(key, []).append(r)
    return by_id


class _Earlier:
    """An item of a kind that stays listed, looked up on the days before today: from the
    day of the note its tick was made in (which a line-by-line git merge can show later
    than it was) back as far as an item of any such kind is listed (`KindSpec.listed_for`:
    the horizon ahead of a date, `celebrate_within` after a win), each day's reflections
    worked out once."""

    def __init__(
        self,
        reflections_on: Callable[[dt.date], Sequence[Reflection]],
        today: dt.date,
        config: Config,
    ) -> None:
        self.reflections_on = reflections_on
        self.today = today
        lasting = [spec.listed_for(config) for spec in KIND.values() if spec.listed_for]
        self.reach = max(lasting, default=0) + 1
        self.days: dict[dt.date, dict[str, list[Reflection]]] = {}

    def _on(self, day: dt.date) -> dict[str, list[Reflection]]:
        if day not in self.days:
            self.days[day] = _by_id(self.reflections_on(day))
        return self.days[day]

    def find(self, key: str, day: dt.date) -> tuple[list[Reflection], dt.date] | None:
        """The item as the latest listing day at or before `day` showed it, and the first
        day of that listing; None when no day within reach lists it."""
        start = min(day, self.today - dt.timedelta(days=1))
        for back in range(self.reach):
            matched = self._on(start - dt.timedelta(days=back)).get(key)
            if matched:
                break
        else:
            return None
        first = start - dt.timedelta(days=back)
        while back + 1 < 2 * self.reach and self._on(first - dt.timedelta(days=1)).get(key):
            back += 1
            first -= dt.timedelta(days=1)
        return matched, first


def _lasting(kind: str) -> bool:
    spec = KIND.get(kind)
    return spec is not None and spec.stays_after_tick


def _ticks_off(r: Reflection) -> bool:
    """Whether a tick of this item ticks off the task it came from (`KindSpec.tick`)."""
    spec = KIND.get(r.kind)
    return spec is not None and spec.tick == "task"


def _log(
    root: Path,
    config: Config,
    today: dt.date,
    matched: list[Reflection],
    since: dt.date | None = None,
    field_line: int = 0,
) -> tuple[str, str | None]:
    """Log the tick as `- TODAY TEXT`, unless a line `- DAY TEXT` with `since` ≤ DAY ≤
    today is there already: logged by a sync that could not rewrite the note afterwards,
    or by another device that recorded the same tick. A contact logged moves a hand-kept
    `last_contact` field forward; with `field_line`, the ticked follow-up came from the
    `follow_up` field written there, whose value is removed (`edit/fieldline.py`)."""
    from vaultcrm.edit.engine import edit
    from vaultcrm.edit.fieldline import cleared_follow_up, follow_up_key, moved_last_contact
    from vaultcrm.edit.lines import append_log_line
    from vaultcrm.read.spec import read_spec

    r = matched[0]
    labels = [str(m.data.get("label", "")) for m in matched]
    relation = r.data.get("relation")
    text = log_text(r.kind, config, labels, None if relation is None else str(relation))
    line = f"- {today.isoformat()} {text}"
    first = min(since or today, today)
    spec = read_spec(config)
    cleared: list[str] = []
    appended: list[bool] = []

    def add(data: bytes) -> bytes:
        cleared.clear()
        appended.clear()
        if field_line:
            clean = cleared_follow_up(data, field_line, spec)
            key = follow_up_key(data, spec) if clean != data else None
            if key is not None:
                cleared.append(key)
            data = clean
        if _logged_since(data, text, first, today):
            return data
        appended.append(True)
        return moved_last_contact(append_log_line(data, line), today, spec)

    def landed(_before: bytes, after: bytes) -> bool:
        return _logged_since(after, text, first, today) is not None

    result = edit(root, r.file, add, landed=landed)
    said = "".join(TICKS["field_cleared"].format(key=key) for key in cleared)
    if result.changed and appended:
        return f"{result.rel}: {line}{said}", _conflict(result)
    found = _logged_since(_read(root, r.file), text, first, today) or line
    return f"{result.rel}: {found}{TICKS['already_logged']}{said}", _conflict(result)


def _logged_since(data: bytes, text: str, first: dt.date, last: dt.date) -> str | None:
    """The line `- DAY TEXT` with `first` ≤ DAY ≤ `last` in the note, if there is one."""
    decoded = data.decode("utf-8-sig", errors="replace")
    if text not in decoded:
        return None
    for existing in decoded.split("\n"):
        existing = existing.rstrip("\r")
        if existing.startswith("- ") and existing.endswith(" " + text) and len(existing) > 13:
            day = existing[2:12]
            if existing[12:13] == " " and existing[13:] == text and _within(day, first, last):
                return existing
    return None


def _within(day: str, first: dt.date, last: dt.date) -> bool:
    try:
        return first <= dt.date.fromisoformat(day) <= last
    except ValueError:
        return False


def _read(root: Path, rel: str) -> bytes:
    try:
        return read_regular(root / rel)
    except OSError:
        return b""


def _conflict(result: EditResult) -> str | None:
    return None if result.conflict is None else conflict_message(result.rel, result.conflict)


def _from_field(root: Path, r: Reflection) -> bool:
    """Whether a follow-up comes from a person's `follow_up:` field (frontmatter or
    inline) rather than a task line: its line is no list item."""
    source, number = str(r.data.get("source_file")), int(r.data.get("line") or 0)
    if source != r.file:
        return False
    try:
        lines = (root / source).read_bytes().decode("utf-8-sig", errors="replace").split("\n")
    except OSError:
        return False
    line = lines[number - 1] if 0 < number <= len(lines) else ""
    return _LIST_TASK.match(line) is None


_LIST_TASK = re.compile(r"[ \t]*[-*+][ \t]+\[")


def _tick_off(
    root: Path, config: Config, r: Reflection, done: set[tuple[str, int]]
) -> tuple[str, str | None]:
    """Check off the follow-up's own task line, once it is verified to be the same task."""
    from vaultcrm.edit.engine import edit

    source, number = str(r.data["source_file"]), int(r.data["line"])
    text = str(r.data["text"])
    if (source, number) in done:  # one daily-note task can be due for several people
        return "", None
    ticker = _task_ticker(config, source, number, text, person=source == r.file)

    def landed(_before: bytes, after: bytes) -> bool:
        try:
            return ticker(after) == after  # the task is ticked in what is on disk
        except ValueError:
            return False

    result = edit(root, source, ticker, landed=landed)
    done.add((source, number))
    return TICKS["ticked_off"].format(source=source, number=number, text=text), _conflict(result)


def _task_ticker(
    config: Config, source: str, number: int, text: str, *, person: bool
) -> Callable[[bytes], bytes]:
    """A transform that ticks line `number` only if it still is the open task `text`."""

    def tick(data: bytes) -> bytes:
        from vaultcrm.edit.lines import check_task
        from vaultcrm.read.parse import parse_note

        day = None if person else daily_notes(config).date_of(source)
        record = parse_note(source, data, "person" if person else "daily", day)
        entry = next((e for e in record.entries if e.line == number), None)
        if entry is None or entry.task is None or entry.text != text:
            raise ValueError(f"line {number} is no longer the task “{text}”")
        if entry.task == "done":
            return data  # ticked by hand meanwhile: nothing left to do
        return check_task(data, number)

    return tick
