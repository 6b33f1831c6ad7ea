"""C2SP tlog-tiles v0.1.0: tile paths and contents (height 8, 256 hashes per full tile).

Tile (L, N) lists the hashes at tree level 8*L of the complete subtrees numbered
N*256 .. N*256+255, i.e. stored node ids (8*L, N*256 + i). A partial tile lists
only the first W of them, the ones complete at some tree size.
"""

from __future__ import annotations

import re

from crossfin.ledger.errors import EntryBundleNotServed, TileNotAvailable
from crossfin.ledger.proofs import HashReader, NodeId

TILE_HEIGHT = 8
FULL_WIDTH = 1 << TILE_HEIGHT
MAX_LEVEL = 63
# Indices beyond 64-bit tree sizes cannot name anything; the cap also bounds the
# path length a client can make us parse.
_MAX_LEAVES = 1 << 64
_MAX_PATH = 64

_LEVEL = re.compile(r"0|[1-9][0-9]?", re.ASCII)
_INDEX_AND_WIDTH = re.compile(
    r"(?P<upper>(?:x[0-9]{3}/)*)(?P<last>[0-9]{3})(?:\.p/(?P<width>[1-9][0-9]{0,2}))?",
    re.ASCII,
)


def _check_tile(level: int, index: int, width: int) -> None:
    """Raise ValueError unless level 0..63, index >= 0, width 1..256, inside 64 bits."""
    if not 0 <= level <= MAX_LEVEL:
        raise ValueError(f"tile level {level} is outside 0..{MAX_LEVEL}")
    if index < 0:
        raise ValueError(f"tile index {index} is negative")
    if index * FULL_WIDTH << (TILE_HEIGHT * level) >= _MAX_LEAVES:
        raise ValueError(f"tile {index} at level {level} is beyond any 64-bit tree")
    if not 1 <= width <= FULL_WIDTH:
        raise ValueError(f"tile width {width} is outside 1..{FULL_WIDTH}")


def encode_index(index: int) -> str:
    """Return index as zero-padded 3-digit elements, all but the last prefixed `x`."""
    if index < 0:
        raise ValueError(f"tile index {index} is negative")
    groups = []
    while True:
        index, group = divmod(index, 1000)
        groups.append(f"{group:03d}")
        if index == 0:
            break
    groups.reverse()
    return "/".join([f"x{g}" for g in groups[:-1]] + [groups[-1]])


def tile_path(level: int, index: int, width: int = FULL_WIDTH) -> str:
    """Return `tile/<L>/<N>[.p/<W>]`; level 0..63, index >= 0, width 1..256."""
    _check_tile(level, index, width)
    suffix = "" if width == FULL_WIDTH else f".p/{width}"
    return f"tile/{level}/{encode_index(index)}{suffix}"


def _parse_index_and_width(text: str) -> tuple[int, int]:
    """Parse the canonical `<N>[.p/<W>]` part of a tile path, or raise ValueError."""
    match = _INDEX_AND_WIDTH.fullmatch(text)
    if match is None:
        raise ValueError(f"malformed tile index {text!r}")
    upper = [g[1:] for g in match["upper"].split("/") if g]
    if upper and upper[0] == "000":
        # x000/... would be a second spelling of a smaller index.
        raise ValueError(f"tile index {text!r} has a leading zero group")
    index = int("".join(upper) + match["last"])
    width = FULL_WIDTH
    if match["width"] is not None:
        width = int(match["width"])
        if width >= FULL_WIDTH:  # a full tile is spelled without `.p/256`
            raise ValueError(f"partial tile width {width} must be 1..{FULL_WIDTH - 1}")
    if index >= _MAX_LEAVES:
        raise ValueError(f"tile index {index} is beyond any 64-bit tree")
    return index, width


def parse_tile_path(path: str) -> tuple[int, int, int]:
    """Return (level, index, width) of a canonical `tile/<L>/<N>[.p/<W>]` path.

    Raises ValueError for anything malformed or non-canonical, and EntryBundleNotServed
    (a LookupError, not a ValueError) for a well-formed `tile/entries/...` path.
    """
    if len(path) > _MAX_PATH:
        raise ValueError("tile path too long")
    head, sep, rest = path.partition("/")
    level_text, sep2, rest = rest.partition("/")
    if head != "tile" or not sep or not sep2:
        raise ValueError(f"not a tile path: {path!r}")
    if level_text == "entries":
        index, width = _parse_index_and_width(rest)
        raise EntryBundleNotServed(index, width)
    if _LEVEL.fullmatch(level_text) is None or int(level_text) > MAX_LEVEL:
        raise ValueError(f"bad tile level {level_text!r}")
    level = int(level_text)
    index, width = _parse_index_and_width(rest)
    _check_tile(level, index, width)
    return level, index, width


def tile_hash_ids(level: int, index: int, width: int) -> list[NodeId]:
    """Return the stored node ids making up tile (level, index) of `width` hashes."""
    _check_tile(level, index, width)
    first = index * FULL_WIDTH
    return [(TILE_HEIGHT * level, first + i) for i in range(width)]


def tile_width_at(level: int, index: int, tree_size: int) -> int:
    """Return how many hashes (0..256) tile (level, index) has at tree_size leaves."""
    # Number of complete subtrees at tree level 8*level.
    complete = tree_size >> (TILE_HEIGHT * level)
    return max(0, min(FULL_WIDTH, complete - index * FULL_WIDTH))


def tile_bytes(reader: HashReader, level: int, index: int, width: int, tree_size: int) -> bytes:
    """Return the tile's concatenated 32-byte hashes; width <= what tree_size holds.

    Any width up to the available one is served, because clients ask for partial
    tiles of sizes that were current when they saw an older checkpoint.
    Raises TileNotAvailable when the tree of tree_size does not have that many hashes.
    """
    _check_tile(level, index, width)
    available = tile_width_at(level, index, tree_size)
    if width > available:
        raise TileNotAvailable(
            f"tile {tile_path(level, index, width)} needs {width} hashes;"
            f" a tree of {tree_size} leaves has {available}"
        )
    return b"".join(reader.read_hashes(tile_hash_ids(level, index, width)))
