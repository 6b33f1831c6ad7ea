"""A small A4 document builder: bilingual title, page furniture, key-value blocks, wrapping
tables, coloured badges and attached files. Same input, same bytes (ReportLab `invariant`).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from crossfin.core.pdf.attach import Attachment, attach_files
from crossfin.core.pdf.fonts import LATIN, LATIN_BOLD, markup, register_fonts

MARGIN = 18 * mm
FRAME_WIDTH = A4[0] - 2 * MARGIN
GRID = colors.HexColor("#c8ccd2")
HEAD_FILL = colors.HexColor("#eef1f4")


class Tone(StrEnum):
    """A badge's meaning, which picks its colour."""

    GOOD = "#1a7f37"
    BAD = "#c62828"
    WARN = "#b26a00"
    NEUTRAL = "#57606a"


@dataclass(frozen=True)
class Badge:
    """A short coloured label, e.g. an outcome."""

    text: str
    tone: Tone


# A table cell: plain text, a badge, or several lines (one paragraph each).
Cell = str | Badge | Sequence[str]


def _style(name: str, size: float, *, bold: bool = False, lead: float = 1.3) -> ParagraphStyle:
    # Lines break at spaces, and a run too long for the line (Chinese has no spaces; also
    # hashes) is split anywhere (splitLongWords). wordWrap="CJK" would also cut English
    # words in the middle ("Outcom-e"), since it breaks between any two characters.
    return ParagraphStyle(
        name,
        fontName=LATIN_BOLD if bold else LATIN,
        fontSize=size,
        leading=size * lead,
        splitLongWords=1,
    )


BODY = _style("body", 9)
SMALL = _style("small", 7.5)
CELL = _style("cell", 8)
CELL_HEAD = _style("cell-head", 8, bold=True)
HEADING = _style("heading", 12, bold=True)
TITLE = _style("title", 17, bold=True, lead=1.35)
BIG_BADGE = _style("big-badge", 14, bold=True, lead=1.6)


def badge_markup(badge: Badge) -> str:
    """Inline markup of a badge: white text on its tone's colour."""
    colours = f'color="white" backColor="{badge.tone.value}"'
    # Non-breaking spaces keep a badge on one line, so it reads as one label.
    text = markup(badge.text.replace(" ", "\u00a0"))
    return f"<font {colours}>&nbsp;{text}&nbsp;</font>"


def _paragraph(cell: Cell, style: ParagraphStyle) -> Flowable | list[Flowable]:
    if isinstance(cell, Badge):
        return Paragraph(badge_markup(cell), style)
    if isinstance(cell, str):
        return Paragraph(markup(cell), style)
    return [Paragraph(markup(line), style) for line in cell]


