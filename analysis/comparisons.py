"""Comparing groups of respondents: municipalities, size classes, districts, cohorts.

Omnibus tests (one-way ANOVA, Welch ANOVA, Kruskal–Wallis) with effect sizes, post-hoc tests
(Games–Howell for scale scores, Dunn for single ordinal items) with raw and adjusted p-values,
and :func:`compare_groups`, which picks the defensible combination and applies the small-cell
rule.

Conventions (stated again in every output):

* Omnibus F and H tests are non-directional; their p-value is the **upper-tail** probability of
  the F or χ² reference distribution.
* Post-hoc p-values are **two-sided** unless ``alternative`` says otherwise.
* Missing values are dropped only in the columns used (``dv`` and ``between``), never because
  some unrelated column is empty (the lesson of pingouin issue #74).
* All per-group work uses group sums (``numpy.bincount``); there is no Python loop over groups.

Values were checked against pingouin 0.7 (``anova``, ``welch_anova``, ``kruskal``,
``pairwise_gameshowell``), scikit-posthocs 0.17 (``posthoc_dunn``) and statsmodels 0.15
(``multipletests``, ``confint_effectsize_oneway``); see ``tests/analysis/test_comparisons.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import optimize, stats

from .input_checks import check_choice, check_columns, factorize_groups, numeric_column
from .notes import analysis_error, items_text
from .small_cells import DEFAULT_MIN_N, suppress_small_groups

__all__ = [
    "ComparisonResult",
    "adjust_pvalues",
    "anova_oneway",
    "compare_groups",
    "dunn_test",
    "games_howell",
    "kruskal",
    "welch_anova",
]

_MATRIX_LIMIT = 20_000_000  # k × (distinct values) cells for the dominance matrices
PAdjust = Literal["holm", "bonferroni", "fdr_bh", "none"]
_P_METHODS = ("holm", "bonferroni", "fdr_bh", "none")


# --------------------------------------------------------------------------- helpers
@dataclass(frozen=True)
class _Groups:
    """Values and integer group codes after dropping NA in the two used columns."""

    y: np.ndarray  # float, length N
    codes: np.ndarray  # int, length N, 0..k-1
    labels: pd.Index  # group labels (sorted), length k
    n: np.ndarray  # group sizes
    mean: np.ndarray
    var: np.ndarray  # sample variance, ddof=1 (NaN for n=1)

    @property
    def k(self) -> int:
        return len(self.labels)

    @property
    def N(self) -> int:  # noqa: N802 - statistical notation
        return len(self.y)


def _group_stats(y: np.ndarray, codes: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Group sizes, means and ddof-1 variances by two-pass group sums."""
    n = np.bincount(codes, minlength=k).astype(float)
    mean = np.bincount(codes, weights=y, minlength=k) / n
    dev2 = np.bincount(codes, weights=(y - mean[codes]) ** 2, minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        var = np.where(n > 1, dev2 / (n - 1), np.nan)
    return n, mean, var


def _prepare(data: pd.DataFrame, dv: str, between: str, min_groups: int = 2) -> _Groups:
    check_columns(data, [dv, between])
    sub = data[[dv, between]]
    y_all = numeric_column(sub[dv], dv)
    g = sub[between]
    keep = ~np.isnan(y_all) & g.notna().to_numpy()
    y = y_all[keep]
    codes, labels = factorize_groups(g[keep])
    labels = labels.rename(between)
    k = len(labels)
    if k < min_groups:
        raise analysis_error("too_few_groups", scope=dv, n=k, needed=min_groups, variable=dv)
    n, mean, var = _group_stats(y, codes, k)
    return _Groups(y=y, codes=np.asarray(codes), labels=labels, n=n, mean=mean, var=var)


def _pairs(k: int) -> tuple[np.ndarray, np.ndarray]:
    return np.triu_indices(k, 1)


def _sidedness_note(alternative: str) -> str:
    return {
        "two-sided": "two-sided",
        "one-sided": "one-sided in the direction of the observed difference (R dunn.test convention)",
        "greater": "one-sided, H1: A > B",
        "less": "one-sided, H1: A < B",
    }[alternative]


# --------------------------------------------------------------------------- p adjustment
def adjust_pvalues(p: Sequence[float] | np.ndarray | pd.Series, method: PAdjust = "holm") -> np.ndarray:
    r"""Adjust p-values for multiple comparisons.

    Parameters
    ----------
    p : array-like of float
        Raw p-values. NaN entries stay NaN and do not count towards the number of tests ``m``.
    method : {"holm", "bonferroni", "fdr_bh", "none"}
        * ``bonferroni``: :math:`\tilde p_i = \min(1, m p_i)`.
        * ``holm`` (Holm 1979, step-down FWER): with ascending :math:`p_{(1)} \le \dots \le p_{(m)}`,
          :math:`\tilde p_{(i)} = \max_{j \le i} \min\{1, (m-j+1) p_{(j)}\}`.
        * ``fdr_bh`` (Benjamini & Hochberg 1995, FDR): :math:`\tilde p_{(i)} = \min_{j \ge i}
          \min\{1, m p_{(j)} / j\}`.
        * ``none``: unchanged.

    Returns
    -------
    numpy.ndarray
        Adjusted p-values in the input order. Identical to ``statsmodels.stats.multitest.multipletests``
        (methods ``holm``, ``bonferroni``, ``fdr_bh``), which the tests check.

    Examples
    --------
    >>> adjust_pvalues([0.01, 0.04, 0.03], "holm").round(3).tolist()
    [0.03, 0.06, 0.06]
    """
    check_choice(method, "p_adjust", _P_METHODS)
    arr = np.asarray(p, dtype=float)
    out = np.full(arr.shape, np.nan)
    ok = ~np.isnan(arr)
    pv = arr[ok]
    m = pv.size
    if m == 0 or method == "none":
        out[ok] = pv
        return out
    if np.any((pv < 0) | (pv > 1)):
        raise analysis_error("pvalues_out_of_range")
    if method == "bonferroni":
        adj = np.minimum(1.0, pv * m)
    else:
        order = np.argsort(pv, kind="mergesort")
        ps = pv[order]
        i = np.arange(1, m + 1)
        if method == "holm":
            adj_sorted = np.minimum(1.0, np.maximum.accumulate((m - i + 1) * ps))
        else:  # fdr_bh
            adj_sorted = np.minimum(1.0, np.minimum.accumulate((m * ps / i)[::-1])[::-1])
        adj = np.empty(m)
        adj[order] = adj_sorted
    out[ok] = adj
    return out


# --------------------------------------------------------------------------- ANOVA family
def _anova_ss(g: _Groups) -> tuple[float, float, float, float]:
    grand = g.y.mean()
    ssb = float(np.sum(g.n * (g.mean - grand) ** 2))
    ssw = float(np.nansum(g.var * (g.n - 1)))
    return ssb, ssw, float(g.k - 1), float(g.N - g.k)


def _eta2_ci(F: float, df1: float, df2: float, N: int, ci: float) -> tuple[float, float]:
    """CI for η² by inverting the noncentral F (Steiger 2004); λ bounded below by 0."""
    a = (1 - ci) / 2

    def cdf(lam: float) -> float:
        # scipy's noncentral F returns NaN for very large df2 and λ (national data: N ≈ 10^6); there
        # F' -> χ'²(df1, λ)/df1 as df2 -> ∞, and the noncentral χ² is numerically stable.
        v = float(stats.ncf.cdf(F, df1, df2, lam))
        return v if np.isfinite(v) else float(stats.ncx2.cdf(F * df1, df1, lam))

    def lam_for(q: float) -> float:
        # λ such that P(F' <= F_obs | λ) = q ; cdf decreases in λ
        if stats.f.cdf(F, df1, df2) <= q:
            return 0.0
        hi = max(10.0, F * df1 * 2)
        while cdf(hi) > q:
            hi *= 2
            if hi > 1e9:
                return np.inf
        return float(optimize.brentq(lambda lam: cdf(lam) - q, 0.0, hi, xtol=1e-10))

    lam_lo = lam_for(1 - a)
    lam_hi = lam_for(a)
    return lam_lo / (lam_lo + N), lam_hi / (lam_hi + N)


def anova_oneway(data: pd.DataFrame, dv: str, between: str, ci: float = 0.95) -> pd.DataFrame:
    r"""Classical one-way ANOVA (equal variances) with η², ω², ε² and a CI for η².

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy data, one row per respondent.
    dv : str
        Numeric outcome column (e.g. a scale score).
    between : str
        Grouping column (municipality, size class, district, cohort...).
    ci : float, default 0.95
        Confidence level of the η² interval.

    Returns
    -------
    pandas.DataFrame
        One row: ``source, SS_between, SS_within, df1, df2, MS_between, MS_within, F, p_unc, eta2,
        eta2_ci_low, eta2_ci_high, omega2, epsilon2, n, k, p_tail``. ``p_unc`` is the upper-tail
        probability of F(df1, df2) (the omnibus test is non-directional).

    Notes
    -----
    With SSB = Σ n_j (ȳ_j − ȳ)², SSW = Σ (n_j − 1) s_j², df_b = k − 1, df_w = N − k, MSW = SSW/df_w:

    * F = (SSB/df_b) / MSW
    * η² = SSB / SST (Pearson 1905; equals pingouin's ``np2`` in a one-way design)
    * ω² = (SSB − df_b·MSW) / (SST + MSW) (Hays 1963)
    * ε² = (SSB − df_b·MSW) / SST (Kelley 1935)
    * CI for η²: invert the noncentral F cdf for λ (Steiger 2004), η² = λ / (λ + N); the lower
      bound is 0 when the central F cdf at F_obs is below 1 − α/2. Same endpoints as
      ``statsmodels.stats.oneway.confint_effectsize_oneway(...).eta2`` when no bound is at 0.

    Checked against pingouin 0.7 ``anova(detailed=True)`` on ``read_dataset("anova")``
    (SS 1360.726/1001.800, F 6.791, np2 0.576) and the derived η² 0.5760, ω² 0.4777, ε² 0.4912.

    Examples
    --------
    >>> df = pd.DataFrame({"g": list("aaabbbccc"), "y": [1, 2, 3, 4, 5, 6, 7, 8, 9]})
    >>> anova_oneway(df, "y", "g")[["F", "df1", "df2"]].round(3).to_dict("records")
    [{'F': 27.0, 'df1': 2.0, 'df2': 6.0}]
    """
    g = _prepare(data, dv, between)
    ssb, ssw, df1, df2 = _anova_ss(g)
    if df2 <= 0:
        raise analysis_error("too_few_per_group", scope=dv, test="ANOVA", needed=2)
    msb, msw = ssb / df1, ssw / df2
    sst = ssb + ssw
    F = msb / msw if msw > 0 else np.inf
    p = float(stats.f.sf(F, df1, df2))
    lo, hi = _eta2_ci(F, df1, df2, g.N, ci) if np.isfinite(F) else (np.nan, np.nan)
    return pd.DataFrame(
        {
            "source": [between],
            "SS_between": [ssb],
            "SS_within": [ssw],
            "df1": [df1],
            "df2": [df2],
            "MS_between": [msb],
            "MS_within": [msw],
            "F": [F],
            "p_unc": [p],
            "eta2": [ssb / sst],
            "eta2_ci_low": [lo],
            "eta2_ci_high": [hi],
            "omega2": [(ssb - df1 * msw) / (sst + msw)],
            "epsilon2": [(ssb - df1 * msw) / sst],
            "n": [g.N],
            "k": [g.k],
            "p_tail": ["upper tail of F (non-directional omnibus test)"],
        }
    )


def welch_anova(data: pd.DataFrame, dv: str, between: str) -> pd.DataFrame:
    r"""Welch's (1951) one-way ANOVA for unequal variances and group sizes.

    Parameters
    ----------
    data, dv, between
        Tidy data, numeric outcome and grouping column (pingouin keywords).

    Returns
    -------
    pandas.DataFrame
        One row: ``source, F, df1, df2, p_unc, eta2, omega2, epsilon2, n, k, p_tail``. The effect
        sizes come from the classical sums of squares (as pingouin's ``np2``); ``p_unc`` is the
        upper-tail probability of F(df1, df2).

    Notes
    -----
    With w_j = n_j / s_j², W = Σ w_j, ȳ_w = Σ w_j ȳ_j / W and
    Λ = Σ (1 − w_j/W)² / (n_j − 1):

    F = [Σ w_j (ȳ_j − ȳ_w)² / (k − 1)] / [1 + 2(k − 2)Λ / (k² − 1)],
    df1 = k − 1, df2 = (k² − 1) / (3Λ).

    Reference: Welch, B. L. (1951), Biometrika 38, 330–336. Checked against pingouin 0.7
    ``welch_anova`` (F 5.890115, df2 8.329841, p 0.018813 on ``read_dataset("anova")``).

    Examples
    --------
    >>> df = pd.DataFrame({"g": list("aaabbbbccc"), "y": [1, 2, 4, 4, 5, 6, 8, 7, 9, 9]})
    >>> round(float(welch_anova(df, "y", "g")["F"].iloc[0]), 3)
    12.898
    """
    g = _prepare(data, dv, between)
    if np.any(g.n < 2):
        raise analysis_error("too_few_per_group", scope=dv, test="Welch-ANOVA", needed=2)
    if np.any(~(g.var > 0)):
        raise analysis_error("group_constant", scope=dv, test="Welch-ANOVA", groups=items_text(g.labels[~(g.var > 0)]))
    k = g.k
    w = g.n / g.var
    W = w.sum()
    yw = np.sum(w * g.mean) / W
    lam = np.sum((1 - w / W) ** 2 / (g.n - 1))
    A = np.sum(w * (g.mean - yw) ** 2) / (k - 1)
    B = 1 + 2 * (k - 2) * lam / (k**2 - 1)
    F = float(A / B)
    df1, df2 = float(k - 1), float((k**2 - 1) / (3 * lam))
    ssb, ssw, dfb, dfw = _anova_ss(g)
    sst = ssb + ssw
    msw = ssw / dfw if dfw > 0 else np.nan
    return pd.DataFrame(
        {
            "source": [between],
            "F": [F],
            "df1": [df1],
            "df2": [df2],
            "p_unc": [float(stats.f.sf(F, df1, df2))],
            "eta2": [ssb / sst],
            "omega2": [(ssb - dfb * msw) / (sst + msw)],
            "epsilon2": [(ssb - dfb * msw) / sst],
            "n": [g.N],
            "k": [k],
            "p_tail": ["upper tail of F (non-directional omnibus test)"],
        }
    )


# --------------------------------------------------------------------------- ranks
def _ranks(g: _Groups) -> tuple[np.ndarray, float]:
    """Mid-ranks of all values and the tie sum Σ(t³ − t)."""
    r = stats.rankdata(g.y, method="average")
    _, t = np.unique(g.y, return_counts=True)
    return r, float(np.sum(t.astype(float) ** 3 - t))


def kruskal(data: pd.DataFrame, dv: str, between: str) -> pd.DataFrame:
    r"""Kruskal–Wallis H test (tie-corrected) with ε²_H and η²_H.

    Parameters
    ----------
    data, dv, between
        Tidy data, ordinal/numeric outcome and grouping column.

    Returns
    -------
    pandas.DataFrame
        One row: ``source, H, df, p_unc, epsilon2_H, eta2_H, n, k, p_tail``. ``p_unc`` is the
        upper-tail probability of χ²(k − 1) (asymptotic; the test is non-directional).

    Notes
    -----
    With mid-ranks R, rank sums R_j and tie groups t:

    H = [12 / (N(N+1)) Σ R_j²/n_j − 3(N+1)] / [1 − Σ(t³ − t)/(N³ − N)]  (Kruskal & Wallis 1952)

    * ε²_H = H / (N − 1)  (Tomczak & Tomczak 2014; rstatix/effectsize ``rank_epsilon_squared``)
    * η²_H = (H − k + 1) / (N − k)  (Cohen 2008; rstatix ``kruskal_effsize``)

    No closed-form CI exists for these; none is reported. Checked against pingouin 0.7 ``kruskal``
    (H 10.58863, p 0.014172) and ``scipy.stats.kruskal``.

    Examples
    --------
    >>> df = pd.DataFrame({"g": list("aaabbbccc"), "y": [1, 2, 2, 3, 3, 4, 5, 5, 5]})
    >>> round(float(kruskal(df, "y", "g")["H"].iloc[0]), 4)
    7.5789
    """
    g = _prepare(data, dv, between)
    N, k = g.N, g.k
    r, ties = _ranks(g)
    Rj = np.bincount(g.codes, weights=r, minlength=k)
    C = 1 - ties / (N**3 - N)
    if C <= 0:
        raise analysis_error("outcome_constant", scope=dv, variable=dv, what="Kruskal-Wallis")
    H = float((12 / (N * (N + 1)) * np.sum(Rj**2 / g.n) - 3 * (N + 1)) / C)
    df = k - 1
    return pd.DataFrame(
        {
            "source": [between],
            "H": [H],
            "df": [df],
            "p_unc": [float(stats.chi2.sf(H, df))],
            "epsilon2_H": [H / (N - 1)],
            "eta2_H": [(H - k + 1) / (N - k)],
            "n": [N],
            "k": [k],
            "p_tail": ["upper tail of chi2 (non-directional omnibus test)"],
        }
    )


# --------------------------------------------------------------------------- post-hoc
def games_howell(data: pd.DataFrame, dv: str, between: str, ci: float = 0.95) -> pd.DataFrame:
    r"""Games–Howell pairwise comparisons (unequal variances and group sizes).

    Parameters
    ----------
    data, dv, between
        Tidy data, numeric outcome and grouping column.
    ci : float, default 0.95
        Confidence level of the Hedges g interval.

    Returns
    -------
    pandas.DataFrame
        One row per pair (A < B in sorted label order): ``A, B, n_A, n_B, mean_A, mean_B, diff, se,
        T, df, p_tukey, p_unc, hedges, hedges_ci_low, hedges_ci_high, alternative``.

        * ``p_tukey``: Games–Howell p from the studentized range distribution
          (family-wise over all pairs; pingouin's ``pval``).
        * ``p_unc``: the two-sided Welch t-test p of the same T and df, unadjusted
          (:func:`compare_groups` adds Holm and BH adjustments of it).

    Notes
    -----
    T = (ȳ_A − ȳ_B) / √(s²_A/n_A + s²_B/n_B),
    df = (s²_A/n_A + s²_B/n_B)² / [(s²_A/n_A)²/(n_A−1) + (s²_B/n_B)²/(n_B−1)],
    p_tukey = P(Q_{k,df} > √2·|T|) (Games & Howell 1976).

    Hedges g = d·J with d = (ȳ_A − ȳ_B)/s_pooled and J = 1 − 3/(4(n_A+n_B) − 9) (Hedges 1981);
    CI g ± t_{(1+ci)/2, n_A+n_B−2}·√((n_A+n_B)/(n_A n_B) + g²/(2(n_A+n_B))) (Hedges & Olkin 1985
    large-sample SE; as pingouin ``compute_esci`` and R ``effsize::cohen.d(noncentral=FALSE)``).

    Checked against pingouin 0.7 ``pairwise_gameshowell`` on the penguins data
    (Adelie–Chinstrap T −0.543, df 152.455, p 0.85, hedges −0.074).

    Examples
    --------
    >>> df = pd.DataFrame({"g": list("aaaabbbbcccc"), "y": [1, 2, 3, 2, 4, 5, 6, 5, 2, 3, 3, 4]})
    >>> games_howell(df, "y", "g")[["A", "B"]].values.tolist()
    [['a', 'b'], ['a', 'c'], ['b', 'c']]
    """
    g = _prepare(data, dv, between)
    if np.any(g.n < 2):
        raise analysis_error("too_few_per_group", scope=dv, test="Games-Howell", needed=2)
    a, b = _pairs(g.k)
    va, vb = g.var[a] / g.n[a], g.var[b] / g.n[b]
    se = np.sqrt(va + vb)
    diff = g.mean[a] - g.mean[b]
    with np.errstate(divide="ignore", invalid="ignore"):
        T = diff / se
        df = (va + vb) ** 2 / (va**2 / (g.n[a] - 1) + vb**2 / (g.n[b] - 1))
    p_tukey = np.clip(stats.studentized_range.sf(np.abs(T) * np.sqrt(2), g.k, df), 0, 1)
    p_unc = 2 * stats.t.sf(np.abs(T), df)
    na, nb = g.n[a], g.n[b]
    sp = np.sqrt(((na - 1) * g.var[a] + (nb - 1) * g.var[b]) / (na + nb - 2))
    hedges = diff / sp * (1 - 3 / (4 * (na + nb) - 9))
    se_g = np.sqrt((na + nb) / (na * nb) + hedges**2 / (2 * (na + nb)))
    crit = stats.t.ppf(0.5 + ci / 2, na + nb - 2)
    return pd.DataFrame(
        {
            "A": g.labels[a],
            "B": g.labels[b],
            "n_A": na.astype(int),
            "n_B": nb.astype(int),
            "mean_A": g.mean[a],
            "mean_B": g.mean[b],
            "diff": diff,
            "se": se,
            "T": T,
            "df": df,
            "p_tukey": p_tukey,
            "p_unc": p_unc,
            "hedges": hedges,
            "hedges_ci_low": hedges - crit * se_g,
            "hedges_ci_high": hedges + crit * se_g,
            "alternative": "two-sided",
        }
    )


def _dominance(
    g: _Groups, a: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Dominance counts and placement variances for every pair (a, b).

    Returns ``gt`` = #{x_A > x_B}, ``eq`` = #{x_A = x_B} over all cross pairs, and the ddof-1
    variances of the placements of A's values in B and of B's values in A (a placement of x in
    B is (#{B < x} + ½#{B = x}) / n_B; Brunner & Munzel 2000).
    """
    vals, vidx = np.unique(g.y, return_inverse=True)
    m, k = len(vals), g.k
    if k * m <= _MATRIX_LIMIT:  # category-count matrices: no loop over groups or pairs
        C = np.bincount(g.codes * m + vidx, minlength=k * m).reshape(k, m).astype(float)
        below = np.cumsum(C, axis=1) - C  # values strictly below each category, per group
        pl = (below + 0.5 * C) / g.n[:, None]  # placement of category v in group j
        gt = C @ below.T  # gt[i, j] = #{x_i > x_j}
        eq = C @ C.T
        m1 = C @ pl.T  # m1[i, j] = sum of placements of group i's values in group j
        m2 = C @ (pl**2).T
        with np.errstate(invalid="ignore", divide="ignore"):
            var_in = (m2 - m1**2 / g.n[:, None]) / (g.n[:, None] - 1)
        return gt[a, b], eq[a, b], np.maximum(var_in[a, b], 0), np.maximum(var_in[b, a], 0)
    # many distinct values (continuous data): per-pair sorted search
    order = np.lexsort((g.y, g.codes))
    per = np.split(g.y[order], np.cumsum(g.n[:-1]).astype(int))
    gt, eq, v_ab, v_ba = (np.empty(len(a)) for _ in range(4))
    for i, (ia, ib) in enumerate(zip(a, b)):
        xa, xb = per[ia], per[ib]
        lo = np.searchsorted(xb, xa, side="left")
        hi = np.searchsorted(xb, xa, side="right")
        gt[i] = lo.sum()
        eq[i] = (hi - lo).sum()
        v_ab[i] = np.var((lo + hi) / 2 / len(xb), ddof=1) if len(xa) > 1 else np.nan
        lo2 = np.searchsorted(xa, xb, side="left")
        hi2 = np.searchsorted(xa, xb, side="right")
        v_ba[i] = np.var((lo2 + hi2) / 2 / len(xa), ddof=1) if len(xb) > 1 else np.nan
    return gt, eq, v_ab, v_ba


def _superiority_ci(
    ps: np.ndarray, v_ab: np.ndarray, v_ba: np.ndarray, na: np.ndarray, nb: np.ndarray, ci: float
) -> tuple[np.ndarray, np.ndarray]:
    """Brunner–Munzel t interval for P(X_A > X_B) + ½P(X_A = X_B) (statsmodels ``rank_compare_2indep``)."""
    se = np.sqrt(v_ab / na + v_ba / nb)
    s1, s2 = v_ab * nb**2, v_ba * na**2  # variances of the rank differences
    with np.errstate(invalid="ignore", divide="ignore"):
        df = (na * s1 + nb * s2) ** 2 / ((na * s1) ** 2 / (na - 1) + (nb * s2) ** 2 / (nb - 1))
        crit = stats.t.ppf(0.5 + ci / 2, df)
    return ps - crit * se, ps + crit * se


def dunn_test(
    data: pd.DataFrame,
    dv: str,
    between: str,
    p_adjust: PAdjust = "holm",
    alternative: Literal["two-sided", "one-sided", "greater", "less"] = "two-sided",
    ci: float = 0.95,
) -> pd.DataFrame:
    r"""Dunn's (1964) all-pairs rank test after Kruskal–Wallis, tie-corrected.

    Parameters
    ----------
    data, dv, between
        Tidy data, ordinal/numeric outcome and grouping column.
    p_adjust : {"holm", "bonferroni", "fdr_bh", "none"}, default "holm"
        Method for ``p_adj``. ``p_holm`` and ``p_fdr_bh`` are always returned as well.
    alternative : {"two-sided", "one-sided", "greater", "less"}, default "two-sided"
        * ``two-sided``: p = 2·P(Z > |z|) (scikit-posthocs ``posthoc_dunn``, FSA ``dunnTest``).
        * ``one-sided``: p = P(Z > |z|), the default printout of R ``dunn.test`` ("reject if
          p ≤ α/2"), i.e. half the two-sided value.
        * ``greater`` / ``less``: H1 mean rank of A > (<) B.
    ci : float, default 0.95
        Level of the intervals for the probability of superiority and Cliff's δ.

    Returns
    -------
    pandas.DataFrame
        One row per pair: ``A, B, n_A, n_B, mean_rank_A, mean_rank_B, z, p_unc, p_adj, p_holm,
        p_fdr_bh, cliffs_delta(+_ci_low/_ci_high), prob_superiority(+_ci_low/_ci_high),
        alternative, p_adjust``.
        ``cliffs_delta`` = P(X_A > X_B) − P(X_A < X_B); ``prob_superiority`` = P(X_A > X_B) +
        ½P(X_A = X_B) = (δ + 1)/2 (Cliff 1993; statsmodels ``rank_compare_2indep().prob1``).
        Their CIs use the Brunner–Munzel (2000) variance of the placements with a t reference
        (Welch-type df), as statsmodels ``rank_compare_2indep(...).conf_int()``; the δ interval
        is 2·PS − 1 of the PS interval. Undefined (NaN) when both placement variances are 0.

    Notes
    -----
    With mid-ranks over all N observations and tie groups t:

    z_AB = (R̄_A − R̄_B) / √{[N(N+1)/12 − Σ(t³ − t)/(12(N − 1))] · (1/n_A + 1/n_B)}.

    Reference: Dunn, O. J. (1964), Technometrics 6, 241–252. Checked against scikit-posthocs 0.17
    ``posthoc_dunn`` (two-sided, tied 5-point data) and the one-sided dunn.test convention.

    Examples
    --------
    >>> df = pd.DataFrame({"g": list("aaaabbbbcccc"), "y": [1, 2, 2, 1, 3, 4, 4, 5, 2, 3, 3, 2]})
    >>> dunn_test(df, "y", "g")[["A", "B"]].values.tolist()
    [['a', 'b'], ['a', 'c'], ['b', 'c']]
    """
    check_choice(alternative, "alternative", ("two-sided", "one-sided", "greater", "less"))
    check_choice(p_adjust, "p_adjust", _P_METHODS)
    g = _prepare(data, dv, between)
    N, k = g.N, g.k
    r, ties = _ranks(g)
    mean_rank = np.bincount(g.codes, weights=r, minlength=k) / g.n
    a, b = _pairs(k)
    var0 = N * (N + 1) / 12 - ties / (12 * (N - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (mean_rank[a] - mean_rank[b]) / np.sqrt(var0 * (1 / g.n[a] + 1 / g.n[b]))
    if alternative == "two-sided":
        p = 2 * stats.norm.sf(np.abs(z))
    elif alternative == "one-sided":
        p = stats.norm.sf(np.abs(z))
    elif alternative == "greater":
        p = stats.norm.sf(z)
    else:
        p = stats.norm.cdf(z)
    p = np.minimum(p, 1.0)
    gt, eq, v_ab, v_ba = _dominance(g, a, b)
    nn = g.n[a] * g.n[b]
    lt = nn - gt - eq
    ps = (gt + 0.5 * eq) / nn
    ps_lo, ps_hi = _superiority_ci(ps, v_ab, v_ba, g.n[a], g.n[b], ci)
    return pd.DataFrame(
        {
            "A": g.labels[a],
            "B": g.labels[b],
            "n_A": g.n[a].astype(int),
            "n_B": g.n[b].astype(int),
            "mean_rank_A": mean_rank[a],
            "mean_rank_B": mean_rank[b],
            "z": z,
            "p_unc": p,
            "p_adj": adjust_pvalues(p, p_adjust),
            "p_holm": adjust_pvalues(p, "holm"),
            "p_fdr_bh": adjust_pvalues(p, "fdr_bh"),
            "cliffs_delta": (gt - lt) / nn,
            "cliffs_delta_ci_low": 2 * ps_lo - 1,
            "cliffs_delta_ci_high": 2 * ps_hi - 1,
            "prob_superiority": ps,
            "prob_superiority_ci_low": ps_lo,
            "prob_superiority_ci_high": ps_hi,
            "alternative": _sidedness_note(alternative),
            "p_adjust": p_adjust,
        }
    )


# --------------------------------------------------------------------------- compare_groups
@dataclass(frozen=True)
class ComparisonResult:
    """Result of :func:`compare_groups`.

    Attributes
    ----------
    omnibus : pandas.DataFrame
        One row: the omnibus test (Welch ANOVA or Kruskal–Wallis) with effect sizes.
    posthoc : pandas.DataFrame
        One row per pair (Games–Howell or Dunn) with ``p_unc`` and one column per adjustment
        (``p_holm``, ``p_fdr_bh``); empty when there are too many groups for all pairs.
    descriptives : pandas.DataFrame
        One row per included group: n, mean, sd, median, mean rank (small cells suppressed).
    excluded : pandas.DataFrame
        Groups left out because n < ``min_n`` (label and reason; their n is not shown).
    method : str
        Plain description: tests, sidedness, adjustments, exclusions.
    kind : str
        ``"scale"`` or ``"item"``.
    """

    omnibus: pd.DataFrame
    posthoc: pd.DataFrame
    descriptives: pd.DataFrame
    excluded: pd.DataFrame
    method: str
    kind: str


def _looks_like_item(y: np.ndarray, max_categories: int = 7) -> bool:
    vals = np.unique(y)
    return bool(np.all(vals == np.round(vals)) and len(vals) <= max_categories)


def compare_groups(
    data: pd.DataFrame,
    dv: str,
    between: str,
    kind: Literal["auto", "scale", "item"] = "auto",
    p_adjust: Sequence[PAdjust] = ("holm", "fdr_bh"),
    min_n: int = DEFAULT_MIN_N,
    max_posthoc_groups: int = 30,
) -> ComparisonResult:
    """Compare groups on one outcome: omnibus test, effect sizes, post-hoc pairs.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy respondent-level data (e.g. ``Dataset.analysis_frame()``).
    dv : str
        Outcome column: a scale score (``kind="scale"``) or a single Likert item (``kind="item"``).
    between : str
        Grouping column: ``ags`` (municipality), ``size_class``, ``district``, ``cohort``...
    kind : {"auto", "scale", "item"}, default "auto"
        ``scale``: Welch ANOVA (+ classical η², ω², ε² with η² CI), Games–Howell post-hoc with
        Hedges g. ``item``: Kruskal–Wallis (ε²_H, η²_H), Dunn post-hoc with Cliff's δ and the
        probability of superiority. ``auto`` treats the outcome as an item when all values are
        whole numbers with at most 7 distinct values, otherwise as a scale.
    p_adjust : sequence of {"holm", "bonferroni", "fdr_bh"}, default ("holm", "fdr_bh")
        Adjustments of the post-hoc p-values; each gives a column ``p_<method>``.
    min_n : int, default 5
        Groups with fewer valid answers are excluded *before* testing and listed in ``excluded``.
    max_posthoc_groups : int, default 30
        With more groups, all-pairs tests are skipped (435 pairs at 30 groups); use
        :func:`analysis.funnel.funnel_limits` for many municipalities instead.

    Returns
    -------
    ComparisonResult
        Frozen dataclass with ``omnibus``, ``posthoc``, ``descriptives``, ``excluded``, ``method``.

    Notes
    -----
    Omnibus p-values are upper-tail (non-directional); post-hoc p-values are two-sided. Holm
    (1979) controls the family-wise error rate for confirmatory claims, Benjamini–Hochberg (1995)
    the false discovery rate for exploratory screening. See :func:`welch_anova`, :func:`kruskal`,
    :func:`games_howell`, :func:`dunn_test` for formulas and references.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame({"size": np.repeat(["klein", "mittel", "groß"], 20),
    ...                    "score": rng.normal(3, 1, 60)})
    >>> res = compare_groups(df, "score", "size", kind="scale")
    >>> res.omnibus["test"].iloc[0], len(res.posthoc)
    ('Welch ANOVA', 3)
    """
    for m in p_adjust:
        check_choice(m, "p_adjust", _P_METHODS)
    check_choice(kind, "kind", ("auto", "scale", "item"))
    g_all = _prepare(data, dv, between, min_groups=1)
    small = g_all.n < min_n
    excluded = pd.DataFrame(
        {between: g_all.labels[small], "reason": f"n < {min_n} (kleine Gruppe / small group)"}
    )
    keep_labels = g_all.labels[~small]
    if len(keep_labels) < 2:
        raise analysis_error("too_few_groups_min_n", scope=dv, n=len(keep_labels), min_n=min_n, variable=dv)
    sub = pd.DataFrame({dv: g_all.y, between: g_all.labels[g_all.codes]})
    sub = sub[sub[between].isin(keep_labels)].reset_index(drop=True)
    if kind == "auto":
        kind = "item" if _looks_like_item(sub[dv].to_numpy()) else "scale"

    g = _prepare(sub, dv, between)
    r = stats.rankdata(g.y)
    desc = pd.DataFrame(
        {
            between: g.labels,
            "n": g.n.astype(int),
            "mean": g.mean,
            "sd": np.sqrt(g.var),
            "median": sub.groupby(between, sort=True)[dv].median().reindex(g.labels).to_numpy(),
            "mean_rank": np.bincount(g.codes, weights=r, minlength=g.k) / g.n,
        }
    )
    desc = suppress_small_groups(desc, n_col="n", min_n=min_n, keep=[between])

    adj_note = ", ".join(m for m in p_adjust if m != "none") or "none"
    do_posthoc = g.k <= max_posthoc_groups
    if kind == "scale":
        om = welch_anova(sub, dv, between)
        classic = anova_oneway(sub, dv, between)
        om.insert(0, "test", "Welch ANOVA")
        om["eta2_ci_low"] = classic["eta2_ci_low"].to_numpy()
        om["eta2_ci_high"] = classic["eta2_ci_high"].to_numpy()
        ph = games_howell(sub, dv, between) if do_posthoc else pd.DataFrame()
        test_text = (
            f"Welch-ANOVA (Welch 1951; upper-tail F p) with η², ω², ε² from the classical sums of squares; "
            f"post-hoc Games–Howell (two-sided; p_tukey = studentized range, family-wise; p_unc = Welch t, "
            f"adjusted by {adj_note}), Hedges g with 95 % CI."
        )
    else:
        om = kruskal(sub, dv, between)
        om.insert(0, "test", "Kruskal-Wallis")
        ph = dunn_test(sub, dv, between, p_adjust="none") if do_posthoc else pd.DataFrame()
        if len(ph):
            ph = ph.drop(columns=["p_adj", "p_adjust", "p_holm", "p_fdr_bh"])
        test_text = (
            f"Kruskal–Wallis H (tie-corrected, upper-tail χ² p) with ε²_H and η²_H; post-hoc Dunn (1964), "
            f"tie-corrected, two-sided p_unc adjusted by {adj_note}; Cliff's δ and probability of superiority."
        )
    if len(ph):
        for m in p_adjust:
            if m != "none":
                ph[f"p_{m}"] = adjust_pvalues(ph["p_unc"].to_numpy(), m)
        ph = suppress_small_groups(ph, n_col=["n_A", "n_B"], min_n=min_n, keep=["A", "B"])
    om.insert(1, "dv", dv)
    om["n_excluded_groups"] = int(small.sum())
    note_ex = (
        f" {int(small.sum())} group(s) with n < {min_n} excluded before testing (see .excluded)."
        if small.any()
        else ""
    )
    note_ph = (
        ""
        if do_posthoc
        else f" Post-hoc pairs skipped: {g.k} groups > max_posthoc_groups={max_posthoc_groups}; "
        "use funnel_limits for many groups."
    )
    method = f"{dv} by {between} ({kind}): {test_text}{note_ex}{note_ph}"
    return ComparisonResult(
        omnibus=om, posthoc=ph, descriptives=desc, excluded=excluded, method=method, kind=kind
    )
