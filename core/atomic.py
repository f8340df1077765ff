"""Atomic writes: an output appears whole or not at all.

* :func:`atomic_file` -- write a file through a temporary sibling, then rename it into place;
* :class:`atomic_output_dir` -- write a folder through a temporary sibling, then swap it in;
* :func:`recover_interrupted_write` -- put back the previous folder after a kill mid-swap.

Every command that writes outputs uses these (datasets, reports, results workbooks, exports,
codebooks, caches), so an interrupted or failed run never leaves a half-written output.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["atomic_file", "atomic_output_dir", "recover_interrupted_write"]


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - platform without directory fds
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_file(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; move it into place only if the block succeeds.

    The file counterpart of :class:`atomic_output_dir`: an interrupted or failed write leaves a
    previous file at ``path`` untouched.

    >>> with atomic_file("out/codebook.md") as tmp:          # doctest: +SKIP
    ...     tmp.write_text("# Codebuch")
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
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
    olds = sorted(target.parent.glob(f".{target.name}.old-*"), key=lambda p: p.stat().st_mtime, reverse=True)
    restored = False
    if olds and not target.exists():
        os.replace(olds.pop(0), target)
        restored = True
    for stale in olds:
        shutil.rmtree(stale, ignore_errors=True)
    return restored


class atomic_output_dir:  # noqa: N801 - used like a function in a ``with`` statement
    """Context manager: write into a temporary sibling folder, then swap it into place.

    On success the previous folder (if any) is replaced as a whole; on any exception (or a kill)
    the previous folder is untouched and the temporary folder is removed (or left as
    ``.<name>.tmp-*``, which the next run cleans up). The swap is two renames (target ->
    ``.<name>.old-*``, new -> target); if a kill falls between them, the next run first puts the
    intact previous folder back.

    >>> with atomic_output_dir("out/dataset") as tmp:     # doctest: +SKIP
    ...     (tmp / "a.parquet").write_bytes(b"...")
    """

    def __init__(self, target: str | Path):
        self.target = Path(target)
        self.tmp: Path | None = None

    def __enter__(self) -> Path:
        parent = self.target.parent
        parent.mkdir(parents=True, exist_ok=True)
        for stale in parent.glob(f".{self.target.name}.tmp-*"):
            shutil.rmtree(stale, ignore_errors=True)
        recover_interrupted_write(self.target)
        self.tmp = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.tmp-", dir=parent))
        return self.tmp

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        assert self.tmp is not None
        if exc_type is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            return
        for f in self.tmp.rglob("*"):
            if f.is_file():
                with open(f, "rb") as fh:
                    os.fsync(fh.fileno())
        if self.target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.old-", dir=self.target.parent))
            old.rmdir()
            os.replace(self.target, old)
            os.replace(self.tmp, self.target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(self.tmp, self.target)
        _fsync_dir(self.target.parent)
