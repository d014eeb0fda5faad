"""The digest as an ntfy push (https://docs.ntfy.sh/publish/), with urllib: one POST of
the text, with a title, a priority and a click action that opens the note.

URLs as Apprise reads them: `ntfy://host[:port]/topic` (http), `ntfys://host/topic`
(https), `ntfys://topic` (ntfy.sh); `user:password@` (basic) or `tk_…@` / `?token=`
(bearer) to publish to a protected topic; `?priority=high`, `?click=URL` and `?tags=a,b`
override what vaultcrm sends.
"""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, quote, unquote, urlsplit

from vaultcrm.app.destinations import TIMEOUT, Message, SendFailed, Target

CLOUD = "ntfy.sh"
_PRIORITIES = {"1": "min", "2": "low", "3": "default", "4": "high", "5": "max"}


def ntfy_request(target: Target, message: Message) -> tuple[str, dict[str, str], bytes]:
    """(URL, headers, body) of the POST: pure, so a test can read what is sent."""
    try:
        parts = urlsplit(target.url)
        host, port = parts.hostname, parts.port
    except ValueError as err:
        raise SendFailed(f"not a URL ntfy understands ({err})") from None
    topics = [t for t in parts.path.split("/") if t]
    if not topics and host:  # `ntfys://my-topic`: the topic on ntfy.sh
        topics, host, port = [host], CLOUD, None
    if not host or len(topics) != 1:
        raise SendFailed("expected ntfy://host/topic, ntfys://host/topic or ntfys://topic")
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    scheme = "https" if parts.scheme.lower() == "ntfys" or host == CLOUD else "http"
    where = f"{host}:{port}" if port else host
    url = f"{scheme}://{where}/{quote(topics[0], safe='')}"
    priority = query.get("priority", message.priority).lower()
    headers = {
        "Title": _header(message.title),
        "Priority": _PRIORITIES.get(priority, priority),
        "Click": query.get("click", message.click),
        "Tags": query.get("tags", "busts_in_silhouette"),
        "Content-Type": "text/plain; charset=utf-8",
    }
    if message.markdown and query.get("format") == "markdown":
        headers["Markdown"] = "yes"
    auth = _authorization(parts.username, parts.password, query.get("token"))
    if auth:
        headers["Authorization"] = auth
    body = message.markdown if headers.get("Markdown") else message.text
    return url, headers, body.encode("utf-8")


def _header(text: str) -> str:
    """HTTP headers are Latin-1: ntfy reads RFC 2047 encoded words for anything else."""
    try:
        text.encode("latin-1")
        return text
    except UnicodeEncodeError:
        return "=?UTF-8?B?" + base64.b64encode(text.encode("utf-8")).decode("ascii") + "?="


def _authorization(user: str | None, password: str | None, token: str | None) -> str | None:
    user = unquote(user) if user else None
    if token:
        return f"Bearer {token}"
    if user and user.startswith("tk_") and not password:
        return f"Bearer {user}"
    if user:
        pair = f"{user}:{unquote(password or '')}".encode()
        return "Basic " + base64.b64encode(pair).decode("ascii")
    return None


def send_ntfy(target: Target, message: Message) -> None:
    import urllib.error
    import urllib.request

    url, headers, body = ntfy_request(target, message)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            response.read()
    except urllib.error.HTTPError as err:
        said = " ".join(err.read(300).decode("utf-8", errors="replace").split())
        tail = f": {said}" if said else ""
        raise SendFailed(f"{url} answered {err.code} {err.reason}{tail}") from None
    except urllib.error.URLError as err:
        raise SendFailed(f"cannot reach {url}: {_reason(err.reason)}") from None
    except (OSError, ValueError) as err:
        raise SendFailed(f"cannot reach {url}: {_reason(err)}") from None


def _reason(reason: object) -> str:
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return str(reason)
