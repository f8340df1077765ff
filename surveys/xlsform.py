"""XLSForm export, import and checking (ODK, KoboToolbox, SurveyCTO).

An XLSForm is an Excel workbook with the sheets ``survey`` (one row per question, group and
field), ``choices`` (answer lists) and ``settings`` (form title, id, version, default language).
``pyxform`` is the reference converter; this module writes workbooks it accepts and reads
workbooks back into an :class:`~surveys.instrument.Instrument`.

Pipeline (read -> check -> build):

* :func:`write_xlsform` writes the instrument: one ``begin_group``/``end_group`` per construct,
  named by the construct id and labelled with the block stem; one ``select_one <scale>`` row per
  item, named by its item code; the respondent fields (AGS as text with an 8-digit constraint,
  role as ``select_one role``, wave, free-text comment). Everything else the model holds (reverse
  flag, source section and statement, hypothesis, construct labels and roles, option codes and
  missing reasons, scale labels, free-text flag, English title, source) goes into *extra columns*
  (:data:`SURVEY_EXTRA_COLUMNS`, :data:`CHOICES_EXTRA_COLUMNS`, :data:`SETTINGS_EXTRA_COLUMNS`),
  which pyxform ignores (survey, settings) or carries along as choice attributes (choices).
  Hence ``read_xlsform(write_xlsform(inst, p)) == inst``.
* :func:`read_xlsform` also loads a workbook that a user built or edited in Excel without our
  extra columns, with documented defaults (see its docstring).
* :func:`check_xlsform` lists every problem of a user-edited workbook as a located problem
  (:class:`core.problems.Problem`: a stable code from :data:`~surveys.xlsform_problems.XLSFORM_PROBLEMS`,
  German/English message and hint, file, sheet, Excel row and column): our own structural checks
  (which, unlike pyxform, do not stop at the first error) plus, if ``pyxform`` is installed,
  pyxform's own verdict with its ``[row : N]`` turned into the location.

Example
-------
>>> from surveys import Instrument
>>> inst = Instrument.load("sensibilisierung")
>>> path = write_xlsform(inst, "sensibilisierung-xlsform.xlsx")       # doctest: +SKIP
>>> [p.line("en") for p in check_xlsform(path)]                       # doctest: +SKIP
[]
>>> read_xlsform(path) == inst                                        # doctest: +SKIP
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any
from zipfile import BadZipFile

from core.atomic import atomic_file  # also re-exported here (its former home
from core.errors import XLSFormError
from core.excel_columns import column_letter
from core.problems import Location, Problem, quote_input  # Problem: what check_xlsform returns

from .instrument import CONSTRUCT_ROLES, Choice, Construct, Field, Instrument, Item, ResponseOption, Scale
from .xlsform_problems import PYXFORM_CODES, PYXFORM_GENERAL, PYXFORM_GERMAN, XLSFORM_PROBLEMS

__all__ = [
    "CHOICES_COLUMNS",
    "CHOICES_EXTRA_COLUMNS",
    "FIXED_CREATED",
    "LANGUAGE_DE",
    "LANGUAGE_EN",
    "PYXFORM_CODES",
    "SETTINGS_COLUMNS",
    "SETTINGS_EXTRA_COLUMNS",
    "SURVEY_COLUMNS",
    "SURVEY_EXTRA_COLUMNS",
    "XLSFORM_PROBLEMS",
    "Problem",
    "check_xlsform",
    "read_xlsform",
    "write_xlsform",
]

LANGUAGE_DE = "Deutsch (de)"
LANGUAGE_EN = "English (en)"

#: Standard XLSForm columns of the ``survey`` sheet, in the order we write them.
SURVEY_COLUMNS: tuple[str, ...] = (
    "type",
    "name",
    f"label::{LANGUAGE_DE}",
    f"label::{LANGUAGE_EN}",
    f"hint::{LANGUAGE_DE}",
    f"hint::{LANGUAGE_EN}",
    "required",
    "relevant",
    "constraint",
    f"constraint_message::{LANGUAGE_DE}",
    f"constraint_message::{LANGUAGE_EN}",
)
#: Our extra ``survey`` columns (pyxform ignores unknown survey columns).
SURVEY_EXTRA_COLUMNS: tuple[str, ...] = (
    "construct_label_de",
    "construct_label_en",
    "construct_role",
    "scale",
    "reverse",
    "source_section",
    "source_statement",
    "hypothesis",
    "free_text",
)
#: Standard XLSForm columns of the ``choices`` sheet.
CHOICES_COLUMNS: tuple[str, ...] = ("list_name", "name", f"label::{LANGUAGE_DE}", f"label::{LANGUAGE_EN}")
#: Our extra ``choices`` columns (no spaces: pyxform turns them into choice attributes).
CHOICES_EXTRA_COLUMNS: tuple[str, ...] = ("code", "missing", "scale_label_de", "scale_label_en")
#: Standard XLSForm columns of the ``settings`` sheet.
SETTINGS_COLUMNS: tuple[str, ...] = ("form_title", "form_id", "version", "default_language")
#: Our extra ``settings`` columns.
SETTINGS_EXTRA_COLUMNS: tuple[str, ...] = ("form_title_en", "source")

#: Creation date written into every workbook we produce, so equal input gives equal bytes.
FIXED_CREATED = datetime(2025, 1, 1, 0, 0, 0)

#: AGS constraint: exactly eight digits.
AGS_CONSTRAINT = "regex(., '^[0-9]{8}$')"

_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
_GROUP_BEGIN = {"begin_group", "begin group", "begin_repeat", "begin repeat"}
_GROUP_END = {"end_group", "end group", "end_repeat", "end repeat"}
#: Metadata question types: no label, not part of the instrument model.
_META_TYPES = {
    "start",
    "end",
    "today",
    "deviceid",
    "phonenumber",
    "simserial",
    "subscriberid",
    "username",
    "email",
    "audit",
    "start-geopoint",
    "calculate",
    "hidden",
}
_TRUE = {"yes", "true", "1", "ja", "y", "x", "true()"}
_DONT_KNOW = {"dk", "dont_know", "weiss_nicht", "weissnicht", "wn", "-1"}
_NO_ANSWER = {"na", "no_answer", "keine_angabe", "ka", "k_a", "-9"}
_DONT_KNOW_LABELS = {"weiß nicht", "weiss nicht", "don't know", "dont know", "kann ich nicht beurteilen"}
_NO_ANSWER_LABELS = {"keine angabe", "k. a.", "k.a.", "no answer", "prefer not to say"}
_FREE_TEXT_HINTS = ("comment", "kommentar", "anmerk", "bemerk", "freitext", "notiz")


# ====================================================================== small helpers
def _cell_text(value: Any) -> str:
    """Cell value as text: ``None`` -> "", ``1.0`` -> "1", booleans -> "true"/"false"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _truthy(text: str) -> bool:
    return text.strip().casefold() in _TRUE


