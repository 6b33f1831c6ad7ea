"""Portal pages of class management: a regulator's enterprises with their class, one
enterprise's class and history (with the classify form for its regulators), the import of
an annual result with its row report. The enterprise sees its own page. Every page calls
the same functions as the API (service.classify, imports.import_classes)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from sqlalchemy import select
from starlette.responses import Response

from crossfin.core.clock import business_date
from crossfin.core.errors import CrossfinError, FieldError, Forbidden, NotFound, invalid
from crossfin.core.http.params import PathId
from crossfin.core.web.csrf import CsrfDep
from crossfin.core.web.i18n import N_
from crossfin.core.web.nav import NavEntry, kinds
from crossfin.core.web.render import redirect, render
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import Caller, supervises
from crossfin.parties.classes import imports, service
from crossfin.parties.classes.history import ClassBook, class_on, history_of
from crossfin.parties.models import Organization, OrgKind
from crossfin.parties.portal import PortalCallerDep
from crossfin.parties.portal_work import PortalReadUow, run_write
from crossfin.parties.service import get_org, list_orgs, org_names

router = APIRouter()
NAV = [
    NavEntry(
        N_("Classes"),
        "/classes",
        kinds(OrgKind.REGULATOR, OrgKind.ENTERPRISE),
        order=40,
        description=N_(
            "Goods-trade classes A, B and C: each enterprise's class, its history, "
            "reclassification and the import of an annual result."
        ),
    )
]
PAGE = 100
MAX_UPLOAD = 4 * 1024 * 1024


@router.get("/classes", summary="Enterprises and their classes (regulators); own (enterprises)")
def enterprises(
    request: Request,
    caller: PortalCallerDep,
    uow: PortalReadUow,
    after: Annotated[int, Query(ge=0, le=2_147_483_647)] = 0,
    q: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    if caller.org_kind is OrgKind.ENTERPRISE:
        return redirect(request, f"/classes/{caller.org_id}")
    if caller.org_kind is not OrgKind.REGULATOR:
        raise Forbidden("regulators and enterprises see classes")
    firms = _firms(uow, caller, after, q.strip())
    book = ClassBook.load(uow.session, [f.id for f in firms])
    today = business_date()
    return render(
        request,
        "classes/list.html",
        {
            "firms": [(f, book.on(f.id, today)) for f in firms],
            "q": q.strip(),
            "next_after": firms[-1].id if len(firms) == PAGE else None,
            "may_classify": service.may_classify(caller),
        },
    )


def _firms(uow: UnitOfWork, caller: Caller, after: int, q: str) -> list[Organization]:
    if not q:
        return list_orgs(uow.session, caller, kind=OrgKind.ENTERPRISE, after=after, limit=PAGE)
    # A search: the USCC exactly, or a part of the name, within the caller's subtree.
    query = (
        select(Organization)
        .where(
            Organization.kind == OrgKind.ENTERPRISE.value,
            Organization.id > after,
            Organization.jurisdiction_path.startswith(caller.jurisdiction_path or "/-/"),
            (Organization.uscc == q.upper())
            | Organization.name.contains(q, autoescape=True)
            | Organization.name_zh.contains(q, autoescape=True),
        )
        .order_by(Organization.id)
        .limit(PAGE)
    )
    return list(uow.session.scalars(query))


@router.get("/classes/import", summary="Import an annual classification result (regulators)")
def import_form(request: Request, caller: PortalCallerDep) -> Response:
    _importer(caller)
    return _import_page(request, None, [])


def _importer(caller: Caller) -> None:
    if not service.may_classify(caller):
        raise Forbidden("a regulator's admin, approver or operator imports classes")


def _import_page(
    request: Request, report: imports.ImportReport | None, errors: list[FieldError]
) -> Response:
    return render(
        request,
        "classes/import.html",
        {"report": report, "errors": errors, "columns": imports.COLUMNS},
        status_code=422 if errors else 200,
    )


@router.post("/classes/import", summary="Import a CSV of classes; the row-by-row report")
async def import_upload(
    request: Request,
    caller: PortalCallerDep,
    _: CsrfDep,
    file: Annotated[UploadFile, File()],
) -> Response:
    _importer(caller)
    content = await file.read(MAX_UPLOAD + 1)
    try:
        if len(content) > MAX_UPLOAD:
            raise invalid("file", "at most 4 MiB")
        report = run_write(
            request, caller, lambda uow: imports.import_classes(uow, caller, content)
        )
    except CrossfinError as exc:
        errors = getattr(exc, "errors", None) or [FieldError("file", exc.detail or "")]
        return _import_page(request, None, errors)
    return _import_page(request, report, [])


@router.get("/classes/imports/{import_id}.csv", summary="Download a class import's report")
def import_report(import_id: PathId, caller: PortalCallerDep, uow: PortalReadUow) -> Response:
    report = imports.get_import(uow.session, caller, import_id)
    return Response(
        imports.results_csv(report),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="class-import-{import_id}.csv"'},
    )


@router.get("/classes/{org_id}", summary="An enterprise's class and its history")
def enterprise(
    request: Request, org_id: PathId, caller: PortalCallerDep, uow: PortalReadUow
) -> Response:
    return _enterprise_page(request, caller, uow, org_id, {}, [])


def _enterprise_page(
    request: Request,
    caller: Caller,
    uow: UnitOfWork,
    org_id: int,
    form: dict[str, str],
    errors: list[FieldError],
    status: int = 200,
) -> Response:
    org = get_org(uow.session, caller, org_id)
    if org.kind != OrgKind.ENTERPRISE.value:
        raise Forbidden("only enterprises carry a goods-trade class")
    rows = history_of(uow.session, org.id)
    deciders = org_names(uow.session, {r.decided_by_org_id for r in rows if r.decided_by_org_id})
    context: dict[str, Any] = {
        "org": org,
        "current": class_on(uow.session, org.id, business_date()),
        "rows": rows,
        "deciders": deciders,
        "may_classify": service.may_classify(caller) and supervises(caller, org.jurisdiction_path),
        "form": {"trade_class": "", "reason": "", "effective_from": "", "period": ""} | form,
        "errors": errors,
        "today": business_date().isoformat(),
    }
    return render(request, "classes/detail.html", context, status_code=status)


@router.post("/classes/{org_id}", summary="Classify an enterprise from the form (regulators)")
def classify(
    request: Request,
    org_id: PathId,
    caller: PortalCallerDep,
    uow: PortalReadUow,
    _: CsrfDep,
    trade_class: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    effective_from: Annotated[str, Form()] = "",
    period: Annotated[str, Form()] = "",
) -> Response:
    form = {
        "trade_class": trade_class,
        "reason": reason,
        "effective_from": effective_from,
        "period": period,
    }
    change = service.ClassChange(trade_class, reason, effective_from or None, period or None)
    try:
        run_write(request, caller, lambda write: service.classify(write, caller, org_id, change))
    except (Forbidden, NotFound):
        raise  # the error page: no form for whom it does not concern
    except CrossfinError as exc:
        errors = getattr(exc, "errors", None) or [FieldError("trade_class", exc.detail or "")]
        return _enterprise_page(request, caller, uow, org_id, form, errors, exc.status)
    return redirect(
        request, f"/classes/{org_id}", flash=("success", N_("Class recorded, with its event."))
    )
