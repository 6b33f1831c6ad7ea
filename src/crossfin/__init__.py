"""crossfin: a cross-border financial service platform with a verifiable ledger."""

__version__ = "0.1.0"
