"""Merkle tree hashing of RFC 6962 / RFC 9162 section 2.1, with SHA-256.

The leaf and node prefixes (0x00, 0x01) keep a leaf from ever being confused
with an interior node, which is what makes second-preimage attacks fail.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

HASH_SIZE = 32
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"

# MTH({}) = SHA-256 of the empty string (RFC 9162 2.1.1).
EMPTY_ROOT: bytes = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    """Return SHA-256(0x00 || data): the hash of one log entry."""
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Return SHA-256(0x01 || left || right); children are normally 32-byte hashes."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def fold_subtrees(hashes: Sequence[bytes]) -> bytes:
    """Return the hash of adjacent complete subtrees given left to right, largest first.

    Requires the subtrees to be the decomposition RFC 9162 MTH would make of the range
    (largest first); the ragged right edge of a tree is hashed from right to left.
    """
    if not hashes:
        return EMPTY_ROOT
    acc = hashes[-1]
    for left in reversed(hashes[:-1]):
        acc = node_hash(left, acc)
    return acc


def root_hash(leaf_hashes: Iterable[bytes]) -> bytes:
    """Return MTH(D[0:n]) of RFC 9162 2.1.1 from the n leaf hashes (not the entries)."""
    # A stack of (level, hash) holding the right edge: merging equal levels as
    # leaves arrive builds every complete subtree once, so the work is O(n) and
    # the memory O(log n).
    stack: list[tuple[int, bytes]] = []
    for current in leaf_hashes:
        level = 0
        while stack and stack[-1][0] == level:
            current = node_hash(stack.pop()[1], current)
            level += 1
        stack.append((level, current))
    return fold_subtrees([h for _, h in stack])
