"""ledger group commit: the queue of events committed and waiting for their leaf

Revision ID: 0031_ledger_queue
Revises: 0030_scenarios_f3_f6_f8

On PostgreSQL a single-event writer that finds the log head busy commits its event here
with its business change; the integrator (ledger/integrator.py) moves queued events into
the tree, a group per commit, through `ledger_integrate`: one statement that locks the
head, appends the group (RFC 6962, as `crossfin.ledger.proofs.append_to_edge` does) and
empties its rows, so that no client round trip happens while the head is held. SQLite never
writes to the queue and has no function.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0031_ledger_queue"
down_revision = "0030_scenarios_f3_f6_f8"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ledger_queue",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("record", sa.LargeBinary(), nullable=False),
        sa.Column("leaf_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("actor_org_id", sa.Integer(), nullable=True),
        sa.Column("parties", sa.Text(), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_queue")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(INTEGRATE)
        # A queue: every row is deleted soon after it is inserted. Vacuum it by the number
        # of dead rows, not by a share of its (nearly empty) size.
        op.execute(
            "ALTER TABLE ledger_queue SET (autovacuum_vacuum_scale_factor = 0, "
            "autovacuum_vacuum_threshold = 1000)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION ledger_integrate(integer, varchar[])")
    op.drop_table("ledger_queue")


# Appending leaf i completes one subtree per trailing 1-bit of i, each merging the top of
# the right-edge stack (largest subtree first) with the hash carried up: a binary counter.
# The root folds the edge from the right. The answer: the leaf index of each `wanted`
# event placed by now, and a last row (NULL, number of events this group placed). Every statement of a VOLATILE function sees what
# committed before it started, so the queue read after the head lock sees every event
# whose writer committed before this group took the head.
# pg_advisory_xact_lock's key for integrators: "crossfin" "ledger" as two 4-byte words.
LOCK_KEY = 0x63726F73_6C656467

INTEGRATE = r"""
CREATE FUNCTION ledger_integrate(max_events integer, wanted varchar[])
RETURNS TABLE (event_id varchar, leaf_index bigint)
LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
    start_size bigint;
    n bigint;
    stored bytea;
    stack bytea[];
    top integer;
    carried bytea;
    lvl integer;
    k integer;
    acc bytea;
    q record;
    ids bigint[] := '{}';
    idxs bigint[] := '{}';
    h_lvl integer[] := '{}';
    h_idx bigint[] := '{}';
    h_hash bytea[] := '{}';
BEGIN
    -- One group at a time, of every process. The advisory lock costs no WAL, so a round
    -- that finds the queue emptied by the group before it ends without a commit flush;
    -- waiting on the head row instead would make it lock (and log) that row first.
    PERFORM pg_advisory_xact_lock(LEDGER_INTEGRATE_LOCK);
    IF NOT EXISTS (SELECT 1 FROM ledger_queue ORDER BY id LIMIT 1) THEN
        RETURN QUERY
        SELECT e.event_id, e.leaf_index FROM ledger_events e WHERE e.event_id = ANY(wanted)
        UNION ALL SELECT NULL, 0;
        RETURN;
    END IF;
    SELECT h.size, h.edge INTO start_size, stored FROM ledger_head h WHERE h.id = 1 FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'the ledger has no head row: run `crossfin init`';
    END IF;
    stack := ARRAY(
        SELECT substring(stored FROM g * 32 + 1 FOR 32)
        FROM generate_series(0, length(stored) / 32 - 1) AS g ORDER BY g
    );
    n := start_size;
    FOR q IN SELECT lq.id, lq.leaf_hash FROM ledger_queue lq ORDER BY lq.id LIMIT max_events
    LOOP
        carried := q.leaf_hash;
        h_lvl := h_lvl || 0; h_idx := h_idx || n; h_hash := h_hash || carried;
        lvl := 0;
        WHILE ((n >> lvl) & 1) = 1 LOOP
            top := array_length(stack, 1);
            carried := sha256(''::bytea || stack[top] || carried);
            stack := stack[1:top - 1];
            lvl := lvl + 1;
            h_lvl := h_lvl || lvl; h_idx := h_idx || (n >> lvl); h_hash := h_hash || carried;
        END LOOP;
        stack := stack || carried;
        ids := ids || q.id;
        idxs := idxs || n;
        n := n + 1;
    END LOOP;
    IF n = start_size THEN
        RETURN QUERY
        SELECT e.event_id, e.leaf_index FROM ledger_events e WHERE e.event_id = ANY(wanted)
        UNION ALL SELECT NULL, 0;
        RETURN;
    END IF;
    top := array_length(stack, 1);
    acc := stack[top];
    FOR k IN REVERSE top - 1 .. 1 LOOP
        acc := sha256(''::bytea || stack[k] || acc);
    END LOOP;
    INSERT INTO ledger_events
        (leaf_index, event_id, type, record, leaf_hash, actor_org_id, created_at)
    SELECT u.idx, lq.event_id, lq.type, lq.record, lq.leaf_hash, lq.actor_org_id, now()
    FROM unnest(ids, idxs) AS u(id, idx) JOIN ledger_queue lq ON lq.id = u.id;
    INSERT INTO ledger_event_parties (leaf_index, org_id)
    SELECT u.idx, p::integer
    FROM unnest(ids, idxs) AS u(id, idx)
    JOIN ledger_queue lq ON lq.id = u.id
    CROSS JOIN LATERAL unnest(string_to_array(lq.parties, ',')) AS p
    WHERE p <> '';
    INSERT INTO ledger_hashes (level, idx, hash)
    SELECT * FROM unnest(h_lvl, h_idx, h_hash);
    UPDATE ledger_head
    SET size = n, root = acc, updated_at = now(),
        edge = (SELECT string_agg(s.e, ''::bytea ORDER BY s.o)
                FROM unnest(stack) WITH ORDINALITY AS s(e, o))
    WHERE id = 1;
    DELETE FROM ledger_queue lq WHERE lq.id = ANY(ids);
    RETURN QUERY
    SELECT e.event_id, e.leaf_index FROM ledger_events e WHERE e.event_id = ANY(wanted)
    UNION ALL SELECT NULL, n - start_size;
END
$fn$;
""".replace("LEDGER_INTEGRATE_LOCK", str(LOCK_KEY))
