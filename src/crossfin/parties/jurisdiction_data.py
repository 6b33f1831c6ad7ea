"""The GB/T 2260 seed shipped with the package (data/jurisdictions.csv).

The file lists all 31 provincial-level divisions of mainland China and a realistic subset of
prefectures and counties. It does not contain the SAFE head office: that root, `ROOT_CODE`,
is not a GB/T 2260 code, so whoever builds the tree adds it and hangs the provinces under it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from crossfin.parties.identifiers import DivisionLevel, division_level, division_parent

ROOT_CODE = "000000"
DATA_FILE = "jurisdictions.csv"
_COLUMNS = ["code", "parent", "level", "name_zh", "name_en"]


@dataclass(frozen=True, slots=True)
class Division:
    """One row of the seed: a province (parent None), prefecture or county."""

    code: str
    parent: str | None
    level: DivisionLevel
    name_zh: str
    name_en: str


def _parse_row(line_no: int, row: dict[str, str]) -> Division:
    """Turn a CSV row into a Division, checking it against the code's own structure.

    Precondition: `row` has the columns of `_COLUMNS`. The level and parent columns are
    redundant with the code; we insist they agree so a typo in the file fails loudly here
    rather than misplacing a firm in the tree.
    """
    code = row["code"]
    parent = row["parent"] or None
    level = division_level(code)
    if row["level"] != level or parent != division_parent(code):
        raise ValueError(f"{DATA_FILE} line {line_no}: level/parent do not match code {code}")
    return Division(
        code=code, parent=parent, level=level, name_zh=row["name_zh"], name_en=row["name_en"]
    )


@lru_cache(maxsize=1)
def _load() -> tuple[Division, ...]:
    text = resources.files("crossfin.parties").joinpath("data", DATA_FILE).read_text("utf-8")
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames != _COLUMNS:
        raise ValueError(f"{DATA_FILE}: expected header {','.join(_COLUMNS)}")
    # Line 1 is the header, so data rows start at line 2.
    return tuple(_parse_row(n, row) for n, row in enumerate(reader, start=2))


def load_divisions() -> list[Division]:
    """All divisions in file order (sorted by code, so parents precede children).

    Precondition: the package data file is installed. Raises ValueError if a row is
    inconsistent. The file is read once; each call returns a fresh list.
    """
    return list(_load())
