"""Odd and hostile deliveries (tests/data/bad/scenarios.py) through ``baustein import``: each gives the
exit code, console words, findings and reconciled counts it must (issue 13, part 4 and 5).

Also: CSV limits are checked before any parser runs, control characters never reach the console,
no line of a rejection report starts a formula, the audit does not take a table of finding counts
for group sizes, and ``analyse --min-n 2`` survives a small group without variance.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from core.spreadsheet_escape import FORMULA_PREFIXES
from surveys.importing import read_responses
from surveys.importing.input_guard import ENV_VARS
from tests.data.bad.corpus import build_file
from tests.data.bad.scenarios import SCENARIOS, build_scenario, exit_code, run_cli

_FORMULA_START = re.compile(r"^[\s\x00-\x1f]*[=+\-@]")


@pytest.fixture(autouse=True)
def _default_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ENV_VARS.values():
        monkeypatch.delenv(var, raising=False)


def _report_texts(folder: Path) -> dict[str, str]:
    """Every text the import wrote (rejection report as CSV and as cell values of the workbook, manifest)."""
    import openpyxl

    texts = {"rejections.csv": (folder / "rejections.csv").read_text(encoding="utf-8-sig")}
    wb = openpyxl.load_workbook(folder / "rejections.xlsx", read_only=True)
    texts["rejections.xlsx"] = "\n".join(
        str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v is not None
    )
    wb.close()
    texts["manifest.json"] = (folder / "manifest.json").read_text(encoding="utf-8")
    return texts


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_delivery_scenario_gives_its_exit_code_findings_and_reconciled_counts(name: str, tmp_path: Path) -> None:
    sc = SCENARIOS[name]
    if sc.symlinks and not hasattr(os, "symlink"):
        pytest.skip("no symbolic links on this system")
    inputs = build_scenario(name, tmp_path / "eingang")
    out = tmp_path / "datensatz"
    rc, console = run_cli(["import", str(inputs), "--out", str(out), "--no-progress", *sc.args])
    assert rc == exit_code(sc.outcome), console
    for word in sc.words:
        assert word in console, (word, console)
    if sc.outcome == "refused":  # before reading: nothing written
        assert not out.exists() and "Traceback" not in console
        return
    folder = out if sc.outcome != "nothing" else out.with_name(out.name + "-pruefbericht")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    totals = manifest["totals"]
    assert totals["rows_in"] == totals["rows_accepted"] + totals["rows_rejected"]
    for f in manifest["inputs"]:
        assert f["rows_in"] == f["rows_accepted"] + f["rows_rejected"], f
    assert {k: totals[k] for k in sc.totals} == sc.totals
    rej = pd.read_csv(folder / "rejections.csv", sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    counts = rej["code"].value_counts()
    assert {code: int(counts.get(code, 0)) for code in sc.findings} == sc.findings, counts.to_dict()
    for code, word in sc.finding_words.items():
        assert rej.loc[rej["code"] == code, "message_de"].str.contains(word, regex=False).all(), code
    # every rejected row is named by a row-rejecting finding
    row_rejecting = rej[rej["action"].isin(["row_rejected"])]
    assert len(row_rejecting) >= totals["rows_rejected"] - sum(
        f["rows_rejected"] for f in manifest["inputs"] if f["status"] in {"unreadable", "no_items"}
    )
    texts = _report_texts(folder)
    for word in sc.never:
        assert word not in console
        for where, text in texts.items():
            assert word not in text, where
        if rc == 0:
            for table in ("respondents", "responses", "municipalities"):
                assert word not in pd.read_parquet(folder / f"{table}.parquet").to_csv(), table
    for word in sc.never_printed:
        assert word not in console and word not in texts["rejections.csv"] and word not in texts["rejections.xlsx"]
    # no physical line of the CSV report (a line-based reader's record) starts a formula
    for line in re.split(r"[\r\n]", texts["rejections.csv"]):
        assert not _FORMULA_START.match(line), line
    if sc.municipalities is not None:
        assert len(pd.read_parquet(folder / "municipalities.parquet")) == sc.municipalities


def test_unicode_digit_ags_join_the_same_municipality_never_a_new_one(tmp_path: Path) -> None:
    result = read_responses([build_scenario("ags-unicode-digits", tmp_path)], jobs=1)
    assert set(result.dataset.respondents["ags"]) == {"08335063"}
    found = result.rejections[result.rejections["code"] == "ags_normalised"]
    assert sorted(found["row"].tolist()) == [3, 4, 5, 6, 7]  # Excel rows, header = 1
    assert found["column"].unique().tolist() == ["B"]


def test_invalid_wave_labels_are_located_and_never_reach_the_dataset(tmp_path: Path) -> None:
    result = read_responses([build_scenario("wave-labels", tmp_path)], jobs=1)
    assert sorted(result.dataset.respondents["wave"]) == ["2025", "2025/26", "Welle 2"]
    bad = result.rejections[result.rejections["code"] == "wave_invalid"]
    assert bad["row"].tolist() == [5, 6, 7, 8, 9, 10] and set(bad["column"]) == {"C"}
    assert (bad["action"] == "row_rejected").all()


def test_resaved_copy_counts_once_and_names_both_files(tmp_path: Path) -> None:
    result = read_responses([build_scenario("resaved-copy", tmp_path)], jobs=1)
    kept, copy = sorted(result.manifest["inputs"], key=lambda f: -f["rows_accepted"])  # the first read is kept
    assert (kept["rows_accepted"], copy["rows_accepted"], copy["rows_rejected"]) == (6, 0, 6)
    dup = result.rejections[result.rejections["code"] == "content_duplicate"]
    assert (dup["file"] == copy["path"]).all() and len(dup) == 6
    assert dup["message_de"].str.contains(kept["path"], regex=False).all()  # names the other file
    assert dup["value"].tolist() == ["2", "3", "4", "5", "6", "7"]  # and its rows


def test_outputs_of_baustein_eval_inside_a_delivery_are_not_read_as_input(tmp_path: Path) -> None:
    inputs = build_scenario("dot-files", tmp_path / "eingang")
    rc, console = run_cli(["import", str(inputs), "--out", str(tmp_path / "ds"), "--no-progress"])
    assert rc == 0, console
    (tmp_path / "ds").rename(inputs / "alter-datensatz")  # a dataset folder moved into the delivery
    legacy = inputs / "noch-aelter"
    legacy.mkdir()  # and one written before markers existed (no marker, the layout of a dataset)
    for name in ("manifest.json", "respondents.parquet", "rejections.csv"):
        shutil.copy(inputs / "alter-datensatz" / name, legacy / name)
    result = read_responses([inputs], jobs=1)
    skipped = result.rejections[result.rejections["code"] == "input_output_folder"]
    assert sorted(skipped["file"].str.rsplit("/", n=1).str[-1]) == ["alter-datensatz", "noch-aelter"]
    assert result.manifest["totals"]["files"] == 1  # rejections.csv of either is never read as answers


def test_csv_beyond_the_column_limit_is_refused_before_any_parser_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import surveys.importing.readers as readers

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("the CSV parser ran on a file beyond the limits")

    monkeypatch.setattr(readers, "read_csv_raw", never)
    for name in ("wide-16384-columns.csv", "wide-1200-columns.csv"):
        result = read_responses([build_file(name, tmp_path)], wave="2025", jobs=1)
        assert result.rejections["code"].tolist() == ["file_unreadable"]
        assert "Spalten" in result.rejections["message_de"].iloc[0]


def test_mixed_encoding_and_nul_bytes_are_read_with_a_finding_per_line(tmp_path: Path) -> None:
    mixed = read_responses([build_file("mixed-encoding.csv", tmp_path)], wave="2025", jobs=1, keep_free_text=True)
    assert mixed.dataset.respondents["comment"].dropna().tolist() == ["Überlingen – großartig", "Müller: gut"]
    lines = mixed.rejections[mixed.rejections["code"] == "encoding_line"]
    assert lines["row"].tolist() == [4] and (lines["severity"] == "warning").all()
    nul = read_responses([build_file("nul-bytes.csv", tmp_path)], wave="2025", jobs=1)
    assert nul.manifest["totals"]["rows_accepted"] == 120
    found = nul.rejections[nul.rejections["code"] == "nul_removed"]
    assert list(zip(found["row"], found["value"], strict=True)) == [(3, "2"), (60, "1"), (121, "1")]


def test_rejection_report_cells_that_look_like_formulas_are_neutral_in_the_workbook(tmp_path: Path) -> None:
    import openpyxl

    inputs = build_scenario("formula-in-cells", tmp_path / "in")
    rc, _ = run_cli(["import", str(inputs), "--out", str(tmp_path / "ds"), "--no-progress"])
    assert rc == exit_code("rejected")
    wb = openpyxl.load_workbook(tmp_path / "ds" / "rejections.xlsx")
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert cells and all(c.data_type != "f" for c in cells)
    for c in cells:
        assert not c.value.lstrip(" \t\r\n").startswith(FORMULA_PREFIXES[:4]), c.value


def test_audit_does_not_take_counts_of_findings_for_group_sizes(tmp_path: Path) -> None:
    from reporting.audit import audit_outputs
    from reporting.figures import rejection_summary

    rejections = pd.DataFrame({"severity": ["error", "warning", "warning", "info"],
                               "code": ["ags_invalid", "date_invalid", "date_invalid", "file_note"]})
    for lang in ("de", "en"):
        page = tmp_path / f"import_{lang}.html"
        table, headers = rejection_summary(rejections, lang)
        page.write_text(f"<html><body>{table.rename(columns=headers).to_html(index=False)}</body></html>")
    small = tmp_path / "kommunen.html"
    small.write_text("<table><tr><th>Kommune</th><th>Anzahl</th></tr><tr><td>Z</td><td>2</td></tr></table>")
    found = audit_outputs(tmp_path, min_n=5)
    assert found["file"].tolist() == [str(small)]  # the real small group, and only it


def test_audit_prints_text_from_the_outputs_with_control_characters_escaped(tmp_path: Path) -> None:
    page = tmp_path / "kommunen.html"
    page.write_text("<table><tr><th>Kommune</th><th>n</th></tr><tr><td>\x1b[2JBad\u202eName</td><td>3</td></tr></table>")
    rc, console = run_cli(["audit", str(tmp_path)])
    assert rc == 1 and "n=3" in console
    assert "\x1b" not in console and "\u202e" not in console and "\\x1b[2JBad\\u202eName" in console


def test_analyse_min_n_2_with_a_small_group_without_variance_gives_results(tmp_path: Path) -> None:
    from surveys import Instrument
    from surveys.dataset import Dataset
    from surveys.synthetic import simulate

    inst = Instrument.load("sensibilisierung")
    prog = simulate(3, 2, seed=5, instrument=inst, waves=("2025",), equal_n=True, population_truth_n=None)
    wide = prog.wide.copy()
    first = wide["ags"] == wide["ags"].iloc[0]
    for code in inst.item_codes:
        wide.loc[first, code] = 2  # two respondents, identical answers
    Dataset.from_wide(wide, prog.municipalities, inst).save(tmp_path / "ds")
    rc, console = run_cli(["analyse", str(tmp_path / "ds"), "--min-n", "2", "--out", str(tmp_path / "r.xlsx")])
    assert rc == 0, console
    assert (tmp_path / "r.xlsx").is_file()
