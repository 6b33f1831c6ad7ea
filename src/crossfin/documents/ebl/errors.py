"""Errors of endorsement chains, each with a stable problem type (docs/api.md)."""

from __future__ import annotations

from crossfin.core.errors import Conflict, ValidationFailed


class StepSignatureInvalid(ValidationFailed):
    slug = "ebl-step-signature"
    title = "The step's signed note does not verify against a key the source registered"


class StepOutOfOrder(Conflict):
    slug = "ebl-step-out-of-order"
    title = "The step's seq is not the next position in the chain"


class PledgedByFinancing(Conflict):
    slug = "ebl-pledged-by-financing"
    title = "An active financing holds the bill of lading as a pledge"


class EnvelopeChecksum(ValidationFailed):
    slug = "ebl-envelope-checksum"
    title = "A PINT envelope's transfer chain checksums do not link"
