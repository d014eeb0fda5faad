"""`vaultcrm sync` and `vaultcrm due` as a user runs them (Click's CliRunner, real files)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from click.testing import CliRunner

from vaultcrm.cli import cli
from vaultcrm.reflect.kinds import KIND

TODAY = "2026-11-23"
OUT = "Reflections due.md"


def run(*args: str) -> object:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def small_vault(make_vault) -> Path:  # type: ignore[no-untyped-def]
    return make_vault({
        "People/Ann Lee.md": "---\ncircle: close\nbirthday: 1990-11-30\n---\n"
                             "- 2026-11-01 Coffee #heard\n- 2026-11-10 Walk #heard\n",
        "People/Bo.md": "---\ncircle: friends\n---\n",
        "Journal/2026-11-20.md": "Ran into [[Ann Lee]] at the market.\n",
    })


def test_sync_writes_the_note_with_wikilinks(make_vault) -> None:  # type: ignore[no-untyped-def]
    root = small_vault(make_vault)
    result = run("sync", "--vault", str(root), "--today", TODAY)
    assert result.exit_code == 0, result.output
    text = (root / OUT).read_text()
    assert text.startswith("---\nvaultcrm: generated\n")
    assert "[[Bo]]" in text and "[[Ann Lee]]" in text
    assert "Wrote Reflections due.md" in result.output


def test_syncs_line_counts_one_reflection_in_the_singular(make_vault) -> None:  # type: ignore[no-untyped-def]
    root = make_vault({"People/Bo.md": "---\ncircle: friends\n---\n"})
    result = run("sync", "--vault", str(root), "--today", TODAY)
    assert result.output.startswith("Wrote Reflections due.md — 1 reflection (1 reach out)\n")


def test_second_sync_changes_no_byte_and_no_mtime(make_vault) -> None:  # type: ignore[no-untyped-def]
    root = small_vault(make_vault)
    run("sync", "--vault", str(root), "--today", TODAY)
    before = (root / OUT).read_bytes(), os.stat(root / OUT).st_mtime_ns
    result = run("sync", "--vault", str(root), "--today", TODAY)
    assert result.exit_code == 0
    assert "Up to date" in result.output
    assert ((root / OUT).read_bytes(), os.stat(root / OUT).st_mtime_ns) == before


def test_sync_refuses_a_note_it_did_not_write(make_vault) -> None:  # type: ignore[no-untyped-def]
    root = small_vault(make_vault)
    (root / OUT).write_text("My own precious notes.\n")
    result = CliRunner().invoke(cli, ["sync", "--vault", str(root), "--today", TODAY],
                                env={"VAULTCRM_DEBUG": "0"})
    assert result.exit_code == 1
    assert "Reflections due.md" in result.output and "Traceback" not in result.output
    assert (root / OUT).read_text() == "My own precious notes.\n"


def test_broken_note_is_named_and_the_rest_still_syncs(make_vault) -> None:  # type: ignore[no-untyped-def]
    root = small_vault(make_vault)
    (root / "People/Cleo.md").write_text("---\ncircle: close\nbirthday: [oops\n---\n")
    result = CliRunner().invoke(cli, ["sync", "--vault", str(root), "--today", TODAY])
    assert result.exit_code == 1
    assert "People/Cleo.md:4:" in result.stderr
    text = (root / OUT).read_text()
    assert "[[Bo]]" in text and "[[Ann Lee]]" in text and "Cleo" not in text.split("---\n", 2)[2]


def test_due_json_is_the_public_contract(make_vault) -> None:  # type: ignore[no-untyped-def]
    root = small_vault(make_vault)
    result = run("due", "--json", "--vault", str(root), "--today", TODAY)
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["today"] == TODAY
    kinds = [r["kind"] for r in data["reflections"]]
    assert kinds == sorted(kinds, key=KIND.rank)
    first = data["reflections"][0]
    assert {"kind", "person", "file", "reason"} <= set(first)
    bo = next(r for r in data["reflections"] if r["person"] == "Bo")
    assert bo == {**bo, "kind": "reach_out", "file": "People/Bo.md", "last_contact": None}
    ann = next(r for r in data["reflections"] if r["kind"] == "birthday")
    assert (ann["date"], ann["age"]) == ("2026-11-30", 36)


def test_sync_json_says_what_the_run_did(make_vault) -> None:  # type: ignore[no-untyped-def]
    """Every key a script reads, conflict copies included (also said on stderr)."""
    root = small_vault(make_vault)
    first = json.loads(run("sync", "--json", "--vault", str(root), "--today", TODAY).stdout)
    assert set(first) == {
        "today", "output", "written", "reflections", "recorded", "conflicts", "calendar",
        "healed", "hints", "inbox", "problems",
    }
    assert (first["written"], first["conflicts"], first["recorded"]) == (True, [], [])
    assert first["healed"] == []
    again = json.loads(run("sync", "--json", "--vault", str(root), "--today", TODAY).stdout)
    assert (again["written"], again["reflections"]) == (False, first["reflections"])


def test_due_on_the_terminal(make_vault) -> None:  # type: ignore[no-untyped-def]
    root = small_vault(make_vault)
    result = run("due", "--vault", str(root), "--today", TODAY, "--kind", "birthday")
    assert result.exit_code == 0
    assert "Birthdays" in result.output and "Ann Lee" in result.output
    assert "Bo" not in result.output


def test_bad_today_is_a_usage_error(make_vault) -> None:  # type: ignore[no-untyped-def]
    root = small_vault(make_vault)
    result = CliRunner().invoke(cli, ["due", "--vault", str(root), "--today", "2026-02-30"])
    assert result.exit_code == 2
    assert "not a date" in result.output


def test_python_dash_m_runs(make_vault) -> None:  # type: ignore[no-untyped-def]
    import subprocess
    import sys

    root = small_vault(make_vault)
    proc = subprocess.run([sys.executable, "-m", "vaultcrm", "due", "--json", "--vault", str(root),
                           "--today", TODAY], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["today"] == TODAY


def test_the_console_entry_point_flushes_everything_and_keeps_exit_codes(make_vault) -> None:  # type: ignore[no-untyped-def]
    """`main` ends the process with os._exit after flushing: a long answer through a pipe
    arrives whole, an error keeps its exit code and message, and a reader that leaves
    early (`| head`) ends the run quietly."""
    import subprocess
    import sys

    root = small_vault(make_vault)
    for i in range(300):
        (root / f"People/Person {i}.md").write_text("---\ncircle: friends\n---\n")
    base = [sys.executable, "-m", "vaultcrm"]
    whole = subprocess.run([*base, "due", "--json", "--vault", str(root), "--today", TODAY],
                           capture_output=True, text=True, check=False)
    assert whole.returncode == 0, whole.stderr
    assert len(json.loads(whole.stdout)["reflections"]) > 300  # every byte arrived
    missing = subprocess.run([*base, "due", "--vault", str(root / "nowhere")],
                             capture_output=True, text=True, check=False)
    assert missing.returncode != 0 and "nowhere" in missing.stderr
    cut = subprocess.run(f"{subprocess.list2cmdline(base)} due --vault '{root}' | head -1",
                         shell=True, capture_output=True, text=True, check=False)
    assert cut.stdout.count("\n") == 1 and "Traceback" not in cut.stderr


def test_the_entry_point_copes_with_closed_streams_and_ignored_sigchld(make_vault) -> None:  # type: ignore[no-untyped-def]
    """Started from cron or a daemon: stdout or stderr closed keeps the exit code (0, or 2
    for a usage error); SIGCHLD ignored still lets a big walk and a cold parse share work
    with forked children."""
    import signal
    import subprocess
    import sys

    cmd = subprocess.list2cmdline([sys.executable, "-m", "vaultcrm"])
    assert subprocess.run(f"{cmd} --version >&-", shell=True, check=False).returncode == 0
    assert subprocess.run(f"{cmd} nosuch 2>&-", shell=True, check=False).returncode == 2
    root = small_vault(make_vault)
    for i in range(1600):  # above the cold parse's threshold for sharing
        (root / f"Journal/2026-{i % 12 + 1:02d}-{i % 28 + 1:02d} {i}.md").write_text("[[Bo]]\n")
    proc = subprocess.run(
        [sys.executable, "-m", "vaultcrm", "due", "--json", "--no-cache", "--vault", str(root),
         "--today", TODAY],
        capture_output=True, text=True, check=False,
        preexec_fn=lambda: signal.signal(signal.SIGCHLD, signal.SIG_IGN),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["today"] == TODAY


def test_crlf_and_bom_notes_give_the_same_reflections(make_vault) -> None:  # type: ignore[no-untyped-def]
    files = {
        "People/Ann Lee.md": "---\ncircle: close\nbirthday: 1990-11-30\naliases: [Annie]\n---\n"
        "- 2026-11-01 Coffee #heard\n- 2026-11-10 Walk #heard\n- [ ] 2026-11-25 Send the book\n",
        "People/Bo.md": "---\ncircle: friends\n---\n- 2026-08-01 Call #win\n",
        "Journal/2026-11-20.md": "Ran into [[Annie]] at the market. #heard\n",
    }
    plain = make_vault(files, name="plain")
    odd = make_vault(
        {
            rel: (b"\xef\xbb\xbf" if rel.startswith("People/") else b"")
            + text.replace("\n", "\r\n").encode()
            for rel, text in files.items()
        },
        name="odd",
    )

    def due(root: Path) -> list[dict[str, object]]:
        result = run("due", "--json", "--vault", str(root), "--today", TODAY)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)["reflections"]  # type: ignore[no-any-return]

    expected = due(plain)
    assert {r["kind"] for r in expected} >= {"share", "birthday", "follow_up"}
    assert due(odd) == expected
