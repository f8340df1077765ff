"""Per-municipality tables a profile needs beyond :func:`analysis.run`, computed once per dataset.

A profile names the statements with the lowest scores and the largest gap between roles on any
scale. ``analysis.run`` reports scale means and the role gap of municipal commitment; the item
means per municipality and the role gaps of the other scales are computed here with the
statistics of :mod:`analysis` (:func:`analysis.municipality_summary`,
:func:`analysis.perspective_gaps`), on the same wave and with the same small-cell rule, in one
vectorised pass for all municipalities (1,100 profiles must not mean 1,100 passes over the data).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .formatting import fill_names

__all__ = ["CIVIL_ROLES", "MUNICIPAL_ROLES", "ProfileData", "by_municipality", "role_construct", "suppressed_mask",
           "table_or_none", "with_ci_columns"]

#: Roles on the municipal and the civil-society side of a role gap (as in ``analysis.run``).
MUNICIPAL_ROLES = ("verwaltung", "buergermeister", "gemeinderat")
CIVIL_ROLES = ("verein", "engagiert")


#: Construct ids of the packaged instrument, for instruments that declare no construct roles.
_ROLE_IDS = {"municipal_commitment": "kommunal", "civil_commitment": "zivil", "structure": "struktur"}


def role_construct(instrument: Any, role: str) -> str | None:
    """The id of the construct playing ``role`` ("municipal_commitment", "civil_commitment", "structure").

    Taken from the constructs' declared ``role`` (as ``analysis.run`` does), else the packaged
    instrument's id when the instrument has it; None when no construct plays the role.
    """
    found = [c.id for c in instrument.constructs if getattr(c, "role", None) == role]
    if found:
        return found[0]
    default = _ROLE_IDS.get(role)
    return default if default in {c.id for c in instrument.constructs} else None


def with_ci_columns(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with interval columns named ``ci_low``/``ci_high`` (older tables say ``ci_lo``/``ci_hi``)."""
    ren = {c: c.replace("ci_lo", "ci_low", 1) if c.startswith("ci_lo") and not c.startswith("ci_low")
           else c.replace("ci_hi", "ci_high", 1) for c in table.columns
           if (c.startswith("ci_lo") and not c.startswith("ci_low")) or (c.startswith("ci_hi") and not c.startswith("ci_high"))}
    return table.rename(columns=ren) if ren else table


def by_municipality(table: pd.DataFrame | None, group: str = "ags") -> dict[str, pd.DataFrame]:
    """Split a result table into one frame per municipality (AGS as text), in one pass."""
    if table is None or table.empty or group not in table.columns:
        return {}
    t = with_ci_columns(table)
    return {str(k): v for k, v in t.groupby(t[group].astype(str), sort=False)}


def table_or_none(results: Any, name: str) -> pd.DataFrame | None:
    """The result table ``name``, or None when the analysis did not produce it."""
    return results.tables.get(name)


def suppressed_mask(t: pd.DataFrame) -> pd.Series:
    """Boolean mask of the rows suppressed by the small-cell rule; a missing flag counts as suppressed.

    >>> suppressed_mask(pd.DataFrame({"suppressed": [False, None, True]})).tolist()
    [False, True, True]
    """
    if "suppressed" not in t.columns:
        return pd.Series(False, index=t.index)
    s = t["suppressed"]
    if pd.api.types.is_bool_dtype(s) and not s.isna().any():  # the usual case, vectorised
        return s.astype(bool)
    return t["suppressed"].astype(object).map(lambda v: True if v is None or v is pd.NA or v != v else bool(v)).astype(bool)


def _visible(t: pd.DataFrame) -> pd.DataFrame:
    return t[~suppressed_mask(t)]


def _named(t: pd.DataFrame | None) -> pd.DataFrame | None:
    return None if t is None else fill_names(t)


