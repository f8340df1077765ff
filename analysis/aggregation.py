"""Justifying aggregation of respondents to municipalities: ICC(1), ICC(2), REML ICC, rwg family.

All statistics are computed from per-group sufficient statistics (counts, sums, sums of squares
obtained with :func:`numpy.bincount`), so 1,000,000 respondents in 10,800 municipalities take
seconds; there is no Python loop over groups and no ``groupby.apply``.

Public functions
----------------
:func:`icc`                    ICC(1), ICC(2) (one-way ANOVA, Bliese 2000), F test, CIs, REML ICC,
                               design effect; one row per dependent variable.
:func:`group_mean_reliability` reliability λ_j of each group mean and its empirical-Bayes mean.
:func:`rwg`                    rwg / rwg(j) (James, Demaree & Wolf 1984), r*wg(j) (Lindell et al.
                               1999), awg (Brown & Hauenstein 2005), AD_M (Burke et al. 1999).
:func:`null_variance`          expected variance under the uniform or a skewed null
                               (LeBreton & Senter 2008).
:func:`rwg_critical_value`     simulated significance threshold (Dunlap et al. 2003).

Example
-------
>>> import pandas as pd
>>> df = pd.DataFrame({"g": list("aaabbbccc"), "y": [1, 2, 1, 4, 5, 4, 3, 3, 2]})
>>> icc(df, "y", "g")[["icc1", "icc2"]].round(3)
    icc1   icc2
0  0.866  0.951
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import optimize, stats

from .input_checks import as_list, check_choice, check_level, group_codes, numeric_matrix
from .notes import analysis_error, warn

__all__ = [
    "NULL_DISTRIBUTIONS",
    "group_codes",
    "group_mean_reliability",
    "icc",
    "null_variance",
    "rwg",
    "rwg_critical_value",
]

#: Null response distributions of LeBreton & Senter (2008, Table 3; after James, Demaree & Wolf
#: 1984) for 5-point scales, as category probabilities (lowest category first).
NULL_DISTRIBUTIONS: dict[str, tuple[float, ...]] = {
    "slight_skew": (0.05, 0.15, 0.20, 0.35, 0.25),
    "moderate_skew": (0.00, 0.10, 0.15, 0.40, 0.35),
    "heavy_skew": (0.00, 0.00, 0.10, 0.40, 0.50),
    "triangular": (0.11, 0.22, 0.34, 0.22, 0.11),
    "normal": (0.07, 0.24, 0.38, 0.24, 0.07),
}


# --------------------------------------------------------------------------- helpers
def _group_moments(
    codes: np.ndarray, n_groups: int, x: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per group and column of ``x``: count, mean and within-group sum of squared deviations.

    NaN values and rows with group code −1 are ignored. Each column is centred on its overall
    mean before the bincount sums, so large-valued data keep their precision. Arrays of shape
    (n_groups, p); mean and SSW are NaN for empty groups.
    """
    p = x.shape[1]
    n = np.zeros((n_groups, p))
    mean = np.full((n_groups, p), np.nan)
    ssw = np.full((n_groups, p), np.nan)
    valid_group = codes >= 0
    for j in range(p):
        col = x[:, j]
        ok = valid_group & ~np.isnan(col)
        if not ok.any():
            continue
        c = codes[ok]
        d = col[ok]
        center = d.mean()
        d = d - center
        nj = np.bincount(c, minlength=n_groups).astype(float)
        sj = np.bincount(c, weights=d, minlength=n_groups)
        ssj = np.bincount(c, weights=d * d, minlength=n_groups)
        has = nj > 0
        n[:, j] = nj
        mean[has, j] = center + sj[has] / nj[has]
        ssw[has, j] = np.maximum(ssj[has] - sj[has] ** 2 / nj[has], 0.0)
    return n, mean, ssw


