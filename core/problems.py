"""Located problems: one model for import findings, analysis notes, XLSForm problems and audits.

Whatever the toolkit tells a user about their data has the same three parts (pyxform's stable
codes with message templates, pandera's failure cases with their location):

* a stable **code** whose German and English message templates -- and a hint saying what the user
  can do -- live in a :class:`Catalogue` beside the code that raises them
  (``surveys.importing.findings.CODES``, ``analysis.notes.NOTES``,
  ``surveys.xlsform_problems.XLSFORM_PROBLEMS``, ...);
* a :class:`Location`: file, sheet, Excel row and column (with its header) for inputs; section
  and scope (a construct, an item, a comparison) for analysis results; file and place for outputs;
* **parameters** that fill the templates.

A :class:`Problem` is one such message, rendered once; :func:`problems_frame` turns many into a
tidy table (the shape of the rejection report, the ``hinweise`` results table and the audit).
The importer fills templates column-wise with :func:`fill_templates` (200,000 findings cost
milliseconds). Every text quoted from an input file passes :func:`quote_input` first, so
control characters never reach a console, a workbook or a report unescaped.

Example
-------
>>> CAT = Catalogue("demo", {
...     "too_few": MessageSpec("warning", "Nur {n} Kommune(n) mit Daten.", "Only {n} municipality(ies).",
...                            hint_de="Mehr Kommunen importieren.", hint_en="Import more municipalities."),
... })
>>> p = CAT.problem("too_few", Location(section="vergleiche", scope="struktur"), n=1)
>>> p.message("de"), p.hint("en"), p.severity
('Nur 1 Kommune(n) mit Daten.', 'Import more municipalities.', 'warning')
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

__all__ = [
    "PROBLEM_COLUMNS",
    "SEVERITIES",
    "Catalogue",
    "Location",
    "MessageSpec",
    "Problem",
    "fill_templates",
    "problems_frame",
    "quote_input",
]

SEVERITIES = ("error", "warning", "info")

#: Columns of :func:`problems_frame`, in order.
PROBLEM_COLUMNS = (
    "code", "severity", "file", "sheet", "row", "column", "header", "section", "scope",
    "message_de", "message_en", "hint_de", "hint_en",
)

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class MessageSpec:
    """One entry of a catalogue: default severity, message templates and a hint.

    Templates use ``{name}`` placeholders filled from the problem's parameters. ``action`` says
    what happened to the data where that matters (the importer's ``cell_rejected``,
    ``row_rejected``, ``file_rejected``, ``kept``; an analysis note's ``skipped``).
    """

    severity: str
    de: str
    en: str
    hint_de: str = ""
    hint_en: str = ""
    action: str = ""

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES}, not {self.severity!r}")


class Catalogue(Mapping[str, MessageSpec]):
    """Message templates by code, for one part of the toolkit.

    Parameters
    ----------
    name : str
        What the catalogue is for (``"import"``, ``"analysis"``, ``"xlsform"``, ``"audit"``).
    specs : mapping of code -> MessageSpec
    """

    def __init__(self, name: str, specs: Mapping[str, MessageSpec]) -> None:
        self.name = name
        self._specs = dict(specs)

    def __getitem__(self, code: str) -> MessageSpec:
        try:
            return self._specs[code]
        except KeyError:
            raise KeyError(f"code {code!r} is not in the {self.name} catalogue") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._specs)

    def __len__(self) -> int:
        return len(self._specs)

    def render(self, code: str, params: Mapping[str, Any], lang: str = "de") -> str:
        """The message of ``code`` in ``lang`` with ``params`` filled in."""
        spec = self[code]
        return _fill(spec.de if lang == "de" else spec.en, params)

    def hint(self, code: str, params: Mapping[str, Any], lang: str = "de") -> str:
        """What the user can do about ``code`` in ``lang`` ("" if the catalogue has no hint)."""
        spec = self[code]
        return _fill(spec.hint_de if lang == "de" else spec.hint_en, params)

    def problem(
        self, code: str, location: Location | None = None, *, severity: str | None = None, **params: Any
    ) -> Problem:
        """A :class:`Problem` of ``code`` at ``location`` with ``params`` (rendered now)."""
        spec = self[code]
        return Problem(
            code=code,
            severity=severity or spec.severity,
            location=location or Location(),
            params=dict(params),
            message_de=self.render(code, params, "de"),
            message_en=self.render(code, params, "en"),
            hint_de=self.hint(code, params, "de"),
            hint_en=self.hint(code, params, "en"),
            action=spec.action,
        )


@dataclass(frozen=True)
class Location:
    """Where a problem is. Every field is optional; fill what applies.

    Attributes
    ----------
    file, sheet : str
        Input or output file (name as the user knows it) and sheet.
    row : int or None
        Excel row number as the user sees it (header = 1), or CSV line number.
    column, header : str
        Excel column letter and the column's header text.
    section, scope : str
        Analysis section (``zuverlaessigkeit``, ``engagement``, ...) and what inside it (a
        construct, an item, a comparison).
    """

    file: str = ""
    sheet: str = ""
    row: int | None = None
    column: str = ""
    header: str = ""
    section: str = ""
    scope: str = ""

    def describe(self, lang: str = "de") -> str:
        """The location as a short phrase ("Datei 'a.xlsx', Blatt 'Antworten', Zeile 3, Spalte C")."""
        de = lang == "de"
        parts = []
        if self.file:
            parts.append(f"{'Datei' if de else 'file'} '{quote_input(self.file)}'")
        if self.sheet:
            parts.append(f"{'Blatt' if de else 'sheet'} '{quote_input(self.sheet)}'")
        if self.row is not None:
            parts.append(f"{'Zeile' if de else 'row'} {self.row}")
        if self.column or self.header:
            col = f"{'Spalte' if de else 'column'} {self.column}".rstrip()
            if self.header:
                col += f" ('{quote_input(self.header)}')"
            parts.append(col)
        if self.section:
            parts.append(f"{'Abschnitt' if de else 'section'} {self.section}")
        if self.scope:
            parts.append(self.scope)
        return ", ".join(parts)


@dataclass(frozen=True)
class Problem:
    """One located, rendered message (an import finding, an analysis note, an audit finding ...)."""

    code: str
    severity: str
    location: Location = field(default_factory=Location)
    params: Mapping[str, Any] = field(default_factory=dict)
    message_de: str = ""
    message_en: str = ""
    hint_de: str = ""
    hint_en: str = ""
    action: str = ""

    def message(self, lang: str = "de") -> str:
        return self.message_de if lang == "de" else self.message_en

    def hint(self, lang: str = "de") -> str:
        return self.hint_de if lang == "de" else self.hint_en

    def line(self, lang: str = "de") -> str:
        """One console line: location, message and hint."""
        where = self.location.describe(lang)
        text = self.message(lang)
        hint = self.hint(lang)
        return (f"{where}: " if where else "") + text + (f" {hint}" if hint else "")

    def __str__(self) -> str:
        return f"{self.line('de')} / {self.line('en')}"

    def to_record(self) -> dict[str, Any]:
        """A flat dict with the keys of :data:`PROBLEM_COLUMNS`."""
        loc = self.location
        return {
            "code": self.code, "severity": self.severity, "file": loc.file, "sheet": loc.sheet,
            "row": loc.row, "column": loc.column, "header": loc.header, "section": loc.section,
            "scope": loc.scope, "message_de": self.message_de, "message_en": self.message_en,
            "hint_de": self.hint_de, "hint_en": self.hint_en,
        }


def problems_frame(problems: Iterable[Problem]) -> pd.DataFrame:
    """Problems as a tidy table with the columns of :data:`PROBLEM_COLUMNS` (row as Int64)."""
    frame = pd.DataFrame([p.to_record() for p in problems], columns=list(PROBLEM_COLUMNS))
    frame["row"] = frame["row"].astype("Int64")
    return frame


def quote_input(value: Any, max_len: int = 120) -> str:
    """``value`` as text safe to quote in a message: control characters as ``\\x..``, shortened.

    Text quoted from an input file may carry carriage returns, escape sequences or bidi controls
    that would rewrite a console line or hide text in a report; they are shown, not obeyed.

    >>> quote_input("a\\rb\\x1b[31m")
    'a\\\\x0db\\\\x1b[31m'
    >>> quote_input("x" * 200, max_len=10)
    'xxxxxxxxx…'
    """
    text = "" if value is None else str(value)
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}" if ord(m.group(0)) < 256 else f"\\u{ord(m.group(0)):04x}",
                        text)
    return text if len(text) <= max_len else text[: max_len - 1] + "…"


def _fill(template: str, params: Mapping[str, Any]) -> str:
    return _PLACEHOLDER.sub(lambda m: str(params[m.group(1)]) if m.group(1) in params else m.group(0), template)


def fill_templates(template: str, params: pd.DataFrame) -> pd.Series:
    """Fill ``template`` row-wise from the columns of ``params`` without a Python loop over rows.

    >>> fill_templates("Wert {value} in {header}", pd.DataFrame({"value": ["7", "x"], "header": ["A", "B"]})).tolist()
    ['Wert 7 in A', 'Wert x in B']
    """
    parts = _PLACEHOLDER.split(template)
    out = pd.Series([""] * len(params), index=params.index, dtype=object)
    for i, part in enumerate(parts):
        if i % 2 == 0:
            if part:
                out = out + part
        else:
            out = out + params[part].astype(str)
    return out
