"""`digest --send` against real servers on 127.0.0.1 started by the test: an SMTP server
(aiosmtpd, STARTTLS or implicit TLS with a certificate from a CA made here, trusted
through VAULTCRM_SMTP_CAFILE), an HTTP server standing in for ntfy, and Apprise's json://.

A password is only ever sent over TLS (there is no switch for AUTH in the clear, not even
on 127.0.0.1): the tests trust their own CA instead, as a self-hosted server's user would.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import http.server
import json
import os
import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.conftest import MakeVault
from vaultcrm.app import sent
from vaultcrm.cli import cli

aiosmtpd = pytest.importorskip("aiosmtpd")
trustme = pytest.importorskip("trustme")

from aiosmtpd.controller import Controller  # noqa: E402
from aiosmtpd.smtp import AuthResult, LoginPassword  # noqa: E402

VAULT = {
    "People/Ann Lee.md": "---\ncircle: friends\n---\n- 2026-01-01 Coffee\n",
    "People/Bo Diaz.md": "---\ncircle: friends\n---\n- 2026-11-20 Walk\n- [ ] 2026-11-25 Call\n",
}
TODAY = "2026-11-23"


@pytest.fixture(autouse=True)
def _env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAULTCRM_STATE_DIR", str(tmp_path_factory.mktemp("state")))
    for name in ("VAULTCRM_NOTIFY", "VAULTCRM_SMTP_PASSWORD", "VAULTCRM_SMTP_CAFILE"):
        monkeypatch.delenv(name, raising=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def send(root: Path, *more: str) -> Result:
    return CliRunner().invoke(
        cli, ["digest", "--send", "--vault", str(root), "--today", TODAY, *more],
        catch_exceptions=False,
    )  # fmt: skip


def vault_with(make_vault: MakeVault, notify: str) -> Path:
    return make_vault({**VAULT, "vaultcrm.yaml": f"notify:\n{notify}"})


# --- SMTP ---------------------------------------------------------------------------------


@dataclass
class Mailbox:
    port: int
    messages: list[Any] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> Any:
    authority = trustme.CA()
    return authority


@pytest.fixture
def cafile(ca: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    monkeypatch.setenv("VAULTCRM_SMTP_CAFILE", str(path))
    return path


def _authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"me", b"s3cret")
    return AuthResult(success=ok, handled=False)  # aiosmtpd answers 535 itself


@contextlib.contextmanager
def smtp_server(ca: Any, *, implicit: bool = False, starttls: bool = True) -> Iterator[Mailbox]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    box = Mailbox(free_port())
    options: dict[str, Any] = {"authenticator": _authenticator, "auth_require_tls": True}
    if implicit:  # the whole session is TLS (aiosmtpd only counts STARTTLS as TLS)
        options.update(ssl_context=context, auth_require_tls=False)
    elif starttls:
        options["tls_context"] = context
    controller = Controller(box, hostname="127.0.0.1", port=box.port, **options)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


def _received(box: Mailbox) -> email.message.EmailMessage:
    (envelope,) = box.messages
    return email.message_from_bytes(envelope.content, policy=email.policy.default)  # type: ignore[return-value]


def test_the_mail_arrives_with_a_text_and_an_html_part(
    make_vault: MakeVault, ca: Any, cafile: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VAULTCRM_SMTP_PASSWORD", "s3cret")
    with smtp_server(ca) as box:
        url = f"smtp://me@127.0.0.1:{box.port}?to=you@example.org&from=me@example.org"
        root = vault_with(make_vault, f"  - {url}\n")
        result = send(root)
        assert result.exit_code == 0, result.output
        assert result.stdout == f"Sent to {url}\n"
        mail = _received(box)
        assert box.messages[0].rcpt_tos == ["you@example.org"]
        assert mail["Subject"] == "vaultcrm: 2 people are due today"
        assert mail["From"] == "me@example.org" and mail["To"] == "you@example.org"
        plain = mail.get_body(preferencelist=("plain",))
        html = mail.get_body(preferencelist=("html",))
        assert plain is not None and html is not None
        text = plain.get_content().replace("\r\n", "\n")
        assert text.startswith("Reflections due, Monday 23 November 2026\n\nAnn Lee (Reach out)")
        assert "<strong>Ann Lee</strong>" in html.get_content()

        # nothing new since: nothing sent; --always sends anyway
        again = send(root)
        assert again.exit_code == 0 and len(box.messages) == 1
        assert again.stdout == (
            f"Nothing new since the last digest (2026-11-23) for {url}: not sent "
            "(--always sends anyway)\n"
        )
        assert send(root, "--always").exit_code == 0 and len(box.messages) == 2


def test_implicit_tls_with_a_password_file(
    make_vault: MakeVault, ca: Any, cafile: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "smtp-password"
    secret.write_text("s3cret\n", encoding="utf-8")
    secret.chmod(0o600)
    with smtp_server(ca, implicit=True) as box:
        url = f"smtps://me@127.0.0.1:{box.port}?to=you@example.org&from=me@example.org"
        root = vault_with(make_vault, f"  - url: {url}\n    password_file: {secret}\n")
        result = send(root)
        assert result.exit_code == 0, result.output
        assert len(box.messages) == 1


def test_apprise_spelling_mailtos_works_natively(
    make_vault: MakeVault, ca: Any, cafile: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VAULTCRM_SMTP_PASSWORD", "s3cret")
    with smtp_server(ca) as box:
        url = f"mailtos://me@127.0.0.1:{box.port}?to=you@example.org&from=me@example.org"
        result = send(vault_with(make_vault, f"  - {url}\n"))
        assert result.exit_code == 0, result.output
        assert len(box.messages) == 1


def test_a_bad_password_is_one_line_exit_1_and_nothing_marked_sent(
    make_vault: MakeVault, ca: Any, cafile: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VAULTCRM_SMTP_PASSWORD", "wrong")
    with smtp_server(ca) as box:
        url = f"smtp://me@127.0.0.1:{box.port}?to=you@example.org&from=me@example.org"
        root = vault_with(make_vault, f"  - {url}\n")
        result = send(root)
        assert result.exit_code == 1
        assert result.stdout == ""
        assert result.stderr == (
            f"Error: digest not sent to {url}: 127.0.0.1:{box.port} refused the login for me: "
            "535 5.7.8 Authentication credentials invalid\n"
        )
        assert box.messages == [] and sent.load(root) == {}
        # tried again next time: with the right password it goes
        monkeypatch.setenv("VAULTCRM_SMTP_PASSWORD", "s3cret")
        assert send(root).exit_code == 0 and len(box.messages) == 1


def test_a_closed_port_is_one_line_exit_1(make_vault: MakeVault) -> None:
    port = free_port()  # nothing listens there
    url = f"smtp://127.0.0.1:{port}?to=you@example.org&from=me@example.org"
    root = vault_with(make_vault, f"  - {url}\n")
    result = send(root)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: digest not sent to {url}: cannot connect to 127.0.0.1:{port}: "
        "Connection refused\n"
    )
    assert sent.load(root) == {}


def test_no_password_over_a_server_without_starttls(
    make_vault: MakeVault, ca: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VAULTCRM_SMTP_PASSWORD", "s3cret")
    with smtp_server(ca, starttls=False) as box:
        url = f"smtp://me@127.0.0.1:{box.port}?to=you@example.org&from=me@example.org"
        result = send(vault_with(make_vault, f"  - {url}\n"))
        assert result.exit_code == 1
        assert "offers no STARTTLS: vaultcrm sends no password" in result.stderr
        assert box.messages == []
        # without a user (a local relay), plain SMTP is fine
        relay = f"smtp://127.0.0.1:{box.port}?to=you@example.org&from=me@example.org"
        assert send(vault_with(make_vault, f"  - {relay}\n")).exit_code == 0
        assert len(box.messages) == 1


def test_an_untrusted_certificate_is_refused(
    make_vault: MakeVault, ca: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VAULTCRM_SMTP_PASSWORD", "s3cret")
    with smtp_server(ca) as box:  # no VAULTCRM_SMTP_CAFILE: the test CA is unknown
        url = f"smtp://me@127.0.0.1:{box.port}?to=you@example.org&from=me@example.org"
        result = send(vault_with(make_vault, f"  - {url}\n"))
        assert result.exit_code == 1
        assert f"TLS with 127.0.0.1:{box.port} failed: CERTIFICATE_VERIFY_FAILED" in result.stderr
        assert box.messages == []


def test_a_password_in_the_vault_is_refused(make_vault: MakeVault) -> None:
    url = "smtp://me:hunter2@127.0.0.1:9?to=you@example.org"
    result = send(vault_with(make_vault, f"  - {url}\n"))
    assert result.exit_code == 1
    assert "hunter2" not in result.output
    assert "smtp://me:***@127.0.0.1:9?to=you@example.org: a password written in " \
        "vaultcrm.yaml lives in the vault" in result.stderr


@pytest.mark.parametrize(
    ("mode", "inside", "says"),
    [
        (0o644, False, "can be read by others (mode 0644): chmod 600 it"),
        (0o640, False, "can be read by others (mode 0640)"),
        (0o600, True, "is inside the vault: keep it outside"),
    ],
)
def test_a_password_file_others_can_read_is_refused(
    make_vault: MakeVault, tmp_path: Path, mode: int, inside: bool, says: str
) -> None:
    root = make_vault(VAULT)
    secret = (root if inside else tmp_path) / "pw"
    secret.write_text("s3cret\n", encoding="utf-8")
    secret.chmod(mode)
    (root / "vaultcrm.yaml").write_text(
        f"notify:\n  - url: smtp://me@127.0.0.1:9?to=a@b.org\n    password_file: {secret}\n",
        encoding="utf-8",
    )
    result = send(root)
    assert result.exit_code == 1
    assert f"password_file {secret} {says}" in result.stderr


# --- ntfy ---------------------------------------------------------------------------------


@dataclass
class Seen:
    requests: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200


@contextlib.contextmanager
def http_server(status: int = 200) -> Iterator[tuple[int, Seen]]:
    seen = Seen(status=status)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            seen.requests.append(
                {"path": self.path, "headers": dict(self.headers.items()), "body": body}
            )
            self.send_response(seen.status)
            self.end_headers()
            self.wfile.write(b'{"id":"x"}' if seen.status == 200 else b"upstream down")

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], seen
    finally:
        server.shutdown()
        server.server_close()


def test_ntfy_gets_title_priority_click_and_the_text(make_vault: MakeVault) -> None:
    with http_server() as (port, seen):
        url = f"ntfy://127.0.0.1:{port}/vaultcrm-test"
        root = vault_with(make_vault, f"  - {url}\n")
        result = send(root)
        assert result.exit_code == 0, result.output
        (request,) = seen.requests
    headers = request["headers"]
    assert request["path"] == "/vaultcrm-test"
    assert headers["Title"] == "vaultcrm: 2 people are due today"
    assert headers["Priority"] == "default"
    assert headers["Click"] == "obsidian://open?vault=vault&file=Reflections%20due"
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    assert "Authorization" not in headers
    assert request["body"].decode("utf-8") == CliRunner().invoke(
        cli, ["digest", "--vault", str(root), "--today", TODAY], catch_exceptions=False
    ).stdout
    assert list(sent.load(root).values())[0].ids  # delivered: recorded


def test_ntfy_options_and_a_token_as_apprise_spells_them(
    make_vault: MakeVault, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From $VAULTCRM_NOTIFY (outside the vault, where a token belongs)."""
    with http_server() as (port, seen):
        url = f"ntfy://tk_abc@127.0.0.1:{port}/t?priority=high&click=https://example.org"
        monkeypatch.setenv("VAULTCRM_NOTIFY", url)
        result = send(make_vault(VAULT))
        assert result.exit_code == 0, result.output
        (request,) = seen.requests
    assert request["headers"]["Priority"] == "high"
    assert request["headers"]["Click"] == "https://example.org"
    assert request["headers"]["Authorization"] == "Bearer tk_abc"


