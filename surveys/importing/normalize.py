"""Normalisation of raw cell text: answer labels and codes, AGS, dates, numbers, yes/no.

All functions take a pandas Series of *text* (cells as read, never parsed by pandas' NA
heuristics) and work on the distinct values only (``pandas.factorize``): the Python work is per
distinct value, the per-cell work is NumPy indexing. A column of 200,000 answers with seven distinct
labels costs seven dictionary look-ups.

Matching rules for answer labels: Unicode NFC, case-folded, whitespace collapsed, typographic
dashes and quotes unified. German and English labels, option names (Kobo choice names such as
``dk``), numeric codes written as ``4``, ``4.0``, ``"4"`` or ``4,0`` are all recognised.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from surveys.instrument import Scale

__all__ = [
    "GENERIC_MISSING",
    "WAVE_EXAMPLES",
    "WAVE_PATTERNS",
    "AnswerLookup",
    "Factorized",
    "factorize",
    "map_answers",
    "map_answers_coded",
    "nonblank_rows",
    "norm_key",
    "normalize_ags",
    "normalize_wave",
    "parse_bool",
    "parse_dates",
    "parse_number",
    "strip_numeric_text",
]

#: Labels that mean "missing" whatever the scale says (normalised form -> reason).
GENERIC_MISSING: dict[str, str] = {
    "weiß nicht": "dont_know",
    "weiss nicht": "dont_know",
    "weiß ich nicht": "dont_know",
    "kann ich nicht beurteilen": "dont_know",
    "don't know": "dont_know",
    "dont know": "dont_know",
    "do not know": "dont_know",
    "keine angabe": "no_answer",
    "k.a.": "no_answer",
    "k. a.": "no_answer",
    "keine antwort": "no_answer",
    "möchte ich nicht beantworten": "no_answer",
    "n/a": "no_answer",
    "na": "no_answer",
    "n.a.": "no_answer",
    "no answer": "no_answer",
    "prefer not to say": "no_answer",
    "-1": "dont_know",
    "-9": "no_answer",
}

_DASHES = str.maketrans({"–": "-", "—": "-", "−": "-", "‐": "-", "‒": "-", "’": "'", "‘": "'", "´": "'",
                         "`": "'", "“": '"', "”": '"', "„": '"', "\u00a0": " "})
_WS = re.compile(r"\s+")
_NUMERIC = re.compile(r"^[+-]?\d+(?:[.,]\d+)?(?:[eE][+-]?\d+)?$")
_INT_FLOAT = re.compile(r"^([+-]?\d+)[.,]0+$")


def norm_key(text: object) -> str:
    """Normalised matching key of a label or header (NFC, case-folded, spaces collapsed).

    >>> norm_key("  Stimme  VOLL zu ")
    'stimme voll zu'
    >>> norm_key("4.0")
    '4'
    """
    if type(text) is str:
        return _norm_key_str(text)
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return ""
    return _norm_key_str(str(text))


@functools.lru_cache(maxsize=1 << 16)
def _norm_key_str(text: str) -> str:
    # memoised: the same headers and answer labels repeat in every file of an import
    s = unicodedata.normalize("NFC", text).translate(_DASHES)
    s = _WS.sub(" ", s).strip().casefold()
    m = _INT_FLOAT.match(s)
    if m:
        s = m.group(1)
    if s.startswith("+") and _NUMERIC.match(s):
        s = s[1:]
    return s


@dataclass(frozen=True)
class Factorized:
    """A column of cells as codes into its distinct values (``pandas.factorize`` order: first seen).

    ``codes[i]`` is the position of cell ``i``'s value in ``uniques``, -1 for an empty (NA) cell.
    Every function of this module accepts one in place of a Series, so that a column encoded
    once (e.g. an Arrow dictionary) is not encoded again.
    """

    codes: np.ndarray
    uniques: np.ndarray

    def __len__(self) -> int:
        return len(self.codes)

    def take(self, at: np.ndarray | slice) -> Factorized:
        """The cells ``at``, with only the distinct values they hold."""
        codes = self.codes[at]
        present = np.unique(codes[codes >= 0])
        remap = np.full(len(self.uniques) + 1, -1, dtype=np.intp)
        remap[present] = np.arange(len(present))
        return Factorized(remap[codes], self.uniques[present])

    def objects(self, at: np.ndarray | slice | None = None) -> np.ndarray:
        """The cells (``at``: a mask, positions or a slice) as Python objects, None when empty."""
        codes = self.codes if at is None else self.codes[at]
        table = np.append(self.uniques, None) if len(self.uniques) else np.array([None], dtype=object)
        return table[np.where(codes >= 0, codes, len(self.uniques))]


def factorize(values: Any) -> Factorized:
    """:class:`Factorized` of a Series or array of cells, an Arrow array (dictionary-encoded in
    Arrow: one hash per cell, Python objects only for the distinct values) or a Factorized."""
    import pyarrow as pa

    if isinstance(values, Factorized):
        return values
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        if values.type == pa.null() or values.null_count == len(values):
            return Factorized(np.full(len(values), -1, dtype=np.intp), np.empty(0, dtype=object))
        enc = values.dictionary_encode()
        codes = enc.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.intp, copy=False)
        return Factorized(codes, np.array(enc.dictionary.to_pylist(), dtype=object))
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return Factorized(np.asarray(codes, dtype=np.intp), np.asarray(uniques, dtype=object))


def _factorize(s: Any) -> tuple[np.ndarray, np.ndarray]:
    fz = factorize(s)
    return fz.codes, fz.uniques


def _index(s: Any) -> pd.Index:
    """The index of a Series, else positions (Arrow arrays, :class:`Factorized`)."""
    return s.index if isinstance(s, pd.Series) else pd.RangeIndex(len(s))


def strip_numeric_text(s: pd.Series) -> pd.Series:
    """Text with surrounding whitespace removed and ``"12.0"`` written as ``"12"`` (NA stays NA)."""
    codes, uniques = _factorize(s)
    cleaned = np.array([(t if (t := _strip_one(u)) != "" else None) for u in uniques] + [None], dtype=object)
    return pd.Series(cleaned[np.where(codes >= 0, codes, len(uniques))], index=_index(s), dtype=object)


def _strip_one(u: object) -> str:
    t = unicodedata.normalize("NFC", str(u)).strip()
    m = _INT_FLOAT.match(t)
    return m.group(1) if m else t


@dataclass
class AnswerLookup:
    """Normalised answer token -> (code or None, missing reason or None) for one scale.

    Parameters
    ----------
    scale : Scale
        The instrument's response scale.
    extra : Mapping[str, int | str]
        Additional labels from a mapping file: label -> code, or label -> missing reason
        (``"dont_know"``, ``"no_answer"``).
    """

    scale: Scale
    extra: Mapping[str, int | str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        table: dict[str, tuple[int | None, str | None]] = {}
        for key, reason in GENERIC_MISSING.items():
            table[key] = (None, reason)
        for o in self.scale.options:
            entry = (None, o.missing) if o.missing else (o.code, None)
            for token in (str(o.code), o.name, o.label_de, o.label_en):
                table[norm_key(token)] = entry
        for label, target in self.extra.items():
            key = norm_key(label)
            if isinstance(target, str) and not re.fullmatch(r"-?\d+", target.strip()):
                table[key] = (None, target.strip())
            else:
                code = int(target)
                missing = self.scale.missing_codes.get(code)
                table[key] = (None, missing) if missing else (code, None)
        self.table = table
        self.valid = frozenset(self.scale.valid_codes)
        self._memo: dict[str, tuple[int | None, str, str | None]] = {}

    def describe(self) -> str:
        """Short description of the valid answers, for messages."""
        labels = ", ".join(f"{o.code} = {o.label_de}" for o in self.scale.valid)
        return f"{self.scale.min}–{self.scale.max}: {labels}"

    def lookup(self, raw: object) -> tuple[int | None, str, str | None]:
        """(code, missing reason or "", problem) of one distinct raw value."""
        if type(raw) is str:
            hit = self._memo.get(raw)
            if hit is None:
                hit = self._lookup(raw)
                if len(self._memo) < 100_000:
                    self._memo[raw] = hit
            return hit
        return self._lookup(raw)

    def _lookup(self, raw: object) -> tuple[int | None, str, str | None]:
        key = norm_key(raw)
        if key == "":
            return None, "not_shown", None
        hit = self.table.get(key)
        if hit is not None:
            code, reason = hit
            if code is not None and code not in self.valid:
                return None, "invalid", "value_out_of_scale"
            return code, reason or "", None
        if _NUMERIC.match(key):
            return None, "invalid", "value_out_of_scale"
        return None, "invalid", "value_unknown_label"


def map_answers(raw: pd.Series, lookup: AnswerLookup) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Codes, missing reasons and problems of a column of raw answers.

    Returns
    -------
    value : ndarray of float
        The answer code, NaN when missing or invalid.
    reason : ndarray of object
        ``""`` for a valid answer, else ``dont_know``, ``no_answer``, ``not_shown`` or ``invalid``.
    problem : ndarray of object
        ``None`` or the finding code (``value_out_of_scale``, ``value_unknown_label``).
    """
    value, _, problem, reason = map_answers_coded(raw, lookup)
    return value, reason, problem


