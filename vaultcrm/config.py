"""`vaultcrm.yaml` (and Obsidian's daily-notes settings) → `Config`.

Every key is optional; the defaults below are DESIGN.md's public contract.
Durations are held as whole days (a month is 30 days, a year 365).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .model import Problem

CONFIG_FILE = "vaultcrm.yaml"

DEFAULT_CIRCLES: Mapping[str, int] = {
    "family": 7,
    "close": 14,
    "friends": 42,
    "acquaintances": 180,
}
DEFAULT_TAGS: Mapping[str, str] = {"shared": "shared", "heard": "heard", "deep": "deep", "win": "win"}


@dataclass(frozen=True)
class Config:
    people_folder: str = "People"
    daily_folder: str = "Journal"
    daily_format: str = "YYYY-MM-DD"
    output: str = "Reflections due.md"
    circles: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_CIRCLES))
    default_cadence: int = 90
    horizon: int = 14
    ledger_threshold: int = 2
    deep_circles: tuple[str, ...] = ("close", "family")
    deep_every: int = 90
    celebrate_within: int = 14
    tags: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_TAGS))
    #: False when `daily_format` came from no setting at all: then any file under the
    #: daily folder whose name is an ISO date counts as a daily note.
    daily_format_explicit: bool = False


def load_config(root: Path) -> tuple[Config, list[Problem]]:
    """Read the vault's config; a bad key or value is a problem and falls back to its default."""
    raise NotImplementedError
