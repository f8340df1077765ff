"""Conversion stage: one file's sheets -> selected answer rows -> normalised, validated tables + findings.

:func:`convert_file` reads one file (:mod:`.readers`: every sheet once, into Arrow), picks the
answer sheet and its header row on a small head of each sheet (:mod:`.detect`), maps its columns to
items and respondent fields (:mod:`.mapping`), skips a label row and blank rows and selects the
raw cells of the answer rows, still as Arrow text columns. :func:`finish_files` then normalises
and validates the selected rows of many files at once: each column of all files is dictionary-
encoded in Arrow, so that labels are looked up once per distinct text (:mod:`.normalize`), reason
codes and findings are computed with NumPy, and Python objects are made only for the distinct
texts and for the cells that have a finding. It also parses the files' municipality sheets
(:mod:`.municipalities`). Every rule, finding and count is the one of a file converted alone; a
file that fails is rejected as a whole (``file_unreadable``), never half-taken. Both run inside
the worker processes of :mod:`.parallel`.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from core.errors import BausteinError
from core.excel_columns import column_letter
from surveys.formats import TEMPLATE_INSTRUCTIONS_SHEET, TEMPLATE_MUNICIPALITIES_SHEET
from surveys.instrument import Instrument

from .detect import detect_format, find_header_row, is_label_row
from .findings import FindingCollector
from .mapping import HeaderIndex, Mapping
from .mapping_apply import MappedColumn, fill_file_defaults, label_findings, review_columns
from .municipalities import looks_like_municipalities, parse_municipality_sheets
from .normalize import REASONS as _REASONS
from .normalize import (
    WAVE_EXAMPLES,
    AnswerLookup,
    Factorized,
    choice_lookup,
    factorize,
    map_answers_coded,
    nonblank_rows,
    norm_key,
    normalize_ags,
    normalize_wave,
    parse_dates,
    strip_numeric_text,
)
from .readers import FileMeta, RawSheet, read_raw, reader_failure

__all__ = [
    "Batch", "Context", "FileResult", "Rows", "RowsDone", "build_context", "convert_file", "finish_files",
    "normalise_rows", "pick_sheets",
]

#: Missing reasons as small integers inside the pipeline (0 = a valid answer).
REASONS = _REASONS
_REASON_CODE = {r: i for i, r in enumerate(REASONS)}
_NOT_SHOWN = _REASON_CODE["not_shown"]
_TEMPLATE_LISTS_SHEET = "Listen"  # surveys.template.TEMPLATE_LISTS_SHEET (hidden dropdown lists)
#: Respondent fields selected per file, in this order after the items (see :class:`Selection`).
FIELDS = ("ags", "wave", "role", "submitted_at", "respondent_id", "comment")
#: Columns of the respondents table built here (the tidy table plus what the cross-file stage needs).
RESPONDENT_COLUMNS = ("respondent_id", "ags", "role", "wave", "submitted_at", "source_file", "source_sheet",
                      "source_row", "_id_given", "_id_column", "_id_header")


@dataclass
class Context:
    """What every file of one import is converted with (built once, shipped to each worker)."""

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
class Selection:
    """The answer rows of one file, located and selected but not yet normalised."""

    sheet: str
    sha256: str
    date1904: bool
    header_row: int
    rows: np.ndarray  # Excel row of each selected row
    cells: list[pa.Array | None]  # per target (items, then FIELDS): raw text cells; None = no such column
    item_where: list[tuple[str, object] | None]
    where: dict[str, tuple[str, str]]
    flagged: tuple[Any, ...] | None  # (sheet, flags, col_index, headers, item_cols) when the sheet has flagged cells


@dataclass
class FileResult:
    """One file's entry of the manifest (``meta``) and its findings; its rows are in a :class:`Batch`."""

    file: str
    meta: dict[str, Any]
    findings: list[pd.DataFrame] = field(default_factory=list)  # raw finding chunks
    # deferred work, finished for many files at once by finish_files (never leaves a worker)
    path: str = ""
    fc: FindingCollector | None = None
    pending_munis: list[RawSheet] = field(default_factory=list)
    pending: Selection | None = None


@dataclass
class Batch:
    """The accepted rows of files finished together, in file order, rows in sheet order.

    ``respondents`` has :data:`RESPONDENT_COLUMNS` (+ ``comment`` when free text is kept);
    ``values`` and ``reasons`` are the answer codes (NaN when missing) and missing-reason codes
    (:data:`REASONS`), one row per respondent, one column per item; ``municipalities`` are the
    rows of the files' municipality sheets.
    """

    respondents: pd.DataFrame
    values: np.ndarray
    reasons: np.ndarray
    municipalities: pd.DataFrame

    @staticmethod
    def empty(n_items: int, comment: bool = False) -> Batch:
        cols = [*RESPONDENT_COLUMNS, *(["comment"] if comment else [])]
        return Batch(pd.DataFrame(columns=cols), np.empty((0, n_items), dtype=np.float32),
                     np.empty((0, n_items), dtype=np.int8), pd.DataFrame())

    @staticmethod
    def concat(batches: Sequence[Batch], n_items: int) -> Batch:
        """One batch of several (in the order given)."""
        full = [b for b in batches if len(b.respondents)]
        munis = [b.municipalities for b in batches if len(b.municipalities)]
        muni = pd.concat(munis, ignore_index=True) if len(munis) > 1 else (munis[0] if munis else pd.DataFrame())
        if not full:
            out = Batch.empty(n_items)
            out.municipalities = muni
            return out
        if len(full) == 1:
            return Batch(full[0].respondents, full[0].values, full[0].reasons, muni)
        return Batch(pd.concat([b.respondents for b in full], ignore_index=True),
                     np.concatenate([b.values for b in full]), np.concatenate([b.reasons for b in full]), muni)


