"""PINT 3.0 envelopes relayed by a registered source: checksum linkage verified offline."""

from __future__ import annotations

import hashlib
from typing import Any

from crossfin.core.canonical import jcs
from crossfin.documents.ebl.pint import PREVIOUS, checksum, encode_jws
from support.ebl import body, new_chain, post_step, read_chain
from support.parties import uscc_for

SHIPPER = uscc_for("440305", 7003)


def _party(name: str, platform: str, uscc: str | None = None) -> dict[str, Any]:
    party: dict[str, Any] = {
        "partyName": name,
        "eblPlatform": platform,
        "identifyingCodes": [{"codeListProvider": platform, "partyCode": name[:8]}],
    }
    if uscc:
        party["taxLegalReferences"] = [{"type": "USCC", "countryCode": "CN", "value": uscc}]
    return party


def _tx(
    code: str, actor: dict[str, Any], recipient: dict[str, Any] | None, day: int
) -> dict[str, Any]:
    tx: dict[str, Any] = {
        "actionCode": code,
        "actor": actor,
        "actionDateTime": f"2026-10-{day:02d}T09:00:00.000Z",
    }
    if recipient is not None:
        tx["recipient"] = recipient
    return tx


CARRIER = _party("COSCO Shipping Lines", "WAVE")
SHIP = _party("Shenzhen Exporter", "WAVE", SHIPPER)
BUYER = _party("Rotterdam Buyer BV", "BOLE")
BANK = _party("Rabobank Trade", "BOLE")


def envelope(document: dict[str, Any], batches: list[list[dict[str, Any]]]) -> dict[str, Any]:
    """An envelope whose entries link by checksum, as a sending platform would build it."""
    digest = hashlib.sha256(jcs(document)).hexdigest()
    chain: list[str] = []
    for i, txs in enumerate(batches):
        entry: dict[str, Any] = {
            "eblPlatform": txs[0]["actor"]["eblPlatform"],
            "transportDocumentChecksum": digest,
            "transactions": txs,
        }
        if i:
            entry[PREVIOUS] = checksum(chain[-1])
        chain.append(encode_jws(entry))
    manifest = {
        "transportDocumentChecksum": digest,
        "lastEnvelopeTransferChainEntrySignedContentChecksum": checksum(chain[-1]),
    }
    return {
        "transportDocument": document,
        "envelopeManifestSignedContent": encode_jws(manifest),
        "envelopeTransferChain": chain,
    }


def _relay(client, party, message: dict[str, Any]):  # type: ignore[no-untyped-def]
    return client.post("/v1/ebl/pint", json=message, headers=party.headers)


BATCHES = [
    [_tx("ISSUE", CARRIER, SHIP, 10)],
    [_tx("ENDORSE_TO_ORDER", SHIP, BUYER, 11), _tx("TRANSFER", SHIP, BUYER, 11)],
    [_tx("ENDORSE", BUYER, BANK, 12)],
]


def test_a_consistent_envelope_becomes_steps(client, db) -> None:  # type: ignore[no-untyped-def]
    c = new_chain(client, db)
    document = {"transportDocumentReference": c.bl.key, "isToOrder": True}
    first = _relay(client, c.source, envelope(document, BATCHES[:2]))
    assert first.status_code == 201, first.text
    answer = first.json()
    assert [s["action"] for s in answer["steps"]] == ["issue", "endorse"]
    assert answer["steps"][0]["to"]["uscc"] == SHIPPER  # from its USCC tax reference
    assert answer["steps"][0]["origin"] == "pint" and answer["steps"][0]["entry_checksum"]
    assert answer["holder"] == {
        "uscc": None,
        "name": "Rotterdam Buyer BV",
        "source_org_id": None,
        "platform": "BOLE",
    }
    assert {k["name"]: k["status"] for k in answer["checks"]}[
        "jws_signatures"
    ] == "not_checked_offline"
    assert answer["not_mapped"] == ["envelopeTransferChain[1].transactions[1]: TRANSFER"]
    # The next relay carries the whole chain again; only the new entry is added.
    second = _relay(client, c.source, envelope(document, BATCHES))
    assert second.status_code == 201, second.text
    assert read_chain(client, c.source, c.bl.key).json()["holder"]["name"] == "Rabobank Trade"
    again = _relay(client, c.source, envelope(document, BATCHES))
    assert again.status_code == 409
    # The holder is on a foreign platform: the source cannot sign its steps.
    signed = post_step(client, c.source, c.signer, body(c.bl.key, 4, "surrender"))
    assert signed.status_code == 403 and "PINT" in signed.json()["detail"]


def test_a_broken_checksum_is_refused_naming_the_entry(client, db) -> None:  # type: ignore[no-untyped-def]
    c = new_chain(client, db)
    document = {"transportDocumentReference": c.bl.key}
    message = envelope(document, BATCHES)
    other = envelope(document, [BATCHES[0], [_tx("ENDORSE", SHIP, BANK, 11)], BATCHES[2]])
    message["envelopeTransferChain"][1] = other["envelopeTransferChain"][1]  # swapped entry
    refused = _relay(client, c.source, message)
    assert refused.status_code == 422
    problem = refused.json()
    assert problem["type"].endswith("/ebl-envelope-checksum")
    assert problem["errors"][0]["field"] == "envelopeTransferChain[2]"
    assert PREVIOUS in problem["errors"][0]["reason"]
    altered = envelope(document, BATCHES)
    altered["transportDocument"]["isToOrder"] = False
    bad_doc = _relay(client, c.source, altered)
    assert bad_doc.status_code == 422
    assert bad_doc.json()["errors"][0]["field"] == "envelopeManifestSignedContent"
    assert read_chain(client, c.source, c.bl.key).json()["steps"] == []


def test_relay_rules(client, db) -> None:  # type: ignore[no-untyped-def]
    c = new_chain(client, db)
    document = {"transportDocumentReference": c.bl.key}
    wrong_actor = [BATCHES[0], [_tx("ENDORSE", BUYER, BANK, 11)]]
    refused = _relay(client, c.source, envelope(document, wrong_actor))
    assert refused.status_code == 409 and "platform" in refused.json()["detail"]
    assert _relay(client, c.firms.banks[0], envelope(document, BATCHES)).status_code == 403
    from support.ebl import other_source

    stranger, _, _ = other_source(client, db)
    assert _relay(client, stranger, envelope(document, BATCHES)).status_code == 404
    assert read_chain(client, c.source, c.bl.key).json()["steps"] == []
