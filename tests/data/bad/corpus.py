"""The corpus of broken, odd and hostile input files, built by code.

:func:`build_corpus` writes every file into a folder and returns ``{name: path}``; :data:`EXPECTED`
says what :func:`surveys.importing.input_guard.inspect_file` must do with each file (accept with a kind and notes,
or refuse with an :class:`~core.errors.InputFileError` whose message names the problem) and what
an import must do with it (for the importer's own tests).

Nothing here needs Excel or LibreOffice: workbooks are written with openpyxl, raw XML streamed into
zip files, a minimal BIFF8 writer (legacy ``.xls``), msoffcrypto (encryption) and odfpy (``.ods``).
The large files (1,000,000 rows, 16,384 columns, the zip bomb) are built only with ``large=True``
and never committed; building all of them takes a few seconds and < 10 MB of disk.

Usage
-----
>>> from tests.data.bad.corpus import build_corpus, EXPECTED     # doctest: +SKIP
>>> files = build_corpus(tmp_path, large=True)                   # doctest: +SKIP
>>> EXPECTED["encrypted.xlsx"].error                             # doctest: +SKIP
'Passwort'
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

__all__ = ["EXPECTED", "LARGE", "Expected", "build_corpus", "build_file"]

PASSWORD = "baustein"
MILLION = 1_000_000


@dataclass(frozen=True)
class Expected:
    """Expected outcome for one corpus file.

    Attributes
    ----------
    what : str
        What the file is (for the README and test ids).
    kind : str or None
        :attr:`surveys.importing.input_guard.FileInfo.kind` when :func:`~surveys.importing.input_guard.inspect_file` accepts it.
    error : str or None
        A word the German/English error message must contain when it is refused (case-insensitive).
    notes : tuple of str
        Words that must appear in :attr:`~surveys.importing.input_guard.FileInfo.notes` (case-insensitive).
    rows : int or None
        Data rows (without header) an import must produce (the importer's reconciliation tests);
        ``None`` when refused or not yet defined.
    import_outcome : str
        What the importer must do with it.
    import_error : str or None
        For files :func:`~surveys.importing.input_guard.inspect_file` accepts but no reader can read: a word the
        importer's ``file_unreadable`` message must contain.
    """

    what: str
    kind: str | None = None
    error: str | None = None
    notes: tuple[str, ...] = ()
    rows: int | None = None
    import_outcome: str = ""
    import_error: str | None = None


# ----------------------------------------------------------------------------- raw xlsx parts
_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RNS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CT_SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


def _content_types(n_sheets: int, shared_strings: bool = False) -> bytes:
    over = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_CT_SHEET}"/>'
        for i in range(1, n_sheets + 1)
    )
    if shared_strings:
        over += (
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        f"{over}</Types>"
    ).encode()


_ROOT_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)


def _workbook(names: list[str]) -> bytes:
    sheets = "".join(
        f'<sheet name="{n}" sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(names, start=1)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="{_NS}" '
        f'xmlns:r="{_RNS}"><sheets>{sheets}</sheets></workbook>'
    ).encode()


def _workbook_rels(n_sheets: int, shared_strings: bool = False) -> bytes:
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{_RNS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, n_sheets + 1)
    )
    if shared_strings:
        rels += (
            f'<Relationship Id="rId{n_sheets + 1}" Type="{_RNS}/sharedStrings" Target="sharedStrings.xml"/>'
        )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}'
        "</Relationships>"
    ).encode()


_SHEET_HEAD = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{_NS}">'.encode()


def _col_letters(n: int) -> str:
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def _raw_xlsx(path: Path, sheet_xml: bytes, shared_strings: bytes | None = None) -> Path:
    """Write a one-sheet xlsx from raw sheet XML (and optional sharedStrings.xml)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _content_types(1, shared_strings is not None))
        zf.writestr("_rels/.rels", _ROOT_RELS)
        zf.writestr("xl/workbook.xml", _workbook(["Antworten"]))
        zf.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(1, shared_strings is not None))
        zf.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        if shared_strings is not None:
            zf.writestr("xl/sharedStrings.xml", shared_strings)
    return path


# ----------------------------------------------------------------------------- ordinary workbooks
_HEADER = ["Fragebogen-Nr.", "AGS", "KOM01", "KOM02", "Anmerkungen"]


def _rows(n: int = 6) -> list[list[object]]:
    return [[i, "08335063", (i % 5) + 1, ((i + 2) % 5) + 1, None] for i in range(1, n + 1)]


def _openpyxl_book(rows: int = 6):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Antworten"
    ws.append(_HEADER)
    for r in _rows(rows):
        ws.append(r)
    return wb


def _good_workbook(path: Path) -> Path:
    _openpyxl_book().save(path)
    return path


def _empty_workbook(path: Path) -> Path:
    import openpyxl

    openpyxl.Workbook().save(path)
    return path


