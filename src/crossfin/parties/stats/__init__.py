"""Supervisory statistics kept per county: the cells, and their upkeep with each change."""
