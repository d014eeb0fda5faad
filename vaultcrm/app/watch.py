"""Keep "Reflections due" current while the vault changes: debounced, coalesced, incremental.

The watchdog callback only records which paths changed and wakes the loop (as mkdocs
does); the loop waits until the events settle for `debounce` seconds — or `max_wait`, so
an endless stream still renders — and then runs one `app.sync.sync`, which re-reads only
the files the index sees as changed. A `git checkout` of thousands of files is one pass.

The watcher's own write is recognised by its bytes and ignored, so it never feeds itself;
a user's edit of the generated note (a ticked box) runs a pass. Nothing here prints:
everything a user should see is a `Report` handed to the `report` callback. A bad note or
a failed pass is reported and the watching goes on.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from vaultcrm.cache.store import CacheNote, take_notes
from vaultcrm.config import (
    CONFIG_FILE,
    OBSIDIAN_DAILY,
    OBSIDIAN_TEMPLATES,
    TEMPLATER_SETTINGS,
    Config,
)
from vaultcrm.edit.engine import TEMP_TAG
from vaultcrm.model import Problem, Reflection, capped_problem_lines
from vaultcrm.read.session import ReadPolicy, ReadSession
from vaultcrm.read.walk import SKIP_DIRS
from vaultcrm.reflect.chart import Chart
from vaultcrm.reflect.kinds import KIND
from vaultcrm.regular import read_regular
from vaultcrm.words import INBOX, MONTHS, count_interactions, count_reflections, relative_day
from vaultcrm.words import WATCH as MESSAGES

if TYPE_CHECKING:
    from vaultcrm.app.inbox import InboxResult
    from vaultcrm.app.outcome import SyncResult

#: A change under this folder re-renders (template overrides); the rest of .vaultcrm/ is ours.
TEMPLATES_DIR = ".vaultcrm/templates"
#: Force the polling observer (also the CLI's hidden `--polling`).
POLLING_ENV = "VAULTCRM_WATCH_POLLING"
POLL_INTERVAL = 2.0
#: However busy the vault, a pass runs at least this often while events keep coming.
MAX_WAIT = 5.0
#: The loop never sleeps longer than this, so a stop or a new day is seen within it.
TICK = 0.5
#: A failed pass is retried after 1, 2, 4 … seconds, up to this (a `git checkout` holding
#: index.lock makes the write refuse, and .git/ itself is not watched).
RETRY_MAX = 30.0
#: At most this many changes are spelt out in one log line.
CHANGES_SHOWN = 4

ReportKind = Literal["start", "hint", "rewrite", "recorded", "problem", "notice", "error"]

@dataclass(frozen=True)
class Report:
    """One thing the watcher wants a user to know. `problem`, `notice` and `error` are for
    stderr; `exc` carries the exception behind an `error` (for `--debug`)."""

    kind: ReportKind
    text: str
    exc: BaseException | None = None

    @property
    def is_error(self) -> bool:
        return self.kind in ("problem", "notice", "error")


# --- which paths matter --------------------------------------------------------------------


def is_temp(name: str) -> bool:
    """Editors' swap, backup and probe files, and the edit engine's hidden temp files."""
    return (
        name.endswith(("~", ".tmp", ".swp", ".swx", ".swo"))
        or name.startswith(".#")
        or name == "4913"  # vim checks it may write a folder by creating this file
        or (name.startswith(".") and TEMP_TAG in name)
    )


def candidate(rel: str, is_dir: bool) -> bool:
    """Could a change at this vault-relative path matter? String checks only, so the
    observer's thread stays cheap; the loop then checks against the current config."""
    if not rel:
        return False
    parts = rel.split("/")
    if is_temp(parts[-1]):
        return False
    if rel in _SETTINGS or rel.startswith(TEMPLATES_DIR + "/"):
        return True
    if is_dir and (rel in (".vaultcrm", ".obsidian") or TEMPLATER_SETTINGS.startswith(rel + "/")):
        return True  # the folder holding the templates or the Obsidian settings went
    if any(part.startswith(".") or part in SKIP_DIRS for part in parts):
        return False
    return is_dir or rel.endswith(".md") or rel == CONFIG_FILE


