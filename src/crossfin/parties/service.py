"""Organizations: onboarding with validated identifiers, reads within entitlement.

Classes and their history: parties/classes.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crossfin.core.clock import utcnow
from crossfin.core.errors import AlreadyExists, FieldError, NotFound, ValidationFailed
from crossfin.ledger.events import EventType
from crossfin.ledger.journal import Receipt
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties import identifiers
from crossfin.parties.access import (
    ROOT_PATH,
    Caller,
    can_read_org,
)
from crossfin.parties.branches import branch_errors
from crossfin.parties.classes.history import onboarding_row
from crossfin.parties.hooks import organization_added
from crossfin.parties.jurisdictions import get_jurisdiction, seat_error
from crossfin.parties.models import (
    BankJurisdiction,
    Jurisdiction,
    Organization,
    OrgKind,
    TradeClass,
)
from crossfin.parties.offices import dispatched_office_at, office_errors
from crossfin.parties.schemas import OrgIn


def _check_identifiers(data: OrgIn) -> tuple[dict[str, str | None], list[FieldError]]:
    """Validate and normalise identifiers; collect every problem rather than the first."""
    errors: list[FieldError] = []
    clean: dict[str, str | None] = {"uscc": None, "bic": None, "customs_code": None}
    checks = {
        "uscc": identifiers.validate_uscc,
        "bic": identifiers.validate_bic,
        "customs_code": identifiers.validate_customs_code,
    }
    for name, check in checks.items():
        value = getattr(data, name)
        if value is None:
            continue
        try:
            clean[name] = check(value)
        except ValueError as exc:
            errors.append(FieldError(name, str(exc)))
    required = {OrgKind.ENTERPRISE: "uscc", OrgKind.BANK: "bic", OrgKind.CUSTOMS: "customs_code"}
    need = required.get(data.kind)
    if need and getattr(data, need) is None:
        errors.append(FieldError(need, f"required for a {data.kind.value}"))
    return clean, errors


def _check_jurisdictions(session: Session, data: OrgIn) -> list[FieldError]:
    errors: list[FieldError] = []
    seats: list[Jurisdiction] = []
    for i, code in enumerate(data.jurisdictions):
        found = session.get(Jurisdiction, code)
        field = f"jurisdictions[{i}]"
        if found is None:
            errors.append(FieldError(field, f"unknown GB/T 2260 code {code!r}"))
        elif problem := seat_error(session, found, field, data.kind.value):
            errors.append(problem)
        else:
            seats.append(found)
    single = {OrgKind.ENTERPRISE, OrgKind.REGULATOR}
    if data.kind in single and len(data.jurisdictions) != 1:
        errors.append(FieldError("jurisdictions", f"a {data.kind.value} needs exactly one"))
    if data.kind is OrgKind.BANK and not data.jurisdictions:
        errors.append(FieldError("jurisdictions", "a bank must serve at least one node"))
    if data.trade_class is not None and data.kind is not OrgKind.ENTERPRISE:
        errors.append(FieldError("trade_class", "only enterprises carry a trade class"))
    if data.size is not None and data.kind is not OrgKind.ENTERPRISE:
        errors.append(FieldError("size", "only enterprises carry a size"))
    if data.kind is OrgKind.REGULATOR and len(seats) == 1 == len(data.jurisdictions):
        errors += office_errors(session, seats[0], data.parent_org_id)
    elif data.kind is OrgKind.BANK:
        errors += branch_errors(session, data.parent_org_id)
    elif data.parent_org_id is not None and data.kind is not OrgKind.REGULATOR:
        reason = "only a regulator's dispatched office or a bank branch has one"
        errors.append(FieldError("parent_org_id", reason))
    return errors


def _successor(session: Session, data: OrgIn) -> dict[str, str]:
    """The successor of a retired seat, for the refusal's answer (a client may retry there)."""
    for code in data.jurisdictions:
        node = session.get(Jurisdiction, code)
        if node is not None and node.retired and node.successor_code:
            return {"successor": node.successor_code}
    return {}


def _check_unique(session: Session, clean: dict[str, str | None]) -> None:
    for name in ("uscc", "bic"):
        value = clean[name]
        column = getattr(Organization, name)
        if value and session.scalar(select(Organization.id).where(column == value)):
            raise AlreadyExists(f"an organization with this {name} exists", field=name)


