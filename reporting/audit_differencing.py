"""The differencing attack of ``baustein audit``: recompute small groups from published figures.

:func:`attack_results` reads what a reader of the publication has -- ``results.json`` (the tables
with their codes, and the ``privacy`` block :func:`analysis.run` writes into its metadata: minimum
cell size, waves, construct roles and the cells of every table) and, when it lies beside it,
``results.xlsx`` (its visible numbers replace the JSON's, so a number edited or un-suppressed in the
workbook counts) -- rebuilds the populations every count describes (:mod:`analysis.partitions`)
and tries the attacks of :mod:`analysis.differencing`: a total minus its published parts, the
state minus the published municipalities, all waves minus one wave, two suppressed parts
together. Every group of 1 to ``min_n`` − 1 respondents whose count follows exactly is a
:class:`Leak`, with the published figures that give it (and its mean when they all carry one).

The attacker knows only what is published: the atoms are the rows of
``antworten_kommune_rolle`` (which municipality, wave and role had respondents), municipality
attributes come from ``kommunen_uebersicht``, ``typologie`` and ``typologie_fakten``. A cell whose
population the published tables do not pin down (e.g. a type group over municipalities whose type
is suppressed) is left out, as an attacker could not use it exactly either.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.differencing import Knowledge, candidate_groups, merge_atoms, merged_blocks
from analysis.partitions import (
    MeasureKey,
    PublicationContext,
    believed_links,
    describe_cells,
    is_suppressed,
    keep_linked,
    municipality_attributes,
)
from analysis.sections.context import funded
from analysis.table_catalogue import TABLES, Cell

__all__ = ["Leak", "attack_results", "attack_tables", "load_results_json", "overlay_workbook"]


@dataclass(frozen=True)
class Leak:
    """A group below the minimum cell size that the published figures give exactly.

    Attributes
    ----------
    file : str
        The results file attacked.
    measure : str
        What is counted (``score kommunal``, ``respondents``, ``item KOM01`` ...).
    group : str
        The group (municipality, roles, waves).
    n : int
        Its recovered size.
    mean : float or None
        Its recovered mean (when every figure used carries a mean).
    terms : tuple of (coefficient, table, row, column)
        The published figures and how they are combined (row: 0-based position in the table).
    """

    file: str
    measure: str
    group: str
    n: int
    mean: float | None
    terms: tuple[tuple[float, str, int, str], ...] = field(default_factory=tuple)

    @property
    def tables(self) -> list[str]:
        """The tables combined, in order of first use."""
        return list(dict.fromkeys(t for _, t, _, _ in self.terms))

    def derivation(self) -> str:
        """The combination as text: ``kommunen[2].n − perspektiven[2].n_reference − …``."""
        parts = []
        for i, (c, table, row, column) in enumerate(self.terms):
            sign = ("−" if c < 0 else "+") if i else ("−" if c < 0 else "")
            factor = "" if math.isclose(abs(c), 1.0) else f"{abs(c):g}·"
            parts.append(f"{sign} {factor}{table}[{row}].{column}".strip())
        return " ".join(parts)


def load_results_json(path: str | Path) -> tuple[dict[str, pd.DataFrame], dict[str, Any], int] | None:
    """Tables, privacy block and minimum cell size of a ``results.json`` (None if it is not one)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("tables"), dict):
        return None
    tables = {name: pd.DataFrame.from_records(rows) if rows else pd.DataFrame()
              for name, rows in data["tables"].items() if isinstance(rows, list)}
    meta = data.get("meta") if isinstance(data.get("meta"), dict) else {}
    privacy = dict(meta.get("privacy")) if isinstance(meta.get("privacy"), dict) else {}
    for key in ("wave", "waves", "construct_roles"):  # results written before the privacy block
        privacy.setdefault(key, meta.get(key))
    config = data.get("config") if isinstance(data.get("config"), dict) else {}
    min_n = int(privacy.get("min_n") or config.get("min_n") or 5)
    return tables, privacy, min_n


def overlay_workbook(tables: Mapping[str, pd.DataFrame], path: str | Path) -> dict[str, pd.DataFrame]:
    """The tables with the numbers a reader sees in ``results.xlsx``.

    The workbook shows each table on a sheet of its name, rows in the same order, headers and
    codes in words. A JSON column is matched to the sheet column that agrees with it on most
    rows (numbers; the ``suppressed`` flag as true/false words); the sheet's values then replace
    the JSON's, so a figure edited or shown in the workbook is what the attack uses.
    """
    import openpyxl

    out = dict(tables)
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        for name, table in tables.items():
            sheet = next((ws for ws in wb.worksheets if ws.title == name[:31]), None)
            if sheet is None or table.empty:
                continue
            rows = [list(r) for r in sheet.iter_rows(values_only=True)]
            if len(rows) - 1 != len(table):
                continue
            headers, grid = rows[0], pd.DataFrame(rows[1:])
            patched = table.copy()
            spec = TABLES.get(name)
            for col in _figure_columns(name, table):
                names = {col, spec.doc().header(col, "de") if spec is not None else col}
                j = _matching_column(table[col], grid, list(headers), names)
                if j is not None:
                    patched[col] = grid[j].to_numpy()
            out[name] = patched
    finally:
        wb.close()
    return out


