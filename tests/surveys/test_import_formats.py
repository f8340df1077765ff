"""Every format imports back to the data it was written from (fixtures written in code)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveys import Instrument
from surveys.importing import read_responses
from tests.surveys.test_import_writers import (
    SUFFIX,
    WRITERS,
    small_wide,
    write_csv,
    write_kobo,
    write_limesurvey,
    write_sosci,
)

REASON = {-1.0: "dont_know", -9.0: "no_answer"}


def expected_tables(inst: Instrument, wide: pd.DataFrame) -> pd.DataFrame:
    """The clean data an import must give: rows with at least one answer, items as code/reason."""
    items = wide[inst.item_codes]
    keep = items.notna().any(axis=1)
    w = wide[keep].reset_index(drop=True)
    out = w[["respondent_id", "ags", "role", "wave"]].astype(str).copy()
    for c in inst.item_codes:
        v = w[c]
        out[c] = v.where(v > 0)
        out[f"{c}__missing"] = pd.Series(
            [("not_shown" if pd.isna(x) else REASON.get(x)) for x in v], dtype=object
        )
    return out.sort_values("respondent_id").reset_index(drop=True)


def got_tables(inst: Instrument, result) -> pd.DataFrame:
    w = result.dataset.wide(include_missing_reasons=True)
    out = w[["respondent_id", "ags", "role", "wave"]].astype(str).copy()
    for c in inst.item_codes:
        out[c] = w[c]
        col = f"{c}__missing"
        out[col] = pd.Series([x if isinstance(x, str) else None for x in w[col]], dtype=object) if col in w else None
    return out.sort_values("respondent_id").reset_index(drop=True)


def assert_same_clean_data(inst: Instrument, result, wide: pd.DataFrame) -> None:
    exp = expected_tables(inst, wide)
    got = got_tables(inst, result)
    pd.testing.assert_frame_equal(got, exp, check_dtype=False)


def assert_counts_reconcile(result) -> None:
    for f in result.manifest["inputs"]:
        assert f["rows_in"] == f["rows_accepted"] + f["rows_rejected"], f
    t = result.manifest["totals"]
    assert t["rows_in"] == t["rows_accepted"] + t["rows_rejected"]
    assert t["rows_accepted"] == len(result.dataset.respondents)
    # every rejected row is in the report with a row-rejecting finding
    rej = result.rejections
    rows = rej[(rej["action"] == "row_rejected") & rej["row"].notna()]
    whole_files = sum(f["rows_rejected"] for f in result.manifest["inputs"] if f["status"] == "no_items")
    assert rows.groupby(["file", "sheet", "row"]).ngroups + whole_files == t["rows_rejected"]
    file_level = rej[rej["code"] == "no_item_columns"]
    assert len(file_level) == sum(1 for f in result.manifest["inputs"] if f["status"] == "no_items")


@pytest.mark.parametrize("fmt", list(WRITERS))
def test_each_format_imports_back_to_the_written_answers(fmt: str, tmp_path: Path, instrument: Instrument) -> None:
    wide = small_wide(instrument, n=12, seed=3)
    path = WRITERS[fmt](instrument, wide, tmp_path / f"data{SUFFIX[fmt]}")
    result = read_responses([path], instrument)
    assert result.manifest["inputs"][0]["format"] == fmt
    assert_same_clean_data(instrument, result, wide)
    assert_counts_reconcile(result)
    assert set(result.rejections["severity"]) <= {"info"}, result.rejections.to_string()


def test_sosci_label_row_is_skipped_and_reported_as_note(tmp_path: Path, instrument: Instrument) -> None:
    wide = small_wide(instrument, n=5)
    result = read_responses([write_sosci(instrument, wide, tmp_path / "s.xlsx", label_row=True)], instrument)
    assert "label_row_skipped" in set(result.rejections["code"])
    assert result.dataset.respondents["source_row"].min() == 3  # header row 1, label row 2
    assert_same_clean_data(instrument, result, wide)


def test_sosci_sav_with_value_labels_imports(tmp_path: Path, instrument: Instrument) -> None:
    import pyreadstat

    from surveys.formats import SOSCI_FIELD_VARIABLES, sosci_variable

    wide = small_wide(instrument, n=7, seed=5)
    roles = [c.name for c in instrument.field("role").choices]
    df = pd.DataFrame({"CASE": wide["respondent_id"].astype(float),
                       "STARTED": pd.to_datetime(wide["submitted_at"]),
                       SOSCI_FIELD_VARIABLES["ags"]: wide["ags"],
                       SOSCI_FIELD_VARIABLES["role"]: wide["role"].map(lambda r: roles.index(r) + 1).astype(float),
                       SOSCI_FIELD_VARIABLES["wave"]: wide["wave"]})
    for it in instrument.items:
        df[sosci_variable(instrument, it)] = wide[it.code]
    labels = {sosci_variable(instrument, it): {1.0: "stimme gar nicht zu", 5.0: "stimme voll zu", -1.0: "weiß nicht"}
              for it in instrument.items}
    path = tmp_path / "s.sav"
    pyreadstat.write_sav(df, str(path), variable_value_labels=labels)
    result = read_responses([path], instrument)
    assert result.manifest["inputs"][0]["kind"] == "sav"
    assert_same_clean_data(instrument, result, wide)
    assert_counts_reconcile(result)


def test_limesurvey_spaced_headers_and_na(tmp_path: Path, instrument: Instrument) -> None:
    wide = small_wide(instrument, n=6, seed=9)
    result = read_responses([write_limesurvey(instrument, wide, tmp_path / "l.csv", spaced=True)], instrument)
    assert_same_clean_data(instrument, result, wide)


@pytest.mark.parametrize(("sep", "encoding"), [(",", "utf-8"), (";", "utf-8-sig"), (";", "cp1252"), ("\t", "utf-16")])
def test_plain_csv_delimiters_and_encodings_are_detected(sep: str, encoding: str, tmp_path: Path, instrument: Instrument) -> None:
    wide = small_wide(instrument, n=5, seed=1)
    inst = instrument
    result = read_responses([write_csv(inst, wide, tmp_path / "p.csv", sep=sep, encoding=encoding)], inst)
    assert_same_clean_data(inst, result, wide)


def test_csv_keeps_na_none_and_leading_zeros_as_text(tmp_path: Path, instrument: Instrument) -> None:
    """pandas' default NA parsing would turn 'NA' into NaN and 08111000 into 8111000."""
    codes = instrument.item_codes
    header = ";".join(["respondent_id", "ags", "role", "wave", *codes])
    line1 = ";".join(["NA", "08111000", "verwaltung", "2025", "NA", "None", *["4"] * (len(codes) - 2)])
    line2 = ";".join(["None", "8111000", "verwaltung", "2025", *["3"] * len(codes)])
    p = tmp_path / "na.csv"
    p.write_text(header + "\n" + line1 + "\n" + line2 + "\n", encoding="utf-8")
    result = read_responses([p], instrument)
    resp = result.dataset.respondents
    assert list(resp["respondent_id"]) == ["NA", "None"]
    assert list(resp["ags"]) == ["08111000", "08111000"]
    long = result.dataset.responses.set_index(["respondent_id", "item"])
    assert long.loc[("NA", codes[0]), "missing_reason"] == "no_answer"  # LimeSurvey's N/A convention
    assert long.loc[("NA", codes[1]), "missing_reason"] == "invalid"  # "None" is no answer option
    bad = result.rejections[result.rejections["code"] == "value_unknown_label"]
    assert bad["value"].tolist() == ["None"] and bad["row"].tolist() == [2] and bad["column"].tolist() == ["F"]


