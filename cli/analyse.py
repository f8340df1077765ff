"""``baustein analyse DATASET_DIR --out results.xlsx [--json results.json]``."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "analyse",
        aliases=["analyze"],
        help="Datensatz auswerten: Ergebnis-Arbeitsmappe (results.xlsx) und JSON",
        description="Run every analysis on a clean dataset and write the results workbook.",
    )
    p.add_argument("dataset", type=Path, help="Datensatz-Ordner (von 'baustein import')")
    p.add_argument("--out", type=Path, required=True, help="Ergebnis-Arbeitsmappe, z. B. results.xlsx")
    p.add_argument("--json", type=Path, default=None, help="zusätzlich alle Tabellen als JSON")
    p.add_argument("--min-n", type=int, default=5, help="Mindestgruppengröße (Standard 5)")
    p.add_argument("--lang", choices=("de", "en"), default="de")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from analysis import AnalysisConfig, run
    from reporting.results_workbook import write_results
    from surveys.dataset import Dataset

    ds = Dataset.load(args.dataset)
    results = run(ds, AnalysisConfig(min_n=args.min_n, lang=args.lang))
    write_results(results, args.out, args.json, instrument=ds.instrument)
    print(f"{len(results.tables)} Tabellen geschrieben / tables written: {args.out}")
    if args.json:
        print(f"JSON: {args.json}")
    for w in results.meta.get("warnings", []):
        print(f"Hinweis / note: {w}")
    return 0
