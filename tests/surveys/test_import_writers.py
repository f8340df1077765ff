"""Minimal writers of the five export formats (following surveys/formats.py) for import tests.

They write what each tool writes, from a wide frame like ``surveys.synthetic.simulate(...).wide``
(respondent_id, ags, role, wave, submitted_at, comment, one float column per item with 1..5, -1,
-9 or NaN). The tests at the bottom only check the writers themselves.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

from surveys import Instrument
from surveys.formats import (
    KOBO_META_COLUMNS,
    SOSCI_FIELD_VARIABLES,
    forms_field_header,
    forms_header,
    kobo_column,
    limesurvey_column,
    sosci_variable,
)

FIELDS = ("respondent_id", "ags", "role", "wave", "submitted_at")


def _code(v: float) -> int | None:
    return None if v is None or (isinstance(v, float) and np.isnan(v)) else int(v)


def _choice_name(inst: Instrument, item: str, v: float) -> str:
    c = _code(v)
    if c is None:
        return ""
    return next(o.name for o in inst.scale_of(item).options if o.code == c)


def _label(inst: Instrument, item: str, v: float, lang: str = "de") -> str:
    c = _code(v)
    if c is None:
        return ""
    return next(o.label(lang) for o in inst.scale_of(item).options if o.code == c)


def _write_xlsx(path: Path, sheet: str, header: list[str], rows: list[list[object]], label_row: list[str] | None = None,
                extra_sheets: dict[str, tuple[list[str], list[list[object]]]] | None = None) -> Path:
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
    ws = wb.add_worksheet(sheet)
    dfmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    ws.write_row(0, 0, header)
    r0 = 1
    if label_row is not None:
        ws.write_row(1, 0, label_row)
        r0 = 2
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            if v is None or v == "":
                continue
            if isinstance(v, pd.Timestamp):
                ws.write_datetime(r0 + i, j, v.to_pydatetime(), dfmt)
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                ws.write_number(r0 + i, j, v)
            else:
                ws.write_string(r0 + i, j, str(v))
    for name, (h, rr) in (extra_sheets or {}).items():
        ws2 = wb.add_worksheet(name)
        ws2.write_row(0, 0, h)
        for i, row in enumerate(rr):
            ws2.write_row(i + 1, 0, row)
    wb.close()
    return path


def write_kobo(inst: Instrument, wide: pd.DataFrame, path: Path, repeat_sheet: bool = False) -> Path:
    """KoboToolbox xlsx export, XML values and headers, items as ``<group>/<code>``."""
    header = ["start", "end", "respondent_id", "ags", "role", "wave"]
    header += [kobo_column(it) for it in inst.items] + list(KOBO_META_COLUMNS)
    rows = []
    for i, rec in enumerate(wide.itertuples(index=False)):
        d = rec._asdict()
        t = pd.Timestamp(d["submitted_at"])
        row: list[object] = [t, t, d["respondent_id"], d["ags"], d["role"], d["wave"]]
        row += [_choice_name(inst, it.code, d[it.code]) for it in inst.items]
        meta = {"_id": 1000 + i, "_uuid": f"uuid-{i}", "_submission_time": t, "_status": "submitted_via_web",
                "__version__": "v1", "_index": i + 1}
        row += [meta.get(m, "") for m in KOBO_META_COLUMNS]
        rows.append(row)
    extra = {"helpers": (["helpers/name", "_index", "_parent_table_name", "_parent_index"],
                         [["x", 1, inst.name, 1]])} if repeat_sheet else None
    return _write_xlsx(path, inst.name, header, rows, extra_sheets=extra)


def write_limesurvey(inst: Instrument, wide: pd.DataFrame, path: Path, spaced: bool = False) -> Path:
    """LimeSurvey CSV export (answer codes, ``N/A`` for no answer), comma separated."""
    header = ["id", "submitdate", "lastpage", "startlanguage", "seed", "respondent_id", "ags", "role", "wave"]
    header += [limesurvey_column(it, spaced) for it in inst.items]
    out = []
    for i, rec in enumerate(wide.itertuples(index=False)):
        d = rec._asdict()
        row = [str(i + 1), pd.Timestamp(d["submitted_at"]).strftime("%Y-%m-%d %H:%M:%S"), "6", "de", "123",
               d["respondent_id"], d["ags"], d["role"], d["wave"]]
        for it in inst.items:
            c = _code(d[it.code])
            row.append("" if c is None else "N/A" if c == -9 else str(c))
        out.append(row)
    pd.DataFrame(out, columns=header).to_csv(path, index=False)
    return path


def write_sosci(inst: Instrument, wide: pd.DataFrame, path: Path, label_row: bool = True) -> Path:
    """SoSci Survey xlsx export: CASE, meta, SD variables, ``KO01_01`` codes, optional label row."""
    header = ["CASE", "SERIAL", "REF", "QUESTNNR", "MODE", "STARTED"]
    header += [SOSCI_FIELD_VARIABLES["ags"], SOSCI_FIELD_VARIABLES["role"], SOSCI_FIELD_VARIABLES["wave"]]
    header += [sosci_variable(inst, it) for it in inst.items]
    labels = ["Interview-Nummer (fortlaufend)", "Seriennummer", "Referenz", "Fragebogen", "Interview-Modus",
              "Zeitpunkt zu dem das Interview begonnen hat", "AGS", "Rolle", "Welle"]
    labels += [f"{inst.construct(it.construct).label_de}: {it.label_de}" for it in inst.items]
    roles = [c.name for c in inst.field("role").choices]
    rows = []
    for rec in wide.itertuples(index=False):
        d = rec._asdict()
        row: list[object] = [int(d["respondent_id"]), "", "", "base", "interview",
                             pd.Timestamp(d["submitted_at"]).strftime("%Y-%m-%d %H:%M:%S"),
                             d["ags"], roles.index(d["role"]) + 1, d["wave"]]
        row += [_code(d[it.code]) for it in inst.items]
        rows.append(row)
    return _write_xlsx(path, "Daten", header, rows, label_row=labels if label_row else None)


def write_forms(inst: Instrument, wide: pd.DataFrame, path: Path) -> Path:
    """Google Forms xlsx export: German timestamp text, question-text headers, answer-text cells."""
    header = ["Zeitstempel"] + [forms_field_header(inst, f) for f in ("respondent_id", "ags", "role", "wave")]
    header += [forms_header(inst, it) for it in inst.items]
    role_labels = {c.name: c.label_de for c in inst.field("role").choices}
    rows = []
    for rec in wide.itertuples(index=False):
        d = rec._asdict()
        row: list[object] = [pd.Timestamp(d["submitted_at"]).strftime("%d.%m.%Y %H:%M:%S"), d["respondent_id"],
                             d["ags"], role_labels[d["role"]], d["wave"]]
        row += [_label(inst, it.code, d[it.code]) for it in inst.items]
        rows.append(row)
    return _write_xlsx(path, "Formularantworten 1", header, rows)


def write_csv(inst: Instrument, wide: pd.DataFrame, path: Path, sep: str = ";", encoding: str = "utf-8-sig") -> Path:
    """A plain CSV with item codes as headers and numeric codes in cells."""
    df = wide[list(FIELDS) + inst.item_codes].copy()
    df["submitted_at"] = pd.to_datetime(df["submitted_at"]).dt.strftime("%d.%m.%Y %H:%M")
    for c in inst.item_codes:
        df[c] = df[c].map(lambda v: "" if pd.isna(v) else str(int(v)))
    df.to_csv(path, index=False, sep=sep, encoding=encoding)
    return path


def write_template(inst: Instrument, wide: pd.DataFrame, path: Path, municipalities: pd.DataFrame | None = None) -> Path:
    from surveys.template import write_template as _wt

    return _wt(inst, path, responses=wide, municipalities=municipalities)


WRITERS = {
    "template": write_template,
    "kobo": write_kobo,
    "limesurvey": write_limesurvey,
    "sosci": write_sosci,
    "forms": write_forms,
    "csv": write_csv,
}
SUFFIX = {"template": ".xlsx", "kobo": ".xlsx", "limesurvey": ".csv", "sosci": ".xlsx", "forms": ".xlsx", "csv": ".csv"}


def small_wide(inst: Instrument, n: int = 6, seed: int = 0) -> pd.DataFrame:
    """A small wide frame with every kind of answer, integer-like respondent IDs (SoSci's CASE)."""
    rng = np.random.default_rng(seed)
    vals = rng.choice([1, 2, 3, 4, 5, -1, -9, np.nan], size=(n, len(inst.items)), p=[.18] * 5 + [.04, .03, .03])
    df = pd.DataFrame(vals.astype(float), columns=inst.item_codes)
    base = pd.DataFrame({
        "respondent_id": [str(i + 1) for i in range(n)],
        "ags": rng.choice(["08111000", "08212000", "09162000"], size=n),
        "role": rng.choice([c.name for c in inst.field("role").choices], size=n),
        "wave": rng.choice(["2025", "2027"], size=n),
        "submitted_at": pd.Timestamp("2025-03-01 12:00") + pd.to_timedelta(rng.integers(0, 10_000, n), unit="min"),
        "comment": [None] * n,
    })
    return pd.concat([base, df], axis=1)


def test_writers_produce_files_of_each_format(tmp_path: Path, instrument: Instrument) -> None:
    wide = small_wide(instrument)
    for fmt, writer in WRITERS.items():
        p = writer(instrument, wide, tmp_path / f"x{SUFFIX[fmt]}")
        assert p.stat().st_size > 0, fmt
