"""Every word a user reads about their people, in one place (as jrnl keeps its messages).

Reason texts, section titles, what a tick logs, what the watcher says, and the names of
months and days. Names are spelt out here, never taken from strftime, so output ignores
the machine's locale. Only the standard library: every layer may read its words here.
A new kind adds one `KindWords` entry below (and its reason texts to `REASONS`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

# --- calendar names --------------------------------------------------------------------------

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
MONTHS_SHORT = tuple(m[:3] for m in MONTHS)
#: Monday first, as `date.weekday()` counts.
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKDAYS_SHORT = tuple(d[:3] for d in WEEKDAYS)


def count_days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


def count_years(n: int) -> str:
    return "1 year" if n == 1 else f"{n} years"


def count_interactions(n: int) -> str:
    return "1 interaction" if n == 1 else f"{n} interactions"


def count_reflections(n: int) -> str:
    return "1 reflection" if n == 1 else f"{n} reflections"


def listed(words: Sequence[str], last: str = "and") -> str:
    """`a`, `a and b`, `a, b and c` (`last` joins the last two: "and", "or")."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + f" {last} {words[-1]}"


def times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def ago(n: int) -> str:
    """Days back from today: "today", "yesterday", "3 days ago"."""
    return {0: "today", 1: "yesterday"}.get(n, f"{n} days ago")


def within(n: int) -> str:
    """Days ahead of today: "today", "tomorrow", "in 3 days"."""
    return {0: "today", 1: "tomorrow"}.get(n, f"in {n} days")


def relative_day(days: int) -> str:
    """Either way from today (the watcher's countdowns): "in 3 days", "2 days ago"."""
    return within(days) if days >= 0 else ago(-days)


def short_day(d: date) -> str:
    """'Sat 5 Dec', independent of the machine's locale."""
    return f"{WEEKDAYS_SHORT[d.weekday()]} {d.day} {MONTHS_SHORT[d.month - 1]}"


def long_day(d: date) -> str:
    """'Tuesday 24 November 2026': how a date said in words is echoed back."""
    return f"{WEEKDAYS[d.weekday()]} {d.day} {MONTHS[d.month - 1]} {d.year}"


def human_day(d: date, today: date) -> str:
    """The one date style of every reason, in the note and in `due`: 'Fri 13 Nov', or
    'Fri 13 Nov 2025' when `d` is not in `today`'s year."""
    text = short_day(d)
    return text if d.year == today.year else f"{text} {d.year}"


# --- quoted note text ------------------------------------------------------------------------

_TAG = re.compile(r"(?<!\S)#([\w/-]+)")
_BLANKS = re.compile(r"[ \t]{2,}")


def _keep_numbers(m: re.Match[str]) -> str:
    return m.group(0) if m.group(1).isdigit() else ""


def detag(text: str) -> str:
    """Quoted note text without its #tags (`#win`, `#shared`…), blanks collapsed.

    The tags are how the user flagged the line for vaultcrm; repeated in the generated
    note they would inflate Obsidian's tag counts, and on the terminal they are noise.
    `#2` is a number, not a tag, and stays. Only for note text, never for a name. The
    regular expressions run only when their character is there (most lines have none)."""
    if "#" in text:
        text = _TAG.sub(_keep_numbers, text)
    if "  " in text or "\t" in text:
        text = _BLANKS.sub(" ", text)
    return text.strip()


# --- per kind --------------------------------------------------------------------------------


@dataclass(frozen=True)
class KindWords:
    """What a kind is called where a user meets it.

    `title` heads its section in the note and in `due`; `label` names it in a word or two
    (a task line of the note's focus list, under the person's name; the Kind column of
    `due`'s table, the Due column of `people`, a brief's "Due now", the digest); `logged`
    is what a ticked item writes in the person's note (`{label}` is a date's name; a kind
    whose tick ticks off a task writes it only for a task that has no line of its own);
    `gained` and `lost` are the watcher's phrases when a person gains or loses a
    reflection of the kind (`{when}`: "today", "in 6 days"; `{label}` a date's name).
    `logged_for` is what a tick logs for an item about someone around the person.
    """

    title: str
    label: str
    logged: str
    gained: str
    lost: str
    #: what a ticked item about someone around the person (`relation` in its fields)
    #: writes in the person's note (`{relation}`, `{label}`); None: `logged`
    logged_for: str | None = None


