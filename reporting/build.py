"""Build the report folder: HTML pages, PDF and Word files, results workbook, index.

The notebooks in ``notebooks/`` (jupytext percent format) are the reports. :func:`build_reports`

1. runs the analysis once (:func:`analysis.run`) and caches the results next to the dataset, so
   every notebook loads them instead of recomputing;
2. executes the overview notebooks and the per-municipality profile notebook **in one kernel**
   (a kernel start costs ~10 s; 1,100 kernels would cost hours), injecting parameters after the
   cell tagged ``parameters`` (papermill's convention); the kernel logs errors only;
3. exports standalone HTML with code hidden (nbconvert), removes every reference to the internet,
   loads plotly.js once from ``assets/plotly.min.js`` and gives every page a way back to the
   index; writes the generated "Methoden" page (:mod:`reporting.methods`);
4. prints every profile and the state overview to A4 PDF with headless Chromium and writes Word
   files (:mod:`reporting.documents`), plus a ZIP of all of them;
5. writes ``index.html`` (searchable, sortable, :mod:`reporting.index_page`),
   ``results.xlsx``/``results.json`` and static PNG/PDF versions of the key charts (kaleido);
6. writes everything into a temporary folder that replaces ``out_dir`` only when all succeeded.
"""

from __future__ import annotations

import copy
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

import pandas as pd

from core.atomic import atomic_output_dir
from core.spreadsheet_escape import escape_html

from . import labels as L  # noqa: N812
from .formatting import name_map
from .messages import internal_error, report_error
from .messages import note as notes
from .profile_data import suppressed_mask

__all__ = [
    "OVERVIEW_NOTEBOOKS",
    "PROFILE_NOTEBOOK",
    "REPORT_CSS",
    "ReportBuild",
    "build_reports",
    "export_html",
    "load_notebook",
    "nav_html",
    "notebooks_dir",
]

OVERVIEW_NOTEBOOKS = (
    "01_import_quality",
    "02_instrument",
    "03_municipalities",
    "04_commitment_structures",
)
PROFILE_NOTEBOOK = "05_municipality_profile"
METHODS_PAGE = "methoden"

TITLES = {
    "de": {
        "01_import_quality": "Import und Datenqualität",
        "02_instrument": "Instrument: Antworten und Reliabilität",
        "03_municipalities": "Kommunen im Vergleich",
        "04_commitment_structures": "Formen des Engagements und Stärke der Strukturen",
        METHODS_PAGE: "Methoden",
    },
    "en": {
        "01_import_quality": "Import and data quality",
        "02_instrument": "Instrument: answers and reliability",
        "03_municipalities": "Municipalities compared",
        "04_commitment_structures": "Kinds of commitment and strength of structures",
        METHODS_PAGE: "Methods",
    },
}

#: Stylesheet of every page (``assets/report.css``): tables, boxes, navigation, A4 print.
REPORT_CSS = """
body{max-width:1200px;margin:auto}
.baustein-nav{font-family:Arial,Helvetica,sans-serif;font-size:14px;padding:.6em 1em;border-bottom:1px solid #ddd;
 background:#f7f7f7;position:sticky;top:0;z-index:10}
.baustein-nav a{margin-right:1.1em;color:#0b5394;text-decoration:none}.baustein-nav a:hover{text-decoration:underline}
.baustein-nav a.back{font-weight:bold}
main.baustein-page{font-family:Arial,Helvetica,sans-serif;max-width:1000px;margin:1em auto;padding:0 1em;line-height:1.45}
table.baustein-table{border-collapse:collapse;font-size:13px;margin:.4em 0 1em}
table.baustein-table th{background:#DDEBF7;text-align:left;padding:.3em .5em;vertical-align:bottom}
table.baustein-table th[title]{text-decoration:underline dotted;cursor:help}
table.baustein-table td{border-bottom:1px solid #e4e4e4;padding:.25em .5em;vertical-align:top}
.baustein-glossary ul{margin:.3em 0;padding-left:1.2em}
.baustein-terms dt{font-weight:bold;margin-top:.4em}.baustein-terms dd{margin:0 0 .2em 1.2em}
abbr[title]{text-decoration:underline dotted;cursor:help}
@page{size:A4;margin:14mm 14mm 16mm 14mm}
@media print{
 .baustein-nav,.modebar-container,.jupyter-widgets{display:none !important}
 body,main.baustein-page{max-width:none;margin:0;padding:0}
 .js-plotly-plot,table,.baustein-notes,.baustein-glossary,li{break-inside:avoid}
 h1,h2,h3{break-after:avoid}
 a{color:inherit;text-decoration:none}
}
"""


