"""Reporting: everything that turns analysis results into something people read.

* :mod:`reporting.figures` and :mod:`reporting.plotting` -- plotly figure builders and chart style;
* :mod:`reporting.notebook` -- helpers the report notebooks call (load, show, tables);
* :mod:`reporting.build` -- HTML reports from the notebooks (one kernel for all pages);
* :mod:`reporting.results_workbook` -- ``results.xlsx`` / ``results.json``;
* :mod:`reporting.audit` -- the small-cell and identifier audit of outputs before publication.

Dependencies point one way: :mod:`cli` -> :mod:`reporting` -> :mod:`analysis` and the dataset
API of :mod:`surveys`.
"""
