"""Units of work for page handlers: reads for GET pages, one transaction per POST."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated, TypeVar

from fastapi import Depends, Request

from crossfin.core.http.deps import database_of
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import Caller
from crossfin.parties.portal import PortalCallerDep

T = TypeVar("T")


def portal_read_uow(request: Request, caller: PortalCallerDep) -> Iterator[UnitOfWork]:
    """A read-only unit of work acting for the logged-in caller."""
    with UnitOfWork(database_of(request), caller.actor, readonly=True) as uow:
        yield uow


PortalReadUow = Annotated[UnitOfWork, Depends(portal_read_uow)]


def run_write(request: Request, caller: Caller, fn: Callable[[UnitOfWork], T]) -> T:
    """Run one state change in one transaction (events included) and commit it."""
    with UnitOfWork(database_of(request), caller.actor) as uow:
        result = fn(uow)
        uow.commit()
    return result
