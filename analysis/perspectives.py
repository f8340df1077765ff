"""Perspective gaps: how respondent roles differ in rating the same municipality.

The administration may see its own commitment more favourably than associations and engaged
citizens do. :func:`perspective_gaps` gives, per municipality, the difference between a reference
group of roles and a comparison group with a Welch interval, and a pooled within-municipality gap
from a random-intercept model.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from core.errors import AnalysisError

from .input_checks import as_list, check_columns, check_level
from .multilevel import fit_multilevel
from .notes import NOTES, AnalysisWarning, analysis_error, items_text
from .small_cells import DEFAULT_MIN_N, suppress_small_groups

__all__ = ["perspective_gaps", "welch_difference"]


def welch_difference(a: np.ndarray, b: np.ndarray, *, ci: float = 0.95) -> dict[str, float]:
    """Welch (1947) difference of two independent means with t-interval and Hedges g.

    Parameters
    ----------
    a, b : array-like
        Values of the two groups (NaN dropped).
    ci : float, default 0.95
        Confidence level of the interval.

    Returns
    -------
    dict
        ``n_a, mean_a, sd_a, n_b, mean_b, sd_b, diff, se, df, t, p, ci_low, ci_high, hedges_g``.

    Notes
    -----
    diff = ā − b̄, se = √(s²_a/n_a + s²_b/n_b),
    df = se⁴ / [(s²_a/n_a)²/(n_a−1) + (s²_b/n_b)²/(n_b−1)] (Welch–Satterthwaite), CI diff ± t_{df}·se,
    two-sided p. Hedges g = diff/s_pooled · (1 − 3/(4(n_a+n_b) − 9)) (Hedges 1981).
    Same as R ``t.test(a, b)`` and ``scipy.stats.ttest_ind(a, b, equal_var=False)``.

    Examples
    --------
    >>> r = welch_difference(np.array([4, 5, 4, 5.]), np.array([2, 3, 3, 2.]))
    >>> round(r["diff"], 2), round(r["df"], 1)
    (2.0, 6.0)
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    a, b = a[~np.isnan(a)], b[~np.isnan(b)]
    na, nb = len(a), len(b)
    out = {"n_a": na, "n_b": nb, "mean_a": np.nan, "sd_a": np.nan, "mean_b": np.nan, "sd_b": np.nan,
           "diff": np.nan, "se": np.nan, "df": np.nan, "t": np.nan, "p": np.nan,
           "ci_low": np.nan, "ci_high": np.nan, "hedges_g": np.nan}
    if na:
        out["mean_a"] = float(a.mean())
    if nb:
        out["mean_b"] = float(b.mean())
    if na < 2 or nb < 2:
        return out
    va, vb = a.var(ddof=1), b.var(ddof=1)
    out["sd_a"], out["sd_b"] = float(np.sqrt(va)), float(np.sqrt(vb))
    diff = out["mean_a"] - out["mean_b"]
    qa, qb = va / na, vb / nb
    se = float(np.sqrt(qa + qb))
    out["diff"] = diff
    if se == 0:
        return out
    df = (qa + qb) ** 2 / (qa**2 / (na - 1) + qb**2 / (nb - 1))
    t = diff / se
    q = stats.t.ppf(0.5 + ci / 2, df)
    sp = np.sqrt(((na - 1) * va + (nb - 1) * vb) / (na + nb - 2))
    out.update(se=se, df=float(df), t=float(t), p=float(2 * stats.t.sf(abs(t), df)),
               ci_low=diff - q * se, ci_high=diff + q * se,
               hedges_g=float(diff / sp * (1 - 3 / (4 * (na + nb) - 9))) if sp > 0 else np.nan)
    return out


