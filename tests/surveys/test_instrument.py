"""The instrument model and the packaged ``sensibilisierung`` instrument."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from surveys import Instrument, InstrumentError

BAUSTEIN = Path(__file__).parents[1] / "data" / "baustein" / "sensibilisierung-kommune-zivilgesellschaft.txt"


def _baustein_bullets() -> dict[str, list[str]]:
    """Bullets per section of the Baustein text, dehyphenated, bullet and trailing comma removed."""
    text = BAUSTEIN.read_text(encoding="utf-8")
    text = re.sub(r"(\w)-\s*\n\s*(\w)", r"\1\2", text)  # "Ver-\nantwortung" -> "Verantwortung"
    sections: dict[str, list[str]] = {}
    current = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("•"):
            assert current is not None
            sections[current].append(line.lstrip("• ").rstrip(" ,.").strip())
        elif line in {
            "Warum ist kommunale Unterstützung wichtig?",
            "Für die Zivilgesellschaft",
            "Für die Kommune",
            "Reflexion & Erfahrungen",
        }:
            current = line
            sections[current] = []
        else:
            current = None if line != "Kommunale Unterstützung" else current
    return sections


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip(" ,.").casefold()


def test_every_baustein_bullet_has_exactly_one_item(instrument: Instrument) -> None:
    bullets = _baustein_bullets()
    assert [len(v) for v in bullets.values()] == [7, 6, 7, 5]
    statements = [_norm(i.source_statement) for i in instrument.items]
    for section, items in bullets.items():
        for bullet in items:
            assert statements.count(_norm(bullet)) == 1, (section, bullet)


def test_constructs_follow_the_baustein_sections(instrument: Instrument) -> None:
    expected = {
        "kommunal": "Für die Kommune",
        "zivil": "Für die Zivilgesellschaft",
        "wirkung": "Warum ist kommunale Unterstützung wichtig?",
        "partnerschaft": "Reflexion & Erfahrungen",
    }
    bullets = _baustein_bullets()
    for construct, section in expected.items():
        items = instrument.items_of(construct)
        assert len(items) == len(bullets[section])
        assert all(section in i.source_section for i in items)


def test_every_result_statement_has_an_item(instrument: Instrument) -> None:
    # Ergebnis: tragfähige Unterstützungsstrukturen, neue Formen des Engagements,
    # mehr Lebensqualität, Kommune als Mitgestalterin (and not alone responsible, reverse-keyed)
    results = instrument.items_of("struktur")
    sources = " ".join(i.source_statement for i in results)
    for phrase in (
        "tragfähige Unterstützungsstrukturen",
        "neue Formen des Engagements",
        "Lebensqualität",
        "Mitgestalter",
        "Alleinverantwortlichen",
    ):
        assert phrase in sources
    assert [i.code for i in results if i.reverse] == ["ERG05"]


def test_each_reflection_statement_is_a_named_hypothesis(instrument: Instrument) -> None:
    hyps = [i.hypothesis for i in instrument.items_of("partnerschaft")]
    assert hyps == ["H1", "H2", "H3", "H4", "H5"]


def test_scale_has_five_points_and_two_missing_codes(instrument: Instrument) -> None:
    scale = instrument.scales["agree5"]
    assert scale.valid_codes == (1, 2, 3, 4, 5)
    assert scale.missing_codes == {-1: "dont_know", -9: "no_answer"}
    assert scale.labels("de", include_missing=False) == [
        "stimme gar nicht zu",
        "stimme eher nicht zu",
        "teils/teils",
        "stimme eher zu",
        "stimme voll zu",
    ]
    assert scale.option(-1).label("de") == "weiß nicht"
    assert scale.n_categories == 5 and scale.midpoint == 3


def test_roles_cover_the_required_groups(instrument: Instrument) -> None:
    role = instrument.field("role")
    assert [c.name for c in role.choices] == [
        "verwaltung", "buergermeister", "gemeinderat", "verein", "engagiert", "dienst", "andere",
    ]
    assert instrument.field("comment").free_text


def test_items_have_german_and_english_wording(instrument: Instrument) -> None:
    for it in instrument.items:
        assert it.label_de and it.label_en and it.label_de != it.label_en


def test_dict_and_yaml_round_trip_is_lossless(instrument: Instrument) -> None:
    assert Instrument.from_dict(instrument.to_dict()) == instrument
    assert Instrument.from_yaml(instrument.to_yaml()) == instrument


def test_unknown_instrument_names_the_available_ones() -> None:
    with pytest.raises(InstrumentError, match="sensibilisierung"):
        Instrument.load("gibt-es-nicht")


def test_duplicate_item_codes_are_rejected(instrument: Instrument) -> None:
    data = instrument.to_dict()
    data["constructs"][0]["items"][1]["code"] = data["constructs"][0]["items"][0]["code"]
    with pytest.raises(InstrumentError, match="KOM01"):
        Instrument.from_dict(data)


def test_instrument_table_has_one_row_per_item(instrument: Instrument) -> None:
    frame = instrument.to_frame()
    assert list(frame["item"]) == instrument.item_codes
    assert set(frame.columns) >= {"item", "construct", "label_de", "label_en", "scale", "reverse",
                                  "source_section", "source_statement"}
