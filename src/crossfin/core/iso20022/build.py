"""Writing ISO 20022 messages: elements in the message's namespace, in XSD order."""

from __future__ import annotations

from decimal import Decimal
from xml.etree.ElementTree import Element, SubElement, register_namespace, tostring

from crossfin.core.iso20022.message import ISO_NS


def amount_text(value: Decimal | str) -> str:
    """An ISO amount: plain decimal notation, never an exponent."""
    return format(Decimal(value), "f")


class Builder:
    """`Builder("tsin.002.001.01")`: a Document; `add(parent, "A/B", text)` makes the path."""

    def __init__(self, definition: str) -> None:
        self.ns = ISO_NS + definition
        register_namespace("", self.ns)
        self.root = Element(f"{{{self.ns}}}Document")

    def add(self, parent: Element, path: str, text: str | None = None, **attrs: str) -> Element:
        """Append the elements of `path` under `parent` (each a new element); the last
        gets `text` and `attrs`."""
        element = parent
        for part in path.split("/"):
            element = SubElement(element, f"{{{self.ns}}}{part}")
        if text is not None:
            element.text = text
        for name, value in attrs.items():
            element.set(name, value)
        return element

    def bytes(self) -> bytes:
        data: bytes = tostring(self.root, encoding="utf-8", xml_declaration=True)
        return data
