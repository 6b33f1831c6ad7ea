"""The jurisdiction tree: seeding from GB/T 2260 data, lookups, seats and subtree paths."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import and_, insert, or_, select
from sqlalchemy.orm import Session

from crossfin.core.errors import FieldError, invalid
from crossfin.parties.jurisdiction_data import ROOT_CODE, Division, load_divisions
from crossfin.parties.models import Jurisdiction

ROOT_NAME_ZH = "国家外汇管理局"
ROOT_NAME_EN = "SAFE head office"
ROOT_PATH = f"/{ROOT_CODE}/"


def division_row(div: Division, parent_path: str) -> dict[str, str | None]:
    """The `jurisdictions` row of a division whose parent's path is `parent_path`."""
    return {
        "code": div.code,
        "parent_code": div.parent or ROOT_CODE,
        "level": div.level,
        "name_zh": div.name_zh,
        "name_en": div.name_en,
        "path": f"{parent_path}{div.code}/",
        "retired": div.retired,
        "successor_code": div.successor,
    }


def insert_divisions(session: Session, divisions: Iterable[Division]) -> int:
    """Bulk-insert divisions (sorted by code, so parents come first) under known paths.

    Precondition: every parent is in the table or earlier in `divisions`. One INSERT with
    many parameter sets: the full table (3,000+ rows) seeds in well under a second.
    """
    paths = {
        code: path for code, path in session.execute(select(Jurisdiction.code, Jurisdiction.path))
    }
    rows = []
    for div in divisions:
        row = division_row(div, paths[div.parent or ROOT_CODE])
        paths[div.code] = str(row["path"])
        rows.append(row)
    if rows:
        session.execute(insert(Jurisdiction), rows)
    return len(rows)


def seed_jurisdictions(session: Session) -> int:
    """Insert the head-office root and every shipped division not yet present; how many."""
    existing = set(session.scalars(select(Jurisdiction.code)))
    added = 0
    if ROOT_CODE not in existing:
        root = Jurisdiction(
            code=ROOT_CODE,
            parent_code=None,
            level="root",
            name_zh=ROOT_NAME_ZH,
            name_en=ROOT_NAME_EN,
            path=ROOT_PATH,
        )
        session.add(root)
        session.flush()
        added += 1
    missing = [d for d in load_divisions() if d.code not in existing]
    added += insert_divisions(session, missing)
    session.flush()
    return added


def get_jurisdiction(session: Session, code: str, field: str = "jurisdiction") -> Jurisdiction:
    """The node for `code` (retired ones too: old records resolve), or an error on `field`."""
    node = session.get(Jurisdiction, code)
    if node is None:
        raise invalid(field, f"unknown jurisdiction code {code!r}")
    return node


def holds_firms(session: Session, node: Jurisdiction) -> bool:
    """Whether an enterprise may sit here: a county-level division, or a prefecture-level
    city without counties (东莞, 中山, 儋州, 嘉峪关 administer towns directly)."""
    if node.level == "county":
        return True
    if node.level != "prefecture":
        return False
    child = select(Jurisdiction.code).where(
        Jurisdiction.parent_code == node.code, Jurisdiction.retired.is_(None)
    )
    return session.scalar(child.limit(1)) is None


def firm_seat_paths(session: Session) -> list[str]:
    """The paths of every current division that holds firms (`holds_firms`), in one query."""
    with_counties = select(Jurisdiction.parent_code).where(
        Jurisdiction.level == "county", Jurisdiction.retired.is_(None)
    )
    query = select(Jurisdiction.path).where(
        Jurisdiction.retired.is_(None),
        or_(
            Jurisdiction.level == "county",
            and_(Jurisdiction.level == "prefecture", Jurisdiction.code.not_in(with_counties)),
        ),
    )
    return list(session.scalars(query.order_by(Jurisdiction.path)))


def seat_error(session: Session, node: Jurisdiction, field: str, kind: str) -> FieldError | None:
    """Why a new organization of `kind` may not sit at `node`, or None if it may."""
    if node.retired:
        successor = f"; its successor is {node.successor_code}" if node.successor_code else ""
        return FieldError(
            field, f"division {node.code} was retired in edition {node.retired}{successor}"
        )
    if kind == "enterprise" and not holds_firms(session, node):
        return FieldError(
            field, f"a {kind} must sit in a county (or a prefecture-level city without counties)"
        )
    return None


def subtree(session: Session, code: str) -> list[Jurisdiction]:
    """The node and everything under it, retired divisions included, in path order."""
    node = session.get(Jurisdiction, code)
    if node is None:
        return []
    query = select(Jurisdiction).where(Jurisdiction.path.startswith(node.path))
    return list(session.scalars(query.order_by(Jurisdiction.path)))
