"""Git across devices: `vaultcrm init --git`, the merge driver git runs, and what `check`
says when a git vault lacks it.

The generated note changes every day, so two devices that sync on different days always
conflict in it. `init --git` tells git to merge it (and the `ics:` calendar) with
vaultcrm's own driver: a `.gitattributes` line per file (`merge=vaultcrm`) and the
repository's `merge.vaultcrm.driver`, a command that runs this very Python with
`-m vaultcrm merge-driver %O %A %B %P`. Should that Python be gone (a virtualenv deleted),
the command falls back to `git merge-file`, which leaves conflict markers: the next
`sync` resolves them (`app/heal.py`), as it does in a clone where the driver was never
set up (`.git/config` is not cloned). docs/devices.md tells the whole story.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from vaultcrm.config import Config, load_config
from vaultcrm.errors import VaultcrmError
from vaultcrm.model import Problem
from vaultcrm.words import GIT

DRIVER = "vaultcrm"
ATTRIBUTE = f"merge={DRIVER}"
ATTRIBUTES_FILE = ".gitattributes"
#: The git config keys `init --git` sets, in the repository's own config.
DRIVER_KEY = f"merge.{DRIVER}.driver"
#: Written once above the lines, for whoever reads `.gitattributes`.
COMMENT = "# vaultcrm's own files merge with its driver (`vaultcrm init --git`, docs/devices.md)"
NAME_KEY = f"merge.{DRIVER}.name"


def driver_command(python: str | None = None) -> str:
    """The command git runs to merge one of vaultcrm's files: this Python (absolute, so
    it works from hooks and GUIs whatever their PATH) running `vaultcrm merge-driver`;
    if that fails to run, `git merge-file`, so git still merges (with markers)."""
    exe = shlex.quote(python or sys.executable)
    return (
        f"{exe} -m vaultcrm merge-driver %O %A %B %P"
        " || git merge-file --marker-size=%L -L ours -L base -L theirs %A %O %B"
    )


def attr_pattern(rel: str) -> str:
    """The `.gitattributes` pattern matching exactly the vault-relative path `rel` from
    the vault root: anchored, glob characters escaped, C-quoted when it holds a space."""
    escaped = "/" + re.sub(r"([*?\[\\])", r"\\\1", rel)
    if re.search(r'[\s"]', escaped) or not escaped.isprintable():
        quoted = escaped.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
        return f'"{quoted}"'
    return escaped


@dataclass(frozen=True)
class GitStep:
    """One line of what `init --git` did."""

    text: str
    changed: bool


def require_work_tree(root: Path) -> None:
    """Refuse (VaultcrmError) unless `root`, or the folder it will be created in, is
    inside a git work tree: checked before `init` creates anything."""
    root = Path(root).absolute()
    existing = next((p for p in (root, *root.parents) if p.is_dir()), root)
    done = _run(existing, "rev-parse", "--is-inside-work-tree")
    if done.returncode != 0 or done.stdout.strip() != "true":
        raise VaultcrmError(GIT["not_a_repo"].format(root=root))


def init_git(root: Path) -> list[GitStep]:
    """Route the note and the calendar to vaultcrm's merge driver and define it in the
    repository's config; idempotent. Refused (VaultcrmError) outside a git work tree."""
    root = Path(root).resolve()
    require_work_tree(root)
    config, _ = load_config(root)
    steps = _add_attributes(root, _generated_paths(config))
    command = driver_command()
    if _config_get(root, DRIVER_KEY) == command and _config_get(root, NAME_KEY):
        steps.append(GitStep(GIT["kept_driver"], False))
    else:
        _git(root, "config", "--local", NAME_KEY, GIT["driver_name"])
        _git(root, "config", "--local", DRIVER_KEY, command)
        steps.append(GitStep(GIT["set"].format(command=command), True))
    return steps


def _generated_paths(config: Config) -> list[str]:
    paths = [config.output.strip("/")]
    if config.ics:
        paths.append(str(config.ics).strip("/"))
    return paths


def _add_attributes(root: Path, paths: list[str]) -> list[GitStep]:
    """One `PATTERN merge=vaultcrm` line per path in the vault's `.gitattributes`, added
    through the edit engine unless a line already routes that path to the driver."""
    from vaultcrm.edit.engine import create, edit
    from vaultcrm.edit.lines import append_line

    path = root / ATTRIBUTES_FILE
    try:
        current = path.read_bytes().decode("utf-8", errors="replace") if path.exists() else ""
    except OSError:
        current = ""
    present = _routed(current)
    wanted = [f"{attr_pattern(rel)} {ATTRIBUTE}" for rel in paths]
    missing = [line for rel, line in zip(paths, wanted, strict=True) if "/" + rel not in present]
    steps = [
        GitStep(GIT["kept"].format(line=line), False) for line in wanted if line not in missing
    ]
    if not missing:
        return steps
    if COMMENT not in current:
        missing = [COMMENT, *missing]
    if not os.path.lexists(path):
        create(root, ATTRIBUTES_FILE, "".join(f"{line}\n" for line in missing).encode())
    else:

        def add(data: bytes) -> bytes:
            for line in missing:
                data = append_line(data, line)
            return data

        edit(root, ATTRIBUTES_FILE, add, validate=False)
    added = [line for line in missing if line != COMMENT]
    return steps + [GitStep(GIT["added"].format(line=line), True) for line in added]


