"""Online administrative licensing (行政许可) on the filings skeleton: licence types as forms
of system `licence`, their required materials, the acceptance and decision clocks, the
decision PDF and the public register (docs/filings.md, "Online administrative licensing")."""
