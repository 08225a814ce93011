"""Reciprocal rank fusion."""

from __future__ import annotations

import pytest

from rag.retrieval import reciprocal_rank_fusion


def test_fusion_sums_reciprocal_ranks() -> None:
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "a"], []], k=60)
    assert fused["a"] == pytest.approx(1 / 61 + 1 / 62)
    assert fused["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert fused["c"] == pytest.approx(1 / 63)


def test_an_id_in_more_rankings_beats_one_ranked_first_once() -> None:
    fused = reciprocal_rank_fusion([["x", "y"], ["z", "y"], ["w", "y"]], k=60)
    assert max(fused, key=fused.__getitem__) == "y"
