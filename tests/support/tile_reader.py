"""A tiled-log client written from C2SP tlog-tiles, signed-note, tlog-checkpoint and RFC 9162.

It deliberately imports nothing from `crossfin`: hashing, tile paths, the checkpoint
format, note signatures and proofs are all re-derived here from the specifications, so
that agreeing with the server means both sides read the specs the same way.
Standard library only, plus `cryptography` for Ed25519.
"""

from __future__ import annotations

import base64
import hashlib
import urllib.request
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

TILE_HEIGHT = 8
TILE_WIDTH = 256  # 2 ** TILE_HEIGHT
EM_DASH = "\u2014"


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def hash_leaf(entry: bytes) -> bytes:
    """RFC 9162 2.1.1: MTH({d}) = SHA-256(0x00 || d)."""
    return sha256(b"\x00" + entry)


def hash_children(left: bytes, right: bytes) -> bytes:
    """RFC 9162 2.1.1: SHA-256(0x01 || MTH(left) || MTH(right))."""
    return sha256(b"\x01" + left + right)


def split_point(n: int) -> int:
    """The largest power of two smaller than n (n > 1), as RFC 9162 splits trees."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def tile_index_path(n: int) -> str:
    """tlog-tiles: zero-padded 3-digit elements, all but the last prefixed with x."""
    parts = []
    while True:
        parts.append(n % 1000)
        n //= 1000
        if n == 0:
            break
    parts.reverse()
    return "/".join([f"x{p:03d}" for p in parts[:-1]] + [f"{parts[-1]:03d}"])


def tile_url_path(level: int, n: int, width: int) -> str:
    return f"tile/{level}/{tile_index_path(n)}" + ("" if width == TILE_WIDTH else f".p/{width}")


@dataclass(frozen=True)
class SignedTreeHead:
    origin: str
    size: int
    root: bytes


def vkey_parts(vkey: str) -> tuple[str, bytes, bytes]:
    """signed-note verifier key `name+hexid+base64(0x01||key)`: (name, key id, public key)."""
    name, key_id, blob = vkey.split("+", 2)
    raw = base64.b64decode(blob)
    if raw[0] != 0x01 or len(raw) != 33:
        raise ValueError("not an Ed25519 note key")
    expected = sha256(name.encode() + b"\n" + raw)[:4]
    if expected != bytes.fromhex(key_id):
        raise ValueError("key id does not match the key")
    return name, expected, raw[1:]


def open_checkpoint(note: str, vkey: str) -> SignedTreeHead:
    """Verify the log's signature on a checkpoint note and parse its first three lines."""
    name, key_id, public = vkey_parts(vkey)
    text, _, signatures = note.rpartition("\n\n")
    text += "\n"
    verified = False
    for line in signatures.rstrip("\n").split("\n"):
        prefix = f"{EM_DASH} {name} "
        if not line.startswith(prefix):
            continue  # other signers (witnesses) are ignored, as the spec says
        blob = base64.b64decode(line[len(prefix) :])
        if blob[:4] != key_id:
            continue
        Ed25519PublicKey.from_public_bytes(public).verify(blob[4:], text.encode())
        verified = True
    if not verified:
        raise ValueError("no signature by the log key")
    origin, size, root = text.split("\n")[:3]
    if origin != name:
        raise ValueError("origin is not the key name")
    return SignedTreeHead(origin, int(size), base64.b64decode(root))


class TileClient:
    """Fetches tiles over HTTP and computes hashes, roots and proofs from them alone."""

    def __init__(self, prefix: str, headers: dict[str, str] | None = None) -> None:
        self.prefix = prefix.rstrip("/")
        self.headers = headers or {}
        self.fetched: list[str] = []
        self._tiles: dict[tuple[int, int], list[bytes]] = {}

    def get(self, path: str) -> bytes:
        request = urllib.request.Request(f"{self.prefix}/{path}", headers=self.headers)
        with urllib.request.urlopen(request, timeout=10) as answer:
            return bytes(answer.read())

    def checkpoint(self, vkey: str) -> SignedTreeHead:
        return open_checkpoint(self.get("checkpoint").decode("utf-8"), vkey)

    def _tile(self, level: int, n: int, tree_size: int) -> list[bytes]:
        """Tile (level, n) as wide as it is in a tree of tree_size entries."""
        width = min(TILE_WIDTH, tree_size // TILE_WIDTH**level - n * TILE_WIDTH)
        cached = self._tiles.get((level, n))
        if cached is None or len(cached) < width:
            path = tile_url_path(level, n, width)
            data = self.get(path)
            self.fetched.append(path)
            if len(data) != 32 * width:
                raise ValueError(f"{path}: {len(data)} bytes, expected {32 * width}")
            cached = [data[i : i + 32] for i in range(0, len(data), 32)]
            self._tiles[(level, n)] = cached
        return cached[:width]

    def subtree(self, start: int, count: int, tree_size: int) -> bytes:
        """MTH(D[start:start+count]) for an aligned power-of-two range inside the tree."""
        if count & (count - 1) or start % count or start + count > tree_size:
            raise ValueError("not an aligned complete subtree")
        level = 0
        while TILE_WIDTH ** (level + 1) <= count:
            level += 1
        unit = TILE_WIDTH**level  # entries per hash at that tile level
        first = start // unit
        hashes = self._tile(level, first // TILE_WIDTH, tree_size)
        offset = first % TILE_WIDTH
        return self._fold(hashes[offset : offset + count // unit])

    @staticmethod
    def _fold(hashes: list[bytes]) -> bytes:
        """MTH of a power-of-two run of equal-size subtree hashes (inside one tile)."""
        while len(hashes) > 1:
            hashes = [hash_children(hashes[i], hashes[i + 1]) for i in range(0, len(hashes), 2)]
        return hashes[0]

    def mth(self, lo: int, hi: int, tree_size: int) -> bytes:
        """RFC 9162 MTH(D[lo:hi]) of a subtree of the tree, split as the RFC splits it."""
        n = hi - lo
        if n == 0:
            return sha256(b"")
        if n & (n - 1) == 0 and lo % n == 0:
            return self.subtree(lo, n, tree_size)
        k = split_point(n)
        return hash_children(self.mth(lo, lo + k, tree_size), self.mth(lo + k, hi, tree_size))

    def root(self, tree_size: int) -> bytes:
        return self.mth(0, tree_size, tree_size)

    def inclusion_proof(self, index: int, tree_size: int) -> list[bytes]:
        """RFC 9162 2.1.3.1 PATH(m, D[0:n]), built from tiles only, leaf sibling first."""

        def path(m: int, lo: int, hi: int) -> list[bytes]:
            n = hi - lo
            if n == 1:
                return []
            k = split_point(n)
            if m < k:
                return [*path(m, lo, lo + k), self.mth(lo + k, hi, tree_size)]
            return [*path(m - k, lo + k, hi), self.mth(lo, lo + k, tree_size)]

        return path(index, 0, tree_size)

    def leaf_hash(self, index: int, tree_size: int) -> bytes:
        return self._tile(0, index // TILE_WIDTH, tree_size)[index % TILE_WIDTH]


def root_from_inclusion(leaf: bytes, index: int, size: int, proof: list[bytes]) -> bytes:
    """RFC 9162 2.1.3.2: recompute the root an inclusion proof leads to."""
    if not 0 <= index < size:
        raise ValueError("index outside the tree")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ValueError("proof too long")
        if fn % 2 == 1 or fn == sn:
            r = hash_children(p, r)
            while fn % 2 == 0 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = hash_children(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ValueError("proof too short")
    return r
