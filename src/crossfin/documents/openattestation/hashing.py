"""Keccak-256 and the exact bytes OpenAttestation v2 hashes (JavaScript's JSON.stringify).

v2 hashes each field as keccak256(JSON.stringify({path: value})) and the document as
keccak256(JSON.stringify(sorted field hashes)); agreeing on those bytes with the
JavaScript reference is the whole job, so the serialisation below mimics JSON.stringify:
no spaces, non-ASCII as UTF-8, lone surrogates escaped, JavaScript number formatting.
"""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal
from typing import Any

from Crypto.Hash import keccak

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def keccak256(data: bytes) -> bytes:
    """Ethereum's Keccak-256 (not NIST SHA3-256: the padding differs)."""
    return keccak.new(digest_bits=256, data=data).digest()


def js_number(value: int | float) -> str:
    """A number as JavaScript prints it (1.0 -> "1", 2**60 -> "1152921504606847000")."""
    if isinstance(value, int) and abs(value) < 2**53:
        return str(value)
    number = float(value)  # JavaScript numbers are doubles, big integers included
    if not math.isfinite(number):
        return "null"
    if number == 0:
        return "0"
    # repr gives the shortest digits that round-trip, as JavaScript does; only the layout differs.
    if 1e-6 <= abs(number) < 1e21:
        text = format(Decimal(repr(number)), "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    mantissa, exponent = f"{Decimal(repr(number)):e}".split("e")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{exponent[0]}{exponent[1:].lstrip('0') or '0'}"


def js_stringify(value: Any) -> str:
    """JSON.stringify(value) for JSON data (dicts keep their order, as JS objects do)."""
    if isinstance(value, dict):
        inner = ",".join(f"{js_stringify(str(k))}:{js_stringify(v)}" for k, v in value.items())
        return "{" + inner + "}"
    if isinstance(value, list):
        return "[" + ",".join(js_stringify(v) for v in value) + "]"
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
        return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, int | float):
        return js_number(value)
    raise TypeError(f"not JSON data: {type(value).__name__}")


def field_hash(path: str, value: Any) -> str:
    """The hex hash of one flattened field, as v2 puts it in the target hash."""
    return keccak256(js_stringify({path: value}).encode()).hex()


def digest(field_hashes: list[str]) -> str:
    """The target hash: keccak256 of the JSON array of the sorted hex field hashes."""
    return keccak256(js_stringify(sorted(field_hashes)).encode()).hex()


def combine(first: bytes, second: bytes) -> bytes:
    """A Merkle parent in v2: keccak256 of the two children sorted by their bytes."""
    low, high = sorted((first, second))
    return keccak256(low + high)


def fold_proof(target: bytes, proof: list[bytes]) -> bytes:
    """The root reached from `target` through `proof` (empty proof: the target itself)."""
    node = target
    for sibling in proof:
        node = combine(node, sibling)
    return node
