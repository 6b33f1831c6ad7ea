"""The XSDs payments validates against (shipped in xsd/, origins in xsd/README.md)."""

from __future__ import annotations

from crossfin.core.iso20022 import Schemas

PACS_008 = "pacs.008.001.08"
PAIN_001 = "pain.001.001.03"

SCHEMAS = Schemas(
    "crossfin.payments.iso20022.xsd", {name: f"{name}.xsd" for name in (PACS_008, PAIN_001)}
)
