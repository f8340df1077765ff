"""reporting.narrative: the profile's sentences say what the results say, and quote the Baustein."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from reporting.narrative import profile_text
from reporting.notebook import ReportContext, setup
from reporting.profile_data import ProfileData

BAUSTEIN = Path(__file__).resolve().parents[1] / "data" / "baustein" / "sensibilisierung-kommune-zivilgesellschaft.txt"
#: Words that would turn an association into a cause.
CAUSAL = ("weil", "deshalb", "daher", "führt zu", "führen zu", "bewirkt", "verursacht", "dadurch", "because",
          "causes", "leads to", "therefore")


@pytest.fixture(scope="module")
def ctx(example_dataset: Path) -> ReportContext:
    return setup(example_dataset, lang="de", min_n=5)


def baustein_recommendations() -> set[str]:
    """The bullets of "Für die Kommune" and "Für die Zivilgesellschaft", read from the Baustein itself."""
    text = BAUSTEIN.read_text(encoding="utf-8")
    block = text[text.index("Für die Zivilgesellschaft"):text.index("Reflexion & Erfahrungen")]
    block = re.sub(r"-\s*\n\s*", "", block)  # words hyphenated across lines ("Ver-\nantwortung")
    bullets = [b.strip() for b in re.split(r"•", block)[1:]]
    return {re.sub(r"\s+", " ", b.split("\n")[0]).strip().rstrip(",.").strip() for b in bullets}


def expected_extremes(results, ags: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """Strongest and weakest scale from the funnel table: largest / smallest z_adjusted (ties: first)."""
    f = results["funnel"]
    mine = f[(f["ags"].astype(str) == ags) & ~f["suppressed"].astype(bool)].reset_index(drop=True)
    z = mine["z_adjusted"].to_numpy(dtype=float)
    return str(mine["construct"].iloc[int(np.argmax(z))]), str(mine["construct"].iloc[int(np.argmin(z))])


def test_each_profile_names_its_strongest_and_weakest_scale_as_the_funnel_results_say(ctx: ReportContext) -> None:
    labels = {c.id: c.label("de") for c in ctx.instrument.constructs}
    over = ctx.results["kommunen_uebersicht"]
    munis = over.loc[~over["suppressed"].astype(bool), "ags"].astype(str)
    assert len(munis) >= 10
    for ags in munis:
        text = profile_text(ctx.profile_data, ctx.instrument, ags, "de", n_waves=ctx.n_waves)
        best, worst = expected_extremes(ctx.results, ags)
        assert (text.strongest, text.weakest) == (best, worst), ags
        sentences = {s.kind: s.text for s in text.sentences}
        assert f"**{labels[best]}**" in sentences["strongest"], ags
        assert f"**{labels[worst]}**" in sentences["weakest"], ags
        assert 3 <= len(text.sentences) <= 6


def test_each_profile_quotes_a_recommendation_of_the_baustein_verbatim(ctx: ReportContext) -> None:
    recs = baustein_recommendations()
    assert len(recs) == 13  # 7 for the municipality, 6 for civil society
    over = ctx.results["kommunen_uebersicht"]
    for ags in over.loc[~over["suppressed"].astype(bool), "ags"].astype(str):
        advice = profile_text(ctx.profile_data, ctx.instrument, ags, "de").advice_markdown()
        quoted = set(re.findall(r"„([^“]+)“", advice))
        assert quoted & recs, (ags, quoted)


def test_lowest_statements_are_the_lowest_item_means_of_the_municipality(ctx: ReportContext) -> None:
    ags = str(ctx.results["kommunen_uebersicht"]["ags"].iloc[0])
    frame = ctx.frame[(ctx.frame["ags"] == ags) & (ctx.frame["wave"].astype(str) == str(ctx.results.meta["wave"]))]
    inst = ctx.instrument
    means = {}
    for item in inst.items:
        v = frame[item.code].dropna()
        if len(v) >= 5:
            sc = inst.scales[item.scale]
            means[item.code] = float((sc.min + sc.max - v).mean() if item.reverse else v.mean())
    lowest = sorted(means, key=lambda k: (means[k], k))[:3]
    advice = profile_text(ctx.profile_data, inst, ags, "de").advice
    assert [a.item for a in advice] == lowest
    for a in advice:
        assert a.mean == pytest.approx(means[a.item], abs=1e-9)


def test_sentences_describe_associations_never_causes(ctx: ReportContext) -> None:
    for lang in ("de", "en"):
        for ags in ctx.results["kommunen_uebersicht"]["ags"].astype(str):
            t = profile_text(ctx.profile_data, ctx.instrument, ags, lang, n_waves=ctx.n_waves)
            advice = t.advice_markdown().splitlines()[:-1]  # the last line says the values name no cause
            words = (t.summary_markdown() + " " + " ".join(advice)).lower()
            assert not [w for w in CAUSAL if re.search(rf"\b{w}\b", words)], (ags, lang)


def test_uncertainty_words_follow_the_funnel_limits(ctx: ReportContext) -> None:
    f = ctx.results["funnel"]
    seen = set()
    for ags in ctx.results["kommunen_uebersicht"]["ags"].astype(str):
        text = profile_text(ctx.profile_data, ctx.instrument, ags, "de")
        rows = f[(f["ags"].astype(str) == ags)].set_index("construct")
        for s in text.sentences:
            if s.kind in ("strongest", "weakest"):
                outside = bool(rows.loc[s.construct, "outside_95"])
                assert ("mehr als Zufall" in s.text) == outside and ("im Rahmen des Zufalls" in s.text) == (not outside)
                seen.add(outside)
    assert seen == {True, False}  # the example data has both cases


def _rottenburg(value: float, target: float, outside: bool = False, n: int = 8) -> ProfileData:
    """The trial's pilot: Rottenburg (n = 8) on two scales, both below the state mean, within the limits."""
    ags = "08416048"
    over = pd.DataFrame({"ags": [ags], "name": ["Rottenburg am Neckar"], "n": [n], "suppressed": [False]})
    funnel = pd.DataFrame({"ags": ags, "construct": ["kommunal", "wirkung"], "value": [2.14, value],
                           "target": [2.67, target], "n": [n, n], "z_adjusted": [-0.9, -1.6],
                           "outside_95": [False, outside], "outside_99.8": [False, False], "suppressed": [False, False]})
    return ProfileData(funnel={ags: funnel}, overview={ags: over}, min_n=5)


