"""The report's figures and tables, built from :class:`analysis.Results` (no statistics here).

The notebooks call these functions, so that the notebooks stay thin and the same figures can be
rendered without a kernel (static images, tests). Each function returns a plotly figure or a
``(DataFrame, column-labels)`` pair for :func:`reporting.notebook.show_table`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from . import plotting as P  # noqa: N812

__all__ = [
    "aggregation_table",
    "agreement_panel",
    "commitment_scatter",
    "comparison",
    "comparison_tests",
    "funnel",
    "funnel_positions",
    "hypotheses_table",
    "hypotheses_text",
    "import_files_table",
    "import_summary_text",
    "item_table",
    "key_figures",
    "likert_construct",
    "missingness",
    "model_coefficients",
    "model_text",
    "perspective_gaps",
    "pick_municipality",
    "profile_header",
    "profile_vs_state",
    "profiles_small_multiples",
    "rejection_summary",
    "reliability_forest",
    "reliability_table",
    "responses_by_role",
    "section",
    "straightlining",
    "structure_by_facts",
    "structure_by_type",
    "texts",
    "type_tests_table",
    "wave_change",
]

_T = {
    "de": {
        "n_resp": "Befragte",
        "role": "Rolle",
        "municipality": "Kommune",
        "missing": "Anteil fehlend",
        "straight": "Anteil gleichförmiger Antwortmuster",
        "alpha": "Cronbachs Alpha",
        "omega": "McDonalds Omega",
        "type": "Typ",
        "structure": "Stärke der Unterstützungsstrukturen",
        "state": "Land (alle Kommunen)",
        "gap": "Unterschied Verwaltung/Politik − Zivilgesellschaft (Punkte)",
        "change": "Veränderung zwischen den Wellen (Punkte)",
        "too_small": "Für diese Auswahl gibt es zu wenige Antworten (weniger als {k}); sie wird nicht gezeigt.",
        "reasons": {"dont_know": "weiß nicht", "no_answer": "keine Angabe", "not_shown": "leer", "invalid": "ungültig"},
        "by": {"size_class": "Gemeindegrößenklasse", "district": "Landkreis", "cohort": "Förderkohorte"},
        "fact": {"council_resolution": "Ratsbeschluss", "mayor_involved": "Bürgermeister/in eingebunden",
                 "named_contact": "Benannte Ansprechperson", "rooms": "Räume bereitgestellt"},
    },
    "en": {
        "n_resp": "Respondents",
        "role": "Role",
        "municipality": "Municipality",
        "missing": "Share missing",
        "straight": "Share of straight-lining",
        "alpha": "Cronbach's alpha",
        "omega": "McDonald's omega",
        "type": "Type",
        "structure": "Strength of support structures",
        "state": "State (all municipalities)",
        "gap": "Gap administration/politics − civil society (points)",
        "change": "Change between waves (points)",
        "too_small": "Too few answers for this selection (fewer than {k}); not shown.",
        "reasons": {"dont_know": "don't know", "no_answer": "no answer", "not_shown": "blank", "invalid": "invalid"},
        "by": {"size_class": "Size class", "district": "District", "cohort": "Funding cohort"},
        "fact": {"council_resolution": "Council resolution", "mayor_involved": "Mayor involved",
                 "named_contact": "Named contact", "rooms": "Rooms provided"},
    },
}


_MUNIS = {"de": "Kommunen: ", "en": "municipalities: "}
#: Level of the intervals the figures compute themselves (the axis titles say "95-%-KI").
_FIGURE_CI = 0.95


_SECTIONS: dict[str, tuple[str, str]] = {
    "01_title": (
        "# Import und Datenqualität\n\nWas wurde eingelesen, was wurde abgelehnt, wie vollständig sind die Antworten? "
        "Gruppen mit weniger als der Mindestzahl an Antworten werden nicht gezeigt.",
        "# Import and data quality\n\nWhat was read, what was rejected, how complete are the answers? "
        "Groups below the minimum number of answers are not shown.",
    ),
    "01_rejections": ("## Abgelehnte Zeilen und Zellen nach Grund", "## Rejected rows and cells by reason"),
    "01_roles": ("## Antworten je Kommune und Rolle", "## Responses per municipality and role"),
    "01_missing": (
        "## Fehlende Antworten je Item\n„weiß nicht“ und „keine Angabe“ zählen als fehlend, nie als Mittelkategorie.",
        "## Missing answers per item\n'Don't know' and 'no answer' count as missing, never as the midpoint.",
    ),
    "01_straight": ("## Gleichförmiges Antworten (Straight-Lining)", "## Straight-lining"),
    "02_title": (
        "# Instrument: Items, Antwortverteilungen und Reliabilität\n\nAntwortverteilungen als divergierende Balken "
        "(Mitte = „teils/teils“), Reliabilität der Skalen (Cronbachs Alpha mit Feldt-Konfidenzintervall, McDonalds "
        "Omega) und Itemanalyse.",
        "# Instrument: items, answer distributions and reliability\n\nAnswer distributions as diverging bars "
        "(centre = neutral), scale reliability (Cronbach's alpha with Feldt CI, McDonald's omega) and item analysis.",
    ),
    "02_likert": ("## Antwortverteilungen", "## Answer distributions"),
    "02_reliability": ("## Reliabilität je Skala", "## Reliability per scale"),
    "02_items": ("## Itemanalyse", "## Item analysis"),
    "03_title": (
        "# Kommunen im Vergleich\n\nTrichterdiagramme (Funnel-Plots) statt Ranglisten: Jede Kommune wird mit dem "
        "Landesmittel verglichen; die Grenzen zeigen, wie weit eine Kommune allein durch Zufall abweichen kann.",
        "# Municipalities compared\n\nFunnel plots instead of league tables: each municipality is compared with the "
        "state mean; the limits show how far a municipality can deviate by chance alone.",
    ),
    "03_funnels": ("## Trichterdiagramme je Skala", "## Funnel plots per scale"),
    "03_agreement": (
        "## Übereinstimmung innerhalb der Kommunen und Aggregierbarkeit\nICC(1): Anteil der Unterschiede, der auf die "
        "Kommune zurückgeht; ICC(2): Reliabilität der Kommunenmittelwerte; r*wg(j): Übereinstimmung der Befragten "
        "innerhalb einer Kommune.",
        "## Agreement within municipalities and aggregation\nICC(1): share of variance due to the municipality; "
        "ICC(2): reliability of municipality means; r*wg(j): agreement of respondents within a municipality.",
    ),
    "03_compare": ("## Vergleich nach Landkreis, Gemeindegrößenklasse und Förderkohorte",
                   "## Comparison by district, size class and funding cohort"),
    "03_profiles": ("## Profile der Kommunen (kleine Vielfache)", "## Municipality profiles (small multiples)"),
    "04_title": (
        "# Formen des Engagements und Stärke der Unterstützungsstrukturen\n\nDie Kernfrage des Bausteins: Welche "
        "Formen des Engagements – kommunal, zivilgesellschaftlich, gemeinsam; Ratsbeschluss, Bürgermeister/in, "
        "Ansprechperson, Ressourcen – gehen mit tragfähigen Unterstützungsstrukturen einher?",
        "# Kinds of commitment and strength of support structures\n\nThe Baustein's central question: which kinds "
        "of commitment – municipal, civil-society, joint; council resolution, mayor, named contact, resources – go "
        "with strong, lasting support structures?",
    ),
    "04_scatter": ("## Kommunales und zivilgesellschaftliches Engagement je Kommune",
                   "## Municipal and civil-society commitment per municipality"),
    "04_types": ("## Stärke der Strukturen nach Form des Engagements", "## Structure strength by kind of commitment"),
    "04_model": (
        "## Mehrebenenmodell\n`Strukturen ~ kommunal × zivilgesellschaftlich + Rolle + (1 | Kommune)`",
        "## Multilevel model\n`structures ~ municipal × civil + role + (1 | municipality)`",
    ),
    "04_hypotheses": ("## Die Aussagen des Bausteins als Hypothesen", "## The Baustein's statements as hypotheses"),
    "05_title": (
        "# Profil einer Kommune\n\nEine Kommune im Vergleich zum Land: Profil über alle Skalen, Unterschiede zwischen "
        "den Perspektiven (Verwaltung, Zivilgesellschaft …), Veränderung zwischen den Wellen und die Lage in jedem "
        "Trichterdiagramm.",
        "# Municipality profile\n\nOne municipality against the state: profile across all scales, gaps between "
        "perspectives, change between waves and its place in every funnel plot.",
    ),
    "05_profile": ("## Profil im Vergleich zum Land", "## Profile against the state"),
    "05_perspectives": ("## Perspektiven: Wie unterschiedlich sehen die Rollen das kommunale Engagement?",
                        "## Perspectives: how differently do the roles rate municipal commitment?"),
    "05_waves": ("## Veränderung zwischen den Wellen", "## Change between waves"),
    "05_funnels": ("## Lage in den Trichterdiagrammen", "## Position in the funnel plots"),
}


def section(key: str, lang: str = "de") -> str:
    """Heading (and intro) of a report section in the report language (Markdown)."""
    de, en = _SECTIONS[key]
    return de if lang == "de" else en


def texts(lang: str = "de") -> Mapping[str, Any]:
    """Localised UI strings of the report."""
    return _T["de" if lang == "de" else "en"]


def _role_labels(inst: Any, lang: str) -> dict[str, str]:
    try:
        return {c.name: c.label(lang) for c in inst.field("role").choices}
    except KeyError:
        return {}


def _fmt(x: Any, d: int = 2, lang: str = "de") -> str:
    if x is None or (isinstance(x, float) and np.isnan(x)) or x is pd.NA:
        return "–"
    s = f"{float(x):.{d}f}"
    return s.replace(".", ",") if lang == "de" else s


def _empty(lang: str, k: int = 5) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=texts(lang)["too_small"].format(k=k), showarrow=False, x=0.5, y=0.5,
                       xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return P.layout_defaults(fig, lang, height=200)


def _visible(t: pd.DataFrame) -> pd.DataFrame:
    return t[~t["suppressed"].astype(bool)] if "suppressed" in t.columns else t


def _construct_dropdown(ctx: Any, show: Callable[[Any], None],
                        figure: Callable[[str], go.Figure]) -> None:  # pragma: no cover - needs a live kernel
    """Dropdown of the instrument's constructs showing ``figure(construct_id)``."""
    _dropdown_widget([(c.label(ctx.lang), c.id) for c in ctx.instrument.constructs],
                     "Skala" if ctx.lang == "de" else "Scale", show, figure)


