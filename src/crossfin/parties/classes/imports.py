"""Bulk import of an annual classification result: a CSV file, a row-by-row report.

Columns (a header row, any order, names as below): `uscc`, `class`, `reason`, and
optionally `effective_from` (YYYY-MM-DD; default today) and `period` ("2025" or
"2025-01-01/2025-12-31"). Each row is checked as `service.classify` checks one change;
every valid row is recorded (a history row and a ledger event each) in ONE transaction,
and every other row is reported and not applied. An unknown USCC and an enterprise outside
the regulator's jurisdiction get the same answer: existence never leaks. A USCC repeated
in the file is refused on its second row (which of the two would be meant is a guess).

The same file again from the same regulator answers its first report (`replayed`) and
records nothing: an import is keyed by its content's SHA-256.

Bounded input: the route's body limit (1 MiB), at most MAX_ROWS rows and MAX_CELL
characters a cell.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crossfin.core.clock import business_date, utcnow
from crossfin.core.errors import Conflict, FieldError, Forbidden, NotFound, invalid
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties import identifiers
from crossfin.parties.access import Caller, supervises
from crossfin.parties.classes import service
from crossfin.parties.classes.models import ClassImport, EnterpriseClass
from crossfin.parties.models import Organization, OrgKind

MAX_ROWS = 10_000
MAX_CELL = 500
REQUIRED = ("uscc", "class", "reason")
COLUMNS = ("uscc", "class", "effective_from", "period", "reason")
RESULT_COLUMNS = (
    "row",
    "uscc",
    "class",
    "effective_from",
    "period",
    "outcome",
    "field",
    "detail",
    "history_id",
    "event_id",
)
NOT_HERE = "no enterprise with this USCC in your jurisdiction"
_CHUNK = 1000


@dataclass
class RowResult:
    """One row's outcome: `applied` (with its history row and event) or `rejected`."""

    row: int
    uscc: str
    trade_class: str
    effective_from: str
    period: str
    outcome: str = "rejected"
    errors: list[dict[str, str]] = field(default_factory=list)
    history_id: int | None = None
    event_id: str | None = None


@dataclass
class ImportReport:
    import_id: int
    rows: int
    applied: int
    results: list[RowResult]
    replayed: bool = False

    @property
    def rejected(self) -> int:
        return self.rows - self.applied

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["rejected"] = self.rejected
        return data


def digest_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def read_rows(content: bytes) -> list[tuple[int, dict[str, str]]]:
    """The file's rows numbered as a spreadsheet shows them (the header is row 1)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise invalid("file", "a CSV file of UTF-8 text") from None
    try:
        return _bounded(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise invalid("file", f"not a readable CSV file: {exc}") from None


def _bounded(lines: Iterator[list[str]]) -> list[tuple[int, dict[str, str]]]:
    header = [h.strip().lower() for h in next(lines, [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise invalid("file", f"the header row lacks {', '.join(missing)}")
    unknown = [h for h in header if h and h not in COLUMNS]
    if unknown:
        raise invalid("file", f"unknown column {unknown[0]!r}; the columns: {', '.join(COLUMNS)}")
    rows: list[tuple[int, dict[str, str]]] = []
    for number, cells in enumerate(lines, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise invalid("file", f"at most {MAX_ROWS} rows in one import")
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
            raise invalid("file", f"row {number}: more cells than header columns")
        if any(len(c) > MAX_CELL for c in cells):
            raise invalid("file", f"row {number}: a cell is over {MAX_CELL} characters")
        rows.append((number, {h: c.strip() for h, c in zip(header, cells, strict=False) if h}))
    if not rows:
        raise invalid("file", "the file has no rows")
    return rows


def import_classes(uow: UnitOfWork, caller: Caller, content: bytes) -> ImportReport:
    """Check every row, record the valid ones, report each; one transaction."""
    if not service.may_classify(caller):
        raise Forbidden("only a regulator's admin, approver or operator imports classes")
    session = uow.session
    digest = digest_of(content)
    done = _stored(session, caller.org_id, digest)
    if done is not None:
        return done
    rows = read_rows(content)
    batch = ClassImport(
        org_id=caller.org_id,
        principal_id=caller.principal_id,
        digest=digest,
        rows=len(rows),
        applied=0,
        report="{}",
        recorded_at=utcnow(),
    )
    try:
        with session.begin_nested():  # the same file, imported at this very moment
            session.add(batch)
    except IntegrityError:
        raise Conflict("this file is being imported right now; ask for its report") from None
    results = _apply(uow, caller, rows, f"import:{batch.id}")
    applied = sum(r.outcome == "applied" for r in results)
    report = ImportReport(batch.id, len(rows), applied, results)
    batch.applied = report.applied
    batch.report = json.dumps(report.as_dict(), ensure_ascii=False, default=str)
    return report


def _stored(session: Session, org_id: int, digest: str) -> ImportReport | None:
    query = select(ClassImport).where(ClassImport.org_id == org_id, ClassImport.digest == digest)
    found = session.scalars(query).first()
    if found is None:
        return None
    report = load_report(found)
    report.replayed = True
    return report


def load_report(found: ClassImport) -> ImportReport:
    data = json.loads(found.report)
    results = [RowResult(**r) for r in data["results"]]
    return ImportReport(data["import_id"], data["rows"], data["applied"], results)


def get_import(session: Session, caller: Caller, import_id: int) -> ImportReport:
    """An import's report, for the regulator that made it (404 for anyone else)."""
    found = session.get(ClassImport, import_id)
    if found is None or found.org_id != caller.org_id:
        raise NotFound(f"no class import {import_id}")
    return load_report(found)


