"""HTTP routes of F4 insurance claims: thin wrappers over insurance/service.py."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from crossfin.core.http.params import PathId
from crossfin.financing.insurance import service
from crossfin.financing.insurance.schemas import InsuranceClaimIn, InsuranceClaimOut
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.http import CallerDep, ReadUow, WriterDep, WriteResult

router = APIRouter(prefix="/v1", tags=["financing"])


@router.post(
    "/financings/{financing_id}/insurance-claim",
    status_code=201,
    summary="The insurer records a claim paid on the policy, assigned to the financing's bank",
)
def record_claim(financing_id: PathId, data: InsuranceClaimIn, write: WriterDep) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        claim, receipt = service.record_claim(uow, write.caller, financing_id, data)
        return service.claim_out(claim, data.policy_no), receipt

    return write(run)


@router.get(
    "/financings/{financing_id}/insurance-claims",
    response_model=list[InsuranceClaimOut],
    summary="The insurance claims recorded on a financing",
)
def list_claims(financing_id: PathId, caller: CallerDep, uow: ReadUow) -> list[InsuranceClaimOut]:
    return service.list_claims(uow.session, caller, financing_id)
