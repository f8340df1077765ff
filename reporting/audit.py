"""Audit of outputs before publication: small groups, differencing, identifiers and free text.

:func:`audit_outputs` scans a folder of outputs (results workbooks, CSV, JSON, HTML reports,
executed notebooks) for any group smaller than the minimum cell size, respondent identifiers and
free-text columns; ``baustein audit REPORT_DIR`` runs it (:mod:`cli.audit`). It also attacks: every
``results.json`` (with the ``results.xlsx`` beside it) is searched for small groups that published
figures give by subtraction (:mod:`reporting.audit_differencing`), and the report pages are
compared with ``results.json`` (a page may show only group sizes the results publish). Every
finding is a located problem of the catalogue :data:`AUDIT` (:func:`audit_problems`).

Machine-readable group sizes in HTML reports (the contract report writers follow)
------------------------------------------------------------------------------------
Report pages declare the size of every group they show, so the audit need not guess:

1. a table cell or figure container carries ``data-n="12"`` (and optionally
   ``data-group="08335063 / Ehrenamt"``), and/or
2. the page embeds one or more blocks
   ``<script type="application/json" class="baustein-cells">[{"group": "...", "n": 12,
   "suppressed": false}, ...]</script>``.

Plotly figures put a group's size into hover text as ``n = 12`` or into ``customdata`` or an axis
referenced by the hover template as ``n = %{customdata[k]}`` or ``n = %{x}``; all are scanned
(plotly's base64 arrays decoded), and the point's label (``customdata[0]`` or the category) names
the group. Plain HTML tables (including pandas ``DataFrame.to_html`` in notebooks) with a column
``n``, ``n_*``, ``count`` or ``Anzahl`` are scanned like worksheets. A row whose ``suppressed``
column is true is not a finding.
"""

from __future__ import annotations

import html
import json
import math
import os
import re
from collections.abc import Iterator, Sequence
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.small_cells import DEFAULT_MIN_N
from core.errors import BausteinError
from core.problems import Catalogue, Location, MessageSpec, Problem
from surveys.pseudonyms import PSEUDONYM_RE

__all__ = ["AUDIT", "AUDIT_COLUMNS", "FREE_TEXT_HEADERS", "IDENTIFIER_HEADERS", "audit_outputs", "audit_problems"]

AUDIT_COLUMNS = ["file", "location", "group", "n", "problem", "code"]

_N_HEADER = re.compile(r"^(n|n_.+|count|anzahl|fallzahl)$", re.IGNORECASE)
#: Count columns that are not groups of respondents: numbers of municipalities, items or groups,
#: and answer frequencies inside a group (whose size stands in its own n column).
_NOT_A_GROUP = re.compile(
    r"^(n_(municipalities|kommunen|groups|items|excluded_groups|missing|straight|freq)\w*|"
    r"n_municipalities_\w+)$",
    re.IGNORECASE,
)
_SUPPRESSED_HEADER = re.compile(r"^(suppressed|unterdrückt|unterdrueckt)$", re.IGNORECASE)
#: A column naming a rule or severity marks a table that counts findings of the import check
#: (``reporting.figures.rejection_summary``: Schwere | Regel | Anzahl), not respondents.
_FINDINGS_TABLE = re.compile(r"^(regel|rule|code|schwere|severity|befund|finding)$", re.IGNORECASE)
#: Column names that hold respondent identifiers (any tool's export). Bare "id"/"name" are left
#: out on purpose: results tables use them for constructs and municipalities.
IDENTIFIER_HEADERS = frozenset(
    h.casefold()
    for h in (
        "respondent_id", "Fragebogen-Nr.", "_id", "_uuid", "uuid", "instanceID", "meta/instanceID",
        "_submitted_by", "token", "SERIAL", "CASE", "REF", "email", "e-mail", "ipaddr", "IP-Adresse",
        "Vorname", "Nachname", "source_row",
    )
)
#: Column names of free-text answers (in addition to the instrument's free-text fields).
FREE_TEXT_HEADERS = frozenset(h.casefold() for h in ("comment", "Anmerkungen", "Kommentar", "Freitext", "free_text"))
#: ``n = 3`` in text; not when the number counts units that are not respondents ("n = 3 Kommunen").
_N_EQUALS = re.compile(
    r"(?<![\w.])[nN]\s*=\s*(\d+)(?!\d)(?![.,]\d)"
    r"(?!\s*(?:Kommunen|Kommune|Gemeinden|Gemeinde|municipalit|Landkreise|Kreise|districts?\b|Items?\b|"
    r"Skalen|scales?\b|Gruppen|groups?\b|Wellen|waves?\b|Tabellen|tables?\b))",
    re.IGNORECASE,
)
_HOVER_CUSTOM = re.compile(r"(?<![\w.])[nN]\s*=\s*%\{customdata\[(\d+)\]")
_HOVER_AXIS = re.compile(r"(?<![\w.])[nN]\s*=\s*%\{([xy])[}:]")
_PLOTLY_CALL = re.compile(r"Plotly\.(?:newPlot|react)\(\s*[\"'][^\"']*[\"']\s*,\s*")
_CELLS_BLOCK = re.compile(
    r"<script\b[^>]*\btype=[\"']application/json[\"'][^>]*\bclass=[\"'][^\"']*baustein-cells[^\"']*[\"'][^>]*>"
    r"(.*?)</script>",
    re.IGNORECASE | re.DOTALL,
)
_DATA_N_TAG = re.compile(r"<[a-zA-Z][^>]*\sdata-n=[\"']?(\d+)[^>]*>")
_DATA_GROUP = re.compile(r"\sdata-group=[\"']([^\"']*)[\"']")


