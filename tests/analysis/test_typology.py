"""Typologies: hand-built municipalities with known types; scipy / pingouin as references."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.typology import commitment_typology, fact_typology, structure_by_type
from core.errors import AnalysisError


def _four_municipalities() -> pd.DataFrame:
    rows = {
        "A": ([4, 5, 4, 4, 3, 5], [4, 4, 5, 4, 4, 3]),  # both high -> Partnerschaft
        "B": ([4, 4, 5, 4, 4, 4], [2, 3, 2, 2, 1, 3]),  # municipal only
        "C": ([2, 2, 3, 1, 2, 2], [4, 5, 5, 4, 4, 4]),  # civil only
        "D": ([2, 3, 2, 3, 2, 2], [3, 2, 2, 3, 2, 1]),  # neither
        "E": ([5, 5, 5, 5], [5, 5, 5, 5]),  # only 4 respondents -> suppressed
    }
    recs = [(k, m, c) for k, (ms, cs) in rows.items() for m, c in zip(ms, cs)]
    return pd.DataFrame(recs, columns=["ags", "kommunal", "zivil"])


def test_commitment_types_means_and_t_intervals():
    df = _four_municipalities()
    t = commitment_typology(df, "kommunal", "zivil").set_index("ags")
    assert t.loc[["A", "B", "C", "D"], "type"].tolist() == [
        "Partnerschaft", "Kommunal getragen", "Zivilgesellschaftlich getragen", "Im Aufbau"]
    assert t.loc[["A", "B", "C", "D"], "type_en"].tolist() == [
        "partnership", "municipality-led", "civil-society-led", "emerging"]
    for ags in "ABCD":
        x = df.loc[df["ags"] == ags, "kommunal"].to_numpy(dtype=float)
        lo, hi = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
        assert t.loc[ags, "mean_municipal"] == pytest.approx(x.mean())
        assert t.loc[ags, "ci_low_municipal"] == pytest.approx(lo)
        assert t.loc[ags, "ci_high_municipal"] == pytest.approx(hi)
        assert t.loc[ags, "n_municipal"] == 6
    # E has 4 respondents: no type, statistics blanked
    assert t.loc["E", "suppressed"]
    assert pd.isna(t.loc["E", "type"]) and pd.isna(t.loc["E", "mean_municipal"])
    assert pd.isna(t.loc["E", "n_municipal"])


def test_threshold_is_configurable_and_strict():
    df = _four_municipalities()
    mean_a = df.loc[df["ags"] == "A", "kommunal"].mean()  # 4.1667
    # threshold exactly at A's municipal mean: not "high" (strictly above is required)
    t = commitment_typology(df, "kommunal", "zivil", threshold=(mean_a, 3)).set_index("ags")
    assert t.loc["A", "type"] == "Zivilgesellschaftlich getragen"
    t2 = commitment_typology(df, "kommunal", "zivil", threshold=1.5).set_index("ags")
    assert t2.loc["D", "type"] == "Partnerschaft"
    assert (t2["threshold_municipal"] == 1.5).all()
    # default = midpoint of the scale range
    t3 = commitment_typology(df, "kommunal", "zivil", scale_range=(0, 10)).set_index("ags")
    assert t3.loc["A", "threshold_civil"] == 5 and t3.loc["A", "type"] == "Im Aufbau"


def test_certain_flag_uses_the_confidence_intervals():
    df = _four_municipalities()
    t = commitment_typology(df, "kommunal", "zivil").set_index("ags")
    for ags in "ABCD":
        ok = all(
            (t.loc[ags, f"ci_low_{d}"] > 3) or (t.loc[ags, f"ci_high_{d}"] < 3) for d in ("municipal", "civil")
        )
        assert bool(t.loc[ags, "certain"]) == ok
    # D's civil mean 2.17 with CI below 3 and municipal 2.33 < 3 (CI upper 2.88): certain
    assert bool(t.loc["D", "certain"])
    # A's civil CI [3.39, 4.61]? compute and confirm it is certain only when both exclude 3
    assert bool(t.loc["A", "certain"]) == (t.loc["A", "ci_low_municipal"] > 3 and t.loc["A", "ci_low_civil"] > 3)


def test_missing_scores_are_ignored_per_dimension():
    df = _four_municipalities()
    df.loc[0, "zivil"] = np.nan
    t = commitment_typology(df, "kommunal", "zivil").set_index("ags")
    assert t.loc["A", "n_municipal"] == 6 and t.loc["A", "n_civil"] == 5


def test_missing_column_raises():
    with pytest.raises(AnalysisError):
        commitment_typology(_four_municipalities(), "kommunal", "nope")


FACTS = pd.DataFrame(
    [
        # ags, council, mayor, contact, staff, budget, rooms, expected
        ("01", True, True, True, 10, 0, 0, "verbindlich verankert"),
        ("02", True, True, False, 0, 0, 0, "teilweise verankert"),  # council + 1 = 2
        ("03", True, False, False, 0, 0, 0, "teilweise verankert"),  # council only
        ("04", False, True, True, 5, 100, 1, "teilweise verankert"),  # no council, s = 3
        ("05", False, True, False, 0, 0, 0, "informell"),  # s = 1
        ("06", False, False, False, 0, 0, 0, "informell"),
        ("07", True, False, True, 0, 0, 2, "verbindlich verankert"),  # council + contact + rooms
    ],
    columns=["ags", "council_resolution", "mayor_involved", "named_contact", "staff_hours", "budget_eur",
             "rooms", "expected"],
)


def test_fact_typology_rule_table():
    t = fact_typology(FACTS)
    assert t["type"].tolist() == FACTS["expected"].tolist()
    assert t["score"].tolist() == [4, 2, 1, 3, 1, 0, 3]
    assert (t["score_max"] == 4).all()
    assert t.loc[0, "type_en"] == "firmly anchored"


def test_fact_typology_resource_thresholds():
    t = fact_typology(FACTS, resources={"staff_hours": 20, "budget_eur": 1000, "rooms": 5})
    # 01 loses its resource criterion -> council + mayor + contact still = 3 -> firmly anchored
    # 07 loses rooms -> council + contact = 2 -> partly anchored
    assert t["type"].tolist()[0] == "verbindlich verankert"
    assert t["type"].tolist()[6] == "teilweise verankert"


def test_fact_typology_unknown_facts_only_typed_when_decidable():
    f = FACTS.drop(columns="expected").copy()
    f["mayor_involved"] = f["mayor_involved"].astype(object)
    f["named_contact"] = f["named_contact"].astype(object)
    f.loc[0, "mayor_involved"] = None  # council+contact+resources = 3 anyway -> still firmly anchored
    f.loc[5, "mayor_involved"] = None  # 0 or 1 criteria -> informal either way
    f.loc[1, "mayor_involved"] = None  # council + (0 or 1) -> partly either way
    f.loc[6, "named_contact"] = None  # council + rooms + (0|1) -> 2 or 3: undecidable
    t = fact_typology(f)
    assert t["type"].tolist()[:2] == ["verbindlich verankert", "teilweise verankert"]
    assert t.loc[5, "type"] == "informell"
    assert pd.isna(t.loc[6, "type"]) and pd.isna(t.loc[6, "score"])


def test_fact_typology_accepts_ja_nein_text_and_repeated_rows():
    f = FACTS.drop(columns="expected").copy()
    for c in ("council_resolution", "mayor_involved", "named_contact"):
        f[c] = f[c].map({True: "ja", False: "nein"})
    long = pd.concat([f, f]).sample(frac=1, random_state=1)  # respondent-level frame: repeated facts
    t = fact_typology(long)
    assert t["type"].tolist() == FACTS["expected"].tolist()


def _typed_frame(seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    types = ["Partnerschaft", "Kommunal getragen", "Zivilgesellschaftlich getragen", "Im Aufbau"]
    G = 24
    mtype = np.array(types * (G // 4))
    effect = {"Partnerschaft": 0.8, "Kommunal getragen": 0.4, "Zivilgesellschaftlich getragen": 0.3,
              "Im Aufbau": 0.0}
    sizes = rng.integers(6, 15, G)
    rows = []
    for j in range(G):
        u = rng.normal(0, 0.3)
        for _ in range(sizes[j]):
            rows.append((f"m{j:02d}", mtype[j], 3 + effect[mtype[j]] + u + rng.normal(0, 0.6)))
    rows += [("tiny", "Partnerschaft", 5.0)] * 3  # below min_n: must not count
    return pd.DataFrame(rows, columns=["ags", "typ", "struktur"])


def test_structure_by_type_is_computed_on_municipality_means_against_pingouin():
    pg = pytest.importorskip("pingouin")
    df = _typed_frame()
    res = structure_by_type(df, "struktur", "typ")
    muni = df[df["ags"] != "tiny"].groupby("ags").agg(y=("struktur", "mean"), typ=("typ", "first")).reset_index()
    ref = pg.welch_anova(muni, dv="y", between="typ")
    assert res.omnibus["F"].iloc[0] == pytest.approx(ref["F"].iloc[0], rel=1e-6)
    assert res.omnibus["df2"].iloc[0] == pytest.approx(ref["ddof2"].iloc[0], rel=1e-6)
    desc = res.descriptives.set_index("type")
    assert desc.index.tolist()[0] == "Partnerschaft"  # commitment-type order
    assert desc.loc["Partnerschaft", "n_municipalities"] == 6
    expected = muni.groupby("typ")["y"].mean()
    for t, v in expected.items():
        assert desc.loc[t, "mean"] == pytest.approx(v)
        k = 6
        half = stats.t.ppf(0.975, k - 1) * muni.loc[muni["typ"] == t, "y"].std() / np.sqrt(k)
        assert desc.loc[t, "ci_high"] == pytest.approx(v + half)
    gh = pg.pairwise_gameshowell(muni, dv="y", between="typ")
    mine = res.posthoc.set_index(["A", "B"])
    for _, r in gh.iterrows():
        assert mine.loc[(r["A"], r["B"]), "T"] == pytest.approx(r["T"], rel=1e-6)
    assert {"hedges", "p_holm"} <= set(res.posthoc.columns)


def test_structure_by_type_rejects_types_varying_within_municipality():
    df = _typed_frame()
    df.loc[df.index[0], "typ"] = "Im Aufbau" if df.loc[df.index[0], "typ"] != "Im Aufbau" else "Partnerschaft"
    with pytest.raises(AnalysisError):
        structure_by_type(df, "struktur", "typ")
