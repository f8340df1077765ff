"""Safe outputs: no formula injection in any spreadsheet or CSV we write, no script injection in any
HTML report, and the publication audit finds planted small groups (issue 7, items 4 and 5).

A small programme is simulated and two municipalities are given hostile names: ``<script>…``
and ``=HYPERLINK(…)`` (districts likewise). The reports are built once for the module (one profile,
no static images) and every written file is checked.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from core.spreadsheet_escape import FORMULA_PREFIXES
from reporting.audit import audit_outputs
from surveys import Instrument
from surveys.dataset import Dataset

SCRIPT = "<script>alert(1)</script>"
HYPERLINK = '=HYPERLINK("http://x","y")'
HOSTILE_TEXTS = {
    "name": [SCRIPT, HYPERLINK, "+49 Tel", "-Minus", "@SUM(A1)", "\tTab", "\rCR"],
    "district": ['<img src=x onerror="alert(2)">', "=1+1"],
}


def _assert_text_cells_neutral(path: Path) -> int:
    """No formula cell anywhere; text cells that start with a formula prefix are apostrophe-led."""
    import openpyxl

    wb = openpyxl.load_workbook(path)  # not read_only: data_type is reliable
    n_text = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", f"{path.name} {ws.title}!{c.coordinate}: formula {c.value!r}"
                if isinstance(c.value, str):
                    n_text += 1
                    assert not c.value.startswith(FORMULA_PREFIXES), (path.name, ws.title, c.coordinate, c.value)
    return n_text


def _assert_csv_neutral(path: Path, sep: str = ";") -> None:
    text = path.read_text(encoding="utf-8-sig")
    for row in csv.reader(io.StringIO(text), delimiter=sep):
        for cell in row:
            if cell and not re.fullmatch(r"-?\d+([.,]\d+)?(e-?\d+)?", cell):
                assert not cell.startswith(FORMULA_PREFIXES), (path.name, cell)


@pytest.fixture(scope="module")
def hostile_dataset(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    from surveys.synthetic import simulate

    inst = Instrument.load("sensibilisierung")
    prog = simulate(6, 30, seed=11, instrument=inst, waves=("2025",), equal_n=True, population_truth_n=None)
    munis = prog.municipalities.copy().reset_index(drop=True)
    names = {}
    for i, bad in enumerate([SCRIPT, HYPERLINK]):
        munis.loc[i, "name"] = bad
        names[str(munis.loc[i, "ags"])] = bad
    munis.loc[0, "district"] = HOSTILE_TEXTS["district"][0]
    munis.loc[1, "district"] = HOSTILE_TEXTS["district"][1]
    ds = Dataset.from_wide(prog.wide, munis, inst)
    out = tmp_path_factory.mktemp("hostile") / "dataset"
    ds.save(out)
    return out, names


@pytest.fixture(scope="module")
def hostile_reports(hostile_dataset: tuple[Path, dict[str, str]], tmp_path_factory: pytest.TempPathFactory) -> Path:
    from reporting.build import build_reports

    dataset, names = hostile_dataset
    out = tmp_path_factory.mktemp("hostile-reports") / "reports"
    script_ags = next(a for a, n in names.items() if n == SCRIPT)
    build_reports(dataset, out, municipalities=[script_ags], images=False)
    return out


# ----------------------------------------------------------------------------- HTML
def test_no_report_page_contains_the_script_name_unescaped(hostile_reports: Path) -> None:
    pages = sorted(hostile_reports.rglob("*.html"))
    assert any(p.parent.name == "profile" for p in pages) and (hostile_reports / "index.html") in pages
    seen_escaped = 0
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert SCRIPT not in html, page
        assert "<img src=x" not in html, page
        # inside <script> blocks (plotly JSON) a literal "</script" would end the block early
        for block in re.findall(r"<script\b[^>]*>(.*?)</script>", html, flags=re.S | re.I):
            assert "<script>alert(1)" not in block and "alert(1)</" not in block, page
        seen_escaped += html.count("&lt;script&gt;alert(1)") + html.count("\\u003cscript\\u003ealert(1)")
        seen_escaped += html.count("&lt;script>alert(1)")
    assert seen_escaped > 0, "the hostile name should appear (escaped) somewhere in the reports"


def test_profile_title_and_header_show_the_name_as_text(hostile_reports: Path, hostile_dataset) -> None:  # type: ignore[no-untyped-def]
    _, names = hostile_dataset
    ags = next(a for a, n in names.items() if n == SCRIPT)
    html = (hostile_reports / "profile" / f"{ags}.html").read_text(encoding="utf-8")
    title = re.search(r"<title>(.*?)</title>", html, flags=re.S)
    assert title and "<script" not in title.group(1) and "alert(1)" in title.group(1)
    assert re.search(r"&lt;script(&gt;|>)alert\(1\)", html)


def test_executed_notebooks_hold_no_raw_script_in_markdown_or_html_outputs(hostile_reports: Path) -> None:
    for nb_path in (hostile_reports / "notebooks").glob("*.ipynb"):
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            for out in cell.get("outputs", []):
                data = out.get("data", {})
                for mime in ("text/html", "text/markdown"):
                    text = "".join(data.get(mime, []))
                    assert SCRIPT not in text, (nb_path.name, mime)


# ----------------------------------------------------------------------------- results workbook / JSON
def test_results_workbook_shows_hostile_names_as_text_never_formulas(hostile_reports: Path) -> None:
    import openpyxl

    path = hostile_reports / "results.xlsx"
    assert _assert_text_cells_neutral(path) > 0
    wb = openpyxl.load_workbook(path)
    texts = {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert "'" + HYPERLINK in texts
    assert SCRIPT in texts  # plain text in a cell is harmless in Excel; it must stay readable


def test_results_json_neutralises_formula_text(hostile_reports: Path) -> None:
    data = json.loads((hostile_reports / "results.json").read_text(encoding="utf-8"))
    strings: list[str] = []

    def walk(o: object) -> None:
        if isinstance(o, dict):
            for v in o.values():
                walk(v)
        elif isinstance(o, list):
            for v in o:
                walk(v)
        elif isinstance(o, str):
            strings.append(o)

    walk(data["tables"])
    assert "'" + HYPERLINK in strings
    assert not any(s.startswith(("=", "+", "@", "\t", "\r")) for s in strings)


# ----------------------------------------------------------------------------- import report and exports
@pytest.fixture(scope="module")
def hostile_import(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A template workbook whose cells start with every formula prefix, imported with the CLI."""
    from cli import main
    from tests.surveys.test_import_writers import small_wide, write_template

    inst = Instrument.load("sensibilisierung")
    folder = tmp_path_factory.mktemp("hostile-import")
    wide = small_wide(inst, n=8, seed=3)
    wide.loc[0, "KOM01"] = 9.0  # -> a finding whose value is shown in the report
    prefixes = ['=HYPERLINK("http://x","y")', "+1+2", "-3+4", "@SUM(A1)", "\tTab", "\rCR", "=cmd|' /C calc'!A0"]
    for i, text in enumerate(prefixes[:6], start=1):
        wide.loc[i, "respondent_id"] = text
    munis = pd.DataFrame({"ags": ["08111000"], "name": [prefixes[-1]], "district": [HYPERLINK]})
    write_template(inst, wide, folder / "in.xlsx", municipalities=munis)
    # an unknown column with formula-like header and values -> findings carry them into the report
    import openpyxl

    wb = openpyxl.load_workbook(folder / "in.xlsx")
    ws = next(w for w in wb.worksheets if w.max_column > 10)
    col = ws.max_column + 1
    ws.cell(row=1, column=col, value="'=Kopf")  # header text starting with an apostrophe-led formula
    ws.cell(row=2, column=col).value = "+49 170"
    wb.save(folder / "in.xlsx")
    out = folder / "dataset"
    assert main(["import", str(folder / "in.xlsx"), "--out", str(out), "--no-progress"]) in (0, 1)  # 1: imported, some cells rejected
    return out


