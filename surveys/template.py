"""The data-entry workbook we send to municipalities (our "template").

Sheets (names in :mod:`surveys.formats`):

* ``Hinweise`` — how to fill in, what "weiß nicht"/"keine Angabe" mean, privacy note, and the
  question (stem) of each block.
* ``Antworten`` — one row per respondent. Columns: the respondent fields with the headers of
  :data:`~surveys.formats.TEMPLATE_FIELD_HEADERS`, then one column per item headed
  :func:`~surveys.formats.template_header` (``"KOM01 – Die Kommune …"``). Item cells offer a
  dropdown with exactly the scale's answer labels (including "weiß nicht" and "keine Angabe"),
  the role cell a dropdown with the role labels; AGS and wave are text cells (leading zeros
  survive); the date is a real Excel date. Header row and the first three columns are frozen.
* ``Kommunen`` — one row per municipality with the headers of
  :data:`~surveys.formats.TEMPLATE_MUNICIPALITY_HEADERS` (AGS as text, ja/nein dropdowns, dates,
  whole-number checks). ``state`` and ``size_class`` of the dataset are derived from AGS and
  population on import and are therefore not asked.
* ``Listen`` (hidden) — the dropdown lists.

:func:`write_template` writes it blank or, for the synthetic-data generator and for tests,
filled in as a municipality would (answer labels, role labels, AGS text, Excel dates). Output is
byte-identical for equal input (fixed workbook creation date, xlsxwriter's fixed zip times).

Example
-------
>>> from surveys import Instrument
>>> write_template(Instrument.load("sensibilisierung"), "vorlage.xlsx")   # doctest: +SKIP
PosixPath('vorlage.xlsx')
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from core.atomic import atomic_file
from core.errors import BausteinError

from .formats import (
    TEMPLATE_FIELD_HEADERS,
    TEMPLATE_INSTRUCTIONS_SHEET,
    TEMPLATE_MUNICIPALITIES_SHEET,
    TEMPLATE_MUNICIPALITY_HEADERS,
    TEMPLATE_RESPONSES_SHEET,
    template_header,
)
from .instrument import Instrument
from .xlsform import FIXED_CREATED

__all__ = [
    "MUNICIPALITY_BOOL_COLUMNS",
    "MUNICIPALITY_DATE_COLUMNS",
    "MUNICIPALITY_INT_COLUMNS",
    "MUNICIPALITY_NUMBER_COLUMNS",
    "TEMPLATE_BLANK_MUNICIPALITY_ROWS",
    "TEMPLATE_BLANK_ROWS",
    "TEMPLATE_LISTS_SHEET",
    "YES_NO",
    "ags_text",
    "template_columns",
    "write_template",
]

#: Hidden sheet that holds the dropdown lists.
TEMPLATE_LISTS_SHEET = "Listen"
#: Rows with dropdowns and formats below the header of ``Antworten`` (more if more are filled).
TEMPLATE_BLANK_ROWS = 1000
#: Rows with dropdowns and formats below the header of ``Kommunen``.
TEMPLATE_BLANK_MUNICIPALITY_ROWS = 200
#: Labels of the yes/no dropdowns on the ``Kommunen`` sheet.
YES_NO = ("ja", "nein")

MUNICIPALITY_BOOL_COLUMNS = ("council_resolution", "mayor_involved", "named_contact", "rooms")
MUNICIPALITY_DATE_COLUMNS = ("council_resolution_date",)
MUNICIPALITY_INT_COLUMNS = ("population", "n_initiatives", "n_volunteers")
MUNICIPALITY_NUMBER_COLUMNS = ("staff_hours", "budget_eur")

_TEXT_FIELDS = ("respondent_id", "ags", "wave", "comment")
_FROZEN_COLUMNS = 3  # Fragebogen-Nr., AGS, Rolle

_INSTRUCTIONS: dict[str, list[tuple[str, str]]] = {
    "de": [
        ("h2", "So füllen Sie diese Tabelle aus"),
        ("p", "• Blatt »Antworten«: eine Zeile pro ausgefülltem Fragebogen (pro Person). Bitte die "
              "Spaltenüberschriften, die Reihenfolge der Spalten und die Blattnamen nicht ändern."),
        ("p", "• AGS: der Amtliche Gemeindeschlüssel Ihrer Kommune mit 8 Ziffern, mit führender Null "
              "(z. B. 08111000 für Stuttgart). Die Zellen sind als Text formatiert, damit die Null "
              "erhalten bleibt."),
        ("p", "• Rolle und Antworten: bitte über das Auswahlfeld (Pfeil rechts in der Zelle) wählen. "
              "Andere Eingaben werden abgewiesen."),
        ("p", "• Datum: Tag, an dem der Fragebogen ausgefüllt wurde, als TT.MM.JJJJ."),
        ("p", "• Leere Zelle: die Frage wurde nicht beantwortet."),
        ("h2", "»weiß nicht« und »keine Angabe«"),
        ("p", "• »weiß nicht«: die Person kann die Aussage nicht beurteilen."),
        ("p", "• »keine Angabe«: die Person möchte nicht antworten."),
        ("p", "Beides zählt in der Auswertung als fehlender Wert, nicht als Mitte der Skala. Bitte "
              "»teils/teils« nur eintragen, wenn die Person genau das angekreuzt hat."),
        ("h2", "Datenschutz"),
        ("p", "• Bitte keine Namen, Adressen, Telefonnummern oder andere persönliche Angaben "
              "eintragen – auch nicht in »Anmerkungen«. Die Fragebogen-Nr. ist eine laufende Nummer, "
              "kein Name."),
        ("p", "• Ergebnisse werden nur für Gruppen mit mindestens 5 Antworten ausgewiesen."),
        ("h2", "Blatt »Kommunen«"),
        ("p", "Eine Zeile pro Kommune mit den Angaben zur Kommune (Ratsbeschluss, Ansprechperson, "
              "Ressourcen). ja/nein-Felder über das Auswahlfeld wählen, Zahlen ohne Einheit."),
        ("h2", "Die Fragen"),
    ],
    "en": [
        ("h2", "How to fill in this workbook"),
        ("p", "• Sheet »Antworten« (answers): one row per completed questionnaire (per person). Please "
              "do not change the column headers, their order or the sheet names."),
        ("p", "• AGS: the 8-digit official municipality key with its leading zero (e.g. 08111000). "
              "The cells are formatted as text so that the zero is kept."),
        ("p", "• Role and answers: choose from the dropdown (arrow at the right of the cell)."),
        ("p", "• Date: the day the questionnaire was completed (DD.MM.YYYY)."),
        ("p", "• Empty cell: the question was not answered."),
        ("h2", "»don't know« and »no answer«"),
        ("p", "Both count as missing in the analysis, never as the midpoint of the scale."),
        ("h2", "Privacy"),
        ("p", "• Please do not enter names, addresses, phone numbers or other personal details, "
              "not even in the comments column."),
        ("p", "• Results are only reported for groups of at least 5 respondents."),
        ("h2", "Sheet »Kommunen« (municipalities)"),
        ("p", "One row per municipality; choose ja (yes) / nein (no) from the dropdown."),
        ("h2", "The questions"),
    ],
}


# ====================================================================== layout
def template_columns(instrument: Instrument, lang: str = "de") -> list[tuple[str, str]]:
    """Columns of the ``Antworten`` sheet as ``(key, header)``, in sheet order.

    Keys are the dataset names: the respondent fields of
    :data:`~surveys.formats.TEMPLATE_FIELD_HEADERS`, further instrument fields (header = field
    label), then the item codes (header = :func:`~surveys.formats.template_header`).
    """
    cols = list(TEMPLATE_FIELD_HEADERS.items())
    cols += [(f.name, f.label(lang)) for f in instrument.fields if f.name not in TEMPLATE_FIELD_HEADERS]
    cols += [(it.code, template_header(it, lang)) for it in instrument.items]
    return cols


def _col_letter(col: int) -> str:
    from xlsxwriter.utility import xl_col_to_name

    return xl_col_to_name(col)


# ====================================================================== value conversion
def _blank(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _int_like(value: Any) -> int | None:
    """``3``, ``3.0``, ``"3"``, ``"-9"`` -> int; anything else -> None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+(\.0+)?\s*", value):
        return int(float(value))
    try:  # numpy scalars
        f = float(value)
    except (TypeError, ValueError):
        return None
    return int(f) if math.isfinite(f) and f.is_integer() else None


