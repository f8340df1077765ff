"""Reliability and item analysis: Cronbach's alpha (psych-compatible), McDonald's omega, per group.

Conventions (R ``psych::alpha``, checked on ``psych::bfi`` in the tests):

* C is the **pairwise-complete** item covariance matrix (``nan_policy="pairwise"``, the psych
  and pingouin default) or the complete-case covariance (``"listwise"``).
* Standardised alpha, G6, average and median r use R = cov2cor(C), **not** the pairwise
  correlation matrix (they differ in the 4th decimal when data are missing).
* r.drop is computed from C (covariance algebra), not from observed rest scores.
* The scale mean/sd are those of the respondents' mean of answered items.
* n for the Feldt CI and the Duhachek–Iacobucci ASE is the number of respondents who answered
  at least one item (psych counts all rows, including empty ones; identical when no row is
  empty, as in bfi).

Public functions
----------------
:func:`cronbach_alpha`        one scale → :class:`AlphaResult` (summary, alpha-if-deleted,
                              item statistics, response frequencies).
:func:`item_analysis`         the tidy item table of one scale.
:func:`reliability_by_group`  alpha for several scales × groups (municipalities, roles) from
                              bincount group sums (no loop over groups).
:func:`mcdonald_omega`        omega from a one-factor ML model → :class:`OmegaResult`.

Example
-------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(1)
>>> f = rng.normal(size=500)
>>> df = pd.DataFrame({f"i{j}": f + rng.normal(size=500) for j in range(4)})
>>> round(cronbach_alpha(df).raw_alpha, 2)
0.77
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, stats

from .input_checks import check_choice, check_level, group_codes, numeric_matrix
from .notes import analysis_error, items_text, number, warn

__all__ = [
    "AlphaResult",
    "CFAOmegaResult",
    "OmegaResult",
    "cronbach_alpha",
    "item_analysis",
    "mcdonald_omega",
    "mcdonald_omega_cfa",
    "negatively_keyed_items",
    "pairwise_covariance",
    "reliability_by_group",
]


# --------------------------------------------------------------------------- covariance helpers
def _prepare(
    data: pd.DataFrame, items: Sequence[str] | None, nan_policy: str, min_items: int = 2, what: str = "Alpha"
) -> tuple[list[str], np.ndarray]:
    check_choice(nan_policy, "nan_policy", ("pairwise", "listwise"))
    if items is None:
        items = [c for c in data.columns if pd.api.types.is_numeric_dtype(data[c])]
    items = list(items)
    if len(items) < min_items:
        raise analysis_error("too_few_items", what=what, needed=min_items, k=len(items))
    x = numeric_matrix(data, items)
    answered = ~np.isnan(x)
    keep = answered.all(axis=1) if nan_policy == "listwise" else answered.any(axis=1)
    x = x[keep]
    if x.shape[0] < 2:
        raise analysis_error("too_few_respondents", n=x.shape[0], needed=2)
    return items, x


def _never_together(items: list[str], cov: np.ndarray) -> str:
    """The item pairs whose covariance is undefined (never answered together), as text."""
    a, b = np.nonzero(np.triu(np.isnan(cov)))
    return items_text(f"{items[i]}–{items[j]}" if i != j else items[i] for i, j in zip(a, b, strict=True))


def negatively_keyed_items(x: np.ndarray, items: Sequence[str]) -> list[str]:
    """Items loading negatively on the first principal component: psych's check for reversal.

    ``psych::alpha`` computes ``principal(x)`` (first component of the pairwise correlation
    matrix, signs chosen so that the loadings sum to a positive value) and warns "Some items
    (...) were negatively correlated with the total scale and probably should be reversed" when
    a loading is negative. Returns those items ([] if the correlations are not all defined).
    """
    r = pd.DataFrame(x).corr().to_numpy()
    if not np.all(np.isfinite(r)):
        return []
    vals, vecs = np.linalg.eigh(r)
    v = vecs[:, -1] * math.sqrt(max(vals[-1], 0.0))
    if v.sum() < 0:
        v = -v
    return [str(items[i]) for i in np.nonzero(v < 0)[0]]


def pairwise_covariance(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairwise-complete covariance matrix (divisor n_ij − 1) and pair counts n_ij.

    Identical to R ``cov(x, use="pairwise")`` and :meth:`pandas.DataFrame.cov`: each entry uses
    the rows where both items are present, with the means of that subset.
    """
    m = ~np.isnan(x)
    mf = m.astype(float)
    cnt = m.sum(axis=0)
    center = np.where(cnt > 0, np.where(m, x, 0.0).sum(axis=0) / np.maximum(cnt, 1), 0.0)
    x0 = np.where(m, x - center, 0.0)
    nij = mf.T @ mf
    sij = x0.T @ mf  # sij[a, b] = sum of x_a over rows where a and b are present
    cross = x0.T @ x0
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = (cross - sij * sij.T / nij) / (nij - 1)
    cov = np.where(nij > 1, cov, np.nan)
    return cov, nij


def _smc(r: np.ndarray) -> np.ndarray:
    """Squared multiple correlations 1 − 1/diag(R⁻¹) (pseudo-inverse if R is singular)."""
    try:
        inv = np.linalg.inv(r)
        if not np.all(np.isfinite(inv)):
            raise np.linalg.LinAlgError
    except np.linalg.LinAlgError:
        inv = np.linalg.pinv(r)
    return 1 - 1 / np.diag(inv)


