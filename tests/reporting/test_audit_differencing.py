"""``baustein audit`` attacks by differencing: it recovers the small group of issue 13 within a
municipality from results written without the complementary suppression (the small municipality
enters no state figure any more), finds nothing in protected results, and finds a leak
planted in a copy of the example reports (in results.json, and in results.xlsx alone)."""

from __future__ import annotations

import json
import shutil
import warnings
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

import analysis.pipeline as pipeline
from analysis import AnalysisConfig, Results, run
from reporting.audit import audit_outputs, audit_problems
from reporting.results_workbook import write_results
from surveys.dataset import Dataset
from tests.analysis.test_small_cells_differencing import attack_dataset, without_complementary_pass

FIGURES = ("n_reference", "mean_reference", "n_comparison", "mean_comparison")


def _analyse(dataset: Dataset, protected: bool) -> Results:
    with warnings.catch_warnings(), pytest.MonkeyPatch.context() as mp:
        warnings.simplefilter("ignore")
        if not protected:
            mp.setattr(pipeline, "complementary_suppression", without_complementary_pass)
        return run(dataset, AnalysisConfig(min_n=5))


def _differencing(folder: Path) -> pd.DataFrame:
    found = audit_outputs(folder)
    return found[found["code"] == "differencing"]


@pytest.fixture(scope="module")
def attack(instrument, tmp_path_factory):  # type: ignore[no-untyped-def]
    dataset, a, x = attack_dataset(instrument)
    folders = {}
    for protected in (False, True):
        out = tmp_path_factory.mktemp("protected" if protected else "unprotected")
        write_results(_analyse(dataset, protected), out / "results.xlsx", out / "results.json")
        folders[protected] = out
    return dataset, a, x, folders


def test_audit_recovers_both_attacks_of_the_issue_from_unprotected_results(attack) -> None:  # type: ignore[no-untyped-def]
    dataset, a, x, folders = attack
    found = _differencing(folders[False])
    frame, _ = pipeline.score_dataset(dataset, AnalysisConfig())
    last = frame[frame["wave"] == frame["wave"].max()]
    # municipality A: total minus both role sides = the 3 respondents in other roles, n and mean
    rest = found[found["group"].str.contains(a) & found["location"].str.contains("perspektiven")]
    assert len(rest) >= 1
    truth = last[(last["ags"] == a) & (last["role"] == "dienst")]["kommunal"]
    assert len(truth) == 3 and (rest["n"] == 3).all()
    assert f"mean {truth.mean():.4f}" in rest.iloc[0]["problem"]
    assert "kommunen[" in rest.iloc[0]["problem"] and "perspektiven[" in rest.iloc[0]["problem"]
    # municipality X (4 respondents) enters no state figure (analysis.small_cells.reported_groups):
    # the state totals minus the other municipalities give 0, even without the complementary pass
    assert found[found["group"].str.contains(x)].empty


def test_audit_finds_no_differencing_leak_in_protected_results(attack) -> None:  # type: ignore[no-untyped-def]
    assert _differencing(attack[3][True]).empty


def test_audit_findings_are_located_problems_of_the_audit_catalogue(attack) -> None:  # type: ignore[no-untyped-def]
    problems = [p for p in audit_problems(attack[3][False]) if p.code == "differencing"]
    assert problems
    p = problems[0]
    assert p.location.file.endswith("results.json") and p.location.scope
    assert "Differenzbildung" in p.message("de") and "differencing" in p.message("en")
    assert p.hint("de") and p.hint("en")


# ----------------------------------------------------------------------------- planted in the example reports
def _secondary_row(results: dict) -> int:
    """A row of ``perspektiven`` suppressed secondarily in results.json (the example data has some)."""
    rows = results["tables"]["perspektiven"]
    return next(i for i, r in enumerate(rows) if r.get("suppression") == "secondary")


@pytest.fixture(scope="module")
def example_truth(example_dataset: Path) -> Results:  # type: ignore[no-untyped-def]
    """The example analysis without the complementary pass: the values a careless edit would show."""
    return _analyse(Dataset.load(example_dataset), protected=False)


