"""HTTP routes of the parties domain: thin wrappers over parties.service and credentials."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response
from sqlalchemy import select

from crossfin.core.clock import business_date
from crossfin.core.errors import Forbidden
from crossfin.core.http.params import After, PathId
from crossfin.core.http.writes import own_credentials, own_inbox
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties import credentials, emails, service
from crossfin.parties.access import can_administer, require_kind, require_role
from crossfin.parties.classes import service as classes
from crossfin.parties.classes.history import ClassBook
from crossfin.parties.http import CallerDep, ReadUow, WriterDep, WriteResult
from crossfin.parties.jurisdictions import subtree
from crossfin.parties.models import (
    ApiKey,
    Organization,
    OrgKind,
    Principal,
    PrincipalKind,
    Role,
    TradeClass,
)
from crossfin.parties.schemas import (
    EmailIn,
    IssuedKey,
    JurisdictionOut,
    KeyIn,
    KeyOut,
    OrgIn,
    OrgOut,
    PrincipalOut,
    ServiceIn,
    TradeClassIn,
    UserIn,
)

router = APIRouter(prefix="/v1", tags=["parties"])


def org_out(uow: UnitOfWork, org: Organization, book: ClassBook | None = None) -> OrgOut:
    out = OrgOut.model_validate(org)
    if org.kind == OrgKind.BANK.value:
        out.serves = service.served_codes(uow.session, org.id)
    if org.kind == OrgKind.ENTERPRISE.value:
        # The class in force today from the history (the cached column waits for the next
        # change to follow a change dated ahead).
        book = book or ClassBook.load(uow.session, [org.id])
        out.trade_class = TradeClass(book.on(org.id, business_date()))
    return out


@router.get("/me", summary="Who am I: the caller's principal and organization")
def me(caller: CallerDep, uow: ReadUow) -> dict[str, object]:
    org = service.get_org(uow.session, caller, caller.org_id)
    return {
        "principal": {
            "id": caller.principal_id,
            "name": caller.principal_name,
            "role": caller.role.value,
        },
        "organization": org_out(uow, org).model_dump(mode="json"),
    }


@router.get(
    "/jurisdictions",
    response_model=list[JurisdictionOut],
    summary="The jurisdiction tree, or the subtree under one node",
)
def jurisdictions(
    caller: CallerDep, uow: ReadUow, under: Annotated[str, Query(pattern=r"^\d{6}$")] = "000000"
) -> list[object]:
    return list(subtree(uow.session, under))


@router.post("/orgs", status_code=201, summary="Onboard an organization (operator admins)")
def add_org(data: OrgIn, caller: CallerDep, write: WriterDep) -> Response:
    require_kind(caller, OrgKind.OPERATOR)
    require_role(caller, Role.ADMIN)

    def run(uow: UnitOfWork) -> WriteResult:
        org, receipt = service.add_org(uow, data)
        return org_out(uow, org), receipt

    return write(run)


@router.get(
    "/orgs",
    response_model=list[OrgOut],
    summary="Organizations visible to the caller (own, subtree, or all for operators)",
)
def list_orgs(
    caller: CallerDep,
    uow: ReadUow,
    kind: OrgKind | None = None,
    uscc: Annotated[str | None, Query(max_length=18, description="only this USCC")] = None,
    after: After = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[OrgOut]:
    orgs = service.list_orgs(uow.session, caller, kind=kind, after=after, limit=limit, uscc=uscc)
    book = ClassBook.load(uow.session, [o.id for o in orgs if o.kind == OrgKind.ENTERPRISE.value])
    return [org_out(uow, o, book) for o in orgs]


@router.get("/orgs/{org_id}", response_model=OrgOut, summary="One organization")
def get_org(org_id: PathId, caller: CallerDep, uow: ReadUow) -> OrgOut:
    return org_out(uow, service.get_org(uow.session, caller, org_id))


@router.put(
    "/orgs/{org_id}/trade-class",
    summary="Change an enterprise's class from today (regulators; see POST .../classes)",
    # The rule documents 409 on POSTs only; this PUT records a history row too.
    responses={409: {"description": "The same class and reason again, from the same day"}},
)
def set_class(org_id: PathId, data: TradeClassIn, caller: CallerDep, write: WriterDep) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        change = classes.ClassChange(data.trade_class.value, data.reason)
        _, receipt = classes.classify(uow, caller, org_id, change)
        return org_out(uow, service.get_org(uow.session, caller, org_id)), receipt

    return write(run, status=200)


def _admin_of(uow: UnitOfWork, caller: CallerDep, org_id: int) -> None:
    service.get_org(uow.session, caller, org_id)  # 404 before 403: existence never leaks
    if not can_administer(caller, org_id):
        raise Forbidden("only an admin of this organization (or the operator) may do this")


def _adding(
    uow: UnitOfWork, caller: CallerDep, org_id: int, kind: PrincipalKind, role: Role
) -> None:
    service.get_org(uow.session, caller, org_id)  # 404 before 403: existence never leaks
    credentials.check_add_principal(uow.session, caller, org_id, kind, role)


@router.post("/orgs/{org_id}/users", status_code=201, summary="Add a portal user")
def add_user(org_id: PathId, data: UserIn, caller: CallerDep, write: WriterDep) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        _adding(uow, caller, org_id, PrincipalKind.USER, data.role)
        email = emails.normalize_email(data.email) if data.email else None
        user, receipt = credentials.add_principal(
            uow, org_id, PrincipalKind.USER, data.username, data.role, data.password, email=email
        )
        return PrincipalOut.model_validate(user), receipt

    return write(run)


@router.post("/orgs/{org_id}/services", status_code=201, summary="Add a service account")
def add_service(org_id: PathId, data: ServiceIn, caller: CallerDep, write: WriterDep) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        _adding(uow, caller, org_id, PrincipalKind.SERVICE, data.role)
        svc, receipt = credentials.add_principal(
            uow, org_id, PrincipalKind.SERVICE, data.name, data.role
        )
        return PrincipalOut.model_validate(svc), receipt

    return write(run)


@router.get(
    "/orgs/{org_id}/principals",
    response_model=list[PrincipalOut],
    summary="Users and service accounts of an organization (its admins, operator)",
    responses={403: {"description": "Only the organization's admins and operator admins"}},
)
def principals(org_id: PathId, caller: CallerDep, uow: ReadUow) -> list[object]:
    _admin_of(uow, caller, org_id)
    query = select(Principal).where(Principal.org_id == org_id).order_by(Principal.id)
    return list(uow.session.scalars(query))


@router.put(
    "/principals/{principal_id}/email",
    response_model=PrincipalOut,
    responses={
        403: {"description": "Neither the principal itself nor an admin of its organization"},
        404: {"description": "No such principal in the caller's organization"},
    },
    summary="Set or clear where a principal's notifications are mailed",
)
@own_inbox  # an auditor sets its own address; emails.set_email says whose
def set_email(principal_id: PathId, data: EmailIn, caller: CallerDep, write: WriterDep) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        principal, receipt = emails.set_email(uow, caller, principal_id, data.email)
        return PrincipalOut.model_validate(principal), receipt

    return write(run, status=200)


@router.post(
    "/keys",
    status_code=201,
    summary="Issue an API key (shown once)",
    responses={404: {"description": "No such principal in the caller's organization"}},
)
@own_credentials  # auditors issue their own keys; credentials.check_issue_key says whose
def issue_key(data: KeyIn, caller: CallerDep, write: WriterDep) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        credentials.check_issue_key(uow.session, caller, data.principal_id)
        row, key, receipt = credentials.issue_key(uow, data.principal_id)
        return IssuedKey(
            id=row.id, principal_id=row.principal_id, created_at=row.created_at, key=key
        ), receipt

    return write(run)


@router.get("/keys", response_model=list[KeyOut], summary="The caller's own API keys")
def list_keys(caller: CallerDep, uow: ReadUow) -> list[KeyOut]:
    query = select(ApiKey).where(ApiKey.principal_id == caller.principal_id)
    return [
        KeyOut(
            id=k.id,
            principal_id=k.principal_id,
            created_at=k.created_at,
            revoked_at=k.revoked_at,
            last_used_at=k.last_used_at,
        )
        for k in uow.session.scalars(query.order_by(ApiKey.created_at))
    ]


@router.post("/keys/{key_id}/revoke", summary="Revoke an API key at once")
@own_credentials  # an auditor revokes its own leaked key at once
def revoke_key(key_id: str, caller: CallerDep, write: WriterDep) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        credentials.check_revoke_key(uow.session, caller, key_id)
        row, receipt = credentials.revoke_key(uow, key_id)
        return KeyOut(
            id=row.id,
            principal_id=row.principal_id,
            created_at=row.created_at,
            revoked_at=row.revoked_at,
            last_used_at=row.last_used_at,
        ), receipt

    return write(run, status=200)
