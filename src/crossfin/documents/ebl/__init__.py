"""Endorsement chains of negotiable bills of lading (DCSA eBL; PINT 3.0 envelopes relayed).

A chain is a list of steps (issue, endorse, pledge, release, surrender), each signed by the
source that keeps the holder's register, or relayed in a PINT envelope. The holder and the
pledge are derived from the steps (chain.py), never stored beside them.
"""