def _alpha_stats(c: np.ndarray) -> dict[str, float]:
    """psych's ``alpha.1``: raw/std alpha, G6, average r, S/N, Q (for the ASE), var.r, med.r."""
    k = c.shape[0]
    sd = np.sqrt(np.diag(c))
    r = c / np.outer(sd, sd)
    tot_c = c.sum()
    tr_c = np.trace(c)
    sum_r = r.sum()
    raw = (1 - tr_c / tot_c) * k / (k - 1)
    std = (1 - k / sum_r) * k / (k - 1)
    avr = (sum_r - k) / (k * (k - 1))
    g6 = 1 - (k - _smc(r).sum()) / sum_r if np.all(np.isfinite(r)) else math.nan
    sn = k * avr / (1 - avr) if avr != 1 else math.inf
    cc = c @ c
    q = (2 * k**2 / ((k - 1) ** 2 * tot_c**3)) * (tot_c * (np.trace(cc) + tr_c**2) - 2 * tr_c * cc.sum())
    low = r[np.tril_indices(k, -1)]
    return {
        "raw_alpha": float(raw),
        "std_alpha": float(std),
        "g6": float(g6),
        "average_r": float(avr),
        "s_n": float(sn),
        "q": float(q),
        "var_r": float(np.var(low, ddof=1)) if low.size > 1 else math.nan,
        "median_r": float(np.median(low)),
    }


def _feldt(alpha: float, n: float, k: int, ci: float) -> tuple[float, float]:
    a = 1 - ci
    df1 = n - 1
    df2 = df1 * (k - 1)
    lo = 1 - (1 - alpha) * stats.f.isf(a / 2, df1, df2)
    hi = 1 - (1 - alpha) * stats.f.isf(1 - a / 2, df1, df2)
    return float(lo), float(hi)


# --------------------------------------------------------------------------- alpha
@dataclass(frozen=True, eq=False)
class AlphaResult:
    """Cronbach's alpha of one scale with psych-compatible item analysis.

    Attributes
    ----------
    raw_alpha, std_alpha, g6, average_r, median_r, s_n, ase : float
        psych ``$total``: raw alpha, standardised alpha (from cov2cor(C)), Guttman's λ6 (smc),
        mean and median inter-item r, signal/noise k·r̄/(1−r̄), Duhachek–Iacobucci ASE.
    ci_low, ci_high, ci_level : float
        Feldt (1987) confidence interval.
    mean, sd : float
        Mean and SD of the respondents' item means.
    n, k : int
        Respondents used (≥ 1 item answered; complete cases for listwise) and items.
    nan_policy : str
    alpha_drop : pandas.DataFrame
        psych ``$alpha.drop`` (index = item): raw_alpha, std.alpha, G6(smc), average_r, S/N,
        alpha se, var.r, med.r, each for the scale without that item.
    item_stats : pandas.DataFrame
        psych ``$item.stats`` (index = item): n, raw.r, std.r, r.cor, r.drop, mean, sd.
    response_freq : pandas.DataFrame
        psych ``$response.freq`` (index = item): share of each category among answers plus
        ``miss`` (share missing of all rows); empty if more than ``max_categories`` values.
    """

    raw_alpha: float
    std_alpha: float
    g6: float
    average_r: float
    median_r: float
    s_n: float
    ase: float
    ci_low: float
    ci_high: float
    ci_level: float
    mean: float
    sd: float
    n: int
    k: int
    nan_policy: str
    alpha_drop: pd.DataFrame
    item_stats: pd.DataFrame
    response_freq: pd.DataFrame

    @property
    def summary(self) -> pd.DataFrame:
        """One-row table with psych's ``$total`` names plus the Feldt CI, n and k."""
        return pd.DataFrame(
            [
                {
                    "raw_alpha": self.raw_alpha,
                    "std.alpha": self.std_alpha,
                    "G6(smc)": self.g6,
                    "average_r": self.average_r,
                    "S/N": self.s_n,
                    "ase": self.ase,
                    "mean": self.mean,
                    "sd": self.sd,
                    "median_r": self.median_r,
                    "ci_low": self.ci_low,
                    "ci_high": self.ci_high,
                    "n": self.n,
                    "k": self.k,
                }
            ]
        )

    @property
    def items(self) -> pd.DataFrame:
        """Tidy item table: item statistics plus alpha if the item is deleted."""
        drop = self.alpha_drop.rename(
            columns={
                "raw_alpha": "alpha_if_deleted",
                "std.alpha": "std_alpha_if_deleted",
                "G6(smc)": "g6_if_deleted",
                "average_r": "average_r_if_deleted",
                "S/N": "s_n_if_deleted",
                "alpha se": "alpha_se_if_deleted",
                "var.r": "var_r_if_deleted",
                "med.r": "med_r_if_deleted",
            }
        )
        out = self.item_stats.join(drop)
        out.index.name = "item"
        return out.reset_index()

    @property
    def item_table(self) -> pd.DataFrame:
        """:attr:`items` plus the response shares as ``freq_<category>`` and ``freq_miss``."""
        freq = self.response_freq.add_prefix("freq_").reset_index()
        return self.items.merge(freq, on="item", how="left")


def _response_freq(x: np.ndarray, items: list[str], max_categories: int) -> pd.DataFrame:
    vals = np.unique(x[~np.isnan(x)])
    if vals.size > max_categories:
        return pd.DataFrame(index=pd.Index(items, name="item"))
    answered = ~np.isnan(x)
    n_ans = answered.sum(axis=0)
    cols: dict[str, np.ndarray] = {}
    for v in vals:
        label = str(int(v)) if float(v).is_integer() else str(v)
        with np.errstate(invalid="ignore", divide="ignore"):
            cols[label] = (x == v).sum(axis=0) / n_ans
    cols["miss"] = 1 - n_ans / x.shape[0]
    return pd.DataFrame(cols, index=pd.Index(items, name="item"))


