"""Plotly figures for survey reports, built from the tidy result tables of :mod:`analysis`.

Every function takes a tidy DataFrame plus column names and returns a ``plotly.graph_objects.Figure``;
nothing here computes a statistic (the tables carry them) and nothing is shown or written.
Conventions (good survey-reporting practice):

* uncertainty is always drawn (CIs, funnel limits);
* funnel plots instead of league tables (Spiegelhalter 2005);
* colour-blind-safe palettes (Okabe & Ito 2008 for categories, ColorBrewer RdBu for Likert);
* German number formatting (decimal comma) with ``lang="de"``;
* axis labels in words, never item codes.

Example
-------
>>> import pandas as pd
>>> fixed = pd.DataFrame({"term": ["a", "b"], "estimate": [0.4, -0.1],
...                       "ci_low": [0.2, -0.3], "ci_high": [0.6, 0.1]})
>>> fig = coefficient_plot(fixed)
>>> len(fig.data)
1
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

__all__ = [
    "LIKERT_COLORS",
    "OKABE_ITO",
    "ci_error_bars",
    "coefficient_plot",
    "commitment_scatter",
    "funnel_plot",
    "layout_defaults",
    "likert_bars",
    "means_with_ci",
    "profile_plot",
]

#: Okabe & Ito (2008) colour-blind-safe qualitative palette (black left out).
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999")
#: ColorBrewer RdBu (5 classes, colour-blind safe) with a grey neutral category.
LIKERT_COLORS = ("#ca0020", "#f4a582", "#bababa", "#92c5de", "#0571b0")

_TEXT = {
    "de": {
        "share": "Anteil der Antworten",
        "n": "Anzahl Antworten (n)",
        "target": "Landesmittel",
        "limit95": "95-%-Grenzen",
        "limit998": "99,8-%-Grenzen",
        "estimate": "Geschätzter Effekt (Punkte, 95-%-KI)",
        "mean": "Mittelwert (95-%-KI)",
        "outside": "außerhalb 95 %",
        "inside": "innerhalb",
    },
    "en": {
        "share": "Share of answers",
        "n": "Number of answers (n)",
        "target": "State mean",
        "limit95": "95 % limits",
        "limit998": "99.8 % limits",
        "estimate": "Estimated effect (points, 95 % CI)",
        "mean": "Mean (95 % CI)",
        "outside": "outside 95 %",
        "inside": "inside",
    },
}


def _t(lang: str, key: str) -> str:
    return _TEXT["de" if lang == "de" else "en"][key]


def layout_defaults(fig: go.Figure, lang: str = "de", title: str | None = None, height: int | None = None) -> go.Figure:
    """Apply the house style: white template, decimal comma in German, readable fonts."""
    fig.update_layout(
        template="plotly_white",
        separators=",." if lang == "de" else ".,",
        font={"family": "Arial, Helvetica, sans-serif", "size": 13},
        margin={"l": 10, "r": 10, "t": 60 if title else 30, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
    )
    if title:
        fig.update_layout(title={"text": title, "x": 0, "xanchor": "left"})
    if height:
        fig.update_layout(height=height)
    return fig


def ci_error_bars(estimate: Any, lo: Any, hi: Any, **style: Any) -> dict[str, Any]:
    """Plotly ``error_x``/``error_y`` spec drawing the interval [lo, hi] around ``estimate``.

    Asymmetric whiskers of length hi − estimate (up/right) and estimate − lo (down/left), computed
    with pandas alignment and passed on as arrays; ``style`` adds e.g. ``color``.
    """
    up, down = hi - estimate, estimate - lo
    return {"type": "data", "symmetric": False, "array": getattr(up, "to_numpy", lambda: up)(),
            "arrayminus": getattr(down, "to_numpy", lambda: down)(), **style}


def likert_bars(
    freq: pd.DataFrame,
    item: str = "item",
    category: str = "category",
    share: str = "share",
    n: str | None = "n",
    categories: Sequence[Any] | None = None,
    category_labels: Mapping[Any, str] | None = None,
    item_labels: Mapping[str, str] | None = None,
    lang: str = "de",
    title: str | None = None,
    sort: bool = True,
) -> go.Figure:
    """Diverging stacked bars centred on the neutral category (Robbins & Heiberger 2011).

    Disagreement goes left, agreement right, the middle category of an odd scale is split
    half and half around zero. Bars are drawn with explicit ``base`` offsets, so the order of the
    categories can never be shuffled by plotly's stacking (the pitfall of ``barmode="relative"``).

    Parameters
    ----------
    freq : pandas.DataFrame
        Long table: one row per item and substantive category, with the share (0–1) of valid answers.
    item, category, share, n : str
        Column names; ``n`` (valid answers per item) is shown in the axis label when given.
    categories : sequence, optional
        Category codes in scale order (lowest agreement first); default: sorted unique values.
    category_labels, item_labels : mapping, optional
        Legend labels of the categories and axis labels of the items (words, not codes).
    sort : bool
        Sort items by net agreement (agree minus disagree).
    """
    cats = list(categories) if categories is not None else sorted(freq[category].dropna().unique())
    wide = freq.pivot_table(index=item, columns=category, values=share, aggfunc="sum", observed=False)
    wide = wide.reindex(columns=cats).fillna(0.0) * 100
    k = len(cats)
    mid = k // 2
    neg = wide.iloc[:, :mid].sum(axis=1)
    pos = wide.iloc[:, k - mid :].sum(axis=1)
    if sort:
        wide = wide.loc[(pos - neg).sort_values().index]
    base = -(wide.iloc[:, :mid].sum(axis=1) + (wide.iloc[:, mid] / 2 if k % 2 else 0))
    labels_y = [item_labels.get(i, str(i)) if item_labels else str(i) for i in wide.index]
    if n is not None and n in freq.columns:
        nn = freq.groupby(item, observed=True)[n].max()
        labels_y = [f"{lab} (n={int(nn.get(i, 0))})" for lab, i in zip(labels_y, wide.index)]
    colors = LIKERT_COLORS if k == 5 else _interpolate_colors(k)
    fig = go.Figure()
    for j, c in enumerate(cats):
        name = category_labels.get(c, str(c)) if category_labels else str(c)
        fig.add_bar(
            y=labels_y,
            x=wide[c].to_numpy(),
            base=base.to_numpy(),
            orientation="h",
            name=name,
            marker_color=colors[j],
            legendrank=j,
            hovertemplate="%{y}<br>" + name + ": %{x:.1f} %<extra></extra>",
        )
        base = base + wide[c]
    fig.add_vline(x=0, line_color="black", line_width=1)
    fig.update_layout(barmode="overlay", legend_traceorder="normal")
    fig.update_xaxes(range=[-100, 100], ticksuffix=" %", title=_t(lang, "share"))
    fig.update_yaxes(automargin=True)
    return layout_defaults(fig, lang, title, height=max(300, 40 * len(wide) + 120))


def _interpolate_colors(k: int) -> list[str]:
    import plotly.colors as pc

    return pc.sample_colorscale("RdBu", [i / max(k - 1, 1) for i in range(k)])


def funnel_plot(
    units: pd.DataFrame,
    curve: pd.DataFrame,
    value: str = "value",
    n: str = "n",
    label: str = "label",
    target: float | None = None,
    curve_n: str = "n",
    limit_cols: Mapping[str, tuple[str, str]] | None = None,
    flag: str | None = None,
    hover_cols: Sequence[str] = (),
    lang: str = "de",
    title: str | None = None,
    y_title: str | None = None,
) -> go.Figure:
    """Funnel plot: each municipality's value against its n, with control limits (Spiegelhalter 2005).

    Parameters
    ----------
    units : pandas.DataFrame
        One row per municipality with the value, n and a label (name); optional ``flag`` column
        (True = outside the 95 % limits) and extra ``hover_cols`` (e.g. CI bounds).
    curve : pandas.DataFrame
        Limits over a grid of n (``curve_n``) with lower/upper columns per level.
    limit_cols : mapping
        Level name -> (lower column, upper column), e.g. ``{"95 %": ("lo95", "hi95")}``.
    target : float
        The centre line (e.g. the pooled state mean).
    """
    limit_cols = limit_cols or {}
    fig = go.Figure()
    dashes = ["dash", "dot", "dashdot"]
    for j, (lvl, (lo, hi)) in enumerate(limit_cols.items()):
        for s, col in enumerate((lo, hi)):
            fig.add_scatter(
                x=curve[curve_n],
                y=curve[col],
                mode="lines",
                line={"color": "#666666", "dash": dashes[j % 3], "width": 1},
                name=lvl,
                legendgroup=lvl,
                showlegend=s == 0,
                hoverinfo="skip",
            )
    if target is not None:
        fig.add_hline(y=target, line_color="#222222", line_width=1, annotation_text=_t(lang, "target"))
    custom = units[[label, *hover_cols]].astype(object).to_numpy()
    hover = "<b>%{customdata[0]}</b><br>n = %{x}<br>%{y:.2f}"
    for k, col in enumerate(hover_cols, start=1):
        hover += f"<br>{col}: %{{customdata[{k}]}}"
    colors = np.where(units[flag].fillna(False).astype(bool), OKABE_ITO[5], OKABE_ITO[0]) if flag else OKABE_ITO[0]
    fig.add_scatter(
        x=units[n],
        y=units[value],
        mode="markers",
        marker={"color": colors, "size": 9, "line": {"width": 0.5, "color": "white"}},
        customdata=custom,
        hovertemplate=hover + "<extra></extra>",
        name="Kommunen" if lang == "de" else "Municipalities",
    )
    fig.update_xaxes(title=_t(lang, "n"), rangemode="tozero")
    fig.update_yaxes(title=y_title or value)
    return layout_defaults(fig, lang, title, height=450)


def coefficient_plot(
    fixed: pd.DataFrame,
    term: str = "term",
    estimate: str = "estimate",
    lo: str = "ci_low",
    hi: str = "ci_high",
    term_labels: Mapping[str, str] | None = None,
    drop: Sequence[str] = ("Intercept",),
    lang: str = "de",
    title: str | None = None,
) -> go.Figure:
    """Coefficient plot: point estimates with CI bars, a reference line at zero."""
    tab = fixed[~fixed[term].isin(drop)].iloc[::-1]
    labels = [term_labels.get(t, t) if term_labels else t for t in tab[term]]
    fig = go.Figure(
        go.Scatter(
            x=tab[estimate],
            y=labels,
            mode="markers",
            marker={"color": OKABE_ITO[0], "size": 10},
            error_x=ci_error_bars(tab[estimate], tab[lo], tab[hi], color=OKABE_ITO[0]),
            customdata=np.c_[tab[lo].to_numpy(), tab[hi].to_numpy()],
            hovertemplate="%{y}: %{x:.2f} [%{customdata[0]:.2f}; %{customdata[1]:.2f}]<extra></extra>",
            showlegend=False,
        )
    )
    fig.add_vline(x=0, line_color="#444444", line_dash="dot")
    fig.update_xaxes(title=_t(lang, "estimate"))
    fig.update_yaxes(automargin=True)
    return layout_defaults(fig, lang, title, height=max(280, 45 * len(tab) + 120))


def commitment_scatter(
    muni: pd.DataFrame,
    x: str,
    y: str,
    color: str,
    size: str = "n",
    structure: str | None = None,
    label: str = "name",
    threshold: float | None = 3.0,
    x_title: str | None = None,
    y_title: str | None = None,
    structure_title: str | None = None,
    category_order: Sequence[str] | None = None,
    lang: str = "de",
    title: str | None = None,
) -> go.Figure:
    """Municipal vs. civil-society commitment per municipality, coloured by type, sized by n.

    The structure strength (if given) is shown in the hover text and as the marker's label, so
    the figure answers "which kinds of commitment go with strong structures?" at a glance.
    """
    fig = go.Figure()
    order = list(category_order) if category_order else list(pd.unique(muni[color].dropna()))
    smax = float(np.nanmax(muni[size])) if len(muni) else 1.0
    for j, cat in enumerate(order):
        sub = muni[muni[color] == cat]
        if sub.empty:
            continue
        cols = [label, size] + ([structure] if structure else [])
        hover = "<b>%{customdata[0]}</b><br>n = %{customdata[1]}<br>" + (x_title or x) + ": %{x:.2f}<br>"
        hover += (y_title or y) + ": %{y:.2f}"
        if structure:
            hover += "<br>" + (structure_title or structure) + ": %{customdata[2]:.2f}"
        fig.add_scatter(
            x=sub[x],
            y=sub[y],
            mode="markers",
            name=str(cat),
            marker={
                "color": OKABE_ITO[j % len(OKABE_ITO)],
                "size": 8 + 22 * np.sqrt(sub[size].astype(float) / smax),
                "line": {"width": 0.5, "color": "white"},
                "opacity": 0.85,
            },
            customdata=sub[cols].astype(object).to_numpy(),
            hovertemplate=hover + "<extra>" + str(cat) + "</extra>",
        )
    if threshold is not None:
        fig.add_vline(x=threshold, line_dash="dot", line_color="#888888")
        fig.add_hline(y=threshold, line_dash="dot", line_color="#888888")
    fig.update_xaxes(title=x_title or x, range=[1, 5])
    fig.update_yaxes(title=y_title or y, range=[1, 5])
    return layout_defaults(fig, lang, title, height=520)


def means_with_ci(
    table: pd.DataFrame,
    x: str,
    mean: str = "mean",
    lo: str = "ci_low",
    hi: str = "ci_high",
    n: str | None = "n",
    color: str | None = None,
    x_title: str | None = None,
    y_title: str | None = None,
    y_range: tuple[float, float] | None = (1, 5),
    n_label: str = "n = ",
    lang: str = "de",
    title: str | None = None,
) -> go.Figure:
    """Dot plot of group means with CI whiskers (e.g. structure strength by kind of commitment).

    ``n_label`` names what ``n`` counts in the hover text (e.g. ``"Kommunen: "`` when the points are
    means of municipality means).
    """
    fig = go.Figure()
    groups = [(None, table)] if color is None else list(table.groupby(color, sort=False, observed=True))
    for j, (g, sub) in enumerate(groups):
        extra = sub[n].astype(object).to_numpy() if n and n in sub else np.full(len(sub), "")
        fig.add_scatter(
            x=sub[x].astype(str),
            y=sub[mean],
            mode="markers",
            name=str(g) if g is not None else "",
            showlegend=g is not None,
            marker={"size": 11, "color": OKABE_ITO[j % len(OKABE_ITO)]},
            error_y=ci_error_bars(sub[mean], sub[lo], sub[hi]),
            customdata=np.c_[sub[lo].to_numpy(), sub[hi].to_numpy(), extra],
            hovertemplate="%{x}: %{y:.2f} [%{customdata[0]:.2f}; %{customdata[1]:.2f}]<br>"
            + n_label
            + "%{customdata[2]}<extra></extra>",
        )
    fig.update_xaxes(title=x_title or x)
    fig.update_yaxes(title=y_title or _t(lang, "mean"), range=list(y_range) if y_range else None)
    return layout_defaults(fig, lang, title, height=420)


def profile_plot(
    table: pd.DataFrame,
    dimension: str,
    mean: str = "mean",
    lo: str = "ci_low",
    hi: str = "ci_high",
    group: str = "group",
    dimension_labels: Mapping[str, str] | None = None,
    x_range: tuple[float, float] = (1, 5),
    lang: str = "de",
    title: str | None = None,
) -> go.Figure:
    """Profile of one or more groups (e.g. a municipality and the state) across constructs.

    A dot plot with CIs rather than a radar chart: the area of a radar chart depends on the order
    of the axes, a dot plot does not.
    """
    fig = go.Figure()
    for j, (g, sub) in enumerate(table.groupby(group, sort=False, observed=True)):
        ylab = [dimension_labels.get(d, d) if dimension_labels else d for d in sub[dimension]]
        fig.add_scatter(
            x=sub[mean],
            y=ylab,
            mode="markers",
            name=str(g),
            marker={"size": 11, "color": OKABE_ITO[j % len(OKABE_ITO)], "symbol": ["circle", "diamond"][j % 2]},
            error_x=ci_error_bars(sub[mean], sub[lo], sub[hi]),
            hovertemplate="%{y}: %{x:.2f}<extra>" + str(g) + "</extra>",
        )
    fig.update_xaxes(range=list(x_range), title=_t(lang, "mean"))
    fig.update_yaxes(automargin=True, autorange="reversed")
    return layout_defaults(fig, lang, title, height=max(300, 50 * table[dimension].nunique() + 140))
