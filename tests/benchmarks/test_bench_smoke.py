"""The benchmark harness runs end to end at smoke scale (issue 6): it never rots.

No timing is asserted (DEVELOPERS.md rule 5); the test proves that every workload row is produced,
that measured rows carry positive timings, rows and memory, and that a component that does not
exist yet is reported as "not available" instead of crashing the harness.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = {
    "W1.import.j1", "W1.import.j2", "W1.floor", "W1.baseline",
    "W2.import.j1", "W2.import.j2", "W2.floor", "W2.baseline",
    "LOAD", "LOAD.frame",
    "W3",
    "W4", "W4.scale.10", "W4.scale.20", "W4.exponent",
    "W5", "W5.overview", "W5.profiles",
    "W6", "W6.documents", "W6.html",
}
#: Rows that must be measured (their components exist since the import milestone).
ALWAYS_MEASURED = {"W1.import.j1", "W1.import.j2", "W1.floor", "W1.baseline", "W2.import.j1", "W2.import.j2",
                   "W2.floor", "W2.baseline", "LOAD", "LOAD.frame"}


@pytest.fixture(scope="module")
def smoke(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("bench") / "smoke.json"
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--scale", "smoke", "--repeats", "1",
         "--json", str(out), "--results", str(out.with_suffix(".md")), "--quiet"],
        capture_output=True, text=True, timeout=600, env=env, cwd=ROOT,
    )
    assert out.exists(), f"no JSON written (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr[-3000:]}"
    data = json.loads(out.read_text(encoding="utf-8"))
    data["_stdout"] = proc.stdout
    data["_returncode"] = proc.returncode
    data["_results"] = out.with_suffix(".md").read_text(encoding="utf-8")
    data["_json_path"] = out
    return data


def test_smoke_json_has_every_workload_row(smoke: dict) -> None:
    ids = {r["id"] for r in smoke["rows"]}
    assert ids >= EXPECTED, f"missing rows: {sorted(EXPECTED - ids)}"


def test_smoke_rows_are_measured_or_reported_not_available(smoke: dict) -> None:
    problems = []
    for r in smoke["rows"]:
        if r["status"] == "ok":
            continue
        if r["unavailable"] and r["id"] not in ALWAYS_MEASURED:
            continue
        problems.append(f"{r['id']}: status={r['status']} error={r['error']}")
    assert not problems, "\n".join(problems)
    assert smoke["_returncode"] == 0


def test_smoke_measured_rows_have_positive_timings_rows_and_memory(smoke: dict) -> None:
    for r in smoke["rows"]:
        if r["status"] != "ok" or r["id"] == "W4.exponent":
            continue
        w = r["stats"]["wall_s"]
        assert 0 < w["min"] <= w["median"] <= w["max"], r["id"]
        assert r["stats"]["rows"] > 0, r["id"]
        assert r["stats"]["peak_rss_mb"] > 0, r["id"]
        if r["task"] is not None:
            assert r["stats"]["cpu_s"]["median"] > 0, r["id"]
            assert len(r["runs"]) == 1, r["id"]


def test_smoke_import_and_floor_read_the_same_rows(smoke: dict) -> None:
    by = {r["id"]: r for r in smoke["rows"]}
    for w in ("W1", "W2"):
        for jobs in ("j1", "j2"):
            ours = by[f"{w}.import.{jobs}"]["runs"][0]["result"]
            assert ours["rows"] == by[f"{w}.floor"]["runs"][0]["result"]["rows"] == by[f"{w}.baseline"]["runs"][0]["result"]["rows"]
            assert ours["rows"] == ours["rows_accepted"] + ours["rows_rejected"]


def test_smoke_table_is_printed_with_ratios(smoke: dict) -> None:
    out = smoke["_stdout"]
    assert "| workload" in out and "x floor" in out and "vs baseline" in out
    w4 = {r["id"]: r for r in smoke["rows"]}["W4.exponent"]
    if w4["status"] == "ok":
        assert math.isfinite(w4["stats"]["exponent_wall"]) and math.isfinite(w4["stats"]["exponent_cpu"])


def test_results_markdown_is_generated_from_the_json_with_every_row(smoke: dict, tmp_path: Path) -> None:
    """RESULTS.md comes from the runs' JSON (issue 16): machine, load, versions and the table."""
    md = smoke["_results"]
    assert md.startswith("# Benchmark results") and "| machine |" in md and "| load average" in md
    labels = [r["label"] for r in smoke["rows"]]
    assert all(label in md for label in labels)
    again = tmp_path / "RESULTS.md"
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--results", str(again),
                           "--from-json", str(smoke["_json_path"])], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    table = lambda text: text[text.index("| workload"):text.index("How to read")]  # noqa: E731
    assert table(again.read_text(encoding="utf-8")) == table(md)
