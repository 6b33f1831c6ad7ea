"""Proof generation from stored complete-subtree hashes, without recomputing the tree.

A node id `(level, n)` names the complete subtree of 2**level leaves that starts at
leaf n * 2**level (level 0: the leaf hashes). Storage keeps every complete subtree
hash, which is exactly what C2SP tlog tiles serve. Every hash a proof needs is the
hash of a node of the RFC 9162 tree: either a complete subtree, or a node on the
ragged right edge, which is folded from the complete subtrees that make it up.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from crossfin.ledger.rfc6962 import EMPTY_ROOT, HASH_SIZE, fold_subtrees, node_hash, root_hash

NodeId = tuple[int, int]
Range = tuple[int, int]


class HashReader(Protocol):
    """Anything that can return stored complete-subtree hashes."""

    def read_hashes(self, ids: Sequence[NodeId]) -> list[bytes]:
        """Return the hashes of `ids` in order; raise KeyError for any not stored."""
        ...


def _largest_split(count: int) -> int:
    """Return the largest power of two strictly below count; requires count >= 2."""
    return 1 << ((count - 1).bit_length() - 1)


def subtree_ids(begin: int, end: int) -> list[NodeId]:
    """Return the maximal aligned complete subtrees covering leaves [begin, end).

    Requires 0 <= begin <= end. Folding their hashes gives MTH(D[begin:end]) when the
    range is a node of the RFC 9162 tree (begin aligned to the enclosing power of 2);
    for such ranges the ids, listed left to right, shrink strictly.
    """
    ids: list[NodeId] = []
    while begin < end:
        level = (end - begin).bit_length() - 1
        if begin:
            level = min(level, (begin & -begin).bit_length() - 1)
        ids.append((level, begin >> level))
        begin += 1 << level
    return ids


def right_edge_ids(size: int) -> list[NodeId]:
    """Return the complete subtrees making up a tree of size >= 0, largest first."""
    return subtree_ids(0, size)


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """Return the leaf ranges whose hashes form PATH(index, D[0:size]), bottom up.

    Each range is a node of the RFC 9162 tree; its MTH is one hash of the proof, the
    leaf's sibling first.
    """
    ranges: list[Range] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = _largest_split(hi - lo)
        if index < lo + k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo += k
    ranges.reverse()  # walked top down, but proofs list the leaf's sibling first
    return ranges


def inclusion_path(leaf_hashes: Sequence[bytes], index: int) -> list[bytes]:
    """PATH(index, D) of RFC 9162 over a small tree held in memory (e.g. one request's
    items), leaf's sibling first; requires 0 <= index < len(leaf_hashes)."""
    if not 0 <= index < len(leaf_hashes):
        raise ValueError(f"leaf {index} is outside a tree of {len(leaf_hashes)}")
    return [root_hash(leaf_hashes[lo:hi]) for lo, hi in inclusion_ranges(index, len(leaf_hashes))]


def _consistency_ranges(size1: int, size2: int) -> list[Range]:
    """Return the leaf ranges forming PROOF(size1, D[0:size2]); 0 < size1 < size2."""
    # SUBPROOF(m, D[lo:hi], whole) of RFC 9162 2.1.4.1, unrolled: each step
    # appends the sibling subtree; `whole` stays true while the old tree is the
    # whole left part, whose root the verifier already has.
    stack: list[Range] = []
    lo, hi, m, whole = 0, size2, size1, True
    while m < hi - lo:
        k = _largest_split(hi - lo)
        if m <= k:
            stack.append((lo + k, hi))
            hi = lo + k
        else:
            stack.append((lo, lo + k))
            lo, m, whole = lo + k, m - k, False
    head = [] if whole else [(lo, hi)]
    return head + stack[::-1]


def _hash_ranges(reader: HashReader, ranges: Sequence[Range]) -> list[bytes]:
    """Return MTH of each range (each a node of the tree) with one batched read."""
    per_range = [subtree_ids(begin, end) for begin, end in ranges]
    wanted = list(dict.fromkeys(i for ids in per_range for i in ids))
    if not wanted:
        return []
    got = reader.read_hashes(wanted)
    if len(got) != len(wanted):
        raise ValueError(f"hash reader returned {len(got)} hashes for {len(wanted)} ids")
    table = dict(zip(wanted, got, strict=True))
    return [fold_subtrees([table[i] for i in ids]) for ids in per_range]


def tree_root(reader: HashReader, size: int) -> bytes:
    """Return MTH(D[0:size]); requires size >= 0 and the reader to hold that tree."""
    if size < 0:
        raise ValueError(f"tree size {size} is negative")
    if size == 0:
        return EMPTY_ROOT
    return _hash_ranges(reader, [(0, size)])[0]


