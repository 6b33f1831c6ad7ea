"""The verifiable ledger: RFC 6962 hashing, proofs, tiles, checkpoints and witnesses.

Keep this module import-light (no database, no web framework): one import line per
public name, so other ledger modules can append their own exports.
"""

from crossfin.ledger.errors import VerificationError
from crossfin.ledger.rfc6962 import leaf_hash, root_hash
from crossfin.ledger.verify import verify_consistency, verify_inclusion

__all__ = [
    "VerificationError",
    "leaf_hash",
    "root_hash",
    "verify_consistency",
    "verify_inclusion",
]
