"""inspect_file on the corpus of broken and hostile inputs: a clear error or the right FileInfo, never a
traceback, never a hang. Every corpus file (tests/data/bad/corpus.py) has a test here."""

from __future__ import annotations

import argparse
import os
import stat
import zipfile
from pathlib import Path

import pytest

from core.errors import InputFileError
from core.excel_columns import column_index
from surveys.importing.input_guard import (
    ENV_VARS,
    FileInfo,
    Limits,
    add_limit_options,
    inspect_file,
    sheet_dimensions,
)
from tests.data.bad.corpus import EXPECTED, LARGE, MILLION, build_corpus, build_file

SMALL = [n for n in EXPECTED if n not in LARGE]
ACCEPTED = [n for n in SMALL if EXPECTED[n].kind is not None]
REFUSED = [n for n in SMALL if EXPECTED[n].error is not None]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return build_corpus(tmp_path_factory.mktemp("bad"))


@pytest.fixture(scope="module")
def large_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("large")


@pytest.fixture(scope="module")
def million_rows(large_dir: Path) -> Path:
    return build_file("million-rows.xlsx", large_dir)


@pytest.fixture(autouse=True)
def _no_limit_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ENV_VARS.values():
        monkeypatch.delenv(var, raising=False)


def _refusal(path: Path, limits: Limits | None = None) -> str:
    with pytest.raises(InputFileError) as exc_info:
        inspect_file(path, limits)
    err = exc_info.value
    assert err.path == str(path)
    return str(err)


# ----------------------------------------------------------------------------- the corpus
def test_every_corpus_file_has_exactly_one_expected_outcome() -> None:
    for name, exp in EXPECTED.items():
        assert (exp.kind is None) != (exp.error is None), name


@pytest.mark.parametrize("name", ACCEPTED)
def test_accepted_corpus_file_gets_kind_from_content_and_expected_notes(corpus: dict[str, Path], name: str) -> None:
    exp = EXPECTED[name]
    info = inspect_file(corpus[name])
    assert isinstance(info, FileInfo)
    assert info.kind == exp.kind
    assert info.size == corpus[name].stat().st_size
    assert len(info.sha256) == 64
    notes = " ".join(info.notes).lower()
    for word in exp.notes:
        assert word.lower() in notes, (word, info.notes)


@pytest.mark.parametrize("name", REFUSED)
def test_refused_corpus_file_gets_bilingual_message_naming_file_and_problem(
    corpus: dict[str, Path], name: str
) -> None:
    message = _refusal(corpus[name])
    assert EXPECTED[name].error.lower() in message.lower()
    assert f"Datei »{name}«" in message and f"File '{name}'" in message
    assert "Traceback" not in message


def test_non_ascii_file_name_with_spaces_is_read_and_kept_exactly(corpus: dict[str, Path]) -> None:
    name = "Gemeinde Öhningen – Antworten (1).xlsx"
    info = inspect_file(corpus[name])
    assert info.path.name == name
    assert info.dimensions[0].rows == 7 and info.dimensions[0].columns == 5


def test_encrypted_workbook_message_tells_how_to_remove_the_password(corpus: dict[str, Path]) -> None:
    message = _refusal(corpus["encrypted.xlsx"])
    assert "Arbeitsmappe schützen" in message and "Protect Workbook" in message


def test_encrypted_workbook_is_what_msoffcrypto_calls_encrypted(corpus: dict[str, Path]) -> None:
    import msoffcrypto

    with corpus["encrypted.xlsx"].open("rb") as f:
        assert msoffcrypto.OfficeFile(f).is_encrypted()


def test_legacy_xls_from_the_minimal_writer_is_real_biff8_with_all_rows(corpus: dict[str, Path]) -> None:
    import xlrd

    book = xlrd.open_workbook(str(corpus["legacy.xls"]))
    sheet = book.sheet_by_index(0)
    assert (sheet.nrows, sheet.ncols) == (7, 5)
    assert sheet.row_values(0)[:2] == ["Fragebogen-Nr.", "AGS"]
    assert sheet.cell_value(1, 1) == "08335063"  # AGS kept as text with its leading zero


def test_xlsm_reports_macros_as_ignored_and_never_needs_to_run_them(corpus: dict[str, Path]) -> None:
    info = inspect_file(corpus["macros.xlsm"])
    assert info.has_macros
    assert any("never run" in n for n in info.notes)


def test_hidden_and_very_hidden_sheets_are_listed(corpus: dict[str, Path]) -> None:
    info = inspect_file(corpus["hidden-sheets.xlsx"])
    assert info.sheets == ("Antworten", "Hilfstabelle", "Intern")
    assert info.hidden_sheets == ("Hilfstabelle", "Intern")


def test_1904_date_system_is_flagged_and_1900_is_not(corpus: dict[str, Path]) -> None:
    assert inspect_file(corpus["date1904.xlsx"]).date1904
    assert not inspect_file(corpus["error-cells.xlsx"]).date1904


