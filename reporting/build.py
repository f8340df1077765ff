"""Build shareable HTML reports by executing the notebooks headless.

The notebooks in ``notebooks/`` (jupytext percent format) are the reports. :func:`build_reports`

1. runs the analysis once (:func:`analysis.run`) and caches the results next to the dataset, so
   every notebook loads them instead of recomputing;
2. executes the overview notebooks and the per-municipality profile notebook **in one kernel**
   (a kernel start costs ~10 s; 1,100 kernels would cost hours), injecting parameters after the
   cell tagged ``parameters`` (papermill's convention);
3. exports standalone HTML with code hidden (nbconvert), removes every reference to the internet
   and loads plotly.js once from ``assets/plotly.min.js`` beside the pages, so reports open
   offline in any browser;
4. writes ``index.html``, ``results.xlsx``/``results.json``, the executed notebooks and static
   PNG/PDF versions of the key charts (kaleido with the system Chromium, when available);
5. writes everything into a temporary folder that replaces ``out_dir`` only when all succeeded.
"""

from __future__ import annotations

import copy
import datetime as _dt
import functools
import json
import os
import re
import shutil
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.atomic import atomic_output_dir
from core.errors import ReportError
from core.spreadsheet_escape import escape_html

__all__ = [
    "OVERVIEW_NOTEBOOKS",
    "PROFILE_NOTEBOOK",
    "ReportBuild",
    "build_reports",
    "export_html",
    "load_notebook",
    "notebooks_dir",
]

OVERVIEW_NOTEBOOKS = (
    "01_import_quality",
    "02_instrument",
    "03_municipalities",
    "04_commitment_structures",
)
PROFILE_NOTEBOOK = "05_municipality_profile"

TITLES = {
    "de": {
        "01_import_quality": "Import und Datenqualität",
        "02_instrument": "Instrument: Items und Reliabilität",
        "03_municipalities": "Kommunen im Vergleich",
        "04_commitment_structures": "Formen des Engagements und Stärke der Strukturen",
        "profiles": "Profile der Kommunen",
        "index": "Auswertung Sorgende Gemeinschaften",
        "results": "Ergebnistabellen (Excel)",
        "images": "Grafiken zum Einfügen in Berichte (PNG/PDF)",
    },
    "en": {
        "01_import_quality": "Import and data quality",
        "02_instrument": "Instrument: items and reliability",
        "03_municipalities": "Municipalities compared",
        "04_commitment_structures": "Kinds of commitment and strength of structures",
        "profiles": "Municipality profiles",
        "index": "Caring-community evaluation",
        "results": "Result tables (Excel)",
        "images": "Charts for pasting into reports (PNG/PDF)",
    },
}


def notebooks_dir() -> Path:
    """The folder holding the report notebooks (``notebooks/`` of the project)."""
    env = os.environ.get("BAUSTEIN_NOTEBOOKS")
    folder = Path(env) if env else Path(__file__).resolve().parents[1] / "notebooks"
    if not (folder / f"{PROFILE_NOTEBOOK}.py").exists():
        raise ReportError(
            f"Notebook-Ordner nicht gefunden: {folder}. Bitte aus dem Projektordner installieren "
            "(pip install -e .) oder BAUSTEIN_NOTEBOOKS setzen. / Notebook folder not found."
        )
    return folder


def load_notebook(name: str, params: dict[str, Any] | None = None, folder: Path | None = None) -> Any:
    """Read ``notebooks/<name>.py`` and inject ``params`` after the cell tagged ``parameters``."""
    import jupytext
    import nbformat

    path = (folder or notebooks_dir()) / f"{name}.py"
    nb = jupytext.read(path)
    if params:
        src = "\n".join(f"{k} = {v!r}" for k, v in params.items())
        cell = nbformat.v4.new_code_cell(src, metadata={"tags": ["injected-parameters"]})
        idx = next(
            (i for i, c in enumerate(nb.cells) if "parameters" in c.get("metadata", {}).get("tags", [])),
            None,
        )
        nb.cells.insert(0 if idx is None else idx + 1, cell)
    nb.metadata.setdefault("kernelspec", {"name": "python3", "display_name": "Python 3", "language": "python"})
    return nb


