"""The catalogue of analysis messages: errors of the statistics functions and notes of :func:`analysis.run`.

Every message the analysis gives a user comes from :data:`NOTES`, a
:class:`core.problems.Catalogue` (stable code, German and English template, a hint what to do),
in three ways:

* a statistics function that cannot compute anything from its input raises
  :class:`core.errors.AnalysisError` built by :func:`analysis_error` (``exc.problem.code`` says why);
* a statistics function that computes a degenerate result (a constant item, a negative average
  covariance, an awg outside its admissible range ...) returns NaN where R does and warns with an
  :class:`AnalysisWarning` (:func:`warn`), as R ``psych`` warns and names the items;
* :func:`analysis.run` turns both into **notes**, located by section and scope (construct, item,
  comparison, model), and collects them in the result table ``hinweise`` (:func:`notes_frame`).

A parameter may be a (German, English) pair; each message gets its own half.

Example
-------
>>> NOTES.problem("single_wave", wave="2025", what=("Veränderung", "change")).message("en")
'Only one wave (2025); left out: change.'
>>> p = NOTES.problem("too_few_groups", n=1, needed=2, variable="struktur")
>>> p.code, p.message("en")
('too_few_groups', "Only 1 group with values of 'struktur'; at least 2 are needed.")
>>> str(analysis_error("columns_missing", columns="x")).startswith("Spalte(n) fehlen")
True
"""

from __future__ import annotations

import dataclasses
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from core.errors import AnalysisError
from core.problems import Catalogue, Location, MessageSpec, Problem

__all__ = [
    "CONSTRUCT_ROLE_LABELS",
    "FACT_LABELS",
    "NOTES",
    "NOTE_COLUMNS",
    "SIDE_LABELS",
    "AnalysisWarning",
    "DisplayNames",
    "analysis_error",
    "fact_label",
    "items_span",
    "items_text",
    "located",
    "notes_frame",
    "number",
    "numerus",
    "warn",
]

_LEVEL_HINT = ("Einen Wert zwischen 0 und 1 angeben, z. B. 0.95.", "Give a value between 0 and 1, e.g. 0.95.")
_MORE_DATA = ("Mehr Kommunen oder Befragte einbeziehen; bis dahin entfällt dieser Teil.",
              "Include more municipalities or respondents; until then this part is left out.")


#: German and English names of the municipality facts, for notes that name one (a user knows
#: the column 'Ratsbeschluss' of the municipality sheet, not ``council_resolution``).
FACT_LABELS: dict[str, tuple[str, str]] = {
    "council_resolution": ("Ratsbeschluss", "council resolution"),
    "mayor_involved": ("Bürgermeister/in eingebunden", "mayor involved"),
    "named_contact": ("Ansprechperson", "named contact"),
    "rooms": ("Räume", "rooms"),
    "cohort": ("Förderkohorte", "funding cohort"),
    "size_class": ("Größenklasse", "size class"),
    "district": ("Landkreis", "district"),
}


def fact_label(column: str) -> tuple[str, str] | str:
    """The (German, English) name of a municipality fact column, or the column itself."""
    return FACT_LABELS.get(column, column)


#: German and English names of the construct roles (``Construct.role`` of the instrument).
CONSTRUCT_ROLE_LABELS: dict[str, tuple[str, str]] = {
    "municipal_commitment": ("kommunales Engagement", "municipal commitment"),
    "civil_commitment": ("zivilgesellschaftliches Engagement", "civil-society commitment"),
    "structure": ("Strukturen / Ergebnis", "structures / result"),
    "other": ("sonstiges", "other"),
}

#: The two sides of the perspective comparison (:func:`analysis.perspective_gaps`).
SIDE_LABELS: dict[str, tuple[str, str]] = {
    "reference": ("kommunale Seite", "municipal side"),
    "comparison": ("Zivilgesellschaft", "civil society"),
}


def number(value: float, digits: int = 3) -> tuple[str, str]:
    """A number for a note: German with decimal comma, English with decimal point.

    >>> number(-0.0474)
    ('-0,047', '-0.047')
    """
    en = f"{value:.{digits}f}"
    return en.replace(".", ","), en


def items_span(items: Sequence[Any]) -> str:
    """Item codes as a range when they run without gaps (``"ERG01–ERG05"``), else listed.

    >>> items_span(["ERG01", "ERG02", "ERG03", "ERG04", "ERG05"]), items_span(["A1", "A3"])
    ('ERG01–ERG05', 'A1, A3')
    """
    names = [str(i) for i in items]
    parts = [re.fullmatch(r"(.*?)(\d+)", n) for n in names]
    if len(names) >= 3 and all(parts):
        prefixes = {m.group(1) for m in parts if m}
        nums = [int(m.group(2)) for m in parts if m]
        if len(prefixes) == 1 and nums == list(range(nums[0], nums[0] + len(nums))):
            return f"{names[0]}–{names[-1]}"
    return items_text(names)