@pytest.mark.parametrize(
    ("name", "encoding", "delimiter"),
    [
        ("cp1252.csv", "cp1252", ";"),
        ("utf8-bom.csv", "utf-8-sig", ","),
        ("semicolon-decimal-comma.csv", "utf-8", ";"),
        ("csv-renamed.xlsx", "utf-8", ","),
    ],
)
def test_csv_encoding_and_delimiter_are_detected(
    corpus: dict[str, Path], name: str, encoding: str, delimiter: str
) -> None:
    info = inspect_file(corpus[name])
    assert (info.encoding, info.delimiter) == (encoding, delimiter)
    text = corpus[name].read_bytes().decode(info.encoding)
    assert text.startswith("Fragebogen-Nr.")  # the BOM is gone, the first header intact
    if name == "cp1252.csv":
        assert "Öhningen" in text


def test_wide_sheet_is_refused_after_its_first_row_with_the_column_count(corpus: dict[str, Path]) -> None:
    message = _refusal(corpus["wide-16384-columns.xlsx"])
    assert "16.384 Spalten" in message and "16,384 columns" in message
    assert "BAUSTEIN_MAX_COLUMNS" in message


def test_lying_dimension_does_not_hide_far_away_cells(corpus: dict[str, Path]) -> None:
    # calamine/fastexcel would try to allocate a 1,048,576 x 16,384 grid (512 GB) and abort the process.
    dims = sheet_dimensions(corpus["sparse-far-cells.xlsx"], Limits(max_columns=20_000, max_rows=2_000_000))
    assert dims[0].declared == "A1:B2"
    assert (dims[0].rows, dims[0].columns) == (1_048_576, 16_384)


def test_dimensions_and_column_letters() -> None:
    assert [column_index(c) for c in ("A", "Z", "AA", "XFD")] == [1, 26, 27, 16384]


def test_sheet_dimensions_refuses_non_workbooks(corpus: dict[str, Path]) -> None:
    with pytest.raises(InputFileError, match="csv"):
        sheet_dimensions(corpus["cp1252.csv"])


def test_extension_mismatch_is_noted_but_content_decides(corpus: dict[str, Path]) -> None:
    info = inspect_file(corpus["csv-renamed.xlsx"])
    assert info.kind == "csv"
    assert any(".xlsx" in n and "content decides" in n for n in info.notes)


# ----------------------------------------------------------------------------- XML bombs and readers
def test_openpyxl_refuses_the_entity_bomb_through_defusedxml(corpus: dict[str, Path]) -> None:
    import openpyxl
    from defusedxml.common import EntitiesForbidden

    with pytest.raises(ValueError) as exc_info:
        openpyxl.load_workbook(corpus["xml-entity-bomb.xlsx"])
    assert isinstance(exc_info.value.__cause__, EntitiesForbidden)


def test_calamine_does_not_expand_custom_entities(corpus: dict[str, Path]) -> None:
    from python_calamine import CalamineWorkbook

    with pytest.raises(Exception, match="unrecognized entity") as exc_info:
        CalamineWorkbook.from_path(str(corpus["xml-entity-bomb.xlsx"])).get_sheet_by_index(0).to_python()
    assert type(exc_info.value).__name__ == "XmlError"


def test_doctype_in_workbook_xml_is_refused(tmp_path: Path, corpus: dict[str, Path]) -> None:
    src = corpus["header-only.xlsx"]
    bad = tmp_path / "doctype.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(bad, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/workbook.xml":
                assert data.startswith(b"<workbook")  # openpyxl writes no XML declaration
                data = b'<!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + data
            zout.writestr(info, data)
    assert "XML" in _refusal(bad)


