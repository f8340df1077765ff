"""Build the Word and PDF fixtures of the Baustein "Pflegende Angehörige entlasten".

The tests call :func:`build_docx` and :func:`build_pdf` into a temporary folder, so no binary
file is committed. To look at them yourself::

    .venv/bin/python tests/data/baustein/make_fixtures.py /tmp/bausteine

Both documents carry the same statements (``EXPECTED`` in tests/surveys/test_baustein_reader.py),
with the quirks of their format:

* **.docx** (python-docx): Title and Heading 1/2 styles; "List Bullet", "List Number", a custom
  German style "Aufzählungszeichen", a Normal paragraph with Word numbering (``w:numPr``) and a
  Normal paragraph with a typed "•"; a soft line break inside a bullet; empty paragraphs; a page
  header and footer (not body text, must not leak in).
* **.pdf** (reportlab canvas, test-only dependency): lines laid out by hand like a typeset
  document, with words hyphenated at line ends ("Pflegebedürf-/tigen"), bullet glyphs drawn apart
  from their text, a "Warum …?" heading wrapped over two lines, a bullet continued across a page
  break, a running header and "Seite N von 3" footer on every page.
"""

from __future__ import annotations

import sys
from pathlib import Path

TITLE = "BAUSTEIN: Pflegende Angehörige entlasten"
HEADER = "Sorgende Gemeinschaften – Pflegende Angehörige entlasten"


def build_docx(path: str | Path) -> Path:
    """Write the Word version of the Baustein to ``path``."""
    from docx import Document
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    doc = Document()
    section = doc.sections[0]
    section.header.paragraphs[0].text = HEADER
    section.footer.paragraphs[0].text = "Seite 1 von 1"
    german_bullets = doc.styles.add_style("Aufzählungszeichen", WD_STYLE_TYPE.PARAGRAPH)
    german_bullets.base_style = doc.styles["Normal"]

    doc.add_paragraph(TITLE, style="Title")
    doc.add_heading("Kurzbeschreibung", level=1)
    doc.add_paragraph("Rund vier von fünf Pflegebedürftigen werden zu Hause versorgt, meist von Angehörigen.")
    doc.add_paragraph("")
    doc.add_paragraph(
        "Dieser Baustein zeigt, wie Kommune, Zivilgesellschaft und Dienste pflegende Angehörige "
        "gemeinsam entlasten können."
    )

    doc.add_heading("Warum ist die Entlastung pflegender Angehöriger wichtig?", level=1)
    doc.add_paragraph("Entlastung pflegender Angehöriger")
    doc.add_paragraph("erhält die Gesundheit der Pflegenden,", style="List Bullet")
    doc.add_paragraph("verhindert Krisen und vorzeitige Heimaufenthalte,", style="List Bullet")
    p = doc.add_paragraph("macht die Vereinbarkeit von Pflege", style="List Bullet")
    p.add_run().add_break()  # soft line break (Shift+Enter) inside one bullet
    p.add_run("und Beruf erst möglich,")
    doc.add_paragraph(
        "Pflege zu Hause gelingt nur, wenn auch die Pflegenden Unterstützung erfahren.",
        style="List Bullet",
    )

    doc.add_heading("Empfehlungen für die Praxis", level=1)
    doc.add_heading("Für die Zivilgesellschaft", level=2)
    for text in (
        "Gesprächskreise für pflegende Angehörige anbieten,",
        "Besuchsdienste aufbauen, die stundenweise entlasten,",
        "über Angebote informieren, etwa im Gemeindebrief.",
    ):
        doc.add_paragraph(text, style="List Number")
    doc.add_paragraph("")
    doc.add_heading("Für die Kommune", level=2)
    doc.add_paragraph("• einen Pflegestützpunkt oder eine Beratungsstelle gut erreichbar machen,")
    doc.add_paragraph("• Entlastungsangebote in der Sozialplanung berücksichtigen,")
    doc.add_paragraph("pflegende Angehörige in Beteiligungsprozesse einbeziehen,", style="List Paragraph")
    doc.add_paragraph(
        "Ehrenamtliche Helferinnen und Helfer schulen lassen und Schulungskosten übernehmen.",
        style="List Bullet",
    )
    doc.add_heading("Für Pflegedienste und Beratungsstellen", level=2)
    doc.add_paragraph("mit Nachbarschaftshilfen und Vereinen kooperieren,", style="Aufzählungszeichen")
    doc.add_paragraph(
        "Angehörige frühzeitig auf Entlastungsleistungen hinweisen.", style="Aufzählungszeichen"
    )

    doc.add_heading("Reflexion & Erfahrungen", level=1)
    for text in (
        "Viele Angehörige nehmen Hilfe erst spät in Anspruch.",
        "Niedrigschwellige, wohnortnahe Angebote werden eher genutzt.",
        "Vertrauen entsteht über persönliche Kontakte.",
    ):
        p = doc.add_paragraph(text)  # style Normal, but Word numbering on the paragraph itself
        ppr = p._p.get_or_add_pPr()
        num = OxmlElement("w:numPr")
        ilvl = OxmlElement("w:ilvl")
        ilvl.set(qn("w:val"), "0")
        num_id = OxmlElement("w:numId")
        num_id.set(qn("w:val"), "1")
        num.append(ilvl)
        num.append(num_id)
        ppr.append(num)

    doc.add_heading("Ergebnis", level=1)
    doc.add_paragraph(
        "Pflegende Angehörige fühlen sich gesehen und entlastet. Es entstehen Angebote, die den "
        "Alltag leichter machen, und ein Netz, das auch in Krisen trägt. Die Kommune wird als "
        "verlässliche Partnerin erlebt."
    )
    path = Path(path)
    doc.save(str(path))
    return path