@dataclasses.dataclass(frozen=True)
class DisplayNames:
    """German and English display names of the raw names a note may carry.

    ``names`` maps a raw name (construct id, respondent-role code, construct role, municipality
    fact column) to its (German, English) display name; the run builds it from the instrument
    (:func:`analysis.sections.build_context`). :meth:`apply` re-renders a note with every parameter
    that is such a name, or a comma-separated list of them, replaced by its display name; a
    parameter ``side`` names a side of the perspective comparison (:data:`SIDE_LABELS`).

    >>> names = DisplayNames({"struktur": ("Strukturen", "Structures")})
    >>> p = NOTES.problem("too_few_groups", n=1, needed=2, variable="struktur")
    >>> names.apply(p).message("de")
    "Nur 1 Gruppe mit Werten in 'Strukturen'; nötig sind mindestens 2."
    """

    names: Mapping[str, tuple[str, str]] = dataclasses.field(default_factory=dict)

    def of(self, raw: Any, lang: str = "de") -> str:
        """The display name of ``raw`` in ``lang`` (``raw`` itself when none is known)."""
        pair = self.names.get(str(raw))
        return str(raw) if pair is None else (pair[0] if lang == "de" else pair[1])

    def _value(self, key: str, value: Any) -> Any:
        if isinstance(value, Problem):
            return self.apply(value)
        if not isinstance(value, str) or not value:
            return value
        if key == "side" and value in SIDE_LABELS:
            return SIDE_LABELS[value]
        parts = value.split(", ")
        if not all(p in self.names for p in parts):
            return value
        return (", ".join(self.names[p][0] for p in parts), ", ".join(self.names[p][1] for p in parts))

    def apply(self, problem: Problem) -> Problem:
        """``problem`` re-rendered with display names (same code, location and severity)."""
        if problem.code not in NOTES:
            return problem
        params = {k: self._value(k, v) for k, v in problem.params.items()}
        if params == dict(problem.params):
            return problem
        return NOTES.problem(problem.code, problem.location, severity=problem.severity, **params)

def _spec(severity: str, de: str, en: str, hint: tuple[str, str] = ("", ""), action: str = "") -> MessageSpec:
    return MessageSpec(severity, de, en, hint_de=hint[0], hint_en=hint[1], action=action)


def _one(value: Any, lang: str) -> Any:
    """The ``lang`` half of a parameter: a (de, en) pair gives its half, a :class:`Problem` its message."""
    if isinstance(value, tuple) and len(value) == 2:
        return value[0] if lang == "de" else value[1]
    if isinstance(value, Problem):
        return value.message(lang)
    return value


#: "1 Kommune(n)" -> "1 Kommune", "3 Kommune(n)" -> "3 Kommunen"; the same for English "(s)"/"(ies)".
_COUNTED = re.compile(r"(?<![\d.,])(\d+) ([^\W\d_]+)\((n|en|e|s|es|ies)\)")


def numerus(text: str) -> str:
    """``text`` with every ``"<count> word(suffix)"`` in singular or plural as the count says.

    >>> numerus("1 Kommune(n), 0 Gruppe(n), 2 municipality(ies), 1 row(s)")
    '1 Kommune, 0 Gruppen, 2 municipalities, 1 row'
    """
    def one(m: re.Match[str]) -> str:
        n, word, suffix = m.group(1), m.group(2), m.group(3)
        if n == "1":
            return f"{n} {word}"
        if suffix == "ies" and word.endswith("y"):
            return f"{n} {word[:-1]}ies"
        return f"{n} {word}{suffix}"

    return _COUNTED.sub(one, text)


class _BilingualCatalogue(Catalogue):
    """A catalogue whose parameters may be (German, English) pairs, each filled into its language.

    A parameter that is a :class:`Problem` is filled in with its message in the language; counted
    nouns written ``"{n} Kommune(n)"`` come out in singular or plural (:func:`numerus`).
    """

    @staticmethod
    def _in(params: Mapping[str, Any], lang: str) -> dict[str, Any]:
        return {k: _one(v, lang) for k, v in params.items()}

    def render(self, code: str, params: Mapping[str, Any], lang: str = "de") -> str:
        """The message of ``code`` in ``lang``; a (de, en) parameter gives its ``lang`` half."""
        return numerus(super().render(code, self._in(params, lang), lang))

    def hint(self, code: str, params: Mapping[str, Any], lang: str = "de") -> str:
        """The hint of ``code`` in ``lang``; a (de, en) parameter gives its ``lang`` half."""
        return numerus(super().hint(code, self._in(params, lang), lang))


