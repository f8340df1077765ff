"""Report build: every page has its figures, works offline, respects the small-cell rule."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from reporting.audit import audit_outputs
from reporting.build import OVERVIEW_NOTEBOOKS

pytestmark = pytest.mark.notebooks

EXPECTED_FIGURES = {
    "01_import_quality": 3,
    "02_instrument": 6,
    "03_municipalities": 9,
    "04_commitment_structures": 4,
}


def _figure_count(html: str) -> int:
    return html.count("Plotly.newPlot(")


def test_index_links_every_overview_page_profile_and_results(example_reports: Path) -> None:
    index = (example_reports / "index.html").read_text(encoding="utf-8")
    for name in OVERVIEW_NOTEBOOKS:
        assert f'href="{name}.html"' in index
        assert (example_reports / f"{name}.html").is_file()
    profiles = sorted((example_reports / "profile").glob("*.html"))
    assert len(profiles) == 2
    for p in profiles:
        assert f'href="profile/{p.name}"' in index
    assert (example_reports / "results.xlsx").is_file() and (example_reports / "results.json").is_file()


@pytest.mark.parametrize("name", OVERVIEW_NOTEBOOKS)
def test_every_overview_page_contains_its_figures_and_no_code(example_reports: Path, name: str) -> None:
    html = (example_reports / f"{name}.html").read_text(encoding="utf-8")
    assert _figure_count(html) >= EXPECTED_FIGURES[name]
    assert "from analysis import figures" not in html  # code cells are hidden
    assert "Traceback" not in html
    assert 'data-mime-type="application/vnd.jupyter.stderr"' not in html  # no warnings/errors printed


def test_profile_page_has_profile_gap_wave_and_funnel_figures(example_reports: Path) -> None:
    page = next((example_reports / "profile").glob("*.html")).read_text(encoding="utf-8")
    assert _figure_count(page) >= 4
    assert 'src="../assets/plotly.min.js"' in page


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
        assert f'href="../assets/{css[0].name}"' in html
        assert "<style" not in html
        assert page.stat().st_size < 150_000  # 1,100 profiles must not mean 1,100 copies of the CSS
    assert "cdnjs" not in (example_reports / "01_import_quality.html").read_text(encoding="utf-8")


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
