"""What an insurance claim's ledger event commits to: its row (never changed afterwards)."""

from __future__ import annotations

from crossfin.financing.insurance.models import InsuranceClaim
from crossfin.ledger.state import WholeRows

KIND = "insurance_claim"
ROWS = WholeRows(KIND, InsuranceClaim)
claim_state = ROWS.state
claim_commitment = ROWS.commitment
state_views = ROWS.views
