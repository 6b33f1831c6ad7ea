"""One typed settings object, read from CROSSFIN_* variables and an optional .env file."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

_URL_PASSWORD = re.compile(r"(://[^:/@]+:)([^@]+)(@)")


def mask_url(url: str) -> str:
    """Hide the password part of a database URL, for logs and repr."""
    return _URL_PASSWORD.sub(r"\1***\3", url)


class Settings(BaseSettings):
    """Everything an operator can set; no engine or file is touched at import time."""

    model_config = SettingsConfigDict(env_prefix="CROSSFIN_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///./crossfin.db"
    # A PostgreSQL standby for reads that may be slightly stale (core/replica.py), and how
    # far behind the primary it may be before those reads go to the primary instead.
    read_database_url: str | None = None
    read_max_lag_seconds: float = 2.0
    data_dir: Path = Path("./data")
    host: str = "127.0.0.1"
    port: int = 8000
    log_origin: str = "crossfin.local/log"
    log_public: bool = False
    checkpoint_interval: float = 1.0
    witness_urls: list[str] = Field(default_factory=list)
    witness_keys: list[str] = Field(default_factory=list)
    witness_quorum: int = 0
    idempotency_hours: int = 24
    # Financing: a registered reservation lapses after this unless approved; each API
    # process sweeps expired reservations and overdue loans every N seconds (0: never).
    reservation_hours: int = 72
    financing_sweep_seconds: float = 60.0
    # Registrations of one process share transactions (group commit, financing/combiner.py).
    financing_group_commit: bool = True
    # PostgreSQL: single-event writers are merged into one ledger commit by the integrator
    # (ledger/integrator.py, docs/ledger.md "design (b)"); off: each takes the head lock.
    ledger_group_commit: bool = True
    session_secret: SecretStr | None = None
    log_level: str = "INFO"
    secure_cookies: bool = False
    # Mismatches per document, bank and UTC day before a regulator alert (docs/documents-access.md).
    verify_mismatch_limit: int = 3
    # Requests per API key and route class in each window, shared by every worker
    # (parties/security/ratelimit.py, docs/operations.md "Rate limits"); 0: no limit.
    rate_limit_window_seconds: int = Field(default=60, ge=1, le=3600)
    rate_limit_read: int = Field(default=30_000, ge=0)
    rate_limit_write: int = Field(default=6_000, ge=0)
    rate_limit_registration: int = Field(default=60_000, ge=0)
    rate_limit_bulk: int = Field(default=600, ge=0)
    # E-mail of notifications (docs/notifications.md). No host or no From: mail stays
    # queued. The password is read from a file (chmod 600), never from the environment.
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    smtp_username: str | None = None
    smtp_password_file: Path | None = None
    smtp_from: str | None = None
    # A private CA's certificates (PEM) to trust for the server, besides the system's.
    smtp_ca_file: Path | None = None
    smtp_timeout_seconds: float = Field(default=30.0, gt=0, le=600)
    # The server's background sender (0: never; `crossfin notifications send` still works).
    mail_send_seconds: float = Field(default=30.0, ge=0)
    mail_max_attempts: int = Field(default=8, ge=1, le=50)
    # Where the portal is reached, for links in mail ("https://crossfin.example.cn").
    portal_url: str = ""

    def __repr__(self) -> str:
        fields = self.model_dump()
        fields["database_url"] = mask_url(self.database_url)
        if self.read_database_url:
            fields["read_database_url"] = mask_url(self.read_database_url)
        fields["session_secret"] = "***" if self.session_secret else None
        inner = ", ".join(f"{k}={v!r}" for k, v in fields.items())
        return f"Settings({inner})"

    __str__ = __repr__

    @property
    def log_key_path(self) -> Path:
        return self.data_dir / "log.key"

    @property
    def secret_path(self) -> Path:
        return self.data_dir / "platform.secret"