_EXTERNAL_SCRIPT = re.compile(r"<script[^>]*\bsrc=\"https?://[^\"]*\"[^>]*>\s*</script>", re.I)
_MERMAID_SCRIPT = re.compile(r"<script[^>]*>(?:(?!</script>).)*mermaid(?:(?!</script>).)*</script>", re.S | re.I)
_STYLE_BLOCK = re.compile(r"<style[^>]*>(.*?)</style>", re.S | re.I)


def externalise_css(html: str, css_dir: Path, href_prefix: str) -> str:
    """Move the page's inline ``<style>`` blocks into one shared stylesheet in ``css_dir``.

    nbconvert inlines ~260 KB of JupyterLab CSS into every page; with 1,100 profiles that is
    ~300 MB of repeated CSS. The stylesheet is named by its content hash, so pages built from a
    different template version never share a wrong file.
    """
    import hashlib

    blocks = _STYLE_BLOCK.findall(html)
    if not blocks:
        return html
    css = "\n".join(blocks)
    name = f"notebook-{hashlib.sha256(css.encode()).hexdigest()[:12]}.css"
    target = css_dir / name
    if not target.exists():
        target.write_text(css, encoding="utf-8")
    html = _STYLE_BLOCK.sub("", html)
    link = f'<link rel="stylesheet" href="{escape_html(href_prefix + name)}">'
    return html.replace("<head>", "<head>\n" + link, 1)


_EXTERNAL_LINK = re.compile(r"<link[^>]*\bhref=\"https?://[^\"]*\"[^>]*/?>", re.I)


@functools.lru_cache(maxsize=1)
def _exporter() -> Any:
    """One nbconvert exporter for all pages (building its Jinja environment costs ~0.1 s each time)."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="lab",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    exporter.mathjax_url = ""
    exporter.require_js_url = ""
    return exporter


def export_html(nb: Any, plotly_src: str, title: str, lang: str = "de") -> str:
    """Standalone HTML of an executed notebook: no code, no internet, plotly.js loaded once."""
    import nbformat

    exporter = _exporter()
    nb = copy.deepcopy(nb)
    nb.metadata["title"] = title
    body, _ = exporter.from_notebook_node(nbformat.from_dict(nb))
    body = _MERMAID_SCRIPT.sub("", body)  # loads mermaid.js from a CDN; reports have no diagrams
    body = _EXTERNAL_SCRIPT.sub("", body)
    body = _EXTERNAL_LINK.sub("", body)
    body = re.sub(r"<script[^>]*\bsrc=\"\"[^>]*>\s*</script>", "", body)
    head = (
        f'<meta charset="utf-8">\n<script src="{escape_html(plotly_src)}"></script>\n'
        "<style>@media print { .modebar-container { display: none !important; } } "
        "body { max-width: 1200px; margin: auto; }</style>\n"
    )
    body = body.replace("<head>", "<head>\n" + head, 1)
    if lang == "de":
        body = re.sub(r"<html([^>]*)lang=\"[^\"]*\"", r'<html\1lang="de"', body, count=1)
    return body


@dataclass
class _Kernel:
    """One Jupyter kernel that executes many notebooks one after the other."""

    cwd: Path
    timeout: int = 300
    _client: Any = None
    _ctx: Any = None

    def __enter__(self) -> _Kernel:
        import nbformat
        from nbclient import NotebookClient

        self._client = NotebookClient(
            nbformat.v4.new_notebook(),
            timeout=self.timeout,
            kernel_name="python3",
            resources={"metadata": {"path": str(self.cwd)}},
        )
        self._ctx = self._client.setup_kernel(cwd=str(self.cwd))
        self._ctx.__enter__()
        return self

    def run(self, nb: Any) -> Any:
        from nbclient.exceptions import CellExecutionError

        client = self._client
        client.nb = nb
        client.reset_execution_trackers()
        try:
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
        except CellExecutionError as exc:
            raise ReportError(f"Notebook konnte nicht ausgeführt werden / notebook failed:\n{exc}") from exc
        return nb

    def __exit__(self, *exc: Any) -> None:
        self._ctx.__exit__(*exc)


@dataclass
class ReportBuild:
    """What :func:`build_reports` wrote (paths relative to ``out_dir``) and how long it took."""

    out_dir: Path
    pages: list[tuple[str, str]] = field(default_factory=list)
    profiles: list[tuple[str, str, str]] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    image_note: str = ""
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def index(self) -> Path:
        return self.out_dir / "index.html"


def _write_index(
    tmp: Path, build: ReportBuild, lang: str, dataset_name: str, suppressed: Sequence[tuple[str, str]]
) -> None:
    t = TITLES["de" if lang == "de" else "en"]
    rows = "\n".join(f'<li><a href="{escape_html(href)}">{escape_html(title)}</a></li>' for title, href in build.pages)
    prof = "\n".join(
        f'<li><a href="{escape_html(href)}">{escape_html(name)}</a> <small>({escape_html(ags)})</small></li>'
        for ags, name, href in build.profiles
    )
    supp = "\n".join(f"<li>{escape_html(name)} <small>({escape_html(ags)})</small></li>" for ags, name in suppressed)
    note_small = (
        "Für diese Kommunen gibt es weniger Antworten als die Mindestzahl; sie erhalten kein Profil:"
        if lang == "de"
        else "These municipalities have fewer answers than the minimum; no profile is shown:"
    )
    imgs = "\n".join(f'<li><a href="{escape_html(p)}">{escape_html(Path(p).name)}</a></li>' for p in build.images)
    when = _dt.date.today().isoformat()
    html = f"""<!DOCTYPE html>