def _dropdown_widget(options: list[tuple[str, Any]], description: str, show: Callable[[Any], None],
                     *figures: Callable[[Any], go.Figure]) -> None:  # pragma: no cover - needs a live kernel
    """A dropdown above an output area; choosing a value shows each ``figure(value)`` there, in order.

    Shows the figures of the first option at once (JupyterLab only; the static report calls the
    figure functions directly). ``show`` is not called: the output area is filled with the same
    MIME bundle that :func:`reporting.notebook.show` displays.
    """
    import ipywidgets as widgets
    from IPython.display import display

    from .notebook import figure_bundle

    out = widgets.Output()
    dd = widgets.Dropdown(options=options, description=description)

    def on_change(change: Any) -> None:
        # Set the output area's content directly instead of capturing with ``with out:``: capture
        # routes display messages through the frontend's output-widget state, which stalled a
        # headless nbclient run until its cell timeout (reproduced with the funnel figures).
        out.outputs = tuple(
            {"output_type": "display_data", "data": figure_bundle(make(dd.value)), "metadata": {}} for make in figures
        )

    dd.observe(on_change, names="value")
    display(dd, out)
    on_change(None)


# ---------------------------------------------------------------- 01 import quality
def import_summary_text(dataset: Any, lang: str = "de") -> str:
    t = dataset.manifest.get("totals", {})
    if not t:
        n = len(dataset.respondents)
        return f"{n} Befragte im Datensatz." if lang == "de" else f"{n} respondents in the dataset."
    if lang == "de":
        return (
            f"**{t.get('files', '?')} Dateien** gelesen: {t.get('rows_in', '?')} Zeilen, davon "
            f"**{t.get('rows_accepted', '?')} übernommen** und **{t.get('rows_rejected', '?')} abgelehnt** "
            f"({t.get('rows_blank', 0)} leere Zeilen). {t.get('municipalities', '?')} Kommunen. "
            "Jede abgelehnte Zeile steht mit Datei, Blatt, Zeile, Spalte und Grund in `rejections.xlsx`."
        )
    return (
        f"**{t.get('files', '?')} files** read: {t.get('rows_in', '?')} rows, **{t.get('rows_accepted', '?')} accepted**, "
        f"**{t.get('rows_rejected', '?')} rejected**. Every rejected row is listed in `rejections.xlsx`."
    )


