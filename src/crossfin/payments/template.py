"""The P3 bulk template: CSV or XLSX in, one payment per row, a row-by-row result file out.

One row is one payment of one freight invoice (a forwarder's bank pays each carrier's
invoice as it comes; a payee paid for several invoices gets one row each, so a refusal of
one invoice never holds back the others). Columns (header row first, any order; blank
cells are absent):

    external_ref, payer_uscc, payee_name, payee_country, payee_account, payee_bic,
    amount, currency, value_date, purpose_code, fx_rate, usd_rate,
    invoice_no, invoice_amount, invoice_tax_amount,
    invoice_seller_uscc, invoice_buyer_uscc, invoice_issue_date, invoice_category

`fx_rate` is the payment currency's rate to CNY (the invoices' currency), `usd_rate` the
payment currency's rate to USD when it is not USD (else the daily table is used).
The invoice_* cells are what the bank was shown (the claim); amount and tax amount are
required (verification's rule), the rest make full documents (class B).

Bounded input: the file is at most the route's body limit; at most MAX_ROWS rows and
MAX_COLUMNS columns, MAX_CELL characters a cell. An XLSX file is a zip: its entries'
declared sizes are checked (at most MAX_XLSX_UNPACKED bytes unpacked, MAX_RATIO times
compressed) and the sheet's declared dimension against MAX_ROWS before any cell is read,
and rows are streamed (openpyxl read-only) and counted as they come.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError

from crossfin.core.errors import field_errors, invalid
from crossfin.payments.schemas import PaymentIn, UploadOut, UploadRowOut

MAX_ROWS = 10_000
MAX_COLUMNS = 30
MAX_CELL = 200
MAX_XLSX_UNPACKED = 64 * 1024 * 1024
MAX_RATIO = 100
XLSX_MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COLUMNS = (
    "external_ref",
    "payer_uscc",
    "payee_name",
    "payee_country",
    "payee_account",
    "payee_bic",
    "amount",
    "currency",
    "value_date",
    "purpose_code",
    "fx_rate",
    "usd_rate",
    "invoice_no",
    "invoice_amount",
    "invoice_tax_amount",
    "invoice_seller_uscc",
    "invoice_buyer_uscc",
    "invoice_issue_date",
    "invoice_category",
)
_CLAIMED = {
    "invoice_amount": "amount",
    "invoice_tax_amount": "tax_amount",
    "invoice_seller_uscc": "seller_uscc",
    "invoice_buyer_uscc": "buyer_uscc",
    "invoice_issue_date": "issue_date",
    "invoice_category": "category",
}
RESULT_COLUMNS = (
    "row",
    "external_ref",
    "invoice",
    "outcome",
    "status",
    "problem",
    "detail",
    "payment_id",
)


@dataclass(frozen=True)
class Row:
    """One data row: its number in the file (the header is row 1) and its cells."""

    number: int
    cells: dict[str, str]


def read_rows(content: bytes, fmt: str) -> list[Row]:
    """The template's rows from CSV or XLSX bytes; 422 naming the problem otherwise."""
    if fmt == "xlsx":
        return _bounded(_xlsx_rows(content))
    if fmt != "csv":
        raise invalid("format", "the template is csv or xlsx")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise invalid("file", "a CSV template is UTF-8 text") from None
    try:
        return _bounded(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:  # a NUL byte, a cell past the reader's own limit...
        raise invalid("file", f"not a readable CSV template ({exc})") from None


def format_of(filename: str | None, media_type: str | None) -> str:
    """csv or xlsx, from the file name or the media type (csv when neither says)."""
    name = (filename or "").lower()
    if name.endswith(".xlsx") or (media_type or "").startswith(XLSX_MEDIA):
        return "xlsx"
    return "csv"


def _bounded(lines: Iterable[list[Any]]) -> list[Row]:
    it = iter(lines)
    header = [_cell(v).lower() for v in next(it, [])]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise invalid("file", "the template needs a header row naming its columns")
    if len(header) > MAX_COLUMNS:
        raise invalid("file", f"at most {MAX_COLUMNS} columns")
    unknown = sorted(set(header) - set(COLUMNS))
    if unknown:
        raise invalid("file", f"unknown columns: {', '.join(unknown)}")
    rows: list[Row] = []
    for number, values in enumerate(it, 2):
        cells = [_cell(v) for v in values]
        if not any(cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise invalid("file", f"at most {MAX_ROWS} rows in one upload")
        if len(cells) > len(header) and any(cells[len(header) :]):
            raise invalid("file", f"row {number}: more cells than header columns")
        too_long = [h for h, c in zip(header, cells, strict=False) if len(c) > MAX_CELL]
        if too_long:
            raise invalid("file", f"row {number}: {too_long[0]} is over {MAX_CELL} characters")
        rows.append(Row(number, {h: c for h, c in zip(header, cells, strict=False) if c}))
    if not rows:
        raise invalid("file", "the template has no rows")
    return rows


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _xlsx_rows(content: bytes) -> Iterator[list[Any]]:
    """The first sheet's rows, after the zip and the sheet's size are checked."""
    import openpyxl  # the XLSX reader, imported only when a workbook comes

    buffer = io.BytesIO(content)
    try:
        with zipfile.ZipFile(buffer) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile:
        raise invalid("file", "not an XLSX workbook") from None
    unpacked = sum(i.file_size for i in infos)
    packed = max(sum(i.compress_size for i in infos), 1)
    if len(infos) > 1000 or unpacked > MAX_XLSX_UNPACKED or unpacked > packed * MAX_RATIO:
        raise invalid("file", "the workbook unpacks too large")
    try:
        book = openpyxl.load_workbook(buffer, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001  (openpyxl raises many kinds on a bad file)
        raise invalid("file", f"not a readable XLSX workbook ({type(exc).__name__})") from None
    try:
        sheet = book.worksheets[0]
        if sheet.max_row is not None and sheet.max_row > MAX_ROWS + 1:
            raise invalid("file", f"at most {MAX_ROWS} rows in one upload")
        if sheet.max_column is not None and sheet.max_column > MAX_COLUMNS:
            raise invalid("file", f"at most {MAX_COLUMNS} columns")
        rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1)
        while True:
            try:
                values = next(rows, None)
            except Exception as exc:  # noqa: BLE001  (a broken sheet, whatever openpyxl raises)
                raise invalid("file", f"not a readable XLSX sheet ({type(exc).__name__})") from None
            if values is None:
                return
            yield list(values)
    finally:
        book.close()


def to_payment(row: Row) -> PaymentIn:
    """The row as a payment (pydantic's 422 with the row's fields named otherwise)."""
    c = row.cells
    currency = c.get("currency", "").upper()
    rates: dict[str, str] = {}
    if "fx_rate" in c:
        rates[f"{currency}/CNY"] = c["fx_rate"]
    if "usd_rate" in c:
        rates[f"{currency}/USD"] = c["usd_rate"]
    fields = {claimed: c[col] for col, claimed in _CLAIMED.items() if col in c}
    body: dict[str, Any] = {
        "scenario": "P3",
        "external_ref": c.get("external_ref", ""),
        "payer_uscc": c.get("payer_uscc", ""),
        "payee": {
            k: v
            for k, v in {
                "name": c.get("payee_name", ""),
                "country": c.get("payee_country", ""),
                "account": c.get("payee_account"),
                "bic": c.get("payee_bic"),
            }.items()
            if v is not None
        },
        "amount": c.get("amount", ""),
        "currency": currency,
        "documents": [{"kind": "vat_invoice", "key": c.get("invoice_no", ""), "fields": fields}],
        "fx_rates": rates,
    }
    if "value_date" in c:
        body["value_date"] = c["value_date"]
    if "purpose_code" in c:
        body["purpose_code"] = c["purpose_code"]
    return PaymentIn.model_validate(body)


def parse(rows: list[Row]) -> tuple[list[tuple[Row, PaymentIn]], list[UploadRowOut]]:
    """The rows that are payments, and a 422 result for each that is not."""
    good: list[tuple[Row, PaymentIn]] = []
    bad: list[UploadRowOut] = []
    for row in rows:
        try:
            good.append((row, to_payment(row)))
        except ValidationError as exc:
            errors = field_errors(exc)
            bad.append(
                result_of(
                    row,
                    "invalid",
                    422,
                    "validation",
                    "; ".join(f"{e.field}: {e.reason}" for e in errors),
                )
            )
    return good, bad


def result_of(
    row: Row,
    outcome: str,
    status: int,
    problem: str | None,
    detail: str | None,
    payment_id: int | None = None,
) -> UploadRowOut:
    # Built from values already checked: no validation, ten thousand times per upload.
    return UploadRowOut.model_construct(
        row=row.number,
        external_ref=row.cells.get("external_ref"),
        invoice=row.cells.get("invoice_no"),
        outcome=outcome,
        status=status,
        problem=problem,
        detail=detail,
        payment_id=payment_id,
    )


def summary(results: list[UploadRowOut]) -> UploadOut:
    ordered = sorted(results, key=lambda r: r.row)
    count = {
        o: sum(1 for r in ordered if r.outcome == o) for o in ("submitted", "refused", "invalid")
    }
    return UploadOut(rows=len(ordered), results=ordered, **count)


def results_csv(results: Iterable[UploadRowOut]) -> str:
    """The result file: one line per row of the template, by row number."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(RESULT_COLUMNS)
    for r in results:
        values = r.model_dump()
        writer.writerow(["" if values[c] is None else values[c] for c in RESULT_COLUMNS])
    return out.getvalue()


def template_csv() -> str:
    """An empty template: the header row."""
    return ",".join(COLUMNS) + "\n"
