"""The survey instrument: items, constructs, response scales and respondent fields.

An :class:`Instrument` is the single source of truth for what a questionnaire asks. Its source is
a YAML file (``surveys/instruments/<name>.yaml``) that diffs well; every export (XLSForm, data-entry
template, codebook) and the importer derive from it.

Example
-------
>>> from surveys import Instrument
>>> inst = Instrument.load("sensibilisierung")
>>> inst.name, inst.version, len(inst.items)
('sensibilisierung', '1.0.0', 30)
>>> [c.id for c in inst.constructs]
['kommunal', 'zivil', 'wirkung', 'partnerschaft', 'struktur']
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from core.errors import InstrumentError

__all__ = [
    "CONSTRUCT_ROLES",
    "Choice",
    "Construct",
    "Field",
    "Instrument",
    "Item",
    "ResponseOption",
    "Scale",
    "available_instruments",
]

MISSING_REASONS = ("dont_know", "no_answer", "not_shown", "invalid")

#: What a construct stands for in the analysis of commitment and structures (``Construct.role``):
#: municipal commitment, civil-society commitment, strength of the resulting structures, other.
CONSTRUCT_ROLES = ("municipal_commitment", "civil_commitment", "structure", "other")


@dataclass(frozen=True)
class ResponseOption:
    """One answer option of a response scale.

    ``missing`` is ``None`` for a substantive answer, otherwise the missing reason
    (``"dont_know"`` for "weiß nicht", ``"no_answer"`` for "keine Angabe").
    """

    code: int
    name: str
    label_de: str
    label_en: str
    missing: str | None = None

    def label(self, lang: str = "de") -> str:
        return self.label_de if lang == "de" else self.label_en


@dataclass(frozen=True)
class Scale:
    """A response scale: ordered substantive options plus missing-value options."""

    name: str
    label_de: str
    label_en: str
    options: tuple[ResponseOption, ...]

    @property
    def valid(self) -> tuple[ResponseOption, ...]:
        """Substantive options, in scale order (lowest agreement first)."""
        return tuple(o for o in self.options if o.missing is None)

    @property
    def missing_options(self) -> tuple[ResponseOption, ...]:
        return tuple(o for o in self.options if o.missing is not None)

    @property
    def valid_codes(self) -> tuple[int, ...]:
        return tuple(o.code for o in self.valid)

    @property
    def missing_codes(self) -> dict[int, str]:
        """Map of missing code -> missing reason, e.g. ``{-1: "dont_know", -9: "no_answer"}``."""
        return {o.code: o.missing for o in self.missing_options}  # type: ignore[misc]

    @property
    def min(self) -> int:
        return min(self.valid_codes)

    @property
    def max(self) -> int:
        return max(self.valid_codes)

    @property
    def n_categories(self) -> int:
        """Number of substantive categories (A in rwg's uniform null variance (A²−1)/12)."""
        return len(self.valid)

    @property
    def midpoint(self) -> float:
        return (self.min + self.max) / 2

    def option(self, code: int) -> ResponseOption:
        for o in self.options:
            if o.code == code:
                return o
        raise KeyError(code)

    def labels(self, lang: str = "de", include_missing: bool = True) -> list[str]:
        opts = self.options if include_missing else self.valid
        return [o.label(lang) for o in opts]


@dataclass(frozen=True)
class Construct:
    """A group of items measuring one construct, asked as one block with a common stem.

    ``role`` (one of :data:`CONSTRUCT_ROLES`, or None when not declared) says what the construct
    stands for in the commitment analyses: ``municipal_commitment`` (Baustein section *Für die
    Kommune*), ``civil_commitment`` (*Für die Zivilgesellschaft*), ``structure`` (*Ergebnis*:
    strength of the resulting support structures) or ``other``. :func:`analysis.run` finds the
    constructs of the typology, the model and the hypotheses by their role, never by their id.
    """

    id: str
    label_de: str
    label_en: str
    stem_de: str
    stem_en: str
    scale: str
    source_section: str
    role: str | None = None

    def label(self, lang: str = "de") -> str:
        return self.label_de if lang == "de" else self.label_en

    def stem(self, lang: str = "de") -> str:
        return self.stem_de if lang == "de" else self.stem_en


@dataclass(frozen=True)
class Item:
    """One Likert item, traceable to the Baustein statement it was derived from."""

    code: str
    construct: str
    label_de: str
    label_en: str
    scale: str
    reverse: bool
    source_section: str
    source_statement: str
    hypothesis: str | None = None

    def label(self, lang: str = "de") -> str:
        return self.label_de if lang == "de" else self.label_en


@dataclass(frozen=True)
class Choice:
    name: str
    label_de: str
    label_en: str

    def label(self, lang: str = "de") -> str:
        return self.label_de if lang == "de" else self.label_en


@dataclass(frozen=True)
class Field:
    """A non-Likert respondent field: identifier, municipality (AGS), role, wave, free text."""

    name: str
    type: str  # "text" | "select_one" | "integer"
    label_de: str
    label_en: str
    required: bool = False
    free_text: bool = False
    choices: tuple[Choice, ...] = ()

    def label(self, lang: str = "de") -> str:
        return self.label_de if lang == "de" else self.label_en


@dataclass(frozen=True)
class Instrument:
    """A complete survey instrument (name, version, scales, constructs, items, fields)."""

    name: str
    version: str
    title_de: str
    title_en: str
    source: str
    scales: Mapping[str, Scale]
    constructs: tuple[Construct, ...]
    items: tuple[Item, ...]
    fields: tuple[Field, ...] = field(default_factory=tuple)

    # ------------------------------------------------------------------ construction
    def __post_init__(self) -> None:
        codes = [i.code for i in self.items]
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        if dupes:
            raise InstrumentError(f"Doppelte Item-Codes / duplicate item codes: {', '.join(dupes)}")
        construct_ids = {c.id for c in self.constructs}
        for it in self.items:
            if it.construct not in construct_ids:
                raise InstrumentError(
                    f"Item {it.code}: unbekanntes Konstrukt / unknown construct '{it.construct}'"
                )
            if it.scale not in self.scales:
                raise InstrumentError(f"Item {it.code}: unbekannte Skala / unknown scale '{it.scale}'")
        for c in self.constructs:
            if c.role is not None and c.role not in CONSTRUCT_ROLES:
                raise InstrumentError(
                    f"Konstrukt {c.id}: unbekannte Rolle '{c.role}' (erlaubt: {', '.join(CONSTRUCT_ROLES)}) / "
                    f"construct {c.id}: unknown role '{c.role}'"
                )

    @classmethod
    def load(cls, name_or_path: str | Path) -> Instrument:
        """Load a packaged instrument by name, or an instrument YAML file (.yaml/.yml).

        XLSForm workbooks are read by :func:`surveys.load_instrument` (which also takes names and
        YAML files) or :func:`surveys.xlsform.read_xlsform`.
        """
        path = Path(name_or_path)
        if path.suffix.lower() in {".xlsx", ".xlsm"}:
            raise InstrumentError(
                f"{path.name} ist eine Arbeitsmappe: bitte surveys.load_instrument verwenden / "
                f"{path.name} is a workbook: use surveys.load_instrument."
            )
        if path.suffix.lower() in {".yaml", ".yml"}:
            if not path.exists():
                raise InstrumentError(f"Instrument-Datei nicht gefunden / file not found: {path}")
            return cls.from_yaml(path.read_text(encoding="utf-8"))
        name = str(name_or_path)
        res = resources.files("surveys") / "instruments" / f"{name}.yaml"
        if not res.is_file():
            known = ", ".join(available_instruments()) or "-"
            raise InstrumentError(
                f"Unbekanntes Instrument '{name}'. Verfügbar: {known} / unknown instrument '{name}'."
            )
        return cls.from_yaml(res.read_text(encoding="utf-8"))

    @classmethod
    def from_yaml(cls, text: str) -> Instrument:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:  # pragma: no cover - message passthrough
            raise InstrumentError(f"Instrument-YAML nicht lesbar / unreadable YAML: {exc}") from exc
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Instrument:
        """Build an instrument from the plain-dict form used by the YAML source."""
        try:
            scales = {
                sname: Scale(
                    name=sname,
                    label_de=s["label"]["de"],
                    label_en=s["label"]["en"],
                    options=tuple(
                        ResponseOption(
                            code=int(o["code"]),
                            name=str(o["name"]),
                            label_de=o["de"],
                            label_en=o["en"],
                            missing=o.get("missing"),
                        )
                        for o in s["options"]
                    ),
                )
                for sname, s in data["scales"].items()
            }
            constructs = []
            items = []
            for c in data["constructs"]:
                constructs.append(
                    Construct(
                        id=c["id"],
                        label_de=c["label"]["de"],
                        label_en=c["label"]["en"],
                        stem_de=c["stem"]["de"],
                        stem_en=c["stem"]["en"],
                        scale=c["scale"],
                        source_section=c.get("source_section", ""),
                        role=c.get("role") or None,
                    )
                )
                for it in c["items"]:
                    items.append(
                        Item(
                            code=it["code"],
                            construct=c["id"],
                            label_de=it["de"],
                            label_en=it["en"],
                            scale=it.get("scale", c["scale"]),
                            reverse=bool(it.get("reverse", False)),
                            source_section=it.get("source_section", c.get("source_section", "")),
                            source_statement=it.get("source_statement", ""),
                            hypothesis=it.get("hypothesis"),
                        )
                    )
            fields = tuple(
                Field(
                    name=f["name"],
                    type=f.get("type", "text"),
                    label_de=f["label"]["de"],
                    label_en=f["label"]["en"],
                    required=bool(f.get("required", False)),
                    free_text=bool(f.get("free_text", False)),
                    choices=tuple(
                        Choice(name=ch["name"], label_de=ch["de"], label_en=ch["en"])
                        for ch in f.get("choices", [])
                    ),
                )
                for f in data.get("fields", [])
            )
            return cls(
                name=data["name"],
                version=str(data["version"]),
                title_de=data["title"]["de"],
                title_en=data["title"]["en"],
                source=data.get("source", ""),
                scales=scales,
                constructs=tuple(constructs),
                items=tuple(items),
                fields=fields,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InstrumentError(
                f"Instrument-Definition unvollständig / incomplete instrument definition: {exc!r}"
            ) from exc

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form (the inverse of :meth:`from_dict`)."""
        out: dict[str, Any] = {
            "name": self.name,
            "version": self.version,
            "title": {"de": self.title_de, "en": self.title_en},
            "source": self.source,
            "scales": {
                s.name: {
                    "label": {"de": s.label_de, "en": s.label_en},
                    "options": [
                        {"code": o.code, "name": o.name, "de": o.label_de, "en": o.label_en}
                        | ({"missing": o.missing} if o.missing else {})
                        for o in s.options
                    ],
                }
                for s in self.scales.values()
            },
            "fields": [
                {
                    "name": f.name,
                    "type": f.type,
                    "required": f.required,
                    "label": {"de": f.label_de, "en": f.label_en},
                }
                | ({"free_text": True} if f.free_text else {})
                | (
                    {"choices": [{"name": c.name, "de": c.label_de, "en": c.label_en} for c in f.choices]}
                    if f.choices
                    else {}
                )
                for f in self.fields
            ],
            "constructs": [],
        }
        for c in self.constructs:
            cd: dict[str, Any] = {
                "id": c.id,
                "scale": c.scale,
                "source_section": c.source_section,
                **({"role": c.role} if c.role else {}),
                "label": {"de": c.label_de, "en": c.label_en},
                "stem": {"de": c.stem_de, "en": c.stem_en},
                "items": [],
            }
            for it in self.items_of(c.id):
                d: dict[str, Any] = {
                    "code": it.code,
                    "source_statement": it.source_statement,
                    "de": it.label_de,
                    "en": it.label_en,
                }
                if it.scale != c.scale:
                    d["scale"] = it.scale
                if it.source_section != c.source_section:
                    d["source_section"] = it.source_section
                if it.reverse:
                    d["reverse"] = True
                if it.hypothesis:
                    d["hypothesis"] = it.hypothesis
                cd["items"].append(d)
            out["constructs"].append(cd)
        return out

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), allow_unicode=True, sort_keys=False, width=120)

    # ------------------------------------------------------------------ queries
    @property
    def item_codes(self) -> list[str]:
        return [i.code for i in self.items]

    def item(self, code: str) -> Item:
        for it in self.items:
            if it.code == code:
                return it
        raise KeyError(code)

    def constructs_with_role(self, role: str) -> list[Construct]:
        """The constructs declaring ``role`` (see :data:`CONSTRUCT_ROLES`), in instrument order."""
        return [c for c in self.constructs if c.role == role]

    def construct(self, construct_id: str) -> Construct:
        for c in self.constructs:
            if c.id == construct_id:
                return c
        raise KeyError(construct_id)

    def items_of(self, construct_id: str) -> list[Item]:
        return [i for i in self.items if i.construct == construct_id]

    def scale_of(self, item_code: str) -> Scale:
        return self.scales[self.item(item_code).scale]

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def __iter__(self) -> Iterator[Item]:
        return iter(self.items)

    def to_frame(self) -> pd.DataFrame:
        """The tidy ``instrument`` table of the dataset (one row per item).

        Columns: item, construct, label_de, label_en, scale, scale_min, scale_max, reverse,
        source_section, source_statement, hypothesis.
        """
        rows = [
            {
                "item": i.code,
                "construct": i.construct,
                "label_de": i.label_de,
                "label_en": i.label_en,
                "scale": i.scale,
                "scale_min": self.scales[i.scale].min,
                "scale_max": self.scales[i.scale].max,
                "reverse": i.reverse,
                "source_section": i.source_section,
                "source_statement": i.source_statement,
                "hypothesis": i.hypothesis,
            }
            for i in self.items
        ]
        return pd.DataFrame(rows)

    def constructs_frame(self) -> pd.DataFrame:
        """One row per construct: id, labels, stems, scale, source section, role, number of items."""
        return pd.DataFrame(
            [
                {
                    "construct": c.id,
                    "label_de": c.label_de,
                    "label_en": c.label_en,
                    "stem_de": c.stem_de,
                    "stem_en": c.stem_en,
                    "scale": c.scale,
                    "source_section": c.source_section,
                    "role": c.role,
                    "n_items": len(self.items_of(c.id)),
                }
                for c in self.constructs
            ]
        )


def available_instruments() -> list[str]:
    """Names of the instruments shipped with the package."""
    folder = resources.files("surveys") / "instruments"
    return sorted(p.name[: -len(".yaml")] for p in folder.iterdir() if p.name.endswith(".yaml"))
