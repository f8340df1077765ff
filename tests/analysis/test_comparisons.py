"""Group comparisons against independent references.

References: pingouin 0.7 docstring values (RV11 of reference-values.md) and live pingouin calls
(test-only, GPL), scikit-posthocs 0.17 ``posthoc_dunn``, statsmodels ``multipletests``,
``confint_effectsize_oneway`` and ``rank_compare_2indep``, scipy, brute-force definitions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.comparisons import (
    adjust_pvalues,
    anova_oneway,
    compare_groups,
    dunn_test,
    games_howell,
    kruskal,
    welch_anova,
)
from core.errors import AnalysisError

pg = pytest.importorskip("pingouin")
sp = pytest.importorskip("scikit_posthocs")
multipletests = pytest.importorskip("statsmodels.stats.multitest").multipletests

DV, BETWEEN = "Pain threshold", "Hair color"


def close(got: float, published: float, decimals: int) -> bool:
    """Tolerance rule of reference-values.md: half a unit in the last printed digit."""
    return abs(got - published) <= 0.5 * 10**-decimals


@pytest.fixture(scope="module")
def hair() -> pd.DataFrame:
    return pg.read_dataset("anova")


@pytest.fixture(scope="module")
def penguins() -> pd.DataFrame:
    return pg.read_dataset("penguins")


@pytest.fixture(scope="module")
def likert() -> pd.DataFrame:
    """Tied 5-point data: 4 groups of unequal size, shifted distributions, many ties."""
    rng = np.random.default_rng(20250101)
    sizes = {"Nord": 12, "Ost": 20, "Süd": 9, "West": 15}
    probs = {
        "Nord": [0.05, 0.10, 0.25, 0.35, 0.25],
        "Ost": [0.30, 0.30, 0.20, 0.15, 0.05],
        "Süd": [0.10, 0.20, 0.40, 0.20, 0.10],
        "West": [0.05, 0.05, 0.20, 0.30, 0.40],
    }
    rows = [(g, v) for g, n in sizes.items() for v in rng.choice([1, 2, 3, 4, 5], size=n, p=probs[g])]
    return pd.DataFrame(rows, columns=["district", "q7"])


# --------------------------------------------------------------------------- RV11: ANOVA family
def test_anova_matches_pingouin_docstring_rv11(hair):
    r = anova_oneway(hair, DV, BETWEEN).iloc[0]
    assert close(r.SS_between, 1360.726, 3)
    assert close(r.SS_within, 1001.800, 3)
    assert close(r.MS_between, 453.575, 3)
    assert close(r.MS_within, 66.787, 3)
    assert (r.df1, r.df2) == (3, 15)
    assert close(r.F, 6.791, 3)
    assert close(r.p_unc, 0.004, 3)
    assert close(r.eta2, 0.576, 3)  # pingouin np2


def test_anova_effect_sizes_match_derived_rv11(hair):
    r = anova_oneway(hair, DV, BETWEEN).iloc[0]
    assert close(r.eta2, 0.5760, 4)
    assert close(r.omega2, 0.4777, 4)
    assert close(r.epsilon2, 0.4912, 4)


def test_anova_matches_live_pingouin(hair):
    ref = pg.anova(data=hair, dv=DV, between=BETWEEN, detailed=True)
    r = anova_oneway(hair, DV, BETWEEN).iloc[0]
    assert r["F"] == pytest.approx(ref["F"].iloc[0], rel=1e-10)
    assert r.p_unc == pytest.approx(ref["p_unc"].iloc[0], rel=1e-8)
    assert r.eta2 == pytest.approx(ref["np2"].iloc[0], rel=1e-10)


def test_eta2_ci_inverts_noncentral_f_and_agrees_with_statsmodels(hair):
    from statsmodels.stats.oneway import confint_effectsize_oneway

    r = anova_oneway(hair, DV, BETWEEN).iloc[0]
    N = 19
    ref = confint_effectsize_oneway(r.F, (3, 15), alpha=0.05, nobs=N).eta2
    # statsmodels' root finder stops at ~1e-5 in the cdf, hence the loose tolerance here ...
    assert r.eta2_ci_low == pytest.approx(ref[0], abs=1e-3)
    assert r.eta2_ci_high == pytest.approx(ref[1], abs=1e-3)
    # ... and the defining equations hold exactly for ours: P(F' <= F | λ) = 0.975 / 0.025
    lam_lo = r.eta2_ci_low * N / (1 - r.eta2_ci_low)
    lam_hi = r.eta2_ci_high * N / (1 - r.eta2_ci_high)
    assert stats.ncf.cdf(r.F, 3, 15, lam_lo) == pytest.approx(0.975, abs=1e-7)
    assert stats.ncf.cdf(r.F, 3, 15, lam_hi) == pytest.approx(0.025, abs=1e-7)


def test_eta2_ci_lower_bound_is_zero_when_f_is_small():
    df = pd.DataFrame({"g": np.repeat(list("abc"), 10), "y": np.tile(np.arange(10.0), 3)})
    r = anova_oneway(df, "y", "g").iloc[0]
    assert r["F"] == pytest.approx(0.0)
    assert r.eta2_ci_low == 0.0


def test_welch_anova_matches_pingouin_docstring_rv11(hair):
    r = welch_anova(hair, DV, BETWEEN).iloc[0]
    assert close(r.F, 5.890115, 6)
    assert close(r.df2, 8.329841, 6)
    assert close(r.p_unc, 0.018813, 6)
    assert r.df1 == 3


def test_welch_anova_two_groups_equals_welch_t_squared(penguins):
    sub = penguins[penguins.species != "Gentoo"]
    r = welch_anova(sub, "body_mass_g", "species").iloc[0]
    a = sub.loc[sub.species == "Adelie", "body_mass_g"].dropna()
    c = sub.loc[sub.species == "Chinstrap", "body_mass_g"].dropna()
    t = stats.ttest_ind(a, c, equal_var=False)
    assert r["F"] == pytest.approx(t.statistic**2, rel=1e-10)
    assert r.p_unc == pytest.approx(t.pvalue, rel=1e-8)


def test_kruskal_matches_pingouin_docstring_rv11(hair):
    r = kruskal(hair, DV, BETWEEN).iloc[0]
    assert close(r.H, 10.58863, 5)
    assert close(r.p_unc, 0.014172, 6)
    assert r.epsilon2_H == pytest.approx(r.H / 18)
    assert r.eta2_H == pytest.approx((r.H - 4 + 1) / (19 - 4))


def test_kruskal_tie_correction_matches_scipy_on_tied_likert(likert):
    r = kruskal(likert, "q7", "district").iloc[0]
    ref = stats.kruskal(*[g.q7.to_numpy() for _, g in likert.groupby("district")])
    assert r["H"] == pytest.approx(ref.statistic, rel=1e-12)
    assert r.p_unc == pytest.approx(ref.pvalue, rel=1e-10)


def test_na_in_unrelated_column_does_not_drop_rows(hair):
    """pingouin #74: only the used columns may decide which rows are dropped."""
    junk = hair.assign(other=np.where(np.arange(len(hair)) % 2, np.nan, 1.0))
    assert kruskal(junk, DV, BETWEEN).H.iloc[0] == kruskal(hair, DV, BETWEEN).H.iloc[0]
    assert welch_anova(junk, DV, BETWEEN).F.iloc[0] == welch_anova(hair, DV, BETWEEN).F.iloc[0]


