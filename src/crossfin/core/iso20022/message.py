"""Parsing an ISO 20022 message safely and validating it against its XSD.

A message is parsed with defusedxml with DTDs, entities and external references refused
(a bank's message comes from outside). The ISO `Document` is found at the root or inside
an envelope (a business application header and its wrapper, as FedNow or SWIFT send
them); its namespace names the message definition (`urn:iso:std:iso:20022:tech:xsd:
pacs.008.001.08`), which picks the XSD. xmlschema reports each failure with the XPath of
the element and the XSD component that refused it: a problem names both.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib.resources import files
from xml.etree.ElementTree import Element

import xmlschema
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from xmlschema.validators import XsdFacet, XsdGroup

from crossfin.core.errors import FieldError, ValidationFailed

ISO_NS = "urn:iso:std:iso:20022:tech:xsd:"
_CLARK = re.compile(r"\{[^}]*\}")


@dataclass(frozen=True)
class XmlProblem:
    """One failure: where (XPath), which XSD rule, and why."""

    path: str
    rule: str
    message: str


class MessageInvalid(ValidationFailed):
    """422: the message is not well-formed, not supported, or breaks its XSD or mapping."""

    slug = "iso20022-invalid"
    title = "The ISO 20022 message is not valid"

    def __init__(self, message_type: str | None, problems: list[XmlProblem]) -> None:
        errors = [FieldError(p.path, f"{p.rule}: {p.message}") for p in problems]
        super().__init__(
            errors,
            message_type=message_type,
            problems=[{"path": p.path, "rule": p.rule, "message": p.message} for p in problems],
        )
        self.problems = problems


def mapping_error(message_type: str, path: str, reason: str) -> MessageInvalid:
    """A valid message that crossfin cannot map (a missing party id, an unknown kind)."""
    return MessageInvalid(message_type, [XmlProblem(path, "mapping", reason)])


def iso_date(definition: str, text: str | None, path: str) -> date | None:
    """An xs:date as a date: its offset dropped; a year the XSD allows and Python does
    not (0, negative, five digits) is a mapping problem at `path`."""
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise mapping_error(definition, path, f"{text!r} is not a date crossfin can use") from None


def local(tag: str | None) -> str:
    """An element's name without its namespace."""
    return (tag or "").rpartition("}")[2]


class Schemas:
    """The XSDs a domain ships, by message definition (e.g. `tsin.001.001.01`)."""

    def __init__(self, package: str, names: Mapping[str, str]) -> None:
        self.package = package
        self.names = dict(names)

    def text(self, definition: str) -> str:
        return files(self.package).joinpath(self.names[definition]).read_text(encoding="utf-8")

    def schema(self, definition: str) -> xmlschema.XMLSchema10:
        return _compiled(self.package, self.names[definition])

    def parse(self, data: bytes, accepted: tuple[str, ...]) -> Message:
        """The valid message in `data`, one of the `accepted` definitions; else raises
        MessageInvalid naming every problem (XPath, rule, reason)."""
        document = _document(_parse(data))
        definition = document.tag[1:].partition("}")[0].removeprefix(ISO_NS)
        if not document.tag.startswith("{" + ISO_NS) or definition not in accepted:
            reason = f"expected an ISO 20022 Document of {', '.join(accepted)}, got {definition!r}"
            raise MessageInvalid(None, [XmlProblem("/Document", "message-type", reason)])
        problems = [
            XmlProblem(_path(error.path, "/Document"), _rule(error), _message(error))
            for error in self.schema(definition).iter_errors(document)
        ]
        if problems:
            raise MessageInvalid(definition, problems[:20])
        return Message(definition, document)

    def problems(self, data: bytes, definition: str) -> list[XmlProblem]:
        """Every way `data` (an XML Document) breaks `definition`'s XSD: for checking what
        crossfin itself writes."""
        document = _document(_parse(data))
        return [
            XmlProblem(_path(e.path, "/"), _rule(e), _message(e))
            for e in self.schema(definition).iter_errors(document)
        ]


@cache
def _compiled(package: str, name: str) -> xmlschema.XMLSchema10:
    """Compiled once per process: an ISO XSD takes a few hundred milliseconds."""
    return xmlschema.XMLSchema10(files(package).joinpath(name).read_text(encoding="utf-8"))


def _parse(data: bytes) -> Element:
    try:
        root: Element = fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        reason = f"refused: {type(exc).__name__} (DTDs, entities and external references)"
        raise MessageInvalid(None, [XmlProblem("/", "well-formed", reason)]) from exc
    except (ParseError, ValueError, TypeError) as exc:
        raise MessageInvalid(None, [XmlProblem("/", "well-formed", str(exc))]) from exc
    return root


def _document(root: Element) -> Element:
    """The ISO Document: the root, or the first `Document` inside an envelope."""
    if local(root.tag) == "Document":
        return root
    for element in root.iter():
        if local(element.tag) == "Document" and element.tag.startswith("{" + ISO_NS):
            return element
    raise MessageInvalid(
        None, [XmlProblem("/" + local(root.tag), "message-type", "no ISO 20022 Document found")]
    )


def _path(path: str | None, default: str) -> str:
    """xmlschema's XPath without namespaces: `/Document/InvcFincgReq/...`."""
    return _CLARK.sub("", path) if path else default


def _rule(error: xmlschema.XMLSchemaValidationError) -> str:
    """The XSD rule: a facet's name (pattern, enumeration, ...), content, or type."""
    validator = error.validator
    if isinstance(validator, XsdGroup):
        return "content"  # a missing, unexpected or misplaced element
    if isinstance(validator, XsdFacet) and validator.elem is not None:
        return local(validator.elem.tag)
    return "type"


def _message(error: xmlschema.XMLSchemaValidationError) -> str:
    """xmlschema's reason, without the full list of a long code list."""
    validator = error.validator
    if isinstance(validator, XsdFacet) and _rule(error) == "enumeration":
        code_list = local(getattr(validator.parent, "name", None)) or "its code list"
        return f"value {error.obj!r} is not in {code_list}"
    return (error.reason or error.message)[:300]


@dataclass(frozen=True)
class Message:
    """A valid message: its definition and its Document, read by local names.

    Paths are slash-separated local names below the Document, e.g.
    `FIToFICstmrCdtTrf/CdtTrfTxInf/PmtId/EndToEndId`.
    """

    definition: str
    document: Element

    @property
    def ns(self) -> str:
        return self.document.tag[1:].partition("}")[0]

    def _q(self, path: str) -> str:
        return "/".join(f"{{{self.ns}}}{part}" for part in path.split("/"))

    def all(self, path: str, under: Element | None = None) -> list[Element]:
        return (under if under is not None else self.document).findall(self._q(path))

    def one(self, path: str, under: Element | None = None) -> Element | None:
        return (under if under is not None else self.document).find(self._q(path))

    def text(self, path: str, under: Element | None = None) -> str | None:
        found = self.one(path, under)
        return found.text.strip() if found is not None and found.text else None

    def amount(self, path: str, under: Element | None = None) -> tuple[Decimal, str] | None:
        """An amount element and its `Ccy` attribute (valid: the XSD checked both)."""
        found = self.one(path, under)
        if found is None or not found.text:
            return None
        try:
            return Decimal(found.text.strip()), found.get("Ccy", "")
        except InvalidOperation:  # pragma: no cover  (the XSD checked it is a decimal)
            return None

    def iter(self, name: str) -> Iterator[Element]:
        return self.document.iter(f"{{{self.ns}}}{name}")
