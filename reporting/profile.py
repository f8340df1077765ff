"""One municipality's profile, assembled once for every medium: notebook, widget, HTML, PDF, Word.

:func:`profile_parts` returns the profile as an ordered list of parts -- heading, notes, the
sentences of :mod:`reporting.narrative`, the starting points from the Baustein, a glossary and
four charts with their section headings. The notebook displays them (:func:`show_profile`), the
widget of notebook 05 replaces all of them when another municipality is chosen
(:func:`profile_widget`: the selection drives the *whole* profile), and the Word writer
(:mod:`reporting.documents`) turns the same parts into paragraphs and images.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import figures as F  # noqa: N812
from . import labels as L  # noqa: N812
from .formatting import fill_names
from .narrative import ProfileText, profile_text
from .notebook import figure_bundle, html_bundle, markdown_bundle, notes_html
from .profile_data import suppressed_mask

__all__ = ["PROFILE_GLOSSARY", "Part", "profile_parts", "profile_widget", "show_profile"]

#: Statistics a profile uses, explained in its glossary box.
PROFILE_GLOSSARY = ("ci", "funnel", "limits", "min_n")


@dataclass(frozen=True)
class Part:
    """One piece of a profile: Markdown text, package-built HTML, or a figure (``kind``)."""

    kind: str  # "markdown" | "html" | "figure"
    content: Any
    key: str = ""

    def bundle(self) -> dict[str, Any]:
        """The MIME bundle that displays this part in a notebook."""
        if self.kind == "figure":
            return figure_bundle(self.content)
        if self.kind == "html":
            return html_bundle(self.content)
        return markdown_bundle(self.content)


def profile_parts(ctx: Any, ags: str, figures: bool = True) -> tuple[ProfileText, list[Part]]:
    """The text and all parts of the profile of ``ags``, in reading order.

    Parameters
    ----------
    ctx : reporting.notebook.ReportContext
    ags : str
    figures : bool
        Build the plotly figures (``False``: figure parts hold None; the Word writer takes the
        charts as images from the printed page and needs only their places).

    Returns
    -------
    (ProfileText, list of Part)
        For a municipality below the minimum cell size: its heading note only.
    """
    lang = ctx.lang
    ags = str(ags)
    text = profile_text(ctx.profile_data, ctx.instrument, ags, lang, n_waves=ctx.n_waves)
    parts = [Part("markdown", F.profile_header(ctx, ags), "header")]
    if text.n is None:
        return text, parts
    notes = notes_html(ctx.results, "05_municipality_profile", lang, ctx.instrument)
    if notes:
        parts.append(Part("html", notes, "notes"))
    def fig(make: Any) -> Any:
        return make() if figures else None

    gaps = ctx.profile_data.gaps.get(ags)
    parts += [
        Part("markdown", f"### {L.text('summary_title', lang)}\n\n{text.summary_markdown()}", "summary"),
        Part("markdown", f"### {L.text('advice_title', lang)}\n\n{text.advice_markdown()}", "advice"),
        Part("html", L.glossary_html(PROFILE_GLOSSARY, lang), "glossary"),
        Part("markdown", L.section("05_profile", lang), "h_profile"),
        Part("figure", fig(lambda: F.profile_vs_state(ctx.results, ctx.instrument, ags, lang)), "profile"),
        Part("markdown", (L.section("05_perspectives", lang) + "\n\n" + F.perspective_note(gaps, ctx.min_n, lang)).strip(),
             "h_perspectives"),
        Part("figure", fig(lambda: F.perspective_gaps(ctx.results, ctx.instrument, ags, lang, gaps)), "perspectives"),
        Part("markdown", L.section("05_waves", lang), "h_waves"),
        Part("figure", fig(lambda: F.wave_change(ctx.results, ctx.instrument, ags, lang)), "waves"),
        Part("markdown", L.section("05_funnels", lang), "h_funnels"),
        Part("figure", fig(lambda: F.funnel_positions(ctx.results, ctx.instrument, ags, lang)), "funnels"),
    ]
    return text, parts


def show_profile(ctx: Any, ags: str) -> None:
    """Display the whole profile of ``ags`` (static report: one output per part)."""
    from IPython.display import display

    for part in profile_parts(ctx, ags)[1]:
        display(part.bundle(), raw=True)


def profile_widget(ctx: Any, ags: str | None = None) -> Any:  # pragma: no cover - exercised with a fake display
    """A dropdown of the municipalities that redraws the *whole* profile below it.

    Only municipalities with at least the minimum number of answers are offered. Returns the
    dropdown (so a notebook or test can change its value).
    """
    import ipywidgets as widgets
    from IPython.display import display

    o = fill_names(ctx.results["kommunen_uebersicht"])
    o = o[~suppressed_mask(o)]
    options = [(f"{n} ({a})", str(a)) if n != str(a) else (str(a), str(a))
               for a, n in zip(o["ags"].astype(str), o["name"])]
    out = widgets.Output()
    dd = widgets.Dropdown(options=options, value=str(ags) if ags in {v for _, v in options} else None,
                          description=L.text("municipality", ctx.lang), layout={"width": "480px"},
                          style={"description_width": "initial"})

    def on_change(change: Any) -> None:
        if dd.value is None:
            return
        # set the output area directly (capturing with ``with out:`` stalls headless kernels)
        out.outputs = tuple({"output_type": "display_data", "data": p.bundle(), "metadata": {}}
                            for p in profile_parts(ctx, dd.value)[1])

    dd.observe(on_change, names="value")
    if dd.value is None and options:
        dd.value = options[0][1]
    display(dd, out)
    on_change(None)
    return dd
