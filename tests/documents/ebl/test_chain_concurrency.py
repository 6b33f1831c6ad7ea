"""Chain rules under concurrent requests (a live uvicorn, threads), on SQLite and PostgreSQL."""

from __future__ import annotations

from crossfin.documents.ebl.body import sign_step
from support.documents import live_server
from support.ebl import body, new_chain, post_step, read_chain
from support.financing import application
from support.financing_storm import http_storm
from support.parties import uscc_for

STEPS = "/v1/ebl/steps"


def test_racing_endorsements_one_wins(client, db, settings) -> None:  # type: ignore[no-untyped-def]
    c = new_chain(client, db)
    issued = post_step(client, c.source, c.signer, body(c.bl.key, 1, "issue", to={"name": "A"}))
    assert issued.status_code == 201
    notes = [
        sign_step(body(c.bl.key, 2, "endorse", to={"uscc": uscc_for("440305", 7100 + i)}), c.signer)
        for i in range(6)
    ]
    with live_server(settings, db) as base:
        outcomes = http_storm(base, [(c.source.headers, {"note": n}, STEPS) for n in notes])
    assert sorted(o.status for o in outcomes) == [201, 409, 409, 409, 409, 409]
    chain = read_chain(client, c.source, c.bl.key).json()
    assert [s["seq"] for s in chain["steps"]] == [1, 2]


def test_financing_and_endorsement_race(client, db, settings) -> None:  # type: ignore[no-untyped-def]
    """Never both: either the financing wins (201) and the endorsement then meets its pledge
    (409), or the endorsement wins and the financing then meets the new holder (422)."""
    c = new_chain(client, db)
    post_step(client, c.source, c.signer, body(c.bl.key, 1, "issue", to={"uscc": c.firms.uscc}))
    note = sign_step(body(c.bl.key, 2, "endorse", to={"name": "Buyer"}), c.signer)
    loan = application(c.firms, [c.bl], "100.00", scenario="F5")
    with live_server(settings, db) as base:
        step, financing = http_storm(
            base,
            [
                (c.source.headers, {"note": note}, STEPS),
                (c.firms.banks[0].headers, loan, "/v1/financings"),
            ],
        )
    chain = read_chain(client, c.source, c.bl.key).json()
    if financing.status == 201:
        assert step.status == 409, step.body
        assert step.body["type"].endswith("/ebl-pledged-by-financing")
        assert [s["seq"] for s in chain["steps"]] == [1] and chain["pledged"] is True
    else:
        assert financing.status == 422, financing.body
        assert financing.body["type"].endswith("/ebl-not-holder")
        assert step.status == 201, step.body
        assert [s["seq"] for s in chain["steps"]] == [1, 2] and chain["pledged"] is False