def build_context(
    instrument: Instrument,
    mapping: Mapping | None,
    fmt: str,
    strict: bool,
    keep_free_text: bool,
    known_ags: frozenset[str] | None,
    wave: str | None,
) -> Context:
    """The :class:`Context` of an import: answer look-ups per item (with the mapping's labels and
    answer groups), role labels, constant fields (``--wave``, the mapping's defaults)."""
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
        # Numbers stand for the instrument's own role order only in our own formats (XLSForm/SoSci
        # numbering); in a mapped export a number means whatever that tool numbered, so it must be
        # named on the mapping's Rollen sheet and is a role_unknown finding until then.
        roles = choice_lookup(
            (c.name, (c.label_de, c.label_en) + ((str(i),) if mapping is None else ()))
            for i, c in enumerate(role_field.choices, start=1)
        )
    except KeyError:
        pass
    if mapping is not None:
        roles.update(mapping.role_table())
    defaults = dict(mapping.defaults) if mapping else {}
    if wave is not None:
        defaults["wave"] = str(wave)
    return Context(
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


# ---------------------------------------------------------------- per file
def _unreadable(file: str, info: dict[str, Any], detail: str) -> FileResult:
    """The result of a file rejected as a whole: one ``file_unreadable`` finding, nothing counted."""
    fc = FindingCollector()
    fc.add("file_unreadable", file=file, detail=detail)
    info.update(status="unreadable", rows_in=0, rows_accepted=0, rows_rejected=0, rows_blank=0, rows_other_sheets=0,
                municipality_rows={"rows_in": 0, "rows_accepted": 0, "rows_rejected": 0})
    return FileResult(file=file, meta=info, findings=fc.chunks())


def _is_instructions(name: str) -> bool:
    return norm_key(name) == norm_key(TEMPLATE_INSTRUCTIONS_SHEET)


def convert_file(
    ctx: Context, path: str, file: str, meta: FileMeta | None, error: str | None, duplicate_of: str | None
) -> FileResult:
    """Read and convert one file (runs in a worker process); normalising waits for :func:`finish_files`."""
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
        return FileResult(file=file, meta=info, findings=fc.chunks())
    for note in meta.notes:
        if meta.hidden_sheets == (_TEMPLATE_LISTS_SHEET,) and note.startswith("Ausgeblendete Blätter"):
            continue  # our own template's hidden dropdown lists: nothing to tell the user
        fc.add("file_note", file=file, detail=note)
    if meta.fallback_lines:
        fc.add("encoding_line", file=file, rows=list(meta.fallback_lines))
    if meta.nul_lines:
        fc.add("nul_removed", file=file, rows=[line for line, _ in meta.nul_lines],
               value=[n for _, n in meta.nul_lines])
    # a visible instructions sheet is never read (pick_sheets, _other_sheets): not even loaded
    hidden = set(meta.hidden_sheets)
    skip = (lambda name: name not in hidden and _is_instructions(name)) if meta.kind in {"xlsx", "xlsm"} else None
    try:
        sheets = read_raw(Path(path), meta.kind, meta, skip=skip)
    except BausteinError as exc:
        fc.add("file_unreadable", file=file, detail=str(exc))
        info["status"] = "unreadable"
        return FileResult(file=file, meta=info, findings=fc.chunks())
    except BaseException as exc:  # a reader library failed in an unforeseen way: never a traceback
        if not isinstance(exc, Exception) and type(exc).__name__ != "PanicException":
            raise  # KeyboardInterrupt, SystemExit
        fc.add("file_unreadable", file=file, detail=reader_failure(Path(path), exc))
        info["status"] = "unreadable"
        return FileResult(file=file, meta=info, findings=fc.chunks())
    try:
        res = _select(sheets, file, meta, info, fc, ctx, duplicate_of)
        res.path = path
        return res
    except BausteinError as exc:
        return _unreadable(file, info, str(exc))
    except Exception as exc:  # pragma: no cover - a bug; the file is rejected as a whole, nothing half-taken
        return _unreadable(file, info, reader_failure(Path(path), exc))


def _header_of(s: RawSheet, ctx: Context) -> tuple[int | None, int, list[object], set[str], int]:
    """Header row of a sheet, its score, its cells, their normalised keys and its number of item columns."""
    if "header" in s.memo:
        return s.memo["header"]  # type: ignore[no-any-return]
    s.memo["header"] = out = _find_header(s, ctx)
    return out


def _find_header(s: RawSheet, ctx: Context) -> tuple[int | None, int, list[object], set[str], int]:
    h, score = find_header_row(s.head(), ctx.index)
    if h is None:
        return None, 0, [], set(), 0
    heads = s.head()[h].tolist()
    keys = {norm_key(v) for v in heads if isinstance(v, str)}
    n_items = sum(1 for v in heads if (t := ctx.index.resolve(v)) is not None and t.kind == "item")
    return h, score, heads, keys, n_items


def pick_sheets(sheets: list[RawSheet], ctx: Context, file: str, fc: FindingCollector) -> tuple[
    RawSheet | None, int | None, list[RawSheet]
]:
    """Main answer sheet (+ its header row) and municipality sheets; notes for skipped sheets."""
    visible = [s for s in sheets if s.n_rows > 0]  # hidden sheets too: nothing may be lost
    muni = [s for s in visible if s.visible and norm_key(s.name) == norm_key(TEMPLATE_MUNICIPALITIES_SHEET)]
    candidates = []
    for s in visible:
        if s in muni or _is_instructions(s.name):
            continue
        h, score, _, keys, n_items = _header_of(s, ctx)
        if h is None:
            continue
        if "_parent_index" in keys:
            fc.add("sheet_skipped", file=file, sheet=s.name,
                   detail="Wiederholungsgruppe (repeat group, _parent_index) / repeat-group sheet")
            continue
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
    sheets: list[RawSheet], main: RawSheet, muni_sheets: list[RawSheet], ctx: Context
) -> tuple[list[tuple[RawSheet, np.ndarray]], list[tuple[RawSheet, int]]]:
    """Sheets besides the answer sheet that hold data: the Excel rows of further answer sheets
    (visible or hidden: counted in rows_in and rejected, never silently dropped) and the number of
    filled rows of hidden sheets without answer columns (each a finding)."""
    answers: list[tuple[RawSheet, np.ndarray]] = []
    hidden: list[tuple[RawSheet, int]] = []
    for s in sheets:
        if s is main or s in muni_sheets or s.n_rows == 0:
            continue
        if s.visible and _is_instructions(s.name):
            continue
        h, _, _, keys, n_items = _header_of(s, ctx)
        if "_parent_index" in keys or (n_items == 0 and looks_like_municipalities(keys)):
            continue  # a repeat group or a municipality table: named by pick_sheets
        if n_items:
            assert h is not None
            data = [c.slice(h + 1) for c in s.columns]
            answers.append((s, s.row_base + h + 1 + np.flatnonzero(nonblank_rows(data))))
        elif not s.visible and s.name != _TEMPLATE_LISTS_SHEET:
            filled = int(nonblank_rows(s.columns).sum())
            if filled:
                hidden.append((s, filled))
    return [(s, r.astype(np.int64)) for s, r in answers if len(r)], hidden


