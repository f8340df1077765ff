"""First line of defence for every input file: what is it, is it safe to open, how big is it?

:func:`inspect_file` is called by the importer before any spreadsheet library sees a file. It sniffs
the *content* (never the extension), refuses hostile or broken files with a clear German/English
:class:`~core.errors.InputFileError` and returns a :class:`FileInfo` describing what a reader
will meet (kind, macros, hidden sheets, 1904 dates, CSV encoding and delimiter).

What is checked, and when
-------------------------
* **Before anything is decompressed** (central directory of the zip only): number of members,
  declared uncompressed total, per-member and overall compression ratio. A "zip bomb" (a small
  file that inflates to gigabytes) is refused here. Limits: :class:`Limits`.
* **Small XML parts** (``[Content_Types].xml``, ``xl/workbook.xml``, ``content.xml`` headers) are
  parsed with :mod:`defusedxml`, which refuses entity declarations ("billion laughs") and external
  entities.
* **Sheet size**: :func:`sheet_dimensions` streams each worksheet's XML (decompressing at most the
  declared size + 1 byte, so a member that lies about its size is caught) and finds the real number
  of rows and columns, so a 16,384-column or 2-million-row sheet - or a hostile sheet with two cells
  at ``A1`` and ``XFD1048576``, which would make a reader allocate 17 billion cells - is refused
  before a reader allocates it. :func:`inspect_file` runs it for every sheet of xlsx/xlsm files.
* **OLE2 files** (the old binary container): encrypted OOXML ("password to open") and encrypted
  ``.xls`` are told apart from ordinary ``.xls`` with :mod:`msoffcrypto` / ``olefile``.
* **Text**: CSV encoding (UTF-8, UTF-8 with BOM, UTF-16 with BOM, cp1252) and delimiter.

Macros are never executed: no reader used by baustein-eval can run VBA or LibreOffice Basic; a
workbook with macros is read for its data and :attr:`FileInfo.notes` says the macros were ignored.

Limits can be changed by environment variables (:data:`ENV_VARS`) or command-line options
(:func:`add_limit_options`, :meth:`Limits.from_options`); see ``SECURITY.md``.

Example
-------
>>> info = inspect_file("Gemeinde Öhningen.xlsx")      # doctest: +SKIP
>>> info.kind, info.has_macros, info.notes             # doctest: +SKIP
('xlsx', False, ())
"""

from __future__ import annotations

import argparse
import codecs
import csv
import dataclasses
import functools
import hashlib
import io
import os
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from core.errors import InputFileError
from core.excel_columns import column_index, column_letter
from core.problems import quote_input

__all__ = [
    "ENV_VARS",
    "FileInfo",
    "FileKind",
    "Limits",
    "SheetDimensions",
    "add_limit_options",
    "inspect_file",
    "sheet_dimensions",
]

FileKind = Literal["xlsx", "xlsm", "xls", "ods", "csv", "sav", "unknown"]

_MB = 1024 * 1024

#: Environment variable for each :class:`Limits` field (sizes in megabytes).
ENV_VARS: dict[str, str] = {
    "max_file_bytes": "BAUSTEIN_MAX_FILE_MB",
    "max_uncompressed_bytes": "BAUSTEIN_MAX_UNCOMPRESSED_MB",
    "max_compression_ratio": "BAUSTEIN_MAX_COMPRESSION_RATIO",
    "max_rows": "BAUSTEIN_MAX_ROWS",
    "max_columns": "BAUSTEIN_MAX_COLUMNS",
    "max_zip_members": "BAUSTEIN_MAX_ZIP_MEMBERS",
}
_BYTE_FIELDS = {"max_file_bytes", "max_uncompressed_bytes"}

#: Members smaller than this are not subject to the per-member ratio check (a 40 kB styles part
#: compressing 200:1 is harmless; only large inflations matter).
RATIO_CHECK_MIN_BYTES = 1 * _MB

#: Parts parsed as a whole with defusedxml must stay below this size.
MAX_SMALL_PART_BYTES = 20 * _MB

_CHUNK = 1 << 20


# ----------------------------------------------------------------------------- limits
@dataclass(frozen=True)
class Limits:
    """Resource limits applied to every input file.

    Attributes
    ----------
    max_file_bytes : int
        Largest input file on disk (default 200 MB).
    max_uncompressed_bytes : int
        Largest declared uncompressed size of all members of an xlsx/ods zip (default 2 GB).
    max_compression_ratio : float
        Largest ratio uncompressed/compressed, per member larger than 1 MB and for the whole
        archive (default 100; real workbooks stay below about 30, zip bombs reach 1000).
    max_rows : int
        Most rows per sheet (default 1,100,000; Excel's own maximum is 1,048,576).
    max_columns : int
        Most columns per sheet (default 1,000; the widest real export seen has about 400).
    max_zip_members : int
        Most members of an xlsx/ods zip (default 10,000).
    """

    max_file_bytes: int = 200 * _MB
    max_uncompressed_bytes: int = 2048 * _MB
    max_compression_ratio: float = 100.0
    max_rows: int = 1_100_000
    max_columns: int = 1_000
    max_zip_members: int = 10_000

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Limits:
        """Defaults, overridden by ``BAUSTEIN_MAX_*`` environment variables (see :data:`ENV_VARS`).

        Sizes are given in megabytes (``BAUSTEIN_MAX_FILE_MB=500``). An invalid value raises
        :class:`ValueError` naming the variable.
        """
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for name, var in ENV_VARS.items():
            raw = env.get(var)
            if raw is None or raw.strip() == "":
                continue
            values[name] = _parse_limit(name, raw, var)
        return cls(**values)

    @classmethod
    def from_options(cls, args: argparse.Namespace | Mapping[str, Any]) -> Limits:
        """Environment defaults overridden by the command-line options of :func:`add_limit_options`."""
        opts = vars(args) if isinstance(args, argparse.Namespace) else dict(args)
        base = cls.from_env()
        changes: dict[str, Any] = {}
        for name in ENV_VARS:
            opt = _option_dest(name)
            value = opts.get(opt)
            if value is not None:
                changes[name] = _parse_limit(name, str(value), "--" + opt.replace("_", "-"))
        return dataclasses.replace(base, **changes)


def _option_dest(name: str) -> str:
    return name.replace("_bytes", "_mb")


def _parse_limit(name: str, raw: str, source: str) -> int | float:
    try:
        number = float(raw.strip().replace(",", "."))
    except ValueError:
        raise ValueError(f"{source}: keine Zahl / not a number: {raw!r}") from None
    if not number > 0:
        raise ValueError(f"{source}: muss größer als 0 sein / must be positive: {raw!r}")
    if name in _BYTE_FIELDS:
        return int(number * _MB)
    if name == "max_compression_ratio":
        return number
    return int(number)