def test_audit_finds_a_differencing_leak_planted_in_results_json(example_reports: Path, example_truth,
                                                                  tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    copy = tmp_path / "reports"
    shutil.copytree(example_reports, copy)
    assert _differencing(copy).empty
    path = copy / "results.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    i = _secondary_row(data)
    row = data["tables"]["perspektiven"][i]
    true_row = example_truth["perspektiven"].iloc[i]
    assert true_row["ags"] == row["ags"]
    for col in FIGURES:  # "un-suppress" the row with its true figures
        row[col] = float(true_row[col])
    row["suppressed"], row["suppression"] = False, ""
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    found = _differencing(copy)
    hit = found[found["group"].str.contains(str(row["ags"])) & found["file"].str.endswith("results.json")]
    assert len(hit) >= 1 and hit["n"].between(1, 4).all()
    assert hit["location"].str.contains("perspektiven").all()


def _sheet_column(sheet_rows: list[list], values: list, skip: int) -> int:
    """The sheet column whose cells equal ``values`` on every row but ``skip`` (headers may be localised)."""
    for j in range(len(sheet_rows[0])):
        col = [r[j] for r in sheet_rows]
        same = [
            (a is None and (b is None or (isinstance(b, float) and np.isnan(b))))
            or (isinstance(a, (int, float)) and isinstance(b, (int, float)) and np.isclose(a, b))
            or a == b
            for k, (a, b) in enumerate(zip(col, values, strict=True)) if k != skip
        ]
        if all(same):
            return j
    raise AssertionError("column not found in the sheet")


def test_audit_finds_a_differencing_leak_planted_in_results_xlsx_alone(example_reports: Path, example_truth,
                                                                       tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    copy = tmp_path / "reports"
    shutil.copytree(example_reports, copy)
    data = json.loads((copy / "results.json").read_text(encoding="utf-8"))
    i = _secondary_row(data)
    table = pd.DataFrame(data["tables"]["perspektiven"])
    wb = openpyxl.load_workbook(copy / "results.xlsx")
    ws = wb["perspektiven"]
    body = [list(r) for r in ws.iter_rows(min_row=2, values_only=True)]
    for col in (*FIGURES, "suppressed"):
        j = _sheet_column(body, table[col].tolist(), skip=i)
        value = False if col == "suppressed" else float(example_truth["perspektiven"].iloc[i][col])
        ws.cell(row=i + 2, column=j + 1, value=value)
    wb.save(copy / "results.xlsx")
    found = _differencing(copy)
    assert found["file"].str.endswith("results.xlsx").any()
    assert not found["file"].str.endswith("results.json").any()
    assert found["n"].between(1, 4).all()


# ----------------------------------------------------------------------------- pages against results
def test_pages_of_the_example_reports_show_only_what_the_results_publish(example_reports: Path) -> None:
    found = audit_outputs(example_reports)
    assert found[found["code"] == "page_not_in_results"].empty, found.to_string()


def test_audit_finds_a_page_showing_a_municipality_figure_the_results_do_not_publish(
        example_reports: Path, tmp_path: Path) -> None:
    import plotly.graph_objects as go

    copy = tmp_path / "reports"
    shutil.copytree(example_reports, copy)
    data = json.loads((copy / "results.json").read_text(encoding="utf-8"))
    over = pd.DataFrame(data["tables"]["kommunen_uebersicht"])
    name, ags = str(over["name"].iloc[0]), str(over["ags"].iloc[0])
    n = int(over["n"].max()) + 17  # a size no table of the results shows for this municipality
    fig = go.Figure(go.Scatter(x=np.array([n, 40], dtype=float), y=[3.1, 3.3], customdata=[[name], ["anders"]],
                               hovertemplate="<b>%{customdata[0]}</b><br>n = %{x}<extra></extra>"))
    page = copy / "03_municipalities.html"
    page.write_text(page.read_text(encoding="utf-8").replace(
        "</body>", fig.to_html(include_plotlyjs=False, full_html=False) + "</body>", 1), encoding="utf-8")
    found = audit_outputs(copy)
    hit = found[found["code"] == "page_not_in_results"]
    assert len(hit) == 1
    assert hit.iloc[0]["n"] == n and hit.iloc[0]["group"] == name and ags in hit.iloc[0]["problem"]
    assert hit.iloc[0]["file"].endswith("03_municipalities.html")


def test_audit_reads_plotly_binary_arrays(tmp_path: Path) -> None:
    import plotly.graph_objects as go

    # plotly >= 6 writes numeric arrays base64-encoded ({"dtype", "bdata"}): n = 3 must still be seen
    fig = go.Figure(go.Bar(x=["A-Dorf", "B-Stadt"], y=np.array([12.0, 3.0]),
                           hovertemplate="%{x}<br>n = %{y}<extra></extra>"))
    assert '"bdata"' in fig.to_html(include_plotlyjs=False)
    (tmp_path / "fig.html").write_text(fig.to_html(include_plotlyjs=False), encoding="utf-8")
    found = audit_outputs(tmp_path)
    assert found[["group", "n"]].values.tolist() == [["B-Stadt", 3]]
