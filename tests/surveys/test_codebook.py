"""The codebook (surveys.codebook) in Markdown and Excel."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest

from surveys import BausteinError, Instrument
from surveys.codebook import CODEBOOK_SHEETS, codebook_markdown, write_codebook


def md_cells(line: str) -> list[str]:
    """Cells of a Markdown table row, splitting on unescaped pipes only."""
    return [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]


def sheet_frame(path: Path, sheet: str) -> list[dict[str, object]]:
    rows = list(openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


@pytest.fixture(scope="module")
def xlsx(instrument: Instrument, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_codebook(instrument, tmp_path_factory.mktemp("cb") / "codebook.xlsx")


def test_markdown_codebook_has_every_item_wording_and_source_statement(
    instrument: Instrument, tmp_path: Path
) -> None:
    text = write_codebook(instrument, tmp_path / "codebook.md").read_text(encoding="utf-8")
    for item in instrument.items:
        line = next(ln for ln in text.splitlines() if ln.startswith(f"| `{item.code}` |"))
        assert md_cells(line) == [f"`{item.code}`", item.label_de, item.label_en, "ja" if item.reverse else "",
                                  item.source_statement, item.hypothesis or ""]


def test_markdown_codebook_has_one_table_per_construct_and_the_scale_table(instrument: Instrument) -> None:
    text = codebook_markdown(instrument)
    headings = [ln for ln in text.splitlines() if ln.startswith("### ")]
    for c in instrument.constructs:
        assert sum(f"(`{c.id}`)" in h for h in headings) == 1
        assert c.stem_de in text
    for option in instrument.scales["agree5"].options:
        row = f"| {option.code} | `{option.name}` | {option.label_de} | {option.label_en} | {option.missing or ''} |"
        assert row in text


def test_markdown_escapes_pipes_so_tables_stay_intact(instrument: Instrument) -> None:
    data = instrument.to_dict()
    data["constructs"][0]["items"][0]["de"] = "A | B"
    text = codebook_markdown(Instrument.from_dict(data))
    line = next(ln for ln in text.splitlines() if ln.startswith("| `KOM01` |"))
    assert md_cells(line)[:2] == ["`KOM01`", "A \\| B"]
    assert len(md_cells(line)) == 6


def test_excel_codebook_has_the_four_sheets_and_one_row_per_item(xlsx: Path, instrument: Instrument) -> None:
    assert openpyxl.load_workbook(xlsx).sheetnames == list(CODEBOOK_SHEETS)
    items = sheet_frame(xlsx, "Items")
    assert [r["item"] for r in items] == instrument.item_codes
    for row, item in zip(items, instrument.items):
        assert row["source_statement"] == item.source_statement
        assert row["source_section"] == item.source_section
        assert row["label_de"] == item.label_de and row["label_en"] == item.label_en
        assert row["reverse"] == ("ja" if item.reverse else "nein")
        assert (row["hypothesis"] or None) == item.hypothesis
    assert items[0]["codes"].startswith("1 = stimme gar nicht zu; 2 = stimme eher nicht zu")
    assert items[0]["missing_codes"] == "-1 = weiß nicht (dont_know); -9 = keine Angabe (no_answer)"


def test_excel_codebook_scales_constructs_and_fields(xlsx: Path, instrument: Instrument) -> None:
    scales = sheet_frame(xlsx, "Skalen")
    assert [(r["code"], r["missing_reason"]) for r in scales] == [
        (o.code, o.missing) for o in instrument.scales["agree5"].options
    ]
    constructs = sheet_frame(xlsx, "Konstrukte")
    assert [(r["construct"], r["n_items"]) for r in constructs] == [
        (c.id, len(instrument.items_of(c.id))) for c in instrument.constructs
    ]
    fields = sheet_frame(xlsx, "Felder")
    assert [r["field"] for r in fields] == [f.name for f in instrument.fields]
    assert next(r for r in fields if r["field"] == "comment")["free_text"] == "ja"


def test_codebook_is_byte_identical_for_the_same_instrument(instrument: Instrument, tmp_path: Path) -> None:
    for suffix in (".xlsx", ".md"):
        a = write_codebook(instrument, tmp_path / f"a{suffix}").read_bytes()
        b = write_codebook(instrument, tmp_path / f"b{suffix}").read_bytes()
        assert a == b


def test_unknown_suffix_is_rejected(instrument: Instrument, tmp_path: Path) -> None:
    with pytest.raises(BausteinError, match=r"\.xlsx oder \.md"):
        write_codebook(instrument, tmp_path / "codebook.pdf")
