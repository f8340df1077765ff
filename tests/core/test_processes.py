"""Worker processes die with their parent (core.processes.die_with_parent)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from core.processes import pid_alive

_PARENT = textwrap.dedent(
    """
    import os, sys, time
    from concurrent.futures import ProcessPoolExecutor
    import multiprocessing as mp
    from core.processes import die_with_parent

    def pid():
        return os.getpid()

    def block():
        time.sleep(600)

    with ProcessPoolExecutor(2, mp_context=mp.get_context("fork"), initializer={init}) as pool:
        pids = {{pool.submit(pid).result() for _ in range(8)}}
        pool.submit(block)
        print(" ".join(map(str, sorted(pids))), flush=True)
        time.sleep(600)
    """
)


def _worker_pids_after_killing_the_parent(initializer: str) -> list[int]:
    proc = subprocess.Popen([sys.executable, "-c", _PARENT.format(init=initializer)], stdout=subprocess.PIPE,
                            text=True, cwd=os.getcwd())
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        pids = [int(p) for p in line.split()]
        assert pids, "the parent did not start its workers"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_running(p) for p in pids):
            time.sleep(0.1)
        return [p for p in pids if _running(p)]
    finally:
        if proc.poll() is None:
            proc.kill()


def _running(pid: int) -> bool:
    """Alive and not a zombie waiting to be reaped."""
    if not pid_alive(pid):
        return False
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_pool_workers_die_when_the_parent_is_killed() -> None:
    left = _worker_pids_after_killing_the_parent("die_with_parent")
    assert left == []


def test_pid_alive_tells_a_running_from_a_finished_process() -> None:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait(30)
    assert pid_alive(os.getpid()) and not pid_alive(proc.pid)
