"""Section *Wellen*: change between the first and the last wave, and the programme effect (DiD).

The waves compared are the first and the last *substantial* wave (:mod:`analysis.wave_choice`):
a typo label with a handful of respondents is not compared with a whole survey wave.
"""

from __future__ import annotations

from ..notes import items_text
from ..waves import did_estimate, wave_change
from .base import Section, SectionResult
from .context import AnalysisContext

__all__ = ["section"]


def section(ctx: AnalysisContext, *, strict: bool = False) -> SectionResult:
    """Tables ``wellen`` (change per municipality and construct) and ``did`` (funded vs. not funded)."""
    sec = Section("wellen", ctx, strict=strict)
    cfg, g = ctx.config, ctx.group
    if len(ctx.waves) < 2:
        sec.note("single_wave", "wellen", wave=ctx.wave or "–",
                 what=("Veränderung zwischen Wellen und Differenz-von-Differenzen",
                       "change between waves and difference-in-differences"))
        return sec.result
    compared = ctx.substantial_waves or ctx.waves
    if len(compared) < 2:
        small = [w for w in ctx.waves if w not in compared]
        sec.note("single_substantial_wave", "wellen", wave=compared[0], small=items_text(small),
                 what=("Veränderung zwischen Wellen und Differenz-von-Differenzen",
                       "change between waves and difference-in-differences"))
        return sec.result
    if not ctx.constructs:
        return sec.result
    first, last = compared[0], compared[-1]
    frame = ctx.all_waves
    with sec.part("wellen"):
        wc = wave_change(frame, ctx.constructs, group=g, wave="wave", waves=(first, last), min_n=cfg.min_n,
                         ci=cfg.ci)
        if len(wc):
            sec.add("wellen", ctx.with_names(wc), wave_from=first, wave_to=last)
        if not len(wc) or wc["suppressed"].astype(bool).all():
            sec.note("no_common_municipalities", "wellen", first=first, last=last, min_n=cfg.min_n)
    if frame["funded"].nunique(dropna=True) != 2:
        sec.note("no_funding_data", "did")
        return sec.result
    with sec.part("did"):
        sec.add("did", did_estimate(frame, ctx.constructs, group=g, wave="wave", treated="funded",
                                    waves=(first, last), min_n=cfg.min_n, ci=cfg.ci))
    return sec.result
