"""Reading stage: one reader per file kind, each returning raw sheets of *text* with provenance.

A :class:`RawSheet` holds the cells of one sheet exactly as the user sees them in the grid: row
``i`` of :attr:`RawSheet.cells` is Excel row ``row_base + i`` (leading empty rows are kept), column
``j`` is Excel column :attr:`RawSheet.col_index` ``[j]`` (0 = A). No value is interpreted yet:
"N/A", "NA", "None", "-9" and "08111000" all arrive as the text the cell shows, so pandas' NA
heuristics can never swallow a real value.

Readers: xlsx/xlsm/xls/ods through fastexcel (Rust calamine, Arrow columns; openpyxl only as a
fallback when calamine refuses a workbook), CSV through pandas' C parser with the encoding and
delimiter detected from the bytes, SPSS ``.sav`` through pyreadstat.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputFileError

__all__ = ["FileMeta", "RawSheet", "inspect_input", "read_raw"]

EXCEL_KINDS = {"xlsx", "xlsm", "xls", "ods"}


@dataclass
class RawSheet:
    """One sheet (or CSV/SPSS file) as text cells with Excel coordinates.

    Attributes
    ----------
    name : str
        Sheet name ("" for CSV and SPSS files).
    visible : bool
        False for hidden sheets.
    cells : DataFrame
        Text cells (``None``/NaN for empty), columns numbered 0..n-1.
    col_index : list[int]
        Excel column index (0 = A) of each column of ``cells``.
    row_base : int
        Excel row number of ``cells`` row 0 (1 for workbooks and CSV, 0 for SPSS: there
        row numbers are case numbers and row 0 holds the variable names).
    date1904 : bool
        The workbook counts date serials from 1904.
    labels : dict[str, str]
        Variable labels (SPSS files only), name -> label.
    """

    name: str
    visible: bool
    cells: pd.DataFrame
    col_index: list[int]
    row_base: int = 1
    date1904: bool = False
    labels: dict[str, str] | None = None


@dataclass(frozen=True)
class FileMeta:
    """What we know about an input file before reading it."""

    kind: str
    sha256: str
    size: int


# ---------------------------------------------------------------- inspection
def inspect_input(path: Path) -> FileMeta:
    """Kind, SHA-256 and size of a file; raises :class:`InputFileError` for unusable files.

    Uses :func:`surveys.safety.inspect_file` (encryption, zip bombs, size limits) when that module
    is available, else a minimal check of the magic bytes.
    """
    try:
        from ..safety import inspect_file  # type: ignore[import-not-found]
    except ImportError:
        return _inspect_fallback(path)
    info = inspect_file(path)
    return FileMeta(kind=str(info.kind), sha256=str(info.sha256), size=int(info.size))


def _inspect_fallback(path: Path) -> FileMeta:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputFileError(
            f"Datei kann nicht geöffnet werden / cannot open file: {path} ({exc.strerror})", str(path)
        ) from exc
    if not data:
        raise InputFileError(f"Die Datei ist leer / the file is empty: {path}", str(path))
    sha = hashlib.sha256(data).hexdigest()
    head = data[:8]
    kind = "unknown"
    if head.startswith(b"PK"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
        except zipfile.BadZipFile as exc:
            raise InputFileError(
                f"Die Arbeitsmappe ist beschädigt oder unvollständig / the workbook is damaged or "
                f"truncated: {path}",
                str(path),
            ) from exc
        if "xl/workbook.xml" in names:
            kind = "xlsm" if "xl/vbaProject.bin" in names else "xlsx"
        elif "content.xml" in names:
            kind = "ods"
    elif head.startswith(b"\xd0\xcf\x11\xe0"):
        if b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00i\x00o\x00n\x00I\x00n\x00f\x00o" in data[:65536 * 8]:
            raise InputFileError(
                f"Die Arbeitsmappe ist passwortgeschützt (verschlüsselt). Bitte ohne Kennwort speichern. "
                f"/ The workbook is password-protected (encrypted); please save it without a password: {path}",
                str(path),
            )
        kind = "xls"
    elif head.startswith((b"$FL2", b"$FL3")):
        kind = "sav"
    elif b"\x00" not in data[:4096] or data.startswith((b"\xff\xfe", b"\xfe\xff")):
        kind = "csv"
    return FileMeta(kind=kind, sha256=sha, size=len(data))


# ---------------------------------------------------------------- dispatch
def read_raw(path: Path, kind: str) -> list[RawSheet]:
    """All sheets of ``path`` as :class:`RawSheet` objects (hidden ones flagged)."""
    if kind in EXCEL_KINDS:
        return read_workbook(path, kind)
    if kind == "csv":
        return [read_csv_raw(path)]
    if kind == "sav":
        return [read_sav_raw(path)]
    raise InputFileError(
        f"'{path.name}' ist keine Tabelle (erwartet .xlsx, .xls, .ods, .csv oder .sav). / "
        f"'{path.name}' is not a spreadsheet (expected .xlsx, .xls, .ods, .csv or .sav).",
        str(path),
    )


# ---------------------------------------------------------------- workbooks
def _date1904(path: Path, kind: str) -> bool:
    if kind not in {"xlsx", "xlsm"}:
        return False
    try:
        with zipfile.ZipFile(path) as zf:
            head = zf.read("xl/workbook.xml")[:4096]
    except (KeyError, OSError, zipfile.BadZipFile):
        return False
    return re.search(rb'date1904\s*=\s*"(1|true)"', head) is not None


def read_workbook(path: Path, kind: str) -> list[RawSheet]:
    """Sheets of an Excel/ODS workbook through fastexcel, openpyxl as fallback."""
    import fastexcel

    d1904 = _date1904(path, kind)
    try:
        reader = fastexcel.read_excel(str(path))
        out = []
        for name in reader.sheet_names:
            sheet = reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string")
            cols = sheet.available_columns()
            frame = sheet.to_pandas() if sheet.height else pd.DataFrame(columns=[c.name for c in cols])
            frame.columns = range(frame.shape[1])
            out.append(
                RawSheet(
                    name=name,
                    visible=str(sheet.visible) == "visible",
                    cells=frame,
                    col_index=[int(c.absolute_index) for c in cols],
                    date1904=d1904,
                )
            )
        return out
    except Exception as exc:  # fastexcel raises its own hierarchy; decide below
        if kind in {"xlsx", "xlsm"}:
            try:
                return _read_workbook_openpyxl(path, d1904)
            except Exception:
                pass
        raise InputFileError(
            f"Die Arbeitsmappe '{path.name}' kann nicht gelesen werden ({type(exc).__name__}: {exc}). "
            "Ist sie beschädigt, verschlüsselt oder keine Excel-Datei? Bitte in Excel öffnen und neu "
            f"speichern. / Workbook '{path.name}' cannot be read: damaged, encrypted or not an Excel "
            "file? Please open it in Excel and save it again.",
            str(path),
        ) from exc


def _cell_text(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if hasattr(v, "isoformat"):
        return v.isoformat(sep=" ") if hasattr(v, "hour") and hasattr(v, "day") else v.isoformat()
    return str(v)


def _read_workbook_openpyxl(path: Path, d1904: bool) -> list[RawSheet]:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        out = []
        for ws in wb.worksheets:
            rows = [[_cell_text(v) for v in r] for r in ws.iter_rows(min_row=1, min_col=1, values_only=True)]
            width = max((len(r) for r in rows), default=0)
            frame = pd.DataFrame([r + [None] * (width - len(r)) for r in rows], columns=range(width), dtype=object)
            out.append(RawSheet(ws.title, ws.sheet_state == "visible", frame, list(range(width)), 1, d1904))
        return out
    finally:
        wb.close()


# ---------------------------------------------------------------- CSV
def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def sniff_delimiter(text: str) -> str:
    """Delimiter of a CSV text: the most frequent of ``; , TAB |`` in the first line, quotes ignored."""
    first = text.split("\n", 1)[0]
    first = re.sub(r'"[^"]*"', "", first)
    counts = {d: first.count(d) for d in (";", ",", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv_raw(path: Path) -> RawSheet:
    """A CSV file as text cells; encoding (UTF-8 with/without BOM, UTF-16, cp1252) and delimiter detected."""
    text = _decode(path.read_bytes())
    sep = sniff_delimiter(text)
    kwargs: dict[str, Any] = dict(
        sep=sep, header=None, dtype=str, keep_default_na=False, na_filter=False, skip_blank_lines=False
    )
    try:
        frame = pd.read_csv(io.StringIO(text), **kwargs)
    except pd.errors.ParserError:
        width = max((len(r) for r in csv.reader(io.StringIO(text), delimiter=sep)), default=0)
        frame = pd.read_csv(io.StringIO(text), names=list(range(width)), **kwargs)
    except pd.errors.EmptyDataError:
        frame = pd.DataFrame()
    frame.columns = range(frame.shape[1])
    frame = frame.replace("", None) if len(frame) else frame
    return RawSheet(name="", visible=True, cells=frame, col_index=list(range(frame.shape[1])))


# ---------------------------------------------------------------- SPSS
def _to_text(col: pd.Series) -> pd.Series:
    """Column of an SPSS file as text: integral floats as ``"4"``, dates as ISO text (vectorised)."""
    col = col.reset_index(drop=True)
    if pd.api.types.is_float_dtype(col):
        vals = col.to_numpy(dtype=float)
        finite = ~np.isnan(vals)
        if np.all(np.mod(vals[finite], 1) == 0):
            s = pd.Series(pd.array(col, dtype="Int64")).astype("string")
        else:
            s = col.astype("string")
    elif pd.api.types.is_datetime64_any_dtype(col):
        s = col.dt.strftime("%Y-%m-%d %H:%M:%S").astype("string")
    else:
        s = col.astype("string")
    return s.astype(object).where(s.notna(), None)


def read_sav_raw(path: Path) -> RawSheet:
    """An SPSS ``.sav`` file: row 0 = variable names, row k = case k; codes kept (no value labels applied)."""
    import pyreadstat

    try:
        df, meta = pyreadstat.read_sav(str(path), apply_value_formats=False, user_missing=True)
    except Exception as exc:
        raise InputFileError(
            f"SPSS-Datei '{path.name}' kann nicht gelesen werden ({exc}). / SPSS file cannot be read.",
            str(path),
        ) from exc
    body = pd.DataFrame({i: _to_text(df[c]).to_numpy() for i, c in enumerate(df.columns)})
    header = pd.DataFrame([list(df.columns)], columns=range(len(df.columns)))
    frame = pd.concat([header, body], ignore_index=True).astype(object)
    labels = dict(zip(meta.column_names, meta.column_labels or [], strict=False))
    return RawSheet(
        name="", visible=True, cells=frame, col_index=list(range(frame.shape[1])), row_base=0,
        labels={k: v for k, v in labels.items() if v},
    )
