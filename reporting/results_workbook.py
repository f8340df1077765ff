"""Write :class:`analysis.Results` as a formatted Excel workbook and as JSON.

The workbook has one sheet per result table with headers in the report language (German or
English, :mod:`reporting.labels`), codes in cells shown as words (roles, scales, comparisons,
answer categories, model terms), counts as integers, p values as ``< 0,001``, frozen header row
and autofilter, plus a ``README`` sheet that explains every table and every column; the notes of
the run (``hinweise``: what could not be computed, why, and what to do) come right after it. Text
cells that a spreadsheet would execute (``=``, ``+``, ``-``, ``@``, tab, CR) are neutralised.
Both files are written to a temporary name and renamed, so a failure never leaves half a file.
"""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from core.spreadsheet_escape import neutralize_cell, neutralize_frame

from . import labels as L  # noqa: N812

__all__ = ["localise_table", "results_to_json", "write_results", "write_results_json", "write_results_xlsx"]


#: Infinite numbers (e.g. the degrees of freedom of a z test, an F statistic of a perfect fit) as text:
#: xlsxwriter would write them as a formula (``=1/0``) and JSON has no infinity; U+2212 (not "-") so
#: they are not formula-like. JSON keeps the symbol; the workbook writes the word of its language,
#: the same in every sheet, and explains it in the README sheet.
INFINITY_TEXT = {True: "∞", False: "−∞"}
INFINITY_WORDS = {"de": {True: "unendlich", False: "−unendlich"}, "en": {True: "infinite", False: "−infinite"}}


def _excel_value(v: Any, lang: str | None = None) -> Any:
    inf = INFINITY_WORDS["de" if lang == "de" else "en"] if lang else INFINITY_TEXT
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, float) and math.isinf(v):
        return inf[v > 0]
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        if np.isnan(v):
            return None
        return inf[bool(v > 0)] if np.isinf(v) else float(v)
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    return v


_COUNT = re.compile(r"^(n|k|count|df1|n0|n_.*|score|score_max)$")
_P = re.compile(r"^(p|p_.*|lrt_p)$")
#: Columns whose cells hold codes a reader should see as words, and the kind of code.
_CODE_COLUMNS = {"by": "by", "source": "by", "typology": "typology", "test": "test", "kind": "kind", "level": "level",
                 "design": "design", "flag": "flag", "alternative": "alternative", "verdict": "verdict",
                 "statistic": "statistic", "severity": "severity", "action": "action", "suppression": "suppression"}
#: The pooled row of ``perspektiven`` (its group column says "gesamt / pooled" in both languages).
_POOLED_CELL = "gesamt / pooled"
#: Columns whose text cells may name constructs or facts or hold English phrases.
_TEXT_COLUMNS = ("method", "operationalisation", "outcome", "predictor", "unit", "se_type", "effect_size_type",
                 "note", "scope")


def localise_table(name: str, table: pd.DataFrame, lang: str = "de", instrument: Any = None) -> tuple[pd.DataFrame, list[str]]:
    """A result table as a reader sees it in ``lang``: columns said in the other language left out,
    codes in cells turned into words, and the visible headers (:mod:`reporting.labels`).

    Codes become words only in the workbook; ``results.json`` keeps the codes for programs.

    Returns
    -------
    (DataFrame, list of str)
        The table to write and its headers.
    """
    from .figures import readable, term_labels

    hidden = set(L.HIDDEN_COLUMNS.get(lang, frozenset()))
    if lang != "de" and "type_en" in table.columns:
        hidden.add("type")
    t = table[[c for c in table.columns if c not in hidden]].copy()
    for col, kind in _CODE_COLUMNS.items():
        if col in t.columns and not (col == "statistic" and name != "modell_kennwerte"):
            t[col] = t[col].map(lambda v, k=kind: v if not isinstance(v, str) else L.value(k, v, lang))
    if instrument is not None:
        constructs = {c.id: c.label(lang) for c in instrument.constructs}
        for col in ("construct", "dv", "variable", "scale"):
            if col in t.columns:
                t[col] = t[col].map(lambda v: constructs.get(v, v) if isinstance(v, str) else v)
        if "role" in t.columns:
            t["role"] = t["role"].map(lambda v: L.role_label(v, lang, instrument) if isinstance(v, str) else v)
        if name == "modell" and "term" in t.columns:
            names = term_labels(instrument, lang, [str(x) for x in t["term"]])
            t["term"] = t["term"].map(lambda v: names.get(v, v))
        if name in ("likert", "likert_rolle") and {"item", "code", "label"} <= set(t.columns):
            def option(item: Any, code: Any, label: Any) -> Any:
                try:
                    return instrument.scale_of(str(item)).option(int(code)).label(lang)
                except (KeyError, ValueError, TypeError):
                    return label
            t["label"] = [option(i, c, lab) for i, c, lab in zip(t["item"], t["code"], t["label"])]
        for col in _TEXT_COLUMNS:
            if col in t.columns:
                t[col] = t[col].map(lambda v: readable(v, instrument, lang))
    elif lang == "de":
        for col in _TEXT_COLUMNS:
            if col in t.columns:
                t[col] = t[col].map(lambda v: L.translate_phrases(v, lang))
    if lang != "de" and "type" in t.columns and "type_en" not in table.columns:
        t["type"] = t["type"].map(lambda v: L.value("yesno", v, lang) if isinstance(v, str) else v)
    for col in t.columns:
        if t[col].dtype == object or pd.api.types.is_string_dtype(t[col]):
            t[col] = t[col].map(lambda v: L.text("all_pooled", lang) if isinstance(v, str) and v == _POOLED_CELL else v)
    headers = [L.header("type", lang) if c == "type_en" else L.header(c, lang, name) for c in t.columns]
    return _unique_headers(t, headers)


