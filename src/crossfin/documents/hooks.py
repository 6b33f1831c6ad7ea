"""Reactions of higher floors to what happens to documents; documents calls them, never
imports them. Assembly registers them (financing checks an F8 pledge's loan-to-value when
the warehouse revalues its receipt)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from crossfin.documents.models import Document
    from crossfin.ledger.uow import UnitOfWork
    from crossfin.parties.access import Caller

AmendReaction = Callable[["UnitOfWork", "Document", "Caller"], object]
_on_document_amended: list[AmendReaction] = []


def on_document_amended(reaction: AmendReaction) -> AmendReaction:
    """Call `reaction(uow, document, caller)` in the transaction of each amendment, after
    its ledger event (the document already carries the new version and value)."""
    if reaction not in _on_document_amended:
        _on_document_amended.append(reaction)
    return reaction


def document_amended(uow: UnitOfWork, doc: Document, caller: Caller) -> None:
    """Run every registered reaction, in registration order."""
    for reaction in _on_document_amended:
        reaction(uow, doc, caller)
