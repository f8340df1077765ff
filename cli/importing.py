"""``baustein import``, ``baustein validate`` and ``baustein export``.

Examples
--------
::

    baustein import data/raw/ --out data/processed/welle2025 --municipalities kommunen.xlsx
    baustein import export.csv --suggest-mapping zuordnung.xlsx       # draft to check in Excel
    baustein import export.csv --mapping zuordnung.xlsx --out data/processed/welle2025
    baustein validate data/raw/ --report pruefbericht/                 # exit 1 on rejected rows/cells
    baustein validate data/processed/welle2025                         # checks a dataset folder
    baustein export data/processed/welle2025 --format sav

Exit codes (:mod:`cli.messages`): 0 clean, 1 imported with rejected rows or cells, 2 nothing
imported or a user error, 3 internal error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .messages import CLI_MESSAGES, EXIT_CLEAN, EXIT_REJECTED, EXIT_USER

__all__ = ["register"]

_FORMATS = ("auto", "template", "kobo", "limesurvey", "sosci", "forms", "csv")


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="Dateien oder Ordner / files or folders (recursive)")
    p.add_argument("--instrument", default="sensibilisierung", help="Name oder Datei (.yaml/.xlsx) des Instruments")
    p.add_argument("--mapping", default=None, metavar="FILE",
                   help="Zuordnung (zuordnung.xlsx aus --suggest-mapping, oder YAML): Spalte -> Item, "
                   "Antworttext -> Code / mapping workbook or YAML")
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
        "schreibt den bereinigten Datensatz (Parquet), manifest.json und rejections.xlsx/.csv. Exit-Codes: "
        "0 fehlerfrei, 1 mit abgelehnten Zeilen/Zellen, 2 nichts übernommen oder Bedienfehler, 3 interner Fehler.",
    )
    _common(p)
    p.add_argument("--out", default=None, metavar="DATASET_DIR", help="Zielordner des Datensatzes")
    p.add_argument("--key-file", default=None, metavar="FILE",
                   help="Schlüsseldatei für Pseudonyme der Fragebogen-Nr. (Standard: $BAUSTEIN_KEY_FILE oder "
                   "~/.config/baustein-eval/pseudonym.key; nie im Ausgabeordner) / pseudonym key file")
    p.add_argument("--report", default=None, metavar="DIR",
                   help="Ordner für den Prüfbericht, falls keine Zeile übernommen wird (Standard: "
                   "DATASET_DIR-pruefbericht) / report folder when nothing is imported")
    p.add_argument("--suggest-mapping", nargs="?", const="zuordnung.xlsx", default=None, metavar="FILE",
                   help="nur eine Zuordnung vorschlagen: .xlsx (zum Bearbeiten in Excel, Standard zuordnung.xlsx) "
                   "oder .yaml; eine vorhandene Datei behält Ihre Entscheidungen / only suggest a mapping")
    p.set_defaults(func=_cmd_import)

    v = subparsers.add_parser(
        "validate",
        help="Antworten oder Datensatz prüfen, nur Bericht / check responses or a dataset, report only",
        description="Wie 'import', schreibt aber nur den Prüfbericht; ein Datensatz-Ordner wird als Datensatz "
        "geprüft. Exit-Codes: 0 fehlerfrei, 1 abgelehnte Zeilen/Zellen, 2 nichts übernommen oder Bedienfehler.",
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


def _say(code: str, stream: Any = None, **params: Any) -> None:
    """Print a catalogue message in German and English (with its hint)."""
    p = CLI_MESSAGES.problem(code, **params)
    print(p.line("de"), file=stream or sys.stdout)
    print(p.line("en"), file=stream or sys.stdout)


def _output_kind(item: str) -> Any:
    """The kind of baustein-eval output ``item`` is (marker or older layout), None for anything else."""
    from core.output_folders import output_kind

    return output_kind(item, legacy=True) if Path(item).is_dir() else None


def _refuse_own_outputs(inputs: list[str]) -> None:
    from core.errors import BausteinError

    for item in inputs:
        kind = _output_kind(item)
        if kind is not None and not kind.readable_input:
            raise BausteinError(problem=CLI_MESSAGES.problem("own_output_not_input", path=item, kind_de=kind.de,
                                                             kind_en=kind.en))


def _read(args: argparse.Namespace) -> Any:
    from core.errors import BausteinError
    from surveys.importing import read_responses
    from surveys.importing.input_guard import Limits

    try:
        limits = Limits.from_options(args)
    except ValueError as exc:
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
    """The first findings (errors, or warnings when nothing came in) in German and English."""
    import pandas as pd

    from core.problems import quote_input

    rej = result.rejections
    shown = rej[rej["severity"] == "error"]
    label = "FEHLER / ERROR"
    if shown.empty and result.manifest["totals"]["rows_accepted"] == 0:
        # e.g. a header-only sheet: say why nothing came in
        warn = rej[rej["severity"] == "warning"]
        shown = pd.concat([warn[warn["code"] == "no_data_rows"], warn[warn["code"] != "no_data_rows"]])
        label = "WARNUNG / WARNING"

    # one block per file, sheet, column and code: a copied file or a column of bad cells is one
    # finding with its rows, not a screen of identical lines
    keys = ["file", "sheet", "column", "code"]
    blocks = list(shown.groupby(keys, sort=False, dropna=False))
    for _, block in blocks[:limit]:
        r = block.iloc[0]
        rows = [int(x) for x in block["row"].dropna()]
        where = quote_input(r.file, 200) + (f" [{quote_input(r.sheet)}]" if r.sheet else "")
        where += f" Zeile/row {rows[0]}" if rows else ""
        where += f" Spalte/column {r.column}" if r.column else ""
        print(f"  {label} {where}:\n    {quote_input(r.message_de, 2000)}\n    {quote_input(r.message_en, 2000)}",
              file=sys.stderr)
        if len(block) > 1:
            same = CLI_MESSAGES.problem("same_finding_rows", n=len(block), rows=_row_ranges(rows))
            print(f"    {same.line('de')}\n    {same.line('en')}", file=sys.stderr)
    if len(blocks) > limit:
        _say("more_findings", sys.stderr, n=int(sum(len(b) for _, b in blocks[limit:])))


def _row_ranges(rows: list[int], most: int = 6) -> str:
    """``[2, 3, 4, 9]`` -> ``"2–4, 9"`` (at most ``most`` ranges, then ``…``)."""
    ranges: list[list[int]] = []
    for x in sorted(set(rows)):
        if ranges and x == ranges[-1][1] + 1:
            ranges[-1][1] = x
        else:
            ranges.append([x, x])
    text = ", ".join(f"{a}–{b}" if b > a else str(a) for a, b in ranges[:most])
    return text + (", …" if len(ranges) > most else "")


def _exit_code(result: Any) -> int:
    """0 clean, 1 imported with rejected rows or cells, 2 nothing imported."""
    if result.manifest["totals"]["rows_accepted"] == 0:
        return EXIT_USER
    return EXIT_REJECTED if result.n_errors else EXIT_CLEAN


def _cmd_import(args: argparse.Namespace) -> int:
    from core.errors import BausteinError
    from core.output_folders import claim_output
    from surveys.importing import suggest_mapping

    _refuse_own_outputs(args.inputs)
    if args.suggest_mapping:
        target = Path(args.suggest_mapping)
        if target.suffix.lower() not in {".xlsx", ".yaml", ".yml"}:
            raise BausteinError(
                "--suggest-mapping: bitte .xlsx (Excel) oder .yaml angeben / please name an .xlsx or .yaml file")
        existing = args.mapping or (target if target.is_file() else None)
        s = suggest_mapping(args.inputs, args.instrument, existing=existing)
        s.write(target)
        items = [c for c in s.columns if c.target in s.instrument.item_codes]
        _say("mapping_draft_written", path=target, n_columns=len(s.columns), n_items=len(items),
             n_unsure=sum(1 for c in items if not c.sure), n_groups=len(s.groups))
        return EXIT_CLEAN
    if not args.out:
        raise BausteinError(problem=CLI_MESSAGES.problem("out_missing"))
    with claim_output(args.out, kind="dataset", inputs=_inputs(args), wait=args.wait, command="baustein import"):
        return _import_into(args)


def _import_into(args: argparse.Namespace) -> int:
    from core.output_folders import claim_output
    from surveys.importing import write_import

    result = _read(args)
    print(result.summary())
    _print_findings(result)
    if result.manifest["totals"]["rows_accepted"] == 0:
        # nothing usable: never replace a previous dataset by an empty one; report only
        from surveys.importing import write_report

        report = Path(args.report) if args.report else Path(args.out).with_name(Path(args.out).name + "-pruefbericht")
        with claim_output(report, kind="import_report", inputs=_inputs(args), wait=args.wait,
                          command="baustein import"):
            write_report(result, report)
        _say("nothing_imported", sys.stderr, out=args.out, report=report / "rejections.xlsx")
        return EXIT_USER
    out = write_import(result, args.out, key_file=args.key_file)
    _say("dataset_written", path=Path(out), report=Path(out) / "rejections.xlsx")
    return _exit_code(result)


def _validate_dataset(folder: Path) -> int:
    """Check a dataset folder: it loads, and its manifest reconciles with its tables."""
    from surveys.dataset import Dataset

    ds = Dataset.load(folder)
    totals = (ds.manifest or {}).get("totals", {})
    problems = []
    if totals and totals.get("rows_in") != totals.get("rows_accepted", 0) + totals.get("rows_rejected", 0):
        problems.append(("rows_in ≠ übernommen + abgelehnt", "rows_in ≠ accepted + rejected"))
    if totals and totals.get("rows_accepted") != len(ds.respondents):
        problems.append(("Befragte ≠ Manifest", "respondents ≠ manifest"))
    k = len(ds.instrument.items)
    if len(ds.responses) != k * len(ds.respondents):
        problems.append(("Antworten ≠ Befragte × Items", "responses ≠ respondents × items"))
    for de, en in problems:
        _say("dataset_inconsistent", sys.stderr, path=folder, problem_de=de, problem_en=en)
    _say("is_dataset", path=folder, respondents=len(ds.respondents), responses=len(ds.responses),
         municipalities=len(ds.municipalities), verdict="Fehler / errors" if problems else "in Ordnung / ok")
    return EXIT_USER if problems else EXIT_CLEAN


def _cmd_validate(args: argparse.Namespace) -> int:
    from core.output_folders import claim_output
    from surveys.importing import write_report

    datasets, reports, rest = [], [], []
    for item in args.inputs:
        kind = _output_kind(item)
        if kind is None or kind.readable_input:
            rest.append(item)
        else:
            (datasets if kind.name == "dataset" else reports).append(item)
    code = EXIT_CLEAN
    for folder in datasets:
        code = max(code, _validate_dataset(Path(folder)))
    if reports:
        _refuse_own_outputs(reports)
    if not rest:
        return code
    args.inputs = rest
    with claim_output(args.report, kind="import_report", inputs=_inputs(args), wait=args.wait,
                      command="baustein validate"):
        result = _read(args)
        out = write_report(result, args.report)
    print(result.summary())
    _print_findings(result)
    _say("report_written", path=Path(out) / "rejections.xlsx")
    return max(code, _exit_code(result))


def _cmd_export(args: argparse.Namespace) -> int:
    from surveys.importing import export_dataset

    path = export_dataset(args.dataset, args.format, args.out)
    print(f"Exportiert / exported: {path}")
    return EXIT_CLEAN
