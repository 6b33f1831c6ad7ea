"""Factories for eBL chain tests: a negotiable B/L, its source's key, signed steps."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from crossfin.core.db import Database
from crossfin.documents.ebl.body import STEP_TYPE, sign_step
from crossfin.documents.models import Document
from crossfin.ledger.note import Signer
from crossfin.parties.models import OrgKind, Role
from support.financing import Firms, bill_of_lading, make_firms
from support.ingest import register_source_key
from support.parties import Party, make_party, uscc_for

_n = itertools.count(1)


@dataclass
class Chain:
    firms: Firms
    bl: Document
    signer: Signer

    @property
    def source(self) -> Party:
        return self.firms.logistics


def new_chain(client: Any, db: Database, *, negotiable: bool = True) -> Chain:
    firms = make_firms(db)
    signer = register_source_key(client, firms.logistics.headers, name=f"carrier-{next(_n)}")
    return Chain(firms, bill_of_lading(db, firms, negotiable=negotiable), signer)


def other_source(client: Any, db: Database) -> tuple[Party, Signer, str]:
    """A second logistics source with a USCC (its platform id) and a registered key."""
    uscc = uscc_for("310115", 900 + next(_n))
    party = make_party(db, OrgKind.LOGISTICS, Role.ADMIN, uscc=uscc)
    return party, register_source_key(client, party.headers, name=f"platform-{next(_n)}"), uscc


def body(bl_no: str, seq: int, action: str, **fields: Any) -> dict[str, Any]:
    return {
        "type": STEP_TYPE,
        "bl_no": bl_no,
        "seq": seq,
        "action": action,
        "at": f"2026-10-{10 + seq:02d}T08:00:00Z",
        **fields,
    }


def post_step(client: Any, party: Party, signer: Signer, step: dict[str, Any]) -> Any:
    note = sign_step(step, signer)
    return client.post("/v1/ebl/steps", json={"note": note}, headers=party.headers)


def read_chain(client: Any, party: Party, key: str) -> Any:
    return client.get(f"/v1/documents/bill_of_lading/{key}/chain", headers=party.headers)
