"""The XSDs financing validates against (shipped in xsd/, origins in xsd/README.md)."""

from __future__ import annotations

from crossfin.core.iso20022 import Schemas

TSIN_001 = "tsin.001.001.01"
TSIN_002 = "tsin.002.001.01"
TSIN_003 = "tsin.003.001.01"
CAMT_053 = "camt.053.001.04"

SCHEMAS = Schemas(
    "crossfin.financing.iso20022.xsd",
    {name: f"{name}.xsd" for name in (TSIN_001, TSIN_002, TSIN_003, CAMT_053)},
)
