"""Signed steps over HTTP: a full chain, the holder at each point, refusals changing nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from crossfin.documents.ebl.models import EblStep
from crossfin.ledger.note import Signer, generate_signer
from support.ebl import body, new_chain, other_source, post_step, read_chain
from support.parties import uscc_for

BUYER = uscc_for("440305", 7001)


def _steps(db) -> int:  # type: ignore[no-untyped-def]
    with db.session(readonly=True) as session:
        return int(session.scalar(select(func.count()).select_from(EblStep)) or 0)


def test_full_chain_holder_derived_at_each_point(client, db) -> None:  # type: ignore[no-untyped-def]
    c = new_chain(client, db)
    key, src = c.bl.key, c.source
    bank_bic = client.get(f"/v1/orgs/{c.firms.banks[0].org_id}", headers=c.firms.banks[0].headers)
    bic = bank_bic.json()["bic"]
    script = [
        (body(key, 1, "issue", to={"uscc": c.firms.uscc}), ("held", c.firms.uscc, False)),
        (body(key, 2, "endorse", to={"uscc": BUYER, "name": "Buyer Ltd"}), ("held", BUYER, False)),
        (body(key, 3, "pledge", bank=bic), ("pledged", BUYER, True)),
        (body(key, 4, "release"), ("held", BUYER, False)),
        (body(key, 5, "endorse", to={"name": "Final Consignee"}), ("held", None, False)),
        (body(key, 6, "surrender"), ("surrendered", None, False)),
    ]
    for step, (status, uscc, pledged) in script:
        answer = post_step(client, src, c.signer, step)
        assert answer.status_code == 201, answer.text
        chain = read_chain(client, src, key).json()
        assert (chain["status"], chain["holder"]["uscc"], chain["pledged"]) == (
            status,
            uscc,
            pledged,
        )
        assert chain["steps"][-1]["seq"] == step["seq"]
    assert chain["holder"]["name"] == "Final Consignee"
    assert chain["steps"][2]["pledgee_org_id"] == c.firms.banks[0].org_id
    after = post_step(client, src, c.signer, body(key, 7, "endorse", to={"uscc": BUYER}))
    assert after.status_code == 409 and after.json()["type"].endswith("/illegal-transition")
    assert after.json()["state"] == "surrendered"
    assert _steps(db) == 6


def test_illegal_moves_and_order(client, db) -> None:  # type: ignore[no-untyped-def]
    c = new_chain(client, db)
    key, src = c.bl.key, c.source
    early = post_step(client, src, c.signer, body(key, 1, "endorse", to={"uscc": BUYER}))
    assert early.status_code == 409 and early.json()["state"] == "not_issued"
    assert (
        post_step(client, src, c.signer, body(key, 1, "issue", to={"uscc": BUYER})).status_code
        == 201
    )
    again = post_step(client, src, c.signer, body(key, 2, "issue", to={"uscc": BUYER}))
    assert again.status_code == 409 and again.json()["state"] == "held"
    replay = post_step(client, src, c.signer, body(key, 1, "endorse", to={"name": "X"}))
    assert replay.status_code == 409 and replay.json()["type"].endswith("/ebl-step-out-of-order")
    assert replay.json()["expected"] == 2
    release = post_step(client, src, c.signer, body(key, 2, "release"))
    assert release.status_code == 409 and release.json()["state"] == "held"
    no_bank = post_step(client, src, c.signer, body(key, 2, "pledge", bank="ZZZZCNBJ"))
    assert no_bank.status_code == 422 and no_bank.json()["errors"][0]["field"] == "bank"
    missing = post_step(client, src, c.signer, body(key, 2, "endorse"))
    assert missing.status_code == 422
    assert _steps(db) == 1


def test_not_negotiable_and_unknown_bill(client, db) -> None:  # type: ignore[no-untyped-def]
    c = new_chain(client, db, negotiable=False)
    flat = post_step(client, c.source, c.signer, body(c.bl.key, 1, "issue", to={"uscc": BUYER}))
    assert flat.status_code == 422 and flat.json()["errors"][0]["field"] == "bl_no"
    none = post_step(client, c.source, c.signer, body("NOSUCHBL001", 1, "issue", to={"name": "x"}))
    assert none.status_code == 404


def test_bad_signature_is_refused_naming_it(client, db) -> None:  # type: ignore[no-untyped-def]
    c = new_chain(client, db)
    step = body(c.bl.key, 1, "issue", to={"uscc": BUYER})
    stranger = Signer.from_skey(generate_signer(c.signer.name)[0])  # same name, other key
    forged = post_step(client, c.source, stranger, step)
    assert forged.status_code == 422
    assert forged.json()["type"].endswith("/ebl-step-signature")
    assert forged.json()["errors"][0]["field"] == "signature"
    from crossfin.documents.ebl.body import sign_step

    note = sign_step(step, c.signer)
    tampered = note.replace('"seq":1', '"seq":2')
    answer = client.post("/v1/ebl/steps", json={"note": tampered}, headers=c.source.headers)
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "signature"
    assert _steps(db) == 0


def test_only_the_holders_platform_signs(client, db) -> None:  # type: ignore[no-untyped-def]
    c = new_chain(client, db)
    key = c.bl.key
    platform, platform_signer, platform_uscc = other_source(client, db)
    outsider = post_step(client, platform, platform_signer, body(key, 1, "issue", to={"name": "x"}))
    assert outsider.status_code == 404  # an unrelated source learns nothing
    assert (
        post_step(client, c.source, c.signer, body(key, 1, "issue", to={"uscc": BUYER})).status_code
        == 201
    )
    moved = post_step(
        client,
        c.source,
        c.signer,
        body(key, 2, "endorse", to={"uscc": BUYER, "name": "Buyer", "platform": platform_uscc}),
    )
    assert moved.status_code == 201, moved.text
    assert moved.json()["holder"]["source_org_id"] == platform.org_id
    issuer = post_step(client, c.source, c.signer, body(key, 3, "endorse", to={"name": "Y"}))
    assert issuer.status_code == 403  # reads the chain, does not keep the holder's register
    ok = post_step(client, platform, platform_signer, body(key, 3, "surrender"))
    assert ok.status_code == 201, ok.text
    assert read_chain(client, platform, key).json()["status"] == "surrendered"


def test_only_logistics_sources_post_steps(client, db) -> None:  # type: ignore[no-untyped-def]
    c = new_chain(client, db)
    step = body(c.bl.key, 1, "issue", to={"uscc": BUYER})
    for caller in (c.firms.banks[0], c.firms.enterprise, c.firms.customs, c.firms.insurer):
        refused = post_step(client, caller, c.signer, step)
        assert refused.status_code == 403 and refused.json()["type"].endswith("/forbidden")
    anonymous = client.post("/v1/ebl/steps", json={"note": "x"})
    assert anonymous.status_code == 401
    assert _steps(db) == 0