def _header_only(path: Path) -> Path:
    _openpyxl_book(rows=0).save(path)
    return path


def _merged_two_row_header(path: Path) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Antworten"
    ws.append(["Angaben", None, "Kommunale Verantwortung", None, None])
    ws.append(_HEADER)
    ws.merge_cells("A1:B1")
    ws.merge_cells("C1:E1")
    for r in _rows():
        ws.append(r)
    wb.save(path)
    return path


def _hidden_sheets(path: Path) -> Path:
    wb = _openpyxl_book()
    hidden = wb.create_sheet("Hilfstabelle")
    hidden.append(["Code", "Text"])
    hidden.sheet_state = "hidden"
    very = wb.create_sheet("Intern")
    very.append(["geheim"])
    very.sheet_state = "veryHidden"
    wb.save(path)
    return path


def _formulas_no_cache(path: Path) -> Path:
    wb = _openpyxl_book()
    ws = wb.active
    ws["F1"] = "Summe"
    for r in range(2, 8):
        ws[f"F{r}"] = f"=C{r}+D{r}"  # openpyxl stores the formula with no cached value
    wb.save(path)
    return path


def _error_cells(path: Path) -> Path:
    wb = _openpyxl_book()
    ws = wb.active
    ws["C3"] = "#DIV/0!"  # openpyxl writes known error codes as error cells (t="e")
    ws["D4"] = "#N/A"
    ws["C5"] = "#VALUE!"
    wb.save(path)
    return path


def _date1904(path: Path) -> Path:
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    wb = _openpyxl_book()
    wb.epoch = CALENDAR_MAC_1904
    ws = wb.active
    ws["F1"] = "Datum"
    for r in range(2, 8):
        ws[f"F{r}"] = date(2025, 3, r)
    wb.save(path)
    return path


def _non_ascii_name(path: Path) -> Path:
    return _good_workbook(path)


def _xlsm(path: Path) -> Path:
    """A macro-enabled workbook: openpyxl output plus a vbaProject.bin and the macro content type."""
    buf = io.BytesIO()
    _openpyxl_book().save(buf)
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                ).replace(
                    b"</Types>",
                    b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>',
                )
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/office/2006/relationships/'
                    b'vbaProject" Target="vbaProject.bin"/></Relationships>',
                )
            dst.writestr(info, data)
        # Not a working VBA project (we never run one anyway): an OLE2 signature and a harmless text.
        dst.writestr(
            "xl/vbaProject.bin",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b'Sub Auto_Open(): Shell "calc.exe": End Sub'.ljust(504, b"\0"),
        )
    return path


def _encrypted(path: Path) -> Path:
    """An xlsx encrypted with a password ("password to open"), via msoffcrypto's ECMA-376 agile encryption."""
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = io.BytesIO()
    _openpyxl_book().save(plain)
    plain.seek(0)
    with path.open("wb") as out:
        OOXMLFile(plain).encrypt(PASSWORD, out)
    return path


def _ods(path: Path) -> Path:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    table = Table(name="Antworten")
    for row in [_HEADER, *_rows()]:
        tr = TableRow()
        for value in row:
            if value is None:
                tr.addElement(TableCell())
            elif isinstance(value, int):
                cell = TableCell(valuetype="float", value=value)
                cell.addElement(P(text=str(value)))
                tr.addElement(cell)
            else:
                cell = TableCell(valuetype="string")
                cell.addElement(P(text=str(value)))
                tr.addElement(cell)
        table.addElement(tr)
    doc.spreadsheet.addElement(table)
    doc.save(str(path))
    return path


def _sav(path: Path) -> Path:
    import pandas as pd
    import pyreadstat

    df = pd.DataFrame(
        {"CASE": [1, 2, 3, 4, 5, 6], "KO01_01": [1.0, 2.0, 3.0, 4.0, 5.0, -9.0]}
    )
    pyreadstat.write_sav(df, str(path), variable_value_labels={"KO01_01": {-9.0: "nicht beantwortet"}})
    return path


# ----------------------------------------------------------------------------- text files
def _csv_text() -> str:
    lines = [";".join(_HEADER), *(";".join("" if v is None else str(v) for v in r) for r in _rows())]
    lines[1] = lines[1].rstrip(";") + ";Gemeinde Öhningen – großartig"
    return "\r\n".join(lines) + "\r\n"


def _csv_cp1252(path: Path) -> Path:
    path.write_bytes(_csv_text().replace("–", "-").encode("cp1252"))
    return path


def _csv_utf8_bom(path: Path) -> Path:
    path.write_bytes(_csv_text().replace(";", ",").encode("utf-8-sig"))
    return path


