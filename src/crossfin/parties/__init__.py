"""Parties: organizations, jurisdictions, principals, keys, callers, alerts, security.

Importing it installs the recorder of security events that the floors below report
through (`core/security.py`), as every entry point does before it serves.
"""

from crossfin.core.security import set_recorder
from crossfin.parties.security.events import record

set_recorder(record)
