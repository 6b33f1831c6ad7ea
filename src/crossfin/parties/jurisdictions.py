"""The jurisdiction tree: seeding from GB/T 2260 data, lookups and subtree paths."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.core.errors import invalid
from crossfin.parties.jurisdiction_data import ROOT_CODE, load_divisions
from crossfin.parties.models import Jurisdiction

ROOT_NAME_ZH = "国家外汇管理局"
ROOT_NAME_EN = "SAFE head office"
_DEPTH = {"province": 1, "prefecture": 2, "county": 3}


def seed_jurisdictions(session: Session) -> int:
    """Insert the head-office root and every division not yet present; returns how many."""
    existing = set(session.scalars(select(Jurisdiction.code)))
    paths = {ROOT_CODE: f"/{ROOT_CODE}/"}
    added = 0
    if ROOT_CODE not in existing:
        session.add(
            Jurisdiction(
                code=ROOT_CODE,
                parent_code=None,
                level="root",
                name_zh=ROOT_NAME_ZH,
                name_en=ROOT_NAME_EN,
                path=paths[ROOT_CODE],
            )
        )
        added += 1
    # Parents first, so each parent's path is known when its children come.
    for div in sorted(load_divisions(), key=lambda d: _DEPTH[d.level]):
        parent = div.parent or ROOT_CODE
        paths[div.code] = f"{paths[parent]}{div.code}/"
        if div.code in existing:
            continue
        session.add(
            Jurisdiction(
                code=div.code,
                parent_code=parent,
                level=div.level,
                name_zh=div.name_zh,
                name_en=div.name_en,
                path=paths[div.code],
            )
        )
        added += 1
    session.flush()
    return added


def get_jurisdiction(session: Session, code: str, field: str = "jurisdiction") -> Jurisdiction:
    """The node for `code`, or a validation error naming `field`."""
    node = session.get(Jurisdiction, code)
    if node is None:
        raise invalid(field, f"unknown jurisdiction code {code!r}")
    return node


def subtree(session: Session, code: str) -> list[Jurisdiction]:
    """The node and everything under it, in path order."""
    node = session.get(Jurisdiction, code)
    if node is None:
        return []
    query = select(Jurisdiction).where(Jurisdiction.path.startswith(node.path))
    return list(session.scalars(query.order_by(Jurisdiction.path)))
