"""Registering financing applications: the one function every entry point calls.

`register_applications(tx, applications, reservation_hours, hooks)` registers one
application, or a group of them in ONE transaction (the combiner's group commit), and owns
everything around the business rules of `service.register_many`:

- each caller must be a bank maker (`service.check_maker`), checked in the transaction;
- the applications are decided one after another against the same locked balances
  (`service.register_many`), and the accepted ones written with their ledger events;
- conflict mapping: when a group's transaction fails as a whole (e.g. another process
  committed the same external_ref first), each application is run again alone, so one never
  fails another; an application alone that hits a unique violation answers what a concurrent
  twin answered (`Hooks.after_conflict`, e.g. its stored Idempotency-Key answer), else 409
  `/already-exists` on `external_ref` when the bank now has that external_ref, else the
  violation itself;
- refusal recording: refused attempts (`FinancingRefused`, and `TitleRefused` for a
  negotiable bill's chain) are recorded for the regulator
  (`refusals.record_refusals`) in a transaction of their own, after the business one ended,
  and so are class-gate refusals (403 `/class-not-eligible`: an alert each,
  `parties/gates.record_class_refusals`).

Entry points: `POST /v1/financings` (routes.py), grouped by the combiner (combiner.py) or
alone with group commit off, both with `answers.KeyedAnswers` as hooks (the batch's
re-authentication, Idempotency-Key replays and stored answers); the portal's form
(pages.py); the demo loader (demo/financings.py, inside its load's transaction);
`crossfin financing apply` posts to the API.

Each application's outcome is a `service.Registered`, an exception (a CrossfinError is the
client's problem: the 409 refusals and conflicts, 422, 403...; anything else a failure for
the entry point to raise), or what a hook answered instead (e.g. a replayed answer).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crossfin.core.errors import CrossfinError
from crossfin.financing.errors import FinancingRefused, Refusal, TitleRefused
from crossfin.financing.refusals import record_refusals
from crossfin.financing.schemas import FinancingIn
from crossfin.financing.service import (
    Entry,
    Registered,
    check_maker,
    has_ref,
    ref_taken,
    register_many,
)
from crossfin.ledger.uow import Transactions, UnitOfWork
from crossfin.parties.access import Caller
from crossfin.parties.gates import ClassNotEligible, record_class_refusals

log = logging.getLogger("crossfin.financing")


@dataclass(eq=False)
class Application:
    """One application and its maker (a bank's operator or admin)."""

    caller: Caller
    data: FinancingIn


class Deferred:
    """A hook's answer: register this application alone once the group has committed."""


DEFER = Deferred()
A = TypeVar("A", bound=Application)


class Hooks(Generic[A]):
    """What an entry point adds inside registration's transaction; by default nothing."""

    def authenticate(self, uow: UnitOfWork, applications: Sequence[A]) -> list[Any | None]:
        """First: an outcome for each application refused outright (a revoked key), None
        for the others, whose `caller` it may refresh."""
        return [None] * len(applications)

    def replay(self, uow: UnitOfWork, applications: Sequence[A]) -> list[Any | None]:
        """After the maker check: an earlier answer to give instead of registering, DEFER
        (run it alone after this transaction), or None (register it)."""
        return [None] * len(applications)

    def keep(self, uow: UnitOfWork, application: A, done: Registered) -> Any:
        """Registered, before the commit (and after sequencing, when the transaction is
        this function's): store what goes with the registration; returns the outcome."""
        return done

    def refused(self, uow: UnitOfWork, application: A, refusal: Refusal) -> None:
        """Refused (after the business rollback, in the transaction that records the
        refusal): store what goes with the refusal."""

    def after_conflict(self, session: Session, application: A) -> Any | None:
        """After a unique violation undid an application registered alone: what a
        concurrent twin was answered, to answer it again, or None."""
        return None


def register_applications(
    tx: Transactions,
    applications: Sequence[A],
    reservation_hours: int,
    hooks: Hooks[A] | None = None,
) -> list[Any]:
    """Register `applications` in one transaction of `tx`; one outcome each, in order.

    Never raises for an application's sake: errors are outcomes (see the module's doc).
    """
    hooks = hooks or Hooks()
    if not applications:
        return []
    if len(applications) == 1:
        outcomes = [_alone(tx, applications[0], reservation_hours, hooks)]
    else:
        try:
            outcomes = _together(tx, applications, reservation_hours, hooks)
        except Exception:
            log.warning(
                "a registration batch failed; re-running its %d requests alone",
                len(applications),
                exc_info=True,
            )
            outcomes = [_alone(tx, a, reservation_hours, hooks) for a in applications]
    _record_refused(tx, applications, outcomes, hooks)
    for i, outcome in enumerate(outcomes):
        if outcome is DEFER:  # e.g. a second request with the same Idempotency-Key: it
            # runs once its twin's answer, a refusal included, is stored, so it replays.
            outcomes[i] = register_applications(tx, [applications[i]], reservation_hours, hooks)[0]
    return outcomes


def _record_refused(
    tx: Transactions, applications: Sequence[A], outcomes: Sequence[Any], hooks: Hooks[A]
) -> None:
    """Record the refused attempts for the regulator, with what each entry point keeps of
    a refusal (`Hooks.refused`: e.g. its answer under the request's Idempotency-Key)."""
    refused = [
        (a, o)
        for a, o in zip(applications, outcomes, strict=True)
        if isinstance(o, (FinancingRefused, TitleRefused))
    ]

    def keep(uow: UnitOfWork) -> None:
        for application, refusal in refused:
            hooks.refused(uow, application, refusal)

    record_refusals(tx, [(a.caller.actor, o) for a, o in refused], also=keep)
    gated = [
        (a.caller.actor, o)
        for a, o in zip(applications, outcomes, strict=True)
        if isinstance(o, ClassNotEligible)
    ]
    try:
        record_class_refusals(tx, gated)
    except Exception:
        log.exception("could not record %d class-gate refusal(s)", len(gated))


def registered(outcome: Any) -> Registered:
    """The registration of a one-application call, or its error raised."""
    if isinstance(outcome, BaseException):
        raise outcome
    if not isinstance(outcome, Registered):
        raise TypeError(f"not a registration: {outcome!r}")
    return outcome


def _together(
    tx: Transactions, applications: Sequence[A], hours: int, hooks: Hooks[A]
) -> list[Any]:
    """Decide and write every application in one transaction (raises if it fails)."""

    def step(uow: UnitOfWork) -> list[Any]:
        results = list(hooks.authenticate(uow, applications))
        for i, application in enumerate(applications):
            if results[i] is None:
                try:
                    check_maker(application.caller)
                except CrossfinError as exc:
                    results[i] = exc
        live = [i for i, result in enumerate(results) if result is None]
        todo = []
        for i, answer in zip(live, hooks.replay(uow, [applications[i] for i in live]), strict=True):
            if answer is None:
                todo.append(i)
            else:
                results[i] = answer
        entries = [
            Entry(
                applications[i].data,
                applications[i].caller.org_id,
                applications[i].caller.principal_id,
                actor=applications[i].caller.actor,
            )
            for i in todo
        ]
        outcomes = register_many(uow, entries, hours)
        if tx.owned:
            # From here the ledger head is locked until COMMIT: only `keep` follows.
            uow.sequence()
        for i, outcome in zip(todo, outcomes, strict=True):
            results[i] = (
                outcome
                if isinstance(outcome, CrossfinError)
                else hooks.keep(uow, applications[i], outcome)
            )
        return results

    return tx.write(step)


def _alone(tx: Transactions, application: A, hours: int, hooks: Hooks[A]) -> Any:
    """One application in a transaction of its own, with conflict mapping; never raises
    (an error becomes its outcome)."""
    try:
        try:
            return _together(tx, [application], hours, hooks)[0]
        except IntegrityError as exc:
            return _after_conflict(tx, application, hooks, exc)
    except Exception as exc:  # noqa: BLE001  (the entry point raises or answers it)
        return exc


def _after_conflict(tx: Transactions, application: A, hooks: Hooks[A], exc: IntegrityError) -> Any:
    """A unique violation undid the application: a twin's answer, the taken external_ref
    (409), or the violation itself."""

    def check(uow: UnitOfWork) -> Any:
        answer = hooks.after_conflict(uow.session, application)
        if answer is not None:
            return answer
        if has_ref(uow.session, application.caller.org_id, application.data.external_ref):
            return ref_taken()
        return exc

    return tx.read(check)
