"""Section *Datenqualität*: who answered, what is missing, who straight-lined (all waves)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..small_cells import suppress_small_groups
from .base import Section, SectionResult
from .context import AnalysisContext

__all__ = ["section"]

#: A respondent straight-lines when all of at least this many answered items have the same answer.
STRAIGHT_MIN_ITEMS = 10


def section(ctx: AnalysisContext, *, strict: bool = False) -> SectionResult:
    """Tables ``antworten_kommune_rolle``, ``fehlende_werte``, ``straightlining``."""
    sec = Section("datenqualitaet", ctx, strict=strict)
    g, cfg, frame = ctx.group, ctx.config, ctx.all_waves
    with sec.part("antworten_kommune_rolle"):
        keys = [c for c in (g, "wave", "role") if c in frame.columns]
        counts = frame.groupby(keys, observed=True, dropna=False).size().rename("n").reset_index()
        counts = ctx.with_names(counts)
        counts = counts[[c for c in (g, "name", "wave", "role", "n") if c in counts.columns]]
        sec.add("antworten_kommune_rolle",
                suppress_small_groups(counts, "n", cfg.min_n, keep=[c for c in counts.columns if c != "n"]))
    with sec.part("fehlende_werte"):
        sec.add("fehlende_werte", _missingness(ctx))
    with sec.part("straightlining"):
        items = [i for i in ctx.instrument.item_codes if i in frame.columns]
        sl = _straightlining(frame, items, g)
        sec.add("straightlining", suppress_small_groups(sl, "n", cfg.min_n, keep=[g]))
    if "role" in frame.columns and frame["role"].nunique(dropna=True) == 1:
        sec.note("single_role", "role", role=str(frame["role"].dropna().iloc[0]))
    return sec.result


def _missingness(ctx: AnalysisContext) -> pd.DataFrame:
    """Share of missing answers per item and reason (of all respondents, all waves)."""
    inst = ctx.instrument
    resp = ctx.dataset.responses
    n = len(ctx.dataset.respondents)
    reasons = ["dont_know", "no_answer", "not_shown", "invalid"]
    if len(resp):
        tab = resp.groupby(["item", "missing_reason"], observed=True, dropna=True).size().unstack(fill_value=0)
    else:
        tab = pd.DataFrame(index=inst.item_codes)
    tab = tab.reindex(index=inst.item_codes, columns=reasons, fill_value=0).fillna(0)
    out = (tab / max(n, 1)).reset_index().rename(columns={"index": "item"})
    out.columns = ["item", *reasons]
    out["missing"] = out[reasons].sum(axis=1)
    out.insert(1, "construct", [inst.item(i).construct for i in out["item"]])
    out.insert(2, "label", [inst.item(i).label(ctx.config.lang) for i in out["item"]])
    out.insert(3, "n", n)
    return out


def _straightlining(data: pd.DataFrame, items: list[str], group: str) -> pd.DataFrame:
    """Per group: respondents, and those giving one answer to every item (≥ :data:`STRAIGHT_MIN_ITEMS` answered)."""
    x = data[items].to_numpy(dtype=float) if items else np.empty((len(data), 0))
    answered = (~np.isnan(x)).sum(axis=1)
    mn = np.min(np.where(np.isnan(x), np.inf, x), axis=1, initial=np.inf)
    mx = np.max(np.where(np.isnan(x), -np.inf, x), axis=1, initial=-np.inf)
    straight = (answered >= STRAIGHT_MIN_ITEMS) & (mn == mx)
    df = pd.DataFrame({group: data[group].to_numpy(), "straight": straight})
    out = df.groupby(group, observed=True).agg(n=("straight", "size"), n_straight=("straight", "sum")).reset_index()
    out["share"] = out["n_straight"] / out["n"]
    return out