def ags_text(value: Any) -> str:
    """AGS as 8-character text: ``8111000`` -> ``"08111000"``; other text is kept as given."""
    n = _int_like(value)
    if n is not None and n >= 0:
        return f"{n:08d}"
    return str(value).strip()


def _as_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        ts = pd.Timestamp(value)
    elif isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    else:
        try:
            ts = pd.Timestamp(value)
        except (TypeError, ValueError):
            return None
    if ts is pd.NaT:
        return None
    if ts.tzinfo is not None:
        ts = ts.tz_convert("Europe/Berlin").tz_localize(None)
    return ts.to_pydatetime()


def _yes_no(value: Any) -> str:
    if isinstance(value, str):
        low = value.strip().casefold()
        if low in {"ja", "yes", "true", "1", "j", "y"}:
            return YES_NO[0]
        if low in {"nein", "no", "false", "0", "n"}:
            return YES_NO[1]
        return value
    return YES_NO[0] if bool(value) else YES_NO[1]


# ====================================================================== writer
class _TemplateWriter:
    """Writes one template workbook; one instance per call of :func:`write_template`."""

    def __init__(self, wb: Any, instrument: Instrument, lang: str):
        self.wb = wb
        self.inst = instrument
        self.lang = lang
        self.f_header = wb.add_format(
            {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDEBF7", "border": 1}
        )
        self.f_text = wb.add_format({"num_format": "@"})
        self.f_wrap_text = wb.add_format({"num_format": "@", "text_wrap": True, "valign": "top"})
        self.f_date = wb.add_format({"num_format": "dd.mm.yyyy"})
        self.f_datetime = wb.add_format({"num_format": "dd.mm.yyyy hh:mm"})
        self.f_int = wb.add_format({"num_format": "0"})
        self.f_number = wb.add_format({"num_format": "#,##0.00"})
        self.f_h1 = wb.add_format({"bold": True, "font_size": 14})
        self.f_h2 = wb.add_format({"bold": True, "font_size": 12})
        self.f_p = wb.add_format({"text_wrap": True, "valign": "top"})
        self.list_ranges: dict[str, str] = {}
        for c, (key, values) in enumerate(self._list_columns()):
            letter = _col_letter(c)
            self.list_ranges[key] = f"='{TEMPLATE_LISTS_SHEET}'!${letter}$2:${letter}${len(values) + 1}"

    # ------------------------------------------------------------------ lists
    def _list_columns(self) -> list[tuple[str, list[str]]]:
        """Dropdown lists: one per scale, one per select field with choices, plus ja/nein."""
        columns: list[tuple[str, list[str]]] = [
            (f"scale:{s.name}", s.labels(self.lang)) for s in self.inst.scales.values()
        ]
        columns += [
            (f"field:{f.name}", [c.label(self.lang) for c in f.choices])
            for f in self.inst.fields
            if f.type == "select_one" and f.choices
        ]
        columns.append(("yes_no", list(YES_NO)))
        return columns

    def write_lists(self) -> None:
        """Hidden ``Listen`` sheet holding the dropdown lists (header row = list key)."""
        ws = self.wb.add_worksheet(TEMPLATE_LISTS_SHEET)
        for c, (key, values) in enumerate(self._list_columns()):
            ws.write_string(0, c, key)
            for r, v in enumerate(values, start=1):
                ws.write_string(r, c, v)
        ws.hide()

    def _dropdown(self, ws: Any, first: int, last: int, col: int, key: str, what: str) -> None:
        ws.data_validation(
            first, col, last, col,
            {
                "validate": "list",
                "source": self.list_ranges[key],
                "error_title": "Ungültiger Wert",
                "error_message": f"Bitte {what} aus der Liste wählen. / Please choose from the list.",
            },
        )

    # ------------------------------------------------------------------ instructions
    def write_instructions(self) -> None:
        ws = self.wb.add_worksheet(TEMPLATE_INSTRUCTIONS_SHEET)
        ws.set_column(0, 0, 28)
        ws.set_column(1, 1, 70)
        ws.set_column(2, 2, 60)
        title = self.inst.title_de if self.lang == "de" else self.inst.title_en
        ws.write_string(0, 0, title, self.f_h1)
        ws.write_string(1, 0, f"Instrument {self.inst.name}, Version {self.inst.version}")
        r = 3
        for style, text in _INSTRUCTIONS.get(self.lang, _INSTRUCTIONS["de"]):
            if style == "h2":
                r += 1
                ws.write_string(r, 0, text, self.f_h2)
            else:
                ws.merge_range(r, 0, r, 2, text, self.f_p)
                ws.set_row(r, 15 * max(1, math.ceil(len(text) / 140)))
            r += 1
        heads = ("Block", "Frage" if self.lang == "de" else "Question", "Spalten" if self.lang == "de" else "Columns")
        for c, h in enumerate(heads):
            ws.write_string(r, c, h, self.f_header)
        for con in self.inst.constructs:
            r += 1
            codes = [i.code for i in self.inst.items_of(con.id)]
            ws.write_string(r, 0, con.label(self.lang), self.f_p)
            ws.write_string(r, 1, con.stem(self.lang), self.f_p)
            ws.write_string(r, 2, f"{codes[0]} – {codes[-1]}" if codes else "", self.f_p)
        scale_lines = [
            f"{s.label_de if self.lang == 'de' else s.label_en}: " + " · ".join(s.labels(self.lang)) for s in self.inst.scales.values()
        ]
        r += 2
        ws.write_string(r, 0, "Antwortmöglichkeiten" if self.lang == "de" else "Answer options", self.f_h2)
        for line in scale_lines:
            r += 1
            ws.merge_range(r, 0, r, 2, line, self.f_p)
        ws.activate()

    # ------------------------------------------------------------------ answers
    def write_responses(self, responses: pd.DataFrame | None) -> None:
        ws = self.wb.add_worksheet(TEMPLATE_RESPONSES_SHEET)
        cols = template_columns(self.inst, self.lang)
        n = 0 if responses is None else len(responses)
        last = max(TEMPLATE_BLANK_ROWS, n + 100)
        fields = {f.name: f for f in self.inst.fields}
        item_codes = set(self.inst.item_codes)
        text_ranges: list[str] = []  # text cells holding digits: no green "number as text" flags
        ws.set_row(0, 150)
        for c, (key, header) in enumerate(cols):
            ws.write_string(0, c, header, self.f_header)
            rng = f"{_col_letter(c)}2:{_col_letter(c)}{last + 1}"
            if key in item_codes:
                ws.set_column(c, c, 22)
                scale = self.inst.scale_of(key).name
                self._dropdown(ws, 1, last, c, f"scale:{scale}", "eine Antwort")
            elif key == "submitted_at":
                ws.set_column(c, c, 13, self.f_date)
                ws.data_validation(1, c, last, c, {
                    "validate": "date", "criteria": "between",
                    "minimum": date(2000, 1, 1), "maximum": date(2100, 12, 31),
                    "error_title": "Ungültiges Datum",
                    "error_message": "Bitte ein Datum als TT.MM.JJJJ eingeben. / Please enter a date.",
                })
            elif key in fields and fields[key].type == "select_one" and fields[key].choices:
                ws.set_column(c, c, 24)
                self._dropdown(ws, 1, last, c, f"field:{key}", "eine Rolle" if key == "role" else "einen Wert")
            elif key == "comment" or (key in fields and fields[key].free_text):
                ws.set_column(c, c, 40, self.f_wrap_text)
            else:
                ws.set_column(c, c, 14 if key != "respondent_id" else 12, self.f_text)
            if key == "ags":
                ws.data_validation(1, c, last, c, {
                    "validate": "custom",
                    "value": f"=AND(LEN({_col_letter(c)}2)=8,ISNUMBER(VALUE({_col_letter(c)}2)))",
                    "error_title": "AGS: 8 Ziffern",
                    "error_message": "Der AGS hat genau 8 Ziffern mit führender Null, z. B. 08111000. "
                                     "/ The AGS has exactly 8 digits.",
                })
                text_ranges.append(rng)
            elif key in {"wave", "respondent_id"}:
                text_ranges.append(rng)
        ws.ignore_errors({"number_stored_as_text": " ".join(text_ranges)})
        ws.freeze_panes(1, _FROZEN_COLUMNS)
        if responses is not None and n:
            self._fill_responses(ws, cols, responses)

    def _fill_responses(self, ws: Any, cols: list[tuple[str, str]], responses: pd.DataFrame) -> None:
        fields = {f.name: f for f in self.inst.fields}
        item_codes = set(self.inst.item_codes)
        for c, (key, _) in enumerate(cols):
            if key not in responses.columns:
                continue
            values = responses[key].tolist()
            if key in item_codes:
                scale = self.inst.scale_of(key)
                labels = {o.code: o.label(self.lang) for o in scale.options}
                for r, v in enumerate(values, start=1):
                    if _blank(v):
                        continue
                    code = _int_like(v)
                    if code is not None and code in labels:
                        ws.write_string(r, c, labels[code])
                    elif isinstance(v, str):
                        ws.write_string(r, c, v)
                    else:  # an out-of-range code: written as the number it is
                        ws.write_number(r, c, float(v))
            elif key == "submitted_at":
                for r, v in enumerate(values, start=1):
                    if _blank(v):
                        continue
                    dt = _as_datetime(v)
                    if dt is None:
                        ws.write_string(r, c, str(v))
                    else:
                        fmt = self.f_date if dt.time() == datetime.min.time() else self.f_datetime
                        ws.write_datetime(r, c, dt, fmt)
            elif key in fields and fields[key].type == "select_one":
                names = {ch.name: ch.label(self.lang) for ch in fields[key].choices}
                for r, v in enumerate(values, start=1):
                    if not _blank(v):
                        ws.write_string(r, c, names.get(str(v), str(v)))
            else:
                fmt = self.f_wrap_text if key == "comment" else self.f_text
                for r, v in enumerate(values, start=1):
                    if _blank(v):
                        continue
                    if key == "ags":
                        text = ags_text(v)
                    elif (n := _int_like(v)) is not None and not isinstance(v, str):
                        text = str(n)
                    else:
                        text = str(v)
                    ws.write_string(r, c, text, fmt)

    # ------------------------------------------------------------------ municipalities
    def write_municipalities(self, municipalities: pd.DataFrame | None) -> None:
        ws = self.wb.add_worksheet(TEMPLATE_MUNICIPALITIES_SHEET)
        n = 0 if municipalities is None else len(municipalities)
        last = max(TEMPLATE_BLANK_MUNICIPALITY_ROWS, n + 50)
        ws.set_row(0, 45)
        for c, (key, header) in enumerate(TEMPLATE_MUNICIPALITY_HEADERS.items()):
            ws.write_string(0, c, header, self.f_header)
            letter = _col_letter(c)
            if key in MUNICIPALITY_BOOL_COLUMNS:
                ws.set_column(c, c, 16)
                self._dropdown(ws, 1, last, c, "yes_no", "ja oder nein")
            elif key in MUNICIPALITY_DATE_COLUMNS:
                ws.set_column(c, c, 14, self.f_date)
                ws.data_validation(1, c, last, c, {
                    "validate": "date", "criteria": "between",
                    "minimum": date(1990, 1, 1), "maximum": date(2100, 12, 31),
                    "error_message": "Bitte ein Datum als TT.MM.JJJJ eingeben. / Please enter a date.",
                })
            elif key in MUNICIPALITY_INT_COLUMNS or key in MUNICIPALITY_NUMBER_COLUMNS:
                whole = key in MUNICIPALITY_INT_COLUMNS
                ws.set_column(c, c, 14, self.f_int if whole else self.f_number)
                ws.data_validation(1, c, last, c, {
                    "validate": "integer" if whole else "decimal", "criteria": ">=", "value": 0,
                    "error_message": ("Bitte eine ganze Zahl ≥ 0 eingeben." if whole else
                                      "Bitte eine Zahl ≥ 0 eingeben.") + " / Please enter a number ≥ 0.",
                })
            else:
                ws.set_column(c, c, 24 if key in {"name", "district"} else 12, self.f_text)
            if key == "ags":
                ws.data_validation(1, c, last, c, {
                    "validate": "custom",
                    "value": f"=AND(LEN({letter}2)=8,ISNUMBER(VALUE({letter}2)))",
                    "error_message": "Der AGS hat genau 8 Ziffern, z. B. 08111000. / The AGS has 8 digits.",
                })
                ws.ignore_errors({"number_stored_as_text": f"{letter}2:{letter}{last + 1}"})
        ws.freeze_panes(1, 2)
        if municipalities is not None and n:
            self._fill_municipalities(ws, municipalities)

    def _fill_municipalities(self, ws: Any, muni: pd.DataFrame) -> None:
        for c, key in enumerate(TEMPLATE_MUNICIPALITY_HEADERS):
            if key not in muni.columns:
                continue
            for r, v in enumerate(muni[key].tolist(), start=1):
                if _blank(v):
                    continue
                if key == "ags":
                    ws.write_string(r, c, ags_text(v), self.f_text)
                elif key in MUNICIPALITY_BOOL_COLUMNS:
                    ws.write_string(r, c, _yes_no(v))
                elif key in MUNICIPALITY_DATE_COLUMNS:
                    dt = _as_datetime(v)
                    if dt is None:
                        ws.write_string(r, c, str(v))
                    else:
                        ws.write_datetime(r, c, dt, self.f_date)
                elif key in MUNICIPALITY_INT_COLUMNS or key in MUNICIPALITY_NUMBER_COLUMNS:
                    try:
                        ws.write_number(r, c, float(v))
                    except (TypeError, ValueError):
                        ws.write_string(r, c, str(v))
                else:
                    ws.write_string(r, c, str(v), self.f_text)


def write_template(
    instrument: Instrument,
    path: str | Path,
    *,
    responses: pd.DataFrame | None = None,
    municipalities: pd.DataFrame | None = None,
    lang: str = "de",
) -> Path:
    """Write the data-entry workbook for ``instrument`` (blank, or filled in).

    Parameters
    ----------
    instrument : Instrument
        The questionnaire.
    path : str or Path
        Target ``.xlsx``; written atomically.
    responses : pandas.DataFrame, optional
        Wide frame, one row per respondent, columns ``respondent_id, ags, role, wave,
        submitted_at, comment`` and the item codes holding numeric codes (1..5, -1, -9) or NaN for
        a blank cell. Codes are written as their answer labels, roles as role labels, AGS as
        8-digit text, dates as Excel dates. Missing columns stay blank; extra columns are ignored.
    municipalities : pandas.DataFrame, optional
        Columns as :data:`surveys.dataset.MUNICIPALITY_COLUMNS` (those of
        :data:`~surveys.formats.TEMPLATE_MUNICIPALITY_HEADERS` are written; booleans as
        ``ja``/``nein``).
    lang : {"de", "en"}
        Language of item headers, answer labels and instructions. Sheet names and field
        headers stay German (the importer recognises them).

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    BausteinError
        For an unknown ``lang``.
    """
    import xlsxwriter

    if lang not in {"de", "en"}:
        raise BausteinError(f"Unbekannte Sprache '{lang}' (de oder en) / unknown language '{lang}' (de or en)")
    path = Path(path)
    with atomic_file(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_numbers": False, "strings_to_formulas": False})
        wb.set_properties(
            {
                "title": f"{instrument.title_de} – Erfassungsvorlage",
                "subject": f"Vorlage {instrument.name} {instrument.version}",
                "author": "baustein-eval",
                "created": FIXED_CREATED,
            }
        )
        writer = _TemplateWriter(wb, instrument, lang)
        writer.write_instructions()
        writer.write_responses(responses)
        writer.write_municipalities(municipalities)
        writer.write_lists()  # created last, so the three visible sheets come first
        wb.close()
    return path

