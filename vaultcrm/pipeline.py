"""The use cases behind `sync` and `due`, as plain functions that never print.

config → walk → index → Vault → reflect → render → write (only when changed)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from .config import Config, load_config
from .model import Problem, Reflection, Vault
from .vault import LoadStats, load_vault


@dataclass
class Outcome:
    """Everything one run learned about the vault for one `today`."""

    root: Path
    config: Config
    today: dt.date
    vault: Vault
    reflections: list[Reflection]
    problems: list[Problem]
    stats: LoadStats


@dataclass
class SyncResult:
    outcome: Outcome
    output: str  # vault-relative path of the generated note
    written: bool
    recorded: list[str] = field(default_factory=list)  # one line per tick recorded


def compute(root: Path, today: dt.date, *, use_cache: bool = True) -> Outcome:
    """Read the vault (through the index) and work out every reflection for `today`."""
    from .reflect import reflect

    config, config_problems = load_config(root)
    vault, stats = load_vault(root, config, use_cache=use_cache)
    reflections = reflect(vault, today, config)
    problems = sorted(
        {*config_problems, *vault.problems},
        key=lambda p: (p.path, p.line or 0, p.col or 0, p.message),
    )
    return Outcome(root, config, today, vault, reflections, problems, stats)


def render_outcome(outcome: Outcome) -> str:
    from .render import build_items, render_note

    items = build_items(outcome.reflections, outcome.vault, outcome.today)
    return render_note(outcome.root, items, outcome.today, len(outcome.problems))


def sync(root: Path, today: dt.date, *, use_cache: bool = True) -> SyncResult:
    """Regenerate the note; the file is touched only when its bytes would change."""
    from .edit import write_generated
    from .render import MARKER

    outcome = compute(root, today, use_cache=use_cache)
    text = render_outcome(outcome)
    output = outcome.config.output.strip("/")
    result = write_generated(root, output, text.encode("utf-8"), marker=MARKER.encode())
    return SyncResult(outcome, output, result.changed)
