"""Reading verification claims from files and writing results, for the CLI and the portal.

Input: JSON Lines of {kind, key, fields}, or CSV with a header `kind,key,<field>...` (the
kind column may be left out when a default kind is given; empty cells are absent).
Output: one row per claim, numbered by its position in the input (1-based).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from crossfin.core.jsonsafe import MAX_DEPTH, depth
from crossfin.documents.access.models import Verification
from crossfin.documents.access.verification import stored_answer
from crossfin.documents.errors import UnknownKind
from crossfin.documents.kinds.registry import get_kind

RESULT_COLUMNS = ("line", "kind", "key", "outcome", "fields", "remaining", "currency", "available")


def read_claims(
    lines: Iterable[str], fmt: str, default_kind: str | None = None
) -> Iterator[dict[str, Any]]:
    """Claims from JSON Lines or CSV text lines; ValueError names the bad line."""
    if fmt == "jsonl":
        for number, line in enumerate(lines, 1):
            if line.strip():
                yield _json_claim(line, number, default_kind)
        return
    if fmt != "csv":
        raise ValueError("the format is jsonl or csv")
    rows = enumerate(csv.DictReader(lines), 2)
    while True:
        try:
            found = next(rows, None)
        except csv.Error as exc:  # e.g. a cell over csv's field size limit (128 KiB)
            raise ValueError(f"not readable as CSV: {exc}") from None
        if found is None:
            return
        yield _csv_claim(found[1], found[0], default_kind)


def _json_claim(line: str, number: int, default_kind: str | None) -> dict[str, Any]:
    if depth(line) > MAX_DEPTH:
        raise ValueError(f"line {number}: JSON nested more than {MAX_DEPTH} levels deep")
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"line {number}: not JSON ({exc.msg})") from None
    if not isinstance(item, dict) or "key" not in item:
        raise ValueError(f"line {number}: needs an object with kind, key and fields")
    kind = item.get("kind") or default_kind
    if not kind:
        raise ValueError(f"line {number}: no kind (add one, or give a default kind)")
    fields = item.get("fields") or {}
    if not isinstance(fields, dict):
        raise ValueError(f"line {number}: fields must be an object")
    return {"kind": kind, "key": str(item["key"]), "fields": fields}


def _csv_claim(row: dict[str, str], number: int, default_kind: str | None) -> dict[str, Any]:
    if None in row:
        raise ValueError(f"line {number}: more cells than header columns")
    kind = (row.pop("kind", None) or default_kind or "").strip()
    key = (row.pop("key", None) or "").strip()
    if not kind or not key:
        raise ValueError(f"line {number}: needs a kind (column or default) and a key")
    try:
        fields = get_kind(kind).from_csv_row(row)
    except UnknownKind:  # the server names the unknown kind in its answer
        fields = {k: v.strip() for k, v in row.items() if v and v.strip()}
    return {"kind": kind, "key": key, "fields": fields}


def result_row(line: int, item: dict[str, Any]) -> dict[str, Any]:
    """One answered item as a flat row (fields joined by spaces, or `withheld`)."""
    fields = item.get("fields")
    shown = "withheld" if item.get("fields_withheld") else " ".join(fields or [])
    return {
        "line": line,
        "kind": item["kind"],
        "key": item["key"],
        "outcome": item["outcome"],
        "fields": shown,
        "remaining": item.get("remaining"),
        "currency": item.get("currency"),
        "available": item.get("available"),
    }


class ResultWriter:
    """Results as JSON Lines (the answer's items) or CSV (flat rows)."""

    def __init__(self, out: TextIO, fmt: str) -> None:
        self.out = out
        self.csv = csv.writer(out, lineterminator="\n") if fmt == "csv" else None
        if self.csv is not None:
            self.csv.writerow(RESULT_COLUMNS)

    def write(self, line: int, item: dict[str, Any]) -> None:
        if self.csv is None:
            row = {"line": line} | {k: v for k, v in item.items() if k != "index"}
            self.out.write(json.dumps(row, ensure_ascii=False) + "\n")
            return
        flat = result_row(line, item)
        self.csv.writerow(["" if flat[c] is None else flat[c] for c in RESULT_COLUMNS])


def results_csv(rows: Iterable[Verification]) -> str:
    """The CSV a bank downloads: one line per item, numbered from 1 in request order."""
    out = io.StringIO()
    writer = ResultWriter(out, "csv")
    for row in rows:
        writer.write(row.position + 1, stored_answer(row))
    return out.getvalue()
