"""The sections of :func:`analysis.run`, one module each, in pipeline order.

Each section is a function ``section(ctx, *, strict=False) -> SectionResult`` that computes its
result tables from the shared :class:`~analysis.sections.context.AnalysisContext` and returns them
with their documentation (:data:`analysis.table_catalogue.TABLES`) and its **notes**: every part
of a section (one construct, one comparison, one model) runs inside :meth:`Section.part`, so a part
that cannot be estimated becomes a note naming the cause, and everything else is still computed.

=====================  ===========================================================================
:mod:`.data_quality`   responses per municipality and role, missing answers, straight-lining
:mod:`.reliability`    alpha, omega and item analysis per construct, per role, per municipality
:mod:`.aggregation`    ICC(1)/ICC(2)/REML ICC and within-municipality agreement (rwg, awg)
:mod:`.municipalities` municipality means, overview, funnel limits, comparisons, Likert tables
:mod:`.commitment`     kinds of commitment vs. structures: typologies, model, hypotheses
:mod:`.perspectives`   perspective gaps between municipal and civil-society respondents
:mod:`.waves`          change between waves and difference-in-differences
=====================  ===========================================================================
"""

from __future__ import annotations

from .base import Section, SectionResult
from .context import AnalysisContext, build_context

__all__ = ["AnalysisContext", "Section", "SectionResult", "build_context"]
