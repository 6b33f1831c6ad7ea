"""Which financings hold a document as a pledge: a hook filled by financing at assembly.

documents sits below financing and must not import it; financing registers the query
(`crossfin.assembly`), and until it does no document is pledged by any financing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class FinancingPledge:
    """An active financing that pledges the document to its bank."""

    financing_id: int
    bank_org_id: int
    scenario: str
    state: str


PledgeQuery = Callable[[Session, int], list[FinancingPledge]]
_queries: list[PledgeQuery] = []


def add_pledge_query(query: PledgeQuery) -> None:
    """Register a query (idempotent: assembling twice adds it once)."""
    if query not in _queries:
        _queries.append(query)


def financing_pledges(session: Session, document_id: int) -> list[FinancingPledge]:
    """Every active financing pledge on the document, oldest financing first."""
    found = [p for query in _queries for p in query(session, document_id)]
    return sorted(found, key=lambda p: p.financing_id)
