"""`digest` and `schedule`: the morning digest, printed or sent, and the daily job that
sends it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from . import echo_diagnostics, echo_json, handle_errors
from .options import json_option, read_session, today_option, vault_option


@click.command(short_help="What needs you today, short enough for a notification.")
@vault_option
@today_option
@json_option
@click.option(
    "--format",
    "form",
    type=click.Choice(["text", "markdown", "html"]),
    default="text",
    show_default=True,
    help="How to print it (--send sends text and HTML to mail, text to ntfy, Markdown to Apprise).",
)
@click.option("--send", is_flag=True, help="Send it to every URL under `notify:`.")
@click.option(
    "--always", is_flag=True, help="With --send: send even when nothing is new since the last."
)
@handle_errors
def digest(
    vault: Path | None,
    today: dt.date | None,
    as_json: bool,
    form: str,
    send: bool,
    always: bool,
) -> None:
    """What needs you today: the note's focus people with their one-line why, how many
    are due of each kind, and what is new since the last digest.

    It reads the vault and writes nothing there (a box ticked in the note counts as done).
    --send delivers it to each destination under `notify:` in vaultcrm.yaml (or
    $VAULTCRM_NOTIFY): smtp://, smtps://, ntfy://, ntfys://, or any Apprise URL with
    `pip install 'vaultcrm[notify]'`. A destination with nothing new since its last
    digest is skipped (--always sends anyway). One that fails is one line on stderr and
    exit 1; it is tried again next time. `vaultcrm schedule` sends it every morning.

    \b
    Examples:
      vaultcrm digest
      vaultcrm digest --format html > digest.html
      vaultcrm digest --send
      vaultcrm digest --json --today 2026-11-23
    """
    from vaultcrm.app.digest import digest as make
    from vaultcrm.app.digest import send_digest
    from vaultcrm.output.digest import render, to_json
    from vaultcrm.words import DIGEST

    with read_session(vault, today) as session:
        run = send_digest(session, always=always) if send else make(session)
    outcome = run.outcome
    echo_diagnostics(outcome, capped=True)
    if send and not run.deliveries:
        raise click.ClickException(DIGEST["no_destinations"])
    if as_json:
        data = to_json(run.digest)
        if send:
            data["sent"] = [
                {"destination": d.destination, "sent": d.sent, "new": d.new,
                 "error": d.reason if d.failed else None,
                 "skipped": None if d.sent or d.failed else "nothing new"}
                for d in run.deliveries
            ]  # fmt: skip
        data["problems"] = [p.to_json() for p in outcome.problems]
        echo_json(data)
    elif not send:
        click.echo(render(run.digest, form), nl=False)
    for d in run.deliveries:
        if d.failed:
            click.echo(
                "Error: " + DIGEST["not_sent"].format(destination=d.destination, reason=d.reason),
                err=True,
            )
        elif not as_json:
            if d.sent:
                click.echo(DIGEST["sent"].format(destination=d.destination))
            elif d.reason is None:
                click.echo(DIGEST["nothing_due"].format(destination=d.destination))
            else:
                click.echo(DIGEST["nothing_new"].format(day=d.reason, destination=d.destination))
    failed = any(d.failed for d in run.deliveries)
    errors = any(p.severity == "error" for p in outcome.problems)
    click.get_current_context().exit(1 if failed or errors else 0)


@click.command(short_help="Print (or install) the daily job that sends the digest.")
@vault_option
@click.option("--at", "at", default="08:00", show_default=True, metavar="HH:MM",
              help="When to send it, every day, in local time.")  # fmt: skip
@click.option(
    "--platform",
    type=click.Choice(["systemd", "cron", "launchd"]),
    default=None,
    help="Print this platform's form instead of this machine's (launchd on macOS; "
    "systemd where it runs; else cron).",
)
@click.option("--install", is_flag=True, help="Install and start the systemd user timer.")
@click.option("--uninstall", is_flag=True, help="Stop and remove the systemd user timer.")
@handle_errors
def schedule(
    vault: Path | None, at: str, platform: str | None, install: bool, uninstall: bool
) -> None:
    """Print what to install for a daily `vaultcrm digest --send`: a crontab line, a
    systemd user service and timer, or a launchd agent (macOS), with the exact paths of
    this vaultcrm and of the vault, and how to check that it ran.

    Nothing is installed unless asked: --install writes the systemd user units and enables
    the timer; --uninstall disables it and removes them. A job started by the system does
    not see your shell's variables: give a mail password as `password_file:` in
    vaultcrm.yaml, not as $VAULTCRM_SMTP_PASSWORD.

    \b
    Examples:
      vaultcrm schedule --at 07:30
      vaultcrm schedule --install
      vaultcrm schedule --platform cron
    """
    from vaultcrm.app.schedule import (
        detect_platform,
        install_systemd,
        make_job,
        parse_at,
        plan_for,
        uninstall_systemd,
    )
    from vaultcrm.locate import find_vault

    if install and uninstall:
        raise click.UsageError("give --install or --uninstall, not both")
    job = make_job(find_vault(vault), parse_at(at))
    chosen = platform or detect_platform()
    if install or uninstall:
        if chosen != "systemd":
            raise click.UsageError(
                f"--install and --uninstall set up the systemd user timer; for {chosen}, "
                "install what `vaultcrm schedule` prints"
            )
        for line in (install_systemd if install else uninstall_systemd)(job):
            click.echo(line)
        if install:
            click.echo(f"Check it: systemctl --user list-timers {job.name}.timer")
        return
    plan = plan_for(job, chosen)
    what = {"systemd": "a systemd user service and timer", "cron": "a crontab line",
            "launchd": "a launchd agent"}[chosen]  # fmt: skip
    click.echo(f"# The vaultcrm digest of {job.vault}, every day at {job.at:%H:%M}: {what}.")
    for path, text in plan.files.items():
        click.echo(f"\n# {path}")
        click.echo(text, nl=not text.endswith("\n"))
    if plan.crontab:
        click.echo("\n" + plan.crontab)
    click.echo("\n# Turn it on:")
    for line in plan.enable:
        click.echo(f"  {line}")
    if chosen == "systemd":
        click.echo("  # (or: vaultcrm schedule --install)")
    click.echo("\n# Check that it ran:")
    for line in plan.check:
        click.echo(f"  {line}")


COMMANDS = [digest, schedule]