def _lang_of(column_language: str) -> str | None:
    """``"Deutsch (de)"`` -> ``"de"``, ``"English (en)"`` -> ``"en"``, anything else -> None."""
    lang = column_language.strip().casefold()
    if "(de)" in lang or lang in {"de", "deutsch", "german"} or lang.startswith(("deutsch", "german")):
        return "de"
    if "(en)" in lang or lang in {"en", "english", "englisch"} or lang.startswith(("english", "englisch")):
        return "en"
    return None


# ====================================================================== writing
def _survey_rows(inst: Instrument) -> list[dict[str, str]]:
    """Rows of the ``survey`` sheet as column -> text."""
    de, en = LANGUAGE_DE, LANGUAGE_EN
    rows: list[dict[str, str]] = [{"type": "start", "name": "start"}, {"type": "end", "name": "end"}]

    # Free-text fields at the end of the field list are asked after the item blocks; the
    # field order of the instrument is preserved either way.
    n_lead = len(inst.fields)
    while n_lead and inst.fields[n_lead - 1].free_text:
        n_lead -= 1

    def field_row(f: Field) -> dict[str, str]:
        row = {
            "type": f"select_one {f.name}" if f.type == "select_one" else f.type,
            "name": f.name,
            f"label::{de}": f.label_de,
            f"label::{en}": f.label_en,
            "required": "yes" if f.required else "",
            "free_text": "yes" if f.free_text else "",
        }
        if f.name == "ags":
            row |= {
                "constraint": AGS_CONSTRAINT,
                f"hint::{de}": "8 Ziffern, mit führender Null, z. B. 08111000",
                f"hint::{en}": "8 digits, with leading zero, e.g. 08111000",
                f"constraint_message::{de}": "Der AGS hat genau 8 Ziffern (z. B. 08111000).",
                f"constraint_message::{en}": "The AGS has exactly 8 digits (e.g. 08111000).",
            }
        if f.free_text:
            row |= {
                f"hint::{de}": "Bitte keine Namen oder andere persönliche Angaben.",
                f"hint::{en}": "Please do not enter names or other personal details.",
            }
        return row

    rows += [field_row(f) for f in inst.fields[:n_lead]]
    for c in inst.constructs:
        rows.append(
            {
                "type": "begin_group",
                "name": c.id,
                f"label::{de}": c.stem_de,
                f"label::{en}": c.stem_en,
                "construct_label_de": c.label_de,
                "construct_label_en": c.label_en,
                "construct_role": c.role or "",
                "scale": c.scale,
                "source_section": c.source_section,
            }
        )
        for it in inst.items_of(c.id):
            rows.append(
                {
                    "type": f"select_one {it.scale}",
                    "name": it.code,
                    f"label::{de}": it.label_de,
                    f"label::{en}": it.label_en,
                    "scale": it.scale,
                    "reverse": "yes" if it.reverse else "no",
                    "source_section": it.source_section,
                    "source_statement": it.source_statement,
                    "hypothesis": it.hypothesis or "",
                }
            )
        rows.append({"type": "end_group", "name": c.id})
    rows += [field_row(f) for f in inst.fields[n_lead:]]
    return rows