# Lines of the PDF, page by page: (indent in points, text); "•" lines draw the glyph at the
# margin and the text 14 points further right, as typesetting programs do.
PDF_PAGES: list[list[tuple[int, str]]] = [
    [
        (0, TITLE),
        (0, ""),
        (0, "Kurzbeschreibung"),
        (0, "Rund vier von fünf Pflegebedürf-"),
        (0, "tigen werden zu Hause versorgt, meist von Angehörigen."),
        (0, "Dieser Baustein zeigt, wie Kommune, Zivilgesellschaft und Dienste pflegende Angehörige"),
        (0, "gemeinsam entlasten können."),
        (0, ""),
        (0, "Warum ist die Entlastung pflegender"),
        (0, "Angehöriger wichtig?"),
        (0, "Entlastung pflegender Angehöriger"),
        (14, "• erhält die Gesundheit der Pflegenden,"),
        (14, "• verhindert Krisen und vorzeitige Heimaufenthalte,"),
        (14, "• macht die Vereinbarkeit von Pflege und Beruf erst mög-"),
        (14, "lich,"),
        (14, "• Pflege zu Hause gelingt nur, wenn auch die Pflegenden Unterstützung"),
        (14, "erfahren."),
    ],
    [
        (0, "Empfehlungen für die Praxis"),
        (0, "Für die Zivilgesellschaft"),
        (14, "1. Gesprächs-"),
        (14, "kreise für pflegende Angehörige anbieten,"),
        (14, "2. Besuchsdienste aufbauen, die stundenweise entlasten,"),
        (14, "3. über Angebote informieren, etwa im Gemeindebrief."),
        (0, "Für die Kommune"),
        (14, "• einen Pflegestützpunkt oder eine Beratungsstelle gut erreichbar ma-"),
        (14, "chen,"),
        (14, "• Entlastungsangebote in der Sozialplanung berücksichtigen,"),
        (14, "• pflegende Angehörige in Beteiligungsprozesse einbeziehen,"),
        (14, "• Ehrenamtliche Helferinnen und Helfer schulen lassen und Schulungs-"),
    ],
    [
        (14, "kosten übernehmen."),
        (0, "Für Pflegedienste und Beratungsstellen"),
        (14, "• mit Nachbarschaftshilfen und Vereinen kooperieren,"),
        (14, "• Angehörige frühzeitig auf Entlastungsleistungen hinweisen."),
        (0, ""),
        (0, "Reflexion & Erfahrungen"),
        (14, "• Viele Angehörige nehmen Hilfe erst spät in Anspruch."),
        (14, "• Niedrigschwellige, wohnortnahe Angebote werden eher genutzt."),
        (14, "• Vertrauen entsteht über persönliche Kontakte."),
        (0, ""),
        (0, "Ergebnis"),
        (0, "Pflegende Angehörige fühlen sich gesehen und entlastet. Es entstehen Angebote, die den"),
        (0, "Alltag leichter machen, und ein Netz, das auch in Krisen trägt. Die Kommune wird als ver-"),
        (0, "lässliche Partnerin erlebt."),
    ],
]


def build_pdf(path: str | Path) -> Path:
    """Write the PDF version of the Baustein to ``path`` (needs reportlab, a test dependency)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    path = Path(path)
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)  # invariant: same bytes every run
    width, height = A4
    left, line_height = 72, 16
    n = len(PDF_PAGES)
    for number, lines in enumerate(PDF_PAGES, start=1):
        c.setFont("Helvetica", 8)
        c.drawString(left, height - 40, HEADER)
        c.drawRightString(width - left, 30, f"Seite {number} von {n}")
        y = height - 80
        for indent, text in lines:
            c.setFont("Helvetica", 10)
            if text.startswith("• "):
                c.drawString(left + indent - 10, y, "•")
                c.drawString(left + indent + 4, y, text[2:])
            elif text:
                c.drawString(left + indent, y, text)
            y -= line_height
        c.showPage()
    c.save()
    return path


if __name__ == "__main__":  # pragma: no cover - manual use
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    out.mkdir(parents=True, exist_ok=True)
    print(build_docx(out / "pflegende-angehoerige-entlasten.docx"))
    print(build_pdf(out / "pflegende-angehoerige-entlasten.pdf"))
