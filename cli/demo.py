"""``baustein demo``: the demo pipeline of ``make demo``.

example workbooks -> import -> analysis -> reports (+ results.xlsx) and the instrument in Excel.
"""

from __future__ import annotations

import argparse
import contextlib
import time
from pathlib import Path

from core.atomic import atomic_output_dir
from core.output_folders import add_wait_option, claim_output


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="Demo: Beispieldaten importieren, auswerten, Berichte erzeugen")
    p.add_argument("--examples", type=Path, default=Path("data/examples"))
    p.add_argument("--dataset", type=Path, default=Path("data/processed/example"))
    p.add_argument("--out", type=Path, default=Path("reports"))
    p.add_argument("--lang", choices=("de", "en"), default="de")
    add_wait_option(p)
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    instr_dir = args.dataset.parent.parent / "instrument"
    with contextlib.ExitStack() as outputs:  # all three folders are checked before any work starts
        for folder, kind in ((args.dataset, "dataset"), (args.out, "report"), (instr_dir, "instrument")):
            outputs.enter_context(claim_output(folder, kind=kind, inputs=[args.examples], wait=args.wait,
                                               command="baustein demo"))
        return _demo(args, instr_dir)


def _demo(args: argparse.Namespace, instr_dir: Path) -> int:
    from reporting.build import build_reports
    from surveys.instrument import Instrument

    t0 = time.perf_counter()
    inst = Instrument.load("sensibilisierung")
    template_dir = args.examples / "template"
    if not template_dir.exists():
        from surveys.synthetic import simulate, write_format

        print(f"Beispieldaten erzeugen / generating example data in {template_dir} …")
        write_format(simulate(12, 15, seed=2025, instrument=inst), "template", template_dir)

    from surveys.importing import read_responses, write_import

    print(f"1/3 Import {template_dir} …")
    result = read_responses([template_dir], inst)
    write_import(result, args.dataset)
    m = result.manifest
    print(
        f"    {m['totals']['rows_in']} Zeilen gelesen, {m['totals']['rows_accepted']} übernommen, "
        f"{m['totals']['rows_rejected']} abgelehnt -> {args.dataset}"
    )
    print("2/3 Auswertung und 3/3 Berichte …")
    build = build_reports(args.dataset, args.out, all_municipalities=True, lang=args.lang)
    # the blank instrument workbooks are not results: keep them out of the report folder, which
    # `baustein audit` checks before publication
    _export_instrument(inst, instr_dir)
    print()
    print(f"Fertig in {time.perf_counter() - t0:.0f} s / done.")
    print(f"  Bericht öffnen / open:  {build.index.resolve()}")
    print(f"  Ergebnisse / results:   {(build.out_dir / 'results.xlsx').resolve()}")
    print(f"  Instrument (Excel):     {instr_dir.resolve()}")
    return 0


def _export_instrument(inst, folder: Path) -> None:  # type: ignore[no-untyped-def]
    from surveys.codebook import write_codebook
    from surveys.template import write_template
    from surveys.xlsform import write_xlsform

    with atomic_output_dir(folder, kind="instrument") as tmp:
        write_xlsform(inst, tmp / f"{inst.name}_xlsform.xlsx")
        write_template(inst, tmp / f"{inst.name}_vorlage.xlsx")
        write_codebook(inst, tmp / f"{inst.name}_codebuch.xlsx")
        write_codebook(inst, tmp / f"{inst.name}_codebuch.md")