def inclusion_proof(reader: HashReader, index: int, size: int) -> list[bytes]:
    """Return the RFC 9162 inclusion proof of leaf `index`; 0 <= index < size."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is outside a tree of size {size}")
    return _hash_ranges(reader, inclusion_ranges(index, size))


def consistency_proof(reader: HashReader, size1: int, size2: int) -> list[bytes]:
    """Return the RFC 9162 consistency proof; requires 0 < size1 <= size2.

    Equal sizes give an empty proof. An empty old tree has no proof (it is consistent
    with everything), so size1 == 0 < size2 raises ValueError.
    """
    if size1 < 0 or size1 > size2:
        raise ValueError(f"no consistency proof from size {size1} to {size2}")
    if size1 == size2:
        return []
    if size1 == 0:
        raise ValueError("no consistency proof from an empty tree; handle size 0 first")
    return _hash_ranges(reader, _consistency_ranges(size1, size2))


@dataclass(frozen=True, slots=True)
class AppendResult:
    """What appending a batch of leaves produced."""

    # Every new complete subtree, children before parents.
    hashes: list[tuple[NodeId, bytes]]
    # The hashes of right_edge_ids(size), enough to append the next batch.
    right_edge: list[bytes]
    size: int
    root: bytes


def append_to_edge(
    right_edge: Sequence[bytes], new_leaf_hashes: Iterable[bytes], start_index: int
) -> AppendResult:
    """Append leaves to a tree of `start_index` leaves known only by its right edge.

    Requires right_edge to hold the hashes of right_edge_ids(start_index) in order,
    and every new leaf hash to be 32 bytes. Only O(log n) stored hashes are needed.
    """
    ids = right_edge_ids(start_index)
    if len(right_edge) != len(ids):
        raise ValueError(
            f"a tree of {start_index} leaves has {len(ids)} right-edge hashes,"
            f" got {len(right_edge)}"
        )
    # The right edge as a stack of strictly shrinking subtrees: a new leaf merges
    # with its left neighbour while they are the same size, exactly as a binary
    # counter carries.
    stack = [(level, n, h) for (level, n), h in zip(ids, right_edge, strict=True)]
    created: list[tuple[NodeId, bytes]] = []
    size = start_index
    for current in new_leaf_hashes:
        if len(current) != HASH_SIZE:
            raise ValueError(f"leaf hash {size} is {len(current)} bytes, expected {HASH_SIZE}")
        level, n = 0, size
        created.append(((level, n), current))
        while stack and stack[-1][0] == level:
            current = node_hash(stack.pop()[2], current)
            level, n = level + 1, n >> 1
            created.append(((level, n), current))
        stack.append((level, n, current))
        size += 1
    edge = [h for _, _, h in stack]
    return AppendResult(created, edge, size, fold_subtrees(edge))


def new_subtree_hashes(
    right_edge: Sequence[bytes], new_leaf_hashes: Iterable[bytes], start_index: int
) -> list[tuple[NodeId, bytes]]:
    """Return the ((level, n), hash) rows an append creates; as append_to_edge."""
    return append_to_edge(right_edge, new_leaf_hashes, start_index).hashes


class MemoryTree:
    """An in-memory log keeping every complete subtree hash; implements HashReader."""

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        """Start a tree, optionally with 32-byte leaf hashes."""
        self._levels: list[list[bytes]] = []
        self._edge: list[bytes] = []
        self._size = 0
        self.extend(leaf_hashes)

    @property
    def size(self) -> int:
        """Return the number of leaves."""
        return self._size

    def append(self, leaf_hash: bytes) -> int:
        """Append one 32-byte leaf hash and return its index."""
        self.extend([leaf_hash])
        return self._size - 1

    def extend(self, leaf_hashes: Iterable[bytes]) -> None:
        """Append 32-byte leaf hashes in order."""
        result = append_to_edge(self._edge, leaf_hashes, self._size)
        for (level, n), value in result.hashes:
            if level == len(self._levels):
                self._levels.append([])
            # Rows arrive in index order per level, so appending keeps row n at n.
            assert len(self._levels[level]) == n, "subtree hashes out of order"
            self._levels[level].append(value)
        self._edge, self._size = result.right_edge, result.size

    def read_hashes(self, ids: Sequence[NodeId]) -> list[bytes]:
        """Return stored hashes for `ids`; raise KeyError for an incomplete subtree."""
        out: list[bytes] = []
        for level, n in ids:
            if not (0 <= level < len(self._levels) and 0 <= n < len(self._levels[level])):
                raise KeyError((level, n))
            out.append(self._levels[level][n])
        return out

    def root(self) -> bytes:
        """Return the current root hash (EMPTY_ROOT for an empty tree)."""
        return fold_subtrees(self._edge)
