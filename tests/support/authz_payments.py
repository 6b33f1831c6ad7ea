"""The authorization matrix's payment routes: the records they name, the requests.

Kept beside support/authz.py (merged into its SPECS): a freight invoice of each world's
enterprise comes from the tax source T; payments are submitted by the world's bank maker
through the one submission function, and moved on by its checker and maker.
"""

from __future__ import annotations

import base64
import itertools
from typing import TYPE_CHECKING, Any

from crossfin.documents.kinds.registry import get_kind
from crossfin.ledger.uow import Transactions
from crossfin.payments import submission, transitions
from crossfin.payments.schemas import PaymentIn
from crossfin.payments.service import Submitted
from support.financing import insert_document

if TYPE_CHECKING:
    from support.authz import Build, Req, Route, Spec, Who, World

_seq = itertools.count(1)
PAYEE = {"name": "Maersk A/S", "country": "DK", "account": "DK5000400440116243"}


def invoice(w: World, firm: str) -> str:
    """A fresh freight invoice bought by `firm`; its key."""
    record = {
        "invoice_no": f"2544209{next(_seq):013d}",
        "seller_uscc": "91440300MA5DC6QX9C",
        "buyer_uscc": w.uscc[firm],
        "currency": "CNY",
        "amount": "710.00",
        "tax_amount": "0.00",
        "issue_date": "2026-11-20",
        "category": "freight",
    }
    insert_document(w.db, "vat_invoice", record, w.org["T"], w.org[firm])
    return get_kind("vat_invoice").key_of(record)


def _full(w: World, firm: str) -> dict[str, str]:
    return {
        "amount": "710.00",
        "tax_amount": "0.00",
        "seller_uscc": "91440300MA5DC6QX9C",
        "buyer_uscc": w.uscc[firm],
        "currency": "CNY",
        "issue_date": "2026-11-20",
        "category": "freight",
    }


def body(w: World, firm: str, key: str) -> dict[str, Any]:
    return {
        "scenario": "P3",
        "external_ref": f"MXP-{next(_seq):08d}",
        "payer_uscc": w.uscc[firm],
        "payee": PAYEE,
        "amount": "100.00",
        "currency": "USD",
        # Full documents: the matrix sets some of its firms to class B (PUT trade-class).
        "documents": [{"key": key, "fields": _full(w, firm)}],
        "fx_rates": {"USD/CNY": "7.10"},
    }


def payment(w: World, rel: str, state: str = "submitted") -> int:
    """A fresh payment of the world `rel`, moved to `state`."""
    from support.authz import WORLDS

    firm, bank, _ = WORLDS[rel]
    maker, checker = w.maker[bank], w.checker[bank]
    data = PaymentIn.model_validate(body(w, firm, invoice(w, firm)))
    [done], _ = submission.submit(Transactions.own(w.db, maker.actor), maker, [data])
    assert isinstance(done, Submitted), done
    pid = done.payment_id
    if state in ("approved", "paid"):
        w._run(checker, lambda uow: transitions.approve(uow, checker, pid))
    if state == "paid":
        w._run(maker, lambda uow: transitions.pay(uow, maker, pid))
    return pid


def _submit(w: World, r: Route, who: Who | None, rel: str) -> Req:
    from support.authz import MISSING, WORLDS, Req

    req = Req("POST", "/v1/payments")
    firm = WORLDS["own" if rel == MISSING else rel][0]
    key = w.fresh(r, rel, lambda: invoice(w, firm), req=req)
    req.json = body(w, firm, key)
    return req


def _submit_iso(w: World, r: Route, who: Who | None, rel: str) -> Req:
    from support.authz import MISSING, WORLDS, Req
    from support.iso20022 import pacs008_of

    req = Req("POST", "/v1/payments/iso20022", headers={"Content-Type": "application/xml"})
    firm = WORLDS["own" if rel == MISSING else rel][0]
    key = w.fresh(r, rel, lambda: invoice(w, firm), req=req)
    req.content = pacs008_of(body(w, firm, key))
    return req


