"""Statistics on tidy survey tables: scoring, reliability, aggregation, comparisons, models.

Every public function takes a tidy :class:`pandas.DataFrame` plus column names and returns a tidy
DataFrame or a small frozen dataclass; none reads or writes files. They work on any survey data,
not only on the instruments shipped with baustein-eval.

>>> import analysis
>>> sorted(analysis.__all__)[:3]
['AlphaResult', 'AnalysisConfig', 'ComparisonResult']
"""

from __future__ import annotations

from .aggregation import group_mean_reliability, icc, null_variance, rwg, rwg_critical_value
from .comparisons import (
    ComparisonResult,
    adjust_pvalues,
    anova_oneway,
    compare_groups,
    dunn_test,
    games_howell,
    kruskal,
    welch_anova,
)
from .descriptives import likert_frequencies, municipality_summary, share_agree
from .funnel import FunnelResult, binomial_limits, funnel_limits
from .hypotheses import evaluate_hypotheses
from .multilevel import MultilevelResult, fit_multilevel
from .perspectives import perspective_gaps
from .pipeline import run
from .reliability import (
    AlphaResult,
    OmegaResult,
    cronbach_alpha,
    item_analysis,
    mcdonald_omega,
    mcdonald_omega_cfa,
    reliability_by_group,
)
from .results import AnalysisConfig, Results, TableDoc
from .scoring import reverse_items, scales_from_instrument, score_scales
from .small_cells import suppress_small_groups
from .typology import commitment_typology, fact_typology, structure_by_type
from .waves import did_estimate, wave_change

__all__ = [
    "AlphaResult",
    "AnalysisConfig",
    "ComparisonResult",
    "FunnelResult",
    "MultilevelResult",
    "OmegaResult",
    "Results",
    "TableDoc",
    "adjust_pvalues",
    "anova_oneway",
    "binomial_limits",
    "commitment_typology",
    "compare_groups",
    "cronbach_alpha",
    "did_estimate",
    "dunn_test",
    "evaluate_hypotheses",
    "fact_typology",
    "fit_multilevel",
    "funnel_limits",
    "games_howell",
    "group_mean_reliability",
    "icc",
    "item_analysis",
    "kruskal",
    "likert_frequencies",
    "mcdonald_omega",
    "mcdonald_omega_cfa",
    "municipality_summary",
    "null_variance",
    "perspective_gaps",
    "reliability_by_group",
    "reverse_items",
    "run",
    "rwg",
    "rwg_critical_value",
    "scales_from_instrument",
    "score_scales",
    "share_agree",
    "structure_by_type",
    "suppress_small_groups",
    "wave_change",
    "welch_anova",
]