def import_files_table(dataset: Any, lang: str = "de") -> pd.DataFrame:
    rows = dataset.manifest.get("inputs", [])
    if not rows:
        return pd.DataFrame({"Datei" if lang == "de" else "file": []})
    df = pd.DataFrame(rows)
    cols = [c for c in ("file", "format", "status", "rows_in", "rows_accepted", "rows_rejected") if c in df.columns]
    df = df[cols].copy()
    if "file" in df:
        df["file"] = df["file"].map(lambda p: str(p).replace("\\", "/").rsplit("/", 1)[-1])
    names = {"file": "Datei", "format": "Format", "status": "Status", "rows_in": "Zeilen",
             "rows_accepted": "übernommen", "rows_rejected": "abgelehnt"}
    return df.rename(columns=names) if lang == "de" else df


def rejection_summary(rejections: pd.DataFrame | None, lang: str = "de") -> pd.DataFrame:
    """Counts of findings by severity and reason (values are never shown: they may be personal)."""
    if rejections is None or not len(rejections):
        return pd.DataFrame({("Befund" if lang == "de" else "finding"): ["keine" if lang == "de" else "none"]})
    # No example messages: they quote cell values, e.g. a duplicated questionnaire number (an
    # identifier). The full list with locations stays in rejections.xlsx for the data team.
    key = [c for c in ("severity", "code") if c in rejections.columns]
    out = rejections.groupby(key, observed=True).size().rename("n").reset_index()
    if lang == "de":
        out = out.rename(columns={"severity": "Schwere", "code": "Regel", "n": "Anzahl"})
    return out


def responses_by_role(results: Any, lang: str = "de") -> go.Figure:
    t = _visible(results["antworten_kommune_rolle"])
    if t.empty:
        return _empty(lang, results.config.min_n)
    T = texts(lang)
    label = t["name"].fillna(t["ags"]) if "name" in t else t["ags"]
    t = t.assign(label=label.astype(str), wave=t.get("wave", "").astype(str))
    fig = go.Figure()
    for j, (role, sub) in enumerate(t.groupby("role", sort=True)):
        fig.add_bar(x=sub["label"] + " " + sub["wave"], y=sub["n"], name=str(role),
                    marker_color=P.OKABE_ITO[j % len(P.OKABE_ITO)],
                    hovertemplate="%{x}<br>" + str(role) + ": n = %{y}<extra></extra>")
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title=T["n_resp"])
    fig.update_xaxes(tickangle=-45)
    return P.layout_defaults(fig, lang, height=480)


def missingness(results: Any, inst: Any, lang: str = "de") -> go.Figure:
    t = results["fehlende_werte"]
    T = texts(lang)
    labels = {i.code: f"{i.code} {i.label(lang)[:60]}" for i in inst.items}
    fig = go.Figure()
    for j, r in enumerate(("dont_know", "no_answer", "not_shown", "invalid")):
        fig.add_bar(y=t["item"].map(labels), x=t[r] * 100, name=T["reasons"][r], orientation="h",
                    marker_color=P.OKABE_ITO[j], hovertemplate="%{y}<br>%{x:.1f} %<extra>" + T["reasons"][r] + "</extra>")
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title=T["missing"], ticksuffix=" %")
    fig.update_yaxes(autorange="reversed", automargin=True)
    return P.layout_defaults(fig, lang, height=max(400, 22 * len(t) + 120))