# --------------------------------------------------------------------------- REML null model
def _reml_null(n: np.ndarray, ybar: np.ndarray, ssw: np.ndarray) -> tuple[float, float, float, float]:
    """REML fit of y_ij = μ + u_j + e_ij from group sufficient statistics.

    Returns (tau2, sigma2, mu, reml_criterion). The REML criterion is lme4's ``-2 logLik``
    (REML), profiled over σ² and μ; γ = τ²/σ² is found by a grid plus bounded Brent search on
    log γ, and the boundary γ = 0 is compared explicitly.
    """
    keep = n > 0
    n, ybar, ssw = n[keep], ybar[keep], ssw[keep]
    N = n.sum()
    G = n.size
    if G < 2 or N - 1 <= 0:
        return math.nan, math.nan, math.nan, math.nan
    ssw_tot = float(ssw.sum())

    def parts(gamma: float) -> tuple[float, float, float]:
        w = n / (1.0 + n * gamma)
        sw = w.sum()
        mu = float((w * ybar).sum() / sw)
        q = ssw_tot + float((w * (ybar - mu) ** 2).sum())
        s2 = q / (N - 1)
        crit = (N - 1) * (1.0 + math.log(2 * math.pi * s2)) + float(np.log1p(n * gamma).sum()) + math.log(sw)
        return crit, s2, mu

    def f(t: float) -> float:
        return parts(math.exp(t))[0]

    grid = np.linspace(-18.0, 12.0, 61)
    vals = np.array([f(t) for t in grid])
    i = int(np.argmin(vals))
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]
    res = optimize.minimize_scalar(f, bounds=(lo, hi), method="bounded", options={"xatol": 1e-10})
    t_best, c_best = float(res.x), float(res.fun)
    c0 = parts(0.0)[0]
    gamma = 0.0 if c0 <= c_best else math.exp(t_best)
    crit, s2, mu = parts(gamma)
    return gamma * s2, s2, mu, crit


