"""The read side's indexes on the statistics tables (the tables are `parties/stats`').

A regulator below the head office reads a subtree: the cells whose county path starts
with its node's, within a month range. `LIKE 'prefix%'` uses a btree index on PostgreSQL
only with the pattern operator class when the database's collation is not C, hence
`varchar_pattern_ops` (SQLite ignores it). Migration 0019_stats_indexes creates them;
`migrations/metadata.py` imports this module so that the models and migrations agree.
"""

from __future__ import annotations

from sqlalchemy import Index

from crossfin.parties.stats.models import (
    StatCell,
    StatCellRollup,
    StatEnterpriseTotal,
    StatReach,
    StatRollup,
    StatServed,
)

PATTERN = {"county_path": "varchar_pattern_ops"}
CELLS_BY_PATH = Index(
    "ix_stats_cells_path", StatCell.county_path, StatCell.month, postgresql_ops=PATTERN
)
SERVED_BY_PATH = Index(
    "ix_stats_served_path", StatServed.county_path, StatServed.month, postgresql_ops=PATTERN
)

# The rollups are read by depth, then an area's prefix, then months. No index carries
# the sums (`INCLUDE (count, usd_minor)` would let a distinct count be an index-only scan,
# but then every upsert of a hot row, the root's of the month at each commit, changes an
# indexed column: no HOT update, a new index entry each time, and registration paid
# ~40 % more PostgreSQL CPU per request, growing as the index bloated; see
# benchmarks/README.md, "Statistics over HTTP").
ROLLUPS_BY_AREA = Index(
    "ix_stats_rollups_area",
    StatRollup.depth,
    StatRollup.area_path,
    StatRollup.month,
    postgresql_ops={"area_path": "varchar_pattern_ops"},
)
CELL_ROLLUPS_BY_AREA = Index(
    "ix_stats_cell_rollups_area",
    StatCellRollup.depth,
    StatCellRollup.area_path,
    StatCellRollup.month,
    postgresql_ops={"area_path": "varchar_pattern_ops"},
)
# A count reads one bank, one class and one scenario (each any, or one) of an area's rows:
# the per-bank rows, thirty times the others at the root, are skipped by the index.
REACH_BY_AREA = Index(
    "ix_stats_reach_area",
    StatReach.depth,
    StatReach.bank_org_id,
    StatReach.trade_class,
    StatReach.scenario,
    StatReach.area_path,
    StatReach.month,
    postgresql_ops={"area_path": "varchar_pattern_ops"},
)
# The top enterprises read a subtree's totals from the largest down: a small subtree by
# its path; the country or a province sorts its totals (tens of milliseconds for 200,000)
# rather than index the sum, which would make every update of a total a non-HOT one.
TOTALS_BY_PATH = Index(
    "ix_stats_enterprise_totals_path",
    StatEnterpriseTotal.county_path,
    postgresql_ops=PATTERN,
)
