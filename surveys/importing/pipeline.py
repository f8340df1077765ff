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

from ..dataset import Dataset, atomic_output_dir
from ..errors import BausteinError, InputFileError
from ..formats import TEMPLATE_INSTRUCTIONS_SHEET, TEMPLATE_MUNICIPALITIES_SHEET
from ..instrument import Instrument
from ..privacy import load_or_create_key
from ..privacy import pseudonymize as pseudonymize_ids
from ..safe_output import neutralize_frame
from ..safety import Limits
from .detect import FORMATS, detect_format, find_header_row, is_label_row
from .findings import FindingCollector, column_letter
from .mapping import HeaderIndex, Mapping, load_mapping
from .municipalities import (
    complete_municipalities,
    looks_like_municipalities,
    parse_municipality_sheet,
    read_municipalities_file,
)
from .normalize import (
    AnswerLookup,
    choice_lookup,
    map_answers,
    norm_key,
    normalize_ags,
    parse_dates,
    strip_numeric_text,
)
from .readers import FileMeta, RawSheet, inspect_input, read_raw
from .validate import merge_municipalities, resolve_cross_file_ids

__all__ = ["ImportResult", "collect_inputs", "pseudonymize_result", "read_responses", "write_import", "write_report"]

INPUT_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".txt", ".tsv", ".sav"}
#: Missing reasons as small integers inside the pipeline (0 = a valid answer).
REASONS = ("", "dont_know", "no_answer", "not_shown", "invalid")
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


_CTX: _Context | None = None


def _init_worker(ctx: _Context) -> None:
    global _CTX
    _CTX = ctx
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