def test_a_5xx_is_one_line_exit_1_and_tried_again_next_time(make_vault: MakeVault) -> None:
    with http_server(status=502) as (port, seen):
        url = f"ntfy://127.0.0.1:{port}/t"
        root = vault_with(make_vault, f"  - {url}\n")
        result = send(root)
        assert result.exit_code == 1
        assert result.stderr == (
            f"Error: digest not sent to {url}: http://127.0.0.1:{port}/t answered 502 "
            "Bad Gateway: upstream down\n"
        )
        assert sent.load(root) == {}
        seen.status = 200
        assert send(root).exit_code == 0
        assert len(seen.requests) == 2


def test_one_destination_failing_does_not_stop_the_others(make_vault: MakeVault) -> None:
    closed = free_port()
    with http_server() as (port, seen):
        good = f"ntfy://127.0.0.1:{port}/t"
        bad = f"ntfy://127.0.0.1:{closed}/t"
        root = vault_with(make_vault, f"  - {bad}\n  - {good}\n")
        result = send(root)
        assert result.exit_code == 1
        assert result.stdout == f"Sent to {good}\n"
        assert f"Error: digest not sent to {bad}: cannot reach http://127.0.0.1:{closed}/t:" \
            in result.stderr
        assert len(seen.requests) == 1
        # next time only the one that failed is sent again
        assert send(root).exit_code == 1
        assert len(seen.requests) == 1


