"""Every validation rule has a fixture that triggers it, with the exact location in the report."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from surveys import Instrument
from surveys.formats import TEMPLATE_MUNICIPALITY_HEADERS
from surveys.importing import CODES, read_responses
from tests.surveys.test_import_formats import assert_counts_reconcile
from tests.surveys.test_import_writers import _write_xlsx, small_wide, write_csv, write_template


def table(inst: Instrument, rows: list[dict], extra_headers: tuple[str, ...] = ()) -> tuple[list[str], list[list]]:
    header = ["respondent_id", "ags", "role", "wave", *inst.item_codes, *extra_headers]
    full = [{"role": "verwaltung", "wave": "2025", **{c: 3 for c in inst.item_codes}, **r} for r in rows]
    return header, [[r.get(h) for h in header] for r in full]


def xlsx(tmp: Path, inst: Instrument, rows: list[dict], name: str = "t.xlsx", drop: tuple[str, ...] = (),
         extra_headers: tuple[str, ...] = ()) -> Path:
    header, data = table(inst, rows, extra_headers)
    keep = [i for i, h in enumerate(header) if h not in drop]
    return _write_xlsx(tmp / name, "Daten", [header[i] for i in keep], [[r[i] for i in keep] for r in data])


def findings(result, code: str) -> pd.DataFrame:
    rej = result.rejections
    return rej[rej["code"] == code].reset_index(drop=True)


def test_every_finding_code_has_german_and_english_messages() -> None:
    for code, spec in CODES.items():
        assert spec.de and spec.en and spec.severity in {"error", "warning", "info"}, code


def test_out_of_scale_value_rejects_the_cell_keeps_the_row(tmp_path: Path, instrument: Instrument) -> None:
    path = xlsx(tmp_path, instrument, [{"respondent_id": "a", "ags": "08111000", "KOM02": 7},
                                       {"respondent_id": "b", "ags": "08111000", "KOM02": 4.5}])
    result = read_responses(path, instrument)
    f = findings(result, "value_out_of_scale")
    assert f[["row", "column", "header", "value", "severity", "action"]].values.tolist() == [
        [2, "F", "KOM02", "7", "error", "cell_rejected"], [3, "F", "KOM02", "4.5", "error", "cell_rejected"]]
    assert "außerhalb" in f["message_de"][0] and "outside" in f["message_en"][0]
    resp = result.dataset.responses.set_index(["respondent_id", "item"])
    assert resp.loc[("a", "KOM02"), "missing_reason"] == "invalid" and pd.isna(resp.loc[("a", "KOM02"), "value"])
    assert len(result.dataset.respondents) == 2
    assert_counts_reconcile(result)


def test_unknown_answer_label_rejects_the_cell(tmp_path: Path, instrument: Instrument) -> None:
    path = xlsx(tmp_path, instrument, [{"respondent_id": "a", "ags": "08111000", "KOM01": "vielleicht"}])
    f = findings(read_responses(path, instrument), "value_unknown_label")
    assert f[["row", "column", "value"]].values.tolist() == [[2, "E", "vielleicht"]]


def test_answer_labels_match_case_whitespace_and_unicode_insensitively(tmp_path: Path, instrument: Instrument) -> None:
    import unicodedata

    rows = [{"respondent_id": "a", "ags": "08111000", "role": unicodedata.normalize("NFD", "Bürgermeister/in"),
             "KOM01": "  STIMME   voll ZU ", "KOM02": "Strongly agree", "KOM03": "4.0", "KOM04": "weiss nicht",
             "KOM05": "KEINE ANGABE", "KOM06": "N/A", "KOM07": -9, "ZIV01": "stimme eher nicht zu",
             "ZIV02": "Don’t know", "ZIV03": "4,0", "ZIV04": -1}]
    result = read_responses(xlsx(tmp_path, instrument, rows), instrument)
    r = result.dataset.responses.set_index("item")
    assert r.loc["KOM01", "value"] == 5 and r.loc["KOM02", "value"] == 5 and r.loc["KOM03", "value"] == 4
    assert r.loc["KOM04", "missing_reason"] == "dont_know"
    assert r.loc["KOM05", "missing_reason"] == "no_answer" and r.loc["KOM06", "missing_reason"] == "no_answer"
    assert r.loc["KOM07", "missing_reason"] == "no_answer" and r.loc["ZIV01", "value"] == 2
    assert r.loc["ZIV02", "missing_reason"] == "dont_know" and r.loc["ZIV03", "value"] == 4
    assert r.loc["ZIV04", "missing_reason"] == "dont_know"
    assert result.dataset.respondents["role"].tolist() == ["buergermeister"]
    assert result.n_errors == 0


def test_unknown_column_gets_did_you_mean_and_missing_item_column_is_reported(tmp_path: Path, instrument: Instrument) -> None:
    header, data = table(instrument, [{"respondent_id": "a", "ags": "08111000"}])
    header = [("KOM1" if h == "KOM01" else h) for h in header]
    path = _write_xlsx(tmp_path / "u.xlsx", "Daten", header, data)
    result = read_responses(path, instrument)
    unk = findings(result, "unknown_column")
    assert unk[["row", "column", "header", "severity"]].values.tolist() == [[1, "E", "KOM1", "warning"]]
    assert "KOM01" in unk["message_de"][0]
    miss = findings(result, "missing_item_column")
    assert miss["value"].tolist() == ["KOM01"]
    assert result.dataset.responses.set_index("item").loc["KOM01", "missing_reason"] == "not_shown"


def test_row_without_any_answer_is_rejected(tmp_path: Path, instrument: Instrument) -> None:
    rows = [{"respondent_id": "a", "ags": "08111000"},
            {"respondent_id": "b", "ags": "08111000", **{c: None for c in instrument.item_codes}}]
    result = read_responses(xlsx(tmp_path, instrument, rows), instrument)
    f = findings(result, "no_answers")
    assert f["row"].tolist() == [3] and f["action"].tolist() == ["row_rejected"]
    assert result.dataset.respondents["respondent_id"].tolist() == ["a"]
    assert_counts_reconcile(result)


def test_blank_rows_are_neither_data_nor_rejections(tmp_path: Path, instrument: Instrument) -> None:
    header, data = table(instrument, [{"respondent_id": "a", "ags": "08111000"}, {"respondent_id": "b", "ags": "08111000"}])
    path = _write_xlsx(tmp_path / "b.xlsx", "Daten", header, [data[0], [None] * len(header), data[1]])
    result = read_responses(path, instrument)
    assert result.dataset.respondents["source_row"].tolist() == [2, 4]
    assert result.manifest["inputs"][0]["rows_blank"] == 1
    assert_counts_reconcile(result)


@pytest.mark.parametrize(("ags", "code"), [(None, "ags_missing"), ("1234", "ags_invalid"), ("99111000", "ags_invalid"),
                                           ("08 111 00X", "ags_invalid")])
def test_missing_or_invalid_ags_rejects_the_row(ags: str | None, code: str, tmp_path: Path, instrument: Instrument) -> None:
    rows = [{"respondent_id": "a", "ags": ags}, {"respondent_id": "b", "ags": "08111000"}]
    result = read_responses(xlsx(tmp_path, instrument, rows), instrument)
    f = findings(result, code)
    assert f[["row", "column", "header"]].values.tolist() == [[2, "B", "ags"]]
    assert result.dataset.respondents["respondent_id"].tolist() == ["b"]
    assert_counts_reconcile(result)


def test_ags_numbers_are_padded_to_eight_digits(tmp_path: Path, instrument: Instrument) -> None:
    rows = [{"respondent_id": "a", "ags": 8111000}, {"respondent_id": "b", "ags": "8111000"}, {"respondent_id": "c", "ags": 9162000.0}]
    result = read_responses(xlsx(tmp_path, instrument, rows), instrument)
    assert result.dataset.respondents["ags"].tolist() == ["08111000", "08111000", "09162000"]
    assert result.dataset.municipalities.set_index("ags").loc["09162000", "state"] == "Bayern"


def test_unknown_ags_is_rejected_when_a_municipalities_table_is_given(tmp_path: Path, instrument: Instrument) -> None:
    rows = [{"respondent_id": "a", "ags": "08111000"}, {"respondent_id": "b", "ags": "08212000"}]
    munis = tmp_path / "kommunen.csv"
    munis.write_text("AGS;Name der Kommune;Einwohnerzahl\n8111000;Stuttgart;632.865\n", encoding="utf-8")
    result = read_responses(xlsx(tmp_path, instrument, rows), instrument, municipalities=munis)
    f = findings(result, "ags_unknown")
    assert f[["row", "value"]].values.tolist() == [[3, "08212000"]]
    m = result.dataset.municipalities.set_index("ags")
    assert m.loc["08111000", "population"] == 632865 and m.loc["08111000", "size_class"] == "100.000 und mehr"
    assert_counts_reconcile(result)


def test_missing_wave_is_an_error_unless_a_default_wave_is_given(tmp_path: Path, instrument: Instrument) -> None:
    rows = [{"respondent_id": "a", "ags": "08111000", "wave": None}]
    path = xlsx(tmp_path, instrument, rows)
    result = read_responses(path, instrument)
    assert findings(result, "wave_missing")[["row", "column"]].values.tolist() == [[2, "D"]]
    assert len(result.dataset.respondents) == 0
    filled = read_responses(path, instrument, wave="2025")
    assert filled.dataset.respondents["wave"].tolist() == ["2025"] and filled.n_errors == 0


def test_duplicate_respondent_id_within_a_file_rejects_the_repetition(tmp_path: Path, instrument: Instrument) -> None:
    rows = [{"respondent_id": "7", "ags": "08111000"}, {"respondent_id": "8", "ags": "08111000"},
            {"respondent_id": "7", "ags": "08111000"}]
    result = read_responses(xlsx(tmp_path, instrument, rows), instrument)
    f = findings(result, "duplicate_id")
    assert f[["row", "column", "value"]].values.tolist() == [[4, "A", "7"]]
    assert "Zeile 2" in f["message_de"][0]
    assert result.dataset.respondents["respondent_id"].tolist() == ["7", "8"]
    assert_counts_reconcile(result)


def test_duplicate_respondent_id_across_files_is_kept_and_made_unique(tmp_path: Path, instrument: Instrument) -> None:
    xlsx(tmp_path, instrument, [{"respondent_id": "1", "ags": "08111000"}], name="a.xlsx")
    xlsx(tmp_path, instrument, [{"respondent_id": "1", "ags": "08212000", "KOM01": 5}], name="b.xlsx")
    result = read_responses(tmp_path, instrument)
    f = findings(result, "duplicate_id_across_files")
    assert f["file"].str.endswith("b.xlsx").tolist() == [True] and f["severity"].tolist() == ["warning"]
    assert sorted(result.dataset.respondents["respondent_id"]) == ["1", "1~2"]
    assert result.dataset.responses["respondent_id"].nunique() == 2


def test_file_imported_twice_is_skipped_by_sha256(tmp_path: Path, instrument: Instrument) -> None:
    a = xlsx(tmp_path, instrument, [{"respondent_id": "1", "ags": "08111000"}, {"respondent_id": "2", "ags": "08111000"}])
    shutil.copy(a, tmp_path / "u.xlsx")
    result = read_responses(tmp_path, instrument)
    f = findings(result, "file_duplicate")
    assert f["row"].tolist() == [2, 3] and f["file"].str.endswith("u.xlsx").all()
    inputs = {Path(i["path"]).name: i for i in result.manifest["inputs"]}
    assert inputs["u.xlsx"]["status"] == "duplicate" and inputs["u.xlsx"]["rows_rejected"] == 2
    assert inputs["u.xlsx"]["sha256"] == inputs["t.xlsx"]["sha256"]
    assert len(result.dataset.respondents) == 2
    assert_counts_reconcile(result)


def test_strict_rejects_the_whole_file_on_any_error(tmp_path: Path, instrument: Instrument) -> None:
    rows = [{"respondent_id": "a", "ags": "08111000", "KOM01": 9}, {"respondent_id": "b", "ags": "08111000"}]
    path = xlsx(tmp_path, instrument, rows)
    lenient = read_responses(path, instrument)
    assert len(lenient.dataset.respondents) == 2
    strict = read_responses(path, instrument, strict=True)
    assert len(strict.dataset.respondents) == 0
    assert findings(strict, "file_strict")["row"].tolist() == [2, 3]
    assert strict.manifest["inputs"][0]["status"] == "rejected_strict"
    assert_counts_reconcile(strict)


def test_contradictory_municipality_facts_across_files_are_reported(tmp_path: Path, instrument: Instrument) -> None:
    wide = small_wide(instrument, n=4)
    wide["ags"] = "08111000"
    muni = pd.DataFrame({"ags": ["08111000"], "name": ["Stuttgart"], "population": [632865], "council_resolution": [True]})
    write_template(instrument, wide.iloc[:2], tmp_path / "a.xlsx", municipalities=muni)
    write_template(instrument, wide.iloc[2:], tmp_path / "b.xlsx",
                   municipalities=muni.assign(population=[600000], council_resolution=[False]))
    result = read_responses(tmp_path, instrument)
    f = findings(result, "municipality_conflict")
    assert sorted(f["header"]) == sorted([TEMPLATE_MUNICIPALITY_HEADERS["population"],
                                          TEMPLATE_MUNICIPALITY_HEADERS["council_resolution"]])
    assert f["file"].str.endswith("b.xlsx").all() and (f["sheet"] == "Kommunen").all() and (f["row"] == 2).all()
    m = result.dataset.municipalities.set_index("ags")
    assert m.loc["08111000", "population"] == 632865 and bool(m.loc["08111000", "council_resolution"]) is True


def test_unknown_role_and_unreadable_date_are_warnings(tmp_path: Path, instrument: Instrument) -> None:
    rows = [{"respondent_id": "a", "ags": "08111000", "role": "Hausmeister", "Datum": "gestern"}]
    result = read_responses(xlsx(tmp_path, instrument, rows, extra_headers=("Datum",)), instrument)
    assert findings(result, "role_unknown")["value"].tolist() == ["Hausmeister"]
    assert findings(result, "date_invalid")["value"].tolist() == ["gestern"]
    assert len(result.dataset.respondents) == 1 and result.n_errors == 0


def test_dates_from_serials_1900_and_1904_german_text_and_iso(tmp_path: Path, instrument: Instrument) -> None:
    import xlsxwriter

    from surveys.importing.normalize import parse_dates

    got, bad = parse_dates(pd.Series(["45717.5", "01.03.2025 12:00", "2025-03-01T12:00:00.000+07:00",
                                      "2025-03-01", "1.3.2025", None, "x"]))
    assert got.iloc[0] == pd.Timestamp("2025-03-01 12:00") and got.iloc[1] == pd.Timestamp("2025-03-01 12:00")
    assert got.iloc[2] == pd.Timestamp("2025-03-01 12:00") and got.iloc[3] == pd.Timestamp("2025-03-01")
    assert got.iloc[4] == pd.Timestamp("2025-03-01") and pd.isna(got.iloc[5]) and bad.tolist()[-2:] == [False, True]
    got1904, _ = parse_dates(pd.Series(["44255.5"]), date1904=True)
    assert got1904.iloc[0] == pd.Timestamp("2025-03-01 12:00")
    # a 1904 workbook whose date column holds plain serial numbers
    header, data = table(instrument, [{"respondent_id": "a", "ags": "08111000", "Datum": 44255.5}], ("Datum",))
    path = tmp_path / "mac.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"date_1904": True})
    ws = wb.add_worksheet("Daten")
    ws.write_row(0, 0, header)
    ws.write_row(1, 0, data[0])
    wb.close()
    result = read_responses(path, instrument)
    assert result.dataset.respondents["submitted_at"].tolist() == [pd.Timestamp("2025-03-01 12:00")]


def test_respondent_id_is_derived_pseudonymously_and_stably_when_absent(tmp_path: Path, instrument: Instrument) -> None:
    path = xlsx(tmp_path, instrument, [{"ags": "08111000"}, {"ags": "08111000"}], drop=("respondent_id",))
    a = read_responses(path, instrument).dataset.respondents["respondent_id"].tolist()
    b = read_responses(path, instrument).dataset.respondents["respondent_id"].tolist()
    assert a == b and len(set(a)) == 2 and all(x.startswith("p") and len(x) == 17 for x in a)


def test_free_text_is_dropped_unless_asked_for(tmp_path: Path, instrument: Instrument) -> None:
    wide = small_wide(instrument, n=3)
    wide["comment"] = ["Frau Müller sagt …", None, "=HYPERLINK(\"x\")"]
    path = write_template(instrument, wide, tmp_path / "c.xlsx")
    assert "comment" not in read_responses(path, instrument).dataset.respondents
    kept = read_responses(path, instrument, keep_free_text=True).dataset.respondents
    assert kept["comment"].tolist()[0] == "Frau Müller sagt …"


def test_unreadable_and_non_spreadsheet_files_are_reported_not_raised(tmp_path: Path, instrument: Instrument) -> None:
    good = xlsx(tmp_path, instrument, [{"respondent_id": "a", "ags": "08111000"}])
    (tmp_path / "kaputt.xlsx").write_bytes(good.read_bytes()[:300])
    (tmp_path / "bild.xlsx").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    result = read_responses(tmp_path, instrument)
    f = findings(result, "file_unreadable")
    assert sorted(Path(p).name for p in f["file"]) == ["bild.xlsx", "kaputt.xlsx"]
    assert all(m for m in f["message_de"])
    assert len(result.dataset.respondents) == 1
    assert_counts_reconcile(result)


def test_no_input_files_is_a_clear_error(tmp_path: Path, instrument: Instrument) -> None:
    from core.errors import BausteinError

    with pytest.raises(BausteinError, match="Keine Eingabedateien"):
        read_responses(tmp_path, instrument)
    with pytest.raises(BausteinError, match="nicht gefunden"):
        read_responses(tmp_path / "fehlt.xlsx", instrument)


def test_header_below_title_rows_and_offset_columns_give_true_excel_coordinates(tmp_path: Path, instrument: Instrument) -> None:
    import xlsxwriter

    header, data = table(instrument, [{"respondent_id": "a", "ags": "08111000", "KOM01": 8}])
    path = tmp_path / "offset.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Daten")
    ws.write(0, 1, "Befragung 2025 – Gemeinde X")
    ws.write_row(3, 1, header)
    ws.write_row(4, 1, data[0])
    wb.close()
    f = findings(read_responses(path, instrument), "value_out_of_scale")
    assert f[["row", "column"]].values.tolist() == [[5, "F"]]


def test_csv_without_item_columns_is_reported_and_every_row_is_accounted_for(tmp_path: Path, instrument: Instrument) -> None:
    p = tmp_path / "fremd.csv"
    p.write_text("Name,Alter\nAnna,34\nBen,40\n", encoding="utf-8")
    result = read_responses(p, instrument)
    f = findings(result, "no_item_columns")
    assert f[["row", "action"]].values.tolist() == [[1, "file_rejected"]] and "2" in f["message_en"][0]
    assert result.manifest["inputs"][0]["rows_rejected"] == 2
    assert_counts_reconcile(result)


def test_plain_csv_fixture_counts_reconcile(tmp_path: Path, instrument: Instrument) -> None:
    wide = small_wide(instrument, n=10, seed=4)
    wide.loc[3, instrument.item_codes] = float("nan")
    result = read_responses(write_csv(instrument, wide, tmp_path / "x.csv"), instrument)
    assert result.manifest["inputs"][0]["rows_rejected"] == 1
    assert_counts_reconcile(result)


def test_a_wave_label_of_one_municipality_is_located_at_its_first_row() -> None:
    from surveys.importing.findings import FindingCollector
    from surveys.importing.wave_labels import check_wave_labels

    resp = pd.DataFrame({
        "wave": ["2025"] * 6 + ["2052", "2052"],
        "ags": ["08111000"] * 3 + ["08111001"] * 3 + ["08111002"] * 2,
        "source_file": ["a.xlsx"] * 3 + ["b.xlsx"] * 3 + ["c.xlsx"] * 2,
        "source_sheet": ["Antworten"] * 8,
        "source_row": [2, 3, 4, 2, 3, 4, 7, 5],
    })
    fc = FindingCollector()
    check_wave_labels(resp, fc)
    raw = fc.raw()
    assert raw[["file", "code", "value", "row"]].values.tolist() == [["c.xlsx", "wave_label_rare", "2052", 5]]