def _select(
    sheets: list[RawSheet],
    file: str,
    meta: FileMeta,
    info: dict[str, Any],
    fc: FindingCollector,
    ctx: Context,
    duplicate_of: str | None,
) -> FileResult:
    """Pick the answer sheet, map its columns, skip label and blank rows, select the answer cells."""
    inst = ctx.instrument
    codes = inst.item_codes
    main, h, muni_sheets = pick_sheets(sheets, ctx, file, fc)
    pending_munis = list(muni_sheets) if duplicate_of is None else []  # parsed in finish_files

    if main is None or h is None:
        if not muni_sheets:
            fc.add("no_data_sheet", file=file, detail=", ".join(s.name for s in sheets) or "-")
            info["status"] = "no_data"
        else:
            info["format"] = "municipalities"
        return FileResult(file=file, meta=info, fc=fc, pending_munis=pending_munis)

    headers = main.row(h)
    fmt = ctx.fmt if ctx.fmt != "auto" else detect_format(list(headers.values()), [s.name for s in sheets], meta.kind)
    info["format"] = fmt
    info["sheet"] = main.name
    info["header_row"] = int(main.row_base + h)
    header_row = main.row_base + h

    # ---- columns
    item_cols: dict[str, int] = {}
    field_cols: dict[str, tuple[int, int]] = {}
    unknown: list[int] = []
    for pos, head in headers.items():
        target = ctx.index.resolve(head)
        letter = column_letter(main.col_index[pos])
        if target is None:
            col = main.columns[pos]
            if (isinstance(head, str) and head.strip()) or col.slice(h + 1).null_count < len(col) - h - 1:
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
    if main.n_rows > first_data and is_label_row(
        main.row(first_data), headers, list(item_cols.values()), fmt,
        lambda c, t: _is_answer(ctx, item_cols, c, t), index=ctx.index,
    ):
        fc.add("label_row_skipped", file=file, sheet=main.name, rows=[main.row_base + first_data])
        first_data += 1
        info["rows_label_skipped"] = 1
    data = [c.slice(first_data) for c in main.columns]
    nonblank = nonblank_rows(data)
    info["rows_blank"] = int((~nonblank).sum())
    rows = (main.row_base + first_data + np.flatnonzero(nonblank)).astype(np.int64)
    n = len(rows)
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
        return FileResult(file=file, meta=info, fc=fc, pending_munis=pending_munis)

    if duplicate_of is not None:
        dup = FindingCollector()
        dup.add("file_duplicate", file=file, sheet=main.name, rows=rows, detail=duplicate_of)
        for s, other_rows in others:
            dup.add("file_duplicate", file=file, sheet=s.name, rows=other_rows, detail=duplicate_of)
        info.update(status="duplicate", rows_rejected=n + n_other)
        return FileResult(file=file, meta=info, findings=dup.chunks())

    def where(name: str) -> tuple[str, str]:
        if name in field_cols:
            p = field_cols[name][1]
            return column_letter(main.col_index[p]), str(headers[p])
        return "", ""

    # ---- select the answer cells (Arrow); normalising and validating runs for many files at once
    if not nonblank.all():
        mask = pa.array(nonblank)
        data = [c.filter(mask) for c in data]
    cells: list[pa.Array | None] = []
    item_where: list[tuple[str, object] | None] = []
    for code in codes:
        pos = item_cols.get(code)
        cells.append(None if pos is None else data[pos])
        item_where.append(None if pos is None else (column_letter(main.col_index[pos]), headers[pos]))
    fields: dict[str, pa.Array | None] = {name: data[field_cols[name][1]] if name in field_cols else None
                                          for name in FIELDS}
    fill_file_defaults(ctx.index.mapping, file, fields, n)
    cells += [fields[name] for name in FIELDS]
    res = FileResult(file=file, meta=info, fc=fc, pending_munis=pending_munis)
    res.pending = Selection(
        sheet=main.name, sha256=meta.sha256, date1904=bool(main.date1904), header_row=header_row, rows=rows,
        cells=cells, item_where=item_where, where={name: where(name) for name in FIELDS},
        flagged=(main.name, main.flags, main.col_index, headers, item_cols) if main.flags else None,
    )
    return res