def _upload(w: World, r: Route, who: Who | None, rel: str) -> Req:
    from support.authz import MISSING, WORLDS, Req

    req = Req("POST", "/v1/payments/uploads?format=csv", headers={"Content-Type": "text/csv"})
    firm = WORLDS["own" if rel == MISSING else rel][0]
    key = w.fresh(r, rel, lambda: invoice(w, firm), req=req)
    b = body(w, firm, key)
    header = "external_ref,payer_uscc,payee_name,payee_country,payee_account,amount,currency,"
    header += "fx_rate,invoice_no,invoice_amount,invoice_tax_amount\n"
    line = f"{b['external_ref']},{b['payer_uscc']},{PAYEE['name']},DK,{PAYEE['account']},"
    line += f"100.00,USD,7.10,{key},710.00,0.00\n"
    req.content = (header + line).encode()
    return req


def _upload_page(w: World, r: Route, who: Who | None, rel: str) -> Req:
    req = _upload(w, r, who, rel)
    req.url, req.headers = "/payments/upload", {}
    req.files = {"file": ("freight.csv", req.content or b"", "text/csv")}
    req.content = None
    return req


def _p2_page(w: World, r: Route, who: Who | None, rel: str) -> Req:
    """The portal's P2 form: a payment below the threshold (no filing) for the world's firm."""
    from support.authz import MISSING, WORLDS, Req

    firm = WORLDS["own" if rel == MISSING else rel][0]
    form = {
        "external_ref": f"MXS-{next(_seq):08d}",
        "payer_uscc": w.uscc[firm],
        "payee_name": "Acme Consulting GmbH",
        "payee_country": "DE",
        "payee_bic": "DEUTDEFF",
        "amount": "100.00",
        "currency": "USD",
    }
    return Req("POST", "/payments/p2", data=form)


PDF = b"%PDF-1.4\n% matrix\n%%EOF\n"
PAPERS = {
    "files": [
        {
            "name": "resolution.pdf",
            "media_type": "application/pdf",
            "content": base64.b64encode(PDF).decode(),
        }
    ]
}


def p1_task(w: World, rel: str, papers: bool = False) -> int:
    """A fresh P1 review task of the world `rel`: its firm (class A again: the matrix sets
    some to B) pays by P1, a checkpoint is signed, a sample at 100 % drawn."""
    from crossfin.ledger.checkpointer import checkpoint_now
    from crossfin.parties.classes import service as classes
    from crossfin.payments import sampling
    from support.authz import WORLDS

    firm, bank, _ = WORLDS[rel]
    regulator = w.acting["S" if rel == "other_jurisdiction" else "R"]
    w._run(
        regulator,
        lambda uow: classes.classify(
            uow, regulator, w.org[firm], classes.ClassChange("A", f"matrix: P1 is A {next(_seq)}")
        ),
    )
    data = body(w, firm, invoice(w, firm)) | {"scenario": "P1", "source_of_funds": "capital"}
    maker = w.maker[bank]
    [done], _ = submission.submit(
        Transactions.own(w.db, maker.actor), maker, [PaymentIn.model_validate(data)]
    )
    assert isinstance(done, Submitted), done
    operator = w.acting["O"]
    with w.db.session(readonly=True) as session:
        rate = sampling.current_rate(session)[1]
    if rate != 10_000:
        w._run(operator, lambda uow: sampling.set_rate(uow, None, 10_000, "matrix: every one"))
    checkpoint_now(w.db, w.settings, wait=5)
    w._run(operator, lambda uow: sampling.draw(uow, None, 0))
    with w.db.session(readonly=True) as session:
        from sqlalchemy import select

        from crossfin.payments.p1_models import P1ReviewTask

        task_id = session.scalar(
            select(P1ReviewTask.id).where(P1ReviewTask.payment_id == done.payment_id)
        )
    assert task_id is not None
    if papers:
        paper = sampling.Paper("resolution.pdf", "application/pdf", PDF)
        w._run(maker, lambda uow: sampling.upload_papers(uow, maker, task_id, [paper]))
    return int(task_id)


def _task_get(papers: bool = False) -> Spec:
    from support.authz import _NO_ID, MISSING, Req, Spec

    def build(w: World, r: Route, who: Who | None, rel: str) -> Req:
        if rel == MISSING:
            url = f"/v1/p1-review-tasks/{_NO_ID}" + ("/papers/1" if papers else "")
            return Req("GET", url, ident=str(_NO_ID))
        task = w.fresh(r, rel, lambda: p1_task(w, rel, papers))  # read: never spent
        url = f"/v1/p1-review-tasks/{task}"
        if papers:
            from sqlalchemy import select

            from crossfin.payments.p1_models import P1ReviewPaper

            with w.db.session(readonly=True) as session:
                paper = session.scalar(
                    select(P1ReviewPaper.id).where(P1ReviewPaper.task_id == task)
                )
            url += f"/papers/{paper}"
        return Req("GET", url, ident=str(task))

    return Spec(build, record=True)


