"""Matching question texts of foreign exports to the instrument's item wordings.

A header of a LimeSurvey, SoSci, KoboToolbox or Forms export is first split into its parts
(:func:`header_parts`): the tool's own code, the question stem and the sub-question (the item).
The texts are then compared after a German-aware normalisation (:func:`normalize_text`):

* case folded, Unicode NFKC, umlauts and ß transliterated (``Bürger`` = ``Buerger``),
  gendered endings unified (``Bürgermeister/in``, ``Bürger*innen``, ``BürgerInnen``);
* punctuation removed, stop words (German and English) dropped, a light German/English
  suffix stemmer (``unterstützt`` = ``unterstützen``), a few domain synonyms
  (``Gemeinde``/``Stadt`` = ``Kommune``);
* word order ignored (token sets).

The similarity of two texts (:func:`similarity`, 0–100) is the IDF-weighted Dice overlap of
their token sets (words shared by many items count less), blended with rapidfuzz's
``token_set_ratio`` of the normalised strings, which tolerates spelling variants:

.. math::

    s = 100 \\cdot \\left(0.6\\,\\frac{2\\sum_{t \\in A \\cap B} w_t}{\\sum_{t\\in A} w_t + \\sum_{t \\in B} w_t}
        + 0.4\\,\\frac{\\text{token\\_set\\_ratio}(A, B)}{100}\\right),
    \\qquad w_t = \\log\\frac{1 + N}{1 + n_t} + 1

with :math:`N` the number of item texts and :math:`n_t` those containing token :math:`t`
(scikit-learn's smoothed IDF). Columns are assigned to items one-to-one by the Hungarian method
(:func:`assign`), so two columns never get the same item.

Example
-------
>>> normalize_text("Die Gemeinde unterstützt das Thema sichtbar!")
'kommun unterstuetz thema sichtbar'
>>> header_parts("G01Q03[SQ002]. Wie sehr trifft das zu? [Die Kommune hilft.]").code
'G01Q03[SQ002]'
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "HeaderParts",
    "TextIndex",
    "assign",
    "closest",
    "header_parts",
    "normalize_text",
    "similarity",
    "tokens",
]

_TRANSLIT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "é": "e", "è": "e", "à": "a"})
# gendered forms: Bürgermeister/in, Bürger*innen, Bürger:innen, Bürger_innen, BürgerInnen, Bürger(innen)
_GENDER = re.compile(r"(?<=\w)(?:[/*:_]-?in(?:nen)?|\(in(?:nen)?\)|In(?:nen)?(?=\b))")
_NON_WORD = re.compile(r"[^\w]+")
_DIGITS_ONLY = re.compile(r"^\d+$")

#: Words that carry no meaning for matching (German and English function words, survey fillers).
_STOP = (
    """
    der die das den dem des ein eine einer eines einem einen und oder aber auch noch nur schon sehr
    ist sind war waren wird werden wurde wurden hat haben hatte hatten sein seine ihr ihre ihrer ihren
    es sie er wir uns unser unsere unserer unseren unserem ich mich mir du dich dir man
    zu zum zur in im ins an am auf aus bei mit nach von vom vor fuer ueber unter durch um bis
    als wie wo was wer dass ob wenn so dabei dazu damit hier dort bisher
    folgend folgende folgenden folgendes aussage aussagen
    the a an and or of to in on at for with by from is are was were be been has have had it its
    this that these those our we us you your they their as how far do does did not
    bitte please
    """
)
STOP_WORDS = frozenset(_STOP.split())
#: Domain synonyms, applied after stemming: different words for the same thing.
SYNONYMS = {
    "gemeind": "kommun",
    "stadt": "kommun",
    "kommunal": "kommun",
    "municipality": "kommun",
    "municipal": "kommun",
    "town": "kommun",
    "buergerschaftlich": "engagement",
    "ehrenamt": "engagement",
    "ehrenamtlich": "engagement",
    "engagiert": "engagement",
    "engag": "engagement",
    "engagierten": "engagement",
}
# light suffix stripping, longest first (German and English inflection)
_SUFFIXES = ("ungen", "innen", "ende", "ern", "em", "en", "er", "es", "te", "st", "t", "e", "n", "s",
             "ing", "ed", "ly")


@functools.lru_cache(maxsize=1 << 15)
def _stem(word: str) -> str:
    if len(word) <= 4 or _DIGITS_ONLY.match(word):
        return word
    for suf in _SUFFIXES:
        if word.endswith(suf) and len(word) - len(suf) >= 4:
            word = word[: -len(suf)]
            break
    return SYNONYMS.get(word, word)


@functools.lru_cache(maxsize=1 << 15)
def normalize_text(text: object) -> str:
    """Normalised, stemmed, stop-word-free form of a question text (tokens in input order).

    >>> normalize_text("Bürgermeister/in, Verwaltung und Gemeinderat werden eingebunden.")
    'buergermeist verwaltung gemeindera eingebund'
    """
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text))
    s = _GENDER.sub("", s)
    s = s.casefold().translate(_TRANSLIT)
    words = [w for w in _NON_WORD.sub(" ", s.replace("_", " ")).split() if w not in STOP_WORDS]
    return " ".join(_stem(w) for w in words if w)


def tokens(text: object) -> frozenset[str]:
    """The set of normalised tokens of ``text`` (word order does not matter)."""
    return frozenset(normalize_text(text).split())


# ---------------------------------------------------------------- header styles
@dataclass(frozen=True)
class HeaderParts:
    """A header split into what the tools put there.

    Attributes
    ----------
    code : str
        The tool's own variable code (``G01Q03[SQ002]``, ``AB01_03``, ``kommunal/KOM01``) or "".
    stem : str
        The question text shared by a block (``Wie sehr stimmen Sie zu?``) or "".
    item : str
        The sub-question / item text, else the whole question text.
    """

    code: str
    stem: str
    item: str

    @property
    def texts(self) -> tuple[str, ...]:
        """The texts worth matching against item wordings, most specific first."""
        out = [t for t in (self.item, f"{self.stem} {self.item}".strip()) if t]
        return tuple(dict.fromkeys(out))


_LS_CODE_TEXT = re.compile(r"^\s*([A-Za-z][\w]*(?:\s?\[[^\]]+\])*)\.\s+(.*)$", re.S)  # CODE[SQ001]. Frage [Teil]
_BRACKETS = re.compile(r"^(.*?)\s*\[([^\[\]]+)\]\s*$", re.S)  # Frage [Teilfrage]
_BARE_CODE = re.compile(r"^[A-Za-z_][\w.]*\d[\w.]*(?:\s?\[[\w.\-]+\])*$|^[A-Za-z_][\w.]*(?:\s?\[[\w.\-]+\])+$")
_KOBO_PATH = re.compile(r"^[\w.\-]+(?:/[\w.\-]+)+$")


def header_parts(header: object) -> HeaderParts:
    """Split a header into the tool's code, the question stem and the item text.

    Handles LimeSurvey ``CODE[SQ001]. Frage [Teilfrage]`` and ``Frage [Teilfrage]`` (also with a
    leading space and no stem: ``" [Teilfrage]"``), Kobo XML paths ``group/sub/name`` (the name with
    underscores as words), SoSci and LimeSurvey codes (``AB01_02``, ``Q3[SQ001]``) and plain
    question texts (Forms, Kobo label headers).

    >>> header_parts("Beurteile: [Statistik ist trocken.]")
    HeaderParts(code='', stem='Beurteile:', item='Statistik ist trocken.')
    >>> header_parts("grp_1/Die_Kommune_hilft")
    HeaderParts(code='grp_1/Die_Kommune_hilft', stem='', item='Die Kommune hilft')
    """
    text = "" if header is None else unicodedata.normalize("NFC", str(header)).strip()
    code = ""
    m = _LS_CODE_TEXT.match(text)
    if m and (" " not in m.group(1).split("[")[0]):
        code, text = m.group(1).strip(), m.group(2).strip()
    elif _BARE_CODE.match(text):
        # a bare code such as "G03Q13[1]", "g0[CICSE_Y2011]" or "Q1": no text to compare
        return HeaderParts(code=text, stem="", item="")
    if _KOBO_PATH.match(text) or (re.fullmatch(r"[\w.\-]+", text) and "_" in text):
        last = text.rsplit("/", 1)[-1]
        if re.fullmatch(r"[A-Z]{1,3}\d{2}_\d{2}", last) or re.fullmatch(r"[A-Za-z]{1,4}\d+", last):
            return HeaderParts(code=text, stem="", item="")
        return HeaderParts(code=text, stem="", item=last.replace("_", " ").strip())
    m = _BRACKETS.match(text)
    if m:
        return HeaderParts(code=code, stem=m.group(1).strip(), item=m.group(2).strip().lstrip(".…").strip())
    return HeaderParts(code=code, stem="", item=text)


# ---------------------------------------------------------------- similarity
class TextIndex:
    """IDF weights of the tokens of a set of reference texts (the item wordings).

    Parameters
    ----------
    texts : iterable of str
        The reference texts (one per item and language).
    """

    def __init__(self, texts: Iterable[str]) -> None:
        docs = [tokens(t) for t in texts]
        self.n_docs = len(docs)
        df: dict[str, int] = {}
        for d in docs:
            for t in d:
                df[t] = df.get(t, 0) + 1
        self._df = df

    def weight(self, token: str) -> float:
        """Smoothed IDF weight :math:`\\log((1+N)/(1+n_t)) + 1`."""
        return math.log((1 + self.n_docs) / (1 + self._df.get(token, 0))) + 1.0

    def similarity(self, a: object, b: object) -> float:
        """Similarity 0–100 of two texts (see the module docstring)."""
        return similarity(a, b, self)


def similarity(a: object, b: object, index: TextIndex | None = None) -> float:
    """Similarity 0–100 of two question texts after normalisation (module docstring formula).

    >>> round(similarity("Die Kommune stellt Räume bereit.", "Räume stellt die Gemeinde bereit"))
    100
    """
    from rapidfuzz import fuzz

    ta, tb = tokens(a), tokens(b)
    if not ta or not tb:
        return 0.0
    w = index.weight if index is not None else (lambda _t: 1.0)
    inter = sum(w(t) for t in ta & tb)
    dice = 2 * inter / (sum(w(t) for t in ta) + sum(w(t) for t in tb))
    fuzzy = fuzz.token_set_ratio(normalize_text(a), normalize_text(b)) / 100.0
    return 100.0 * (0.6 * dice + 0.4 * fuzzy)


def closest(value: object, choices: Sequence[str], min_score: float = 75.0) -> str | None:
    """The choice most similar to ``value`` (rapidfuzz ``WRatio`` on case-folded text), if any
    reaches ``min_score`` -- for "Meinten Sie 'stimme eher zu'?".

    >>> closest("stimme eher zuu", ["stimme voll zu", "stimme eher zu"])
    'stimme eher zu'
    """
    from rapidfuzz import fuzz, process

    if not choices:
        return None
    key = unicodedata.normalize("NFC", str(value)).casefold().strip()
    folded = [unicodedata.normalize("NFC", c).casefold() for c in choices]
    hit = process.extractOne(key, folded, scorer=fuzz.WRatio, score_cutoff=min_score)
    if hit is None:
        return None
    return choices[hit[2]]


def assign(scores: np.ndarray, min_score: float) -> list[int | None]:
    """One-to-one assignment of rows (columns of an export) to targets (items) maximising the
    summed score (Hungarian method, :func:`scipy.optimize.linear_sum_assignment`); pairs below
    ``min_score`` are left unassigned (None).

    >>> assign(np.array([[90.0, 80.0], [85.0, 20.0]]), 50)
    [1, 0]
    """
    from scipy.optimize import linear_sum_assignment

    out: list[int | None] = [None] * scores.shape[0]
    if scores.size == 0:
        return out
    masked = np.where(scores >= min_score, scores, 0.0)
    rows, cols = linear_sum_assignment(masked, maximize=True)
    for r, c in zip(rows, cols, strict=True):
        if scores[r, c] >= min_score:
            out[int(r)] = int(c)
    return out
