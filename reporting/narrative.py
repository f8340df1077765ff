"""A profile that speaks: plain sentences from the results, and starting points from the Baustein.

:func:`profile_text` turns the results of one municipality into

* 3–6 sentences a mayor can read (:class:`Sentence`): the strongest and the weakest scale
  compared with the state, the place in the funnel plots, the largest gap between roles and the
  largest change since the last wave, each with words for its *size* and its *uncertainty*,
  kept apart (:func:`size_word`, :func:`chance_words`): the size from the difference in points
  (*etwa gleichauf* below 0.1, *etwas* below 0.3, *merklich* below 0.6, *deutlich* from 0.6 on the
  1-5 scale), the uncertainty from the funnel limits (or the 95 % interval of a difference):
  *mehr als Zufall* outside them, *im Rahmen des Zufalls* inside -- so 1,70 against 2,50 with
  few answers reads "deutlich niedriger, aber bei 8 Antworten noch im Rahmen des Zufalls";
* the **Ansatzpunkte aus dem Baustein** (:class:`Advice`): the statements with the lowest
  scores, traced to the Baustein statement they were derived from, with the Baustein's
  recommendations that address them, quoted (:mod:`reporting.baustein_advice`).

Rules: no sentence claims a cause (the data show associations); no sentence describes a group
below the minimum cell size (suppressed rows are never read); a part without data says so.
Strongest and weakest are defined on the funnel table: the scales where the municipality stands
highest and lowest *among the municipalities*, i.e. the largest and smallest standardised
deviation from the state mean (``z_adjusted``: (mean − state mean) / its standard error with the
between-municipality spread added, Spiegelhalter 2005), so that a scale on which municipalities
differ a lot anyway does not count as weak for a difference that is usual there. Without that
column the raw difference ``value − target`` is used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from . import labels as L  # noqa: N812
from .baustein_advice import Recommendation, recommendations_for
from .formatting import fmt_interval, fmt_number, fmt_signed
from .profile_data import ProfileData, suppressed_mask

__all__ = ["Advice", "ProfileText", "Sentence", "profile_text"]


@dataclass(frozen=True)
class Sentence:
    """One sentence of the profile text (Markdown: scale names in bold) and what it is about."""

    kind: str  # "strongest" | "weakest" | "funnel" | "roles" | "change"
    text: str
    construct: str | None = None


@dataclass(frozen=True)
class Advice:
    """A low-scoring statement, its Baustein statement and the recommendations that address it."""

    item: str
    wording: str
    mean: float
    state_mean: float
    n: int
    reverse: bool
    section: str
    statement: str
    recommendations: tuple[Recommendation, ...] = ()


@dataclass(frozen=True)
class ProfileText:
    """The text of one profile (see module docstring)."""

    ags: str
    name: str
    lang: str
    n: int | None
    sentences: tuple[Sentence, ...] = ()
    advice: tuple[Advice, ...] = ()
    strongest: str | None = None
    weakest: str | None = None
    note: str = ""
    min_n: int = 5
    extra: dict[str, Any] = field(default_factory=dict)

    def summary_markdown(self) -> str:
        """The sentences as one Markdown paragraph (or the note why there are none)."""
        if not self.sentences:
            return self.note
        return " ".join(s.text for s in self.sentences)

    def advice_markdown(self) -> str:
        """The "Ansatzpunkte aus dem Baustein" as a Markdown list with quotations."""
        return advice_markdown(self.advice, self.name, self.lang, self.min_n)


def _q(text: str, lang: str) -> str:
    return f"„{text}“" if lang == "de" else f"“{text}”"


def _num(x: Any, lang: str, d: int = 2) -> str:
    return fmt_number(x, d, lang)


#: Size of a difference in points on the 1-5 scale: (upper bound, German, English), smallest first.
SIZE_WORDS: tuple[tuple[float, str, str], ...] = (
    (0.10, "etwa gleichauf", "about level"),
    (0.30, "etwas", "slightly"),
    (0.60, "merklich", "noticeably"),
    (float("inf"), "deutlich", "markedly"),
)


def size_word(diff: float, lang: str = "de") -> str:
    """How large a difference in points is, in words, with its direction.

    >>> size_word(-0.8), size_word(0.05), size_word(0.2, "en")
    ('deutlich niedriger', 'etwa gleichauf', 'slightly higher')
    """
    d = abs(float(diff))
    for bound, de, en in SIZE_WORDS:
        if d < bound:
            if bound == SIZE_WORDS[0][0]:
                return de if lang == "de" else en
            if lang == "de":
                return f"{de} {'höher' if diff > 0 else 'niedriger'}"
            return f"{en} {'higher' if diff > 0 else 'lower'}"
    raise AssertionError("unreachable")  # pragma: no cover - the last bound is infinite


def chance_words(outside: str | None, diff: float, n: Any, lang: str = "de") -> str:
    """Whether a difference is more than chance, in words (the funnel level it lies outside, if any).

    ``outside`` is ``"99,8"``/``"95"`` (or the English levels) when the value lies outside those
    limits, None inside; a difference that is not small but inside the limits says that the few
    answers (``n``) leave it within chance.

    >>> chance_words(None, -0.8, 8)
    'aber bei 8 Antworten noch im Rahmen des Zufalls'
    >>> chance_words("95", 0.4, 40, "en")
    'more than chance (outside the 95 % limits)'
    """
    de = lang == "de"
    if outside:
        return f"mehr als Zufall (außerhalb der {outside}-%-Grenzen)" if de else \
            f"more than chance (outside the {outside} % limits)"
    if abs(float(diff)) >= SIZE_WORDS[1][0]:
        few = fmt_number(n, 0, lang, count=True) if n is not None and not pd.isna(n) else None
        if de:
            return f"aber bei {few} Antworten noch im Rahmen des Zufalls" if few else "aber noch im Rahmen des Zufalls"
        return f"but with {few} answers still within the range of chance" if few else "but still within the range of chance"
    return "im Rahmen des Zufalls" if de else "within the range of chance"


def _position(row: pd.Series, lang: str) -> str:
    """Size and uncertainty of the difference to the state mean: ``deutlich niedriger, aber … Zufalls``."""
    diff = float(row["value"]) - float(row["target"])
    de = lang == "de"
    outside = None
    for col, level_de, level_en in (("outside_99.8", "99,8", "99.8"), ("outside_95", "95", "95")):
        if bool(row.get(col, False)):
            outside = level_de if de else level_en
            break
    return f"{size_word(diff, lang)}, {chance_words(outside, diff, row.get('n'), lang)}"


def _certainty(lo: Any, hi: Any, lang: str, diff: Any = 0.0) -> str:
    """Size and uncertainty of a difference with a 95 % interval (clear when it excludes zero)."""
    clear = pd.notna(lo) and pd.notna(hi) and (float(lo) > 0 or float(hi) < 0)
    d = 0.0 if pd.isna(diff) else abs(float(diff))
    big = ("ein deutlicher", "a marked") if d >= SIZE_WORDS[2][0] else ("ein merklicher", "a noticeable")
    if lang == "de":
        if clear:
            return "mehr als Zufall (das 95-%-KI schließt 0 aus)"
        return (f"{big[0]} Unterschied, aber noch im Rahmen des Zufalls" if d >= SIZE_WORDS[1][0]
                else "im Rahmen des Zufalls")
    if clear:
        return "more than chance (the 95 % CI excludes 0)"
    return f"{big[1]} difference, but still within the range of chance" if d >= SIZE_WORDS[1][0] else \
        "within the range of chance"


def standing(funnel_rows: pd.DataFrame) -> pd.Series:
    """How a municipality stands on each scale among all municipalities (larger = stronger).

    ``z_adjusted`` of the funnel table when present, else ``value − target``.
    """
    if "z_adjusted" in funnel_rows.columns and funnel_rows["z_adjusted"].notna().all():
        return funnel_rows["z_adjusted"].astype(float)
    return funnel_rows["value"].astype(float) - funnel_rows["target"].astype(float)


def _funnel_sentences(f: pd.DataFrame, name: str, labels: dict[str, str], lang: str) -> list[Sentence]:
    f = f.dropna(subset=["value", "target"])
    if f.empty:
        return []
    f = f.assign(diff=standing(f))
    best = f.loc[f["diff"].idxmax()]
    worst = f.loc[f["diff"].idxmin()]
    de = lang == "de"
    out = []
    c_best, c_worst = str(best["construct"]), str(worst["construct"])
    lab_best, lab_worst = labels.get(c_best, c_best), labels.get(c_worst, c_worst)
    # the best scale may still lie below the state mean (and the weakest above it): say so in words
    best_below = float(best["value"]) - float(best["target"]) <= -SIZE_WORDS[0][0]
    worst_above = float(worst["value"]) - float(worst["target"]) >= SIZE_WORDS[0][0]
    if de:
        nums = f"{_num(best['value'], lang)} gegenüber {_num(best['target'], lang)} im Landesmittel (Skala 1 bis 5)"
        out.append(Sentence("strongest", (
            f"Im Vergleich mit den anderen Kommunen schneidet {name} bei **{lab_best}** am besten ab, liegt aber auch "
            f"dort unter dem Landesmittel: {nums}, {_position(best, lang)}." if best_below else
            f"Am günstigsten steht {name} im Vergleich mit den anderen Kommunen bei **{lab_best}** da: {nums}, "
            f"{_position(best, lang)}."), c_best))
    else:
        nums = f"{_num(best['value'], lang)} against a state mean of {_num(best['target'], lang)} (scale 1 to 5)"
        out.append(Sentence("strongest", (
            f"Compared with the other municipalities, {name} does best on **{lab_best}**, but lies below the state "
            f"mean there too: {nums}, {_position(best, lang)}." if best_below else
            f"Compared with the other municipalities, {name} stands best on **{lab_best}**: {nums}, "
            f"{_position(best, lang)}."), c_best))
    if c_worst != c_best:
        if de:
            nums = f"{_num(worst['value'], lang)} gegenüber {_num(worst['target'], lang)} im Landesmittel"
            out.append(Sentence("weakest", (
                f"Am schwächsten schneidet die Kommune bei **{lab_worst}** ab, liegt aber auch dort über dem "
                f"Landesmittel: {nums}, {_position(worst, lang)}." if worst_above else
                f"Am ungünstigsten steht die Kommune bei **{lab_worst}** da: {nums}, {_position(worst, lang)}."),
                c_worst))
        else:
            nums = f"{_num(worst['value'], lang)} against {_num(worst['target'], lang)}"
            out.append(Sentence("weakest", (
                f"It does least well on **{lab_worst}**, but lies above the state mean there too: {nums}, "
                f"{_position(worst, lang)}." if worst_above else
                f"It stands weakest on **{lab_worst}**: {nums}, {_position(worst, lang)}."), c_worst))
    outside = f[f["outside_95"].astype(bool)] if "outside_95" in f.columns else f.iloc[0:0]
    k, total = len(f) - len(outside), len(f)
    if outside.empty:
        text = (f"In allen {total} Trichterdiagrammen liegt {name} innerhalb der 95-%-Grenzen: Die Abweichungen "
                "vom Landesmittel sind mit Zufall vereinbar." if de else
                f"In all {total} funnel plots {name} lies within the 95 % limits: its deviations from the state "
                "mean are compatible with chance.")
    else:
        up = [labels.get(c, c) for c, v, t in zip(outside["construct"], outside["value"], outside["target"]) if v >= t]
        down = [labels.get(c, c) for c, v, t in zip(outside["construct"], outside["value"], outside["target"]) if v < t]
        parts = []
        if up:
            parts.append(("über dem Landesmittel bei " if de else "above the state mean on ")
                         + ", ".join(f"**{u}**" for u in up))
        if down:
            parts.append(("unter dem Landesmittel bei " if de else "below the state mean on ")
                         + ", ".join(f"**{d}**" for d in down))
        text = (f"In den Trichterdiagrammen liegt {name} bei {k} von {total} Skalen innerhalb der Grenzen des "
                f"Zufalls; mehr als Zufall ist die Lage {' und '.join(parts)}." if de else
                f"In the funnel plots {name} lies within the limits of chance on {k} of {total} scales; more than "
                f"chance is its position {' and '.join(parts)}.")
    out.append(Sentence("funnel", text))
    return out


def _roles_sentence(gaps: pd.DataFrame | None, labels: dict[str, str], min_n: int, lang: str) -> Sentence:
    de = lang == "de"
    g = gaps if gaps is not None else pd.DataFrame()
    if len(g) and "suppressed" in g.columns:
        g = g[~g["suppressed"].astype(bool)]
    g = g.dropna(subset=["gap"]) if "gap" in g.columns else g.iloc[0:0]
    if g.empty:
        return Sentence("roles", (
            "Für einen Vergleich der Sicht von Verwaltung und Politik mit der von Vereinen und Engagierten gibt es "
            f"zu wenige Antworten auf einer Seite (Mindestzahl {min_n} je Seite)." if de else
            "There are too few answers on one side to compare the views of administration and politics with those "
            f"of associations and engaged citizens (minimum {min_n} per side)."))
    row = g.loc[g["gap"].abs().idxmax()]
    c = str(row["construct"])
    gap = float(row["gap"])
    ci = fmt_interval(row.get("ci_low"), row.get("ci_high"), 2, lang)
    cert = _certainty(row.get("ci_low"), row.get("ci_high"), lang, gap)
    if de:
        direction = "höher" if gap >= 0 else "niedriger"
        return Sentence("roles", (
            f"Am weitesten auseinander liegen die Rollen bei **{labels.get(c, c)}**: Verwaltung, Bürgermeister/in "
            f"und Gemeinderat antworten dort im Mittel um {_num(abs(gap), lang)} Punkte {direction} als Vereine und Engagierte "
            f"(95-%-KI {ci}), {cert}."), c)
    direction = "higher" if gap >= 0 else "lower"
    return Sentence("roles", (
        f"The roles differ most on **{labels.get(c, c)}**: administration, mayor and council answer on average "
        f"{_num(abs(gap), lang)} points {direction} than associations and engaged citizens (95 % CI {ci}), {cert}."), c)


def _change_sentence(waves: pd.DataFrame | None, labels: dict[str, str], n_waves: int, lang: str) -> Sentence:
    de = lang == "de"
    w = waves if waves is not None else pd.DataFrame()
    if n_waves < 2 or w.empty:
        return Sentence("change", (
            "Es liegt nur eine Befragungswelle vor; eine Veränderung lässt sich noch nicht zeigen." if de else
            "There is only one survey wave; a change cannot be shown yet."))
    if "suppressed" in w.columns:
        w = w[~w["suppressed"].astype(bool)]
    w = w.dropna(subset=["change"])
    if w.empty:
        return Sentence("change", (
            "Für einen Vergleich mit der letzten Befragungswelle gibt es in einer der Wellen zu wenige Antworten." if de
            else "One of the waves has too few answers for a comparison with the last survey wave."))
    row = w.loc[w["change"].abs().idxmax()]
    c = str(row["construct"])
    ci = fmt_interval(row.get("ci_low"), row.get("ci_high"), 2, lang)
    cert = _certainty(row.get("ci_low"), row.get("ci_high"), lang, row["change"])
    if de:
        return Sentence("change", (
            f"Seit der Welle {row['wave_from']} hat sich **{labels.get(c, c)}** am stärksten verändert: von "
            f"{_num(row['mean_from'], lang)} auf {_num(row['mean_to'], lang)} ({fmt_signed(row['change'], 2, lang)} "
            f"Punkte, 95-%-KI {ci}), {cert}."), c)
    return Sentence("change", (
        f"Since wave {row['wave_from']}, **{labels.get(c, c)}** changed most: from {_num(row['mean_from'], lang)} to "
        f"{_num(row['mean_to'], lang)} ({fmt_signed(row['change'], 2, lang)} points, 95 % CI {ci}), {cert}."), c)


def _advice(items: pd.DataFrame | None, state: pd.Series, inst: Any, lang: str, k: int) -> list[Advice]:
    if items is None or items.empty:
        return []
    vis = items[~items["suppressed"].astype(bool)].dropna(subset=["keyed_mean"])
    out = []
    for r in vis.sort_values(["keyed_mean", "item"]).head(k).itertuples():
        it = inst.item(r.item)
        out.append(Advice(
            item=r.item, wording=it.label(lang), mean=float(r.keyed_mean), state_mean=float(state.get(r.item, float("nan"))),
            n=int(r.n), reverse=bool(r.reverse), section=it.source_section, statement=it.source_statement,
            recommendations=tuple(recommendations_for(inst, r.item)),
        ))
    return out


def advice_markdown(advice: tuple[Advice, ...] | list[Advice], name: str, lang: str, min_n: int = 5) -> str:
    """The starting points as Markdown: statement, value, Baustein source, quoted recommendations."""
    de = lang == "de"
    if not advice:
        return (f"Für einzelne Aussagen gibt es zu wenige Antworten (Mindestzahl {min_n})." if de else
                f"Too few answers for single statements (minimum {min_n}).")
    lines = [(f"Die {len(advice)} Aussagen mit den niedrigsten Werten in {name} und was der Baustein dazu empfiehlt:"
              if de else f"The {len(advice)} statements with the lowest scores in {name} and what the Baustein "
                         "recommends:"), ""]
    for j, a in enumerate(advice, start=1):
        rev = (" (umgepolt: hier ist Ablehnung günstig)" if de else " (reversed: disagreement is favourable here)"
               ) if a.reverse else ""
        lines.append(f"{j}. **{_q(a.wording, lang)}**{rev} – {'Mittel' if de else 'mean'} {_num(a.mean, lang)} "
                     f"({'Land' if de else 'state'} {_num(a.state_mean, lang)}; n = {a.n})  ")
        own = [r for r in a.recommendations if r.statement == a.statement]
        others = [r for r in a.recommendations if r.statement != a.statement]
        if own:
            lines.append(f"   {'Empfehlung des Bausteins' if de else 'Recommendation of the Baustein'} "
                         f"(*{own[0].side}*): {_q(a.statement, lang)}  ")
        else:
            lines.append(f"   {'Aus dem Baustein' if de else 'From the Baustein'} ({a.section}): {_q(a.statement, lang)}  ")
        if others:
            recs = "; ".join(f"*{r.side}:* {_q(r.statement, lang)}" for r in others)
            head = (("Dazu empfiehlt der Baustein außerdem" if de else "The Baustein also recommends") if own else
                    ("Dazu empfiehlt der Baustein" if de else "The Baustein recommends"))
            lines.append(f"   {head}: {recs}")
    lines += ["", ("Die Werte zeigen, wo die Befragten am wenigsten zustimmen; über Ursachen sagen sie nichts."
                   if de else "The values show where respondents agree least; they say nothing about causes.")]
    return "\n".join(lines)


def profile_text(data: ProfileData, instrument: Any, ags: str, lang: str = "de", n_waves: int = 1,
                 advice_items: int = 3) -> ProfileText:
    """The sentences and starting points of one municipality's profile.

    Parameters
    ----------
    data : ProfileData
        Result rows and derived tables indexed by AGS (:meth:`ProfileData.build`).
    instrument : surveys.instrument.Instrument
    ags : str
    lang : {"de", "en"}
    n_waves : int
        Number of survey waves in the dataset (a change needs two).
    advice_items : int
        Number of low-scoring statements to trace to the Baustein.

    Returns
    -------
    ProfileText
        Without sentences (and with a note) when the municipality is below the minimum cell size.
    """
    ags = str(ags)
    over = data.overview.get(ags)
    name = str(over["name"].iloc[0]) if over is not None and "name" in over.columns and len(over) else ags
    if over is None or over.empty or bool(suppressed_mask(over).iloc[0]):
        return ProfileText(ags, name, lang, None, note=L.text("too_small", lang, k=data.min_n), min_n=data.min_n)
    n = int(over["n"].iloc[0])
    labels = {c.id: c.label(lang) for c in instrument.constructs}
    f = data.funnel.get(ags, pd.DataFrame())
    if len(f) and "suppressed" in f.columns:
        f = f[~f["suppressed"].astype(bool)]
    sentences = _funnel_sentences(f, name, labels, lang) if len(f) else []
    strongest = next((s.construct for s in sentences if s.kind == "strongest"), None)
    weakest = next((s.construct for s in sentences if s.kind == "weakest"), None)
    sentences.append(_roles_sentence(data.gaps.get(ags), labels, data.min_n, lang))
    sentences.append(_change_sentence(data.waves.get(ags), labels, n_waves, lang))
    advice = _advice(data.items.get(ags), data.state_items, instrument, lang, advice_items)
    return ProfileText(ags, name, lang, n, tuple(sentences), tuple(advice), strongest, weakest, min_n=data.min_n)
