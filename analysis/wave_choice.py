"""Which wave the cross-sectional tables use: a checked ``--wave``, or the latest substantial wave.

* :func:`check_wave_options` checks ``--wave`` and ``--wave-order`` against the waves of a dataset
  and raises an :class:`core.errors.AnalysisError` (``wave_unknown``, ``wave_order_unknown``,
  ``wave_order_incomplete``, ``wave_order_duplicate``) naming the waves present, before anything
  is computed or written (``baustein analyse`` and ``baustein report`` exit 2).
* :func:`choose_wave` picks the default cross-sectional wave: the **latest substantial wave**
  of the wave order, and names the later waves it passed over.

A wave is *substantial* when

(a) at least ``k = min(2, G)`` municipalities have at least ``min_n`` respondents in it, where
    ``G`` is the largest number of such municipalities in any wave (``k = 2`` for a programme,
    ``k = 1`` for a dataset of one municipality; rule (a) does not apply when no municipality
    reaches ``min_n`` in any wave), **or**
(b) it has at least :data:`WAVE_MIN_SHARE` (half) of the respondents of the largest wave.

The largest wave is always substantial, so there always is a default. A typo label ("2052"
for one respondent, "Welle 2" for one municipality's 18 rows) is passed over with the note
``wave_default_passed_over`` (label and n of each wave passed over, how to choose it with
``--wave``); an explicit ``--wave`` is always used as given. The change between waves and the
difference-in-differences compare the first and the last *substantial* wave.

Example
-------
>>> f = pd.DataFrame({"ags": ["a"] * 6 + ["b"] * 6 + ["a"], "wave": ["2025"] * 12 + ["2052"]})
>>> c = choose_wave(f, ["2025", "2052"], group="ags", min_n=5)
>>> c.wave, c.passed_over
('2025', (('2052', 1, 1),))
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from .notes import analysis_error, items_text

__all__ = ["WAVE_MIN_SHARE", "WaveChoice", "check_wave_options", "choose_wave", "wave_sizes"]

#: Rule (b): a wave with at least this share of the respondents of the largest wave is substantial.
WAVE_MIN_SHARE = 0.5


@dataclass(frozen=True)
class WaveChoice:
    """The cross-sectional wave and why.

    Attributes
    ----------
    wave : str or None
        The wave used (None without waves).
    explicit : bool
        True when the user chose it (``--wave``).
    passed_over : tuple of (label, n, n_municipalities)
        Waves later in the order than ``wave`` that the default rule passed over (respondents,
        municipalities with any respondent).
    k : int
        Municipalities with ``min_n`` respondents rule (a) asks for (0: rule (a) does not apply).
    substantial : tuple of str
        Every substantial wave, in order (the change between waves compares the first and the last).
    """

    wave: str | None
    explicit: bool = False
    passed_over: tuple[tuple[str, int, int], ...] = ()
    k: int = 0
    substantial: tuple[str, ...] = ()


def _labels(values: pd.Series) -> pd.Series:
    return values.astype("string").str.strip()


def wave_sizes(frame: pd.DataFrame, waves: Sequence[str], group: str, min_n: int) -> pd.DataFrame:
    """Per wave (in ``waves`` order): ``n`` respondents, ``n_groups`` municipalities with any respondent,
    ``n_groups_min_n`` municipalities with at least ``min_n`` respondents."""
    w = _labels(frame["wave"]) if "wave" in frame.columns else pd.Series(pd.NA, index=frame.index, dtype="string")
    rows = []
    for label in waves:
        sub = frame[(w == label).fillna(False).to_numpy(dtype=bool)]
        per = sub[group].value_counts() if group in sub.columns else pd.Series(dtype=int)
        rows.append({"wave": label, "n": len(sub), "n_groups": int((per > 0).sum()),
                     "n_groups_min_n": int((per >= min_n).sum())})
    return pd.DataFrame(rows, columns=["wave", "n", "n_groups", "n_groups_min_n"])


def choose_wave(frame: pd.DataFrame, waves: Sequence[str], group: str, min_n: int,
                wave: str | None = None) -> WaveChoice:
    """The cross-sectional wave: ``wave`` when given, else the latest substantial wave (module docstring).

    Parameters
    ----------
    frame : DataFrame
        Respondents of all waves with columns ``wave`` and ``group``.
    waves : sequence of str
        Wave labels in order, earliest first.
    group : str
        Municipality column.
    min_n : int
        Minimum cell size.
    wave : str, optional
        The user's choice (not checked here; see :func:`check_wave_options`).
    """
    if not waves:
        return WaveChoice(None)
    sizes = wave_sizes(frame, waves, group, min_n)
    big = int(sizes["n_groups_min_n"].max())
    k = min(2, big)
    n_max = int(sizes["n"].max())
    ok = ((sizes["n_groups_min_n"] >= k) & (k > 0)) | (sizes["n"] >= WAVE_MIN_SHARE * n_max)
    substantial = tuple(str(w) for w in sizes.loc[ok, "wave"])
    if wave is not None:
        return WaveChoice(str(wave).strip(), explicit=True, k=k, substantial=substantial)
    pos = max(i for i in range(len(sizes)) if ok.iloc[i])
    later = sizes.iloc[pos + 1:]
    return WaveChoice(str(sizes["wave"].iloc[pos]), k=k, substantial=substantial,
                      passed_over=tuple((str(r.wave), int(r.n), int(r.n_groups)) for r in later.itertuples()))


def _present(dataset: Any) -> tuple[list[str], pd.Series]:
    resp = dataset.respondents
    if "wave" not in resp.columns:
        return [], pd.Series(dtype=int)
    counts = _labels(resp["wave"]).dropna()
    counts = counts[counts != ""].value_counts()
    order = [str(w) for w in dataset.wave_order()] if hasattr(dataset, "wave_order") else sorted(counts.index)
    return order, counts


def _found(order: list[str], counts: pd.Series) -> str:
    return ", ".join(f"{w} (n = {int(counts.get(w, 0))})" for w in order) or "–"


def check_wave_options(dataset: Any, wave: str | None = None, wave_order: Sequence[str] | None = None) -> None:
    """Check ``--wave`` and ``--wave-order`` against the waves of ``dataset``; raise when they do not fit.

    ``wave`` must be a wave of the data. ``wave_order`` must name every wave of the data exactly
    once (a partial order would leave the place of the waves not named to a guess, and a typo
    wave would silently become the latest one).

    Raises
    ------
    core.errors.AnalysisError
        ``wave_unknown``, ``wave_order_unknown``, ``wave_order_incomplete`` or
        ``wave_order_duplicate``; the message names the waves present with their n.

    Examples
    --------
    >>> class D:
    ...     respondents = pd.DataFrame({"wave": ["2025", "2025", "2027"]})
    >>> from core.errors import AnalysisError
    >>> try:
    ...     check_wave_options(D(), "2026")
    ... except AnalysisError as exc:
    ...     print(exc.problem.message("en"))
    Wave '2026' (--wave) is not in this dataset. Waves present: 2025 (n = 2), 2027 (n = 1).
    """
    if wave is None and wave_order is None:
        return
    order, counts = _present(dataset)
    found = _found(order, counts)
    example = ",".join(order) or "2025,2027"
    if wave_order is not None:
        declared = [str(w).strip() for w in wave_order]
        dups = sorted({w for w in declared if declared.count(w) > 1})
        if dups:
            raise analysis_error("wave_order_duplicate", duplicates=items_text(dups), example=example)
        unknown = [w for w in declared if w not in counts.index]
        if unknown:
            raise analysis_error("wave_order_unknown", unknown=items_text(unknown), found=found, example=example)
        missing = [w for w in order if w not in declared]
        if missing:
            raise analysis_error("wave_order_incomplete", missing=items_text(missing), found=found,
                                 example=",".join([*declared, *missing]))
    if wave is not None and str(wave).strip() not in counts.index:
        raise analysis_error("wave_unknown", wave=str(wave), found=found)
