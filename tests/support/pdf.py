"""Reading PDFs back in tests: pages' text, fonts, attachments, and rendering by poppler."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader


def read(pdf: bytes) -> PdfReader:
    """Open the PDF (pypdf raises on a broken file)."""
    assert pdf.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(pdf), strict=True)


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in read(pdf).pages]


def fonts(pdf: bytes) -> list[dict[str, Any]]:
    """Every font dictionary used on any page (ReportLab's subsets are simple fonts)."""
    found: dict[int, dict[str, Any]] = {}
    for page in read(pdf).pages:
        for ref in page["/Resources"]["/Font"].values():
            found[ref.idnum] = dict(ref.get_object())
    return list(found.values())


def attachments(pdf: bytes) -> dict[str, bytes]:
    """Each embedded file by name (one version each)."""
    return {name: data[0] for name, data in read(pdf).attachments.items()}


def render_pages(pdf: bytes, tmp_path: Path) -> list[Path]:
    """Render every page to PNG with poppler's pdftoppm; skip if poppler-utils is absent."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.skip("pdftoppm (Debian poppler-utils) is not installed; pypdf checks still ran")
    source = tmp_path / "doc.pdf"
    source.write_bytes(pdf)
    done = subprocess.run(
        [pdftoppm, "-r", "40", "-png", str(source), str(tmp_path / "page")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # poppler reports damaged objects and missing glyphs on stderr even when it exits 0.
    assert done.returncode == 0 and done.stderr == "", done.stderr
    return sorted(tmp_path.glob("page-*.png"))
