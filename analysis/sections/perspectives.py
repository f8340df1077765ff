"""Section *Perspektiven*: do the municipal side and civil society see municipal commitment alike?"""

from __future__ import annotations

from ..perspectives import perspective_gaps
from ..table_catalogue import ROLE_SETS
from .base import Section, SectionResult
from .context import AnalysisContext

__all__ = ["CIVIL_ROLES", "MUNICIPAL_ROLES", "section"]

#: Respondent roles of the municipal side (administration, mayor, council) ...
MUNICIPAL_ROLES = ROLE_SETS["@reference"]
#: ... and of civil society (associations, engaged citizens); the choices of the ``role`` field.
#: (Defined with the table catalogue, whose cells describe the two sides as populations.)
CIVIL_ROLES = ROLE_SETS["@comparison"]


def section(ctx: AnalysisContext, *, strict: bool = False) -> SectionResult:
    """Table ``perspektiven``: per municipality, municipal-side minus civil-side rating of municipal commitment."""
    sec = Section("perspektiven", ctx, strict=strict)
    m = ctx.roles.get("municipal_commitment")
    if m is None:
        code, params = ctx.role_missing("municipal_commitment")
        sec.note(code, "municipal_commitment", what=("Perspektiven", "perspective gaps"), **params)
        return sec.result
    if "role" not in ctx.data.columns:
        return sec.result
    with sec.part(m):
        pg = perspective_gaps(ctx.data, m, role="role", group=ctx.group, reference=list(MUNICIPAL_ROLES),
                              comparison=list(CIVIL_ROLES), min_n=ctx.config.min_n, ci=ctx.config.ci,
                              lang=ctx.config.lang)
        sec.add("perspektiven", ctx.with_names(pg))
    return sec.result
