"""The one label catalogue of the reports: every word a reader sees, in German and English.

Pages, charts, the Word and PDF files, ``results.xlsx`` and ``rejections.xlsx`` take their
visible words from here, never from column names or codes:

* :data:`UI` -- short words of charts and pages (axis titles, legend entries, buttons);
* :data:`SECTIONS` -- headings and introductions of the report sections (Markdown);
* :data:`COLUMNS` (and :data:`TABLE_COLUMNS` for a table whose column means something else) --
  the header of every column of every result table;
* :data:`VALUES` -- codes that appear *in* cells (role, severity, comparison, fact, verdict ...);
* :data:`PHRASES` -- English phrases some analysis tables carry in text cells, with their German;
* :data:`GLOSSARY` -- a one-line plain explanation of every statistic, shown at first use.

Everything is a ``(German, English)`` pair, read with :func:`text`, :func:`section`,
:func:`header`, :func:`value` and :func:`explain`. A missing German word is a bug: the tests
check every header of ``results.xlsx`` and every visible word of the German pages against the
raw names of the result tables (:func:`raw_names`).

>>> header("icc1", "de"), header("icc1", "en")
('ICC(1)', 'ICC(1)')
>>> value("severity", "error", "de")
'Fehler'
>>> explain("icc1", "en")[:43]
'Share of the differences between respondent'
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from typing import Any

from surveys.importing.findings import ACTION_WORDS, REJECTION_HEADERS, SEVERITY_WORDS

__all__ = [
    "COLUMNS",
    "COLUMN_HELP",
    "GLOSSARY",
    "HIDDEN_COLUMNS",
    "PHRASES",
    "SECTIONS",
    "TABLE_COLUMNS",
    "UI",
    "VALUES",
    "abbr",
    "column_for_header",
    "explain",
    "glossary_html",
    "header",
    "raw_names",
    "role_label",
    "section",
    "term",
    "text",
    "translate_phrases",
    "value",
]

Pair = tuple[str, str]


def _pick(pair: Pair, lang: str) -> str:
    return pair[0] if lang == "de" else pair[1]


# ---------------------------------------------------------------------------------------- UI words
UI: dict[str, Pair] = {
    "n_resp": ("Befragte", "Respondents"),
    "role": ("Rolle", "Role"),
    "municipality": ("Kommune", "Municipality"),
    "municipalities": ("Kommunen", "Municipalities"),
    "municipalities_n": ("Kommunen: ", "municipalities: "),
    "missing": ("Anteil fehlend", "Share missing"),
    "straight": ("Anteil gleichförmiger Antwortmuster", "Share of straight-lining"),
    "alpha": ("Cronbachs Alpha", "Cronbach's alpha"),
    "omega": ("McDonalds Omega", "McDonald's omega"),
    "type": ("Typ", "Type"),
    "structure": ("Stärke der Unterstützungsstrukturen", "Strength of support structures"),
    "state": ("Land (alle Kommunen)", "State (all municipalities)"),
    "this_municipality": ("diese Kommune", "this municipality"),
    "all_pooled": ("alle Kommunen (gepoolt)", "all municipalities (pooled)"),
    "gap": ("Unterschied in Punkten (95-%-KI)", "Difference in points (95 % CI)"),
    "gap_title": ("Verwaltung und Politik minus Vereine und Engagierte",
                  "Administration and politics minus associations and engaged citizens"),
    "gap_missing": ("Skalen mit zu wenigen Antworten auf einer Seite (Mindestzahl {k}) fehlen im Bild.",
                    "Scales with too few answers on one side (minimum {k}) are left out of the chart."),
    "change": ("Veränderung in Punkten (95-%-KI)", "Change in points (95 % CI)"),
    "too_small": ("Für diese Auswahl gibt es zu wenige Antworten (weniger als {k}); sie wird nicht gezeigt.",
                  "Too few answers for this selection (fewer than {k}); not shown."),
    "share": ("Anteil der Antworten", "Share of answers"),
    "n_answers": ("Anzahl Antworten (n)", "Number of answers (n)"),
    "target": ("Landesmittel", "State mean"),
    "limit95": ("95-%-Grenzen", "95 % limits"),
    "limit998": ("99,8-%-Grenzen", "99.8 % limits"),
    "band95": ("Bereich des Zufalls (95 %)", "Range of chance (95 %)"),
    "band998": ("Bereich des Zufalls (99,8 %)", "Range of chance (99.8 %)"),
    "estimate": ("Geschätzter Effekt (Punkte, 95-%-KI)", "Estimated effect (points, 95 % CI)"),
    "mean": ("Mittelwert (95-%-KI)", "Mean (95 % CI)"),
    "mean_short": ("Mittelwert", "Mean"),
    "mean_munis": ("Mittel der Kommunen (95-%-KI)", "Mean of municipalities (95 % CI)"),
    "scale_1_5": ("1 = stimme gar nicht zu … 5 = stimme voll zu", "1 = strongly disagree … 5 = strongly agree"),
    "outside": ("außerhalb 95 %", "outside 95 %"),
    "inside": ("innerhalb", "inside"),
    "scale": ("Skala", "Scale"),
    "from_survey": ("Typ aus der Befragung", "type from the survey"),
    "from_facts": ("Verankerung (Kommunendaten)", "anchoring (municipality facts)"),
    "yes": ("ja", "yes"),
    "no": ("nein", "no"),
    "centred": (" (zentriert)", " (centred)"),
    "interaction": ("Wechselwirkung kommunales × zivilgesellschaftliches Engagement",
                    "Interaction municipal × civil-society commitment"),
    "role_prefix": ("Rolle: ", "Role: "),
    "role_reference": ("Vergleich: {role}", "compared with: {role}"),
    "none": ("keine", "none"),
    "finding": ("Befund", "finding"),
    "count": ("Anzahl", "count"),
    "more_rows": ("… {k} weitere Zeilen in results.xlsx", "… {k} more rows in results.xlsx"),
    "more_munis": ("… {k} weitere Kommunen: siehe Profile", "… {k} more municipalities: see the profiles"),
    "file": ("Datei", "File"),
    "format": ("Format", "Format"),
    "status": ("Status", "Status"),
    "rows_in": ("Zeilen", "Rows"),
    "rows_accepted": ("übernommen", "accepted"),
    "rows_rejected": ("abgelehnt", "rejected"),
    "back_to_index": ("← Übersicht", "← Overview"),
    "index_title": ("Auswertung Sorgende Gemeinschaften", "Caring-community evaluation"),
    "index_search": ("Kommune, AGS oder Landkreis suchen …", "Search municipality, AGS or district …"),
    "index_shown": ("{k} von {n} Kommunen", "{k} of {n} municipalities"),
    "index_sort_hint": ("Zum Sortieren auf eine Spaltenüberschrift klicken.", "Click a column header to sort."),
    "index_flags": ("Auffällig", "Flags"),
    "index_flags_hint": ("▲/▼: deutlich über/unter dem Landesmittel (außerhalb der 95-%-Grenzen des Trichterdiagramms).",
                         "▲/▼: clearly above/below the state mean (outside the 95 % funnel limits)."),
    "index_profiles": ("Profile der Kommunen", "Municipality profiles"),
    "index_overview": ("Übersicht des Landes", "State overview"),
    "index_downloads": ("Zum Herunterladen", "Downloads"),
    "index_no_profile": ("kein Profil (weniger als {k} Antworten)", "no profile (fewer than {k} answers)"),
    "index_without_profile": ("Kommunen ohne Profil", "Municipalities without a profile"),
    "no_profile_primary": ("weniger als {k} Befragte in Welle {wave}", "fewer than {k} respondents in wave {wave}"),
    "no_profile_primary_nowave": ("weniger als {k} Befragte", "fewer than {k} respondents"),
    "no_profile_secondary": ("ergänzend unterdrückt, um eine andere kleine Gruppe zu schützen: genug Befragte, aber "
                             "zusammen mit den übrigen Zahlen ließe sich sonst eine Gruppe unter {k} berechnen",
                             "suppressed in addition to protect another small group: enough respondents, but "
                             "together with the other figures a group below {k} could otherwise be worked out"),
    "n_resp_wave": ("Befragte (Welle {wave})", "Respondents (wave {wave})"),
    "flag_above": ("über dem Landesmittel: {what}", "above the state mean: {what}"),
    "flag_below": ("unter dem Landesmittel: {what}", "below the state mean: {what}"),
    "results_xlsx": ("Ergebnistabellen (Excel)", "Result tables (Excel)"),
    "results_json": ("Ergebnistabellen für Programme (JSON)", "Result tables for programs (JSON)"),
    "images": ("Grafiken zum Einfügen in Berichte (PNG/PDF)", "Charts for pasting into reports (PNG/PDF)"),
    "documents_zip": ("Alle PDF- und Word-Dateien (ZIP)", "All PDF and Word files (ZIP)"),
    "pdf": ("PDF", "PDF"),
    "docx": ("Word", "Word"),
    "notes_title": ("Hinweise zu dieser Seite", "Notes on this page"),
    "glossary_title": ("Begriffe auf dieser Seite", "Terms on this page"),
    "methods": ("Methoden", "Methods"),
    "wave": ("Welle", "Wave"),
    "all_roles": ("alle Rollen", "all roles"),
    "all_waves_latest": ("letzte Welle", "latest wave"),
    "x_axis": ("x-Achse", "x axis"),
    "y_axis": ("y-Achse", "y axis"),
    "colour_by": ("Farbe nach", "Colour by"),
    "highlight": ("Hervorheben", "Highlight"),
    "nobody": ("(keine)", "(none)"),
    "highlighted": ("hervorgehoben", "highlighted"),
    "survey_type": ("Typ aus der Befragung", "Type from the survey"),
    "fact_type": ("Verankerung (Kommunendaten)", "Anchoring (municipality facts)"),
    "no_data": ("keine Angabe", "not stated"),
    "profile_of": ("Profil", "Profile"),
    "explore_hidden": ("{k} Kommunen mit weniger als {min_n} Antworten in dieser Auswahl werden nicht gezeigt.",
                       "{k} municipalities with fewer than {min_n} answers in this selection are not shown."),
    "advice_title": ("Ansatzpunkte aus dem Baustein", "Starting points from the Baustein"),
    "summary_title": ("Das Wichtigste in Kürze", "Key points"),
    "respondents_n": ("n = {n} Befragte", "n = {n} respondents"),
    "report_for": ("Bericht für", "Report for"),
    "made_with": ("Erstellt mit baustein-eval {v} am {date}.", "Made with baustein-eval {v} on {date}."),
    "chart": ("Grafik", "Chart"),
    "charts_missing": ("Grafiken nicht eingefügt: {why}", "Charts not included: {why}"),
}

# ---------------------------------------------------------------------------------------- sections
SECTIONS: dict[str, Pair] = {
    "01_title": (
        "# Import und Datenqualität\n\nWas wurde eingelesen, was wurde abgelehnt, wie vollständig sind die Antworten? "
        "Gruppen mit weniger als der Mindestzahl an Antworten werden nicht gezeigt.",
        "# Import and data quality\n\nWhat was read, what was rejected, how complete are the answers? "
        "Groups below the minimum number of answers are not shown.",
    ),
    "01_files": ("## Eingelesene Dateien", "## Files read"),
    "01_rejections": ("## Abgelehnte Zeilen und Zellen nach Grund", "## Rejected rows and cells by reason"),
    "01_roles": ("## Antworten je Kommune und Rolle", "## Responses per municipality and role"),
    "01_missing": (
        "## Fehlende Antworten je Item\n„weiß nicht“ und „keine Angabe“ zählen als fehlend, nie als Mittelkategorie.",
        "## Missing answers per item\n'Don't know' and 'no answer' count as missing, never as the midpoint.",
    ),
    "01_straight": ("## Gleichförmiges Antworten", "## Straight-lining"),
    "02_title": (
        "# Instrument: Items, Antwortverteilungen und Reliabilität\n\nWie wurden die Aussagen beantwortet, und "
        "messen die Aussagen einer Skala zuverlässig dasselbe?",
        "# Instrument: items, answer distributions and reliability\n\nHow were the statements answered, and do "
        "the statements of a scale reliably measure the same thing?",
    ),
    "02_likert": (
        "## Antwortverteilungen\nJeder Balken zeigt die Antworten auf eine Aussage: Zustimmung rechts, Ablehnung "
        "links, „teils/teils“ je zur Hälfte um die Mitte.",
        "## Answer distributions\nEach bar shows the answers to one statement: agreement to the right, "
        "disagreement to the left, the neutral answer split around the centre.",
    ),
    "02_reliability": ("## Reliabilität je Skala", "## Reliability per scale"),
    "02_items": ("## Itemanalyse", "## Item analysis"),
    "03_title": (
        "# Kommunen im Vergleich\n\nTrichterdiagramme statt Ranglisten: Jede Kommune wird mit dem Landesmittel "
        "verglichen; die Grenzen zeigen, wie weit eine Kommune mit ihrer Zahl an Antworten allein durch Zufall "
        "abweichen kann.",
        "# Municipalities compared\n\nFunnel plots instead of league tables: each municipality is compared with the "
        "state mean; the limits show how far a municipality with its number of answers can deviate by chance alone.",
    ),
    "03_funnels": ("## Trichterdiagramme je Skala", "## Funnel plots per scale"),
    "03_agreement": (
        "## Übereinstimmung innerhalb der Kommunen\nDürfen die Antworten einer Kommune zu einem Kommunenwert "
        "zusammengefasst werden?",
        "## Agreement within municipalities\nMay the answers of a municipality be summarised as one value?",
    ),
    "03_compare": ("## Vergleich nach Landkreis, Gemeindegrößenklasse und Förderkohorte",
                   "## Comparison by district, size class and funding cohort"),
    "03_profiles": ("## Profile der Kommunen auf einen Blick", "## Municipality profiles at a glance"),
    "04_title": (
        "# Formen des Engagements und Stärke der Unterstützungsstrukturen\n\nDie Kernfrage des Bausteins: Welche "
        "Formen des Engagements – der Kommune, der Zivilgesellschaft, gemeinsam; Ratsbeschluss, Bürgermeister/in, "
        "Ansprechperson, Ressourcen – gehen mit tragfähigen Unterstützungsstrukturen einher? Die Auswertung zeigt "
        "Zusammenhänge, keine Ursachen.",
        "# Kinds of commitment and strength of support structures\n\nThe Baustein's central question: which kinds "
        "of commitment – municipal, civil-society, joint; council resolution, mayor, named contact, resources – go "
        "with strong, lasting support structures? The analysis shows associations, not causes.",
    ),
    "04_explore": (
        "## Zusammenhänge erkunden\nWählen Sie, was auf den Achsen steht, wonach gefärbt wird und welche Rollen "
        "und welche Welle zählen; Typologie und Modell rechnen mit derselben Auswahl.",
        "## Explore the associations\nChoose what goes on the axes, what the colour shows and which roles and "
        "wave count; the typology and the model use the same selection.",
    ),
    "04_scatter": ("## Engagement und Stärke der Strukturen je Kommune",
                   "## Commitment and structure strength per municipality"),
    "04_types": ("## Stärke der Strukturen nach Form des Engagements", "## Structure strength by kind of commitment"),
    "04_model": (
        "## Mehrebenenmodell\nStärke der Strukturen, erklärt durch kommunales und zivilgesellschaftliches Engagement "
        "und die Rolle der Befragten, mit einem eigenen Ausgangsniveau je Kommune.",
        "## Multilevel model\nStructure strength explained by municipal and civil-society commitment and the "
        "respondent's role, with a baseline of its own for each municipality.",
    ),
    "04_hypotheses": ("## Die Aussagen des Bausteins als Hypothesen", "## The Baustein's statements as hypotheses"),
    "05_title": (
        "# Profil einer Kommune\n\nEine Kommune im Vergleich zum Land: das Wichtigste in Sätzen, Ansatzpunkte aus dem "
        "Baustein, das Profil über alle Skalen, die Sicht der Rollen, die Veränderung seit der letzten Welle und die "
        "Lage in den Trichterdiagrammen.",
        "# Municipality profile\n\nOne municipality against the state: the key points in sentences, starting points "
        "from the Baustein, the profile across all scales, the roles' views, the change since the last wave and "
        "the place in the funnel plots.",
    ),
    "05_profile": ("## Profil im Vergleich zum Land", "## Profile against the state"),
    "05_perspectives": ("## Perspektiven: Wie unterschiedlich sehen die Rollen die Lage?",
                        "## Perspectives: how differently do the roles see the situation?"),
    "05_waves": ("## Veränderung seit der letzten Welle", "## Change since the last wave"),
    "05_funnels": ("## Lage in den Trichterdiagrammen", "## Position in the funnel plots"),
}

# ---------------------------------------------------------------------------------------- glossary
#: term -> (German name, German one-line explanation, English name, English explanation)
GLOSSARY: dict[str, tuple[str, str, str, str]] = {
    "ci": ("KI (Konfidenzintervall)",
           "Bereich, in dem der wahre Wert mit 95 % Sicherheit liegt; je weniger Antworten, desto breiter.",
           "CI (confidence interval)",
           "Range that holds the true value with 95 % confidence; the fewer answers, the wider."),
    "p": ("p-Wert", "Wie wahrscheinlich ein so großer Unterschied wäre, wenn es in Wahrheit keinen gäbe; "
                    "unter 0,05 gilt üblicherweise als deutlich.",
          "p value", "How likely a difference this large would be if there were none; below 0.05 is "
                     "usually called clear."),
    "funnel": ("Trichterdiagramm", "Zeigt jede Kommune mit ihrer Zahl an Antworten; liegt sie innerhalb der "
                                   "Grenzen, ist ihre Abweichung vom Landesmittel mit Zufall vereinbar.",
               "Funnel plot", "Shows each municipality by its number of answers; inside the limits its "
                              "deviation from the state mean is compatible with chance."),
    "limits": ("95-%- und 99,8-%-Grenzen", "So weit weicht eine Kommune in 95 bzw. 99,8 von 100 Fällen allein "
                                          "durch Zufall ab; außerhalb liegt eine deutliche Abweichung.",
               "95 % and 99.8 % limits", "How far a municipality deviates by chance alone in 95 or 99.8 of "
                                         "100 cases; outside them the deviation is clear."),
    "overdispersion": ("Überdispersion", "Echte Unterschiede zwischen Kommunen über den Zufall hinaus; die Grenzen "
                                         "werden dafür verbreitert (Spiegelhalter 2005).",
                       "Overdispersion", "Real differences between municipalities beyond chance; the limits are "
                                         "widened for them (Spiegelhalter 2005)."),
    "alpha": ("Cronbachs Alpha", "Wie einheitlich die Aussagen einer Skala beantwortet werden (0 bis 1; ab "
                                 "0,70 gilt eine Skala als zuverlässig).",
              "Cronbach's alpha", "How consistently the statements of a scale are answered (0 to 1; 0.70 or "
                                  "more counts as reliable)."),
    "omega": ("McDonalds Omega", "Zuverlässigkeit wie Alpha, aber aus einem Faktormodell; setzt nicht voraus, "
                                 "dass alle Aussagen gleich viel beitragen.",
              "McDonald's omega", "Reliability like alpha, but from a factor model; does not assume that all "
                                  "statements contribute equally."),
    "g6": ("Guttmans Lambda-6", "Weiteres Zuverlässigkeitsmaß: wie gut sich jede Aussage aus den übrigen "
                                "vorhersagen lässt.",
           "Guttman's lambda-6", "Another reliability measure: how well each statement is predicted by the "
                                 "others."),
    "r_drop": ("Trennschärfe", "Korrelation einer Aussage mit dem Rest ihrer Skala; unter 0,30 passt sie "
                               "schlecht dazu.",
               "Item-rest correlation", "Correlation of a statement with the rest of its scale; below 0.30 it "
                                        "fits poorly."),
    "icc1": ("ICC(1)", "Anteil der Unterschiede zwischen Befragten, der darauf zurückgeht, in welcher Kommune "
                       "sie leben.",
             "ICC(1)", "Share of the differences between respondents that is due to the municipality they "
                       "live in."),
    "icc2": ("ICC(2)", "Wie zuverlässig der Mittelwert einer Kommune ist (ab 0,70 gut).",
             "ICC(2)", "How reliable a municipality's mean is (0.70 or more is good)."),
    "icc_reml": ("ICC (REML)", "ICC(1) aus einem Mehrebenenmodell geschätzt; gleicht ungleiche Zahlen an "
                               "Antworten je Kommune besser aus.",
                 "ICC (REML)", "ICC(1) estimated from a multilevel model; copes better with unequal numbers of "
                               "answers per municipality."),
    "design_effect": ("Designeffekt", "Um diesen Faktor sind Antworten aus derselben Kommune weniger "
                                      "informativ als unabhängige Antworten.",
                      "Design effect", "By this factor answers from the same municipality carry less information "
                                       "than independent answers."),
    "rwg": ("rwg(j)", "Übereinstimmung der Befragten einer Kommune verglichen mit zufälligem Antworten (0 bis 1; "
                      "ab 0,70 gilt sie als ausreichend).",
            "rwg(j)", "Agreement of a municipality's respondents compared with random answering (0 to 1; 0.70 "
                      "or more counts as sufficient)."),
    "rwg_star": ("r*wg(j)", "Strengere Fassung von rwg(j) (Lindell et al. 1999); fällt deshalb niedriger aus "
                            "als rwg(j).",
                 "r*wg(j)", "Stricter version of rwg(j) (Lindell et al. 1999); therefore lower than rwg(j)."),
    "welch": ("Welch-ANOVA", "Prüft, ob sich die Mittelwerte mehrerer Gruppen unterscheiden, auch wenn die "
                             "Gruppen unterschiedlich streuen.",
              "Welch ANOVA", "Tests whether the means of several groups differ, also when the groups vary "
                             "differently."),
    "df": ("df1, df2", "Freiheitsgrade des Tests: wie viele Gruppen (df1) und wie viel Information innerhalb "
                       "der Gruppen (df2) er nutzt.",
           "df1, df2", "Degrees of freedom of the test: how many groups (df1) and how much information within "
                       "groups (df2) it uses."),
    "eta2": ("η² (Eta-Quadrat)", "Anteil der Unterschiede, der auf die Gruppen entfällt (0,01 klein, 0,06 mittel, "
                                 "0,14 groß).",
             "η² (eta squared)", "Share of the differences due to the groups (0.01 small, 0.06 medium, 0.14 "
                                 "large)."),
    "omega2": ("ω² (Omega-Quadrat)", "Wie η², aber für die Stichprobengröße korrigiert; meist etwas kleiner.",
               "ω² (omega squared)", "Like η², corrected for sample size; usually a little smaller."),
    "games_howell": ("Games-Howell", "Vergleicht Gruppen paarweise, ohne gleiche Streuung vorauszusetzen.",
                     "Games-Howell", "Compares groups pairwise without assuming equal variances."),
    "p_adjust": ("Holm, Benjamini-Hochberg", "Korrigierte p-Werte, wenn viele Vergleiche zugleich geprüft werden.",
                 "Holm, Benjamini-Hochberg", "Adjusted p values when many comparisons are tested at once."),
    "multilevel": ("Mehrebenenmodell", "Regressionsmodell, das berücksichtigt, dass Befragte in Kommunen "
                                       "zusammengefasst sind (eigenes Ausgangsniveau je Kommune).",
                   "Multilevel model", "Regression that accounts for respondents being grouped in "
                                       "municipalities (a baseline of its own for each municipality)."),
    "tau2": ("τ² (Tau-Quadrat)", "Wie stark sich die Kommunen in ihrem Ausgangsniveau unterscheiden (Varianz "
                                 "zwischen Kommunen).",
             "τ² (tau squared)", "How much municipalities differ in their baseline (variance between "
                                 "municipalities)."),
    "sigma2": ("σ² (Sigma-Quadrat)", "Wie stark sich Befragte innerhalb derselben Kommune unterscheiden.",
               "σ² (sigma squared)", "How much respondents differ within the same municipality."),
    "r2": ("R² marginal / konditional", "Anteil der Unterschiede, den die Merkmale im Modell erklären (marginal) "
                                        "bzw. zusammen mit den Kommunen (konditional).",
           "R² marginal / conditional", "Share of the differences explained by the model's predictors "
                                        "(marginal) or together with the municipalities (conditional)."),
    "hedges": ("Hedges g", "Unterschied zweier Gruppen in Standardabweichungen (0,2 klein, 0,5 mittel, 0,8 groß).",
               "Hedges' g", "Difference between two groups in standard deviations (0.2 small, 0.5 medium, "
                            "0.8 large)."),
    "eb_mean": ("Geschrumpfter Mittelwert", "Mittelwert einer Kommune, bei wenigen Antworten etwas zum "
                                            "Landesmittel hin gezogen, damit Zufallsausreißer weniger zählen.",
                "Shrunken mean", "A municipality's mean, pulled a little towards the state mean when it has "
                                 "few answers, so that chance outliers count less."),
    "straight": ("Gleichförmiges Antworten", "Befragte, die bei mindestens 10 Aussagen überall dasselbe "
                                             "angekreuzt haben; ein Hinweis auf unaufmerksames Ausfüllen.",
                 "Straight-lining", "Respondents who gave the same answer to at least 10 statements; a sign of "
                                    "inattentive answering."),
    "min_n": ("Mindestzahl", "Gruppen mit weniger Antworten werden nie gezeigt, damit niemand erkennbar wird.",
              "Minimum size", "Groups with fewer answers are never shown, so that nobody can be identified."),
    "did": ("Differenz-von-Differenzen", "Vergleicht die Veränderung geförderter Kommunen mit der nicht "
                                         "geförderter.",
            "Difference-in-differences", "Compares the change of funded municipalities with that of unfunded "
                                         "ones."),
}

# ---------------------------------------------------------------------------------------- column headers
COLUMNS: dict[str, Pair] = {
    # identifiers and groups
    "ags": ("AGS", "AGS"),
    "name": ("Kommune", "Municipality"),
    "district": ("Landkreis", "District"),
    "state": ("Land", "State"),
    "size_class": ("Gemeindegrößenklasse", "Size class"),
    "cohort": ("Förderkohorte", "Funding cohort"),
    "population": ("Einwohnerzahl", "Population"),
    "council_resolution": ("Ratsbeschluss", "Council resolution"),
    "mayor_involved": ("Bürgermeister/in eingebunden", "Mayor involved"),
    "named_contact": ("Benannte Ansprechperson", "Named contact"),
    "rooms": ("Räume bereitgestellt", "Rooms provided"),
    "staff_hours": ("Personalstunden je Woche", "Staff hours per week"),
    "budget_eur": ("Budget (Euro)", "Budget (euro)"),
    "n_initiatives": ("Anzahl Initiativen", "Number of initiatives"),
    "n_volunteers": ("Anzahl Engagierte", "Number of volunteers"),
    "role": ("Rolle", "Role"),
    "wave": ("Welle", "Wave"),
    "wave_n": ("Befragte in dieser Welle", "Respondents in this wave"),
    "omega_mixed_signs": ("Omega: Ladungen mit beiden Vorzeichen", "Omega: loadings of both signs"),
    "construct": ("Skala", "Scale"),
    "scale": ("Skala", "Scale"),
    "variable": ("Skala", "Scale"),
    "dv": ("Skala", "Scale"),
    "item": ("Item", "Item"),
    "label": ("Wortlaut", "Wording"),
    "reverse": ("umgepolt", "reversed"),
    "by": ("Vergleich nach", "Compared by"),
    "source": ("Gruppierung", "Grouping"),
    "level": ("Ebene", "Level"),
    "type": ("Typ", "Type"),
    "type_en": ("Typ (englisch)", "Type"),
    "typology": ("Typologie", "Typology"),
    "kind": ("Art", "Kind"),
    "unit": ("Einheit", "Unit"),
    "term": ("Modellterm", "Model term"),
    "statistic": ("Kennwert", "Statistic"),
    "value": ("Wert", "Value"),
    "test": ("Test", "Test"),
    "method": ("Verfahren", "Method"),
    "A": ("Gruppe A", "Group A"),
    "B": ("Gruppe B", "Group B"),
    "code": ("Antwortcode", "Answer code"),
    # counts
    "n": ("n", "n"),
    "k": ("Anzahl Items", "Number of items"),
    "n_items": ("Anzahl Items", "Number of items"),
    "n_straight": ("n gleichförmig", "n straight-lining"),
    "n_groups": ("Anzahl Kommunen", "Number of municipalities"),
    "n_municipalities": ("Anzahl Kommunen", "Number of municipalities"),
    "n_respondents": ("Anzahl Befragte", "Number of respondents"),
    "n_valid": ("n gültig", "n valid"),
    "n_missing": ("n fehlend", "n missing"),
    "count": ("Häufigkeit", "Frequency"),
    "n_A": ("n Gruppe A", "n group A"),
    "n_B": ("n Gruppe B", "n group B"),
    "n_municipalities_A": ("Kommunen Gruppe A", "Municipalities group A"),
    "n_municipalities_B": ("Kommunen Gruppe B", "Municipalities group B"),
    "n_excluded_groups": ("ausgeschlossene Gruppen (zu klein)", "Excluded groups (too small)"),
    "n_municipal": ("n kommunales Engagement", "n municipal commitment"),
    "n_civil": ("n zivilgesellschaftliches Engagement", "n civil-society commitment"),
    "n_reference": ("n Verwaltung/Politik", "n administration/politics"),
    "n_comparison": ("n Zivilgesellschaft", "n civil society"),
    "n_from": ("n frühere Welle", "n earlier wave"),
    "n_to": ("n spätere Welle", "n later wave"),
    "n_pairs": ("n gepaart", "n paired"),
    "n_unpaired": ("n ungepaart", "n unpaired"),
    "n_municipalities_treated": ("Kommunen gefördert", "Municipalities funded"),
    "n_municipalities_control": ("Kommunen nicht gefördert", "Municipalities not funded"),
    "n_eff": ("effektive Stichprobengröße", "Effective sample size"),
    "n0": ("mittlere Gruppengröße (n₀)", "Average group size (n₀)"),
    "k_mean": ("mittlere Anzahl Befragte je Kommune", "Mean respondents per municipality"),
    "icc1_n0": ("ICC(1) bei n₀", "ICC(1) at n₀"),
    "score": ("Punkte (Verankerung)", "Points (anchoring)"),
    "score_max": ("höchstmögliche Punkte", "Maximum points"),
    # means and spreads
    "mean": ("Mittelwert", "Mean"),
    "sd": ("SD", "SD"),
    "se": ("Standardfehler", "Standard error"),
    "ci_low": ("KI unten", "CI low"),
    "ci_high": ("KI oben", "CI high"),
    "ci_lo": ("KI unten", "CI low"),
    "ci_hi": ("KI oben", "CI high"),
    "estimate": ("Schätzer", "Estimate"),
    "grand_mean": ("Gesamtmittel", "Grand mean"),
    "mean_var": ("mittlere Varianz innerhalb", "Mean within variance"),
    "eb_mean": ("Mittelwert (geschrumpft)", "Shrunken mean"),
    "eb_lambda": ("Gewicht der Kommune (λ)", "Weight of the municipality (λ)"),
    "eb_sd": ("SD (geschrumpft)", "SD (shrunken)"),
    "eb_tau2": ("τ² (zwischen Kommunen)", "τ² (between municipalities)"),
    "eb_sigma2": ("σ² (innerhalb)", "σ² (within)"),
    "eb_gamma": ("Gesamtmittel (geschätzt)", "Grand mean (estimated)"),
    "mean_municipal": ("kommunales Engagement (Mittel)", "Municipal commitment (mean)"),
    "ci_lo_municipal": ("KI unten (kommunales Engagement)", "Municipal CI low"),
    "ci_hi_municipal": ("KI oben (kommunales Engagement)", "Municipal CI high"),
    "ci_low_municipal": ("KI unten (kommunales Engagement)", "Municipal CI low"),
    "ci_high_municipal": ("KI oben (kommunales Engagement)", "Municipal CI high"),
    "mean_civil": ("zivilgesellschaftliches Engagement (Mittel)", "Civil-society commitment (mean)"),
    "ci_lo_civil": ("KI unten (zivilgesellschaftliches Engagement)", "Civil CI low"),
    "ci_hi_civil": ("KI oben (zivilgesellschaftliches Engagement)", "Civil CI high"),
    "ci_low_civil": ("KI unten (zivilgesellschaftliches Engagement)", "Civil CI low"),
    "ci_high_civil": ("KI oben (zivilgesellschaftliches Engagement)", "Civil CI high"),
    "mean_structure": ("Stärke der Strukturen (Mittel)", "Structure strength (mean)"),
    "ci_lo_structure": ("KI unten (Strukturen)", "Structures CI low"),
    "ci_hi_structure": ("Strukturen KI oben", "Structures CI high"),
    "ci_low_structure": ("Strukturen KI unten", "Structures CI low"),
    "ci_high_structure": ("Strukturen KI oben", "Structures CI high"),
    "threshold_municipal": ("Schwelle kommunales Engagement", "Threshold municipal"),
    "threshold_civil": ("Schwelle zivilgesellschaftliches Engagement", "Threshold civil"),
    "certain": ("Typ gesichert (KI ganz auf einer Seite)", "Type certain (CI on one side)"),
    "mean_reference": ("Mittel Verwaltung/Politik", "Mean administration/politics"),
    "sd_reference": ("SD Verwaltung/Politik", "SD administration/politics"),
    "mean_comparison": ("Mittel Zivilgesellschaft", "Mean civil society"),
    "sd_comparison": ("SD Zivilgesellschaft", "SD civil society"),
    "gap": ("Unterschied", "Gap"),
    "mean_from": ("Mittel frühere Welle", "Mean earlier wave"),
    "mean_to": ("Mittel spätere Welle", "Mean later wave"),
    "wave_from": ("frühere Welle", "Earlier wave"),
    "wave_to": ("spätere Welle", "Later wave"),
    "wave_pre": ("Welle vorher", "Wave before"),
    "wave_post": ("Welle nachher", "Wave after"),
    "change": ("Veränderung", "Change"),
    "design": ("Vergleich", "Design"),
    "mean_A": ("Mittel Gruppe A", "Mean group A"),
    "mean_B": ("Mittel Gruppe B", "Mean group B"),
    "diff": ("Unterschied A − B", "Difference A − B"),
    "mean_treated_pre": ("gefördert vorher", "Funded before"),
    "mean_treated_post": ("gefördert nachher", "Funded after"),
    "mean_control_pre": ("nicht gefördert vorher", "Not funded before"),
    "mean_control_post": ("nicht gefördert nachher", "Not funded after"),
    # shares and missingness
    "share": ("Anteil", "Share"),
    "share_of_all": ("Anteil an allen Antworten", "Share of all answers"),
    "dont_know": ("weiß nicht", "don't know"),
    "no_answer": ("keine Angabe", "no answer"),
    "not_shown": ("leer", "blank"),
    "invalid": ("ungültig", "invalid"),
    "missing": ("fehlend gesamt", "missing overall"),
    **{f"freq_{i}": (f"Anteil Antwort {i}", f"Share answer {i}") for i in range(1, 11)},
    "freq_miss": ("Anteil fehlend", "Share missing"),
    # reliability
    "raw_alpha": ("Cronbachs Alpha", "Cronbach's alpha"),
    "std_alpha": ("Alpha (standardisiert)", "Alpha (standardised)"),
    "ase": ("Standardfehler Alpha", "Standard error of alpha"),
    "g6": ("Lambda-6", "Lambda-6"),
    "average_r": ("mittlere Korrelation der Items", "Average inter-item correlation"),
    "s_n": ("Signal-Rausch-Verhältnis", "Signal-to-noise ratio"),
    "omega_total": ("McDonalds Omega", "McDonald's omega"),
    "omega_obs": ("Omega (beobachtete Varianz)", "Omega (observed variance)"),
    "omega_converged": ("Omega-Schätzung konvergiert", "Omega estimation converged"),
    "raw.r": ("Korrelation Item–Skala", "Item-total correlation"),
    "std.r": ("Korrelation Item–Skala (standardisiert)", "Item-total correlation (standardised)"),
    "r.cor": ("Korrelation Item–Skala (korrigiert für Überlappung)", "Item-total correlation (overlap corrected)"),
    "r.drop": ("Trennschärfe", "Item-rest correlation"),
    "alpha_if_deleted": ("Alpha ohne Item", "Alpha if deleted"),
    "std_alpha_if_deleted": ("Alpha std. ohne Item", "Std. alpha if deleted"),
    "g6_if_deleted": ("Lambda-6 ohne Item", "Lambda-6 if deleted"),
    "average_r_if_deleted": ("mittlere Korrelation ohne Item", "Average r if deleted"),
    "s_n_if_deleted": ("Signal-Rausch ohne Item", "Signal-to-noise if deleted"),
    "alpha_se_if_deleted": ("Standardfehler Alpha ohne Item", "SE of alpha if deleted"),
    "var_r_if_deleted": ("Varianz der Korrelationen ohne Item", "Variance of r if deleted"),
    "med_r_if_deleted": ("Median der Korrelationen ohne Item", "Median r if deleted"),
    # aggregation and agreement
    "ms_between": ("mittleres Quadrat zwischen Kommunen", "Mean square between"),
    "ms_within": ("mittleres Quadrat innerhalb", "Mean square within"),
    "icc1": ("ICC(1)", "ICC(1)"),
    "icc1_ci_low": ("ICC(1) KI unten", "ICC(1) CI low"),
    "icc1_ci_high": ("ICC(1) KI oben", "ICC(1) CI high"),
    "icc2": ("ICC(2)", "ICC(2)"),
    "icc2_ci_low": ("ICC(2) KI unten", "ICC(2) CI low"),
    "icc2_ci_high": ("ICC(2) KI oben", "ICC(2) CI high"),
    "icc_reml": ("ICC (REML)", "ICC (REML)"),
    "tau2": ("τ² (zwischen Kommunen)", "τ² (between municipalities)"),
    "sigma2": ("σ² (innerhalb der Kommunen)", "σ² (within municipalities)"),
    "gamma00": ("Gesamtmittel (Modell)", "Grand mean (model)"),
    "reml_criterion": ("REML-Kriterium", "REML criterion"),
    "design_effect": ("Designeffekt", "Design effect"),
    "rwg_j": ("rwg(j)", "rwg(j)"),
    "rwg_star_j": ("r*wg(j)", "r*wg(j)"),
    "awg_j": ("awg(j)", "awg(j)"),
    "ad_mean_j": ("mittlere Abweichung (AD, Mittel)", "Average deviation (AD, mean)"),
    "ad_median_j": ("mittlere Abweichung (AD, Median)", "Average deviation (AD, median)"),
    "ad_median": ("mittlere Abweichung (Median)", "Average deviation (median)"),
    "null_variance": ("Varianz bei Zufallsantworten", "Variance under random answering"),
    "truncated": ("auf 0 bis 1 begrenzt", "Truncated to 0 to 1"),
    "below_min_n": ("unter der Mindestzahl", "Below minimum size"),
    "rwg_j_median": ("rwg(j), Median der Kommunen", "rwg(j), median of municipalities"),
    "rwg_star_j_median": ("r*wg(j), Median der Kommunen", "r*wg(j), median of municipalities"),
    "share_rwg_70": ("Anteil Kommunen mit rwg(j) ≥ 0,70", "Share of municipalities with rwg(j) ≥ 0.70"),
    # funnel
    "z": ("z-Wert", "z score"),
    "z_adjusted": ("z-Wert (mit Überdispersion)", "z score (overdispersion adjusted)"),
    "lower_95": ("untere 95-%-Grenze", "Lower 95 % limit"),
    "upper_95": ("obere 95-%-Grenze", "Upper 95 % limit"),
    "outside_95": ("außerhalb 95 %", "Outside 95 %"),
    "lower_99.8": ("untere 99,8-%-Grenze", "Lower 99.8 % limit"),
    "upper_99.8": ("obere 99,8-%-Grenze", "Upper 99.8 % limit"),
    "outside_99.8": ("außerhalb 99,8 %", "Outside 99.8 %"),
    "flag": ("Lage im Trichter", "Position in the funnel"),
    "target": ("Landesmittel", "State mean"),
    "phi": ("Überdispersion φ", "Overdispersion φ"),
    # tests
    "F": ("F", "F"),
    "df1": ("df1", "df1"),
    "df2": ("df2", "df2"),
    "df": ("Freiheitsgrade", "Degrees of freedom"),
    "T": ("T", "T"),
    "t": ("t", "t"),
    "stat": ("Teststatistik", "Test statistic"),
    "p": ("p", "p"),
    "p_unc": ("p", "p"),
    "p_tail": ("p (Ende der Verteilung)", "p (tail)"),
    "p_tukey": ("p (Tukey)", "p (Tukey)"),
    "p_holm": ("p (Holm)", "p (Holm)"),
    "p_fdr_bh": ("p (Benjamini-Hochberg)", "p (Benjamini-Hochberg)"),
    "eta2": ("η²", "η²"),
    "eta2_ci_low": ("η² KI unten", "η² CI low"),
    "eta2_ci_high": ("η² KI oben", "η² CI high"),
    "omega2": ("ω²", "ω²"),
    "epsilon2": ("ε²", "ε²"),
    "hedges": ("Hedges g", "Hedges' g"),
    "hedges_g": ("Hedges g", "Hedges' g"),
    "hedges_ci_low": ("Hedges g KI unten", "Hedges' g CI low"),
    "hedges_ci_high": ("Hedges g KI oben", "Hedges' g CI high"),
    "alternative": ("Hypothese des Tests", "Alternative"),
    "effect_size": ("Effektstärke", "Effect size"),
    "effect_size_type": ("Art der Effektstärke", "Kind of effect size"),
    "se_type": ("Art des Standardfehlers", "Kind of standard error"),
    # typology facts
    "crit_council": ("Kriterium Ratsbeschluss", "Criterion council resolution"),
    "crit_mayor": ("Kriterium Bürgermeister/in", "Criterion mayor"),
    "crit_contact": ("Kriterium Ansprechperson", "Criterion named contact"),
    "crit_resources": ("Kriterium Ressourcen", "Criterion resources"),
    # hypotheses
    "hypothesis": ("Hypothese", "Hypothesis"),
    "statement_de": ("Aussage des Bausteins", "Statement (German)"),
    "statement_en": ("Aussage (englisch)", "Statement of the Baustein"),
    "operationalisation": ("Operationalisierung", "Operationalisation"),
    "outcome": ("Zielgröße", "Outcome"),
    "predictor": ("Einflussgröße", "Predictor"),
    "smallest_effect": ("kleinster relevanter Effekt", "Smallest effect of interest"),
    "verdict": ("Urteil (englisch)", "Verdict"),
    "verdict_de": ("Urteil", "Verdict (German)"),
    "sentence_de": ("Ergebnis in einem Satz", "Result in one sentence (German)"),
    "sentence_en": ("Ergebnis in einem Satz (englisch)", "Result in one sentence"),
    "note": ("Hinweis", "Note"),
    "suppressed": ("unterdrückt (zu wenige Antworten)", "Suppressed (too few answers)"),
    "suppression": ("Art der Unterdrückung", "Kind of suppression"),
    # notes (hinweise)
    "section": ("Abschnitt", "Section"),
    "scope": ("betrifft", "Concerns"),
    "severity": ("Schwere", "Severity"),
    "reason_de": ("Grund", "Reason (German)"),
    "reason_en": ("Grund (englisch)", "Reason"),
    "hint_de": ("Was tun?", "What to do (German)"),
    "hint_en": ("Was tun? (englisch)", "What to do"),
    # rejection report (headers written once, in surveys.importing.findings)
    **{c: h for c, h in REJECTION_HEADERS.items() if c not in ("code", "value", "row", "severity")},
}

#: Columns that mean something else in one table: (table, column) -> (German, English).
TABLE_COLUMNS: dict[tuple[str, str], Pair] = {
    ("likert", "label"): ("Antwort", "Answer"),
    ("likert_rolle", "label"): ("Antwort", "Answer"),
    ("reliabilitaet", "label"): ("Skala", "Scale"),
    ("aggregation", "label"): ("Skala", "Scale"),
    ("aggregation", "n"): ("Anzahl Befragte", "Number of respondents"),
    ("aggregation", "F"): ("F (einfaktorielle ANOVA)", "F (one-way ANOVA)"),
    ("struktur_nach_typ", "n_municipalities"): ("Anzahl Kommunen", "Number of municipalities"),
    ("struktur_typ_tests", "n"): ("Anzahl Kommunen", "Number of municipalities"),
    ("modell_kennwerte", "value"): ("Wert", "Value"),
    ("hinweise", "code"): ("Code", "Code"),
    **{("rejections", c): h for c, h in REJECTION_HEADERS.items()},
}

#: Help of a column in the README sheet of results.xlsx where the analysis' own text names codes
#: (``{k}``: the minimum cell size); other columns keep the help of the table catalogue.
COLUMN_HELP: dict[str, Pair] = {
    "suppression": ("primär unterdrückt: weniger als {k} Befragte; ergänzend unterdrückt: genug Befragte, aber "
                    "sonst ließe sich eine kleinere Gruppe durch Differenzbildung berechnen; leer: gezeigt.",
                    "primary: fewer than {k} respondents; secondary: enough respondents, but a smaller group could "
                    "otherwise be worked out by differencing; blank: shown."),
}

#: Columns left out of a language's workbook and pages because another column says the same in it.
HIDDEN_COLUMNS: dict[str, frozenset[str]] = {
    "de": frozenset({"statement_en", "sentence_en", "type_en", "verdict", "reason_en", "hint_en", "message_en"}),
    "en": frozenset({"statement_de", "sentence_de", "verdict_de", "reason_de", "hint_de", "message_de"}),
}

# ---------------------------------------------------------------------------------------- cell values
VALUES: dict[str, dict[str, Pair]] = {
    "format": {"template": ("Vorlage (Excel)", "template (Excel)"), "kobo": ("KoboToolbox", "KoboToolbox"),
               "limesurvey": ("LimeSurvey", "LimeSurvey"), "sosci": ("SoSci Survey", "SoSci Survey"),
               "forms": ("Google/Microsoft Forms", "Google/Microsoft Forms"), "csv": ("CSV", "CSV"),
               "xlsform": ("XLSForm", "XLSForm")},
    "severity": dict(SEVERITY_WORDS),
    "action": {**ACTION_WORDS, "skipped": ("ausgelassen", "skipped")},
    "reason": {"dont_know": ("weiß nicht", "don't know"), "no_answer": ("keine Angabe", "no answer"),
               "not_shown": ("leer", "blank"), "invalid": ("ungültig", "invalid")},
    "by": {"size_class": ("Gemeindegrößenklasse", "Size class"), "district": ("Landkreis", "District"),
           "cohort": ("Förderkohorte", "Funding cohort"), "type": ("Typ", "Type")},
    "fact": {"council_resolution": ("Ratsbeschluss", "Council resolution"),
             "mayor_involved": ("Bürgermeister/in eingebunden", "Mayor involved"),
             "named_contact": ("Benannte Ansprechperson", "Named contact"),
             "rooms": ("Räume bereitgestellt", "Rooms provided")},
    "typology": {"Befragung": ("Typ aus der Befragung", "Type from the survey"),
                 "Kommunendaten": ("Verankerung (Kommunendaten)", "Anchoring (municipality facts)"),
                 "council_resolution": ("Ratsbeschluss", "Council resolution"),
                 "mayor_involved": ("Bürgermeister/in eingebunden", "Mayor involved"),
                 "named_contact": ("Benannte Ansprechperson", "Named contact"),
                 "rooms": ("Räume bereitgestellt", "Rooms provided")},
    "yesno": {"ja": ("ja", "yes"), "nein": ("nein", "no"), "True": ("ja", "yes"), "False": ("nein", "no")},
    "test": {"Welch ANOVA": ("Welch-ANOVA", "Welch ANOVA"), "ANOVA": ("ANOVA", "ANOVA"),
             "Kruskal-Wallis": ("Kruskal-Wallis", "Kruskal-Wallis")},
    "kind": {"omnibus": ("Gesamttest", "omnibus"), "posthoc": ("Paarvergleich", "pairwise")},
    "level": {"municipality": ("Kommune", "municipality"), "pooled": ("alle Kommunen (gepoolt)", "pooled")},
    "suppression": {"primary": ("primär unterdrückt (zu wenige Befragte)", "primary (too few respondents)"),
                    "secondary": ("ergänzend unterdrückt (schützt eine andere kleine Gruppe)",
                                  "secondary (protects another small group)")},
    "design": {"welch": ("unabhängige Stichproben (Welch)", "independent samples (Welch)"),
               "paired": ("gepaarte Stichproben", "paired samples"),
               "mixed": ("teils gepaart", "partly paired")},
    "flag": {"within": ("innerhalb der Grenzen", "within limits"),
             "above 95": ("über der 95-%-Grenze", "above 95 %"), "below 95": ("unter der 95-%-Grenze", "below 95 %"),
             "above 99.8": ("über der 99,8-%-Grenze", "above 99.8 %"),
             "below 99.8": ("unter der 99,8-%-Grenze", "below 99.8 %")},
    "alternative": {"two-sided": ("zweiseitig", "two-sided"), "greater": ("einseitig (größer)", "greater"),
                    "less": ("einseitig (kleiner)", "less")},
    "verdict": {"supported": ("gestützt", "supported"), "inconclusive": ("unklar", "inconclusive"),
                "not supported": ("nicht gestützt", "not supported"), "contradicted": ("widerlegt", "contradicted"),
                "not testable": ("nicht prüfbar", "not testable")},
    "statistic": {
        "n_obs": ("Anzahl Befragte im Modell", "respondents in the model"),
        "n_groups": ("Anzahl Kommunen im Modell", "municipalities in the model"),
        "tau2": ("τ² (Varianz zwischen Kommunen)", "τ² (variance between municipalities)"),
        "sigma2": ("σ² (Varianz innerhalb der Kommunen)", "σ² (variance within municipalities)"),
        "icc": ("ICC (Anteil zwischen Kommunen, adjustiert)", "ICC (share between municipalities, adjusted)"),
        "icc_unadjusted": ("ICC (nicht adjustiert)", "ICC (unadjusted)"),
        "var_fixed": ("Varianz der festen Effekte", "variance of fixed effects"),
        "r2_marginal": ("R² marginal (feste Effekte)", "R² marginal (fixed effects)"),
        "r2_conditional": ("R² konditional (mit Kommunen)", "R² conditional (with municipalities)"),
        "loglik": ("Log-Likelihood", "log-likelihood"),
        "lrt_stat": ("Likelihood-Quotient (Kommunen-Effekt)", "likelihood ratio (municipality effect)"),
        "lrt_p": ("p des Likelihood-Quotienten", "p of the likelihood ratio"),
        "method": ("Schätzverfahren", "estimation method"),
        "converged": ("konvergiert", "converged"),
    },
}

#: English phrases in text cells of the analysis tables, with their German (longest matched first).
PHRASES: tuple[Pair, ...] = (
    ("contextual random-intercept model (REML)", "kontextuelles Random-Intercept-Modell (REML)"),
    ("random-intercept model (REML)", "Random-Intercept-Modell (REML)"),
    ("coefficient in the H5 contextual random-intercept model (REML)",
     "Koeffizient im kontextuellen Random-Intercept-Modell von H5 (REML)"),
    ("t with between-within df", "t mit Between-Within-Freiheitsgraden"),
    ("role as covariate", "Rolle als Kovariate"),
    ("between slope", "Steigung zwischen Kommunen"),
    ("EB-adjusted municipality means", "empirisch-bayesianisch korrigierte Kommunenmittel"),
    ("adjusted for facts and role", "adjustiert für Kommunendaten und Rolle"),
    ("d (estimate / total SD)", "d (Schätzer / Gesamt-SD)"),
    ("standardised between slope", "standardisierte Steigung zwischen Kommunen"),
    ("partnership type (municipality level)", "Typ Partnerschaft (Kommunenebene)"),
    ("(municipality mean)", "(Kommunenmittel)"),
    ("municipality means", "Kommunenmittel"),
    ("CR1 cluster-robust by municipality, t(G-1)", "CR1 clusterrobust nach Kommune, t(G−1)"),
    ("municipality", "Kommune"),
    ("hedges_g", "Hedges g"),
    ("cohen_d", "Cohens d"),
)

_ROLE_FALLBACK: dict[str, Pair] = {
    "verwaltung": ("Verwaltung", "Administration"),
    "buergermeister": ("Bürgermeister/in", "Mayor"),
    "gemeinderat": ("Gemeinderat", "Municipal council"),
    "verein": ("Verein / Initiative", "Association / initiative"),
    "engagiert": ("Engagierte Bürgerin / engagierter Bürger", "Engaged citizen"),
    "dienst": ("Professioneller Dienst", "Professional care service"),
    "andere": ("Andere", "Other"),
}


# ---------------------------------------------------------------------------------------- accessors
def text(key: str, lang: str = "de", **params: Any) -> str:
    """A UI word of :data:`UI` in ``lang``, with ``{placeholders}`` filled from ``params``."""
    s = _pick(UI[key], lang)
    return s.format(**params) if params else s


def section(key: str, lang: str = "de") -> str:
    """Heading (and introduction) of a report section in ``lang`` (Markdown)."""
    return _pick(SECTIONS[key], lang)


def header(column: str, lang: str = "de", table: str | None = None) -> str:
    """The visible header of ``column`` (of result table ``table``, if it has its own meaning there).

    Unknown columns keep their name (the tests make sure none of the result tables has one).
    """
    if table is not None and (table, column) in TABLE_COLUMNS:
        return _pick(TABLE_COLUMNS[(table, column)], lang)
    if column in COLUMNS:
        return _pick(COLUMNS[column], lang)
    return str(column)


def value(kind: str, code: Any, lang: str = "de") -> str:
    """The visible text of a code of ``kind`` (see :data:`VALUES`); unknown codes as they are."""
    pair = VALUES.get(kind, {}).get(str(code))
    return _pick(pair, lang) if pair else str(code)


def role_label(code: Any, lang: str = "de", instrument: Any = None) -> str:
    """The label of a respondent role: from the instrument's choices, else the packaged roles."""
    if instrument is not None:
        try:
            for c in instrument.field("role").choices:
                if c.name == str(code):
                    return c.label(lang)
        except KeyError:
            pass
    pair = _ROLE_FALLBACK.get(str(code))
    return _pick(pair, lang) if pair else str(code)


