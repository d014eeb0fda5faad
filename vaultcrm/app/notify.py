"""Sending the digest to one destination: mail (app/mail.py) and ntfy (app/ntfy.py) with
the standard library, any other URL through Apprise (the `notify` extra, imported only
here and only then). URL forms: app/destinations.py.
"""

from __future__ import annotations

from pathlib import Path

from vaultcrm.app.destinations import MAIL_SCHEMES, NTFY_SCHEMES, Message, SendFailed, Target


def send(target: Target, message: Message, root: Path) -> None:
    """Deliver `message` to `target`, or raise SendFailed saying why (one line)."""
    scheme = target.scheme
    if scheme in MAIL_SCHEMES:
        from vaultcrm.app.mail import send_mail

        send_mail(target, message, root)
    elif scheme in NTFY_SCHEMES:
        from vaultcrm.app.ntfy import send_ntfy

        send_ntfy(target, message)
    else:
        _send_apprise(target, message)


def _send_apprise(target: Target, message: Message) -> None:
    """Any other URL Apprise knows; the `notify` extra is imported only here."""
    try:
        import apprise
    except ImportError:
        raise SendFailed(
            f"{target.scheme}:// needs Apprise: pip install 'vaultcrm[notify]' "
            "(smtp://, smtps://, ntfy:// and ntfys:// need nothing extra)"
        ) from None
    sender = apprise.Apprise()
    if not sender.add(target.url):
        raise SendFailed(f"Apprise does not understand this URL ({target.scheme}://)")
    try:
        delivered = sender.notify(
            title=message.title, body=message.markdown, body_format=apprise.NotifyFormat.MARKDOWN
        )
    except Exception as exc:  # noqa: BLE001 - a plugin's own failure, said in one line
        raise SendFailed(f"Apprise failed: {exc}") from None
    if not delivered:
        raise SendFailed("Apprise could not deliver it (run with --debug for its log)")
