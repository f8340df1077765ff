"""The tidy clean dataset: a folder of Parquet tables plus ``manifest.json``.

Tables (GUIDE §4):

* ``respondents``: respondent_id, ags, role, wave, submitted_at, source_file, source_sheet, source_row
* ``responses`` (long): respondent_id, item, value (code or NA), missing_reason
* ``municipalities``: ags, name, district, state, population, size_class, cohort and commitment facts
* ``instrument``: one row per item (:meth:`surveys.Instrument.to_frame`)

Writing is atomic: tables go to a temporary sibling folder which then replaces the target, so an
interrupted write leaves the previous dataset untouched. Parquet is written without pandas index
and with fixed metadata, so the same tables give byte-identical files.

Example
-------
>>> ds = Dataset.load("data/processed/example")          # doctest: +SKIP
>>> ds.wide().filter(like="KOM").mean().round(2)          # doctest: +SKIP
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from core.atomic import atomic_output_dir
from core.errors import DatasetError
from core.natural_order import natural_key

from .instrument import Instrument

__all__ = [
    "MUNICIPALITY_COLUMNS",
    "RESPONDENT_COLUMNS",
    "RESPONSE_COLUMNS",
    "SIZE_CLASSES",
    "Dataset",
    "size_class",
]

SCHEMA_VERSION = "1"

RESPONDENT_COLUMNS = (
    "respondent_id",
    "ags",
    "role",
    "wave",
    "submitted_at",
    "source_file",
    "source_sheet",
    "source_row",
)
RESPONSE_COLUMNS = ("respondent_id", "item", "value", "missing_reason")
MUNICIPALITY_COLUMNS = (
    "ags",
    "name",
    "district",
    "state",
    "population",
    "size_class",
    "cohort",
    "council_resolution",
    "council_resolution_date",
    "mayor_involved",
    "named_contact",
    "staff_hours",
    "budget_eur",
    "rooms",
    "n_initiatives",
    "n_volunteers",
)

#: Gemeindegrößenklassen (population bounds are [lower, upper)).
SIZE_CLASSES: tuple[tuple[str, float, float], ...] = (
    ("unter 5.000", 0, 5_000),
    ("5.000 bis unter 20.000", 5_000, 20_000),
    ("20.000 bis unter 100.000", 20_000, 100_000),
    ("100.000 und mehr", 100_000, float("inf")),
)

#: German state (Land) names by the first two AGS digits.
STATES = {
    "01": "Schleswig-Holstein",
    "02": "Hamburg",
    "03": "Niedersachsen",
    "04": "Bremen",
    "05": "Nordrhein-Westfalen",
    "06": "Hessen",
    "07": "Rheinland-Pfalz",
    "08": "Baden-Württemberg",
    "09": "Bayern",
    "10": "Saarland",
    "11": "Berlin",
    "12": "Brandenburg",
    "13": "Mecklenburg-Vorpommern",
    "14": "Sachsen",
    "15": "Sachsen-Anhalt",
    "16": "Thüringen",
}


def size_class(population: pd.Series) -> pd.Series:
    """Gemeindegrößenklasse of each population figure (NA stays NA), as an ordered categorical."""
    labels = [s[0] for s in SIZE_CLASSES]
    bins = [SIZE_CLASSES[0][1]] + [s[2] for s in SIZE_CLASSES]
    pop = pd.to_numeric(population, errors="coerce")
    return pd.cut(pop, bins=bins, labels=labels, right=False).astype(
        pd.CategoricalDtype(labels, ordered=True)
    )


def _arrow_table(df: pd.DataFrame) -> pa.Table:
    # pandas metadata dropped (it may carry non-deterministic details); the schema is kept
    return pa.Table.from_pandas(df, preserve_index=False).replace_schema_metadata(None)


def _write_table(table: pa.Table, path: Path) -> None:
    pq.write_table(table, path, compression="zstd", use_dictionary=True, write_statistics=True)


def _write_parquet(df: pd.DataFrame, path: Path) -> None:
    _write_table(_arrow_table(df), path)


@dataclass
class Dataset:
    """The clean dataset in memory.

    Parameters
    ----------
    respondents, responses, municipalities : pandas.DataFrame
        The tidy tables (columns as in the module docstring; extra columns are kept).
    instrument : Instrument
        The instrument the responses belong to.
    manifest : dict
        Provenance: inputs with SHA-256, row counts, instrument and tool versions.
    """

    respondents: pd.DataFrame
    responses: pd.DataFrame
    municipalities: pd.DataFrame
    instrument: Instrument
    manifest: dict[str, Any] = field(default_factory=dict)

    # ------------------------------------------------------------------ I/O
    def save(self, folder: str | Path,
             extra_files: Mapping[str, bytes | Callable[[], bytes]] | None = None) -> Path:
        """Write the dataset atomically into ``folder`` (replacing a previous dataset there).

        ``extra_files``: further files, name -> bytes, or a function returning them (called while
        the Parquet files are written: Arrow writes them in threads, without the GIL).
        """
        folder = Path(folder)
        with atomic_output_dir(folder, kind="dataset") as tmp, ThreadPoolExecutor(max_workers=2) as pool:
            tables = [(self.responses, "responses"), (self.respondents, "respondents"),
                      (self.municipalities, "municipalities"), (self.instrument.to_frame(), "instrument")]
            writes = [pool.submit(_write_table, _arrow_table(df), tmp / f"{name}.parquet") for df, name in tables]
            (tmp / "instrument.yaml").write_text(self.instrument.to_yaml(), encoding="utf-8")
            manifest = dict(self.manifest)
            manifest.setdefault("schema_version", SCHEMA_VERSION)
            manifest.setdefault("instrument", {"name": self.instrument.name, "version": self.instrument.version})
            (tmp / "manifest.json").write_text(
                json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True, default=str) + "\n",
                encoding="utf-8",
            )
            for name, data in (extra_files or {}).items():
                (tmp / name).write_bytes(data() if callable(data) else data)
            for w in writes:
                w.result()  # a failed write fails the save (the folder is not swapped in)
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> Dataset:
        """Load a dataset folder written by :meth:`save` (or by ``baustein import``)."""
        folder = Path(folder)
        needed = ["respondents.parquet", "responses.parquet", "municipalities.parquet", "instrument.yaml"]
        missing = [n for n in needed if not (folder / n).exists()]
        if missing:
            raise DatasetError(
                f"Kein vollständiger Datensatz in '{folder}': es fehlt {', '.join(missing)}. "
                "Bitte zuerst 'baustein import' ausführen. / Not a complete dataset folder."
            )
        instrument = Instrument.from_yaml((folder / "instrument.yaml").read_text(encoding="utf-8"))
        manifest_path = folder / "manifest.json"
        manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.exists() else {}
        return cls(
            respondents=pd.read_parquet(folder / "respondents.parquet"),
            responses=pd.read_parquet(folder / "responses.parquet"),
            municipalities=pd.read_parquet(folder / "municipalities.parquet"),
            instrument=instrument,
            manifest=manifest,
        )

    @classmethod
    def load_respondents(cls, folder: str | Path) -> Dataset:
        """The respondents table (wave, submission date) and manifest of a dataset folder, without answers.

        Enough for :meth:`wave_order` and for checking ``--wave`` / ``--wave-order`` before a
        command loads, computes or writes anything (large datasets hold millions of answers).
        """
        folder = Path(folder)
        needed = folder / "respondents.parquet"
        if not needed.exists() or not (folder / "instrument.yaml").exists():
            return cls.load(folder)  # raises the DatasetError naming what is missing
        columns = [c for c in ("respondent_id", "ags", "wave", "submitted_at")
                   if c in pq.read_schema(needed).names]
        manifest_path = folder / "manifest.json"
        return cls(
            respondents=pd.read_parquet(needed, columns=columns),
            responses=pd.DataFrame(columns=list(RESPONSE_COLUMNS)),
            municipalities=pd.DataFrame(columns=["ags"]),
            instrument=Instrument.from_yaml((folder / "instrument.yaml").read_text(encoding="utf-8")),
            manifest=json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.exists() else {},
        )

    @classmethod
    def from_wide(
        cls,
        wide: pd.DataFrame,
        municipalities: pd.DataFrame,
        instrument: Instrument,
        manifest: dict[str, Any] | None = None,
    ) -> Dataset:
        """Build a dataset from a respondent-level wide frame holding answer codes.

        ``wide`` has the respondent fields (respondent_id, ags, role, wave, …) and one column per
        item code with numeric codes; missing codes of the item's scale (e.g. -1, -9) and NaN become
        NA values with their missing reason (blank -> ``not_shown``). Codes outside the scale become
        NA with reason ``invalid``. Useful for analysing data that is already in Python.
        """
        codes = [c for c in instrument.item_codes if c in wide.columns]
        rid = wide["respondent_id"].astype(str).to_numpy()
        resp_cols = [c for c in RESPONDENT_COLUMNS if c in wide.columns]
        respondents = wide[resp_cols].copy()
        respondents["respondent_id"] = rid
        for c in RESPONDENT_COLUMNS:
            if c not in respondents:
                respondents[c] = pd.NA
        parts = []
        for code in codes:
            scale = instrument.scale_of(code)
            v = pd.to_numeric(wide[code], errors="coerce").to_numpy(dtype=float)
            reason = np.full(len(v), None, dtype=object)
            reason[np.isnan(v)] = "not_shown"
            for mc, why in scale.missing_codes.items():
                reason[v == mc] = why
            valid = np.isin(v, scale.valid_codes)
            reason[~valid & ~np.isnan(v) & (reason == None)] = "invalid"  # noqa: E711
            value = np.where(valid, v, np.nan)
            parts.append(
                pd.DataFrame(
                    {
                        "respondent_id": rid,
                        "item": code,
                        "value": pd.array(np.where(valid, value, 0).astype("int64"), dtype="Int64"),
                        "missing_reason": pd.array(reason, dtype="string"),
                    }
                )
            )
            parts[-1].loc[~valid, "value"] = pd.NA
        responses = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=RESPONSE_COLUMNS)
        return cls(
            respondents=respondents[list(RESPONDENT_COLUMNS)].reset_index(drop=True),
            responses=responses,
            municipalities=municipalities.reset_index(drop=True),
            instrument=instrument,
            manifest=manifest or {},
        )

    # ------------------------------------------------------------------ views
    def wide(self, include_missing_reasons: bool = False) -> pd.DataFrame:
        """One row per respondent: respondent fields plus one float column per item (NaN = missing).

        Items are in instrument order; missing answers ("weiß nicht", "keine Angabe", blank) are NaN.
        With ``include_missing_reasons`` an extra column ``<item>__missing`` holds the reason.
        """
        resp = self.responses
        codes = self.instrument.item_codes
        if len(resp):
            item_pos = pd.Categorical(resp["item"], categories=codes)
            rid = pd.Categorical(resp["respondent_id"], categories=self.respondents["respondent_id"])
            mat = np.full((len(self.respondents), len(codes)), np.nan)
            ok = (item_pos.codes >= 0) & (rid.codes >= 0)
            vals = pd.to_numeric(resp["value"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            mat[rid.codes[ok], item_pos.codes[ok]] = vals[ok]
        else:
            mat = np.full((len(self.respondents), len(codes)), np.nan)
        items = pd.DataFrame(mat, columns=codes, index=self.respondents.index)
        out = pd.concat([self.respondents.reset_index(drop=True), items.reset_index(drop=True)], axis=1)
        if include_missing_reasons and len(resp):
            reasons = resp.dropna(subset=["missing_reason"]).pivot(
                index="respondent_id", columns="item", values="missing_reason"
            )
            reasons.columns = [f"{c}__missing" for c in reasons.columns]
            out = out.merge(reasons, left_on="respondent_id", right_index=True, how="left")
        return out

    def wave_order(self, declared: Sequence[str] | None = None) -> list[str]:
        """The wave labels of the respondents in order, earliest first.

        Parameters
        ----------
        declared : sequence of str, optional
            An explicit order (``baustein analyse --wave-order``); labels present in the data but
            not declared follow it, in the order below. Without it the manifest's
            ``wave_order`` (if an import recorded one) is used.

        Notes
        -----
        Numeric labels ("2025", "2027", "1", "2") are sorted by their value. Otherwise labels are
        ordered by the median submission date of their respondents (``submitted_at``); labels
        without any date come last, in natural order ("W2" before "W10").

        >>> ds = Dataset(pd.DataFrame({"respondent_id": ["a", "b"], "wave": ["2027", "2025"]}),
        ...              pd.DataFrame(), pd.DataFrame(), Instrument.load("sensibilisierung"))
        >>> ds.wave_order()
        ['2025', '2027']
        """
        resp = self.respondents
        if "wave" not in resp.columns:
            return []
        waves = resp["wave"].astype("string").str.strip()
        labels = sorted({str(w) for w in waves.dropna() if str(w)}, key=natural_key)
        declared = list(declared) if declared is not None else list(self.manifest.get("wave_order") or [])
        first = [str(w) for w in declared if str(w) in labels]
        rest = [w for w in labels if w not in first]
        numeric = pd.to_numeric(pd.Series(rest, dtype=object), errors="coerce")
        if rest and numeric.notna().all():
            rest = [w for _, w in sorted(zip(numeric.tolist(), rest, strict=True))]
        elif rest and "submitted_at" in resp.columns:
            when = pd.to_datetime(resp["submitted_at"], errors="coerce", utc=True)
            med = when.groupby(waves.to_numpy()).median()
            dated = sorted((w for w in rest if pd.notna(med.get(w))), key=lambda w: (med[w], natural_key(w)))
            rest = dated + [w for w in rest if w not in dated]
        return first + rest

    def analysis_frame(self) -> pd.DataFrame:
        """Respondent-level wide frame joined with municipality facts (for :func:`analysis.run`)."""
        wide = self.wide()
        muni = self.municipalities.drop(columns=[c for c in ("state",) if c in self.municipalities], errors="ignore")
        return wide.merge(muni, on="ags", how="left", suffixes=("", "_municipality"))
