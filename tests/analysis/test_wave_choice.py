"""analysis.wave_choice: a checked --wave / --wave-order, and the latest *substantial* wave by default.

The pilot of the trial report: three municipalities answered in 2025, one respondent typed "2052".
The "latest" wave of the order is then the typo wave with 1 of 21 respondents; the default must be
2025, with a note naming the wave passed over (label and n) and how to choose it (--wave).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis import AnalysisConfig, run
from analysis.wave_choice import WAVE_MIN_SHARE, check_wave_options, choose_wave
from cli import main
from core.errors import AnalysisError
from surveys.dataset import Dataset
from surveys.synthetic import simulate


@pytest.fixture(scope="module")
def pilot(instrument):  # type: ignore[no-untyped-def]
    """3 municipalities x 7 respondents in 2025; one respondent's wave typed as "2052"."""
    prog = simulate(3, 30, seed=4, instrument=instrument, population_truth_n=None)
    w = prog.wide[prog.wide["wave"] == "2025"].groupby("ags").head(7).reset_index(drop=True)
    assert len(w) == 21
    w.loc[len(w) - 1, "wave"] = "2052"
    return Dataset.from_wide(w, prog.municipalities, instrument)


def _cli(args: list[object], capsys) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    rc = main([str(a) for a in args])
    out = capsys.readouterr()
    return rc, out.out + out.err


# --------------------------------------------------------------------------- the default wave (fault 8)
def test_default_wave_passes_over_a_typo_wave_and_the_note_names_its_label_and_n(pilot: Dataset) -> None:
    n_typo = int((pilot.respondents["wave"] == "2052").sum())
    res = run(pilot, strict=True)
    assert res.meta["wave"] == "2025"
    assert res.meta["n_respondents"] == len(pilot.respondents) - n_typo
    note = res.notes[res.notes["code"] == "wave_default_passed_over"]
    assert len(note) == 1
    # a passed-over wave below the minimum cell size is named without its exact size (SECURITY.md 4a)
    assert n_typo < 5 and "Welle 2052 (n < 5, 1 Kommune)" in note["reason_de"].iloc[0]
    assert "--wave 2052" in note["hint_de"].iloc[0] and "--wave 2052" in note["hint_en"].iloc[0]
    assert (res["reliabilitaet"]["wave"].astype(str) == "2025").all()


def test_change_between_waves_is_not_computed_against_a_typo_wave(pilot: Dataset) -> None:
    for config in (AnalysisConfig(), AnalysisConfig(wave="2052")):
        res = run(pilot, config, strict=True)
        assert "wellen" not in res.tables and "did" not in res.tables
        note = res.notes[res.notes["code"] == "single_substantial_wave"]
        assert note["reason_de"].str.startswith("Nur eine ausreichend große Welle (2025; zu klein: 2052)").all()
        assert len(note) == 1


def test_an_explicit_wave_overrides_the_default_and_is_warned_as_small(pilot: Dataset) -> None:
    res = run(pilot, AnalysisConfig(wave="2052"), strict=True)
    # a wave of 1 respondent is analysed as asked, but its size is withheld (SECURITY.md 4a)
    assert res.meta["wave"] == "2052" and res.meta["n_respondents"] is None
    codes = set(res.notes["code"])
    assert "wave_subset_small" in codes and "wave_default_passed_over" not in codes


def test_a_small_later_wave_with_min_n_in_two_municipalities_is_the_default() -> None:
    # rule (a): 5 respondents in each of 2 municipalities make a wave substantial, however large the first
    f = pd.DataFrame({"ags": ["a"] * 50 + ["b"] * 50 + ["c"] * 50 + ["a"] * 5 + ["b"] * 5,
                      "wave": ["2025"] * 150 + ["2027"] * 10})
    assert choose_wave(f, ["2025", "2027"], "ags", min_n=5).wave == "2027"
    # one municipality with 5 is not enough when the programme has several (k = 2) ...
    g = f.iloc[:155]
    c = choose_wave(g, ["2025", "2027"], "ags", min_n=5)
    assert (c.wave, c.passed_over, c.k, c.substantial) == ("2025", (("2027", 5, 1),), 2, ("2025",))
    # ... unless it holds at least half of the respondents of the largest wave (rule (b))
    h = pd.DataFrame({"ags": ["a"] * 20 + ["b"] * 2 + ["a"] * 11, "wave": ["1"] * 22 + ["2"] * 11})
    assert WAVE_MIN_SHARE == 0.5 and choose_wave(h, ["1", "2"], "ags", min_n=5).wave == "2"


def test_one_municipality_needs_min_n_in_one_municipality_only() -> None:
    f = pd.DataFrame({"ags": ["a"] * 30, "wave": ["W1"] * 24 + ["W2"] * 6})
    c = choose_wave(f, ["W1", "W2"], "ags", min_n=5)
    assert (c.wave, c.k, c.passed_over) == ("W2", 1, ())
    tiny = pd.DataFrame({"ags": ["a"] * 28, "wave": ["W1"] * 24 + ["W2"] * 4})
    assert choose_wave(tiny, ["W1", "W2"], "ags", min_n=5).passed_over == (("W2", 4, 1),)


# --------------------------------------------------------------------------- checked options (fault 9)
def test_run_refuses_a_wave_that_does_not_exist_naming_the_waves_present(pilot: Dataset) -> None:
    with pytest.raises(AnalysisError) as exc:
        run(pilot, AnalysisConfig(wave="2026"))
    p = exc.value.problem
    assert p.code == "wave_unknown"
    assert "2025 (n = 20)" in p.message_de and "2052 (n = 1)" in p.message_de and "2026" in p.message_en


@pytest.mark.parametrize(("order", "code", "named"), [
    (("2025", "2052", "2099"), "wave_order_unknown", "2099"),
    (("2025",), "wave_order_incomplete", "2052"),
    (("2025", "2025", "2052"), "wave_order_duplicate", "2025"),
])
def test_a_wave_order_must_name_every_wave_present_exactly_once(pilot: Dataset, order: tuple[str, ...], code: str,
                                                                  named: str) -> None:
    with pytest.raises(AnalysisError) as exc:
        check_wave_options(pilot, wave_order=order)
    assert exc.value.problem.code == code and named in exc.value.problem.message_de
    check_wave_options(pilot, wave_order=("2052", "2025"))  # complete, in any order: accepted


def test_analyse_and_report_with_an_unknown_wave_exit_2_and_write_nothing(pilot: Dataset, tmp_path: Path,
                                                                           capsys) -> None:  # type: ignore[no-untyped-def]
    pilot.save(tmp_path / "ds")
    rc, out = _cli(["analyse", tmp_path / "ds", "--out", tmp_path / "x.xlsx", "--wave", "2026"], capsys)
    assert rc == 2 and "Vorhandene Wellen: 2025 (n = 20), 2052 (n = 1)" in out, out
    assert not (tmp_path / "x.xlsx").exists()
    rc, out = _cli(["report", tmp_path / "ds", "--out", tmp_path / "bericht", "--wave", "2026", "--no-pdf",
                    "--no-docx", "--no-images"], capsys)
    assert rc == 2 and "Waves present: 2025 (n = 20), 2052 (n = 1)" in out, out
    assert not (tmp_path / "bericht").exists()
    rc, out = _cli(["analyse", tmp_path / "ds", "--out", tmp_path / "x.xlsx", "--wave-order", "2025"], capsys)
    assert rc == 2 and "lässt vorhandene Welle(n) aus: 2052" in out and not (tmp_path / "x.xlsx").exists(), out