#: Files outside the notes whose changes re-render: settings the config is read from.
_SETTINGS = frozenset({TEMPLATES_DIR, OBSIDIAN_DAILY, OBSIDIAN_TEMPLATES, TEMPLATER_SETTINGS})


def watched_targets(config: Config, root: Path | None = None) -> list[str]:
    """Vault-relative paths whose changes can change the note ("" is the whole vault).

    Every note can matter (a meeting note, a person found by tag), so the whole vault is
    a target; `candidate` has already dropped dot-folders and editors' temp files. (A
    people or daily folder linked to another folder of the vault is inside it too.)
    """
    return [CONFIG_FILE, *sorted(_SETTINGS), ""]


def matters(rel: str, is_dir: bool, targets: Iterable[str]) -> bool:
    """A path inside a target, or a folder holding one (moved or deleted with it)."""
    for target in targets:
        if not target or rel == target or rel.startswith(target + "/"):
            return True
        if is_dir and target.startswith(rel + "/"):
            return True
    return False


# --- what changed, in words ---------------------------------------------------------------


def _gained(kind: str, name: str, items: Sequence[Reflection]) -> str:
    first = items[0].data
    days = first.get("days_until")
    text = KIND[kind].words.gained.format(
        when=relative_day(days) if isinstance(days, int) else "soon",
        label=str(first.get("label", "a date")).replace("_", " "),
    )
    return f"{name}: {text}"


def describe_changes(
    before: Iterable[Reflection], after: Iterable[Reflection], *, details: bool = True
) -> list[str]:
    """One phrase per (kind, person) that appeared or went away between two runs, and per
    countdown (birthday, date, follow-up) whose details moved; by person, then kind.

    With `details`, also one per reflection kept whose details changed (a cadence edited,
    one more confidence heard, a newer win): the person and the reason the note now gives.
    Off on a new day, when every overdue count moves by a day and that is no news."""
    old: dict[tuple[str, str], list[Reflection]] = defaultdict(list)
    new: dict[tuple[str, str], list[Reflection]] = defaultdict(list)
    for r in before:
        old[(r.kind, r.person)].append(r)
    for r in after:
        new[(r.kind, r.person)].append(r)

    def order(key: tuple[str, str]) -> tuple[str, str, int]:
        kind, person = key
        return (person.casefold(), person, KIND.rank(kind))

    lines: list[str] = []
    for key in sorted(old.keys() | new.keys(), key=order):
        kind, person = key
        if kind not in KIND:
            continue
        if key not in old:
            lines.append(_gained(kind, person, new[key]))
        elif key not in new:
            lines.append(f"{person}: {KIND[kind].words.lost}")
        elif old[key] != new[key]:
            if KIND[kind].countdown:
                lines.append(_gained(kind, person, new[key]))
            elif details:
                lines.append(f"{person}: {new[key][0].reason}")
    return lines


def _month(start: dt.date, offset: int, year: int) -> str:
    index = start.year * 12 + start.month - 1 + offset
    name = MONTHS[index % 12]
    return name if index // 12 == year else f"{name} {index // 12}"


def describe_chart(before: Chart | None, after: Chart | None, today: dt.date) -> list[str]:
    """One phrase per month of the note's chart whose counts changed ("November: 15
    interactions (was 14)"), oldest first; nothing when the window itself moved (a new
    month: the new day says why) or there is no chart on either side."""
    chart = after if after is not None else before
    if chart is None or (before is not None and before.start != chart.start):
        return []

    def columns(c: Chart | None) -> list[tuple[int, int, int]]:
        if c is None:
            return [(0, 0, 0)] * len(chart.you)
        return list(zip(c.you, c.they, c.other, strict=True))

    lines = []
    for offset, (was, now) in enumerate(zip(columns(before), columns(after), strict=True)):
        if was == now:
            continue
        month = _month(chart.start, offset, today.year)
        total, total_was = now[0] + now[1] + now[2], was[0] + was[1] + was[2]
        if total != total_was:
            lines.append(MESSAGES["chart"].format(
                month=month, interactions=count_interactions(total), was=total_was
            ))  # fmt: skip
        else:  # the same lines, tagged otherwise
            lines.append(MESSAGES["chart_shared"].format(
                month=month, you=now[0], they=now[1], you_was=was[0], they_was=was[1]
            ))  # fmt: skip
    return lines


