"""What a goods release's ledger event commits to: its row (never changed afterwards)."""

from __future__ import annotations

from crossfin.financing.warehouse.models import GoodsRelease
from crossfin.ledger.state import WholeRows

KIND = "goods_release"
ROWS = WholeRows(KIND, GoodsRelease)
release_state = ROWS.state
release_commitment = ROWS.commitment
state_views = ROWS.views
