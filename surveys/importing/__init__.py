"""Import survey responses from Excel, CSV and SPSS files into the tidy dataset.

The pipeline is visible in the module names, one stage each; ``pipeline`` lists the steps
(:func:`read_responses`, :func:`write_import`), pyxform's ``xls2xform.convert`` style:

``inputs``   (which files: folders searched, odd entries skipped) ->
``input_guard`` (hash, zip/XML safety checks, size limits; before any reader) ->
``parallel`` (the worker pool: inspect, then convert, files balanced by size) ->
``convert``  (per file: ``readers`` -> ``detect`` -> ``mapping``; then for many files at once
``normalize`` -> ``validate`` / ``findings``) ->
``assemble`` (cross-file rules, tidy tables, manifest) -> ``writing`` (Parquet, rejection report)
-> ``export`` (CSV, xlsx, SPSS, Stata).
"""

from __future__ import annotations

from .export import export_dataset
from .findings import CODES, REJECTION_COLUMNS
from .mapping import Mapping, MappingError
from .mapping_files import load_mapping
from .pipeline import ImportResult, collect_inputs, read_responses, write_import, write_report
from .suggest import suggest_mapping

__all__ = [
    "CODES",
    "REJECTION_COLUMNS",
    "ImportResult",
    "Mapping",
    "MappingError",
    "collect_inputs",
    "export_dataset",
    "load_mapping",
    "read_responses",
    "suggest_mapping",
    "write_import",
    "write_report",
]
