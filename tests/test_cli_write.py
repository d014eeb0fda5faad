"""`init`, `add`, `log`, `remind` and `set` as a user runs them: output, exit codes, files.

Refusals run with VAULTCRM_DEBUG=0, as a user would: a clean message, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.conftest import MakeVault
from vaultcrm.cli import cli
from vaultcrm.config import load_config

NOTE = "---\ncircle: friends\n---\n- 2026-11-01 Coffee\n"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def refused(*args: str) -> Result:
    """A run as a user sees it: no traceback however it ends."""
    result = CliRunner().invoke(cli, list(args), env={"VAULTCRM_DEBUG": "0"})
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception
    return result


@pytest.fixture
def vault(make_vault: MakeVault) -> Path:
    return make_vault({"People/Ann Lee.md": "---\naliases: [Annie]\n---\n", "People/Bo.md": NOTE})


# --- init ---------------------------------------------------------------------------------


def test_init_then_init_again(tmp_path: Path) -> None:
    first = run("init", str(tmp_path / "v"))
    assert first.exit_code == 0
    assert first.output.splitlines() == [
        "Created vaultcrm.yaml (every option commented out, with its default)",
        "Created People/",
        "Created Journal/",
    ]
    second = run("init", str(tmp_path / "v"))
    assert second.exit_code == 0
    assert second.output.splitlines()[0] == "Kept vaultcrm.yaml (it already exists; left as it is)"


def test_init_defaults_to_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run("init").exit_code == 0
    assert (tmp_path / "vaultcrm.yaml").is_file() and (tmp_path / "People").is_dir()


# --- add ----------------------------------------------------------------------------------


def test_add_with_every_option(vault: Path) -> None:
    result = run(
        "add", "--vault", str(vault), "Cy Twombly", "--circle", "close", "--birthday", "--04-12",
        "--alias", "Cy", "--alias", "CT", "--tag", "art",
    )  # fmt: skip
    assert result.exit_code == 0
    assert result.output == "Created People/Cy Twombly.md\n"
    assert (vault / "People/Cy Twombly.md").read_text() == (
        "---\naliases: [Cy, CT]\ntags: [art]\ncircle: close\nbirthday: --04-12\n---\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Bo/../x"], "the name contains '/', which separates folders"),
        (["nul.txt"], "NUL is a reserved device name on Windows"),
        (["Dr. Who."], "ends with a dot or a space"),
        (["#hashtag"], "breaks Obsidian links"),
        ([".env"], "starts with a dot"),
        (["annie"], "'annie' is already taken (it is an alias of Ann Lee)"),
        (["BO"], "'BO' is already taken (People/Bo.md exists)"),
        (["Cy", "--alias", "ann lee"], "'ann lee' is already taken"),
        (["Cy", "--circle", "besties"], "unknown circle 'besties'; the circles are: "
         "acquaintances, close, family, friends"),
        (["Cy", "--birthday", "1990-02-30"], "not a possible date"),
    ],
)  # fmt: skip
def test_add_refusals_exit_2_with_the_reason(vault: Path, args: list[str], message: str) -> None:
    result = refused("add", "--vault", str(vault), *args)
    assert result.exit_code == 2
    assert message in result.output
    assert sorted(p.name for p in (vault / "People").iterdir()) == ["Ann Lee.md", "Bo.md"]


# --- log ----------------------------------------------------------------------------------


def test_log_by_alias_with_flags_and_unquoted_words(vault: Path) -> None:
    result = run(
        "log", "--vault", str(vault), "annie", "Long", "walk", "--deep", "--shared",
        "--date", "2026-11-20",
    )  # fmt: skip
    assert result.exit_code == 0
    assert result.output == "Logged in People/Ann Lee.md: - 2026-11-20 Long walk #shared #deep\n"
    assert (
        (vault / "People/Ann Lee.md")
        .read_text()
        .endswith("---\n- 2026-11-20 Long walk #shared #deep\n")
    )


def test_log_defaults_to_today_and_accepts_today(vault: Path) -> None:
    """The one test of the default day: the clock is pinned (noon, so no time zone moves
    the day), never read, so it passes on any date."""
    import time_machine

    with time_machine.travel(dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC), tick=False):
        run("log", "--vault", str(vault), "Bo", "Call")
    run("log", "--vault", str(vault), "Bo", "Plan", "--today", "2030-01-01", "--win")
    lines = (vault / "People/Bo.md").read_text().splitlines()
    assert "- 2026-11-23 Call" in lines
    assert "- 2030-01-01 Plan #win" in lines and len(lines) == 6


def test_log_daily_creates_the_daily_note(vault: Path) -> None:
    result = run("log", "--vault", str(vault), "bo", "Lunch", "--daily", "--date", "2026-11-23")
    assert result.exit_code == 0
    assert result.output == "Logged in Journal/2026-11-23.md (created): - [[Bo]] Lunch\n"
    assert (vault / "Journal/2026-11-23.md").read_text() == "- [[Bo]] Lunch\n"
    assert (vault / "People/Bo.md").read_text() == NOTE


def test_log_keeps_crlf_and_bom(make_vault: MakeVault) -> None:
    crlf = b"\xef\xbb\xbf---\r\ncircle: friends\r\n---\r\n- 2026-11-01 Coffee\r\n"
    root = make_vault({"People/Bo.md": crlf})
    run("log", "--vault", str(root), "Bo", "Walk", "--date", "2026-11-23")
    assert (root / "People/Bo.md").read_bytes() == crlf + b"- 2026-11-23 Walk\r\n"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["Quentin", "x"], 2, "no person named 'Quentin'"),
        (["Bob", "x"], 2, "no person named 'Bob' (did you mean 'Bo'?)"),
        (["Zed", "x"], 2, "no person named 'Zed'"),
        (["", "x"], 2, "PERSON is empty"),
        (["Bo", "x", "--date", "2026-02-30"], 2, "'2026-02-30' is not a date"),
        (["Bo"], 2, "Missing argument 'TEXT...'"),
        (["Bo", "two\nlines"], 2, "TEXT must be one line"),
    ],
)
def test_log_refusals(vault: Path, args: list[str], code: int, message: str) -> None:
    result = refused("log", "--vault", str(vault), *args)
    assert result.exit_code == code
    assert message in result.output
    assert (vault / "People/Bo.md").read_text() == NOTE


def test_log_with_an_ambiguous_prefix_lists_the_candidates(make_vault: MakeVault) -> None:
    root = make_vault({"People/Sam Reyes.md": "", "People/Sam Ng.md": "", "People/Bo.md": ""})
    result = refused("log", "--vault", str(root), "sam", "x")
    assert result.exit_code == 2
    assert "'sam' matches 2 people: Sam Ng, Sam Reyes; be more specific" in result.output


def test_log_into_a_note_with_broken_frontmatter_is_refused(make_vault: MakeVault) -> None:
    root = make_vault({"People/Bo.md": "---\nlikes: [tea\n---\n"})
    result = refused("log", "--vault", str(root), "Bo", "x")
    assert result.exit_code == 1
    assert "cannot write People/Bo.md: its frontmatter does not parse" in result.output


# --- remind -------------------------------------------------------------------------------


def test_remind_adds_an_open_follow_up(vault: Path) -> None:
    result = run(
        "remind", "--vault", str(vault), "--today", "2026-11-23",
        "Bo", "2026-12-01", "Ask", "about", "the", "move",
    )  # fmt: skip
    assert result.exit_code == 0
    assert result.output == "Added to People/Bo.md: - [ ] 2026-12-01 Ask about the move\n"
    assert (vault / "People/Bo.md").read_text() == NOTE + "- [ ] 2026-12-01 Ask about the move\n"


def test_remind_refuses_an_impossible_date(vault: Path) -> None:
    result = refused("remind", "--vault", str(vault), "Bo", "2026-11-31", "x")
    assert result.exit_code == 2 and "'2026-11-31' is not a date" in result.output


# --- set ----------------------------------------------------------------------------------


def test_set_and_unset(vault: Path) -> None:
    result = run("set", "--vault", str(vault), "Bo", "cadence", "3 weeks")
    assert (result.exit_code, result.output) == (0, "Set cadence: 3 weeks in People/Bo.md\n")
    assert (vault / "People/Bo.md").read_text() == NOTE.replace(
        "---\n-", "cadence: 3 weeks\n---\n-"
    )
    again = run("set", "--vault", str(vault), "Bo", "cadence", "3 weeks")
    assert again.output == "People/Bo.md already has cadence: 3 weeks\n"
    result = run("set", "--vault", str(vault), "Bo", "--unset", "cadence")
    assert result.output == "Removed cadence from People/Bo.md\n"
    assert (vault / "People/Bo.md").read_text() == NOTE
    result = run("set", "--vault", str(vault), "Bo", "--unset", "cadence")
    assert result.output == "People/Bo.md has no cadence; nothing to remove\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["circle", "besties"], "unknown circle 'besties'"),
        (["cadence", "soonish"], "bad duration 'soonish'"),
        (["birthday", "1990-02-30"], "not a possible date"),
        (["birthday", "April"], "is not a date"),
        (["circle"], "give KEY and VALUE"),
        (["circle", "close", "--unset", "circle"], "not both"),
        (["key: x", "y"], "is not a frontmatter key"),
    ],
)
def test_set_refusals_exit_2(vault: Path, args: list[str], message: str) -> None:
    result = refused("set", "--vault", str(vault), "Bo", *args)
    assert result.exit_code == 2
    assert message in result.output
    assert (vault / "People/Bo.md").read_text() == NOTE


# --- speed --------------------------------------------------------------------------------


def test_log_imports_no_template_engine_watcher_or_index(vault: Path) -> None:
    """`log` resolves a name from file names alone: no jinja2, no watchdog, no index."""
    env = {**os.environ, "VAULTCRM_DEBUG": "0"}
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "vaultcrm", "log", "--vault", str(vault),
         "Bo", "Quick", "note"],
        capture_output=True, text=True, env=env, check=True,
    )  # fmt: skip
    assert proc.stdout.startswith("Logged in People/Bo.md")
    imported = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines()}
    heavy = ("jinja2", "watchdog", "vaultcrm.cache.store", "vaultcrm.read.assemble")
    for module in (*heavy, "vaultcrm.output.render", "vaultcrm.reflect.rules"):
        assert module not in imported, module
    cache = Path(os.environ["VAULTCRM_CACHE_DIR"])
    assert not any(cache.iterdir()), "the index was opened"


@pytest.mark.slow  # ten thousand files to write first
def test_log_finds_one_of_ten_thousand_people(tmp_path: Path) -> None:
    """Names are resolved from file names alone, among many (how fast is the benchmark's:
    benchmarks/run.py measures `log` on the synthetic vault)."""
    from tests.sessions import log_interaction

    people = tmp_path / "People"
    people.mkdir()
    for i in range(10_000):
        (people / f"Person {i:05d}.md").write_bytes(b"")
    (people / "Zed Last.md").write_text(NOTE)
    log_interaction(tmp_path, "zed", "x", day=dt.date(2026, 11, 23))
    assert (people / "Zed Last.md").read_text().endswith("- 2026-11-23 x\n")
    assert load_config(tmp_path)[0].people_folder == "People"
