"""Applying a mapping inside the import: column checks, per-file defaults, label suggestions.

The pipeline calls these functions once per file (columns, defaults) or once per distinct value
(label suggestions); none of them loops over cells.

* :func:`review_columns` -- multi-select answers ("A, B, C") in a column mapped to an item or to
  ``comment`` are refused with one finding for the column (``multi_select_refused``) instead of an
  error per cell or a silent loss; a column whose answer group has another number of points than
  the item's scale gets a ``scale_rescaled`` note naming the POMP table; free text dropped by
  default gets a ``free_text_dropped`` note.
* :func:`fill_file_defaults` -- the constant AGS, wave and role of a file (sheet *Vorgaben*, YAML
  ``files:``) fill the empty cells of that file.
* :func:`label_findings` -- an unknown answer close to a label of the scale becomes
  ``value_close_label`` ("Meinten Sie 'stimme eher zu'?").
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from surveys.instrument import Instrument

from .findings import FindingCollector
from .label_sets import missing_reason
from .mapping import DEFAULT_FIELDS, Mapping
from .normalize import AnswerLookup
from .text_match import closest

__all__ = ["MappedColumn", "fill_file_defaults", "label_findings", "multi_select_options", "review_columns"]


def multi_select_options(values: Sequence[object]) -> list[str]:
    """Options of a column of multi-select answers, or [] when the column is none.

    A column is multi-select when some answers are combinations of two or more parts joined by
    ", " (or ";") and the parts recur: each also occurs alone or in another combination. Labels
    that contain a comma themselves ("Nein, überhaupt nicht") do not recur and are not split.

    >>> multi_select_options(["Sport", "Musik, Sport", "Kunst, Musik", "Kunst"])
    ['Kunst', 'Musik', 'Sport']
    >>> multi_select_options(["Nein, überhaupt nicht", "Ja, sehr oft"])
    []
    """
    texts = [str(v).strip() for v in values if v is not None and str(v).strip()]
    texts = [t for t in dict.fromkeys(texts) if missing_reason(t) is None]
    if len(texts) < 2:
        return []
    for sep in (", ", ";", ","):
        parts = {t: [p.strip() for p in t.split(sep) if p.strip()] for t in texts}
        combos = [t for t, ps in parts.items() if len(ps) >= 2]
        if not combos:
            continue
        counts: dict[str, int] = {}
        for ps in parts.values():
            for p in set(ps):
                counts[p] = counts.get(p, 0) + 1
        singles = {t for t, ps in parts.items() if len(ps) == 1}
        recurring = [t for t in combos if all(counts[p] >= 2 or p in singles for p in parts[t])]
        if recurring and len(recurring) * 2 >= len(combos) and len(counts) >= 2:
            return sorted(counts)
    # KoboToolbox XML export: choice names separated by spaces ("opt_a opt_b")
    if all(re.fullmatch(r"[\w\-.]+(?: [\w\-.]+)*", t) for t in texts):
        toks = [t.split() for t in texts]
        if any(len(t) >= 2 for t in toks) and all(re.search(r"[_\d]", x) for t in toks for x in t):
            return sorted({x for t in toks for x in t})
    return []


@dataclass(frozen=True)
class MappedColumn:
    """A column of one file mapped to an item or to ``comment``, with its answers (for :func:`review_columns`)."""

    name: str  # item code or "comment"
    letter: str
    header: str
    distinct: list[str]  # the filled answers (text not blank), each once, first seen first
    n_filled: int  # cells with a filled answer


def review_columns(
    mapping: Mapping | None,
    instrument: Instrument,
    lookups: dict[str, AnswerLookup],
    columns: Sequence[MappedColumn],
    where: tuple[str, str, int],
    fc: FindingCollector,
    keep_free_text: bool,
) -> set[str]:
    """Check the mapped columns of one file; returns the names of refused columns (their answers
    are not read). ``columns``: the item columns in sheet order, then ``comment`` if mapped;
    ``where`` is (file, sheet, header row).
    """
    file, sheet, header_row = where
    refused: set[str] = set()
    for col in columns:
        vals = col.distinct
        if col.name != "comment":
            known = sum(1 for v in vals if lookups[col.name].lookup(v)[2] is None)
            if known * 2 >= len(vals):
                continue  # mostly answers of the scale: not a multi-select column
        options = multi_select_options(vals)
        if not options:
            continue
        shown = ", ".join(options[:5]) + (" …" if len(options) > 5 else "")
        fc.add("multi_select_refused", file=file, sheet=sheet, rows=[header_row], column=col.letter,
               header=col.header, value=col.name, detail=f"{shown} ({col.n_filled})")
        refused.add(col.name)
    comment = next((c for c in columns if c.name == "comment" and c.name not in refused), None)
    if comment is not None and not keep_free_text and comment.n_filled:
        fc.add("free_text_dropped", file=file, sheet=sheet, rows=[header_row], column=comment.letter,
               header=comment.header, value=comment.n_filled)
    if mapping is None:
        return refused
    rescaled = mapping.rescaled(instrument)
    for col in columns:
        hit = rescaled.get(col.header) if col.name != "comment" and col.name not in refused else None
        if hit is None:
            continue
        (a, b), (c, d), table = hit
        pairs = ", ".join(f"{k}→{v}" for k, v in table.items())
        fc.add("scale_rescaled", file=file, sheet=sheet, rows=[header_row], column=col.letter,
               header=col.header, value=col.name, detail=f"{a}–{b} → {c}–{d}: {pairs}")
    return refused


def fill_file_defaults(mapping: Mapping | None, file: str, fields: dict[str, Any], n: int) -> None:
    """Fill the empty cells of the constant fields of ``file`` (``files:`` / sheet *Vorgaben*) in
    ``fields`` (field name -> Arrow text column of the file's rows, or None), in place."""
    import pyarrow as pa

    if mapping is None or not mapping.files or not n:
        return
    own = mapping.file_defaults(file)
    for name, value in own.items():
        if name not in DEFAULT_FIELDS or name not in fields:
            continue
        col = fields[name]
        cells = col.to_pylist() if col is not None else [None] * n
        fields[name] = pa.array([v if isinstance(v, str) and v.strip() else value for v in cells], type=pa.string())


def label_findings(lookup: AnswerLookup, values: np.ndarray) -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
    """Split cells with unknown answers into (finding code, mask, detail): ``value_close_label``
    with the closest label of the scale as detail, else ``value_unknown_label`` with the scale.

    One look-up per distinct value."""
    labels = [o.label_de for o in lookup.scale.options] + [o.label_en for o in lookup.scale.options]
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=False)
    near = np.array([closest(u, labels, min_score=80) or "" for u in uniques], dtype=object)
    detail = near[codes]
    close = detail != ""
    if close.any():
        yield "value_close_label", close, detail
    if (~close).any():
        yield "value_unknown_label", ~close, np.full(len(values), lookup.describe(), dtype=object)
