"""Regulator views of filings: completeness by institution, aggregates of accepted
statistics, and their CSV (docs/filings.md, "Regulator views"). No transport here."""
