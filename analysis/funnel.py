"""Funnel plots instead of league tables (Spiegelhalter 2005).

Each municipality's indicator (a mean scale score or a share, e.g. "agree" answers) is set against
its number of respondents, with control limits around a target (by default the pooled value of
all respondents). A municipality outside the 99.8 % limits differs from the target by more than
chance alone explains; ranks are never computed.

:func:`funnel_limits` is vectorised over municipalities: group sums, one vectorised binomial
quantile call for all units, no Python loop over groups.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from .input_checks import check_choice, check_columns, check_level, factorize_groups, numeric_column
from .notes import analysis_error
from .small_cells import DEFAULT_MIN_N, suppress_small_groups

__all__ = ["FunnelResult", "binomial_limits", "funnel_limits"]

Kind = Literal["mean", "proportion"]
Overdispersion = Literal["multiplicative", "additive"] | None


def _level_name(level: float) -> str:
    return f"{level * 100:g}"


def binomial_limits(
    n: np.ndarray | Sequence[int] | int, theta0: float, level: float
) -> tuple[np.ndarray, np.ndarray]:
    r"""Exact binomial funnel limits with interpolation, clipped to [0, 1].

    Parameters
    ----------
    n : int or array of int
        Denominators (respondents with a valid answer).
    theta0 : float
        Target proportion, 0 < θ0 < 1.
    level : float
        Two-sided coverage, e.g. 0.95 or 0.998 (tails (1 − level)/2 each).

    Returns
    -------
    (lower, upper) : tuple of numpy.ndarray
        Limits on the proportion scale.

    Notes
    -----
    For tail probability p: r_p is the p-quantile of Bin(n, θ0) (smallest r with F(r) ≥ p),
    α = (F(r_p) − p) / (F(r_p) − F(r_p − 1)), limit = (r_p − α)/n, then clipped to [0, 1]
    (Spiegelhalter 2005, Stat Med 24:1185, appendix). Example: n = 50, θ0 = 0.0739, 99.8 % lower
    limit −0.019 before clipping, 0 after.

    Examples
    --------
    >>> lo, hi = binomial_limits([50], 0.0739, 0.998)
    >>> float(lo[0]), round(float(hi[0]), 3)
    (0.0, 0.199)
    """
    lo, hi = _binomial_raw(np.asarray(n, dtype=float), theta0, level)
    return np.clip(lo, 0, 1), np.clip(hi, 0, 1)


def _binomial_raw(n: np.ndarray, theta0: float, level: float) -> tuple[np.ndarray, np.ndarray]:
    out = []
    for p in ((1 - level) / 2, (1 + level) / 2):
        r = stats.binom.ppf(p, n, theta0)
        F = stats.binom.cdf(r, n, theta0)
        Fm = stats.binom.cdf(r - 1, n, theta0)
        alpha = (F - p) / (F - Fm)
        out.append((r - alpha) / n)
    return out[0], out[1]


@dataclass(frozen=True)
class FunnelResult:
    """Result of :func:`funnel_limits`.

    Attributes
    ----------
    units : pandas.DataFrame
        One row per group: ``group, n, value, se, z, z_adjusted, lower_<L>, upper_<L>, outside_<L>``
        for each level L (e.g. ``lower_95``, ``upper_99.8``), ``flag`` ("above 99.8", "above 95",
        "within", "below 95", "below 99.8") and ``suppressed`` (n < min_n: all statistics blank).
    target : float
        θ0, the centre line.
    kind : str
        ``"mean"`` or ``"proportion"``.
    levels : tuple of float
        Two-sided coverages of the limits.
    overdispersion : str or None
        Requested adjustment; ``adjusted`` says whether it was applied.
    adjusted : bool
        True when the limits were widened (φ > 1 multiplicative, τ² > 0 additive).
    phi : float
        Overdispersion ratio φ̂ = mean of the winsorised squared z-scores.
    tau2 : float
        Additive between-group variance τ̂² (on the scale of ``od_scale``).
    sigma : float
        Pooled within-group SD (means) or NaN (proportions).
    n_units : int
        Groups used to estimate φ and τ² (those with n ≥ min_n).
    od_scale : str
        Scale of the z-scores: ``"identity"`` or ``"arcsine"`` (proportions, FunnelPlotR convention).
    method : str
        Plain-language description of target, limits and adjustment.
    """

    units: pd.DataFrame
    target: float
    kind: str
    levels: tuple[float, ...]
    overdispersion: str | None
    adjusted: bool
    phi: float
    tau2: float
    sigma: float
    n_units: int
    od_scale: str
    method: str
    min_n: int = DEFAULT_MIN_N

    def limits(self, n: np.ndarray | Sequence[float], level: float) -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper limit at coverage ``level`` for group sizes ``n``."""
        return _limits(
            np.asarray(n, dtype=float),
            level,
            kind=self.kind,
            target=self.target,
            sigma=self.sigma,
            overdispersion=self.overdispersion if self.adjusted else None,
            phi=self.phi,
            tau2=self.tau2,
            od_scale=self.od_scale,
        )

    def curve(self, n_grid: np.ndarray | Sequence[float] | None = None) -> pd.DataFrame:
        """Funnel curves for plotting: ``n, target, lower_<L>, upper_<L>`` for each level.

        Parameters
        ----------
        n_grid : array-like, optional
            Group sizes at which to evaluate the limits. Default: 200 log-spaced sizes from
            ``min_n`` to the largest group (whole numbers for proportions).
        """
        if n_grid is None:
            n_obs = pd.to_numeric(self.units["n"], errors="coerce").dropna()
            nmax = float(n_obs.max()) if len(n_obs) else float(self.min_n) * 10
            grid = np.geomspace(max(self.min_n, 2), max(nmax, self.min_n + 1), 200)
            if self.kind == "proportion":
                grid = np.unique(np.round(grid))
        else:
            grid = np.asarray(n_grid, dtype=float)
        out = pd.DataFrame({"n": grid, "target": self.target})
        for lev in self.levels:
            lo, hi = self.limits(grid, lev)
            out[f"lower_{_level_name(lev)}"] = lo
            out[f"upper_{_level_name(lev)}"] = hi
        return out


