"""The Baustein's reflection statements as testable hypotheses, with plain-language verdicts.

The Baustein *Sensibilisierung der Kommune & Zivilgesellschaft* closes with five reflection
statements (items PAR01..PAR05 carry them as H1..H5). Each becomes a hypothesis function with its
own operationalisation and test; :func:`evaluate_hypotheses` runs them all (plus two fact
hypotheses) and returns one row per hypothesis with estimate, CI, p, effect size, numbers of
municipalities and respondents, a verdict and a German and English sentence.

Operationalisations (all at **municipality level**, because the statements are about
municipalities; respondent-level associations between two ratings of the same person are
inflated by common-method variance, e.g. a general positive halo):

* **H1** *Erfolgreiche Prozesse gelingen dort, wo Kommune und Zivilgesellschaft gemeinsam
  Verantwortung übernehmen.* Municipalities of the commitment type *Partnerschaft* (municipal and
  civil commitment both above the midpoint, :func:`analysis.typology.commitment_typology`)
  versus all other municipalities, outcome structure strength. Random-intercept model
  ``struktur ~ partnership + C(role) + (1 | ags)``; the coefficient is the difference in
  structure strength. (PAR01 asks the statement directly; its municipality mean is a
  manipulation check, not a test.)
* **H2** *Ein klares kommunales Bekenntnis ist häufig die Startvoraussetzung.* A council
  resolution (*Ratsbeschluss*, the documented, binding form of commitment) → structure strength:
  ``struktur ~ council_resolution + C(role) + (1 | ags)`` (raw difference of municipalities with
  and without). The adjusted effect is the fact hypothesis F1 below.
* **H3** *Bürgermeister/innen sind oft Schlüsselpersonen für Dynamik und Vertrauen.* Mayor
  actively involved (fact) → structure strength, same model as H2.
* **H4** *Beteiligung schafft Identifikation und Mitverantwortung.* Participation enabled (KOM04)
  → identification and shared responsibility (PAR04), municipality-level (contextual) slope in
  ``PAR04 ~ KOM04_b + KOM04_w + (1 | ags)`` (Enders & Tofighi 2007).
* **H5** *Kommunale Stärke wächst durch eine starke Zivilgesellschaft.* The interaction of
  municipal and civil-society commitment on structure strength (the municipal slope grows with
  civil strength) in the contextual random-intercept model ``struktur ~ (kommunal_b − 3) ×
  (zivil_b − 3) + kommunal_w + zivil_w + council_resolution + mayor_involved + C(role) +
  (1 | ags)``, municipality means empirical-Bayes adjusted for their sampling error
  (:func:`analysis.multilevel.contextual_terms`).
* **F1 / F2** *Kommunen mit Ratsbeschluss / mit engagierter Bürgermeisterin haben tragfähigere
  Strukturen* – adjusted for municipal and civil commitment and for each other: the
  council_resolution and mayor_involved coefficients of the H5 model.

Verdicts (Lakens, Scheel & Isager 2018: an interval test against a smallest effect of interest
δ, default 0.2 scale points): **supported** when the CI lies above 0 and does not lie entirely
below δ; **not supported** when the upper CI bound is below δ (a relevant effect in the
hypothesised direction is ruled out); otherwise **inconclusive**.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from core.errors import AnalysisError
from core.problems import Problem

from .input_checks import check_columns, check_level
from .multilevel import contextual_terms, fit_multilevel
from .notes import NOTES, fact_label, warn
from .typology import commitment_typology

__all__ = [
    "DEFAULT_COLUMNS",
    "STATEMENTS",
    "evaluate_hypotheses",
    "format_number_de",
    "hypothesis_f_facts",
    "hypothesis_h1",
    "hypothesis_h2",
    "hypothesis_h3",
    "hypothesis_h4",
    "hypothesis_h5",
    "verdict",
]

#: Baustein statements (German original, English translation).
STATEMENTS: dict[str, tuple[str, str]] = {
    "H1": ("Erfolgreiche Prozesse gelingen dort, wo Kommune und Zivilgesellschaft gemeinsam Verantwortung übernehmen.",
           "Processes succeed where municipality and civil society share responsibility."),
    "H2": ("Ein klares kommunales Bekenntnis ist häufig die Startvoraussetzung.",
           "A clear municipal commitment is often the precondition for starting."),
    "H3": ("Bürgermeister/innen sind oft Schlüsselpersonen für Dynamik und Vertrauen.",
           "Mayors are often key persons for momentum and trust."),
    "H4": ("Beteiligung schafft Identifikation und Mitverantwortung.",
           "Participation creates identification and shared responsibility."),
    "H5": ("Kommunale Stärke wächst durch eine starke Zivilgesellschaft.",
           "Municipal strength grows through a strong civil society."),
    "F1": ("Kommunen mit Ratsbeschluss haben tragfähigere Strukturen (bei gleichem Engagement).",
           "Municipalities with a council resolution have stronger structures (at equal commitment)."),
    "F2": ("Kommunen mit engagierter Bürgermeisterin / engagiertem Bürgermeister haben tragfähigere Strukturen "
           "(bei gleichem Engagement).",
           "Municipalities with an involved mayor have stronger structures (at equal commitment)."),
}

#: Column names used by default (the ``sensibilisierung`` instrument and dataset).
DEFAULT_COLUMNS: dict[str, str] = {
    "group": "ags", "role": "role", "wave": "wave",
    "municipal": "kommunal", "civil": "zivil", "structure": "struktur",
    "council": "council_resolution", "mayor": "mayor_involved",
    "participation": "KOM04", "identification": "PAR04",
}

VERDICTS = {
    "supported": ("gestützt", "supported"),
    "not supported": ("nicht gestützt", "not supported"),
    "inconclusive": ("unklar", "inconclusive"),
    "not testable": ("nicht prüfbar", "not testable"),
}


# --------------------------------------------------------------------------- formatting
def format_number_de(x: float, digits: int = 2) -> str:
    """German number format: decimal comma, thousands dot, typographic minus.

    >>> format_number_de(-1234.567, 1), format_number_de(0.4)
    ('−1.234,6', '0,40')
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    s = f"{abs(x):,.{digits}f}".replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return ("−" if x < 0 and float(s.replace(".", "").replace(",", ".")) != 0 else "") + s


