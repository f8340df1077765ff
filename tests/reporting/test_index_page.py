"""The index page: which wave its counts are from, and why a municipality has no profile.

The overview table is shaped like the trial's pilot analysed in wave 2025: Mössingen (6) and
Rottenburg (8) are shown, Tübingen has 6 respondents but is suppressed in addition
(``suppression`` = "secondary") to protect a small group elsewhere, and a fourth municipality has
fewer than 5 respondents in the wave (``"primary"``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis import AnalysisConfig, Results
from reporting import labels as L  # noqa: N812
from reporting.index_page import IndexEntry, no_profile_reasons, write_index_html


def _pilot_results(wave: str | None = "2025") -> Results:
    over = pd.DataFrame({
        "ags": ["08416025", "08416041", "08416048", "08416050"],
        "name": ["Mössingen", "Tübingen", "Rottenburg am Neckar", None],
        "n": [6.0, None, 8.0, None],
        "suppressed": [False, True, False, True],
        "wave": [wave] * 4,
        "suppression": ["", "secondary", "", "primary"],
    })
    return Results(tables={"kommunen_uebersicht": over}, docs={}, config=AnalysisConfig(), meta={"wave": wave})


def _write(tmp_path: Path, results: Results, instrument, lang: str = "de") -> str:  # type: ignore[no-untyped-def]
    profiles = {"08416025": {"html": "profile/08416025.html"}, "08416048": {"html": "profile/08416048.html"}}
    write_index_html(tmp_path / "index.html", results, instrument, lang, "pilot", [IndexEntry("Seite", "a.html")], [],
                     profiles, [], 5)
    return (tmp_path / "index.html").read_text(encoding="utf-8")


def test_index_says_which_wave_the_respondent_counts_are_from(tmp_path: Path, instrument) -> None:  # type: ignore[no-untyped-def]
    html = _write(tmp_path, _pilot_results("2025"), instrument)
    assert ">Befragte (Welle 2025)</th>" in html
    html = _write(tmp_path, _pilot_results("2027"), instrument, "en")
    assert ">Respondents (wave 2027)</th>" in html


def test_every_municipality_without_a_profile_is_listed_with_its_reason(tmp_path: Path, instrument) -> None:  # type: ignore[no-untyped-def]
    reasons = dict(no_profile_reasons(_pilot_results(), {"08416025": {}, "08416048": {}}, "de"))
    secondary = L.text("no_profile_secondary", "de", k=5)
    assert reasons[secondary] == [("08416041", "Tübingen")]
    assert reasons["weniger als 5 Befragte in Welle 2025"] == [("08416050", "08416050")]  # no name: its AGS
    html = _write(tmp_path, _pilot_results(), instrument)
    assert "Kommunen ohne Profil" in html and "Tübingen (08416041)" in html
    assert "ergänzend unterdrückt, um eine andere kleine Gruppe zu schützen" in html
    assert "weniger als 5 Befragte in Welle 2025</strong>: 08416050" in html
    assert 'href="profile/08416025.html">Mössingen</a>' in html


def test_a_municipality_asked_for_but_not_in_the_table_is_listed_as_too_small(instrument) -> None:  # type: ignore[no-untyped-def]
    reasons = no_profile_reasons(_pilot_results(), {"08416025": {}}, "en", requested=[("08999999", "Nirgendwo")])
    by_reason = dict(reasons)
    assert ("08999999", "Nirgendwo") in by_reason["fewer than 5 respondents in wave 2025"]
    listed = [m for munis in by_reason.values() for m in munis]
    assert ("08416048", "Rottenburg am Neckar") not in listed  # visible, just not asked for
