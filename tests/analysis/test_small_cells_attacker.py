"""The differencing attacker and the complementary pass on small hand-made tables.

The attacker (:class:`analysis.differencing.Knowledge`) is checked against the textbook definition
(a group is computable iff its indicator lies in the row space of the published populations: the
rank does not grow when it is added), computed by brute force with ``numpy.linalg.matrix_rank``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.differencing import Knowledge, candidate_groups, merge_atoms
from analysis.partitions import PublicationContext, describe_cells
from analysis.small_cells import complementary_suppression
from analysis.table_catalogue import Cell


def _brute_force(n_atoms: int, pops: list[np.ndarray], known: np.ndarray, group: np.ndarray) -> bool:
    rows = np.zeros((int(known.sum()), n_atoms))
    for r, i in enumerate(np.flatnonzero(known)):
        rows[r, pops[i]] = 1
    g = np.zeros(n_atoms)
    g[group] = 1
    if not len(rows):
        return False
    return np.linalg.matrix_rank(np.vstack([rows, g])) == np.linalg.matrix_rank(rows)


@pytest.mark.parametrize("seed", range(40))
def test_attacker_agrees_with_the_rank_definition_on_random_systems(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_atoms = int(rng.integers(3, 14))
    blocks = rng.integers(0, 4, n_atoms)
    pops = []
    for _ in range(int(rng.integers(2, 12))):
        if rng.random() < 0.6:  # mostly municipality-local populations, some spanning blocks
            members = np.flatnonzero(blocks == rng.integers(0, 4))
            pick = members[rng.random(len(members)) < 0.6] if len(members) else members
        else:
            pick = np.flatnonzero(rng.random(n_atoms) < 0.5)
        if len(pick):
            pops.append(np.unique(pick))
    known = rng.random(len(pops)) < 0.7
    k = Knowledge(blocks, pops, known)
    groups = [np.array([a]) for a in range(n_atoms)] + [p for p in pops] + [
        np.unique(rng.choice(n_atoms, size=2, replace=False)) for _ in range(5)]
    for g in groups:
        expected = _brute_force(n_atoms, pops, known, g)
        assert k.determined(g) == expected, (seed, g)
        coef = k.derive(g)
        if expected:  # the derivation really rebuilds the group
            rebuilt = np.zeros(n_atoms)
            for i, c in coef.items():
                rebuilt[pops[i]] += c
            target = np.zeros(n_atoms)
            target[g] = 1
            np.testing.assert_allclose(rebuilt, target, atol=1e-8)
        else:
            assert coef is None


def test_hiding_and_showing_a_population_restores_the_same_answers() -> None:
    pops = [np.array([0, 1, 2, 3]), np.array([0, 1]), np.array([2]), np.array([0, 2])]
    k = Knowledge(np.array([0, 0, 1, 1]), pops, np.array([True, True, True, True]))
    assert k.determined(np.array([3])) and k.determined(np.array([0]))
    k.hide([2])
    assert not k.determined(np.array([3]))
    k.show([2])
    assert k.determined(np.array([3]))


def test_atoms_in_the_same_populations_merge_and_candidates_cover_the_named_attacks() -> None:
    # total = a + b + c; parts a, b published; c suppressed; d, e two suppressed parts of f
    pops = [np.array([0, 1, 2]), np.array([0]), np.array([1]), np.array([2]), np.array([3, 4]),
            np.array([3]), np.array([4])]
    known = np.array([True, True, True, False, True, False, False])
    merged, mpops = merge_atoms(5, pops)
    assert len(set(merged.tolist())) == 5  # every atom is told apart here
    kinds = {(c.kind, tuple(c.atoms.tolist())) for c in candidate_groups(5, mpops, known)}
    assert ("hidden", (2,)) in kinds  # the suppressed part itself
    assert ("remainder", (2,)) in kinds or ("difference", (1, 2)) in kinds  # total minus parts
    assert ("difference", (4,)) not in kinds or ("hidden", (4,)) in kinds
    same = merge_atoms(3, [np.array([0, 1, 2]), np.array([0, 1])])
    assert same[0].tolist() == [0, 0, 1]


# ----------------------------------------------------------------------------- the pass on toy tables
def _context(atoms: pd.DataFrame) -> PublicationContext:
    return PublicationContext(min_n=5, wave="1", waves=("1",), atoms={("respondents", ""): atoms})


SPECS = {
    "total": (Cell("n", ags="ags"),),
    "roles": (Cell("n", ags="ags", role="role"),),
    "state": (Cell("n", fixed=True),),
}


def _toy(roles: dict[str, int], other: int = 40) -> tuple[dict[str, pd.DataFrame], PublicationContext]:
    """Municipality A with the given role counts, municipality B with ``other`` respondents."""
    atoms = pd.DataFrame([{"wave": "1", "ags": "A", "role": r, "n": n} for r, n in roles.items()]
                         + [{"wave": "1", "ags": "B", "role": "x", "n": other}])
    n_a = sum(roles.values())
    tables = {
        "total": pd.DataFrame({"ags": ["A", "B"], "n": [n_a, other], "suppressed": [False, False]}),
        "roles": pd.DataFrame({"ags": ["A"] * len(roles) + ["B"], "role": [*roles, "x"],
                               "n": [n if n >= 5 else np.nan for n in roles.values()] + [other],
                               "suppressed": [n < 5 for n in roles.values()] + [False]}),
        "state": pd.DataFrame({"n": [n_a + other]}),
    }
    return tables, _context(atoms)


def test_one_suppressed_part_makes_the_next_smallest_part_suppressed_too() -> None:
    tables, ctx = _toy({"verwaltung": 14, "verein": 13, "dienst": 3, "engagiert": 9})
    res = complementary_suppression(tables, ctx, specs=SPECS)
    roles = res.tables["roles"].set_index("role")
    assert roles.loc["dienst", "suppression"] == "primary"
    assert roles.loc["engagiert", "suppression"] == "secondary"  # the smallest published part
    assert roles.loc[["verwaltung", "verein", "x"], "suppression"].eq("").all()
    assert pd.isna(roles.loc["engagiert", "n"])
    assert res.tables["total"]["suppression"].eq("").all()  # the total stays
    assert res.counts.set_index("table").loc["roles", "secondary"] == 1
    assert res.notes and res.notes[0].code == "complementary_suppression"


def test_two_suppressed_parts_that_sum_to_the_minimum_need_nothing_more() -> None:
    tables, ctx = _toy({"verwaltung": 14, "dienst": 3, "andere": 2})
    res = complementary_suppression(tables, ctx, specs=SPECS)
    assert (res.tables["roles"]["suppression"] != "secondary").all()


def test_two_suppressed_parts_below_the_minimum_together_are_protected() -> None:
    parts = {"verwaltung": 14, "verein": 6, "dienst": 2, "andere": 1}
    tables, ctx = _toy(parts)
    res = complementary_suppression(tables, ctx, specs=SPECS)
    roles = res.tables["roles"].set_index("role")
    assert roles.loc["verein", "suppression"] == "secondary"
    shown = roles[roles["suppression"] == ""]
    a_shown = shown.loc[[r for r in shown.index if r != "x"], "n"].sum()
    assert sum(parts.values()) - a_shown >= 5  # total minus what is shown is no small group


def test_a_fixed_state_total_is_never_suppressed_and_a_leak_only_it_opens_is_a_note() -> None:
    # the state total (fixed) minus B's total gives A: when A is small and B published, B must go,
    # but B is fixed here too -- the leak cannot be closed and is reported
    tables, ctx = _toy({"verwaltung": 3})
    specs = {**SPECS, "total": (Cell("n", ags="ags", fixed=True),)}
    tables["total"].loc[0, ["n", "suppressed"]] = [np.nan, True]
    res = complementary_suppression(tables, ctx, specs=specs)
    assert [p.code for p in res.notes] == ["differencing_unprotected"]
    assert res.tables["state"]["n"].notna().all()


def test_the_pass_is_deterministic() -> None:
    tables, ctx = _toy({"verwaltung": 7, "verein": 7, "dienst": 3, "engagiert": 7, "gemeinderat": 7})
    first = complementary_suppression(tables, ctx, specs=SPECS)
    second = complementary_suppression(tables, ctx, specs=SPECS)
    for name in first.tables:
        pd.testing.assert_frame_equal(first.tables[name], second.tables[name])
    assert (first.tables["roles"]["suppression"] == "secondary").sum() == 1


def test_a_count_that_does_not_match_its_described_group_is_caught() -> None:
    tables, ctx = _toy({"verwaltung": 14, "verein": 13})
    tables["total"].loc[0, "n"] = 26  # the catalogue says "all of A", the table shows something else
    with pytest.raises(AssertionError, match=r"privacy model mismatch in total\.n"):
        complementary_suppression(tables, ctx, specs=SPECS, strict=True)
    res = complementary_suppression(tables, ctx, specs=SPECS)
    assert "privacy_model_mismatch" in [p.code for p in res.notes]


def test_describe_cells_places_each_row_in_its_population() -> None:
    tables, ctx = _toy({"verwaltung": 14, "verein": 13})
    pub = describe_cells(tables, ctx, SPECS)
    by_table = pub.cells.groupby("table")["population"].apply(list).to_dict()
    pops = pub.populations[("respondents", "")]
    assert [pops[p].tolist() for p in by_table["total"]] == [[0, 1], [2]]
    assert [pops[p].tolist() for p in by_table["state"]] == [[0, 1, 2]]
