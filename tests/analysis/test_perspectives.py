"""perspective_gaps: Welch per municipality against scipy, pooled gap against the FE estimator."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy import stats

from analysis.perspectives import perspective_gaps, welch_difference
from core.errors import AnalysisError


def _roles_frame(seed: int = 7, gap: float = 0.5, G: int = 30) -> pd.DataFrame:
    """Administration rates municipal commitment `gap` points higher; municipalities with more
    administration respondents also have a higher level (confounding the naive pooled estimate)."""
    rng = np.random.default_rng(seed)
    rows = []
    for j in range(G):
        share = rng.uniform(0.15, 0.7)
        n = int(rng.integers(12, 30))
        level = 3 + 1.5 * (share - 0.4) + rng.normal(0, 0.3)
        for _ in range(n):
            r = rng.choice(["verwaltung", "buergermeister"]) if rng.random() < share else rng.choice(
                ["verein", "engagiert", "dienst"])
            adm = r in ("verwaltung", "buergermeister")
            rows.append((f"08{j:06d}", r, level + gap * adm + rng.normal(0, 0.6)))
    return pd.DataFrame(rows, columns=["ags", "role", "kommunal"])


def test_welch_difference_matches_scipy_and_pingouin():
    rng = np.random.default_rng(1)
    a, b = rng.normal(3.5, 0.8, 9), rng.normal(3.0, 0.4, 14)
    w = welch_difference(a, b)
    ref = stats.ttest_ind(a, b, equal_var=False)
    ci = ref.confidence_interval(0.95)
    assert w["t"] == pytest.approx(ref.statistic)
    assert w["p"] == pytest.approx(ref.pvalue)
    assert w["df"] == pytest.approx(ref.df)
    assert (w["ci_low"], w["ci_high"]) == pytest.approx((ci.low, ci.high))
    pg = pytest.importorskip("pingouin")
    assert w["hedges_g"] == pytest.approx(pg.compute_effsize(a, b, eftype="hedges"), rel=1e-6)


def test_per_municipality_gaps_match_scipy_welch():
    df = _roles_frame()
    out = perspective_gaps(df, "kommunal", reference=["verwaltung", "buergermeister"])
    muni = out[out["level"] == "municipality"].set_index("ags")
    for ags, d in df.groupby("ags"):
        adm = d["role"].isin(["verwaltung", "buergermeister"])
        a, b = d.loc[adm, "kommunal"].to_numpy(), d.loc[~adm, "kommunal"].to_numpy()
        if min(len(a), len(b)) < 5:
            assert muni.loc[ags, "suppressed"] and pd.isna(muni.loc[ags, "gap"])
            continue
        ref = stats.ttest_ind(a, b, equal_var=False)
        ci = ref.confidence_interval(0.95)
        assert muni.loc[ags, "gap"] == pytest.approx(a.mean() - b.mean())
        assert (muni.loc[ags, "ci_low"], muni.loc[ags, "ci_high"]) == pytest.approx((ci.low, ci.high))
        assert muni.loc[ags, "p"] == pytest.approx(ref.pvalue)
        assert (muni.loc[ags, "n_reference"], muni.loc[ags, "n_comparison"]) == (len(a), len(b))
    assert muni["suppressed"].any() and not muni["suppressed"].all()


def test_pooled_gap_is_the_within_municipality_estimate():
    df = _roles_frame()
    out = perspective_gaps(df, "kommunal", reference=["verwaltung", "buergermeister"])
    pooled = out[out["level"] == "pooled"].iloc[0]
    d = df.assign(R=df["role"].isin(["verwaltung", "buergermeister"]).astype(float))
    fe = smf.ols("kommunal ~ R + C(ags)", d).fit()
    assert pooled["gap"] == pytest.approx(fe.params["R"], rel=1e-6)  # Mundlak (1978) identity
    assert pooled["ci_low"] < 0.5 < pooled["ci_high"]
    # the naive pooled comparison is confounded by role composition and overstates the gap
    naive = d.loc[d["R"] == 1, "kommunal"].mean() - d.loc[d["R"] == 0, "kommunal"].mean()
    assert naive > pooled["gap"] + 0.05


def test_comparison_roles_can_be_restricted():
    df = _roles_frame()
    out = perspective_gaps(df, "kommunal", reference="verwaltung", comparison=["verein"], min_n=2,
                           pooled=False)
    first = df[df["ags"] == out["ags"].iloc[0]]
    assert out["n_comparison"].iloc[0] == (first["role"] == "verein").sum()
    assert out["n_reference"].iloc[0] == (first["role"] == "verwaltung").sum()


def test_overlapping_or_absent_roles_raise():
    df = _roles_frame()
    with pytest.raises(AnalysisError):
        perspective_gaps(df, "kommunal", reference="verwaltung", comparison=["verwaltung", "verein"])
    with pytest.raises(AnalysisError):
        perspective_gaps(df, "kommunal", reference="niemand")
