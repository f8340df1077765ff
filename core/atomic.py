"""Atomic writes: an output appears whole or not at all, and replaces only what we wrote.

* :func:`atomic_file` -- write a file through a temporary sibling, then rename it into place;
* :class:`atomic_output_dir` -- write a folder through a temporary sibling, then swap it in;
* :func:`recover_interrupted_write` -- put back the previous folder after a kill mid-swap.

Every command that writes outputs uses these (datasets, reports, results workbooks, exports,
codebooks, caches), so an interrupted or failed run never leaves a half-written output.
:class:`atomic_output_dir` claims its folder first (:func:`core.output_folders.claim_output`: the
folder must be ours or empty, not an input, and no other run may be writing it) and writes the
ownership marker into the new folder before the swap.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .output_folders import (
    check_replaceable,
    claim_output,
    claim_output_file,
    claimed_kind,
    record_output_file,
    write_marker,
)
from .processes import pid_alive

__all__ = ["atomic_file", "atomic_output_dir", "recover_interrupted_write", "usual_mode"]


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - platform without directory fds
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_dead_temps(parent: Path, pattern: str) -> None:
    """Remove temporary siblings ``pattern`` (``.NAME.<pid>.*``) left by processes that died."""
    for stale in parent.glob(pattern):
        pid = stale.name.split(".")[-3] if stale.name.endswith(".tmp") else ""
        if pid.isdigit() and not pid_alive(int(pid)):
            with contextlib.suppress(OSError):
                stale.unlink()


def _umask() -> int:
    """The process's umask (read without changing it where /proc tells it)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def usual_mode(path: Path) -> None:
    """Give a temporary file or folder the mode a plain ``open``/``mkdir`` would have given it.

    ``tempfile`` creates them private (0600/0700); an output moved into place from there would stay
    unreadable for colleagues on a shared drive although the user's umask allows it.
    """
    with contextlib.suppress(OSError):
        path.chmod((0o777 if path.is_dir() else 0o666) & ~_umask())


@contextlib.contextmanager
def atomic_file(path: str | Path, *, guard: bool = False) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; move it into place only if the block succeeds.

    The file counterpart of :class:`atomic_output_dir`: an interrupted or failed write leaves a
    previous file at ``path`` untouched; temporary files of killed runs are removed by the next.
    ``guard=True`` replaces an existing file only if baustein-eval wrote it and it is unchanged
    since (:func:`core.output_folders.claim_output_file`), and records the new file.

    >>> with atomic_file("out/codebook.md") as tmp:          # doctest: +SKIP
    ...     tmp.write_text("# Codebuch")
    """
    target = Path(path)
    if guard:
        claim_output_file(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_dead_temps(target.parent, f".{glob.escape(target.name)}.*.*.tmp")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    usual_mode(tmp)
    try:
        yield tmp
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        if guard:
            record_output_file(target)
    finally:
        if tmp.exists():
            tmp.unlink()


def recover_interrupted_write(target: str | Path) -> bool:
    """Put back the previous output folder if a run was killed between the two renames of a swap.

    :class:`atomic_output_dir` swaps with two renames (target -> ``.<name>.old-*``, new ->
    target); a kill between them leaves no target but an intact ``.old-*`` folder. Returns True
    if a folder was restored. Other ``.old-*`` leftovers are removed.
    """
    target = Path(target)
    olds = sorted(target.parent.glob(f".{glob.escape(target.name)}.old-*"), key=lambda p: p.stat().st_mtime, reverse=True)
    restored = False
    if olds and not target.exists():
        os.replace(olds.pop(0), target)
        restored = True
    for stale in olds:
        shutil.rmtree(stale, ignore_errors=True)
    return restored


class atomic_output_dir:  # noqa: N801 - used like a function in a ``with`` statement
    """Context manager: write into a temporary sibling folder, then swap it into place.

    On entry the folder is claimed (:func:`core.output_folders.claim_output`): it must be new,
    empty or an earlier output of the same ``kind`` holding nothing else, must not overlap
    ``inputs``, and no other run may be writing it (its lock is held until the swap is done).
    On success the previous folder (if any) is replaced as a whole, after the marker listing the
    new files has been written into it; on any exception (or a kill) the previous folder is
    untouched and the temporary folder is removed (or left as ``.<name>.tmp-*``, which the next
    run cleans up). The swap is two renames (target -> ``.<name>.old-*``, new -> target); if a
    kill falls between them, the next run first puts the intact previous folder back.

    Parameters
    ----------
    target : path
        The output folder.
    kind : str, optional
        What is written (``dataset``, ``report``, ``import_report``, ``generated``, ``instrument``;
        :data:`core.output_folders.KINDS`). Default: the kind the command claimed the folder with,
        else any output of baustein-eval may be replaced.
    inputs : iterable of path
        The inputs the output is made from (an overlap is refused).

    >>> with atomic_output_dir("out/dataset", kind="dataset") as tmp:     # doctest: +SKIP
    ...     (tmp / "a.parquet").write_bytes(b"...")
    """

    def __init__(self, target: str | Path, *, kind: str | None = None, inputs: Any = ()):
        self.target = Path(target)
        self.kind = kind
        self.inputs = tuple(inputs)
        self.tmp: Path | None = None
        self._claim: Any = None
        self._dest: Path | None = None

    def __enter__(self) -> Path:
        self._claim = claim_output(self.target, kind=self.kind, inputs=self.inputs)
        dest = self._dest = self._claim.__enter__()
        self.kind = self.kind or claimed_kind(dest)
        try:
            parent = dest.parent
            parent.mkdir(parents=True, exist_ok=True)
            for stale in parent.glob(f".{glob.escape(dest.name)}.tmp-*"):  # we hold the lock: nobody else writes
                shutil.rmtree(stale, ignore_errors=True)
            recover_interrupted_write(dest)
            self.tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.tmp-", dir=parent))
            usual_mode(self.tmp)
        except BaseException:
            self._claim.__exit__(*sys.exc_info())
            raise
        return self.tmp

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        assert self.tmp is not None and self._dest is not None
        try:
            if exc_type is not None:
                shutil.rmtree(self.tmp, ignore_errors=True)
                return
            try:
                write_marker(self.tmp, self.kind)
                check_replaceable(self._dest, self.kind)  # nothing of the user's arrived meanwhile
            except BaseException:
                shutil.rmtree(self.tmp, ignore_errors=True)
                raise
            self._swap(self._dest)
        finally:
            self._claim.__exit__(exc_type, exc, tb)

    def _swap(self, dest: Path) -> None:
        assert self.tmp is not None
        for f in self.tmp.rglob("*"):
            if f.is_file():
                with open(f, "rb") as fh:
                    os.fsync(fh.fileno())
        if dest.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.old-", dir=dest.parent))
            old.rmdir()
            os.replace(dest, old)
            os.replace(self.tmp, dest)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(self.tmp, dest)
        _fsync_dir(dest.parent)
