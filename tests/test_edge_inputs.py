"""Odd but real inputs get a clean message, never a traceback or silence (issue 9, item 6)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from vaultcrm.cli import cli

from .conftest import EXAMPLE_VAULT

TODAY = "2026-11-23"
NEVER = "---\ncircle: friends\n---\nNo contact logged yet.\n"


@pytest.fixture(autouse=True)
def _clean_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    """Errors as a user sees them (conftest turns on tracebacks for debugging)."""
    monkeypatch.delenv("VAULTCRM_DEBUG", raising=False)


def run(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, [*args, "--vault", str(root)], catch_exceptions=False)


# --- the end of the calendar --------------------------------------------------------------


@pytest.mark.parametrize("today", ["9999-12-20", "9999-12-31"])
def test_yearly_dates_past_the_last_year_python_knows_are_skipped(
    make_vault: Any, today: str
) -> None:
    note = "---\nbirthday: 1990-01-01\ndates:\n  wedding: 2000-12-31\n  x: --01-02\n---\n"
    root = make_vault({"People/Ann.md": note})
    for command in ("sync", "due"):
        result = run(root, command, "--today", today, "--json")
        assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    # the wedding on 31 December 9999 is still there; the 1 January after it is not
    assert "Wedding" in result.stdout
    assert '"birthday"' not in result.stdout


@pytest.mark.parametrize("today", ["2026-02-30", "10000-01-01", "9999-13-01", "soon"])
def test_an_impossible_today_is_a_usage_error(make_vault: Any, today: str) -> None:
    result = run(make_vault({}), "due", "--today", today)
    assert result.exit_code == 2
    assert "is not a date: use YYYY-MM-DD" in result.output


# --- paths in vaultcrm.yaml ---------------------------------------------------------------


def test_absolute_or_escaping_paths_are_config_errors_naming_key_and_line(
    make_vault: Any,
) -> None:
    config = (
        "horizon: 3w\n"
        "output: /tmp/x.md\n"
        "people_folder: /tmp/people\n"
        "daily_folder: ../Journal\n"
    )
    root = make_vault({"vaultcrm.yaml": config, "People/Ann.md": NEVER})
    result = run(root, "sync", "--today", TODAY)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "vaultcrm.yaml:2: output: '/tmp/x.md' is an absolute path: "
        "use a path relative to the vault; using the default",
        "vaultcrm.yaml:3: people_folder: '/tmp/people' is an absolute path: "
        "use a path relative to the vault; using the default",
        "vaultcrm.yaml:4: daily_folder: '../Journal' leaves the vault: "
        "use a path inside it; using the default",
    ]
    # the defaults are used instead: nothing is nested in the vault under tmp/
    assert (root / "Reflections due.md").is_file()
    assert not (root / "tmp").exists()
    assert "[[Ann]]" in (root / "Reflections due.md").read_text("utf-8")


def test_a_lone_slash_is_still_the_vault_root(make_vault: Any) -> None:
    root = make_vault({"vaultcrm.yaml": "people_folder: /\n", "Ann.md": NEVER})
    result = run(root, "due", "--today", TODAY)
    assert result.exit_code == 0
    assert "Ann" in result.stdout


# --- a symlinked people folder -------------------------------------------------------------


def test_a_people_folder_linking_out_of_the_vault_is_reported(
    make_vault: Any, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "Ann.md").write_text(NEVER, encoding="utf-8")
    root = make_vault({})
    os.symlink(outside, root / "People")
    for command in ("sync", "due"):
        result = run(root, command, "--today", TODAY)
        assert result.exit_code == 1
        assert result.stderr.splitlines() == [
            f"People: symlink leads outside the vault (to {outside.resolve()}); skipped",
            "vaultcrm.yaml: no people found in People/: put person notes there, "
            "or set people_folder, people_tags or people_properties in vaultcrm.yaml",
        ]
    check = run(root, "check")
    assert f"People: symlink leads outside the vault (to {outside.resolve()}); skipped" in (
        check.stdout
    )


@pytest.mark.parametrize("config", ["", 'daily_folder: ""\n'])
def test_a_people_folder_linking_inside_the_vault_is_followed(
    make_vault: Any, config: str
) -> None:
    root = make_vault({"Notes/Friends/Ann.md": NEVER, "vaultcrm.yaml": config})
    os.symlink("Notes/Friends", root / "People")
    result = run(root, "due", "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert "Ann" in result.stdout


# --- frontmatter that reads, but not as written ---------------------------------------------

DUPLICATED = "---\ncircle: close\ntags: [x]\ncircle: friends\n---\nNo contact logged yet.\n"
UNCLOSED = "---\ncircle: close\n- 2026-11-20 Coffee\n"


@pytest.mark.parametrize("cache", [[], ["--no-cache"]])
def test_duplicate_keys_warn_and_an_unclosed_block_is_an_error_on_every_run(
    make_vault: Any, cache: list[str]
) -> None:
    root = make_vault({"People/Ann.md": DUPLICATED, "People/Bob.md": UNCLOSED})
    duplicate = (
        "People/Ann.md:4: warning: frontmatter: key 'circle' is given 2 times "
        "(also on line 2); the last one, on line 4, wins"
    )
    unclosed = (
        "People/Bob.md:1: frontmatter: the `---` on line 1 is never closed by another "
        "`---` line; the note is read as body only"
    )
    for _ in range(2):  # the second run takes the records (and their problems) from the index
        sync = run(root, "sync", "--today", TODAY, *cache)
        assert sync.stderr.splitlines() == [duplicate, unclosed]
        assert sync.exit_code == 1
        due = run(root, "due", "--today", TODAY, "--json", *cache)
        assert due.stderr.splitlines() == [duplicate, unclosed]
        check = run(root, "check", *cache)
        assert check.stdout.splitlines()[:2] == [duplicate, unclosed]
        assert check.exit_code == 1
    (root / "People/Cy.md").write_text(NEVER, encoding="utf-8")  # a run reading one note
    assert run(root, "sync", "--today", TODAY, *cache).stderr.splitlines() == [duplicate, unclosed]
    # Ann's last `circle:` is the one read (friends: 42 days); Bob's line is body, not YAML
    note = (root / "Reflections due.md").read_text("utf-8")
    assert "[[Ann]]" in note and "[[Bob]]" not in note  # Bob met on the 20th


def test_duplicate_keys_in_a_document_pyyaml_builds_itself_are_found_too(
    make_vault: Any,
) -> None:
    # a !!set value sends the whole frontmatter to PyYAML's own constructor
    note = "---\nx: !!set {a, b}\ndates:\n  wedding: 2000-06-01\n  wedding: 2000-06-02\n---\n"
    root = make_vault({"People/Ann.md": note})
    result = run(root, "check")
    assert (
        "People/Ann.md:5: warning: frontmatter: key 'wedding' is given 2 times "
        "(also on line 4); the last one, on line 5, wins"
    ) in result.stdout.splitlines()


# --- a daily note named like a date that does not exist ------------------------------------


def test_sync_due_and_check_say_the_same_about_an_impossible_daily_note(
    make_vault: Any,
) -> None:
    root = make_vault({"People/Ann.md": NEVER, "Journal/2026-02-30.md": "- met [[Ann]]\n"})
    message = (
        "Journal/2026-02-30.md: 2026-02-30 is not a possible date, "
        "so this is not read as a daily note"
    )
    for _ in range(2):  # cold index, then warm (and the no-change fast path)
        for command in ("sync", "due"):
            result = run(root, command, "--today", TODAY)
            assert result.stderr.splitlines() == [message]
            assert result.exit_code == 1
        check = run(root, "check")
        assert check.stdout.splitlines()[0] == message
        assert check.exit_code == 1
    # another note changes: only it is read again, the problem still comes from the index
    (root / "People/Ann.md").write_text(NEVER + "- 2026-11-01 Coffee\n", encoding="utf-8")
    result = run(root, "sync", "--today", TODAY)
    assert result.stderr.splitlines() == [message]
    assert result.exit_code == 1


@pytest.mark.slow
def test_watch_follows_a_people_folder_linked_inside_the_vault(make_vault: Any) -> None:
    from .test_watch import RECENT, eventually, watching

    root = make_vault({"Notes/Friends/Ann.md": RECENT})
    os.symlink("Notes/Friends", root / "People")
    with watching(root) as s:
        assert "[[Ann]]" not in s.note()
        (root / "Notes/Friends/Ann.md").write_text(NEVER, encoding="utf-8")
        assert eventually(lambda: "[[Ann]]" in s.note(), 10.0)
        assert s.note() == s.expected()


# --- a file name that is not UTF-8 (issue 18, item 1) ----------------------------------------

LATIN1 = "People/Caf\udce9.md"  # `Café.md` as a Latin-1 system names it: byte 0xE9
SHOWN = "People/Caf\\xe9.md"
READING = [["sync"], ["due"], ["due", "--json"], ["people"], ["people", "--json"],
           ["brief", "ann"], ["check"], ["check", "--json"]]  # fmt: skip


def _with_latin1_name(make_vault: Any, name: str = "vault") -> Path:
    root = make_vault({"People/Ann.md": NEVER, "Journal/2026-01-20.md": "Saw [[Ann]].\n"}, name)
    try:
        (root / LATIN1).write_bytes(NEVER.encode())  # a str path with its byte kept as-is
        (root / "People/Gr\udcfcn").mkdir()
        (root / "People/Gr\udcfcn/Bob.md").write_bytes(NEVER.encode())
        (root / "People/Gr\udcfcn/Cy.md").write_bytes(NEVER.encode())
    except OSError as exc:  # some file systems (ZFS utf8only, APFS) refuse such names
        pytest.skip(f"this file system refuses a non-UTF-8 name: {exc}")
    return root


@pytest.mark.parametrize(
    "command, cache",
    [(c, n) for c in READING for n in ([], ["--no-cache"]) if not (n and c[0] == "check")],
    ids=lambda v: " ".join(v) or "cache",
)
def test_a_name_that_is_not_utf8_is_a_problem_and_the_rest_is_read(
    make_vault: Any, command: list[str], cache: list[str]
) -> None:
    root = _with_latin1_name(make_vault)
    dated = [] if command[0] == "check" else ["--today", TODAY]
    result = run(root, *command, *cache, *dated)
    said = result.stdout if command[0] == "check" else result.stderr
    if command[0] != "brief":
        assert result.exit_code == 1, result.output  # an error: that note is not read
        if "--json" in command:
            problems = json.loads(result.stdout)["problems"]
            assert {p["path"] for p in problems} == {SHOWN, "People/Gr\\xfcn"}
        else:  # once for the file, once for the folder (not once per note in it)
            assert said.count(f"{SHOWN}: the name is not UTF-8 text") == 1, said
            assert said.count("People/Gr\\xfcn: the name is not UTF-8 text") == 1, said
            assert "Bob" not in said and "Cy" not in said
    else:
        assert result.exit_code == 0, result.output
    # the rest of the vault works
    if command[0] == "sync":
        assert "[[Ann]]" in (root / "Reflections due.md").read_text()
    elif command[0] == "check":
        assert "1 person, 1 interaction" in result.stdout
    else:
        assert "Ann" in result.stdout


def test_a_vault_whose_own_path_is_not_utf8_works(make_vault: Any) -> None:
    root = make_vault({"People/Ann.md": NEVER}, name="Caf\udce9 vault")
    (root / ".vaultcrm/templates").mkdir(parents=True)
    shutil.copy(EXAMPLE_VAULT.parent / "templates/reflections.md.j2",
                root / ".vaultcrm/templates/reflections.md.j2")  # fmt: skip
    for command in (["sync"], ["due", "--json"], ["people"], ["brief", "ann"]):
        result = run(root, *command, "--today", TODAY)
        assert result.exit_code == 0, result.output
    assert "[[Ann]]" in (root / "Reflections due.md").read_text()


def test_an_argument_that_is_not_utf8_is_a_usage_error(make_vault: Any) -> None:
    """`vaultcrm log ann $'Caf\\xe9'` from a Latin-1 terminal: said, nothing written."""
    root = make_vault({"People/Ann.md": NEVER})
    for args, what in (
        (["log", "ann", "Caf\udce9 and cake", "--date", TODAY], "TEXT"),
        (["remind", "ann", "2026-12-01", "Caf\udce9"], "TEXT"),
        (["set", "ann", "circle", "Caf\udce9"], "VALUE"),
        (["add", "Caf\udce9"], "the name"),
    ):
        result = run(root, *args)
        assert result.exit_code == 2, result.output
        assert "not valid text (check your terminal's encoding)" in result.stderr
        assert what in result.stderr
    assert (root / "People/Ann.md").read_text() == NEVER
    assert sorted(p.name for p in (root / "People").iterdir()) == ["Ann.md"]


@pytest.mark.slow
def test_a_name_that_is_not_utf8_in_a_real_process_and_under_watch(make_vault: Any) -> None:
    """Through a real stdout (bytes, not CliRunner's capture) and a real watcher."""
    import subprocess
    import sys

    from .test_watch import eventually, watching

    root = _with_latin1_name(make_vault)
    proc = subprocess.run(
        [sys.executable, "-m", "vaultcrm", "due", "--json", "--vault", str(root), "--today", TODAY],
        capture_output=True, check=False, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    assert SHOWN in {p["path"] for p in json.loads(proc.stdout.decode("utf-8"))["problems"]}

    (root / LATIN1).unlink()
    with watching(root) as s:
        (root / "People/Zo\udce9.md").write_bytes(NEVER.encode())
        assert eventually(
            lambda: "People/Zo\\xe9.md: the name is not UTF-8 text; rename it to have it read "
            "(skipped)" in s.texts("problem")
        )
        assert s.texts("error") == []


# --- one huge line, one huge frontmatter (issue 18, item 6) ---------------------------------


def test_links_are_found_once_each_in_order_in_linear_time() -> None:
    from vaultcrm.read.parse import find_links

    line = " ".join(f"[[P{i}]] [[P{i}|again]]" for i in range(128_000))
    found = find_links(line)
    assert len(found) == 128_000 and found[:3] == ["P0", "P1", "P2"] and found[-1] == "P127999"


@pytest.mark.slow
def test_a_daily_line_of_128000_links_costs_what_its_bytes_cost(make_vault: Any) -> None:
    """A pasted export: one line, 128,000 distinct links (2 MB), two of them people. The
    timeouts only catch the quadratic cost (194 s before); no duration is asserted."""
    import subprocess
    import sys

    line = " ".join(f"[[Topic {i}]]" for i in range(128_000))
    root = make_vault({
        "People/Ann.md": NEVER, "People/Bo.md": NEVER, "People/Annabelle Smithson.md": NEVER,
        "Journal/2026-11-20.md": f"- [[Ann]] {line} [[Bo]] #heard\n",
    })  # fmt: skip
    base = [sys.executable, "-m", "vaultcrm"]
    for command in (["sync"], ["due", "--json"], ["due", "--json", "--no-cache"],
                    ["brief", "bo"], ["people"]):  # fmt: skip
        done = subprocess.run([*base, *command, "--vault", str(root), "--today", TODAY],
                              capture_output=True, text=True, check=False, timeout=60)  # fmt: skip
        assert done.returncode == 0, (command, done.stderr)
    assert "Reach out to [[Ann]]" not in (root / "Reflections due.md").read_text()  # seen
    # check also looks for near misses among them: one pass over the line, not one a link
    near = " ".join(f"[[Annabelle Smithso{i}]]" for i in range(20_000))
    (root / "Journal/2026-11-21.md").write_text(f"- {near}\n")
    done = subprocess.run([*base, "check", "--vault", str(root)], capture_output=True,
                          text=True, check=False, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("warning: [[Annabelle Smithso") == 20_000
    assert "Journal/2026-11-21.md:1:3: warning: [[Annabelle Smithso0]] links to no one" in (
        done.stdout
    )
    last = f"- {near}".rindex("[[") + 1
    assert f"Journal/2026-11-21.md:1:{last}: warning: [[Annabelle Smithso19999]]" in done.stdout


def test_a_frontmatter_past_the_limit_is_one_problem_and_the_rest_is_read(
    make_vault: Any,
) -> None:
    from vaultcrm.read.parse import MAX_FRONTMATTER

    huge = "".join(f"key_{i}: value {i}\n" for i in range(400_000))  # 5 MB, 400,000 keys
    root = make_vault({"People/Ann.md": NEVER, "People/Big.md": f"---\n{huge}---\n"})
    result = run(root, "due", "--today", TODAY)
    assert result.exit_code == 1
    assert result.stderr == (
        f"People/Big.md:1: frontmatter is {len(huge):,} characters long, over the limit of "
        f"{MAX_FRONTMATTER:,}: the note is skipped\n"
    )
    assert "Ann" in result.stdout and "Big" not in result.stdout
    refused = run(root, "set", "Big", "circle", "close")  # never rewritten unread either
    assert refused.exit_code != 0 and (root / "People/Big.md").read_text().endswith("---\n")


# --- smaller hard edges (issue 18, item 7) ---------------------------------------------------

LAST_DAY = (
    "---\ncircle: close\nbirthday: 9999-12-31\ndates: {end: 9999-12-31}\n---\n"
    "- [ ] 9999-12-31 The very last follow-up\n"
)


@pytest.mark.parametrize("today", [TODAY, "9999-12-31"])
def test_a_calendar_holding_the_last_day_python_knows(make_vault: Any, today: str) -> None:
    root = make_vault({"vaultcrm.yaml": "ics: Calendar/people.ics\n", "People/Ann.md": LAST_DAY})
    result = run(root, "sync", "--today", today)
    assert result.exit_code == 0, result.output
    exported = run(root, "export", "ics")
    assert exported.exit_code == 0, exported.output
    calendar = (root / "Calendar/people.ics").read_bytes()
    assert calendar == exported.stdout_bytes
    # an all-day event without DTEND lasts its day (RFC 5545): there is no day after it
    assert calendar.count(b"DTSTART;VALUE=DATE:99991231") == 3
    assert b"DTEND" not in calendar


def test_absolute_or_escaping_ics_and_daily_format_are_config_errors(make_vault: Any) -> None:
    config = "ics: /srv/cal/p.ics\ndaily_format: ../../YYYY-MM-DD\n"
    root = make_vault({"vaultcrm.yaml": config, "People/Ann.md": NEVER})
    result = run(root, "sync", "--today", TODAY)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "vaultcrm.yaml:1: ics: '/srv/cal/p.ics' is an absolute path: "
        "use a path relative to the vault; using the default",
        "vaultcrm.yaml:2: daily_format: '../../YYYY-MM-DD' leaves the daily folder: "
        "use a format inside it; using the default",
    ]
    assert not (root / "srv").exists()  # not written inside the vault as srv/cal/p.ics
    for fmt in ("/tmp/YYYY-MM-DD", "[..]/YYYY-MM-DD", "YYYY/../../MM-DD"):
        (root / "vaultcrm.yaml").write_text(f"daily_format: '{fmt}'\n")
        result = run(root, "log", "ann", "Coffee", "--daily", "--date", TODAY)
        assert result.exit_code == 0, result.output  # logged in the default daily note
        assert (root / f"Journal/{TODAY}.md").read_text().count("Coffee") >= 1
        checked = run(root, "check")
        assert f"daily_format: '{fmt}'" in checked.stdout and checked.exit_code == 1


def test_a_folder_symlinked_out_of_the_people_folder_is_said_once(
    make_vault: Any, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "Eve.md").write_text(NEVER)
    root = make_vault({"People/Ann.md": NEVER, "Notes/Bo.md": NEVER, "Archive/x.md": "x\n"})
    os.symlink(outside, root / "People/Etc")
    os.symlink("../Archive", root / "People/Inside")  # stays in the vault: read where it is
    os.symlink(outside, root / "Notes/Out")  # not where notes are expected: nothing to say
    said = f"People/Etc: symlink leads outside the vault (to {outside.resolve()}); skipped"
    for cache in ([], ["--no-cache"]):
        result = run(root, "due", "--today", TODAY, *cache)
        assert result.exit_code == 1
        assert result.stderr.splitlines() == [said]
        assert "Eve" not in result.stdout
    assert run(root, "check").stdout.count(said) == 1


def test_a_full_standard_output_names_it(make_vault: Any) -> None:
    import subprocess
    import sys

    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    root = make_vault({"People/Ann.md": NEVER})
    base = subprocess.list2cmdline([sys.executable, "-m", "vaultcrm"])
    for command in ("due", "export ics", "sync"):
        done = subprocess.run(f"{base} {command} --vault '{root}' > /dev/full", shell=True,
                              capture_output=True, text=True, check=False, timeout=60)  # fmt: skip
        assert done.returncode == 1
        assert done.stderr == (
            "Error: cannot write to standard output (/dev/full): No space left on device\n"
        )
    assert (root / "Reflections due.md").exists()  # sync did its work first


def _helpers_starting(pid: int) -> bool:
    """Whether process `pid` is starting the helpers of a parse: the fork server (or a
    spawned helper), as it imports. Its resource tracker, started first, does not count."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return False
    for child in children:
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"forkserver" in command or b"spawn_main" in command:
            return True
    return False


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs /proc")
def test_ctrl_c_during_watchs_first_cold_sync_stops_quietly(make_vault: Any) -> None:
    """A terminal's Ctrl-C reaches the whole process group: the watch and the helpers
    parsing its first cold sync (a pool: the watcher's threads make forking unsafe)."""
    import signal
    import subprocess
    import sys
    import time

    from vaultcrm.read.records import PARALLEL_THRESHOLD

    files = {"People/Ann.md": NEVER}
    for i in range(PARALLEL_THRESHOLD + 1500):
        files[f"Journal/20{10 + i // 336:02d}-{i // 28 % 12 + 1:02d}-{i % 28 + 1:02d}.md"] = (
            f"- Saw [[Ann]] about topic {i}. #heard\n"
        )
    root = make_vault(files)
    env = {k: v for k, v in os.environ.items() if k != "VAULTCRM_DEBUG"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "vaultcrm", "watch", "--vault", str(root), "--today", TODAY],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            if _helpers_starting(proc.pid):  # the first sync is parsing: Ctrl-C now
                break
            time.sleep(0.002)
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    assert proc.returncode == 0, err
    assert out.endswith("Stopped.\n")
    assert err == "", err  # no "Aborted!", no helper's traceback, no failed sync
