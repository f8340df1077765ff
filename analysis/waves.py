"""Change between survey waves and the programme effect (difference-in-differences).

* :func:`wave_change`: per municipality and construct, the change between two waves with a
  confidence interval: Welch for independent respondent samples (the usual case: a new sample
  each wave), a paired t-interval when the same respondents answer again (``paired_on``).
* :func:`did_estimate`: difference-in-differences of funded vs. not funded municipalities,
  (T_post − T_pre) − (C_post − C_pre), from an OLS regression with standard errors clustered by
  municipality (Bertrand, Duflo & Mullainathan 2004; Cameron & Miller 2015).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from .input_checks import as_list, check_choice, check_columns, check_level, factorize_groups
from .notes import analysis_error
from .perspectives import welch_difference
from .small_cells import DEFAULT_MIN_N, suppress_small_groups

__all__ = ["did_estimate", "wave_change"]


def _pick_waves(values: pd.Series, waves: Sequence | None, what: tuple[str, str]) -> tuple:
    """The two waves compared: ``waves`` (checked) or the first and last value present (sorted)."""
    present = sorted(pd.unique(values.dropna()))
    if waves is None:
        if len(present) < 2:
            raise analysis_error("single_wave", wave=", ".join(map(str, present)) or "–", what=what)
        return present[0], present[-1]
    if len(waves) != 2:
        raise analysis_error("invalid_argument", name="waves", value=repr(waves), allowed="(first, second)")
    for w in waves:
        if w not in present:
            raise analysis_error("wave_not_found", wave=repr(w), found=", ".join(map(str, present)))
    return tuple(waves)


def _paired(a: pd.Series, b: pd.Series, ci: float) -> dict[str, float]:
    """Paired t-interval of b − a over ids present in both (Student 1908)."""
    pairs = pd.concat([a.rename("a"), b.rename("b")], axis=1, join="inner").dropna()
    d = (pairs["b"] - pairs["a"]).to_numpy(dtype=float)
    n = len(d)
    out = {"n_pairs": n, "change": np.nan, "se": np.nan, "df": np.nan, "t": np.nan, "p": np.nan,
           "ci_low": np.nan, "ci_high": np.nan, "d_z": np.nan}
    if n < 2:
        return out
    m, s = d.mean(), d.std(ddof=1)
    out["change"] = float(m)
    if s == 0:
        return out
    se = s / np.sqrt(n)
    q = stats.t.ppf(0.5 + ci / 2, n - 1)
    out.update(se=float(se), df=float(n - 1), t=float(m / se), p=float(2 * stats.t.sf(abs(m / se), n - 1)),
               ci_low=float(m - q * se), ci_high=float(m + q * se), d_z=float(m / s))
    return out


def wave_change(
    data: pd.DataFrame,
    dv: str | Sequence[str],
    group: str = "ags",
    wave: str = "wave",
    waves: Sequence | None = None,
    paired_on: str | None = None,
    min_n: int = DEFAULT_MIN_N,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Change of each construct per municipality between two waves, with confidence intervals.

    Parameters
    ----------
    data : pandas.DataFrame
        Respondent-level table (one row per respondent and wave).
    dv : str or list of str
        Score column(s), e.g. ``["kommunal", "zivil", "struktur"]``.
    group : str, default "ags"
    wave : str, default "wave"
    waves : (first, second), optional
        The two waves compared (default: the first and the last wave present, sorted; pass the
        dataset's wave order, :meth:`surveys.dataset.Dataset.wave_order`, for text labels).
    paired_on : str, optional
        Respondent-id column. If given, the change is the mean of within-respondent differences
        over respondents who answered in both waves (paired t-interval); respondents seen in one
        wave only are not used (their count is reported).
    min_n : int, default 5
        Rows with fewer than ``min_n`` respondents in either wave (or pairs) are suppressed.
    ci : float, default 0.95
        Confidence level of the intervals.

    Returns
    -------
    pandas.DataFrame
        One row per municipality and construct: ``<group>, construct, wave_from, wave_to,
        design, n_from, mean_from, n_to, mean_to, change, se, df, t, p, ci_low, ci_high,
        effect_size, effect_size_type, n_pairs, n_unpaired, suppressed``.

    Notes
    -----
    *Independent samples* (``design = "welch"``): change = ȳ_to − ȳ_from, Welch–Satterthwaite
    t-interval (:func:`analysis.perspectives.welch_difference`), effect size Hedges g.
    *Same respondents* (``design = "paired"``): change = mean(d_i), d_i = y_i,to − y_i,from,
    CI mean(d) ± t_{n−1}·s_d/√n, effect size d_z = mean(d)/s_d (Cohen 1988).
    Checked against ``scipy.stats.ttest_ind(equal_var=False)`` and ``scipy.stats.ttest_rel``.

    Examples
    --------
    >>> df = pd.DataFrame({"ags": "a", "wave": [2025] * 5 + [2027] * 5,
    ...                    "struktur": [2, 3, 3, 2, 3, 4, 4, 3, 4, 5]})
    >>> wave_change(df, "struktur")[["change", "design"]].values.tolist()
    [[1.4, 'welch']]
    """
    dvs = as_list(dv)
    cols = [group, wave, *dvs] + ([paired_on] if paired_on else [])
    check_columns(data, cols)
    check_level(ci)
    w0, w1 = _pick_waves(data[wave], waves, ("Veränderung zwischen Wellen", "change between waves"))
    sub = data.loc[data[wave].isin([w0, w1]) & data[group].notna(), cols]
    rows = []
    for g, d in sub.groupby(group, sort=True):
        a_all, b_all = d[d[wave] == w0], d[d[wave] == w1]
        for c in dvs:
            a = pd.to_numeric(a_all[c], errors="coerce")
            b = pd.to_numeric(b_all[c], errors="coerce")
            row = {group: g, "construct": c, "wave_from": w0, "wave_to": w1,
                   "n_from": int(a.notna().sum()), "mean_from": a.mean(),
                   "n_to": int(b.notna().sum()), "mean_to": b.mean()}
            if paired_on:
                pa = a.set_axis(a_all[paired_on]).dropna()
                pb = b.set_axis(b_all[paired_on]).dropna()
                if pa.index.has_duplicates or pb.index.has_duplicates:
                    raise analysis_error("id_not_unique", column=paired_on, group=g)
                r = _paired(pa, pb, ci)
                row.update(design="paired", change=r["change"], se=r["se"], df=r["df"], t=r["t"], p=r["p"],
                           ci_low=r["ci_low"], ci_high=r["ci_high"], effect_size=r["d_z"], effect_size_type="d_z",
                           n_pairs=r["n_pairs"], n_unpaired=int(len(pa) + len(pb) - 2 * r["n_pairs"]))
            else:
                r = welch_difference(b.to_numpy(), a.to_numpy(), ci=ci)
                row.update(design="welch", change=r["diff"], se=r["se"], df=r["df"], t=r["t"], p=r["p"],
                           ci_low=r["ci_low"], ci_high=r["ci_high"], effect_size=r["hedges_g"],
                           effect_size_type="hedges_g", n_pairs=0, n_unpaired=row["n_from"] + row["n_to"])
            rows.append(row)
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    n_cols = ["n_pairs"] if paired_on else ["n_from", "n_to"]
    return suppress_small_groups(
        out, n_col=n_cols, min_n=min_n,
        keep=[group, "construct", "wave_from", "wave_to", "design", "effect_size_type"],
    )


