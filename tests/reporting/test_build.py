"""Report build: every page has its figures, works offline, speaks German, respects the small-cell rule."""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import nbformat
import openpyxl
import pytest

from reporting import labels as L  # noqa: N812
from reporting.audit import audit_outputs
from reporting.build import OVERVIEW_NOTEBOOKS
from reporting.notebook import setup

pytestmark = pytest.mark.notebooks

EXPECTED_FIGURES = {
    "01_import_quality": 3,
    "02_instrument": 6,
    "03_municipalities": 10,
    "04_commitment_structures": 4,
}


def _figure_count(html: str) -> int:
    return html.count("Plotly.newPlot(")


class _Visible(HTMLParser):
    """The text a reader sees: everything outside <script>, <style> and tags. The literature list
    (English titles, ``class="baustein-references"``) is not report text and is left out."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style") or (tag == "ol" and ("class", "baustein-references") in attrs):
            self._skip += 1
        for k, v in attrs:
            if k in ("title", "placeholder", "aria-label") and v:
                self.parts.append(v)  # tooltips are read too

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") or (tag == "ol" and self._skip):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    p = _Visible()
    p.feed(html)
    return " ".join(p.parts)


def figure_text(fig: dict[str, Any]) -> list[str]:
    """Every string of a plotly figure a reader can see: titles, axis titles and ticks, legend, hover."""
    out: list[str] = []

    def walk(obj: Any, key: str = "") -> None:
        if isinstance(obj, dict):
            for k, v in obj.items():
                if k in ("text", "name", "ticktext", "hovertemplate", "x", "y", "customdata", "title") or isinstance(v, (dict, list)):
                    walk(v, k)
        elif isinstance(obj, list):
            for v in obj:
                walk(v, key)
        elif isinstance(obj, str) and key:
            out.append(re.sub(r"%\{[^}]*\}", " ", obj))

    walk(fig)
    return out


def _raw_hits(text: str, raw: frozenset[str]) -> list[str]:
    # a command-line option in a hint ("--wave") is not a variable name
    return sorted(w for w in raw if re.search(rf"(?<![\w.(-]){re.escape(w)}(?![\w(])", text))


@pytest.fixture(scope="module")
def results(example_dataset: Path):  # type: ignore[no-untyped-def]
    return setup(example_dataset, lang="de", min_n=5).results


def test_index_links_every_overview_page_profile_methods_and_downloads(example_reports: Path) -> None:
    index = (example_reports / "index.html").read_text(encoding="utf-8")
    for name in (*OVERVIEW_NOTEBOOKS, "methoden"):
        assert f'href="{name}.html"' in index
        assert (example_reports / f"{name}.html").is_file()
    profiles = sorted((example_reports / "profile").glob("*.html"))
    assert len(profiles) == 2
    for p in profiles:
        assert f'href="profile/{p.name}"' in index
        assert f'href="profile/{p.stem}.pdf"' in index and f'href="profile/{p.stem}.docx"' in index
    for f in ("results.xlsx", "results.json", "berichte.zip", "landesuebersicht.pdf", "landesuebersicht.docx"):
        assert (example_reports / f).is_file() and f'href="{f}"' in index, f


@pytest.mark.parametrize("name", OVERVIEW_NOTEBOOKS)
def test_every_overview_page_contains_its_figures_and_no_code(example_reports: Path, name: str) -> None:
    html = (example_reports / f"{name}.html").read_text(encoding="utf-8")
    assert _figure_count(html) >= EXPECTED_FIGURES[name]
    assert "from reporting import" not in html  # code cells are hidden
    assert "So geht es" not in html  # the notebooks' introductions for JupyterLab users are left out
    assert "Traceback" not in html
    assert 'data-mime-type="application/vnd.jupyter.stderr"' not in html  # no warnings/errors printed


def test_every_page_has_a_way_back_to_the_index(example_reports: Path) -> None:
    pages = [*example_reports.glob("*.html"), *(example_reports / "profile").glob("*.html")]
    for page in pages:
        if page.name == "index.html":
            continue
        html = page.read_text(encoding="utf-8")
        prefix = "../" if page.parent.name == "profile" else ""
        assert f'class="back" href="{prefix}index.html"' in html, page


def test_profile_page_has_sentences_starting_points_and_its_four_figures(example_reports: Path) -> None:
    page = next((example_reports / "profile").glob("*.html")).read_text(encoding="utf-8")
    assert _figure_count(page) >= 4
    assert 'src="../assets/plotly.min.js"' in page
    text = visible_text(page)
    assert "Das Wichtigste in Kürze" in text and "Ansatzpunkte aus dem Baustein" in text
    assert "Empfehlungen für die Praxis" in text or "Dazu empfiehlt der Baustein" in text


def test_reports_work_offline_plotly_shipped_once_no_internet_references(example_reports: Path) -> None:
    js = example_reports / "assets" / "plotly.min.js"
    assert js.stat().st_size > 1_000_000
    for page in [*example_reports.glob("*.html"), *(example_reports / "profile").glob("*.html")]:
        html = page.read_text(encoding="utf-8")
        assert not re.search(r"<script[^>]+src=\"https?://", html), page.name
        assert "cdn.plot.ly" not in html
        assert page.stat().st_size < 2_000_000  # plotly.js is not inlined per page


def test_pages_share_one_stylesheet_so_profiles_stay_small(example_reports: Path) -> None:
    css = list((example_reports / "assets").glob("notebook-*.css"))
    assert len(css) == 1 and css[0].stat().st_size > 100_000
    for page in (example_reports / "profile").glob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert f'href="../assets/{css[0].name}"' in html and 'href="../assets/report.css"' in html
        assert "<style" not in html
        assert page.stat().st_size < 200_000  # 1,100 profiles must not mean 1,100 copies of the CSS
    assert "cdnjs" not in (example_reports / "01_import_quality.html").read_text(encoding="utf-8")


def test_no_german_page_shows_a_raw_variable_name(example_reports: Path, results) -> None:  # type: ignore[no-untyped-def]
    raw = L.raw_names(results.tables)
    assert {"council_resolution", "n_groups", "ms_between", "raw.r", "rwg_star_j", "eta2", "type_en",
            "C(role)", "verwaltung", "struktur"} <= raw
    problems = {}
    for page in [*example_reports.glob("*.html"), *(example_reports / "profile").glob("*.html")]:
        hits = _raw_hits(visible_text(page.read_text(encoding="utf-8")), raw)
        if hits:
            problems[page.name] = hits
    for nb_path in (example_reports / "notebooks").glob("*.ipynb"):
        nb = nbformat.read(nb_path, as_version=4)
        strings = [s for c in nb.cells for o in c.get("outputs", [])
                   for s in figure_text(o.get("data", {}).get("application/vnd.plotly.v1+json", {}))]
        hits = _raw_hits(" | ".join(strings), raw)
        if hits:
            problems[nb_path.name] = hits
    assert not problems, problems


def test_no_german_workbook_header_is_a_raw_variable_name(example_reports: Path, example_dataset: Path,
                                                          results) -> None:  # type: ignore[no-untyped-def]
    raw = L.raw_names(results.tables) | {str(c) for t in results.tables.values() for c in t.columns if "_" in str(c)}
    wb = openpyxl.load_workbook(example_reports / "results.xlsx", read_only=True)
    bad = {}
    for ws in wb.worksheets[1:]:
        header = [str(h) for h in next(ws.iter_rows(max_row=1, values_only=True))]
        hits = [h for h in header if h in raw or re.fullmatch(r"[a-z]+(_[a-z0-9]+)+|\w+\.\w+", h)]
        if hits:
            bad[ws.title] = hits
    assert not bad, bad
    likert = wb["likert"]
    rows = list(likert.iter_rows(max_row=6, values_only=True))
    col = rows[0].index("Antwort")
    assert {r[col] for r in rows[1:]} >= {"stimme gar nicht zu", "stimme voll zu"}  # words, not 1-5
    roles = wb["antworten_kommune_rolle"]
    rr = list(roles.iter_rows(values_only=True))
    role_col = rr[0].index("Rolle")
    assert {r[role_col] for r in rr[1:]} & {"Verwaltung", "Verein / Initiative"}
    assert not {r[role_col] for r in rr[1:]} & {"verwaltung", "verein", "dienst"}
    rej = openpyxl.load_workbook(example_dataset / "rejections.xlsx", read_only=True).worksheets[0]
    assert next(rej.iter_rows(max_row=1, values_only=True))[:3] == ("Schwere", "Datei", "Blatt")


def test_workbook_counts_are_integers_and_p_values_read_below_a_thousandth(example_reports: Path) -> None:
    wb = openpyxl.load_workbook(example_reports / "results.xlsx")  # not read-only: number formats
    ws = wb["kommunen"]
    header = [c.value for c in ws[1]]
    n_cell = ws.cell(row=2, column=header.index("n") + 1)
    assert isinstance(n_cell.value, int) and n_cell.number_format == "0"
    om = wb["vergleich_omnibus"]
    h = [c.value for c in om[1]]
    assert '"< 0,001"' in om.cell(row=2, column=h.index("p") + 1).number_format


def test_audit_finds_no_small_group_in_any_report_output(example_reports: Path) -> None:
    findings = audit_outputs(example_reports, min_n=5)
    assert findings.empty, findings.to_string()


def test_static_images_of_key_charts_exist_when_chromium_is_installed(example_reports: Path) -> None:
    images = sorted((example_reports / "images").glob("*")) if (example_reports / "images").exists() else []
    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        pytest.skip("chromium not installed: static images are documented as unavailable")
    pngs = [p for p in images if p.suffix == ".png"]
    pdfs = [p for p in images if p.suffix == ".pdf"]
    assert len(pngs) >= 4 and len(pdfs) == len(pngs)
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in pngs)
    assert all(p.read_bytes()[:5] == b"%PDF-" for p in pdfs)


def test_build_timings_are_recorded(example_reports: Path) -> None:
    build = json.loads((example_reports / "build.json").read_text())
    assert build["profiles"] == 2
    assert set(build["timings_s"]) >= {"analysis", "overview", "profiles"}
