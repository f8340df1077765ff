"""analysis.input_checks: one column check and one numeric conversion, the same message in every module."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

import analysis as A  # noqa: N812
from analysis.hypotheses import hypothesis_h1
from analysis.input_checks import as_list, check_columns, numeric_column, numeric_matrix
from core.errors import AnalysisError


def _frame() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n = 60
    df = pd.DataFrame({
        "ags": np.repeat([f"{i:08d}" for i in range(6)], 10),
        "role": np.tile(["verwaltung", "verein"], n // 2),
        "wave": np.tile(np.repeat(["2025", "2027"], 5), 6),
        "a": rng.integers(1, 6, n).astype(float),
        "b": rng.integers(1, 6, n).astype(float),
        "c": rng.integers(1, 6, n).astype(float),
    })
    df["funded"] = df["ags"].isin(["00000000", "00000001", "00000002"])
    return df


def test_as_list_wraps_a_single_name_and_copies_a_sequence() -> None:
    assert as_list("a") == ["a"]
    assert as_list(("a", "b")) == ["a", "b"]


def test_check_columns_names_every_missing_column_in_german_and_english() -> None:
    with pytest.raises(AnalysisError) as err:
        check_columns(pd.DataFrame({"a": [1]}), ["a", "x", "y"])
    msg = str(err.value)
    assert "Spalte(n) fehlen in den Daten: x, y." in msg
    assert "Column(s) missing from the data: x, y." in msg


def test_check_columns_refuses_anything_but_a_dataframe() -> None:
    with pytest.raises(AnalysisError, match="must be a DataFrame"):
        check_columns({"a": [1]}, ["a"])  # type: ignore[arg-type]


def test_numeric_column_converts_numbers_as_text_booleans_and_nullable_integers() -> None:
    np.testing.assert_array_equal(numeric_column(pd.Series(["1", "2", None]), "x"), [1.0, 2.0, np.nan])
    np.testing.assert_array_equal(numeric_column(pd.Series([True, False]), "x"), [1.0, 0.0])
    np.testing.assert_array_equal(
        numeric_column(pd.Series([True, None], dtype="boolean"), "x"), [1.0, np.nan]
    )
    np.testing.assert_array_equal(numeric_column(pd.Series([3, None], dtype="Int64"), "x"), [3.0, np.nan])


def test_numeric_column_rejects_text_naming_column_and_value() -> None:
    with pytest.raises(AnalysisError) as err:
        numeric_column(pd.Series(["4", "gut"]), "KOM01")
    msg = str(err.value)
    assert "Spalte 'KOM01' enthält nicht-numerische Werte (z. B. 'gut')" in msg
    assert "Column 'KOM01' holds non-numeric values (e.g. 'gut')" in msg


def test_numeric_matrix_is_rows_by_columns_with_nan_for_missing() -> None:
    df = pd.DataFrame({"a": [1, None], "b": ["2", "3"], "c": ["x", "y"]})
    np.testing.assert_array_equal(numeric_matrix(df, ["a", "b"]), [[1.0, 2.0], [np.nan, 3.0]])
    with pytest.raises(AnalysisError, match="missing from the data: z"):
        numeric_matrix(df, ["a", "z"])


#: Every public entry point, called with a column ``zz`` that the data lacks.
MISSING_COLUMN_CALLS: dict[str, Callable[[pd.DataFrame], Any]] = {
    "score_scales": lambda d: A.score_scales(d, {"S": ["a", "zz"]}),
    "reverse_items": lambda d: A.reverse_items(d, ["zz"]),
    "icc": lambda d: A.icc(d, "zz", "ags"),
    "rwg": lambda d: A.rwg(d, ["a", "zz"], "ags"),
    "cronbach_alpha": lambda d: A.cronbach_alpha(d, ["a", "zz"]),
    "reliability_by_group": lambda d: A.reliability_by_group(d, {"S": ["a", "zz"]}, "ags"),
    "municipality_summary": lambda d: A.municipality_summary(d, "zz", group="ags"),
    "likert_frequencies": lambda d: A.likert_frequencies(d, ["zz"]),
    "funnel_limits": lambda d: A.funnel_limits(d, "zz", "ags"),
    "compare_groups": lambda d: A.compare_groups(d, "zz", "role"),
    "commitment_typology": lambda d: A.commitment_typology(d, "a", "zz"),
    "structure_by_type": lambda d: A.structure_by_type(d, "a", "zz"),
    "perspective_gaps": lambda d: A.perspective_gaps(d, "zz"),
    "wave_change": lambda d: A.wave_change(d, "zz"),
    "did_estimate": lambda d: A.did_estimate(d, "zz"),
    "fit_multilevel": lambda d: A.fit_multilevel(d, "a ~ b", group="zz"),
    "hypothesis_h1": lambda d: hypothesis_h1(d, municipal="a", civil="b", structure="zz"),
}


@pytest.mark.parametrize("name", sorted(MISSING_COLUMN_CALLS))
def test_every_module_reports_a_missing_column_with_the_same_message(name: str) -> None:
    with pytest.raises(AnalysisError) as err:
        MISSING_COLUMN_CALLS[name](_frame())
    problem = err.value.problem  # the one catalogue entry, whatever module raised it
    assert (problem.code, problem.params["columns"]) == ("columns_missing", "zz"), name
    assert "Spalte(n) fehlen in den Daten: zz." in str(err.value) and "Column(s) missing from the data: zz." in str(
        err.value), name


#: Entry points that need numbers, called with the text "gut" in column ``a``.
TEXT_CALLS: dict[str, Callable[[pd.DataFrame], Any]] = {
    "score_scales": lambda d: A.score_scales(d, {"S": ["a", "b"]}),
    "icc": lambda d: A.icc(d, "a", "ags"),
    "cronbach_alpha": lambda d: A.cronbach_alpha(d, ["a", "b", "c"]),
    "municipality_summary": lambda d: A.municipality_summary(d, "a", group="ags"),
    "likert_frequencies": lambda d: A.likert_frequencies(d, ["a"]),
    "funnel_limits": lambda d: A.funnel_limits(d, "a", "ags"),
    "compare_groups": lambda d: A.compare_groups(d, "a", "role"),
}


@pytest.mark.parametrize("name", sorted(TEXT_CALLS))
def test_every_numeric_entry_point_rejects_text_with_the_same_message(name: str) -> None:
    d = _frame().astype({"a": object})
    d.loc[7, "a"] = "gut"
    with pytest.raises(AnalysisError) as err:
        TEXT_CALLS[name](d)
    msg = str(err.value)
    assert "Spalte 'a' enthält nicht-numerische Werte (z. B. 'gut')" in msg, name
    assert "Column 'a' holds non-numeric values (e.g. 'gut')" in msg, name
