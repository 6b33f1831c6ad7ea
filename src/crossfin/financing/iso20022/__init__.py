"""ISO 20022 for financing: tsin.001 applications and tsin.003 cancellations in, tsin.002
answers and camt.053 statements of the reconciliation feed out (docs/iso20022.md)."""
