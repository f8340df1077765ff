"""Reports on data shaped like a new user's: no master data, one municipality, a tiny latest wave.

Every figure builder, every notebook (executed in-process, cell by cell, as the report kernel runs
them) and the profile text must come back with a result -- a chart, a table or the short "too few
answers" state -- never an exception; a municipality without a name is shown by its AGS. The
command-line tests build a report from a mapped real export without master data (exit 0) and
check that a failing notebook ends in exit 3 with one clean line and the traceback in a log file.
"""

from __future__ import annotations

import inspect
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from analysis.descriptives import _gls_mean
from cli import main
from reporting import figures as F  # noqa: N812
from reporting import labels as L  # noqa: N812
from reporting.build import OVERVIEW_NOTEBOOKS, PROFILE_NOTEBOOK, drop_stderr, failure_summary, load_notebook
from reporting.formatting import fill_names, name_map
from reporting.index_page import index_rows
from reporting.methods import methods_sections
from reporting.notebook import setup
from reporting.profile import profile_parts
from surveys.dataset import Dataset
from surveys.instrument import Instrument
from surveys.synthetic import simulate

ROOT = Path(__file__).resolve().parents[2]
SHARED = next((p for p in (ROOT.parent / "shared", ROOT.parent.parent / "shared") if (p / "formats").is_dir()), None)
REAL = ROOT / "tests" / "data" / "real_exports"
INST = Instrument.load("sensibilisierung")
FACTS = ("name", "district", "state", "population", "size_class", "cohort", "council_resolution",
         "council_resolution_date", "mayor_involved", "named_contact", "staff_hours", "budget_eur", "rooms",
         "n_initiatives", "n_volunteers")


def _no_master_data(ags: list[str]) -> pd.DataFrame:
    """The municipalities table the importer writes without master data: the AGS, every fact None."""
    return pd.DataFrame({"ags": ags, **{c: [None] * len(ags) for c in FACTS}})


