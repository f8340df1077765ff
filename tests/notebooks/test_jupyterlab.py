"""In a real JupyterLab (headless Chromium): notebooks are listed once, open without a kernel dialog,
and notebook 04's explorer redraws when a control is changed.

JupyterLab runs on a copy of ``notebooks/`` with the project's jupytext configuration and the
settings of :mod:`reporting.lab` (as ``make lab`` sets them). The screenshot of the changed explorer
is kept in ``tests/artifacts/``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from reporting.build import notebooks_dir
from reporting.lab import write_user_settings

pytestmark = [pytest.mark.browser, pytest.mark.notebooks, pytest.mark.slow]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
TOKEN = "baustein-test"


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory, example_dataset: Path) -> Iterator[str]:
    if not CHROMIUM:
        pytest.skip("chromium is not installed")
    root = tmp_path_factory.mktemp("lab")
    shutil.copytree(notebooks_dir(), root / "notebooks", ignore=shutil.ignore_patterns("*.ipynb", ".nb"))
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")  # the jupytext pairing lives there
    write_user_settings(root / "settings")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "BAUSTEIN_DATASET": str(example_dataset), "JUPYTERLAB_SETTINGS_DIR": str(root / "settings"),
           "JUPYTER_RUNTIME_DIR": str(root / "runtime"), "PLOTLY_RENDERER": "plotly_mimetype"}
    log = open(root / "lab.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", f"--ServerApp.token={TOKEN}",
         "--ServerApp.ip=127.0.0.1", f"--ServerApp.root_dir={root / 'notebooks'}", "--ServerApp.allow_root=True",
         "--LabApp.news_url="],
        env=env, cwd=root, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2)
                break
            time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not start:\n" + (root / "lab.log").read_text()[-2000:])
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def test_notebooks_appear_once_open_without_kernel_dialog_and_04_redraws_on_a_control(lab: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{lab}/lab/tree/04_commitment_structures.py?token={TOKEN}", wait_until="domcontentloaded",
                  timeout=120_000)
        page.wait_for_selector(".jp-NotebookPanel", timeout=120_000)
        page.wait_for_selector(".jp-DirListing-item", timeout=60_000)
        page.wait_for_timeout(3000)  # a kernel dialog would have appeared by now
        assert page.locator(".jp-Dialog").count() == 0
        names = page.locator(".jp-DirListing-itemText").all_text_contents()
        assert sorted(names) == sorted(p.name for p in notebooks_dir().glob("*.py"))  # each notebook once
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
        page.wait_for_selector(".jp-OutputArea .widget-dropdown select", timeout=240_000)
        page.wait_for_selector(".jp-OutputArea .js-plotly-plot .g-ytitle", timeout=120_000)
        ytitle = ".jp-OutputArea .js-plotly-plot .g-ytitle"
        assert page.locator(ytitle).first.text_content() == "Stärke der Unterstützungsstrukturen"
        selects = page.locator(".jp-OutputArea .widget-dropdown select")
        assert selects.count() == 6  # x, y, colour, role, wave, highlight
        selects.nth(1).select_option(label="Partnerschaftserfahrung")
        page.wait_for_function("(sel) => (document.querySelector(sel) || {}).textContent === 'Partnerschaftserfahrung'",
                               arg=ytitle, timeout=120_000)
        page.locator(".jp-OutputArea .jupyter-widgets").first.scroll_into_view_if_needed()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "jupyterlab_04_widget_changed.png"))
        assert page.locator(".jp-Dialog").count() == 0
        browser.close()
