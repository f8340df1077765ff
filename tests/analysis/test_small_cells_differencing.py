"""Complementary suppression: the differencing attacks of issue 13 work without it and fail with it.

The dataset is built to hold both attacks of the issue:

* municipality A has 30 scored respondents in the cross-sectional wave: 14 on the municipal side
  (administration, council), 13 in civil society (associations, engaged citizens) and 3 in other
  roles (services); ``kommunen`` publishes A's total, ``perspektiven`` its two sides, so total
  minus sides gives the 3 "services" respondents' n and mean;
* municipality X has 4 respondents; were it part of the state total of every scale (``aggregation``),
  the state total minus the other municipalities' ``kommunen`` rows would give X's n and mean
  -- it is not: municipalities below the minimum enter no state figure
  (:func:`analysis.small_cells.reported_groups`);
* A's role counts in ``antworten_kommune_rolle`` minus A's total in ``kommunen_uebersicht`` give
  the count of A's suppressed roles.

Each attack is written out as an attacker would do it with the published tables alone.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import analysis.pipeline as pipeline
from analysis import AnalysisConfig, Results, run
from analysis.small_cells import SuppressionResult
from analysis.table_catalogue import ROLE_SETS
from surveys.dataset import Dataset
from surveys.synthetic import simulate

REFERENCE, COMPARISON = ROLE_SETS["@reference"], ROLE_SETS["@comparison"]


def attack_dataset(instrument) -> tuple[Dataset, str, str]:  # type: ignore[no-untyped-def]
    """A dataset with municipality A (14 + 13 + 3 respondents) and X (4 respondents) in the last wave.

    Returns the dataset and the AGS of A and X.
    """
    prog = simulate(10, 70, seed=13, instrument=instrument)
    wide = prog.wide.copy()
    last = sorted(wide["wave"].unique())[-1]
    per = wide[wide["wave"] == last].groupby("ags").size().sort_values(ascending=False)
    a, x = str(per.index[0]), str(per.index[-1])
    items = [i.code for i in instrument.items if i.code in wide.columns]
    rows_a = wide.index[(wide["ags"] == a) & (wide["wave"] == last)]
    assert len(rows_a) >= 30
    wide = wide.drop(rows_a[30:])
    roles = ["verwaltung"] * 8 + ["gemeinderat"] * 6 + ["verein"] * 7 + ["engagiert"] * 6 + ["dienst"] * 3
    wide.loc[rows_a[:30], "role"] = roles
    filled = wide.loc[rows_a[:30], items]
    wide.loc[rows_a[:30], items] = filled.fillna(3).to_numpy()  # every respondent of A has every score
    rows_x = wide.index[(wide["ags"] == x) & (wide["wave"] == last)]
    wide = wide.drop(rows_x[4:])
    return Dataset.from_wide(wide.reset_index(drop=True), prog.municipalities, instrument), a, x


@pytest.fixture(scope="module")
def attack_data(instrument) -> tuple[Dataset, str, str]:  # type: ignore[no-untyped-def]
    return attack_dataset(instrument)


def without_complementary_pass(tables, context, **kw) -> SuppressionResult:  # type: ignore[no-untyped-def]
    """Stand-in for the pass: primary suppression only (to show what the attacks get without it)."""
    return SuppressionResult(dict(tables), [], pd.DataFrame(columns=["table", "rows", "primary", "secondary"]))


def _run(dataset: Dataset) -> Results:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run(dataset, AnalysisConfig(min_n=5), strict=True)


@pytest.fixture(scope="module")
def protected(attack_data) -> Results:  # type: ignore[no-untyped-def]
    return _run(attack_data[0])


@pytest.fixture(scope="module")
def unprotected(attack_data) -> Results:  # type: ignore[no-untyped-def]
    """The same analysis with the complementary pass switched off (primary suppression only)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pipeline, "complementary_suppression", without_complementary_pass)
        return _run(attack_data[0])


def _shown(table: pd.DataFrame) -> pd.DataFrame:
    return table[~table["suppressed"].astype(bool)] if "suppressed" in table.columns else table


def total_minus_role_sides(res: Results, ags: str) -> tuple[int, float] | None:
    """kommunen (A, municipal scale) minus perspektiven (A, both sides): the other roles' n and mean."""
    m = res.meta["construct_roles"]["municipal_commitment"]
    k = _shown(res["kommunen"])
    k = k[(k["ags"] == ags) & (k["variable"] == m)]
    p = _shown(res["perspektiven"])
    p = p[p["ags"] == ags]
    if k.empty or p.empty:
        return None
    n, mean = float(k["n"].iloc[0]), float(k["mean"].iloc[0])
    n1, m1 = float(p["n_reference"].iloc[0]), float(p["mean_reference"].iloc[0])
    n2, m2 = float(p["n_comparison"].iloc[0]), float(p["mean_comparison"].iloc[0])
    rest = n - n1 - n2
    return round(rest), (n * mean - n1 * m1 - n2 * m2) / rest


