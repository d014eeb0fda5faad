"""`review`: your circles as a whole, once a quarter; it writes nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click

from vaultcrm.words import LAYER_EVERY, REVIEW, count_people, long_day

from . import echo_diagnostics, echo_json, handle_errors, progress_bar
from .options import (
    cache_option,
    json_option,
    read_session,
    resolve_today,
    today_option,
    vault_option,
)
from .terminal import echo_wrapped

if TYPE_CHECKING:
    from vaultcrm.reflect.review import Review

HEADERS = ["Circle", "Cadence", "People", "Last 3 months", "Last 12 months", "Median days since"]


@click.command(short_help="Your circles as a whole: who you are really in touch with.")
@vault_option
@today_option
@json_option
@cache_option
@handle_errors
def review(vault: Path | None, today: dt.date | None, as_json: bool, no_cache: bool) -> None:
    """Look at your circles as a whole, once a quarter; nothing is written.

    Per circle: how many people, how many you were in touch with in the last 3 and 12
    months, and the median days since contact; beside them Dunbar's layers (about 5, 15,
    50 and 150 people, each holding the one before), with the circles whose cadence
    sits in each. Then the people whose contact does not fit their circle (a third of
    what its cadence expects, or three times it), each with the `vaultcrm set` line that
    would move them to the circle next to it.

    \b
    Examples:
      vaultcrm review
      vaultcrm review --today 2026-11-23
      vaultcrm review --json | jq -r '.misfits[].command'
    """
    from vaultcrm.app.review import review_circles
    from vaultcrm.read.records import progress_to

    day = resolve_today(today)
    with (
        progress_to(progress_bar("Reading notes")),
        read_session(vault, day, no_cache=no_cache) as session,
    ):
        found = review_circles(session)
    echo_diagnostics(found, capped=True)
    if as_json:
        echo_json({**found.review.to_json(), "problems": [p.to_json() for p in found.problems]})
    else:
        print_review(found.review)
    click.get_current_context().exit(1 if any(p.severity == "error" for p in found.problems) else 0)


def _cells(review: Review) -> list[list[str]]:
    rows = [HEADERS]
    for c in review.circles:
        rows.append(
            [
                c.circle or REVIEW["no_circle"],
                f"{c.cadence_days} days",
                str(c.people),
                str(c.last_3_months),
                str(c.last_12_months),
                "-" if c.median_days_since is None else str(c.median_days_since),
            ]
        )
    return rows


def print_review(review: Review) -> None:
    """Plain aligned columns, then the layers and the misfits, wrapped on a terminal."""
    click.secho(REVIEW["heading"].format(day=long_day(review.today)), bold=True)
    click.echo()
    cells = _cells(review)
    widths = [max(len(row[i]) for row in cells) for i in range(len(HEADERS))]
    for n, row in enumerate(cells):
        line = "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        click.secho(line.rstrip(), bold=n == 0)
    click.echo()
    click.secho(REVIEW["layers"], bold=True)
    for layer in review.layers:
        text = REVIEW["layer"].format(
            size=layer.size,
            every=LAYER_EVERY[layer.size],
            circles=", ".join(layer.circles) or "-",
            people=count_people(layer.people),
        )
        echo_wrapped(text, head="  ", hang=4)
    click.echo()
    click.secho(REVIEW["misfits"], bold=True)
    if not review.misfits:
        click.echo(f"  {REVIEW['misfits_none']}")
    for misfit in review.misfits:
        echo_wrapped(misfit.sentence, head="  ", hang=4)
        click.echo(f"    {misfit.command}")
    click.echo()
    echo_wrapped(REVIEW["footer"])


COMMANDS = [review]
