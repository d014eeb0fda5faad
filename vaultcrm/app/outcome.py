"""The one result type of a run (`sync`, `due`, `watch`): what it learned about the vault."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from vaultcrm.cache.codec import StoredResults
from vaultcrm.config import Config
from vaultcrm.model import Interaction, LoadStats, Person, Problem, Reflection
from vaultcrm.reflect.chart import Chart

if TYPE_CHECKING:
    from vaultcrm.app.heal import Healed
    from vaultcrm.app.inbox import InboxResult


@dataclass
class Outcome:
    """Everything one run learned about the vault for one `today`.

    `people` and `last` cover at least everyone with a reflection: the person and their
    last contact on or before today, for the note's context lines. An outcome answered
    from the last sync's memo (nothing changed) carries neither: it is for reporting,
    not for rendering.
    """

    root: Path
    config: Config
    today: dt.date
    reflections: list[Reflection]
    problems: list[Problem]
    stats: LoadStats
    #: Mappings: those from the index decode a person or contact only when looked up
    people: Mapping[str, Person] = field(default_factory=dict)
    last: Mapping[str, Interaction] = field(default_factory=dict)
    people_count: int = 0
    #: digest of the due people's stored results, when the index made one
    content: str | None = None
    #: the last open exchange (#shared, #heard, #deep) of everyone due to share, listen or
    #: go deeper: the note's context for them
    open: Mapping[str, Interaction] = field(default_factory=dict)
    #: interactions per month, last 12 months (None: no data, or `chart: false`)
    chart: Chart | None = None
    #: the index's stored results these came from, if any (the memo reuses their form)
    stored: StoredResults | None = None


@dataclass
class SyncResult:
    outcome: Outcome
    output: str  # vault-relative path of the generated note
    written: bool
    recorded: list[str] = field(default_factory=list)  # one line per tick recorded
    #: the note's bytes as this run left them (None: not looked at, the no-change path)
    note: bytes | None = None
    #: one message per editor save kept as a conflict copy while recording ticks
    conflicts: list[str] = field(default_factory=list)
    calendar: str | None = None  # the `ics:` calendar, when this run rewrote it
    #: conflicts resolved in the note and conflict copies of it removed (`app/heal.py`)
    healed: list[Healed] = field(default_factory=list)
    #: one-line tips of a vault's first sync (the one that creates the note), e.g. that
    #: `vaultcrm flags suggest` exists when no line carries a flag tag
    hints: list[str] = field(default_factory=list)
    #: what the inbox's lines became (None: not looked at, the no-change path)
    inbox: InboxResult | None = None