# --------------------------------------------------------------------------- ICC
def icc(
    data: pd.DataFrame,
    dv: str | Sequence[str],
    group: str | Sequence[str],
    ci: float = 0.95,
    reml: bool = True,
) -> pd.DataFrame:
    """ICC(1), ICC(2) and the REML ICC of a null random-intercept model, one row per variable.

    Parameters
    ----------
    data : pandas.DataFrame
        Respondent-level frame.
    dv : str or sequence of str
        Outcome column(s), e.g. scale scores or single items. Each is analysed on its own
        non-missing rows (rows with a missing group are dropped).
    group : str or sequence of str
        Grouping column(s), e.g. ``"ags"``.
    ci : float, default 0.95
        Confidence level of the F-based intervals.
    reml : bool, default True
        Also fit the null model ``y_ij = γ00 + u_j + e_ij`` by REML.

    Returns
    -------
    pandas.DataFrame
        One row per ``dv`` with columns ``dv, n, n_groups, k_mean, n0, grand_mean, ms_between,
        ms_within, F, df1, df2, p, icc1, icc1_ci_low, icc1_ci_high, icc2, icc2_ci_low,
        icc2_ci_high, icc1_n0, tau2, sigma2, icc_reml, gamma00, reml_criterion, design_effect,
        n_eff``.

    Notes
    -----
    One-way ANOVA with groups as the factor: MSB = SSB/(G−1), MSW = SSW/(N−G),
    F = MSB/MSW on (G−1, N−G) df.

    * ICC(1) = (MSB − MSW) / (MSB + (k − 1)·MSW) with k = N/G, the mean group size
      (Bliese 2000; R ``multilevel::ICC1`` uses this k also for unbalanced groups).
      ``icc1_n0`` uses the unbalanced-design size n0 = (N − Σn_j²/N)/(G − 1) instead
      (Snedecor & Cochran; Searle, Casella & McCulloch 1992), which is the ANOVA estimator of
      τ²/(τ²+σ²) for unequal n.
    * ICC(2) = (MSB − MSW)/MSB = 1 − 1/F (= k·ICC1/(1 + (k−1)·ICC1), Spearman–Brown),
      the reliability of the group means (``multilevel::ICC2``; Shrout & Fleiss' ICC(1,k)).
    * CIs (Shrout & Fleiss 1979; McGraw & Wong 1996, one-way model):
      F_L = F / F_{1−a/2}(df1, df2), F_U = F · F_{1−a/2}(df2, df1);
      ICC(1) ∈ [(F_L−1)/(F_L+k−1), (F_U−1)/(F_U+k−1)], ICC(2) ∈ [1−1/F_L, 1−1/F_U].
      Exact for balanced groups; with unequal sizes k = N/G is an approximation.
    * REML: τ², σ² of the null model from group sums (profiled REML, γ = τ²/σ²):
      −2ℓ_R = (N−1)(1 + log 2πσ̂²) + Σ log(1 + n_jγ) + log Σ w_j, w_j = n_j/(1 + n_jγ),
      σ̂² = [SSW + Σ w_j(ȳ_j − μ̂)²]/(N−1), μ̂ = Σ w_jȳ_j/Σ w_j. ``icc_reml`` = τ²/(τ²+σ²);
      ``reml_criterion`` is lme4's "REML criterion at convergence". τ² ≥ 0 (boundary handled).
    * Design effect deff = 1 + (k − 1)·max(ICC(1), 0) (Kish 1965), effective sample size N/deff
      (a negative ANOVA ICC(1) is treated as 0).

    Validated against: Shrout & Fleiss (1979) Table 2 / ``psych::ICC`` (ICC1, ICC1k with CIs),
    lme4 ``lmer(Yield ~ 1 + (1|Batch))`` on Dyestuff (REML), statsmodels ``MixedLM`` on
    unbalanced data, and simulated data with known ICC.

    Examples
    --------
    >>> df = pd.DataFrame({"g": [1, 1, 2, 2, 3, 3], "y": [1.0, 2, 4, 5, 2, 2]})
    >>> round(float(icc(df, "y", "g")["icc1"].iloc[0]), 3)
    0.879
    """
    check_level(ci)
    dvs = as_list(dv)
    codes, keys = group_codes(data, group)
    G_all = len(keys)
    x = numeric_matrix(data, dvs)
    n, mean, ssw = _group_moments(codes, G_all, x)
    a = 1 - ci
    rows = []
    for j, name in enumerate(dvs):
        nj = n[:, j]
        has = nj > 0
        N = float(nj.sum())
        G = int(has.sum())
        row: dict[str, float | str | int] = {"dv": name, "n": int(N), "n_groups": G}
        if G < 2 or N - G < 1:
            row.update({k: math.nan for k in ("k_mean", "icc1", "icc2")})
            rows.append(row)
            continue
        yb = mean[has, j]
        nn = nj[has]
        grand = float((nn * yb).sum() / N)
        ssb = float((nn * (yb - grand) ** 2).sum())
        sw = float(np.nansum(ssw[has, j]))
        df1, df2 = G - 1, N - G
        msb, msw = ssb / df1, sw / df2
        k = N / G
        n0 = (N - float((nn**2).sum()) / N) / (G - 1)
        if msb + msw <= 0:  # no variance at all: every statistic undefined (psych::ICC gives NaN too)
            warn("outcome_constant", scope=name, variable=name, what="ICC")
            row.update({"k_mean": k, "n0": n0, "grand_mean": grand, "ms_between": msb, "ms_within": msw,
                        "df1": df1, "df2": df2})
            rows.append(row)
            continue
        F = msb / msw if msw > 0 else math.inf
        p = float(stats.f.sf(F, df1, df2)) if np.isfinite(F) else 0.0
        icc1 = (msb - msw) / (msb + (k - 1) * msw)
        icc1_n0 = (msb - msw) / (msb + (n0 - 1) * msw)
        icc2 = (msb - msw) / msb if msb > 0 else math.nan
        fl = F / stats.f.ppf(1 - a / 2, df1, df2)
        fu = F * stats.f.ppf(1 - a / 2, df2, df1)
        row.update(
            {
                "k_mean": k,
                "n0": n0,
                "grand_mean": grand,
                "ms_between": msb,
                "ms_within": msw,
                "F": F,
                "df1": df1,
                "df2": df2,
                "p": p,
                "icc1": icc1,
                "icc1_ci_low": (fl - 1) / (fl + k - 1),
                "icc1_ci_high": (fu - 1) / (fu + k - 1),
                "icc2": icc2,
                "icc2_ci_low": 1 - 1 / fl,
                "icc2_ci_high": 1 - 1 / fu,
                "icc1_n0": icc1_n0,
            }
        )
        if reml:
            tau2, s2, mu, crit = _reml_null(nn, yb, ssw[has, j])
            row.update(
                {
                    "tau2": tau2,
                    "sigma2": s2,
                    "icc_reml": tau2 / (tau2 + s2) if tau2 + s2 > 0 else math.nan,
                    "gamma00": mu,
                    "reml_criterion": crit,
                }
            )
        deff = 1 + (k - 1) * max(icc1, 0.0)
        row.update({"design_effect": deff, "n_eff": N / deff})
        rows.append(row)
    cols = [
        "dv", "n", "n_groups", "k_mean", "n0", "grand_mean", "ms_between", "ms_within", "F",
        "df1", "df2", "p", "icc1", "icc1_ci_low", "icc1_ci_high", "icc2", "icc2_ci_low",
        "icc2_ci_high", "icc1_n0", "tau2", "sigma2", "icc_reml", "gamma00", "reml_criterion",
        "design_effect", "n_eff",
    ]  # fmt: skip
    if not reml:
        cols = [c for c in cols if c not in ("tau2", "sigma2", "icc_reml", "gamma00", "reml_criterion")]
    return pd.DataFrame(rows).reindex(columns=cols)


