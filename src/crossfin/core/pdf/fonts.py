"""The embedded fonts, registered once with ReportLab, and text marked up to use them.

Droid Sans Fallback has CJK glyphs but no Latin ones and DejaVu Sans the opposite, and
ReportLab does not fall back from one font to another per glyph; so `markup` cuts text into
runs and names the CJK font for the runs DejaVu cannot draw.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import as_file, files
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

LATIN = "CrossfinSans"
LATIN_BOLD = "CrossfinSans-Bold"
CJK = "CrossfinCJK"
_FILES = {
    LATIN: "DejaVuSans.ttf",
    LATIN_BOLD: "DejaVuSans-Bold.ttf",
    CJK: "DroidSansFallbackFull.ttf",
}


@cache
def register_fonts() -> None:
    """Register the packaged TrueType fonts (idempotent); no system font is ever read."""
    for name, filename in _FILES.items():
        with as_file(files("crossfin.core.pdf") / "fonts" / filename) as path:
            pdfmetrics.registerFont(TTFont(name, str(path)))
    pdfmetrics.registerFontFamily(LATIN, normal=LATIN, bold=LATIN_BOLD)


@cache
def _latin_chars() -> frozenset[int]:
    register_fonts()
    font = pdfmetrics.getFont(LATIN)
    return frozenset(font.face.charToGlyph)  # type: ignore[attr-defined]


def markup(text: str) -> str:
    """Paragraph markup for plain `text`: escaped, CJK runs set in the CJK font."""
    latin = _latin_chars()
    out: list[str] = []
    run: list[str] = []
    run_is_cjk = False
    for ch in text:
        # Tabs and line breaks read as spaces in a paragraph; U+3000 is drawn, by the CJK font.
        is_cjk = ord(ch) not in latin and ch not in "\t\n\r"
        if run and is_cjk != run_is_cjk:
            out.append(_run("".join(run), run_is_cjk))
            run = []
        run.append(ch)
        run_is_cjk = is_cjk
    if run:
        out.append(_run("".join(run), run_is_cjk))
    return "".join(out)


def _run(text: str, cjk: bool) -> str:
    body = escape(text)
    return f'<font name="{CJK}">{body}</font>' if cjk else body
