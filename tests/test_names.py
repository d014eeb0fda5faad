"""Resolving a PERSON argument, and which names may become a person note's file name."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import MakeVault
from tests.sessions import resolve_person, taken_names
from vaultcrm.app.names import PersonRef, name_problem, person_files, resolve_fast
from vaultcrm.config import Config, load_config
from vaultcrm.errors import UsageError


@pytest.mark.parametrize(
    "name",
    ["Ann Lee", "Zoë Øvergaard", "José-María O'Brien", "Dr. J. Smith", "李小龙", "Ann (work)", "a"],
)
def test_ordinary_names_are_safe(name: str) -> None:
    assert name_problem(name) is None


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("Ann/Lee", "'/'"),
        ("Ann\\Lee", "'\\\\'"),
        ("Ann: work", "':'"),
        ("../etc/passwd", "'/'"),
        ("Ann..Lee", "'..'"),
        (".hidden", "starts with a dot"),
        ("Ann\nLee", "U+000A"),
        ("Ann\x00", "U+0000"),
        ("Ann\u202eeL", "U+202E"),
        ("CON", "reserved device name"),
        ("con", "reserved device name"),
        ("nul.txt", "reserved device name"),
        ("COM1", "reserved device name"),
        ("Lpt9 ", "ends with a dot or a space"),
        ("Ann.", "ends with a dot"),
        ("Ann ", "ends with a dot or a space"),
        (" Ann", "starts with a space"),
        ("Ann*", "'*'"),
        ("Ann?", "'?'"),
        ('Ann "the boss"', "'\"'"),
        ("<Ann>", "'<'"),
        ("Ann|Lee", "'|'"),
        ("Ann #1", "'#'"),
        ("Ann^2", "'^'"),
        ("Ann [work]", "'['"),
        ("x" * 201, "201 bytes"),
        ("é" * 101, "202 bytes"),
        ("Ann\udcff", "not valid text"),
    ],
)
def test_unsafe_names_say_why(name: str, why: str) -> None:
    problem = name_problem(name)
    assert problem is not None and why in problem


def test_two_hundred_bytes_is_still_fine() -> None:
    assert name_problem("x" * 200) is None


def people_vault(make_vault: MakeVault) -> tuple[Path, Config]:
    root = make_vault(
        {
            "People/Alice Nakamura.md": "---\naliases: [Ali]\n---\n",
            "People/Alison Brie.md": "",
            "People/Ben Okafor.md": "---\naliases: [Benny, Big B]\n---\n",
            "People/Work/Dev Raman.md": "---\naliases: [DR]\n---\n",
            "People/Family/Sam.md": "",
            "People/Sam Reyes.md": "",
            "People/.obsidian-ish/Hidden.md": "",
            "People/notes.txt": "",
            "Journal/2026-11-02.md": "[[Ann]]\n",
        }
    )
    config, _ = load_config(root)
    return root, config


def test_person_files_lists_notes_below_the_people_folder(make_vault: MakeVault) -> None:
    root, config = people_vault(make_vault)
    assert [r.file for r in person_files(root, config)] == [
        "People/Alice Nakamura.md",
        "People/Alison Brie.md",
        "People/Ben Okafor.md",
        "People/Family/Sam.md",
        "People/Sam Reyes.md",
        "People/Work/Dev Raman.md",
    ]


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("Ben Okafor", "Ben Okafor"),
        ("ben okafor", "Ben Okafor"),
        ("ben", "Ben Okafor"),
        ("Dev", "Dev Raman"),  # in a subfolder
        ("Sam", "Sam"),  # an exact name beats a longer name it prefixes
        ("  Dev Raman  ", "Dev Raman"),
    ],
)
def test_names_and_unique_prefixes_resolve_from_file_names(
    make_vault: MakeVault, query: str, name: str
) -> None:
    root, config = people_vault(make_vault)
    assert resolve_fast(root, config, query) is not None
    assert resolve_person(root, query).name == name


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("Ali", "Alice Nakamura"),
        ("benny", "Ben Okafor"),
        ("big", "Ben Okafor"),
        ("dr", "Dev Raman"),
    ],
)
def test_aliases_and_their_prefixes_resolve_through_the_index(
    make_vault: MakeVault, query: str, name: str
) -> None:
    root, config = people_vault(make_vault)
    assert resolve_person(root, query) == PersonRef(
        name, next(r.file for r in person_files(root, config) if r.name == name)
    )


def test_an_ambiguous_prefix_lists_the_candidates(make_vault: MakeVault) -> None:
    root, config = people_vault(make_vault)
    with pytest.raises(UsageError, match="'Al' matches 2 people: Alice Nakamura, Alison Brie"):
        resolve_person(root, "Al")


def test_an_unknown_name_suggests_close_ones(make_vault: MakeVault) -> None:
    root, config = people_vault(make_vault)
    with pytest.raises(UsageError, match=r"no person named 'Alcie Nakamura' \(did you mean"):
        resolve_person(root, "Alcie Nakamura")
    with pytest.raises(UsageError, match="add them with `vaultcrm add`"):
        resolve_person(root, "Quentin")
    with pytest.raises(UsageError, match="PERSON is empty"):
        resolve_person(root, "  ")


def test_an_alias_shared_by_two_people_is_ambiguous(make_vault: MakeVault) -> None:
    root = make_vault(
        {
            "People/Ann Lee.md": "---\naliases: [Sunny]\n---\n",
            "People/Carl Green.md": "---\naliases: [sunny]\n---\n",
        }
    )
    config, _ = load_config(root)
    with pytest.raises(UsageError, match="'Sunny' matches 2 people: Ann Lee, Carl Green"):
        resolve_person(root, "Sunny")


def test_a_unique_name_prefix_wins_before_aliases_are_read(make_vault: MakeVault) -> None:
    """The fast path (file names only) decides first: that is what keeps `log` instant."""
    root = make_vault(
        {"People/Alison Brie.md": "", "People/Alice Nakamura.md": "---\naliases: [Ali]\n---\n"}
    )
    config, _ = load_config(root)
    assert resolve_person(root, "Alis").name == "Alison Brie"
    assert resolve_person(root, "Ali").name == "Alice Nakamura"  # 2 name prefixes


def test_a_note_with_broken_frontmatter_is_still_found_by_name(make_vault: MakeVault) -> None:
    root = make_vault({"People/Ann Lee.md": "---\naliases: [oops\n---\n"})
    config, _ = load_config(root)
    assert resolve_person(root, "Ann Lee").file == "People/Ann Lee.md"


def test_people_at_the_vault_root_exclude_daily_notes_and_the_output(make_vault: MakeVault) -> None:
    root = make_vault(
        {
            "vaultcrm.yaml": "people_folder: /\ndaily_folder: Journal\n",
            "Ann.md": "",
            "Reflections due.md": "",
            "Journal/2026-11-02.md": "",
        }
    )
    config, _ = load_config(root)
    assert [r.name for r in person_files(root, config)] == ["Ann"]


def test_taken_names_cover_files_and_aliases(make_vault: MakeVault) -> None:
    root, config = people_vault(make_vault)
    taken = taken_names(root)
    assert taken["ben okafor"] == "People/Ben Okafor.md exists"
    assert taken["big b"] == "it is an alias of Ben Okafor"
    assert "hidden" not in taken
