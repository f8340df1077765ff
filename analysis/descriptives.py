"""Descriptive tables per municipality (or any group): means with CIs, shrunken means, Likert frequencies.

All tables pass the small-cell rule (:func:`analysis.small_cells.suppress_small_groups`): a group with
fewer than ``min_n`` valid answers keeps its label but no statistic. Per-group work uses group
sums (``numpy.bincount`` / pandas groupby); loops run over items, never over groups.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, stats

from .input_checks import as_list, check_choice, check_columns, check_level, factorize_groups, numeric_column
from .notes import analysis_error
from .small_cells import DEFAULT_MIN_N, suppress_small_groups

__all__ = [
    "VarianceComponents",
    "likert_frequencies",
    "municipality_summary",
    "oneway_variance_components",
    "share_agree",
]

MISSING_LABEL = "fehlend / missing"


# --------------------------------------------------------------------------- variance components
@dataclass(frozen=True)
class VarianceComponents:
    """Variance components of a one-way random-intercept model y_ij = γ + u_j + e_ij.

    Attributes
    ----------
    tau2 : float
        Between-group variance τ² = Var(u_j).
    sigma2 : float
        Within-group (residual) variance σ².
    gamma : float
        GLS estimate of γ, the mean of the group means.
    method : str
        ``"reml"`` or ``"anova"``.
    """

    tau2: float
    sigma2: float
    gamma: float
    method: str

    @property
    def icc(self) -> float:
        """τ²/(τ² + σ²)."""
        return self.tau2 / (self.tau2 + self.sigma2)


def _gls_mean(n: np.ndarray, ybar: np.ndarray, tau2: float, sigma2: float) -> float:
    w = 1.0 / (tau2 + sigma2 / n) if np.all(tau2 + sigma2 / n > 0) else (tau2 + sigma2 / n <= 0).astype(float)
    return float(np.sum(w * ybar) / np.sum(w))


def oneway_variance_components(
    n: np.ndarray, ybar: np.ndarray, ssw: float, method: str = "reml"
) -> VarianceComponents:
    r"""Between (τ²) and within (σ²) variance of y_ij = γ + u_j + e_ij from group sums.

    Parameters
    ----------
    n, ybar : numpy.ndarray
        Group sizes and group means.
    ssw : float
        Pooled within-group sum of squares Σ_j Σ_i (y_ij − ȳ_j)².
    method : {"reml", "anova"}
        * ``anova`` (moments; Searle, Casella & McCulloch 1992): σ² = MSW,
          τ² = max(0, (MSB − MSW)/n₀) with n₀ = (N − Σn_j²/N)/(G − 1).
        * ``reml``: profiled restricted likelihood in ρ = τ²/σ² (Harville 1977). With
          a_j = 1/n_j + ρ, γ̂(ρ) = Σ(ȳ_j/a_j)/Σ(1/a_j), Q(ρ) = SSW + Σ(ȳ_j − γ̂)²/a_j:
          −2ℓ_R(ρ) = (N − 1) log Q(ρ) + Σ log(1 + n_j ρ) + log Σ(1/a_j) + const, σ̂² = Q/(N − 1).
          Matches statsmodels ``MixedLM(reml=True)`` and lme4 ``lmer`` (checked on Dyestuff).

    Returns
    -------
    VarianceComponents
        ``tau2, sigma2, gamma`` (GLS mean Σw_jȳ_j/Σw_j, w_j = 1/(τ² + σ²/n_j)) and ``method``.
    """
    n = np.asarray(n, dtype=float)
    ybar = np.asarray(ybar, dtype=float)
    N, G = n.sum(), len(n)
    if G < 2:
        raise analysis_error("too_few_groups", n=G, needed=2, variable="y")
    if N - G <= 0:
        raise analysis_error("too_few_per_group", test=("Varianzkomponenten", "variance components"), needed=2)
    if method == "anova":
        msw = ssw / (N - G)
        grand = np.sum(n * ybar) / N
        msb = np.sum(n * (ybar - grand) ** 2) / (G - 1)
        n0 = (N - np.sum(n**2) / N) / (G - 1)
        tau2 = max(0.0, (msb - msw) / n0)
        return VarianceComponents(float(tau2), float(msw), _gls_mean(n, ybar, tau2, msw), "anova")
    check_choice(method, "method", ("reml", "anova"))

    def crit(rho: float) -> tuple[float, float, float]:
        inv_a = 1.0 / (1.0 / n + rho)
        g = np.sum(inv_a * ybar) / np.sum(inv_a)
        Q = ssw + np.sum(inv_a * (ybar - g) ** 2)
        val = (N - 1) * np.log(Q) + np.sum(np.log1p(n * rho)) + np.log(np.sum(inv_a))
        return float(val), float(Q), float(g)

    grid = np.linspace(-20, 8, 57)
    vals = np.array([crit(np.exp(t))[0] for t in grid])
    i = int(np.argmin(vals))
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
    res = optimize.minimize_scalar(
        lambda t: crit(np.exp(t))[0], bounds=(lo, hi), method="bounded", options={"xatol": 1e-10}
    )
    rho = float(np.exp(res.x))
    if crit(0.0)[0] <= res.fun:
        rho = 0.0
    _, Q, g = crit(rho)
    sigma2 = Q / (N - 1)
    return VarianceComponents(rho * sigma2, sigma2, g, "reml")


# --------------------------------------------------------------------------- municipality_summary
def municipality_summary(
    data: pd.DataFrame,
    dv: str | Sequence[str],
    group: str = "ags",
    ci: float = 0.95,
    min_n: int = DEFAULT_MIN_N,
    label_cols: Sequence[str] = (),
    shrinkage: str = "reml",
    suppress: bool = True,
) -> pd.DataFrame:
    r"""Per group and outcome: n, mean, SD, SE, t-based CI and empirical-Bayes shrunken mean.

    Parameters
    ----------
    data : pandas.DataFrame
        Respondent-level tidy data (e.g. ``Dataset.analysis_frame()`` plus scale scores).
    dv : str or sequence of str
        Outcome column(s); each is summarised on its own valid answers.
    group : str, default "ags"
        Grouping column.
    ci : float, default 0.95
        Confidence level of the mean's interval.
    min_n : int, default 5
        Small-cell rule: groups with fewer valid answers keep only their labels.
    label_cols : sequence of str
        Group-level columns to carry along (first value per group, e.g. ``name``, ``district``).
    shrinkage : {"reml", "anova"}, default "reml"
        Estimator of τ² and σ² (:func:`oneway_variance_components`). REML reproduces lme4/statsmodels
        ``fixef + ranef`` (BLUP) exactly; ANOVA moments match Bliese's ICC(1) decomposition.
    suppress : bool, default True
        Apply the small-cell rule. Switch off only for internal computations.

    Returns
    -------
    pandas.DataFrame
        One row per group and outcome: ``<group>, <label_cols>, variable, n, mean, sd, se, ci_low,
        ci_high, eb_mean, eb_lambda, eb_sd, eb_tau2, eb_sigma2, eb_gamma, suppressed``.

    Notes
    -----
    * se = sd/√n; CI = ȳ_j ± t_{(1+ci)/2, n_j − 1}·se (undefined for n_j = 1).
    * Empirical Bayes (Raudenbush & Bryk 2002, eq. 3.56): λ_j = τ²/(τ² + σ²/n_j),
      EB_j = λ_j ȳ_j + (1 − λ_j) γ̂, with the posterior SD √(λ_j σ²/n_j) (conditional on τ², σ², γ̂).
      The estimation uses all groups, including the small ones later suppressed. Shrunken means
      must be labelled as such; they are better than raw means for ranking-like displays.

    Examples
    --------
    >>> df = pd.DataFrame({"ags": np.repeat(["01", "02", "03"], [6, 8, 2]),
    ...                    "score": [3, 4, 4, 5, 3, 4, 2, 3, 2, 2, 3, 1, 2, 3, 5, 5]})
    >>> t = municipality_summary(df, "score")
    >>> t["mean"].round(3).tolist()[:2], bool(t["suppressed"].iloc[2])
    ([3.833, 2.25], True)
    """
    dvs = as_list(dv)
    check_columns(data, [*dvs, group, *label_cols])
    check_level(ci)
    frames = []
    for col in dvs:  # loop over outcomes; all group work is vectorised
        y_all = numeric_column(data[col], col)
        keep = ~np.isnan(y_all) & data[group].notna().to_numpy()
        y = y_all[keep]
        codes, labels = factorize_groups(data.loc[keep, group])
        G = len(labels)
        if G == 0:
            raise analysis_error("no_valid_values", scope=col, column=col)
        n = np.bincount(codes, minlength=G).astype(float)
        mean = np.bincount(codes, weights=y, minlength=G) / n
        dev2 = np.bincount(codes, weights=(y - mean[codes]) ** 2, minlength=G)
        with np.errstate(invalid="ignore", divide="ignore"):
            var = np.where(n > 1, dev2 / (n - 1), np.nan)
            sd = np.sqrt(var)
            se = sd / np.sqrt(n)
            tq = stats.t.ppf(0.5 + ci / 2, np.where(n > 1, n - 1, np.nan))
        out = pd.DataFrame({group: labels})
        if label_cols:
            lab = data.loc[keep, [group, *label_cols]].groupby(group, sort=True).first().reindex(labels)
            for c in label_cols:
                out[c] = lab[c].to_numpy()
        out["variable"] = col
        out["n"] = n.astype(int)
        out["mean"] = mean
        out["sd"] = sd
        out["se"] = se
        out["ci_low"] = mean - tq * se
        out["ci_high"] = mean + tq * se
        if G >= 2 and len(y) > G:
            vc = oneway_variance_components(n, mean, float(dev2.sum()), shrinkage)
            lam = vc.tau2 / (vc.tau2 + vc.sigma2 / n)
            out["eb_mean"] = lam * mean + (1 - lam) * vc.gamma
            out["eb_lambda"] = lam
            out["eb_sd"] = np.sqrt(lam * vc.sigma2 / n)
            out["eb_tau2"], out["eb_sigma2"], out["eb_gamma"] = vc.tau2, vc.sigma2, vc.gamma
        else:
            for c in ("eb_mean", "eb_lambda", "eb_sd", "eb_tau2", "eb_sigma2", "eb_gamma"):
                out[c] = np.nan
        frames.append(out)
    res = pd.concat(frames, ignore_index=True)
    if suppress:
        res = suppress_small_groups(res, n_col="n", min_n=min_n, keep=[group, *label_cols, "variable"])
    return res


# --------------------------------------------------------------------------- Likert tables
def _group_codes(data: pd.DataFrame, group: str | None) -> tuple[np.ndarray, pd.Index, np.ndarray]:
    """Group codes (−1 for missing group), labels, and the mask of rows with a group."""
    if group is None:
        return np.zeros(len(data), dtype=np.int64), pd.Index(["all"]), np.ones(len(data), dtype=bool)
    codes, labels = factorize_groups(data[group])
    return codes, labels, codes >= 0


def _category_codes(s: pd.Series, item: str, codes: Sequence[float]) -> np.ndarray:
    """Position of each answer in ``codes``; −1 for missing. Unknown codes raise."""
    vals = numeric_column(s, item)
    ref = np.asarray(codes, dtype=float)
    order = np.argsort(ref, kind="stable")
    pos = np.clip(np.searchsorted(ref[order], vals), 0, len(ref) - 1)
    cat = np.where(ref[order][pos] == vals, order[pos], -1).astype(np.int64)
    bad = (cat < 0) & ~np.isnan(vals)
    if bad.any():
        found = sorted(set(vals[bad].tolist()))[:5]
        raise analysis_error("values_outside_codes", scope=item, item=item, codes=tuple(codes), found=found)
    return cat


def likert_frequencies(
    data: pd.DataFrame,
    items: str | Sequence[str],
    group: str | None = None,
    codes: Sequence[float] = (1, 2, 3, 4, 5),
    labels: Sequence[str] | Mapping[float, str] | None = None,
    include_missing: bool = True,
    min_n: int = DEFAULT_MIN_N,
) -> pd.DataFrame:
    r"""Tidy response-frequency table: item × (group) × category counts and shares.

    Every category in ``codes`` appears for every item and group, also when nobody chose it
    (count 0), so shares can never shift into a neighbouring category (the silent error of the R
    ``likert`` package with ``grouping`` and unused levels, jbryer/likert #49, #50, #70).

    Parameters
    ----------
    data : pandas.DataFrame
        Respondent-level wide data, one column per item.
    items : str or sequence of str
        Item columns holding response codes (missing = NA, e.g. "weiß nicht").
    group : str, optional
        Grouping column (municipality, role, size class...). Rows with a missing group are left
        out of grouped tables (they still count in the ungrouped table).
    codes : sequence of numbers, default (1, 2, 3, 4, 5)
        Substantive response codes in scale order. Other values raise :class:`AnalysisError`.
    labels : sequence or mapping, optional
        Category labels (same order as ``codes``, or ``{code: label}``). Default: the code as text.
    include_missing : bool, default True
        Add one row per item and group with the missing answers (``code`` NA).
    min_n : int, default 5
        Small-cell rule on the number of valid answers of the item in the group.

    Returns
    -------
    pandas.DataFrame
        Columns ``item, [group], code, label, count, share, share_of_all, n_valid, n_missing, n,
        suppressed``. ``share`` = count / n_valid (valid answers; NA for the missing row),
        ``share_of_all`` = count / n (all respondents of the group incl. missing).

    Examples
    --------
    >>> df = pd.DataFrame({"q1": [1, 2, 2, 5, 5, 5, None], "g": list("aaaaaaa")})
    >>> t = likert_frequencies(df, "q1", include_missing=False)
    >>> t["count"].astype(int).tolist()
    [1, 2, 0, 0, 3]
    """
    items_l = as_list(items)
    check_columns(data, [*items_l, *([group] if group is not None else [])])
    codes = list(codes)
    K = len(codes)
    if K == 0 or len(set(codes)) != K:
        raise analysis_error("codes_not_unique")
    if labels is None:
        lab = [f"{c:g}" if isinstance(c, float) else str(c) for c in codes]
    elif isinstance(labels, Mapping):
        lab = [str(labels.get(c, c)) for c in codes]
    else:
        lab = [str(x) for x in labels]
        if len(lab) != K:
            raise analysis_error("labels_mismatch", n_labels=len(lab), n_codes=K)
    gcodes, glabels, has_group = _group_codes(data, group)
    G = len(glabels)
    frames = []
    for item in items_l:  # loop over items only
        cat = _category_codes(data[item], item, codes)
        slot = np.where(cat >= 0, cat, K)  # K = missing slot
        counts = np.bincount(gcodes[has_group] * (K + 1) + slot[has_group], minlength=G * (K + 1))
        counts = counts.reshape(G, K + 1)
        n_valid = counts[:, :K].sum(axis=1)
        n_miss = counts[:, K]
        n_all = n_valid + n_miss
        ncat = K + 1 if include_missing else K
        cnt = counts[:, :ncat]
        with np.errstate(invalid="ignore", divide="ignore"):
            share = cnt / n_valid[:, None]
            share_all = cnt / n_all[:, None]
        if include_missing:
            share[:, K] = np.nan
        block = pd.DataFrame(
            {
                "item": item,
                **({group: np.repeat(glabels.to_numpy(), ncat)} if group is not None else {}),
                "code": pd.array(np.tile(codes + ([pd.NA] if include_missing else []), G), dtype="Float64")
                if any(isinstance(c, float) and not float(c).is_integer() for c in codes)
                else pd.array(np.tile(codes + ([pd.NA] if include_missing else []), G), dtype="Int64"),
                "label": np.tile(lab + ([MISSING_LABEL] if include_missing else []), G),
                "count": cnt.reshape(-1),
                "share": share.reshape(-1),
                "share_of_all": share_all.reshape(-1),
                "n_valid": np.repeat(n_valid, ncat),
                "n_missing": np.repeat(n_miss, ncat),
                "n": np.repeat(n_all, ncat),
            }
        )
        frames.append(block)
    out = pd.concat(frames, ignore_index=True)
    keep = ["item", "code", "label", *([group] if group is not None else [])]
    return suppress_small_groups(out, n_col="n_valid", min_n=min_n, keep=keep)


def share_agree(
    data: pd.DataFrame,
    items: str | Sequence[str],
    group: str | None = None,
    agree: Sequence[float] = (4, 5),
    codes: Sequence[float] | None = (1, 2, 3, 4, 5),
    ci: float = 0.95,
    min_n: int = DEFAULT_MIN_N,
) -> pd.DataFrame:
    r"""Top-box share ("stimme eher zu" + "stimme voll zu") per item and group, with Wilson CI.

    Parameters
    ----------
    data : pandas.DataFrame
        Respondent-level wide data.
    items : str or sequence of str
        Item columns.
    group : str, optional
        Grouping column; rows with a missing group are left out of grouped tables.
    agree : sequence of numbers, default (4, 5)
        Codes counted as agreement (top-2 box of a 5-point scale).
    codes : sequence of numbers or None, default (1, ..., 5)
        Valid response codes; other values raise. ``None`` accepts any number.
    ci : float, default 0.95
        Level of the Wilson (1927) score interval.
    min_n : int, default 5
        Small-cell rule on the number of valid answers.

    Returns
    -------
    pandas.DataFrame
        ``item, [group], n_valid, n_agree, share, ci_low, ci_high, suppressed``.

    Notes
    -----
    share = n_agree / n_valid (missing answers excluded). Wilson interval:
    (p + z²/2n ± z√(p(1−p)/n + z²/4n²)) / (1 + z²/n); identical to statsmodels
    ``proportion_confint(method="wilson")``.

    Examples
    --------
    >>> df = pd.DataFrame({"q1": [1, 4, 5, 5, 2, 4, None]})
    >>> share_agree(df, "q1")[["n_valid", "n_agree"]].astype(int).values.tolist()
    [[6, 4]]
    """
    items_l = as_list(items)
    check_columns(data, [*items_l, *([group] if group is not None else [])])
    gcodes, glabels, has_group = _group_codes(data, group)
    G = len(glabels)
    z = stats.norm.ppf(0.5 + ci / 2)
    agree_set = [float(a) for a in agree]
    frames = []
    for item in items_l:
        if codes is not None:
            _category_codes(data[item], item, codes)  # validates codes
        vals = numeric_column(data[item], item)
        valid = ~np.isnan(vals) & has_group
        n = np.bincount(gcodes[valid], minlength=G).astype(float)
        k = np.bincount(gcodes[valid], weights=np.isin(vals[valid], agree_set).astype(float), minlength=G)
        with np.errstate(invalid="ignore", divide="ignore"):
            p = k / n
            denom = 1 + z**2 / n
            centre = (p + z**2 / (2 * n)) / denom
            half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
        block = pd.DataFrame(
            {
                "item": item,
                **({group: glabels.to_numpy()} if group is not None else {}),
                "n_valid": n.astype(int),
                "n_agree": k.astype(int),
                "share": p,
                "ci_low": centre - half,
                "ci_high": centre + half,
            }
        )
        frames.append(block)
    out = pd.concat(frames, ignore_index=True)
    return suppress_small_groups(
        out, n_col="n_valid", min_n=min_n, keep=["item", *([group] if group else [])]
    )
