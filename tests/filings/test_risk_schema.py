"""The risk report's content model: every code, the field paths of refusals, no clear ID kept."""

from __future__ import annotations

import json
from typing import Any

import pytest
from stdnum.cn import ric

from crossfin.core.errors import ValidationFailed
from crossfin.filings.risk import (
    Category,
    Channel,
    IdType,
    parse_input,
    prepare,
    to_json,
    to_stored,
    to_xml,
)
from crossfin.filings.risk.codes import (
    CATEGORY_LABELS,
    CHANNEL_LABELS,
    ID_TYPE_LABELS,
    LINK_KIND_LABELS,
    LinkKind,
)
from support.risk import (
    PASSPORT,
    RESIDENT_ID,
    RESIDENT_ID_2,
    SHANGHAI_TRADER,
    report_input,
    report_meta,
)

KEY = bytes(range(32))


def _refusal(data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        parse_input(data)
    return {e.field: e.reason for e in caught.value.errors}


def _with_subject(index: int, **changes: Any) -> dict[str, Any]:
    data = report_input()
    data["subjects"][index].update(changes)
    return data


def _with_transaction(index: int, **changes: Any) -> dict[str, Any]:
    data = report_input()
    data["transactions"][index].update(changes)
    return data


@pytest.mark.parametrize("category", list(Category))
def test_every_category_is_accepted_and_kept(category: Category) -> None:
    detail = "资金回流" if category is Category.OTHER else None
    stored = to_stored(
        parse_input(report_input(category=category.value, category_detail=detail)), KEY
    )
    assert stored.category is category
    assert stored.category_detail == detail


@pytest.mark.parametrize("channel", list(Channel))
def test_every_channel_is_accepted_and_kept(channel: Channel) -> None:
    stored = to_stored(parse_input(_with_transaction(0, channel=channel.value)), KEY)
    assert stored.transactions[0].channel is channel


def test_every_code_has_an_english_and_a_chinese_label() -> None:
    tables = [
        (Category, CATEGORY_LABELS),
        (Channel, CHANNEL_LABELS),
        (IdType, ID_TYPE_LABELS),
        (LinkKind, LINK_KIND_LABELS),
    ]
    for enum, labels in tables:
        assert set(labels) == set(enum)
        for code in enum:
            assert code.label.en and code.label.zh and code.label.en != code.label.zh


def test_an_unknown_category_or_channel_is_refused_by_its_path() -> None:
    errors = _refusal(report_input(category="smuggling"))
    assert list(errors) == ["category"]
    errors = _refusal(_with_transaction(1, channel="pigeon"))
    assert list(errors) == ["transactions[1].channel"]


def test_other_needs_a_detail() -> None:
    errors = _refusal(report_input(category="other"))
    assert list(errors) == ["category_detail"]


def test_a_wrong_uscc_check_character_is_refused_naming_the_field() -> None:
    wrong = SHANGHAI_TRADER[:-1] + ("0" if SHANGHAI_TRADER[-1] != "0" else "1")
    data = report_input()
    data["subjects"].append({"kind": "enterprise", "name": "上海某贸易公司", "uscc": wrong})
    errors = _refusal(data)
    assert list(errors) == ["subjects[3].uscc"]
    assert "check character mismatch" in errors["subjects[3].uscc"]


def test_a_wrong_resident_id_check_digit_is_refused_naming_the_field() -> None:
    wrong = RESIDENT_ID_2[:-1] + "7"
    errors = _refusal(_with_subject(1, id_number=wrong))
    assert list(errors) == ["subjects[1].id_number"]
    assert "check character" in errors["subjects[1].id_number"]
    assert wrong not in json.dumps(errors)  # a refusal never repeats the number


def test_a_second_valid_resident_id_is_accepted() -> None:
    stored = to_stored(parse_input(_with_subject(1, id_number=RESIDENT_ID_2)), KEY)
    assert stored.subjects[1].id_last4 == "0018"  # type: ignore[union-attr]


def test_the_check_digit_is_only_a_resident_ids_rule() -> None:
    # The same 18 characters as a passport number are not checked against GB 11643.
    wrong = RESIDENT_ID_2[:-1] + "7"
    stored = to_stored(parse_input(_with_subject(1, id_type="passport", id_number=wrong)), KEY)
    assert stored.subjects[1].id_last4 == wrong[-4:]  # type: ignore[union-attr]


def test_a_resident_id_with_an_impossible_birth_date_is_refused() -> None:
    body = "11010519491331002"  # the 31st day of a 13th month
    # calc_check_digit reads the first 17 of 18 characters.
    errors = _refusal(_with_subject(1, id_number=body + ric.calc_check_digit(body + "0")))
    assert list(errors) == ["subjects[1].id_number"]
    assert "birth date" in errors["subjects[1].id_number"]


def test_refusals_name_nested_paths() -> None:
    data = report_input()
    data["subjects"][2]["nationality"] = "XX"
    data["transactions"][0]["counterparty"]["country"] = "ZZ"
    data["transactions"][1]["amount"] = "98000000.5"  # JPY has no decimals
    data["transactions"][0]["amount"] = "-3"
    data["contact"]["phone"] = "call me"
    data["links"][1]["kind"] = "invoice"
    del data["discovered_on"]
    errors = _refusal(data)
    assert set(errors) == {
        "subjects[2].nationality",
        "transactions[0].counterparty.country",
        "transactions[1].amount",
        "transactions[0].amount",
        "contact.phone",
        "links[1].kind",
        "discovered_on",
    }
    assert "JPY" in errors["transactions[1].amount"]


def test_a_subject_without_a_known_kind_is_refused_at_its_index() -> None:
    errors = _refusal(_with_subject(0, kind="trust"))
    assert list(errors) == ["subjects[0]"]


def test_at_least_one_subject_and_one_transaction() -> None:
    errors = _refusal(report_input(subjects=[], transactions=[]))
    assert set(errors) == {"subjects", "transactions"}


def test_amounts_are_kept_in_minor_units_of_their_currency() -> None:
    stored = to_stored(parse_input(report_input()), KEY)
    assert [(t.amount_minor, t.currency) for t in stored.transactions] == [
        (125_000_000, "USD"),
        (98_000_000, "JPY"),
    ]
    kwd = to_stored(parse_input(_with_transaction(0, amount="12.345", currency="KWD")), KEY)
    assert kwd.transactions[0].amount_minor == 12_345


def test_the_clear_id_number_appears_nowhere_in_what_is_kept_or_exported() -> None:
    data = _with_subject(1, id_number="110105 19491231 002x")  # spaced, lower-case x
    report = parse_input(data)
    assert RESIDENT_ID not in repr(report)
    stored = to_stored(report, KEY)
    content = prepare(data, KEY)
    outputs = [
        stored.model_dump_json(),
        json.dumps(content, ensure_ascii=False),
        json.dumps(to_json(stored, report_meta()), ensure_ascii=False),
        to_xml(stored, report_meta()).decode(),
    ]
    for number in (RESIDENT_ID, PASSPORT, "11010519491231", "110105 19491231"):
        for text in outputs:
            assert number not in text
    subject = content["subjects"][1]
    assert set(subject) == {"kind", "name", "nationality", "id_type", "id_hash", "id_last4"}
    assert subject["id_last4"] == "002X"
    assert content["subjects"][2]["id_last4"] == PASSPORT[-4:]


def test_prepare_refuses_with_field_errors_and_keeps_nothing() -> None:
    with pytest.raises(ValidationFailed) as caught:
        prepare(_with_subject(1, id_number=RESIDENT_ID[:-1] + "1"), KEY)
    problem = caught.value.problem()
    assert problem["errors"][0]["field"] == "subjects[1].id_number"
    assert RESIDENT_ID[:-1] not in json.dumps(problem)
