"""What a person sees on a real terminal: no escape byte under NO_COLOR or TERM=dumb, and
text wrapped between words to the window's width.

Every command here runs as `python -m vaultcrm` on a pseudo-terminal with a set window
size (`tests/ptys.py`), since only a terminal shows what isatty, the width and escape
codes do; piped output is the reference for the words.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE_TODAY
from tests.ptys import ESC, PtyRun, run_on_pty

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal"),
]

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"
ESCAPE = re.compile(r"\x1b(?:\[[0-9;?]*[ -/]*[@-~]|\][^\x07]*\x07|[()][A-Z0-9])")


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "COLUMNS")}
    env.update(TERM="xterm-256color", LANG="C.UTF-8", VAULTCRM_DEBUG="")
    env["VAULTCRM_CACHE_DIR"] = str(tmp_path / "cache")
    env.update(extra)
    return env


def vaultcrm(args: list[str], env: dict[str, str], cols: int = 80) -> PtyRun:
    return run_on_pty([sys.executable, "-m", "vaultcrm", *args], env=env, cols=cols)


def piped(args: list[str], env: dict[str, str]) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "vaultcrm", *args], env=env, capture_output=True, text=True
    )
    return proc.stdout


@pytest.fixture(scope="module")
def big_vault(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The example vault's shape at 700 notes: enough for a cold read to draw a bar."""
    sys.path.insert(0, str(BENCH))
    import generate

    root = tmp_path_factory.mktemp("big") / "vault"
    generate.generate(root, people=300, daily=400, seed=7)
    return root, generate.person_names(300, 7)[0]


READING = [
    ["sync", "--today", EXAMPLE_TODAY],  # cold: the progress bar, then the summary
    ["due", "--today", EXAMPLE_TODAY],
    ["people", "--today", EXAMPLE_TODAY],
    ["check"],
    ["export", "ics", "--out", "people.ics"],
]


@pytest.mark.parametrize("setting", [{"NO_COLOR": "1"}, {"TERM": "dumb"}])
def test_no_escape_byte_when_colour_is_off(
    big_vault: tuple[Path, str], tmp_path: Path, setting: dict[str, str]
) -> None:
    root, someone = big_vault
    env = _env(tmp_path, **setting)
    runs = [*READING, ["brief", someone, "--today", EXAMPLE_TODAY]]
    for args in runs:
        if args[0] == "export":
            args = [*args[:-1], str(tmp_path / args[-1])]
        shown = vaultcrm([*args, "--vault", str(root)], env)
        assert shown.code in (0, 1), (args, shown.text)  # 1: the vault's own problems
        assert "Traceback" not in shown.text, shown.text
        assert ESC not in shown.raw, (args, shown.raw[:400])


def test_colour_is_on_by_default(big_vault: tuple[Path, str], tmp_path: Path) -> None:
    """The control: the same terminal without either setting does get escape codes (a
    bar on the cold read, tables, colours), so the test above can tell."""
    root, someone = big_vault
    env = _env(tmp_path)
    for args in (READING[0], READING[1], READING[2], ["brief", someone]):
        shown = vaultcrm([*args, "--vault", str(root)], env)
        assert ESC in shown.raw, args
    cold = vaultcrm([*READING[0], "--vault", str(root)], _env(tmp_path / "cold"))
    assert "Reading notes" in cold.text  # the progress bar


def _visible(run: PtyRun) -> list[str]:
    return [ESCAPE.sub("", line) for line in run.lines]


WRAPPED = {
    "brief": ["brief", "ben"],
    "due": ["due"],
    "people": ["people"],
    "sync": ["sync"],
    "check": ["check"],
    "log": ["log", "Ben", "--date", "2026-11-22", *("A long walk by the canal, " * 4).split()],
}


@pytest.mark.parametrize(
    ("name", "cols", "colour"),
    [*((name, cols, False) for name in WRAPPED for cols in (80, 120)),
     ("brief", 80, True), ("sync", 80, True)],
)  # fmt: skip
def test_plain_text_wraps_between_words_to_the_width(
    example_vault: Path, tmp_path: Path, name: str, cols: int, colour: bool
) -> None:
    args = [*WRAPPED[name], "--vault", str(example_vault)]
    if name not in ("check", "log"):
        args += ["--today", EXAMPLE_TODAY]
    # what a pipe gets: the same words, each line whole (`log` writes its line twice,
    # and says the same both times)
    reference = piped(args, _env(tmp_path / "piped", NO_COLOR="1"))
    if name == "sync":  # so the terminal's run writes the note again, as the pipe's did
        (example_vault / "Reflections due.md").unlink()
    shown = vaultcrm(args, _env(tmp_path) if colour else _env(tmp_path, NO_COLOR="1"), cols)
    assert shown.code in (0, 1), shown.text
    lines = _visible(shown)
    assert max(len(line) for line in lines) <= cols, "\n".join(lines)
    # wrapping moved words to new lines, and never cut or lost one
    assert " ".join("\n".join(lines).split()) == " ".join(reference.split())
    if max(len(line) for line in reference.splitlines()) > cols:
        assert len(lines) > len(reference.splitlines())  # there was something to wrap
