"""The small shared core of baustein-eval, imported by every other package and importing none.

* :mod:`core.errors` -- the user-facing exceptions (German/English messages, exit code 2);
* :mod:`core.problems` -- located problems: code, location, parameters, German/English text from
  a catalogue (import findings, analysis notes, XLSForm problems, audit findings);
* :mod:`core.atomic` -- atomic file and folder writes;
* :mod:`core.spreadsheet_escape` -- neutralising formulas and HTML in user text;
* :mod:`core.excel_columns` -- Excel column letters.
"""
