"""Reads on a standby: the lag rule, the fallbacks, the cache, the routing of sessions.

The rule is tested here with scripted probes; tests/ops/test_standby_reads.py runs it
against a real streaming standby whose replay is paused and resumed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from crossfin.api.app import create_app
from crossfin.core.db import Database
from crossfin.core.replica import ReadReplica, StandbyState
from crossfin.core.settings import Settings

PRIMARY = "postgresql+psycopg://postgres@127.0.0.1:1/nothing"
STANDBY = "postgresql+psycopg://postgres@127.0.0.1:2/nothing"


class Scripted(ReadReplica):
    """A replica whose probes answer what the test says, on the test's clock."""

    def __init__(self, max_lag: float = 2.0) -> None:
        from sqlalchemy import create_engine

        self.now = 0.0
        self.primary: int | Exception = 0
        self.standby: StandbyState | Exception = StandbyState(True, 0, 0.0)
        self.probes = 0
        super().__init__(
            PRIMARY, STANDBY, max_lag, engine=create_engine(STANDBY), clock=lambda: self.now
        )

    def primary_lsn(self) -> int:
        self.probes += 1
        if isinstance(self.primary, Exception):
            raise self.primary
        return self.primary

    def standby_state(self) -> StandbyState:
        if isinstance(self.standby, Exception):
            raise self.standby
        return self.standby

    def at(self, now: float, primary: int | Exception, standby: StandbyState | Exception) -> bool:
        self.now, self.primary, self.standby = now, primary, standby
        return self.check().usable


def standby(replayed: int | None, age: float | None = 0.0) -> StandbyState:
    return StandbyState(True, replayed, age)


def test_a_standby_that_replayed_what_the_primary_wrote_is_not_behind() -> None:
    replica = Scripted()
    # Its last transaction is an hour old, but nothing newer exists: lag 0.
    assert replica.at(0.0, 1000, standby(1000, age=3600.0))
    assert replica.status.lag == 0.0
    assert replica.at(1.0, 1000, standby(1200, age=3600.0))  # ahead of an older reading


def test_the_lag_is_the_age_of_the_newest_primary_position_replayed() -> None:
    replica = Scripted(max_lag=2.0)
    assert replica.at(0.0, 100, standby(100))
    assert replica.at(1.0, 200, standby(100))  # behind since t=0: 1 s
    assert replica.status.lag == pytest.approx(1.0)
    assert not replica.at(3.0, 300, standby(100))  # 3 s: over the bound
    assert "3.0 s behind" in replica.status.reason
    assert replica.at(4.0, 400, standby(300))  # caught up to t=3: 1 s
    assert replica.status.lag == pytest.approx(1.0)


def test_a_first_probe_behind_the_primary_dates_the_lag_by_the_last_replay() -> None:
    replica = Scripted(max_lag=2.0)
    assert not replica.at(0.0, 500, standby(100, age=10.0))
    assert replica.status.lag == pytest.approx(10.0)


def test_a_standby_down_or_not_in_recovery_is_not_used() -> None:
    replica = Scripted()
    assert not replica.at(0.0, 100, ConnectionError("refused"))
    assert "standby unreachable" in replica.status.reason
    assert not replica.at(1.0, 100, StandbyState(False, 100, None))
    assert "not a standby" in replica.status.reason
    assert not replica.at(2.0, 100, standby(None))


def test_reads_stay_on_the_standby_while_the_primary_is_unreachable() -> None:
    replica = Scripted()
    assert replica.at(0.0, ConnectionError("primary gone"), standby(100, age=50.0))
    assert "primary unreachable" in replica.status.reason
    assert replica.status.lag is None


def test_the_verdict_is_cached_for_a_second() -> None:
    replica = Scripted()
    replica.primary, replica.standby = 100, standby(100)
    assert replica.usable() and replica.probes == 1
    replica.now = 0.5
    replica.standby = ConnectionError("down")
    assert replica.usable() and replica.probes == 1  # cached
    replica.now = 1.0
    assert not replica.usable() and replica.probes == 2


def test_replica_sessions_follow_the_verdict(tmp_path: Path) -> None:
    db = Database(PRIMARY, read_url=STANDBY)
    try:
        assert db.replica is not None
        db.replica.usable = lambda: True  # type: ignore[method-assign]
        assert db.session(replica=True).get_bind() is db.replica.engine
        assert db.session(readonly=True).get_bind() is db.engine  # reads for writes
        db.replica.usable = lambda: False  # type: ignore[method-assign]
        assert db.session(replica=True).get_bind() is db.engine
    finally:
        db.dispose()


def test_without_a_standby_replica_sessions_are_read_sessions(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path}/x.db")
    try:
        assert db.replica is None
        assert db.session(replica=True).get_bind() is db.read_engine
    finally:
        db.dispose()


def test_a_standby_needs_postgresql(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="needs PostgreSQL"):
        Database(f"sqlite:///{tmp_path}/x.db", read_url=STANDBY)


def test_the_read_url_is_masked_when_settings_are_printed() -> None:
    conf = Settings(
        read_database_url="postgresql+psycopg://u:hunter2@db/x",  # type: ignore[call-arg]
        _env_file=None,
    )
    assert "hunter2" not in repr(conf)


# Against the test database on PostgreSQL: a read URL that is no standby, or that is down.
# Either way the log's reads and listings are answered, by the primary.


@pytest.fixture
def pg_url(db_url: str) -> str:
    if not db_url.startswith("postgresql"):
        pytest.skip("needs CROSSFIN_TEST_DATABASE_URL on PostgreSQL")
    return db_url


def _closed_port_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    from support.server import free_port

    return make_url(url).set(port=free_port()).render_as_string(hide_password=False)


@pytest.mark.parametrize("which", ["the primary itself", "a closed port"])
def test_reads_fall_back_to_the_primary(
    which: str, settings: Settings, db: Database, pg_url: str
) -> None:
    from crossfin.parties.models import OrgKind
    from support.ledger import quiet_settings, record_events, sign
    from support.parties import make_party

    read_url = pg_url if which == "the primary itself" else _closed_port_url(pg_url)
    conf = quiet_settings(settings).model_copy(update={"read_database_url": read_url})
    bank = make_party(db, OrgKind.BANK)
    record_events(db, 3)
    sign(db, conf)
    app = create_app(conf)
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            health = client.get("/healthz").json()
            assert health["standby"]["reads"] == "primary"
            reason = health["standby"]["reason"]
            assert ("not a standby" if which == "the primary itself" else "unreachable") in reason
            checkpoint = client.get("/v1/log/checkpoint", headers=bank.headers)
            assert checkpoint.status_code == 200, checkpoint.text
            listing = client.get("/v1/financings", headers=bank.headers)
            assert listing.status_code == 200, listing.text
    finally:
        app.state.db.dispose()
