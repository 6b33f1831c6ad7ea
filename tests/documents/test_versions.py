"""Amendments by the source only, version history, alerts below active uses, owner links."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from crossfin.core.clock import utcnow
from crossfin.documents.models import Document, DocumentBalance
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.alerts import Alert
from crossfin.parties.models import OrgKind, Role
from support.ingest import owner_uscc, record, register_source_key, submit
from support.parties import TEST_ACTOR, another_principal, make_party

KIND = "customs_declaration"


@pytest.fixture
def published(client, db):  # type: ignore[no-untyped-def]
    """A customs source, its published declaration, and the owner enterprise onboarded."""
    customs = make_party(db, OrgKind.CUSTOMS)
    signer = register_source_key(client, customs.headers)
    owner = make_party(db, OrgKind.ENTERPRISE, jurisdiction="440305")
    with db.session(readonly=True) as session:
        from crossfin.parties.models import Organization

        uscc = session.get(Organization, owner.org_id).uscc
    row = record(KIND, owner=uscc)
    assert submit(client, customs.headers, KIND, "v-1", [row], signer)["accepted"] == 1
    return customs, owner, row


def _amend(client, party, row, reason="corrected value"):  # type: ignore[no-untyped-def]
    return client.post(
        f"/v1/documents/{KIND}/{row['declaration_no']}/amendments",
        json={"record": row, "reason": reason},
        headers=party.headers,
    )


def test_source_amends_and_versions_are_linked(client, published) -> None:  # type: ignore[no-untyped-def]
    customs, owner, row = published
    answer = _amend(client, customs, dict(row, total_value="999.00"))
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["version"] == 2 and body["receipt"]["leaf_index"] is not None
    for reader in (customs, owner):
        history = client.get(
            f"/v1/documents/{KIND}/{row['declaration_no']}/versions", headers=reader.headers
        ).json()
        assert [v["version"] for v in history["versions"]] == [1, 2]
        assert history["versions"][1]["reason"] == "corrected value"
        assert history["versions"][1]["value"] == {"amount": "999.00", "currency": "USD"}
        assert history["versions"][0]["content"]["total_value"] == "12345.50"
    same = _amend(client, customs, dict(row, total_value="999.00"))
    assert same.status_code == 409


def test_only_the_source_amends(client, db, published) -> None:  # type: ignore[no-untyped-def]
    customs, owner, row = published
    assert _amend(client, owner, row).status_code == 403  # the owner reads but may not amend
    other_customs = make_party(db, OrgKind.CUSTOMS)
    assert _amend(client, other_customs, row).status_code == 404
    bank = make_party(db, OrgKind.BANK)
    assert _amend(client, bank, row).status_code == 404
    assert (
        client.get(
            f"/v1/documents/{KIND}/{row['declaration_no']}/versions", headers=bank.headers
        ).status_code
        == 404
    )
    regulator = make_party(db, OrgKind.REGULATOR, jurisdiction="440000")
    assert (
        client.get(
            f"/v1/documents/{KIND}/{row['declaration_no']}/versions", headers=regulator.headers
        ).status_code
        == 200
    )
    assert _amend(client, regulator, row).status_code == 403
    auditor = another_principal(db, customs.org_id, Role.AUDITOR)
    assert _amend(client, auditor, dict(row, total_value="1.00")).status_code == 403


def test_amendment_keeps_key_and_owner(client, published) -> None:  # type: ignore[no-untyped-def]
    customs, _, row = published
    moved = _amend(client, customs, dict(row, enterprise_uscc=owner_uscc(9)))
    assert moved.status_code == 422
    assert moved.json()["errors"][0]["field"] == "record.enterprise_uscc"
    bad = _amend(client, customs, dict(row, currency="XXX"))
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "record.currency"


def test_amendment_below_active_uses_raises_alert(client, db, published) -> None:  # type: ignore[no-untyped-def]
    customs, owner, row = published
    with UnitOfWork(db, TEST_ACTOR) as uow:
        doc = uow.session.scalars(
            select(Document).where(Document.key == row["declaration_no"])
        ).one()
        uow.session.add(
            DocumentBalance(
                document_id=doc.id, used_minor=1_000_000, active_uses=1, updated_at=utcnow()
            )
        )
        uow.commit()
    answer = _amend(client, customs, dict(row, total_value="5000.00"))
    assert answer.status_code == 201  # accepted: the source is authoritative
    with db.session(readonly=True) as session:
        alerts = list(session.scalars(select(Alert)))
        balance = session.get(DocumentBalance, doc.id)
    assert [a.kind for a in alerts] == ["value-below-uses"]
    assert alerts[0].subject_org_id == owner.org_id and alerts[0].document_id == doc.id
    assert json.loads(alerts[0].details)["used_minor"] == 1_000_000
    assert balance is not None and balance.used_minor == 1_000_000  # uses stay attached
    ok = _amend(client, customs, dict(row, total_value="20000.00"))
    assert ok.status_code == 201
    with db.session(readonly=True) as session:
        assert len(list(session.scalars(select(Alert)))) == 1


def test_documents_link_to_an_enterprise_onboarded_later(client, db) -> None:  # type: ignore[no-untyped-def]
    customs = make_party(db, OrgKind.CUSTOMS)
    signer = register_source_key(client, customs.headers)
    from support.parties import org_in

    data = org_in(OrgKind.ENTERPRISE, jurisdiction="440305")
    rows = [record(KIND, owner=data.uscc) for _ in range(2)]
    submit(client, customs.headers, KIND, "v-2", rows, signer)
    with db.session(readonly=True) as session:
        docs = list(session.scalars(select(Document)))
        assert all(d.owner_org_id is None for d in docs)
    from crossfin.parties import service

    with UnitOfWork(db, TEST_ACTOR) as uow:
        org, _ = service.add_org(uow, data)
        uow.commit()
    with db.session(readonly=True) as session:
        docs = list(session.scalars(select(Document)))
    assert {d.owner_org_id for d in docs} == {org.id}
    assert {d.jurisdiction_path for d in docs} == {org.jurisdiction_path}


def test_proof_path_verifies_against_the_signed_root(client, db) -> None:  # type: ignore[no-untyped-def]
    import base64

    from crossfin.ledger.rfc6962 import leaf_hash
    from crossfin.ledger.verify import verify_inclusion

    customs = make_party(db, OrgKind.CUSTOMS)
    signer = register_source_key(client, customs.headers)
    rows = [record(KIND) for _ in range(11)]
    rows[4]["currency"] = "???"  # rejected: the proof still uses the signed tree of 11
    submit(client, customs.headers, KIND, "v-3", rows, signer)
    for line in (0, 6, 10):
        proof = client.get(
            f"/v1/documents/{KIND}/{rows[line]['declaration_no']}/proof", headers=customs.headers
        ).json()
        assert proof["line"] == line and proof["tree_size"] == 11
        digest = bytes.fromhex(proof["record_digest"])
        verify_inclusion(
            leaf_hash(digest),
            line,
            11,
            [base64.b64decode(h) for h in proof["path"]],
            base64.b64decode(proof["root"]),
        )
