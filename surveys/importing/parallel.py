"""Parallel execution: the worker processes that inspect and convert the files of an import.

:func:`run` hands chunks of files to one pool of worker processes, started once per import. A
worker inspects each file of its chunk (:func:`.readers.inspect_input`: hash, safety checks,
limits, before any reader sees the file), converts it (:func:`.convert.convert_file`) and finishes
the chunk at once (:func:`.convert.finish_files`); the results stream back as chunks complete.
Chunks are balanced by file size (the largest files first, each chunk about the same number of
bytes), so that both processes stay busy until the end. A file with the same bytes as a file
before it (SHA-256, in input order) is then converted once more as a duplicate: its rows are
counted and rejected, never read twice. Workers die with their parent
(:func:`core.processes.die_with_parent`): an import that is killed leaves none behind.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from core.errors import BausteinError
from core.processes import die_with_parent

from .convert import Batch, Context, FileResult, Rows, RowsDone, convert_file, finish_files, normalise_rows
from .input_guard import Limits
from .inputs import display
from .readers import FileMeta, inspect_input, reader_failure

__all__ = ["auto_jobs", "run"]

#: A file of the import: (its position in input order, path, name shown).
Task = tuple[int, str, str]
#: Files whose answers are normalised together at most (memory: their raw cells at once).
CHUNK_FILES = 64
#: A file this large is read in the main process while the pool converts the others, and its rows
#: (at least SPLIT_ROWS) are then normalised in parts, by the pool and the main process.
BIG_FILE_BYTES = 4 * 1024 * 1024
SPLIT_ROWS = 20_000

_STATE: tuple[Context, Limits | None] | None = None


def _init_worker(ctx: Context, limits: Limits | None) -> None:
    global _STATE
    die_with_parent()  # a killed import leaves no worker behind
    _STATE = (ctx, limits)
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def auto_jobs(n_files: int, n_bytes: int = 0) -> int:
    """Worker processes for ``n_files`` files of ``n_bytes`` together: one per CPU (up to 8) from 8
    files or a big file on, else one."""
    cpus = os.cpu_count() or 1
    return 1 if n_files < 8 and n_bytes < BIG_FILE_BYTES else max(1, min(cpus, 8))


def _inspect_one(f: Path, limits: Limits | None) -> tuple[FileMeta | None, str | None]:
    try:
        return inspect_input(f, limits), None
    except BausteinError as exc:
        return None, str(exc)
    except Exception as exc:  # defence in depth: never a traceback for one bad file
        return None, reader_failure(f, exc)


Done = tuple[list[tuple[int, FileMeta | None, FileResult]], Batch]


def _work(chunk: list[Task], on_file: Callable[[FileResult], None] | None = None,
          split: Callable[[Rows], list[RowsDone]] | None = None) -> Done:
    """Inspect, convert and finish a chunk of files (in a worker process, or in-process)."""
    assert _STATE is not None
    ctx, limits = _STATE
    done: list[tuple[int, FileMeta | None, FileResult]] = []
    for i, path, file in chunk:
        meta, error = _inspect_one(Path(path), limits)
        r = convert_file(ctx, path, file, meta, error, None)
        done.append((i, meta, r))
        if on_file is not None:
            on_file(r)
    batch = finish_files([r for _, _, r in done], ctx, split=split)
    return done, batch


def _normalise(rows: Rows) -> RowsDone:
    """The row-local rules for a range of rows of a big file (in a worker process)."""
    assert _STATE is not None
    return normalise_rows(rows, _STATE[0])


def _ready() -> int:
    return os.getpid()


def _chunks(tasks: list[Task], sizes: list[int], n_jobs: int) -> list[list[Task]]:
    """Chunks of about equal bytes, the largest files first; each chunk in input order."""
    if n_jobs <= 1:
        return [tasks[i : i + CHUNK_FILES] for i in range(0, len(tasks), CHUNK_FILES)]
    n_chunks = min(len(tasks), max(n_jobs * 4, -(-len(tasks) // CHUNK_FILES)))
    order = sorted(range(len(tasks)), key=lambda k: -sizes[k])
    bins: list[list[int]] = [[] for _ in range(n_chunks)]
    load = [0] * n_chunks
    for k in order:  # largest first into the lightest chunk (LPT)
        b = min(range(n_chunks), key=lambda c: (load[c], len(bins[c])))
        bins[b].append(k)
        load[b] += max(sizes[k], 1)
    ranked = sorted((b for b in range(n_chunks) if bins[b]), key=lambda b: -load[b])
    return [[tasks[k] for k in sorted(bins[b])] for b in ranked]


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def run(files: list[Path], ctx: Context, limits: Limits | None, n_jobs: int,
        show: bool) -> tuple[list[FileResult], Batch]:
    """Inspect and convert ``files``; returns one result per file (in input order) and their rows."""
    from tqdm import tqdm

    tasks: list[Task] = [(i, str(f), display(f)) for i, f in enumerate(files)]
    bar = tqdm(total=len(tasks), unit="Datei", disable=not show, desc="Import", file=sys.stderr)
    rows = 0

    def tick(r: FileResult) -> None:
        nonlocal rows
        rows += r.meta["rows_in"]
        bar.update(1)
        bar.set_postfix(Zeilen=rows, refresh=False)

    done: list[tuple[int, FileMeta | None, FileResult]] = []
    batches: list[Batch] = []
    try:
        sizes = [_size(f) for f in files]
        chunks = _chunks(tasks, sizes, n_jobs if len(tasks) > 1 else 1)
        big = [c for c in chunks if len(c) == 1 and sizes[c[0][0]] >= BIG_FILE_BYTES]
        if n_jobs <= 1 or (len(chunks) <= 1 and not big):
            _init_worker(ctx, limits)
            for chunk in chunks:
                part, batch = _work(chunk, tick)
                done += part
                batches.append(batch)
        else:
            import multiprocessing as mp

            # fork: no re-import of __main__ (works from notebooks and stdin scripts). The workers
            # are started before the parent reads any file, so no reader threads are inherited.
            method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
            with ProcessPoolExecutor(max_workers=n_jobs, mp_context=mp.get_context(method),
                                     initializer=_init_worker, initargs=(ctx, limits)) as pool:
                for fut in [pool.submit(_ready) for _ in range(n_jobs)]:
                    fut.result()
                futures = [pool.submit(_work, c) for c in chunks if not any(c is b for b in big)]
                if big:  # read here (one read), then the rows split over the pool and this process
                    _init_worker(ctx, limits)

                    def split(rows: Rows) -> list[RowsDone]:
                        parts = rows.split(n_jobs) if len(rows.files) == 1 and len(rows.rows) >= SPLIT_ROWS \
                            else [rows]
                        later = [pool.submit(_normalise, p) for p in parts[1:]]
                        return [normalise_rows(parts[0], ctx)] + [f.result() for f in later]

                    for chunk in big:
                        part, batch = _work(chunk, tick, split)
                        done += part
                        batches.append(batch)
                for fut in as_completed(futures):
                    part, batch = fut.result()
                    done += part
                    batches.append(batch)
                    for _, _, r in part:
                        tick(r)
    finally:
        bar.close()
    done.sort(key=lambda d: d[0])
    results = [r for _, _, r in done]
    batch = Batch.concat(batches, len(ctx.instrument.items))
    return _duplicates(done, tasks, ctx, results, batch)


def _duplicates(done: list[tuple[int, FileMeta | None, FileResult]], tasks: list[Task], ctx: Context,
                results: list[FileResult], batch: Batch) -> tuple[list[FileResult], Batch]:
    """Files with the bytes of a file before them (input order) converted again as duplicates,
    their rows and municipality rows taken out of the batch."""
    first_by_sha: dict[str, str] = {}
    dups: dict[int, str] = {}
    for i, meta, r in done:
        if meta is None:
            continue
        first = first_by_sha.setdefault(meta.sha256, r.file)
        if first != r.file:
            dups[i] = first
    if not dups:
        return results, batch
    names = set()
    for i, first in dups.items():
        _, path, file = tasks[i]
        meta = done[i][1]
        results[i] = convert_file(ctx, path, file, meta, None, first)
        names.add(file)
    resp = batch.respondents
    keep = ~resp["source_file"].isin(names).to_numpy() if len(resp) else None
    muni = batch.municipalities
    if len(muni):
        muni = muni[~muni["source_file"].isin(names)].reset_index(drop=True)
    if keep is not None and not keep.all():
        batch = Batch(resp[keep].reset_index(drop=True), batch.values[keep], batch.reasons[keep], muni)
    else:
        batch = Batch(resp, batch.values, batch.reasons, muni)
    return results, batch
