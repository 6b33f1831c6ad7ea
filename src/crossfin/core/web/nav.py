"""The navigation registry: each domain contributes menu entries per party kind and role."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol


class Viewer(Protocol):
    """What the menu needs of a caller: its organization's kind and its role (both text)."""

    @property
    def org_kind(self) -> str: ...

    @property
    def role(self) -> str: ...


@dataclass(frozen=True)
class NavEntry:
    """One menu entry; `label` and `description` are i18n keys.

    `kinds`/`roles` None means every kind/role. Entries with a description also appear
    as cards on the home page ("what you can do here"). Lower `order` comes first.
    """

    label: str
    href: str
    kinds: frozenset[str] | None = None
    roles: frozenset[str] | None = None
    description: str | None = None
    order: int = 100

    def visible_to(self, caller: Viewer) -> bool:
        kind_ok = self.kinds is None or caller.org_kind in self.kinds
        return kind_ok and (self.roles is None or caller.role in self.roles)

    def is_active(self, path: str) -> bool:
        """Highlight the entry on its own page and the pages under it."""
        if self.href == "/":
            return path == "/"
        return path == self.href or path.startswith(self.href.rstrip("/") + "/")


def kinds(*values: str) -> frozenset[str]:
    """Shorthand for NavEntry(kinds=...)."""
    return frozenset(values)


def roles(*values: str) -> frozenset[str]:
    """Shorthand for NavEntry(roles=...)."""
    return frozenset(values)


def entries_for(entries: Iterable[NavEntry], caller: Viewer | None) -> list[NavEntry]:
    """The entries `caller` sees, in menu order; nothing for anonymous visitors."""
    if caller is None:
        return []
    return sorted((e for e in entries if e.visible_to(caller)), key=lambda e: (e.order, e.href))