def perspective_gaps(
    data: pd.DataFrame,
    dv: str,
    role: str = "role",
    group: str = "ags",
    reference: str | Sequence[str] = "verwaltung",
    comparison: str | Sequence[str] | None = None,
    min_n: int = DEFAULT_MIN_N,
    ci: float = 0.95,
    pooled: bool = True,
    lang: str = "de",
) -> pd.DataFrame:
    """Per municipality: reference roles minus comparison roles on one score, with Welch CIs.

    Parameters
    ----------
    data : pandas.DataFrame
        Respondent-level table.
    dv : str
        Score compared (e.g. ``"kommunal"``: how strongly the municipality is seen to commit).
    role : str, default "role"
        Role column.
    group : str, default "ags"
        Municipality column.
    reference : str or list of str, default "verwaltung"
        Role value(s) forming the reference side (e.g. ``["verwaltung", "buergermeister"]``).
    comparison : str or list of str, optional
        Role value(s) of the other side; default all other roles.
    min_n : int, default 5
        Municipalities with fewer than ``min_n`` respondents on either side are suppressed.
    ci : float, default 0.95
        Confidence level of the intervals.
    pooled : bool, default True
        Append a row with the pooled within-municipality gap.
    lang : {"de", "en"}, default "de"
        Language of the ``note`` of the pooled row (what the model is, or why it is missing).

    Returns
    -------
    pandas.DataFrame
        One row per municipality (``level = "municipality"``): ``<group>, n_reference,
        mean_reference, sd_reference, n_comparison, mean_comparison, sd_comparison, gap, se, df,
        t, p, ci_low, ci_high, hedges_g, suppressed``; plus, with ``pooled``, one row
        ``level = "pooled"`` with the model estimate, its z-based CI and p, and the number of
        municipalities and respondents in ``n_reference``/``n_comparison``.

    Notes
    -----
    ``gap`` = mean(reference) − mean(comparison), Welch interval (:func:`welch_difference`).

    The pooled gap comes from the random-intercept model
    ``dv ~ R + mean_j(R) + (1 | group)`` with R = 1 for reference roles. Including the
    municipality share of reference respondents, mean_j(R) (Mundlak 1978), makes the coefficient of
    R the **within-municipality** gap, identical to the fixed-effects (municipality dummies)
    estimate, so that municipalities with many administration respondents cannot bias it.

    Checked against ``scipy.stats.ttest_ind(equal_var=False)`` (= R ``t.test``) and the OLS
    fixed-effects estimate in ``tests/analysis/test_perspectives.py``.

    Examples
    --------
    >>> rng = np.random.default_rng(2)
    >>> df = pd.DataFrame({"ags": np.repeat(["a", "b"], 20),
    ...                    "role": np.tile(["verwaltung"] * 8 + ["verein"] * 12, 2)})
    >>> df["kommunal"] = 3 + 0.5 * (df["role"] == "verwaltung") + rng.normal(0, .5, 40)
    >>> gaps = perspective_gaps(df, "kommunal", pooled=False)
    >>> gaps[["n_reference", "n_comparison"]].astype(int).values.tolist()
    [[8, 12], [8, 12]]
    """
    check_columns(data, [dv, role, group])
    check_level(ci)
    ref = as_list(reference)
    sub = data[[group, role, dv]].copy()
    sub[dv] = pd.to_numeric(sub[dv], errors="coerce")
    sub = sub.dropna()
    is_ref = sub[role].isin(ref)
    if comparison is None:
        is_cmp = ~is_ref
    else:
        is_cmp = sub[role].isin(as_list(comparison))
        overlap = set(ref) & set(as_list(comparison))
        if overlap:
            raise analysis_error("roles_on_both_sides", roles=items_text(sorted(overlap)))
    sub = sub[is_ref | is_cmp].assign(_R=is_ref[is_ref | is_cmp].astype(float))
    for side, present, roles in (("reference", is_ref.any(), ref), ("comparison", is_cmp.any(), comparison)):
        if not present:
            raise analysis_error("role_side_absent", scope=dv, side=side,
                                 roles=items_text(as_list(roles)) if roles is not None else "andere / others",
                                 what=("Perspektiven", "perspective gaps"))
    rows = []
    for g, d in sub.groupby(group, sort=True):
        w = welch_difference(d.loc[d["_R"] == 1, dv].to_numpy(), d.loc[d["_R"] == 0, dv].to_numpy(), ci=ci)
        rows.append({group: g, "level": "municipality",
                     "n_reference": w["n_a"], "mean_reference": w["mean_a"], "sd_reference": w["sd_a"],
                     "n_comparison": w["n_b"], "mean_comparison": w["mean_b"], "sd_comparison": w["sd_b"],
                     "gap": w["diff"], "se": w["se"], "df": w["df"], "t": w["t"], "p": w["p"],
                     "ci_low": w["ci_low"], "ci_high": w["ci_high"], "hedges_g": w["hedges_g"]})
    out = pd.DataFrame(rows)
    out = suppress_small_groups(out, n_col=["n_reference", "n_comparison"], min_n=min_n,
                                keep=[group, "level"])
    if pooled:
        out = pd.concat([out, _pooled_gap(sub, dv, group, ci, lang)], ignore_index=True)
    return out


def _pooled_gap(sub: pd.DataFrame, dv: str, group: str, ci: float, lang: str = "de") -> pd.DataFrame:
    sub = sub.assign(_Rbar=sub.groupby(group)["_R"].transform("mean"))
    # municipalities with only one side carry no within information; the Mundlak term absorbs them
    try:
        res = fit_multilevel(sub, f"{dv} ~ _R + _Rbar", group=group, method="auto", ci=ci)
    except AnalysisError as exc:
        if exc.problem is not None:  # the pooled row stays, with the reason; run() shows it as a note
            warnings.warn(AnalysisWarning(exc.problem), stacklevel=3)
        reason = exc.problem.message(lang) if exc.problem is not None else str(exc)
        return pd.DataFrame([{group: "gesamt / pooled", "level": "pooled", "note": reason}])
    c = res.coef("_R")
    both = sub.groupby(group)["_R"].agg(lambda r: 0 < r.mean() < 1)
    return pd.DataFrame([{
        group: "gesamt / pooled", "level": "pooled",
        "n_reference": int(sub["_R"].sum()), "n_comparison": int((1 - sub["_R"]).sum()),
        "gap": float(c["estimate"]), "se": float(c["se"]), "df": np.inf, "t": float(c["stat"]),
        "p": float(c["p"]), "ci_low": float(c["ci_low"]), "ci_high": float(c["ci_high"]),
        "hedges_g": float(c["estimate"]) / np.sqrt(res.tau2 + res.sigma2),
        "n_municipalities": int(both.sum()), "suppressed": False,
        "note": NOTES.render("perspective_pooled_model", {}, lang),
    }])
