"""The figures as a CSV or XLSX file: one line per row, one column per value.

A division takes three columns (code, Chinese and English name), a bank two (id, name), a
measure three (count, USD, amount in the currency); the API's `?format=` and the
dashboard's export links serve the same files.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from starlette.responses import Response

from crossfin.supervision.stats.dimensions import DIVISIONS
from crossfin.supervision.stats.query import StatsQuery

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def table(query: StatsQuery, rows: list[dict[str, Any]]) -> list[list[Any]]:
    """The header line, then each row's values in its order."""
    header: list[str] = []
    for name in query.group_by:
        if name in DIVISIONS:
            header += [f"{name}_code", f"{name}_name_zh", f"{name}_name_en"]
        elif name == "bank":
            header += ["bank_id", "bank_name"]
        else:
            header.append(name)
    for m in query.measures:
        header += [f"{m.value}_count", f"{m.value}_usd", f"{m.value}_amount"]
    if query.counts_enterprises:
        header += ["enterprises", "sme_share"]
    return [header] + [_line(query, row) for row in rows]


def _line(query: StatsQuery, row: dict[str, Any]) -> list[Any]:
    line: list[Any] = []
    for name in query.group_by:
        value = row[name]
        if name in DIVISIONS:
            line += [value["code"], value["name_zh"], value["name_en"]] if value else ["", "", ""]
        elif name == "bank":
            line += [value["id"], value["name"]] if value else ["", ""]
        else:
            line.append(value or "")
    for m in query.measures:
        figure = row["measures"][m.value]
        amount = figure["amount"]
        # Decimals: exact text in CSV, numbers in a workbook.
        line += [figure["count"], Decimal(figure["usd"]), Decimal(amount) if amount else ""]
    if query.counts_enterprises:
        share = row["sme_share"]
        line += [row["enterprises"], "" if share is None else share]
    return line


def stats_file(query: StatsQuery, rows: list[dict[str, Any]], fmt: str) -> Response:
    """`fmt` csv or xlsx, as an attachment named stats.csv or stats.xlsx."""
    lines = table(query, rows)
    disposition = {"Content-Disposition": f'attachment; filename="stats.{fmt}"'}
    if fmt == "csv":
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(lines)
        return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers=disposition)
    return Response(_xlsx(lines), media_type=XLSX, headers=disposition)


def _xlsx(lines: list[list[Any]]) -> bytes:
    import openpyxl  # imported only when a workbook is asked for

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("stats")
    for line in lines:
        sheet.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