def _sample_get(w: World, r: Route, who: Who | None, rel: str) -> Req:
    from support.authz import Req

    task = w.fresh(r, "sample", lambda: p1_task(w, "own"))
    from crossfin.payments.p1_models import P1ReviewTask

    with w.db.session(readonly=True) as session:
        row = session.get(P1ReviewTask, task)
        assert row is not None
        return Req("GET", f"/v1/p1-samples/{row.sample_id}")


def _papers_page(w: World, r: Route, who: Who | None, rel: str) -> Req:
    from support.authz import _NO_ID, MISSING, Req

    req = Req("POST", "", ident=str(_NO_ID))
    task = _NO_ID if rel == MISSING else w.fresh(r, rel, lambda: p1_task(w, rel), req=req)
    req.url, req.ident = f"/p1-reviews/{task}/papers", str(task)
    req.data = {}
    req.files = {"files": ("resolution.pdf", PDF, "application/pdf")}
    return req


def shipment(w: World, firm: str) -> tuple[str, str]:
    """A fresh matching shipment of `firm` (a B/L from the carrier L, an overseas declaration
    from V, two DCSA events); its B/L and declaration numbers."""
    n = next(_seq)
    bl_no, box = f"MXBL{n:08d}", "MSKU1234565"
    bl = {
        "bl_no": bl_no,
        "shipper_uscc": w.uscc[firm],
        "consignee": "Lion City Trading Pte Ltd",
        "port_of_loading": "DEHAM",
        "port_of_discharge": "SGSIN",
        "vessel": "King of the Seas",
        "voyage": "2103S",
        "containers": [box],
        "issue_date": "2026-11-03",
        "negotiable": True,
    }
    insert_document(w.db, "bill_of_lading", bl, w.org["L"], w.org[firm])
    declaration = {
        "declaration_no": f"26DEMX{n:010d}",
        "declaring_country": "DE",
        "declaration_type": "export",
        "enterprise_uscc": w.uscc[firm],
        "exporter_name": "Rhein Maschinen GmbH",
        "exporter_country": "DE",
        "importer_name": "Lion City Trading Pte Ltd",
        "importer_country": "SG",
        "transport_document_no": bl_no,
        "vessel": "King of the Seas",
        "voyage": "2103S",
        "port_of_loading": "DEHAM",
        "port_of_discharge": "SGSIN",
        "containers": [box],
        "goods_description": "CNC milling machines",
        "hs_code": "845961",
        "quantity": "12",
        "quantity_unit": "PCE",
        "gross_weight_kg": "18400",
        "invoice_value": "960000.00",
        "currency": "EUR",
        "acceptance_date": "2026-11-02",
    }
    insert_document(w.db, "overseas_customs_declaration", declaration, w.org["V"], w.org[firm])
    for code, kind, when in (
        ("DEPA", "TRANSPORT", "2026-11-04T02:00:00Z"),
        ("LOAD", "EQUIPMENT", "2026-11-03T10:00:00Z"),
    ):
        event = {
            "event_id": f"MXEV-{next(_seq):08d}",
            "event_type": kind,
            "classifier": "ACT",
            "event_code": code,
            "event_datetime": when,
            "party_uscc": w.uscc[firm],
            "location": "DEHAM",
            "vessel": "King of the Seas",
            "voyage": "2103S",
            "transport_document_refs": [bl_no],
        } | ({"equipment": box} if kind == "EQUIPMENT" else {})
        insert_document(w.db, "transport_event", event, w.org["L"], w.org[firm])
    return bl_no, str(declaration["declaration_no"])


def offshore_body(w: World, firm: str, docs: tuple[str, str]) -> dict[str, Any]:
    return {
        "external_ref": f"MXO-{next(_seq):08d}",
        "enterprise_uscc": w.uscc[firm],
        "contract": {
            "number": "SC-MX-1",
            "amount": "1000000.00",
            "currency": "EUR",
            "buyer": {"name": "Lion City Trading Pte Ltd", "country": "SG"},
            "seller": {"name": "Rhein Maschinen GmbH", "country": "DE"},
        },
        "bill_of_lading": docs[0],
        "declaration": docs[1],
        "containers": ["MSKU1234565"],
    }


