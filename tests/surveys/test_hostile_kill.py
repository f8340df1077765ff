"""Crash safety: ``baustein import`` killed with SIGKILL at random (seeded) moments never damages the
previous dataset, never leaves half-written files in it, and a rerun completes (issue 7, item 3).

40 template workbooks (surveys.synthetic) are imported once (the "previous" dataset, from 39 of the
files); then imports of all 40 files into the same folder are started in a subprocess and killed
(whole process group: the parent and its worker processes) after a random delay. After each kill
the folder must hold either the complete previous dataset or the complete new one - nothing in
between - and load with ``Dataset.load``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from surveys.dataset import Dataset

N_FILES = 40
N_KILLS = 5
SEED = 2025
EXPECTED_FILES = {
    "respondents.parquet", "responses.parquet", "municipalities.parquet", "instrument.parquet",
    "instrument.yaml", "manifest.json", "rejections.csv", "rejections.xlsx", ".baustein-output.json",
}


def _fingerprint(folder: Path) -> str:
    """Hash of the tables (byte-identical for the same inputs; the manifest has a timestamp)."""
    h = hashlib.sha256()
    for name in sorted(n for n in EXPECTED_FILES if n.endswith(".parquet")):
        h.update(name.encode() + (folder / name).read_bytes())
    return h.hexdigest()


def _import(inputs: Path, out: Path, *extra: str, jobs: int = 4, stderr: Any = subprocess.PIPE) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "cli", "import", str(inputs), "--out", str(out), "--no-progress", "--jobs", str(jobs),
         *extra],
        stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True,
        env={**os.environ, "OPENBLAS_NUM_THREADS": "1"},
    )


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    from surveys.synthetic import simulate, write_format

    root = tmp_path_factory.mktemp("kill")
    prog = simulate(N_FILES, 40, seed=SEED, waves=("2025",), population_truth_n=None)
    every = root / "all"
    write_format(prog, "template", every)
    files = sorted(every.rglob("*.xlsx"))
    assert len(files) >= N_FILES, len(files)
    fewer = root / "fewer"
    fewer.mkdir()
    for f in files[:-1]:
        shutil.copy(f, fewer / f.name)
    return fewer, every


@pytest.mark.slow
def test_sigkill_at_random_moments_keeps_previous_dataset_and_rerun_completes(inputs: tuple[Path, Path], tmp_path: Path) -> None:
    from core.atomic import recover_interrupted_write

    fewer, every = inputs
    out = tmp_path / "dataset"
    t0 = time.perf_counter()
    first = _import(fewer, out)
    assert first.wait(timeout=300) == 0, first.stderr.read().decode() if first.stderr else ""
    full = time.perf_counter() - t0
    old = _fingerprint(out)
    Dataset.load(out)

    rng = random.Random(SEED)
    seen = {"old": 0, "new": 0, "recovered": 0}
    new: str | None = None
    for _ in range(N_KILLS):
        proc = _import(every, out)
        time.sleep(rng.uniform(0.05, full * 1.1))
        with contextlib.suppress(ProcessLookupError):  # it may have finished already
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        if not out.exists():  # killed between the two renames of the swap: the next run restores it
            assert recover_interrupted_write(out)
            seen["recovered"] += 1
        ds = Dataset.load(out)
        assert len(ds.respondents) > 0
        assert {p.name for p in out.iterdir()} == EXPECTED_FILES  # nothing half-written inside
        fp = _fingerprint(out)
        if fp == old:
            seen["old"] += 1
        else:
            if new is None:
                new = fp
            assert fp == new, "the dataset is neither the previous nor the complete new one"
            seen["new"] += 1
            old = fp  # from now on this is the previous dataset
    final = _import(every, out)
    assert final.wait(timeout=300) == 0, final.stderr.read().decode() if final.stderr else ""
    ds = Dataset.load(out)
    assert ds.manifest["totals"]["rows_in"] == ds.manifest["totals"]["rows_accepted"] + ds.manifest["totals"]["rows_rejected"]
    if new is not None:
        assert _fingerprint(out) == new
    leftovers = [p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")]
    assert not leftovers, leftovers  # stale temp folders of killed runs are cleaned by the next run
    assert seen["old"] >= 1, seen  # at least one kill hit the middle of an import


def _descendants(pid: int) -> set[int]:
    """Running processes below ``pid`` (from /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z":
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in out:
                out.add(child)
                todo.append(child)
    return out


def _wait_for(condition, seconds: float = 120) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_kill_of_the_parent_leaves_no_worker_and_the_next_run_takes_over_its_lock(
    inputs: tuple[Path, Path], tmp_path: Path
) -> None:
    _, every = inputs
    out = tmp_path / "dataset"
    proc = _import(every, out, jobs=2)
    workers: set[int] = set()
    try:
        assert _wait_for(lambda: bool(workers.update(_descendants(proc.pid)) or workers)), "no worker started"
        os.kill(proc.pid, signal.SIGKILL)  # the parent only, as the out-of-memory killer would
        proc.wait(timeout=60)
        assert _wait_for(lambda: not any(_alive(p) for p in workers), seconds=10), [p for p in workers if _alive(p)]
    finally:
        for p in workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(p, signal.SIGKILL)
    rerun = _import(every, out)
    _, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err.decode()
    assert "übernommen" in err.decode() and "taken over" in err.decode()  # the dead run's lock
    Dataset.load(out)
    assert [p.name for p in tmp_path.iterdir()] == ["dataset"]  # no lock, no temporary folder left


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
def test_two_concurrent_imports_into_one_folder_give_one_clear_refusal(inputs: tuple[Path, Path], tmp_path: Path) -> None:
    _, every = inputs
    out = tmp_path / "dataset"
    lock = tmp_path / ".dataset.lock"
    first = _import(every, out)
    try:
        assert _wait_for(lambda: lock.exists() and lock.stat().st_size > 0), "the first import took no lock"
        os.kill(first.pid, signal.SIGSTOP)  # hold it mid-run, whatever the machine's speed
        second = _import(every, out)
        _, err = second.communicate(timeout=300)
        assert second.returncode == 2
        text = err.decode()
        assert "wird gerade von einem anderen Lauf geschrieben" in text and "is being written by another run" in text
        assert f"PID {first.pid}" in text and "--wait" in text and "Traceback" not in text
        log = tmp_path / "waiting.log"
        with log.open("wb") as fh:
            waiting = _import(every, out, "--wait", stderr=fh)
        assert _wait_for(lambda: "Warte auf den Lauf" in log.read_text(encoding="utf-8", errors="replace"))
        assert waiting.poll() is None  # it waits instead of failing
    finally:
        os.kill(first.pid, signal.SIGCONT)
    assert first.wait(timeout=300) == 0, first.stderr.read().decode() if first.stderr else ""
    assert waiting.wait(timeout=300) == 0, log.read_text(encoding="utf-8", errors="replace")
    ds = Dataset.load(out)
    assert ds.manifest["totals"]["rows_accepted"] == len(ds.respondents) > 0
    assert {p.name for p in out.iterdir()} == EXPECTED_FILES
