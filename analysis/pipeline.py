"""One entry point for the whole analysis: :func:`run` (dataset in, :class:`Results` out).

:func:`run` is a short list of named sections (:data:`SECTIONS`), each a function of its own
module in :mod:`analysis.sections` that returns its tables and its notes:

1. data quality (responses per municipality and role, missing answers, straight-lining);
2. reliability per construct, per role and per municipality;
3. aggregation to municipalities (ICC, within-group agreement);
4. municipalities (means, overview, funnel limits, comparisons, Likert tables);
5. kinds of commitment vs. structure strength (typologies, model, hypotheses);
6. perspective gaps between roles;
7. change between waves and difference-in-differences.

A part that cannot be estimated from the data (one construct, one comparison, one model) becomes a
note with its section, scope, reason and what to do (:mod:`analysis.notes`); everything else is
still computed. The notes are the result table ``hinweise``. Table descriptions live in
:mod:`analysis.table_catalogue`. Every table passes the small-cell rule; after the sections one
pass over all tables (:func:`analysis.small_cells.complementary_suppression`) suppresses what
would let a small group be computed by subtracting published figures. Free text and respondent
identifiers never enter a table. The run is deterministic.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pandas as pd

from core.errors import AnalysisError

from .notes import NOTES, located, notes_frame
from .partitions import PublicationContext, atom_codes, measure_atoms, municipality_attributes
from .results import AnalysisConfig, Results
from .sections import (
    AnalysisContext,
    SectionResult,
    aggregation,
    build_context,
    commitment,
    data_quality,
    municipalities,
    perspectives,
    reliability,
    waves,
)
from .small_cells import SUPPRESSION_COLUMN, complementary_suppression, publishable_counts
from .table_catalogue import TABLES
from .wave_choice import check_wave_options

__all__ = ["SECTIONS", "run", "score_dataset", "tool_version"]

#: The sections of :func:`run`, in order (name, function).
SECTIONS: tuple[tuple[str, Callable[..., SectionResult]], ...] = (
    ("datenqualitaet", data_quality.section),
    ("reliabilitaet", reliability.section),
    ("aggregation", aggregation.section),
    ("kommunen", municipalities.section),
    ("engagement", commitment.section),
    ("perspektiven", perspectives.section),
    ("wellen", waves.section),
)


def score_dataset(dataset: Any, config: AnalysisConfig | None = None) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """Respondent-level frame of all waves with scale scores, and the scales (construct -> items with answers).

    The frame holds the respondent fields, item answers, municipality facts, one score column per
    construct, ``<construct>_n_items`` and ``funded`` (see :func:`analysis.sections.build_context`).
    """
    ctx, _ = build_context(dataset, config or AnalysisConfig())
    return ctx.all_waves, ctx.scales


def run(dataset: Any, config: AnalysisConfig | None = None, *, strict: bool = False) -> Results:
    """Run every analysis section on a clean dataset; what cannot be computed becomes a note.

    Parameters
    ----------
    dataset : surveys.dataset.Dataset
        The clean dataset (respondents, long responses, municipalities, instrument).
    config : AnalysisConfig, optional
        Settings (minimum cell size, CI level, thresholds, seed, language, wave, wave order).
    strict : bool, default False
        Re-raise unexpected exceptions (programming errors) instead of reporting them as a
        ``part_failed`` note. A property of the data never raises.

    Raises
    ------
    core.errors.AnalysisError
        Only for a wrong choice of the caller: ``config.wave`` not a wave of the data, or
        ``config.wave_order`` not naming every wave exactly once
        (:func:`analysis.wave_choice.check_wave_options`).

    Returns
    -------
    Results
        Tables (already suppressed for small groups) with documentation, the notes table
        ``hinweise``, config and metadata (wave used and its n). With no table at all the
        results hold only ``hinweise`` (its last note ``no_table``).

    Examples
    --------
    >>> from surveys.dataset import Dataset                       # doctest: +SKIP
    >>> res = run(Dataset.load("data/processed/example"))         # doctest: +SKIP
    >>> res["hypothesen"][["hypothesis", "sentence_de"]]           # doctest: +SKIP
    >>> res.notes[["section", "scope", "reason_de"]]               # doctest: +SKIP
    """
    cfg = config or AnalysisConfig()
    check_wave_options(dataset, cfg.wave, cfg.wave_order)  # a wrong choice of the user, not of the data
    tables: dict[str, pd.DataFrame] = {}
    docs: dict[str, Any] = {}
    models: dict[str, Any] = {}
    notes = []
    ctx: AnalysisContext | None = None
    try:
        ctx, notes = build_context(dataset, cfg)
    except AnalysisError as exc:
        notes.append(located(exc.problem or NOTES.problem("part_failed", detail=str(exc)), "daten"))
    if ctx is not None:
        for _, section in SECTIONS:
            res = section(ctx, strict=strict)
            tables.update(res.tables)
            docs.update(res.docs)
            models.update(res.models)
            notes.extend(res.notes)
    privacy: dict[str, Any] = {}
    if ctx is not None and tables:
        protected = complementary_suppression(tables, privacy_context(ctx, tables), strict=strict)
        tables = protected.tables
        notes.extend(protected.notes)
        for name, t in tables.items():
            if "suppression" in t.columns and name in docs:
                docs[name] = dataclasses.replace(docs[name], columns={**docs[name].columns,
                                                                        "suppression": SUPPRESSION_COLUMN})
        privacy = privacy_meta(ctx, protected.counts)
    if not tables:
        notes.append(located(NOTES.problem("no_table"), "analyse"))
    tables["hinweise"] = notes_frame(notes)
    docs["hinweise"] = TABLES["hinweise"].doc()
    counts = publishable_counts(len(ctx.data), len(ctx.all_waves), cfg.min_n) if ctx else (0, 0)
    meta = {
        "instrument": f"{dataset.instrument.name} {dataset.instrument.version}",
        "dataset": dataset.manifest.get("dataset_name", ""),
        "dataset_fingerprint": dataset.manifest.get("fingerprint", ""),
        "wave": ctx.wave if ctx else None,
        "waves": ctx.waves if ctx else [],
        # withheld (None) where they would give a group below min_n (small_cells.publishable_counts)
        "n_respondents_all_waves": counts[1],
        "n_respondents": counts[0],
        "n_municipalities": int(ctx.data[cfg.group].nunique()) if ctx and cfg.group in ctx.data else 0,
        "construct_roles": dict(ctx.roles) if ctx else {},
        "n_tables": len(tables) - 1,
        "tool_version": tool_version(),
        "privacy": privacy,
    }
    return Results(tables=tables, docs=docs, config=cfg, meta=meta, models=models)


def privacy_context(ctx: AnalysisContext, tables: dict[str, pd.DataFrame]) -> PublicationContext:
    """The true sizes of every group the tables can describe, for the complementary suppression.

    Atoms are (wave, municipality, role) of all waves; the measures are every respondent, each
    construct's scored respondents and respondents with any of its items answered, and each
    item's valid answers (:mod:`analysis.partitions`).
    """
    frame, g, min_n = ctx.all_waves, ctx.group, ctx.config.min_n
    codes, atoms = atom_codes(frame, g)
    measures = {("respondents", ""): measure_atoms(codes, atoms)}
    for c, items in ctx.scales.items():
        if c in frame.columns:
            measures[("score", c)] = measure_atoms(codes, atoms, frame[c].notna().to_numpy())
        measures[("answered", c)] = measure_atoms(codes, atoms, frame[items].notna().any(axis=1).to_numpy())
        for i in items:
            measures[("item", i)] = measure_atoms(codes, atoms, frame[i].notna().to_numpy())
    funded = frame.groupby(g, observed=True)["funded"].first() if "funded" in frame.columns else None
    attributes = municipality_attributes(ctx.municipalities, tables.get("typologie"), tables.get("typologie_fakten"),
                                         funded)

    gone = left_out(ctx)

    def cross(measure: tuple[str, str]) -> pd.DataFrame:
        a = measures.get(measure, measures[("respondents", "")])
        a = a if ctx.wave is None else a[a["wave"] == ctx.wave]
        return a[~a["ags"].isin(gone)] if gone else a

    def reported(measure: tuple[str, str]) -> set[str]:
        per = cross(measure).groupby("ags")["n"].sum()
        return {str(a) for a in per.index[per >= min_n]}

    def groups_reported(table: str, row: Any, attribute: str, measure: tuple[str, str]) -> set[str]:
        a = cross(measure)
        values = attributes[attribute] if attribute in attributes.columns else pd.Series(dtype=object)
        per = a.groupby(a["ags"].map(values))["n"].sum()
        return {str(v) for v in per.index[per >= min_n]}

    return PublicationContext(min_n=min_n, wave=ctx.wave, waves=tuple(ctx.waves), atoms=measures,
                              construct_roles=dict(ctx.roles), attributes=attributes, reported=reported,
                              groups_reported=groups_reported, left_out=left_out(ctx))


def left_out(ctx: AnalysisContext) -> frozenset[str]:
    """Municipalities of the cross-sectional wave left out of its figures (below the minimum cell size)."""
    g = ctx.group
    if g not in ctx.all_waves.columns:
        return frozenset()
    wave = ctx.all_waves if ctx.wave is None else ctx.all_waves[ctx.all_waves["wave"] == ctx.wave]
    return frozenset(str(a) for a in set(wave[g].dropna()) - set(ctx.data[g].dropna()))


def privacy_meta(ctx: AnalysisContext, counts: pd.DataFrame) -> dict[str, Any]:
    """What ``results.json`` carries for ``baustein audit``: the rule, the context and every table's cells."""
    return {
        "min_n": ctx.config.min_n,
        "wave": ctx.wave,
        "waves": list(ctx.waves),
        "construct_roles": dict(ctx.roles),
        "left_out": sorted(left_out(ctx)),
        "cells": {name: [c.to_dict() for c in spec.all_cells()] for name, spec in TABLES.items() if spec.all_cells()},
        "suppression": {
            "rows_primary": int(counts["primary"].sum()) if len(counts) else 0,
            "rows_secondary": int(counts["secondary"].sum()) if len(counts) else 0,
            "by_table": {r.table: {"rows": int(r.rows), "primary": int(r.primary), "secondary": int(r.secondary)}
                         for r in counts.itertuples(index=False)},
        },
    }


def tool_version() -> str:
    """The installed version of baustein-eval ("dev" when run from a source tree)."""
    try:
        from importlib.metadata import version

        return version("baustein-eval")
    except Exception:  # pragma: no cover - not installed
        return "dev"
