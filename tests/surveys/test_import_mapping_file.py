"""The mapping as an Excel workbook and as YAML: round trip, kept decisions, located problems."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from cli import main
from surveys import Instrument
from surveys.importing import MappingError, load_mapping, read_responses, suggest_mapping
from surveys.importing.mapping_workbook import SHEETS
from tests.data.byo.fixtures import Fixture, build_all
from tests.surveys.test_import_formats import assert_counts_reconcile


@pytest.fixture(scope="module")
def byo(tmp_path_factory: pytest.TempPathFactory, instrument: Instrument) -> dict[str, Fixture]:
    return {fx.name: fx for fx in build_all(tmp_path_factory.mktemp("byo-map"), instrument, n=12)}


def _rows(ws) -> tuple[dict[str, int], list[tuple]]:
    it = ws.iter_rows()
    head = [c.value for c in next(it)]
    cols = {str(h).split(" / ")[0]: j for j, h in enumerate(head) if h}
    return cols, [r for r in it]


def _suggested_workbook(fx: Fixture, tmp_path: Path, instrument: Instrument) -> tuple[Path, openpyxl.Workbook]:
    out = tmp_path / "zuordnung.xlsx"
    suggest_mapping(fx.path, instrument, out=out)
    return out, openpyxl.load_workbook(out)


def _set_target(wb: openpyxl.Workbook, header: str, target: str) -> None:
    """What the evaluator does in Excel: pick another target for one column."""
    cols, rows = _rows(wb["Spalten"])
    for r in rows:
        if r[cols["Überschrift"]].value == header:
            r[cols["Ziel"]].value = target


def test_workbook_has_the_sheets_dropdowns_and_examples(byo: dict[str, Fixture], tmp_path: Path,
                                                         instrument: Instrument) -> None:
    fx = byo["forms_csv"]
    _, wb = _suggested_workbook(fx, tmp_path, instrument)
    assert [n for n in wb.sheetnames if wb[n].sheet_state == "visible"] == list(SHEETS)
    cols, rows = _rows(wb["Spalten"])
    assert {"Überschrift", "Beispiele", "gefüllt", "Vorschlag", "Sicherheit", "Grund", "Ziel"} <= set(cols)
    header_cells = [r[cols["Überschrift"]].value for r in rows]
    assert set(fx.items) <= set(header_cells)
    first = next(r for r in rows if r[cols["Überschrift"]].value in fx.items)
    assert len(str(first[cols["Beispiele"]].value).split(" | ")) >= 3
    validations = wb["Spalten"].data_validations.dataValidation
    assert any(v.type == "list" for v in validations)  # the Ziel dropdown
    assert any(v.type == "list" for v in wb["Antworten"].data_validations.dataValidation)
    text = "\n".join(str(c.value) for c in wb["Hinweise"]["A"] if c.value)
    assert "So verwenden Sie" in text and "How to use" in text


def test_excel_round_trip_suggest_edit_with_openpyxl_import(byo: dict[str, Fixture], tmp_path: Path,
                                                              instrument: Instrument) -> None:
    fx = byo["forms_csv"]
    out, wb = _suggested_workbook(fx, tmp_path, instrument)
    # the evaluator: fixes the one missed item, sets the wave on the Vorgaben sheet, recodes one label
    missed = next(h for h, code in fx.items.items() if code == "PAR02")
    _set_target(wb, missed, "PAR02 – Ein klares Bekenntnis der Kommune …")
    vcols, vrows = _rows(wb["Vorgaben"])
    vrows[0][vcols["Welle"]].value = "2025"
    acols, arows = _rows(wb["Antworten"])
    for r in arows:
        if r[acols["Antwort"]].value == "keine Angabe":
            r[acols["Code"]].value = "dont_know – weiß nicht"
    wb.save(out)
    mapping = load_mapping(out, instrument)
    assert mapping.columns[missed] == "PAR02" and mapping.defaults == {"wave": "2025"}
    result = read_responses(fx.path, instrument, mapping=out)
    assert_counts_reconcile(result)
    assert result.manifest["totals"]["rows_accepted"] == fx.rows
    long = result.dataset.responses
    assert long.loc[long["item"] == "PAR02", "value"].notna().any()
    assert set(long["missing_reason"].dropna()) <= {"dont_know", "not_shown"}  # keine Angabe recoded
    assert not (result.rejections["severity"] == "error").any()


def test_suggest_again_keeps_the_users_decisions_and_adds_new_columns(byo: dict[str, Fixture], tmp_path: Path,
                                                                       instrument: Instrument) -> None:
    fx = byo["limesurvey_csv"]
    out, wb = _suggested_workbook(fx, tmp_path, instrument)
    kom01 = next(h for h, c in fx.items.items() if c == "KOM01")
    _set_target(wb, kom01, "ignore")
    acols, arows = _rows(wb["Antworten"])
    arows[0][acols["Code"]].value = 2
    label0 = arows[0][acols["Antwort"]].value
    wb.save(out)
    # again, now with a second file of another tool: decisions stay, its columns are added
    assert main(["import", str(fx.path), str(byo["msforms_english"].path), "--suggest-mapping", str(out)]) == 0
    again = load_mapping(out, instrument)
    assert again.columns[kom01] == "ignore"
    assert next(g for g in again.groups if label0 in g.values).values[label0] == 2
    assert set(byo["msforms_english"].items) <= set(again.columns)


def test_yaml_yes_no_on_off_are_words_and_ags_keeps_its_zeros(tmp_path: Path, instrument: Instrument) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("columns:\n  Frage: KOM01\nvalues:\n  Yes: 5\n  No: 1\n  On: 4\n  Off: 2\n"
                    "defaults:\n  ags: 01001000\n  role: Verwaltung\n", encoding="utf-8")
    m = load_mapping(path, instrument)
    assert m.values == {"Yes": 5, "No": 1, "On": 4, "Off": 2}
    assert m.defaults == {"ags": "01001000", "role": "verwaltung"}


@pytest.mark.parametrize(
    ("text", "where", "needle"),
    [
        ("columns:\n  A: KOMM01\n", "Zeile 2", "KOMM01"),
        ("columns:\n  A: KOM01\n  B: KOM01\n", "Zeile 3", "KOM01"),
        ("columns:\n  A: KOM01\nvalues:\n  Sehr vertraut: 7\n", "Zeile 4", "Sehr vertraut"),
        ("roles:\n  Berufstätig: arbeitnehmer\n", "Zeile 2", "arbeitnehmer"),
        ("defaults:\n  ags: 123\n", "Zeile 2", "123"),
        ("columns: [a, b\n", "Zeile", "kann nicht gelesen"),
        ("answers:\n  - columns: [A]\n    range: [1, 4]\n    values: {gut: 6}\n", "Zeile 4", "1–4"),
    ],
)
def test_bad_yaml_mapping_gives_located_messages_not_tracebacks(text: str, where: str, needle: str, tmp_path: Path,
                                                                 instrument: Instrument,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MappingError) as err:
        load_mapping(path, instrument)
    assert where in str(err.value) and needle in str(err.value)
    data = tmp_path / "x.csv"
    data.write_text("A,B\nstimme voll zu,2\n", encoding="utf-8")
    assert main(["import", str(data), "--mapping", str(path), "--out", str(tmp_path / "o")]) == 2
    printed = capsys.readouterr().err
    assert "Traceback" not in printed and where in printed and ("The mapping" in printed or "cannot be read" in printed)


def test_bad_workbook_mapping_names_sheet_row_and_target(byo: dict[str, Fixture], tmp_path: Path,
                                                         instrument: Instrument) -> None:
    fx = byo["msforms_english"]
    out, wb = _suggested_workbook(fx, tmp_path, instrument)
    _set_target(wb, "Fertigstellungszeit", "KOMM01")  # the third column of the export: Excel row 4
    rcols, rrows = _rows(wb["Rollen"])
    rrows[0][rcols["Rolle"]].value = "kaiser"
    acols, arows = _rows(wb["Antworten"])
    arows[1][acols["Code"]].value = 9
    wb.save(out)
    with pytest.raises(MappingError) as err:
        load_mapping(out, instrument)
    msg = str(err.value)
    assert "Blatt 'Spalten', Zeile 4" in msg and "KOMM01" in msg and "meinten Sie 'KOM01'" in msg and "did you mean 'KOM01'" in msg
    assert "Blatt 'Rollen', Zeile 2" in msg and "kaiser" in msg
    assert "Blatt 'Antworten', Zeile 3" in msg and "außerhalb der Skala 1–7" in msg
    assert len(err.value.problems) == 3
    broken = tmp_path / "kaputt.xlsx"
    broken.write_bytes(b"not a workbook")
    with pytest.raises(MappingError, match="kann nicht gelesen"):
        load_mapping(broken, instrument)


def test_role_labels_map_through_roles_and_item_values_role(tmp_path: Path, instrument: Instrument) -> None:
    data = tmp_path / "x.csv"
    data.write_text("Rolle,Die Kommune hat Ansprechpersonen benannt und klare Zuständigkeiten geschaffen.\n"
                    "Berufstätig,stimme voll zu\nRentnerin,stimme eher zu\n,teils/teils\n", encoding="utf-8")
    path = tmp_path / "m.yaml"
    path.write_text("roles:\n  Berufstätig: andere\nitem_values:\n  role: {Rentnerin: Engagierte Bürgerin / "
                    "engagierter Bürger}\ndefaults:\n  ags: '08111000'\n  wave: '2025'\n  role: verwaltung\n",
                    encoding="utf-8")
    result = read_responses(data, instrument, mapping=path)
    assert result.dataset.respondents["role"].tolist() == ["andere", "engagiert", "verwaltung"]
    assert "role_unknown" not in set(result.rejections["code"])


def _numeric_role_export(tmp_path: Path) -> Path:
    """A foreign tool's export whose role-like column holds its own numbers (SoSci DO02 = 1/2)."""
    data = tmp_path / "x.csv"
    data.write_text("DO02,Die Kommune hat Ansprechpersonen benannt und klare Zuständigkeiten geschaffen.\n"
                    "1,stimme voll zu\n2,stimme eher zu\n1,teils/teils\n", encoding="utf-8")
    return data


