"""cli.analyse: the console line of the wave used counts in singular and plural."""

from __future__ import annotations

from analysis import AnalysisConfig, run
from cli.analyse import print_notes
from surveys.dataset import Dataset
from surveys.instrument import Instrument
from surveys.synthetic import simulate


def test_the_console_says_1_kommune_not_1_kommunen(capsys) -> None:  # type: ignore[no-untyped-def]
    inst = Instrument.load("sensibilisierung")
    prog = simulate(3, 20, seed=2, instrument=inst, population_truth_n=None)
    w = prog.wide[prog.wide["wave"] == "2025"].reset_index(drop=True)
    w.loc[0, "wave"] = "2052"
    print_notes(run(Dataset.from_wide(w, prog.municipalities, inst), AnalysisConfig(wave="2052"), strict=True))
    line = capsys.readouterr().out.splitlines()[0]
    # the wave's own size (1) is withheld as below the minimum cell size (SECURITY.md 4a)
    assert line == f"Welle / wave 2052: – von / of {len(w)} Befragten / respondents, 1 Kommune / 1 municipality", line
