"""The refusal of a wrapped document whose integrity fails (docs/api.md, problem types)."""

from __future__ import annotations

from crossfin.core.errors import ValidationFailed


class IntegrityFailed(ValidationFailed):
    slug = "openattestation-integrity"
    title = "The OpenAttestation document does not verify: it changed after it was wrapped"
