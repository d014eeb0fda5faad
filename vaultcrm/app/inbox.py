"""The inbox: lines typed anywhere (a phone, any editor that syncs the vault), filed by
`sync` and `watch` into people's notes.

    - Ben: coffee, he told me about his dad #heard        → People/Ben….md: - TODAY coffee…
    - 2026-12-06 Aiko: ramen after work #shared           → dated that day
    - last friday Aiko: ramen                             → a date in words (app: dates.py)
    - remind Ben 2026-12-20 send the article              → - [ ] 2026-12-20 send the article

Each is written by `log` and `remind`'s own use cases (app/write.py, through the edit
engine) and leaves the inbox. A line whose person is unknown or ambiguous, or whose note
cannot be written, stays, with the reason beside it in an HTML comment any editor shows
(`<!-- vaultcrm: … -->`, replaced, never repeated). Headings, prose, tasks and other list
items stay as they are.

A line typed while this runs is never lost or filed twice: the inbox is rewritten only if
it is still the version read (the edit engine's strict compare-and-swap, as for ticks);
otherwise it is read again, and lines this run already filed are only removed. A run
killed between filing a line and rewriting the inbox leaves the line in both; the next
run finds it already in the note, does not write it again, and removes it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from vaultcrm.dates import date_at_start, parse_date
from vaultcrm.errors import UsageError, VaultcrmError
from vaultcrm.words import INBOX

if TYPE_CHECKING:
    from vaultcrm.app.write import Written
    from vaultcrm.read.session import ReadSession

#: How many times the inbox is read again when it keeps changing under a run.
ATTEMPTS = 10

_ITEM = re.compile(r"(?P<bullet>[-*+][ \t]+)(?P<body>.*)")
_TASK = re.compile(r"\[.\]([ \t]|$)")
#: Our comment at the end of a kept line (whatever reason it gave then).
_OURS = re.compile(r"[ \t]*<!-- vaultcrm: .*?-->[ \t]*$")
#: `NAME: text`: the colon followed by a blank or the end (so `https://…` is no name).
_LOG = re.compile(r"(?P<head>[^:]{1,80}?)[ \t]*:(?:[ \t]+(?P<text>.*)|$)")
_REMIND = re.compile(r"remind[ \t]+(?P<rest>.+)", re.IGNORECASE)
_LINK = re.compile(r"^\[\[([^\]|#]+)(?:[#|][^\]]*)?\]\]$")
#: A head longer than this many words is a sentence, not a name with a date.
_MAX_HEAD_WORDS = 8


@dataclass(frozen=True)
class Filed:
    """An inbox line now in a person's note: as typed, and the line written there."""

    number: int  # its line in the inbox as read
    typed: str
    person: str
    file: str
    line: str
    #: already in the note (a run killed after filing it): removed, not written again
    already: bool = False


@dataclass(frozen=True)
class Kept:
    """An inbox line left where it is, and why (also written beside it)."""

    number: int
    typed: str
    reason: str


@dataclass
class InboxResult:
    path: str
    filed: list[Filed] = field(default_factory=list)
    kept: list[Kept] = field(default_factory=list)
    #: the inbox itself could not be rewritten (filed lines are in their notes; the next
    #: run removes them from the inbox)
    failures: list[str] = field(default_factory=list)
    #: editors' saves kept as conflict copies while people's notes were written
    conflicts: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {
            "inbox": self.path,
            "filed": [
                {"line": f.number, "typed": f.typed, "person": f.person, "file": f.file,
                 "written": f.line, "already": f.already}
                for f in self.filed
            ],
            "kept": [{"line": k.number, "typed": k.typed, "reason": k.reason} for k in self.kept],
            "failures": self.failures,
        }  # fmt: skip


def file_inbox(session: ReadSession) -> InboxResult:
    """File every line of the inbox that names one person; keep the others with a reason.

    Costs one stat when the inbox is absent or empty. Never raises for what a line says or
    for a note it cannot write (those lines are kept, with the reason); `failures` says
    when the inbox itself could not be rewritten.
    """
    from vaultcrm.edit.engine import EditRefused, NoteChanged, read_for_edit, write_edit

    root = session.root
    rel = session.config.inbox.strip("/")
    result = InboxResult(rel)
    try:
        if os.stat(root / rel).st_size == 0:
            return result
    except OSError:
        return result
    handled: Counter[str] = Counter()  # lines this run filed, as typed, on any attempt
    for attempt in range(ATTEMPTS):
        try:
            snap = read_for_edit(root, rel, validate=False)
        except NoteChanged:  # being saved right now
            time.sleep(0.01 * (attempt + 1))
            continue
        except EditRefused as err:
            result.failures.append(str(err))
            return result
        try:
            new, kept = _sorted_out(session, snap.data, handled, result)
        except ValueError as err:  # not UTF-8
            result.failures.append(f"{rel}: {err}")
            return result
        try:
            write_edit(snap, new, put_back=True)
        except NoteChanged:  # a line typed meanwhile: read again (filed lines just go)
            continue
        except EditRefused as err:
            result.failures.append(str(err))
            return result
        result.kept = kept
        return result
    result.failures.append(INBOX["kept_changing"].format(inbox=rel, attempts=ATTEMPTS))
    return result


