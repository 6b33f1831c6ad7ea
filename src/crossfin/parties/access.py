"""Access control in one place: who the caller is and what it may read or do."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import ColumnElement, SQLColumnExpression, false, select, true
from sqlalchemy.orm import Session

from crossfin.core.db import Actor
from crossfin.core.errors import Forbidden
from crossfin.parties.models import Organization, OrgKind, Role

ROOT_PATH = "/000000/"
# Roles that read and never change anything: every write they attempt is refused (403) at
# authentication, in the API and the portal alike (core/http/writes.py says what a write is).
READ_ONLY_ROLES = frozenset({Role.AUDITOR})


@dataclass(frozen=True)
class Caller:
    """An authenticated principal and the organization it acts for."""

    principal_id: int
    principal_name: str
    role: Role
    org_id: int
    org_kind: OrgKind
    # Regulators: the subtree they supervise; others: their seat (may be None).
    jurisdiction_path: str | None
    key_id: str | None = None

    @property
    def actor(self) -> Actor:
        return Actor(self.org_id, self.principal_id, self.principal_name)

    @property
    def is_operator(self) -> bool:
        return self.org_kind is OrgKind.OPERATOR

    def reads_records_of(self, session: Session, org_ids: Collection[int]) -> bool:
        """Own records, or a regulator over any party named (the log's `Participant`)."""
        if not org_ids:
            return False
        if self.org_id in org_ids:
            return True
        if self.org_kind is not OrgKind.REGULATOR:
            return False
        paths = session.scalars(
            select(Organization.jurisdiction_path).where(Organization.id.in_(set(org_ids)))
        ).all()
        # A party the event names but no table knows (never expected) has no seat.
        seats = list(paths) + [None] * (len(set(org_ids)) - len(paths))
        return any(supervises(self, path) for path in seats)


def require_kind(caller: Caller, *kinds: OrgKind) -> None:
    """Refuse (403) callers whose organization is not of one of `kinds`."""
    if caller.org_kind not in kinds:
        allowed = ", ".join(k.value for k in kinds)
        raise Forbidden(f"only {allowed} organizations may do this")


def require_role(caller: Caller, *roles: Role) -> None:
    """Refuse (403) callers without one of `roles`."""
    if caller.role not in roles:
        allowed = ", ".join(r.value for r in roles)
        raise Forbidden(f"this needs the role {allowed}")


def require_writer(caller: Caller) -> None:
    """Refuse (403) a write by a read-only role (auditors read only)."""
    if caller.role in READ_ONLY_ROLES:
        raise Forbidden(f"the {caller.role.value} role reads only; it may not change anything")


def supervised(caller: Caller, path: SQLColumnExpression[str | None]) -> ColumnElement[bool]:
    """The SQL twin of `supervises`: rows whose jurisdiction `path` column lies in the
    caller's subtree (every row for the head office; none for anyone but a regulator)."""
    if caller.org_kind is not OrgKind.REGULATOR or caller.jurisdiction_path is None:
        return false()
    if caller.jurisdiction_path == ROOT_PATH:
        return true()
    return path.startswith(caller.jurisdiction_path)


def supervises(caller: Caller, path: str | None) -> bool:
    """True if `caller` is a regulator whose subtree holds the jurisdiction `path`."""
    if caller.org_kind is not OrgKind.REGULATOR or caller.jurisdiction_path is None:
        return False
    if caller.jurisdiction_path == ROOT_PATH:
        return True  # head office sees everything, parties without a seat included
    return path is not None and path.startswith(caller.jurisdiction_path)


def can_read_org(caller: Caller, org: Organization) -> bool:
    """Own organization, the operator, or a regulator over the organization's seat."""
    if caller.org_id == org.id or caller.is_operator:
        return True
    return supervises(caller, org.jurisdiction_path)


def can_administer(caller: Caller, org_id: int) -> bool:
    """The operator's admins administer every party; an admin, its own organization."""
    if caller.role is not Role.ADMIN:
        return False
    return caller.is_operator or caller.org_id == org_id