def _is_answer(ctx: Context, item_cols: dict[str, int], col: int, text: object) -> bool:
    for code, pos in item_cols.items():
        if pos == col:
            _, _, problem = ctx.lookups[code].lookup(text)
            return problem is None
    return False


# ---------------------------------------------------------------- many files at once
def finish_files(results: list[FileResult], ctx: Context,
                 split: Callable[[Rows], list[RowsDone]] | None = None) -> Batch:
    """Finish the deferred work of files read in one process: all at once, or - when that fails -
    file by file, so that a failure rejects only its own file (as when each file was converted alone).

    Returns the files' accepted rows (in the order of ``results``); each result keeps its manifest
    entry and findings and drops the raw cells. ``split``: see :func:`_finish_responses`.
    """
    n_items = len(ctx.instrument.items)
    todo = [r for r in results if r.pending is not None or r.pending_munis]
    batches: list[Batch] = []
    try:
        batches.append(_finish_batch(todo, ctx, split=split))
    except Exception:
        for r in todo:
            try:
                batches.append(_finish_batch([r], ctx, single=True))
            except BausteinError as exc:
                _fail_file(r, str(exc))
            except Exception as exc:  # pragma: no cover - a bug; the file is rejected as a whole
                _fail_file(r, reader_failure(Path(r.path), exc))
    for r in results:
        if r.fc is not None and r.pending is None and not r.pending_munis:
            r.findings = r.fc.chunks()
        r.fc = None
        r.pending = None
        r.pending_munis = []
    return Batch.concat(batches, n_items)


def _fail_file(r: FileResult, detail: str, before_sheets: bool = False) -> None:
    if before_sheets:  # failed where the per-file conversion parsed the municipality sheets
        r.meta.update(format=None, sheet=None, header_row=None)
    r.findings = _unreadable(r.file, r.meta, detail).findings


def _finish_batch(todo: list[FileResult], ctx: Context, single: bool = False,
                  split: Callable[[Rows], list[RowsDone]] | None = None) -> Batch:
    """Parse municipality sheets and normalise + validate the answer rows of many files at once.

    Every rule, finding and count is the one of a file converted alone: values are normalised per
    distinct value (context free), and every finding is added to its own file's collector. Nothing
    in ``todo`` changes unless all files succeed.
    """
    n_items = len(ctx.instrument.items)
    if not todo:
        return Batch.empty(n_items)
    fcs = {id(r): r.fc.copy() if r.fc is not None else FindingCollector() for r in todo}
    # ---- municipality sheets
    jobs = [(ms, r.file, fcs[id(r)]) for r in todo for ms in r.pending_munis]
    try:
        muni_table, muni_counts = parse_municipality_sheets(jobs) if jobs else (pd.DataFrame(), [])
    except BausteinError as exc:
        if not single:
            raise
        _fail_file(todo[0], str(exc), before_sheets=True)
        return Batch.empty(n_items)
    except Exception as exc:
        if not single:
            raise
        _fail_file(todo[0], reader_failure(Path(todo[0].path), exc), before_sheets=True)
        return Batch.empty(n_items)
    # ---- answer rows
    pend = [r for r in todo if r.pending is not None]
    if pend:
        respondents, values, reasons, updates = _finish_responses(pend, fcs, ctx, split)
    else:
        batch = Batch.empty(n_items, comment=ctx.keep_free_text)
        respondents, values, reasons, updates = batch.respondents, batch.values, batch.reasons, {}
    # ---- commit
    k = 0
    for r in todo:
        info = r.meta
        for _ in r.pending_munis:
            for key, v in muni_counts[k].items():
                info["municipality_rows"][key] += v
            k += 1
        info.update(updates.get(id(r), {}))
        r.findings = fcs[id(r)].chunks()
    return Batch(respondents, values, reasons, muni_table)


def _column(ps: list[Selection], j: int) -> pa.Array:
    """Target ``j`` of the selections, one text column (null where a file has no such column)."""
    parts = [p.cells[j] if p.cells[j] is not None else pa.nulls(len(p.rows), pa.string()) for p in ps]
    return pa.concat_arrays(parts) if len(parts) > 1 else (parts[0] if parts else pa.array([], pa.string()))


