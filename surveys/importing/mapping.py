"""Mapping stage: which column holds which item or respondent field, and mapping files.

Headers are recognised without any configuration when they follow one of the conventions of
:mod:`surveys.formats` (template ``KOM01 – …``, Kobo ``group/KOM01``, LimeSurvey ``kommunal[KOM01]``
or ``kommunal [KOM01]``, SoSci ``KO01_01``, Forms ``Stem [item label]``), or when they are the item
code or the item wording itself (German or English, also inside a longer question text).

Anything else is made importable with a *mapping file* (YAML)::

    instrument: sensibilisierung
    columns:                     # header -> item code, respondent field or "ignore"
      "Wie zufrieden sind Sie mit …": KOM01
      "Gemeinde-Kennziffer": ags
      "Upload_an_image": ignore
    values:                      # answer label -> code (all items) or missing reason
      "trifft voll zu": 5
      "kann ich nicht sagen": dont_know
    item_values:                 # answer labels for single items
      KOM01: {"option_1": 1, "option_2": 2}
    defaults:                    # constant respondent fields for rows that leave them empty
      wave: "2025"
      ags: "08111000"

``baustein import --suggest-mapping`` drafts such a file by fuzzy matching (rapidfuzz) every header
to the item wordings; the user confirms or corrects it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from collections.abc import Mapping as AbcMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from core.errors import BausteinError
from surveys.formats import (
    KOBO_META_COLUMNS,
    LIMESURVEY_META_COLUMNS,
    SOSCI_FIELD_VARIABLES,
    SOSCI_META_COLUMNS,
    TEMPLATE_FIELD_HEADERS,
    forms_header,
    kobo_column,
    limesurvey_column,
    sosci_variable,
    template_header,
)
from surveys.instrument import Instrument

from .normalize import norm_key

__all__ = [
    "FIELD_NAMES",
    "HeaderIndex",
    "Mapping",
    "MappingError",
    "Target",
    "load_mapping",
]

#: Respondent fields the importer knows (dataset column names).
FIELD_NAMES = ("respondent_id", "ags", "role", "wave", "submitted_at", "comment")


class MappingError(BausteinError):
    """A mapping file is missing, unreadable or refers to unknown items or fields."""


@dataclass(frozen=True)
class Target:
    """What a column holds: ``kind`` is "item", "field", "meta" or "ignore"; ``priority`` ranks
    several columns for the same field (lower wins, e.g. ``Fragebogen-Nr.`` before Kobo's ``_uuid``)."""

    kind: str
    name: str = ""
    priority: int = 0


@dataclass
class Mapping:
    """A parsed mapping file (see the module docstring)."""

    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, int | str] = field(default_factory=dict)
    item_values: dict[str, dict[str, int | str]] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    source: str = ""

    def validate(self, instrument: Instrument) -> None:
        """Raise :class:`MappingError` when a target is neither an item, a field nor ``ignore``."""
        codes = set(instrument.item_codes)
        bad = [
            f"'{h}' -> '{t}'"
            for h, t in self.columns.items()
            if t not in codes and t not in FIELD_NAMES and t != "ignore"
        ]
        bad += [f"item_values: '{c}'" for c in self.item_values if c not in codes]
        bad += [f"defaults: '{k}'" for k in self.defaults if k not in FIELD_NAMES]
        if bad:
            raise MappingError(
                f"Zuordnungsdatei {self.source}: unbekannte Ziele {', '.join(bad)}. Erlaubt sind "
                f"Item-Codes ({', '.join(instrument.item_codes[:3])}, …), {', '.join(FIELD_NAMES)} "
                f"und 'ignore'. / Mapping file: unknown targets."
            )


