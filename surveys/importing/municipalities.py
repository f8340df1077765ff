"""Municipality master data: the template's ``Kommunen`` sheet and ``--municipalities FILE``.

Headers may be the German template headers (:data:`surveys.formats.TEMPLATE_MUNICIPALITY_HEADERS`)
or the dataset column names. Values are normalised like answers: AGS padded to 8 digits, ``ja/nein``
to booleans, German numbers (``12.500``) to numbers, dates from text or serials.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from core.errors import InputFileError
from core.excel_columns import column_letter
from surveys.dataset import MUNICIPALITY_COLUMNS, STATES, size_class
from surveys.formats import TEMPLATE_MUNICIPALITY_HEADERS

from .findings import FindingCollector
from .normalize import (
    Factorized,
    factorize,
    nonblank_rows,
    norm_key,
    normalize_ags,
    parse_bool,
    parse_dates,
    parse_number,
)
from .readers import RawSheet, inspect_input, read_raw

__all__ = [
    "BOOL_FACTS",
    "NUMBER_FACTS",
    "complete_municipalities",
    "looks_like_municipalities",
    "master_table",
    "parse_municipality_sheet",
    "parse_municipality_sheets",
    "read_municipalities_file",
]

BOOL_FACTS = ("council_resolution", "mayor_involved", "named_contact", "rooms")
NUMBER_FACTS = ("population", "staff_hours", "budget_eur", "n_initiatives", "n_volunteers")
INT_FACTS = ("population", "n_initiatives", "n_volunteers")
DATE_FACTS = ("council_resolution_date",)
TEXT_FACTS = ("name", "district", "cohort")
#: Fact columns compared across files for contradictions.
FACT_COLUMNS = (*TEXT_FACTS, *NUMBER_FACTS, *BOOL_FACTS, *DATE_FACTS)

_ALIASES: dict[str, str] = {norm_key(h): c for c, h in TEMPLATE_MUNICIPALITY_HEADERS.items()}
_ALIASES.update({norm_key(c): c for c in MUNICIPALITY_COLUMNS})
_ALIASES.update({"gemeinde": "name", "kommune": "name", "gemeindename": "name", "kreis": "district",
                 "einwohner": "population", "kohorte": "cohort"})


def looks_like_municipalities(header_keys: set[str]) -> bool:
    """Whether normalised headers are those of a municipality table (AGS + at least two facts)."""
    hits = {_ALIASES[k] for k in header_keys if k in _ALIASES}
    return "ags" in hits and len(hits) >= 3


def _header_row(sheet: RawSheet) -> int | None:
    for pos, row in enumerate(sheet.head(30)):
        keys = {norm_key(v) for v in row.tolist() if isinstance(v, str)}
        if "ags" in keys or norm_key(TEMPLATE_MUNICIPALITY_HEADERS["ags"]) in keys:
            return pos
    return None


def parse_municipality_sheet(
    sheet: RawSheet, file: str, findings: FindingCollector
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Municipality rows of one sheet, with provenance (``source_file``, ``source_sheet``, ``source_row``).

    Rows without a valid AGS are rejected (finding ``municipality_invalid``); unreadable facts are
    left empty with a warning. Returns the table and counts (rows_in, rows_accepted, rows_rejected).
    """
    table, counts = parse_municipality_sheets([(sheet, file, findings)])
    return (table if len(table.columns) else _empty_table()), counts[0]


_LAYOUT = ("ags", *TEXT_FACTS, *NUMBER_FACTS, *BOOL_FACTS, *DATE_FACTS)


def _empty_table() -> pd.DataFrame:
    return pd.DataFrame(columns=[*MUNICIPALITY_COLUMNS, "source_file", "source_sheet", "source_row"])


