"""Section *Reliabilität*: alpha, omega and item analysis per construct, per role and per municipality."""

from __future__ import annotations

import pandas as pd

from ..notes import items_text
from ..reliability import cronbach_alpha, mcdonald_omega, reliability_by_group
from ..small_cells import suppress_small_groups
from .base import Section, SectionResult
from .context import AnalysisContext

__all__ = ["section"]


def section(ctx: AnalysisContext, *, strict: bool = False) -> SectionResult:
    """Tables ``reliabilitaet``, ``itemanalyse``, ``reliabilitaet_rolle``, ``reliabilitaet_kommune``.

    A one-item construct is reported as an item (``construct_single_item``); alpha needs two
    items, omega three; a construct that cannot be estimated gets a note and the others are kept.
    """
    sec = Section("reliabilitaet", ctx, strict=strict)
    cfg, inst, keyed = ctx.config, ctx.instrument, ctx.keyed
    rel_rows, item_tabs = [], []
    for c, items in ctx.scales.items():
        if len(items) < 2:
            sec.note("construct_single_item", c, items=items_text(items))
            continue
        with sec.part(c):
            a = cronbach_alpha(keyed, items, ci=cfg.ci)
            row = {"construct": c, "label": ctx.labels.get(c, c), "k": a.k, "n": a.n, "raw_alpha": a.raw_alpha,
                   "std_alpha": a.std_alpha, "ci_low": a.ci_low, "ci_high": a.ci_high, "ase": a.ase, "g6": a.g6,
                   "average_r": a.average_r, "omega_total": float("nan"), "omega_obs": float("nan"),
                   "omega_converged": False, "omega_mixed_signs": False, "mean": a.mean, "sd": a.sd}
            rel_rows.append(row)
            it = a.item_table
            it.insert(1, "construct", c)
            it.insert(2, "label", [inst.item(i).label(cfg.lang) for i in it["item"]])
            it.insert(3, "reverse", [inst.item(i).reverse for i in it["item"]])
            item_tabs.append(it)
            if len(items) < 3:
                sec.note("too_few_items", c, severity="info", what="Omega", needed=3, k=len(items))
                continue
            o = mcdonald_omega(keyed, items, seed=cfg.seed)  # if it fails, only omega is lost (a note)
            row.update(omega_total=o.omega_total, omega_obs=o.omega_obs, omega_converged=o.converged,
                       omega_mixed_signs=o.mixed_signs)
    if rel_rows:
        rel = pd.DataFrame(rel_rows)
        sec.add("reliabilitaet", suppress_small_groups(rel, "n", cfg.min_n, keep=["construct", "label", "k"]))
        items_tab = pd.concat(item_tabs, ignore_index=True)
        sec.add("itemanalyse",
                suppress_small_groups(items_tab, "n", cfg.min_n, keep=["item", "construct", "label", "reverse"]))
    multi = ctx.multi_item
    if multi and "role" in keyed.columns:
        with sec.part("role"):
            rel_role = reliability_by_group(keyed, multi, group="role", min_n=cfg.min_n, ci=cfg.ci)
            sec.add("reliabilitaet_rolle", suppress_small_groups(rel_role, "n", cfg.min_n, keep=["role", "scale"]))
    if multi:
        with sec.part(ctx.group):
            rel_muni = reliability_by_group(keyed, multi, group=ctx.group, min_n=cfg.min_n, ci=cfg.ci)
            sec.add("reliabilitaet_kommune",
                    suppress_small_groups(rel_muni, "n", cfg.min_n, keep=[ctx.group, "scale"]))
    return sec.result
