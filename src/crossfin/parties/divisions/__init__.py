"""GB/T 2260 divisions: the command that loads a newer edition (its rules: parties/jurisdiction_update.py)."""