#: Missing reasons as small integers (0 = a valid answer); the pipeline keeps reasons as int8 codes.
REASONS = ("", "dont_know", "no_answer", "not_shown", "invalid")
REASON_CODE = {r: i for i, r in enumerate(REASONS)}


def map_answers_coded(
    raw: pd.Series, lookup: AnswerLookup
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray, np.ndarray]:
    """Like :func:`map_answers`, with the reasons as int8 codes into :data:`REASONS`.

    Returns ``(value, reason_code, problem, reason)``: ``reason`` is the text array of
    :func:`map_answers`; ``reason_code`` is the same as int8 codes, or ``None`` when a reason is not
    one of :data:`REASONS` (a mapping file named another one).
    """
    codes, uniques = _factorize(raw)
    looked = [lookup.lookup(u) for u in uniques]
    u_val = np.array([np.nan if c is None else float(c) for c, _, _ in looked] + [np.nan], dtype=float)
    u_reason = np.array([r for _, r, _ in looked] + ["not_shown"], dtype=object)
    u_problem = np.array([p for _, _, p in looked] + [None], dtype=object)
    idx = np.where(codes >= 0, codes, len(uniques))
    u_code = [REASON_CODE.get(r) for r in u_reason]
    reason_code = None if None in u_code else np.array(u_code, dtype=np.int8)[idx]
    return u_val[idx], reason_code, u_problem[idx], u_reason[idx]


