"""Factories for the ingestion side: valid records of every kind, key pairs, manifests."""

from __future__ import annotations

import csv as _csv
import io as _io
import itertools
import json as _json
from typing import Any

from crossfin.documents.records import Manifest, iter_csv, record_digest
from crossfin.ledger.note import Signer, generate_signer, sign_note
from crossfin.ledger.rfc6962 import leaf_hash, root_hash
from crossfin.parties.identifiers import make_uscc, org_code_with_check

_seq = itertools.count(1)
SELLER_USCC = make_uscc("9", "1", "310115", org_code_with_check("77777777"))


def owner_uscc(n: int = 1, county: str = "440305") -> str:
    """A valid USCC for a (possibly not yet onboarded) enterprise."""
    return make_uscc("9", "1", county, org_code_with_check(f"{n + 50000000:08d}"))


def declaration_no(n: int | None = None, flag: str = "0", year: int = 2024) -> str:
    return f"5316{year}{flag}{(n or next(_seq)):09d}"


def record(
    kind: str, n: int | None = None, owner: str | None = None, **overrides: Any
) -> dict[str, Any]:
    """A valid record of `kind` (as a source would send it), fields overridable."""
    n = n if n is not None else next(_seq)
    owner = owner or owner_uscc()
    builders = {
        "customs_declaration": lambda: {
            "declaration_no": declaration_no(n),
            "enterprise_uscc": owner,
            "buyer_name": "ACME Trading Inc.",
            "buyer_country": "US",
            "currency": "USD",
            "total_value": "12345.50",
            "export_date": "2024-05-01",
            "bill_no": f"MAEU{n:09d}",
            "trade_mode": "0110",
        },
        "vat_invoice": lambda: {
            "invoice_no": f"{24440000000000000000 + n}",
            "seller_uscc": SELLER_USCC,
            "buyer_uscc": owner,
            "currency": "CNY",
            "amount": "10000.00",
            "tax_amount": "600.00",
            "issue_date": "2024-06-01",
            "category": "freight",
        },
        "insurance_policy": lambda: {
            "policy_no": f"SIN-2024-{n:06d}",
            "insured_uscc": owner,
            "buyer_name": "ACME Trading Inc.",
            "buyer_country": "US",
            "currency": "USD",
            "credit_limit": "500000",
            "coverage_ratio": "0.90",
            "valid_from": "2024-01-01",
            "valid_to": "2024-12-31",
            "declarations": [declaration_no(n)],
        },
        "bill_of_lading": lambda: {
            "bl_no": f"COSU{n:09d}",
            "shipper_uscc": owner,
            "consignee": "ACME Trading Inc.",
            "port_of_loading": "CNSZX",
            "port_of_discharge": "USLAX",
            "vessel": "COSCO SHIPPING ARIES",
            "voyage": "042E",
            "containers": ["CSQU3054383"],
            "issue_date": "2024-05-02",
            "negotiable": True,
        },
        "warehouse_receipt": lambda: {
            "receipt_no": f"WR{n:08d}",
            "owner_uscc": owner,
            "warehouse": "Qinzhou Port CW",
            "location": "Zone A, row 3",
            "goods": "Copper cathode",
            "quantity": "25.000",
            "unit": "t",
            "valuation": "1800000.00",
            "currency": "CNY",
            "issue_date": "2024-03-15",
        },
        "tax_filing": lambda: {
            "filing_no": f"44030024{n:08d}",
            "verification_code": "A1B2C3D4",
            "payer_uscc": owner,
            "payee_name": "Global Freight GmbH",
            "payee_country": "DE",
            "currency": "EUR",
            "contract_amount": "80000.00",
            "item_type": "transport",
            "filing_date": "2024-04-10",
        },
        "overseas_customs_declaration": lambda: {
            "declaration_no": f"24DE{n:012d}A1",
            "declaring_country": "DE",
            "declaration_type": "export",
            "enterprise_uscc": owner,
            "exporter_name": "Rhein Maschinen GmbH",
            "exporter_country": "DE",
            "importer_name": "Lion City Trading Pte Ltd",
            "importer_country": "SG",
            "transport_document_no": f"COSU{n:09d}",
            "vessel": "COSCO SHIPPING ARIES",
            "voyage": "042E",
            "port_of_loading": "DEHAM",
            "port_of_discharge": "SGSIN",
            "containers": ["CSQU3054383"],
            "goods_description": "CNC milling machines",
            "hs_code": "845961",
            "quantity": "12",
            "quantity_unit": "PCE",
            "gross_weight_kg": "18400.5",
            "invoice_value": "960000.00",
            "currency": "EUR",
            "acceptance_date": "2024-05-01",
        },
        "transport_event": lambda: {
            "event_id": f"EV-{n:09d}",
            "event_type": "EQUIPMENT",
            "classifier": "ACT",
            "event_code": "LOAD",
            "event_datetime": "2024-05-02T08:00:00Z",
            "party_uscc": owner,
            "location": "DEHAM",
            "vessel": "COSCO SHIPPING ARIES",
            "voyage": "042E",
            "equipment": "CSQU3054383",
            "transport_document_refs": [f"COSU{n:09d}"],
        },
        "rail_consignment_note": lambda: {
            "consignment_no": f"CIM{n:09d}",
            "consignor_uscc": owner,
            "consignee": "Duisburg Intermodal GmbH",
            "departure_station": "Chongqing Tuanjiecun",
            "departure_country": "CN",
            "destination_station": "Duisburg Hbf",
            "destination_country": "DE",
            "border_crossing": "Alashankou/Dostyk",
            "wagons": ["58012345"],
            "containers": ["CSQU3054383"],
            "goods": "Laptop computers",
            "gross_weight_kg": "18250.50",
            "packages": 640,
            "value": "600000.00",
            "currency": "USD",
            "acceptance_date": "2024-05-02",
            "dispatch_date": "2024-05-03",
        },
        "warehouse_movement": lambda: {
            "movement_no": f"MV{n:08d}",
            "receipt_no": f"WR{n:08d}",
            "owner_uscc": owner,
            "direction": "out",
            "quantity": "5",
            "unit": "t",
            "movement_date": "2024-05-02",
        },
    }
    data = builders[kind]()
    for name, value in overrides.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