def add_org(uow: UnitOfWork, data: OrgIn) -> tuple[Organization, Receipt]:
    """Register an organization and its served jurisdictions; one ledger event."""
    session = uow.session
    clean, errors = _check_identifiers(data)
    errors += _check_jurisdictions(session, data)
    if errors:
        raise ValidationFailed(errors, **_successor(session, data))
    _check_unique(session, clean)
    seat = data.jurisdictions[0] if data.jurisdictions and data.kind is not OrgKind.BANK else None
    seat_node = get_jurisdiction(session, seat) if seat else None
    dispatched = data.parent_org_id is not None and data.kind is OrgKind.REGULATOR
    if dispatched and seat and (taken := dispatched_office_at(session, seat)):
        raise _office_taken(seat, taken)
    org = Organization(
        kind=data.kind.value,
        name=data.name,
        name_zh=data.name_zh,
        created_at=utcnow(),
        jurisdiction_code=seat,
        jurisdiction_path=seat_node.path if seat_node else None,
        trade_class=(data.trade_class or TradeClass.A).value
        if data.kind is OrgKind.ENTERPRISE
        else None,
        size=data.size.value if data.size is not None else None,
        parent_org_id=data.parent_org_id,
        **clean,
    )
    _insert(session, org, seat)
    organization_added(session, org)
    if data.kind is OrgKind.BANK:
        session.add_all(BankJurisdiction(org_id=org.id, code=c) for c in set(data.jurisdictions))
    # An enterprise's class history starts here (parties/classes). The event's content
    # names the class (none: A); the row is not committed separately, like the
    # migration's backfill, so logs from before class history audit the same.
    first = onboarding_row(org.id, org.trade_class, org.created_at) if org.trade_class else None
    if first is not None:
        session.add(first)
        session.flush()
    content = data.model_dump(mode="json") | clean
    receipt = uow.record(
        EventType.ORG_ADDED,
        subjects={"org": org.id},
        content=content,
        parties={org.id},
    )
    if first is not None:
        first.event_id = receipt.event_id
    return org, receipt


def _insert(session: Session, org: Organization, seat: str | None) -> None:
    """Add and flush `org`. A dispatched office goes in under a savepoint: another onboarded
    at the same county meanwhile breaks the one-office-per-county index, which is a
    conflict (409) rather than a 500. Other organizations need none (it costs a round trip
    per firm when thousands onboard in one transaction)."""
    if org.parent_org_id is None or seat is None or org.kind != OrgKind.REGULATOR.value:
        session.add(org)
        session.flush()
        return
    try:
        with session.begin_nested():
            session.add(org)
    except IntegrityError:
        raise _office_taken(seat, dispatched_office_at(session, seat)) from None


def _office_taken(county: str, office: int | None) -> AlreadyExists:
    return AlreadyExists(
        f"county {county} already has a dispatched office ({office})", field="jurisdictions[0]"
    )


def served_codes(session: Session, org_id: int) -> list[str]:
    """The jurisdiction codes a bank serves."""
    query = select(BankJurisdiction.code).where(BankJurisdiction.org_id == org_id)
    return sorted(session.scalars(query))


def org_names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    """Organization names by id, for pages that show who is who (no query for none)."""
    wanted = set(ids)
    if not wanted:
        return {}
    rows = session.execute(
        select(Organization.id, Organization.name).where(Organization.id.in_(wanted))
    )
    return {org_id: name for org_id, name in rows}


def orgs_by_id(session: Session, ids: Iterable[int | None]) -> dict[int, Organization]:
    """Organizations by id (both names, for pages in either language); None ids skipped."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    found = session.scalars(select(Organization).where(Organization.id.in_(wanted)))
    return {o.id: o for o in found}


def get_org(session: Session, caller: Caller, org_id: int) -> Organization:
    """The organization if the caller may read it; otherwise 404, so existence never leaks."""
    org = session.get(Organization, org_id)
    if org is None or not can_read_org(caller, org):
        raise NotFound(f"no organization {org_id}")
    return org


def list_orgs(
    session: Session,
    caller: Caller,
    *,
    kind: OrgKind | None,
    after: int,
    limit: int,
    uscc: str | None = None,
) -> list[Organization]:
    """Organizations visible to the caller, by id, starting after `after`."""
    query = select(Organization).where(Organization.id > after)
    if uscc is not None:
        query = query.where(Organization.uscc == uscc.strip().upper())
    if kind is not None:
        query = query.where(Organization.kind == kind.value)
    if not caller.is_operator:
        query = query.where(_visible_clause(caller))
    return list(session.scalars(query.order_by(Organization.id).limit(limit)))


def _visible_clause(caller: Caller) -> ColumnElement[bool]:
    """The SQL form of `can_read_org` for a non-operator caller."""
    own = Organization.id == caller.org_id
    if caller.org_kind is not OrgKind.REGULATOR or caller.jurisdiction_path is None:
        return own
    if caller.jurisdiction_path == ROOT_PATH:
        return true()  # head office sees every party, those without a seat included
    return own | Organization.jurisdiction_path.startswith(caller.jurisdiction_path)
