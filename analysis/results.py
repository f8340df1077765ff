"""Containers for the analysis configuration and its results.

:class:`Results` holds every result table of :func:`analysis.run` (tidy DataFrames, already
passed through the small-cell rule), a :class:`TableDoc` per table (German/English title,
description and column explanations, used for the README sheet of ``results.xlsx``), the
configuration and run metadata.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

__all__ = ["AnalysisConfig", "Results", "TableDoc"]


@dataclass(frozen=True)
class AnalysisConfig:
    """Settings of :func:`analysis.run` (all have defensible defaults).

    Attributes
    ----------
    min_n : int
        Minimum cell size; any group with fewer respondents is suppressed (default 5).
    min_share : float
        A scale score needs at least this share of its items answered (default 2/3).
    ci : float
        Confidence level of all intervals (default 0.95).
    typology_threshold : float or None
        Threshold of the commitment typology; None = scale midpoint.
    p_adjust : tuple of str
        Multiple-comparison adjustments reported beside raw p (Holm and Benjamini–Hochberg).
    funnel_overdispersion : {None, "additive", "multiplicative"}
        Overdispersion adjustment of funnel limits (Spiegelhalter 2005).
    group : str
        Column identifying the municipality (default ``"ags"``).
    seed : int
        Seed for every random step (bootstrap), so results are reproducible.
    lang : {"de", "en"}
        Language of labels and verdict sentences.
    smallest_effect : float
        Smallest effect of interest (scale points) used to phrase hypothesis verdicts.
    max_posthoc_groups : int
        All-pairs post-hoc tests only up to this many groups (66 pairs); with more groups (e.g. 44
        districts = 946 pairs) funnel plots are the right display and the omnibus test is reported
        alone (statistics.md c3).
    wave : str or None
        Wave of the cross-sectional analyses (reliability, aggregation, comparisons, typology,
        model, hypotheses); it must be a wave of the data. None = the latest *substantial* wave of
        the wave order (:func:`analysis.wave_choice.choose_wave`). Change between waves always
        uses all waves.
    wave_order : tuple of str or None
        Order of the wave labels, earliest first (``--wave-order``); it must name every wave of
        the data exactly once. None = the dataset's own
        order (:meth:`surveys.dataset.Dataset.wave_order`: numeric labels sorted, other labels
        by their median submission date).
    """

    min_n: int = 5
    min_share: float = 2 / 3
    ci: float = 0.95
    typology_threshold: float | None = None
    p_adjust: tuple[str, ...] = ("holm", "fdr_bh")
    funnel_overdispersion: str | None = "additive"
    group: str = "ags"
    seed: int = 20251125
    lang: str = "de"
    smallest_effect: float = 0.2
    keep_free_text: bool = False
    wave: str | None = None
    max_posthoc_groups: int = 12
    wave_order: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.wave_order is not None and not isinstance(self.wave_order, tuple):
            object.__setattr__(self, "wave_order", tuple(str(w) for w in self.wave_order))
        if not isinstance(self.p_adjust, tuple):
            object.__setattr__(self, "p_adjust", tuple(self.p_adjust))

    def to_dict(self) -> dict[str, Any]:
        """The settings as a plain dict (JSON-ready; tuples become lists in JSON)."""
        return dataclasses.asdict(self)


#: German headers of columns that recur across result tables (a table's own TableDoc wins).
COMMON_HEADERS_DE: dict[str, str] = {
    "ags": "AGS",
    "name": "Kommune",
    "district": "Landkreis",
    "size_class": "Größenklasse",
    "cohort": "Förderkohorte",
    "role": "Rolle",
    "wave": "Welle",
    "construct": "Konstrukt",
    "scale": "Skala",
    "variable": "Skala",
    "dv": "Zielgröße",
    "item": "Item",
    "label": "Wortlaut",
    "n": "n",
    "mean": "Mittelwert",
    "sd": "SD",
    "se": "Standardfehler",
    "ci_low": "KI unten",
    "ci_high": "KI oben",
    "estimate": "Schätzer",
    "p": "p",
    "p_unc": "p (unadjustiert)",
    "p_holm": "p (Holm)",
    "p_fdr_bh": "p (Benjamini-Hochberg)",
    "effect_size": "Effektstärke",
    "hypothesis": "Hypothese",
    "statement_de": "Aussage des Bausteins",
    "operationalisation": "Operationalisierung",
    "method": "Verfahren",
    "verdict_de": "Urteil",
    "sentence_de": "Ergebnis in einem Satz",
    "type": "Typ",
    "typology": "Typologie",
    "n_municipalities": "Anzahl Kommunen",
    "n_respondents": "Anzahl Befragte",
    "eb_mean": "Mittelwert (empirisch-bayesianisch geschrumpft)",
    "value": "Wert",
    "target": "Landesmittel",
    "change": "Veränderung",
    "gap": "Unterschied",
    "term": "Term",
    "statistic": "Kennwert",
    "suppressed": "unterdrückt",
}


@dataclass(frozen=True)
class TableDoc:
    """Documentation of one result table (from :data:`analysis.table_catalogue.TABLES`).

    Attributes
    ----------
    title_de, title_en, description_de, description_en : str
    columns : mapping of column -> (German header, help text)
    group_columns : tuple of str
        Columns identifying the group a row describes (for small-cell checks and suppression).
    n_columns : tuple of str
        Columns counting the respondents behind a row.
    total_of : str
        Which partition this table totals, e.g. ``"antworten_kommune_rolle"`` (the municipality
        rows are the totals of its role rows): a later privacy pass needs it against differencing.
    """

    title_de: str
    title_en: str
    description_de: str
    description_en: str
    columns: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # col -> (German header, help)
    group_columns: tuple[str, ...] = ()
    n_columns: tuple[str, ...] = ()
    total_of: str = ""

    def describe(self, lang: str = "de") -> str:
        """Title and description in ``lang``."""
        return f"{self.title_de}: {self.description_de}" if lang == "de" else f"{self.title_en}: {self.description_en}"

    def header(self, col: str, lang: str = "de") -> str:
        """The column's header in ``lang`` (German headers from the doc or the common table)."""
        if lang == "de" and col in self.columns:
            return self.columns[col][0]
        if lang == "de" and col in COMMON_HEADERS_DE:
            return COMMON_HEADERS_DE[col]
        return str(col)

    def column_help(self, col: str, lang: str = "de") -> str:
        """The help text of a column ("" if none)."""
        return self.columns.get(col, ("", ""))[1]


