"""The mapping as an Excel workbook that an evaluator checks and fills in (``zuordnung.xlsx``).

``baustein import FILE... --suggest-mapping zuordnung.xlsx`` writes it; ``--mapping zuordnung.xlsx``
reads it back (:func:`.mapping_files.read_mapping_workbook`) into the same :class:`~.mapping.Mapping` as a YAML
file. Sheets:

============  =====================================================================================
Spalten       one row per column header: files, sheet, column, 5 example answers, share filled,
              suggested target with confidence and reason, the answer group, and **Ziel** (the
              decision; a dropdown of every item, field and ``ignore``)
Antworten     one row per distinct answer of each answer group: count, suggested code, and
              **Code** (dropdown of the scale's codes and the missing reasons); per group the
              export's own scale **von/bis** (rescaled onto the instrument's by POMP)
Rollen        each answer of the role column -> **Rolle** (dropdown of the role codes)
Vorgaben      constant **AGS**, **Welle**, **Rolle** for all files (first row) or per file
Hinweise      how to use the workbook, German and English
============  =====================================================================================

Only the bold decision columns are read back (:mod:`.mapping_files`); everything else is information. Headers are
written as text cells (never as formulas), so a header such as ``=SUMME`` stays a header.
"""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from typing import Any

from .mapping import (
    ANSWER_REASONS,
    FIELD_NAMES,
)

__all__ = ["ALL_FILES", "SHEETS", "mapping_workbook_bytes", "write_suggestion"]

SHEETS = ("Spalten", "Antworten", "Rollen", "Vorgaben", "Hinweise")
_LISTS = "Listen"
ALL_FILES = "(alle Dateien / all files)"

#: Columns of each sheet: (German / English header, width); the decision columns come last.
_COLUMNS: dict[str, tuple[tuple[str, int], ...]] = {
    "Spalten": (
        ("Datei / file", 28), ("Blatt / sheet", 12), ("Spalte / column", 8), ("Überschrift / header", 45),
        ("Beispiele / examples", 40), ("gefüllt / filled", 9), ("Vorschlag / suggestion", 14),
        ("Sicherheit / confidence", 11), ("unsicher / uncertain", 10), ("Grund / reason", 50),
        ("Antwortgruppe / answer group", 12), ("Ziel / target", 45),
    ),
    "Antworten": (
        ("Gruppe / group", 9), ("Spalten / columns", 40), ("Antwort / answer", 40), ("Anzahl / count", 9),
        ("Vorschlag / suggestion", 12), ("Hinweis / note", 45), ("Skala von / scale from", 10),
        ("Skala bis / scale to", 10), ("Code", 24),
    ),
    "Rollen": (
        ("Antwort / answer", 40), ("Anzahl / count", 9), ("Vorschlag / suggestion", 16), ("Rolle / role", 40),
    ),
    "Vorgaben": (
        ("Datei / file", 40), ("Blatt / sheet", 14), ("Format", 11), ("Zeilen / rows", 9), ("AGS", 12),
        ("Welle / wave", 12), ("Rolle / role", 30),
    ),
}

