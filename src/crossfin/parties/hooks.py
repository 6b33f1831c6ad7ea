"""Reactions of higher floors to what happens in parties; parties calls them, never imports them.

A domain above registers its reaction when it is imported (documents/__init__.py), which
every entry point does before it serves: the API, the portal, the CLI and the demo.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from crossfin.parties.models import Organization

OrganizationReaction = Callable[[Session, Organization], object]
_on_organization_added: list[OrganizationReaction] = []


def on_organization_added(reaction: OrganizationReaction) -> OrganizationReaction:
    """Call `reaction(session, org)` in the transaction that adds each organization."""
    if reaction not in _on_organization_added:
        _on_organization_added.append(reaction)
    return reaction


def organization_added(session: Session, org: Organization) -> None:
    """Run every registered reaction, in registration order."""
    for reaction in _on_organization_added:
        reaction(session, org)
