"""Ordered answer-label sets of foreign exports, and rescaling them onto the instrument's scale.

A column of a LimeSurvey, Forms or Kobo export holds answer *texts* ("Stimme eher zu", "Very
helpful", "Absolut irrelevant") or *numbers* (SoSci's 1..7 with -9). :func:`classify` looks at the
distinct answers of a group of columns and proposes, for each, a code on the export's *own* scale
(``range``, e.g. 1–4) or a missing reason:

1. **Missing values** first: "weiß nicht", "keine Angabe", "N/A", "-9", "[NA] nicht beantwortet",
   "don't know", "prefer not to say" ... (:data:`MISSING_LABELS`).
2. **Labels** are read as a *level* on a bipolar scale -3..+3 (:func:`label_level`): a core word
   gives the polarity (zustimmen, zutreffen, wichtig, relevant, zufrieden, vertraut, hilfreich,
   agree, helpful, gut, positiv, oft, ja ...; negated by ``nicht``/``un-``/``ir-``/``dis-``),
   an intensifier the strength (``voll``, ``völlig``, ``absolut``, ``sehr``, ``gar``, ``strongly``
   = 3; none = 2; ``eher``, ``etwas``, ``somewhat`` = 1); ``teils/teils``, ``weder noch``,
   ``neutral``, ``mittelmäßig`` are 0. Several clauses ("Nein, überhaupt nicht") take the
   strongest. The scale is the symmetric closure of the observed levels (a scale has as many
   points below as above its middle), so a level nobody chose still gets its place; the k
   levels become codes 1..k in order. Four labels ``gar nicht / eher nicht / eher / voll``
   are the 4-point scale 1–4; with ``teils/teils`` the 5-point scale 1–5; seven agree labels 1–7.
3. **Label + code** cells ("Very helpful10", "1 = stimme voll zu") and SPSS value labels give the
   tool's own codes; when these run against the labels' order the set is **reversed**
   (1 = "stimme voll zu") and the codes are turned round: ``code' = min + max - code``.
4. **Numbers** 1..k are taken as they are; the range runs from 1 (0 when a 0 occurs) to the
   largest code seen (the user can widen it in the mapping).

A scale with another number of points than the instrument's is **rescaled** by the POMP rule
(percent of maximum possible; Cohen, Cohen, Aiken & West 1999, *Multivariate Behavioral
Research* 34(3), 315–346):

.. math::

    y = a' + \\frac{x - a}{b - a}\\,(b' - a'), \\qquad \\text{code} = \\lfloor y + 0.5 \\rfloor

with the export's range ``[a, b]`` and the instrument's ``[a', b']``; the result is rounded half
up to the nearest code of the instrument (the dataset holds codes). A 4-point scale becomes
1, 2, 4, 5; a 7-point scale 1, 2, 2, 3, 4, 4, 5. Nothing is cut off: every point of the
export's scale has a code.

Example
-------
>>> g = classify(["Stimme voll zu", "Stimme eher zu", "Stimme gar nicht zu", "Stimme eher nicht zu", "N/A"])
>>> g.kind, g.range, g.codes["Stimme eher zu"], g.codes["N/A"]
('ordered', (1, 4), 3, 'no_answer')
>>> rescale_table((1, 4), (1, 5))
{1: 1, 2: 2, 3: 4, 4: 5}
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

__all__ = [
    "MISSING_LABELS",
    "LabelSetGuess",
    "classify",
    "label_level",
    "missing_reason",
    "pomp",
    "rescale_table",
    "split_code",
]

_TRANSLIT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "–": "-", "—": "-", "’": "'", "´": "'"})


def _key(text: object) -> str:
    s = unicodedata.normalize("NFKC", "" if text is None else str(text)).casefold().translate(_TRANSLIT)
    return " ".join(s.split())


#: Answer texts that mean "missing" (normalised: case-folded, umlauts as ae/oe/ue) -> reason.
MISSING_LABELS: dict[str, str] = {
    **{k: "dont_know" for k in (
        "weiss nicht", "weiss ich nicht", "ich weiss es nicht", "kann ich nicht sagen", "kann ich nicht beurteilen",
        "nicht beurteilbar", "keine meinung", "unentschlossen", "don't know", "dont know", "do not know",
        "i don't know", "not sure", "unsure", "cannot say", "can't say", "-1", "[-1]", "dk",
    )},
    **{k: "no_answer" for k in (
        "keine angabe", "k.a.", "k. a.", "ka", "keine antwort", "moechte ich nicht beantworten",
        "moechte ich nicht sagen", "nicht beantwortet", "[na] nicht beantwortet", "[na]", "n/a", "na", "n.a.",
        "nicht zutreffend", "entfaellt", "no answer", "prefer not to say", "prefer not to answer",
        "not applicable", "not answered", "none of the above", "-9", "[-9]", "-99", "-77", "-999", "-98",
    )},
}


def missing_reason(text: object) -> str | None:
    """The missing reason of an answer text, or None when it is not a missing label.

    >>> missing_reason("[NA] nicht beantwortet"), missing_reason("Weiß nicht"), missing_reason("ja")
    ('no_answer', 'dont_know', None)
    """
    k = _key(text)
    hit = MISSING_LABELS.get(k) or MISSING_LABELS.get(k.strip(" .!"))
    if hit:
        return hit
    if k.startswith(("[na]", "(na)")):
        return "no_answer"
    return None


# ---------------------------------------------------------------- one label -> level -3..3
_NEUTRAL = re.compile(
    r"\bteils\s*[/-]?\s*teils\b|\bweder\b.*\bnoch\b|\bneutral\b|\bmittelmaessig\b|\bneither\b|\bteilweise\b|"
    r"\bunentschieden\b|\bmittel\b|\bmedium\b|\bmoderate(?:ly)?\b|\bmanchmal\b|\bgelegentlich\b|\bsometimes\b|"
    r"\boccasionally\b|\bin der mitte\b|\bso lala\b|\bmixed\b|\bsomewhat neither\b|\bundecided\b|\baverage\b|"
    r"\bbefriedigend\b|\bok\b|\bokay\b"
)
# core words: stem -> polarity (+1 positive, -1 negative); matched at the start of a word
_CORES: tuple[tuple[str, int], ...] = (
    ("zustimm", 1), ("stimm", 1), ("trifft", 1), ("zutreff", 1), ("wichtig", 1), ("relevant", 1),
    ("zufrieden", 1), ("vertraut", 1), ("hilfreich", 1), ("nuetzlich", 1), ("positiv", 1), ("gut", 1),
    ("bestens", 1), ("einverstanden", 1), ("wahrscheinlich", 1), ("oft", 1), ("haeufig", 1), ("immer", 1),
    ("interessant", 1), ("sinnvoll", 1), ("gern", 1), ("leicht", 1), ("bekannt", 1), ("ja", 1),
    ("agree", 1), ("true", 1), ("important", 1), ("relevant", 1), ("satisf", 1), ("familiar", 1),
    ("helpful", 1), ("useful", 1), ("good", 1), ("positive", 1), ("likely", 1), ("often", 1), ("always", 1),
    ("excellent", 1), ("yes", 1), ("applies", 1), ("interest", 1), ("well", 1), ("frequent", 1),
    ("ablehn", -1), ("schlecht", -1), ("negativ", -1), ("nie", -1), ("never", -1), ("bad", -1),
    ("poor", -1), ("negative", -1), ("nein", -1), ("no", -1), ("selten", -1), ("rarely", -1), ("kaum", -1),
    ("hardly", -1), ("wenig", -1), ("little", -1), ("bisschen", -1), ("schwer", -1), ("false", -1),
)
# cores whose plain form is weak (level 1) and strong only with "sehr" (level 2)
_DIMINISHERS = ("selten", "rarely", "kaum", "hardly", "wenig", "little", "bisschen")
# negated forms that are one word: un-/ir-/dis-/in- + a positive core
_NEG_PREFIX = re.compile(r"^(?:un|ir|dis|in|im)(?=(?:wichtig|zufrieden|vertraut|relevant|agree|satisf|hilfreich|"
                         r"helpful|nuetzlich|useful|important|familiar|wahrscheinlich|likely|interessant|"
                         r"sinnvoll|bekannt|gern|true|frequent|interest|well))")
_NEGATION = ("nicht", "not", "kein", "keine", "keinesfalls", "nobody", "without")
_STRONG = ("voll", "voellig", "vollkommen", "vollstaendig", "absolut", "sehr", "ueberhaupt", "gar", "strongly",
           "completely", "totally", "extremely", "very", "entirely", "fully", "bestens", "excellent", "ganz und gar",
           "immer", "always", "nie", "never", "hervorragend", "ausgezeichnet", "auf jeden fall", "definitely",
           "at all", "besonders", "hoechst", "aeusserst")
_WEAK = ("eher", "etwas", "somewhat", "slightly", "rather", "einigermassen", "tendenziell", "ein wenig", "a bit",
         "a little", "fairly", "mostly", "ganz gut", "recht", "weniger", "less", "nicht so", "not so", "not very",
         "nicht sehr", "mehr oder weniger")
_WORD = re.compile(r"[a-z0-9']+")


_NOT_AT_ALL = re.compile(r"^(?:(?:gar|ueberhaupt) nicht|not at all|keineswegs|never|nie|nicht)$")


def _clause_level(clause: str) -> int | None:
    if _NOT_AT_ALL.match(clause):
        return -3 if clause != "nicht" else -2
    # "stimme teilweise zu" and "weder noch" are the middle; but "trifft gar nicht zu" is not
    if _NEUTRAL.search(clause) and not re.search(r"\b(?:gar|ueberhaupt) nicht\b|\bnot at all\b", clause):
        return 0
    words = _WORD.findall(clause)
    if not words:
        return None
    polarity = 0
    core = ""
    for w in words:
        m = _NEG_PREFIX.match(w)
        if m:
            polarity, core = -1, w[m.end():]
            break
        for stem, pol in _CORES:
            if w == stem or (len(stem) >= 4 and w.startswith(stem)):
                polarity, core = pol, stem
                break
        if polarity:
            break
    if not polarity:
        return None
    text = " " + " ".join(words) + " "
    negated = any(f" {n} " in text for n in _NEGATION)
    if negated and core not in {"nein", "no", "nie", "never"}:
        polarity = -polarity
    if re.search(r"\bdis(?:agree|satisf)", text) and core in {"agree", "satisf"}:
        polarity = -1
    if core in _DIMINISHERS:
        strength = 2 if " sehr " in text or " very " in text or " nur " in text else 1
        if any(f" {n} " in text for n in ("gar", "ueberhaupt")):
            strength = 3
        return polarity * strength
    if any(f" {w} " in text for w in _WEAK) and not re.search(r"\bnot at all\b|\b(?:gar|ueberhaupt) nicht\b", text):
        strength = 1
    elif any(f" {w} " in text for w in _STRONG):
        strength = 3
    else:  # plain, or "ziemlich" / "quite" (between "eher" and "absolut")
        strength = 2
    return polarity * strength


def label_level(label: object) -> int | None:
    """The level of an answer label on a bipolar scale -3..+3, or None when it is no scale label.

    >>> [label_level(x) for x in ("Stimme gar nicht zu", "stimme eher nicht zu", "teils/teils",
    ...                           "Stimme eher zu", "stimme voll zu")]
    [-3, -1, 0, 1, 3]
    >>> [label_level(x) for x in ("Absolut irrelevant", "Ziemlich relevant", "strongly disagree", "Ja")]
    [-3, 2, -3, 2]
    """
    text = _key(split_code(label)[0])
    clauses = [c.strip() for c in re.split(r"[,;(]|\s-\s|\s–\s", text) if c.strip()]
    levels = [lv for lv in (_clause_level(c) for c in clauses) if lv is not None]
    if not levels:
        return None
    signs = {math.copysign(1, lv) for lv in levels if lv}
    if len(signs) > 1:
        return levels[0]
    return max(levels, key=abs)


_CODE_BEFORE = re.compile(r"^\s*[(\[]?\s*(-?\d{1,3})\s*[)\]]?\s*(?:[=:.\-–]\s*|\s+)(\D.*)$")
_CODE_AFTER = re.compile(r"^(\D*?\D)\s*[(\[]?(-?\d{1,3})[)\]]?\s*$")


def split_code(text: object) -> tuple[str, int | None]:
    """An answer written with its code ("1 = stimme voll zu", "(5) trifft zu", "Very helpful10")
    as (label, code); plain labels as (label, None).

    >>> split_code("Very helpful10"), split_code("1 = stimme voll zu"), split_code("gut")
    (('Very helpful', 10), ('stimme voll zu', 1), ('gut', None))
    """
    s = "" if text is None else str(text).strip()
    m = _CODE_BEFORE.match(s)
    if m:
        return m.group(2).strip(), int(m.group(1))
    m = _CODE_AFTER.match(s)
    if m and re.search(r"[A-Za-zÄÖÜäöüß]{2}", m.group(1)):
        return m.group(1).strip(), int(m.group(2))
    return s, None


# ---------------------------------------------------------------- a group of answers
_INT = re.compile(r"^-?\d+(?:[.,]0+)?$")


@dataclass(frozen=True)
class LabelSetGuess:
    """What the distinct answers of a column group look like, and the proposed codes.

    Attributes
    ----------
    kind : str
        ``ordered`` (labels with an order), ``numeric`` (codes 1..k), ``binary`` (yes/no),
        ``nominal`` (texts without an order), ``empty`` (nothing but missing values).
    range : (int, int) or None
        The export's own scale (lowest and highest code), None for nominal sets.
    codes : dict
        Each distinct answer text -> code on ``range`` or missing reason (``dont_know``,
        ``no_answer``); answers without a proposal are absent.
    reversed : bool
        The tool's own codes ran against the labels' order (1 = "stimme voll zu").
    confidence : float
        0–100; below :data:`SURE` the proposal is marked "unsicher".
    unmatched : tuple of str
        Answers that fit no level (shown to the user).
    """

    kind: str
    range: tuple[int, int] | None
    codes: dict[str, int | str] = field(default_factory=dict)
    reversed: bool = False
    confidence: float = 0.0
    unmatched: tuple[str, ...] = ()

    @property
    def points(self) -> int:
        return 0 if self.range is None else self.range[1] - self.range[0] + 1


#: Confidence from which a label-set proposal is not marked "unsicher".
SURE = 80.0


def classify(answers: Iterable[object], given: Mapping[str, int] | None = None) -> LabelSetGuess:
    """Propose codes for the distinct answers of a group of columns (module docstring).

    Parameters
    ----------
    answers : iterable
        Distinct answer texts (numbers as text). Empty texts are ignored.
    given : mapping, optional
        The tool's own code of some labels (SPSS value labels): label -> code.
    """
    texts = [str(a).strip() for a in answers if a is not None and str(a).strip()]
    texts = list(dict.fromkeys(texts))
    codes: dict[str, int | str] = {}
    rest: list[str] = []
    for t in texts:
        r = missing_reason(t)
        if r:
            codes[t] = r
        else:
            rest.append(t)
    if not rest:
        return LabelSetGuess("empty", None, codes, confidence=100.0 if codes else 0.0)
    # numbers only
    if all(_INT.match(t) for t in rest):
        nums = {t: int(float(t.replace(",", "."))) for t in rest}
        lo = 0 if min(nums.values()) == 0 else 1
        hi = max(nums.values())
        if min(nums.values()) < 0 or hi > 100:
            return LabelSetGuess("nominal", None, codes, confidence=0.0, unmatched=tuple(rest))
        if given:
            return _with_given(rest, {t: _given_level(t, given) for t in rest}, nums, codes, lo, hi)
        codes.update(nums)
        return LabelSetGuess("numeric", (lo, max(hi, lo + 1)), codes, confidence=90.0 if hi in (4, 5, 6, 7, 10) else 70.0)
    split = {t: split_code(t) for t in rest}
    levels = {t: label_level(lab) for t, (lab, _) in split.items()}
    numeric_part = {t: int(float(t.replace(",", "."))) for t in rest if _INT.match(t)}
    with_code = {t: c for t, (_, c) in split.items() if c is not None}
    if given:
        with_code.update({t: given[t] for t in rest if t in given})
    unmatched = tuple(t for t in rest if levels[t] is None and t not in numeric_part)
    leveled = {t: lv for t, lv in levels.items() if lv is not None}
    if not leveled:
        return LabelSetGuess("nominal", None, codes, confidence=0.0, unmatched=unmatched)
    # label + code ("Very helpful10") mixed with bare numbers ("2" .. "9"): a numeric scale with labelled ends
    if with_code or numeric_part:
        known = {**numeric_part, **with_code}
        if known and not unmatched:
            return _with_given(rest, levels, known, codes, None, None)
    distinct = sorted(set(leveled.values()))
    if distinct in ([-2, 2], [-3, 3]) and all(_key(t).split(",")[0].strip() in _YES_NO for t in leveled):
        for t, lv in leveled.items():
            codes[t] = 1 if lv < 0 else 2
        return LabelSetGuess("binary", (1, 2), codes, confidence=90.0 if not unmatched else 40.0, unmatched=unmatched)
    position, points = _positions(set(leveled.values()))
    for t, lv in leveled.items():
        codes[t] = position[lv]
    confidence = 95.0
    if unmatched:
        confidence = 40.0
    elif len(set(leveled.values())) < len(leveled):
        confidence = 60.0  # two labels on one level: synonyms or a misreading
    elif len(leveled) < 3:
        confidence = 70.0
    return LabelSetGuess("ordered", (1, points), codes, confidence=confidence, unmatched=unmatched)


def _positions(levels: set[int]) -> tuple[dict[int, int], int]:
    """Codes 1..k of observed levels: each side of the middle gets as many points as the fuller
    side has labels; a side with fewer labels places them by strength beside the fuller side's."""
    neg = sorted({-lv for lv in levels if lv < 0})
    pos = sorted({lv for lv in levels if lv > 0})
    k = max(len(neg), len(pos))
    ref = neg if len(neg) >= len(pos) else pos

    def ranks(mags: list[int]) -> dict[int, int]:
        if len(mags) == k:
            return {m: i for i, m in enumerate(mags)}
        out: dict[int, int] = {}
        free = list(range(k))
        for m in sorted(mags, reverse=True):  # strongest first: the ends are the surest
            best = min(free, key=lambda i: (abs(ref[i] - m), -i))
            out[m] = best
            free.remove(best)
        return out

    middle = 1 if 0 in levels else 0
    position = {-m: k - r for m, r in ranks(neg).items()}
    position.update({m: k + middle + 1 + r for m, r in ranks(pos).items()})
    if middle:
        position[0] = k + 1
    return position, max(2 * k + middle, 2)


