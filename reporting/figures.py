"""The report's figures and tables, built from :class:`analysis.Results` (no statistics here).

The notebooks call these functions, so that the notebooks stay thin and the same figures can be
rendered without a kernel (static images, Word files, tests). Each function returns a plotly
figure, a Markdown string, or a ``(DataFrame, column headers)`` pair for
:func:`reporting.notebook.show_table`. Every visible word comes from :mod:`reporting.labels`;
interval columns are read as ``ci_low``/``ci_high`` whichever name the analysis used.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from . import labels as L  # noqa: N812
from . import plotting as P  # noqa: N812
from .formatting import fill_names, fmt_number, name_map
from .profile_data import role_construct, suppressed_mask, with_ci_columns

__all__ = [
    "aggregation_table",
    "agreement_panel",
    "commitment_scatter",
    "comparison",
    "comparison_tests",
    "empty_figure",
    "fact_label",
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
    "perspective_note",
    "pick_municipality",
    "profile_header",
    "profile_vs_state",
    "profiles_small_multiples",
    "readable",
    "rejection_summary",
    "reliability_forest",
    "reliability_table",
    "responses_by_role",
    "section",
    "straightlining",
    "structure_by_facts",
    "structure_by_type",
    "term_labels",
    "type_tests_table",
    "wave_change",
]

#: Level of the intervals the figures compute themselves (the axis titles say "95-%-KI").
_FIGURE_CI = 0.95
#: Above this many municipalities, per-municipality bar charts become distributions.
_MAX_BARS = 40


def section(key: str, lang: str = "de") -> str:
    """Heading (and intro) of a report section in the report language (Markdown).

    See :data:`reporting.labels.SECTIONS`.
    """
    return L.section(key, lang)


def _table(results: Any, name: str) -> pd.DataFrame:
    """Result table ``name`` with ``ci_low``/``ci_high`` names and a name for every municipality
    (its AGS where the dataset has no master data); empty when absent."""
    return fill_names(with_ci_columns(results[name])) if name in results else pd.DataFrame()


def _role_labels(inst: Any, lang: str) -> dict[str, str]:
    """Role code -> label from the instrument's role field (empty without one)."""
    try:
        return {c.name: c.label(lang) for c in inst.field("role").choices}
    except KeyError:
        return {}


def _construct_labels(inst: Any, lang: str) -> dict[str, str]:
    """Construct id -> label."""
    return {c.id: c.label(lang) for c in inst.constructs}


def readable(text: Any, inst: Any, lang: str = "de") -> Any:
    """Replace raw names in a text cell (construct ids, municipality facts) by their labels.

    Analysis tables describe what they did in words that name columns (``council_resolution →
    struktur``); a reader sees "Ratsbeschluss → Stärke der Unterstützungsstrukturen". English
    phrases are translated in German (:func:`reporting.labels.translate_phrases`).
    """
    if not isinstance(text, str):
        return text
    names = {**_construct_labels(inst, lang), **{k: L.value("fact", k, lang) for k in L.VALUES["fact"]}}
    out = re.sub(r"(?<![\w-])(" + "|".join(map(re.escape, sorted(names, key=len, reverse=True))) + r")(?![\w-])",
                 lambda m: names[m.group(1)], text)
    return L.translate_phrases(out, lang)


