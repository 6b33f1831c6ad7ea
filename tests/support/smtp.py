"""A real SMTP server for tests (aiosmtpd on 127.0.0.1), optionally refusing, with TLS or
login, and the settings that point crossfin at it."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from crossfin.core.settings import Settings

USERNAME = "crossfin-mailer"
# ASCII: smtplib sends AUTH credentials as ASCII only (docs/notifications.md).
PASSWORD = "s3cret-Password-42"
SENDER = "crossfin <noreply@crossfin.example.cn>"


@dataclass
class Inbox:
    """What the server received, and how it answers DATA (None: accept)."""

    messages: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)
    refuse_with: str | None = None
    refuse_rcpt: set[str] = field(default_factory=set)
    logins: list[str] = field(default_factory=list)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.refuse_rcpt:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse_with is not None:
            return self.refuse_with
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Server:
    inbox: Inbox
    port: int
    ca_file: Path | None = None


@contextmanager
def smtp_server(
    *, tls: str | None = None, login: bool = False, certs: Path | None = None
) -> Iterator[Server]:
    """An SMTP server on 127.0.0.1; `tls` "starttls" or "tls" (certs written to `certs`),
    `login` requiring USERNAME and PASSWORD."""
    inbox = Inbox()
    kwargs: dict[str, Any] = {}
    ca_file = None
    if tls:
        assert certs is not None
        context, ca_file = _server_context(certs)
        kwargs["ssl_context" if tls == "tls" else "tls_context"] = context
        if tls == "starttls":
            kwargs["require_starttls"] = True
    if login:
        kwargs |= {"authenticator": _authenticator(inbox), "auth_required": True}
        # aiosmtpd counts only STARTTLS as TLS for AUTH, not a connection that began in TLS.
        kwargs["auth_require_tls"] = tls == "starttls"
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    try:
        yield Server(inbox, port, ca_file)
    finally:
        controller.stop()


def _authenticator(inbox: Inbox) -> Any:
    def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = (
            isinstance(data, LoginPassword)
            and data.login.decode() == USERNAME
            and data.password.decode() == PASSWORD
        )
        if ok:
            inbox.logins.append(USERNAME)
        return AuthResult(success=ok, handled=False)

    return check


def _server_context(directory: Path) -> tuple[ssl.SSLContext, Path]:
    """A self-signed certificate for 127.0.0.1: the server's context and the CA file."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "smtp.pem", directory / "smtp.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return context, cert_file


def mail_settings(settings: Settings, server: Server, **overrides: Any) -> Settings:
    """`settings` pointed at `server` (plain SMTP unless overridden)."""
    values: dict[str, Any] = {
        "smtp_host": "127.0.0.1",
        "smtp_port": server.port,
        "smtp_security": "none",
        "smtp_from": SENDER,
        "smtp_timeout_seconds": 5.0,
        "portal_url": "https://crossfin.example.cn",
        "smtp_ca_file": server.ca_file,
    }
    values.update(overrides)
    return settings.model_copy(update=values)


def password_file(directory: Path, mode: int = 0o600) -> Path:
    path = directory / "smtp.password"
    path.write_text(PASSWORD + "\n", encoding="utf-8")
    path.chmod(mode)
    return path
