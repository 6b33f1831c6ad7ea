"""`crossfin org|user|api-key ...`: scriptable onboarding on CROSSFIN_DATABASE_URL."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from pydantic import ValidationError

from crossfin.core.errors import NotFound, ValidationFailed, field_errors
from crossfin.ledger.cli import domain_errors, emit, fail, unit_of_work
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties import credentials, service
from crossfin.parties.emails import normalize_email
from crossfin.parties.models import EnterpriseSize, OrgKind, Principal, PrincipalKind, Role
from crossfin.parties.schemas import OrgIn

org_app = typer.Typer(help="Organizations.", no_args_is_help=True)
user_app = typer.Typer(help="Portal users.", no_args_is_help=True)
api_key_app = typer.Typer(help="API keys.", no_args_is_help=True)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


def _pydantic_errors(exc: ValidationError) -> ValidationFailed:
    return ValidationFailed(field_errors(exc))


@org_app.command("add")
@domain_errors
def org_add(
    kind: Annotated[OrgKind, typer.Option(help="Kind of party.")],
    name: Annotated[str, typer.Option(help="Legal name (English).")],
    name_zh: Annotated[str | None, typer.Option(help="Chinese name.")] = None,
    uscc: Annotated[str | None, typer.Option(help="Unified social credit code.")] = None,
    bic: Annotated[str | None, typer.Option(help="SWIFT BIC (banks).")] = None,
    customs_code: Annotated[str | None, typer.Option(help="4-digit district.")] = None,
    jurisdiction: Annotated[
        list[str] | None,
        typer.Option(help="GB/T 2260 code; repeat for banks serving several nodes."),
    ] = None,
    size: Annotated[
        EnterpriseSize | None, typer.Option(help="Enterprises: micro, small, medium or large.")
    ] = None,
    parent_org: Annotated[
        int | None,
        typer.Option(
            help="A dispatched office's parent regulator (a regulator at a county), or a "
            "bank branch's head office."
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Register an organization with validated identifiers."""
    try:
        data = OrgIn(
            kind=kind,
            name=name,
            name_zh=name_zh,
            uscc=uscc,
            bic=bic,
            customs_code=customs_code,
            jurisdictions=jurisdiction or [],
            size=size,
            parent_org_id=parent_org,
        )
    except ValidationError as exc:
        raise _pydantic_errors(exc) from None
    with unit_of_work() as uow:
        org, receipt = service.add_org(uow, data)
        uow.commit()
    emit(
        {"id": org.id, "kind": org.kind, "name": org.name, "receipt": receipt.as_dict()},
        as_json,
        f"added {org.kind} {org.id}: {org.name}",
    )


def _read_password() -> str:
    if sys.stdin.isatty():
        password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        return password
    return sys.stdin.readline().rstrip("\r\n")


@user_app.command("add")
@domain_errors
def user_add(
    org: Annotated[int, typer.Option(help="Organization id.")],
    username: Annotated[str, typer.Option(help="Login name, unique on the platform.")],
    role: Annotated[Role, typer.Option(help="admin, operator, approver or auditor.")],
    email: Annotated[
        str | None, typer.Option(help="Where the user's notifications are mailed.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Add a portal user; the password comes from stdin (or a prompt on a terminal)."""
    address = normalize_email(email) if email else None
    password = _read_password()
    if len(password) < 10:
        fail("the password must have at least 10 characters")
    with unit_of_work() as uow:
        user, receipt = credentials.add_principal(
            uow, org, PrincipalKind.USER, username, role, password, email=address
        )
        uow.commit()
    emit(
        {
            "id": user.id,
            "org": org,
            "username": username,
            "role": role.value,
            "email": address,
            "receipt": receipt.as_dict(),
        },
        as_json,
        f"added user {username} ({user.id})",
    )


@api_key_app.command("issue")
@domain_errors
def key_issue(
    org: Annotated[int, typer.Option(help="Organization id.")],
    user: Annotated[str | None, typer.Option(help="Username of an existing user.")] = None,
    service_name: Annotated[
        str | None, typer.Option("--service", help="Service account name (created if missing).")
    ] = None,
    role: Annotated[Role, typer.Option(help="Role of a new service account.")] = Role.OPERATOR,
    as_json: JsonOpt = False,
) -> None:
    """Issue an API key for a user or a service account; the key is printed once."""
    if (user is None) == (service_name is None):
        fail("give exactly one of --user or --service")
    with unit_of_work() as uow:
        if user is not None:
            principal = credentials.find_principal(uow.session, org, PrincipalKind.USER, user)
        else:
            principal = _service_account(uow, org, service_name or "", role)
        row, key, receipt = credentials.issue_key(uow, principal.id)
        uow.commit()
    emit(
        {"id": row.id, "key": key, "principal_id": principal.id, "receipt": receipt.as_dict()},
        as_json,
        f"key {row.id}: {key}",
    )


def _service_account(uow: UnitOfWork, org: int, name: str, role: Role) -> Principal:
    """The org's service account `name`, created with `role` when missing."""
    try:
        return credentials.find_principal(uow.session, org, PrincipalKind.SERVICE, name)
    except NotFound:
        principal, _ = credentials.add_principal(uow, org, PrincipalKind.SERVICE, name, role)
        return principal


@api_key_app.command("revoke")
@domain_errors
def key_revoke(
    key_id: Annotated[str, typer.Argument(help="The key id (cf_<id>_...).")],
    as_json: JsonOpt = False,
) -> None:
    """Revoke an API key at once."""
    with unit_of_work() as uow:
        row, receipt = credentials.revoke_key(uow, key_id)
        uow.commit()
    emit(
        {"id": row.id, "revoked_at": row.revoked_at, "receipt": receipt.as_dict()},
        as_json,
        f"revoked key {row.id}",
    )
