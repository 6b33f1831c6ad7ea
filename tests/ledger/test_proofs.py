"""Proof generation from stored subtree hashes, against a naive RFC 9162 reference."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crossfin.ledger import leaf_hash, root_hash, verify_consistency, verify_inclusion
from crossfin.ledger.proofs import (
    MemoryTree,
    NodeId,
    append_to_edge,
    consistency_proof,
    inclusion_proof,
    inclusion_ranges,
    new_subtree_hashes,
    right_edge_ids,
    subtree_ids,
    tree_root,
)
from crossfin.ledger.rfc6962 import EMPTY_ROOT, node_hash

MAX_SIZE = 300
LEAVES = [leaf_hash(i.to_bytes(4, "big")) for i in range(MAX_SIZE)]
BIG_TREE = MemoryTree(LEAVES)


# --- A deliberately naive, recursive transcription of RFC 9162 2.1 -------------


def _split(n: int) -> int:
    """Return the largest power of two strictly below n (n >= 2)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def ref_mth(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) of RFC 9162 2.1.1, over leaf hashes."""
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0]
    k = _split(len(leaves))
    return node_hash(ref_mth(leaves[:k]), ref_mth(leaves[k:]))


def ref_path(m: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]) of RFC 9162 2.1.3.1."""
    if len(leaves) == 1:
        return []
    k = _split(len(leaves))
    if m < k:
        return [*ref_path(m, leaves[:k]), ref_mth(leaves[k:])]
    return [*ref_path(m - k, leaves[k:]), ref_mth(leaves[:k])]


def ref_subproof(m: int, leaves: Sequence[bytes], whole: bool) -> list[bytes]:
    """SUBPROOF(m, D[n], b) of RFC 9162 2.1.4.1."""
    if m == len(leaves):
        return [] if whole else [ref_mth(leaves)]
    k = _split(len(leaves))
    if m <= k:
        return [*ref_subproof(m, leaves[:k], whole), ref_mth(leaves[k:])]
    return [*ref_subproof(m - k, leaves[k:], False), ref_mth(leaves[:k])]


# --- A reader that pins a tree size and counts batched reads -------------------


