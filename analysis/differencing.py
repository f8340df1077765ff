"""The differencing attack: which groups can be computed from published counts and sums.

A published cell gives the count (and the sum, n × mean) of a population, a union of atoms
(:mod:`analysis.partitions`). Counts and sums add up over disjoint groups, so whoever reads the
tables knows every linear combination of the published populations: a municipality's total minus
its published role groups, the state total minus the published municipalities, all waves minus
one wave. A group of atoms is **determined** when its indicator vector lies in the row space of
the published populations' indicators: then its count and sum follow exactly (the linear
disclosure audit of complementary cell suppression: Cox, L. H. (1980), Suppression methodology
and statistical disclosure control, JASA 75, 377-385; Hundepool et al. (2012), Statistical
Disclosure Control, ch. 4, as in tau-ARGUS).

:class:`Knowledge` answers that question for one measure. It decomposes the atoms into blocks
(one per municipality): a block's own populations give its null space ``N_b``; populations spanning
several blocks (state totals, groups of municipalities) act on the stacked null spaces only. So
1,100 municipalities cost 1,100 small SVDs and one SVD of a (state-level rows × null dimensions)
matrix, not one of a 5,000 × 15,000 matrix.

:func:`candidate_groups` lists the groups an attacker would try: every hidden population, every
atom, a population minus one published part, a population minus all its published parts (the
remainder), and two hidden parts of one population together.

>>> pops = [np.array([0, 1, 2]), np.array([0]), np.array([1])]     # total, two published parts
>>> k = Knowledge(np.array([0, 0, 0]), pops, np.array([True, True, True]))
>>> k.determined(np.array([2]))                                     # the remainder
True
>>> k.derive(np.array([2]))
{0: 1.0, 1: -1.0, 2: -1.0}
>>> k.hide([2]); k.determined(np.array([2]))
False
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

__all__ = ["Candidate", "Knowledge", "candidate_groups", "merge_atoms", "merged_blocks"]

_TOL = 1e-8


def _null_basis(rows: np.ndarray, width: int) -> np.ndarray:
    """Orthonormal basis (columns) of the null space of ``rows`` (r × width)."""
    if rows.shape[0] == 0:
        return np.eye(width)
    _, s, vt = np.linalg.svd(rows, full_matrices=True)
    rank = int((s > _TOL * max(1.0, float(s[0]) if len(s) else 1.0)).sum())
    return vt[rank:].T.copy()


class Knowledge:
    """What can be computed from the known populations of one measure (see the module docstring).

    Parameters
    ----------
    blocks : array of int
        Block (municipality) of each atom; populations within one block are local.
    populations : sequence of int arrays
        Atom indices of each population.
    known : array of bool
        Which populations are published.
    """

    def __init__(self, blocks: np.ndarray, populations: Sequence[np.ndarray], known: np.ndarray) -> None:
        self.blocks = np.asarray(blocks, dtype=np.int64)
        self.n_atoms = len(self.blocks)
        self.populations = [np.asarray(p, dtype=np.int64) for p in populations]
        self.known = np.asarray(known, dtype=bool).copy()
        codes, self._block_of_atom = np.unique(self.blocks, return_inverse=True)
        self._block_atoms = [np.flatnonzero(self._block_of_atom == b) for b in range(len(codes))]
        self._pos = np.empty(self.n_atoms, dtype=np.int64)
        for atoms in self._block_atoms:
            self._pos[atoms] = np.arange(len(atoms))
        self.pop_block = np.full(len(self.populations), -1, dtype=np.int64)
        for i, p in enumerate(self.populations):
            bs = np.unique(self._block_of_atom[p]) if len(p) else np.array([], dtype=np.int64)
            self.pop_block[i] = bs[0] if len(bs) == 1 else -1
        self._local = [[] for _ in self._block_atoms]  # type: list[list[int]]
        for i, b in enumerate(self.pop_block):
            if b >= 0:
                self._local[b].append(i)
        self._null: dict[int, np.ndarray] = {}
        self._triplets: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray, int]] = {}
        self._global: tuple[np.ndarray, sp.csr_matrix, np.ndarray, np.ndarray] | None = None
        self._g_matrix: sp.csr_matrix | None = None
        self._offsets = np.zeros(len(self._block_atoms) + 1, dtype=np.int64)

    # ------------------------------------------------------------------ building blocks
    def _null_of(self, b: int) -> np.ndarray:
        if b not in self._null:
            atoms = self._block_atoms[b]
            rows = [i for i in self._local[b] if self.known[i] and len(self.populations[i])]
            mat = np.zeros((len(rows), len(atoms)))
            for r, i in enumerate(rows):
                mat[r, self._pos[self.populations[i]]] = 1.0
            self._null[b] = _null_basis(mat, len(atoms))
        return self._null[b]

    def _expanded_null(self) -> sp.csr_matrix:
        """The block-diagonal matrix of the blocks' null spaces (atoms × D)."""
        pieces = [self._triplets_of(b) for b in range(len(self._block_atoms))]
        widths = np.array([w for *_, w in pieces], dtype=np.int64)
        offsets = np.zeros(len(pieces) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum(widths)
        self._offsets = offsets
        rows = np.concatenate([r for r, _, _, _ in pieces]) if pieces else np.zeros(0, dtype=np.int64)
        cols = np.concatenate([c + offsets[b] for b, (_, c, _, _) in enumerate(pieces)]) if pieces else rows
        vals = np.concatenate([v for _, _, v, _ in pieces]) if pieces else np.zeros(0)
        return sp.csr_matrix((vals, (rows, cols)), shape=(self.n_atoms, int(offsets[-1])))

    def _triplets_of(self, b: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
        """Block ``b``'s null space as (atom rows, local columns, values, width)."""
        if b not in self._triplets:
            m = self._null_of(b)
            r, c = np.nonzero(np.abs(m) > 0)
            self._triplets[b] = (self._block_atoms[b][r], c.astype(np.int64), m[r, c], m.shape[1])
        return self._triplets[b]

    def _global_rows(self) -> list[int]:
        return [i for i in np.flatnonzero((self.pop_block < 0) & self.known) if len(self.populations[i])]

    def _system(self) -> tuple[np.ndarray, sp.csr_matrix, np.ndarray, np.ndarray]:
        """(global row ids, expanded null space, M = G·NN dense, orthonormal row space basis of M)."""
        if self._global is None:
            g_rows = self._global_rows()
            nn = self._expanded_null()
            if g_rows:
                g = self._indicator(g_rows)
                m = np.asarray((g @ nn).todense())
                if m.size:
                    _, s, vt = np.linalg.svd(m, full_matrices=False)
                    rank = int((s > _TOL * max(1.0, float(s[0]) if len(s) else 1.0)).sum())
                    q = vt[:rank]
                else:
                    q = np.zeros((0, m.shape[1]))
            else:
                m, q = np.zeros((0, nn.shape[1])), np.zeros((0, nn.shape[1]))
            self._global = (np.asarray(g_rows, dtype=np.int64), nn, m, q)
            self._g_matrix = self._indicator(g_rows) if g_rows else None
        return self._global

    def _indicator(self, pops: Sequence[int]) -> sp.csr_matrix:
        rows = np.concatenate([np.full(len(self.populations[i]), r) for r, i in enumerate(pops)])
        cols = np.concatenate([self.populations[i] for i in pops])
        return sp.csr_matrix((np.ones(len(cols)), (rows, cols)), shape=(len(pops), self.n_atoms))

    # ------------------------------------------------------------------ questions
    def determined(self, atoms: np.ndarray, *, local_only: bool = False) -> bool:
        """Whether the count (and sum) of the group of ``atoms`` follows from the known populations.

        With ``local_only`` only the populations within the group's municipalities count (cheap:
        no state-level system is built).
        """
        atoms = np.asarray(atoms, dtype=np.int64)
        if not len(atoms):
            return True
        parts = self._projections(atoms)
        local = all(np.abs(h).max(initial=0.0) <= 1e-7 for _, h in parts)
        if local or local_only:
            return local
        _, _, _, q = self._system()
        if not q.shape[0]:
            return False
        norm2 = sum(float(h @ h) for _, h in parts)
        proj = np.zeros(q.shape[0])
        for b, h in parts:
            start = self._offsets[b]
            proj += q[:, start:start + len(h)] @ h
        return norm2 - float(proj @ proj) <= 1e-7 * max(1.0, norm2)

    def _projections(self, atoms: np.ndarray) -> list[tuple[int, np.ndarray]]:
        """(block, N_bᵀ g_b) for every block the group touches."""
        owner = self._block_of_atom[atoms]
        out = []
        for b in np.unique(owner):
            null = self._null_of(int(b))
            out.append((int(b), null[self._pos[atoms[owner == b]]].sum(axis=0)))
        return out

    def derive(self, atoms: np.ndarray, *, local_only: bool = False) -> dict[int, float] | None:
        """Coefficients of known populations whose combination gives the group (None if not determined)."""
        atoms = np.asarray(atoms, dtype=np.int64)
        if not self.determined(atoms, local_only=local_only):
            return None
        target = np.zeros(self.n_atoms)
        target[atoms] = 1.0
        coef: dict[int, float] = {}
        local = self.determined(atoms, local_only=True)
        if not local:
            g_rows, nn, m, _ = self._system()
            h = np.asarray(nn.T @ target).ravel()
        if not local and len(g_rows) and np.abs(h).max(initial=0.0) > 1e-9:
            z, *_ = np.linalg.lstsq(m.T, h, rcond=None)
            for i, c in zip(g_rows, z, strict=True):
                if abs(c) > 1e-9:
                    coef[int(i)] = float(c)
            target = target - np.asarray(self._g_matrix.T @ z).ravel()
        for b in np.unique(self._block_of_atom[np.flatnonzero(np.abs(target) > 1e-9)]):
            rows = [i for i in self._local[int(b)] if self.known[i] and len(self.populations[i])]
            if not rows:
                continue
            atoms_b = self._block_atoms[int(b)]
            mat = np.zeros((len(rows), len(atoms_b)))
            for r, i in enumerate(rows):
                mat[r, self._pos[self.populations[i]]] = 1.0
            z, *_ = np.linalg.lstsq(mat.T, target[atoms_b], rcond=None)
            for i, c in zip(rows, z, strict=True):
                if abs(c) > 1e-9:
                    coef[int(i)] = coef.get(int(i), 0.0) + float(c)
        return {i: round(c, 9) for i, c in sorted(coef.items()) if abs(c) > 1e-9}

    # ------------------------------------------------------------------ changes
    def hide(self, pops: Iterable[int]) -> None:
        """Mark populations as no longer published."""
        for i in pops:
            if self.known[i]:
                self.known[i] = False
                b = int(self.pop_block[i])
                if b >= 0:
                    self._null.pop(b, None)
                    self._triplets.pop(b, None)
                self._global = None

    def show(self, pops: Iterable[int]) -> None:
        """Mark populations as published again (undo :meth:`hide` when trying a suppression)."""
        for i in pops:
            if not self.known[i]:
                self.known[i] = True
                b = int(self.pop_block[i])
                if b >= 0:
                    self._null.pop(b, None)
                    self._triplets.pop(b, None)
                self._global = None


def merge_atoms(n_atoms: int, populations: Sequence[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
    """Merge atoms that lie in exactly the same populations (no table can tell them apart).

    Returns the merged index of each atom and the populations over merged atoms.

    >>> m, pops = merge_atoms(3, [np.array([0, 1, 2]), np.array([0, 1])])
    >>> m.tolist(), [p.tolist() for p in pops]
    ([0, 0, 1], [[0, 1], [0]])
    """
    if n_atoms == 0:
        return np.zeros(0, dtype=np.int64), [np.zeros(0, dtype=np.int64) for _ in populations]
    inc = _incidence(populations, n_atoms).tocsc()
    inc.sort_indices()
    sig: dict[bytes, int] = {}
    merged = np.empty(n_atoms, dtype=np.int64)
    for a in range(n_atoms):
        key = inc.indices[inc.indptr[a]:inc.indptr[a + 1]].tobytes()
        merged[a] = sig.setdefault(key, len(sig))
    return merged, [np.unique(merged[p]) for p in populations]


def merged_blocks(merged: np.ndarray, owner: Sequence[object], n_merged: int) -> np.ndarray:
    """Block of each merged atom: the code of its atoms' common owner (municipality), −1 if they differ.

    >>> merged_blocks(np.array([0, 0, 1, 2, 2]), ["A", "A", "B", "A", "B"], 3).tolist()
    [0, 1, -1]
    """
    if not len(merged):
        return np.zeros(n_merged, dtype=np.int64)
    codes = pd.factorize(pd.Series(list(owner), dtype=object).fillna("\0"))[0]
    frame = pd.DataFrame({"m": merged, "o": codes})
    grouped = frame.groupby("m")["o"]
    first, count = grouped.first(), grouped.nunique()
    out = np.where(count.to_numpy() == 1, first.to_numpy(), -1).astype(np.int64)
    return pd.Series(out, index=first.index).reindex(range(n_merged), fill_value=-1).to_numpy(dtype=np.int64)


def _incidence(populations: Sequence[np.ndarray], n_atoms: int) -> sp.csr_matrix:
    lens = [len(p) for p in populations]
    rows = np.repeat(np.arange(len(populations)), lens)
    cols = np.concatenate(populations) if populations else np.zeros(0, dtype=np.int64)
    return sp.csr_matrix((np.ones(len(cols)), (rows, cols.astype(np.int64))), shape=(len(populations), n_atoms))


@dataclass(frozen=True)
class Candidate:
    """A group an attacker tries to compute.

    Attributes
    ----------
    kind : str
        ``hidden`` (a suppressed population), ``atom``, ``difference`` (a population minus one
        published part), ``remainder`` (a population minus all its published parts) or ``pair``
        (two hidden parts of one population together).
    atoms : array
        The group's atoms.
    populations : tuple of int
        The populations it is built from (the hidden one; total and part; the two parts).
    formula : tuple of (population, coefficient)
        A derivation from published populations when the construction gives one (a total minus
        its parts), else empty.
    """

    kind: str
    atoms: np.ndarray
    populations: tuple[int, ...]
    formula: tuple[tuple[int, float], ...] = ()


def candidate_groups(n_atoms: int, populations: Sequence[np.ndarray], known: np.ndarray, *,
                     atom_n: np.ndarray | None = None, pop_n: np.ndarray | None = None, below: float | None = None,
                     max_pairs: int = 20000) -> list[Candidate]:
    """The groups to test (see :class:`Candidate`), each once, in a fixed order.

    Populations are sorted arrays of atom indices. Pairs are formed among hidden populations
    sharing their smallest published superset, at most ``max_pairs``. With ``below``, a group
    whose size is known to be 0 or at least ``below`` is left out: sizes come from ``atom_n``
    (true counts per atom) or, for totals minus parts, from ``pop_n`` (published counts, NaN
    where hidden).

    >>> pops = [np.array([0, 1, 2, 3]), np.array([0, 1]), np.array([2]), np.array([3])]
    >>> [(c.kind, c.atoms.tolist()) for c in candidate_groups(4, pops, np.array([True, True, False, False]))]
    [('hidden', [2]), ('hidden', [3]), ('atom', [0]), ('atom', [1]), ('difference', [2, 3])]
    """
    known = np.asarray(known, dtype=bool)
    sizes = np.array([len(p) for p in populations], dtype=np.int64)
    inc = _incidence(populations, n_atoms)
    inter = (inc @ inc.T).tocoo()
    nested = (inter.row != inter.col) & (sizes[inter.col] > 0) & (np.rint(inter.data) == sizes[inter.col]) \
        & (sizes[inter.row] > sizes[inter.col])
    supersets: dict[int, list[int]] = {}
    subsets: dict[int, list[int]] = {}
    for p, q in zip(inter.row[nested].tolist(), inter.col[nested].tolist(), strict=True):
        subsets.setdefault(p, []).append(q)
        supersets.setdefault(q, []).append(p)
    weight = None if atom_n is None else np.asarray(inc @ np.asarray(atom_n, dtype=float)).ravel()

    def small(value: float | None) -> bool:
        return below is None or value is None or np.isnan(value) or 0.5 <= value < below

    def formula_size(formula: tuple[tuple[int, float], ...]) -> float | None:
        if weight is not None:
            return float(sum(c * weight[q] for q, c in formula))
        if pop_n is not None:
            return float(sum(c * pop_n[q] for q, c in formula))
        return None

    out: list[Candidate] = []
    seen: dict[bytes, int] = {p.tobytes(): -1 for i, p in enumerate(populations) if known[i]}

    def add(kind: str, atoms: np.ndarray, pops: tuple[int, ...], formula: tuple[tuple[int, float], ...] = ()) -> None:
        key = atoms.tobytes()
        if not len(atoms):
            return
        if key not in seen:
            seen[key] = len(out)
            out.append(Candidate(kind, atoms, pops, formula))
        elif formula and seen[key] >= 0 and not out[seen[key]].formula:
            old = out[seen[key]]
            out[seen[key]] = Candidate(old.kind, old.atoms, old.populations, formula)

    hidden = ~known if weight is None else ~known & (weight >= 0.5) & (weight < below if below else True)
    for i in np.flatnonzero(hidden):
        add("hidden", populations[i], (int(i),))
    atoms = np.arange(n_atoms) if atom_n is None or below is None else np.flatnonzero(
        (np.asarray(atom_n) >= 0.5) & (np.asarray(atom_n) < below))
    for a in atoms:
        add("atom", np.array([a], dtype=np.int64), ())
    for p in sorted(subsets):
        if not known[p]:
            continue
        parts = sorted((q for q in subsets[p] if known[q]), key=lambda q: (-sizes[q], q))
        for q in parts:
            formula = ((p, 1.0), (q, -1.0))
            if small(formula_size(formula)):
                add("difference", np.setdiff1d(populations[p], populations[q], assume_unique=True), (p, q), formula)
        covered = np.zeros(n_atoms, dtype=bool)
        used = []
        for q in parts:
            if not covered[populations[q]].any():
                covered[populations[q]] = True
                used.append(q)
        formula = ((p, 1.0), *((q, -1.0) for q in used))
        if len(used) > 1 and small(formula_size(formula)):
            add("remainder", populations[p][~covered[populations[p]]], (p, *used), formula)
    # pairs of hidden populations with the same smallest published superset
    parent: dict[int, list[int]] = {}
    for q in range(len(populations)):
        if known[q] or not sizes[q]:
            continue
        sup = [p for p in supersets.get(q, []) if known[p]]
        if sup:
            smallest = min(sizes[p] for p in sup)
            for p in sorted(p for p in sup if sizes[p] == smallest):
                parent.setdefault(p, []).append(q)
    pairs = 0
    for p in sorted(parent):
        kids = sorted(set(parent[p]))
        for x in range(len(kids)):
            for y in range(x + 1, len(kids)):
                a, b = populations[kids[x]], populations[kids[y]]
                if weight is not None and not small(weight[kids[x]] + weight[kids[y]]):
                    continue
                if np.intersect1d(a, b, assume_unique=True).size:
                    continue
                add("pair", np.sort(np.concatenate([a, b])), (kids[x], kids[y]))
                pairs += 1
                if pairs >= max_pairs:
                    return out
    return out