def _choices_rows(inst: Instrument) -> list[dict[str, str]]:
    de, en = LANGUAGE_DE, LANGUAGE_EN
    rows: list[dict[str, str]] = []
    for s in inst.scales.values():
        for o in s.options:
            rows.append(
                {
                    "list_name": s.name,
                    "name": o.name,
                    f"label::{de}": o.label_de,
                    f"label::{en}": o.label_en,
                    "code": str(o.code),
                    "missing": o.missing or "",
                    "scale_label_de": s.label_de,
                    "scale_label_en": s.label_en,
                }
            )
    for f in inst.fields:
        if f.type == "select_one":
            for ch in f.choices:
                rows.append(
                    {"list_name": f.name, "name": ch.name, f"label::{de}": ch.label_de, f"label::{en}": ch.label_en}
                )
    return rows


def _write_sheet(workbook: Any, name: str, columns: tuple[str, ...], rows: list[dict[str, str]], widths: dict[str, int]) -> None:
    ws = workbook.add_worksheet(name)
    header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    for c, col in enumerate(columns):
        ws.write_string(0, c, col, header)
        ws.set_column(c, c, widths.get(col, 14), wrap if widths.get(col, 14) >= 30 else None)
    for r, row in enumerate(rows, start=1):
        for c, col in enumerate(columns):
            value = row.get(col, "")
            if value != "":
                ws.write_string(r, c, value)  # always text: choice names "1" must stay text
    ws.freeze_panes(1, 2)


