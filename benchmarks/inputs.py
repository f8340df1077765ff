"""Benchmark inputs: sizes per scale, generated once with the seeded generator and cached.

Everything lives under ``benchmarks/.cache/<scale>/`` (gitignored). Each input folder carries a
``bench_params.json`` with the parameters that made it; a folder whose parameters differ (or that
is incomplete) is regenerated. Generator code changes do *not* invalidate the cache (regenerating
1,100 workbooks takes minutes); pass ``--regenerate`` to :mod:`run` for that. The SHA-256 of the
generator modules is stored alongside for the record.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(__file__).resolve().parent / ".cache"
SEED = 20_251_125
#: Bump when the meaning of a cached input changes.
INPUT_VERSION = 1


@dataclass(frozen=True)
class Scale:
    """Sizes of one benchmark scale.

    ``w1``/``w2``: (municipalities, respondents per municipality) of the template workbooks and of
    the single Kobo export. ``w1_baseline_files``: how many of W1's workbooks the openpyxl
    baseline reads (None = all; else extrapolated linearly by rows). ``w2_baseline``: size of the
    smaller Kobo file the baseline reads (None = the W2 file itself). ``w4``: national analysis
    size; ``w4_scaling``: municipality counts for the scaling exponent (same respondents per
    municipality). ``w5_profiles``: None = all municipalities, else the first k (W5 HTML reports
    and W6 PDF/Word files).
    """

    name: str
    w1: tuple[int, int]
    w2: tuple[int, int]
    w1_baseline_files: int | None
    w2_baseline: tuple[int, int] | None
    w4: tuple[int, int]
    w4_scaling: tuple[int, ...]
    w5_profiles: int | None
    workloads: tuple[str, ...]
    notes: dict[str, str] = field(default_factory=dict)


SCALES: dict[str, Scale] = {
    "smoke": Scale(
        name="smoke",
        w1=(8, 20),
        w2=(20, 100),
        w1_baseline_files=None,
        w2_baseline=None,
        w4=(30, 30),
        w4_scaling=(10, 20, 30),
        w5_profiles=1,
        workloads=("W1", "W2", "LOAD", "W3", "W4", "W5", "W6"),
    ),
    "state": Scale(
        name="state",
        w1=(1_100, 200),
        w2=(1_100, 200),
        w1_baseline_files=110,
        w2_baseline=(110, 200),
        w4=(1_100, 200),
        w4_scaling=(),
        w5_profiles=None,
        workloads=("W1", "W2", "LOAD", "W3", "W5", "W6"),
    ),
    "national": Scale(
        name="national",
        w1=(1_100, 200),
        w2=(1_100, 200),
        w1_baseline_files=110,
        w2_baseline=(110, 200),
        w4=(10_800, 100),
        w4_scaling=(1_350, 2_700, 5_400, 10_800),
        w5_profiles=None,
        workloads=("W4",),
    ),
}


def _generator_hash() -> str:
    h = hashlib.sha256()
    for rel in ("surveys/generate.py", "surveys/generate_writers.py", "surveys/template.py", "surveys/dataset.py"):
        p = ROOT / rel
        if p.exists():
            h.update(p.read_bytes())
    return h.hexdigest()[:16]


def _fresh(folder: Path, params: dict[str, Any], regenerate: bool) -> bool:
    stamp = folder / "bench_params.json"
    if regenerate or not stamp.exists():
        return False
    try:
        old = json.loads(stamp.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return old.get("params") == params


def _stamp(folder: Path, params: dict[str, Any], seconds: float, extra: dict[str, Any] | None = None) -> None:
    rec = {"params": params, "generator_sha": _generator_hash(), "seconds": round(seconds, 1), **(extra or {})}
    (folder / "bench_params.json").write_text(json.dumps(rec, indent=2) + "\n", encoding="utf-8")


def _simulate(n: int, per: int) -> Any:
    from surveys.synthetic import simulate

    return simulate(n, per, SEED, population_truth_n=None)


def excel_inputs(scale: Scale, fmt: str, size: tuple[int, int], tag: str, regenerate: bool = False,
                 log: Any = print) -> Path:
    """Folder with generated ``fmt`` files of ``size`` (generated on first use)."""
    folder = CACHE / scale.name / tag
    params = {"v": INPUT_VERSION, "format": fmt, "municipalities": size[0], "respondents_per": size[1],
              "seed": SEED}
    if _fresh(folder, params, regenerate):
        return folder
    from surveys.synthetic import write_format

    log(f"[inputs] generating {tag}: {fmt}, {size[0]:,} municipalities x {size[1]} respondents ...")
    t = time.perf_counter()
    prog = _simulate(*size)
    folder.parent.mkdir(parents=True, exist_ok=True)
    if folder.exists():
        shutil.rmtree(folder)
    gen = write_format(prog, fmt, folder)
    secs = time.perf_counter() - t
    _stamp(folder, params, secs, {"rows": gen.n_rows, "files": len(gen.data_files)})
    log(f"[inputs] {tag}: {len(gen.data_files):,} files, {gen.n_rows:,} rows in {secs:.0f} s")
    return folder


def data_files(folder: Path) -> list[Path]:
    """The response files in a generated folder (sorted; ground truth and kommunen.csv excluded)."""
    return sorted(p for p in folder.iterdir() if p.suffix == ".xlsx")


def rows_of(folder: Path) -> int:
    return int(json.loads((folder / "bench_params.json").read_text(encoding="utf-8"))["rows"])


def parquet_dataset(scale: Scale, size: tuple[int, int], regenerate: bool = False, log: Any = print) -> Path:
    """A dataset folder built directly from the simulated wide frame (no Excel): W4 inputs."""
    tag = f"dataset_{size[0]}x{size[1]}"
    folder = CACHE / "datasets" / tag  # shared by scales: same parameters, same data
    params = {"v": INPUT_VERSION, "municipalities": size[0], "respondents_per": size[1], "seed": SEED}
    if _fresh(folder, params, regenerate) and (folder / "responses.parquet").exists():
        return folder
    from surveys.dataset import Dataset

    log(f"[inputs] generating {tag} as Parquet (Dataset.from_wide) ...")
    t = time.perf_counter()
    prog = _simulate(*size)
    ds = Dataset.from_wide(prog.wide, prog.municipalities, prog.instrument,
                           manifest={"dataset_name": tag, "generator": {"seed": SEED, "size": list(size)}})
    rows = len(ds.respondents)
    del prog
    folder.parent.mkdir(parents=True, exist_ok=True)
    ds.save(folder)
    secs = time.perf_counter() - t
    _stamp(folder, params, secs, {"rows": rows})
    log(f"[inputs] {tag}: {rows:,} respondents in {secs:.0f} s")
    return folder


def import_dataset_dir(scale: Scale) -> Path:
    """Where W1's import writes its dataset (reused by LOAD, W3 and W5)."""
    return CACHE / scale.name / "w1_dataset"
