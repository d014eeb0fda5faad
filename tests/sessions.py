"""The use cases as tests call them: each in a read session of its own.

The CLI opens one read session per command (`cli/options.read_session`); a test that
calls a use case directly opens one here, with the library's policy (one process, the
index on disk) unless it asks for another: `cache=False` is `--no-cache`,
`processes=True` lets the read fork as the CLI's does (`read/session.py`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from vaultcrm.app import check as _check
from vaultcrm.app import flags as _flags
from vaultcrm.app import showing as _showing
from vaultcrm.app import sync as _sync
from vaultcrm.app.check import CheckReport
from vaultcrm.app.outcome import Outcome, SyncResult
from vaultcrm.app.showing import Snapshot
from vaultcrm.read.session import ReadPolicy, ReadSession


@contextmanager
def opened(root: Path, today: dt.date | None = None, **policy: Any) -> Iterator[ReadSession]:
    """A read session on `root` for `today`, with `policy` (ReadPolicy's fields)."""
    with ReadSession.open(root, today, ReadPolicy(**policy)) as session:
        yield session


def sync(root: Path, today: dt.date, **policy: Any) -> SyncResult:
    with opened(root, today, **policy) as session:
        return _sync.sync(session)


def due(root: Path, today: dt.date, **policy: Any) -> Outcome:
    with opened(root, today, **policy) as session:
        return _sync.due(session)


def compute(root: Path, today: dt.date, **policy: Any) -> Outcome:
    with opened(root, today, **policy) as session:
        return _sync.compute(session)


def snapshot(root: Path, today: dt.date, **policy: Any) -> Snapshot:
    with opened(root, today, **policy) as session:
        return _showing.snapshot(session)


def check_vault(root: Path, **policy: Any) -> CheckReport:
    with opened(root, **policy) as session:
        return _check.check_vault(session)


def flags_plan(root: Path, today: dt.date, query: str | None = None, **kw: Any) -> _flags.Plan:
    with opened(root, today) as session:
        return _flags.plan(session, query, **kw)


def digest(root: Path, today: dt.date, **policy: Any) -> Any:
    from vaultcrm.app import digest as _digest

    with opened(root, today, **policy) as session:
        return _digest.digest(session)


def resolve_person(root: Path, query: str) -> Any:
    from vaultcrm.app import names

    with opened(root) as session:
        return names.resolve_person(session, query)


def taken_names(root: Path) -> dict[str, str]:
    from vaultcrm.app import names

    with opened(root) as session:
        return names.taken_names(session)


def add_person(root: Path, name: str, **kw: Any) -> Any:
    from vaultcrm.app import write

    with opened(root) as session:
        return write.add_person(session, name, **kw)


def log_interaction(root: Path, person: str, text: str, **kw: Any) -> Any:
    from vaultcrm.app import write

    with opened(root) as session:
        return write.log_interaction(session, person, text, **kw)


def add_reminder(root: Path, person: str, day: dt.date, text: str, **kw: Any) -> Any:
    from vaultcrm.app import write

    with opened(root) as session:
        return write.add_reminder(session, person, day, text, **kw)


def set_field(root: Path, person: str, key: str, raw: str) -> Any:
    from vaultcrm.app import write

    with opened(root) as session:
        return write.set_field(session, person, key, raw)


def unset_field(root: Path, person: str, key: str) -> Any:
    from vaultcrm.app import write

    with opened(root) as session:
        return write.unset_field(session, person, key)


def from_scratch(root: Path, today: dt.date) -> Outcome:
    """The outcome worked out the plainest way, as an oracle for the index's passes: the
    whole vault assembled from its notes, every rule run for everyone, the chart summed
    from every interaction (no stored result, no pass over a subset)."""
    from vaultcrm.config import no_people_problem, people_folder_error
    from vaultcrm.read.assemble import sort_problems
    from vaultcrm.reflect import chart as charts
    from vaultcrm.reflect.kinds import reflect
    from vaultcrm.reflect.recall import last_contact, last_open, wants_open
    from vaultcrm.reflect.rules import until

    with opened(root, today, cache=False) as session:
        vault, config = session.vault(), session.config
        reflections = reflect(vault, today, config)
        due = {r.person for r in reflections}
        last = {n: c for n in due if (c := last_contact(vault, n, today)) is not None}
        ledger = {r.person for r in reflections if wants_open([r])}
        opened_ = {n: c for n in ledger if (c := last_open(vault, n, today)) is not None}
        total = charts.empty()
        if config.chart:
            for found in vault.interactions.values():
                charts.add(total, charts.person_counts(until(found, today), today))
        problems = sort_problems([*session.config_problems, *vault.problems])
        if not vault.people and people_folder_error(session.config_problems) is None:
            problems = sort_problems([*problems, no_people_problem(root, config)])
        return Outcome(
            root, config, today, reflections, problems, session.stats,
            {n: vault.people[n] for n in due}, last, len(vault.people), None, opened_,
            charts.chart_of(total, today),
        )  # fmt: skip