def straightlining(results: Any, lang: str = "de") -> go.Figure:
    t = _visible(results["straightlining"])
    if t.empty:
        return _empty(lang, results.config.min_n)
    names = _names(results)
    t = t.assign(label=t["ags"].map(names).fillna(t["ags"]))
    fig = go.Figure(go.Bar(x=t["label"], y=t["share"] * 100, marker_color=P.OKABE_ITO[0],
                           customdata=np.c_[t["n"], t["n_straight"]],
                           hovertemplate="%{x}: %{y:.1f} % (%{customdata[1]} von n = %{customdata[0]})<extra></extra>"))
    fig.update_yaxes(title=texts(lang)["straight"], ticksuffix=" %")
    fig.update_xaxes(tickangle=-45)
    return P.layout_defaults(fig, lang, height=380)


def _names(results: Any) -> dict[str, str]:
    o = results["kommunen_uebersicht"]
    return dict(zip(o["ags"].astype(str), o["name"].astype(str))) if "name" in o else {}


# ---------------------------------------------------------------- 02 instrument
def likert_construct(results: Any, inst: Any, construct: str, lang: str = "de") -> go.Figure:
    items = [i.code for i in inst.items_of(construct)]
    freq = results["likert"]
    freq = freq[freq["item"].isin(items) & freq["code"].notna()].copy()
    scale = inst.scales[inst.construct(construct).scale]
    freq["code"] = freq["code"].astype(int)
    freq["n"] = freq["n_valid"]
    labels = {i.code: i.label(lang) for i in inst.items_of(construct)}
    return P.likert_bars(
        freq, item="item", category="code", share="share", n="n", categories=list(scale.valid_codes),
        category_labels={o.code: o.label(lang) for o in scale.valid}, item_labels=labels, lang=lang,
        title=inst.construct(construct).label(lang),
    )


def reliability_forest(results: Any, inst: Any, lang: str = "de") -> go.Figure:
    t = _visible(results["reliabilitaet"])
    T = texts(lang)
    fig = go.Figure()
    fig.add_scatter(x=t["raw_alpha"], y=t["label"], mode="markers", name=T["alpha"],
                    marker={"size": 11, "color": P.OKABE_ITO[0]},
                    error_x=P.ci_error_bars(t["raw_alpha"], t["ci_low"], t["ci_high"]),
                    hovertemplate="%{y}: α = %{x:.2f}<extra></extra>")
    fig.add_scatter(x=t["omega_total"], y=t["label"], mode="markers", name=T["omega"],
                    marker={"size": 11, "symbol": "diamond", "color": P.OKABE_ITO[1]},
                    hovertemplate="%{y}: ω = %{x:.2f}<extra></extra>")
    fig.add_vline(x=0.7, line_dash="dot", line_color="#888888")
    fig.update_xaxes(range=[0, 1], title=T["alpha"] + " / " + T["omega"] + " (95-%-KI)")
    fig.update_yaxes(autorange="reversed", automargin=True)
    return P.layout_defaults(fig, lang, height=360)


def reliability_table(results: Any, inst: Any, lang: str = "de") -> tuple[pd.DataFrame, dict[str, str]]:
    t = results["reliabilitaet"]
    cols = {"label": "Skala", "k": "Items", "n": "n", "raw_alpha": "Alpha", "ci_low": "KI unten", "ci_high": "KI oben",
            "std_alpha": "Alpha std.", "g6": "Lambda-6", "average_r": "mittl. r", "omega_total": "Omega",
            "mean": "Mittelwert", "sd": "SD"}
    if lang != "de":
        cols = {c: c for c in cols}
    return t, cols


def item_table(results: Any, inst: Any, lang: str = "de") -> tuple[pd.DataFrame, dict[str, str]]:
    t = results["itemanalyse"]
    cols = {"item": "Item", "label": "Wortlaut", "n": "n", "mean": "Mittelwert", "sd": "SD",
            "r.drop": "Trennschärfe", "alpha_if_deleted": "Alpha ohne Item"}
    if lang != "de":
        cols = {c: c for c in cols}
    return t, cols


def construct_widget(ctx: Any, show: Callable[[Any], None]) -> None:  # pragma: no cover - needs a live kernel
    """Dropdown to pick a construct (JupyterLab only)."""
    _construct_dropdown(ctx, show, lambda c: likert_construct(ctx.results, ctx.instrument, c, ctx.lang))


# ---------------------------------------------------------------- 03 municipalities
def funnel(results: Any, inst: Any, construct: str, lang: str = "de") -> go.Figure:
    u = _visible(results["funnel"])
    u = u[u["construct"] == construct]
    cv = results["funnel_grenzen"]
    cv = cv[cv["construct"] == construct]
    if u.empty:
        return _empty(lang, results.config.min_n)
    label = inst.construct(construct).label(lang)
    lv = {"95 %": ("lower_95", "upper_95"), "99,8 %" if lang == "de" else "99.8 %": ("lower_99.8", "upper_99.8")}
    u = u.assign(flag_outside=u["outside_95"].astype(bool), label=u.get("name", u["ags"]).fillna(u["ags"]))
    method = "Grenzen mit Überdispersion (additiv)" if results.config.funnel_overdispersion else "Grenzen ohne Überdispersion"
    return P.funnel_plot(u, cv, value="value", n="n", label="label", target=float(u["target"].iloc[0]),
                         limit_cols=lv, flag="flag_outside", lang=lang,
                         title=f"{label}: {method}" if lang == "de" else label, y_title=label)


