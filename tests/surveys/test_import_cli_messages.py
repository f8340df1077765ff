"""Command line of the import: documented exit codes, German and English messages, datasets and
our own outputs never read as input; answers nobody mapped yet are never a "label row"."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli import main
from surveys import Instrument
from surveys.importing import read_responses

ITEM = "Die Kommune hat Ansprechpersonen benannt und klare Zuständigkeiten geschaffen."


def _csv(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join([f"AGS,Welle,{ITEM},Die Kommune ermöglicht Beteiligungsprozesse und begleitet sie.",
                               *rows]) + "\n", encoding="utf-8")
    return path


def test_exit_codes_clean_rejected_nothing_and_user_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clean = _csv(tmp_path / "clean.csv", ["08111000,2025,stimme voll zu,4"])
    assert main(["import", str(clean), "--out", str(tmp_path / "a"), "--no-progress"]) == 0
    cells = _csv(tmp_path / "cells.csv", ["08111000,2025,stimme voll zu,9"])
    assert main(["import", str(cells), "--out", str(tmp_path / "b"), "--no-progress"]) == 1
    nothing = _csv(tmp_path / "nothing.csv", [",2025,stimme voll zu,4"])
    assert main(["import", str(nothing), "--out", str(tmp_path / "c"), "--no-progress"]) == 2
    assert not (tmp_path / "c").exists()
    out = capsys.readouterr()
    assert "Keine Zeile übernommen" in out.err and "No row imported" in out.err
    assert main(["validate", str(cells), "--report", str(tmp_path / "r"), "--no-progress"]) == 1
    assert main(["validate", str(clean), "--report", str(tmp_path / "r2"), "--no-progress"]) == 0


def test_console_findings_are_german_and_english(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cells = _csv(tmp_path / "cells.csv", ["08111000,2025,stimme eher zuu,4"])
    assert main(["import", str(cells), "--out", str(tmp_path / "b"), "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert "Meinten Sie 'stimme eher zu'?" in err and "Did you mean 'stimme eher zu'?" in err


def test_usage_errors_are_german_and_english(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["import"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "Diese Angaben fehlen" in err and "the following arguments are required" in err
    with pytest.raises(SystemExit) as exc:
        main(["import", "x.csv", "--format", "spss"])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and "ungültige Auswahl" in err and "invalid choice" in err


def test_validate_on_a_dataset_folder_checks_the_dataset_and_never_reads_its_outputs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inbox = tmp_path / "eingang"
    inbox.mkdir()
    cells = _csv(inbox / "cells.csv", ["08111000,2025,stimme voll zu,9", "08111000,2025,teils/teils,3"])
    ds = inbox / "datensatz"  # a dataset written inside the input folder
    assert main(["import", str(cells), "--out", str(ds), "--no-progress"]) == 1
    capsys.readouterr()
    assert main(["validate", str(ds), "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "ist ein Datensatz von baustein-eval (2 Befragte" in out and "is a baustein-eval dataset" in out
    # the folder with the dataset (and its rejections.csv/.xlsx) inside is read without them
    result = read_responses([inbox], "sensibilisierung")
    assert [f["path"] for f in result.manifest["inputs"]] == [cells.as_posix()]
    assert main(["import", str(ds), "--out", str(tmp_path / "x"), "--no-progress"]) == 2
    assert "keine Eingabe" in capsys.readouterr().err


def test_a_respondent_whose_answers_are_not_mapped_yet_is_no_label_row(tmp_path: Path, instrument: Instrument) -> None:
    """Google Forms: the first respondent's answers are unknown labels, not a second header row."""
    path = _csv(tmp_path / "forms.csv", ["08111000,2025,Trifft eher zu (eigene Beschriftung),Trifft voll zu",
                                         "08111000,2025,stimme voll zu,4"])
    result = read_responses(path, instrument)
    assert result.manifest["inputs"][0]["rows_in"] == 2
    assert result.manifest["inputs"][0]["rows_label_skipped"] == 0
    assert "label_row_skipped" not in set(result.rejections["code"])


def test_rows_without_a_valid_answer_are_kept_with_a_note(tmp_path: Path, instrument: Instrument) -> None:
    path = _csv(tmp_path / "x.csv", ["08111000,2025,weiß nicht,keine Angabe", "08111000,2025,stimme voll zu,4",
                                     "08111000,2025,,"])
    result = read_responses(path, instrument)
    rej = result.rejections
    assert rej.loc[rej["code"] == "no_valid_answers", "row"].tolist() == [2]
    assert rej.loc[rej["code"] == "no_answers", "row"].tolist() == [4]
    assert result.manifest["totals"]["rows_accepted"] == 2