def test_numbers_in_a_mapped_role_column_are_findings_until_the_rollen_sheet_names_them(
        tmp_path: Path, instrument: Instrument) -> None:
    """A foreign tool's numbers (SoSci DO02 = 1/2) are not the instrument's role order."""
    data = _numeric_role_export(tmp_path)
    path = tmp_path / "m.yaml"
    path.write_text("columns:\n  DO02: role\ndefaults:\n  ags: '08111000'\n  wave: '2025'\n", encoding="utf-8")
    result = read_responses(data, instrument, mapping=path)
    assert result.dataset.respondents["role"].isna().all()
    unknown = result.rejections[result.rejections["code"] == "role_unknown"]
    assert sorted(unknown["value"]) == ["1", "1", "2"] and unknown["column"].eq("A").all()
    # named on the Rollen sheet (here: roles in YAML), the numbers become roles
    path.write_text("columns:\n  DO02: role\nroles:\n  '1': verein\n  '2': engagiert\n"
                    "defaults:\n  ags: '08111000'\n  wave: '2025'\n", encoding="utf-8")
    result = read_responses(data, instrument, mapping=path)
    assert result.dataset.respondents["role"].tolist() == ["verein", "engagiert", "verein"]


def test_a_column_made_the_role_column_by_the_user_fills_the_rollen_sheet_on_the_next_suggestion(
        tmp_path: Path, instrument: Instrument) -> None:
    data = _numeric_role_export(tmp_path)
    out = tmp_path / "zuordnung.xlsx"
    suggest_mapping(data, instrument, out=out)
    wb = openpyxl.load_workbook(out)
    _set_target(wb, "DO02", "role")
    wb.save(out)
    assert main(["import", str(data), "--suggest-mapping", str(out)]) == 0
    cols, rows = _rows(openpyxl.load_workbook(out)["Rollen"])
    assert sorted(str(r[cols["Antwort"]].value) for r in rows if r[cols["Antwort"]].value is not None) == ["1", "2"]
