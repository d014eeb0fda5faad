"""An incremental sync after edits, renames and deletes gives the same note as a cold one."""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

import vaultcrm.cache.store as index
from tests.sessions import compute, from_scratch, sync
from vaultcrm.app.sync import render_outcome
from vaultcrm.read.records import open_index

TODAY = dt.date(2026, 11, 23)


def cold_note(root: Path, today: dt.date = TODAY) -> str:
    """The note worked out from scratch (`tests/sessions.from_scratch`), which `--no-cache`
    (a cold pass through an index in memory) must give too."""
    note = render_outcome(from_scratch(root, today))
    assert render_outcome(compute(root, today, cache=False)) == note
    return note


def warm_note(root: Path, today: dt.date = TODAY, *, processes: bool = False) -> str:
    result = sync(root, today, processes=processes)
    return (root / result.output).read_text(encoding="utf-8")


def touch_later(path: Path) -> None:
    """Editors save within the same mtime tick sometimes; make the change visible."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))


def append(path: Path, line: str) -> None:
    with open(path, "a", encoding="utf-8", newline="") as fh:
        fh.write(line)
    touch_later(path)


Edit = Callable[[Path], None]

EDITS: list[tuple[str, Edit]] = [
    (
        "log a #shared line for Ben",
        lambda v: append(
            v / "People/Ben Okafor.md", "\n- 2026-11-22 Told him about my week #shared\n"
        ),
    ),
    (
        "daily note linking two people",
        lambda v: (v / "Journal/2026-11-23.md").write_text(
            "Dinner with [[Sam Reyes]] and [[Oscar Delgado]] #heard\n"
        ),
    ),
    (
        "rename a person note",
        lambda v: (v / "People/Sam Reyes.md").rename(v / "People/Samuel Reyes.md"),
    ),
    ("delete a daily note", lambda v: (v / "Journal/2026-11-13.md").unlink()),
    (
        "give Tom an alias someone else uses",
        lambda v: (v / "People/Tom Gallagher.md").write_text(
            (v / "People/Tom Gallagher.md").read_text().replace("---\n", "---\naliases: [Dad]\n", 1)
        ),
    ),
    (
        "an unrelated line for someone who shares an alias",
        lambda v: append(v / "People/Tom Gallagher.md", "\n- 2026-11-20 Lunch, talked shop\n"),
    ),
    (
        "add a new person",
        lambda v: (v / "People/Zoe Quinn.md").write_text(
            "---\ncircle: close\nbirthday: 1991-12-01\n---\n- 2026-11-01 Met at the climbing wall\n"
        ),
    ),
    (
        "break a person note",
        lambda v: (v / "People/Priya Shah.md").write_text("---\ncircle: [close\n---\n"),
    ),
    ("delete a folder of people", lambda v: shutil.rmtree(v / "People/Work")),
    (
        "a meeting note linking two people",
        lambda v: write(
            v / "Notes/2026-11-21 Meeting.md",
            '---\ndate: 2026-11-21\npeople: ["[[Ben Okafor]]", "[[Dad]]"]\ntags: [heard]\n---\n',
        ),
    ),
    (
        "the meeting's attendees change",
        lambda v: write(
            v / "Notes/2026-11-21 Meeting.md",
            '---\ndate: 2026-11-21\npeople: ["[[Rosa Quintero]]"]\n---\n',
        ),
    ),
    (
        "the meeting moves to another day",
        lambda v: write(
            v / "Notes/2026-11-21 Meeting.md",
            '---\ndate: 2026-10-02\npeople: ["[[Rosa Quintero]]"]\n---\n',
        ),
    ),
    (
        "the meeting loses its date",
        lambda v: (v / "Notes/2026-11-21 Meeting.md").rename(v / "Notes/Meeting.md"),
    ),
    (
        "an undated meeting gets a date",
        lambda v: write(v / "Notes/Meeting.md", '---\ndate: 2026-11-20\nwith: "[[Ali]]"\n---\n'),
    ),
    ("delete a meeting note", lambda v: (v / "Notes/Meeting.md").unlink()),
    (
        "the note of someone a note names as a relation changes (Dad's birthday, via Mum)",
        lambda v: write(
            v / "People/Family/Richard Marsh.md",
            (v / "People/Family/Richard Marsh.md").read_text().replace(
                "birthday: 1956-04-30", "birthday: 1956-11-30"
            ),
        ),
    ),
    (
        "a note appears for a relation named in a mapping",
        lambda v: write(v / "People/Lucy.md", "---\nbirthday: 1991-12-03\ncircle: friends\n---\n"),
    ),
    (
        "Jess names her partner as a link, and Tunde gets a note",
        lambda v: (
            write(v / "People/Tunde.md", "---\nbirthday: 1990-12-01\n---\n"),
            write(
                v / "People/Family/Jess Marsh.md",
                (v / "People/Family/Jess Marsh.md").read_text().replace(
                    "partner: Tunde", "partner: '[[Tunde]]'"
                ),
            ),
        ),
    ),
    (
        "last_contacted on a person",
        lambda v: write(
            v / "People/Kofi Mensah.md",
            (v / "People/Kofi Mensah.md").read_text().replace(
                "---\n", "---\nlast_contacted: 2026-11-22\n", 1
            ),
        ),
    ),
]


def write(path: Path, text: str) -> None:
    existed = path.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    if existed:
        touch_later(path)


@pytest.mark.parametrize("detached", [False, True], ids=["store-inline", "store-in-child"])
def test_each_edit_matches_a_cold_sync(
    example_vault: Path, detached: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if detached:  # big stores are written by a forked child; make every store one
        monkeypatch.setattr(index, "DETACH_THRESHOLD", 1)
    warm = warm_note(example_vault, processes=detached)
    assert warm == cold_note(example_vault)
    for what, edit in EDITS:
        edit(example_vault)
        assert warm_note(example_vault, processes=detached) == cold_note(example_vault), what
    stats = sync(example_vault, TODAY, processes=detached).outcome.stats
    assert (stats.parsed, stats.reused) == (0, stats.files)  # every record made it in


def test_a_store_written_in_a_child_is_complete(
    example_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index, "DETACH_THRESHOLD", 1)
    first = sync(example_vault, TODAY, processes=True)
    with closing(open_index(example_vault, first.outcome.config)) as idx:
        stored = {r.path: r for r in idx.all_records()}
    monkeypatch.setattr(index, "DETACH_THRESHOLD", 10**9)
    cache = index.cache_path(example_vault)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{cache}{suffix}").unlink(missing_ok=True)
    sync(example_vault, TODAY)
    with closing(open_index(example_vault, first.outcome.config)) as idx:
        assert {r.path: r for r in idx.all_records()} == stored


def test_one_edit_reflects_only_the_people_it_touches(example_vault: Path) -> None:
    first = sync(example_vault, TODAY).outcome.stats
    assert first.reflected == first.files - len(list((example_vault / "Journal").glob("*.md")))
    (example_vault / "Journal/2026-11-23.md").write_text("Called [[Sam Reyes]] #heard\n")
    stats = sync(example_vault, TODAY).outcome.stats
    assert (stats.parsed, stats.reflected) == (1, 1)
    assert stats.reused == stats.files - 1


def test_unchanged_vault_does_no_work(example_vault: Path) -> None:
    sync(example_vault, TODAY)
    stats = sync(example_vault, TODAY).outcome.stats
    assert (stats.parsed, stats.reflected) == (0, 0)


def test_a_new_day_matches_a_cold_sync(example_vault: Path) -> None:
    warm_note(example_vault)
    later = TODAY + dt.timedelta(days=9)
    assert warm_note(example_vault, later) == cold_note(example_vault, later)


@pytest.mark.parametrize("seed", range(3))
def test_random_edit_sequences_match_a_cold_sync(example_vault: Path, seed: int) -> None:
    rng = random.Random(seed)
    people = sorted((example_vault / "People").rglob("*.md"))
    names = [p.stem for p in people]
    warm_note(example_vault)
    for step in range(12):
        choice = rng.randrange(6)
        day = TODAY - dt.timedelta(days=rng.randrange(60))
        tag = rng.choice(["", " #shared", " #heard", " #deep", " #win", " #shared #heard"])
        if choice == 0:
            person = rng.choice([p for p in people if p.exists()])
            append(person, f"\n- {day} step {step}{tag}\n")
        elif choice == 1:
            daily = example_vault / f"Journal/{day}.md"
            if daily.exists():
                append(daily, f"\nSaw [[{rng.choice(names)}]] again{tag}\n")
            else:
                daily.write_text(f"Lunch with [[{rng.choice(names)}]]{tag}\n")
        elif choice == 2:
            dailies = sorted((example_vault / "Journal").glob("*.md"))
            rng.choice(dailies).unlink()
        elif choice == 5:  # a meeting note: new, or its attendees change
            meeting = example_vault / f"Notes/{day} Meeting {rng.randrange(3)}.md"
            who = ", ".join(f'"[[{rng.choice(names)}]]"' for _ in range(rng.randrange(1, 3)))
            tags = tag.replace("#", "").split()
            write(meeting, f"---\nattendees: [{who}]\ntags: {tags}\n---\n")
        elif choice == 3:
            person = rng.choice([p for p in people if p.exists()])
            new = person.with_name(f"{person.stem} {step}.md")
            person.rename(new)
            people[people.index(person)] = new
        else:
            person = rng.choice([p for p in people if p.exists()])
            text = person.read_text()
            person.write_text(
                text.replace("---\n", f"---\naliases: [{rng.choice(names)}]\n", 1)
                if text.startswith("---\n") and "aliases" not in text
                else text
            )
            touch_later(person)
        assert warm_note(example_vault) == cold_note(example_vault), f"seed {seed} step {step}"


REAL = {
    "vaultcrm.yaml": "people_tags: [person]\ninteraction_folders: [CRM]\n",
    "Notes/Ann.md": "---\ntags: [person]\ncadence: weekly\n---\n",
    "Notes/Bo.md": "Friend. #person\nfrequency:: every 10 days\n",
    "Notes/Cy.md": "---\ntags: [person]\n---\n",
    "Notes/Kyoto.md": "A city I want to see with [[Ann]].\n",
    "CRM/2026-11-20 Call.md": "Called [[Bo]]. #shared\n",
    "Journal/2026-11-18.md": "Tea with [[Cy]]\n",
}

REAL_EDITS: list[tuple[str, Edit]] = [
    ("a note becomes a person by tag", lambda v: write(v / "Notes/Kyoto.md", "#person\n")),
    ("a person stops being one", lambda v: write(v / "Notes/Cy.md", "---\ntags: [old]\n---\n")),
    ("a body link in the interaction folder", lambda v: append(v / "CRM/2026-11-20 Call.md",
                                                              "And [[Ann]] joined.\n")),
    ("a meeting note moves out of the folder",
     lambda v: (v / "CRM/2026-11-20 Call.md").rename(v / "Notes/2026-11-20 Call.md")),
    ("a meeting note in the folder by date property",
     lambda v: write(v / "CRM/Sub/Lunch.md", "---\ndate: 2026-11-21\n---\nWith [[Kyoto]]\n")),
    ("a person renamed while linked", lambda v: (v / "Notes/Kyoto.md").rename(v / "Notes/Kyo.md")),
    ("the interaction folder's note is deleted", lambda v: (v / "CRM/Sub/Lunch.md").unlink()),
    ("an alias makes a link resolve", lambda v: write(v / "Notes/Kyo.md",
                                                      "---\naliases: [Kyoto]\n---\n#person\n")),
]


def test_people_by_tag_and_interaction_folders_match_a_cold_sync(make_vault: Any) -> None:
    root = make_vault(REAL)
    assert warm_note(root) == cold_note(root)
    assert "[[Bo]]" not in warm_note(root)  # the call in CRM/ counts
    for what, edit in REAL_EDITS:
        edit(root)
        assert warm_note(root) == cold_note(root), what
        if what == "a meeting note moves out of the folder":
            assert "[[Bo]]" in warm_note(root)  # body links count only in CRM/


def test_the_first_flag_of_its_kind_anywhere_reaches_people_whose_notes_did_not_change(
    make_vault: Any,
) -> None:
    """Whether the vault uses #deep is an input of every deep-circle person's reflections:
    the first #deep anywhere (about someone else) makes Ann and Bo due to go deeper, and
    removing the last one silences them again, on the incremental path as on a cold one."""
    root = make_vault({
        "People/Ann.md": "---\ncircle: close\n---\n- 2026-11-20 Tea\n",
        "People/Bo.md": "---\ncircle: family\n---\n- 2026-11-21 Call\n",
        "People/Cy.md": "---\ncircle: friends\n---\n- 2026-11-10 Walk\n",
        "Journal/2026-11-01.md": "- Lunch with [[Cy]]\n",
    })  # fmt: skip
    assert warm_note(root) == cold_note(root)
    assert "## Go deeper" not in cold_note(root)

    append(root / "Journal/2026-11-01.md", "- Long talk with [[Cy]] #deep\n")
    first = sync(root, TODAY)
    note = (root / first.output).read_text(encoding="utf-8")
    assert note == cold_note(root)
    assert "**Go deeper** — No truly open exchange with [[Ann]]" in note
    assert "**Go deeper** — No truly open exchange with [[Bo]]" in note
    assert first.outcome.stats.reflected == 3  # everyone: a flag came into use

    append(root / "People/Cy.md", "- 2026-11-15 Tea\n")  # nothing moves: Cy alone
    assert sync(root, TODAY).outcome.stats.reflected == 1
    assert (root / "Reflections due.md").read_text(encoding="utf-8") == cold_note(root)

    (root / "Journal/2026-11-01.md").write_text("- Lunch with [[Cy]]\n", encoding="utf-8")
    touch_later(root / "Journal/2026-11-01.md")
    assert warm_note(root) == cold_note(root)
    assert "## Go deeper" not in cold_note(root) and "Go deeper" not in warm_note(root)
