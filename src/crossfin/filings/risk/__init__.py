"""FX risk transaction reports (外汇风险交易报告): content model, checks, XML/XSD and JSON.

The modules this package exports are pure code, no database: the filings workflow stores
`prepare(...)`'s output as a filing's content (`filings.systems.prepare_content`), calls
`check(content)` at submission, and exports with `to_xml` / `to_json`. The flow's own
modules are imported by path: `filing` (clock start, subject's jurisdiction), `outcomes`
(how a report is closed), `report` (exports of a filed report), `routes`, `pages`.

- `prepare(data, key) -> dict`: a bank's report as the content to store (ID numbers hashed),
  or `ValidationFailed` naming each bad field (`subjects[1].id_number`).
- `id_hash_key(settings) -> bytes`: the HMAC key, created on first use (0600).
- `check(content, today=None) -> list[Issue]`.
- `to_xml(stored, meta) -> bytes`, `to_json(stored, meta) -> dict`, `validate_xml(data)`.
"""

from crossfin.filings.risk.checks import check
from crossfin.filings.risk.codes import Category, Channel, IdType, LinkKind
from crossfin.filings.risk.export import NAMESPACE, ReportMeta, to_json, to_xml
from crossfin.filings.risk.identity import id_hash_key
from crossfin.filings.risk.issues import Issue
from crossfin.filings.risk.schema import (
    RiskReportIn,
    RiskReportStored,
    parse_input,
    prepare,
    to_stored,
)
from crossfin.filings.risk.xsd import XmlProblem, validate_xml, xsd_text

__all__ = [
    "NAMESPACE",
    "Category",
    "Channel",
    "IdType",
    "Issue",
    "LinkKind",
    "ReportMeta",
    "RiskReportIn",
    "RiskReportStored",
    "XmlProblem",
    "check",
    "id_hash_key",
    "parse_input",
    "prepare",
    "to_json",
    "to_stored",
    "to_xml",
    "validate_xml",
    "xsd_text",
]
