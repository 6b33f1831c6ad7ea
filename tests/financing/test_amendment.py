"""An amendment below the active uses is accepted and alerted (the registry reads used_minor)."""

from __future__ import annotations

import json

from sqlalchemy import select

from crossfin.documents.models import DocumentVersion
from crossfin.documents.versions import amend
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import Caller
from crossfin.parties.alerts import Alert
from crossfin.parties.models import OrgKind, Role
from support.financing import application, balance_row, declaration, make_firms


def test_amendment_below_uses_raises_alert_and_blocks_new_financing(client, db):
    firms = make_firms(db)
    doc = declaration(db, firms, "100.00")
    res = client.post(
        "/v1/financings", json=application(firms, [doc], "80.00"), headers=firms.banks[0].headers
    )
    assert res.status_code == 201
    with db.session(readonly=True) as session:
        content = json.loads(
            session.scalar(
                select(DocumentVersion.content).where(DocumentVersion.document_id == doc.id)
            )
        )
    customs = Caller(
        firms.customs.principal_id,
        "customs",
        Role.ADMIN,
        firms.customs.org_id,
        OrgKind.CUSTOMS,
        None,
    )
    with UnitOfWork(db, customs.actor) as uow:
        amend(
            uow, customs, doc.kind, doc.key, content | {"total_value": "50.00"}, "corrected value"
        )
        uow.commit()
    with db.session(readonly=True) as session:
        alerts = [a.kind for a in session.scalars(select(Alert))]
    assert "value-below-uses" in alerts
    assert balance_row(db, doc) == (8000, 0)  # the financing stands
    left = client.get(
        f"/v1/balances/{doc.kind}/{doc.key}",
        params={"total_value": "50.00"},
        headers=firms.banks[1].headers,
    )
    assert left.json()["remaining"] == "0.00"
    again = client.post(
        "/v1/financings", json=application(firms, [doc], "0.01"), headers=firms.banks[1].headers
    )
    assert again.status_code == 409 and again.json()["type"].endswith("/duplicate-financing")
