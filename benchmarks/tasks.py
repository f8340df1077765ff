"""The measured tasks. Each runs inside a fresh worker process (:mod:`worker`).

Every task has two parts: ``prepare_<name>(**args)`` (imports and anything that must not be
timed) and ``task_<name>(**args) -> dict`` (the timed section). The returned dict holds at least
``rows`` and may add notes (row counts, findings, sub-timings).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

# ---------------------------------------------------------------- helpers


def _files(folder: str, limit: int | None = None) -> list[Path]:
    files = sorted(p for p in Path(folder).iterdir() if p.suffix == ".xlsx")
    return files[:limit] if limit else files


def _analysis_api() -> tuple[Any, Any]:
    """``(run, AnalysisConfig)`` or raise ``ImportError`` when analysis.run does not exist yet."""
    try:
        from analysis import run  # type: ignore[attr-defined]
    except ImportError:
        from analysis.pipeline import run  # type: ignore[import-not-found,no-redef]
    try:
        from analysis import AnalysisConfig  # type: ignore[attr-defined]
    except ImportError:
        from analysis.results import AnalysisConfig  # type: ignore[no-redef]
    return run, AnalysisConfig


def availability() -> dict[str, str | None]:
    """Which optional components exist: name -> None if available, else the reason."""
    out: dict[str, str | None] = {}
    try:
        _analysis_api()
        out["analysis"] = None
    except Exception as exc:
        out["analysis"] = f"analysis.run not importable ({type(exc).__name__}: {exc})"
    try:
        from reporting.build import build_reports  # noqa: F401
        from reporting.results_cache import run_cached  # type: ignore[import-not-found]  # noqa: F401

        out["reports"] = None
    except Exception as exc:
        out["reports"] = f"reporting.build.build_reports or analysis.pipeline.run_cached not importable ({type(exc).__name__}: {exc})"
    return out


# ---------------------------------------------------------------- our importer (W1, W2)
def prepare_import(**_: Any) -> None:
    import pandas  # noqa: F401
    import pyarrow.parquet  # noqa: F401

    import surveys.importing
    import surveys.importing.pipeline  # noqa: F401


def task_import(inputs: str, out: str, jobs: int, municipalities: str | None = None, **_: Any) -> dict[str, Any]:
    """End to end: read, normalise, validate, write Parquet + manifest + rejection report.

    The response workbooks are passed as a file list: the generator's folder also holds
    ``ground_truth_scores.csv`` (and ``kommunen.csv``), which a folder import would read as
    response files. ``municipalities``: master list (``kommunen.csv`` of the Kobo export).
    """
    from surveys.importing import read_responses, write_import

    res = read_responses([str(f) for f in _files(inputs)], "sensibilisierung", municipalities=municipalities,
                         jobs=jobs, progress=False)
    write_import(res, out)
    t = res.manifest["totals"]
    return {
        "rows": int(t["rows_in"]),
        "rows_accepted": int(t["rows_accepted"]),
        "rows_rejected": int(t["rows_rejected"]),
        "files": int(t["files"]),
        "findings": t.get("findings", {}),
        "jobs_used": res.manifest["run"]["jobs"],
    }


# ---------------------------------------------------------------- floor (W1, W2)
def prepare_floor(**_: Any) -> None:
    import fastexcel  # noqa: F401
    import pyarrow  # noqa: F401


def task_floor(inputs: str, sheets: list[str] | None = None, **_: Any) -> dict[str, Any]:
    """The same cells read by fastexcel alone: one process, Arrow tables, no validation.

    ``sheets``: the sheet names carrying data (template: answers + municipalities); None = the
    first sheet.
    """
    import fastexcel

    rows = cells = 0
    for f in _files(inputs):
        reader = fastexcel.read_excel(str(f))
        names = sheets if sheets else reader.sheet_names[:1]
        for name in names:
            tbl = reader.load_sheet(name).to_arrow()
            if name == names[0]:
                rows += tbl.num_rows
            cells += tbl.num_rows * tbl.num_columns
    return {"rows": rows, "cells": cells}


def task_floor_calamine(inputs: str, sheets: list[str] | None = None, **_: Any) -> dict[str, Any]:
    """Alternative floor: python-calamine ``to_python()`` (lists of Python values)."""
    from python_calamine import CalamineWorkbook

    rows = 0
    for f in _files(inputs):
        wb = CalamineWorkbook.from_path(str(f))
        names = sheets if sheets else wb.sheet_names[:1]
        for name in names:
            data = wb.get_sheet_by_name(name).to_python()
            if name == names[0]:
                rows += max(len(data) - 1, 0)
    return {"rows": rows}


# ---------------------------------------------------------------- baseline (W1, W2)
def prepare_baseline(**_: Any) -> None:
    import openpyxl  # noqa: F401
    import pandas  # noqa: F401


def task_baseline(inputs: str, sheet: str | int = 0, limit: int | None = None, **_: Any) -> dict[str, Any]:
    """The usual baseline: ``pandas.read_excel(engine="openpyxl")`` per file + ``pd.concat``."""
    import pandas as pd

    frames = [pd.read_excel(f, sheet_name=sheet, engine="openpyxl") for f in _files(inputs, limit)]
    df = pd.concat(frames, ignore_index=True)
    return {"rows": len(df), "files": len(frames)}


# ---------------------------------------------------------------- Parquet load
def prepare_load(**_: Any) -> None:
    import pyarrow.parquet  # noqa: F401

    import surveys.dataset  # noqa: F401


def task_load(dataset: str, **_: Any) -> dict[str, Any]:
    """``Dataset.load`` of the state dataset written by W1 (Parquet + manifest)."""
    from surveys.dataset import Dataset

    ds = Dataset.load(dataset)
    return {"rows": len(ds.respondents), "responses": len(ds.responses)}


def task_load_wide(dataset: str, **_: Any) -> dict[str, Any]:
    """``Dataset.load`` + ``analysis_frame()`` (what an analysis or a notebook needs first)."""
    from surveys.dataset import Dataset

    ds = Dataset.load(dataset)
    frame = ds.analysis_frame()
    return {"rows": len(frame)}


# ---------------------------------------------------------------- analysis (W3, W4)
def prepare_analysis(dataset: str, **_: Any) -> dict[str, Any]:
    """Load the dataset before the clock starts (load is measured as its own row)."""
    from surveys.dataset import Dataset

    _analysis_api()
    return {"ds": Dataset.load(dataset)}


def task_analysis(ds: Any, min_n: int = 5, **_: Any) -> dict[str, Any]:
    run, AnalysisConfig = _analysis_api()
    res = run(ds, AnalysisConfig(min_n=min_n))
    tables = getattr(res, "tables", {}) or {}
    return {"rows": len(ds.respondents), "tables": len(tables)}


# ---------------------------------------------------------------- reports (W5)
def prepare_reports(**_: Any) -> None:
    from reporting.build import build_reports  # noqa: F401
    from reporting.results_cache import run_cached  # type: ignore[import-not-found]  # noqa: F401


def task_reports(dataset: str, out: str, profiles: int | None = None, all_profiles: bool = False,
                 documents: bool = False, **_: Any) -> dict[str, Any]:
    """``build_reports``: overview notebooks (+ profiles; with ``documents`` their PDF and Word files,
    W6). Sub-timings from ``build.timings``."""
    import pandas as pd

    from reporting.build import build_reports

    munis: list[str] | None = None
    if profiles and not all_profiles:
        resp = pd.read_parquet(Path(dataset) / "respondents.parquet", columns=["ags"])
        counts = resp["ags"].value_counts()
        munis = sorted(counts[counts >= 5].index.astype(str))[:profiles]
    build = build_reports(dataset, out, municipalities=munis, all_municipalities=all_profiles, images=False,
                          pdf=documents, docx=documents)
    n_rows = len(pd.read_parquet(Path(dataset) / "respondents.parquet", columns=["ags"]))
    shutil.rmtree(out, ignore_errors=True)
    return {"rows": n_rows, "profiles": len(build.profiles),
            "timings": {k: round(float(v), 3) for k, v in build.timings.items()}}


TASKS = {
    "import": (prepare_import, task_import),
    "floor": (prepare_floor, task_floor),
    "floor_calamine": (prepare_floor, task_floor_calamine),
    "baseline": (prepare_baseline, task_baseline),
    "load": (prepare_load, task_load),
    "load_wide": (prepare_load, task_load_wide),
    "analysis": (prepare_analysis, task_analysis),
    "reports": (prepare_reports, task_reports),
}