def add_limit_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--max-file-mb``, ``--max-rows`` ... options (read back with :meth:`Limits.from_options`)."""
    group = parser.add_argument_group(
        "Grenzen für Eingabedateien / input limits",
        "Standardwerte aus BAUSTEIN_MAX_* Umgebungsvariablen, siehe SECURITY.md",
    )
    helps = {
        "max_file_bytes": "größte Datei in MB / largest file in MB (200)",
        "max_uncompressed_bytes": "größte entpackte Größe in MB / largest unpacked size in MB (2048)",
        "max_compression_ratio": "höchstes Kompressionsverhältnis / highest compression ratio (100)",
        "max_rows": "meiste Zeilen je Blatt / most rows per sheet (1100000)",
        "max_columns": "meiste Spalten je Blatt / most columns per sheet (1000)",
        "max_zip_members": "meiste Teile im Archiv / most archive members (10000)",
    }
    for name, text in helps.items():
        dest = _option_dest(name)
        group.add_argument("--" + dest.replace("_", "-"), dest=dest, default=None, help=text)


# ----------------------------------------------------------------------------- results
@dataclass(frozen=True)
class SheetDimensions:
    """Real extent of one worksheet, found by streaming its XML.

    Attributes
    ----------
    sheet : str
        Sheet name (as in the workbook) or the part name when unknown.
    part : str
        Zip member holding the sheet XML (e.g. ``xl/worksheets/sheet1.xml``).
    rows : int
        Highest row number with a ``<row>`` element (1-based; 0 for an empty sheet).
    columns : int
        Highest column number of any cell (1-based; 0 for an empty sheet).
    declared : str or None
        The ``<dimension ref="...">`` the writer declared, if any (may be wrong or hostile).
    flag_hint : bool
        The XML holds an error cell (``t="e"``) or a formula (``<f``): only such sheets need the
        importer's cell-flag pass (:func:`surveys.importing.readers.xlsx_cell_flags`).
    """

    sheet: str
    part: str
    rows: int
    columns: int
    declared: str | None = None
    flag_hint: bool = False


@dataclass(frozen=True)
class FileInfo:
    """What :func:`inspect_file` learnt about an input file.

    Attributes
    ----------
    path : pathlib.Path
        The file inspected.
    kind : {"xlsx", "xlsm", "xls", "ods", "csv", "sav", "unknown"}
        Detected from the content, not from the extension.
    size : int
        Size on disk in bytes.
    sha256 : str
        Hex SHA-256 of the file content (recorded in the dataset manifest for provenance).
    has_macros : bool
        The file contains a macro project (VBA or LibreOffice Basic). Macros are never run.
    encoding : str or None
        For CSV: the Python codec to read it with (``utf-8``, ``utf-8-sig``, ``utf-16``, ``cp1252``).
    delimiter : str or None
        For CSV: the most likely field separator (``;``, ``,``, tab or ``|``).
    sheets : tuple of str
        Sheet names in workbook order (xlsx/xlsm/ods; empty otherwise).
    hidden_sheets : tuple of str
        Sheets marked hidden or "very hidden" (xlsx/xlsm; ods: hidden tables).
    date1904 : bool
        The workbook uses the 1904 date system (Excel for Mac legacy): serial 0 = 1904-01-01.
    dimensions : tuple of SheetDimensions
        Real extent of every worksheet (xlsx/xlsm only).
    notes : tuple of str
        Messages for the user (German / English), e.g. that macros were ignored.
    fallback_lines : tuple of int
        For a UTF-8 CSV with a few lines in another encoding: those lines (1-based); their invalid
        bytes are read as Windows-1252, each line is a located finding of the import.
    nul_lines : tuple of (int, int)
        For a CSV with stray NUL bytes: (line, number of NULs) of each line holding some; the NULs
        are removed before reading, each line is a located finding of the import.
    """

    path: Path
    kind: FileKind
    size: int
    sha256: str
    has_macros: bool = False
    encoding: str | None = None
    delimiter: str | None = None
    sheets: tuple[str, ...] = ()
    hidden_sheets: tuple[str, ...] = ()
    date1904: bool = False
    dimensions: tuple[SheetDimensions, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)
    fallback_lines: tuple[int, ...] = ()
    nul_lines: tuple[tuple[int, int], ...] = ()


# ----------------------------------------------------------------------------- messages
def _display_name(path: Path) -> str:
    """File name safe to print: control and format characters replaced (hostile names)."""
    return "".join(
        "?" if unicodedata.category(ch) in {"Cc", "Cf", "Zl", "Zp"} else ch for ch in path.name
    )


def _de(number: float) -> str:
    """A number with German thousands separators (16.384)."""
    return f"{number:,.0f}".replace(",", ".")


def _fail(path: Path, de: str, en: str) -> InputFileError:
    name = _display_name(path)
    return InputFileError(f"Datei »{name}«: {de}\nFile '{name}': {en}", path=str(path))


_TODO_RESAVE_DE = "Bitte in Excel oder LibreOffice öffnen und als Excel-Arbeitsmappe (.xlsx) speichern."
_TODO_RESAVE_EN = "Please open it in Excel or LibreOffice and save it as an Excel workbook (.xlsx)."


# ----------------------------------------------------------------------------- magic numbers
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SAV_MAGIC = (b"$FL2", b"$FL3")
_OTHER_BINARY = {
    b"%PDF": ("ein PDF-Dokument", "a PDF document"),
    b"\x89PNG": ("ein Bild (PNG)", "an image (PNG)"),
    b"\xff\xd8\xff": ("ein Bild (JPEG)", "an image (JPEG)"),
    b"Rar!": ("ein RAR-Archiv", "a RAR archive"),
    b"7z\xbc\xaf": ("ein 7-Zip-Archiv", "a 7-Zip archive"),
    b"\x1f\x8b": ("ein gzip-Archiv", "a gzip archive"),
    b"PAR1": ("eine Parquet-Datei", "a Parquet file"),
    b"{\\rtf": ("ein RTF-Textdokument", "an RTF document"),
}


#: Workbooks up to this size are read into memory once: hashed and inspected from the same bytes.
_IN_MEMORY_BYTES = 64 * _MB


def _read_all(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise _fail(
            path, f"Die Datei kann nicht gelesen werden ({exc.strerror}).", f"The file cannot be read ({exc.strerror})."
        ) from None


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


# ----------------------------------------------------------------------------- public entry
def inspect_file(path: str | os.PathLike[str], limits: Limits | None = None) -> FileInfo:
    """Identify an input file by its content and refuse it if it is broken, hostile or too large.

    Parameters
    ----------
    path : str or path-like
        The file to inspect.
    limits : Limits, optional
        Resource limits; default :meth:`Limits.from_env`.

    Returns
    -------
    FileInfo
        Kind, size, checksum, macros, sheets, CSV encoding and user notes.

    Raises
    ------
    core.errors.InputFileError
        The file is missing, empty, too large, encrypted, truncated or damaged, a zip/XML bomb,
        a sheet exceeds the row/column limits, or it is not a spreadsheet at all. The message says
        (in German and English) what is wrong, in which file and what to do.

    Notes
    -----
    Runtime is bounded: zip checks read only the central directory; the sheet scan reads each
    sheet once, decompressing at most its declared size (itself bounded by the limits).
    """
    p = Path(path)
    lim = limits if limits is not None else Limits.from_env()
    try:
        st = p.stat()
    except FileNotFoundError:
        raise _fail(p, "Die Datei wurde nicht gefunden.", "The file was not found.") from None
    except OSError as exc:
        raise _fail(
            p, f"Die Datei kann nicht gelesen werden ({exc.strerror}).",
            f"The file cannot be read ({exc.strerror}).",
        ) from None
    if not p.is_file():
        raise _fail(p, "Das ist keine Datei (sondern z. B. ein Ordner).", "This is not a file (e.g. a folder).")
    size = st.st_size
    if size == 0:
        raise _fail(
            p,
            "Die Datei ist leer (0 Bytes). Vermutlich ist beim Speichern oder Kopieren etwas schiefgegangen; "
            "bitte die Datei erneut exportieren.",
            "The file is empty (0 bytes). Saving or copying probably failed; please export it again.",
        )
    if size > lim.max_file_bytes:
        raise _fail(
            p,
            f"Die Datei ist {size / _MB:.0f} MB groß, erlaubt sind {lim.max_file_bytes / _MB:.0f} MB. "
            "Bitte in kleinere Dateien aufteilen oder die Grenze erhöhen (BAUSTEIN_MAX_FILE_MB, "
            "siehe SECURITY.md).",
            f"The file is {size / _MB:.0f} MB, the limit is {lim.max_file_bytes / _MB:.0f} MB. Please split "
            "it or raise the limit (BAUSTEIN_MAX_FILE_MB, see SECURITY.md).",
        )
    try:
        with p.open("rb") as f:
            head = f.read(8)
    except OSError as exc:
        raise _fail(
            p, f"Die Datei kann nicht gelesen werden ({exc.strerror}).", f"The file cannot be read ({exc.strerror})."
        ) from None
    data: bytes | None = None
    if head.startswith(_ZIP_MAGIC) and size <= _IN_MEMORY_BYTES:
        # a workbook is hashed and its parts are inspected from one read of the file
        data = _read_all(p)
        digest = hashlib.sha256(data).hexdigest()
    else:
        digest = _sha256(p)
    base: dict[str, Any] = {"path": p, "size": size, "sha256": digest}

    try:
        return _with_extension_note(_dispatch(p, head, lim, base, data))
    except InputFileError:
        raise
    except RecursionError:
        raise _malformed(p, "RecursionError") from None
    except Exception as exc:  # a malformed container makes zipfile/olefile/codecs fail in many ways
        raise _malformed(p, type(exc).__name__) from None


def _malformed(p: Path, what: str) -> InputFileError:
    """A container so malformed that a library failed unexpectedly (found by fuzzing, e.g. a zip
    member with an empty name)."""
    return _fail(
        p,
        f"Die Datei ist beschädigt oder kein gültiges Tabellenformat (Aufbau nicht lesbar: {what}). Bitte die "
        "Datei erneut exportieren oder die Originaldatei noch einmal schicken lassen.",
        f"The file is damaged or not a valid spreadsheet format (structure unreadable: {what}). Please export it "
        "again or ask for the original file once more.",
    )


#: File name extensions that are expected for each kind (anything else gets a note).
_EXTENSIONS: dict[str, tuple[str, ...]] = {
    "xlsx": (".xlsx",),
    "xlsm": (".xlsm", ".xlsx"),
    "xls": (".xls",),
    "ods": (".ods",),
    "csv": (".csv", ".txt", ".tsv", ".tab"),
    "sav": (".sav", ".zsav"),
}


def _with_extension_note(info: FileInfo) -> FileInfo:
    """Add a note when the name's extension does not match the content (content decides)."""
    suffix = info.path.suffix.lower()
    expected = _EXTENSIONS.get(info.kind, ())
    if not expected or suffix in expected:
        return info
    shown = suffix or "(keine / none)"
    note = (
        f"Die Endung {shown} passt nicht zum Inhalt ({info.kind}); gelesen wird nach Inhalt. / "
        f"The extension {shown} does not match the content ({info.kind}); the content decides."
    )
    return dataclasses.replace(info, notes=(*info.notes, note))


