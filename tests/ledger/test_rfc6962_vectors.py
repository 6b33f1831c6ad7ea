"""RFC 6962 hashing and proof verification against the shared reference vectors."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from crossfin.ledger import (
    VerificationError,
    leaf_hash,
    root_hash,
    verify_consistency,
    verify_inclusion,
)
from crossfin.ledger.proofs import MemoryTree, consistency_proof, inclusion_proof
from crossfin.ledger.rfc6962 import EMPTY_ROOT, node_hash
from crossfin.ledger.verify import root_from_inclusion, roots_from_consistency
from support.data import DATA

VECTOR_DIR = DATA / "rfc6962"


def _load(name: str) -> dict[str, Any]:
    """Read one JSON vector file from the repository's vector directory."""
    data: dict[str, Any] = json.loads((VECTOR_DIR / name).read_text(encoding="utf-8"))
    return data


CONSTANTS = _load("testonly_constants.json")
HASHER = _load("hasher_vectors.json")
LEAF_INPUTS = [bytes.fromhex(x) for x in CONSTANTS["leaf_inputs_hex"]]
NODES = [[bytes.fromhex(h) for h in level] for level in CONSTANTS["node_hashes_hex"]]
ROOTS = [bytes.fromhex(h) for h in CONSTANTS["root_hashes_hex"]]  # index = tree size
LEAVES = [leaf_hash(d) for d in LEAF_INPUTS]
TREE = MemoryTree(LEAVES)

# Known-good proofs of the RFC 6962 reference implementations (certificate-transparency
# C++ merkle_tree_test, transparency-dev/merkle verify_test) over the same eight leaves,
# written as (level, n) coordinates into the vector file's node table.
KNOWN_INCLUSION = [
    (0, 1, []),
    (0, 8, [(0, 1), (1, 1), (2, 1)]),
    (5, 8, [(0, 4), (1, 3), (2, 0)]),
    (2, 3, [(1, 0)]),
    (1, 5, [(0, 0), (1, 1), (0, 4)]),
]
KNOWN_CONSISTENCY = [
    (1, 1, []),
    (1, 8, [(0, 1), (1, 1), (2, 1)]),
    (6, 8, [(1, 2), (1, 3), (2, 0)]),
    (2, 5, [(1, 1), (0, 4)]),
    (6, 7, [(1, 2), (0, 6), (2, 0)]),
]
OTHER_HASH = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")


def _nodes(coords: Sequence[tuple[int, int]]) -> list[bytes]:
    """Return the vector node hashes at the given (level, n) coordinates."""
    return [NODES[level][n] for level, n in coords]


def _flip(proof: Sequence[bytes], i: int) -> list[bytes]:
    """Return a copy of proof with one bit of element i flipped."""
    out = list(proof)
    out[i] = bytes([out[i][0] ^ 8]) + out[i][1:]
    return out


def test_hasher_vectors() -> None:
    assert EMPTY_ROOT.hex() == HASHER["empty_root"]
    assert EMPTY_ROOT.hex().startswith("e3b0c442")
    assert leaf_hash(b"").hex() == HASHER["empty_leaf"]
    assert leaf_hash(b"L123456").hex() == HASHER["leaf_L123456"]
    assert node_hash(b"N123", b"N456").hex() == HASHER["node_N123_N456"]


def test_node_table_is_consistent() -> None:
    assert NODES[0] == LEAVES
    for level in range(1, len(NODES)):
        for n, value in enumerate(NODES[level]):
            assert value == node_hash(NODES[level - 1][2 * n], NODES[level - 1][2 * n + 1])


@pytest.mark.parametrize("size", range(len(ROOTS)))
def test_root_hash(size: int) -> None:
    assert root_hash(LEAVES[:size]) == ROOTS[size]


def test_memory_tree_stores_the_vector_nodes() -> None:
    for level, row in enumerate(NODES):
        assert TREE.read_hashes([(level, n) for n in range(len(row))]) == row
    assert TREE.root() == ROOTS[8]


@pytest.mark.parametrize(("index", "size", "coords"), KNOWN_INCLUSION)
def test_known_inclusion_proofs(index: int, size: int, coords: list[tuple[int, int]]) -> None:
    proof = _nodes(coords)
    assert inclusion_proof(TREE, index, size) == proof
    verify_inclusion(LEAVES[index], index, size, proof, ROOTS[size])
    assert root_from_inclusion(LEAVES[index], index, size, proof) == ROOTS[size]


