"""Detection stage: where the header row is, whether a label row follows, which tool wrote the file.

The format is recognised from the *content* (headers and sheet names), never from the file name:

==========  ===============================================================================
template    sheet ``Antworten`` or headers ``KOM01 – …`` / ``Fragebogen-Nr.``
kobo        Kobo meta columns (``_uuid``, ``_submission_time``, ``_index``) or ``group/name`` headers
limesurvey  ``id`` + ``submitdate``/``lastpage``/``startlanguage`` (or their long forms), ``X[Y]``
sosci       ``CASE``, ``SERIAL``, ``QUESTNNR``, ``MODE``, ``STARTED``
forms       ``Zeitstempel``/``Timestamp`` first, or ``ID`` + ``Startzeit``/``Fertigstellungszeit``
csv         anything else (a plain table whose headers are item codes or wordings)
==========  ===============================================================================
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from surveys.formats import TEMPLATE_RESPONSES_SHEET

from .mapping import HeaderIndex
from .normalize import norm_key

__all__ = ["FORMATS", "detect_format", "find_header_row", "frame_objects", "is_label_row"]

FORMATS = ("template", "kobo", "limesurvey", "sosci", "forms", "csv")

_HEADER_SCAN_ROWS = 30
_TEMPLATE_HEAD = re.compile(r"^[a-z]{2,}\d+\s*-\s")


def frame_objects(cells: pd.DataFrame, stop: int | None = None) -> np.ndarray:
    """``cells.iloc[:stop].to_numpy(dtype=object)`` (NaN for empty cells), converted column by
    column straight from Arrow when the columns are Arrow strings (fastexcel): much cheaper than
    pandas' row-interleaving conversion for the many small sheets of an import."""
    import pyarrow as pa

    n = len(cells) if stop is None else min(stop, len(cells))
    out = np.empty((n, cells.shape[1]), dtype=object)
    for j, c in enumerate(cells.columns):
        arr = cells[c].array
        if isinstance(arr, pd.arrays.ArrowStringArray):
            a = pa.array(arr[:n])
            vals = a.to_numpy(zero_copy_only=False)
            if a.null_count:
                vals[a.is_null().to_numpy(zero_copy_only=False)] = np.nan
            out[:, j] = vals
        else:
            out[:, j] = cells[c].iloc[:n].to_numpy(dtype=object)
    return out


def find_header_row(
    cells: pd.DataFrame, index: HeaderIndex, values: np.ndarray | None = None
) -> tuple[int | None, int]:
    """Position of the header row within the first rows, and its number of recognised columns.

    The row with most recognised headers (items, fields, meta columns) wins; without any, the
    first non-empty row. ``(None, 0)`` for an empty sheet. ``values``: ``cells`` as an object
    array, when the caller has it already.
    """
    head = frame_objects(cells, _HEADER_SCAN_ROWS) if values is None else values[:_HEADER_SCAN_ROWS]
    best, best_score, first_nonempty = None, 0, None
    for pos in range(len(head)):
        vals = [v for v in head[pos].tolist() if isinstance(v, str) and v.strip()]
        if not vals:
            continue
        if first_nonempty is None:
            first_nonempty = pos
        if len(vals) <= best_score:
            continue  # cannot recognise more headers than the best row so far
        score = sum(1 for v in vals if index.resolve(v) is not None)
        if score > best_score:
            best, best_score = pos, score
    if best is None:
        return first_nonempty, 0
    return best, best_score


def detect_format(headers: Sequence[object], sheet_names: Sequence[str], kind: str) -> str:
    """Name of the tool that wrote a sheet with these headers (see the module docstring)."""
    keys = [norm_key(h) for h in headers if h is not None and not (isinstance(h, float) and np.isnan(h))]
    keyset = set(keys)
    if TEMPLATE_RESPONSES_SHEET in sheet_names or "fragebogen-nr." in keyset or any(
        _TEMPLATE_HEAD.match(k) for k in keys
    ):
        return "template"
    if {"case", "serial", "questnnr", "mode", "started"} & keyset and (
        "case" in keyset or "questnnr" in keyset
    ):
        return "sosci"
    if {"_uuid", "_submission_time", "_index", "_validation_status"} & keyset or (
        any("/" in k for k in keys) and {"start", "end"} & keyset
    ):
        return "kobo"
    if {"submitdate", "lastpage", "startlanguage", "last page seen", "start language", "date submitted"} & keyset:
        return "limesurvey"
    if (keys and keys[0] in {"zeitstempel", "timestamp"}) or {"startzeit", "fertigstellungszeit",
                                                            "start time", "completion time"} & keyset:
        return "forms"
    if kind == "sav":
        return "sosci"
    return "csv"


def is_label_row(
    row: pd.Series,
    headers: pd.Series,
    item_cols: Sequence[int],
    fmt: str,
    is_answer: Callable[[int, object], bool],
) -> bool:
    """Whether the row after the header holds variable labels (SoSci's second header row)."""
    keys = {norm_key(h): i for i, h in headers.items() if isinstance(h, str)}
    if "case" in keys:
        v = row.get(keys["case"])
        if isinstance(v, str) and v.strip() and not v.strip().lstrip("-").isdigit():
            return True
    if not item_cols:
        return False
    texts = [row.get(c) for c in item_cols]
    long_text = sum(
        1
        for c, t in zip(item_cols, texts)
        if isinstance(t, str) and len(t.strip()) >= 12 and not is_answer(c, t)
    )
    return long_text >= max(1, (len(item_cols) + 1) // 2)
