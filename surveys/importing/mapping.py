"""Mapping stage: which column holds which item or respondent field, and mapping files.

Headers are recognised without any configuration when they follow one of the conventions of
:mod:`surveys.formats` (template ``KOM01 – …``, Kobo ``group/KOM01``, LimeSurvey ``kommunal[KOM01]``
or ``kommunal [KOM01]``, SoSci ``KO01_01``, Forms ``Stem [item label]``), or when they are the item
code or the item wording itself (German or English, also inside a longer question text).

Anything else is made importable with a *mapping*: an Excel workbook (``zuordnung.xlsx``, written
by ``baustein import --suggest-mapping zuordnung.xlsx``, see :mod:`.mapping_workbook`) or a YAML
file with the same model::

    instrument: sensibilisierung
    columns:                     # header -> item code, respondent field or "ignore"
      "Wie zufrieden sind Sie mit …": KOM01
      "Gemeinde-Kennziffer": ags
      "Upload_an_image": ignore
    answers:                     # answer groups: columns that share one answer scale
      - columns: ["Wie zufrieden sind Sie mit …"]
        range: [1, 4]            # the export's own scale; rescaled to the instrument's (POMP)
        values: {"stimme voll zu": 4, "stimme eher zu": 3, "stimme eher nicht zu": 2,
                 "stimme gar nicht zu": 1, "weiß nicht": dont_know}
    values:                      # answer label -> code (all items) or missing reason
      "kann ich nicht sagen": dont_know
    item_values:                 # answer labels for single items
      KOM01: {"option_1": 1, "option_2": 2}
    roles:                       # role answers -> role codes of the instrument
      "Berufstätig": andere
    defaults:                    # constant respondent fields for rows that leave them empty
      wave: "2025"
      ags: "08111000"
      role: verwaltung
    files:                       # the same per file (file name or path)
      "kommune_a.csv": {ags: "08111000"}

Every scalar is read as text (YAML's ``Yes``/``No``/``On``/``Off`` stay words, ``01001000`` stays an
AGS); codes are whole numbers. :meth:`Mapping.validate` checks the whole mapping on load and
reports every problem with its place (YAML line, or sheet and row of the workbook): unknown
targets, codes outside the scale, two columns on one item, role codes that do not exist.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.errors import BausteinError
from core.problems import Catalogue, Location, MessageSpec, Problem, quote_input
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
from surveys.instrument import MISSING_REASONS, Instrument

from .label_sets import rescale_table
from .normalize import norm_key

__all__ = [
    "DEFAULT_FIELDS",
    "FIELD_NAMES",
    "MAPPING_CODES",
    "AnswerGroup",
    "HeaderIndex",
    "Mapping",
    "MappingError",
    "Target",
]

#: Respondent fields the importer knows (dataset column names).
FIELD_NAMES = ("respondent_id", "ags", "role", "wave", "submitted_at", "comment")
#: Fields that may get a constant value (``defaults``, ``files``, sheet *Vorgaben*).
DEFAULT_FIELDS = ("ags", "wave", "role")
#: Missing reasons a mapping may assign to an answer text.
ANSWER_REASONS = ("dont_know", "no_answer")

#: Messages about mapping files (German, English, what to do).
MAPPING_CODES = Catalogue("mapping", {
    "mapping_not_found": MessageSpec(
        "error", "Zuordnungsdatei nicht gefunden.", "Mapping file not found.",
        hint_de="Pfad prüfen oder mit --suggest-mapping einen Entwurf schreiben.",
        hint_en="Check the path or write a draft with --suggest-mapping."),
    "mapping_unreadable": MessageSpec(
        "error", "Die Zuordnungsdatei kann nicht gelesen werden ({detail}).",
        "The mapping file cannot be read ({detail}).",
        hint_de="Als .xlsx (Vorlage aus --suggest-mapping) oder .yaml speichern.",
        hint_en="Save it as .xlsx (the draft from --suggest-mapping) or .yaml."),
    "mapping_structure": MessageSpec(
        "error", "'{key}' hat die falsche Form: erwartet {expected}.",
        "'{key}' has the wrong form: expected {expected}.",
        hint_de="Siehe README, Abschnitt »Eigene Exporte zuordnen«.",
        hint_en="See the README, section 'Eigene Exporte zuordnen'."),
    "unknown_target": MessageSpec(
        "error", "Ziel '{target}' für die Spalte gibt es nicht{suggestion_de}.",
        "Target '{target}' for the column does not exist{suggestion_en}.",
        hint_de="Erlaubt: ein Item-Code ({examples} …), respondent_id, ags, role, wave, submitted_at, comment "
                "oder ignore.",
        hint_en="Allowed: an item code ({examples} …), respondent_id, ags, role, wave, submitted_at, comment "
                "or ignore."),
    "two_columns_one_item": MessageSpec(
        "error", "Die Spalten '{first}' und '{second}' sind beide {target} zugeordnet.",
        "Columns '{first}' and '{second}' are both mapped to {target}.",
        hint_de="Eine der beiden auf ignore setzen (oder ein anderes Ziel wählen).",
        hint_en="Set one of them to ignore (or choose another target)."),
    "code_outside_scale": MessageSpec(
        "error", "Code '{given}' für die Antwort '{label}' liegt außerhalb der Skala {scale}.",
        "Code '{given}' for answer '{label}' is outside the scale {scale}.",
        hint_de="Einen Code der Skala, dont_know (weiß nicht) oder no_answer (keine Angabe) eintragen; "
                "hat der Export mehr Stufen, die Skala der Antwortgruppe (von/bis) anpassen.",
        hint_en="Enter a code of the scale, dont_know or no_answer; if the export has more points, widen "
                "the answer group's scale (from/to)."),
    "unknown_item": MessageSpec(
        "error", "'{target}' ist kein Item des Instruments.", "'{target}' is not an item of the instrument.",
        hint_de="Item-Codes stehen im Codebuch (baustein instrument export --format codebook).",
        hint_en="Item codes are listed in the codebook (baustein instrument export --format codebook)."),
    "unknown_role": MessageSpec(
        "error", "Rolle '{role}' für '{label}' gibt es nicht.", "Role '{role}' for '{label}' does not exist.",
        hint_de="Erlaubt: {choices}.", hint_en="Allowed: {choices}."),
    "unknown_default": MessageSpec(
        "error", "Für '{key}' gibt es keine Vorgabe.", "'{key}' cannot have a default.",
        hint_de="Vorgaben gibt es für ags, wave und role.", hint_en="Defaults exist for ags, wave and role."),
    "default_ags_invalid": MessageSpec(
        "error", "Vorgabe AGS '{value}' ist kein 8-stelliger Gemeindeschlüssel.",
        "Default AGS '{value}' is not an 8-digit municipality key.",
        hint_de="Den AGS der Kommune eintragen, z. B. 08111000.", hint_en="Enter the municipality's AGS, e.g. 08111000."),
    "bad_range": MessageSpec(
        "error", "Skala '{value}' der Antwortgruppe ist keine Spanne ganzer Zahlen (von < bis).",
        "Scale '{value}' of the answer group is not a range of whole numbers (from < to).",
        hint_de="Z. B. 1 bis 7 für eine 7-stufige Skala.", hint_en="E.g. 1 to 7 for a 7-point scale."),
    "bad_code": MessageSpec(
        "error", "'{given}' für die Antwort '{label}' ist weder ein Code noch ein Fehlgrund.",
        "'{given}' for answer '{label}' is neither a code nor a missing reason.",
        hint_de="Eine ganze Zahl, dont_know (weiß nicht) oder no_answer (keine Angabe) eintragen.",
        hint_en="Enter a whole number, dont_know or no_answer."),
})


class MappingError(BausteinError):
    """A mapping is missing, unreadable or wrong; ``problems`` lists every located problem."""

    def __init__(self, message: str = "", *, problem: Problem | None = None,
                 problems: list[Problem] | None = None) -> None:
        problems = list(problems or ([problem] if problem else []))
        if problems and not message:
            shown = problems[:20]
            more = len(problems) - len(shown)
            de = "\n  ".join(p.line("de") for p in shown)
            en = "\n  ".join(p.line("en") for p in shown)
            tail_de = f"\n  … und {more} weitere" if more else ""
            tail_en = f"\n  … and {more} more" if more else ""
            message = (f"Die Zuordnung hat {len(problems)} Problem(e):\n  {de}{tail_de}\n"
                       f"The mapping has {len(problems)} problem(s):\n  {en}{tail_en}")
        super().__init__(message, problem=problems[0] if problems else None)
        self.problems = problems


@dataclass(frozen=True)
class Target:
    """What a column holds: ``kind`` is "item", "field", "meta" or "ignore"; ``priority`` ranks
    several columns for the same field (lower wins, e.g. ``Fragebogen-Nr.`` before Kobo's ``_uuid``)."""

    kind: str
    name: str = ""
    priority: int = 0


@dataclass
class AnswerGroup:
    """Columns that share one answer scale, with the export's own range and each answer's code.

    ``range`` is the export's scale (``(1, 4)`` for a 4-point scale); None means the instrument's.
    ``values`` maps each answer text to a code on ``range`` or a missing reason.
    """

    name: str
    columns: list[str] = field(default_factory=list)
    range: tuple[int, int] | None = None
    values: dict[str, int | str] = field(default_factory=dict)


@dataclass
class Mapping:
    """A mapping (see the module docstring); :attr:`where` locates each entry for messages."""

    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, int | str] = field(default_factory=dict)
    item_values: dict[str, dict[str, int | str]] = field(default_factory=dict)
    groups: list[AnswerGroup] = field(default_factory=list)
    roles: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    files: dict[str, dict[str, str]] = field(default_factory=dict)
    #: header -> files it was seen in (workbook mappings know this; two headers on one item are
    #: fine when they never occur in the same file)
    column_files: dict[str, list[str]] = field(default_factory=dict)
    instrument: str = ""
    source: str = ""
    #: (section, key, ...) -> Location of the entry in the mapping file
    where: dict[tuple[str, ...], Location] = field(default_factory=dict)

    # ------------------------------------------------------------ derived tables
    def answer_tables(self, instrument: Instrument) -> dict[str, dict[str, int | str]]:
        """Item code -> {answer text: instrument code or missing reason} from ``item_values`` and
        the answer groups, rescaled onto each item's scale (POMP, :mod:`.label_sets`).

        A group's numeric codes (``"1"`` … ``"7"``) are listed too, so numbers in the export are
        rescaled like the labels."""
        out: dict[str, dict[str, int | str]] = {c: dict(v) for c, v in self.item_values.items() if c != "role"}
        codes = set(instrument.item_codes)
        for g in self.groups:
            items = [self.columns[h] for h in g.columns if self.columns.get(h) in codes]
            for code in dict.fromkeys(items):
                scale = instrument.scale_of(code)
                table = self._group_table(g, (scale.min, scale.max))
                out.setdefault(code, {}).update(table)
        return out

    @staticmethod
    def _group_table(g: AnswerGroup, target: tuple[int, int]) -> dict[str, int | str]:
        table: dict[str, int | str] = {}
        if g.range is not None and g.range != target:
            res = rescale_table(g.range, target)
            table.update({str(k): v for k, v in res.items()})
        else:
            res = {}
        for label, code in g.values.items():
            table[label] = res.get(code, code) if isinstance(code, int) else code
        return table

    def rescaled(self, instrument: Instrument) -> dict[str, tuple[tuple[int, int], tuple[int, int], dict[int, int]]]:
        """Header -> (export range, instrument range, code table) for columns whose group has
        another range than its item's scale (for the ``scale_rescaled`` note)."""
        out = {}
        codes = set(instrument.item_codes)
        for g in self.groups:
            for h in g.columns:
                target = self.columns.get(h)
                if g.range is None or target not in codes:
                    continue
                scale = instrument.scale_of(target)
                if g.range != (scale.min, scale.max):
                    out[h] = (g.range, (scale.min, scale.max), rescale_table(g.range, (scale.min, scale.max)))
        return out

    def role_table(self) -> dict[str, str]:
        """Normalised role answer -> role code (``roles`` and ``item_values: {role: …}``)."""
        merged = {**self.item_values.get("role", {}), **self.roles}
        return {norm_key(k): str(v) for k, v in merged.items()}

    def file_defaults(self, file: str) -> dict[str, str]:
        """Constant fields of ``file`` alone (``files:``, sheet *Vorgaben*), matched by path, then
        by file name."""
        out: dict[str, str] = {}
        p = Path(file)
        for key, vals in self.files.items():
            kp = Path(key)
            if kp.as_posix() == p.as_posix() or (len(kp.parts) == 1 and kp.name == p.name):
                out.update(vals)
        return out

    def defaults_for(self, file: str) -> dict[str, str]:
        """Constant fields for ``file``: its own entries over the global ``defaults``."""
        return {**self.defaults, **self.file_defaults(file)}

    # ------------------------------------------------------------ validation
    def problems(self, instrument: Instrument) -> list[Problem]:
        """Every problem of the mapping against ``instrument`` (empty when it is fine)."""
        found: list[Problem] = []

        def add(which: str, key: tuple[str, ...], /, **params: Any) -> None:
            loc = self.where.get(key) or Location(file=self.source)
            found.append(MAPPING_CODES.problem(which, loc, **{k: quote_input(v) for k, v in params.items()}))

        codes = set(instrument.item_codes)
        targets = sorted(codes) + list(FIELD_NAMES) + ["ignore"]
        examples = ", ".join(instrument.item_codes[:3])
        by_target: dict[str, str] = {}
        for header, target in self.columns.items():
            if target in codes or target in FIELD_NAMES or target == "ignore":
                if target in codes:  # fields may come from several columns: the import takes one per file
                    first = by_target.get(target)
                    if first is not None and self._same_file(first, header):
                        add("two_columns_one_item", ("columns", header), first=first, second=header, target=target)
                    by_target.setdefault(target, header)
                continue
            from .text_match import closest

            near = closest(target, targets, min_score=70)
            add("unknown_target", ("columns", header), target=target, examples=examples,
                suggestion_de=f" (meinten Sie '{near}'?)" if near else "",
                suggestion_en=f" (did you mean '{near}'?)" if near else "")
        scales = {instrument.scale_of(c).name: instrument.scale_of(c) for c in codes}
        all_codes = set().union(*(set(s.valid_codes) | set(s.missing_codes) for s in scales.values())) if scales else set()
        lo = min((s.min for s in scales.values()), default=1)
        hi = max((s.max for s in scales.values()), default=5)
        for label, code in self.values.items():
            self._check_code(add, ("values", label), label, code, all_codes, f"{lo}–{hi}")
        for item, table in self.item_values.items():
            if item == "role":
                continue
            if item not in codes:
                add("unknown_item", ("item_values", item), target=item)
                continue
            s = instrument.scale_of(item)
            for label, code in table.items():
                self._check_code(add, ("item_values", item, label), label, code,
                                 set(s.valid_codes) | set(s.missing_codes), f"{s.min}–{s.max}")
        for g in self.groups:
            if g.range is not None and not (g.range[0] < g.range[1]):
                add("bad_range", ("answers", g.name, "range"), value=f"{g.range[0]}–{g.range[1]}")
                continue
            items = {self.columns.get(h) for h in g.columns} & codes
            if g.range is not None:
                allowed, shown = set(range(g.range[0], g.range[1] + 1)), f"{g.range[0]}–{g.range[1]}"
            elif items:
                s = instrument.scale_of(sorted(items)[0])
                allowed, shown = set(s.valid_codes) | set(s.missing_codes), f"{s.min}–{s.max}"
            else:
                allowed, shown = all_codes, f"{lo}–{hi}"
            for label, code in g.values.items():
                self._check_code(add, ("answers", g.name, label), label, code, allowed, shown)
        choices = _role_choices(instrument)
        roles = role_lookup(instrument)
        # an instrument whose role field is free text (no choices) takes any role
        for label, role in {**self.item_values.get("role", {}), **self.roles}.items():
            if roles and norm_key(role) not in roles:
                key = ("roles", label) if label in self.roles else ("item_values", "role", label)
                add("unknown_role", key, role=role, label=label, choices=", ".join(choices))
        for scope, vals in [("defaults", self.defaults), *((f"files:{k}", v) for k, v in self.files.items())]:
            for key, value in vals.items():
                where = ("defaults", key) if scope == "defaults" else ("files", scope[6:], key)
                if key not in DEFAULT_FIELDS:
                    add("unknown_default", where, key=key)
                elif key == "role" and roles and norm_key(value) not in roles:
                    add("unknown_role", where, role=value, label="(Vorgabe / default)", choices=", ".join(choices))
                elif key == "ags" and not re.fullmatch(r"\d{7,8}", value.strip()):
                    add("default_ags_invalid", where, value=value)
        return found

    @staticmethod
    def _check_code(add: Any, key: tuple[str, ...], label: str, code: int | str, allowed: set[int], shown: str) -> None:
        if isinstance(code, str):
            if code not in MISSING_REASONS and code != "ignore":
                add("bad_code", key, given=code, label=label)
        elif code not in allowed:
            add("code_outside_scale", key, given=code, label=label, scale=shown)

    def _same_file(self, a: str, b: str) -> bool:
        fa, fb = self.column_files.get(a), self.column_files.get(b)
        if not fa or not fb:
            return True  # unknown: assume both occur in one file
        return bool(set(fa) & set(fb))

    def validate(self, instrument: Instrument) -> None:
        """Raise :class:`MappingError` listing every located problem (see :meth:`problems`).

        Role labels given as role names (``Verwaltung``) are turned into role codes."""
        found = self.problems(instrument)
        if found:
            raise MappingError(problems=found)
        roles = role_lookup(instrument)
        self.roles = {k: roles.get(norm_key(v), v) for k, v in self.roles.items()}
        if "role" in self.item_values:
            self.item_values["role"] = {k: roles.get(norm_key(str(v)), str(v)) for k, v in self.item_values["role"].items()}
        for vals in (self.defaults, *self.files.values()):
            if "role" in vals:
                vals["role"] = roles.get(norm_key(vals["role"]), vals["role"])

    # ------------------------------------------------------------ writing
    def to_yaml(self, instrument: Instrument, comments: dict[str, str] | None = None) -> str:
        """The mapping as YAML text (the same model as the workbook); ``comments``: header -> note."""
        comments = comments or {}
        lines = [
            "# Zuordnung (baustein import --suggest-mapping). Bitte jede Zeile prüfen, dann:",
            "#   baustein import ... --mapping DIESE_DATEI --out DATENSATZ",
            "# Mapping draft. Check every line, then pass it with --mapping.",
            "# Ziel / target: Item-Code, respondent_id, ags, role, wave, submitted_at, comment oder ignore.",
            f"instrument: {self.instrument or instrument.name}",
            "columns:" if self.columns else "columns: {}",
        ]
        for header, target in self.columns.items():
            note = comments.get(header, "")
            lines.append(f"  {_yaml_str(header)}: {target}{'  # ' + _one_line(note) if note else ''}")
        if self.groups:
            lines.append("answers:")
            for g in self.groups:
                lines.append(f"  - name: {_yaml_str(g.name)}")
                lines.append(f"    columns: [{', '.join(_yaml_str(c) for c in g.columns)}]")
                if g.range is not None:
                    lines.append(f"    range: [{g.range[0]}, {g.range[1]}]")
                lines.append("    values:" if g.values else "    values: {}")
                for label, code in g.values.items():
                    lines.append(f"      {_yaml_str(label)}: {code}")
        else:
            lines.append("answers: []")
        for name, table in (("values", self.values), ("roles", self.roles), ("defaults", self.defaults)):
            lines.append(f"{name}:" if table else f"{name}: {{}}")
            for k, v in table.items():
                lines.append(f"  {_yaml_str(k)}: {_yaml_str(str(v))}")
        if self.item_values:
            lines.append("item_values:")
            for item, table in self.item_values.items():
                lines.append(f"  {_yaml_str(item)}:")
                for k, v in table.items():
                    lines.append(f"    {_yaml_str(k)}: {_yaml_str(str(v))}")
        lines.append("files:" if self.files else "files: {}")
        for f, vals in self.files.items():
            lines.append(f"  {_yaml_str(f)}: {{{', '.join(f'{k}: {_yaml_str(v)}' for k, v in vals.items())}}}")
        return "\n".join(lines) + "\n"


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _yaml_str(text: str) -> str:
    """A YAML scalar that reads back as exactly this text (quoted when YAML would type it)."""
    text = str(text)
    if re.fullmatch(r"[A-Za-z_][\w.\- ]*", text) and text.strip() == text and text.lower() not in {
        "yes", "no", "on", "off", "true", "false", "null", "y", "n", "~"
    }:
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'


