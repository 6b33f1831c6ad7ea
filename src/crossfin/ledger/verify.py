"""Verification of Merkle inclusion and consistency proofs (RFC 9162 2.1.3.2, 2.1.4.2).

Every function raises VerificationError on failure and never returns False, so a
forgotten check cannot silently pass. Proof lengths are checked before any hashing:
the expected length follows from the sizes alone, which bounds the work an
attacker-supplied proof can cause and gives a clearer message than a root mismatch.
"""

from __future__ import annotations

from collections.abc import Sequence

from crossfin.ledger.errors import VerificationError
from crossfin.ledger.rfc6962 import HASH_SIZE, node_hash


def _require_hash(name: str, value: bytes) -> None:
    """Raise unless value is a 32-byte SHA-256 hash."""
    if len(value) != HASH_SIZE:
        raise VerificationError(f"{name} is {len(value)} bytes, expected {HASH_SIZE}")


def _require_proof_hashes(proof: Sequence[bytes]) -> None:
    """Raise unless every proof element is a 32-byte hash."""
    for i, element in enumerate(proof):
        _require_hash(f"proof[{i}]", element)


def inclusion_proof_length(index: int, size: int) -> int:
    """Return how many hashes an inclusion proof has; requires 0 <= index < size."""
    # Below the level where the paths to `index` and to the last leaf split, the
    # path has one sibling per level ("inner"); above it, only the levels where
    # `index` is a right child contribute a left sibling ("border").
    inner = (index ^ (size - 1)).bit_length()
    return inner + (index >> inner).bit_count()


def consistency_proof_length(size1: int, size2: int) -> int:
    """Return how many hashes a consistency proof has; requires 0 < size1 < size2."""
    # The proof is an inclusion proof of the node holding the last leaf of the
    # old tree, taken at the lowest level where that node is complete.
    shift = (size1 & -size1).bit_length() - 1
    first = (size1 - 1) >> shift
    last = (size2 - 1) >> shift
    inner = (first ^ last).bit_length()
    seed = 0 if first == 0 else 1  # an old tree of 2**k leaves is its own seed
    return seed + inner + (first >> inner).bit_count()


def root_from_inclusion(leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes]) -> bytes:
    """Return the root the inclusion proof leads to; requires 0 <= index < size."""
    _require_hash("leaf hash", leaf_hash)
    _require_proof_hashes(proof)
    if not 0 <= index < size:
        raise VerificationError(f"leaf index {index} is outside a tree of size {size}")
    want = inclusion_proof_length(index, size)
    if len(proof) != want:
        raise VerificationError(
            f"inclusion proof for leaf {index} of {size} has {len(proof)} hashes, needs {want}"
        )
    fn, sn, acc = index, size - 1, leaf_hash
    for element in proof:
        if fn & 1 or fn == sn:
            acc = node_hash(element, acc)
            # On the right edge the node may have been promoted: skip levels
            # where it had no sibling.
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            acc = node_hash(acc, element)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:  # cannot happen after the length check; kept as a guard
        raise VerificationError("inclusion proof ended below the root")
    return acc


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Raise VerificationError unless leaf `index` of the `size` tree `root` is proved.

    Requires 0 <= index < size and 32-byte hashes (violations raise too).
    """
    _require_hash("root", root)
    computed = root_from_inclusion(leaf_hash, index, size, proof)
    if computed != root:
        raise VerificationError(
            f"inclusion proof for leaf {index} of {size} gives a different root",
            expected=root,
            computed=computed,
        )


def roots_from_consistency(
    size1: int, size2: int, proof: Sequence[bytes], root1: bytes
) -> tuple[bytes, bytes]:
    """Return (old root, new root) recomputed from proof; requires 0 < size1 < size2."""
    _require_hash("first root", root1)
    _require_proof_hashes(proof)
    if not 0 < size1 < size2:
        raise VerificationError(f"no consistency proof exists from size {size1} to {size2}")
    want = consistency_proof_length(size1, size2)
    if len(proof) != want:
        raise VerificationError(
            f"consistency proof from {size1} to {size2} has {len(proof)} hashes, needs {want}"
        )
    path = list(proof)
    if size1 & (size1 - 1) == 0:
        path.insert(0, root1)  # the old tree is a complete subtree of the new one
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    old = new = path[0]
    for element in path[1:]:
        if fn & 1 or fn == sn:
            old, new = node_hash(element, old), node_hash(element, new)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            # Right of the old tree: only the new root grows.
            new = node_hash(new, element)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:  # cannot happen after the length check; kept as a guard
        raise VerificationError("consistency proof ended below the root")
    return old, new


def verify_consistency(
    size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes
) -> None:
    """Raise VerificationError unless tree (size2, root2) extends tree (size1, root1).

    Requires 0 < size1 <= size2; size1 == size2 needs an empty proof and equal roots.
    An empty old tree is consistent with anything, so callers handle size 0 themselves.
    """
    _require_hash("first root", root1)
    _require_hash("second root", root2)
    _require_proof_hashes(proof)
    if size1 < 0 or size1 > size2:
        raise VerificationError(f"tree size went from {size1} to {size2}")
    if size1 == size2:
        if proof:
            raise VerificationError(f"equal sizes {size1} need an empty proof, got {len(proof)}")
        if root1 != root2:
            raise VerificationError(
                f"two roots for tree size {size1}", expected=root1, computed=root2
            )
        return
    if size1 == 0:
        raise VerificationError(f"consistency from an empty tree to {size2} is not proved")
    old, new = roots_from_consistency(size1, size2, proof, root1)
    if old != root1:
        raise VerificationError(
            f"consistency proof gives a different root for size {size1}",
            expected=root1,
            computed=old,
        )
    if new != root2:
        raise VerificationError(
            f"consistency proof gives a different root for size {size2}",
            expected=root2,
            computed=new,
        )