def _csv_semicolon_decimal_comma(path: Path) -> Path:
    lines = ["Fragebogen-Nr.;AGS;Stunden;Budget"]
    lines += [f"{i};08335063;{i},5;1.234,{i}0" for i in range(1, 7)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _csv_mixed_encoding(path: Path) -> Path:
    """UTF-8 (an umlaut comment on line 2) with one line pasted from a Windows-1252 program (line 4)."""
    lines = [";".join(_HEADER), *(";".join("" if v is None else str(v) for v in r) for r in _rows())]
    lines[1] += "Überlingen – großartig"
    lines[3] += "Müller: gut"
    path.write_bytes(b"".join((ln.encode("cp1252") if i == 3 else ln.encode("utf-8")) + b"\n"
                              for i, ln in enumerate(lines)))
    return path


def _csv_nul_bytes(path: Path) -> Path:
    """A 120-row CSV with four stray NUL bytes (two on line 3, one on line 60, one on the last line)."""
    lines = [";".join(_HEADER)] + [f"{i};08335063;{(i % 5) + 1};{((i + 2) % 5) + 1};" for i in range(1, 121)]
    lines[2] += "\x00\x00"
    lines[59] = lines[59].replace(";", ";\x00", 1)
    lines[120] += "\x00"
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    return path


def _csv_utf16_no_bom(path: Path) -> Path:
    path.write_bytes(_csv_text().encode("utf-16-le"))
    return path


def _csv_wide(columns: int) -> Callable[[Path], Path]:
    def build(path: Path) -> Path:
        header = ";".join(["Fragebogen-Nr.", "AGS", *(f"X{i}" for i in range(columns - 2))])
        row = ";".join(["1", "08335063", *("1" for _ in range(columns - 2))])
        path.write_text(header + "\n" + row + "\n", encoding="utf-8")
        return path

    return build


def _csv_renamed_xlsx(path: Path) -> Path:
    path.write_text(",".join(_HEADER) + "\n1,08335063,1,2,\n", encoding="utf-8")
    return path


def _pdf_renamed_xlsx(path: Path) -> Path:
    path.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
    return path


def _docx_renamed_xlsx(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", b'<?xml version="1.0"?><Types xmlns="x"/>')
        zf.writestr("word/document.xml", b'<?xml version="1.0"?><document/>')
    return path


def _html_as_xls(path: Path) -> Path:
    path.write_text(
        "<html><body><table><tr><td>AGS</td></tr><tr><td>08335063</td></tr></table></body></html>",
        encoding="utf-8",
    )
    return path


def _empty_file(path: Path) -> Path:
    path.write_bytes(b"")
    return path


# ----------------------------------------------------------------------------- damaged files
def _truncated(path: Path) -> Path:
    buf = io.BytesIO()
    _openpyxl_book().save(buf)
    data = buf.getvalue()
    path.write_bytes(data[: len(data) // 2])
    return path


def _crc_corrupt(path: Path) -> Path:
    """A complete zip whose sheet data was altered after writing: the CRC no longer matches."""
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 50))
    sheet = _SHEET_HEAD + f"<sheetData>{rows}</sheetData></worksheet>".encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("[Content_Types].xml", _content_types(1))
        zf.writestr("_rels/.rels", _ROOT_RELS)
        zf.writestr("xl/workbook.xml", _workbook(["Antworten"]))
        zf.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(1))
        zf.writestr("xl/worksheets/sheet1.xml", sheet)
    data = bytearray(path.read_bytes())
    pos = data.find(b"<v>25</v>")
    data[pos + 3 : pos + 5] = b"99"  # stored (uncompressed), so the CRC check must catch it
    path.write_bytes(bytes(data))
    return path


def _zip_empty_member_name(path: Path) -> Path:
    """A valid workbook plus a zip member with an empty name (found by atheris: zipfile's
    ``ZipInfo.is_dir()`` raised IndexError inside inspect_file)."""
    buf = io.BytesIO()
    _openpyxl_book().save(buf)
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr(zipfile.ZipInfo(""), b"<x/>")
    return path


def _xls_calamine_panic(path: Path) -> Path:
    """legacy.xls mutated by atheris (3 bytes changed, 2 ranges cut) so that calamine's BIFF reader
    *panics* (Rust ``PanicException``, a ``BaseException`` that ``except Exception`` does not catch)."""
    data = bytearray(_ole2({"Workbook": _biff8_workbook(_HEADER, _rows())}))
    data[15:19] = b"\xff\xff\xff\xf8"
    data[782] = 0xBF
    data[1238] = 0x80
    path.write_bytes(bytes(data[:1307] + data[2681:2874]))
    return path


# ----------------------------------------------------------------------------- hostile / huge
def _wide_16384(path: Path) -> Path:
    """One header row and one data row across all 16,384 Excel columns (A..XFD)."""
    header = "".join(f'<c r="{_col_letters(c)}1" t="inlineStr"><is><t>V{c}</t></is></c>' for c in range(1, 16385))
    data = "".join(f'<c r="{_col_letters(c)}2"><v>{c % 5 + 1}</v></c>' for c in range(1, 16385))
    sheet = (
        _SHEET_HEAD
        + f'<dimension ref="A1:XFD2"/><sheetData><row r="1">{header}</row><row r="2">{data}</row>'
        "</sheetData></worksheet>".encode()
    )
    return _raw_xlsx(path, sheet)


def _sparse_far_cells(path: Path) -> Path:
    """Two cells at A1 and XFD1048576 behind a lying ``<dimension ref="A1:B2">``: tiny file, huge grid."""
    sheet = _SHEET_HEAD + (
        b'<dimension ref="A1:B2"/><sheetData><row r="1"><c r="A1"><v>1</v></c></row>'
        b'<row r="1048576"><c r="XFD1048576"><v>2</v></c></row></sheetData></worksheet>'
    )
    return _raw_xlsx(path, sheet)


def _million_rows(path: Path, n_rows: int = MILLION) -> Path:
    """A header and ``n_rows`` data rows of 3 numeric columns, streamed as raw XML (no Excel library)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", _content_types(1))
        zf.writestr("_rels/.rels", _ROOT_RELS)
        zf.writestr("xl/workbook.xml", _workbook(["Antworten"]))
        zf.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(1))
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out:
            out.write(_SHEET_HEAD)
            out.write(f'<dimension ref="A1:C{n_rows + 1}"/><sheetData>'.encode())
            out.write(
                b'<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c><c r="B1" t="inlineStr"><is><t>KOM01'
                b'</t></is></c><c r="C1" t="inlineStr"><is><t>KOM02</t></is></c></row>'
            )
            step = 10_000
            for start in range(2, n_rows + 2, step):
                stop = min(start + step, n_rows + 2)
                out.write(
                    "".join(
                        f'<row r="{r}"><c r="A{r}"><v>{r - 1}</v></c><c r="B{r}"><v>{r % 5 + 1}</v></c>'
                        f'<c r="C{r}"><v>{(r + 2) % 5 + 1}</v></c></row>'
                        for r in range(start, stop)
                    ).encode()
                )
            out.write(b"</sheetData></worksheet>")
    return path


# A deflate stream built from one repeated, history-free block: compressing gigabytes costs nothing.
_BOMB_UNIT = 1 << 20


def _crc32_combine(crc1: int, crc2: int, len2: int) -> int:
    """zlib's crc32_combine (GF(2) matrix method): CRC of A+B from crc(A), crc(B) and len(B)."""

    def times(mat: list[int], vec: int) -> int:
        s = 0
        i = 0
        while vec:
            if vec & 1:
                s ^= mat[i]
            vec >>= 1
            i += 1
        return s

    def square(mat: list[int]) -> list[int]:
        return [times(mat, mat[n]) for n in range(32)]

    if len2 <= 0:
        return crc1
    odd = [0xEDB88320] + [1 << n for n in range(31)]
    even = square(odd)
    odd = square(even)
    while True:
        even = square(odd)
        if len2 & 1:
            crc1 = times(even, crc1)
        len2 >>= 1
        if not len2:
            break
        odd = square(even)
        if len2 & 1:
            crc1 = times(odd, crc1)
        len2 >>= 1
        if not len2:
            break
    return crc1 ^ crc2


def _deflate_repeat(prefix: bytes, unit_byte: bytes, n_units: int, suffix: bytes) -> tuple[bytes, int, int]:
    """Raw deflate data for ``prefix + unit_byte * (n_units * 1 MiB) + suffix``; returns (data, crc, size)."""
    unit = unit_byte * _BOMB_UNIT
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = c.compress(prefix) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(unit) + c.flush(zlib.Z_FULL_FLUSH)
    again = c.compress(unit) + c.flush(zlib.Z_FULL_FLUSH)
    assert block == again, "deflate block is not history-free"
    tail = c.compress(suffix) + c.flush(zlib.Z_FINISH)
    crc_unit = zlib.crc32(unit)
    crc_body = 0
    body_len = 0
    # CRC of n copies by binary doubling.
    chunk_crc, chunk_len, k = crc_unit, _BOMB_UNIT, n_units
    while k:
        if k & 1:
            crc_body = _crc32_combine(crc_body, chunk_crc, chunk_len) if body_len else chunk_crc
            body_len += chunk_len
        chunk_crc = _crc32_combine(chunk_crc, chunk_crc, chunk_len)
        chunk_len *= 2
        k >>= 1
    crc = _crc32_combine(zlib.crc32(prefix), crc_body, body_len)
    crc = _crc32_combine(crc, zlib.crc32(suffix), len(suffix))
    return head + block * n_units + tail, crc, len(prefix) + body_len + len(suffix)


def _raw_zip(path: Path, members: list[tuple[str, bytes, int, int, int]]) -> Path:
    """Write a zip from (name, data, crc, uncompressed size, method) without recompressing."""
    out = bytearray()
    central = bytearray()
    for name, data, crc, usize, method in members:
        fname = name.encode()
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc, len(data), usize, len(fname), 0)
        out += fname + data
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0x21, crc, len(data), usize, len(fname),
            0, 0, 0, 0, 0, offset,
        )
        central += fname
    cd_offset = len(out)
    out += central
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), cd_offset, 0)
    path.write_bytes(bytes(out))
    return path