def _spec(de: str, en: str, hint: tuple[str, str] = ("", "")) -> MessageSpec:
    return MessageSpec("error", de, en, hint_de=hint[0], hint_en=hint[1])


_SUPPRESS = ("Gruppen zusammenfassen oder unterdrücken.", "Merge or suppress groups.")
#: Every finding of the audit (a :class:`core.problems.Catalogue`); the English message is the
#: ``problem`` column of :func:`audit_outputs`.
AUDIT = Catalogue("audit", {
    "small_group": _spec("Gruppe mit weniger als {min_n} Personen.", "group smaller than {min_n}", _SUPPRESS),
    "small_group_text": _spec("Gruppe mit weniger als {min_n} Personen (Text 'n = {n}').",
                              "group smaller than {min_n} (text 'n = {n}')", _SUPPRESS),
    "small_group_customdata": _spec("Gruppe mit weniger als {min_n} Personen (plotly customdata).",
                                    "group smaller than {min_n} (plotly customdata)", _SUPPRESS),
    "differencing": _spec(
        "Gruppe von {n} Personen ({measure}) durch Differenzbildung berechenbar: {derivation}{mean_de}.",
        "group smaller than {min_n} recoverable by differencing ({measure}, n = {n}{mean_en}): {derivation}",
        ("Ergänzend unterdrücken: die Ergebnisse mit dieser Version neu berechnen (analysis.run unterdrückt "
         "ergänzend) oder eine der genannten Zahlen entfernen.",
         "Suppress complementary cells: recompute the results with this version (analysis.run does it) or "
         "remove one of the figures named.")),
    "identifier_column": _spec("Spalte mit Befragten-Kennungen '{column}'.", "respondent identifier column '{column}'",
                               ("Spalte entfernen.", "Remove the column.")),
    "identifier_field": _spec("Feld mit Befragten-Kennungen '{field}'.", "respondent identifier field '{field}'",
                              ("Feld entfernen.", "Remove the field.")),
    "free_text_column": _spec("Freitext-Spalte '{column}'.", "free-text column '{column}'",
                              ("Spalte entfernen.", "Remove the column.")),
    "free_text_field": _spec("Freitext-Feld '{field}'.", "free-text field '{field}'",
                             ("Feld entfernen.", "Remove the field.")),
    "pseudonym": _spec("Pseudonym eines Befragten in der Ausgabe.", "respondent pseudonym in output",
                       ("Kennungen nie veröffentlichen.", "Never publish identifiers.")),
    "page_not_in_results": _spec(
        "Die Seite zeigt n = {n} für {group} (AGS {ags}); results.json veröffentlicht diese Zahl nicht "
        "(dort unterdrückt, oder die Seite stammt aus anderen Ergebnissen).",
        "page shows n = {n} for {group} (AGS {ags}), which results.json does not publish (suppressed there, "
        "or the page comes from other results)",
        ("Berichte und Ergebnisse zusammen neu erzeugen (baustein report).",
         "Rebuild reports and results together (baustein report).")),
    "unreadable_cells": _spec("Unlesbarer baustein-cells-Block.", "unreadable baustein-cells block"),
    "unreadable": _spec("Konnte nicht geprüft werden: {error}: {reason}", "could not be checked: {error}: {reason}"),
})


