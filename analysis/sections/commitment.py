"""Section *Engagement*: which kinds of commitment go with strong support structures.

The constructs come from the instrument's **roles** (``municipal_commitment``,
``civil_commitment``, ``structure``), never from construct ids; without them the section is a
note. Parts: the survey typology, the fact typology (municipality master data), structure strength
by type with tests, the random-intercept model and the Baustein's statements as hypotheses.
"""

from __future__ import annotations

import warnings

import pandas as pd

from ..descriptives import municipality_summary
from ..hypotheses import evaluate_hypotheses
from ..multilevel import fit_multilevel
from ..notes import items_text
from ..typology import commitment_typology, fact_typology, structure_by_type
from .base import Section, SectionResult
from .context import AnalysisContext

__all__ = ["FACT_COLUMNS", "ROLES", "section"]

#: The roles the section needs, with what is lost without them.
ROLES = ("municipal_commitment", "civil_commitment", "structure")
#: Municipality facts compared one by one (yes/no).
FACT_COLUMNS = ("council_resolution", "mayor_involved", "named_contact", "rooms")


def section(ctx: AnalysisContext, *, strict: bool = False) -> SectionResult:
    """Tables ``typologie``, ``typologie_fakten``, ``struktur_nach_typ``, ``struktur_typ_tests``, ``modell``,
    ``modell_kennwerte``, ``hypothesen``."""
    sec = Section("engagement", ctx, strict=strict)
    missing = [r for r in ROLES if r not in ctx.roles]
    if missing:
        for role in missing:
            code, params = ctx.role_missing(role)
            sec.note(code, role, what=("Typologie, Mehrebenenmodell und Hypothesen", "typology, model and hypotheses"),
                     **params)
        return sec.result
    m, c, s = (ctx.roles[r] for r in ROLES)
    cfg, g = ctx.config, ctx.group
    data = ctx.data
    scale = ctx.scale_of(m)
    n_ok = int((data.groupby(g)[s].count() >= cfg.min_n).sum())
    if n_ok < 2:
        sec.note("too_few_municipalities", "engagement", n=n_ok, min_n=cfg.min_n,
                 what=("Typvergleiche, Modell und Hypothesen", "type comparisons, model and hypotheses"))
    struct_types: list[pd.DataFrame] = []
    tests: list[pd.DataFrame] = []
    with sec.part("typologie"):
        typ = commitment_typology(data, m, c, group=g, threshold=cfg.typology_threshold,
                                  scale_range=(scale.min, scale.max), min_n=cfg.min_n, ci=cfg.ci)
        smean = municipality_summary(data, s, group=g, ci=cfg.ci, min_n=cfg.min_n)[[g, "mean", "ci_low", "ci_high"]]
        smean = smean.rename(columns={"mean": "mean_structure", "ci_low": "ci_low_structure",
                                      "ci_high": "ci_high_structure"})
        typ = ctx.with_names(typ.merge(smean, on=g, how="left"))
        sec.add("typologie", typ)
        data = data.merge(typ[[g, "type"]].rename(columns={"type": "commitment_type"}), on=g, how="left")
        with sec.part("typologie: Befragung"):
            stc = structure_by_type(data, s, "commitment_type", group=g, min_n=cfg.min_n, ci=cfg.ci)
            struct_types.append(stc.descriptives.assign(typology="Befragung"))
            tests.append(_type_tests(stc, "Befragung"))
    data = _fact_typology(ctx, sec, data, s, struct_types, tests)
    if struct_types:
        sec.add("struktur_nach_typ", pd.concat(struct_types, ignore_index=True))
    if tests:
        sec.add("struktur_typ_tests", pd.concat(tests, ignore_index=True))
    _model(ctx, sec, data, m, c, s)
    with sec.part("hypothesen"):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            hyp = evaluate_hypotheses(data, group=g, municipal=m, civil=c, structure=s, midpoint=scale.midpoint,
                                      threshold=cfg.typology_threshold, smallest_effect=cfg.smallest_effect,
                                      ci=cfg.ci, min_n=cfg.min_n)
        sec.add("hypothesen", _notes_in_language(ctx, hyp, caught))
    return sec.result


def _notes_in_language(ctx: AnalysisContext, hyp: pd.DataFrame, caught: list[warnings.WarningMessage]) -> pd.DataFrame:
    """``hyp`` with the reason of each untestable hypothesis in the run's language and with display names.

    The warnings are issued again, so that :meth:`Section.part` turns them into notes.
    """
    reasons: dict[str, str] = {}
    for w in caught:
        problem = getattr(w.message, "problem", None)
        if problem is not None and problem.code == "hypothesis_not_testable":
            reasons[str(problem.params.get("hypothesis"))] = ctx.display.apply(problem).params["reason"]
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if reasons and "note" in hyp.columns:
        lang = ctx.config.lang
        hyp = hyp.assign(note=[r.message(lang) if (r := reasons.get(str(k))) is not None else n
                               for k, n in zip(hyp["hypothesis"], hyp["note"], strict=True)])
    return hyp