def test_words_for_a_difference_say_its_size_and_its_uncertainty_apart(instrument) -> None:  # type: ignore[no-untyped-def]
    text = profile_text(_rottenburg(1.70, 2.50), instrument, "08416048", "de")
    weakest = next(s for s in text.sentences if s.kind == "weakest").text
    # 0,80 points below: a large difference, which 8 answers leave within chance -- never "etwas darunter"
    assert "1,70 gegenüber 2,50" in weakest and "deutlich niedriger" in weakest
    assert "aber bei 8 Antworten noch im Rahmen des Zufalls" in weakest and "etwas" not in weakest
    outside = next(s for s in profile_text(_rottenburg(1.70, 2.50, outside=True), instrument, "08416048",
                                           "de").sentences if s.kind == "weakest").text
    assert "deutlich niedriger, mehr als Zufall (außerhalb der 95-%-Grenzen)" in outside
    small = next(s for s in profile_text(_rottenburg(2.45, 2.50), instrument, "08416048", "en").sentences
                 if s.kind == "weakest").text
    assert "about level, within the range of chance" in small


def test_the_best_scale_below_the_state_mean_reads_naturally(instrument) -> None:  # type: ignore[no-untyped-def]
    strongest = next(s for s in profile_text(_rottenburg(1.70, 2.50), instrument, "08416048", "de").sentences
                     if s.kind == "strongest").text
    assert strongest.startswith("Im Vergleich mit den anderen Kommunen schneidet Rottenburg am Neckar bei "
                                "**Kommunales Engagement** am besten ab, liegt aber auch dort unter dem Landesmittel")
    assert "merklich niedriger" in strongest and "darunter" not in strongest and "Am günstigsten" not in strongest