#: In report order (`reflect.kinds.KIND`, which tests/test_kinds.py checks against): the CLI
#: lists and titles kinds from here without importing any rule.
KIND_WORDS: dict[str, KindWords] = {
    "reach_out": KindWords(
        "Reach out",
        "Reach out",
        "Reached out",
        "now due to reach out",
        "no longer due to reach out",
    ),
    "share": KindWords(
        "Share something of your own",
        "Share",
        "Shared something of my own",
        "time to share something of your own",
        "no longer due to share",
    ),
    "listen": KindWords(
        "Ask, and listen",
        "Listen",
        "Asked, and listened",
        "time to ask, and listen",
        "no longer due to listen",
    ),
    "deep": KindWords(
        "Go deeper",
        "Go deeper",
        "A truly open conversation",
        "time to go deeper",
        "no longer due a deeper talk",
    ),
    "birthday": KindWords(
        "Birthdays",
        "Birthday",
        "Birthday wishes",
        "birthday {when}",
        "birthday no longer coming up",
        "Birthday wishes for {relation}",
    ),
    "date": KindWords(
        "Dates to remember",
        "Date",
        "Marked the {label}",
        "{label} {when}",
        "no date coming up any more",
        "Marked {relation}'s {label}",
    ),
    "follow_up": KindWords(
        "Follow-ups",
        "Follow-up",
        # a follow-up from a `follow_up:` field has no task line to tick: it is logged
        "Followed up",
        "follow-up due {when}",
        "no follow-up due any more",
    ),
    "celebrate": KindWords(
        "Celebrate",
        "Celebrate",
        "Celebrated their win",
        "a win to celebrate",
        "no win to celebrate any more",
    ),
    "drift": KindWords(
        "Drifting apart",
        "Drifting",
        "Got back in touch",
        "drifting from your usual rhythm",
        "back in rhythm",
    ),
    "surprise": KindWords(
        "Out of the blue",
        "Out of the blue",
        "Reached out out of the blue",
        "this week's unexpected reach-out",
        "no longer this week's unexpected reach-out",
    ),
}


def focus_labels() -> dict[str, str]:
    """Each kind's `label`, by kind: the template's `focus_labels`."""
    return {kind: words.label for kind, words in KIND_WORDS.items()}


#: The heading of the people the note lists together, compactly: never contacted, so no
#: urgency (`KindSpec.not_yet`); the template says what to do about them.
NOT_YET_TITLE = "Not yet in your notes"

#: The chart's title (`{first}`, `{last}`: "Dec 2025", "Nov 2026").
CHART_TITLE = "Interactions per month, {first} to {last}"

# --- reasons ---------------------------------------------------------------------------------

#: How the default circles read inside a sentence; other circles read "the X circle".
CIRCLE_PHRASES = {
    "family": "family",
    "close": "close friends",
    "friends": "friends",
    "acquaintances": "acquaintances",
}