NOTES = _BilingualCatalogue("analysis", {
    # ------------------------------------------------------------------ input (errors of the API)
    "not_a_frame": _spec("error", "Die Daten müssen eine Tabelle (DataFrame) sein.", "data must be a DataFrame.",
                         ("pandas.DataFrame übergeben.", "Pass a pandas.DataFrame.")),
    "columns_missing": _spec("error", "Spalte(n) fehlen in den Daten: {columns}.",
                             "Column(s) missing from the data: {columns}.",
                             ("Spaltennamen prüfen.", "Check the column names.")),
    "column_not_numeric": _spec("error", "Spalte '{column}' enthält nicht-numerische Werte (z. B. {example}).",
                                "Column '{column}' holds non-numeric values (e.g. {example}).",
                                ("Antworten als Zahlencodes übergeben.", "Pass answers as numeric codes.")),
    "invalid_argument": _spec("error", "Ungültiger Wert {value} für '{name}'; erlaubt: {allowed}.",
                              "Invalid value {value} for '{name}'; allowed: {allowed}."),
    "level_out_of_range": _spec("error", "'{name}' muss zwischen 0 und 1 liegen (gegeben: {value}).",
                                "'{name}' must lie between 0 and 1 (given: {value}).", _LEVEL_HINT),
    "values_out_of_range": _spec("error", "'{column}' hat Werte außerhalb {low}–{high}.",
                                 "'{column}' has values outside {low}–{high}.",
                                 ("Antwortcodes und Skala des Instruments prüfen.",
                                  "Check the answer codes and the instrument's scale.")),
    "values_outside_codes": _spec("error", "Item '{item}' hat Werte außerhalb der Antwortcodes {codes}: {found}.",
                                  "Item '{item}' has values outside the response codes {codes}: {found}.",
                                  ("Antwortcodes prüfen.", "Check the answer codes.")),
    "codes_not_unique": _spec("error", "Die Antwortcodes müssen eindeutig sein.", "Response codes must be unique."),
    "labels_mismatch": _spec("error", "{n_labels} Beschriftungen für {n_codes} Codes.",
                             "{n_labels} labels given for {n_codes} codes."),
    "no_scales": _spec("error", "Keine Skalen angegeben.", "No scales given."),
    "scale_without_items": _spec("error", "Skala '{scale}' hat keine Items.", "Scale '{scale}' has no items."),
    "item_in_several_factors": _spec("error", "Ein Item gehört zu mehreren Faktoren.",
                                     "An item belongs to several factors."),
    "pvalues_out_of_range": _spec("error", "p-Werte müssen zwischen 0 und 1 liegen.", "p-values must lie in [0, 1]."),
    "null_variance_invalid": _spec("error", "Nullverteilung ungültig: {detail}.", "Invalid null distribution: {detail}.",
                                   ("'uniform', eine tabellierte Verteilung, Wahrscheinlichkeiten oder eine Varianz "
                                    "angeben.", "Use 'uniform', a tabulated null, probabilities or a variance.")),
    "formula_mismatch": _spec("error", "Die Formel '{formula}' passt nicht zu den Daten: {detail}",
                              "The formula '{formula}' does not fit the data: {detail}",
                              ("Spaltennamen der Formel prüfen.", "Check the column names in the formula.")),
    "formula_unsupported": _spec("error", "Nicht unterstützte Modellformel: {detail}.",
                                 "Unsupported model formula: {detail}.",
                                 ("Nur ein Zufallsachsenabschnitt (1 | Gruppe) wird unterstützt.",
                                  "Only one random intercept (1 | group) is supported.")),
    "group_column_missing": _spec("error", "Die Gruppenspalte fehlt (group= oder (1 | Spalte) in der Formel).",
                                  "The grouping column is not named (group= or (1 | column) in the formula)."),
    "not_constant_within_group": _spec("error", "'{column}' ist innerhalb einer Kommune nicht konstant ({examples}).",
                                       "'{column}' varies within a municipality ({examples}).",
                                       ("Kommunendaten prüfen: je Kommune ein Wert.",
                                        "Check the municipality data: one value per municipality.")),
    "id_not_unique": _spec("error", "'{column}' ist innerhalb einer Welle nicht eindeutig (Kommune {group}).",
                           "'{column}' is not unique within a wave (municipality {group})."),
    "roles_on_both_sides": _spec("error", "Rollen auf beiden Seiten des Vergleichs: {roles}.",
                                 "Roles on both sides of the comparison: {roles}."),
    "wave_not_found": _spec("error", "Welle {wave} kommt in den Daten nicht vor (vorhanden: {found}).",
                            "Wave {wave} is not in the data (present: {found}).",
                            ("Wellenbezeichnung prüfen (--wave).", "Check the wave label (--wave).")),
    "missing_covariates": _spec("error", "Fehlende Kovariaten auf Kommunenebene.", "Missing municipality covariates."),
    # ------------------------------------------------------------------ too little data
    "too_few_items": _spec("warning", "{what} braucht mindestens {needed} Items, vorhanden: {k}.",
                           "{what} needs at least {needed} items, found {k}.",
                           ("Mehr Items des Konstrukts erheben oder zuordnen.",
                            "Collect or map more items of the construct.")),
    "too_few_respondents": _spec("warning", "Zu wenige Befragte mit Antworten ({n}, nötig: {needed}).",
                                 "Too few respondents with answers ({n}, needed: {needed}).", _MORE_DATA),
    "too_few_groups": _spec("warning", "Nur {n} Gruppe(n) mit Werten in '{variable}'; nötig sind mindestens {needed}.",
                            "Only {n} group(s) with values of '{variable}'; at least {needed} are needed.", _MORE_DATA),
    "too_few_groups_min_n": _spec("warning",
                                  "Nur {n} Gruppe(n) mit mindestens {min_n} Antworten in '{variable}'; ein Vergleich "
                                  "braucht mindestens 2.",
                                  "Only {n} group(s) with at least {min_n} answers of '{variable}'; a comparison "
                                  "needs at least 2.", _MORE_DATA),
    "too_few_per_group": _spec("warning", "{test}: zu wenige Werte je Gruppe (mindestens {needed} nötig).",
                               "{test}: too few values per group (at least {needed} needed).", _MORE_DATA),
    "too_few_observations": _spec("warning", "Zu wenige Beobachtungen für das Modell ({n} für {p} Parameter).",
                                  "Too few observations for the model ({n} for {p} parameters).", _MORE_DATA),
    "too_few_municipalities": _spec("warning",
                                    "Nur {n} Kommune(n) mit mindestens {min_n} Antworten; nicht berechnet: {what}.",
                                    "Only {n} municipality(ies) with at least {min_n} answers; left out: {what}.",
                                    _MORE_DATA),
    "no_valid_values": _spec("warning", "Keine gültigen Werte in '{column}'.", "No valid values in '{column}'.",
                             ("Zuordnung der Spalte beim Import prüfen.", "Check how the column was mapped on import.")),
    "pairs_never_together": _spec("warning", "Diese Item-Paare wurden nie gemeinsam beantwortet: {pairs}.",
                                  "These item pairs were never answered together: {pairs}.",
                                  ("Zuordnung der Items prüfen (z. B. Filterführung); die Statistik entfällt.",
                                   "Check the item mapping (e.g. skip logic); the statistic is left out.")),
    "predictors_dependent": _spec("warning", "Die Prädiktoren sind linear abhängig (z. B. eine Kategorie ohne Fälle).",
                                  "The predictors are linearly dependent (e.g. an empty category).",
                                  ("Modell mit weniger Prädiktoren rechnen.", "Fit the model with fewer predictors.")),
    "did_cells_missing": _spec("warning",
                               "Für Differenz-von-Differenzen fehlen geförderte oder nicht geförderte Kommunen in "
                               "einer Welle.",
                               "Difference-in-differences needs funded and not funded municipalities in both waves.",
                               ("Förderkohorte in den Kommunendaten pflegen.", "Fill in the funding cohort.")),
    "fact_missing": _spec("warning", "Die Fakten-Typologie braucht den Ratsbeschluss ({column}).",
                          "The fact typology needs the council resolution ({column}).",
                          ("Spalte 'Ratsbeschluss' in den Kommunendaten ausfüllen.",
                           "Fill in the council-resolution column of the municipality data.")),
    "proportion_not_binary": _spec("error", "Für Anteile muss '{column}' 0/1 sein oder 'success' angegeben werden.",
                                   "For proportions '{column}' must be 0/1, or give 'success' codes."),
    # ------------------------------------------------------------------ degenerate statistics
    "item_constant": _spec("warning", "Ohne Streuung (alle Antworten gleich): {items}; standardisierte Kennwerte "
                           "sind nicht definiert.",
                           "Without variance (all answers equal): {items}; standardised statistics are undefined.",
                           ("Item prüfen: trennt es in dieser Stichprobe nicht?",
                            "Check the item: it does not discriminate in this sample.")),
    "outcome_constant": _spec("warning", "'{variable}' hat keine Streuung (alle Werte gleich); {what} ist nicht "
                              "definiert (NaN).",
                              "'{variable}' has no variance (all values equal); {what} is undefined (NaN).",
                              ("Antworten prüfen; bei echten Daten entfällt der Teil.",
                               "Check the answers; with real data this part is left out.")),
    "group_constant": _spec("warning", "{test}: in Gruppe(n) {groups} haben alle Werte denselben Wert; der Test ist "
                            "nicht definiert.",
                            "{test}: all values are equal in group(s) {groups}; the test is undefined.", _MORE_DATA),
    "within_sd_zero": _spec("warning", "Die Streuung innerhalb der Gruppen ist 0 oder nicht schätzbar.",
                            "The within-group SD is zero or cannot be estimated.", _MORE_DATA),
    "alpha_negative_items": _spec("warning",
                                  "Einige Items ({items}) korrelieren negativ mit der Gesamtskala und sollten "
                                  "vermutlich umgepolt werden (psych-Prüfung); Alpha = {alpha}.",
                                  "Some items ({items}) were negatively correlated with the total scale and "
                                  "probably should be reversed (psych's check); alpha = {alpha}.",
                                  ("Umpolung (reverse) im Instrument prüfen.",
                                   "Check the reverse keying in the instrument.")),
    "alpha_negative_average_covariance": _spec("warning",
                                               "Die mittlere Kovarianz der Items ist negativ; Alpha ({alpha}) verletzt "
                                               "die Annahmen des Reliabilitätsmodells.",
                                               "The average covariance of the items is negative; alpha ({alpha}) "
                                               "violates reliability model assumptions.",
                                               ("Umpolung (reverse) im Instrument prüfen.",
                                                "Check the reverse keying in the instrument.")),
    "omega_mixed_signs": _spec("warning", "Ein-Faktor-Ladungen mit gemischten Vorzeichen ({items}): Omega ({omega}) "
                               "ist nicht als Reliabilität interpretierbar.",
                               "One-factor loadings of mixed sign ({items}): omega ({omega}) cannot be read as a "
                               "reliability.",
                               ("Umpolung (reverse) im Instrument prüfen.",
                                "Check the reverse keying in the instrument.")),
    "omega_not_converged": _spec("warning", "Das Ein-Faktor-Modell für Omega ist nicht konvergiert.",
                                 "The one-factor model for omega did not converge."),
    "awg_outside_range": _spec("info", "awg ist für {n} Gruppe(n) nicht definiert: der Gruppenmittelwert liegt außerhalb "
                               "des zulässigen Bereichs (Brown & Hauenstein 2005).",
                               "awg is undefined for {n} group(s): the group mean lies outside the admissible range "
                               "(Brown & Hauenstein 2005)."),
    "icc_negative": _spec("info", "ICC(1) von '{variable}' ist negativ ({icc}): keine Varianz zwischen den Kommunen "
                          "nachweisbar; Aggregation auf Kommunen ist nicht gestützt.",
                          "ICC(1) of '{variable}' is negative ({icc}): no between-municipality variance detected; "
                          "aggregation to municipalities is not supported."),
    "model_singular": _spec("info", "Singuläre Anpassung: tau² ≈ 0, die Varianz zwischen Kommunen ist nicht von 0 zu "
                            "unterscheiden; die festen Effekte entsprechen OLS.",
                            "Singular fit: tau² ≈ 0, the between-municipality variance is not distinguishable from 0; "
                            "the fixed effects equal OLS."),
    "model_not_converged": _spec("warning", "Das Modell ist nicht konvergiert ({detail}).",
                                 "The model did not converge ({detail}).",
                                 ("Ergebnis mit Vorsicht lesen; mehr Kommunen einbeziehen.",
                                  "Read the result with care; include more municipalities.")),
    "model_refit": _spec("info", "statsmodels lieferte {detail}; mit dem exakten profilierten REML-Verfahren neu "
                         "angepasst.",
                         "statsmodels returned {detail}; refitted with the exact profiled REML fitter."),
    "model_warning": _spec("info", "Hinweis des Schätzverfahrens: {detail}.", "Note from the estimator: {detail}."),
    "model_cluster_se": _spec("info", "Standardfehler cluster-robust (CR1) nach Kommune, t mit G − 1 Freiheitsgraden.",
                              "Standard errors CR1 cluster-robust by municipality, t with G − 1 df."),
    # ------------------------------------------------------------------ notes of analysis.run
    "no_municipality_data": _spec("info", "Keine Kommunendaten; nicht berechnet: {what}.",
                                  "No municipality data; left out: {what}.",
                                  ("Kommunen-Stammdaten (Blatt 'Kommunen' oder --municipalities) mit importieren.",
                                   "Import the municipality master data (sheet 'Kommunen' or --municipalities).")),
    "municipality_column_missing": _spec("info", "Kommunendaten ohne '{column}'; nicht berechnet: {what}.",
                                         "Municipality data without '{column}'; left out: {what}.",
                                         ("Spalte in den Kommunendaten ausfüllen.",
                                          "Fill in the column of the municipality data.")),
    "municipalities_below_min_n": _spec(
        "info", "{n} Kommune(n) mit weniger als {min_n} Befragten in der ausgewerteten Welle: {examples}. Sie gehen "
        "in keine Zahl dieser Welle ein, auch nicht in Landeswerte, Rollen- und Typgruppen oder Modelle; so lässt "
        "sich ihre Gruppe nicht aus Landeswert minus übrige Kommunen berechnen.",
        "{n} municipality(ies) with fewer than {min_n} respondents in the analysed wave: {examples}. They enter no "
        "figure of this wave, state figures, role and type groups and models included, so that their group cannot "
        "be computed as the state figure minus the other municipalities.",
        ("Mehr Befragte dieser Kommunen gewinnen, damit sie ausgewertet werden können (SECURITY.md, Abschnitt 4a).",
         "Win more respondents in these municipalities to have them analysed (SECURITY.md, section 4a).")),
    "municipalities_without_answers": _spec("info", "{n} Kommune(n) der Stammdaten ohne Antworten in allen Wellen: "
                                            "{examples}.",
                                            "{n} municipality(ies) of the master data without answers in any wave: "
                                            "{examples}.",
                                            ("Nichts zu tun, falls diese Kommunen nicht befragt wurden.",
                                             "Nothing to do if these municipalities were not surveyed.")),
    "single_municipality": _spec("info", "Nur eine Kommune in den Daten: Vergleiche zwischen Kommunen entfallen.",
                                 "Only one municipality in the data: comparisons between municipalities are left out.",
                                 _MORE_DATA),
    "single_wave": _spec("info", "Nur eine Welle ({wave}); nicht berechnet: {what}.", "Only one wave ({wave}); left out: {what}.",
                         ("Nach der nächsten Befragungswelle beide Wellen gemeinsam importieren.",
                          "After the next survey wave, import both waves together.")),
    "single_substantial_wave": _spec("info", "Nur eine ausreichend große Welle ({wave}; zu klein: {small}); "
                                     "nicht berechnet: {what}.",
                                     "Only one wave large enough ({wave}; too small: {small}); left out: {what}.",
                                     ("Wellenbezeichnungen prüfen (Tippfehler?); nach der nächsten Befragungswelle "
                                      "beide Wellen gemeinsam importieren.",
                                      "Check the wave labels (a typo?); after the next survey wave, import both "
                                      "waves together.")),
    "wave_used": _spec("info", "Querschnittsauswertungen: Welle {wave}, {n} von {n_all} Befragten in {n_groups} "
                       "Kommune(n); Wellenfolge {order}.",
                       "Cross-sectional analyses: wave {wave}, {n} of {n_all} respondents in {n_groups} "
                       "municipality(ies); wave order {order}.",
                       ("Andere Welle mit --wave wählen, Reihenfolge mit --wave-order festlegen.",
                        "Choose another wave with --wave, fix the order with --wave-order.")),
    "wave_subset_small": _spec("warning", "Die ausgewertete Welle {wave} umfasst nur {n} von {n_all} Befragten "
                               "({n_groups} Kommune(n)).",
                               "The analysed wave {wave} holds only {n} of {n_all} respondents "
                               "({n_groups} municipality(ies)).",
                               ("Wellenbezeichnungen prüfen (Tippfehler?) oder mit --wave / --wave-order wählen.",
                                "Check the wave labels (a typo?) or choose with --wave / --wave-order.")),
    "wave_default_passed_over": _spec(
        "warning", "Standardwelle ist {wave} (n = {n}); übergangen, weil zu klein für die Querschnittsauswertungen: "
        "{passed}. Als ausreichend groß gilt eine Welle mit mindestens {min_n} Befragten in mindestens {k} "
        "Kommune(n) oder mit mindestens {share} der Befragten der größten Welle.",
        "The default wave is {wave} (n = {n}); passed over as too small for the cross-sectional analyses: "
        "{passed}. A wave is large enough with at least {min_n} respondents in at least {k} municipality(ies) "
        "or with at least {share} of the respondents of the largest wave.",
        ("Eine Welle ausdrücklich wählen, z. B. --wave {example}; ist die Bezeichnung ein Tippfehler, in den "
         "Eingabedateien korrigieren und neu importieren.",
         "Choose a wave explicitly, e.g. --wave {example}; if the label is a typo, correct it in the input files "
         "and import again.")),
    "wave_unknown": _spec("error", "Die Welle '{wave}' (--wave) gibt es in diesem Datensatz nicht. Vorhandene "
                          "Wellen: {found}.",
                          "Wave '{wave}' (--wave) is not in this dataset. Waves present: {found}.",
                          ("Eine der vorhandenen Wellen angeben oder --wave weglassen (dann gilt die letzte "
                           "ausreichend große Welle).",
                           "Give one of the waves present, or leave out --wave (then the latest wave that is "
                           "large enough is used).")),
    "wave_order_unknown": _spec("error", "--wave-order nennt Welle(n), die es in diesem Datensatz nicht gibt: "
                                "{unknown}. Vorhandene Wellen: {found}.",
                                "--wave-order names wave(s) that are not in this dataset: {unknown}. Waves present: "
                                "{found}.",
                                ("Jede vorhandene Welle genau einmal nennen, früheste zuerst, z. B. --wave-order "
                                 "{example}.",
                                 "Name every wave present exactly once, earliest first, e.g. --wave-order "
                                 "{example}.")),
    "wave_order_incomplete": _spec("error", "--wave-order lässt vorhandene Welle(n) aus: {missing}. Vorhandene "
                                   "Wellen: {found}.",
                                   "--wave-order leaves out wave(s) present in the data: {missing}. Waves present: "
                                   "{found}.",
                                   ("Jede vorhandene Welle genau einmal nennen, früheste zuerst, z. B. --wave-order "
                                    "{example}.",
                                    "Name every wave present exactly once, earliest first, e.g. --wave-order "
                                    "{example}.")),
    "wave_order_duplicate": _spec("error", "--wave-order nennt Welle(n) mehrfach: {duplicates}.",
                                  "--wave-order names wave(s) more than once: {duplicates}.",
                                  ("Jede vorhandene Welle genau einmal nennen, früheste zuerst, z. B. --wave-order "
                                   "{example}.",
                                   "Name every wave present exactly once, earliest first, e.g. --wave-order "
                                   "{example}.")),
    "municipalities_absent_in_wave": _spec("info", "{n} Kommune(n) ohne Antworten in Welle {wave} (Antworten nur in "
                                           "anderen Wellen): {examples}.",
                                           "{n} municipality(ies) without answers in wave {wave} (answers only in "
                                           "other waves): {examples}.",
                                           ("Diese Kommunen mit --wave und ihrer Welle auswerten.",
                                            "Analyse these municipalities with --wave and their wave.")),
    "construct_role_no_data": _spec("warning", "Konstrukt '{construct}' (Rolle {role}): keines seiner Items "
                                    "{items} ist im Datensatz; nicht berechnet: {what}.",
                                    "Construct '{construct}' (role {role}): none of its items {items} is in the "
                                    "dataset; left out: {what}.",
                                    ("In der Zuordnung (Zuordnungsdatei, --mapping) die Spalten dieser Items "
                                     "zuordnen und neu importieren.",
                                     "Map the columns of these items in the mapping (mapping file, --mapping) and "
                                     "import again.")),
    "perspective_pooled_model": _spec("info", "Mehrebenenmodell mit Zufallsachsenabschnitt und Mundlak-Term (Abstand "
                                      "innerhalb der Kommunen); Spalte hedges_g = Abstand / √(tau² + sigma²).",
                                      "Random-intercept model with Mundlak term (within-municipality gap); column "
                                      "hedges_g = gap / √(tau² + sigma²)."),
    "construct_single_item": _spec("info", "Konstrukt mit nur einem Item ({items}): als Item berichtet, ohne "
                                   "Reliabilität.",
                                   "Construct with a single item ({items}): reported as an item, no reliability."),
    "construct_items_missing": _spec("warning", "Items ohne Antworten (nicht zugeordnet oder nie beantwortet): "
                                     "{items}; das Konstrukt wird aus {k} von {k_all} Items gebildet.",
                                     "Items without answers (not mapped or never answered): {items}; the construct "
                                     "is scored from {k} of {k_all} items.",
                                     ("Zuordnung der Spalten beim Import prüfen.",
                                      "Check the column mapping of the import.")),
    "construct_no_data": _spec("warning", "Konstrukt '{construct}': keines seiner Items ({items}) hat Antworten "
                               "(nicht zugeordnet oder nie beantwortet); das Konstrukt entfällt.",
                               "Construct '{construct}': none of its items ({items}) has answers (not mapped or "
                               "never answered); the construct is left out.",
                               ("Zuordnung der Spalten beim Import prüfen.",
                                "Check the column mapping of the import.")),
    "no_construct_roles": _spec("info", "Das Instrument erklärt für kein Konstrukt die Rolle '{role}'; nicht berechnet: "
                                "{what}.",
                                "The instrument declares no construct with role '{role}'; left out: {what}.",
                                ("Im Instrument die Rolle der Konstrukte angeben (YAML 'role:', XLSForm-Spalte "
                                 "'construct_role').",
                                 "Declare the construct roles in the instrument (YAML 'role:', XLSForm column "
                                 "'construct_role').")),
    "construct_role_ambiguous": _spec("info", "Mehrere Konstrukte mit der Rolle '{role}' ({constructs}); verwendet: "
                                      "{used}.",
                                      "Several constructs with role '{role}' ({constructs}); used: {used}."),
    "roles_pooled": _spec("info", "Rollen mit weniger als {min_n} Befragten im Modell als 'andere' zusammengefasst: "
                          "{roles}.",
                          "Roles with fewer than {min_n} respondents pooled as 'andere' in the model: {roles}."),
    "role_side_absent": _spec("info", "Keine Befragten in der Gruppe '{side}' (Rollen: {roles}); nicht berechnet: {what}.",
                              "No respondents in the group '{side}' (roles: {roles}); left out: {what}.",
                              ("Auch diese Rollen befragen.", "Survey these roles as well.")),
    "single_role": _spec("info", "Alle Befragten haben dieselbe Rolle ({role}): Auswertungen nach Rolle entfallen.",
                         "All respondents have the same role ({role}): analyses by role are left out."),
    "no_common_municipalities": _spec("info", "Keine Kommune hat in beiden Wellen ({first}, {last}) mindestens {min_n} "
                                      "Befragte: keine Veränderung je Kommune schätzbar.",
                                      "No municipality has at least {min_n} respondents in both waves ({first}, "
                                      "{last}): no change per municipality can be estimated.",
                                      ("Dieselben Kommunen in beiden Wellen befragen.",
                                       "Survey the same municipalities in both waves.")),
    "no_funding_data": _spec("info", "Förderkohorte nicht bekannt (gefördert und nicht gefördert): "
                             "Differenz-von-Differenzen entfällt.",
                             "Funding cohort not known (funded and not funded): difference-in-differences is left out.",
                             ("Spalte 'Förderkohorte' in den Kommunendaten ausfüllen.",
                              "Fill in the funding-cohort column of the municipality data.")),
    "posthoc_limited": _spec("info", "{k} Gruppen in '{by}': Paarvergleiche nur bis {max} Gruppen; Trichterdiagramm "
                             "statt Paarvergleichen.",
                             "{k} groups in '{by}': pairwise tests only up to {max} groups; use the funnel plot."),
    "fact_single_value": _spec("info", "'{column}' hat in diesen Daten nur einen Wert.",
                               "'{column}' has a single value in these data."),
    "fact_no_values": _spec("info", "Keine Angaben zu '{column}' (keine Kommunendaten oder Spalte leer).",
                            "No values of '{column}' (no municipality data or the column is blank).",
                            ("Kommunen-Stammdaten (Blatt 'Kommunen' oder --municipalities) mit importieren.",
                             "Import the municipality master data (sheet 'Kommunen' or --municipalities).")),
    "partnership_all_or_none": _spec("info", "Alle oder keine Kommune sind vom Typ Partnerschaft.",
                                     "All or no municipalities are of the partnership type."),
    "waves_mixed": _spec("warning", "Die Daten enthalten mehrere Wellen ({waves}); sie werden gemeinsam ausgewertet.",
                         "The data hold several waves ({waves}); they are analysed together.",
                         ("Vorher eine Welle auswählen.", "Select one wave first.")),
    "hypothesis_not_testable": _spec("info", "Hypothese {hypothesis} nicht prüfbar: {reason}",
                                     "Hypothesis {hypothesis} not testable: {reason}"),
    # ------------------------------------------------------------------ privacy (analysis.small_cells)
    "complementary_suppression": _spec(
        "info", "{k} Zeile(n) ergänzend unterdrückt (Spalte „Art der Unterdrückung“), damit keine Gruppe unter "
        "{min_n} Befragten durch Differenzbildung mit {tables} berechnet werden kann.",
        "{k} row(s) suppressed as well (column 'Kind of suppression' = secondary) so that no group below {min_n} "
        "respondents can be computed by subtracting {tables}.",
        ("Wie die ergänzende Unterdrückung vor Differenzbildung schützt: SECURITY.md, Abschnitt 4a "
         "(„Differencing“).",
         "How the complementary suppression protects against differencing: SECURITY.md, section 4a "
         "('Differencing').")),
    "total_blanked": _spec(
        "info", "Spalte {columns} leer gelassen: die Summe über alle Wellen minus die ausgewertete Welle ergäbe eine "
        "Welle mit weniger als {min_n} Befragten (mit {tables}).",
        "Column {columns} left blank: the total over all waves minus the analysed wave would give a wave of fewer "
        "than {min_n} respondents (with {tables}).",
        ("Wellenbezeichnungen prüfen (Tippfehler?); siehe SECURITY.md, Abschnitt 4a.",
         "Check the wave labels (typo?); see SECURITY.md, section 4a.")),
    "differencing_unprotected": _spec(
        "warning", "Eine Gruppe von {n} Befragten ({group}) lässt sich aus Landessummen berechnen ({tables}), die nie "
        "unterdrückt werden.",
        "A group of {n} respondents ({group}) can be computed from state totals ({tables}) that are never suppressed.",
        ("Die Tabellen vor der Veröffentlichung prüfen oder die Welle oder Gruppe weglassen.",
         "Check the tables before publishing or leave the wave or group out.")),
    "privacy_model_mismatch": _spec(
        "warning", "Tabelle '{table}', Spalte '{column}': {k} Zahl(en) passen nicht zur beschriebenen Gruppe "
        "(z. B. {example}); der Schutz vor Differenzbildung ist für diese Spalte unsicher.",
        "Table '{table}', column '{column}': {k} count(s) do not match the described group (e.g. {example}); "
        "protection against differencing is uncertain for this column.",
        ("Bitte als Fehler melden (analysis/table_catalogue.py).", "Please report as a bug (analysis/table_catalogue.py).")),
    "part_failed": _spec("error", "Interner Fehler in diesem Teil ({detail}); alle anderen Teile wurden berechnet.",
                         "Internal error in this part ({detail}); all other parts were computed.",
                         ("Bitte mit 'baustein --debug analyse …' erneut ausführen und die Ausgabe melden.",
                          "Please rerun with 'baustein --debug analyse …' and report the output.")),
    "no_table": _spec("error", "Keine einzige Ergebnistabelle konnte berechnet werden.",
                      "Not a single result table could be computed.",
                      ("Die übrigen Hinweise nennen die Gründe.", "The other notes give the reasons.")),
})

