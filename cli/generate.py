"""``baustein generate``: synthetic programme data with ground truth, in one export format.

Example::

    baustein generate --municipalities 12 --respondents-per 15 --seed 2025 \\
        --format template --out data/examples/template
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from core.errors import BausteinError
from core.output_folders import add_wait_option, claim_output

FORMATS = ("template", "kobo", "limesurvey", "sosci", "forms")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"keine ganze Zahl / not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"muss mindestens 1 sein / must be at least 1: {value}")
    return value


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "generate",
        help="Synthetische Befragungsdaten mit bekannter Wahrheit erzeugen (synthetic data)",
        description="Erzeugt fiktive Kommunen und Antworten aus einem dokumentierten Modell "
        "(docs/generator.md) im Format einer Umfrage-Software, dazu ground_truth.json. / "
        "Generates fictional municipalities and answers with a documented ground truth.",
    )
    p.add_argument("--municipalities", type=_positive, required=True, help="Anzahl Kommunen")
    p.add_argument(
        "--respondents-per", type=_positive, required=True,
        help="Befragte je Kommune im Mittel, alle Wellen zusammen (total = N x M)",
    )
    p.add_argument("--seed", type=int, required=True, help="Zufallsstartwert (gleich -> gleiche Dateien)")
    p.add_argument("--format", choices=FORMATS, required=True, dest="fmt")
    p.add_argument("--out", type=Path, required=True,
                   help="Ausgabeordner (neu, leer oder eine frühere Ausgabe von generate; wird ersetzt)")
    p.add_argument("--instrument", default="sensibilisierung", help="Instrument (Name oder Datei)")
    p.add_argument("--waves", default="2025,2027", help="Wellen, kommagetrennt (Standard 2025,2027)")
    p.add_argument("--state", default="08", help="Land (2 Ziffern des AGS, Standard 08)")
    p.add_argument("--equal-n", action="store_true", help="jede Kommune genau M Befragte")
    p.add_argument("--answers", choices=("codes", "text"), default="codes",
                   help="nur limesurvey: Antwortcodes oder Antworttexte")
    p.add_argument("--spaced-headers", action="store_true",
                   help="nur limesurvey: Kopfzeilen 'kommunal [KOM01]'")
    add_wait_option(p)
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    waves = tuple(w.strip() for w in str(args.waves).split(",") if w.strip())
    if not waves:
        raise BausteinError("--waves ist leer / --waves is empty")
    with claim_output(args.out, kind="generated", wait=args.wait, command="baustein generate"):
        return _generate(args, waves)


def _generate(args: argparse.Namespace, waves: tuple[str, ...]) -> int:
    from surveys import load_instrument
    from surveys.synthetic import simulate
    from surveys.synthetic.writers import write_format

    t0 = time.perf_counter()
    prog = simulate(
        args.municipalities, args.respondents_per, seed=args.seed,
        instrument=load_instrument(args.instrument), state=args.state, waves=waves,
        equal_n=args.equal_n,
    )
    t1 = time.perf_counter()
    options = {}
    if args.fmt == "limesurvey":
        options = {"answers": args.answers, "spaced_headers": args.spaced_headers}
    files = write_format(prog, args.fmt, args.out, **options)
    t2 = time.perf_counter()
    gt = prog.ground_truth["mess"]["realised"]
    print(
        f"{args.fmt}: {len(files.data_files)} Datei(en) / file(s), {files.n_rows} Befragte / rows, "
        f"{args.municipalities} Kommunen, Wellen {', '.join(waves)}"
    )
    for f in files.data_files[:3]:
        print(f"  {f}")
    if len(files.data_files) > 3:
        print(f"  … ({len(files.data_files) - 3} weitere / more)")
    print(f"  Wahrheit / ground truth: {files.ground_truth}")
    print(f"  Geradeaus-Antworter / straight-liners: {gt['straight_liners']}, "
          f"Kommentare / comments: {gt['comments']}")
    print(f"  Zeit / time: simulate {t1 - t0:.1f} s, write {t2 - t1:.1f} s")
    return 0
