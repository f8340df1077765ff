"""The output audit before publication: small groups, identifiers and free text in every format."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from cli import audit as audit_cli
from core.errors import BausteinError
from reporting.audit import audit_outputs


# ----------------------------------------------------------------------------- audit
def _clean_outputs(folder: Path) -> Path:
    """Outputs in every format that respect the small-cell rule (incl. a suppressed small row)."""
    folder.mkdir(parents=True, exist_ok=True)
    table = pd.DataFrame(
        {"ags": ["08335063", "08335077"], "construct": ["KOM", "KOM"], "n": [12, None],
         "mean": [3.4, None], "suppressed": [False, True]}
    )
    with pd.ExcelWriter(folder / "results.xlsx", engine="xlsxwriter") as xw:
        pd.DataFrame({"Titel": ["Ergebnisse"]}).to_excel(xw, sheet_name="Hinweise", index=False)
        table.to_excel(xw, sheet_name="Konstrukte", index=False)
    table.to_csv(folder / "results.csv", index=False, sep=";")
    (folder / "results.json").write_text(
        json.dumps({"groups": [{"ags": "08335063", "n": 12}, {"ags": "08335077", "n": 2, "suppressed": True}],
                    "table": json.loads(table.to_json(orient="split", index=False))}),
        encoding="utf-8",
    )
    import plotly.graph_objects as go

    fig = go.Figure(go.Bar(x=["A-Dorf", "B-Stadt"], y=[3.1, 3.6], customdata=[[12], [40]],
                           hovertemplate="%{x}: %{y:.1f}<br>n = %{customdata[0]}<extra></extra>"))
    cells = '<script type="application/json" class="baustein-cells">[{"group": "A-Dorf", "n": 12}]</script>'
    (folder / "report.html").write_text(
        f"<html><body><h1>Bericht</h1><p>Gruppen unter 5 Personen werden nicht gezeigt (n &lt; 5).</p>"
        f'<table><tr><th>Kommune</th><th>n</th></tr><tr><td data-n="12" data-group="A-Dorf">A-Dorf</td>'
        f"<td>12</td></tr></table>{cells}{fig.to_html(include_plotlyjs=False, full_html=False)}</body></html>",
        encoding="utf-8",
    )
    import nbformat

    nb = nbformat.v4.new_notebook()
    code = nbformat.v4.new_code_cell("table")
    code.outputs = [nbformat.v4.new_output("execute_result", data={
        "text/html": table.to_html(), "text/plain": str(table)}, execution_count=1)]
    nb.cells = [code]
    nbformat.write(nb, folder / "analysis.ipynb")
    return folder


def test_audit_finds_nothing_in_outputs_that_respect_the_rule(tmp_path: Path) -> None:
    findings = audit_outputs(_clean_outputs(tmp_path / "out"))
    assert findings.empty, findings.to_string()


def test_audit_finds_a_planted_small_group_in_the_results_workbook(tmp_path: Path) -> None:
    out = _clean_outputs(tmp_path / "out")
    t = pd.DataFrame({"ags": ["08335063", "08335099"], "role": ["Verwaltung", "Ehrenamt"], "n": [12, 3],
                      "mean": [3.4, 4.0], "suppressed": [False, False]})
    with pd.ExcelWriter(out / "results.xlsx", engine="xlsxwriter") as xw:
        t.to_excel(xw, sheet_name="Rollen", index=False, startrow=2)
    findings = audit_outputs(out)
    hit = findings[findings["file"].str.endswith("results.xlsx")]
    assert len(hit) == 1
    row = hit.iloc[0]
    assert row["n"] == 3 and "Ehrenamt" in row["group"] and "Rollen" in row["location"]


@pytest.mark.parametrize(
    ("name", "content", "where"),
    [
        ("r.csv", "ags;n\n08335063;12\n08335099;4\n", "csv"),
        ("r.json", json.dumps({"groups": [{"ags": "08335099", "n_a": 2, "n_b": 30}]}), "n_a"),
        ("p.html", '<div data-n="3" data-group="Z-Dorf">x</div>', "data-n"),
        ("q.html", '<script type="application/json" class="baustein-cells">[{"group": "Z", "n": 1}]</script>',
         "baustein-cells"),
        ("t.html", "<table><tr><th>Kommune</th><th>Anzahl</th></tr><tr><td>Z</td><td>2</td></tr></table>",
         "table 1"),
    ],
)
def test_audit_finds_small_groups_in_each_output_format(tmp_path: Path, name: str, content: str, where: str) -> None:
    (tmp_path / name).write_text(content, encoding="utf-8")
    findings = audit_outputs(tmp_path)
    assert len(findings) >= 1
    assert findings["n"].between(1, 4).all()
    assert findings["location"].str.contains(where).any()


def test_audit_finds_small_n_in_plotly_customdata_and_hover_text(tmp_path: Path) -> None:
    import plotly.graph_objects as go

    fig = go.Figure(go.Bar(x=["A-Dorf", "Klein-Z"], y=[3.1, 4.8], customdata=[[12], [3]],
                           hovertemplate="%{x}<br>n = %{customdata[0]}"))
    fig.add_trace(go.Scatter(x=[1], y=[2], text=["Weiler Q (n = 2)"]))
    (tmp_path / "fig.html").write_text(fig.to_html(include_plotlyjs=False), encoding="utf-8")
    findings = audit_outputs(tmp_path)
    custom = findings[findings["problem"].str.contains("customdata")]
    assert custom[["group", "n"]].values.tolist() == [["Klein-Z", 3]]
    assert (findings["n"] == 2).any()


def test_audit_finds_small_groups_identifiers_and_free_text_in_a_notebook(tmp_path: Path) -> None:
    import nbformat

    t = pd.DataFrame({"respondent_id": ["R-0123456789abcdef"], "Anmerkungen": ["Herr K. pflegt seine Mutter"],
                      "n": [1]})
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("t")
    cell.outputs = [
        nbformat.v4.new_output("execute_result", data={"text/html": t.to_html(), "text/plain": str(t)},
                               execution_count=1),
        nbformat.v4.new_output("stream", name="stdout", text="Gruppe Kleinstadt: n = 4\n"),
    ]
    nb.cells = [cell]
    nbformat.write(nb, tmp_path / "nb.ipynb")
    problems = " | ".join(audit_outputs(tmp_path)["problem"])
    assert "respondent identifier column 'respondent_id'" in problems
    assert "free-text column 'Anmerkungen'" in problems
    assert "respondent pseudonym in output" in problems
    assert "(text 'n = 4')" in problems


def test_audit_respects_min_n(tmp_path: Path) -> None:
    (tmp_path / "r.csv").write_text("ags,n\n1,7\n", encoding="utf-8")
    assert audit_outputs(tmp_path, min_n=5).empty
    assert audit_outputs(tmp_path, min_n=10)["n"].tolist() == [7]


def test_audit_reports_unreadable_files_instead_of_crashing(tmp_path: Path) -> None:
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04garbage")
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    findings = audit_outputs(tmp_path)
    assert findings["problem"].str.startswith("could not be checked").sum() == 2


def test_audit_of_missing_folder_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(BausteinError, match="not found"):
        audit_outputs(tmp_path / "fehlt")


def main(argv: list[str]) -> int:
    """``baustein audit`` alone (the other sub-commands are not needed to test this one)."""
    import argparse

    from core.errors import BausteinError as _Err

    parser = argparse.ArgumentParser(prog="baustein")
    audit_cli.register(parser.add_subparsers())
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except _Err:
        return 2  # what cli.main returns for user errors


def test_audit_command_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clean = _clean_outputs(tmp_path / "clean")
    assert main(["audit", str(clean)]) == 0
    assert "No findings" in capsys.readouterr().out
    (clean / "leak.csv").write_text("Kommune;n\nZ-Dorf;2\n", encoding="utf-8")
    assert main(["audit", str(clean), "--min-n", "5"]) == 1
    out = capsys.readouterr().out
    assert "leak.csv" in out and "Z-Dorf" in out and "n=2" in out
    assert main(["audit", str(tmp_path / "fehlt")]) == 2


@pytest.mark.parametrize("text", ["n = 3 Kommunen, 19 Befragte", "Typ B (n = 2 Kommunen)", "n = 4 municipalities",
                                  "tragfähigere Strukturen (n = 12 Kommunen, 225 Befragte; p = 0,079)",
                                  "n=3 Items"])
def test_audit_does_not_take_a_count_of_municipalities_or_items_for_a_group_size(tmp_path: Path, text: str) -> None:
    import nbformat

    nb = nbformat.v4.new_notebook()
    code = nbformat.v4.new_code_cell("print(summary)")
    code.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
    nb.cells = [code]
    nbformat.write(nb, tmp_path / "page.ipynb")
    assert audit_outputs(tmp_path).empty
    nb.cells[0].outputs[0]["text"] = "Typ B (n = 3 Befragte)"
    nbformat.write(nb, tmp_path / "page.ipynb")  # a count of respondents is a finding
    found = audit_outputs(tmp_path)
    assert len(found) == 1 and found["n"].between(1, 4).all()
