"""Wrapping OpenAttestation v2 documents for tests: salt, hash, and a Merkle batch.

A test-only mirror of what an issuer's wrapper does (salt each leaf, target hash per
document, a sorted-pair keccak tree over the batch), so tests can craft batches with real
proofs and then tamper with them. The verifier itself is checked against the upstream
samples in tests/data/openattestation, which this code never produced.
"""

from __future__ import annotations

import copy
import json
import uuid
from typing import Any

from crossfin.documents.openattestation import hashing
from crossfin.documents.openattestation.document import V2_SCHEMA, flatten

INVOICE: dict[str, Any] = {
    "$template": {
        "name": "INVOICE",
        "type": "EMBEDDED_RENDERER",
        "url": "https://generic-templates.tradetrust.io",
    },
    "issuers": [
        {
            "name": "Shenzhen Lotus Electronics Co., Ltd.",
            "documentStore": "0x93092C2B449712281008112870063fF439367C00",
            "identityProof": {"type": "DNS-TXT", "location": "invoices.lotus.example"},
        }
    ],
    "id": "INV-2026-OA-0042",
    "date": "2026-10-12",
    "customerId": "HANSE-01",
    "terms": "Due Upon Receipt",
    "billFrom": {"name": "Shenzhen Lotus Electronics Co., Ltd.", "city": "Shenzhen"},
    "billTo": {
        "company": {"name": "Hanseatic Import GmbH", "city": "Hamburg"},
        "name": "Anna Berg",
    },
    "billableItems": [
        {"description": "LED drivers", "quantity": 500, "unitPrice": 24.5, "amount": 12250}
    ],
    "subtotal": 12250,
    "tax": 0,
    "taxTotal": 0,
    "total": 12250.5,
}


def _typed(value: Any) -> str:
    if isinstance(value, bool):
        return f"boolean:{str(value).lower()}"
    if isinstance(value, int | float):
        return f"number:{hashing.js_number(value)}"
    return "null:null" if value is None else f"string:{value}"


def salt(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: salt(v) for k, v in value.items()}
    if isinstance(value, list):
        return [salt(v) for v in value]
    return f"{uuid.uuid4()}:{_typed(value)}"


def target_hash(data: dict[str, Any], hidden: list[str] | None = None) -> str:
    leaves = [hashing.field_hash(f.path, f.value) for f in flatten(data)]
    return hashing.digest(leaves + (hidden or []))


def _tree(leaves: list[bytes]) -> list[list[bytes]]:
    layers = [sorted(leaves)]
    while len(layers[-1]) > 1:
        row = layers[-1]
        layers.append(
            [
                hashing.combine(row[i], row[i + 1]) if i + 1 < len(row) else row[i]
                for i in range(0, len(row), 2)
            ]
        )
    return layers


def _proof(layers: list[list[bytes]], leaf: bytes) -> list[str]:
    index, proof = layers[0].index(leaf), []
    for row in layers[:-1]:
        pair = index + 1 if index % 2 == 0 else index - 1
        if pair < len(row):
            proof.append(row[pair].hex())
        index //= 2
    return proof


def wrap(raws: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Wrap raw documents as one batch: each gets its target hash and a proof to the root."""
    datas = [salt(copy.deepcopy(raw)) for raw in raws]
    targets = [bytes.fromhex(target_hash(d)) for d in datas]
    layers = _tree(targets)
    root = layers[-1][0].hex()
    return [
        {
            "version": V2_SCHEMA,
            "data": data,
            "signature": {
                "type": "SHA3MerkleProof",
                "targetHash": target.hex(),
                "proof": _proof(layers, target),
                "merkleRoot": root,
            },
        }
        for data, target in zip(datas, targets, strict=True)
    ]


def invoice_batch(count: int = 5) -> list[dict[str, Any]]:
    """`count` TradeTrust invoices wrapped together (numbers INV-…-0, -1, …)."""
    raws = []
    for i in range(count):
        raw = copy.deepcopy(INVOICE)
        raw["id"] = f"{INVOICE['id']}-{i}"
        raws.append(raw)
    return wrap(raws)


def dumps(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, ensure_ascii=False).encode()
