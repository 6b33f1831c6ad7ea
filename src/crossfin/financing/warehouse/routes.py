"""HTTP routes of F8 pledged goods: thin wrappers over warehouse/service.py."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from crossfin.core.http.params import PathId
from crossfin.financing.warehouse import service
from crossfin.financing.warehouse.schemas import GoodsReleaseIn, PledgeOut
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.http import CallerDep, ReadUow, WriterDep, WriteResult

router = APIRouter(prefix="/v1", tags=["financing"])


@router.post(
    "/financings/{financing_id}/goods-releases",
    status_code=201,
    summary="F8: the bank releases pledged goods, within what repayment covers",
)
def release_goods(financing_id: PathId, data: GoodsReleaseIn, write: WriterDep) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        release, receipt = service.release_goods(uow, write.caller, financing_id, data)
        financing = release.financing_id
        out = service.pledge_view(uow.session, write.caller, financing)
        return out.releases[-1], receipt

    return write(run)


@router.get(
    "/financings/{financing_id}/pledge",
    response_model=PledgeOut,
    summary="F8: the pledged stock, what repayment releases, the releases and stock on hand",
)
def pledge(financing_id: PathId, caller: CallerDep, uow: ReadUow) -> PledgeOut:
    return service.pledge_view(uow.session, caller, financing_id)