@pytest.mark.parametrize(("size1", "size2", "coords"), KNOWN_CONSISTENCY)
def test_known_consistency_proofs(size1: int, size2: int, coords: list[tuple[int, int]]) -> None:
    proof = _nodes(coords)
    assert consistency_proof(TREE, size1, size2) == proof
    verify_consistency(size1, size2, proof, ROOTS[size1], ROOTS[size2])


InclusionArgs = tuple[bytes, int, int, list[bytes], bytes]


def _inclusion_mutations(args: InclusionArgs) -> dict[str, InclusionArgs]:
    """Return named corruptions of a valid inclusion proof; each must be rejected."""
    # No "size + 1": sizes with the same path shape (leaf 1 of 5 or of 6) accept the
    # same proof against the same root; it is the signed checkpoint that binds a root
    # to its size, not the proof.
    leaf, index, size, proof, root = args
    out: dict[str, InclusionArgs] = {
        "index-1": (leaf, index - 1, size, proof, root),
        "index+1": (leaf, index + 1, size, proof, root),
        "index^2": (leaf, index ^ 2, size, proof, root),
        "size*2": (leaf, index, size * 2, proof, root),
        "size//2": (leaf, index, size // 2, proof, root),
        "wrong leaf": (leaf_hash(b"wrong"), index, size, proof, root),
        "short leaf": (b"WrongLeaf", index, size, proof, root),
        "empty root": (leaf, index, size, proof, EMPTY_ROOT),
        "other root": (leaf, index, size, proof, OTHER_HASH),
        "trailing garbage": (leaf, index, size, [*proof, b""], root),
        "trailing root": (leaf, index, size, [*proof, root], root),
        "preceding garbage": (leaf, index, size, [b"", *proof], root),
        "preceding root": (leaf, index, size, [root, *proof], root),
    }
    for i in range(len(proof)):
        out[f"flip proof[{i}]"] = (leaf, index, size, _flip(proof, i), root)
    if proof:
        out["dropped last"] = (leaf, index, size, proof[:-1], root)
    if len(proof) > 1:
        out["inserted"] = (leaf, index, size, [proof[0], OTHER_HASH, *proof[1:]], root)
    return out


def _inclusion_cases() -> list[Any]:
    """Return pytest params: every corruption of every known inclusion proof."""
    cases = []
    for index, size, coords in KNOWN_INCLUSION:
        valid = (LEAVES[index], index, size, _nodes(coords), ROOTS[size])
        for name, args in _inclusion_mutations(valid).items():
            cases.append(pytest.param(args, id=f"{index}/{size}:{name}"))
    return cases


@pytest.mark.parametrize("args", _inclusion_cases())
def test_mutated_inclusion_proofs_raise(args: InclusionArgs) -> None:
    with pytest.raises(VerificationError):
        verify_inclusion(*args)


ConsistencyArgs = tuple[int, int, list[bytes], bytes, bytes]


def _consistency_mutations(args: ConsistencyArgs) -> dict[str, ConsistencyArgs]:
    """Return named corruptions of a valid, non-trivial consistency proof."""
    size1, size2, proof, root1, root2 = args
    out: dict[str, ConsistencyArgs] = {
        "size1-1": (size1 - 1, size2, proof, root1, root2),
        "size1+1": (size1 + 1, size2, proof, root1, root2),
        "size1^2": (size1 ^ 2, size2, proof, root1, root2),
        "size2*2": (size1, size2 * 2, proof, root1, root2),
        "size2//2": (size1, size2 // 2, proof, root1, root2),
        "wrong root1": (size1, size2, proof, OTHER_HASH, root2),
        "wrong root2": (size1, size2, proof, root1, OTHER_HASH),
        "short root1": (size1, size2, proof, b"WrongRoot", root2),
        "swapped roots": (size1, size2, proof, root2, root1),
        "empty proof": (size1, size2, [], root1, root2),
        "trailing garbage": (size1, size2, [*proof, b""], root1, root2),
        "trailing root1": (size1, size2, [*proof, root1], root1, root2),
        "trailing root2": (size1, size2, [*proof, root2], root1, root2),
        "preceding garbage": (size1, size2, [b"", *proof], root1, root2),
        "preceding root1": (size1, size2, [root1, *proof], root1, root2),
        "preceding root2": (size1, size2, [root2, *proof], root1, root2),
        "preceding proof[0]": (size1, size2, [proof[0], *proof], root1, root2),
        "truncated": (size1, size2, proof[:-1], root1, root2),
    }
    for i in range(len(proof)):
        out[f"flip proof[{i}]"] = (size1, size2, _flip(proof, i), root1, root2)
    return out


def _consistency_cases() -> list[Any]:
    """Return pytest params: each corruption of each non-trivial consistency proof."""
    cases = []
    for size1, size2, coords in KNOWN_CONSISTENCY:
        if size1 == size2:
            continue
        valid = (size1, size2, _nodes(coords), ROOTS[size1], ROOTS[size2])
        for name, args in _consistency_mutations(valid).items():
            cases.append(pytest.param(args, id=f"{size1}/{size2}:{name}"))
    return cases


@pytest.mark.parametrize("args", _consistency_cases())
def test_mutated_consistency_proofs_raise(args: ConsistencyArgs) -> None:
    with pytest.raises(VerificationError):
        verify_consistency(*args)


def test_every_proof_over_the_vector_tree_verifies() -> None:
    for size in range(1, 9):
        for index in range(size):
            proof = inclusion_proof(TREE, index, size)
            verify_inclusion(LEAVES[index], index, size, proof, ROOTS[size])
        for size1 in range(1, size + 1):
            proof = consistency_proof(TREE, size1, size)
            verify_consistency(size1, size, proof, ROOTS[size1], ROOTS[size])


BAD_CALLS: list[tuple[str, Callable[[], None]]] = [
    ("index == size", lambda: verify_inclusion(LEAVES[0], 1, 1, [], LEAVES[0])),
    ("index > size", lambda: verify_inclusion(LEAVES[0], 2, 1, [], LEAVES[0])),
    ("negative index", lambda: verify_inclusion(LEAVES[0], -1, 1, [], LEAVES[0])),
    ("size 0", lambda: verify_inclusion(LEAVES[0], 0, 0, [], EMPTY_ROOT)),
    ("short root", lambda: verify_inclusion(LEAVES[0], 0, 1, [], b"")),
    ("long leaf", lambda: verify_inclusion(LEAVES[0] + b"\0", 0, 1, [], LEAVES[0])),
    ("size1 > size2", lambda: verify_consistency(2, 1, [], ROOTS[2], ROOTS[1])),
    (
        "equal sizes, roots differ",
        lambda: verify_consistency(1, 1, [], ROOTS[1], ROOTS[2]),
    ),
    (
        "equal sizes, proof",
        lambda: verify_consistency(1, 1, [ROOTS[1]], ROOTS[1], ROOTS[1]),
    ),
    ("0 == size1 < size2", lambda: verify_consistency(0, 1, [], EMPTY_ROOT, ROOTS[1])),
    ("negative size1", lambda: verify_consistency(-1, 1, [], EMPTY_ROOT, ROOTS[1])),
    (
        "short proof hash",
        lambda: verify_consistency(1, 2, [b"\1" * 31], ROOTS[1], ROOTS[2]),
    ),
]


@pytest.mark.parametrize("call", [c for _, c in BAD_CALLS], ids=[n for n, _ in BAD_CALLS])
def test_precondition_violations_raise(call: Callable[[], None]) -> None:
    with pytest.raises(VerificationError):
        call()


def test_trivial_consistency_accepts() -> None:
    verify_consistency(0, 0, [], EMPTY_ROOT, EMPTY_ROOT)
    verify_consistency(8, 8, [], ROOTS[8], ROOTS[8])


def test_errors_report_expected_and_computed_in_hex() -> None:
    proof = _nodes(KNOWN_INCLUSION[1][2])
    with pytest.raises(VerificationError) as caught:
        verify_inclusion(LEAVES[0], 0, 8, proof, ROOTS[7])
    assert caught.value.expected == ROOTS[7]
    assert caught.value.computed == ROOTS[8]
    assert ROOTS[7].hex() in str(caught.value) and ROOTS[8].hex() in str(caught.value)


def test_consistency_error_names_the_bad_root() -> None:
    proof = _nodes(KNOWN_CONSISTENCY[2][2])
    assert roots_from_consistency(6, 8, proof, ROOTS[6]) == (ROOTS[6], ROOTS[8])
    with pytest.raises(VerificationError) as caught:
        verify_consistency(6, 8, proof, ROOTS[6], ROOTS[7])
    assert (caught.value.expected, caught.value.computed) == (ROOTS[7], ROOTS[8])
    assert "size 8" in str(caught.value)