def load_mapping(path: str | Path | None) -> Mapping | None:
    """Read a YAML (or JSON) mapping file; ``None`` passes through."""
    if path is None:
        return None
    p = Path(path)
    if not p.is_file():
        raise MappingError(f"Zuordnungsdatei nicht gefunden / mapping file not found: {p}")
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise MappingError(f"Zuordnungsdatei {p} ist kein gültiges YAML / not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise MappingError(f"Zuordnungsdatei {p}: erwartet 'columns:' usw. / expected a mapping with 'columns:'")

    def _dict(key: str) -> dict[str, Any]:
        v = data.get(key) or {}
        if not isinstance(v, dict):
            raise MappingError(f"Zuordnungsdatei {p}: '{key}' muss eine Zuordnung sein / must be a mapping")
        return {str(k): v2 for k, v2 in v.items() if v2 is not None}

    return Mapping(
        columns={k: str(v) for k, v in _dict("columns").items()},
        values=_dict("values"),
        item_values={str(k): dict(v or {}) for k, v in _dict("item_values").items()},
        defaults={k: str(v) for k, v in _dict("defaults").items()},
        source=str(p),
    )


# ---------------------------------------------------------------- header index
_FIELD_ALIASES: dict[str, tuple[tuple[str, int], ...]] = {
    "respondent_id": (
        ("respondent_id", 0), ("respondent id", 0), ("fragebogen-nr.", 0), ("fragebogen-nr", 0),
        ("fragebogennummer", 0), ("id", 1), ("case", 1), ("_uuid", 2), ("response id", 1), ("_id", 3),
    ),
    "ags": (("ags", 0), ("gemeindeschlüssel", 0), ("amtlicher gemeindeschlüssel", 0), ("gemeindeschluessel", 0)),
    "role": (("rolle", 0), ("role", 0)),
    "wave": (("welle", 0), ("wave", 0), ("befragungswelle", 0)),
    "submitted_at": (
        ("submitted_at", 0), ("datum", 0), ("zeitstempel", 1), ("timestamp", 1), ("submitdate", 1),
        ("date submitted", 1), ("datum abgeschickt", 1), ("fertigstellungszeit", 1), ("completion time", 1),
        ("end", 2), ("_submission_time", 3), ("lastdata", 2), ("started", 4), ("startzeit", 4),
        ("start time", 4), ("start", 5),
    ),
    "comment": (("comment", 0), ("anmerkungen", 0), ("kommentar", 0)),
}

_META_EXTRA = (
    "completed", "last page seen", "last page", "start language", "startdate", "datestamp", "ipaddr",
    "refurl", "interviewtime", "today", "deviceid", "username", "simserial", "phonenumber",
    "meta/instanceid", "_parent_index", "_parent_table_name", "e-mail", "email", "e-mail-adresse",
    "name", "zeitpunkt der letzten änderung", "last modified time", "lastpage", "maxpage", "missing",
    "missrel", "finished", "mailsent", "q_viewer", "time_sum", "time_rsi", "deg_time", "degtime",
)
_META_PATTERN = re.compile(r"^(time\d{3}|_submission__.*|meta/.*|__version__|_.*)$")

_BRACKET = re.compile(r"^(.*?)\s*\[(.+)\]\s*$")
_LEAD_CODE = re.compile(r"^([a-z]{2,}\d+[a-z0-9_]*)\s*[-:.]\s+")


class HeaderIndex:
    """Resolves column headers to items and respondent fields (conventions + mapping file)."""

    def __init__(self, instrument: Instrument, mapping: Mapping | None = None):
        self.instrument = instrument
        self.mapping = mapping
        exact: dict[str, Target] = {}
        items: dict[str, Target] = {}

        def put(table: dict[str, Target], key: str, target: Target) -> None:
            k = norm_key(key)
            if k and k not in table:
                table[k] = target

        if mapping is not None:
            for header, target in mapping.columns.items():
                if target == "ignore":
                    t = Target("ignore")
                elif target in FIELD_NAMES:
                    t = Target("field", target, -1)
                else:
                    t = Target("item", target)
                exact[norm_key(header)] = t
        try:
            sosci = {it.code: sosci_variable(instrument, it) for it in instrument.items}
        except ValueError:
            sosci = {}
        for it in instrument.items:
            t = Target("item", it.code)
            for key in (
                it.code, template_header(it, "de"), template_header(it, "en"), kobo_column(it),
                limesurvey_column(it), limesurvey_column(it, spaced=True), forms_header(instrument, it, "de"),
                forms_header(instrument, it, "en"), it.label_de, it.label_en, sosci.get(it.code, ""),
            ):
                put(exact, key, t)
                put(items, key, t)
        for name, aliases in _FIELD_ALIASES.items():
            for alias, prio in aliases:
                put(exact, alias, Target("field", name, prio))
        for name, header in TEMPLATE_FIELD_HEADERS.items():
            put(exact, header, Target("field", name, 0))
        for name, var in SOSCI_FIELD_VARIABLES.items():
            put(exact, var, Target("field", name, 0))
        for f in instrument.fields:
            if f.name in FIELD_NAMES:
                put(exact, f.label_de, Target("field", f.name, 0))
                put(exact, f.label_en, Target("field", f.name, 0))
        for meta in (*KOBO_META_COLUMNS, *LIMESURVEY_META_COLUMNS, *SOSCI_META_COLUMNS, *_META_EXTRA):
            put(exact, meta, Target("meta"))
        self.exact = exact
        self.items = items
        self._resolved: dict[str, Target | None] = {}
        self._labels = [
            (norm_key(lab), it.code)
            for it in instrument.items
            for lab in (it.label_de, it.label_en)
            if len(lab) >= 20
        ]

    def resolve(self, header: object) -> Target | None:
        """Target of one header, or ``None`` when it is not recognised."""
        if type(header) is str:
            # memoised by the header text: the same headers (and answer texts scanned while
            # looking for the header row) repeat in every file of an import
            cache = self._resolved
            try:
                return cache[header]
            except KeyError:
                pass
            hit = self._resolve(header)
            if len(cache) < 200_000:
                cache[header] = hit
            return hit
        return self._resolve(header)

    def _resolve(self, header: object) -> Target | None:
        key = norm_key(header)
        if not key:
            return None
        hit = self.exact.get(key)
        if hit is not None:
            return hit
        if "/" in key:  # Kobo group prefixes: group_x/sub/KOM01
            hit = self.exact.get(key.rsplit("/", 1)[1])
            if hit is not None and hit.kind in {"item", "field"}:
                return hit
        m = _BRACKET.match(key)
        if m:
            hit = self.items.get(m.group(2))
            if hit is not None:
                return hit
        m = _LEAD_CODE.match(key)
        if m:
            hit = self.items.get(m.group(1))
            if hit is not None:
                return hit
        contained = {code for lab, code in self._labels if lab in key}
        if len(contained) == 1:
            return Target("item", contained.pop())
        if _META_PATTERN.match(key):
            return Target("meta")
        return None

    def suggest(self, header: object, min_score: float = 70.0) -> tuple[str, float] | None:
        """Best fuzzy match (target, score 0–100; rapidfuzz ``token_sort_ratio``) for an
        unrecognised header, or None below ``min_score``."""
        from rapidfuzz import fuzz, process

        key = norm_key(header)
        if not key:
            return None
        choices = {k: t.name for k, t in self.exact.items() if t.kind in {"item", "field"}}
        m = _BRACKET.match(key)
        query = m.group(2) if m else key
        best = process.extractOne(query, list(choices), scorer=fuzz.token_sort_ratio, score_cutoff=min_score)
        if best is None:
            return None
        return choices[best[0]], float(best[1])


def describe_targets(targets: Iterable[str]) -> str:
    """Comma-separated list for messages."""
    return ", ".join(sorted(set(targets)))


def mapping_to_yaml(
    instrument: Instrument,
    columns: AbcMapping[str, tuple[str, str]],
    values: AbcMapping[str, list[str]] | None = None,
) -> str:
    """YAML text of a draft mapping: ``columns`` is header -> (target, comment)."""
    lines = [
        "# Entwurf einer Zuordnungsdatei (baustein import --suggest-mapping). Bitte jede Zeile prüfen:",
        "# Ziel ist ein Item-Code, ein Feld (respondent_id, ags, role, wave, submitted_at, comment) oder 'ignore'.",
        "# Draft mapping file. Please check every line; then: baustein import ... --mapping THIS_FILE",
        f"instrument: {instrument.name}",
        "columns:",
    ]
    for header, (target, comment) in columns.items():
        lines.append(f"  {_yaml_str(header)}: {target}{'  # ' + comment if comment else ''}")
    lines.append("values:")
    if values:
        lines.append("  # Antworttexte, die keiner Antwortoption entsprechen: Code (1-5) oder dont_know/no_answer eintragen")
        for label, cols in values.items():
            lines.append(f"  {_yaml_str(label)}:   # in {', '.join(cols[:3])}")
    else:
        lines[-1] = "values: {}"
    lines.append("defaults: {}   # z. B. wave: \"2025\"")
    return "\n".join(lines) + "\n"


def _yaml_str(text: str) -> str:
    return yaml.safe_dump(str(text), allow_unicode=True, width=10_000).strip().removesuffix("\n...").strip()
