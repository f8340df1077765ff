"""Which groups of respondents the published tables describe, as unions of atoms.

Every count (and mean) in a result table describes a **population**: the respondents of some
waves, municipalities and roles for whom a **measure** is defined (every respondent, the scored
respondents of a construct, the valid answers to an item). The table catalogue says which
population each column describes (:class:`analysis.table_catalogue.Cell`); this module turns the
rows of the tables into populations.

An **atom** is the finest group any table distinguishes: one wave, one municipality, one role.
Every population is a union of atoms of its measure, so populations nest: a municipality holds its
roles, the state its municipalities, all waves each wave. Two published populations whose
difference is small reveal that small group -- the differencing attack that
:func:`analysis.small_cells.complementary_suppression` prevents and ``baustein audit`` tries.

The same code serves both: the analysis knows the true size of every atom (from the
respondents), the audit knows only what was published (:class:`PublicationContext` says which).

>>> atoms = pd.DataFrame({"wave": ["1", "1", "1"], "ags": ["A", "A", "B"], "role": ["x", "y", "x"],
...                       "n": [3, 9, 20]})
>>> ctx = PublicationContext(min_n=5, wave="1", waves=("1",), atoms={("respondents", ""): atoms})
>>> t = pd.DataFrame({"ags": ["A", "B"], "n": [12, 20], "suppressed": [False, False]})
>>> cells = describe_cells({"kommunen_uebersicht": t}, ctx)
>>> [cells.population_atoms(p).tolist() for p in cells.cells["population"]]
[[0, 1], [2]]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .table_catalogue import ROLE_SETS, TABLES, Cell, TableSpec

__all__ = [
    "ATTRIBUTE_ALIASES",
    "CELL_COLUMNS",
    "RESPONDENTS",
    "MeasureKey",
    "PublicationContext",
    "PublishedCells",
    "atom_codes",
    "believed_links",
    "describe_cells",
    "is_suppressed",
    "keep_linked",
    "measure_atoms",
    "municipality_attributes",
]

#: Names of municipality attributes as the type tables write them (``struktur_nach_typ.typology``).
ATTRIBUTE_ALIASES = {"Befragung": "commitment_type", "Kommunendaten": "fact_type"}

#: Columns of :attr:`PublishedCells.cells`.
CELL_COLUMNS = ("table", "row", "cell", "measure", "of", "population", "n", "mean", "published", "fixed", "linked")

#: A measure: (kind, construct or item), e.g. ``("score", "kommunal")``; ``("respondents", "")``.
MeasureKey = tuple[str, str]
#: The measure counting every respondent.
RESPONDENTS: MeasureKey = ("respondents", "")


def is_suppressed(table: pd.DataFrame) -> np.ndarray:
    """Rows of ``table`` marked suppressed (its ``suppressed`` column, text or bool), as a bool array."""
    if "suppressed" not in table.columns:
        return np.zeros(len(table), dtype=bool)
    s = table["suppressed"]
    if s.dtype == object or pd.api.types.is_string_dtype(s):
        return s.map(lambda v: str(v).strip().lower() in {"true", "1", "wahr", "ja", "yes"}).to_numpy(dtype=bool)
    return s.fillna(False).astype(bool).to_numpy()


@dataclass
class PublicationContext:
    """What is needed to turn table rows into populations.

    Attributes
    ----------
    min_n : int
        Minimum cell size.
    wave : str or None
        The cross-sectional wave (None: the data have no waves).
    waves : tuple of str
        Every wave, in order.
    atoms : mapping of MeasureKey -> DataFrame
        The atoms of each measure: columns ``wave``, ``ags``, ``role`` (None where unknown) and, in
        the analysis, ``n`` (true counts). A measure without an entry uses ``("respondents", "")``'s.
    construct_roles : mapping
        Construct role -> construct id (``"@structure"`` in a cell names the construct of ``structure``).
    attributes : DataFrame
        Municipality attributes indexed by AGS (``size_class``, ``district``, ``cohort``,
        ``commitment_type``, ``fact_type``, the facts as "ja"/"nein", ``funded``), as text.
    reported : callable, optional
        ``reported(measure) -> set of AGS`` whose own count of the measure reaches ``min_n``
        (None if not known).
    groups_reported : callable, optional
        ``groups_reported(table, row, attribute, measure) -> set of attribute values`` whose
        group reaches ``min_n`` (None if not known).
    left_out : frozenset of str
        Municipalities below ``min_n`` in the cross-sectional wave: no cross-sectional figure but
        their own (suppressed) rows includes them (:func:`analysis.small_cells.reported_groups`).
    """

    min_n: int
    wave: str | None
    waves: tuple[str, ...]
    atoms: Mapping[MeasureKey, pd.DataFrame]
    construct_roles: Mapping[str, str] = field(default_factory=dict)
    attributes: pd.DataFrame = field(default_factory=pd.DataFrame)
    reported: Callable[[MeasureKey], set[str] | None] | None = None
    groups_reported: Callable[[str, Any, str, MeasureKey], set[str] | None] | None = None
    left_out: frozenset[str] = frozenset()

    def atoms_of(self, measure: MeasureKey) -> pd.DataFrame:
        """The atoms of ``measure`` (those of the respondents when the measure has none of its own)."""
        if measure in self.atoms:
            return self.atoms[measure]
        return self.atoms[("respondents", "")]

    def attribute(self, name: str) -> pd.Series:
        """AGS -> value of a municipality attribute (empty when unknown)."""
        name = ATTRIBUTE_ALIASES.get(name, name)
        if name in self.attributes.columns:
            return self.attributes[name]
        return pd.Series(dtype=object)


def atom_codes(frame: pd.DataFrame, group: str = "ags") -> tuple[np.ndarray, pd.DataFrame]:
    """The atom (wave, municipality, role) of every respondent: codes and the table of atoms.

    >>> f = pd.DataFrame({"wave": ["1", "1", "2"], "ags": ["A", "A", "A"], "role": ["x", "x", None]})
    >>> codes, atoms = atom_codes(f)
    >>> codes.tolist(), atoms.to_dict("records")
    ([0, 0, 1], [{'wave': '1', 'ags': 'A', 'role': 'x'}, {'wave': '2', 'ags': 'A', 'role': None}])
    """
    keys = pd.DataFrame({c: _text(frame[src]) if src in frame.columns else pd.Series([None] * len(frame),
                                                                                       index=frame.index, dtype=object)
                         for c, src in (("wave", "wave"), ("ags", group), ("role", "role"))})
    filled = keys.fillna("\0")
    codes, uniques = pd.MultiIndex.from_frame(filled).factorize(sort=True)
    atoms = uniques.to_frame(index=False, name=["wave", "ags", "role"])
    atoms = atoms.astype(object).where(atoms != "\0", None)
    return np.asarray(codes, dtype=np.int64), atoms.reset_index(drop=True)


def measure_atoms(codes: np.ndarray, atoms: pd.DataFrame, mask: np.ndarray | None = None) -> pd.DataFrame:
    """The atoms with at least one respondent in ``mask`` and their true count ``n``.

    >>> f = pd.DataFrame({"wave": ["1", "1", "2"], "ags": ["A", "A", "A"], "role": ["x", "x", None]})
    >>> measure_atoms(*atom_codes(f), np.array([True, False, True])).to_dict("records")
    [{'wave': '1', 'ags': 'A', 'role': 'x', 'n': 1}, {'wave': '2', 'ags': 'A', 'role': None, 'n': 1}]
    """
    use = codes if mask is None else codes[np.asarray(mask, dtype=bool)]
    n = np.bincount(use, minlength=len(atoms))
    out = atoms[n > 0].reset_index(drop=True)
    out["n"] = n[n > 0].astype(int)
    return out


def _text(s: pd.Series) -> pd.Series:
    out = s.astype(object).where(s.notna(), None)
    return out.map(lambda v: v if v is None or isinstance(v, str) else str(v))


class _AtomIndex:
    """Atoms of one measure with integer codes, for fast population lookup."""

    def __init__(self, atoms: pd.DataFrame) -> None:
        self.frame = atoms.reset_index(drop=True)
        self.size = len(self.frame)
        self.all = np.arange(self.size, dtype=np.int64)
        self.codes: dict[str, tuple[np.ndarray, dict[Any, int]]] = {}
        for col in ("wave", "ags", "role"):
            values = self.frame[col] if self.size else pd.Series([], dtype=object)
            codes, uniques = pd.factorize(values.astype(object).fillna("\0"))
            self.codes[col] = (codes, {(None if u == "\0" else u): i for i, u in enumerate(uniques)})
        ags_codes = self.codes["ags"][0]
        order = np.argsort(ags_codes, kind="stable")
        bounds = np.searchsorted(ags_codes[order], np.arange(len(self.codes["ags"][1]) + 1))
        self.by_ags = {a: np.sort(order[bounds[i]:bounds[i + 1]]) for a, i in self.codes["ags"][1].items()}

    def _keep(self, col: str, cand: np.ndarray, values: set[Any]) -> np.ndarray:
        codes, index = self.codes[col]
        wanted = [index[v] for v in values if v in index]
        return cand[np.isin(codes[cand], wanted)] if wanted else cand[:0]

    def select(self, waves: set[Any] | None, ags: set[Any] | None, roles: set[Any] | None) -> np.ndarray:
        if ags is None:
            cand = self.all
        else:
            parts = [self.by_ags[a] for a in ags if a in self.by_ags]
            cand = np.sort(np.concatenate(parts)) if parts else np.array([], dtype=np.int64)
        if waves is not None and len(cand):
            cand = self._keep("wave", cand, waves)
        if roles is not None and len(cand):
            cand = self._keep("role", cand, roles)
        return cand


@dataclass
class PublishedCells:
    """The cells of all tables with their populations.

    Attributes
    ----------
    cells : DataFrame
        One row per cell of a table row (:data:`CELL_COLUMNS`): table, row position, index of the
        :class:`Cell` in the table's spec, measure, population id, published count and mean,
        whether it is published (row not suppressed and value shown) and whether it is a fixed
        state total.
    populations : dict of MeasureKey -> list of arrays
        Atom indices of each population of a measure (population ids index this list).
    atoms : dict of MeasureKey -> DataFrame
        The atoms of each measure (``wave``, ``ags``, ``role`` and, in the analysis, ``n``).
    unresolved : list of (table, cell index, reason)
        Cells whose population could not be determined (e.g. a subset of municipalities by an
        attribute nobody published); they are left out of the checks.
    """

    cells: pd.DataFrame
    populations: dict[MeasureKey, list[np.ndarray]]
    atoms: dict[MeasureKey, pd.DataFrame]
    unresolved: list[tuple[str, int, str]] = field(default_factory=list)

    def population_atoms(self, population: int, measure: MeasureKey | None = None) -> np.ndarray:
        """Atom indices of a population (of the only measure when ``measure`` is None)."""
        if measure is None:
            (measure,) = self.populations
        return self.populations[measure][int(population)]


def _measure_of(cell: Cell, row: Mapping[str, Any], ctx: PublicationContext) -> str | None:
    if cell.measure == "respondents":
        return ""
    if cell.of.startswith("@"):
        return ctx.construct_roles.get(cell.of[1:])
    value = row.get(cell.of)
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


def _waves(cell: Cell, row: Mapping[str, Any], ctx: PublicationContext) -> set[Any] | None:
    if cell.wave == "all" or (cell.wave == "cross" and ctx.wave is None):
        return None
    if cell.wave == "cross":
        return {ctx.wave}
    cols = (cell.wave,) if isinstance(cell.wave, str) else cell.wave
    return {None if _missing(row.get(c)) else str(row.get(c)) for c in cols}


def _missing(v: Any) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))


def _roles(cell: Cell, row: Mapping[str, Any]) -> set[Any] | None:
    if not cell.role:
        return None
    if cell.role in ROLE_SETS:
        return set(ROLE_SETS[cell.role])
    v = row.get(cell.role)
    return {None if _missing(v) else str(v)}


def _municipalities(cell: Cell, row: Mapping[str, Any], ctx: PublicationContext, table: str,
                    measure: MeasureKey) -> tuple[set[Any] | None, str]:
    """The municipalities of the cell (None = all) and, if they cannot be known, why."""
    if cell.ags:
        v = row.get(cell.ags)
        return ({None if _missing(v) else str(v)}, "")
    chosen: set[Any] | None = None
    if cell.among:
        attr_col, value_col = cell.among
        name = attr_col[1:] if attr_col.startswith("=") else row.get(attr_col)
        if _missing(name):
            return set(), "attribute"
        values = ctx.attribute(str(name))
        if values.empty:
            return set(), f"attribute {name}"
        values = values[values.notna()]
        if value_col:
            target = row.get(value_col)
            chosen = set(values.index[values.astype(str) == str(target)])
        else:
            chosen = set(values.index)
        if cell.groups_reported:
            groups = ctx.groups_reported(table, row, str(name), measure) if ctx.groups_reported else None
            if groups is None:
                return set(), f"groups of {name}"
            chosen = {a for a in chosen if str(values.get(a)) in groups}
    if cell.only_reported:
        reported = ctx.reported(measure) if ctx.reported else None
        if reported is None:
            return set(), "reported municipalities"
        chosen = set(reported) if chosen is None else chosen & set(reported)
    return chosen, ""


def describe_cells(tables: Mapping[str, pd.DataFrame], ctx: PublicationContext,
                   specs: Mapping[str, TableSpec | Sequence[Cell]] | None = None, *,
                   link: bool = False) -> PublishedCells:
    """Every cell of every table in ``tables`` with its population.

    Parameters
    ----------
    tables : mapping of name -> DataFrame
        Result tables (rows marked ``suppressed`` are not published).
    ctx : PublicationContext
    specs : mapping, optional
        Cells by table (a :class:`TableSpec`, whose :meth:`~TableSpec.all_cells` are used, or a
        sequence of :class:`Cell`); default the catalogue.
    link : bool
        Also describe every count of another measure (scored respondents, answers to an item) as a
        count of **respondents** of the same waves, municipalities and roles (an extra record with
        ``linked = True`` and no mean). A reader who assumes that everybody in a group has a score
        subtracts, e.g., a municipality's published civil-society side of ``perspektiven`` (scored
        respondents) minus its published associations in ``antworten_kommune_rolle``
        (respondents); where the assumption holds, that gives the engaged citizens exactly. The
        caller keeps the linked records for which it holds (:func:`keep_linked`).

    Returns
    -------
    PublishedCells
    """
    specs = TABLES if specs is None else specs
    indexes: dict[MeasureKey, _AtomIndex] = {}
    pops: dict[MeasureKey, list[np.ndarray]] = {}
    pop_ids: dict[MeasureKey, dict[bytes, int]] = {}
    records: list[tuple[Any, ...]] = []
    unresolved: list[tuple[str, int, str]] = []
    cache: dict[Any, int] = {}  # (measure, waves, municipalities, roles) -> population id, across tables

    def population(measure: MeasureKey, waves: set[Any] | None, munis: set[Any] | None,
                   roles: set[Any] | None) -> int:
        key = (measure, _frozen(waves), _frozen(munis), _frozen(roles))
        if key not in cache:
            if measure not in indexes:
                indexes[measure] = _AtomIndex(ctx.atoms_of(measure))
                pops[measure], pop_ids[measure] = [], {}
            atoms = indexes[measure].select(waves, munis, roles)
            b = atoms.tobytes()
            if b not in pop_ids[measure]:
                pop_ids[measure][b] = len(pops[measure])
                pops[measure].append(atoms)
            cache[key] = pop_ids[measure][b]
        return cache[key]

    for name, table in tables.items():
        spec = specs.get(name)
        if spec is None:
            continue
        cells = spec.all_cells() if isinstance(spec, TableSpec) else tuple(spec)
        if not cells or not len(table):
            continue
        hidden = is_suppressed(table)
        rows = table.reset_index(drop=True).to_dict("records")
        for k, cell in enumerate(cells):
            if (cell.n or cell.mean) not in table.columns:
                continue  # the table does not show this figure (e.g. no waves: no wave_n)
            for i, row in enumerate(rows):
                if cell.where and str(row.get(cell.where[0])) != str(cell.where[1]):
                    continue
                of = _measure_of(cell, row, ctx)
                if of is None:
                    continue
                measure: MeasureKey = (cell.measure, of)
                waves, roles = _waves(cell, row, ctx), _roles(cell, row)
                munis, why = _municipalities(cell, row, ctx, name, measure)
                if ctx.left_out and cell.wave == "cross" and not cell.ags and not why:
                    every = set(ctx.atoms_of(measure)["ags"].dropna()) if munis is None else munis
                    munis = set(every) - ctx.left_out
                if why:
                    if (name, k, why) not in unresolved:
                        unresolved.append((name, k, why))
                    continue
                n = _number(row.get(cell.n)) if cell.n else np.nan
                mean = _number(row.get(cell.mean)) if cell.mean else np.nan
                shown = not hidden[i] and (not np.isnan(n) if cell.n else not np.isnan(mean))
                pid = population(measure, waves, munis, roles)
                records.append((name, i, k, cell.measure, of, pid, n, mean, shown, cell.fixed, False))
                if link and cell.n and measure != RESPONDENTS:
                    pid = population(RESPONDENTS, waves, munis, roles)
                    records.append((name, i, k, RESPONDENTS[0], "", pid, n, np.nan, shown, cell.fixed, True))
    frame = pd.DataFrame.from_records(records, columns=list(CELL_COLUMNS))
    for col in ("published", "fixed", "linked"):
        frame[col] = frame[col].astype(bool)
    return PublishedCells(frame, pops, {m: ix.frame for m, ix in indexes.items()}, unresolved)


def believed_links(pub: PublishedCells) -> np.ndarray:
    """Which linked records a reader would take for head counts (a bool per row of ``pub.cells``).

    A reader assumes that everybody in a group has a score unless the publication says otherwise:
    a linked count is not believed when the same group is published as respondents with another
    count, and otherwise only the largest of the group's linked counts is (a scale that fewer
    respondents completed is not the head count). Unlinked records are True.

    >>> cells = pd.DataFrame({"measure": ["respondents"] * 3, "population": [0, 1, 1], "n": [9.0, 7.0, 6.0],
    ...                       "published": True, "linked": [False, True, True]})
    >>> believed_links(PublishedCells(cells, {}, {})).tolist()
    [True, True, False]
    """
    c = pub.cells
    linked = c["linked"].to_numpy(dtype=bool)
    mine = (c["measure"] == RESPONDENTS[0]).to_numpy()  # population ids are per measure
    shown = mine & c["published"].to_numpy(dtype=bool) & c["n"].notna().to_numpy()
    direct = c[shown & ~linked].groupby("population")["n"].first()
    best = c[shown & linked].groupby("population")["n"].max()
    believed = direct.reindex(c["population"]).to_numpy(dtype=float)
    believed = np.where(np.isnan(believed), best.reindex(c["population"]).to_numpy(dtype=float), believed)
    return ~linked | np.isclose(c["n"].to_numpy(dtype=float), believed)


def keep_linked(pub: PublishedCells, keep: np.ndarray) -> PublishedCells:
    """``pub`` without the published linked records not in ``keep`` (a bool per row of ``pub.cells``).

    Hidden linked records always stay: they only add groups for the attacker to try.
    """
    c = pub.cells
    drop = c["linked"].to_numpy() & c["published"].to_numpy() & ~np.asarray(keep, dtype=bool)
    return PublishedCells(c[~drop].reset_index(drop=True), pub.populations, pub.atoms, pub.unresolved)


def _frozen(values: set[Any] | None) -> Any:
    return None if values is None else tuple(sorted(values, key=lambda v: (v is None, str(v))))


def _number(v: Any) -> float:
    if _missing(v) or isinstance(v, bool):
        return np.nan
    try:
        return float(str(v).replace(",", ".")) if isinstance(v, str) else float(v)
    except (TypeError, ValueError):
        return np.nan


#: Municipality facts compared by the type tables (yes/no), shown as "ja"/"nein".
FACT_ATTRIBUTES = ("council_resolution", "mayor_involved", "named_contact", "rooms")
_YES = {"true", "1", "1.0", "ja", "yes", "wahr", "x"}
_NO = {"false", "0", "0.0", "nein", "no", "falsch"}


def municipality_attributes(master: pd.DataFrame | None, typology: pd.DataFrame | None = None,
                            fact_typology: pd.DataFrame | None = None,
                            funded: pd.Series | None = None) -> pd.DataFrame:
    """Municipality attributes by AGS, as text, for the ``among`` subsets of :class:`Cell`.

    Parameters
    ----------
    master : DataFrame or None
        Municipality data with ``ags`` (master data, or the published ``kommunen_uebersicht``):
        ``size_class``, ``district``, ``cohort`` and the facts of :data:`FACT_ATTRIBUTES`.
    typology, fact_typology : DataFrame, optional
        The tables ``typologie`` and ``typologie_fakten`` (``ags``, ``type``).
    funded : Series, optional
        AGS -> funding status (True/False/NA).

    >>> m = pd.DataFrame({"ags": ["1", "2"], "size_class": ["klein", None], "council_resolution": [True, "False"]})
    >>> municipality_attributes(m).to_dict("index")
    {'1': {'size_class': 'klein', 'council_resolution': 'ja'}, '2': {'size_class': None, 'council_resolution': 'nein'}}
    """
    out = pd.DataFrame()
    if master is not None and len(master) and "ags" in master.columns:
        m = master.drop_duplicates("ags").set_index(master["ags"].drop_duplicates().astype(str).to_numpy())
        out = pd.DataFrame(index=m.index)
        for col in ("size_class", "district", "cohort"):
            if col in m.columns:
                out[col] = _text(m[col]).to_numpy()
        for col in FACT_ATTRIBUTES:
            if col in m.columns:
                out[col] = [_yes_no(v) for v in m[col]]
    for name, table in (("commitment_type", typology), ("fact_type", fact_typology)):
        if table is not None and len(table) and {"ags", "type"} <= set(table.columns):
            s = pd.Series(_text(table["type"]).to_numpy(), index=table["ags"].astype(str).to_numpy())
            out = out.reindex(out.index.union(s.index))
            out[name] = s.reindex(out.index)
    if funded is not None and len(funded):
        s = funded.copy()
        s.index = s.index.astype(str)
        out = out.reindex(out.index.union(s.index))
        out["funded"] = [None if _missing(v) else str(bool(v)) for v in s.reindex(out.index)]
    return out.astype(object).where(out.notna(), None)


def _yes_no(v: Any) -> str | None:
    if _missing(v):
        return None
    text = str(v).strip().lower()
    return "ja" if text in _YES else "nein" if text in _NO else None
