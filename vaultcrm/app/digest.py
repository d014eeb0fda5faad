"""`vaultcrm digest`: what needs you today, printed or sent to each `notify:` destination.

The digest reads the vault and never writes it: items whose box is ticked in the note
(recorded or not yet) are left out, as `sync` would record them. Sending records, per
destination and only once delivered, the ids the digest carried (app/sent.py); a
destination with nothing new since its last digest is skipped unless `always`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from vaultcrm.app import sent
from vaultcrm.app.destinations import Message, SendFailed, Target, targets
from vaultcrm.app.notify import send
from vaultcrm.app.outcome import Outcome
from vaultcrm.output.digest import Digest, make_digest, open_note_url, render, title
from vaultcrm.output.render import Item
from vaultcrm.read.session import ReadSession


@dataclass(frozen=True)
class Delivery:
    """What became of the digest at one destination."""

    destination: str  # the URL as shown (no password)
    sent: bool
    #: why it was not sent: nothing new (not an error), or the one-line failure
    reason: str | None = None
    failed: bool = False
    new: int = 0  # items it carried that the destination had not had


@dataclass
class DigestRun:
    outcome: Outcome
    #: the digest as printed: new since the latest digest delivered anywhere
    digest: Digest
    deliveries: list[Delivery] = field(default_factory=list)


def digest(session: ReadSession) -> DigestRun:
    """The digest for the session's day, nothing sent."""
    outcome, items = _today(session)
    records = sent.load(session.root)
    known = [records[k] for t in targets(outcome.config.notify) if (k := _key(t)) in records]
    last = max(known, key=lambda r: r.day, default=None)
    view = _digest(outcome, items, last)
    return DigestRun(outcome, view)


def send_digest(session: ReadSession, *, always: bool = False) -> DigestRun:
    """Send the digest to every destination that has something new (every one with
    `always`); each delivered one is recorded at once, a failed one is not (the next run
    tries it again)."""
    root, today = session.root, session.today
    outcome, items = _today(session)
    found = targets(outcome.config.notify)
    records = sent.load(root)
    ids = [i.id for i in items]
    run = DigestRun(outcome, _digest(outcome, items, None))
    for target in found:
        record = records.get(_key(target))
        view = _digest(outcome, items, record)
        fresh = len(ids) if record is None else len(set(ids) - record.ids)
        if not fresh and not always:  # reason: the day of its last digest, if any
            when = record.day.isoformat() if record else None
            run.deliveries.append(Delivery(target.shown, False, when))
            continue
        try:
            send(target, _message(view), root)
        except SendFailed as err:
            run.deliveries.append(Delivery(target.shown, False, str(err), failed=True))
            continue
        sent.record(root, _key(target), target.shown, today, ids)
        run.deliveries.append(Delivery(target.shown, True, new=fresh))
    return run


def _key(target: Target) -> str:
    return sent.destination_key(target.url)


def _today(session: ReadSession) -> tuple[Outcome, list[Item]]:
    """The outcome, and the note's items still to act on (a box ticked is acted on)."""
    from vaultcrm.app.sync import compute
    from vaultcrm.output.generated import note_text, recorded_ids, ticked
    from vaultcrm.output.render import build_items

    outcome = compute(session)
    text = note_text(session.root, outcome.config.output.strip("/"))
    acted = {t.id for t in ticked(text)} | recorded_ids(text) if text else set()
    items = build_items(outcome.reflections, outcome.people, outcome.last, (), outcome.open)
    return outcome, [i for i in items if i.id not in acted]


def _digest(outcome: Outcome, items: Sequence[Item], record: sent.Sent | None) -> Digest:
    config = outcome.config
    errors = sum(1 for p in outcome.problems if p.severity == "error")
    return make_digest(
        items,
        outcome.today,
        focus=config.focus or 5,
        seen=None if record is None else record.ids,
        since=None if record is None else record.day,
        problems=errors,
        open_url=open_note_url(outcome.root.resolve().name, config.output.strip("/")),
    )


def _message(view: Digest) -> Message:
    return Message(
        title=title(view),
        text=render(view, "text"),
        markdown=render(view, "markdown"),
        html=render(view, "html"),
        click=view.open_url,
    )
