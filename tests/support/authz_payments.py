"""The authorization matrix's payment routes: the records they name, the requests.

Kept beside support/authz.py (merged into its SPECS): a freight invoice of each world's
enterprise comes from the tax source T; payments are submitted by the world's bank maker
through the one submission function, and moved on by its checker and maker.
"""

from __future__ import annotations

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
    return {
        ("POST", "/v1/payments"): Spec(_submit, record=True),
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
        ("GET", "/payments"): Spec(_get("/payments")),
        ("POST", "/payments/upload"): Spec(_upload_page, record=True),
        ("POST", "/payments/p2"): Spec(_p2_page, record=True),
        ("POST", "/payments/{payment_id}/{action}"): _fresh_post(
            "/payments/{}/approve", lambda w, rel: payment(w, rel), page=True
        ),
    }
