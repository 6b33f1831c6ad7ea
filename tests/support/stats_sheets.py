"""Filled workbooks and CSV files of statistics filings, as a filer types them."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook

from crossfin.core.money import currency_exponent
from crossfin.filings.forms import FormDefinition
from crossfin.filings.forms.sheets import write_template_xlsx


def major(form: FormDefinition, table: str, row: dict[str, Any], name: str) -> Any:
    """How a filer types a cell: amounts in major units of the row's currency."""
    column = form.table(table).column(name)  # type: ignore[union-attr]
    value = row.get(name)
    if column is not None and column.type == "amount" and isinstance(value, int):
        return Decimal(value).scaleb(-currency_exponent(row["CCY"]))
    return value


def filled_xlsx(form: FormDefinition, content: dict[str, Any]) -> bytes:
    book = load_workbook(io.BytesIO(write_template_xlsx(form)))
    book["FORM"]["B3"] = content["period"]
    for table, rows in content["tables"].items():
        ws = book[table]
        header = [c.value for c in ws[1]]
        for row in rows:
            ws.append([major(form, table, row, h) for h in header])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def filled_csv(form: FormDefinition, content: dict[str, Any]) -> bytes:
    names: list[str] = []
    for table in form.tables:
        names += [n for n in (*table.key_codes, *(c.code for c in table.columns)) if n not in names]
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(["table", "period", *names])
    for table, rows in content["tables"].items():
        for row in rows:
            cells = [major(form, table, row, n) for n in names]
            writer.writerow([table, content["period"], *("" if c is None else c for c in cells)])
    return out.getvalue().encode("utf-8")
