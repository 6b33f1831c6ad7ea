"""Reactions of higher floors to what happens in parties; parties calls them, never imports them.

Assembly (`crossfin.assembly.assemble`) registers them, which every entry point calls
before it serves: the API, the portal, the CLI and the demo (and the tests' conftest).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from crossfin.parties.models import Organization

if TYPE_CHECKING:
    from crossfin.ledger.uow import UnitOfWork
    from crossfin.parties.alert_rules import Rule
    from crossfin.parties.alerts import Alert

OrganizationReaction = Callable[[Session, Organization], object]
AlertReaction = Callable[["UnitOfWork", "Alert", "Rule"], object]
_on_organization_added: list[OrganizationReaction] = []
_on_alert_raised: list[AlertReaction] = []


def on_organization_added(reaction: OrganizationReaction) -> OrganizationReaction:
    """Call `reaction(session, org)` in the transaction that adds each organization."""
    if reaction not in _on_organization_added:
        _on_organization_added.append(reaction)
    return reaction


def organization_added(session: Session, org: Organization) -> None:
    """Run every registered reaction, in registration order."""
    for reaction in _on_organization_added:
        reaction(session, org)


def on_alert_raised(reaction: AlertReaction) -> AlertReaction:
    """Call `reaction(uow, alert, rule)` in the transaction that raises each alert, after
    its ledger event (supervision files it in the firm's case)."""
    if reaction not in _on_alert_raised:
        _on_alert_raised.append(reaction)
    return reaction


def alert_raised(uow: UnitOfWork, alert: Alert, rule: Rule) -> None:
    """Run every registered reaction, in registration order."""
    for reaction in _on_alert_raised:
        reaction(uow, alert, rule)