def agreement_panel(results: Any, inst: Any, lang: str = "de") -> go.Figure:
    agg = results["aggregation"]
    rw = _visible(results["uebereinstimmung"])
    fig = make_subplots(rows=1, cols=2, subplot_titles=("ICC(1) und ICC(2)" if lang == "de" else "ICC(1) and ICC(2)",
                                                        "r*wg(j) je Kommune" if lang == "de" else "r*wg(j) per municipality"))
    fig.add_bar(x=agg["label"], y=agg["icc1"], name="ICC(1)", marker_color=P.OKABE_ITO[0], row=1, col=1,
                error_y=P.ci_error_bars(agg["icc1"], agg["icc1_ci_low"], agg["icc1_ci_high"]))
    fig.add_bar(x=agg["label"], y=agg["icc2"], name="ICC(2)", marker_color=P.OKABE_ITO[1], row=1, col=1)
    labels = {c.id: c.label(lang) for c in inst.constructs}
    for j, (c, sub) in enumerate(rw.groupby("construct", sort=False)):
        fig.add_box(y=sub["rwg_star_j"], name=labels.get(c, c), marker_color=P.OKABE_ITO[j % 8], boxpoints="all",
                    jitter=0.4, showlegend=False, row=1, col=2, customdata=sub.get("name", sub["ags"]),
                    hovertemplate="%{customdata}: %{y:.2f}<extra></extra>")
    fig.add_hline(y=0.7, line_dash="dot", line_color="#888888", row=1, col=2)
    fig.update_layout(barmode="group")
    return P.layout_defaults(fig, lang, height=460)


def aggregation_table(results: Any, inst: Any, lang: str = "de") -> tuple[pd.DataFrame, dict[str, str]]:
    cols = {"label": "Skala", "n_groups": "Kommunen", "icc1": "ICC(1)", "icc2": "ICC(2)", "icc_reml": "ICC (REML)",
            "design_effect": "Designeffekt", "rwg_j_median": "rwg(j) Median", "rwg_star_j_median": "r*wg(j) Median",
            "share_rwg_70": "Anteil rwg(j) ≥ 0,70"}
    if lang != "de":
        cols = {c: c for c in cols}
    return results["aggregation"], cols


def _mean_of_municipality_means(k: pd.DataFrame, by: list[str], ci: float, sort: bool = True) -> pd.DataFrame:
    """Mean of the municipality means per group, with a t-interval over municipalities.

    Each visible municipality counts once: with m municipality means x̄_j in a group,
    CI = mean(x̄_j) ± t_{m−1; (1+ci)/2} · s(x̄_j)/√m (as R ``t.test`` on the municipality means).
    Columns: ``*by, mean, std, count, ci_low, ci_high`` (``count`` = municipalities; NaN interval
    for a single municipality).
    """
    from scipy import stats

    grp = k.groupby(by, observed=True, sort=sort)["mean"].agg(["mean", "std", "count"]).reset_index()
    tq = stats.t.ppf((1 + ci) / 2, np.maximum(grp["count"] - 1, 1))
    half = tq * grp["std"] / np.sqrt(grp["count"])
    return grp.assign(ci_low=grp["mean"] - half, ci_high=grp["mean"] + half)


def comparison(results: Any, inst: Any, by: str, lang: str = "de") -> go.Figure:
    k = _visible(results["kommunen"])
    if by not in k.columns or k.empty:
        return _empty(lang, results.config.min_n)
    labels = {c.id: c.label(lang) for c in inst.constructs}
    grp = _mean_of_municipality_means(k, [by, "variable"], _FIGURE_CI)
    grp["n"] = grp["count"]
    grp["construct"] = grp["variable"].map(labels)
    grp = grp[grp["count"] >= 2]
    return P.means_with_ci(grp, x=by, color="construct", n="n", x_title=texts(lang)["by"].get(by, by), lang=lang,
                           n_label=_MUNIS[lang],
                           title=texts(lang)["by"].get(by, by))


def comparison_tests(results: Any, inst: Any, lang: str = "de") -> tuple[pd.DataFrame, dict[str, str]]:
    if "vergleich_omnibus" not in results:
        return pd.DataFrame(), {}
    t = results["vergleich_omnibus"].copy()
    t["by"] = t["by"].map(texts(lang)["by"]).fillna(t["by"])
    t["dv"] = t["dv"].map({c.id: c.label(lang) for c in inst.constructs}).fillna(t["dv"])
    cols = {"by": "Vergleich", "dv": "Skala", "F": "F (Welch)", "df1": "df1", "df2": "df2", "p_unc": "p",
            "eta2": "η²", "omega2": "ω²", "n": "n"}
    if lang != "de":
        cols = {c: c for c in cols}
    return t, cols


