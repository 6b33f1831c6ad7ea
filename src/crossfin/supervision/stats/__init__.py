"""The regulator's statistics: reading them (figures, API, exports, dashboard) and the
recount that checks the cells kept with each change."""
