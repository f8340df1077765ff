"""Section *Kommunen*: municipality means, overview, funnel limits, comparisons and Likert tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..comparisons import compare_groups
from ..descriptives import likert_frequencies, municipality_summary
from ..funnel import funnel_limits
from ..notes import fact_label, items_text
from ..small_cells import suppress_small_groups
from .base import Section, SectionResult
from .context import AnalysisContext

__all__ = ["COMPARISON_COLUMNS", "OVERVIEW_COLUMNS", "section"]

#: Municipality columns whose groups are compared (size class, district, funding cohort).
COMPARISON_COLUMNS = ("size_class", "district", "cohort")
#: Master-data columns shown in ``kommunen_uebersicht``.
OVERVIEW_COLUMNS = ("ags", "name", "district", "size_class", "cohort", "population", "council_resolution",
                    "mayor_involved", "named_contact")


def section(ctx: AnalysisContext, *, strict: bool = False) -> SectionResult:
    """Tables ``kommunen``, ``kommunen_uebersicht``, ``funnel``, ``funnel_grenzen``, ``vergleich_omnibus``,
    ``vergleich_posthoc``, ``likert``, ``likert_rolle``."""
    sec = Section("kommunen", ctx, strict=strict)
    cfg, g, data = ctx.config, ctx.group, ctx.data
    constructs = ctx.constructs
    label_cols = tuple(c for c in ("name", "district", "size_class", "cohort") if c in data.columns)
    if constructs:
        with sec.part("kommunen"):
            sec.add("kommunen", municipality_summary(data, constructs, group=g, ci=cfg.ci, min_n=cfg.min_n,
                                                     label_cols=label_cols))
    with sec.part("kommunen_uebersicht"):
        sec.add("kommunen_uebersicht", _overview(ctx, sec))
    n_groups = int(data[g].nunique())
    if n_groups < 2:
        sec.note("single_municipality", "funnel")
    elif constructs:
        _funnels(ctx, sec)
    _comparisons(ctx, sec)
    _likert(ctx, sec)
    return sec.result


def _overview(ctx: AnalysisContext, sec: Section) -> pd.DataFrame:
    """Master data and respondents per municipality (municipalities without answers with n = 0)."""
    g, cfg = ctx.group, ctx.config
    wave = ctx.all_waves if ctx.wave is None else ctx.all_waves[ctx.all_waves["wave"] == ctx.wave]
    over = wave.groupby(g, observed=True).size().rename("n").reset_index()  # with the municipalities below min_n
    m = ctx.municipalities
    if ctx.has_master_data:
        keep_cols = [c for c in OVERVIEW_COLUMNS if c in m.columns]
        over = m[keep_cols].merge(over, left_on="ags", right_on=g, how="left")
        over["n"] = over["n"].fillna(0).astype(int)
        if g != "ags":
            over = over.drop(columns=[g]).rename(columns={"ags": g})
        _unanswered(ctx, sec, over.loc[over["n"] == 0, g].astype(str).tolist())
    else:
        sec.note("no_municipality_data", "kommunen_uebersicht", what=("Stammdaten in der Übersicht", "master data in the overview"))
    return suppress_small_groups(over, "n", cfg.min_n, keep=[c for c in over.columns if c != "n"])


def _unanswered(ctx: AnalysisContext, sec: Section, absent: list[str]) -> None:
    """Notes on master-data municipalities without answers in the wave used: in no wave at all
    (``municipalities_without_answers``), or only in other waves (``municipalities_absent_in_wave``)."""
    if not absent:
        return
    g = ctx.group
    answered = set(ctx.all_waves[g].dropna().astype(str)) if g in ctx.all_waves.columns else set()
    names = ctx.names
    name_of = dict(zip(names["ags"].astype(str), names["name"], strict=False)) if names is not None else {}

    def text(ags: list[str]) -> str:
        shown = [f"{name_of[a]} ({a})" if isinstance(name_of.get(a), str) and name_of[a] else a for a in ags]
        return items_text(shown, limit=5)

    never = [a for a in absent if a not in answered]
    elsewhere = [a for a in absent if a in answered]
    if never:
        sec.note("municipalities_without_answers", "kommunen_uebersicht", n=len(never), examples=text(never))
    if elsewhere and ctx.wave is not None:
        sec.note("municipalities_absent_in_wave", "kommunen_uebersicht", n=len(elsewhere), wave=ctx.wave,
                 examples=text(elsewhere))


def _funnels(ctx: AnalysisContext, sec: Section) -> None:
    cfg, g, data = ctx.config, ctx.group, ctx.data
    funnels, curves = [], []
    for c in ctx.constructs:
        with sec.part(c):
            fr = funnel_limits(data, c, group=g, kind="mean", levels=(0.95, 0.998),
                               overdispersion=cfg.funnel_overdispersion, min_n=cfg.min_n,
                               label_cols=("name",) if "name" in data.columns else ())
            u = fr.units.copy()
            u.insert(1, "construct", c)
            u["target"], u["phi"], u["tau2"] = fr.target, fr.phi, fr.tau2
            ns = u["n"].dropna()
            grid = np.unique(np.linspace(max(cfg.min_n, float(ns.min()) * 0.8 if len(ns) else cfg.min_n),
                                         float(ns.max()) * 1.1 if len(ns) else 50, 60).round(1))
            cv = fr.curve(grid)
            cv.insert(0, "construct", c)
            funnels.append(u)
            curves.append(cv)
    if funnels:
        sec.add("funnel", pd.concat(funnels, ignore_index=True))
        sec.add("funnel_grenzen", pd.concat(curves, ignore_index=True))


def _comparisons(ctx: AnalysisContext, sec: Section) -> None:
    cfg, data = ctx.config, ctx.data
    omni, post = [], []
    if not ctx.has_master_data:
        sec.note("no_municipality_data", "vergleich",
                 what=("Vergleich nach Größenklasse, Landkreis und Kohorte",
                       "comparison by size class, district and cohort"))
    for by in COMPARISON_COLUMNS:
        if not ctx.has_master_data:
            break
        if by not in data.columns or data[by].notna().sum() == 0:
            name = fact_label(by)
            de, en = name if isinstance(name, tuple) else (name, name)
            sec.note("municipality_column_missing", by, column=name, what=(f"Vergleich nach '{de}'", f"comparison by '{en}'"))
            continue
        k = int(data[by].nunique(dropna=True))
        if k < 2:
            sec.note("too_few_groups", by, n=k, needed=2, variable=fact_label(by))
            continue
        if k > cfg.max_posthoc_groups:
            sec.note("posthoc_limited", by, k=k, by=by, max=cfg.max_posthoc_groups)
        for c in ctx.constructs:
            with sec.part(f"{by}: {c}"):
                cr = compare_groups(data, c, by, kind="scale", p_adjust=cfg.p_adjust, min_n=cfg.min_n,
                                    max_posthoc_groups=cfg.max_posthoc_groups)
                omni.append(cr.omnibus.assign(by=by)[["by", *cr.omnibus.columns]])
                if len(cr.posthoc):
                    p = cr.posthoc.copy()
                    p.insert(0, "by", by)
                    p.insert(1, "dv", c)
                    post.append(p)
    if omni:
        sec.add("vergleich_omnibus", pd.concat(omni, ignore_index=True))
    if post:
        postt = pd.concat(post, ignore_index=True)
        sec.add("vergleich_posthoc",
                suppress_small_groups(postt, ["n_A", "n_B"], cfg.min_n, keep=["by", "dv", "A", "B"]))


def _likert(ctx: AnalysisContext, sec: Section) -> None:
    """Response distributions of every item with answers, item by item on its own scale."""
    cfg, inst, data = ctx.config, ctx.instrument, ctx.data
    by_scale: dict[str, list[str]] = {}
    for its in ctx.scales.values():
        for i in its:
            by_scale.setdefault(inst.item(i).scale, []).append(i)
    for name, group in (("likert", None), ("likert_rolle", "role")):
        if group is not None and group not in data.columns:
            continue
        parts = []
        with sec.part(name):
            for scale_id, items in by_scale.items():
                codes = inst.scales[scale_id].valid_codes
                parts.append(likert_frequencies(data, items, group=group, codes=codes, min_n=cfg.min_n))
        if parts:
            sec.add(name, pd.concat(parts, ignore_index=True))
