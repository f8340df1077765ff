"""The same responses delivered twice in different files: counted once.

A byte-identical copy is caught by its SHA-256 before reading (``file_duplicate``). A workbook
opened and saved again, exported a second time or converted to CSV has other bytes but the same
rows. :func:`drop_content_duplicates` finds accepted rows whose whole content -- AGS, role, wave,
date, the respondent ID when one was delivered, every answer and missing reason -- equals a row of
another file read earlier (files in name order), keeps the first and rejects the copy with the
located finding ``content_duplicate`` naming the other file and row.

A row counts as a copy when it can be told apart from a different person giving the same answers:
it carries a delivered respondent ID or a date, or *every* accepted row of its file equals a row of
one and the same other file (a re-saved copy). Two respondents without ID and date who ticked the
same boxes in different files (straight-liners) stay two respondents.

Rows are compared by a 64-bit hash of their content, mixed column by column for all rows at once
(text columns by their :func:`pandas.factorize` codes, answers by their bits).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .findings import FindingCollector

__all__ = ["content_duplicates", "drop_content_duplicates"]

_KEY_FIELDS = ("ags", "role", "wave", "submitted_at", "comment")


def content_duplicates(respondents: pd.DataFrame, values: np.ndarray, reasons: np.ndarray) -> np.ndarray:
    """For each row, the position of the earlier row in *another* file it copies, or -1.

    Parameters
    ----------
    respondents : DataFrame
        Accepted rows with ``source_file`` and the respondent fields; ``_id_given`` marks rows
        whose ``respondent_id`` was delivered (not made up by the importer).
    values, reasons : ndarray, shape (rows, items)
        Answer codes (NaN when missing) and missing-reason codes, row-aligned with ``respondents``.
    """
    n = len(respondents)
    if n == 0:
        return np.empty(0, dtype=np.int64)
    given = respondents["_id_given"].to_numpy(dtype=bool) if "_id_given" in respondents else np.zeros(n, bool)
    # text columns by their factorize codes (equal texts, equal codes; NA -1): a hash table pass
    parts = [
        pd.factorize(respondents[c].to_numpy(dtype=object))[0]
        for c in _KEY_FIELDS if c in respondents and c != "submitted_at"
    ]
    parts.append(pd.factorize(np.where(given, respondents["respondent_id"].astype(object).to_numpy(), None))[0])
    if "submitted_at" in respondents:
        parts.append(pd.to_datetime(respondents["submitted_at"]).to_numpy("datetime64[us]").view(np.int64))
    parts += [np.ascontiguousarray(values[:, j], dtype=np.float32).view(np.uint32) for j in range(values.shape[1])]
    parts += [reasons[:, j] for j in range(reasons.shape[1])]
    key = np.full(n, 0xCBF29CE484222325, dtype=np.uint64)  # FNV-style mixing, column by column
    for part in parts:
        key ^= np.asarray(part).astype(np.uint64)
        key *= np.uint64(0x100000001B3)
    codes, _ = pd.factorize(key)
    _, first_pos = np.unique(codes, return_index=True)
    first = first_pos[codes]
    files = respondents["source_file"].astype(object).to_numpy()
    candidate = (first != np.arange(n)) & (files[first] != files)
    if not candidate.any():
        return np.full(n, -1, dtype=np.int64)
    dated = respondents["submitted_at"].notna().to_numpy() if "submitted_at" in respondents else np.zeros(n, bool)
    sure = candidate & (given | dated)
    # a file whose every row copies rows of one single other file is a re-saved copy as a whole
    frame = pd.DataFrame({"file": files, "cand": candidate, "other": np.where(candidate, files[first], None)})
    per_file = frame.groupby("file", sort=False).agg(all_cand=("cand", "all"), others=("other", "nunique"))
    whole = per_file.index[per_file["all_cand"] & (per_file["others"] == 1)]
    sure |= candidate & np.isin(files, whole.to_numpy())
    return np.where(sure, first, -1).astype(np.int64)


def drop_content_duplicates(
    respondents: pd.DataFrame,
    values: np.ndarray,
    reasons: np.ndarray,
    findings: FindingCollector,
    metas: Mapping[str, dict[str, Any]],
) -> np.ndarray:
    """Mask of rows to keep; each copy gets a ``content_duplicate`` finding and is moved from
    ``rows_accepted`` to ``rows_rejected`` in its file's manifest entry (``metas[file]``)."""
    dup_of = content_duplicates(respondents, values, reasons)
    copies = np.flatnonzero(dup_of >= 0)
    if not len(copies):
        return np.ones(len(respondents), dtype=bool)
    files = respondents["source_file"].astype(object).to_numpy()
    sheets = respondents["source_sheet"].astype(object).fillna("").to_numpy()
    src_rows = respondents["source_row"].to_numpy(dtype=np.int64)
    table = pd.DataFrame({"i": copies, "file": files[copies], "sheet": sheets[copies], "other": files[dup_of[copies]]})
    for (file, sheet, other), grp in table.groupby(["file", "sheet", "other"], sort=True):
        idx = grp["i"].to_numpy()
        findings.add("content_duplicate", file=str(file), sheet=str(sheet), rows=src_rows[idx],
                     value=src_rows[dup_of[idx]], detail=str(other))
    for file, count in table["file"].value_counts().items():
        meta = metas[str(file)]
        meta["rows_accepted"] -= int(count)
        meta["rows_rejected"] += int(count)
    keep = np.ones(len(respondents), dtype=bool)
    keep[copies] = False
    return keep
