"""The demo's eBL endorsement chain: the carrier signs each step of one negotiable B/L.

Blue Dragon Container Lines (the demo carrier) records, with the key it signs its batches
with, the chain of its first negotiable bill that no financing pledges: issued to its
shipper, endorsed to a second exporter, pledged to bank3, released, endorsed to a buyer.
It also records the issuance of the F5 demo bill (demo-F5-001), whose chain then shows the
financing's pledge. Each step goes through `usecases.record_step`, the function behind
`POST /v1/ebl/steps`. Steps are dated October-November 2026 (no deadline hangs
on them). Idempotent: a bill that already has steps is left alone.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select

from crossfin.demo.documents import source_signer
from crossfin.demo.financings import _People
from crossfin.documents.ebl import usecases
from crossfin.documents.ebl.body import STEP_TYPE, sign_step
from crossfin.documents.ebl.models import EblStep
from crossfin.documents.models import Document, DocumentVersion
from crossfin.ledger.note import Signer
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import Caller
from crossfin.parties.models import Organization

CARRIER_USER = "carrier.clerk"
F5_BILL = "BDCLYTN2601222"
PLEDGEE = "bank3"


def _bills(uow: UnitOfWork, carrier: int) -> list[tuple[str, dict[str, Any]]]:
    query = (
        select(Document.key, DocumentVersion.content)
        .join(DocumentVersion, DocumentVersion.document_id == Document.id)
        .where(
            Document.kind == "bill_of_lading",
            Document.source_org_id == carrier,
            DocumentVersion.version == Document.version,
        )
        .order_by(Document.key)
    )
    return [(key, json.loads(content)) for key, content in uow.session.execute(query)]


def _has_steps(uow: UnitOfWork, key: str) -> bool:
    query = select(EblStep.id).join(Document).where(Document.key == key)
    return uow.session.scalar(query.limit(1)) is not None


def _scripts(
    uow: UnitOfWork, bills: list[tuple[str, dict[str, Any]]], bank: int | None
) -> list[list[dict[str, Any]]]:
    negotiable = [(k, c) for k, c in bills if c.get("negotiable") and k != F5_BILL]
    if not negotiable:
        return []
    key, content = negotiable[0]
    shipper = content["shipper_uscc"]
    other = next((c["shipper_uscc"] for _, c in negotiable if c["shipper_uscc"] != shipper), None)
    bic = uow.session.scalar(select(Organization.bic).where(Organization.id == bank))
    steps: list[tuple[str, dict[str, Any]]] = [("issue", {"to": {"uscc": shipper}})]
    if other is not None:
        steps.append(("endorse", {"to": {"uscc": other}}))
    if bic:
        steps += [("pledge", {"bank": bic}), ("release", {})]
    steps.append(("endorse", {"to": {"name": "Rotterdam Fresh Imports B.V."}}))
    chain = [
        {
            "type": STEP_TYPE,
            "bl_no": key,
            "seq": i,
            "action": action,
            "at": f"2026-10-{10 + 3 * i:02d}T09:00:00Z",
            **extra,
        }
        for i, (action, extra) in enumerate(steps, start=1)
    ]
    f5 = dict(bills).get(F5_BILL)
    if f5 and f5.get("negotiable"):
        issue = {
            "type": STEP_TYPE,
            "bl_no": F5_BILL,
            "seq": 1,
            "action": "issue",
            "at": "2026-10-09T09:00:00Z",
            "to": {"uscc": f5["shipper_uscc"]},
        }
        return [chain, [issue]]
    return [chain]


def _record(uow: UnitOfWork, caller: Caller, signer: Signer, chain: list[dict[str, Any]]) -> int:
    if _has_steps(uow, chain[0]["bl_no"]):
        return 0
    with uow.acting_as(caller.actor):
        for step in chain:
            usecases.record_step(uow, caller, sign_step(step, signer))
    return len(chain)


def load_ebl_chain(uow: UnitOfWork, org_ids: dict[str, int], data_dir: Path) -> int:
    """Record the demo chains that are missing; returns the number of steps added."""
    carrier = _People(uow)(CARRIER_USER)
    signer = source_signer(data_dir, "carrier")  # registered with the carrier's batches
    bills = _bills(uow, carrier.org_id)
    chains = _scripts(uow, bills, org_ids.get(PLEDGEE))
    return sum(_record(uow, carrier, signer, chain) for chain in chains)
