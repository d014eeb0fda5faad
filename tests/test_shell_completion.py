"""Tab completion in the real shells: a name or alias completed in bash, zsh or fish runs
as typed.

Each test starts the shell interactively on a pseudo-terminal, loads the script that
`vaultcrm completion SHELL` prints, types the start of a name, presses Tab and Enter, and
reads what the command printed and its exit status. A shell that is not installed is
skipped (`.ci/run` installs all three from the distribution's packages).
"""

from __future__ import annotations

import os
import select
import shutil
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import MakeVault
from tests.ptys import spawn_on_pty

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal"),
]

BIN = Path(sys.executable).parent
VAULT = {
    "People/Ben Okafor.md": "---\naliases: [Dr Okafor]\n---\n- 2026-11-01 Tea\n",
    "People/Alice Smith.md": "- 2026-11-01 Tea\n",
    "People/Smith, Jo.md": "- 2026-11-01 Tea\n",
    "People/Smithers.md": "- 2026-11-01 Tea\n",  # so `Smith` alone would be ambiguous
}

#: How each shell starts bare (no user's rc files) and loads vaultcrm's completion.
SHELLS = {
    "bash": (["bash", "--norc", "--noprofile", "-i"], ['eval "$(vaultcrm completion bash)"']),
    "zsh": (
        ["zsh", "-f", "-i"],
        ["autoload -Uz compinit && compinit -u -D", 'eval "$(vaultcrm completion zsh)"'],
    ),
    "fish": (["fish", "--no-config", "-i"], ["vaultcrm completion fish | source"]),
}
STATUS = {"bash": "$?", "zsh": "$?", "fish": "$status"}


def _read_until(leader: int, seen: bytearray, marker: bytes, timeout: float = 60) -> None:
    """Read the terminal until `marker` shows; the timeout only catches a hang."""
    deadline = time.monotonic() + timeout
    while marker not in seen:
        left = deadline - time.monotonic()
        assert left > 0, f"no {marker!r} within {timeout} s: {bytes(seen)!r}"
        ready, _, _ = select.select([leader], [], [], min(left, 1.0))
        if ready:
            try:
                data = os.read(leader, 65536)
            except OSError:  # the shell is gone
                data = b""
            assert data, f"the shell ended before {marker!r}: {bytes(seen)!r}"
            seen += data


def type_and_tab(shell: str, vault: Path, tmp_path: Path, typed: str) -> str:
    """Type `typed`, press Tab, then Enter; what the terminal showed after it, ending
    with `status=N` (the command's exit status)."""
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed")
    if not (BIN / "vaultcrm").exists():
        pytest.skip("vaultcrm is not installed in this Python's environment")
    argv, setup = SHELLS[shell]
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = {
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "TERM": "xterm",
        "LANG": "C.UTF-8",
        "PS1": "$ ",
        "VAULTCRM_VAULT": str(vault),
        "VAULTCRM_CACHE_DIR": os.environ["VAULTCRM_CACHE_DIR"],
        "NO_COLOR": "1",
    }
    for keep in ("PYTHONPATH", "VAULTCRM_CI_CLOCK_AHEAD_DAYS"):  # the CI's moved clock
        if keep in os.environ:
            env[keep] = os.environ[keep]
    proc, leader = spawn_on_pty(argv, env=env, cols=120, rows=40, cwd=home)
    seen = bytearray()
    try:
        for line in setup:
            os.write(leader, line.encode() + b"\r")
        # the quotes keep the typed line from matching what echo prints
        os.write(leader, b'echo "__rea""dy__"\r')
        _read_until(leader, seen, b"__ready__\r\n")
        start = len(seen)
        os.write(leader, typed.encode() + b"\t")
        os.write(leader, b"\r")
        os.write(leader, f'echo "__sta""tus={STATUS[shell]}."\r'.encode())
        _read_until(leader, seen, b"__status=", timeout=120)
        _read_until(leader, seen, b".")
        return bytes(seen[start:]).decode("utf-8", "replace").replace("__status=", "status=")
    finally:
        proc.kill()
        proc.wait()
        os.close(leader)


@pytest.mark.parametrize("shell", list(SHELLS))
@pytest.mark.parametrize(
    ("typed", "inserted", "file"),
    [
        ("vaultcrm brief B", "Ben\\ Okafor", "People/Ben Okafor.md"),  # a space
        ('vaultcrm brief "B', '"Ben Okafor"', "People/Ben Okafor.md"),  # an open quote
        ("vaultcrm brief Dr", "dr\\ okafor", "People/Ben Okafor.md"),  # an alias, no index yet
        ("vaultcrm brief Smith,", "Smith,\\ Jo", "People/Smith, Jo.md"),  # a comma
    ],
)
def test_a_completed_name_runs_as_typed(
    make_vault: MakeVault, tmp_path: Path, shell: str, typed: str, inserted: str, file: str
) -> None:
    vault = make_vault(VAULT)
    shown = type_and_tab(shell, vault, tmp_path, typed)
    assert inserted in shown, shown  # the shell completed the word, quoted
    assert f"({file})" in shown, shown  # and the command ran on that person
    assert "unexpected extra argument" not in shown
    assert "status=0." in shown, shown
