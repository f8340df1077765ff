"""Benchmark harness of issue 6: ``python benchmarks/run.py --scale {smoke,state,national}``.

Generates (and caches) the inputs with the seeded generator, runs every workload side by side with
its reading floor and its usual baseline, each measurement in a fresh process, and prints one
table (median of ``--repeats`` runs with min–max, CPU seconds, rows/s, peak RSS, ratio to floor
and to baseline, target, met?). ``--json FILE`` writes everything measured. See
``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
os.environ["OPENBLAS_NUM_THREADS"] = "1"  # the trap of GUIDE §5: always single-threaded BLAS

import inputs as bi  # noqa: E402

OUT = HERE / "out"
GB = 1024.0


# ---------------------------------------------------------------- specs
@dataclass
class Row:
    """One line of the table: a workload variant measured ``repeats`` times."""

    id: str
    workload: str
    label: str
    task: str | None
    args: dict[str, Any] = field(default_factory=dict)
    size: str = ""
    role: str = "ours"  # ours | floor | baseline | info | derived
    target: str = ""
    #: (most times the floor, least times faster than the baseline) the target asks for
    limits: tuple[float, float] | None = None
    extrapolate_to_rows: int | None = None
    unavailable: str | None = None
    # filled in
    runs: list[dict[str, Any]] = field(default_factory=list)
    status: str = "pending"
    error: str | None = None
    stats: dict[str, Any] = field(default_factory=dict)
    met: str = ""
    note: str = ""


def _fmt_n(n: int) -> str:
    return f"{n:,}"


def build_rows(scale: bi.Scale, only: set[str] | None, avail: dict[str, str | None], regenerate: bool,
               log: Any) -> list[Row]:
    """Prepare inputs (cached) and the rows of every selected workload."""
    from surveys.formats import TEMPLATE_MUNICIPALITIES_SHEET, TEMPLATE_RESPONSES_SHEET

    def want(w: str) -> bool:
        return w in scale.workloads and (only is None or w in only)

    rows: list[Row] = []
    ds_dir = bi.import_dataset_dir(scale)
    cache = bi.CACHE / scale.name
    if want("W1") or ((want("LOAD") or want("W3") or want("W5") or want("W6"))
                      and not (ds_dir / "manifest.json").exists()):
        w1 = bi.excel_inputs(scale, "template", scale.w1, "w1_template", regenerate, log)
        n1 = bi.rows_of(w1)
        nfiles = len(bi.data_files(w1))
        size = f"{nfiles:,} files, {_fmt_n(n1)} rows"
        rows += [
            Row("W1.import.j1", "W1", "W1 import, 1 process", "import",
                {"inputs": str(w1), "out": str(ds_dir), "jobs": 1}, size, "ours",
                "<=3x floor, >=10x faster than baseline", (3.0, 10.0)),
            Row("W1.import.j2", "W1", "W1 import, 2 processes", "import",
                {"inputs": str(w1), "out": str(cache / "w1_dataset_j2"), "jobs": 2}, size, "ours",
                "<=2x floor, >=10x faster than baseline", (2.0, 10.0)),
            Row("W1.floor", "W1", "W1 floor: fastexcel->Arrow", "floor",
                {"inputs": str(w1), "sheets": [TEMPLATE_RESPONSES_SHEET, TEMPLATE_MUNICIPALITIES_SHEET]},
                size + " (answer + Kommunen sheets)", "floor"),
        ]
        lim = scale.w1_baseline_files
        bsize = size if not lim or lim >= nfiles else f"{lim:,} of {nfiles:,} files measured, x rows extrapolated"
        rows.append(Row("W1.baseline", "W1", "W1 baseline: pd.read_excel(openpyxl)+concat", "baseline",
                        {"inputs": str(w1), "sheet": TEMPLATE_RESPONSES_SHEET, "limit": lim}, bsize, "baseline",
                        extrapolate_to_rows=n1 if lim and lim < nfiles else None))
        if not want("W1"):
            rows = [r for r in rows if r.id == "W1.import.j1"]  # only to create the dataset
            rows[0].role = "setup"
    if want("W2"):
        w2 = bi.excel_inputs(scale, "kobo", scale.w2, "w2_kobo", regenerate, log)
        n2 = bi.rows_of(w2)
        size = f"1 Kobo xlsx, {_fmt_n(n2)} rows"
        rows += [
            Row("W2.import.j2", "W2", "W2 import (one file, 2 processes)", "import",
                {"inputs": str(w2), "out": str(cache / "w2_dataset"), "jobs": 2,
                 "municipalities": str(w2 / "kommunen.csv")}, size + " + kommunen.csv", "ours",
                "<=1.5x floor, >=10x faster than baseline", (1.5, 10.0)),
            Row("W2.import.j1", "W2", "W2 import (one file, 1 process)", "import",
                {"inputs": str(w2), "out": str(cache / "w2_dataset_j1"), "jobs": 1,
                 "municipalities": str(w2 / "kommunen.csv")}, size + " + kommunen.csv", "ours",
                "(1 process: CPU and profile)"),
            Row("W2.floor", "W2", "W2 floor: fastexcel->Arrow", "floor", {"inputs": str(w2)}, size, "floor"),
        ]
        if scale.w2_baseline:
            wb = bi.excel_inputs(scale, "kobo", scale.w2_baseline, "w2_kobo_baseline", regenerate, log)
            nb = bi.rows_of(wb)
            rows.append(Row("W2.baseline", "W2", "W2 baseline: pd.read_excel(openpyxl)", "baseline",
                            {"inputs": str(wb)}, f"{_fmt_n(nb)}-row file measured, x rows extrapolated",
                            "baseline", extrapolate_to_rows=n2))
        else:
            rows.append(Row("W2.baseline", "W2", "W2 baseline: pd.read_excel(openpyxl)", "baseline",
                            {"inputs": str(w2)}, size, "baseline"))
    if want("LOAD"):
        rows += [
            Row("LOAD", "LOAD", "Dataset.load (Parquet) of W1's dataset", "load", {"dataset": str(ds_dir)},
                "W1 dataset", "ours", "< 2 s"),
            Row("LOAD.frame", "LOAD", "Dataset.load + analysis_frame()", "load_wide", {"dataset": str(ds_dir)},
                "W1 dataset", "info"),
        ]
    if want("W3"):
        rows.append(Row("W3", "W3", "W3 analysis.run on W1's dataset", "analysis", {"dataset": str(ds_dir)},
                        f"{scale.w1[0]:,} x {scale.w1[1]}", "ours", "< 30 s", unavailable=avail["analysis"]))
    if want("W4"):
        sizes = list(scale.w4_scaling) or [scale.w4[0]]
        if scale.w4[0] not in sizes:
            sizes.append(scale.w4[0])
        for n in sorted(sizes):
            size = (n, scale.w4[1])
            main = n == scale.w4[0]
            d = bi.parquet_dataset(scale, size, regenerate, log) if avail["analysis"] is None else None
            rows.append(Row("W4" if main else f"W4.scale.{n}", "W4",
                            "W4 analysis.run (national)" if main else f"W4 scaling point {n:,} municipalities",
                            "analysis", {"dataset": str(d)}, f"{n:,} x {scale.w4[1]} = {_fmt_n(n * scale.w4[1])} rows",
                            "ours" if main else "info", "< 180 s, < 8 GB" if main else "",
                            unavailable=avail["analysis"]))
        if len(scale.w4_scaling) >= 3:
            rows.append(Row("W4.exponent", "W4", "W4 scaling exponent (log-log slope of wall s vs rows)", None,
                            {}, "sizes " + "/".join(f"{n:,}" for n in sorted(sizes)), "derived", "<= 1.15",
                            unavailable=avail["analysis"]))
    if want("W5"):
        n_prof = scale.w5_profiles
        args = {"dataset": str(ds_dir), "out": str(cache / "w5_reports"),
                "profiles": n_prof, "all_profiles": n_prof is None}
        what = "all municipalities" if n_prof is None else f"{n_prof} municipality(ies)"
        rows += [
            Row("W5", "W5", f"W5 build_reports: overview + profiles of {what}", "reports", args, what, "info",
                unavailable=avail["reports"]),
            Row("W5.overview", "W5", "W5 overview notebooks (build.timings)", None, {}, "4 notebooks", "derived",
                "< 60 s", unavailable=avail["reports"]),
            Row("W5.profiles", "W5", f"W5 profiles, {what} (build.timings)", None, {}, what, "derived",
                "< 600 s for 1,100", unavailable=avail["reports"]),
        ]
    if want("W6"):
        n_prof = scale.w5_profiles
        what = "all municipalities" if n_prof is None else f"{n_prof} municipality(ies)"
        args = {"dataset": str(ds_dir), "out": str(cache / "w6_reports"), "profiles": n_prof,
                "all_profiles": n_prof is None, "documents": True}
        rows += [
            Row("W6", "W6", f"W6 build_reports --pdf --docx: {what}", "reports", args, what, "info",
                unavailable=avail["reports"]),
            Row("W6.documents", "W6", f"W6 PDF + Word + ZIP of {what} and the state overview (build.timings)", None,
                {}, what, "derived", "< 900 s for 1,100", unavailable=avail["reports"]),
            Row("W6.html", "W6", f"W6 HTML pages of {what} before printing (build.timings)", None, {}, what,
                "derived", "", unavailable=avail["reports"]),
        ]
    return rows


# ---------------------------------------------------------------- measuring
def measure(row: Row, timeout: float, profile: Path | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"task": row.task, "args": row.args}
    if profile is not None:
        spec["profile"] = str(profile)
    # own session: on timeout or interrupt the whole tree (pool workers, kernels) is ended
    proc = subprocess.Popen([sys.executable, str(HERE / "worker.py"), json.dumps(spec)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except BaseException:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)  # leftovers of the session (e.g. a forkserver)
    for line in stdout.splitlines():
        if line.startswith("BENCH_RESULT "):
            return json.loads(line[len("BENCH_RESULT "):])
    text = re.sub(r"\x1b\[[0-9;]*m", "", stderr or stdout)
    tail = [ln.strip() for ln in text.strip().splitlines()[-12:] if ln.strip()]
    raise RuntimeError(f"exit {proc.returncode}: " + " | ".join(tail))


def _summary(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def finish_row(row: Row) -> None:
    ok = [r for r in row.runs if "wall_s" in r]
    if not ok:
        return
    factor = 1.0
    measured_rows = ok[0]["result"].get("rows", 0)
    if row.extrapolate_to_rows and measured_rows:
        factor = row.extrapolate_to_rows / measured_rows
    wall = [r["wall_s"] * factor for r in ok]
    cpu = [r["cpu_s"] * factor for r in ok]
    rows_n = row.extrapolate_to_rows or measured_rows
    row.stats = {
        "wall_s": _summary(wall),
        "cpu_s": _summary(cpu),
        "peak_rss_mb": max(r["peak_rss_mb"] for r in ok),
        "rows": rows_n,
        "rows_per_s": rows_n / statistics.median(wall) if rows_n else None,
        "n": len(ok),
        "extrapolation_factor": factor if factor != 1.0 else None,
        "measured_rows": measured_rows,
        "measured_wall_s": _summary([r["wall_s"] for r in ok]),
        "load1": [round(r["load1"], 2) for r in ok],
        "import_s": _summary([r["import_s"] for r in ok]),
    }
    row.status = "ok"


def derive(rows: list[Row]) -> None:
    """W5/W6 sub-timings and the W4 exponent, computed from measured rows."""
    by = {r.id: r for r in rows}
    for key, parent, subs in (("W5.overview", "W5", ("overview",)), ("W5.profiles", "W5", ("profiles",)),
                              ("W6.documents", "W6", ("documents",)), ("W6.html", "W6", ("overview", "profiles"))):
        r = by.get(key)
        w5 = by.get(parent)
        if r is None or w5 is None or w5.status != "ok" or r.unavailable:
            continue
        vals = [sum(x["result"]["timings"].get(sub, 0.0) for sub in subs) for x in w5.runs if "result" in x]
        vals = [v for v in vals if v]
        sub = subs[-1]
        if vals:
            n = w5.runs[0]["result"].get("profiles", 0)
            r.stats = {"wall_s": _summary(vals), "rows": w5.stats["rows"], "n": len(vals),
                       "peak_rss_mb": w5.stats["peak_rss_mb"], "profiles": n,
                       "rows_per_s": None}
            if sub == "profiles" and n:
                r.stats["s_per_profile"] = statistics.median(vals) / n
                r.note = f"{n} profiles, {statistics.median(vals) / n:.2f} s each"
            if sub == "documents" and n:
                runs = [x["result"]["timings"] for x in w5.runs if "result" in x]
                prof = statistics.median(t.get("documents_profiles", 0.0) for t in runs)
                over = statistics.median(t.get("documents_overview", 0.0) for t in runs)
                r.stats.update(s_per_profile=prof / n, overview_s=over, profiles_s=prof)
                r.note = (f"{n} profiles: {prof:.0f} s, {prof / n:.2f} s each (incl. starting Chromium); "
                          f"state overview {over:.0f} s")
            r.status = "ok"
    exp = by.get("W4.exponent")
    if exp is not None and not exp.unavailable:
        pts = [(r.stats["rows"], r.stats["wall_s"]["median"]) for r in rows
               if r.workload == "W4" and r.task == "analysis" and r.status == "ok"]
        if len(pts) >= 3:
            xs = [math.log(p[0]) for p in pts]
            ys = [math.log(p[1]) for p in pts]
            mx, my = statistics.fmean(xs), statistics.fmean(ys)
            slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)
            cpts = [(r.stats["rows"], r.stats["cpu_s"]["median"]) for r in rows
                    if r.workload == "W4" and r.task == "analysis" and r.status == "ok"]
            cys = [math.log(p[1]) for p in cpts]
            cmy = statistics.fmean(cys)
            cslope = sum((x - mx) * (y - cmy) for x, y in zip(xs, cys, strict=True)) / sum((x - mx) ** 2 for x in xs)
            exp.stats = {"exponent_wall": slope, "exponent_cpu": cslope, "points": pts}
            exp.status = "ok"


def judge(rows: list[Row], scale: str) -> None:
    by = {r.id: r for r in rows}
    for r in rows:
        if r.status != "ok":
            continue
        floor = by.get(f"{r.workload}.floor")
        base = by.get(f"{r.workload}.baseline")
        med = r.stats.get("wall_s", {}).get("median")
        if med and floor is not None and floor.status == "ok" and r.role in ("ours", "baseline", "floor"):
            r.stats["x_floor"] = med / floor.stats["wall_s"]["median"]
            r.stats["x_floor_cpu"] = r.stats["cpu_s"]["median"] / floor.stats["cpu_s"]["median"]
        if med and base is not None and base.status == "ok" and r.role in ("ours", "floor"):
            r.stats["speedup_vs_baseline"] = base.stats["wall_s"]["median"] / med
            r.stats["speedup_vs_baseline_cpu"] = base.stats["cpu_s"]["median"] / r.stats["cpu_s"]["median"]
        met: bool | None = None
        if r.workload in ("W1", "W2") and r.role == "ours":
            xf, sp = r.stats.get("x_floor"), r.stats.get("speedup_vs_baseline")
            if xf is not None and sp is not None and r.limits is not None:
                met = xf <= r.limits[0] and sp >= r.limits[1]
        elif r.id == "LOAD":
            met = med < 2
        elif r.id == "W3":
            met = med < 30
        elif r.id == "W4":
            met = med < 180 and r.stats["peak_rss_mb"] < 8 * GB
        elif r.id == "W4.exponent":
            met = r.stats["exponent_wall"] <= 1.15
        elif r.id == "W5.overview":
            met = med < 60
        elif r.id == "W5.profiles":
            n = r.stats.get("profiles") or 0
            met = (med / n * 1100 < 600) if n else None
            if n and n < 1100:
                r.note += f"; x1,100 extrapolated: {med / n * 1100:.0f} s"
        elif r.id == "W6.documents":
            n = r.stats.get("profiles") or 0
            total = med if n >= 1100 else r.stats.get("overview_s", 0.0) + r.stats.get("s_per_profile", 0.0) * 1100
            met = total < 900 if n else None
            if n and n < 1100:
                r.note += f"; for 1,100 profiles extrapolated: {total:.0f} s"
        if met is not None:
            r.met = ("yes" if met else "NO") + (" (smoke: not a target)" if scale == "smoke" else "")


# ---------------------------------------------------------------- output
def _s(x: float | None) -> str:
    if x is None:
        return "–"
    if x >= 100:
        return f"{x:,.0f}"
    if x >= 10:
        return f"{x:.1f}"
    if x >= 1:
        return f"{x:.2f}"
    return f"{x:.3f}"


def table(rows: list[Row]) -> str:
    head = ["workload", "size", "median s (min–max)", "CPU s", "rows/s", "peak RSS MB", "x floor (CPU)",
            "vs baseline (CPU)", "target", "met?"]
    lines = []
    for r in rows:
        if r.role == "setup":
            continue
        st = r.stats
        if r.status != "ok":
            why = r.unavailable or (r.error or "").split(" | ")[-1] or r.status
            lines.append([r.label, r.size, "not available" if r.unavailable else "ERROR", "", "", "", "", "",
                          r.target, why[:90]])
            continue
        if r.id == "W4.exponent":
            lines.append([r.label, r.size, f"slope {st['exponent_wall']:.2f} (CPU {st['exponent_cpu']:.2f})",
                          "", "", "", "", "", r.target, r.met])
            continue
        w = st["wall_s"]
        med = f"{_s(w['median'])} ({_s(w['min'])}–{_s(w['max'])})"
        if st.get("extrapolation_factor"):
            med += f" [x{st['extrapolation_factor']:.1f}]"
        cpu = _s(st["cpu_s"]["median"]) if "cpu_s" in st else "–"
        rps = f"{st['rows_per_s']:,.0f}" if st.get("rows_per_s") else "–"
        xf = f"{st['x_floor']:.2f} ({st['x_floor_cpu']:.2f})" if "x_floor" in st and r.role != "floor" else ""
        sp = ""
        if "speedup_vs_baseline" in st:
            x, xc = st["speedup_vs_baseline"], st["speedup_vs_baseline_cpu"]
            sp = f"{x:.1f}x faster ({xc:.1f}x)" if x >= 1 else f"{1 / x:.1f}x slower ({1 / xc:.1f}x)"
        met = r.met + (f" ({r.note.strip('; ')})" if r.note else "")
        lines.append([r.label, r.size, med, cpu, rps, f"{st['peak_rss_mb']:,.0f}", xf, sp, r.target, met])
    widths = [max(len(str(x[i])) for x in [head, *lines]) for i in range(len(head))]
    out = ["| " + " | ".join(h.ljust(widths[i]) for i, h in enumerate(head)) + " |",
           "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    for ln in lines:
        out.append("| " + " | ".join(str(x).ljust(widths[i]) for i, x in enumerate(ln)) + " |")
    return "\n".join(out)


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {"date": time.strftime("%Y-%m-%d %H:%M %Z"), "nproc": os.cpu_count(),
                            "platform": platform.platform(),
                            "python": platform.python_version(), "load_avg_start": os.getloadavg()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["ram_gb"] = round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    versions = {}
    import importlib.metadata as md

    for pkg in ("pandas", "numpy", "pyarrow", "fastexcel", "python-calamine", "openpyxl", "xlsxwriter",
                "psutil", "pyinstrument", "baustein-eval"):
        try:
            versions[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            versions[pkg] = None
    info["versions"] = versions
    try:
        info["git"] = subprocess.run(["git", "-C", str(HERE.parent), "rev-parse", "--short", "HEAD"],
                                     capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(HERE.parent), "status", "--porcelain", "surveys", "analysis"],
                               capture_output=True, text=True).stdout
        info["git_dirty_files"] = len(dirty.splitlines())
    except OSError:
        pass
    return info


# ---------------------------------------------------------------- RESULTS.md
_HOW = """\
How to read the tables: every row ran `--repeats` times, each run in a fresh process
(`benchmarks/worker.py`), in rounds (all rows of a workload once per round, so that their ratios
share the machine's load). *median s* is wall seconds (min–max over the runs), *CPU s* user+sys of
the process and its worker processes; *x floor* is our wall median over the floor's (in
parentheses the same for CPU seconds), *vs baseline* the baseline's over ours. `[xN]`: the
baseline was measured on a subsample and extrapolated linearly by rows. On a shared machine wall
seconds include waiting for a core; CPU seconds are the steadier anchor, but two processes can
only halve wall time when a second core is free (the load average above each table). Workloads and targets:
`benchmarks/README.md`."""


def _rows_of(record: dict[str, Any]) -> list[Row]:
    names = {f.name for f in Row.__dataclass_fields__.values()}  # type: ignore[attr-defined]
    return [Row(**{k: v for k, v in r.items() if k in names}) for r in record["rows"]]


def results_markdown(records: list[dict[str, Any]], sources: list[str]) -> str:
    """``benchmarks/RESULTS.md`` from the JSON records of runs (``--json``): one section per run with
    its machine, load, versions and table; no prose beyond how to read it."""
    out = ["# Benchmark results", "",
           "Generated by `python benchmarks/run.py --results benchmarks/RESULTS.md --from-json "
           + " ".join(sources) + "` from the JSON those runs wrote; not edited by hand.", ""]
    for rec in records:
        m = rec["machine"]
        rows = _rows_of(rec)
        workloads = ", ".join(dict.fromkeys(r.workload for r in rows))
        loads = [x for r in rows for x in r.stats.get("load1", [])]
        out += [f"## {rec['scale']} scale: {workloads} ({m.get('date', 'date not recorded')})", "",
                "| | |", "|---|---|",
                f"| machine | {m.get('cpu', '?')}, {m.get('nproc')} cores, {m.get('ram_gb', '?')} GB RAM |",
                f"| system | {m.get('platform')}, CPython {m.get('python')} |",
                f"| load average (1 min) | {m['load_avg_start'][0]:.1f} at the start, {m['load_avg_end'][0]:.1f} at the "
                f"end; {min(loads):.1f}–{max(loads):.1f} before the runs |" if loads else
                f"| load average (1 min) | {m['load_avg_start'][0]:.1f} → {m['load_avg_end'][0]:.1f} |",
                f"| code | commit `{m.get('git', '?')}`"
                + (f", {m['git_dirty_files']} changed files in surveys/ or analysis/" if m.get("git_dirty_files") else "")
                + f"; {rec['repeats']} run(s) per row, {m.get('seconds_total', '?')} s in all |",
                "| versions | " + ", ".join(f"{k} {v}" for k, v in m.get("versions", {}).items() if v) + " |",
                "", table(rows), ""]
        if any(r.stats.get("extrapolation_factor") for r in rows):
            out += ["[xN] = baseline measured on a subsample and extrapolated linearly by rows (factor N).", ""]
    out += [_HOW, ""]
    return "\n".join(out)


# ---------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", choices=sorted(bi.SCALES), default="smoke")
    ap.add_argument("--only", help="comma-separated workloads (W1,W2,LOAD,W3,W4,W5,W6) or row ids (W1.floor)")
    ap.add_argument("--json", type=Path, help="write all measurements to this JSON file")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=3600, help="seconds per measurement")
    ap.add_argument("--regenerate", action="store_true", help="regenerate cached inputs")
    ap.add_argument("--profile", action="store_true",
                    help="also run each of our import/analysis rows once under pyinstrument (benchmarks/out/)")
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("--results", type=Path, help="write RESULTS.md (Markdown) from this run's JSON and --from-json")
    ap.add_argument("--from-json", type=Path, nargs="+", default=[],
                    help="with --results: earlier runs' JSON files; alone (no --scale run): only write RESULTS.md")
    a = ap.parse_args(argv)
    if a.from_json and a.results and "--scale" not in (argv if argv is not None else sys.argv[1:]):
        records = [json.loads(f.read_text(encoding="utf-8")) for f in a.from_json]
        a.results.write_text(results_markdown(records, [_rel(f) for f in a.from_json]), encoding="utf-8")
        print(f"[harness] {a.results} written from {len(records)} JSON file(s)", file=sys.stderr)
        return 0
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so measure() ends its process tree

    def log(msg: str) -> None:
        if not a.quiet:
            print(msg, file=sys.stderr, flush=True)

    scale = bi.SCALES[a.scale]
    tokens = {t.strip() for t in a.only.split(",")} if a.only else None
    only_w = {t.split(".")[0] for t in tokens} if tokens else None
    t0 = time.perf_counter()
    info = machine()
    import tasks

    avail = tasks.availability()
    for k, v in avail.items():
        if v:
            log(f"[harness] {k}: not available ({v})")
    rows = build_rows(scale, only_w, avail, a.regenerate, log)
    if tokens and any("." in t for t in tokens):
        rows = [r for r in rows if r.id in tokens or r.workload in tokens or r.role == "setup"]
    gen_s = time.perf_counter() - t0

    # setup rows (create W1's dataset when only LOAD/W3/W5 were asked for)
    for r in [r for r in rows if r.role == "setup"]:
        log(f"[setup] {r.label} (creates {r.args['out']})")
        measure(r, a.timeout)
    # measure in rounds: every variant of a workload once per round, so ratios share the load
    groups: dict[str, list[Row]] = {}
    for r in rows:
        if r.task and not r.unavailable and r.role != "setup":
            groups.setdefault(r.workload, []).append(r)
    for wl, grp in groups.items():
        reps = a.repeats
        for k in range(reps):
            for r in grp:
                if r.status == "error":
                    continue
                log(f"[{wl}] {r.label}: run {k + 1}/{reps} (load1 {os.getloadavg()[0]:.1f}) ...")
                try:
                    rec = measure(r, a.timeout)
                    r.runs.append(rec)
                    log(f"    {rec['wall_s']:.2f} s wall, {rec['cpu_s']:.2f} s CPU, "
                        f"{rec['peak_rss_mb']:.0f} MB, rows {rec['result'].get('rows')}")
                except Exception as exc:
                    r.status, r.error = "error", str(exc)[-400:]
                    log(f"    ERROR {r.error}")
        for r in grp:
            if r.status != "error":
                finish_row(r)
        if a.profile:
            for r in grp:
                # in-process rows only: pyinstrument does not see pool workers
                if r.role == "ours" and r.task in ("import", "analysis") and r.status == "ok" \
                        and r.args.get("jobs", 1) == 1:
                    path = OUT / f"profile_{a.scale}_{r.id.replace('.', '_')}"
                    log(f"[profile] {r.label} -> {path}.txt/.html")
                    try:
                        measure(r, a.timeout, profile=path)
                    except Exception as exc:
                        log(f"    profile failed: {exc}")
    derive(rows)
    judge(rows, a.scale)
    info["load_avg_end"] = os.getloadavg()
    info["seconds_total"] = round(time.perf_counter() - t0, 1)
    info["seconds_inputs"] = round(gen_s, 1)

    print(f"\nbaustein-eval benchmarks, scale={a.scale}, repeats={a.repeats}, "
          f"{info.get('cpu', '?')} x {info['nproc']}, load {info['load_avg_start'][0]:.1f} -> "
          f"{info['load_avg_end'][0]:.1f}; wall seconds (CPU = user+sys incl. worker processes)\n")
    print(table(rows))
    notes = [r for r in rows if r.stats.get("extrapolation_factor")]
    if notes:
        print("\n[xN] = baseline measured on a subsample and extrapolated linearly by rows (factor N).")
    if a.json:
        rec = {"scale": a.scale, "repeats": a.repeats, "machine": info, "availability": avail,
               "rows": [{k: v for k, v in asdict(r).items()} for r in rows if r.role != "setup"]}
        a.json.parent.mkdir(parents=True, exist_ok=True)
        a.json.write_text(json.dumps(rec, indent=2, default=str) + "\n", encoding="utf-8")
        log(f"[harness] JSON written to {a.json}")
    if a.results:
        rec = json.loads(json.dumps({"scale": a.scale, "repeats": a.repeats, "machine": info,
                                     "rows": [asdict(r) for r in rows if r.role != "setup"]}, default=str))
        earlier = [json.loads(f.read_text(encoding="utf-8")) for f in a.from_json]
        sources = [_rel(f) for f in a.from_json] + ([_rel(a.json)] if a.json else ["(this run)"])
        a.results.write_text(results_markdown([*earlier, rec], sources), encoding="utf-8")
        log(f"[harness] {a.results} written")
    return 1 if any(r.status == "error" for r in rows) else 0


def _rel(path: Path) -> str:
    try:
        return path.resolve().relative_to(HERE.parent).as_posix()
    except ValueError:
        return path.as_posix()


if __name__ == "__main__":
    sys.exit(main())
