"""PDF and Word files: they open, are A4, and hold the municipality's name, its text and its charts."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest

from reporting.narrative import profile_text
from reporting.notebook import setup

pytestmark = [pytest.mark.notebooks, pytest.mark.browser]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
A4_MM = (210, 297)


@pytest.fixture(scope="module")
def profiles(example_reports: Path, example_dataset: Path) -> list[tuple[str, object]]:
    if not CHROMIUM:
        pytest.skip("chromium is not installed: no PDFs, Word files without charts")
    ctx = setup(example_dataset, lang="de", min_n=5)
    out = []
    for html in sorted((example_reports / "profile").glob("*.html")):
        out.append((html.stem, profile_text(ctx.profile_data, ctx.instrument, html.stem, "de", n_waves=ctx.n_waves)))
    return out


def _plain(markdown: str) -> str:
    return re.sub(r"\*+", "", markdown)


def test_profile_pdfs_are_a4_and_hold_name_sentences_and_charts(example_reports: Path, profiles) -> None:  # type: ignore[no-untyped-def]
    from pypdf import PdfReader

    for ags, text in profiles:
        reader = PdfReader(example_reports / "profile" / f"{ags}.pdf")
        assert 2 <= len(reader.pages) <= 8
        for page in reader.pages:  # A4 within 1 mm (Chromium's A4 is 595.92 x 842.88 pt)
            mm = (float(page.mediabox.width) / 72 * 25.4, float(page.mediabox.height) / 72 * 25.4)
            assert abs(mm[0] - A4_MM[0]) < 1 and abs(mm[1] - A4_MM[1]) < 1
        content = " ".join(p.extract_text() for p in reader.pages)
        flat = re.sub(r"\s+", " ", content)
        assert text.name in flat and f"Seite 1 von {len(reader.pages)}" in flat
        first = re.sub(r"\s+", " ", _plain(text.sentences[0].text))
        assert first[:60] in flat  # the profile's first sentence, as printed
        # the charts are vector graphics in the PDF: their axis titles and tick labels are text
        assert "Mittelwert (95-%-KI)" in flat and "Landesmittel" in flat


def test_profile_word_files_hold_name_sentences_quotes_and_four_charts(example_reports: Path, profiles) -> None:  # type: ignore[no-untyped-def]
    import docx

    for ags, text in profiles:
        d = docx.Document(str(example_reports / "profile" / f"{ags}.docx"))
        sec = d.sections[0]
        assert (round(sec.page_width.mm), round(sec.page_height.mm)) == (210, 297)
        paras = [p.text for p in d.paragraphs]
        assert text.name in paras[0] and ags in paras[0]
        body = "\n".join(paras)
        for s in text.sentences:
            assert _plain(s.text) in body
        assert any(f"„{r.statement}“" in body for a in text.advice for r in a.recommendations)
        assert len(d.inline_shapes) == 4  # profile, perspectives, waves, funnel positions
        pngs = [r for r in d.part.related_parts.values() if r.content_type == "image/png"]
        assert len(pngs) == 4 and all(p.blob[:8] == b"\x89PNG\r\n\x1a\n" and len(p.blob) > 20_000 for p in pngs)
        table = d.tables[0]  # the scales against the state: a header and one row per scale
        assert [c.text for c in table.rows[0].cells][:2] == ["Skala", "Mittelwert"] and len(table.rows) == 1 + 5


def test_state_overview_pdf_and_word_and_a_zip_of_all_documents(example_reports: Path, profiles) -> None:  # type: ignore[no-untyped-def]
    import docx
    from pypdf import PdfReader

    reader = PdfReader(example_reports / "landesuebersicht.pdf")
    text = " ".join(p.extract_text() for p in reader.pages)
    for title in ("Import und Datenqualität", "Kommunen im Vergleich", "Methoden"):
        assert title in text
    d = docx.Document(str(example_reports / "landesuebersicht.docx"))
    assert len(d.inline_shapes) >= 4
    assert any(p.text == "Methoden" for p in d.paragraphs)
    with zipfile.ZipFile(example_reports / "berichte.zip") as zf:
        names = set(zf.namelist())
        assert zf.testzip() is None
    expected = {"landesuebersicht.pdf", "landesuebersicht.docx"} | {
        f"profile/{ags}.{ext}" for ags, _ in profiles for ext in ("pdf", "docx")}
    assert names == expected
