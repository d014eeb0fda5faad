"""vaultcrm.yaml and Obsidian's daily-notes settings → Config, problems with their lines."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import MakeVault
from vaultcrm.config import (
    UNREAD,
    Config,
    Destination,
    config_fingerprint,
    daily_notes,
    load_config,
)

FULL = """\
people_folder: Contacts/
daily_folder: Diary
daily_format: YYYY/MM/YYYY-MM-DD
output: Dashboards/Due.md
circles: {Inner: 10 days, work: 2m}
default_cadence: 1y
horizon: 3 weeks
ledger_threshold: 3
deep_circles: [Inner]
deep_every: 60
celebrate_within: 7d
tags: {shared: "#Opened-Up", win: Yay}
"""


def test_no_config_file_means_the_documented_defaults(make_vault: MakeVault) -> None:
    config, problems = load_config(make_vault({}))
    assert problems == []
    assert config == Config()
    assert config.circles == {"family": 7, "close": 14, "friends": 42, "acquaintances": 180}
    assert (config.default_cadence, config.horizon, config.deep_every) == (90, 14, 90)
    assert config.daily_format_explicit is False


def test_every_key_is_read(make_vault: MakeVault) -> None:
    root = make_vault({"vaultcrm.yaml": FULL})
    (root / "Contacts").mkdir()
    config, problems = load_config(root)
    assert problems == []
    assert config.people_folder == "Contacts"
    assert config.daily_folder == "Diary"
    assert config.daily_format == "YYYY/MM/YYYY-MM-DD"
    assert config.daily_format_explicit is True
    assert config.output == "Dashboards/Due.md"
    assert config.circles == {"inner": 10, "work": 60}  # given circles replace the defaults
    assert (config.default_cadence, config.horizon, config.deep_every) == (365, 21, 60)
    assert config.celebrate_within == 7
    assert config.ledger_threshold == 3
    assert config.deep_circles == ("inner",)
    assert config.tags == {
        "shared": "opened-up", "heard": "heard", "deep": "deep", "win": "yay", "noflag": "noflag"
    }  # fmt: skip


def test_crlf_and_bom_do_not_matter(make_vault: MakeVault) -> None:
    data = b"\xef\xbb\xbf" + FULL.replace("\n", "\r\n").encode()
    assert load_config(make_vault({"vaultcrm.yaml": data})) == load_config(
        make_vault({"vaultcrm.yaml": FULL}, name="lf")
    )


def test_an_unknown_key_is_a_problem_on_its_line_and_the_rest_applies(
    make_vault: MakeVault,
) -> None:
    root = make_vault({"vaultcrm.yaml": "horizon: 3 weeks\n\nhorizn: 2 weeks\n"})
    config, problems = load_config(root)
    assert config.horizon == 21
    assert [p.format() for p in problems] == [
        "vaultcrm.yaml:3: unknown key 'horizn' (did you mean 'horizon'?)"
    ]


@pytest.mark.parametrize(
    ("line", "field", "message"),
    [
        ("horizon: fortnight", "horizon", "horizon: bad duration 'fortnight'"),
        ("default_cadence: 0", "default_cadence", "at least 1 day"),
        ("deep_every: [3]", "deep_every", "deep_every: bad duration"),
        ("ledger_threshold: 0", "ledger_threshold", "1 or more"),
        ("ledger_threshold: yes", "ledger_threshold", "1 or more"),
        ("deep_circles: 3", "deep_circles", "list of circles"),
        ("circles: [close]", "circles", "mapping"),
        ("tags: shared", "tags", "mapping"),
        ("output: ../../outside.md", "output", "leaves the vault"),
        ("people_folder: [a]", "people_folder", "path inside the vault"),
        ("daily_format: ''", "daily_format", "moment.js"),
        ("celebrate_within: 2026-02-30", "celebrate_within", "2026-02-30"),
    ],
)
def test_a_bad_value_is_a_problem_on_its_line_and_keeps_the_default(
    make_vault: MakeVault, line: str, field: str, message: str
) -> None:
    root = make_vault({"vaultcrm.yaml": f"# settings\nledger_threshold: 2\n{line}\n"})
    config, problems = load_config(root)
    assert getattr(config, field) == getattr(Config(), field)
    assert len(problems) == 1
    assert problems[0].path == "vaultcrm.yaml"
    assert problems[0].line == 3
    assert message in problems[0].message


def test_one_bad_circle_or_tag_costs_only_that_entry(make_vault: MakeVault) -> None:
    text = "circles:\n  close: 2 weeks\n  work: fortnight\ntags:\n  win: success\n  joy: happy\n"
    config, problems = load_config(make_vault({"vaultcrm.yaml": text}))
    assert config.circles == {"close": 14}
    assert config.tags["win"] == "success"
    assert [(p.line, p.message.split(":")[0:2]) for p in problems] == [
        (3, ["circles", " work"]),
        (6, ["tags", " unknown flag 'joy' (flags are shared, heard, deep, win; also noflag)"]),
    ]


def test_broken_yaml_is_a_problem_with_its_line_and_all_defaults(make_vault: MakeVault) -> None:
    root = make_vault({"vaultcrm.yaml": "horizon: 3 weeks\ncircles: {close: 1w\nfoo: [\n"})
    config, problems = load_config(root)
    assert config == Config()
    assert len(problems) == 1
    assert problems[0].line is not None and problems[0].line >= 2
    assert problems[0].message.endswith("using the defaults")


def test_a_list_instead_of_settings_is_a_problem(make_vault: MakeVault) -> None:
    config, problems = load_config(make_vault({"vaultcrm.yaml": "- horizon\n- 3 weeks\n"}))
    assert config == Config()
    assert [(p.line, p.message) for p in problems] == [(1, "expected `key: value` lines")]


def test_an_empty_config_or_an_empty_value_is_fine(make_vault: MakeVault) -> None:
    assert load_config(make_vault({"vaultcrm.yaml": "# nothing yet\n"})) == (Config(), [])
    assert load_config(make_vault({"vaultcrm.yaml": "horizon:\n"}, name="v2")) == (Config(), [])


def test_python_tags_are_never_executed(make_vault: MakeVault, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = f'horizon: !!python/object/apply:os.system ["touch {marker}"]\nledger_threshold: 5\n'
    config, problems = load_config(make_vault({"vaultcrm.yaml": text}))
    assert not marker.exists()
    assert config.ledger_threshold == 5
    assert [p.line for p in problems] == [1]


def test_daily_settings_come_from_obsidian_when_the_config_has_none(make_vault: MakeVault) -> None:
    settings = '{"folder": "Daily/", "format": "DD.MM.YYYY", "template": "T"}'
    config, problems = load_config(make_vault({".obsidian/daily-notes.json": settings}))
    assert problems == []
    assert (config.daily_folder, config.daily_format) == ("Daily", "DD.MM.YYYY")
    assert config.daily_format_explicit is True
    assert daily_notes(config).date_of("Daily/02.11.2026.md") == dt.date(2026, 11, 2)


def test_the_config_wins_over_obsidian_key_by_key(make_vault: MakeVault) -> None:
    root = make_vault(
        {
            "vaultcrm.yaml": "daily_folder: Journal/Days\n",
            ".obsidian/daily-notes.json": '{"folder": "Daily", "format": "YYYY/YYYY-MM-DD"}',
        }
    )
    config, _ = load_config(root)
    assert (config.daily_folder, config.daily_format) == ("Journal/Days", "YYYY/YYYY-MM-DD")


def test_obsidian_without_a_format_leaves_iso_names_implicit(make_vault: MakeVault) -> None:
    config, problems = load_config(make_vault({".obsidian/daily-notes.json": '{"format": ""}'}))
    assert problems == []
    assert (config.daily_folder, config.daily_format) == ("Journal", "YYYY-MM-DD")
    assert config.daily_format_explicit is False
    config, _ = load_config(make_vault({".obsidian/daily-notes.json": '{"folder": ""}'}, "root"))
    assert config.daily_folder == ""  # Obsidian's empty folder is the vault root


def test_broken_obsidian_json_is_a_problem_and_the_defaults_apply(make_vault: MakeVault) -> None:
    root = make_vault({".obsidian/daily-notes.json": '{\n  "folder": "Daily",\n  "format"\n}'})
    config, problems = load_config(root)
    assert (config.daily_folder, config.daily_format_explicit) == ("Journal", False)
    assert [(p.path, p.line) for p in problems] == [(".obsidian/daily-notes.json", 4)]


def test_the_fingerprint_is_stable_and_sees_every_field(make_vault: MakeVault) -> None:
    config, _ = load_config(make_vault({"vaultcrm.yaml": FULL}))
    again, _ = load_config(make_vault({"vaultcrm.yaml": FULL}, name="again"))
    assert config_fingerprint(config) == config_fingerprint(again)
    seen = {config_fingerprint(Config())}
    changes: dict[str, Any] = {
        "people_folder": "P",
        "daily_folder": "D",
        "daily_format": "YYYY",
        "output": "o.md",
        "circles": {"close": 15},
        "default_cadence": 91,
        "horizon": 15,
        "ledger_threshold": 3,
        "deep_circles": ("close",),
        "deep_every": 91,
        "celebrate_within": 15,
        "tags": {"shared": "s"},
        "daily_format_explicit": True,
        "people_tags": ("person",),
        "people_properties": {"type": ("person",)},
        "interaction_folders": ("Meetings",),
        "fields": {"birthday": ("geburtstag", "birthday")},
        "template_folders": ("Templates",),
        "focus": 3,
        "section_limit": 10,
        "chart": False,
        "ics": "people.ics",
        "infer_flags": True,
        "inbox": "Capture.md",
        "horizons": {"family": 21},
        "surprise": False,
        "ignore": ("people/archive",),
    }
    assert set(changes) == {f.name for f in dataclasses.fields(Config)} - UNREAD
    # where the digest goes changes nothing read: the index is kept
    sent = dataclasses.replace(Config(), notify=(Destination("ntfy://h/t"),))
    assert config_fingerprint(sent) == config_fingerprint(Config())
    for name, value in changes.items():
        seen.add(config_fingerprint(dataclasses.replace(Config(), **{name: value})))
    assert len(seen) == len(changes) + 1
