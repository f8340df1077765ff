"""``baustein audit REPORT_DIR``: check outputs for small groups, identifiers and free text before publishing,
and attack them by differencing (:mod:`reporting.audit_differencing`).

Exit code 0 when nothing was found, 1 when there are findings (so scripts and CI can stop a
publication), 2 for a user error (folder missing).
"""

from __future__ import annotations

import argparse
import sys

from core.problems import quote_input
from reporting.audit import DEFAULT_MIN_N, audit_outputs


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``audit`` sub-command."""
    p = subparsers.add_parser(
        "audit",
        help="Ausgaben vor der Veröffentlichung prüfen / check outputs before publishing",
        description=(
            "Durchsucht Ergebnisdateien (xlsx, csv, json, html, ipynb) nach Gruppen mit weniger als "
            "--min-n Personen, Befragten-Kennungen und Freitext, und versucht, kleine Gruppen durch "
            "Differenzbildung veröffentlichter Zahlen zu berechnen (results.json/results.xlsx, Berichtsseiten). "
            "/ Scans outputs for groups smaller than --min-n, respondent identifiers and free text, and tries "
            "to compute small groups by subtracting published figures (results.json/results.xlsx, report pages)."
        ),
    )
    p.add_argument("report_dir", metavar="REPORT_DIR", help="Ordner oder Datei / folder or file")
    p.add_argument(
        "--min-n", type=int, default=DEFAULT_MIN_N,
        help=f"Mindestgruppengröße / minimum cell size (default {DEFAULT_MIN_N})",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the findings; return 1 if there are any."""
    if args.min_n < 1:
        print("Fehler / error: --min-n muss mindestens 1 sein / must be at least 1", file=sys.stderr)
        return 2
    findings = audit_outputs(args.report_dir, min_n=args.min_n)
    if findings.empty:
        print(
            f"Keine Auffälligkeiten (Mindestgröße {args.min_n}). / No findings (minimum cell size "
            f"{args.min_n})."
        )
        return 0
    print(f"{len(findings)} Auffälligkeit(en) / finding(s):")
    for row in findings.itertuples(index=False):
        n = "" if row.n is None or str(row.n) == "<NA>" else f" n={row.n}"
        group = f" [{quote_input(row.group)}]" if row.group else ""  # text from the outputs: shown, never obeyed
        print(f"- {quote_input(row.file, 300)}: {quote_input(row.location, 300)}{group}{n}: "
              f"{quote_input(row.problem, 500)}")
    print(
        "Bitte vor der Veröffentlichung beheben (Gruppen zusammenfassen oder unterdrücken). / "
        "Please fix before publishing (merge or suppress groups)."
    )
    return 1
