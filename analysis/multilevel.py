"""Random-intercept (two-level) linear mixed models: respondents nested in municipalities.

The model (Raudenbush & Bryk 2002, ch. 2; Snijders & Bosker 2012, ch. 4) is

.. math::

    y_{ij} = x_{ij}^\\top \\beta + u_j + e_{ij}, \\qquad
    u_j \\sim N(0, \\tau^2), \\quad e_{ij} \\sim N(0, \\sigma^2),

for respondent *i* in municipality *j*. :func:`fit_multilevel` fits it either with
``statsmodels.MixedLM`` or with a profiled (RE)ML fitter built on per-municipality sufficient
statistics (:func:`_ProfiledRI`), which is exact for the random-intercept model and takes
milliseconds where MixedLM takes a minute at 200,000 respondents (see ``benchmarks/``).

Profiled likelihood
-------------------
With :math:`\\gamma = \\tau^2/\\sigma^2`, :math:`V_j = \\sigma^2 (I + \\gamma 1 1^\\top)` and
:math:`d_j = n_j / (1 + n_j \\gamma)`, everything the likelihood needs is the pooled
within-municipality cross-product matrix :math:`W` of :math:`[X, y]` and the municipality means
:math:`\\bar x_j, \\bar y_j`:

.. math::

    A(\\gamma) = W_{xx} + \\sum_j d_j \\bar x_j \\bar x_j^\\top, \\quad
    b(\\gamma) = W_{xy} + \\sum_j d_j \\bar x_j \\bar y_j, \\quad
    \\hat\\beta(\\gamma) = A^{-1} b, \\quad
    \\mathrm{RSS}(\\gamma) = W_{yy} + \\sum_j d_j \\bar y_j^2 - b^\\top \\hat\\beta .

The profiled criteria (minus twice the log-likelihood, :math:`\\sigma^2` profiled out) are

.. math::

    -2\\ell_{ML}(\\gamma) = N\\,[1 + \\log(2\\pi\\,\\mathrm{RSS}/N)] + \\sum_j \\log(1 + n_j\\gamma)

    -2\\ell_{REML}(\\gamma) = (N-p)\\,[1 + \\log(2\\pi\\,\\mathrm{RSS}/(N-p))]
        + \\sum_j \\log(1 + n_j\\gamma) + \\log|A(\\gamma)|

(Bates et al. 2015, eq. 34 and 41, specialised to one scalar random effect). The one-dimensional
criterion is minimised over :math:`\\gamma \\ge 0` (grid on :math:`\\log\\gamma` plus Brent), the
boundary :math:`\\gamma = 0` (ordinary least squares) included. :math:`\\mathrm{Cov}(\\hat\\beta)
= \\hat\\sigma^2 A(\\hat\\gamma)^{-1}` as in lme4 and statsmodels.

References
----------
Bates, D., Mächler, M., Bolker, B. & Walker, S. (2015). Fitting linear mixed-effects models using
lme4. *Journal of Statistical Software* 67(1).
Nakagawa, S. & Schielzeth, H. (2013). A general and simple method for obtaining R² from generalized
linear mixed-effects models. *Methods in Ecology and Evolution* 4, 133–142.
Pinheiro, J. C. & Bates, D. M. (2000). *Mixed-Effects Models in S and S-PLUS*. Springer.
Self, S. G. & Liang, K.-Y. (1987). Asymptotic properties of maximum likelihood estimators and
likelihood ratio tests under nonstandard conditions. *JASA* 82, 605–610.
"""

from __future__ import annotations

import re
import warnings as _warnings
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from scipy import optimize, stats

from core.problems import Location, Problem

from .input_checks import check_choice, check_columns, check_level, factorize_groups
from .notes import NOTES, AnalysisWarning, analysis_error

__all__ = ["MultilevelResult", "contextual_terms", "fit_multilevel"]

#: Below this ratio tau²/sigma² statsmodels results are distrusted (statsmodels#10239).
TAU2_RATIO_TOL = 1e-8

_RE_TERM = re.compile(r"\+?\s*\(\s*1\s*\|\s*([^)]+?)\s*\)")


