"""Options shared by every command, defined once (`--vault`, `--today`, `--json`, `--no-cache`)."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from vaultcrm.read.session import ReadSession

F = TypeVar("F", bound=Callable[..., Any])


class DateParam(click.ParamType):
    """A calendar date written YYYY-MM-DD; an impossible one is one line on stderr and
    exit 2 (a `DataError`: the date is wrong, not the command line's shape)."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            from . import DataError

            where = ""
            if isinstance(param, click.Option):
                where = f"{param.opts[0]}: "
            elif param is not None:
                where = f"{param.human_readable_name}: "
            raise DataError(
                f"{where}{value!r} is not a date: use YYYY-MM-DD, e.g. 2026-11-23"
            ) from None


DATE = DateParam()


def vault_option(f: F) -> F:
    return click.option(
        "--vault",
        "vault",
        type=click.Path(file_okay=False, path_type=Path),
        envvar="VAULTCRM_VAULT",
        help="The vault folder. Default: $VAULTCRM_VAULT, else the nearest parent folder "
        "with vaultcrm.yaml or .obsidian/, else the current folder.",
    )(f)


def today_option(f: F) -> F:
    return click.option(
        "--today",
        type=DATE,
        default=None,
        help="Pretend today is this date (YYYY-MM-DD); output is deterministic for a given date.",
    )(f)


def json_option(f: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")(f)


def cache_option(f: F) -> F:
    return click.option(
        "--no-cache", is_flag=True, help="Read every note afresh; do not use or update the index."
    )(f)


def resolve_today(today: dt.date | None) -> dt.date:
    return today or dt.date.today()


def read_session(
    vault: Path | None, today: dt.date | None = None, *, no_cache: bool = False
) -> contextlib.AbstractContextManager[ReadSession]:
    """The one read session of a command (`read/session.py`), with the CLI's policy:
    forked processes where they pay, and the index unless `--no-cache`."""
    from vaultcrm.locate import find_vault
    from vaultcrm.read.session import ReadPolicy, ReadSession

    policy = ReadPolicy(processes=True, cache=not no_cache)
    return ReadSession.open(find_vault(vault), resolve_today(today), policy)
