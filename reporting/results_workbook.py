"""Write :class:`analysis.Results` as a formatted Excel workbook and as JSON.

The workbook has one sheet per result table with German headers, number formats, frozen header
row and autofilter, plus a ``README`` sheet that explains every table and every column; the notes
of the run (``hinweise``: what could not be computed, why, and what to do) come right after it. Text
cells that a spreadsheet would execute (``=``, ``+``, ``-``, ``@``, tab, CR) are neutralised.
Both files are written to a temporary name and renamed, so a failure never leaves half a file.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from core.spreadsheet_escape import neutralize_cell, neutralize_frame

__all__ = ["results_to_json", "write_results", "write_results_json", "write_results_xlsx"]


#: Infinite numbers (e.g. an F statistic of a perfect fit) as text: xlsxwriter would write them as a
#: formula (``=1/0``) and JSON has no infinity; U+2212 (not "-") so they are not formula-like.
INFINITY_TEXT = {True: "∞", False: "−∞"}


def _excel_value(v: Any) -> Any:
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, float) and math.isinf(v):
        return INFINITY_TEXT[v > 0]
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        if np.isnan(v):
            return None
        return INFINITY_TEXT[bool(v > 0)] if np.isinf(v) else float(v)
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    return v


def write_results_xlsx(results: Any, path: str | Path) -> Path:
    """Write the results workbook (see module docstring) atomically."""
    import xlsxwriter

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    lang = getattr(results.config, "lang", "de")
    wb = xlsxwriter.Workbook(str(tmp), {"nan_inf_to_errors": True, "strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties({"title": "baustein-eval results", "created": pd.Timestamp("2000-01-01").to_pydatetime()})
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "text_wrap": True, "valign": "top", "border": 1})
    fmt_dec = wb.add_format({"num_format": "0.00"})
    fmt_p = wb.add_format({"num_format": "0.0000"})
    fmt_int = wb.add_format({"num_format": "0"})
    fmt_date = wb.add_format({"num_format": "dd.mm.yyyy"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    bold = wb.add_format({"bold": True})

    readme = wb.add_worksheet("README")
    readme.set_column(0, 0, 28)
    readme.set_column(1, 1, 34)
    readme.set_column(2, 2, 110)
    r = 0
    readme.write(r, 0, "baustein-eval – Ergebnistabellen" if lang == "de" else "baustein-eval – result tables", bold)
    r += 1
    for line in results.readme_lines(lang):
        readme.write(r, 0, neutralize_cell(line), wrap)
        r += 1
    r += 1
    readme.write_row(r, 0, ["Blatt / sheet", "Spalte / column", "Bedeutung / meaning"], head)
    r += 1
    for name, table in results.tables.items():
        doc = results.docs.get(name)
        readme.write(r, 0, name, bold)
        readme.write(r, 2, neutralize_cell(doc.describe(lang) if doc else ""), wrap)
        r += 1
        for col in table.columns:
            readme.write(r, 1, neutralize_cell(doc.header(col, lang) if doc else col))
            readme.write(r, 2, neutralize_cell(doc.column_help(col, lang) if doc else ""), wrap)
            r += 1
    readme.freeze_panes(0, 0)

    # the notes (what could not be computed, and why) come right after the README
    for name in sorted(results.tables, key=lambda n: n != "hinweise"):
        table = results.tables[name]
        ws = wb.add_worksheet(name[:31])
        doc = results.docs.get(name)
        tab = neutralize_frame(table.reset_index(drop=True))
        headers = [doc.header(c, lang) if doc else str(c) for c in table.columns]
        ws.write_row(0, 0, [neutralize_cell(h) for h in headers], head)
        ws.set_row(0, 45)
        for j, col in enumerate(table.columns):
            s = table[col]
            if pd.api.types.is_bool_dtype(s):
                cf = None
            elif pd.api.types.is_integer_dtype(s):
                cf = fmt_int
            elif pd.api.types.is_float_dtype(s):
                cf = fmt_p if str(col).startswith("p") else fmt_dec
            elif pd.api.types.is_datetime64_any_dtype(s):
                cf = fmt_date
            else:
                cf = None
            width = min(60, max(10, len(headers[j]) * 0.9, *(len(str(v)) for v in tab.iloc[:200, j].tolist()) if len(tab) else [0]))
            ws.set_column(j, j, width, cf)
            for i, v in enumerate(tab.iloc[:, j].tolist(), start=1):
                ws.write(i, j, _excel_value(v), cf)
        ws.freeze_panes(1, 0)
        if len(table.columns):
            ws.autofilter(0, 0, max(len(table), 1), len(table.columns) - 1)
    wb.close()
    os.replace(tmp, path)
    return path


def results_to_json(results: Any) -> dict[str, Any]:
    """JSON-ready dict: config, metadata, the notes (``hinweise``) and every table as a list of records."""

    def clean(v: Any) -> Any:
        v = _excel_value(v)
        if isinstance(v, (pd.Timestamp,)) or hasattr(v, "isoformat"):
            return v.isoformat()
        return v

    notes = results.tables.get("hinweise")
    return {
        "config": results.config_dict(),
        "meta": results.meta,
        "notes": [] if notes is None else [{str(k): clean(v) for k, v in rec.items()}
                                           for rec in neutralize_frame(notes).to_dict("records")],
        "tables": {
            name: [{str(k): clean(v) for k, v in rec.items()} for rec in neutralize_frame(t).to_dict("records")]
            for name, t in results.tables.items()
        },
    }


def write_results_json(results: Any, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(results_to_json(results), ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    os.replace(tmp, path)
    return path


def write_results(results: Any, xlsx: str | Path | None, json_path: str | Path | None = None) -> None:
    """Write the workbook and/or the JSON file."""
    if xlsx is not None:
        write_results_xlsx(results, xlsx)
    if json_path is not None:
        write_results_json(results, json_path)
