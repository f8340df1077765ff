"""Worker processes that die with their parent.

A ``ProcessPoolExecutor`` worker waits for work on a pipe whose other end it inherited itself, so
when the parent is killed (``kill -9``, the out-of-memory killer, a closed terminal) the worker
never sees end-of-file and lives on, holding memory and open files. :func:`die_with_parent`, run
as the pool's initializer, prevents that:

* on Linux the kernel sends the worker SIGKILL when its parent dies (``prctl(PR_SET_PDEATHSIG)``);
* everywhere a daemon thread checks once a second whether the parent is still the parent (a
  re-parented worker has another ``getppid()``) and ends the worker otherwise.

A parent that died before the initializer ran is caught by comparing ``getppid()`` with the pid
the parent had.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time

__all__ = ["die_with_parent", "pid_alive"]

_PR_SET_PDEATHSIG = 1


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists (on this machine)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by another user
        return True
    return True


def _parent_pid() -> int:
    import multiprocessing

    parent = multiprocessing.parent_process()
    return parent.pid if parent is not None and parent.pid else os.getppid()


def die_with_parent(parent_pid: int | None = None, poll_seconds: float = 1.0) -> None:
    """End this (worker) process as soon as ``parent_pid`` (default: the process that started it) dies.

    Use as ``ProcessPoolExecutor(initializer=die_with_parent)`` or call it first in an initializer.
    """
    parent = parent_pid or _parent_pid()
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - no libc prctl: the watcher below remains
            pass
    if os.getppid() != parent:  # the parent died before we could ask to die with it
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(poll_seconds)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="die-with-parent", daemon=True).start()
