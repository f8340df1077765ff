"""What every section needs, computed once: scored frames, the wave used, constructs and their roles.

:func:`build_context` turns a dataset into an :class:`AnalysisContext`:

* the respondent-level frame of all waves with scale scores (reverse-keyed items on their own
  scale, minimum share of answered items); a construct is scored from the items that have answers
  at all; items without any answer (not mapped, never answered) are left out with a note;
* the wave order (:meth:`surveys.dataset.Dataset.wave_order`, or ``config.wave_order``) and the
  cross-sectional wave (``config.wave``, or the latest *substantial* wave:
  :func:`analysis.wave_choice.choose_wave`), with a note saying which wave and how many
  respondents the cross-sectional tables use, and which later waves were passed over;
* the constructs by **role** (``municipal_commitment``, ``civil_commitment``, ``structure``,
  ``other``) declared in the instrument: the commitment analyses use roles, never construct ids;
* the display names of the raw names notes may carry (construct ids, respondent roles,
  construct roles, municipality facts), taken from the instrument (:class:`analysis.notes.DisplayNames`).

The analysis never imports :mod:`surveys`; the dataset is used through its attributes
(``instrument``, ``respondents``, ``responses``, ``municipalities``, ``manifest``,
``analysis_frame()``, ``wave_order()``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from core.natural_order import natural_key
from core.problems import Location, Problem

from ..notes import CONSTRUCT_ROLE_LABELS, FACT_LABELS, NOTES, DisplayNames, items_span, items_text
from ..results import AnalysisConfig
from ..scoring import reverse_items, scales_from_instrument, score_scales
from ..small_cells import publishable_counts, reported_groups
from ..wave_choice import WAVE_MIN_SHARE, choose_wave

__all__ = ["AnalysisContext", "build_context", "display_names", "funded", "reverse_keyed"]

_SECTION = "daten"


@dataclass
class AnalysisContext:
    """Shared inputs of the sections (see the module docstring).

    Attributes
    ----------
    dataset, config, instrument
    all_waves : DataFrame
        Respondents of all waves: fields, items, municipality facts, scale scores, ``funded``.
    data : DataFrame
        The respondents of the cross-sectional ``wave`` (all respondents without waves).
    keyed : DataFrame
        ``data`` with reverse-keyed items reversed (for reliability and agreement).
    scales : dict
        Construct -> its items that have answers (constructs without any answer left out).
    waves : list of str
        Wave labels in order, earliest first.
    wave : str or None
        The cross-sectional wave.
    roles : dict
        Role -> construct id (first construct declaring it that has data).
    municipalities : DataFrame
        Master data with ``ags`` as text (empty without master data).
    labels : dict
        Construct id -> its label in the run's language.
    substantial_waves : list of str
        The waves large enough for analyses (:func:`analysis.wave_choice.choose_wave`), in order.
    declared_roles : dict
        Role -> construct id of the first construct declaring it, with or without data.
    display : DisplayNames
        Display names for notes (see :meth:`Section.note <analysis.sections.base.Section.note>`).
    """

    dataset: Any
    config: AnalysisConfig
    instrument: Any
    all_waves: pd.DataFrame
    data: pd.DataFrame
    keyed: pd.DataFrame
    scales: dict[str, list[str]]
    waves: list[str]
    wave: str | None
    roles: dict[str, str]
    municipalities: pd.DataFrame
    labels: dict[str, str] = field(default_factory=dict)
    substantial_waves: list[str] = field(default_factory=list)
    declared_roles: dict[str, str] = field(default_factory=dict)
    display: DisplayNames = field(default_factory=DisplayNames)

    @property
    def group(self) -> str:
        """The municipality column."""
        return self.config.group

    @property
    def constructs(self) -> list[str]:
        """Constructs with a score (in instrument order)."""
        return list(self.scales)

    @property
    def multi_item(self) -> dict[str, list[str]]:
        """Constructs with at least two items with answers (reliability, rwg(j))."""
        return {c: its for c, its in self.scales.items() if len(its) >= 2}

    @property
    def has_master_data(self) -> bool:
        """Municipality master data with at least one fact beyond the AGS (name, size class, cohort, ...)."""
        m = self.municipalities
        skip = {"ags", "state", "source_file", "source_sheet", "source_row"}
        return bool(len(m)) and any(m[c].notna().any() for c in m.columns if c not in skip)

    @property
    def names(self) -> pd.DataFrame | None:
        """``ags, name`` of the master data (None without names)."""
        m = self.municipalities
        if not len(m) or "name" not in m.columns or not m["name"].notna().any():
            return None
        return m[["ags", "name"]]

    @property
    def doc_params(self) -> dict[str, Any]:
        """Placeholders of the table descriptions (construct ids and labels by role)."""
        out: dict[str, Any] = {"overdispersion": self.config.funnel_overdispersion or "keine / none"}
        for key, role in (("municipal", "municipal_commitment"), ("civil", "civil_commitment"),
                          ("structure", "structure")):
            cid = self.roles.get(role, "–")
            out[key] = cid
            out[f"{key}_label"] = self.labels.get(cid, cid)
        return out

    def role_missing(self, role: str) -> tuple[str, dict[str, Any]]:
        """Why no construct of ``role`` can be used: the note code and its parameters.

        ``construct_role_no_data`` when the instrument declares the role but none of the
        construct's items is in the data (e.g. not mapped on import), else ``no_construct_roles``.
        """
        cid = self.declared_roles.get(role)
        if cid is None:
            return "no_construct_roles", {"role": role}
        items = [i.code for i in self.instrument.items_of(cid)] if hasattr(self.instrument, "items_of") else []
        return "construct_role_no_data", {"construct": cid, "role": role, "items": items_span(items)}

    def scale_of(self, construct: str) -> Any:
        """The response scale of a construct."""
        return self.instrument.scales[self.instrument.construct(construct).scale]

    def with_names(self, table: pd.DataFrame) -> pd.DataFrame:
        """``table`` with the municipality name beside its group column (unchanged without names)."""
        names = self.names
        g = self.group
        if names is None or g not in table.columns:
            return table
        names = names.rename(columns={"ags": g}) if g != "ags" else names
        return table.merge(names.drop_duplicates(g), on=g, how="left", suffixes=("", "_m"))


def funded(cohort: pd.Series | None) -> pd.Series:
    """Funding status from the cohort column: True (a cohort), False ("nicht gefördert"), NA (blank).

    >>> funded(pd.Series(["2025", "nicht gefördert", None, ""])).tolist()
    [True, False, <NA>, <NA>]
    """
    if cohort is None:
        return pd.Series(dtype="boolean")
    c = cohort.astype("string").str.strip().str.lower()
    blank = c.isna() | c.eq("")
    not_funded = c.str.contains("nicht", regex=False) | c.str.contains("not", regex=False)
    out = pd.Series(pd.array(~not_funded.fillna(False).to_numpy(dtype=bool), dtype="boolean"), index=cohort.index)
    return out.mask(blank.to_numpy(dtype=bool), pd.NA)


def reverse_keyed(frame: pd.DataFrame, instrument: Any, items: set[str] | None = None) -> pd.DataFrame:
    """``frame`` with every reverse-keyed item reversed on its own scale (min + max − x)."""
    by_scale: dict[str, list[str]] = {}
    for item in instrument.items:
        if item.reverse and item.code in frame.columns and (items is None or item.code in items):
            by_scale.setdefault(item.scale, []).append(item.code)
    out = frame.copy()
    for scale_id, codes in by_scale.items():
        sc = instrument.scales[scale_id]
        out[codes] = reverse_items(out, codes, sc.min, sc.max)[codes]
    return out


def _wave_order(dataset: Any, labels: list[str], declared: tuple[str, ...] | None) -> list[str]:
    if hasattr(dataset, "wave_order"):
        return [str(w) for w in dataset.wave_order(declared)]
    return sorted(labels, key=natural_key)


def _reported(wave_rows: pd.DataFrame, frame: pd.DataFrame, g: str, min_n: int, note: Any) -> np.ndarray:
    """Mask over ``frame``: False for the wave's rows of municipalities below ``min_n`` (a note names them)."""
    keep, left_out = reported_groups(wave_rows, g, min_n)
    if left_out:
        note("municipalities_below_min_n", n=len(left_out), min_n=min_n, examples=items_text(left_out, limit=5))
    mask = np.ones(len(frame), dtype=bool)
    mask[np.asarray(wave_rows.index)[~keep]] = False
    return mask


