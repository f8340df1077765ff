"""Which recommendations of the Baustein address a statement: the "Ansatzpunkte" of a profile.

The Baustein gives recommendations in two lists, *Für die Kommune* and *Für die
Zivilgesellschaft*; the instrument turned each into an item (``source_section`` names the list,
``source_statement`` keeps the Baustein's wording). Items from the other sections (effects of
municipal support, reflections, results) are addressed by some of these recommendations. For the
packaged instrument the links are set by hand in :data:`ADDRESSED_BY`; for any other instrument
of the series the recommendations whose wording is closest to the statement are taken
(token-set similarity, :mod:`rapidfuzz`), one per list.

>>> from surveys import Instrument
>>> inst = Instrument.load("sensibilisierung")
>>> [(r.side, r.statement) for r in recommendations_for(inst, "WIR05")][0]
('Für die Kommune', 'Räume, Kommunikation und organisatorische Unterstützung bereitstellen')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["ADDRESSED_BY", "Recommendation", "is_recommendation", "recommendations_for", "side_of"]

#: Per instrument: item -> the recommendation items (codes) that address it, most direct first.
ADDRESSED_BY: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "sensibilisierung": {
        # the recommendations themselves: their own wording plus the partner's matching one
        "KOM01": ("KOM01", "ZIV05"), "KOM02": ("KOM02", "ZIV01"), "KOM03": ("KOM03", "ZIV06"),
        "KOM04": ("KOM04", "ZIV03"), "KOM05": ("KOM05", "ZIV05"), "KOM06": ("KOM06", "ZIV05"),
        "KOM07": ("KOM07", "ZIV04"),
        "ZIV01": ("ZIV01", "KOM02"), "ZIV02": ("ZIV02", "KOM04"), "ZIV03": ("ZIV03", "KOM04"),
        "ZIV04": ("ZIV04", "KOM07"), "ZIV05": ("ZIV05", "KOM06"), "ZIV06": ("ZIV06", "KOM03"),
        # Warum ist kommunale Unterstützung wichtig?
        "WIR01": ("KOM01", "KOM03"),  # Verbindlichkeit und Rückhalt
        "WIR02": ("KOM01", "ZIV05"),  # Sichtbarkeit und politische Bedeutung
        "WIR03": ("KOM07", "ZIV04"),  # Zusammenarbeit verschiedener Akteure
        "WIR04": ("KOM06", "ZIV02"),  # Vertrauen und Motivation der Engagierten
        "WIR05": ("KOM05", "ZIV04"),  # Ressourcen, Räume und Netzwerke
        "WIR06": ("KOM03", "ZIV06"),  # nachhaltige lokale Strukturen
        "WIR07": ("KOM05", "ZIV03"),  # Fördermöglichkeiten
        # Reflexion & Erfahrungen
        "PAR01": ("KOM07", "ZIV02"),  # gemeinsam Verantwortung übernehmen
        "PAR02": ("KOM01", "ZIV01"),  # klares kommunales Bekenntnis
        "PAR03": ("KOM02", "ZIV01"),  # Bürgermeister/in als Schlüsselperson
        "PAR04": ("KOM04", "ZIV02"),  # Beteiligung schafft Identifikation
        "PAR05": ("ZIV04", "KOM06"),  # starke Zivilgesellschaft
        # Ergebnis
        "ERG01": ("KOM03", "ZIV06"),  # tragfähige Unterstützungsstrukturen
        "ERG02": ("KOM04", "ZIV03"),  # neue Formen des Engagements
        "ERG03": ("KOM07", "ZIV05"),  # Lebensqualität vor Ort
        "ERG04": ("KOM02", "ZIV01"),  # Kommune als Mitgestalterin
        "ERG05": ("ZIV02", "KOM07"),  # nicht alleinverantwortlich
    },
}


@dataclass(frozen=True)
class Recommendation:
    """One recommendation of the Baustein, quoted: the list it stands in and its wording."""

    item: str
    side: str
    statement: str


def side_of(section: str) -> str:
    """The recommendation list named in a ``source_section`` ("… — Für die Kommune" -> "Für die Kommune")."""
    for sep in ("—", "–", " - ", ":"):
        if sep in section:
            return section.split(sep)[-1].strip()
    return section.strip()


def is_recommendation(item: Any) -> bool:
    """Whether an item was derived from one of the Baustein's recommendation lists."""
    s = item.source_section.lower()
    return "empfehlung" in s or "für die kommune" in s or "für die zivilgesellschaft" in s


def _as_recommendation(item: Any) -> Recommendation:
    return Recommendation(item.code, side_of(item.source_section), item.source_statement)


def recommendations_for(instrument: Any, item_code: str, limit: int = 2) -> list[Recommendation]:
    """The Baustein's recommendations that address ``item_code``, most direct first.

    Parameters
    ----------
    instrument : surveys.instrument.Instrument
    item_code : str
    limit : int
        At most this many (the hand-set links of :data:`ADDRESSED_BY` name two).

    Returns
    -------
    list of Recommendation
        Empty when the instrument has no recommendation items.
    """
    recs = [i for i in instrument.items if is_recommendation(i) and i.source_statement]
    if not recs:
        return []
    by_code = {i.code: i for i in recs}
    links = ADDRESSED_BY.get(instrument.name, {}).get(item_code)
    if links and all(c in by_code for c in links):
        return [_as_recommendation(by_code[c]) for c in links[:limit]]
    from rapidfuzz import fuzz

    item = instrument.item(item_code)
    chosen: list[Recommendation] = []
    if is_recommendation(item):
        chosen.append(_as_recommendation(item))
    sides = list(dict.fromkeys(side_of(i.source_section) for i in recs))
    for side in sides:
        if len(chosen) >= limit:
            break
        if any(r.side == side for r in chosen):
            continue
        pool = [i for i in recs if side_of(i.source_section) == side]
        best = max(pool, key=lambda i: (fuzz.token_set_ratio(item.source_statement, i.source_statement), i.code))
        chosen.append(_as_recommendation(best))
    return chosen[:limit]
