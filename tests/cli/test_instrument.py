"""``baustein instrument`` sub-commands, run through :func:`cli.main`."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import openpyxl
import pytest

from cli import main
from surveys import Instrument
from surveys.formats import TEMPLATE_RESPONSES_SHEET, template_header
from surveys.xlsform import XLSFORM_PROBLEMS, read_xlsform, write_xlsform


def test_export_xlsform_writes_a_form_that_reads_back_as_the_instrument(
    instrument: Instrument, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "form.xlsx"
    assert main(["instrument", "export", "--format", "xlsform", "--out", str(out)]) == 0
    assert read_xlsform(out) == instrument
    assert "XLSForm geschrieben" in capsys.readouterr().out


def test_export_template_in_english_uses_english_item_headers(instrument: Instrument, tmp_path: Path) -> None:
    out = tmp_path / "template.xlsx"
    assert main(["instrument", "export", "--format", "template", "--out", str(out), "--lang", "en"]) == 0
    headers = [c.value for c in openpyxl.load_workbook(out)[TEMPLATE_RESPONSES_SHEET][1]]
    assert template_header(instrument.items[0], "en") in headers


@pytest.mark.parametrize("suffix", [".md", ".xlsx"])
def test_export_codebook_picks_the_format_from_the_suffix(
    instrument: Instrument, tmp_path: Path, suffix: str
) -> None:
    out = tmp_path / f"codebook{suffix}"
    assert main(["instrument", "export", "--format", "codebook", "--out", str(out)]) == 0
    if suffix == ".md":
        assert out.read_text(encoding="utf-8").startswith("# Codebuch")
    else:
        assert openpyxl.load_workbook(out).sheetnames[0] == "Items"


def test_export_reads_the_instrument_from_an_edited_xlsform_file(instrument: Instrument, tmp_path: Path) -> None:
    data = instrument.to_dict()
    data["name"] = "bearbeitet"
    form = write_xlsform(Instrument.from_dict(data), tmp_path / "bearbeitet.xlsx")
    out = tmp_path / "codebook.md"
    assert main(["instrument", "export", "--format", "codebook", "--out", str(out), "--instrument", str(form)]) == 0
    assert "`bearbeitet`" in out.read_text(encoding="utf-8")


def test_export_with_a_wrong_suffix_or_instrument_exits_2_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["instrument", "export", "--format", "xlsform", "--out", str(tmp_path / "form.csv")]) == 2
    assert "bitte eine .xlsx-Datei" in capsys.readouterr().err
    assert main(["instrument", "export", "--format", "xlsform", "--out", str(tmp_path / "f.xlsx"),
                 "--instrument", "gibt-es-nicht"]) == 2
    assert "Unbekanntes Instrument" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_check_of_a_clean_form_exits_0(instrument: Instrument, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    form = write_xlsform(instrument, tmp_path / "form.xlsx")
    assert main(["instrument", "check", str(form)]) == 0
    assert "keine Probleme gefunden" in capsys.readouterr().out


def test_check_of_a_broken_form_prints_sheet_and_row_and_exits_1(
    instrument: Instrument, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    form = write_xlsform(instrument, tmp_path / "form.xlsx")
    wb = openpyxl.load_workbook(form)
    ws = wb["survey"]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 2).value == "KOM02")
    ws.cell(row, 2).value = "KOM01"  # duplicate item code
    wb.save(form)
    assert main(["instrument", "check", str(form)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"Fehler: Datei 'form.xlsx', Blatt 'survey', Zeile {row}, Spalte B ('name'): "
                               "Name 'KOM01' kommt doppelt vor (zuerst Zeile ")
    assert lines[1].startswith(f"  Error: file 'form.xlsx', sheet 'survey', row {row}, column B ('name'): "
                               "Duplicate name 'KOM01' (first in row ")
    assert lines[0].endswith(XLSFORM_PROBLEMS["name_duplicate"].hint_de)
    assert lines[1].endswith(XLSFORM_PROBLEMS["name_duplicate"].hint_en)
    assert lines[2].endswith("1 Fehler, 0 Warnung(en) / 1 error(s), 0 warning(s).")
    assert len(lines) == 3


def test_check_of_a_form_with_warnings_only_prints_them_and_exits_0(
    instrument: Instrument, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    form = write_xlsform(instrument, tmp_path / "form.xlsx")
    wb = openpyxl.load_workbook(form)
    del wb["settings"]
    wb.save(form)
    assert main(["instrument", "check", str(form), "--no-pyxform"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == ("Warnung: Datei 'form.xlsx', Blatt 'settings': Das Blatt 'settings' fehlt (Formular-ID und "
                        f"Version werden geraten). {XLSFORM_PROBLEMS['settings_sheet_missing'].hint_de}")
    assert lines[1].startswith("  Warning: file 'form.xlsx', sheet 'settings': Sheet 'settings' is missing")
    assert lines[2].endswith("0 Fehler, 1 Warnung(en) / 0 error(s), 1 warning(s).")


def test_check_of_a_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["instrument", "check", str(tmp_path / "nope.xlsx")]) == 2
    err = capsys.readouterr().err
    assert "Datei 'nope.xlsx': XLSForm-Datei nicht gefunden" in err and "XLSForm file not found" in err


def test_from_baustein_writes_the_draft_of_the_reader_as_xlsform(
    instrument: Instrument, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = tmp_path / "baustein.txt"
    doc.write_text("Für die Kommune\n• Etwas tun\n", encoding="utf-8")
    seen: list[Path] = []

    def fake_draft(path: str | Path) -> Instrument:
        seen.append(Path(path))
        return instrument

    fake = types.ModuleType("surveys.baustein_reader")
    fake.draft_from_document = fake_draft  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "surveys.baustein_reader", fake)
    out = tmp_path / "draft.xlsx"
    assert main(["instrument", "from-baustein", str(doc), "--out", str(out)]) == 0
    assert seen == [doc]
    assert read_xlsform(out) == instrument


def test_instrument_without_subcommand_prints_help_and_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["instrument"]) == 1
    assert "export" in capsys.readouterr().out
