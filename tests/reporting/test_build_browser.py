"""A real headless Chromium opens the index and the report pages; plots render, search and sort work.

Screenshots are kept in ``tests/artifacts/`` for a human to look at: every page at 1400 px, the
profile also at A4 print width.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reporting.documents import A4_CSS_WIDTH

pytestmark = [pytest.mark.browser, pytest.mark.notebooks]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    if not CHROMIUM:
        pytest.skip("chromium is not installed (make test installs it with apt-get when run as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"],
        )
        yield b
        b.close()


def _open(browser, path: Path, width: int = 1400, plots: bool = True, media: str = "screen"):  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.emulate_media(media=media)  # before loading: charts are drawn for the medium, as when printing
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(path.resolve().as_uri(), wait_until="domcontentloaded", timeout=120_000)
    if plots:
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
    return page, errors


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def _overflow(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Chart texts (titles, axis titles, tick labels) that stick out of their chart's box."""
    return page.evaluate("""() => {
      const out = [];
      document.querySelectorAll('.js-plotly-plot').forEach(g => {
        const box = g.getBoundingClientRect();
        g.querySelectorAll('.gtitle, .xtitle, .ytitle, .ytick text, .xtick text, .legendtext').forEach(t => {
          const r = t.getBoundingClientRect();
          if (r.width && (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1))
            out.push(t.textContent);
        });
      });
      return out;
    }""")


def test_index_search_filters_and_headers_sort_the_municipalities(browser, example_reports: Path) -> None:  # type: ignore[no-untyped-def]
    page, errors = _open(browser, example_reports / "index.html", plots=False)
    rows = page.locator("#muni-table tbody tr")
    assert rows.count() == 2
    names = rows.locator("td:first-child").all_text_contents()
    target = names[1]
    page.fill("#muni-search", target[:5].lower())
    visible = [t for t, h in zip(rows.locator("td:first-child").all_text_contents(),
                                 [r.is_visible() for r in rows.all()]) if h]
    assert visible == [target]
    assert page.locator("#muni-count").text_content().startswith("1 von 2")
    page.fill("#muni-search", "")
    header = page.locator("#muni-table th", has_text="Befragte")
    header.click()
    asc = [int(t) for t in page.locator("#muni-table tbody tr td:nth-child(4)").all_text_contents()]
    header.click()
    desc = [int(t) for t in page.locator("#muni-table tbody tr td:nth-child(4)").all_text_contents()]
    assert asc == sorted(asc) and desc == sorted(desc, reverse=True)
    page.fill("#muni-search", target[:5].lower())
    _shot(page, "index_search.png")
    assert errors == []


def test_profile_renders_at_1400_px_and_at_a4_print_width_without_cut_labels(browser, example_reports: Path) -> None:  # type: ignore[no-untyped-def]
    profile = next((example_reports / "profile").glob("*.html"))
    for width, name in ((1400, "profile_1400.png"), (A4_CSS_WIDTH, "profile_a4.png")):
        page, errors = _open(browser, profile, width, media="print" if width == A4_CSS_WIDTH else "screen")
        page.wait_for_function("() => Array.from(document.querySelectorAll('.js-plotly-plot')).every(g => g._fullLayout)")
        assert page.locator(".js-plotly-plot").count() >= 4
        assert page.locator("text=Das Wichtigste in Kürze").count() == 1
        assert _overflow(page) == [], width
        _shot(page, name)
        assert errors == []
        page.close()


def test_profile_links_back_to_the_index(browser, example_reports: Path) -> None:  # type: ignore[no-untyped-def]
    page, _ = _open(browser, next((example_reports / "profile").glob("*.html")), plots=False)
    page.click("nav .back")
    page.wait_for_selector("#muni-table")
    assert page.url.endswith("/index.html")


@pytest.mark.parametrize("name", ["01_import_quality", "02_instrument", "03_municipalities",
                                  "04_commitment_structures", "methoden"])
def test_overview_pages_render_without_errors_or_cut_labels(browser, example_reports: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    # at screen width, and at A4 print width as they are printed into the state overview's PDF
    for width in (1400, A4_CSS_WIDTH):
        page, errors = _open(browser, example_reports / f"{name}.html", width, plots=name != "methoden",
                             media="print" if width == A4_CSS_WIDTH else "screen")
        if name != "methoden":
            page.wait_for_function(
                "() => Array.from(document.querySelectorAll('.js-plotly-plot')).every(g => g._fullLayout)")
            assert _overflow(page) == [], width
        if width == 1400:
            _shot(page, f"{name}.png")
        assert errors == []
        page.close()
