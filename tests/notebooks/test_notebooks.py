"""Every notebook executes on the example data — also with widgets on, as in JupyterLab."""

from __future__ import annotations

from pathlib import Path

import pytest

from reporting.build import OVERVIEW_NOTEBOOKS, PROFILE_NOTEBOOK, _Kernel, load_notebook, notebooks_dir

pytestmark = pytest.mark.notebooks

PLOTLY = "application/vnd.plotly.v1+json"


def _mimetypes(nb) -> set[str]:  # type: ignore[no-untyped-def]
    return {k for c in nb.cells for o in c.get("outputs", []) for k in o.get("data", {})}


def test_all_notebooks_execute_interactively_with_plotly_and_widgets(example_dataset: Path) -> None:
    folder = notebooks_dir()
    with _Kernel(cwd=folder) as kernel:
        for name in (*OVERVIEW_NOTEBOOKS, PROFILE_NOTEBOOK):
            nb = kernel.run(load_notebook(name, {"dataset": str(example_dataset), "interactive": True}, folder))
            kinds = _mimetypes(nb)
            if name != PROFILE_NOTEBOOK:  # 05 draws the whole profile inside its widget's output area
                assert PLOTLY in kinds and "text/html" in kinds, name
            if name in ("02_instrument", "03_municipalities", "04_commitment_structures", PROFILE_NOTEBOOK):
                assert "application/vnd.jupyter.widget-view+json" in kinds, name


def test_notebooks_are_percent_format_with_a_parameters_cell() -> None:
    import jupytext

    for path in sorted(notebooks_dir().glob("*.py")):
        nb = jupytext.read(path)
        # opens in JupyterLab with its kernel, and starts with an introduction for the user
        assert nb.metadata["kernelspec"]["name"] == "python3", path.name
        first = nb.cells[0]
        assert first.cell_type == "markdown" and "notebook-only" in first.metadata.get("tags", []), path.name
        assert "So geht es" in first.source and "Run All Cells" in first.source, path.name
        tags = [c.metadata.get("tags", []) for c in nb.cells]
        assert any("parameters" in t for t in tags), path.name
        params = next(c.source for c in nb.cells if "parameters" in c.metadata.get("tags", []))
        for name in ("dataset", "lang", "min_n"):
            assert f"{name} =" in params, (path.name, name)


def test_english_report_language_is_applied(example_dataset: Path) -> None:
    folder = notebooks_dir()
    with _Kernel(cwd=folder) as kernel:
        nb = kernel.run(load_notebook("04_commitment_structures",
                                      {"dataset": str(example_dataset), "lang": "en", "interactive": False}, folder))
    text = "".join(str(o.get("data", {}).get("text/markdown", "")) for c in nb.cells for o in c.get("outputs", []))
    assert "Municipalities" in text or "municipalities" in text
