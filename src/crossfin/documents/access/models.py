"""Tables of the registry's access side: consents, verifications, private fingerprints.

None of these tables holds a document's content: verifications name a document by id
(or by the kind and key a bank claimed, when no such document exists), and fingerprint
tables hold only keyed HMACs.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from crossfin.core.db import Base, UTCDateTime


class Consent(Base):
    """An enterprise lets one named bank read some of its records until `expires_at`."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    bank_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    # Space-separated, sorted scope names: document kinds and/or "credit_profile".
    scopes: Mapped[str] = mapped_column(String(400))
    purpose: Mapped[str | None] = mapped_column(String(200), nullable=True)
    granted_by: Mapped[int] = mapped_column(ForeignKey("principals.id"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_by: Mapped[int | None] = mapped_column(ForeignKey("principals.id"), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    __table_args__ = (Index("ix_consents_enterprise_bank", "enterprise_org_id", "bank_org_id"),)

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()


class VerificationRequest(Base):
    """One bulk verification call: its ledger event commits to every item's digest."""

    __tablename__ = "verification_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bank_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    principal_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    items: Mapped[int] = mapped_column(Integer)
    authentic: Mapped[int] = mapped_column(Integer)
    mismatch: Mapped[int] = mapped_column(Integer)
    unknown: Mapped[int] = mapped_column(Integer)
    # RFC 6962 root over the items' leaf hashes (see docs/documents-access.md).
    items_root: Mapped[bytes] = mapped_column(LargeBinary(32))
    event_id: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Verification(Base):
    """One verified item: which bank asked about which document, when, and the outcome."""

    __tablename__ = "verifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("verification_requests.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    bank_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    # None when the claimed (kind, key) names no document ("unknown").
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id"), nullable=True, index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))
    # Space-separated names of the fields that differed (kept even when withheld).
    fields: Mapped[str | None] = mapped_column(Text, nullable=True)
    withheld: Mapped[bool] = mapped_column(default=False)
    # What an authentic answer said of the balance, kept so the bank's result file can
    # be downloaded again exactly as answered.
    remaining_minor: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    currency: Mapped[str | None] = mapped_column(String(3), nullable=True)
    available: Mapped[bool | None] = mapped_column(nullable=True)
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    # For the statistics: the county of the document's enterprise when it was verified
    # ('' for an unknown document or an owner not yet onboarded). Kept on the row, so that
    # what an item counts never depends on another row that may change meanwhile.
    county_path: Mapped[str] = mapped_column(String(64), server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_verifications_bank", "bank_org_id", "id"),)


class MismatchTally(Base):
    """Mismatches per document, bank and UTC day; the row is locked while it is counted."""

    __tablename__ = "verification_tallies"

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), primary_key=True)
    bank_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    mismatches: Mapped[int] = mapped_column(Integer, default=0)
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id"), nullable=True)


class Fingerprint(Base):
    """One bank's registration of a self-supplied paper, as keyed hashes only.

    The key `presenter` is HMAC(k, bank id || exact): it lets the platform recognise the
    same bank re-registering the same paper, yet names no bank, and unlike a sequential
    id or a timestamp it gives nothing to line rows up with the ledger's events.
    """

    __tablename__ = "fingerprints"

    presenter: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    exact: Mapped[bytes] = mapped_column(LargeBinary(32), index=True)
    # Day only, for the same reason.
    registered_on: Mapped[date] = mapped_column(Date)


class FingerprintVariant(Base):
    """A near-duplicate fingerprint of a registration (several per registration)."""

    __tablename__ = "fingerprint_variants"

    presenter: Mapped[bytes] = mapped_column(ForeignKey("fingerprints.presenter"), primary_key=True)
    variant: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)

    __table_args__ = (Index("ix_fingerprint_variants_variant", "variant"),)
