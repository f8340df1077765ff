"""Cross-file check of wave labels: a label used by a single file or a single municipality.

A municipality that writes "Welle 2" where all others wrote "2025" creates a wave of its own; the
analysis would then compare or select it as if it were a survey wave. :func:`check_wave_labels`
finds such labels after all files are read and reports one warning per label (finding
``wave_label_rare``, the data are kept; located at the label's first row): which label, how many
rows, in which file or for which municipality, and the labels the other files use.

>>> resp = pd.DataFrame({"wave": ["2025"] * 4 + ["Welle 2"], "ags": ["1", "1", "2", "2", "3"],
...                      "source_file": ["a.xlsx", "a.xlsx", "b.xlsx", "b.xlsx", "c.xlsx"],
...                      "source_sheet": "Antworten"})
>>> fc = FindingCollector(); check_wave_labels(resp, fc); fc.raw()[["file", "code", "value"]].values.tolist()
[['c.xlsx', 'wave_label_rare', 'Welle 2']]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .findings import FindingCollector

__all__ = ["check_wave_labels"]


def check_wave_labels(respondents: pd.DataFrame, fc: FindingCollector) -> None:
    """Warn about each wave label used by one file (of several) or one municipality (of several).

    A label is reported when the import holds at least two labels, and the label occurs in a
    single file while another label occurs in two or more files, or for a single municipality
    while another label covers two or more municipalities.
    """
    if not len(respondents) or "wave" not in respondents.columns:
        return
    d = respondents[["wave", "ags", "source_file", "source_sheet"]].dropna(subset=["wave"]).astype(str)
    source_row = pd.to_numeric(respondents.loc[d.index, "source_row"], errors="coerce") \
        if "source_row" in respondents.columns else pd.Series(np.nan, index=d.index)
    if d["wave"].nunique() < 2:
        return
    files = d.groupby("wave")["source_file"].nunique()
    munis = d.groupby("wave")["ags"].nunique()
    rows = d.groupby("wave").size()
    for label in sorted(files.index):
        others = files.drop(label)
        lone_file = files[label] == 1 and others.max() >= 2
        lone_muni = munis[label] == 1 and munis.drop(label).max() >= 2
        if not (lone_file or lone_muni):
            continue
        sub = d[d["wave"] == label]
        first = source_row[sub.index].dropna()
        other_labels = ", ".join(f"'{w}'" for w in others.index)
        detail = (f"{rows[label]} Zeile(n), {'nur Kommune ' + sub['ags'].iloc[0] if lone_muni else ''}"
                  f"{'; ' if lone_muni and lone_file else ''}{'nur diese Datei' if lone_file else ''}; "
                  f"andere Wellen / other waves: {other_labels}")
        fc.add("wave_label_rare", file=sub["source_file"].iloc[0], sheet=sub["source_sheet"].iloc[0],
               rows=[int(first.min())] if len(first) else None, header="wave", value=label, detail=detail)
