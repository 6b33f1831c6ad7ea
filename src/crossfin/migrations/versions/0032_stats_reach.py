"""statistics: the reach (distinct enterprises over any months as a sum) and enterprise
totals (the bound for the top enterprises) replace the served rollups; the cells rolled up
for the country and each province with the bank and currency kept

Revision ID: 0032_stats_reach
Revises: 0031_ledger_queue

A head-office view counted distinct enterprises over ~650,000 enterprise-months of the
served rollups (2.4-3.5 s for the dashboard): `stats_reach` answers the same counts from a
few hundred rows per area and class (parties/stats/reach.py), and `stats_enterprise_totals`
lets the top enterprises be found from the largest totals down (supervision/stats/top.py).
The served rollups are read by nothing else and are dropped, and so are the county rollups
(a county's cells are its rollup). `stats_cell_rollups` answers
a query by bank or currency over the country or a province without summing most of the
cells. Backfill: the new tables derived from the cells and served rows
(`parties/stats/backfill.fill_reach` and `fill_cell_rollups`, which the benchmark loads
with too). On PostgreSQL the upkeep keeps the reach with `stats_reach_apply`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from crossfin.parties.stats.backfill import fill_cell_rollups, fill_reach


revision = "0032_stats_reach"
down_revision = "0031_ledger_queue"
branch_labels = None
depends_on = None

AREA = {"area_path": "varchar_pattern_ops"}
PATH = {"county_path": "varchar_pattern_ops"}


def upgrade() -> None:
    op.drop_index("ix_stats_served_rollups_area", table_name="stats_served_rollups")
    op.drop_table("stats_served_rollups")
    with op.batch_alter_table("stats_served", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stats_served_org_id"))
        batch_op.create_index("ix_stats_served_org_month", ["org_id", "month"], unique=False)
    op.create_table(
        "stats_reach",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("depth", sa.SmallInteger(), nullable=False),
        sa.Column("area_path", sa.String(length=64), nullable=False),
        sa.Column("scenario", sa.String(length=16), nullable=False),
        sa.Column("trade_class", sa.String(length=1), nullable=False),
        sa.Column("bank_org_id", sa.Integer(), nullable=False),
        sa.Column("size", sa.String(length=8), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("previous", sa.String(length=7), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_reach")),
        sa.UniqueConstraint(
            "depth",
            "area_path",
            "scenario",
            "trade_class",
            "bank_org_id",
            "month",
            "previous",
            "size",
            name=op.f("uq_stats_reach_depth"),
        ),
    )
    op.create_table(
        "stats_cell_rollups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("depth", sa.SmallInteger(), nullable=False),
        sa.Column("area_path", sa.String(length=64), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("scenario", sa.String(length=16), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("trade_class", sa.String(length=1), nullable=False),
        sa.Column("bank_org_id", sa.Integer(), nullable=False),
        sa.Column("measure", sa.String(length=24), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("usd_minor", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_cell_rollups")),
        sa.UniqueConstraint(
            "depth",
            "area_path",
            "month",
            "scenario",
            "currency",
            "trade_class",
            "bank_org_id",
            "measure",
            name=op.f("uq_stats_cell_rollups_depth"),
        ),
    )
    op.create_table(
        "stats_enterprise_totals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_path", sa.String(length=64), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("usd_minor", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_enterprise_totals")),
        sa.UniqueConstraint(
            "county_path", "org_id", name=op.f("uq_stats_enterprise_totals_county_path")
        ),
    )
    # supervision/stats/indexes.py says why.
    op.create_index(
        "ix_stats_reach_area",
        "stats_reach",
        ["depth", "bank_org_id", "trade_class", "scenario", "area_path", "month"],
        postgresql_ops=AREA,
    )
    op.create_index(
        "ix_stats_cell_rollups_area",
        "stats_cell_rollups",
        ["depth", "area_path", "month"],
        postgresql_ops=AREA,
    )
    op.create_index(
        "ix_stats_enterprise_totals_path",
        "stats_enterprise_totals",
        ["county_path"],
        postgresql_ops=PATH,
    )
    # A county's figures are read from its cells now (models.ROLLUP_DEPTHS).
    op.execute("DELETE FROM stats_rollups WHERE depth = 3")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(REACH_APPLY)
    fill_reach(op.get_bind())
    fill_cell_rollups(op.get_bind())


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "DROP FUNCTION stats_reach_apply(json)"
        )
    op.drop_index("ix_stats_enterprise_totals_path", table_name="stats_enterprise_totals")
    op.drop_index("ix_stats_reach_area", table_name="stats_reach")
    op.drop_index("ix_stats_cell_rollups_area", table_name="stats_cell_rollups")
    op.drop_table("stats_cell_rollups")
    op.drop_table("stats_enterprise_totals")
    op.drop_table("stats_reach")
    with op.batch_alter_table("stats_served", schema=None) as batch_op:
        batch_op.drop_index("ix_stats_served_org_month")
        batch_op.create_index(batch_op.f("ix_stats_served_org_id"), ["org_id"], unique=False)
    op.create_table(
        "stats_served_rollups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("depth", sa.SmallInteger(), nullable=False),
        sa.Column("area_path", sa.String(length=64), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("trade_class", sa.String(length=1), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("usd_minor", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_served_rollups")),
        sa.UniqueConstraint(
            "depth",
            "area_path",
            "month",
            "trade_class",
            "org_id",
            name=op.f("uq_stats_served_rollups_depth"),
        ),
    )
    op.create_index(
        "ix_stats_served_rollups_area",
        "stats_served_rollups",
        ["depth", "area_path", "month"],
        postgresql_ops=AREA,
    )
    # Refilled by `crossfin stats recount` of the version downgraded to.


# parties/stats/reach.py's `apply`, in SQL: called after the upserts of the same
# transaction (the served rows hold `after`; `before` is after less the deltas), under the
# head lock. First the cheap test, one index probe per delta: did any served row (path,
# month, scenario, class, bank) go from no count to some or back? Most transactions stop
# there. Otherwise the moved enterprises' months, before and after, cut to every depth,
# scenario and class (its own and '*') and bank (its own at depths 0-1, and any), paired
# with the month before them, signed, summed and upserted. The deltas come as one JSON
# text (parties/stats/pg_upsert.py says why).
REACH_APPLY = r"""
CREATE FUNCTION stats_reach_apply(deltas json) RETURNS integer
LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
    moved integer[];
    written integer;
