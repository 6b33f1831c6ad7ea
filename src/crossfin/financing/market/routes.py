"""HTTP routes of matchmaking (F7), credit queries (F2) and the daily FX table."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response
from sqlalchemy import func, select

from crossfin.core.clock import business_date
from crossfin.core.fields import IsoDate
from crossfin.core.http.deps import SettingsDep
from crossfin.core.http.params import After, PathId
from crossfin.core.money import format_amount
from crossfin.documents import fx
from crossfin.documents.models import FxRate
from crossfin.financing.market import credit, matchmaking
from crossfin.financing.market.expiry import shown_status
from crossfin.financing.market.models import FinancingNeed, FinancingOffer
from crossfin.financing.market.schemas import (
    AcceptIn,
    CreditQueryIn,
    CreditQueryOut,
    FxRateOut,
    NeedIn,
    NeedOut,
    OfferIn,
    OfferOut,
    WithdrawIn,
)
from crossfin.financing.queries import to_out
from crossfin.financing.routes import write_guarded
from crossfin.financing.schemas import FxRatesIn
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import require_kind, require_role
from crossfin.parties.http import (
    CallerDep,
    ReadUow,
    ReplicaCallerDep,
    ReplicaUow,
    WriterDep,
    WriteResult,
)
from crossfin.parties.models import Organization, OrgKind, Role

router = APIRouter(prefix="/v1", tags=["financing: matchmaking, credit, FX"])


def need_out(uow: UnitOfWork, need: FinancingNeed) -> NeedOut:
    org = uow.session.get(Organization, need.enterprise_org_id)
    offers = (
        uow.session.scalar(
            select(func.count()).where(
                FinancingOffer.need_id == need.id, FinancingOffer.status == "open"
            )
        )
        or 0
    )
    return NeedOut(
        id=need.id,
        enterprise_org_id=need.enterprise_org_id,
        enterprise_name=org.name if org else None,
        amount=format_amount(need.amount_minor, need.currency),
        currency=need.currency,
        tenor_days=need.tenor_days,
        purpose=need.purpose,
        documents=json.loads(need.documents),
        status=shown_status(need, business_date()),
        accepted_offer_id=need.accepted_offer_id,
        expires_on=need.expires_on,
        offers=offers,
        created_at=need.created_at,
        updated_at=need.updated_at,
    )


def offer_out(uow: UnitOfWork, offer: FinancingOffer) -> OfferOut:
    bank = uow.session.get(Organization, offer.bank_org_id)
    return OfferOut(
        id=offer.id,
        need_id=offer.need_id,
        bank_org_id=offer.bank_org_id,
        bank_name=bank.name if bank else None,
        amount=format_amount(offer.amount_minor, offer.currency),
        currency=offer.currency,
        rate=offer.rate,
        tenor_days=offer.tenor_days,
        note=offer.note,
        status=offer.status,
        financing_id=offer.financing_id,
        created_at=offer.created_at,
        updated_at=offer.updated_at,
    )


@router.post(
    "/needs",
    status_code=201,
    summary="Publish a financing need (enterprise) to the banks serving it",
)
def publish_need(data: NeedIn, write: WriterDep) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        need, receipt = matchmaking.publish_need(uow, write.caller, data)
        return need_out(uow, need), receipt

    return write_guarded(write, run)


@router.get(
    "/needs",
    response_model=list[NeedOut],
    summary="Needs: the enterprise's own, those a bank serves, a regulator's subtree",
)
def list_needs(
    caller: ReplicaCallerDep,
    uow: ReplicaUow,
    status: str | None = "open",
    after: After = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[NeedOut]:
    needs = matchmaking.list_needs(uow.session, caller, status, after, limit)
    return [need_out(uow, n) for n in needs]


@router.get("/needs/{need_id}", response_model=NeedOut, summary="One financing need")
def get_need(need_id: PathId, caller: CallerDep, uow: ReadUow) -> NeedOut:
    return need_out(uow, matchmaking.get_need(uow.session, caller, need_id))


@router.post(
    "/needs/{need_id}/withdraw",
    summary="Withdraw an open need (enterprise); its open offers are declined",
)
def withdraw_need(need_id: PathId, data: WithdrawIn, write: WriterDep) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        need, receipt = matchmaking.withdraw_need(uow, write.caller, need_id, data.reason)
        return need_out(uow, need), receipt

    return write(run, status=200)


@router.post(
    "/needs/{need_id}/offers",
    status_code=201,
    summary="Make an offer on a need (a bank serving the enterprise's jurisdiction)",
)
def make_offer(need_id: PathId, data: OfferIn, write: WriterDep) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        offer, receipt = matchmaking.make_offer(uow, write.caller, need_id, data)
        return offer_out(uow, offer), receipt

    return write(run)


@router.get(
    "/needs/{need_id}/offers",
    response_model=list[OfferOut],
    summary="Offers on a need: all for its enterprise, its own for a bank",
)
def list_offers(need_id: PathId, caller: ReplicaCallerDep, uow: ReplicaUow) -> list[OfferOut]:
    return [offer_out(uow, o) for o in matchmaking.list_offers(uow.session, caller, need_id)]


@router.post(
    "/offers/{offer_id}/accept",
    summary="Accept an offer (enterprise): opens a registered financing application",
)
def accept_offer(
    offer_id: PathId, data: AcceptIn, write: WriterDep, settings: SettingsDep
) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        offer, financing, receipt = matchmaking.accept_offer(
            uow, write.caller, offer_id, data, settings.reservation_hours
        )
        payload = {
            "offer": offer_out(uow, offer).model_dump(mode="json"),
            "financing": to_out(uow.session, [financing])[0].model_dump(mode="json"),
        }
        return payload, receipt

    return write_guarded(write, run, status=200)


@router.post("/offers/{offer_id}/withdraw", summary="Withdraw an open offer (its bank)")
def withdraw_offer(offer_id: PathId, data: WithdrawIn, write: WriterDep) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        offer, receipt = matchmaking.withdraw_offer(uow, write.caller, offer_id, data.reason)
        return offer_out(uow, offer), receipt

    return write(run, status=200)


@router.post(
    "/credit-queries",
    status_code=201,
    summary="Query an enterprise's credit profile under its consent (banks); logged",
    responses={404: {"description": "No enterprise with this USCC that consented to the bank"}},
)
def query_credit(data: CreditQueryIn, write: WriterDep) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        profile, row, receipt = credit.query_profile(
            uow, write.caller, data.enterprise_uscc, data.purpose
        )
        return {
            "query_id": row.id,
            "profile": profile,
            "profile_digest": row.profile_digest,
        }, receipt

    return write(run)


@router.get(
    "/credit-queries",
    response_model=list[CreditQueryOut],
    summary="Credit queries: every one about the enterprise, the bank's own, a regulator's subtree",
)
def list_credit_queries(
    caller: ReplicaCallerDep,
    uow: ReplicaUow,
    after: After = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[CreditQueryOut]:
    rows = credit.list_queries(uow.session, caller, after, limit)
    return [
        CreditQueryOut(
            id=q.id,
            bank_org_id=q.bank_org_id,
            bank_name=bank,
            enterprise_org_id=q.enterprise_org_id,
            enterprise_uscc=uscc,
            consent_id=q.consent_id,
            purpose=q.purpose,
            profile_digest=q.profile_digest,
            queried_at=q.queried_at,
        )
        for q, bank, uscc in rows
    ]


@router.post("/fx-rates", summary="Load daily FX rates (operator admins)")
def load_fx_rates(data: FxRatesIn, write: WriterDep) -> Response:
    require_kind(write.caller, OrgKind.OPERATOR)
    require_role(write.caller, Role.ADMIN)

    def run(uow: UnitOfWork) -> WriteResult:
        rows = [fx.RateRow(r.date, r.pair[:3], r.pair[4:], r.rate) for r in data.rates]
        count, receipt = fx.load_rates(uow, rows)
        return {"loaded": count}, receipt

    return write(run, status=200)


@router.get(
    "/fx-rates",
    response_model=list[FxRateOut],
    summary="The daily FX table for one date (default: all loaded dates, newest first)",
)
def list_fx_rates(
    caller: ReplicaCallerDep,
    uow: ReplicaUow,
    on: IsoDate | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[FxRateOut]:
    query = select(FxRate)
    if on is not None:
        query = query.where(FxRate.rate_date == on)
    rows = uow.session.scalars(
        query.order_by(FxRate.rate_date.desc(), FxRate.base, FxRate.quote).limit(limit)
    )
    return [FxRateOut(date=r.rate_date, pair=f"{r.base}/{r.quote}", rate=r.rate) for r in rows]
