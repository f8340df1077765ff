"""Bring your own export: our questionnaire rebuilt in other tools (tests/data/byo/fixtures.py).

The unedited suggestion gets >= 90 % of items and 100 % of label sets right per fixture (the
benchmark table in docs/mapping-benchmark.md is recomputed here), and importing with it gives
exactly the codes the ground truth says, with counts that reconcile.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from surveys import Instrument
from surveys.importing import read_responses, suggest_mapping
from tests.data.byo.fixtures import Fixture, benchmark_table, build_all, score
from tests.surveys.test_import_formats import assert_counts_reconcile

DOC = Path(__file__).resolve().parents[2] / "docs" / "mapping-benchmark.md"


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory: pytest.TempPathFactory, instrument: Instrument) -> list[Fixture]:
    return build_all(tmp_path_factory.mktemp("byo"), instrument)


@pytest.fixture(scope="module")
def scored(fixtures: list[Fixture], instrument: Instrument) -> list[tuple[Fixture, object, dict]]:
    out = []
    for fx in fixtures:
        s = suggest_mapping(fx.path, instrument)
        out.append((fx, s, score(fx, s)))
    return out


def test_unedited_suggestion_gets_90_percent_of_items_and_every_label_set_right(scored) -> None:
    for fx, _, sc in scored:
        assert sc["items_share"] >= 0.9, (fx.name, sc)
        assert sc["label_sets_share"] == 1.0, (fx.name, sc)
        assert sc["fields_right"] == sc["fields"], (fx.name, sc)
        assert sc["multi_right"] == sc["multi"], (fx.name, sc)
        assert sc["roles_right"] == sc["roles"], (fx.name, sc)


def test_benchmark_table_in_docs_is_the_measured_one(scored) -> None:
    text = DOC.read_text(encoding="utf-8")
    m = re.search(r"<!-- benchmark:start -->\n(.*?)\n<!-- benchmark:end -->", text, re.S)
    assert m, "docs/mapping-benchmark.md lost its benchmark markers"
    assert m.group(1).strip() == benchmark_table([sc for _, _, sc in scored]).strip()


def test_every_meta_column_gets_one_target_and_the_right_one(scored) -> None:
    for fx, s, _ in scored:
        mapping = s.mapping()
        fields = [t for t in mapping.columns.values() if t in {"respondent_id", "submitted_at", "ags", "role"}]
        assert len(fields) == len(set(fields)), (fx.name, fields)  # never two columns on one field


@pytest.mark.parametrize("name", ["limesurvey_csv", "limesurvey_xlsx_codes", "sosci_label_row", "kobo_labels",
                                  "forms_csv", "msforms_english"])
def test_import_with_the_unedited_suggestion_gives_the_true_codes(name: str, scored, instrument: Instrument) -> None:
    fx, s, _ = next(x for x in scored if x[0].name == name)
    mapping = s.mapping()
    mapping.defaults = {"wave": "2025", "ags": "08111000"}  # the Vorgaben sheet
    result = read_responses(fx.path, instrument, mapping=mapping)
    assert_counts_reconcile(result)
    man = result.manifest["inputs"][0]
    assert man["rows_in"] == fx.rows  # no respondent lost as a "label row"
    assert man["rows_label_skipped"] == (1 if fx.first_row == 3 else 0)
    resp = result.dataset.respondents.set_index("respondent_id")
    long = result.dataset.responses
    row_of = resp["source_row"].to_dict()
    values = long["value"].astype("Float64").to_numpy(dtype=float, na_value=float("nan"))
    got = {(int(row_of[r]), item): (None if v != v else int(v))
           for r, item, v in zip(long["respondent_id"], long["item"], values, strict=True)}
    mapped = {code for h, code in fx.items.items() if mapping.columns.get(h) == code}
    wrong = [(k, exp, got.get(k)) for k, exp in fx.expected.items() if k[1] in mapped and k[0] in set(row_of.values())
             and got.get(k) != exp]
    assert not wrong, wrong[:5]
    codes = set(result.rejections["code"])
    assert "value_unknown_label" not in codes and "value_out_of_scale" not in codes
    if fx.roles:
        assert set(resp["role"].dropna()) == set(fx.roles.values())
        assert "role_unknown" not in codes
    if fx.multi and fx.multi[0] in mapping.columns:
        assert mapping.columns[fx.multi[0]] == "ignore"
    rescaled = result.rejections[result.rejections["code"] == "scale_rescaled"]
    points = len({v for v in fx.labels.values() if isinstance(v, int)})
    assert (len(rescaled) > 0) == (name not in {"kobo_labels", "forms_csv"}), points  # 4- and 7-point scales


def test_multi_select_mapped_to_an_item_is_refused_with_one_finding(fixtures: list[Fixture],
                                                                      instrument: Instrument) -> None:
    fx = next(f for f in fixtures if f.name == "forms_csv")
    s = suggest_mapping(fx.path, instrument)
    mapping = s.mapping()
    mapping.columns[fx.multi[0]] = "ERG05"
    for h, code in list(mapping.columns.items()):
        if code == "ERG05" and h != fx.multi[0]:
            mapping.columns[h] = "ignore"
    mapping.defaults = {"wave": "2025"}
    result = read_responses(fx.path, instrument, mapping=mapping)
    assert_counts_reconcile(result)
    rej = result.rejections
    refused = rej[rej["code"] == "multi_select_refused"]
    assert len(refused) == 1 and refused["header"].iloc[0] == fx.multi[0]
    assert "Nachbarschaftshilfe" in refused["message_de"].iloc[0] and "ERG05" in refused["message_en"].iloc[0]
    assert not (rej["code"] == "value_unknown_label").any()  # not one error per cell
