"""A step that hands a filing to the other side notifies that side (portal inbox, and a
mail queued for every principal with an address); drafting notifies nobody."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from crossfin.core.db import Database
from crossfin.parties.notifications.models import Notification
from support.filings import draft, make_world, post


def _notices(db: Database, org_id: int) -> list[tuple[str, str | None]]:
    with db.session(readonly=True) as session:
        query = select(Notification).where(Notification.org_id == org_id)
        return [(n.kind, n.link) for n in session.scalars(query.order_by(Notification.id))]


def test_each_side_hears_of_the_other_sides_moves(client: TestClient, db: Database) -> None:
    world = make_world(db)
    filing = draft(client, world.branch)
    fid = filing["id"]
    # The filing concerns 440300, whose regulator is Shenzhen's office.
    assert _notices(db, world.shenzhen.org_id) == []
    assert post(client, world.branch, fid, "submit").status_code == 200
    assert _notices(db, world.shenzhen.org_id) == [("filings:filing:submit", f"/filings/{fid}")]
    assert _notices(db, world.branch.org_id) == []
    returned = post(client, world.shenzhen, fid, "return", {"reason": "sign page 2"})
    assert returned.status_code == 200, returned.text
    # The filer and its head office both hear of it; nobody else does.
    assert _notices(db, world.branch.org_id) == [("filings:filing:return", f"/filings/{fid}")]
    assert _notices(db, world.head.org_id) == [("filings:filing:return", f"/filings/{fid}")]
    assert _notices(db, world.sibling.org_id) == []
    assert _notices(db, world.guangdong.org_id) == []
    with db.session(readonly=True) as session:
        notice = session.scalars(
            select(Notification).where(Notification.org_id == world.branch.org_id)
        ).one()
    assert "sign page 2" in notice.body_en and filing["reference"] in notice.subject_zh


def test_a_refused_step_notifies_nobody(client: TestClient, db: Database) -> None:
    world = make_world(db)
    fid = draft(client, world.branch)["id"]
    # A regulator cannot accept a draft it cannot even read: 404, and no notice anywhere.
    assert post(client, world.shenzhen, fid, "accept").status_code == 404
    assert post(client, world.branch, fid, "withdraw", {}).status_code == 200
    for party in (world.shenzhen, world.guangdong, world.branch, world.head):
        assert _notices(db, party.org_id) == []