def _one_municipality_without_master_data(w: pd.DataFrame, m: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    a = sorted(w["ags"].unique())[0]
    one = w[(w["ags"] == a) & (w["wave"] == "2025")]
    return one, _no_master_data([a])


def _pilot_with_a_tiny_latest_wave(w: pd.DataFrame, m: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Three municipalities with 6-8 answers in 2025 and a typo wave 2052 with one answer (the trial's pilot)."""
    keep = sorted(w["ags"].unique())[:3]
    base = w[w["ags"].isin(keep) & (w["wave"] == "2025")]
    pilot = pd.concat([base[base["ags"] == a].head(k) for a, k in zip(keep, (6, 6, 8))])
    typo = pilot.head(1).assign(wave="2052", respondent_id="typo-1")
    return pd.concat([pilot, typo], ignore_index=True), m[m["ags"].isin(keep)]


def _all_suppressed(w: pd.DataFrame, m: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    keep = sorted(w["ags"].unique())[:3]
    return w[w["ags"].isin(keep) & (w["wave"] == "2025")].groupby("ags").head(3), m[m["ags"].isin(keep)]


CASES = {
    "one_municipality_without_master_data": _one_municipality_without_master_data,
    "pilot_with_a_tiny_latest_wave": _pilot_with_a_tiny_latest_wave,
    "all_suppressed": _all_suppressed,
}
#: The wave analysed (as with ``--wave``): the pilot's typo wave with one answer, whatever the default.
WAVES = {"pilot_with_a_tiny_latest_wave": "2052"}


@pytest.fixture(scope="module")
def programme():  # type: ignore[no-untyped-def]
    return simulate(6, 20, seed=7, instrument=INST, population_truth_n=None)


@pytest.fixture(scope="module")
def datasets(programme, tmp_path_factory) -> dict[str, Path]:  # type: ignore[no-untyped-def]
    out = {}
    for name, make in CASES.items():
        wide, munis = make(programme.wide.copy(), programme.municipalities.copy())
        path = tmp_path_factory.mktemp(name) / "ds"
        Dataset.from_wide(wide.drop(columns=["comment"]).reset_index(drop=True), munis.reset_index(drop=True),
                          INST).save(path)
        out[name] = path
    return out


def _figure_builders() -> list[tuple[str, object]]:
    skip = {"section", "readable", "term_labels", "pick_municipality", "profile_header", "empty_figure", "fact_label",
            "perspective_note", "import_summary_text", "import_files_table", "rejection_summary"}
    return [(n, getattr(F, n)) for n in F.__all__ if n not in skip and callable(getattr(F, n))]


def _call(fn, ctx, ags: str):  # type: ignore[no-untyped-def]
    params = inspect.signature(fn).parameters
    args = {"results": ctx.results, "inst": ctx.instrument, "lang": ctx.lang, "ags": ags,
            "construct": ctx.instrument.constructs[0].id, "by": "cohort"}
    return fn(**{k: v for k, v in args.items() if k in params})


def _annotations(fig: go.Figure) -> str:
    return " ".join(a.text or "" for a in fig.layout.annotations)


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("lang", ["de", "en"])
def test_every_figure_builder_returns_a_result_on_degenerate_data(case: str, lang: str, datasets) -> None:  # type: ignore[no-untyped-def]
    ctx = setup(datasets[case], lang=lang, wave=WAVES.get(case))
    ags = str(ctx.dataset.respondents["ags"].astype(str).iloc[0])
    for name, fn in _figure_builders():
        out = _call(fn, ctx, ags)
        assert isinstance(out, (go.Figure, str, tuple, dict)), name
        if isinstance(out, go.Figure):
            assert "nan" not in _annotations(out).lower(), name
    assert isinstance(F.profile_header(ctx, ags), str)
    assert isinstance(F.import_files_table(ctx.dataset, lang)[0], pd.DataFrame)
    assert methods_sections(ctx.dataset, ctx.results, lang)
    rows = index_rows(ctx.results, ctx.instrument, lang)
    assert not len(rows) or rows["name"].notna().all()


def test_too_few_answers_show_the_short_state_instead_of_a_chart(datasets) -> None:  # type: ignore[no-untyped-def]
    ctx = setup(datasets["pilot_with_a_tiny_latest_wave"], wave="2052")
    assert ctx.results.meta["wave"] == "2052"  # the typo wave with one answer (the trial's default then)
    too_small = L.text("too_small", "de", k=5)
    for fig in (F.likert_construct(ctx.results, ctx.instrument, "kommunal", "de"),
                F.funnel(ctx.results, ctx.instrument, "struktur", "de"),
                F.agreement_panel(ctx.results, ctx.instrument, "de")):
        assert too_small in _annotations(fig) and not fig.data


def test_municipality_without_a_name_is_shown_by_its_ags(datasets) -> None:  # type: ignore[no-untyped-def]
    ctx = setup(datasets["one_municipality_without_master_data"])
    ags = str(ctx.dataset.municipalities["ags"].iloc[0])
    assert name_map(ctx.dataset.municipalities) == {ags: ags}
    assert ctx.municipality_name(ags) == ags
    text, parts = profile_parts(ctx, ags)
    assert text.name == ags and text.n is not None
    assert parts[0].content.startswith(f"## {ags}\n")
    assert all("nan" not in str(p.content).lower().split() for p in parts if p.kind == "markdown")


def test_fill_names_replaces_none_nan_and_blank_names_by_the_ags() -> None:
    t = pd.DataFrame({"ags": ["1", "2", "3", "4"], "name": [None, np.nan, " ", "Ort"]})
    assert fill_names(t)["name"].tolist() == ["1", "2", "3", "Ort"]
    assert fill_names(t.astype({"name": "string"}))["name"].tolist() == ["1", "2", "3", "Ort"]


def _run_cells(nb) -> None:  # type: ignore[no-untyped-def]
    namespace: dict[str, object] = {}
    for cell in nb.cells:
        if cell.cell_type == "code":
            exec(compile(cell.source, nb.metadata["baustein"]["notebook"], "exec"), namespace)


@pytest.mark.parametrize("case", list(CASES))
def test_every_notebook_runs_on_degenerate_data(case: str, datasets, capsys) -> None:  # type: ignore[no-untyped-def]
    base = {"dataset": str(datasets[case]), "lang": "de", "min_n": 5, "wave": WAVES.get(case), "wave_order": None,
            "interactive": False}
    for name in OVERVIEW_NOTEBOOKS:
        _run_cells(load_notebook(name, base))
    ctx = setup(datasets[case], wave=WAVES.get(case))
    for ags in ctx.results["kommunen_uebersicht"]["ags"].astype(str):
        _run_cells(load_notebook(PROFILE_NOTEBOOK, {**base, "ags": ags}))
    capsys.readouterr()


def test_gls_mean_of_constant_answers_is_the_constant_without_a_warning() -> None:
    # every answer 2 in both groups: tau2 = sigma2 = 0, the mean of the group means is 2 (closed form)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        gamma = _gls_mean(np.array([3.0, 4.0]), np.array([2.0, 2.0]), 0.0, 0.0)
    assert gamma == 2.0


def test_stderr_outputs_are_dropped_from_an_executed_notebook() -> None:
    import nbformat

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [nbformat.v4.new_output("stream", name="stderr", text="descriptives.py:61: RuntimeWarning: x"),
                    nbformat.v4.new_output("stream", name="stdout", text="ok")]
    nb.cells.append(cell)
    assert [o["name"] for o in drop_stderr(nb).cells[0].outputs] == ["stdout"]


def test_failure_summary_is_one_line_without_colour_codes() -> None:
    from nbclient.exceptions import CellExecutionError

    exc = CellExecutionError("\x1b[31mTypeError\x1b[39m tb", "TypeError", "int() argument must be\n not 'NAType'")
    assert failure_summary(exc) == "TypeError: int() argument must be not 'NAType'"


# --------------------------------------------------------------------------- through the command line
@pytest.mark.skipif(SHARED is None, reason="../shared/formats not present")
def test_report_of_a_mapped_real_export_without_master_data_exits_0(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    export = SHARED / "formats" / "sosci" / "hybridearbeit2024_rdata_2024-07-11_17-10.csv"
    rc = main(["import", str(export), "--instrument", str(REAL / "hybridarbeit.yaml"), "--mapping",
               str(REAL / "hybridarbeit_mapping.yaml"), "--out", str(tmp_path / "ds"), "--no-progress"])
    assert rc == 0
    rc = main(["report", str(tmp_path / "ds"), "--out", str(tmp_path / "bericht"), "--all-municipalities",
               "--no-pdf", "--no-docx", "--no-images"])
    out = capsys.readouterr()
    assert rc == 0, out.err
    index = (tmp_path / "bericht" / "index.html").read_text(encoding="utf-8")
    assert ">08111000</a>" in index  # the municipality, named by its AGS
    for page in [*(tmp_path / "bericht").glob("*.html"), *(tmp_path / "bericht" / "profile").glob("*.html")]:
        text = re.sub(r"<(script|style)\b.*?</\1>", "", page.read_text(encoding="utf-8"), flags=re.S)
        assert "Warning" not in text and "Traceback" not in text, page.name


def _notebooks_with(folder: Path, name: str, code: str) -> Path:
    """A copy of the report notebooks with one more cell at the end of ``name``."""
    folder.mkdir()
    for nb in (ROOT / "notebooks").glob("*.py"):
        (folder / nb.name).write_text(nb.read_text(encoding="utf-8"), encoding="utf-8")
    with open(folder / f"{name}.py", "a", encoding="utf-8") as fh:
        fh.write(f"\n# %%\n{code}\n")
    return folder


def test_warnings_and_stderr_of_a_notebook_never_reach_the_page(tmp_path: Path, datasets, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    code = ('import sys, warnings\nwarnings.warn("divide by zero encountered in divide", RuntimeWarning)\n'
            'print("/tmp/x/analysis/descriptives.py:61: RuntimeWarning", file=sys.stderr)\nprint("Ende der Seite")')
    monkeypatch.setenv("BAUSTEIN_NOTEBOOKS", str(_notebooks_with(tmp_path / "nb", "01_import_quality", code)))
    rc = main(["report", str(datasets["all_suppressed"]), "--out", str(tmp_path / "bericht"), "--no-pdf", "--no-docx",
               "--no-images"])
    assert rc == 0
    page = (tmp_path / "bericht" / "01_import_quality.html").read_text(encoding="utf-8")
    assert "Ende der Seite" in page  # the cell ran and its ordinary output is there
    assert "RuntimeWarning" not in page and "divide by zero" not in page


def test_a_failing_notebook_exits_3_with_one_clean_line_and_a_log(tmp_path: Path, datasets, capsys,
                                                                   monkeypatch) -> None:  # type: ignore[no-untyped-def]
    folder = _notebooks_with(tmp_path / "notebooks", "02_instrument",
                             'raise TypeError("sequence item 0: expected str instance, float found")')
    monkeypatch.setenv("BAUSTEIN_NOTEBOOKS", str(folder))
    rc = main(["report", str(datasets["all_suppressed"]), "--out", str(tmp_path / "bericht"), "--no-pdf", "--no-docx",
               "--no-images"])
    err = capsys.readouterr().err
    assert rc == 3
    lines = [x for x in err.splitlines() if x.strip()]
    assert len(lines) == 1 and "\x1b[" not in err, err
    assert "02_instrument" in err and "TypeError: sequence item 0: expected str instance, float found" in err
    log = Path(re.search(r"Vollständige Meldung: (\S+\.log)", err).group(1))  # type: ignore[union-attr]
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text and "raise TypeError" in text and "\x1b[" not in text
    log.unlink()
    assert not (tmp_path / "bericht").exists()


def test_a_bug_outside_the_notebooks_exits_3_with_one_line_and_a_log(tmp_path: Path, datasets, capsys,
                                                                     monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import reporting.results_workbook as workbook

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("kaputt beim Schreiben")

    monkeypatch.setattr(workbook, "write_results", broken)
    monkeypatch.delenv("BAUSTEIN_DEBUG", raising=False)
    rc = main(["report", str(datasets["all_suppressed"]), "--out", str(tmp_path / "bericht"), "--no-pdf", "--no-docx",
               "--no-images"])
    err = capsys.readouterr().err
    lines = [x for x in err.splitlines() if x.strip()]
    assert rc == 3 and len(lines) == 1, err
    assert "Der Bericht konnte nicht erstellt werden (RuntimeError: kaputt beim Schreiben)" in err
    log = Path(re.search(r"Vollständige Meldung: (\S+\.log)", err).group(1))  # type: ignore[union-attr]
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text and "in broken" in text and "kaputt beim Schreiben" in text
    log.unlink()
    assert not (tmp_path / "bericht").exists()