def test_na_in_dv_drops_only_that_row(hair):
    d = hair.copy()
    d.loc[0, DV] = np.nan
    assert kruskal(d, DV, BETWEEN).n.iloc[0] == 18


# --------------------------------------------------------------------------- Games–Howell
def test_games_howell_matches_pingouin_docstring_rv11(penguins):
    gh = games_howell(penguins, "body_mass_g", "species")
    r = gh.iloc[0]
    assert (r.A, r.B) == ("Adelie", "Chinstrap")
    assert close(r["T"], -0.543, 3)
    assert close(r.df, 152.455, 3)
    assert close(r.p_tukey, 0.85, 2)
    assert close(r.hedges, -0.074, 3)
    assert close(gh.iloc[1]["T"], -23.386, 3)
    assert close(gh.iloc[1].df, 249.643, 3)
    assert close(gh.iloc[2]["T"], -20.628, 3)
    assert close(gh.iloc[2].df, 170.404, 3)


def test_games_howell_matches_live_pingouin(penguins):
    ref = pg.pairwise_gameshowell(data=penguins, dv="body_mass_g", between="species")
    gh = games_howell(penguins, "body_mass_g", "species")
    np.testing.assert_allclose(gh["T"], ref["T"], rtol=1e-10)
    np.testing.assert_allclose(gh["df"], ref["df"], rtol=1e-10)
    np.testing.assert_allclose(gh["p_tukey"], ref["pval"], atol=1e-8)
    np.testing.assert_allclose(gh["hedges"], ref["hedges"], rtol=1e-8)