def _dispatch(p: Path, head: bytes, lim: Limits, base: dict[str, Any], data: bytes | None = None) -> FileInfo:
    if head.startswith(_ZIP_MAGIC):
        return _inspect_zip(p, lim, base, data)
    if head.startswith(_OLE2_MAGIC):
        return _inspect_ole2(p, base)
    if head.startswith(_SAV_MAGIC):
        _check_sav_extent(p, lim)
        return FileInfo(kind="sav", **base)
    for magic, (de, en) in _OTHER_BINARY.items():
        if head.startswith(magic):
            raise _fail(
                p,
                f"Das ist keine Tabelle, sondern {de}. Bitte die Excel-, ODS- oder CSV-Datei mit den "
                "Antworten verwenden.",
                f"This is not a spreadsheet but {en}. Please use the Excel, ODS or CSV file with the answers.",
            )
    return _inspect_text(p, base, lim)


def _check_sav_extent(p: Path, lim: Limits) -> None:
    """Refuse an SPSS file beyond the row or column limits, from its header alone."""
    try:
        import pyreadstat

        _, meta = pyreadstat.read_sav(str(p), metadataonly=True)
    except Exception:  # damaged: the reader reports it with its own words
        return
    rows, cols = int(meta.number_rows or 0), int(meta.number_columns or 0)
    if rows > lim.max_rows or cols > lim.max_columns:
        _refuse_extent(p, "", rows, cols, lim)


# ----------------------------------------------------------------------------- zip containers
def _open_zip(p: Path, data: bytes | None = None) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(p if data is None else io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError, NotImplementedError):
        raise _fail(
            p,
            "Die Datei ist beschädigt oder unvollständig (abgeschnitten) - das Inhaltsverzeichnis des "
            "Excel-Pakets fehlt. Bitte die Datei erneut aus dem Umfragewerkzeug exportieren oder die "
            "Originaldatei noch einmal schicken lassen.",
            "The file is damaged or incomplete (truncated): the workbook's zip directory is missing. "
            "Please export it again or ask for the original file once more.",
        ) from None


def _check_zip_bomb(p: Path, infos: list[zipfile.ZipInfo], lim: Limits) -> None:
    if len(infos) > lim.max_zip_members:
        raise _fail(
            p,
            f"Das Excel-Paket enthält {_de(len(infos))} Teile (erlaubt: {_de(lim.max_zip_members)}). Die Datei ist "
            "vermutlich beschädigt oder manipuliert und wird nicht geöffnet. " + _TODO_RESAVE_DE,
            f"The workbook package has {len(infos)} members (limit {lim.max_zip_members}); it is probably "
            "damaged or manipulated and is not opened. " + _TODO_RESAVE_EN,
        )
    total = sum(max(i.file_size, 0) for i in infos)
    total_c = sum(max(i.compress_size, 0) for i in infos)
    bomb_de = (
        "Die Datei würde sich beim Öffnen auf {what} aufblähen ({why}). Das ist typisch für eine "
        "beschädigte oder absichtlich präparierte Datei (\u201eZip-Bombe\u201c); sie wird nicht geöffnet. "
        "Falls die Datei echt ist: " + _TODO_RESAVE_DE + " Grenzen: siehe SECURITY.md."
    )
    bomb_en = (
        "The file would inflate to {what} when opened ({why}). This is typical of a damaged or "
        "deliberately crafted file (zip bomb); it is not opened. If the file is genuine: "
        + _TODO_RESAVE_EN + " Limits: see SECURITY.md."
    )
    if total > lim.max_uncompressed_bytes:
        why_de = f"erlaubt: {_de(lim.max_uncompressed_bytes / _MB)} MB"
        why_en = f"limit {lim.max_uncompressed_bytes / _MB:,.0f} MB"
        raise _fail(
            p,
            bomb_de.format(what=f"{_de(total / _MB)} MB", why=why_de),
            bomb_en.format(what=f"{total / _MB:,.0f} MB", why=why_en),
        )
    for info in infos:
        if info.file_size >= RATIO_CHECK_MIN_BYTES:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > lim.max_compression_ratio:
                why_de = f"Teil {info.filename!r}: Kompression {_de(ratio)}:1, erlaubt {lim.max_compression_ratio:g}:1"
                why_en = (
                    f"member {info.filename!r}: compression {ratio:,.0f}:1, limit {lim.max_compression_ratio:g}:1"
                )
                raise _fail(
                    p,
                    bomb_de.format(what=f"{_de(info.file_size / _MB)} MB", why=why_de),
                    bomb_en.format(what=f"{info.file_size / _MB:,.0f} MB", why=why_en),
                )
    if total >= RATIO_CHECK_MIN_BYTES and total / max(total_c, 1) > lim.max_compression_ratio:
        ratio = total / max(total_c, 1)
        why_de = f"Kompression {_de(ratio)}:1, erlaubt {lim.max_compression_ratio:g}:1"
        why_en = f"compression {ratio:,.0f}:1, limit {lim.max_compression_ratio:g}:1"
        raise _fail(
            p,
            bomb_de.format(what=f"{_de(total / _MB)} MB", why=why_de),
            bomb_en.format(what=f"{total / _MB:,.0f} MB", why=why_en),
        )


