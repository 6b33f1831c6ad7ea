"""Who reads and who acts on a filing (docs/filings.md, "Visibility").

Readers: the filer's chain (the filer, and its head office when the filer is a bank
branch: every user of either) and, once it has been submitted, the regulators whose
subtree holds the filing's jurisdiction path. Nobody else: not another bank, not a
sibling branch of the same head office, not a regulator of a sibling province, not the
operator. To them a filing does not exist (404, as for none), so ids leak nothing.

The filer's side (submit, resubmit, withdraw, attach) is the chain; the regulator's side
(accept, return, review, decide, close) the covering regulators; the other side of a
filing one reads is refused with 403.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from crossfin.core.errors import Forbidden, NotFound
from crossfin.filings.models import Filing
from crossfin.parties.access import Caller, supervised, supervises
from crossfin.parties.models import OrgKind


def in_chain(caller: Caller, filing: Filing) -> bool:
    return caller.org_id in (filing.filer_org_id, filing.chain_org_id)


def can_read(caller: Caller, filing: Filing) -> bool:
    """The chain always; a covering regulator once the filing left the draft."""
    if in_chain(caller, filing):
        return True
    return filing.submitted_at is not None and supervises(caller, filing.jurisdiction_path)


def readable(caller: Caller) -> ColumnElement[bool]:
    """The SQL twin of `can_read`, for lists."""
    chain = or_(Filing.filer_org_id == caller.org_id, Filing.chain_org_id == caller.org_id)
    if caller.org_kind is not OrgKind.REGULATOR or caller.jurisdiction_path is None:
        return chain
    covered = supervised(caller, Filing.jurisdiction_path)
    return or_(chain, Filing.submitted_at.is_not(None) & covered)


def visible_filing(
    session: Session, caller: Caller, filing_id: int, *, lock: bool = False
) -> Filing:
    """The filing if the caller may read it; 404 otherwise, word for word as for none."""
    query = select(Filing).where(Filing.id == filing_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    filing = session.scalars(query).one_or_none()
    if filing is None or not can_read(caller, filing):
        raise NotFound(f"no filing {filing_id}")
    return filing


def require_filer_side(caller: Caller, filing: Filing) -> None:
    if not in_chain(caller, filing):
        raise Forbidden("only the filer or its head office may do this")


def require_regulator_side(caller: Caller, filing: Filing) -> None:
    if not supervises(caller, filing.jurisdiction_path):
        raise Forbidden("only a regulator whose subtree covers the filing may do this")
