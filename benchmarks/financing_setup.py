"""Fixture of the financing benchmark: a fresh database, parties, keys and declarations."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, insert, select

from benchlib import bench_settings, fresh_database
from crossfin.core.canonical import canonical_json
from crossfin.core.clock import utcnow
from crossfin.core.db import Actor, Database
from crossfin.documents.kinds.registry import get_kind
from crossfin.documents.models import Document, DocumentBalance, DocumentVersion
from crossfin.financing.models import Financing
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties import credentials, service
from crossfin.parties.identifiers import make_uscc, org_code_with_check
from crossfin.parties.models import OrgKind, PrincipalKind, Role
from crossfin.parties.schemas import OrgIn

ACTOR = Actor(None, None, "benchmark")
AMOUNT = "100.00"  # every registration asks this much (USD)
COLD_VALUE = "1000.00"  # ordinary declarations: plenty of room
HOT_VALUE = "100000.00"  # hot declarations: room for exactly 1,000 uses of AMOUNT
HOT = 10
BANKS = 5


@dataclass
class Fixture:
    url: str
    data: Path
    uscc: str
    bank_keys: list[str]
    hot: list[str]
    cold: list[str]
    _next: int = 0
    _db: Database | None = field(default=None, repr=False)

    def take_cold(self) -> str:
        key = self.cold[self._next]
        self._next += 1
        return key

    def body(self, key: str, ref: str) -> bytes:
        return json.dumps(
            {
                "scenario": "F1",
                "external_ref": ref,
                "enterprise_uscc": self.uscc,
                "amount": AMOUNT,
                "currency": "USD",
                "documents": [{"kind": "customs_declaration", "key": key}],
            }
        ).encode()

    def check(self) -> str:
        """Promise 1 after the run: no hot declaration beyond its value."""
        db = Database(self.url)
        with db.session(readonly=True) as session:
            hot_rows = session.execute(
                select(Document.value_minor, DocumentBalance.used_minor)
                .join(DocumentBalance, DocumentBalance.document_id == Document.id)
                .where(Document.key.in_(self.hot))
            ).all()
            financings = session.scalar(select(func.count()).select_from(Financing))
        db.dispose()
        over = [r for r in hot_rows if r.used_minor > r.value_minor]
        used = sum(r.used_minor for r in hot_rows) // 10_000
        return (
            f"check: {financings} financings registered; hot declarations carry {used} "
            f"uses of {AMOUNT} USD; over their value: {len(over)}"
        )


def build_fixture(url: str, cold: int) -> Fixture:
    """Fresh schema, keys, one exporter, five banks and `cold` + HOT declarations."""
    settings = bench_settings(url)
    db = fresh_database(url)  # schema dropped and recreated, migrated, jurisdictions, head
    with UnitOfWork(db, ACTOR) as uow:
        uscc = make_uscc("9", "1", "440305", org_code_with_check("66000001"))
        firm, _ = service.add_org(
            uow,
            OrgIn(
                kind=OrgKind.ENTERPRISE, name="Bench Exporter", uscc=uscc, jurisdictions=["440305"]
            ),
        )
        customs, _ = service.add_org(
            uow, OrgIn(kind=OrgKind.CUSTOMS, name="Bench Customs", customs_code="5301")
        )
        bank_keys = []
        for n in range(BANKS):
            bank, _ = service.add_org(
                uow,
                OrgIn(
                    kind=OrgKind.BANK,
                    name=f"Bench Bank {n}",
                    bic=f"BNK{'ABCDE'[n]}CNBJ",
                    jurisdictions=["440000"],
                ),
            )
            principal, _ = credentials.add_principal(
                uow, bank.id, PrincipalKind.SERVICE, "loans", Role.OPERATOR
            )
            bank_keys.append(credentials.issue_key(uow, principal.id)[1])
        uow.commit()
    hot, cold_keys = _declarations(db, firm.id, customs.id, uscc, cold)
    analyze(db)
    db.dispose()
    return Fixture(url, settings.data_dir, uscc, bank_keys, hot, cold_keys)


def analyze(db: Database) -> None:
    """Fresh statistics, as a database in service has: without them PostgreSQL plans the
    first minutes of lookups for empty tables, until autovacuum catches up mid-run.

    Run again once the servers have warmed up (`analyzed`): each backend keeps the plans
    it made while the financings, their uses and the ledger's events were still empty
    (the foreign-key checks' among them) until an ANALYZE invalidates them, and those
    plans read more pages as the tables grow. A server warmed up first on near-empty
    tables kept them through a whole run, and its PostgreSQL CPU per registration grew
    round after round (benchmarks/README.md, "What the statistics cost registration")."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")


def _declarations(
    db: Database, firm_id: int, customs_id: int, uscc: str, cold: int
) -> tuple[list[str], list[str]]:
    spec = get_kind("customs_declaration")
    year, now = utcnow().year, utcnow()
    docs, versions, hot, cold_keys = [], [], [], []
    for i in range(1, HOT + cold + 1):
        key = f"5301{year}0{i:09d}"
        content = spec.validate(
            {
                "declaration_no": key,
                "enterprise_uscc": uscc,
                "buyer_name": "Bench Buyer",
                "buyer_country": "NL",
                "currency": "USD",
                "total_value": HOT_VALUE if i <= HOT else COLD_VALUE,
                "export_date": now.date().isoformat(),
                "trade_mode": "0110",
            }
        )
        raw = canonical_json(content)
        value, currency = spec.value_of(content)
        digest = hashlib.sha256(raw).digest()
        docs.append(
            {
                "id": i,
                "kind": spec.name,
                "key": key,
                "source_org_id": customs_id,
                "owner_uscc": uscc,
                "owner_org_id": firm_id,
                "jurisdiction_path": "/000000/440000/440300/440305/",
                "version": 1,
                "value_minor": value,
                "currency": currency,
                "single_use": False,
                "digest": digest,
                "created_at": now,
                "updated_at": now,
            }
        )
        versions.append(
            {
                "document_id": i,
                "version": 1,
                "content": raw.decode(),
                "record_digest": digest,
                "value_minor": value,
                "currency": currency,
                "created_at": now,
            }
        )
        (hot if i <= HOT else cold_keys).append(key)
    with db.engine.begin() as conn:
        for start in range(0, len(docs), 5000):
            conn.execute(insert(Document), docs[start : start + 5000])
            conn.execute(insert(DocumentVersion), versions[start : start + 5000])
    return hot, cold_keys


def analyzed(url: str) -> None:
    """`analyze` a database by its URL (after the warm-ups: every server replans)."""
    db = Database(url)
    try:
        analyze(db)
    finally:
        db.dispose()
