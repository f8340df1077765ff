"""The analysis results cached beside the dataset, so one report build computes them once.

* :func:`run_cached` -- :func:`analysis.run` with a cache in ``<dataset>/.cache`` keyed by the
  dataset's files, the configuration and the tool version;
* :func:`results_to_folder` / :func:`results_from_folder` -- results as Parquet tables plus JSON
  (docs, config, metadata). Never pickle: a dataset folder received from someone else cannot run
  code when its cache is read.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from analysis import AnalysisConfig, Results, TableDoc, run
from analysis.pipeline import tool_version
from analysis.table_catalogue import cells_fingerprint

__all__ = ["results_from_folder", "results_to_folder", "run_cached"]


def results_to_folder(results: Results, folder: str | Path) -> None:
    """Store the tables as Parquet and docs/config/meta as JSON (no pickle: safe to load).

    Fitted model objects are not stored. Raises on a table that Parquet cannot hold.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    names = list(results.tables)
    for i, name in enumerate(names):
        results.tables[name].to_parquet(folder / f"t{i:03d}.parquet", index=False)
    meta = {
        "tables": names,
        "docs": {k: dataclasses.asdict(v) for k, v in results.docs.items()},
        "config": results.config.to_dict(),
        "meta": dict(results.meta),
    }
    (folder / "results.json").write_text(json.dumps(meta, ensure_ascii=False, default=str), encoding="utf-8")


def results_from_folder(folder: str | Path) -> Results:
    """Inverse of :func:`results_to_folder` (models are not restored)."""

    folder = Path(folder)
    meta = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    tables = {name: pd.read_parquet(folder / f"t{i:03d}.parquet") for i, name in enumerate(meta["tables"])}
    docs = {
        k: TableDoc(**{**v, "columns": {c: tuple(h) for c, h in v["columns"].items()},
                       "group_columns": tuple(v.get("group_columns", ())), "n_columns": tuple(v.get("n_columns", ()))})
        for k, v in meta["docs"].items()
    }
    cfg = meta["config"]
    cfg["p_adjust"] = tuple(cfg.get("p_adjust", ()))
    return Results(tables=tables, docs=docs, config=AnalysisConfig(**cfg), meta=meta["meta"])


def _fingerprint(dataset_dir: Path, config: AnalysisConfig) -> str:
    h = hashlib.sha256()
    for name in ("respondents.parquet", "responses.parquet", "municipalities.parquet", "instrument.yaml"):
        p = dataset_dir / name
        if p.exists():
            st = p.stat()
            h.update(f"{name}:{st.st_size}:{st.st_mtime_ns}".encode())
    h.update(json.dumps(config.to_dict(), sort_keys=True).encode())
    h.update(tool_version().encode())
    h.update(cells_fingerprint().encode())  # results from before the complementary suppression are not reused
    return h.hexdigest()[:16]


def run_cached(dataset: Any, config: AnalysisConfig, dataset_dir: str | Path) -> Results:
    """:func:`run` with a cache in ``<dataset_dir>/.cache`` keyed by the files and the config.

    Notebooks and the report builder call this so that one report build computes the analysis
    once, however many notebooks and profiles it executes. The cache holds Parquet tables and
    JSON only (never pickle), so a dataset folder received from someone else cannot run code.
    """

    dataset_dir = Path(dataset_dir)
    cache = dataset_dir / ".cache" / f"results-{_fingerprint(dataset_dir, config)}"
    if (cache / "results.json").exists():
        try:
            return results_from_folder(cache)
        except Exception:  # unreadable cache: recompute
            shutil.rmtree(cache, ignore_errors=True)
    res = run(dataset, config)
    try:
        cache.parent.mkdir(exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=cache.parent))
        results_to_folder(res, tmp)
        tmp.replace(cache)
    except Exception:  # read-only folder or a table Parquet cannot hold: just don't cache
        shutil.rmtree(tmp, ignore_errors=True) if "tmp" in locals() else None
    return res
