"""XLSForm export, import and checking (surveys.xlsform).

Bad workbooks are written inline as markdown-like tables (the pyxform test style) and converted
to .xlsx with openpyxl, so each planted problem sits at a known Excel row.
"""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import openpyxl
import pytest

from core.problems import Location
from surveys import Instrument, XLSFormError, load_instrument
from surveys.xlsform import (
    AGS_CONSTRAINT,
    LANGUAGE_DE,
    LANGUAGE_EN,
    PYXFORM_CODES,
    XLSFORM_PROBLEMS,
    Problem,
    _from_pyxform,
    check_xlsform,
    read_xlsform,
    write_xlsform,
)

pyxform = pytest.importorskip("pyxform")
from pyxform.xls2xform import convert  # noqa: E402


# ---------------------------------------------------------------------- helpers
def md_rows(table: str) -> list[list[str | None]]:
    """``| a | b |`` lines -> rows of cells (empty cell -> None)."""
    rows = []
    for line in table.strip().splitlines():
        line = line.strip()
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        rows.append([c if c else None for c in cells])
    return rows


def write_md_workbook(path: Path, **sheets: str) -> Path:
    """Workbook with one sheet per keyword argument, rows from a markdown-like table."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, table in sheets.items():
        ws = wb.create_sheet(name)
        for row in md_rows(table):
            ws.append(row)
    wb.save(path)
    return path


def sheet_rows(path: Path, sheet: str) -> list[dict[str, object]]:
    ws = openpyxl.load_workbook(path)[sheet]
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


@pytest.fixture(scope="module")
def exported(instrument: Instrument, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_xlsform(instrument, tmp_path_factory.mktemp("xlsform") / "sensibilisierung.xlsx")


GOOD_CHOICES = """
| list_name | name | label::Deutsch (de)  | label::English (en) |
| agree5    | 1    | stimme gar nicht zu  | strongly disagree   |
| agree5    | 2    | stimme eher nicht zu | somewhat disagree   |
| agree5    | 3    | teils/teils          | neither             |
| agree5    | 4    | stimme eher zu       | somewhat agree      |
| agree5    | 5    | stimme voll zu       | strongly agree      |
| agree5    | dk   | weiß nicht           | don't know          |
| agree5    | na   | keine Angabe         | no answer           |
| rolle     | verw | Verwaltung           | Administration      |
| rolle     | rat  | Gemeinderat          | Council             |
"""
GOOD_SETTINGS = """
| form_title     | form_id | version | default_language |
| Meine Umfrage  | meine   | 2       | Deutsch (de)     |
"""


# ---------------------------------------------------------------------- export
def test_pyxform_converts_the_exported_xlsform_without_error_or_warning(
    exported: Path, instrument: Instrument
) -> None:
    warnings: list[str] = []
    result = convert(xlsform=str(exported), warnings=warnings, validate=False)
    assert warnings == []
    for code in instrument.item_codes:
        assert f"/data/{instrument.item(code).construct}/{code}" in result.xform
    assert f'lang="{LANGUAGE_DE}" default="true()"' in result.xform
    assert f'lang="{LANGUAGE_EN}"' in result.xform


def test_each_construct_is_one_group_named_by_id_and_labelled_with_its_stem(
    exported: Path, instrument: Instrument
) -> None:
    rows = sheet_rows(exported, "survey")
    groups = [r for r in rows if r["type"] == "begin_group"]
    assert [g["name"] for g in groups] == [c.id for c in instrument.constructs]
    assert [g[f"label::{LANGUAGE_DE}"] for g in groups] == [c.stem_de for c in instrument.constructs]
    assert [g[f"label::{LANGUAGE_EN}"] for g in groups] == [c.stem_en for c in instrument.constructs]
    assert sum(r["type"] == "end_group" for r in rows) == len(instrument.constructs)
    items = [r for r in rows if r["type"] == "select_one agree5"]
    assert [r["name"] for r in items] == instrument.item_codes


def test_respondent_fields_ags_constraint_role_choices_and_settings(
    exported: Path, instrument: Instrument
) -> None:
    rows = {r["name"]: r for r in sheet_rows(exported, "survey")}
    assert rows["ags"]["type"] == "text" and rows["ags"]["constraint"] == AGS_CONSTRAINT
    assert rows["ags"]["required"] == "yes"
    assert rows["role"]["type"] == "select_one role"
    for name in ("respondent_id", "wave", "comment"):
        assert rows[name]["type"] == "text"
    role_choices = [c for c in sheet_rows(exported, "choices") if c["list_name"] == "role"]
    assert [c["name"] for c in role_choices] == [c.name for c in instrument.field("role").choices]
    (settings,) = sheet_rows(exported, "settings")
    assert settings["form_id"] == instrument.name
    assert settings["version"] == instrument.version
    assert settings["form_title"] == instrument.title_de
    assert settings["default_language"] == LANGUAGE_DE


def test_scale_choice_names_are_written_as_text_not_numbers(exported: Path) -> None:
    names = [c["name"] for c in sheet_rows(exported, "choices") if c["list_name"] == "agree5"]
    assert names == ["1", "2", "3", "4", "5", "dk", "na"]


def test_the_ags_constraint_accepts_eight_digits_only() -> None:
    import re

    pattern = re.search(r"'(.+)'", AGS_CONSTRAINT).group(1)
    assert re.fullmatch(pattern, "08111000")
    assert not re.fullmatch(pattern, "8111000")
    assert not re.fullmatch(pattern, "0811100A")


def test_round_trip_instrument_to_xlsform_to_instrument_is_lossless(
    exported: Path, instrument: Instrument
) -> None:
    assert read_xlsform(exported) == instrument
    assert load_instrument(exported) == instrument
    assert load_instrument(exported) == instrument


def test_round_trip_keeps_a_second_scale_item_scale_overrides_and_field_order(
    instrument: Instrument, tmp_path: Path
) -> None:
    data = instrument.to_dict()
    data["scales"]["freq4"] = {
        "label": {"de": "Häufigkeit", "en": "Frequency"},
        "options": [
            {"code": 0, "name": "nie", "de": "nie", "en": "never"},
            {"code": 1, "name": "selten", "de": "selten", "en": "rarely"},
            {"code": 2, "name": "oft", "de": "oft", "en": "often"},
            {"code": -1, "name": "dk", "de": "weiß nicht", "en": "don't know", "missing": "dont_know"},
            {"code": -8, "name": "ns", "de": "nicht gezeigt", "en": "not shown", "missing": "not_shown"},
        ],
    }
    first = data["constructs"][0]["items"][0]
    first |= {"scale": "freq4", "reverse": True, "hypothesis": "H9", "source_section": "Eigener Abschnitt"}
    data["fields"].insert(1, {"name": "notiz", "type": "text", "required": False, "free_text": True,
                              "label": {"de": "Notiz", "en": "Note"}})
    data["fields"].append({"name": "alter", "type": "integer", "required": True,
                           "label": {"de": "Alter", "en": "Age"}})
    variant = Instrument.from_dict(data)
    back = read_xlsform(write_xlsform(variant, tmp_path / "variant.xlsx"))
    assert back == variant
    assert back.item(first["code"]).scale == "freq4" and back.scales["freq4"].missing_codes == {
        -1: "dont_know", -8: "not_shown"}
    assert [f.name for f in back.fields] == [f.name for f in variant.fields]


def test_export_is_byte_identical_for_the_same_instrument(instrument: Instrument, tmp_path: Path) -> None:
    a = write_xlsform(instrument, tmp_path / "a.xlsx").read_bytes()
    b = write_xlsform(instrument, tmp_path / "b.xlsx").read_bytes()
    assert hashlib.sha256(a).digest() == hashlib.sha256(b).digest()
    core = zipfile.ZipFile(tmp_path / "a.xlsx").read("docProps/core.xml").decode()
    assert "2025-01-01T00:00:00Z" in core  # fixed creation date, not the clock


def test_export_replaces_an_existing_file_and_leaves_no_temporary_files(
    instrument: Instrument, tmp_path: Path
) -> None:
    target = tmp_path / "form.xlsx"
    target.write_bytes(b"old")
    write_xlsform(instrument, target)
    assert read_xlsform(target) == instrument
    assert [p.name for p in tmp_path.iterdir()] == ["form.xlsx"]


# ---------------------------------------------------------------------- user-edited forms
def test_user_built_xlsform_without_extra_columns_loads_with_sensible_defaults(tmp_path: Path) -> None:
    path = write_md_workbook(
        tmp_path / "user.xlsx",
        survey="""
