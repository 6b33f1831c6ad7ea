"""Every county-level division of the shipped edition can hold an enterprise.

One enterprise per seat, onboarded through `service.add_org` (the use case every entry point
calls) in one transaction, then read back: its seat, its path under its prefecture and
province, and the per-county count a regulator's figures roll up from.
"""

from __future__ import annotations

from sqlalchemy import func, select

from crossfin.core.db import Database
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties import service
from crossfin.parties.jurisdiction_data import load_divisions
from crossfin.parties.models import Organization, OrgKind
from support.parties import TEST_ACTOR, org_in


def _seats() -> list[str]:
    """County-level codes, and the prefecture-level cities that have no counties."""
    active = [d for d in load_divisions() if d.retired is None]
    with_counties = {d.parent for d in active if d.level == "county"}
    cities = [d.code for d in active if d.level == "prefecture" and d.code not in with_counties]
    return [d.code for d in active if d.level == "county"] + cities


def test_an_enterprise_in_every_county(db: Database) -> None:
    seats = _seats()
    assert len(seats) == 2845 + 4  # 东莞, 中山, 儋州 and 嘉峪关 hold firms directly
    with UnitOfWork(db, TEST_ACTOR) as uow:
        for code in seats:
            service.add_org(uow, org_in(OrgKind.ENTERPRISE, jurisdiction=code))
        uow.commit()
    with db.session() as session:
        rows = session.execute(
            select(Organization.jurisdiction_code, Organization.jurisdiction_path).where(
                Organization.kind == OrgKind.ENTERPRISE.value
            )
        ).all()
        per_county = dict(
            session.execute(
                select(Organization.jurisdiction_code, func.count()).group_by(
                    Organization.jurisdiction_code
                )
            ).all()
        )
    assert sorted(code for code, _ in rows) == sorted(seats)
    for code, path in rows:
        province, prefecture = code[:2] + "0000", code[:4] + "00"
        expected = f"/000000/{province}/{prefecture}/" + ("" if code == prefecture else f"{code}/")
        assert path == expected
    assert set(per_county.values()) == {1}
