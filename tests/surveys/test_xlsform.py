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

from surveys import Instrument, XLSFormError, load_instrument
from surveys.xlsform import (
    AGS_CONSTRAINT,
    LANGUAGE_DE,
    LANGUAGE_EN,
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


def test_reading_a_broken_xlsform_raises_xlsform_error_listing_sheet_and_row(tmp_path: Path) -> None:
    path = write_md_workbook(
        tmp_path / "broken.xlsx",
        survey="""
| type              | name  | label::Deutsch (de) |
| select_one fehlt  | Q1    | Frage               |
""",
        choices=GOOD_CHOICES,
    )
    with pytest.raises(XLSFormError, match="Zeile 2") as info:
        read_xlsform(path)
    assert info.value.problems[0][:2] == ("survey", 2)
    assert "fehlt" in info.value.problems[0][2]


def test_a_file_that_is_not_a_workbook_gives_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "fake.xlsx"
    bad.write_bytes(b"this is not a zip file")
    with pytest.raises(XLSFormError, match="keine lesbare Excel-Datei"):
        check_xlsform(bad)


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
    ("sheet", "row", "fragment"),
    [
        ("survey", 4, "Name 'KOM01' kommt doppelt vor (zuerst Zeile 3)"),
        ("survey", 5, "Auswahlliste 'skala9' fehlt im Blatt 'choices'"),
        ("survey", 6, "Name '3KOM' ist ungültig"),
        ("survey", 7, "Deutsche Beschriftung fehlt für 'KOM04'"),
        ("survey", 9, "'end_group' ohne passendes 'begin_group'"),
        ("survey", 10, "'begin_group' 'offen' wird nie mit 'end_group' geschlossen"),
        ("choices", 3, "Antwortname '1' kommt in Liste 'agree5' doppelt vor (zuerst Zeile 2)"),
        ("choices", 4, "Deutsche Beschriftung fehlt für Antwort 'dk'"),
        ("choices", 5, "Listenname '9liste' ist ungültig"),
    ],
    ids=["duplicate-name", "list-not-in-choices", "name-starts-with-digit", "german-label-missing",
         "unmatched-end-group", "unclosed-begin-group", "duplicate-choice-name",
         "choice-german-label-missing", "list-name-starts-with-digit"],
)
def test_check_finds_each_planted_problem_at_its_sheet_and_row(
    bad_problems: list[Problem], sheet: str, row: int, fragment: str
) -> None:
    hits = [p for p in bad_problems if p.sheet == sheet and p.row == row and fragment in p.message]
    assert len(hits) == 1, [str(p) for p in bad_problems]
    assert hits[0].is_error
    assert str(hits[0]).startswith(f"Blatt '{sheet}', Zeile {row}: ")
    assert " / " in hits[0].message  # German / English


def test_check_reports_nothing_else_on_the_planted_rows(bad_problems: list[Problem]) -> None:
    ours = {(p.sheet, p.row) for p in bad_problems if p.source == "baustein"}
    assert ours == {("survey", r) for r in (4, 5, 6, 7, 9, 10)} | {("choices", r) for r in (3, 4, 5)}


def test_check_of_the_exported_xlsform_is_clean(exported: Path) -> None:
    assert check_xlsform(exported) == []


def test_check_reports_missing_sheet_and_missing_columns(tmp_path: Path) -> None:
    no_survey = write_md_workbook(tmp_path / "nosurvey.xlsx", choices=GOOD_CHOICES)
    problems = check_xlsform(no_survey, use_pyxform=False)
    assert [(p.sheet, p.row) for p in problems] == [("survey", None)]
    assert "Das Blatt 'survey' fehlt" in problems[0].message

    no_name = write_md_workbook(
        tmp_path / "noname.xlsx",
        survey="| type | label::English (en) |\n| text | Hello |",
        settings=GOOD_SETTINGS,
    )
    found = {(p.sheet, p.row, p.message.split(" / ")[0]) for p in check_xlsform(no_name, use_pyxform=False)}
    assert ("survey", 1, "Die Spalte 'name' fehlt") in found
    assert ("survey", 1, f"Die Spalte 'label::{LANGUAGE_DE}' (deutsche Beschriftung) fehlt") in found


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
    assert [(p.sheet, p.row, p.source) for p in problems] == [("survey", 3, "pyxform")]
    assert "Unbekannter Fragetyp 'selct_one agree5'" in problems[0].message
    assert check_xlsform(path, use_pyxform=False) == []


def test_pyxform_row_messages_are_translated_with_sheet_and_row() -> None:
    p = _from_pyxform("[row : 3] List name not in choices sheet: skala9", "error")
    assert (p.sheet, p.row, p.severity) == ("survey", 3, "error")
    assert p.message.startswith("Auswahlliste 'skala9' fehlt im Blatt 'choices'")
    w = _from_pyxform("[row : 7] On the 'choices' sheet, the 'label' value is invalid.", "warning")
    assert (w.sheet, w.row, w.is_error) == ("choices", 7, False)
    assert str(w).startswith("Blatt 'choices', Zeile 7: Warnung / warning:")


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
    assert [(p.severity, p.source) for p in problems] == [("warning", "pyxform")]
    assert "pyxform ist nicht installiert" in problems[0].message
