"""Reading mappings: YAML files and the Excel workbook (``zuordnung.xlsx``), into one model.

:func:`load_mapping` picks the reader by the file's suffix and validates the result against the
instrument (:meth:`surveys.importing.mapping.Mapping.validate`). Every problem of form is reported
with its place -- the YAML line, or the workbook's sheet, row and column -- never as a traceback.
YAML is read with every scalar as text (``Yes``/``No``/``On``/``Off`` stay words, ``01001000``
stays an AGS).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from core.excel_columns import column_letter
from core.problems import Location, Problem
from surveys.instrument import MISSING_REASONS, Instrument

from .label_sets import missing_reason
from .mapping import MAPPING_CODES, AnswerGroup, Mapping, MappingError
from .mapping_workbook import ALL_FILES

__all__ = ["load_mapping", "read_mapping_workbook"]


# ---------------------------------------------------------------- reading YAML
def _code_value(text: str) -> int | str:
    """A mapping's answer code: a whole number, or a missing reason (also written as a label)."""
    t = str(text).strip()
    if re.fullmatch(r"[+-]?\d+", t):
        return int(t)
    if re.fullmatch(r"[+-]?\d+[.,]0+", t):
        return int(float(t.replace(",", ".")))
    key = t.casefold()
    if key in MISSING_REASONS or key == "ignore":
        return key
    reason = missing_reason(t)
    return reason if reason else t


def _node_lines(node: yaml.Node, path: tuple[str, ...], out: dict[tuple[str, ...], int]) -> Any:
    """Plain data from a composed YAML node (every scalar as text), recording each key's line."""
    if isinstance(node, yaml.MappingNode):
        data: dict[str, Any] = {}
        for k, v in node.value:
            key = _node_lines(k, path, {}) if not isinstance(k, yaml.ScalarNode) else k.value
            key = str(key)
            out[(*path, key)] = k.start_mark.line + 1
            data[key] = _node_lines(v, (*path, key), out)
        return data
    if isinstance(node, yaml.SequenceNode):
        items = []
        for i, v in enumerate(node.value):
            out[(*path, str(i))] = v.start_mark.line + 1
            items.append(_node_lines(v, (*path, str(i)), out))
        return items
    if isinstance(node, yaml.ScalarNode):
        if node.tag == "tag:yaml.org,2002:null" or (node.style is None and node.value in ("", "~", "null", "Null", "NULL")):
            return None
        return node.value
    return None  # pragma: no cover - aliases are resolved by compose


def load_mapping(path: str | Path | None, instrument: Instrument | None = None) -> Mapping | None:
    """Read a mapping workbook (.xlsx) or YAML/JSON file; ``None`` passes through.

    With ``instrument`` the mapping is validated at once (:meth:`Mapping.validate`).
    """
    if path is None:
        return None
    p = Path(path)
    if not p.is_file():
        raise MappingError(problem=MAPPING_CODES.problem("mapping_not_found", Location(file=str(p))))
    if p.suffix.lower() in {".xlsx", ".xlsm"}:
        m = read_mapping_workbook(p)
    else:
        m = _load_yaml(p)
    if instrument is not None:
        m.validate(instrument)
    return m


