"""analysis.notes and the notes of analysis.run: the right cause, in German that reads as German.

Faults of the new-user trial: a municipality with answers in another wave called "without answers"
(7); "the instrument declares no role" when it does and the construct's items were not mapped (6);
German notes half English, with decimal points, "1 Kommunen", "Hypothesen entfällt" and raw names
('struktur', role codes, fact columns, 'reference') (13).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import AnalysisConfig, run
from analysis.notes import NOTES, DisplayNames, items_span, number, numerus
from analysis.sections.context import display_names
from surveys.dataset import Dataset
from surveys.instrument import Instrument
from surveys.synthetic import simulate

INST = Instrument.load("sensibilisierung")


@pytest.fixture(scope="module")
def programme():  # type: ignore[no-untyped-def]
    return simulate(6, 30, seed=9, instrument=INST, population_truth_n=None)


@pytest.fixture(scope="module")
def pilot(programme) -> Dataset:  # type: ignore[no-untyped-def]
    """The trial's pilot: municipalities answered in 2025; one respondent of the first typed "2052"."""
    w = programme.wide[programme.wide["wave"] == "2025"].groupby("ags").head(8).reset_index(drop=True)
    w.loc[0, "wave"] = "2052"
    return Dataset.from_wide(w, programme.municipalities, INST)


# --------------------------------------------------------------------------- the catalogue
def test_counted_nouns_come_out_in_singular_after_one_and_plural_otherwise() -> None:
    assert numerus("1 Kommune(n), 0 Kommune(n), 12 Gruppe(n), 1 Zeile(n)") == "1 Kommune, 0 Kommunen, 12 Gruppen, 1 Zeile"
    assert numerus("1 municipality(ies), 3 municipality(ies), 21 row(s)") == "1 municipality, 3 municipalities, 21 rows"
    p = NOTES.problem("too_few_municipalities", n=1, min_n=5, what=("Typvergleiche, Modell und Hypothesen", "x"))
    assert p.message_de == "Nur 1 Kommune mit mindestens 5 Antworten; nicht berechnet: Typvergleiche, Modell und Hypothesen."


def test_numbers_in_notes_have_a_decimal_comma_in_german_and_a_point_in_english() -> None:
    assert number(-0.04741) == ("-0,047", "-0.047")
    p = NOTES.problem("alpha_negative_items", items="KOM01", alpha=number(-0.04741))
    assert "Alpha = -0,047" in p.message_de and "alpha = -0.047" in p.message_en


def test_item_codes_without_gaps_are_written_as_a_range() -> None:
    assert items_span(["ERG01", "ERG02", "ERG03", "ERG04", "ERG05"]) == "ERG01–ERG05"
    assert items_span(["ERG01", "ERG03", "ERG04"]) == "ERG01, ERG03, ERG04"
    assert items_span(["A", "B"]) == "A, B"


def test_display_names_come_from_the_instrument_and_the_label_maps() -> None:
    names = display_names(INST)
    assert names.of("struktur") == INST.construct("struktur").label("de")
    assert names.of("buergermeister") == "Bürgermeister/in" and names.of("buergermeister", "en") == "Mayor"
    assert names.of("district") == "Landkreis" and names.of("structure") == "Strukturen / Ergebnis"
    p = names.apply(NOTES.problem("role_side_absent", side="reference", roles="verwaltung, gemeinderat",
                                  what=("Perspektiven", "perspective gaps")))
    assert "Gruppe 'kommunale Seite' (Rollen: Verwaltung, Gemeinderat)" in p.message_de
    assert "group 'municipal side' (roles: Administration, Municipal council)" in p.message_en
    inner = NOTES.problem("too_few_groups", n=1, needed=2, variable="struktur")
    outer = names.apply(NOTES.problem("hypothesis_not_testable", hypothesis="H5", reason=inner))
    label = INST.construct("struktur").label("de")
    assert outer.message_de == f"Hypothese H5 nicht prüfbar: Nur 1 Gruppe mit Werten in '{label}'; nötig sind mindestens 2."
    assert DisplayNames().apply(inner) is inner


