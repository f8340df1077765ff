"""Small helpers the report notebooks use to load results and display figures and tables.

The notebooks hold no analysis logic: they call :func:`setup` (dataset + cached
:func:`analysis.run` results), the figure builders of :mod:`reporting.figures`, and :func:`show` /
:func:`show_table` / :func:`md` to display them.

``show(fig)`` emits one output with two representations: plotly's JSON mimetype (drawn
interactively by JupyterLab) and an HTML snippet that calls ``Plotly.newPlot`` without embedding
plotly.js — the exported report loads plotly.js once from its ``assets`` folder. This avoids both
known traps: charts vanishing from nbconvert HTML (plotly >= 6) and 5 MB of JavaScript per chart.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from core.spreadsheet_escape import escape_html

__all__ = ["ReportContext", "default_dataset", "fmt_number", "md", "no_raw_html", "setup", "show", "show_table"]

PLOTLY_CONFIG = {"displaylogo": False, "responsive": True, "toImageButtonOptions": {"format": "png", "scale": 2}}


def default_dataset() -> str:
    """Dataset folder for interactive use: ``$BAUSTEIN_DATASET`` or the demo's example dataset."""
    env = os.environ.get("BAUSTEIN_DATASET")
    if env:
        return env
    return str(Path(__file__).resolve().parents[1] / "data" / "processed" / "example")


@dataclass(frozen=True)
class ReportContext:
    """What a report notebook works with."""

    dataset: Any  # surveys.dataset.Dataset
    results: Any  # analysis.Results
    lang: str
    min_n: int
    rejections: pd.DataFrame | None = None

    @property
    def instrument(self) -> Any:
        return self.dataset.instrument

    def construct_label(self, construct_id: str) -> str:
        return self.instrument.construct(construct_id).label(self.lang)

    def municipality_name(self, ags: str) -> str:
        m = self.dataset.municipalities
        hit = m.loc[m["ags"].astype(str) == str(ags), "name"]
        return str(hit.iloc[0]) if len(hit) else str(ags)


#: Contexts already loaded in this kernel. The report builder runs every notebook and all profiles
#: in one kernel; without this, each of 1,100 profiles would reload the dataset and the results.
_LOADED: dict[tuple[Any, ...], ReportContext] = {}


def setup(dataset: str | Path | None = None, lang: str = "de", min_n: int = 5) -> ReportContext:
    """Load the dataset and its (cached) analysis results for a notebook.

    Loaded once per kernel for the same folder, files (size and mtime), language and ``min_n``.
    """
    path = Path(dataset or default_dataset()).resolve()
    stamp = tuple(
        (p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(path.glob("*")) if p.is_file()
    )
    key = (str(path), stamp, lang, min_n)
    if key not in _LOADED:
        _LOADED.clear()  # keep at most one dataset in memory
        _LOADED[key] = _load(path, lang, min_n)
    return _LOADED[key]


def _load(path: Path, lang: str, min_n: int) -> ReportContext:
    from analysis import AnalysisConfig
    from reporting.results_cache import run_cached
    from surveys.dataset import Dataset

    ds = Dataset.load(path)
    results = run_cached(ds, AnalysisConfig(min_n=min_n, lang=lang), path)
    rej_path = path / "rejections.csv"
    rejections = pd.read_csv(rej_path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig") if rej_path.exists() else None
    return ReportContext(dataset=ds, results=results, lang=lang, min_n=min_n, rejections=rejections)


def figure_bundle(fig: Any) -> dict[str, Any]:
    """The MIME bundle :func:`show` displays: plotly JSON for JupyterLab, an HTML snippet for reports."""
    return {
        "application/vnd.plotly.v1+json": fig.to_plotly_json() | {"config": PLOTLY_CONFIG},
        "text/html": fig.to_html(full_html=False, include_plotlyjs=False, config=PLOTLY_CONFIG),
        "text/plain": f"<Figure: {fig.layout.title.text or ''}>",
    }


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
    from IPython.display import Markdown, display

    display(Markdown(no_raw_html(text)))


def no_raw_html(text: str) -> str:
    """Markdown text with raw HTML disabled: ``&`` -> ``&amp;``, ``<`` -> ``&lt;`` (shown as typed).

    >>> no_raw_html("## <script>alert(1)</script> & Co")
    '## &lt;script>alert(1)&lt;/script> &amp; Co'
    """
    return str(text).replace("&", "&amp;").replace("<", "&lt;")


def fmt_number(x: Any, decimals: int = 2, lang: str = "de") -> str:
    """Format a number with a decimal comma in German (``0,42``) and a point in English."""
    if x is None or (isinstance(x, float) and pd.isna(x)) or x is pd.NA:
        return "–"
    if isinstance(x, bool):
        return ("ja" if x else "nein") if lang == "de" else ("yes" if x else "no")
    if isinstance(x, int) or (isinstance(x, float) and float(x).is_integer() and decimals == 0):
        s = f"{int(x):,}"
        return s.replace(",", ".") if lang == "de" else s
    s = f"{float(x):,.{decimals}f}"
    if lang == "de":
        s = s.replace(",", "§").replace(".", ",").replace("§", ".")
    return s


def _is_count(col: str) -> bool:
    c = str(col).lower()
    return c == "n" or c.startswith("n_") or c in {"k", "df1", "count"}


def show_table(
    df: pd.DataFrame,
    columns: Mapping[str, str] | None = None,
    decimals: Mapping[str, int] | int = 2,
    lang: str = "de",
    n_col: str | None = "n",
    max_rows: int = 60,
    caption: str | None = None,
) -> None:
    """Display a result table as escaped HTML with localised numbers.

    Every cell is HTML-escaped (user-provided names cannot inject script). Rows carry a
    ``data-n`` attribute with the group size when ``n_col`` is present, so ``baustein audit``
    can check the small-cell rule in the exported report.
    """
    from IPython.display import HTML, display

    tab = df if columns is None else df[[c for c in columns if c in df.columns]]
    head = "".join(f"<th>{escape_html((columns or {}).get(c, c))}</th>" for c in tab.columns)
    rows = []
    for _, r in tab.head(max_rows).iterrows():
        cells = []
        for c in tab.columns:
            v = r[c]
            d = decimals.get(c, 2) if isinstance(decimals, Mapping) else decimals
            if _is_count(c) and isinstance(v, (int, float)) and not isinstance(v, bool) and pd.notna(v) and float(v).is_integer():
                d = 0
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                cells.append(f"<td style='text-align:right'>{escape_html(fmt_number(v, d, lang))}</td>")
            else:
                cells.append(f"<td>{escape_html(fmt_number(v, d, lang) if isinstance(v, bool) or pd.isna(v) else v)}</td>")
        n_attr = ""
        if n_col and n_col in df.columns:
            nv = df.loc[r.name, n_col]
            if pd.notna(nv):
                n_attr = f' data-n="{int(nv)}"'
        rows.append(f"<tr{n_attr}>{''.join(cells)}</tr>")
    more = ""
    if len(tab) > max_rows:
        more = f"<p><small>… {len(tab) - max_rows} weitere Zeilen in results.xlsx</small></p>"
    cap = f"<caption>{escape_html(caption)}</caption>" if caption else ""
    html = (
        f"<table class='baustein-table'>{cap}<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{more}"
    )
    display(HTML(html))
