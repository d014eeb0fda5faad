"""The writing use cases, called as a library: what lands in the files, byte for byte."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from tests.conftest import MakeVault
from tests.sessions import add_person, add_reminder, log_interaction, set_field, unset_field
from vaultcrm.app.write import CONFIG_TEXT, init_vault, parse_value, yaml_value
from vaultcrm.config import Config, load_config
from vaultcrm.edit.engine import EditRefused
from vaultcrm.errors import UsageError
from vaultcrm.read.parse import parse_note

DAY = dt.date(2026, 11, 23)

# --- init ---------------------------------------------------------------------------------


def _uncommented(text: str) -> str:
    """The config with every option line (and the lines indented under it) uncommented."""
    return "\n".join(
        line[2:] if re.match(r"# ([a-z_]+:|  )", line) else line for line in text.split("\n")
    )


def test_init_config_holds_every_option_at_its_default(tmp_path: Path) -> None:
    """Uncommented, the file is exactly the defaults: every key of Config is in it."""
    (tmp_path / "vaultcrm.yaml").write_text(_uncommented(CONFIG_TEXT))
    (tmp_path / "People").mkdir()  # named in the file, so it must exist
    config, problems = load_config(tmp_path)
    assert problems == []
    assert dataclasses.replace(config, daily_format_explicit=False) == Config()
    keys = set(yaml.safe_load(_uncommented(CONFIG_TEXT)))
    internal = {"daily_format_explicit", "template_folders"}
    assert keys == {f.name for f in dataclasses.fields(Config)} - internal


def test_init_config_as_written_changes_nothing(tmp_path: Path) -> None:
    init_vault(tmp_path)
    config, problems = load_config(tmp_path)
    assert (config, problems) == (Config(), [])
    for line in CONFIG_TEXT.splitlines():
        if re.match(r"# [a-z_]+:", line):
            assert " # " in line[2:], f"{line!r} explains nothing"


def test_init_creates_the_folders_and_is_idempotent(tmp_path: Path) -> None:
    root = tmp_path / "new vault"
    steps = init_vault(root)
    assert [(s.path, s.created) for s in steps] == [
        ("vaultcrm.yaml", True),
        ("People/", True),
        ("Journal/", True),
    ]
    assert (root / "People").is_dir() and (root / "Journal").is_dir()
    before = (root / "vaultcrm.yaml").read_bytes()
    again = init_vault(root)
    assert [s.created for s in again] == [False, False, False]
    assert (root / "vaultcrm.yaml").read_bytes() == before


def test_init_keeps_an_existing_config_and_uses_its_folders(tmp_path: Path) -> None:
    (tmp_path / "vaultcrm.yaml").write_text("people_folder: Contacts\ndaily_folder: Daily/Notes\n")
    steps = init_vault(tmp_path)
    assert [(s.path, s.created) for s in steps] == [
        ("vaultcrm.yaml", False),
        ("Contacts/", True),
        ("Daily/Notes/", True),
    ]
    assert (tmp_path / "vaultcrm.yaml").read_text().startswith("people_folder: Contacts")


def test_init_takes_the_daily_folder_from_obsidian(tmp_path: Path) -> None:
    (tmp_path / ".obsidian").mkdir()
    (tmp_path / ".obsidian/daily-notes.json").write_text('{"folder": "Diary"}')
    init_vault(tmp_path)
    assert (tmp_path / "Diary").is_dir() and not (tmp_path / "Journal").exists()


# --- add ----------------------------------------------------------------------------------


def test_add_writes_a_person_note_that_reads_back(make_vault: MakeVault) -> None:
    root = make_vault({})
    written = add_person(
        root,
        "Ann Lee",
        circle="Close",
        birthday="1990-04-12",
        aliases=["Annie", "no", "x: y", "{{ 7*7 }}"],
        tags=["#climbing", "work"],
    )
    assert written.file == "People/Ann Lee.md"
    data = (root / written.file).read_bytes()
    assert data == (
        b"---\naliases: [Annie, 'no', 'x: y', '{{ 7*7 }}']\ntags: [climbing, work]\n"
        b"circle: close\nbirthday: 1990-04-12\n---\n"
    )
    person = parse_note(written.file, data, "person").person
    assert person is not None
    assert person.aliases == ("Annie", "no", "x: y", "{{ 7*7 }}")
    assert person.circle == "close" and person.birthday is not None


def test_add_with_nothing_but_a_name(make_vault: MakeVault) -> None:
    root = make_vault({})
    add_person(root, "Bo")
    assert (root / "People/Bo.md").read_text() == "---\n---\n"


def test_add_accepts_a_birthday_without_a_year(make_vault: MakeVault) -> None:
    root = make_vault({})
    add_person(root, "Bo", birthday="--02-29")
    person = parse_note("People/Bo.md", (root / "People/Bo.md").read_bytes(), "person").person
    assert person is not None and person.birthday is not None
    assert (person.birthday.month, person.birthday.day, person.birthday.year) == (2, 29, None)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "Ann/Lee"}, "contains '/'"),
        ({"name": "CON"}, "reserved device name"),
        ({"name": "Bo", "circle": "besties"}, "unknown circle 'besties'; the circles are: "),
        ({"name": "Bo", "birthday": "1990-02-30"}, "not a possible date"),
        ({"name": "Bo", "birthday": "12/04/1990"}, "not a possible date"),
        ({"name": "Bo", "birthday": "--13-01"}, "not a possible date"),
        ({"name": "Bo", "tags": ["two words"]}, "is not a tag"),
        ({"name": "Bo", "aliases": ["line\nbreak"]}, "one line"),
        ({"name": "ann lee"}, "'ann lee' is already taken (People/Ann Lee.md exists)"),
        ({"name": "ANNIE"}, "'ANNIE' is already taken (it is an alias of Ann Lee)"),
        ({"name": "Bo", "aliases": ["Annie"]}, "'Annie' is already taken"),
    ],
)
def test_add_refuses_with_the_reason(
    make_vault: MakeVault, kwargs: dict[str, object], message: str
) -> None:
    root = make_vault({"People/Ann Lee.md": "---\naliases: [Annie]\n---\n"})
    with pytest.raises(UsageError) as caught:
        add_person(root, **kwargs)  # type: ignore[arg-type]
    assert message in str(caught.value)
    assert sorted(p.name for p in (root / "People").iterdir()) == ["Ann Lee.md"]


def test_add_uses_a_vault_template_override_but_never_writes_a_broken_note(
    make_vault: MakeVault,
) -> None:
    root = make_vault(
        {".vaultcrm/templates/person.md.j2": "---\ncircle: {{ circle|yaml }}\n---\n# {{ name }}\n"}
    )
    add_person(root, "Bo", circle="close")
    assert (root / "People/Bo.md").read_text() == "---\ncircle: close\n---\n# Bo\n"
    (root / ".vaultcrm/templates/person.md.j2").write_text("---\ncircle: [{{ circle }}\n---\n")
    with pytest.raises(UsageError, match="gives a broken note"):
        add_person(root, "Cy", circle="close")
    assert not (root / "People/Cy.md").exists()


def test_yaml_value_quotes_whatever_yaml_would_misread() -> None:
    for value in ["no", "1e3", "x: y", "#tag", "- a", "[a]", "{{ x }}", "'q'", "2026-01-01", "~"]:
        assert yaml.safe_load(yaml_value(value)) == value
    assert yaml_value(["a", "b c"]) == "[a, b c]"
    assert yaml_value(dt.date(1990, 4, 12)) == "1990-04-12"


# --- log and remind -----------------------------------------------------------------------

NOTE = (
    "---\ncircle: close\n---\nFree text.\n\n- 2026-11-01 Coffee\n- 2026-11-10 Walk\n\n"
    "## Later\nmore\n"
)


def test_log_goes_after_the_last_dated_line_with_tags_in_flag_order(
    make_vault: MakeVault,
) -> None:
    root = make_vault({"People/Ann Lee.md": NOTE})
    written = log_interaction(
        root, "ann", "Dinner", day=DAY, flags=["win", "deep", "shared", "heard"]
    )
    assert written.line == "- 2026-11-23 Dinner #shared #heard #deep #win"
    assert (root / "People/Ann Lee.md").read_text() == NOTE.replace(
        "- 2026-11-10 Walk\n", "- 2026-11-10 Walk\n- 2026-11-23 Dinner #shared #heard #deep #win\n"
    )


def test_log_uses_the_configured_tags_and_does_not_repeat_one(make_vault: MakeVault) -> None:
    root = make_vault({"vaultcrm.yaml": "tags: {shared: opened-up}\n", "People/Ann Lee.md": NOTE})
    written = log_interaction(root, "Ann Lee", "Talk #opened-up", day=DAY, flags=["shared"])
    assert written.line == "- 2026-11-23 Talk #opened-up"


def test_log_without_dated_lines_goes_at_the_end(make_vault: MakeVault) -> None:
    root = make_vault({"People/Bo.md": "---\ncircle: close\n---\nNo log yet."})
    log_interaction(root, "Bo", "Met", day=DAY)
    assert (
        root / "People/Bo.md"
    ).read_text() == "---\ncircle: close\n---\nNo log yet.\n- 2026-11-23 Met\n"


def test_log_keeps_crlf_and_a_bom(make_vault: MakeVault) -> None:
    crlf = "\ufeff---\r\ncircle: close\r\n---\r\n- 2026-11-01 Coffee\r\n\r\nend\r\n"
    root = make_vault({"People/Bo.md": crlf.encode("utf-8")})
    log_interaction(root, "Bo", "Walk", day=DAY)
    assert (root / "People/Bo.md").read_bytes() == (
        "\ufeff---\r\ncircle: close\r\n---\r\n"
        "- 2026-11-01 Coffee\r\n- 2026-11-23 Walk\r\n\r\nend\r\n"
    ).encode("utf-8")


def test_log_to_the_daily_note_creates_it_then_appends(make_vault: MakeVault) -> None:
    root = make_vault({"People/Ann Lee.md": NOTE, "vaultcrm.yaml": "daily_format: YYYY/MM/DD\n"})
    first = log_interaction(root, "ann", "Lunch", day=DAY, flags=["heard"], daily=True)
    assert first.created and first.file == "Journal/2026/11/23.md"
    second = log_interaction(root, "ann", "Call", day=DAY, daily=True)
    assert not second.created
    assert (root / "Journal/2026/11/23.md").read_text() == (
        "- [[Ann Lee]] Lunch #heard\n- [[Ann Lee]] Call\n"
    )
    assert (root / "People/Ann Lee.md").read_text() == NOTE


@pytest.mark.parametrize("text", ["", "   ", "two\nlines", "cr\rhere", "nul\x00"])
def test_log_refuses_text_that_is_not_one_line(make_vault: MakeVault, text: str) -> None:
    root = make_vault({"People/Bo.md": NOTE})
    with pytest.raises(UsageError):
        log_interaction(root, "Bo", text, day=DAY)
    assert (root / "People/Bo.md").read_text() == NOTE


def test_remind_adds_an_open_task_at_the_end(make_vault: MakeVault) -> None:
    root = make_vault({"People/Bo.md": NOTE})
    written = add_reminder(root, "bo", dt.date(2026, 12, 1), "Ask about the move")
    assert written.line == "- [ ] 2026-12-01 Ask about the move"
    assert (root / "People/Bo.md").read_text() == NOTE + "- [ ] 2026-12-01 Ask about the move\n"


# --- set ----------------------------------------------------------------------------------

FRONT = (
    "---\n# who she is\naliases: [Annie]   # from school\ncircle: friends  # for now\n"
    "job: 'Nurse'\n---\nBody\n"
)


def test_set_changes_one_key_and_no_other_byte(make_vault: MakeVault) -> None:
    root = make_vault({"People/Ann Lee.md": FRONT})
    written = set_field(root, "Ann", "circle", "close")
    assert written.changed and written.line == "circle: close"
    after = (root / "People/Ann Lee.md").read_text().split("\n")
    before = FRONT.split("\n")
    assert re.fullmatch(r"circle: close +# for now", after[3])  # ruamel keeps the column
    assert after[:3] + after[4:] == before[:3] + before[4:]


def test_set_adds_a_new_key_and_unset_removes_it(make_vault: MakeVault) -> None:
    root = make_vault({"People/Ann Lee.md": FRONT})
    set_field(root, "Ann", "likes", "[flat white, 'no']")
    assert "likes: [flat white, 'no']\n---\n" in (root / "People/Ann Lee.md").read_text()
    assert unset_field(root, "Ann", "likes").changed
    assert (root / "People/Ann Lee.md").read_text() == FRONT
    assert not unset_field(root, "Ann", "likes").changed


def test_set_to_the_same_value_changes_nothing(make_vault: MakeVault) -> None:
    root = make_vault({"People/Ann Lee.md": FRONT})
    assert not set_field(root, "Ann", "circle", "friends").changed


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("close", "close"),
        ("42", 42),
        ("true", True),
        ("2026-01-02", dt.date(2026, 1, 2)),
        ("[a, b]", ["a", "b"]),
        ("{wedding: 2015-06-01}", {"wedding": dt.date(2015, 6, 1)}),
        ("Nurse: nights", "Nurse: nights"),
        ("#climbing", "#climbing"),
        ("@me", "@me"),
        ("- a", "- a"),
        ("'1.5'", "1.5"),
        ("!!python/object/apply:os.system [true]", "!!python/object/apply:os.system [true]"),
    ],
)
def test_values_are_read_as_yaml_safely(raw: str, value: object) -> None:
    assert parse_value(raw) == value


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "VALUE is empty"),
        ("2026-02-30", "not a possible date"),
        ("[a, [b]]", "only plain values"),
        ("[&a x, *a]", "anchors or aliases"),
        ("[a, b", "not a YAML list"),
        ("1.5", "decimal numbers"),
    ],
)
def test_bad_values_are_usage_errors(raw: str, message: str) -> None:
    with pytest.raises(UsageError, match=re.escape(message)):
        parse_value(raw)


@pytest.mark.parametrize(
    ("key", "raw", "message"),
    [
        ("circle", "besties", "unknown circle 'besties'"),
        ("cadence", "soon", "bad duration 'soon'"),
        ("cadence", "0", "at least 1 day"),
        ("birthday", "--02-30", "impossible date"),
        ("birthday", "yesterday", "is not a date"),
        ("snooze_until", "next week", "is not a date"),
        ("aliases", "[Bo]", "alias 'Bo' is already taken (People/Bo.md exists)"),
        ("dates", "[2015-06-01]", "expected labels with dates"),
        ("bad key:", "x", "is not a frontmatter key"),
    ],
)
def test_set_validates_known_keys(make_vault: MakeVault, key: str, raw: str, message: str) -> None:
    root = make_vault({"People/Ann Lee.md": FRONT, "People/Bo.md": ""})
    with pytest.raises(UsageError, match=re.escape(message)):
        set_field(root, "Ann", key, raw)
    assert (root / "People/Ann Lee.md").read_text() == FRONT


def test_set_keeps_the_persons_own_aliases_valid(make_vault: MakeVault) -> None:
    root = make_vault({"People/Ann Lee.md": FRONT})
    set_field(root, "Ann", "aliases", "[Annie, Ann Lee, A.L.]")
    assert (
        "aliases: [Annie, Ann Lee, A.L.] # from school\n"
        in (root / "People/Ann Lee.md").read_text()
    )


def test_set_refuses_a_note_whose_frontmatter_does_not_parse(make_vault: MakeVault) -> None:
    broken = "---\ncircle: [close\n---\n"
    root = make_vault({"People/Ann Lee.md": broken})
    with pytest.raises(EditRefused, match="frontmatter does not parse"):
        set_field(root, "Ann Lee", "cadence", "3 weeks")
    assert (root / "People/Ann Lee.md").read_text() == broken
