"""Private fingerprints of papers banks bring themselves: seen before, and by how many.

Only keyed hashes are stored: HMAC-SHA-256 under sub-keys derived from the platform
secret, so a copy of the database alone cannot test a guessed invoice against them.
A bank learns whether the same paper (exact) or an altered copy (near-duplicate) was
registered before, and by how many other registrations, never by whom.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crossfin.core.canonical import canonical_json
from crossfin.core.clock import utcnow
from crossfin.core.errors import FieldError, ValidationFailed, invalid
from crossfin.core.money import currency_exponent
from crossfin.documents.access.fingerprint_norm import PaperFields, exact_form, near_forms
from crossfin.documents.access.models import Fingerprint, FingerprintVariant
from crossfin.documents.adapters import AdapterError
from crossfin.documents.adapters.ubl import UblInvoice, parse_invoice
from crossfin.ledger.events import EventType
from crossfin.ledger.journal import Receipt
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import Caller, require_kind
from crossfin.parties.models import OrgKind


@dataclass(frozen=True)
class FingerprintKeys:
    """Three independent sub-keys of the platform secret, one per use."""

    exact: bytes
    near: bytes
    presenter: bytes

    @classmethod
    def derive(cls, secret: bytes) -> FingerprintKeys:
        """Derive the sub-keys as HMAC(secret, label): none equals the session key."""

        def sub(label: str) -> bytes:
            return hmac.new(
                secret, f"crossfin/fingerprints/v1/{label}".encode(), hashlib.sha256
            ).digest()

        return cls(sub("exact"), sub("near"), sub("presenter"))


@dataclass(frozen=True)
class Prints:
    exact: bytes
    variants: list[bytes]


@dataclass(frozen=True)
class CheckResult:
    seen_before: bool
    near_duplicate: bool
    presentations: int
    near_duplicates: int
    registered: bool
    already_registered: bool
    fingerprint: str
    nonce: str | None = None


def compute(keys: FingerprintKeys, paper: PaperFields) -> Prints:
    """The exact fingerprint and the near-duplicate fingerprints of `paper`."""
    try:
        currency_exponent(paper.currency.strip().upper())
    except ValueError as exc:
        raise invalid("currency", str(exc)) from None
    try:
        exact_doc = exact_form(paper)
        forms = near_forms(paper)
    except ValueError as exc:
        raise invalid("amount", str(exc)) from None
    exact = hmac.new(keys.exact, canonical_json(exact_doc), hashlib.sha256).digest()
    variants = [
        hmac.new(keys.near, canonical_json(form), hashlib.sha256).digest() for form in forms
    ]
    return Prints(exact, sorted(set(variants)))


def presenter_tag(keys: FingerprintKeys, bank_org_id: int, exact: bytes) -> bytes:
    """The bank's tag for one paper: recognisable by the platform, unlinkable in the DB."""
    return hmac.new(
        keys.presenter, str(bank_org_id).encode() + b"\0" + exact, hashlib.sha256
    ).digest()


def _near_count(session: Session, prints: Prints) -> int:
    query = (
        select(func.count(func.distinct(FingerprintVariant.presenter)))
        .join(Fingerprint, Fingerprint.presenter == FingerprintVariant.presenter)
        .where(FingerprintVariant.variant.in_(prints.variants), Fingerprint.exact != prints.exact)
    )
    return int(session.scalar(query) or 0)


def check(
    session: Session, keys: FingerprintKeys, caller: Caller, paper: PaperFields
) -> CheckResult:
    """Compare the paper with every registration; the caller's own exact copy is not counted."""
    require_kind(caller, OrgKind.BANK)
    prints = compute(keys, paper)
    mine = presenter_tag(keys, caller.org_id, prints.exact)
    others = (
        select(func.count())
        .select_from(Fingerprint)
        .where(Fingerprint.exact == prints.exact, Fingerprint.presenter != mine)
    )
    presentations = int(session.scalar(others) or 0)
    near = _near_count(session, prints)
    own = session.get(Fingerprint, mine) is not None
    return CheckResult(
        seen_before=presentations > 0,
        near_duplicate=near > 0,
        presentations=presentations,
        near_duplicates=near,
        registered=False,
        already_registered=own,
        fingerprint=prints.exact.hex(),
    )


def register(
    uow: UnitOfWork,
    keys: FingerprintKeys,
    caller: Caller,
    paper: PaperFields,
    extra: Mapping[str, Any] | None = None,
) -> tuple[CheckResult, Receipt | None]:
    """Check, then store the paper's fingerprints (once per bank and paper) with an event.

    The event's content holds the exact fingerprint and a random nonce, both returned to
    the bank only: the ledger's digest then matches no stored row by recomputation.
    `extra` adds to that content (an imported OpenAttestation document's merkleRoot and
    targetHash), committed to by the digest and stored nowhere else.
    """
    result = check(uow.session, keys, caller, paper)
    if result.already_registered:
        return result, None
    prints = compute(keys, paper)
    tag = presenter_tag(keys, caller.org_id, prints.exact)
    uow.session.add(Fingerprint(presenter=tag, exact=prints.exact, registered_on=utcnow().date()))
    uow.session.flush()
    uow.session.add_all(FingerprintVariant(presenter=tag, variant=v) for v in prints.variants)
    nonce = secrets.token_hex(16)
    receipt = uow.record(
        EventType.FINGERPRINT_REGISTERED,
        subjects={},
        content={**(extra or {}), "fingerprint": prints.exact.hex(), "nonce": nonce},
    )
    registered = CheckResult(**{**result.__dict__, "registered": True, "nonce": nonce})
    return registered, receipt


def _party_name(invoice: UblInvoice, party: str) -> str | None:
    return next(
        (
            name
            for tail in (
                "cac:Party/cac:PartyLegalEntity/cbc:RegistrationName",
                "cac:Party/cac:PartyName/cbc:Name",
            )
            if (name := invoice.text(f"{party}/{tail}"))
        ),
        None,
    )


def fingerprint_fields_from_ubl(xml: str | bytes) -> PaperFields:
    """A UBL 2.x Invoice's number, parties, payable amount and issue date (parsed safely)."""
    try:
        invoice = parse_invoice(xml)
    except AdapterError as exc:
        raise invalid("ubl", exc.reason) from None
    amount = invoice.find("cac:LegalMonetaryTotal/cbc:PayableAmount")
    values = {
        "number": invoice.text("cbc:ID"),
        "issue_date": invoice.text("cbc:IssueDate"),
        "seller": _party_name(invoice, "cac:AccountingSupplierParty"),
        "buyer": _party_name(invoice, "cac:AccountingCustomerParty"),
        "amount": invoice.text("cac:LegalMonetaryTotal/cbc:PayableAmount"),
        "currency": (amount.get("currencyID") if amount is not None else None)
        or invoice.text("cbc:DocumentCurrencyCode"),
    }
    missing = [
        FieldError(f"ubl.{k}", "not found in the invoice")
        for k, v in values.items()
        if not (v and v.strip())
    ]
    if missing:
        raise ValidationFailed(missing)
    try:
        issued = date.fromisoformat((values["issue_date"] or "").strip())
    except ValueError:
        raise invalid("ubl.issue_date", "not an ISO date") from None
    return PaperFields(
        document_type="commercial_invoice",
        number=values["number"] or "",
        seller=values["seller"] or "",
        buyer=values["buyer"] or "",
        amount=(values["amount"] or "").strip(),
        currency=(values["currency"] or "").strip(),
        issue_date=issued,
    )
