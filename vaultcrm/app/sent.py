"""What each destination was last sent: the digest's memory, kept outside the vault.

One JSON file per vault in the state folder (`VAULTCRM_STATE_DIR`, else platformdirs'
user state folder), never in the vault: it would sync to every device and show in git.
Per destination (by a digest of its URL, which may hold a token): the day of the last
digest delivered there and the ids of the items it carried. A destination is recorded
only once its digest was delivered; losing the file means one digest sent again, nothing
worse. Writes are atomic (temp file, fsync, rename) and serialised by a lock file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

STATE_ENV = "VAULTCRM_STATE_DIR"


def state_dir() -> Path:
    override = os.environ.get(STATE_ENV)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_state_dir("vaultcrm", appauthor=False))


def state_path(root: Path) -> Path:
    """The vault's file: named by a digest of its real path (two vaults never share)."""
    key = hashlib.sha256(os.fsencode(os.path.realpath(root))).hexdigest()[:16]
    return state_dir() / f"digest-{key}.json"


def destination_key(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:24]


@dataclass(frozen=True)
class Sent:
    """The last digest delivered to one destination."""

    day: dt.date
    ids: frozenset[str]


def load(root: Path) -> dict[str, Sent]:
    """Destination key → what it was last sent; {} when nothing was (or the file is
    unreadable: then the next digest is sent again, which is the safe side)."""
    try:
        data = json.loads(state_path(root).read_text(encoding="utf-8"))
        found = data["destinations"]
        return {
            key: Sent(dt.date.fromisoformat(value["day"]), frozenset(value["ids"]))
            for key, value in found.items()
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def record(root: Path, key: str, shown: str, day: dt.date, ids: Sequence[str]) -> None:
    """Remember that destination `key` was delivered the digest of `day` with `ids`."""
    path = state_path(root)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with _locked(path):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            destinations = dict(data.get("destinations", {}))
        except (OSError, ValueError, AttributeError):
            destinations = {}
        destinations[key] = {"shown": shown, "day": day.isoformat(), "ids": sorted(ids)}
        text = json.dumps({"vault": os.path.realpath(root), "destinations": destinations}, indent=1)
        _write_atomic(path, text.encode("utf-8"))


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    fd = os.open(path.with_suffix(".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _write_atomic(path: Path, data: bytes) -> None:
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
