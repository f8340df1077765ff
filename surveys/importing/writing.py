"""Writing an import: pseudonymised respondent IDs, the dataset (Parquet + manifest) and the rejection
report (``rejections.csv``, ``rejections.xlsx``), all atomically (:mod:`core.atomic`).
"""

from __future__ import annotations

import hashlib
import io
import json
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from core.atomic import atomic_output_dir
from core.errors import BausteinError
from core.spreadsheet_escape import neutralize_frame
from surveys.pseudonyms import load_or_create_key
from surveys.pseudonyms import pseudonymize as pseudonymize_ids

from .assemble import ImportedDataset, ImportResult, PendingIds, repeat_text
from .findings import readable_rejections

__all__ = ["pseudonymize_result", "write_import", "write_report"]


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
    pending = ds.pending_ids() if isinstance(ds, ImportedDataset) else None
    if pending is not None and len(pending.ids) == len(ids) and np.array_equal(pending.ids, ids.to_numpy()) \
            and all(isinstance(p, str) for p in pseudo.tolist()):
        # the long respondent_id column is not built yet: built once, with the pseudonyms
        rest = ds.responses_without_ids()
        responses, later = rest, PendingIds(pseudo, pending.k)
    else:
        responses, later = ds.responses.copy(), None
    if later is None and len(responses):
        repeated = _repeated_ids(responses["respondent_id"], ids)
        if repeated is not None:  # the importer's layout: k responses per respondent, in order
            responses["respondent_id"] = (repeat_text(pseudo, repeated) if _is_text(responses["respondent_id"])
                                          else np.repeat(pseudo, repeated))
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
    dataset = ImportedDataset(respondents, responses, ds.municipalities, ds.instrument, manifest, later)
    return ImportResult(dataset=dataset, rejections=result.rejections, manifest=manifest)


def _repeated_ids(resp_ids: pd.Series, ids: pd.Series) -> int | None:
    """``k`` when ``resp_ids`` is ``ids`` (unique) with each repeated ``k`` times in order, as
    :func:`.assemble.tidy_tables` builds it; else None. Saves hashing millions of response IDs."""
    n = len(ids)
    if n == 0 or len(resp_ids) % n or not pd.Index(ids).is_unique:
        return None
    k = len(resp_ids) // n
    ia = ids.to_numpy(dtype=object)
    if ia.dtype != object:
        return None
    if _is_text(resp_ids) and all(isinstance(v, str) for v in ia):  # compared as bytes
        chunked = pa.chunked_array(resp_ids.array._pa_array)
        got = chunked.chunk(0) if chunked.num_chunks == 1 else chunked.combine_chunks()
        return k if _repeats_of(got, ia, k) else None
    ra = resp_ids.to_numpy(dtype=object).reshape(n, k)
    if not bool((ra == ia[:, None]).all()):
        return None
    return k


def _repeats_of(got: pa.Array, ids: np.ndarray, k: int, block: int = 1 << 14) -> bool:
    """Whether the text array ``got`` is ``ids`` (str) with each repeated ``k`` times, in order.

    Compared as bytes, ``block`` IDs at a time (no full-size temporary arrays)."""
    got = got.cast(pa.large_string())
    if got.null_count or len(got) != len(ids) * k:
        return False
    encoded = [t.encode("utf-8") for t in ids.tolist()]
    lengths = np.array([len(b) for b in encoded], dtype=np.int64)
    want_off = np.concatenate([[0], np.cumsum(lengths)])
    want = np.frombuffer(b"".join(encoded), dtype=np.uint8)
    _, off_buf, data_buf = got.buffers()
    offsets = np.frombuffer(off_buf, dtype=np.int64)[got.offset : got.offset + len(got) + 1]
    data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.empty(0, np.uint8)
    for a in range(0, len(ids), block):
        b = min(a + block, len(ids))
        lens = lengths[a:b]
        if not np.array_equal(np.diff(offsets[a * k : b * k + 1]), np.repeat(lens, k)):
            return False
        part = data[offsets[a * k] : offsets[b * k]]
        mine = want[want_off[a] : want_off[b]]
        if (lens == lens[0]).all():  # one width: block by block, no copies
            width = int(lens[0])
            if not (part.reshape(b - a, k, width) == mine.reshape(b - a, 1, width)).all():
                return False
        elif not np.array_equal(part, np.concatenate([np.tile(mine[want_off[i] - want_off[a]:want_off[i + 1] - want_off[a]], k)
                                                       for i in range(a, b)])):
            return False
    return True


def _is_text(col: pd.Series) -> bool:
    return isinstance(col.array, pd.arrays.ArrowStringArray)


# ---------------------------------------------------------------- writing
def _rejections_csv(rej: pd.DataFrame) -> bytes:
    buf = io.StringIO()
    neutralize_frame(rej).to_csv(buf, index=False, sep=";")
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


_XLSX_MAX_ROWS = 1_048_575


def _rejections_xlsx(rej: pd.DataFrame, lang: str = "de") -> bytes:
    import xlsxwriter

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
    rej = result.rejections  # the reports are made while the Parquet files are written
    extra = {"rejections.csv": lambda: _rejections_csv(rej), "rejections.xlsx": lambda: _rejections_xlsx(rej)}
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

