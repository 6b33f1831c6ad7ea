"""Releasing pledged goods under an F8 financing: the one use case every entry point calls.

The financing bank (an operator or admin) orders a release of part of the pledged
quantity once the loan is paid out; the release is allowed while the quantity released in
all stays within what the repayments cover (pledge.py), else 409 `/release-beyond-repayment`
naming the quantity asked and the quantity still releasable. The financing's row lock
orders concurrent releases. The warehouse that issued the receipt is told to deliver the
goods (a notice) and reads the ledger event; the release never changes the document's one
balance: the receipt stays pledged, whole, until the financing ends.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.core.clock import utcnow
from crossfin.core.errors import AlreadyExists, Forbidden, IllegalTransition, NotFound, invalid
from crossfin.core.money import format_amount
from crossfin.documents.kinds.fields import check_quantity
from crossfin.financing.errors import ReleaseBeyondRepayment
from crossfin.financing.lifecycle import State
from crossfin.financing.models import Financing
from crossfin.financing.queries import can_see, get_financing
from crossfin.financing.service import parties_of
from crossfin.financing.transitions import locked
from crossfin.financing.warehouse import pledge as pledges
from crossfin.financing.warehouse.models import GoodsRelease
from crossfin.financing.warehouse.schemas import GoodsReleaseIn, GoodsReleaseOut, PledgeOut
from crossfin.financing.warehouse.state import release_commitment
from crossfin.ledger.events import EventType
from crossfin.ledger.journal import Receipt
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import Caller, require_role
from crossfin.parties.models import Role
from crossfin.parties.notifications.service import Bilingual, notify

PAID_OUT = {State.DISBURSED.value, State.PARTLY_REPAID.value, State.REPAID.value}


def release_goods(
    uow: UnitOfWork, caller: Caller, financing_id: int, data: GoodsReleaseIn
) -> tuple[GoodsRelease, Receipt]:
    """Order a release (404 unseen, 403 another party, 422 not F8 or a bad quantity, 409
    before disbursement, beyond repayment or a reference reused)."""
    session = uow.session
    financing = locked(session, financing_id)
    if financing is None or not can_see(caller, financing):
        raise NotFound(f"no financing {financing_id}")
    if caller.org_id != financing.bank_org_id:
        raise Forbidden("only the financing bank releases pledged goods")
    require_role(caller, Role.OPERATOR, Role.ADMIN)
    quantity = _quantity(data.quantity)
    pledge = pledges.pledge_of(session, financing)
    if financing.state not in PAID_OUT:
        raise IllegalTransition(
            f"the financing is {financing.state}: goods are released against repayment",
            state=financing.state,
        )
    if _taken(session, financing.id, data.reference):
        raise AlreadyExists("this release is already recorded", field="reference")
    left = pledge.releasable(financing) - pledge.released
    if quantity > left:
        raise ReleaseBeyondRepayment(
            f"releasing {pledges.text(quantity)} {pledge.unit} exceeds what repayment covers: "
            f"{pledges.text(max(left, Decimal(0)))} {pledge.unit} releasable",
            field="quantity",
            quantity=pledges.text(quantity),
            releasable=pledges.text(max(left, Decimal(0))),
            unit=pledge.unit,
        )
    release = GoodsRelease(
        financing_id=financing.id,
        receipt_document_id=pledge.receipt.id,
        reference=data.reference,
        quantity=pledges.text(quantity),
        unit=pledge.unit,
        repaid_minor=financing.repaid_minor,
        created_at=utcnow(),
    )
    session.add(release)
    session.flush()
    receipt = uow.record(
        EventType.FINANCING_GOODS_RELEASED,
        subjects={"financing": financing.id, "goods_release": release.id},
        content={
            "receipt_no": pledge.receipt.key,
            "reference": release.reference,
            "quantity": release.quantity,
            "unit": release.unit,
            "released_in_all": pledges.text(pledge.released + quantity),
            "repaid": format_amount(financing.repaid_minor, financing.currency),
        },
        parties=parties_of(financing) | {pledge.receipt.source_org_id},
        state=release_commitment(release),
    )
    _tell_warehouse(session, financing, pledge, release)
    return release, receipt


def _quantity(value: str) -> Decimal:
    try:
        return Decimal(check_quantity(value))
    except ValueError as exc:
        raise invalid("quantity", str(exc)) from None


def _taken(session: Session, financing_id: int, reference: str) -> bool:
    query = select(GoodsRelease.id).where(
        GoodsRelease.financing_id == financing_id, GoodsRelease.reference == reference
    )
    return session.scalar(query) is not None


def _tell_warehouse(
    session: Session, financing: Financing, pledge: pledges.Pledge, release: GoodsRelease
) -> None:
    what = f"{release.quantity} {release.unit}"
    notify(
        session,
        org_id=pledge.receipt.source_org_id,
        kind="financing.goods-released",
        subject=Bilingual(
            zh=f"仓单 {pledge.receipt.key} 放货 {what}",
            en=f"Release {what} under warehouse receipt {pledge.receipt.key}",
        ),
        body=Bilingual(
            zh=f"融资银行已按还款释放质押货物 {what} (放货指令 {release.reference})。",
            en=f"The financing bank released {what} of the pledged goods against repayment "
            f"(release order {release.reference}).",
        ),
        link=None,
    )


def pledge_view(session: Session, caller: Caller, financing_id: int) -> PledgeOut:
    """The pledged stock of an F8 financing, for whoever sees the financing (404 else)."""
    financing = get_financing(session, caller, financing_id)
    pledge = pledges.pledge_of(session, financing)
    query = select(GoodsRelease).where(GoodsRelease.financing_id == financing.id)
    rows = session.scalars(query.order_by(GoodsRelease.id)).all()
    return PledgeOut(
        financing_id=financing.id,
        receipt_no=pledge.receipt.key,
        unit=pledge.unit,
        pledged=pledges.text(pledge.pledged),
        releasable=pledges.text(pledge.releasable(financing)),
        released=pledges.text(pledge.released),
        still_pledged=pledges.text(pledge.pledged - pledge.released),
        stock_on_hand=pledges.text(pledges.stock_on_hand(session, pledge)),
        releases=[release_out(r, pledge.receipt.key, financing) for r in rows],
    )


def release_out(row: GoodsRelease, receipt_no: str, financing: Financing) -> GoodsReleaseOut:
    return GoodsReleaseOut(
        id=row.id,
        financing_id=row.financing_id,
        receipt_no=receipt_no,
        reference=row.reference,
        quantity=row.quantity,
        unit=row.unit,
        repaid=format_amount(row.repaid_minor, financing.currency),
        currency=financing.currency,
        created_at=row.created_at,
    )
