"""The synthetic-data generator: determinism, formats, realistic mess, and ground-truth recovery.

Recovery tests score the *generated wide data* the way an analyst would (codes < 0 missing,
reverse keying, scale mean with at least 2/3 of items answered) and compare the result with the
ground truth that :func:`surveys.synthetic.simulate` computed analytically.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from cli import main
from surveys import Instrument
from surveys.dataset import MUNICIPALITY_COLUMNS, size_class
from surveys.formats import (
    KOBO_META_COLUMNS,
    LIMESURVEY_META_COLUMNS,
    SOSCI_FIELD_VARIABLES,
    SOSCI_META_COLUMNS,
    TEMPLATE_FIELD_HEADERS,
    TEMPLATE_MUNICIPALITY_HEADERS,
    forms_field_header,
    forms_header,
    kobo_column,
    limesurvey_column,
    sosci_variable,
    template_header,
)
from surveys.synthetic import GeneratorError, SimulatedProgramme, simulate
from surveys.synthetic.writers import FORMATS, FORMS_SHEET, SOSCI_EXTRA_COLUMNS, write_format

BASELINE = "2025"


# ====================================================================== helpers
def score(wide: pd.DataFrame, inst: Instrument, min_share: float = 2 / 3) -> pd.DataFrame:
    """Scale means per respondent as an analyst computes them (independent of the generator)."""
    out = {}
    for c in inst.constructs:
        its = inst.items_of(c.id)
        X = wide[[i.code for i in its]].to_numpy(float).copy()
        X[X < 0] = np.nan
        for k, it in enumerate(its):
            if it.reverse:
                X[:, k] = 6 - X[:, k]
        answered = (~np.isnan(X)).sum(axis=1)
        with np.errstate(invalid="ignore"):
            m = np.nanmean(X, axis=1) if X.size else np.full(len(X), np.nan)
        m[answered / len(its) < min_share - 1e-9] = np.nan
        out[c.id] = m
    df = pd.DataFrame(out, index=wide.index)
    return pd.concat([wide[["respondent_id", "ags", "role", "wave"]], df], axis=1)


def ols(y: np.ndarray, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ beta
    s2 = resid @ resid / (len(y) - X.shape[1])
    return beta, np.sqrt(np.diag(s2 * np.linalg.inv(X.T @ X)))


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def sheet_rows(path: Path, sheet: str | None = None) -> list[tuple]:
    wb = openpyxl.load_workbook(path, read_only=True)
    ws = wb[sheet] if sheet else wb.worksheets[0]
    rows = [tuple(r) for r in ws.iter_rows(values_only=True)]
    wb.close()
    return rows


# ====================================================================== fixtures
@pytest.fixture(scope="module")
def small(instrument: Instrument) -> SimulatedProgramme:
    return simulate(12, 15, seed=2025, instrument=instrument)


@pytest.fixture(scope="module")
def large(instrument: Instrument) -> SimulatedProgramme:
    """600 municipalities x 200 respondents (100 per wave): enough to recover effects."""
    return simulate(600, 200, seed=11, instrument=instrument, equal_n=True)


@pytest.fixture(scope="module")
def written(small: SimulatedProgramme, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("generated")
    return {fmt: write_format(small, fmt, base / fmt).folder for fmt in FORMATS}


# ====================================================================== determinism
def test_simulate_same_seed_gives_identical_frames(instrument: Instrument) -> None:
    a = simulate(5, 12, seed=7, instrument=instrument)
    b = simulate(5, 12, seed=7, instrument=instrument)
    pd.testing.assert_frame_equal(a.wide, b.wide)
    pd.testing.assert_frame_equal(a.municipalities, b.municipalities)
    pd.testing.assert_frame_equal(a.scores, b.scores)
    assert json.dumps(a.ground_truth) == json.dumps(b.ground_truth)


def test_simulate_different_seed_gives_different_answers(instrument: Instrument) -> None:
    a = simulate(5, 12, seed=7, instrument=instrument)
    b = simulate(5, 12, seed=8, instrument=instrument)
    assert not a.wide[instrument.item_codes].equals(b.wide[instrument.item_codes])
    assert not a.municipalities["ags"].equals(b.municipalities["ags"])


@pytest.mark.parametrize("fmt", FORMATS)
def test_same_seed_writes_byte_identical_files(fmt: str, instrument: Instrument, tmp_path: Path) -> None:
    first = write_format(simulate(4, 10, seed=3, instrument=instrument), fmt, tmp_path / "a")
    second = write_format(simulate(4, 10, seed=3, instrument=instrument), fmt, tmp_path / "b")
    da, db = digest(first.folder), digest(second.folder)
    assert da == db
    assert "ground_truth.json" in da and len(first.data_files) >= 1


# ====================================================================== municipalities
def test_ags_are_unique_valid_eight_digit_keys_of_the_state(instrument: Instrument) -> None:
    prog = simulate(1100, 1, seed=5, instrument=instrument, population_truth_n=None)
    ags = prog.municipalities["ags"]
    assert ags.is_unique
    assert ags.str.fullmatch(r"08[1-4]\d{2}\d{3}").all()
    assert (ags.str[5:] != "000").all()  # Gemeinde number 001..999
    other = simulate(30, 1, seed=5, instrument=instrument, state="09", population_truth_n=None)
    assert other.municipalities["ags"].str.fullmatch(r"09[1-7]\d{5}").all()


def test_municipalities_have_dataset_columns_and_plausible_facts(small: SimulatedProgramme) -> None:
    m = small.municipalities
    assert tuple(m.columns) == MUNICIPALITY_COLUMNS
    assert m["name"].is_unique and m["district"].str.startswith("Landkreis ").all()
    assert (m["state"] == "Baden-Württemberg").all()
    pd.testing.assert_series_equal(m["size_class"], size_class(m["population"]), check_names=False)
    assert set(m["cohort"]) <= {"Kohorte 2024", "Kohorte 2025", "nicht gefördert"}
    # a resolution date exactly where there is a resolution
    assert (m["council_resolution_date"].notna() == m["council_resolution"]).all()


def test_council_resolution_and_resources_rise_with_latent_municipal_commitment(instrument: Instrument) -> None:
    prog = simulate(3000, 1, seed=9, instrument=instrument, population_truth_n=None)
    M = prog.latent["M"].to_numpy()
    m = prog.municipalities
    for col in ("council_resolution", "mayor_involved", "named_contact", "rooms"):
        assert np.corrcoef(M, m[col].astype(float))[0, 1] > 0.25, col
    budget = m["budget_eur"].astype(float)
    ok = budget.notna()
    assert np.corrcoef(M[ok], np.log1p(budget[ok]))[0, 1] > 0.2
    pop = m["population"]
    assert pop.median() < pop.mean()  # right-skewed


# ====================================================================== respondents and mess
def test_total_rows_are_municipalities_times_respondents_and_every_wave_is_covered(
    small: SimulatedProgramme,
) -> None:
    w = small.wide
    assert len(w) == 12 * 15 == len(small.respondents)
    assert w["respondent_id"].is_unique
    assert set(w["ags"]) == set(small.municipalities["ags"])
    per = w.groupby(["ags", "wave"]).size().unstack()
    assert list(per.columns) == ["2025", "2027"] and (per >= 5).all().all()
    assert w["submitted_at"].is_monotonic_increasing
    assert (w["submitted_at"].dt.year.astype(str) == w["wave"]).all()


def test_wide_holds_only_scale_codes_missing_codes_or_blank(small: SimulatedProgramme) -> None:
    values = small.wide[small.instrument.item_codes].to_numpy(float)
    ok = np.isnan(values) | np.isin(values, [1, 2, 3, 4, 5, -1, -9])
    assert ok.all()
    roles = {c.name for c in small.instrument.field("role").choices}
    assert set(small.wide["role"]) <= roles


def test_mayor_answers_at_most_once_per_municipality_and_wave(large: SimulatedProgramme) -> None:
    w = large.wide
    mayors = w[w["role"] == "buergermeister"].groupby(["ags", "wave"]).size()
    assert len(mayors) > 50 and mayors.max() == 1


def test_missing_shares_match_documented_rates(large: SimulatedProgramme) -> None:
    p = large.params
    X = large.wide[large.instrument.item_codes].to_numpy(float)
    keep = 1 - p.p_straight_liner
    assert np.isnan(X).mean() == pytest.approx(keep * p.p_blank, abs=0.002)
    assert (X == -1).mean() == pytest.approx(keep * p.p_dont_know, abs=0.002)
    assert (X == -9).mean() == pytest.approx(keep * p.p_no_answer, abs=0.001)
    share = large.wide["comment"].notna().mean()
    assert share == pytest.approx(p.p_comment, abs=0.01)


def test_straight_liners_exist_and_give_one_raw_answer_everywhere(small, large) -> None:  # type: ignore[no-untyped-def]
    for prog in (small, large):
        X = prog.wide[prog.instrument.item_codes].to_numpy(float)
        flag = prog.respondents["straight_liner"].to_numpy()
        assert flag.sum() >= 1
        assert (np.nanmax(X[flag], axis=1) == np.nanmin(X[flag], axis=1)).all()
        assert not np.isnan(X[flag]).any()
    share = large.respondents["straight_liner"].mean()
    assert share == pytest.approx(large.params.p_straight_liner, abs=0.003)


def test_reverse_keyed_item_is_reflected_in_raw_answers(large: SimulatedProgramme) -> None:
    w = large.wide
    ok = ~large.respondents["straight_liner"].to_numpy()
    erg = w.loc[ok, ["ERG01", "ERG05"]].where(lambda d: d > 0)
    assert erg.corr().iloc[0, 1] < -0.1  # ERG05 raw runs against ERG01


# ====================================================================== ground-truth recovery
@pytest.fixture(scope="module")
def baseline_means(large: SimulatedProgramme) -> pd.DataFrame:
    s = score(large.wide, large.instrument)
    return s[s["wave"] == BASELINE].groupby("ags")[[c.id for c in large.instrument.constructs]].mean()


def test_municipality_means_recover_expected_scale_scores(large, baseline_means) -> None:  # type: ignore[no-untyped-def]
    truth = large.scores[large.scores["wave"] == BASELINE].pivot(index="ags", columns="construct",
                                                                 values="expected")
    for c in baseline_means.columns:
        diff = baseline_means[c] - truth.loc[baseline_means.index, c]
        # mean of 600 municipality deviations, each with SD about sqrt(0.37/100) = 0.06
        assert abs(diff.mean()) < 0.012, c
        assert diff.std() < 0.08, c


def test_structure_regression_on_municipality_means_recovers_interaction(large, baseline_means) -> None:  # type: ignore[no-untyped-def]
    truth = large.ground_truth["sample"]["structure_regression"]["by_wave"][BASELINE]["centred_at_midpoint"]
    b = baseline_means
    X = np.column_stack([np.ones(len(b)), b["kommunal"] - 3, b["zivil"] - 3,
                         (b["kommunal"] - 3) * (b["zivil"] - 3)])
    beta, se = ols(b["struktur"].to_numpy(), X)
    names = ["intercept", "municipal", "civil", "municipal:civil"]
    for name, est, s in zip(names, beta, se, strict=True):
        # sampling error plus a small attenuation from measurement error in the means (ICC2 ~ 0.97)
        assert abs(est - truth[name]) < 4 * s + 0.03 * abs(truth[name]), (name, est, truth[name], s)
    assert truth["municipal:civil"] > 0.3  # the planted interaction is there and positive


def test_fact_effects_on_structures_are_recovered(large, baseline_means) -> None:  # type: ignore[no-untyped-def]
    gt = large.ground_truth["sample"]["structure_regression_with_facts"]["by_wave"][BASELINE]["coefficients"]
    m = large.municipalities.set_index("ags").loc[baseline_means.index]
    b = baseline_means
    X = np.column_stack([np.ones(len(b)), b["kommunal"] - 3, b["zivil"] - 3,
                         (b["kommunal"] - 3) * (b["zivil"] - 3),
                         m["council_resolution"].astype(float), m["mayor_involved"].astype(float)])
    beta, se = ols(b["struktur"].to_numpy(), X)
    for k, name in ((4, "council_resolution"), (5, "mayor_involved")):
        assert abs(beta[k] - gt[name]) < 4 * se[k], (name, beta[k], gt[name])
    ame = large.ground_truth["sample"]["fact_effects"]["council_resolution"]["ame"][BASELINE]
    assert ame == pytest.approx(large.params.construct_model("structure").council, abs=0.03)


def test_role_gap_in_municipal_commitment_is_recovered(large: SimulatedProgramme) -> None:
    s = score(large.wide, large.instrument)
    s = s[s["wave"] == BASELINE]
    admin = s.loc[s["role"].isin(["verwaltung", "buergermeister"]), "kommunal"].mean()
    civil = s.loc[s["role"].isin(["verein", "engagiert"]), "kommunal"].mean()
    truth = large.ground_truth["sample"]["role_gap"]["by_construct"]["kommunal"]
    assert admin - civil == pytest.approx(truth, abs=0.03)
    assert truth == pytest.approx(0.40, abs=0.05)  # latent δ = 0.40, nearly unchanged on the 1..5 scale


def test_icc1_and_within_variance_match_analytic_ground_truth(large: SimulatedProgramme) -> None:
    s = score(large.wide, large.instrument)
    s = s[s["wave"] == BASELINE]
    gt = large.ground_truth["sample"]
    for c in ("kommunal", "zivil", "wirkung", "partnerschaft", "struktur"):
        g = s.dropna(subset=[c]).groupby("ags")[c]
        msw = g.var(ddof=1).mean()
        k = g.size().mean()
        msb = k * g.mean().var(ddof=1)
        icc = (msb - msw) / (msb + (k - 1) * msw)
        assert msw == pytest.approx(gt["within_var"][BASELINE][c], rel=0.03), c
        assert icc == pytest.approx(gt["icc1"][BASELINE][c], abs=0.03), c


def test_difference_in_differences_recovers_programme_effect(large: SimulatedProgramme) -> None:
    s = score(large.wide, large.instrument)
    means = s.groupby(["ags", "wave"])[["kommunal", "struktur"]].mean().unstack("wave")
    funded = large.latent.set_index("ags")["funded"].loc[means.index].to_numpy()
    truth = large.ground_truth["sample"]["did"]["2027-2025"]
    for c in ("kommunal", "struktur"):
        change = (means[(c, "2027")] - means[(c, "2025")]).to_numpy()
        did = change[funded].mean() - change[~funded].mean()
        se = np.sqrt(change[funded].var(ddof=1) / funded.sum() + change[~funded].var(ddof=1) / (~funded).sum())
        assert abs(did - truth[c]) < 4 * se, (c, did, truth[c], se)
    assert truth["struktur"] == pytest.approx(large.params.construct_model("structure").programme, abs=0.05)


def test_sample_truth_converges_to_population_truth(instrument: Instrument) -> None:
    prog = simulate(4000, 1, seed=21, instrument=instrument)
    samp = prog.ground_truth["sample"]["structure_regression"]["by_wave"][BASELINE]
    pop = prog.ground_truth["population"]["structure_regression"]["by_wave"][BASELINE]
    for name, value in pop["centred_at_midpoint"].items():
        se = samp["se"][name] if name != "intercept" else 0.01
        assert abs(samp["centred_at_midpoint"][name] - value) < 4 * max(se, 0.005), name
    assert prog.ground_truth["population"]["n_monte_carlo"] >= 100_000


# ====================================================================== formats
def test_template_workbooks_follow_template_conventions(written, small) -> None:  # type: ignore[no-untyped-def]
    folder = written["template"]
    files = sorted(folder.glob("*.xlsx"))
    assert len(files) == 12
    inst = small.instrument
    for f in files:
        assert re.fullmatch(r"08\d{6}_[A-Za-z0-9_.-]+\.xlsx", f.name), f.name
    rows = sheet_rows(files[0], "Antworten")
    header = [h for h in rows[0] if h is not None]
    expected_items = [template_header(it) for it in inst.items]
    assert set(TEMPLATE_FIELD_HEADERS.values()) <= set(header)
    assert [h for h in header if h in expected_items] == expected_items
    kommunen = sheet_rows(files[0], "Kommunen")
    assert list(kommunen[0][: len(TEMPLATE_MUNICIPALITY_HEADERS)]) == list(TEMPLATE_MUNICIPALITY_HEADERS.values())
    assert kommunen[1][0] == files[0].name[:8]
    n_rows = sum(1 for f in files for r in sheet_rows(f, "Antworten")[1:] if r[1] is not None)
    assert n_rows == len(small.wide)


def _decode(values: list, mapping: dict) -> np.ndarray:
    return np.array([np.nan if v is None or v == "" else mapping[v] for v in values], dtype=float)


def test_kobo_export_headers_and_values(written, small) -> None:  # type: ignore[no-untyped-def]
    inst = small.instrument
    path = written["kobo"] / f"{inst.name}.xlsx"
    wb = openpyxl.load_workbook(path, read_only=True)
    assert wb.sheetnames == [inst.name]
    wb.close()
    rows = sheet_rows(path)
    header = list(rows[0])
    assert header == ["start", "end", "ags", "role", "wave", *[kobo_column(i) for i in inst.items],
                      "comment", *KOBO_META_COLUMNS]
    data = rows[1:]
    assert len(data) == len(small.wide)
    col = {h: [r[i] for r in data] for i, h in enumerate(header)}
    assert col["ags"] == small.wide["ags"].tolist()  # text cells, leading zero kept
    assert col["_index"] == list(range(1, len(data) + 1))
    assert len(set(col["_uuid"])) == len(data) and all(re.fullmatch(r"[0-9a-f-]{36}", u) for u in col["_uuid"])
    assert all(s < e for s, e in zip(col["start"], col["end"], strict=True))
    names = {o.name: o.code for o in inst.scales["agree5"].options}
    for it in inst.items:
        assert all(v is None or isinstance(v, str) for v in col[kobo_column(it)])
        np.testing.assert_array_equal(_decode(col[kobo_column(it)], names), small.wide[it.code].to_numpy())


@pytest.mark.parametrize("answers,spaced", [("codes", False), ("text", True)])
def test_limesurvey_csv_headers_codes_and_na(small, tmp_path, answers, spaced) -> None:  # type: ignore[no-untyped-def]
    inst = small.instrument
    res = write_format(small, "limesurvey", tmp_path / "ls", answers=answers, spaced_headers=spaced)
    raw = res.data_files[0].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.endswith(b"\r\n\r\n")
    df = pd.read_csv(res.data_files[0], encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(df.columns) == [*LIMESURVEY_META_COLUMNS, "ags", "role", "wave",
                                *[limesurvey_column(i, spaced=spaced) for i in inst.items], "comment"]
    assert df["ags"].tolist() == small.wide["ags"].tolist()
    opts = inst.scales["agree5"].options
    decode = {"N/A": np.nan} | {(o.label_de if answers == "text" else str(o.code)): o.code
                                for o in opts if o.missing != "no_answer"}
    for it in inst.items:
        got = _decode(df[limesurvey_column(it, spaced=spaced)].tolist(), decode)
        want = small.wide[it.code].to_numpy().copy()
        want[want == -9] = np.nan  # LimeSurvey: "keine Angabe" and skipped are both N/A
        np.testing.assert_array_equal(got, want)


def test_sosci_export_variables_label_row_and_missing_codes(written, small) -> None:  # type: ignore[no-untyped-def]
    inst = small.instrument
    rows = sheet_rows(written["sosci"] / f"data_{inst.name}.xlsx")
    fv = SOSCI_FIELD_VARIABLES
    header = list(rows[0])
    assert header == [*SOSCI_META_COLUMNS, fv["ags"], fv["role"], fv["wave"],
                      *[sosci_variable(inst, i) for i in inst.items], fv["comment"], *SOSCI_EXTRA_COLUMNS]
    labels = rows[1]
    assert labels[header.index("KO01_01")].endswith(inst.items[0].label_de)
    data = rows[2:]
    col = {h: [r[i] for r in data] for i, h in enumerate(header)}
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", s) for s in col["STARTED"])
    role_codes = {c.name: i + 1 for i, c in enumerate(inst.field("role").choices)}
    assert col["SD02"] == [role_codes[r] for r in small.wide["role"]]
    for it in inst.items:
        want = small.wide[it.code].to_numpy().copy()
        want[np.isnan(want)] = -9
        np.testing.assert_array_equal(np.array(col[sosci_variable(inst, it)], dtype=float), want)


def test_forms_export_question_headers_and_answer_texts(written, small) -> None:  # type: ignore[no-untyped-def]
    inst = small.instrument
    path = next(written["forms"].glob("*.xlsx"))
    wb = openpyxl.load_workbook(path, read_only=True)
    assert wb.sheetnames == [FORMS_SHEET]
    wb.close()
    rows = sheet_rows(path)
    header = list(rows[0])
    assert header == ["Zeitstempel", *[forms_field_header(inst, f) for f in ("ags", "role", "wave")],
                      *[forms_header(inst, i) for i in inst.items], forms_field_header(inst, "comment")]
    data = rows[1:]
    assert all(re.fullmatch(r"\d\d\.\d\d\.\d{4} \d\d:\d\d:\d\d", r[0]) for r in data)
    assert [f"{r[1]:08d}" for r in data] == small.wide["ags"].tolist()  # AGS arrives as a number
    labels = {o.label_de: o.code for o in inst.scales["agree5"].options}
    for k, it in enumerate(inst.items):
        np.testing.assert_array_equal(_decode([r[4 + k] for r in data], labels), small.wide[it.code].to_numpy())


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_ships_ground_truth_and_municipality_list(written, small, fmt) -> None:  # type: ignore[no-untyped-def]
    folder = written[fmt]
    gt = json.loads((folder / "ground_truth.json").read_text(encoding="utf-8"))
    assert gt["generator"]["seed"] == 2025 and gt["design"]["n_respondents"] == len(small.wide)
    assert {"sample", "population", "model", "mess"} <= set(gt)
    split = json.loads((folder / "ground_truth_scores.json").read_text(encoding="utf-8"))
    scores = pd.DataFrame(split["data"], columns=split["columns"])
    assert scores["ags"].str.fullmatch(r"08\d{6}").all()
    assert len(scores) == 12 * 2 * len(small.instrument.constructs)
    if fmt != "template":
        k = pd.read_csv(folder / "kommunen.csv", dtype=str)
        assert list(k.columns) == list(TEMPLATE_MUNICIPALITY_HEADERS.values())
        assert k["AGS"].tolist() == small.municipalities["ags"].tolist()


# ====================================================================== CLI and errors
def test_cli_generate_writes_folder_and_prints_summary(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "kobo"
    rc = main(["generate", "--municipalities", "3", "--respondents-per", "10", "--seed", "1",
               "--format", "kobo", "--out", str(out), "--waves", "2025"])
    assert rc == 0
    text = capsys.readouterr().out
    assert "30 Befragte" in text and "ground_truth.json" in text
    gt = json.loads((out / "ground_truth.json").read_text(encoding="utf-8"))
    assert gt["generator"]["waves"] == ["2025"] and "did" not in gt["sample"]


def test_cli_refuses_to_replace_a_folder_with_foreign_files(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "notes.txt").write_text("keep me")
    rc = main(["generate", "--municipalities", "2", "--respondents-per", "5", "--seed", "1",
               "--format", "sosci", "--out", str(tmp_path)])
    assert rc == 2
    assert (tmp_path / "notes.txt").read_text() == "keep me"
    assert "nicht überschrieben" in capsys.readouterr().err


def test_invalid_sizes_state_and_format_raise_generator_error(small: SimulatedProgramme, tmp_path: Path) -> None:
    with pytest.raises(GeneratorError):
        simulate(0, 10, seed=1)
    with pytest.raises(GeneratorError):
        simulate(3, 10, seed=1, state="99")
    with pytest.raises(GeneratorError):
        simulate(3, 10, seed=1, waves=())
    with pytest.raises(GeneratorError):
        write_format(small, "spss", tmp_path / "x")


def test_national_scale_simulation_has_exact_row_count(instrument: Instrument) -> None:
    """1,000 x 100: vectorised generation (duration printed, never asserted; see benchmarks/)."""
    t0 = time.perf_counter()
    prog = simulate(1000, 100, seed=4, instrument=instrument)
    print(f"simulate 1000 x 100: {time.perf_counter() - t0:.2f} s")
    assert len(prog.wide) == 100_000
    assert prog.wide["ags"].nunique() == 1000


# ====================================================================== committed examples
EXAMPLES = Path(__file__).parents[2] / "data" / "examples"


#: The committed example: `make examples` (Makefile) runs exactly these arguments for every format.
EXAMPLE_ARGS = {"n_municipalities": 12, "respondents_per": 40, "seed": 2025}


@pytest.fixture(scope="module")
def example(instrument: Instrument) -> SimulatedProgramme:
    return simulate(instrument=instrument, **EXAMPLE_ARGS)


@pytest.mark.parametrize("fmt", FORMATS)
def test_committed_examples_are_reproduced_byte_for_byte(fmt: str, example, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """`baustein generate --municipalities 12 --respondents-per 40 --seed 2025 --format F` (Makefile)."""
    committed = EXAMPLES / fmt
    assert committed.is_dir(), "data/examples is committed; regenerate with `make examples`"
    fresh = write_format(example, fmt, tmp_path / fmt).folder
    assert digest(fresh) == digest(committed)


def test_importer_reads_the_same_answers_from_all_five_formats(written, small) -> None:  # type: ignore[no-untyped-def]
    importing = pytest.importorskip("surveys.importing")
    inst = small.instrument
    cols = ["ags", "role", "wave", "submitted_at", *inst.item_codes]
    frames = {}
    for fmt, folder in written.items():
        result = importing.read_responses([folder], inst)
        assert result.manifest["totals"]["rows_rejected"] == 0, fmt
        wide = result.dataset.wide().sort_values("submitted_at").reset_index(drop=True)
        wide["wave"] = wide["wave"].astype(str)
        frames[fmt] = wide[cols]
    expected = small.wide[cols].copy()
    expected[inst.item_codes] = expected[inst.item_codes].where(expected[inst.item_codes] > 0)
    for fmt, frame in frames.items():
        np.testing.assert_array_equal(frame[inst.item_codes].to_numpy(float),
                                      expected[inst.item_codes].to_numpy(float), err_msg=fmt)
        assert frame["ags"].tolist() == expected["ags"].tolist(), fmt
        assert frame["role"].tolist() == expected["role"].tolist(), fmt
        assert (pd.to_datetime(frame["submitted_at"]) == expected["submitted_at"]).all(), fmt
