"""core.iso20022: the Document found in an envelope, the wrong message refused by name,
what crossfin writes checked against its XSD."""

from __future__ import annotations

from decimal import Decimal

import pytest

from crossfin.core.iso20022 import Builder, MessageInvalid
from crossfin.financing.iso20022.schemas import SCHEMAS as FINANCING
from crossfin.financing.iso20022.schemas import TSIN_002
from crossfin.payments.iso20022.schemas import PACS_008, PAIN_001
from crossfin.payments.iso20022.schemas import SCHEMAS as PAYMENTS
from support.iso20022 import FEDNOW, PAIN, sample

CAMT = "camt.053.001.02_FFFS-finland-sample.xml"


def test_the_document_inside_a_fednow_envelope_is_validated() -> None:
    msg = PAYMENTS.parse(sample(FEDNOW), (PACS_008, PAIN_001))
    assert msg.definition == PACS_008
    assert msg.text("FIToFICstmrCdtTrf/CdtTrfTxInf/PmtId/EndToEndId") == "Scenario01EtoEId001"
    assert msg.amount("FIToFICstmrCdtTrf/CdtTrfTxInf/IntrBkSttlmAmt") == (Decimal("51.74"), "USD")


@pytest.mark.parametrize(
    ("name", "schemas", "accepted", "got"),
    [
        (CAMT, PAYMENTS, (PACS_008, PAIN_001), "camt.053.001.02"),
        (PAIN, FINANCING, ("tsin.001.001.01",), PAIN_001),
    ],
)
def test_a_message_of_another_type_is_refused_naming_it(name, schemas, accepted, got) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(MessageInvalid) as caught:
        schemas.parse(sample(name), accepted)
    [problem] = caught.value.problems
    assert (problem.path, problem.rule) == ("/Document", "message-type")
    assert repr(got) in problem.message


def test_an_envelope_without_a_document_is_refused() -> None:
    with pytest.raises(MessageInvalid) as caught:
        PAYMENTS.parse(b"<Envelope><AppHdr/></Envelope>", (PACS_008,))
    assert caught.value.problems[0].path == "/Envelope"


def test_what_crossfin_writes_is_checked_against_the_xsd() -> None:
    b = Builder(TSIN_002)
    b.add(b.root, "InvcFincgReqSts/StsId/Id", "X")  # CreDtTm and the rest missing
    problems = FINANCING.problems(b.bytes(), TSIN_002)
    assert problems and problems[0].rule == "content"
    assert problems[0].path == "/Document/InvcFincgReqSts/StsId"
