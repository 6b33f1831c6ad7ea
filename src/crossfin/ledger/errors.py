"""Errors raised by the ledger's Merkle tree, proof and tile code."""

from __future__ import annotations

from crossfin.core.errors import CrossfinError, NotFound


class VerificationError(Exception):
    """A proof, root or hash did not check out; carries expected and computed values."""

    def __init__(
        self,
        message: str,
        *,
        expected: bytes | None = None,
        computed: bytes | None = None,
    ) -> None:
        self.expected = expected
        self.computed = computed
        self.reason = message
        super().__init__(self._render(message, expected, computed))

    @staticmethod
    def _render(message: str, expected: bytes | None, computed: bytes | None) -> str:
        """Return the message with both values in hex: a log line is enough to debug."""
        parts = [message]
        if expected is not None:
            parts.append(f"expected {expected.hex()}")
        if computed is not None:
            parts.append(f"computed {computed.hex()}")
        return "; ".join(parts)


class TileNotAvailable(LookupError):
    """The tile (or that width of it) does not exist at the given tree size."""


class EntryBundleNotServed(LookupError):
    """A tlog-tiles entry bundle (`tile/entries/...`) was asked for: not published.

    Deliberately not a ValueError: the path is well formed, the resource just is not
    published, so a server answers 404 rather than 400.
    """

    def __init__(self, index: int, width: int) -> None:
        self.index = index
        self.width = width
        super().__init__(f"entry bundle {index} (width {width}) is not served")


# Problem types of the log's read API (mapped to RFC 9457 by crossfin.api.problems).


class NotYetCheckpointed(NotFound):
    """The leaf (or the log) is not covered by a checkpoint meeting the quorum yet."""

    slug = "not-yet-checkpointed"
    title = "Not in a checkpoint yet"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail, retry_after=retry_after)
        self.headers["Retry-After"] = str(retry_after)


class BadTilePath(CrossfinError):
    """A `tile/...` path that C2SP tlog-tiles does not define (or spells differently)."""

    status = 400
    slug = "bad-tile-path"
    title = "Not a tlog-tiles path"
