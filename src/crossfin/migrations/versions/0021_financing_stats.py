"""financings record their class at registration and their USD equivalent, verifications their county, for the statistics

Revision ID: 0021_financing_stats
Revises: 0020_alert_rule_authors

Backfill: each financing gets the class its enterprise had on the business date (China)
of its registration (the class history; A before any row, as `ClassBook.on` answers),
and the USD equivalent at the daily table's rate of that date (the newest within 7 days,
as `documents/fx.conversion`), rounded up; none when the table has no rate (the rates a
request carried were not kept). The columns stay out of the financing's state projection,
so logs committed before this migration audit the same. Verified items get the county of
their document's enterprise as it is now. Then run `crossfin stats recount`.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import UTC, date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

from crossfin.core.money import convert_up


revision = '0021_financing_stats'
down_revision = '0020_alert_rule_authors'
branch_labels = None
depends_on = None

CHINA = timedelta(hours=8)
LOOKBACK = timedelta(days=7)
CHUNK = 5000

financings = sa.table(
    'financings',
    sa.column('id', sa.Integer()),
    sa.column('enterprise_org_id', sa.Integer()),
    sa.column('created_at', sa.DateTime()),
    sa.column('currency', sa.String()),
    sa.column('amount_minor', sa.BigInteger()),
    sa.column('trade_class', sa.String()),
    sa.column('usd_minor', sa.BigInteger()),
    sa.column('usd_rate', sa.String()),
    sa.column('usd_rate_source', sa.String()),
)
classes = sa.table(
    'enterprise_classes',
    sa.column('id', sa.Integer()),
    sa.column('org_id', sa.Integer()),
    sa.column('effective_from', sa.Date()),
    sa.column('trade_class', sa.String()),
)
rates = sa.table(
    'fx_rates',
    sa.column('rate_date', sa.Date()),
    sa.column('base', sa.String()),
    sa.column('quote', sa.String()),
    sa.column('rate', sa.String()),
)


def upgrade() -> None:
    # Added NOT NULL with a default and filled in place: on SQLite, making a column NOT NULL
    # afterwards rebuilds the table, which its financing_uses' foreign keys forbid once it
    # holds rows. The default only serves the backfill: every registration sets the class.
    op.add_column('financings', sa.Column('trade_class', sa.String(length=1), nullable=False, server_default='A'))
    op.add_column('financings', sa.Column('usd_minor', sa.BigInteger(), nullable=True))
    op.add_column('financings', sa.Column('usd_rate', sa.String(length=40), nullable=True))
    op.add_column('financings', sa.Column('usd_rate_source', sa.String(length=32), nullable=True))
    _backfill(op.get_bind())
    op.add_column('verifications', sa.Column('county_path', sa.String(length=64), nullable=False, server_default=''))
    op.execute(
        "UPDATE verifications SET county_path = COALESCE((SELECT d.jurisdiction_path "
        "FROM documents d WHERE d.id = verifications.document_id), '')"
    )


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite >= 3.35 has it): no table rebuild, for the same reason.
    op.drop_column('verifications', 'county_path')
    for column in ('usd_rate_source', 'usd_rate', 'usd_minor', 'trade_class'):
        op.drop_column('financings', column)


def _backfill(conn: sa.Connection) -> None:
    history: dict[int, tuple[list[date], list[str]]] = {}
    query = sa.select(classes.c.org_id, classes.c.effective_from, classes.c.trade_class)
    for org, day, klass in conn.execute(query.order_by(classes.c.org_id, classes.c.effective_from, classes.c.id)):
        days, found = history.setdefault(org, ([], []))
        days.append(day)
        found.append(klass)
    table: dict[tuple[str, str], list[tuple[date, str]]] = {}
    for day, base, quote, rate in conn.execute(sa.select(rates.c.rate_date, rates.c.base, rates.c.quote, rates.c.rate)):
        table.setdefault((base, quote), []).append((day, rate))
    for found in table.values():
        found.sort()
    update = (
        financings.update()
        .where(financings.c.id == sa.bindparam('fid'))
        .values(trade_class=sa.bindparam('c'), usd_minor=sa.bindparam('u'),
                usd_rate=sa.bindparam('r'), usd_rate_source=sa.bindparam('s'))
    )
    page = sa.select(financings.c.id, financings.c.enterprise_org_id, financings.c.created_at,
                     financings.c.currency, financings.c.amount_minor).order_by(financings.c.id)
    last = 0
    while True:  # a page at a time, by id: bounded memory on a large table
        rows = conn.execute(page.where(financings.c.id > last).limit(CHUNK)).all()
        if not rows:
            return
        conn.execute(update, [_values(row, history, table) for row in rows])
        last = rows[-1][0]


def _values(row, history, table) -> dict[str, object]:  # type: ignore[no-untyped-def]
    fid, org, created, currency, amount = row
    moment = created if created.tzinfo is None else created.astimezone(UTC).replace(tzinfo=None)
    day = (moment + CHINA).date()
    days, found = history.get(org, ([], []))
    at = bisect_right(days, day)
    klass = found[at - 1] if at else 'A'
    if currency == 'USD':
        return {'fid': fid, 'c': klass, 'u': amount, 'r': None, 's': None}
    rate = _rate(table, currency, day)
    if rate is None:
        return {'fid': fid, 'c': klass, 'u': None, 'r': None, 's': None}
    value, on = rate
    return {'fid': fid, 'c': klass, 'u': convert_up(amount, currency, 'USD', value),
            'r': format(value, 'f'), 's': f'table:{on.isoformat()}'}


def _rate(table, currency: str, day: date) -> tuple[Decimal, date] | None:  # type: ignore[no-untyped-def]
    """The newest table rate within the lookback, the direct pair first on a tie."""
    best: tuple[date, int, Decimal] | None = None
    for (base, quote), inverse in (((currency, 'USD'), False), (('USD', currency), True)):
        for on, text in table.get((base, quote), []):
            if day - LOOKBACK <= on <= day:
                value = 1 / Decimal(text) if inverse else Decimal(text)
                candidate = (on, 0 if inverse else 1, value)
                if best is None or candidate[:2] > best[:2]:
                    best = candidate
    return None if best is None else (best[2], best[0])
