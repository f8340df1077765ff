"""PDF and Word files of the profiles and the state overview, and a ZIP of all of them.

* **PDF** -- the HTML page printed by headless Chromium (the Debian ``chromium`` package, driven by
  Playwright's Python package; no browser download): A4, 14–16 mm margins, a footer with the page's
  title and page numbers; charts stay vector graphics. The page is laid out at A4 print width
  before printing, so the charts are drawn for the paper, not for the screen.
* **Charts as images** -- while a profile page is open for printing, each chart's SVG as drawn for
  print is rasterised at twice the resolution in the same page (what kaleido does in its own
  Chromium, minus a new page and a re-render per chart: measured 0.13 s for a profile's four
  charts, against 0.23 s *per chart* through kaleido and 0.35 s with ``Plotly.toImage``).
* **Word** -- python-docx: A4, German language tag, the profile's sentences, the starting points
  from the Baustein with their quotations, a table of the scales against the state, the charts
  as PNG and a footer; the state overview gets the analysis text, key tables, the key charts
  (kaleido PNGs) and the methods.
* **ZIP** -- every PDF and Word file, for sending.

One Chromium with two pages at a time serves all pages of a build (:func:`print_pages`); the
Word files are written in a thread meanwhile.
"""

from __future__ import annotations

import base64
import datetime as _dt
import io
import re
import shutil
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from . import labels as L  # noqa: N812
from .formatting import fmt_interval

__all__ = [
    "A4_CSS_WIDTH",
    "PrintJob",
    "chromium_path",
    "print_pages",
    "write_overview_docx",
    "write_profile_docx",
    "zip_documents",
]

#: Width in CSS pixels of the printable A4 area (210 mm − 2 × 14 mm at 96 px per inch).
A4_CSS_WIDTH = 688
_MARGINS = {"top": "14mm", "bottom": "16mm", "left": "14mm", "right": "14mm"}
_CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage"]