def _small_members() -> list[tuple[str, bytes, int, int, int]]:
    parts = {
        "[Content_Types].xml": _content_types(1),
        "_rels/.rels": _ROOT_RELS,
        "xl/workbook.xml": _workbook(["Antworten"]),
        "xl/_rels/workbook.xml.rels": _workbook_rels(1),
    }
    return [(n, d, zlib.crc32(d), len(d), 0) for n, d in parts.items()]


def _zip_bomb(path: Path, gigabytes: int = 3) -> Path:
    """A ~3 MB xlsx whose sheet1.xml inflates to ``gigabytes`` GiB of blanks (valid CRC and sizes)."""
    data, crc, size = _deflate_repeat(
        _SHEET_HEAD + b"<sheetData>", b" ", gigabytes * 1024, b"</sheetData></worksheet>"
    )
    return _raw_zip(path, [*_small_members(), ("xl/worksheets/sheet1.xml", data, crc, size, 8)])


def _zip_bomb_lying(path: Path) -> Path:
    """A sheet that inflates to 512 MiB while its headers declare 2 kB (and a matching ratio)."""
    data, _crc, _size = _deflate_repeat(_SHEET_HEAD + b"<sheetData>", b" ", 512, b"</sheetData></worksheet>")
    declared = b'<sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>'.ljust(2048, b" ")
    return _raw_zip(
        path, [*_small_members(), ("xl/worksheets/sheet1.xml", data, zlib.crc32(declared), len(declared), 8)]
    )