def write_xlsform(instrument: Instrument, path: str | Path) -> Path:
    """Write ``instrument`` as an XLSForm workbook (sheets survey, choices, settings).

    Parameters
    ----------
    instrument : Instrument
        The instrument to export.
    path : str or Path
        Target ``.xlsx`` file; written atomically, byte-identical for equal instruments.

    Returns
    -------
    Path
        ``path``.

    Notes
    -----
    pyxform converts the result without error or warning (tested). Extra columns carry what the
    XLSForm standard has no place for, so that :func:`read_xlsform` restores the instrument
    exactly.
    """
    import xlsxwriter

    path = Path(path)
    with atomic_file(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_numbers": False, "strings_to_formulas": False})
        wb.set_properties(
            {
                "title": instrument.title_de,
                "subject": f"XLSForm {instrument.name} {instrument.version}",
                "author": "baustein-eval",
                "created": FIXED_CREATED,
            }
        )
        widths = {
            "type": 22, "name": 16, f"label::{LANGUAGE_DE}": 50, f"label::{LANGUAGE_EN}": 50,
            f"hint::{LANGUAGE_DE}": 30, f"hint::{LANGUAGE_EN}": 30, "constraint": 24,
            "source_section": 30, "source_statement": 50, "construct_label_de": 24, "construct_label_en": 24,
        }
        _write_sheet(wb, "survey", SURVEY_COLUMNS + SURVEY_EXTRA_COLUMNS, _survey_rows(instrument), widths)
        _write_sheet(
            wb, "choices", CHOICES_COLUMNS + CHOICES_EXTRA_COLUMNS, _choices_rows(instrument),
            {f"label::{LANGUAGE_DE}": 30, f"label::{LANGUAGE_EN}": 30, "scale_label_de": 24, "scale_label_en": 24},
        )
        settings = {
            "form_title": instrument.title_de,
            "form_id": instrument.name,
            "version": instrument.version,
            "default_language": LANGUAGE_DE,
            "form_title_en": instrument.title_en,
            "source": instrument.source,
        }
        _write_sheet(wb, "settings", SETTINGS_COLUMNS + SETTINGS_EXTRA_COLUMNS, [settings], {"form_title": 40, "form_title_en": 40, "source": 40})
        wb.close()
    return path


# ====================================================================== reading
@dataclass
class _Sheet:
    """One sheet as header -> column index plus data rows (Excel row number, cell texts)."""

    name: str
    headers: list[str]
    rows: list[tuple[int, list[str]]]

    def col(self, *names: str) -> int | None:
        wanted = {n.casefold() for n in names}
        for i, h in enumerate(self.headers):
            if h.casefold() in wanted:
                return i
        return None

    def lang_cols(self, kind: str, default_lang: str) -> dict[str, int]:
        """Columns ``<kind>::<language>`` (and plain ``<kind>``) by language code."""
        out: dict[str, int] = {}
        for i, h in enumerate(self.headers):
            low = h.casefold()
            if low == kind:
                out.setdefault(default_lang, i)
            elif low.startswith(kind + "::"):
                lang = _lang_of(h.split("::", 1)[1])
                if lang:
                    out[lang] = i
        return out


def _get(row: list[str], idx: int | None) -> str:
    return row[idx] if idx is not None and idx < len(row) else ""


def _load_sheets(path: Path) -> dict[str, _Sheet]:
    """All sheets of the workbook, keyed by lower-case name."""
    import openpyxl

    where = Location(file=path.name)
    if not path.exists():
        raise XLSFormError(problem=XLSFORM_PROBLEMS.problem("file_not_found", where, path=quote_input(path, 500)))
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, OSError, KeyError, ValueError) as exc:
        raise XLSFormError(problem=XLSFORM_PROBLEMS.problem("file_unreadable", where, detail=quote_input(exc))) from exc
    sheets: dict[str, _Sheet] = {}
    try:
        for ws in wb.worksheets:
            headers: list[str] = []
            rows: list[tuple[int, list[str]]] = []
            for r, values in enumerate(ws.iter_rows(values_only=True), start=1):
                texts = [_cell_text(v) for v in values]
                if r == 1:
                    headers = texts
                elif any(texts):
                    rows.append((r, texts))
            while headers and headers[-1] == "":
                headers.pop()
            sheets[ws.title.strip().casefold()] = _Sheet(ws.title, headers, rows)
    finally:
        wb.close()
    return sheets


