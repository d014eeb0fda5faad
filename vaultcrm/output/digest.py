"""The morning digest: what needs you today, short enough for a notification.

Pure: the note's items in, a `Digest` out, then text, Markdown or HTML. The people it
leads with are the note's focus list (`output.focus.focus_people`, the same choice and
order), each with a one-line why; then how many are due of each kind, then what is new
since the last digest (items by id, `output.generated.item_ids`). Deterministic for a
`today` and the ids already sent.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from vaultcrm.output.focus import focus_people, urgency
from vaultcrm.output.render import Item
from vaultcrm.reflect.kinds import KIND
from vaultcrm.words import DIGEST, KIND_WORDS, detag, long_day

#: Longest why shown for a person, then "…" (a notification shows a few lines).
WHY_CHARS = 120
#: New items listed, then "and N more".
NEW_SHOWN = 5

_LINK = re.compile(r"\[\[([^\]|]+)(?:\|([^\]]+))?\]\]")


@dataclass(frozen=True)
class Line:
    """One person (the focus list) or one item (what is new): name, labels, why."""

    name: str
    file: str
    kinds: tuple[str, ...]
    labels: tuple[str, ...]
    why: str
    more: int = 0  # further items of theirs, not spelt out


@dataclass(frozen=True)
class Digest:
    today: dt.date
    people: tuple[Line, ...]
    #: everyone with something due (the focus list shows the first `focus` of them)
    people_due: int
    #: (kind, how many items of it are due), in report order
    counts: tuple[tuple[str, int], ...]
    #: items new since `since` (None: no digest sent before, so nothing is "new")
    new: tuple[Line, ...] | None
    new_more: int
    since: dt.date | None
    problems: int
    #: opens the generated note (Obsidian's URL scheme)
    open_url: str


def _label(kind: str) -> str:
    words = KIND_WORDS.get(kind)
    return kind if words is None else words.label


def open_note_url(vault_name: str, output: str) -> str:
    """`obsidian://open?vault=…&file=Reflections%20due`: tapping the notification opens
    the note in Obsidian."""
    file = output.removesuffix(".md")
    return f"obsidian://open?vault={quote(vault_name, safe='')}&file={quote(file, safe='')}"


def make_digest(
    items: Sequence[Item],
    today: dt.date,
    *,
    focus: int,
    seen: Collection[str] | None,
    since: dt.date | None,
    problems: int,
    open_url: str,
) -> Digest:
    """The digest of `items` (the note's items still to act on). `seen` holds the ids a
    digest already carried (None: none was sent, and nothing is called new)."""
    mine: dict[str, list[Item]] = {}
    for item in items:
        mine.setdefault(item.name, []).append(item)
    people = tuple(
        _line(f.name, mine[f.name][0].reflection.file, mine[f.name])
        for f in focus_people(items, focus)
    )
    by_kind = Counter(i.kind for i in items)
    counts = tuple((k, by_kind[k]) for k in KIND.names if by_kind.get(k))
    new: tuple[Line, ...] | None = None
    more = 0
    if seen is not None:
        fresh = [i for i in items if i.id not in seen]
        new = tuple(_line(i.name, i.reflection.file, [i]) for i in fresh[:NEW_SHOWN])
        more = max(0, len(fresh) - NEW_SHOWN)
    due = len({i.name for i in items})
    return Digest(today, people, due, counts, new, more, since, problems, open_url)


def _line(name: str, file: str, items: Sequence[Item]) -> Line:
    """Their labels in report order; the why of their most urgent item, as the focus list
    ranks urgency (a birthday today before a reach out)."""
    kinds = tuple(dict.fromkeys(i.kind for i in items))
    labels = tuple(_label(k) for k in kinds)
    first = min(items, key=lambda i: urgency([i])[:2])
    return Line(name, file, kinds, labels, _why(first.reason), len(items) - 1)


def _why(reason: str) -> str:
    """A reason as plain text: links as their text, tags dropped, cut to WHY_CHARS."""
    text = detag(_LINK.sub(lambda m: m.group(2) or m.group(1), reason))
    return text if len(text) <= WHY_CHARS else text[: WHY_CHARS - 1].rstrip() + "…"


# --- words ----------------------------------------------------------------------------------


def title(digest: Digest) -> str:
    """The notification's title, the mail's subject."""
    count = digest.people_due
    if not count:
        return DIGEST["title_none"]
    people = DIGEST["one_person"] if count == 1 else DIGEST["people"].format(count=count)
    fresh = len(digest.new or ()) + digest.new_more
    new = DIGEST["title_new"].format(count=fresh) if fresh else ""
    return DIGEST["title"].format(people=people, new=new)


def _counts(digest: Digest) -> str:
    return ", ".join(f"{_label(k).lower()} {n}" for k, n in digest.counts)


def _person(line: Line) -> str:
    more = DIGEST["more_items"].format(count=line.more) if line.more else ""
    return f"{line.name} ({', '.join(line.labels)}): {line.why}{more}"


def _since(digest: Digest) -> str:
    when = long_day(digest.since) if digest.since else ""
    return DIGEST["new_since"].format(day=when)


def render_text(digest: Digest) -> str:
    """Plain text: a notification's body, and the mail's plain part."""
    out = [DIGEST["heading"].format(day=long_day(digest.today)), ""]
    if not digest.counts:
        out.append(DIGEST["nobody"])
    for line in digest.people:
        out.append(_person(line))
    if digest.counts:
        out += ["", DIGEST["all_due"].format(counts=_counts(digest))]
    if digest.new:
        out += ["", _since(digest)]
        out += [f"  {_person(line)}" for line in digest.new]
        if digest.new_more:
            out.append("  " + DIGEST["and_more"].format(count=digest.new_more))
    if digest.problems:
        out += ["", DIGEST["problems"].format(count=digest.problems)]
    return "\n".join(out) + "\n"


def render_markdown(digest: Digest) -> str:
    """Markdown: for chat services that show it, or a note of your own."""
    out = [f"## {DIGEST['heading'].format(day=long_day(digest.today))}", ""]
    if not digest.counts:
        out.append(DIGEST["nobody"])
    for line in digest.people:
        more = DIGEST["more_items"].format(count=line.more) if line.more else ""
        out.append(f"- **{line.name}** ({', '.join(line.labels)}): {line.why}{more}")
    if digest.counts:
        out += ["", DIGEST["all_due"].format(counts=_counts(digest))]
    if digest.new:
        out += ["", f"### {_since(digest)}", ""]
        out += [f"- **{line.name}** ({', '.join(line.labels)}): {line.why}" for line in digest.new]
        if digest.new_more:
            out.append("- " + DIGEST["and_more"].format(count=digest.new_more))
    if digest.problems:
        out += ["", DIGEST["problems"].format(count=digest.problems)]
    out += ["", f"[{DIGEST['open']}]({digest.open_url})"]
    return "\n".join(out) + "\n"


def render_html(digest: Digest) -> str:
    """A small HTML mail body (its plain part is `render_text`); every text is escaped."""
    e = html.escape
    out = [
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f"<title>{e(title(digest))}</title></head>",
        '<body style="font-family: sans-serif; line-height: 1.4">',
        f"<h2>{e(DIGEST['heading'].format(day=long_day(digest.today)))}</h2>",
    ]
    if not digest.counts:
        out.append(f"<p>{e(DIGEST['nobody'])}</p>")
    if digest.people:
        out.append("<ul>")
        for line in digest.people:
            more = DIGEST["more_items"].format(count=line.more) if line.more else ""
            out.append(
                f"<li><strong>{e(line.name)}</strong> ({e(', '.join(line.labels))}): "
                f"{e(line.why)}{e(more)}</li>"
            )
        out.append("</ul>")
    if digest.counts:
        out.append(f"<p>{e(DIGEST['all_due'].format(counts=_counts(digest)))}</p>")
    if digest.new:
        out += [f"<h3>{e(_since(digest))}</h3>", "<ul>"]
        for line in digest.new:
            out.append(
                f"<li><strong>{e(line.name)}</strong> ({e(', '.join(line.labels))}): "
                f"{e(line.why)}</li>"
            )
        if digest.new_more:
            out.append(f"<li>{e(DIGEST['and_more'].format(count=digest.new_more))}</li>")
        out.append("</ul>")
    if digest.problems:
        out.append(f"<p>{e(DIGEST['problems'].format(count=digest.problems))}</p>")
    out.append(f'<p><a href="{e(digest.open_url)}">{e(DIGEST["open"])}</a></p>')
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def render(digest: Digest, form: str) -> str:
    """The digest in `form`: text, markdown or html."""
    if form == "markdown":
        return render_markdown(digest)
    if form == "html":
        return render_html(digest)
    return render_text(digest)


def to_json(digest: Digest) -> dict[str, object]:
    """The digest's `--json` shape (docs/digest.md)."""

    def line(x: Line) -> dict[str, object]:
        return {"person": x.name, "file": x.file, "kinds": list(x.kinds), "why": x.why,
                "more": x.more}  # fmt: skip

    return {
        "today": digest.today.isoformat(),
        "title": title(digest),
        "people_due": digest.people_due,
        "focus": [line(x) for x in digest.people],
        "counts": dict(digest.counts),
        "since": digest.since.isoformat() if digest.since else None,
        "new": None if digest.new is None else [line(x) for x in digest.new],
        "new_more": digest.new_more,
        "errors": digest.problems,
        "open": digest.open_url,
    }
