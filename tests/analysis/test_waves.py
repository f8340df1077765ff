"""wave_change and did_estimate: scipy t-tests, closed-form DiD, hand-coded CR1 sandwich, recovery."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.waves import did_estimate, wave_change
from core.errors import AnalysisError


def simulate_waves(G: int = 40, m: int = 12, effect: float = 0.4, trend: float = 0.15, seed: int = 1,
                   tau: float = 0.3, sigma: float = 0.7, panel: bool = False) -> pd.DataFrame:
    """Two waves; funded municipalities (half) gain `effect` beyond the common `trend`."""
    rng = np.random.default_rng(seed)
    rows = []
    for j in range(G):
        funded = j % 2 == 0
        u = rng.normal(0, tau) + 0.3 * funded  # funded start higher: DiD must difference it out
        ids = [f"{j}-{i}" for i in range(m)]
        person = rng.normal(0, 0.5, m) if panel else np.zeros(m)
        for w, post in ((2025, 0), (2027, 1)):
            n = m if panel else int(rng.integers(m - 4, m + 5))
            for i in range(n):
                y = 3 + u + trend * post + effect * funded * post + (person[i] if panel else 0) \
                    + rng.normal(0, sigma)
                rows.append((f"08{j:06d}", w, funded, ids[i] if panel else f"{j}-{w}-{i}", y))
    return pd.DataFrame(rows, columns=["ags", "wave", "funded", "respondent_id", "struktur"])


def test_independent_wave_change_matches_scipy_welch():
    df = simulate_waves(G=6)
    out = wave_change(df, "struktur").set_index("ags")
    for ags, d in df.groupby("ags"):
        a = d.loc[d["wave"] == 2025, "struktur"].to_numpy()
        b = d.loc[d["wave"] == 2027, "struktur"].to_numpy()
        ref = stats.ttest_ind(b, a, equal_var=False)
        ci = ref.confidence_interval()
        row = out.loc[ags]
        assert row["change"] == pytest.approx(b.mean() - a.mean())
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((ci.low, ci.high))
        assert row["p"] == pytest.approx(ref.pvalue)
        assert row["design"] == "welch" and (row["n_from"], row["n_to"]) == (len(a), len(b))


def test_paired_wave_change_matches_scipy_ttest_rel():
    df = simulate_waves(G=4, panel=True)
    df = df.drop(index=df.index[[0, 1]])  # two respondents of the first municipality miss wave 1
    out = wave_change(df, ["struktur"], paired_on="respondent_id").set_index("ags")
    for ags, d in df.groupby("ags"):
        w = d.pivot(index="respondent_id", columns="wave", values="struktur").dropna()
        ref = stats.ttest_rel(w[2027], w[2025])
        ci = ref.confidence_interval()
        row = out.loc[ags]
        assert row["design"] == "paired" and row["n_pairs"] == len(w)
        assert row["change"] == pytest.approx((w[2027] - w[2025]).mean())
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((ci.low, ci.high))
        assert row["p"] == pytest.approx(ref.pvalue)
    assert out.iloc[0]["n_unpaired"] == 2


def test_wave_change_suppresses_small_cells_and_checks_waves():
    df = simulate_waves(G=3)
    small = df[~((df["ags"] == "08000000") & (df["wave"] == 2027))]
    small = pd.concat([small, df[(df["ags"] == "08000000") & (df["wave"] == 2027)].head(3)])
    out = wave_change(small, "struktur").set_index("ags")
    assert out.loc["08000000", "suppressed"] and pd.isna(out.loc["08000000", "change"])
    assert not out.loc["08000001", "suppressed"]
    with pytest.raises(AnalysisError):
        wave_change(df, "struktur", waves=(2025, 2030))
    with pytest.raises(AnalysisError):
        wave_change(df[df["wave"] == 2025], "struktur")


def _cr1(X: np.ndarray, y: np.ndarray, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Hand-coded CR1 cluster-robust covariance (Cameron & Miller 2015, eq. 11 with c = G/(G−1)(N−1)/(N−k))."""
    XtX_inv = np.linalg.inv(X.T @ X)
    beta = XtX_inv @ X.T @ y
    e = y - X @ beta
    meat = np.zeros((X.shape[1], X.shape[1]))
    for c in np.unique(g):
        s = X[g == c].T @ e[g == c]
        meat += np.outer(s, s)
    N, k, G = len(y), X.shape[1], len(np.unique(g))
    V = XtX_inv @ meat @ XtX_inv * G / (G - 1) * (N - 1) / (N - k)
    return beta, V


@pytest.mark.parametrize("unit", ["municipality", "respondent"])
def test_did_estimate_equals_closed_form_and_hand_coded_cr1(unit):
    df = simulate_waves(G=24, seed=3)
    res = did_estimate(df, "struktur", treated="funded", unit=unit).iloc[0]
    if unit == "municipality":
        cells = df.groupby(["ags", "wave"]).agg(y=("struktur", "mean"), T=("funded", "first")).reset_index()
    else:
        cells = df.rename(columns={"struktur": "y", "funded": "T"})
    tr = cells["T"].astype(float).to_numpy()
    po = (cells["wave"] == 2027).astype(float).to_numpy()
    m = {(t, p): cells.loc[(tr == t) & (po == p), "y"].mean() for t in (0, 1) for p in (0, 1)}
    assert res["estimate"] == pytest.approx((m[1, 1] - m[1, 0]) - (m[0, 1] - m[0, 0]), abs=1e-10)
    X = np.column_stack([np.ones(len(tr)), tr, po, tr * po])
    _, V = _cr1(X, cells["y"].to_numpy(), cells["ags"].to_numpy())
    assert res["se"] == pytest.approx(np.sqrt(V[3, 3]), rel=1e-10)
    q = stats.t.ppf(0.975, 23)
    assert res["ci_high"] == pytest.approx(res["estimate"] + q * res["se"])
    assert res["df"] == 23
    assert (res["n_municipalities_treated"], res["n_municipalities_control"]) == (12, 12)
    assert res["mean_treated_post"] == pytest.approx(m[1, 1])


def test_did_recovers_simulated_programme_effect_single_seed():
    df = simulate_waves(G=60, effect=0.4, seed=11)
    res = did_estimate(df, "struktur").iloc[0]
    assert res["ci_low"] < 0.4 < res["ci_high"]
    assert res["ci_low"] > 0  # 60 municipalities: the effect is detected
    # the naive post-wave comparison is biased by the funded municipalities' head start (0.3)
    post = df[df["wave"] == 2027].groupby("funded")["struktur"].mean()
    assert post[True] - post[False] > res["estimate"] + 0.1


def test_did_coverage_over_seeds():
    """Nominal 95 % CI covers the true effect in ≥ 90 % of 100 replications (binomial 5 % bound ≈ 91)."""
    hits = [
        (r := did_estimate(simulate_waves(G=30, effect=0.4, seed=s), "struktur").iloc[0])["ci_low"] < 0.4 < r["ci_high"]
        for s in range(100)
    ]
    assert np.mean(hits) >= 0.90


def test_did_rejects_varying_treatment_and_missing_cells():
    df = simulate_waves(G=10)
    bad = df.copy()
    bad.loc[bad.index[0], "funded"] = not bad.loc[bad.index[0], "funded"]
    with pytest.raises(AnalysisError):
        did_estimate(bad, "struktur")
    only_control_post = df[~(df["funded"] & (df["wave"] == 2027))]
    with pytest.raises(AnalysisError):
        did_estimate(only_control_post, "struktur")
