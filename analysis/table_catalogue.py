"""The catalogue of result tables of :func:`analysis.run`: what each table holds, in one place.

Every table a section of :mod:`analysis.sections` returns is described here, not in the code that
computes it: German/English title and description (templates with ``{placeholders}`` filled at
run time), the columns' German headers and help, which columns identify the group of a row and
which count its respondents, whether the table describes one wave (then :func:`analysis.run`
adds the columns ``wave`` and ``wave_n``), and the **cells** of each row: which population of
respondents a count (and a mean) describes -- the municipality, roles and waves it covers and what
is counted (respondents, scored respondents of a construct, answers to an item). Populations nest
(a municipality holds its roles, the state its municipalities, all waves each wave), so the cells
of all tables together are the partitions an attacker can subtract; the complementary suppression
(:func:`analysis.small_cells.complementary_suppression`) and ``baustein audit`` read them from here.

>>> TABLES["kommunen"].doc().title_en
'Municipalities: means per scale'
>>> TABLES["kommunen"].group_columns
('ags', 'variable')
>>> TABLES["perspektiven"].cells[0].role
'@reference'
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .results import TableDoc

__all__ = ["MEASURES", "ROLE_SETS", "TABLES", "Cell", "TableSpec", "cells_fingerprint"]


#: What a cell counts. ``respondents``: every respondent; ``score``: respondents with a score of the
#: construct (enough items answered); ``answered``: respondents who answered at least one item of
#: the construct (reliability, agreement); ``item``: valid answers to one item.
MEASURES = ("respondents", "score", "answered", "item")

#: Named sets of respondent roles (``Cell.role = "@reference"``): the two sides of the perspective
#: comparison (:mod:`analysis.sections.perspectives`).
ROLE_SETS: dict[str, tuple[str, ...]] = {
    "@reference": ("verwaltung", "buergermeister", "gemeinderat"),
    "@comparison": ("verein", "engagiert"),
}


@dataclass(frozen=True)
class Cell:
    """One group figure in each row of a table: the count (and mean) of a population of respondents.

    A population is the set of respondents in the given waves, municipalities and roles for whom
    the ``measure`` is defined; every column names where a row says which.

    Attributes
    ----------
    n : str
        Column with the count ("" when the row shows only a mean of the population).
    mean : str
        Column with the mean of the population ("" if none).
    measure : str
        One of :data:`MEASURES`.
    of : str
        Column naming the construct or item of the measure, or ``"@<construct role>"`` (e.g.
        ``"@municipal_commitment"``: the construct with that role).
    wave : str or tuple of str
        ``"cross"`` (the cross-sectional wave), ``"all"`` (every wave), or the column(s) holding
        wave labels.
    ags : str
        Column holding the municipality ("" = every municipality).
    role : str
        Column holding the role, a key of :data:`ROLE_SETS`, or "" (every role).
    among : tuple of (str, str)
        A subset of municipalities by a municipality attribute: (column naming the attribute,
        column holding its value); the value column "" means "any known value". An attribute
        column written ``"=funded"`` names the attribute itself.
    only_reported : bool
        Only municipalities whose own count of this measure reaches the minimum cell size (the
        type tables average municipality means of such municipalities only).
    groups_reported : bool
        Only attribute groups whose count reaches the minimum cell size (the omnibus tests leave
        smaller groups out).
    where : tuple of (str, str)
        The cell exists in rows whose column has this value only.
    fixed : bool
        A state total that is never suppressed to protect other cells (its parts are instead).
    """

    n: str = ""
    mean: str = ""
    measure: str = "respondents"
    of: str = ""
    wave: str | tuple[str, ...] = "cross"
    ags: str = ""
    role: str = ""
    among: tuple[str, str] | tuple[()] = ()
    only_reported: bool = False
    groups_reported: bool = False
    where: tuple[str, str] | tuple[()] = ()
    fixed: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The cell as plain JSON data (``results.json`` carries it for the audit)."""
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in dataclasses.asdict(self).items()}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Cell:
        """Inverse of :meth:`to_dict` (unknown keys are ignored)."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: (tuple(v) if isinstance(v, list) else v) for k, v in d.items() if k in names})


@dataclass(frozen=True)
class TableSpec:
    """Description of one result table (see the module docstring).

    Attributes
    ----------
    section : str
        The section of :func:`analysis.run` that computes it.
    title_de, title_en, description_de, description_en : str
        Texts; descriptions may hold ``{placeholders}`` filled by :meth:`doc`.
    columns : mapping of column -> (German header, help)
    group_columns : tuple of str
        Columns identifying the group a row describes.
    n_columns : tuple of str
        Columns counting the respondents behind a row.
    total_of : str
        Kept for results written by older versions; the partitions are described by ``cells``.
    one_wave : bool
        The table describes the cross-sectional wave only.
    cells : tuple of Cell
        The group figures of each row (see :class:`Cell`).
    keep_columns : tuple of str
        Columns that stay visible when a row is suppressed (besides ``group_columns``).
    """

    section: str
    title_de: str
    title_en: str
    description_de: str
    description_en: str
    columns: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    group_columns: tuple[str, ...] = ()
    n_columns: tuple[str, ...] = ("n",)
    total_of: str = ""
    one_wave: bool = True
    cells: tuple[Cell, ...] = ()
    keep_columns: tuple[str, ...] = ()

    def all_cells(self) -> tuple[Cell, ...]:
        """The cells of each row, with ``wave_n`` (all respondents of the wave) in one-wave tables."""
        return self.cells + ((Cell("wave_n", fixed=True),) if self.one_wave else ())

    def doc(self, **params: Any) -> TableDoc:
        """The :class:`TableDoc` of the table with the description templates filled from ``params``."""

        def fill(text: str) -> str:
            try:
                return text.format(**params)
            except (KeyError, IndexError):
                return text

        return TableDoc(self.title_de, self.title_en, fill(self.description_de), fill(self.description_en),
                        dict(self.columns), self.group_columns, self.n_columns, self.total_of)


_AGS = {"ags": ("AGS", "Amtlicher Gemeindeschlüssel")}

TABLES: dict[str, TableSpec] = {
    # ------------------------------------------------------------------ data quality
    "antworten_kommune_rolle": TableSpec(
        "datenqualitaet", "Antworten je Kommune und Rolle", "Responses per municipality and role",
        "Anzahl Befragte je Kommune, Welle und Rolle (alle Wellen; kleine Gruppen unterdrückt).",
        "Respondents per municipality, wave and role (all waves; small groups suppressed).",
        {**_AGS, "name": ("Kommune", ""), "wave": ("Welle", ""), "role": ("Rolle", ""),
         "n": ("n", "Anzahl Befragte"), "suppressed": ("unterdrückt", "weniger als min_n Befragte")},
        group_columns=("ags", "wave", "role"), one_wave=False,
        cells=(Cell("n", wave="wave", ags="ags", role="role"),), keep_columns=("name",),
    ),
    "fehlende_werte": TableSpec(
        "datenqualitaet", "Fehlende Antworten je Item", "Missing answers per item",
        "Anteil fehlender Antworten je Item nach Grund (weiß nicht, keine Angabe, nicht beantwortet, ungültig); "
        "alle Wellen.",
        "Share of missing answers per item by reason; all waves.",
        {"item": ("Item", ""), "label": ("Wortlaut", ""), "construct": ("Konstrukt", ""),
         "n": ("n Befragte", ""), "dont_know": ("weiß nicht", "Anteil"), "no_answer": ("keine Angabe", "Anteil"),
         "not_shown": ("leer", "Anteil leerer Zellen"), "invalid": ("ungültig", "Anteil ungültiger Werte"),
         "missing": ("fehlend gesamt", "Anteil")},
        group_columns=("item",), one_wave=False,
        cells=(Cell("n", wave="all", fixed=True),), keep_columns=("construct", "label"),
    ),
    "straightlining": TableSpec(
        "datenqualitaet", "Gleichförmiges Antworten je Kommune", "Straight-lining per municipality",
        "Anteil der Befragten, die bei mindestens 10 beantworteten Items überall dieselbe Antwort gaben; alle Wellen.",
        "Share of respondents giving the same answer to every item (at least 10 answered); all waves.",
        {"n": ("n", ""), "n_straight": ("n gleichförmig", ""), "share": ("Anteil", "")},
        group_columns=("ags",), one_wave=False,
        cells=(Cell("n", wave="all", ags="ags"),),
    ),
    # ------------------------------------------------------------------ reliability
    "reliabilitaet": TableSpec(
        "reliabilitaet", "Reliabilität je Skala", "Reliability per scale",
        "Cronbachs Alpha (roh und standardisiert, paarweise Kovarianzen wie R psych), Feldt-KI, "
        "Duhachek-Iacobucci-Standardfehler, Guttmans Lambda-6, mittlere Inter-Item-Korrelation und "
        "McDonalds Omega aus einem Ein-Faktor-ML-Modell (omega_total: modellimpliziert; omega_obs: beobachtete "
        "Varianz). Konstrukte mit einem Item haben keine Reliabilität (siehe 'hinweise').",
        "Cronbach's alpha (raw, standardised; pairwise covariances as R psych), Feldt CI, ASE, lambda-6, "
        "average r, McDonald's omega from a one-factor ML model. One-item constructs have no reliability.",
        {"construct": ("Konstrukt", ""), "label": ("Skala", ""), "k": ("Items", ""), "n": ("n", ""),
         "raw_alpha": ("Alpha", "Cronbachs Alpha (roh)"), "std_alpha": ("Alpha std.", "standardisiert"),
         "ci_low": ("KI unten", "Feldt"), "ci_high": ("KI oben", "Feldt"), "ase": ("SE Alpha", "Duhachek-Iacobucci"),
         "g6": ("Lambda-6", "Guttman"), "average_r": ("mittl. r", ""), "omega_total": ("Omega", "modellimpliziert"),
         "omega_obs": ("Omega (beob.)", "beobachtete Varianz"),
         "omega_mixed_signs": ("Omega: Ladungen gemischt", "Omega nicht als Reliabilität lesbar"),
         "mean": ("Mittelwert", "Skalenmittel"), "sd": ("SD", "")},
        group_columns=("construct",),
        cells=(Cell("n", "mean", "answered", "construct", fixed=True),), keep_columns=("label", "k"),
    ),
    "itemanalyse": TableSpec(
        "reliabilitaet", "Itemanalyse", "Item analysis",
        "Je Item: n, Trennschärfe (r.drop, korrigierte Item-Skala-Korrelation nach psych), Alpha ohne das Item, "
        "Mittelwert, SD (umgepolte Items bereits umgepolt) und Antworthäufigkeiten.",
        "Per item: n, corrected item-total correlation, alpha if deleted, mean, SD, response frequencies.",
        {"r.drop": ("Trennschärfe", "korrigierte Item-Skala-Korrelation"), "alpha_if_deleted": ("Alpha ohne Item", "")},
        group_columns=("construct", "item"),
        cells=(Cell("n", "mean", "item", "item", fixed=True),), keep_columns=("label", "reverse"),
    ),
    "reliabilitaet_rolle": TableSpec(
        "reliabilitaet", "Reliabilität je Rolle", "Reliability per role",
        "Cronbachs Alpha je Skala und Rolle.", "Alpha per scale and role.",
        group_columns=("role", "scale"),
        cells=(Cell("n", "mean", "answered", "scale", role="role"),),
    ),
    "reliabilitaet_kommune": TableSpec(
        "reliabilitaet", "Reliabilität je Kommune", "Reliability per municipality",
        "Cronbachs Alpha je Skala und Kommune.", "Alpha per scale and municipality.",
        group_columns=("ags", "scale"),
        cells=(Cell("n", "mean", "answered", "scale", ags="ags"),),
    ),
    # ------------------------------------------------------------------ aggregation
    "aggregation": TableSpec(
        "aggregation", "Aggregierbarkeit auf Kommunenebene", "Aggregation to municipalities",
        "ICC(1) und ICC(2) aus der einfaktoriellen ANOVA (Bliese 2000), REML-ICC des Nullmodells, Designeffekt, "
        "sowie Median von rwg(j) und r*wg(j) und Anteil der Kommunen mit rwg(j) ≥ 0,70.",
        "ICC(1), ICC(2) (one-way ANOVA, Bliese 2000), REML ICC, design effect, median rwg(j), r*wg(j).",
        {"dv": ("Konstrukt", ""), "label": ("Skala", ""), "icc1": ("ICC(1)", "Anteil Varianz zwischen Kommunen"),
         "icc2": ("ICC(2)", "Reliabilität der Kommunenmittel"), "icc_reml": ("ICC (REML)", "Nullmodell"),
         "design_effect": ("Designeffekt", "1 + (n̄ − 1)·ICC(1)"), "rwg_j_median": ("rwg(j) Median", ""),
         "rwg_star_j_median": ("r*wg(j) Median", "Lindell et al. 1999"), "share_rwg_70": ("Anteil rwg(j) ≥ 0,70", "")},
        group_columns=("dv",),
        cells=(Cell("n", "grand_mean", "score", "dv", fixed=True),), keep_columns=("label",),
    ),
    "uebereinstimmung": TableSpec(
        "aggregation", "Übereinstimmung innerhalb der Kommunen", "Within-municipality agreement",
        "rwg(j) (James, Demaree & Wolf 1984), r*wg(j) (Lindell et al. 1999), awg (Brown & Hauenstein 2005, NaN "
        "außerhalb des zulässigen Bereichs), AD je Kommune und Skala; Nullverteilung gleichverteilt; fehlende "
        "Antworten itemweise (je Item alle, die es beantwortet haben). Einzel-Items: rwg in der Spalte rwg_j.",
        "rwg(j), r*wg(j), awg (NaN outside its admissible range), AD per municipality and scale (uniform null; "
        "missing answers item-wise). Single items: rwg in column rwg_j.",
        group_columns=("ags", "construct"),
        cells=(Cell("n", "", "answered", "construct", ags="ags"),), keep_columns=("name",),
    ),
    # ------------------------------------------------------------------ municipalities
    "kommunen": TableSpec(
        "kommunen", "Kommunen: Mittelwerte je Skala", "Municipalities: means per scale",
        "n, Mittelwert, SD, Konfidenzintervall und empirisch-bayesianisch geschrumpfter Mittelwert "
        "(λ_j·Mittelwert + (1 − λ_j)·Gesamtmittel) je Kommune und Skala.",
        "n, mean, SD, CI and empirical-Bayes shrunken mean per municipality and scale.",
        group_columns=("ags", "variable"),
        cells=(Cell("n", "mean", "score", "variable", ags="ags"),),
        keep_columns=("name", "district", "size_class", "cohort"),
    ),
    "kommunen_uebersicht": TableSpec(
        "kommunen", "Übersicht der Kommunen", "Overview of municipalities",
        "Stammdaten und Anzahl Befragte je Kommune; Kommunen unter der Mindestzahl werden in keiner Auswertung "
        "gezeigt.",
        "Master data and respondents per municipality.",
        group_columns=("ags",),
        cells=(Cell("n", ags="ags"),),
        keep_columns=("name", "district", "size_class", "cohort", "population", "council_resolution", "mayor_involved",
                      "named_contact"),
    ),
    "funnel": TableSpec(
        "kommunen", "Trichterdiagramm: Kommunen im Vergleich zum Landesmittel", "Funnel plot data",
        "Je Kommune und Skala: Mittelwert, n, Kontrollgrenzen (95 % und 99,8 %) um das Landesmittel, "
        "Überdispersion nach Spiegelhalter (2005): {overdispersion}.",
        "Per municipality and scale: mean, n, control limits around the state mean (overdispersion: "
        "{overdispersion}).",
        group_columns=("ags", "construct"),
        cells=(Cell("n", "value", "score", "construct", ags="ags"), Cell("", "target", "score", "construct", fixed=True)),
        keep_columns=("name",),
    ),
    "funnel_grenzen": TableSpec(
        "kommunen", "Trichterdiagramm: Grenzen", "Funnel limits",
        "Kontrollgrenzen über einem Raster von n (für Grafiken).", "Control limits over a grid of n.",
        group_columns=("construct", "n"), n_columns=(),
    ),
    "vergleich_omnibus": TableSpec(
        "kommunen", "Vergleich nach Größenklasse, Landkreis, Kohorte", "Comparisons by size class, district, cohort",
        "Welch-ANOVA je Skala mit η², ω², ε² (Effektstärken) auf Befragtenebene.",
        "Welch ANOVA per scale with effect sizes.",
        group_columns=("by", "dv"), n_columns=(),
        cells=(Cell("n", "", "score", "dv", among=("by", ""), groups_reported=True),),
    ),
    "vergleich_posthoc": TableSpec(
        "kommunen", "Paarvergleiche (Games-Howell)", "Pairwise comparisons (Games-Howell)",
        "Games-Howell-Tests (zweiseitig) mit Hedges g und KI; p roh und adjustiert (Holm, Benjamini-Hochberg).",
        "Games-Howell (two-sided), Hedges g, raw and adjusted p.",
        group_columns=("by", "dv", "A", "B"), n_columns=("n_A", "n_B"),
        cells=(Cell("n_A", "mean_A", "score", "dv", among=("by", "A")),
               Cell("n_B", "mean_B", "score", "dv", among=("by", "B"))),
    ),
    "likert": TableSpec(
        "kommunen", "Antwortverteilungen je Item", "Response distributions per item",
        "Anzahl und Anteil je Antwortkategorie; Anteile bezogen auf gültige Antworten.",
        "Counts and shares per answer category.",
        group_columns=("item", "code"), n_columns=("n_valid",),
        cells=(Cell("n_valid", "", "item", "item", fixed=True), Cell("n", fixed=True)), keep_columns=("label",),
    ),
    "likert_rolle": TableSpec(
        "kommunen", "Antwortverteilungen je Item und Rolle", "Response distributions by role",
        "Wie 'likert', getrennt nach Rolle.", "As 'likert', by role.",
        group_columns=("item", "role", "code"), n_columns=("n_valid",),
        cells=(Cell("n_valid", "", "item", "item", role="role"), Cell("n", role="role")),
        keep_columns=("label",),
    ),
    # ------------------------------------------------------------------ kinds of commitment
    "typologie": TableSpec(
        "engagement", "Typologie: Formen des Engagements (Befragung)", "Typology of commitment (survey)",
        "Je Kommune: mittleres kommunales ({municipal}) und zivilgesellschaftliches ({civil}) Engagement mit KI und Typ "
        "(Partnerschaft, kommunal getragen, zivilgesellschaftlich getragen, im Aufbau; Schwelle = Skalenmitte); "
        "dazu die Stärke der Strukturen ({structure}).",
        "Per municipality: mean municipal ({municipal}) and civil ({civil}) commitment with CI and type; structure "
        "strength ({structure}).",
        group_columns=("ags",), n_columns=("n_municipal", "n_civil"),
        cells=(Cell("n_municipal", "mean_municipal", "score", "@municipal_commitment", ags="ags"),
               Cell("n_civil", "mean_civil", "score", "@civil_commitment", ags="ags"),
               Cell("", "mean_structure", "score", "@structure", ags="ags")),
        keep_columns=("name", "type", "type_en", "certain", "threshold_municipal", "threshold_civil"),
    ),
    "typologie_fakten": TableSpec(
        "engagement", "Typologie: Verankerung (Kommunendaten)", "Typology from municipality facts",
        "Je Kommune: Ratsbeschluss, Bürgermeister/in, Ansprechperson, Ressourcen und daraus der Typ der Verankerung.",
        "Per municipality: facts and the resulting type.",
        group_columns=("ags",), n_columns=(), one_wave=False,
    ),
    "struktur_nach_typ": TableSpec(
        "engagement", "Stärke der Strukturen nach Form des Engagements", "Structure strength by kind of commitment",
        "Mittel der Kommunenmittelwerte der Skala '{structure_label}' je Typ mit KI.",
        "Mean of municipality means of '{structure_label}' per type, with CI.",
        group_columns=("typology", "type"), n_columns=("n_respondents",),
        cells=(Cell("n_respondents", "", "score", "@structure", among=("typology", "type"), only_reported=True),),
        keep_columns=("type_en",),
    ),
    "struktur_typ_tests": TableSpec(
        "engagement", "Tests: Strukturen nach Typ", "Tests: structures by type",
        "Welch-ANOVA auf Kommunenebene mit η² sowie Games-Howell-Paarvergleiche.",
        "Welch ANOVA at municipality level with eta², Games-Howell pairs.",
        group_columns=("typology", "kind"), n_columns=(),
    ),
    "modell": TableSpec(
        "engagement", "Mehrebenenmodell: Stärke der Strukturen", "Multilevel model: structure strength",
        "Random-Intercept-Modell {structure} ~ {municipal} × {civil} + Rolle + (1 | Kommune), REML (exaktes "
        "profiliertes Verfahren); {municipal} und {civil} am Gesamtmittel zentriert (Haupteffekte gelten beim mittleren "
        "Engagement der jeweils anderen Seite); feste Effekte mit KI.",
        "Random-intercept model {structure} ~ {municipal} * {civil} + role + (1 | municipality), REML.",
        group_columns=("term",), n_columns=(),
    ),
    "modell_kennwerte": TableSpec(
        "engagement", "Mehrebenenmodell: Kennwerte", "Multilevel model: statistics",
        "τ² (zwischen Kommunen), σ² (innerhalb), ICC, Nakagawa-R² marginal und konditional.",
        "tau², sigma², ICC, Nakagawa R².",
        group_columns=("statistic",), n_columns=(),
    ),
    "hypothesen": TableSpec(
        "engagement", "Die Aussagen des Bausteins als Hypothesen", "The Baustein's statements as hypotheses",
        "Je Aussage: Operationalisierung, Verfahren, Schätzer mit KI, p, Effektstärke, Urteil und ein Satz in "
        "Alltagssprache.",
        "Per statement: operationalisation, method, estimate with CI, p, effect size, verdict and a plain sentence.",
        group_columns=("hypothesis",), n_columns=("n_respondents",),
    ),
    # ------------------------------------------------------------------ perspectives, waves
    "perspektiven": TableSpec(
        "perspektiven", "Perspektiven: Verwaltung/Politik vs. Zivilgesellschaft", "Perspective gaps",
        "Je Kommune: wie viel höher Verwaltung, Bürgermeister/in und Gemeinderat das kommunale Engagement "
        "({municipal}) einschätzen als Vereine und Engagierte (Welch-KI); letzte Zeile: gepoolter Unterschied.",
        "Per municipality: municipal-side minus civil-side rating of municipal commitment ({municipal}) (Welch CI).",
        group_columns=("ags", "level"), n_columns=("n_reference", "n_comparison"),
        cells=(
            Cell("n_reference", "mean_reference", "score", "@municipal_commitment", ags="ags", role="@reference",
                 where=("level", "municipality")),
            Cell("n_comparison", "mean_comparison", "score", "@municipal_commitment", ags="ags", role="@comparison",
                 where=("level", "municipality")),
            Cell("n_reference", "", "score", "@municipal_commitment", role="@reference", where=("level", "pooled")),
            Cell("n_comparison", "", "score", "@municipal_commitment", role="@comparison", where=("level", "pooled")),
        ), keep_columns=("name",),
    ),
    "wellen": TableSpec(
        "wellen", "Veränderung zwischen den Wellen", "Change between waves",
        "Je Kommune und Skala: Mittelwert je Welle und Differenz mit Welch-KI (unabhängige Stichproben), "
        "Welle {wave_from} → {wave_to}.",
        "Per municipality and scale: change between waves {wave_from} → {wave_to} with Welch CI.",
        group_columns=("ags", "construct"), n_columns=("n_from", "n_to"), one_wave=False,
        cells=(Cell("n_from", "mean_from", "score", "construct", wave="wave_from", ags="ags"),
               Cell("n_to", "mean_to", "score", "construct", wave="wave_to", ags="ags")),
        keep_columns=("name", "wave_from", "wave_to"),
    ),
    "did": TableSpec(
        "wellen", "Differenz-von-Differenzen: gefördert vs. nicht gefördert", "Difference-in-differences",
        "Veränderung geförderter minus nicht geförderter Kommunen, OLS auf Kommunenmittelwerten mit "
        "cluster-robusten Standardfehlern.",
        "Change of funded minus not funded municipalities, cluster-robust.",
        group_columns=("construct",), n_columns=("n_respondents",), one_wave=False,
        cells=(Cell("n_respondents", "", "score", "construct", wave=("wave_pre", "wave_post"), among=("=funded", ""),
                    fixed=True),),
    ),
    # ------------------------------------------------------------------ notes
    "hinweise": TableSpec(
        "hinweise", "Hinweise zur Auswertung", "Notes on the analysis",
        "Was nicht berechnet werden konnte oder auffiel: Abschnitt, Geltungsbereich (Konstrukt, Item, Vergleich, "
        "Modell), Grund und was zu tun ist.",
        "What could not be computed or stood out: section, scope, reason and what to do.",
        {"section": ("Abschnitt", ""), "scope": ("Bereich", "Konstrukt, Item, Vergleich oder Modell"),
         "code": ("Code", "stabiler Code des Hinweises"), "severity": ("Schwere", "error, warning, info"),
         "reason_de": ("Grund", ""), "reason_en": ("Grund (englisch)", ""), "hint_de": ("Was tun", ""),
         "hint_en": ("Was tun (englisch)", "")},
        group_columns=("section", "scope", "code"), n_columns=(), one_wave=False,
    ),
}


def cells_fingerprint() -> str:
    """A short hash of every table's cells: results cached under another description must be recomputed.

    >>> len(cells_fingerprint())
    12
    """
    import hashlib
    import json

    data = {name: [c.to_dict() for c in spec.all_cells()] for name, spec in sorted(TABLES.items())}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:12]
