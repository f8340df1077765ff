"""Hand the clean data to SPSS, Stata, R and Excel users: ``baustein export DATASET_DIR --format …``.

One row per respondent (respondent fields, municipality name/state/size class/cohort, one column
per item). Item cells hold the answer code; "weiß nicht" and "keine Angabe" keep their instrument
codes (-1, -9) so that they stay distinguishable from "not shown" (empty). Value labels:

* ``sav``: variable labels, value labels, -1/-9 declared as user-missing (SPSS treats them as missing);
* ``dta``: variable labels and value labels (Stata 15, UTF-8); -1/-9 are labelled codes -- recode
  them to missing (``mvdecode _all, mv(-1 -9)``) before computing means;
* ``xlsx``: sheets ``Daten``, ``Variablen``, ``Wertelabels``;
* ``csv``: the data (semicolon, UTF-8 with BOM for Excel) plus ``<name>_labels.csv``.

Text cells that a spreadsheet would run as a formula are neutralised (:mod:`core.spreadsheet_escape`).
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd

from core.atomic import atomic_file
from core.errors import BausteinError
from core.output_folders import claim_output_file
from core.spreadsheet_escape import neutralize_frame
from surveys.dataset import Dataset

__all__ = ["EXPORT_FORMATS", "export_dataset", "export_frames"]

EXPORT_FORMATS = ("csv", "xlsx", "sav", "dta")
_FIELD_LABELS = {
    "respondent_id": "Fragebogen-Nr. (pseudonym)",
    "ags": "Amtlicher Gemeindeschlüssel",
    "role": "Rolle",
    "wave": "Befragungswelle",
    "submitted_at": "Datum",
    "name": "Name der Kommune",
    "state": "Land",
    "size_class": "Gemeindegrößenklasse",
    "cohort": "Förderkohorte",
}


def export_frames(ds: Dataset) -> tuple[pd.DataFrame, dict[str, str], dict[str, dict[float, str]], dict[str, list[float]]]:
    """Wide data, variable labels, value labels and user-missing codes of a dataset."""
    inst = ds.instrument
    resp = ds.respondents
    codes = inst.item_codes
    base_cols = [c for c in ("respondent_id", "ags", "role", "wave", "submitted_at") if c in resp]
    wide = resp[base_cols].reset_index(drop=True).copy()
    muni = ds.municipalities
    mcols = [c for c in ("name", "state", "size_class", "cohort") if c in muni]
    if len(muni) and mcols:
        wide = wide.merge(muni[["ags", *mcols]].astype({c: object for c in mcols}), on="ags", how="left")
    long = ds.responses
    rid = pd.Categorical(long["respondent_id"], categories=wide["respondent_id"])
    item = pd.Categorical(long["item"], categories=codes)
    mat = np.full((len(wide), len(codes)), np.nan)
    vals = pd.to_numeric(long["value"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    reasons = long["missing_reason"].astype(object).to_numpy()
    ok = (rid.codes >= 0) & (item.codes >= 0)
    missing_code = np.full(len(long), np.nan)
    var_labels: dict[str, str] = {c: _FIELD_LABELS.get(c, c) for c in wide.columns}
    value_labels: dict[str, dict[float, str]] = {}
    user_missing: dict[str, list[float]] = {}
    for j, it in enumerate(inst.items):
        scale = inst.scales[it.scale]
        rev = {reason: float(code) for code, reason in scale.missing_codes.items()}
        sel = item.codes == j
        for reason, code in rev.items():
            missing_code[sel & (reasons == reason)] = code
        var_labels[it.code] = it.label_de[:255]
        value_labels[it.code] = {float(o.code): o.label_de for o in scale.options}
        if rev:
            user_missing[it.code] = sorted(rev.values())
    filled = np.where(np.isnan(vals), missing_code, vals)
    mat[rid.codes[ok], item.codes[ok]] = filled[ok]
    items = pd.DataFrame(mat, columns=codes)
    wide = pd.concat([wide, items], axis=1)
    return wide, var_labels, value_labels, user_missing


def _atomic_write(path: Path, data: bytes) -> None:
    with atomic_file(path, guard=True) as tmp:
        tmp.write_bytes(data)


def export_dataset(dataset_dir: str | Path, format: str, out: str | Path | None = None) -> Path:
    """Export a dataset folder to ``csv``, ``xlsx``, ``sav`` or ``dta``; returns the file written.

    The default output is ``DATASET_DIR/export/<folder name>.<format>``. An existing file is
    replaced only if baustein-eval wrote it and it is unchanged since (or it lies in one of our
    output folders); anything else is refused (:func:`core.output_folders.claim_output_file`).
    """
    if format not in EXPORT_FORMATS:
        raise BausteinError(f"Unbekanntes Exportformat '{format}' (csv, xlsx, sav, dta). / Unknown export format.")
    ds = Dataset.load(dataset_dir)
    wide, var_labels, value_labels, user_missing = export_frames(ds)
    target = Path(out) if out else Path(dataset_dir) / "export" / f"{Path(dataset_dir).name}.{format}"
    claim_output_file(target)
    if format == "csv":
        claim_output_file(target.with_name(target.stem + "_labels.csv"))
    if format in {"csv", "xlsx"}:
        data = neutralize_frame(wide)
        labels = pd.DataFrame(
            [(v, c, lab) for v, d in value_labels.items() for c, lab in d.items()],
            columns=["variable", "code", "label"],
        )
        variables = pd.DataFrame({"variable": list(var_labels), "label": list(var_labels.values())})
        if format == "csv":
            _atomic_write(target, ("\ufeff" + data.to_csv(index=False, sep=";")).encode("utf-8"))
            lab_path = target.with_name(target.stem + "_labels.csv")
            both = pd.concat([variables.assign(code=None)[["variable", "code", "label"]], labels], ignore_index=True)
            _atomic_write(lab_path, ("\ufeff" + neutralize_frame(both).to_csv(index=False, sep=";")).encode("utf-8"))
        else:
            buf = io.BytesIO()
            with pd.ExcelWriter(buf, engine="xlsxwriter",
                                engine_kwargs={"options": {"strings_to_formulas": False, "strings_to_urls": False}}) as xw:
                data.to_excel(xw, sheet_name="Daten", index=False)
                neutralize_frame(variables).to_excel(xw, sheet_name="Variablen", index=False)
                labels.to_excel(xw, sheet_name="Wertelabels", index=False)
            _atomic_write(target, buf.getvalue())
        return target
    import pyreadstat

    df = wide.copy()
    for c in df.columns:
        if isinstance(df[c].dtype, pd.CategoricalDtype) or df[c].dtype == object or pd.api.types.is_string_dtype(df[c]):
            df[c] = df[c].astype(object).where(df[c].notna(), "").astype(str)
    df["submitted_at"] = pd.to_datetime(df["submitted_at"]).astype("datetime64[ns]")
    with atomic_file(target, guard=True) as tmp:
        labels_list = [var_labels.get(c, c) for c in df.columns]
        if format == "sav":
            pyreadstat.write_sav(df, str(tmp), column_labels=labels_list, variable_value_labels=value_labels,
                                 missing_ranges={k: v for k, v in user_missing.items()})
        else:
            pyreadstat.write_dta(df, str(tmp), column_labels=[lab[:80] for lab in labels_list],
                                 variable_value_labels={k: {int(c): lab for c, lab in v.items()} for k, v in value_labels.items()},
                                 version=15)
    return target
