"""Financing scenarios as plug-ins: a module per scenario and one registry entry."""
