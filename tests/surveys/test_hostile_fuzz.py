"""Hypothesis fuzzing of the importer (bounded, part of ``make test``): mutated workbooks and CSVs -
byte flips, truncation, inserted junk, random cell contents (formulas, unicode, huge strings),
shuffled headers and duplicate columns. Only a :class:`~core.errors.BausteinError` may escape
``read_responses``; counts reconcile; nothing is written next to the input (tests/fuzz/harness.py).

Budget: 3 x 40 examples, each import ~50 ms; well under 60 s. The long runs are ``make fuzz``
(atheris, tests/fuzz/atheris_import.py).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.harness import KNOWN_HEADERS, NASTY_CELLS, check_import, seed_files, write_table

SEEDS = seed_files()
SEED_NAMES = sorted(SEEDS)
FUZZ = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

cells = st.one_of(
    st.sampled_from(NASTY_CELLS),
    st.text(max_size=30),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=5).map(lambda s: "=" + s),
    st.integers(min_value=-10**12, max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=False),
    st.just("x" * 40_000),
)


def _suffix(name: str) -> str:
    return name[name.rfind("."):] if "." in name else ".xlsx"


@FUZZ
@given(
    seed=st.sampled_from(SEED_NAMES),
    flips=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(1, 255)), max_size=8),
    cut=st.one_of(st.none(), st.floats(0.05, 1.0)),
    junk=st.binary(max_size=64),
    junk_at=st.floats(0, 1),
)
def test_byte_mutated_inputs_never_crash_the_importer(
    seed: str, flips: list[tuple[float, int]], cut: float | None, junk: bytes, junk_at: float
) -> None:
    data = bytearray(SEEDS[seed])
    for where, xor in flips:
        data[int(where * len(data))] ^= xor
    if junk:
        at = int(junk_at * len(data))
        data[at:at] = junk
    if cut is not None:
        data = data[: max(1, int(cut * len(data)))]
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / f"mutiert{_suffix(seed)}"
        path.write_bytes(bytes(data))
        check_import(path, wave="2025")


@FUZZ
@given(
    header=st.lists(st.one_of(st.sampled_from(KNOWN_HEADERS), st.text(max_size=12)), min_size=1, max_size=12),
    rows=st.lists(st.lists(cells, max_size=14), max_size=12),
    fmt=st.sampled_from(["xlsx", "csv"]),
    delimiter=st.sampled_from([";", ",", "\t", "|"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]),
)
def test_random_tables_with_shuffled_and_duplicate_columns_reconcile(
    header: list[str], rows: list[list[object]], fmt: str, delimiter: str, encoding: str
) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = write_table(Path(d) / f"tabelle.{fmt}", header, rows, fmt, delimiter, encoding)
        check_import(path, wave="2025")


@FUZZ
@given(
    order=st.permutations(list(range(5))),
    dup=st.lists(st.integers(0, 4), max_size=3),
    replace=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 6), cells), max_size=10),
    fmt=st.sampled_from(["xlsx", "csv"]),
)
def test_valid_table_with_shuffled_duplicated_columns_and_nasty_cells_keeps_every_row(
    order: list[int], dup: list[int], replace: list[tuple[int, int, object]], fmt: str
) -> None:
    from tests.data.bad.corpus import _HEADER, _rows

    cols = [*order, *dup]
    header = [_HEADER[c] for c in cols]
    rows = [[r[c] for c in cols] for r in _rows()]
    for r, c, v in replace:
        if c < len(cols):
            rows[r][c] = v
    with tempfile.TemporaryDirectory() as d:
        path = write_table(Path(d) / f"gut.{fmt}", header, rows, fmt)
        result = check_import(path, wave="2025")
        assert result is not None  # a readable table is never refused as a whole
        assert result.manifest["totals"]["rows_in"] <= len(rows)


@pytest.mark.parametrize("seed", SEED_NAMES)
def test_every_fuzz_seed_imports_cleanly(seed: str) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / f"seed{_suffix(seed)}"
        path.write_bytes(SEEDS[seed])
        assert check_import(path, wave="2025") is not None