def _to_bool(s: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(s):
        return s.astype("Float64").astype(float)  # nullable booleans: NA -> NaN
    if pd.api.types.is_numeric_dtype(s):
        return (s != 0).astype(float).mask(s.isna())
    txt = s.astype("string").str.strip().str.lower()
    return pd.Series(np.where(txt.isin(["ja", "yes", "true", "1", "gefördert", "funded"]), 1.0,
                              np.where(txt.isin(["nein", "no", "false", "0", "nicht gefördert", "not funded"]),
                                       0.0, np.nan)), index=s.index)


def did_estimate(
    data: pd.DataFrame,
    dv: str | Sequence[str],
    group: str = "ags",
    wave: str = "wave",
    treated: str = "funded",
    waves: Sequence | None = None,
    unit: Literal["municipality", "respondent"] = "municipality",
    min_n: int = DEFAULT_MIN_N,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Difference-in-differences of funded vs. not funded municipalities, cluster-robust.

    Parameters
    ----------
    data : pandas.DataFrame
        Respondent-level table with both waves.
    dv : str or list of str
        Outcome score(s).
    group : str, default "ags"
        Municipality column (the cluster).
    wave : str, default "wave"
    treated : str, default "funded"
        Municipality-level indicator of funding (bool, 0/1 or ja/nein); build it from the cohort
        column first, e.g. ``df["funded"] = df["cohort"].eq("2025")``.
    waves : (pre, post), optional
        Default: first and last wave present.
    unit : {"municipality", "respondent"}, default "municipality"
        ``"municipality"``: OLS on municipality-by-wave means (each municipality counts equally,
        municipality-wave cells with fewer than ``min_n`` respondents dropped);
        ``"respondent"``: OLS on respondents (municipalities weighted by their sample size).
    min_n : int, default 5
    ci : float, default 0.95
        Confidence level of the interval.

    Returns
    -------
    pandas.DataFrame
        One row per outcome: ``construct, estimate, se, df, t, p, ci_low, ci_high, effect_size,
        mean_treated_pre, mean_treated_post, mean_control_pre, mean_control_post,
        n_municipalities_treated, n_municipalities_control, n_respondents, unit, se_type``.

    Notes
    -----
    Model: y = β₀ + β₁·T + β₂·Post + δ·T·Post + ε, δ = DiD (the programme effect under parallel
    trends). SEs are CR1 cluster-robust by municipality (statsmodels ``cov_type="cluster"``,
    V = (X'X)⁻¹ [Σ_g X_g'e_g e_g'X_g] (X'X)⁻¹ · G/(G−1)·(N−1)/(N−k)), with t on G − 1 df
    (Cameron & Miller 2015, sec. VI). With municipality means in both waves and the same
    municipalities, δ̂ = (T̄_post − T̄_pre) − (C̄_post − C̄_pre) exactly. ``effect_size`` is δ̂
    divided by the pooled respondent-level SD of the outcome in the pre wave (standardised DiD).
    Municipalities need not be observed in both waves (repeated cross-sections), but the
    estimate then also reflects changes in which municipalities took part.

    Checked against a hand-coded CR1 sandwich and the closed-form DiD of means, and by recovery of
    a simulated programme effect (``tests/analysis/test_waves.py``).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> g = np.repeat(np.arange(20), 20)
    >>> df = pd.DataFrame({"ags": g, "wave": np.tile(np.repeat([1, 2], 10), 20),
    ...                    "funded": g < 10})
    >>> df["y"] = 3 + 0.5 * (df["funded"] & (df["wave"] == 2)) + rng.normal(0, .5, len(df))
    >>> round(float(did_estimate(df, "y")["estimate"].iloc[0]), 2)
    0.34
    """
    import statsmodels.api as sm

    dvs = as_list(dv)
    check_columns(data, [group, wave, treated, *dvs])
    check_level(ci)
    check_choice(unit, "unit", ("municipality", "respondent"))
    w0, w1 = _pick_waves(data[wave], waves, ("Differenz-von-Differenzen", "difference-in-differences"))
    base = data.loc[data[wave].isin([w0, w1]) & data[group].notna(), [group, wave, treated, *dvs]].copy()
    base["_T"] = _to_bool(base[treated])
    varies = base.dropna(subset=["_T"]).groupby(group)["_T"].nunique()
    if (varies > 1).any():
        raise analysis_error("not_constant_within_group", column=treated,
                             examples=", ".join(map(str, varies[varies > 1].index[:3])))
    base["_P"] = (base[wave] == w1).astype(float)
    rows = []
    for c in dvs:
        d = base.assign(_y=pd.to_numeric(base[c], errors="coerce")).dropna(subset=["_y", "_T"])
        sd_pre = d.loc[d["_P"] == 0].groupby("_T")["_y"].agg(["var", "count"])
        pooled_sd = float(np.sqrt(((sd_pre["var"] * (sd_pre["count"] - 1)).sum()) / (sd_pre["count"].sum() - 2)))
        if unit == "municipality":
            cells = d.groupby([group, "_P"]).agg(_y=("_y", "mean"), n=("_y", "size"), _T=("_T", "first"))
            cells = cells[cells["n"] >= min_n].reset_index()
            est_data = cells
        else:
            est_data = d
        tr, po = est_data["_T"].to_numpy(), est_data["_P"].to_numpy()
        n_t = est_data.loc[tr == 1, group].nunique()
        n_c = est_data.loc[tr == 0, group].nunique()
        cell_n = pd.crosstab(tr, po).reindex(index=[0.0, 1.0], columns=[0.0, 1.0], fill_value=0).to_numpy()
        if cell_n.min() == 0 or n_t + n_c < 3:
            raise analysis_error("did_cells_missing", scope=c)
        X = np.column_stack([np.ones(len(tr)), tr, po, tr * po])
        clusters = factorize_groups(est_data[group])[0]
        fit = sm.OLS(est_data["_y"].to_numpy(dtype=float), X).fit(
            cov_type="cluster", cov_kwds={"groups": clusters}, use_t=True)
        G = len(np.unique(clusters))
        est, se = float(fit.params[3]), float(fit.bse[3])
        q = stats.t.ppf(0.5 + ci / 2, G - 1)
        tval = est / se if se > 0 else np.nan
        means = est_data.groupby(["_T", "_P"])["_y"].mean()
        rows.append({
            "construct": c, "estimate": est, "se": se, "df": float(G - 1), "t": tval,
            "p": float(2 * stats.t.sf(abs(tval), G - 1)) if se > 0 else np.nan,
            "ci_low": est - q * se, "ci_high": est + q * se,
            "effect_size": est / pooled_sd if pooled_sd > 0 else np.nan,
            "mean_treated_pre": means.get((1.0, 0.0), np.nan), "mean_treated_post": means.get((1.0, 1.0), np.nan),
            "mean_control_pre": means.get((0.0, 0.0), np.nan), "mean_control_post": means.get((0.0, 1.0), np.nan),
            "n_municipalities_treated": int(n_t), "n_municipalities_control": int(n_c),
            "n_respondents": len(d), "wave_pre": w0, "wave_post": w1, "unit": unit,
            "se_type": "CR1 cluster-robust by municipality, t(G-1)",
        })
    return pd.DataFrame(rows)
