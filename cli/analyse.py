"""``baustein analyse DATASET_DIR --out results.xlsx [--json results.json] [--wave W] [--wave-order A,B]``.

Every section of :func:`analysis.run` that can be computed is written; what cannot be computed is a
note (sheet ``hinweise``, ``notes`` in the JSON, and a line on the console). Exit code 0 with notes;
1 only when not a single table could be computed; 2 for a ``--wave`` that is not in the data or a
``--wave-order`` that does not name every wave exactly once (nothing is written).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``analyse`` command to the ``baustein`` parser."""
    p = sub.add_parser(
        "analyse",
        aliases=["analyze"],
        help="Datensatz auswerten: Ergebnis-Arbeitsmappe (results.xlsx) und JSON",
        description="Run every analysis on a clean dataset and write the results workbook.",
    )
    p.add_argument("dataset", type=Path, help="Datensatz-Ordner (von 'baustein import')")
    p.add_argument("--out", type=Path, required=True, help="Ergebnis-Arbeitsmappe, z. B. results.xlsx")
    p.add_argument("--json", type=Path, default=None, help="zusätzlich alle Tabellen als JSON")
    add_analysis_options(p)
    p.set_defaults(func=_run)


def add_analysis_options(p: argparse.ArgumentParser) -> None:
    """Options shared by ``analyse`` and ``report``: minimum cell size, language, wave and wave order."""
    p.add_argument("--min-n", type=int, default=5, help="Mindestgruppengröße (Standard 5)")
    p.add_argument("--lang", choices=("de", "en"), default="de", help="Sprache der Ergebnisse und Berichte (Standard de)")
    p.add_argument("--wave", default=None,
                   help="Welle der Querschnittsauswertungen (Standard: die letzte ausreichend große Welle der "
                        "Wellenfolge, siehe docs/analysis.md)")
    p.add_argument("--wave-order", default=None, metavar="W1,W2,...",
                   help="Reihenfolge aller Wellen, jede genau einmal, früheste zuerst (Standard: Zahlen sortiert, "
                        "sonst nach medianem Abgabedatum)")


def config_from_args(args: argparse.Namespace) -> Any:
    """The :class:`analysis.AnalysisConfig` of the shared options, checked against the dataset.

    ``--wave`` must name a wave of the dataset and ``--wave-order`` every wave of it exactly once
    (:func:`analysis.wave_choice.check_wave_options`); otherwise an
    :class:`~core.errors.AnalysisError` naming the waves present is raised (exit 2) before
    anything is computed or written.
    """
    from analysis import AnalysisConfig
    from analysis.wave_choice import check_wave_options
    from surveys.dataset import Dataset

    order = tuple(w.strip() for w in args.wave_order.split(",") if w.strip()) if args.wave_order else None
    wave = args.wave.strip() if isinstance(args.wave, str) else args.wave
    if (wave is not None or order is not None) and getattr(args, "dataset", None) is not None:
        check_wave_options(Dataset.load_respondents(args.dataset), wave, order)
    return AnalysisConfig(min_n=args.min_n, lang=args.lang, wave=wave, wave_order=order)


def print_notes(results: Any, lang: str = "de") -> None:
    """The wave used and every note of the run, one line each (stdout)."""
    from analysis.notes import numerus

    m = results.meta
    if m.get("wave") is not None:
        print(numerus(f"Welle / wave {m['wave']}: {m.get('n_respondents') or '–'} von / of "
                      f"{m.get('n_respondents_all_waves') or '–'} Befragten / respondents, {m.get('n_municipalities')} "
                      f"Kommune(n)") + numerus(f" / {m.get('n_municipalities')} municipality(ies)"))
    lines = results.note_lines(lang)
    if lines:
        print(f"{len(lines)} Hinweis(e) / note(s):")
        for line in lines:
            print(f"  - {line}")


def _run(args: argparse.Namespace) -> int:
    from analysis import run
    from core.output_folders import claim_output_file, own_output_files
    from reporting.results_workbook import write_results
    from surveys.dataset import Dataset

    for target in (args.out, args.json):  # refuse before computing, not after
        if target is not None:
            claim_output_file(target)
    config = config_from_args(args)  # an unknown --wave or a bad --wave-order: exit 2, nothing written
    ds = Dataset.load(args.dataset)
    results = run(ds, config, strict=bool(getattr(args, "debug", False)))
    with own_output_files(args.out, args.json):
        write_results(results, args.out, args.json, instrument=ds.instrument, dataset_name=args.dataset)
    n_tables = len(results.tables) - ("hinweise" in results.tables)
    print(f"{n_tables} Tabellen geschrieben / tables written: {args.out}")
    if args.json:
        print(f"JSON: {args.json}")
    print_notes(results, args.lang)
    if n_tables == 0:
        print("Keine Tabelle berechnet / no table computed.", file=sys.stderr)
        return 1
    return 0