def profiles_small_multiples(results: Any, inst: Any, lang: str = "de", max_panels: int = 16) -> go.Figure:
    k = _visible(results["kommunen"])
    if k.empty:
        return _empty(lang, results.config.min_n)
    munis = list(dict.fromkeys(k["ags"]))[:max_panels]
    labels = {c.id: c.label(lang) for c in inst.constructs}
    order = [c.id for c in inst.constructs]
    state = k.groupby("variable")["mean"].mean()
    cols = 4
    rows = int(np.ceil(len(munis) / cols))
    names = _names(results)
    fig = make_subplots(rows=rows, cols=cols, shared_xaxes=True, shared_yaxes=True,
                        subplot_titles=[names.get(a, a) for a in munis], vertical_spacing=0.08)
    for j, a in enumerate(munis):
        sub = k[k["ags"] == a].set_index("variable").reindex(order)
        r, c = divmod(j, cols)
        fig.add_scatter(x=sub["mean"], y=[labels[o] for o in order], mode="markers", row=r + 1, col=c + 1,
                        marker={"color": P.OKABE_ITO[0], "size": 8}, showlegend=j == 0, legendgroup="m",
                        name="Kommune" if lang == "de" else "Municipality",
                        error_x=P.ci_error_bars(sub["mean"], sub["ci_low"], sub["ci_high"]),
                        hovertemplate="%{y}: %{x:.2f}<extra></extra>")
        fig.add_scatter(x=state.reindex(order), y=[labels[o] for o in order], mode="markers", row=r + 1, col=c + 1,
                        marker={"color": P.OKABE_ITO[1], "symbol": "line-ns-open", "size": 12}, showlegend=j == 0,
                        legendgroup="s", name=texts(lang)["state"], hoverinfo="skip")
    fig.update_xaxes(range=[1, 5])
    if len(dict.fromkeys(k["ags"])) > max_panels:
        fig.add_annotation(text=f"… {len(dict.fromkeys(k['ags'])) - max_panels} weitere Kommunen: siehe Profile",
                           x=1, y=-0.05, xref="paper", yref="paper", showarrow=False)
    return P.layout_defaults(fig, lang, height=230 * rows + 80)


def municipality_widget(ctx: Any, show: Callable[[Any], None]) -> None:  # pragma: no cover - needs a live kernel
    """Dropdown: funnel plot of a chosen construct (JupyterLab only)."""
    _construct_dropdown(ctx, show, lambda c: funnel(ctx.results, ctx.instrument, c, ctx.lang))


# ---------------------------------------------------------------- 04 commitment vs structures
def commitment_scatter(results: Any, inst: Any, lang: str = "de") -> go.Figure:
    if "typologie" not in results:
        return _empty(lang)
    t = _visible(results["typologie"]).dropna(subset=["mean_municipal", "mean_civil"])
    if t.empty:
        return _empty(lang, results.config.min_n)
    tcol = "type" if lang == "de" else "type_en"
    t = t.assign(n=t[["n_municipal", "n_civil"]].min(axis=1), label=t.get("name", t["ags"]))
    order = list(dict.fromkeys(t[tcol]))
    thr = float(t["threshold_municipal"].iloc[0]) if "threshold_municipal" in t else 3.0
    return P.commitment_scatter(
        t, x="mean_municipal", y="mean_civil", color=tcol, size="n", structure="mean_structure", label="label",
        threshold=thr, x_title=_role_label(inst, "municipal_commitment", lang),
        y_title=_role_label(inst, "civil_commitment", lang),
        structure_title=texts(lang)["structure"], category_order=order, lang=lang,
    )


def structure_by_type(results: Any, inst: Any, lang: str = "de") -> go.Figure:
    t = _visible(results["struktur_nach_typ"])
    t = t[t["typology"].isin(["Befragung", "Kommunendaten"])].dropna(subset=["ci_low"])
    if t.empty:
        return _empty(lang)
    tcol = "type" if lang == "de" else "type_en"
    t = t.assign(n=t["n_municipalities"], typ=t["typology"].map(
        {"Befragung": "Typ aus der Befragung" if lang == "de" else "from survey",
         "Kommunendaten": "Verankerung (Kommunendaten)" if lang == "de" else "from municipality facts"}))
    return P.means_with_ci(t, x=tcol, color="typ", n="n", x_title=texts(lang)["type"], n_label=_MUNIS[lang],
                           y_title=texts(lang)["structure"] + " (Mittel der Kommunen, 95-%-KI)", lang=lang)


def structure_by_facts(results: Any, inst: Any, lang: str = "de") -> go.Figure:
    t = _visible(results["struktur_nach_typ"])
    facts = texts(lang)["fact"]
    t = t[t["typology"].isin(list(facts))].dropna(subset=["ci_low"])
    if t.empty:
        return _empty(lang)
    t = t.assign(fact=t["typology"].map(facts), n=t["n_municipalities"],
                 answer=t["type"].map({"ja": "ja" if lang == "de" else "yes", "nein": "nein" if lang == "de" else "no"}))
    return P.means_with_ci(t, x="fact", color="answer", n="n", x_title=" ", n_label=_MUNIS[lang],
                           y_title=texts(lang)["structure"] + " (95-%-KI)", lang=lang)


def type_tests_table(results: Any, lang: str = "de") -> tuple[pd.DataFrame, dict[str, str]]:
    t = results["struktur_typ_tests"]
    t = t[t.get("kind", "omnibus") == "omnibus"] if "kind" in t else t
    cols = {"typology": "Typologie", "test": "Test", "F": "F", "df1": "df1", "df2": "df2", "p_unc": "p",
            "eta2": "η²", "n": "n Kommunen"}
    if lang != "de":
        cols = {c: c for c in cols}
    return t, cols


def _role_construct(inst: Any, role: str) -> Any:
    """The construct declaring ``role`` (the one analysis.run used), or None."""
    found = [c for c in inst.constructs if getattr(c, "role", None) == role]
    return found[0] if found else None


def _role_label(inst: Any, role: str, lang: str) -> str:
    c = _role_construct(inst, role)
    return c.label(lang) if c is not None else role


