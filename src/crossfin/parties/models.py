"""Parties: jurisdictions, organizations, principals and their API keys."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from crossfin.core.db import Base, UTCDateTime


class OrgKind(StrEnum):
    ENTERPRISE = "enterprise"
    BANK = "bank"
    REGULATOR = "regulator"
    CUSTOMS = "customs"
    TAX = "tax"
    INSURER = "insurer"
    LOGISTICS = "logistics"
    # A data provider relaying foreign customs authorities' declarations (P4).
    OVERSEAS_CUSTOMS = "overseas_customs"
    OPERATOR = "operator"


class Role(StrEnum):
    ADMIN = "admin"
    OPERATOR = "operator"
    APPROVER = "approver"
    AUDITOR = "auditor"


class PrincipalKind(StrEnum):
    USER = "user"
    SERVICE = "service"


class TradeClass(StrEnum):
    A = "A"
    B = "B"
    C = "C"


class EnterpriseSize(StrEnum):
    """China's SME classification of an enterprise (by staff and revenue, 2011 rules)."""

    MICRO = "micro"
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"


SME_SIZES = frozenset({EnterpriseSize.MICRO, EnterpriseSize.SMALL, EnterpriseSize.MEDIUM})


class Jurisdiction(Base):
    """A GB/T 2260 division (or the head-office root) with its materialised path."""

    __tablename__ = "jurisdictions"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    parent_code: Mapped[str | None] = mapped_column(
        String(6), ForeignKey("jurisdictions.code"), nullable=True
    )
    level: Mapped[str] = mapped_column(String(12))
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    # "/000000/440000/440300/440305/": a subtree is a prefix match, on both engines. A path
    # never changes, not even at retirement: records copy it, and must keep resolving.
    path: Mapped[str] = mapped_column(String(64), unique=True)
    # Set when an edition dropped the division (the edition's name, e.g. "2023"); the row
    # stays so that firms and records seated here still resolve. `successor_code` is the
    # division that took its territory over, if one did.
    retired: Mapped[str | None] = mapped_column(String(16), nullable=True)
    successor_code: Mapped[str | None] = mapped_column(String(6), nullable=True)


class JurisdictionChange(Base):
    """One change an edition brought (`crossfin jurisdictions update`): the history of a code.

    `kind` is added, renamed, retired or restored; a rename keeps the names before it here.
    """

    __tablename__ = "jurisdiction_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(6), ForeignKey("jurisdictions.code"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    edition: Mapped[str] = mapped_column(String(64))
    name_zh_before: Mapped[str | None] = mapped_column(String(100), nullable=True)
    name_en_before: Mapped[str | None] = mapped_column(String(100), nullable=True)
    successor_code: Mapped[str | None] = mapped_column(String(6), nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class Organization(Base):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    name: Mapped[str] = mapped_column(String(200))
    name_zh: Mapped[str | None] = mapped_column(String(200), nullable=True)
    uscc: Mapped[str | None] = mapped_column(String(18), unique=True, nullable=True)
    bic: Mapped[str | None] = mapped_column(String(11), unique=True, nullable=True)
    customs_code: Mapped[str | None] = mapped_column(String(4), nullable=True)
    # Enterprises: their county; regulators: the node they supervise; others: optional seat.
    jurisdiction_code: Mapped[str | None] = mapped_column(
        String(6), ForeignKey("jurisdictions.code"), nullable=True, index=True
    )
    jurisdiction_path: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    trade_class: Mapped[str | None] = mapped_column(String(1), nullable=True)
    # Enterprises: micro, small, medium or large (China's SME classification); None unknown.
    size: Mapped[str | None] = mapped_column(String(8), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # A regulator's dispatched office (派出机构), seated at one county: the regulator it
    # answers to, whose subtree holds the county (parties/offices.py); a bank branch: its
    # head office (parties/branches.py). None otherwise.
    parent_org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id"), nullable=True, index=True
    )

    __table_args__ = (
        CheckConstraint("trade_class IS NULL OR trade_class IN ('A','B','C')", name="class"),
        CheckConstraint("size IS NULL OR size IN ('micro','small','medium','large')", name="size"),
        # One dispatched office per county, so that "who handles this county" has one
        # answer even when two are onboarded at once. Regulators only: a bank branch names
        # its head office as parent too, and several branches may share a county.
        Index(
            "uq_organizations_dispatched_seat",
            "jurisdiction_code",
            unique=True,
            sqlite_where=text("parent_org_id IS NOT NULL AND kind = 'regulator'"),
            postgresql_where=text("parent_org_id IS NOT NULL AND kind = 'regulator'"),
        ),
    )


class BankJurisdiction(Base):
    """A jurisdiction node a bank serves (its subtree)."""

    __tablename__ = "bank_jurisdictions"

    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    code: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"), primary_key=True)


class Principal(Base):
    """A user (a person, with a password for the portal) or a service account."""

    __tablename__ = "principals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(100))
    # Set for users only: people log in by username alone, so it is unique platform-wide.
    username: Mapped[str | None] = mapped_column(String(100), unique=True, nullable=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # Where notifications are mailed (parties/notifications); None: the portal inbox only.
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("org_id", "kind", "name", name="uq_principals_org_kind_name"),
    )


class ApiKey(Base):
    """An API key `cf_<id>_<secret>`: looked up by id, the secret kept only as a hash."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    principal_id: Mapped[int] = mapped_column(ForeignKey("principals.id"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class LoginFailure(Base):
    """One failed portal login, counted against a throttle key for 15 minutes.

    In the database rather than in memory so that every API worker counts the same
    failures: with N workers and connections spread over them, per-process counters gave a
    guesser N times the attempts. The key is a SHA-256 of the counter's scope and subject
    (a username and/or an address), so the table keeps no names or addresses in clear.
    """

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class PortalLogin(Base):
    """A portal login that is still open: the session cookie names it by the SHA-256 of a
    random token, and logging out deletes it, so a copy of the cookie taken before the
    logout no longer works. Rows older than a session's lifetime are deleted at logins."""

    __tablename__ = "portal_logins"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    principal_id: Mapped[int] = mapped_column(ForeignKey("principals.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
