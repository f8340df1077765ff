"""``baustein import``, ``baustein validate`` and ``baustein export``.

Examples
--------
::

    baustein import data/raw/ --out data/processed/welle2025 --municipalities kommunen.xlsx
    baustein import kobo_export.xlsx --suggest-mapping zuordnung.yaml   # draft, then check it
    baustein import kobo_export.xlsx --mapping zuordnung.yaml --out data/processed/kobo
    baustein validate data/raw/ --report pruefbericht/                   # exit 1 on errors
    baustein export data/processed/welle2025 --format sav
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

__all__ = ["register"]

_FORMATS = ("auto", "template", "kobo", "limesurvey", "sosci", "forms", "csv")


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="Dateien oder Ordner / files or folders (recursive)")
    p.add_argument("--instrument", default="sensibilisierung", help="Name oder Datei (.yaml/.xlsx) des Instruments")
    p.add_argument("--mapping", default=None, help="Zuordnungsdatei (YAML): Spalte -> Item, Antworttext -> Code")
    p.add_argument("--format", default="auto", choices=_FORMATS, help="Format erzwingen (Standard: erkennen)")
    p.add_argument("--municipalities", default=None, metavar="FILE",
                   help="Kommunen-Stammdaten (xlsx/csv); unbekannte AGS werden dann abgelehnt")
    p.add_argument("--strict", action="store_true", help="Datei mit Fehlern vollständig ablehnen / reject whole file")
    p.add_argument("--wave", default=None, help="Welle für Zeilen ohne Angabe / wave for rows without one")
    p.add_argument("--keep-free-text", action="store_true", help="Freitext behalten (Standard: entfernen)")
    p.add_argument("--jobs", type=int, default=None, help="Prozesse / worker processes (Standard: automatisch)")
    p.add_argument("--no-progress", action="store_true", help="keinen Fortschrittsbalken zeigen")
    from core.output_folders import add_wait_option
    from surveys.importing.input_guard import add_limit_options

    add_limit_options(p)
    add_wait_option(p)


def register(subparsers: Any) -> None:
    """Add the ``import``, ``validate`` and ``export`` sub-commands."""
    p = subparsers.add_parser(
        "import",
        help="Antworten importieren / import responses",
        description="Liest Antwortdateien (Vorlage, KoboToolbox, LimeSurvey, SoSci, Forms, CSV), prüft sie und "
        "schreibt den bereinigten Datensatz (Parquet), manifest.json und rejections.xlsx/.csv.",
    )
    _common(p)
    p.add_argument("--out", default=None, metavar="DATASET_DIR", help="Zielordner des Datensatzes")
    p.add_argument("--key-file", default=None, metavar="FILE",
                   help="Schlüsseldatei für Pseudonyme der Fragebogen-Nr. (Standard: $BAUSTEIN_KEY_FILE oder "
                   "~/.config/baustein-eval/pseudonym.key; nie im Ausgabeordner) / pseudonym key file")
    p.add_argument("--report", default=None, metavar="DIR",
                   help="Ordner für den Prüfbericht, falls keine Zeile übernommen wird (Standard: "
                   "DATASET_DIR-pruefbericht) / report folder when nothing is imported")
    p.add_argument("--suggest-mapping", nargs="?", const="mapping-draft.yaml", default=None, metavar="FILE",
                   help="nur einen Entwurf der Zuordnungsdatei schreiben (Standard: mapping-draft.yaml)")
    p.set_defaults(func=_cmd_import)

    v = subparsers.add_parser(
        "validate",
        help="Antworten prüfen, nur Bericht / check responses, report only",
        description="Wie 'import', schreibt aber nur den Prüfbericht; Exit-Code 1 bei Fehlern.",
    )
    _common(v)
    v.add_argument("--report", default="baustein-pruefbericht", metavar="DIR",
                   help="Ordner für rejections.xlsx/.csv und manifest.json")
    v.set_defaults(func=_cmd_validate)

    e = subparsers.add_parser(
        "export",
        help="Datensatz für SPSS/Stata/R/Excel exportieren / export a dataset",
        description="Exportiert einen Datensatz-Ordner mit Variablen- und Wertelabels.",
    )
    e.add_argument("dataset", metavar="DATASET_DIR")
    e.add_argument("--format", required=True, choices=("csv", "xlsx", "sav", "dta"))
    e.add_argument("--out", default=None, metavar="FILE", help="Zieldatei (Standard: DATASET_DIR/export/...)")
    e.set_defaults(func=_cmd_export)


def _read(args: argparse.Namespace) -> Any:
    from surveys.importing import read_responses
    from surveys.importing.input_guard import Limits

    try:
        limits = Limits.from_options(args)
    except ValueError as exc:
        from core.errors import BausteinError

        raise BausteinError(str(exc)) from None
    return read_responses(
        args.inputs,
        args.instrument,
        mapping=args.mapping,
        format=args.format,
        municipalities=args.municipalities,
        strict=args.strict,
        keep_free_text=args.keep_free_text,
        wave=args.wave,
        jobs=args.jobs,
        progress=False if args.no_progress else None,
        limits=limits,
    )


def _inputs(args: argparse.Namespace) -> list[str]:
    """Every input of an import: an output folder must not overlap any of them."""
    return [*args.inputs, *(f for f in (args.mapping, args.municipalities) if f)]


def _print_findings(result: Any, limit: int = 10) -> None:
    import pandas as pd

    from core.problems import quote_input

    rej = result.rejections
    errors = rej[rej["severity"] == "error"]
    label = "FEHLER"
    if errors.empty and result.manifest["totals"]["rows_accepted"] == 0:
        # e.g. a header-only sheet: say why nothing came in
        warn = rej[rej["severity"] == "warning"]
        errors = pd.concat([warn[warn["code"] == "no_data_rows"], warn[warn["code"] != "no_data_rows"]])
        label = "WARNUNG"
    for r in errors.head(limit).itertuples(index=False):
        row = None if pd.isna(r.row) else int(r.row)
        where = quote_input(r.file, 200) + (f" [{quote_input(r.sheet)}]" if r.sheet else "")
        where += (f" Zeile/row {row}" if row is not None else "") + (f" Spalte/column {r.column}" if r.column else "")
        print(f"  {label} {where}: {quote_input(r.message_de, 2000)}", file=sys.stderr)
    if len(errors) > limit:
        print(f"  … und {len(errors) - limit} weitere Fehler (siehe rejections.xlsx)", file=sys.stderr)


def _cmd_import(args: argparse.Namespace) -> int:
    from core.errors import BausteinError
    from core.output_folders import claim_output
    from surveys.importing import suggest_mapping

    if args.suggest_mapping:
        suggest_mapping(args.inputs, args.instrument, out=args.suggest_mapping)
        print(f"Entwurf geschrieben / draft written: {args.suggest_mapping}\n"
              f"Bitte prüfen, dann / check it, then: baustein import ... --mapping {args.suggest_mapping} --out DIR")
        return 0
    if not args.out:
        raise BausteinError("Bitte --out DATASET_DIR angeben. / Please give --out DATASET_DIR.")
    with claim_output(args.out, kind="dataset", inputs=_inputs(args), wait=args.wait, command="baustein import"):
        return _import_into(args)


def _import_into(args: argparse.Namespace) -> int:
    from core.output_folders import claim_output
    from surveys.importing import write_import

    result = _read(args)
    if result.manifest["totals"]["rows_accepted"] == 0:
        # nothing usable: never replace a previous dataset by an empty one; report only
        from surveys.importing import write_report

        report = Path(args.report) if args.report else Path(args.out).with_name(Path(args.out).name + "-pruefbericht")
        with claim_output(report, kind="import_report", inputs=_inputs(args), wait=args.wait,
                          command="baustein import"):
            write_report(result, report)
        print(result.summary())
        _print_findings(result)
        print(
            f"Keine Zeile übernommen: kein Datensatz geschrieben, '{args.out}' bleibt unverändert. "
            f"Prüfbericht: {report / 'rejections.xlsx'}\n"
            f"No row imported: no dataset written, '{args.out}' is unchanged. Report: {report / 'rejections.xlsx'}",
            file=sys.stderr,
        )
        return 1
    out = write_import(result, args.out, key_file=args.key_file)
    print(result.summary())
    _print_findings(result)
    print(f"Datensatz / dataset: {Path(out)}  (Bericht / report: {Path(out) / 'rejections.xlsx'})")
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from core.output_folders import claim_output
    from surveys.importing import write_report

    with claim_output(args.report, kind="import_report", inputs=_inputs(args), wait=args.wait,
                      command="baustein validate"):
        result = _read(args)
        out = write_report(result, args.report)
    print(result.summary())
    _print_findings(result)
    print(f"Bericht / report: {Path(out) / 'rejections.xlsx'}")
    return 1 if result.n_errors else 0


def _cmd_export(args: argparse.Namespace) -> int:
    from surveys.importing import export_dataset

    path = export_dataset(args.dataset, args.format, args.out)
    print(f"Exportiert / exported: {path}")
    return 0
