"""Enterprise classes (A/B/C) with their history: who classified, why, from when, for which
evaluation period; the bulk import of an annual result; the class as of a date.

`Organization.trade_class` remains, as a cache of the class in force on the day of the
last change; every decision (the class gates) reads the history as of its own date.
"""
