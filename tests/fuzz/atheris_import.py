"""atheris (libFuzzer) target for the importer: ``make fuzz MINUTES=N`` runs

    python tests/fuzz/atheris_import.py -max_total_time=SECONDS [CORPUS_DIR ...] [libFuzzer options]

Each input is one byte choosing the mode and the rest:

* mode 0-4: the bytes *are* a file, named ``.xlsx``, ``.xlsm``, ``.csv``, ``.xls`` or ``.ods``
  (libFuzzer mutates the seed workbooks: flips, splices, truncations);
* mode 5: the bytes are turned into a table (header from known and random names, random cells)
  written as xlsx (structured fuzzing of the pipeline behind the readers);
* mode 6: the bytes are decoded as CSV text.

The oracle is :func:`tests.fuzz.harness.check_import`: only a ``BausteinError`` may escape, counts
must reconcile, nothing is written next to the input. A crash is saved by libFuzzer as
``crash-<sha1>``; turn it into a regression fixture in ``tests/data/bad/fuzz_regressions.py``.

Without a corpus directory on the command line the seeds (valid files of the bad-input corpus)
are written to ``$BAUSTEIN_FUZZ_CORPUS`` (default: a folder in the temp directory) and used.
Not part of CI (needs ``pip install atheris``: ``pip install -e '.[fuzz]'``).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

if __package__ in {None, ""}:  # run as a script: make ``tests`` and ``surveys`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import atheris

with atheris.instrument_imports(include=["surveys"]):
    import surveys.importing
    import surveys.importing.input_guard  # noqa: F401

from tests.fuzz.harness import KNOWN_HEADERS, NASTY_CELLS, check_import, seed_files, write_table

RAW_SUFFIXES = (".xlsx", ".xlsm", ".csv", ".xls", ".ods")
_WORK = Path(tempfile.mkdtemp(prefix="baustein-atheris-"))
_SEED_MODE = {".xlsx": 0, ".xlsm": 1, ".csv": 2, ".xls": 3, ".ods": 4}


def _table(fdp: atheris.FuzzedDataProvider) -> tuple[list[object], list[list[object]]]:
    n_cols = fdp.ConsumeIntInRange(1, 10)
    header: list[object] = []
    for _ in range(n_cols):
        header.append(KNOWN_HEADERS[fdp.ConsumeIntInRange(0, len(KNOWN_HEADERS) - 1)]
                      if fdp.ConsumeBool() else fdp.ConsumeUnicodeNoSurrogates(8))
    rows = []
    for _ in range(fdp.ConsumeIntInRange(0, 8)):
        row: list[object] = []
        for _ in range(n_cols):
            pick = fdp.ConsumeIntInRange(0, 3)
            if pick == 0:
                row.append(NASTY_CELLS[fdp.ConsumeIntInRange(0, len(NASTY_CELLS) - 1)])
            elif pick == 1:
                row.append(fdp.ConsumeUnicodeNoSurrogates(12))
            elif pick == 2:
                row.append(fdp.ConsumeIntInRange(-20, 20))
            else:
                row.append(fdp.ConsumeRegularFloat())
        rows.append(row)
    return header, rows


def test_one_input(data: bytes) -> None:
    if len(data) < 2:
        return
    mode = data[0] % 7
    folder = Path(tempfile.mkdtemp(dir=_WORK))
    try:
        if mode < 5:
            path = folder / f"eingabe{RAW_SUFFIXES[mode]}"
            path.write_bytes(data[1:])
        elif mode == 5:
            fdp = atheris.FuzzedDataProvider(data[1:])
            header, rows = _table(fdp)
            path = write_table(folder / "tabelle.xlsx", header, rows, "xlsx")
        else:
            path = folder / "text.csv"
            path.write_bytes(data[1:])
        check_import(path, wave="2025")
    finally:
        for p in folder.iterdir():
            p.unlink()
        folder.rmdir()


def _ensure_corpus(argv: list[str]) -> list[str]:
    if any(not a.startswith("-") for a in argv[1:]):
        return argv
    corpus = Path(os.environ.get("BAUSTEIN_FUZZ_CORPUS") or Path(tempfile.gettempdir()) / "baustein-fuzz-corpus")
    corpus.mkdir(parents=True, exist_ok=True)
    for name, content in seed_files().items():
        suffix = name[name.rfind("."):]
        mode = _SEED_MODE.get(suffix)
        if mode is not None:
            (corpus / f"seed-{name.replace(' ', '_')}").write_bytes(bytes([mode]) + content)
    (corpus / "seed-table").write_bytes(bytes([5]) + os.urandom(256))
    return [*argv, str(corpus)]


def main() -> None:
    argv = _ensure_corpus(list(sys.argv))
    if not any(a.startswith("-timeout=") for a in argv):
        argv.append("-timeout=60")  # a single input taking a minute is a hang
    if not any(a.startswith("-rss_limit_mb=") for a in argv):
        argv.append("-rss_limit_mb=4096")
    atheris.Setup(argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