# ----------------------------------------------------------------------------- large and zip bombs
def _count_decompressed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record how many bytes any zip member yields while the test runs."""
    counter = [0]
    original = zipfile.ZipExtFile.read

    def counting_read(self: zipfile.ZipExtFile, n: int = -1) -> bytes:
        data = original(self, n)
        counter[0] += len(data)
        return data

    monkeypatch.setattr(zipfile.ZipExtFile, "read", counting_read)
    return counter


def test_zip_bomb_is_refused_from_the_directory_without_decompressing(
    large_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = build_file("zip-bomb.xlsx", large_dir)
    assert path.stat().st_size < 4 * 1024 * 1024
    with zipfile.ZipFile(path) as zf:
        assert zf.getinfo("xl/worksheets/sheet1.xml").file_size > 3 * 1024**3
    decompressed = _count_decompressed(monkeypatch)
    message = _refusal(path)
    assert "Zip-Bombe" in message and "zip bomb" in message
    assert decompressed[0] == 0


def test_zip_bomb_is_refused_by_ratio_even_below_the_size_limit(large_dir: Path) -> None:
    path = build_file("zip-bomb.xlsx", large_dir)
    message = _refusal(path, Limits(max_uncompressed_bytes=10 * 1024**3))
    assert "Kompression" in message and "compression" in message


def test_zip_bomb_is_refused_by_size_even_with_a_generous_ratio(large_dir: Path) -> None:
    path = build_file("zip-bomb.xlsx", large_dir)
    message = _refusal(path, Limits(max_compression_ratio=10_000))
    assert "2.048 MB" in message


def test_bomb_generator_writes_a_valid_deflate_stream_and_crc() -> None:
    import zlib

    from tests.data.bad.corpus import _deflate_repeat

    data, crc, size = _deflate_repeat(b"<a>", b" ", 3, b"</a>")
    plain = zlib.decompress(data, -15)
    assert plain == b"<a>" + b" " * (3 * 1024 * 1024) + b"</a>"
    assert (zlib.crc32(plain), len(plain)) == (crc, size)


def test_member_lying_about_its_size_is_never_inflated_beyond_it(
    large_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = build_file("zip-bomb-lying-size.xlsx", large_dir)
    decompressed = _count_decompressed(monkeypatch)
    assert "beschädigt" in _refusal(path)
    assert decompressed[0] < 64 * 1024


def test_million_rows_are_accepted_within_default_limits(million_rows: Path) -> None:
    info = inspect_file(million_rows)
    assert info.dimensions[0].rows == MILLION + 1  # header row + data rows
    assert info.dimensions[0].columns == 3


def test_million_rows_are_refused_below_a_lower_row_limit(million_rows: Path) -> None:
    message = _refusal(million_rows, Limits(max_rows=500_000))
    assert "500.000" in message and "BAUSTEIN_MAX_ROWS" in message


def test_too_many_zip_members_are_refused(corpus: dict[str, Path]) -> None:
    assert "Teile" in _refusal(corpus["hidden-sheets.xlsx"], Limits(max_zip_members=3))


def test_file_larger_than_the_file_limit_is_refused_before_reading(corpus: dict[str, Path]) -> None:
    message = _refusal(corpus["legacy.xls"], Limits(max_file_bytes=1024))
    assert "BAUSTEIN_MAX_FILE_MB" in message


# ----------------------------------------------------------------------------- odd paths
def test_missing_file_and_folder_are_clear_errors(tmp_path: Path) -> None:
    assert "nicht gefunden" in _refusal(tmp_path / "fehlt.xlsx")
    assert "Ordner" in _refusal(tmp_path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file_is_a_clear_error(tmp_path: Path) -> None:  # pragma: no cover - CI runs as root
    p = tmp_path / "x.csv"
    p.write_text("a;b\n")
    p.chmod(0)
    try:
        assert "nicht gelesen" in _refusal(p)
    finally:
        p.chmod(stat.S_IRUSR | stat.S_IWUSR)


def test_control_characters_in_a_hostile_file_name_are_not_printed(tmp_path: Path) -> None:
    p = tmp_path / "a\x1b[31mrot\u202e.xlsx"
    p.write_bytes(b"")
    message = _refusal(p)
    assert "\x1b" not in message and "\u202e" not in message
    assert "a?[31mrot?.xlsx" in message


def test_blank_text_file_is_refused_as_empty(tmp_path: Path) -> None:
    p = tmp_path / "blank.csv"
    p.write_bytes(b"\r\n  \r\n")
    assert "keine Daten" in _refusal(p)


def test_unknown_binary_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "blob.xlsx"
    p.write_bytes(b"\x01\x02\x00\x03" * 100)
    assert "Binärdatei" in _refusal(p)


# ----------------------------------------------------------------------------- limits
def test_limits_come_from_environment_in_megabytes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BAUSTEIN_MAX_FILE_MB", "500")
    monkeypatch.setenv("BAUSTEIN_MAX_ROWS", "2000000")
    monkeypatch.setenv("BAUSTEIN_MAX_COMPRESSION_RATIO", "250,5")
    lim = Limits.from_env()
    assert lim.max_file_bytes == 500 * 1024 * 1024
    assert lim.max_rows == 2_000_000
    assert lim.max_compression_ratio == 250.5
    assert lim.max_columns == Limits().max_columns


@pytest.mark.parametrize("value", ["viel", "0", "-3"])
def test_invalid_limit_in_environment_names_the_variable(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("BAUSTEIN_MAX_COLUMNS", value)
    with pytest.raises(ValueError, match="BAUSTEIN_MAX_COLUMNS"):
        Limits.from_env()


def test_command_line_options_override_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BAUSTEIN_MAX_ROWS", "10")
    monkeypatch.setenv("BAUSTEIN_MAX_COLUMNS", "77")
    parser = argparse.ArgumentParser()
    add_limit_options(parser)
    args = parser.parse_args(["--max-rows", "2000", "--max-file-mb", "1.5"])
    lim = Limits.from_options(args)
    assert lim.max_rows == 2000
    assert lim.max_columns == 77
    assert lim.max_file_bytes == int(1.5 * 1024 * 1024)


def test_environment_limits_are_used_when_none_are_passed(
    monkeypatch: pytest.MonkeyPatch, corpus: dict[str, Path]
) -> None:
    monkeypatch.setenv("BAUSTEIN_MAX_COLUMNS", "3")
    assert "BAUSTEIN_MAX_COLUMNS" in _refusal(corpus["header-only.xlsx"])
