"""`baustein demo` (what `make demo` runs): example workbooks -> dataset -> reports, audit-clean."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli import main
from reporting.audit import audit_outputs

EXAMPLES = Path(__file__).resolve().parents[2] / "data" / "examples"

pytestmark = pytest.mark.notebooks


def test_demo_builds_reports_results_and_instrument_and_passes_the_audit(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    dataset = tmp_path / "data" / "processed" / "example"
    reports = tmp_path / "reports"
    rc = main(["demo", "--examples", str(EXAMPLES), "--dataset", str(dataset), "--out", str(reports)])
    assert rc == 0
    out = capsys.readouterr().out
    assert "480 Zeilen gelesen, 480 übernommen, 0 abgelehnt" in out
    assert str((reports / "index.html").resolve()) in out
    assert (reports / "results.xlsx").is_file() and len(list((reports / "profile").glob("*.html"))) == 12
    instrument = tmp_path / "data" / "instrument"
    assert {p.name for p in instrument.iterdir()} >= {"sensibilisierung_xlsform.xlsx", "sensibilisierung_vorlage.xlsx"}
    assert audit_outputs(reports, min_n=5).empty