def notebooks_dir() -> Path:
    """The folder holding the report notebooks (``notebooks/`` of the project)."""
    env = os.environ.get("BAUSTEIN_NOTEBOOKS")
    folder = Path(env) if env else Path(__file__).resolve().parents[1] / "notebooks"
    if not (folder / f"{PROFILE_NOTEBOOK}.py").exists():
        raise report_error("notebooks_missing", folder=folder)
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
    nb.metadata["baustein"] = {"notebook": name}
    return nb


_EXTERNAL_SCRIPT = re.compile(r"<script[^>]*\bsrc=\"https?://[^\"]*\"[^>]*>\s*</script>", re.I)
_MERMAID_SCRIPT = re.compile(r"<script[^>]*>(?:(?!</script>).)*mermaid(?:(?!</script>).)*</script>", re.S | re.I)
_STYLE_BLOCK = re.compile(r"<style[^>]*>(.*?)</style>", re.S | re.I)
_BODY_OPEN = re.compile(r"<body[^>]*>", re.I)


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
    """One nbconvert exporter for all pages (building its Jinja environment costs ~0.1 s each time).

    Cells tagged ``notebook-only`` (the notebooks' introductions for JupyterLab users) are left out.
    """
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    exporter = HTMLExporter(
        template_name="lab",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    remove = TagRemovePreprocessor(remove_cell_tags={"notebook-only"}, enabled=True)
    exporter.register_preprocessor(remove, enabled=True)
    exporter.mathjax_url = ""
    exporter.require_js_url = ""
    return exporter


def nav_html(lang: str, prefix: str = "", current: str = "") -> str:
    """The navigation bar of every page: back to the index, the overview pages and the methods."""
    t = TITLES["de" if lang == "de" else "en"]
    links = [f'<a class="back" href="{escape_html(prefix)}index.html">{escape_html(L.text("back_to_index", lang))}</a>']
    for name in (*OVERVIEW_NOTEBOOKS, METHODS_PAGE):
        cur = ' aria-current="page"' if name == current else ""
        links.append(f'<a href="{escape_html(prefix + name)}.html"{cur}>{escape_html(t[name])}</a>')
    return f'<nav class="baustein-nav" aria-label="Navigation">{"".join(links)}</nav>'


def _head(prefix: str, plotly: bool = True) -> str:
    js = f'<script src="{escape_html(prefix)}assets/plotly.min.js"></script>\n' if plotly else ""
    return (f'<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n{js}'
            f'<link rel="stylesheet" href="{escape_html(prefix)}assets/report.css">\n')


def export_html(nb: Any, plotly_src: str, title: str, lang: str = "de", nav_prefix: str | None = None,
                current: str = "") -> str:
    """Standalone HTML of an executed notebook: no code, no internet, plotly.js loaded once.

    Parameters
    ----------
    nb : NotebookNode
        The executed notebook.
    plotly_src : str
        Relative URL of ``plotly.min.js`` (``assets/plotly.min.js`` or ``../assets/...``).
    title : str
    lang : {"de", "en"}
    nav_prefix : str, optional
        Relative path to the report folder; when given, the page gets the navigation bar and the
        report stylesheet.
    current : str
        Name of the page (marked in the navigation bar).
    """
    import nbformat

    exporter = _exporter()
    nb = copy.deepcopy(nb)
    nb.metadata["title"] = title
    body, _ = exporter.from_notebook_node(nbformat.from_dict(nb))
    body = _MERMAID_SCRIPT.sub("", body)  # loads mermaid.js from a CDN; reports have no diagrams
    body = _EXTERNAL_SCRIPT.sub("", body)
    body = _EXTERNAL_LINK.sub("", body)
    body = re.sub(r"<script[^>]*\bsrc=\"\"[^>]*>\s*</script>", "", body)
    if nav_prefix is None:
        head = f'<meta charset="utf-8">\n<script src="{escape_html(plotly_src)}"></script>\n'
    else:
        head = _head(nav_prefix)
    body = body.replace("<head>", "<head>\n" + head, 1)
    if nav_prefix is not None:
        m = _BODY_OPEN.search(body)
        if m:
            body = body[: m.end()] + nav_html(lang, nav_prefix, current) + body[m.end():]
    body = re.sub(r"<html([^>]*)lang=\"[^\"]*\"", rf'<html\1lang="{"de" if lang == "de" else "en"}"', body, count=1)
    return body


@dataclass
class _Kernel:
    """One Jupyter kernel that executes many notebooks one after the other (logging errors only)."""

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
            # ipykernel logs "Kernel is running over TCP without encryption" at every start: noise
            extra_arguments=["--IPKernelApp.log_level=ERROR"],
        )
        self._ctx = self._client.setup_kernel(cwd=str(self.cwd))
        self._ctx.__enter__()
        return self

    def run(self, nb: Any) -> Any:
        """Execute every cell of ``nb`` in this kernel.

        A failing cell is a bug of ours, never the user's: it raises :class:`core.errors.InternalError`
        (exit code 3) with one clean line naming the notebook and the exception, and the full
        traceback (colour codes removed) in a log file that the line names (:func:`failure_log`).
        Warnings a cell prints on stderr are dropped from the page (readers never see them).
        """
        from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

        client = self._client
        client.nb = nb
        client.reset_execution_trackers()
        try:
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
        except (CellExecutionError, CellTimeoutError, DeadKernelError) as exc:
            name = nb.metadata.get("baustein", {}).get("notebook", "?")
            params = next((c.source for c in nb.cells if "injected-parameters" in c.get("metadata", {}).get("tags", [])), "")
            raise internal_error("notebook_failed", name=name, error=failure_summary(exc),
                                 log=failure_log(name, exc, params)) from exc
        drop_stderr(nb)
        return nb

    def __exit__(self, *exc: Any) -> None:
        self._ctx.__exit__(*exc)