<html lang="{"de" if lang == "de" else "en"}"><head><meta charset="utf-8">
<title>{escape_html(t["index"])}</title>
<style>body{{font-family:Arial,Helvetica,sans-serif;max-width:960px;margin:2em auto;line-height:1.45}}
h1{{font-size:1.6em}} li{{margin:.2em 0}} .note{{color:#555}} ul.cols{{columns:3}}</style></head>
<body>
<h1>{escape_html(t["index"])}</h1>
<p class="note">{escape_html(dataset_name)} · {when}</p>
<h2>{"Übersicht" if lang == "de" else "Overview"}</h2>
<ul>
{rows}
<li><a href="results.xlsx">{escape_html(t["results"])}</a></li>
</ul>
<h2>{escape_html(t["profiles"])}</h2>
<ul class="cols">
{prof}
</ul>
{f"<p class='note'>{escape_html(note_small)}</p><ul class='cols'>{supp}</ul>" if suppressed else ""}
<h2>{escape_html(t["images"])}</h2>
<p class="note">{escape_html(build.image_note)}</p>
<ul class="cols">
{imgs}
</ul>
</body></html>
"""
    (tmp / "index.html").write_text(html, encoding="utf-8")


def build_reports(
    dataset_dir: str | Path,
    out_dir: str | Path,
    municipalities: Iterable[str] | None = None,
    all_municipalities: bool = False,
    lang: str = "de",
    min_n: int = 5,
    images: bool = True,
    progress: Callable[[str], None] | None = None,
) -> ReportBuild:
    """Execute the report notebooks and write the HTML report folder (see module docstring).

    Parameters
    ----------
    dataset_dir : path
        A dataset folder written by ``baustein import``.
    out_dir : path
        Report folder; replaced atomically when the build succeeds.
    municipalities : iterable of AGS, optional
        Profiles to build. ``all_municipalities=True`` builds one per municipality with at least
        ``min_n`` respondents. Default: none (overview only).
    lang : {"de", "en"}
    min_n : int
        Minimum cell size; smaller groups are suppressed everywhere.
    images : bool
        Also export static PNG/PDF versions of the key charts (needs Chromium).
    """
    from analysis import AnalysisConfig
    from reporting.results_cache import run_cached
    from surveys.dataset import Dataset

    from .results_workbook import write_results

    say = progress or (lambda msg: None)
    dataset_dir = Path(dataset_dir).resolve()
    out_dir = Path(out_dir)
    t0 = time.perf_counter()
    ds = Dataset.load(dataset_dir)
    config = AnalysisConfig(min_n=min_n, lang=lang)
    results = run_cached(ds, config, dataset_dir)
    build = ReportBuild(out_dir=out_dir)
    build.timings["analysis"] = time.perf_counter() - t0

    summary = results.tables["kommunen_uebersicht"]
    eligible = summary.loc[~summary["suppressed"].astype(bool), "ags"].astype(str).tolist()
    names = dict(zip(ds.municipalities["ags"].astype(str), ds.municipalities["name"].astype(str)))
    if all_municipalities:
        wanted = eligible
    else:
        wanted = [str(a).zfill(8) for a in (municipalities or [])]
        unknown = [a for a in wanted if a not in names]
        if unknown:
            raise ReportError(
                f"Unbekannte AGS / unknown AGS: {', '.join(unknown)}. Bekannt sind z. B.: "
                + ", ".join(list(names)[:5])
            )
    too_small = [(a, names.get(a, a)) for a in wanted if a not in eligible]
    wanted = [a for a in wanted if a in eligible]

    folder = notebooks_dir()
    t = TITLES["de" if lang == "de" else "en"]
    with atomic_output_dir(out_dir, kind="report", inputs=[dataset_dir]) as tmp:
        (tmp / "assets").mkdir()
        import plotly

        shutil.copyfile(
            Path(plotly.__file__).parent / "package_data" / "plotly.min.js", tmp / "assets" / "plotly.min.js"
        )
        (tmp / "notebooks").mkdir()
        (tmp / "profile").mkdir()
        write_results(results, tmp / "results.xlsx", tmp / "results.json")
        base = {"dataset": str(dataset_dir), "lang": lang, "min_n": min_n, "interactive": False}
        import nbformat

        t1 = time.perf_counter()
        with _Kernel(cwd=folder) as kernel:
            for name in OVERVIEW_NOTEBOOKS:
                say(f"{name} …")
                nb = kernel.run(load_notebook(name, base, folder))
                nbformat.write(nb, tmp / "notebooks" / f"{name}.ipynb")
                page = export_html(nb, "assets/plotly.min.js", t[name], lang)
                (tmp / f"{name}.html").write_text(externalise_css(page, tmp / "assets", "assets/"), encoding="utf-8")
                build.pages.append((t[name], f"{name}.html"))
            build.timings["overview"] = time.perf_counter() - t1
            t2 = time.perf_counter()
            for k, ags in enumerate(wanted, start=1):
                say(f"{PROFILE_NOTEBOOK} {ags} ({k}/{len(wanted)}) …")
                nb = kernel.run(load_notebook(PROFILE_NOTEBOOK, {**base, "ags": ags}, folder))
                if len(wanted) <= 50:
                    nbformat.write(nb, tmp / "notebooks" / f"{PROFILE_NOTEBOOK}_{ags}.ipynb")
                title = f"{names.get(ags, ags)} ({ags})"
                page = export_html(nb, "../assets/plotly.min.js", title, lang)
                (tmp / "profile" / f"{ags}.html").write_text(
                    externalise_css(page, tmp / "assets", "../assets/"), encoding="utf-8"
                )
                build.profiles.append((ags, names.get(ags, ags), f"profile/{ags}.html"))
            build.timings["profiles"] = time.perf_counter() - t2
        if images:
            t3 = time.perf_counter()
            build.images, build.image_note = _static_images(results, ds, tmp / "images", lang)
            build.timings["images"] = time.perf_counter() - t3
        _write_index(tmp, build, lang, ds.manifest.get("dataset_name", dataset_dir.name), too_small)
        (tmp / "build.json").write_text(
            json.dumps({"timings_s": build.timings, "profiles": len(build.profiles)}, indent=2), encoding="utf-8"
        )
    build.timings["total"] = time.perf_counter() - t0
    return build


def _static_images(results: Any, ds: Any, folder: Path, lang: str) -> tuple[list[str], str]:
    """PNG and PDF versions of the key overview charts, via kaleido and the system Chromium."""
    from .figures import key_figures

    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if not chromium:
        return [], (
            "Keine statischen Grafiken: Chromium ist nicht installiert (apt-get install chromium)."
            if lang == "de"
            else "No static charts: Chromium is not installed."
        )
    os.environ.setdefault("BROWSER_PATH", chromium)
    import plotly.io as pio

    figs = key_figures(results, ds.instrument, lang)
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[str] = []
    figures: list[Any] = []
    files: list[Path] = []
    for name, fig in figs.items():
        for ext in ("png", "pdf"):
            figures.append(fig)
            files.append(folder / f"{name}.{ext}")
            paths.append(f"images/{name}.{ext}")
    try:
        pio.write_images(figures, files, width=1000, height=600, scale=2)
    except Exception as exc:  # kaleido/Chromium failures must not break the HTML report
        shutil.rmtree(folder, ignore_errors=True)
        return [], f"Statische Grafiken nicht erzeugt / static charts failed: {type(exc).__name__}: {exc}"
    note = (
        "PNG (für Word/PowerPoint) und PDF, erzeugt mit kaleido und Chromium."
        if lang == "de"
        else "PNG (for Word/PowerPoint) and PDF, made with kaleido and Chromium."
    )
    return paths, note
