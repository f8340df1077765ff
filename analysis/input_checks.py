"""Input normalisation shared by every analysis module (one place for checks and conversions).

Every public function of :mod:`analysis` takes a tidy DataFrame plus column names. The helpers
here turn those into what the statistics need, with the same plain German/English error
(:class:`core.errors.AnalysisError`) wherever a column is missing or holds text instead of
numbers (in the spirit of scikit-posthocs' single input converter).

* :func:`as_list` — a column name or a sequence of names as a list;
* :func:`check_columns` — the input is a DataFrame and has all the named columns;
* :func:`numeric_column` — one column as a float vector (NaN = missing);
* :func:`numeric_matrix` — several columns as a float matrix (NaN = missing);
* :func:`factorize_groups` / :func:`group_codes` — a group column (or several) as integer codes
  (−1 = missing group) and the sorted group keys: the one group-coding helper of :mod:`analysis`;
* :func:`check_level` — a confidence level lies in (0, 1).

Errors come from the catalogue :data:`analysis.notes.NOTES` (``exc.problem.code``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .notes import analysis_error

__all__ = [
    "as_list",
    "check_choice",
    "check_columns",
    "check_level",
    "factorize_groups",
    "group_codes",
    "numeric_column",
    "numeric_matrix",
]


def as_list(cols: str | Sequence[str]) -> list[str]:
    """``"a"`` -> ``["a"]``; any other sequence of names -> a list of them."""
    return [cols] if isinstance(cols, str) else list(cols)


def check_columns(data: pd.DataFrame, cols: Sequence[str]) -> None:
    """Raise :class:`AnalysisError` unless ``data`` is a DataFrame holding every column in ``cols``."""
    if not isinstance(data, pd.DataFrame):
        raise analysis_error("not_a_frame")
    missing = [str(c) for c in cols if c not in data.columns]
    if missing:
        raise analysis_error("columns_missing", columns=", ".join(missing))


def check_level(value: float, name: str = "ci") -> None:
    """Raise :class:`AnalysisError` unless ``0 < value < 1`` (a confidence or significance level)."""
    if not 0 < value < 1:
        raise analysis_error("level_out_of_range", name=name, value=value)


def check_choice(value: object, name: str, allowed: Sequence[object]) -> None:
    """Raise :class:`AnalysisError` unless ``value`` is one of ``allowed``."""
    if value not in allowed:
        raise analysis_error("invalid_argument", name=name, value=repr(value),
                             allowed=", ".join(repr(a) for a in allowed))


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
            raise analysis_error("column_not_numeric", column=name, example=repr(s[bad].iloc[0]))
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


def factorize_groups(values: pd.Series | np.ndarray) -> tuple[np.ndarray, pd.Index]:
    """Integer code per value (−1 = missing) and the sorted distinct values.

    >>> codes, labels = factorize_groups(pd.Series(["b", "a", None, "b"]))
    >>> codes.tolist(), labels.tolist()
    ([1, 0, -1, 1], ['a', 'b'])
    """
    codes, labels = pd.factorize(values, sort=True)
    return np.asarray(codes, dtype=np.int64), pd.Index(labels)


def group_codes(data: pd.DataFrame, group: str | Sequence[str] | None) -> tuple[np.ndarray, pd.DataFrame]:
    """Integer group code per row (−1 = missing group) and the sorted group keys.

    ``group=None`` puts every row into one group (keys frame with no columns, one row). Several
    columns give one code per observed combination (sorted lexicographically).

    >>> codes, keys = group_codes(pd.DataFrame({"g": ["x", "y", "x"], "r": [1, 1, 2]}), ["g", "r"])
    >>> codes.tolist(), keys.values.tolist()
    ([0, 2, 1], [['x', 1], ['x', 2], ['y', 1]])
    """
    if group is None:
        return np.zeros(len(data), dtype=np.int64), pd.DataFrame(index=range(1))
    cols = as_list(group)
    check_columns(data, cols)
    if len(cols) == 1:
        codes, uniques = factorize_groups(data[cols[0]])
        return codes, pd.DataFrame({cols[0]: uniques})
    parts = [factorize_groups(data[c]) for c in cols]
    ok = np.all([p[0] >= 0 for p in parts], axis=0)
    dims = tuple(max(len(p[1]), 1) for p in parts)
    flat = np.full(len(data), -1, dtype=np.int64)
    if ok.any():
        flat[ok] = np.ravel_multi_index(tuple(p[0][ok] for p in parts), dims)
    uniq = np.unique(flat[ok])
    codes = np.full(len(data), -1, dtype=np.int64)
    codes[ok] = np.searchsorted(uniq, flat[ok])
    idx = np.unravel_index(uniq, dims)
    keys = pd.DataFrame({c: np.asarray(p[1])[i] for c, p, i in zip(cols, parts, idx, strict=True)})
    for c in cols:
        if isinstance(data[c].dtype, pd.CategoricalDtype):
            keys[c] = pd.Categorical(keys[c], dtype=data[c].dtype)
    return codes, keys
