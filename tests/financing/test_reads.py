"""Who sees which financing, and the reconciliation feed's cursor."""

from __future__ import annotations

from crossfin.core.http.deps import database_of
from crossfin.parties.models import OrgKind, Role
from support.financing import application, declaration, make_firms
from support.parties import make_party


def register(client, firms, bank=0, amount="10.00"):
    doc = declaration(database_of(client.app), firms)
    res = client.post(
        "/v1/financings", json=application(firms, [doc], amount), headers=firms.banks[bank].headers
    )
    assert res.status_code == 201, res.text
    return res.json()


def test_visibility_per_party(client, db):
    firms = make_firms(db)
    mine = register(client, firms, 0)
    theirs = register(client, firms, 1)
    gd = make_party(db, OrgKind.REGULATOR, Role.AUDITOR, jurisdiction="440000")
    bj = make_party(db, OrgKind.REGULATOR, Role.AUDITOR, jurisdiction="110000")
    stranger = make_party(db, OrgKind.ENTERPRISE, Role.OPERATOR)

    def ids(party):
        return [
            f["id"] for f in client.get("/v1/financings", headers=party.headers).json()["items"]
        ]

    assert ids(firms.banks[0]) == [mine["id"]]
    assert ids(firms.enterprise) == [mine["id"], theirs["id"]]
    assert ids(gd) == [mine["id"], theirs["id"]]
    assert ids(bj) == [] and ids(stranger) == [] and ids(firms.insurer) == []
    for party in (firms.banks[1], bj, stranger):
        res = client.get(f"/v1/financings/{mine['id']}", headers=party.headers)
        assert res.status_code == 404 and res.json()["type"].endswith("/not-found")
    act = client.post(
        f"/v1/financings/{mine['id']}/cancel",
        json={"reason": "x"},
        headers=firms.enterprise.headers,
    )
    assert act.status_code == 403


def test_reconciliation_feed_with_cursor_and_updated_since(client, db):
    firms = make_firms(db)
    first = [register(client, firms) for _ in range(5)]
    page = client.get("/v1/financings?limit=3", headers=firms.banks[0].headers).json()
    assert [f["id"] for f in page["items"]] == [f["id"] for f in first[:3]]
    rest = client.get(
        f"/v1/financings?cursor={page['next_cursor']}", headers=firms.banks[0].headers
    ).json()
    assert [f["id"] for f in rest["items"]] == [f["id"] for f in first[3:]]
    # Nothing new: the same cursor comes back, so a loan system can keep polling with it.
    idle = client.get(
        f"/v1/financings?cursor={rest['next_cursor']}", headers=firms.banks[0].headers
    ).json()
    assert idle == {"items": [], "next_cursor": rest["next_cursor"]}
    # A change moves the financing to the end of the feed.
    client.post(
        f"/v1/financings/{first[1]['id']}/cancel",
        json={"reason": "x"},
        headers=firms.banks[0].headers,
    )
    changed = client.get(
        f"/v1/financings?cursor={rest['next_cursor']}", headers=firms.banks[0].headers
    ).json()
    assert [(f["id"], f["state"]) for f in changed["items"]] == [(first[1]["id"], "cancelled")]
    since = changed["items"][0]["updated_at"]
    recent = client.get(
        "/v1/financings", params={"updated_since": since}, headers=firms.banks[0].headers
    ).json()
    assert [f["id"] for f in recent["items"]] == [first[1]["id"]]
    by_ref = client.get(
        "/v1/financings",
        params={"external_ref": first[2]["external_ref"]},
        headers=firms.banks[0].headers,
    ).json()
    assert [f["id"] for f in by_ref["items"]] == [first[2]["id"]]
    bad = client.get("/v1/financings?cursor=%%%", headers=firms.banks[0].headers)
    assert bad.status_code == 422


def test_balance_read_is_for_the_owner_and_banks_that_claim_the_value(client, db):
    firms = make_firms(db)
    doc = declaration(db, firms, "100.00")
    stranger = make_party(db, OrgKind.ENTERPRISE, Role.OPERATOR)
    url = f"/v1/balances/{doc.kind}/{doc.key}"
    assert client.get(url, headers=firms.enterprise.headers).json()["remaining"] == "100.00"
    assert client.get(url, headers=firms.banks[1].headers).status_code == 404
    claimed = client.get(url, params={"total_value": "100.00"}, headers=firms.banks[1].headers)
    assert claimed.status_code == 200 and claimed.json()["value"] is None
    assert client.get(url, headers=stranger.headers).status_code == 404
    assert (
        client.get(
            "/v1/balances/customs_declaration/530120260000000001", headers=firms.banks[0].headers
        ).status_code
        == 404
    )


def test_wrong_balance_claims_count_as_verification_mismatches(client, db, settings):
    from sqlalchemy import select

    from crossfin.documents.access.models import MismatchTally
    from crossfin.parties.alerts import Alert

    firms = make_firms(db)
    doc = declaration(db, firms, "100.00")
    bank = firms.banks[1]
    url = f"/v1/balances/{doc.kind}/{doc.key}"
    limit = settings.verify_mismatch_limit
    for guess in range(limit + 1):
        wrong = client.get(url, params={"total_value": f"{90 + guess}.00"}, headers=bank.headers)
        assert wrong.status_code == 404  # as for a document that does not exist
    # No claim at all is no guess: not counted.
    assert client.get(url, headers=bank.headers).status_code == 404
    with db.session(readonly=True) as session:
        tally = session.scalars(
            select(MismatchTally).where(MismatchTally.document_id == doc.id)
        ).one()
        alerts = session.scalars(
            select(Alert).where(
                Alert.kind == "verification-mismatches", Alert.document_id == doc.id
            )
        ).all()
    assert (tally.bank_org_id, tally.mismatches) == (bank.org_id, limit + 1)
    assert len(alerts) == 1 and alerts[0].actor_org_id == bank.org_id
    # The verify endpoint counts on the same tally: one more wrong claim, no second alert.
    body = {"items": [{"kind": doc.kind, "key": doc.key, "fields": {"total_value": "1.00"}}]}
    answer = client.post("/v1/documents/verify", json=body, headers=bank.headers).json()
    assert answer["items"][0]["outcome"] == "mismatch"
    assert answer["items"][0].get("fields_withheld") is True
    right = client.get(url, params={"total_value": "100.00"}, headers=bank.headers)
    assert right.status_code == 200 and right.json()["remaining"] == "100.00"


def test_updated_since_is_a_moment_never_a_number(client, db):
    # A number read as seconds since 1970 listed everything; moments are ISO 8601 text.
    firms = make_firms(db)
    for since in ("0", "0.5", "1700000000", "2026-01-02"):
        answer = client.get(
            "/v1/financings", params={"updated_since": since}, headers=firms.banks[0].headers
        )
        assert answer.status_code == 422, since
        assert answer.json()["errors"][0]["field"] == "query.updated_since"
    moment = client.get(
        "/v1/financings",
        params={"updated_since": "2026-01-02T03:04:05+08:00"},
        headers=firms.banks[0].headers,
    )
    assert moment.status_code == 200
