"""Notebook 04's explorer: kinds of commitment against the strength of the structures, by choice.

A researcher chooses which scales go on the axes (municipal commitment against structure strength
by default), what the colour shows (the type of commitment from the survey, the anchoring from the
municipality facts, a single fact, size class or cohort), which roles and which wave count, and
which municipality to highlight. :func:`explore_view` computes everything for that choice with the
statistics of :mod:`analysis` -- municipality means (:func:`analysis.municipality_summary`), the
commitment typology (:func:`analysis.commitment_typology`) and a random-intercept model
(:func:`analysis.fit_multilevel`, profiled REML: fast enough to refit on every change at state
scale) -- on the selected respondents only, with the small-cell rule applied to the selection.

:func:`explore_widget` wires ipywidgets controls to it in JupyterLab; the exported HTML report shows
the default view (:func:`show_default_view`), so the page reads the same without a kernel.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from . import labels as L  # noqa: N812
from . import plotting as P  # noqa: N812
from .figures import empty_figure, term_labels
from .formatting import fill_names, fmt_number, name_map
from .profile_data import CIVIL_ROLES, MUNICIPAL_ROLES, role_construct, suppressed_mask, with_ci_columns

__all__ = ["COLOR_OPTIONS", "ROLE_GROUPS", "ExploreChoice", "ExploreView", "explore_view", "explore_widget",
           "show_default_view"]

#: What the colour can show: (key, German label, English label).
COLOR_OPTIONS: tuple[tuple[str, str, str], ...] = (
    ("survey_type", "Typ aus der Befragung", "Type from the survey"),
    ("fact_type", "Verankerung (Kommunendaten)", "Anchoring (municipality facts)"),
    ("council_resolution", "Ratsbeschluss", "Council resolution"),
    ("mayor_involved", "Bürgermeister/in eingebunden", "Mayor involved"),
    ("named_contact", "Benannte Ansprechperson", "Named contact"),
    ("rooms", "Räume bereitgestellt", "Rooms provided"),
    ("size_class", "Gemeindegrößenklasse", "Size class"),
    ("cohort", "Förderkohorte", "Funding cohort"),
)

#: Role filters besides single roles: key -> (German, English, roles).
ROLE_GROUPS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "": ("alle Rollen", "all roles", ()),
    "municipal": ("Verwaltung und Politik", "administration and politics", MUNICIPAL_ROLES),
    "civil": ("Vereine und Engagierte", "associations and engaged citizens", CIVIL_ROLES),
}


@dataclass(frozen=True)
class ExploreChoice:
    """What the explorer shows (the defaults are the view of the exported report).

    Attributes
    ----------
    x, y : str or None
        Construct ids on the axes; None: the constructs playing municipal commitment and structure
        strength (their declared roles, :func:`reporting.profile_data.role_construct`).
    color : str
        One of :data:`COLOR_OPTIONS`.
    roles : str
        ``""`` (all), a key of :data:`ROLE_GROUPS` or a single role code.
    wave : str or None
        Survey wave; None = the wave of the analysis (the latest).
    highlight : str or None
        AGS of a municipality to highlight.
    """

    x: str | None = None
    y: str | None = None
    color: str = "survey_type"
    roles: str = ""
    wave: str | None = None
    highlight: str | None = None


@dataclass(frozen=True)
class ExploreView:
    """The figure, the typology table and the model of one :class:`ExploreChoice`."""

    choice: ExploreChoice
    figure: go.Figure
    typology: pd.DataFrame
    typology_headers: dict[str, str]
    model: pd.DataFrame
    model_headers: dict[str, str]
    summary: str
    notes: list[str] = field(default_factory=list)


def _roles_of(choice: ExploreChoice) -> tuple[str, ...]:
    if choice.roles in ROLE_GROUPS:
        return ROLE_GROUPS[choice.roles][2]
    return (choice.roles,)


def _selection(ctx: Any, choice: ExploreChoice) -> pd.DataFrame:
    f = ctx.frame
    wave = choice.wave if choice.wave is not None else ctx.results.meta.get("wave")
    if wave is not None and "wave" in f.columns:
        f = f[f["wave"].astype(str) == str(wave)]
    roles = _roles_of(choice)
    if roles and "role" in f.columns:
        f = f[f["role"].astype(str).isin(roles)]
    return f


def _colour(ctx: Any, choice: ExploreChoice, means: pd.DataFrame, typ: pd.DataFrame, g: str) -> pd.Series:
    lang = ctx.lang
    missing = L.text("no_data", lang)
    if choice.color == "survey_type":
        col = "type" if lang == "de" or "type_en" not in typ else "type_en"
        return means[g].astype(str).map(dict(zip(typ[g].astype(str), typ[col]))).astype(object).fillna(missing)
    m = ctx.dataset.municipalities.astype({"ags": str}).set_index("ags")
    if choice.color == "fact_type":
        from analysis import fact_typology

        ft = fact_typology(ctx.dataset.municipalities.astype({"ags": str}), group="ags")
        col = "type" if lang == "de" or "type_en" not in ft else "type_en"
        return means[g].astype(str).map(dict(zip(ft["ags"].astype(str), ft[col]))).astype(object).fillna(missing)
    if choice.color not in m.columns:
        return pd.Series(missing, index=means.index)
    vals = means[g].map(m[choice.color])
    if choice.color in L.VALUES["fact"]:
        return vals.map(lambda v: missing if pd.isna(v) else L.value("yesno", "ja" if bool(v) else "nein", lang))
    return vals.astype(object).where(vals.notna(), missing).astype(str)


def explore_view(ctx: Any, choice: ExploreChoice | None = None) -> ExploreView:
    """Scatter, typology table and model for one choice of the explorer.

    Parameters
    ----------
    ctx : reporting.notebook.ReportContext
    choice : ExploreChoice, optional
        Default: municipal commitment (x) against structure strength (y), coloured by the type of
        commitment from the survey, all roles, the analysis wave.

    Returns
    -------
    ExploreView
        Municipalities with fewer than the minimum number of selected respondents are left out
        (and counted in a note); the model is left out with a note when it cannot be fitted.
    """
    from analysis import commitment_typology, fit_multilevel, municipality_summary
    from core.errors import AnalysisError

    choice = choice or ExploreChoice()
    ids = [c.id for c in ctx.instrument.constructs]
    choice = replace(choice, x=choice.x or role_construct(ctx.instrument, "municipal_commitment") or ids[0],
                     y=choice.y or role_construct(ctx.instrument, "structure") or ids[-1])
    assert choice.x is not None and choice.y is not None
    lang, min_n = ctx.lang, ctx.min_n
    g = ctx.results.config.group
    labels = {c.id: c.label(lang) for c in ctx.instrument.constructs}
    sel = _selection(ctx, choice)
    notes: list[str] = []
    dims = list(dict.fromkeys([choice.x, choice.y]))
    # a scale without a single answer in the selection (items not mapped, roles not surveyed): no points
    ready = len(sel) > 0 and all(d in sel.columns and sel[d].notna().any() for d in dims)
    summ = municipality_summary(sel, dims, group=g, min_n=min_n) if ready else pd.DataFrame()
    if len(summ):
        summ = summ[~suppressed_mask(summ)]
    wide = (summ.pivot_table(index=g, columns="variable", values="mean", observed=True) if len(summ)
            else pd.DataFrame(columns=dims, index=pd.Index([], name=g)))
    n = summ.groupby(g)["n"].min() if len(summ) else pd.Series(dtype=float)
    means = wide.reindex(columns=dims).dropna().reset_index()
    means["n"] = means[g].map(n)
    names = name_map(ctx.dataset.municipalities)
    means["name"] = [names.get(str(a), str(a)) for a in means[g]]
    n_all = sel[g].nunique() if len(sel) else 0
    if n_all > len(means):
        notes.append(L.text("explore_hidden", lang, k=n_all - len(means), min_n=min_n))
    typ = pd.DataFrame(columns=[g, "type"])
    mun, civ = role_construct(ctx.instrument, "municipal_commitment"), role_construct(ctx.instrument, "civil_commitment")
    if mun and civ and {mun, civ} <= set(sel.columns) and len(sel):
        try:
            typ = commitment_typology(sel, mun, civ, group=g, min_n=min_n)
            typ = typ[~suppressed_mask(typ)]
        except AnalysisError as exc:
            notes.append(str(exc.problem.message(lang)) if getattr(exc, "problem", None) else str(exc))
    means["colour"] = _colour(ctx, choice, means, typ, g) if len(means) else []
    order = [t for t in dict.fromkeys(means["colour"]) if t != L.text("no_data", lang)] + [L.text("no_data", lang)]
    highlight = names.get(str(choice.highlight)) if choice.highlight else None
    colour_label = next((de if lang == "de" else en for k, de, en in COLOR_OPTIONS if k == choice.color), choice.color)
    fig = P.commitment_scatter(
        means, x=choice.x, y=choice.y, color="colour", size="n", label="name", threshold=None,
        x_title=labels.get(choice.x, choice.x), y_title=labels.get(choice.y, choice.y), category_order=order,
        lang=lang, highlight=highlight,
    ) if len(means) else empty_figure(lang, min_n)
    # a legend title beside the entries keeps them from wrapping at print width: title on top
    fig.update_layout(legend_title_text=colour_label + ":", legend_title_side="top")
    # typology table: municipalities per colour group and their mean position
    tab = means.groupby("colour", observed=True).agg(n_municipalities=(g, "size"), mean_x=(choice.x, "mean"),
                                                      mean_y=(choice.y, "mean")).reset_index() if len(means) else \
        pd.DataFrame(columns=["colour", "n_municipalities", "mean_x", "mean_y"])
    tab = tab.set_index("colour").reindex([o for o in order if o in set(tab["colour"])]).reset_index()
    t_heads = {"colour": colour_label, "n_municipalities": L.header("n_municipalities", lang),
               "mean_x": f"{labels.get(choice.x, choice.x)} ({L.text('mean_short', lang)})",
               "mean_y": f"{labels.get(choice.y, choice.y)} ({L.text('mean_short', lang)})"}
    model = pd.DataFrame()
    m_heads: dict[str, str] = {}
    summary = ""
    if not ready:
        data = sel.iloc[0:0]
    else:
        data = sel.dropna(subset=[*dims, "role"]) if "role" in sel.columns else sel.dropna(subset=dims)
    vis_ags = set(means[g].astype(str))
    data = data[data[g].astype(str).isin(vis_ags)]
    if choice.x != choice.y and data[g].nunique() >= 3:
        role_n = data["role"].value_counts() if "role" in data.columns else pd.Series(dtype=int)
        use_role = (role_n >= min_n).sum() >= 2
        if use_role:
            data = data[data["role"].isin(role_n[role_n >= min_n].index)]
        formula = f"{choice.y} ~ {choice.x}" + (" + C(role)" if use_role else "")
        try:
            res = fit_multilevel(data, formula, group=g, method="profiled")
            model = with_ci_columns(res.fixed)
            model = model[model["term"] != "Intercept"].copy()
            model = model.assign(_role=model["term"].str.startswith("C(")).sort_values("_role", kind="stable")
            names_t = term_labels(ctx.instrument, lang, list(model["term"]))
            names_t.update({choice.x: labels.get(choice.x, choice.x)})
            model["term"] = model["term"].map(lambda t: names_t.get(t, t))
            m_heads = {c: L.header(c, lang) for c in ("term", "estimate", "ci_low", "ci_high", "p") if c in model}
            st = dict(zip(res.stats()["statistic"], res.stats()["value"]))
            summary = (
                f"Mehrebenenmodell {labels.get(choice.y)} ~ {labels.get(choice.x)}"
                + (" + Rolle" if use_role else "") + f": {fmt_number(st.get('n_obs'), 0, lang, count=True)} Befragte in "
                f"{fmt_number(st.get('n_groups'), 0, lang, count=True)} Kommunen; R² marginal "
                f"{fmt_number(st.get('r2_marginal'), 2, lang)}, konditional {fmt_number(st.get('r2_conditional'), 2, lang)}."
                " Zusammenhänge, keine Wirkungen." if lang == "de" else
                f"Multilevel model {labels.get(choice.y)} ~ {labels.get(choice.x)}" + (" + role" if use_role else "")
                + f": {fmt_number(st.get('n_obs'), 0, lang, count=True)} respondents in "
                f"{fmt_number(st.get('n_groups'), 0, lang, count=True)} municipalities; marginal R² "
                f"{fmt_number(st.get('r2_marginal'), 2, lang)}, conditional {fmt_number(st.get('r2_conditional'), 2, lang)}."
                " Associations, not effects."
            )
        except AnalysisError as exc:
            notes.append(exc.problem.message(lang) if getattr(exc, "problem", None) else str(exc))
    return ExploreView(choice, fig, tab, t_heads, model, m_heads, summary, notes)


def view_bundles(ctx: Any, view: ExploreView) -> list[dict[str, Any]]:
    """The MIME bundles that display an :class:`ExploreView` (figure, notes, tables, model sentence)."""
    from .notebook import figure_bundle, html_bundle, markdown_bundle, table_html

    out = [figure_bundle(view.figure)]
    if view.notes:
        out.append(markdown_bundle("\n".join(f"- {n}" for n in view.notes)))
    out.append(html_bundle(table_html(view.typology, view.typology_headers, lang=ctx.lang, n_col=None)))
    if len(view.model):
        out.append(html_bundle(table_html(view.model, view.model_headers, lang=ctx.lang, n_col=None)))
    if view.summary:
        out.append(markdown_bundle(view.summary))
    return out


def show_default_view(ctx: Any) -> ExploreView:
    """Display the explorer's default view (for the exported report, where widgets cannot run)."""
    from IPython.display import display

    view = explore_view(ctx)
    for b in view_bundles(ctx, view):
        display(b, raw=True)
    return view