class SizedReader:
    """Serves BIG_TREE as it was at `size`: refuses subtrees not complete then."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.calls: list[list[NodeId]] = []

    def read_hashes(self, ids: Sequence[NodeId]) -> list[bytes]:
        self.calls.append(list(ids))
        for level, n in ids:
            if (n + 1) << level > self.size:
                raise KeyError((level, n))
        return BIG_TREE.read_hashes(ids)


def _check_inclusion(index: int, size: int) -> None:
    reader = SizedReader(size)
    proof = inclusion_proof(reader, index, size)
    assert proof == ref_path(index, LEAVES[:size])
    assert len(reader.calls) <= 1  # one batched read per proof
    verify_inclusion(LEAVES[index], index, size, proof, root_hash(LEAVES[:size]))


def _check_consistency(size1: int, size2: int) -> None:
    reader = SizedReader(size2)
    proof = consistency_proof(reader, size1, size2)
    assert proof == ref_subproof(size1, LEAVES[:size2], True)
    assert len(reader.calls) <= 1
    verify_consistency(size1, size2, proof, root_hash(LEAVES[:size1]), root_hash(LEAVES[:size2]))


@pytest.mark.parametrize("size", range(1, 34))
def test_all_small_proofs_match_the_reference(size: int) -> None:
    assert tree_root(SizedReader(size), size) == ref_mth(LEAVES[:size])
    for index in range(size):
        _check_inclusion(index, size)
    for size1 in range(1, size + 1):
        _check_consistency(size1, size)


@pytest.mark.parametrize("size", range(1, 34))
def test_inclusion_ranges_hash_to_the_reference_path(size: int) -> None:
    # What documents.versions streams from a batch's lines, range by range.
    for index in range(size):
        path = [root_hash(LEAVES[lo:hi]) for lo, hi in inclusion_ranges(index, size)]
        assert path == ref_path(index, LEAVES[:size])


@settings(max_examples=200, deadline=None)
@given(data=st.data(), size=st.integers(min_value=1, max_value=MAX_SIZE))
def test_generated_proofs_verify_and_match_the_reference(data: st.DataObject, size: int) -> None:
    index = data.draw(st.integers(min_value=0, max_value=size - 1), label="index")
    size1 = data.draw(st.integers(min_value=1, max_value=size), label="size1")
    assert root_hash(LEAVES[:size]) == ref_mth(LEAVES[:size])
    assert tree_root(SizedReader(size), size) == root_hash(LEAVES[:size])
    _check_inclusion(index, size)
    _check_consistency(size1, size)


@settings(max_examples=100, deadline=None)
@given(batches=st.lists(st.integers(min_value=0, max_value=40), max_size=12))
def test_batched_appends_create_every_subtree_once(batches: list[int]) -> None:
    store: dict[NodeId, bytes] = {}
    size = 0
    for count in batches:
        count = min(count, MAX_SIZE - size)
        edge = [store[i] for i in right_edge_ids(size)]  # all a database needs to fetch
        result = append_to_edge(edge, LEAVES[size : size + count], size)
        for node_id, value in result.hashes:
            assert node_id not in store
            store[node_id] = value
        size += count
        assert result.size == size
        assert result.root == root_hash(LEAVES[:size])
        assert result.right_edge == [store[i] for i in right_edge_ids(size)]
    expected = {i: v for i, v in _all_complete_subtrees(size)}
    assert store == expected


def _all_complete_subtrees(size: int) -> list[tuple[NodeId, bytes]]:
    """Return every complete subtree of the first `size` leaves, hashed naively."""
    out = []
    level = 0
    while (1 << level) <= size:
        width = 1 << level
        for n in range(size // width):
            out.append(((level, n), ref_mth(LEAVES[n * width : (n + 1) * width])))
        level += 1
    return out


def test_memory_tree_matches_naive_subtrees() -> None:
    tree = MemoryTree()
    for i, leaf in enumerate(LEAVES[:70]):
        assert tree.append(leaf) == i
    for node_id, value in _all_complete_subtrees(70):
        assert tree.read_hashes([node_id]) == [value]
    assert tree.size == 70 and tree.root() == ref_mth(LEAVES[:70])


def test_new_subtree_hashes_lists_children_before_parents() -> None:
    rows = new_subtree_hashes([LEAVES[0]], LEAVES[1:4], 1)
    assert [i for i, _ in rows] == [(0, 1), (1, 0), (0, 2), (0, 3), (1, 1), (2, 0)]
    assert rows[-1][1] == root_hash(LEAVES[:4])


@pytest.mark.parametrize(
    ("size", "ids"),
    [
        (0, []),
        (1, [(0, 0)]),
        (6, [(2, 0), (1, 2)]),
        (7, [(2, 0), (1, 2), (0, 6)]),
        (8, [(3, 0)]),
        (70000, [(16, 0), (12, 16), (8, 272), (6, 1092), (5, 2186), (4, 4374)]),
    ],
)
def test_right_edge_ids(size: int, ids: list[NodeId]) -> None:
    assert right_edge_ids(size) == ids
    assert sum(1 << level for level, _ in ids) == size


def test_subtree_ids_of_an_interior_range() -> None:
    assert subtree_ids(4, 7) == [(1, 2), (0, 6)]
    assert subtree_ids(5, 5) == []


def test_generation_preconditions() -> None:
    with pytest.raises(ValueError):
        inclusion_proof(BIG_TREE, 5, 5)
    with pytest.raises(ValueError):
        inclusion_proof(BIG_TREE, -1, 5)
    with pytest.raises(ValueError):
        consistency_proof(BIG_TREE, 6, 5)
    with pytest.raises(ValueError):
        consistency_proof(BIG_TREE, 0, 5)
    with pytest.raises(ValueError):
        tree_root(BIG_TREE, -1)
    assert consistency_proof(BIG_TREE, 5, 5) == []
    assert consistency_proof(BIG_TREE, 0, 0) == []
    assert tree_root(BIG_TREE, 0) == EMPTY_ROOT


def test_reader_misses_and_bad_input() -> None:
    with pytest.raises(KeyError):
        inclusion_proof(MemoryTree(LEAVES[:4]), 0, 5)  # the tree does not hold size 5
    with pytest.raises(ValueError):
        MemoryTree().append(b"short")
    with pytest.raises(ValueError):
        append_to_edge([], LEAVES[:1], 3)  # size 3 needs two right-edge hashes
