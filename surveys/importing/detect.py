"""Detection stage: where the header row is, whether a label row follows, which tool wrote the file.

The format is recognised from the *content* (headers and sheet names), never from the file name:

==========  ===============================================================================
template    headers ``KOM01 – …`` / ``Fragebogen-Nr.`` (strong); sheets ``Antworten``, ``Kommunen`` (weak)
kobo        Kobo meta columns (``_uuid``, ``_submission_time``, ``_index``) or ``group/name`` + start/end
limesurvey  ``submitdate``/``lastpage``/``startlanguage`` (or their German/English long forms), ``X[Y]``
sosci       ``CASE`` (strong), ``SERIAL``, ``QUESTNNR``, ``MODE``, ``STARTED``, ``LASTDATA``, ``AB01_01``
forms       ``Zeitstempel``/``Timestamp`` first (strong), ``Startzeit``/``Fertigstellungszeit``
csv         anything else (a plain table whose headers are item codes or wordings)
==========  ===============================================================================

Every signal adds its weight (:func:`format_scores`); the tool with the most evidence wins, so a
Google Forms sheet that happens to be called "Antworten" is still Forms.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from surveys.formats import TEMPLATE_RESPONSES_SHEET

from .mapping import HeaderIndex
from .normalize import norm_key

__all__ = ["FORMATS", "HEADER_SCAN_ROWS", "detect_format", "find_header_row", "format_scores", "is_label_row"]

FORMATS = ("template", "kobo", "limesurvey", "sosci", "forms", "csv")

#: The header row is looked for in this many rows at the top of a sheet.
HEADER_SCAN_ROWS = 30
_TEMPLATE_HEAD = re.compile(r"^[a-z]{2,}\d+\s*-\s")


def find_header_row(head: np.ndarray, index: HeaderIndex) -> tuple[int | None, int]:
    """Position of the header row within the first rows, and its number of recognised columns.

    ``head``: the first rows of a sheet as a 2-D object array (:meth:`.readers.RawSheet.head`;
    rows beyond :data:`HEADER_SCAN_ROWS` are not looked at). The row with most recognised headers
    (items, fields, meta columns) wins; without any, the first non-empty row. ``(None, 0)`` for an
    empty sheet.
    """
    head = head[:HEADER_SCAN_ROWS]
    best, best_score, first_nonempty = None, 0, None
    filled = np.asarray(pd.notna(head)).sum(axis=1) if head.size else np.zeros(len(head), dtype=int)
    for pos in range(len(head)):
        if first_nonempty is not None and filled[pos] <= best_score:
            continue  # fewer cells than the best row has recognised headers: cannot win
        vals = [v for v in head[pos].tolist() if isinstance(v, str) and v.strip()]
        if not vals:
            continue
        if first_nonempty is None:
            first_nonempty = pos
        if len(vals) <= best_score:
            continue  # cannot recognise more headers than the best row so far
        score = sum(1 for v in vals if index.resolve(v) is not None)
        if score > best_score:
            best, best_score = pos, score
    if best is None:
        return first_nonempty, 0
    return best, best_score


#: Evidence for each tool: (kind of signal, value, weight). A sheet name alone never decides.
_SIGNALS: dict[str, tuple[tuple[str, str, float], ...]] = {
    "template": (("sheet", TEMPLATE_RESPONSES_SHEET, 1.0), ("sheet", "Kommunen", 0.5), ("sheet", "Listen", 0.5),
                 ("header", "fragebogen-nr.", 3.0), ("pattern", "template_head", 3.0)),
    "sosci": (("header", "case", 3.0), ("header", "serial", 1.0), ("header", "questnnr", 1.5), ("header", "mode", 0.5),
              ("header", "started", 1.0), ("header", "lastdata", 1.0), ("header", "finished", 0.5),
              ("header", "time_sum", 1.0), ("pattern", "sosci_var", 1.0)),
    "kobo": (("header", "_uuid", 2.0), ("header", "_submission_time", 2.0), ("header", "_index", 1.5),
             ("header", "_validation_status", 1.5), ("header", "_id", 1.0), ("header", "__version__", 1.5),
             ("pattern", "kobo_path_start_end", 2.0)),
    "limesurvey": (("header", "submitdate", 2.0), ("header", "lastpage", 1.5), ("header", "startlanguage", 1.5),
                   ("header", "last page seen", 1.5), ("header", "start language", 1.5), ("header", "date submitted", 2.0),
                   ("header", "datum abgeschickt", 2.0), ("header", "letzte seite", 1.5), ("header", "start-sprache", 1.5),
                   ("header", "antwort id", 1.0), ("header", "response id", 1.0), ("header", "seed", 0.5),
                   ("header", "zufallsgeneratorstartwert", 0.5), ("pattern", "ls_subquestion", 1.0)),
    "forms": (("first", "zeitstempel", 3.0), ("first", "timestamp", 3.0), ("header", "startzeit", 2.0),
              ("header", "fertigstellungszeit", 2.0), ("header", "start time", 2.0), ("header", "completion time", 2.0),
              ("header", "zeitpunkt der letzten änderung", 1.0), ("header", "last modified time", 1.0)),
}
_SOSCI_VAR = re.compile(r"^[a-z]{2}\d{2}(?:_\d{2})?$")
_LS_SUB = re.compile(r"^\S+ ?\[[^\]]+\]$")


def format_scores(headers: Sequence[object], sheet_names: Sequence[str], kind: str) -> dict[str, float]:
    """The weight of evidence for each tool (see :data:`_SIGNALS`); 0 for tools without any."""
    keys = [norm_key(h) for h in headers if h is not None and not (isinstance(h, float) and np.isnan(h))]
    keyset = set(keys)
    sheets = {norm_key(n) for n in sheet_names}
    patterns = {
        "template_head": any(_TEMPLATE_HEAD.match(k) for k in keys),
        "sosci_var": sum(1 for k in keys if _SOSCI_VAR.match(k)) >= 2,
        "kobo_path_start_end": any("/" in k for k in keys) and bool({"start", "end"} & keyset),
        "ls_subquestion": sum(1 for k in keys if _LS_SUB.match(k)) >= 2,
    }
    scores: dict[str, float] = {}
    for fmt, signals in _SIGNALS.items():
        total = 0.0
        for what, value, weight in signals:
            hit = (
                (what == "sheet" and norm_key(value) in sheets)
                or (what == "header" and value in keyset)
                or (what == "first" and bool(keys) and keys[0] == value)
                or (what == "pattern" and patterns[value])
            )
            total += weight if hit else 0.0
        scores[fmt] = total
    if kind == "sav":
        scores["sosci"] += 1.0
    return scores


def detect_format(headers: Sequence[object], sheet_names: Sequence[str], kind: str) -> str:
    """Name of the tool that wrote a sheet with these headers: the one with the most evidence
    (:func:`format_scores`, at least 2 points), else ``csv``. No single signal decides alone
    except a strong one (our template's ``KOM01 – …`` headers, SoSci's ``CASE``, Forms'
    ``Zeitstempel`` first): a Forms sheet named "Antworten" is Forms, not our template.
    """
    scores = format_scores(headers, sheet_names, kind)
    best = max(FORMATS[:-1], key=lambda f: (scores[f], -FORMATS.index(f)))
    return best if scores[best] >= 2.0 else "csv"


def _cell_matches_header(value: str, header: object, index: HeaderIndex | None) -> bool:
    """Whether ``value`` is the label of the column ``header`` (not an answer to it)."""
    from surveys.formats import SOSCI_VARIABLE_LABELS

    from .text_match import similarity

    if norm_key(value) == norm_key(header):
        return True
    if not isinstance(header, str):
        return False
    refs: list[str] = []
    known = SOSCI_VARIABLE_LABELS.get(header.strip().upper())
    if known:
        refs.append(known)
    target = index.resolve(header) if index is not None else None
    if target is not None and target.kind == "item":
        it = index.instrument.item(target.name)  # type: ignore[union-attr]
        refs += [it.label_de, it.label_en]
    elif target is not None and target.kind == "field":
        try:
            f = index.instrument.field(target.name)  # type: ignore[union-attr]
            refs += [f.label_de, f.label_en]
        except KeyError:
            pass
    return any(similarity(value, r) >= 60 or norm_key(r) in norm_key(value) for r in refs if r)


def is_label_row(
    row: Mapping[int, object] | pd.Series,
    headers: Mapping[int, object] | pd.Series,
    item_cols: Sequence[int],
    fmt: str,
    is_answer: Callable[[int, object], bool],
    index: HeaderIndex | None = None,
) -> bool:
    """Whether the row after the header holds the headers' labels (SoSci's second header row).

    A row is a label row only when it cannot be data: SoSci's ``CASE`` column holds text (a case
    number is always a number), or at least half of its filled cells are the labels of their
    columns (the item's or field's wording, SoSci's standard variable labels, the header itself)
    and no item cell holds a valid answer. A respondent whose answers are not yet in the mapping
    is never mistaken for a label row.
    """
    keys = {norm_key(h): i for i, h in headers.items() if isinstance(h, str)}
    if "case" in keys:
        v = row.get(keys["case"])
        if isinstance(v, str) and v.strip() and not re.fullmatch(r"-?\d+(?:[.,]0+)?", v.strip()):
            return True
    cells = [(c, v.strip()) for c, v in row.items() if isinstance(v, str) and v.strip()]
    if not cells:
        return False
    items = set(item_cols)
    matched = 0
    # item cells first: one that holds an answer, or not its column's label, decides at once
    for c, v in cells:
        if c in items:
            if is_answer(c, v) or not _cell_matches_header(v, headers.get(c), index):
                return False
            matched += 1
    for c, v in cells:
        if c not in items and _cell_matches_header(v, headers.get(c), index):
            matched += 1
    return matched >= max(1, (len(cells) + 1) // 2)
