"""analysis.run: every table present, small cells suppressed, deterministic, ground truth recovered."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from analysis import AnalysisConfig, run
from reporting.results_cache import run_cached
from reporting.results_workbook import write_results
from surveys.dataset import Dataset
from surveys.synthetic import simulate

CORE_TABLES = {
    "antworten_kommune_rolle", "fehlende_werte", "straightlining", "reliabilitaet", "itemanalyse",
    "reliabilitaet_rolle", "reliabilitaet_kommune", "aggregation", "uebereinstimmung", "kommunen",
    "kommunen_uebersicht", "funnel", "funnel_grenzen", "vergleich_omnibus", "likert", "likert_rolle",
    "typologie", "typologie_fakten", "struktur_nach_typ", "struktur_typ_tests", "modell", "modell_kennwerte",
    "hypothesen", "perspektiven", "wellen", "did",
}
#: Columns counting respondents behind a row (group sizes the small-cell rule applies to).
GROUP_SIZE = {"n", "n_valid", "n_respondents", "n_reference", "n_comparison", "n_from", "n_to", "n_A", "n_B",
              "n_municipal", "n_civil"}


@pytest.fixture(scope="module")
def programme(instrument):  # type: ignore[no-untyped-def]
    return simulate(40, 50, seed=7, instrument=instrument)


@pytest.fixture(scope="module")
def dataset(programme, instrument) -> Dataset:  # type: ignore[no-untyped-def]
    return Dataset.from_wide(programme.wide, programme.municipalities, instrument)


@pytest.fixture(scope="module")
def results(dataset: Dataset):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run(dataset, AnalysisConfig(min_n=5))


def test_run_returns_every_documented_table(results) -> None:  # type: ignore[no-untyped-def]
    assert set(results.tables) >= CORE_TABLES
    assert set(results.docs) == set(results.tables)
    for name, table in results.tables.items():
        assert len(table) > 0, name


def test_no_unsuppressed_row_describes_fewer_than_min_n_respondents(results) -> None:  # type: ignore[no-untyped-def]
    for name, table in results.tables.items():
        cols = [c for c in table.columns if c in GROUP_SIZE]
        if not cols:
            continue
        visible = table[~table["suppressed"].astype(bool)] if "suppressed" in table else table
        for c in cols:
            n = pd.to_numeric(visible[c], errors="coerce")
            assert not ((n > 0) & (n < 5)).any(), (name, c)


def test_min_n_is_configurable_and_suppresses_more_with_a_higher_threshold(dataset: Dataset) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        strict = run(dataset, AnalysisConfig(min_n=40))
    over = strict["kommunen_uebersicht"]
    assert over["suppressed"].astype(bool).any()
    assert over.loc[over["suppressed"].astype(bool), "n"].isna().all()


def test_run_is_deterministic(dataset: Dataset, results) -> None:  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        again = run(dataset, AnalysisConfig(min_n=5))
    for name in results.tables:
        pd.testing.assert_frame_equal(results.tables[name], again.tables[name], obj=name)


def test_cross_section_uses_the_latest_wave_and_waves_table_both(results, programme) -> None:  # type: ignore[no-untyped-def]
    assert results.meta["wave"] == "2027"
    latest = (programme.wide["wave"].astype(str) == "2027").sum()
    assert results.meta["n_respondents"] == latest
    assert set(results["wellen"]["wave_from"].astype(str)) == {"2025"}


def test_free_text_and_respondent_ids_never_enter_a_table(results, programme) -> None:  # type: ignore[no-untyped-def]
    comments = set(programme.wide["comment"].dropna().astype(str))
    ids = set(programme.wide["respondent_id"].astype(str))
    for name, table in results.tables.items():
        assert "comment" not in table.columns and "respondent_id" not in table.columns, name
        text = set(table.select_dtypes(include=["object", "string"]).astype(str).to_numpy().ravel())
        assert not (text & comments), name
        assert not (text & ids), name


def test_scale_means_equal_a_hand_computed_mean_with_reverse_keying(results, dataset: Dataset) -> None:  # type: ignore[no-untyped-def]
    wide = dataset.analysis_frame()
    wide = wide[wide["wave"].astype(str) == "2027"]
    items = [i.code for i in dataset.instrument.items_of("struktur")]
    x = wide[items].copy()
    x["ERG05"] = 6 - x["ERG05"]
    answered = x.notna().sum(axis=1)
    score = x.mean(axis=1).where(answered >= np.ceil(2 / 3 * len(items)))
    by_muni = score.groupby(wide["ags"]).mean()
    k = results["kommunen"]
    k = k[(k["variable"] == "struktur") & ~k["suppressed"].astype(bool)].set_index("ags")["mean"]
    np.testing.assert_allclose(k.to_numpy(), by_muni.reindex(k.index).to_numpy(), rtol=1e-12)


def test_did_recovers_the_generator_programme_effect(instrument) -> None:  # type: ignore[no-untyped-def]
    prog = simulate(160, 60, seed=21, instrument=instrument)
    ds = Dataset.from_wide(prog.wide, prog.municipalities, instrument)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = run(ds)
    did = res["did"].set_index("construct").loc["struktur"]
    truth = prog.ground_truth["population"]["did"]["2027-2025"]["struktur"]
    assert did["ci_low"] <= truth <= did["ci_high"]


def test_hypothesis_sentences_use_german_decimal_commas(results) -> None:  # type: ignore[no-untyped-def]
    import re

    h = results["hypothesen"]
    assert list(h["hypothesis"][:5]) == ["H1", "H2", "H3", "H4", "H5"]
    tested = h[h["estimate"].notna()]
    assert len(tested) >= 5
    for de, en in zip(tested["sentence_de"], tested["sentence_en"]):
        assert re.search(r"\d,\d", de) and not re.search(r"\d\.\d", de), de
        assert re.search(r"\d\.\d", en), en


def test_results_workbook_has_a_readme_sheet_documenting_every_table(results, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "results.xlsx"
    write_results(results, out, tmp_path / "results.json")
    wb = openpyxl.load_workbook(out, read_only=True)
    assert wb.sheetnames[0] == "README"
    readme = {r[0] for r in wb["README"].iter_rows(values_only=True) if r and r[0]}
    for name in results.tables:
        assert name in readme
        assert name[:31] in wb.sheetnames
    ws = wb["kommunen"]
    header = next(ws.iter_rows(max_row=1, values_only=True))
    assert "AGS" in header or "ags" in header


def test_run_cached_stores_parquet_and_json_not_pickle(dataset: Dataset, tmp_path: Path) -> None:
    folder = tmp_path / "ds"
    dataset.save(folder)
    ds = Dataset.load(folder)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        first = run_cached(ds, AnalysisConfig(), folder)
        second = run_cached(ds, AnalysisConfig(), folder)
    files = {p.suffix for p in (folder / ".cache").rglob("*") if p.is_file()}
    assert files <= {".parquet", ".json"}
    assert set(first.tables) == set(second.tables)
    pd.testing.assert_frame_equal(first["kommunen"].reset_index(drop=True), second["kommunen"], check_dtype=False)


def _two_scale_instrument(instrument):  # type: ignore[no-untyped-def]
    """The packaged instrument with the structure items on a 4-point scale (1–4)."""
    from surveys.instrument import Instrument

    d = instrument.to_dict()
    agree4 = dict(d["scales"]["agree5"])
    agree4["options"] = [o for o in agree4["options"] if o["code"] != 5]
    d["scales"]["agree4"] = agree4
    for c in d["constructs"]:
        if c["id"] == "struktur":
            c["scale"] = "agree4"
    return Instrument.from_dict(d)


def test_reverse_keyed_items_are_reversed_on_their_own_scale_in_a_mixed_instrument(instrument) -> None:  # type: ignore[no-untyped-def]
    from analysis import cronbach_alpha, rwg
    from analysis.pipeline import score_dataset

    inst4 = _two_scale_instrument(instrument)
    items = [i.code for i in inst4.items_of("struktur")]
    assert {inst4.item(i).scale for i in items} == {"agree4"} and inst4.item("ERG05").reverse
    prog = simulate(12, 20, seed=5, instrument=instrument)
    wide = prog.wide.copy()
    wide[items] = wide[items].mask(wide[items] == 5, 4)  # answers on the 4-point scale
    ds = Dataset.from_wide(wide, prog.municipalities, inst4)

    frame, _ = score_dataset(ds)
    x = ds.analysis_frame()[items].astype(float)
    x["ERG05"] = 5 - x["ERG05"]  # 1 + 4 − x on the 4-point scale (not 6 − x)
    answered = x.notna().sum(axis=1)
    hand = x.mean(axis=1).where(answered >= np.ceil(2 / 3 * len(items)))
    np.testing.assert_allclose(frame["struktur"].to_numpy(), hand.to_numpy(), rtol=1e-12)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = run(ds, AnalysisConfig(min_n=5))
    latest = ds.analysis_frame()
    latest = latest[latest["wave"].astype(str) == res.meta["wave"]].reset_index(drop=True)
    keyed = latest.assign(ERG05=5 - latest["ERG05"].astype(float))
    rel = res["reliabilitaet"].set_index("construct").loc["struktur"]
    assert rel["raw_alpha"] == pytest.approx(cronbach_alpha(keyed, items).raw_alpha, rel=1e-12)
    # rwg's uniform null variance uses the construct's own scale: (4² − 1)/12, not (5² − 1)/12
    ref = rwg(keyed.assign(ags=keyed["ags"].astype(str)), items, "ags", n_options=4, scale_min=1, min_n=5)
    agree = res["uebereinstimmung"]
    got = agree[(agree["construct"] == "struktur") & ~agree["suppressed"].astype(bool)].set_index("ags")["rwg_j"]
    np.testing.assert_allclose(got.to_numpy(dtype=float), ref.set_index("ags").loc[got.index, "rwg_j"].to_numpy(dtype=float),
                               rtol=1e-12)
