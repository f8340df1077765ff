"""Input normalisation shared by every analysis module (one place for checks and conversions).

Every public function of :mod:`analysis` takes a tidy DataFrame plus column names. The helpers
here turn those into what the statistics need, with the same plain German/English error
(:class:`core.errors.AnalysisError`) wherever a column is missing or holds text instead of
numbers (in the spirit of scikit-posthocs' single input converter).

* :func:`as_list` — a column name or a sequence of names as a list;
* :func:`check_columns` — the input is a DataFrame and has all the named columns;
* :func:`numeric_column` — one column as a float vector (NaN = missing);
* :func:`numeric_matrix` — several columns as a float matrix (NaN = missing).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from core.errors import AnalysisError

__all__ = ["as_list", "check_columns", "numeric_column", "numeric_matrix"]


def as_list(cols: str | Sequence[str]) -> list[str]:
    """``"a"`` -> ``["a"]``; any other sequence of names -> a list of them."""
    return [cols] if isinstance(cols, str) else list(cols)


def check_columns(data: pd.DataFrame, cols: Sequence[str]) -> None:
    """Raise :class:`AnalysisError` unless ``data`` is a DataFrame holding every column in ``cols``."""
    if not isinstance(data, pd.DataFrame):
        raise AnalysisError("Die Daten müssen eine Tabelle (DataFrame) sein. / data must be a DataFrame.")
    missing = [str(c) for c in cols if c not in data.columns]
    if missing:
        names = ", ".join(missing)
        raise AnalysisError(
            f"Spalte(n) fehlen in den Daten: {names}. / Column(s) missing from the data: {names}."
        )


def numeric_column(s: pd.Series, name: str) -> np.ndarray:
    """A column as a float vector (NaN = missing); booleans become 0/1, text raises.

    Numbers stored as text (``"4"``) are converted; any value that is not a number (``"gut"``)
    raises :class:`AnalysisError` naming the column and one offending value.
    """
    if pd.api.types.is_bool_dtype(s):
        s = s.astype("Float64")
    if not pd.api.types.is_numeric_dtype(s):
        conv = pd.to_numeric(s, errors="coerce")
        bad = conv.isna() & s.notna()
        if bad.any():
            example = s[bad].iloc[0]
            raise AnalysisError(
                f"Spalte '{name}' enthält nicht-numerische Werte (z. B. {example!r}). "
                f"/ Column '{name}' holds non-numeric values (e.g. {example!r})."
            )
        s = conv
    return s.to_numpy(dtype=float, na_value=np.nan)


def numeric_matrix(data: pd.DataFrame, cols: Sequence[str]) -> np.ndarray:
    """Columns ``cols`` of ``data`` as a float matrix (rows x columns, NaN = missing).

    Checks the columns (:func:`check_columns`) and converts each with :func:`numeric_column`.
    """
    cols = list(cols)
    check_columns(data, cols)
    out = np.empty((len(data), len(cols)), dtype=float)
    for j, c in enumerate(cols):
        out[:, j] = numeric_column(data[c], c)
    return out
