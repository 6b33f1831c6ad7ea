"""The statistics tables: additive cells per county and month, and the enterprises served.

A cell sums one measure over the records that share its dimensions. The dimensions use
sentinels, never NULL ('' for no text value, 0 for no bank), so that the unique key holds
on both engines and an upsert finds its row. `county_path` is the materialised path of the
record's county (`/000000/440000/440300/440305/`), so a subtree is a prefix and a province
or prefecture is a fixed-length prefix of it (8 + 7 per level characters).

Distinct enterprises are not additive across cells, so `stats_served` keeps one row per
enterprise within the same dimensions (less the currency): counting its ids answers
"distinct enterprises served", and summing its USD answers "top enterprises".

The rollups answer most queries without reading the fine tables (a head-office view would
sum most of them): `stats_rollups` sums the cells per area of the root, each province and
each prefecture (a county's cells are its own rollup) without the currency and bank,
`stats_cell_rollups` with them for the root and the provinces, `stats_reach` counts the
enterprises served so that any range of months is a sum, and `stats_enterprise_totals`
bounds the top enterprises (each class says more).
A row's `depth` says the level (0 the root, 1 a province, 2 a prefecture, 3 a county) and
its `area_path` is the cell's county path cut to that level's length (8, 15, 22, 29
characters): the same `substr` the read side groups the cells by, so both give the same
answers. The depth is part of the key because a path may be shorter than a level's length
(东莞 has no counties: its path is its prefecture's, kept at depth 2 and 3 alike), and a
cell with no county ('') rolls up to the area '' at every depth, as it groups under no
division. `stats_rollups` keeps no amount in the currency: it serves no per-currency query.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import BigInteger, Index, Integer, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crossfin.core.db import Base

# The length of a county path cut to each depth: the root, a province, a prefecture, a
# county (the module's docstring says why a depth, not the path's length, names the level).
DEPTHS = (8, 15, 22, 29)
# The depths `stats_rollups` keeps: not the counties', whose cells are the rollup already
# but for the currency and bank (a county's figures read its cells, a few hundred rows).
ROLLUP_DEPTHS = (0, 1, 2)
# The depths whose figures also keep the currency and the bank (`StatCellRollup`, and the
# reach per bank): the root and the provinces, where a query by bank or currency would
# otherwise sum a large share of the cells.
BANK_DEPTHS = (0, 1)
# The reach's `bank_org_id` for any bank (0 is a served row's "no bank").
ANY_BANK = -1


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
    org_id: Mapped[int] = mapped_column(Integer)
    # Records that served the enterprise here (financings registered, payments paid): the
    # row counts while this is above zero.
    count: Mapped[int] = mapped_column(BigInteger, default=0)
    usd_minor: Mapped[int] = mapped_column(BigInteger, default=0)

    __table_args__ = (
        UniqueConstraint(
            "county_path", "month", "scenario", "trade_class", "bank_org_id", "org_id"
        ),
        Index("ix_stats_served_month", "month"),
        # An enterprise's months: the reach's upkeep and the top enterprises' sums.
        Index("ix_stats_served_org_month", "org_id", "month"),
    )


class StatRollup(Base):
    """The cells summed per area of one level, month, scenario, class and measure."""

    __tablename__ = "stats_rollups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    depth: Mapped[int] = mapped_column(SmallInteger)
    area_path: Mapped[str] = mapped_column(String(64))
    month: Mapped[str] = mapped_column(String(7))
    scenario: Mapped[str] = mapped_column(String(16))
    trade_class: Mapped[str] = mapped_column(String(1))
    measure: Mapped[str] = mapped_column(String(24))
    count: Mapped[int] = mapped_column(BigInteger, default=0)
    usd_minor: Mapped[int] = mapped_column(BigInteger, default=0)

    __table_args__ = (
        UniqueConstraint("depth", "area_path", "month", "scenario", "trade_class", "measure"),
    )


class StatCellRollup(Base):
    """The cells summed per area of the root and of each province (`BANK_DEPTHS`), every
    dimension but the county kept: a query by bank or currency over the country or a
    province reads these instead of most of the cells."""

    __tablename__ = "stats_cell_rollups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    depth: Mapped[int] = mapped_column(SmallInteger)
    area_path: Mapped[str] = mapped_column(String(64))
    month: Mapped[str] = mapped_column(String(7))
    scenario: Mapped[str] = mapped_column(String(16))
    currency: Mapped[str] = mapped_column(String(3))
    trade_class: Mapped[str] = mapped_column(String(1))
    bank_org_id: Mapped[int] = mapped_column(Integer)
    measure: Mapped[str] = mapped_column(String(24))
    count: Mapped[int] = mapped_column(BigInteger, default=0)
    amount_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    usd_minor: Mapped[int] = mapped_column(BigInteger, default=0)

    __table_args__ = (
        UniqueConstraint(
            "depth",
            "area_path",
            "month",
            "scenario",
            "currency",
            "trade_class",
            "bank_org_id",
            "measure",
        ),
    )


class StatReach(Base):
    """The enterprises served, counted so that a distinct count over any range of months
    is a sum: one row per area of one level, class, size, month and *previous* month,
    counting the enterprises served in that area and month whose last month served there
    before it was `previous` ('' for none). Each enterprise active in [a, b] has exactly
    one active month in the range whose previous one lies before a (its first in the
    range), so "distinct enterprises in [a, b]" is the sum of the rows with `month` in
    [a, b] and `previous` < a, and a single month's is the sum of its rows: a few hundred
    rows per area and class, whatever the number of enterprises.

    `scenario` is the scenario served in, or '*' for any; `trade_class` the class served
    under ('' none) or '*' for any (an enterprise
    whose class changed counts once, not once per class); `bank_org_id` the bank served
    by, kept at `BANK_DEPTHS` only, or `ANY_BANK` (every depth); `size` is the
    enterprise's ('' unknown), for the SME share. parties/stats/reach.py keeps it."""

    __tablename__ = "stats_reach"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    depth: Mapped[int] = mapped_column(SmallInteger)
    area_path: Mapped[str] = mapped_column(String(64))
    scenario: Mapped[str] = mapped_column(String(16))
    trade_class: Mapped[str] = mapped_column(String(1))
    bank_org_id: Mapped[int] = mapped_column(Integer)
    size: Mapped[str] = mapped_column(String(8))
    month: Mapped[str] = mapped_column(String(7))
    previous: Mapped[str] = mapped_column(String(7))
    count: Mapped[int] = mapped_column(BigInteger, default=0)

    __table_args__ = (
        UniqueConstraint(
            "depth",
            "area_path",
            "scenario",
            "trade_class",
            "bank_org_id",
            "month",
            "previous",
            "size",
        ),
    )


class StatEnterpriseTotal(Base):
    """What each enterprise was served in all, per path: the bound from which the top
    enterprises of any range are found without summing every enterprise's months
    (supervision/stats/top.py). An enterprise's records all carry its seat's path
    (parties never move), so it has one row."""

    __tablename__ = "stats_enterprise_totals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county_path: Mapped[str] = mapped_column(String(64))
    org_id: Mapped[int] = mapped_column(Integer)
    count: Mapped[int] = mapped_column(BigInteger, default=0)
    usd_minor: Mapped[int] = mapped_column(BigInteger, default=0)

    __table_args__ = (UniqueConstraint("county_path", "org_id"),)
