"""UnitOfWork.acting_as: events recorded inside the block carry the given actor."""

from __future__ import annotations

import pytest

from crossfin.core.db import Actor, Database
from crossfin.ledger.events import EventType
from crossfin.ledger.uow import UnitOfWork

OWN = Actor(None, None, "cli")
OTHER = Actor(7, 70, "someone")


def test_swaps_the_actor_and_restores_it(db: Database) -> None:
    with UnitOfWork(db, OWN) as uow:
        with uow.acting_as(OTHER):
            assert uow.actor is OTHER
            uow.record(EventType.ORG_ADDED, subjects={"org": 1}, content={})
        assert uow.actor is OWN
        assert uow.pending[0].actor_org_id == OTHER.org_id


def test_none_keeps_the_own_actor(db: Database) -> None:
    with UnitOfWork(db, OWN) as uow:
        with uow.acting_as(None):
            assert uow.actor is OWN
        assert uow.actor is OWN


def test_restores_the_actor_after_an_error(db: Database) -> None:
    with UnitOfWork(db, OWN) as uow:
        with pytest.raises(RuntimeError), uow.acting_as(OTHER):
            assert uow.actor is OTHER
            raise RuntimeError("boom")
        assert uow.actor is OWN


def test_nests(db: Database) -> None:
    third = Actor(8, 80, "third")
    with UnitOfWork(db, OWN) as uow:
        with uow.acting_as(OTHER):
            with uow.acting_as(third):
                assert uow.actor is third
            assert uow.actor is OTHER
        assert uow.actor is OWN
