"""Draft a mapping file for exports whose headers are not our item codes (``--suggest-mapping``).

Every header of the answer sheet of each file is resolved by the conventions of
:mod:`surveys.formats`; the rest are fuzzy-matched (rapidfuzz ``token_sort_ratio``) against item codes,
item wordings (German and English) and field names. Answer texts that are no answer option are
listed under ``values`` for the user to assign a code. The draft never overwrites a decision: it
is a starting point to check, then pass with ``--mapping``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from core.errors import BausteinError
from surveys import load_instrument
from surveys.instrument import Instrument

from .findings import FindingCollector
from .mapping import mapping_to_yaml
from .normalize import norm_key
from .pipeline import _build_context, _pick_sheets, collect_inputs
from .readers import inspect_input, read_raw

__all__ = ["suggest_mapping"]

#: Fuzzy scores at or above this are proposed as the target; below, the column is proposed as "ignore".
ACCEPT_SCORE = 80.0


def suggest_mapping(
    paths: str | Path | Sequence[str | Path],
    instrument: Instrument | str | Path = "sensibilisierung",
    out: str | Path | None = None,
    max_values: int = 200,
) -> str:
    """Draft mapping (YAML text) for the headers of the given files; written to ``out`` if given.

    Parameters
    ----------
    paths : path or list of paths
        Files or folders, as for :func:`surveys.importing.read_responses`.
    instrument : Instrument, name or file
    out : path, optional
        Where to write the draft.
    max_values : int
        At most this many unrecognised answer texts are listed.
    """
    inst = instrument if isinstance(instrument, Instrument) else load_instrument(instrument)
    if isinstance(paths, (str, Path)):
        paths = [paths]
    ctx = _build_context(inst, None, "auto", False, False, None, None)
    columns: dict[str, tuple[str, str]] = {}
    values: dict[str, list[str]] = {}
    for f in collect_inputs(paths):
        try:
            meta = inspect_input(f)
            sheets = read_raw(f, meta.kind)
        except BausteinError:
            continue
        main, h, _ = _pick_sheets(sheets, ctx, f.as_posix(), FindingCollector())
        if main is None or h is None:
            continue
        headers = main.cells.iloc[h]
        data = main.cells.iloc[h + 1 :]
        for pos, head in headers.items():
            if not isinstance(head, str) or not head.strip() or head in columns:
                continue
            target = ctx.index.resolve(head)
            item = None
            if target is not None and target.kind == "meta":
                continue
            if target is not None and target.kind in {"item", "field"}:
                columns[head] = (target.name, "erkannt / recognised")
                item = target.name if target.kind == "item" else None
            else:
                sugg = ctx.index.suggest(head, min_score=50)
                if sugg and sugg[1] >= ACCEPT_SCORE:
                    columns[head] = (sugg[0], f"Vorschlag, Ähnlichkeit {sugg[1]:.0f} – bitte prüfen / please check")
                    item = sugg[0] if sugg[0] in inst.item_codes else None
                elif sugg:
                    columns[head] = ("ignore", f"unsicher: {sugg[0]}? (Ähnlichkeit {sugg[1]:.0f})")
                else:
                    columns[head] = ("ignore", "kein Treffer / no match")
            if item is not None:
                lookup = ctx.lookups[item]
                for raw in pd.unique(data[pos].dropna()):
                    if len(values) >= max_values:
                        break
                    _, _, problem = lookup.lookup(raw)
                    if problem == "value_unknown_label":
                        values.setdefault(norm_key(raw) and str(raw).strip(), []).append(head)
    text = mapping_to_yaml(inst, columns, values)
    if out is not None:
        Path(out).write_text(text, encoding="utf-8")
    return text