def test_rejection_report_csv_and_xlsx_neutralise_every_formula_prefix(hostile_import: Path) -> None:
    _assert_text_cells_neutral(hostile_import / "rejections.xlsx")
    _assert_csv_neutral(hostile_import / "rejections.csv")
    text = (hostile_import / "rejections.csv").read_text(encoding="utf-8-sig")
    assert "value_out_of_scale" in text


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_neutralises_formula_text(hostile_import: Path, tmp_path: Path, fmt: str) -> None:
    from cli import main

    target = tmp_path / f"export.{fmt}"
    assert main(["export", str(hostile_import), "--format", fmt, "--out", str(target)]) == 0
    files = [target, *target.parent.glob(f"export*.{fmt}")]
    for f in set(files):
        if fmt == "xlsx":
            assert _assert_text_cells_neutral(f) > 0
        else:
            _assert_csv_neutral(f)
    if fmt == "csv":  # the municipality name arrives, as text
        assert "'=cmd|' /C calc'!A0" in target.read_text(encoding="utf-8-sig")


def test_imported_respondent_ids_are_pseudonyms_and_formula_ids_gone(hostile_import: Path) -> None:
    ds = Dataset.load(hostile_import)
    ids = ds.respondents["respondent_id"].astype(str)
    assert ids.str.fullmatch(r"R-[0-9a-f]{16}").all()
    man = json.loads((hostile_import / "manifest.json").read_text(encoding="utf-8"))
    assert man["privacy"]["respondent_ids"] == "pseudonymized"
    key_file = Path(__import__("os").environ["BAUSTEIN_KEY_FILE"])
    assert key_file.exists() and hostile_import not in key_file.parents


