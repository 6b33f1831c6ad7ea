"""C2SP tlog-checkpoint v1.0.0: the note text that commits to a log's tree head."""

from __future__ import annotations

import re
from base64 import b64encode
from dataclasses import dataclass

from crossfin.ledger.note import MalformedNoteError, decode_base64

HASH_SIZE = 32
# Tree sizes travel as uint64 in cosignatures and proofs, so larger values are nonsense.
MAX_TREE_SIZE = 2**64 - 1
_DECIMAL = re.compile(r"0|[1-9][0-9]*")


class CheckpointError(MalformedNoteError):
    """A checkpoint body is malformed or a Checkpoint field is out of range."""


def parse_decimal(text: str, what: str, limit: int = MAX_TREE_SIZE) -> int:
    """Parse ASCII decimal without sign or leading zeros, at most limit; raise CheckpointError."""
    if not _DECIMAL.fullmatch(text):
        raise CheckpointError(f"{what} {text[:30]!r} is not a decimal without leading zeros")
    if len(text) > len(str(limit)):  # before int(), which refuses over 4,300 digits
        raise CheckpointError(f"{what} of {len(text)} digits exceeds {limit}")
    value = int(text)
    if value > limit:
        raise CheckpointError(f"{what} {value} exceeds {limit}")
    return value


def _check_line(line: str, what: str) -> None:
    """A checkpoint line must be non-empty UTF-8 text free of newlines and other controls."""
    if not line:
        raise CheckpointError(f"{what} is empty")
    if any(c < " " for c in line):
        raise CheckpointError(f"{what} contains a newline or control character")
    if any("\ud800" <= c <= "\udfff" for c in line):
        # A lone surrogate cannot be encoded, so it could never be signed or cosigned.
        raise CheckpointError(f"{what} contains a lone surrogate (it is not UTF-8 text)")


@dataclass(frozen=True)
class Checkpoint:
    """A log tree head: origin, tree size, RFC 6962 root hash and opaque extension lines."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        """Refuse values that could not be formatted back into a valid checkpoint."""
        _check_line(self.origin, "origin")
        if not 0 <= self.size <= MAX_TREE_SIZE:
            raise CheckpointError(f"tree size {self.size} is out of range")
        if len(self.root) != HASH_SIZE:
            raise CheckpointError(f"root hash must be {HASH_SIZE} bytes, got {len(self.root)}")
        object.__setattr__(self, "extensions", tuple(self.extensions))
        for line in self.extensions:
            _check_line(line, "extension line")

    def format(self) -> str:
        """The checkpoint note text: every line, the last included, ends in a newline."""
        lines = [self.origin, str(self.size), b64encode(self.root).decode(), *self.extensions]
        return "".join(line + "\n" for line in lines)


def parse_checkpoint(text: str) -> Checkpoint:
    """Strictly parse a checkpoint note text (signatures already removed)."""
    if not text.endswith("\n"):
        raise CheckpointError("checkpoint text must end with a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise CheckpointError(f"checkpoint needs at least 3 lines, got {len(lines)}")
    origin, size_text, root_text, *extensions = lines
    size = parse_decimal(size_text, "tree size")
    root = decode_base64(root_text, "root hash", CheckpointError)
    return Checkpoint(origin, size, root, tuple(extensions))