def _structure_problems(sheets: dict[str, _Sheet], file: str) -> list[Problem]:
    """Our own checks; unlike pyxform they collect every problem instead of stopping.

    ``file`` is the workbook's name for the problems' location; a problem about one cell also
    names its column (letter and header). Text from the workbook is quoted (``quote_input``).
    """
    problems: list[Problem] = []

    def add(code: str, sheet: str, row: int | None, col: int | None = None, /, **params: Any) -> None:
        headers = sheets[sheet].headers if sheet in sheets else []
        where = Location(file=file, sheet=sheet, row=row, column=column_letter(col),
                         header=headers[col] if col is not None and col < len(headers) else "")
        quoted = {k: quote_input(v) if isinstance(v, str) else v for k, v in params.items()}
        problems.append(XLSFORM_PROBLEMS.problem(code, where, **quoted))

    survey = sheets.get("survey")
    choices = sheets.get("choices")
    settings = sheets.get("settings")
    if survey is None:
        add("sheet_missing", "survey", None, sheet="survey")
        return problems
    default_lang = _default_lang(settings)
    label_de = f"label::{LANGUAGE_DE}"

    # ---- columns
    i_type, i_name = survey.col("type"), survey.col("name")
    i_role = survey.col("construct_role")
    labels = survey.lang_cols("label", default_lang)
    for col, idx in (("type", i_type), ("name", i_name)):
        if idx is None:
            add("column_missing", "survey", 1, column=col)
    if "de" not in labels:
        add("label_de_column_missing", "survey", 1, column=label_de)
    if i_type is None or i_name is None:
        return problems

    # ---- choices sheet
    lists: dict[str, dict[str, int]] = {}
    if choices is not None:
        i_list, i_cname = choices.col("list_name", "list name"), choices.col("name")
        c_labels = choices.lang_cols("label", default_lang)
        for col, idx in (("list_name", i_list), ("name", i_cname)):
            if idx is None:
                add("column_missing", "choices", 1, column=col)
        if "de" not in c_labels:
            add("label_de_column_missing", "choices", 1, column=label_de)
        i_code = choices.col("code")
        if i_list is not None and i_cname is not None:
            for r, row in choices.rows:
                lname, cname = _get(row, i_list), _get(row, i_cname)
                if not lname:
                    add("list_name_missing", "choices", r, i_list)
                    continue
                if not _NAME_RE.match(lname):
                    add("list_name_invalid", "choices", r, i_list, list_name=lname)
                seen = lists.setdefault(lname, {})
                if not cname:
                    add("choice_name_missing", "choices", r, i_cname, list_name=lname)
                elif cname in seen:
                    add("choice_duplicate", "choices", r, i_cname, name=cname, list_name=lname, first_row=seen[cname])
                else:
                    seen[cname] = r
                if "de" in c_labels and not _get(row, c_labels["de"]):
                    add("choice_label_de_missing", "choices", r, c_labels["de"], name=cname, list_name=lname)
                code = _get(row, i_code)
                if code and not re.fullmatch(r"-?\d+", code):
                    add("code_not_integer", "choices", r, i_code, value=code)

    # ---- survey rows
    names: dict[str, int] = {}
    stack: list[tuple[str, int, str]] = []  # (kind, row, name)
    uses_choices = False
    for r, row in survey.rows:
        typ = re.sub(r"\s+", " ", _get(row, i_type)).strip()
        name = _get(row, i_name)
        low = typ.casefold()
        if not typ:
            add("type_missing", "survey", r, i_type)
            continue
        if low in _GROUP_END:
            kind = "repeat" if "repeat" in low else "group"
            if not stack:
                add("group_end_unmatched", "survey", r, i_type, type=typ, kind=kind)
            else:
                open_kind, open_row, open_name = stack.pop()
                if open_kind != kind:
                    add("group_end_mismatch", "survey", r, i_type, type=typ, open_kind=open_kind,
                        open_name=open_name, open_row=open_row)
            continue
        if not name:
            if low != "note":
                add("name_missing", "survey", r, i_name, type=typ)
        elif not _NAME_RE.match(name):
            add("name_invalid", "survey", r, i_name, name=name)
        elif name.casefold() in names:
            add("name_duplicate", "survey", r, i_name, name=name, first_row=names[name.casefold()])
        else:
            names[name.casefold()] = r
        if low in _GROUP_BEGIN:
            stack.append(("repeat" if "repeat" in low else "group", r, name))
            role = _get(row, i_role).strip().casefold()
            if role and role not in CONSTRUCT_ROLES:
                add("unknown_role", "survey", r, i_role, role=role, group=name, allowed=", ".join(CONSTRUCT_ROLES))
            if "de" in labels and not _get(row, labels["de"]):
                add("group_label_de_missing", "survey", r, labels["de"], name=name)
            continue
        parts = typ.split(" ")
        if parts[0].casefold() in {"select_one", "select_multiple", "rank"}:
            uses_choices = True
            if len(parts) < 2:
                add("type_without_list", "survey", r, i_type, type=typ)
            elif choices is not None and parts[1] not in lists:
                add("list_missing", "survey", r, i_type, list_name=parts[1])
        if low not in _META_TYPES and "de" in labels and not _get(row, labels["de"]):
            add("label_de_missing", "survey", r, labels["de"], name=name)
    for kind, r, name in stack:
        add("group_not_closed", "survey", r, i_type, kind=kind, name=name)
    if uses_choices and choices is None:
        add("choices_sheet_missing", "choices", None)

    # ---- settings
    if settings is None:
        add("settings_sheet_missing", "settings", None)
    elif settings.rows:
        r, row = settings.rows[0]
        i_form_id = settings.col("form_id")
        form_id = _get(row, i_form_id)
        if form_id and not _NAME_RE.match(form_id):
            add("form_id_invalid", "settings", r, i_form_id, form_id=form_id)
    return problems


def _default_lang(settings: _Sheet | None) -> str:
    if settings is None or not settings.rows:
        return "de"
    text = _get(settings.rows[0][1], settings.col("default_language"))
    return (_lang_of(text) or "de") if text else "de"


def _missing_reason(name: str, label_de: str, label_en: str) -> str | None:
    n = name.casefold()
    labels = {label_de.strip().casefold(), label_en.strip().casefold()}
    if n in _DONT_KNOW or labels & _DONT_KNOW_LABELS:
        return "dont_know"
    if n in _NO_ANSWER or labels & _NO_ANSWER_LABELS:
        return "no_answer"
    return None