class PdfBuilder:
    """Collects a document's parts in order; `build` renders them to PDF bytes."""

    def __init__(self, title_zh: str, title_en: str, generated_at: datetime) -> None:
        register_fonts()
        self.title_zh, self.title_en = title_zh, title_en
        self.generated_at = generated_at.astimezone(UTC)
        self.story: list[Flowable] = [
            Paragraph(markup(title_zh), TITLE),
            Paragraph(markup(title_en), TITLE),
            Spacer(1, 4 * mm),
        ]
        self.attachments: list[Attachment] = []

    def heading(self, zh: str, en: str) -> None:
        """A section heading, Chinese and English side by side."""
        self.story += [Spacer(1, 3 * mm), Paragraph(markup(f"{zh} / {en}"), HEADING)]
        self.story.append(Spacer(1, 1.5 * mm))

    def spacer(self, height_mm: float = 2) -> None:
        self.story.append(Spacer(1, height_mm * mm))

    def paragraph(self, text: str, *, small: bool = False) -> None:
        self.story.append(Paragraph(markup(text), SMALL if small else BODY))

    def big_badge(self, badge: Badge) -> None:
        """A prominent badge on a line of its own (a report's outcome)."""
        self.story += [Paragraph(badge_markup(badge), BIG_BADGE), Spacer(1, 2 * mm)]

    def key_values(self, rows: Sequence[tuple[str, Cell]]) -> None:
        """A two-column block of labels and values."""
        data = [[_paragraph(k, CELL_HEAD), _paragraph(v, CELL)] for k, v in rows]
        self._table(data, [0.3, 0.7], header=False)

    def table(
        self, headers: Sequence[str], rows: Sequence[Sequence[Cell]], widths: Sequence[float]
    ) -> None:
        """A table whose cells wrap; `widths` are fractions of the frame width.

        The header row repeats on every page the table spills onto.
        """
        data = [[_paragraph(h, CELL_HEAD) for h in headers]]
        data += [[_paragraph(c, CELL) for c in row] for row in rows]
        self._table(data, widths, header=True)

    def _table(self, data: list[list[Any]], widths: Sequence[float], *, header: bool) -> None:
        table = Table(
            data,
            colWidths=[w * FRAME_WIDTH for w in widths],
            repeatRows=1 if header else 0,
            hAlign="LEFT",
        )
        commands: list[tuple[Any, ...]] = [
            ("GRID", (0, 0), (-1, -1), 0.5, GRID),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            # A table sets its cells' font even for paragraphs: Helvetica unless told.
            ("FONT", (0, 0), (-1, -1), LATIN, 8),
        ]
        commands.append(("BACKGROUND", (0, 0), (-1, 0) if header else (0, -1), HEAD_FILL))
        table.setStyle(TableStyle(commands))
        self.story.append(table)

    def attach(self, name: str, data: bytes) -> None:
        """Embed a file (e.g. receipt.json) in the PDF."""
        self.attachments.append(Attachment(name, data))

    def build(self) -> bytes:
        """The PDF bytes: A4, title and page numbers on every page, attachments embedded."""
        out = io.BytesIO()
        doc = SimpleDocTemplate(
            out,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN + 4 * mm,
            bottomMargin=MARGIN + 4 * mm,
            title=self.title_en,
            subject=self.title_zh,
            creator="crossfin",
            invariant=1,
            # ReportLab's default initial font is Helvetica, which is never embedded.
            initialFontName=LATIN,
        )
        doc.build(self.story, canvasmaker=self._canvas)
        pdf = out.getvalue()
        return attach_files(pdf, self.attachments) if self.attachments else pdf

    def _canvas(self, *args: Any, **kwargs: Any) -> Canvas:
        return _FurnishedCanvas(self, *args, **kwargs)

    def furnish(self, canvas: Canvas, page: int, pages: int) -> None:
        """Header (the title) and footer (generated-at, page n of m) of one page."""
        width, height = A4
        stamp = self.generated_at.strftime("%Y-%m-%d %H:%M UTC")
        header = f"{self.title_zh} / {self.title_en}"
        footer = f"生成于 Generated {stamp}"
        numbers = f"第 {page} / {pages} 页 · Page {page} of {pages}"
        _draw(canvas, header, MARGIN, height - MARGIN + 1 * mm, FRAME_WIDTH)
        _draw(canvas, footer, MARGIN, MARGIN - 2 * mm, FRAME_WIDTH / 2)
        _draw(
            canvas, numbers, MARGIN + FRAME_WIDTH / 2, MARGIN - 2 * mm, FRAME_WIDTH / 2, right=True
        )
        canvas.setStrokeColor(GRID)
        canvas.line(MARGIN, height - MARGIN, width - MARGIN, height - MARGIN)
        canvas.line(MARGIN, MARGIN + 2 * mm, width - MARGIN, MARGIN + 2 * mm)


FURNITURE = _style("furniture", 7)
FURNITURE_RIGHT = ParagraphStyle("furniture-right", parent=FURNITURE, alignment=2)


def _draw(
    canvas: Canvas, text: str, x: float, y: float, width: float, *, right: bool = False
) -> None:
    para = Paragraph(markup(text), FURNITURE_RIGHT if right else FURNITURE)
    para.wrapOn(canvas, width, 20 * mm)
    para.drawOn(canvas, x, y)


class _FurnishedCanvas(Canvas):
    """Holds pages back until the end so each footer can say how many pages there are."""

    def __init__(self, builder: PdfBuilder, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._builder = builder
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()  # type: ignore[attr-defined]  # what Canvas.showPage ends with

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._builder.furnish(self, number, total)
            super().showPage()
        super().save()
