"""`check(content)`: the workflow's one validation entry for a stored risk report."""

from __future__ import annotations

from datetime import date
from typing import Any

from crossfin.filings.risk import check, prepare
from support.risk import RESIDENT_ID, SHENZHEN_TRADER, report_input

KEY = bytes(range(32))
TODAY = date(2026, 11, 5)


def _content(**changes: Any) -> dict[str, Any]:
    return prepare(report_input(**changes), KEY)


def _found(content: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(i.location, i.rule, i.severity) for i in check(content, today=TODAY)]


def test_a_good_report_has_no_issue() -> None:
    assert check(_content(), today=TODAY) == []


def test_every_issue_speaks_both_languages() -> None:
    content = _content(narrative="见附件。")
    content["subjects"][0]["uscc"] = SHENZHEN_TRADER[:-1] + "0"
    issues = check(content, today=TODAY) + check(_content(narrative="见附件。"), today=TODAY)
    assert issues
    for issue in issues:
        assert issue.message_en and issue.message_zh and issue.message_en != issue.message_zh


def test_stored_content_is_checked_again_field_by_field() -> None:
    content = _content()
    content["subjects"][0]["uscc"] = SHENZHEN_TRADER[:-1] + "0"
    content["transactions"][1]["amount_minor"] = 0
    content["category"] = "smuggling"
    assert _found(content) == [
        ("category", "enum", "error"),
        ("subjects[0].uscc", "uscc", "error"),
        ("transactions[1].amount_minor", "greater_than", "error"),
    ]


def test_a_clear_id_number_in_stored_content_is_an_error_that_does_not_repeat_it() -> None:
    content = _content()
    content["subjects"][1]["id_number"] = RESIDENT_ID
    issues = check(content, today=TODAY)
    assert [(i.location, i.rule) for i in issues] == [("subjects[1].id_number", "extra_forbidden")]
    assert RESIDENT_ID not in repr(issues)


def test_dates_after_today_are_errors() -> None:
    content = _content(discovered_on="2026-11-06")
    content["transactions"][0]["date"] = "2026-12-01"
    assert _found(content) == [
        ("discovered_on", "date_in_future", "error"),
        ("transactions[0].date", "date_in_future", "error"),
    ]


def test_a_transaction_after_discovery_is_a_warning() -> None:
    content = _content(discovered_on="2026-10-15")
    assert _found(content) == [("transactions[1].date", "after_discovery", "warning")]


def test_the_same_subject_twice_is_an_error_naming_the_second() -> None:
    data = report_input()
    data["subjects"] += [dict(data["subjects"][0]), dict(data["subjects"][1], name="张伟伟")]
    assert _found(prepare(data, KEY)) == [
        ("subjects[3].uscc", "duplicate_subject", "error"),
        ("subjects[4].id_hash", "duplicate_subject", "error"),
    ]


def test_the_same_link_twice_is_an_error() -> None:
    content = _content(links=[{"kind": "payment", "id": 41}, {"kind": "payment", "id": 41}])
    assert _found(content) == [("links[1]", "duplicate_link", "error")]


def test_a_short_narrative_is_a_warning() -> None:
    assert _found(_content(narrative="见附件。")) == [("narrative", "narrative_short", "warning")]


def test_empty_content_names_each_missing_field() -> None:
    issues = check({}, today=TODAY)
    assert {(i.location, i.rule) for i in issues} == {
        (field, "missing")
        for field in (
            "category",
            "discovered_on",
            "narrative",
            "branch",
            "contact",
            "subjects",
            "transactions",
        )
    }
    assert all(i.message_zh == "必填字段缺失" for i in issues)
