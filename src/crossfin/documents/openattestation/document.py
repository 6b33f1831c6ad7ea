"""Reading a wrapped OpenAttestation v2 document: its shape, named by JSON Pointer.

Everything a later step relies on is checked here, so verification never meets a value of
the wrong type: a refusal names the element (`/signature/targetHash`, `/data/issuers/0`)
and why. The data is flattened exactly as v2 does (flatley: `a.0.b` paths, empty objects
and arrays kept as values of their own).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from crossfin.core.errors import FieldError, ValidationFailed, invalid

V2_SCHEMA = "https://schema.openattestation.com/2.0/schema.json"
MAX_BYTES = 1024 * 1024
MAX_DEPTH = 32
_HASH = re.compile(r"[0-9a-fA-F]{64}")
_LOWER_HASH = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Field:
    """One flattened field: its v2 path (`issuers.0.name`), pointer and value as written."""

    path: str
    pointer: str
    value: Any


@dataclass(frozen=True)
class WrappedDocument:
    data: dict[str, Any]
    fields: list[Field]
    target_hash: str
    merkle_root: str
    proof: list[str]
    obfuscated: list[str]
    signed_by_did: bool


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def load_json(raw: bytes | str) -> Any:
    """The document's JSON, refused as `/` when too large, not UTF-8 or not JSON."""
    data = raw.encode() if isinstance(raw, str) else raw
    if len(data) > MAX_BYTES:
        raise invalid("/", f"larger than {MAX_BYTES} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise invalid("/", "not UTF-8 text") from None
    try:
        return json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise invalid("/", f"not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise invalid("/", "nested too deeply") from None
    except ValueError as exc:  # NaN/Infinity, or an integer too long to read
        raise invalid("/", f"not JSON: {exc}") from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def flatten(data: dict[str, Any]) -> list[Field]:
    """The leaves of `data` as v2 hashes them; a key with `.` is refused, as v2 does."""
    fields: list[Field] = []
    errors: list[FieldError] = []

    def walk(value: Any, path: str, pointer: str, depth: int) -> None:
        if depth > MAX_DEPTH:
            errors.append(FieldError(pointer, f"nested deeper than {MAX_DEPTH} levels"))
            return
        items: list[tuple[str, Any]]
        if isinstance(value, dict) and (value or depth == 0):
            items = [(str(k), v) for k, v in value.items()]
        elif isinstance(value, list) and value:
            items = [(str(i), v) for i, v in enumerate(value)]
        else:
            fields.append(Field(path, pointer, value))
            return
        for key, child in items:
            child_pointer = f"{pointer}/{_escape(key)}"
            if "." in key:
                errors.append(FieldError(child_pointer, "a key with '.' cannot be hashed in v2"))
                continue
            walk(child, f"{path}.{key}" if path else key, child_pointer, depth + 1)

    walk(data, "", "/data", 0)
    if errors:
        raise ValidationFailed(errors)
    return fields


def _signature(doc: dict[str, Any], errors: list[FieldError]) -> tuple[str, str, list[str]]:
    sig = doc.get("signature")
    if not isinstance(sig, dict):
        errors.append(FieldError("/signature", "not an object"))
        return "", "", []
    if sig.get("type") != "SHA3MerkleProof":
        errors.append(FieldError("/signature/type", "must be SHA3MerkleProof"))
    target, root, proof = sig.get("targetHash"), sig.get("merkleRoot"), sig.get("proof", [])
    # The reference compares the target hash as a string with its lower-case digest.
    if not (isinstance(target, str) and _LOWER_HASH.fullmatch(target)):
        errors.append(FieldError("/signature/targetHash", "not 64 lower-case hex digits"))
    if not (isinstance(root, str) and _HASH.fullmatch(root)):
        errors.append(FieldError("/signature/merkleRoot", "not 64 hex digits"))
    if not isinstance(proof, list):
        errors.append(FieldError("/signature/proof", "not an array"))
        proof = []
    for i, step in enumerate(proof):
        if not (isinstance(step, str) and _HASH.fullmatch(step)):
            errors.append(FieldError(f"/signature/proof/{i}", "not 64 hex digits"))
    good = [p for p in proof if isinstance(p, str)]
    return str(target), str(root), good


def _obfuscated(doc: dict[str, Any], errors: list[FieldError]) -> list[str]:
    privacy = doc.get("privacy", {})
    if not isinstance(privacy, dict):
        errors.append(FieldError("/privacy", "not an object"))
        return []
    hidden = privacy.get("obfuscatedData", [])
    if not isinstance(hidden, list):
        errors.append(FieldError("/privacy/obfuscatedData", "not an array"))
        return []
    for i, item in enumerate(hidden):
        if not (isinstance(item, str) and _LOWER_HASH.fullmatch(item)):
            errors.append(
                FieldError(f"/privacy/obfuscatedData/{i}", "not 64 lower-case hex digits")
            )
    return [h for h in hidden if isinstance(h, str)]


def parse(raw: bytes | str) -> WrappedDocument:
    """A wrapped v2 document, or 422 naming every element that makes it not one."""
    doc = load_json(raw)
    if not isinstance(doc, dict):
        raise invalid("/", "not a JSON object")
    if "signature" not in doc and "data" not in doc:
        raise invalid("/signature", "missing: a raw (unwrapped) document; wrap it first")
    errors: list[FieldError] = []
    if doc.get("version") != V2_SCHEMA:
        errors.append(FieldError("/version", f"must be {V2_SCHEMA}"))
    data = doc.get("data")
    if not isinstance(data, dict):
        errors.append(FieldError("/data", "not an object"))
    target, root, proof = _signature(doc, errors)
    hidden = _obfuscated(doc, errors)
    if errors:
        raise ValidationFailed(errors)
    assert isinstance(data, dict)
    return WrappedDocument(
        data=data,
        fields=flatten(data),
        target_hash=target,
        merkle_root=root.lower(),
        proof=[p.lower() for p in proof],
        obfuscated=hidden,
        signed_by_did="proof" in doc,
    )