_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")


def failure_summary(exc: BaseException, limit: int = 300) -> str:
    """``ExceptionType: message`` of a failed cell on one line, without colour codes.

    >>> from nbclient.exceptions import CellExecutionError
    >>> failure_summary(CellExecutionError("tb", "TypeError", "int() argument must be … not 'NAType'"))
    "TypeError: int() argument must be … not 'NAType'"
    """
    ename = getattr(exc, "ename", None) or type(exc).__name__
    evalue = getattr(exc, "evalue", None)
    if evalue is None:
        evalue = str(exc)
    text = " ".join(_ANSI.sub("", f"{ename}: {evalue}").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def failure_log(name: str, exc: BaseException, params: str = "") -> Path:
    """Write the full traceback of a failed notebook (colour codes removed) to a new file in the
    temporary folder and return its path (``baustein-report-<notebook>-*.log``).

    A notebook's error carries the kernel's traceback as its text; any other exception gets its
    Python traceback.
    """
    import datetime as dt
    import tempfile
    import traceback

    from surveys import __version__

    detail = str(exc) if hasattr(exc, "ename") else "".join(traceback.format_exception(exc))
    fd, path = tempfile.mkstemp(prefix=f"baustein-report-{re.sub(r'[^A-Za-z0-9_]', '_', name)}-", suffix=".log")
    body = (f"baustein-eval {__version__}, {dt.datetime.now().isoformat(timespec='seconds')}\n"
            f"Notebook / Teil: {name}\nParameter / parameters:\n{params}\n\n{_ANSI.sub('', detail)}\n")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(body)
    return Path(path)


def drop_stderr(nb: Any) -> Any:
    """Remove stderr stream outputs (warnings, library noise) from every cell of an executed notebook."""
    for cell in nb.cells:
        if cell.get("outputs"):
            cell["outputs"] = [o for o in cell["outputs"]
                               if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
    return nb


@dataclass
class ReportBuild:
    """What :func:`build_reports` wrote (paths relative to ``out_dir``) and how long it took."""

    out_dir: Path
    pages: list[tuple[str, str]] = field(default_factory=list)
    profiles: list[tuple[str, str, str]] = field(default_factory=list)
    documents: dict[str, dict[str, str]] = field(default_factory=dict)
    images: list[str] = field(default_factory=list)
    image_note: str = ""
    document_note: str = ""
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def index(self) -> Path:
        """The report's front page."""
        return self.out_dir / "index.html"


#: Progress callback: (what, done, total).
Progress = Callable[[str, int, int], None]


def build_reports(
    dataset_dir: str | Path,
    out_dir: str | Path,
    municipalities: Iterable[str] | None = None,
    all_municipalities: bool = False,
    lang: str = "de",
    min_n: int = 5,
    images: bool = True,
    pdf: bool | None = None,
    docx: bool | None = None,
    progress: Progress | None = None,
    wave: str | None = None,
    wave_order: Sequence[str] | None = None,
) -> ReportBuild:
    """Execute the report notebooks and write the report folder (see module docstring).

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
    pdf, docx : bool, optional
        Write ``profile/<AGS>.pdf``, ``profile/<AGS>.docx`` and the state overview
        (``landesuebersicht.pdf``/``.docx``) plus ``berichte.zip``. Default (None): PDF when
        Chromium is installed, Word always (charts in it need Chromium).
    progress : callable (what, done, total), optional
        Called as pages and documents are done (the CLI draws a progress bar).
    wave, wave_order : optional
        The wave of the cross-sectional analyses and the order of the waves, as for ``baustein
        analyse`` (:class:`analysis.AnalysisConfig`); every page and document uses the same.
    """
    from analysis import AnalysisConfig
    from reporting.results_cache import run_cached
    from surveys.dataset import Dataset

    from .documents import chromium_path
    from .results_workbook import write_results

    tick = progress or (lambda what, done, total: None)
    dataset_dir = Path(dataset_dir).resolve()
    out_dir = Path(out_dir)
    t0 = time.perf_counter()
    ds = Dataset.load(dataset_dir)
    config = AnalysisConfig(min_n=min_n, lang=lang, wave=wave, wave_order=wave_order)
    results = run_cached(ds, config, dataset_dir)
    build = ReportBuild(out_dir=out_dir)
    build.timings["analysis"] = time.perf_counter() - t0
    chromium = chromium_path()
    want_pdf = bool(chromium) if pdf is None else pdf
    want_docx = True if docx is None else docx
    if want_pdf and not chromium:
        raise report_error("chromium_missing")

    summary = results.tables.get("kommunen_uebersicht", pd.DataFrame(columns=["ags", "suppressed"]))
    eligible = summary.loc[~suppressed_mask(summary), "ags"].astype(str).tolist()
    names = {**name_map(summary), **name_map(ds.municipalities)}
    if all_municipalities:
        wanted = eligible
    else:
        wanted = [str(a).zfill(8) for a in (municipalities or [])]
        unknown = [a for a in wanted if a not in names]
        if unknown:
            raise report_error("unknown_ags", ags=", ".join(unknown), known=", ".join(list(names)[:5]))
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
        (tmp / "assets" / "report.css").write_text(REPORT_CSS, encoding="utf-8")
        (tmp / "notebooks").mkdir()
        (tmp / "profile").mkdir()
        write_results(results, tmp / "results.xlsx", tmp / "results.json", instrument=ds.instrument,
                      dataset_name=ds.manifest.get("dataset_name") or dataset_dir.name)
        base = {"dataset": str(dataset_dir), "lang": lang, "min_n": min_n, "wave": wave,
                "wave_order": list(config.wave_order) if config.wave_order is not None else None, "interactive": False}
        import nbformat

        t1 = time.perf_counter()
        n_pages = len(OVERVIEW_NOTEBOOKS) + len(wanted)
        with _Kernel(cwd=folder) as kernel:
            for k, name in enumerate(OVERVIEW_NOTEBOOKS):
                tick(t[name], k, n_pages)
                nb = kernel.run(load_notebook(name, base, folder))
                nbformat.write(nb, tmp / "notebooks" / f"{name}.ipynb")
                page = export_html(nb, "assets/plotly.min.js", t[name], lang, nav_prefix="", current=name)
                (tmp / f"{name}.html").write_text(externalise_css(page, tmp / "assets", "assets/"), encoding="utf-8")
                build.pages.append((t[name], f"{name}.html"))
            build.timings["overview"] = time.perf_counter() - t1
            t2 = time.perf_counter()
            for k, ags in enumerate(wanted, start=len(OVERVIEW_NOTEBOOKS)):
                tick(f"{names.get(ags, ags)} ({ags})", k, n_pages)
                nb = kernel.run(load_notebook(PROFILE_NOTEBOOK, {**base, "ags": ags}, folder))
                if len(wanted) <= 50:
                    nbformat.write(nb, tmp / "notebooks" / f"{PROFILE_NOTEBOOK}_{ags}.ipynb")
                title = f"{names.get(ags, ags)} ({ags})"
                page = export_html(nb, "../assets/plotly.min.js", title, lang, nav_prefix="../")
                (tmp / "profile" / f"{ags}.html").write_text(
                    externalise_css(page, tmp / "assets", "../assets/"), encoding="utf-8"
                )
                build.profiles.append((ags, names.get(ags, ags), f"profile/{ags}.html"))
            tick("HTML", n_pages, n_pages)
            build.timings["profiles"] = time.perf_counter() - t2
        from .methods import write_methods_html

        write_methods_html(tmp / f"{METHODS_PAGE}.html", ds, results, lang, _head("", plotly=False),
                           nav_html(lang, "", METHODS_PAGE), ds.manifest.get("dataset_name") or dataset_dir.name)
        build.pages.append((t[METHODS_PAGE], f"{METHODS_PAGE}.html"))
        png: dict[str, bytes] = {}
        if images or want_docx:
            t3 = time.perf_counter()
            build.images, build.image_note, png = _static_images(results, ds, tmp / "images", lang, keep_files=images)
            build.timings["images"] = time.perf_counter() - t3
        build.documents = {a: {"html": href} for a, _, href in build.profiles}
        if want_pdf or want_docx:
            t4 = time.perf_counter()
            _documents(tmp, dataset_dir, config, build, want_pdf, want_docx, chromium, png, tick)
            build.timings["documents"] = time.perf_counter() - t4
        _write_index(tmp, build, results, ds, lang, too_small, min_n, dataset_dir.name)
        (tmp / "build.json").write_text(
            json.dumps({"timings_s": build.timings, "profiles": len(build.profiles),
                        "documents": sum(len(v) - 1 for v in build.documents.values())}, indent=2),
            encoding="utf-8")
    build.timings["total"] = time.perf_counter() - t0
    return build


def _documents(tmp: Path, dataset_dir: Path, config: Any, build: ReportBuild, want_pdf: bool,
               want_docx: bool, chromium: str | None, png: dict[str, bytes], tick: Progress) -> None:
    """PDF and Word files of every profile and of the state overview, and the ZIP of all.

    Chromium prints two pages at a time; each profile's Word file is written in a thread while
    Chromium goes on (:func:`reporting.documents.print_pages`).
    """
    from .documents import PrintJob, print_pages, write_overview_docx, write_profile_docx, zip_documents
    from .notebook import setup
    from .profile import profile_parts

    lang = config.lang
    ctx = setup(dataset_dir, lang=lang, min_n=config.min_n, wave=config.wave, wave_order=config.wave_order)
    _ = ctx.profile_data  # computed once, before the worker thread needs it
    files: list[Path] = []
    note = "" if chromium else notes("charts_no_chromium", lang)

    def write_docx(job: PrintJob, pngs: list[bytes]) -> None:
        text, parts = profile_parts(ctx, job.key, figures=False)
        write_profile_docx(tmp / "profile" / f"{job.key}.docx", ctx, text, parts, pngs, note)

    t0 = time.perf_counter()
    jobs = [PrintJob(tmp / href, tmp / "profile" / f"{ags}.pdf" if want_pdf else None, f"{name} ({ags})",
                     images=want_docx, key=ags) for ags, name, href in build.profiles]
    total = len(jobs)
    if chromium:
        print_pages(jobs, lang, on_done=write_docx if want_docx else None, executable=chromium,
                    progress=lambda done, n: tick("PDF/Word", done, n))
    elif want_docx:
        for k, job in enumerate(jobs):
            write_docx(job, [])
            tick("PDF/Word", k + 1, total)
    for ags, _, _ in build.profiles:
        for ext, wanted in (("pdf", want_pdf), ("docx", want_docx)):
            if wanted:
                build.documents[ags][ext] = f"profile/{ags}.{ext}"
                files.append(tmp / "profile" / f"{ags}.{ext}")
    build.timings["documents_profiles"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    if want_pdf and chromium:
        from pypdf import PdfWriter

        parts = [PrintJob(tmp / href, tmp / f".{Path(href).stem}.pdf", title) for title, href in build.pages]
        print_pages(parts, lang, workers=1, executable=chromium)
        writer = PdfWriter()
        for job in parts:
            writer.append(str(job.pdf))
        with open(tmp / "landesuebersicht.pdf", "wb") as fh:
            writer.write(fh)
        for job in parts:
            assert job.pdf is not None
            job.pdf.unlink()
        files.append(tmp / "landesuebersicht.pdf")
    if want_docx:
        files.append(write_overview_docx(tmp / "landesuebersicht.docx", ctx, png, build.image_note))
    if (tmp / "images").exists() and not any((tmp / "images").iterdir()):
        (tmp / "images").rmdir()
    build.timings["documents_overview"] = time.perf_counter() - t1
    if files:
        zip_documents(tmp, files, tmp / "berichte.zip")
    build.document_note = note


def _write_index(tmp: Path, build: ReportBuild, results: Any, ds: Any, lang: str,
                 suppressed: list[tuple[str, str]], min_n: int, folder_name: str) -> None:
    from .index_page import IndexEntry, write_index_html

    downloads = [IndexEntry(L.text("results_xlsx", lang), "results.xlsx"),
                 IndexEntry(L.text("results_json", lang), "results.json")]
    if (tmp / "berichte.zip").exists():
        downloads.append(IndexEntry(L.text("documents_zip", lang), "berichte.zip"))
    for f, what in (("landesuebersicht.pdf", "PDF"), ("landesuebersicht.docx", "Word")):
        if (tmp / f).exists():
            downloads.append(IndexEntry(f"{L.text('index_overview', lang)} ({what})", f))
    for p in build.images:
        downloads.append(IndexEntry(f"{L.text('chart', lang)}: {Path(p).name}", p))
    name = ds.manifest.get("dataset_name") or results.meta.get("dataset") or folder_name
    write_index_html(tmp / "index.html", results, ds.instrument, lang, name,
                     [IndexEntry(title, href) for title, href in build.pages], downloads, build.documents,
                     suppressed, min_n)


def _static_images(results: Any, ds: Any, folder: Path, lang: str,
                   keep_files: bool = True) -> tuple[list[str], str, dict[str, bytes]]:
    """PNG and PDF versions of the key overview charts, via kaleido and the system Chromium.

    Returns the written files (relative paths), a note, and the PNGs by chart name (for Word).
    """
    from .documents import chromium_path
    from .figures import key_figures

    chromium = chromium_path()
    if not chromium:
        return [], notes("charts_no_chromium", lang), {}
    os.environ.setdefault("BROWSER_PATH", chromium)
    import plotly.io as pio

    figs = key_figures(results, ds.instrument, lang)
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[str] = []
    figures: list[Any] = []
    files: list[Path] = []
    for name, fig in figs.items():
        for ext in ("png", "pdf") if keep_files else ("png",):
            figures.append(fig)
            files.append(folder / f"{name}.{ext}")
            paths.append(f"images/{name}.{ext}")
    try:
        pio.write_images(figures, files, width=1000, height=600, scale=2)
    except Exception as exc:  # kaleido/Chromium failures must not break the HTML report
        shutil.rmtree(folder, ignore_errors=True)
        return [], notes("charts_failed", lang, detail=f"{type(exc).__name__}: {exc}"), {}
    png = {name: (folder / f"{name}.png").read_bytes() for name in figs}
    if not keep_files:
        for f in files:
            f.unlink()
        paths = []
    note = notes("charts_made", lang)
    return paths, note, png
