"""core.pdf: embedded fonts, CJK text, tables that wrap and spill, badges, attachments."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crossfin.core.pdf import Badge, PdfBuilder, Tone, markup
from crossfin.core.pdf.fonts import CJK
from support.pdf import attachments, fonts, page_texts, read, render_pages

AT = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
NAME_ZH = "深圳市前海跨境贸易有限公司"


def _document(rows: int = 3, at: datetime = AT) -> bytes:
    pdf = PdfBuilder("测试报告", "Test report", at)
    pdf.big_badge(Badge("通过 / Passed", Tone.GOOD))
    pdf.heading("当事方", "Parties")
    pdf.key_values([("企业 / Enterprise", [NAME_ZH, "Shenzhen Qianhai Trade Co., Ltd."])])
    pdf.table(
        ["编号 / No.", "结果 / Outcome", "说明 / Note"],
        [
            [f"row-{n:03d}", Badge("一致 / match", Tone.GOOD), f"第{n}行说明 note {n}"]
            for n in range(rows)
        ],
        [0.2, 0.2, 0.6],
    )
    pdf.attach("data.json", b'{"n": 1}\n')
    return pdf.build()


def test_markup_sets_cjk_runs_in_the_cjk_font_and_escapes() -> None:
    assert markup("Co. <Ltd> & 中文 end") == (
        f'Co. &lt;Ltd&gt; &amp; <font name="{CJK}">中文</font> end'
    )
    assert markup("plain") == "plain"
    assert markup("甲\u3000乙") == f'<font name="{CJK}">甲\u3000乙</font>'
    assert markup("") == ""


def test_pdf_opens_and_shows_chinese_and_english_text() -> None:
    (text,) = page_texts(_document())
    for expected in ["测试报告", "Test report", NAME_ZH, "Shenzhen Qianhai", "第2行说明", "通过"]:
        assert expected in text
    assert "Page 1 of 1" in text and "Generated 2026-12-04 10:00 UTC" in text


def test_every_font_is_an_embedded_truetype_subset() -> None:
    used = fonts(_document())
    names = {str(f["/BaseFont"]).split("+", 1)[1] for f in used}
    assert names == {"DroidSansFallback", "DejaVuSans", "DejaVuSans-Bold"}
    for font in used:
        assert font["/Subtype"] == "/TrueType"
        assert "/FontFile2" in font["/FontDescriptor"].get_object(), font["/BaseFont"]


def test_fonts_come_from_the_package_not_the_system() -> None:
    import crossfin.core.pdf as package

    folder = Path(package.__file__).parent / "fonts"
    for name in ["DroidSansFallbackFull.ttf", "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"]:
        assert (folder / name).stat().st_size > 100_000
    for licence in ["LICENSE-Apache-2.0.txt", "LICENSE-DejaVu.txt", "README.md"]:
        assert (folder / licence).is_file()


def test_same_input_same_bytes() -> None:
    first, again = _document(), _document()
    assert hashlib.sha256(first).digest() == hashlib.sha256(again).digest()
    assert _document(at=datetime(2026, 12, 5, tzinfo=UTC)) != first


def test_long_table_spills_onto_more_pages_with_its_header_repeated() -> None:
    texts = page_texts(_document(rows=120))
    assert len(texts) >= 3
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} of {len(texts)}" in text
        assert "Outcome" in text  # the header row repeats
    joined = "\n".join(texts)
    assert all(f"row-{n:03d}" in joined for n in range(120))
    assert "row-000" in texts[0] and "row-119" in texts[-1] and "row-119" not in texts[0]


def test_the_attachment_comes_back_byte_for_byte() -> None:
    assert attachments(_document()) == {"data.json": b'{"n": 1}\n'}


def test_a_document_without_attachments_has_none() -> None:
    pdf = PdfBuilder("标题", "Title", AT)
    pdf.paragraph("正文 body")
    data = pdf.build()
    assert read(data).attachments == {}
    assert "正文 body" in page_texts(data)[0]


def test_every_page_renders(tmp_path: Path) -> None:
    data = _document(rows=120)
    pages = render_pages(data, tmp_path)
    assert len(pages) == len(read(data).pages)
    assert all(p.stat().st_size > 1000 for p in pages)


@pytest.mark.parametrize("tone", list(Tone))
def test_badges_of_every_tone_print(tone: Tone) -> None:
    pdf = PdfBuilder("徽章", "Badge", AT)
    pdf.big_badge(Badge(f"状态 {tone.name}", tone))
    assert f"状态 {tone.name}" in page_texts(pdf.build())[0]