_LAUGHS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<!DOCTYPE sst [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n' for i in range(1, 10)
    )
    + "]>\n"
    f'<sst xmlns="{_NS}" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>'
)


def _xml_entity_bomb(path: Path) -> Path:
    """Billion laughs in sharedStrings.xml: 10^9 "lol" (3 GB) if a parser expanded the entities."""
    sheet = _SHEET_HEAD + b'<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>'
    return _raw_xlsx(path, sheet, shared_strings=_LAUGHS.encode())


def _xml_entity_bomb_late(path: Path) -> Path:
    """The same bomb, its DOCTYPE hidden behind 200 kB of comment (defeats a naive 'first 64 kB' check)."""
    text = _LAUGHS.replace("\n<!DOCTYPE", "\n<!--" + "x" * 200_000 + "-->\n<!DOCTYPE", 1)
    sheet = _SHEET_HEAD + b'<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>'
    return _raw_xlsx(path, sheet, shared_strings=text.encode())


# ----------------------------------------------------------------------------- legacy .xls (BIFF8)
def _biff_record(rtype: int, data: bytes) -> bytes:
    return struct.pack("<HH", rtype, len(data)) + data


def _biff_string16(text: str) -> bytes:
    """XLUnicodeString (16-bit length, flags, UTF-16LE)."""
    return struct.pack("<HB", len(text), 1) + text.encode("utf-16-le")


def _biff8_workbook(header: list[str], rows: list[list[object]], sheet: str = "Antworten") -> bytes:
    """A minimal BIFF8 Workbook stream: globals (BOF, CODEPAGE, FONT, XFs, BOUNDSHEET, EOF) + one sheet."""
    font = struct.pack("<HHHHHBBBB", 200, 0, 0x7FFF, 400, 0, 0, 0, 0, 0) + struct.pack("<BB", 5, 1) + "Arial".encode(
        "utf-16-le"
    )
    xf_style = struct.pack("<HHHBBBBIIH", 0, 0, 0xFFF5, 0x20, 0, 0, 0, 0, 0, 0x20C0)
    xf_cell = struct.pack("<HHHBBBBIIH", 0, 0, 0x0001, 0x20, 0, 0, 0, 0, 0, 0x20C0)
    bof_globals = _biff_record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0x06))
    codepage = _biff_record(0x0042, struct.pack("<H", 1200))
    fonts = b"".join(_biff_record(0x0031, font) for _ in range(5))  # index 4 is skipped by Excel
    xfs = b"".join(_biff_record(0x00E0, xf_style) for _ in range(15)) + _biff_record(0x00E0, xf_cell)
    name = sheet.encode("utf-16-le")

    def globals_(sheet_offset: int) -> bytes:
        boundsheet = _biff_record(0x0085, struct.pack("<IBBBB", sheet_offset, 0, 0, len(sheet), 1) + name)
        return bof_globals + codepage + fonts + xfs + boundsheet + _biff_record(0x000A, b"")

    head = globals_(0)
    cells = bytearray()
    all_rows = [header, *rows]
    for r, row in enumerate(all_rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, (int, float)):
                cells += _biff_record(0x0203, struct.pack("<HHHd", r, c, 15, float(value)))
            else:
                cells += _biff_record(0x0204, struct.pack("<HHH", r, c, 15) + _biff_string16(str(value)))
    ncols = max(len(r) for r in all_rows)
    sheet_stream = (
        _biff_record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0010, 0x0DBB, 0x07CC, 0, 0x06))
        + _biff_record(0x0200, struct.pack("<IIHHH", 0, len(all_rows), 0, ncols, 0))
        + bytes(cells)
        + _biff_record(0x000A, b"")
    )
    return globals_(len(head)) + sheet_stream