def _text_mask(fz: Factorized) -> np.ndarray:
    """Per distinct value: a filled text (not blank after Python's ``str.strip``)."""
    return np.array([isinstance(u, str) and bool(u.strip()) for u in fz.uniques], dtype=bool)


def _review(pend: list[FileResult], ps: list[Selection], coded: dict[int, Factorized], offs: np.ndarray,
            which: np.ndarray, fcs: dict[int, FindingCollector], ctx: Context) -> None:
    """:func:`.mapping_apply.review_columns` for every file whose columns may need it; refused
    columns are dropped from the selection (their answers count as not shown, without findings)."""
    codes = ctx.instrument.item_codes
    n_items = len(codes)
    mapping = ctx.index.mapping
    rescaled = bool(mapping.rescaled(ctx.instrument)) if mapping is not None else False
    comment_j = n_items + FIELDS.index("comment")
    # per column and file: could the multi-select check refuse it (more unknown than known answers;
    # free text with two or more answers)? Only such columns need their answers as Python objects.
    suspect: dict[int, np.ndarray] = {}
    filled: dict[int, np.ndarray] = {}
    for j, fz in coded.items():
        text = _text_mask(fz)
        cell_text = np.append(text, False)[np.where(fz.codes >= 0, fz.codes, len(text))]
        filled[j] = np.bincount(which[cell_text], minlength=len(ps))
        span = len(fz.uniques) + 1
        pairs = np.unique(which[cell_text].astype(np.int64) * span + fz.codes[cell_text])
        pf, pu = pairs // span, pairs % span
        n_distinct = np.bincount(pf, minlength=len(ps))
        if j < n_items:
            lookup = ctx.lookups[codes[j]]
            known = np.array([lookup.lookup(u)[2] is None for u in fz.uniques], dtype=bool)
            suspect[j] = np.bincount(pf, weights=known[pu], minlength=len(ps)) * 2 < n_distinct
        else:
            suspect[j] = n_distinct >= 2
    any_suspect = np.logical_or.reduce(list(suspect.values())) if suspect else np.zeros(len(ps), dtype=bool)
    for f in range(len(ps)):
        p = ps[f]
        has_comment = p.cells[comment_j] is not None
        if not (any_suspect[f] or rescaled or (has_comment and not ctx.keep_free_text and filled[comment_j][f])):
            continue
        a, b = int(offs[f]), int(offs[f + 1])
        columns = []
        # the columns the review can act on: suspect ones, all when the mapping rescales, the comment
        mapped = [j for j in range(n_items) if p.cells[j] is not None and (rescaled or suspect[j][f])]
        for j in [*sorted(mapped, key=lambda j: _col_number(p.item_where[j][0])),  # type: ignore[index]
                  *([comment_j] if has_comment else [])]:
            distinct: list[str] = []
            if suspect[j][f]:  # else the check passes the column whatever its answers
                distinct = [v for v in pd.unique(coded[j].objects(slice(a, b))) if isinstance(v, str) and v.strip()]
            letter, header = p.item_where[j] if j < n_items else p.where["comment"]  # type: ignore[misc]
            columns.append(MappedColumn(codes[j] if j < n_items else "comment", letter, str(header), distinct,
                                        int(filled[j][f])))
        refused = review_columns(mapping, ctx.instrument, ctx.lookups, columns, (pend[f].file, p.sheet, p.header_row),
                                 fcs[id(pend[f])], ctx.keep_free_text)
        for name in refused:
            j = comment_j if name == "comment" else codes.index(name)
            p.cells[j] = None
            if j < n_items:
                p.item_where[j] = None
                if p.flagged is not None:
                    p.flagged[4].pop(name, None)  # its error cells no longer make an answer invalid
            fz = coded[j]
            fz.codes[a:b] = -1


def _col_number(letters: str) -> tuple[int, str]:
    return len(letters), letters


@dataclass
class Rows:
    """The answer rows of files finished together: row-local work on them can be split by rows
    (:meth:`split`) and done in several processes (:func:`normalise_rows`); picklable."""

    files: list[str]
    sel: list[Selection]  # cells dropped: the columns are in ``coded``
    rows: np.ndarray
    sizes: np.ndarray
    coded: dict[int, Factorized]

    def split(self, parts: int) -> list[Rows]:
        """The rows of one file in ``parts`` ranges (fields re-encoded per range, so that the work
        per distinct value - dates, IDs - is split too)."""
        assert len(self.files) == 1
        n = len(self.rows)
        n_items = len(self.sel[0].item_where)
        bounds = [int(x) for x in np.linspace(0, n, parts + 1)]
        out = []
        for a, b in itertools.pairwise(bounds):
            coded = {j: fz.take(slice(a, b)) if j >= n_items else Factorized(fz.codes[a:b], fz.uniques)
                     for j, fz in self.coded.items()}
            out.append(Rows(self.files, self.sel, self.rows[a:b], np.array([b - a]), coded))
        return out


@dataclass
class RowsDone:
    """What :func:`normalise_rows` found for some rows (row order), and each file's new findings."""

    values: np.ndarray
    reasons: np.ndarray
    reject: np.ndarray
    rid: np.ndarray
    given: np.ndarray
    ags: np.ndarray
    role: np.ndarray
    wave: np.ndarray
    submitted: np.ndarray
    comment: np.ndarray | None
    findings: list[list[Any]]  # per file: finding chunks


