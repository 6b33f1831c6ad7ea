"""The navigation registry: each domain contributes menu entries per party kind and role."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from crossfin.parties.access import Caller
from crossfin.parties.models import OrgKind, Role


@dataclass(frozen=True)
class NavEntry:
    """One menu entry; `label` and `description` are i18n keys.

    `kinds`/`roles` None means every kind/role. Entries with a description also appear
    as cards on the home page ("what you can do here"). Lower `order` comes first.
    """

    label: str
    href: str
    kinds: frozenset[OrgKind] | None = None
    roles: frozenset[Role] | None = None
    description: str | None = None
    order: int = 100

    def visible_to(self, caller: Caller) -> bool:
        kind_ok = self.kinds is None or caller.org_kind in self.kinds
        return kind_ok and (self.roles is None or caller.role in self.roles)

    def is_active(self, path: str) -> bool:
        """Highlight the entry on its own page and the pages under it."""
        if self.href == "/":
            return path == "/"
        return path == self.href or path.startswith(self.href.rstrip("/") + "/")


def kinds(*values: OrgKind) -> frozenset[OrgKind]:
    """Shorthand for NavEntry(kinds=...)."""
    return frozenset(values)


def roles(*values: Role) -> frozenset[Role]:
    """Shorthand for NavEntry(roles=...)."""
    return frozenset(values)


CORE_ENTRIES = (
    NavEntry("nav.home", "/", order=0),
    NavEntry("nav.ledger", "/ledger", description="nav.ledger.description", order=900),
)


def entries_for(entries: Iterable[NavEntry], caller: Caller | None) -> list[NavEntry]:
    """The entries `caller` sees, in menu order; nothing for anonymous visitors."""
    if caller is None:
        return []
    return sorted((e for e in entries if e.visible_to(caller)), key=lambda e: (e.order, e.href))