def _fact_typology(ctx: AnalysisContext, sec: Section, data: pd.DataFrame, s: str, struct_types: list[pd.DataFrame],
                   tests: list[pd.DataFrame]) -> pd.DataFrame:
    """Fact typology and structure by each fact; ``data`` with ``fact_type`` (when computed)."""
    cfg, g, muni = ctx.config, ctx.group, ctx.municipalities
    if not ctx.has_master_data:
        sec.note("no_municipality_data", "typologie_fakten",
                 what=("Typologie nach Kommunendaten und Vergleich nach Ratsbeschluss",
                       "fact typology and comparison by council resolution"))
        return data
    if "council_resolution" not in muni.columns or muni["council_resolution"].notna().sum() == 0:
        sec.note("municipality_column_missing", "typologie_fakten", column="council_resolution",
                 what=("Typologie nach Kommunendaten", "fact typology"))
    else:
        with sec.part("typologie_fakten"):
            ft = fact_typology(muni, group="ags")
            sec.add("typologie_fakten", ft)
            data = data.merge(ft[["ags", "type"]].rename(columns={"ags": g, "type": "fact_type"}), on=g, how="left")
            stf = structure_by_type(data, s, "fact_type", group=g, min_n=cfg.min_n, ci=cfg.ci)
            struct_types.append(stf.descriptives.assign(typology="Kommunendaten"))
            tests.append(_type_tests(stf, "Kommunendaten"))
    for fact in FACT_COLUMNS:
        if fact not in data.columns or not data[fact].notna().any():
            continue
        with sec.part(fact):
            col = f"{fact}_label"
            data[col] = data[fact].map(lambda v: None if pd.isna(v) else ("ja" if bool(v) else "nein"))
            stx = structure_by_type(data, s, col, group=g, min_n=cfg.min_n, order=["ja", "nein"], ci=cfg.ci)
            struct_types.append(stx.descriptives.assign(typology=fact))
            tests.append(_type_tests(stx, fact))
    return data


def _model(ctx: AnalysisContext, sec: Section, data: pd.DataFrame, m: str, c: str, s: str) -> None:
    """Random-intercept model structure ~ municipal × civil (+ role), predictors grand-mean centred."""
    cfg, g = ctx.config, ctx.group
    with sec.part("modell"):
        # Predictors centred at their grand means, so that each main effect is the effect at the
        # average level of the other commitment (Aiken & West 1991) and the interaction is H5.
        has_role = "role" in data.columns and data["role"].nunique(dropna=True) > 1
        cols = [m, c, s, g] + (["role"] if has_role else [])
        model_data = data.dropna(subset=cols).copy()
        role_term = ""
        if has_role:
            # small-cell rule for model terms: roles with fewer than min_n respondents are pooled
            # into "andere", so that no coefficient describes a group below the minimum size
            role_n = model_data["role"].value_counts()
            small = role_n[role_n < cfg.min_n].index
            if len(small):
                model_data["role"] = model_data["role"].where(~model_data["role"].isin(small), "andere")
                sec.note("roles_pooled", "modell", min_n=cfg.min_n, roles=items_text(map(str, small)))
            role_term = " + C(role)" if model_data["role"].nunique() > 1 else ""
        for col in (m, c):
            model_data[col] = model_data[col] - float(model_data[col].mean())
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=RuntimeWarning)
            res = fit_multilevel(model_data, f"{s} ~ {m} * {c}{role_term}", group=g, ci=cfg.ci)
        sec.result.models["structures"] = res
        sec.add("modell", res.fixed)
        sec.add("modell_kennwerte", res.stats())


def _type_tests(tc: object, typology: str) -> pd.DataFrame:
    """Omnibus and post-hoc tests of one :class:`~analysis.typology.TypeComparison` as one table."""
    parts = []
    omnibus = getattr(tc, "omnibus", None)
    posthoc = getattr(tc, "posthoc", None)
    if omnibus is not None and len(omnibus):
        parts.append(omnibus.assign(typology=typology, kind="omnibus"))
    if posthoc is not None and len(posthoc):
        # post-hoc tests compare municipality means: its n columns count municipalities
        ph = posthoc.rename(columns={"n_A": "n_municipalities_A", "n_B": "n_municipalities_B"})
        parts.append(ph.assign(typology=typology, kind="posthoc"))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame({"typology": [typology]})
