"""Small helpers the report notebooks use to load results and display figures, text and tables.

The notebooks hold no analysis logic: they call :func:`setup` (dataset + cached
:func:`analysis.run` results), the figure builders of :mod:`reporting.figures`, and :func:`show` /
:func:`show_table` / :func:`md` / :func:`show_notes` / :func:`show_glossary` to display them.

``show(fig)`` emits one output with two representations: plotly's JSON mimetype (drawn
interactively by JupyterLab) and an HTML snippet that calls ``Plotly.newPlot`` without embedding
plotly.js — the exported report loads plotly.js once from its ``assets`` folder. This avoids both
known traps: charts vanishing from nbconvert HTML (plotly >= 6) and 5 MB of JavaScript per chart.
"""

from __future__ import annotations

import functools
import html as _html
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from core.spreadsheet_escape import escape_html

from . import labels as L  # noqa: N812
from .formatting import fmt_number, fmt_p, is_missing, name_map

__all__ = [
    "NOTE_PAGES",
    "ReportContext",
    "cell_text",
    "default_dataset",
    "figure_bundle",
    "fmt_number",
    "html_bundle",
    "markdown_bundle",
    "md",
    "no_raw_html",
    "notes_html",
    "quiet_warnings",
    "setup",
    "show",
    "show_glossary",
    "show_html",
    "show_notes",
    "show_table",
    "table_html",
]

PLOTLY_CONFIG = {"displaylogo": False, "responsive": True, "toImageButtonOptions": {"format": "png", "scale": 2}}


def default_dataset() -> str:
    """Dataset folder for interactive use: ``$BAUSTEIN_DATASET`` or the demo's example dataset."""
    env = os.environ.get("BAUSTEIN_DATASET")
    if env:
        return env
    return str(Path(__file__).resolve().parents[1] / "data" / "processed" / "example")


@dataclass(frozen=True)
class ReportContext:
    """What a report notebook works with: dataset, results, language and minimum cell size."""

    dataset: Any  # surveys.dataset.Dataset
    results: Any  # analysis.Results
    lang: str
    min_n: int
    rejections: pd.DataFrame | None = None

    @property
    def instrument(self) -> Any:
        """The dataset's instrument."""
        return self.dataset.instrument

    @property
    def n_waves(self) -> int:
        """Number of survey waves in the dataset."""
        return len(self.results.meta.get("waves") or []) or 1

    def construct_label(self, construct_id: str) -> str:
        """The label of a construct in the report language."""
        return self.instrument.construct(construct_id).label(self.lang)

    def municipality_name(self, ags: str) -> str:
        """The name of a municipality (its AGS when unknown)."""
        return name_map(self.dataset.municipalities).get(str(ags), str(ags))

    @functools.cached_property
    def frame(self) -> pd.DataFrame:
        """The scored respondent frame of all waves (:func:`analysis.pipeline.score_dataset`)."""
        from analysis.pipeline import score_dataset

        return score_dataset(self.dataset, self.results.config)[0]

    @functools.cached_property
    def profile_data(self) -> Any:
        """Per-municipality tables of the profiles (:class:`reporting.profile_data.ProfileData`)."""
        from .profile_data import ProfileData

        return ProfileData.build(self.dataset, self.results, self.frame)


#: Contexts already loaded in this kernel. The report builder runs every notebook and all profiles
#: in one kernel; without this, each of 1,100 profiles would reload the dataset and the results.
_LOADED: dict[tuple[Any, ...], ReportContext] = {}


def quiet_warnings() -> bool:
    """Inside a notebook kernel, silence Python warnings (RuntimeWarning, FutureWarning ...).

    A warning printed by a cell lands on the report page, where a reader sees a local path and
    library noise (``descriptives.py:61: RuntimeWarning: divide by zero``). The analysis turns
    every property of the data into a note instead; warnings are for developers, who run the
    package outside a kernel. Returns True when the filter was installed (in a kernel).
    """
    import sys
    import warnings

    shell = sys.modules.get("IPython")
    ip = getattr(shell, "get_ipython", lambda: None)() if shell is not None else None
    if ip is None or type(ip).__name__ != "ZMQInteractiveShell":
        return False
    warnings.simplefilter("ignore")
    return True


