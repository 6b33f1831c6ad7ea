"""Unseen invalid ISO 20022 messages: mutations of the samples are refused naming an XPath,
never with another exception (and over HTTP, never a 500)."""

from __future__ import annotations

from xml.etree.ElementTree import ParseError, fromstring, tostring

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crossfin.core.iso20022 import MessageInvalid
from crossfin.financing.iso20022.schemas import SCHEMAS as FINANCING
from crossfin.financing.iso20022.schemas import TSIN_001, TSIN_003
from crossfin.financing.iso20022.tsin import read_cancellation, read_request
from crossfin.payments.iso20022.service import read as read_payment
from support.iso20022 import FEDNOW, FEDWIRE, PAIN, transfer, tsin001, tsin003
from support.payments import make_forwarders

USCC = "91440300MA5DC6QX9C"
INVOICE = "25442000000123456789"
DOCS = [("vat_invoice", INVOICE, "8480.00", "480.00")]
SAMPLES = {
    "tsin.001": tsin001(USCC, [("customs_declaration", "530120260000012345", None)], "1.00", "R"),
    "tsin.003": tsin003("R"),
    "fednow": transfer(FEDNOW, USCC, "E", "1000.00", DOCS),
    "fedwire": transfer(FEDWIRE, USCC, "E", "1000.00", DOCS),
    "pain": transfer(PAIN, USCC, "E", "1000.00", DOCS),
}
VALUES = st.sampled_from(
    [
        "",
        " ",
        "XXXX",
        "-1",
        "1e5",
        "12.345.6",
        "2026-02-30",
        "12026-01-01",
        "-2026-01-01",
        "ÿ" * 400,
    ]
)


def _read(data: bytes) -> object:
    """Every reader a message may reach, as the routes call them."""
    try:
        msg = FINANCING.parse(data, (TSIN_001, TSIN_003))
    except MessageInvalid as exc:
        if exc.problems[0].rule != "message-type":
            raise
        return read_payment(data)
    return read_request(msg) if msg.definition == TSIN_001 else read_cancellation(msg)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = SAMPLES[draw(st.sampled_from(sorted(SAMPLES)))]
    how = draw(st.sampled_from(["drop", "text", "dup", "rename", "attr", "truncate", "junk"]))
    if how == "truncate":
        return data[: draw(st.integers(0, len(data) - 1))]
    if how == "junk":
        return draw(st.binary(max_size=200))
    root = fromstring(data)
    pairs = [(parent, child) for parent in root.iter() for child in parent]
    parent, child = pairs[draw(st.integers(0, len(pairs) - 1))]
    if how == "drop":
        parent.remove(child)
    elif how == "text":
        child.text = draw(VALUES)
    elif how == "dup":
        parent.insert(list(parent).index(child), fromstring(tostring(child)))
    elif how == "rename":
        child.tag = child.tag.rpartition("}")[0] + "}Bogus"
    else:
        child.set("Ccy", draw(st.sampled_from(["usd", "", "EURO", "CNY"])))
    return tostring(root, encoding="utf-8")


@settings(max_examples=150, deadline=None)
@given(mutated())
def test_a_mutated_message_is_mapped_or_refused_naming_an_xpath(data: bytes) -> None:
    try:
        _read(data)
    except MessageInvalid as exc:
        assert exc.status == 422 and exc.problems
        for problem in exc.problems:
            assert problem.path.startswith("/") and problem.rule and problem.message


def test_every_sample_maps() -> None:
    for data in SAMPLES.values():
        _read(data)


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0"?><!DOCTYPE Document [<!ENTITY a "aaaa">]><Document>&a;</Document>',
        b'<!DOCTYPE Document SYSTEM "http://example.invalid/x.dtd"><Document/>',
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
    ],
)
def test_dtds_and_entities_are_refused(data: bytes) -> None:
    with pytest.raises(MessageInvalid) as caught:
        _read(data)
    assert caught.value.problems[0].rule == "well-formed"


def test_parse_error_is_not_what_escapes() -> None:
    with pytest.raises(ParseError):
        fromstring(b"<a>")  # the stdlib raises; crossfin's readers turn it into a problem
    with pytest.raises(MessageInvalid):
        _read(b"<a>")


@pytest.fixture
def bank(db):  # type: ignore[no-untyped-def]
    """A bank maker, made once for all of a test's examples."""
    return make_forwarders(db, banks=1).banks[0]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(mutated())
def test_over_http_never_a_500(client, bank, data: bytes) -> None:  # type: ignore[no-untyped-def]
    for url in ("/v1/financings/iso20022", "/v1/payments/iso20022"):
        res = client.post(url, content=data, headers=bank.headers)
        assert res.status_code < 500, res.text
        assert res.status_code in (201, 200) or res.headers["content-type"].startswith(
            ("application/problem+json", "application/xml")
        )
