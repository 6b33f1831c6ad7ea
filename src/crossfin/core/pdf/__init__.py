"""PDF documents with embedded fonts: Latin (DejaVu Sans) and CJK (Droid Sans Fallback).

Every PDF the platform prints embeds its fonts, so Chinese names print on a server with
no fonts of its own; see fonts/README.md for where the font files come from.
"""

from crossfin.core.pdf.attach import Attachment, attach_files
from crossfin.core.pdf.builder import Badge, Cell, PdfBuilder, Tone
from crossfin.core.pdf.fonts import markup

__all__ = ["Attachment", "Badge", "Cell", "PdfBuilder", "Tone", "attach_files", "markup"]