def _routed(text: str) -> set[str]:
    """The patterns of `.gitattributes` lines that set `merge=vaultcrm`, unquoted."""
    found = set()
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith('"'):
            end = _closing_quote(line)
            if end < 0:
                continue
            pattern, attrs = _unquote(line[1:end]), line[end + 1 :].split()
        else:
            pattern, *attrs = line.split()
        if ATTRIBUTE in attrs:
            found.add(re.sub(r"\\(.)", r"\1", pattern))
    return found


def _closing_quote(line: str) -> int:
    escaped = False
    for i, char in enumerate(line[1:], 1):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            return i
    return -1


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"t": "\t", "n": "\n"}.get(m.group(1), m.group(1)), text)


# --- git itself ---------------------------------------------------------------------------


def _run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            text=True,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except OSError as err:
        raise VaultcrmError(GIT["no_git"].format(error=err.strerror or err)) from None


def _git(root: Path, *args: str) -> str:
    done = _run(root, *args)
    if done.returncode != 0:
        error = done.stderr.strip() or f"exit {done.returncode}"
        raise VaultcrmError(GIT["git_failed"].format(args=" ".join(args), error=error))
    return done.stdout


def _config_get(root: Path, key: str) -> str | None:
    done = _run(root, "config", "--get", key)
    return done.stdout.rstrip("\n") if done.returncode == 0 else None


# --- check ---------------------------------------------------------------------------------


def driver_problem(root: Path, config: Config) -> Problem | None:
    """`check`'s one warning in a git vault whose note git would not merge with vaultcrm's
    driver: not routed to it, the driver not defined in this clone, or its program gone.
    Nothing outside git, or when git cannot answer."""
    from vaultcrm.edit.engine import git_dir

    if git_dir(root) is None:
        return None
    output = config.output.strip("/")
    try:
        attr = _run(root, "check-attr", "merge", "--", output)
        command = _config_get(root, DRIVER_KEY)
    except VaultcrmError:
        return None
    if attr.returncode != 0:
        return None
    if not attr.stdout.rstrip().endswith(f": {DRIVER}"):
        message = GIT["not_routed"]
    elif not command:
        message = GIT["not_defined"]
    else:
        program = _program(command)
        if program is None or os.access(program, os.X_OK):
            return None
        message = GIT["program_gone"].format(program=program)
    return Problem(output, None, message, "warning")


def _program(command: str) -> str | None:
    """The absolute program a driver command runs first, if it names one."""
    try:
        words = shlex.split(command)
    except ValueError:
        return None
    return words[0] if words and os.path.isabs(words[0]) else None


# --- the driver ------------------------------------------------------------------------------


def merge_driver(base: Path, ours: Path, theirs: Path) -> bool:
    """What git's `merge.vaultcrm.driver` runs: merge `theirs` into `ours` (written in
    place, as git's driver protocol asks: `ours` is git's temporary file, not a note),
    given their ancestor `base`. True when merged; False when the files are not
    vaultcrm's, so the command falls back to git's own merge.

    The note: `output/merge_note.py` (the latest day's text, every tick once, no
    markers); the next sync records the ticks and regenerates it. The calendar: ours is
    kept, since the next sync rewrites it whenever it is not what the vault gives.
    """
    from vaultcrm.interop.ics import MARKER as CALENDAR
    from vaultcrm.output.generated import MARKER
    from vaultcrm.output.merge_note import merge_notes, split_conflict

    a, b, o = ours.read_bytes(), theirs.read_bytes(), base.read_bytes()
    note = MARKER.encode()
    if note in a and note in b:
        versions = [a.decode("utf-8", errors="replace"), b.decode("utf-8", errors="replace")]
        sides = [side for version in versions for side in split_conflict(version)[0]]
        if not all(MARKER in side for side in sides):
            return False  # a user's text in one of them: git shows both
        ancestor = o.decode("utf-8", errors="replace") if note in o else None
        ours.write_bytes(merge_notes(versions, base=ancestor).encode("utf-8"))
        return True
    return CALENDAR in a and CALENDAR in b