def offshore_check(w: World, rel: str) -> int:
    """A fresh P4 check of the world `rel`, run by its bank's maker."""
    from crossfin.payments.offshore import service
    from crossfin.payments.offshore.schemas import CheckIn
    from support.authz import WORLDS

    firm, bank, _ = WORLDS[rel]
    maker = w.maker[bank]
    data = CheckIn.model_validate(offshore_body(w, firm, shipment(w, firm)))
    done, _ = service.check_offshore(Transactions.own(w.db, maker.actor), maker, data)
    assert isinstance(done, service.Done), done
    return done.check.id


def _offshore_submit(w: World, r: Route, who: Who | None, rel: str) -> Req:
    from support.authz import MISSING, WORLDS, Req

    req = Req("POST", "/v1/payments/offshore-checks")
    firm = WORLDS["own" if rel == MISSING else rel][0]
    docs = w.fresh(r, rel, lambda: shipment(w, firm), req=req)
    req.json = offshore_body(w, firm, docs)
    return req


def _offshore_page(w: World, r: Route, who: Who | None, rel: str) -> Req:
    """The portal's check form, filled for a fresh shipment of the relation's firm."""
    req = _offshore_submit(w, r, who, rel)
    body = req.json or {}
    contract = body["contract"]
    req.url, req.json = "/offshore-checks", None
    req.data = {
        "external_ref": body["external_ref"],
        "enterprise_uscc": body["enterprise_uscc"],
        "contract_no": contract["number"],
        "amount": contract["amount"],
        "currency": contract["currency"],
        "buyer_name": contract["buyer"]["name"],
        "buyer_country": contract["buyer"]["country"],
        "seller_name": contract["seller"]["name"],
        "seller_country": contract["seller"]["country"],
        "bill_of_lading": body["bill_of_lading"],
        "declaration": body["declaration"],
        "containers": " ".join(body["containers"]),
    }
    return req


