"""The digest as a mail: a plain-text part and an HTML part, sent with smtplib.

    smtp://[user@]host[:port]?to=ADDR[&from=ADDR]   port 587; STARTTLS when the server
                                                    offers it, required with a user
    smtps://[user@]host[:port]?to=ADDR              implicit TLS, port 465
    mailto://…                                      Apprise's plain spelling: as smtp://,
                                                    port 25
    mailtos://…[?mode=starttls|ssl]                 Apprise's secure one: STARTTLS
                                                    required (587), or implicit TLS (465)

`to` may list several addresses (`,`); without it the mail goes to `from`, which defaults
to `user@host`. `?smtp=HOST` sends through another server than `host`, as in Apprise.

The password never comes from the vault: `VAULTCRM_SMTP_PASSWORD`, or the destination's
`password_file:` (outside the vault, owned by you, readable by no one else: refused
otherwise, naming the file and its mode), or, from `VAULTCRM_NOTIFY` only, the URL's own
`user:password@`. A password is only ever sent over TLS. Certificates are checked against
the system's authorities, plus `VAULTCRM_SMTP_CAFILE` when set (a self-hosted server's
own authority); verification is never turned off.
"""

from __future__ import annotations

import os
import smtplib
import ssl
import stat
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from vaultcrm.app.destinations import TIMEOUT, Message, SendFailed, Target

PASSWORD_ENV = "VAULTCRM_SMTP_PASSWORD"
CAFILE_ENV = "VAULTCRM_SMTP_CAFILE"


class _Plan:
    """How to reach the server and whom to write, read from the URL."""

    def __init__(self, target: Target, root: Path) -> None:
        try:
            parts = urlsplit(target.url)
            port = parts.port
        except ValueError as err:
            raise SendFailed(f"not a mail URL ({err})") from None
        scheme = parts.scheme.lower()
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        mode = query.get("mode", "").lower()
        if scheme == "smtps" or (scheme == "mailtos" and mode == "ssl"):
            self.tls, default_port = "implicit", 465
        elif scheme == "mailtos":
            self.tls, default_port = "required", 587
        else:
            self.tls, default_port = "opportunistic", 25 if scheme == "mailto" else 587
        self.host = query.get("smtp") or parts.hostname or ""
        if not self.host:
            raise SendFailed("no server: write smtp://host?to=you@example.org")
        self.port = port or default_port
        self.user = unquote(parts.username) if parts.username else None
        if self.user and self.tls == "opportunistic":
            self.tls = "required"  # a password is never sent in the clear
        path_to = [unquote(p) for p in parts.path.split("/") if "@" in p]
        sender = query.get("from") or _default_from(self.user, parts.hostname)
        if not sender:
            raise SendFailed("no sender: add ?from=you@example.org")
        self.sender = sender
        to = [a.strip() for a in query.get("to", "").split(",") if a.strip()] + path_to
        self.to = to or [sender]
        self.password = _password(target, parts.password, root) if self.user else None


def _default_from(user: str | None, host: str | None) -> str | None:
    if user and "@" in user:
        return user
    if user and host:
        return f"{user}@{host}"
    return None


def _password(target: Target, in_url: str | None, root: Path) -> str:
    """The password, from outside the vault only (see the module docstring)."""
    if in_url is not None and target.in_vault:
        raise SendFailed(
            "a password written in vaultcrm.yaml lives in the vault: remove it and set "
            f"{PASSWORD_ENV} or password_file: (or put the URL in $VAULTCRM_NOTIFY)"
        )
    if in_url is not None:
        return unquote(in_url)
    if target.password_file:
        return _read_password_file(target.password_file, root)
    found = os.environ.get(PASSWORD_ENV)
    if found:
        return found
    raise SendFailed(f"no password for {target.shown}: set {PASSWORD_ENV} or password_file:")


