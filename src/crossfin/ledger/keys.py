"""The log's signing key on disk (0600), named after the log's origin."""

from __future__ import annotations

from crossfin.core.settings import Settings
from crossfin.ledger.note import Signer, generate_signer, read_key_file, write_key_file


def ensure_log_key(settings: Settings) -> bool:
    """Create the log signing key named after the origin if missing; True if created."""
    path = settings.log_key_path
    if path.exists():
        return False
    skey, _ = generate_signer(settings.log_origin)
    write_key_file(path, skey)
    return True


def log_signer(settings: Settings) -> Signer:
    """The log's signer; its name must equal the configured origin."""
    signer = Signer.from_skey(read_key_file(settings.log_key_path))
    if signer.name != settings.log_origin:
        raise RuntimeError(
            f"log key is named {signer.name!r} but the origin is {settings.log_origin!r}"
        )
    return signer