def nonblank_rows(columns: Sequence[Any]) -> np.ndarray:
    """Rows with at least one cell whose text is not empty after trimming whitespace.

    ``columns``: the columns of a table as Arrow string arrays (:attr:`.readers.RawSheet.columns`),
    all of one length. The test of ``s.astype("string").str.strip().fillna("").ne("")`` (Arrow's
    whitespace), run once over all cells.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    k = len(columns)
    n = len(columns[0]) if k else 0
    if n == 0 or k == 0:
        return np.zeros(n, dtype=bool)
    for col in columns:  # a column filled in every row (e.g. the respondent ID) answers at once
        if col.null_count == 0:
            if pc.min(pc.utf8_length(pc.utf8_trim_whitespace(col))).as_py() > 0:
                return np.ones(n, dtype=bool)
            break
    flat = pa.concat_arrays(list(columns)) if k > 1 else columns[0]
    ok = pc.fill_null(pc.not_equal(pc.utf8_trim_whitespace(flat), ""), False)
    return ok.to_numpy(zero_copy_only=False).reshape(k, n).any(axis=0)


# ---------------------------------------------------------------- AGS
_AGS_OK = re.compile(r"^[0-9]{8}$")


def _ascii_digits(text: str) -> str:
    """NFKC (fullwidth ０-９ -> 0-9), format characters (zero-width space, bidi marks) removed and
    decimal digits of any script (Arabic-Indic ٠-٩, Devanagari ...) written as ASCII digits."""
    t = unicodedata.normalize("NFKC", text)
    t = "".join(ch for ch in t if unicodedata.category(ch) != "Cf" and not ch.isspace())
    if t.isascii():
        return t
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in t)


def _ags_one(u: object) -> tuple[str | None, str]:
    t = _strip_one(u).replace(" ", "")
    if t == "":
        return None, "missing"
    norm = _ascii_digits(t)
    if norm.isascii() and norm.isdigit() and 7 <= len(norm) <= 8:
        norm = norm.zfill(8)
    if _AGS_OK.match(norm) and 1 <= int(norm[:2]) <= 16:
        return norm, "ok" if norm == t.zfill(8) else "normalised"
    return None, "invalid"


def normalize_ags(raw: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """AGS as 8-digit ASCII text (``8111000 -> "08111000"``) and a status per cell.

    Status is ``"ok"``, ``"normalised"`` (a valid AGS once written with ASCII digits: fullwidth
    or Arabic-Indic digits, a zero-width space or bidi mark removed -- the same municipality, never
    a new one), ``"missing"`` (empty) or ``"invalid"`` (not 7–8 digits, or the state part is not
    01–16). Only ASCII digits ever reach the result.

    >>> normalize_ags(pd.Series(["8111000", "０８１１１０００", "٠٨١١١٠٠٠", "x", None]))[1].tolist()
    ['ok', 'normalised', 'normalised', 'invalid', 'missing']
    """
    codes, uniques = _factorize(raw)
    done = [_ags_one(u) for u in uniques]
    u_val = np.array([*(v for v, _ in done), None], dtype=object)
    u_stat = np.array([*(st for _, st in done), "missing"], dtype=object)
    idx = np.where(codes >= 0, codes, len(uniques))
    return pd.Series(u_val[idx], index=_index(raw), dtype=object), u_stat[idx]


# ---------------------------------------------------------------- waves
#: Wave labels the importer accepts (after NFKC and collapsing spaces), case-insensitive; documented
#: in SECURITY.md. Anything else -- a date, "true", "-1", a formula, a 300-digit number -- is a
#: located finding ``wave_invalid`` and the row is not taken over.
WAVE_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"(?:19|20)\d{2}", "2025"),
    (r"(?P<a>(?:19|20)\d{2}) ?[/-] ?(?P<b>\d{2}|(?:19|20)\d{2})", "2025/26, 2025/2026"),
    (r"(?:welle|wave|w|t|mzp|messzeitpunkt) ?\d{1,2}", "Welle 1, Wave 2, W3, t0, MZP 1"),
    (r"(?:frühjahr|fruehjahr|sommer|herbst|winter|spring|summer|autumn|fall) (?:19|20)\d{2}", "Herbst 2025"),
    (r"(?:19|20)\d{2} ?[-/ ]? ?[hq][1-4]", "2025-H1, 2025 Q3"),
)
_WAVE_RE = [re.compile(p, re.IGNORECASE) for p, _ in WAVE_PATTERNS]
#: The accepted forms, for messages.
WAVE_EXAMPLES = "; ".join(example for _, example in WAVE_PATTERNS)
_WAVE_MAX_LEN = 24


def _wave_one(u: object) -> tuple[str | None, str]:
    t = _WS.sub(" ", unicodedata.normalize("NFKC", str(u))).strip()
    if t == "":
        return None, "missing"
    if len(t) > _WAVE_MAX_LEN:
        return None, "invalid"
    for i, rx in enumerate(_WAVE_RE):
        m = rx.fullmatch(t)
        if m is None:
            continue
        if i == 1:  # a year range: consecutive years, written one way ("2025/26")
            a, b = int(m.group("a")), m.group("b")
            if int(b[-2:]) != (a + 1) % 100 or (len(b) == 4 and int(b) != a + 1):
                return None, "invalid"
            return f"{a}/{b[-2:]}", "ok"
        return t, "ok"
    return None, "invalid"


def normalize_wave(raw: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Wave labels checked against :data:`WAVE_PATTERNS`: (label or None, status per cell).

    Status is ``"ok"``, ``"missing"`` or ``"invalid"``. Spaces are collapsed and year ranges written
    as ``2025/26``; everything else stays as written.

    >>> normalize_wave(pd.Series(["2025", "2025 / 2026", "Welle 2", "=HYPERLINK(1)", "true", None]))[1].tolist()
    ['ok', 'ok', 'ok', 'invalid', 'invalid', 'missing']
    """
    codes, uniques = _factorize(raw)
    done = [_wave_one(u) for u in uniques]
    u_val = np.array([*(v for v, _ in done), None], dtype=object)
    u_stat = np.array([*(st for _, st in done), "missing"], dtype=object)
    idx = np.where(codes >= 0, codes, len(uniques))
    return pd.Series(u_val[idx], index=_index(raw), dtype=object), u_stat[idx]