@dataclass(frozen=True)
class MultilevelResult:
    """Result of :func:`fit_multilevel`.

    Attributes
    ----------
    fixed : pandas.DataFrame
        One row per fixed effect: ``term, estimate, se, df, stat, p, ci_low, ci_high`` (``stat`` is z
        when ``df`` is infinite, else t). ``z`` is kept as an alias column of ``stat``.
    tau2, sigma2 : float
        Between-municipality (random-intercept) and residual variance.
    icc : float
        Adjusted ICC, τ²/(τ² + σ²).
    icc_unadjusted : float
        τ²/(σ²_f + τ² + σ²) (Nakagawa et al. 2017; ``performance::icc``).
    r2_marginal, r2_conditional : float
        Nakagawa & Schielzeth (2013): σ²_f/(σ²_f+τ²+σ²) and (σ²_f+τ²)/(σ²_f+τ²+σ²), with
        σ²_f = var(Xβ̂) (sample variance, ddof = 1, as ``performance::r2_nakagawa``).
    var_fixed : float
        σ²_f.
    loglik : float
        Maximised (RE)ML log-likelihood (REML if ``reml``).
    lrt_stat, lrt_p : float
        Likelihood-ratio test of H0: τ² = 0 with the same criterion (REML or ML); ``lrt_p`` is the
        halved χ²₁ p-value (50:50 mixture of χ²₀ and χ²₁, Self & Liang 1987).
    random_effects : pandas.DataFrame
        Per group: ``group, n, blup, shrinkage`` (empirical-Bayes prediction of u_j and
        λ_j = τ²/(τ² + σ²/n_j)).
    warnings : tuple of core.problems.Problem
        Everything worth telling the reader (singular fit, non-convergence, statsmodels#10239
        refit, …), from the catalogue :data:`analysis.notes.NOTES`; each is also issued as an
        :class:`~analysis.notes.AnalysisWarning`.
    """

    fixed: pd.DataFrame
    tau2: float
    sigma2: float
    icc: float
    icc_unadjusted: float
    r2_marginal: float
    r2_conditional: float
    var_fixed: float
    n_obs: int
    n_groups: int
    converged: bool
    method: str
    reml: bool
    loglik: float
    lrt_stat: float
    lrt_p: float
    formula: str
    group: str
    random_effects: pd.DataFrame = field(repr=False)
    warnings: tuple[Problem, ...] = ()

    def coef(self, term: str) -> pd.Series:
        """The row of :attr:`fixed` for ``term`` (raises ``KeyError`` if absent)."""
        rows = self.fixed.loc[self.fixed["term"] == term]
        if rows.empty:
            raise KeyError(f"term {term!r} not in model; available: {list(self.fixed['term'])}")
        return rows.iloc[0]

    def stats(self) -> pd.DataFrame:
        """Scalar statistics as a tidy two-column table (statistic, value)."""
        names = [
            "n_obs", "n_groups", "tau2", "sigma2", "icc", "icc_unadjusted", "var_fixed",
            "r2_marginal", "r2_conditional", "loglik", "lrt_stat", "lrt_p",
        ]
        return pd.DataFrame({"statistic": names, "value": [float(getattr(self, n)) for n in names]})

    def summary(self) -> str:
        """Plain-text summary in the style of ``lme4::summary``."""
        crit = "REML" if self.reml else "ML"
        lines = [
            f"Random-intercept model ({crit}, fitted by {self.method}): {self.formula}",
            f"Groups: {self.group} ({self.n_groups}); observations: {self.n_obs}; converged: {self.converged}",
            f"{crit} log-likelihood: {self.loglik:.4f}",
            "",
            "Random effects:",
            f"  {self.group:<14s} (Intercept)  variance {self.tau2:.6g}  SD {np.sqrt(self.tau2):.6g}",
            f"  {'Residual':<14s}              variance {self.sigma2:.6g}  SD {np.sqrt(self.sigma2):.6g}",
            f"  ICC adjusted {self.icc:.4f}, unadjusted {self.icc_unadjusted:.4f}; "
            f"R² marginal {self.r2_marginal:.4f}, conditional {self.r2_conditional:.4f}",
            f"  LRT tau²=0: {self.lrt_stat:.4f}, p (halved) = {self.lrt_p:.4g}",
            "",
            "Fixed effects:",
            self.fixed[["term", "estimate", "se", "df", "stat", "p", "ci_low", "ci_high"]].to_string(
                index=False, float_format=lambda v: f"{v:.6g}"
            ),
        ]
        if self.warnings:
            lines += ["", "Warnings:", *[f"  - {w.message('en')}" for w in self.warnings]]
        return "\n".join(lines)

    def __str__(self) -> str:  # pragma: no cover - convenience
        return self.summary()


# --------------------------------------------------------------------------- design
def _split_formula(formula: str, group: str | None) -> tuple[str, str]:
    """Remove an lme4-style ``(1 | g)`` term; return (fixed-effects formula, group column)."""
    found = _RE_TERM.findall(formula)
    if len(found) > 1:
        raise analysis_error("formula_unsupported", detail=("mehr als ein Zufallsachsenabschnitt", "more than one random intercept"))
    if "|" in _RE_TERM.sub("", formula):
        raise analysis_error("formula_unsupported", detail=("zufällige Steigungen", "random slopes"))
    fixed = _RE_TERM.sub("", formula).strip()
    if found:
        g = found[0].strip()
        if group is not None and group != g:
            raise analysis_error("formula_unsupported", detail=(f"die Formel nennt die Gruppe '{g}', aber group='{group}'",
                                                                  f"formula names group '{g}' but group='{group}'"))
        group = g
    if group is None:
        raise analysis_error("group_column_missing")
    return fixed, group