def test_games_howell_hedges_ci_matches_pingouin_compute_esci(penguins):
    gh = games_howell(penguins, "body_mass_g", "species")
    for _, r in gh.iterrows():
        lo, hi = pg.compute_esci(stat=r.hedges, nx=r.n_A, ny=r.n_B, eftype="hedges", decimals=10)
        assert r.hedges_ci_low == pytest.approx(lo, abs=1e-9)
        assert r.hedges_ci_high == pytest.approx(hi, abs=1e-9)


def test_games_howell_unadjusted_p_is_two_sided_welch_t(penguins):
    gh = games_howell(penguins, "body_mass_g", "species")
    a = penguins.loc[penguins.species == "Adelie", "body_mass_g"].dropna()
    c = penguins.loc[penguins.species == "Chinstrap", "body_mass_g"].dropna()
    t = stats.ttest_ind(a, c, equal_var=False, alternative="two-sided")
    assert gh.p_unc.iloc[0] == pytest.approx(t.pvalue, rel=1e-8)


# --------------------------------------------------------------------------- Dunn
def test_dunn_two_sided_matches_scikit_posthocs_on_tied_likert(likert):
    res = dunn_test(likert, "q7", "district", p_adjust="none")
    ref = sp.posthoc_dunn(likert, val_col="q7", group_col="district", p_adjust=None)
    for _, r in res.iterrows():
        assert r.p_unc == pytest.approx(ref.loc[r.A, r.B], rel=1e-10)
    assert (res.alternative == "two-sided").all()


@pytest.mark.parametrize("method", ["holm", "fdr_bh", "bonferroni"])
def test_dunn_adjusted_matches_scikit_posthocs(likert, method):
    res = dunn_test(likert, "q7", "district", p_adjust=method)
    ref = sp.posthoc_dunn(likert, val_col="q7", group_col="district", p_adjust=method)
    for _, r in res.iterrows():
        assert r.p_adj == pytest.approx(ref.loc[r.A, r.B], rel=1e-10)


def test_dunn_one_sided_is_half_two_sided_dunn_test_convention(likert):
    two = dunn_test(likert, "q7", "district")
    one = dunn_test(likert, "q7", "district", alternative="one-sided")
    np.testing.assert_allclose(one.p_unc, two.p_unc / 2, rtol=1e-12)
    np.testing.assert_allclose(one.p_unc, stats.norm.sf(np.abs(two.z)), rtol=1e-12)
    greater = dunn_test(likert, "q7", "district", alternative="greater")
    np.testing.assert_allclose(greater.p_unc, stats.norm.sf(two.z), rtol=1e-12)


def test_dunn_z_uses_tie_corrected_variance(likert):
    """Closed form of Dunn (1964) computed directly from scipy ranks."""
    res = dunn_test(likert, "q7", "district")
    y = likert.q7.to_numpy(float)
    r = stats.rankdata(y)
    N = len(y)
    _, t = np.unique(y, return_counts=True)
    var0 = N * (N + 1) / 12 - np.sum(t**3 - t) / (12 * (N - 1))
    a = likert.district == "Nord"
    b = likert.district == "Ost"
    z = (r[a].mean() - r[b].mean()) / np.sqrt(var0 * (1 / a.sum() + 1 / b.sum()))
    row = res[(res.A == "Nord") & (res.B == "Ost")].iloc[0]
    assert row.z == pytest.approx(z, rel=1e-12)
    assert row.z > 0  # Nord answers higher than Ost


def test_dunn_holm_and_bh_columns_match_statsmodels(likert):
    res = dunn_test(likert, "q7", "district")
    assert np.allclose(res.p_holm, multipletests(res.p_unc, method="holm")[1])
    assert np.allclose(res.p_fdr_bh, multipletests(res.p_unc, method="fdr_bh")[1])


def test_dunn_cliffs_delta_and_superiority_by_brute_force(likert):
    from statsmodels.stats.nonparametric import rank_compare_2indep

    res = dunn_test(likert, "q7", "district")
    for _, r in res.iterrows():
        x = likert.loc[likert.district == r.A, "q7"].to_numpy(float)
        y = likert.loc[likert.district == r.B, "q7"].to_numpy(float)
        delta = np.sign(x[:, None] - y[None, :]).mean()
        assert r.cliffs_delta == pytest.approx(delta, abs=1e-12)
        assert r.prob_superiority == pytest.approx(rank_compare_2indep(x, y).prob1, abs=1e-12)
        assert r.prob_superiority == pytest.approx((delta + 1) / 2, abs=1e-12)


