"""Parties: organizations, jurisdictions, principals, keys, callers, alerts, security.

The recorder of security events that the floors below report through (`core/security.py`)
is installed by `crossfin.assembly.assemble()`, which every entry point calls.
"""
