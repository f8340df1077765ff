"""Plotly figures for survey reports, built from the tidy result tables of :mod:`analysis`.

Every function takes a tidy DataFrame plus column names and returns a ``plotly.graph_objects.Figure``;
nothing here computes a statistic (the tables carry them) and nothing is shown or written.
Conventions (good survey-reporting practice):

* uncertainty is always drawn (CIs, funnel limits);
* funnel plots instead of league tables (Spiegelhalter 2005);
* colour-blind-safe palettes (Okabe & Ito 2008 for categories, ColorBrewer RdBu for Likert);
* German number formatting (decimal comma) with ``lang="de"``;
* axis labels in words, never item codes, wrapped at word boundaries (:func:`wrap_label`);
* titles reserve their own space and legends sit above the plot (or below it, beside subplot
  titles), so neither covers the other, at 1400 px and at A4 print width alike.

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

from .labels import text as _text

__all__ = [
    "HIGHLIGHT",
    "LIKERT_COLORS",
    "OKABE_ITO",
    "ci_error_bars",
    "coefficient_plot",
    "commitment_scatter",
    "funnel_plot",
    "layout_defaults",
    "likert_bars",
    "means_with_ci",
    "offsets",
    "profile_plot",
    "wrap_label",
]

#: Okabe & Ito (2008) colour-blind-safe qualitative palette (black left out).
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999")
#: ColorBrewer RdBu (5 classes, colour-blind safe) with a grey neutral category.
LIKERT_COLORS = ("#ca0020", "#f4a582", "#bababa", "#92c5de", "#0571b0")
#: Colour of a highlighted municipality.
HIGHLIGHT = "#000000"


def wrap_label(text: str, width: int = 40, max_lines: int = 3) -> str:
    """Break a long label at word boundaries with ``<br>`` (never inside a word), for axis ticks.

    >>> wrap_label("Die Kommune stellt Räume und Kommunikation bereit.", 20)
    'Die Kommune stellt<br>Räume und<br>Kommunikation bereit.'
    """
    lines: list[str] = []
    line = ""
    for w in str(text).split():
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    if line:
        lines.append(line)
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], " ".join(lines[max_lines - 1:])]
    return "<br>".join(lines)


def offsets(k: int, spread: float = 0.36) -> list[float]:
    """Vertical offsets of ``k`` groups drawn on one categorical row, so markers never hide each other.

    >>> offsets(2)
    [-0.09, 0.09]
    """
    if k <= 1:
        return [0.0]
    step = spread / k
    return [round((j - (k - 1) / 2) * step, 4) for j in range(k)]


def layout_defaults(fig: go.Figure, lang: str = "de", title: str | None = None, height: int | None = None,
                    legend: str = "top") -> go.Figure:
    """Apply the house style: white template, decimal comma in German, readable fonts.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
    lang : {"de", "en"}
        ``"de"`` sets the decimal comma and thousands dot (``separators=",."``).
    title : str, optional
        Left-aligned title; it reserves its own space (``automargin``), so a legend above the plot
        never covers it.
    height : int, optional
    legend : {"top", "bottom", "none"}
        Horizontal legend above the plot area; at the bottom of the figure (for charts whose
        subplot titles sit above the plot area); or none. A chart with a title always gets its
        legend at the bottom: a title and a legend both above the plot would share one margin.

    Returns
    -------
    plotly.graph_objects.Figure
        The same figure, for chaining.
    """
    fig.update_layout(
        template="plotly_white",
        separators=",." if lang == "de" else ".,",
        font={"family": "Arial, Helvetica, sans-serif", "size": 13},
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
    )
    if legend == "top" and title:
        legend = "bottom"
    if legend == "bottom":
        fig.update_layout(legend={"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0,
                                  "xanchor": "left"}, margin={"b": 20})
    elif legend == "none":
        fig.update_layout(showlegend=False)
    else:
        fig.update_layout(legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "xanchor": "left"})
    if title:
        title = "<br>".join(part if part.startswith("<sup>") else wrap_label(part, 90)
                            for part in title.split("<br>"))
        fig.update_layout(title={"text": title, "x": 0, "xanchor": "left", "yref": "container", "y": 1,
                                 "yanchor": "top", "pad": {"t": 8}, "automargin": True})
    if height:
        fig.update_layout(height=height)
    fig.for_each_xaxis(lambda ax: ax.update(title_text=wrap_label(ax.title.text, 45, 2)) if ax.title.text else None)
    fig.for_each_yaxis(lambda ax: ax.update(title_text=wrap_label(ax.title.text, 38, 2)) if ax.title.text else None)
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
    wrap: int = 48,
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
    wrap : int
        Item labels are broken at word boundaries after about this many characters.

    Returns
    -------
    plotly.graph_objects.Figure
        One bar trace per category; the legend sits below the chart, away from the toolbar.
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
        nn = pd.to_numeric(freq[n], errors="coerce").groupby(freq[item], observed=True).max()
        labels_y = [lab if pd.isna(nn.get(i)) else f"{lab} (n = {int(nn.get(i))})" for lab, i in zip(labels_y, wide.index)]
    labels_y = [wrap_label(lab, wrap) for lab in labels_y]
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
    fig.update_xaxes(range=[-100, 100], ticksuffix=" %", title=_text("share", lang))
    fig.update_yaxes(automargin=True)
    lines = sum(lab.count("<br>") + 1 for lab in labels_y)
    return layout_defaults(fig, lang, title, height=max(320, 22 * lines + 18 * len(wide) + 170), legend="bottom")


def _interpolate_colors(k: int) -> list[str]:
    """``k`` colours from ColorBrewer RdBu (scales that do not have five categories)."""
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
    highlight: str | None = None,
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
    highlight : str, optional
        Label of a municipality drawn larger, in black, with its name.

    Returns
    -------
    plotly.graph_objects.Figure
        Dashed and dotted limit lines, the centre line and one marker per municipality
        (red when outside the 95 % limits).
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
        fig.add_hline(y=target, line_color="#222222", line_width=1, annotation_text=_text("target", lang),
                      annotation_position="top left")
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
        name=_text("municipalities", lang),
    )
    if highlight is not None:
        h = units[units[label] == highlight]
        if len(h):
            fig.add_scatter(x=h[n], y=h[value], mode="markers+text", text=h[label], textposition="top center",
                            marker={"color": HIGHLIGHT, "size": 14, "symbol": "circle-open", "line": {"width": 2}},
                            name=str(highlight), hoverinfo="skip")
    fig.update_xaxes(title=_text("n_answers", lang), rangemode="tozero")
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
    wrap: int = 45,
    x_title: str | None = None,
) -> go.Figure:
    """Coefficient plot: point estimates with CI bars, a reference line at zero.

    Parameters
    ----------
    fixed : pandas.DataFrame
        One row per term with the estimate and its interval.
    term, estimate, lo, hi : str
        Column names.
    term_labels : mapping, optional
        Readable names of the terms (never a model formula's raw term).
    drop : sequence of str
        Terms left out (the intercept by default).
    wrap : int
        Term labels are broken at word boundaries after about this many characters.
    x_title : str, optional
        Axis title (default: "estimated effect (points, 95 % CI)").

    Returns
    -------
    plotly.graph_objects.Figure
        The first term at the top; hover shows the estimate and interval.
    """
    tab = fixed[~fixed[term].isin(drop)].iloc[::-1]
    labels = [wrap_label(term_labels.get(t, t) if term_labels else t, wrap) for t in tab[term]]
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
    fig.update_xaxes(title=x_title or _text("estimate", lang))
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
    highlight: str | None = None,
    axis_range: tuple[float, float] | None = (0.8, 5.2),
    threshold_y: float | None = None,
) -> go.Figure:
    """One marker per municipality: two scale means against each other, coloured by a category.

    Parameters
    ----------
    muni : pandas.DataFrame
        One row per municipality with the two means, the colour category, the size column and
        the label (name).
    x, y : str
        Columns on the axes (e.g. municipal commitment and structure strength).
    color : str
        Category column (e.g. the type of commitment, or a municipality fact).
    size : str
        Marker area grows with this column (the number of respondents).
    structure : str, optional
        A further column shown in the hover text (e.g. structure strength when it is not on an axis).
    threshold, threshold_y : float, optional
        Dotted reference lines (e.g. the scale midpoint of the typology), on x and on y
        (``threshold_y`` defaults to ``threshold``).
    highlight : str, optional
        Label of a municipality drawn with a black ring and its name.

    Returns
    -------
    plotly.graph_objects.Figure
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
    if highlight is not None:
        h = muni[muni[label] == highlight]
        if len(h):
            fig.add_scatter(x=h[x], y=h[y], mode="markers+text", text=h[label], textposition="top center",
                            marker={"color": "rgba(0,0,0,0)", "size": 26, "line": {"width": 2.5, "color": HIGHLIGHT}},
                            name=str(highlight), hoverinfo="skip")
    ty = threshold if threshold_y is None else threshold_y
    if threshold is not None:
        fig.add_vline(x=threshold, line_dash="dot", line_color="#888888")
    if ty is not None:
        fig.add_hline(y=ty, line_dash="dot", line_color="#888888")
    rng = list(axis_range) if axis_range else None
    fig.update_xaxes(title=x_title or x, range=rng)
    fig.update_yaxes(title=y_title or y, range=rng)
    return layout_defaults(fig, lang, title, height=540)


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
    legend: str = "top",
    wrap: int = 22,
) -> go.Figure:
    """Dot plot of group means with CI whiskers (e.g. structure strength by kind of commitment).

    Parameters
    ----------
    table : pandas.DataFrame
        One row per group (and colour) with mean and interval.
    x : str
        Group column on the x axis (labels are wrapped at word boundaries).
    color : str, optional
        A second grouping drawn side by side in colours (offset so markers never overlap).
    n_label : str
        Names what ``n`` counts in the hover text (e.g. ``"Kommunen: "`` when the points are
        means of municipality means).
    legend : {"top", "bottom", "none"}
        Where the legend goes (see :func:`layout_defaults`).

    Returns
    -------
    plotly.graph_objects.Figure
    """
    fig = go.Figure()
    groups = [(None, table)] if color is None else list(table.groupby(color, sort=False, observed=True))
    cats = list(dict.fromkeys(table[x].astype(str)))
    pos = {c: i for i, c in enumerate(cats)}
    # offsets only among the groups present at a category (a category of one group stays on its tick)
    present = {c: [j for j, (_, sub) in enumerate(groups) if c in set(sub[x].astype(str))] for c in cats}

    def where(c: str, j: int) -> float:
        return pos[c] + offsets(len(present[c]), 0.5)[present[c].index(j)]

    for j, (g, sub) in enumerate(groups):
        extra = sub[n].astype(object).to_numpy() if n and n in sub else np.full(len(sub), "")
        fig.add_scatter(
            x=[where(c, j) for c in sub[x].astype(str)],
            y=sub[mean],
            mode="markers",
            name=str(g) if g is not None else "",
            showlegend=g is not None,
            marker={"size": 11, "color": OKABE_ITO[j % len(OKABE_ITO)]},
            error_y=ci_error_bars(sub[mean], sub[lo], sub[hi]),
            customdata=np.c_[sub[lo].to_numpy(), sub[hi].to_numpy(), extra, sub[x].astype(str).to_numpy()],
            hovertemplate="%{customdata[3]}: %{y:.2f} [%{customdata[0]:.2f}; %{customdata[1]:.2f}]<br>"
            + n_label
            + "%{customdata[2]}<extra></extra>",
        )
    fig.update_xaxes(title=x_title or x, tickvals=list(range(len(cats))), ticktext=[wrap_label(c, wrap) for c in cats],
                     range=[-0.6, len(cats) - 0.4], zeroline=False)
    fig.update_yaxes(title=y_title or _text("mean", lang), range=list(y_range) if y_range else None)
    return layout_defaults(fig, lang, title, height=440, legend=legend)


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
    wrap: int = 32,
) -> go.Figure:
    """Profile of one or more groups (e.g. a municipality and the state) across constructs.

    A dot plot with CIs rather than a radar chart: the area of a radar chart depends on the order
    of the axes, a dot plot does not. Groups are drawn slightly apart on each row, so equal values
    never hide one another.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per group and dimension with mean and interval.
    dimension : str
        Column of the constructs (rows of the chart, first at the top).
    group : str
        Column of the groups (one colour and symbol each).
    dimension_labels : mapping, optional
        Readable names of the dimensions.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    fig = go.Figure()
    dims = list(dict.fromkeys(table[dimension]))
    pos = {d: i for i, d in enumerate(dims)}
    grouped = list(table.groupby(group, sort=False, observed=True))
    offs = offsets(len(grouped))
    for j, (g, sub) in enumerate(grouped):
        names = [dimension_labels.get(d, d) if dimension_labels else d for d in sub[dimension]]
        fig.add_scatter(
            x=sub[mean],
            y=[pos[d] + offs[j] for d in sub[dimension]],
            mode="markers",
            name=str(g),
            marker={"size": 11, "color": OKABE_ITO[j % len(OKABE_ITO)], "symbol": ["circle", "diamond"][j % 2]},
            error_x=ci_error_bars(sub[mean], sub[lo], sub[hi], color=OKABE_ITO[j % len(OKABE_ITO)]),
            customdata=np.c_[names, sub[lo].to_numpy(), sub[hi].to_numpy()],
            hovertemplate="%{customdata[0]}: %{x:.2f} [%{customdata[1]:.2f}; %{customdata[2]:.2f}]<extra>"
            + str(g) + "</extra>",
        )
    fig.update_xaxes(range=list(x_range), title=_text("mean", lang))
    ticks = [wrap_label(dimension_labels.get(d, d) if dimension_labels else d, wrap) for d in dims]
    fig.update_yaxes(automargin=True, autorange="reversed", tickvals=list(range(len(dims))), ticktext=ticks)
    return layout_defaults(fig, lang, title, height=max(300, 56 * len(dims) + 150))
