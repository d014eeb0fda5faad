"""`watch`: keep "Reflections due.md" current while the vault is being edited."""

from __future__ import annotations

import contextlib
import datetime as dt
import signal
import threading
import time
import traceback
import warnings
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

import click

from . import debug_enabled, handle_errors
from .options import today_option, vault_option

if TYPE_CHECKING:
    from vaultcrm.app.watch import Report


def _print_report(report: Report) -> None:
    """Rewrites get a time stamp; problems stay `path:line: message` so editors can jump."""
    if report.kind == "rewrite":
        click.echo(f"{time.strftime('%H:%M:%S')} {report.text}")
    elif report.kind == "error":
        click.echo(f"error: {report.text}", err=True)
    else:
        click.echo(report.text, err=report.is_error)
    if report.exc is not None and debug_enabled():
        click.echo("".join(traceback.format_exception(report.exc)), err=True, nl=False)


def _install_stop_handlers(
    stop: Callable[[], None], stopping: Callable[[], bool]
) -> dict[int, Any]:
    """Ctrl-C and SIGTERM stop the watcher cleanly; a second Ctrl-C interrupts at once."""
    if threading.current_thread() is not threading.main_thread():
        return {}

    def handler(signum: int, _frame: FrameType | None) -> None:
        if signum == signal.SIGINT and stopping():
            raise KeyboardInterrupt
        # Not stop() here: the interrupted main thread may hold the very lock Event.set needs.
        threading.Thread(target=stop, name="vaultcrm-stop", daemon=True).start()

    return {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}


@click.command(short_help='Keep "Reflections due.md" current while you edit the vault.')
@vault_option
@click.option(
    "--debounce",
    type=click.FloatRange(min=0.05, max=60.0),
    default=0.5,
    show_default=True,
    metavar="SECONDS",
    help="Wait until the vault has been quiet this long before re-rendering.",
)
@today_option
@click.option(
    "--polling",
    is_flag=True,
    hidden=True,
    envvar="VAULTCRM_WATCH_POLLING",
    help="Poll for changes instead of using the OS's file events (for tests).",
)
@handle_errors
def watch(vault: Path | None, debounce: float, today: dt.date | None, polling: bool) -> None:
    """Keep "Reflections due.md" current while you edit the vault.

    Syncs once, then again whenever a person note, a daily note, vaultcrm.yaml, Obsidian's
    daily-notes settings or a template override changes; a burst of changes (a git
    checkout) is one pass, and only changed notes are re-read. Ticking a box in the note
    records it. Without --today the note moves on to the new date at midnight. Prints one
    line per rewrite saying what changed (who is due, the chart, the count of problems),
    problems on stderr. Ctrl-C (or SIGTERM) stops it; exit 0.

    \b
    Examples:
      vaultcrm watch
      vaultcrm watch --vault ~/Notes --debounce 1
    """
    # a second Ctrl-C, or one before the watch began: it stops, as it was asked to
    with contextlib.suppress(KeyboardInterrupt):
        _watch(vault, debounce, today, polling)
    click.echo("Stopped.")


def _watch(vault: Path | None, debounce: float, today: dt.date | None, polling: bool) -> None:
    from vaultcrm.app.watch import Watcher
    from vaultcrm.locate import find_vault
    from vaultcrm.read.session import ReadPolicy

    root = find_vault(vault)
    # watchdog warns when `mkdir -p` races its own recursive watch; nothing is lost.
    warnings.filterwarnings("ignore", "Callback with id", RuntimeWarning, "watchdog")
    clock: Callable[[], dt.date] = (lambda: today) if today else dt.date.today
    # each pass a session of its own, forked processes where they pay (the watcher's
    # threads keep forks out: a big pass parses in a pool); nothing kept for the exit
    policy = ReadPolicy(processes=True)
    watcher = Watcher(
        root, _print_report, debounce=debounce, today=clock, polling=polling, policy=policy
    )
    previous = _install_stop_handlers(watcher.stop, lambda: watcher.stopping)
    try:
        watcher.run()
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


COMMANDS = [watch]