def _design(data: pd.DataFrame, formula: str, group: str) -> tuple[np.ndarray, pd.DataFrame, pd.Series]:
    import patsy

    check_columns(data, [group])
    df = data.reset_index(drop=True)
    df = df.loc[df[group].notna()]
    try:
        y, X = patsy.dmatrices(formula, df, NA_action="drop", return_type="dataframe", eval_env=0)
    except Exception as exc:  # patsy raises PatsyError and others with technical messages
        raise analysis_error("formula_mismatch", formula=formula, detail=str(exc).splitlines()[0]) from exc
    if y.shape[1] != 1:
        raise analysis_error("formula_mismatch", formula=formula, detail=("die Zielgröße muss numerisch sein",
                                                                      "the outcome must be numeric"))
    g = df.loc[X.index, group]
    return y.iloc[:, 0].to_numpy(dtype=float), X, g


def _between_columns(X: np.ndarray, codes: np.ndarray, n_groups: int) -> np.ndarray:
    """Boolean mask: columns constant within every group (municipality-level predictors)."""
    counts = np.bincount(codes, minlength=n_groups)
    out = np.zeros(X.shape[1], dtype=bool)
    for k in range(X.shape[1]):
        col = X[:, k]
        mean = np.bincount(codes, weights=col, minlength=n_groups) / counts
        dev = np.abs(col - mean[codes])
        out[k] = bool(np.all(dev <= 1e-10 * (1 + np.abs(col))))
    return out


def _ddf(ddf: str, X: np.ndarray, names: list[str], codes: np.ndarray, n_groups: int) -> np.ndarray:
    p = X.shape[1]
    if ddf == "normal":
        return np.full(p, np.inf)
    check_choice(ddf, "ddf", ("normal", "between-within"))
    between = _between_columns(X, codes, n_groups)
    is_intercept = np.array([n == "Intercept" for n in names])
    between_terms = between & ~is_intercept
    n_obs = X.shape[0]
    # Pinheiro & Bates (2000, sec. 4.2.2): intercept and within-group terms get
    # N - G - p_within; municipality-level terms get G - 1 - p_between.
    within_df = n_obs - n_groups - int((~between & ~is_intercept).sum())
    between_df = n_groups - 1 - int(between_terms.sum())
    return np.where(between_terms, float(between_df), float(within_df))