def _sorted_out(
    session: ReadSession,
    data: bytes,
    handled: Counter[str],
    result: InboxResult,
) -> tuple[bytes, list[Kept]]:
    """The inbox without the lines filed (now or on an earlier attempt), kept lines with
    their reason; what was filed now is added to `result` and `handled`."""
    from vaultcrm.edit.lines import split_note

    note = split_note(data)
    seen = Counter(handled)  # each line filed earlier leaves once, however often it recurs
    lines: list[str] = []
    kept: list[Kept] = []
    for index, raw in enumerate(note.lines):
        if index < note.body:
            lines.append(raw)
            continue
        text = raw.rstrip("\n").rstrip("\r")
        ending = raw[len(text) :]
        typed = _OURS.sub("", text)
        capture = parse_line(typed)
        if capture is None:
            lines.append(raw)
            continue
        if seen[typed] > 0:
            seen[typed] -= 1
            continue
        outcome = _file(session, index + 1, typed, capture)
        if isinstance(outcome, Filed):
            result.filed.append(outcome)
            handled[typed] += 1
            continue
        kept.append(outcome)
        lines.append(f"{typed.rstrip()} <!-- vaultcrm: {_comment(outcome.reason)} -->{ending}")
    return note.encode(lines), kept


@dataclass(frozen=True)
class Capture:
    """What an inbox line asks: `kind` "log" or "remind", the words naming the person and
    the date (not yet told apart, that takes the vault), and the text."""

    kind: str
    words: tuple[str, ...]
    text: str


def parse_line(line: str) -> Capture | None:
    """The request of one inbox line, or None when it is not one (a heading, prose, a
    task, a list item without `NAME:`). Pure: which words are the person is settled
    against the vault by `_file`."""
    if line[:1] not in "-*+":
        return None
    match = _ITEM.fullmatch(line)
    if match is None:
        return None
    body = match.group("body").strip()
    if not body or _TASK.match(body):
        return None
    remind = _REMIND.fullmatch(body)
    if remind is not None:
        words = tuple(remind.group("rest").split())
        return Capture("remind", words, "") if len(words) >= 2 else None
    log = _LOG.fullmatch(body)
    if log is None:
        return None
    words = tuple(log.group("head").split())
    if not words or len(words) > _MAX_HEAD_WORDS:
        return None
    return Capture("log", words, (log.group("text") or "").strip())


def _file(session: ReadSession, number: int, typed: str, capture: Capture) -> Filed | Kept:
    """File one line through `log` or `remind`'s use case, or say why it stays."""
    from vaultcrm.edit.engine import EditRefused

    try:
        person, day, text = _read(session, capture)
        written = _write(session, capture.kind, person, day, text)
    except EditRefused as err:
        return Kept(number, typed, INBOX["not_written"].format(error=err))
    except VaultcrmError as err:  # who or what the line means; a people folder missing
        return Kept(number, typed, str(err))
    return Filed(number, typed, written.person or person, written.file, written.line,
                 already=not written.changed)  # fmt: skip


def _read(session: ReadSession, capture: Capture) -> tuple[str, dt.date, str]:
    """(person, day, text): the person resolved as `log` resolves PERSON; UsageError with
    the reason a line cannot be filed."""
    words = list(capture.words)
    today = session.today
    if capture.kind == "remind":
        return _read_remind(session, words)
    if not capture.text:
        raise UsageError(INBOX["no_text"].format(head=" ".join(words)))
    if _iso(words[0]) and len(words) > 1:  # `- 2026-12-06 Aiko: …`: clearly a date
        try:
            day = parse_date(words[0], today, "past")
        except ValueError as err:
            raise UsageError(str(err)) from None
        return _person(session, words[1:]), day, capture.text
    try:  # `- Sun Li: …` is Sun Li, not someone called Li last Sunday
        return _person(session, words), today, capture.text
    except UsageError:
        found = date_at_start(words, today, "past", leave=1)  # dateparser only now
        if found is None:
            raise
    return _person(session, words[found[1] :]), found[0], capture.text


def _read_remind(session: ReadSession, words: list[str]) -> tuple[str, dt.date, str]:
    """`remind NAME DATE text`: the person is the words before the first date."""
    for start in range(1, len(words)):
        found = date_at_start(words[start:], session.today, "future", leave=1)
        if found is not None:
            text = " ".join(words[start + found[1] :])
            return _person(session, words[:start]), found[0], text
    raise UsageError(INBOX["no_date"])


def _person(session: ReadSession, words: list[str]) -> str:
    from vaultcrm.app.names import resolve_person

    query = " ".join(words)
    link = _LINK.match(query)
    return resolve_person(session, link.group(1) if link else query).name


def _write(session: ReadSession, kind: str, person: str, day: dt.date, text: str) -> Written:
    from vaultcrm.app.write import add_reminder, log_interaction

    if kind == "remind":
        return add_reminder(session, person, day, text, once=True)
    return log_interaction(session, person, text, day=day, once=True)


def _iso(word: str) -> bool:
    return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", word))


def _comment(reason: str) -> str:
    """The reason, safe inside an HTML comment and on one line."""
    return " ".join(reason.replace("--", "–").split())