def summarise(changes: Sequence[str], *, output: str, count: int, new_day: str | None) -> str:
    """The one log line for a rewrite: the first few changes, or why else it was rewritten."""
    shown = list(changes[:CHANGES_SHOWN])
    if len(changes) > CHANGES_SHOWN:
        shown.append(MESSAGES["more"].format(count=len(changes) - CHANGES_SHOWN))
    body = "; ".join(shown) or MESSAGES["updated"].format(
        output=output, reflections=count_reflections(count)
    )
    return f"{MESSAGES['new_day'].format(day=new_day)}: {body}" if new_day else body


# --- the watcher --------------------------------------------------------------------------


class Watcher:
    """Watch one vault until `stop()`; `run()` blocks (call it from a thread in tests).

    `today` is asked at every wake-up, so a watcher without a fixed date re-renders when
    the day rolls over. `passes` counts syncs run and `renders` the note rewrites.
    """

    def __init__(
        self,
        root: Path,
        report: Callable[[Report], None],
        *,
        debounce: float = 0.5,
        max_wait: float = MAX_WAIT,
        today: Callable[[], dt.date] = dt.date.today,
        polling: bool = False,
        poll_interval: float = POLL_INTERVAL,
        policy: ReadPolicy | None = None,
    ) -> None:
        self.root = Path(root).resolve()
        self._prefix = str(self.root) + os.sep
        self._report = report
        self.debounce = debounce
        self.max_wait = max(max_wait, debounce)
        self._today = today
        self._polling = polling or os.environ.get(POLLING_ENV, "") not in ("", "0")
        self.poll_interval = poll_interval
        #: how each pass reads the vault (the CLI's choice); every pass is one session of
        #: many in this process, which frees what each leaves when it closes
        self.policy = replace(policy or ReadPolicy(), repeated=True)
        self.passes = 0
        self.renders = 0
        self.observer_kind = ""
        #: Set once the first pass has run (or failed): events from then on are acted on.
        self.ready = threading.Event()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._pending: dict[str, bool] = {}  # rel → is a folder
        self._first_event: float | None = None
        self._last_event = 0.0
        self._config = Config()
        self._output = self._config.output
        self._own: bytes | None = None  # the generated note's bytes as this watcher left them
        self._day: dt.date | None = None
        self._reflections: list[Reflection] = []
        #: the note's chart as this watcher last saw it (None: none); known after a render
        self._chart: Chart | None = None
        self._chart_known = False
        self._problems: set[Problem] = set()
        self._cache_notes: set[CacheNote] = set()
        self._problem_count: int | None = None  # the count in the note, once known
        self._last_error: str | None = None
        self._retry_at: float | None = None
        self._backoff = 1.0

    # -- control --

    def stop(self) -> None:
        """Ask `run()` to return; safe from another thread (from a signal handler, call it
        on a new thread: `Event.set` could deadlock on a lock the interrupted code holds)."""
        self._stop.set()
        self._wake.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def run(self) -> None:
        """Start observing, sync once, then sync after every settled burst until stopped."""
        observer = None
        try:
            observer = self._start_observer()
            self._pass(first=True)
            self.ready.set()
            while not self._stop.is_set():
                self._sleep()
                if self._stop.is_set():
                    break
                if self._due():
                    self._pass()
        finally:
            self.ready.set()
            if observer is not None:
                observer.stop()
                observer.join(timeout=2)

    # -- observing (the observer's thread) --

    def _start_observer(self) -> Any:
        from watchdog.observers.polling import PollingObserver

        if self._polling:
            self._say("notice", MESSAGES["polling"].format(interval=self.poll_interval))
        else:
            try:
                observer = self._start(self._native_observer())
                self.observer_kind = "native"
                return observer
            except OSError as exc:
                if exc.errno not in (errno.ENOSPC, errno.EMFILE):
                    raise
                key = "limit_watches" if exc.errno == errno.ENOSPC else "limit_instances"
                self._say("notice", MESSAGES[key].format(interval=self.poll_interval))
        observer = self._start(PollingObserver(timeout=self.poll_interval))
        self.observer_kind = "polling"
        return observer

    def _native_observer(self) -> Any:
        """The platform's observer (inotify on Linux); may raise OSError at its limits."""
        from watchdog.observers import Observer

        return Observer()

    def _start(self, observer: Any) -> Any:
        from watchdog import events as ev

        watcher = self

        class Handler(ev.FileSystemEventHandler):
            def on_any_event(self, event: ev.FileSystemEvent) -> None:
                watcher._on_event(event)

        wanted: list[type[ev.FileSystemEvent]] = [
            ev.FileCreatedEvent,
            ev.FileModifiedEvent,
            ev.FileDeletedEvent,
            ev.DirDeletedEvent,
            ev.FileMovedEvent,
            ev.DirMovedEvent,
        ]
        try:
            observer.schedule(Handler(), str(self.root), recursive=True, event_filter=wanted)
            observer.start()
        except BaseException:
            with contextlib.suppress(Exception):  # already failing: the first error is the news
                observer.stop()
            raise
        return observer

    def _rel(self, path: str | bytes) -> str | None:
        text = os.fsdecode(path)
        if not text.startswith(self._prefix):
            return None
        return text[len(self._prefix) :].replace(os.sep, "/")

    def _on_event(self, event: Any) -> None:
        """Record the paths that may matter and wake the loop; nothing else, it must be quick."""
        if event.event_type in ("opened", "closed", "closed_no_write"):
            return
        if event.is_directory and event.event_type in ("modified", "created"):
            return  # what is (or gets) inside a folder has events of its own
        paths = [event.src_path]
        if event.event_type == "moved":
            paths.append(event.dest_path)  # an atomic save: the new content lives here
        found = []
        for path in paths:
            rel = self._rel(path) if path else None
            if rel is not None and candidate(rel, event.is_directory):
                found.append(rel)
        if not found:
            return
        now = time.monotonic()
        with self._lock:
            for rel in found:
                self._pending[rel] = self._pending.get(rel, False) or event.is_directory
            self._last_event = now
            if self._first_event is None:
                self._first_event = now
        self._wake.set()

    # -- the loop --

    def _sleep(self) -> None:
        """Idle: wait for an event. Settling: sleep until quiet, without spinning on events."""
        with self._lock:
            settling = bool(self._pending)
            deadline = min(
                self._last_event + self.debounce, (self._first_event or 0.0) + self.max_wait
            )
        if self._retry_at is not None:
            deadline = min(deadline, self._retry_at) if settling else self._retry_at
            settling = True
        if settling:
            self._stop.wait(max(0.0, min(deadline - time.monotonic(), TICK)))
        else:
            self._wake.wait(TICK)
            self._wake.clear()

    def _due(self) -> bool:
        """Whether to run a pass now: a new day, a settled burst that matters, or a retry."""
        if self._day is not None and self._today() != self._day:
            return True
        now = time.monotonic()
        batch: dict[str, bool] = {}
        with self._lock:
            settled = now - self._last_event >= self.debounce
            overdue = self._first_event is not None and now - self._first_event >= self.max_wait
            if self._pending and (settled or overdue):
                batch, self._pending, self._first_event = self._pending, {}, None
        if batch and self._matters(batch):
            return True
        return self._retry_at is not None and now >= self._retry_at

    def _matters(self, batch: dict[str, bool]) -> bool:
        targets = watched_targets(self._config, self.root)
        for rel, is_dir in batch.items():
            if rel == self._output:
                if self._read_output() != self._own:
                    return True  # the user changed it (ticked a box, or deleted it)
            elif matters(rel, is_dir, targets):
                return True
        return False

    def _read_output(self) -> bytes | None:
        try:
            return read_regular(self.root / self._output)  # a FIFO here must not hang
        except OSError:
            return None

    def _pass(self, *, first: bool = False) -> None:
        """One `app.sync.sync` and what it reports, in a read session of its own, whose
        close frees what the pass left, so the watcher's memory stays flat however many
        passes it runs; whatever goes wrong is reported, never raised."""
        from vaultcrm.app.sync import sync

        today = self._today()
        self.passes += 1
        try:
            with ReadSession.open(self.root, today, self.policy) as session:
                self._reported(sync(session), today, first=first)
        except Exception as exc:  # noqa: BLE001 - a failed pass must not end the watch
            self._failed(exc, first)

    def _reported(self, result: SyncResult, today: dt.date, *, first: bool) -> None:
        """Say what one pass did, and remember what it left (the note, the reflections)."""
        outcome = result.outcome
        for note in take_notes():  # the cache worked around: said once each, as problems
            if note not in self._cache_notes:
                self._cache_notes.add(note)
                self._say("notice", f"note: {note.text}")
        new_day = self._day is not None and today != self._day
        self._day, self._retry_at, self._backoff, self._last_error = today, None, 1.0, None
        self._config, self._output = outcome.config, result.output
        # what this pass left, not what is there now: a box ticked since is a change
        self._own = result.note if result.note is not None else self._read_output()
        for line in result.recorded:
            self._say("recorded", MESSAGES["recorded"].format(line=line))
        for message in result.conflicts:
            self._say("problem", message)
        for healed in result.healed:
            self._say("notice", healed.message())
        self._say_inbox(result.inbox)
        fresh = [p for p in outcome.problems if p not in self._problems]
        for line in capped_problem_lines(fresh):  # each problem once, until it is fixed
            self._say("problem", line)
        self._problems = set(outcome.problems)
        if result.written:
            self.renders += 1
        if first:
            self._say(
                "start",
                MESSAGES["start"].format(
                    vault=self.root,
                    people=outcome.people_count,
                    reflections=len(outcome.reflections),
                ),
            )
            for hint in result.hints:  # a first sync's tips (flags suggest), said once
                self._say("hint", hint)
        elif result.written:
            from vaultcrm.output.render import long_date

            changes = describe_changes(
                self._reflections, outcome.reflections, details=not new_day
            )
            if not changes and self._chart_known and result.note is not None:
                # no one's status moved: say which month of the chart did (a contact with
                # someone not due); with no chart to compare (the memo's), say nothing
                changes = describe_chart(self._chart, outcome.chart, today)
            if self._problem_count not in (None, len(outcome.problems)):
                changes.append(MESSAGES["problems"].format(
                    count=len(outcome.problems), was=self._problem_count
                ))  # fmt: skip
            self._say(
                "rewrite",
                summarise(
                    changes,
                    output=result.output,
                    count=len(outcome.reflections),
                    new_day=long_date(today) if new_day else None,
                ),
            )
        self._reflections = outcome.reflections
        if result.note is not None:  # None: answered from the memo, which keeps no chart
            self._chart = outcome.chart if outcome.config.chart else None
            self._chart_known = True
        self._problem_count = len(outcome.problems)

    def _say_inbox(self, inbox: InboxResult | None) -> None:
        """Lines filed from the inbox, and those kept there with their reason."""
        if inbox is None:
            return
        for filed in inbox.filed:
            said = INBOX["filed"].format(typed=filed.typed, file=filed.file, line=filed.line)
            self._say("recorded", said + (INBOX["already"] if filed.already else ""))
        for message in inbox.conflicts:
            self._say("problem", message)
        for kept in inbox.kept:
            reason = kept.reason
            self._say("problem", INBOX["kept"].format(inbox=inbox.path, number=kept.number,
                                                     reason=reason))  # fmt: skip
        for failure in inbox.failures:
            self._say("error", failure)

    def _failed(self, exc: Exception, first: bool) -> None:
        message = MESSAGES["failed"].format(error=str(exc) or type(exc).__name__)
        if message != self._last_error:
            self._say("error", message, exc)
        self._last_error = message
        if _fails_until_changed(exc):  # the same inputs fail the same way: wait for a change
            self._retry_at = None
        else:
            self._retry_at = time.monotonic() + self._backoff
            self._backoff = min(self._backoff * 2, RETRY_MAX)
        if first:
            self._say("start", MESSAGES["start_failed"].format(vault=self.root))

    def _say(self, kind: ReportKind, text: str, exc: BaseException | None = None) -> None:
        with contextlib.suppress(Exception):  # a broken reporter must not stop the watch
            self._report(Report(kind, text, exc))


def _fails_until_changed(exc: Exception) -> bool:
    """A template that fails (a mistake, a limit passed) fails again on the same vault:
    trying it again on a timer would only burn a core, up to its time limit each time."""
    from vaultcrm.output.template_limits import TemplateError

    return isinstance(exc, TemplateError)
