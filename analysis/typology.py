"""Typologies of municipalities and the strength of their support structures by type.

Two typologies answer the Baustein's question *which kinds of commitment go with strong
structures*:

* :func:`commitment_typology` (from the survey): municipal × civil-society commitment, each
  municipality mean above or below a threshold (default: the scale midpoint), giving
  *Partnerschaft* / *Kommunal getragen* / *Zivilgesellschaftlich getragen* / *Im Aufbau*.
* :func:`fact_typology` (from municipality facts): how firmly the process is anchored
  (council resolution, mayor, named contact, resources): *verbindlich verankert* / *teilweise
  verankert* / *informell*.

:func:`structure_by_type` compares an outcome (e.g. structure strength) between the types at
**municipality level** (one mean per municipality), because the type is a property of the
municipality: respondent-level tests would treat 20 respondents of one municipality as 20
independent replications of its type (pseudo-replication; Snijders & Bosker 2012, sec. 3.5).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .input_checks import check_columns, check_level
from .notes import analysis_error, items_text
from .small_cells import DEFAULT_MIN_N, suppress_small_groups

__all__ = [
    "COMMITMENT_TYPES",
    "FACT_TYPES",
    "TypeComparison",
    "commitment_typology",
    "fact_typology",
    "structure_by_type",
]

#: (German name, English name) of the commitment types, in display order.
COMMITMENT_TYPES: tuple[tuple[str, str], ...] = (
    ("Partnerschaft", "partnership"),
    ("Kommunal getragen", "municipality-led"),
    ("Zivilgesellschaftlich getragen", "civil-society-led"),
    ("Im Aufbau", "emerging"),
)
#: (German name, English name) of the fact-based types, strongest anchoring first.
FACT_TYPES: tuple[tuple[str, str], ...] = (
    ("verbindlich verankert", "firmly anchored"),
    ("teilweise verankert", "partly anchored"),
    ("informell", "informal"),
)
_EN = dict(COMMITMENT_TYPES) | dict(FACT_TYPES)


def _mean_ci(data: pd.DataFrame, col: str, group: str, ci: float) -> pd.DataFrame:
    """Per group: n, mean, sd, t-interval mean ± t_{n−1; (1+ci)/2}·s/√n."""
    x = pd.to_numeric(data[col], errors="coerce")
    g = data[group]
    ok = x.notna() & g.notna()
    agg = x[ok].groupby(g[ok], sort=True).agg(["count", "mean", "std"])
    n = agg["count"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        half = stats.t.ppf(0.5 + ci / 2, np.maximum(n - 1, 1)) * agg["std"].to_numpy() / np.sqrt(n)
    half = np.where(n >= 2, half, np.nan)
    return pd.DataFrame({
        "n": agg["count"].astype(int).to_numpy(),
        "mean": agg["mean"].to_numpy(),
        "sd": agg["std"].to_numpy(),
        "ci_low": agg["mean"].to_numpy() - half,
        "ci_high": agg["mean"].to_numpy() + half,
    }, index=agg.index)


def _classify(high_m: np.ndarray, high_c: np.ndarray) -> np.ndarray:
    names = [t[0] for t in COMMITMENT_TYPES]
    out = np.where(high_m & high_c, names[0],
                   np.where(high_m, names[1], np.where(high_c, names[2], names[3])))
    return out.astype(object)


def commitment_typology(
    data: pd.DataFrame,
    municipal: str,
    civil: str,
    group: str = "ags",
    threshold: float | tuple[float, float] | None = None,
    scale_range: tuple[float, float] = (1, 5),
    min_n: int = DEFAULT_MIN_N,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Classify municipalities by mean municipal and civil-society commitment.

    Parameters
    ----------
    data : pandas.DataFrame
        Respondent-level table with scale scores.
    municipal, civil : str
        Columns of the municipal and civil-society commitment scores (e.g. ``"kommunal"``,
        ``"zivil"``).
    group : str, default "ags"
        Municipality column.
    threshold : float or (float, float), optional
        Cut-off for "high" commitment (one value for both or one per dimension). Default: the
        midpoint of ``scale_range`` (3 on a 1–5 agreement scale = *teils/teils*).
    scale_range : (float, float), default (1, 5)
        Minimum and maximum of the scale (only used for the default threshold).
    min_n : int, default 5
        Municipalities with fewer respondents (on either score) get no type; their statistics are
        suppressed (small-cell rule).
    ci : float, default 0.95
        Confidence level of the per-municipality mean intervals.

    Returns
    -------
    pandas.DataFrame
        One row per municipality: ``<group>, n_municipal, mean_municipal, ci_low_municipal,
        ci_high_municipal, n_civil, mean_civil, ci_low_civil, ci_high_civil, type, type_en, certain,
        threshold_municipal, threshold_civil, suppressed``.

    Notes
    -----
    A dimension is *high* when the municipality mean is **strictly above** the threshold
    (a mean of exactly "teils/teils" is not yet commitment). Types: high/high → *Partnerschaft*
    (partnership), high municipal only → *Kommunal getragen* (municipality-led), high civil only
    → *Zivilgesellschaftlich getragen* (civil-society-led), neither → *Im Aufbau* (emerging).
    ``certain`` is True when neither t-interval (mean ± t·s/√n) contains its threshold, i.e.
    the type would not change within the sampling uncertainty of the two means.

    Checked against hand-computed means and t-intervals (``scipy.stats.t``) in
    ``tests/analysis/test_typology.py``; the t-interval equals R's ``t.test(x)$conf.int``.

    Examples
    --------
    >>> df = pd.DataFrame({"ags": ["a"] * 5 + ["b"] * 5,
    ...                    "kom": [4, 4, 5, 4, 4, 2, 2, 3, 2, 1],
    ...                    "ziv": [4, 5, 4, 4, 3, 4, 4, 5, 4, 4]})
    >>> commitment_typology(df, "kom", "ziv")[["ags", "type", "type_en"]].values.tolist()
    [['a', 'Partnerschaft', 'partnership'], ['b', 'Zivilgesellschaftlich getragen', 'civil-society-led']]
    """
    check_columns(data, [municipal, civil, group])
    check_level(ci)
    if threshold is None:
        thr_m = thr_c = (scale_range[0] + scale_range[1]) / 2
    elif isinstance(threshold, (tuple, list)):
        thr_m, thr_c = float(threshold[0]), float(threshold[1])
    else:
        thr_m = thr_c = float(threshold)
    m = _mean_ci(data, municipal, group, ci)
    c = _mean_ci(data, civil, group, ci)
    idx = m.index.union(c.index)
    m, c = m.reindex(idx), c.reindex(idx)
    out = pd.DataFrame({group: idx})
    for tag, t in (("municipal", m), ("civil", c)):
        out[f"n_{tag}"] = t["n"].fillna(0).astype(int).to_numpy()
        for k in ("mean", "ci_low", "ci_high"):
            out[f"{k}_{tag}"] = t[k].to_numpy()
    high_m = out["mean_municipal"].to_numpy() > thr_m
    high_c = out["mean_civil"].to_numpy() > thr_c
    types = _classify(high_m, high_c)
    certain = (
        ((out["ci_low_municipal"] > thr_m) | (out["ci_high_municipal"] < thr_m))
        & ((out["ci_low_civil"] > thr_c) | (out["ci_high_civil"] < thr_c))
    ).to_numpy()
    small = (out["n_municipal"] < min_n).to_numpy() | (out["n_civil"] < min_n).to_numpy()
    types[small] = None
    out["type"] = types
    out["type_en"] = [None if t is None else _EN[t] for t in types]
    out["certain"] = pd.array(np.where(small, None, certain), dtype="boolean")
    out["threshold_municipal"] = thr_m
    out["threshold_civil"] = thr_c
    out = suppress_small_groups(
        out, n_col=["n_municipal", "n_civil"], min_n=min_n,
        keep=[group, "type", "type_en", "certain", "threshold_municipal", "threshold_civil"],
    )
    return out


