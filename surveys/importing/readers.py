"""Reading stage: one reader per file kind, each returning raw sheets of *text* with provenance.

A :class:`RawSheet` holds the cells of one sheet exactly as the user sees them in the grid, one
Arrow text array per column (each sheet read once): row ``i`` is Excel row ``row_base + i``
(leading empty rows are kept), column ``j`` is Excel column :attr:`RawSheet.col_index` ``[j]``
(0 = A). :meth:`RawSheet.head` gives the first rows as Python objects (for the header search),
:attr:`RawSheet.cells` all of them as a DataFrame (for callers that want one). No value is interpreted yet:
"N/A", "NA", "None", "-9" and "08111000" all arrive as the text the cell shows, so pandas' NA
heuristics can never swallow a real value.

Readers: xlsx/xlsm/xls/ods through fastexcel (Rust calamine, Arrow columns; openpyxl only as a
fallback when calamine refuses a workbook), CSV through pandas' C parser with the encoding and
delimiter detected from the bytes, SPSS ``.sav`` through pyreadstat.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from core.errors import InputFileError

__all__ = ["FileMeta", "RawSheet", "inspect_input", "read_raw", "reader_failure", "sheet_objects", "text_columns"]

EXCEL_KINDS = {"xlsx", "xlsm", "xls", "ods"}


@dataclass
class RawSheet:
    """One sheet (or CSV/SPSS file) as text cells with Excel coordinates, one Arrow array per column.

    Attributes
    ----------
    name : str
        Sheet name ("" for CSV and SPSS files).
    visible : bool
        False for hidden sheets.
    columns : list of pyarrow.Array
        Text cells (null for empty) of each column, all of the same length; column ``j`` is Excel
        column ``col_index[j]``.
    col_index : list[int]
        Excel column index (0 = A) of each column.
    row_base : int
        Excel row number of row 0 (1 for workbooks and CSV, 0 for SPSS: there row numbers are
        case numbers and row 0 holds the variable names).
    date1904 : bool
        The workbook counts date serials from 1904.
    labels : dict[str, str]
        Variable labels (SPSS files only), name -> label.
    flags : list of (excel_row, col0, kind, text), optional
        Error cells and formulas without a cached value (:func:`xlsx_cell_flags`).
    na : object
        How an empty cell appears among Python objects (:meth:`head`, :attr:`cells`): NaN for
        text read through Arrow (workbooks, CSV), None for the object readers (SPSS, openpyxl).
    """

    name: str
    visible: bool
    columns: list[pa.Array]
    col_index: list[int]
    row_base: int = 1
    date1904: bool = False
    labels: dict[str, str] | None = None
    flags: list[tuple[int, int, str, str]] | None = None
    na: Any = np.nan
    _head: np.ndarray | None = field(default=None, repr=False, compare=False)
    _objects: np.ndarray | None = field(default=None, repr=False, compare=False)
    _cells: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    #: results computed once per sheet by the conversion (e.g. its header row)
    memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def n_rows(self) -> int:
        """Number of rows (0 for an empty sheet)."""
        return len(self.columns[0]) if self.columns else 0

    def head(self, n: int = 30) -> np.ndarray:
        """The first ``n`` rows as a 2-D object array (:attr:`na` for empty cells), computed once."""
        if self._head is None or len(self._head) < min(n, self.n_rows):
            self._head = _objects(self.columns, min(max(n, 30), self.n_rows), self.na)
        return self._head[:n]

    def row(self, i: int) -> dict[int, Any]:
        """Row ``i`` as column number -> cell (the values of ``cells.iloc[i]``)."""
        vals = self.head(i + 1)[i] if i < 30 else _objects([c.slice(i, 1) for c in self.columns], 1, self.na)[0]
        return dict(enumerate(vals.tolist()))

    @property
    def cells(self) -> pd.DataFrame:
        """All cells as a DataFrame (columns 0..n-1): Arrow text (NaN for empty) or objects (None)."""
        if self._cells is None:
            if self.na is None:
                self._cells = pd.DataFrame(sheet_objects(self), columns=range(len(self.columns)), dtype=object)
            else:
                names = [str(j) for j in range(len(self.columns))]
                frame = pa.Table.from_arrays(self.columns, names=names).to_pandas() if self.columns else pd.DataFrame()
                frame.columns = range(frame.shape[1])
                self._cells = frame
        return self._cells


def _objects(columns: list[pa.Array], n: int, na: Any) -> np.ndarray:
    """The first ``n`` rows of ``columns`` as a 2-D object array, ``na`` for nulls."""
    k = len(columns)
    if n == 0 or k == 0:
        return np.empty((n, k), dtype=object)
    flat = pa.concat_arrays([c.slice(0, n) for c in columns])  # one conversion for all columns
    vals = flat.to_numpy(zero_copy_only=False).astype(object, copy=False)
    if flat.null_count:
        vals[flat.is_null().to_numpy(zero_copy_only=False)] = na
    return vals.reshape(k, n).T


def sheet_objects(sheet: RawSheet) -> np.ndarray:
    """The cells of ``sheet`` as a 2-D object array (:attr:`RawSheet.na` for empty cells), computed once."""
    if sheet._objects is None:
        sheet._objects = _objects(sheet.columns, sheet.n_rows, sheet.na)
    return sheet._objects


def text_columns(frame: pd.DataFrame) -> list[pa.Array]:
    """The columns of a frame of text cells as Arrow string arrays (null for NA)."""
    out = []
    for c in frame.columns:
        s = frame[c]
        arr = pa.array(s.array) if isinstance(s.array, pd.arrays.ArrowStringArray) else pa.array(
            s.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
        out.append(arr if arr.type == pa.string() else arr.cast(pa.string()))
    return out


@dataclass(frozen=True)
class FileMeta:
    """What we know about an input file before reading it.

    ``notes`` are the user messages of :func:`surveys.importing.input_guard.inspect_file` (macros ignored, hidden
    sheets, 1904 dates, CSV encoding ...); ``parts`` maps sheet names to their XML part (xlsx/xlsm),
    used to find error cells and formulas without cached values.
    """

    kind: str
    sha256: str
    size: int
    notes: tuple[str, ...] = ()
    hidden_sheets: tuple[str, ...] = ()
    date1904: bool = False
    encoding: str | None = None
    delimiter: str | None = None
    parts: tuple[tuple[str, str], ...] = ()
    #: The parts whose XML holds an error cell or a formula (found by the safety scan); None = unknown.
    flag_parts: tuple[tuple[str, str], ...] | None = None
    #: CSV: lines of a UTF-8 file read as Windows-1252, and (line, count) of removed NUL bytes.
    fallback_lines: tuple[int, ...] = ()
    nul_lines: tuple[tuple[int, int], ...] = ()


# ---------------------------------------------------------------- inspection
def inspect_input(path: Path, limits: Any = None) -> FileMeta:
    """Kind, SHA-256, size and notes of a file; raises :class:`InputFileError` for unusable files.

    Uses :func:`surveys.importing.input_guard.inspect_file` (encryption, zip bombs, size limits; ``limits`` is a
    :class:`surveys.importing.input_guard.Limits`, default from the environment).
    """
    from .input_guard import inspect_file

    info = inspect_file(path, limits)
    return FileMeta(
        kind=str(info.kind),
        sha256=str(info.sha256),
        size=int(info.size),
        notes=tuple(info.notes),
        hidden_sheets=tuple(info.hidden_sheets),
        date1904=bool(info.date1904),
        encoding=info.encoding,
        delimiter=info.delimiter,
        parts=tuple((d.sheet, d.part) for d in info.dimensions),
        flag_parts=tuple((d.sheet, d.part) for d in info.dimensions if d.flag_hint),
        fallback_lines=tuple(info.fallback_lines),
        nul_lines=tuple(info.nul_lines),
    )


# ---------------------------------------------------------------- dispatch
def read_raw(
    path: Path, kind: str, meta: FileMeta | None = None, skip: Callable[[str], bool] | None = None
) -> list[RawSheet]:
    """All sheets of ``path`` as :class:`RawSheet` objects (hidden ones flagged).

    With ``meta`` (from :func:`inspect_input`), xlsx/xlsm sheets get :attr:`RawSheet.flags`: error
    cells (``#DIV/0!``) and formulas without a cached value, which every reader returns as empty;
    the 1904 date system is taken from it. CSV files are decoded with the encoding and delimiter
    :func:`surveys.importing.input_guard.inspect_file` found. ``skip``: visible sheets listed but
    not loaded (see :func:`read_workbook`).
    """
    if kind in EXCEL_KINDS:
        d1904 = meta.date1904 if meta is not None and kind in {"xlsx", "xlsm"} else None
        sheets = read_workbook(path, kind, skip, d1904)
        if meta is not None and kind in {"xlsx", "xlsm"} and meta.parts:
            if meta.flag_parts is None:
                flags = xlsx_cell_flags(path, meta.parts)
            else:  # the safety scan already looked for error cells and formulas in one pass
                flags = xlsx_cell_flags(path, meta.flag_parts, prescanned=True) if meta.flag_parts else {}
            for s in sheets:
                s.flags = flags.get(s.name) or None
        return sheets
    if kind == "csv":
        if meta is not None:
            return [read_csv_raw(path, meta.encoding, meta.delimiter, strip_nul=bool(meta.nul_lines))]
        return [read_csv_raw(path)]
    if kind == "sav":
        return [read_sav_raw(path)]
    raise InputFileError(
        f"'{path.name}' ist keine Tabelle (erwartet .xlsx, .xls, .ods, .csv oder .sav). / "
        f"'{path.name}' is not a spreadsheet (expected .xlsx, .xls, .ods, .csv or .sav).",
        str(path),
    )


def reader_failure(path: Path, exc: BaseException) -> str:
    """The message for a file a reader library failed on in an unforeseen way (never a traceback)."""
    reason = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
    return (
        f"Die Datei »{path.name}« kann nicht gelesen werden ({reason}). Ist sie beschädigt? Bitte in Excel "
        "oder LibreOffice öffnen und neu als .xlsx speichern; falls das nicht hilft, die Datei an das "
        f"baustein-eval-Team melden. / File '{path.name}' cannot be read ({reason}). Is it damaged? Please "
        "open it in Excel or LibreOffice and save it again as .xlsx; if that does not help, report the file "
        "to the baustein-eval team."
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


def read_workbook(path: Path, kind: str, skip: Callable[[str], bool] | None = None,
                  d1904: bool | None = None) -> list[RawSheet]:
    """Sheets of an Excel/ODS workbook through fastexcel (each sheet read once into Arrow),
    openpyxl as fallback.

    Sheets whose name ``skip`` accepts are listed as visible and empty, not loaded: the caller
    knows they are visible and that it never reads a visible sheet of that name (our template's
    instructions). ``d1904``: the workbook's date system when already known (:class:`FileMeta`).
    """
    import fastexcel

    if d1904 is None:
        d1904 = _date1904(path, kind)
    try:
        reader = fastexcel.read_excel(str(path))
        out = []
        for name in reader.sheet_names:
            if skip is not None and skip(name):
                out.append(RawSheet(name=name, visible=True, columns=[], col_index=[], date1904=d1904))
                continue
            sheet = reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string")
            cols = sheet.available_columns()
            if sheet.height:
                batch = sheet.to_arrow()
                columns = [c if c.type == pa.string() else c.cast(pa.string()) for c in batch.columns]
            else:
                columns = [pa.array([], type=pa.string()) for _ in cols]
            out.append(
                RawSheet(
                    name=name,
                    visible=str(sheet.visible) == "visible",
                    columns=columns,
                    col_index=[int(c.absolute_index) for c in cols],
                    date1904=d1904,
                )
            )
        return out
    except BaseException as exc:  # fastexcel raises its own hierarchy; decide below
        if not isinstance(exc, Exception) and not _is_rust_panic(exc):
            raise  # KeyboardInterrupt, SystemExit
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


def _is_rust_panic(exc: BaseException) -> bool:
    """calamine (Rust, via pyo3) turns a panic on a malformed file into ``PanicException``, which
    derives from ``BaseException``: found by fuzzing a damaged ``.xls`` (tests/data/bad, xls-calamine-panic)."""
    return type(exc).__name__ == "PanicException"


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
            cols = [pa.array([r[j] if j < len(r) else None for r in rows], type=pa.string()) for j in range(width)]
            out.append(RawSheet(ws.title, ws.sheet_state == "visible", cols, list(range(width)), 1, d1904, na=None))
        return out
    finally:
        wb.close()


# ---------------------------------------------------------------- error cells and formulas
_FLAG_HINT = re.compile(rb'\st="e"|<(?:\w+:)?f[\s>/]')
_REF = re.compile(r"^([A-Z]{1,3})([0-9]+)$")
#: At most this many flagged cells per sheet are reported (a sheet of formulas could have millions).
MAX_FLAGS_PER_SHEET = 10_000


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def xlsx_cell_flags(
    path: Path, parts: tuple[tuple[str, str], ...], prescanned: bool = False
) -> dict[str, list[tuple[int, int, str, str]]]:
    """Error cells and formulas without cached values of every sheet of an xlsx/xlsm file.

    Returns ``{sheet: [(excel_row, col0, kind, text), ...]}`` with ``kind`` ``"error"`` (text: the
    error code such as ``#DIV/0!``) or ``"formula"`` (text: the formula, never evaluated). A sheet
    is parsed (defusedxml, streaming) only when a quick byte scan finds ``t="e"`` or ``<f``; the
    file has passed :func:`surveys.importing.input_guard.inspect_file` (sizes, entity bombs) before.
    ``prescanned=True``: ``parts`` are only the sheets whose safety scan found such a hint
    (:attr:`surveys.importing.input_guard.SheetDimensions.flag_hint`), so the byte scan is not repeated.
    """
    from defusedxml.ElementTree import iterparse

    out: dict[str, list[tuple[int, int, str, str]]] = {}
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile):
        return out
    with zf:
        for sheet, part in parts:
            try:
                if not prescanned and not _has_flag_hint(zf, part):
                    continue
                found: list[tuple[int, int, str, str]] = []
                row = 0
                col = -1
                with zf.open(part) as fh:
                    for event, el in iterparse(fh, events=("start", "end")):
                        tag = _local(el.tag)
                        if event == "start":
                            if tag == "row":
                                r = el.get("r")
                                row = int(r) if r and r.isdigit() else row + 1
                                col = -1
                            continue
                        if tag == "c":
                            ref = _REF.match(el.get("r") or "")
                            if ref:
                                col = _col0(ref.group(1))
                                row = int(ref.group(2))
                            else:
                                col += 1
                            f = v = None
                            for ch in el:
                                name = _local(ch.tag)
                                if name == "f":
                                    f = ch
                                elif name == "v":
                                    v = ch
                            vtext = v.text if v is not None else None
                            if el.get("t") == "e":
                                found.append((row, col, "error", (vtext or "#?").strip()))
                            elif f is not None and (vtext is None or vtext == "") and el.get("t") != "inlineStr":
                                found.append((row, col, "formula", "=" + (f.text or "").strip()))
                            el.clear()
                            if len(found) >= MAX_FLAGS_PER_SHEET:
                                break
                        elif tag == "row":
                            el.clear()
                if found:
                    out[sheet] = found
            except Exception:  # damaged XML: the reader itself reports the file as unreadable
                continue
    return out


def _has_flag_hint(zf: zipfile.ZipFile, part: str) -> bool:
    tail = b""
    with zf.open(part) as fh:
        while chunk := fh.read(1 << 20):
            if _FLAG_HINT.search(tail + chunk):
                return True
            tail = chunk[-16:]
    return False


def _col0(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


# ---------------------------------------------------------------- CSV
def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: bytes that are not UTF-8 are read as Windows-1252 (a line from another
    program in a UTF-8 file); :func:`surveys.importing.input_guard.inspect_file` names the lines."""
    assert isinstance(exc, UnicodeDecodeError)
    return bytes(exc.object[exc.start : exc.end]).decode("cp1252", errors="replace"), exc.end


_FALLBACK = "baustein-cp1252-fallback"
codecs.register_error(_FALLBACK, _cp1252_fallback)


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def sniff_delimiter(text: str, default: str = ",") -> str:
    """Delimiter of a CSV text: the most frequent of ``; , TAB |`` in the first line, quotes ignored."""
    first = text.split("\n", 1)[0]
    first = re.sub(r'"[^"]*"', "", first)
    counts = {d: first.count(d) for d in (";", ",", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else default


def read_csv_raw(
    path: Path, encoding: str | None = None, delimiter: str | None = None, strip_nul: bool = False
) -> RawSheet:
    """A CSV file as text cells; encoding (UTF-8 with/without BOM, UTF-16, cp1252) and delimiter detected
    (or given, as found by :func:`surveys.importing.input_guard.inspect_file`). A UTF-8 file reads
    stray non-UTF-8 bytes as Windows-1252; ``strip_nul`` removes NUL bytes first."""
    data = path.read_bytes()
    if strip_nul:
        data = data.replace(b"\x00", b"")
    if encoding:
        errors = _FALLBACK if encoding.replace("_", "-").lower().startswith("utf-8") else "replace"
        text = data.decode(encoding, errors=errors).lstrip("\ufeff")
    else:
        text = _decode(data)
    # the header line decides (a quoted comma in an answer must not win); inspect_file's guess
    # from the first 50 lines is used when the header line has no separator at all
    sep = sniff_delimiter(text, default=delimiter if delimiter in {";", ",", "\t", "|"} else ",")
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
    return RawSheet(name="", visible=True, columns=text_columns(frame), col_index=list(range(frame.shape[1])))


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
        name="", visible=True, columns=text_columns(frame), col_index=list(range(frame.shape[1])), row_base=0, na=None,
        labels={k: v for k, v in labels.items() if v},
    )
