"""The XML export against the shipped XSD, tampered documents, and JSON carrying the same values."""

from __future__ import annotations

from typing import Any

import defusedxml.ElementTree as SafeET
import pytest
import xmlschema
from iso4217 import Currency

from crossfin.core.money import currency_exponent
from crossfin.documents.kinds.fields import COUNTRIES
from crossfin.filings.risk import (
    NAMESPACE,
    Category,
    Channel,
    IdType,
    LinkKind,
    RiskReportStored,
    parse_input,
    to_json,
    to_stored,
    to_xml,
    validate_xml,
    xsd_text,
)
from support.risk import report_input, report_meta

KEY = bytes(range(32))
XS = "{http://www.w3.org/2001/XMLSchema}"


def _stored(**changes: Any) -> RiskReportStored:
    return to_stored(parse_input(report_input(**changes)), KEY)


def _xml(**changes: Any) -> bytes:
    return to_xml(_stored(**changes), report_meta())


def test_the_shipped_xsd_is_itself_a_valid_schema() -> None:
    schema = xmlschema.XMLSchema10(xsd_text())  # checks it against the XSD meta-schema
    assert schema.target_namespace == NAMESPACE


def test_a_realistic_report_validates_against_the_shipped_xsd() -> None:
    data = _xml()
    assert validate_xml(data) == []
    assert "深圳市鹏程进出口贸易有限公司".encode() in data
    assert "张伟".encode() in data


@pytest.mark.parametrize("category", list(Category))
def test_every_category_validates(category: Category) -> None:
    detail = "其他可疑情形" if category is Category.OTHER else None
    assert validate_xml(_xml(category=category.value, category_detail=detail)) == []


@pytest.mark.parametrize("channel", list(Channel))
def test_every_channel_validates(channel: Channel) -> None:
    data = report_input()
    data["transactions"][0]["channel"] = channel.value
    assert validate_xml(to_xml(to_stored(parse_input(data), KEY), report_meta())) == []


def test_a_minimal_report_without_optional_parts_validates() -> None:
    data = report_input(
        links=[], branch={"name": "某银行支行"}, contact={"name": "王", "phone": "075512345"}
    )
    stored = to_stored(parse_input(data), KEY)
    meta = report_meta(
        submitted_at=None,
        acknowledged_at=None,
        regulator_receipt_number=None,
        deadline_on=None,
        receipt=None,
        state="drafted",
    )
    xml = to_xml(stored, meta)
    assert b"<Links" not in xml and b"<Receipt" not in xml
    assert validate_xml(xml) == []


def test_an_unknown_category_fails_naming_the_xpath() -> None:
    tampered = _xml().replace(b"<Category>false_trade<", b"<Category>smuggling<")
    problems = validate_xml(tampered)
    assert [(p.path, p.rule) for p in problems] == [("/RiskReport/Category", "enumeration")]
    assert "smuggling" in problems[0].message and "CategoryCode" in problems[0].message


def test_a_missing_amount_fails_naming_the_xpath() -> None:
    tampered = _xml().replace(b"<Amount>98000000</Amount>", b"")
    problems = validate_xml(tampered)
    assert [(p.path, p.rule) for p in problems] == [
        ("/RiskReport/Transactions/Transaction[2]", "content")
    ]
    assert "Amount" in problems[0].message


@pytest.mark.parametrize(
    ("old", "new", "path", "rule"),
    [
        (
            b"<Amount>1250000.00<",
            b"<Amount>-5<",
            "/RiskReport/Transactions/Transaction[1]/Amount",
            "pattern",
        ),
        (
            b"<Currency>USD<",
            b"<Currency>XYZ<",
            "/RiskReport/Transactions/Transaction[1]/Currency",
            "enumeration",
        ),
        (
            b"<Nationality>GB<",
            b"<Nationality>UK<",
            "/RiskReport/Subjects/Individual[2]/Nationality",
            "enumeration",
        ),
        (
            b"<IdType>passport<",
            b"<IdType>licence<",
            "/RiskReport/Subjects/Individual[2]/IdType",
            "enumeration",
        ),
        (
            b"<USCC>91440300MA5FUTXB7R<",
            b"<USCC>91440300MA5FUTXBOR<",
            "/RiskReport/Subjects/Enterprise/USCC",
            "pattern",
        ),
        (
            b"<Date>2026-10-12<",
            b"<Date>2026-13-12<",
            "/RiskReport/Transactions/Transaction[1]/Date",
            "type",
        ),
    ],
)
def test_tampered_values_fail_naming_the_xpath_and_rule(
    old: bytes, new: bytes, path: str, rule: str
) -> None:
    data = _xml()
    assert old in data
    problems = validate_xml(data.replace(old, new, 1))
    assert [(p.path, p.rule) for p in problems][:1] == [(path, rule)]


def test_a_clear_id_number_element_is_refused() -> None:
    tampered = _xml().replace(
        b"<IdLast4>002X</IdLast4>",
        b"<IdLast4>002X</IdLast4><IdNumber>11010519491231002X</IdNumber>",
    )
    problems = validate_xml(tampered)
    assert [(p.path, p.rule) for p in problems] == [
        ("/RiskReport/Subjects/Individual[1]", "content")
    ]


def test_malformed_xml_and_entities_are_problems_not_crashes() -> None:
    assert [p.rule for p in validate_xml(b"<RiskReport")] == ["well-formed"]
    bomb = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><r>&a;</r>'
    assert [p.rule for p in validate_xml(bomb)] == ["well-formed"]


def _enumeration(simple_type: str) -> set[str]:
    root = SafeET.fromstring(xsd_text().encode())
    for node in root.iter(f"{XS}simpleType"):
        if node.get("name") == simple_type:
            return {e.get("value", "") for e in node.iter(f"{XS}enumeration")}
    raise AssertionError(f"no simple type {simple_type}")


def test_the_xsd_code_lists_are_the_code_lists_of_the_code() -> None:
    assert _enumeration("CategoryCode") == {c.value for c in Category}
    assert _enumeration("ChannelCode") == {c.value for c in Channel}
    assert _enumeration("IdTypeCode") == {c.value for c in IdType}
    assert _enumeration("LinkKindCode") == {c.value for c in LinkKind}
    assert _enumeration("CountryCode") == COUNTRIES
    money = set()
    for currency in Currency:
        try:
            currency_exponent(currency.code)
        except ValueError:
            continue
        money.add(currency.code)
    assert _enumeration("CurrencyCode") == money


def _xml_leaves(element: Any) -> list[str]:
    """Text leaves in document order; a subject's element name stands for its kind."""
    name = element.tag.rpartition("}")[2]
    leaves = [name.lower()] if name in ("Enterprise", "Individual") else []
    children = list(element)
    if not children:
        return [element.text or ""]
    for child in children:
        leaves.extend(_xml_leaves(child))
    return leaves


def _json_leaves(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _json_leaves(v)]
    if isinstance(value, list):
        return [leaf for v in value for leaf in _json_leaves(v)]
    return [str(value)]


def test_json_and_xml_carry_the_same_values() -> None:
    stored = _stored()
    meta = report_meta()
    as_json = to_json(stored, meta)
    assert as_json.pop("schema") == NAMESPACE
    root = SafeET.fromstring(to_xml(stored, meta))
    assert _xml_leaves(root) == _json_leaves(as_json)
    assert as_json["transactions"][0]["amount"] == "1250000.00"
    assert as_json["transactions"][1]["amount"] == "98000000"
    assert as_json["subjects"][1]["id_last4"] == "002X"
    assert root.find(f"{{{NAMESPACE}}}Narrative").text == stored.narrative
