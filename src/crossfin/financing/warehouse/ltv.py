"""F8's loan-to-value alert: when the warehouse revalues a pledged receipt (a new version,
documents/versions.amend), each live F8 financing on it is measured again.

LTV = outstanding (amount minus repaid, converted into the receipt's currency at the rate
the financing recorded when it registered) / the receipt's new valuation. Above the F8
`max_ltv` cap in force on the revaluation's business date, an alert (`loan-to-value-above-
threshold`, raised through parties.alerts as every domain does, so supervision files it)
names the financing and the receipt, and the bank is told by a notice. Registered at
assembly as a reaction of documents' amendments (documents/hooks.py).
"""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

from sqlalchemy import select

from crossfin.core.clock import business_date
from crossfin.core.money import format_amount
from crossfin.documents.fx import Conversion
from crossfin.documents.models import Document
from crossfin.financing.caps.schemas import F8Caps
from crossfin.financing.caps.store import caps_in_force
from crossfin.financing.lifecycle import HOLDING
from crossfin.financing.models import Financing, FinancingUse
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import Caller
from crossfin.parties.alerts import AlertKind, evidence, raise_alert
from crossfin.parties.notifications.service import Bilingual, notify

RECEIPT, SCENARIO = "warehouse_receipt", "F8"


def check_after_revaluation(uow: UnitOfWork, doc: Document, caller: Caller) -> None:
    """Alert and notify for every live F8 financing on `doc` now above the LTV cap."""
    if doc.kind != RECEIPT:
        return
    session = uow.session
    query = (
        select(Financing, FinancingUse)
        .join(FinancingUse, FinancingUse.financing_id == Financing.id)
        .where(
            FinancingUse.document_id == doc.id,
            FinancingUse.active.is_(True),
            Financing.scenario == SCENARIO,
            Financing.state.in_([s.value for s in HOLDING]),
        )
        .order_by(Financing.id)
    )
    found = session.execute(query).all()
    if not found:
        return
    caps = caps_in_force(session, SCENARIO, business_date()).params
    assert isinstance(caps, F8Caps)  # the store validates each scenario's own model
    for financing, use in found:
        ltv = loan_to_value(financing, use, doc)
        if ltv is not None and ltv <= caps.max_ltv:
            continue
        _alert(uow, financing, doc, caller, ltv, caps.max_ltv)


def loan_to_value(financing: Financing, use: FinancingUse, doc: Document) -> Decimal | None:
    """Outstanding / valuation, both in the receipt's currency; None: no valuation left."""
    outstanding = financing.amount_minor - financing.repaid_minor
    rate = Decimal(use.fx_rate) if use.fx_rate else None
    converted = Conversion(rate, use.fx_source).apply(outstanding, financing.currency, doc.currency)
    if doc.value_minor <= 0:
        return None
    return Decimal(converted) / Decimal(doc.value_minor)  # exact: the cap's edge holds


def _alert(
    uow: UnitOfWork,
    financing: Financing,
    doc: Document,
    caller: Caller,
    ltv: Decimal | None,
    limit: Decimal,
) -> None:
    shown = "∞" if ltv is None else f"{ltv.quantize(Decimal('0.0001'), ROUND_CEILING)}"
    value = format_amount(doc.value_minor, doc.currency) if doc.currency else "0"
    raise_alert(
        uow,
        AlertKind.LTV_ABOVE_THRESHOLD,
        subject_org_id=financing.enterprise_org_id,
        jurisdiction_path=financing.jurisdiction_path,
        actor_org_id=caller.org_id,
        document_id=doc.id,
        details={
            "financing": financing.id,
            "document": {"kind": doc.kind, "key": doc.key},
            "version": doc.version,
            "valuation": value,
            "currency": doc.currency,
            "outstanding": format_amount(
                financing.amount_minor - financing.repaid_minor, financing.currency
            ),
            "loan_currency": financing.currency,
            "ltv": None if ltv is None else shown,
            "max_ltv": str(limit),
        },
        records=[
            evidence("financing", financing.id, f"financing {financing.id}"),
            evidence("document", doc.id, f"{doc.kind} {doc.key}"),
        ],
    )
    notify(
        uow.session,
        org_id=financing.bank_org_id,
        kind="financing.ltv-above-threshold",
        subject=Bilingual(
            zh=f"融资 {financing.id} 贷款价值比 {shown} 超过上限 {limit}",
            en=f"Financing {financing.id}: loan-to-value {shown} above {limit}",
        ),
        body=Bilingual(
            zh=f"仓库将仓单 {doc.key} 重估为 {value} {doc.currency}, "
            f"融资 {financing.id} 的贷款价值比为 {shown}, 超过上限 {limit}。",
            en=f"The warehouse revalued receipt {doc.key} at {value} {doc.currency}; "
            f"financing {financing.id} now stands at a loan-to-value of {shown}, above "
            f"the {limit} cap.",
        ),
        link=f"/financing/{financing.id}",
    )