def _as_bool(s: pd.Series) -> pd.Series:
    """Facts given as bool, 0/1 or ja/nein text → nullable boolean."""
    if pd.api.types.is_bool_dtype(s):
        return s.astype("boolean")
    if pd.api.types.is_numeric_dtype(s):
        return (s != 0).astype("boolean").mask(s.isna())
    txt = s.astype("string").str.strip().str.lower()
    yes = txt.isin(["ja", "yes", "true", "wahr", "1", "x", "j", "y"])
    no = txt.isin(["nein", "no", "false", "falsch", "0", "n", ""])
    return pd.Series(pd.array(np.where(yes, True, np.where(no, False, None)), dtype="boolean"), index=s.index)


def fact_typology(
    municipalities: pd.DataFrame,
    group: str = "ags",
    council: str = "council_resolution",
    mayor: str = "mayor_involved",
    contact: str = "named_contact",
    resources: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Classify municipalities by how firmly the process is anchored, from municipality facts.

    Parameters
    ----------
    municipalities : pandas.DataFrame
        One row per municipality (extra rows per municipality, e.g. a respondent-level frame with
        repeated facts, are reduced to the first row per ``group``).
    group : str, default "ags"
    council, mayor, contact : str
        Boolean facts (bool, 0/1 or ja/nein): council resolution (*Ratsbeschluss*), mayor actively
        involved, named contact person (*Ansprechperson*). Pass ``None`` to leave one out.
    resources : mapping column → threshold, optional
        Resource facts and the value a municipality must **exceed** for the resource criterion
        (default ``{"staff_hours": 0, "budget_eur": 0, "rooms": 0}``: any staff time, budget or
        room). Columns absent from the table are ignored.

    Returns
    -------
    pandas.DataFrame
        ``<group>, crit_council, crit_mayor, crit_contact, crit_resources, score, score_max,
        type, type_en``.

    Notes
    -----
    Four criteria, each met or not: (1) council resolution, (2) mayor involved, (3) named
    contact, (4) resources (at least one resource above its threshold). With *s* = number met:

    * **verbindlich verankert** (firmly anchored): council resolution **and** s ≥ 3. A political
      mandate plus operational backing is what the Baustein calls *Verbindlichkeit*.
    * **informell** (informal): no council resolution **and** s ≤ 1.
    * **teilweise verankert** (partly anchored): everything in between.

    Missing facts are unknown, not "no": a municipality is typed only if the type is the same
    whether its unknown criteria are met or not; otherwise ``type`` is NA.

    Examples
    --------
    >>> m = pd.DataFrame({"ags": ["a", "b", "c"], "council_resolution": [True, False, False],
    ...                   "mayor_involved": [True, True, False], "named_contact": [True, True, False],
    ...                   "staff_hours": [10, 0, 0]})
    >>> fact_typology(m)["type"].tolist()
    ['verbindlich verankert', 'teilweise verankert', 'informell']
    """
    if resources is None:
        resources = {"staff_hours": 0, "budget_eur": 0, "rooms": 0}
    check_columns(municipalities, [group])
    facts = municipalities.drop_duplicates(subset=[group]).sort_values(group).reset_index(drop=True)
    out = pd.DataFrame({group: facts[group].to_numpy()})
    crit: dict[str, pd.Series] = {}
    for name, col in (("council", council), ("mayor", mayor), ("contact", contact)):
        if col is None:
            continue
        check_columns(facts, [col])
        crit[name] = _as_bool(facts[col])
    res_cols = [c for c in resources if c in facts.columns]
    if res_cols:
        met = pd.DataFrame({c: pd.to_numeric(facts[c], errors="coerce") > resources[c] for c in res_cols})
        known = pd.DataFrame({c: pd.to_numeric(facts[c], errors="coerce").notna() for c in res_cols})
        any_met = (met & known).any(axis=1)
        all_known = known.all(axis=1)
        crit["resources"] = pd.Series(
            pd.array(np.where(any_met, True, np.where(all_known, False, None)), dtype="boolean")
        )
    if "council" not in crit:
        raise analysis_error("fact_missing", column=council)
    for name, s in crit.items():
        out[f"crit_{name}"] = s.to_numpy()
    C = pd.DataFrame(crit)
    lo = C.fillna(False).astype(int).sum(axis=1).to_numpy()
    hi = C.fillna(True).astype(int).sum(axis=1).to_numpy()
    council_lo = C["council"].fillna(False).to_numpy(dtype=bool)
    council_hi = C["council"].fillna(True).to_numpy(dtype=bool)

    def rule(council_met: np.ndarray, s: np.ndarray) -> np.ndarray:
        return np.where(council_met & (s >= 3), FACT_TYPES[0][0],
                        np.where(~council_met & (s <= 1), FACT_TYPES[2][0], FACT_TYPES[1][0]))

    # every combination of unknowns lies between these extremes; the type is determined when the
    # pessimistic and optimistic completions agree (the rule is monotone in each criterion)
    t_lo, t_hi = rule(council_lo, lo), rule(council_hi, hi)
    types = np.where(t_lo == t_hi, t_lo, None).astype(object)
    out["score"] = pd.array(np.where(lo == hi, lo, None), dtype="Int64")
    out["score_max"] = len(crit)
    out["type"] = types
    out["type_en"] = [None if t is None else _EN[t] for t in types]
    return out


@dataclass(frozen=True)
class TypeComparison:
    """Result of :func:`structure_by_type` (three tidy tables)."""

    descriptives: pd.DataFrame
    omnibus: pd.DataFrame
    posthoc: pd.DataFrame
    unit: str = "municipality means"


def structure_by_type(
    data: pd.DataFrame,
    dv: str,
    type_col: str,
    group: str = "ags",
    min_n: int = DEFAULT_MIN_N,
    order: Sequence[str] | None = None,
    ci: float = 0.95,
) -> TypeComparison:
    """Compare an outcome between municipality types at municipality level.

    Parameters
    ----------
    data : pandas.DataFrame
        Respondent-level table with the outcome ``dv``, the municipality ``group`` and the type
        column ``type_col`` (constant within a municipality, e.g. merged from
        :func:`commitment_typology`).
    dv : str
        Outcome column (e.g. ``"struktur"``).
    type_col : str
        Column with the municipality type.
    group : str, default "ags"
    min_n : int, default 5
        Municipalities with fewer respondents are left out (small-cell rule); types with fewer
        than 2 municipalities are left out of the tests.
    order : sequence of str, optional
        Display order of the types (default: the commitment or fact types when they match).
    ci : float, default 0.95
        Confidence level of the intervals of the type means.

    Returns
    -------
    TypeComparison
        Frozen dataclass. ``descriptives``: per type ``type, n_municipalities, n_respondents, mean, sd, ci_low,
        ci_high`` (of municipality means). ``omnibus``: Welch ANOVA on municipality means with η²
        (CI), ω², ε² (from :func:`analysis.comparisons.compare_groups`). ``posthoc``:
        Games–Howell pairs with Hedges g (CI), raw, Holm- and BH-adjusted p.

    Notes
    -----
    Unit of analysis: the municipality mean ȳ_j (each municipality counts once). Welch's F
    (1951) and Games & Howell (1976) allow unequal variances and numbers of municipalities per
    type; see :mod:`analysis.comparisons` for formulas (checked there against pingouin).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"ags": np.repeat(np.arange(12), 6),
    ...                    "typ": np.repeat(["A", "B", "C"] * 4, 6)})
    >>> df["y"] = rng.normal(3, 1, len(df)) + (df["typ"] == "A")
    >>> res = structure_by_type(df, "y", "typ")
    >>> res.descriptives["n_municipalities"].astype(int).tolist()
    [4, 4, 4]
    """
    from .comparisons import compare_groups

    check_columns(data, [dv, type_col, group])
    check_level(ci)
    sub = data[[group, type_col, dv]].copy()
    sub[dv] = pd.to_numeric(sub[dv], errors="coerce")
    sub = sub.dropna(subset=[group, dv])
    n_types = sub.dropna(subset=[type_col]).groupby(group)[type_col].nunique()
    if (n_types > 1).any():
        raise analysis_error("not_constant_within_group", column=type_col,
                             examples=items_text(n_types[n_types > 1].index, limit=3))
    muni = sub.groupby(group, sort=True).agg(
        mean=(dv, "mean"), n=(dv, "size"), type=(type_col, "first")
    ).reset_index()
    muni = muni[(muni["n"] >= min_n) & muni["type"].notna()]
    agg = muni.groupby("type", sort=False).agg(
        n_municipalities=("mean", "size"), n_respondents=("n", "sum"), mean=("mean", "mean"), sd=("mean", "std")
    )
    if order is None:
        known = [t for t, _ in COMMITMENT_TYPES + FACT_TYPES]
        order = [t for t in known if t in agg.index] + sorted(t for t in agg.index if t not in known)
    agg = agg.reindex([t for t in order if t in agg.index])
    k = agg["n_municipalities"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        half = stats.t.ppf(0.5 + ci / 2, np.maximum(k - 1, 1)) * agg["sd"].to_numpy() / np.sqrt(k)
    desc = agg.reset_index().rename(columns={"index": "type"})
    desc["ci_low"] = desc["mean"] - np.where(k >= 2, half, np.nan)
    desc["ci_high"] = desc["mean"] + np.where(k >= 2, half, np.nan)
    desc["type_en"] = [_EN.get(t, t) for t in desc["type"]]
    desc = suppress_small_groups(desc, n_col="n_respondents", min_n=min_n, keep=["type", "type_en"])
    testable = agg.index[agg["n_municipalities"] >= 2]
    tmuni = muni[muni["type"].isin(testable)].rename(columns={"mean": dv})
    if len(testable) >= 2:
        cmp = compare_groups(tmuni, dv, "type", kind="scale", min_n=2)
        omnibus = cmp.omnibus.assign(unit="municipality means", n_municipalities=len(tmuni))
        posthoc = cmp.posthoc
    else:
        omnibus = pd.DataFrame({"test": ["Welch ANOVA"], "note": [
            "Weniger als zwei Typen mit je ≥ 2 Kommunen. / Fewer than two types with ≥ 2 municipalities."]})
        posthoc = pd.DataFrame()
    return TypeComparison(descriptives=desc, omnibus=omnibus, posthoc=posthoc)