| type              | name     | label::Deutsch (de)          | label::English (en) | required |
| text              | ags      | AGS                          | AGS                 | yes      |
| select_one rolle  | role     | Ihre Rolle                   | Your role           | yes      |
| begin_group       | kommunal | Wie sehr trifft das zu?      | How far?            |          |
| select_one agree5 | KOM01    | Die Kommune hilft.           | It helps.           |          |
| select_one agree5 | KOM02    | Die Kommune hört zu.         |                     |          |
| end_group         |          |                              |                     |          |
| note              | danke    | Danke!                       | Thanks!             |          |
| text              | kommentar| Anmerkungen                  | Comments            |          |
""",
        choices=GOOD_CHOICES,
        settings=GOOD_SETTINGS,
    )
    inst = read_xlsform(path)
    assert (inst.name, inst.version, inst.title_de) == ("meine", "2", "Meine Umfrage")
    assert [c.id for c in inst.constructs] == ["kommunal"]
    con = inst.construct("kommunal")
    assert (con.label_de, con.stem_de, con.stem_en, con.scale) == ("kommunal", "Wie sehr trifft das zu?",
                                                                    "How far?", "agree5")
    assert inst.item_codes == ["KOM01", "KOM02"]
    assert inst.item("KOM02").label_en == "Die Kommune hört zu."  # English falls back to German
    assert not any(i.reverse for i in inst.items)
    scale = inst.scales["agree5"]
    assert scale.valid_codes == (1, 2, 3, 4, 5)
    assert scale.missing_codes == {-1: "dont_know", -9: "no_answer"}
    assert [f.name for f in inst.fields] == ["ags", "role", "kommentar"]
    assert inst.field("role").required and [c.name for c in inst.field("role").choices] == ["verw", "rat"]
    assert inst.field("kommentar").free_text and not inst.field("ags").free_text


def test_missing_options_are_recognised_by_their_labels_and_codes_numbered(tmp_path: Path) -> None:
    path = write_md_workbook(
        tmp_path / "labels.xlsx",
        survey="""
