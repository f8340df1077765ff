"""The pool of the importer (issue 15): chunks balanced by size, one big file read once and its rows
normalised in parts by several processes, byte-identical copies found after the files are read -
each gives exactly what one process gives."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

import surveys.importing.parallel as parallel
from surveys import Instrument
from surveys.importing import read_responses
from surveys.importing.parallel import _chunks


def _write_rows(path: Path, inst: Instrument, n: int = 40) -> Path:
    """A CSV whose problems sit in both halves: a respondent ID repeated across the middle,
    answers out of scale and unknown, a missing and an invalid AGS, an invalid wave, a bad date."""
    items = inst.item_codes[:6]
    header = ["Fragebogen-Nr.", "AGS", "Welle", "Datum", *items]
    rows = []
    for i in range(n):
        rid = "R-7" if i in (3, n - 5) else f"R{i:03d}"
        ags = "" if i == 6 else ("123" if i == n - 3 else "08111000")
        wave = "Welle x" if i == n - 8 else "2025"
        date = "31.02.2025" if i == 9 else f"0{1 + i % 9}.03.2025 12:00"
        answers = [str(1 + (i + j) % 5) for j in range(len(items))]
        if i == 2:
            answers[0] = "9"
        if i == n - 2:
            answers[1] = "stimme eher zuu"
        rows.append([rid, ags, wave, date, *answers])
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _same(a, b) -> None:  # type: ignore[no-untyped-def]
    pd.testing.assert_frame_equal(a.dataset.respondents, b.dataset.respondents)
    pd.testing.assert_frame_equal(a.dataset.responses, b.dataset.responses)
    pd.testing.assert_frame_equal(a.dataset.municipalities, b.dataset.municipalities)
    pd.testing.assert_frame_equal(a.rejections, b.rejections)
    ma, mb = (json.loads(json.dumps({k: v for k, v in r.manifest.items() if k != "run"}, default=str)) for r in (a, b))
    assert ma == mb


@pytest.mark.parametrize("strict", [False, True])
def test_one_file_split_by_rows_over_processes_equals_one_process(
    tmp_path: Path, instrument: Instrument, monkeypatch: pytest.MonkeyPatch, strict: bool
) -> None:
    path = _write_rows(tmp_path / "antworten.csv", instrument)
    one = read_responses([path], instrument, jobs=1, strict=strict)
    monkeypatch.setattr(parallel, "BIG_FILE_BYTES", 1)
    monkeypatch.setattr(parallel, "SPLIT_ROWS", 2)
    split = read_responses([path], instrument, jobs=2, strict=strict)
    _same(one, split)
    codes = set(split.rejections["code"])
    assert {"duplicate_id", "value_out_of_scale", "ags_missing", "ags_invalid", "wave_invalid", "date_invalid"} <= codes
    dup = split.rejections[split.rejections["code"] == "duplicate_id"]
    assert dup["row"].tolist() == [37]  # the second half's copy of row 5's ID, found across the split


def test_a_pool_of_two_with_copies_and_damaged_files_equals_one_process(tmp_path: Path, instrument: Instrument) -> None:
    folder = tmp_path / "eingang"
    folder.mkdir()
    for i in range(9):
        _write_rows(folder / f"k{i}.csv", instrument, n=10 + i)
    shutil.copy(folder / "k2.csv", folder / "k2 - Kopie.csv")  # the same bytes: a duplicate
    (folder / "leer.csv").write_bytes(b"")  # refused by the input guard
    _same(read_responses([folder], instrument, jobs=1), read_responses([folder], instrument, jobs=2))
    res = read_responses([folder], instrument, jobs=2)
    entry = next(m for m in res.manifest["inputs"] if m["path"].endswith("k2.csv"))
    assert entry["duplicate_of"] == folder.joinpath("k2 - Kopie.csv").as_posix()  # first by input order
    assert res.manifest["totals"]["files_duplicate"] == 1 and res.manifest["totals"]["files_unreadable"] == 1


def test_chunks_are_balanced_by_size_and_keep_input_order_inside() -> None:
    tasks = [(i, f"f{i}", f"f{i}") for i in range(40)]
    sizes = [1000 if i % 10 == 0 else 10 for i in range(40)]
    chunks = _chunks(tasks, sizes, n_jobs=2)
    loads = [sum(sizes[t[0]] for t in c) for c in chunks]
    assert sorted(t for c in chunks for t in c) == tasks  # every file once
    assert max(loads) <= 1000 + 10 * 4 and loads == sorted(loads, reverse=True)  # biggest first
    assert all([t[0] for t in c] == sorted(t[0] for t in c) for c in chunks)
    assert _chunks(tasks, sizes, n_jobs=1) == [tasks]  # one process: input order, one chunk of <= 256
