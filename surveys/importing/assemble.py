"""The cross-file stage: the files' results become one dataset, one rejection report, one manifest.

:func:`assemble` merges the municipality tables, drops rows delivered twice in different files,
makes respondent IDs unique across files, checks wave labels across files (:mod:`.validate`,
:mod:`.duplicates`, :mod:`.wave_labels`), builds the tidy tables (respondents, long responses,
municipalities) and the manifest, and returns the :class:`ImportResult`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from surveys.dataset import Dataset
from surveys.instrument import Instrument

from .convert import REASONS, Batch, FileResult
from .duplicates import drop_content_duplicates
from .findings import FindingCollector
from .inputs import display
from .municipalities import complete_municipalities
from .validate import merge_municipalities, resolve_cross_file_ids
from .wave_labels import check_wave_labels

__all__ = ["ImportResult", "ImportedDataset", "PendingIds", "assemble", "repeat_text", "tidy_tables"]


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




def assemble(
    results: list[FileResult],
    batch: Batch,
    fc: FindingCollector,
    external: pd.DataFrame | None,
    skipped: list[tuple[Path, str, str]],
    inst: Instrument,
    options: dict[str, Any],
    started: float,
    n_jobs: int,
) -> ImportResult:
    """One dataset, rejection report and manifest from the files' results and their rows.

    ``results`` are sorted by file name here, and the rows of ``batch`` (in any order of files,
    each file's rows in sheet order) into the same order: "first" across files means first by
    name. ``fc`` holds the findings of the import as a whole (skipped inputs, the municipality
    master file); ``external`` is the municipality master table (``--municipalities``) or None;
    ``options`` are recorded in the manifest.
    """
    # ---- cross-file stage
    results.sort(key=lambda r: r.file)
    rank = {r.file: k for k, r in enumerate(results)}
    for r in results:
        fc.extend(r.findings)
    munis = _by_file(batch.municipalities, rank)
    merged = merge_municipalities(([external] if external is not None else []) + [munis], fc)
    respondents, values, reasons = batch.respondents, batch.values, batch.reasons
    if len(respondents):
        order = _file_order(respondents["source_file"], rank)
        if order is not None:
            respondents = respondents.iloc[order].reset_index(drop=True)
            values, reasons = values[order], reasons[order]
    if len(respondents):
        keep = drop_content_duplicates(respondents, values, reasons, fc, {r.file: r.meta for r in results})
        if not keep.all():
            respondents, values, reasons = respondents[keep].reset_index(drop=True), values[keep], reasons[keep]
        respondents["respondent_id"] = resolve_cross_file_ids(respondents, fc)
        check_wave_labels(respondents, fc)

    respondents, responses, pending = _tidy_parts(respondents, values, reasons, inst)
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
        "responses": len(responses),  # = respondents x items, the respondent_id column built or not
        "municipalities": len(muni_final),
        "findings": {k: int(v) for k, v in rejections["severity"].value_counts().sort_index().items()},
    }
    from surveys import __version__

    manifest: dict[str, Any] = {
        "tool": {"name": "baustein-eval", "version": __version__},
        "instrument": {"name": inst.name, "version": inst.version},
        "inputs": inputs,
        "skipped_inputs": [{"path": display(path), "code": code} for path, code, _ in skipped],
        "totals": totals,
        "options": options,
        "run": {
            "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "seconds": round(time.time() - started, 3),
            "jobs": n_jobs,
        },
    }
    dataset = ImportedDataset(respondents, responses, muni_final, inst, manifest, pending)
    return ImportResult(dataset=dataset, rejections=rejections, manifest=manifest)


def _in_source_order(respondents: pd.DataFrame) -> bool:
    """Whether the rows are sorted by (source_file, source_sheet, source_row) already (with no ties),
    so that the stable sort would keep them as they are."""
    n = len(respondents)
    if n < 2:
        return True
    files = respondents["source_file"].to_numpy(dtype=object)
    sheets = respondents["source_sheet"].to_numpy(dtype=object)
    rows = respondents["source_row"].to_numpy()
    try:
        same_file = files[1:] == files[:-1]
        if not (same_file | (files[1:] > files[:-1])).all():
            return False
        same = same_file & (sheets[1:] == sheets[:-1])
    except TypeError:  # not all text: let the sort decide
        return False
    return bool((same_file <= same).all() and (~same | (rows[1:] > rows[:-1])).all())


def _file_order(files: pd.Series, rank: dict[str, int]) -> np.ndarray | None:
    """Positions that put rows in file order (stable: each file's rows keep their order); None if they are."""
    codes, uniques = pd.factorize(files.to_numpy(dtype=object))  # few files: one look-up each
    r = np.array([rank[u] for u in uniques], dtype=np.int64)[codes]
    if len(r) < 2 or bool((r[1:] >= r[:-1]).all()):
        return None
    return np.argsort(r, kind="stable")


def _by_file(table: pd.DataFrame, rank: dict[str, int]) -> pd.DataFrame:
    if not len(table):
        return table
    order = _file_order(table["source_file"], rank)
    return table if order is None else table.iloc[order].reset_index(drop=True)


def tidy_tables(
    respondents: pd.DataFrame, values: np.ndarray, reasons: np.ndarray, inst: Instrument
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sorted respondents table and long responses table (deterministic order and dtypes)."""
    out, responses, pending = _tidy_parts(respondents, values, reasons, inst)
    return out, responses if pending is None else pending.build(responses)


@dataclass(frozen=True)
class PendingIds:
    """The respondent_id column of a long responses table, not built yet: each of ``ids`` (text)
    repeated ``k`` times, in order (one row per respondent and item)."""

    ids: np.ndarray
    k: int

    def build(self, rest: pd.DataFrame) -> pd.DataFrame:
        """``rest`` (item, value, missing_reason) with the respondent_id column in front."""
        frame = rest.copy(deep=False)
        frame.insert(0, "respondent_id", repeat_text(self.ids, self.k))
        return frame


class ImportedDataset(Dataset):
    """The importer's :class:`~surveys.dataset.Dataset`: the same tables, but the respondent_id
    column of the long responses table (one text per response: millions) is built on first use.

    :func:`.writing.pseudonymize_result` replaces the IDs before that, so the column is built
    once, with the pseudonyms, instead of once with the delivered IDs and once more.
    """

    def __init__(self, respondents: pd.DataFrame, responses: pd.DataFrame, municipalities: pd.DataFrame,
                 instrument: Instrument, manifest: dict[str, Any], pending: PendingIds | None = None) -> None:
        super().__init__(respondents=respondents, responses=responses, municipalities=municipalities,
                         instrument=instrument, manifest=manifest)
        self._pending = pending  # after the dataclass __init__: its assignment of responses clears it

    @property  # type: ignore[override]
    def responses(self) -> pd.DataFrame:
        """The long responses table (its respondent_id column built now if it is still pending)."""
        if self._pending is not None:
            self._responses = self._pending.build(self._responses)
            self._pending = None
        return self._responses

    @responses.setter
    def responses(self, frame: pd.DataFrame) -> None:
        self._responses = frame
        self._pending = None

    def pending_ids(self) -> PendingIds | None:
        """The respondent_id column of the responses when it is not built yet, else None."""
        return self._pending

    def responses_without_ids(self) -> pd.DataFrame:
        """The responses table without its pending respondent_id column (only while it is pending)."""
        assert self._pending is not None
        return self._responses


def _tidy_parts(
    respondents: pd.DataFrame, values: np.ndarray, reasons: np.ndarray, inst: Instrument
) -> tuple[pd.DataFrame, pd.DataFrame, PendingIds | None]:
    """:func:`tidy_tables` with the long respondent_id column left to build: the respondents, the
    responses (without that column when the third value is not None) and the column pending."""
    if not _in_source_order(respondents):
        order = respondents.sort_values(["source_file", "source_sheet", "source_row"], kind="stable").index.to_numpy()
        respondents = respondents.loc[order].reset_index(drop=True)
        values = values[order] if len(order) else values
        reasons = reasons[order] if len(order) else reasons
    else:
        respondents = respondents.reset_index(drop=True)
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
    flat_vals = values.reshape(-1)
    reason_or_none = np.array([None if r == "" else r for r in REASONS], dtype=object)
    if n * k == 0:
        responses = pd.DataFrame(
            {
                "respondent_id": np.repeat(out["respondent_id"].to_numpy(dtype=object), k),
                "item": np.tile(np.asarray(codes, dtype=object), n),
                "value": _int16_codes(flat_vals.astype(float)) if n else pd.array([], dtype="Int16"),
                "missing_reason": reason_or_none[reasons.reshape(-1)] if n else np.array([], dtype=object),
            }
        )
        return out, responses, None
    # built in Arrow: each respondent ID and item code once, the long columns by index (take);
    # the same text columns pandas makes of the object arrays (str, NaN for None), without a
    # Python object per response. The respondent_id column is left to build (PendingIds).
    flat_reasons = reasons.reshape(-1)
    rest = pd.DataFrame(
        {
            "item": tile_text(list(codes), n),
            "value": _int16_codes(flat_vals),
            "missing_reason": _text(pa.array(reason_or_none.tolist(), type=pa.large_string()).take(flat_reasons))
            if (flat_reasons != 0).any() else reason_or_none[flat_reasons],
        }
    )
    return out, rest, PendingIds(out["respondent_id"].to_numpy(dtype=object).copy(), k)


def _text(arr: pa.Array) -> pd.arrays.ArrowStringArray:
    """An Arrow text column as pandas' text dtype (``str``: NaN for missing), without a copy."""
    return pd.arrays.ArrowStringArray(pa.chunked_array([arr]), dtype=pd.StringDtype("pyarrow", na_value=np.nan))


def repeat_text(texts: np.ndarray, k: int) -> pd.arrays.ArrowStringArray:
    """``np.repeat(texts, k)`` (texts: an object array of str) as pandas' text dtype, built in Arrow.

    Texts of one byte length (respondent IDs, pseudonyms) are repeated as bytes with NumPy;
    others through Arrow's ``take``.
    """
    encoded = [t.encode("utf-8") for t in texts.tolist()]
    n = len(encoded)
    width = len(encoded[0]) if n else 0
    if n and all(len(b) == width for b in encoded):
        data = np.repeat(np.frombuffer(b"".join(encoded), dtype=np.uint8).reshape(n, width), k, axis=0)
        return _fixed_width_text(data.reshape(-1), width, n * k)
    return _text(pa.array(texts.tolist(), type=pa.large_string()).take(np.repeat(np.arange(n), k)))


def tile_text(texts: list[str], n: int) -> pd.arrays.ArrowStringArray:
    """``np.tile(texts, n)`` as pandas' text dtype, built from bytes with NumPy."""
    encoded = [t.encode("utf-8") for t in texts]
    lengths = np.array([len(b) for b in encoded], dtype=np.int64)
    block = int(lengths.sum())
    data = np.tile(np.frombuffer(b"".join(encoded), dtype=np.uint8), n)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    offsets = np.empty(n * len(texts) + 1, dtype=np.int64)  # one allocation: the long arrays are big
    cells = offsets[:-1].reshape(n, len(texts))
    np.multiply(np.arange(n, dtype=np.int64)[:, None], block, out=cells)
    cells += starts[None, :]
    offsets[-1] = n * block
    arr = pa.LargeStringArray.from_buffers(len(offsets) - 1, pa.py_buffer(offsets), pa.py_buffer(data))
    return _text(arr)


def _fixed_width_text(data: np.ndarray, width: int, n: int) -> pd.arrays.ArrowStringArray:
    offsets = np.arange(n + 1, dtype=np.int64)
    offsets *= width
    return _text(pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data)))


def _int16_codes(flat: np.ndarray) -> Any:
    """``pd.array(flat, dtype="Int16")`` (NaN -> NA) built directly from the mask when every value
    is a whole number in range (answer codes always are), else through pandas' checked cast."""
    mask = np.isnan(flat)
    filled = np.where(mask, 0, flat)  # float32 answer codes are compared without a float64 copy
    as16 = filled.astype(np.int16)
    if np.array_equal(as16, filled):
        return pd.arrays.IntegerArray(as16, mask)
    return pd.array(np.where(mask, np.nan, flat.astype(float)), dtype="Int16")