def _read_member(p: Path, zf: zipfile.ZipFile, name: str, parts: dict[str, bytes] | None = None) -> bytes:
    info = zf.getinfo(name)
    if info.file_size > MAX_SMALL_PART_BYTES:
        raise _fail(
            p,
            f"Der Teil {name!r} der Datei ist ungewöhnlich groß ({info.file_size / _MB:,.0f} MB); die Datei "
            "ist vermutlich beschädigt oder manipuliert. " + _TODO_RESAVE_DE,
            f"The part {name!r} is unusually large ({info.file_size / _MB:,.0f} MB); the file is probably "
            "damaged or manipulated. " + _TODO_RESAVE_EN,
        )
    if parts is not None and name in parts:
        return parts[name]
    try:
        with zf.open(info) as fh:
            data = fh.read(MAX_SMALL_PART_BYTES + 1)
    except RuntimeError:  # encrypted zip member ("password required")
        raise _password_zip(p) from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, ValueError):
        raise _damaged(p, name) from None
    return data


#: Parts read whole by the inspection (and then parsed or scanned from these bytes) up to this size.
_WHOLE_PART_BYTES = 4 * _MB
_WHOLE_PARTS = ("[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels")


def _read_whole(zf: zipfile.ZipFile, info: zipfile.ZipInfo, parts: dict[str, bytes]) -> bytes | None:
    """The bytes of a small part that the inspection reads whole anyway (the workbook's parts and
    worksheets), read once (size and CRC checked by zipfile); None for other parts, or when reading
    fails (the check that reads it later says what is wrong, as before)."""
    name = info.filename
    if not (name in _WHOLE_PARTS or (name.startswith("xl/worksheets/") and name.endswith(".xml"))):
        return None
    if info.is_dir() or not 0 < info.file_size <= _WHOLE_PART_BYTES or info.flag_bits & 0x1:
        return None
    try:
        data = zf.read(info)
    except Exception:  # damaged, unsupported compression, ...: left to the check that reads it
        return None
    parts[name] = data
    return data


def _password_zip(p: Path) -> InputFileError:
    return _fail(
        p,
        "Das Archiv ist mit einem Passwort verschlüsselt. Bitte ohne Passwort speichern.",
        "The archive is password-encrypted. Please save it without a password.",
    )


def _damaged(p: Path, part: str) -> InputFileError:
    return _fail(
        p,
        f"Die Datei ist beschädigt: der Teil {part!r} lässt sich nicht lesen (Prüfsummenfehler oder "
        "abgeschnitten). Bitte die Datei erneut exportieren oder die Originaldatei noch einmal schicken lassen.",
        f"The file is damaged: part {part!r} cannot be read (checksum error or truncated). Please export it "
        "again or ask for the original file once more.",
    )


def _parse_xml(p: Path, data: bytes, part: str) -> Any:
    try:
        return SafeET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise _fail(
            p,
            f"Der Teil {part!r} enthält XML-Entitätsdefinitionen, wie sie für Angriffe (\u201eXML-Bombe\u201c) "
            "benutzt werden. Die Datei wird nicht geöffnet. " + _TODO_RESAVE_DE,
            f"Part {part!r} declares XML entities as used in attacks (XML bomb); the file is not opened. "
            + _TODO_RESAVE_EN,
        ) from None
    except SafeET.ParseError:
        raise _damaged(p, part) from None


_PROLOG_LIMIT = 1 * _MB


def _xml_bomb(p: Path, part: str) -> InputFileError:
    return _fail(
        p,
        f"Der Teil {part!r} enthält eine DOCTYPE-/Entitätsdefinition, wie sie für Angriffe "
        "(\u201eXML-Bombe\u201c, externe Entitäten) benutzt wird; Excel und LibreOffice schreiben so etwas "
        "nie. Die Datei wird nicht geöffnet. " + _TODO_RESAVE_DE,
        f"Part {part!r} contains a DOCTYPE/entity declaration as used in attacks (XML bomb, external "
        "entities); Excel and LibreOffice never write one. The file is not opened. " + _TODO_RESAVE_EN,
    )


def _xml_encoding(first: bytes) -> str | None:
    """Codec of an XML part from its first bytes; ``None`` if it does not look like XML at all."""
    if first.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if first.startswith(b"<\x00"):
        return "utf-16-le"
    if first.startswith(b"\x00<"):
        return "utf-16-be"
    if first.lstrip(b" \t\r\n").startswith(b"<"):
        return "utf-8"
    return None


def _check_xml_prolog(p: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo, data: bytes | None = None) -> None:
    """Refuse a part whose XML prolog (everything before the root element) declares a DOCTYPE.

    Office writers never emit a DOCTYPE; entity expansion ("billion laughs") and external entities
    need one. Comments and processing instructions before the root are skipped however long they
    are (up to 1 MB, beyond which the part is refused as suspicious), so hiding the DOCTYPE behind a
    long comment does not help. Binary parts (images, vbaProject.bin) are skipped. ``data``: the
    whole part, when it has been read already.
    """
    if info.is_dir() or info.file_size == 0:
        return
    try:
        with io.BytesIO(data) if data is not None else zf.open(info) as fh:
            first = fh.read(4)
            enc = _xml_encoding(first)
            if enc is None:
                return
            decoder = codecs.getincrementaldecoder(enc)("replace")
            text = decoder.decode(first)
            consumed = len(first)
            pos = 0
            while True:
                # Skip whitespace, <?...?> and <!--...--> until the root element or a DOCTYPE.
                while pos < len(text) and text[pos] in " \t\r\n\ufeff":
                    pos += 1
                rest = text[pos:]
                if rest.startswith("<?"):
                    end = text.find("?>", pos + 2)
                    if end >= 0:
                        pos = end + 2
                        continue
                elif rest.startswith("<!--"):
                    end = text.find("-->", pos + 4)
                    if end >= 0:
                        pos = end + 3
                        continue
                elif rest[:2].upper() == "<!" and len(rest) >= 9:
                    raise _xml_bomb(p, info.filename)
                elif len(rest) >= 2 and rest[0] == "<":
                    return  # root element reached: no DOCTYPE
                elif rest and rest[0] != "<":
                    return  # not XML after all (text before any tag): not our concern here
                if consumed >= _PROLOG_LIMIT:
                    raise _xml_bomb(p, info.filename)
                chunk = fh.read(64 * 1024)
                if not chunk:
                    return
                consumed += len(chunk)
                text = text[pos:] + decoder.decode(chunk)
                pos = 0
    except InputFileError:
        raise
    except RuntimeError:
        raise _password_zip(p) from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, ValueError):
        raise _damaged(p, info.filename) from None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _inspect_zip(p: Path, lim: Limits, base: dict[str, Any], data: bytes | None = None) -> FileInfo:
    with _open_zip(p, data) as zf:
        try:
            infos = zf.infolist()
        except (zipfile.BadZipFile, ValueError):  # pragma: no cover - ZipFile() already read it
            raise _damaged(p, "(zip directory)") from None
        _check_zip_bomb(p, infos, lim)
        if any(i.flag_bits & 0x1 for i in infos):
            raise _password_zip(p)
        names = {i.filename for i in infos}
        parts: dict[str, bytes] = {}
        for info in infos:
            _check_xml_prolog(p, zf, info, _read_whole(zf, info, parts))
        if "mimetype" in names:
            mimetype = _read_member(p, zf, "mimetype")[:200].decode("ascii", "replace").strip()
            if mimetype == "application/vnd.oasis.opendocument.spreadsheet":
                return _inspect_ods(p, zf, names, base)
            if mimetype.startswith("application/vnd.oasis.opendocument"):
                raise _not_spreadsheet(p, "ein OpenDocument-Text oder -Präsentation", "an OpenDocument text or presentation")
        if "[Content_Types].xml" in names:
            if "xl/workbook.xml" in names:
                return _inspect_xlsx(p, zf, names, lim, base, parts)
            if "xl/workbook.bin" in names:
                raise _fail(
                    p,
                    "Das ist eine Excel-Binärarbeitsmappe (.xlsb), die nicht unterstützt wird. " + _TODO_RESAVE_DE,
                    "This is an Excel binary workbook (.xlsb), which is not supported. " + _TODO_RESAVE_EN,
                )
            if any(n.startswith("word/") for n in names):
                raise _not_spreadsheet(p, "ein Word-Dokument", "a Word document")
            if any(n.startswith("ppt/") for n in names):
                raise _not_spreadsheet(p, "eine PowerPoint-Präsentation", "a PowerPoint presentation")
            # Some writers name the workbook part differently; find it through the relationships.
            target = _office_document_target(p, zf, names)
            if target and target.startswith("xl/"):
                raise _fail(
                    p,
                    f"Die Arbeitsmappe liegt an ungewöhnlicher Stelle ({target!r}). " + _TODO_RESAVE_DE,
                    f"The workbook part is in an unusual place ({target!r}). " + _TODO_RESAVE_EN,
                )
        raise _not_spreadsheet(p, "ein ZIP-Archiv ohne Tabelle", "a zip archive without a spreadsheet")