def _figure_columns(name: str, table: pd.DataFrame) -> list[str]:
    spec = TABLES.get(name)
    cells = spec.all_cells() if spec is not None else ()
    cols = {c for cell in cells for c in (cell.n, cell.mean) if c} | {"suppressed"}
    return [c for c in table.columns if c in cols]


def _as_number(v: Any) -> float:
    if isinstance(v, bool) or v is None:
        return float("nan")
    try:
        return float(str(v).replace(",", ".")) if isinstance(v, str) else float(v)
    except (TypeError, ValueError):
        return float("nan")


def _as_flag(v: Any) -> float:
    text = str(v).strip().lower()
    return 1.0 if text in {"true", "wahr", "ja", "yes", "1", "x"} else 0.0 if text in {
        "false", "falsch", "nein", "no", "0", "", "none", "nan"} else float("nan")


def _matching_column(values: pd.Series, grid: pd.DataFrame, headers: list[str], names: set[str],
                     threshold: float = 0.8) -> int | None:
    """The sheet column holding ``values``: agreeing on most rows and on at least one shown value.

    A JSON column without any shown value (all rows suppressed) is found by its header instead.
    """
    flag = values.dropna().map(lambda v: isinstance(v, bool)).all() if values.notna().any() else False
    conv = _as_flag if flag else _as_number
    want = np.array([conv(v) for v in values], dtype=float)
    if np.isnan(want).all():
        return next((j for j, h in zip(grid.columns, headers, strict=False) if str(h) in names), None)
    best, best_rate = None, threshold
    for j in grid.columns:
        got = np.array([conv(v) for v in grid[j]], dtype=float)
        same = np.isclose(want, got, rtol=1e-9, atol=1e-9, equal_nan=True)
        rate = float(same.mean()) if len(same) else 0.0
        if rate > best_rate and (same & ~np.isnan(want)).any():
            best, best_rate = j, rate
    return best


def attack_results(path: str | Path) -> list[Leak]:
    """Attack one ``results.json`` (and the ``results.xlsx`` beside it, when there is one)."""
    path = Path(path)
    loaded = load_results_json(path)
    if loaded is None:
        return []
    tables, privacy, min_n = loaded
    leaks = attack_tables(tables, privacy, min_n, str(path))
    book = path.with_suffix(".xlsx")
    if book.exists():
        seen = {(lk.measure, lk.group, lk.n) for lk in leaks}
        leaks += [lk for lk in attack_tables(overlay_workbook(tables, book), privacy, min_n, str(book))
                  if (lk.measure, lk.group, lk.n) not in seen]
    return leaks


def _context(tables: Mapping[str, pd.DataFrame], privacy: Mapping[str, Any], min_n: int) -> PublicationContext:
    wave = privacy.get("wave")
    wave = None if wave is None else str(wave)
    waves = tuple(str(w) for w in privacy.get("waves") or ([wave] if wave else []))
    atoms = _atom_universe(tables, wave, waves)
    over = tables.get("kommunen_uebersicht")
    fund = None
    if over is not None and {"ags", "cohort"} <= set(over.columns):
        fund = pd.Series(funded(over["cohort"]).to_numpy(), index=over["ags"].astype(str).to_numpy())
    attributes = municipality_attributes(over, tables.get("typologie"), tables.get("typologie_fakten"), fund)

    def reported(measure: MeasureKey) -> set[str] | None:
        k = tables.get("kommunen")
        if measure[0] != "score" or k is None or not {"ags", "variable"} <= set(k.columns):
            return None
        rows = k[k["variable"].astype(str) == measure[1]]
        small = is_suppressed(rows) & (rows["suppression"].astype(str) != "secondary").to_numpy() \
            if "suppression" in rows.columns else is_suppressed(rows)
        return set(rows.loc[~small, "ags"].astype(str))

    def groups_reported(table: str, row: Any, attribute: str, measure: MeasureKey) -> set[str] | None:
        excluded = row.get("n_excluded_groups")
        values = attributes[attribute] if attribute in attributes.columns else pd.Series(dtype=object)
        if excluded is not None and _as_number(excluded) == 0:
            return {str(v) for v in values.dropna()}
        post = tables.get("vergleich_posthoc")
        if post is None or post.empty:
            return None
        mine = post[(post["by"].astype(str) == attribute) & (post["dv"].astype(str) == measure[1])]
        return set(mine["A"].astype(str)) | set(mine["B"].astype(str)) or None

    return PublicationContext(min_n=min_n, wave=wave, waves=waves, atoms={("respondents", ""): atoms},
                              construct_roles=dict(privacy.get("construct_roles") or {}), attributes=attributes,
                              reported=reported, groups_reported=groups_reported,
                              left_out=frozenset(str(a) for a in privacy.get("left_out") or ()))