# ---------------------------------------------------------------- dates
_TZ = re.compile(r"(?:Z|[+-]\d{2}:?\d{2})$")
_DATE_FORMATS = (
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%d.%m.%y %H:%M",
    "%d.%m.%y",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
)


def parse_dates(raw: pd.Series, date1904: bool = False) -> tuple[pd.Series, np.ndarray]:
    """Parse dates written as ISO text, German text (``01.03.2025 12:00``) or Excel serial numbers.

    Parameters
    ----------
    raw : Series of text
    date1904 : bool
        The workbook uses the 1904 date system (old Mac Excel): serial 0 is 1904-01-01
        instead of 1899-12-30.

    Returns
    -------
    dates : Series of datetime64 (NaT where empty or unreadable), time-zone suffixes dropped
        (local time of the export is kept).
    bad : ndarray of bool -- non-empty but unreadable.
    """
    codes, uniques = _factorize(raw)
    text = pd.Series([_TZ.sub("", str(u).strip()) for u in uniques], dtype=object)
    parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    if len(text):
        num = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce")
        serial = num.where((num > 0) & (num < 2_958_466))
        origin = pd.Timestamp("1904-01-01") if date1904 else pd.Timestamp("1899-12-30")
        from_serial = origin + pd.to_timedelta(serial.round(6) * 86400, unit="s")
        parsed = parsed.fillna(from_serial.dt.round("s").astype("datetime64[us]"))
        rest = parsed.isna() & num.isna()
        if rest.any():
            iso = pd.to_datetime(text[rest], format="ISO8601", errors="coerce")
            parsed.loc[rest] = iso.astype("datetime64[us]")
        for fmt in _DATE_FORMATS:
            rest = parsed.isna() & num.isna()
            if not rest.any():
                break
            parsed.loc[rest] = pd.to_datetime(text[rest], format=fmt, errors="coerce").astype("datetime64[us]")
    u_bad = np.append(parsed.isna().to_numpy() & (text.str.len() > 0).to_numpy(), False)
    u_val = np.append(parsed.dt.floor("s").to_numpy(), np.datetime64("NaT", "us"))
    idx = np.where(codes >= 0, codes, len(uniques))
    return pd.Series(u_val[idx], index=_index(raw), dtype="datetime64[us]"), u_bad[idx]