_HINTS_DE = """\
So verwenden Sie diese Zuordnung
1. Blatt »Spalten«: Für jede Spalte Ihres Exports steht unter »Vorschlag« ein Ziel mit »Sicherheit« und
   »Grund«. Prüfen Sie die Spalte »Ziel« (Auswahlliste): ein Item (z. B. KOM01), ein Feld (respondent_id,
   ags, role, wave, submitted_at, comment) oder ignore. Zeilen mit »unsicher« besonders genau prüfen.
2. Blatt »Antworten«: Für jede Antwortgruppe (Spalten mit derselben Antwortskala) steht jede vorkommende
   Antwort mit einem Code. »Skala von/bis« ist die Skala IHRES Exports (z. B. 1 bis 4 bei vier Stufen); sie
   wird beim Import nach der POMP-Regel auf die Skala des Instruments (1–5) umgerechnet. »weiß nicht« =
   dont_know, »keine Angabe« = no_answer: fehlende Werte, nie die Mitte.
3. Blatt »Rollen«: Antworten der Rollen-Spalte einer Rolle des Instruments zuordnen.
4. Blatt »Vorgaben«: Feste Werte, wenn der Export sie nicht enthält: AGS der Kommune, Befragungswelle,
   Rolle – in der ersten Zeile für alle Dateien, darunter je Datei.
5. Speichern und importieren: baustein import EXPORT --mapping zuordnung.xlsx --out DATENSATZ
   Erneut --suggest-mapping zuordnung.xlsx (mit neuen Dateien) behält Ihre Entscheidungen und ergänzt nur
   Neues. Fehler in der Zuordnung werden mit Blatt und Zeile gemeldet.
"""
_HINTS_EN = """\
How to use this mapping
1. Sheet "Spalten" (columns): each column of your export has a suggested target with confidence and reason.
   Check the column "Ziel / target" (dropdown): an item (e.g. KOM01), a field (respondent_id, ags, role,
   wave, submitted_at, comment) or ignore. Check rows marked "unsicher" (uncertain) with particular care.
2. Sheet "Antworten" (answers): each answer group (columns sharing one answer scale) lists every answer
   with a code. "Skala von/bis" is YOUR export's scale (e.g. 1 to 4 for four points); on import it is
   rescaled onto the instrument's scale (1-5) by the POMP rule. "don't know" = dont_know, "no answer" =
   no_answer: missing values, never the midpoint.
3. Sheet "Rollen" (roles): map the answers of the role column to the instrument's roles.
4. Sheet "Vorgaben" (defaults): constant values the export lacks: the municipality's AGS, the survey
   wave, the role; the first row for all files, below per file.
5. Save and import: baustein import EXPORT --mapping zuordnung.xlsx --out DATASET
   Running --suggest-mapping zuordnung.xlsx again (with new files) keeps your decisions and only adds
   what is new. Problems in the mapping are reported with sheet and row.
"""


