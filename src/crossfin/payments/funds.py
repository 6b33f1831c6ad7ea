"""The sources of funds a P1 payment names (its schema and its scenario both read them)."""

from __future__ import annotations

from enum import StrEnum


class SourceOfFunds(StrEnum):
    """Where a P1 payment's capital-account income comes from."""

    CAPITAL = "capital"
    FOREIGN_DEBT = "foreign_debt"
    LISTING_PROCEEDS = "listing_proceeds"
