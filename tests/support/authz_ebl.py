"""The authorization matrix's requests for DCSA messages, OpenAttestation documents and eBL
endorsement chains (docs/documents.md "DCSA messages" and "eBL endorsement chains",
docs/documents-access.md "OpenAttestation v2").

Each relation's world has negotiable bills of lading from the carrier L (a logistics
source, not one of the matrix's callers) for its enterprise: issued to the enterprise and
pledged to the world's bank, by steps L signs, recorded through `usecases.record_step`.
So bank A is the pledgee of its own world's bills and reads no other world's chain (F's
consent to A covers customs declarations, not bills). Signed steps and PINT envelopes are
the logistics sources' alone: every caller of the matrix is of another kind (403); who
among logistics sources may sign is tested in tests/documents/ebl.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from crossfin.documents.ebl import usecases
from crossfin.documents.ebl.body import STEP_TYPE, sign_step
from crossfin.parties.models import Organization
from support.financing import insert_document
from support.openattestation import dumps, invoice_batch

if TYPE_CHECKING:
    from support.authz import Req, Route, Spec, Who, World

_seq = itertools.count(1)
MISSING_BL = "MXBLMISSING0"


def _bl(w: World, firm: str) -> str:
    bl_no = f"MXEBL{next(_seq):07d}"
    record = {
        "bl_no": bl_no,
        "shipper_uscc": w.uscc[firm],
        "consignee": "TO ORDER",
        "port_of_loading": "CNSZX",
        "port_of_discharge": "NLRTM",
        "vessel": "COSCO SHIPPING ARIES",
        "voyage": "042W",
        "containers": ["MSKU1234565"],
        "issue_date": "2026-11-03",
        "negotiable": True,
    }
    insert_document(w.db, "bill_of_lading", record, w.org["L"], w.org[firm])
    return bl_no


def step(w: World, bl_no: str, seq: int, action: str, **fields: Any) -> str:
    """A step of `bl_no` signed by the carrier L's registered key."""
    if "L" not in w.signer:
        w.signer["L"] = w.fresh_source_signer("L")
    body = {"type": STEP_TYPE, "bl_no": bl_no, "seq": seq, "action": action}
    body |= {"at": f"2026-11-{3 + seq:02d}T08:00:00Z", **fields}
    return sign_step(body, w.signer["L"])


def pledged_bill(w: World, rel: str) -> str:
    """A new bill of `rel`'s world, issued to its enterprise and pledged to its bank."""
    from support.authz import WORLDS

    firm, bank, _ = WORLDS[rel]
    bl_no = _bl(w, firm)
    with w.db.session(readonly=True) as session:
        bic = session.scalar(select(Organization.bic).where(Organization.id == w.org[bank]))
    carrier = w.acting["L"]
    to = {"uscc": w.uscc[firm], "name": f"Matrix {firm}"}
    for note in (step(w, bl_no, 1, "issue", to=to), step(w, bl_no, 2, "pledge", bank=bic)):
        w._run(carrier, lambda uow, note=note: usecases.record_step(uow, carrier, note))
    return bl_no


def _dcsa_document(w: World) -> bytes:
    """A DCSA eBL 3.0 transport document of E's, issued, its shipper named by USCC."""
    import json

    from support.data import DATA

    name = "ebl-3.0.4_transport-document_regularSTD.json"
    document = json.loads((DATA / "dcsa" / name).read_text(encoding="utf-8"))
    document["transportDocumentStatus"] = "ISSUED"
    document["issueDate"] = "2026-11-03"
    document["documentParties"]["shipper"]["taxLegalReferences"] = [
        {"type": "USCC", "countryCode": "CN", "value": w.uscc["E"]}
    ]
    return json.dumps(document).encode()


def _envelope(w: World) -> dict[str, Any]:
    """A PINT envelope of the own world's bill (never read: the caller's kind is refused
    first, so its checksums need not link)."""
    return {
        "transportDocument": {"transportDocumentReference": pledged_bill(w, "own")},
        "envelopeManifestSignedContent": "eyJ9",
        "envelopeTransferChain": ["eyJ9"],
    }


def specs() -> dict[tuple[str, str], Spec]:
    from support.authz import MISSING, Req, Spec

    json_type = {"Content-Type": "application/json"}

    def chain(w: World, r: Route, who: Who | None, rel: str) -> Req:
        key = MISSING_BL if rel == MISSING else w.fresh(r, rel, lambda: pledged_bill(w, rel))
        return Req("GET", f"/v1/documents/bill_of_lading/{key}/chain", ident=key)

    def release(w: World, r: Route, who: Who | None, rel: str) -> Req:
        req = Req("POST", "", json={})
        make = lambda: pledged_bill(w, rel)  # noqa: E731
        key = MISSING_BL if rel == MISSING else w.fresh(r, rel, make, req=req)
        req.url, req.ident = f"/v1/documents/bill_of_lading/{key}/chain/release", key
        return req

    def signed_step(w: World, r: Route, who: Who | None, rel: str) -> Req:
        bl_no = w.fresh(r, rel, lambda: pledged_bill(w, "own"))
        return Req("POST", "/v1/ebl/steps", json={"note": step(w, bl_no, 3, "release")})

    def pint(w: World, r: Route, who: Who | None, rel: str) -> Req:
        return Req("POST", "/v1/ebl/pint", json=w.fresh(r, rel, lambda: _envelope(w)))

    def dcsa(w: World, r: Route, who: Who | None, rel: str) -> Req:
        url = "/v1/dcsa/records?kind=bill_of_lading"
        return Req("POST", url, content=_dcsa_document(w), headers=json_type)

    def oa(action: str) -> Any:
        def build(w: World, r: Route, who: Who | None, rel: str) -> Req:
            # A new invoice each time: an import registers its fingerprint.
            # The TradeTrust invoice names no currency: the import is told it.
            body, url = dumps(invoice_batch(1)[0]), f"/v1/openattestation/{action}"
            url += "?currency=USD" if action == "import" else ""
            return Req("POST", url, content=body, headers=json_type)

        return build

    return {
        ("POST", "/v1/dcsa/records"): Spec(dcsa),
        ("POST", "/v1/openattestation/verify"): Spec(oa("verify")),
        ("POST", "/v1/openattestation/import"): Spec(oa("import")),
        ("POST", "/v1/ebl/steps"): Spec(signed_step),
        ("POST", "/v1/ebl/pint"): Spec(pint),
        ("GET", "/v1/documents/bill_of_lading/{key}/chain"): Spec(chain, record=True),
        ("POST", "/v1/documents/bill_of_lading/{key}/chain/release"): Spec(release, record=True),
    }
