"""The ledger reports security events through the hook parties fills: witness refusals,
checkpoint-signing failures and failed audits."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import update

from crossfin.core.db import Database
from crossfin.core.settings import Settings
from crossfin.ledger import keys
from crossfin.ledger.audit import audit_database
from crossfin.ledger.checkpointer import Checkpointer, checkpoint_now
from crossfin.ledger.cosignature import generate_cosigner
from crossfin.ledger.models import LedgerEvent
from crossfin.ledger.note import Signer, generate_signer
from crossfin.ledger.witness_app import create_witness_app
from support.ledger import fast_append, quiet_settings, record_events, serve, sign
from support.security import alerts, events


@pytest.fixture
def conf(settings: Settings) -> Settings:
    return quiet_settings(settings)


@pytest.fixture
def stranger_witness(conf: Settings, tmp_path: Path) -> Iterator[Settings]:
    """A real witness that trusts another log's key: it refuses every checkpoint of ours."""
    skey, vkey = generate_cosigner("witness.test/stranger")
    _, other_log = generate_signer(conf.log_origin)
    with serve(create_witness_app(skey, [other_log], tmp_path / "w")) as url:
        yield conf.model_copy(update={"witness_urls": [url], "witness_keys": [vkey]})


def test_a_witness_refusal_is_recorded(db: Database, stranger_witness: Settings) -> None:
    fast_append(db, 10)
    sign(db, stranger_witness)
    [event] = events(db, "witness_refused")
    assert '"witness": "witness.test/stranger"' in event.detail
    assert [a.kind for a in alerts(db)] == ["witness_refused"]


def test_an_unreachable_witness_is_no_refusal(db: Database, conf: Settings) -> None:
    _, vkey = generate_cosigner("witness.test/gone")
    gone = conf.model_copy(update={"witness_urls": ["http://127.0.0.1:9"], "witness_keys": [vkey]})
    fast_append(db, 10)
    sign(db, gone)
    assert events(db) == []


class BrokenKeyStore(Signer):
    """The log key as a signing service that has stopped answering."""

    def sign(self, text: bytes) -> bytes:
        raise OSError("the key store does not answer")


def test_a_checkpoint_signing_failure_is_recorded(db: Database, conf: Settings) -> None:
    fast_append(db, 10)
    good = keys.log_signer(conf)
    broken = BrokenKeyStore(good.name, good.key_id, good.private_key)
    checkpointer = Checkpointer(db, conf, signer=broken)
    try:
        with pytest.raises(OSError):
            checkpointer.run_once()
    finally:
        checkpointer.close()
    [event] = events(db, "checkpoint_sign_failed")
    assert '"size": 10' in event.detail and "key store" in event.detail
    assert checkpoint_now(db, conf).signed_here  # with the real key it signs again


def test_a_failed_audit_is_recorded_and_a_passing_one_is_not(db: Database, conf: Settings) -> None:
    record_events(db, 5, per_tx=2)
    sign(db, conf)
    verifier = keys.log_signer(conf).verifier()
    assert audit_database(db, verifier).ok
    assert events(db) == []
    with db.engine.begin() as conn:
        conn.execute(
            update(LedgerEvent).where(LedgerEvent.leaf_index == 3).values(record=b'{"x":1}')
        )
    assert not audit_database(db, verifier).ok
    [event] = events(db, "audit_failed")
    assert '"first_bad_index": 3' in event.detail
    assert [a.kind for a in alerts(db)] == ["audit_failed"]
