"""reporting.notebook and reporting.formatting: numbers, tables and the notes box as a reader sees them."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import AnalysisConfig, Results
from core.errors import ReportError
from reporting import labels as L  # noqa: N812
from reporting.figures import pick_municipality
from reporting.formatting import fmt_interval, fmt_number, fmt_p
from reporting.notebook import notes_for_page, notes_html, table_html


def test_counts_are_integers_p_values_never_read_zero_and_minus_is_typographic() -> None:
    assert fmt_number(19.0, 2, "de", count=True) == "19"
    assert fmt_number(1234.567, 2, "de") == "1.234,57" and fmt_number(1234.567, 2, "en") == "1,234.57"
    assert fmt_number(-0.5, 2, "de") == "−0,50"
    assert fmt_p(0.0, "de") == "p < 0,001" and fmt_p(0.00049, "en") == "p < 0.001"
    assert fmt_p(0.0312, "de") == "p = 0,031"
    assert fmt_interval(0.1, 0.25, 2, "de") == "[0,10; 0,25]" and fmt_interval(0.1, 0.25, 2, "en") == "[0.10, 0.25]"


def test_table_shows_german_headers_integer_counts_p_below_a_thousandth_and_explains_statistics() -> None:
    df = pd.DataFrame({"n_municipalities": [19.0], "p_unc": [0.00001], "eta2": [0.123], "role": ["Verwaltung"],
                       "suppressed": [False]})
    html = table_html(df, lang="de", n_col=None)
    assert "<th>Anzahl Kommunen</th>" in html and ">19<" in html and "19,00" not in html
    assert "&lt; 0,001" in html and "0,00<" not in html
    assert f'title="{L.explain("eta2", "de")}"' in html  # the statistic is explained where it appears
    assert "suppressed" not in html and "unterdrückt" not in html


def _results(hinweise: pd.DataFrame | None) -> Results:
    tables = {} if hinweise is None else {"hinweise": hinweise}
    return Results(tables=tables, docs={}, config=AnalysisConfig())


def test_notes_box_shows_the_notes_of_the_page_sections_and_nothing_without_the_table(instrument) -> None:  # type: ignore[no-untyped-def]
    assert notes_html(_results(None), "02_instrument", "de") == ""
    h = pd.DataFrame({
        "section": ["zuverlaessigkeit", "engagement", "unbekannt"], "scope": ["struktur", "", ""],
        "code": ["omega_failed", "too_few_groups", "x"], "severity": ["warning", "info", "info"],
        "reason_de": ["Omega nicht schätzbar.", "Nur eine Kommune.", "Anderes."],
        "reason_en": ["Omega not estimable.", "Only one municipality.", "Other."],
        "hint_de": ["Mehr Befragte einbeziehen.", "", ""], "hint_en": ["Include more respondents.", "", ""],
    })
    res = _results(h)
    box = notes_html(res, "02_instrument", "de", instrument)
    assert "Omega nicht schätzbar." in box and "Mehr Befragte einbeziehen." in box
    assert "Stärke der Unterstützungsstrukturen" in box and ">struktur<" not in box  # scope in words
    assert "Warnung" in box and "Nur eine Kommune." not in box
    assert "Only one municipality." in notes_html(res, "04_commitment_structures", "en")
    assert list(notes_for_page(res, "index")["code"]) == ["x"]  # a note no page names is not lost


def test_no_profile_error_comes_from_the_report_catalogue_with_a_hint() -> None:

    over = pd.DataFrame({"ags": ["08000001"], "name": ["A"], "n": [3], "suppressed": [True]})
    with pytest.raises(ReportError) as err:
        pick_municipality(Results(tables={"kommunen_uebersicht": over}, docs={}, config=AnalysisConfig()), None)
    assert err.value.problem.code == "no_profile"
    assert "Mindestzahl 5" in str(err.value) and "--min-n" in str(err.value)


def test_profile_shows_no_notes_about_comparisons_between_groups_of_municipalities() -> None:
    h = pd.DataFrame({
        "section": ["kommunen", "kommunen", "perspektiven"], "scope": ["district", "funnel", "municipal_commitment"],
        "code": ["too_few_groups", "single_municipality", "no_construct_roles"], "severity": ["warning"] * 3,
        "reason_de": ["Nur 1 Gruppe in Landkreis.", "Nur eine Kommune.", "Keine Rollen."],
        "reason_en": ["Only 1 district.", "Only one municipality.", "No roles."],
        "hint_de": [""] * 3, "hint_en": [""] * 3,
    })
    res = _results(h)
    assert list(notes_for_page(res, "05_municipality_profile")["code"]) == ["single_municipality", "no_construct_roles"]
    assert list(notes_for_page(res, "03_municipalities")["code"]) == ["too_few_groups", "single_municipality"]
