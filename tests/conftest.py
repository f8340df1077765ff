"""Shared fixtures. Tests run single-threaded BLAS (see GUIDE: OpenBLAS threading trap)."""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

# The pseudonymisation key of every test run (and of the subprocesses and kernels it starts) lives in
# a temporary folder, never in the real ~/.config/baustein-eval (surveys.pseudonyms.load_or_create_key).
if not os.environ.get("BAUSTEIN_KEY_FILE"):
    import atexit as _atexit
    import shutil as _shutil
    import tempfile as _tempfile

    _KEY_DIR = _tempfile.mkdtemp(prefix="baustein-test-key-")
    os.environ["BAUSTEIN_KEY_FILE"] = os.path.join(_KEY_DIR, "pseudonym.key")
    _atexit.register(_shutil.rmtree, _KEY_DIR, True)

from pathlib import Path

import pytest

from surveys import Instrument

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "data" / "examples"


@pytest.fixture(scope="session")
def instrument() -> Instrument:
    return Instrument.load("sensibilisierung")


@pytest.fixture(scope="session")
def example_dataset(tmp_path_factory: pytest.TempPathFactory, instrument: Instrument) -> Path:
    """The committed example workbooks (template format), imported into a dataset folder."""
    from surveys.importing import read_responses, write_import

    src = EXAMPLES / "template"
    assert src.is_dir(), "data/examples/template is missing: run `make examples`"
    out = tmp_path_factory.mktemp("example") / "dataset"
    write_import(read_responses([src], instrument, jobs=1), out)
    return out


@pytest.fixture(scope="session")
def example_reports(tmp_path_factory: pytest.TempPathFactory, example_dataset: Path) -> Path:
    """Reports of the example dataset: overview notebooks, two profiles, static images."""
    from reporting.build import build_reports

    out = tmp_path_factory.mktemp("reports") / "reports"
    import pandas as pd

    from reporting.results_cache import run_cached  # noqa: F401  (warm import outside the timed build

    overview = pd.read_parquet(example_dataset / "municipalities.parquet")
    first_two = overview["ags"].astype(str).head(2).tolist()
    build_reports(example_dataset, out, municipalities=first_two, images=True)
    return out