def group_mean_reliability(
    data: pd.DataFrame,
    dv: str,
    group: str | Sequence[str],
    method: str = "reml",
    min_n: int = 5,
) -> pd.DataFrame:
    """Reliability of each group mean, λ_j = τ² / (τ² + σ²/n_j), and the shrunken mean.

    Parameters
    ----------
    data : pandas.DataFrame
        Respondent-level frame.
    dv : str
        Outcome column.
    group : str or sequence of str
        Grouping column(s).
    method : {"reml", "anova"}
        Variance components from the REML null model (default) or from the one-way ANOVA
        (σ² = MSW, τ² = max(0, (MSB − MSW)/n0)).
    min_n : int, default 5
        Groups with fewer respondents are flagged in ``below_min_n``.

    Returns
    -------
    pandas.DataFrame
        One row per group: group columns, ``n``, ``mean``, ``reliability`` (λ_j),
        ``shrunken_mean`` = λ_j·ȳ_j + (1 − λ_j)·γ̂00 (empirical-Bayes estimate; label it as
        shrunken in reports), ``below_min_n``.

    Notes
    -----
    Raudenbush & Bryk (2002, eq. 3.53–3.56). The average of λ_j is R&B's "reliability";
    for balanced groups λ_j equals ICC(2). γ̂00 is the GLS grand mean Σw_jȳ_j/Σw_j with
    w_j = 1/(τ² + σ²/n_j).

    Examples
    --------
    >>> df = pd.DataFrame({"g": [1, 1, 2, 2, 3, 3], "y": [1.0, 2, 4, 5, 2, 2]})
    >>> group_mean_reliability(df, "y", "g", min_n=2)["reliability"].round(3).tolist()
    [0.935, 0.935, 0.935]
    """
    check_choice(method, "method", ("reml", "anova"))
    codes, keys = group_codes(data, group)
    x = numeric_matrix(data, [dv])
    n, mean, ssw = _group_moments(codes, len(keys), x)
    n, mean, ssw = n[:, 0], mean[:, 0], ssw[:, 0]
    has = n > 0
    if method == "reml":
        tau2, s2, _, _ = _reml_null(n[has], mean[has], ssw[has])
    else:
        res = icc(data, dv, group, reml=False).iloc[0]
        s2 = float(res["ms_within"])
        tau2 = max(0.0, (float(res["ms_between"]) - s2) / float(res["n0"]))
    with np.errstate(invalid="ignore", divide="ignore"):
        lam = np.where(has, tau2 / (tau2 + s2 / n), np.nan)
        w = np.where(has, 1.0 / (tau2 + s2 / n), 0.0)
    gamma00 = float(np.nansum(w * np.where(has, mean, 0.0)) / w.sum()) if w.sum() > 0 else math.nan
    out = keys.copy()
    out["n"] = n.astype(np.int64)
    out["mean"] = mean
    out["reliability"] = lam
    out["shrunken_mean"] = lam * mean + (1 - lam) * gamma00
    out["below_min_n"] = n < min_n
    return out