def test_superiority_ci_matches_statsmodels_brunner_munzel(likert):
    from statsmodels.stats.nonparametric import rank_compare_2indep

    res = dunn_test(likert, "q7", "district")
    for _, r in res.iterrows():
        x = likert.loc[likert.district == r.A, "q7"].to_numpy(float)
        y = likert.loc[likert.district == r.B, "q7"].to_numpy(float)
        lo, hi = rank_compare_2indep(x, y).conf_int(alpha=0.05)
        assert r.prob_superiority_ci_low == pytest.approx(lo, abs=1e-10)
        assert r.prob_superiority_ci_high == pytest.approx(hi, abs=1e-10)
        assert r.cliffs_delta_ci_low == pytest.approx(2 * lo - 1, abs=1e-10)


@pytest.mark.parametrize("force_loop", [False, True])
def test_superiority_ci_both_code_paths_match_statsmodels(monkeypatch, force_loop):
    """Matrix path (few distinct values) and per-pair path (continuous data) give the same CIs."""
    from statsmodels.stats.nonparametric import rank_compare_2indep

    import analysis.comparisons as comp

    if force_loop:
        monkeypatch.setattr(comp, "_MATRIX_LIMIT", 0)
    rng = np.random.default_rng(8)
    df = pd.DataFrame({"g": np.repeat(list("abc"), [30, 25, 20]), "y": rng.normal(size=75).round(1)})
    res = dunn_test(df, "y", "g")
    for _, r in res.iterrows():
        x, y = df.y[df.g == r.A].to_numpy(), df.y[df.g == r.B].to_numpy()
        ref = rank_compare_2indep(x, y)
        lo, hi = ref.conf_int()
        assert r.prob_superiority == pytest.approx(ref.prob1, abs=1e-12)
        assert r.prob_superiority_ci_low == pytest.approx(lo, abs=1e-10)
        assert r.prob_superiority_ci_high == pytest.approx(hi, abs=1e-10)
        assert r.cliffs_delta == pytest.approx(np.sign(x[:, None] - y[None, :]).mean(), abs=1e-12)


def test_dunn_dominance_for_continuous_data_uses_same_definition():
    rng = np.random.default_rng(5)
    df = pd.DataFrame({"g": np.repeat(list("abc"), [30, 25, 20]), "y": rng.normal(size=75)})
    df.loc[:29, "y"] += 1
    res = dunn_test(df, "y", "g")
    x, y = df.y[df.g == "a"].to_numpy(), df.y[df.g == "b"].to_numpy()
    assert res.cliffs_delta.iloc[0] == pytest.approx(np.sign(x[:, None] - y[None, :]).mean())


# --------------------------------------------------------------------------- p adjustment
@pytest.mark.parametrize("method", ["holm", "bonferroni", "fdr_bh"])
def test_adjust_pvalues_matches_statsmodels(method):
    rng = np.random.default_rng(7)
    p = np.concatenate([rng.uniform(0, 0.05, 8), rng.uniform(0, 1, 30), [0.01, 0.01, 0.5, 1.0]])
    rng.shuffle(p)
    np.testing.assert_allclose(adjust_pvalues(p, method), multipletests(p, method=method)[1], rtol=1e-12)


def test_adjust_pvalues_keeps_nan_out_of_the_family():
    p = np.array([0.01, np.nan, 0.04, 0.03])
    got = adjust_pvalues(p, "holm")
    assert np.isnan(got[1])
    np.testing.assert_allclose(got[[0, 2, 3]], multipletests(p[[0, 2, 3]], method="holm")[1])


def test_adjust_pvalues_rejects_unknown_method():
    with pytest.raises(AnalysisError):
        adjust_pvalues([0.1], "sidak")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- compare_groups
def test_compare_groups_item_uses_kruskal_and_dunn_and_excludes_small_groups(likert):
    tiny = pd.DataFrame({"district": ["Mitte"] * 3, "q7": [5, 5, 4]})
    data = pd.concat([likert, tiny], ignore_index=True)
    res = compare_groups(data, "q7", "district")
    assert res.kind == "item"
    assert res.omnibus.test.iloc[0] == "Kruskal-Wallis"
    # the small group is excluded before testing, so the result equals the test without it
    assert res.omnibus.H.iloc[0] == pytest.approx(kruskal(likert, "q7", "district").H.iloc[0])
    assert res.excluded.district.tolist() == ["Mitte"]
    assert "Mitte" not in set(res.posthoc.A) | set(res.posthoc.B)
    assert "Mitte" not in set(res.descriptives.district)
    assert "n" not in res.excluded.columns  # the small group's size is not disclosed
    assert len(res.posthoc) == 6
    assert {"p_unc", "p_holm", "p_fdr_bh", "cliffs_delta", "z"} <= set(res.posthoc.columns)
    np.testing.assert_allclose(res.posthoc.p_holm, multipletests(res.posthoc.p_unc, method="holm")[1])
    assert "two-sided" in res.method and "holm" in res.method and "excluded" in res.method


