"""What a caps version's ledger event commits to: its row (never changed afterwards)."""

from __future__ import annotations

from crossfin.financing.caps.models import ScenarioCaps
from crossfin.ledger.state import WholeRows

KIND = "scenario_caps"
ROWS = WholeRows(KIND, ScenarioCaps)
caps_state = ROWS.state
caps_commitment = ROWS.commitment
state_views = ROWS.views