class _Findings:
    def __init__(self, min_n: int) -> None:
        self.min_n = min_n
        self.problems: list[Problem] = []
        self.rows: list[dict[str, Any]] = []
        self.declared: list[tuple[str, str, str, float]] = []

    def declare(self, file: Path | str, location: str, group: Any, n: Any) -> None:
        """Remember a group size a page shows (any size), to compare the pages with the results."""
        if isinstance(group, str) and not isinstance(n, bool) and isinstance(n, int | float) and n == n:
            self.declared.append((str(file), location, group, float(n)))

    def add(self, file: Path | str, location: str, group: str, n: int | None, code: str, **params: Any) -> None:
        """Record finding ``code`` of :data:`AUDIT` at ``location`` in ``file`` (``group`` and ``n`` if any)."""
        p = AUDIT.problem(code, Location(file=str(file), scope=location), min_n=self.min_n, n=n, group=group,
                          **params)
        self.problems.append(p)
        self.rows.append({"file": str(file), "location": location, "group": group, "n": n, "problem": p.message_en,
                          "code": code})

    def small(self, n: Any) -> int | None:
        """``n`` as int if it is a group size 1..min_n-1, else None."""
        if isinstance(n, bool) or n is None:
            return None
        try:
            value = float(str(n).strip().replace(",", ".")) if isinstance(n, str) else float(n)
        except ValueError:
            return None
        if math.isnan(value) or not value.is_integer():
            return None
        return int(value) if 1 <= value < self.min_n else None


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"true", "wahr", "1", "ja", "yes", "x"}
    try:
        return bool(value) and not (isinstance(value, float) and math.isnan(value))
    except (TypeError, ValueError):
        return False


def _scan_rows(found: _Findings, file: Path, location: str, rows: Sequence[Sequence[Any]]) -> None:
    """Scan a grid of cells (worksheet, CSV, HTML table) holding one or more header+body tables."""
    header: list[str] | None = None
    for i, row in enumerate(rows):
        cells = ["" if c is None else str(c).strip() for c in row]
        if not any(cells):
            header = None
            continue
        if any(_N_HEADER.match(c) for c in cells) or (
            header is None and any(c.casefold() in IDENTIFIER_HEADERS | FREE_TEXT_HEADERS for c in cells)
        ):
            header = cells
            for j, name in enumerate(cells):
                if name.casefold() in IDENTIFIER_HEADERS:
                    found.add(file, f"{location}, Zeile/row {i + 1}, Spalte/column {j + 1}", "", None,
                              "identifier_column", column=name)
                elif name.casefold() in FREE_TEXT_HEADERS:
                    found.add(file, f"{location}, Zeile/row {i + 1}, Spalte/column {j + 1}", "", None,
                              "free_text_column", column=name)
            continue
        if header is None:
            continue
        n_idx = [j for j, h in enumerate(header) if _N_HEADER.match(h) and not _NOT_A_GROUP.match(h)]
        if any(_FINDINGS_TABLE.match(h) for h in header):
            n_idx = []  # counts of findings by rule, not group sizes
        if any(header[j].casefold() != "count" for j in n_idx):
            # "count" beside a group-size column is an answer frequency within that group
            n_idx = [j for j in n_idx if header[j].casefold() != "count"]
        sup_idx = [j for j, h in enumerate(header) if _SUPPRESSED_HEADER.match(h)]
        if any(j < len(row) and _truthy(row[j]) for j in sup_idx):
            continue
        label = " / ".join(
            c for j, c in enumerate(cells) if j not in n_idx and c and not _looks_numeric(c)
        )[:120]
        for j in n_idx:
            if j < len(row):
                n = found.small(row[j])
                if n is not None:
                    found.add(file, f"{location}, Zeile/row {i + 1} ({header[j]})", label, n, "small_group")


