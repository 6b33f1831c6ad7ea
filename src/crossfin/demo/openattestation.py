"""The demo's imported OpenAttestation invoice: bank1 imports a wrapped TradeTrust invoice.

It goes through `importing.import_invoice`, the function behind
`POST /v1/openattestation/import`. The invoice is dated 2026-10-12; a private
fingerprint has no deadline, so the date only has to look plausible. Idempotent: a second
load finds the bank's own registration and adds nothing.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from crossfin.core.secrets import ensure_platform_secret, platform_secret
from crossfin.core.settings import Settings
from crossfin.documents.access.fingerprints import FingerprintKeys
from crossfin.documents.openattestation.importing import import_invoice
from crossfin.ledger.uow import UnitOfWork

BANK_USER = "bank1.operator"


def load_openattestation(uow: UnitOfWork, data_dir: Path) -> int:
    """Import the demo invoice as bank1 unless it already did; returns 1 if imported."""
    from crossfin.demo.financings import _People

    settings = Settings(data_dir=data_dir)
    ensure_platform_secret(settings)  # as the app does at start: the fingerprint keys need it
    secret = platform_secret(settings)
    raw = files("crossfin.demo").joinpath("data/openattestation-invoice.json").read_bytes()
    bank = _People(uow)(BANK_USER)
    with uow.acting_as(bank.actor):
        _, receipt = import_invoice(uow, FingerprintKeys.derive(secret), bank, raw, "USD")
    return 0 if receipt is None else 1