# --- Apprise -------------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:'imghdr' is deprecated:DeprecationWarning")
def test_any_other_url_goes_through_apprise(make_vault: MakeVault) -> None:
    pytest.importorskip("apprise")
    with http_server() as (port, seen):
        root = vault_with(make_vault, f"  - json://127.0.0.1:{port}/hook\n")
        result = send(root)
        assert result.exit_code == 0, result.output
        (request,) = seen.requests
    body = json.loads(request["body"])
    assert body["title"] == "vaultcrm: 2 people are due today"
    assert body["message"].startswith("## Reflections due, Monday 23 November 2026")


def test_without_apprise_other_urls_name_the_extra(make_vault: MakeVault, tmp_path: Path) -> None:
    root = vault_with(make_vault, "  - tgram://123:abc/456\n")
    code = (
        "import sys; sys.modules['apprise'] = None; sys.argv = ['vaultcrm'] + sys.argv[1:];"
        "from vaultcrm.cli import main; main()"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, "digest", "--send", "--vault", str(root), "--today", TODAY],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "VAULTCRM_DEBUG": "0"},
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "Error: digest not sent to tgram://123:…: tgram:// needs Apprise: "
        "pip install 'vaultcrm[notify]' (smtp://, smtps://, ntfy:// and ntfys:// need "
        "nothing extra)"
    )