def translate_phrases(cell: Any, lang: str = "de") -> Any:
    """German for the known English phrases of :data:`PHRASES` in a text cell (other cells unchanged)."""
    if lang != "de" or not isinstance(cell, str):
        return cell
    out = cell
    for en, de in sorted(PHRASES, key=lambda p: -len(p[0])):
        if en in out:
            out = out.replace(en, de)
    return out


def term(key: str, lang: str = "de") -> str:
    """The name of a glossary term (e.g. ``"ICC(1)"``)."""
    g = GLOSSARY[key]
    return g[0] if lang == "de" else g[2]


def explain(key: str, lang: str = "de") -> str:
    """The one-line plain explanation of a glossary term."""
    g = GLOSSARY[key]
    return g[1] if lang == "de" else g[3]


def abbr(key: str, lang: str = "de", shown: str | None = None) -> str:
    """HTML ``<abbr>`` with the explanation as tooltip (``shown`` defaults to the term's name)."""
    return (f'<abbr title="{html.escape(explain(key, lang))}">'
            f"{html.escape(shown if shown is not None else term(key, lang))}</abbr>")


def glossary_html(keys: Iterable[str], lang: str = "de") -> str:
    """A small box explaining the statistics used on a page, one line each (HTML)."""
    rows = "".join(f"<li><strong>{html.escape(term(k, lang))}</strong>: {html.escape(explain(k, lang))}</li>"
                   for k in keys)
    return ('<aside class="baustein-glossary" style="border-left:4px solid #0072B2;background:#f1f7fb;'
            'padding:.4em 1em;margin:.6em 0;font-size:.92em">'
            f"<strong>{html.escape(text('glossary_title', lang))}</strong><ul style=\"margin:.3em 0\">{rows}</ul></aside>")


