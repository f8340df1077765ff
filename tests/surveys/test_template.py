"""The data-entry template (surveys.template): dropdowns, text AGS, frozen header, filling in."""

from __future__ import annotations

import re
import zipfile
from datetime import datetime
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from openpyxl.worksheet.worksheet import Worksheet
from python_calamine import CalamineWorkbook

from surveys import BausteinError, Instrument
from surveys.dataset import MUNICIPALITY_COLUMNS
from surveys.formats import (
    TEMPLATE_FIELD_HEADERS,
    TEMPLATE_INSTRUCTIONS_SHEET,
    TEMPLATE_MUNICIPALITIES_SHEET,
    TEMPLATE_MUNICIPALITY_HEADERS,
    TEMPLATE_RESPONSES_SHEET,
    template_header,
)
from surveys.template import TEMPLATE_LISTS_SHEET, YES_NO, ags_text, template_columns, write_template

#: Dataset columns the template does not ask because the importer derives them.
DERIVED_MUNICIPALITY_COLUMNS = {"state", "size_class"}


# ---------------------------------------------------------------------- helpers
def validation_at(ws: Worksheet, cell: str) -> openpyxl.worksheet.datavalidation.DataValidation:
    found = [dv for dv in ws.data_validations.dataValidation if cell in dv.sqref]
    assert len(found) == 1, (cell, [str(dv.sqref) for dv in ws.data_validations.dataValidation])
    return found[0]


def list_values(wb: openpyxl.Workbook, formula: str) -> list[str]:
    """Resolve a list-validation source like ``'Listen'!$A$2:$A$8`` to its cell values."""
    m = re.fullmatch(r"'?([^'!]+)'?!\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)", formula.lstrip("="))
    assert m, formula
    sheet, c1, r1, c2, r2 = m.groups()
    assert c1 == c2
    ws = wb[sheet]
    return [ws[f"{c1}{r}"].value for r in range(int(r1), int(r2) + 1)]


def column_of(ws: Worksheet, header: str) -> str:
    for cell in ws[1]:
        if cell.value == header:
            return cell.column_letter
    raise AssertionError(f"header not found: {header}")


def make_responses(instrument: Instrument, n: int = 200, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    roles = [c.name for c in instrument.field("role").choices]
    frame = pd.DataFrame(
        {
            "respondent_id": [f"R{i:04d}" for i in range(n)],
            "ags": ["08111000"] * n,
            "role": rng.choice(roles, n),
            "wave": [2025] * n,
            "submitted_at": pd.date_range("2025-03-01 09:30", periods=n, freq="D"),
            "comment": [None] * n,
        }
    )
    for code in instrument.item_codes:
        frame[code] = rng.choice([1, 2, 3, 4, 5, -1, -9, np.nan], n)
    return frame


def make_municipalities() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ags": [8111000, "08115003"],
            "name": ["Stuttgart", "Musterdorf"],
            "district": ["Stuttgart", "Böblingen"],
            "state": ["Baden-Württemberg"] * 2,
            "population": [630_000, 4_200],
            "size_class": ["100.000 und mehr", "unter 5.000"],
            "cohort": ["2024", "2025"],
            "council_resolution": [True, False],
            "council_resolution_date": [pd.Timestamp("2024-05-14"), pd.NaT],
            "mayor_involved": [True, False],
            "named_contact": [False, True],
            "staff_hours": [19.5, 0.0],
            "budget_eur": [25_000.0, np.nan],
            "rooms": [True, True],
            "n_initiatives": [12, 2],
            "n_volunteers": [340, 15],
        },
        columns=list(MUNICIPALITY_COLUMNS),
    )