#: The sentence each reflection gives as its reason, in the product's voice.
REASONS: dict[str, str] = {
    "reach_out": "Last contact {ago}; {cadence}.",
    "reach_out_never": "No contact logged yet.",
    "cadence_person": "your cadence with {name} is {days}",
    "cadence_circle": "your cadence for {circle} is {days}",
    "cadence_default": "your default cadence is {days}",
    "share": "{name} has confided in you {times} since you last shared something real of your"
    " own — share, don't only listen.",
    "share_never": "{name} has confided in you {times} with nothing of your own logged in"
    " return — share, don't only listen.",
    "listen": "You have opened up to {name} {times} without {name} reciprocating — read the"
    " room, ask and listen.",
    "deep": "Your last truly open exchange with {name} was on {day}: {text}",
    "deep_none": "No truly open exchange with {name} logged yet — make room for one.",
    "birthday": "Birthday on {day} ({when}).",
    "birthday_age": "Turns {age} on {day} ({when}).",
    "birthday_today": "Birthday today!",
    "birthday_today_age": "Birthday today — turns {age}!",
    "date": "{label} on {day} ({when}).",
    "date_years": "{label}: {years} on {day} ({when}).",
    "date_today": "{label} today!",
    "date_today_years": "{label}: {years} today!",
    "follow_up": "Due {day} ({when}): {text}",
    "follow_up_today": "Due today: {text}",
    "follow_up_overdue": "Was due {day} ({ago}): {text}",
    "celebrate": "Had a win on {day}: {text} — celebrate it.",
    # someone around the person (a `partner`, `children`, `relations` entry): {relation}
    # is their name, {role} what they are to the person ("son", "partner")
    "relation_birthday": "{relation} ({name}'s {role}): birthday on {day} ({when}).",
    "relation_birthday_age": "{relation} ({name}'s {role}) turns {age} on {day} ({when}).",
    "relation_birthday_today": "{relation} ({name}'s {role}): birthday today!",
    "relation_birthday_today_age": "{relation} ({name}'s {role}) turns {age} today!",
    "relation_date": "{relation} ({name}'s {role}): {label} on {day} ({when}).",
    "relation_date_years": "{relation} ({name}'s {role}): {label}, {years} on {day} ({when}).",
    "relation_date_today": "{relation} ({name}'s {role}): {label} today!",
    "relation_date_today_years": "{relation} ({name}'s {role}): {label}, {years} today!",
    "drift": "You used to talk about every {rhythm} (last {contacts} times); it has been"
    " {since} since {day}.",
    # this week's unexpected reach-out, with a reason from their notes
    "surprise_heard": "Out of the blue: in {month} {name} confided in you — {text}. Ask how"
    " it is going.",
    "surprise_likes": "Out of the blue: {name} likes {like}. Send them something about it,"
    " for no reason at all.",
    "surprise_together": "Out of the blue: the last thing you did with {name} was on {day}"
    " — {text}. Tell them you thought of them.",
}

#: Roles as people write them → the role they are a case of, for reading a relation the
#: other way and for `check` ("son" is a child; "wife" a spouse).
ROLE_OF: dict[str, str] = {
    "son": "child", "daughter": "child", "kid": "child",
    "mother": "parent", "father": "parent", "mum": "parent", "mom": "parent", "dad": "parent",
    "husband": "spouse", "wife": "spouse",
    "brother": "sibling", "sister": "sibling", "twin": "sibling",
    "neighbor": "neighbour", "roommate": "flatmate", "housemate": "flatmate",
}  # fmt: skip
#: A role (after `ROLE_OF`) → what the other person is, seen from the one it names:
#: "child" in a parent's note is "parent" seen from the child's. A role not here has no
#: known reverse (a "boss"): the other side shows how the note put it.
REVERSE_ROLES: dict[str, str] = {
    "child": "parent", "parent": "child", "grandchild": "grandparent",
    "grandparent": "grandchild", "mentor": "mentee", "mentee": "mentor",
    **{role: role for role in (
        "partner", "spouse", "sibling", "colleague", "friend", "best friend", "neighbour",
        "cousin", "flatmate", "classmate", "teammate", "ex",
    )},
}  # fmt: skip
#: Roles one person holds at a time (a partner, a spouse): a note that names someone else
#: so disagrees with a note naming you so (`vaultcrm check`).
EXCLUSIVE_ROLES = frozenset({"partner", "spouse"})
#: How a relation read from the other note says a role with no known reverse.
NAMED_AS = "{name} is their {role}"

#: What `vaultcrm check` says when two person notes disagree about what they are to
#: each other.
RELATION_PROBLEMS: dict[str, str] = {
    "roles": "{b} is named here as {role}, but {file_b} names {a} as {their_role}:"
    " the two notes disagree",
    "exclusive": "{b} is named here as {role}, but {file_b} names {other} as {their_role}:"
    " the two notes disagree",
}

#: How a reflection, a brief line or the note's context says it rests on a flag read from
#: the line's prose (config `infer_flags`), not written: "(inferred: 'she told me')".
INFERRED = "(inferred: {because})"
#: At most this many of the words behind inferred flags are quoted, then "…".
INFERRED_SHOWN = 3


def inferred(because: tuple[str, ...] | list[str]) -> str:
    """`(inferred: 'she told me', 'he confided')`, or "" when nothing was inferred."""
    if not because:
        return ""
    quoted = ", ".join(f"'{words}'" for words in because[:INFERRED_SHOWN])
    if len(because) > INFERRED_SHOWN:
        quoted += ", …"
    return INFERRED.format(because=quoted)


