"""The drill's parties and documents, through the ordinary services (as the demo loads its own).

One exporter, one customs office publishing the exporter's export declarations as a signed
batch, and a few banks with a loan system's API key each. Every declaration is worth far
more than the drill can register against it, so every registration can be accepted: a
refusal in the drill is a failure, not a full balance.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from crossfin.core.clock import utcnow
from crossfin.core.db import Database
from crossfin.documents import records
from crossfin.documents.ingest import batches, publish, sources
from crossfin.documents.kinds.registry import get_kind
from crossfin.ledger.note import (
    Signer,
    generate_signer,
    read_key_file,
    sign_note,
    write_key_file,
)
from crossfin.ledger.rfc6962 import leaf_hash, root_hash
from crossfin.ledger.uow import UnitOfWork
from crossfin.ops.setup import SETUP_ACTOR
from crossfin.parties import credentials, service
from crossfin.parties.identifiers import make_uscc, org_code_with_check
from crossfin.parties.models import OrgKind, Principal, PrincipalKind, Role
from crossfin.parties.schemas import OrgIn

CURRENCY = "USD"
DECLARATION_VALUE = "1000000.00"
AMOUNT = "10.00"  # each registration: room for 100,000 per declaration
BATCH_REF = "drill-declarations"


@dataclass(frozen=True)
class DrillData:
    """What the storm needs: the banks' API keys, the exporter and its declarations."""

    bank_keys: tuple[str, ...]
    uscc: str
    declarations: tuple[str, ...]

    def body(self, n: int, ref: str) -> dict[str, object]:
        """Registration `n`: an F1 financing against one declaration, round robin."""
        key = self.declarations[n % len(self.declarations)]
        return {
            "scenario": "F1",
            "external_ref": ref,
            "enterprise_uscc": self.uscc,
            "amount": AMOUNT,
            "currency": CURRENCY,
            "documents": [{"kind": "customs_declaration", "key": key}],
        }

    def bank_key(self, n: int) -> str:
        return self.bank_keys[n % len(self.bank_keys)]


def load_drill_data(
    db: Database, data_dir: Path, *, banks: int = 3, declarations: int = 40
) -> DrillData:
    """Onboard the parties, issue the banks' keys and publish the declarations."""
    uscc = make_uscc("9", "1", "440305", org_code_with_check("77000001"))
    with UnitOfWork(db, SETUP_ACTOR) as uow:
        service.add_org(
            uow,
            OrgIn(
                kind=OrgKind.ENTERPRISE,
                name="Drill Exporter Ltd.",
                uscc=uscc,
                jurisdictions=["440305"],
            ),
        )
        customs, _ = service.add_org(
            uow, OrgIn(kind=OrgKind.CUSTOMS, name="Drill Customs", customs_code="5301")
        )
        feed, _ = credentials.add_principal(
            uow, customs.id, PrincipalKind.SERVICE, "customs-feed", Role.OPERATOR
        )
        keys = []
        for n in range(banks):
            bank, _ = service.add_org(
                uow,
                OrgIn(
                    kind=OrgKind.BANK,
                    name=f"Drill Bank {n + 1}",
                    bic=f"DRL{'ABCDEFGH'[n]}CNSZ",
                    jurisdictions=["440300"],
                ),
            )
            principal, _ = credentials.add_principal(
                uow, bank.id, PrincipalKind.SERVICE, "loan-system", Role.OPERATOR
            )
            keys.append(credentials.issue_key(uow, principal.id)[1])
        uow.commit()
    keys_of_declarations = _publish_declarations(db, data_dir, feed.id, uscc, declarations)
    return DrillData(tuple(keys), uscc, tuple(keys_of_declarations))


def _signer(data_dir: Path) -> Signer:
    path = data_dir / "drill-customs.key"
    if not path.exists():
        skey, _ = generate_signer("crossfin-drill/customs")
        write_key_file(path, skey)
    return Signer.from_skey(read_key_file(path))


def _publish_declarations(
    db: Database, data_dir: Path, feed_id: int, uscc: str, count: int
) -> list[str]:
    """Register the customs signing key, then register, stage and publish one batch."""
    year, today = utcnow().year, utcnow().date().isoformat()
    rows = [
        {
            "declaration_no": f"5301{year}0{i:09d}",
            "enterprise_uscc": uscc,
            "buyer_name": "Drill Buyer B.V.",
            "buyer_country": "NL",
            "currency": CURRENCY,
            "total_value": DECLARATION_VALUE,
            "export_date": today,
            "trade_mode": "0110",
        }
        for i in range(1, count + 1)
    ]
    signer = _signer(data_dir)
    root = root_hash([leaf_hash(records.record_digest(r)) for r in rows])
    manifest = sign_note(
        records.Manifest("customs_declaration", BATCH_REF, len(rows), root).text(), [signer]
    )
    with UnitOfWork(db, SETUP_ACTOR) as uow:
        caller = credentials.caller_for(uow.session, uow.session.get_one(Principal, feed_id))
        with uow.acting_as(caller.actor):
            sources.register_key(uow, caller, signer.verifier().vkey)
            batch, _ = batches.register_batch(uow, caller, manifest, mode="atomic")
            body = "".join(json.dumps(r) + "\n" for r in rows)
            chunk = batches.prepare_chunk(
                get_kind("customs_declaration"), 0, body, csv_format=False
            )
            batch = batches.stage_chunk(uow, caller, BATCH_REF, chunk)
            refused = batches.refusal(batch)
            if refused is not None:
                raise refused
            batch, receipt = publish.publish_batch(uow, batch.id)
        if receipt is None:
            raise RuntimeError(
                f"the drill's declarations were not published: {batch.status} {batch.reason}"
            )
        uow.sequence()
        batch.leaf_index = receipt.leaf_index
        uow.commit()
    return [str(r["declaration_no"]) for r in rows]
