"""reporting.profile: the profile's parts, and notebook 05's selection redrawing the whole profile."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reporting.notebook import ReportContext, setup
from reporting.profile import profile_parts, profile_widget


@pytest.fixture(scope="module")
def ctx(example_dataset: Path) -> ReportContext:
    return setup(example_dataset, lang="de", min_n=5)


def _text(outputs: Any) -> str:
    return "\n".join(str(o["data"].get("text/markdown", "")) + str(o["data"].get("text/plain", "")) for o in outputs)


def test_profile_reads_heading_sentences_starting_points_then_four_charts(ctx: ReportContext) -> None:
    ags = str(ctx.results["kommunen_uebersicht"]["ags"].iloc[0])
    text, parts = profile_parts(ctx, ags)
    keys = [p.key for p in parts]
    assert keys[0] == "header" and keys.index("summary") < keys.index("advice") < keys.index("profile")
    assert [p.key for p in parts if p.kind == "figure"] == ["profile", "perspectives", "waves", "funnels"]
    assert ctx.municipality_name(ags) in parts[0].content
    assert text.summary_markdown() in next(p.content for p in parts if p.key == "summary")


def test_choosing_another_municipality_redraws_the_whole_profile(ctx: ReportContext, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import IPython.display

    shown: list[Any] = []
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **kw: shown.extend(objs))
    over = ctx.results["kommunen_uebersicht"]
    visible = over.loc[~over["suppressed"].astype(bool), "ags"].astype(str).tolist()
    first, second = visible[0], visible[1]
    dropdown = profile_widget(ctx, first)
    out = shown[1]
    assert [v for _, v in dropdown.options] == visible  # only municipalities with enough answers
    before = _text(out.outputs)
    assert ctx.municipality_name(first) in before and ctx.municipality_name(second) not in before
    n_before = len(out.outputs)
    dropdown.value = second
    after = _text(out.outputs)
    # heading, sentences and starting points follow the choice, and so do all four charts
    assert ctx.municipality_name(second) in after and f"({first})" not in after
    assert len(out.outputs) == n_before
    figures = [o["data"]["application/vnd.plotly.v1+json"] for o in out.outputs
               if "application/vnd.plotly.v1+json" in o["data"]]
    assert len(figures) == 4
    names = {tr.get("name") for f in figures for tr in f["data"]}
    assert ctx.municipality_name(second) in names and ctx.municipality_name(first) not in names
