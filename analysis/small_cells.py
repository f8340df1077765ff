"""The small-cell rule: no result describes a group of fewer than ``min_n`` respondents.

German evaluation practice (and DSGVO caution) suppresses any cell based on fewer than five
people. Every result table of :mod:`analysis` passes :func:`suppress_small_groups` before it
leaves :func:`analysis.run`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["DEFAULT_MIN_N", "suppress_small_groups"]

DEFAULT_MIN_N = 5


def suppress_small_groups(
    table: pd.DataFrame,
    n_col: str | Sequence[str] = "n",
    min_n: int = DEFAULT_MIN_N,
    keep: Sequence[str] = (),
) -> pd.DataFrame:
    """Blank every statistic of rows whose group size is below ``min_n``.

    Parameters
    ----------
    table : pandas.DataFrame
        A result table with one row per group.
    n_col : str or sequence of str
        Column(s) holding the number of respondents behind the row. With several columns (e.g.
        ``n_a`` and ``n_b`` of a pairwise comparison) the row is suppressed if any is below ``min_n``.
    min_n : int, default 5
        Minimum cell size.
    keep : sequence of str
        Identifying columns that stay visible (e.g. the municipality name); all other numeric
        columns, including the n columns themselves, become NA.

    Returns
    -------
    pandas.DataFrame
        A copy with a boolean ``suppressed`` column added.

    Examples
    --------
    >>> t = pd.DataFrame({"ags": ["1", "2"], "n": [12, 3], "mean": [3.2, 4.8]})
    >>> suppress_small_groups(t, keep=["ags"])["mean"].tolist()
    [3.2, nan]
    """
    cols = [n_col] if isinstance(n_col, str) else list(n_col)
    out = table.copy()
    n = out[cols].apply(pd.to_numeric, errors="coerce")
    small = (n < min_n).any(axis=1).to_numpy() | n.isna().any(axis=1).to_numpy()
    blank = [c for c in out.columns if c not in keep]
    for c in blank:
        s = out[c]
        if pd.api.types.is_bool_dtype(s):
            out[c] = s.astype("boolean")
        elif pd.api.types.is_integer_dtype(s):
            out[c] = s.astype("Float64")
        elif not (pd.api.types.is_float_dtype(s)):
            out[c] = s.astype(object)
        out.loc[small, c] = np.nan if pd.api.types.is_float_dtype(out[c]) and not isinstance(
            out[c].dtype, pd.Float64Dtype
        ) else pd.NA
    out["suppressed"] = small
    return out