@dataclass(frozen=True)
class Results:
    """All result tables of one analysis run.

    Attributes
    ----------
    tables : mapping of name -> DataFrame
        Result tables (small-cell rule applied). Names are short German identifiers that also
        serve as sheet names of ``results.xlsx``. ``hinweise`` holds the notes of the run
        (:data:`analysis.notes.NOTE_COLUMNS`): what could not be computed, why, and what to do.
    docs : mapping of name -> TableDoc
    config : AnalysisConfig
    meta : dict
        Dataset and tool versions, counts, warnings.
    models : mapping
        Fitted model objects (e.g. the multilevel model) for inspection in notebooks.
    """

    tables: Mapping[str, pd.DataFrame]
    docs: Mapping[str, TableDoc]
    config: AnalysisConfig
    meta: Mapping[str, Any] = field(default_factory=dict)
    models: Mapping[str, Any] = field(default_factory=dict)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    def __contains__(self, name: object) -> bool:
        return name in self.tables

    def config_dict(self) -> dict[str, Any]:
        """The configuration as a plain dict."""
        return self.config.to_dict()

    @property
    def notes(self) -> pd.DataFrame:
        """The ``hinweise`` table (empty with its columns when the run had nothing to say)."""
        from .notes import NOTE_COLUMNS

        return self.tables.get("hinweise", pd.DataFrame(columns=list(NOTE_COLUMNS)))

    def note_lines(self, lang: str = "de") -> list[str]:
        """One console line per note: ``[section, scope] reason hint``."""
        de = lang == "de"
        out = []
        for r in self.notes.itertuples(index=False):
            where = ", ".join(x for x in (r.section, r.scope) if x)
            text = r.reason_de if de else r.reason_en
            hint = r.hint_de if de else r.hint_en
            out.append((f"[{where}] " if where else "") + text + (f" {hint}" if hint else ""))
        return out

    def readme_lines(self, lang: str = "de") -> list[str]:
        """The lines at the top of the README sheet (dataset, counts, conventions, wave)."""
        m = self.meta
        if lang == "de":
            return [
                f"Instrument: {m.get('instrument', '')} · Datensatz: {m.get('dataset', '')}",
                f"{_count(m.get('n_respondents', '?'))} Befragte in {m.get('n_municipalities', '?')} Kommunen"
                + (f" (Welle {m['wave']}; alle Wellen: {_count(m.get('n_respondents_all_waves', '?'))} Befragte)."
                   if m.get("wave") is not None else "."),
                f"{len(self.notes)} Hinweis(e) im Blatt 'hinweise'.",
                f"Gruppen mit weniger als {self.config.min_n} Befragten sind unterdrückt (leer, Spalte 'unterdrückt').",
                "„weiß nicht“ und „keine Angabe“ zählen als fehlend. Konfidenzintervalle: "
                f"{int(self.config.ci * 100)} %. p-Werte zweiseitig; adjustiert nach Holm und Benjamini-Hochberg.",
                f"Erstellt mit baustein-eval {m.get('tool_version', '')}.",
            ]
        return [
            f"Instrument: {m.get('instrument', '')} · dataset: {m.get('dataset', '')}",
            f"{_count(m.get('n_respondents', '?'))} respondents in {m.get('n_municipalities', '?')} municipalities"
            + (f" (wave {m['wave']}; all waves: {_count(m.get('n_respondents_all_waves', '?'))} respondents)."
               if m.get("wave") is not None else "."),
            f"{len(self.notes)} note(s) in sheet 'hinweise'.",
            f"Groups with fewer than {self.config.min_n} respondents are suppressed (blank, column 'suppressed').",
            "'Don't know' and 'no answer' are missing. Confidence intervals: "
            f"{int(self.config.ci * 100)} %. Two-sided p; adjusted by Holm and Benjamini-Hochberg.",
            f"Made with baustein-eval {m.get('tool_version', '')}.",
        ]


def _count(value: Any) -> Any:
    """A count of the metadata for the README sheet ("–" where it is withheld: SECURITY.md, section 4a)."""
    return "–" if value is None else value
