"""Section *Aggregation*: may respondents be aggregated to municipalities? ICC and within-group agreement."""

from __future__ import annotations

import pandas as pd

from ..aggregation import icc, rwg
from ..notes import number
from ..small_cells import suppress_small_groups
from .base import Section, SectionResult
from .context import AnalysisContext

__all__ = ["section"]

#: Single-item agreement columns of :func:`analysis.rwg` under their multi-item names (rwg(1) = rwg).
_SINGLE_AS_J = {"var": "mean_var", "rwg": "rwg_j", "rwg_star": "rwg_star_j", "awg": "awg_j", "ad_mean": "ad_mean_j",
                "ad_median": "ad_median_j"}


def section(ctx: AnalysisContext, *, strict: bool = False) -> SectionResult:
    """Tables ``aggregation`` (ICC(1), ICC(2), REML ICC, rwg(j) summaries) and ``uebereinstimmung``."""
    sec = Section("aggregation", ctx, strict=strict)
    cfg, g, data = ctx.config, ctx.group, ctx.data
    if not ctx.constructs:
        return sec.result
    if data[g].nunique() < 2:
        sec.note("single_municipality", "ICC")
    agg = None
    with sec.part("ICC"):
        agg = icc(data, ctx.constructs, g, ci=cfg.ci)
        for r in agg.itertuples(index=False):
            if pd.notna(r.icc1) and r.icc1 < 0:
                sec.note("icc_negative", str(r.dv), variable=r.dv, icc=number(r.icc1))
    rwg_tabs = []
    for c, items in ctx.scales.items():
        with sec.part(c):
            sc = ctx.scale_of(c)
            r = rwg(ctx.keyed, items, g, n_options=sc.n_categories, scale_min=sc.min, min_n=cfg.min_n)
            if len(items) == 1:
                r = r.rename(columns=_SINGLE_AS_J).assign(n_items=1)
            r.insert(1, "construct", c)
            rwg_tabs.append(r)
    rwg_all = pd.concat(rwg_tabs, ignore_index=True) if rwg_tabs else None
    if agg is not None:
        if rwg_all is not None:
            ok = rwg_all[~rwg_all["below_min_n"].astype(bool)]
            agree = ok.groupby("construct").agg(
                rwg_j_median=("rwg_j", "median"),
                rwg_star_j_median=("rwg_star_j", "median"),
                share_rwg_70=("rwg_j", lambda s: float((s >= 0.70).mean())),
                ad_median=("ad_mean_j", "median"),
            )
            agg = agg.merge(agree, left_on="dv", right_index=True, how="left")
        agg.insert(1, "label", agg["dv"].map(ctx.labels))
        sec.add("aggregation", agg)
    if rwg_all is not None:
        rwg_all = ctx.with_names(rwg_all)
        keep = [c for c in (g, "construct", "name") if c in rwg_all.columns]
        sec.add("uebereinstimmung", suppress_small_groups(rwg_all, "n", cfg.min_n, keep=keep))
    return sec.result
