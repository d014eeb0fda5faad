"""Stable ids for the generated note's task lines, and recording the ones the user ticked.

Each actionable line ends in an Obsidian block id (`^vcrm-reach-out-1a2b3c4d`): hidden in
Obsidian's preview, stable across runs, and enough to know what a tick meant even after
the note's wording (a template override) changed.

Recording closes the loop: `sync` (and `watch`) reads the ticks before regenerating the
note, logs each as an interaction dated today in the person's note, or checks off the
original task of a follow-up, through the edit engine. A tick is recorded once: the note
is regenerated right after (without the tick), and a line already logged today is not
logged again, so a sync that failed half-way can simply run again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .config import Config, daily_notes
from .errors import VaultcrmError
from .model import Reflection

if TYPE_CHECKING:
    from .edit import EditResult

_TICKED = re.compile(
    r"^[ \t]*[-*+] \[[xX]\] (?P<text>.*?)[ \t]*\^(?P<id>vcrm-(?P<kind>[a-z-]+)-[0-9a-f]{8})"
    r"[ \t]*\r?$",
    re.M,
)


def _digest(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode(), usedforsecurity=False).hexdigest()[:8]


def id_for(kind: str, person: str, *key: str) -> str:
    return f"vcrm-{kind.replace('_', '-')}-{_digest(kind, person, *key)}"


def item_id(r: Reflection) -> str:
    """Follow-ups are told apart by where and what they are, birthdays and yearly dates by
    their label and occurrence, wins by their day and text; other kinds by person alone."""
    if r.kind == "follow_up":
        key = [r.data.get("source_file", ""), r.data.get("date", ""), r.data.get("text", "")]
    elif r.kind == "birthday":
        key = [r.data.get("date", "")]  # each year's birthday is its own item
    elif r.kind == "date":
        key = [r.data.get("label", ""), r.data.get("date", "")]
    elif r.kind == "celebrate":
        key = [r.data.get("date", ""), r.data.get("text", "")]
    else:
        key = []
    return id_for(r.kind, r.person, *(str(k) for k in key))


@dataclass(frozen=True)
class Tick:
    id: str
    kind: str
    text: str = ""  # the ticked line as the note showed it, for messages


def ticked(text: str) -> list[Tick]:
    """Ids of the ticked task lines in a generated note, in order, each once."""
    seen: dict[str, Tick] = {}
    for m in _TICKED.finditer(text):
        tick = Tick(m.group("id"), m.group("kind").replace("-", "_"), m.group("text").strip())
        seen.setdefault(tick.id, tick)
    return list(seen.values())


# --- acknowledged items -----------------------------------------------------------------

#: Kinds whose reflection can outlive the contact a tick logs (a birthday is still ahead
#: after you wrote; a win today is not "since" a contact today). Once recorded, they stay
#: ticked in the note, listed in its frontmatter as `done`, so a tick is recorded once.
STAYS_AFTER_TICK = frozenset({"birthday", "date", "celebrate"})

_DONE_LINE = re.compile(r"^done: \[(.*)\]\r?$", re.M)


def recorded_ids(text: str) -> set[str]:
    """Ids the generated note lists as already recorded (its frontmatter's `done`)."""
    head = text.split("\n---", 1)[0] if text.startswith("---") else ""
    found = _DONE_LINE.search(head)
    return {i.strip() for i in found.group(1).split(",") if i.strip()} if found else set()


def acknowledged(text: str, reflections: Sequence[Reflection]) -> set[str]:
    """Items of the lasting kinds that the user has ticked and still has ticked."""
    lasting = {item_id(r) for r in reflections if r.kind in STAYS_AFTER_TICK}
    return {t.id for t in ticked(text)} & lasting


# --- recording --------------------------------------------------------------------------

#: What a ticked item logs in the person's note, after the date; the flag (if any) adds
#: its configured tag, so the ledger sees it (`share` → `#shared`).
LOGGED: dict[str, tuple[str, str | None]] = {
    "reach_out": ("Reached out", None),
    "share": ("Shared something of my own", "shared"),
    "listen": ("Asked, and listened", "heard"),
    "deep": ("A truly open conversation", "deep"),
    "birthday": ("Birthday wishes", None),
    "date": ("Marked the {label}", None),
    "celebrate": ("Celebrated their win", None),
}
SOURCE = "(from Reflections due)"


class TicksNotRecorded(VaultcrmError):
    """Some ticks could not be recorded; they stay ticked so the next sync tries again."""

    def __init__(self, output: str, recorded: Sequence[str], failures: Sequence[str]) -> None:
        count = len(failures)
        items = "1 ticked item" if count == 1 else f"{count} ticked items"
        message = (
            f"could not record {items} of {output}: {'; '.join(failures)}. "
            "They stay ticked: fix the cause and sync again, or untick them."
        )
        if recorded:
            message += " Recorded meanwhile: " + "; ".join(recorded)
        super().__init__(message)
        self.recorded = list(recorded)
        self.failures = list(failures)


def log_text(kind: str, config: Config, labels: Iterable[str] = ()) -> str:
    """The interaction text a ticked item of `kind` logs (without the date)."""
    words, flag = LOGGED[kind]
    names = [" ".join(label.replace("#", "").split()) for label in labels]
    words = words.format(label=" and ".join(n for n in names if n) or "date")
    tag = f" #{config.tags[flag]}" if flag else ""
    return f"{words} {SOURCE}{tag}"


def record_ticks(
    root: Path,
    config: Config,
    today: dt.date,
    reflections: Sequence[Reflection],
    *,
    text: str | None = None,
    skip: set[str] | None = None,
    conflicts: list[str] | None = None,
) -> list[str]:
    """Record every box ticked in the generated note; the human lines of what was done.

    Only the note vaultcrm wrote (it carries the marker) is read, or `text`, the version
    `sync` read for its compare-and-swap. Ids in `skip` were recorded already by this
    run; the ids recorded now are added to it. A tick whose id matches no current
    reflection is ignored, and says so. Raises `TicksNotRecorded` (after doing all it
    could) when an edit was refused, so those ticks are not lost by regenerating. An
    editor's save kept aside as a conflict copy meanwhile is added to `conflicts` as a
    message (`conflict_message`).
    """
    from .edit import EditRefused

    output = config.output.strip("/")
    if text is None:
        text = _read_generated(root, output)
    skip = set() if skip is None else skip
    already = recorded_ids(text) | skip
    ticks = [t for t in ticked(text) if t.id not in already]
    if not ticks:
        return []
    by_id: dict[str, list[Reflection]] = {}
    for r in reflections:
        by_id.setdefault(item_id(r), []).append(r)
    lines: list[str] = []
    failures: list[str] = []
    done_tasks: set[tuple[str, int]] = set()
    for tick in ticks:
        matched = by_id.get(tick.id)
        if not matched:
            shown = tick.text or tick.id
            lines.append(f"nothing for “{shown}”: it is no longer due, so the tick was ignored")
            skip.add(tick.id)
            continue
        try:
            if tick.kind == "follow_up":
                line, conflict = _tick_off(root, config, matched[0], done_tasks)
            else:
                line, conflict = _log(root, config, today, matched)
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


def _read_generated(root: Path, output: str) -> str:
    """The generated note's text, or "" when it is absent, unreadable or not ours."""
    from .edit import EditRefused, read_for_edit
    from .render import MARKER

    if not (root / output).exists():
        return ""
    try:
        data = read_for_edit(root, output, validate=False).data
    except EditRefused:
        return ""  # writing it is refused too, with the reason: `sync` reports that
    if MARKER.encode() not in data:
        return ""
    return data.decode("utf-8", errors="replace")


def conflict_message(rel: str, conflict: str) -> str:
    """What a command says when the edit engine kept an editor's save as a conflict copy."""
    return (
        f"{rel}: your editor saved this note while vaultcrm wrote it; "
        f"your version is kept as {conflict}"
    )


def _log(
    root: Path, config: Config, today: dt.date, matched: list[Reflection]
) -> tuple[str, str | None]:
    from .edit import edit
    from .surgery import append_log_line

    r = matched[0]
    labels = [str(m.data.get("label", "")) for m in matched if r.kind == "date"]
    line = f"- {today.isoformat()} {log_text(r.kind, config, labels)}"

    def add(data: bytes) -> bytes:
        if _has_line(data, line):
            return data  # logged by a sync that could not rewrite the note afterwards
        return append_log_line(data, line)

    result = edit(root, r.file, add, landed=lambda _before, after: _has_line(after, line))
    said = f"{result.rel}: {line}" + ("" if result.changed else " (already logged)")
    return said, _conflict(result)


def _conflict(result: EditResult) -> str | None:
    return None if result.conflict is None else conflict_message(result.rel, result.conflict)


def _has_line(data: bytes, line: str) -> bool:
    text = data.decode("utf-8-sig", errors="replace")
    return any(existing.rstrip("\r") == line for existing in text.split("\n"))


def _tick_off(
    root: Path, config: Config, r: Reflection, done: set[tuple[str, int]]
) -> tuple[str, str | None]:
    """Check off the follow-up's own task line, once it is verified to be the same task."""
    from .edit import edit

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
    return f"{source}:{number}: ticked off “{text}”", _conflict(result)


def _task_ticker(
    config: Config, source: str, number: int, text: str, *, person: bool
) -> Callable[[bytes], bytes]:
    """A transform that ticks line `number` only if it still is the open task `text`."""

    def tick(data: bytes) -> bytes:
        from .parse import parse_note
        from .surgery import check_task

        day = None if person else daily_notes(config).date_of(source)
        record = parse_note(source, data, "person" if person else "daily", day)
        entry = next((e for e in record.entries if e.line == number), None)
        if entry is None or entry.task is None or entry.text != text:
            raise ValueError(f"line {number} is no longer the task “{text}”")
        if entry.task == "done":
            return data  # ticked by hand meanwhile: nothing left to do
        return check_task(data, number)

    return tick
