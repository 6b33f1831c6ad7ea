"""The shipped XSD of the risk report, and validation of an XML document against it.

xmlschema reports each failure with the XPath of the element and the XSD component that
refused it; a problem names both, plus xmlschema's reason. The input is parsed with
entities and remote resources refused (defuse="always"): exported XML may come back
from outside, e.g. a regulator's system re-submitting it for checking.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import xmlschema
from xmlschema.validators import XsdFacet, XsdGroup

XSD_NAME = "risk_report.xsd"


@dataclass(frozen=True)
class XmlProblem:
    """One failure: where (XPath), which XSD rule, and why."""

    path: str
    rule: str
    message: str


def xsd_text() -> str:
    """The shipped schema's text (for a download, or a regulator's own validator)."""
    return files(__package__).joinpath(XSD_NAME).read_text(encoding="utf-8")


@cache
def schema() -> xmlschema.XMLSchema10:
    """The shipped schema, compiled once per process."""
    return xmlschema.XMLSchema10(xsd_text())


def _local(tag: str | None) -> str:
    return (tag or "").rpartition("}")[2]


def _rule(error: xmlschema.XMLSchemaValidationError) -> str:
    """The XSD rule: a facet's name (pattern, enumeration, ...), content, or type."""
    validator = error.validator
    if isinstance(validator, XsdGroup):
        return "content"  # a missing, unexpected or misplaced element
    if isinstance(validator, XsdFacet) and validator.elem is not None:
        return _local(validator.elem.tag)
    return "type"


def _message(error: xmlschema.XMLSchemaValidationError) -> str:
    """xmlschema's reason, without the full list of a long code list."""
    validator = error.validator
    if isinstance(validator, XsdFacet) and _rule(error) == "enumeration":
        code_list = _local(getattr(validator.parent, "name", None)) or "its code list"
        return f"value {error.obj!r} is not in {code_list}"
    return error.reason or error.message


def validate_xml(data: bytes) -> list[XmlProblem]:
    """Every way `data` breaks the shipped XSD; empty if it is valid."""
    try:
        resource = xmlschema.XMLResource(data, defuse="always")
    except (xmlschema.XMLResourceError, SyntaxError) as exc:
        return [XmlProblem("/", "well-formed", str(exc))]
    return [
        XmlProblem(error.path or "/", _rule(error), _message(error))
        for error in schema().iter_errors(resource)
    ]