def _limits(
    n: np.ndarray,
    level: float,
    *,
    kind: str,
    target: float,
    sigma: float,
    overdispersion: str | None,
    phi: float,
    tau2: float,
    od_scale: str,
) -> tuple[np.ndarray, np.ndarray]:
    z = stats.norm.ppf(0.5 + level / 2)
    if kind == "mean":
        s = sigma / np.sqrt(n)
        if overdispersion == "multiplicative":
            half = z * np.sqrt(phi) * s
        elif overdispersion == "additive":
            half = z * np.sqrt(s**2 + tau2)
        else:
            half = z * s
        return target - half, target + half
    # proportions
    if overdispersion is None:
        return binomial_limits(n, target, level)
    if od_scale == "arcsine":
        t0 = np.arcsin(np.sqrt(target))
        s = 1 / (2 * np.sqrt(n))
        half = z * (np.sqrt(phi) * s if overdispersion == "multiplicative" else np.sqrt(s**2 + tau2))
        lo = np.sin(np.clip(t0 - half, 0, np.pi / 2)) ** 2
        hi = np.sin(np.clip(t0 + half, 0, np.pi / 2)) ** 2
        return lo, hi
    s = np.sqrt(target * (1 - target) / n)
    half = z * (np.sqrt(phi) * s if overdispersion == "multiplicative" else np.sqrt(s**2 + tau2))
    return np.clip(target - half, 0, 1), np.clip(target + half, 0, 1)