#: Header texts that name a glossary term (show_table adds the explanation as a tooltip).
HEADER_TERMS: Mapping[str, str] = {
    "icc1": "icc1", "icc2": "icc2", "icc_reml": "icc_reml", "design_effect": "design_effect",
    "rwg_j_median": "rwg", "rwg_star_j_median": "rwg_star", "share_rwg_70": "rwg", "rwg_j": "rwg",
    "rwg_star_j": "rwg_star", "raw_alpha": "alpha", "omega_total": "omega", "g6": "g6", "r.drop": "r_drop",
    "eta2": "eta2", "omega2": "omega2", "df1": "df", "df2": "df", "p": "p", "p_unc": "p", "p_holm": "p_adjust",
    "p_fdr_bh": "p_adjust", "ci_low": "ci", "ci_high": "ci", "ci_lo": "ci", "ci_hi": "ci", "hedges": "hedges",
    "hedges_g": "hedges", "eb_mean": "eb_mean", "tau2": "tau2", "sigma2": "sigma2",
}


def column_for_header(header: str, table: str | None = None) -> str | None:
    """The column name behind a visible header (German or English), or None.

    For programs reading a workbook written for people, e.g. an audit that recognises group-size
    columns by name: ``column_for_header("n gültig") == "n_valid"``.
    """
    if table is not None:
        for (t, col), pair in TABLE_COLUMNS.items():
            if t == table and header in pair:
                return col
    for col, pair in COLUMNS.items():
        if header in pair:
            return col
    return None


def raw_names(tables: Mapping[str, Any] | None = None) -> frozenset[str]:
    """Names a reader must never see on a German page: column names, codes and model terms.

    ``tables`` (result tables) adds every column name of theirs that is not a word of its own
    (single letters, ``F``, ``df1`` ... stay allowed: they are the statistics' usual symbols).
    """
    names = {"struktur", "kommunal", "zivil", "wirkung", "partnerschaft", "verwaltung", "buergermeister",
             "gemeinderat", "verein", "dienst", "type_en", "C(role)", "council_resolution", "mayor_involved",
             "named_contact", "rooms", "n_groups", "ms_between", "raw.r", "rwg_star_j", "eta2", "cell_rejected",
             "kept", "file_rejected", "row_rejected", "size_class", "cohort", "district", "dont_know",
             "no_answer", "not_shown"}
    for t in (tables or {}).values():
        for c in getattr(t, "columns", ()):
            c = str(c)
            if re.search(r"[_.]", c) or (len(c) > 3 and c.islower() and COLUMNS.get(c, (c, c))[0] != c):
                names.add(c)
    return frozenset(names)