| type             | name | label |
| begin_group      | blk  | Stamm |
| select_one zust  | Q1   | Frage |
| end_group        |      |       |
""",
        choices="""
| list_name | name  | label        |
| zust      | nein  | nein         |
| zust      | eher  | eher         |
| zust      | ja    | ja           |
| zust      | x     | Weiß nicht   |
| zust      | y     | keine Angabe |
""",
    )
    scale = read_xlsform(path).scales["zust"]
    assert scale.valid_codes == (1, 2, 3)
    assert scale.missing_codes == {-1: "dont_know", -9: "no_answer"}


def where(p: Problem) -> tuple[str, str, int | None, str]:
    """(code, sheet, row, column) of a problem."""
    return (p.code, p.location.sheet, p.location.row, p.location.column)


def test_reading_a_broken_xlsform_raises_xlsform_error_with_its_located_problems(tmp_path: Path) -> None:
    path = write_md_workbook(
        tmp_path / "broken.xlsx",
        survey="""
| type              | name  | label::Deutsch (de) |
| select_one fehlt  | Q1    | Frage               |
""",
        choices=GOOD_CHOICES,
    )
    with pytest.raises(XLSFormError) as info:
        read_xlsform(path)
    (problem,) = info.value.problems
    assert where(problem) == ("list_missing", "survey", 2, "A")
    assert problem.location.file == "broken.xlsx" and problem.params == {"list_name": "fehlt"}
    assert info.value.problem is problem
    message = str(info.value)
    assert "XLSForm 'broken.xlsx' hat 1 Fehler" in message and "has 1 error(s)" in message
    assert "Blatt 'survey', Zeile 2, Spalte A ('type'): Auswahlliste 'fehlt' fehlt im Blatt 'choices'" in message
    assert "sheet 'survey', row 2, column A ('type'): List name 'fehlt' not in choices sheet" in message


def test_a_file_that_is_not_a_workbook_gives_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "fake.xlsx"
    bad.write_bytes(b"this is not a zip file")
    with pytest.raises(XLSFormError, match="keine lesbare Excel-Datei") as info:
        check_xlsform(bad)
    assert info.value.problem.code == "file_unreadable"
    assert info.value.problem.location.file == "fake.xlsx"
    assert "not a readable .xlsx workbook" in str(info.value)


# ---------------------------------------------------------------------- check_xlsform
BAD_SURVEY = """
| type               | name     | label::Deutsch (de) | label::English (en) |
| begin_group        | kommunal | Stamm               | Stem                |
| select_one agree5  | KOM01    | eins                | one                 |
| select_one agree5  | KOM01    | zwei                | two                 |
| select_one skala9  | KOM02    | drei                | three               |
| select_one agree5  | 3KOM     | vier                | four                |
| select_one agree5  | KOM04    |                     | five                |
| end_group          |          |                     |                     |
| end_group          |          |                     |                     |
| begin_group        | offen    | Offen               | Open                |
| text               | ags      | AGS                 | AGS                 |
"""
BAD_CHOICES = """
| list_name | name | label::Deutsch (de) | label::English (en) |
| agree5    | 1    | eins                | one                 |
| agree5    | 1    | nochmal eins        | one again           |
| agree5    | dk   |                     | don't know          |
| 9liste    | a    | A                   | A                   |
"""


@pytest.fixture(scope="module")
def bad_problems(tmp_path_factory: pytest.TempPathFactory) -> list[Problem]:
    path = write_md_workbook(
        tmp_path_factory.mktemp("bad") / "bad.xlsx", survey=BAD_SURVEY, choices=BAD_CHOICES,
        settings=GOOD_SETTINGS,
    )
    return check_xlsform(path)


@pytest.mark.parametrize(
    ("code", "sheet", "row", "column", "params", "german"),
    [
        ("name_duplicate", "survey", 4, "B", {"name": "KOM01", "first_row": 3},
         "Name 'KOM01' kommt doppelt vor (zuerst Zeile 3)"),
        ("list_missing", "survey", 5, "A", {"list_name": "skala9"}, "Auswahlliste 'skala9' fehlt im Blatt 'choices'"),
        ("name_invalid", "survey", 6, "B", {"name": "3KOM"}, "Name '3KOM' ist ungültig"),
        ("label_de_missing", "survey", 7, "C", {"name": "KOM04"}, "Deutsche Beschriftung fehlt für 'KOM04'"),
        ("group_end_unmatched", "survey", 9, "A", {"type": "end_group", "kind": "group"},
         "'end_group' ohne passendes 'begin_group'"),
        ("group_not_closed", "survey", 10, "A", {"kind": "group", "name": "offen"},
         "'begin_group' 'offen' wird nie mit 'end_group' geschlossen"),
        ("choice_duplicate", "choices", 3, "B", {"name": "1", "list_name": "agree5", "first_row": 2},
         "Antwortname '1' kommt in Liste 'agree5' doppelt vor (zuerst Zeile 2)"),
        ("choice_label_de_missing", "choices", 4, "C", {"name": "dk", "list_name": "agree5"},
         "Deutsche Beschriftung fehlt für Antwort 'dk'"),
        ("list_name_invalid", "choices", 5, "A", {"list_name": "9liste"}, "Listenname '9liste' ist ungültig"),
    ],
    ids=["duplicate-name", "list-not-in-choices", "name-starts-with-digit", "german-label-missing",
         "unmatched-end-group", "unclosed-begin-group", "duplicate-choice-name",
         "choice-german-label-missing", "list-name-starts-with-digit"],
)
def test_check_finds_each_planted_problem_with_its_code_sheet_row_and_column(
    bad_problems: list[Problem], code: str, sheet: str, row: int, column: str, params: dict, german: str
) -> None:
    hits = [p for p in bad_problems if where(p) == (code, sheet, row, column)]
    assert len(hits) == 1, [where(p) for p in bad_problems]
    p = hits[0]
    assert p.severity == "error" and p.location.file == "bad.xlsx"
    assert dict(p.params) == params
    assert p.message("de") == XLSFORM_PROBLEMS.render(code, params, "de") and german in p.message("de")
    assert p.message("en") == XLSFORM_PROBLEMS.render(code, params, "en") != p.message("de")
    assert p.hint("de") and p.hint("en")
    header = {"A": "type", "B": "name", "C": f"label::{LANGUAGE_DE}"}[column]
    if sheet == "choices" and column == "A":
        header = "list_name"
    assert p.line("de").startswith(f"Datei 'bad.xlsx', Blatt '{sheet}', Zeile {row}, Spalte {column} ('{header}'): ")
    assert p.line("en").startswith(f"file 'bad.xlsx', sheet '{sheet}', row {row}, column {column} ('{header}'): ")


def test_check_reports_nothing_else_on_the_planted_rows(bad_problems: list[Problem]) -> None:
    ours = {(p.location.sheet, p.location.row) for p in bad_problems if p.code not in PYXFORM_CODES}
    assert ours == {("survey", r) for r in (4, 5, 6, 7, 9, 10)} | {("choices", r) for r in (3, 4, 5)}


def test_check_finds_the_other_structural_problems_with_code_and_cell(tmp_path: Path) -> None:
    path = write_md_workbook(
        tmp_path / "more.xlsx",
        survey="""