# ---------------------------------------------------------------- writing
def _target_choices(s: Any) -> list[str]:
    inst = s.instrument
    out = [f"{it.code} – {_short(it.label_de, 70)}" for it in inst.items]
    field_de = {"respondent_id": "Fragebogen-Nr.", "ags": "Gemeindeschlüssel", "role": "Rolle", "wave": "Welle",
                "submitted_at": "Datum", "comment": "Anmerkungen (Freitext)"}
    out += [f"{f} – {field_de[f]}" for f in FIELD_NAMES]
    out.append("ignore – nicht übernehmen / not imported")
    return out


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def mapping_workbook_bytes(s: Any) -> bytes:
    """The suggestion as an ``.xlsx`` workbook (see the module docstring)."""
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                   "strings_to_numbers": False})
    wb.set_properties({"created": datetime(2000, 1, 1), "title": "Zuordnung / mapping"})
    head = wb.add_format({"bold": True, "bg_color": "#DDDDDD", "text_wrap": True, "valign": "top"})
    decide = wb.add_format({"bold": True, "bg_color": "#FFF2CC", "text_wrap": True, "valign": "top"})
    unsure = wb.add_format({"bg_color": "#FCE4D6"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    pct = wb.add_format({"num_format": "0%"})
    sheets = {name: wb.add_worksheet(name) for name in (*SHEETS, _LISTS)}
    lists = sheets[_LISTS]
    lists.hide()
    targets = _target_choices(s)
    lists.write_column(0, 0, targets)
    roles = [f"{c.name} – {c.label_de}" for c in _role_field_choices(s)]
    lists.write_column(0, 1, roles or ["andere"])
    target_of = {t.split(" – ")[0]: t for t in targets}

    def header(ws: Any, name: str) -> None:
        cols = _COLUMNS[name]
        for j, (title, width) in enumerate(cols):
            is_decision = title.startswith(("Ziel", "Code", "Rolle", "AGS", "Welle", "Skala"))
            ws.write_string(0, j, title, decide if is_decision else head)
            ws.set_column(j, j, width)
        ws.freeze_panes(1, 0)
        ws.set_row(0, 30)

    # ---- Spalten
    ws = sheets["Spalten"]
    header(ws, "Spalten")
    for i, c in enumerate(s.columns, start=1):
        files = " | ".join(c.files)
        uncertain = not c.sure and c.target != "ignore" and not c.decided
        ws.write_string(i, 0, files)
        ws.write_string(i, 1, c.sheet)
        ws.write_string(i, 2, c.letter)
        ws.write_string(i, 3, c.header)
        ws.write_string(i, 4, " | ".join(c.examples))
        ws.write_number(i, 5, round(c.filled, 4), pct)
        suggested = c.target if c.target != "ignore" or not c.candidate else f"({c.candidate}?)"
        ws.write_string(i, 6, suggested)
        ws.write_number(i, 7, round(c.confidence))
        ws.write_string(i, 8, "unsicher" if uncertain else "", unsure if uncertain else None)
        ws.write_string(i, 9, f"{c.reason_de} / {c.reason_en}" if c.reason_en else c.reason_de, wrap)
        ws.write_string(i, 10, c.group)
        ws.write_string(i, 11, target_of.get(c.target, c.target), unsure if uncertain else None)
    n = max(len(s.columns), 1)
    ws.data_validation(1, 11, n + 200, 11, {"validate": "list", "source": f"={_LISTS}!$A$1:$A${len(targets)}",
                                            "error_type": "warning",
                                            "error_title": "Ziel / target",
                                            "error_message": "Bitte ein Ziel aus der Liste wählen. / Please "
                                                             "choose a target from the list."})
    ws.autofilter(0, 0, n, len(_COLUMNS["Spalten"]) - 1)

    # ---- Antworten
    ws = sheets["Antworten"]
    header(ws, "Antworten")
    r = 1
    for g in s.groups:
        cols = f"{len(g.columns)}: " + " | ".join(_short(h, 40) for h in g.columns[:3]) + (" …" if len(g.columns) > 3 else "")
        first = r
        for label, count in sorted(g.counts.items(), key=lambda kv: _order_key(g.values.get(kv[0], ""), kv[0])):
            code = g.values.get(label, "")
            ws.write_string(r, 0, g.name)
            ws.write_string(r, 1, cols)
            ws.write_string(r, 2, label)
            ws.write_number(r, 3, count)
            guessed = g.guess.codes.get(label, "")
            ws.write_string(r, 4, str(guessed))
            ws.write_string(r, 5, _group_note(g, s) if r == first else "", wrap)
            if g.range is not None:
                ws.write_number(r, 6, g.range[0])
                ws.write_number(r, 7, g.range[1])
            if isinstance(code, int):
                ws.write_number(r, 8, code)
            else:
                ws.write_string(r, 8, _reason_label(code), unsure if code == "" else None)
            r += 1
        lo, hi = g.range if g.range is not None else (1, 5)
        choices = [str(k) for k in range(lo, hi + 1)][:40] + [_reason_label(x) for x in ANSWER_REASONS]
        ws.data_validation(first, 8, r - 1, 8, {"validate": "list", "source": choices, "error_type": "information"})
    ws.autofilter(0, 0, max(r - 1, 1), len(_COLUMNS["Antworten"]) - 1)

    # ---- Rollen
    ws = sheets["Rollen"]
    header(ws, "Rollen")
    role_of = {x.split(" – ")[0]: x for x in roles}
    for i, ro in enumerate(s.roles, start=1):
        ws.write_string(i, 0, ro.text)
        ws.write_number(i, 1, ro.count)
        ws.write_string(i, 2, ro.role + ("" if ro.confidence >= 80 or not ro.role else " (unsicher)"))
        ws.write_string(i, 3, role_of.get(ro.role, ro.role))
    ws.data_validation(1, 3, max(len(s.roles), 1) + 100, 3,
                       {"validate": "list", "source": f"={_LISTS}!$B$1:$B${max(len(roles), 1)}", "error_type": "warning"})

    # ---- Vorgaben
    ws = sheets["Vorgaben"]
    header(ws, "Vorgaben")
    rows: list[tuple[str, str, str, int | str, dict[str, str]]] = [(ALL_FILES, "", "", "", s.defaults)]
    rows += [(f.file, f.sheet, f.format, f.rows, f.defaults) for f in s.files]
    for i, (file, sheet, fmt, nrows, vals) in enumerate(rows, start=1):
        ws.write_string(i, 0, file)
        ws.write_string(i, 1, sheet)
        ws.write_string(i, 2, fmt)
        if nrows != "":
            ws.write_number(i, 3, int(nrows))
        ws.write_string(i, 4, vals.get("ags", ""))
        ws.write_string(i, 5, vals.get("wave", ""))
        ws.write_string(i, 6, role_of.get(vals.get("role", ""), vals.get("role", "")))
    ws.data_validation(1, 6, len(rows) + 100, 6,
                       {"validate": "list", "source": f"={_LISTS}!$B$1:$B${max(len(roles), 1)}", "error_type": "warning"})
    text_fmt = wb.add_format({"num_format": "@"})
    ws.set_column(4, 5, 12, text_fmt)  # AGS and wave as text: leading zeros stay

    # ---- Hinweise
    ws = sheets["Hinweise"]
    ws.set_column(0, 0, 110)
    for i, line in enumerate([*_HINTS_DE.splitlines(), "", *_HINTS_EN.splitlines()]):
        ws.write_string(i, 0, line, head if i in (0, len(_HINTS_DE.splitlines()) + 1) else None)
    sheets["Spalten"].activate()
    wb.close()
    return buf.getvalue()


def _role_field_choices(s: Any) -> list[Any]:
    try:
        return list(s.instrument.field("role").choices)
    except KeyError:
        return []


def _reason_label(code: int | str) -> str:
    return {"dont_know": "dont_know – weiß nicht", "no_answer": "no_answer – keine Angabe"}.get(str(code), str(code))


def _order_key(code: int | str, label: str) -> tuple[int, float, str]:
    if isinstance(code, int):
        return (0, float(code), label)
    return (1 if code else 2, 0.0, label)


def _group_note(g: Any, s: Any) -> str:
    from .label_sets import rescale_table

    parts = []
    kinds = {"ordered": "geordnete Antworten / ordered labels", "numeric": "Zahlen / numbers",
             "binary": "ja/nein / yes/no", "nominal": "keine Reihenfolge erkannt / no order found",
             "empty": "nur fehlende Werte / missing values only"}
    parts.append(kinds.get(g.guess.kind, g.guess.kind))
    if g.guess.reversed:
        parts.append("umgekehrte Reihenfolge erkannt und gedreht / reversed order detected and turned")
    if not g.sure:
        parts.append("unsicher – bitte prüfen / uncertain – please check")
    if g.guess.unmatched:
        parts.append("ohne Vorschlag / no proposal: " + ", ".join(_short(x, 30) for x in g.guess.unmatched[:4]))
    items = [c.target for c in s.columns if c.header in g.columns and c.target in s.instrument.item_codes]
    if g.range is not None and items:
        sc = s.instrument.scale_of(items[0])
        if g.range != (sc.min, sc.max):
            table = rescale_table(g.range, (sc.min, sc.max))
            parts.append(f"POMP {g.range[0]}–{g.range[1]} → {sc.min}–{sc.max}: "
                         + ", ".join(f"{k}→{v}" for k, v in table.items()))
    return "; ".join(parts)


def write_suggestion(s: Any, out: str | Path) -> Path:
    """Write a :class:`~surveys.importing.suggest.Suggestion` as ``.xlsx`` (this workbook) or
    ``.yaml``/``.yml`` (its :meth:`to_yaml`), chosen by the suffix; written atomically."""
    from core.atomic import atomic_file

    p = Path(out)
    data = mapping_workbook_bytes(s) if p.suffix.lower() in {".xlsx", ".xlsm"} else s.to_yaml().encode("utf-8")
    with atomic_file(p) as tmp:
        tmp.write_bytes(data)
    return p