def _not_spreadsheet(p: Path, de: str, en: str) -> InputFileError:
    return _fail(
        p,
        f"Das ist keine Tabelle, sondern {de}. Bitte die Excel-, ODS- oder CSV-Datei mit den Antworten verwenden.",
        f"This is not a spreadsheet but {en}. Please use the Excel, ODS or CSV file with the answers.",
    )


def _office_document_target(p: Path, zf: zipfile.ZipFile, names: set[str]) -> str | None:
    if "_rels/.rels" not in names:
        return None
    root = _parse_xml(p, _read_member(p, zf, "_rels/.rels"), "_rels/.rels")
    for rel in root:
        if str(rel.get("Type", "")).endswith("/officeDocument"):
            return str(rel.get("Target", "")).lstrip("/")
    return None


_MACRO_NOTE = (
    "Makros wurden ignoriert (nie ausgeführt), nur die Daten werden gelesen. / "
    "Macros were ignored (never run); only the data is read."
)


def _inspect_xlsx(
    p: Path, zf: zipfile.ZipFile, names: set[str], lim: Limits, base: dict[str, Any],
    parts: dict[str, bytes] | None = None,
) -> FileInfo:
    ctypes = _read_member(p, zf, "[Content_Types].xml", parts)
    _parse_xml(p, ctypes, "[Content_Types].xml")
    macro_ct = b"macroEnabled" in ctypes
    has_macros = macro_ct or any(
        n.lower().endswith("vbaproject.bin") or n.lower().startswith("xl/macrosheets/") for n in names
    )
    kind: FileKind = "xlsm" if has_macros else "xlsx"
    notes: list[str] = []
    if has_macros:
        notes.append(_MACRO_NOTE)

    wb = _parse_xml(p, _read_member(p, zf, "xl/workbook.xml", parts), "xl/workbook.xml")
    date1904 = False
    sheets: list[tuple[str, str, str]] = []  # name, r:id, state
    for el in wb.iter():
        tag = _local(el.tag)
        if tag == "workbookPr":
            date1904 = str(el.get("date1904", "")).lower() in {"1", "true"}
        elif tag == "sheet":
            rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), "")
            sheets.append((str(el.get("name", "")), rid, str(el.get("state", "visible"))))
    hidden = tuple(n for n, _, state in sheets if state in {"hidden", "veryHidden"})
    if hidden:
        notes.append(
            f"Ausgeblendete Blätter: {', '.join(hidden)} (werden mitgelesen, wenn sie Antworten enthalten). / "
            f"Hidden sheets: {', '.join(hidden)} (read if they hold answers)."
        )
    if date1904:
        notes.append(
            "Die Arbeitsmappe nutzt das 1904-Datumssystem (Excel für Mac); Datumswerte werden umgerechnet. / "
            "The workbook uses the 1904 date system (Excel for Mac); dates are converted."
        )
    if not sheets:
        raise _fail(
            p,
            "Die Arbeitsmappe enthält keine Tabellenblätter. Bitte die Datei mit den Antworten verwenden.",
            "The workbook contains no worksheets. Please use the file with the answers.",
        )

    targets = _sheet_targets(p, zf, names, parts)
    dims: list[SheetDimensions] = []
    for name, rid, _state in sheets:
        part = targets.get(rid)
        if part is None or part not in names:
            continue  # chartsheets or dangling relationships: nothing a reader loads as a table
        dim = _scan_sheet(p, zf, part, name, lim, (parts or {}).get(part))
        dims.append(dim)
    if dims and all(d.rows == 0 for d in dims):
        notes.append("Alle Tabellenblätter sind leer. / All worksheets are empty.")
    return FileInfo(
        kind=kind,
        has_macros=has_macros,
        sheets=tuple(n for n, _, _ in sheets),
        hidden_sheets=hidden,
        date1904=date1904,
        dimensions=tuple(dims),
        notes=tuple(notes),
        **base,
    )


def _sheet_targets(p: Path, zf: zipfile.ZipFile, names: set[str], parts: dict[str, bytes] | None = None
                   ) -> dict[str, str]:
    rels = "xl/_rels/workbook.xml.rels"
    if rels not in names:
        return {}
    root = _parse_xml(p, _read_member(p, zf, rels, parts), rels)
    out: dict[str, str] = {}
    for rel in root:
        target = str(rel.get("Target", ""))
        if not target:
            continue
        if target.startswith("/"):
            resolved = target.lstrip("/")
        else:
            parts: list[str] = []
            for seg in PurePosixPath("xl", target).parts:
                if seg == "..":
                    if parts:
                        parts.pop()
                elif seg != ".":
                    parts.append(seg)
            resolved = "/".join(parts)
        out[str(rel.get("Id", ""))] = resolved
    return out


def _inspect_ods(p: Path, zf: zipfile.ZipFile, names: set[str], base: dict[str, Any]) -> FileInfo:
    has_macros = any(n.startswith(("Basic/", "Scripts/")) for n in names)
    notes = [_MACRO_NOTE] if has_macros else []
    if "content.xml" not in names:
        raise _damaged(p, "content.xml")
    sheets, hidden = _ods_tables(p, zf)
    if hidden:
        notes.append(
            f"Ausgeblendete Blätter: {', '.join(hidden)}. / Hidden sheets: {', '.join(hidden)}."
        )
    return FileInfo(
        kind="ods", has_macros=has_macros, sheets=sheets, hidden_sheets=hidden, notes=tuple(notes), **base
    )


_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
_ODS_TABLE = re.compile(rb'<table:table\s[^>]*?table:name="([^"]*)"[^>]*>')
_ODS_STYLE = re.compile(rb'table:style-name="([^"]*)"')
_ODS_HIDDEN_STYLES = re.compile(
    rb'<style:style\s[^>]*?style:name="([^"]*)"[^>]*?style:family="table"[^>]*>\s*'
    rb'<style:table-properties[^>]*?table:display="false"'
)