def _looks_numeric(text: str) -> bool:
    try:
        float(text.replace(",", "."))
    except ValueError:
        return False
    return True


def _scan_text(found: _Findings, file: Path, location: str, text: str) -> None:
    """Free text (notebook output, hover text): ``n = 3`` mentions and leaked pseudonyms."""
    for m in _N_EQUALS.finditer(text):
        n = found.small(m.group(1))
        if n is not None:
            start = max(0, m.start() - 40)
            found.add(file, location, text[start : m.end()].replace("\n", " ").strip(), n, "small_group_text")
    for m in PSEUDONYM_RE.finditer(text):
        found.add(file, location, m.group(0), None, "pseudonym")


def _scan_json(found: _Findings, file: Path, obj: Any, path: str = "$") -> None:
    if isinstance(obj, dict):
        if isinstance(obj.get("columns"), list) and isinstance(obj.get("data"), list):  # pandas orient="split"
            _scan_rows(found, file, f"{path} (table)", [obj["columns"], *obj["data"]])
        if not _truthy(obj.get("suppressed", False)):
            label = " / ".join(
                f"{v}" for k, v in obj.items() if isinstance(v, str) and not _N_HEADER.match(str(k))
            )[:120]
            keys = [str(k) for k in obj if _N_HEADER.match(str(k)) and not _NOT_A_GROUP.match(str(k))]
            if any(k.casefold() != "count" for k in keys):
                keys = [k for k in keys if k.casefold() != "count"]
            for k, v in obj.items():
                if str(k) in keys and not isinstance(v, dict | list):
                    n = found.small(v)
                    if n is not None:
                        found.add(file, f"{path}.{k}", label, n, "small_group")
        for k, v in obj.items():
            if str(k).casefold() in IDENTIFIER_HEADERS and isinstance(v, str | int) and not isinstance(v, bool):
                found.add(file, f"{path}.{k}", "", None, "identifier_field", field=k)
            elif str(k).casefold() in FREE_TEXT_HEADERS and isinstance(v, str) and v.strip():
                found.add(file, f"{path}.{k}", "", None, "free_text_field", field=k)
            _scan_json(found, file, v, f"{path}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            _scan_json(found, file, v, f"{path}[{i}]")
    elif isinstance(obj, str):
        for m in PSEUDONYM_RE.finditer(obj):
            found.add(file, path, m.group(0), None, "pseudonym")


class _TableParser(HTMLParser):
    """Collect every ``<table>`` of an HTML page as a grid of cell texts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self._stack: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._stack.append([])
        elif tag == "tr" and self._stack:
            self._stack[-1].append([])
        elif tag in {"td", "th"} and self._stack:
            if not self._stack[-1]:
                self._stack[-1].append([])
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in {"td", "th"} and self._cell is not None and self._stack:
            self._stack[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table" and self._stack:
            self.tables.append(self._stack.pop())

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _plotly_array(value: Any) -> Any:
    """A plotly array as a list: plotly >= 6 writes numbers as ``{"dtype", "bdata", "shape"}`` (base64)."""
    if isinstance(value, dict) and isinstance(value.get("bdata"), str) and isinstance(value.get("dtype"), str):
        import base64

        import numpy as np

        try:
            arr = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
            shape = value.get("shape")
            if isinstance(shape, str) and shape.strip():
                arr = arr.reshape(tuple(int(x) for x in shape.split(",")))
            return arr.tolist()
        except (ValueError, TypeError):
            return value
    return value


def _scan_plotly_figure(found: _Findings, file: Path, location: str, traces: Any) -> None:
    if isinstance(traces, dict):
        traces = traces.get("data", [])
    if not isinstance(traces, list):
        return
    for t_i, trace in enumerate(traces):
        if not isinstance(trace, dict):
            continue
        trace = {k: _plotly_array(v) for k, v in trace.items()}
        where = f"{location}, trace {t_i} ({trace.get('name', '')})"
        template = trace.get("hovertemplate")
        templates = template if isinstance(template, list) else [template]
        custom = trace.get("customdata")
        for tpl in templates:
            if not isinstance(tpl, str):
                continue
            for m in _HOVER_CUSTOM.finditer(tpl):
                k = int(m.group(1))
                for p_i, point in enumerate(custom if isinstance(custom, list) else []):
                    value = point[k] if isinstance(point, list) and k < len(point) else (point if k == 0 else None)
                    found.declare(file, f"{where}, point {p_i}", _point_label(trace, p_i), value)
                    n = found.small(value)
                    if n is not None:
                        found.add(file, f"{where}, point {p_i}", str(_point_label(trace, p_i)), n,
                                  "small_group_customdata")
            for m in _HOVER_AXIS.finditer(tpl):
                axis, other = m.group(1), "y" if m.group(1) == "x" else "x"
                values = trace.get(axis)
                for p_i, value in enumerate(values if isinstance(values, list) else []):
                    label = _point_label({other: trace.get(other), "customdata": custom}, p_i)
                    found.declare(file, f"{where}, point {p_i}", label, value)
                    n = found.small(value)
                    if n is not None:
                        found.add(file, f"{where}, point {p_i}", str(label), n, "small_group")
        for key in ("text", "hovertext"):
            value = trace.get(key)
            for text in value if isinstance(value, list) else [value]:
                if isinstance(text, str):
                    _scan_text(found, file, f"{where}, {key}", html.unescape(text))


def _point_label(trace: dict[str, Any], i: int) -> Any:
    custom = trace.get("customdata")
    if isinstance(custom, list) and i < len(custom):
        first = custom[i][0] if isinstance(custom[i], list) and custom[i] else custom[i]
        if isinstance(first, str):
            return first
    for axis in ("x", "y", "labels"):
        values = trace.get(axis)
        if isinstance(values, list) and i < len(values) and isinstance(values[i], str):
            return values[i]
    return i


def _scan_html(found: _Findings, file: Path, text: str, location: str = "html") -> None:
    for m in _CELLS_BLOCK.finditer(text):
        try:
            _scan_json(found, file, json.loads(html.unescape(m.group(1))), f"{location} baustein-cells")
        except json.JSONDecodeError:
            found.add(file, f"{location} baustein-cells", "", None, "unreadable_cells")
    for m in _DATA_N_TAG.finditer(text):
        n = found.small(m.group(1))
        tag = m.group(0)
        g = _DATA_GROUP.search(tag)
        if g and not re.search(r"\sdata-suppressed=[\"']?(true|1)", tag):
            found.declare(file, f"{location} data-n", html.unescape(g.group(1)), int(m.group(1)))
        if n is not None and not re.search(r"\sdata-suppressed=[\"']?(true|1)", tag):
            found.add(file, f"{location} data-n", html.unescape(g.group(1)) if g else "", n, "small_group")
    decoder = json.JSONDecoder()
    for i, m in enumerate(_PLOTLY_CALL.finditer(text)):
        try:
            traces, _ = decoder.raw_decode(text, m.end())
        except json.JSONDecodeError:
            continue
        _scan_plotly_figure(found, file, f"{location} figure {i + 1}", traces)
    parser = _TableParser()
    try:
        parser.feed(text)
        parser.close()
    except Exception:  # malformed markup: the regex scans above still ran
        parser.tables = parser.tables or []
    for t_i, table in enumerate(parser.tables):
        _scan_rows(found, file, f"{location} table {t_i + 1}", table)
    visible = re.sub(r"<script\b.*?</script>|<style\b.*?</style>|<[^>]+>", " ", text, flags=re.DOTALL | re.I)
    _scan_text(found, file, f"{location} text", html.unescape(visible))


def _scan_notebook(found: _Findings, file: Path, nb: Any) -> None:
    for c_i, cell in enumerate(nb.get("cells", []) if isinstance(nb, dict) else []):
        for o_i, out in enumerate(cell.get("outputs", []) if isinstance(cell, dict) else []):
            where = f"cell {c_i + 1}, output {o_i + 1}"
            data = out.get("data", {}) if isinstance(out, dict) else {}
            if not isinstance(data, dict):
                continue
            text_html = data.get("text/html")
            plotly = data.get("application/vnd.plotly.v1+json")
            if plotly is not None:
                _scan_plotly_figure(found, file, where, plotly)
            if text_html is not None:
                _scan_html(found, file, "".join(text_html) if isinstance(text_html, list) else str(text_html), where)
            elif plotly is None:
                plain = data.get("text/plain", out.get("text", "")) if isinstance(out, dict) else ""
                _scan_text(found, file, where, "".join(plain) if isinstance(plain, list) else str(plain))
            if "application/json" in data:
                _scan_json(found, file, data["application/json"], f"{where} json")


def _scan_xlsx(found: _Findings, file: Path) -> None:
    from surveys.importing.input_guard import inspect_file

    info = inspect_file(file)
    if info.kind not in {"xlsx", "xlsm"}:
        return
    import openpyxl

    wb = openpyxl.load_workbook(file, read_only=True, data_only=True)
    try:
        for ws in wb.worksheets:
            rows = [list(r) for r in ws.iter_rows(values_only=True)]
            _scan_rows(found, file, f"Blatt/sheet '{ws.title}'", rows)
            for r in rows:
                for v in r:
                    if isinstance(v, str):
                        for m in PSEUDONYM_RE.finditer(v):
                            found.add(file, f"Blatt/sheet '{ws.title}'", m.group(0), None, "pseudonym")
    finally:
        wb.close()


def _scan_csv(found: _Findings, file: Path) -> None:
    from surveys.importing.input_guard import inspect_file

    info = inspect_file(file)
    if info.kind != "csv":
        return
    text = file.read_bytes().decode(info.encoding or "utf-8", errors="replace")
    import csv
    import io

    rows = list(csv.reader(io.StringIO(text), delimiter=info.delimiter or ","))
    _scan_rows(found, file, "csv", rows)
    for m in PSEUDONYM_RE.finditer(text):
        found.add(file, "csv", m.group(0), None, "pseudonym")


_SCANNERS = {".xlsx", ".xlsm", ".csv", ".json", ".html", ".htm", ".ipynb"}


def _iter_files(folder: Path) -> Iterator[Path]:
    for p in sorted(folder.rglob("*")):
        if p.is_file() and not p.is_symlink() and p.suffix.lower() in _SCANNERS:
            yield p


def audit_problems(folder: str | os.PathLike[str], min_n: int = DEFAULT_MIN_N) -> list[Problem]:
    """The findings of :func:`audit_outputs` as located problems (catalogue :data:`AUDIT`)."""
    return _audit(folder, min_n).problems


def audit_outputs(folder: str | os.PathLike[str], min_n: int = DEFAULT_MIN_N) -> pd.DataFrame:
    """Scan every output in ``folder`` for groups below ``min_n``, identifiers and free text, and attack it.

    Parameters
    ----------
    folder : path-like
        A report/results folder (searched recursively) or a single file.
    min_n : int, default 5
        Minimum cell size; groups of 1..min_n-1 respondents are findings (0 is not a person).

    Returns
    -------
    pandas.DataFrame
        One row per finding with columns ``file``, ``location`` (sheet/row, JSON path, notebook
        cell, figure/trace; for differencing the tables combined), ``group`` (label of the row or
        point, if any), ``n`` (the small size, NA for identifier/free-text findings), ``problem``
        (the English message) and ``code`` (of :data:`AUDIT`). Empty when nothing was found.

    Notes
    -----
    Formats: ``.xlsx``/``.xlsm`` (every sheet, every table on it), ``.csv``, ``.json`` (any nesting;
    pandas ``orient="split"`` tables), ``.html`` (``data-n`` attributes, ``baustein-cells`` JSON
    blocks, plotly hover text and customdata, every ``<table>``, visible "n = 3" text) and executed
    ``.ipynb`` notebooks (HTML, plotly and text outputs). Rows marked ``suppressed`` are skipped.
    A file that cannot be read is itself a finding ("could not be checked").

    Every ``results.json`` (with the ``results.xlsx`` beside it) is also attacked by differencing
    (:mod:`reporting.audit_differencing`): a group of 1..min_n-1 respondents that published totals
    minus published parts give exactly is a finding ``differencing`` naming the figures combined.
    """
    found = _audit(folder, min_n)
    frame = pd.DataFrame(found.rows, columns=AUDIT_COLUMNS)
    frame["n"] = frame["n"].astype("Int64")
    return frame.drop_duplicates(ignore_index=True)


def _audit(folder: str | os.PathLike[str], min_n: int) -> _Findings:
    root = Path(folder)
    if not root.exists():
        raise BausteinError(f"Ordner nicht gefunden / folder not found: {root}")
    found = _Findings(min_n)
    files = [root] if root.is_file() else list(_iter_files(root))
    for file in files:
        suffix = file.suffix.lower()
        try:
            if suffix in {".xlsx", ".xlsm"}:
                _scan_xlsx(found, file)
            elif suffix == ".csv":
                _scan_csv(found, file)
            elif suffix == ".json":
                data = json.loads(file.read_text(encoding="utf-8"))
                _scan_json(found, file, data)
                if isinstance(data, dict) and isinstance(data.get("tables"), dict):
                    _attack(found, file)
            elif suffix in {".html", ".htm"}:
                _scan_html(found, file, file.read_text(encoding="utf-8", errors="replace"))
            elif suffix == ".ipynb":
                _scan_notebook(found, file, json.loads(file.read_text(encoding="utf-8")))
        except (BausteinError, ValueError, OSError, KeyError, TypeError) as exc:
            reason = " ".join(str(exc).split())[:300]
            found.add(file, "", "", None, "unreadable", error=type(exc).__name__, reason=reason)
    _pages_against_results(found, root)
    return found


def _pages_against_results(found: _Findings, root: Path) -> None:
    """A page may show only group sizes the results publish: a municipality's n that ``results.json``
    does not show (suppressed there, or the page built from other results) is a finding."""
    from .audit_differencing import load_results_json

    path = root / "results.json"
    loaded = load_results_json(path) if root.is_dir() and path.exists() else None
    if loaded is None:
        return
    tables = loaded[0]
    over = tables.get("kommunen_uebersicht", pd.DataFrame())
    tokens: dict[str, str] = {}
    if {"ags", "name"} <= set(over.columns):
        names = over["name"].astype(str)
        unique = names[~names.duplicated(keep=False)]
        tokens.update(dict(zip(unique, over.loc[unique.index, "ags"].astype(str), strict=True)))
    if "ags" in over.columns:
        tokens.update({a: a for a in over["ags"].astype(str)})
    shown: dict[str, set[float]] = {}
    for table in tables.values():
        if "ags" not in table.columns or table.empty:
            continue
        visible = table[~_suppressed_rows(table)]
        for col in [c for c in visible.columns if _N_HEADER.match(str(c)) and not _NOT_A_GROUP.match(str(c))]:
            for a, v in zip(visible["ags"].astype(str), pd.to_numeric(visible[col], errors="coerce"), strict=True):
                if v == v:
                    shown.setdefault(a, set()).add(float(v))
    for file, location, label, n in found.declared:
        if not file.endswith((".html", ".htm", ".ipynb")) or n < found.min_n:
            continue
        text = html.unescape(label).strip()
        keys = {text, text.rsplit(" ", 1)[0], *(part.strip() for part in re.split(r"/|<br>|\(", text))}
        hits = {tokens[k] for k in keys if k in tokens}
        if len(hits) == 1:
            (ags,) = hits
            if not any(math.isclose(n, v) for v in shown.get(ags, ())):
                found.add(file, location, label, int(n), "page_not_in_results", ags=ags)


def _suppressed_rows(table: pd.DataFrame) -> Any:
    if "suppressed" not in table.columns:
        return pd.Series(False, index=table.index)
    return table["suppressed"].map(_truthy).astype(bool)


def _attack(found: _Findings, file: Path) -> None:
    """The differencing attack on a results file: one ``differencing`` finding per recovered group."""
    from .audit_differencing import attack_results

    for leak in attack_results(file):
        mean_de = "" if leak.mean is None else f"; Mittelwert {leak.mean:.4f}"
        mean_en = "" if leak.mean is None else f", mean {leak.mean:.4f}"
        found.add(leak.file, ", ".join(leak.tables), leak.group, leak.n, "differencing", measure=leak.measure,
                  derivation=leak.derivation(), mean_de=mean_de, mean_en=mean_en)