def _empty(lang: str, k: int = 5) -> go.Figure:
    """A small figure that says why nothing is shown (too few answers, minimum ``k``).

    Every figure builder of this module returns it when its table is absent, empty, fully
    suppressed or without values (a pilot, a tiny wave, an export without master data).
    """
    fig = go.Figure()
    fig.add_annotation(text=L.text("too_small", lang, k=k), showarrow=False, x=0.5, y=0.5,
                       xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return P.layout_defaults(fig, lang, height=200)


#: Public name of the "too few answers" figure (the explorer of notebook 04 shows it too).
empty_figure = _empty


def _visible(t: pd.DataFrame) -> pd.DataFrame:
    """Rows not suppressed by the small-cell rule (a missing flag counts as suppressed)."""
    return t[~suppressed_mask(t)]


def _of(t: pd.DataFrame, ags: str) -> pd.DataFrame:
    """The rows of municipality ``ags`` (none when the table has no AGS column)."""
    return t[t["ags"].astype(str) == str(ags)] if "ags" in t.columns else t.iloc[0:0]


def _has(t: pd.DataFrame, *cols: str) -> bool:
    """True when ``t`` has rows and every column ``cols`` with at least one value."""
    return len(t) > 0 and all(c in t.columns and t[c].notna().any() for c in cols)


def _headers(t: pd.DataFrame, cols: list[str], lang: str, table: str | None = None) -> dict[str, str]:
    """Visible headers of the columns ``cols`` that ``t`` has, in order."""
    return {c: L.header(c, lang, table) for c in cols if c in t.columns}


def _role_label(inst: Any, role: str, lang: str) -> str:
    """The label of the construct playing ``role`` (the role's own words when none does)."""
    c = role_construct(inst, role)
    return inst.construct(c).label(lang) if c is not None else L.text("structure", lang) if role == "structure" else role


def _names(results: Any) -> dict[str, str]:
    """AGS -> municipality name."""
    return name_map(results.tables.get("kommunen_uebersicht"))


def _dropdown_widget(options: list[tuple[str, Any]], description: str,
                     *figures: Callable[[Any], go.Figure]) -> None:  # pragma: no cover - needs a live kernel
    """A dropdown above an output area; choosing a value shows each ``figure(value)`` there, in order.

    Shows the figures of the first option at once (JupyterLab only; the static report calls the
    figure functions directly).
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
    """One paragraph on what was imported: files, rows read, accepted and rejected.

    Parameters
    ----------
    dataset : surveys.dataset.Dataset
        Its manifest's ``totals`` are reported; without them the number of respondents.
    lang : {"de", "en"}

    Returns
    -------
    str
        Markdown.
    """
    t = dataset.manifest.get("totals", {})

    def num(key: str, default: Any = "?") -> str:
        v = t.get(key, default)
        return fmt_number(v, 0, lang) if isinstance(v, (int, float)) else str(v)

    if not t:
        n = fmt_number(len(dataset.respondents), 0, lang)
        return f"{n} Befragte im Datensatz." if lang == "de" else f"{n} respondents in the dataset."
    if lang == "de":
        return (
            f"**{num('files')} Dateien** gelesen: {num('rows_in')} Zeilen, davon **{num('rows_accepted')} übernommen** "
            f"und **{num('rows_rejected')} abgelehnt** ({num('rows_blank', 0)} leere Zeilen). "
            f"{num('municipalities')} Kommunen. Jede abgelehnte Zeile steht mit Datei, Blatt, Zeile, Spalte und Grund "
            "in `rejections.xlsx`."
        )
    return (
        f"**{num('files')} files** read: {num('rows_in')} rows, **{num('rows_accepted')} accepted**, "
        f"**{num('rows_rejected')} rejected** ({num('rows_blank', 0)} blank rows). {num('municipalities')} "
        "municipalities. Every rejected row is listed with file, sheet, row, column and reason in `rejections.xlsx`."
    )


def import_files_table(dataset: Any, lang: str = "de") -> tuple[pd.DataFrame, dict[str, str]]:
    """One row per imported file: file name, the municipalities in it, format, status and row counts.

    Parameters
    ----------
    dataset : surveys.dataset.Dataset
        The manifest lists the inputs; the respondents' ``source_file`` links files to municipalities.
    lang : {"de", "en"}

    Returns
    -------
    (DataFrame, dict)
        The table and its column headers.
    """
    rows = dataset.manifest.get("inputs", [])
    if not rows:
        return pd.DataFrame({"file": []}), {"file": L.text("file", lang)}
    df = pd.DataFrame(rows)
    src = "path" if "path" in df.columns else "file"
    df["file"] = df[src].map(lambda p: str(p).replace("\\", "/").rsplit("/", 1)[-1])
    munis = pd.Series(dtype=str)
    r = dataset.respondents
    if {"source_file", "ags"} <= set(r.columns) and src in df.columns:
        names = name_map(dataset.municipalities)
        per_file = r.groupby(r["source_file"].astype(str), observed=True)["ags"].agg(
            lambda s: sorted(set(s.astype(str))))
        munis = df[src].astype(str).map(per_file).map(
            lambda a: "" if not isinstance(a, list) else
            ", ".join(names.get(x, x) for x in a[:3]) + (f" … (+{len(a) - 3})" if len(a) > 3 else ""))
    df["municipality"] = munis if len(munis) else ""
    if "format" in df.columns:
        df["format"] = df["format"].map(lambda f: L.value("format", f, lang))
    cols = [c for c in ("file", "municipality", "format", "status", "rows_in", "rows_accepted", "rows_rejected")
            if c in df.columns]
    heads = {"file": L.text("file", lang), "municipality": L.text("municipalities", lang),
             "format": L.text("format", lang), "status": L.text("status", lang), "rows_in": L.text("rows_in", lang),
             "rows_accepted": L.text("rows_accepted", lang), "rows_rejected": L.text("rows_rejected", lang)}
    return df[cols], {c: heads[c] for c in cols}


def rejection_summary(rejections: pd.DataFrame | None, lang: str = "de") -> tuple[pd.DataFrame, dict[str, str]]:
    """Counts of import findings by severity and rule (values are never shown: they may be personal).

    Parameters
    ----------
    rejections : DataFrame or None
        The rejection report (``rejections.csv`` of the dataset).
    lang : {"de", "en"}

    Returns
    -------
    (DataFrame, dict)
        Severity (in words), rule code and the number of findings.
    """
    if rejections is None or not len(rejections):
        return (pd.DataFrame({"finding": [L.text("none", lang)]}), {"finding": L.text("finding", lang)})
    # No example messages: they quote cell values, e.g. a duplicated questionnaire number (an
    # identifier). The full list with locations stays in rejections.xlsx for the data team.
    key = [c for c in ("severity", "code") if c in rejections.columns]
    out = rejections.groupby(key, observed=True).size().rename("findings").reset_index()
    if "severity" in out.columns:
        out["severity"] = out["severity"].map(lambda s: L.value("severity", s, lang))
    heads = {"severity": L.header("severity", lang), "code": L.header("code", lang, "rejections"),
             "findings": "Meldungen" if lang == "de" else "Findings"}
    return out, {c: heads[c] for c in out.columns}


def responses_by_role(results: Any, inst: Any = None, lang: str = "de") -> go.Figure:
    """Stacked bars of respondents per municipality (and wave) by role.

    With more than 40 municipalities the bars would be unreadable: the chart then shows the
    respondents per role and wave over all municipalities.

    Parameters
    ----------
    results : analysis.Results
        Uses ``antworten_kommune_rolle`` (small groups already suppressed).
    inst : surveys.instrument.Instrument, optional
        Gives the roles' labels.
    lang : {"de", "en"}

    Returns
    -------
    plotly.graph_objects.Figure
    """
    t = _visible(_table(results, "antworten_kommune_rolle"))
    if t.empty:
        return _empty(lang, results.config.min_n)
    roles = _role_labels(inst, lang) if inst is not None else {}
    label = t["name"].fillna(t["ags"]) if "name" in t else t["ags"]
    wave = t["wave"].astype(str) if "wave" in t else pd.Series("", index=t.index)
    many = t["ags"].nunique() > _MAX_BARS
    t = t.assign(label=(wave if many else label.astype(str) + " " + wave), wave=wave)
    if many:
        t = t.groupby(["label", "role"], observed=True)["n"].sum().reset_index()
    fig = go.Figure()
    for j, (role, sub) in enumerate(t.groupby("role", sort=True)):
        name = roles.get(str(role), L.role_label(role, lang))
        fig.add_bar(x=sub["label"], y=sub["n"], name=name, marker_color=P.OKABE_ITO[j % len(P.OKABE_ITO)],
                    hovertemplate="%{x}<br>" + name + ": n = %{y}<extra></extra>")
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title=L.text("n_resp", lang))
    fig.update_xaxes(tickangle=0 if many else -45, title=L.text("wave", lang) if many else None)
    return P.layout_defaults(fig, lang, height=480)


def missingness(results: Any, inst: Any, lang: str = "de") -> go.Figure:
    """Share of missing answers per item, stacked by reason (don't know, no answer, blank, invalid).

    Parameters
    ----------
    results : analysis.Results
        Uses ``fehlende_werte``.
    inst : surveys.instrument.Instrument
        Item wording (wrapped at word boundaries, never cut mid-word).
    lang : {"de", "en"}

    Returns
    -------
    plotly.graph_objects.Figure
    """
    t = _table(results, "fehlende_werte")
    if not _has(t, "item"):
        return _empty(lang, results.config.min_n)
    labels = {i.code: P.wrap_label(i.label(lang), 60, 2) for i in inst.items}
    fig = go.Figure()
    reasons = [r for r in ("dont_know", "no_answer", "not_shown", "invalid") if r in t.columns]
    for j, r in enumerate(reasons):
        name = L.value("reason", r, lang)
        fig.add_bar(y=t["item"].map(labels).fillna(t["item"]), x=t[r] * 100, name=name, orientation="h",
                    marker_color=P.OKABE_ITO[j], customdata=t["item"],
                    hovertemplate="%{y} (%{customdata})<br>%{x:.1f} %<extra>" + name + "</extra>")
    fig.update_layout(barmode="stack", legend_traceorder="normal")
    fig.update_xaxes(title=L.text("missing", lang), ticksuffix=" %")
    fig.update_yaxes(autorange="reversed", automargin=True, tickfont={"size": 11})
    return P.layout_defaults(fig, lang, height=max(400, 34 * len(t) + 140))


def straightlining(results: Any, lang: str = "de") -> go.Figure:
    """Share of respondents per municipality who gave the same answer to at least 10 statements.

    With more than 40 municipalities a histogram of the shares replaces the bars.

    Parameters
    ----------
    results : analysis.Results
        Uses ``straightlining``.
    lang : {"de", "en"}

    Returns
    -------
    plotly.graph_objects.Figure
    """
    t = _visible(_table(results, "straightlining"))
    if t.empty:
        return _empty(lang, results.config.min_n)
    if t["ags"].nunique() > _MAX_BARS:
        fig = go.Figure(go.Histogram(x=t["share"] * 100, marker_color=P.OKABE_ITO[0], nbinsx=30,
                                     hovertemplate="%{x} %: %{y}<extra></extra>"))
        fig.update_xaxes(title=L.text("straight", lang), ticksuffix=" %")
        fig.update_yaxes(title=L.text("municipalities", lang))
        return P.layout_defaults(fig, lang, height=360)
    names = _names(results)
    t = t.assign(label=t["ags"].map(names).fillna(t["ags"]))
    of = "von" if lang == "de" else "of"
    fig = go.Figure(go.Bar(x=t["label"], y=t["share"] * 100, marker_color=P.OKABE_ITO[0],
                           customdata=np.c_[t["n"], t["n_straight"]],
                           hovertemplate="%{x}: %{y:.1f} % (%{customdata[1]} " + of + " n = %{customdata[0]})"
                           "<extra></extra>"))
    fig.update_yaxes(title=L.text("straight", lang), ticksuffix=" %")
    fig.update_xaxes(tickangle=-45)
    return P.layout_defaults(fig, lang, height=380)


# ---------------------------------------------------------------- 02 instrument
def likert_construct(results: Any, inst: Any, construct: str, lang: str = "de") -> go.Figure:
    """Diverging bars of the answers to every statement of one scale.

    Parameters
    ----------
    results : analysis.Results
        Uses ``likert`` (shares of valid answers per item and category).
    inst : surveys.instrument.Instrument
    construct : str
        Construct id; its label is the chart title.
    lang : {"de", "en"}

    Returns
    -------
    plotly.graph_objects.Figure
    """
    items = [i.code for i in inst.items_of(construct)]
    freq = _visible(_table(results, "likert"))
    if not _has(freq, "item", "code", "share"):
        return _empty(lang, results.config.min_n)
    freq = freq[freq["item"].isin(items) & freq["code"].notna() & freq["share"].notna()].copy()
    if freq.empty:
        return _empty(lang, results.config.min_n)
    scale = inst.scales[inst.construct(construct).scale]
    freq["code"] = freq["code"].astype(int)
    freq["n"] = freq.get("n_valid", pd.NA)
    labels = {i.code: i.label(lang) for i in inst.items_of(construct)}
    return P.likert_bars(
        freq, item="item", category="code", share="share", n="n", categories=list(scale.valid_codes),
        category_labels={o.code: o.label(lang) for o in scale.valid}, item_labels=labels, lang=lang,
        title=inst.construct(construct).label(lang),
    )


def reliability_forest(results: Any, inst: Any, lang: str = "de") -> go.Figure:
    """Cronbach's alpha (with Feldt CI) and McDonald's omega per scale, side by side.

    Alpha and omega are drawn slightly apart on each row, so that equal values never hide each
    other; the dotted line marks the usual 0.70.

    Parameters
    ----------
    results : analysis.Results
        Uses ``reliabilitaet``.
    inst : surveys.instrument.Instrument
    lang : {"de", "en"}

    Returns
    -------
    plotly.graph_objects.Figure
    """
    t = _visible(_table(results, "reliabilitaet"))
    if not _has(t, "raw_alpha"):
        return _empty(lang, results.config.min_n)
    t = t.reset_index(drop=True)
    for c in ("ci_low", "ci_high", "omega_total"):
        if c not in t:
            t[c] = np.nan
    labels = t["construct"].map(_construct_labels(inst, lang)).fillna(t["label"]) if "construct" in t else t["label"]
    pos = np.arange(len(t))
    off = P.offsets(2)
    fig = go.Figure()
    fig.add_scatter(x=t["raw_alpha"], y=pos + off[0], mode="markers", name=L.text("alpha", lang),
                    marker={"size": 11, "color": P.OKABE_ITO[0]}, customdata=labels,
                    error_x=P.ci_error_bars(t["raw_alpha"], t["ci_low"], t["ci_high"], color=P.OKABE_ITO[0]),
                    hovertemplate="%{customdata}: α = %{x:.2f}<extra></extra>")
    fig.add_scatter(x=t["omega_total"], y=pos + off[1], mode="markers", name=L.text("omega", lang),
                    marker={"size": 11, "symbol": "diamond", "color": P.OKABE_ITO[1]}, customdata=labels,
                    hovertemplate="%{customdata}: ω = %{x:.2f}<extra></extra>")
    fig.add_vline(x=0.7, line_dash="dot", line_color="#888888")
    fig.update_xaxes(range=[0, 1], title=L.text("alpha", lang) + " (95-%-KI) / " + L.text("omega", lang)
                     if lang == "de" else L.text("alpha", lang) + " (95 % CI) / " + L.text("omega", lang))
    fig.update_yaxes(autorange="reversed", automargin=True, tickvals=list(pos),
                     ticktext=[P.wrap_label(x, 30) for x in labels], zeroline=False)
    return P.layout_defaults(fig, lang, height=max(300, 60 * len(t) + 130))


def reliability_table(results: Any, inst: Any, lang: str = "de") -> tuple[pd.DataFrame, dict[str, str]]:
    """The reliability of each scale as a table (alpha, CI, lambda-6, average r, omega, mean, SD).

    Returns
    -------
    (DataFrame, dict)
        The table and its column headers from :mod:`reporting.labels`.
    """
    t = _table(results, "reliabilitaet")
    if "construct" in t:
        t = t.assign(label=t["construct"].map(_construct_labels(inst, lang)).fillna(t["label"]))
    cols = ["label", "k", "n", "raw_alpha", "ci_low", "ci_high", "std_alpha", "g6", "average_r", "omega_total",
            "mean", "sd"]
    return t, _headers(t, cols, lang, "reliabilitaet")


def item_table(results: Any, inst: Any, lang: str = "de") -> tuple[pd.DataFrame, dict[str, str]]:
    """Item analysis: wording, n, mean, SD, item-rest correlation and alpha without the item.

    Returns
    -------
    (DataFrame, dict)
    """
    t = _table(results, "itemanalyse")
    if "item" in t:
        t = t.assign(label=t["item"].map({i.code: i.label(lang) for i in inst.items}).fillna(t.get("label")))
    cols = ["item", "label", "n", "mean", "sd", "r.drop", "alpha_if_deleted"]
    return t, _headers(t, cols, lang, "itemanalyse")


def construct_widget(ctx: Any) -> None:  # pragma: no cover - needs a live kernel
    """Dropdown to pick a scale and see its answer distributions (JupyterLab only)."""
    _dropdown_widget([(c.label(ctx.lang), c.id) for c in ctx.instrument.constructs], L.text("scale", ctx.lang),
                     lambda c: likert_construct(ctx.results, ctx.instrument, c, ctx.lang))


# ---------------------------------------------------------------- 03 municipalities
def funnel(results: Any, inst: Any, construct: str, lang: str = "de", highlight: str | None = None) -> go.Figure:
    """Funnel plot of one scale: every municipality's mean against its number of answers.

    Parameters
    ----------
    results : analysis.Results
        Uses ``funnel`` (units) and ``funnel_grenzen`` (the limits over a grid of n).
    inst : surveys.instrument.Instrument
    construct : str
    lang : {"de", "en"}
    highlight : str, optional
        AGS of a municipality drawn with its name.

    Returns
    -------
    plotly.graph_objects.Figure
        Title names the scale and whether the limits allow for overdispersion.
    """
    u = _visible(_table(results, "funnel"))
    cv = _table(results, "funnel_grenzen")
    if not _has(u, "construct", "value", "target") or not _has(cv, "construct"):
        return _empty(lang, results.config.min_n)
    u = u[(u["construct"] == construct) & u["value"].notna()]
    cv = cv[cv["construct"] == construct]
    if u.empty or cv.empty:
        return _empty(lang, results.config.min_n)
    label = inst.construct(construct).label(lang)
    lv = {L.text("limit95", lang): ("lower_95", "upper_95"), L.text("limit998", lang): ("lower_99.8", "upper_99.8")}
    u = u.assign(flag_outside=u["outside_95"].astype(bool), label=u.get("name", u["ags"]).fillna(u["ags"]))
    if results.config.funnel_overdispersion:
        method = "Grenzen mit Überdispersion" if lang == "de" else "limits allowing for overdispersion"
    else:
        method = "Grenzen ohne Überdispersion" if lang == "de" else "limits without overdispersion"
    hl = None
    if highlight is not None:
        hit = u[u["ags"].astype(str) == str(highlight)]
        hl = str(hit["label"].iloc[0]) if len(hit) else None
    return P.funnel_plot(u, cv, value="value", n="n", label="label", target=float(u["target"].iloc[0]),
                         limit_cols=lv, flag="flag_outside", lang=lang, title=f"{label} ({method})",
                         y_title=P.wrap_label(label, 30), highlight=hl)


def agreement_panel(results: Any, inst: Any, lang: str = "de") -> go.Figure:
    """ICC(1) and ICC(2) per scale (left) and r*wg(j) per municipality (right).

    Parameters
    ----------
    results : analysis.Results
        Uses ``aggregation`` and ``uebereinstimmung``.
    inst : surveys.instrument.Instrument
    lang : {"de", "en"}

    Returns
    -------
    plotly.graph_objects.Figure
        Two panels; the legend sits below them, away from the panel titles.
    """
    agg = _visible(_table(results, "aggregation"))
    rw = _visible(_table(results, "uebereinstimmung"))
    agg = agg if _has(agg, "icc1") else agg.iloc[0:0]
    rw = rw if _has(rw, "construct", "rwg_star_j") else rw.iloc[0:0]
    if agg.empty and rw.empty:
        return _empty(lang, results.config.min_n)
    for c in ("icc2", "icc1_ci_low", "icc1_ci_high"):
        if c not in agg:
            agg = agg.assign(**{c: np.nan})
    labels = _construct_labels(inst, lang)
    fig = make_subplots(rows=1, cols=2, subplot_titles=(
        "ICC(1) und ICC(2) je Skala" if lang == "de" else "ICC(1) and ICC(2) per scale",
        "r*wg(j) je Kommune" if lang == "de" else "r*wg(j) per municipality"))
    xs = [P.wrap_label(labels.get(d, d), 16) for d in agg["dv"]] if "dv" in agg else agg.get("label", agg.index)
    fig.add_bar(x=xs, y=agg["icc1"], name="ICC(1)", marker_color=P.OKABE_ITO[0], row=1, col=1,
                error_y=P.ci_error_bars(agg["icc1"], agg["icc1_ci_low"], agg["icc1_ci_high"]))
    fig.add_bar(x=xs, y=agg["icc2"], name="ICC(2)", marker_color=P.OKABE_ITO[1], row=1, col=1)
    for j, (c, sub) in enumerate(rw.groupby("construct", sort=False)):
        fig.add_box(y=sub["rwg_star_j"], name=P.wrap_label(labels.get(c, c), 16), marker_color=P.OKABE_ITO[j % 8],
                    boxpoints="all", jitter=0.4, showlegend=False, row=1, col=2,
                    customdata=sub.get("name", sub["ags"]), hovertemplate="%{customdata}: %{y:.2f}<extra></extra>")
    fig.add_hline(y=0.7, line_dash="dot", line_color="#888888", row=1, col=2)
    fig.update_xaxes(tickangle=0, tickfont={"size": 10})
    fig.update_layout(barmode="group")
    return P.layout_defaults(fig, lang, height=500, legend="bottom")


def aggregation_table(results: Any, inst: Any, lang: str = "de") -> tuple[pd.DataFrame, dict[str, str]]:
    """May answers be summarised per municipality? ICC(1), ICC(2), design effect and agreement.

    Beside the share of municipalities with rwg(j) ≥ 0.70 the table shows the same share for the
    stricter r*wg(j), so that the two measures are read on the same footing.

    Returns
    -------
    (DataFrame, dict)
    """
    t = _table(results, "aggregation").copy()
    if t.empty:
        return t, {}
    t["label"] = t["dv"].map(_construct_labels(inst, lang)).fillna(t.get("label"))
    rw = _visible(_table(results, "uebereinstimmung"))
    if len(rw) and "rwg_star_j" in rw:
        share = rw.groupby("construct")["rwg_star_j"].apply(lambda s: float((s >= 0.70).mean()))
        t["share_rwg_star_70"] = t["dv"].map(share)
    for c in ("share_rwg_70", "share_rwg_star_70"):
        if c in t:
            t[c] = (t[c] * 100).map(lambda v: "–" if pd.isna(v) else f"{fmt_number(v, 0, lang)} %")
    heads = _headers(t, ["label", "n_groups", "icc1", "icc2", "icc_reml", "design_effect", "rwg_j_median",
                         "share_rwg_70", "rwg_star_j_median"], lang, "aggregation")
    heads["share_rwg_70"] = "Anteil Kommunen mit rwg(j) ≥ 0,70" if lang == "de" else "Municipalities with rwg(j) ≥ 0.70"
    if "share_rwg_star_70" in t:
        heads["share_rwg_star_70"] = ("Anteil Kommunen mit r*wg(j) ≥ 0,70" if lang == "de"
                                      else "Municipalities with r*wg(j) ≥ 0.70")
    return t, heads


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


def _group_order(results: Any, by: str) -> dict[str, int]:
    """Natural order of the groups of ``by``: size classes by their smallest population."""
    o = _table(results, "kommunen_uebersicht")
    if by == "size_class" and {"size_class", "population"} <= set(o.columns):
        first = o.groupby("size_class")["population"].min().sort_values()
        return {str(g): i for i, g in enumerate(first.index)}
    return {}


def comparison(results: Any, inst: Any, by: str, lang: str = "de") -> go.Figure:
    """Mean of the municipality means of every scale by size class, district or funding cohort.

    Parameters
    ----------
    results : analysis.Results
        Uses ``kommunen``; groups with a single municipality are left out.
    inst : surveys.instrument.Instrument
    by : {"size_class", "district", "cohort"}
    lang : {"de", "en"}

    Returns
    -------
    plotly.graph_objects.Figure
        t-intervals over the municipality means (:func:`_mean_of_municipality_means`).
    """
    k = _visible(_table(results, "kommunen"))
    if not _has(k, by, "variable", "mean"):
        return _empty(lang, results.config.min_n)
    labels = _construct_labels(inst, lang)
    grp = _mean_of_municipality_means(k, [by, "variable"], _FIGURE_CI)
    grp["n"] = grp["count"]
    grp["construct"] = grp["variable"].map(labels)
    grp = grp[grp["count"] >= 2]
    if grp.empty:
        return _empty(lang, results.config.min_n)
    order = {c.id: i for i, c in enumerate(inst.constructs)}
    rank = _group_order(results, by)
    grp = grp.assign(_g=grp[by].map(rank).fillna(len(rank)), _c=grp["variable"].map(order)).sort_values(
        ["_g", by, "_c"]).drop(columns=["_g", "_c"])
    name = L.value("by", by, lang)
    return P.means_with_ci(grp, x=by, color="construct", n="n", x_title=name, lang=lang,
                           y_title=L.text("mean_munis", lang), n_label=L.text("municipalities_n", lang),
                           title=name, legend="bottom")


def comparison_tests(results: Any, inst: Any, lang: str = "de") -> tuple[pd.DataFrame, dict[str, str]]:
    """Welch ANOVA of every scale by size class, district and cohort, with effect sizes.

    Returns
    -------
    (DataFrame, dict)
    """
    if "vergleich_omnibus" not in results:
        return pd.DataFrame(), {}
    t = _table(results, "vergleich_omnibus").copy()
    t["by"] = t["by"].map(lambda b: L.value("by", b, lang))
    t["dv"] = t["dv"].map(_construct_labels(inst, lang)).fillna(t["dv"])
    if "test" in t:
        t["test"] = t["test"].map(lambda x: L.value("test", x, lang))
    heads = _headers(t, ["by", "dv", "test", "F", "df1", "df2", "p_unc", "eta2", "omega2", "n"], lang)
    return t, heads


def profiles_small_multiples(results: Any, inst: Any, lang: str = "de", max_panels: int = 16) -> go.Figure:
    """Small multiples: the profile of up to 16 municipalities against the state, one panel each.

    Returns
    -------
    plotly.graph_objects.Figure
        A note names how many further municipalities have their own profile page.
    """
    k = _visible(_table(results, "kommunen"))
    if not _has(k, "ags", "variable", "mean"):
        return _empty(lang, results.config.min_n)
    k = k[k["mean"].notna()]
    munis = list(dict.fromkeys(k["ags"]))[:max_panels]
    labels = _construct_labels(inst, lang)
    order = [c.id for c in inst.constructs]
    state = k.groupby("variable")["mean"].mean()
    cols = 4
    rows = int(np.ceil(len(munis) / cols))
    names = _names(results)
    ylab = [P.wrap_label(labels[o], 22) for o in order]
    fig = make_subplots(rows=rows, cols=cols, shared_xaxes=True, shared_yaxes=True,
                        subplot_titles=[names.get(a, a) for a in munis], vertical_spacing=0.12 / max(rows, 1) + 0.04)
    for j, a in enumerate(munis):
        sub = k[k["ags"] == a].set_index("variable").reindex(order)
        r, c = divmod(j, cols)
        fig.add_scatter(x=sub["mean"], y=ylab, mode="markers", row=r + 1, col=c + 1,
                        marker={"color": P.OKABE_ITO[0], "size": 8}, showlegend=j == 0, legendgroup="m",
                        name=L.text("municipality", lang),
                        error_x=P.ci_error_bars(sub["mean"], sub["ci_low"], sub["ci_high"]),
                        hovertemplate="%{y}: %{x:.2f}<extra></extra>")
        fig.add_scatter(x=state.reindex(order), y=ylab, mode="markers", row=r + 1, col=c + 1,
                        marker={"color": P.OKABE_ITO[1], "symbol": "line-ns-open", "size": 12}, showlegend=j == 0,
                        legendgroup="s", name=L.text("state", lang), hoverinfo="skip")
    fig.update_xaxes(range=[1, 5])
    fig.update_yaxes(tickfont={"size": 10})
    n_more = len(dict.fromkeys(k["ags"])) - max_panels
    if n_more > 0:
        fig.add_annotation(text=L.text("more_munis", lang, k=n_more), x=1, y=1.0, xref="paper", yref="paper",
                           yanchor="bottom", showarrow=False)
    return P.layout_defaults(fig, lang, height=250 * rows + 100, legend="bottom")


def municipality_widget(ctx: Any) -> None:  # pragma: no cover - needs a live kernel
    """Dropdown: funnel plot of a chosen scale (JupyterLab only)."""
    _dropdown_widget([(c.label(ctx.lang), c.id) for c in ctx.instrument.constructs], L.text("scale", ctx.lang),
                     lambda c: funnel(ctx.results, ctx.instrument, c, ctx.lang))


# ---------------------------------------------------------------- 04 commitment vs structures
def commitment_scatter(results: Any, inst: Any, lang: str = "de") -> go.Figure:
    """Municipal commitment against the strength of the support structures, coloured by survey type.

    The default view of notebook 04's explorer (:func:`reporting.explore.explore_view`) built
    from the results alone: one marker per municipality, sized by its number of respondents.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    t = _visible(_table(results, "typologie"))
    if not _has(t, "mean_municipal", "mean_structure", "ags"):
        return _empty(lang, results.config.min_n)
    t = t.dropna(subset=["mean_municipal", "mean_structure"])
    if t.empty:
        return _empty(lang, results.config.min_n)
    tcol = "type" if lang == "de" or "type_en" not in t else "type_en"
    n_cols = [c for c in ("n_municipal", "n_civil") if c in t]
    t = t.assign(n=t[n_cols].min(axis=1) if n_cols else 1, label=t.get("name", t["ags"]))
    if "mean_civil" not in t:
        t = t.assign(mean_civil=np.nan)
    if tcol not in t:
        t = t.assign(**{tcol: L.text("no_data", lang)})
    thr = float(t["threshold_municipal"].iloc[0]) if "threshold_municipal" in t else 3.0
    return P.commitment_scatter(
        t, x="mean_municipal", y="mean_structure", color=tcol, size="n", structure="mean_civil", label="label",
        threshold=thr, threshold_y=None, x_title=_role_label(inst, "municipal_commitment", lang),
        y_title=_role_label(inst, "structure", lang), structure_title=_role_label(inst, "civil_commitment", lang),
        category_order=list(dict.fromkeys(t[tcol])), lang=lang,
    )


def structure_by_type(results: Any, inst: Any, lang: str = "de") -> go.Figure:
    """Structure strength (mean of municipality means, 95 % CI) by type from the survey and from the facts.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    t = _visible(_table(results, "struktur_nach_typ"))
    if not _has(t, "typology", "type", "mean", "ci_low"):
        return _empty(lang, results.config.min_n)
    t = t[t["typology"].isin(["Befragung", "Kommunendaten"])].dropna(subset=["ci_low"])
    if t.empty:
        return _empty(lang, results.config.min_n)
    tcol = "type" if lang == "de" or "type_en" not in t else "type_en"
    t = t.assign(n=t["n_municipalities"], typ=t["typology"].map(lambda x: L.value("typology", x, lang)))
    return P.means_with_ci(t, x=tcol, color="typ", n="n", x_title=L.text("type", lang),
                           n_label=L.text("municipalities_n", lang), y_title=L.text("mean_munis", lang),
                           lang=lang, title=L.text("structure", lang))


def structure_by_facts(results: Any, inst: Any, lang: str = "de") -> go.Figure:
    """Structure strength with and without each municipality fact (council resolution, mayor, contact, rooms).

    Returns
    -------
    plotly.graph_objects.Figure
    """
    t = _visible(_table(results, "struktur_nach_typ"))
    facts = list(L.VALUES["fact"])
    if not _has(t, "typology", "type", "mean", "ci_low"):
        return _empty(lang, results.config.min_n)
    t = t[t["typology"].isin(facts)].dropna(subset=["ci_low"])
    if t.empty:
        return _empty(lang, results.config.min_n)
    t = t.assign(fact=t["typology"].map(lambda x: L.value("fact", x, lang)), n=t["n_municipalities"],
                 answer=t["type"].map(lambda x: L.value("yesno", x, lang)))
    return P.means_with_ci(t, x="fact", color="answer", n="n", x_title=" ", n_label=L.text("municipalities_n", lang),
                           y_title=L.text("mean_munis", lang), lang=lang, title=L.text("structure", lang))


def type_tests_table(results: Any, lang: str = "de") -> tuple[pd.DataFrame, dict[str, str]]:
    """Welch ANOVA of structure strength across the types of each typology (municipality level).

    Returns
    -------
    (DataFrame, dict)
    """
    t = _table(results, "struktur_typ_tests")
    if t.empty:
        return t, {}
    t = t[t["kind"] == "omnibus"].copy() if "kind" in t else t.copy()
    t["typology"] = t["typology"].map(lambda x: L.value("typology", x, lang))
    if "test" in t:
        t["test"] = t["test"].map(lambda x: L.value("test", x, lang))
    return t, _headers(t, ["typology", "test", "F", "df1", "df2", "p_unc", "eta2", "n"], lang, "struktur_typ_tests")


def term_labels(inst: Any, lang: str, terms: list[str] | None = None) -> dict[str, str]:
    """Readable names of model terms: scales, their interaction and roles (with the reference role).

    Parameters
    ----------
    inst : surveys.instrument.Instrument
    lang : {"de", "en"}
    terms : list of str, optional
        The model's terms; the role missing among them is the reference and is named.

    Returns
    -------
    dict of str -> str
    """
    roles = _role_labels(inst, lang)
    centred = L.text("centred", lang)
    out = {c.id: c.label(lang) for c in inst.constructs}
    m, z = role_construct(inst, "municipal_commitment"), role_construct(inst, "civil_commitment")
    if m is not None and z is not None:
        out.update({m: inst.construct(m).label(lang) + centred, z: inst.construct(z).label(lang) + centred,
                    f"{m}:{z}": L.text("interaction", lang)})
    in_model = {t[len("C(role)[T."):-1] for t in (terms or []) if t.startswith("C(role)[T.")}
    candidates = sorted(set(roles) - in_model)
    reference = candidates[0] if candidates and (not in_model or candidates[0] < min(in_model)) else None
    suffix = (" " + ("(im Vergleich mit: " if lang == "de" else "(compared with: ") + roles[reference] + ")"
              ) if reference else ""
    for k, v in roles.items():
        out[f"C(role)[T.{k}]"] = L.text("role_prefix", lang) + v + suffix
    return out


def model_coefficients(results: Any, inst: Any, lang: str = "de") -> go.Figure:
    """Fixed effects of the multilevel model with 95 % CIs (intercept left out), terms in words.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    m = _table(results, "modell")
    if not _has(m, "term", "estimate"):
        return _empty(lang, results.config.min_n)
    m = m.assign(_role=m["term"].astype(str).str.startswith("C(")).sort_values("_role", kind="stable").drop(columns="_role")
    return P.coefficient_plot(m, term_labels=term_labels(inst, lang, list(m["term"])), lang=lang)


def model_text(results: Any, lang: str = "de") -> str:
    """The multilevel model's key figures in plain words (ICC, τ², σ², R², n).

    Returns
    -------
    str
        Markdown ("" when the model was not fitted).
    """
    if "modell_kennwerte" not in results:
        return ""
    s = dict(zip(results["modell_kennwerte"]["statistic"], results["modell_kennwerte"]["value"]))
    n_obs = fmt_number(s.get("n_obs", 0), 0, lang, count=True)
    n_groups = fmt_number(s.get("n_groups", 0), 0, lang, count=True)
    if lang == "de":
        return (
            f"Von den Unterschieden, die das Modell nicht erklärt, liegen **{fmt_number(s.get('icc', np.nan) * 100, 0, lang)} %** "
            f"zwischen den Kommunen (ICC; τ² = {fmt_number(s.get('tau2'), 3, lang)} zwischen, σ² = "
            f"{fmt_number(s.get('sigma2'), 3, lang)} innerhalb der Kommunen). Engagement und Rolle erklären "
            f"{fmt_number(s.get('r2_marginal', np.nan) * 100, 0, lang)} % der Unterschiede (R² marginal), zusammen mit "
            f"den Kommunen {fmt_number(s.get('r2_conditional', np.nan) * 100, 0, lang)} % (R² konditional; Nakagawa & "
            f"Schielzeth 2013). Grundlage: {n_obs} Befragte in {n_groups} Kommunen. Die Koeffizienten beschreiben "
            "Zusammenhänge, keine Wirkungen."
        )
    return (
        f"Of the differences the model leaves unexplained, **{fmt_number(s.get('icc', np.nan) * 100, 0, lang)} %** lie "
        f"between municipalities (ICC; τ² = {fmt_number(s.get('tau2'), 3, lang)} between, σ² = "
        f"{fmt_number(s.get('sigma2'), 3, lang)} within). Commitment and role explain "
        f"{fmt_number(s.get('r2_marginal', np.nan) * 100, 0, lang)} % of the differences (marginal R²), with the "
        f"municipalities {fmt_number(s.get('r2_conditional', np.nan) * 100, 0, lang)} % (conditional R²; Nakagawa & "
        f"Schielzeth 2013). Based on {n_obs} respondents in {n_groups} municipalities. The coefficients describe "
        "associations, not effects."
    )


def hypotheses_text(results: Any, lang: str = "de") -> str:
    """Each Baustein statement as a hypothesis with its verdict and a plain sentence (Markdown list).

    Returns
    -------
    str
    """
    if "hypothesen" not in results:
        return ""
    h = results["hypothesen"]
    col = "sentence_de" if lang == "de" else "sentence_en"
    stmt = "statement_de" if lang == "de" else "statement_en"
    lines = []
    for r in h.itertuples():
        verdict = r.verdict_de if lang == "de" and hasattr(r, "verdict_de") else L.value(
            "verdict", getattr(r, "verdict", ""), lang)
        q = f"„{getattr(r, stmt)}“" if lang == "de" else f"“{getattr(r, stmt)}”"
        lines.append(f"- **{r.hypothesis}** {q} — *{verdict}*: {getattr(r, col)}")
    return "\n".join(lines)


def hypotheses_table(results: Any, lang: str = "de", inst: Any = None) -> tuple[pd.DataFrame, dict[str, str]]:
    """The hypotheses' estimates, intervals, p values, effect sizes and verdicts as a table.

    Parameters
    ----------
    results : analysis.Results
    lang : {"de", "en"}
    inst : surveys.instrument.Instrument, optional
        When given, raw names in the operationalisation become labels (:func:`readable`).

    Returns
    -------
    (DataFrame, dict)
    """
    h = _table(results, "hypothesen")
    if h.empty:
        return h, {}
    h = h.copy()
    if inst is not None and "operationalisation" in h:
        h["operationalisation"] = h["operationalisation"].map(lambda s: readable(s, inst, lang))
    if lang != "de" and "verdict" in h:
        h["verdict"] = h["verdict"].map(lambda v: L.value("verdict", v, lang))
    cols = ["hypothesis", "operationalisation", "estimate", "ci_low", "ci_high", "p", "effect_size",
            "n_municipalities", "verdict_de" if lang == "de" else "verdict"]
    return h, _headers(h, cols, lang, "hypothesen")


# ---------------------------------------------------------------- 05 profile
def pick_municipality(results: Any, ags: str | None) -> str:
    """The AGS to show: the one given (padded to 8 digits) or the first with enough answers.

    Raises
    ------
    core.errors.ReportError
        When no municipality has enough answers for a profile (``no_profile``).
    """
    o = _visible(_table(results, "kommunen_uebersicht"))
    if ags is None:
        if o.empty or "ags" not in o:
            from .messages import report_error

            raise report_error("no_profile", min_n=results.config.min_n)
        return str(o["ags"].iloc[0])
    return str(ags).zfill(8)


def profile_header(ctx: Any, ags: str) -> str:
    """Heading of a profile: name, AGS, district, size class, cohort and number of respondents.

    Returns
    -------
    str
        Markdown; the small-cell note instead when the municipality has too few answers.
    """
    row = _of(_table(ctx.results, "kommunen_uebersicht"), ags)
    if row.empty or bool(suppressed_mask(row).iloc[0]):
        return L.text("too_small", ctx.lang, k=ctx.min_n)
    r = row.iloc[0]
    facts = [fact_label(c, r[c], ctx.lang) for c in ("district", "size_class", "cohort") if c in r]
    wave = ctx.results.meta.get("wave")
    n = L.text("respondents_n", ctx.lang, n=fmt_number(r["n"], 0, ctx.lang, count=True))
    wtxt = f" ({L.text('wave', ctx.lang)} {wave})" if wave not in (None, "") else ""
    line = " · ".join([f for f in facts if f] + [f"**{n}{wtxt}**"])
    name = r.get("name", ags)
    return f"## {name} ({ags})\n\n{line}" if name != ags else f"## {ags}\n\n{line}"


def fact_label(column: str, value: Any, lang: str = "de") -> str:
    """A municipality fact as the profile header shows it: the cohort and size class say what they are.

    >>> fact_label("cohort", "2024"), fact_label("cohort", "nicht gefördert"), fact_label("size_class", None)
    ('Förderkohorte 2024', 'nicht gefördert', '')
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)) or not str(value).strip():
        return ""
    v = str(value).strip()
    if column == "cohort":
        if "gefördert" in v.lower() or "funded" in v.lower():
            return v
        return f"{L.header('cohort', lang)} {v}"
    if column == "size_class":
        return f"{v} {'Einwohner' if lang == 'de' else 'inhabitants'}"
    return v


def profile_vs_state(results: Any, inst: Any, ags: str, lang: str = "de") -> go.Figure:
    """The municipality's mean on every scale (95 % CI) beside the state (mean of municipality means).

    Returns
    -------
    plotly.graph_objects.Figure
    """
    k = _table(results, "kommunen")
    mine = _visible(_of(k, ags))
    if not _has(mine, "variable", "mean"):
        return _empty(lang, results.config.min_n)
    mine = mine[mine["mean"].notna()]
    state = _mean_of_municipality_means(_visible(k), ["variable"], _FIGURE_CI, sort=False)
    state = state.assign(group=L.text("state", lang))
    name = str(mine["name"].iloc[0]) if "name" in mine else ags
    tab = pd.concat([mine.assign(group=name)[["variable", "mean", "ci_low", "ci_high", "group"]],
                     state[["variable", "mean", "ci_low", "ci_high", "group"]]], ignore_index=True)
    return P.profile_plot(tab, dimension="variable", mean="mean", lo="ci_low", hi="ci_high", group="group",
                          dimension_labels=_construct_labels(inst, lang), lang=lang)


def perspective_gaps(results: Any, inst: Any, ags: str, lang: str = "de", gaps: pd.DataFrame | None = None) -> go.Figure:
    """How differently administration/politics and civil society answer, per scale, with 95 % CIs.

    Parameters
    ----------
    results : analysis.Results
        Uses the pooled gap of ``perspektiven`` (municipal commitment) as the state reference.
    inst : surveys.instrument.Instrument
    ags : str
    lang : {"de", "en"}
    gaps : DataFrame, optional
        The municipality's gap per scale (:class:`reporting.profile_data.ProfileData`); without
        it only municipal commitment from ``perspektiven`` is shown.

    Returns
    -------
    plotly.graph_objects.Figure
        Suppressed scales (too few answers on one side) are left out (:func:`perspective_note`).
    """
    labels = _construct_labels(inst, lang)
    if gaps is None:
        p = _table(results, "perspektiven")
        m = role_construct(inst, "municipal_commitment")
        gaps = _of(p, ags).assign(construct=m) if len(p) else pd.DataFrame()
    gaps = with_ci_columns(gaps) if len(gaps) else pd.DataFrame(columns=["construct", "gap", "ci_low", "ci_high"])
    vis = _visible(gaps).dropna(subset=["gap"]) if "gap" in gaps else gaps
    rows = [{"term": labels.get(r.construct, r.construct), "estimate": float(r.gap), "ci_low": float(r.ci_low),
             "ci_high": float(r.ci_high)} for r in vis.itertuples()]
    p = _table(results, "perspektiven")
    pooled = p[p["level"] != "municipality"] if "level" in p else p.iloc[0:0]
    if len(pooled) and "gap" in pooled and pd.notna(pooled["gap"].iloc[0]):
        rows.append({"term": f"{_role_label(inst, 'municipal_commitment', lang)}: {L.text('all_pooled', lang)}",
                     "estimate": float(pooled["gap"].iloc[0]), "ci_low": float(pooled["ci_low"].iloc[0]),
                     "ci_high": float(pooled["ci_high"].iloc[0])})
    if not rows:
        return _empty(lang, results.config.min_n)
    title = L.text("gap_title", lang)
    return P.coefficient_plot(pd.DataFrame(rows), drop=(), lang=lang, title=title, wrap=40, x_title=L.text("gap", lang))


def perspective_note(gaps: pd.DataFrame | None, min_n: int, lang: str = "de") -> str:
    """A sentence naming that scales are missing from the role-gap chart ("" when none is)."""
    if gaps is None or gaps.empty or "suppressed" not in gaps or not gaps["suppressed"].astype(bool).any():
        return ""
    return L.text("gap_missing", lang, k=min_n)


def wave_change(results: Any, inst: Any, ags: str, lang: str = "de") -> go.Figure:
    """Change of every scale between the last two waves (95 % CI) for one municipality.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    w = _table(results, "wellen")
    mine = _visible(_of(w, ags))
    if not _has(mine, "construct", "change"):
        return _empty(lang, results.config.min_n)
    mine = mine[mine["change"].notna()]
    labels = _construct_labels(inst, lang)
    tab = mine.assign(term=mine["construct"].map(labels), estimate=mine["change"])
    wave = L.text("wave", lang)
    return P.coefficient_plot(tab[["term", "estimate", "ci_low", "ci_high"]], drop=(), lang=lang,
                              title=f"{wave} {mine['wave_from'].iloc[0]} → {wave} {mine['wave_to'].iloc[0]}",
                              x_title=L.text("change", lang))


def funnel_positions(results: Any, inst: Any, ags: str, lang: str = "de") -> go.Figure:
    """The municipality's place in every funnel plot: its mean within the ranges of chance.

    Returns
    -------
    plotly.graph_objects.Figure
        Grey bands for the 95 % and 99.8 % ranges around the state mean, the mean as a dot.
    """
    u = _table(results, "funnel")
    mine = _visible(_of(u, ags))
    if not _has(mine, "construct", "value", "target", "lower_95", "upper_95", "lower_99.8", "upper_99.8"):
        return _empty(lang, results.config.min_n)
    mine = mine[mine["value"].notna()]
    labels = _construct_labels(inst, lang)
    fig = go.Figure()
    y = mine["construct"].map(lambda c: P.wrap_label(labels.get(c, c), 32))
    for lo, hi, col, key in (("lower_99.8", "upper_99.8", "#dddddd", "band998"), ("lower_95", "upper_95", "#aaaaaa",
                                                                                   "band95")):
        fig.add_bar(y=y, x=mine[hi] - mine[lo], base=mine[lo], orientation="h", marker_color=col,
                    name=L.text(key, lang), hoverinfo="skip")
    fig.add_scatter(y=y, x=mine["target"], mode="markers", marker={"symbol": "line-ns-open", "size": 18,
                                                                   "color": "black"}, name=L.text("target", lang))
    fig.add_scatter(y=y, x=mine["value"], mode="markers", marker={"size": 12, "color": P.OKABE_ITO[5]},
                    name=str(mine["name"].iloc[0]) if "name" in mine else ags,
                    hovertemplate="%{y}: %{x:.2f}<extra></extra>")
    fig.update_layout(barmode="overlay")
    fig.update_xaxes(range=[1, 5], title=L.text("mean_short", lang))
    fig.update_yaxes(autorange="reversed", automargin=True)
    return P.layout_defaults(fig, lang, height=max(300, 60 * len(mine) + 130))


def key_figures(results: Any, inst: Any, lang: str = "de") -> dict[str, go.Figure]:
    """The charts exported as PNG/PDF for pasting into a written report, by file name.

    Returns
    -------
    dict of str -> plotly.graph_objects.Figure
    """
    figs = {
        "engagement_strukturen": commitment_scatter(results, inst, lang),
        "strukturen_nach_typ": structure_by_type(results, inst, lang),
        "modell_koeffizienten": model_coefficients(results, inst, lang),
        "reliabilitaet": reliability_forest(results, inst, lang),
    }
    structure = role_construct(inst, "structure")
    if structure is not None:
        figs["funnel_strukturen"] = funnel(results, inst, structure, lang)
    return figs
