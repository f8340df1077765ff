"""Parallel execution: the worker processes that inspect and convert the files of an import.

:func:`inspect_all` hashes and safety-checks every file (:func:`.readers.inspect_input`) before any
is read, so byte-identical copies are known; :func:`run` converts the files (:func:`.convert.convert_file`)
and finishes them in chunks (:func:`.convert.finish_files`), in one process or a pool. Workers die
with their parent (:func:`core.processes.die_with_parent`): an import that is killed leaves none behind.
"""

from __future__ import annotations

import os
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from core.errors import BausteinError
from core.processes import die_with_parent

from .convert import Context, FileResult, convert_file, finish_files
from .input_guard import Limits
from .readers import FileMeta, inspect_input, reader_failure

__all__ = ["auto_jobs", "inspect_all", "run"]

_CTX: Context | None = None


def _init_worker(ctx: Context) -> None:
    global _CTX
    die_with_parent()  # a killed import leaves no worker behind
    _CTX = ctx
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")



def auto_jobs(n_files: int) -> int:
    cpus = os.cpu_count() or 1
    return 1 if n_files < 8 else max(1, min(cpus, 8))




def _inspect_one(f: Path, limits: Limits | None) -> tuple[FileMeta | None, str | None]:
    try:
        return inspect_input(f, limits), None
    except BausteinError as exc:
        return None, str(exc)
    except Exception as exc:  # defence in depth: never a traceback for one bad file
        return None, reader_failure(f, exc)


def _inspect_chunk(files: list[Path], limits: Limits | None) -> list[tuple[FileMeta | None, str | None]]:
    return [_inspect_one(f, limits) for f in files]


def inspect_all(files: list[Path], limits: Limits | None, n_jobs: int) -> list[tuple[FileMeta | None, str | None]]:
    """:func:`inspect_input` of every file (hash, safety checks), in ``n_jobs`` processes when > 1."""
    if n_jobs <= 1 or len(files) < 2 * n_jobs:
        return _inspect_chunk(files, limits)
    import multiprocessing as mp

    method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
    size = max(1, -(-len(files) // (n_jobs * 4)))
    chunks = [files[i : i + size] for i in range(0, len(files), size)]
    with ProcessPoolExecutor(max_workers=n_jobs, mp_context=mp.get_context(method),
                             initializer=die_with_parent) as pool:
        return [x for part in pool.map(_inspect_chunk, chunks, [limits] * len(chunks)) for x in part]


#: Files whose answers are normalised together (memory: their raw cells at once).
_CHUNK_FILES = 256


def _process_chunk(tasks: list[tuple]) -> list[FileResult]:
    """Read and convert a chunk of files (runs in a worker process)."""
    assert _CTX is not None
    results = [convert_file(_CTX, *t) for t in tasks]
    finish_files(results, _CTX)
    return results


def run(tasks: list[tuple], ctx: Context, n_jobs: int, show: bool) -> list[FileResult]:
    from tqdm import tqdm

    bar = tqdm(total=len(tasks), unit="Datei", disable=not show, desc="Import", file=sys.stderr)
    results: list[FileResult] = []
    rows = 0
    try:
        if n_jobs <= 1 or len(tasks) <= 1:
            _init_worker(ctx)
            for i in range(0, len(tasks), _CHUNK_FILES):
                chunk = []
                for t in tasks[i : i + _CHUNK_FILES]:
                    r = convert_file(ctx, *t)
                    chunk.append(r)
                    rows += r.meta["rows_in"]
                    bar.update(1)
                    bar.set_postfix(Zeilen=rows, refresh=False)
                finish_files(chunk, ctx)
                results.extend(chunk)
        else:
            import multiprocessing as mp

            # fork: no re-import of __main__ (works from notebooks and stdin scripts); the parent
            # has only hashed files so far, no reader threads exist to be inherited.
            method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
            mpctx = mp.get_context(method)
            # chunks of files per task: each worker normalises its chunk at once (_finish_batch);
            # about four chunks per worker keep both busy until the end
            size = max(1, min(_CHUNK_FILES // 4, -(-len(tasks) // (n_jobs * 4))))
            chunks = [tasks[i : i + size] for i in range(0, len(tasks), size)]
            with ProcessPoolExecutor(max_workers=n_jobs, mp_context=mpctx, initializer=_init_worker,
                                     initargs=(ctx,)) as pool:
                futures = [pool.submit(_process_chunk, c) for c in chunks]
                for fut in as_completed(futures):
                    for r in fut.result():
                        results.append(r)
                        rows += r.meta["rows_in"]
                        bar.update(1)
                    bar.set_postfix(Zeilen=rows, refresh=False)
    finally:
        bar.close()
    return results


