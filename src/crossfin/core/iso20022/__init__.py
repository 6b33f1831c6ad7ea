"""ISO 20022 messages: safe parsing, XSD validation naming XPath and rule, typed reading.

Pure XML: no domain knowledge. The domains map messages (financing/iso20022: tsin and
camt.053; payments/iso20022: pacs.008 and pain.001) and ship the XSDs they validate against.
"""

from crossfin.core.iso20022.build import Builder, amount_text
from crossfin.core.iso20022.message import (
    Message,
    MessageInvalid,
    Schemas,
    XmlProblem,
    iso_date,
    local,
    mapping_error,
)

__all__ = [
    "Builder",
    "Message",
    "MessageInvalid",
    "Schemas",
    "XmlProblem",
    "amount_text",
    "iso_date",
    "local",
    "mapping_error",
]