def _term_labels(inst: Any, lang: str) -> dict[str, str]:
    roles = _role_labels(inst, lang)
    c = " (zentriert)" if lang == "de" else " (centred)"
    m, z = (_role_construct(inst, r) for r in ("municipal_commitment", "civil_commitment"))
    out = {}
    if m is not None and z is not None:
        out = {m.id: m.label(lang) + c, z.id: z.label(lang) + c,
               f"{m.id}:{z.id}": ("Wechselwirkung kommunal × zivilgesellschaftlich" if lang == "de"
                                  else "Interaction municipal × civil")}
    for k, v in roles.items():
        out[f"C(role)[T.{k}]"] = ("Rolle: " if lang == "de" else "Role: ") + v
    return out


def model_coefficients(results: Any, inst: Any, lang: str = "de") -> go.Figure:
    if "modell" not in results:
        return _empty(lang)
    return P.coefficient_plot(results["modell"], term_labels=_term_labels(inst, lang), lang=lang)


def model_text(results: Any, lang: str = "de") -> str:
    if "modell_kennwerte" not in results:
        return ""
    s = dict(zip(results["modell_kennwerte"]["statistic"], results["modell_kennwerte"]["value"]))
    if lang == "de":
        return (
            f"Zwischen den Kommunen liegen **{_fmt(s.get('icc', np.nan) * 100, 0)} %** der nicht erklärten Unterschiede "
            f"(ICC); τ² = {_fmt(s.get('tau2'), 3)}, σ² = {_fmt(s.get('sigma2'), 3)}. Die festen Effekte erklären "
            f"R²(marginal) = {_fmt(s.get('r2_marginal'))}, mit Kommune R²(konditional) = {_fmt(s.get('r2_conditional'))} "
            f"(Nakagawa & Schielzeth 2013). n = {int(s.get('n_obs', 0))} Befragte in {int(s.get('n_groups', 0))} Kommunen."
        )
    return (
        f"ICC = {_fmt(s.get('icc'))}; τ² = {_fmt(s.get('tau2'), 3, 'en')}, σ² = {_fmt(s.get('sigma2'), 3, 'en')}; "
        f"marginal R² = {_fmt(s.get('r2_marginal'), 2, 'en')}, conditional R² = {_fmt(s.get('r2_conditional'), 2, 'en')}."
    )


def hypotheses_text(results: Any, lang: str = "de") -> str:
    if "hypothesen" not in results:
        return ""
    h = results["hypothesen"]
    col = "sentence_de" if lang == "de" else "sentence_en"
    vcol = "verdict_de" if lang == "de" and "verdict_de" in h else "verdict"
    stmt = "statement_de" if lang == "de" else "statement_en"
    lines = [f"- **{r.hypothesis}** „{getattr(r, stmt)}“ — *{getattr(r, vcol)}*: {getattr(r, col)}"
             for r in h.itertuples()]
    return "\n".join(lines)


def hypotheses_table(results: Any, lang: str = "de") -> tuple[pd.DataFrame, dict[str, str]]:
    h = results["hypothesen"] if "hypothesen" in results else pd.DataFrame()
    cols = {"hypothesis": "Hypothese", "operationalisation": "Operationalisierung", "estimate": "Schätzer",
            "ci_low": "KI unten", "ci_high": "KI oben", "p": "p", "effect_size": "Effektstärke",
            "n_municipalities": "Kommunen", "verdict_de": "Urteil"}
    if lang != "de":
        cols = {"hypothesis": "hypothesis", "operationalisation": "operationalisation", "estimate": "estimate",
                "ci_low": "ci_low", "ci_high": "ci_high", "p": "p", "effect_size": "effect size",
                "n_municipalities": "municipalities", "verdict": "verdict"}
    return h, cols


# ---------------------------------------------------------------- 05 profile
def pick_municipality(results: Any, ags: str | None) -> str:
    o = _visible(results["kommunen_uebersicht"])
    if ags is None:
        if o.empty:
            from core.errors import ReportError

            raise ReportError("Keine Kommune hat genügend Antworten für ein Profil. / No municipality has enough answers.")
        return str(o["ags"].iloc[0])
    return str(ags).zfill(8)


def profile_header(ctx: Any, ags: str) -> str:
    o = ctx.results["kommunen_uebersicht"]
    row = o[o["ags"].astype(str) == ags]
    if row.empty or bool(row["suppressed"].iloc[0]):
        return texts(ctx.lang)["too_small"].format(k=ctx.min_n)
    r = row.iloc[0]
    if ctx.lang == "de":
        return (f"## {r.get('name', ags)} ({ags})\n\n{r.get('district', '')} · {r.get('size_class', '')} · "
                f"{r.get('cohort', '')} · **n = {int(r['n'])} Befragte**")
    return f"## {r.get('name', ags)} ({ags})\n\n**n = {int(r['n'])} respondents**"


def profile_vs_state(results: Any, inst: Any, ags: str, lang: str = "de") -> go.Figure:
    k = results["kommunen"]
    mine = _visible(k[k["ags"].astype(str) == ags])
    if mine.empty:
        return _empty(lang, results.config.min_n)
    state = _mean_of_municipality_means(_visible(k), ["variable"], _FIGURE_CI, sort=False)
    state = state.assign(group=texts(lang)["state"])
    name = str(mine["name"].iloc[0]) if "name" in mine else ags
    tab = pd.concat([mine.assign(group=name)[["variable", "mean", "ci_low", "ci_high", "group"]],
                     state[["variable", "mean", "ci_low", "ci_high", "group"]]], ignore_index=True)
    return P.profile_plot(tab, dimension="variable", mean="mean", lo="ci_low", hi="ci_high", group="group",
                          dimension_labels={c.id: c.label(lang) for c in inst.constructs}, lang=lang)