_YES_NO = {"ja", "nein", "yes", "no", "stimmt", "stimmt nicht", "true", "false", "wahr", "falsch"}


def _given_level(text: str, given: Mapping[str, int]) -> int | None:
    return label_level(given.get(text)) if isinstance(given.get(text), str) else None


def _with_given(
    rest: list[str], levels: Mapping[str, int | None], known: Mapping[str, int], codes: dict[str, int | str],
    lo: int | None, hi: int | None,
) -> LabelSetGuess:
    """Codes given by the tool (label + code, or value labels): taken over, turned round when they
    run against the labels' order."""
    pairs = [(known[t], levels[t]) for t in rest if t in known and levels.get(t) is not None]
    rev = False
    if len(pairs) >= 2:
        concord = sum(1 for (c1, l1) in pairs for (c2, l2) in pairs if c1 < c2 and l1 < l2)  # type: ignore[operator]
        discord = sum(1 for (c1, l1) in pairs for (c2, l2) in pairs if c1 < c2 and l1 > l2)  # type: ignore[operator]
        rev = discord > concord
    values = list(known.values())
    lo = (0 if min(values) == 0 else 1) if lo is None else lo
    hi = max(values) if hi is None else hi
    hi = max(hi, lo + 1)
    for t in rest:
        if t in known:
            codes[t] = lo + hi - known[t] if rev else known[t]
    unmatched = tuple(t for t in rest if t not in known)
    conf = 90.0 if not unmatched else 40.0
    return LabelSetGuess("ordered" if pairs else "numeric", (lo, hi), codes, reversed=rev, confidence=conf,
                         unmatched=unmatched)


# ---------------------------------------------------------------- rescaling
def pomp(x: float, source: tuple[int, int], target: tuple[int, int]) -> float:
    """POMP rescaling of ``x`` from the range ``source`` onto ``target`` (not rounded).

    >>> pomp(4, (1, 7), (1, 5))
    3.0
    """
    a, b = source
    c, d = target
    if b == a:
        raise ValueError("a scale needs two points at least")
    return c + (x - a) / (b - a) * (d - c)


def rescale_table(source: tuple[int, int], target: tuple[int, int]) -> dict[int, int]:
    """Each code of ``source`` -> nearest code of ``target`` by POMP, rounded half up.

    >>> rescale_table((1, 7), (1, 5))
    {1: 1, 2: 2, 3: 2, 4: 3, 5: 4, 6: 4, 7: 5}
    """
    return {x: math.floor(pomp(x, source, target) + 0.5 + 1e-9) for x in range(source[0], source[1] + 1)}
