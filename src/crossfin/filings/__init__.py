"""Regulatory filings (issue 13): forms held as data, attachments, a review workflow between
a filer and a regulator, deadlines in working days, receipts; and the three systems on it:
banks' FX risk transaction reports, external financial assets and liabilities statistics,
and online administrative licensing."""