def _prepare_rows(pend: list[FileResult], fcs: dict[int, FindingCollector], ctx: Context) -> Rows:
    """Every selected column of ``pend`` dictionary-encoded once; mapped columns reviewed per file."""
    codes = ctx.instrument.item_codes
    n_items = len(codes)
    ps: list[Selection] = [r.pending for r in pend]  # type: ignore[misc]
    sizes = np.array([len(p.rows) for p in ps], dtype=np.int64)
    offs = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    n = int(offs[-1])
    which = np.repeat(np.arange(len(ps)), sizes)
    rows = np.concatenate([p.rows for p in ps]).astype(np.int64) if n else np.empty(0, dtype=np.int64)
    coded: dict[int, Factorized] = {}
    for j in range(n_items + len(FIELDS)):
        if any(p.cells[j] is not None for p in ps):
            coded[j] = factorize(_column(ps, j))
    review = {j: fz for j, fz in coded.items() if j < n_items or j == n_items + FIELDS.index("comment")}
    _review(pend, ps, review, offs, which, fcs, ctx)
    for p in ps:
        p.cells = []  # the raw cells are in ``coded`` now
    return Rows([r.file for r in pend], ps, rows, sizes, coded)


def normalise_rows(rows: Rows, ctx: Context) -> RowsDone:
    """Row-local rules of the answer rows: answer codes and missing reasons, cell flags, rows without
    answers, AGS, wave, role, dates, made-up respondent IDs; every finding to its own file."""
    codes = ctx.instrument.item_codes
    n_items = len(codes)
    ps = rows.sel
    sizes = rows.sizes
    offs = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    n = int(offs[-1])
    which = np.repeat(np.arange(len(ps)), sizes)
    excel_rows = rows.rows
    fcs = [FindingCollector() for _ in ps]
    coded = rows.coded

    def each(mask: np.ndarray):
        """(file number, its slice of the batch, the file's mask) for files where ``mask`` is set."""
        if not len(mask) or not mask.any():
            return
        for f in np.flatnonzero(np.bincount(which[mask], minlength=len(ps))):
            a, b = int(offs[f]), int(offs[f + 1])
            yield int(f), slice(a, b), mask[a:b]

    def col(name: str) -> Factorized:
        j = n_items + FIELDS.index(name)
        return coded[j] if j in coded else Factorized(np.full(n, -1, dtype=np.intp), np.empty(0, dtype=object))

    # ---- items
    values = np.full((n, n_items), np.nan, dtype=np.float32)
    reasons = np.full((n, n_items), _NOT_SHOWN, dtype=np.int8)
    for j, code in enumerate(codes):
        if all(p.item_where[j] is None for p in ps):
            continue
        raw = coded[j]
        lookup = ctx.lookups[code]
        v, rc, prob, r = map_answers_coded(raw, lookup)
        values[:, j] = v
        if rc is None:  # a reason outside REASONS (mapping file): fails as before
            rc = pd.Series(r).map(_REASON_CODE).to_numpy(dtype=np.int8)
        reasons[:, j] = rc
        for problem in ("value_out_of_scale", "value_unknown_label"):
            for f, sl, m in each(prob == problem):
                letter, header = ps[f].item_where[j]  # type: ignore[misc]
                vals = raw.objects(sl)[m]
                found = [(problem, np.ones(len(vals), dtype=bool), lookup.describe())]
                if problem == "value_unknown_label":  # "Meinten Sie 'stimme eher zu'?"
                    found = list(label_findings(lookup, vals))
                for code_, part, detail in found:
                    fcs[f].add(code_, file=rows.files[f], sheet=ps[f].sheet, rows=excel_rows[sl][m][part],
                               column=letter, header=header, value=vals[part],
                               detail=detail if isinstance(detail, str) else detail[part])
    for f, p in enumerate(ps):
        if p.flagged is not None:
            a, b = int(offs[f]), int(offs[f + 1])
            _apply_cell_flags(p.flagged, p.header_row, excel_rows[a:b], codes, values[a:b], reasons[a:b],
                              rows.files[f], fcs[f])
    reject = np.zeros(n, dtype=bool)
    no_answer = (reasons == _NOT_SHOWN).all(axis=1) if n_items else np.ones(n, dtype=bool)
    for f, sl, m in each(no_answer):
        fcs[f].add("no_answers", file=rows.files[f], sheet=ps[f].sheet, rows=excel_rows[sl][m])
    reject |= no_answer
    no_valid = ~no_answer & ~(reasons == 0).any(axis=1) if n_items else np.zeros(n, dtype=bool)
    for f, sl, m in each(no_valid):
        fcs[f].add("no_valid_answers", file=rows.files[f], sheet=ps[f].sheet, rows=excel_rows[sl][m])

    # ---- AGS
    ags_raw = col("ags")
    if "ags" in ctx.defaults:
        ags_raw = _fill_blank(ags_raw, ctx.defaults["ags"])
    ags, status = normalize_ags(ags_raw)
    for code, st in (("ags_missing", "missing"), ("ags_invalid", "invalid")):
        mask = status == st
        for f, sl, m in each(mask):
            letter, header = ps[f].where["ags"]
            fcs[f].add(code, file=rows.files[f], sheet=ps[f].sheet, rows=excel_rows[sl][m], column=letter,
                       header=header, value=ags_raw.objects(sl)[m])
        reject |= mask
    for f, sl, m in each(status == "normalised"):  # another script's digits: the same municipality
        letter, header = ps[f].where["ags"]
        fcs[f].add("ags_normalised", file=rows.files[f], sheet=ps[f].sheet, rows=excel_rows[sl][m], column=letter,
                   header=header, value=ags_raw.objects(sl)[m], detail=ags.to_numpy()[sl][m])
    if ctx.known_ags is not None:
        unknown_ags = ags.notna().to_numpy() & ~ags.isin(ctx.known_ags).to_numpy()
        ags_arr = ags.to_numpy()
        for f, sl, m in each(unknown_ags):
            letter, header = ps[f].where["ags"]
            fcs[f].add("ags_unknown", file=rows.files[f], sheet=ps[f].sheet, rows=excel_rows[sl][m], column=letter,
                       header=header, value=ags_arr[sl][m])
        reject |= unknown_ags

    # ---- wave
    wave = strip_numeric_text(col("wave"))
    if "wave" in ctx.defaults:
        wave = wave.where(wave.notna(), ctx.defaults["wave"])
    no_wave = wave.isna().to_numpy()
    for f, sl, m in each(no_wave):
        letter, header = ps[f].where["wave"]
        fcs[f].add("wave_missing", file=rows.files[f], sheet=ps[f].sheet, rows=excel_rows[sl][m], column=letter,
                   header=header)
    reject |= no_wave
    wave_raw_arr = wave.to_numpy()
    wave, wave_status = normalize_wave(wave)
    for f, sl, m in each(wave_status == "invalid"):
        letter, header = ps[f].where["wave"]
        fcs[f].add("wave_invalid", file=rows.files[f], sheet=ps[f].sheet, rows=excel_rows[sl][m], column=letter,
                   header=header, value=wave_raw_arr[sl][m], detail=WAVE_EXAMPLES)
    reject |= wave_status == "invalid"

    # ---- role
    role_raw = strip_numeric_text(col("role"))
    if "role" in ctx.defaults:
        role_raw = role_raw.where(role_raw.notna(), ctx.defaults["role"])
    role_raw_arr = role_raw.to_numpy()
    bad_role = np.zeros(n, dtype=bool)
    role_obj = role_raw_arr
    if ctx.roles:
        fz = factorize(role_raw_arr)
        u_role = np.array([ctx.roles.get(norm_key(u)) for u in fz.uniques] + [None], dtype=object)
        role_obj = u_role[np.where(fz.codes >= 0, fz.codes, len(fz.uniques))]
        bad_role = (fz.codes >= 0) & pd.isna(role_obj)
    for f, sl, m in each(bad_role):
        letter, header = ps[f].where["role"]
        fcs[f].add("role_unknown", file=rows.files[f], sheet=ps[f].sheet, rows=excel_rows[sl][m], column=letter,
                   header=header, value=role_raw_arr[sl][m], detail=", ".join(sorted(set(ctx.roles.values()))))

    # ---- date
    raw_dates = col("submitted_at")
    d1904 = np.repeat([p.date1904 for p in ps], sizes)
    submitted, bad_date = parse_dates(raw_dates, False)
    if d1904.any():
        s4, b4 = parse_dates(raw_dates, True)
        submitted = submitted.where(~d1904, s4)
        bad_date = np.where(d1904, b4, bad_date)
    for f, sl, m in each(bad_date):
        letter, header = ps[f].where["submitted_at"]
        fcs[f].add("date_invalid", file=rows.files[f], sheet=ps[f].sheet, rows=excel_rows[sl][m], column=letter,
                   header=header, value=raw_dates.objects(sl)[m])

    # ---- respondent ID (made up from the file's content and the row when none is given)
    given_raw = strip_numeric_text(col("respondent_id"))
    given = given_raw.notna().to_numpy()
    rid = given_raw.to_numpy(dtype=object).copy()
    for f, sl, m in each(~given):
        p = ps[f]
        rid[sl][m] = np.array(
            ["p" + hashlib.sha256(f"{p.sha256}:{p.sheet}:{r}".encode()).hexdigest()[:16] for r in excel_rows[sl][m]],
            dtype=object,
        )
    return RowsDone(values, reasons, reject, rid, given, ags.to_numpy(dtype=object), role_obj,
                    wave.to_numpy(dtype=object), submitted.to_numpy(),
                    col("comment").objects() if ctx.keep_free_text else None, [fc.chunks() for fc in fcs])