def state_minus_municipalities(res: Results, ags: str, construct: str) -> tuple[int, float] | None:
    """aggregation (state total of a scale) minus every other municipality's kommunen row."""
    agg = _shown(res["aggregation"])
    agg = agg[agg["dv"] == construct]
    k = res["kommunen"]
    others = k[(k["variable"] == construct) & (k["ags"] != ags)]
    if agg.empty or others["suppressed"].astype(bool).any():
        return None
    n_all, mean_all = float(agg["n"].iloc[0]), float(agg["grand_mean"].iloc[0])
    n = n_all - others["n"].astype(float).sum()
    total = n_all * mean_all - (others["n"].astype(float) * others["mean"].astype(float)).sum()
    return round(n), total / n


def suppressed_role_count(res: Results, ags: str) -> int | None:
    """kommunen_uebersicht (A) minus A's published role counts of the wave: the suppressed roles' count."""
    o = _shown(res["kommunen_uebersicht"])
    o = o[o["ags"] == ags]
    r = res["antworten_kommune_rolle"]
    r = r[(r["ags"] == ags) & (r["wave"] == res.meta["wave"])]
    if o.empty:
        return None
    return int(o["n"].iloc[0] - _shown(r)["n"].astype(float).sum())


def _truth(dataset: Dataset, res: Results, ags: str, construct: str, other_roles: bool = False) -> tuple[int, float]:
    """n and mean of a municipality's scored respondents (only roles on neither side with ``other_roles``)."""
    frame, _ = pipeline.score_dataset(dataset, res.config)
    sel = (frame["ags"] == ags) & (frame["wave"] == res.meta["wave"]) & frame[construct].notna()
    if other_roles:
        sel &= frame["role"].notna() & ~frame["role"].isin(REFERENCE + COMPARISON)
    return int(sel.sum()), float(frame.loc[sel, construct].mean())


def test_without_the_complementary_pass_both_attacks_of_the_issue_recover_small_groups_exactly(
        attack_data, unprotected) -> None:  # type: ignore[no-untyped-def]
    dataset, a, x = attack_data
    m = unprotected.meta["construct_roles"]["municipal_commitment"]
    rest = total_minus_role_sides(unprotected, a)
    n_rest, mean_rest = _truth(dataset, unprotected, a, m, other_roles=True)
    assert rest is not None and rest[0] == n_rest == 3
    assert rest[1] == pytest.approx(mean_rest, abs=1e-9)
    for construct in unprotected.meta["construct_roles"].values():
        # X (4 respondents) enters no state figure (analysis.small_cells.reported_groups): the state
        # total minus the other municipalities is 0, not X, even without the complementary pass
        got = state_minus_municipalities(unprotected, x, construct)
        n_x, _ = _truth(dataset, unprotected, x, construct)
        assert 1 <= n_x <= 4 and got is not None and got[0] == 0
    hidden = suppressed_role_count(unprotected, a)
    assert hidden is not None and 1 <= hidden <= 4


def test_with_the_complementary_pass_no_attack_recovers_a_group_below_the_minimum(attack_data, protected) -> None:  # type: ignore[no-untyped-def]
    _, a, x = attack_data
    rest = total_minus_role_sides(protected, a)
    assert rest is None or rest[0] >= 5
    for construct in protected.meta["construct_roles"].values():
        got = state_minus_municipalities(protected, x, construct)
        assert got is None or got[0] == 0 or got[0] >= 5
    hidden = suppressed_role_count(protected, a)
    assert hidden is None or hidden == 0 or hidden >= 5


def test_secondary_suppression_is_marked_explained_and_smaller_than_the_table(protected) -> None:  # type: ignore[no-untyped-def]
    p = protected["perspektiven"]
    assert set(p["suppression"]) <= {"", "primary", "secondary"}
    secondary = p[p["suppression"] == "secondary"]
    assert len(secondary) >= 1 and secondary["suppressed"].astype(bool).all()
    assert secondary[["n_reference", "mean_reference", "gap"]].isna().all().all()
    k = protected["kommunen"]
    assert (k["suppression"] == "").any(), "the whole table must not be suppressed"
    notes = protected.notes[protected.notes["code"] == "complementary_suppression"]
    assert "perspektiven" in set(notes["scope"])
    counts = protected.meta["privacy"]["suppression"]
    assert counts["rows_secondary"] == sum(t["secondary"] for t in counts["by_table"].values()) > 0
    assert counts["by_table"]["kommunen"]["secondary"] < counts["by_table"]["kommunen"]["rows"]


def test_the_state_totals_stay_published(protected) -> None:  # type: ignore[no-untyped-def]
    for name in ("aggregation", "reliabilitaet"):
        assert not protected[name]["suppressed"].astype(bool).any() if "suppressed" in protected[name] else True
    assert protected["aggregation"]["n"].notna().all()
    assert np.isfinite(protected["aggregation"]["grand_mean"].astype(float)).all()