def _atom_universe(tables: Mapping[str, pd.DataFrame], wave: str | None, waves: tuple[str, ...]) -> pd.DataFrame:
    """(wave, ags, role) combinations that had respondents, as far as the publication tells."""
    akr = tables.get("antworten_kommune_rolle")
    if akr is not None and len(akr) and "ags" in akr.columns:
        cols = {c: akr[c] if c in akr.columns else pd.Series([None] * len(akr)) for c in ("wave", "ags", "role")}
        frame = pd.DataFrame({c: s.astype(object).where(s.notna(), None).map(
            lambda v: None if v is None else str(v)) for c, s in cols.items()})
        return frame.drop_duplicates().reset_index(drop=True)
    ags = sorted({str(a) for name in ("kommunen_uebersicht", "kommunen") if name in tables
                  and "ags" in tables[name].columns for a in tables[name]["ags"].dropna()})
    roles = sorted({str(r) for name in ("likert_rolle", "reliabilitaet_rolle") if name in tables
                    and "role" in tables[name].columns for r in tables[name]["role"].dropna()}) or [None]
    ws = list(waves) or [wave]
    return pd.DataFrame([{"wave": w, "ags": a, "role": r} for w in ws for a in ags for r in roles])


def attack_tables(tables: Mapping[str, pd.DataFrame], privacy: Mapping[str, Any], min_n: int,
                  file: str = "") -> list[Leak]:
    """Every group below ``min_n`` whose count the published ``tables`` give exactly (see the module docstring)."""
    specs = _specs(privacy)
    ctx = _context(tables, privacy, min_n)
    pub = describe_cells(tables, ctx, specs, link=True)
    pub = keep_linked(pub, believed_links(pub))
    leaks: list[Leak] = []
    for measure in sorted(pub.populations):
        cells = pub.cells[(pub.cells["measure"] == measure[0]) & (pub.cells["of"] == measure[1])]
        atoms = pub.atoms[measure]
        merged, pops = merge_atoms(len(atoms), pub.populations[measure])
        if not len(pops):
            continue
        shown = cells[cells["published"] & cells["n"].notna()]
        first = shown.drop_duplicates("population").set_index("population")
        n_pop = first["n"].reindex(range(len(pops))).to_numpy(dtype=float)
        sum_pop = (first["n"] * first["mean"]).reindex(range(len(pops))).to_numpy(dtype=float)
        known = ~np.isnan(n_pop) & np.array([len(p) > 0 for p in pops])
        blocks = merged_blocks(merged, atoms["ags"], int(merged.max(initial=-1)) + 1)
        k = Knowledge(blocks, pops, known)
        for cand in candidate_groups(len(blocks), pops, known, pop_n=n_pop, below=min_n):
            coef = dict(cand.formula) if cand.formula and all(known[p] for p, _ in cand.formula) else None
            if coef is None and k.determined(cand.atoms):
                coef = k.derive(cand.atoms)
            if not coef:
                continue
            n = sum(c * n_pop[p] for p, c in coef.items())
            if not (0.5 <= n < min_n - 0.5) or abs(n - round(n)) > 1e-6:
                continue
            total = sum(c * sum_pop[p] for p, c in coef.items())
            mean = None if math.isnan(total) else total / round(n)
            terms = tuple((c, str(first.loc[p, "table"]), int(first.loc[p, "row"]),
                           _column(specs, str(first.loc[p, "table"]), int(first.loc[p, "cell"])))
                          for p, c in coef.items())
            leaks.append(Leak(file, f"{measure[0]} {measure[1]}".strip(), _describe(atoms[np.isin(merged, cand.atoms)]),
                              round(n), mean, terms))
    # the same group found through a scale's own counts says more (its mean): keep that one
    measured = {(lk.group, lk.n) for lk in leaks if lk.measure != "respondents"}
    return [lk for lk in leaks if lk.measure != "respondents" or (lk.group, lk.n) not in measured]


def _specs(privacy: Mapping[str, Any]) -> dict[str, Any]:
    cells = privacy.get("cells")
    if isinstance(cells, dict) and cells:
        return {name: tuple(Cell.from_dict(c) for c in lst) for name, lst in cells.items() if isinstance(lst, list)}
    return dict(TABLES)


def _column(specs: Mapping[str, Any], table: str, cell: int) -> str:
    spec = specs.get(table, ())
    cells = spec.all_cells() if hasattr(spec, "all_cells") else tuple(spec)
    return (cells[cell].n or cells[cell].mean) if cell < len(cells) else "n"


def _describe(atoms: pd.DataFrame) -> str:
    parts = []
    for col, label in (("ags", "AGS"), ("role", "Rolle/role"), ("wave", "Welle/wave")):
        values = sorted({str(v) for v in atoms[col] if v is not None})
        if values:
            shown = ", ".join(values[:4]) + (f" … ({len(values)})" if len(values) > 4 else "")
            parts.append(f"{label} {shown}")
    return "; ".join(parts)