def chromium_path() -> str | None:
    """The system Chromium (Debian ``chromium``), or None when it is not installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


_FOOTER = ('<div style="font-size:8px;font-family:Arial,sans-serif;color:#666;width:100%;padding:0 14mm;'
           'display:flex;justify-content:space-between"><span>{title}</span><span>{page}</span></div>')


@dataclass(frozen=True)
class PrintJob:
    """One page to print: the HTML file, where its PDF goes (None: no PDF), the footer title, and
    whether its charts are wanted as PNG (for a Word file)."""

    html: Path
    pdf: Path | None
    title: str
    images: bool = False
    key: str = ""


#: Called with a finished job and its charts as PNG (in page order), in a worker thread.
OnDone = Callable[[PrintJob, list[bytes]], None]


def print_pages(jobs: Sequence[PrintJob], lang: str = "de", workers: int = 2, on_done: OnDone | None = None,
                progress: Callable[[int, int], None] | None = None, executable: str | None = None,
                image_scale: float = 2, timeout_ms: int = 120_000) -> None:
    """Print pages to A4 PDF and export their charts, with ``workers`` pages of one headless Chromium.

    Parameters
    ----------
    jobs : sequence of PrintJob
    lang : {"de", "en"}
        Language of the footer ("Seite 1 von 3").
    workers : int
        Pages printed at the same time (two keep both cores of a small machine busy).
    on_done : callable (job, pngs), optional
        Runs in a worker thread while Chromium goes on with the next pages (the Word files are
        written there). Its exceptions are raised at the end.
    progress : callable (done, total), optional

    Notes
    -----
    Each worker opens the first page of a folder normally; for the next pages with the same
    stylesheets it only replaces the body and runs its scripts (the charts' ``Plotly.newPlot``
    calls): parsing 4.8 MB of plotly.js and the notebook CSS for every profile cost most of a second.
    """
    import asyncio

    from .messages import report_error

    exe = executable or chromium_path()
    if not exe:
        raise report_error("chromium_missing")
    if not jobs:
        return
    run = lambda: asyncio.run(_print_all(list(jobs), lang, max(1, workers), on_done, progress, exe,  # noqa: E731
                                         image_scale, timeout_ms))
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # the usual case: no event loop here (command line, tests)
        run()
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as ex:  # called from a running loop (a notebook): own thread
        ex.submit(run).result()


async def _print_all(jobs: list[PrintJob], lang: str, workers: int, on_done: OnDone | None,
                     progress: Callable[[int, int], None] | None, exe: str, image_scale: float, timeout_ms: int) -> None:
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from playwright.async_api import async_playwright

    from .messages import report_error

    queue: asyncio.Queue[PrintJob] = asyncio.Queue()
    for j in jobs:
        queue.put_nowait(j)
    loop = asyncio.get_running_loop()
    pending: list[Any] = []
    done = 0
    word, of = ("Seite", "von") if lang == "de" else ("page", "of")

    shells: dict[int, tuple[Path, str]] = {}  # per page: folder and stylesheets of what it shows

    async def print_one(page: Any, job: PrintJob) -> list[bytes]:
        text = job.html.read_text(encoding="utf-8")
        sheets = " ".join(_STYLESHEET.findall(text))
        body = _BODY.search(text)
        if body is None or shells.get(id(page)) != (job.html.parent, sheets):
            await page.goto(job.html.resolve().as_uri(), wait_until="load", timeout=timeout_ms)
            shells[id(page)] = (job.html.parent, sheets)
        else:
            title = _TITLE.search(text)
            await page.evaluate(_REPLACE_BODY, {"body": body.group(1), "title": title.group(1) if title else ""})
        await page.wait_for_function(_CHARTS_DRAWN, timeout=timeout_ms)
        if job.pdf is not None:
            footer = _FOOTER.format(title=_esc(job.title), page=f'{word} <span class="pageNumber"></span> {of} '
                                                                '<span class="totalPages"></span>')
            await page.pdf(path=str(job.pdf), format="A4", print_background=True, margin=_MARGINS,
                           display_header_footer=True, header_template="<span></span>", footer_template=footer)
        if not job.images:
            return []
        urls = await page.evaluate(_TO_IMAGES, image_scale)
        return [base64.b64decode(u.split(",", 1)[1]) for u in urls]

    async def worker(browser: Any, pool: ThreadPoolExecutor) -> None:
        nonlocal done
        page = await browser.new_page(viewport={"width": A4_CSS_WIDTH, "height": 1000})
        await page.emulate_media(media="print")
        while not queue.empty():
            job = queue.get_nowait()
            try:
                pngs = await print_one(page, job)
            except Exception as exc:
                raise report_error("print_failed", page=job.html.name, detail=f"{type(exc).__name__}: {exc}") from exc
            if on_done is not None:
                pending.append(loop.run_in_executor(pool, on_done, job, pngs))
            done += 1
            if progress is not None:
                progress(done, len(jobs))
        await page.close()

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=exe, headless=True, args=_CHROMIUM_ARGS)
        try:
            with ThreadPoolExecutor(max_workers=1) as pool:
                await asyncio.gather(*(worker(browser, pool) for _ in range(min(workers, len(jobs)))))
                await asyncio.gather(*pending)
        finally:
            await browser.close()


_CHARTS_DRAWN = ("() => Array.from(document.querySelectorAll('.js-plotly-plot'))"
                 ".every(g => g.querySelector('.main-svg') && g._fullLayout)")
#: Every chart as PNG, as it is drawn for print (A4 width): the chart's SVG (``Plotly.Snapshot.toSVG``,
#: what ``Plotly.toImage`` and kaleido serialise too) drawn on a canvas at twice the resolution. It
#: skips the re-rendering ``toImage`` does first: 0.13 s for a profile's four charts instead of 0.35 s.
_TO_IMAGES = """(scale) => Promise.all(Array.from(document.querySelectorAll('.js-plotly-plot')).map(gd =>
  new Promise((resolve, reject) => {
    const w = gd._fullLayout.width, h = gd._fullLayout.height, img = new Image();
    img.onload = () => {
      const c = document.createElement('canvas'); c.width = w * scale; c.height = h * scale;
      const ctx = c.getContext('2d'); ctx.fillStyle = 'white'; ctx.fillRect(0, 0, c.width, c.height);
      ctx.drawImage(img, 0, 0, c.width, c.height); resolve(c.toDataURL('image/png'));
    };
    img.onerror = () => reject(new Error('chart image failed'));
    img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(Plotly.Snapshot.toSVG(gd));
  })))"""
_STYLESHEET = re.compile(r'<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"', re.I)
_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.S | re.I)
_TITLE = re.compile(r"<title>(.*?)</title>", re.S | re.I)
_REPLACE_BODY = """(arg) => {
  document.querySelectorAll('.js-plotly-plot').forEach(g => { try { Plotly.purge(g); } catch (e) {} });
  const tmp = document.createElement('template');
  tmp.innerHTML = arg.body;
  document.title = new DOMParser().parseFromString('<title>' + arg.title + '</title>', 'text/html').title;
  document.body.replaceChildren(tmp.content);
  document.body.querySelectorAll('script').forEach(old => {
    const s = document.createElement('script');
    for (const a of old.attributes) { s.setAttribute(a.name, a.value); }
    s.textContent = old.textContent;
    old.replaceWith(s);
  });
}"""


def _esc(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# ---------------------------------------------------------------------------------------- Word
_MD_TOKEN = re.compile(r"(\*\*[^*]+\*\*|\*[^*]+\*)")


def _runs(par: Any, text: str, italic: bool = False) -> None:
    """Add Markdown text (``**bold**``, ``*italic*``) to a python-docx paragraph as runs."""
    for tok in _MD_TOKEN.split(text):
        if not tok:
            continue
        if tok.startswith("**") and tok.endswith("**"):
            par.add_run(tok[2:-2]).bold = True
        elif tok.startswith("*") and tok.endswith("*"):
            par.add_run(tok[1:-1]).italic = True
        else:
            par.add_run(tok).italic = italic


def _document(lang: str) -> Any:
    """A new A4 document: 2 cm margins, Arial 10.5 pt, document language set (hyphenation, spelling)."""
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.left_margin = sec.right_margin = Mm(20)
    sec.top_margin, sec.bottom_margin = Mm(18), Mm(18)
    style = doc.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(10.5)
    rpr = style.element.get_or_add_rPr()
    lang_el = rpr.find(qn("w:lang"))
    if lang_el is None:
        lang_el = rpr.makeelement(qn("w:lang"), {})
        rpr.append(lang_el)
    lang_el.set(qn("w:val"), "de-DE" if lang == "de" else "en-GB")
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3"):
        doc.styles[name].font.name = "Arial"
    return doc


def _footer(doc: Any, text: str, lang: str) -> None:
    """Footer with ``text`` and the page number (a PAGE field Word fills in)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    par = doc.sections[0].footer.paragraphs[0]
    run = par.add_run(f"{text} · {'Seite' if lang == 'de' else 'page'} ")
    run.font.size = Pt(8)
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), "PAGE")
    r = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = "1"
    r.append(t)
    fld.append(r)
    par._p.append(fld)