def perspective_gaps(results: Any, inst: Any, ags: str, lang: str = "de") -> go.Figure:
    if "perspektiven" not in results:
        return _empty(lang)
    p = results["perspektiven"]
    mine = _visible(p[p["ags"].astype(str) == ags]) if "ags" in p else p.iloc[0:0]
    pooled = p[p["level"] != "municipality"] if "level" in p else p.iloc[0:0]
    rows = []
    for label, sub in ((("diese Kommune" if lang == "de" else "this municipality"), mine),
                       (("alle Kommunen (gepoolt)" if lang == "de" else "all municipalities (pooled)"), pooled)):
        if len(sub) and pd.notna(sub["gap"].iloc[0]):
            rows.append({"term": label, "estimate": float(sub["gap"].iloc[0]), "ci_low": float(sub["ci_low"].iloc[0]),
                         "ci_high": float(sub["ci_high"].iloc[0])})
    if not rows:
        return _empty(lang, results.config.min_n)
    title = ("Verwaltung, Bürgermeister/in, Gemeinderat vs. Vereine und Engagierte" if lang == "de"
             else "Administration, mayor, council vs. associations and engaged citizens")
    if mine.empty or mine["gap"].isna().all():
        title += ("<br><sup>Diese Kommune: zu wenige Antworten auf einer Seite (Mindestzahl "
                  f"{results.config.min_n}); gezeigt wird nur der Landeswert.</sup>" if lang == "de" else
                  f"<br><sup>This municipality: too few answers on one side (minimum {results.config.min_n}).</sup>")
    fig = P.coefficient_plot(pd.DataFrame(rows), drop=(), lang=lang, title=title)
    fig.update_xaxes(title=texts(lang)["gap"])
    return fig


def wave_change(results: Any, inst: Any, ags: str, lang: str = "de") -> go.Figure:
    if "wellen" not in results:
        return _empty(lang)
    w = results["wellen"]
    mine = _visible(w[w["ags"].astype(str) == ags])
    if mine.empty:
        return _empty(lang, results.config.min_n)
    labels = {c.id: c.label(lang) for c in inst.constructs}
    tab = mine.assign(term=mine["construct"].map(labels), estimate=mine["change"])
    fig = P.coefficient_plot(tab[["term", "estimate", "ci_low", "ci_high"]], drop=(), lang=lang,
                             title=f"{mine['wave_from'].iloc[0]} → {mine['wave_to'].iloc[0]}")
    fig.update_xaxes(title=texts(lang)["change"])
    return fig


def funnel_positions(results: Any, inst: Any, ags: str, lang: str = "de") -> go.Figure:
    u = results["funnel"]
    mine = _visible(u[u["ags"].astype(str) == ags])
    if mine.empty:
        return _empty(lang, results.config.min_n)
    labels = {c.id: c.label(lang) for c in inst.constructs}
    fig = go.Figure()
    y = mine["construct"].map(labels)
    for lo, hi, col, name in (("lower_99.8", "upper_99.8", "#dddddd", "99,8 %"), ("lower_95", "upper_95", "#aaaaaa", "95 %")):
        fig.add_bar(y=y, x=mine[hi] - mine[lo], base=mine[lo], orientation="h", marker_color=col, name=name,
                    hoverinfo="skip")
    fig.add_scatter(y=y, x=mine["target"], mode="markers", marker={"symbol": "line-ns-open", "size": 18,
                                                                   "color": "black"}, name=texts(lang)["state"])
    fig.add_scatter(y=y, x=mine["value"], mode="markers", marker={"size": 12, "color": P.OKABE_ITO[5]},
                    name=str(mine["name"].iloc[0]) if "name" in mine else ags,
                    hovertemplate="%{y}: %{x:.2f}<extra></extra>")
    fig.update_layout(barmode="overlay")
    fig.update_xaxes(range=[1, 5])
    fig.update_yaxes(autorange="reversed", automargin=True)
    return P.layout_defaults(fig, lang, height=360)


def profile_widget(ctx: Any, show: Callable[[Any], None]) -> None:  # pragma: no cover - needs a live kernel
    """Dropdown to switch the profile's municipality (JupyterLab only)."""
    o = _visible(ctx.results["kommunen_uebersicht"])
    _dropdown_widget([(f"{n} ({a})", a) for a, n in zip(o["ags"], o["name"])],
                     "Kommune" if ctx.lang == "de" else "Municipality", show,
                     lambda a: profile_vs_state(ctx.results, ctx.instrument, a, ctx.lang),
                     lambda a: funnel_positions(ctx.results, ctx.instrument, a, ctx.lang))


def key_figures(results: Any, inst: Any, lang: str = "de") -> dict[str, go.Figure]:
    """The charts exported as PNG/PDF for pasting into a written report."""
    figs = {
        "engagement_streudiagramm": commitment_scatter(results, inst, lang),
        "strukturen_nach_typ": structure_by_type(results, inst, lang),
        "modell_koeffizienten": model_coefficients(results, inst, lang),
        "reliabilitaet": reliability_forest(results, inst, lang),
    }
    structure = _role_construct(inst, "structure")
    if structure is not None:
        figs["funnel_strukturen"] = funnel(results, inst, structure.id, lang)
    return figs
