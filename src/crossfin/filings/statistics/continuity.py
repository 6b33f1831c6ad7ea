"""Period continuity: this period's opening positions are last period's accepted closing.

"Accepted" means acknowledged by a covering regulator and still standing: the filing of
the period before, of the same form code (any version), by the same filer, is `accepted`,
`under_review` or `decided`. A returned one (its content being corrected), a closed
(rejected) or withdrawn one, and one still waiting for acknowledgement are not accepted.
Its current version is the content compared; with none, the continuity rule checks
nothing (a first filing), and the answers say so (`continuity.checked` false).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.filings.forms.content import previous_period
from crossfin.filings.models import Filing, FilingVersion
from crossfin.filings.statistics.periods import normal
from crossfin.filings.steps import ACKNOWLEDGED

ACCEPTED = ACKNOWLEDGED


def previous_accepted(session: Session, filing: Filing) -> Filing | None:
    """The filer's accepted filing of the form for the period before, newest first."""
    if not filing.period or len(filing.period) == 4:  # a yearly period has no template
        return None
    before = previous_period(normal(filing.period))
    query = (
        select(Filing)
        .where(
            Filing.filer_org_id == filing.filer_org_id,
            Filing.form_code == filing.form_code,
            Filing.period.in_({before, before.replace("-Q", "Q")}),
            Filing.state.in_([s.value for s in ACCEPTED]),
        )
        .order_by(Filing.id.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def continuity_base(session: Session, filing: Filing) -> tuple[Any | None, Filing | None]:
    """The content `validate` compares openings with (None: nothing to compare), and the
    filing it comes from."""
    found = previous_accepted(session, filing)
    if found is None:
        return None, None
    version = session.scalars(
        select(FilingVersion).where(
            FilingVersion.filing_id == found.id, FilingVersion.number == found.current_version
        )
    ).one()
    return json.loads(version.content), found