#: The one line `check` and a vault's first `sync` add when no line carries a flag tag.
FLAGS_HINT = (
    "No {tags} anywhere yet, so {kinds} {stay} silent: tag a line with"
    ' `vaultcrm log NAME "…" {option}`{others}, or let `vaultcrm flags suggest` find the'
    ' lines whose words already say it ("she told me…").'
)
#: `check`'s warning on a vault's own note template that names some kinds but not all.
TEMPLATE_LEAVES_OUT = (
    "names some kinds but not {kinds}: {their} items are left out of the note (`vaultcrm due`"
    " lists them); copy {branches} from the package's template (docs/templates.md)"
)
#: Why `flags apply` leaves a suggestion on a line that counts for several people.
SKIPPED_SHARED_LINE = "the line also counts for {others}, for whom it does not read so"
#: What `vaultcrm flags suggest|apply` say around their lines.
FLAGS_WORDS: dict[str, str] = {
    "found": "{lines} as a flag (confidence {at_least:.2f} or more): `vaultcrm flags apply`"
    " adds the tags; #noflag on a line keeps it out.",
    "none": "No line without a flag reads as one (confidence {at_least:.2f} or more).",
    "plan": "Plan: {what} (confidence {at_least:.2f} or more)",
    "nothing": "Nothing to tag (confidence {at_least:.2f} or more).",
    "left_alone": "Left alone:",
    "dry_run": "Dry run: nothing written.",
    "wrote": "Wrote {what}.",
}


# --- brief and people -----------------------------------------------------------------------

#: The vulnerability ledger in one sentence (`vaultcrm brief`), ending with the move it
#: suggests; `{day}` is the last day you (share) or they (listen) opened up.
LEDGER: dict[str, str] = {
    "share": "{name} has opened up {times} since you last shared something of your own"
    " ({day}): your turn to share.",
    "share_never": "{name} has opened up {times} and you have logged nothing of your own in"
    " return: your turn to share.",
    "listen": "You have opened up {times} since {name} last did ({day}): ask, and listen.",
    "listen_never": "You have opened up {times} and {name} has not yet, as far as your notes"
    " say: ask, and listen.",
    "balanced": "Balanced: the last exchange went both ways ({day}).",
    "none": "No exchange of confidences logged yet (#shared, #heard).",
}

#: The headings of `vaultcrm brief`, and what it says when a section has nothing.
BRIEF: dict[str, str] = {
    "due": "Due now",
    "heard": "They confided (ask how it is going)",
    "heard_none": "nothing logged with #heard yet",
    "shared": "You last shared",
    "shared_none": "nothing logged with #shared yet",
    "ledger": "The ledger",
    "deep": "Last truly open exchange",
    "deep_none": "none logged with #deep yet",
    "follow_ups": "Open follow-ups",
    "open_tasks": "Open with them (no date)",
    "never_nudged": "kept for reference (cadence: never)",
    "ahead": "Dates ahead",
    "mind": "Keep in mind",
    "recent": "Last {count} interactions",
    "recent_one": "Last interaction",
    "recent_none": "none logged yet",
    "never": "none logged yet",
    "rhythm": "Rhythm: about every {days} (last {contacts} contacts)",
    "around": "Family and people around them",
    "from_their_note": "(from their note)",
    "mentioned": "Last mentioned: {text}",
}


# --- the circle review (`vaultcrm review`) ----------------------------------------------------

REVIEW: dict[str, str] = {
    "heading": "Your circles, {day}",
    "no_circle": "(no circle)",
    "layers": "Dunbar's layers: about 5, 15, 50 and 150 people, each holding the one before",
    "layer": "about {size} ({every}): {circles}: {people}",
    "misfits": "Not in step with their circle",
    "misfits_none": "Everyone's contact fits their circle.",
    "misfit": "{name}: {circle}, {contacts} in {months} — keep as {circle}, or move to"
    " {suggested}?",
    "footer": "Read once a quarter; nothing was written. `vaultcrm set` moves someone.",
}
#: How often each of Dunbar's layers is in touch (Roberts & Dunbar 2015), as a circle's
#: cadence is said beside it.
LAYER_EVERY: dict[int, str] = {5: "weekly", 15: "monthly", 50: "every few months", 150: "yearly"}


def count_people(n: int) -> str:
    return "1 person" if n == 1 else f"{n} people"


def count_contacts(n: int) -> str:
    return "1 contact" if n == 1 else f"{n} contacts"


def count_months(n: int) -> str:
    return "1 month" if n == 1 else f"{n} months"


