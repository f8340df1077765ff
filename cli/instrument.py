"""``baustein instrument``: export the instrument, check an XLSForm, draft from a Baustein.

Sub-commands::

    baustein instrument export --format xlsform  --out sensibilisierung-xlsform.xlsx
    baustein instrument export --format template --out vorlage.xlsx [--lang de|en]
    baustein instrument export --format codebook --out codebook.md   (or .xlsx)
    baustein instrument check FILE.xlsx          exit 0 clean, 1 errors found (each problem
                                                 with file, sheet, row and column, de + en)
    baustein instrument from-baustein DOC --out draft.xlsx

``--instrument`` takes a packaged instrument name (default ``sensibilisierung``) or a file
(``.yaml`` or an XLSForm ``.xlsx``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from core.errors import BausteinError
from core.problems import quote_input
from surveys import load_instrument
from surveys.instrument import Instrument

DEFAULT_INSTRUMENT = "sensibilisierung"
EXPORT_FORMATS = ("xlsform", "template", "codebook")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``instrument`` command and its sub-commands to the ``baustein`` parser."""
    parser = subparsers.add_parser(
        "instrument",
        help="Instrument exportieren und prüfen (export and check the instrument)",
        description="Fragebogen (Instrument) als XLSForm, Erfassungsvorlage oder Codebuch "
        "exportieren; XLSForm prüfen; Entwurf aus einem Baustein erzeugen.",
    )
    parser.set_defaults(func=lambda _args: _print_help(parser))
    sub = parser.add_subparsers(dest="instrument_command", metavar="SUBCOMMAND")

    export = sub.add_parser(
        "export",
        help="XLSForm, Vorlage oder Codebuch schreiben (write XLSForm, template or codebook)",
        description="Schreibt das Instrument als XLSForm (KoboToolbox/ODK), als Erfassungsvorlage "
        "für Kommunen oder als Codebuch (.xlsx oder .md).",
    )
    export.add_argument("--format", required=True, choices=EXPORT_FORMATS, help="Ausgabeformat / output format")
    export.add_argument("--out", required=True, type=Path, help="Zieldatei / output file")
    export.add_argument(
        "--instrument",
        default=DEFAULT_INSTRUMENT,
        help=f"Name oder Datei (.yaml, .xlsx) des Instruments (default: {DEFAULT_INSTRUMENT})",
    )
    export.add_argument(
        "--lang", default="de", choices=("de", "en"), help="Sprache der Vorlage / template language"
    )
    export.set_defaults(func=_export)

    check = sub.add_parser(
        "check",
        help="ein (bearbeitetes) XLSForm prüfen (check a user-edited XLSForm)",
        description="Prüft ein XLSForm und nennt jedes Problem mit Blatt und Zeile. "
        "Exit-Code 0: keine Fehler, 1: Fehler gefunden.",
    )
    check.add_argument("file", type=Path, help="XLSForm (.xlsx)")
    check.add_argument("--no-pyxform", action="store_true", help="nur eigene Prüfungen / skip pyxform")
    check.set_defaults(func=_check)

    draft = sub.add_parser(
        "from-baustein",
        help="Instrument-Entwurf aus einem Baustein-Text als XLSForm (draft from a Baustein)",
        description="Liest einen Baustein (Text/PDF), leitet einen Instrument-Entwurf ab und "
        "schreibt ihn als XLSForm zum Bearbeiten in Excel.",
    )
    draft.add_argument("document", type=Path, help="Baustein-Dokument")
    draft.add_argument("--out", required=True, type=Path, help="Ziel-XLSForm (.xlsx)")
    draft.set_defaults(func=_from_baustein)


def _print_help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 1


def _require_xlsx(path: Path, what: str) -> None:
    if path.suffix.lower() != ".xlsx":
        raise BausteinError(
            f"{what}: bitte eine .xlsx-Datei angeben, nicht '{path.name}' "
            f"/ {what}: please give an .xlsx file, not '{path.name}'"
        )


def _export(args: argparse.Namespace) -> int:
    from core.output_folders import own_output_files

    instrument = load_instrument(args.instrument)
    out: Path = args.out
    with own_output_files(out):
        what = _write_instrument(instrument, args.format, out, args.lang)
    print(f"{what} geschrieben / written: {out} ({instrument.name} {instrument.version}, "
          f"{len(instrument.items)} Items)")
    return 0


def _write_instrument(instrument: Instrument, fmt: str, out: Path, lang: str) -> str:
    """Write ``instrument`` as XLSForm, data-entry template or codebook; returns what was written."""
    if fmt == "xlsform":
        from surveys.xlsform import write_xlsform

        _require_xlsx(out, "XLSForm")
        write_xlsform(instrument, out)
        return "XLSForm"
    if fmt == "template":
        from surveys.template import write_template

        _require_xlsx(out, "Vorlage / template")
        write_template(instrument, out, lang=lang)
        return "Erfassungsvorlage / data-entry template"
    from surveys.codebook import write_codebook

    write_codebook(instrument, out)
    return "Codebuch / codebook"


def _check(args: argparse.Namespace) -> int:
    from surveys.xlsform import check_xlsform

    problems = check_xlsform(args.file, use_pyxform=not args.no_pyxform)
    for p in problems:  # German line, English line below it
        error = p.severity == "error"
        print(f"{'Fehler' if error else 'Warnung'}: {p.line('de')}")
        print(f"  {'Error' if error else 'Warning'}: {p.line('en')}")
    n_err = sum(p.severity == "error" for p in problems)
    n_warn = len(problems) - n_err
    name = quote_input(args.file)
    if not problems:
        print(f"{name}: keine Probleme gefunden / no problems found.")
    else:
        print(f"{name}: {n_err} Fehler, {n_warn} Warnung(en) / {n_err} error(s), {n_warn} warning(s).")
    return 1 if n_err else 0


def _from_baustein(args: argparse.Namespace) -> int:
    from core.output_folders import claim_output_file, own_output_files
    from surveys.baustein_reader import draft_from_document
    from surveys.xlsform import write_xlsform

    _require_xlsx(args.out, "XLSForm")
    claim_output_file(args.out)  # before reading the document, not after
    if not Path(args.document).exists():
        raise BausteinError(f"Dokument nicht gefunden / document not found: {args.document}")
    draft = draft_from_document(args.document)
    with own_output_files(args.out):
        write_xlsform(draft, args.out)
    roles = ", ".join(f"{c.id} → {c.role}" for c in draft.constructs if c.role and c.role != "other")
    print(f"Rollen der Konstrukte (Spalte 'construct_role') / construct roles: {roles or '–'}")
    print(
        f"Entwurf geschrieben / draft written: {args.out} ({len(draft.items)} Items in "
        f"{len(draft.constructs)} Konstrukten). Nach dem Bearbeiten prüfen mit / after editing, check "
        f"with: baustein instrument check {args.out}"
    )
    return 0