def test_compare_groups_scale_uses_welch_and_games_howell(penguins):
    res = compare_groups(penguins, "body_mass_g", "species")
    assert res.kind == "scale"
    assert res.omnibus.test.iloc[0] == "Welch ANOVA"
    ref = pg.welch_anova(data=penguins, dv="body_mass_g", between="species")
    assert res.omnibus.F.iloc[0] == pytest.approx(ref.F.iloc[0], rel=1e-10)
    assert {"eta2", "omega2", "epsilon2", "eta2_ci_low"} <= set(res.omnibus.columns)
    assert {"p_tukey", "p_unc", "p_holm", "p_fdr_bh", "hedges_ci_low"} <= set(res.posthoc.columns)
    np.testing.assert_allclose(res.posthoc.p_fdr_bh, multipletests(res.posthoc.p_unc, method="fdr_bh")[1])
    assert res.descriptives["n"].astype(int).tolist() == [151, 68, 123]
    assert res.excluded.empty


def test_compare_groups_skips_pairs_for_many_groups():
    rng = np.random.default_rng(2)
    df = pd.DataFrame({"ags": np.repeat([f"{i:08d}" for i in range(40)], 6), "s": rng.normal(size=240)})
    res = compare_groups(df, "s", "ags", kind="scale", max_posthoc_groups=30)
    assert res.posthoc.empty
    assert "skipped" in res.method
    assert res.omnibus.k.iloc[0] == 40


def test_compare_groups_needs_two_groups_after_exclusion():
    df = pd.DataFrame({"g": ["a"] * 10 + ["b"] * 2, "y": np.arange(12.0)})
    with pytest.raises(AnalysisError):
        compare_groups(df, "y", "g")


def test_non_numeric_outcome_gives_clear_error():
    df = pd.DataFrame({"g": list("aabb"), "y": ["gut", "1", "2", "3"]})
    with pytest.raises(AnalysisError, match="nicht-numerische"):
        kruskal(df, "y", "g")


@pytest.mark.slow
def test_hedges_ci_covers_true_effect_in_simulation():
    """Ground truth: δ = 0.5 between two groups; the 95 % CI covers it in ≥ 90 % of 50 runs."""
    rng = np.random.default_rng(11)
    hits = 0
    for _ in range(50):
        df = pd.DataFrame(
            {"g": np.repeat(["a", "b"], 40), "y": np.r_[rng.normal(0.5, 1, 40), rng.normal(0, 1, 40)]}
        )
        r = games_howell(df, "y", "g").iloc[0]
        hits += r.hedges_ci_low <= 0.5 <= r.hedges_ci_high
    assert hits >= 45


def test_hedges_ci_single_seed_contains_truth():
    rng = np.random.default_rng(12)
    df = pd.DataFrame(
        {"g": np.repeat(["a", "b"], 200), "y": np.r_[rng.normal(0.5, 1, 200), rng.normal(0, 1, 200)]}
    )
    r = games_howell(df, "y", "g").iloc[0]
    assert r.hedges_ci_low <= 0.5 <= r.hedges_ci_high


def test_eta2_ci_stays_finite_at_national_sample_sizes_and_matches_ncf_where_it_works() -> None:
    from analysis.comparisons import _eta2_ci

    # where scipy's noncentral F is well behaved, the interval is the exact Steiger (2004) inversion
    lo, hi = _eta2_ci(8.0, 3, 5_000, 5_004, 0.95)
    assert 0 < lo < 3 * 8.0 / (3 * 8.0 + 5_000) < hi
    # national scale: N ≈ 1.08 million, large F — ncf.cdf returns NaN here; the χ² limit takes over
    F, df1, df2 = 1959.7, 2, 1_079_997  # without the fallback brentq stops on a NaN from ncf.cdf here
    lo, hi = _eta2_ci(F, df1, df2, df2 + 3, 0.95)
    point = F * df1 / (F * df1 + df2)
    assert np.isfinite(lo) and np.isfinite(hi) and lo < point < hi
    # the χ² limit agrees with the noncentral F where both are finite and df2 is large
    lam = 40.0
    assert stats.ncf.cdf(20.0, 2, 2e6, lam) == pytest.approx(stats.ncx2.cdf(40.0, 2, lam), abs=2e-3)