# --- batches ------------------------------------------------------------------------------


def new_signer(name: str = "customs-5316") -> tuple[Signer, str]:
    skey, vkey = generate_signer(name)
    return Signer.from_skey(skey), vkey


def register_source_key(client: Any, headers: dict[str, str], name: str = "source-key") -> Signer:
    signer, vkey = new_signer(name)
    answer = client.post("/v1/sources/keys", json={"vkey": vkey}, headers=headers)
    assert answer.status_code == 201, answer.text
    return signer


def jsonl(rows: list[dict[str, Any]]) -> str:
    return "".join(_json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def csv_text(rows: list[dict[str, Any]], header: list[str]) -> str:
    out = _io.StringIO()
    writer = _csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for r in rows:
        writer.writerow(
            [
                ";".join(v)
                if isinstance(v, list)
                else (str(v).lower() if isinstance(v, bool) else str(r.get(h, "")))
                for h, v in ((h, r.get(h, "")) for h in header)
            ]
        )
    return out.getvalue()


def manifest_for(kind: str, ref: str, sent: list[dict[str, Any]], signer: Signer) -> str:
    """Sign a manifest over records as sent (parsed JSON objects or CSV row dicts)."""
    root = root_hash([leaf_hash(record_digest(r)) for r in sent])
    return sign_note(Manifest(kind, ref, len(sent), root).text(), [signer])


def csv_records(text: str) -> list[dict[str, str]]:
    return list(iter_csv(text))


def submit(
    client: Any,
    headers: dict[str, str],
    kind: str,
    ref: str,
    rows: list[dict[str, Any]],
    signer: Signer,
    *,
    mode: str = "partial",
    chunk: int = 1000,
) -> dict[str, Any]:
    """Register a batch of JSON records and upload it in chunks; the final status."""
    manifest = manifest_for(kind, ref, rows, signer)
    answer = client.post("/v1/batches", json={"manifest": manifest, "mode": mode}, headers=headers)
    assert answer.status_code in (200, 201), answer.text
    result: dict[str, Any] = answer.json()
    for start in range(0, len(rows), chunk):
        answer = client.post(
            f"/v1/batches/{ref}/lines?from={start}",
            content=jsonl(rows[start : start + chunk]),
            headers=headers | {"Content-Type": "application/x-ndjson"},
        )
        assert answer.status_code == 200, answer.text
        result = answer.json()
    return result
