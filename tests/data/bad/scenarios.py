"""Hostile and odd *deliveries* (folders of files), built by code, with what ``baustein import`` must do.

The single-file corpus (:mod:`tests.data.bad.corpus`) covers what one file can do wrong; these
scenarios cover what a delivery can do (issue 13): the same rows re-saved in another file, AGS in
other scripts' digits, wave labels that are no waves, hidden files and sheets, links leading out of
the folder, control characters in file names, formulas in cells that end up in the rejection report.

:func:`build_scenario` writes one scenario's input folder; :data:`SCENARIOS` says what an import
of it must give: exit code, words in the console output, manifest totals (which always reconcile),
the number of findings per code, words that must never appear anywhere (a link target's content),
and the number of municipalities.

Usage
-----
>>> from tests.data.bad.scenarios import SCENARIOS, build_scenario      # doctest: +SKIP
>>> folder = build_scenario("resaved-copy", tmp_path / "eingang")        # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "HEADER", "SCENARIOS", "Scenario", "build_scenario", "exit_code", "rows", "run_cli", "write_csv", "write_xlsx",
]

#: Header of the scenario files: respondent ID, AGS, wave, date and two items of the instrument.
HEADER = ["Fragebogen-Nr.", "AGS", "Welle", "Datum", "KOM01", "KOM02"]
AGS = "08335063"


@dataclass(frozen=True)
class Scenario:
    """What an import of a scenario's folder must give.

    Attributes
    ----------
    what : str
        The delivery, in a sentence.
    outcome : {"clean", "rejected", "nothing", "refused"}
        What ``baustein import FOLDER --out DIR`` does: imports without an error finding, imports
        with rejected rows or cells, imports nothing, refuses before reading (a user error);
        :func:`exit_code` gives the exit code the command documents for it.
    totals : dict
        Expected manifest totals (a subset: ``rows_in``, ``rows_accepted``, ``rows_rejected``,
        ``files``, ``files_skipped``); empty when no manifest is written (exit code 2).
    findings : dict
        Finding code -> exact number of findings in the rejection report.
    words : tuple of str
        Must appear in the console output (stdout and stderr).
    finding_words : dict
        Finding code -> a word its German message must contain (e.g. the other file's name).
    never : tuple of str
        Must appear nowhere: console, rejection report, manifest, dataset tables.
    never_printed : tuple of str
        Must appear neither in the console output nor in the rejection report.
    args : tuple of str
        Extra command-line arguments.
    municipalities : int or None
        Rows of the dataset's municipalities table.
    symlinks : bool
        Needs symbolic links (skipped where the file system has none).
    """

    what: str
    outcome: str = "clean"
    totals: dict[str, int] = field(default_factory=dict)
    findings: dict[str, int] = field(default_factory=dict)
    words: tuple[str, ...] = ()
    finding_words: dict[str, str] = field(default_factory=dict)
    never: tuple[str, ...] = ()
    never_printed: tuple[str, ...] = ()
    args: tuple[str, ...] = ()
    municipalities: int | None = None
    symlinks: bool = False


def rows(n: int, ags: str = AGS, wave: str = "2025", first_id: int = 1, dated: bool = True) -> list[list[object]]:
    """``n`` answer rows of :data:`HEADER` (IDs from ``first_id``; no ID and date with ``dated=False``)."""
    return [
        [first_id + i if dated else None, ags, wave, f"0{1 + i % 9}.03.2025 12:00" if dated else None,
         (i % 5) + 1, ((i + 2) % 5) + 1]
        for i in range(n)
    ]


def write_xlsx(path: Path, sheets: dict[str, list[list[object]]], states: dict[str, str] | None = None) -> Path:
    """A workbook with one sheet per entry (rows as given), sheet states (``hidden``, ``veryHidden``)."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, table in sheets.items():
        ws = wb.create_sheet(name)
        for r in table:
            ws.append(r)
        ws.sheet_state = (states or {}).get(name, "visible")
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def write_csv(path: Path, table: list[list[object]], encoding: str = "utf-8", sep: str = ";") -> Path:
    buf = io.StringIO()
    csv.writer(buf, delimiter=sep, lineterminator="\r\n").writerows(
        [["" if v is None else v for v in r] for r in table]
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


# ----------------------------------------------------------------------------- builders
def _ags_unicode_digits(folder: Path) -> None:
    variants = [
        AGS, "０８３３５０６３", "٠٨٣٣٥٠٦٣", "۰۸۳۳۵۰۶۳",  # ASCII, fullwidth, Arabic-Indic, Persian
        AGS + "\u200b", "08\u00a0335\u00a0063",  # zero-width space, no-break spaces
        "٠٨٣٣٥٠٦٣x",  # not an AGS in any script
    ]
    table = rows(len(variants))
    for r, ags in zip(table, variants, strict=True):
        r[1] = ags
    write_xlsx(folder / "kommune.xlsx", {"Antworten": [HEADER, *table]})


_BAD_WAVES = ["2025-03-01", "true", "-1", "9" * 301, '=HYPERLINK("http://x","y")', "2025/27"]


def _wave_labels(folder: Path) -> None:
    waves = ["2025", "2025/26", "Welle 2", *_BAD_WAVES]
    table = rows(len(waves))
    for r, w in zip(table, waves, strict=True):
        r[2] = w
    write_csv(folder / "wellen.csv", [HEADER, *table])


def _wave_option_formula(folder: Path) -> None:
    write_csv(folder / "ohne-welle.csv", [[h for h in HEADER if h != "Welle"], *[r[:2] + r[3:] for r in rows(3)]])


def _resaved_copy(folder: Path) -> None:
    table = [HEADER, *rows(6)]
    write_xlsx(folder / "Gemeinde A.xlsx", {"Antworten": table})
    write_csv(folder / "Gemeinde A (erneut gespeichert).csv", table)  # same rows, other bytes and format


def _straight_liners(folder: Path) -> None:
    same = [None, AGS, "2025", None, 5, 5]  # no ID, no date: two people may tick the same boxes
    write_csv(folder / "a.csv", [HEADER, same, *rows(3, dated=False)])
    write_csv(folder / "b.csv", [HEADER, same, [None, AGS, "2025", None, 1, 2]])


def _dot_files(folder: Path) -> None:
    write_xlsx(folder / "kommune.xlsx", {"Antworten": [HEADER, *rows(6)]})
    write_xlsx(folder / ".versteckt.xlsx", {"Antworten": [HEADER, *rows(6, first_id=100)]})
    (folder / "._kommune.xlsx").write_bytes(b"\x00\x05\x16\x07" + b"\x00" * 60)  # macOS AppleDouble
    write_xlsx(folder / ".papierkorb" / "alt.xlsx", {"Antworten": [HEADER, *rows(2, first_id=200)]})
    (folder / "~$kommune.xlsx").write_bytes(b"\x05lock")  # Excel's lock file: never data, no finding


def _hidden_answer_sheet(folder: Path) -> None:
    write_xlsx(
        folder / "kommune.xlsx",
        {
            "Antworten": [HEADER, *rows(6)],
            "Antworten alt": [HEADER, *rows(10, first_id=50)],
            "Notizen": [["Notiz"], ["bitte anrufen"], ["Rückfrage offen"]],
        },
        states={"Antworten alt": "veryHidden", "Notizen": "hidden"},
    )


SECRET = "GEHEIM-ZEILE-7f3a"
OUTSIDE = "zielordner-ausserhalb"


def _symlink_outside(folder: Path) -> None:
    write_xlsx(folder / "kommune.xlsx", {"Antworten": [HEADER, *rows(6)]})
    outside = folder.parent / OUTSIDE
    write_csv(outside / "secret.csv", [[SECRET, "x"], *[[AGS, "1"]] * 3])
    os.symlink(outside / "secret.csv", folder / "geheim.csv")
    os.symlink(outside, folder / "ordner", target_is_directory=True)
    os.symlink(outside / "gibt-es-nicht.csv", folder / "kaputt.csv")
    os.symlink(folder / "kommune.xlsx", folder / "verweis-innen.xlsx")  # inside: read (a duplicate)


def _control_chars_in_names(folder: Path) -> None:
    table = rows(4)
    table[0][1] = "08-335-063"  # an error finding, printed to the console with the file name
    write_xlsx(folder / "böse\x1b[31m\rname\u202e.xlsx", {"Antworten": [HEADER, *table]})


def _formula_in_cells(folder: Path) -> None:
    table = rows(4)
    table[0][3] = "\r=1+1"  # a date cell that would become a record "=1+1" in a line-based reader
    table[1][1] = "=1+2"  # an AGS that is a formula (invalid AGS, quoted in the message)
    table[2][3] = " @SUM(A1)"
    write_csv(folder / "formeln.csv", [HEADER, *table])


_BUILDERS: dict[str, Callable[[Path], None]] = {
    "ags-unicode-digits": _ags_unicode_digits,
    "wave-labels": _wave_labels,
    "wave-option-formula": _wave_option_formula,
    "resaved-copy": _resaved_copy,
    "straight-liners-no-id": _straight_liners,
    "dot-files": _dot_files,
    "hidden-answer-sheet": _hidden_answer_sheet,
    "symlink-outside": _symlink_outside,
    "control-chars-in-names": _control_chars_in_names,
    "formula-in-cells": _formula_in_cells,
}

SCENARIOS: dict[str, Scenario] = {
    "ags-unicode-digits": Scenario(
        "AGS of one municipality in ASCII, fullwidth, Arabic-Indic and Persian digits, with a zero-width "
        "space and no-break spaces; one AGS that is none in any script",
        outcome="rejected",
        totals={"rows_in": 7, "rows_accepted": 6, "rows_rejected": 1},
        findings={"ags_normalised": 5, "ags_invalid": 1}, finding_words={"ags_normalised": AGS},
        municipalities=1,
    ),
    "wave-labels": Scenario(
        "wave labels 2025, 2025/26, Welle 2 (valid) and a date, 'true', '-1', a 301-digit number, a formula, "
        "2025/27 (invalid)",
        outcome="rejected",
        totals={"rows_in": 9, "rows_accepted": 3, "rows_rejected": 6},
        findings={"wave_invalid": 6}, finding_words={"wave_invalid": "Welle 1"},
    ),
    "wave-option-formula": Scenario(
        "a formula given as --wave for rows without a wave", outcome="refused",
        words=("--wave", "Befragungswelle"), args=("--wave", '=HYPERLINK("http://x","y")'),
    ),
    "resaved-copy": Scenario(
        "the same six rows as .xlsx and as a re-saved .csv (other bytes, other format)",
        outcome="rejected",
        totals={"files": 2, "rows_in": 12, "rows_accepted": 6, "rows_rejected": 6},
        findings={"content_duplicate": 6}, finding_words={"content_duplicate": "Gemeinde A"},
    ),
    "straight-liners-no-id": Scenario(
        "two files each with one row of identical answers but neither ID nor date: two people",
        totals={"rows_in": 6, "rows_accepted": 6, "rows_rejected": 0}, findings={"content_duplicate": 0},
    ),
    "dot-files": Scenario(
        "a workbook beside a dot file, a macOS '._' companion, a workbook in a dot folder and an Excel lock file",
        totals={"files": 1, "files_skipped": 3, "rows_in": 6, "rows_accepted": 6},
        findings={"input_hidden": 3},
    ),
    "hidden-answer-sheet": Scenario(
        "answers in a visible sheet, ten more in a very hidden sheet, notes in a hidden sheet",
        outcome="rejected",
        totals={"rows_in": 16, "rows_accepted": 6, "rows_rejected": 10},
        findings={"answer_sheet_not_read": 10, "hidden_sheet_data": 1},
        finding_words={"answer_sheet_not_read": "Antworten"},
    ),
    "symlink-outside": Scenario(
        "links to a file and a folder outside the delivery, a broken link, a link inside",
        outcome="rejected",
        totals={"files": 2, "files_skipped": 3, "rows_in": 12, "rows_accepted": 6, "rows_rejected": 6},
        findings={"input_symlink": 3, "file_duplicate": 6}, never=(SECRET, OUTSIDE), symlinks=True,
    ),
    "control-chars-in-names": Scenario(
        "a file name with an escape sequence, a carriage return and a right-to-left override; an error in it",
        outcome="rejected",
        totals={"rows_in": 4, "rows_accepted": 3, "rows_rejected": 1}, findings={"ags_invalid": 1},
        words=("\\x1b", "\\x0d"), never_printed=("\x1b", "\r", "\u202e"),
    ),
    "formula-in-cells": Scenario(
        "a date cell '\\r=1+1', an AGS '=1+2' and a date ' @SUM(A1)'",
        outcome="rejected",
        totals={"rows_in": 4, "rows_accepted": 3, "rows_rejected": 1},
        findings={"ags_invalid": 1, "date_invalid": 2},
    ),
}


def exit_code(outcome: str) -> int:
    """The exit code ``baustein import`` documents for an outcome of :class:`Scenario`.

    With ``cli.messages`` (documented exit codes, issue 12): 0 clean, 1 imported with rejected rows
    or cells, 2 nothing imported or a user error; before it: 0 imported, 1 nothing imported, 2 a
    user error.
    """
    try:
        from cli.messages import EXIT_CLEAN, EXIT_REJECTED, EXIT_USER  # type: ignore[import-not-found]
    except ImportError:
        return {"clean": 0, "rejected": 0, "nothing": 1, "refused": 2}[outcome]
    return {"clean": EXIT_CLEAN, "rejected": EXIT_REJECTED, "nothing": EXIT_USER, "refused": EXIT_USER}[outcome]


def build_scenario(name: str, folder: str | Path) -> Path:
    """Write scenario ``name``'s delivery into ``folder`` (created) and return it."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    _BUILDERS[name](folder)
    return folder


def run_cli(argv: list[str]) -> tuple[int, str]:
    """Run the ``baustein`` command in-process: (exit code, stdout and stderr together)."""
    from cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(argv)
    return rc, out.getvalue() + err.getvalue()