def _build_instrument(path: Path, sheets: dict[str, _Sheet]) -> Instrument:
    survey = sheets["survey"]
    choices = sheets.get("choices")
    settings = sheets.get("settings")
    default_lang = _default_lang(settings)

    # ---- settings
    srow = settings.rows[0][1] if settings is not None and settings.rows else []

    def setting(name: str) -> str:
        return _get(srow, settings.col(name)) if settings is not None else ""

    form_id = setting("form_id") or re.sub(r"\W+", "_", path.stem)
    title_de = setting("form_title") or form_id
    title_en = setting("form_title_en") or title_de
    version = setting("version") or "0"
    source = setting("source")

    # ---- choice lists (rows kept in sheet order)
    lists: dict[str, list[dict[str, str]]] = {}
    if choices is not None:
        i_list, i_name = choices.col("list_name", "list name"), choices.col("name")
        lab = choices.lang_cols("label", default_lang)
        extra = {c: choices.col(c) for c in CHOICES_EXTRA_COLUMNS}
        for _, row in choices.rows:
            lname = _get(row, i_list)
            if not lname:
                continue
            label_de = _get(row, lab.get("de"))
            entry = {
                "name": _get(row, i_name),
                "label_de": label_de,
                "label_en": _get(row, lab.get("en")) or label_de,
            }
            for c, idx in extra.items():
                entry[c] = _get(row, idx)
                entry[c + "?"] = "1" if idx is not None else ""
            lists.setdefault(lname, []).append(entry)

    # ---- survey
    i_type, i_name = survey.col("type"), survey.col("name")
    lab = survey.lang_cols("label", default_lang)
    ext = {c: survey.col(c) for c in SURVEY_EXTRA_COLUMNS}
    i_required = survey.col("required")

    def x(row: list[str], col: str) -> str:
        return _get(row, ext[col])

    constructs: list[Construct] = []
    construct_rows: dict[str, list[str]] = {}
    items: list[Item] = []
    fields: list[Field] = []
    stack: list[str] = []
    scale_names: list[str] = []
    for _, row in survey.rows:
        typ = re.sub(r"\s+", " ", _get(row, i_type)).strip()
        low = typ.casefold()
        name = _get(row, i_name)
        label_de = _get(row, lab.get("de"))
        label_en = _get(row, lab.get("en")) or label_de
        if low in _GROUP_BEGIN:
            stack.append(name)
            construct_rows[name] = row
            continue
        if low in _GROUP_END:
            if stack:
                stack.pop()
            continue
        if low in _META_TYPES or low == "note" or not name:
            continue
        parts = typ.split(" ")
        base = parts[0].casefold()
        list_name = parts[1] if len(parts) > 1 else ""
        if stack and base == "select_one":
            group = stack[-1]
            if list_name not in scale_names:
                scale_names.append(list_name)
            if group not in [c.id for c in constructs]:
                grow = construct_rows[group]
                g_de = _get(grow, lab.get("de"))
                constructs.append(
                    Construct(
                        id=group,
                        label_de=x(grow, "construct_label_de") or group,
                        label_en=x(grow, "construct_label_en") or x(grow, "construct_label_de") or group,
                        stem_de=g_de,
                        stem_en=_get(grow, lab.get("en")) or g_de,
                        scale=x(grow, "scale") or list_name,
                        source_section=x(grow, "source_section"),
                        role=x(grow, "construct_role").strip().casefold() or None,
                    )
                )
            construct = next(c for c in constructs if c.id == group)
            items.append(
                Item(
                    code=name,
                    construct=group,
                    label_de=label_de,
                    label_en=label_en,
                    scale=list_name,
                    reverse=_truthy(x(row, "reverse")),
                    source_section=x(row, "source_section") if ext["source_section"] is not None else construct.source_section,
                    source_statement=x(row, "source_statement"),
                    hypothesis=x(row, "hypothesis") or None,
                )
            )
            continue
        free_text_col = x(row, "free_text")
        if ext["free_text"] is not None:
            free_text = _truthy(free_text_col)
        else:
            free_text = base == "text" and any(h in name.casefold() for h in _FREE_TEXT_HINTS)
        field_choices: tuple[Choice, ...] = ()
        if base in {"select_one", "select_multiple"}:
            field_choices = tuple(
                Choice(name=e["name"], label_de=e["label_de"], label_en=e["label_en"])
                for e in lists.get(list_name, [])
            )
        fields.append(
            Field(
                name=name,
                type=base,
                label_de=label_de,
                label_en=label_en,
                required=_truthy(_get(row, i_required)),
                free_text=free_text,
                choices=field_choices,
            )
        )

    scales = {s: _build_scale(s, lists.get(s, [])) for s in scale_names}
    return Instrument(
        name=form_id,
        version=version,
        title_de=title_de,
        title_en=title_en,
        source=source,
        scales=scales,
        constructs=tuple(constructs),
        items=tuple(items),
        fields=tuple(fields),
    )


