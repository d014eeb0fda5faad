"""`vaultcrm schedule`: the daily job that sends the digest, as this platform runs one.

Three forms, each with the exact paths of this vaultcrm and of the vault: a crontab line,
a systemd user service and timer, a launchd agent (macOS). They are printed, never
installed, unless asked: `install_systemd` writes the two units and enables the timer
with `systemctl --user`; `uninstall_systemd` undoes exactly that.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import plistlib
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from vaultcrm.errors import UsageError, VaultcrmError

PLATFORMS = ("systemd", "cron", "launchd")


@dataclass(frozen=True)
class Job:
    """The daily digest of one vault: what to run, when, and under what name."""

    vault: Path
    at: dt.time
    argv: tuple[str, ...]

    @property
    def name(self) -> str:
        """`vaultcrm-digest-notes-1a2b3c`: one job per vault, readable, never shared."""
        slug = re.sub(r"[^a-z0-9]+", "-", self.vault.name.lower()).strip("-")[:24] or "vault"
        digest = hashlib.sha256(os.fsencode(self.vault)).hexdigest()[:6]
        return f"vaultcrm-digest-{slug}-{digest}"

    @property
    def label(self) -> str:
        """The launchd label (reverse-DNS style)."""
        return "org.vaultcrm." + self.name.removeprefix("vaultcrm-")


def parse_at(text: str) -> dt.time:
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", text.strip())
    if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise UsageError(f"--at {text!r} is not a time of day: use HH:MM, e.g. 08:00")
    return dt.time(int(match.group(1)), int(match.group(2)))


def this_vaultcrm() -> tuple[str, ...]:
    """How to start this very vaultcrm: its console script when that is what runs,
    else this Python with `-m vaultcrm` (the same code either way)."""
    script = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if script is not None and script.name == "vaultcrm" and script.is_file():
        return (str(script.absolute()),)
    return (sys.executable, "-m", "vaultcrm")


def make_job(vault: Path, at: dt.time) -> Job:
    vault = vault.resolve()
    return Job(vault, at, (*this_vaultcrm(), "digest", "--send", "--vault", str(vault)))


def detect_platform() -> str:
    if sys.platform == "darwin":
        return "launchd"
    if os.path.isdir("/run/systemd/system"):
        return "systemd"
    return "cron"


# --- the three forms -----------------------------------------------------------------------


def cron_log() -> Path:
    from vaultcrm.app.sent import state_dir

    return state_dir() / "digest.log"


def crontab_line(job: Job, log: Path) -> str:
    """One line for `crontab -e`; `%` is cron's newline, so it is escaped."""
    command = " ".join(shlex.quote(a) for a in job.argv)
    line = f"{job.at.minute} {job.at.hour} * * * {command} >> {shlex.quote(str(log))} 2>&1"
    return line.replace("%", "\\%")


def _systemd_quote(arg: str) -> str:
    """One ExecStart argument: `%` and `$` are systemd's specifiers, quotes as in a shell."""
    arg = arg.replace("%", "%%").replace("$", "$$")
    if re.fullmatch(r"[\w@%+=:,./-]+", arg):
        return arg
    return '"' + arg.replace("\\", "\\\\").replace('"', '\\"') + '"'


def systemd_units(job: Job) -> dict[str, str]:
    """File name → text of the user service and its timer."""
    command = " ".join(_systemd_quote(a) for a in job.argv)
    vault = str(job.vault).replace("%", "%%")
    service = (
        "[Unit]\n"
        f"Description=vaultcrm morning digest for {vault}\n"
        "\n[Service]\n"
        "Type=oneshot\n"
        f"ExecStart={command}\n"
    )
    timer = (
        "[Unit]\n"
        f"Description=vaultcrm morning digest for {vault}, daily at {job.at:%H:%M}\n"
        "\n[Timer]\n"
        f"OnCalendar=*-*-* {job.at:%H:%M}:00\n"
        "Persistent=true\n"
        "\n[Install]\n"
        "WantedBy=timers.target\n"
    )
    return {f"{job.name}.service": service, f"{job.name}.timer": timer}


def launchd_log() -> Path:
    return Path.home() / "Library" / "Logs" / "vaultcrm-digest.log"


