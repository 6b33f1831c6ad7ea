"""Document kinds: one module per kind, collected by `kinds.registry`."""
