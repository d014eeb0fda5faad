"""`vaultcrm schedule`: each platform's form with the exact paths of this vaultcrm and of
the vault, nothing installed unless asked, and --install / --uninstall of the systemd
user timer with a real `systemctl` (this machine's, or one on PATH that records what it
was asked)."""

from __future__ import annotations

import os
import plistlib
import shlex
import stat
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.conftest import MakeVault
from vaultcrm.app.schedule import Job, make_job, parse_at
from vaultcrm.cli import cli


@pytest.fixture
def homes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """HOME, XDG_CONFIG_HOME and the state folder inside the test's own folder."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("VAULTCRM_STATE_DIR", str(tmp_path / "state"))
    return tmp_path


def run(*args: str) -> Result:
    """As a user runs it: errors are messages, not tracebacks."""
    return CliRunner(env={"VAULTCRM_DEBUG": "0"}).invoke(
        cli, ["schedule", *args], catch_exceptions=False
    )


def _job(root: Path) -> Job:
    import datetime as dt

    return make_job(root, dt.time(7, 30))


def test_cron_line(make_vault: MakeVault, homes: Path) -> None:
    root = make_vault({}, name="My Notes")
    result = run("--vault", str(root), "--platform", "cron", "--at", "07:30")
    assert result.exit_code == 0
    argv = [sys.executable, "-m", "vaultcrm", "digest", "--send", "--vault", str(root)]
    log = homes / "state" / "digest.log"
    line = f"30 7 * * * {shlex.join(argv)} >> {log} 2>&1"
    assert f"\n{line}\n" in result.stdout
    assert "'" + str(root) + "'" in line  # the space in the vault's name is quoted
    assert f"mkdir -p {homes / 'state'}" in result.stdout
    assert "crontab -l" in result.stdout and f"tail {log}" in result.stdout
    assert not (homes / "config").exists() and not (homes / "state").exists()


def test_cron_escapes_percent(make_vault: MakeVault, homes: Path) -> None:
    root = make_vault({}, name="100%")
    result = run("--vault", str(root), "--platform", "cron")
    assert "--vault " + str(root).replace("%", "\\%") + " >>" in result.stdout


def test_systemd_units(make_vault: MakeVault, homes: Path) -> None:
    root = make_vault({}, name="My Notes")
    job = _job(root)
    result = run("--vault", str(root), "--platform", "systemd", "--at", "07:30")
    assert result.exit_code == 0
    folder = homes / "config" / "systemd" / "user"
    service = (
        "[Unit]\n"
        f"Description=vaultcrm morning digest for {root}\n\n"
        "[Service]\nType=oneshot\n"
        f'ExecStart={sys.executable} -m vaultcrm digest --send --vault "{root}"\n'
    )
    timer = (
        "[Unit]\n"
        f"Description=vaultcrm morning digest for {root}, daily at 07:30\n\n"
        "[Timer]\nOnCalendar=*-*-* 07:30:00\nPersistent=true\n\n"
        "[Install]\nWantedBy=timers.target\n"
    )
    assert f"# {folder / job.name}.service\n{service}" in result.stdout
    assert f"# {folder / job.name}.timer\n{timer}" in result.stdout
    assert f"systemctl --user enable --now {job.name}.timer" in result.stdout
    assert f"journalctl --user -u {job.name}.service" in result.stdout
    assert job.name.startswith("vaultcrm-digest-my-notes-")
    assert not folder.exists(), "printing installs nothing"


def test_launchd_plist(make_vault: MakeVault, homes: Path) -> None:
    root = make_vault({})
    job = _job(root)
    result = run("--vault", str(root), "--platform", "launchd", "--at", "07:30")
    assert result.exit_code == 0
    path = homes / "home" / "Library" / "LaunchAgents" / f"{job.label}.plist"
    text = result.stdout.split(f"# {path}\n", 1)[1].split("\n\n# Turn it on", 1)[0]
    plist = plistlib.loads(text.encode())
    log = str(homes / "home" / "Library" / "Logs" / "vaultcrm-digest.log")
    assert plist == {
        "Label": job.label,
        "ProgramArguments": [sys.executable, "-m", "vaultcrm", "digest", "--send", "--vault",
                             str(root)],
        "StartCalendarInterval": {"Hour": 7, "Minute": 30},
        "StandardOutPath": log,
        "StandardErrorPath": log,
    }  # fmt: skip
    assert f"launchctl bootstrap gui/$(id -u) {path}" in result.stdout
    assert f"launchctl print gui/$(id -u)/{job.label}" in result.stdout
    assert not path.exists()


@pytest.mark.parametrize("bad", ["8", "24:00", "08:60", "eight"])
def test_a_bad_time_is_a_usage_error(make_vault: MakeVault, homes: Path, bad: str) -> None:
    result = run("--vault", str(make_vault({})), "--at", bad)
    assert result.exit_code == 2
    assert f"--at {bad!r} is not a time of day: use HH:MM" in result.output
    with pytest.raises(Exception, match="not a time of day"):
        parse_at(bad)


def test_install_is_only_for_systemd(make_vault: MakeVault, homes: Path) -> None:
    result = run("--vault", str(make_vault({})), "--platform", "cron", "--install")
    assert result.exit_code == 2
    assert "--install and --uninstall set up the systemd user timer" in result.output


def _recording_systemctl(folder: Path) -> Path:
    """A `systemctl` on PATH that records its arguments and succeeds."""
    folder.mkdir()
    script = folder / "systemctl"
    script.write_text(f'#!/bin/sh\necho "$@" >> {folder / "calls"}\n', encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return folder


def test_install_and_uninstall_the_systemd_timer(
    make_vault: MakeVault, homes: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = _recording_systemctl(homes / "bin")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    root = make_vault({})
    job = _job(root)
    folder = homes / "config" / "systemd" / "user"
    result = run("--vault", str(root), "--platform", "systemd", "--install", "--at", "07:30")
    assert result.exit_code == 0, result.output
    assert (folder / f"{job.name}.timer").read_text().count("OnCalendar=*-*-* 07:30:00") == 1
    assert (folder / f"{job.name}.service").is_file()
    assert (bin_dir / "calls").read_text().splitlines() == [
        "--user daemon-reload", f"--user enable --now {job.name}.timer",
    ]  # fmt: skip
    last = result.stdout.splitlines()[-1]
    assert last == f"Check it: systemctl --user list-timers {job.name}.timer"

    result = run("--vault", str(root), "--platform", "systemd", "--uninstall")
    assert result.exit_code == 0, result.output
    assert list(folder.iterdir()) == []
    assert (bin_dir / "calls").read_text().splitlines()[2:] == [
        f"--user disable --now {job.name}.timer", "--user daemon-reload",
    ]  # fmt: skip
    again = run("--vault", str(root), "--platform", "systemd", "--uninstall")
    assert again.stdout.startswith("Nothing to remove")


def test_install_where_systemctl_cannot_reach_a_session(
    make_vault: MakeVault, homes: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A `systemctl` that fails (as on a machine without a user session): the files are
    written, the command says what to run, exit 1."""
    bin_dir = homes / "bin"
    bin_dir.mkdir()
    script = bin_dir / "systemctl"
    script.write_text("#!/bin/sh\necho 'Failed to connect to bus: No medium found' >&2\nexit 1\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    root = make_vault({})
    job = _job(root)
    result = run("--vault", str(root), "--platform", "systemd", "--install")
    assert result.exit_code == 1
    assert "but `systemctl --user daemon-reload` failed: Failed to connect to bus" in result.stderr
    assert f"systemctl --user enable --now {job.name}.timer" in result.stderr
    assert (homes / "config" / "systemd" / "user" / f"{job.name}.timer").is_file()
