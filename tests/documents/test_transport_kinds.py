"""P4's kinds: the overseas customs declaration, and DCSA Track & Trace events mapped from
the real T&T 3.0 sample."""

from __future__ import annotations

import json
from typing import Any

import pytest

from crossfin.core.errors import ValidationFailed
from crossfin.documents.adapters import AdapterError
from crossfin.documents.adapters.dcsa_tnt import dcsa_to_transport_event
from crossfin.documents.kinds.fields import check_datetime, check_hs_code, check_imo
from crossfin.documents.kinds.registry import get_kind
from support.data import DATA

TNT = json.loads(
    (DATA / "dcsa" / "tnt-3.0.0-beta1_transport-events.json").read_text(encoding="utf-8")
)
USCC = "91440300MA5DC6QX9C"


def declaration(**changes: Any) -> dict[str, Any]:
    record = {
        "declaration_no": "26DE000000123456A1",
        "declaring_country": "DE",
        "declaration_type": "export",
        "enterprise_uscc": USCC,
        "exporter_name": "Rhein Maschinen GmbH",
        "exporter_country": "DE",
        "importer_name": "Lion City Trading Pte Ltd",
        "importer_country": "SG",
        "transport_document_no": "BDCL2611001",
        "vessel": "King of the Seas",
        "vessel_imo": "9321483",
        "voyage": "2103S",
        "port_of_loading": "DEHAM",
        "port_of_discharge": "SGSIN",
        "containers": ["APZU4812090"],
        "goods_description": "CNC milling machines",
        "hs_code": "8459.61",
        "quantity": "12",
        "quantity_unit": "pce",
        "gross_weight_kg": "18400.5",
        "invoice_value": "960000",
        "currency": "EUR",
        "acceptance_date": "2026-11-02",
    }
    record.update(changes)
    return {k: v for k, v in record.items() if v is not None}


def test_declaration_normalises_and_is_single_use_with_its_value() -> None:
    spec = get_kind("overseas_customs_declaration")
    content = spec.validate(declaration())
    assert content["hs_code"] == "845961"
    assert content["quantity_unit"] == "PCE"
    assert content["invoice_value"] == "960000.00"
    assert spec.single_use and spec.value_of(content) == (96_000_000, "EUR")
    assert spec.owner_uscc_of(content) == USCC
    assert spec.key_of(content) == "26DE000000123456A1"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"vessel": None, "vessel_imo": None}, "vessel"),
        ({"vessel_imo": "9321484"}, "vessel_imo"),
        ({"exporter_country": "NL"}, "exporter_country"),
        ({"declaration_type": "import"}, "importer_country"),
        ({"port_of_discharge": "DEHAM"}, "port_of_discharge"),
        ({"containers": ["APZU4812090", "APZU4812090"]}, "containers[1]"),
        ({"containers": ["APZU4812091"]}, "containers[0]"),
        ({"invoice_value": "0.00"}, "invoice_value"),
        ({"hs_code": "84"}, "hs_code"),
        ({"declaration_type": "transit"}, "declaration_type"),
        ({"enterprise_uscc": "91440300MA5DC6QX9D"}, "enterprise_uscc"),
    ],
)
def test_declaration_refuses_naming_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        get_kind("overseas_customs_declaration").validate(declaration(**changes))
    assert field in {e.field for e in caught.value.errors}


def test_field_checkers() -> None:
    assert check_imo("IMO 9321483") == "9321483"
    with pytest.raises(ValueError, match="check digit should be 3"):
        check_imo("9321480")
    assert check_hs_code("8471.30") == "847130"
    assert check_datetime("2022-11-12T07:41:00+08:30") == "2022-11-11T23:11:00Z"
    with pytest.raises(ValueError, match="no UTC offset"):
        check_datetime("2022-11-12T07:41:00")


def test_the_dcsa_sample_event_maps_and_validates() -> None:
    record = dcsa_to_transport_event(TNT[1], party_uscc=USCC)
    assert record == {
        "event_id": "c0ea5971-bd21-4749-a7ce-8f8d1dc562e2",
        "event_type": "TRANSPORT",
        "classifier": "EST",
        "event_code": "ARRI",
        "event_datetime": "2022-11-12T07:41:00+08:30",
        "party_uscc": USCC,
        "carrier": "Maersk",
        "location": "NLRAM",
        "vessel": "King of the Seas",
        "vessel_imo": "9321483",
        "voyage": "2103S",
        "equipment": "APZU4812090",
        "transport_document_refs": ["85943567"],
        "booking_refs": ["ABC123059"],
    }
    spec = get_kind("transport_event")
    content = spec.validate(record)
    assert content["event_id"] == "C0EA5971-BD21-4749-A7CE-8F8D1DC562E2"
    assert content["event_datetime"] == "2022-11-11T23:11:00Z"
    assert spec.value_of(content) == (0, "") and not spec.single_use


def test_a_retraction_is_refused_and_an_equipment_event_maps() -> None:
    with pytest.raises(AdapterError, match="retraction"):
        dcsa_to_transport_event(TNT[0], party_uscc=USCC)
    load = {
        "eventID": "5e51e72c-d872-11ea-811c-0f8f10a32ea1",
        "eventType": "EQUIPMENT",
        "eventClassifierCode": "ACT",
        "equipmentEventTypeCode": "LOAD",
        "eventDateTime": "2026-11-03T10:00:00+01:00",
        "equipmentReference": "APZU4812090",
        "eventLocation": {"locationType": "UNLO", "UNLocationCode": "DEHAM"},
        "transportCall": {"vessel": {"vesselIMONumber": "9321483", "name": "King of the Seas"}},
        "relatedDocumentReferences": [{"type": "TRD", "value": "BDCL2611001"}],
    }
    content = get_kind("transport_event").validate(dcsa_to_transport_event(load, party_uscc=USCC))
    assert (content["equipment"], content["location"]) == ("APZU4812090", "DEHAM")
    assert content["transport_document_refs"] == ["BDCL2611001"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"event_code": "LOAD"}, "event_code"),
        ({"vessel": None, "vessel_imo": None}, "vessel"),
        ({"event_type": "EQUIPMENT", "event_code": "LOAD", "equipment": None}, "equipment"),
        ({"event_datetime": "yesterday"}, "event_datetime"),
    ],
)
def test_event_refusals(changes: dict[str, Any], field: str) -> None:
    record = dcsa_to_transport_event(TNT[1], party_uscc=USCC) | changes
    record = {k: v for k, v in record.items() if v is not None}
    with pytest.raises(ValidationFailed) as caught:
        get_kind("transport_event").validate(record)
    assert field in {e.field for e in caught.value.errors}
