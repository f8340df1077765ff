"""Every realistic dataset analyses: a note naming the cause for every skipped part, never a crash.

The matrix perturbs one generator dataset the way evaluators' data really differ (no municipality
data, a pilot, one municipality, a partial export, a constant outcome, a reversed item, a wave
typo, one role, disjoint waves, ...) and runs :func:`analysis.run` with ``strict=True`` (a
programming error would raise). For every case it asserts: at least one table, no ``part_failed``
note, the notes that name the cause, and unchanged numbers for the parts the perturbation does not
touch. Further tests go through the command line: a lone LimeSurvey export, the real exports of
``../shared/formats`` with a hand-written mapping, an instrument drafted by ``from-baustein`` from a
Baustein of our own, an import with a wave typo, and one small dataset through ``baustein report``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from analysis import Results, run
from cli import main
from surveys.dataset import Dataset
from surveys.instrument import Instrument
from surveys.synthetic import simulate

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
SHARED = next((p for p in (ROOT.parent / "shared", ROOT.parent.parent / "shared") if (p / "formats").is_dir()), None)
INST = Instrument.load("sensibilisierung")


@pytest.fixture(scope="module")
def programme():  # type: ignore[no-untyped-def]
    return simulate(12, 30, seed=11, instrument=INST, population_truth_n=None)


@pytest.fixture(scope="module")
def baseline(programme) -> Results:  # type: ignore[no-untyped-def]
    return run(Dataset.from_wide(programme.wide, programme.municipalities, INST), strict=True)


# --------------------------------------------------------------------------- the matrix
@dataclass
class Case:
    """A perturbation of the generator data and what the analysis must say about it."""

    build: Callable[[pd.DataFrame, pd.DataFrame], tuple[pd.DataFrame, pd.DataFrame, Instrument]]
    notes: list[tuple[str, str, str]]  # (section, code, text the scope or reason must contain)
    unchanged: dict[str, list[str]] = field(default_factory=dict)  # table -> constructs (or [] = whole)
    tables: tuple[str, ...] = ()  # tables that must still be there


def _no_munis(w, m):  # type: ignore[no-untyped-def]
    return w, m.iloc[0:0], INST


def _no_cohort(w, m):  # type: ignore[no-untyped-def]
    return w, m.drop(columns=["cohort"]), INST


def _blank_cohort(w, m):  # type: ignore[no-untyped-def]
    return w, m.assign(cohort=None), INST


def _unknown_ags(w, m):  # type: ignore[no-untyped-def]
    extra = m.head(2).assign(ags=["08999001", "08999002"], name=["Nirgendwo", "Anderswo"])
    return w, pd.concat([m, extra], ignore_index=True), INST


def _pilot(w, m):  # type: ignore[no-untyped-def]
    keep = sorted(w["ags"].unique())[:4]
    p = w[w["ags"].isin(keep) & (w["wave"] == "2025")].groupby("ags").head(10)
    return p, m[m["ags"].isin(keep)], INST


def _one_municipality(w, m):  # type: ignore[no-untyped-def]
    a = sorted(w["ags"].unique())[0]
    return w[w["ags"] == a], m[m["ags"] == a], INST


def _partly_mapped(w, m):  # type: ignore[no-untyped-def]
    return w.assign(KOM05=np.nan, KOM06=np.nan, KOM07=np.nan), m, INST


def _never_answered(w, m):  # type: ignore[no-untyped-def]
    return w.assign(ERG03=np.nan), m, INST


def _constant_outcome(w, m):  # type: ignore[no-untyped-def]
    return w.assign(**{i: 3.0 for i in ("ERG01", "ERG02", "ERG03", "ERG04", "ERG05")}), m, INST


def _reversed_item(w, m):  # type: ignore[no-untyped-def]
    z = w["ZIV02"].where(w["ZIV02"] >= 1)
    return w.assign(ZIV02=(6 - z).where(z.notna(), w["ZIV02"])), m, INST


def _wave_typo(w, m):  # type: ignore[no-untyped-def]
    w = w[w["wave"] == "2025"].copy()
    a = sorted(w["ags"].unique())[3]
    typo = w["ags"] == a
    w.loc[typo, "wave"] = "Welle 2"
    w.loc[typo, "submitted_at"] = pd.to_datetime(w.loc[typo, "submitted_at"]) + pd.Timedelta(days=60)
    return w, m, INST


def _only_municipal_roles(w, m):  # type: ignore[no-untyped-def]
    return w[w["role"].isin(["verwaltung", "buergermeister", "gemeinderat"])], m, INST


def _one_role(w, m):  # type: ignore[no-untyped-def]
    return w.assign(role="verein"), m, INST


def _disjoint_waves(w, m):  # type: ignore[no-untyped-def]
    munis = sorted(w["ags"].unique())
    first = w["ags"].isin(munis[:6])
    return w[(first & (w["wave"] == "2025")) | (~first & (w["wave"] == "2027"))], m, INST


def _one_wave(w, m):  # type: ignore[no-untyped-def]
    return w[w["wave"] == "2027"], m, INST


def _one_item_construct(w, m):  # type: ignore[no-untyped-def]
    d = INST.to_dict()
    for c in d["constructs"]:
        if c["id"] == "partnerschaft":
            c["items"] = c["items"][:1]
    return w, m, Instrument.from_dict(d)


def _no_roles(w, m):  # type: ignore[no-untyped-def]
    d = INST.to_dict()
    for c in d["constructs"]:
        c.pop("role", None)
    return w, m, Instrument.from_dict(d)


WHOLE = {"kommunen": [], "reliabilitaet": [], "aggregation": []}
CASES: dict[str, Case] = {
    "no municipality data": Case(_no_munis, [("kommunen", "no_municipality_data", "Vergleich"),
                                             ("engagement", "no_municipality_data", "Ratsbeschluss"),
                                             ("wellen", "no_funding_data", "")],
                                 unchanged={"reliabilitaet": [], "aggregation": []}, tables=("typologie", "modell")),
    "municipalities without cohort column": Case(_no_cohort, [("kommunen", "municipality_column_missing", "cohort"),
                                                              ("wellen", "no_funding_data", "")],
                                                 unchanged=WHOLE, tables=("wellen", "typologie_fakten")),
    "cohort left blank": Case(_blank_cohort, [("kommunen", "municipality_column_missing", "cohort"),
                                              ("wellen", "no_funding_data", "")], unchanged=WHOLE),
    "municipalities file with unknown AGS": Case(_unknown_ags, [("kommunen", "municipalities_without_answers",
                                                                 "08999001")], unchanged=WHOLE, tables=("did",)),
    "pilot 4 municipalities x 10": Case(_pilot, [("wellen", "single_wave", "2025")],
                                        tables=("reliabilitaet", "kommunen", "aggregation")),
    "one municipality": Case(_one_municipality, [("kommunen", "single_municipality", ""),
                                                 ("aggregation", "single_municipality", "")],
                             tables=("reliabilitaet", "itemanalyse", "kommunen")),
    "partly mapped construct": Case(_partly_mapped, [("daten", "construct_items_missing", "KOM05, KOM06, KOM07")],
                                    unchanged={"reliabilitaet": ["zivil", "struktur"], "kommunen": ["zivil", "struktur"]},
                                    tables=("typologie", "hypothesen")),
    "item never answered": Case(_never_answered, [("daten", "construct_items_missing", "ERG03")],
                                unchanged={"reliabilitaet": ["kommunal", "zivil"], "kommunen": ["kommunal"]}),
    "constant outcome": Case(_constant_outcome, [("reliabilitaet", "item_constant", "ERG01"),
                                                 ("aggregation", "outcome_constant", "struktur"),
                                                 ("engagement", "outcome_constant", "struktur")],
                             unchanged={"reliabilitaet": ["kommunal", "zivil"], "kommunen": ["kommunal", "zivil"]},
                             tables=("typologie",)),
    "negatively correlated item": Case(_reversed_item, [("reliabilitaet", "alpha_negative_items", "ZIV02")],
                                       unchanged={"reliabilitaet": ["kommunal", "struktur"],
                                                  "kommunen": ["kommunal", "struktur"]}),
    # the typo wave (one municipality's rows) is later in the order but too small: the default
    # cross-sectional wave is the latest substantial one (2025), and a note names the one passed over
    "wave label typo": Case(_wave_typo, [("daten", "wave_used", "Welle 2025,"),
                                         ("daten", "wave_default_passed_over", "Welle Welle 2 (n = "),
                                         ("wellen", "single_substantial_wave", "zu klein: Welle 2")]),
    # the sides and roles are named as the instrument labels them, not by their codes
    "only municipal roles": Case(_only_municipal_roles, [("perspektiven", "role_side_absent",
                                                          "Gruppe 'Zivilgesellschaft' (Rollen: Verein / Initiative")],
                                 tables=("reliabilitaet",)),
    "all respondents one role": Case(_one_role, [("datenqualitaet", "single_role", "Verein / Initiative"),
                                                 ("perspektiven", "role_side_absent",
                                                  "Gruppe 'kommunale Seite' (Rollen: Verwaltung")],
                                     tables=("modell",)),
    "two waves, disjoint municipalities": Case(_disjoint_waves, [("wellen", "no_common_municipalities", "2025")]),
    "one wave": Case(_one_wave, [("wellen", "single_wave", "2027")], unchanged=WHOLE),
    "one-item construct": Case(_one_item_construct, [("reliabilitaet", "construct_single_item", "PAR01")],
                               unchanged={"reliabilitaet": ["kommunal", "zivil", "wirkung", "struktur"]},
                               tables=("kommunen",)),
    "instrument without construct roles": Case(_no_roles, [("engagement", "no_construct_roles", "structure"),
                                                           ("perspektiven", "no_construct_roles", "")],
                                               unchanged=WHOLE),
}


#: English words that never occur in a German sentence of ours.
_ENGLISH = re.compile(r"\b(the|of|with|and|is|are|not|no|values|group|side|municipality|pooled)\b")
#: Raw names a German note must not show: respondent-role codes, construct roles, fact columns, page sides.
_RAW = re.compile(r"\b(verwaltung|buergermeister|gemeinderat|verein|municipal_commitment|civil_commitment|"
                  r"council_resolution|mayor_involved|named_contact|size_class|district|cohort)\b|'structure'|"
                  r"'reference'|'comparison'")


def _assert_german_notes_are_german(notes: pd.DataFrame, inst: Instrument) -> None:
    """German notes read as German: no English half, decimal commas, singular after 1, display names."""
    raw_constructs = [f"'{c.id}'" for c in inst.constructs]
    for r in notes.itertuples(index=False):
        text = f"{r.reason_de} {r.hint_de}"
        assert not _ENGLISH.search(r.reason_de), (r.code, r.reason_de)
        assert not re.search(r"(?<![\d.])-?0\.\d", text), (r.code, text)  # "Alpha = -0,047", not "-0.047"
        assert not re.search(r"(?<![\d.,])1 (Kommunen|Gruppen|Zeilen|Kommune\(n\)|Gruppe\(n\))", text), text
        assert "Hypothesen entfällt" not in text and "Perspektiven entfällt" not in text, text
        assert not _RAW.search(r.reason_de), (r.code, r.reason_de)
        assert not any(c in r.reason_de for c in raw_constructs), (r.code, r.reason_de)


def _rows(res: Results, table: str, constructs: list[str]) -> pd.DataFrame:
    t = res[table]
    key = {"kommunen": "variable", "reliabilitaet": "construct", "aggregation": "dv"}[table]
    if constructs:
        t = t[t[key].isin(constructs)]
    cols = [c for c in t.columns if c not in ("wave", "wave_n", "name", "district", "size_class", "cohort")]
    return t[cols].sort_values([c for c in ("ags", key) if c in t.columns]).reset_index(drop=True)


@pytest.mark.parametrize("name", list(CASES))
def test_every_realistic_dataset_analyses_with_a_note_naming_the_cause(name: str, programme, baseline) -> None:  # type: ignore[no-untyped-def]
    case = CASES[name]
    wide, munis, inst = case.build(programme.wide.copy(), programme.municipalities.copy())
    res = run(Dataset.from_wide(wide.reset_index(drop=True), munis, inst), strict=True)
    notes = res.notes
    assert len(res.tables) > 1, notes
    assert not (notes["code"] == "part_failed").any(), notes.to_string()
    assert "no_table" not in set(notes["code"])
    for section, code, text in case.notes:
        hit = notes[(notes["section"] == section) & (notes["code"] == code)]
        assert len(hit), (name, section, code, notes[["section", "scope", "code"]].to_string())
        said = hit["scope"] + " " + hit["reason_de"] + " " + hit["reason_en"]
        assert said.str.contains(text, regex=False).any(), hit
        assert (hit["reason_de"] != "").all() and (hit["reason_en"] != "").all()
    _assert_german_notes_are_german(notes, inst)
    for table in case.tables:
        assert table in res.tables and len(res[table]), (name, table)
    for table, constructs in case.unchanged.items():
        pd.testing.assert_frame_equal(_rows(res, table, constructs), _rows(baseline, table, constructs),
                                      check_dtype=False, obj=f"{name}: {table}")


def test_every_note_comes_from_the_catalogue_with_a_reason_in_both_languages(baseline) -> None:  # type: ignore[no-untyped-def]
    from analysis.notes import NOTE_COLUMNS, NOTES

    notes = baseline.notes
    assert list(notes.columns) == list(NOTE_COLUMNS)
    assert set(notes["code"]) <= set(NOTES)
    assert (notes["section"] != "").all()
    wave = notes[notes["code"] == "wave_used"].iloc[0]
    n = baseline.meta["n_respondents"]
    assert f"{n} von {baseline.meta['n_respondents_all_waves']}" in wave["reason_de"]
    # every one-wave table says which wave and how many respondents it used
    for name in ("reliabilitaet", "kommunen", "aggregation", "modell", "hypothesen"):
        t = baseline[name]
        assert (t["wave"].astype(str) == baseline.meta["wave"]).all(), name
        assert (t["wave_n"] == n).all(), name


def test_a_dataset_without_any_respondent_gives_notes_and_no_crash() -> None:
    prog = simulate(3, 10, seed=1, instrument=INST, population_truth_n=None)
    res = run(Dataset.from_wide(prog.wide.iloc[0:0], prog.municipalities, INST), strict=True)
    assert "hinweise" in res.tables
    assert not (res.notes["code"] == "part_failed").any()


# --------------------------------------------------------------------------- through the command line
def _cli(args: list[str], capsys) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    rc = main([str(a) for a in args])
    out = capsys.readouterr()
    return rc, out.out + out.err


def test_lone_limesurvey_export_without_municipality_data_analyses(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    csv = ROOT / "data" / "examples" / "limesurvey" / "results-survey482915.csv"
    assert _cli(["import", csv, "--out", tmp_path / "ds", "--no-progress"], capsys)[0] == 0
    rc, out = _cli(["analyse", tmp_path / "ds", "--out", tmp_path / "r.xlsx", "--json", tmp_path / "r.json"], capsys)
    assert rc == 0, out
    assert "Keine Kommunendaten" in out and "Welle / wave 2027" in out
    doc = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert any(n["code"] == "no_municipality_data" for n in doc["notes"])
    wb = openpyxl.load_workbook(tmp_path / "r.xlsx", read_only=True)
    assert wb.sheetnames[:2] == ["README", "hinweise"]


def test_wave_label_of_one_municipality_is_warned_on_import_and_stated_by_the_analysis(
    tmp_path: Path, capsys, programme  # type: ignore[no-untyped-def]
) -> None:
    wide, munis, _ = _wave_typo(programme.wide.copy(), programme.municipalities.copy())
    wide.drop(columns=["comment"]).to_csv(tmp_path / "antworten.csv", index=False)
    munis.to_csv(tmp_path / "kommunen.csv", index=False)
    rc, out = _cli(["import", tmp_path / "antworten.csv", "--municipalities", tmp_path / "kommunen.csv",
                    "--out", tmp_path / "ds", "--no-progress"], capsys)
    assert rc == 0, out
    rej = pd.read_csv(tmp_path / "ds" / "rejections.csv", sep=";", dtype=str, encoding="utf-8-sig")
    rare = rej[rej["code"] == "wave_label_rare"]
    assert rare["value"].astype(str).tolist() == ["Welle 2"]
    rc, out = _cli(["analyse", tmp_path / "ds", "--out", tmp_path / "r.xlsx"], capsys)
    # by default the typo wave is passed over, and the console says so with its label and n
    n_typo = int((wide["wave"] == "Welle 2").sum())
    assert rc == 0 and "Welle / wave 2025" in out and f"Welle Welle 2 (n = {n_typo}, 1 Kommune)" in out, out
    rc, out = _cli(["analyse", tmp_path / "ds", "--out", tmp_path / "r1.xlsx", "--wave", "Welle 2"], capsys)
    assert rc == 0 and "Welle / wave Welle 2" in out and "umfasst nur" in out, out
    rc, out = _cli(["analyse", tmp_path / "ds", "--out", tmp_path / "r2.xlsx", "--wave-order", "Welle 2,2025"],
                   capsys)
    assert rc == 0 and "Welle / wave 2025" in out, out


@pytest.mark.skipif(SHARED is None, reason="../shared/formats not present")
@pytest.mark.parametrize(("export", "stem"), [
    ("sosci/hybridearbeit2024_rdata_2024-07-11_17-10.csv", "hybridarbeit"),
    ("googleforms/pretask-questionnaire-antworten.csv", "ortskenntnis"),
])
def test_real_exports_with_a_hand_written_mapping_analyse(export: str, stem: str, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    inst, mapping = DATA / "real_exports" / f"{stem}.yaml", DATA / "real_exports" / f"{stem}_mapping.yaml"
    rc, out = _cli(["import", SHARED / "formats" / export, "--instrument", inst, "--mapping", mapping,
                    "--out", tmp_path / "ds", "--no-progress"], capsys)
    assert rc == 0, out
    rc, out = _cli(["analyse", tmp_path / "ds", "--out", tmp_path / "r.xlsx", "--json", tmp_path / "r.json"], capsys)
    assert rc == 0, out
    doc = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    codes = {n["code"] for n in doc["notes"]}
    assert {"single_municipality", "no_construct_roles", "single_wave", "alpha_negative_items"} <= codes
    assert doc["tables"]["reliabilitaet"] and doc["tables"]["kommunen"]


def test_instrument_drafted_from_a_baustein_of_our_own_runs_the_commitment_analyses(
    tmp_path: Path, capsys  # type: ignore[no-untyped-def]
) -> None:
    rc, out = _cli(["instrument", "from-baustein", DATA / "baustein_own" / "nachbarschaftshilfe.txt",
                    "--out", tmp_path / "entwurf.xlsx"], capsys)
    assert rc == 0 and "kommune → municipal_commitment" in out and "ergebnis → structure" in out, out
    from surveys.xlsform import read_xlsform

    draft = read_xlsform(tmp_path / "entwurf.xlsx")
    assert [i.code for i in draft.items_of("ergebnis")] == ["ERG01"]  # one prose claim: a one-item construct
    rng = np.random.default_rng(5)
    rows = []
    for j in range(8):
        level = rng.normal(0, 0.8)
        for _ in range(12):
            person = rng.normal(0, 0.5)
            rows.append({"ags": f"0811{j:04d}", "role": rng.choice(["verwaltung", "verein", "engagiert"]),
                         "wave": "2026", **{i.code: int(np.clip(np.rint(3 + level + person + rng.normal(0, 0.7)), 1, 5))
                                            for i in draft.items}})
    pd.DataFrame(rows).to_csv(tmp_path / "antworten.csv", index=False)
    rc, out = _cli(["import", tmp_path / "antworten.csv", "--instrument", tmp_path / "entwurf.xlsx",
                    "--out", tmp_path / "ds", "--no-progress"], capsys)
    assert rc == 0, out
    rc, out = _cli(["analyse", tmp_path / "ds", "--out", tmp_path / "r.xlsx", "--json", tmp_path / "r.json"], capsys)
    assert rc == 0, out
    doc = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    codes = {(n["code"], n["scope"]) for n in doc["notes"]}
    assert ("construct_single_item", "ergebnis") in codes
    assert doc["tables"]["typologie"] and doc["tables"]["modell"] and doc["tables"]["hypothesen"]
    assert doc["meta"]["construct_roles"] == {"municipal_commitment": "kommune", "civil_commitment": "zivilgesellschaft",
                                              "structure": "ergebnis"}


def test_report_of_a_pilot_exits_0_and_prints_the_notes(tmp_path: Path, capsys, programme) -> None:  # type: ignore[no-untyped-def]
    wide, munis, _ = _pilot(programme.wide.copy(), programme.municipalities.copy())
    Dataset.from_wide(wide.reset_index(drop=True), munis, INST).save(tmp_path / "ds")
    rc, out = _cli(["report", tmp_path / "ds", "--out", tmp_path / "bericht", "--no-images"], capsys)
    assert rc == 0, out
    assert "Hinweis(e) / note(s)" in out and "Nur eine Welle" in out
    assert (tmp_path / "bericht" / "index.html").exists()


def test_report_uses_the_declared_wave_order_on_every_page(tmp_path: Path, capsys, programme) -> None:  # type: ignore[no-untyped-def]
    wide, munis, _ = _wave_typo(programme.wide.copy(), programme.municipalities.copy())
    Dataset.from_wide(wide.reset_index(drop=True), munis, INST).save(tmp_path / "ds")
    rc, out = _cli(["report", tmp_path / "ds", "--out", tmp_path / "bericht", "--no-images", "--no-pdf", "--no-docx",
                    "--wave-order", "Welle 2,2025"], capsys)
    assert rc == 0 and "Welle / wave 2025" in out, out
    doc = json.loads((tmp_path / "bericht" / "results.json").read_text(encoding="utf-8"))
    assert doc["meta"]["wave"] == "2025"
    # the CLI, the results workbook and every notebook page ran one analysis with the same options
    assert len(list((tmp_path / "ds" / ".cache").glob("results-*"))) == 1
