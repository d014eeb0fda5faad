"""Every reading command of a plain install, on a real terminal, as a new user runs them.

    python3 .ci/pty_smoke.py VENV_BIN WORK_DIR

VENV_BIN holds a `vaultcrm` installed with no extras (`pip install .`). A 700-note vault
from `benchmarks/generate.py` is big enough for a cold read to draw the progress bar.
Each command runs on a pseudo-terminal (`tests/ptys.py`) three ways: a colour terminal,
`NO_COLOR=1` and `TERM=dumb`. It fails on a traceback, an exit code other than the one
expected, a missing progress bar on the cold colour run, or an escape byte where colour
is off. Stdlib only: it runs on the system's Python.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

import generate  # noqa: E402

from tests.ptys import ESC, run_on_pty  # noqa: E402

TODAY = "2026-11-23"
SETTINGS = {
    "colour": {"TERM": "xterm-256color"},
    "NO_COLOR": {"TERM": "xterm-256color", "NO_COLOR": "1"},
    "TERM=dumb": {"TERM": "dumb"},
}


def commands(vault: Path, out: Path, someone: str) -> list[tuple[list[str], int]]:
    """(arguments, expected exit code): the reading commands, a cold `sync` first."""
    v = ["--vault", str(vault)]
    return [
        (["sync", *v, "--today", TODAY], 0),
        (["sync", *v, "--today", TODAY], 0),  # nothing changed: "Up to date"
        (["due", *v, "--today", TODAY], 0),
        (["due", *v, "--today", TODAY, "--json"], 0),
        (["people", *v, "--today", TODAY], 0),
        (["people", *v, "--today", TODAY, "--sort", "overdue", "--due"], 0),
        (["brief", someone, *v, "--today", TODAY], 0),
        (["check", *v], 0),
        (["export", "ics", *v, "--out", str(out / "people.ics")], 0),
        (["export", "vcard", *v, "--out", str(out / "people.vcf")], 0),
        (["brief", "Nobody At All", *v], 2),  # a usage error: one line, no traceback
        (["--help"], 0),
    ]


def main(bin_dir: Path, work: Path) -> int:
    vault = work / "vault"
    generate.generate(vault, people=300, daily=400, seed=11)
    someone = generate.person_names(300, 11)[0]
    failures: list[str] = []
    for label, setting in SETTINGS.items():
        env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
        env.update(setting, LANG="C.UTF-8", VAULTCRM_CACHE_DIR=str(work / f"cache-{label}"))
        env.pop("VAULTCRM_DEBUG", None)
        out = work / label
        out.mkdir()
        for n, (args, expected) in enumerate(commands(vault, out, someone)):
            shown = run_on_pty([str(bin_dir / "vaultcrm"), *args], env=env, cols=100, rows=30)
            what = f"[{label}] vaultcrm {' '.join(args)}"
            problems = []
            if shown.code != expected:
                problems.append(f"exit {shown.code}, expected {expected}")
            if "Traceback" in shown.text:
                problems.append("a traceback")
            if label != "colour" and ESC in shown.raw:
                problems.append("an escape byte with colour off")
            if label == "colour" and n == 0 and "Reading notes" not in shown.text:
                problems.append("no progress bar on a cold read of 700 notes")
            status = "ok" if not problems else "FAIL: " + "; ".join(problems)
            print(f"{what}: {status}")
            if problems:
                failures.append(f"{what}: {'; '.join(problems)}\n{shown.text[-3000:]}")
    for failure in failures:
        print("\n" + failure, file=sys.stderr)
    print(f"terminal smoke: {'all good' if not failures else f'{len(failures)} failed'}")
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
