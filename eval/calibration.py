"""Refusal chosen on data: the answerability model and the score below which the corpus is judged
to lack the answer.

The calibration set is the even-numbered articles of a SQuAD-format set (XQuAD by default) with
its no-answer variant; the odd-numbered articles stay held out for evaluation, and the seed
questions are never used. For each question language, a logistic model learns from the
answerability signals (rag/answer/answerability.py) which questions the index answers, and the threshold
on its score is the highest that still answers all but `max_false_refusal` of the answerable
questions.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from corpus import answer_spans
from embeddings.model import Embedder
from eval.datasets import SquadSet, article_of
from rag.answer.answerability import FEATURES, AnswerabilityModel

# The quality target allows at most 10% false refusals; the highest threshold within that
# bound refuses the most unanswerable questions.
MAX_FALSE_REFUSAL = 0.1
# Inverse L2 strength of the logistic model. 5-fold cross-validation on the even XQuAD articles
# found 0.03, 0.1 and 1 within 0.04 of each other (refusal at 10% false refusals).
REGULARIZATION = 0.1


def fit_answerability(
    signals: Sequence[Mapping[str, float]],
    answerable: Sequence[bool],
    regularization: float = REGULARIZATION,
) -> AnswerabilityModel:
    """A logistic model of "the index answers this question" over standardized `FEATURES`.
    Classes are weighted equally, since no-answer questions are the fewer."""
    labels = np.asarray(answerable, dtype=bool)
    if labels.all() or not labels.any():
        raise ValueError("need both answerable and unanswerable questions to fit answerability")
    x = np.array([[row[name] for name in FEATURES] for row in signals], dtype=float)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0  # a constant signal: it gets no weight, and no division by zero
    fitted = LogisticRegression(C=regularization, class_weight="balanced", max_iter=5000).fit(
        (x - mean) / scale, labels
    )
    return AnswerabilityModel(
        features=FEATURES,
        mean=tuple(mean.tolist()),
        scale=tuple(scale.tolist()),
        coef=tuple(fitted.coef_[0].tolist()),
        intercept=float(fitted.intercept_[0]),
    )


def threshold_for(
    answerable: Sequence[float], max_false_refusal: float = MAX_FALSE_REFUSAL
) -> float:
    """The highest threshold that refuses at most `max_false_refusal` of the answerable scores."""
    if not answerable:
        raise ValueError("no answerable questions to calibrate on")
    return float(
        np.quantile(np.asarray(answerable, dtype=float), max_false_refusal, method="lower")
    )


def calibrate(
    scores: Mapping[str, Mapping[str, Sequence[float]]],
    max_false_refusal: float = MAX_FALSE_REFUSAL,
) -> dict[str, Any]:
    """Thresholds per language from `{"ar": {"answerable": [...], "unanswerable": [...]}, ...}`,
    with the refusal rates they give on the calibration data itself."""
    thresholds: dict[str, Any] = {}
    stats: dict[str, Any] = {}
    for language, group in sorted(scores.items()):
        answerable = list(group.get("answerable") or [])
        unanswerable = list(group.get("unanswerable") or [])
        threshold = threshold_for(answerable, max_false_refusal)
        thresholds[f"refusal_threshold_{language}"] = round(threshold, 6)
        stats[language] = {
            "answerable": len(answerable),
            "unanswerable": len(unanswerable),
            "false_refusal_rate": float(np.mean(np.asarray(answerable) < threshold)),
            "refusal_accuracy": float(np.mean(np.asarray(unanswerable) < threshold))
            if unanswerable
            else None,
        }
    return {
        **thresholds,
        "max_false_refusal": max_false_refusal,
        "calibration_stats": stats,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def write_calibration(calibration: Mapping[str, Any], path: Path) -> None:
    path.write_text(json.dumps(calibration, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


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
