"""Payments: facilitated FX payments (P1..P4) resting on the one balance per document.

docs/payments.md describes the domain; P3 (freight FX payments) is the first scenario.
"""