@pytest.fixture(scope="module")
def blank(instrument: Instrument, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_template(instrument, tmp_path_factory.mktemp("tpl") / "vorlage.xlsx")


@pytest.fixture(scope="module")
def responses(instrument: Instrument) -> pd.DataFrame:
    return make_responses(instrument)


@pytest.fixture(scope="module")
def filled(instrument: Instrument, responses: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_template(
        instrument, tmp_path_factory.mktemp("tpl") / "filled.xlsx",
        responses=responses, municipalities=make_municipalities(),
    )


# ---------------------------------------------------------------------- layout
def test_sheets_are_instructions_answers_municipalities_and_a_hidden_list_sheet(blank: Path) -> None:
    wb = openpyxl.load_workbook(blank)
    assert wb.sheetnames == [TEMPLATE_INSTRUCTIONS_SHEET, TEMPLATE_RESPONSES_SHEET,
                             TEMPLATE_MUNICIPALITIES_SHEET, TEMPLATE_LISTS_SHEET]
    assert [wb[s].sheet_state for s in wb.sheetnames] == ["visible", "visible", "visible", "hidden"]


def test_answer_headers_are_the_field_headers_then_one_coded_header_per_item(
    blank: Path, instrument: Instrument
) -> None:
    ws = openpyxl.load_workbook(blank)[TEMPLATE_RESPONSES_SHEET]
    headers = [c.value for c in ws[1]]
    expected = list(TEMPLATE_FIELD_HEADERS.values()) + [template_header(i) for i in instrument.items]
    assert headers == expected
    assert headers[len(TEMPLATE_FIELD_HEADERS)].startswith("KOM01 – Die Kommune")
    assert [h for _, h in template_columns(instrument)] == expected


def test_every_item_dropdown_lists_exactly_the_scale_labels_including_missing(
    blank: Path, instrument: Instrument
) -> None:
    wb = openpyxl.load_workbook(blank)
    ws = wb[TEMPLATE_RESPONSES_SHEET]
    for item in instrument.items:
        col = column_of(ws, template_header(item))
        for row in (2, 500):
            dv = validation_at(ws, f"{col}{row}")
            assert dv.type == "list" and dv.showErrorMessage
            labels = list_values(wb, dv.formula1)
            assert labels == instrument.scale_of(item.code).labels("de")
    assert "weiß nicht" in labels and "keine Angabe" in labels


def test_english_template_lists_the_english_labels(instrument: Instrument, tmp_path: Path) -> None:
    path = write_template(instrument, tmp_path / "en.xlsx", lang="en")
    wb = openpyxl.load_workbook(path)
    ws = wb[TEMPLATE_RESPONSES_SHEET]
    item = instrument.items[0]
    dv = validation_at(ws, f"{column_of(ws, template_header(item, 'en'))}2")
    assert list_values(wb, dv.formula1) == instrument.scales[item.scale].labels("en")


def test_role_dropdown_lists_the_role_labels(blank: Path, instrument: Instrument) -> None:
    wb = openpyxl.load_workbook(blank)
    ws = wb[TEMPLATE_RESPONSES_SHEET]
    dv = validation_at(ws, f"{column_of(ws, TEMPLATE_FIELD_HEADERS['role'])}2")
    assert list_values(wb, dv.formula1) == [c.label_de for c in instrument.field("role").choices]


def test_ags_column_is_text_formatted_and_validated_as_eight_characters(blank: Path) -> None:
    ws = openpyxl.load_workbook(blank)[TEMPLATE_RESPONSES_SHEET]
    col = column_of(ws, TEMPLATE_FIELD_HEADERS["ags"])
    assert ws.column_dimensions[col].number_format == "@"
    dv = validation_at(ws, f"{col}2")
    assert dv.type == "custom" and f"LEN({col}2)=8" in dv.formula1


def test_header_row_and_first_three_columns_are_frozen_and_header_wraps(blank: Path) -> None:
    ws = openpyxl.load_workbook(blank)[TEMPLATE_RESPONSES_SHEET]
    assert ws.freeze_panes == "D2"
    assert ws["G1"].alignment.wrap_text and ws["G1"].font.b
    assert ws.row_dimensions[1].height >= 100


def test_municipality_sheet_asks_every_dataset_column_except_the_derived_ones(blank: Path) -> None:
    ws = openpyxl.load_workbook(blank)[TEMPLATE_MUNICIPALITIES_SHEET]
    headers = [c.value for c in ws[1]]
    assert headers == list(TEMPLATE_MUNICIPALITY_HEADERS.values())
    asked = set(TEMPLATE_MUNICIPALITY_HEADERS)
    assert asked == set(MUNICIPALITY_COLUMNS) - DERIVED_MUNICIPALITY_COLUMNS


def test_municipality_yes_no_columns_have_ja_nein_dropdowns_and_dates_a_date_format(blank: Path) -> None:
    wb = openpyxl.load_workbook(blank)
    ws = wb[TEMPLATE_MUNICIPALITIES_SHEET]
    for key in ("council_resolution", "mayor_involved", "named_contact", "rooms"):
        dv = validation_at(ws, f"{column_of(ws, TEMPLATE_MUNICIPALITY_HEADERS[key])}2")
        assert list_values(wb, dv.formula1) == list(YES_NO)
    date_col = column_of(ws, TEMPLATE_MUNICIPALITY_HEADERS["council_resolution_date"])
    assert ws.column_dimensions[date_col].number_format == "dd.mm.yyyy"
    assert validation_at(ws, f"{date_col}2").type == "date"
    assert ws.column_dimensions[column_of(ws, "AGS")].number_format == "@"


def test_instructions_explain_missing_answers_and_privacy(blank: Path, instrument: Instrument) -> None:
    ws = openpyxl.load_workbook(blank)[TEMPLATE_INSTRUCTIONS_SHEET]
    text = " ".join(str(c) for row in ws.iter_rows(values_only=True) for c in row if c)
    for phrase in ("weiß nicht", "keine Angabe", "fehlender Wert", "keine Namen", "08111000"):
        assert phrase in text
    for construct in instrument.constructs:
        assert construct.stem_de in text


# ---------------------------------------------------------------------- filled in
def test_filled_ags_keeps_its_leading_zero_in_openpyxl_and_calamine(filled: Path) -> None:
    ws = openpyxl.load_workbook(filled)[TEMPLATE_RESPONSES_SHEET]
    assert ws["B2"].value == "08111000" and ws["B2"].data_type == "s"
    assert ws["B2"].number_format == "@"
    rows = CalamineWorkbook.from_path(str(filled)).get_sheet_by_name(TEMPLATE_RESPONSES_SHEET).to_python()
    assert rows[1][1] == "08111000"
    muni = CalamineWorkbook.from_path(str(filled)).get_sheet_by_name(TEMPLATE_MUNICIPALITIES_SHEET).to_python()
    assert [r[0] for r in muni[1:3]] == ["08111000", "08115003"]  # integer 8111000 padded back


def test_filled_items_hold_the_german_answer_labels_and_blanks_stay_blank(
    filled: Path, responses: pd.DataFrame, instrument: Instrument
) -> None:
    ws = openpyxl.load_workbook(filled)[TEMPLATE_RESPONSES_SHEET]
    headers = [c.value for c in ws[1]]
    scale = instrument.scales["agree5"]
    for code in ("KOM01", "ERG05"):
        col = headers.index(template_header(instrument.item(code))) + 1
        for i, value in enumerate(responses[code]):
            cell = ws.cell(row=i + 2, column=col).value
            expected = None if np.isnan(value) else scale.option(int(value)).label_de
            assert cell == expected
    assert ws.max_row == len(responses) + 1


def test_filled_roles_dates_and_waves_are_written_as_a_municipality_would(
    filled: Path, responses: pd.DataFrame, instrument: Instrument
) -> None:
    ws = openpyxl.load_workbook(filled)[TEMPLATE_RESPONSES_SHEET]
    role_labels = {c.name: c.label_de for c in instrument.field("role").choices}
    assert ws["C2"].value == role_labels[responses["role"].iloc[0]]
    assert ws["D2"].value == "2025" and ws["D2"].data_type == "s"
    assert ws["E2"].value == datetime(2025, 3, 1, 9, 30) and ws["E2"].is_date
    assert ws["E2"].number_format == "dd.mm.yyyy hh:mm"
    assert ws["A2"].value == "R0000"


def test_filled_municipality_facts_use_ja_nein_real_dates_and_numbers(filled: Path) -> None:
    ws = openpyxl.load_workbook(filled)[TEMPLATE_MUNICIPALITIES_SHEET]
    row = {h: ws.cell(row=2, column=i + 1).value for i, h in enumerate(TEMPLATE_MUNICIPALITY_HEADERS)}
    assert row["council_resolution"] == "ja" and row["mayor_involved"] == "ja" and row["named_contact"] == "nein"
    assert row["council_resolution_date"] == datetime(2024, 5, 14)
    assert row["population"] == 630_000 and row["staff_hours"] == 19.5
    second = {h: ws.cell(row=3, column=i + 1).value for i, h in enumerate(TEMPLATE_MUNICIPALITY_HEADERS)}
    assert second["council_resolution_date"] is None and second["budget_eur"] is None
    assert second["council_resolution"] == "nein"


def test_ags_text_pads_numbers_to_eight_digits() -> None:
    assert ags_text(8111000) == "08111000"
    assert ags_text(8111000.0) == "08111000"
    assert ags_text("8111000") == "08111000"
    assert ags_text("08111000") == "08111000"
    assert ags_text("unbekannt") == "unbekannt"


# ---------------------------------------------------------------------- determinism, errors
def test_same_input_gives_byte_identical_files_and_no_clock_dependence(
    instrument: Instrument, responses: pd.DataFrame, tmp_path: Path
) -> None:
    muni = make_municipalities()
    a = write_template(instrument, tmp_path / "a.xlsx", responses=responses, municipalities=muni)
    b = write_template(instrument, tmp_path / "b.xlsx", responses=responses.copy(), municipalities=muni)
    assert a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(a) as z:
        assert "2025-01-01T00:00:00Z" in z.read("docProps/core.xml").decode()
        stamps = {info.date_time for info in z.infolist()}
        assert len(stamps) == 1 and next(iter(stamps))[0] == 1980  # fixed zip times, not "now"
    changed = responses.copy()
    changed.loc[0, "KOM01"] = 5 if changed.loc[0, "KOM01"] != 5 else 4
    c = write_template(instrument, tmp_path / "c.xlsx", responses=changed, municipalities=muni)
    assert c.read_bytes() != a.read_bytes()


def test_unknown_language_is_rejected_with_a_clear_error(instrument: Instrument, tmp_path: Path) -> None:
    with pytest.raises(BausteinError, match="Unbekannte Sprache 'fr'"):
        write_template(instrument, tmp_path / "fr.xlsx", lang="fr")
    assert not (tmp_path / "fr.xlsx").exists()
