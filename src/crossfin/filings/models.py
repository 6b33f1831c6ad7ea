"""Filings tables: form definitions as data, filings, their versions, attachments and steps.

A form definition and a filing's content are stored as canonical JSON text (RFC 8785)
with the SHA-256 of those bytes, so what is read back is byte for byte what was digested.
docs/filings.md, "Filings: forms, versions, workflow, visibility".
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from crossfin.core.db import Base, UTCDateTime


class FilingForm(Base):
    """One version of a form: what a filing of this code holds and how it is handled."""

    __tablename__ = "filing_forms"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), index=True)
    version: Mapped[int] = mapped_column(Integer)
    # risk_report | statistics | licence: the system whose checks read `definition`.
    system: Mapped[str] = mapped_column(String(16))
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    # Canonical JSON of whatever the system's content schema needs; opaque here.
    definition: Mapped[str] = mapped_column(Text)
    definition_sha256: Mapped[str] = mapped_column(String(64))
    # JSON list of media types; empty means attachments are not taken.
    media_types: Mapped[str] = mapped_column(Text)
    max_bytes: Mapped[int] = mapped_column(BigInteger)
    max_count: Mapped[int] = mapped_column(Integer)
    deadline_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # What starts the clock: created | submitted | accepted | given (a date the filer names).
    clock_starts: Mapped[str] = mapped_column(String(16))
    effective_from: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("code", "version", name="uq_filing_forms_code_version"),)


class Filing(Base):
    """One filing of one form by one organization, and where it stands."""

    __tablename__ = "filings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(48), unique=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("filing_forms.id"), index=True)
    form_code: Mapped[str] = mapped_column(String(32), index=True)
    form_version: Mapped[int] = mapped_column(Integer)
    filer_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    # The filer's head office (the filer itself when it has no parent): its users read it.
    chain_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    # Whose regulators supervise it; a prefix match on the regulator's subtree.
    jurisdiction_path: Mapped[str] = mapped_column(String(64), index=True)
    period: Mapped[str | None] = mapped_column(String(16), nullable=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    current_version: Mapped[int] = mapped_column(Integer)
    acknowledgement: Mapped[str | None] = mapped_column(String(48), nullable=True, unique=True)
    outcome: Mapped[str | None] = mapped_column(String(32), nullable=True)
    reasons: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The deadline clock (filings/deadlines.py reads them): JSON [[start, end|null], ...].
    clock_started: Mapped[date | None] = mapped_column(Date, nullable=True)
    clock_pauses: Mapped[str] = mapped_column(Text, default="[]")
    clock_extension: Mapped[int] = mapped_column(Integer, default=0)
    # Licences (filings/licences/): the second clock, review and decision, starts at
    # acceptance; the decision's public verification code.
    review_started: Mapped[date | None] = mapped_column(Date, nullable=True)
    verification_code: Mapped[str | None] = mapped_column(String(32), nullable=True, unique=True)
    # The business day it was decided, closed or withdrawn: its deadlines are judged then.
    finished_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_by_principal_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class FilingVersion(Base):
    """One content version of a filing; a correction adds one, none is ever changed."""

    __tablename__ = "filing_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    filing_id: Mapped[int] = mapped_column(ForeignKey("filings.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(Text)
    content_sha256: Mapped[str] = mapped_column(String(64))
    # JSON {location: text}: the filer's explanations of the warnings this version raised.
    explanations: Mapped[str] = mapped_column(Text, default="{}")
    principal_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    principal_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("filing_id", "number", name="uq_filing_versions_filing_number"),
    )


class FilingAttachment(Base):
    """A file attached to one version of a filing: its bytes and their SHA-256."""

    __tablename__ = "filing_attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    filing_id: Mapped[int] = mapped_column(ForeignKey("filings.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    # The required material this file is (a licence form's `materials` code), if any.
    material: Mapped[str | None] = mapped_column(String(32), nullable=True)
    principal_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class FilingStep(Base):
    """One step of a filing's workflow, with the ledger event that recorded it."""

    __tablename__ = "filing_steps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    filing_id: Mapped[int] = mapped_column(ForeignKey("filings.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    from_state: Mapped[str | None] = mapped_column(String(16), nullable=True)
    to_state: Mapped[str] = mapped_column(String(16))
    org_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    principal_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    principal_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    event_id: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
