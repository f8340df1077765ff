"""A real headless Chromium opens index.html and a profile report; the plots must render.

Screenshots are kept in ``tests/artifacts/`` for a human to look at.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

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


def _open(browser, path: Path, shot: str) -> tuple[int, list[str]]:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(path.resolve().as_uri(), wait_until="domcontentloaded", timeout=120_000)
    n = 0
    if path.name != "index.html":
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
        n = page.locator(".js-plotly-plot").count()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / shot), full_page=True)
    page.close()
    return n, errors


def test_index_opens_without_errors_and_links_to_pages(browser, example_reports: Path) -> None:  # type: ignore[no-untyped-def]
    _, errors = _open(browser, example_reports / "index.html", "index.png")
    assert errors == []


def test_overview_page_renders_its_plots_in_chromium(browser, example_reports: Path) -> None:  # type: ignore[no-untyped-def]
    n, errors = _open(browser, example_reports / "04_commitment_structures.html", "04_commitment_structures.png")
    assert n >= 4
    assert errors == []


def test_profile_report_renders_its_plots_in_chromium(browser, example_reports: Path) -> None:  # type: ignore[no-untyped-def]
    profile = next((example_reports / "profile").glob("*.html"))
    n, errors = _open(browser, profile, "profile.png")
    assert n >= 4
    assert errors == []
