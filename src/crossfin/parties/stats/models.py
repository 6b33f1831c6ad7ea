"""The statistics tables: additive cells per county and month, and the enterprises served.

A cell sums one measure over the records that share its dimensions. The dimensions use
sentinels, never NULL ('' for no text value, 0 for no bank), so that the unique key holds
on both engines and an upsert finds its row. `county_path` is the materialised path of the
record's county (`/000000/440000/440300/440305/`), so a subtree is a prefix and a province
or prefecture is a fixed-length prefix of it (8 + 7 per level characters).

Distinct enterprises are not additive across cells, so `stats_served` keeps one row per
enterprise within the same dimensions (less the currency): counting its ids answers
"distinct enterprises served", and summing its USD answers "top enterprises".
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import BigInteger, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crossfin.core.db import Base


class Measure(StrEnum):
    """What a cell counts (and sums, where the records carry an amount)."""

    REGISTERED = "registered"  # financings registered (flow, month registered)
    DISBURSED = "disbursed"  # of those, disbursed (amount disbursed)
    OUTSTANDING = "outstanding"  # of those, still owed now (disbursed - repaid)
    OVERDUE = "overdue"  # of those, overdue now (amount still owed)
    FACILITATED = "facilitated"  # payments paid (flow, month of value date)
    VERIFIED = "verified"  # document verifications answered (any outcome)
    MISMATCHED = "mismatched"  # of those, mismatches
    REFUSED = "refused"  # attempts refused by a rule (duplicate, over-financing, class...)
    CHECK_PASSED = "check_passed"  # P4 offshore checks that passed
    CHECK_FAILED = "check_failed"  # P4 offshore checks that failed


class StatCell(Base):
    __tablename__ = "stats_cells"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_path: Mapped[str] = mapped_column(String(64))
    month: Mapped[str] = mapped_column(String(7))  # "YYYY-MM", China's calendar
    scenario: Mapped[str] = mapped_column(String(16))  # F1..F8, P1..P4, '' for none
    currency: Mapped[str] = mapped_column(String(3))  # ISO 4217, '' for none
    trade_class: Mapped[str] = mapped_column(String(1))  # A/B/C, '' for none
    bank_org_id: Mapped[int] = mapped_column(Integer)  # 0 for none
    measure: Mapped[str] = mapped_column(String(24))
    count: Mapped[int] = mapped_column(BigInteger, default=0)
    amount_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    usd_minor: Mapped[int] = mapped_column(BigInteger, default=0)

    __table_args__ = (
        UniqueConstraint(
            "county_path",
            "month",
            "scenario",
            "currency",
            "trade_class",
            "bank_org_id",
            "measure",
        ),
        Index("ix_stats_cells_month", "month", "measure"),
    )


class StatServed(Base):
    __tablename__ = "stats_served"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_path: Mapped[str] = mapped_column(String(64))
    month: Mapped[str] = mapped_column(String(7))
    scenario: Mapped[str] = mapped_column(String(16))
    trade_class: Mapped[str] = mapped_column(String(1))
    bank_org_id: Mapped[int] = mapped_column(Integer)
    org_id: Mapped[int] = mapped_column(Integer, index=True)
    # Records that served the enterprise here (financings registered, payments paid): the
    # row counts while this is above zero.
    count: Mapped[int] = mapped_column(BigInteger, default=0)
    usd_minor: Mapped[int] = mapped_column(BigInteger, default=0)

    __table_args__ = (
        UniqueConstraint(
            "county_path", "month", "scenario", "trade_class", "bank_org_id", "org_id"
        ),
        Index("ix_stats_served_month", "month"),
    )
