"""The small-cell rule: no result describes a group of fewer than ``min_n`` respondents.

German evaluation practice (and DSGVO caution) suppresses any cell based on fewer than five
people. Two steps keep that promise:

* **primary suppression** -- every result table of :mod:`analysis` passes
  :func:`suppress_small_groups`: a row whose group is smaller than ``min_n`` is blanked;
* **complementary (secondary) suppression** -- :func:`complementary_suppression`, run by
  :func:`analysis.run` after all sections, blanks further rows until no group below ``min_n`` can be
  computed by subtracting published figures from each other (a municipality minus its published
  role groups, the state minus the published municipalities, all waves minus one wave). The
  column ``suppression`` says why a row is blank (``primary``/``secondary``); notes in
  ``hinweise`` say which tables were combined. Counts of scored respondents are linked to head
  counts (a side of ``perspektiven`` minus a role of ``antworten_kommune_rolle``). SECURITY.md,
  section 4a, has the rule and worked examples.

Two rules keep the pass cheap: municipalities below ``min_n`` enter no cross-sectional figure
(:func:`reported_groups`: state totals are sums of published municipalities), and counts outside
the tables that would reveal a small wave are withheld (:func:`publishable_counts`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from core.problems import Location, Problem

from .differencing import Knowledge, candidate_groups, merge_atoms, merged_blocks
from .notes import NOTES
from .partitions import (
    RESPONDENTS,
    MeasureKey,
    PublicationContext,
    PublishedCells,
    believed_links,
    describe_cells,
    is_suppressed,
    keep_linked,
)
from .table_catalogue import TABLES, Cell, TableSpec

__all__ = [
    "DEFAULT_MIN_N",
    "SUPPRESSION_COLUMN",
    "SuppressionResult",
    "complementary_suppression",
    "publishable_counts",
    "reported_groups",
    "suppress_small_groups",
]

DEFAULT_MIN_N = 5


def suppress_small_groups(
    table: pd.DataFrame,
    n_col: str | Sequence[str] = "n",
    min_n: int = DEFAULT_MIN_N,
    keep: Sequence[str] = (),
) -> pd.DataFrame:
    """Blank every statistic of rows whose group size is below ``min_n``.

    Parameters
    ----------
    table : pandas.DataFrame
        A result table with one row per group.
    n_col : str or sequence of str
        Column(s) holding the number of respondents behind the row. With several columns (e.g.
        ``n_a`` and ``n_b`` of a pairwise comparison) the row is suppressed if any is below ``min_n``.
    min_n : int, default 5
        Minimum cell size.
    keep : sequence of str
        Identifying columns that stay visible (e.g. the municipality name); all other numeric
        columns, including the n columns themselves, become NA.

    Returns
    -------
    pandas.DataFrame
        A copy with a boolean ``suppressed`` column added.

    Examples
    --------
    >>> t = pd.DataFrame({"ags": ["1", "2"], "n": [12, 3], "mean": [3.2, 4.8]})
    >>> suppress_small_groups(t, keep=["ags"])["mean"].tolist()
    [3.2, nan]
    """
    cols = [n_col] if isinstance(n_col, str) else list(n_col)
    out = table.copy()
    n = out[cols].apply(pd.to_numeric, errors="coerce")
    small = (n < min_n).any(axis=1).to_numpy() | n.isna().any(axis=1).to_numpy()
    out = _blank(out, small, keep)
    out["suppressed"] = small
    return out


def reported_groups(data: pd.DataFrame, group: str, min_n: int = DEFAULT_MIN_N) -> tuple[np.ndarray, list[str]]:
    """Rows of the municipalities that reach ``min_n`` respondents, and the municipalities left out.

    The cross-sectional figures of :func:`analysis.run` -- state totals and means, role and type
    groups, models -- are computed over these municipalities only. A state total that included a
    municipality of 1 to ``min_n`` − 1 respondents would give it away by subtracting the published
    municipalities (state minus the rest), and protecting it would cost the next-smallest
    municipality all its figures (SECURITY.md, section 4a). When no municipality reaches the
    minimum, every row is kept (everything is suppressed anyway).

    >>> d = pd.DataFrame({"ags": ["A"] * 6 + ["B"] * 3})
    >>> keep, left_out = reported_groups(d, "ags", 5)
    >>> int(keep.sum()), left_out
    (6, ['B'])
    """
    if group not in data.columns or data.empty:
        return np.ones(len(data), dtype=bool), []
    size = data.groupby(group, observed=True)[group].transform("size")
    keep = (size >= min_n).to_numpy() & data[group].notna().to_numpy()
    if not keep.any():
        return np.ones(len(data), dtype=bool), []
    left_out = sorted({str(a) for a in data.loc[~keep, group].dropna()})
    return keep, left_out


def publishable_counts(n_wave: int, n_all: int, min_n: int = DEFAULT_MIN_N) -> tuple[int | None, int | None]:
    """The respondents of the analysed wave and of all waves as they may be published (None: withheld).

    A wave of 1 to ``min_n`` − 1 respondents does not show its size; the total over all waves is
    withheld when it exceeds the wave's (published) count by 1 to ``min_n`` − 1 (other waves, or
    municipalities left out of the wave's figures, would be that difference).

    >>> publishable_counts(20, 21), publishable_counts(1, 21), publishable_counts(236, 480)
    ((20, None), (None, 21), (236, 480))
    """
    wave = n_wave if not 1 <= n_wave < min_n else None
    rest = n_all - (n_wave if wave is not None else 0)
    return wave, (n_all if not 1 <= rest < min_n else None)


# --------------------------------------------------------------------------- complementary suppression
#: Published populations tried one by one before a perturbation decides (see :func:`_fix`).
_MAX_TRIES = 12
#: Documentation of the ``suppression`` column (German header, help).
SUPPRESSION_COLUMN = ("Unterdrückung", "primary: weniger als min_n Befragte; secondary: ergänzend unterdrückt, "
                                       "damit keine kleine Gruppe durch Differenzbildung berechenbar ist")


@dataclass
class SuppressionResult:
    """What :func:`complementary_suppression` did.

    Attributes
    ----------
    tables : dict of name -> DataFrame
        The tables, rows suppressed secondarily blanked; every table with a ``suppressed`` column
        also has ``suppression`` ("primary", "secondary" or "").
    notes : list of Problem
        One ``complementary_suppression`` note per table that lost rows, ``differencing_unprotected``
        for groups that only fixed state totals reveal, ``privacy_model_mismatch`` for catalogue errors.
    counts : DataFrame
        Per table with a ``suppressed`` column: rows, rows suppressed primarily and secondarily.
    leaks_closed : int
        Groups below the minimum that were computable before the pass.
    """

    tables: dict[str, pd.DataFrame]
    notes: list[Problem]
    counts: pd.DataFrame
    leaks_closed: int = 0


def _blank(out: pd.DataFrame, mask: np.ndarray, keep: Sequence[str]) -> pd.DataFrame:
    """Blank every column but ``keep`` in the rows of ``mask`` (dtypes widened to hold NA)."""
    for c in [c for c in out.columns if c not in keep]:
        s = out[c]
        if pd.api.types.is_bool_dtype(s):
            out[c] = s.astype("boolean")
        elif pd.api.types.is_integer_dtype(s):
            out[c] = s.astype("Float64")
        elif not pd.api.types.is_float_dtype(s):
            out[c] = s.astype(object)
        float_na = pd.api.types.is_float_dtype(out[c]) and not isinstance(out[c].dtype, pd.Float64Dtype)
        out.loc[mask, c] = np.nan if float_na else pd.NA
    return out


class _Rows:
    """Which table rows are shown, and why a row is hidden."""

    def __init__(self, tables: Mapping[str, pd.DataFrame]) -> None:
        self.why: dict[tuple[str, int], str] = {}
        self.blank: dict[tuple[str, int], set[str]] = {}  # columns of all-waves totals blanked in a shown row
        for name, t in tables.items():
            for i in np.flatnonzero(is_suppressed(t)):
                self.why[(name, int(i))] = "primary"

    def hidden(self, key: tuple[str, int]) -> bool:
        return key in self.why


class _Measure:
    """One measure's populations, their carriers and the attacker's knowledge."""

    def __init__(self, pub: PublishedCells, measure: MeasureKey, rows: _Rows, index: np.ndarray,
                 specs: Mapping[str, Any]) -> None:
        cells = pub.cells.iloc[index]
        atoms = pub.atoms[measure]
        merged, self.pops = merge_atoms(len(atoms), pub.populations[measure])
        n_atom = atoms["n"].to_numpy(dtype=float) if "n" in atoms else np.zeros(len(atoms))
        self.atom_n = np.bincount(merged, weights=n_atom, minlength=int(merged.max(initial=-1)) + 1)
        self.pop_n = np.array([self.atom_n[p].sum() for p in self.pops])
        blocks = merged_blocks(merged, atoms["ags"], len(self.atom_n))
        self.carriers: list[list[tuple[str, int]]] = [[] for _ in self.pops]
        self.shown_by: list[set[tuple[str, int]]] = [set() for _ in self.pops]
        self.fixed = np.zeros(len(self.pops), dtype=bool)
        self.order = np.full(len(self.pops), np.iinfo(np.int64).max, dtype=np.int64)
        self.by_row: dict[tuple[str, int], list[int]] = {}
        self.all_waves = np.ones(len(self.pops), dtype=bool)  # every carrier counts all waves
        self.columns: list[set[tuple[str, int, tuple[str, ...]]]] = [set() for _ in self.pops]
        columns = (cells["table"].to_numpy(), cells["row"].to_numpy(), cells["cell"].to_numpy(),
                   cells["population"].to_numpy(), cells["published"].to_numpy(), cells["fixed"].to_numpy())
        for seq, (table, row, k, pop, published, fixed) in enumerate(zip(*columns, strict=True)):
            key = (table, int(row))
            p = int(pop)
            cell = _cell(specs, table, int(k))
            figures = tuple(c for c in (cell.n, cell.mean) if c) if cell is not None else ()
            self.carriers[p].append(key)
            self.by_row.setdefault(key, []).append(p)
            self.fixed[p] |= bool(fixed)
            self.all_waves[p] &= cell is not None and cell.wave == "all"
            self.order[p] = min(self.order[p], seq)
            if published and not rows.hidden(key) and not set(figures) & rows.blank.get(key, set()):
                self.shown_by[p].add(key)
                self.columns[p].add((table, int(row), figures))
        self.shown_count = np.array([len(s) for s in self.shown_by], dtype=float)
        # the count a reader sees for each population (first published record) and whether any
        # published figure differs from the truth (a linked score count below the head count)
        seen = cells[cells["published"].to_numpy()].drop_duplicates("population")
        self.published_n = np.full(len(self.pops), np.nan)
        self.published_n[seen["population"].to_numpy(dtype=np.int64)] = seen["n"].to_numpy(dtype=float)
        off = np.abs(self.published_n - self.pop_n) > 0.5
        self.misleading = bool("n" in atoms and np.any(off & ~np.isnan(self.published_n)))
        known = (self.shown_count > 0) & np.array([len(p) > 0 for p in self.pops], dtype=bool)
        self.knowledge = Knowledge(blocks, self.pops, known)
        lens = [len(p) for p in self.pops]
        cols = np.concatenate(self.pops) if self.pops else np.zeros(0, dtype=np.int64)
        self.incidence = sp.csr_matrix((np.ones(len(cols)), (np.repeat(np.arange(len(self.pops)), lens), cols)),
                                       shape=(len(self.pops), len(self.atom_n)))

    def shown_n(self) -> np.ndarray:
        """Published counts of the populations still shown (NaN for the others)."""
        return np.where(self.knowledge.known, self.published_n, np.nan)

    def believed_small(self, coef: Mapping[int, float], min_n: int) -> bool:
        """Whether the published figures combined by ``coef`` give a whole number of 1 to ``min_n`` − 1."""
        value = sum(c * self.published_n[p] for p, c in coef.items())
        return bool(coef) and not np.isnan(value) and 0.5 <= value < min_n - 0.5 and abs(value - round(value)) < 1e-6

    def hidden_if(self, rows: set[tuple[str, int]]) -> list[int]:
        """Populations that would no longer be shown if ``rows`` were hidden."""
        pops = {p for key in rows for p in self.by_row.get(key, ())}
        return sorted(p for p in pops if self.knowledge.known[p] and self.shown_by[p] <= rows)

    def cost(self, rows: set[tuple[str, int]]) -> tuple[int, float]:
        """Rows suppressed and respondents in the populations they would hide."""
        return len(rows), float(sum(self.pop_n[p] for p in self.hidden_if(rows)))

    def hide_rows(self, rows: set[tuple[str, int]]) -> None:
        lost = self.hidden_if(rows)
        for key in rows:
            for p in self.by_row.get(key, ()):
                if key in self.shown_by[p]:
                    self.shown_by[p].discard(key)
                    self.shown_count[p] -= 1
        self.knowledge.hide(lost)


def complementary_suppression(tables: Mapping[str, pd.DataFrame], context: PublicationContext, *,
                              specs: Mapping[str, Any] | None = None, strict: bool = False) -> SuppressionResult:
    """Suppress further rows so that no group below ``min_n`` can be computed by differencing.

    Every published count (and mean) describes a population of respondents
    (:mod:`analysis.partitions`, from the cells of :data:`analysis.table_catalogue.TABLES`). The
    attacker of :mod:`analysis.differencing` subtracts published populations from each other: a
    municipality minus its published role groups, the state minus the published municipalities,
    all waves minus one wave, two suppressed parts together. Whenever such a group has 1 to
    ``min_n`` − 1 respondents, the cheapest set of rows whose suppression makes it uncomputable
    is suppressed too (:func:`_fix`: fewest rows, then fewest respondents; every row showing a
    suppressed population), and the search repeats until no group below the minimum is
    computable. State totals (cells marked ``fixed``) are never suppressed. Deterministic:
    measures, groups and candidates are visited in a fixed order.

    Parameters
    ----------
    tables : mapping of name -> DataFrame
        Result tables after the small-cell rule (rows marked ``suppressed``).
    context : PublicationContext
        With the true atom counts (``n`` column of each measure's atoms).
    specs : mapping, optional
        Cells by table (default :data:`analysis.table_catalogue.TABLES`).
    strict : bool
        Raise when a published count does not match its described population (a catalogue error).

    Returns
    -------
    SuppressionResult
    """
    min_n = context.min_n
    pub = _linked(describe_cells(tables, context, specs, link=True))
    notes = _model_check(pub, strict, specs)
    rows = _Rows(tables)
    involved: dict[str, set[str]] = {}
    blanked: dict[str, tuple[set[str], set[str]]] = {}  # table -> (columns, tables combined)
    closed = 0
    unprotected: dict[bytes, Problem] = {}
    by_measure = pub.cells.groupby(["measure", "of"], sort=False).indices
    for measure in sorted(pub.populations):
        m = _Measure(pub, measure, rows, by_measure[measure], TABLES if specs is None else specs)
        k = m.knowledge
        # a published group below the minimum (a section forgot the rule): hide it everywhere
        for p in np.flatnonzero(k.known & (m.pop_n >= 1) & (m.pop_n < min_n)):
            shown = set(m.shown_by[p])
            for key in shown:
                rows.why[key] = "primary"
            m.hide_rows(shown)
        while True:
            changed = False
            candidates = candidate_groups(len(m.atom_n), m.pops, k.known, atom_n=m.atom_n, below=min_n)
            if m.misleading:  # groups a reader believes small (a score count taken for a head count)
                candidates += candidate_groups(len(m.atom_n), m.pops, k.known, pop_n=m.shown_n(), below=min_n)
            for local in (True, False):  # leaks within one municipality first: cheap, no state-level system
                for cand in candidates:
                    size = m.atom_n[cand.atoms].sum()
                    small = 1 <= size < min_n
                    if not (small or m.misleading) or not k.determined(cand.atoms, local_only=local):
                        continue
                    coef = k.derive(cand.atoms, local_only=local) or {}
                    if not small and not m.believed_small(coef, min_n):
                        continue
                    fix = _fix(m, cand.atoms, local, coef)
                    if fix is None and not small:
                        continue
                    if fix is None and (blank := _blank_all_waves_total(m, cand.atoms, local, coef)):
                        for table, row, figures in blank:
                            rows.blank.setdefault((table, row), set()).update(figures)
                            blanked.setdefault(table, (set(), set()))[0].update(figures)
                            blanked[table][1].update({t for q in coef for t, _ in m.carriers[q]})
                        closed += 1
                        changed = True
                        continue
                    if fix is None:
                        key = cand.atoms.tobytes()
                        if key not in unprotected:
                            unprotected[key] = _unprotected(m, cand.atoms, int(size), pub, measure)
                        continue
                    tables_used = {t for q in coef for t, _ in m.carriers[q]}
                    shown = fix
                    for key in shown:
                        rows.why[key] = "secondary"
                        involved.setdefault(key[0], set()).update(tables_used)
                    m.hide_rows(shown)
                    closed += 1
                    changed = True
            if not changed:
                break
    out, counts = _apply(tables, rows, specs)
    _blank_small_wave_totals(out, min_n)
    for name, extra in involved.items():
        k_rows = int(counts.loc[counts["table"] == name, "secondary"].sum())
        notes.append(NOTES.problem(
            "complementary_suppression", Location(section="datenschutz", scope=name), k=k_rows, min_n=min_n,
            tables=", ".join(f"'{t}'" for t in sorted(extra))))
    for name, (columns, extra) in sorted(blanked.items()):
        notes.append(NOTES.problem(
            "total_blanked", Location(section="datenschutz", scope=name), min_n=min_n,
            columns=", ".join(f"'{name}.{c}'" for c in sorted(columns)),
            tables=", ".join(f"'{t}'" for t in sorted(extra - {name}))))
    notes.extend(unprotected.values())
    return SuppressionResult(out, notes, counts, closed)


def _cell(specs: Mapping[str, Any], table: str, k: int) -> Cell | None:
    spec = specs.get(table)
    cells = spec.all_cells() if isinstance(spec, TableSpec) else tuple(spec or ())
    return cells[k] if k < len(cells) else None


def _blank_all_waves_total(m: _Measure, atoms: np.ndarray, local: bool,
                           coef: Mapping[int, float]) -> set[tuple[str, int, tuple[str, ...]]] | None:
    """Blank a state total over all waves (its count column only) when nothing else closes a leak.

    A wave of 1 to ``min_n`` − 1 respondents (a pilot, a typo in a wave label) is the total over all
    waves (``fehlende_werte``) minus the cross-sectional wave's (``wave_n``, ``reliabilitaet``),
    both state totals that are never suppressed. The total over all waves is then blanked in
    its count column; the rest of its rows (shares of missing answers) stays.
    """
    k = m.knowledge
    for p in sorted((p for p in coef if m.fixed[p] and m.all_waves[p] and k.known[p]),
                    key=lambda p: (m.order[p], p)):
        k.hide([p])
        if not k.determined(atoms, local_only=local):
            cells = set(m.columns[p])
            m.shown_by[p].clear()
            m.shown_count[p] = 0
            return cells
        k.show([p])
    return None


def _linked(pub: PublishedCells) -> PublishedCells:
    """The published counts of scored respondents (or answers) that act as counts of respondents.

    A reader who assumes that everybody has a score links the measures
    (:func:`analysis.partitions.describe_cells`, ``link``). Kept: where the assumption is right
    (the true counts agree, so the figure *is* a head count), and where a reader would believe it
    (:func:`analysis.partitions.believed_links`, as ``baustein audit`` does): protecting those too
    leaves the audit nothing to find.
    """
    c = pub.cells
    keep = believed_links(pub)
    linked = np.flatnonzero(c["linked"].to_numpy() & c["published"].to_numpy())
    atoms = pub.atoms.get(RESPONDENTS)
    if len(linked) and atoms is not None and "n" in atoms.columns:
        atom_n = atoms["n"].to_numpy(dtype=float)
        pops = pub.populations[RESPONDENTS]
        truth = np.array([atom_n[pops[p]].sum() for p in c["population"].to_numpy()[linked]])
        keep[linked] |= np.abs(c["n"].to_numpy(dtype=float)[linked] - truth) < 0.5
    return keep_linked(pub, keep)


def _blank_small_wave_totals(tables: dict[str, pd.DataFrame], min_n: int) -> None:
    """Blank ``wave_n`` (respondents of the wave, in every one-wave table) where it is 1 to ``min_n`` − 1.

    ``wave_n`` stays visible in suppressed rows (it is the same state total in every row); a wave
    with fewer than ``min_n`` respondents (a pilot, a typo in a wave label) must not show its size.

    >>> t = {"x": pd.DataFrame({"n": [np.nan], "wave_n": [1]})}
    >>> _blank_small_wave_totals(t, 5); t["x"]["wave_n"].isna().tolist()
    [True]
    """
    for name, t in tables.items():
        if "wave_n" in t.columns:
            n = pd.to_numeric(t["wave_n"], errors="coerce")
            small = ((n >= 1) & (n < min_n)).to_numpy()
            if small.any():
                tables[name] = _blank(t.copy(), small, [c for c in t.columns if c != "wave_n"])


def _fix(m: _Measure, atoms: np.ndarray, local: bool, coef: Mapping[int, float]) -> set[tuple[str, int]] | None:
    """The rows to suppress so that the group of ``atoms`` can no longer be computed (None: impossible).

    Two kinds of candidates, the cheapest wins (fewest rows, then fewest respondents):

    * one published population used to compute the group (e.g. the next-smallest part of the
      same partition), if suppressing it alone is enough;
    * the populations a *perturbation* changes: moving one respondent from an atom ``a`` of the
      group to an atom ``y`` outside it changes exactly the populations that hold one of the
      two; once those are suppressed the published figures fit both versions of the data, so the
      group is uncomputable. Always works unless a fixed state total would change.
    """
    k = m.knowledge
    options: list[tuple[tuple[int, float], set[tuple[str, int]]]] = []
    singles = sorted((p for p in coef if not m.fixed[p] and k.known[p]),
                     key=lambda p: (len(m.shown_by[p]), m.pop_n[p], m.order[p], p))

    def works(rows: set[tuple[str, int]]) -> bool:
        lost = m.hidden_if(rows)
        k.hide(lost)
        ok = not k.determined(atoms, local_only=local)  # a leak left through state totals comes next
        k.show(lost)
        return ok

    for p in singles[:_MAX_TRIES]:
        if works(set(m.shown_by[p])):
            options.append((m.cost(set(m.shown_by[p])), set(m.shown_by[p])))
            break
    # two populations together (a side of perspektiven and a role of antworten_kommune_rolle) may be
    # cheaper than the one that works alone (a municipality's total, shown in twenty rows)
    bound = options[0][0] if options else (np.inf, np.inf)
    pairs = sorted((m.cost(rows), sorted(rows)) for x, p in enumerate(singles[:_MAX_TRIES])
                   for q in singles[x + 1:_MAX_TRIES] for rows in [set(m.shown_by[p]) | set(m.shown_by[q])])
    for cost, rows in pairs:
        if cost >= bound:
            break
        if works(set(rows)):
            options.append((cost, set(rows)))
            break
    moved = _perturbation(m, atoms)
    if moved is not None:
        rows = set().union(*(m.shown_by[p] for p in moved))
        options.append((m.cost(rows), rows))
    return min(options, key=lambda o: (o[0], sorted(o[1])))[1] if options else None


def _perturbation(m: _Measure, atoms: np.ndarray) -> list[int] | None:
    """Published populations changed by the cheapest allowed move of one respondent out of the group."""
    k = m.knowledge
    published = k.known & ~m.fixed
    weight = np.where(published, m.shown_count + m.pop_n / 1e6, 0.0)
    fixed = (k.known & m.fixed).astype(float)
    inc = m.incidence
    w_all, f_all = inc.T @ weight, inc.T @ fixed
    outside = np.ones(inc.shape[1], dtype=bool)
    outside[atoms] = False
    best: tuple[float, int, int] | None = None
    for a in np.unique(atoms):
        col = inc[:, [a]].toarray().ravel()
        cost = w_all[a] + w_all - 2 * (inc.T @ (weight * col))
        moved_fixed = f_all[a] + f_all - 2 * (inc.T @ (fixed * col))
        ok = np.flatnonzero(outside & (moved_fixed < 0.5))
        if not len(ok):
            continue
        y = int(ok[np.argmin(cost[ok])])
        if best is None or (cost[y], a, y) < best:
            best = (float(cost[y]), int(a), y)
    if best is None:
        return None
    _, a, y = best
    holds_a = inc[:, [a]].toarray().ravel() > 0
    holds_y = inc[:, [y]].toarray().ravel() > 0
    return [int(p) for p in np.flatnonzero(published & (holds_a != holds_y))]


def _unprotected(m: _Measure, atoms: np.ndarray, size: int, pub: PublishedCells, measure: MeasureKey) -> Problem:
    coef = m.knowledge.derive(atoms) or {}
    tables_used = sorted({t for q in coef for t, _ in m.carriers[q]})
    frame = pub.atoms[measure]
    merged, _ = merge_atoms(len(frame), pub.populations[measure])
    members = frame[np.isin(merged, atoms)]
    group = " / ".join(
        f"{c}: {', '.join(sorted({str(v) for v in members[c] if v is not None}))}"
        for c in ("wave", "ags", "role") if members[c].notna().any() and members[c].nunique() <= 3)
    return NOTES.problem("differencing_unprotected", Location(section="datenschutz", scope=measure[1] or measure[0]),
                         n=size, group=group or measure[0], tables=", ".join(tables_used))


def _model_check(pub: PublishedCells, strict: bool, specs: Mapping[str, Any] | None) -> list[Problem]:
    """Published counts must equal the size of the population the catalogue says they describe."""
    notes: list[Problem] = []
    c = pub.cells[pub.cells["n"].notna() & ~pub.cells["linked"]]  # a linked count is checked as its own measure
    if c.empty:
        return notes
    truth = c["n"].to_numpy(dtype=float).copy()
    for (kind, of), idx in c.groupby(["measure", "of"]).indices.items():
        atoms = pub.atoms[(kind, of)]
        if "n" in atoms.columns:
            atom_n = atoms["n"].to_numpy(dtype=float)
            pop_n = np.array([atom_n[p].sum() for p in pub.populations[(kind, of)]])
            truth[idx] = pop_n[c["population"].to_numpy()[idx]]
    bad = c[np.abs(c["n"].to_numpy(dtype=float) - truth) > 0.5].assign(truth=truth[
        np.abs(c["n"].to_numpy(dtype=float) - truth) > 0.5])
    for (table, cell), grp in bad.groupby(["table", "cell"], sort=True):
        r = grp.iloc[0]
        spec = (TABLES if specs is None else specs).get(table, ())
        spec_cells = spec.all_cells() if isinstance(spec, TableSpec) else tuple(spec)
        column = spec_cells[cell].n if cell < len(spec_cells) else str(cell)
        example = f"Zeile/row {int(r['row']) + 2}: {r['n']:g} ≠ {r['truth']:g}"
        if strict:
            raise AssertionError(f"privacy model mismatch in {table}.{column}: {example} ({len(grp)} rows)")
        notes.append(NOTES.problem("privacy_model_mismatch", Location(section="datenschutz", scope=table),
                                   table=table, column=column, k=len(grp), example=example))
    return notes


def _selectors(cell: Cell) -> set[str]:
    """Columns naming the population of a cell (they stay visible when its row is suppressed)."""
    waves = set() if cell.wave in ("cross", "all") else ({cell.wave} if isinstance(cell.wave, str) else set(cell.wave))
    named = {cell.ags, cell.role if cell.role and not cell.role.startswith("@") else "",
             cell.of if cell.of and not cell.of.startswith("@") else "", *cell.among, *cell.where[:1]}
    return {c for c in named | waves if c and not c.startswith("=")}


def _apply(tables: Mapping[str, pd.DataFrame], rows: _Rows, specs: Mapping[str, Any] | None) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """Blank the rows suppressed secondarily, add the ``suppression`` column, count per table."""
    specs = TABLES if specs is None else specs
    out: dict[str, pd.DataFrame] = {}
    counts = []
    for name, table in tables.items():
        t = table
        why = np.array([rows.why.get((name, i), "") for i in range(len(t))], dtype=object)
        secondary = why == "secondary"
        newly_primary = (why == "primary") & ~is_suppressed(t)
        if secondary.any() or newly_primary.any():
            spec = specs.get(name)
            cells = spec.all_cells() if isinstance(spec, TableSpec) else tuple(spec or ())
            keep = set(getattr(spec, "group_columns", ())) | set(getattr(spec, "keep_columns", ()))
            keep |= {"wave", "wave_n", "suppressed", "suppression"} | {c for cell in cells for c in _selectors(cell)}
            t = _blank(t.copy(), secondary | newly_primary, [c for c in t.columns if c in keep])
            t["suppressed"] = is_suppressed(t) | secondary | newly_primary
        blank = [(i, cols) for (tab, i), cols in rows.blank.items() if tab == name and not why[i]]
        if blank:
            t = t.copy() if t is table else t
            for i, cols in blank:
                for c in cols & set(t.columns):
                    t[c] = t[c].astype("Float64") if pd.api.types.is_integer_dtype(t[c]) else t[c]
                    t.loc[t.index[i], c] = pd.NA if isinstance(t[c].dtype, pd.Float64Dtype) else np.nan
        if "suppressed" in t.columns:
            t = t.copy() if t is table else t
            t["suppression"] = why
        out[name] = t
        if "suppressed" in t.columns:
            counts.append({"table": name, "rows": len(t), "primary": int((why == "primary").sum()),
                           "secondary": int(secondary.sum())})
    return out, pd.DataFrame(counts, columns=["table", "rows", "primary", "secondary"])
