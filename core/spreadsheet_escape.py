"""Make user-provided text safe to put into spreadsheets, CSV files and HTML.

Spreadsheet programs execute cell text that starts with ``=``, ``+``, ``-`` or ``@`` (and, in some
programs, tab or carriage return) as a formula ("CSV/formula injection", OWASP). A municipality
name like ``=HYPERLINK("http://evil","klick")`` must reach the user as text. We prefix such
strings with an apostrophe, the convention Excel itself uses for "this is text".

Numbers are never touched (a negative number is a number, not a formula).
"""

from __future__ import annotations

import html
from typing import Any

import pandas as pd

__all__ = ["FORMULA_PREFIXES", "escape_html", "neutralize_cell", "neutralize_frame"]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralize_cell(value: Any) -> Any:
    """Return ``value`` with a leading apostrophe if it is text that a spreadsheet would run.

    >>> neutralize_cell('=HYPERLINK("http://x")')
    '\\'=HYPERLINK("http://x")'
    >>> neutralize_cell(-3.5)
    -3.5
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralize_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``df`` with every text cell (and text column header) neutralised."""
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s):
            out[col] = s.map(neutralize_cell)
        elif isinstance(s.dtype, pd.CategoricalDtype):
            out[col] = s.astype(object).map(neutralize_cell)
    out.columns = [neutralize_cell(c) if isinstance(c, str) else c for c in out.columns]
    return out


def escape_html(value: Any) -> str:
    """HTML-escape any value for inclusion in a report page (quotes included)."""
    return html.escape("" if value is None else str(value), quote=True)
