"""The data directory and the platform secret (sessions, fingerprints), private to the owner."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from crossfin.core.settings import Settings


def ensure_data_dir(settings: Settings) -> Path:
    """Create the data directory, private to its owner."""
    settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    return settings.data_dir


def ensure_platform_secret(settings: Settings) -> bool:
    """Create the platform secret (sessions, fingerprints) if missing; True if created."""
    path = settings.secret_path
    if path.exists():
        return False
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(32) + "\n")
    return True


def platform_secret(settings: Settings) -> bytes:
    """The platform secret, refusing a file that others can read."""
    if settings.session_secret is not None:
        return settings.session_secret.get_secret_value().encode()
    path = settings.secret_path
    if path.stat().st_mode & 0o077:
        raise RuntimeError(f"{path} must not be readable by group or others (chmod 600)")
    return bytes.fromhex(path.read_text().strip())


def smtp_password(settings: Settings) -> str | None:
    """The SMTP password from `smtp_password_file`, refusing a file others can read."""
    path = settings.smtp_password_file
    if path is None:
        return None
    if path.stat().st_mode & 0o077:
        raise RuntimeError(f"{path} must not be readable by group or others (chmod 600)")
    # One line; the trailing newline an editor adds is not part of the password.
    return path.read_text(encoding="utf-8").rstrip("\r\n")