def _role_choices(instrument: Instrument) -> list[str]:
    try:
        return [c.name for c in instrument.field("role").choices]
    except KeyError:
        return []


def role_lookup(instrument: Instrument) -> dict[str, str]:
    """Normalised role code or label (German, English) -> role code."""
    out: dict[str, str] = {}
    try:
        for c in instrument.field("role").choices:
            for key in (c.name, c.label_de, c.label_en):
                out[norm_key(key)] = c.name
    except KeyError:
        pass
    return out


def targets_of(instrument: Instrument) -> list[str]:
    """Every column target a mapping may use: item codes, respondent fields, ``ignore``."""
    return [*instrument.item_codes, *FIELD_NAMES, "ignore"]


def describe_targets(targets: Iterable[str]) -> str:
    """Comma-separated list for messages."""
    return ", ".join(sorted(set(targets)))


# ---------------------------------------------------------------- header index
_FIELD_ALIASES: dict[str, tuple[tuple[str, int], ...]] = {
    "respondent_id": (
        ("respondent_id", 0), ("respondent id", 0), ("fragebogen-nr.", 0), ("fragebogen-nr", 0),
        ("fragebogennummer", 0), ("id", 1), ("case", 1), ("_uuid", 2), ("response id", 1), ("_id", 3),
        ("antwort id", 1), ("antwort-id", 1),
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
    # LimeSurvey with German or English headings
    "letzte seite", "start-sprache", "startsprache", "zufallsgeneratorstartwert", "datum gestartet",
    "date started", "datum der letzten aktivität", "date last action", "gesamtzeit", "total time",
    "zugangsschlüssel", "access code", "ip-adresse", "ip address", "referrer-url", "referrer url",
    # SoSci Survey
    "serial", "ref", "questnnr", "mode",
)
_META_PATTERN = re.compile(
    r"^(time\d{3}|_submission__.*|meta/.*|__version__|_.*|interviewtime|grouptime\d+|[a-z]\w*\d+time|"
    r"(?:gruppenzeit|fragenzeit|group time|question time)\b.*)$"
)

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
                    # a tool's own field column keeps its rank (Kobo _uuid before _id), others come first
                    prio = dict(_FIELD_ALIASES.get(target, ())).get(norm_key(header), -1)
                    t = Target("field", target, prio)
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
