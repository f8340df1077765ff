"""Funnel limits against brute force, closed forms and simulations with known truth.

References: statistics.md c3 (verified clip case n=50, θ0=0.0739, 99.8 % lower limit −0.019 before
clipping), scipy.stats.binom by explicit summation of the pmf, Spiegelhalter (2005) /
FunnelPlotR 0.5 ``phi_func``/``tau_func``, and simulated data with known τ².
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.funnel import _binomial_raw, binomial_limits, funnel_limits
from core.errors import AnalysisError

Z95, Z998 = 1.959964, 3.090232  # FunnelPlotR's constants


def brute_force_limit(n: int, theta0: float, p: float) -> float:
    """Spiegelhalter's interpolated binomial limit by explicit cumulative summation of the pmf."""
    pmf = [stats.binom.pmf(r, n, theta0) for r in range(n + 1)]
    cdf = np.cumsum(pmf)
    r = next(i for i, c in enumerate(cdf) if c >= p - 1e-15)
    f_r = cdf[r]
    f_rm1 = cdf[r - 1] if r > 0 else 0.0
    alpha = (f_r - p) / (f_r - f_rm1)
    return (r - alpha) / n


def simulate(G: int, tau: float, seed: int, sigma: float = 1.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    nj = rng.integers(10, 80, G)
    g = np.repeat(np.arange(G), nj)
    y = 3.0 + rng.normal(0, tau, G)[g] + rng.normal(0, sigma, len(g))
    return pd.DataFrame({"ags": [f"{i:08d}" for i in g], "score": y})


# --------------------------------------------------------------------------- binomial limits
def test_verified_clip_case_lower_998_is_minus_0_019_before_clipping():
    lo, _ = _binomial_raw(np.array([50.0]), 0.0739, 0.998)
    assert abs(lo[0] - (-0.019)) <= 0.0005
    clipped, _ = binomial_limits([50], 0.0739, 0.998)
    assert clipped[0] == 0.0


@pytest.mark.parametrize("theta0", [0.0739, 0.3, 0.62, 0.95])
@pytest.mark.parametrize("level", [0.95, 0.998])
def test_binomial_limits_match_brute_force(theta0, level):
    ns = np.array([5, 9, 17, 50, 123, 400])
    lo, hi = _binomial_raw(ns.astype(float), theta0, level)
    for i, n in enumerate(ns):
        assert lo[i] == pytest.approx(brute_force_limit(n, theta0, (1 - level) / 2), abs=1e-12)
        assert hi[i] == pytest.approx(brute_force_limit(n, theta0, (1 + level) / 2), abs=1e-12)


def test_binomial_limits_approach_normal_limits_for_large_n():
    n, th = 20000, 0.4
    lo, hi = binomial_limits([n], th, 0.95)
    half = Z95 * np.sqrt(th * (1 - th) / n)
    assert lo[0] == pytest.approx(th - half, abs=2 / n)
    assert hi[0] == pytest.approx(th + half, abs=2 / n)


def test_proportion_units_use_exact_limits_and_flag_against_them():
    rng = np.random.default_rng(4)
    g = np.repeat(np.arange(60), 40)
    agree = rng.random(len(g)) < 0.3
    agree[g == 0] = True  # one municipality where everybody agrees
    df = pd.DataFrame({"ags": g, "agree": agree})
    res = funnel_limits(df, "agree", "ags", kind="proportion")
    th = agree.mean()
    assert res.target == pytest.approx(th)
    u = res.units
    lo, hi = binomial_limits(np.full(60, 40), th, 0.998)
    np.testing.assert_allclose(u["lower_99.8"].astype(float), lo)
    np.testing.assert_allclose(u["upper_99.8"].astype(float), hi)
    assert u.flag.iloc[0] == "above 99.8"
    assert bool(u["outside_99.8"].iloc[0])


def test_proportion_from_item_codes_with_success():
    df = pd.DataFrame({"ags": np.repeat(["a", "b"], 10), "q": [1, 2, 4, 5, 5, 3, 4, np.nan, 2, 1] * 2})
    res = funnel_limits(df, "q", "ags", kind="proportion", success=(4, 5))
    assert res.units.value.astype(float).tolist() == pytest.approx([4 / 9, 4 / 9])
    assert res.units.n.astype(int).tolist() == [9, 9]


def test_proportion_rejects_non_binary_without_success():
    df = pd.DataFrame({"ags": ["a"] * 6, "q": [1, 2, 3, 4, 5, 1]})
    with pytest.raises(AnalysisError):
        funnel_limits(df, "q", "ags", kind="proportion")


# --------------------------------------------------------------------------- means
def test_mean_limits_closed_form_with_pooled_within_sd():
    df = simulate(50, 0.0, seed=1)
    res = funnel_limits(df, "score", "ags")
    grp = df.groupby("ags")["score"]
    n = grp.size().to_numpy()
    sigma = np.sqrt(((grp.var() * (n - 1)).sum()) / (len(df) - len(n)))
    theta0 = df.score.mean()
    assert res.sigma == pytest.approx(sigma, rel=1e-12)
    assert res.target == pytest.approx(theta0)
    u = res.units
    np.testing.assert_allclose(u["upper_95"].astype(float), theta0 + Z95 * sigma / np.sqrt(n), rtol=1e-6)
    np.testing.assert_allclose(u["lower_99.8"].astype(float), theta0 - Z998 * sigma / np.sqrt(n), rtol=1e-6)
    np.testing.assert_allclose(u.z.astype(float), (grp.mean().to_numpy() - theta0) / (sigma / np.sqrt(n)))


def test_user_target_is_used():
    df = simulate(20, 0.0, seed=2)
    res = funnel_limits(df, "score", "ags", target=3.5)
    assert res.target == 3.5
    assert res.curve([100]).loc[0, "upper_95"] == pytest.approx(3.5 + Z95 * res.sigma / 10, rel=1e-6)


# --------------------------------------------------------------------------- overdispersion
def test_phi_and_tau2_follow_spiegelhalter_formulas():
    """Re-derive φ and τ² by hand (FunnelPlotR phi_func / tau_func) from the unit table."""
    df = simulate(80, 0.3, seed=3)
    res = funnel_limits(df, "score", "ags", winsor=0.1)
    z = res.units.z.astype(float).to_numpy()
    s = res.units.se.astype(float).to_numpy()
    lo, hi = np.quantile(z, [0.1, 0.9])
    zw = np.where(z < lo, lo, np.where(z > hi, hi, z))
    phi = np.sum(zw**2) / len(z)
    w = 1 / s**2
    tau2 = max(0, (len(z) * phi - (len(z) - 1)) / (w.sum() - (w**2).sum() / w.sum()))
    assert res.phi == pytest.approx(phi, rel=1e-12)
    assert res.tau2 == pytest.approx(tau2, rel=1e-12)


def test_tau2_recovered_on_simulated_overdispersed_data():
    res = funnel_limits(simulate(800, 0.3, seed=4), "score", "ags", winsor=0.0, overdispersion="additive")
    assert res.tau2 == pytest.approx(0.09, abs=0.02)
    assert res.adjusted


def test_phi_near_one_without_overdispersion():
    res = funnel_limits(
        simulate(800, 0.0, seed=5), "score", "ags", winsor=0.0, overdispersion="multiplicative"
    )
    assert res.phi == pytest.approx(1.0, abs=0.12)


def test_winsorised_phi_matches_its_expectation_under_the_null():
    """E[winsorised z²] for z ~ N(0,1) at the 10/90 % quantiles ≈ 0.679 (closed form)."""
    c = stats.norm.ppf(0.9)
    expected = (2 * stats.norm.cdf(c) - 1) - 2 * c * stats.norm.pdf(c) + 2 * (1 - stats.norm.cdf(c)) * c**2
    res = funnel_limits(simulate(2000, 0.0, seed=6), "score", "ags", winsor=0.1)
    assert res.phi == pytest.approx(expected, abs=0.05)


def test_additive_limits_add_tau2_to_sampling_variance():
    df = simulate(300, 0.3, seed=7)
    res = funnel_limits(df, "score", "ags", overdispersion="additive", winsor=0.0)
    cur = res.curve([25.0, 100.0])
    s2 = res.sigma**2 / np.array([25.0, 100.0])
    np.testing.assert_allclose(cur["upper_95"], res.target + Z95 * np.sqrt(s2 + res.tau2), rtol=1e-6)
    np.testing.assert_allclose(cur["lower_99.8"], res.target - Z998 * np.sqrt(s2 + res.tau2), rtol=1e-6)


def test_multiplicative_limits_scale_by_sqrt_phi():
    df = simulate(300, 0.3, seed=8)
    plain = funnel_limits(df, "score", "ags")
    mult = funnel_limits(df, "score", "ags", overdispersion="multiplicative")
    assert mult.phi > 1 and mult.adjusted
    w_plain = plain.curve([30.0])["upper_95"] - plain.target
    w_mult = mult.curve([30.0])["upper_95"] - mult.target
    assert float(w_mult.iloc[0]) == pytest.approx(float(w_plain.iloc[0]) * np.sqrt(mult.phi), rel=1e-9)


def test_overdispersion_changes_flags_on_overdispersed_data():
    df = simulate(300, 0.4, seed=9)
    plain = funnel_limits(df, "score", "ags")
    add = funnel_limits(df, "score", "ags", overdispersion="additive")
    assert plain.units["outside_99.8"].sum() > add.units["outside_99.8"].sum()


def test_no_adjustment_when_no_overdispersion_detected():
    df = simulate(200, 0.0, seed=10)
    res = funnel_limits(df, "score", "ags", overdispersion="additive")  # winsorised φ < 1 here
    assert res.tau2 == 0.0
    assert not res.adjusted
    assert "none detected" in res.method


def test_proportion_additive_overdispersion_on_arcsine_scale_recovers_tau2():
    rng = np.random.default_rng(12)
    G = 800
    nj = rng.integers(30, 120, G)
    t = np.arcsin(np.sqrt(0.4)) + rng.normal(0, 0.1, G)  # τ = 0.1 on the arcsine scale
    p = np.sin(np.clip(t, 0, np.pi / 2)) ** 2
    g = np.repeat(np.arange(G), nj)
    df = pd.DataFrame({"ags": g, "agree": rng.random(len(g)) < p[g]})
    res = funnel_limits(df, "agree", "ags", kind="proportion", overdispersion="additive", winsor=0.0)
    assert res.tau2 == pytest.approx(0.01, abs=0.003)
    lo, hi = res.limits([50.0], 0.95)
    t0 = np.arcsin(np.sqrt(res.target))
    half = Z95 * np.sqrt(1 / (4 * 50) + res.tau2)
    assert hi[0] == pytest.approx(np.sin(t0 + half) ** 2, rel=1e-6)
    assert lo[0] == pytest.approx(np.sin(t0 - half) ** 2, rel=1e-6)


# --------------------------------------------------------------------------- privacy and output
def test_small_groups_suppressed_and_not_used_for_phi():
    df = simulate(40, 0.2, seed=13)
    tiny = pd.DataFrame({"ags": ["99999999"] * 3, "score": [5.0, 5.0, 5.0]})
    res = funnel_limits(pd.concat([df, tiny]), "score", "ags")
    row = res.units[res.units.ags == "99999999"].iloc[0]
    assert row.suppressed
    assert pd.isna(row.value) and pd.isna(row.n) and pd.isna(row["upper_95"]) and pd.isna(row.flag)
    assert res.n_units == 40
    z = res.units.z.astype(float).dropna().to_numpy()  # the 40 visible units only
    assert len(z) == 40
    lo, hi = np.quantile(z, [0.1, 0.9])
    assert res.phi == pytest.approx(np.mean(np.clip(z, lo, hi) ** 2), rel=1e-12)


def test_label_columns_are_carried():
    df = simulate(10, 0.1, seed=14)
    df["name"] = "Gemeinde " + df.ags.str[-2:]
    res = funnel_limits(df, "score", "ags", label_cols=["name"])
    assert res.units.name.iloc[0] == "Gemeinde 00"


def test_curve_narrows_with_n_and_has_all_levels():
    res = funnel_limits(simulate(30, 0.1, seed=15), "score", "ags")
    cur = res.curve()
    assert list(cur.columns) == ["n", "target", "lower_95", "upper_95", "lower_99.8", "upper_99.8"]
    assert (np.diff(cur.upper_95) < 0).all()
    assert (cur["upper_99.8"] > cur["upper_95"]).all()


def test_bad_levels_rejected():
    with pytest.raises(AnalysisError):
        funnel_limits(simulate(5, 0, seed=1), "score", "ags", levels=(95,))
