"""The codebook: what every variable of the instrument means, as Excel or Markdown.

:func:`write_codebook` picks the format from the file suffix:

* ``.xlsx`` — sheets ``Items`` (one row per item: code, construct, German and English wording,
  scale, valid codes with labels, missing codes with reasons, reverse flag, source section,
  source statement, hypothesis), ``Konstrukte``, ``Skalen`` (one row per answer option) and
  ``Felder`` (respondent fields and their choices). Column names follow the dataset's
  ``instrument`` table so that the sheets join with the data.
* ``.md`` — one table per construct (with its stem), the scale tables and the fields.

Both are derived from the instrument alone and are byte-identical for equal instruments.

Example
-------
>>> from surveys import Instrument
>>> write_codebook(Instrument.load("sensibilisierung"), "codebook.md")   # doctest: +SKIP
PosixPath('codebook.md')
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from core.atomic import atomic_file
from core.errors import BausteinError

from .instrument import Instrument, Scale
from .xlsform import FIXED_CREATED

__all__ = [
    "CODEBOOK_SHEETS",
    "codebook_markdown",
    "codebook_tables",
    "write_codebook",
]

#: Sheet names of the Excel codebook, in order.
CODEBOOK_SHEETS = ("Items", "Konstrukte", "Skalen", "Felder")


def _codes_text(scale: Scale, lang: str = "de") -> str:
    return "; ".join(f"{o.code} = {o.label(lang)}" for o in scale.valid)


def _missing_text(scale: Scale, lang: str = "de") -> str:
    return "; ".join(f"{o.code} = {o.label(lang)} ({o.missing})" for o in scale.missing_options)


def codebook_tables(instrument: Instrument) -> dict[str, pd.DataFrame]:
    """The codebook as tidy tables, keyed by sheet name (:data:`CODEBOOK_SHEETS`).

    Returns
    -------
    dict of str to pandas.DataFrame
        ``Items``: item, construct, construct_label, label_de, label_en, scale, codes,
        missing_codes, reverse, source_section, source_statement, hypothesis.
        ``Konstrukte``: construct, label_de, label_en, stem_de, stem_en, scale, source_section,
        n_items, items. ``Skalen``: scale, scale_label_de, scale_label_en, code, name, label_de,
        label_en, missing_reason. ``Felder``: field, type, required, free_text, label_de,
        label_en, choices.
    """
    inst = instrument
    items = pd.DataFrame(
        [
            {
                "item": it.code,
                "construct": it.construct,
                "construct_label": inst.construct(it.construct).label_de,
                "label_de": it.label_de,
                "label_en": it.label_en,
                "scale": it.scale,
                "codes": _codes_text(inst.scales[it.scale]),
                "missing_codes": _missing_text(inst.scales[it.scale]),
                "reverse": "ja" if it.reverse else "nein",
                "source_section": it.source_section,
                "source_statement": it.source_statement,
                "hypothesis": it.hypothesis or "",
            }
            for it in inst.items
        ]
    )
    constructs = inst.constructs_frame()
    constructs["items"] = [", ".join(i.code for i in inst.items_of(c.id)) for c in inst.constructs]
    scales = pd.DataFrame(
        [
            {
                "scale": s.name,
                "scale_label_de": s.label_de,
                "scale_label_en": s.label_en,
                "code": o.code,
                "name": o.name,
                "label_de": o.label_de,
                "label_en": o.label_en,
                "missing_reason": o.missing or "",
            }
            for s in inst.scales.values()
            for o in s.options
        ]
    )
    fields = pd.DataFrame(
        [
            {
                "field": f.name,
                "type": f.type,
                "required": "ja" if f.required else "nein",
                "free_text": "ja" if f.free_text else "nein",
                "label_de": f.label_de,
                "label_en": f.label_en,
                "choices": "; ".join(f"{c.name} = {c.label_de}" for c in f.choices),
            }
            for f in inst.fields
        ],
        columns=["field", "type", "required", "free_text", "label_de", "label_en", "choices"],
    )
    return {"Items": items, "Konstrukte": constructs, "Skalen": scales, "Felder": fields}


# ---------------------------------------------------------------------- Excel
_WIDTHS = {
    "item": 9, "field": 14, "construct": 14, "construct_label": 24, "label_de": 50, "label_en": 50,
    "stem_de": 45, "stem_en": 45, "codes": 36, "missing_codes": 36, "source_section": 32,
    "source_statement": 50, "choices": 50, "items": 30,
}


def _write_xlsx(instrument: Instrument, path: Path) -> None:
    import xlsxwriter

    tables = codebook_tables(instrument)
    with atomic_file(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_numbers": False, "strings_to_formulas": False})
        wb.set_properties(
            {
                "title": f"Codebuch {instrument.name} {instrument.version}",
                "author": "baustein-eval",
                "created": FIXED_CREATED,
            }
        )
        header = wb.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDEBF7", "border": 1})
        wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        for sheet in CODEBOOK_SHEETS:
            df = tables[sheet]
            ws = wb.add_worksheet(sheet)
            for c, col in enumerate(df.columns):
                ws.write_string(0, c, str(col), header)
                width = _WIDTHS.get(str(col), 12)
                ws.set_column(c, c, width, wrap if width >= 30 else None)
            for r, row in enumerate(df.itertuples(index=False), start=1):
                for c, value in enumerate(row):
                    if isinstance(value, str):
                        if value:
                            ws.write_string(r, c, value)
                    elif value is not None and not pd.isna(value):
                        ws.write_number(r, c, float(value))
            ws.freeze_panes(1, 1)
            ws.autofilter(0, 0, max(len(df), 1), len(df.columns) - 1)
        wb.close()


# ---------------------------------------------------------------------- Markdown
def _md_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _md_table(header: list[str], rows: list[list[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in rows]
    return lines


def codebook_markdown(instrument: Instrument) -> str:
    """The codebook as Markdown text (what :func:`write_codebook` writes for ``.md``)."""
    inst = instrument
    out = [
        f"# Codebuch: {inst.title_de}",
        "",
        f"*{inst.title_en}*",
        "",
        f"- Instrument: `{inst.name}`, Version {inst.version}",
        f"- Quelle / source: {inst.source}",
        f"- {len(inst.items)} Items in {len(inst.constructs)} Konstrukten / items in constructs",
        "",
        "Fehlende Werte (»weiß nicht«, »keine Angabe«) sind fehlend, nie Skalenmitte. "
        "/ Missing codes are missing, never the midpoint.",
        "",
        "## Konstrukte und Items / constructs and items",
    ]
    for c in inst.constructs:
        out += [
            "",
            f"### {c.label_de} (`{c.id}`) / {c.label_en}",
            "",
            f"Frage / stem: »{c.stem_de}« / “{c.stem_en}”",
            "",
            f"Skala / scale: `{c.scale}`. Abschnitt des Bausteins / Baustein section: {c.source_section}",
            "",
        ]
        rows = [
            [f"`{it.code}`", it.label_de, it.label_en, "ja" if it.reverse else "", it.source_statement,
             it.hypothesis or ""]
            for it in inst.items_of(c.id)
        ]
        out += _md_table(
            ["Code", "Formulierung (de)", "Wording (en)", "umgepolt / reverse", "Baustein-Aussage / source statement",
             "Hypothese"],
            rows,
        )
    out += ["", "## Skalen / scales"]
    for s in inst.scales.values():
        out += ["", f"### `{s.name}`: {s.label_de} / {s.label_en}", ""]
        out += _md_table(
            ["Code", "Name", "Beschriftung (de)", "Label (en)", "fehlend / missing"],
            [[o.code, f"`{o.name}`", o.label_de, o.label_en, o.missing or ""] for o in s.options],
        )
    out += ["", "## Felder / respondent fields", ""]
    out += _md_table(
        ["Feld / field", "Typ", "Pflicht / required", "Freitext / free text", "Frage (de)", "Question (en)",
         "Auswahl / choices"],
        [
            [f"`{f.name}`", f.type, "ja" if f.required else "", "ja" if f.free_text else "", f.label_de, f.label_en,
             "; ".join(f"{c.name} = {c.label_de}" for c in f.choices)]
            for f in inst.fields
        ],
    )
    return "\n".join(out) + "\n"


def write_codebook(instrument: Instrument, path: str | Path) -> Path:
    """Write the codebook of ``instrument``; the suffix of ``path`` picks the format.

    Parameters
    ----------
    instrument : Instrument
        The instrument to document.
    path : str or Path
        ``.xlsx`` (sheets :data:`CODEBOOK_SHEETS`) or ``.md`` (Markdown); written atomically.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    BausteinError
        For any other suffix.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        _write_xlsx(instrument, path)
    elif suffix in {".md", ".markdown"}:
        with atomic_file(path) as tmp:
            tmp.write_text(codebook_markdown(instrument), encoding="utf-8")
    else:
        raise BausteinError(
            f"Codebuch: Dateiendung '{path.suffix}' unbekannt, bitte .xlsx oder .md "
            f"/ codebook: unknown suffix '{path.suffix}', use .xlsx or .md"
        )
    return path
