"""No command deletes a file it did not write (issue 13, part 1): every command that writes a folder
refuses a folder of the user's, an input, a path without a folder name, and a folder of another kind
-- with exit code 2, a German and English message, and every file left as it was.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from core.output_folders import MARKER
from surveys.dataset import Dataset
from tests.data.bad.scenarios import HEADER, rows, run_cli, write_xlsx


def _state(folder: Path) -> dict[str, str]:
    """Every file below ``folder`` with its content hash."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def delivery(tmp_path: Path) -> Path:
    folder = tmp_path / "eingang"
    write_xlsx(folder / "a.xlsx", {"Antworten": [HEADER, *rows(6)]})
    write_xlsx(folder / "b.xlsx", {"Antworten": [HEADER, *rows(5, ags="08111000", first_id=20)]})
    return folder


@pytest.fixture
def dataset(delivery: Path, tmp_path: Path) -> Path:
    out = tmp_path / "daten"
    rc, console = run_cli(["import", str(delivery), "--out", str(out), "--no-progress"])
    assert rc == 0, console
    return out


def _refused(argv: list[str], *protected: Path) -> str:
    before = {p: _state(p) if p.is_dir() else p.read_bytes() for p in protected}
    rc, console = run_cli(argv)
    assert rc == 2, console
    assert "Fehler / error:" in console and "Traceback" not in console and "Interner Fehler" not in console
    for p, state in before.items():
        assert (_state(p) if p.is_dir() else p.read_bytes()) == state, p
    return console


def test_import_into_its_own_input_folder_is_refused_and_the_workbooks_stay(delivery: Path) -> None:
    text = _refused(["import", str(delivery), "--out", str(delivery), "--no-progress"], delivery)
    assert "ist gleich der Eingabe" in text and "is the same as input" in text


def test_import_into_a_folder_inside_its_input_is_refused(delivery: Path) -> None:
    text = _refused(["import", str(delivery), "--out", str(delivery / "datensatz"), "--no-progress"], delivery)
    assert "liegt in der Eingabe" in text and not (delivery / "datensatz").exists()


def test_import_into_a_folder_with_notes_of_the_user_is_refused(delivery: Path, tmp_path: Path) -> None:
    v = tmp_path / "v"
    v.mkdir()
    (v / "notes.txt").write_text("x\n")
    text = _refused(["import", str(delivery), "--out", str(v), "--no-progress"], v, delivery)
    assert "notes.txt" in text and "nicht von baustein-eval" in text and "did not write" in text


def test_out_ending_in_dot_dot_is_a_user_error_not_an_internal_one(delivery: Path, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x").mkdir()
    text = _refused(["import", str(delivery), "--out", "x/..", "--no-progress"], tmp_path)
    assert "'x/..'" in text


def test_reimport_into_its_own_dataset_folder_replaces_it(delivery: Path, dataset: Path) -> None:
    rc, console = run_cli(["import", str(delivery), "--out", str(dataset), "--no-progress"])
    assert rc == 0, console
    assert (dataset / MARKER).is_file() and len(Dataset.load(dataset).respondents) == 11


def test_report_into_a_folder_of_the_user_or_the_dataset_itself_is_refused(dataset: Path, tmp_path: Path) -> None:
    mine = tmp_path / "meine-berichte"
    mine.mkdir()
    (mine / "Vortrag.pptx").write_bytes(b"slides")
    text = _refused(["report", str(dataset), "--out", str(mine), "--no-images"], mine, dataset)
    assert "Vortrag.pptx" in text
    _refused(["report", str(dataset), "--out", str(dataset), "--no-images"], dataset)
    _refused(["report", str(dataset), "--out", str(dataset / "bericht"), "--no-images"], dataset)


def test_report_into_another_dataset_folder_is_refused(dataset: Path, delivery: Path, tmp_path: Path) -> None:
    other = tmp_path / "daten2"
    assert run_cli(["import", str(delivery), "--out", str(other), "--no-progress"])[0] == 0
    text = _refused(["report", str(dataset), "--out", str(other), "--no-images"], other)
    assert "enthält einen Datensatz, nicht Berichte" in text


def test_validate_report_into_a_folder_of_the_user_is_refused(delivery: Path, tmp_path: Path) -> None:
    mine = tmp_path / "pruefung"
    mine.mkdir()
    (mine / "Protokoll.docx").write_bytes(b"doc")
    _refused(["validate", str(delivery), "--report", str(mine), "--no-progress"], mine)


def test_export_never_overwrites_a_file_it_did_not_write(dataset: Path, tmp_path: Path) -> None:
    table = tmp_path / "tabelle.csv"
    table.write_text("the user's table\n")
    _refused(["export", str(dataset), "--format", "csv", "--out", str(table)], table)
    ours = tmp_path / "export.sav"
    for _ in range(2):  # a second export replaces the first: we wrote it and nobody changed it
        rc, console = run_cli(["export", str(dataset), "--format", "sav", "--out", str(ours)])
        assert rc == 0, console
    ours.write_bytes(ours.read_bytes() + b"edited")
    _refused(["export", str(dataset), "--format", "sav", "--out", str(ours)], ours)


def test_generate_and_demo_refuse_a_folder_of_the_user(tmp_path: Path) -> None:
    mine = tmp_path / "ordner"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    _refused(["generate", "--municipalities", "2", "--respondents-per", "5", "--seed", "1", "--format", "kobo",
              "--out", str(mine)], mine)
    examples = Path(__file__).resolve().parents[2] / "data" / "examples"
    _refused(["demo", "--examples", str(examples), "--dataset", str(tmp_path / "d" / "p" / "ds"), "--out", str(mine)],
             mine, examples)
    assert not (tmp_path / "d").exists()  # refused before any work: no dataset written either


def test_analyse_never_overwrites_a_results_file_it_did_not_write(dataset: Path, tmp_path: Path) -> None:
    workbook = tmp_path / "Ergebnisse.xlsx"
    workbook.write_bytes(b"the user's own workbook")
    _refused(["analyse", str(dataset), "--out", str(workbook)], workbook)
    ours, js = tmp_path / "results.xlsx", tmp_path / "results.json"
    mine = tmp_path / "notizen.json"
    mine.write_text("{}")
    # the JSON target is the user's: refused before anything is written, the workbook not created either
    _refused(["analyse", str(dataset), "--out", str(ours), "--json", str(mine)], mine)
    assert not ours.exists()
    for _ in range(2):  # our own results are replaced by the next run
        rc, console = run_cli(["analyse", str(dataset), "--out", str(ours), "--json", str(js)])
        assert rc == 0, console
    js.write_text(js.read_text() + " ")
    _refused(["analyse", str(dataset), "--out", str(ours), "--json", str(js)], js)


def test_instrument_export_and_draft_never_overwrite_a_file_they_did_not_write(tmp_path: Path) -> None:
    form = tmp_path / "formular.xlsx"
    form.write_bytes(b"an XLSForm the user edited")
    _refused(["instrument", "export", "--format", "xlsform", "--out", str(form)], form)
    document = tmp_path / "baustein.txt"
    document.write_text("Für die Kommune\n• Einen Ratsbeschluss fassen.\n", encoding="utf-8")
    _refused(["instrument", "from-baustein", str(document), "--out", str(form)], form)
    ours = tmp_path / "codebuch.md"
    for _ in range(2):
        rc, console = run_cli(["instrument", "export", "--format", "codebook", "--out", str(ours)])
        assert rc == 0, console
