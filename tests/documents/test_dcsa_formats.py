"""DCSA messages are recognised before they are mapped: wrappers are opened to the transport
document they carry, events go to transport_event, and anything else is refused naming its
format (issue 14, item 4)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from crossfin.core.db import Database
from crossfin.documents.adapters import AdapterError
from crossfin.documents.adapters.dcsa_formats import DcsaFormat, recognise, records_of
from crossfin.parties.models import OrgKind
from support.data import DATA
from support.ingest import owner_uscc
from support.parties import make_party

URL = "/v1/dcsa/records"


def _sample(name: str) -> Any:
    return json.loads((DATA / "dcsa" / name).read_text(encoding="utf-8"))


def _issued(document: dict[str, Any]) -> dict[str, Any]:
    """The sample made registrable: issued, with a shipper USCC."""
    document = copy.deepcopy(document)
    document["transportDocumentStatus"] = "ISSUED"
    document["issueDate"] = "2023-12-21"
    document["documentParties"]["shipper"]["taxLegalReferences"] = [
        {"type": "USCC", "countryCode": "CN", "value": owner_uscc()}
    ]
    return document


TD = _sample("ebl-3.0.4_transport-document_regularSTD.json")
SAMPLES = {
    DcsaFormat.TRANSPORT_DOCUMENT: TD,
    DcsaFormat.ISSUANCE_REQUEST: _sample("ebl-iss-3.0.4_issuance-request.json"),
    DcsaFormat.PINT_ENVELOPE: _sample("pint-3.0.0_envelope.json"),
    DcsaFormat.TD_NOTIFICATION: _sample("ebl-3.0.4_td-notification_issued-full.json"),
    DcsaFormat.SHIPPING_INSTRUCTIONS: _sample("ebl-3.0.4_shipping-instructions_regularSTD.json"),
    DcsaFormat.TNT_EVENTS: _sample("tnt-3.0.0-beta1_transport-events.json"),
}


@pytest.mark.parametrize("fmt", list(SAMPLES))
def test_every_sample_is_recognised_as_what_it_is(fmt: DcsaFormat) -> None:
    assert recognise(SAMPLES[fmt]) is fmt


@pytest.mark.parametrize(
    "fmt",
    [
        DcsaFormat.ISSUANCE_REQUEST,
        DcsaFormat.PINT_ENVELOPE,
        DcsaFormat.TD_NOTIFICATION,
    ],
)
def test_wrappers_are_opened_to_the_transport_document_they_carry(fmt: DcsaFormat) -> None:
    (record,) = records_of(SAMPLES[fmt], "bill_of_lading", allow_draft=True)
    # Not a near-empty B/L: the reference and the ports come from the carried document.
    assert record["bl_no"] and record["port_of_loading"] and record["port_of_discharge"]


def test_a_wrapper_without_its_document_names_where_it_should_be() -> None:
    envelope = copy.deepcopy(SAMPLES[DcsaFormat.PINT_ENVELOPE])
    envelope["transportDocument"] = "gone"
    with pytest.raises(AdapterError) as caught:
        records_of(envelope, "bill_of_lading")
    assert caught.value.where == "transportDocument"


def test_shipping_instructions_and_unknown_messages_are_refused_naming_the_format() -> None:
    with pytest.raises(AdapterError) as caught:
        records_of(SAMPLES[DcsaFormat.SHIPPING_INSTRUCTIONS], "bill_of_lading")
    assert caught.value.where == "format" and "shipping-instructions" in caught.value.reason
    for message in ({"hello": "world"}, [1, 2], "text", {"specversion": "1.0", "data": {}}):
        with pytest.raises(AdapterError) as caught:
            records_of(message, "bill_of_lading")
        assert caught.value.where == "format", message


def test_events_map_to_transport_events_and_not_to_a_bill_of_lading() -> None:
    events = SAMPLES[DcsaFormat.TNT_EVENTS]
    with pytest.raises(AdapterError) as caught:
        records_of(events, "bill_of_lading")
    assert caught.value.where == "format" and "transport_event" in caught.value.reason
    with pytest.raises(AdapterError) as caught:
        records_of(events, "transport_event")
    assert caught.value.where == "party_uscc"
    live = [e for e in events if isinstance(e.get("payload"), dict)]
    found = records_of(live, "transport_event", party_uscc=owner_uscc())
    assert len(found) == len(live) and all(r["party_uscc"] == owner_uscc() for r in found)


def test_the_api_answers_the_records_a_source_would_submit(
    client: TestClient, db: Database
) -> None:
    carrier = make_party(db, OrgKind.LOGISTICS)
    envelope = copy.deepcopy(SAMPLES[DcsaFormat.PINT_ENVELOPE])
    envelope["transportDocument"] = _issued(envelope["transportDocument"])
    answer = client.post(
        URL,
        params={"kind": "bill_of_lading"},
        content=json.dumps(envelope),
        headers=carrier.headers,
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["format"] == DcsaFormat.PINT_ENVELOPE.value
    assert body["records"][0]["shipper_uscc"] == owner_uscc()


def test_the_api_names_the_format_the_field_or_the_body(client: TestClient, db: Database) -> None:
    carrier = make_party(db, OrgKind.LOGISTICS)

    def post(body: str) -> Any:
        answer = client.post(
            URL, params={"kind": "bill_of_lading"}, content=body, headers=carrier.headers
        )
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
        return [e["field"] for e in answer.json()["errors"]]

    assert post(json.dumps(SAMPLES[DcsaFormat.SHIPPING_INSTRUCTIONS])) == ["format"]
    assert post("{not json") == ["body"]
    # The sample as published names no shipper USCC: the record field is named.
    assert post(json.dumps(_issued(TD) | {"documentParties": TD["documentParties"]})) == [
        "records[0].shipper_uscc"
    ]


def test_only_sources_convert(client: TestClient, db: Database) -> None:
    bank = make_party(db, OrgKind.BANK)
    body = json.dumps(_issued(TD))
    denied = client.post(URL, params={"kind": "bill_of_lading"}, content=body, headers=bank.headers)
    assert denied.status_code == 403
    anonymous = client.post(URL, params={"kind": "bill_of_lading"}, content=body)
    assert anonymous.status_code == 401