def _finish_responses(
    pend: list[FileResult], fcs: dict[int, FindingCollector], ctx: Context,
    split: Callable[[Rows], list[RowsDone]] | None = None,
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, dict[int, dict[str, Any]]]:
    """Normalise and validate the selected answer rows of ``pend`` over their concatenation.

    ``split``: does :func:`normalise_rows` for the rows (of one file) in parts, e.g. in several
    processes; the parts are in row order. The rules over a whole file (repeated respondent IDs,
    ``--strict``) run here, on all its rows.
    """
    rows = _prepare_rows(pend, fcs, ctx)
    parts = split(rows) if split is not None else [normalise_rows(rows, ctx)]
    done = parts[0] if len(parts) == 1 else RowsDone(
        *(np.concatenate([getattr(d, name) for d in parts])
          for name in ("values", "reasons", "reject", "rid", "given", "ags", "role", "wave", "submitted")),
        comment=np.concatenate([d.comment for d in parts]) if parts[0].comment is not None else None,
        findings=[[c for d in parts for c in d.findings[f]] for f in range(len(pend))],
    )
    for f, r in enumerate(pend):
        fcs[id(r)].extend(done.findings[f])
    ps = rows.sel
    sizes = rows.sizes
    offs = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    excel_rows = rows.rows
    which = np.repeat(np.arange(len(ps)), sizes)
    reject, rid, given = done.reject, done.rid, done.given

    # ---- repeated respondent IDs (over each file's rows)
    if given.any():
        dup_any = pd.DataFrame({"f": which, "r": rid}).duplicated(keep="first").to_numpy() & given
        for f in np.flatnonzero(np.bincount(which[dup_any], minlength=len(ps))) if dup_any.any() else []:
            sl = slice(int(offs[f]), int(offs[f + 1]))
            s = pd.Series(rid[sl])
            dup = s.duplicated(keep="first").to_numpy() & given[sl]
            first_row = pd.Series(excel_rows[sl]).groupby(s.to_numpy()).transform("first").to_numpy()
            letter, header = ps[f].where["respondent_id"]
            fcs[id(pend[f])].add("duplicate_id", file=pend[f].file, sheet=ps[f].sheet, rows=excel_rows[sl][dup],
                                 column=letter, header=header, value=rid[sl][dup], detail=first_row[dup])
            reject[sl] |= dup

    # ---- per file: strict policy, counts; then the accepted rows of all files at once
    updates: dict[int, dict[str, Any]] = {}
    for f, r in enumerate(pend):
        a, b = int(offs[f]), int(offs[f + 1])
        rej = reject[a:b]
        upd: dict[str, Any] = {}
        if ctx.strict and (fcs[id(r)].raw()["severity"] == "error").any():
            extra = ~rej
            if extra.any():
                fcs[id(r)].add("file_strict", file=r.file, sheet=ps[f].sheet, rows=excel_rows[a:b][extra])
            rej[:] = True
            upd["status"] = "rejected_strict"
        upd["rows_accepted"] = int(b - a - rej.sum())
        upd["rows_rejected"] = int(rej.sum()) + int(r.meta.get("rows_other_sheets", 0))
        updates[id(r)] = upd
    keep = ~reject

    def per_file(values_of_file: list[object]) -> np.ndarray:
        return np.repeat(np.array(values_of_file, dtype=object), sizes)[keep]

    n = len(keep)
    resp = pd.DataFrame(
        {
            "respondent_id": rid[keep],
            "ags": done.ags[keep],
            "role": done.role[keep] if n else np.array([], dtype=object),
            "wave": done.wave[keep],
            "submitted_at": done.submitted[keep],
            "source_file": per_file([r.file for r in pend]),
            "source_sheet": per_file([p.sheet for p in ps]),
            "source_row": excel_rows[keep],
        }
    )
    if done.comment is not None:
        resp["comment"] = done.comment[keep]
    resp["_id_given"] = given[keep]
    resp["_id_column"] = per_file([p.where["respondent_id"][0] for p in ps])
    resp["_id_header"] = per_file([p.where["respondent_id"][1] for p in ps])
    return resp, done.values[keep], done.reasons[keep], updates