| type        | name | label::Deutsch (de) | construct_role |
| begin_group | blk  | Stamm               | kaputt         |
| select_one  | Q1   | Frage               |                |
| text        |      | Ohne Namen          |                |
|             | Q2   | Ohne Typ            |                |
| end_repeat  |      |                     |                |
| begin_group | blk2 |                     |                |
""",
        choices="""
| list_name | name | label::Deutsch (de) | code |
| agree5    | 1    | eins                | x1   |
|           | 2    | zwei                |      |
| agree5    |      | drei                |      |
""",
        settings="| form_title | form_id |\n| Titel | 9form |",
    )
    problems = check_xlsform(path, use_pyxform=False)
    assert [where(p) for p in problems] == [
        ("unknown_role", "survey", 2, "D"),
        ("type_without_list", "survey", 3, "A"),
        ("name_missing", "survey", 4, "B"),
        ("type_missing", "survey", 5, "A"),
        ("group_end_mismatch", "survey", 6, "A"),
        ("group_not_closed", "survey", 7, "A"),
        ("code_not_integer", "choices", 2, "D"),
        ("list_name_missing", "choices", 3, "A"),
        ("choice_name_missing", "choices", 4, "B"),
        ("form_id_invalid", "settings", 2, "B"),
        ("group_label_de_missing", "survey", 7, "C"),
    ]
    by_code = {p.code: p for p in problems}
    assert by_code["group_label_de_missing"].severity == "warning"
    assert by_code["unknown_role"].params["role"] == "kaputt"
    assert "Rolle 'kaputt' der Gruppe 'blk' ist unbekannt" in by_code["unknown_role"].message("de")
    assert by_code["group_end_mismatch"].params == {"type": "end_repeat", "open_kind": "group",
                                                    "open_name": "blk", "open_row": 2}
    assert by_code["code_not_integer"].message("en") == "Code 'x1' is not an integer."


def test_check_of_the_exported_xlsform_is_clean(exported: Path) -> None:
    assert check_xlsform(exported) == []


def test_check_reports_missing_sheets_and_missing_columns(tmp_path: Path) -> None:
    no_survey = write_md_workbook(tmp_path / "nosurvey.xlsx", choices=GOOD_CHOICES)
    problems = check_xlsform(no_survey, use_pyxform=False)
    assert [where(p) for p in problems] == [("sheet_missing", "survey", None, "")]
    assert problems[0].message("de") == "Das Blatt 'survey' fehlt."
    assert problems[0].line("en").startswith("file 'nosurvey.xlsx', sheet 'survey': Sheet 'survey' is missing.")

    no_name = write_md_workbook(
        tmp_path / "noname.xlsx",
        survey="| type | label::English (en) |\n| text | Hello |",
        settings=GOOD_SETTINGS,
    )
    found = {(*where(p), p.params.get("column")) for p in check_xlsform(no_name, use_pyxform=False)}
    assert found == {("column_missing", "survey", 1, "", "name"),
                     ("label_de_column_missing", "survey", 1, "", f"label::{LANGUAGE_DE}")}

    no_choices = write_md_workbook(
        tmp_path / "nochoices.xlsx",
        survey="| type | name | label |\n| select_one agree5 | q1 | Frage |",
    )
    problems = check_xlsform(no_choices, use_pyxform=False)
    assert [(where(p), p.severity) for p in problems] == [
        (("choices_sheet_missing", "choices", None, ""), "error"),
        (("settings_sheet_missing", "settings", None, ""), "warning"),
    ]


def test_text_quoted_from_the_workbook_shows_control_characters_instead_of_obeying_them(tmp_path: Path) -> None:
    path = write_md_workbook(tmp_path / "hostile.xlsx", survey="| type | name | label |", choices=GOOD_CHOICES,
                             settings=GOOD_SETTINGS)
    wb = openpyxl.load_workbook(path)
    wb["survey"].append(["text", "KOM\r01", "Frage"])
    wb["survey"].append(["select_one li\u202est", "q2", "Frage"])
    wb.save(path)
    problems = check_xlsform(path, use_pyxform=False)
    assert [where(p) for p in problems] == [("name_invalid", "survey", 2, "B"), ("list_missing", "survey", 3, "A")]
    assert problems[0].params["name"] == "KOM\\x0d01"
    assert problems[1].params["list_name"] == "li\\u202est"
    for p in problems:
        for lang in ("de", "en"):
            assert "\r" not in p.line(lang) and "\u202e" not in p.line(lang)
    assert "Name 'KOM\\x0d01' ist ungültig" in problems[0].message("de")


def test_every_xlsform_problem_says_what_to_do_in_german_and_english() -> None:
    assert {"sheet_missing", "column_missing", "name_duplicate", "pyxform_error"} <= set(XLSFORM_PROBLEMS)
    for code, spec in XLSFORM_PROBLEMS.items():
        assert spec.de and spec.en and spec.de != spec.en, code
        assert spec.hint_de and spec.hint_en and spec.hint_de != spec.hint_en, code


def test_pyxform_only_problem_is_reported_with_the_row_of_the_quoted_type(tmp_path: Path) -> None:
    path = write_md_workbook(
        tmp_path / "typo.xlsx",
        survey="""
