"""F5 pledges hold the bill: no endorsement until repaid or released by the bank; who reads."""

from __future__ import annotations

from sqlalchemy import select

from crossfin.documents.ebl.models import EblStep
from crossfin.documents.ebl.store import STEP
from crossfin.ledger.state import StateViews
from crossfin.ledger.state_audit import audit_state_database
from crossfin.parties.models import OrgKind
from support.ebl import body, new_chain, post_step, read_chain
from support.financing import application
from support.parties import make_party, uscc_for

BUYER = uscc_for("440305", 7002)


def _finance(client, c, bank: int = 0) -> int:  # type: ignore[no-untyped-def]
    made = client.post(
        "/v1/financings",
        json=application(c.firms, [c.bl], "50000.00", scenario="F5"),
        headers=c.firms.banks[bank].headers,
    )
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


def _repay(client, c, fid: int) -> None:  # type: ignore[no-untyped-def]
    bank, checker = c.firms.banks[0], c.firms.checkers[0]
    client.post(f"/v1/financings/{fid}/approve", json={}, headers=checker.headers)
    client.post(
        f"/v1/financings/{fid}/disburse", json={"due_date": "2026-12-30"}, headers=bank.headers
    )
    paid = client.post(
        f"/v1/financings/{fid}/repay", json={"amount": "50000.00"}, headers=bank.headers
    )
    assert paid.status_code == 200, paid.text


def test_an_active_f5_financing_blocks_endorsement_until_repaid(client, db) -> None:  # type: ignore[no-untyped-def]
    c = new_chain(client, db)
    key = c.bl.key
    assert (
        post_step(
            client, c.source, c.signer, body(key, 1, "issue", to={"uscc": c.firms.uscc})
        ).status_code
        == 201
    )
    fid = _finance(client, c)
    blocked = post_step(client, c.source, c.signer, body(key, 2, "endorse", to={"uscc": BUYER}))
    assert blocked.status_code == 409, blocked.text
    assert blocked.json()["type"].endswith("/ebl-pledged-by-financing")
    assert blocked.json()["financing_id"] == fid
    surrender = post_step(client, c.source, c.signer, body(key, 2, "surrender"))
    assert surrender.status_code == 409
    chain = read_chain(client, c.firms.banks[0], key)  # the pledgee bank reads the chain
    assert chain.status_code == 200 and chain.json()["pledged"] is True
    assert chain.json()["financing_pledges"][0]["financing_id"] == fid
    assert read_chain(client, c.firms.banks[1], key).status_code == 404  # unrelated bank
    _repay(client, c, fid)
    assert read_chain(client, c.source, key).json()["pledged"] is False
    moved = post_step(client, c.source, c.signer, body(key, 2, "endorse", to={"uscc": BUYER}))
    assert moved.status_code == 201, moved.text


def test_the_pledgee_bank_releases_its_financing_pledge(client, db) -> None:  # type: ignore[no-untyped-def]
    c = new_chain(client, db)
    key = c.bl.key
    post_step(client, c.source, c.signer, body(key, 1, "issue", to={"uscc": c.firms.uscc}))
    fid = _finance(client, c)
    url = f"/v1/documents/bill_of_lading/{key}/chain/release"
    other = client.post(url, json={"financing_id": fid}, headers=c.firms.banks[1].headers)
    assert other.status_code == 404  # not its financing, nor its chain
    released = client.post(url, json={"financing_id": fid}, headers=c.firms.banks[0].headers)
    assert released.status_code == 200, released.text
    assert released.json()["pledged"] is False
    twice = client.post(url, json={"financing_id": fid}, headers=c.firms.banks[0].headers)
    assert twice.status_code == 404
    moved = post_step(client, c.source, c.signer, body(key, 3, "endorse", to={"uscc": BUYER}))
    assert moved.status_code == 201, moved.text


def test_a_chain_pledge_is_released_by_its_bank(client, db) -> None:  # type: ignore[no-untyped-def]
    c = new_chain(client, db)
    key, bank = c.bl.key, c.firms.banks[0]
    bic = client.get(f"/v1/orgs/{bank.org_id}", headers=bank.headers).json()["bic"]
    post_step(client, c.source, c.signer, body(key, 1, "issue", to={"uscc": c.firms.uscc}))
    post_step(client, c.source, c.signer, body(key, 2, "pledge", bank=bic))
    url = f"/v1/documents/bill_of_lading/{key}/chain/release"
    assert client.post(url, json={}, headers=c.firms.banks[1].headers).status_code == 404
    assert client.post(url, json={}, headers=c.firms.enterprise.headers).status_code == 403
    done = client.post(url, json={}, headers=bank.headers)
    assert done.status_code == 200 and done.json()["status"] == "held"
    assert done.json()["steps"][-1]["origin"] == "bank"


def test_readers_of_a_chain(client, db) -> None:  # type: ignore[no-untyped-def]
    c = new_chain(client, db)
    key = c.bl.key
    buyer = make_party(db, OrgKind.ENTERPRISE, uscc=BUYER)
    post_step(client, c.source, c.signer, body(key, 1, "issue", to={"uscc": c.firms.uscc}))
    assert read_chain(client, buyer, key).status_code == 404
    post_step(client, c.source, c.signer, body(key, 2, "endorse", to={"uscc": BUYER}))
    assert read_chain(client, buyer, key).status_code == 200  # the holder
    post_step(client, c.source, c.signer, body(key, 3, "endorse", to={"name": "Next"}))
    assert read_chain(client, buyer, key).status_code == 200  # a past holder
    assert read_chain(client, c.firms.enterprise, key).status_code == 200  # the owner
    regulator = make_party(db, OrgKind.REGULATOR, jurisdiction="440000")
    assert read_chain(client, regulator, key).status_code == 200
    far = make_party(db, OrgKind.REGULATOR, jurisdiction="310000")
    for outsider in (far, c.firms.banks[1], c.firms.customs, make_party(db, OrgKind.LOGISTICS)):
        answer = read_chain(client, outsider, key)
        assert answer.status_code == 404 and answer.json()["type"].endswith("/not-found")
    assert read_chain(client, c.source, "NOSUCHBL002").status_code == 404


def test_steps_are_committed_and_audited(client, db) -> None:  # type: ignore[no-untyped-def]
    c = new_chain(client, db)
    answer = post_step(client, c.source, c.signer, body(c.bl.key, 1, "issue", to={"uscc": BUYER}))
    assert answer.status_code == 201
    views = StateViews([v for v in _views() if v.kind == STEP])
    assert audit_state_database(db, views).ok
    with db.session() as session, session.begin():
        row = session.scalars(select(EblStep)).one()
        row.to_uscc = c.firms.uscc  # the holder rewritten behind the log's back
    tampered = audit_state_database(db, views)
    assert not tampered.ok and tampered.divergent[0].table == "ebl_steps"


def _views():  # type: ignore[no-untyped-def]
    from crossfin.assembly import state_views

    return state_views()
