"""The support threshold from data: the cosine at which an answer sentence counts as supported
by the passage it cites, fitted on the parallel XQuAD files (English claims, Arabic evidence)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from corpus import answer_spans
from embeddings.model.embedder import Embedder
from eval.datasets import SquadSet, article_of


def support_scores(
    arabic: SquadSet, english: SquadSet, embedder: Embedder
) -> tuple[list[float], list[float]]:
    """Cross-lingual support scores from a parallel SQuAD pair.

    Each sentence of an English paragraph is a claim that its Arabic paragraph supports (its
    translation) and that the next paragraph of the same article, on the same topic, does not.
    The score is the one `SupportChecker` computes: the best cosine to a sentence of the passage.
    """
    english_by_id = {p.id: p for p in english.passages}
    pairs = [(p, english_by_id[p.id]) for p in arabic.passages if p.id in english_by_id]
    arabic_sentences = [[s.text for s in answer_spans(ar.text)] for ar, _ in pairs]
    claims = [[s.text for s in answer_spans(en.text)] for _, en in pairs]
    arabic_vectors = embedder.embed_passages([s for group in arabic_sentences for s in group])
    claim_vectors = embedder.embed_passages([c for group in claims for c in group])
    arabic_rows = _offsets([len(g) for g in arabic_sentences])
    claim_rows = _offsets([len(g) for g in claims])
    supported, unsupported = [], []
    for i, (ar, _) in enumerate(pairs):
        own = arabic_vectors[arabic_rows[i] : arabic_rows[i + 1]]
        neighbour = (
            i + 1
            if i + 1 < len(pairs) and article_of(pairs[i + 1][0].id) == article_of(ar.id)
            else None
        )
        for vector in claim_vectors[claim_rows[i] : claim_rows[i + 1]]:
            if len(own):
                supported.append(float(np.max(own @ vector)))
            if neighbour is not None:
                other = arabic_vectors[arabic_rows[neighbour] : arabic_rows[neighbour + 1]]
                if len(other):
                    unsupported.append(float(np.max(other @ vector)))
    return supported, unsupported


def support_threshold(supported: Sequence[float], unsupported: Sequence[float]) -> dict[str, float]:
    """The cut that best separates the two groups (maximum of true minus false positive rate)."""
    pos, neg = np.asarray(supported), np.asarray(unsupported)
    candidates = np.unique(np.concatenate([pos, neg]))
    youden = [(np.mean(pos >= t) - np.mean(neg >= t), t) for t in candidates]
    best, threshold = max(youden)
    return {
        "support_threshold": round(float(threshold), 6),
        "supported_recall": float(np.mean(pos >= threshold)),
        "unsupported_rejected": float(np.mean(neg < threshold)),
        "youden_j": float(best),
    }


def _offsets(sizes: Sequence[int]) -> list[int]:
    return [0, *np.cumsum(sizes).tolist()]
