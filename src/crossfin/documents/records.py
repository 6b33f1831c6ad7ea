"""Records as sent, their digests, and the signed batch manifest (shared by server and CLI).

A record is a JSON object: a JSON Lines line, or for CSV the object {header: cell text}
(every column, empty cells as ""). Its digest is SHA-256 of its RFC 8785 (JCS) form,
taken before any validation or normalisation, so a source can compute it without
knowing our rules. The batch root is the RFC 6962 Merkle tree hash whose leaves are
the digests in line order: leaf i = SHA-256(0x00 || digest_i) (`rfc6962.leaf_hash`), so
any RFC 6962 tool checks a record's inclusion proof against the signed root.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from crossfin.core import nul
from crossfin.core.canonical import jcs
from crossfin.core.jsonsafe import MAX_DEPTH, depth

MANIFEST_HEADER = "crossfin.batch/v1"
MAX_BATCH_LINES = 1_000_000
_BATCH_REF = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
_COUNT = re.compile(r"[1-9][0-9]{0,6}")


class RecordError(ValueError):
    """A line that is not a record; `line` is its 0-based index within the chunk."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line, self.reason = line, reason


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise ValueError("an object repeats a member name")
    return obj


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json_record(text: str) -> dict[str, Any]:
    """One JSON object, refusing repeated member names, NaN, Infinity and deep nesting."""
    # Nesting needs an opening bracket per level: counting them is a fraction of `depth`.
    if text.count("{") + text.count("[") > MAX_DEPTH and depth(text) > MAX_DEPTH:
        raise ValueError(f"nested more than {MAX_DEPTH} levels deep")
    obj = _fast_record(text)
    if obj is None:
        obj = json.loads(text, object_pairs_hook=_unique_pairs, parse_constant=_no_constants)
    if not isinstance(obj, dict):
        raise ValueError("a record must be a JSON object")
    return obj


def _fast_record(text: str) -> dict[str, Any] | None:
    """`text` parsed by orjson, when that is provably what `json.loads` with the hooks
    above returns; None otherwise (json then parses it again and says what is wrong).

    orjson is several times faster but takes the last of repeated member names, parses
    integers beyond 64 bits as floats, and refuses some texts json reads (lone surrogate
    escapes, 1e400, NaN). So the result is kept only if it holds no float at all and has
    as many members as the text has name separators: a colon outside strings is one (in
    valid JSON nothing else is), and a repeated name leaves fewer members than colons.
    """
    try:
        obj = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    if type(obj) is not dict:
        return None
    members = _members(obj)
    if members < 0:
        return None
    plain = text.replace("\\\\", "").replace('\\"', "")  # escaped \ and " are in strings
    if "".join(plain.split('"')[::2]).count(":") != members:
        return None
    return obj


def _members(value: Any) -> int:
    """How many object members `value` holds at every depth; -1 if it holds a float."""
    kind = type(value)
    if kind is not dict and kind is not list:
        return -1 if kind is float else 0
    total = len(value) if kind is dict else 0
    for item in value.values() if kind is dict else value:
        if type(item) is not str:
            inner = _members(item)
            if inner < 0:
                return -1
            total += inner
    return total


def record_digest(obj: Any) -> bytes:
    """SHA-256 of the RFC 8785 form of a record as sent."""
    return hashlib.sha256(jcs(obj)).digest()


def iter_jsonl(text: str) -> Iterator[dict[str, Any]]:
    """Records of a JSON Lines text; blank lines are not records and are skipped."""
    index = 0
    for raw in text.split("\n"):
        if not raw.strip():
            continue
        try:
            record = parse_json_record(raw)
        except (ValueError, RecursionError) as exc:
            raise RecordError(index, str(exc)) from None
        if "\\u0000" in raw and nul.nul_paths(record):  # JSON text writes NUL only so
            raise RecordError(index, nul.REASON)
        yield record
        index += 1


def iter_csv(text: str) -> Iterator[dict[str, str]]:
    """Records of a CSV text whose first row is the header: {header: cell} per row."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = _next_row(reader, 0)
    if not header:
        raise RecordError(0, "a CSV chunk starts with its header row")
    if len(set(header)) != len(header) or any(not h.strip() for h in header):
        raise RecordError(0, "CSV header names must be unique and not empty")
    index = 0
    has_nul = nul.NUL in text
    if has_nul and nul.NUL in "".join(header):
        raise RecordError(0, nul.REASON)
    while (row := _next_row(reader, index)) is not None:
        if not row:
            continue
        if len(row) != len(header):
            raise RecordError(index, f"has {len(row)} cells, the header has {len(header)}")
        if has_nul and any(nul.NUL in cell for cell in row):
            raise RecordError(index, nul.REASON)
        yield dict(zip(header, row, strict=True))
        index += 1


def _next_row(reader: Iterator[list[str]], index: int) -> list[str] | None:
    """The next row, None at the end; a row csv cannot read (a cell over its field size
    limit, 128 KiB) is a RecordError naming the record, not an unexpected failure."""
    try:
        return next(reader, None)
    except csv.Error as exc:
        raise RecordError(index, f"not readable as CSV: {exc}") from None


@dataclass(frozen=True)
class Manifest:
    """The body of a batch manifest: what the source's signature covers."""

    kind: str
    ref: str
    count: int
    root: bytes

    def text(self) -> str:
        """The note text (what is signed), final newline included."""
        root = base64.b64encode(self.root).decode()
        return f"{MANIFEST_HEADER}\n{self.kind}\n{self.ref}\n{self.count}\n{root}\n"


def parse_manifest_text(text: str) -> Manifest:
    """Read the 5 lines of a manifest's text; ValueError names the bad line."""
    lines = text.split("\n")
    if len(lines) != 6 or lines[5] != "":
        raise ValueError("the manifest text has 5 lines: header, kind, batch id, count, root")
    header, kind, ref, count, root = lines[:5]
    if header != MANIFEST_HEADER:
        raise ValueError(f"line 1 must be {MANIFEST_HEADER!r}")
    if not _BATCH_REF.fullmatch(ref):
        raise ValueError("line 3, the batch id: 1-64 letters, digits or . _ : -")
    if not _COUNT.fullmatch(count) or int(count) > MAX_BATCH_LINES:
        raise ValueError(f"line 4, the record count: 1 to {MAX_BATCH_LINES}")
    try:
        raw = base64.b64decode(root.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        raw = b""
    if len(raw) != 32 or base64.b64encode(raw).decode() != root:
        raise ValueError("line 5, the root: base64 of 32 bytes")
    return Manifest(kind=kind, ref=ref, count=int(count), root=raw)