# ----------------------------------------------------------------------------- audit
def test_audit_finds_planted_small_groups_in_a_copy_of_the_example_reports(example_reports: Path, tmp_path: Path) -> None:
    import openpyxl

    copy = tmp_path / "reports"
    shutil.copytree(example_reports, copy)
    assert audit_outputs(copy).empty
    # 1. an HTML table row with data-n="3"
    page = copy / "03_municipalities.html"
    html = page.read_text(encoding="utf-8")
    html = html.replace("</body>", '<table><tr data-n="3" data-group="Gemeinde X"><td>Gemeinde X</td></tr></table></body>', 1)
    # 3. a plotly hover "n = 2"
    html = html.replace(
        "</body>",
        '<div id="p"></div><script>Plotly.newPlot("p", [{"type": "bar", "x": ["Gemeinde Y"], "y": [1], '
        '"hovertext": ["Gemeinde Y<br>n = 2"]}], {})</script></body>',
        1,
    )
    page.write_text(html, encoding="utf-8")
    # 2. a results.xlsx row with n = 2
    wb = openpyxl.load_workbook(copy / "results.xlsx")
    ws = wb["kommunen_uebersicht"] if "kommunen_uebersicht" in wb.sheetnames else wb.worksheets[1]
    header = [c.value for c in ws[1]]
    n_col = next(i for i, h in enumerate(header, start=1) if isinstance(h, str) and re.fullmatch(r"(?i)n|anzahl.*|n \(.*", h))
    ws.cell(row=2, column=n_col, value=2)
    for j, h in enumerate(header, start=1):  # un-suppress the row so the planted n counts
        if isinstance(h, str) and re.match(r"(?i)(suppressed|unterdrückt)", h):
            ws.cell(row=2, column=j, value=False)
    wb.save(copy / "results.xlsx")

    found = audit_outputs(copy)
    small = found.dropna(subset=["n"])
    assert {int(n) for n in small["n"]} >= {2, 3}
    files = {Path(f).name for f in small["file"]}
    assert {"03_municipalities.html", "results.xlsx"} <= files
    assert small["location"].str.contains("data-n").any()
    assert small["problem"].str.contains("text 'n = 2'|hover|plotly", regex=True).any() or (
        small["location"].str.contains("figure").any()
    )
