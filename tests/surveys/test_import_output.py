"""Writing: atomic, byte-identical Parquet, safe rejection report, exports with value labels, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from cli import main
from surveys import Instrument
from surveys.dataset import Dataset
from surveys.importing import export_dataset, read_responses, write_import
from tests.surveys.test_import_writers import small_wide, write_csv, write_template


@pytest.fixture
def inputs(tmp_path: Path, instrument: Instrument) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    wide = small_wide(instrument, n=9, seed=7)
    wide.loc[2, "KOM01"] = 9.0  # out of scale -> one finding
    wide.loc[4, "respondent_id"] = '=HYPERLINK("http://x","klick")'
    write_template(instrument, wide.iloc[:5], folder / "a.xlsx",
                   municipalities=pd.DataFrame({"ags": ["08111000"], "name": ["=cmd|' /C calc'!A0"]}))
    write_csv(instrument, wide.iloc[5:], folder / "b.csv")
    return folder


def test_reimport_gives_byte_identical_parquet(inputs: Path, tmp_path: Path, instrument: Instrument) -> None:
    a = write_import(read_responses(inputs, instrument), tmp_path / "d1")
    b = write_import(read_responses(inputs, instrument, jobs=2), tmp_path / "d2")
    for name in ("respondents", "responses", "municipalities", "instrument"):
        assert (a / f"{name}.parquet").read_bytes() == (b / f"{name}.parquet").read_bytes(), name
    assert (a / "rejections.csv").read_bytes() == (b / "rejections.csv").read_bytes()


def test_pseudonyms_in_the_long_table_are_the_same_whether_it_was_built_before_or_not(
    inputs: Path, instrument: Instrument
) -> None:
    # the importer leaves the long respondent_id column unbuilt until it is used, so that
    # pseudonymising builds it once; building it first (any access) must change nothing
    from surveys.importing.pipeline import pseudonymize_result

    key = bytes(range(32))
    lazy = pseudonymize_result(read_responses(inputs, instrument), key).dataset
    built = read_responses(inputs, instrument)
    assert built.dataset.responses["respondent_id"].notna().all()  # built here, with the delivered IDs
    eager = pseudonymize_result(built, key).dataset
    for name in ("respondents", "responses"):
        pd.testing.assert_frame_equal(getattr(lazy, name), getattr(eager, name))
    k = len(instrument.items)
    assert lazy.responses["respondent_id"].tolist() == [r for r in lazy.respondents["respondent_id"] for _ in range(k)]
    assert lazy.responses["respondent_id"].str.fullmatch(r"R-[0-9a-f]{16}").all()


def test_responses_assigned_to_an_imported_dataset_replace_the_pending_ids(inputs: Path, instrument: Instrument) -> None:
    ds = read_responses(inputs, instrument).dataset
    frame = pd.DataFrame({"respondent_id": ["x"], "item": ["KOM01"]})
    ds.responses = frame
    assert ds.responses is frame


def test_written_dataset_loads_and_manifest_reconciles(inputs: Path, tmp_path: Path, instrument: Instrument) -> None:
    out = write_import(read_responses(inputs, instrument), tmp_path / "ds")
    ds = Dataset.load(out)
    man = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert man["instrument"] == {"name": "sensibilisierung", "version": instrument.version}
    assert man["tool"]["name"] == "baustein-eval" and "finished_at" in man["run"]
    for f in man["inputs"]:
        assert len(f["sha256"]) == 64 and f["rows_in"] == f["rows_accepted"] + f["rows_rejected"]
    assert man["totals"]["rows_accepted"] == len(ds.respondents) == 9
    assert len(ds.responses) == 9 * len(instrument.items)
    assert ds.respondents["ags"].str.len().eq(8).all()


def test_rejection_report_neutralises_formula_text(inputs: Path, tmp_path: Path, instrument: Instrument) -> None:
    import openpyxl

    out = write_import(read_responses(inputs, instrument), tmp_path / "ds")
    csv_text = (out / "rejections.csv").read_text(encoding="utf-8-sig")
    assert "value_out_of_scale" in csv_text
    wb = openpyxl.load_workbook(out / "rejections.xlsx")
    ws = wb.active
    values = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not any(v.startswith("=") for v in values)
    # people read the workbook (German headers, issue 14); programs read the CSV (column names)
    assert [c.value for c in ws[1]][:4] == ["Schwere", "Datei", "Blatt", "Zeile (Excel)"]
    assert csv_text.splitlines()[0].startswith("severity;file;sheet;row")


def test_failed_write_leaves_the_previous_dataset_untouched(inputs: Path, tmp_path: Path, instrument: Instrument,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    out = write_import(read_responses(inputs, instrument), tmp_path / "ds")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    import surveys.dataset as dsmod

    real = dsmod._write_table

    def failing(table: pa.Table, path: Path) -> None:  # Parquet files are written in threads
        if path.name == "respondents.parquet":
            raise OSError("Datenträger voll / disk full (simulated)")
        real(table, path)

    monkeypatch.setattr(dsmod, "_write_table", failing)
    with pytest.raises(OSError):
        write_import(read_responses(inputs, instrument, wave="2030"), out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert not list(tmp_path.glob(".ds.tmp-*"))


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "sav", "dta"])
def test_export_writes_value_labels(fmt: str, inputs: Path, tmp_path: Path, instrument: Instrument) -> None:
    out = write_import(read_responses(inputs, instrument), tmp_path / "ds")
    path = export_dataset(out, fmt, tmp_path / f"export.{fmt}")
    assert path.exists()
    if fmt == "sav":
        import pyreadstat

        df, meta = pyreadstat.read_sav(str(path), user_missing=True)
        assert meta.variable_value_labels["KOM01"][5.0] == "stimme voll zu"
        assert {r["lo"] for r in meta.missing_ranges["KOM01"]} == {-9.0, -1.0}
        assert len(df) == 9 and df["ags"].str.len().eq(8).all()
    elif fmt == "dta":
        import pyreadstat

        df, meta = pyreadstat.read_dta(str(path))
        assert meta.variable_value_labels["KOM01"][1] == "stimme gar nicht zu"
        assert len(df) == 9
    elif fmt == "csv":
        text = path.read_text(encoding="utf-8-sig")
        assert not any(line.split(";")[0].startswith("=") for line in text.splitlines())
        assert "stimme voll zu" in path.with_name("export_labels.csv").read_text(encoding="utf-8-sig")
    else:
        sheets = pd.read_excel(path, sheet_name=None, dtype=str, engine="calamine")
        assert set(sheets) == {"Daten", "Variablen", "Wertelabels"}
        assert sheets["Daten"]["ags"].str.len().eq(8).all()


def test_cli_import_validate_export_and_suggest_mapping(inputs: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "cli-ds"
    assert main(["import", str(inputs), "--out", str(out), "--no-progress"]) == 1  # imported, one cell rejected
    assert (out / "responses.parquet").exists() and (out / "rejections.xlsx").exists()
    assert "übernommen" in capsys.readouterr().out
    report = tmp_path / "report"
    assert main(["validate", str(inputs), "--report", str(report), "--no-progress"]) == 1  # KOM01 = 9
    assert (report / "rejections.csv").exists() and not (report / "responses.parquet").exists()
    assert main(["export", str(out), "--format", "sav", "--out", str(tmp_path / "x.sav")]) == 0
    draft = tmp_path / "draft.yaml"
    assert main(["import", str(inputs), "--suggest-mapping", str(draft)]) == 0
    assert "columns:" in draft.read_text(encoding="utf-8")


def test_cli_reports_bad_input_without_traceback(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["import", str(tmp_path / "fehlt"), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "nicht gefunden" in err and "Traceback" not in err
    bad = tmp_path / "m.yaml"
    bad.write_text("columns: {A: NOITEM}\n", encoding="utf-8")
    (tmp_path / "x.csv").write_text("A\n1\n", encoding="utf-8")
    assert main(["import", str(tmp_path / "x.csv"), "--mapping", str(bad), "--out", str(tmp_path / "o")]) == 2
    assert "NOITEM" in capsys.readouterr().err
