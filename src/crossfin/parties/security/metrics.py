"""`crossfin_security_events_total{kind}` for /metrics, counted from the events table.

Counted from the database at each scrape rather than in each process: every worker, the
checkpointer and the CLI (`crossfin log audit`) record events, and only the table sees
them all. Events are never deleted by the platform, so the count only grows.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

from crossfin.core.db import Database
from crossfin.parties.security.queries import totals


class SecurityEventsCollector(Collector):
    """Reads the events' counts per kind when a registry is collected."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def collect(self) -> Iterator[CounterMetricFamily]:
        family = CounterMetricFamily(
            "crossfin_security_events",
            "Security events recorded, by kind (docs/operations.md)",
            labels=["kind"],
        )
        with self.db.session(readonly=True) as session:
            for kind, count in totals(session).items():
                family.add_metric([kind], count)
        yield family
