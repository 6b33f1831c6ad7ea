"""The authorization matrix's requests for supervision: alerts, their rules, and cases.

Each relation's world has its enterprise's alerts (raised in its jurisdiction: 440305 for
own, other and consented, under regulator R; 310115 for other_jurisdiction, under S) and
cases opened from them by the regulator over it. Reads name one kept record per relation;
writes take a fresh alert or case each time. The enterprise page names the relation's
enterprise (own: E, other: H, consented: F, other_jurisdiction: G), whoever calls.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.alerts import AlertKind, raise_alert
from crossfin.parties.models import Organization
from crossfin.supervision.casework import service as cases

if TYPE_CHECKING:
    from support.authz import Build, Req, Route, Spec, Who, World


def alert(w: World, rel: str, subject: bool = True) -> int:
    """A new alert filed in the jurisdiction of `rel`'s enterprise (about it, if `subject`)."""
    from support.authz import WORLDS

    firm = w.org[WORLDS[rel][0]]

    def raise_one(uow: UnitOfWork) -> int:
        org = uow.session.get_one(Organization, firm)
        raised = raise_alert(
            uow,
            AlertKind.OVERDUE,
            subject_org_id=org.id if subject else None,
            jurisdiction_path=org.jurisdiction_path,
            details={"matrix": rel},
        )
        assert raised is not None
        return int(raised[0].id)

    return int(w._run(w.acting["R"], raise_one))


def loose_alert(w: World, rel: str) -> int:
    """A new alert filed in `rel`'s jurisdiction about no enterprise: it joins no case as
    it is raised (an alert about a firm joins the firm's open case, which an earlier cell
    may have opened), so an analyst may open one from it."""
    return alert(w, rel, subject=False)


def case(w: World, rel: str) -> int:
    """A new case opened by the regulator over `rel`'s world from a new alert; the alert
    names no enterprise, so that it never joins another cell's open case."""
    regulator = w.acting["S" if rel == "other_jurisdiction" else "R"]
    alert_id = alert(w, rel, subject=False)
    return int(w._run(regulator, lambda uow: cases.open_case(uow, regulator, alert_id)[0].id))


def specs() -> dict[tuple[str, str], Spec]:
    from support.authz import MISSING, Req, Spec, _fresh_post, _get

    def kept(make: Any, fmt: str) -> Spec:
        """A read of one record per relation, made once."""

        def build(w: World, r: Route, who: Who | None, rel: str) -> Req:
            value = 987654 if rel == MISSING else w.fresh(r, rel, lambda: make(w, rel))
            return Req("GET", fmt.format(value), ident=str(value))

        return Spec(build, record=True)

    def assign_body(page: bool) -> Build:
        def build(w: World, r: Route, who: Who | None, rel: str) -> Req:
            analyst = w.callers[("regulator", "admin")].principal_id
            prefix = "/cases/{}/assign" if page else "/v1/cases/{}/assign"
            body = {"principal_id": analyst}
            return _fresh_post(prefix, case, body, page=page).build(w, r, who, rel)

        return build

    def enterprise(fmt: str) -> Spec:
        """The page of the relation's enterprise (a business record, whoever asks)."""

        def build(w: World, r: Route, who: Who | None, rel: str) -> Req:
            from support.authz import WORLDS

            org = 987654 if rel == MISSING else w.org[WORLDS[rel][0]]
            return Req("GET", fmt.format(org), ident=str(org))

        return Spec(build, record=True)

    rule = {"kind": "overdue", "scope": "440000", "enabled": True, "reason": "matrix"}
    post_rule: Build = lambda w, r, who, rel: Req("POST", "/v1/alert-rules", json=rule)  # noqa: E731
    form = {"kind": "overdue", "scope": "440000", "enabled": "on", "reason": "matrix"}
    post_rule_page: Build = lambda w, r, who, rel: Req("POST", "/alert-rules", data=form)  # noqa: E731
    move = {"to": "investigating"}
    note = {"text": "matrix"}
    return {
        ("GET", "/v1/alerts/{alert_id}"): kept(alert, "/v1/alerts/{}"),
        ("POST", "/v1/alerts/{alert_id}/case"): _fresh_post("/v1/alerts/{}/case", loose_alert, {}),
        ("GET", "/v1/alert-rules"): Spec(_get("/v1/alert-rules")),
        ("POST", "/v1/alert-rules"): Spec(post_rule),
        ("GET", "/v1/cases"): Spec(_get("/v1/cases")),
        ("GET", "/v1/cases/{case_id}"): kept(case, "/v1/cases/{}"),
        ("POST", "/v1/cases/{case_id}/assign"): Spec(assign_body(False), record=True),
        ("POST", "/v1/cases/{case_id}/transition"): _fresh_post(
            "/v1/cases/{}/transition", case, move
        ),
        ("POST", "/v1/cases/{case_id}/notes"): _fresh_post("/v1/cases/{}/notes", case, note),
        ("GET", "/v1/enterprises/{org_id}/overview"): enterprise("/v1/enterprises/{}/overview"),
        ("GET", "/enterprises/{org_id}"): enterprise("/enterprises/{}"),
        ("GET", "/alerts/{alert_id}"): kept(alert, "/alerts/{}"),
        ("POST", "/alerts/{alert_id}/case"): _fresh_post(
            "/alerts/{}/case", loose_alert, {}, page=True
        ),
        ("GET", "/alert-rules"): Spec(_get("/alert-rules")),
        ("POST", "/alert-rules"): Spec(post_rule_page),
        ("GET", "/cases"): Spec(_get("/cases")),
        ("GET", "/cases/{case_id}"): kept(case, "/cases/{}"),
        ("POST", "/cases/{case_id}/assign"): Spec(assign_body(True), record=True),
        ("POST", "/cases/{case_id}/transition"): _fresh_post(
            "/cases/{}/transition", case, move, page=True
        ),
        ("POST", "/cases/{case_id}/notes"): _fresh_post("/cases/{}/notes", case, note, page=True),
        # Statistics: the caller's own subtree (denials beside it: tests/supervision).
        ("GET", "/v1/stats"): Spec(_get("/v1/stats?group_by=province")),
        ("GET", "/v1/stats/top-enterprises"): Spec(_get("/v1/stats/top-enterprises")),
        ("GET", "/dashboard"): Spec(_get("/dashboard")),
    }