def _ole2(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE2 compound file (512-byte sectors, one FAT sector, no mini stream).

    Each stream is padded to at least 4096 bytes so that it lives in regular sectors.
    """
    sector = 512
    end, free, fat_sec = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    padded = {n: d.ljust(max(4096, -(-len(d) // sector) * sector), b"\0") for n, d in streams.items()}
    # sector 0: FAT, sector 1: directory, then stream data
    fat = [fat_sec, end]
    starts: dict[str, int] = {}
    nxt = 2
    for name, data in padded.items():
        count = len(data) // sector
        starts[name] = nxt
        fat += [nxt + i + 1 for i in range(count - 1)] + [end]
        nxt += count
    if len(fat) > sector // 4:
        raise ValueError("stream too large for the minimal OLE2 writer")
    fat += [free] * (sector // 4 - len(fat))

    def direntry(name: str, etype: int, start: int, size: int, child: int = free, right: int = free) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0"
        return (
            raw.ljust(64, b"\0")
            + struct.pack("<HBB", len(raw), etype, 1)
            + struct.pack("<III", free, right, child)
            + b"\0" * 16
            + struct.pack("<I", 0)
            + b"\0" * 16
            + struct.pack("<IIi", start, size, 0)
        )

    names = list(padded)
    entries = [direntry("Root Entry", 5, end, 0, child=1)]
    for i, name in enumerate(names):
        right = i + 2 if i + 1 < len(names) else free
        # Declare the padded size: streams below 4096 bytes would otherwise belong in the mini stream.
        entries.append(direntry(name, 2, starts[name], len(padded[name]), right=right))
    directory = b"".join(entries).ljust(sector, b"\0")
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 16
        + struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6)
        + b"\0" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<I", 0)
        + struct.pack("<I", free) * 108
    )
    assert len(header) == 512
    body = b"".join(padded[n] for n in names)
    return header + struct.pack(f"<{sector // 4}I", *fat) + directory + body


def _legacy_xls(path: Path) -> Path:
    path.write_bytes(_ole2({"Workbook": _biff8_workbook(_HEADER, _rows())}))
    return path


# ----------------------------------------------------------------------------- the catalogue
_BUILDERS: dict[str, Callable[[Path], Path]] = {
    "Gemeinde Öhningen – Antworten (1).xlsx": _non_ascii_name,
    "encrypted.xlsx": _encrypted,
    "legacy.xls": _legacy_xls,
    "macros.xlsm": _xlsm,
    "answers.ods": _ods,
    "sosci.sav": _sav,
    "cp1252.csv": _csv_cp1252,
    "utf8-bom.csv": _csv_utf8_bom,
    "semicolon-decimal-comma.csv": _csv_semicolon_decimal_comma,
    "empty-workbook.xlsx": _empty_workbook,
    "header-only.xlsx": _header_only,
    "merged-two-row-header.xlsx": _merged_two_row_header,
    "hidden-sheets.xlsx": _hidden_sheets,
    "formulas-no-cache.xlsx": _formulas_no_cache,
    "error-cells.xlsx": _error_cells,
    "date1904.xlsx": _date1904,
    "wide-16384-columns.xlsx": _wide_16384,
    "sparse-far-cells.xlsx": _sparse_far_cells,
    "xml-entity-bomb.xlsx": _xml_entity_bomb,
    "xml-entity-bomb-late-doctype.xlsx": _xml_entity_bomb_late,
    "mixed-encoding.csv": _csv_mixed_encoding,
    "nul-bytes.csv": _csv_nul_bytes,
    "utf16-no-bom.csv": _csv_utf16_no_bom,
    "wide-16384-columns.csv": _csv_wide(16_384),
    "wide-1200-columns.csv": _csv_wide(1_200),
    "csv-renamed.xlsx": _csv_renamed_xlsx,
    "pdf-renamed.xlsx": _pdf_renamed_xlsx,
    "docx-renamed.xlsx": _docx_renamed_xlsx,
    "html-export.xls": _html_as_xls,
    "empty-file.xlsx": _empty_file,
    "truncated.xlsx": _truncated,
    "crc-corrupt.xlsx": _crc_corrupt,
    "zip-empty-member-name.xlsx": _zip_empty_member_name,
    "xls-calamine-panic.xls": _xls_calamine_panic,
}

#: Files built only with ``large=True`` (each a few MB at most on disk, generated at test time).
_LARGE_BUILDERS: dict[str, Callable[[Path], Path]] = {
    "million-rows.xlsx": _million_rows,
    "zip-bomb.xlsx": _zip_bomb,
    "zip-bomb-lying-size.xlsx": _zip_bomb_lying,
}
LARGE = frozenset(_LARGE_BUILDERS)

_RESAVE = "Bitte als .xlsx speichern / save as .xlsx"

EXPECTED: dict[str, Expected] = {
    "Gemeinde Öhningen – Antworten (1).xlsx": Expected(
        "valid workbook, file name with umlaut, en dash, spaces, parentheses", kind="xlsx", rows=6,
        import_outcome="import 6 rows; source_file keeps the name exactly",
    ),
    "encrypted.xlsx": Expected(
        f"xlsx encrypted with password {PASSWORD!r} (OLE2 EncryptedPackage, msoffcrypto)", error="Passwort",
        import_outcome="refused by inspect_file: save without password",
    ),
    "legacy.xls": Expected(
        "legacy Excel 97-2003 (BIFF8 in OLE2), written by a minimal writer in this module", kind="xls",
        notes=("xls",), rows=6, import_outcome="import 6 rows (calamine or xlrd); note recommends .xlsx",
    ),
    "macros.xlsm": Expected(
        "macro-enabled workbook with xl/vbaProject.bin (Auto_Open text, never run)", kind="xlsm",
        notes=("Makros",), rows=6, import_outcome="import 6 rows; report says macros were ignored",
    ),
    "answers.ods": Expected("OpenDocument spreadsheet (odfpy)", kind="ods", rows=6, import_outcome="import 6 rows"),
    "sosci.sav": Expected(
        "SPSS .sav with value labels (pyreadstat)", kind="sav", rows=6,
        import_outcome="import 6 rows; -9 is a missing code",
    ),
    "cp1252.csv": Expected(
        "semicolon CSV in Windows-1252 with umlauts", kind="csv", notes=("1252",), rows=6,
        import_outcome="import 6 rows; 'Öhningen' decoded correctly",
    ),
    "utf8-bom.csv": Expected(
        "comma CSV in UTF-8 with byte-order mark", kind="csv", rows=6,
        import_outcome="import 6 rows; first header has no BOM",
    ),
    "semicolon-decimal-comma.csv": Expected(
        "German CSV: ';' separator, decimal comma, '.' thousands", kind="csv", notes=("Semikolon",), rows=6,
        import_outcome="import 6 rows; 1,5 -> 1.5 and 1.234,10 -> 1234.1",
    ),
    "empty-workbook.xlsx": Expected(
        "workbook with one empty sheet", kind="xlsx", notes=("leer",), rows=0,
        import_outcome="clear error or warning: no data (nothing imported, nothing lost)",
    ),
    "header-only.xlsx": Expected(
        "header row, no answers", kind="xlsx", rows=0, import_outcome="0 rows, warning 'no answers'",
    ),
    "merged-two-row-header.xlsx": Expected(
        "merged group row above the real header", kind="xlsx", rows=6,
        import_outcome="header found in row 2; 6 rows",
    ),
    "hidden-sheets.xlsx": Expected(
        "a hidden and a veryHidden sheet next to the answers", kind="xlsx", notes=("Hilfstabelle", "Intern"),
        rows=6, import_outcome="6 rows from 'Antworten'; hidden sheets named in the report",
    ),
    "formulas-no-cache.xlsx": Expected(
        "formula column F without cached values (as openpyxl writes)", kind="xlsx", rows=6,
        import_outcome="6 rows; formula cells are empty/NA (never evaluated), warning formula_no_value",
    ),
    "error-cells.xlsx": Expected(
        "error cells #DIV/0!, #N/A, #VALUE! in item columns", kind="xlsx", rows=6,
        import_outcome="6 rows; error cells are invalid answers with a located error cell_error",
    ),
    "date1904.xlsx": Expected(
        "1904 date system with dates 2025-03-02..07", kind="xlsx", notes=("1904",), rows=6,
        import_outcome="6 rows; dates read as 2025-03-02.. (not 2021)",
    ),
    "wide-16384-columns.xlsx": Expected(
        "header and data across all 16,384 columns (A..XFD)", error="16,384",
        import_outcome="refused by inspect_file before any reader allocates it",
    ),
    "sparse-far-cells.xlsx": Expected(
        "two cells at A1 and XFD1048576 behind a lying <dimension ref=A1:B2> (17 G-cell grid)",
        error="Spalten", import_outcome="refused by inspect_file",
    ),
    "xml-entity-bomb.xlsx": Expected(
        "billion laughs in xl/sharedStrings.xml", error="XML", import_outcome="refused by inspect_file",
    ),
    "xml-entity-bomb-late-doctype.xlsx": Expected(
        "billion laughs behind a 200 kB comment", error="XML", import_outcome="refused by inspect_file",
    ),
    "mixed-encoding.csv": Expected(
        "UTF-8 CSV with umlauts and one line (4) in Windows-1252", kind="csv", notes=("Windows-1252", "Zeile 4"),
        rows=6, import_outcome="6 rows; only line 4 read as Windows-1252, a located warning encoding_line at row 4",
    ),
    "nul-bytes.csv": Expected(
        "120-row CSV with four stray NUL bytes on lines 3, 60 and 121", kind="csv", notes=("NUL",), rows=120,
        import_outcome="120 rows; NULs removed, a located warning nul_removed per line (was: refused as binary)",
    ),
    "utf16-no-bom.csv": Expected(
        "CSV in UTF-16 little endian without byte-order mark", kind="csv", notes=("UTF-16",), rows=6,
        import_outcome="6 rows (was: refused as binary)",
    ),
    "wide-16384-columns.csv": Expected(
        "CSV with 16,384 columns", error="16,384",
        import_outcome="refused by inspect_file from the byte counts, before any parser (was: 16 s, 739 MB, TypeError)",
    ),
    "wide-1200-columns.csv": Expected(
        "CSV with 1,200 columns (the limit is 1,000, as for xlsx)", error="1,200",
        import_outcome="refused by inspect_file (was: accepted)",
    ),
    "csv-renamed.xlsx": Expected(
        "a CSV file named .xlsx", kind="csv", notes=(".xlsx",), rows=1,
        import_outcome="read as CSV (content decides), note about the wrong extension",
    ),
    "pdf-renamed.xlsx": Expected("a PDF named .xlsx", error="PDF", import_outcome="refused"),
    "docx-renamed.xlsx": Expected("a Word document named .xlsx", error="Word", import_outcome="refused"),
    "html-export.xls": Expected(
        "HTML table saved as .xls (old web-tool export)", error="HTML", import_outcome=f"refused: {_RESAVE}",
    ),
    "empty-file.xlsx": Expected("0-byte file", error="leer", import_outcome="refused"),
    "truncated.xlsx": Expected(
        "valid xlsx cut in half (interrupted download)", error="unvollständig", import_outcome="refused",
    ),
    "crc-corrupt.xlsx": Expected(
        "stored sheet altered after writing: CRC mismatch", error="beschädigt", import_outcome="refused",
    ),
    "zip-empty-member-name.xlsx": Expected(
        "workbook with an extra zip member whose name is empty (fuzzing regression, atheris)", error="beschädigt",
        import_outcome="refused as damaged (was: IndexError traceback from zipfile)",
    ),
    "xls-calamine-panic.xls": Expected(
        "legacy.xls mutated by atheris: calamine's BIFF reader panics (Rust PanicException, a BaseException)",
        kind="xls", notes=("xls",), rows=0, import_error="beschädigt",
        import_outcome="file_unreadable 'damaged?' (was: PanicException traceback)",
    ),
    "million-rows.xlsx": Expected(
        "1,000,000 data rows x 3 columns (raw XML, generated at test time)", kind="xlsx", rows=MILLION,
        import_outcome="accepted within default limits (1.1 M rows); refused with BAUSTEIN_MAX_ROWS below",
    ),
    "zip-bomb.xlsx": Expected(
        "3 MB file whose sheet inflates to 3 GiB (ratio ~1000:1)", error="Zip-Bombe",
        import_outcome="refused from the zip directory alone, nothing decompressed",
    ),
    "zip-bomb-lying-size.xlsx": Expected(
        "sheet declares 2 kB but inflates to 512 MiB", error="beschädigt",
        import_outcome="refused: decompression stops at the declared size, CRC mismatch",
    ),
}


def build_file(name: str, folder: str | Path) -> Path:
    """Build one corpus file ``name`` into ``folder`` and return its path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    builder = _BUILDERS.get(name) or _LARGE_BUILDERS[name]
    return builder(folder / name)


def build_corpus(folder: str | Path, large: bool = False) -> dict[str, Path]:
    """Build the corpus into ``folder``; ``large=True`` adds the million-row sheet and the zip bombs.

    Returns
    -------
    dict of str to pathlib.Path
        File name -> path, in the order of :data:`EXPECTED`.
    """
    names = [n for n in EXPECTED if large or n not in LARGE]
    return {name: build_file(name, folder) for name in names}
