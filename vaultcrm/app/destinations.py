"""Where the digest goes: `notify:` URLs as Apprise spells them (`app/notify.py` sends),
sent with the standard library for mail and ntfy, and through Apprise (the `notify`
extra) for anything else.

    smtp://[user@]host[:port]?to=ADDR[&from=ADDR]     STARTTLS (required with a user), 587
    smtps://[user@]host[:port]?to=ADDR                implicit TLS, 465
    mailto://… mailtos://…                            Apprise's spelling of the same
                                                      (mailtos: STARTTLS, ?mode=ssl: 465)
    ntfy://host[:port]/topic  ntfys://host/topic      a POST over http / https
    ntfys://topic                                     ntfy.sh, as Apprise reads it
    anything else (tgram://, matrix://, signal://…)   Apprise, when installed

A destination that fails is a `SendFailed` with one line naming it; nothing is retried
here (the caller marks only what was delivered, so the next run tries again).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit, urlunsplit

from vaultcrm.config import Destination

#: URLs from the environment replace `notify:` (they may hold tokens: keep those out of
#: the vault), separated by spaces or newlines.
NOTIFY_ENV = "VAULTCRM_NOTIFY"
MAIL_SCHEMES = frozenset({"smtp", "smtps", "mailto", "mailtos"})
NTFY_SCHEMES = frozenset({"ntfy", "ntfys"})
#: Seconds a destination may take to answer before it counts as failed.
TIMEOUT = 30.0


class SendFailed(Exception):
    """A destination that could not be reached or refused the digest (one line)."""


@dataclass(frozen=True)
class Message:
    """The digest as every destination needs it."""

    title: str
    text: str
    markdown: str
    html: str
    click: str  # opens the note (obsidian://…)
    priority: str = "default"  # ntfy's words: min, low, default, high, max


@dataclass(frozen=True)
class Target:
    """One destination, ready to send to: the URL, how it is shown (no password), where it
    was configured, and the password file given with it."""

    url: str
    shown: str
    source: str  # "vaultcrm.yaml" or "$VAULTCRM_NOTIFY"
    password_file: str | None = None

    @property
    def scheme(self) -> str:
        return urlsplit(self.url).scheme.lower()

    @property
    def in_vault(self) -> bool:
        return self.source != f"${NOTIFY_ENV}"


def targets(configured: Sequence[Destination]) -> list[Target]:
    """The destinations: `$VAULTCRM_NOTIFY` when set, else `notify:` in vaultcrm.yaml."""
    from_env = os.environ.get(NOTIFY_ENV, "").split()
    if from_env:
        return [Target(url, shown(url), f"${NOTIFY_ENV}") for url in from_env]
    return [Target(d.url, shown(d.url), "vaultcrm.yaml", d.password_file) for d in configured]


def shown(url: str) -> str:
    """The URL without its password, for messages and records. A URL vaultcrm does not
    send itself may hold a token anywhere (`tgram://BOTTOKEN/CHAT`): only its scheme and
    first characters are shown."""
    scheme, _, rest = url.partition("://")
    if scheme.lower() not in MAIL_SCHEMES | NTFY_SCHEMES:
        return f"{scheme}://{rest[:4]}…" if len(rest) > 4 else url
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
        netloc = f"{parts.username}:***@{host}{port}" if parts.username else f"***@{host}{port}"
        return urlunsplit(SplitResult(parts.scheme, netloc, parts.path, parts.query, ""))
    except ValueError:
        return re.sub(r":[^:@/]*@", ":***@", url)