def cronbach_alpha(
    data: pd.DataFrame,
    items: Sequence[str] | None = None,
    nan_policy: str = "pairwise",
    ci: float = 0.95,
    max_categories: int = 10,
) -> AlphaResult:
    """Cronbach's alpha with psych-compatible statistics and item analysis.

    Parameters
    ----------
    data : pandas.DataFrame
        Wide frame, one numeric column per item (reverse-keyed items already reversed, e.g.
        with :func:`analysis.scoring.reverse_items`). NaN = missing.
    items : sequence of str, optional
        Item columns (default: all numeric columns).
    nan_policy : {"pairwise", "listwise"}
        Pairwise-complete covariances (psych ``use="pairwise"``, default) or complete cases only
        (psych ``use="complete.obs"``).
    ci : float, default 0.95
        Level of the Feldt confidence interval.
    max_categories : int, default 10
        Response frequencies are tabulated when the items have at most this many values.

    Returns
    -------
    AlphaResult

    Notes
    -----
    With C the k×k item covariance matrix, R = cov2cor(C) and r̄ the mean off-diagonal r:

    * α = k/(k−1) · (1 − tr C / 1ᵀC1) (Cronbach 1951);
      α_std = k/(k−1) · (1 − k/1ᵀR1) = k·r̄/(1 + (k−1)·r̄).
    * Guttman λ6 = 1 − Σ(1 − smc_i)/1ᵀR1, smc_i = 1 − 1/(R⁻¹)_ii (Guttman 1945).
    * S/N = k·r̄/(1 − r̄) (Cronbach & Gleser 1964).
    * ASE (Duhachek & Iacobucci 2004; psych's corrected form):
      Q = 2k²/((k−1)²(1ᵀC1)³) · [1ᵀC1·(tr C² + (tr C)²) − 2·tr C·1ᵀC²1], ASE = √(Q/n).
    * Feldt (1965; Feldt, Woodruff & Salih 1987) CI: 1 − (1 − α)·F_{a/2 upper, lower}
      with df (n − 1, (n − 1)(k − 1)).
    * raw.r = corr(item, mean score) (pairwise), std.r = colSums(R)/√1ᵀR1,
      r.cor = colSums(R_smc)/√1ᵀR_smc1 with smc on the diagonal,
      r.drop = (C_i· 1 − C_ii)/√(C_ii · 1ᵀC_(−i)1) (covariance algebra, as psych).

    Degenerate data are handled as psych does, with an :class:`~analysis.notes.AnalysisWarning`
    instead of an exception: an item without variance leaves raw alpha defined and the
    standardised statistics NaN (``item_constant``); a negative average covariance gives a
    negative alpha, and items loading negatively on the first principal component are named
    (psych's check, ``alpha_negative_items``; :func:`negatively_keyed_items`); square roots of
    negative sums give NaN. Item pairs never answered together raise
    :class:`~core.errors.AnalysisError` (``pairs_never_together``) naming the pairs.

    Checked against ``psych::alpha`` on ``psych::bfi`` (RV3: all 45 summary values, alpha if
    deleted, n, raw.r, r.drop), the pingouin 0.7 documentation (RV2, pairwise and listwise),
    Shrout & Fleiss' table (α = ICC(3,k), RV1) and parallel-item simulations
    (α = kρ/(1 + (k−1)ρ)).

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 2, 3, 5, 5], "c": [1, 3, 3, 4, 4]})
    >>> res = cronbach_alpha(df)
    >>> round(res.raw_alpha, 3), res.k, res.n
    (0.954, 3, 5)
    """
    check_level(ci)
    items, x = _prepare(data, items, nan_policy)
    n, k = x.shape
    c, _ = pairwise_covariance(x)
    if np.isnan(c).any():
        raise analysis_error("pairs_never_together", pairs=_never_together(items, c))
    var = np.diag(c)
    if np.any(var <= 0):
        warn("item_constant", items=items_text(items[i] for i in np.nonzero(var <= 0)[0]))
    with np.errstate(invalid="ignore", divide="ignore"):
        tot = _alpha_stats(c)
        negative = negatively_keyed_items(x, items) if np.all(var > 0) else []
        if negative:
            warn("alpha_negative_items", items=items_text(negative), alpha=number(tot["raw_alpha"]))
        elif tot["raw_alpha"] < 0:
            warn("alpha_negative_average_covariance", alpha=number(tot["raw_alpha"]))
        lo, hi = _feldt(tot["raw_alpha"], n, k, ci)
        # alpha if item deleted
        drop_rows = []
        for i in range(k):
            keep = [j for j in range(k) if j != i]
            if k > 2:
                d = _alpha_stats(c[np.ix_(keep, keep)])
                drop_rows.append(
                    [d["raw_alpha"], d["std_alpha"], d["g6"], d["average_r"], d["s_n"],
                     math.sqrt(d["q"] / n) if d["q"] >= 0 else math.nan, d["var_r"], d["median_r"]]
                )  # fmt: skip
            else:
                r12 = c[0, 1] / np.sqrt(c[0, 0] * c[1, 1])
                drop_rows.append([r12, r12, r12**2, r12, math.nan, math.nan, math.nan, math.nan])
        alpha_drop = pd.DataFrame(
            drop_rows,
            index=pd.Index(items, name="item"),
            columns=["raw_alpha", "std.alpha", "G6(smc)", "average_r", "S/N", "alpha se", "var.r", "med.r"],
        )
        # item statistics
        answered = ~np.isnan(x)
        score = np.where(answered, x, 0).sum(axis=1) / answered.sum(axis=1)
        sd = np.sqrt(var)
        r = c / np.outer(sd, sd)
        raw_r = []
        for i in range(k):
            ok = answered[:, i]
            raw_r.append(float(np.corrcoef(x[ok, i], score[ok])[0, 1]) if ok.sum() > 1 else math.nan)
        std_r = r.sum(axis=0) / np.sqrt(r.sum())  # NaN, not an error, when the sums are negative
        rc = r.copy()
        np.fill_diagonal(rc, _smc(r) if np.all(np.isfinite(r)) else np.nan)
        r_cor = rc.sum(axis=0) / np.sqrt(rc.sum())
        colsum = c.sum(axis=0)
        r_drop = (colsum - var) / np.sqrt(var * (c.sum() - 2 * colsum + var))
        item_stats = pd.DataFrame(
            {
                "n": answered.sum(axis=0).astype(np.int64),
                "raw.r": raw_r,
                "std.r": std_r,
                "r.cor": r_cor,
                "r.drop": r_drop,
                "mean": np.nanmean(x, axis=0),
                "sd": np.nanstd(x, axis=0, ddof=1),
            },
            index=pd.Index(items, name="item"),
        )
    return AlphaResult(
        raw_alpha=tot["raw_alpha"],
        std_alpha=tot["std_alpha"],
        g6=tot["g6"],
        average_r=tot["average_r"],
        median_r=tot["median_r"],
        s_n=tot["s_n"],
        ase=math.sqrt(tot["q"] / n) if tot["q"] >= 0 else math.nan,
        ci_low=lo,
        ci_high=hi,
        ci_level=ci,
        mean=float(score.mean()),
        sd=float(score.std(ddof=1)),
        n=int(n),
        k=int(k),
        nan_policy=nan_policy,
        alpha_drop=alpha_drop,
        item_stats=item_stats,
        response_freq=_response_freq(x, items, max_categories),
    )