def _fill_blank(fz: Factorized, default: str) -> Factorized:
    """``fz`` with empty and blank cells (Arrow's whitespace) set to ``default``."""
    blank = np.append(
        pc.equal(pc.utf8_trim_whitespace(pa.array(fz.uniques.tolist(), type=pa.string())), "")
        .to_numpy(zero_copy_only=False).astype(bool) if len(fz.uniques) else np.empty(0, dtype=bool),
        True,
    )
    uniques = np.append(fz.uniques, default)
    default_code = len(fz.uniques)
    codes = np.where(blank[np.where(fz.codes >= 0, fz.codes, default_code)], default_code, fz.codes)
    return Factorized(codes.astype(np.intp), uniques)


def _apply_cell_flags(
    flagged: tuple[Any, ...],
    header_row: int,
    rows: np.ndarray,
    codes: Sequence[str],
    values: np.ndarray,
    reasons: np.ndarray,
    file: str,
    fc: FindingCollector,
) -> None:
    """Error cells (``#DIV/0!``) and formulas without a cached value in the data rows of the answer
    sheet: item cells become ``invalid`` (not "not shown"), every such cell gets a located finding.

    ``flagged``: (sheet name, the sheet's flags, its column indexes, headers, item columns)."""
    sheet, flags, col_index, headers, item_cols = flagged
    row_pos = {int(r): i for i, r in enumerate(rows)}
    col_pos = {int(c): p for p, c in enumerate(col_index)}
    item_of = {pos: codes.index(code) for code, pos in item_cols.items()}
    found: dict[tuple[str, bool], list[tuple[int, str, str, str]]] = {}
    for excel_row, col0, kind, text in flags:
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
        fc.add(code, file=file, sheet=sheet, rows=[r for r, _, _, _ in items],
               column=[c for _, c, _, _ in items], header=[h for _, _, h, _ in items],
               value=[t for _, _, _, t in items], **kw)
