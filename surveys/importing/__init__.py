"""Import survey responses from Excel, CSV and SPSS files into the tidy dataset.

The pipeline is visible in the module names, one stage each:

``readers``  (files -> raw text cells with Excel coordinates) ->
``detect``   (header row, label row, which tool wrote the file) ->
``mapping``  (columns -> items and respondent fields; mapping files; suggestions) ->
``normalize`` (labels/codes/missing reasons, AGS, dates) ->
``validate`` / ``findings`` (rules and the rejection report) ->
``pipeline`` (:func:`read_responses`, :func:`write_import`) -> ``export`` (CSV, xlsx, SPSS, Stata).
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
