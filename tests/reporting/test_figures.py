"""reporting.figures: the intervals the figures compute themselves, and the shared dropdown widget."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis import AnalysisConfig, Results
from reporting import figures as F  # noqa: N812
from reporting import labels as L  # noqa: N812
from surveys import Instrument

#: Municipality means of two constructs; the last municipality is suppressed (n < 5).
MEANS = {
    "kommunal": [3.1, 3.6, 2.4, 4.0, 3.3, np.nan],
    "zivil": [2.2, 2.9, 3.8, 3.5, 3.0, np.nan],
}
AGS = [f"0811{i:04d}" for i in range(6)]
SIZE = ["klein", "klein", "klein", "groß", "groß", "groß"]


@pytest.fixture(scope="module")
def inst() -> Instrument:
    return Instrument.load("sensibilisierung")


def _results() -> Results:
    rows = []
    for var, means in MEANS.items():
        for a, s, m in zip(AGS, SIZE, means):
            small = bool(np.isnan(m))
            rows.append({"ags": a, "name": f"Gemeinde {a[-1]}", "size_class": s, "variable": var,
                         "n": np.nan if small else 20.0, "mean": m, "ci_low": m - 0.3, "ci_high": m + 0.3,
                         "suppressed": small})
    k = pd.DataFrame(rows)
    return Results(tables={"kommunen": k}, docs={}, config=AnalysisConfig())


def _t_interval(values: list[float]) -> tuple[float, float, float]:
    """Reference: R ``t.test(x)$conf.int`` (scipy.stats.t.interval on the mean and its SEM)."""
    x = np.asarray([v for v in values if not np.isnan(v)])
    lo, hi = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    return float(x.mean()), float(lo), float(hi)


def test_state_interval_of_the_profile_is_a_t_interval_over_visible_municipality_means(inst) -> None:  # type: ignore[no-untyped-def]
    # five municipality means: t_{4; .975} = 2.78, not the normal 1.96 (too narrow by 30 %)
    fig = F.profile_vs_state(_results(), inst, AGS[0], "de")
    state = next(tr for tr in fig.data if tr.name == L.text("state", "de"))
    for j, var in enumerate(MEANS):
        mean, lo, hi = _t_interval(MEANS[var])
        assert state.x[j] == pytest.approx(mean, rel=1e-12)
        assert state.error_x.array[j] == pytest.approx(hi - mean, rel=1e-12)
        assert state.error_x.arrayminus[j] == pytest.approx(mean - lo, rel=1e-12)


def test_comparison_interval_is_a_t_interval_over_municipality_means_per_group(inst) -> None:  # type: ignore[no-untyped-def]
    fig = F.comparison(_results(), inst, "size_class", "de")
    labels = {c.id: c.label("de") for c in inst.constructs}
    for var, means in MEANS.items():
        trace = next(tr for tr in fig.data if tr.name == labels[var])
        for j, size in enumerate(c[3] for c in trace.customdata):
            mean, lo, hi = _t_interval([m for m, s in zip(means, SIZE) if s == size])
            assert trace.y[j] == pytest.approx(mean, rel=1e-12)
            assert trace.error_y.array[j] == pytest.approx(hi - mean, rel=1e-12)
            assert trace.error_y.arrayminus[j] == pytest.approx(mean - lo, rel=1e-12)
            assert int(trace.customdata[j][2]) == len([m for m, s in zip(means, SIZE) if s == size and m == m])


def test_rejection_summary_counts_findings_without_quoting_cell_values() -> None:
    rej = pd.DataFrame({
        "severity": ["error", "error", "warning"],
        "code": ["duplicate_id", "duplicate_id", "role_unknown"],
        "value": ["FB-4711", "FB-4712", "Hausmeister"],
        "message_de": ["Fragebogen-Nr. FB-4711 doppelt", "Fragebogen-Nr. FB-4712 doppelt", "Rolle 'Hausmeister' unbekannt"],
        "message_en": ["duplicate FB-4711", "duplicate FB-4712", "unknown role 'Hausmeister'"],
    })
    out, headers = F.rejection_summary(rej, "de")
    assert out.rename(columns=headers).to_dict("records") == [
        {"Schwere": "Fehler", "Regel (Code)": "duplicate_id", "Meldungen": 2},
        {"Schwere": "Warnung", "Regel (Code)": "role_unknown", "Meldungen": 1},
    ]
    assert "FB-4711" not in out.to_string() and "Hausmeister" not in out.to_string()