def parse_municipality_sheets(
    sheets: Sequence[tuple[RawSheet, str, FindingCollector]],
) -> tuple[pd.DataFrame, list[dict[str, int]]]:
    """:func:`parse_municipality_sheet` for many sheets at once: each value is normalised once over
    the rows of all sheets (one template workbook holds a one-row ``Kommunen`` sheet, an import
    a thousand of them). Returns one table (the accepted rows of all sheets, in sheet order) and
    the counts of each sheet; findings go to each sheet's collector.
    """
    counts = [{"rows_in": 0, "rows_accepted": 0, "rows_rejected": 0} for _ in sheets]
    parts = []  # (i, sheet, file, fc, headers, colmap, rows, sel)
    for i, (sheet, file, fc) in enumerate(sheets):
        h = _header_row(sheet)
        if h is None:
            continue
        headers = sheet.row(h)
        data = [c.slice(h + 1) for c in sheet.columns]
        nonblank = nonblank_rows(data)
        if not nonblank.all():
            mask = pa.array(nonblank)
            data = [c.filter(mask) for c in data]
        rows = sheet.row_base + h + 1 + np.flatnonzero(nonblank)
        colmap: dict[str, int] = {}
        for pos, head in headers.items():
            target = _ALIASES.get(norm_key(head))
            if target and target not in colmap:
                colmap[target] = int(pos)  # type: ignore[arg-type]
        sel = [data[colmap[name]] if name in colmap else None for name in _LAYOUT]
        parts.append((i, sheet, file, fc, headers, colmap, rows, sel))
    if not parts:
        return pd.DataFrame(), counts

    sizes = np.array([len(p[6]) for p in parts], dtype=np.int64)
    offs = np.concatenate([[0], np.cumsum(sizes)])
    which = np.repeat(np.arange(len(parts)), sizes)

    def col(name: str) -> Factorized:
        j = _LAYOUT.index(name)
        cells = [p[7][j] if p[7][j] is not None else pa.nulls(len(p[6]), pa.string()) for p in parts]
        return factorize(pa.concat_arrays(cells))

    def each(mask: np.ndarray):
        """(part, its slice of the batch, the part's mask) for parts where ``mask`` is set."""
        if not mask.any():
            return
        for k in np.flatnonzero(np.bincount(which[mask], minlength=len(parts))):
            a, b = offs[k], offs[k + 1]
            yield parts[k], slice(a, b), mask[a:b]

    table = pd.DataFrame(index=pd.RangeIndex(offs[-1]))
    raw_ags = col("ags")
    ags, status = normalize_ags(raw_ags)
    bad_rows = ags.isna().to_numpy()  # "normalised" (other digits, same municipality) is fine
    for (_, sheet, file, fc, headers, colmap, rows, _), sl, m in each(bad_rows):
        fc.add(
            "municipality_invalid", file=file, sheet=sheet.name, rows=rows[m],
            column=column_letter(sheet.col_index[colmap["ags"]]) if "ags" in colmap else "",
            header=str(headers.get(colmap.get("ags", -1), "AGS")), value=raw_ags.objects(sl)[m],
        )
    for (_, sheet, file, fc, headers, colmap, rows, _), sl, m in each(status == "normalised"):
        fc.add(
            "ags_normalised", file=file, sheet=sheet.name, rows=rows[m],
            column=column_letter(sheet.col_index[colmap["ags"]]), header=str(headers.get(colmap["ags"], "AGS")),
            value=raw_ags.objects(sl)[m], detail=ags.to_numpy()[sl][m],
        )
    table["ags"] = ags
    for name in TEXT_FACTS:
        fz = col(name)
        stripped = pc.utf8_trim_whitespace(pa.array(fz.uniques.tolist(), type=pa.string())).to_pylist()
        u_text = np.array([t if t else None for t in stripped] + [None], dtype=object)
        table[name] = pd.Series(u_text[np.where(fz.codes >= 0, fz.codes, len(fz.uniques))], dtype=object)
    for name in NUMBER_FACTS:
        raw = col(name)
        vals, bad = parse_number(raw)
        _warn_bad_batch(parts, each, name, raw, bad, "Zahl / number")
        if name in INT_FACTS:
            vals = vals.round()
        table[name] = vals.astype("Int64") if name in INT_FACTS else vals
    for name in BOOL_FACTS:
        raw = col(name)
        vals, bad = parse_bool(raw)
        _warn_bad_batch(parts, each, name, raw, bad, "ja/nein")
        table[name] = vals
    for name in DATE_FACTS:
        raw = col(name)
        d1904 = np.repeat([bool(p[1].date1904) for p in parts], sizes)
        vals, bad = parse_dates(raw, False)
        if d1904.any():
            v4, b4 = parse_dates(raw, True)
            vals = vals.where(~d1904, v4)
            bad = np.where(d1904, b4, bad)
        _warn_bad_batch(parts, each, name, raw, bad, "Datum / date")
        table[name] = vals.dt.normalize()
    table["source_file"] = np.repeat(np.array([p[2] for p in parts], dtype=object), sizes)
    table["source_sheet"] = np.repeat(np.array([p[1].name for p in parts], dtype=object), sizes)
    table["source_row"] = np.concatenate([p[6] for p in parts]).astype(np.int64)
    keep = ~bad_rows
    for k, (i, *_rest) in enumerate(parts):
        a, b = offs[k], offs[k + 1]
        n_keep = int(keep[a:b].sum())
        counts[i] = {"rows_in": int(b - a), "rows_accepted": n_keep, "rows_rejected": int(b - a) - n_keep}
    return table[keep].reset_index(drop=True), counts