def item_analysis(
    data: pd.DataFrame,
    items: Sequence[str] | None = None,
    nan_policy: str = "pairwise",
    max_categories: int = 10,
) -> pd.DataFrame:
    """Tidy item table of one scale: item statistics, alpha if deleted, response shares.

    Parameters
    ----------
    data, items, nan_policy, max_categories
        As in :func:`cronbach_alpha`.

    Returns
    -------
    pandas.DataFrame
        One row per item: ``item, n, raw.r, std.r, r.cor, r.drop, mean, sd,
        alpha_if_deleted, std_alpha_if_deleted, g6_if_deleted, average_r_if_deleted, …``
        followed by ``freq_<category>`` columns and ``freq_miss``.

    Notes
    -----
    The same numbers as ``psych::alpha``'s ``$item.stats``, ``$alpha.drop`` and
    ``$response.freq`` (see :func:`cronbach_alpha` for formulas and references).

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 2, 3, 5, 5], "c": [1, 3, 3, 4, 4]})
    >>> item_analysis(df)["r.drop"].round(2).tolist()
    [0.97, 0.9, 0.87]
    """
    return cronbach_alpha(data, items, nan_policy=nan_policy, max_categories=max_categories).item_table


# --------------------------------------------------------------------------- per group
def _group_pairwise_cov(
    codes: np.ndarray, n_groups: int, x: np.ndarray
) -> np.ndarray:
    """Per-group pairwise-complete covariance matrices (G, k, k) from bincount sums.

    For each item pair (a, b) the sums over rows with both present are accumulated per group:
    n_ab, Σx_a, Σx_b, Σx_a·x_b (after centring each item on its overall mean), and
    cov_ab = (Σx_a x_b − Σx_a Σx_b / n_ab)/(n_ab − 1). That is k(k+1)/2 × 4 bincounts,
    independent of the number of groups.
    """
    k = x.shape[1]
    m = ~np.isnan(x)
    cnt = m.sum(axis=0)
    center = np.where(cnt > 0, np.where(m, x, 0.0).sum(axis=0) / np.maximum(cnt, 1), 0.0)
    x0 = np.where(m, x - center, 0.0)
    cov = np.full((n_groups, k, k), np.nan)
    for a in range(k):
        for b in range(a, k):
            both = (m[:, a] & m[:, b]).astype(float)
            nab = np.bincount(codes, weights=both, minlength=n_groups)
            xa = x0[:, a] * both
            xb = x0[:, b] * both
            sa = np.bincount(codes, weights=xa, minlength=n_groups)
            sb = np.bincount(codes, weights=xb, minlength=n_groups) if a != b else sa
            sab = np.bincount(codes, weights=xa * xb, minlength=n_groups)
            with np.errstate(invalid="ignore", divide="ignore"):
                v = np.where(nab > 1, (sab - sa * sb / nab) / (nab - 1), np.nan)
            cov[:, a, b] = v
            cov[:, b, a] = v
    return cov


