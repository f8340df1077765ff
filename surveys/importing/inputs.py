"""Which files an import reads: the files named, and the spreadsheets, CSV and SPSS files in folders.

:func:`scan_inputs` walks folders (never following links out of them) and says which entries it
skipped and why (hidden files, links leading out, output folders of baustein-eval); each becomes a
finding of the import. :func:`collect_inputs` is the list of files alone.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from core.errors import InputFileError
from core.output_folders import output_kind
from core.problems import quote_input

__all__ = ["INPUT_SUFFIXES", "collect_inputs", "display", "scan_inputs"]

INPUT_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".txt", ".tsv", ".sav"}


# ---------------------------------------------------------------- inputs
def collect_inputs(paths: Iterable[str | Path]) -> list[Path]:
    """Files named directly plus spreadsheet/CSV/SPSS files found in folders (recursively), sorted.

    Lock files (``~$…``), hidden files, links leading out of the folder and output folders of
    baustein-eval are skipped; :func:`scan_inputs` also says which and why.
    """
    return scan_inputs(paths)[0]


def scan_inputs(paths: Iterable[str | Path]) -> tuple[list[Path], list[tuple[Path, str, str]]]:
    """:func:`collect_inputs` and the entries skipped inside folders: ``(path, finding code, detail)``.

    Skipped (each a finding of the import, never silently): files with an input extension whose
    name or folder starts with a dot (``input_hidden``); links whose target lies outside the
    folder or does not exist (``input_symlink``: not followed, the target is never opened or
    named); folders carrying the marker of a baustein-eval dataset or report
    (``input_output_folder``). Links inside the folder are not followed either (their targets are
    read where they are). Files and folders named directly are read as named.
    """
    out: list[Path] = []
    skipped: list[tuple[Path, str, str]] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            found, skip = _scan_folder(path)
            out.extend(found)
            skipped.extend(skip)
        elif path.is_file():
            out.append(path)
        else:
            raise InputFileError(
                f"Eingabe nicht gefunden / input not found: {quote_input(path)}. Bitte Pfad prüfen / please "
                "check the path.",
                str(path),
            )
    seen: set[str] = set()
    unique = []
    for f in out:
        key = f.as_posix()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique, skipped


def _scan_folder(root: Path) -> tuple[list[Path], list[tuple[Path, str, str]]]:
    """Input files below ``root`` (sorted) and the entries skipped on the way (see :func:`scan_inputs`)."""
    real_root = root.resolve()
    found: list[Path] = []
    skipped: list[tuple[Path, str, str]] = []

    def outside(link: Path) -> bool:
        target = link.resolve()
        return not target.exists() or (target != real_root and real_root not in target.parents)

    kind = output_kind(root, legacy=True)
    if kind is not None and not kind.readable_input:
        return [], [(root, "input_output_folder", kind.de)]
    for dirpath, dirnames, filenames in os.walk(root):  # never follows links to folders
        base = Path(dirpath)
        hidden_dir = any(part.startswith(".") for part in base.relative_to(root).parts)
        for d in sorted(dirnames):
            sub = base / d
            if sub.is_symlink():
                dirnames.remove(d)
                if outside(sub):
                    skipped.append((sub, "input_symlink", ""))
            elif (k := output_kind(sub, legacy=True)) is not None and not k.readable_input:
                dirnames.remove(d)
                skipped.append((sub, "input_output_folder", k.de))
        for name in filenames:
            f = base / name
            if Path(name).suffix.lower() not in INPUT_SUFFIXES and not f.is_symlink():
                continue
            if name.startswith("~$"):
                continue  # Excel's lock file of an open workbook, never data
            if f.is_symlink() and outside(f):
                skipped.append((f, "input_symlink", ""))
            elif Path(name).suffix.lower() not in INPUT_SUFFIXES:
                continue
            elif hidden_dir or name.startswith("."):
                skipped.append((f, "input_hidden", ""))
            else:
                found.append(f)
    return sorted(found, key=lambda f: f.as_posix()), sorted(skipped, key=lambda s: s[0].as_posix())



def display(path: Path) -> str:
    """How a file is named in the report and the manifest (as given, with forward slashes)."""
    return path.as_posix()