BEGIN
    SELECT array_agg(DISTINCT d.org) INTO moved
    FROM json_to_recordset(deltas) AS d(
        org integer, path varchar, month varchar, scenario varchar, klass varchar,
        bank integer, delta bigint
    )
    CROSS JOIN LATERAL (
        SELECT coalesce(sum(s.count), 0) AS total FROM stats_served s
        WHERE s.org_id = d.org AND s.month = d.month AND s.county_path = d.path
          AND s.scenario = d.scenario AND s.trade_class = d.klass AND s.bank_org_id = d.bank
    ) g
    WHERE (g.total > 0) <> (g.total - d.delta > 0);
    IF moved IS NULL THEN
        RETURN 0;
    END IF;
    WITH delta AS (
        SELECT d.org, d.path, d.month, d.scenario, d.klass, d.bank, d.delta
        FROM json_to_recordset(deltas) AS d(
            org integer, path varchar, month varchar, scenario varchar, klass varchar,
            bank integer, delta bigint
        )
        WHERE d.org = ANY(moved)
    ),
    now AS (
        SELECT s.org_id AS org, s.county_path AS path, s.month, s.scenario,
               s.trade_class AS klass, s.bank_org_id AS bank, sum(s.count) AS total
        FROM stats_served s
        WHERE s.org_id = ANY(moved)
        GROUP BY 1, 2, 3, 4, 5, 6
    ),
    states AS (
        SELECT n.org, n.path, n.month, n.scenario, n.klass, n.bank, v.sign, v.total
        FROM now n
        LEFT JOIN delta d USING (org, path, month, scenario, klass, bank)
        CROSS JOIN LATERAL (
            VALUES (1, n.total), (-1, n.total - coalesce(d.delta, 0))
        ) AS v(sign, total)
    ),
    active AS (
        SELECT st.org, lv.depth, substr(st.path, 1, lv.len) AS area, sc.scenario, k.klass,
               b.bank, st.month, st.sign
        FROM states st
        CROSS JOIN (VALUES (0, 8), (1, 15), (2, 22), (3, 29)) AS lv(depth, len)
        CROSS JOIN LATERAL (VALUES (st.scenario::text), ('*'::text)) AS sc(scenario)
        CROSS JOIN LATERAL (VALUES (st.klass::text), ('*'::text)) AS k(klass)
        CROSS JOIN LATERAL (
            SELECT -1 AS bank UNION ALL SELECT st.bank WHERE lv.depth <= 1
        ) AS b
        GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
        HAVING sum(st.total) > 0
    ),
    pairs AS (
        SELECT a.org, a.depth, a.area, a.scenario, a.klass, a.bank, a.month, a.sign,
               coalesce(lag(a.month) OVER (
                   PARTITION BY a.org, a.depth, a.area, a.scenario, a.klass, a.bank, a.sign
                   ORDER BY a.month
               ), '') AS previous
        FROM active a
    ),
    change AS (
        SELECT p.depth, p.area, p.scenario, p.klass, p.bank, coalesce(o.size, '') AS size,
               p.month, p.previous, sum(p.sign) AS n
        FROM pairs p
        LEFT JOIN organizations o ON o.id = p.org
        GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
        HAVING sum(p.sign) <> 0
    )
    INSERT INTO stats_reach AS r
        (depth, area_path, scenario, trade_class, bank_org_id, size, month, previous, count)
    SELECT depth, area, scenario, klass, bank, size, month, previous, n
    FROM change
    ORDER BY depth, area, scenario, klass, bank, month, previous, size
    ON CONFLICT (depth, area_path, scenario, trade_class, bank_org_id, month, previous, size)
    DO UPDATE SET count = r.count + EXCLUDED.count;
    GET DIAGNOSTICS written = ROW_COUNT;
    RETURN written;
END
$fn$;
"""