def reliability_by_group(
    data: pd.DataFrame,
    scales: Mapping[str, Sequence[str]],
    group: str | Sequence[str] | None = None,
    nan_policy: str = "pairwise",
    min_n: int = 5,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Cronbach's alpha per (group, scale), vectorised over groups.

    Parameters
    ----------
    data : pandas.DataFrame
        Respondent-level wide frame (reverse-keyed items already reversed).
    scales : mapping of str to sequence of str
        Scale name -> item columns.
    group : str, sequence of str or None
        Grouping column(s) (``"ags"``, ``"role"``, ``["ags", "role"]``); ``None`` = all rows.
    nan_policy : {"pairwise", "listwise"}
        As in :func:`cronbach_alpha`.
    min_n : int, default 5
        Groups with fewer respondents get NaN statistics and ``below_min_n=True`` (alpha from
        a handful of people is meaningless, and small cells are suppressed anyway).
    ci : float
        Level of the Feldt interval.

    Returns
    -------
    pandas.DataFrame
        One row per (group, scale): group columns, ``scale, n, k, raw_alpha, std_alpha, g6,
        average_r, s_n, ase, ci_low, ci_high, mean, sd, below_min_n``. Same definitions as
        :func:`cronbach_alpha` (``group=None`` reproduces it exactly).

    Notes
    -----
    Approach: for every scale the per-group pairwise covariance matrices C_g are built from
    k(k+1)/2 item pairs × 4 :func:`numpy.bincount` sums over all rows (see
    ``_group_pairwise_cov``); all statistics are then array operations on the stacked
    (G, k, k) matrices (``np.linalg.pinv`` on the stack for G6). Cost is O(N·k²) per scale,
    independent of the number of groups; no Python loop over groups. Groups in which an item has
    zero variance get NaN for the standardised statistics.

    Examples
    --------
    >>> df = pd.DataFrame({"g": ["x"] * 5 + ["y"] * 5,
    ...                    "a": [1, 2, 3, 4, 5, 2, 3, 3, 4, 5], "b": [2, 2, 3, 5, 5, 1, 3, 4, 4, 5]})
    >>> reliability_by_group(df, {"S": ["a", "b"]}, "g")["raw_alpha"].round(3).tolist()
    [0.968, 0.925]
    """
    if not scales:
        raise analysis_error("no_scales")
    check_choice(nan_policy, "nan_policy", ("pairwise", "listwise"))
    codes, keys = group_codes(data, group)
    G = len(keys)
    frames = []
    for name, its in scales.items():
        its = list(its)
        if len(its) < 2:
            raise analysis_error("too_few_items", scope=name, what=f"Alpha ({name})", needed=2, k=len(its))
        x = numeric_matrix(data, its)
        answered = ~np.isnan(x)
        rows = answered.all(axis=1) if nan_policy == "listwise" else answered.any(axis=1)
        rows &= codes >= 0
        xg, cg = x[rows], codes[rows]
        k = len(its)
        cov = _group_pairwise_cov(cg, G, xg)
        n = np.bincount(cg, minlength=G).astype(float)
        # scale score moments per group
        ans = ~np.isnan(xg)
        score = np.where(ans, xg, 0.0).sum(axis=1) / ans.sum(axis=1)
        s_center = score.mean() if score.size else 0.0
        d = score - s_center
        s1 = np.bincount(cg, weights=d, minlength=G)
        s2 = np.bincount(cg, weights=d * d, minlength=G)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = s_center + s1 / n
            sd = np.sqrt(np.maximum(s2 - s1**2 / n, 0.0) / (n - 1))
            diag = np.diagonal(cov, axis1=1, axis2=2)
            tr = diag.sum(axis=1)
            tot = cov.sum(axis=(1, 2))
            raw = (1 - tr / tot) * k / (k - 1)
            sdv = np.sqrt(diag)
            r = cov / (sdv[:, :, None] * sdv[:, None, :])
            sum_r = r.sum(axis=(1, 2))
            std = (1 - k / sum_r) * k / (k - 1)
            avr = (sum_r - k) / (k * (k - 1))
            sn = k * avr / (1 - avr)
            cc = cov @ cov
            trcc = np.trace(cc, axis1=1, axis2=2)
            q = (2 * k**2 / ((k - 1) ** 2 * tot**3)) * (tot * (trcc + tr**2) - 2 * tr * cc.sum(axis=(1, 2)))
            ase = np.sqrt(q / n)
            good = np.all(np.isfinite(r), axis=(1, 2)) & (n >= max(min_n, 2))
            g6 = np.full(G, np.nan)
            if good.any():
                inv = np.linalg.pinv(r[good])
                smc = 1 - 1 / np.diagonal(inv, axis1=1, axis2=2)
                g6[good] = 1 - (k - smc.sum(axis=1)) / sum_r[good]
            a = 1 - ci
            df1 = n - 1
            df2 = df1 * (k - 1)
            lo = 1 - (1 - raw) * stats.f.isf(a / 2, df1, df2)
            hi = 1 - (1 - raw) * stats.f.isf(1 - a / 2, df1, df2)
        small = n < max(min_n, 2)
        out = keys.copy()
        out["scale"] = name
        out["n"] = n.astype(np.int64)
        out["k"] = k
        for col, val in (
            ("raw_alpha", raw), ("std_alpha", std), ("g6", g6), ("average_r", avr), ("s_n", sn),
            ("ase", ase), ("ci_low", lo), ("ci_high", hi), ("mean", mean), ("sd", sd),
        ):  # fmt: skip
            out[col] = np.where(small, np.nan, val)
        out["below_min_n"] = small
        frames.append(out)
    return pd.concat(frames, ignore_index=True)


# --------------------------------------------------------------------------- omega
@dataclass(frozen=True, eq=False)
class OmegaResult:
    """McDonald's omega of one scale from a one-factor model fitted by maximum likelihood.

    Attributes
    ----------
    omega_total : float
        (Σλ)² / ((Σλ)² + Σθ), model-implied denominator (``semTools::reliability`` "omega").
    omega_obs : float
        (Σλ)² / 1ᵀS1, observed-variance denominator (``semTools::compRelSEM`` default).
    ave : float
        Average variance extracted Σλ² / (Σλ² + Σθ) (Fornell & Larcker 1981; ``semTools::AVE``).
    loadings : pandas.DataFrame
        Index = item: ``loading`` (unstandardised, factor variance 1), ``std_loading``,
        ``residual_variance``, ``heywood`` (uniqueness at its lower bound).
    chi2, df, p : float
        Likelihood-ratio test of the one-factor model (n·F_ML; df = k(k+1)/2 − 2k; NaN if
        df = 0, i.e. three items, which are just identified).
    n, k : int
    ci_low, ci_high : float
        Percentile bootstrap CI of omega_total (NaN unless ``n_boot > 0``).
    converged : bool
    mixed_signs : bool
        Loadings of both signs: ω is then no reliability (an item is probably keyed the wrong
        way); an :class:`~analysis.notes.AnalysisWarning` (``omega_mixed_signs``) names the items.
    """

    omega_total: float
    omega_obs: float
    ave: float
    loadings: pd.DataFrame
    chi2: float
    df: int
    p: float
    n: int
    k: int
    ci_low: float
    ci_high: float
    ci_level: float
    n_boot: int
    converged: bool
    mixed_signs: bool = False

    @property
    def summary(self) -> pd.DataFrame:
        """One-row table: omega_total, omega_obs, AVE, the model test, the bootstrap CI, n and k."""
        return pd.DataFrame(
            [
                {
                    "omega_total": self.omega_total,
                    "omega_obs": self.omega_obs,
                    "ave": self.ave,
                    "chi2": self.chi2,
                    "df": self.df,
                    "p": self.p,
                    "ci_low": self.ci_low,
                    "ci_high": self.ci_high,
                    "n": self.n,
                    "k": self.k,
                }
            ]
        )


def _fit_one_factor(s: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, bool]:
    """ML one-factor model for covariance ``s``: (loadings, uniquenesses, F_min, converged).

    Jöreskog's (1967) profile method as in R ``stats::factanal``: for given uniquenesses Ψ the
    ML loadings are the first eigenvector of Ψ^{-1/2} R Ψ^{-1/2} scaled by √(e₁ − 1); Ψ is found
    with L-BFGS-B (bounds [0.005, 1] on the correlation scale) using the analytic gradient.
    The fit is done on the correlation matrix and rescaled (ML is scale invariant).
    """
    sd = np.sqrt(np.diag(s))
    r = s / np.outer(sd, sd)
    k = r.shape[0]
    logdet_r = np.linalg.slogdet(r)[1]

    def load(psi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        sc = 1 / np.sqrt(psi)
        e, v = np.linalg.eigh(r * np.outer(sc, sc))
        e, v = e[::-1], v[:, ::-1]
        lam = np.sqrt(psi) * v[:, 0] * math.sqrt(max(e[0] - 1, 0.0))
        return lam, e

    def fun(psi: np.ndarray) -> float:
        _, e = load(psi)
        rest = e[1:]
        return float(-(np.sum(np.log(rest) - rest) - 1 + k))

    def grad(psi: np.ndarray) -> np.ndarray:
        lam, _ = load(psi)
        g = np.outer(lam, lam) + np.diag(psi) - r
        return np.diag(g) / psi**2

    try:
        start = (1 - 0.5 / k) / np.diag(np.linalg.inv(r))
    except np.linalg.LinAlgError:
        start = np.full(k, 0.5)
    start = np.clip(start, 0.005, 1.0)
    res = optimize.minimize(
        fun, start, jac=grad, method="L-BFGS-B", bounds=[(0.005, 1.0)] * k,
        options={"maxiter": 1000, "ftol": 1e-14, "gtol": 1e-10},
    )  # fmt: skip
    psi = res.x
    lam, _ = load(psi)
    free = (psi > 0.005 + 1e-9) & (psi < 1 - 1e-9)
    converged = bool(res.success or np.max(np.abs(grad(psi)[free]), initial=0.0) < 1e-6)
    if lam.sum() < 0:
        lam = -lam
    sigma = np.outer(lam, lam) + np.diag(psi)
    fmin = float(np.linalg.slogdet(sigma)[1] + np.trace(r @ np.linalg.inv(sigma)) - logdet_r - k)
    return lam * sd, psi * sd**2, max(fmin, 0.0), converged


def _checked_covariance(x: np.ndarray, items: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """ML covariance (divisor n) for factor models; a pair never answered together or a constant
    item raises :class:`AnalysisError` naming the items."""
    s, nij = pairwise_covariance(x)
    if np.isnan(s).any():
        raise analysis_error("pairs_never_together", pairs=_never_together(items, s))
    if np.any(np.diag(s) <= 0):
        raise analysis_error("item_constant", items=items_text(items[i] for i in np.nonzero(np.diag(s) <= 0)[0]))
    n = x.shape[0]
    return s * (n - 1) / n, nij


def _omega_from_cov(s: np.ndarray) -> tuple[float, float, float, np.ndarray, np.ndarray, float, bool]:
    lam, theta, fmin, ok = _fit_one_factor(s)
    num = lam.sum() ** 2
    om_tot = num / (num + theta.sum())
    om_obs = num / s.sum()
    ave = float((lam**2).sum() / ((lam**2).sum() + theta.sum()))
    return float(om_tot), float(om_obs), ave, lam, theta, fmin, ok


def mcdonald_omega(
    data: pd.DataFrame,
    items: Sequence[str] | None = None,
    nan_policy: str = "pairwise",
    n_boot: int = 0,
    ci: float = 0.95,
    seed: int | None = 0,
) -> OmegaResult:
    """McDonald's omega (total) of one scale from a one-factor (congeneric) ML model.

    Parameters
    ----------
    data : pandas.DataFrame
        Wide frame (reverse-keyed items already reversed).
    items : sequence of str, optional
        Item columns (default: all numeric columns); at least 3.
    nan_policy : {"pairwise", "listwise"}
        Covariance used for the fit. Pairwise covariance with ML is a pragmatic estimator
        (not FIML); with listwise deletion the fit equals lavaan's ML CFA on complete cases.
    n_boot : int, default 0
        Bootstrap resamples (respondents) for a percentile CI of ``omega_total``.
    ci : float
        CI level.
    seed : int or None
        Seed of the bootstrap.

    Returns
    -------
    OmegaResult

    Notes
    -----
    Model: x = μ + λ·f + e, Var(f) = 1, Cov(e) = Θ diagonal, fitted by maximum likelihood to the
    sample covariance S with divisor n (lavaan's ML convention):
    F_ML = log|Σ| + tr(SΣ⁻¹) − log|S| − k, Σ = λλᵀ + Θ, minimised by Jöreskog's profile method
    (as ``stats::factanal``/``psych::fa(fm="ml")``).

    * ω_total = (Σλ)² / ((Σλ)² + Σθ) (McDonald 1999), model-implied variance;
    * ω_obs = (Σλ)² / 1ᵀS1 (Raykov 1997; ``semTools::compRelSEM(obs.var=TRUE)``);
    * AVE = Σλ² / (Σλ² + Σθ) (Fornell & Larcker 1981).

    With three items the one-factor model is just identified: λ_i² = s_ij·s_ik/s_jk exactly and
    ω_total = ω_obs. Checked against that closed form, against the generating loadings of
    simulated congeneric data, and against ``semTools::compRelSEM``/``AVE`` on Holzinger &
    Swineford (1939) (RV5; per-factor one-factor fits differ from the three-factor CFA by
    < 0.01, see the tests).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> f = rng.normal(size=2000)
    >>> df = pd.DataFrame({f"i{j}": l * f + rng.normal(size=2000)
    ...                    for j, l in enumerate([0.5, 1.0, 1.5, 2.0])})
    >>> round(mcdonald_omega(df).omega_total, 2)  # truth 25/29 = 0.86
    0.86
    """
    items, x = _prepare(data, items, nan_policy, min_items=3, what="Omega")
    n, k = x.shape
    s, _ = _checked_covariance(x, items)
    om_tot, om_obs, ave, lam, theta, fmin, ok = _omega_from_cov(s)
    mixed = bool((lam < 0).any() and (lam > 0).any())
    if mixed:
        warn("omega_mixed_signs", items=items_text(i for i, v in zip(items, lam, strict=True) if v < 0),
             omega=number(om_tot))
    if not ok:
        warn("omega_not_converged")
    df = k * (k + 1) // 2 - 2 * k
    chi2 = n * fmin if df > 0 else math.nan
    p = float(stats.chi2.sf(chi2, df)) if df > 0 else math.nan
    lo = hi = math.nan
    if n_boot > 0:
        rng = np.random.default_rng(seed)
        boots = np.empty(n_boot)
        for b in range(n_boot):
            xb = x[rng.integers(0, n, n)]
            sb, _ = pairwise_covariance(xb)
            if np.isnan(sb).any() or np.any(np.diag(sb) <= 0):
                boots[b] = np.nan
                continue
            boots[b] = _omega_from_cov(sb * (n - 1) / n)[0]
        lo, hi = (float(v) for v in np.nanquantile(boots, [(1 - ci) / 2, 1 - (1 - ci) / 2]))
    sd = np.sqrt(np.diag(s))
    loadings = pd.DataFrame(
        {
            "loading": lam,
            "std_loading": lam / sd,
            "residual_variance": theta,
            "heywood": theta / np.diag(s) <= 0.005 + 1e-6,
        },
        index=pd.Index(items, name="item"),
    )
    return OmegaResult(
        omega_total=om_tot,
        omega_obs=om_obs,
        ave=ave,
        loadings=loadings,
        chi2=float(chi2),
        df=int(df),
        p=p,
        n=int(n),
        k=int(k),
        ci_low=lo,
        ci_high=hi,
        ci_level=ci,
        n_boot=int(n_boot),
        converged=ok,
        mixed_signs=mixed,
    )


# --------------------------------------------------------------------------- omega from a CFA
@dataclass(frozen=True, eq=False)
class CFAOmegaResult:
    """Omega per factor from an independent-clusters CFA (correlated factors), ML.

    Attributes
    ----------
    summary : pandas.DataFrame
        One row per factor: ``factor, k, omega_total, omega_obs, ave``.
    loadings : pandas.DataFrame
        One row per item: ``item, factor, loading, std_loading, residual_variance``.
    factor_correlations : pandas.DataFrame
        Estimated factor correlation matrix Φ.
    chi2, df, p : float
        Likelihood-ratio test of the model (n·F_ML, as lavaan's ML test statistic).
    n : int
    converged : bool
    """

    summary: pd.DataFrame
    loadings: pd.DataFrame
    factor_correlations: pd.DataFrame
    chi2: float
    df: int
    p: float
    n: int
    converged: bool


def _fit_cfa(s: np.ndarray, assign: np.ndarray, n_factors: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, bool]:
    """ML fit of Σ = ΛΦΛᵀ + Θ, each item loading on one factor, Var(factor) = 1.

    Parameters are the k loadings, the factor correlations (bounded to (−1, 1)) and the k
    residual variances; F_ML is minimised by L-BFGS-B with the analytic gradient
    ∂F/∂Σ = Σ⁻¹(Σ − S)Σ⁻¹ (chain rule to Λ, Φ, Θ). Start values from one-factor fits per factor.
    """
    k = s.shape[0]
    logdet_s = np.linalg.slogdet(s)[1]
    tri = np.tril_indices(n_factors, -1)
    lam0 = np.zeros(k)
    th0 = np.zeros(k)
    for f in range(n_factors):
        idx = np.nonzero(assign == f)[0]
        if idx.size >= 3:
            lam_f, th_f, _, _ = _fit_one_factor(s[np.ix_(idx, idx)])
        else:
            lam_f = np.sqrt(np.diag(s)[idx] * 0.5)
            th_f = np.diag(s)[idx] * 0.5
        lam0[idx], th0[idx] = lam_f, th_f
    sd = np.sqrt(np.diag(s))
    rows = np.arange(k)

    def unpack(p: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        lam = p[:k]
        phi = np.eye(n_factors)
        phi[tri] = p[k : k + len(tri[0])]
        phi = phi + np.tril(phi, -1).T
        theta = p[k + len(tri[0]) :]
        return lam, phi, theta

    def sigma_of(lam: np.ndarray, phi: np.ndarray, theta: np.ndarray) -> np.ndarray:
        big = np.zeros((k, n_factors))
        big[rows, assign] = lam
        return big @ phi @ big.T + np.diag(theta), big

    def fun_grad(p: np.ndarray) -> tuple[float, np.ndarray]:
        lam, phi, theta = unpack(p)
        sig, big = sigma_of(lam, phi, theta)
        sign, logdet = np.linalg.slogdet(sig)
        if sign <= 0:
            return 1e10, np.zeros_like(p)
        inv = np.linalg.inv(sig)
        f = logdet + np.trace(s @ inv) - logdet_s - k
        om = inv @ (sig - s) @ inv
        g_big = 2 * om @ big @ phi
        g_lam = g_big[rows, assign]
        g_phi = big.T @ om @ big
        g_phi_off = 2 * g_phi[tri]
        g_theta = np.diag(om)
        return float(f), np.concatenate([g_lam, g_phi_off, g_theta])

    p0 = np.concatenate([lam0, np.full(len(tri[0]), 0.3), th0])
    bounds = [(None, None)] * k + [(-0.999, 0.999)] * len(tri[0]) + [(1e-6 * v**2, None) for v in sd]
    res = optimize.minimize(
        fun_grad, p0, jac=True, method="L-BFGS-B", bounds=bounds,
        options={"maxiter": 5000, "ftol": 1e-15, "gtol": 1e-9},
    )  # fmt: skip
    lam, phi, theta = unpack(res.x)
    for f in range(n_factors):  # identify the sign: positive loading sum per factor
        idx = assign == f
        if lam[idx].sum() < 0:
            lam[idx] = -lam[idx]
            phi[f, :] *= -1
            phi[:, f] *= -1
    _, g = fun_grad(res.x)
    ok = bool(res.success or np.max(np.abs(g)) < 1e-5)
    return lam, phi, theta, max(float(res.fun), 0.0), ok


def mcdonald_omega_cfa(
    data: pd.DataFrame,
    factors: Mapping[str, Sequence[str]],
    nan_policy: str = "listwise",
) -> CFAOmegaResult:
    """Omega for several scales at once from a correlated-factors CFA (ML), as semTools does.

    Parameters
    ----------
    data : pandas.DataFrame
        Wide frame (reverse-keyed items already reversed).
    factors : mapping of str to sequence of str
        Factor (scale) name -> its items; each item loads on exactly one factor, factors are
        correlated, variances fixed to 1 (lavaan ``std.lv=TRUE`` parametrisation; ω does not
        depend on it).
    nan_policy : {"listwise", "pairwise"}, default "listwise"
        Complete cases (what ``lavaan::cfa`` does by default) or pairwise covariance.

    Returns
    -------
    CFAOmegaResult

    Notes
    -----
    F_ML = log|Σ| + tr(SΣ⁻¹) − log|S| − k with S the covariance with divisor n (lavaan ML).
    Per factor f with loadings λ_f and residual variances θ_f:
    ω_total = (Σλ_f)²/((Σλ_f)² + Σθ_f), ω_obs = (Σλ_f)²/1ᵀS_f1 (``semTools::compRelSEM``
    default), AVE = Σλ_f²/(Σλ_f² + Σθ_f) (``semTools::AVE``).

    Checked against lavaan's ``cfa(HS.model)`` on Holzinger & Swineford (1939) (χ² 85.306 on
    24 df, loadings) and semTools' compRelSEM/AVE (RV5).

    Examples
    --------
    >>> hs = pd.read_csv("tests/data/holzinger_swineford1939.csv")  # doctest: +SKIP
    >>> res = mcdonald_omega_cfa(hs, {"visual": ["x1", "x2", "x3"],
    ...                               "textual": ["x4", "x5", "x6"],
    ...                               "speed": ["x7", "x8", "x9"]})  # doctest: +SKIP
    >>> res.summary["omega_obs"].round(3).tolist()  # doctest: +SKIP
    [0.612, 0.885, 0.686]
    """
    if not factors:
        raise analysis_error("no_scales")
    names = list(factors)
    items: list[str] = []
    assign_l: list[int] = []
    for f, its in enumerate(factors.values()):
        its = list(its)
        if len(its) < 2:
            raise analysis_error("too_few_items", scope=names[f], what=f"CFA ({names[f]})", needed=2, k=len(its))
        items.extend(its)
        assign_l.extend([f] * len(its))
    if len(set(items)) != len(items):
        raise analysis_error("item_in_several_factors")
    items, x = _prepare(data, items, nan_policy, min_items=3, what="CFA")
    n, k = x.shape
    s, _ = _checked_covariance(x, items)
    assign = np.asarray(assign_l)
    lam, phi, theta, fmin, ok = _fit_cfa(s, assign, len(names))
    rows = []
    for f, name in enumerate(names):
        idx = assign == f
        num = lam[idx].sum() ** 2
        rows.append(
            {
                "factor": name,
                "k": int(idx.sum()),
                "omega_total": num / (num + theta[idx].sum()),
                "omega_obs": num / s[np.ix_(idx, idx)].sum(),
                "ave": (lam[idx] ** 2).sum() / ((lam[idx] ** 2).sum() + theta[idx].sum()),
            }
        )
    n_par = k + len(names) * (len(names) - 1) // 2 + k
    df = k * (k + 1) // 2 - n_par
    chi2 = n * fmin
    sd = np.sqrt(np.diag(s))
    loadings = pd.DataFrame(
        {
            "item": items,
            "factor": [names[a] for a in assign],
            "loading": lam,
            "std_loading": lam / sd,
            "residual_variance": theta,
        }
    )
    return CFAOmegaResult(
        summary=pd.DataFrame(rows),
        loadings=loadings,
        factor_correlations=pd.DataFrame(phi, index=names, columns=names),
        chi2=float(chi2),
        df=int(df),
        p=float(stats.chi2.sf(chi2, df)) if df > 0 else math.nan,
        n=int(n),
        converged=ok,
    )
