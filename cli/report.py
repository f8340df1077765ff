"""``baustein report DATASET_DIR --out REPORT_DIR [--municipality AGS ... | --all-municipalities]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help="HTML-Berichte erzeugen (Notebooks headless ausführen)",
        description="Execute the report notebooks headless and export offline HTML reports.",
    )
    p.add_argument("dataset", type=Path, help="Datensatz-Ordner (von 'baustein import')")
    p.add_argument("--out", type=Path, required=True, help="Berichtsordner (wird ersetzt)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--municipality", nargs="+", default=[], metavar="AGS", help="Profile dieser Kommunen")
    g.add_argument("--all-municipalities", action="store_true", help="ein Profil je Kommune")
    p.add_argument("--lang", choices=("de", "en"), default="de")
    p.add_argument("--min-n", type=int, default=5, help="Mindestgruppengröße (Standard 5)")
    p.add_argument("--no-images", action="store_true", help="keine PNG/PDF-Grafiken (ohne Chromium)")
    from core.output_folders import add_wait_option

    add_wait_option(p)
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from core.output_folders import claim_output

    with claim_output(args.out, kind="report", inputs=[args.dataset], wait=args.wait, command="baustein report"):
        return _build(args)


def _build(args: argparse.Namespace) -> int:
    from reporting.build import build_reports

    def say(msg: str) -> None:
        if sys.stderr.isatty():
            print(msg, file=sys.stderr)

    build = build_reports(
        args.dataset,
        args.out,
        municipalities=args.municipality,
        all_municipalities=args.all_municipalities,
        lang=args.lang,
        min_n=args.min_n,
        images=not args.no_images,
        progress=say,
    )
    _print_notes(args)
    print(f"Bericht / report: {build.index.resolve()}")
    print(f"Ergebnisse / results: {(build.out_dir / 'results.xlsx').resolve()}")
    print(f"{len(build.pages)} Übersichtsseiten, {len(build.profiles)} Profile, {len(build.images)} Grafikdateien")
    if build.image_note and not build.images:
        print(build.image_note)
    return 0


def _print_notes(args: argparse.Namespace) -> None:
    """The wave used and the notes of the analysis behind the report (read from the results cache)."""
    from analysis import AnalysisConfig
    from reporting.results_cache import run_cached
    from surveys.dataset import Dataset

    from .analyse import print_notes

    dataset_dir = Path(args.dataset).resolve()
    results = run_cached(Dataset.load(dataset_dir), AnalysisConfig(min_n=args.min_n, lang=args.lang), dataset_dir)
    print_notes(results, args.lang)
