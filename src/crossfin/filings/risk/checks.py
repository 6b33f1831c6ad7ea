"""The one validation entry the filings workflow calls on a risk report's stored content.

First the content model itself (types, code lists, check characters, no clear ID number),
then the rules that need the whole report or today's date. Errors block submission;
warnings are shown to the filer and the reviewer but do not.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from pydantic import ValidationError

from crossfin.core.clock import business_date
from crossfin.filings.risk.issues import Issue, from_validation_error
from crossfin.filings.risk.schema import Enterprise, RiskReportStored

# Below this many characters a narrative rarely tells a regulator what happened.
NARRATIVE_MIN_ADVISED = 50


def check(content: dict[str, Any], today: date | None = None) -> list[Issue]:
    """Every issue with a stored report (`today`: China's business date unless given)."""
    try:
        report = RiskReportStored.model_validate(content)
    except ValidationError as exc:
        return from_validation_error(exc)
    day = today or business_date()
    return [*_dates(report, day), *_duplicates(report), *_narrative(report)]


def _dates(report: RiskReportStored, today: date) -> Iterator[Issue]:
    if report.discovered_on > today:
        yield Issue(
            "discovered_on",
            "date_in_future",
            "error",
            f"the discovery date is after today ({today.isoformat()})",
            f"发现日期晚于今天（{today.isoformat()}）",
        )
    for index, tx in enumerate(report.transactions):
        where = f"transactions[{index}].date"
        if tx.date > today:
            yield Issue(
                where,
                "date_in_future",
                "error",
                f"the transaction date is after today ({today.isoformat()})",
                f"交易日期晚于今天（{today.isoformat()}）",
            )
        elif tx.date > report.discovered_on:
            yield Issue(
                where,
                "after_discovery",
                "warning",
                "the transaction is dated after the discovery date: is the discovery date right?",
                "交易日期晚于发现日期，请核实发现日期",
            )


def _duplicates(report: RiskReportStored) -> Iterator[Issue]:
    seen: dict[str, int] = {}
    for index, subject in enumerate(report.subjects):
        if isinstance(subject, Enterprise):
            key, field = f"uscc:{subject.uscc}", "uscc"
        else:
            key, field = f"id:{subject.id_type}:{subject.id_hash}", "id_hash"
        if key in seen:
            yield Issue(
                f"subjects[{index}].{field}",
                "duplicate_subject",
                "error",
                f"the same subject as subjects[{seen[key]}]",
                f"与 subjects[{seen[key]}] 为同一主体",
            )
        seen.setdefault(key, index)
    links: dict[tuple[str, int], int] = {}
    for index, link in enumerate(report.links):
        if (link.kind, link.id) in links:
            first = links[(link.kind, link.id)]
            yield Issue(
                f"links[{index}]",
                "duplicate_link",
                "error",
                f"the same record as links[{first}]",
                f"与 links[{first}] 为同一记录",
            )
        links.setdefault((link.kind, link.id), index)


def _narrative(report: RiskReportStored) -> Iterator[Issue]:
    if len(report.narrative) < NARRATIVE_MIN_ADVISED:
        yield Issue(
            "narrative",
            "narrative_short",
            "warning",
            f"fewer than {NARRATIVE_MIN_ADVISED} characters: say what was seen and why it is "
            "suspicious",
            f"不足 {NARRATIVE_MIN_ADVISED} 个字符：请说明发现的情况及可疑之处",
        )
