"""Supervisory statistics kept per county: the cells, and their upkeep in each change's transaction."""
