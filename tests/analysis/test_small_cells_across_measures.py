"""Complementary suppression across tables that count different things (trial report, faults 3 and 4).

* Fault 4: ``perspektiven`` counts the *scored* respondents of a municipality's civil-society side
  (12), ``antworten_kommune_rolle`` counts *respondents* per role ("Verein / Initiative" 8); where
  everybody has a score, 12 − 8 = 4 engaged citizens. The pass links the two measures.
* Fault 3: a pilot with municipalities of 6, 6 and 8 respondents in wave 2025 and one respondent of
  the second in a typo wave 2052: the second's all-waves count (7) minus its 2025 count (6) gives the
  typo wave's respondent. The pass must not hide the 2025 municipality in one table while another
  publishes its n and means: it hides the all-waves row, and every municipality keeps its figures.
* A wave of 1 respondent must not show "Befragte in dieser Welle" = 1 in every table.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import analysis.pipeline as pipeline
from analysis import AnalysisConfig, Results, run
from analysis.table_catalogue import ROLE_SETS
from reporting.audit_differencing import attack_tables
from surveys.dataset import Dataset
from surveys.synthetic import simulate
from tests.analysis.test_small_cells_differencing import without_complementary_pass

MIN_N = 5


def _run(dataset: Dataset, protected: bool = True, **config) -> Results:  # type: ignore[no-untyped-def]
    with warnings.catch_warnings(), pytest.MonkeyPatch.context() as mp:
        warnings.simplefilter("ignore")
        if not protected:
            mp.setattr(pipeline, "complementary_suppression", without_complementary_pass)
        return run(dataset, AnalysisConfig(min_n=MIN_N, **config), strict=protected)


def _shown(t: pd.DataFrame) -> pd.DataFrame:
    return t[~t["suppressed"].astype(bool)] if "suppressed" in t.columns else t


def side_minus_published_roles(res: Results) -> list[tuple[str, str, int]]:
    """Each published side of ``perspektiven`` minus the published role counts of that side in
    ``antworten_kommune_rolle`` (same municipality and wave), when exactly one role of the side is
    not published: (AGS, the unpublished role, the difference) -- what a reader computes."""
    roles = res["antworten_kommune_rolle"]
    roles = roles[roles["wave"].astype(str) == str(res.meta["wave"])]
    out = []
    for _, row in _shown(res["perspektiven"]).iterrows():
        if row.get("level") != "municipality":
            continue
        mine = roles[roles["ags"] == row["ags"]]
        for col, side in (("n_reference", "@reference"), ("n_comparison", "@comparison")):
            present = mine[mine["role"].isin(ROLE_SETS[side])]
            hidden = present[present["suppressed"].astype(bool)]
            if len(hidden) == 1 and not np.isnan(float(row[col])):
                rest = float(row[col]) - _shown(present)["n"].astype(float).sum()
                out.append((str(row["ags"]), str(hidden["role"].iloc[0]), round(rest)))
    return out


@pytest.fixture(scope="module")
def example(example_dataset) -> tuple[Results, Results]:  # type: ignore[no-untyped-def]
    ds = Dataset.load(example_dataset)
    return _run(ds, protected=False), _run(ds)


def test_without_the_pass_a_side_of_perspektiven_minus_a_role_count_gives_a_small_group(example) -> None:  # type: ignore[no-untyped-def]
    unprotected, _ = example
    small = [d for d in side_minus_published_roles(unprotected) if 1 <= d[2] < MIN_N]
    assert small, "the example data no longer hold the leak of the trial report"


def test_with_the_pass_no_side_minus_published_roles_gives_a_small_group(example) -> None:  # type: ignore[no-untyped-def]
    _, protected = example
    assert not [d for d in side_minus_published_roles(protected) if 1 <= d[2] < MIN_N]


def test_audit_recovers_the_cross_table_leak_from_unprotected_tables_and_nothing_after_the_pass(example) -> None:  # type: ignore[no-untyped-def]
    unprotected, protected = example
    leaks = attack_tables(unprotected.tables, unprotected.meta["privacy"], MIN_N)
    across = [lk for lk in leaks if {"perspektiven", "antworten_kommune_rolle"} <= set(lk.tables)]
    assert across and all(1 <= lk.n < MIN_N for lk in across)
    # the recovered size is the truth: the group's respondents in the dataset
    roles = unprotected["antworten_kommune_rolle"]
    for lk in across:
        ags = lk.group.split(";")[0].removeprefix("AGS ").strip()
        role = lk.group.split(";")[1].split()[-1].strip()
        true = roles[(roles["ags"] == ags) & (roles["role"] == role)
                     & (roles["wave"].astype(str) == str(unprotected.meta["wave"]))]
        assert true.empty or true["suppressed"].astype(bool).all()
    assert attack_tables(protected.tables, protected.meta["privacy"], MIN_N) == []


def pilot_dataset(instrument) -> tuple[Dataset, list[str]]:  # type: ignore[no-untyped-def]
    """Three municipalities with 6, 6 and 8 respondents in wave 2025; one more respondent of the
    second in wave "2052" (a typo). Returns the dataset and the AGS in that order."""
    prog = simulate(3, 24, seed=3, instrument=instrument)
    wide = prog.wide[prog.wide["wave"].astype(str) == "2025"]
    agss = sorted(wide["ags"].unique())
    keep = []
    for a, k in zip(agss, (6, 7, 8), strict=True):
        keep.extend(wide.index[wide["ags"] == a][:k])
    wide = wide.loc[keep].copy()
    typo = wide.index[wide["ags"] == agss[1]][-1]
    wide.loc[typo, "wave"] = "2052"
    return Dataset.from_wide(wide.reset_index(drop=True), prog.municipalities, instrument), list(agss)


def test_a_municipality_suppressed_in_one_table_is_suppressed_in_every_table_or_in_none(instrument) -> None:  # type: ignore[no-untyped-def]
    ds, agss = pilot_dataset(instrument)
    res = _run(ds, wave="2025")
    over = res["kommunen_uebersicht"].set_index("ags")
    assert over.loc[agss, "n"].astype(float).tolist() == [6, 6, 8]  # every municipality >= min_n is shown
    for table in ("kommunen", "typologie", "funnel"):
        t = res[table]
        hidden = set(t.loc[t["suppressed"].astype(bool), "ags"])
        assert not hidden & set(agss), table
    # and the typo wave's respondent is not computable: the all-waves row of the second is hidden
    straight = res["straightlining"].set_index("ags")
    assert bool(straight.loc[agss[1], "suppressed"]) and straight.loc[agss[1], "suppression"] == "secondary"
    leaks = attack_tables(res.tables, res.meta["privacy"], MIN_N)
    assert not [lk for lk in leaks if "straightlining" in lk.tables or "kommunen_uebersicht" in lk.tables]


def test_a_wave_of_one_respondent_does_not_show_its_size_in_any_table(instrument) -> None:  # type: ignore[no-untyped-def]
    ds, _ = pilot_dataset(instrument)
    res = _run(ds, wave="2052")
    with_wave_n = {name: t for name, t in res.tables.items() if "wave_n" in t.columns}
    assert with_wave_n
    for name, t in with_wave_n.items():
        assert t["wave_n"].isna().all(), name
    res25 = _run(ds, wave="2025")
    assert (res25["kommunen"]["wave_n"] == 20).all()  # a wave at or above the minimum keeps its size


def test_a_small_municipality_costs_no_other_municipality_its_figures(instrument) -> None:  # type: ignore[no-untyped-def]
    """Issue 13's data: X (4 respondents) next to nine municipalities of 25-44. X enters no state figure,
    so no state total minus the others gives it, and A (30, the next-smallest) keeps every figure."""
    from tests.analysis.test_small_cells_differencing import attack_dataset

    ds, a, x = attack_dataset(instrument)
    res = _run(ds)
    for table in ("kommunen", "kommunen_uebersicht", "typologie", "funnel"):
        t = res[table]
        assert not (t["suppression"] == "secondary").any(), table
        assert set(t.loc[t["suppressed"].astype(bool), "ags"]) <= {x}, table
    over = res["kommunen_uebersicht"].set_index("ags")
    assert bool(over.loc[x, "suppressed"]) and float(over.loc[a, "n"]) == 30
    # the state figures are those of the published municipalities: state total = their sum
    k = res["kommunen"]
    for _, row in res["aggregation"].iterrows():
        assert float(row["n"]) == k.loc[k["variable"] == row["dv"], "n"].astype(float).sum()
    assert x not in set(res["kommunen"]["ags"])
    assert res.meta["privacy"]["left_out"] == [x]
    assert (res.notes["code"] == "municipalities_below_min_n").sum() == 1


def test_a_typo_wave_of_one_respondent_is_not_the_total_over_all_waves_minus_the_analysed_wave(instrument) -> None:  # type: ignore[no-untyped-def]
    """fehlende_werte (21, all waves) minus wave_n or reliabilitaet (20, wave 2025) would give the typo
    wave's respondent; both are state totals. The all-waves count is blanked (its shares stay), the
    metadata and the wave note withhold it, and the audit recovers nothing."""
    ds, _ = pilot_dataset(instrument)
    res = _run(ds, wave="2025")
    missing = res["fehlende_werte"]
    assert missing["n"].isna().all() and missing["missing"].notna().all()
    assert res.meta["n_respondents"] == 20 and res.meta["n_respondents_all_waves"] is None
    notes = res.notes
    assert (notes["code"] == "total_blanked").sum() == 1
    assert not (notes["code"] == "differencing_unprotected").any()
    wave_note = notes.loc[notes["code"] == "wave_used", "reason_de"].iloc[0]
    assert "20 von –" in wave_note and "21" not in wave_note
    assert attack_tables(res.tables, res.meta["privacy"], MIN_N) == []
    res52 = _run(ds, wave="2052")
    assert res52.meta["n_respondents"] is None and res52.meta["n_respondents_all_waves"] == 21


def test_a_score_count_a_reader_takes_for_a_head_count_is_protected_too(instrument) -> None:  # type: ignore[no-untyped-def]
    """Municipal side: 6 administration, 4 council, 1 mayor (11), one councillor without a score of
    the municipal scale, so ``perspektiven`` shows 10. A reader takes 10 for the head count: 10 − 6
    administration = 4 "council and mayor" (truly 5). The audit would report it; the pass protects
    it as well, so the audit of the protected results finds nothing."""
    prog = simulate(6, 80, seed=21, instrument=instrument)
    wide = prog.wide.copy()
    last = sorted(wide["wave"].unique())[-1]
    a = str(wide[wide["wave"] == last].groupby("ags").size().idxmax())
    rows = wide.index[(wide["ags"] == a) & (wide["wave"] == last)]
    roles = ["verwaltung"] * 6 + ["gemeinderat"] * 4 + ["buergermeister"] + ["verein"] * 6 + ["engagiert"] * 6
    wide = wide.drop(rows[len(roles):])
    wide.loc[rows[:len(roles)], "role"] = roles
    items = [i.code for i in instrument.items if i.code in wide.columns]
    wide.loc[rows[:len(roles)], items] = wide.loc[rows[:len(roles)], items].fillna(3).to_numpy()
    municipal = [i.code for i in instrument.items if i.construct == "kommunal" and i.code in wide.columns]
    wide.loc[rows[6], municipal] = np.nan  # a councillor without a municipal score
    ds = Dataset.from_wide(wide.reset_index(drop=True), prog.municipalities, instrument)
    unprotected, protected = _run(ds, protected=False), _run(ds)
    p = unprotected["perspektiven"].set_index("ags")
    assert float(p.loc[a, "n_reference"]) == 10
    believed = [lk for lk in attack_tables(unprotected.tables, unprotected.meta["privacy"], MIN_N)
                if a in lk.group and "buergermeister" in lk.group]
    assert believed and believed[0].n == 4  # what a reader computes (the truth is 5)
    assert attack_tables(protected.tables, protected.meta["privacy"], MIN_N) == []
