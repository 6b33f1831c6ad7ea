"""Files embedded in a PDF (its /EmbeddedFiles name tree), e.g. a ledger receipt."""

from __future__ import annotations

import io
from dataclasses import dataclass

from pypdf import PdfReader, PdfWriter


@dataclass(frozen=True)
class Attachment:
    """A file to embed: its name inside the PDF and its bytes."""

    name: str
    data: bytes


def attach_files(pdf: bytes, attachments: list[Attachment]) -> bytes:
    """The same PDF with `attachments` embedded; deterministic for the same input."""
    # ReportLab cannot embed files itself; pypdf copies the document and adds them.
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    for item in attachments:
        writer.add_attachment(item.name, item.data)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