def test_kobo_repeat_group_sheet_is_skipped_with_a_note(tmp_path: Path, instrument: Instrument) -> None:
    wide = small_wide(instrument, n=4)
    result = read_responses([write_kobo(instrument, wide, tmp_path / "k.xlsx", repeat_sheet=True)], instrument)
    notes = result.rejections[result.rejections["code"] == "sheet_skipped"]
    assert notes["sheet"].tolist() == ["helpers"] and notes["severity"].tolist() == ["info"]
    assert_same_clean_data(instrument, result, wide)


def test_kobo_labels_as_headers_and_cells_are_recognised(tmp_path: Path, instrument: Instrument) -> None:
    from tests.surveys.test_import_writers import _label, _write_xlsx

    wide = small_wide(instrument, n=5, seed=2)
    header = ["respondent_id", "ags", "role", "wave", "_submission_time"]
    header += [f"{instrument.construct(it.construct).label_de}/{it.label_de}" for it in instrument.items]
    header += ["_uuid", "_index"]
    rows = [[r["respondent_id"], r["ags"], r["role"], r["wave"], pd.Timestamp(r["submitted_at"])]
            + [_label(instrument, it.code, r[it.code]) for it in instrument.items] + ["u", 1]
            for _, r in wide.iterrows()]
    path = _write_xlsx(tmp_path / "kl.xlsx", "form", header, rows)
    result = read_responses([path], instrument)
    assert result.manifest["inputs"][0]["format"] == "kobo"
    assert_same_clean_data(instrument, result, wide)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n=st.integers(1, 6), seed=st.integers(0, 10_000))