def _ods_tables(p: Path, zf: zipfile.ZipFile) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Sheet names and hidden sheets of an ODS file, streaming ``content.xml`` without an XML parser."""
    import html

    names: list[str] = []
    hidden_styles: set[bytes] = set()
    hidden: list[str] = []
    tail = b""
    first = True
    try:
        with zf.open("content.xml") as fh:
            while chunk := fh.read(_CHUNK):
                buf = tail + chunk
                if first and b"!" in buf[:65536] and _DOCTYPE.search(buf[:65536]):
                    raise _fail(
                        p,
                        "Der Teil 'content.xml' enthält XML-Entitätsdefinitionen (\u201eXML-Bombe\u201c); die "
                        "Datei wird nicht geöffnet. " + _TODO_RESAVE_DE,
                        "Part 'content.xml' declares XML entities (XML bomb); the file is not opened. "
                        + _TODO_RESAVE_EN,
                    )
                first = False
                hidden_styles.update(m.group(1) for m in _ODS_HIDDEN_STYLES.finditer(buf))
                end = 0
                for m in _ODS_TABLE.finditer(buf):
                    name = html.unescape(m.group(1).decode("utf-8", "replace"))
                    names.append(name)
                    style = _ODS_STYLE.search(m.group(0))
                    if style and style.group(1) in hidden_styles:
                        hidden.append(name)
                    end = m.end()
                tail = buf[max(end, len(buf) - 4096):]
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError):
        raise _damaged(p, "content.xml") from None
    return tuple(names), tuple(hidden)


# ----------------------------------------------------------------------------- sheet extent
#: Row tags and their row number (empty when the tag has none): one match per row tag.
_ROW_ANY = re.compile(rb'<(?:\w+:)?row\b(?:[^>]*?\sr="(\d+)")?')
# the same without namespace prefixes: a literal start ("<row") makes the regex search fast
_ROW_ANY_PLAIN = re.compile(rb'<row\b(?:[^>]*?\sr="(\d+)")?')
#: Error cells and formulas (the importer's cell flags); ``_FLAG_QUICK`` are literal pre-checks.
_FLAG_HINT = re.compile(rb'\st="e"|<(?:\w+:)?f[\s>/]')
_FLAG_PLAIN = re.compile(rb"<f[\s>/]")  # literal start: fast
_COLON_F = re.compile(rb":f[\s>/]")
_ERROR_TYPE = re.compile(rb't="e"')
_COLON_ROW = re.compile(rb":row")
_HINT_OVERLAP = 64
#: Bytes at the start of a chunk whose cell references give the sheet's width before the whole
#: chunk is searched for wider ones.
_WIDTH_PROBE = 8 * 1024
_DIM_RE = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\sref="([^"]*)"')
_MAX_ROW_LEN = 100_000


@functools.lru_cache(maxsize=4096)
def _refs_above(max_col: int) -> re.Pattern[bytes] | None:
    """Cell references whose column is beyond ``max_col``: two- and three-letter references
    (`` r="AB12``) and single letters (`` r="C``), so that a sheet whose width is known after its
    first rows costs one regex search per chunk instead of one match per cell."""
    letters = column_letter(max_col - 1) if max_col > 0 else ""
    m = len(letters)
    # longest alternatives first: a single letter would also match the start of "AB12";
    # the row digit is a lookahead, so a sheet gives only as many distinct matches as columns
    alts = [f"[A-Z]{{{length}}}(?=[0-9])" for length in range(3, max(m + 1, 2) - 1, -1)]
    for i, ch in enumerate(letters):
        if ch < "Z":
            alt = letters[:i] + f"[{chr(ord(ch) + 1)}-Z]" + "[A-Z]" * (m - i - 1)
            alts.append(alt if m == 1 else alt + "(?=[0-9])")
    if m == 0:
        alts.append("[A-Z]")
    if not alts:
        return None
    return re.compile(rb' r="(' + "|".join(f"(?:{a})" for a in alts).encode() + rb")")


def _max_col_in(body: bytes, max_col: int, end: int | None = None) -> int:
    """Highest column of any cell reference in ``body[:end]`` (at least ``max_col``)."""
    pat = _refs_above(max_col)
    if pat is None:
        return max_col
    found = set(pat.findall(body, 0, len(body) if end is None else end))
    if not found:
        return max_col
    best = max(found, key=lambda c: (len(c), c))
    return max(max_col, column_index(best.decode()))


def _scan_sheet(p: Path, zf: zipfile.ZipFile, part: str, sheet: str, lim: Limits,
                data: bytes | None = None) -> SheetDimensions:
    """Stream one sheet's XML and find its real extent; refuse beyond the limits as soon as seen.

    The same pass notes whether the sheet holds error cells or formulas (``flag_hint``). ``data``:
    the whole part, when it has been read already (a small sheet).
    """
    info = zf.getinfo(part)
    declared_size = info.file_size
    max_row = 0
    max_col = 0
    n_rows = 0
    declared: str | None = None
    read = 0
    tail = b""
    first = True
    hint = False
    hint_tail = b""
    try:
        with io.BytesIO(data) if data is not None else zf.open(info) as raw:
            # ZipExtFile stops at the declared size and checks the CRC: a member that lies about
            # its size fails with BadZipFile instead of inflating further.
            while chunk := raw.read(_CHUNK):
                read += len(chunk)
                if read > declared_size:  # pragma: no cover - zipfile already enforces this
                    raise _damaged(p, part)
                buf = tail + chunk
                if first:
                    if b"!" in buf[:65536] and _DOCTYPE.search(buf[:65536]):
                        raise _fail(
                            p,
                            f"Der Teil {part!r} enthält XML-Entitätsdefinitionen (\u201eXML-Bombe\u201c); die "
                            "Datei wird nicht geöffnet. " + _TODO_RESAVE_DE,
                            f"Part {part!r} declares XML entities (XML bomb); the file is not opened. "
                            + _TODO_RESAVE_EN,
                        )
                    m = _DIM_RE.search(buf[:65536])
                    if m:
                        declared = m.group(1).decode("ascii", "replace")
                    first = False
                # Only look at complete tags: keep the unfinished end for the next chunk.
                cut = buf.rfind(b"<")
                if cut < 0 or len(buf) - cut > _MAX_ROW_LEN:
                    cut = len(buf)
                # the complete tags are buf[:cut] (searched in place, not copied)
                tail = buf[cut:]
                colon = buf.find(b":", 0, cut) >= 0  # namespace prefixes (rare inside sheet data): a byte search
                # (literal searches through compiled patterns: faster than ``in`` for these needles)
                prefixed = colon and _COLON_ROW.search(buf, 0, cut) is not None  # else no row tag has a prefix
                # every row tag once: its r attribute, or b"" when it has none (counted all the same)
                rows = (_ROW_ANY if prefixed else _ROW_ANY_PLAIN).findall(buf, 0, cut)
                if rows:
                    n_rows += len(rows)
                    numbered = [r for r in rows if r]
                    if numbered:
                        max_row = max(max_row, max(map(int, numbered)))
                # Columns beyond Z have two or more letters (followed by the row number); A..Z can
                # only give 26 columns. Only references beyond the widest so far are looked for, the
                # width of the first rows first (else every reference of the first chunk matches).
                max_col = _max_col_in(buf, _max_col_in(buf, max_col, min(cut, _WIDTH_PROBE)), cut)
                if not hint:
                    edge = hint_tail + buf[:min(cut, _HINT_OVERLAP)]
                    if _FLAG_PLAIN.search(buf, 0, cut) or (
                        ((colon and _COLON_F.search(buf, 0, cut)) or _ERROR_TYPE.search(buf, 0, cut))
                        and _FLAG_HINT.search(buf, 0, cut)
                    ) or _FLAG_HINT.search(edge):
                        hint = True
                    hint_tail = buf[max(0, cut - _HINT_OVERLAP):cut]
                rows_now = max(max_row, n_rows)
                if rows_now > lim.max_rows or max_col > lim.max_columns:
                    _refuse_extent(p, sheet, rows_now, max_col, lim)
    except InputFileError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, ValueError):
        raise _damaged(p, part) from None
    if not hint and tail:
        hint = _FLAG_HINT.search(hint_tail + tail) is not None
    return SheetDimensions(sheet=sheet, part=part, rows=max(max_row, n_rows), columns=max_col, declared=declared,
                           flag_hint=hint)


def _refuse_extent(p: Path, sheet: str, rows: int, cols: int, lim: Limits) -> None:
    """Refuse a sheet (or, ``sheet=""``, a CSV table) beyond the row or column limit."""
    shown = quote_input(sheet, 60)
    what_de, what_en = (f"Das Blatt »{shown}«", f"Sheet '{shown}'") if sheet else ("Die Tabelle", "The table")
    if cols > lim.max_columns:
        de = (
            f"{what_de} hat mindestens {_de(cols)} Spalten, erlaubt sind {_de(lim.max_columns)}. "
            "Meist stehen weit rechts versehentlich Inhalte oder Formatierungen: bitte überzählige Spalten "
            "löschen und neu speichern, oder die Grenze erhöhen (BAUSTEIN_MAX_COLUMNS, siehe SECURITY.md)."
        )
        en = (
            f"{what_en} has at least {cols:,} columns; the limit is {lim.max_columns:,}. Usually stray "
            "content or formatting far to the right: please delete the extra columns and save again, or raise the "
            "limit (BAUSTEIN_MAX_COLUMNS, see SECURITY.md)."
        )
    else:
        de = (
            f"{what_de} hat mindestens {_de(rows)} Zeilen, erlaubt sind {_de(lim.max_rows)}. Bitte "
            "überzählige (auch leere, formatierte) Zeilen löschen, die Datei aufteilen oder die Grenze "
            "erhöhen (BAUSTEIN_MAX_ROWS, siehe SECURITY.md)."
        )
        en = (
            f"{what_en} has at least {rows:,} rows; the limit is {lim.max_rows:,}. Please delete extra "
            "(also empty, formatted) rows, split the file, or raise the limit (BAUSTEIN_MAX_ROWS, see "
            "SECURITY.md)."
        )
    raise _fail(p, de, en)


def sheet_dimensions(
    path: str | os.PathLike[str], limits: Limits | None = None
) -> tuple[SheetDimensions, ...]:
    """Real number of rows and columns of every worksheet of an xlsx/xlsm file, without a reader.

    The declared ``<dimension ref=...>`` is recorded but not trusted (writers omit it or get it
    wrong; a hostile file can lie). Instead each sheet's XML is streamed once and the highest row
    number and column letter of any cell are taken. The scan stops and raises as soon as a limit is
    exceeded, so a 16,384-column sheet is refused after its first row.

    Parameters
    ----------
    path : str or path-like
        An xlsx or xlsm file (checked with :func:`inspect_file`'s zip checks first).
    limits : Limits, optional
        Default :meth:`Limits.from_env`.

    Returns
    -------
    tuple of SheetDimensions
        One entry per worksheet in workbook order.

    Raises
    ------
    core.errors.InputFileError
        Not an xlsx/xlsm file, damaged, or a sheet beyond ``max_rows`` / ``max_columns``.
    """
    info = inspect_file(path, limits)
    if info.kind not in {"xlsx", "xlsm"}:
        raise _fail(
            info.path,
            f"Nur für Excel-Arbeitsmappen (.xlsx) möglich, diese Datei ist {info.kind}.",
            f"Only possible for Excel workbooks (.xlsx); this file is {info.kind}.",
        )
    return info.dimensions


# ----------------------------------------------------------------------------- OLE2 containers
def _inspect_ole2(p: Path, base: dict[str, Any]) -> FileInfo:
    try:
        import olefile
    except ImportError:  # pragma: no cover - olefile is a dependency of msoffcrypto-tool
        olefile = None
    streams: set[str] = set()
    if olefile is not None:
        try:
            with olefile.OleFileIO(str(p)) as ole:
                streams = {"/".join(s) for s in ole.listdir(streams=True, storages=True)}
        except Exception:  # olefile raises many types on damaged files
            raise _fail(
                p,
                "Die Datei ist beschädigt oder unvollständig (altes Office-Format). Bitte die Datei erneut "
                "exportieren oder die Originaldatei noch einmal schicken lassen.",
                "The file is damaged or incomplete (legacy Office format). Please export it again or ask for "
                "the original file once more.",
            ) from None
    top = {s.split("/")[0] for s in streams}
    if "EncryptedPackage" in top or "EncryptionInfo" in top:
        raise _fail(
            p,
            "Die Datei ist mit einem Passwort geschützt (verschlüsselt) und kann nicht gelesen werden. Bitte "
            "in Excel öffnen und ohne Passwort speichern: Datei > Informationen > Arbeitsmappe schützen > Mit "
            "Kennwort verschlüsseln > Kennwort löschen > OK, dann speichern. (LibreOffice: Datei > Speichern "
            "unter, Häkchen \u201eMit Kennwort speichern\u201c entfernen.) Schicken Sie das Passwort nicht mit.",
            "The file is password-protected (encrypted) and cannot be read. Please open it in Excel and save "
            "it without a password: File > Info > Protect Workbook > Encrypt with Password > clear the "
            "password > OK, then save. (LibreOffice: File > Save As, untick 'Save with password'.) Do not send "
            "the password along.",
        )
    if "Workbook" in top or "Book" in top:
        if _xls_is_encrypted(p):
            raise _fail(
                p,
                "Die alte Excel-Datei (.xls) ist mit einem Passwort geschützt. Bitte in Excel öffnen und als "
                ".xlsx ohne Passwort speichern (Datei > Speichern unter > Tools > Allgemeine Optionen > "
                "Kennwort löschen).",
                "The legacy Excel file (.xls) is password-protected. Please open it in Excel and save it as "
                ".xlsx without a password (File > Save As > Tools > General Options > clear the password).",
            )
        has_macros = "_VBA_PROJECT_CUR" in top or "Macros" in top
        notes = [_MACRO_NOTE] if has_macros else []
        notes.append(
            "Altes Excel-Format (.xls): wird gelesen; besser als .xlsx speichern. / "
            "Legacy Excel format (.xls): read, but saving as .xlsx is better."
        )
        return FileInfo(kind="xls", has_macros=has_macros, notes=tuple(notes), **base)
    if "WordDocument" in top:
        raise _not_spreadsheet(p, "ein altes Word-Dokument (.doc)", "a legacy Word document (.doc)")
    if "PowerPoint Document" in top:
        raise _not_spreadsheet(p, "eine alte PowerPoint-Präsentation", "a legacy PowerPoint presentation")
    raise _not_spreadsheet(p, "eine unbekannte Office-Datei", "an unknown Office file")


def _xls_is_encrypted(p: Path) -> bool:
    try:
        import msoffcrypto

        with p.open("rb") as f:
            return bool(msoffcrypto.OfficeFile(f).is_encrypted())
    except Exception:  # damaged BIFF stream: let the reader report it with row context
        return False


# ----------------------------------------------------------------------------- text (CSV)
_TEXT_SAMPLE = 64 * 1024
_HTML_START = re.compile(rb"^\s*<(?:!doctype\s+html|html|table)\b", re.IGNORECASE)
_XML_START = re.compile(rb"^\s*<\?xml", re.IGNORECASE)
_CP1252_UNDEFINED = {0x81, 0x8D, 0x8F, 0x90, 0x9D}


def _inspect_text(p: Path, base: dict[str, Any], lim: Limits) -> FileInfo:
    data = p.read_bytes()  # bounded by max_file_bytes, checked before
    notes: list[str] = []
    extra: dict[str, Any] = {}
    if data.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif (bom_less := _utf16_without_bom(data[:_TEXT_SAMPLE])) is not None:
        encoding = bom_less
        notes.append(
            f"Die Textdatei ist UTF-16 ohne Byte-Order-Mark (gelesen als {encoding}). / "
            f"The text file is UTF-16 without a byte-order mark (read as {encoding})."
        )
    else:
        if b"\x00" in data:
            if not _text_apart_from_nul(data[:_TEXT_SAMPLE]):
                raise _not_spreadsheet(p, "eine Binärdatei unbekannten Formats", "a binary file of unknown format")
            extra["nul_lines"] = _lines_with(data, b"\x00")
            data = data.replace(b"\x00", b"")
            notes.append(
                f"{sum(n for _, n in extra['nul_lines'])} Null-Bytes (NUL) in {len(extra['nul_lines'])} Zeile(n) "
                "entfernt; der Rest ist Text. / "
                f"{sum(n for _, n in extra['nul_lines'])} null bytes (NUL) removed on {len(extra['nul_lines'])} "
                "line(s); the rest is text."
            )
        encoding, fallback = _text_encoding(data)
        if fallback:
            extra["fallback_lines"] = fallback
            notes.append(
                f"UTF-8 mit {len(fallback)} Zeile(n) in Windows-1252 (Zeile {', '.join(map(str, fallback[:5]))}"
                f"{' …' if len(fallback) > 5 else ''}); diese Zeilen wurden einzeln als Windows-1252 gelesen. / "
                f"UTF-8 with {len(fallback)} line(s) in Windows-1252; those lines were read as Windows-1252."
            )
        elif encoding != "utf-8":
            notes.append(
                f"Die Textdatei ist nicht UTF-8, sondern vermutlich Windows-1252 (gelesen als {encoding}); "
                "bitte Umlaute prüfen. / The text file is not UTF-8 but probably Windows-1252 "
                f"(read as {encoding}); please check umlauts."
            )
    sample = data[:_TEXT_SAMPLE]
    text = sample.decode(encoding, errors="replace")
    head = text.lstrip("\ufeff").encode("utf-8", "replace")[:2048]
    if _HTML_START.match(head):
        raise _fail(
            p,
            "Das ist eine HTML-Seite, keine echte Excel-Datei (manche Umfragewerkzeuge exportieren so). "
            + _TODO_RESAVE_DE,
            "This is an HTML page, not a real Excel file (some survey tools export like that). " + _TODO_RESAVE_EN,
        )
    if _XML_START.match(head):
        raise _fail(
            p,
            "Das ist eine XML-Datei (z. B. \u201eXML-Kalkulationstabelle 2003\u201c), keine .xlsx-Datei. "
            + _TODO_RESAVE_DE,
            "This is an XML file (e.g. 'XML Spreadsheet 2003'), not an .xlsx file. " + _TODO_RESAVE_EN,
        )
    if not text.strip("\ufeff \t\r\n"):
        raise _fail(
            p,
            "Die Textdatei enthält keine Daten (nur Leerzeichen oder Zeilenumbrüche). Bitte erneut exportieren.",
            "The text file holds no data (only blanks or line breaks). Please export it again.",
        )
    delimiter = _guess_delimiter(text)
    _check_text_extent(p, data, encoding, delimiter, lim)
    if delimiter == ";":
        notes.append(
            "Semikolon als Trennzeichen (deutsches Excel); Zahlen mit Dezimalkomma werden erkannt. / "
            "Semicolon-separated (German Excel); decimal commas are recognised."
        )
    return FileInfo(kind="csv", encoding=encoding, delimiter=delimiter, notes=tuple(notes), **extra, **base)


def _utf16_without_bom(sample: bytes) -> str | None:
    """``utf-16-le``/``utf-16-be`` when every other byte of a text sample is NUL (ASCII text in UTF-16)."""
    if len(sample) < 8:
        return None
    even, odd = sample[0::2], sample[1::2]
    for enc, zeros, chars in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if zeros.count(0) >= 0.95 * len(zeros) and chars.count(0) == 0:
            return enc
    return None


#: Control bytes that never occur in text (TAB, LF, FF, CR and ESC excluded).
_BINARY_CONTROLS = bytes([*range(1, 9), 11, *range(14, 27), *range(28, 32)])


def _text_apart_from_nul(sample: bytes) -> bool:
    """Whether a sample with NUL bytes is text otherwise: few NULs (at most 5 % or 64) and almost no
    other control bytes (at most 0.1 %) -- a stray NUL from a broken export, not a binary format."""
    rest = sample.replace(b"\x00", b"")
    controls = len(rest) - len(rest.translate(None, _BINARY_CONTROLS))
    return len(sample) - len(rest) <= max(0.05 * len(sample), 64) and controls <= 0.001 * max(len(rest), 1)


def _line_of(data: bytes, offsets: Any) -> Any:
    """1-based line number of each byte offset."""
    import numpy as np

    newlines = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
    return np.searchsorted(newlines, np.asarray(offsets, dtype=np.int64), side="left") + 1


def _lines_with(data: bytes, byte: bytes) -> tuple[tuple[int, int], ...]:
    """(line, count) of every line holding ``byte``."""
    import numpy as np

    pos = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == byte[0])
    lines, counts = np.unique(_line_of(data, pos), return_counts=True)
    return tuple(zip(lines.tolist(), counts.tolist(), strict=True))


#: At most this many invalid UTF-8 sequences are located (a Windows-1252 file has one per umlaut).
_MAX_UTF8_ERRORS = 100_000


def _text_encoding(data: bytes) -> tuple[str, tuple[int, ...]]:
    """Codec of a text without BOM, and the lines that need the Windows-1252 fallback.

    ``("utf-8", ())`` for clean UTF-8. A UTF-8 file with a few lines in Windows-1252 (a line pasted
    from another program, a file appended to another) is ``("utf-8", lines)``: it has more valid
    multi-byte UTF-8 than invalid bytes, and only the invalid bytes are read as Windows-1252
    (``surveys.importing.readers``). Anything else is ``cp1252`` (``latin-1`` when it uses bytes
    Windows-1252 leaves undefined).
    """
    errors: list[int] = []
    bad_bytes = 0
    view = memoryview(data)
    pos = 0
    while pos < len(data) and len(errors) < _MAX_UTF8_ERRORS:
        try:
            codecs.utf_8_decode(view[pos:], "strict", True)
            break
        except UnicodeDecodeError as exc:
            errors.append(pos + exc.start)
            bad_bytes += exc.end - exc.start
            pos += exc.end
    if not errors:
        return "utf-8", ()
    non_ascii = len(data.translate(None, bytes(range(128))))  # bytes >= 0x80
    if non_ascii - bad_bytes > bad_bytes and len(errors) < _MAX_UTF8_ERRORS:
        return "utf-8", tuple(sorted(set(_line_of(data, errors).tolist())))
    undefined = bytes(_CP1252_UNDEFINED)
    return ("latin-1" if len(data.translate(None, undefined)) < len(data) else "cp1252"), ()


def _check_text_extent(p: Path, data: bytes, encoding: str, delimiter: str | None, lim: Limits) -> None:
    """Refuse a CSV beyond the row or column limits before any parser sees it (the limits of xlsx).

    Lines and delimiters are counted on the bytes (NumPy, no parsing); only when a count exceeds a
    limit are records counted exactly (quoted line breaks and delimiters do not count).
    """
    import numpy as np

    if encoding.startswith("utf-16"):
        data = data.decode(encoding, errors="replace").encode("utf-8")
    arr = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(arr == 10)
    n_lines = len(newlines) + (1 if len(data) and data[-1:] != b"\n" else 0)
    cols_upper = 1
    if delimiter:
        hits = np.flatnonzero(arr == ord(delimiter))
        if len(hits):
            per_line = np.bincount(np.searchsorted(newlines, hits, side="left"))
            cols_upper = int(per_line.max()) + 1
    if n_lines - 1 <= lim.max_rows and cols_upper <= lim.max_columns:
        return
    text = data.decode(encoding if not encoding.startswith("utf-16") else "utf-8", errors="replace")
    for rows, record in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter or ","), start=1):
        if len(record) > lim.max_columns or rows - 1 > lim.max_rows:
            _refuse_extent(p, "", rows, len(record), lim)
def _guess_delimiter(text: str) -> str | None:
    lines = [ln for ln in text.splitlines()[:50] if ln.strip()]
    if len(lines) > 1:
        lines = lines[:-1]  # the sample may end mid-line
    sample = "\n".join(lines)
    try:
        return csv.Sniffer().sniff(sample, delimiters=";,\t|").delimiter
    except csv.Error:
        counts = {d: sample.count(d) for d in ";,\t|"}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else None

