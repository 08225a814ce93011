"""Fitting the fusion: weights per ranking and per question language for reciprocal rank
fusion, chosen by nDCG@10 on the calibration questions (XQuAD even articles and ARCD train),
from the per-method chunk rankings `collect` recorded, so no question is asked again.

The sources disagree (ARCD's crowd-written questions share more words with their paragraph, so
BM25 gains there), and sets not seen here may disagree more, so the weights must not buy one
source's gain with another's loss."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from eval.metrics import ndcg_at_k
from eval.records import RANK_DEPTH
from rag.retrieval import reciprocal_rank_fusion

WEIGHT_GRID = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0)
# The rankings each language fuses (BM25 only for Arabic questions: see rag/retrieval/hybrid.py).
FUSED = {"ar": ("dense", "sentences", "bm25"), "en": ("dense", "sentences")}


def _article(chunk_id: str) -> str:
    return chunk_id.rsplit(":", 1)[0]


def fused_articles(
    record: Mapping[str, Any], weights: Mapping[str, float], rrf_k: int
) -> list[str]:
    """The record's article ranking under `weights`, as the hybrid search would fuse it."""
    names = [m for m in weights if m in record["chunk_ranked"]]
    fused = reciprocal_rank_fusion(
        [record["chunk_ranked"][m] for m in names], rrf_k, [weights[m] for m in names]
    )
    order = sorted(fused, key=lambda key: (-fused[key], key))
    return list(dict.fromkeys(_article(c) for c in order))[:RANK_DEPTH]


def mean_ndcg(
    records: Sequence[Mapping[str, Any]], weights: Mapping[str, float], rrf_k: int
) -> float:
    return float(
        np.mean([ndcg_at_k(fused_articles(r, weights, rrf_k), r["gold_ids"], 10) for r in records])
    )


def single_rankings(records: Sequence[Mapping[str, Any]], rrf_k: int) -> dict[str, float]:
    """nDCG@10 of each ranking alone, for comparison with the fused one."""
    methods = sorted({m for r in records for m in r["chunk_ranked"]})
    return {m: mean_ndcg(records, {m: 1.0}, rrf_k) for m in methods}


def fit_weights(
    sources: Sequence[Sequence[Mapping[str, Any]]], methods: Sequence[str], rrf_k: int
) -> tuple[dict[str, float], float]:
    """The weights (the first method's fixed at 1, since only their ratios matter) whose worst
    gain in mean nDCG@10 over equal weights, across the `sources` (XQuAD, ARCD), is largest:
    a change must help every source it is fitted on, not trade one for another. Ties go to
    the larger mean gain, then to weights closer to equal. Returns the weights and that gain."""
    sources = [s for s in sources if s]
    equal = dict.fromkeys(methods, 1.0)
    baseline = [mean_ndcg(s, equal, rrf_k) for s in sources]
    best: tuple[float, float, float, dict[str, float]] | None = None
    for rest in itertools.product(WEIGHT_GRID, repeat=len(methods) - 1):
        weights = dict(zip(methods, (1.0, *rest), strict=True))
        gains = [mean_ndcg(s, weights, rrf_k) - b for s, b in zip(sources, baseline, strict=True)]
        key = (
            round(min(gains), 6),
            round(float(np.mean(gains)), 6),
            -sum(abs(w - 1) for w in rest),
        )
        if best is None or key > best[:3]:
            best = (*key, weights)
    assert best is not None
    return best[3], best[0]
