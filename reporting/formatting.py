"""Numbers as a reader expects them: decimal comma in German, counts as integers, ``p < 0,001``.

Pages, Word files and the profile sentences all format through these functions, so that a value
reads the same everywhere.

>>> fmt_number(1234.5, 1, "de"), fmt_number(19.0, 2, "de", count=True)
('1.234,5', '19')
>>> fmt_p(0.0004, "de"), fmt_p(0.0312, "en")
('p < 0,001', 'p = 0.031')
>>> fmt_interval(-0.123, 0.456, 2, "de")
'[−0,12; 0,46]'
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

__all__ = ["fill_names", "fmt_interval", "fmt_number", "fmt_p", "fmt_signed", "is_missing", "name_map"]

MINUS = "−"


def is_missing(x: Any) -> bool:
    """True for None, NaN, ``pd.NA`` and ``pd.NaT``."""
    if x is None or x is pd.NA or x is pd.NaT:
        return True
    try:
        return bool(isinstance(x, float) and math.isnan(x))
    except TypeError:
        return False


def fmt_number(x: Any, decimals: int = 2, lang: str = "de", count: bool = False) -> str:
    """A number with a decimal comma and thousands dot in German (``1.234,56``), point in English.

    Integers, and any whole number when ``count`` is true or ``decimals`` is 0, are written
    without decimals (counts are never ``19,00``); booleans as ja/nein (yes/no); missing as "–".
    Negative numbers get a typographic minus sign.
    """
    if is_missing(x):
        return "–"
    if isinstance(x, bool):
        return ("ja" if x else "nein") if lang == "de" else ("yes" if x else "no")
    if isinstance(x, str):
        return x
    v = float(x)
    if math.isinf(v):
        return "∞" if v > 0 else MINUS + "∞"
    if isinstance(x, int) or ((count or decimals == 0) and v.is_integer()):
        s = f"{int(v):,}"
    else:
        s = f"{v:,.{decimals}f}"
    if lang == "de":
        s = s.replace(",", "§").replace(".", ",").replace("§", ".")
    return s.replace("-", MINUS)


def fmt_signed(x: Any, decimals: int = 2, lang: str = "de") -> str:
    """A difference with its sign (``+0,42``, ``−0,10``)."""
    if is_missing(x):
        return "–"
    s = fmt_number(x, decimals, lang)
    return s if s.startswith(MINUS) or float(x) == 0 else "+" + s


def fmt_p(p: Any, lang: str = "de", with_p: bool = True) -> str:
    """A p value as ``p = 0,031`` or ``p < 0,001`` (never ``p = 0,00``)."""
    if is_missing(p):
        return "–"
    v = float(p)
    prefix = "p " if with_p else ""
    if v < 0.001:
        return prefix + "< " + fmt_number(0.001, 3, lang)
    return prefix + ("= " if with_p else "") + fmt_number(v, 3, lang)


def fmt_interval(lo: Any, hi: Any, decimals: int = 2, lang: str = "de") -> str:
    """A confidence interval as ``[0,12; 0,46]`` (German) or ``[0.12, 0.46]`` (English)."""
    sep = "; " if lang == "de" else ", "
    return f"[{fmt_number(lo, decimals, lang)}{sep}{fmt_number(hi, decimals, lang)}]"


def _blank(x: Any) -> bool:
    return is_missing(x) or not str(x).strip() or str(x).strip().lower() in {"nan", "none", "<na>"}


def fill_names(table: pd.DataFrame, ags: str = "ags", name: str = "name") -> pd.DataFrame:
    """``table`` with every missing or blank municipality name replaced by the AGS (as text).

    A dataset imported without municipality master data has no names (None/NaN, or no name
    column at all); pages, charts and the index then show the AGS instead of "nan" or a crash.
    Tables without an AGS column are returned unchanged.

    >>> fill_names(pd.DataFrame({"ags": ["08111000", "08222000"], "name": [None, "Mannheim"]}))["name"].tolist()
    ['08111000', 'Mannheim']
    """
    if ags not in table.columns:
        return table
    if name not in table.columns:
        table = table.assign(**{name: None})
    elif table[name].notna().all() and not table[name].astype(str).str.strip().str.lower().isin(["", "nan", "none", "<na>"]).any():
        return table  # every municipality has a name (the usual case), vectorised
    codes = table[ags].astype(object).map(lambda a: "" if is_missing(a) else str(a))
    names = [a if _blank(n) else str(n) for n, a in zip(table[name].astype(object), codes)]
    return table.assign(**{name: pd.Series(names, index=table.index, dtype=object)})


def name_map(table: pd.DataFrame | None, ags: str = "ags", name: str = "name") -> dict[str, str]:
    """AGS -> display name (the AGS itself where the name is missing), from a table with both columns.

    >>> name_map(pd.DataFrame({"ags": ["08111000"], "name": [float("nan")]}))
    {'08111000': '08111000'}
    """
    if table is None or ags not in getattr(table, "columns", ()):
        return {}
    t = fill_names(table, ags, name)
    return {str(a): str(n) for a, n in zip(t[ags].astype(object), t[name]) if not is_missing(a)}