def test_profile_header_labels_the_funding_cohort_and_names_the_wave(tmp_path: Path, instrument) -> None:  # type: ignore[no-untyped-def]
    from analysis import AnalysisConfig, Results
    from reporting.figures import profile_header

    over = pd.DataFrame({"ags": ["08416025"], "name": ["Mössingen"], "district": ["Landkreis Tübingen"],
                         "size_class": ["20.000 bis unter 100.000"], "cohort": ["2024"], "n": [6.0],
                         "suppressed": [False]})
    res = Results(tables={"kommunen_uebersicht": over}, docs={}, config=AnalysisConfig(), meta={"wave": "2025"})
    ctx = ReportContext(dataset=None, results=res, lang="de", min_n=5)
    head = profile_header(ctx, "08416025")
    assert "· Förderkohorte 2024 ·" in head and "· 2024 ·" not in head
    assert "**n = 6 Befragte (Welle 2025)**" in head


def _tiny_data(suppress_gap: bool) -> ProfileData:
    ags = "08000001"
    over = pd.DataFrame({"ags": [ags], "name": ["Musterstadt"], "n": [20], "suppressed": [False]})
    funnel = pd.DataFrame({"ags": ags, "construct": ["kommunal", "zivil"], "value": [3.6, 2.4], "target": [3.0, 3.0],
                           "z_adjusted": [1.0, -2.5], "outside_95": [False, True], "outside_99.8": [False, False],
                           "suppressed": [False, False]})
    gaps = pd.DataFrame({"ags": ags, "construct": ["kommunal", "zivil"], "gap": [np.nan, 0.3],
                         "ci_low": [np.nan, -0.2], "ci_high": [np.nan, 0.8], "suppressed": [True, suppress_gap]})
    return ProfileData(funnel={ags: funnel}, overview={ags: over}, gaps={ags: gaps}, min_n=5)


def test_no_sentence_describes_a_role_group_below_the_minimum(instrument) -> None:  # type: ignore[no-untyped-def]
    text = profile_text(_tiny_data(suppress_gap=True), instrument, "08000001", "de")
    roles = next(s for s in text.sentences if s.kind == "roles")
    assert roles.construct is None and "zu wenige Antworten" in roles.text and "Mindestzahl 5" in roles.text
    shown = profile_text(_tiny_data(suppress_gap=False), instrument, "08000001", "de")
    assert next(s for s in shown.sentences if s.kind == "roles").construct == "zivil"  # never the suppressed one


def test_a_municipality_below_the_minimum_gets_a_note_and_no_sentences(instrument) -> None:  # type: ignore[no-untyped-def]
    data = _tiny_data(suppress_gap=True)
    data.overview["08000001"].loc[:, "suppressed"] = True
    text = profile_text(data, instrument, "08000001", "de")
    assert text.sentences == () and text.advice == () and "weniger als 5" in text.note


def test_one_wave_says_no_change_can_be_shown_yet(instrument) -> None:  # type: ignore[no-untyped-def]
    text = profile_text(_tiny_data(suppress_gap=False), instrument, "08000001", "en", n_waves=1)
    change = next(s for s in text.sentences if s.kind == "change")
    assert "only one survey wave" in change.text


def test_english_profile_speaks_english_with_english_scale_names(ctx: ReportContext) -> None:
    ags = str(ctx.results["kommunen_uebersicht"]["ags"].iloc[0])
    text = profile_text(ctx.profile_data, ctx.instrument, ags, "en", n_waves=ctx.n_waves)
    en = {c.label("en") for c in ctx.instrument.constructs}
    assert any(f"**{label}**" in text.summary_markdown() for label in en)
    assert "Landesmittel" not in text.summary_markdown() and "state mean" in text.summary_markdown()