def _fixed_table(names: list[str], beta: np.ndarray, cov: np.ndarray, df: np.ndarray,
                 ci: float) -> pd.DataFrame:
    se = np.sqrt(np.clip(np.diag(cov), 0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = beta / se
    finite = np.isfinite(df)
    dfc = np.where(finite, df, 1.0)
    p = np.where(finite, 2 * stats.t.sf(np.abs(stat), np.maximum(dfc, 1)), 2 * stats.norm.sf(np.abs(stat)))
    upper = 0.5 + ci / 2
    q = np.where(finite, stats.t.ppf(upper, np.maximum(dfc, 1)), stats.norm.ppf(upper))
    return pd.DataFrame({
        "term": names,
        "estimate": beta,
        "se": se,
        "df": df,
        "stat": stat,
        "z": stat,
        "p": p,
        "ci_low": beta - q * se,
        "ci_high": beta + q * se,
    })


# --------------------------------------------------------------------------- profiled fitter
class _ProfiledRI:
    """Sufficient statistics and profiled (RE)ML criterion of a random-intercept model."""

    def __init__(self, y: np.ndarray, X: np.ndarray, codes: np.ndarray, n_groups: int):
        self.N, self.p = X.shape
        self.G = n_groups
        self.n = np.bincount(codes, minlength=n_groups).astype(float)
        # centre y and non-intercept columns at their grand means (numerical stability);
        # the back-transform is beta = T beta~ with det T = 1, so criteria are unchanged.
        self.icpt = next((k for k in range(self.p) if np.all(X[:, k] == 1.0)), None)
        if self.icpt is not None:
            self.xm = X.mean(axis=0)
            self.xm[self.icpt] = 0.0
            self.ym = float(y.mean())
        else:
            self.xm = np.zeros(self.p)
            self.ym = 0.0
        Z = np.column_stack([X - self.xm, y - self.ym])
        means = np.empty((n_groups, self.p + 1))
        for k in range(self.p + 1):
            means[:, k] = np.bincount(codes, weights=Z[:, k], minlength=n_groups) / self.n
        Zw = Z - means[codes]
        W = Zw.T @ Zw
        self.Wxx, self.Wxy, self.Wyy = W[:-1, :-1], W[:-1, -1], W[-1, -1]
        self.xbar, self.ybar = means[:, :-1], means[:, -1]
        self.codes = codes

    def solve(self, gamma: float) -> tuple[np.ndarray, float, np.ndarray, float]:
        d = self.n / (1.0 + self.n * gamma)
        A = self.Wxx + (self.xbar * d[:, None]).T @ self.xbar
        b = self.Wxy + self.xbar.T @ (d * self.ybar)
        c = self.Wyy + float(d @ self.ybar**2)
        L = np.linalg.cholesky(A)
        beta = np.linalg.solve(L.T, np.linalg.solve(L, b))
        rss = max(c - float(b @ beta), 1e-300)
        logdet_a = 2.0 * float(np.log(np.diag(L)).sum())
        return beta, rss, A, logdet_a

    def criterion(self, gamma: float, reml: bool) -> float:
        """Minus twice the profiled (RE)ML log-likelihood at gamma = tau²/sigma²."""
        _, rss, _, logdet_a = self.solve(gamma)
        ld = float(np.log1p(self.n * gamma).sum())
        if reml:
            m = self.N - self.p
            return m * (1.0 + np.log(2 * np.pi * rss / m)) + ld + logdet_a
        return self.N * (1.0 + np.log(2 * np.pi * rss / self.N)) + ld

    def optimise(self, reml: bool) -> tuple[float, bool]:
        f = lambda t: self.criterion(float(np.exp(t)), reml)  # noqa: E731
        grid = np.arange(-18.0, 16.01, 0.5)
        vals = np.array([f(t) for t in grid])
        k = int(np.argmin(vals))
        f0 = self.criterion(0.0, reml)
        converged = True
        if k == 0 and f0 <= vals[0] + 1e-12:
            return 0.0, True
        lo, hi = grid[max(k - 1, 0)], grid[min(k + 1, len(grid) - 1)]
        res = optimize.minimize_scalar(f, bounds=(lo, hi), method="bounded",
                                       options={"xatol": 1e-10, "maxiter": 500})
        t = float(res.x)
        converged = bool(res.success) and k < len(grid) - 1
        if f0 <= float(res.fun):
            return 0.0, converged
        return float(np.exp(t)), converged

    def back_transform(self, beta: np.ndarray, cov: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if self.icpt is None:
            return beta, cov
        T = np.eye(self.p)
        T[self.icpt, :] = -self.xm
        T[self.icpt, self.icpt] = 1.0
        b = T @ beta
        b[self.icpt] += self.ym
        return b, T @ cov @ T.T

    def fit_at(self, gamma: float, reml: bool) -> dict:
        beta_c, rss, A, _ = self.solve(gamma)
        sigma2 = rss / (self.N - self.p if reml else self.N)
        cov_c = sigma2 * np.linalg.inv(A)
        beta, cov = self.back_transform(beta_c, cov_c)
        resid_mean = self.ybar - self.xbar @ beta_c
        lam = self.n * gamma / (1.0 + self.n * gamma)
        return {
            "beta": beta, "cov": cov, "sigma2": sigma2, "tau2": gamma * sigma2,
            "blup": lam * resid_mean, "shrinkage": lam,
        }


# --------------------------------------------------------------------------- public
def fit_multilevel(
    data: pd.DataFrame,
    formula: str,
    group: str | None = None,
    method: Literal["auto", "statsmodels", "profiled"] = "auto",
    reml: bool = True,
    ddf: Literal["normal", "between-within"] = "normal",
    ci: float = 0.95,
    se: Literal["model", "cluster"] = "model",
) -> MultilevelResult:
    """Fit a random-intercept linear mixed model and report τ², σ², ICC and Nakagawa R².

    Parameters
    ----------
    data : pandas.DataFrame
        Respondent-level table (one row per respondent).
    formula : str
        patsy formula of the fixed effects, e.g. ``"struktur ~ kommunal * zivil + C(role)"``;
        an lme4-style ``+ (1 | ags)`` term may name the grouping column instead of ``group``.
        Rows with a missing value in any used column are dropped.
    group : str, optional
        Grouping column (municipality, e.g. ``"ags"``).
    method : {"auto", "statsmodels", "profiled"}
        ``"profiled"``: the exact profiled (RE)ML fitter on per-group sufficient statistics
        (module docstring; matches lme4 to 1e-7); ``"statsmodels"``: ``statsmodels.MixedLM``;
        ``"auto"`` (default): the profiled fitter wherever it applies, statsmodels only where it
        cannot fit (a cross-product matrix that is not positive definite). If statsmodels returns
        τ²/σ² < 1e-8 or a municipality-level fixed effect of exactly 0 (statsmodels#10239), the
        model is refitted by the profiled fitter; non-convergence, singular fits and refits are
        reported in ``warnings`` and as :class:`~analysis.notes.AnalysisWarning`.
    reml : bool, default True
        REML (as lme4's default) or ML.
    ddf : {"normal", "between-within"}
        Reference distribution for tests and CIs of fixed effects: ``"normal"`` (z, as
        statsmodels) or t with nlme's between-within degrees of freedom (Pinheiro & Bates 2000,
        sec. 4.2.2: G − 1 − p_between for municipality-level terms, N − G − p_within otherwise),
        recommended with few municipalities.
    ci : float, default 0.95
        Confidence level of the intervals ``ci_low``, ``ci_high``.
    se : {"model", "cluster"}
        ``"model"``: σ²(X'V⁻¹X)⁻¹ (lme4). ``"cluster"``: CR1 sandwich by municipality,
        B⁻¹[Σ_j X_j'V_j⁻¹e_j e_j'V_j⁻¹X_j]B⁻¹·G/(G−1) with B = X'V⁻¹X (Liang & Zeger 1986),
        robust to a misspecified random-effects structure; tests then use t with G − 1 df.

    Returns
    -------
    MultilevelResult

    Notes
    -----
    ICC_adj = τ²/(τ²+σ²); ICC_unadj = τ²/(σ²_f+τ²+σ²); R²_m = σ²_f/(σ²_f+τ²+σ²);
    R²_c = (σ²_f+τ²)/(σ²_f+τ²+σ²), σ²_f = var(Xβ̂) (Nakagawa & Schielzeth 2013).
    A constant outcome, fewer than two groups or linearly dependent predictors raise
    :class:`~core.errors.AnalysisError` with the catalogue code (``outcome_constant``,
    ``too_few_groups``, ``predictors_dependent``).

    Checked against lme4 (``lmer``; Dyestuff, Dyestuff2 singular fit, sleepstudy), nlme
    (Orthodont between-within df), ``performance::icc``/``r2_nakagawa`` (sleepstudy) and the
    statsmodels MixedLM documentation (dietox); see ``tests/analysis/test_multilevel.py``.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> g = np.repeat(np.arange(30), 8)
    >>> df = pd.DataFrame({"g": g, "x": rng.normal(size=240)})
    >>> df["y"] = 1 + 0.5 * df["x"] + rng.normal(size=30)[g] + rng.normal(size=240)
    >>> res = fit_multilevel(df, "y ~ x + (1 | g)", method="profiled")
    >>> round(float(res.coef("x")["estimate"]), 2), res.n_groups
    (0.44, 30)
    """
    check_choice(method, "method", ("auto", "statsmodels", "profiled"))
    check_choice(se, "se", ("model", "cluster"))
    check_level(ci)
    fixed_formula, group = _split_formula(formula, group)
    y, Xdf, g = _design(data, fixed_formula, group)
    names = [str(c) for c in Xdf.columns]
    X = Xdf.to_numpy(dtype=float)
    codes, uniques = factorize_groups(g)
    n_groups = len(uniques)
    n_obs, p = X.shape
    outcome = fixed_formula.split("~")[0].strip()
    if n_groups < 2:
        raise analysis_error("too_few_groups", scope=outcome, n=n_groups, needed=2, variable=outcome)
    if n_obs <= p + 1:
        raise analysis_error("too_few_observations", scope=outcome, n=n_obs, p=p)
    if np.ptp(y) == 0:
        raise analysis_error("outcome_constant", scope=outcome, variable=outcome, what=("das Modell", "the model"))
    if np.linalg.matrix_rank(X) < p:
        raise analysis_error("predictors_dependent", scope=outcome)
    notes: list[Problem] = []

    def note(code: str, **params: object) -> None:
        notes.append(NOTES.problem(code, Location(scope=outcome), **params))

    prof = _ProfiledRI(y, X, codes, n_groups)
    fit: dict | None = None
    converged = True
    used_method = "profiled"
    if method == "auto":
        try:
            gamma, converged = prof.optimise(reml)
            fit = prof.fit_at(gamma, reml)
        except np.linalg.LinAlgError:  # A(gamma) not positive definite: let statsmodels try
            fit, used_method = None, "statsmodels"
    if method == "statsmodels" or (method == "auto" and fit is None):
        fit, converged, sm_notes = _fit_statsmodels(y, X, codes, reml, names, _between_columns(X, codes, n_groups))
        used_method = "statsmodels"
        for code, detail in sm_notes:
            note(code, detail=detail)
        if fit is None:
            used_method = "profiled (statsmodels refit)"
    if fit is None:
        gamma, converged = prof.optimise(reml)
        fit = prof.fit_at(gamma, reml)
    if not converged:
        note("model_not_converged", detail=("tau² an der Suchgrenze", "tau² at the search bound")
             if used_method != "statsmodels" else "statsmodels MixedLM")
    gamma_hat = fit["tau2"] / fit["sigma2"] if fit["sigma2"] > 0 else 0.0
    if gamma_hat < TAU2_RATIO_TOL:
        note("model_singular")
    try:
        crit_hat = prof.criterion(max(gamma_hat, 0.0), reml)
        lrt = max(prof.criterion(0.0, reml) - crit_hat, 0.0)
        lrt_p = float(0.5 * stats.chi2.sf(lrt, 1)) if lrt > 0 else 1.0
    except np.linalg.LinAlgError:  # only on the statsmodels path, where the profiled criterion fails
        crit_hat, lrt, lrt_p = -2.0 * fit.get("llf", np.nan), np.nan, np.nan

    beta, cov = fit["beta"], fit["cov"]
    df = _ddf(ddf, X, names, codes, n_groups)
    if se == "cluster":
        cov = _cluster_cov(y, X, codes, n_groups, beta, float(fit["tau2"]), float(fit["sigma2"]))
        df = np.full(p, float(n_groups - 1))
        note("model_cluster_se")
    fixed = _fixed_table(names, beta, cov, df, ci)
    for w in notes:
        if w.code != "model_cluster_se":
            _warnings.warn(AnalysisWarning(w), stacklevel=2)
    tau2, sigma2 = float(fit["tau2"]), float(fit["sigma2"])
    var_f = float(np.var(X @ beta, ddof=1))
    total = var_f + tau2 + sigma2
    re = pd.DataFrame({
        "group": uniques, "n": prof.n.astype(int), "blup": fit["blup"], "shrinkage": fit["shrinkage"],
    })
    return MultilevelResult(
        fixed=fixed,
        tau2=tau2,
        sigma2=sigma2,
        icc=tau2 / (tau2 + sigma2),
        icc_unadjusted=tau2 / total,
        r2_marginal=var_f / total,
        r2_conditional=(var_f + tau2) / total,
        var_fixed=var_f,
        n_obs=int(n_obs),
        n_groups=int(n_groups),
        converged=bool(converged),
        method=used_method,
        reml=reml,
        loglik=-0.5 * crit_hat,
        lrt_stat=float(lrt),
        lrt_p=lrt_p,
        formula=f"{fixed_formula} + (1 | {group})",
        group=group,
        random_effects=re,
        warnings=tuple(notes),
    )


def _cluster_cov(y: np.ndarray, X: np.ndarray, codes: np.ndarray, n_groups: int, beta: np.ndarray,
                 tau2: float, sigma2: float) -> np.ndarray:
    """CR1 sandwich for GLS fixed effects of a random-intercept model (closed-form V_j⁻¹).

    V_j⁻¹ = (I − w_j 11')/σ², w_j = γ/(1 + n_jγ), so X_j'V_j⁻¹e_j = (X_j'e_j − w_j s_xj s_ej)/σ².
    """
    gamma = tau2 / sigma2 if sigma2 > 0 else 0.0
    n = np.bincount(codes, minlength=n_groups).astype(float)
    w = gamma / (1.0 + n * gamma)
    e = y - X @ beta
    sx = np.column_stack([np.bincount(codes, weights=X[:, k], minlength=n_groups) for k in range(X.shape[1])])
    sxe = np.column_stack([np.bincount(codes, weights=X[:, k] * e, minlength=n_groups) for k in range(X.shape[1])])
    se_ = np.bincount(codes, weights=e, minlength=n_groups)
    bread = (X.T @ X - (sx * w[:, None]).T @ sx) / sigma2
    scores = (sxe - w[:, None] * sx * se_[:, None]) / sigma2
    meat = scores.T @ scores
    binv = np.linalg.inv(bread)
    return binv @ meat @ binv * n_groups / (n_groups - 1)


#: German for the warnings statsmodels' MixedLM gives (by their beginning); others are quoted as they are.
_STATSMODELS_DE = {
    "Retrying MixedLM optimization with": "Optimierung mit einem anderen Verfahren wiederholt",
    "The MLE may be on the boundary of the parameter space": "Die Schätzung liegt möglicherweise am Rand des "
                                                             "Parameterraums (Varianz zwischen Kommunen nahe 0)",
    "The Hessian matrix at the estimated parameter values is not positive definite": "Die Hesse-Matrix ist an der "
                                                                                     "Schätzung nicht positiv definit",
    "Random effects covariance is singular": "Die Kovarianz der Zufallseffekte ist singulär",
    "Gradient optimization failed": "Die Gradientenoptimierung ist gescheitert",
    "Maximum Likelihood optimization failed to converge": "Die Likelihood-Optimierung ist nicht konvergiert",
    "Maximum number of iterations has been exceeded": "Die Höchstzahl an Iterationen wurde überschritten",
}


def _statsmodels_detail(msg: str) -> tuple[str, str]:
    """A statsmodels warning as a (German, English) detail of a note."""
    de = next((v for k, v in _STATSMODELS_DE.items() if msg.startswith(k)), f"„{msg}“ (Meldung von statsmodels)")
    return de, msg


def _fit_statsmodels(y: np.ndarray, X: np.ndarray, codes: np.ndarray, reml: bool, names: list[str],
                     between: np.ndarray) -> tuple[dict | None, bool, list[tuple[str, tuple[str, str]]]]:
    """statsmodels MixedLM with the statsmodels#10239 guard; ``None`` means: refit profiled.

    Notes are (catalogue code, (German, English) detail) pairs.
    """
    import statsmodels.api as sm

    notes: list[tuple[str, tuple[str, str]]] = []
    with _warnings.catch_warnings(record=True) as caught:
        _warnings.simplefilter("always")
        try:
            res = sm.MixedLM(y, X, groups=codes).fit(reml=reml)
        except (np.linalg.LinAlgError, ValueError) as exc:
            notes.append(("model_refit", (f"einen Fehler ({exc})", f"an error ({exc})")))
            return None, False, notes
    for w in caught:
        msg = str(w.message).strip().splitlines()[0] if str(w.message).strip() else ""
        if msg and ("model_warning", _statsmodels_detail(msg)) not in notes:
            notes.append(("model_warning", _statsmodels_detail(msg)))
    tau2 = float(np.asarray(res.cov_re)[0, 0])
    sigma2 = float(res.scale)
    beta = np.asarray(res.fe_params, dtype=float)
    zero_between = bool(np.any((beta == 0.0) & between))
    if tau2 / sigma2 < TAU2_RATIO_TOL or zero_between:
        notes.append(("model_refit", (
            "tau² ≈ 0" + (" und feste Effekte auf Kommunenebene von genau 0" if zero_between else "")
            + " (statsmodels-Fehler #10239)",
            "tau² ≈ 0" + (" and municipality-level fixed effects of exactly 0" if zero_between else "")
            + " (statsmodels issue #10239)")))
        return None, bool(res.converged), notes
    cov = np.asarray(res.cov_params())[: len(beta), : len(beta)]
    # BLUPs and shrinkage from statsmodels' variance components
    gamma = tau2 / sigma2
    n = np.bincount(codes).astype(float)
    resid = y - X @ beta
    rbar = np.bincount(codes, weights=resid) / n
    lam = n * gamma / (1 + n * gamma)
    return (
        {"beta": beta, "cov": cov, "sigma2": sigma2, "tau2": tau2, "blup": lam * rbar, "shrinkage": lam,
         "llf": float(res.llf)},
        bool(res.converged),
        notes,
    )


def contextual_terms(
    data: pd.DataFrame,
    columns: list[str] | tuple[str, ...],
    group: str,
    center: float | None = None,
    adjust: Literal["none", "eb"] = "none",
    covariates: list[str] | tuple[str, ...] = (),
    interaction: tuple[str, str] | None = None,
) -> pd.DataFrame:
    """Split respondent-level predictors into municipality (between) and within parts.

    Adds ``<col>_b`` (municipality mean, minus ``center``) and ``<col>_w`` (respondent deviation
    from that municipality mean, before centring) for each column, and with ``interaction=(a, b)`` a column
    ``<a>_b__<b>_b`` for the between-level product. In a random-intercept model
    ``y ~ x_b + x_w + (1 | g)`` the coefficient of ``x_b`` is the municipality-level (contextual)
    effect and that of ``x_w`` the within-municipality effect (Enders & Tofighi 2007), so that
    respondent-level associations (e.g. a halo shared by all answers of one respondent) do not
    leak into the municipality-level effect.

    Parameters
    ----------
    data : pandas.DataFrame
        Respondent-level table.
    columns : list of str
        Predictor columns to decompose.
    group : str
        Municipality column.
    center : float, optional
        Subtracted from the between parts (e.g. the scale midpoint 3); default: none.
    adjust : {"none", "eb"}
        ``"eb"``: replace observed municipality means by their multivariate empirical-Bayes
        (regression-calibration) predictions given the observed means and the municipality
        ``covariates`` (Croon & van Veldhoven 2007), which removes the attenuation of
        municipality-level slopes caused by sampling error in means of few respondents
        (Lüdtke et al. 2008). With ``interaction`` the product is E[ξ_a ξ_b | data] =
        ξ̃_a ξ̃_b + P_ab (posterior covariance added).
    covariates : list of str
        Municipality-level covariates conditioned on by the EB predictions (use the same
        municipality-level predictors as in the outcome model).
    interaction : (str, str), optional

    Returns
    -------
    pandas.DataFrame
        Copy of ``data`` with the new columns (NaN where the predictor is missing).

    Notes
    -----
    EB step: with Σ_W the pooled within-municipality covariance of the predictors, residuals
    r_j = x̄_j − m_j from the OLS of x̄_j on [1, z_j], Σ_v = cov(r) − mean_j(Σ_W/n_j) (clipped
    to be positive semi-definite), K_j = Σ_v(Σ_v + Σ_W/n_j)⁻¹: ξ̃_j = m_j + K_j r_j and
    P_j = (I − K_j)Σ_v. With ``"eb"`` the within part is x_ij − ξ̃_j: its municipality mean
    x̄_j − ξ̃_j = E[x̄_j − ξ_j | data] is the predicted sampling error of the observed mean, so when
    the outcome is aggregated from the same respondents (errors correlated through a common
    halo), the within slope absorbs that shared error instead of biasing the between slopes.
    Standard errors of a model using these terms treat Σ_v, Σ_W as known.

    References
    ----------
    Croon, M. A. & van Veldhoven, M. J. P. M. (2007). Predicting group-level outcome variables from
    variables measured at the individual level. *Psychological Methods* 12, 45–57.
    Enders, C. K. & Tofighi, D. (2007). Centering predictor variables in cross-sectional multilevel
    models. *Psychological Methods* 12, 121–138.
    Lüdtke, O. et al. (2008). The multilevel latent covariate model. *Psychological Methods* 13, 203–229.

    Examples
    --------
    >>> df = pd.DataFrame({"g": [1, 1, 2, 2], "x": [1.0, 3.0, 4.0, 6.0]})
    >>> contextual_terms(df, ["x"], "g")[["x_b", "x_w"]].values.tolist()
    [[2.0, -1.0], [2.0, 1.0], [5.0, -1.0], [5.0, 1.0]]
    """
    cols = list(columns)
    out = data.copy()
    x = out[cols].apply(pd.to_numeric, errors="coerce")
    g = out[group]
    means = x.groupby(g).transform("mean")
    for c in cols:
        out[f"{c}_w"] = x[c] - means[c]
    if adjust == "none":
        for c in cols:
            out[f"{c}_b"] = means[c] - (center or 0.0)
        if interaction:
            a, b = interaction
            out[f"{a}_b__{b}_b"] = out[f"{a}_b"] * out[f"{b}_b"]
        return out
    check_choice(adjust, "adjust", ("none", "eb"))
    complete = x.notna().all(axis=1) & g.notna()
    xc, gc = x[complete].to_numpy(float), g[complete]
    codes, labels = factorize_groups(gc)
    G, k = len(labels), len(cols)
    n = np.bincount(codes, minlength=G).astype(float)
    xbar = np.column_stack([np.bincount(codes, weights=xc[:, i], minlength=G) for i in range(k)]) / n[:, None]
    dev = xc - xbar[codes]
    N = len(xc)
    Sw = dev.T @ dev / max(N - G, 1)
    zcols = list(covariates)
    if zcols:
        zf = out.loc[complete, zcols].apply(pd.to_numeric, errors="coerce").astype(float)
        Z = zf.groupby(gc.to_numpy()).first().reindex(labels).to_numpy()
        if np.isnan(Z).any():
            raise analysis_error("missing_covariates")
        D = np.column_stack([np.ones(G), Z])
    else:
        D = np.ones((G, 1))
    coef, *_ = np.linalg.lstsq(D, xbar, rcond=None)
    m = D @ coef
    r = xbar - m
    Sv = r.T @ r / max(G - D.shape[1], 1) - Sw * np.mean(1.0 / n)
    w, V = np.linalg.eigh(Sv)
    Sv = (V * np.clip(w, 1e-12, None)) @ V.T
    xi = np.empty_like(xbar)
    P = np.empty((G, k, k))
    for j in range(G):
        K = Sv @ np.linalg.inv(Sv + Sw / n[j])
        xi[j] = m[j] + K @ r[j]
        P[j] = (np.eye(k) - K) @ Sv
    pos = pd.Series(np.arange(G), index=labels)
    idx = pos.reindex(g.to_numpy()).to_numpy()
    has = ~np.isnan(idx)
    ii = np.where(has, idx, 0).astype(int)
    for i, c in enumerate(cols):
        out[f"{c}_b"] = np.where(has, xi[ii, i] - (center or 0.0), np.nan)
        # deviation from the EB mean: its municipality mean x̄_j − ξ̃_j is the predicted sampling
        # error of x̄_j, so the within slope also absorbs errors shared with the outcome mean
        out[f"{c}_w"] = x[c] - np.where(has, xi[ii, i], np.nan)
    if interaction:
        a, b = interaction
        ia, ib = cols.index(a), cols.index(b)
        c0 = center or 0.0
        prod = (xi[:, ia] - c0) * (xi[:, ib] - c0) + P[:, ia, ib]
        out[f"{a}_b__{b}_b"] = np.where(has, prod[ii], np.nan)
    return out