def test_random_data_survives_export_and_import_in_every_format(n: int, seed: int, tmp_path_factory: pytest.TempPathFactory) -> None:
    inst = Instrument.load("sensibilisierung")
    wide = small_wide(inst, n=n, seed=seed)
    folder = tmp_path_factory.mktemp("prop")
    for fmt, writer in WRITERS.items():
        path = writer(inst, wide, folder / f"{fmt}{SUFFIX[fmt]}")
        result = read_responses([path], inst)
        assert_counts_reconcile(result)
        assert_same_clean_data(inst, result, wide)


def test_all_formats_give_identical_responses_tables(tmp_path: Path, instrument: Instrument) -> None:
    wide = small_wide(instrument, n=15, seed=11)
    tables = {}
    for fmt, writer in WRITERS.items():
        path = writer(instrument, wide, tmp_path / f"{fmt}{SUFFIX[fmt]}")
        resp = read_responses([path], instrument).dataset.responses
        tables[fmt] = resp.sort_values(["respondent_id", "item"]).reset_index(drop=True)
    first = tables.pop("template")
    for fmt, t in tables.items():
        pd.testing.assert_frame_equal(t, first, check_dtype=False, obj=fmt)
    assert np.isfinite(first["value"].astype(float)).any()


EXAMPLES = Path(__file__).resolve().parents[2] / "data" / "examples"
EXAMPLE_FORMATS = ("template", "kobo", "limesurvey", "sosci", "forms")


@pytest.mark.skipif(not all((EXAMPLES / f).is_dir() for f in EXAMPLE_FORMATS), reason="data/examples not generated")
def test_generated_examples_in_all_five_formats_give_identical_clean_data(instrument: Instrument) -> None:
    """Same respondents in five exports -> the same answers, fields and municipality facts.

    Respondent IDs differ by tool (template numbers, Kobo UUIDs, LimeSurvey/SoSci case numbers,
    none in Google Forms), so rows are compared as sorted records of all other content.
    LimeSurvey (``N/A``) and SoSci (-9) write "keine Angabe" and a skipped question alike, so the
    reasons ``no_answer`` and ``not_shown`` are compared as one ("no answer given").
    """
    def content(fmt: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        result = read_responses(EXAMPLES / fmt, instrument)
        assert_counts_reconcile(result)
        inputs = result.manifest["inputs"]
        assert sum(f["rows_accepted"] for f in inputs) == len(result.dataset.respondents) > 0
        w = result.dataset.wide(include_missing_reasons=True)
        cols = ["ags", "role", "wave", "submitted_at", *instrument.item_codes,
                *[c for c in w.columns if c.endswith("__missing")]]
        w = w[cols].astype(str).replace({"not_shown": "no_answer", "None": "nan", "<NA>": "nan"})
        w = w.sort_values(cols).reset_index(drop=True)
        return w, result.dataset.municipalities.astype(str)

    base, base_m = content("template")
    for fmt in EXAMPLE_FORMATS[1:]:
        w, m = content(fmt)
        pd.testing.assert_frame_equal(w, base, obj=fmt)
        pd.testing.assert_frame_equal(m, base_m, obj=f"{fmt} municipalities")
