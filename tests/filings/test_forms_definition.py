"""The shipped statistical forms: they load, their code lists are the ISO ones, bad forms fail."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any, get_args

import pytest
from pydantic import ValidationError

from crossfin.core.errors import NotFound, ValidationFailed
from crossfin.filings.forms import (
    Content,
    FormDefinition,
    load_form,
    previous_period,
    shipped_forms,
)
from crossfin.filings.forms.cells import MESSAGES
from crossfin.filings.forms.codes import country_name, is_country, is_currency
from crossfin.filings.forms.rules import Rule
from crossfin.filings.forms.validate import FORM_CODE, FORM_PERIOD, FORM_TABLE, FORM_VERSION
from support.stats_forms import monthly


def test_both_templates_ship_monthly_and_quarterly() -> None:
    kinds = {(f.code, f.version): f.period_kind for f in shipped_forms()}
    assert kinds == {("EFAL-M", 1): "monthly", ("EFAL-Q", 1): "quarterly"}
    quarterly = load_form("EFAL-Q")
    assert [t.code for t in quarterly.tables] == ["D1", "D2", "S1"]
    assert [k.code_list for k in quarterly.table("D1").keys] == [  # type: ignore[union-attr]
        "instrument", "iso3166-1", "iso4217", "sector", "original_maturity",
    ]  # fmt: skip
    assert {"instrument", "sector", "original_maturity", "residual_maturity"} == set(
        quarterly.code_lists
    )


def test_every_rule_kind_is_used_and_every_message_is_bilingual() -> None:
    kinds = {r.kind for f in shipped_forms() for r in f.rules}
    assert kinds == {
        "required", "types", "codes", "unique", "range", "stock_flow", "totals", "continuity",
    }  # fmt: skip
    for form in shipped_forms():
        for rule in form.rules:
            assert rule.message_en.isascii() and not rule.message_zh.isascii()


def test_unknown_form_or_version_is_not_found() -> None:
    with pytest.raises(NotFound):
        load_form("EFAL-X")
    with pytest.raises(NotFound):
        load_form("EFAL-M", 9)
    assert load_form("EFAL-M", 1) is load_form("EFAL-M")


def test_iso_code_lists_come_from_the_packages() -> None:
    assert is_country("CN") and is_country("HK") and is_country("SS")
    assert not is_country("XX") and not is_country("cn") and not is_country("UK")
    assert country_name("DE", "zh") == "德国" and country_name("DE", "en") == "Germany"
    assert is_currency("USD") and is_currency("JPY") and is_currency("CNY")
    assert not is_currency("ABC") and not is_currency("XAU") and not is_currency("usd")


def _raw_monthly() -> dict[str, Any]:
    path = resources.files("crossfin.filings.forms") / "data" / "efal-m-v1.json"
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return data


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda d: d["rules"][0].update(table="ZZ"), "unknown table ZZ"),
        (lambda d: d["rules"][0].update(columns=["NOPE"]), "unknown column NOPE"),
        (lambda d: d["tables"][0]["keys"][0].update(code_list="colour"), "unknown code list"),
        (lambda d: d["tables"][0].update(currency_key=None), "amounts need a currency key"),
        (lambda d: d["rules"][1].update(id=d["rules"][0]["id"]), "rule ids must be unique"),
        (lambda d: d["rules"][-1].update(group_by=["INSTR"]), "the summary's keys"),
        (lambda d: d["rules"][5].update(tolerance=-1), "greater than or equal to 0"),
    ],
)
def test_a_broken_form_definition_is_refused(change: Any, reason: str) -> None:
    data = _raw_monthly()
    change(data)
    with pytest.raises(ValidationError, match=reason):
        FormDefinition.model_validate(data)


def test_content_round_trips_through_json_and_names_a_bad_path() -> None:
    content = Content.from_content(monthly())
    assert Content.from_content(json.loads(json.dumps(content.to_content()))) == content
    bad = monthly()
    bad["tables"]["A1"][2]["TRN"] = 1.5  # floats are never amounts
    with pytest.raises(ValidationFailed) as caught:
        Content.from_content(bad)
    assert {e.field for e in caught.value.errors} >= {"tables.A1[2].TRN.int"}


def test_previous_period_crosses_the_year() -> None:
    assert previous_period("2026-01") == "2025-12"
    assert previous_period("2026-11") == "2026-10"
    assert previous_period("2026-Q1") == "2025-Q4"
    assert previous_period("2026-Q3") == "2026-Q2"
    with pytest.raises(ValidationFailed):
        previous_period("2026-13")


def test_every_rule_kind_and_built_in_check_is_in_the_docs() -> None:
    """Docs that cannot drift: docs/filings.md names each rule kind and built-in rule id."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "filings.md").read_text("utf-8")
    kinds = {
        get_args(kind.model_fields["kind"].annotation)[0] for kind in get_args(get_args(Rule)[0])
    }
    built_in = [FORM_CODE, FORM_VERSION, FORM_PERIOD, FORM_TABLE, *MESSAGES]
    missing = [f"`{name}`" for name in (*sorted(kinds), *built_in) if f"`{name}`" not in text]
    assert missing == []
    assert len(kinds) == 8