# --- problems -----------------------------------------------------------------------------

#: How a problem line marks a warning (`path:line: warning: …`), and the line that ends a
#: capped list of them (`sync` and `watch` print at most 20; `check` lists them all).
PROBLEM_WORDS: dict[str, str] = {
    "warning": "warning: ",
    "more": "… and {count} more (vaultcrm check lists them all)",
}

# --- the index --------------------------------------------------------------------------------

#: Why the index was worked around or rebuilt, by reason (`cache.store.CacheNote`); `{detail}`
#: is the error or the folder. The CLI says each on stderr as `note: …`.
CACHE_NOTES: dict[str, str] = {
    "folder_unusable": "cache folder unusable ({detail}); working without a cache",
    "unusable": "cache unusable ({detail}); working without it this run",
    "was_unusable": "cache was unusable ({detail})",
    "busy": "cache busy ({detail}): another vaultcrm run is writing it; working without it",
    "busy_store": "cache busy: another vaultcrm run was writing it; not saved this run",
    "unreadable": "cache was unreadable ({detail})",
    "unreadable_in_use": "cache was unreadable ({detail}); in use by another run, working "
    "without it",
    "changed": "vaultcrm, its settings or Python changed",
}

# --- ticks -----------------------------------------------------------------------------------

#: Ends every line a tick logs, so the person's note says where it came from.
TICK_SOURCE = "(from Reflections due)"
TICKS: dict[str, str] = {
    "ignored": "nothing for “{shown}”: it is no longer due, so the tick was ignored",
    "already_logged": " (already logged)",
    "ticked_off": "{source}:{number}: ticked off “{text}”",
    # what `{label}` reads in a logged line when the items ticked have no label
    "no_label": "date",
    # a follow-up from a `follow_up:` field, ticked: the field's value is removed too, so
    # it does not come back
    "field_cleared": " ({key} cleared)",
    "conflict": "{rel}: your editor saved this note while vaultcrm wrote it; "
    "your version is kept as {conflict}",
    # a sync that could not finish its job, and why; what it did record comes after
    "not_recorded": "could not record {items} of {output}: {failures}. "
    "They stay ticked: fix the cause and sync again, or untick them.",
    "kept_changing": "{output} kept changing while vaultcrm rewrote it ({attempts} tries); "
    "it was left as it is, with every tick in it: sync again when it is quiet",
    "recorded_meanwhile": "Recorded meanwhile: {lines}",
}

#: The heading of the boxes ticked on another device that the merged note's own day does
#: not list (`output/merge_note.py`): kept so the next sync records them.
CARRIED_TICKS = "Ticked on another device"
#: What a sync says about the versions of its note it merged (`app/heal.py`).
HEAL: dict[str, str] = {
    "resolved": "Resolved the git conflict in {file}: the ticks of every side are recorded once",
    "resolved_merging": "Resolved the git conflict in {file}, keeping the ticks of every side; "
    "`git add` it and finish the merge (or rebase), then sync again to record them",
    "removed": "Removed {file}, the {source} conflict copy of {output}: its ticks are recorded",
    "not_ours": "line {line} is a merge conflict marker, and one side of the conflict was not "
    "written by vaultcrm; resolve the conflict first",
}

#: What `init --git` and `check` say about git's merge driver (`app/gitsetup.py`).
GIT: dict[str, str] = {
    "not_a_repo": "{root} is not inside a git work tree: run `git init` there first "
    "(or leave out --git)",
    "no_git": "git is not installed (or not on PATH): {error}",
    "git_failed": "git {args} failed: {error}",
    "added": "Added to .gitattributes: {line}",
    "kept": "Kept .gitattributes: {line} (already there)",
    "set": "Set merge.vaultcrm.driver in this repository's git config: {command}",
    "kept_driver": "Kept merge.vaultcrm.driver in this repository's git config (already set)",
    "driver_name": "vaultcrm: merges the generated note and calendar (union of ticks)",
    # `check`, one warning line in a git vault
    "not_routed": "git merges this note as text, so two devices that sync on different "
    "days leave conflict markers in it (the next sync resolves them); "
    "`vaultcrm init --git` makes git merge it with vaultcrm's driver",
    "not_defined": "`.gitattributes` routes this note to vaultcrm's merge driver, but this "
    "clone does not define it (merge.vaultcrm.driver): run `vaultcrm init --git` here",
    "program_gone": "the merge driver's program {program} no longer exists (a moved or "
    "deleted virtualenv?): run `vaultcrm init --git` again",
}