| type             | name | label::Deutsch (de) |
| text             | q0   | Frage 0             |
| selct_one agree5 | q1   | Frage 1             |
""",
        choices=GOOD_CHOICES,
        settings=GOOD_SETTINGS,
    )
    problems = check_xlsform(path)
    assert [where(p) for p in problems] == [("pyxform_error", "survey", 3, "")]
    assert problems[0].location.file == "typo.xlsx"
    assert problems[0].params["summary_de"] == "Unbekannter Fragetyp 'selct_one agree5'"
    assert problems[0].message("de").startswith("Unbekannter Fragetyp 'selct_one agree5' (pyxform: ")
    assert problems[0].message("en").startswith("pyxform: ") and "selct_one agree5" in problems[0].message("en")
    assert check_xlsform(path, use_pyxform=False) == []


def test_pyxform_row_messages_are_translated_with_sheet_and_row() -> None:
    p = _from_pyxform("[row : 3] List name not in choices sheet: skala9", "error", "f.xlsx")
    assert (p.code, p.severity, p.location) == ("pyxform_error", "error", Location(file="f.xlsx", sheet="survey", row=3))
    assert p.message("de") == ("Auswahlliste 'skala9' fehlt im Blatt 'choices' "
                               "(pyxform: List name not in choices sheet: skala9)")
    assert p.message("en") == "pyxform: List name not in choices sheet: skala9"
    w = _from_pyxform("[row : 7] On the 'choices' sheet, the 'label' value is invalid.", "warning")
    assert (w.code, w.severity, w.location.sheet, w.location.row) == ("pyxform_warning", "warning", "choices", 7)
    assert w.line("de").startswith("Blatt 'choices', Zeile 7: pyxform empfiehlt eine Änderung (pyxform: On the")


def test_check_without_pyxform_installed_degrades_to_a_warning(
    exported: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import builtins

    real_import = builtins.__import__

    def no_pyxform(name: str, *args: object, **kwargs: object) -> object:
        if name.startswith("pyxform"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pyxform)
    problems = check_xlsform(exported)
    assert [(p.code, p.severity) for p in problems] == [("pyxform_missing", "warning")]
    assert "pyxform ist nicht installiert" in problems[0].message("de")
    assert "pip install pyxform" in problems[0].hint("en")
