"""Started with stdin, stdout or stderr closed (`2>&-`, as some cron wrappers run jobs),
every command does its work and exits with the code it would have had; only what it
could not print is lost (issue 18, item 2). Real processes with really closed
descriptors, run through a shell."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

TODAY = "2026-11-23"
OUT = "Reflections due.md"
VAULTCRM = subprocess.list2cmdline([sys.executable, "-m", "vaultcrm"])

pytestmark = pytest.mark.slow

FILES = {
    "People/Ann Lee.md": "---\ncircle: close\n---\n- 2026-11-01 Coffee #heard\n",
    "People/Bo.md": "---\ncircle: friends\nbirthday: 1990-11-30\n---\n",
    # a problem, so that stderr has something to say
    "People/Cy.md": "---\ncircle: [nope\n---\n",
    "Journal/2026-11-20.md": "Ran into [[Ann Lee]] at the market.\n",
}

#: (command, whether it writes the note); every one reads the whole vault
COMMANDS = [
    ("sync", True),
    ("due", False),
    ("due --json", False),
    ("people", False),
    ("brief ann", False),
    ("check", False),
]
REDIRECTIONS = ["2>&-", ">&-", "<&- >&- 2>&-"]


def _run(root: Path, command: str, redirect: str) -> int:
    dated = "" if command == "check" else f" --today {TODAY}"
    line = f"{VAULTCRM} {command} --vault '{root}'{dated} {redirect}"
    return subprocess.run(line, shell=True, check=False, timeout=120).returncode


@pytest.mark.parametrize("broken", [False, True], ids=["clean", "a-problem"])
@pytest.mark.parametrize("command, writes", COMMANDS)
def test_closed_streams_keep_the_work_and_the_exit_code(
    make_vault: Any, command: str, writes: bool, broken: bool
) -> None:
    files = FILES if broken else {k: v for k, v in FILES.items() if k != "People/Cy.md"}
    expected = _run(make_vault(files, name="open"), command, ">/dev/null 2>/dev/null")
    # a broken note is an error (exit 1), except for brief, whose person is fine
    assert expected == (1 if broken and not command.startswith("brief") else 0)
    for n, redirect in enumerate(REDIRECTIONS):
        root = make_vault(files, name=f"closed{n}")
        assert _run(root, command, redirect) == expected, redirect
        assert (root / OUT).exists() == writes, redirect
        if writes:
            assert (root / OUT).read_text().startswith("---\nvaultcrm: generated\n")


def test_a_write_command_with_every_stream_closed_still_writes(make_vault: Any) -> None:
    root = make_vault(FILES)
    line = f"{VAULTCRM} log ann 'Lunch' --date 2026-11-22 --vault '{root}' <&- >&- 2>&-"
    assert subprocess.run(line, shell=True, check=False, timeout=60).returncode == 0
    assert "- 2026-11-22 Lunch" in (root / "People/Ann Lee.md").read_text()


def test_a_closed_stderr_is_not_taken_by_the_cache(make_vault: Any, tmp_path: Path) -> None:
    """The cache opened while descriptor 2 was free would have become "stderr": the
    problems said on it would land in the cache file. The next run must still find a
    sound cache and say the problem again."""
    root = make_vault(FILES)
    assert _run(root, "sync", "2>&-") == 1
    again = subprocess.run(
        [*VAULTCRM.split(), "due", "--vault", str(root), "--today", TODAY],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert again.returncode == 1
    assert "People/Cy.md:3" in again.stderr and "note:" not in again.stderr
