"""GB/T 2260 divisions: the command that loads a newer edition.

Its rules live in parties/jurisdiction_update.py.
"""
