"""The real exports in ../shared/formats (LimeSurvey CSV and xlsx, SoSci, Google Forms, Kobo):
the suggested mapping maps their meta columns right (one target each), their labelled scales in
the right order, and an import with the suggestion reconciles."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from surveys import Instrument
from surveys.importing import read_responses, suggest_mapping
from surveys.importing.detect import detect_format
from surveys.importing.readers import inspect_input, read_raw
from tests.surveys.test_import_formats import assert_counts_reconcile

_ROOT = Path(__file__).resolve().parents[2]
SHARED = next((p for p in (_ROOT.parent / "shared", _ROOT.parent.parent / "shared") if (p / "formats").is_dir()),
              _ROOT.parent / "shared") / "formats"
pytestmark = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/formats not present")

STATISTIK = SHARED / "limesurvey" / "statistik-umfrage_results-survey397474.csv"
ARTIFACT = SHARED / "limesurvey" / "artifact-survey_results-survey54231.xlsx"
KWKM = SHARED / "limesurvey" / "kwkm-seminar_results-survey374736.csv"
SOSCI = SHARED / "sosci" / "hybridearbeit2024_rdata_2024-07-11_17-10.csv"
FORMS = SHARED / "googleforms" / "pretask-questionnaire-antworten.csv"
KOBO = SHARED / "kobo"

#: The meta columns of each export and the one target each must get.
META = {
    STATISTIK: {"Antwort ID": "respondent_id", "Datum Abgeschickt": "submitted_at", "Letzte Seite": "ignore",
                "Start-Sprache": "ignore", "Zufallsgeneratorstartwert": "ignore", "Gesamtzeit": "ignore",
                "Fragenzeit: A1": "ignore"},
    ARTIFACT: {"id": "respondent_id", "submitdate": "submitted_at", "lastpage": "ignore", "startlanguage": "ignore",
               "seed": "ignore", "startdate": "ignore", "datestamp": "ignore", "interviewtime": "ignore",
               "groupTime7": "ignore"},
    KWKM: {"id": "respondent_id", "submitdate": "submitted_at", "lastpage": "ignore", "startlanguage": "ignore",
           "seed": "ignore"},
    SOSCI: {"CASE": "respondent_id", "SERIAL": "ignore", "REF": "ignore", "QUESTNNR": "ignore", "MODE": "ignore",
            "STARTED": "ignore", "LASTDATA": "submitted_at", "FINISHED": "ignore", "TIME001": "ignore",
            "TIME_SUM": "ignore", "MAILSENT": "ignore", "MISSING": "ignore"},
    FORMS: {"Zeitstempel": "submitted_at"},
    KOBO / "demo-with-repeat.xlsx": {"start": "ignore", "end": "submitted_at", "_submission_time": "ignore",
                                     "_uuid": "respondent_id", "_id": "ignore"},
    KOBO / "group.xlsx": {"start": "ignore", "end": "submitted_at", "_id": "respondent_id"},
}


@pytest.mark.parametrize("path", list(META), ids=lambda p: p.name)
def test_meta_columns_get_one_target_each_the_right_one(path: Path, instrument: Instrument) -> None:
    s = suggest_mapping(path, instrument)
    targets = {c.header: c.target for c in s.columns}
    for header, want in META[path].items():
        assert targets[header] == want, (header, targets[header])
    fields = [t for t in targets.values() if t in {"respondent_id", "submitted_at", "ags", "wave", "role"}]
    assert len(fields) == len(set(fields))
    assert not any(t in instrument.item_codes for t in targets.values())  # these surveys ask none of our items


def _group_of(s, header_part: str):
    return next(g for g in s.groups if any(header_part in h for h in g.columns))


def test_labelled_scales_of_the_limesurvey_export_are_in_order(instrument: Instrument) -> None:
    s = suggest_mapping(STATISTIK, instrument)
    agree = _group_of(s, "Traue keiner Statistik")
    assert agree.range == (1, 4) and len(agree.columns) == 10
    assert [agree.values[x] for x in ("Stimme gar nicht zu", "Stimme eher nicht zu", "Stimme eher zu",
                                      "Stimme voll zu")] == [1, 2, 3, 4]
    relevance = _group_of(s, "relevant ist Statistik")
    order = ["Absolut irrelevant", "Ziemlich irrelevant", "Eher irrelevant", "Eher relevant", "Ziemlich relevant",
             "Absolut relevant"]
    assert relevance.range == (1, 6) and [relevance.values[x] for x in order] == [1, 2, 3, 4, 5, 6]
    valence = _group_of(s, "Eindrücke/Assoziationen")
    assert [valence.values[x] for x in ("negativ", "eher negativ", "neutral", "eher positiv", "positiv")] == [1, 2, 3, 4, 5]
    grade = _group_of(s, "Leistung in Statistik")
    assert [grade.values[x] for x in ("schlecht", "nicht so gut", "mittelmäßig", "ganz gut", "bestens")] == [1, 2, 3, 4, 5]
    ticks = [c for c in s.columns if c.header.startswith("Kreuze alle Eigenschaften")]
    assert len(ticks) == 10 and all(c.multi and c.target == "ignore" for c in ticks)  # multi-select [Option] ticks


def test_labelled_scales_of_forms_sosci_and_lime_numeric_exports(instrument: Instrument) -> None:
    forms = suggest_mapping(FORMS, instrument)
    osm = _group_of(forms, "OpenStreetMap")
    order = ["Nein, überhaupt nicht", "Sehr wenig, ich habe es nur einmal ausprobiert",
             "Ein bisschen, ich verwende OpenStreetMap gelegentlich", "Ja, ich verwende OpenStreetMap sehr oft"]
    codes = [osm.values[x] for x in order]
    assert codes == sorted(codes) and len(set(codes)) == 4  # labels with commas kept whole, in order
    assert not any(c.multi for c in forms.columns)
    sosci = suggest_mapping(SOSCI, instrument)
    zu04 = _group_of(sosci, "ZU04_01")
    assert sorted(zu04.columns) == ["ZU04_01", "ZU04_02", "ZU04_03"] and zu04.range == (1, 7)
    artifact = suggest_mapping(ARTIFACT, instrument)
    helpful = _group_of(artifact, "g2[SQ001]")
    assert helpful.range == (1, 10) and helpful.values["Very helpful10"] == 10 and helpful.values["2"] == 2
    yes_no = _group_of(artifact, "ae6")
    assert yes_no.values["No"] < yes_no.values["Yes"] and yes_no.values["N/A"] == "no_answer"


@pytest.mark.parametrize("path", [STATISTIK, ARTIFACT, KWKM, SOSCI, FORMS], ids=lambda p: p.name)
def test_import_with_the_suggestion_reconciles(path: Path, instrument: Instrument) -> None:
    s = suggest_mapping(path, instrument)
    mapping = s.mapping()
    result = read_responses(path, instrument, mapping=mapping)
    assert_counts_reconcile(result)
    assert result.manifest["inputs"][0]["rows_label_skipped"] == 0  # no respondent taken for a label row


def test_limesurvey_agree_block_imports_rescaled_onto_five_points(instrument: Instrument) -> None:
    """Map the 4-point agree block to KOM01..: codes 1,2,3,4 become 1,2,4,5 (POMP), checked against
    the raw CSV read independently with pandas."""
    s = suggest_mapping(STATISTIK, instrument)
    mapping = s.mapping()
    agree = _group_of(s, "Traue keiner Statistik")
    pairs = dict(zip(agree.columns, instrument.item_codes, strict=False))
    mapping.columns.update(pairs)
    mapping.defaults = {"ags": "08111000", "wave": "2025"}
    result = read_responses(STATISTIK, instrument, mapping=mapping)
    assert_counts_reconcile(result)
    raw = pd.read_csv(STATISTIK, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    want = {"Stimme gar nicht zu": 1, "Stimme eher nicht zu": 2, "Stimme eher zu": 4, "Stimme voll zu": 5}
    wide = result.dataset.wide()
    resp = result.dataset.respondents
    for header, code in pairs.items():
        by_id = dict(zip(raw["Antwort ID"], raw[header], strict=True))
        got = dict(zip(resp["respondent_id"], wide[code], strict=True))
        for rid, value in got.items():
            label = by_id[rid]
            assert (value == want[label]) if label in want else pd.isna(value), (rid, label, value)
    notes = result.rejections[result.rejections["code"] == "scale_rescaled"]
    assert len(notes) == len(pairs) and "1→1, 2→2, 3→4, 4→5" in notes["message_de"].iloc[0]


def test_google_forms_sheet_called_antworten_is_forms_not_our_template() -> None:
    headers = ["Zeitstempel", "Wie gut kennst du dich aus?", "Geschlecht"]
    assert detect_format(headers, ["Antworten"], "xlsx") == "forms"
    meta = inspect_input(FORMS)
    sheet = read_raw(FORMS, meta.kind, meta)[0]
    assert detect_format(sheet.cells.iloc[0].tolist(), ["Antworten"], "csv") == "forms"
    assert detect_format(["Fragebogen-Nr.", "AGS", "KOM01 – Die Kommune …"], ["Antworten"], "xlsx") == "template"
