"""Validation rules that look across files (the per-file rules run in :mod:`.convert`).

Finding codes (catalogue and messages: :data:`surveys.importing.findings.CODES`):

=============================  =========  =====================================================
code                           severity   rule
=============================  =========  =====================================================
file_unreadable                error      encrypted, damaged, empty, not a spreadsheet
file_duplicate                 error      same SHA-256 as a file read before: all rows skipped
file_strict                    error      ``strict=True`` and the file has an error: all rows
no_data_sheet                  error      no sheet with data
no_item_columns                error      not one item column recognised
missing_item_column            warning    an item of the instrument has no column
unknown_column                 warning    a column that is no item/field (with "did you mean")
duplicate_column               warning    second column for the same item or field
value_out_of_scale             error      number outside the scale: cell -> missing "invalid"
value_unknown_label            error      text that is no answer option: cell -> "invalid"
no_answers                     error      row without any answer: row rejected
ags_missing / ags_invalid      error      row rejected
ags_unknown                    error      AGS not in ``--municipalities`` table: row rejected
wave_missing                   error      row rejected (give ``--wave`` to fill it)
duplicate_id                   error      respondent ID twice in one file: repetition rejected
duplicate_id_across_files      warning    respondent ID in two files: kept, made unique
role_unknown / date_invalid    warning    field left empty
municipality_conflict          warning    two sources disagree on a municipality fact
municipality_invalid           error      Kommunen row without valid AGS
label_row_skipped / sheet_skipped  info   notes
no_answers                     error      every item cell of the row is empty: row rejected
no_valid_answers               warning    items answered, but none validly (only weiß nicht,
                                          keine Angabe, N/A or invalid): row kept (a participation;
                                          enters no mean)
multi_select_refused           error      multiple-choice answers in a column mapped to an item
                                          or to comment: the column is not read
value_close_label              error      unknown answer close to a label ("Meinten Sie …?")
scale_rescaled                 info       the column's own scale rescaled by POMP (the table)
free_text_dropped              info       a free-text column dropped (privacy default)
=============================  =========  =====================================================

**Respondents without an answer (documented rule).** A row whose item cells are all empty is no
response and is rejected (``no_answers``). A row with answers that are all missing values
(``weiß nicht``, ``keine Angabe``, ``N/A``, ``-9``) or invalid is kept -- the person took part
and the missing reasons are data -- and is reported as ``no_valid_answers``. A row is skipped as
a label row only when it holds the headers' labels (:func:`.detect.is_label_row`); that row is
reported (``label_row_skipped``, with its row number) and counted in the manifest
(``rows_label_skipped``).

Our own outputs are never inputs: :func:`core.output_folders.output_kind` recognises a folder
written by baustein-eval (its marker, or the layout of older outputs), and
:func:`surveys.importing.inputs.scan_inputs` skips such folders with a finding.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from surveys.formats import TEMPLATE_MUNICIPALITY_HEADERS

from .findings import FindingCollector
from .municipalities import FACT_COLUMNS

__all__ = ["merge_municipalities", "resolve_cross_file_ids"]


def merge_municipalities(tables: list[pd.DataFrame], findings: FindingCollector) -> pd.DataFrame:
    """One row per AGS from several sources; the first non-empty value of each fact wins.

    Every later source whose non-empty value differs gets a ``municipality_conflict`` warning at
    its own file/sheet/row, naming the value used.
    """
    tables = [t for t in tables if len(t)]
    if not tables:
        return pd.DataFrame(columns=["ags", *FACT_COLUMNS, "source_file", "source_sheet", "source_row"])
    allrows = pd.concat(tables, ignore_index=True)
    for col in FACT_COLUMNS:
        if col not in allrows:
            continue
        s = allrows[col]
        first = s.groupby(allrows["ags"], sort=False).transform("first")
        norm = s.astype(str).where(s.notna(), "")
        norm_first = first.astype(str).where(first.notna(), "")
        clash = (norm != "") & (norm_first != "") & (norm != norm_first)
        if isinstance(s.dtype, pd.Float64Dtype) or pd.api.types.is_float_dtype(s):
            clash &= ~np.isclose(pd.to_numeric(s, errors="coerce").fillna(0), pd.to_numeric(first, errors="coerce").fillna(0))
        if clash.any():
            bad = allrows[clash]
            for (file, sheet), part in bad.groupby(["source_file", "source_sheet"], sort=True):
                findings.add(
                    "municipality_conflict", file=str(file), sheet=str(sheet), rows=part["source_row"].to_numpy(),
                    header=TEMPLATE_MUNICIPALITY_HEADERS.get(col, col), value=norm[clash][part.index].to_numpy(),
                    detail=("'" + norm_first[part.index] + "' (AGS " + part["ags"].astype(str) + ")").to_numpy(),
                )
    merged = allrows.groupby("ags", sort=True, dropna=True).first().reset_index()
    return merged


def resolve_cross_file_ids(respondents: pd.DataFrame, findings: FindingCollector) -> pd.Series:
    """Unique respondent IDs across files.

    Given IDs (column ``_id_given``) that occur in more than one file keep their value in the file
    read first; later occurrences become ``"<id>~2"``, ``"<id>~3"`` … and get a
    ``duplicate_id_across_files`` warning. Returns the new ID column (same index).
    """
    ids = respondents["respondent_id"].astype(object)
    given = respondents["_id_given"].to_numpy(dtype=bool)
    if not given.any():
        return ids
    sub = respondents[given]
    if sub["respondent_id"].is_unique:
        return ids  # no ID occurs twice at all, so none in two files
    n_files = sub.groupby("respondent_id")["source_file"].transform("nunique")
    multi = sub[n_files > 1]
    if multi.empty:
        return ids
    first_file = multi.groupby("respondent_id")["source_file"].transform("first")
    later = multi[multi["source_file"] != first_file]
    k = later.groupby("respondent_id").cumcount() + 2
    new = ids.copy()
    new.loc[later.index] = later["respondent_id"].astype(str) + "~" + k.astype(str)
    for (file, sheet), part in later.groupby(["source_file", "source_sheet"], sort=True):
        findings.add(
            "duplicate_id_across_files", file=str(file), sheet=str(sheet), rows=part["source_row"].to_numpy(),
            column=part["_id_column"].to_numpy(), header=part["_id_header"].to_numpy(),
            value=part["respondent_id"].to_numpy(), detail=first_file[part.index].to_numpy(),
        )
    return new