def _build_scale(name: str, entries: list[dict[str, str]]) -> Scale:
    """A scale from its choice rows; codes and missing reasons default sensibly (see read_xlsform)."""
    options: list[ResponseOption] = []
    pending: list[tuple[int, dict[str, str], str | None]] = []
    for pos, e in enumerate(entries):
        missing = (e["missing"] or None) if e["missing?"] else _missing_reason(e["name"], e["label_de"], e["label_en"])
        pending.append((pos, e, missing))
    codes: dict[int, int] = {}
    for pos, e, missing in pending:  # explicit codes, then integer names, then missing defaults
        text = e["code"] or (e["name"] if re.fullmatch(r"-?\d+", e["name"]) else "")
        if text:
            codes[pos] = int(text)
        elif missing == "dont_know" and -1 not in codes.values():
            codes[pos] = -1
        elif missing == "no_answer" and -9 not in codes.values():
            codes[pos] = -9
    used = set(codes.values())
    next_valid, next_missing = 1, -2
    for pos, e, missing in pending:
        if pos not in codes:
            if missing:
                while next_missing in used:
                    next_missing -= 1
                codes[pos] = next_missing
            else:
                while next_valid in used:
                    next_valid += 1
                codes[pos] = next_valid
            used.add(codes[pos])
        options.append(
            ResponseOption(code=codes[pos], name=e["name"], label_de=e["label_de"], label_en=e["label_en"], missing=missing)
        )
    first = entries[0] if entries else {"scale_label_de": "", "scale_label_en": ""}
    label_de = first.get("scale_label_de") or name
    return Scale(name=name, label_de=label_de, label_en=first.get("scale_label_en") or label_de, options=tuple(options))


def read_xlsform(path: str | Path) -> Instrument:
    """Load an instrument from an XLSForm workbook (ours or one edited/built in Excel).

    Parameters
    ----------
    path : str or Path
        The ``.xlsx`` workbook.

    Returns
    -------
    Instrument
        Exactly the exported instrument for workbooks written by :func:`write_xlsform`.

    Raises
    ------
    XLSFormError
        If the workbook cannot be read or has structural errors (``problems`` lists them as
        :class:`core.problems.Problem` with code, sheet and row; :func:`check_xlsform` gives the
        full report including pyxform's).

    Notes
    -----
    Defaults for workbooks without our extra columns:

    * every ``select_one`` inside a group is an item of the construct named after its innermost
      group; the group label is the stem; construct label = group name; construct scale = the
      list of its first item (or the ``scale`` column);
    * the column ``construct_role`` of a ``begin_group`` row declares what the construct stands
      for in the commitment analyses: ``municipal_commitment``, ``civil_commitment``,
      ``structure`` or ``other`` (empty = not declared; :data:`surveys.instrument.CONSTRUCT_ROLES`);
    * every question outside a group (and every non-``select_one`` inside one) is a respondent
      field; a ``text`` field whose name contains comment/kommentar/anmerk/bemerk is free text;
    * a choice list used by an item is a scale named after the list; option codes come from
      the ``code`` column, else integer choice names, else ``dk`` -> -1, ``na`` -> -9, else
      1, 2, ... for answers and -2, -3, ... for further missing options;
    * an option is missing when its name is ``dk``/``na`` (or similar) or its label reads
      "weiß nicht"/"keine Angabe"/"don't know"/"no answer"; reason ``dont_know``/``no_answer``;
    * a missing English label falls back to the German one; form id falls back to the file name.
    """
    path = Path(path)
    sheets = _load_sheets(path)
    errors = [p for p in _structure_problems(sheets, path.name) if p.severity == "error"]
    if errors:
        n, name = len(errors), quote_input(path.name)
        listing = {lang: "".join(f"\n  - {p.line(lang)}" for p in errors[:20]) for lang in ("de", "en")}
        more = (f"\n  … und {n - 20} weitere", f"\n  … and {n - 20} more") if n > 20 else ("", "")
        raise XLSFormError(
            f"XLSForm '{name}' hat {n} Fehler:{listing['de']}{more[0]}\n"
            f"XLSForm '{name}' has {n} error(s):{listing['en']}{more[1]}",
            errors,
        )
    return _build_instrument(path, sheets)


# ====================================================================== checking
_PYXFORM_ROW = re.compile(r"\[row\s*:\s*(\d+)\]\s*")
_PYXFORM_SHEET = re.compile(r"On the '(\w+)' sheet")