def _read_password_file(name: str, root: Path) -> str:
    """The first line of a password file that only its owner (you) can read, outside the
    vault; refused otherwise, naming the file and why."""
    path = Path(name).expanduser()
    if not path.is_absolute():
        raise SendFailed(f"password_file {name}: give an absolute path (outside the vault)")
    real = Path(os.path.realpath(path))
    if real.is_relative_to(os.path.realpath(root)):
        raise SendFailed(f"password_file {path} is inside the vault: keep it outside")
    try:
        st = os.stat(real)
    except OSError as err:
        raise SendFailed(f"password_file {path}: {err.strerror}") from None
    if not stat.S_ISREG(st.st_mode):
        raise SendFailed(f"password_file {path} is not a regular file")
    mode = stat.S_IMODE(st.st_mode)
    if mode & 0o077:
        raise SendFailed(
            f"password_file {path} can be read by others (mode {mode:04o}): chmod 600 it"
        )
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        raise SendFailed(f"password_file {path} belongs to another user")
    try:
        lines = real.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise SendFailed(f"password_file {path}: cannot read it ({err})") from None
    if not lines or not lines[0]:
        raise SendFailed(f"password_file {path} is empty")
    return lines[0]


def tls_context() -> ssl.SSLContext:
    """The system's authorities, plus `VAULTCRM_SMTP_CAFILE`'s; always verifying."""
    context = ssl.create_default_context()
    cafile = os.environ.get(CAFILE_ENV)
    if cafile:
        try:
            context.load_verify_locations(cafile=cafile)
        except (OSError, ssl.SSLError) as err:
            raise SendFailed(f"{CAFILE_ENV}={cafile}: cannot load it ({err})") from None
    return context


def mail(message: Message, sender: str, to: list[str]) -> EmailMessage:
    """The mail: text first, then the HTML alternative (what mail clients show)."""
    mail = EmailMessage()
    mail["Subject"] = message.title
    mail["From"] = sender
    mail["To"] = ", ".join(to)
    mail["Date"] = formatdate(localtime=True)
    mail["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    mail.set_content(message.text)
    mail.add_alternative(message.html, subtype="html")
    return mail


def send_mail(target: Target, message: Message, root: Path) -> None:
    plan = _Plan(target, root)
    where = f"{plan.host}:{plan.port}"
    context = tls_context()
    try:
        if plan.tls == "implicit":
            server: smtplib.SMTP = smtplib.SMTP_SSL(
                plan.host, plan.port, timeout=TIMEOUT, context=context
            )
        else:
            server = smtplib.SMTP(plan.host, plan.port, timeout=TIMEOUT)
        with server:
            server.ehlo()
            if plan.tls != "implicit":
                if server.has_extn("starttls"):
                    server.starttls(context=context)
                    server.ehlo()
                elif plan.tls == "required":
                    raise SendFailed(
                        f"{where} offers no STARTTLS: vaultcrm sends no password or mail for "
                        "a login in the clear (use smtps:// if the server speaks TLS)"
                    )
            if plan.user and plan.password is not None:
                _login(server, plan.user, plan.password)
            server.send_message(mail(message, plan.sender, plan.to))
    except SendFailed:
        raise
    except smtplib.SMTPAuthenticationError as err:
        raise SendFailed(f"{where} refused the login for {plan.user}: {_said(err)}") from None
    except smtplib.SMTPRecipientsRefused as err:
        refused = ", ".join(err.recipients)
        raise SendFailed(f"{where} refused the recipients {refused}") from None
    except smtplib.SMTPResponseException as err:
        raise SendFailed(f"{where} answered {_said(err)}") from None
    except smtplib.SMTPException as err:
        raise SendFailed(f"{where}: {err}") from None
    except ssl.SSLError as err:
        raise SendFailed(f"TLS with {where} failed: {err.reason or err}") from None
    except OSError as err:
        raise SendFailed(f"cannot connect to {where}: {err.strerror or err}") from None


def _login(server: smtplib.SMTP, user: str, password: str) -> None:
    """One login, with the first method the server offers of PLAIN, LOGIN, CRAM-MD5 (over
    TLS, PLAIN is the standard). smtplib's `login` would try the next method after a
    refusal, and some servers never answer a second attempt."""
    offered = server.esmtp_features.get("auth", "").upper().split()
    server.user, server.password = user, password
    for method in ("PLAIN", "LOGIN", "CRAM-MD5"):
        if method in offered:
            server.auth(method, getattr(server, "auth_" + method.lower().replace("-", "_")))
            return
    raise SendFailed(f"the server offers no login method vaultcrm knows ({' '.join(offered)})")


def _said(err: smtplib.SMTPResponseException) -> str:
    text = (
        err.smtp_error.decode("utf-8", errors="replace")
        if isinstance(err.smtp_error, bytes)
        else str(err.smtp_error)
    )
    return f"{err.smtp_code} {' '.join(text.split())}"
