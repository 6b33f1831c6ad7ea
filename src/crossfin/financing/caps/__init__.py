"""Scenario caps as data: each scenario's limits, versioned, loaded by the operator.

See docs/financing.md, "Scenario caps". `store.caps_in_force` is what registration and
matchmaking read; `store.set_caps` is the one way to load a version (a ledger event).
"""
