"""Suggest a mapping for exports whose headers and answers are not ours (``--suggest-mapping``).

For every column of the answer sheet of each file:

1. **Conventions** (:class:`.mapping.HeaderIndex`): our own headers, item codes and wordings, and
   each tool's meta columns (LimeSurvey ``id``/``submitdate``/``lastpage``/``seed``, SoSci
   ``CASE``/``SERIAL``/``STARTED``/``LASTDATA``/``FINISHED``, Kobo ``_id``/``_uuid``/
   ``_submission_time``/``start``/``end``, Forms ``Zeitstempel``/``ID``/``Startzeit``/
   ``Fertigstellungszeit``). Where a tool has several candidates for one field, the one the import
   takes (lowest priority) gets the field, the others ``ignore``: one target each.
2. **Question text** against item wording (:mod:`.text_match`): the header is split into the
   tool's code, stem and sub-question; SoSci variable labels (the second header row) are used
   when the export has them. Columns are assigned to items one-to-one (Hungarian method); the
   confidence is the similarity 0–100, "unsicher" below :data:`SURE_SCORE`; below
   :data:`MIN_SCORE` no item is proposed.
3. **Multi-select** columns ("A, B, C" with recurring options; LimeSurvey ``Frage [Option]`` ticks
   with ``Ja``/``Nein``/``1``) are recognised and proposed as ``ignore`` with a note: they are no
   rating items, and the import refuses them with a finding if mapped to one.
4. **Answer groups**: columns of one question block (same stem or code prefix), and blocks with
   the same answer texts, form a group; :func:`.label_sets.classify` proposes each answer's code on
   the export's own scale and the scale's range (rescaled on import by POMP).
5. **Roles**: the answers of the role column are matched to the instrument's role labels.

With an existing mapping (``existing=``) every decision in it is kept (targets, codes, ranges,
roles, defaults) and only what is new is added. The result is a :class:`Suggestion`; write it as
an Excel workbook (:mod:`.mapping_workbook`) or YAML (:meth:`Suggestion.to_yaml`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.errors import BausteinError
from core.excel_columns import column_letter
from surveys import load_instrument
from surveys.instrument import Instrument

from .convert import build_context, pick_sheets
from .detect import detect_format, is_label_row
from .findings import FindingCollector
from .inputs import collect_inputs
from .label_sets import SURE as LABELS_SURE
from .label_sets import LabelSetGuess, classify, missing_reason
from .mapping import FIELD_NAMES, AnswerGroup, Mapping, role_lookup
from .mapping_apply import multi_select_options
from .mapping_files import load_mapping
from .mapping_workbook import write_suggestion
from .normalize import norm_key
from .readers import inspect_input, read_raw, sheet_objects
from .text_match import TextIndex, assign, header_parts, similarity

__all__ = ["ColumnSuggestion", "GroupSuggestion", "Suggestion", "suggest_mapping"]

#: Similarity from which a column is proposed for an item without "unsicher".
SURE_SCORE = 75.0
#: Similarity below which no item is proposed at all.
MIN_SCORE = 50.0
#: Columns with more distinct answers than this are free text or numbers, not answer scales.
MAX_CATEGORIES = 15

_FIELD_WORDS: dict[str, tuple[str, ...]] = {
    "ags": ("ags", "gemeindeschluessel", "gemeindekennziffer", "gemeindekennzahl", "kommunenschluessel",
            "municipality key"),
    "role": ("rolle", "role", "funktion", "taetigkeitsbereich", "in welcher eigenschaft"),
    "wave": ("welle", "wave", "befragungswelle", "erhebungswelle"),
}


@dataclass
class ColumnSuggestion:
    """One column (by header) of the inputs with the proposed target."""

    header: str
    files: list[str] = field(default_factory=list)
    sheet: str = ""
    letter: str = ""
    examples: list[str] = field(default_factory=list)
    n_rows: int = 0
    n_filled: int = 0
    text: str = ""  # the question text used (SoSci variable label, when there is one)
    target: str = "ignore"
    candidate: str = ""  # best item below MIN_SCORE, shown as a hint
    confidence: float = 0.0
    reason_de: str = ""
    reason_en: str = ""
    group: str = ""
    multi: list[str] = field(default_factory=list)
    decided: bool = False  # the user's decision from an existing mapping
    distinct: dict[str, int] = field(default_factory=dict)
    kind: str = "open"  # "meta", "field", "item" (recognised by convention) or "open"

    @property
    def filled(self) -> float:
        return self.n_filled / self.n_rows if self.n_rows else 0.0

    @property
    def sure(self) -> bool:
        return self.decided or self.confidence >= SURE_SCORE


@dataclass
class GroupSuggestion:
    """An answer group: columns sharing one scale, each answer with its count and proposed code."""

    name: str
    columns: list[str]
    guess: LabelSetGuess
    counts: dict[str, int]
    range: tuple[int, int] | None
    values: dict[str, int | str]
    decided: set[str] = field(default_factory=set)

    @property
    def sure(self) -> bool:
        return self.guess.confidence >= LABELS_SURE


@dataclass
class RoleSuggestion:
    text: str
    count: int
    role: str
    confidence: float
    decided: bool = False


@dataclass
class FileSuggestion:
    file: str
    sheet: str
    format: str
    rows: int
    defaults: dict[str, str] = field(default_factory=dict)


@dataclass
class Suggestion:
    """A proposed mapping with everything the workbook shows (examples, confidence, reasons)."""

    instrument: Instrument
    columns: list[ColumnSuggestion]
    groups: list[GroupSuggestion]
    roles: list[RoleSuggestion]
    files: list[FileSuggestion]
    defaults: dict[str, str] = field(default_factory=dict)
    values: dict[str, int | str] = field(default_factory=dict)
    item_values: dict[str, dict[str, int | str]] = field(default_factory=dict)

    def column(self, header: str) -> ColumnSuggestion:
        for c in self.columns:
            if c.header == header:
                return c
        raise KeyError(header)

    def mapping(self) -> Mapping:
        """The mapping as suggested (what an unedited draft imports with)."""
        m = Mapping(instrument=self.instrument.name)
        for c in self.columns:
            m.columns[c.header] = c.target
            if c.files:
                m.column_files[c.header] = list(c.files)
        for g in self.groups:
            values = {k: v for k, v in g.values.items() if v != ""}
            m.groups.append(AnswerGroup(name=g.name, columns=list(g.columns), range=g.range, values=values))
        m.roles = {r.text: r.role for r in self.roles if r.role}
        m.defaults = dict(self.defaults)
        m.values = dict(self.values)
        m.item_values = {k: dict(v) for k, v in self.item_values.items()}
        m.files = {f.file: dict(f.defaults) for f in self.files if f.defaults}
        return m

    def to_yaml(self) -> str:
        notes = {c.header: _note(c) for c in self.columns}
        return self.mapping().to_yaml(self.instrument, notes)

    def write(self, out: str | Path) -> Path:
        """Write the suggestion as ``.xlsx`` (workbook) or ``.yaml``/``.yml`` (by the suffix)."""
        return write_suggestion(self, out)


def _note(c: ColumnSuggestion) -> str:
    sure = "" if c.sure or c.target == "ignore" else "unsicher – bitte prüfen / uncertain – please check; "
    conf = f"{c.confidence:.0f} %: " if c.confidence and not c.decided else ""
    return f"{sure}{conf}{c.reason_de}"


# ---------------------------------------------------------------- the suggestion
def suggest_mapping(
    paths: str | Path | Sequence[str | Path],
    instrument: Instrument | str | Path = "sensibilisierung",
    out: str | Path | None = None,
    existing: Mapping | str | Path | None = None,
) -> Suggestion:
    """Suggest a mapping for the given files; written to ``out`` (``.xlsx`` or ``.yaml``) if given.

    Parameters
    ----------
    paths : path or list of paths
        Files or folders, as for :func:`surveys.importing.read_responses`.
    instrument : Instrument, name or file
    out : path, optional
        Where to write the draft (an existing file there is read first as ``existing`` when
        ``existing`` is not given, so re-running keeps the user's decisions).
    existing : Mapping or path, optional
        A mapping whose decisions are kept; only new columns, answers and files are added.

    Returns
    -------
    Suggestion
    """
    inst = instrument if isinstance(instrument, Instrument) else load_instrument(instrument)
    if isinstance(paths, (str, Path)):
        paths = [paths]
    if existing is None and out is not None and Path(out).is_file():
        existing = out
    old = existing if isinstance(existing, Mapping) or existing is None else load_mapping(existing, inst)
    ctx = build_context(inst, None, "auto", False, False, None, None)
    columns: dict[str, ColumnSuggestion] = {}
    files: list[FileSuggestion] = []
    for f in collect_inputs(paths):
        try:
            meta = inspect_input(f)
            sheets = read_raw(f, meta.kind, meta)
        except BausteinError:
            continue
        main, h, _ = pick_sheets(sheets, ctx, f.as_posix(), FindingCollector())
        if main is None or h is None:
            continue
        _scan_sheet(main, h, f.as_posix(), [s.name for s in sheets], meta.kind, ctx, columns, files)
    cols = list(columns.values())
    _propose_items(cols, inst, ctx)
    groups = _answer_groups(cols, inst)
    roles = _roles(cols, inst)
    sugg = Suggestion(instrument=inst, columns=cols, groups=groups, roles=roles, files=files)
    if old is not None:
        _keep_decisions(sugg, old)
        # a column the user has made the role column since: its answers go onto the Rollen sheet too
        known = {r.text for r in sugg.roles}
        sugg.roles.extend(r for r in _roles(sugg.columns, inst) if r.text not in known)
    if out is not None:
        sugg.write(out)
    return sugg


def _scan_sheet(main, h: int, file: str, sheet_names: list[str], kind: str, ctx, columns: dict[str, ColumnSuggestion],
                files: list[FileSuggestion]) -> None:
    cells = main.cells
    headers = cells.iloc[h]
    arr = sheet_objects(main)
    data = arr[h + 1:]
    fmt = detect_format(headers.tolist(), sheet_names, kind)
    labels: dict[int, str] = {}
    if len(data):
        first = cells.iloc[h + 1]
        item_cols = [int(p) for p, hd in headers.items()
                     if (t := ctx.index.resolve(hd)) is not None and t.kind == "item"]
        if is_label_row(first, headers, item_cols, fmt, lambda c, t: False, index=ctx.index):
            labels = {int(p): str(v) for p, v in first.items() if isinstance(v, str) and v.strip()}
            data = data[1:]
    nonblank = np.array([any(isinstance(v, str) and v.strip() for v in row) for row in data], dtype=bool)
    data = data[nonblank] if len(data) else data
    files.append(FileSuggestion(file=file, sheet=main.name, format=fmt, rows=len(data)))
    for pos, head in headers.items():
        pos = int(pos)
        if not isinstance(head, str) or not head.strip():
            continue
        col = [v.strip() for v in data[:, pos] if isinstance(v, str) and v.strip()] if len(data) else []
        c = columns.get(head)
        if c is None:
            c = columns[head] = ColumnSuggestion(header=head, sheet=main.name,
                                                 letter=column_letter(main.col_index[pos]),
                                                 text=labels.get(pos, ""))
        c.files.append(file)
        c.n_rows += len(data)
        c.n_filled += len(col)
        for v in col:
            if len(c.distinct) < 5000 or v in c.distinct:
                c.distinct[v] = c.distinct.get(v, 0) + 1
        for v in dict.fromkeys(col):
            if len(c.examples) < 5 and v not in c.examples:
                c.examples.append(v)


def _propose_items(cols: list[ColumnSuggestion], inst: Instrument, ctx) -> None:
    """Targets by convention, then by question text (one-to-one), then fields by keywords."""
    taken: set[str] = set()
    best_field: dict[tuple[str, str], tuple[int, str]] = {}
    open_cols: list[ColumnSuggestion] = []
    for c in cols:
        c.multi = multi_select_options(list(c.distinct))
        t = ctx.index.resolve(c.header)
        if t is not None:
            c.kind = t.kind
        if t is not None and t.kind == "meta":
            c.target, c.confidence = "ignore", 100.0
            c.reason_de = "Metaspalte des Umfragewerkzeugs, nicht übernommen"
            c.reason_en = "meta column of the survey tool, not imported"
        elif t is not None and t.kind == "item":
            c.target, c.confidence = t.name, 100.0
            c.reason_de, c.reason_en = "erkannt (Item-Code oder Wortlaut)", "recognised (item code or wording)"
            taken.add(t.name)
        elif t is not None and t.kind == "field":
            c.target, c.confidence = t.name, 100.0
            c.reason_de, c.reason_en = "erkannt (Feld)", "recognised (field)"
            for f in c.files:
                prev = best_field.get((f, t.name))
                if prev is None or t.priority < prev[0]:
                    best_field[(f, t.name)] = (t.priority, c.header)
        else:
            open_cols.append(c)
    # one column per field and file: the one the import takes
    winners = {hdr for _, hdr in best_field.values()}
    by_header = {c.header: c for c in cols}
    for (f, name), (_, hdr) in best_field.items():
        for c in cols:
            if c.target == name and c.header != hdr and f in c.files and c.header not in winners:
                c.target, c.confidence, c.kind = "ignore", 100.0, "meta"
                c.reason_de = f"Metaspalte; '{by_header[hdr].header}' wird als {name} genommen"
                c.reason_en = f"meta column; '{by_header[hdr].header}' is taken as {name}"
    _tick_blocks(open_cols)
    # multi-select columns are no items
    rest = []
    for c in open_cols:
        if c.multi:
            c.target, c.confidence = "ignore", 90.0
            shown = ", ".join(_short(x, 25) for x in c.multi[:4]) + (" …" if len(c.multi) > 4 else "")
            c.reason_de = f"Mehrfachauswahl ({shown}): keine Bewertungsfrage, wird nicht übernommen"
            c.reason_en = f"multiple choice ({shown}): no rating question, not imported"
        else:
            rest.append(c)
    # question text -> item wording (one-to-one)
    items = [it for it in inst.items if it.code not in taken]
    refs = [[it.label_de, it.label_en, it.source_statement] for it in items]
    index = TextIndex([t for r in refs for t in r if t])
    scores = np.zeros((len(rest), len(items)))
    for i, c in enumerate(rest):
        texts = _texts(c)
        if not texts:
            continue
        for j, r in enumerate(refs):
            scores[i, j] = max(similarity(t, ref, index) for t in texts for ref in r if ref)
    chosen = assign(scores, MIN_SCORE)
    for i, c in enumerate(rest):
        j = chosen[i]
        if j is not None and _is_rating_like(c):
            c.target, c.confidence = items[j].code, float(round(scores[i, j], 1))
            label = items[j].label_de
            c.reason_de = f"Fragetext ähnelt »{_short(label)}«"
            c.reason_en = f"question text resembles '{_short(items[j].label_en)}'"
        else:
            k = int(np.argmax(scores[i])) if len(items) and scores.shape[1] else -1
            if k >= 0 and scores[i, k] > 0:
                c.candidate, c.confidence = items[k].code, float(round(scores[i, k], 1))
            fieldname, conf = _field_by_words(c)
            if fieldname and fieldname not in {x.target for x in cols}:
                c.target, c.confidence = fieldname, conf
                c.reason_de, c.reason_en = "Spaltenname nennt das Feld", "the header names the field"
            elif c.candidate:
                c.reason_de = f"kein sicherer Treffer (am ähnlichsten: {c.candidate}, {c.confidence:.0f} %)"
                c.reason_en = f"no sure match (closest: {c.candidate}, {c.confidence:.0f} %)"
            else:
                c.reason_de, c.reason_en = "kein Treffer", "no match"


_TICKS = {"ja", "nein", "yes", "no", "y", "n", "1", "0", "x", "true", "false", "ausgewählt", "selected",
          "nicht ausgewählt", "not selected"}


def _tick_blocks(cols: list[ColumnSuggestion]) -> None:
    """LimeSurvey multiple choice: a block ``Frage [Option]`` (or ``CODE[SQ001]``) of two or more
    columns holding only ticks (``1``/empty, ``Ja``/``Nein``/``N/A``) is one multi-select question;
    each column is one option."""
    blocks: dict[str, list[ColumnSuggestion]] = {}
    for c in cols:
        b = _block_of(c)
        if b:
            blocks.setdefault(b, []).append(c)
    for members in blocks.values():
        if len(members) < 2:
            continue
        answers = {norm_key(v) for m in members for v in m.distinct if missing_reason(v) is None}
        if answers and answers <= _TICKS:
            options = [header_parts(m.header).item or m.header for m in members]
            for m in members:
                m.multi = options


def _texts(c: ColumnSuggestion) -> list[str]:
    texts: list[str] = []
    for src in (c.text, c.header):
        if not src:
            continue
        parts = header_parts(src)
        texts.extend(parts.texts)
        if src == c.text and ":" in src:  # SoSci labels: "Frageblock: Item"
            texts.append(src.split(":", 1)[1])
    return [t for t in dict.fromkeys(texts) if t.strip()]


def _is_rating_like(c: ColumnSuggestion) -> bool:
    """A column that can hold answers to a rating item (few distinct answers, or none yet)."""
    answers = [v for v in c.distinct if missing_reason(v) is None]
    return len(answers) <= MAX_CATEGORIES


def _field_by_words(c: ColumnSuggestion) -> tuple[str, float]:
    key = " " + " ".join(re.findall(r"\w+", norm_key(c.text or c.header).translate(_UML))) + " "
    for name, words in _FIELD_WORDS.items():
        if any(f" {w} " in key or (len(w) > 5 and w in key) for w in words):
            return name, 85.0
    return "", 0.0


_UML = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def _short(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


# ---------------------------------------------------------------- answer groups
def _block_of(c: ColumnSuggestion) -> str:
    """The question block of a column: its code prefix (``ZU04`` of ``ZU04_03``, ``G03Q13`` of
    ``G03Q13[1]``) or its stem (``Frage`` of ``Frage [Teilfrage]``); "" for a single question."""
    parts = header_parts(c.header)
    if parts.stem:
        return "stem:" + norm_key(parts.stem)
    m = re.match(r"^(\w+?)(?:_\d+|\s?\[[^\]]+\])$", c.header.strip())
    if m:
        return "code:" + m.group(1)
    if c.text and ":" in c.text:
        return "stem:" + norm_key(c.text.split(":", 1)[0])
    return ""


def _answer_groups(cols: list[ColumnSuggestion], inst: Instrument) -> list[GroupSuggestion]:
    """Columns that share one answer scale, with proposed codes (module docstring, step 4)."""
    candidates = [c for c in cols if c.kind in {"item", "open"} and c.target not in FIELD_NAMES
                  and not c.multi and _is_rating_like(c) and c.distinct]
    blocks: dict[str, list[ColumnSuggestion]] = {}
    for c in candidates:
        b = _block_of(c) or f"col:{c.header}"
        blocks.setdefault(b, []).append(c)
    merged: list[tuple[set[str], list[ColumnSuggestion], bool]] = []
    for members in blocks.values():
        answers = {v for m in members for v in m.distinct if missing_reason(v) is None}
        numeric = bool(answers) and all(re.fullmatch(r"-?\d+", v) for v in answers)
        for entry in merged:
            s, mem, num = entry
            if not numeric and not num and s and answers and (answers <= s or s <= answers):
                s |= answers
                mem.extend(members)
                break
        else:
            merged.append((set(answers), list(members), numeric))
    groups: list[GroupSuggestion] = []
    order = sorted(merged, key=lambda e: (not any(m.target in inst.item_codes for m in e[1]), cols.index(e[1][0])))
    for _, members, _ in order:
        counts: dict[str, int] = {}
        for m in members:
            for v, n in m.distinct.items():
                counts[v] = counts.get(v, 0) + n
        guess = classify(list(counts))
        if guess.kind == "nominal" and not any(m.target in inst.item_codes for m in members):
            continue
        name = f"G{len(groups) + 1}"
        for m in members:
            m.group = name
        values = {v: guess.codes.get(v, "") for v in counts}
        groups.append(GroupSuggestion(name=name, columns=[m.header for m in members], guess=guess,
                                      counts=counts, range=guess.range, values=values))
    return groups


# ---------------------------------------------------------------- roles
_ROLE_WORDS: dict[str, tuple[str, ...]] = {
    "buergermeister": ("buergermeist", "mayor", "oberbuergermeist", "ortsvorsteh"),
    "gemeinderat": ("gemeinderat", "stadtrat", "ratsmitglied", "council", "kreisrat", "fraktion"),
    "verwaltung": ("verwaltung", "rathaus", "amt", "administration", "kommune", "stadtverwaltung",
                   "gemeindeverwaltung", "mitarbeit", "sachbearbeit"),
    "verein": ("verein", "initiative", "association", "verband", "nachbarschaftshilf", "kirchengemeind"),
    "engagiert": ("engagiert", "ehrenamt", "buerger", "citizen", "freiwillig", "volunteer"),
    "dienst": ("dienst", "pflege", "sozialstation", "service", "fachkraft", "beratungsstell", "traeger"),
    "andere": ("andere", "sonstig", "other"),
}


def _roles(cols: list[ColumnSuggestion], inst: Instrument) -> list[RoleSuggestion]:
    lookup = role_lookup(inst)
    out: list[RoleSuggestion] = []
    for c in cols:
        if c.target != "role":
            continue
        for text, n in c.distinct.items():
            if any(r.text == text for r in out):
                continue
            code = lookup.get(norm_key(text))
            if code:
                out.append(RoleSuggestion(text, n, code, 100.0))
                continue
            words_in = re.findall(r"\w+", norm_key(text).translate(_UML))
            hits = [name for name, words in _ROLE_WORDS.items()
                    if any(t.startswith(w) or (len(w) >= 6 and w in t) for w in words for t in words_in)]
            if hits:
                out.append(RoleSuggestion(text, n, hits[0], 80.0 if len(hits) == 1 else 50.0))
            else:
                out.append(RoleSuggestion(text, n, "", 0.0))
    return out


# ---------------------------------------------------------------- keep the user's decisions
def _keep_decisions(s: Suggestion, old: Mapping) -> None:
    """Apply every decision of ``old``; keep its columns, groups and roles that are not in the inputs."""
    for header, target in old.columns.items():
        try:
            c = s.column(header)
        except KeyError:
            c = ColumnSuggestion(header=header, files=list(old.column_files.get(header, [])))
            s.columns.append(c)
        c.target, c.decided = target, True
        c.reason_de, c.reason_en = "Ihre Entscheidung (bestehende Zuordnung)", "your decision (existing mapping)"
    old_by_col = {h: g for g in old.groups for h in g.columns}
    for g in s.groups:
        prev = next((old_by_col[h] for h in g.columns if h in old_by_col), None)
        if prev is None:
            continue
        if prev.range is not None:
            g.range = prev.range
        for label, code in prev.values.items():
            g.values[label] = code
            g.decided.add(label)
            g.counts.setdefault(label, 0)
    known = {h for g in s.groups for h in g.columns}
    for prev in old.groups:
        rest = [h for h in prev.columns if h not in known]
        if rest:
            s.groups.append(GroupSuggestion(name=f"G{len(s.groups) + 1}", columns=rest,
                                            guess=LabelSetGuess("ordered", prev.range, dict(prev.values), confidence=100.0),
                                            counts={k: 0 for k in prev.values}, range=prev.range,
                                            values=dict(prev.values), decided=set(prev.values)))
    for label, role in old.roles.items():
        r = next((r for r in s.roles if r.text == label), None)
        if r is None:
            s.roles.append(RoleSuggestion(label, 0, role, 100.0, decided=True))
        else:
            r.role, r.decided = role, True
    s.defaults = {**s.defaults, **old.defaults}
    s.values = {**old.values, **s.values}
    s.item_values = {k: dict(v) for k, v in old.item_values.items()}
    for key, vals in old.files.items():
        f = next((f for f in s.files if f.file == key or Path(f.file).name == key), None)
        if f is None:
            s.files.append(FileSuggestion(file=key, sheet="", format="", rows=0, defaults=dict(vals)))
        else:
            f.defaults = {**f.defaults, **vals}