def build_context(dataset: Any, config: AnalysisConfig) -> tuple[AnalysisContext, list[Problem]]:
    """The :class:`AnalysisContext` of ``dataset`` and the notes made while building it."""
    notes: list[Problem] = []

    def note(code: str, scope: str = "", **params: Any) -> None:
        notes.append(NOTES.problem(code, Location(section=_SECTION, scope=scope), **params))

    inst = dataset.instrument
    g = config.group
    frame = dataset.analysis_frame().reset_index(drop=True)
    if g in frame.columns:
        frame[g] = frame[g].astype("string").astype(object).where(frame[g].notna(), None)
    if "wave" in frame.columns:
        w = frame["wave"].astype("string").str.strip()
        frame["wave"] = w.astype(object).where(w.notna() & (w != ""), None)

    # constructs scored from the items that have answers at all
    all_scales, _ = scales_from_instrument(inst)
    scales: dict[str, list[str]] = {}
    for c, items in all_scales.items():
        present = [i for i in items if i in frame.columns and frame[i].notna().any()]
        missing = [i for i in items if i not in present]
        if not present:
            note("construct_no_data", c, construct=c, items=items_span(items))
            continue
        if missing:
            note("construct_items_missing", c, items=items_text(missing), k=len(present), k_all=len(items))
        scales[c] = present
    used = {i for its in scales.values() for i in its}
    keyed_all = reverse_keyed(frame, inst, used)
    if scales:
        lo = min(inst.scales[inst.item(i).scale].min for i in used)
        hi = max(inst.scales[inst.item(i).scale].max for i in used)
        scores = score_scales(keyed_all, scales, scale_min=lo, scale_max=hi, min_share=config.min_share)
        frame = pd.concat([frame, scores], axis=1)
    frame["funded"] = funded(frame["cohort"]) if "cohort" in frame.columns else pd.Series(pd.NA, index=frame.index,
                                                                                         dtype="boolean")

    # waves
    labels = sorted({str(w) for w in frame["wave"].dropna()}, key=natural_key) if "wave" in frame.columns else []
    waves = _wave_order(dataset, labels, config.wave_order) if labels else []
    wave = None
    substantial: list[str] = []
    if waves:
        choice = choose_wave(frame, waves, g, config.min_n, config.wave)
        wave, substantial = str(choice.wave), list(choice.substantial)
        mask = (frame["wave"] == wave).to_numpy()
        mask = mask & _reported(frame[mask], frame, g, config.min_n, note)
        data = frame[mask].reset_index(drop=True)
        keyed = keyed_all[mask].reset_index(drop=True)
        n, n_all = len(data), len(frame)
        n_groups = int(data[g].nunique()) if g in data else 0
        shown = ["–" if v is None else v for v in publishable_counts(n, n_all, config.min_n)]  # SECURITY.md 4a
        note("wave_used", wave=wave, n=shown[0], n_all=shown[1], n_groups=n_groups, order=" → ".join(waves))
        if choice.passed_over:
            def size(k: int) -> str:  # a passed-over wave below the minimum shows no exact size (SECURITY.md 4a)
                return f"n = {k}" if k >= config.min_n else f"n < {config.min_n}"

            passed = [(f"Welle {w} ({size(k)}, {m} Kommune(n))", f"wave {w} ({size(k)}, {m} municipality(ies))")
                      for w, k, m in choice.passed_over]
            note("wave_default_passed_over", wave=wave, n=shown[0], min_n=config.min_n, k=max(choice.k, 1),
                 share=(f"{WAVE_MIN_SHARE:.0%}".replace("%", " %"), f"{WAVE_MIN_SHARE:.0%}"),
                 passed=("; ".join(p[0] for p in passed), "; ".join(p[1] for p in passed)),
                 example=_shell_word(choice.passed_over[-1][0]))
        groups_all = int(frame[g].nunique()) if g in frame else 0
        if len(waves) > 1 and (n < 0.2 * n_all or (n_groups == 1 and groups_all > 1)):
            note("wave_subset_small", wave=wave, n=shown[0], n_all=shown[1], n_groups=n_groups)
    else:
        mask = _reported(frame, frame, g, config.min_n, note)
        data, keyed = frame[mask].reset_index(drop=True), keyed_all[mask].reset_index(drop=True)

    # constructs by role
    roles: dict[str, str] = {}
    by_role: dict[str, list[str]] = {}
    declared: dict[str, str] = {}
    for c in inst.constructs:
        role = getattr(c, "role", None)
        if role and role != "other":
            declared.setdefault(role, c.id)
        if role and role != "other" and c.id in scales:
            by_role.setdefault(role, []).append(c.id)
    for role, ids in by_role.items():
        roles[role] = ids[0]
        if len(ids) > 1:
            note("construct_role_ambiguous", role=role, constructs=items_text(ids), used=ids[0])

    muni = dataset.municipalities.copy() if dataset.municipalities is not None else pd.DataFrame()
    if len(muni) and "ags" in muni.columns:
        muni["ags"] = muni["ags"].astype(str)
    ctx = AnalysisContext(
        dataset=dataset, config=config, instrument=inst, all_waves=frame, data=data, keyed=keyed, scales=scales,
        waves=waves, wave=wave, roles=roles, municipalities=muni,
        labels={c.id: c.label(config.lang) for c in inst.constructs}, declared_roles=declared,
        display=display_names(inst), substantial_waves=substantial,
    )
    return ctx, [ctx.display.apply(p) for p in notes]


def _shell_word(text: str) -> str:
    """``text`` as one word of a command line (quoted when it holds a space)."""
    return f'"{text}"' if any(c.isspace() for c in text) else text


def display_names(instrument: Any) -> DisplayNames:
    """The display names of the raw names a note may carry, from ``instrument`` and the label maps.

    Construct ids -> construct labels, respondent-role codes -> the labels of the ``role`` field's
    choices, construct roles -> :data:`~analysis.notes.CONSTRUCT_ROLE_LABELS`, municipality fact
    columns -> :data:`~analysis.notes.FACT_LABELS`.
    """
    names: dict[str, tuple[str, str]] = {**FACT_LABELS, **CONSTRUCT_ROLE_LABELS}
    try:
        field_ = instrument.field("role")
    except (KeyError, AttributeError):  # an instrument without a role field
        field_ = None
    for ch in getattr(field_, "choices", ()) or ():
        names[str(ch.name)] = (str(ch.label_de), str(ch.label_en))
    for c in getattr(instrument, "constructs", ()):
        names[str(c.id)] = (c.label("de"), c.label("en"))
    return DisplayNames(names)

