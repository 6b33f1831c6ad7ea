"""P4's comparisons, pure: every subject's match, mismatch and missing, with its evidence."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from crossfin.payments.offshore import compare
from crossfin.payments.offshore.compare import Facts, Goods, Party
from crossfin.payments.offshore.tolerances import DEFAULTS, Tolerances

TOL = Tolerances(0, **DEFAULTS)
BOXES = ("MSKU1234565", "TGHU9876542")
BL = {
    "bl_no": "BL1",
    "port_of_loading": "DEHAM",
    "port_of_discharge": "SGSIN",
    "vessel": "King of the Seas",
    "voyage": "2103S",
    "containers": list(BOXES),
    "issue_date": "2026-11-03",
}
DECL = {
    "declaration_type": "export",
    "exporter_name": "Rhein Maschinen GmbH",
    "exporter_country": "DE",
    "importer_name": "Lion City Trading Pte Ltd",
    "importer_country": "SG",
    "transport_document_no": "BL1",
    "vessel": "KING OF THE SEAS",
    "vessel_imo": "9321483",
    "voyage": "2103S",
    "port_of_loading": "DEHAM",
    "port_of_discharge": "SGSIN",
    "containers": list(BOXES),
    "goods_description": "CNC milling machines",
    "hs_code": "845961",
    "quantity": "12",
    "quantity_unit": "PCE",
    "gross_weight_kg": "18400",
    "acceptance_date": "2026-11-02",
}


def ev(code: str, when: str, place: str, box: str | None = None, **more: Any) -> dict[str, Any]:
    kind = "TRANSPORT" if code in ("ARRI", "DEPA") else "EQUIPMENT"
    return (
        {
            "event_type": kind,
            "classifier": "ACT",
            "event_code": code,
            "event_datetime": when,
            "location": place,
            "vessel": "King of the Seas",
            "vessel_imo": "9321483",
            "voyage": "2103S",
            "transport_document_refs": ["BL1"],
        }
        | ({"equipment": box} if box else {})
        | more
    )


EVENTS = [
    ("E1", ev("DEPA", "2026-11-04T02:00:00Z", "DEHAM")),
    ("E2", ev("LOAD", "2026-11-03T10:00:00Z", "DEHAM", BOXES[0])),
    ("E3", ev("LOAD", "2026-11-03T11:00:00Z", "DEHAM", BOXES[1])),
    ("E4", ev("ARRI", "2026-12-01T06:00:00Z", "SGSIN", classifier="EST")),
]
GOODS = Goods("84596100", "CNC milling machines", "12", "PCE", "18650")
FACTS = Facts(
    "SC-1",
    Party("Lion City Trading Pte. Ltd.", "SG"),
    Party("RHEIN MASCHINEN GMBH", "DE"),
    BOXES,
    GOODS,
    "BL1",
    BL,
    "D1",
    DECL,
    EVENTS,
)


def one(subject: str, facts: Facts = FACTS, tol: Tolerances = TOL) -> dict[str, Any]:
    return next(c for c in compare.compare_all(facts, tol) if c["subject"] == subject)


def with_decl(**changes: Any) -> Facts:
    decl = {k: v for k, v in (DECL | changes).items() if v is not None}
    return replace(FACTS, declaration=decl)


def with_events(*events: tuple[str, dict[str, Any]]) -> Facts:
    return replace(FACTS, events=list(events))


def test_everything_matches_and_each_comparison_has_the_contract_shape() -> None:
    found = compare.compare_all(FACTS, TOL)
    assert [c["outcome"] for c in found] == ["match"] * 13
    for c in found:
        assert set(c) == {"subject", "outcome", "evidence", "tolerance", "note"}
        assert c["evidence"] and all(set(e) == {"source", "field", "value"} for e in c["evidence"])
    assert compare.outcome_of(found, missing_allowed=False) == "passed"
    assert one("loading_date")["tolerance"] == "±3 days"
    assert one("quantity")["tolerance"] == "±5 %"


@pytest.mark.parametrize(
    ("subject", "facts", "outcome"),
    [
        ("transport_document", with_decl(transport_document_no="BL2"), "mismatch"),
        ("transport_document", with_events(), "missing"),
        ("vessel", with_decl(vessel="Queen of the Seas"), "mismatch"),
        ("vessel", with_decl(vessel_imo="9074729"), "mismatch"),
        (
            "vessel",
            with_events(("E9", ev("DEPA", "2026-11-04T02:00:00Z", "DEHAM", vessel="Other"))),
            "mismatch",
        ),
        ("vessel", with_events(), "missing"),
        ("voyage", with_decl(voyage="2104S"), "mismatch"),
        ("voyage", with_events(), "missing"),
        ("containers", replace(FACTS, containers=BOXES[:1]), "mismatch"),
        ("containers", with_decl(containers=[BOXES[1], "APZU4812090"]), "mismatch"),
        ("containers", with_events(EVENTS[0], EVENTS[1]), "missing"),
        ("port_of_loading", with_decl(port_of_loading="NLRTM"), "mismatch"),
        (
            "port_of_loading",
            with_events(("E9", ev("DEPA", "2026-11-04T02:00:00Z", "NLRTM"))),
            "mismatch",
        ),
        ("port_of_loading", with_events(EVENTS[3]), "missing"),
        ("port_of_discharge", with_decl(port_of_discharge="MYPKG"), "mismatch"),
        ("port_of_discharge", with_events(*EVENTS[:3]), "missing"),
        (
            "loading_date",
            with_events(("E9", ev("DEPA", "2026-11-07T02:00:00Z", "DEHAM"))),
            "mismatch",
        ),
        (
            "loading_date",
            with_events(("E9", ev("DEPA", "2026-11-04T02:00:00Z", "DEHAM", classifier="EST"))),
            "missing",
        ),
        ("declaration_date", with_decl(acceptance_date="2026-09-01"), "mismatch"),
        ("declaration_date", with_decl(declaration_type="import"), "missing"),  # ARRI is EST
        ("seller", with_decl(exporter_name="Rhein Tools GmbH"), "mismatch"),
        ("seller", replace(FACTS, seller=Party("Rhein Maschinen GmbH", "AT")), "mismatch"),
        ("buyer", with_decl(importer_name="Merlion Trading Pte Ltd"), "mismatch"),
        ("goods", replace(FACTS, goods=replace(GOODS, hs_code="845962")), "mismatch"),
        ("goods", replace(FACTS, goods=None), "missing"),
        ("quantity", replace(FACTS, goods=replace(GOODS, quantity="13")), "mismatch"),
        ("quantity", replace(FACTS, goods=replace(GOODS, unit="SET")), "mismatch"),
        ("quantity", replace(FACTS, goods=replace(GOODS, quantity=None, unit=None)), "missing"),
        (
            "gross_weight",
            replace(FACTS, goods=replace(GOODS, gross_weight_kg="20000")),
            "mismatch",
        ),
        ("gross_weight", replace(FACTS, goods=replace(GOODS, gross_weight_kg=None)), "missing"),
    ],
)
def test_each_comparison_says_what_differs_or_is_missing(
    subject: str, facts: Facts, outcome: str
) -> None:
    assert one(subject, facts)["outcome"] == outcome


def test_tolerances_are_inclusive_bounds_read_from_the_version() -> None:
    three_days = with_events(("E9", ev("DEPA", "2026-11-06T23:59:00Z", "DEHAM")))
    assert one("loading_date", three_days)["outcome"] == "match"
    assert one("loading_date", three_days, replace(TOL, bl_departure_days=2))["outcome"] == (
        "mismatch"
    )
    five_pct = replace(FACTS, goods=replace(GOODS, gross_weight_kg="19320"))  # 18400 * 1.05
    assert one("gross_weight", five_pct)["outcome"] == "match"
    assert one("gross_weight", five_pct, replace(TOL, weight_pct=4))["outcome"] == "mismatch"
    assert one("gross_weight", five_pct)["note"] == "5.00 % apart"
    assert one("declaration_date", with_decl(acceptance_date="2026-10-05"))["outcome"] == "match"


def test_evidence_names_each_source_and_field() -> None:
    vessel = one("vessel", with_decl(vessel="Queen of the Seas"))
    sources = {(e["source"], e["field"]) for e in vessel["evidence"]}
    assert ("bill_of_lading BL1", "vessel") in sources
    assert ("overseas_customs_declaration D1", "vessel") in sources
    assert ("transport_event E1", "vessel_imo") in sources
    boxes = one("containers", with_events(EVENTS[0], EVENTS[1]))
    assert boxes["note"] == "no equipment event for TGHU9876542"
    assert {"source": "contract SC-1", "field": "containers", "value": list(BOXES)} in boxes[
        "evidence"
    ]


def test_the_outcome_allows_missing_evidence_only_when_facilitated() -> None:
    found = compare.compare_all(with_events(), TOL)
    assert {c["outcome"] for c in found} == {"match", "missing"}
    assert compare.outcome_of(found, missing_allowed=True) == "passed"
    assert compare.outcome_of(found, missing_allowed=False) == "failed"
    mismatched = compare.compare_all(with_decl(voyage="X1"), TOL)
    assert compare.outcome_of(mismatched, missing_allowed=True) == "failed"


def test_linked_events_are_those_naming_the_bl_or_a_container() -> None:
    other = ("E8", ev("DEPA", "2026-11-04T02:00:00Z", "DEHAM", transport_document_refs=["BL9"]))
    boxed = ("E7", ev("LOAD", "2026-11-03T10:00:00Z", "DEHAM", BOXES[0],
                      transport_document_refs=[]))  # fmt: skip
    assert compare.linked_events("BL1", BOXES, [*EVENTS, other, boxed]) == [*EVENTS, boxed]


def test_names_compare_without_case_spaces_or_punctuation() -> None:
    assert compare.name_key(" Lion  City Trading Pte. Ltd.") == "LION CITY TRADING PTE LTD"


def test_every_subject_and_kind_has_its_chinese_label_in_the_pdf() -> None:
    from crossfin.payments.offshore.report import ROLES
    from crossfin.payments.offshore.report_labels import KINDS_ZH, SUBJECTS_ZH

    subjects = [c["subject"] for c in compare.compare_all(FACTS, TOL)]
    assert [s for s in subjects if s not in SUBJECTS_ZH] == []
    assert set(ROLES) <= set(KINDS_ZH)