def launchd_plist(job: Job, log: Path) -> str:
    """The LaunchAgent's plist (plistlib writes it: nothing to escape by hand)."""
    data = {
        "Label": job.label,
        "ProgramArguments": list(job.argv),
        "StartCalendarInterval": {"Hour": job.at.hour, "Minute": job.at.minute},
        "StandardOutPath": str(log),
        "StandardErrorPath": str(log),
    }
    return plistlib.dumps(data).decode("utf-8")


def systemd_folder() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "systemd" / "user"


@dataclass(frozen=True)
class Plan:
    """What to install for one platform: files (path → text), a crontab line, how to
    turn it on, and how to check it ran."""

    platform: str
    files: dict[str, str]
    crontab: str | None
    enable: tuple[str, ...]
    check: tuple[str, ...]


def plan_for(job: Job, platform: str) -> Plan:
    if platform == "systemd":
        folder = systemd_folder()
        files = {str(folder / n): text for n, text in systemd_units(job).items()}
        timer, service = f"{job.name}.timer", f"{job.name}.service"
        return Plan(
            platform,
            files,
            None,
            ("systemctl --user daemon-reload", f"systemctl --user enable --now {timer}"),
            (
                f"systemctl --user list-timers {timer}    # when it runs next, and last ran",
                f"systemctl --user start {service}    # run it once now",
                f"journalctl --user -u {service}    # what it said",
            ),
        )
    if platform == "launchd":
        path = Path.home() / "Library" / "LaunchAgents" / f"{job.label}.plist"
        log = launchd_log()
        quoted = shlex.quote(str(path))
        return Plan(
            platform,
            {str(path): launchd_plist(job, log)},
            None,
            (f"launchctl bootstrap gui/$(id -u) {quoted}",),
            (
                f"launchctl print gui/$(id -u)/{job.label}    # loaded, and its last exit code",
                f"launchctl kickstart gui/$(id -u)/{job.label}    # run it once now",
                f"tail {shlex.quote(str(log))}    # what it said",
            ),
        )
    if platform == "cron":
        log = cron_log()
        return Plan(
            platform,
            {},
            crontab_line(job, log),
            (f"mkdir -p {shlex.quote(str(log.parent))}", "crontab -e    # and add the line above"),
            (
                "crontab -l    # the line is there",
                f"tail {shlex.quote(str(log))}    # what each run said",
            ),
        )
    raise UsageError(f"unknown platform {platform!r}: one of {', '.join(PLATFORMS)}")


# --- installing the systemd timer ------------------------------------------------------------


class ScheduleFailed(VaultcrmError):
    """systemctl refused: the message says what was done and what to run by hand."""


def _systemctl(*args: str) -> str | None:
    """Run `systemctl --user ARGS`; None when it worked, else its first line of error."""
    try:
        done = subprocess.run(
            ["systemctl", "--user", *args], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        return str(err)
    if done.returncode == 0:
        return None
    said = (done.stderr or done.stdout).strip().splitlines()
    return said[0] if said else f"exit {done.returncode}"


def install_systemd(job: Job) -> list[str]:
    """Write the unit files and enable the timer; what was done, one line each.
    ScheduleFailed (files written) when systemctl could not enable it."""
    plan = plan_for(job, "systemd")
    done = []
    for path, text in plan.files.items():
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        _write(Path(path), text)
        done.append(f"Wrote {path}")
    for command in plan.enable:
        error = _systemctl(*command.split()[2:])
        if error is not None:
            raise ScheduleFailed(
                "; ".join(done)
                + f"; but `{command}` failed: {error}. Run, in your session: "
                + " && ".join(plan.enable)
            )
        done.append(f"Ran {command}")
    return done


def uninstall_systemd(job: Job) -> list[str]:
    """Disable the timer and remove the unit files `install_systemd` wrote."""
    plan = plan_for(job, "systemd")
    present = [p for p in plan.files if os.path.lexists(p)]
    if not present:
        return [f"Nothing to remove: no {job.name} units in {systemd_folder()}"]
    done = []
    timer = f"{job.name}.timer"
    error = _systemctl("disable", "--now", timer)
    if error is None:
        done.append(f"Ran systemctl --user disable --now {timer}")
    else:
        done.append(f"systemctl --user disable --now {timer} failed ({error}); removing the files")
    for path in present:
        os.unlink(path)
        done.append(f"Removed {path}")
    if _systemctl("daemon-reload") is None:
        done.append("Ran systemctl --user daemon-reload")
    return done


def _write(path: Path, text: str) -> None:
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)