#: What `due` says when it has nothing to list.
NOTHING_DUE = "Nobody is due. Enjoy the quiet."
NO_PEOPLE = "No people found."
#: What `sync` says instead of writing a note that would read as an all-clear.
NO_NOTE = "Wrote no {output}: nobody was found (see above for where to look)."


def conflict_message(rel: str, conflict: str) -> str:
    """What a command says when the edit engine kept an editor's save as a conflict copy."""
    return TICKS["conflict"].format(rel=rel, conflict=conflict)


# --- the watcher -----------------------------------------------------------------------------

#: Every text the watcher says.
WATCH: dict[str, str] = {
    "start": "Watching {vault} ({people} people, {reflections} reflections). Ctrl-C to stop.",
    "start_failed": "Watching {vault} (the first sync failed, see above). Ctrl-C to stop.",
    "limit_watches": "inotify watch limit reached (fs.inotify.max_user_watches); "
    "falling back to polling every {interval:g} s",
    "limit_instances": "inotify instance limit reached (fs.inotify.max_user_instances); "
    "falling back to polling every {interval:g} s",
    "polling": "Polling the vault for changes every {interval:g} s",
    "failed": "sync failed: {error}; still watching",
    "recorded": "Recorded: {line}",
    "new_day": "New day, {day}",
    "updated": "{output} updated ({reflections})",
    # what else a rewrite changed in the note: a month of its chart, its count of problems
    "chart": "{month}: {interactions} (was {was})",
    "chart_shared": "{month}: you shared {you}, they shared {they} (was {you_was}, {they_was})",
    "problems": "problems in the vault: {count} (was {was})",
    "more": "and {count} more",
}


# --- the calendar (`export ics`, `ics:`) -----------------------------------------------------

#: Event summaries. A yearly event has one summary for all its years, so it says the year
#: of birth ("born 1990"), never an age that would be wrong every other year.
CALENDAR: dict[str, str] = {
    "birthday": "{name}'s birthday",
    "born": " (born {year})",
    "date": "{name}: {label}",
    "since": " ({year})",
    "follow_up": "{name}: {text}",
    "follow_up_empty": "follow up",
    "from": "From {file}",
    "follow_up_from": "Follow-up in {file}",
    "name": "vaultcrm: birthdays, dates and follow-ups",
}


# --- the inbox (`inbox:`, filed by sync and watch) --------------------------------------------

INBOX: dict[str, str] = {
    "filed": "Filed {typed!r} → {file}: {line}",
    "already": " (already there)",
    "kept": "{inbox}:{number}: kept: {reason}",
    "no_text": "nothing to log after “{head}:”",
    "no_date": "no date found: write remind NAME DATE TEXT, e.g. remind Ben 2026-12-20 call",
    "not_written": "{error}; it stays here until that is fixed",
    "kept_changing": "{inbox} kept changing while vaultcrm filed its lines ({attempts} tries); "
    "what was filed is in the notes and leaves the inbox on the next sync",
}


# --- the digest (`vaultcrm digest`) ----------------------------------------------------------

DIGEST: dict[str, str] = {
    "heading": "Reflections due, {day}",
    "title": "vaultcrm: {people} today{new}",
    "title_none": "vaultcrm: nobody is due today",
    "title_new": " ({count} new)",
    "one_person": "1 person is due",
    "people": "{count} people are due",
    "nobody": "Nobody is due. Enjoy the quiet.",
    "more_items": " (+{count} more)",
    "all_due": "All due: {counts}.",
    "new_since": "New since {day}:",
    "and_more": "and {count} more",
    "problems": "{count} problems in the vault: `vaultcrm check` lists them.",
    "open": "Open Reflections due",
    "nothing_new": "Nothing new since the last digest ({day}) for {destination}: not sent "
    "(--always sends anyway)",
    "nothing_due": "Nobody is due for {destination}: not sent (--always sends anyway)",
    "sent": "Sent to {destination}",
    "not_sent": "digest not sent to {destination}: {reason}",
    "no_destinations": "no destination: add URLs under `notify:` in vaultcrm.yaml "
    "(e.g. ntfys://ntfy.sh/your-topic) or set VAULTCRM_NOTIFY",
}
