"""The import pipeline: files -> inspect -> convert -> finish -> assemble -> (write) the tidy dataset.

:func:`read_responses` is the list of steps, each a module of its own:

1. :mod:`.inputs` finds the files (folders searched, odd entries skipped with a finding);
2. :mod:`.parallel` inspects every file (:mod:`.input_guard`: hash, safety checks, limits) and then
   converts it (:mod:`.convert`: read, detect, map, normalise, validate), in one process or a pool;
3. :mod:`.assemble` merges the files' results into one dataset, rejection report and manifest;
4. :mod:`.writing` writes them atomically (:func:`write_import`, :func:`write_report`).

Nothing is lost: every non-blank data row of every file is either accepted (in ``respondents``) or
listed in the rejection report with a row-rejecting finding, and the manifest records
``rows_in == rows_accepted + rows_rejected`` per file. Cells that cannot be read (out of scale,
unknown label) stay in the data as missing with reason ``invalid`` and are listed in the report.

Example
-------
>>> from surveys.importing import read_responses, write_import      # doctest: +SKIP
>>> result = read_responses(["data/examples/template"], "sensibilisierung")
>>> result.manifest["totals"]
{'files': 12, 'rows_in': 180, 'rows_accepted': 180, 'rows_rejected': 0, ...}
>>> write_import(result, "data/processed/example")
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from core.errors import BausteinError, InputFileError
from core.problems import quote_input
from surveys import load_instrument
from surveys.instrument import Instrument
from surveys.pseudonyms import load_or_create_key

from .assemble import ImportResult, assemble
from .convert import build_context
from .detect import FORMATS
from .findings import CODES, FindingCollector
from .input_guard import Limits
from .inputs import collect_inputs, display, scan_inputs
from .mapping import Mapping
from .mapping_files import load_mapping
from .municipalities import master_table
from .normalize import WAVE_EXAMPLES, normalize_wave
from .parallel import auto_jobs, run
from .writing import pseudonymize_result, write_import, write_report

__all__ = [
    "ImportResult", "collect_inputs", "pseudonymize_result", "read_responses", "scan_inputs", "write_import",
    "write_report",
]


def read_responses(
    paths: str | Path | Sequence[str | Path],
    instrument: Instrument | str | Path = "sensibilisierung",
    mapping: Mapping | str | Path | None = None,
    format: str = "auto",
    municipalities: str | Path | pd.DataFrame | None = None,
    strict: bool = False,
    *,
    keep_free_text: bool = False,
    wave: str | None = None,
    jobs: int | None = None,
    progress: bool | None = None,
    limits: Limits | None = None,
    pseudonymize: bool = False,
    key_file: str | Path | None = None,
) -> ImportResult:
    """Import survey responses from files and folders into one clean dataset.

    Parameters
    ----------
    paths : path or list of paths
        Files (.xlsx, .xlsm, .xls, .ods, .csv, .sav) and folders (searched recursively).
    instrument : Instrument, name or file
        The questionnaire the responses belong to.
    mapping : Mapping or path, optional
        Mapping file for exports whose headers or answer labels do not follow our conventions.
    format : {"auto", "template", "kobo", "limesurvey", "sosci", "forms", "csv"}
        Force a format instead of detecting it from each file's content.
    municipalities : path or DataFrame, optional
        Municipality master data; when given, rows with an AGS not in it are rejected.
    strict : bool
        Reject a whole file when it has any error (default: reject only the cell or row).
    keep_free_text : bool
        Keep free-text answers (column ``comment``); dropped by default (privacy).
    wave : str, optional
        Wave for rows that leave it empty.
    jobs : int, optional
        Worker processes (default: one per CPU, up to 8, when there are 8 files or more).
    progress : bool, optional
        Show a progress bar (default: when stderr is a terminal).
    limits : surveys.importing.input_guard.Limits, optional
        Resource limits for every input file (default: :meth:`~surveys.importing.input_guard.Limits.from_env`).
    pseudonymize : bool
        Replace respondent IDs by keyed pseudonyms already in memory (:func:`pseudonymize_result`).
        :func:`write_import` always does it before anything reaches the disk (unless told not to).
    key_file : path, optional
        Pseudonymisation key file (default ``$BAUSTEIN_KEY_FILE`` or ``~/.config/baustein-eval``).

    Returns
    -------
    ImportResult
    """
    started = time.time()
    if format not in ("auto", *FORMATS):
        raise BausteinError(
            f"Unbekanntes Format '{format}'. Erlaubt: auto, {', '.join(FORMATS)}. / Unknown format."
        )
    if wave is not None:
        labels, status = normalize_wave(pd.Series([wave], dtype=object))
        if status[0] != "ok":
            raise BausteinError(problem=CODES.problem("wave_option_invalid", value=quote_input(wave),
                                                      detail=WAVE_EXAMPLES))
        wave = str(labels.iloc[0])
    inst = instrument if isinstance(instrument, Instrument) else load_instrument(instrument)
    mapping_obj = mapping if isinstance(mapping, Mapping) or mapping is None else load_mapping(mapping, inst)
    if mapping_obj is not None:
        mapping_obj.validate(inst)
    if isinstance(paths, (str, Path)):
        paths = [paths]
    files, skipped = scan_inputs(paths)
    if isinstance(mapping, (str, Path)):  # the mapping workbook is no survey data
        files = [f for f in files if f.resolve() != Path(mapping).resolve()]
    if not files:
        extra = f" ({len(skipped)} übersprungen / skipped: {', '.join(sorted({c for _, c, _ in skipped}))})"
        raise InputFileError(
            "Keine Eingabedateien gefunden (.xlsx, .xls, .ods, .csv, .sav). / No input files found."
            + (extra if skipped else "")
        )

    fc = FindingCollector()
    for path, code, detail in skipped:  # the link is named, its target never
        fc.add(code, file=display(path), detail=detail)
    external, muni_source = master_table(municipalities, fc, limits) if municipalities is not None else (None, None)
    known_ags = frozenset(external["ags"].dropna().astype(str)) if external is not None else None
    ctx = build_context(inst, mapping_obj, format, strict, keep_free_text, known_ags, wave)

    # inspect (hash, safety checks) and convert every file, in one process or a pool
    n_jobs = jobs if jobs is not None else auto_jobs(len(files), sum(f.stat().st_size for f in files))
    show = sys.stderr.isatty() if progress is None else progress
    results, batch = run(files, ctx, limits, n_jobs, show)

    options = {"format": format, "strict": strict, "keep_free_text": keep_free_text, "wave": wave,
               "mapping": mapping_obj.source if mapping_obj is not None else None, "municipalities": muni_source}
    result = assemble(results, batch, fc, external, skipped, inst, options, started, n_jobs)
    if pseudonymize:
        result = pseudonymize_result(result, load_or_create_key(key_file))
    return result