# --------------------------------------------------------------------------- notes of a run
def test_municipalities_with_answers_in_another_wave_are_not_called_without_answers(pilot: Dataset) -> None:
    default = run(pilot, strict=True)  # the typo wave is passed over: every municipality has answers in 2025
    assert not default.notes["code"].isin(["municipalities_without_answers", "municipalities_absent_in_wave"]).any()
    typo = run(pilot, AnalysisConfig(wave="2052"), strict=True)
    codes = set(typo.notes["code"])
    assert "municipalities_without_answers" not in codes
    absent = typo.notes[typo.notes["code"] == "municipalities_absent_in_wave"]
    others = sorted(set(pilot.respondents["ags"]) - {pilot.respondents["ags"].iloc[0]})
    name = pilot.municipalities.set_index("ags")["name"]
    assert absent["reason_de"].str.startswith(f"{len(others)} Kommunen ohne Antworten in Welle 2052").all()
    assert all(f"{name[a]} ({a})" in absent["reason_de"].iloc[0] for a in others[:5])


def test_a_master_data_municipality_without_answers_in_any_wave_is_named(pilot: Dataset) -> None:
    extra = pilot.municipalities.head(1).assign(ags="08999001", name="Nirgendwo")
    ds = Dataset(pilot.respondents, pilot.responses, pd.concat([pilot.municipalities, extra], ignore_index=True),
                 INST)
    notes = run(ds, strict=True).notes
    hit = notes[notes["code"] == "municipalities_without_answers"]
    assert hit["reason_de"].tolist() == ["1 Kommune der Stammdaten ohne Antworten in allen Wellen: Nirgendwo (08999001)."]


def test_a_declared_role_whose_items_were_not_mapped_says_so_instead_of_asking_for_roles(programme) -> None:
    wide = programme.wide.assign(**{f"ERG0{i}": np.nan for i in range(1, 6)})
    notes = run(Dataset.from_wide(wide, programme.municipalities, INST), strict=True).notes
    assert "no_construct_roles" not in set(notes["code"])
    hit = notes[(notes["code"] == "construct_role_no_data") & (notes["section"] == "engagement")]
    label = INST.construct("struktur").label("de")
    assert hit["reason_de"].iloc[0].startswith(
        f"Konstrukt '{label}' (Rolle Strukturen / Ergebnis): keines seiner Items ERG01–ERG05 ist im Datensatz")
    assert "Zuordnung" in hit["hint_de"].iloc[0] and "YAML" not in hit["hint_de"].iloc[0]


def test_hypothesis_notes_perspective_model_and_privacy_pointer_are_german(pilot: Dataset) -> None:
    res = run(pilot, AnalysisConfig(wave="2052"), strict=True)
    h = res.notes[res.notes["code"] == "hypothesis_not_testable"]
    assert len(h) and not h["reason_de"].str.contains(" / No |Only |All or no", regex=True).any(), h["reason_de"]
    assert not h["reason_en"].str.contains("Keine|Nur ", regex=True).any()
    full = run(pilot, strict=True)
    pooled = full["perspektiven"][full["perspektiven"]["level"] == "pooled"]
    assert pooled["note"].str.contains("Mundlak-Term").all() and not pooled["note"].str.contains("random").any()
    en = run(pilot, AnalysisConfig(lang="en"), strict=True)["perspektiven"]
    assert en.loc[en["level"] == "pooled", "note"].str.startswith("Random-intercept model with Mundlak term").all()
    hints = NOTES.problem("complementary_suppression", k=1, min_n=5, tables="x")
    assert "SECURITY.md, Abschnitt 4a" in hints.hint_de and "Abschnitt 'Differencing'" not in hints.hint_de



def test_the_hypotheses_table_gives_the_reason_in_the_language_of_the_run(programme) -> None:  # type: ignore[no-untyped-def]
    munis = programme.municipalities.assign(mayor_involved=None)
    ds = Dataset.from_wide(programme.wide, munis, INST)
    for lang, text in (("de", "Keine Angaben zu 'Bürgermeister/in eingebunden' (keine Kommunendaten oder Spalte "
                               "leer)."),
                       ("en", "No values of 'mayor involved' (no municipality data or the column is blank).")):
        hyp = run(ds, AnalysisConfig(lang=lang), strict=True)["hypothesen"].set_index("hypothesis")
        assert hyp.loc["H3", "note"] == text