def explore_widget(ctx: Any) -> dict[str, Any]:  # pragma: no cover - needs ipywidgets; driven in tests directly
    """The explorer's controls and output area (JupyterLab). Returns the controls by name.

    Changing any control recomputes :func:`explore_view` and replaces the output below.
    """
    import ipywidgets as widgets
    from IPython.display import display

    lang = ctx.lang
    constructs = [(c.label(lang), c.id) for c in ctx.instrument.constructs]
    ids = [c for _, c in constructs]
    default = ExploreChoice()
    x0 = role_construct(ctx.instrument, "municipal_commitment") or ids[0]
    y0 = role_construct(ctx.instrument, "structure") or ids[-1]
    roles = [(de if lang == "de" else en, k) for k, (de, en, _) in ROLE_GROUPS.items()]
    roles += [(c.label(lang), c.name) for c in ctx.instrument.field("role").choices]
    # "" stands for "the analysis wave" and "nobody": a dropdown shows no selection for a None value
    waves = [(L.text("all_waves_latest", lang) + f" ({ctx.results.meta.get('wave')})", "")] + [
        (str(w), str(w)) for w in (ctx.results.meta.get("waves") or [])]
    o = fill_names(ctx.results["kommunen_uebersicht"])
    o = o[~suppressed_mask(o)]
    munis = [(L.text("nobody", lang), "")] + [(f"{n} ({a})", str(a)) for a, n in zip(o["ags"], o["name"])]
    style = {"description_width": "initial"}
    controls = {
        "x": widgets.Dropdown(options=constructs, value=x0, description=L.text("x_axis", lang), style=style),
        "y": widgets.Dropdown(options=constructs, value=y0, description=L.text("y_axis", lang), style=style),
        "color": widgets.Dropdown(options=[(de if lang == "de" else en, k) for k, de, en in COLOR_OPTIONS],
                                  value=default.color, description=L.text("colour_by", lang), style=style),
        "roles": widgets.Dropdown(options=roles, value="", description=L.text("role", lang), style=style),
        "wave": widgets.Dropdown(options=waves, value="", description=L.text("wave", lang), style=style),
        "highlight": widgets.Dropdown(options=munis, value="", description=L.text("highlight", lang), style=style),
    }
    out = widgets.Output()

    def redraw(_: Any = None) -> None:
        choice = replace(default, **{k: (w.value or None) if k in ("wave", "highlight") else w.value
                                     for k, w in controls.items()})
        view = explore_view(ctx, choice)
        out.outputs = tuple({"output_type": "display_data", "data": b, "metadata": {}} for b in view_bundles(ctx, view))

    for w in controls.values():
        w.observe(redraw, names="value")
    box = widgets.VBox([widgets.HBox([controls["x"], controls["y"], controls["color"]]),
                        widgets.HBox([controls["roles"], controls["wave"], controls["highlight"]])])
    display(box, out)
    redraw()
    return controls
