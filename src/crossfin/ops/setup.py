"""Setting a database up: what `crossfin init` does, for the CLI and the failover drill."""

from __future__ import annotations

from dataclasses import dataclass

from crossfin.core import idempotency, secrets
from crossfin.core.db import Actor, Database
from crossfin.core.settings import Settings
from crossfin.ledger import keys
from crossfin.ledger.sequencer import ensure_head
from crossfin.ledger.uow import UnitOfWork
from crossfin.migrations.upgrade import upgrade
from crossfin.parties.jurisdictions import seed_jurisdictions
from crossfin.supervision.stats import recount as stats_recount

SETUP_ACTOR = Actor(org_id=None, principal_id=None, label="cli")


@dataclass(frozen=True)
class Initialised:
    """What `initialise` did."""

    jurisdictions_added: int
    log_key_created: bool
    secret_created: bool
    idempotency_records_purged: int
    # Cells counted from existing records, when the statistics were empty (an upgrade).
    statistics_cells_filled: int = 0


def initialise(conf: Settings, db: Database) -> Initialised:
    """Create or migrate the database and create missing keys (idempotent)."""
    secrets.ensure_data_dir(conf)
    log_key = keys.ensure_log_key(conf)
    secret = secrets.ensure_platform_secret(conf)
    upgrade(db)
    with UnitOfWork(db, SETUP_ACTOR) as uow:
        seeded = seed_jurisdictions(uow.session)
        ensure_head(uow.session)
        # Idempotency answers are promised for 24 h (configurable); older ones go here,
        # since every deployment runs `crossfin init` before it starts.
        purged = idempotency.purge(uow.session, conf.idempotency_hours)
        uow.commit()
    filled = stats_recount.fill_if_empty(db)
    return Initialised(seeded, log_key, secret, purged, filled)
