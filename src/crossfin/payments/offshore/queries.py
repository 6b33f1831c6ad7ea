"""Who sees which P4 check, and checks as list items.

As for payments: a bank sees its own checks, the enterprise its own, a regulator those of
enterprises in its subtree (auditors of these read the same, and only read); the operator
runs the platform, not the parties' business, and sees none.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from crossfin.core.errors import NotFound
from crossfin.core.money import format_amount
from crossfin.parties.access import Caller, supervised, supervises
from crossfin.parties.models import Organization, OrgKind
from crossfin.payments.offshore.models import OffshoreCheck

MAX_PAGE = 500


def _visible(caller: Caller) -> ColumnElement[bool]:
    if caller.org_kind is OrgKind.BANK:
        return OffshoreCheck.bank_org_id == caller.org_id
    if caller.org_kind is OrgKind.ENTERPRISE:
        return OffshoreCheck.enterprise_org_id == caller.org_id
    return supervised(caller, OffshoreCheck.jurisdiction_path)


def get_check(session: Session, caller: Caller, check_id: int) -> OffshoreCheck:
    """The check if the caller may see it; otherwise 404 (existence never leaks)."""
    check = session.get(OffshoreCheck, check_id)
    if check is None or not (
        caller.org_id in (check.bank_org_id, check.enterprise_org_id)
        or supervises(caller, check.jurisdiction_path)
    ):
        raise NotFound(f"no offshore check {check_id}")
    return check


def list_checks(
    session: Session,
    caller: Caller,
    *,
    after: int = 0,
    limit: int = 100,
    outcome: str | None = None,
    newest_first: bool = False,
) -> list[OffshoreCheck]:
    query = select(OffshoreCheck).where(_visible(caller), OffshoreCheck.id > after)
    if outcome:
        query = query.where(OffshoreCheck.outcome == outcome)
    order = OffshoreCheck.id.desc() if newest_first else OffshoreCheck.id
    return list(session.scalars(query.order_by(order).limit(min(max(limit, 1), MAX_PAGE))))


def items(session: Session, checks: list[OffshoreCheck]) -> list[dict[str, Any]]:
    """List items: what a table row shows, the names of the bank and the enterprise."""
    ids = {c.bank_org_id for c in checks} | {c.enterprise_org_id for c in checks}
    names = {
        o.id: (o.name, o.name_zh, o.uscc)
        for o in session.scalars(select(Organization).where(Organization.id.in_(ids)))
    }
    return [
        {
            "check_id": c.id,
            "external_ref": c.external_ref,
            "outcome": c.outcome,
            "created_at": c.created_at,
            "bank": names[c.bank_org_id][0],
            "enterprise": names[c.enterprise_org_id][0],
            "enterprise_zh": names[c.enterprise_org_id][1],
            "enterprise_uscc": names[c.enterprise_org_id][2],
            "contract": c.contract_no,
            "amount": format_amount(c.amount_minor, c.currency),
            "currency": c.currency,
            "bill_of_lading": c.bl_key,
            "declaration": c.declaration_key,
        }
        for c in checks
    ]
