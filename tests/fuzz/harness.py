"""Shared pieces of the importer fuzzers (Hypothesis in ``make test``, atheris in ``make fuzz``).

:func:`check_import` is the oracle: importing any file may only end in a result whose counts
reconcile (``rows_in == rows_accepted + rows_rejected``, one respondent per accepted row, every
item once per respondent) or in a :class:`~core.errors.BausteinError`; nothing is written next
to the input. :func:`seed_files` are valid inputs to mutate; :func:`write_table` writes a table of
arbitrary cell contents as xlsx or CSV.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from core.errors import BausteinError

#: Headers the importer knows (template, Kobo, SoSci ...) mixed with junk, for structured fuzzing.
KNOWN_HEADERS = [
    "Fragebogen-Nr.", "respondent_id", "AGS", "ags", "Rolle", "role", "Welle", "wave", "Datum",
    "submitted_at", "Anmerkungen", "comment", "KOM01", "KOM02", "KOM03", "ENG01", "STR01", "_uuid",
    "CASE", "KO01_01", "", "Summe",
]
#: Cell contents that have broken spreadsheet importers before.
NASTY_CELLS = [
    None, "", " ", "=1/0", "=HYPERLINK(\"http://x\",\"y\")", "+1", "-1", "@SUM(A1)", "\t", "\r\n",
    "#DIV/0!", "#N/A", "NA", "None", "nan", "-9", "-1", "0", "1", "5", "6", "3,5", "1.234,5", "1e308",
    "08111000", "8111000", "99999999", "ü" * 3, "\u202e\u0000", "\ud7ff", "<script>alert(1)</script>",
    "trifft voll zu", "weiß nicht", "2025", "29.02.2025", "2025-03-01 12:00", 3, 4.5, -9, 1e308, True,
]


def seed_files() -> dict[str, bytes]:
    """Valid inputs (suffix -> bytes) built from the bad-input corpus' good files."""
    import tempfile

    from tests.data.bad.corpus import build_file

    out: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory() as d:
        for name in (
            "Gemeinde Öhningen – Antworten (1).xlsx", "macros.xlsm", "legacy.xls", "answers.ods", "cp1252.csv",
            "utf8-bom.csv", "error-cells.xlsx", "formulas-no-cache.xlsx", "date1904.xlsx", "sosci.sav",
        ):
            out[name] = build_file(name, d).read_bytes()
    return out


def write_table(path: Path, header: list[Any], rows: list[list[Any]], fmt: str, delimiter: str = ";",
                encoding: str = "utf-8") -> Path:
    """Write ``header`` + ``rows`` (arbitrary cell values) as ``xlsx`` (openpyxl) or ``csv``."""
    if fmt == "xlsx":
        import openpyxl

        wb = openpyxl.Workbook(write_only=True)
        ws = wb.create_sheet("Antworten")
        for r in [header, *rows]:
            ws.append([_xlsx_safe(v) for v in r])
        wb.save(path)
    else:
        buf = io.StringIO()
        w = csv.writer(buf, delimiter=delimiter)
        for r in [header, *rows]:
            w.writerow(["" if v is None else str(v) for v in r])
        path.write_bytes(buf.getvalue().encode(encoding, errors="replace"))
    return path


_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xlsx_safe(v: Any) -> Any:
    """Characters XML 1.0 cannot hold (a workbook cannot contain them) become '?'; strings starting
    with '=' become formulas without cached values (wanted)."""
    if isinstance(v, str):
        return _NOT_XML.sub("?", v)[:32767]
    return v


def check_import(path: Path, **options: Any) -> Any:
    """Import ``path`` and check the invariants; returns the result, or None for a BausteinError.

    Any other exception is a bug and propagates (the fuzzer's crash).
    """
    from surveys.importing import read_responses

    before = sorted(p.name for p in path.parent.iterdir())
    try:
        result = read_responses([path], "sensibilisierung", jobs=1, progress=False, **options)
    except BausteinError:
        result = None
    after = sorted(p.name for p in path.parent.iterdir())
    assert before == after, f"the import wrote files next to its input: {set(after) - set(before)}"
    if result is None:
        return None
    t = result.manifest["totals"]
    assert t["rows_in"] == t["rows_accepted"] + t["rows_rejected"], t
    for f in result.manifest["inputs"]:
        assert f["rows_in"] == f["rows_accepted"] + f["rows_rejected"], f
    n_items = len(result.dataset.instrument.items)
    assert len(result.dataset.respondents) == t["rows_accepted"]
    assert len(result.dataset.responses) == t["rows_accepted"] * n_items
    assert result.dataset.respondents["respondent_id"].is_unique
    if t["rows_rejected"]:
        rejecting = result.rejections["action"].isin(["row_rejected", "file_rejected"])
        assert rejecting.any(), "rows were rejected without a finding saying so"
    if t["files_unreadable"]:
        assert (result.rejections["code"] == "file_unreadable").any()
    return result