def funnel_limits(
    data: pd.DataFrame,
    dv: str,
    group: str = "ags",
    kind: Kind = "mean",
    target: float | None = None,
    levels: Sequence[float] = (0.95, 0.998),
    overdispersion: Overdispersion = None,
    winsor: float = 0.1,
    min_n: int = DEFAULT_MIN_N,
    success: Sequence[float] | None = None,
    od_scale: Literal["arcsine", "identity"] = "arcsine",
    label_cols: Sequence[str] = (),
) -> FunnelResult:
    r"""Funnel-plot control limits per group, optionally adjusted for overdispersion.

    Parameters
    ----------
    data : pandas.DataFrame
        Respondent-level tidy data.
    dv : str
        ``kind="mean"``: numeric outcome (e.g. a scale score). ``kind="proportion"``: a 0/1 (or
        boolean) indicator, or any coded item together with ``success``.
    group : str, default "ags"
        Grouping column (municipality).
    kind : {"mean", "proportion"}
    target : float, optional
        Centre line θ0. Default: the pooled value over all respondents (the state mean / share).
    levels : sequence of float, default (0.95, 0.998)
        Two-sided coverages; 0.998 is the "3 SD" limit (z = 3.090).
    overdispersion : {None, "multiplicative", "additive"}
        Spiegelhalter (2005) adjustment. ``None`` reports φ̂ and τ̂² but draws the plain limits.
    winsor : float, default 0.1
        Share winsorised at each end of the z-scores before estimating φ (0 = none). Winsorising
        lowers φ̂ under the null (E φ̂ ≈ 0.68 for 10 % on normal z), so it guards against outliers at
        the price of a conservative adjustment (as FunnelPlotR, ``trim_by = 0.1``).
    min_n : int, default 5
        Groups below this size are suppressed in ``units`` and not used to estimate φ, τ².
    success : sequence of float, optional
        For proportions from coded items: the codes counted as success (e.g. ``(4, 5)`` for
        "agree"/"strongly agree"). Missing answers stay missing.
    od_scale : {"arcsine", "identity"}, default "arcsine"
        Scale of the proportion z-scores for φ and τ²: ``arcsine`` uses y = asin(√p),
        s = 1/(2√n) (FunnelPlotR ``data_type="PR"``); ``identity`` uses s = √(θ0(1 − θ0)/n) as in
        statistics.md c3. Ignored for means.
    label_cols : sequence of str
        Group-level columns to carry into ``units`` (e.g. municipality ``name``).

    Returns
    -------
    FunnelResult

    Notes
    -----
    * Means: limits θ0 ± z_p·σ/√n with σ = √(SSW/(N − G)) the pooled within-group SD.
    * Proportions: exact binomial limits with interpolation (:func:`binomial_limits`), clipped
      to [0, 1].
    * Overdispersion (Spiegelhalter 2005, "Handling over-dispersion of performance indicators",
      Qual Saf Health Care 14:347): z_j = (y_j − θ0)/s_j, winsorised at the ``winsor`` and
      1 − ``winsor`` quantiles (R type 7); φ̂ = (1/I) Σ z_j². Multiplicative limits
      θ0 ± z_p·√φ̂·s(n) when φ̂ > 1. Additive (DerSimonian–Laird random effects): with
      w_j = 1/s_j², τ̂² = (Iφ̂ − (I − 1)) / (Σ w_j − Σ w_j²/Σ w_j) if Iφ̂ > I − 1, else 0; limits
      θ0 ± z_p·√(s²(n) + τ̂²). For proportions on the arcsine scale the limits are back-transformed
      by sin²(·) (FunnelPlotR 0.5 ``tau_func``/``phi_func`` conventions).
    * ``z_adjusted`` is z/√φ̂ (multiplicative) or (y − θ0)/√(s² + τ̂²) (additive), else z.
    * Flags compare the value with the limits at each level (for unadjusted proportions: the exact
      binomial limits).

    Checked against scipy.stats.binom brute force, the verified clip case (n=50, θ0=0.0739:
    lower 99.8 % = −0.019 before clipping), and simulations with known τ².

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"ags": np.repeat([f"{i:03d}" for i in range(30)], 20),
    ...                    "score": rng.normal(3.5, 0.8, 600)})
    >>> res = funnel_limits(df, "score", "ags")
    >>> res.units.columns[:4].tolist(), res.curve().shape[1]
    (['ags', 'n', 'value', 'se'], 6)
    """
    if kind not in ("mean", "proportion"):
        raise analysis_error("invalid_argument", name="kind", value=repr(kind), allowed="'mean', 'proportion'")
    check_choice(overdispersion, "overdispersion", (None, "multiplicative", "additive"))
    check_choice(od_scale, "od_scale", ("arcsine", "identity"))
    levels = tuple(float(v) for v in levels)
    if not levels:
        raise analysis_error("invalid_argument", name="levels", value="()", allowed="levels in (0, 1)")
    for v in levels:
        check_level(v, "levels")
    if not 0 <= winsor < 0.5:
        raise analysis_error("invalid_argument", name="winsor", value=winsor, allowed="[0, 0.5)")
    check_columns(data, [dv, group, *label_cols])

    raw = data[dv]
    if success is not None:
        num = pd.to_numeric(raw, errors="coerce")
        y_all = np.where(num.isna(), np.nan, num.isin(list(success)).astype(float))
    else:
        y_all = numeric_column(raw, dv)
    keep = ~np.isnan(y_all) & data[group].notna().to_numpy()
    y = y_all[keep]
    if kind == "proportion" and not np.isin(y, (0.0, 1.0)).all():
        raise analysis_error("proportion_not_binary", scope=dv, column=dv)
    codes, labels = factorize_groups(data.loc[keep, group])
    G = len(labels)
    if G == 0:
        raise analysis_error("no_valid_values", scope=dv, column=dv)
    n = np.bincount(codes, minlength=G).astype(float)
    value = np.bincount(codes, weights=y, minlength=G) / n
    N = len(y)
    theta0 = float(y.mean()) if target is None else float(target)

    sigma = np.nan
    if kind == "mean":
        ssw = float(np.sum((y - value[codes]) ** 2))
        if N - G <= 0 or ssw <= 0:
            raise analysis_error("within_sd_zero", scope=dv)
        sigma = float(np.sqrt(ssw / (N - G)))
        s = sigma / np.sqrt(n)
        z = (value - theta0) / s
    else:
        if not 0 < theta0 < 1:
            check_level(theta0, "target")
        if od_scale == "arcsine":
            s = 1 / (2 * np.sqrt(n))
            z = (np.arcsin(np.sqrt(value)) - np.arcsin(np.sqrt(theta0))) / s
        else:
            s = np.sqrt(theta0 * (1 - theta0) / n)
            z = (value - theta0) / s

    use = n >= min_n
    I = int(use.sum())  # noqa: E741 - Spiegelhalter's notation
    phi, tau2 = np.nan, np.nan
    if I >= 2:
        zu = z[use]
        if winsor > 0:
            lo_q, hi_q = np.quantile(zu, [winsor, 1 - winsor])
            zu = np.clip(zu, lo_q, hi_q)
        phi = float(np.mean(zu**2))
        w = 1 / s[use] ** 2
        if I * phi > I - 1:
            tau2 = float(max(0.0, (I * phi - (I - 1)) / (w.sum() - np.sum(w**2) / w.sum())))
        else:
            tau2 = 0.0
    adjusted = (overdispersion == "multiplicative" and phi > 1) or (overdispersion == "additive" and tau2 > 0)
    od_used = overdispersion if adjusted else None

    if od_used == "multiplicative":
        z_adj = z / np.sqrt(phi)
    elif od_used == "additive":
        z_adj = z * s / np.sqrt(s**2 + tau2)
    else:
        z_adj = z

    units = pd.DataFrame(
        {group: labels, "n": n.astype(int), "value": value, "se": s, "z": z, "z_adjusted": z_adj}
    )
    if label_cols:
        lab = data.loc[keep, [group, *label_cols]].groupby(group, sort=True).first().reindex(labels)
        for i, c in enumerate(label_cols):
            units.insert(1 + i, c, lab[c].to_numpy())
    flag = np.full(G, "within", dtype=object)
    for lev in sorted(levels):  # wider limits later, so the widest exceeded limit wins
        lo, hi = _limits(
            n,
            lev,
            kind=kind,
            target=theta0,
            sigma=sigma,
            overdispersion=od_used,
            phi=phi,
            tau2=tau2,
            od_scale=od_scale,
        )
        name = _level_name(lev)
        units[f"lower_{name}"] = lo
        units[f"upper_{name}"] = hi
        units[f"outside_{name}"] = (value < lo) | (value > hi)
        flag = np.where(value > hi, f"above {name}", np.where(value < lo, f"below {name}", flag))
    units["flag"] = flag
    units = suppress_small_groups(units, n_col="n", min_n=min_n, keep=[group, *label_cols])

    tgt = "pooled value of all respondents" if target is None else "user-given target"
    if kind == "mean":
        lim = "θ0 ± z·σ/√n, σ = pooled within-group SD"
    else:
        lim = "exact binomial limits with interpolation, clipped to [0, 1]"
    if od_used == "multiplicative":
        adj = f"multiplicative overdispersion: limits widened by √φ = {np.sqrt(phi):.3f}"
        lim = "normal limits" + (
            " on the arcsine scale" if kind == "proportion" and od_scale == "arcsine" else ""
        )
    elif od_used == "additive":
        adj = f"additive random-effects overdispersion: τ² = {tau2:.4g} added to s²(n)"
        lim = "normal limits" + (
            " on the arcsine scale" if kind == "proportion" and od_scale == "arcsine" else ""
        )
    elif overdispersion is not None:
        adj = f"{overdispersion} overdispersion requested but none detected (φ = {phi:.3f}); plain limits"
    else:
        adj = "no overdispersion adjustment"
    method = (
        f"Funnel limits ({kind}) for '{dv}' by '{group}': target θ0 = {theta0:.4g} ({tgt}); "
        f"{lim}; two-sided levels {', '.join(_level_name(v) + ' %' for v in levels)}; {adj} "
        f"(φ̂ = {phi:.3f}, τ̂² = {tau2:.4g} from {I} groups with n ≥ {min_n}, z winsorised at {winsor:g}); "
        f"groups with n < {min_n} suppressed."
    )
    return FunnelResult(
        units=units,
        target=theta0,
        kind=kind,
        levels=levels,
        overdispersion=overdispersion,
        adjusted=bool(adjusted),
        phi=phi,
        tau2=tau2,
        sigma=sigma,
        n_units=I,
        od_scale=od_scale if kind == "proportion" else "identity",
        method=method,
        min_n=min_n,
    )
