"""C2SP tlog-tiles paths and contents."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crossfin.ledger import leaf_hash, root_hash
from crossfin.ledger.errors import EntryBundleNotServed, TileNotAvailable
from crossfin.ledger.proofs import MemoryTree
from crossfin.ledger.tiles import (
    encode_index,
    parse_tile_path,
    tile_bytes,
    tile_hash_ids,
    tile_path,
    tile_width_at,
)

SIZE = 3 * 256 + 5
LEAVES = [leaf_hash(i.to_bytes(4, "big")) for i in range(SIZE)]
TREE = MemoryTree(LEAVES)


@pytest.mark.parametrize(
    ("level", "index", "width", "path"),
    [
        (0, 1234067, 256, "tile/0/x001/x234/067"),  # the spec's example
        (0, 1234067, 8, "tile/0/x001/x234/067.p/8"),
        (0, 0, 256, "tile/0/000"),
        (0, 999, 1, "tile/0/999.p/1"),
        (2, 1000, 255, "tile/2/x001/000.p/255"),
        (1, 5, 17, "tile/1/005.p/17"),
        (63, 0, 256, "tile/63/000"),
    ],
)
def test_tile_path_round_trip(level: int, index: int, width: int, path: str) -> None:
    assert tile_path(level, index, width) == path
    assert parse_tile_path(path) == (level, index, width)


@given(
    level=st.integers(min_value=0, max_value=4),  # 2**20 tiles stay inside 64 bits
    index=st.integers(min_value=0, max_value=2**20),
    width=st.integers(min_value=1, max_value=256),
)
def test_any_tile_path_round_trips(level: int, index: int, width: int) -> None:
    assert parse_tile_path(tile_path(level, index, width)) == (level, index, width)


@pytest.mark.parametrize(
    "path",
    [
        "tile/0/1",
        "tile/0/0001",
        "tile/00/000",
        "tile/01/000",
        "tile/64/000",
        "tile/-1/000",
        "tile/+1/000",
        "tile/0/x000/001",  # a second spelling of index 1
        "tile/0/001/x234",
        "tile/0/x1/234",
        "tile/0/X001/234",
        "tile/0/x001x/234",
        "tile/0/000.p/0",
        "tile/0/000.p/256",
        "tile/0/000.p/08",
        "tile/0/000.p/",
        "tile/0/000.p",
        "tile/0/000.p/8/",
        "/tile/0/000",
        "tile/0/000/",
        "tile/0/",
        "tile/0",
        "tile/",
        "tiles/0/000",
        " tile/0/000",
        "tile/0/000\n",
        "tile/0/\u0661\u0662\u0663",  # non-ASCII digits
        "tile/8/x001/x234/067",  # beyond any 64-bit tree
        "tile/0/" + "x999/" * 7 + "999",
        "tile/entries/0001",
    ],
)
def test_malformed_tile_paths_are_rejected(path: str) -> None:
    with pytest.raises(ValueError):
        parse_tile_path(path)


def test_entry_bundles_are_a_distinct_not_found() -> None:
    with pytest.raises(EntryBundleNotServed) as caught:
        parse_tile_path("tile/entries/x001/234.p/7")
    assert not isinstance(caught.value, ValueError)
    assert (caught.value.index, caught.value.width) == (1234, 7)


@pytest.mark.parametrize(
    ("level", "index", "width"),
    [(64, 0, 1), (0, -1, 1), (0, 0, 0), (0, 0, 257), (5, 1 << 16, 1)],
)
def test_tile_path_rejects_bad_coordinates(level: int, index: int, width: int) -> None:
    with pytest.raises(ValueError):
        tile_path(level, index, width)


def test_encode_index() -> None:
    assert encode_index(0) == "000"
    assert encode_index(1000) == "x001/000"
    assert encode_index(1234067) == "x001/x234/067"


def test_tile_hash_ids() -> None:
    assert tile_hash_ids(0, 0, 2) == [(0, 0), (0, 1)]
    assert tile_hash_ids(1, 2, 3) == [(8, 512), (8, 513), (8, 514)]


def test_spec_example_tree_of_70000() -> None:
    full = [i for i in range(300) if tile_width_at(0, i, 70000) == 256]
    assert full == list(range(273))
    assert tile_width_at(0, 273, 70000) == 112
    assert tile_width_at(0, 274, 70000) == 0
    assert tile_width_at(1, 0, 70000) == 256
    assert tile_width_at(1, 1, 70000) == 17
    assert tile_width_at(2, 0, 70000) == 1
    assert tile_width_at(3, 0, 70000) == 0


def test_spec_example_tree_of_256() -> None:
    assert tile_width_at(0, 0, 256) == 256
    assert tile_width_at(0, 1, 256) == 0
    assert tile_width_at(1, 0, 256) == 1


def test_level_zero_tiles_hold_leaf_hashes() -> None:
    assert tile_bytes(TREE, 0, 1, 256, SIZE) == b"".join(LEAVES[256:512])
    assert tile_bytes(TREE, 0, 3, 5, SIZE) == b"".join(LEAVES[768:773])
    # Partial tiles of an older tree size stay servable.
    assert tile_bytes(TREE, 0, 0, 3, SIZE) == b"".join(LEAVES[:3])
    assert tile_bytes(TREE, 0, 1, 44, 300) == b"".join(LEAVES[256:300])


def test_level_one_tiles_hold_roots_of_full_level_zero_tiles() -> None:
    data = tile_bytes(TREE, 1, 0, 3, SIZE)
    hashes = [data[i : i + 32] for i in range(0, len(data), 32)]
    assert hashes == [root_hash(LEAVES[i * 256 : (i + 1) * 256]) for i in range(3)]


@pytest.mark.parametrize(
    ("level", "index", "width", "tree_size"),
    [
        (0, 3, 6, SIZE),  # wider than the right edge
        (0, 3, 256, SIZE),  # full tile not there yet
        (0, 4, 1, SIZE),  # beyond the tree
        (1, 0, 4, SIZE),
        (2, 0, 1, SIZE),
        (0, 1, 45, 300),  # wider than at the older size
        (0, 0, 1, 0),
    ],
)
def test_tiles_beyond_the_tree_are_refused(
    level: int, index: int, width: int, tree_size: int
) -> None:
    with pytest.raises(TileNotAvailable):
        tile_bytes(TREE, level, index, width, tree_size)