def test_nobody_due_sends_nothing_unless_always(make_vault: MakeVault) -> None:
    with http_server() as (port, seen):
        url = f"ntfy://127.0.0.1:{port}/t"
        root = make_vault({"People/Ann Lee.md": "- 2026-11-20 Tea\n",
                           "vaultcrm.yaml": f"notify: ['{url}']\n"})  # fmt: skip
        result = send(root)
        assert result.exit_code == 0
        assert result.stdout == f"Nobody is due for {url}: not sent (--always sends anyway)\n"
        assert seen.requests == []
        assert send(root, "--always").exit_code == 0
        assert seen.requests[0]["headers"]["Title"] == "vaultcrm: nobody is due today"


def test_send_json_says_what_became_of_each_destination(make_vault: MakeVault) -> None:
    closed = free_port()
    with http_server() as (port, _seen):
        good, bad = f"ntfy://127.0.0.1:{port}/t", f"ntfy://127.0.0.1:{closed}/t"
        root = vault_with(make_vault, f"  - {good}\n  - {bad}\n")
        result = send(root, "--json")
        assert result.exit_code == 1
        data = json.loads(result.stdout)
        assert data["sent"][0] == {"destination": good, "sent": True, "new": 2, "error": None,
                                   "skipped": None}  # fmt: skip
        assert data["sent"][1]["sent"] is False
        assert data["sent"][1]["error"].startswith(f"cannot reach http://127.0.0.1:{closed}/t")
        again = json.loads(send(root, "--json").stdout)
        assert again["sent"][0] == {"destination": good, "sent": False, "new": 0, "error": None,
                                    "skipped": "nothing new"}  # fmt: skip