def specs() -> dict[tuple[str, str], Spec]:
    from support.authz import Req, Spec, _fresh_post, _get, _record_get

    def fresh(action: str, state: str, data: Any = None) -> Spec:
        return _fresh_post("/v1/payments/{}/" + action, lambda w, rel: payment(w, rel, state), data)

    gates = {
        "changes": [{"scenario": "P3", "trade_class": "A", "treatment": "facilitated"}],
        "reason": "matrix: the default again",
    }
    post_gates: Build = lambda w, r, who, rel: Req("POST", "/v1/class-gates", json=gates)  # noqa: E731
    post_scope: Build = lambda w, r, who, rel: Req(  # noqa: E731
        "POST", "/v1/payment-scopes/P3", json={"codes": [], "reason": "matrix: everywhere"}
    )
    post_threshold: Build = lambda w, r, who, rel: Req(  # noqa: E731
        "POST",
        "/v1/payment-thresholds/P2",
        json={"amount": "50000.00", "reason": "matrix: the default again"},
    )
    rate = {"rate_bp": 10_000, "reason": "matrix: every one"}
    post_rate: Build = lambda w, r, who, rel: Req("POST", "/v1/p1-sample-rate", json=rate)  # noqa: E731
    draw: Build = lambda w, r, who, rel: Req("POST", "/v1/p1-samples")  # noqa: E731
    review = {"outcome": "compliant", "note": "matrix"}
    tolerances = {"changes": {"quantity_pct": 5}, "reason": "matrix: the default again"}
    post_tolerances: Build = lambda w, r, who, rel: Req(  # noqa: E731
        "POST", "/v1/offshore-tolerances", json=tolerances
    )
    checks = "/v1/payments/offshore-checks"
    return {
        ("POST", checks): Spec(_offshore_submit, record=True),
        ("GET", checks): Spec(_get(checks)),
        ("GET", checks + "/{check_id}"): _record_get(checks + "/{}", "offshore_check"),
        ("GET", checks + "/{check_id}/report.pdf"): _record_get(
            checks + "/{}/report.pdf", "offshore_check"
        ),
        ("GET", "/v1/offshore-tolerances"): Spec(_get("/v1/offshore-tolerances")),
        ("POST", "/v1/offshore-tolerances"): Spec(post_tolerances),
        ("GET", "/offshore-checks"): Spec(_get("/offshore-checks")),
        ("POST", "/offshore-checks"): Spec(_offshore_page, record=True),
        ("GET", "/offshore-checks/{check_id}"): _record_get(
            "/offshore-checks/{}", "offshore_check"
        ),
        ("GET", "/offshore-checks/{check_id}/report.pdf"): _record_get(
            "/offshore-checks/{}/report.pdf", "offshore_check"
        ),
        ("GET", "/v1/p1-sample-rate"): Spec(_get("/v1/p1-sample-rate")),
        ("POST", "/v1/p1-sample-rate"): Spec(post_rate),
        ("POST", "/v1/p1-samples"): Spec(draw),
        ("GET", "/v1/p1-samples"): Spec(_get("/v1/p1-samples")),
        ("GET", "/v1/p1-samples/{sample_id}"): Spec(_sample_get),
        ("GET", "/v1/p1-review-tasks"): Spec(_get("/v1/p1-review-tasks")),
        ("GET", "/v1/p1-review-tasks/{task_id}"): _task_get(),
        ("GET", "/v1/p1-review-tasks/{task_id}/papers/{paper_id}"): _task_get(papers=True),
        ("POST", "/v1/p1-review-tasks/{task_id}/papers"): _fresh_post(
            "/v1/p1-review-tasks/{}/papers", lambda w, rel: p1_task(w, rel), PAPERS
        ),
        ("POST", "/v1/p1-review-tasks/{task_id}/review"): _fresh_post(
            "/v1/p1-review-tasks/{}/review", lambda w, rel: p1_task(w, rel), review
        ),
        ("POST", "/v1/payments"): Spec(_submit, record=True),
        ("POST", "/v1/payments/iso20022"): Spec(_submit_iso, record=True),
        ("POST", "/v1/payments/uploads"): Spec(_upload, record=True),
        ("GET", "/v1/payments/template.csv"): Spec(_get("/v1/payments/template.csv")),
        ("GET", "/v1/payments"): Spec(_get("/v1/payments")),
        ("GET", "/v1/payments/{payment_id}"): _record_get("/v1/payments/{}", "payment"),
        ("POST", "/v1/payments/{payment_id}/approve"): fresh("approve", "submitted"),
        ("POST", "/v1/payments/{payment_id}/pay"): fresh("pay", "approved"),
        ("POST", "/v1/payments/{payment_id}/return"): fresh("return", "paid", {"reason": "matrix"}),
        ("POST", "/v1/payments/{payment_id}/cancel"): fresh(
            "cancel", "submitted", {"reason": "matrix"}
        ),
        ("GET", "/v1/class-gates"): Spec(_get("/v1/class-gates")),
        ("POST", "/v1/class-gates"): Spec(post_gates),
        ("GET", "/v1/payment-scopes"): Spec(_get("/v1/payment-scopes")),
        ("POST", "/v1/payment-scopes/{scenario}"): Spec(post_scope),
        ("GET", "/v1/payment-thresholds"): Spec(_get("/v1/payment-thresholds")),
        ("POST", "/v1/payment-thresholds/{scenario}"): Spec(post_threshold),
        # -- the portal
        ("GET", "/p1-reviews"): Spec(_get("/p1-reviews")),
        ("POST", "/p1-reviews/draw"): Spec(
            lambda w, r, who, rel: Req("POST", "/p1-reviews/draw", data={})
        ),
        ("POST", "/p1-reviews/{task_id}/papers"): Spec(_papers_page, record=True),
        ("POST", "/p1-reviews/{task_id}/review"): _fresh_post(
            "/p1-reviews/{}/review", lambda w, rel: p1_task(w, rel), review, page=True
        ),
        ("GET", "/payments"): Spec(_get("/payments")),
        ("POST", "/payments/upload"): Spec(_upload_page, record=True),
        ("POST", "/payments/p2"): Spec(_p2_page, record=True),
        ("POST", "/payments/{payment_id}/{action}"): _fresh_post(
            "/payments/{}/approve", lambda w, rel: payment(w, rel), page=True
        ),
    }
