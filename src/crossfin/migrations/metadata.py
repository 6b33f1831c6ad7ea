"""Imports every domain's models so that Base.metadata knows all tables."""

from __future__ import annotations

from sqlalchemy import MetaData


def metadata() -> MetaData:
    """The complete metadata; a new domain adds its models import here."""
    from crossfin.core import idempotency  # noqa: F401
    from crossfin.core.db import Base
    from crossfin.documents import models as documents_models  # noqa: F401
    from crossfin.documents.access import models as access_models  # noqa: F401
    from crossfin.documents.ebl import models as ebl_models  # noqa: F401
    from crossfin.documents.ingest import models as ingest_models  # noqa: F401
    from crossfin.filings import models as filings_models  # noqa: F401
    from crossfin.filings.calendar import models as calendar_models  # noqa: F401
    from crossfin.financing import models as financing_models  # noqa: F401
    from crossfin.ledger import models as ledger_models  # noqa: F401
    from crossfin.parties import alert_rules as alert_rules_models  # noqa: F401
    from crossfin.parties import alerts as alerts_models  # noqa: F401
    from crossfin.parties import gates as gates_models  # noqa: F401
    from crossfin.parties import models as parties_models  # noqa: F401
    from crossfin.parties.classes import models as classes_models  # noqa: F401
    from crossfin.parties.notifications import models as notifications_models  # noqa: F401
    from crossfin.parties.security import models as security_models  # noqa: F401
    from crossfin.parties.stats import models as stats_models  # noqa: F401
    from crossfin.payments import models as payments_models  # noqa: F401
    from crossfin.payments import p1_models  # noqa: F401
    from crossfin.payments.offshore import models as offshore_models  # noqa: F401
    from crossfin.supervision import models as supervision_models  # noqa: F401
    from crossfin.supervision.stats import indexes as stats_indexes  # noqa: F401

    return Base.metadata
