"""The regulator's statistics: the recount that checks the cells kept with each change."""