def _load_yaml(p: Path) -> Mapping:
    src = str(p)
    try:
        text = p.read_text(encoding="utf-8-sig")
        node = yaml.compose(text, Loader=yaml.BaseLoader)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        detail = " ".join(str(getattr(exc, "problem", None) or exc).split())[:200]
        loc = Location(file=src, row=None if line is None else line + 1)
        raise MappingError(problem=MAPPING_CODES.problem("mapping_unreadable", loc, detail=detail)) from None
    lines: dict[tuple[str, ...], int] = {}
    data = _node_lines(node, (), lines) if node is not None else {}
    problems: list[Problem] = []

    def loc(*key: str) -> Location:
        for n in range(len(key), 0, -1):
            if key[:n] in lines:
                return Location(file=src, row=lines[key[:n]], section=" / ".join(key))
        return Location(file=src, section=" / ".join(key))

    def bad(key: tuple[str, ...], expected: str) -> None:
        problems.append(MAPPING_CODES.problem("mapping_structure", loc(*key), key=" / ".join(key), expected=expected))

    if not isinstance(data, dict):
        bad(("(Datei)",), "eine Zuordnung mit 'columns:' usw. / a mapping with 'columns:' etc.")
        raise MappingError(problems=problems)

    def table(key: tuple[str, ...], value: Any) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            bad(key, "Einträge 'Text: Wert' / entries 'text: value'")
            return {}
        return {k: v for k, v in value.items() if v is not None}

    m = Mapping(source=src, instrument=str(data.get("instrument") or ""))
    for h, t in table(("columns",), data.get("columns")).items():
        if isinstance(t, dict):  # {target: KOM01, files: [...]}
            m.column_files[h] = [str(f) for f in (t.get("files") or [])]
            t = t.get("target")
        if not isinstance(t, str):
            bad(("columns", h), "ein Ziel / a target")
            continue
        m.columns[h] = t.strip().split(" – ")[0].strip()
        m.where[("columns", h)] = loc("columns", h)
    for label, code in table(("values",), data.get("values")).items():
        m.values[label] = _code_value(code)
        m.where[("values", label)] = loc("values", label)
    for item, vals in table(("item_values",), data.get("item_values")).items():
        t = table(("item_values", item), vals)
        m.item_values[item] = {k: (v if item == "role" else _code_value(v)) for k, v in t.items()}
        m.where[("item_values", item)] = loc("item_values", item)
        for k in t:
            m.where[("item_values", item, k)] = loc("item_values", item, k)
    for label, role in table(("roles",), data.get("roles")).items():
        m.roles[label] = str(role)
        m.where[("roles", label)] = loc("roles", label)
    for k, v in table(("defaults",), data.get("defaults")).items():
        m.defaults[k] = str(v)
        m.where[("defaults", k)] = loc("defaults", k)
    for f, vals in table(("files",), data.get("files")).items():
        m.files[f] = {k: str(v) for k, v in table(("files", f), vals).items()}
        for k in m.files[f]:
            m.where[("files", f, k)] = loc("files", f, k)
    groups = data.get("answers") or []
    if not isinstance(groups, list):
        bad(("answers",), "eine Liste von Antwortgruppen / a list of answer groups")
        groups = []
    for i, g in enumerate(groups):
        key = ("answers", str(i))
        if not isinstance(g, dict):
            bad(key, "eine Antwortgruppe mit columns/range/values / an answer group")
            continue
        name = str(g.get("name") or f"G{i + 1}")
        cols = g.get("columns") or []
        if isinstance(cols, str):
            cols = [cols]
        rng = _parse_range(g.get("range"))
        if g.get("range") is not None and rng is None:
            problems.append(MAPPING_CODES.problem("bad_range", loc(*key, "range"), value=str(g.get("range"))))
        grp = AnswerGroup(name=name, columns=[str(c) for c in cols if c is not None], range=rng)
        for label, code in table((*key, "values"), g.get("values")).items():
            grp.values[label] = _code_value(code)
            m.where[("answers", name, label)] = loc(*key, "values", label)
        m.where[("answers", name, "range")] = loc(*key, "range")
        m.groups.append(grp)
    if problems:
        raise MappingError(problems=problems)
    return m


def _parse_range(value: Any) -> tuple[int, int] | None:
    """``[1, 7]``, ``"1-7"``, ``"1–7"`` or ``"1 bis 7"`` -> (1, 7); None when absent or not a range."""
    if value is None or value == "":
        return None
    parts: list[Any]
    if isinstance(value, (list, tuple)):
        parts = list(value)
    else:
        parts = re.split(r"\s*(?:–|—|\bbis\b|\bto\b|\.\.|(?<=\d)-)\s*", str(value).strip())
    try:
        a, b = (int(str(x).strip()) for x in parts)
    except (TypeError, ValueError):
        return None
    return (a, b)


