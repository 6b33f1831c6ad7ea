"""The caller as the floors below parties see it, and the hooks that authenticate it.

The ledger sits below parties, yet its routes and its page serve authenticated
participants. It asks for a `Participant` through the dependencies here, which call the
authentication the app's assembly hangs on `app.state` (parties' own functions: API keys
for the API, the login for the portal). So every request is authenticated by one piece of
code, and the ledger never imports parties.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Annotated, Protocol

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from crossfin.core.db import Database
from crossfin.core.http.deps import ReadSession, ReplicaSession, get_db


class Participant(Protocol):
    """An authenticated caller, as far as the log needs to know it."""

    @property
    def org_id(self) -> int: ...

    def reads_records_of(self, session: Session, org_ids: Collection[int]) -> bool:
        """True if the caller may read a record naming these organizations."""
        ...


class Authenticate(Protocol):
    def __call__(self, request: Request, db: Database, session: Session) -> Participant: ...


class PortalAuthenticate(Protocol):
    def __call__(self, request: Request) -> Participant: ...


def authenticate(request: Request, db: Database, session: Session) -> Participant:
    """The API caller of `request` (401 without a valid key), by the app's hook."""
    hook: Authenticate = request.app.state.authenticate
    return hook(request, db, session)


def api_participant(
    request: Request, db: Annotated[Database, Depends(get_db)], session: ReadSession
) -> Participant:
    return authenticate(request, db, session)


def replica_participant(
    request: Request, db: Annotated[Database, Depends(get_db)], session: ReplicaSession
) -> Participant:
    """The API caller, authenticated on the request's standby session (see deps.py)."""
    return authenticate(request, db, session)


def portal_participant(request: Request) -> Participant:
    """The logged-in portal user's caller (a redirect to the login page otherwise)."""
    hook: PortalAuthenticate = request.app.state.portal.authenticate
    return hook(request)


ParticipantDep = Annotated[Participant, Depends(api_participant)]
ReplicaParticipantDep = Annotated[Participant, Depends(replica_participant)]
PortalParticipantDep = Annotated[Participant, Depends(portal_participant)]
