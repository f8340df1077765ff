"""One measurement in a fresh process: ``python benchmarks/worker.py '<json spec>'``.

The spec is ``{"task": name, "args": {...}, "profile": optional path}``. The worker imports what
the task needs (timed separately as ``import_s``), then times the task: wall seconds
(``perf_counter``), CPU seconds (user+sys of this process plus every descendant process, e.g.
import pool workers or a Jupyter kernel) and peak RSS. It prints one JSON line prefixed with
``BENCH_RESULT``.

Descendant processes are sampled every 0.1 s with psutil (CPU of a worker is its last sample, so
CPU can be undercounted by < 0.1 s per worker process; peak RSS of the tree is the largest sampled
sum). Without psutil only this process and reaped direct children (``RUSAGE_CHILDREN``) count.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


class TreeSampler(threading.Thread):
    """Samples CPU and RSS of all descendant processes (psutil) until stopped."""

    def __init__(self, interval: float = 0.1):
        super().__init__(daemon=True)
        self.interval = interval
        self.cpu: dict[int, float] = {}
        self.peak_tree_rss = 0
        self.stop_event = threading.Event()
        try:
            import psutil

            self.me = psutil.Process()
            self.ok = True
        except ImportError:
            self.ok = False

    def sample(self) -> None:
        if not self.ok:
            return
        import psutil

        try:
            total = self.me.memory_info().rss
            for child in self.me.children(recursive=True):
                try:
                    with child.oneshot():
                        t = child.cpu_times()
                        self.cpu[child.pid] = t.user + t.system
                        total += child.memory_info().rss
                except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                    continue
            self.peak_tree_rss = max(self.peak_tree_rss, total)
        except psutil.Error:
            pass

    def run(self) -> None:
        while not self.stop_event.is_set():
            self.sample()
            self.stop_event.wait(self.interval)

    def stop(self) -> None:
        self.stop_event.set()
        self.join()


def _vm_hwm() -> int:
    """Peak RSS of this process image in bytes (``VmHWM``; unlike ``ru_maxrss`` it is not inherited
    from the parent across fork+exec on Linux)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _cpu(who: int) -> float:
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


def main() -> None:
    spec = json.loads(sys.argv[1])
    t_imp = time.perf_counter()
    import tasks

    prepare, task = tasks.TASKS[spec["task"]]
    args: dict[str, Any] = dict(spec.get("args", {}))
    extra = prepare(**args)
    if isinstance(extra, dict):
        args.update(extra)
    import_s = time.perf_counter() - t_imp

    profiler = None
    if spec.get("profile"):
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.005)
        profiler.start()
    sampler = TreeSampler()
    sampler.start()
    cpu_self0, cpu_children0 = _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN)
    w0 = time.perf_counter()
    out = task(**args)
    wall = time.perf_counter() - w0
    cpu_self = _cpu(resource.RUSAGE_SELF) - cpu_self0
    cpu_reaped = _cpu(resource.RUSAGE_CHILDREN) - cpu_children0
    sampler.sample()
    sampler.stop()
    if profiler is not None:
        profiler.stop()
        session = profiler.last_session
        path = Path(spec["profile"])
        path.parent.mkdir(parents=True, exist_ok=True)
        Path(str(path) + ".txt").write_text(profiler.output_text(unicode=True, color=False, show_all=False),
                                            encoding="utf-8")
        Path(str(path) + ".html").write_text(profiler.output_html(), encoding="utf-8")
        session.save(str(Path(str(path) + ".pyisession")))
    cpu_desc = sum(sampler.cpu.values()) if sampler.ok else cpu_reaped
    self_peak = _vm_hwm()
    peak = max(self_peak, sampler.peak_tree_rss)
    rec = {
        "wall_s": wall,
        "cpu_s": cpu_self + cpu_desc,
        "cpu_self_s": cpu_self,
        "cpu_children_s": cpu_desc,
        "peak_rss_mb": peak / 2**20,
        "peak_rss_self_mb": self_peak / 2**20,
        "import_s": import_s,
        "load1": os.getloadavg()[0],
        "result": out,
    }
    print("BENCH_RESULT " + json.dumps(rec, default=str), flush=True)


if __name__ == "__main__":
    main()
