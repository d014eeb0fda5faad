"""The inbox (`inbox:`, default Inbox.md), filed by `sync`, on real files: each line once,
unknown names kept with their reason beside them, other lines untouched, CRLF and a BOM
kept, and never read as an interaction note."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import MakeVault
from tests.sessions import due, opened, sync
from vaultcrm.app.inbox import Capture, file_inbox, parse_line
from vaultcrm.cli import cli

TODAY = dt.date(2026, 11, 23)  # a Monday
BEN = "People/Ben Okafor.md"
AIKO = "People/Aiko Tanaka.md"
PEOPLE = {
    BEN: "---\ncircle: close\n---\n- 2026-11-01 Run\n",
    "People/Ben Cohen.md": "---\ncircle: friends\n---\n- 2026-11-01 Pub\n",
    AIKO: "---\ncircle: friends\n---\n- 2026-10-01 Lunch\n",
}


def _vault(make_vault: MakeVault, inbox: str | bytes) -> Path:
    return make_vault({**PEOPLE, "Inbox.md": inbox})


def _lines(root: Path, rel: str) -> list[str]:
    return (root / rel).read_text(encoding="utf-8-sig").splitlines()


def test_lines_are_filed_once_and_leave_the_inbox(make_vault: MakeVault) -> None:
    root = _vault(
        make_vault,
        "# Inbox\n\n"
        "- Ben Okafor: coffee, he told me about his dad #heard\n"
        "- 2026-11-20 Aiko: ramen after work #shared\n"
        "- last friday Aiko: karaoke\n"
        "* remind Ben Okafor next tuesday send the article\n"
        "- remind Aiko 2026-12-20 ask about the move\n"
        "Prose stays: as it is.\n"
        "- [ ] a task: stays\n"
        "- a list item without a name stays\n",
    )
    result = sync(root, TODAY)
    assert result.inbox is not None
    assert [f.person for f in result.inbox.filed] == [
        "Ben Okafor", "Aiko Tanaka", "Aiko Tanaka", "Ben Okafor", "Aiko Tanaka",
    ]  # fmt: skip
    assert result.inbox.kept == [] and result.inbox.failures == []
    assert _lines(root, BEN) == [
        "---", "circle: close", "---", "- 2026-11-01 Run",
        "- 2026-11-23 coffee, he told me about his dad #heard",
        "- [ ] 2026-11-24 send the article",
    ]  # fmt: skip
    assert _lines(root, AIKO)[3:] == [
        "- 2026-10-01 Lunch",
        "- 2026-11-20 ramen after work #shared",
        "- 2026-11-20 karaoke",
        "- [ ] 2026-12-20 ask about the move",
    ]
    assert _lines(root, "Inbox.md") == [
        "# Inbox", "", "Prose stays: as it is.", "- [ ] a task: stays",
        "- a list item without a name stays",
    ]  # fmt: skip
    # what was filed counts at once: Ben's follow-up is due, Aiko was seen on Friday
    kinds = {(r.kind, r.person) for r in result.outcome.reflections}
    assert ("follow_up", "Ben Okafor") in kinds
    assert ("reach_out", "Aiko Tanaka") not in kinds

    again = sync(root, TODAY)
    assert again.inbox is None  # nothing changed: the inbox is not even read
    forced = sync(root, TODAY, cache=False)
    assert forced.inbox is not None and forced.inbox.filed == []
    assert len(_lines(root, BEN)) == 6 and len(_lines(root, AIKO)) == 7


def test_a_line_already_in_the_note_is_removed_not_written_again(make_vault: MakeVault) -> None:
    """A run killed after filing a line, before rewriting the inbox, leaves it in both."""
    root = make_vault({**PEOPLE, BEN: PEOPLE[BEN] + "- 2026-11-23 coffee\n",
                       "Inbox.md": "- Ben Okafor: coffee\n"})  # fmt: skip
    result = sync(root, TODAY)
    assert result.inbox is not None
    assert [(f.line, f.already) for f in result.inbox.filed] == [("- 2026-11-23 coffee", True)]
    assert _lines(root, BEN).count("- 2026-11-23 coffee") == 1
    assert (root / "Inbox.md").read_bytes() == b""


def test_unknown_or_ambiguous_names_stay_with_their_reason_once(make_vault: MakeVault) -> None:
    root = _vault(make_vault, "- Ben: hello\n- Zed Quux: hi\n- Bne Okafr: x\n- remind Aiko soon\n"
                  "- 2026-02-30 Aiko: x\n")  # fmt: skip
    result = sync(root, TODAY)
    assert result.inbox is not None and result.inbox.filed == []
    expected = [
        "- Ben: hello <!-- vaultcrm: 'Ben' matches 2 people: Ben Cohen, Ben Okafor;"
        " be more specific -->",
        "- Zed Quux: hi <!-- vaultcrm: no person named 'Zed Quux' (add them with"
        " `vaultcrm add`) -->",
        "- Bne Okafr: x <!-- vaultcrm: no person named 'Bne Okafr' (did you mean"
        " 'Ben Okafor'?) -->",
        "- remind Aiko soon <!-- vaultcrm: no date found: write remind NAME DATE TEXT,"
        " e.g. remind Ben 2026-12-20 call -->",
        "- 2026-02-30 Aiko: x <!-- vaultcrm: '2026-02-30' is not a date (there is no such"
        " day) -->",
    ]
    assert _lines(root, "Inbox.md") == expected
    assert [(k.number, k.reason[:9]) for k in result.inbox.kept] == [
        (1, "'Ben' mat"), (2, "no person"), (3, "no person"), (4, "no date f"),
        (5, "'2026-02-"),
    ]  # fmt: skip
    before = (root / "Inbox.md").stat().st_mtime_ns
    sync(root, TODAY, cache=False)  # read again: the same reasons, no second comment
    assert _lines(root, "Inbox.md") == expected
    assert (root / "Inbox.md").stat().st_mtime_ns == before

    # Zed gets a note: his line is filed, comment and all gone; Ben's stays ambiguous
    (root / "People/Zed Quux.md").write_text("- 2026-11-01 Met\n", encoding="utf-8")
    result = sync(root, TODAY)
    assert result.inbox is not None
    assert [f.file for f in result.inbox.filed] == ["People/Zed Quux.md"]
    assert _lines(root, "People/Zed Quux.md") == ["- 2026-11-01 Met", "- 2026-11-23 hi"]
    assert _lines(root, "Inbox.md") == [expected[0], *expected[2:]]

    # the user fixes a line, leaving the old comment: it is filed
    text = (root / "Inbox.md").read_text(encoding="utf-8")
    (root / "Inbox.md").write_text(text.replace("- Ben: hello", "- Ben C: hello"), "utf-8")
    sync(root, TODAY)
    assert _lines(root, "People/Ben Cohen.md")[-1] == "- 2026-11-23 hello"


def test_a_note_that_cannot_be_written_keeps_its_line(make_vault: MakeVault) -> None:
    root = make_vault({**PEOPLE, BEN: "---\ncircle: [close\n---\n", "Inbox.md": "- Ben O: hi\n"})
    result = sync(root, TODAY)
    assert result.inbox is not None and result.inbox.filed == []
    (line,) = _lines(root, "Inbox.md")
    assert line.startswith("- Ben O: hi <!-- vaultcrm: cannot write People/Ben Okafor.md: its")
    assert line.endswith("; it stays here until that is fixed -->")
    assert (root / BEN).read_text() == "---\ncircle: [close\n---\n"


def test_crlf_and_bom_are_kept(make_vault: MakeVault) -> None:
    bom = b"\xef\xbb\xbf"
    root = _vault(
        make_vault,
        bom + b"# Inbox\r\n\r\n- Aiko: tea\r\n- Ben: x\r\nkeep me\r\n- no newline at end: ok",
    )
    sync(root, TODAY)
    assert (root / "Inbox.md").read_bytes() == bom + (
        b"# Inbox\r\n\r\n- Ben: x <!-- vaultcrm: 'Ben' matches 2 people: Ben Cohen, Ben Okafor;"
        b" be more specific -->\r\nkeep me\r\n- no newline at end: ok"
        b" <!-- vaultcrm: no person named 'no newline at end' (add them with `vaultcrm add`)"
        b" -->"
    )


def test_frontmatter_of_the_inbox_is_left_alone(make_vault: MakeVault) -> None:
    root = _vault(make_vault, "---\ntags: [inbox]\nnote: keep\n---\n- Aiko: tea\n")
    sync(root, TODAY)
    assert (root / "Inbox.md").read_text() == "---\ntags: [inbox]\nnote: keep\n---\n"


def test_missing_or_empty_inbox_is_left_alone(make_vault: MakeVault) -> None:
    root = make_vault(PEOPLE)
    result = sync(root, TODAY)
    assert result.inbox is not None and result.inbox.filed == []
    assert not (root / "Inbox.md").exists()
    (root / "Inbox.md").write_bytes(b"")
    os.utime(root / "Inbox.md", ns=(1, 1))
    with opened(root, TODAY) as session:
        assert file_inbox(session).filed == []
    assert (root / "Inbox.md").stat().st_mtime_ns == 1


def test_the_inbox_is_never_an_interaction_note(make_vault: MakeVault) -> None:
    """A kept line linking Aiko on a date-named inbox is not contact with her."""
    root = make_vault(
        {
            **PEOPLE,
            "vaultcrm.yaml": "inbox: 2026-11-22 Capture\ninteraction_folders: ['/']\n",
            "2026-11-22 Capture.md": "- [[Aiko Tanaka]] and [[Ben Okafor]]\n",
        }
    )
    kinds = {(r.kind, r.person) for r in due(root, TODAY).reflections}
    assert ("reach_out", "Aiko Tanaka") in kinds


def test_an_inbox_among_people_is_not_a_person(make_vault: MakeVault) -> None:
    root = make_vault({"vaultcrm.yaml": "people_folder: /\n", "Ann.md": "- 2026-11-01 x\n",
                       "Inbox.md": "- Ann: tea\n"})  # fmt: skip
    result = sync(root, TODAY)
    assert result.outcome.people_count == 1
    assert (root / "Ann.md").read_text() == "- 2026-11-01 x\n- 2026-11-23 tea\n"


def test_sync_json_says_what_was_filed(make_vault: MakeVault) -> None:
    root = _vault(make_vault, "- Aiko: tea #shared\n- Ben: x\n")
    result = CliRunner().invoke(
        cli, ["sync", "--vault", str(root), "--today", "2026-11-23", "--json"],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["inbox"] == {
        "inbox": "Inbox.md",
        "filed": [{"line": 1, "typed": "- Aiko: tea #shared", "person": "Aiko Tanaka",
                   "file": AIKO, "written": "- 2026-11-23 tea #shared", "already": False}],
        "kept": [{"line": 2, "typed": "- Ben: x",
                  "reason": "'Ben' matches 2 people: Ben Cohen, Ben Okafor; be more specific"}],
        "failures": [],
    }  # fmt: skip
    assert "Inbox.md:2: kept: 'Ben' matches 2 people" in result.stderr


def test_sync_says_what_it_filed(make_vault: MakeVault) -> None:
    root = _vault(make_vault, "- Aiko: tea\n")
    result = CliRunner().invoke(
        cli, ["sync", "--vault", str(root), "--today", "2026-11-23"], catch_exceptions=False
    )
    assert result.stdout.splitlines()[0] == (
        "Filed '- Aiko: tea' → People/Aiko Tanaka.md: - 2026-11-23 tea"
    )


@pytest.mark.parametrize(
    ("line", "capture"),
    [
        ("- Ben: coffee #heard", Capture("log", ("Ben",), "coffee #heard")),
        ("* [[Ben Okafor]]: tea", Capture("log", ("[[Ben", "Okafor]]"), "tea")),
        ("+ 2026-12-06 Aiko: ramen", Capture("log", ("2026-12-06", "Aiko"), "ramen")),
        ("- Ben:", Capture("log", ("Ben",), "")),
        ("- Remind Ben 2026-12-20 send", Capture("remind", ("Ben", "2026-12-20", "send"), "")),
        ("- https://example.com", None),
        ("- 10:30 Ben: coffee", None),
        ("- [ ] task: x", None),
        ("- [x] task: x", None),
        ("# Heading: x", None),
        ("  - nested: x", None),
        ("prose: x", None),
        ("- one two three four five six seven eight nine: x", None),
        ("- remind", None),
    ],
)
def test_which_lines_are_captures(line: str, capture: Capture | None) -> None:
    assert parse_line(line) == capture


class Typist:
    """Adds one line to the inbox every 20-120 ms, as a phone's editor saves it (read,
    add a line, write atomically or in place), for `seconds`."""

    def __init__(self, root: Path, *, in_place: bool, seconds: float, seed: int) -> None:
        import random
        import threading

        self.path = root / "Inbox.md"
        self.in_place = in_place
        self.seconds = seconds
        self.rng = random.Random(seed)
        self.typed: list[str] = []
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import time

        deadline = time.monotonic() + self.seconds
        try:
            while time.monotonic() < deadline:
                self._type(f"note {len(self.typed)}")
                time.sleep(self.rng.uniform(0.02, 0.12))
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.error = exc

    def _type(self, text: str) -> None:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            data = b""
        if data and not data.endswith(b"\n"):
            data += b"\n"
        new = data + f"- Aiko: {text}\n".encode()
        if self.in_place:
            with open(self.path, "wb") as file:  # truncate, then write
                file.write(new)
        else:
            temp = self.path.with_name(".typist.tmp")
            temp.write_bytes(new)
            os.replace(temp, self.path)
        self.typed.append(text)


@pytest.mark.slow
@pytest.mark.parametrize("in_place", [False, True], ids=["atomic-save", "in-place-save"])
def test_a_line_typed_during_a_sync_is_never_lost_or_filed_twice(
    make_vault: MakeVault, in_place: bool
) -> None:
    root = _vault(make_vault, "# Inbox\n")
    typist = Typist(root, in_place=in_place, seconds=3.0, seed=3 + int(in_place))
    typist.thread.start()
    syncs = 0
    while typist.thread.is_alive():
        result = sync(root, TODAY, cache=syncs % 2 == 0)
        assert result.inbox is None or result.inbox.kept == [], result.inbox
        syncs += 1
    typist.thread.join()
    assert typist.error is None, typist.error
    sync(root, TODAY)  # quiet now: files whatever is left
    assert syncs >= 2 and len(typist.typed) >= 10, (syncs, typist.typed)
    logged = _lines(root, AIKO)
    for text in typist.typed:
        assert logged.count(f"- 2026-11-23 {text}") == 1, (text, logged)
    assert _lines(root, "Inbox.md") == ["# Inbox"]
    assert list(root.rglob("*.conflict*.md")) == []


@pytest.mark.slow
def test_watch_files_a_line_typed_into_the_inbox(make_vault: MakeVault) -> None:
    from tests.test_watch import eventually, watching

    root = make_vault(PEOPLE)
    with watching(root) as session:
        (root / "Inbox.md").write_text("- Aiko: tea #shared\n- Ben: hi\n", encoding="utf-8")
        assert eventually(lambda: "- 2026-11-23 tea #shared" in _lines(root, AIKO), 20.0)
        assert eventually(lambda: any("Filed" in t for t in session.texts("recorded")), 5.0)
        assert eventually(lambda: any("Inbox.md:2: kept:" in t
                                      for t in session.texts("problem")), 5.0)  # fmt: skip
    assert _lines(root, "Inbox.md")[0].startswith("- Ben: hi <!-- vaultcrm: 'Ben' matches")
    assert _lines(root, AIKO).count("- 2026-11-23 tea #shared") == 1


def test_a_name_that_starts_like_a_date_is_a_name(make_vault: MakeVault) -> None:
    root = make_vault({**PEOPLE, "People/Sun Li.md": "- 2026-11-01 Met\n",
                       "Inbox.md": "- Sun Li: dumplings\n- yesterday Sun: tea\n"})  # fmt: skip
    sync(root, TODAY)
    assert _lines(root, "People/Sun Li.md") == [
        "- 2026-11-01 Met", "- 2026-11-22 tea", "- 2026-11-23 dumplings",
    ]  # fmt: skip


def test_a_missing_people_folder_keeps_every_line(make_vault: MakeVault) -> None:
    root = make_vault({"vaultcrm.yaml": "people_folder: Contacts\n", "Inbox.md": "- Ann: x\n"})
    result = sync(root, TODAY)
    assert result.inbox is not None and result.inbox.filed == []
    (line,) = _lines(root, "Inbox.md")
    assert "<!-- vaultcrm: no person named 'Ann'" in line  # sync reports the folder itself
