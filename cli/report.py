"""``baustein report DATASET_DIR --out REPORT_DIR [--municipality AGS ... | --all-municipalities] [--pdf] [--docx]
[--wave W] [--wave-order A,B]`` (the analysis options are those of ``baustein analyse``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help="Berichte erzeugen: HTML, PDF und Word je Kommune und für das Land",
        description="Execute the report notebooks headless and write offline HTML reports, A4 PDF and Word "
        "files per municipality and for the state overview, a ZIP of all documents and results.xlsx.",
    )
    p.add_argument("dataset", type=Path, help="Datensatz-Ordner (von 'baustein import')")
    p.add_argument("--out", type=Path, required=True, help="Berichtsordner (wird ersetzt)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--municipality", nargs="+", default=[], metavar="AGS", help="Profile dieser Kommunen")
    g.add_argument("--all-municipalities", action="store_true", help="ein Profil je Kommune")
    from .analyse import add_analysis_options

    add_analysis_options(p)
    p.add_argument("--no-images", action="store_true", help="keine PNG/PDF-Grafiken (ohne Chromium)")
    p.add_argument("--pdf", action=argparse.BooleanOptionalAction, default=None,
                   help="PDF je Kommune und für das Land (Standard: ja, wenn Chromium installiert ist)")
    p.add_argument("--docx", action=argparse.BooleanOptionalAction, default=None,
                   help="Word-Datei je Kommune und für das Land (Standard: ja)")
    from core.output_folders import add_wait_option

    add_wait_option(p)
    p.set_defaults(func=_run)


class _Bar:
    """A progress bar on stderr when it is a terminal (tqdm); silent otherwise."""

    def __init__(self) -> None:
        self._bar: Any = None
        self._stage = ""

    def __call__(self, what: str, done: int, total: int) -> None:
        if not sys.stderr.isatty():
            return
        from tqdm import tqdm

        stage = "Dokumente" if what.startswith("PDF/Word") else "Seiten"
        if self._bar is None or stage != self._stage:
            self.close()
            self._bar = tqdm(total=total, desc=stage, unit="", leave=True, file=sys.stderr, dynamic_ncols=True)
            self._stage = stage
        self._bar.total = total
        self._bar.n = done
        self._bar.set_postfix_str(what[:40], refresh=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def _run(args: argparse.Namespace) -> int:
    from core.output_folders import claim_output

    from .analyse import config_from_args

    config_from_args(args)  # an unknown --wave or a bad --wave-order: exit 2 before the folder is touched
    with claim_output(args.out, kind="report", inputs=[args.dataset], wait=args.wait, command="baustein report"):
        return _build(args)


def _build(args: argparse.Namespace) -> int:
    import os

    from core.errors import BausteinError
    from reporting.build import build_reports, failure_log, failure_summary
    from reporting.messages import internal_error

    from .analyse import config_from_args

    config = config_from_args(args)
    bar = _Bar()
    try:
        build = build_reports(
            args.dataset,
            args.out,
            municipalities=args.municipality,
            all_municipalities=args.all_municipalities,
            lang=args.lang,
            min_n=args.min_n,
            wave=config.wave,
            wave_order=config.wave_order,
            images=not args.no_images,
            pdf=args.pdf,
            docx=args.docx,
            progress=bar,
        )
    except (BausteinError, KeyboardInterrupt):
        raise
    except Exception as exc:  # a bug outside the notebooks (documents, images, index): one line and a log
        if getattr(args, "debug", False) or os.environ.get("BAUSTEIN_DEBUG") == "1":
            raise
        raise internal_error("report_failed", error=failure_summary(exc), log=failure_log("report", exc)) from exc
    finally:
        bar.close()
    _print_notes(args, config)
    n_docs = sum(len(v) - 1 for v in build.documents.values())
    print(f"Bericht / report: {build.index.resolve()}")
    print(f"Ergebnisse / results: {(build.out_dir / 'results.xlsx').resolve()}")
    print(f"{len(build.pages)} Übersichtsseiten, {len(build.profiles)} Profile, {n_docs} PDF-/Word-Dateien, "
          f"{len(build.images)} Grafikdateien")
    if (build.out_dir / "berichte.zip").exists():
        print(f"Alle Dokumente / all documents: {(build.out_dir / 'berichte.zip').resolve()}")
    for note in (build.image_note if not build.images else "", build.document_note):
        if note:
            print(note)
    return 0


def _print_notes(args: argparse.Namespace, config: Any) -> None:
    """The wave used and the notes of the analysis behind the report (read from the results cache)."""
    from reporting.results_cache import run_cached
    from surveys.dataset import Dataset

    from .analyse import print_notes

    dataset_dir = Path(args.dataset).resolve()
    results = run_cached(Dataset.load(dataset_dir), config, dataset_dir)
    print_notes(results, args.lang)
