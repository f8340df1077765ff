"""reporting.explore: notebook 04's explorer recomputes figure, typology table and model for a choice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reporting.explore import ExploreChoice, explore_view
from reporting.notebook import ReportContext, setup


@pytest.fixture(scope="module")
def ctx(example_dataset: Path) -> ReportContext:
    return setup(example_dataset, lang="de", min_n=5)


def _points(fig: Any) -> dict[str, list[tuple[float, float]]]:
    return {tr.name: list(zip(tr.x, tr.y)) for tr in fig.data if tr.mode == "markers"}


def test_default_view_puts_structure_strength_on_the_y_axis_against_municipal_commitment(ctx: ReportContext) -> None:
    view = explore_view(ctx)
    assert view.figure.layout.xaxis.title.text == "Kommunales Engagement"
    assert view.figure.layout.yaxis.title.text == "Stärke der Unterstützungsstrukturen"
    # one marker per municipality, at the municipality means of the analysis (table "kommunen")
    k = ctx.results["kommunen"]
    k = k[~k["suppressed"].astype(bool)].pivot_table(index="name", columns="variable", values="mean")
    pts = {(round(x, 9), round(y, 9)) for p in _points(view.figure).values() for x, y in p}
    expected = {(round(r.kommunal, 9), round(r.struktur, 9)) for r in k.itertuples()}
    assert pts == expected
    # the typology table counts the plotted municipalities by survey type
    types = ctx.results["typologie"].set_index("name")["type"]
    assert dict(zip(view.typology["colour"], view.typology["n_municipalities"])) == types.value_counts().to_dict()


def test_filtering_roles_recomputes_means_and_hides_municipalities_below_the_minimum(ctx: ReportContext) -> None:
    view = explore_view(ctx, ExploreChoice(roles="civil"))
    sel = ctx.frame[(ctx.frame["wave"].astype(str) == str(ctx.results.meta["wave"]))
                    & ctx.frame["role"].isin(["verein", "engagiert"])]
    n = sel.groupby("ags")[["kommunal", "struktur"]].count().min(axis=1)  # both axes need the minimum
    shown = int(view.typology["n_municipalities"].sum())
    assert shown == int((n >= 5).sum()) < ctx.results["kommunen_uebersicht"]["ags"].nunique()
    assert view.notes and "nicht gezeigt" in view.notes[0]
    means = sel.groupby("ags")["kommunal"].mean()[n[n >= 5].index]
    xs = sorted(round(x, 9) for p in _points(view.figure).values() for x, _ in p)
    assert xs == sorted(round(v, 9) for v in means)


def test_colour_by_a_municipality_fact_groups_by_that_fact(ctx: ReportContext) -> None:
    view = explore_view(ctx, ExploreChoice(color="council_resolution"))
    m = ctx.dataset.municipalities.set_index("name")["council_resolution"]
    for name, pts in _points(view.figure).items():
        tr = next(t for t in view.figure.data if t.name == name)
        expected = "ja" if name == "ja" else "nein"
        assert all(("ja" if bool(m[c[0]]) else "nein") == expected for c in tr.customdata), name
        assert pts


def test_highlight_marks_the_chosen_municipality_by_name(ctx: ReportContext) -> None:
    ags = str(ctx.results["kommunen_uebersicht"]["ags"].iloc[2])
    name = ctx.municipality_name(ags)
    view = explore_view(ctx, ExploreChoice(highlight=ags))
    hl = [t for t in view.figure.data if t.name == name]
    assert len(hl) == 1 and list(hl[0].text) == [name]


def test_model_follows_the_axes_and_names_terms_in_words(ctx: ReportContext) -> None:
    view = explore_view(ctx, ExploreChoice(x="zivil", y="partnerschaft"))
    terms = list(view.model["term"])
    assert terms[0] == "Zivilgesellschaftliches Engagement"
    assert all(not t.startswith("C(") for t in terms)
    assert "Partnerschaftserfahrung ~ Zivilgesellschaftliches Engagement" in view.summary
