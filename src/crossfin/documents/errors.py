"""Errors of the documents domain, each with a stable problem type (see docs/api.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crossfin.core.errors import Conflict, CrossfinError, Forbidden, NotFound


class UnknownKind(NotFound):
    slug = "unknown-document-kind"
    title = "No such document kind"


class KindNotAllowed(Forbidden):
    slug = "document-kind-not-allowed"
    title = "This organization is not the source of this document kind"


class ManifestInvalid(CrossfinError):
    status = 422
    slug = "batch-manifest-invalid"
    title = "The batch manifest is not a valid crossfin.batch/v1 signed note"


class UnknownSourceKey(CrossfinError):
    status = 422
    slug = "unknown-source-key"
    title = "The manifest is not signed by an active key registered by this source"


class BadSignature(CrossfinError):
    status = 422
    slug = "bad-signature"
    title = "A signature on the manifest does not verify"


class RootMismatch(CrossfinError):
    status = 422
    slug = "batch-root-mismatch"
    title = "The records do not rebuild the signed root: the batch is refused whole"


class RecordUnreadable(CrossfinError):
    status = 422
    slug = "batch-record-unreadable"
    title = "A line is not a record (a JSON object, or a CSV row under the header)"


class LineGap(Conflict):
    slug = "batch-line-gap"
    title = "Lines must follow on from the next expected line"


class LineConflict(Conflict):
    slug = "batch-line-conflict"
    title = "A resent line differs from the line already received"


class BatchClosed(Conflict):
    slug = "batch-closed"
    title = "The batch no longer takes lines"


class NoChange(Conflict):
    slug = "amendment-no-change"
    title = "The amendment is identical to the current version"


@dataclass(frozen=True)
class Shortfall:
    """One document that cannot carry what was asked: how much is left, never who holds it."""

    document_id: int
    kind: str
    key: str
    currency: str
    remaining_minor: int
    requested_minor: int
    single_use: bool

    @property
    def exhausted(self) -> bool:
        return self.remaining_minor == 0

    def public(self) -> dict[str, Any]:
        from crossfin.core.money import format_amount

        def amount(minor: int) -> str:
            return format_amount(minor, self.currency) if self.currency else str(minor)

        return {
            "kind": self.kind,
            "key": self.key,
            "currency": self.currency,
            "remaining": amount(self.remaining_minor),
            "requested": amount(self.requested_minor),
            "single_use": self.single_use,
        }