def _unique_headers(t: pd.DataFrame, headers: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """No two columns of a sheet under one header: a column that repeats an earlier one with the same
    header (a construct id turned into its label beside the label column) is left out; a different
    one gets a number ("Skala (2)")."""
    keep: list[int] = []
    out: list[str] = []
    first: dict[str, int] = {}
    for j, h in enumerate(headers):
        if h in first:
            if t.iloc[:, first[h]].astype(object).equals(t.iloc[:, j].astype(object)):
                continue
            k = 2
            while f"{h} ({k})" in out:
                k += 1
            h = f"{h} ({k})"
        first.setdefault(h, j)
        keep.append(j)
        out.append(h)
    return t.iloc[:, keep], out


def _is_whole(s: pd.Series) -> bool:
    v = pd.to_numeric(s, errors="coerce").dropna()
    return bool(len(v)) and bool(np.all(np.isclose(v, np.round(v))))


def readme_lines(results: Any, lang: str = "de", dataset_name: str | Path | None = None) -> list[str]:
    """The lines at the top of the README sheet: those of the analysis with the dataset's name
    (``dataset_name`` -- a name, or the dataset folder as a Path -- where the analysis has none; the
    part left out when neither has one) and a line explaining infinite values."""
    de = lang == "de"
    if isinstance(dataset_name, Path):
        dataset_name = dataset_name.resolve().name
    name = results.meta.get("dataset") or dataset_name or ""
    lines = []
    for line in results.readme_lines(lang):
        if line.startswith("Instrument:"):
            key = " · Datensatz: " if de else " · dataset: "
            head = line.split(key, 1)[0]
            line = f"{head}{key}{name}" if name else head
        lines.append(line)
    lines.insert(max(len(lines) - 1, 0),
                 "„unendlich“: unendliche Freiheitsgrade (Normalverteilung, z-Test) oder Teststatistik."
                 if de else "'infinite': infinite degrees of freedom (normal distribution, z test) or test statistic.")
    return lines


def column_help(doc: Any, column: str, lang: str, min_n: int) -> str:
    """README help of a column: the label catalogue's where it has one, else the table catalogue's,
    with the minimum cell size written as the number (never "min_n")."""
    if column in L.COLUMN_HELP:
        pair = L.COLUMN_HELP[column]
        return (pair[0] if lang == "de" else pair[1]).format(k=min_n)
    text = doc.column_help(column, lang) if doc else ""
    return re.sub(r"\bmin_n\b", str(min_n), text)


def write_results_xlsx(results: Any, path: str | Path, instrument: Any = None,
                       dataset_name: str | Path | None = None) -> Path:
    """Write the results workbook (see module docstring) atomically.

    Parameters
    ----------
    results : analysis.Results
        Its ``config.lang`` sets the language of headers and words in cells.
    path : path
    instrument : surveys.instrument.Instrument, optional
        Turns construct ids, role codes, answer codes and model terms into their labels.
    dataset_name : str or Path, optional
        Name of the dataset for the README sheet (or its folder, as a Path) when the analysis has none.
    """
    import xlsxwriter

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    lang = getattr(results.config, "lang", "de")
    de = lang == "de"
    wb = xlsxwriter.Workbook(str(tmp), {"nan_inf_to_errors": True, "strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties({"title": "baustein-eval – Ergebnistabellen" if de else "baustein-eval results",
                       "created": pd.Timestamp("2000-01-01").to_pydatetime()})
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "text_wrap": True, "valign": "top", "border": 1})
    fmt_dec = wb.add_format({"num_format": "0.00"})
    fmt_p = wb.add_format({"num_format": '[<0.001]"< 0,001";0.000' if de else '[<0.001]"< 0.001";0.000'})
    fmt_int = wb.add_format({"num_format": "0"})
    fmt_date = wb.add_format({"num_format": "dd.mm.yyyy" if de else "yyyy-mm-dd"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    bold = wb.add_format({"bold": True})

    readme = wb.add_worksheet("README")
    readme.set_column(0, 0, 28)
    readme.set_column(1, 1, 40)
    readme.set_column(2, 2, 100)
    r = 0
    readme.write(r, 0, "baustein-eval – Ergebnistabellen" if de else "baustein-eval – result tables", bold)
    r += 1
    min_n = int(results.config.min_n)
    for line in readme_lines(results, lang, dataset_name):
        readme.write(r, 0, neutralize_cell(line), wrap)
        r += 1
    r += 1
    readme.write_row(r, 0, ["Blatt", "Spalte", "Bedeutung"] if de else ["Sheet", "Column", "Meaning"], head)
    r += 1
    localised = {name: localise_table(name, table, lang, instrument) for name, table in results.tables.items()}
    for name, (table, headers) in localised.items():
        doc = results.docs.get(name)
        readme.write(r, 0, name, bold)
        readme.write(r, 2, neutralize_cell(doc.describe(lang) if doc else ""), wrap)
        r += 1
        for col, h in zip(table.columns, headers):
            readme.write(r, 1, neutralize_cell(h))
            readme.write(r, 2, neutralize_cell(column_help(doc, col, lang, min_n)), wrap)
            r += 1
    readme.freeze_panes(0, 0)

    # the notes (what could not be computed, why, and what to do) come right after the README
    for name in sorted(localised, key=lambda n: n != "hinweise"):
        table, headers = localised[name]
        ws = wb.add_worksheet(name[:31])
        tab = neutralize_frame(table.reset_index(drop=True))
        ws.write_row(0, 0, [neutralize_cell(h) for h in headers], head)
        ws.set_row(0, 45)
        for j, col in enumerate(table.columns):
            s = table[col]
            whole = False
            if pd.api.types.is_bool_dtype(s):
                cf = None
            elif pd.api.types.is_integer_dtype(s):
                cf = fmt_int
            elif pd.api.types.is_float_dtype(s):
                whole = bool(_COUNT.match(str(col))) and _is_whole(s)
                cf = fmt_int if whole else fmt_p if _P.match(str(col)) else fmt_dec
            elif pd.api.types.is_datetime64_any_dtype(s):
                cf = fmt_date
            else:
                cf = None
            width = min(60, max(10, len(headers[j]) * 0.9, *(len(str(v)) for v in tab.iloc[:200, j].tolist()) if len(tab) else [0]))
            ws.set_column(j, j, width, cf)
            for i, v in enumerate(tab.iloc[:, j].tolist(), start=1):
                v = _excel_value(v, lang)
                if whole and isinstance(v, float):
                    v = round(v)
                ws.write(i, j, v, cf)
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
    """Write :func:`results_to_json` atomically (codes kept as codes, for programs)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(results_to_json(results), ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    os.replace(tmp, path)
    return path


def write_results(results: Any, xlsx: str | Path | None, json_path: str | Path | None = None,
                  instrument: Any = None, dataset_name: str | Path | None = None) -> None:
    """Write the workbook and/or the JSON file (``instrument``: labels for codes in the workbook;
    ``dataset_name``: shown in its README sheet when the analysis has none)."""
    if xlsx is not None:
        write_results_xlsx(results, xlsx, instrument, dataset_name)
    if json_path is not None:
        write_results_json(results, json_path)