@dataclass
class ProfileData:
    """Everything a municipality profile looks up, indexed by AGS.

    Attributes
    ----------
    funnel, waves, overview : dict of AGS -> DataFrame
        Rows of the result tables ``funnel``, ``wellen`` and ``kommunen_uebersicht``.
    items : dict of AGS -> DataFrame
        Item means of the municipality (``item, n, mean, keyed_mean, reverse, suppressed``);
        ``keyed_mean`` is the mean with reverse-keyed items turned round (low = weak).
    state_items : Series
        Mean of the visible municipality means per item (keyed), the profile's state reference.
    gaps : dict of AGS -> DataFrame
        Role gap (municipal side − civil side) per scale: ``construct, gap, ci_low, ci_high, p,
        n_reference, n_comparison, suppressed``.
    pooled_gaps : DataFrame
        The pooled gap of ``analysis.run`` (municipal commitment), if present.
    """

    funnel: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    waves: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    overview: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    items: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    state_items: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    gaps: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    pooled_gaps: pd.DataFrame = field(default_factory=pd.DataFrame)
    min_n: int = 5

    @classmethod
    def build(cls, dataset: Any, results: Any, frame: pd.DataFrame | None = None) -> ProfileData:
        """Compute the derived tables from the dataset and index every table by AGS.

        Parameters
        ----------
        dataset : surveys.dataset.Dataset
        results : analysis.Results
            Its configuration (minimum cell size, wave) is used for the derived tables too.
        frame : DataFrame, optional
            The scored respondent frame (:func:`analysis.score_dataset`), if already at hand.
        """
        from analysis import municipality_summary, perspective_gaps
        from analysis.pipeline import score_dataset
        from core.errors import AnalysisError

        cfg = results.config
        min_n = int(cfg.min_n)
        g = cfg.group
        inst = dataset.instrument
        if frame is None:
            frame, _ = score_dataset(dataset, cfg)
        wave = results.meta.get("wave")
        if wave is not None and "wave" in frame.columns:
            frame = frame[frame["wave"].astype(str) == str(wave)]
        # items and scales without a single valid answer in the wave (not mapped, never answered) are
        # left out here; the analysis notes name them
        items = [c for c in inst.item_codes if c in frame.columns and frame[c].notna().any()]
        item_tab = pd.DataFrame()
        state = pd.Series(dtype=float)
        if items and len(frame):
            item_tab = municipality_summary(frame, items, group=g, min_n=min_n, shrinkage="anova")
            item_tab = item_tab.rename(columns={"variable": "item"})[[g, "item", "n", "mean", "suppressed"]]
            rev = {i.code: i.reverse for i in inst.items}
            span = {i.code: inst.scales[i.scale].min + inst.scales[i.scale].max for i in inst.items}
            item_tab["reverse"] = item_tab["item"].map(rev).fillna(False).astype(bool)
            item_tab["keyed_mean"] = np.where(item_tab["reverse"], item_tab["item"].map(span) - item_tab["mean"],
                                              item_tab["mean"])
            state = _visible(item_tab).groupby("item")["keyed_mean"].mean()
        gap_rows = []
        constructs = [c.id for c in inst.constructs if c.id in frame.columns and frame[c.id].notna().any()]
        if "role" in frame.columns and len(frame):
            for c in constructs:
                try:
                    gt = perspective_gaps(frame, c, role="role", group=g, reference=list(MUNICIPAL_ROLES),
                                          comparison=list(CIVIL_ROLES), min_n=min_n, pooled=False)
                except AnalysisError:  # one side not surveyed at all: the profile says "too few answers"
                    continue
                gap_rows.append(with_ci_columns(gt).assign(construct=c))
        gaps = pd.concat(gap_rows, ignore_index=True) if gap_rows else pd.DataFrame()
        pooled = pd.DataFrame()
        if "perspektiven" in results:
            p = with_ci_columns(results["perspektiven"])
            pooled = p[p["level"] != "municipality"] if "level" in p.columns else p.iloc[0:0]
        return cls(
            funnel=by_municipality(table_or_none(results, "funnel"), g),
            waves=by_municipality(table_or_none(results, "wellen"), g),
            overview=by_municipality(_named(table_or_none(results, "kommunen_uebersicht")), g),
            items=by_municipality(item_tab, g),
            state_items=state,
            gaps=by_municipality(gaps, g),
            pooled_gaps=pooled,
            min_n=min_n,
        )