# ---------------------------------------------------------------- inputs
def collect_inputs(paths: Iterable[str | Path]) -> list[Path]:
    """Files named directly plus spreadsheet/CSV/SPSS files found in folders (recursively), sorted.

    Lock files (``~$…``) and hidden files are skipped.
    """
    out: list[Path] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            found = [
                f
                for f in path.rglob("*")
                if f.is_file()
                and f.suffix.lower() in INPUT_SUFFIXES
                and not f.name.startswith(("~$", "."))
                and not any(part.startswith(".") for part in f.relative_to(path).parts)
            ]
            out.extend(sorted(found, key=lambda f: f.as_posix()))
        elif path.is_file():
            out.append(path)
        else:
            raise InputFileError(
                f"Eingabe nicht gefunden / input not found: {path}. Bitte Pfad prüfen / please check the path.",
                str(path),
            )
    seen: set[str] = set()
    unique = []
    for f in out:
        key = f.as_posix()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


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
    lookups = {}
    for it in instrument.items:
        item_extra = dict(extra)
        if mapping and it.code in mapping.item_values:
            item_extra.update(mapping.item_values[it.code])
        lookups[it.code] = AnswerLookup(instrument.scales[it.scale], item_extra)
    roles: dict[str, str] = {}
    try:
        role_field = instrument.field("role")
        roles = choice_lookup(
            (c.name, (c.label_de, c.label_en, str(i))) for i, c in enumerate(role_field.choices, start=1)
        )
    except KeyError:
        pass
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
        return _convert(sheets, file, meta, info, fc, ctx, duplicate_of)
    except BausteinError as exc:
        fc = FindingCollector()
        fc.add("file_unreadable", file=file, detail=str(exc))
    except Exception as exc:  # pragma: no cover - a bug; the file is rejected as a whole, nothing half-taken
        fc = FindingCollector()
        fc.add("file_unreadable", file=file, detail=_reader_failure(Path(path), exc))
    info.update(status="unreadable", rows_in=0, rows_accepted=0, rows_rejected=0, rows_blank=0,
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
        h, score = find_header_row(s.cells, ctx.index)
        if h is None:
            continue
        heads = s.cells.iloc[h]
        keys = {norm_key(v) for v in heads.tolist() if isinstance(v, str)}
        if "_parent_index" in keys:
            fc.add("sheet_skipped", file=file, sheet=s.name,
                   detail="Wiederholungsgruppe (repeat group, _parent_index) / repeat-group sheet")
            continue
        n_items = sum(1 for v in heads.tolist() if (t := ctx.index.resolve(v)) is not None and t.kind == "item")
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
        hidden = "" if c[4].visible else "ausgeblendet / hidden; "
        fc.add("sheet_skipped", file=file, sheet=c[4].name,
               detail=f"{hidden}nicht das Antwortblatt '{main.name}' / not the answer sheet '{main.name}'")
    if not main.visible:
        fc.add("file_note", file=file, sheet=main.name, severity="warning",
               detail="Die Antworten stehen in einem ausgeblendeten Blatt und werden gelesen; bitte prüfen. / "
                      "The answers are in a hidden sheet and are read; please check.")
    return main, h, muni


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

    munis = []
    if duplicate_of is None:
        for ms in muni_sheets:
            table, counts = parse_municipality_sheet(ms, file, fc)
            munis.append(table)
            for k, v in counts.items():
                info["municipality_rows"][k] += v
    muni_table = pd.concat(munis, ignore_index=True) if munis else pd.DataFrame()

    if main is None or h is None:
        if not muni_sheets:
            fc.add("no_data_sheet", file=file, detail=", ".join(s.name for s in sheets) or "-")
            info["status"] = "no_data"
        else:
            info["format"] = "municipalities"
        result = _empty_result(file, info, fc, n_items)
        result.municipalities = muni_table
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
        lambda c, t: _is_answer(ctx, item_cols, c, t),
    ):
        fc.add("label_row_skipped", file=file, sheet=main.name, rows=[main.row_base + first_data])
        data = data.iloc[1:]
        first_data += 1
    nonblank = np.zeros(len(data), dtype=bool)
    for pos in data.columns:
        s = data[pos]
        nonblank |= (s.notna() & s.astype("string").str.strip().fillna("").ne("")).to_numpy()
    info["rows_blank"] = int((~nonblank).sum())
    rows = (main.row_base + first_data + np.flatnonzero(nonblank)).astype(np.int64)
    data = data[nonblank]
    n = len(data)
    info["rows_in"] = n
    if n == 0 and item_cols and duplicate_of is None:
        fc.add("no_data_rows", file=file, sheet=main.name, rows=[header_row])
        info["status"] = "no_rows"

    if not item_cols and duplicate_of is None:
        # not a response table at all: one file-level finding instead of one per row
        fc.add("no_item_columns", file=file, sheet=main.name, rows=[header_row], detail=n)
        info.update(status="no_items", rows_rejected=n)
        res = _empty_result(file, info, fc, n_items)
        res.municipalities = muni_table
        return res

    if duplicate_of is not None:
        dup = FindingCollector()
        dup.add("file_duplicate", file=file, sheet=main.name, rows=rows, detail=duplicate_of)
        info.update(status="duplicate", rows_rejected=n)
        res = _empty_result(file, info, dup, n_items)
        return res

    def col(name: str) -> pd.Series:
        if name in field_cols:
            return data[field_cols[name][1]]
        return pd.Series(None, index=data.index, dtype=object)

    def where(name: str) -> tuple[str, str]:
        if name in field_cols:
            p = field_cols[name][1]
            return column_letter(main.col_index[p]), str(headers[p])
        return "", ""

    # ---- items
    values = np.full((n, n_items), np.nan, dtype=np.float32)
    reasons = np.full((n, n_items), _NOT_SHOWN, dtype=np.int8)
    for j, code in enumerate(codes):
        if code not in item_cols:
            continue
        pos = item_cols[code]
        raw = data[pos]
        lookup = ctx.lookups[code]
        v, r, p = map_answers(raw, lookup)
        values[:, j] = v
        reasons[:, j] = pd.Series(r).map(_REASON_CODE).to_numpy(dtype=np.int8)
        for problem in ("value_out_of_scale", "value_unknown_label"):
            mask = p == problem
            if mask.any():
                fc.add(problem, file=file, sheet=main.name, rows=rows[mask],
                       column=column_letter(main.col_index[pos]), header=headers[pos],
                       value=raw.to_numpy()[mask], detail=lookup.describe())
    if main.flags:
        _apply_cell_flags(main, header_row, rows, headers, item_cols, codes, values, reasons, file, fc)
    reject = np.zeros(n, dtype=bool)
    no_answer = (reasons == _NOT_SHOWN).all(axis=1) if n_items else np.ones(n, dtype=bool)
    if no_answer.any():
        fc.add("no_answers", file=file, sheet=main.name, rows=rows[no_answer])
        reject |= no_answer

    # ---- AGS
    ags_raw = col("ags")
    if "ags" in ctx.defaults:
        ags_raw = ags_raw.where(ags_raw.notna() & ags_raw.astype("string").str.strip().ne(""), ctx.defaults["ags"])
    ags, status = normalize_ags(ags_raw)
    letter, header = where("ags")
    for code, st in (("ags_missing", "missing"), ("ags_invalid", "invalid")):
        mask = status == st
        if mask.any():
            fc.add(code, file=file, sheet=main.name, rows=rows[mask], column=letter, header=header,
                   value=ags_raw.to_numpy()[mask])
            reject |= mask
    if ctx.known_ags is not None:
        unknown_ags = (status == "ok") & ~ags.isin(ctx.known_ags).to_numpy()
        if unknown_ags.any():
            fc.add("ags_unknown", file=file, sheet=main.name, rows=rows[unknown_ags], column=letter,
                   header=header, value=ags.to_numpy()[unknown_ags])
            reject |= unknown_ags

    # ---- wave
    wave = strip_numeric_text(col("wave"))
    if "wave" in ctx.defaults:
        wave = wave.where(wave.notna(), ctx.defaults["wave"])
    no_wave = wave.isna().to_numpy()
    if no_wave.any():
        letter, header = where("wave")
        fc.add("wave_missing", file=file, sheet=main.name, rows=rows[no_wave], column=letter, header=header)
        reject |= no_wave

    # ---- role
    role_raw = strip_numeric_text(col("role"))
    if "role" in ctx.defaults:
        role_raw = role_raw.where(role_raw.notna(), ctx.defaults["role"])
    role_keys = role_raw.map(norm_key, na_action="ignore") if len(role_raw) else role_raw
    role = role_keys.map(ctx.roles) if ctx.roles else role_raw
    bad_role = (role_raw.notna() & role.isna()).to_numpy()
    if bad_role.any():
        letter, header = where("role")
        fc.add("role_unknown", file=file, sheet=main.name, rows=rows[bad_role], column=letter, header=header,
               value=role_raw.to_numpy()[bad_role], detail=", ".join(sorted(set(ctx.roles.values()))))

    # ---- date
    submitted, bad_date = parse_dates(col("submitted_at"), main.date1904)
    if bad_date.any():
        letter, header = where("submitted_at")
        fc.add("date_invalid", file=file, sheet=main.name, rows=rows[bad_date], column=letter, header=header,
               value=col("submitted_at").to_numpy()[bad_date])

    # ---- respondent ID
    given_raw = strip_numeric_text(col("respondent_id"))
    given = given_raw.notna().to_numpy()
    sheet_name = main.name
    derived = np.array(
        ["p" + hashlib.sha256(f"{meta.sha256}:{sheet_name}:{r}".encode()).hexdigest()[:16] for r in rows[~given]],
        dtype=object,
    )
    rid = given_raw.to_numpy(dtype=object).copy()
    rid[~given] = derived
    id_letter, id_header = where("respondent_id")
    if given.any():
        s = pd.Series(rid)
        dup = s.duplicated(keep="first").to_numpy() & given
        if dup.any():
            first_row = pd.Series(rows).groupby(s.to_numpy()).transform("first").to_numpy()
            fc.add("duplicate_id", file=file, sheet=main.name, rows=rows[dup], column=id_letter, header=id_header,
                   value=rid[dup], detail=first_row[dup])
            reject |= dup

    # ---- strict policy
    raw_findings = fc.raw()
    if ctx.strict and (raw_findings["severity"] == "error").any():
        extra = ~reject
        if extra.any():
            fc.add("file_strict", file=file, sheet=main.name, rows=rows[extra])
        reject[:] = True
        info["status"] = "rejected_strict"

    keep = ~reject
    resp = pd.DataFrame(
        {
            "respondent_id": rid[keep],
            "ags": ags.to_numpy(dtype=object)[keep],
            "role": role.to_numpy(dtype=object)[keep] if len(role) else np.array([], dtype=object),
            "wave": wave.to_numpy(dtype=object)[keep],
            "submitted_at": submitted.to_numpy()[keep],
            "source_file": file,
            "source_sheet": sheet_name,
            "source_row": rows[keep],
        }
    )
    if ctx.keep_free_text:
        comment = col("comment")
        resp["comment"] = comment.to_numpy(dtype=object)[keep]
    resp["_id_given"] = given[keep]
    resp["_id_column"] = id_letter
    resp["_id_header"] = id_header
    info["rows_accepted"] = int(keep.sum())
    info["rows_rejected"] = int(reject.sum())
    return _FileResult(
        file=file,
        meta=info,
        respondents=resp,
        values=values[keep],
        reasons=reasons[keep],
        municipalities=muni_table,
        findings=fc.raw(),
    )


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
    limits : surveys.safety.Limits, optional
        Resource limits for every input file (default: :meth:`~surveys.safety.Limits.from_env`).
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
    inst = instrument if isinstance(instrument, Instrument) else Instrument.load(instrument)
    mapping_obj = mapping if isinstance(mapping, Mapping) or mapping is None else load_mapping(mapping)
    if mapping_obj is not None:
        mapping_obj.validate(inst)
    if isinstance(paths, (str, Path)):
        paths = [paths]
    files = collect_inputs(paths)
    if not files:
        raise InputFileError(
            "Keine Eingabedateien gefunden (.xlsx, .xls, .ods, .csv, .sav). / No input files found."
        )

    fc = FindingCollector()
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
    tasks: list[tuple[str, str, FileMeta | None, str | None, str | None]] = []
    first_by_sha: dict[str, str] = {}
    for f in files:
        disp = _display(f)
        try:
            meta = inspect_input(f, limits)
        except BausteinError as exc:
            tasks.append((str(f), disp, None, str(exc), None))
            continue
        except Exception as exc:  # defence in depth: never a traceback for one bad file
            tasks.append((str(f), disp, None, _reader_failure(f, exc), None))
            continue
        dup = first_by_sha.get(meta.sha256)
        if dup is None:
            first_by_sha[meta.sha256] = disp
        tasks.append((str(f), disp, meta, None, dup))

    n_jobs = jobs if jobs is not None else _auto_jobs(len(tasks))
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
        respondents["respondent_id"] = resolve_cross_file_ids(respondents, fc)

    respondents, responses = _tidy_tables(respondents, values, reasons, inst)
    muni_final = complete_municipalities(merged, respondents["ags"])
    rejections = FindingCollector.finish(fc.raw())

    inputs = [r.meta for r in results]
    totals = {
        "files": len(inputs),
        "files_unreadable": sum(1 for m in inputs if m["status"] == "unreadable"),
        "files_duplicate": sum(1 for m in inputs if m["status"] == "duplicate"),
        "rows_in": sum(m["rows_in"] for m in inputs),
        "rows_accepted": sum(m["rows_accepted"] for m in inputs),
        "rows_rejected": sum(m["rows_rejected"] for m in inputs),
        "rows_blank": sum(m["rows_blank"] for m in inputs),
        "respondents": len(respondents),
        "responses": len(responses),
        "municipalities": len(muni_final),
        "findings": {k: int(v) for k, v in rejections["severity"].value_counts().sort_index().items()},
    }
    from .. import __version__

    manifest: dict[str, Any] = {
        "tool": {"name": "baustein-eval", "version": __version__},
        "instrument": {"name": inst.name, "version": inst.version},
        "inputs": inputs,
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

    Uses :func:`surveys.privacy.pseudonymize` (HMAC-SHA256 with ``key``): the same ID gets the same
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
        codes = pd.Categorical(responses["respondent_id"], categories=ids.tolist()).codes
        if (codes < 0).any():  # pragma: no cover - responses always belong to a respondent
            raise BausteinError("Antworten ohne Befragte / responses without a respondent")
        responses["respondent_id"] = pseudo[codes]
    manifest = dict(result.manifest)
    manifest["privacy"] = {
        "respondent_ids": "pseudonymized",
        "method": "HMAC-SHA256, R- + 16 hex (surveys.privacy.pseudonymize)",
        "key_id": hashlib.sha256(b"baustein-eval/key-id\0" + bytes(key)).hexdigest()[:12],
    }
    dataset = Dataset(respondents=respondents, responses=responses, municipalities=ds.municipalities,
                      instrument=ds.instrument, manifest=manifest)
    return ImportResult(dataset=dataset, rejections=result.rejections, manifest=manifest)


def _run(tasks: list[tuple], ctx: _Context, n_jobs: int, show: bool) -> list[_FileResult]:
    from tqdm import tqdm

    bar = tqdm(total=len(tasks), unit="Datei", disable=not show, desc="Import", file=sys.stderr)
    results: list[_FileResult] = []
    rows = 0
    try:
        if n_jobs <= 1 or len(tasks) <= 1:
            _init_worker(ctx)
            for t in tasks:
                r = _process_file(*t)
                results.append(r)
                rows += r.meta["rows_in"]
                bar.update(1)
                bar.set_postfix(Zeilen=rows, refresh=False)
        else:
            import multiprocessing as mp

            # fork: no re-import of __main__ (works from notebooks and stdin scripts); the parent
            # has only hashed files so far, no reader threads exist to be inherited.
            method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
            mpctx = mp.get_context(method)
            with ProcessPoolExecutor(max_workers=n_jobs, mp_context=mpctx, initializer=_init_worker,
                                     initargs=(ctx,)) as pool:
                futures = [pool.submit(_process_file, *t) for t in tasks]
                for fut in as_completed(futures):
                    r = fut.result()
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
    flat_reason = np.asarray(REASONS, dtype=object)[reasons.reshape(-1)] if n else np.array([], dtype=object)
    responses = pd.DataFrame(
        {
            "respondent_id": np.repeat(out["respondent_id"].to_numpy(dtype=object), k),
            "item": np.tile(np.asarray(codes, dtype=object), n),
            "value": pd.array(np.where(np.isnan(flat_vals), np.nan, flat_vals), dtype="Int16")
            if n
            else pd.array([], dtype="Int16"),
            "missing_reason": np.where(flat_reason == "", None, flat_reason) if n else np.array([], dtype=object),
        }
    )
    return out, responses


# ---------------------------------------------------------------- writing
def _rejections_csv(rej: pd.DataFrame) -> bytes:
    buf = io.StringIO()
    neutralize_frame(rej).to_csv(buf, index=False, sep=";")
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


_XLSX_MAX_ROWS = 1_048_575


def _rejections_xlsx(rej: pd.DataFrame) -> bytes:
    import xlsxwriter

    safe = neutralize_frame(rej)
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
    ws.write_row(0, 0, headers, bold)
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
    _recover_interrupted_swap(Path(out_dir))
    extra = {"rejections.csv": _rejections_csv(result.rejections), "rejections.xlsx": _rejections_xlsx(result.rejections)}
    return result.dataset.save(out_dir, extra_files=extra)


def _recover_interrupted_swap(out: Path) -> None:
    """Put back a previous dataset that a killed run had moved aside but not yet replaced.

    :class:`~surveys.dataset.atomic_output_dir` swaps with two renames (``out`` -> ``.out.old-*``,
    new -> ``out``); a kill between them leaves no ``out`` but an intact ``.out.old-*``, which the
    next run would otherwise delete as stale.
    """
    if out.exists():
        return
    olds = sorted(out.parent.glob(f".{out.name}.old-*"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in olds:
        if (old / "manifest.json").exists() and (old / "respondents.parquet").exists():
            os.replace(old, out)
            return


def write_report(result: ImportResult, out_dir: str | Path) -> Path:
    """Write only the report (``rejections.csv``, ``rejections.xlsx``, ``manifest.json``) atomically."""
    out = Path(out_dir)
    with atomic_output_dir(out) as tmp:
        (tmp / "rejections.csv").write_bytes(_rejections_csv(result.rejections))
        (tmp / "rejections.xlsx").write_bytes(_rejections_xlsx(result.rejections))
        (tmp / "manifest.json").write_text(
            json.dumps(result.manifest, indent=2, ensure_ascii=False, sort_keys=True, default=str) + "\n",
            encoding="utf-8",
        )
    return out
