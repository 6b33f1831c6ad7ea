"""A P4 endorsement and an F5 financing racing for the same B/L, over HTTP from two banks:
on both databases one of them gets it, never both (promise 1: one balance per document,
whichever domain uses it), and the loser's answer is the 409 its domain gives."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from crossfin.documents.models import DocumentBalance
from crossfin.financing.models import Financing
from crossfin.payments.offshore.models import OffshoreCheck
from support.financing import application
from support.financing_storm import Post, http_storm, live_server
from support.offshore import check_body, make_shipment, make_trader
from support.stats import assert_stats_match_recount

ROUNDS = 8


def test_an_endorsement_and_a_financing_never_share_a_bl(app, db) -> None:  # type: ignore[no-untyped-def]
    t = make_trader(db, banks=2)
    shipments = [make_shipment(db, t, cargo_value="900000.00") for _ in range(ROUNDS)]
    posts: list[Post] = []
    for s in shipments:
        posts.append((t.banks[0].headers, check_body(t, s), "/v1/payments/offshore-checks"))
        f5 = application(t, [s.bl], "50000.00", scenario="F5", currency="EUR")  # type: ignore[arg-type]
        posts.append((t.banks[1].headers, f5, "/v1/financings"))
    with live_server(app) as base:
        outcomes = http_storm(base, posts)
    assert not [o for o in outcomes if o.status >= 500], outcomes
    for i, s in enumerate(shipments):
        check, financing = outcomes[2 * i], outcomes[2 * i + 1]
        statuses = sorted([check.status, financing.status])
        assert statuses == [201, 409], (check, financing)
        loser = check if check.status == 409 else financing
        wanted = "/already-used" if loser is check else "/duplicate-financing"
        assert loser.body["type"].endswith(wanted), loser.body
        if loser is check:
            # Named by kind and key, never by who holds it.
            assert s.bl.key in loser.body["detail"] and "bank" not in loser.body["detail"].lower()
    with db.session(readonly=True) as session:
        passed = {c.bl_key for c in session.scalars(select(OffshoreCheck)) if c.outcome == "passed"}
        financed_ids = {f.external_ref for f in session.scalars(select(Financing))}
        balances = {s.bl.key: session.get(DocumentBalance, s.bl.id) for s in shipments}
    winners = Counter(
        "check" if outcomes[2 * i].status == 201 else "financing" for i in range(ROUNDS)
    )
    assert sum(winners.values()) == ROUNDS, winners
    assert len(passed) == winners["check"] and len(financed_ids) == winners["financing"]
    for s in shipments:
        balance = balances[s.bl.key]
        assert balance is not None and balance.used_minor <= s.bl.value_minor
        if s.bl.key in passed:
            assert balance.used_minor == s.bl.value_minor  # endorsed whole
    assert_stats_match_recount(db)  # the cells equal a recount after the storm