def _fmt_en(x: float, digits: int = 2) -> str:
    return f"{x:,.{digits}f}".replace("-", "−")


def _fmt_p(p: float, lang: str) -> str:
    if p is None or np.isnan(p):
        return "p = –"
    if p < 0.001:
        return "p < 0,001" if lang == "de" else "p < 0.001"
    return f"p = {format_number_de(p, 3)}" if lang == "de" else f"p = {p:.3f}"


def verdict(ci_low: float, ci_high: float, smallest_effect: float = 0.2) -> str:
    """Verdict of a directional hypothesis (effect > 0) from its CI and a smallest effect δ.

    * ``"not supported"`` if ci_high < δ (effects of relevant size are ruled out; this includes
      significant effects in the opposite direction and trivially small positive effects);
    * ``"supported"`` if ci_low > 0 (and not the case above);
    * ``"inconclusive"`` otherwise (the CI contains 0 and reaches δ).

    Interval-based reasoning after Lakens, Scheel & Isager (2018, *AMPPS* 1, 259–269).

    >>> verdict(0.1, 0.5), verdict(-0.3, 0.1), verdict(-0.1, 0.4), verdict(0.05, 0.15)
    ('supported', 'not supported', 'inconclusive', 'not supported')
    """
    if ci_low is None or ci_high is None or np.isnan(ci_low) or np.isnan(ci_high):
        return "not testable"
    if ci_high < smallest_effect:
        return "not supported"
    if ci_low > 0:
        return "supported"
    return "inconclusive"


def _sentences(key: str, est: float, lo: float, hi: float, p: float, G: int, N: int,
               verd: str, templates: tuple[str, str, str, str], unit_digits: int = 2) -> tuple[str, str]:
    """templates: (de positive, de negative, en positive, en negative) with {e} {lo} {hi}."""
    de_pos, de_neg, en_pos, en_neg = templates
    if est >= 0:
        de = de_pos.format(e=format_number_de(est, unit_digits), lo=format_number_de(lo, unit_digits),
                           hi=format_number_de(hi, unit_digits))
        en = en_pos.format(e=_fmt_en(est, unit_digits), lo=_fmt_en(lo, unit_digits), hi=_fmt_en(hi, unit_digits))
    else:
        de = de_neg.format(e=format_number_de(-est, unit_digits), lo=format_number_de(-hi, unit_digits),
                           hi=format_number_de(-lo, unit_digits))
        en = en_neg.format(e=_fmt_en(-est, unit_digits), lo=_fmt_en(-hi, unit_digits), hi=_fmt_en(-lo, unit_digits))
    n_de = f"n = {format_number_de(G, 0)} Kommunen, {format_number_de(N, 0)} Befragte; {_fmt_p(p, 'de')}"
    n_en = f"n = {G:,} municipalities, {N:,} respondents; {_fmt_p(p, 'en')}"
    vde, ven = VERDICTS[verd]
    return (f"{de} ({n_de}). {key}: Hypothese {vde}.", f"{en} ({n_en}). {key}: hypothesis {ven}.")