# ---------------------------------------------------------------- reading
def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def read_mapping_workbook(path: str | Path) -> Mapping:
    """Read a mapping workbook written by :func:`.mapping_workbook.mapping_workbook_bytes` (and edited in Excel).

    Raises :class:`~.mapping.MappingError` with sheet and row for every problem of form; the
    checks against the instrument follow in :meth:`~.mapping.Mapping.validate`.
    """
    from openpyxl import load_workbook

    p = Path(path)
    src = p.name
    try:
        wb = load_workbook(p, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for broken files
        detail = " ".join(f"{type(exc).__name__}: {exc}".split())[:200]
        raise MappingError(problem=MAPPING_CODES.problem("mapping_unreadable", Location(file=src), detail=detail)) from None
    try:
        return _read(wb, src)
    finally:
        wb.close()


def _read(wb: Any, src: str) -> Mapping:
    problems: list[Problem] = []
    if "Spalten" not in wb.sheetnames:
        problems.append(MAPPING_CODES.problem(
            "mapping_unreadable", Location(file=src),
            detail="Blatt 'Spalten' fehlt / sheet 'Spalten' is missing"))
        raise MappingError(problems=problems)
    m = Mapping(source=src)

    def rows(name: str) -> tuple[dict[str, int], list[tuple[int, tuple[Any, ...]]]]:
        if name not in wb.sheetnames:
            return {}, []
        it = wb[name].iter_rows(values_only=True)
        first = next(it, None) or ()
        cols = {_text(h).split(" / ")[0].casefold(): j for j, h in enumerate(first) if _text(h)}
        return cols, [(i, r) for i, r in enumerate(it, start=2) if any(_text(v) for v in r)]

    def get(r: tuple[Any, ...], cols: dict[str, int], name: str) -> Any:
        j = cols.get(name.casefold())
        return r[j] if j is not None and j < len(r) else None

    def loc(sheet: str, row: int, cols: dict[str, int], name: str, header: str = "") -> Location:
        j = cols.get(name.casefold())
        return Location(file=src, sheet=sheet, row=row, column=column_letter(j) if j is not None else "", header=header)

    def bad(sheet: str, row: int, cols: dict[str, int], name: str, expected: str) -> None:
        problems.append(MAPPING_CODES.problem("mapping_structure", loc(sheet, row, cols, name), key=name,
                                              expected=expected))

    # ---- Spalten
    cols, data = rows("Spalten")
    for need in ("überschrift", "ziel"):
        if need not in cols:
            bad("Spalten", 1, cols, need, "eine Spalte mit dieser Überschrift / a column with this heading")
    if problems:
        raise MappingError(problems=problems)
    group_cols: dict[str, list[str]] = {}
    for i, r in data:
        header = get(r, cols, "überschrift")
        if header is None or str(header) == "":
            continue
        header = str(header)
        target = _text(get(r, cols, "ziel")).split(" – ")[0].strip()
        if not target:
            target = "ignore"
        m.columns[header] = target
        m.where[("columns", header)] = loc("Spalten", i, cols, "ziel", header)
        files = _text(get(r, cols, "datei"))
        if files:
            m.column_files[header] = [f.strip() for f in files.split(" | ") if f.strip()]
        g = _text(get(r, cols, "antwortgruppe"))
        if g:
            group_cols.setdefault(g, []).append(header)

    # ---- Antworten
    cols, data = rows("Antworten")
    groups: dict[str, AnswerGroup] = {}
    for i, r in data:
        name = _text(get(r, cols, "gruppe"))
        label = get(r, cols, "antwort")
        if not name or label is None:
            continue
        label = _text(label)
        g = groups.get(name)
        if g is None:
            g = groups[name] = AnswerGroup(name=name, columns=list(group_cols.get(name, [])))
            m.where[("answers", name, "range")] = loc("Antworten", i, cols, "skala von")
        lo, hi = get(r, cols, "skala von"), get(r, cols, "skala bis")
        if g.range is None and (_text(lo) or _text(hi)):
            rng = _parse_range([_text(lo), _text(hi)])
            if rng is None:
                problems.append(MAPPING_CODES.problem("bad_range", loc("Antworten", i, cols, "skala von"),
                                                      value=f"{_text(lo)}–{_text(hi)}"))
            else:
                g.range = rng
        code = _text(get(r, cols, "code")).split(" – ")[0].strip()
        if code:
            g.values[label] = _code_value(code)
            m.where[("answers", name, label)] = loc("Antworten", i, cols, "code", label)
    m.groups = list(groups.values())

    # ---- Rollen
    cols, data = rows("Rollen")
    for i, r in data:
        label, role = _text(get(r, cols, "antwort")), _text(get(r, cols, "rolle")).split(" – ")[0].strip()
        if label and role:
            m.roles[label] = role
            m.where[("roles", label)] = loc("Rollen", i, cols, "rolle", label)

    # ---- Vorgaben
    cols, data = rows("Vorgaben")
    for i, r in data:
        file = _text(get(r, cols, "datei"))
        vals: dict[str, str] = {}
        for key, name in (("ags", "ags"), ("wave", "welle"), ("role", "rolle")):
            v = _text(get(r, cols, name))
            if key == "role":
                v = v.split(" – ")[0].strip()
            if key == "ags" and re.fullmatch(r"\d{7}", v):
                v = v.zfill(8)  # Excel turned the AGS into a number
            if v:
                vals[key] = v
                scope = ("defaults", key) if file in ("", ALL_FILES) else ("files", file, key)
                m.where[scope] = loc("Vorgaben", i, cols, name, file)
        if not vals:
            continue
        if file in ("", ALL_FILES):
            m.defaults.update(vals)
        else:
            m.files.setdefault(file, {}).update(vals)
    if problems:
        raise MappingError(problems=problems)
    return m