#: Columns of the ``hinweise`` results table (:func:`notes_frame`).
NOTE_COLUMNS = ("section", "scope", "code", "severity", "reason_de", "reason_en", "hint_de", "hint_en")


class AnalysisWarning(UserWarning):
    """A degenerate result (NaN with a reason, a suspicious estimate); carries its :class:`Problem`."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def analysis_error(code: str, *, scope: str = "", **params: Any) -> AnalysisError:
    """An :class:`AnalysisError` with the catalogue entry ``code`` (raise it).

    >>> analysis_error("no_scales").problem.code
    'no_scales'
    """
    return AnalysisError(problem=NOTES.problem(code, Location(scope=scope), **params))


def warn(code: str, *, scope: str = "", stacklevel: int = 2, **params: Any) -> None:
    """Issue an :class:`AnalysisWarning` with the catalogue entry ``code``."""
    warnings.warn(AnalysisWarning(NOTES.problem(code, Location(scope=scope), **params)), stacklevel=stacklevel + 1)


def items_text(items: Iterable[Any], limit: int = 8) -> str:
    """``"A, B, C"`` (at most ``limit`` names, then ``"… (+n)"``)."""
    names = [str(i) for i in items]
    return ", ".join(names[:limit]) + (f" … (+{len(names) - limit})" if len(names) > limit else "")


def located(problem: Problem, section: str, scope: str = "") -> Problem:
    """``problem`` placed in ``section`` and ``scope`` (``"scope: own scope"`` when the problem has its own)."""
    own = problem.location.scope
    full = f"{scope}: {own}" if scope and own and own != scope else (scope or own)
    loc = dataclasses.replace(problem.location, section=section, scope=full)
    return dataclasses.replace(problem, location=loc)


def notes_frame(notes: Sequence[Problem]) -> pd.DataFrame:
    """Notes as the tidy ``hinweise`` table (:data:`NOTE_COLUMNS`), duplicates removed, order kept."""
    rows = [{
        "section": p.location.section, "scope": p.location.scope, "code": p.code, "severity": p.severity,
        "reason_de": p.message_de, "reason_en": p.message_en, "hint_de": p.hint_de, "hint_en": p.hint_en,
    } for p in notes]
    return pd.DataFrame(rows, columns=list(NOTE_COLUMNS)).drop_duplicates(ignore_index=True)