# --------------------------------------------------------------------------- rwg family
def null_variance(n_options: int = 5, null: str | float | Sequence[float] = "uniform") -> float:
    """Expected response variance σ²_E under a null ("no agreement") distribution.

    Parameters
    ----------
    n_options : int
        Number of response options A.
    null : str, float or sequence of float
        ``"uniform"`` (σ²_EU = (A² − 1)/12, James, Demaree & Wolf 1984), one of the 5-point
        skewed nulls of LeBreton & Senter (2008, Table 3) ``"slight_skew"`` (1.34),
        ``"moderate_skew"`` (0.90), ``"heavy_skew"`` (0.44), ``"triangular"`` (1.32),
        ``"normal"`` (1.04), a probability vector over the A options, or a variance.

    Examples
    --------
    >>> null_variance(5), null_variance(7), round(null_variance(5, "slight_skew"), 2)
    (2.0, 4.0, 1.34)
    """
    if isinstance(null, (int, float)) and not isinstance(null, bool):
        if null <= 0:
            raise analysis_error("null_variance_invalid", detail=(f"Varianz {null} <= 0", f"variance {null} <= 0"))
        return float(null)
    if n_options < 2:
        raise analysis_error("null_variance_invalid", detail=(f"{n_options} Antwortoption(en), mindestens 2 nötig",
                                                                f"{n_options} response option(s), at least 2 needed"))
    if isinstance(null, str):
        if null == "uniform":
            return (n_options**2 - 1) / 12.0
        check_choice(null, "null", ("uniform", *NULL_DISTRIBUTIONS))
        if n_options != 5:
            raise analysis_error("null_variance_invalid", detail=(f"'{null}' ist nur für 5 Optionen tabelliert",
                                                                    f"'{null}' is tabulated for 5 options only"))
        probs = np.asarray(NULL_DISTRIBUTIONS[null], dtype=float)
    else:
        probs = np.asarray(null, dtype=float)
        if probs.size != n_options or np.any(probs < 0) or not np.isclose(probs.sum(), 1.0):
            raise analysis_error("null_variance_invalid",
                                 detail=(f"Wahrscheinlichkeiten müssen {n_options} Werte >= 0 mit Summe 1 sein",
                                         f"probabilities must be {n_options} values >= 0 summing to 1"))
    v = np.arange(1, probs.size + 1, dtype=float)
    m = float((probs * v).sum())
    return float((probs * (v - m) ** 2).sum())


def _group_medians(codes: np.ndarray, n_groups: int, x: np.ndarray) -> np.ndarray:
    """Median of x per group (NaN ignored), vectorised with one lexsort."""
    ok = (codes >= 0) & ~np.isnan(x)
    c, v = codes[ok], x[ok]
    order = np.lexsort((v, c))
    c, v = c[order], v[order]
    cnt = np.bincount(c, minlength=n_groups)
    start = np.concatenate([[0], np.cumsum(cnt)[:-1]])
    med = np.full(n_groups, np.nan)
    has = cnt > 0
    lo = start[has] + (cnt[has] - 1) // 2
    hi = start[has] + cnt[has] // 2
    med[has] = (v[lo] + v[hi]) / 2.0
    return med