def _apply(
    uow: UnitOfWork, caller: Caller, rows: Sequence[tuple[int, dict[str, str]]], source: str
) -> list[RowResult]:
    usccs = {_uscc(cells.get("uscc", ""))[0] for _, cells in rows} - {None}
    orgs = _enterprises(uow.session, sorted(u for u in usccs if u))
    batch = _Batch(uow, caller, source, business_date(), orgs, _newest(uow.session, orgs))
    return [batch.row(number, cells) for number, cells in rows]


@dataclass
class _Batch:
    """The import's rows, decided one after another against the history as it grows."""

    uow: UnitOfWork
    caller: Caller
    source: str
    today: date
    orgs: dict[str, Organization]
    last: dict[int, EnterpriseClass]
    first_row: dict[str, int] = field(default_factory=dict)

    def row(self, number: int, cells: dict[str, str]) -> RowResult:
        result = RowResult(
            number,
            cells.get("uscc", ""),
            cells.get("class", ""),
            cells.get("effective_from", ""),
            cells.get("period", ""),
        )
        org, problem = self._target(number, result.uscc)
        change = service.ClassChange(
            result.trade_class, cells.get("reason", ""), result.effective_from, result.period
        )
        # Outside the jurisdiction, no check reads the firm's history (it would leak).
        last = self.last.get(org.id) if org is not None and problem is None else None
        checked, errors = service.check_change(change, self.today, last)
        errors = ([problem] if problem else []) + errors
        if not errors and checked is not None and org is not None:
            if service.same_as(checked, last):
                errors = [FieldError("class", service.REPEATED)]
            else:
                row, receipt = service.record(
                    self.uow, self.caller, org, checked, last, self.source
                )
                self.last[org.id] = row
                result.outcome, result.history_id = "applied", row.id
                result.event_id = receipt.event_id
        result.errors = [{"field": _column(e.field), "reason": e.reason} for e in errors]
        return result

    def _record(
        self,
        result: RowResult,
        org: Organization,
        checked: service.Checked,
        last: EnterpriseClass | None,
    ) -> None:
        row, receipt = service.record(self.uow, self.caller, org, checked, last, self.source)
        self.last[org.id] = row
        result.outcome, result.history_id, result.event_id = "applied", row.id, receipt.event_id

    def _target(self, number: int, text: str) -> tuple[Organization | None, FieldError | None]:
        """The row's enterprise, or why the row names none it may classify."""
        uscc, problem = _uscc(text)
        if uscc is None:
            return None, problem
        org = self.orgs.get(uscc)
        first = self.first_row.setdefault(uscc, number)
        if org is None or not supervises(self.caller, org.jurisdiction_path):
            return None, FieldError("uscc", NOT_HERE)
        if first != number:
            return org, FieldError("uscc", f"this USCC is in row {first} already")
        return org, None


def _column(name: str) -> str:
    return "class" if name == "trade_class" else name


def _uscc(text: str) -> tuple[str | None, FieldError | None]:
    try:
        return identifiers.validate_uscc(text), None
    except ValueError as exc:
        return None, FieldError("uscc", str(exc))


def _enterprises(session: Session, usccs: Sequence[str]) -> dict[str, Organization]:
    """The enterprises named, locked in id order (two imports at once wait, not deadlock)."""
    found: dict[str, Organization] = {}
    for i in range(0, len(usccs), _CHUNK):
        query = (
            select(Organization)
            .where(
                Organization.uscc.in_(usccs[i : i + _CHUNK]),
                Organization.kind == OrgKind.ENTERPRISE.value,
            )
            .order_by(Organization.id)
            .with_for_update()
        )
        found |= {o.uscc: o for o in session.scalars(query) if o.uscc}
    return found


def _newest(session: Session, orgs: dict[str, Organization]) -> dict[int, EnterpriseClass]:
    """Each enterprise's newest row (the one a change must follow)."""
    newest: dict[int, EnterpriseClass] = {}
    wanted = sorted(o.id for o in orgs.values())
    for i in range(0, len(wanted), _CHUNK):
        query = (
            select(EnterpriseClass)
            .where(EnterpriseClass.org_id.in_(wanted[i : i + _CHUNK]))
            .order_by(EnterpriseClass.org_id, EnterpriseClass.effective_from, EnterpriseClass.id)
        )
        newest |= {row.org_id: row for row in session.scalars(query)}  # the last one wins
    return newest


def results_csv(report: ImportReport) -> str:
    """The row-by-row report as CSV (`RESULT_COLUMNS`), one line per row, in file order."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(RESULT_COLUMNS)
    for r in report.results:
        writer.writerow(
            [
                r.row,
                r.uscc,
                r.trade_class,
                r.effective_from,
                r.period,
                r.outcome,
                "; ".join(e["field"] for e in r.errors),
                "; ".join(e["reason"] for e in r.errors),
                r.history_id or "",
                r.event_id or "",
            ]
        )
    return out.getvalue()