def _table(doc: Any, df: pd.DataFrame, headers: dict[str, str], lang: str, decimals: int = 2) -> None:
    """A compact Word table of ``df`` with ``headers`` (numbers formatted as on the pages)."""
    from docx.shared import Pt

    from .notebook import cell_text

    cols = [c for c in headers if c in df.columns]
    if not cols or df.empty:
        return
    table = doc.add_table(rows=1, cols=len(cols))
    table.style = doc.styles["Light Grid Accent 1"]
    for j, c in enumerate(cols):
        cell = table.rows[0].cells[j]
        cell.text = ""
        cell.paragraphs[0].add_run(headers[c]).bold = True
    for _, r in df.iterrows():
        cells = table.add_row().cells
        for j, c in enumerate(cols):
            txt, _ = cell_text(r[c], c, decimals, lang)
            cells[j].text = txt
    for row in table.rows:
        for cell in row.cells:
            for p in cell.paragraphs:
                for run in p.runs:
                    run.font.size = Pt(9)
    doc.add_paragraph()


def _heading_text(markdown: str) -> str:
    return markdown.split("\n", 1)[0].lstrip("#").strip()


@dataclass(frozen=True)
class _Figure:
    heading: str
    png: bytes | None


def write_profile_docx(path: Path, ctx: Any, text: Any, parts: Sequence[Any], images: Sequence[bytes],
                       note: str = "") -> Path:
    """The Word file of one profile.

    Parameters
    ----------
    path : Path
    ctx : reporting.notebook.ReportContext
    text : reporting.narrative.ProfileText
    parts : sequence of reporting.profile.Part
        The profile's parts (headings and figures are taken in order).
    images : sequence of bytes
        One PNG per figure part, in order (e.g. from :meth:`ChromiumPrinter.render`); missing
        images are named in a note instead.
    note : str
        Why charts are missing, if they are.
    """
    from docx.shared import Cm

    from .notebook import notes_for_page

    lang = ctx.lang
    doc = _document(lang)
    bullet, numbered = doc.styles["List Bullet"], doc.styles["List Number"]
    header = next((p.content for p in parts if p.key == "header"), f"## {text.name} ({text.ags})")
    lines = [ln for ln in header.splitlines() if ln.strip()]
    doc.add_heading(f"{L.text('profile_of', lang)}: {_heading_text(lines[0])}", level=0)
    if len(lines) > 1:
        _runs(doc.add_paragraph(), lines[1])
    notes = notes_for_page(ctx.results, "05_municipality_profile")
    if len(notes):
        doc.add_heading(L.text("notes_title", lang), level=2)
        for r in notes.itertuples(index=False):
            doc.add_paragraph(str(getattr(r, "reason_de" if lang == "de" else "reason_en", "")), style=bullet)
    doc.add_heading(L.text("summary_title", lang), level=1)
    if text.sentences:
        for s in text.sentences:
            _runs(doc.add_paragraph(), s.text)
    else:
        doc.add_paragraph(text.note)
    doc.add_heading(L.text("advice_title", lang), level=1)
    for line in text.advice_markdown().splitlines():
        if not line.strip():
            continue
        stripped = line.strip().rstrip()
        m = re.match(r"^(\d+)\.\s+(.*)$", stripped)
        if m:
            _runs(doc.add_paragraph(style=numbered), m.group(2))
        elif line.startswith("   "):
            par = doc.add_paragraph()
            par.paragraph_format.left_indent = Cm(0.8)
            _runs(par, stripped)
        else:
            _runs(doc.add_paragraph(), stripped)
    rows = ctx.profile_data.funnel.get(text.ags)
    if rows is not None and len(rows):
        rows = rows[~rows["suppressed"].astype(bool)]
        labels = {c.id: c.label(lang) for c in ctx.instrument.constructs}
        k = ctx.results["kommunen"] if "kommunen" in ctx.results else pd.DataFrame()
        mine = k[k["ags"].astype(str) == text.ags].set_index("variable") if len(k) else pd.DataFrame()
        tab = pd.DataFrame({
            "scale": rows["construct"].map(labels).to_numpy(),
            "value": rows["value"].to_numpy(),
            "ci": [fmt_interval(mine.loc[c, "ci_low"], mine.loc[c, "ci_high"], 2, lang) if c in mine.index else "–"
                   for c in rows["construct"]],
            "target": rows["target"].to_numpy(),
            "flag": rows["flag"].map(lambda f: L.value("flag", f, lang)).to_numpy() if "flag" in rows else "",
        })
        doc.add_heading("Skalen im Vergleich zum Land" if lang == "de" else "Scales against the state", level=2)
        _table(doc, tab, {"scale": L.header("construct", lang), "value": L.text("mean_short", lang),
                          "ci": "95-%-KI" if lang == "de" else "95 % CI", "target": L.text("target", lang),
                          "flag": L.header("flag", lang)}, lang)
    figures = []
    heading = ""
    for p in parts:
        if p.kind == "markdown" and p.key.startswith("h_"):
            heading = _heading_text(p.content)
        elif p.kind == "figure":
            figures.append(_Figure(heading, images[len(figures)] if len(figures) < len(images) else None))
    for f in figures:
        doc.add_heading(f.heading, level=2)
        if f.png:
            doc.add_picture(io.BytesIO(f.png), width=Cm(16.5))
        else:
            doc.add_paragraph(L.text("charts_missing", lang, why=note or "–"))
    doc.add_heading(L.text("glossary_title", lang).replace(" auf dieser Seite", "").replace(" on this page", ""), level=2)
    from .profile import PROFILE_GLOSSARY

    for key in PROFILE_GLOSSARY:
        par = doc.add_paragraph()
        par.add_run(L.term(key, lang) + ": ").bold = True
        par.add_run(L.explain(key, lang))
    _footer(doc, f"{text.name} ({text.ags}) · " + L.text(
        "made_with", lang, v=ctx.results.meta.get("tool_version", ""), date=_dt.date.today().strftime("%d.%m.%Y")), lang)
    doc.core_properties.title = f"{L.text('profile_of', lang)}: {text.name} ({text.ags})"
    doc.core_properties.language = "de-DE" if lang == "de" else "en-GB"
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