# ---------------------------------------------------------------- numbers and yes/no
_THOUSANDS = re.compile(r"^-?\d{1,3}(?:\.\d{3})+$")


def _number_one(t: str) -> float | None:
    t = t.strip().replace(" ", "").replace("\u00a0", "").replace("€", "").replace("EUR", "")
    if t == "":
        return None
    if "," in t:
        t = t.replace(".", "").replace(",", ".")
    elif _THOUSANDS.match(t):
        t = t.replace(".", "")
    try:
        return float(t)
    except ValueError:
        return float("nan")


def parse_number(raw: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Numbers from text, German (``12.500,50``) or plain (``12500.5``); returns (values, bad mask)."""
    codes, uniques = _factorize(raw)
    vals = [_number_one(str(u)) for u in uniques]
    u_val = np.array([np.nan if v is None else v for v in vals] + [np.nan], dtype=float)
    u_bad = np.array([v is not None and np.isnan(v) for v in vals] + [False], dtype=bool)
    idx = np.where(codes >= 0, codes, len(uniques))
    return pd.Series(u_val[idx], index=_index(raw)), u_bad[idx]


_YES = {"ja", "j", "yes", "y", "true", "wahr", "1", "x"}
_NO = {"nein", "n", "no", "false", "falsch", "0"}


def parse_bool(raw: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """ja/nein (also yes/no, true/false, 1/0, x) -> nullable boolean; returns (values, bad mask)."""
    codes, uniques = _factorize(raw)
    keys = [norm_key(u) for u in uniques]
    u_val = np.array([True if k in _YES else False if k in _NO else None for k in keys] + [None], dtype=object)
    u_bad = np.array([k != "" and k not in _YES and k not in _NO for k in keys] + [False], dtype=bool)
    idx = np.where(codes >= 0, codes, len(uniques))
    return pd.Series(pd.array(u_val[idx], dtype="boolean"), index=_index(raw)), u_bad[idx]


def choice_lookup(choices: Iterable[tuple[str, Iterable[str]]]) -> dict[str, str]:
    """Normalised label -> choice name, from (name, labels) pairs."""
    out: dict[str, str] = {}
    for name, labels in choices:
        out[norm_key(name)] = name
        for lab in labels:
            out[norm_key(lab)] = name
    return out