def _warn_bad_batch(parts, each, name, raw, bad, what) -> None:
    for (_, sheet, file, fc, headers, colmap, rows, _), sl, m in each(bad):
        if name in colmap and m.any():
            fc.add(
                "municipality_value_invalid", file=file, sheet=sheet.name, rows=rows[m],
                column=column_letter(sheet.col_index[colmap[name]]), header=str(headers[colmap[name]]),
                value=raw.objects(sl)[m], detail=what,
            )


def read_municipalities_file(path: str | Path, findings: FindingCollector) -> pd.DataFrame:
    """Read ``--municipalities FILE`` (xlsx/ods/csv; sheet ``Kommunen`` or the first with an AGS column)."""
    p = Path(path)
    if not p.is_file():
        raise InputFileError(f"Kommunen-Datei nicht gefunden / municipalities file not found: {p}", str(p))
    meta = inspect_input(p)
    sheets = [s for s in read_raw(p, meta.kind) if s.visible]
    sheets.sort(key=lambda s: norm_key(s.name) != "kommunen")
    for sheet in sheets:
        if _header_row(sheet) is not None:
            table, _ = parse_municipality_sheet(sheet, str(path), findings)
            return table
    raise InputFileError(
        f"In '{p.name}' wurde keine Spalte 'AGS' gefunden. / No 'AGS' column found in '{p.name}'.", str(p)
    )


def master_table(
    municipalities: str | Path | pd.DataFrame, findings: FindingCollector, limits: Any = None
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The municipality master table of an import (``--municipalities``: a file or a DataFrame) and
    its source for the manifest; rows with an AGS not in it are rejected by the import."""
    if isinstance(municipalities, pd.DataFrame):
        external = municipalities.copy()
        ags, _ = normalize_ags(external["ags"].astype(object))
        external["ags"] = ags
        external = external[external["ags"].notna()]
        for c in ("source_file", "source_sheet", "source_row"):
            if c not in external:
                external[c] = "(DataFrame)" if c == "source_file" else ("" if c == "source_sheet" else 0)
        return external, {"path": "(DataFrame)"}
    external = read_municipalities_file(municipalities, findings)
    return external, {"path": Path(municipalities).as_posix(), "sha256": inspect_input(Path(municipalities), limits).sha256}


def complete_municipalities(table: pd.DataFrame, seen_ags: pd.Series) -> pd.DataFrame:
    """The dataset's municipalities table: one row per AGS (facts + AGS only seen in responses),
    with ``state`` from the AGS and ``size_class`` from the population; sorted by AGS."""
    facts = table.drop(columns=["source_file", "source_sheet", "source_row"], errors="ignore")
    extra = pd.DataFrame({"ags": pd.Series(seen_ags.dropna().unique(), dtype=object)})
    extra = extra[~extra["ags"].isin(facts["ags"])] if len(facts) else extra
    out = pd.concat([facts, extra], ignore_index=True) if len(facts) else extra
    for c in MUNICIPALITY_COLUMNS:
        if c not in out:
            out[c] = None
    out["state"] = out["ags"].str[:2].map(STATES)
    out["size_class"] = size_class(out["population"]).astype(object)
    out["population"] = pd.array(out["population"], dtype="Int64")
    for c in ("n_initiatives", "n_volunteers"):
        out[c] = pd.array(out[c], dtype="Int64")
    for c in ("staff_hours", "budget_eur"):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype(float)
    for c in BOOL_FACTS:
        out[c] = pd.array(out[c], dtype="boolean")
    out["council_resolution_date"] = pd.to_datetime(out["council_resolution_date"]).astype("datetime64[us]")
    for c in (*TEXT_FACTS, "state", "size_class", "ags"):
        out[c] = out[c].astype(object).where(out[c].notna(), None)
    return out[list(MUNICIPALITY_COLUMNS)].sort_values("ags", kind="stable").reset_index(drop=True)
