"""The GB/T 2260 table shipped with the package (data/jurisdictions.csv), and its file format.

The file lists every province, prefecture and county-level division of mainland China in the
edition named in data/README.md, plus the divisions an earlier edition had and this one
dropped (`retired` names the edition that dropped them, `successor` the division that took
them over). It does not contain the SAFE head office: that root, `ROOT_CODE`, is not a
GB/T 2260 code, so whoever builds the tree adds it and hangs the provinces under it.
`crossfin jurisdictions update FILE` reads a newer edition in the same format.
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
COLUMNS = ["code", "parent", "level", "name_zh", "name_en", "retired", "successor"]


@dataclass(frozen=True, slots=True)
class Division:
    """One row: a province (parent None), prefecture or county, active or retired."""

    code: str
    parent: str | None
    level: DivisionLevel
    name_zh: str
    name_en: str
    retired: str | None = None
    successor: str | None = None


def _parse_row(source: str, line_no: int, row: dict[str, str]) -> Division:
    """Turn a CSV row into a Division, checking it against the code's own structure.

    Precondition: `row` has the columns of `COLUMNS`. The level and parent columns are
    redundant with the code; we insist they agree so a typo in the file fails loudly here
    rather than misplacing a firm in the tree.
    """
    where = f"{source} line {line_no}"
    code = row["code"]
    parent = row["parent"] or None
    try:
        level = division_level(code)
    except ValueError as exc:
        raise ValueError(f"{where}: code {code!r}: {exc}") from None
    if row["level"] != level or parent != division_parent(code):
        raise ValueError(f"{where}: level/parent do not match code {code}")
    if not row["name_zh"] or not row["name_en"]:
        raise ValueError(f"{where}: both names are required")
    successor = row["successor"] or None
    if successor and not row["retired"]:
        raise ValueError(f"{where}: only a retired division has a successor")
    return Division(
        code, parent, level, row["name_zh"], row["name_en"], row["retired"] or None, successor
    )


def _check_tree(source: str, divisions: list[Division]) -> None:
    """Codes unique, parents listed before their children, successors active and listed."""
    seen: dict[str, Division] = {}
    for div in divisions:
        if div.code in seen:
            raise ValueError(f"{source}: code {div.code} is listed twice")
        if div.parent is not None and div.parent not in seen:
            raise ValueError(f"{source}: {div.code} comes before its parent {div.parent}")
        seen[div.code] = div
    for div in divisions:
        after = seen.get(div.successor) if div.successor else None
        if div.successor and (after is None or after.retired):
            raise ValueError(f"{source}: successor {div.successor} of {div.code} is not active")


def parse_divisions(text: str, source: str) -> list[Division]:
    """Read a division file in the shipped format (header `COLUMNS`, sorted by code).

    Precondition: none. Raises ValueError naming `source` and the line of the first problem.
    """
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames != COLUMNS:
        raise ValueError(f"{source}: expected the header {','.join(COLUMNS)}")
    # Line 1 is the header, so data rows start at line 2.
    divisions = [_parse_row(source, n, row) for n, row in enumerate(reader, start=2)]
    _check_tree(source, divisions)
    return divisions


@lru_cache(maxsize=1)
def _load() -> tuple[Division, ...]:
    text = resources.files("crossfin.parties").joinpath("data", DATA_FILE).read_text("utf-8")
    return tuple(parse_divisions(text, DATA_FILE))


def load_divisions() -> list[Division]:
    """All shipped divisions in file order (sorted by code, so parents precede children).

    Precondition: the package data file is installed. Raises ValueError if a row is
    inconsistent. The file is read once; each call returns a fresh list.
    """
    return list(_load())
