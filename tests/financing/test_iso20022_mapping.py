"""tsin.001 read into an application: amounts, shares, scenario, due date; refusals by XPath."""

from __future__ import annotations

from copy import deepcopy

import pytest

from crossfin.core.iso20022 import MessageInvalid
from crossfin.financing.iso20022.schemas import SCHEMAS, TSIN_001
from crossfin.financing.iso20022.tsin import Request, read_request
from support.iso20022 import Doc, tsin001

USCC = "91440300MA5DC6QX9C"
DECL = "530120260000012345"


def _read(data: bytes) -> Request:
    return read_request(SCHEMAS.parse(data, (TSIN_001,)))


def _two_invoices(second_asks: str | None) -> bytes:
    """The sample with a second invoice (due later) on the same declaration and a policy;
    the second asks `second_asks` percent of its total (None: all of it)."""
    d = Doc(tsin001(USCC, [("customs_declaration", DECL, "600.00")], "600.00", "LN-2"))
    first = d.one("InvcFincgReq/InvcReqInf")
    second = deepcopy(first)
    d.one("InvcFincgReq").append(second)
    d.set("InvcGnlInf/DocNb", "INV-2", second)
    d.set("InvcTtlsInf/TtlInvcAmt", "1000.00", second)
    d.set("InvcTtlsInf/PmtDueDt", "2026-12-31", second)
    asked = d.one("ReqdAmt", second)
    asked.remove(d.one("Amt", asked))
    if second_asks is None:
        second.remove(asked)
    else:
        d.child(asked, "Rate", second_asks)
    d.set("RfrdDoc/DocAmt", "400.00", second)
    policy = d.child(second, "RfrdDoc")
    d.child(policy, "Tp/Prtry", "insurance_policy")
    d.child(policy, "DocNb", "SIN-2026-0042")
    group = d.one("InvcFincgReq/ReqGrpInf")
    group.remove(d.one("AddtlInf", group))
    return d.bytes()


def test_invoices_add_up_and_shares_merge() -> None:
    request = _read(_two_invoices("40"))
    data = request.data
    assert (data.amount, data.currency, data.external_ref) == ("1000.00", "USD", "LN-2")
    assert data.scenario == "F4"  # a policy and a declaration: only F4 takes both
    assert str(data.due_date) == "2026-12-31"  # the latest invoice's
    shares = {(s.kind, s.key): s.amount for s in data.documents}
    assert shares == {
        ("customs_declaration", DECL): "1000.00",
        ("insurance_policy", "SIN-2026-0042"): None,
    }
    assert [i.asked for i in request.invoices] == [600, 400]


def test_no_requested_amount_asks_the_whole_invoice() -> None:
    assert _read(_two_invoices(None)).data.amount == "1600.00"


def test_kinds_pick_the_scenario() -> None:
    for kind, scenario in (("customs_declaration", "F1"), ("bill_of_lading", "F5")):
        data = tsin001(USCC, [(kind, "K-1", None)], "10.00", "LN-3", scenario=None)
        assert _read(data).data.scenario == scenario


@pytest.mark.parametrize(
    ("edit", "path", "reason"),
    [
        (
            lambda b: b.replace(b"<Prtry>customs_declaration</Prtry>", b"<Prtry>railway</Prtry>"),
            "/Document/InvcFincgReq/ReqGrpInf/AddtlInf",
            "no scenario takes railway",
        ),
        (
            lambda b: b.replace(b'<Amt Ccy="USD">', b'<Amt Ccy="EUR">'),
            "/Document/InvcFincgReq/InvcReqInf[1]/ReqdAmt/Amt",
            "currency EUR is not ReqGrpInf/Ccy USD",
        ),
        (
            lambda b: b.replace(b"<DocNb>" + DECL.encode() + b"</DocNb>", b""),
            "/Document/InvcFincgReq/InvcReqInf[1]/RfrdDoc[1]/DocNb",
            "must give the document's key",
        ),
        (
            lambda b: b.replace(b"<GrpId>LN-4</GrpId>", b"<GrpId>LN 4</GrpId>"),
            "/Document/InvcFincgReq/ReqGrpInf/GrpId",
            "external_ref",
        ),
    ],
)
def test_what_cannot_be_mapped_is_named(edit, path, reason) -> None:  # type: ignore[no-untyped-def]
    good = tsin001(USCC, [("customs_declaration", DECL, None)], "10.00", "LN-4", scenario=None)
    with pytest.raises(MessageInvalid) as caught:
        _read(edit(good))
    [problem] = caught.value.problems
    assert (problem.path, problem.rule) == (path, "mapping")
    assert reason in problem.message
