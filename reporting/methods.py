"""The generated "Methoden" page: what a funder's report can cite about data and methods.

Built from the dataset, the results and their configuration (no kernel): the data (instrument,
waves, respondents, municipalities, files), the number of respondents per municipality, the
reliability of each scale and the ICCs that justify municipality means, the suppression rule, the
models and tests with their settings, a glossary of every statistic and the references.
:func:`methods_sections` returns the content as headings with blocks (paragraphs, tables, a
definition list, a numbered list), rendered to HTML here (:func:`blocks_html`) and to Word by
:mod:`reporting.documents`, so the page and the state overview's Word file say the same.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

import numpy as np
import pandas as pd

from core.spreadsheet_escape import escape_html

from . import labels as L  # noqa: N812
from .formatting import fill_names, fmt_number
from .notebook import table_html
from .profile_data import suppressed_mask, table_or_none, with_ci_columns

__all__ = ["REFERENCES", "Block", "blocks_html", "methods_sections", "write_methods_html"]

#: One block of content: ("p", text), ("table", (DataFrame, headers, n_col)), ("dl", [(term, text)]),
#: ("ol", [text, ...]), ("refs", [reference, ...]) (a numbered list of the literature, in its language).
Block = tuple[str, Any]

#: The literature the methods rest on (cited on the methods page).
REFERENCES: tuple[str, ...] = (
    "Bliese, P. D. (2000). Within-group agreement, non-independence, and reliability. In K. J. Klein & "
    "S. W. J. Kozlowski (Hrsg.), Multilevel theory, research, and methods in organizations (S. 349–381). Jossey-Bass.",
    "Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests. Psychometrika, 16, 297–334.",
    "Feldt, L. S., Woodruff, D. J. & Salih, F. A. (1987). Statistical inference for coefficient alpha. "
    "Applied Psychological Measurement, 11, 93–103.",
    "Games, P. A. & Howell, J. F. (1976). Pairwise multiple comparison procedures with unequal n's and/or variances. "
    "Journal of Educational Statistics, 1, 113–125.",
    "James, L. R., Demaree, R. G. & Wolf, G. (1984). Estimating within-group interrater reliability with and "
    "without response bias. Journal of Applied Psychology, 69, 85–98.",
    "Lindell, M. K., Brandt, C. J. & Whitney, D. J. (1999). A revised index of interrater agreement for "
    "multi-item ratings of a single target. Applied Psychological Measurement, 23, 127–135.",
    "McDonald, R. P. (1999). Test theory: A unified treatment. Erlbaum.",
    "Nakagawa, S. & Schielzeth, H. (2013). A general and simple method for obtaining R² from generalized linear "
    "mixed-effects models. Methods in Ecology and Evolution, 4, 133–142.",
    "Raudenbush, S. W. & Bryk, A. S. (2002). Hierarchical linear models (2. Aufl.). Sage.",
    "Spiegelhalter, D. J. (2005). Funnel plots for comparing institutional performance. Statistics in "
    "Medicine, 24, 1185–1202.",
    "Welch, B. L. (1951). On the comparison of several mean values: An alternative approach. Biometrika, 38, 330–336.",
    "Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate. Journal of the Royal Statistical "
    "Society B, 57, 289–300.",
    "Holm, S. (1979). A simple sequentially rejective multiple test procedure. Scandinavian Journal of "
    "Statistics, 6, 65–70.",
)


def _p(text: str) -> Block:
    return ("p", text)


def blocks_html(blocks: list[Block], lang: str = "de") -> str:
    """HTML of a list of blocks (every text escaped)."""
    out = []
    for kind, content in blocks:
        if kind == "p":
            out.append(f"<p>{escape_html(content)}</p>")
        elif kind == "table":
            df, headers, n_col = content
            out.append(table_html(df, headers, lang=lang, n_col=n_col, max_rows=len(df) or 1))
        elif kind == "dl":
            out.append('<dl class="baustein-terms">' + "".join(
                f"<dt>{escape_html(t)}</dt><dd>{escape_html(d)}</dd>" for t, d in content) + "</dl>")
        elif kind in ("ol", "refs"):
            cls = ' class="baustein-references" lang="en"' if kind == "refs" else ""
            out.append(f"<ol{cls}>" + "".join(f"<li>{escape_html(t)}</li>" for t in content) + "</ol>")
    return "".join(out)


def _n_distribution(over: pd.DataFrame, lang: str) -> str:
    n = over["n"].astype(float)
    q = np.nanpercentile(n, [0, 25, 50, 75, 100]) if len(n) else [np.nan] * 5
    parts = [fmt_number(v, 0, lang, count=True) for v in q]
    if lang == "de":
        return (f"Befragte je Kommune: Minimum {parts[0]}, unteres Quartil {parts[1]}, Median {parts[2]}, "
                f"oberes Quartil {parts[3]}, Maximum {parts[4]}.")
    return (f"Respondents per municipality: minimum {parts[0]}, lower quartile {parts[1]}, median {parts[2]}, "
            f"upper quartile {parts[3]}, maximum {parts[4]}.")


def methods_sections(dataset: Any, results: Any, lang: str = "de", dataset_name: str = "") -> list[tuple[str, list[Block]]]:
    """The methods as (heading, blocks) pairs (see module docstring).

    Parameters
    ----------
    dataset : surveys.dataset.Dataset
    results : analysis.Results
    lang : {"de", "en"}
    dataset_name : str
        Named in the citation (default: the name in the dataset's manifest).

    Returns
    -------
    list of (str, list of Block)
    """
    de = lang == "de"
    cfg = results.config
    meta = results.meta
    inst = dataset.instrument
    over = table_or_none(results, "kommunen_uebersicht")
    over = over if over is not None else pd.DataFrame({"n": [], "suppressed": []})
    shown = fill_names(over[~suppressed_mask(over)])
    totals = dataset.manifest.get("totals", {})
    waves = ", ".join(map(str, meta.get("waves") or [])) or "–"
    out: list[tuple[str, list[Block]]] = []

    # data
    if de:
        data = [
            f"Instrument: {inst.title_de} (Version {inst.version}), abgeleitet aus dem Baustein "
            f"„{inst.source.replace('Baustein: ', '')}“; {len(inst.items)} Aussagen in {len(inst.constructs)} Skalen, "
            "Antworten von 1 (stimme gar nicht zu) bis 5 (stimme voll zu).",
            f"Befragungswellen: {waves}; ausgewertet wird die Welle {meta.get('wave')}, Veränderungen zwischen den Wellen "
            "mit allen Wellen.",
            f"Befragte: {fmt_number(meta.get('n_respondents_all_waves', 0), 0, lang, count=True)} in allen Wellen, "
            f"{fmt_number(meta.get('n_respondents', 0), 0, lang, count=True)} in der ausgewerteten Welle; "
            f"{fmt_number(len(over), 0, lang, count=True)} Kommunen, davon {fmt_number(len(shown), 0, lang, count=True)} "
            f"mit mindestens {cfg.min_n} Befragten (nur diese werden gezeigt).",
        ]
        if totals:
            data.append(f"Import: {fmt_number(totals.get('files', 0), 0, lang)} Dateien, "
                        f"{fmt_number(totals.get('rows_in', 0), 0, lang)} Zeilen gelesen, "
                        f"{fmt_number(totals.get('rows_accepted', 0), 0, lang)} übernommen, "
                        f"{fmt_number(totals.get('rows_rejected', 0), 0, lang)} abgelehnt (Gründe in rejections.xlsx).")
    else:
        data = [
            f"Instrument: {inst.title_en} (version {inst.version}), derived from the Baustein "
            f"“{inst.source.replace('Baustein: ', '')}”; {len(inst.items)} statements in {len(inst.constructs)} scales, "
            "answers from 1 (strongly disagree) to 5 (strongly agree).",
            f"Survey waves: {waves}; wave {meta.get('wave')} is analysed, changes between waves use all waves.",
            f"Respondents: {fmt_number(meta.get('n_respondents_all_waves', 0), 0, lang, count=True)} in all waves, "
            f"{fmt_number(meta.get('n_respondents', 0), 0, lang, count=True)} in the analysed wave; "
            f"{fmt_number(len(over), 0, lang, count=True)} municipalities, {fmt_number(len(shown), 0, lang, count=True)} "
            f"of them with at least {cfg.min_n} respondents (only these are shown).",
        ]
        if totals:
            data.append(f"Import: {fmt_number(totals.get('files', 0), 0, lang)} files, "
                        f"{fmt_number(totals.get('rows_in', 0), 0, lang)} rows read, "
                        f"{fmt_number(totals.get('rows_accepted', 0), 0, lang)} accepted, "
                        f"{fmt_number(totals.get('rows_rejected', 0), 0, lang)} rejected (reasons in rejections.xlsx).")
    out.append(("Daten" if de else "Data", [_p(t) for t in data]))

    # n per municipality
    body = [_p(_n_distribution(shown, lang))] if len(shown) else []
    if 0 < len(shown) <= 60:
        cols = {c: L.header(c, lang) for c in ("name", "ags", "district", "n") if c in shown.columns}
        body.append(("table", (shown, cols, "n")))
    elif len(shown):
        body.append(_p("Die Zahl je Kommune steht im Blatt „kommunen_uebersicht“ von results.xlsx." if de else
                   "The number per municipality is in the sheet 'kommunen_uebersicht' of results.xlsx."))
    out.append(("Befragte je Kommune" if de else "Respondents per municipality", body))

    # reliability and aggregation
    rel = table_or_none(results, "reliabilitaet")
    body = [_p("Reliabilität der Skalen: Cronbachs Alpha (paarweise Kovarianzen wie R psych::alpha) mit "
              "Feldt-Konfidenzintervall und McDonalds Omega aus einem Ein-Faktor-Modell (Maximum Likelihood)."
              if de else "Scale reliability: Cronbach's alpha (pairwise covariances as R psych::alpha) with Feldt "
              "confidence interval and McDonald's omega from a one-factor maximum-likelihood model.")]
    if rel is not None and len(rel):
        r = with_ci_columns(rel).assign(label=rel["construct"].map({c.id: c.label(lang) for c in inst.constructs}))
        cols = {c: L.header(c, lang, "reliabilitaet") for c in ("label", "k", "n", "raw_alpha", "ci_low", "ci_high",
                                                               "omega_total") if c in r.columns}
        body.append(("table", (r, cols, "n")))
    agg = table_or_none(results, "aggregation")
    if agg is not None and len(agg):
        body.append(_p("Zusammenfassung je Kommune: ICC(1) und ICC(2) aus der einfaktoriellen Varianzanalyse (Bliese 2000) "
                   "und die Übereinstimmung innerhalb der Kommunen (rwg(j), r*wg(j)) zeigen, ob Kommunenmittelwerte "
                   "aussagekräftig sind." if de else
                   "Municipality means: ICC(1) and ICC(2) from a one-way ANOVA (Bliese 2000) and within-municipality "
                   "agreement (rwg(j), r*wg(j)) show whether municipality means are meaningful."))
        a = agg.assign(label=agg["dv"].map({c.id: c.label(lang) for c in inst.constructs}))
        body.append(("table", (a, {c: L.header(c, lang, "aggregation") for c in ("label", "icc1", "icc2",
                                                                                     "design_effect")}, None)))
    out.append(("Reliabilität und Zusammenfassung je Kommune" if de else "Reliability and municipality means", body))

    # suppression and missing answers
    out.append(("Datenschutz und fehlende Antworten" if de else "Privacy and missing answers", [_p(t) for t in (
        [f"Keine Gruppe mit weniger als {cfg.min_n} Befragten erscheint in einer Tabelle, Grafik oder einem Satz "
         "(Kommunen, Rollen, Wellen, Typen); solche Gruppen sind in results.xlsx leer und als „unterdrückt“ markiert. "
         "Befragte sind nur pseudonymisiert gespeichert, Freitexte werden nicht ausgewertet.",
         "„weiß nicht“ und „keine Angabe“ zählen als fehlend, nie als Mittelkategorie. Ein Skalenwert wird gebildet, "
         f"wenn mindestens {fmt_number(cfg.min_share * 100, 0, lang)} % der Aussagen der Skala beantwortet sind; "
         "umgepolte Aussagen werden vorher umgepolt."] if de else
        [f"No group of fewer than {cfg.min_n} respondents appears in any table, chart or sentence (municipalities, "
         "roles, waves, types); such groups are blank in results.xlsx and marked 'suppressed'. Respondents are stored "
         "pseudonymised only; free-text answers are not analysed.",
         "'Don't know' and 'no answer' count as missing, never as the midpoint. A scale score is formed when at least "
         f"{fmt_number(cfg.min_share * 100, 0, lang)} % of the scale's statements are answered; reversed statements "
         "are reversed first."])]))

    # models and tests
    ci = fmt_number(cfg.ci * 100, 0, lang)
    od = {"additive": "additiv (τ², Spiegelhalter 2005)" if de else "additive (τ², Spiegelhalter 2005)",
          "multiplicative": "multiplikativ (φ)" if de else "multiplicative (φ)"}.get(cfg.funnel_overdispersion or "",
                                                                                  "keine" if de else "none")
    models = ([
        f"Konfidenzintervalle: {ci} %; p-Werte zweiseitig, bei Paarvergleichen zusätzlich nach Holm und "
        "Benjamini-Hochberg adjustiert.",
        f"Trichterdiagramme: Mittelwert jeder Kommune gegen ihre Zahl an Antworten, 95-%- und 99,8-%-Grenzen um das "
        f"Landesmittel (Spiegelhalter 2005); Überdispersion: {od}, geschätzt aus winsorisierten z-Werten.",
        "Kommunenmittelwerte mit t-Konfidenzintervallen; empirisch-bayesianisch geschrumpfte Mittelwerte (REML) "
        "für rangähnliche Darstellungen (Raudenbush & Bryk 2002).",
        "Vergleiche nach Landkreis, Gemeindegrößenklasse und Förderkohorte: Welch-ANOVA mit η², ω², ε² und "
        f"Games-Howell-Paarvergleichen (bis {cfg.max_posthoc_groups} Gruppen).",
        "Formen des Engagements: Typologie aus den Kommunenmitteln von kommunalem und zivilgesellschaftlichem "
        "Engagement (Schwelle: Skalenmitte) und aus den Kommunendaten (Ratsbeschluss, Bürgermeister/in, "
        "Ansprechperson, Ressourcen); Vergleich der Strukturstärke mit Welch-ANOVA auf Kommunenebene.",
        "Mehrebenenmodell: Stärke der Unterstützungsstrukturen ~ kommunales × zivilgesellschaftliches Engagement "
        "(am Gesamtmittel zentriert) + Rolle + zufälliger Achsenabschnitt je Kommune, REML; R² nach Nakagawa & "
        "Schielzeth (2013). Die Aussagen des Bausteins werden als Hypothesen mit Schätzer, Intervall, p und "
        f"Effektstärke geprüft; als kleinster relevanter Effekt gelten {fmt_number(cfg.smallest_effect, 1, lang)} "
        "Punkte.",
        "Perspektiven: Unterschied zwischen Verwaltung/Bürgermeister/in/Gemeinderat und Vereinen/Engagierten je "
        "Kommune mit Welch-Intervall. Veränderung zwischen Wellen: Welch-Intervall je Kommune; "
        "Differenz-von-Differenzen geförderter gegenüber nicht geförderten Kommunen mit clusterrobusten "
        "Standardfehlern.",
        "Alle Ergebnisse beschreiben Zusammenhänge in Befragungsdaten, keine Wirkungen.",
    ] if de else [
        f"Confidence intervals: {ci} %; two-sided p values, pairwise comparisons also adjusted by Holm and "
        "Benjamini-Hochberg.",
        f"Funnel plots: each municipality's mean against its number of answers, 95 % and 99.8 % limits around the "
        f"state mean (Spiegelhalter 2005); overdispersion: {od}, estimated from winsorised z scores.",
        "Municipality means with t confidence intervals; empirical-Bayes shrunken means (REML) for ranking-like "
        "displays (Raudenbush & Bryk 2002).",
        "Comparisons by district, size class and cohort: Welch ANOVA with η², ω², ε² and Games-Howell pairs "
        f"(up to {cfg.max_posthoc_groups} groups).",
        "Kinds of commitment: typology from the municipality means of municipal and civil-society commitment "
        "(threshold: scale midpoint) and from municipality facts (council resolution, mayor, named contact, "
        "resources); structure strength compared by Welch ANOVA at municipality level.",
        "Multilevel model: structure strength ~ municipal × civil-society commitment (grand-mean centred) + role + "
        "random intercept per municipality, REML; R² after Nakagawa & Schielzeth (2013). The Baustein's statements "
        "are tested as hypotheses with estimate, interval, p and effect size; the smallest effect of interest is "
        f"{fmt_number(cfg.smallest_effect, 1, lang)} points.",
        "Perspectives: gap between administration/mayor/council and associations/engaged citizens per "
        "municipality with a Welch interval. Change between waves: Welch interval per municipality; "
        "difference-in-differences of funded vs. unfunded municipalities with cluster-robust standard errors.",
        "All results describe associations in survey data, not effects.",
    ])
    out.append(("Modelle und Tests" if de else "Models and tests", [_p(t) for t in models]))
    out.append(("Begriffe" if de else "Glossary", [("dl", [(L.term(k, lang), L.explain(k, lang)) for k in L.GLOSSARY])]))
    cite = (f"Zitiervorschlag: baustein-eval {meta.get('tool_version', '')}, Auswertung "
            f"„{meta.get('dataset') or dataset_name or 'Datensatz'}“, Instrument {meta.get('instrument', '')}, erstellt am "
            f"{_dt.date.today().strftime('%d.%m.%Y')}." if de else
            f"Cite as: baustein-eval {meta.get('tool_version', '')}, analysis of '{meta.get('dataset') or 'dataset'}', "
            f"instrument {meta.get('instrument', '')}, made on {_dt.date.today().isoformat()}.")
    out.append(("Literatur" if de else "References", [("refs", list(REFERENCES)), _p(cite)]))
    return out


def write_methods_html(path: Any, dataset: Any, results: Any, lang: str, head: str, nav: str,
                       dataset_name: str = "") -> None:
    """Write the methods page (``head``: stylesheet links, ``nav``: the navigation bar)."""
    title = L.text("methods", lang)
    body = "".join(f"<h2>{escape_html(h)}</h2>{blocks_html(b, lang)}" for h, b in methods_sections(dataset, results, lang, dataset_name))
    doc = (f'<!DOCTYPE html>\n<html lang="{"de" if lang == "de" else "en"}"><head><meta charset="utf-8">'
           f"<title>{escape_html(title)}</title>{head}</head><body>{nav}<main class='baustein-page'>"
           f"<h1>{escape_html(title)}</h1>{body}</main></body></html>\n")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(doc)