def write_overview_docx(path: Path, ctx: Any, images: dict[str, bytes], note: str = "") -> Path:
    """The Word file of the state overview: summary, explorer default view, model, hypotheses, methods.

    Parameters
    ----------
    path : Path
    ctx : reporting.notebook.ReportContext
    images : dict of name -> PNG
        The key charts (:func:`reporting.figures.key_figures`, exported by kaleido).
    note : str
        Why charts are missing, if they are.
    """
    from docx.shared import Cm

    from . import figures as F  # noqa: N812
    from .explore import explore_view
    from .methods import methods_sections

    lang = ctx.lang
    doc = _document(lang)
    doc.add_heading(L.text("index_title", lang), level=0)
    _runs(doc.add_paragraph(), F.import_summary_text(ctx.dataset, lang).replace("`", ""))
    titles = {"engagement_strukturen": L.section("04_scatter", lang), "strukturen_nach_typ": L.section("04_types", lang),
              "modell_koeffizienten": L.section("04_model", lang), "reliabilitaet": L.section("02_reliability", lang),
              "funnel_strukturen": L.section("03_funnels", lang)}
    doc.add_heading(_heading_text(L.section("04_title", lang)), level=1)
    _runs(doc.add_paragraph(), L.section("04_title", lang).split("\n\n", 1)[-1])
    view = explore_view(ctx)
    doc.add_heading(_heading_text(L.section("04_scatter", lang)), level=2)
    if images.get("engagement_strukturen"):
        doc.add_picture(io.BytesIO(images["engagement_strukturen"]), width=Cm(16.5))
    _table(doc, view.typology, view.typology_headers, lang)
    for key in ("strukturen_nach_typ", "modell_koeffizienten"):
        doc.add_heading(_heading_text(titles[key]), level=2)
        if images.get(key):
            doc.add_picture(io.BytesIO(images[key]), width=Cm(16.5))
        elif note:
            doc.add_paragraph(L.text("charts_missing", lang, why=note))
    if "modell_kennwerte" in ctx.results:
        _runs(doc.add_paragraph(), F.model_text(ctx.results, lang))
    doc.add_heading(_heading_text(L.section("04_hypotheses", lang)), level=2)
    for line in F.hypotheses_text(ctx.results, lang).splitlines():
        _runs(doc.add_paragraph(style="List Bullet"), line.lstrip("- "))
    doc.add_heading(_heading_text(L.section("03_funnels", lang)), level=1)
    if images.get("funnel_strukturen"):
        doc.add_picture(io.BytesIO(images["funnel_strukturen"]), width=Cm(16.5))
    doc.add_heading(_heading_text(L.section("02_reliability", lang)), level=1)
    if images.get("reliabilitaet"):
        doc.add_picture(io.BytesIO(images["reliabilitaet"]), width=Cm(16.5))
    _table(doc, *F.reliability_table(ctx.results, ctx.instrument, lang), lang)
    doc.add_page_break()
    doc.add_heading(L.text("methods", lang), level=0)
    for heading, blocks in methods_sections(ctx.dataset, ctx.results, lang):
        doc.add_heading(heading, level=1)
        for kind, content in blocks:
            if kind == "p":
                doc.add_paragraph(content)
            elif kind == "table":
                df, headers, _ = content
                _table(doc, df, headers, lang)
            elif kind == "dl":
                for t, d in content:
                    par = doc.add_paragraph()
                    par.add_run(t + ": ").bold = True
                    par.add_run(d)
            elif kind in ("ol", "refs"):
                for t in content:
                    doc.add_paragraph(t, style="List Number")
    _footer(doc, L.text("made_with", lang, v=ctx.results.meta.get("tool_version", ""),
                        date=_dt.date.today().strftime("%d.%m.%Y")), lang)
    doc.core_properties.title = L.text("index_title", lang)
    doc.core_properties.language = "de-DE" if lang == "de" else "en-GB"
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


def zip_documents(folder: Path, files: Iterable[Path], target: Path) -> Path:
    """A ZIP of ``files`` (paths inside ``folder``, stored under their relative names), sorted."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(set(files)):
            if f.exists():
                zf.write(f, f.relative_to(folder).as_posix())
    return target