# --------------------------------------------------------------------------- helpers
def _role_term(data: pd.DataFrame, role: str | None) -> str:
    if role and role in data.columns and data[role].nunique(dropna=True) > 1:
        return f" + C({role})"
    return ""


def _as_float_fact(s: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
        return s.astype("Float64").astype(float)
    txt = s.astype("string").str.strip().str.lower()
    return pd.Series(np.where(txt.isin(["ja", "yes", "true", "1"]), 1.0,
                              np.where(txt.isin(["nein", "no", "false", "0"]), 0.0, np.nan)), index=s.index)


def _row(key: str, operationalisation: str, outcome: str, predictor: str, method: str, coef: pd.Series | None,
         G: int, N: int, smallest_effect: float, effect_size: float, effect_size_type: str,
         templates: tuple[str, str, str, str], note: str = "") -> pd.DataFrame:
    st_de, st_en = STATEMENTS[key]
    if coef is None:
        verd = "not testable"
        est = lo = hi = p = np.nan
        sde = f"{key}: nicht prüfbar – {note}"
        sen = f"{key}: not testable – {note}"
    else:
        est, lo, hi, p = (float(coef[k]) for k in ("estimate", "ci_low", "ci_high", "p"))
        verd = verdict(lo, hi, smallest_effect)
        sde, sen = _sentences(key, est, lo, hi, p, G, N, verd, templates)
    return pd.DataFrame([{
        "hypothesis": key, "statement_de": st_de, "statement_en": st_en,
        "operationalisation": operationalisation, "outcome": outcome, "predictor": predictor,
        "method": method, "estimate": est, "ci_low": lo, "ci_high": hi, "p": p,
        "effect_size": effect_size, "effect_size_type": effect_size_type,
        "n_municipalities": G, "n_respondents": N, "smallest_effect": smallest_effect,
        "verdict": verd, "verdict_de": VERDICTS[verd][0],
        "sentence_de": sde, "sentence_en": sen, "note": note,
    }])


def _not_testable(key: str, operationalisation: str, outcome: str, predictor: str, problem: Problem,
                  smallest_effect: float, G: int = 0, N: int = 0) -> pd.DataFrame:
    """The row of a hypothesis that cannot be tested; the reason (a catalogue problem) goes into
    ``note`` and is issued as an :class:`~analysis.notes.AnalysisWarning` (``hypothesis_not_testable``)."""
    reason = f"{problem.message_de} / {problem.message_en}"
    # the note carries the reason as a problem: each language gets its own text, and the run can
    # name constructs and facts in it by their display names
    warn("hypothesis_not_testable", scope=key, hypothesis=key, reason=problem, stacklevel=3)
    return _row(key, operationalisation, outcome, predictor, "", None, G, N, smallest_effect, np.nan, "",
                ("", "", "", ""), note=reason)


def _std_effect(res: Any, coef: pd.Series) -> float:
    """Estimate / sqrt(tau² + sigma²): a d-type effect size in outcome SD units."""
    total = res.tau2 + res.sigma2
    return float(coef["estimate"]) / math.sqrt(total) if total > 0 else np.nan


def _fact_problem(values: pd.Series, fact: str) -> Problem:
    """Why a municipality fact cannot be tested: no values at all, or a single value."""
    return NOTES.problem("fact_no_values" if values.notna().sum() == 0 else "fact_single_value",
                         column=fact_label(fact))


def _fact_hypothesis(key: str, data: pd.DataFrame, structure: str, fact: str, group: str, role: str | None,
                     smallest_effect: float, ci: float, templates: tuple[str, str, str, str],
                     operationalisation: str) -> pd.DataFrame:
    check_columns(data, [structure, fact, group])
    d = data.assign(_fact=_as_float_fact(data[fact]))
    d = d.dropna(subset=[structure, "_fact", group])
    if d["_fact"].nunique() < 2:
        return _not_testable(key, operationalisation, structure, fact, _fact_problem(d["_fact"], fact),
                             smallest_effect)
    res = fit_multilevel(d, f"{structure} ~ _fact{_role_term(d, role)}", group=group, method="auto",
                         ddf="between-within", ci=ci)
    c = res.coef("_fact")
    return _row(key, operationalisation, structure, fact,
                "random-intercept model (REML), t with between-within df; role as covariate",
                c, res.n_groups, res.n_obs, smallest_effect, _std_effect(res, c), "d (estimate / total SD)",
                templates)


# --------------------------------------------------------------------------- hypotheses
def hypothesis_h1(data: pd.DataFrame, municipal: str = "kommunal", civil: str = "zivil",
                  structure: str = "struktur", group: str = "ags", role: str | None = "role",
                  threshold: float | None = None, min_n: int = 5, smallest_effect: float = 0.2,
                  ci: float = 0.95) -> pd.DataFrame:
    """H1: partnership municipalities (both commitments high) have stronger structures.

    Model: ``structure ~ P_j + C(role) + (1 | group)`` with P_j = 1 if the municipality is of type
    *Partnerschaft* in :func:`analysis.typology.commitment_typology` (threshold default: scale
    midpoint; municipalities below ``min_n`` respondents are left out). Estimate: difference in
    structure strength, partnership minus other municipalities (scale points), t-test with
    between-within df (Pinheiro & Bates 2000). Effect size: estimate / √(τ² + σ²).

    Returns a one-row DataFrame (columns as :func:`evaluate_hypotheses`).

    Examples
    --------
    >>> from analysis.hypotheses import hypothesis_h1  # doctest: +SKIP
    >>> hypothesis_h1(df)[["estimate", "verdict"]]      # doctest: +SKIP
    """
    check_columns(data, [municipal, civil, structure, group])
    typ = commitment_typology(data, municipal, civil, group=group, threshold=threshold, min_n=min_n)
    part = typ.set_index(group)["type"].dropna()
    d = data[data[group].isin(part.index)].copy()
    d["_partner"] = (d[group].map(part) == "Partnerschaft").astype(float)
    d = d.dropna(subset=[structure])
    templates = (
        "Kommunen, in denen Kommune und Zivilgesellschaft gemeinsam Verantwortung tragen (Typ Partnerschaft), "
        "haben im Mittel {e} Punkte [{lo}; {hi}] tragfähigere Strukturen als die übrigen Kommunen",
        "Kommunen vom Typ Partnerschaft haben im Mittel {e} Punkte [{lo}; {hi}] weniger tragfähige Strukturen "
        "als die übrigen Kommunen",
        "Municipalities where municipality and civil society share responsibility (partnership type) have on "
        "average {e} points [{lo}; {hi}] stronger structures than the other municipalities",
        "Partnership-type municipalities have on average {e} points [{lo}; {hi}] weaker structures than the "
        "other municipalities",
    )
    op = (f"Typ 'Partnerschaft' (Mittel von {municipal} und {civil} je Kommune > Schwelle) vs. übrige Typen → "
          f"{structure}")
    if d["_partner"].nunique() < 2:
        return _not_testable("H1", op, structure, "partnership type", NOTES.problem("partnership_all_or_none"),
                             smallest_effect, int(d[group].nunique()), len(d))
    res = fit_multilevel(d, f"{structure} ~ _partner{_role_term(d, role)}", group=group, method="auto",
                         ddf="between-within", ci=ci)
    c = res.coef("_partner")
    return _row("H1", op, structure, "partnership type (municipality level)",
                "random-intercept model (REML), t with between-within df; role as covariate",
                c, res.n_groups, res.n_obs, smallest_effect, _std_effect(res, c), "d (estimate / total SD)",
                templates)


def hypothesis_h2(data: pd.DataFrame, structure: str = "struktur", council: str = "council_resolution",
                  group: str = "ags", role: str | None = "role", smallest_effect: float = 0.2,
                  ci: float = 0.95) -> pd.DataFrame:
    """H2: a clear municipal commitment (council resolution) goes with stronger structures.

    Model ``structure ~ council + C(role) + (1 | group)``: the difference between municipalities
    with and without a council resolution (raw, not adjusted for commitment; see F1). REML,
    t with between-within df (Pinheiro & Bates 2000, sec. 4.2.2). Effect size estimate/√(τ²+σ²).

    Examples
    --------
    >>> hypothesis_h2(df)["sentence_de"].iloc[0]   # doctest: +SKIP
    'Kommunen mit Ratsbeschluss haben im Mittel 0,40 Punkte [0,20; 0,60] tragfähigere Strukturen ...'
    """
    templates = (
        "Kommunen mit Ratsbeschluss haben im Mittel {e} Punkte [{lo}; {hi}] tragfähigere Strukturen",
        "Kommunen mit Ratsbeschluss haben im Mittel {e} Punkte [{lo}; {hi}] weniger tragfähige Strukturen",
        "Municipalities with a council resolution have on average {e} points [{lo}; {hi}] stronger structures",
        "Municipalities with a council resolution have on average {e} points [{lo}; {hi}] weaker structures",
    )
    return _fact_hypothesis("H2", data, structure, council, group, role, smallest_effect, ci, templates,
                            f"Ratsbeschluss ({council}, Fakt) → {structure}; ergänzend PAR02")


def hypothesis_h3(data: pd.DataFrame, structure: str = "struktur", mayor: str = "mayor_involved",
                  group: str = "ags", role: str | None = "role", smallest_effect: float = 0.2,
                  ci: float = 0.95) -> pd.DataFrame:
    """H3: municipalities whose mayor is actively involved have stronger structures.

    Same model as :func:`hypothesis_h2` with the fact ``mayor`` (raw difference; adjusted: F2).

    Examples
    --------
    >>> hypothesis_h3(df)[["estimate", "ci_low", "ci_high"]]   # doctest: +SKIP
    """
    templates = (
        "Kommunen mit aktiv eingebundener Bürgermeisterin / eingebundenem Bürgermeister haben im Mittel "
        "{e} Punkte [{lo}; {hi}] tragfähigere Strukturen",
        "Kommunen mit aktiv eingebundener Bürgermeisterin / eingebundenem Bürgermeister haben im Mittel "
        "{e} Punkte [{lo}; {hi}] weniger tragfähige Strukturen",
        "Municipalities with an actively involved mayor have on average {e} points [{lo}; {hi}] stronger structures",
        "Municipalities with an actively involved mayor have on average {e} points [{lo}; {hi}] weaker structures",
    )
    return _fact_hypothesis("H3", data, structure, mayor, group, role, smallest_effect, ci, templates,
                            f"Bürgermeister/in eingebunden ({mayor}, Fakt) → {structure}; ergänzend PAR03")


def hypothesis_h4(data: pd.DataFrame, participation: str = "KOM04", identification: str = "PAR04",
                  group: str = "ags", smallest_effect: float = 0.2, ci: float = 0.95) -> pd.DataFrame:
    """H4: where participation is enabled, identification and shared responsibility are higher.

    Contextual model ``identification ~ x_b + x_w + (1 | group)`` with x_b the municipality mean
    of ``participation`` and x_w the respondent deviation (Enders & Tofighi 2007); the hypothesis
    concerns the municipality-level slope of x_b (points of identification per point of
    participation). Effect size: the standardised slope b·SD(x̄_j)/√(τ²+σ²).

    Examples
    --------
    >>> hypothesis_h4(df, "KOM04", "PAR04")["estimate"]   # doctest: +SKIP
    """
    check_columns(data, [participation, identification, group])
    d = data[[group, participation, identification]].apply(
        lambda s: pd.to_numeric(s, errors="coerce") if s.name != group else s).dropna()
    d = contextual_terms(d, [participation], group)
    templates = (
        "In Kommunen, in denen Beteiligung um einen Punkt stärker ermöglicht wird, ist die Identifikation "
        "im Mittel um {e} Punkte [{lo}; {hi}] höher",
        "In Kommunen, in denen Beteiligung um einen Punkt stärker ermöglicht wird, ist die Identifikation "
        "im Mittel um {e} Punkte [{lo}; {hi}] niedriger",
        "In municipalities where participation is enabled one point more, identification is on average "
        "{e} points [{lo}; {hi}] higher",
        "In municipalities where participation is enabled one point more, identification is on average "
        "{e} points [{lo}; {hi}] lower",
    )
    op = f"Beteiligung ermöglicht ({participation}, Kommunenmittel) → Identifikation/Mitverantwortung ({identification})"
    res = fit_multilevel(d, f"{identification} ~ {participation}_b + {participation}_w", group=group,
                         method="auto", ddf="between-within", ci=ci)
    c = res.coef(f"{participation}_b")
    sd_b = float(d.groupby(group)[f"{participation}_b"].first().std())
    es = float(c["estimate"]) * sd_b / math.sqrt(res.tau2 + res.sigma2)
    return _row("H4", op, identification, f"{participation} (municipality mean)",
                "contextual random-intercept model (REML), between slope, t with between-within df",
                c, res.n_groups, res.n_obs, smallest_effect, es, "standardised between slope", templates)


def _h5_model(data: pd.DataFrame, municipal: str, civil: str, structure: str, group: str, role: str | None,
              council: str | None, mayor: str | None, center: float, eb_adjust: bool, ci: float) -> Any:
    check_columns(data, [municipal, civil, structure, group])
    d = data.copy()
    used = d[[municipal, civil, structure, group]].notna().all(axis=1)
    facts, fact_names = [], []
    for f in (council, mayor):
        if not f or f not in d.columns:
            continue
        values = _as_float_fact(d[f])
        # a fact without two values among the rows with answers (e.g. no municipality data) cannot
        # adjust anything: it is left out instead of dropping every row
        if values[used].nunique() < 2:
            continue
        d[f"_fact{len(facts)}"] = values
        fact_names.append(f"_fact{len(facts)}")
        facts.append(f)
    d = d.dropna(subset=[municipal, civil, structure, group, *fact_names])
    d = contextual_terms(d, [municipal, civil], group, center=center, adjust="eb" if eb_adjust else "none",
                         covariates=fact_names, interaction=(municipal, civil))
    rhs = (f"{municipal}_b + {civil}_b + {municipal}_b__{civil}_b + {municipal}_w + {civil}_w"
           + "".join(f" + {f}" for f in fact_names) + _role_term(d, role))
    res = fit_multilevel(d, f"{structure} ~ {rhs}", group=group, method="auto", ddf="between-within", ci=ci)
    return res, dict(zip(facts, fact_names))


def hypothesis_h5(data: pd.DataFrame, municipal: str = "kommunal", civil: str = "zivil",
                  structure: str = "struktur", group: str = "ags", role: str | None = "role",
                  council: str | None = "council_resolution", mayor: str | None = "mayor_involved",
                  center: float = 3.0, eb_adjust: bool = True, smallest_effect: float = 0.2,
                  ci: float = 0.95) -> pd.DataFrame:
    """H5: municipal strength grows with a strong civil society (municipal × civil interaction).

    Contextual random-intercept model (REML, between-within df)::

        structure ~ (M_j − c) + (Z_j − c) + (M_j − c)(Z_j − c) + m_w + z_w
                    + council + mayor + C(role) + (1 | group)

    with M_j, Z_j municipality means of municipal and civil commitment centred at ``center``
    (the scale midpoint), empirical-Bayes adjusted for sampling error when ``eb_adjust``
    (:func:`analysis.multilevel.contextual_terms`), and m_w, z_w respondent deviations. The
    coefficient of the product is the hypothesis: by how many points the effect of one point of
    municipal commitment grows per point of civil-society commitment. Effect size: the product
    coefficient times SD(M_j)·SD(Z_j), divided by √(τ²+σ²).

    Examples
    --------
    >>> hypothesis_h5(df)[["estimate", "verdict"]]   # doctest: +SKIP
    """
    res, adjusted = _h5_model(data, municipal, civil, structure, group, role, council, mayor, center, eb_adjust, ci)
    term = f"{municipal}_b__{civil}_b"
    c = res.coef(term)
    templates = (
        "Je stärker die Zivilgesellschaft, desto stärker wirkt kommunales Engagement: pro Punkt "
        "zivilgesellschaftlichen Engagements steigt der Zusammenhang von kommunalem Engagement und "
        "Strukturstärke um {e} Punkte [{lo}; {hi}]",
        "Je stärker die Zivilgesellschaft, desto schwächer wirkt kommunales Engagement: pro Punkt "
        "zivilgesellschaftlichen Engagements sinkt der Zusammenhang von kommunalem Engagement und "
        "Strukturstärke um {e} Punkte [{lo}; {hi}]",
        "The stronger civil society, the stronger municipal commitment works: per point of civil-society "
        "commitment the slope of structure strength on municipal commitment grows by {e} points [{lo}; {hi}]",
        "The stronger civil society, the weaker municipal commitment works: per point of civil-society "
        "commitment the slope of structure strength on municipal commitment falls by {e} points [{lo}; {hi}]",
    )
    return _row("H5", f"Interaktion {municipal} × {civil} (Kommunenmittel, zentriert bei {center}) → {structure}",
                structure, f"{municipal} × {civil}",
                "contextual random-intercept model (REML)" + (", EB-adjusted municipality means" if eb_adjust else "")
                + ", t with between-within df; adjusted for "
                + (", ".join([*adjusted, "role"]) if adjusted else "role (no municipality facts with two values)"),
                c, res.n_groups, res.n_obs, smallest_effect, np.nan, "", templates)


def hypothesis_f_facts(data: pd.DataFrame, municipal: str = "kommunal", civil: str = "zivil",
                       structure: str = "struktur", group: str = "ags", role: str | None = "role",
                       council: str = "council_resolution", mayor: str = "mayor_involved",
                       center: float = 3.0, eb_adjust: bool = True, smallest_effect: float = 0.2,
                       ci: float = 0.95) -> pd.DataFrame:
    """F1, F2: council resolution and mayor involvement, adjusted for commitment and each other.

    The coefficients of ``council`` and ``mayor`` in the H5 model (:func:`hypothesis_h5`): the
    difference in structure strength between municipalities with and without the fact at equal
    municipal and civil commitment. Two rows.

    Examples
    --------
    >>> hypothesis_f_facts(df)[["hypothesis", "estimate"]]   # doctest: +SKIP
    """
    check_columns(data, [council, mayor])
    res, names = _h5_model(data, municipal, civil, structure, group, role, council, mayor, center, eb_adjust,
                           ci)
    rows = []
    for key, fact, t in (
        ("F1", council, ("Bei gleichem Engagement haben Kommunen mit Ratsbeschluss im Mittel {e} Punkte [{lo}; {hi}] "
                         "tragfähigere Strukturen",
                         "Bei gleichem Engagement haben Kommunen mit Ratsbeschluss im Mittel {e} Punkte [{lo}; {hi}] "
                         "weniger tragfähige Strukturen",
                         "At equal commitment, municipalities with a council resolution have on average {e} points "
                         "[{lo}; {hi}] stronger structures",
                         "At equal commitment, municipalities with a council resolution have on average {e} points "
                         "[{lo}; {hi}] weaker structures")),
        ("F2", mayor, ("Bei gleichem Engagement haben Kommunen mit eingebundener Bürgermeisterin / eingebundenem "
                       "Bürgermeister im Mittel {e} Punkte [{lo}; {hi}] tragfähigere Strukturen",
                       "Bei gleichem Engagement haben Kommunen mit eingebundener Bürgermeisterin / eingebundenem "
                       "Bürgermeister im Mittel {e} Punkte [{lo}; {hi}] weniger tragfähige Strukturen",
                       "At equal commitment, municipalities with an involved mayor have on average {e} points "
                       "[{lo}; {hi}] stronger structures",
                       "At equal commitment, municipalities with an involved mayor have on average {e} points "
                       "[{lo}; {hi}] weaker structures")),
    ):
        if fact not in names:
            values = _as_float_fact(data[fact])[data[structure].notna()]
            rows.append(_not_testable(key, f"{fact} (Fakt) → {structure}", structure, fact,
                                      _fact_problem(values, fact), smallest_effect))
            continue
        c = res.coef(names[fact])
        rows.append(_row(key, f"{fact} (Fakt) → {structure}, adjustiert für {municipal}, {civil} und weitere Fakten",
                         structure, fact, "coefficient in the H5 contextual random-intercept model (REML)",
                         c, res.n_groups, res.n_obs, smallest_effect, _std_effect(res, c),
                         "d (estimate / total SD)", t))
    return pd.concat(rows, ignore_index=True)


def evaluate_hypotheses(
    data: pd.DataFrame,
    *,
    group: str = "ags",
    role: str | None = "role",
    municipal: str = "kommunal",
    civil: str = "zivil",
    structure: str = "struktur",
    council: str = "council_resolution",
    mayor: str = "mayor_involved",
    participation: str = "KOM04",
    identification: str = "PAR04",
    midpoint: float = 3.0,
    threshold: float | None = None,
    smallest_effect: float = 0.2,
    ci: float = 0.95,
    min_n: int = 5,
    eb_adjust: bool = True,
    wave: str | None = "wave",
) -> pd.DataFrame:
    """Test the Baustein's reflection statements H1..H5 and the fact hypotheses F1, F2.

    Parameters
    ----------
    data : pandas.DataFrame
        Respondent-level frame of **one wave** with scale scores, items and municipality facts
        (e.g. ``Dataset.analysis_frame()`` after :func:`analysis.scoring.score_scales`, filtered
        to one wave). Every row given is used.
    group, role : str
        Municipality and respondent-role columns (``role=None``: no role covariate).
    municipal, civil, structure : str
        Score columns of municipal commitment, civil-society commitment and structure strength
        (:func:`analysis.run` takes them from the construct roles of the instrument).
    council, mayor : str
        Municipality facts: council resolution, mayor involved.
    participation, identification : str
        Items of H4 (participation enabled, identification / shared responsibility).
    midpoint : float, default 3.0
        Scale midpoint of the commitment scores: centre of the H5/F models and default typology
        threshold of H1.
    threshold : float, optional
        Typology threshold of H1 (default: ``midpoint``).
    smallest_effect : float, default 0.2
        Smallest effect of interest (scale points) of the verdicts.
    ci : float, default 0.95
        Confidence level of every interval (and so of the verdicts).
    min_n : int, default 5
        Municipalities with fewer respondents get no commitment type (H1).
    eb_adjust : bool, default True
        Empirical-Bayes adjusted municipality means in H5, F1, F2.
    wave : str or None, default "wave"
        Column holding the wave; its value(s) in ``data`` are written into the result column
        ``wave``. Rows of several waves are used as given, with an
        :class:`~analysis.notes.AnalysisWarning` (``waves_mixed``): select one wave first.

    Returns
    -------
    pandas.DataFrame
        One row per hypothesis: ``hypothesis, statement_de, statement_en, operationalisation,
        outcome, predictor, method, estimate, ci_low, ci_high, p, effect_size, effect_size_type,
        n_municipalities, n_respondents, smallest_effect, verdict, verdict_de, sentence_de,
        sentence_en, note, wave``. A hypothesis whose columns are absent or which cannot be
        estimated gets ``verdict = "not testable"`` and the reason in ``note``.

    Notes
    -----
    Operationalisations, models and the verdict rule: module docstring. The hypotheses are
    cross-sectional: they are tested on the rows given, which should be one wave, so that the
    programme effect between waves does not mix into the comparisons (:func:`analysis.run`
    passes its cross-sectional wave, by default the latest one, and says which in ``wave``).
    Several hypotheses are tested on the same data: p-values are unadjusted; the verdicts rest on
    ``ci`` intervals and a smallest effect of interest.

    Examples
    --------
    >>> res = evaluate_hypotheses(frame, municipal="kommunal", civil="zivil")   # doctest: +SKIP
    >>> res[["hypothesis", "estimate", "ci_low", "ci_high", "verdict"]]            # doctest: +SKIP
    """
    check_level(ci)
    d = data
    wave_used: Any = None
    if wave is not None and wave in d.columns:
        present = [str(w) for w in pd.unique(d[wave].dropna())]
        wave_used = ", ".join(present) if present else None
        if len(present) > 1:
            warn("waves_mixed", waves=wave_used)
    thr = midpoint if threshold is None else threshold
    se = smallest_effect
    calls: list[tuple[str, Callable[[], pd.DataFrame]]] = [
        ("H1", lambda: hypothesis_h1(d, municipal, civil, structure, group, role, thr, min_n, se, ci)),
        ("H2", lambda: hypothesis_h2(d, structure, council, group, role, se, ci)),
        ("H3", lambda: hypothesis_h3(d, structure, mayor, group, role, se, ci)),
        ("H4", lambda: hypothesis_h4(d, participation, identification, group, se, ci)),
        ("H5", lambda: hypothesis_h5(d, municipal, civil, structure, group, role, council, mayor, midpoint,
                                     eb_adjust, se, ci)),
        ("F1", lambda: hypothesis_f_facts(d, municipal, civil, structure, group, role, council, mayor, midpoint,
                                          eb_adjust, se, ci)),
    ]
    rows = []
    for key, fn in calls:
        try:
            rows.append(fn())
        except (AnalysisError, np.linalg.LinAlgError) as exc:
            problem = getattr(exc, "problem", None) or NOTES.problem("predictors_dependent")
            for k in (["F1", "F2"] if key == "F1" else [key]):
                rows.append(_not_testable(k, "", "", "", problem, se))
    out = pd.concat(rows, ignore_index=True)
    out["wave"] = wave_used
    return out