def _from_pyxform(message: str, severity: str, file: str = "") -> Problem:
    """One pyxform message (``"[row : 3] List name not in choices sheet: x"``) as a located problem.

    The row (and the sheet, if pyxform names one; else ``survey``) goes into the location; the
    German summary comes from :data:`~surveys.xlsform_problems.PYXFORM_GERMAN`, the rest of
    pyxform's text is kept as the parameter ``detail``.
    """
    text = message.strip()
    m = _PYXFORM_ROW.search(text)
    row = int(m.group(1)) if m else None
    text = _PYXFORM_ROW.sub("", text).strip()
    s = _PYXFORM_SHEET.search(text)
    sheet = s.group(1) if s else "survey"
    summary = PYXFORM_GENERAL[severity]
    for pattern, template in PYXFORM_GERMAN:
        k = re.search(pattern, text)
        if k:
            summary = template.format(*(quote_input(g) for g in k.groups()))
            break
    return XLSFORM_PROBLEMS.problem(
        f"pyxform_{severity}", Location(file=file, sheet=sheet, row=row),
        summary_de=summary, detail=quote_input(text, 500),
    )


def _pyxform_problems(path: Path) -> list[Problem]:
    """pyxform's verdict, or a warning that it is not installed."""
    where = Location(file=path.name, sheet="survey")
    try:
        from pyxform.errors import PyXFormError
        from pyxform.xls2xform import convert
    except ImportError:
        return [XLSFORM_PROBLEMS.problem("pyxform_missing", where)]
    warnings: list[str] = []
    out: list[Problem] = []
    try:
        convert(xlsform=str(path), warnings=warnings, validate=False)
    except PyXFormError as exc:
        out += [_from_pyxform(line, "error", path.name) for line in str(exc).splitlines() if line.strip()]
    except Exception as exc:  # pyxform sometimes fails with a plain exception on odd input
        out.append(XLSFORM_PROBLEMS.problem("pyxform_error", where, summary_de=PYXFORM_GENERAL["failed"],
                                            detail=quote_input(f"{type(exc).__name__}: {exc}", 500)))
    out += [_from_pyxform(w, "warning", path.name) for w in warnings]
    return out


def _locate(problem: Problem, sheets: dict[str, _Sheet]) -> Problem:
    """Give a row-less pyxform problem the survey row whose type or name it quotes."""
    survey = sheets.get("survey")
    if problem.location.row is not None or survey is None or "detail" not in problem.params:
        return problem
    quoted = re.findall(r"'([^']+)'", str(problem.params["detail"]))
    i_type, i_name = survey.col("type"), survey.col("name")
    for q in quoted:
        for r, row in survey.rows:
            if q in {_get(row, i_type), _get(row, i_name)}:
                return replace(problem, location=replace(problem.location, sheet="survey", row=r))
    return problem


def check_xlsform(path: str | Path, *, use_pyxform: bool = True) -> list[Problem]:
    """Every problem of an XLSForm workbook, located by file, sheet, Excel row (and column).

    Parameters
    ----------
    path : str or Path
        The ``.xlsx`` workbook.
    use_pyxform : bool
        Also run ``pyxform.xls2xform.convert`` (if installed). pyxform stops at its first error;
        a pyxform problem at a sheet and row our own checks already reported is left out, and a
        pyxform message without a row gets the row of the type or name it quotes.

    Returns
    -------
    list of core.problems.Problem
        Empty for a clean form. Errors first in sheet/row order, then warnings. Each has a
        ``code`` of :data:`~surveys.xlsform_problems.XLSFORM_PROBLEMS` (pyxform's verdict:
        :data:`~surveys.xlsform_problems.PYXFORM_CODES`), ``severity`` (``error``: the form is
        unusable; ``warning``: worth a look), a ``location`` (file = the workbook's name, sheet,
        row, column) and German/English ``message``, ``hint`` and ``line``.

    Raises
    ------
    XLSFormError
        If the file cannot be opened as a workbook at all (its ``problem`` says why).
    """
    path = Path(path)
    sheets = _load_sheets(path)
    problems = _structure_problems(sheets, path.name)
    if use_pyxform:
        seen = {(p.location.sheet, p.location.row) for p in problems if p.severity == "error"}
        located = [_locate(p, sheets) for p in _pyxform_problems(path)]
        problems += [p for p in located
                     if not (p.severity == "error" and (p.location.sheet, p.location.row) in seen)]
    order = {"survey": 0, "choices": 1, "settings": 2}
    return sorted(problems, key=lambda p: (p.severity != "error", order.get(p.location.sheet, 3), p.location.row or 0))
