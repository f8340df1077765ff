"""Shared fixtures. Tests run single-threaded BLAS (see GUIDE: OpenBLAS threading trap)."""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import pytest

from surveys import Instrument


@pytest.fixture(scope="session")
def instrument() -> Instrument:
    return Instrument.load("sensibilisierung")