def setup(dataset: str | Path | None = None, lang: str = "de", min_n: int = 5, wave: str | None = None,
          wave_order: Sequence[str] | None = None) -> ReportContext:
    """Load the dataset and its (cached) analysis results for a notebook.

    Loaded once per kernel for the same folder, files (size and mtime), language, ``min_n``, wave and
    wave order (the options of ``baustein analyse``/``report``: :class:`analysis.AnalysisConfig`).
    """
    quiet_warnings()
    path = Path(dataset or default_dataset()).resolve()
    stamp = tuple(
        (p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(path.glob("*")) if p.is_file()
    )
    from analysis import AnalysisConfig

    config = AnalysisConfig(min_n=min_n, lang=lang, wave=wave, wave_order=wave_order)  # hashable, order as tuple
    key = (str(path), stamp, config)
    if key not in _LOADED:
        _LOADED.clear()  # keep at most one dataset in memory
        _LOADED[key] = _load(path, config)
    return _LOADED[key]


def _load(path: Path, config: Any) -> ReportContext:
    from reporting.results_cache import run_cached
    from surveys.dataset import Dataset

    lang, min_n = config.lang, config.min_n
    ds = Dataset.load(path)
    results = run_cached(ds, config, path)
    rej_path = path / "rejections.csv"
    rejections = pd.read_csv(rej_path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig") if rej_path.exists() else None
    return ReportContext(dataset=ds, results=results, lang=lang, min_n=min_n, rejections=rejections)


# ---------------------------------------------------------------------------------------- MIME bundles
def figure_bundle(fig: Any) -> dict[str, Any]:
    """The MIME bundle :func:`show` displays: plotly JSON for JupyterLab, an HTML snippet for reports."""
    return {
        "application/vnd.plotly.v1+json": fig.to_plotly_json() | {"config": PLOTLY_CONFIG},
        "text/html": fig.to_html(full_html=False, include_plotlyjs=False, config=PLOTLY_CONFIG),
        "text/plain": f"<Figure: {fig.layout.title.text or ''}>",
    }


def markdown_bundle(text: str) -> dict[str, Any]:
    """A Markdown output (raw HTML disabled, see :func:`no_raw_html`)."""
    return {"text/markdown": no_raw_html(text), "text/plain": str(text)}


def html_bundle(html: str) -> dict[str, Any]:
    """An HTML output built by this package (already escaped)."""
    return {"text/html": html, "text/plain": ""}


def show(fig: Any) -> None:
    """Display a plotly figure interactively in JupyterLab *and* in the exported HTML."""
    from IPython.display import display

    display(figure_bundle(fig), raw=True)


def md(text: str) -> None:
    """Display Markdown text (already localised by the caller).

    Markdown passes raw HTML through (nbconvert renders it as is), and the text may hold
    user-provided names (a municipality called ``<script>…</script>``): ``&`` and ``<`` are
    escaped, so the text can format (``##``, ``**``) but never inject markup or script.
    """
    from IPython.display import display

    display(markdown_bundle(text), raw=True)


def show_html(html: str) -> None:
    """Display HTML built by this package (notes, glossary, tables); empty strings show nothing."""
    from IPython.display import display

    if html:
        display(html_bundle(html), raw=True)


def no_raw_html(text: str) -> str:
    """Markdown text with raw HTML disabled: ``&`` -> ``&amp;``, ``<`` -> ``&lt;`` (shown as typed).

    >>> no_raw_html("## <script>alert(1)</script> & Co")
    '## &lt;script>alert(1)&lt;/script> &amp; Co'
    """
    return str(text).replace("&", "&amp;").replace("<", "&lt;")


# ---------------------------------------------------------------------------------------- notes and glossary
#: Report page -> words that identify the analysis sections whose notes (table ``hinweise``) it shows.
#: Notes of sections no page names appear on the index page, so none is lost.
NOTE_PAGES: dict[str, tuple[str, ...]] = {
    "01_import_quality": ("daten", "import", "qualit", "fehlend", "missing", "straight"),
    "02_instrument": ("reliab", "zuverl", "item", "likert", "instrument", "skal", "scor", "omega", "alpha"),
    "03_municipalities": ("aggreg", "uebereinst", "übereinst", "agreement", "kommunen", "municipal", "funnel",
                          "trichter", "vergleich", "compar"),
    "04_commitment_structures": ("engagement", "commitment", "typolog", "modell", "model", "hypothes", "struktur"),
    "05_municipality_profile": ("perspektiv", "perspective", "welle", "wave", "did", "kommunen", "municipal", "funnel",
                                "trichter"),
}


#: Scopes whose notes stay off a page although their section is named there: a profile shows one
#: municipality, so notes on comparisons between groups of municipalities belong on page 03 only.
NOT_ON_PAGE: dict[str, frozenset[str]] = {
    "05_municipality_profile": frozenset({"vergleich", "size_class", "district", "cohort"}),
}


def _note_page(section: str) -> list[str]:
    s = str(section).lower()
    return [page for page, words in NOTE_PAGES.items() if any(w in s for w in words)]


def notes_for_page(results: Any, page: str) -> pd.DataFrame:
    """Rows of the results table ``hinweise`` that belong on ``page`` (``"index"``: the unplaced ones)."""
    if "hinweise" not in results or results["hinweise"].empty:
        return pd.DataFrame()
    h = results["hinweise"]
    pages = h["section"].map(_note_page) if "section" in h.columns else pd.Series([[]] * len(h), index=h.index)
    if page == "index":
        return h[pages.map(len) == 0]
    scopes = h["scope"].astype(str) if "scope" in h.columns else pd.Series("", index=h.index)
    return h[pages.map(lambda ps: page in ps) & ~scopes.isin(NOT_ON_PAGE.get(page, frozenset()))]


def _scope_label(scope: Any, instrument: Any, lang: str) -> str:
    s = "" if is_missing(scope) else str(scope)
    if not s or instrument is None:
        return s
    ids = {c.id: c.label(lang) for c in instrument.constructs}
    if s in ids:
        return ids[s]
    if s in set(instrument.item_codes):
        return f"{s} {instrument.item(s).label(lang)}"
    return L.value("by", s, lang)


def notes_html(results: Any, page: str, lang: str = "de", instrument: Any = None) -> str:
    """A visible box with the analysis notes for ``page`` ("" when there are none or no table)."""
    rows = notes_for_page(results, page)
    if rows.empty:
        return ""
    de = lang == "de"
    items = []
    for r in rows.itertuples(index=False):
        reason = getattr(r, "reason_de" if de else "reason_en", "")
        hint = getattr(r, "hint_de" if de else "hint_en", "")
        scope = _scope_label(getattr(r, "scope", ""), instrument, lang)
        sev = L.value("severity", getattr(r, "severity", "info"), lang)
        what = f" ({escape_html(scope)})" if scope else ""
        todo = f" <em>{'Was tun' if de else 'What to do'}:</em> {escape_html(hint)}" if hint and not is_missing(hint) else ""
        items.append(f"<li><strong>{escape_html(sev)}</strong>{what}: {escape_html(reason)}{todo}</li>")
    return ('<aside class="baustein-notes" style="border-left:4px solid #E69F00;background:#fff8e6;'
            'padding:.4em 1em;margin:.6em 0">'
            f"<strong>{escape_html(L.text('notes_title', lang))}</strong><ul>{''.join(items)}</ul></aside>")


def show_notes(ctx: ReportContext, page: str) -> None:
    """Display the notes box of ``page`` at the top of a report page (nothing when there are none)."""
    show_html(notes_html(ctx.results, page, ctx.lang, ctx.instrument))


def show_glossary(keys: Sequence[str], lang: str = "de") -> None:
    """Display a one-line plain explanation of each statistic ``keys`` where it is first used."""
    show_html(L.glossary_html(keys, lang))


# ---------------------------------------------------------------------------------------- tables
_P_COLUMNS = frozenset({"p", "p_unc", "p_holm", "p_fdr_bh", "p_tukey", "p_tail", "lrt_p"})


def _is_count(col: str) -> bool:
    c = str(col).lower()
    return c == "n" or c.startswith("n_") or c in {"k", "count", "df1", "n0"}


def cell_text(v: Any, col: str, decimals: int, lang: str) -> tuple[str, bool]:
    """A table cell as text (counts as integers, p as ``< 0,001``) and whether it is numeric."""
    if isinstance(v, bool) or (hasattr(v, "dtype") and str(getattr(v, "dtype", "")) == "bool"):
        return fmt_number(bool(v), decimals, lang), False
    if is_missing(v):
        return "–", True
    if isinstance(v, (int, float)) or (hasattr(v, "__float__") and not isinstance(v, str)):
        if col in _P_COLUMNS:
            return fmt_p(v, lang, with_p=False), True
        return fmt_number(v, decimals, lang, count=_is_count(col)), True
    return str(L.translate_phrases(v, lang)), False


def table_html(
    df: pd.DataFrame,
    columns: Mapping[str, str] | None = None,
    decimals: Mapping[str, int] | int = 2,
    lang: str = "de",
    n_col: str | None = "n",
    max_rows: int = 60,
    caption: str | None = None,
    table: str | None = None,
) -> str:
    """A result table as escaped HTML with localised numbers and German (or English) headers.

    Parameters
    ----------
    df : DataFrame
    columns : mapping column -> header, optional
        Columns to show, in order, with their headers; default every column with its header
        from :mod:`reporting.labels` (columns said in the other language left out).
    decimals : int or mapping column -> int
    n_col : str or None
        Group-size column: each row carries ``data-n`` so that ``baustein audit`` can check the
        small-cell rule in the exported page.
    table : str, optional
        Name of the result table (some columns mean something else in one table).

    Notes
    -----
    Counts are integers, p values read ``< 0,001``; headers that name a statistic carry its
    plain explanation as a tooltip; every cell is HTML-escaped.
    """
    if columns is None:
        hidden = L.HIDDEN_COLUMNS.get(lang, frozenset()) | {"suppressed"}
        columns = {c: L.header(c, lang, table) for c in df.columns if c not in hidden}
    cols = [c for c in columns if c in df.columns]
    head = []
    for c in cols:
        term = L.HEADER_TERMS.get(c)
        tip = f' title="{_html.escape(L.explain(term, lang))}"' if term else ""
        head.append(f"<th{tip}>{escape_html(columns[c])}</th>")
    rows = []
    for idx, r in df.head(max_rows).iterrows():
        cells = []
        for c in cols:
            d = decimals.get(c, 2) if isinstance(decimals, Mapping) else decimals
            txt, numeric = cell_text(r[c], c, d, lang)
            align = "right" if numeric else "left"
            cells.append(f"<td style='text-align:{align}'>{escape_html(txt)}</td>")
        n_attr = ""
        if n_col and n_col in df.columns and not is_missing(df.loc[idx, n_col]):
            n_attr = f' data-n="{int(df.loc[idx, n_col])}"'
        rows.append(f"<tr{n_attr}>{''.join(cells)}</tr>")
    more = ""
    if len(df) > max_rows:
        more = f"<p><small>{escape_html(L.text('more_rows', lang, k=len(df) - max_rows))}</small></p>"
    cap = f"<caption>{escape_html(caption)}</caption>" if caption else ""
    return (f"<table class='baustein-table'>{cap}<thead><tr>{''.join(head)}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>{more}")


def show_table(df: pd.DataFrame, columns: Mapping[str, str] | None = None, **options: Any) -> None:
    """Display a result table; ``options`` as for :func:`table_html` (decimals, lang, n_col ...)."""
    show_html(table_html(df, columns, **options))
