"""Make user-provided text safe to put into spreadsheets, CSV files and HTML.

Spreadsheet programs execute cell text that starts with ``=``, ``+``, ``-`` or ``@`` (and, in some
programs, tab or carriage return) as a formula ("CSV/formula injection", OWASP). A municipality
name like ``=HYPERLINK("http://evil","klick")`` must reach the user as text. We prefix such
strings with an apostrophe, the convention Excel itself uses for "this is text".

Programs trim leading blanks and control characters before they decide, and a tool that splits
CSV records at every line break sees each line of a multi-line cell as a record of its own; so a
text is neutralised when it starts with a formula character *after* leading whitespace and control
characters (``" =1+1"``, ``"\r=1+1"``), and so is every further line of it (an apostrophe right
after the line break).

Numbers are never touched (a negative number is a number, not a formula).
"""

from __future__ import annotations

import html
import re
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["FORMULA_PREFIXES", "escape_html", "neutralize_cell", "neutralize_frame"]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: Skipped before the formula character: whitespace, C0/C1 controls, zero-width and bidi marks, BOM.
_LEAD = r"[\s\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]*"
_FORMULA_LINE = re.compile(r"(?:^|(?<=[\r\n]))(?=" + _LEAD + r"[=+\-@])")


def neutralize_cell(value: Any) -> Any:
    """Return ``value`` with a leading apostrophe if it is text that a spreadsheet would run.

    >>> neutralize_cell('=HYPERLINK("http://x")')
    '\\'=HYPERLINK("http://x")'
    >>> neutralize_cell(" \\r=1+1")
    "' \\r'=1+1"
    >>> neutralize_cell(-3.5)
    -3.5
    """
    if not isinstance(value, str):
        return value
    out = _FORMULA_LINE.sub("'", value)
    if out[:1] != "'" and value.startswith(("\t", "\r")):
        out = "'" + out
    return out


def neutralize_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``df`` with every text cell (and text column header) neutralised."""
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s) or isinstance(
            s.dtype, pd.CategoricalDtype
        ):
            out[col] = _neutralize_series(s.astype(object))
    out.columns = [neutralize_cell(c) if isinstance(c, str) else c for c in out.columns]
    return out


def _neutralize_series(s: pd.Series) -> pd.Series:
    """:func:`neutralize_cell` of every text cell, computed once per distinct text (other cells kept)."""
    arr = s.to_numpy(dtype=object).copy()
    is_text = np.fromiter((isinstance(v, str) for v in arr), dtype=bool, count=len(arr))
    if is_text.any():
        codes, uniques = pd.factorize(arr[is_text])
        arr[is_text] = np.array([neutralize_cell(u) for u in uniques], dtype=object)[codes]
    return pd.Series(arr, index=s.index, dtype=object)


def escape_html(value: Any) -> str:
    """HTML-escape any value for inclusion in a report page (quotes included)."""
    return html.escape("" if value is None else str(value), quote=True)
