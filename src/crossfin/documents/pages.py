"""Portal pages of the registry: documents and versions, who verified them, consents.

Thin handlers over the same services as the API (`reading`, `consent`, `versions`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from sqlalchemy import select
from starlette.responses import Response

from crossfin.core.errors import ValidationFailed
from crossfin.core.http.params import FormId, PathId
from crossfin.core.web.csrf import CsrfDep
from crossfin.core.web.i18n import N_
from crossfin.core.web.nav import NavEntry, kinds
from crossfin.core.web.render import redirect, render
from crossfin.documents.access import consent as consents
from crossfin.documents.access import reading
from crossfin.documents.access.models import Consent
from crossfin.documents.balance import remaining_minor
from crossfin.documents.kinds.registry import all_kinds
from crossfin.documents.versions import list_versions, version_view
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.models import Organization, OrgKind
from crossfin.parties.portal import PortalCallerDep
from crossfin.parties.portal_work import PortalReadUow, run_write
from crossfin.parties.service import org_names

router = APIRouter()
SOURCES = (
    OrgKind.CUSTOMS,
    OrgKind.TAX,
    OrgKind.INSURER,
    OrgKind.LOGISTICS,
    OrgKind.OVERSEAS_CUSTOMS,
)
READERS = kinds(OrgKind.ENTERPRISE, OrgKind.BANK, OrgKind.REGULATOR, *SOURCES)
NAV = [
    NavEntry(
        N_("Documents"),
        "/documents",
        READERS,
        order=20,
        description=N_(
            "Browse the authoritative documents you may read, with their versions and balances."
        ),
    ),
    NavEntry(
        N_("Verifications"),
        "/verifications",
        kinds(OrgKind.ENTERPRISE, OrgKind.BANK, OrgKind.REGULATOR),
        order=30,
        description=N_("See which bank verified which document, when, and with what outcome."),
    ),
    NavEntry(
        N_("Consents"),
        "/consents",
        kinds(OrgKind.ENTERPRISE, OrgKind.BANK, OrgKind.REGULATOR),
        order=40,
        description=N_(
            "Time-limited consents enterprises grant banks to read their "
            "records: who, what, until when."
        ),
    ),
    NavEntry(
        N_("Verify"),
        "/verify",
        kinds(OrgKind.BANK),
        order=25,
        description=N_("Upload the documents a client showed you and check them all at once."),
    ),
    NavEntry(
        N_("Batches"),
        "/batches",
        kinds(*SOURCES),
        order=25,
        description=N_("Upload a signed batch of documents and read its outcome line by line."),
    ),
]
PAGE = 50


@router.get("/documents", summary="Documents the user's organization may read")
def documents(
    request: Request,
    caller: PortalCallerDep,
    uow: PortalReadUow,
    kind: str | None = None,
    cursor: str | None = None,
) -> Response:
    page = reading.list_documents(uow.session, caller, kind=kind or None, cursor=cursor, limit=PAGE)
    return render(
        request,
        "documents/list.html",
        {
            "page": page,
            "kind": kind or "",
            "kinds": [k.name for k in all_kinds()],
            "remaining": remaining_minor(uow.session, page.items),
        },
    )


@router.get("/documents/{kind}/{key}", summary="One document: content, versions, checks")
def document(
    request: Request, kind: str, key: str, caller: PortalCallerDep, uow: PortalReadUow
) -> Response:
    doc, content = reading.get_document(uow.session, caller, kind, key)
    _, rows = list_versions(uow.session, caller, kind, key)
    versions = [version_view(v) for v in reversed(rows)]
    checks = (
        reading.list_verifications(uow.session, caller, kind=kind, key=doc.key, limit=200).items
        if caller.org_kind is not OrgKind.BANK
        else []
    )
    return render(
        request,
        "documents/detail.html",
        {
            "doc": doc,
            "content": content,
            "versions": versions,
            "checks": checks,
            "remaining": remaining_minor(uow.session, [doc]).get(doc.id),
        },
    )


@router.get("/verifications", summary="Who verified which documents, when, with what outcome")
def verifications(
    request: Request, caller: PortalCallerDep, uow: PortalReadUow, cursor: str | None = None
) -> Response:
    page = reading.list_verifications(uow.session, caller, cursor=cursor, limit=PAGE)
    return render(request, "documents/verifications.html", {"page": page})


def _banks(uow: UnitOfWork) -> list[Organization]:
    query = select(Organization).where(Organization.kind == OrgKind.BANK.value)
    return list(uow.session.scalars(query.order_by(Organization.name)))


def _consents_page(
    request: Request,
    caller: Any,
    uow: UnitOfWork,
    errors: list[Any] | None = None,
    status_code: int = 200,
    form: dict[str, Any] | None = None,
) -> Response:
    rows = consents.list_consents(uow.session, caller, limit=200)
    names = org_names(
        uow.session, {c.bank_org_id for c in rows} | {c.enterprise_org_id for c in rows}
    )
    scopes = sorted(consents.scope_names())
    return render(
        request,
        "documents/consents.html",
        {
            "rows": rows,
            "names": names,
            "status_of": consents.status_of,
            "scopes": scopes,
            "banks": _banks(uow) if caller.org_kind is OrgKind.ENTERPRISE else [],
            "errors": errors or [],
            "form": form or {"days": 90, "scopes": []},
            "can_grant": caller.org_kind is OrgKind.ENTERPRISE
            and caller.role in consents.GRANTING_ROLES,
        },
        status_code=status_code,
    )


@router.get("/consents", summary="Consents granted (enterprise) or received (bank)")
def consent_list(request: Request, caller: PortalCallerDep, uow: PortalReadUow) -> Response:
    return _consents_page(request, caller, uow)


@router.post("/consents", summary="Grant a bank consent")
def consent_grant(
    request: Request,
    caller: PortalCallerDep,
    uow: PortalReadUow,
    _: CsrfDep,
    bank_org_id: FormId,
    days: Annotated[int, Form(ge=1, le=consents.MAX_DAYS)],
    scopes: Annotated[list[str], Form()],
    purpose: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    expires = datetime.now(UTC) + timedelta(days=days)

    def grant(write: UnitOfWork) -> Consent:
        bank = consents.find_bank(write.session, org_id=bank_org_id, bic=None)
        row, _ = consents.grant(
            write,
            caller,
            bank=bank,
            scopes=scopes,
            expires_at=expires,
            purpose=purpose.strip() or None,
        )
        return row

    try:
        run_write(request, caller, grant)
    except ValidationFailed as exc:
        form = {"bank_org_id": bank_org_id, "days": days, "scopes": scopes, "purpose": purpose}
        return _consents_page(request, caller, uow, exc.errors, 422, form)
    return redirect(request, "/consents", flash=("success", N_("Consent granted.")))


@router.post("/consents/{consent_id}/revoke", summary="Revoke a consent")
def consent_revoke(
    request: Request, consent_id: PathId, caller: PortalCallerDep, _: CsrfDep
) -> Response:
    run_write(request, caller, lambda write: consents.revoke(write, caller, consent_id))
    return redirect(
        request,
        "/consents",
        flash=("success", N_("Consent revoked: the bank can no longer read these records.")),
    )
