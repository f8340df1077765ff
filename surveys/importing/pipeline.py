"""The import pipeline: files -> detect -> read -> map -> normalise -> validate -> tidy dataset.

:func:`read_responses` reads any number of files and folders (in parallel processes when there are
many), and returns an :class:`ImportResult` with the clean :class:`~surveys.dataset.Dataset`, the
rejection report and a manifest. :func:`write_import` writes all three atomically.

Nothing is lost: every non-blank data row of every file is either accepted (in ``respondents``) or
listed in the rejection report with a row-rejecting finding, and the manifest records
``rows_in == rows_accepted + rows_rejected`` per file. Cells that cannot be read (out of scale,
unknown label) stay in the data as missing with reason ``invalid`` and are listed in the report.

Example
-------
>>> from surveys.importing import read_responses, write_import      # doctest: +SKIP
>>> result = read_responses(["data/examples/template"], "sensibilisierung")
>>> result.manifest["totals"]
{'files': 12, 'rows_in': 180, 'rows_accepted': 180, 'rows_rejected': 0, ...}
>>> write_import(result, "data/processed/example")
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sys
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from core.atomic import atomic_output_dir
from core.errors import BausteinError, InputFileError
from core.excel_columns import column_letter
from core.output_folders import output_kind
from core.problems import quote_input
from core.processes import die_with_parent
from core.spreadsheet_escape import neutralize_frame
from surveys import load_instrument
from surveys.dataset import Dataset
from surveys.formats import TEMPLATE_INSTRUCTIONS_SHEET, TEMPLATE_MUNICIPALITIES_SHEET
from surveys.instrument import Instrument
from surveys.pseudonyms import load_or_create_key
from surveys.pseudonyms import pseudonymize as pseudonymize_ids

from .detect import FORMATS, detect_format, find_header_row, is_label_row
from .duplicates import drop_content_duplicates
from .findings import CODES, FindingCollector
from .input_guard import Limits
from .mapping import HeaderIndex, Mapping
from .mapping_apply import fill_file_defaults, label_findings, review_columns
from .mapping_files import load_mapping
from .municipalities import (
    complete_municipalities,
    looks_like_municipalities,
    parse_municipality_sheets,
    read_municipalities_file,
)
from .normalize import REASONS as _REASONS
from .normalize import (
    WAVE_EXAMPLES,
    AnswerLookup,
    choice_lookup,
    map_answers_coded,
    nonblank_rows,
    norm_key,
    normalize_ags,
    normalize_wave,
    parse_dates,
    strip_numeric_text,
)
from .readers import FileMeta, RawSheet, inspect_input, read_raw, sheet_objects
from .validate import merge_municipalities, resolve_cross_file_ids
from .wave_labels import check_wave_labels

__all__ = [
    "ImportResult", "collect_inputs", "pseudonymize_result", "read_responses", "scan_inputs", "write_import",
    "write_report",
]

INPUT_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".txt", ".tsv", ".sav"}
#: Missing reasons as small integers inside the pipeline (0 = a valid answer).
REASONS = _REASONS
_REASON_CODE = {r: i for i, r in enumerate(REASONS)}
_NOT_SHOWN = _REASON_CODE["not_shown"]
_TEMPLATE_LISTS_SHEET = "Listen"  # surveys.template.TEMPLATE_LISTS_SHEET (hidden dropdown lists)
_ROW_REJECTING = {"no_answers", "ags_missing", "ags_invalid", "ags_unknown", "wave_missing", "duplicate_id"}


# ---------------------------------------------------------------- result types
@dataclass(frozen=True)
class ImportResult:
    """Outcome of an import.

    Attributes
    ----------
    dataset : Dataset
        The clean tidy tables (respondents, long responses, municipalities, instrument).
    rejections : DataFrame
        The rejection report: severity, file, sheet, row, column, header, value, code, action,
        message_de, message_en (one row per finding).
    manifest : dict
        Inputs (path, SHA-256, format, rows in/accepted/rejected), totals, instrument, tool version.
    """

    dataset: Dataset
    rejections: pd.DataFrame
    manifest: dict[str, Any]

    @property
    def n_errors(self) -> int:
        """Number of findings with severity ``error``."""
        return int((self.rejections["severity"] == "error").sum())

    @property
    def files(self) -> pd.DataFrame:
        """One row per input file with its counts (from the manifest)."""
        return pd.DataFrame(self.manifest["inputs"])

    def summary(self) -> str:
        """A short human-readable summary (German / English)."""
        t = self.manifest["totals"]
        sev = self.rejections["severity"].value_counts()
        return (
            f"{t['files']} Dateien / files, {t['rows_in']} Zeilen / rows: {t['rows_accepted']} übernommen / "
            f"accepted, {t['rows_rejected']} abgelehnt / rejected; Meldungen / findings: "
            f"{int(sev.get('error', 0))} Fehler / errors, {int(sev.get('warning', 0))} Warnungen / warnings, "
            f"{int(sev.get('info', 0))} Hinweise / notes."
        )


@dataclass
class _Context:
    instrument: Instrument
    index: HeaderIndex
    lookups: dict[str, AnswerLookup]
    roles: dict[str, str]
    defaults: dict[str, str]
    fmt: str
    strict: bool
    keep_free_text: bool
    known_ags: frozenset[str] | None


@dataclass
class _FileResult:
    file: str
    meta: dict[str, Any]
    respondents: pd.DataFrame
    values: np.ndarray
    reasons: np.ndarray
    municipalities: pd.DataFrame
    findings: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    # deferred work, finished for many files at once by _finish_batch (never leaves a worker)
    path: str = ""
    fc: FindingCollector | None = None
    pending_munis: list[RawSheet] = field(default_factory=list)
    pending: _Pending | None = None


@dataclass
class _Pending:
    """The answer rows of one file, located and selected but not yet normalised."""

    sheet: str
    sha256: str
    date1904: bool
    header_row: int
    rows: np.ndarray
    sel: np.ndarray  # (rows, items + _FIELDS) raw cells; None where the file has no such column
    item_where: list[tuple[str, object] | None]
    where: dict[str, tuple[str, str]]
    flagged: tuple[Any, ...] | None  # (main sheet, headers, item_cols) when the sheet has flagged cells


_CTX: _Context | None = None


def _init_worker(ctx: _Context) -> None:
    global _CTX
    die_with_parent()  # a killed import leaves no worker behind
    _CTX = ctx
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


# ---------------------------------------------------------------- inputs
def collect_inputs(paths: Iterable[str | Path]) -> list[Path]:
    """Files named directly plus spreadsheet/CSV/SPSS files found in folders (recursively), sorted.

    Lock files (``~$…``), hidden files, links leading out of the folder and output folders of
    baustein-eval are skipped; :func:`scan_inputs` also says which and why.
    """
    return scan_inputs(paths)[0]


def scan_inputs(paths: Iterable[str | Path]) -> tuple[list[Path], list[tuple[Path, str, str]]]:
    """:func:`collect_inputs` and the entries skipped inside folders: ``(path, finding code, detail)``.

    Skipped (each a finding of the import, never silently): files with an input extension whose
    name or folder starts with a dot (``input_hidden``); links whose target lies outside the
    folder or does not exist (``input_symlink``: not followed, the target is never opened or
    named); folders carrying the marker of a baustein-eval dataset or report
    (``input_output_folder``). Links inside the folder are not followed either (their targets are
    read where they are). Files and folders named directly are read as named.
    """
    out: list[Path] = []
    skipped: list[tuple[Path, str, str]] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            found, skip = _scan_folder(path)
            out.extend(found)
            skipped.extend(skip)
        elif path.is_file():
            out.append(path)
        else:
            raise InputFileError(
                f"Eingabe nicht gefunden / input not found: {quote_input(path)}. Bitte Pfad prüfen / please "
                "check the path.",
                str(path),
            )
    seen: set[str] = set()
    unique = []
    for f in out:
        key = f.as_posix()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique, skipped


def _scan_folder(root: Path) -> tuple[list[Path], list[tuple[Path, str, str]]]:
    """Input files below ``root`` (sorted) and the entries skipped on the way (see :func:`scan_inputs`)."""
    real_root = root.resolve()
    found: list[Path] = []
    skipped: list[tuple[Path, str, str]] = []

    def outside(link: Path) -> bool:
        target = link.resolve()
        return not target.exists() or (target != real_root and real_root not in target.parents)

    kind = output_kind(root, legacy=True)
    if kind is not None and not kind.readable_input:
        return [], [(root, "input_output_folder", kind.de)]
    for dirpath, dirnames, filenames in os.walk(root):  # never follows links to folders
        base = Path(dirpath)
        hidden_dir = any(part.startswith(".") for part in base.relative_to(root).parts)
        for d in sorted(dirnames):
            sub = base / d
            if sub.is_symlink():
                dirnames.remove(d)
                if outside(sub):
                    skipped.append((sub, "input_symlink", ""))
            elif (k := output_kind(sub, legacy=True)) is not None and not k.readable_input:
                dirnames.remove(d)
                skipped.append((sub, "input_output_folder", k.de))
        for name in filenames:
            f = base / name
            if Path(name).suffix.lower() not in INPUT_SUFFIXES and not f.is_symlink():
                continue
            if name.startswith("~$"):
                continue  # Excel's lock file of an open workbook, never data
            if f.is_symlink() and outside(f):
                skipped.append((f, "input_symlink", ""))
            elif Path(name).suffix.lower() not in INPUT_SUFFIXES:
                continue
            elif hidden_dir or name.startswith("."):
                skipped.append((f, "input_hidden", ""))
            else:
                found.append(f)
    return sorted(found, key=lambda f: f.as_posix()), sorted(skipped, key=lambda s: s[0].as_posix())


def _build_context(
    instrument: Instrument,
    mapping: Mapping | None,
    fmt: str,
    strict: bool,
    keep_free_text: bool,
    known_ags: frozenset[str] | None,
    wave: str | None,
) -> _Context:
    extra = dict(mapping.values) if mapping else {}
    tables = mapping.answer_tables(instrument) if mapping else {}  # item_values + answer groups (POMP)
    lookups = {}
    for it in instrument.items:
        item_extra = dict(extra)
        item_extra.update(tables.get(it.code, {}))
        lookups[it.code] = AnswerLookup(instrument.scales[it.scale], item_extra)
    roles: dict[str, str] = {}
    try:
        role_field = instrument.field("role")
        roles = choice_lookup(
            (c.name, (c.label_de, c.label_en, str(i))) for i, c in enumerate(role_field.choices, start=1)
        )
    except KeyError:
        pass
    if mapping is not None:
        roles.update(mapping.role_table())
    defaults = dict(mapping.defaults) if mapping else {}
    if wave is not None:
        defaults["wave"] = str(wave)
    return _Context(
        instrument=instrument,
        index=HeaderIndex(instrument, mapping),
        lookups=lookups,
        roles=roles,
        defaults=defaults,
        fmt=fmt,
        strict=strict,
        keep_free_text=keep_free_text,
        known_ags=known_ags,
    )


# ---------------------------------------------------------------- per-file stage
def _empty_result(file: str, meta: dict[str, Any], fc: FindingCollector, n_items: int) -> _FileResult:
    return _FileResult(
        file=file,
        meta=meta,
        respondents=pd.DataFrame(),
        values=np.empty((0, n_items), dtype=np.float32),
        reasons=np.empty((0, n_items), dtype=np.int8),
        municipalities=pd.DataFrame(),
        findings=fc.raw(),
    )


def _process_file(path: str, file: str, meta: FileMeta | None, error: str | None, duplicate_of: str | None) -> _FileResult:
    """Read and convert one file (runs in a worker process)."""
    ctx = _CTX
    assert ctx is not None
    n_items = len(ctx.instrument.items)
    fc = FindingCollector()
    info: dict[str, Any] = {
        "path": file,
        "sha256": meta.sha256 if meta else None,
        "kind": meta.kind if meta else None,
        "size": meta.size if meta else None,
        "format": None,
        "sheet": None,
        "status": "ok",
        "header_row": None,
        "rows_in": 0,
        "rows_accepted": 0,
        "rows_rejected": 0,
        "rows_blank": 0,
        "rows_label_skipped": 0,
        "rows_other_sheets": 0,
        "duplicate_of": duplicate_of,
        "municipality_rows": {"rows_in": 0, "rows_accepted": 0, "rows_rejected": 0},
        "notes": list(meta.notes) if meta else [],
        "hidden_sheets": list(meta.hidden_sheets) if meta else [],
        "date1904": bool(meta.date1904) if meta else False,
        "encoding": meta.encoding if meta else None,
        "delimiter": meta.delimiter if meta else None,
    }
    if error is not None or meta is None:
        fc.add("file_unreadable", file=file, detail=error or "")
        info["status"] = "unreadable"
        return _empty_result(file, info, fc, n_items)
    for note in meta.notes:
        if meta.hidden_sheets == (_TEMPLATE_LISTS_SHEET,) and note.startswith("Ausgeblendete Blätter"):
            continue  # our own template's hidden dropdown lists: nothing to tell the user
        fc.add("file_note", file=file, detail=note)
    if meta.fallback_lines:
        fc.add("encoding_line", file=file, rows=list(meta.fallback_lines))
    if meta.nul_lines:
        fc.add("nul_removed", file=file, rows=[line for line, _ in meta.nul_lines],
               value=[n for _, n in meta.nul_lines])
    try:
        sheets = read_raw(Path(path), meta.kind, meta)
    except BausteinError as exc:
        fc.add("file_unreadable", file=file, detail=str(exc))
        info["status"] = "unreadable"
        return _empty_result(file, info, fc, n_items)
    except BaseException as exc:  # a reader library failed in an unforeseen way: never a traceback
        if not isinstance(exc, Exception) and type(exc).__name__ != "PanicException":
            raise  # KeyboardInterrupt, SystemExit
        fc.add("file_unreadable", file=file, detail=_reader_failure(Path(path), exc))
        info["status"] = "unreadable"
        return _empty_result(file, info, fc, n_items)
    try:
        res = _convert(sheets, file, meta, info, fc, ctx, duplicate_of)
        res.path = path
        return res
    except BausteinError as exc:
        fc = FindingCollector()
        fc.add("file_unreadable", file=file, detail=str(exc))
    except Exception as exc:  # pragma: no cover - a bug; the file is rejected as a whole, nothing half-taken
        fc = FindingCollector()
        fc.add("file_unreadable", file=file, detail=_reader_failure(Path(path), exc))
    info.update(status="unreadable", rows_in=0, rows_accepted=0, rows_rejected=0, rows_blank=0, rows_other_sheets=0,
                municipality_rows={"rows_in": 0, "rows_accepted": 0, "rows_rejected": 0})
    return _empty_result(file, info, fc, n_items)


def _reader_failure(path: Path, exc: Exception) -> str:
    reason = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
    return (
        f"Die Datei »{path.name}« kann nicht gelesen werden ({reason}). Ist sie beschädigt? Bitte in Excel "
        "oder LibreOffice öffnen und neu als .xlsx speichern; falls das nicht hilft, die Datei an das "
        f"baustein-eval-Team melden. / File '{path.name}' cannot be read ({reason}). Is it damaged? Please "
        "open it in Excel or LibreOffice and save it again as .xlsx; if that does not help, report the file "
        "to the baustein-eval team."
    )


def _pick_sheets(sheets: list[RawSheet], ctx: _Context, file: str, fc: FindingCollector) -> tuple[
    RawSheet | None, int | None, list[RawSheet]
]:
    """Main answer sheet (+ its header row) and municipality sheets; notes for skipped sheets."""
    visible = [s for s in sheets if s.cells.shape[0] > 0]  # hidden sheets too: nothing may be lost
    muni = [s for s in visible if s.visible and norm_key(s.name) == norm_key(TEMPLATE_MUNICIPALITIES_SHEET)]
    candidates = []
    for s in visible:
        if s in muni or norm_key(s.name) == norm_key(TEMPLATE_INSTRUCTIONS_SHEET):
            continue
        h, score = find_header_row(s.cells, ctx.index, sheet_objects(s))
        if h is None:
            continue
        heads = sheet_objects(s)[h].tolist()
        keys = {norm_key(v) for v in heads if isinstance(v, str)}
        if "_parent_index" in keys:
            fc.add("sheet_skipped", file=file, sheet=s.name,
                   detail="Wiederholungsgruppe (repeat group, _parent_index) / repeat-group sheet")
            continue
        n_items = sum(1 for v in heads if (t := ctx.index.resolve(v)) is not None and t.kind == "item")
        if n_items == 0 and looks_like_municipalities(keys):
            if s.visible:
                muni.append(s)  # a Kommunen table delivered as its own file or sheet
            else:
                fc.add("sheet_skipped", file=file, sheet=s.name,
                       detail="ausgeblendete Kommunen-Tabelle, nicht gelesen / hidden municipality table, not read")
            continue
        if not s.visible and n_items == 0:
            continue  # a hidden helper sheet (dropdown lists ...): named in the file notes, not data
        candidates.append((n_items > 0 and s.visible, n_items, score, -len(candidates), s, h))
    if not candidates:
        return None, None, muni
    candidates.sort(key=lambda c: (c[0], c[1], c[2], c[3]), reverse=True)
    _, _, _, _, main, h = candidates[0]
    for c in candidates[1:]:
        if c[1] > 0:
            continue  # another answer sheet: its rows are counted and rejected (_other_sheets)
        hidden = "" if c[4].visible else "ausgeblendet / hidden; "
        fc.add("sheet_skipped", file=file, sheet=c[4].name,
               detail=f"{hidden}nicht das Antwortblatt '{main.name}' / not the answer sheet '{main.name}'")
    if not main.visible:
        fc.add("file_note", file=file, sheet=main.name, severity="warning",
               detail="Die Antworten stehen in einem ausgeblendeten Blatt und werden gelesen; bitte prüfen. / "
                      "The answers are in a hidden sheet and are read; please check.")
    return main, h, muni


def _other_sheets(
    sheets: list[RawSheet], main: RawSheet, muni_sheets: list[RawSheet], ctx: _Context
) -> tuple[list[tuple[RawSheet, np.ndarray]], list[tuple[RawSheet, int]]]:
    """Sheets besides the answer sheet that hold data: the Excel rows of further answer sheets
    (visible or hidden: counted in rows_in and rejected, never silently dropped) and the number of
    filled rows of hidden sheets without answer columns (each a finding)."""
    answers: list[tuple[RawSheet, np.ndarray]] = []
    hidden: list[tuple[RawSheet, int]] = []
    for s in sheets:
        if s is main or s in muni_sheets or s.cells.shape[0] == 0:
            continue
        if s.visible and norm_key(s.name) == norm_key(TEMPLATE_INSTRUCTIONS_SHEET):
            continue
        h, _ = find_header_row(s.cells, ctx.index, sheet_objects(s))
        heads = sheet_objects(s)[h].tolist() if h is not None else []
        keys = {norm_key(v) for v in heads if isinstance(v, str)}
        n_items = sum(1 for v in heads if (t := ctx.index.resolve(v)) is not None and t.kind == "item")
        if "_parent_index" in keys or (n_items == 0 and looks_like_municipalities(keys)):
            continue  # a repeat group or a municipality table: named by _pick_sheets
        if n_items:
            assert h is not None
            answers.append((s, s.row_base + h + 1 + np.flatnonzero(nonblank_rows(s.cells.iloc[h + 1 :]))))
        elif not s.visible and s.name != _TEMPLATE_LISTS_SHEET:
            filled = int(nonblank_rows(s.cells).sum())
            if filled:
                hidden.append((s, filled))
    return [(s, r.astype(np.int64)) for s, r in answers if len(r)], hidden


def _convert(
    sheets: list[RawSheet],
    file: str,
    meta: FileMeta,
    info: dict[str, Any],
    fc: FindingCollector,
    ctx: _Context,
    duplicate_of: str | None,
) -> _FileResult:
    inst = ctx.instrument
    codes = inst.item_codes
    n_items = len(codes)
    main, h, muni_sheets = _pick_sheets(sheets, ctx, file, fc)

    pending_munis = list(muni_sheets) if duplicate_of is None else []  # parsed in _finish_batch
    muni_table = pd.DataFrame()

    if main is None or h is None:
        if not muni_sheets:
            fc.add("no_data_sheet", file=file, detail=", ".join(s.name for s in sheets) or "-")
            info["status"] = "no_data"
        else:
            info["format"] = "municipalities"
        result = _empty_result(file, info, fc, n_items)
        result.municipalities = muni_table
        result.fc, result.pending_munis = fc, pending_munis
        return result

    cells = main.cells
    headers = cells.iloc[h]
    fmt = ctx.fmt if ctx.fmt != "auto" else detect_format(headers.tolist(), [s.name for s in sheets], meta.kind)
    info["format"] = fmt
    info["sheet"] = main.name
    info["header_row"] = int(main.row_base + h)
    header_row = main.row_base + h

    # ---- columns
    item_cols: dict[str, int] = {}
    field_cols: dict[str, tuple[int, int]] = {}
    unknown: list[int] = []
    data = cells.iloc[h + 1 :]
    for pos, head in headers.items():
        pos = int(pos)  # type: ignore[arg-type]
        target = ctx.index.resolve(head)
        letter = column_letter(main.col_index[pos])
        if target is None:
            if (isinstance(head, str) and head.strip()) or data[pos].notna().any():
                unknown.append(pos)
            continue
        if target.kind == "item":
            if target.name in item_cols:
                fc.add("duplicate_column", file=file, sheet=main.name, rows=[header_row], column=letter,
                       header=head, detail=target.name)
            else:
                item_cols[target.name] = pos
        elif target.kind == "field":
            prev = field_cols.get(target.name)
            if prev is None or target.priority < prev[0]:
                field_cols[target.name] = (target.priority, pos)
            elif target.priority == prev[0]:
                fc.add("duplicate_column", file=file, sheet=main.name, rows=[header_row], column=letter,
                       header=head, detail=target.name)
    for pos in unknown:
        head = headers[pos]
        sugg = ctx.index.suggest(head)
        detail = f" (→ {sugg[0]}?)" if sugg else ""
        fc.add("unknown_column", file=file, sheet=main.name, rows=[header_row],
               column=column_letter(main.col_index[pos]), header="" if head is None else head, detail=detail)
    if item_cols:
        missing = [c for c in codes if c not in item_cols]
        if missing:
            fc.add("missing_item_column", file=file, sheet=main.name, rows=[header_row] * len(missing), value=missing)

    # ---- label row (SoSci) and blank rows
    first_data = h + 1
    if len(data) and is_label_row(
        data.iloc[0], headers, list(item_cols.values()), fmt,
        lambda c, t: _is_answer(ctx, item_cols, c, t), index=ctx.index,
    ):
        fc.add("label_row_skipped", file=file, sheet=main.name, rows=[main.row_base + first_data])
        data = data.iloc[1:]
        first_data += 1
        info["rows_label_skipped"] = 1
    nonblank = nonblank_rows(data)
    info["rows_blank"] = int((~nonblank).sum())
    rows = (main.row_base + first_data + np.flatnonzero(nonblank)).astype(np.int64)
    data = data[nonblank]
    n = len(data)
    others, hidden_data = _other_sheets(sheets, main, muni_sheets, ctx)
    n_other = sum(len(r) for _, r in others)
    info["rows_in"] = n + n_other
    info["rows_other_sheets"] = n_other
    for s, count in hidden_data:
        fc.add("hidden_sheet_data", file=file, sheet=s.name, value=count)
    if duplicate_of is None:
        for s, other_rows in others:
            fc.add("answer_sheet_not_read", file=file, sheet=s.name, rows=other_rows, detail=main.name)
    if n == 0 and item_cols and duplicate_of is None:
        fc.add("no_data_rows", file=file, sheet=main.name, rows=[header_row])
        info["status"] = "no_rows"

    if not item_cols and duplicate_of is None:
        # not a response table at all: one file-level finding instead of one per row
        fc.add("no_item_columns", file=file, sheet=main.name, rows=[header_row], detail=n)
        info.update(status="no_items", rows_rejected=n + n_other)
        res = _empty_result(file, info, fc, n_items)
        res.municipalities = muni_table
        res.fc, res.pending_munis = fc, pending_munis
        return res

    if duplicate_of is not None:
        dup = FindingCollector()
        dup.add("file_duplicate", file=file, sheet=main.name, rows=rows, detail=duplicate_of)
        for s, other_rows in others:
            dup.add("file_duplicate", file=file, sheet=s.name, rows=other_rows, detail=duplicate_of)
        info.update(status="duplicate", rows_rejected=n + n_other)
        res = _empty_result(file, info, dup, n_items)
        return res

    def where(name: str) -> tuple[str, str]:
        if name in field_cols:
            p = field_cols[name][1]
            return column_letter(main.col_index[p]), str(headers[p])
        return "", ""

    # ---- select the raw cells; normalising and validating runs once for many files (_finish_batch)
    arr = sheet_objects(main)[first_data:][nonblank]  # == data.to_numpy(dtype=object)
    review_columns(ctx.index.mapping, inst, ctx.lookups, item_cols, field_cols, arr, list(data.columns),
                   {int(p): column_letter(main.col_index[int(p)]) for p in headers.index}, headers,
                   (file, main.name, header_row), fc, ctx.keep_free_text)
    sel = np.full((n, n_items + len(_FIELDS)), None, dtype=object)
    item_where: list[tuple[str, object] | None] = []
    for j, code in enumerate(codes):
        if code in item_cols:
            pos = item_cols[code]
            sel[:, j] = arr[:, data.columns.get_loc(pos)]
            item_where.append((column_letter(main.col_index[pos]), headers[pos]))
        else:
            item_where.append(None)
    for k, name in enumerate(_FIELDS):
        if name in field_cols:
            sel[:, n_items + k] = arr[:, data.columns.get_loc(field_cols[name][1])]
    fill_file_defaults(ctx.index.mapping, file, sel, n_items, _FIELDS)
    res = _FileResult(
        file=file, meta=info, respondents=pd.DataFrame(), values=np.empty((0, n_items), dtype=np.float32),
        reasons=np.empty((0, n_items), dtype=np.int8), municipalities=muni_table, findings=pd.DataFrame(),
    )
    res.fc, res.pending_munis = fc, pending_munis
    res.pending = _Pending(
        sheet=main.name, sha256=meta.sha256, date1904=bool(main.date1904), header_row=header_row, rows=rows,
        sel=sel, item_where=item_where, where={name: where(name) for name in _FIELDS},
        flagged=(main, headers, item_cols) if main.flags else None,
    )
    return res


#: Respondent fields selected per file, in this order after the items (see _Pending.sel).
_FIELDS = ("ags", "wave", "role", "submitted_at", "respondent_id", "comment")


def _finish_chunk(results: list[_FileResult], ctx: _Context) -> None:
    """Finish the deferred work of files read in one process: all at once, or - when that fails -
    file by file, so that a failure rejects only its own file (as when each file was converted alone)."""
    todo = [r for r in results if r.pending is not None or r.pending_munis]
    try:
        _finish_batch(todo, ctx)
    except Exception:
        for r in todo:
            try:
                _finish_batch([r], ctx, single=True)
            except BausteinError as exc:
                _fail_file(r, str(exc), ctx)
            except Exception as exc:  # pragma: no cover - a bug; the file is rejected as a whole
                _fail_file(r, _reader_failure(Path(r.path), exc), ctx)
    for r in results:
        r.fc = None
        r.pending = None
        r.pending_munis = []


def _fail_file(r: _FileResult, detail: str, ctx: _Context, before_sheets: bool = False) -> None:
    fc = FindingCollector()
    fc.add("file_unreadable", file=r.file, detail=detail)
    info = r.meta
    if before_sheets:  # failed where the per-file conversion parsed the municipality sheets
        info.update(format=None, sheet=None, header_row=None)
    info.update(status="unreadable", rows_in=0, rows_accepted=0, rows_rejected=0, rows_blank=0, rows_other_sheets=0,
                municipality_rows={"rows_in": 0, "rows_accepted": 0, "rows_rejected": 0})
    empty = _empty_result(r.file, info, fc, len(ctx.instrument.items))
    r.respondents, r.values, r.reasons = empty.respondents, empty.values, empty.reasons
    r.municipalities, r.findings = empty.municipalities, empty.findings


def _finish_batch(todo: list[_FileResult], ctx: _Context, single: bool = False) -> None:
    """Parse municipality sheets and normalise + validate the answer rows of many files at once.

    Every rule, finding and count is the one of a file converted alone: values are normalised per
    distinct value (context free), and every finding is added to its own file's collector in the
    same order as before. Nothing in ``todo`` changes unless all files succeed.
    """
    if not todo:
        return
    fcs = {id(r): r.fc.copy() if r.fc is not None else FindingCollector() for r in todo}
    # ---- municipality sheets
    jobs = [(ms, r.file, fcs[id(r)]) for r in todo for ms in r.pending_munis]
    try:
        parsed = parse_municipality_sheets(jobs) if jobs else []
    except BausteinError as exc:
        if not single:
            raise
        _fail_file(todo[0], str(exc), ctx, before_sheets=True)
        return
    except Exception as exc:
        if not single:
            raise
        _fail_file(todo[0], _reader_failure(Path(todo[0].path), exc), ctx, before_sheets=True)
        return
    muni_counts: dict[int, dict[str, int]] = {}
    muni_tables: dict[int, list[pd.DataFrame]] = {}
    k = 0
    for r in todo:
        counts = {"rows_in": 0, "rows_accepted": 0, "rows_rejected": 0}
        tables = []
        for _ in r.pending_munis:
            table, c = parsed[k]
            k += 1
            tables.append(table)
            for key, v in c.items():
                counts[key] += v
        muni_counts[id(r)] = counts
        muni_tables[id(r)] = tables
    # ---- answer rows
    pend = [r for r in todo if r.pending is not None]
    done = _finish_responses(pend, fcs, ctx) if pend else {}
    # ---- commit
    for r in todo:
        info = r.meta
        for key, v in muni_counts[id(r)].items():
            info["municipality_rows"][key] += v
        tables = muni_tables[id(r)]
        r.municipalities = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()
        if id(r) in done:
            resp, values, reasons, updates = done[id(r)]
            r.respondents, r.values, r.reasons = resp, values, reasons
            info.update(updates)
        r.findings = fcs[id(r)].raw()


def _finish_responses(
    pend: list[_FileResult], fcs: dict[int, FindingCollector], ctx: _Context
) -> dict[int, tuple[pd.DataFrame, np.ndarray, np.ndarray, dict[str, Any]]]:
    """Normalise and validate the selected answer rows of ``pend`` over their concatenation."""
    codes = ctx.instrument.item_codes
    n_items = len(codes)
    ps: list[_Pending] = [r.pending for r in pend]  # type: ignore[misc]
    sizes = np.array([len(p.rows) for p in ps], dtype=np.int64)
    offs = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    n = int(offs[-1])
    which = np.repeat(np.arange(len(ps)), sizes)
    rows = np.concatenate([p.rows for p in ps]).astype(np.int64) if n else np.empty(0, dtype=np.int64)
    sel = np.concatenate([p.sel for p in ps]) if n else np.empty((0, n_items + len(_FIELDS)), dtype=object)

    def col(name: str) -> pd.Series:
        return pd.Series(sel[:, n_items + _FIELDS.index(name)], dtype=object)

    def each(mask: np.ndarray):
        """(file number, its slice of the batch, the file's mask) for files where ``mask`` is set."""
        if not len(mask) or not mask.any():
            return
        for f in np.flatnonzero(np.bincount(which[mask], minlength=len(ps))):
            a, b = int(offs[f]), int(offs[f + 1])
            yield int(f), slice(a, b), mask[a:b]

    def fc_of(f: int) -> FindingCollector:
        return fcs[id(pend[f])]

    # ---- items
    values = np.full((n, n_items), np.nan, dtype=np.float32)
    reasons = np.full((n, n_items), _NOT_SHOWN, dtype=np.int8)
    for j, code in enumerate(codes):
        if all(p.item_where[j] is None for p in ps):
            continue
        raw = pd.Series(sel[:, j], dtype=object)
        lookup = ctx.lookups[code]
        v, rc, prob, r = map_answers_coded(raw, lookup)
        values[:, j] = v
        if rc is None:  # a reason outside REASONS (mapping file): fails as before
            rc = pd.Series(r).map(_REASON_CODE).to_numpy(dtype=np.int8)
        reasons[:, j] = rc
        for problem in ("value_out_of_scale", "value_unknown_label"):
            for f, sl, m in each(prob == problem):
                letter, header = ps[f].item_where[j]  # type: ignore[misc]
                vals = sel[sl, j][m]
                found = [(problem, np.ones(len(vals), dtype=bool), lookup.describe())]
                if problem == "value_unknown_label":  # "Meinten Sie 'stimme eher zu'?"
                    found = list(label_findings(lookup, vals))
                for code, part, detail in found:
                    fc_of(f).add(code, file=pend[f].file, sheet=ps[f].sheet, rows=rows[sl][m][part], column=letter,
                                 header=header, value=vals[part],
                                 detail=detail if isinstance(detail, str) else detail[part])
    for f, p in enumerate(ps):
        if p.flagged is not None:
            main, headers, item_cols = p.flagged
            a, b = int(offs[f]), int(offs[f + 1])
            _apply_cell_flags(main, p.header_row, rows[a:b], headers, item_cols, codes, values[a:b], reasons[a:b],
                              pend[f].file, fc_of(f))
    reject = np.zeros(n, dtype=bool)
    no_answer = (reasons == _NOT_SHOWN).all(axis=1) if n_items else np.ones(n, dtype=bool)
    for f, sl, m in each(no_answer):
        fc_of(f).add("no_answers", file=pend[f].file, sheet=ps[f].sheet, rows=rows[sl][m])
    reject |= no_answer
    no_valid = ~no_answer & ~(reasons == 0).any(axis=1) if n_items else np.zeros(n, dtype=bool)
    for f, sl, m in each(no_valid):
        fc_of(f).add("no_valid_answers", file=pend[f].file, sheet=ps[f].sheet, rows=rows[sl][m])

    # ---- AGS
    ags_raw = col("ags")
    if "ags" in ctx.defaults:
        ags_raw = ags_raw.where(ags_raw.notna() & ags_raw.astype("string").str.strip().ne(""), ctx.defaults["ags"])
    ags, status = normalize_ags(ags_raw)
    ags_raw_arr = ags_raw.to_numpy()
    for code, st in (("ags_missing", "missing"), ("ags_invalid", "invalid")):
        mask = status == st
        for f, sl, m in each(mask):
            letter, header = ps[f].where["ags"]
            fc_of(f).add(code, file=pend[f].file, sheet=ps[f].sheet, rows=rows[sl][m], column=letter,
                         header=header, value=ags_raw_arr[sl][m])
        reject |= mask
    for f, sl, m in each(status == "normalised"):  # another script's digits: the same municipality
        letter, header = ps[f].where["ags"]
        fc_of(f).add("ags_normalised", file=pend[f].file, sheet=ps[f].sheet, rows=rows[sl][m], column=letter,
                     header=header, value=ags_raw_arr[sl][m], detail=ags.to_numpy()[sl][m])
    if ctx.known_ags is not None:
        unknown_ags = ags.notna().to_numpy() & ~ags.isin(ctx.known_ags).to_numpy()
        ags_arr = ags.to_numpy()
        for f, sl, m in each(unknown_ags):
            letter, header = ps[f].where["ags"]
            fc_of(f).add("ags_unknown", file=pend[f].file, sheet=ps[f].sheet, rows=rows[sl][m], column=letter,
                         header=header, value=ags_arr[sl][m])
        reject |= unknown_ags

    # ---- wave
    wave = strip_numeric_text(col("wave"))
    if "wave" in ctx.defaults:
        wave = wave.where(wave.notna(), ctx.defaults["wave"])
    no_wave = wave.isna().to_numpy()
    for f, sl, m in each(no_wave):
        letter, header = ps[f].where["wave"]
        fc_of(f).add("wave_missing", file=pend[f].file, sheet=ps[f].sheet, rows=rows[sl][m], column=letter,
                     header=header)
    reject |= no_wave
    wave_raw_arr = wave.to_numpy()
    wave, wave_status = normalize_wave(wave)
    for f, sl, m in each(wave_status == "invalid"):
        letter, header = ps[f].where["wave"]
        fc_of(f).add("wave_invalid", file=pend[f].file, sheet=ps[f].sheet, rows=rows[sl][m], column=letter,
                     header=header, value=wave_raw_arr[sl][m], detail=WAVE_EXAMPLES)
    reject |= wave_status == "invalid"

    # ---- role
    role_raw = strip_numeric_text(col("role"))
    if "role" in ctx.defaults:
        role_raw = role_raw.where(role_raw.notna(), ctx.defaults["role"])
    role_keys = role_raw.map(norm_key, na_action="ignore") if len(role_raw) else role_raw
    role = role_keys.map(ctx.roles) if ctx.roles else role_raw
    bad_role = (role_raw.notna() & role.isna()).to_numpy()
    role_raw_arr = role_raw.to_numpy()
    for f, sl, m in each(bad_role):
        letter, header = ps[f].where["role"]
        fc_of(f).add("role_unknown", file=pend[f].file, sheet=ps[f].sheet, rows=rows[sl][m], column=letter,
                     header=header, value=role_raw_arr[sl][m], detail=", ".join(sorted(set(ctx.roles.values()))))

    # ---- date
    raw_dates = col("submitted_at")
    d1904 = np.repeat([p.date1904 for p in ps], sizes)
    submitted, bad_date = parse_dates(raw_dates, False)
    if d1904.any():
        s4, b4 = parse_dates(raw_dates, True)
        submitted = submitted.where(~d1904, s4)
        bad_date = np.where(d1904, b4, bad_date)
    raw_dates_arr = raw_dates.to_numpy()
    for f, sl, m in each(bad_date):
        letter, header = ps[f].where["submitted_at"]
        fc_of(f).add("date_invalid", file=pend[f].file, sheet=ps[f].sheet, rows=rows[sl][m], column=letter,
                     header=header, value=raw_dates_arr[sl][m])

    # ---- respondent ID
    given_raw = strip_numeric_text(col("respondent_id"))
    given = given_raw.notna().to_numpy()
    rid = given_raw.to_numpy(dtype=object).copy()
    for f, sl, m in each(~given):
        p = ps[f]
        rid[sl][m] = np.array(
            ["p" + hashlib.sha256(f"{p.sha256}:{p.sheet}:{r}".encode()).hexdigest()[:16] for r in rows[sl][m]],
            dtype=object,
        )
    if given.any():
        dup_any = pd.DataFrame({"f": which, "r": rid}).duplicated(keep="first").to_numpy() & given
        for f, sl, _m in each(dup_any):
            s = pd.Series(rid[sl])
            dup = s.duplicated(keep="first").to_numpy() & given[sl]
            first_row = pd.Series(rows[sl]).groupby(s.to_numpy()).transform("first").to_numpy()
            letter, header = ps[f].where["respondent_id"]
            fc_of(f).add("duplicate_id", file=pend[f].file, sheet=ps[f].sheet, rows=rows[sl][dup], column=letter,
                         header=header, value=rid[sl][dup], detail=first_row[dup])
            reject[sl] |= dup

    # ---- per file: strict policy, accepted rows
    ags_obj = ags.to_numpy(dtype=object)
    role_obj = role.to_numpy(dtype=object)
    wave_obj = wave.to_numpy(dtype=object)
    sub_arr = submitted.to_numpy()
    comment = col("comment").to_numpy(dtype=object) if ctx.keep_free_text else None
    out: dict[int, tuple[pd.DataFrame, np.ndarray, np.ndarray, dict[str, Any]]] = {}
    for f, r in enumerate(pend):
        p = ps[f]
        a, b = int(offs[f]), int(offs[f + 1])
        rej = reject[a:b].copy()
        updates: dict[str, Any] = {}
        if ctx.strict:
            raw_findings = fc_of(f).raw()
            if (raw_findings["severity"] == "error").any():
                extra = ~rej
                if extra.any():
                    fc_of(f).add("file_strict", file=r.file, sheet=p.sheet, rows=rows[a:b][extra])
                rej[:] = True
                updates["status"] = "rejected_strict"
        keep = ~rej
        resp = pd.DataFrame(
            {
                "respondent_id": rid[a:b][keep],
                "ags": ags_obj[a:b][keep],
                "role": role_obj[a:b][keep] if b > a else np.array([], dtype=object),
                "wave": wave_obj[a:b][keep],
                "submitted_at": sub_arr[a:b][keep],
                "source_file": r.file,
                "source_sheet": p.sheet,
                "source_row": rows[a:b][keep],
            }
        )
        if comment is not None:
            resp["comment"] = comment[a:b][keep]
        resp["_id_given"] = given[a:b][keep]
        id_letter, id_header = p.where["respondent_id"]
        resp["_id_column"] = id_letter
        resp["_id_header"] = id_header
        updates["rows_accepted"] = int(keep.sum())
        updates["rows_rejected"] = int(rej.sum()) + int(r.meta.get("rows_other_sheets", 0))
        out[id(r)] = (resp, values[a:b][keep], reasons[a:b][keep], updates)
    return out


def _apply_cell_flags(
    main: RawSheet,
    header_row: int,
    rows: np.ndarray,
    headers: pd.Series,
    item_cols: dict[str, int],
    codes: Sequence[str],
    values: np.ndarray,
    reasons: np.ndarray,
    file: str,
    fc: FindingCollector,
) -> None:
    """Error cells (``#DIV/0!``) and formulas without a cached value in the data rows of the answer
    sheet: item cells become ``invalid`` (not "not shown"), every such cell gets a located finding."""
    row_pos = {int(r): i for i, r in enumerate(rows)}
    col_pos = {int(c): p for p, c in enumerate(main.col_index)}
    item_of = {pos: codes.index(code) for code, pos in item_cols.items()}
    found: dict[tuple[str, bool], list[tuple[int, str, str, str]]] = {}
    for excel_row, col0, kind, text in main.flags or []:
        if excel_row <= header_row or excel_row not in row_pos:
            continue  # header rows, or a row that is otherwise empty (not a response)
        pos = col_pos.get(col0)
        header = "" if pos is None or headers.get(pos) is None else str(headers.get(pos))
        in_item = pos in item_of
        if in_item:
            i, j = row_pos[excel_row], item_of[pos]
            values[i, j] = np.nan
            reasons[i, j] = _REASON_CODE["invalid"]
        code = "cell_error" if kind == "error" else "formula_no_value"
        found.setdefault((code, in_item), []).append((excel_row, column_letter(col0), header, text))
    for (code, in_item), items in found.items():
        kw: dict[str, str] = {}
        if code == "cell_error" and not in_item:
            kw = {"severity": "warning", "action": "kept"}  # the cell counts as empty (e.g. AGS -> missing)
        fc.add(code, file=file, sheet=main.name, rows=[r for r, _, _, _ in items],
               column=[c for _, c, _, _ in items], header=[h for _, _, h, _ in items],
               value=[t for _, _, _, t in items], **kw)


def _is_answer(ctx: _Context, item_cols: dict[str, int], col: int, text: object) -> bool:
    for code, pos in item_cols.items():
        if pos == col:
            _, _, problem = ctx.lookups[code].lookup(text)
            return problem is None
    return False


# ---------------------------------------------------------------- orchestration
def _auto_jobs(n_files: int) -> int:
    cpus = os.cpu_count() or 1
    return 1 if n_files < 8 else max(1, min(cpus, 8))


def _display(path: Path) -> str:
    return path.as_posix()


def read_responses(
    paths: str | Path | Sequence[str | Path],
    instrument: Instrument | str | Path = "sensibilisierung",
    mapping: Mapping | str | Path | None = None,
    format: str = "auto",
    municipalities: str | Path | pd.DataFrame | None = None,
    strict: bool = False,
    *,
    keep_free_text: bool = False,
    wave: str | None = None,
    jobs: int | None = None,
    progress: bool | None = None,
    limits: Limits | None = None,
    pseudonymize: bool = False,
    key_file: str | Path | None = None,
) -> ImportResult:
    """Import survey responses from files and folders into one clean dataset.

    Parameters
    ----------
    paths : path or list of paths
        Files (.xlsx, .xlsm, .xls, .ods, .csv, .sav) and folders (searched recursively).
    instrument : Instrument, name or file
        The questionnaire the responses belong to.
    mapping : Mapping or path, optional
        Mapping file for exports whose headers or answer labels do not follow our conventions.
    format : {"auto", "template", "kobo", "limesurvey", "sosci", "forms", "csv"}
        Force a format instead of detecting it from each file's content.
    municipalities : path or DataFrame, optional
        Municipality master data; when given, rows with an AGS not in it are rejected.
    strict : bool
        Reject a whole file when it has any error (default: reject only the cell or row).
    keep_free_text : bool
        Keep free-text answers (column ``comment``); dropped by default (privacy).
    wave : str, optional
        Wave for rows that leave it empty.
    jobs : int, optional
        Worker processes (default: one per CPU, up to 8, when there are 8 files or more).
    progress : bool, optional
        Show a progress bar (default: when stderr is a terminal).
    limits : surveys.importing.input_guard.Limits, optional
        Resource limits for every input file (default: :meth:`~surveys.importing.input_guard.Limits.from_env`).
    pseudonymize : bool
        Replace respondent IDs by keyed pseudonyms already in memory (:func:`pseudonymize_result`).
        :func:`write_import` always does it before anything reaches the disk (unless told not to).
    key_file : path, optional
        Pseudonymisation key file (default ``$BAUSTEIN_KEY_FILE`` or ``~/.config/baustein-eval``).

    Returns
    -------
    ImportResult
    """
    started = time.time()
    if format not in ("auto", *FORMATS):
        raise BausteinError(
            f"Unbekanntes Format '{format}'. Erlaubt: auto, {', '.join(FORMATS)}. / Unknown format."
        )
    if wave is not None:
        labels, status = normalize_wave(pd.Series([wave], dtype=object))
        if status[0] != "ok":
            raise BausteinError(problem=CODES.problem("wave_option_invalid", value=quote_input(wave),
                                                      detail=WAVE_EXAMPLES))
        wave = str(labels.iloc[0])
    inst = instrument if isinstance(instrument, Instrument) else load_instrument(instrument)
    mapping_obj = mapping if isinstance(mapping, Mapping) or mapping is None else load_mapping(mapping, inst)
    if mapping_obj is not None:
        mapping_obj.validate(inst)
    if isinstance(paths, (str, Path)):
        paths = [paths]
    files, skipped = scan_inputs(paths)
    if isinstance(mapping, (str, Path)):  # the mapping workbook is no survey data
        files = [f for f in files if f.resolve() != Path(mapping).resolve()]
    if not files:
        extra = f" ({len(skipped)} übersprungen / skipped: {', '.join(sorted({c for _, c, _ in skipped}))})"
        raise InputFileError(
            "Keine Eingabedateien gefunden (.xlsx, .xls, .ods, .csv, .sav). / No input files found."
            + (extra if skipped else "")
        )

    fc = FindingCollector()
    for path, code, detail in skipped:  # the link is named, its target never
        fc.add(code, file=_display(path), detail=detail)
    known_ags: frozenset[str] | None = None
    external: pd.DataFrame | None = None
    muni_source: dict[str, Any] | None = None
    if municipalities is not None:
        if isinstance(municipalities, pd.DataFrame):
            external = municipalities.copy()
            ags, _ = normalize_ags(external["ags"].astype(object))
            external["ags"] = ags
            external = external[external["ags"].notna()]
            for c in ("source_file", "source_sheet", "source_row"):
                if c not in external:
                    external[c] = "(DataFrame)" if c == "source_file" else ("" if c == "source_sheet" else 0)
            muni_source = {"path": "(DataFrame)"}
        else:
            external = read_municipalities_file(municipalities, fc)
            muni_source = {
                "path": Path(municipalities).as_posix(),
                "sha256": inspect_input(Path(municipalities), limits).sha256,
            }
        known_ags = frozenset(external["ags"].dropna().astype(str))

    ctx = _build_context(inst, mapping_obj, format, strict, keep_free_text, known_ags, wave)

    # inspect (hash) every file first: duplicates are known before any reading
    n_jobs = jobs if jobs is not None else _auto_jobs(len(files))
    tasks: list[tuple[str, str, FileMeta | None, str | None, str | None]] = []
    first_by_sha: dict[str, str] = {}
    for f, (meta, error) in zip(files, _inspect_all(files, limits, n_jobs), strict=True):
        disp = _display(f)
        if meta is None:
            tasks.append((str(f), disp, None, error, None))
            continue
        dup = first_by_sha.get(meta.sha256)
        if dup is None:
            first_by_sha[meta.sha256] = disp
        tasks.append((str(f), disp, meta, None, dup))

    show = sys.stderr.isatty() if progress is None else progress
    results = _run(tasks, ctx, n_jobs, show)
    results.sort(key=lambda r: r.file)

    # ---- cross-file stage
    fc.extend([r.findings for r in results])
    muni_tables = ([external] if external is not None else []) + [r.municipalities for r in results]
    merged = merge_municipalities(muni_tables, fc)

    resp_frames = [r.respondents for r in results if len(r.respondents)]
    n_items = len(inst.items)
    if resp_frames:
        respondents = pd.concat(resp_frames, ignore_index=True)
        values = np.concatenate([r.values for r in results if len(r.respondents)])
        reasons = np.concatenate([r.reasons for r in results if len(r.respondents)])
    else:
        respondents = pd.DataFrame(
            columns=["respondent_id", "ags", "role", "wave", "submitted_at", "source_file", "source_sheet",
                     "source_row", "_id_given", "_id_column", "_id_header"]
        )
        values = np.empty((0, n_items), dtype=np.float32)
        reasons = np.empty((0, n_items), dtype=np.int8)
    if len(respondents):
        keep = drop_content_duplicates(respondents, values, reasons, fc, {r.file: r.meta for r in results})
        if not keep.all():
            respondents, values, reasons = respondents[keep].reset_index(drop=True), values[keep], reasons[keep]
        respondents["respondent_id"] = resolve_cross_file_ids(respondents, fc)
        check_wave_labels(respondents, fc)

    respondents, responses = _tidy_tables(respondents, values, reasons, inst)
    muni_final = complete_municipalities(merged, respondents["ags"])
    rejections = FindingCollector.finish(fc.raw())

    inputs = [r.meta for r in results]
    totals = {
        "files": len(inputs),
        "files_unreadable": sum(1 for m in inputs if m["status"] == "unreadable"),
        "files_duplicate": sum(1 for m in inputs if m["status"] == "duplicate"),
        "files_skipped": len(skipped),
        "rows_in": sum(m["rows_in"] for m in inputs),
        "rows_accepted": sum(m["rows_accepted"] for m in inputs),
        "rows_rejected": sum(m["rows_rejected"] for m in inputs),
        "rows_blank": sum(m["rows_blank"] for m in inputs),
        "rows_label_skipped": sum(m.get("rows_label_skipped", 0) for m in inputs),
        "respondents": len(respondents),
        "responses": len(responses),
        "municipalities": len(muni_final),
        "findings": {k: int(v) for k, v in rejections["severity"].value_counts().sort_index().items()},
    }
    from surveys import __version__

    manifest: dict[str, Any] = {
        "tool": {"name": "baustein-eval", "version": __version__},
        "instrument": {"name": inst.name, "version": inst.version},
        "inputs": inputs,
        "skipped_inputs": [{"path": _display(path), "code": code} for path, code, _ in skipped],
        "totals": totals,
        "options": {
            "format": format,
            "strict": strict,
            "keep_free_text": keep_free_text,
            "wave": wave,
            "mapping": mapping_obj.source if mapping_obj is not None else None,
            "municipalities": muni_source,
        },
        "run": {
            "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "seconds": round(time.time() - started, 3),
            "jobs": n_jobs,
        },
    }
    dataset = Dataset(
        respondents=respondents,
        responses=responses,
        municipalities=muni_final,
        instrument=inst,
        manifest=manifest,
    )
    result = ImportResult(dataset=dataset, rejections=rejections, manifest=manifest)
    if pseudonymize:
        result = pseudonymize_result(result, load_or_create_key(key_file))
    return result


def pseudonymize_result(result: ImportResult, key: bytes) -> ImportResult:
    """The result with every respondent ID replaced by its keyed pseudonym (``R-`` + 16 hex digits).

    Uses :func:`surveys.pseudonyms.pseudonymize` (HMAC-SHA256 with ``key``): the same ID gets the same
    pseudonym in every run with the same key, so waves stay linkable. Already pseudonymised results
    are returned unchanged. The manifest records the method and a key identifier (a hash of the key,
    which reveals nothing about it) - never the key.
    """
    if result.manifest.get("privacy", {}).get("respondent_ids") == "pseudonymized":
        return result
    ds = result.dataset
    ids = ds.respondents["respondent_id"].astype(object)
    pseudo = pseudonymize_ids(ids, key).to_numpy(dtype=object)
    respondents = ds.respondents.copy()
    respondents["respondent_id"] = pseudo
    responses = ds.responses.copy()
    if len(responses):
        repeated = _repeated_ids(responses["respondent_id"], ids)
        if repeated is not None:  # the importer's layout: k responses per respondent, in order
            responses["respondent_id"] = np.repeat(pseudo, repeated)
        else:
            codes = pd.Categorical(responses["respondent_id"], categories=ids.tolist()).codes
            if (codes < 0).any():  # pragma: no cover - responses always belong to a respondent
                raise BausteinError("Antworten ohne Befragte / responses without a respondent")
            responses["respondent_id"] = pseudo[codes]
    manifest = dict(result.manifest)
    manifest["privacy"] = {
        "respondent_ids": "pseudonymized",
        "method": "HMAC-SHA256, R- + 16 hex (surveys.pseudonyms.pseudonymize)",
        "key_id": hashlib.sha256(b"baustein-eval/key-id\0" + bytes(key)).hexdigest()[:12],
    }
    dataset = Dataset(respondents=respondents, responses=responses, municipalities=ds.municipalities,
                      instrument=ds.instrument, manifest=manifest)
    return ImportResult(dataset=dataset, rejections=result.rejections, manifest=manifest)


def _repeated_ids(resp_ids: pd.Series, ids: pd.Series) -> int | None:
    """``k`` when ``resp_ids`` is ``ids`` (unique) with each repeated ``k`` times in order, as
    :func:`_tidy_tables` builds it; else None. Saves hashing millions of response IDs."""
    n = len(ids)
    if n == 0 or len(resp_ids) % n or not pd.Index(ids).is_unique:
        return None
    k = len(resp_ids) // n
    ra = resp_ids.to_numpy(dtype=object).reshape(n, k)
    ia = ids.to_numpy(dtype=object)
    if ia.dtype != object or not bool((ra == ia[:, None]).all()):
        return None
    return k


def _inspect_one(f: Path, limits: Limits | None) -> tuple[FileMeta | None, str | None]:
    try:
        return inspect_input(f, limits), None
    except BausteinError as exc:
        return None, str(exc)
    except Exception as exc:  # defence in depth: never a traceback for one bad file
        return None, _reader_failure(f, exc)


def _inspect_chunk(files: list[Path], limits: Limits | None) -> list[tuple[FileMeta | None, str | None]]:
    return [_inspect_one(f, limits) for f in files]


def _inspect_all(files: list[Path], limits: Limits | None, n_jobs: int) -> list[tuple[FileMeta | None, str | None]]:
    """:func:`inspect_input` of every file (hash, safety checks), in ``n_jobs`` processes when > 1."""
    if n_jobs <= 1 or len(files) < 2 * n_jobs:
        return _inspect_chunk(files, limits)
    import multiprocessing as mp

    method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
    size = max(1, -(-len(files) // (n_jobs * 4)))
    chunks = [files[i : i + size] for i in range(0, len(files), size)]
    with ProcessPoolExecutor(max_workers=n_jobs, mp_context=mp.get_context(method),
                             initializer=die_with_parent) as pool:
        return [x for part in pool.map(_inspect_chunk, chunks, [limits] * len(chunks)) for x in part]


#: Files whose answers are normalised together (memory: their raw cells at once).
_CHUNK_FILES = 256


def _process_chunk(tasks: list[tuple]) -> list[_FileResult]:
    """Read and convert a chunk of files (runs in a worker process)."""
    assert _CTX is not None
    results = [_process_file(*t) for t in tasks]
    _finish_chunk(results, _CTX)
    return results


def _run(tasks: list[tuple], ctx: _Context, n_jobs: int, show: bool) -> list[_FileResult]:
    from tqdm import tqdm

    bar = tqdm(total=len(tasks), unit="Datei", disable=not show, desc="Import", file=sys.stderr)
    results: list[_FileResult] = []
    rows = 0
    try:
        if n_jobs <= 1 or len(tasks) <= 1:
            _init_worker(ctx)
            for i in range(0, len(tasks), _CHUNK_FILES):
                chunk = []
                for t in tasks[i : i + _CHUNK_FILES]:
                    r = _process_file(*t)
                    chunk.append(r)
                    rows += r.meta["rows_in"]
                    bar.update(1)
                    bar.set_postfix(Zeilen=rows, refresh=False)
                _finish_chunk(chunk, ctx)
                results.extend(chunk)
        else:
            import multiprocessing as mp

            # fork: no re-import of __main__ (works from notebooks and stdin scripts); the parent
            # has only hashed files so far, no reader threads exist to be inherited.
            method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
            mpctx = mp.get_context(method)
            # chunks of files per task: each worker normalises its chunk at once (_finish_batch);
            # about four chunks per worker keep both busy until the end
            size = max(1, min(_CHUNK_FILES // 4, -(-len(tasks) // (n_jobs * 4))))
            chunks = [tasks[i : i + size] for i in range(0, len(tasks), size)]
            with ProcessPoolExecutor(max_workers=n_jobs, mp_context=mpctx, initializer=_init_worker,
                                     initargs=(ctx,)) as pool:
                futures = [pool.submit(_process_chunk, c) for c in chunks]
                for fut in as_completed(futures):
                    for r in fut.result():
                        results.append(r)
                        rows += r.meta["rows_in"]
                        bar.update(1)
                    bar.set_postfix(Zeilen=rows, refresh=False)
    finally:
        bar.close()
    return results


def _tidy_tables(
    respondents: pd.DataFrame, values: np.ndarray, reasons: np.ndarray, inst: Instrument
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sorted respondents table and long responses table (deterministic order and dtypes)."""
    order = respondents.sort_values(["source_file", "source_sheet", "source_row"], kind="stable").index.to_numpy()
    respondents = respondents.loc[order].reset_index(drop=True)
    values = values[order] if len(order) else values
    reasons = reasons[order] if len(order) else reasons
    cols = ["respondent_id", "ags", "role", "wave", "submitted_at", "source_file", "source_sheet", "source_row"]
    if "comment" in respondents:
        cols.append("comment")
    out = respondents[cols].copy()
    for c in ("respondent_id", "ags", "role", "wave", "source_file", "source_sheet", *(["comment"] if "comment" in out else [])):
        s = out[c].astype(object)
        out[c] = s.where(s.notna(), None).astype(object)
    out["submitted_at"] = pd.to_datetime(out["submitted_at"]).astype("datetime64[us]")
    out["source_row"] = out["source_row"].astype("int64")
    codes = inst.item_codes
    n, k = values.shape
    flat_vals = values.reshape(-1).astype(float)
    reason_or_none = np.array([None if r == "" else r for r in REASONS], dtype=object)
    responses = pd.DataFrame(
        {
            "respondent_id": np.repeat(out["respondent_id"].to_numpy(dtype=object), k),
            "item": np.tile(np.asarray(codes, dtype=object), n),
            "value": _int16_codes(flat_vals) if n else pd.array([], dtype="Int16"),
            "missing_reason": reason_or_none[reasons.reshape(-1)] if n else np.array([], dtype=object),
        }
    )
    return out, responses


def _int16_codes(flat: np.ndarray) -> Any:
    """``pd.array(flat, dtype="Int16")`` (NaN -> NA) built directly from the mask when every value
    is a whole number in range (answer codes always are), else through pandas' checked cast."""
    mask = np.isnan(flat)
    filled = np.where(mask, 0.0, flat)
    as16 = filled.astype(np.int16)
    if np.array_equal(as16, filled):
        return pd.arrays.IntegerArray(as16, mask)
    return pd.array(np.where(mask, np.nan, flat), dtype="Int16")


# ---------------------------------------------------------------- writing
def _rejections_csv(rej: pd.DataFrame) -> bytes:
    buf = io.StringIO()
    neutralize_frame(rej).to_csv(buf, index=False, sep=";")
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


_XLSX_MAX_ROWS = 1_048_575


def _rejections_xlsx(rej: pd.DataFrame, lang: str = "de") -> bytes:
    import xlsxwriter

    from .findings import readable_rejections

    readable, visible = readable_rejections(rej, lang)
    safe = neutralize_frame(readable)
    note = None
    if len(safe) > _XLSX_MAX_ROWS - 1:
        note = f"Nur die ersten {_XLSX_MAX_ROWS - 1} von {len(safe)} Meldungen; alle in rejections.csv."
        safe = safe.iloc[: _XLSX_MAX_ROWS - 1]
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                   "strings_to_numbers": False})
    wb.set_properties({"created": datetime(2000, 1, 1)})
    ws = wb.add_worksheet("Meldungen")
    bold = wb.add_format({"bold": True, "bg_color": "#DDDDDD"})
    headers = list(safe.columns)
    ws.write_row(0, 0, visible, bold)
    for j, c in enumerate(headers):
        col = safe[c]
        vals = col.astype(object).where(col.notna(), None).tolist()
        ws.write_column(1, j, vals)
    widths = {"severity": 9, "file": 30, "sheet": 12, "row": 7, "column": 7, "header": 30, "value": 20,
              "code": 24, "action": 14, "message_de": 80, "message_en": 80}
    for j, c in enumerate(headers):
        ws.set_column(j, j, widths.get(c, 15))
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(safe), 1), len(headers) - 1)
    if note:
        ws.write(len(safe) + 2, 0, note)
    wb.close()
    return buf.getvalue()


def write_import(
    result: ImportResult,
    out_dir: str | Path,
    *,
    pseudonymize: bool = True,
    key_file: str | Path | None = None,
) -> Path:
    """Write the dataset (Parquet), ``manifest.json``, ``rejections.csv`` and ``rejections.xlsx``
    atomically into ``out_dir`` (a previous dataset there is replaced only on success).

    Respondent IDs are pseudonymised first (:func:`pseudonymize_result`) with the key from
    ``key_file`` (default ``$BAUSTEIN_KEY_FILE`` or ``~/.config/baustein-eval/pseudonym.key``, created
    on first use); a key file inside ``out_dir`` is refused. ``pseudonymize=False`` keeps the IDs
    as delivered (only for data that holds no personal identifiers).
    """
    if pseudonymize:
        result = pseudonymize_result(result, load_or_create_key(key_file, forbidden_dirs=[out_dir]))
    extra = {"rejections.csv": _rejections_csv(result.rejections), "rejections.xlsx": _rejections_xlsx(result.rejections)}
    return result.dataset.save(out_dir, extra_files=extra)


def write_report(result: ImportResult, out_dir: str | Path) -> Path:
    """Write only the report (``rejections.csv``, ``rejections.xlsx``, ``manifest.json``) atomically."""
    out = Path(out_dir)
    with atomic_output_dir(out, kind="import_report") as tmp:
        (tmp / "rejections.csv").write_bytes(_rejections_csv(result.rejections))
        (tmp / "rejections.xlsx").write_bytes(_rejections_xlsx(result.rejections))
        (tmp / "manifest.json").write_text(
            json.dumps(result.manifest, indent=2, ensure_ascii=False, sort_keys=True, default=str) + "\n",
            encoding="utf-8",
        )
    return out
