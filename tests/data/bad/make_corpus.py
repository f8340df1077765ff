"""Write the bad-input corpus into a folder: ``python tests/data/bad/make_corpus.py OUT [--large]``.

The files are generated, not committed (see README.md in this folder); ``--large`` adds the
1,000,000-row sheet and the zip bombs (a few MB on disk, gigabytes if inflated - never unzip them).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

if __package__ in {None, ""}:  # run as a script: make ``tests`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from tests.data.bad.corpus import EXPECTED, build_corpus


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path, help="output folder (created)")
    parser.add_argument("--large", action="store_true", help="also build the large and bomb files")
    args = parser.parse_args(argv)
    files = build_corpus(args.out, large=args.large)
    for name, path in files.items():
        exp = EXPECTED[name]
        outcome = f"accept as {exp.kind}" if exp.kind else f"refuse ('{exp.error}')"
        print(f"{path.stat().st_size:>10,}  {name:40s}  {outcome}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