def _abs_dev(codes: np.ndarray, n_groups: int, x: np.ndarray, center: np.ndarray) -> np.ndarray:
    ok = (codes >= 0) & ~np.isnan(x)
    c = codes[ok]
    d = np.abs(x[ok] - center[c])
    cnt = np.bincount(c, minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.bincount(c, weights=d, minlength=n_groups) / cnt


def rwg(
    data: pd.DataFrame,
    items: str | Sequence[str],
    group: str | Sequence[str],
    n_options: int = 5,
    null: str | float | Sequence[float] = "uniform",
    scale_min: float = 1,
    min_n: int = 3,
    nan_policy: str = "itemwise",
) -> pd.DataFrame:
    """Within-group agreement per group: rwg or rwg(j), r*wg(j), awg and AD_M.

    Parameters
    ----------
    data : pandas.DataFrame
        Respondent-level wide frame.
    items : str or sequence of str
        One item (single-item indices ``rwg``, ``rwg_star``, ``awg``, ``ad_mean``, ``ad_median``)
        or several items of one scale (``rwg_j``, ``rwg_star_j``, ``awg_j``, ``ad_mean_j``,
        ``ad_median_j``).
    group : str or sequence of str
        Grouping column(s).
    n_options : int, default 5
        Number of response options A (codes ``scale_min … scale_min + A − 1``).
    null : str, float or probabilities, default "uniform"
        Null distribution for σ²_E, see :func:`null_variance`.
    scale_min : float, default 1
        Lowest response code (needed by awg).
    min_n : int, default 3
        Groups with fewer respondents are flagged ``below_min_n`` (rwg is unstable there).
    nan_policy : {"itemwise", "listwise"}, default "itemwise"
        Missing answers: ``"itemwise"`` uses every answer of an item (each item variance from the
        respondents who answered it; the analysis default, because a "weiß nicht" on one item
        should not discard the respondent's other answers); ``"listwise"`` keeps only respondents
        who answered every item (R ``multilevel::rwg.j`` and ``awg``, which call ``na.exclude``
        on the items). Identical without missing answers.

    Returns
    -------
    pandas.DataFrame
        One row per group: group columns, ``n`` (respondents with ≥ 1 answer), then

        single item: ``mean``, ``var``, ``rwg``, ``rwg_star``, ``awg``, ``ad_mean``,
        ``ad_median``; several items: ``n_items``, ``mean_var``, ``rwg_j``, ``rwg_star_j``,
        ``awg_j``, ``ad_mean_j``, ``ad_median_j``; always ``null_variance``, ``truncated``
        (observed variance > σ²_E, rwg set to 0) and ``below_min_n``.

    Notes
    -----
    With s² the within-group sample variance (divisor n−1) and σ²_E the null variance:

    * rwg = 1 − s²/σ²_E, set to 0 when s² > σ²_E (James, Demaree & Wolf 1984; as
      ``multilevel::rwg`` with ``ranvar = (A² − 1)/12``).
    * rwg(j) = J(1 − s̄²/σ²_E) / [J(1 − s̄²/σ²_E) + s̄²/σ²_E], s̄² = mean item variance, set to
      0 when s̄² > σ²_E (``multilevel::rwg.j``).
    * r*wg(j) = 1 − s̄²/σ²_E, not truncated (Lindell, Brandt & Whitney 1999).
    * awg = 1 − 2s² / {[(H + L)M − M² − HL] · n/(n − 1)} with bounds L, H and group mean M
      (Brown & Hauenstein 2005). Its admissible range is (L(n − 1) + H)/n ≤ M ≤ (H(n − 1) + L)/n
      (outside it the maximum possible variance cannot be reached): there awg is NaN, with an
      :class:`~analysis.notes.AnalysisWarning` (``awg_outside_range``) counting the groups; a
      group whose answers all lie at one bound (M = L or M = H) has awg = 1. awg(j) = mean of the
      item awg (NaN items ignored). This is R ``multilevel::awg`` exactly.
    * AD_M = Σ|x − x̄|/n (``ad_mean``) and AD_Md = Σ|x − Md|/n (``ad_median``); for several
      items the mean over items (Burke, Finkelstein & Dusig 1999). Practical cut-off A/6
      (Burke & Dunlap 2002).

    Missing answers are ignored item by item. Checked against the hand-computable RV13 table and
    against pandas group variances; significance thresholds come from
    :func:`rwg_critical_value`.

    Examples
    --------
    >>> df = pd.DataFrame({"g": [1] * 5, "i1": [4, 4, 5, 4, 3]})
    >>> rwg(df, "i1", "g")[["rwg", "awg"]].round(4).values.tolist()
    [[0.75, 0.7333]]
    """
    item_list = as_list(items)
    single = isinstance(items, str) or len(item_list) == 1
    sigma2 = null_variance(n_options, null)
    low, high = float(scale_min), float(scale_min + n_options - 1)
    check_choice(nan_policy, "nan_policy", ("itemwise", "listwise"))
    codes, keys = group_codes(data, group)
    G = len(keys)
    x = numeric_matrix(data, item_list)
    out_of_range = (x < low) | (x > high)
    if out_of_range.any():
        col = item_list[int(np.nonzero(out_of_range.any(axis=0))[0][0])]
        raise analysis_error("values_out_of_range", column=col, low=f"{low:g}", high=f"{high:g}")
    if nan_policy == "listwise":
        x = np.where(np.isnan(x).any(axis=1, keepdims=True), np.nan, x)
    n, mean, ssw = _group_moments(codes, G, x)
    with np.errstate(invalid="ignore", divide="ignore"):
        var = np.where(n > 1, ssw / (n - 1), np.nan)
        denom = ((high + low) * mean - mean**2 - high * low) * (n / (n - 1))
        awg_items = 1 - 2 * var / denom
        at_bound = (mean == low) | (mean == high)
        admissible = (mean >= (low * (n - 1) + high) / n) & (mean <= (high * (n - 1) + low) / n)
        awg_items = np.where(n > 1, np.where(at_bound, 1.0, np.where(admissible, awg_items, np.nan)), np.nan)
    outside = int(((n > 1) & ~at_bound & ~admissible).any(axis=1).sum())
    if outside:
        warn("awg_outside_range", n=outside)
    ad_m = np.column_stack([_abs_dev(codes, G, x[:, j], mean[:, j]) for j in range(x.shape[1])])
    ad_md = np.column_stack(
        [_abs_dev(codes, G, x[:, j], _group_medians(codes, G, x[:, j])) for j in range(x.shape[1])]
    )
    answered = ~np.isnan(x)
    ok_rows = (codes >= 0) & answered.any(axis=1)
    n_resp = np.bincount(codes[ok_rows], minlength=G)
    out = keys.copy()
    out["n"] = n_resp.astype(np.int64)
    if single:
        v = var[:, 0]
        ratio = v / sigma2
        out["mean"] = mean[:, 0]
        out["var"] = v
        out["rwg"] = np.where(np.isnan(v), np.nan, np.where(ratio > 1, 0.0, 1 - ratio))
        out["rwg_star"] = 1 - ratio
        out["awg"] = awg_items[:, 0]
        out["ad_mean"] = ad_m[:, 0]
        out["ad_median"] = ad_md[:, 0]
        truncated = ratio > 1
    else:
        J = np.sum(~np.isnan(var), axis=1).astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            sbar = np.nanmean(np.where(np.isnan(var), np.nan, var), axis=1) if var.size else np.nan
            ratio = sbar / sigma2
            num = J * (1 - ratio)
            rj = num / (num + ratio)
        out["n_items"] = J.astype(np.int64)
        out["mean_var"] = sbar
        out["rwg_j"] = np.where(np.isnan(ratio), np.nan, np.where(ratio > 1, 0.0, rj))
        out["rwg_star_j"] = 1 - ratio
        with np.errstate(invalid="ignore"):
            out["awg_j"] = _nanmean_rows(awg_items)
            out["ad_mean_j"] = _nanmean_rows(ad_m)
            out["ad_median_j"] = _nanmean_rows(ad_md)
        truncated = ratio > 1
    out["null_variance"] = sigma2
    out["truncated"] = np.asarray(truncated, dtype=bool)
    out["below_min_n"] = out["n"].to_numpy() < min_n
    return out


def _nanmean_rows(a: np.ndarray) -> np.ndarray:
    cnt = np.sum(~np.isnan(a), axis=1)
    s = np.nansum(a, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(cnt > 0, s / cnt, np.nan)


def rwg_critical_value(
    n: int,
    n_options: int = 5,
    significance: float = 0.05,
    n_items: int = 1,
    null: str | float | Sequence[float] = "uniform",
    n_sim: int = 100_000,
    seed: int | None = 20030101,
) -> float:
    """Critical value of rwg (or rwg(j)) for a group of size ``n`` under the null, by simulation.

    Parameters
    ----------
    n : int
        Group size (respondents).
    n_options : int
        Number of response options A.
    significance : float, default 0.05
        Significance level of the one-sided test (P(rwg ≥ c) ≤ significance under the null).
    n_items : int, default 1
        J > 1 simulates rwg(j) of J independent null items (``multilevel::rwg.j.sim``).
    null : str or probabilities, default "uniform"
        Distribution responses are drawn from (see :func:`null_variance`); σ²_E is always the
        variance of that distribution.
    n_sim : int
        Simulated groups.
    seed : int or None
        Seed of :func:`numpy.random.default_rng` (deterministic by default).

    Returns
    -------
    float
        The smallest attainable value c with P(rwg ≥ c) ≤ significance under the null.

    Notes
    -----
    Because the null distribution of rwg is discrete, the "critical value" is defined
    conservatively as min{c : P(rwg ≥ c) ≤ α}. A naive ``np.quantile(r, 0.95)`` gives 0.506 for
    n = 10, A = 5 instead of Dunlap, Burke & Smith-Crowe's (2003, Table 2) 0.53, which this
    convention reproduces (0.528; ``multilevel::rwg.sim`` example).

    Examples
    --------
    >>> round(rwg_critical_value(10, 5, n_sim=50_000), 2)
    0.53
    """
    if n < 2:
        raise analysis_error("too_few_respondents", n=n, needed=2)
    check_level(significance, "significance")
    if isinstance(null, str) and null == "uniform":
        probs = np.full(n_options, 1.0 / n_options)
    elif isinstance(null, str):
        null_variance(n_options, null)  # validates the name / n_options
        probs = np.asarray(NULL_DISTRIBUTIONS[null], dtype=float)
    elif isinstance(null, (int, float)):
        raise analysis_error("null_variance_invalid", detail="the simulation needs a distribution, not a variance")
    else:
        probs = np.asarray(null, dtype=float)
        null_variance(n_options, probs)
    sigma2 = null_variance(n_options, probs.tolist()) if not (isinstance(null, str) and null == "uniform") else (
        (n_options**2 - 1) / 12.0
    )
    rng = np.random.default_rng(seed)
    values = np.arange(1, n_options + 1, dtype=float)
    chunk = max(1, 2_000_000 // (n * n_items))
    res = []
    done = 0
    while done < n_sim:
        m = min(chunk, n_sim - done)
        draws = rng.choice(values, size=(m, n_items, n), p=probs)
        v = draws.var(axis=2, ddof=1).mean(axis=1)
        ratio = v / sigma2
        if n_items == 1:
            r = np.where(ratio > 1, 0.0, 1 - ratio)
        else:
            num = n_items * (1 - ratio)
            with np.errstate(invalid="ignore", divide="ignore"):
                r = np.where(ratio > 1, 0.0, num / (num + ratio))
        res.append(r)
        done += m
    r = np.round(np.concatenate(res), 10)
    u, counts = np.unique(r, return_counts=True)
    surv = np.cumsum(counts[::-1])[::-1] / r.size  # P(r >= u)
    ok = surv <= significance
    if not ok.any():
        return math.nan
    return float(u[np.argmax(ok)])
