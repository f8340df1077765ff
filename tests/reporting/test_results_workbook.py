"""results.xlsx as a German reader sees it: words for codes, one header per column, numbers written out.

The trial's complaints: ``suppression`` = primary/secondary in every sheet, two columns headed
"Skala" in ``reliabilitaet`` and ``aggregation``, '∞' as text beside numbers, an empty
"Datensatz: " and "weniger als min_n Befragte" in the README sheet, and the pooled row of
``perspektiven`` reading "gesamt / pooled" in the German workbook.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from analysis import AnalysisConfig, Results, run
from reporting.results_workbook import write_results_xlsx
from surveys.dataset import Dataset
from surveys.instrument import Instrument
from surveys.synthetic import simulate

INST = Instrument.load("sensibilisierung")


def _sheets(path: Path) -> dict[str, list[tuple]]:
    wb = openpyxl.load_workbook(path, read_only=True)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}


@pytest.fixture(scope="module")
def pilot_results() -> Results:
    """A pilot like the trial's: three municipalities with 6-8 answers in one wave."""
    prog = simulate(4, 12, seed=5, instrument=INST, population_truth_n=None)
    w = prog.wide[prog.wide["wave"] == "2025"]
    keep = sorted(w["ags"].unique())[:3]
    pilot = pd.concat([w[w["ags"] == a].head(k) for a, k in zip(keep, (6, 6, 8))], ignore_index=True)
    return run(Dataset.from_wide(pilot, prog.municipalities[prog.municipalities["ags"].isin(keep)], INST))


@pytest.mark.parametrize("lang", ["de", "en"])
def test_no_sheet_has_two_columns_with_the_same_header(pilot_results: Results, tmp_path: Path, lang: str) -> None:
    res = Results(tables=pilot_results.tables, docs=pilot_results.docs,
                  config=AnalysisConfig(lang=lang), meta=pilot_results.meta)
    sheets = _sheets(write_results_xlsx(res, tmp_path / "r.xlsx", INST))
    for name, rows in sheets.items():
        if name != "README" and rows:
            assert not [h for h, k in Counter(rows[0]).items() if k > 1], (name, rows[0])
    scale = "Skala" if lang == "de" else "Scale"
    for name in ("reliabilitaet", "aggregation"):
        assert sheets[name][0].count(scale) == 1, sheets[name][0]


def test_readme_names_the_dataset_and_writes_the_minimum_as_a_number(pilot_results: Results, tmp_path: Path) -> None:
    readme = _sheets(write_results_xlsx(pilot_results, tmp_path / "r.xlsx", INST, dataset_name=tmp_path / "pilot"))["README"]
    cells = [str(c) for row in readme for c in row if c is not None]
    assert any(c.endswith("· Datensatz: pilot") for c in cells)
    assert not [c for c in cells if "min_n" in c]
    assert "weniger als 5 Befragte" in cells  # the help of the column 'unterdrückt'
    assert not [c for c in cells if c.rstrip().endswith("Datensatz:")]


def test_suppression_column_and_its_values_are_german_words(tmp_path: Path) -> None:
    over = pd.DataFrame({"ags": ["08416025", "08416041", "08416050"], "n": [6.0, np.nan, np.nan],
                         "suppressed": [False, True, True], "suppression": ["", "secondary", "primary"]})
    for lang, header, secondary, primary in (
            ("de", "Art der Unterdrückung", "ergänzend unterdrückt (schützt eine andere kleine Gruppe)",
             "primär unterdrückt (zu wenige Befragte)"),
            ("en", "Kind of suppression", "secondary (protects another small group)", "primary (too few respondents)")):
        res = Results(tables={"kommunen_uebersicht": over}, docs={}, config=AnalysisConfig(lang=lang))
        rows = _sheets(write_results_xlsx(res, tmp_path / f"{lang}.xlsx"))["kommunen_uebersicht"]
        col = rows[0].index(header)
        assert [r[col] for r in rows[1:]] == [None, secondary, primary]


def test_infinity_is_one_word_in_every_sheet_and_explained(tmp_path: Path) -> None:
    a = pd.DataFrame({"term": ["x"], "estimate": [0.4], "df": [np.inf]})
    b = pd.DataFrame({"dv": ["struktur"], "F": [np.inf], "df1": [2.0], "df2": [np.inf]})
    for lang, word in (("de", "unendlich"), ("en", "infinite")):
        res = Results(tables={"modell": a, "vergleich_omnibus": b}, docs={}, config=AnalysisConfig(lang=lang))
        sheets = _sheets(write_results_xlsx(res, tmp_path / f"{lang}.xlsx"))
        cells = [c for name in ("modell", "vergleich_omnibus") for row in sheets[name][1:] for c in row]
        assert cells.count(word) == 3 and "∞" not in cells
        assert any(str(r[0]).startswith(f"„{word}“" if lang == "de" else f"'{word}'") for r in sheets["README"])


def test_pooled_row_of_perspectives_speaks_the_workbook_language(tmp_path: Path) -> None:
    p = pd.DataFrame({"ags": ["08416025", "gesamt / pooled"], "level": ["municipality", "pooled"], "gap": [0.2, 0.1]})
    for lang, text in (("de", "alle Kommunen (gepoolt)"), ("en", "all municipalities (pooled)")):
        res = Results(tables={"perspektiven": p}, docs={}, config=AnalysisConfig(lang=lang))
        rows = _sheets(write_results_xlsx(res, tmp_path / f"{lang}.xlsx"))["perspektiven"]
        assert rows[2][0] == text and "gesamt / pooled" not in [c for r in rows for c in r]
