"""The import plan as a pure function: who is created, filled in, left alone or skipped."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from vaultcrm.app.names import name_problem
from vaultcrm.interop.contacts import Contact, Source
from vaultcrm.interop.merge import Known, clean_name, plan


def contact(name: str, **fields: object) -> Contact:
    return Contact(name, Source("c.vcf", 1, "card 1"), **fields)  # type: ignore[arg-type]


def steps(contacts: list[Contact], known: list[Known]) -> list[tuple[str, str | None, list[str]]]:
    found = plan(contacts, known, people_folder="People", name_problem=name_problem)
    return [(s.action, s.file, list(s.values)) for s in found]


def test_only_missing_or_empty_keys_are_filled() -> None:
    ann = Known("Ann", "People/Ann.md", emails=("ann@x.org",), present=frozenset({"birthday"}))
    found = steps([contact("Annie", emails=("ANN@x.org",), phones=("1",), tags=("a",))], [ann])
    assert found == [("fill", "People/Ann.md", ["tags", "emails", "phones"])]
    # `emails` is "missing" for Ann: the match by email does not make it present


def test_a_full_note_is_unchanged_and_a_note_with_a_body_gets_no_second_one() -> None:
    ann = Known("Ann", "People/Ann.md", present=frozenset({"emails"}), body_blank=False)
    found = plan([contact("Ann", emails=("a@x.org",), note="hi")], [ann], people_folder="People",
                 name_problem=name_problem)  # fmt: skip
    assert (found[0].action, found[0].kept) == ("unchanged", ("emails", "body"))


def test_ambiguous_and_unreadable_matches_are_skipped_with_why() -> None:
    known = [
        Known("Ann", "People/Ann.md"),
        Known("Bo", "People/Bo.md", emails=("x@x.org",)),
        Known("Cy", "People/Cy.md", readable=False),
    ]
    found = plan([contact("Ann", emails=("x@x.org",)), contact("Cy")], known,
                 people_folder="People", name_problem=name_problem)  # fmt: skip
    assert [s.reason for s in found] == [
        "it matches 2 people (Ann, Bo)",
        "matches Cy by name, whose frontmatter does not parse; fix it first",
    ]
    assert found[0].problem() is not None and found[0].problem().format() == (  # type: ignore[union-attr]
        "c.vcf:1: card 1: it matches 2 people (Ann, Bo); skipped"
    )


def test_unsafe_names_are_cleaned_and_kept_as_aliases_or_skipped() -> None:
    assert clean_name("AC/DC: Angus") == "AC DC Angus"
    assert clean_name("John Smith Jr.") == "John Smith Jr"
    assert clean_name("...") == ""
    found = plan([contact("John Smith Jr."), contact("###")], [], people_folder="",
                 name_problem=name_problem)  # fmt: skip
    assert (found[0].file, found[0].values["aliases"]) == ("John Smith Jr.md", ["John Smith Jr."])
    assert found[1].action == "skip" and "cannot name a note '###'" in found[1].reason


def test_an_alias_someone_else_has_is_left_out_and_said() -> None:
    found = plan(
        [contact("Dee", aliases=("Bob", "Dee D"))],
        [
            Known("Bo", "People/Bo.md", aliases=("Bobby",)),
            Known("Bob", "People/Bob.md"),
        ],  # fmt: skip
        people_folder="People",
        name_problem=name_problem,
    )
    # "Bob" is a person's name: the contact matches Bob by nickname and fills in his note
    assert (found[0].action, found[0].file) == ("fill", "People/Bob.md")
    found = plan([contact("Dee", aliases=("Bobby", "Dee D"), emails=("d@x.org",))],
                 [Known("Bo", "People/Bo.md", aliases=("Bobby",), emails=("bo@x.org",)),
                  Known("Dee", "People/Dee.md")],
                 people_folder="People", name_problem=name_problem)  # fmt: skip
    assert found[0].action == "skip"  # Dee by name, Bo by the nickname Bobby


@pytest.mark.slow  # a real pseudo-terminal and a subprocess
def test_a_big_import_on_a_terminal_shows_a_progress_bar(tmp_path: Path) -> None:
    cards = "".join(
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Person {i:04d}\r\nEND:VCARD\r\n" for i in range(320)
    )
    (tmp_path / "big.vcf").write_text(cards, newline="")
    vault = tmp_path / "vault"
    vault.mkdir()
    leader, follower = pty.openpty()
    env = {**os.environ, "VAULTCRM_CACHE_DIR": str(tmp_path / "cache"), "COLUMNS": "100"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "vaultcrm", "import", "vcard", str(tmp_path / "big.vcf"),
         "--vault", str(vault)],
        stdout=subprocess.PIPE, stderr=follower, env=env,
    )  # fmt: skip
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the other side closed: the process is done with its terminal
            break
        if not chunk:
            break
        shown += chunk
    out, _ = proc.communicate(timeout=120)
    os.close(leader)
    assert proc.returncode == 0
    assert out.decode().endswith("320 created, 0 filled in, 0 unchanged, 0 skipped\n")
    assert b"Importing" in shown
