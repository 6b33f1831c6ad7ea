"""Offline verification of wrapped OpenAttestation v2 documents: samples, tampering, bad input."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crossfin.core.errors import ValidationFailed
from crossfin.documents.openattestation import hashing, importing
from crossfin.documents.openattestation.errors import IntegrityFailed
from support.data import DATA
from support.openattestation import dumps, invoice_batch

SAMPLES = DATA / "openattestation"
INTACT = [
    "oa-v2_wrapped-transferable-document.json",
    "oa-v2_not-obfuscated-wrapped.json",
    "oa-v2_did-wrapped.json",
    "oa-v2_obfuscated-recipient-by-library.json",
]


def sample(name: str) -> dict[str, Any]:
    return json.loads((SAMPLES / name).read_text())


def refusal(doc: dict[str, Any] | bytes) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        importing.verify_document(doc if isinstance(doc, bytes) else dumps(doc))
    return caught.value


def fields_of(exc: ValidationFailed) -> set[str]:
    return {e.field for e in exc.errors}


@pytest.mark.parametrize("name", INTACT)
def test_upstream_samples_verify(name: str) -> None:
    result = importing.verify_document((SAMPLES / name).read_bytes())
    checks = {c.name: c.status for c in result.checks}
    assert result.intact and result.computed_target_hash == result.target_hash
    assert checks["target_hash"] == checks["merkle_proof"] == "passed"
    # Never claimed offline: identity, issuance and token ownership.
    assert checks["issuer_identity"] == "not_checked_offline"
    assert {checks["issuance_status"], checks["token_registry"]} <= {
        "not_checked_offline",
        "not_applicable",
    }


def test_the_three_online_checks_follow_the_document() -> None:
    transferable = importing.verify_document(
        (SAMPLES / "oa-v2_wrapped-transferable-document.json").read_bytes()
    )
    checks = {c.name: c for c in transferable.checks}
    assert checks["token_registry"].status == "not_checked_offline"
    assert "0x9178F546D3FF57D7A6352bD61B80cCCD46199C2d" in checks["token_registry"].detail
    assert checks["issuance_status"].status == "not_applicable"
    hidden = importing.verify_document(
        (SAMPLES / "oa-v2_obfuscated-recipient-by-library.json").read_bytes()
    )
    assert hidden.obfuscated == 1 and hidden.fields == 7


def test_upstream_obfuscated_sample_fails_naming_the_empty_recipient() -> None:
    exc = refusal(sample("oa-v2_obfuscated-wrapped.json"))
    assert isinstance(exc, IntegrityFailed)
    assert fields_of(exc) == {"/signature/targetHash", "/data/recipient"}
    assert exc.problem()["type"].endswith("/openattestation-integrity")


def test_a_raw_document_is_refused_as_unwrapped() -> None:
    exc = refusal(sample("oa-v2_raw-document.json"))
    assert fields_of(exc) == {"/signature"} and "unwrapped" in exc.errors[0].reason


def test_a_changed_value_in_salted_form_cannot_be_named_and_says_so() -> None:
    doc = sample("oa-v2_not-obfuscated-wrapped.json")
    name = doc["data"]["recipient"]["name"]
    doc["data"]["recipient"]["name"] = name.replace("John Doe", "Jane Doe")
    exc = refusal(doc)
    assert fields_of(exc) == {"/signature/targetHash"}
    assert "cannot say which field" in exc.errors[0].reason


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("Jane Doe", "not of the form"),
        ("f948b6d5-c75c-4c43-99f3-216efac4e00b:number:12x", "not a finite number"),
        ("f948b6d5-c75c-4c43-99f3-216efac4e00b:boolean:yes", "neither true nor false"),
        ("f948b6d5-c75c-4c43-99f3-216efac4e00b:money:12", "unknown type tag"),
        (42, "a bare number"),
    ],
)
def test_a_malformed_value_is_named(value: object, reason: str) -> None:
    doc = sample("oa-v2_not-obfuscated-wrapped.json")
    doc["data"]["recipient"]["name"] = value
    exc = refusal(doc)
    assert fields_of(exc) == {"/signature/targetHash", "/data/recipient/name"}
    assert reason in next(e.reason for e in exc.errors if e.field == "/data/recipient/name")


def test_batch_proofs_verify_and_each_kind_of_tampering_is_refused() -> None:
    batch = invoice_batch(4)  # a full tree: every proof has two steps, whatever the order
    for doc in batch:
        assert importing.verify_document(dumps(doc)).intact
    changed = copy.deepcopy(batch[0])
    changed["data"]["total"] = changed["data"]["total"].replace("12250.5", "99250.5")
    assert fields_of(refusal(changed)) == {"/signature/targetHash"}
    added = copy.deepcopy(batch[1])
    added["data"]["extra"] = batch[1]["data"]["terms"]
    assert fields_of(refusal(added)) == {"/signature/targetHash"}
    root = copy.deepcopy(batch[2])
    root["signature"]["merkleRoot"] = "00" * 32
    assert fields_of(refusal(root)) == {"/signature/merkleRoot"}
    proof = copy.deepcopy(batch[3])
    proof["signature"]["proof"][1] = "ab" * 32
    assert fields_of(refusal(proof)) == {"/signature/merkleRoot"}
    dropped = copy.deepcopy(batch[3])
    dropped["signature"]["proof"].pop()
    exc = refusal(dropped)
    assert fields_of(exc) == {"/signature/merkleRoot"}
    assert {c["name"]: c["status"] for c in exc.problem()["checks"]}["merkle_proof"] == "failed"
    # A hidden hash removed is a changed target hash too.
    hidden = sample("oa-v2_obfuscated-recipient-by-library.json")
    hidden["privacy"]["obfuscatedData"] = []
    assert fields_of(refusal(hidden)) == {"/signature/targetHash"}


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (
            lambda d: d.update(version="https://schema.openattestation.com/3.0/schema.json"),
            "/version",
        ),
        (lambda d: d["signature"].update(targetHash="XYZ"), "/signature/targetHash"),
        (lambda d: d["signature"].update(type="Sha256"), "/signature/type"),
        (lambda d: d["signature"].update(proof="none"), "/signature/proof"),
        (lambda d: d["signature"].update(proof=[1]), "/signature/proof/0"),
        (lambda d: d.update(data=[]), "/data"),
        (lambda d: d.update(privacy={"obfuscatedData": ["zz"]}), "/privacy/obfuscatedData/0"),
        (lambda d: d["data"].update({"a.b": "x"}), "/data/a.b"),
        (lambda d: d.update(signature=None), "/signature"),
    ],
)
def test_malformed_documents_name_the_element(mutate: Any, field: str) -> None:
    doc = sample("oa-v2_not-obfuscated-wrapped.json")
    mutate(doc)
    exc = refusal(doc)
    assert field in fields_of(exc) and not isinstance(exc, IntegrityFailed)


@pytest.mark.parametrize(
    "raw", [b"{", b"\xff\xfe", b"[]", b"null", b'{"a": NaN}', b"[" * 100_000, b" " * (1 << 21)]
)
def test_bad_json_is_refused_at_the_root(raw: bytes) -> None:
    assert fields_of(refusal(raw)) == {"/"}


def test_javascript_number_formatting() -> None:
    cases = {
        1.0: "1",
        12250.5: "12250.5",
        1e21: "1e+21",
        1.5e-7: "1.5e-7",
        0.000001: "0.000001",
        2**60: "1152921504606847000",
        -2.5e300: "-2.5e+300",
    }
    assert {k: hashing.js_number(k) for k in cases} == cases
    assert hashing.js_stringify({"a": "\ud800é"}) == '{"a":"\\ud800é"}'


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.fixed_dictionaries(
        {},
        optional={
            "version": st.sampled_from(["https://schema.openattestation.com/2.0/schema.json", 2]),
            "data": _json,
            "signature": st.fixed_dictionaries(
                {},
                optional={
                    "type": st.sampled_from(["SHA3MerkleProof", None]),
                    "targetHash": st.sampled_from(["ab" * 32, "x", 5]),
                    "merkleRoot": st.sampled_from(["ab" * 32, "AB" * 32, []]),
                    "proof": st.lists(st.sampled_from(["cd" * 32, 3, "q"]), max_size=3) | _json,
                },
            )
            | _json,
            "privacy": st.fixed_dictionaries({"obfuscatedData": _json}) | _json,
        },
    )
)
def test_fuzzed_shapes_verify_or_are_refused_with_a_named_element(doc: dict[str, Any]) -> None:
    try:
        importing.verify_document(json.dumps(doc).encode())
    except ValidationFailed as exc:
        assert exc.errors and all(e.field.startswith("/") for e in exc.errors)
