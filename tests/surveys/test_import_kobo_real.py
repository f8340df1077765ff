"""The real KoboToolbox exports in ../shared/formats/kobo: never a crash, every row accounted for,
importable with a mapping file, and a useful draft from --suggest-mapping."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from surveys import Instrument
from surveys.importing import read_responses, suggest_mapping
from tests.surveys.test_import_formats import assert_counts_reconcile
from tests.surveys.test_import_real_exports import SHARED

KOBO = SHARED / "kobo"
FILES = sorted(KOBO.glob("*.xlsx")) if KOBO.is_dir() else []
pytestmark = pytest.mark.skipif(not FILES, reason="../shared/formats/kobo not present")


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_real_kobo_export_without_mapping_is_reported_clearly(path: Path, instrument: Instrument) -> None:
    result = read_responses(path, instrument)
    assert_counts_reconcile(result)
    codes = set(result.rejections["code"])
    assert "no_item_columns" in codes  # these forms ask no item of our instrument
    assert result.rejections["message_de"].str.len().gt(0).all()
    assert result.rejections["message_en"].str.contains("mapping").any()


def test_real_kobo_repeat_group_sheet_is_skipped_with_a_note(instrument: Instrument) -> None:
    result = read_responses(KOBO / "demo-with-repeat.xlsx", instrument)
    notes = result.rejections[result.rejections["code"] == "sheet_skipped"]
    assert notes["sheet"].tolist() == ["family_members"]
    assert result.manifest["inputs"][0]["format"] == "kobo"
    assert result.manifest["inputs"][0]["sheet"] == "Demo Project"


def test_real_kobo_group_export_imports_with_a_mapping_file(tmp_path: Path, instrument: Instrument) -> None:
    mapping = tmp_path / "zuordnung.yaml"
    mapping.write_text(
        yaml.safe_dump({
            "columns": {"New_Question": "KOM01", "group_lw2py86/text_q_in_group": "ignore",
                        "Enter_a_number": "KOM02"},
            "item_values": {"KOM01": {"option_1": 4, "option_2": 2}},
            "defaults": {"ags": "08111000", "wave": "2024"},
        }),
        encoding="utf-8",
    )
    result = read_responses(KOBO / "group.xlsx", instrument, mapping=mapping)
    assert_counts_reconcile(result)
    resp = result.dataset.respondents
    assert len(resp) == 3 and set(resp["ags"]) == {"08111000"} and set(resp["wave"]) == {"2024"}
    assert resp["respondent_id"].tolist() == ["313801375", "313801398", "313801475"]  # Kobo's _id
    assert resp["submitted_at"].notna().all()
    long = result.dataset.responses.set_index(["respondent_id", "item"])
    assert long.loc[("313801375", "KOM01"), "value"] == 4
    assert long.loc[("313801398", "KOM01"), "value"] == 2
    # numbers 12, 15, 10 are no answer on a 1..5 scale: cells rejected with location
    oos = result.rejections[result.rejections["code"] == "value_out_of_scale"]
    assert oos[["row", "column", "header", "value"]].values.tolist() == [
        [2, "D", "Enter_a_number", "12"], [3, "D", "Enter_a_number", "15"], [4, "D", "Enter_a_number", "10"]]


def test_suggest_mapping_drafts_a_loadable_file_for_real_exports(tmp_path: Path, instrument: Instrument) -> None:
    out = tmp_path / "draft.yaml"
    suggest_mapping(FILES, instrument, out=out)
    text = out.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert text.startswith("#") and data["instrument"] == "sensibilisierung"
    assert data["columns"]["end"] == "submitted_at"  # the one the import takes; start and server time ignored
    assert data["columns"]["_submission_time"] == "ignore" and data["columns"]["start"] == "ignore"
    assert data["columns"]["Enter_name"] == "ignore"
    # the draft is a valid mapping as it stands
    result = read_responses(KOBO / "group.xlsx", instrument, mapping=out)
    assert_counts_reconcile(result)
