"""The confidence and its tiers, fitted on data: a logistic model per question language of
"the first sentence holds the answer", and the three thresholds on its probability
(`eval/fitting/levels.py`).

Fitted on XQuAD's even-numbered articles (Arabic and English questions over the Arabic
paragraphs) and ARCD train together, with their no-answer variants (the paragraph removed from
the index, its siblings left) and off-topic questions; checked on XQuAD's odd-numbered articles
and on ARCD by cross-validation over articles. The seed questions are never used.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from sklearn.linear_model import LogisticRegression

from eval.datasets import article_of
from eval.fitting.levels import Scored, choose_thresholds
from eval.selective import reliability, right, tier_metrics
from rag.answer.confidence import FEATURES, ConfidenceModel, TierThresholds
from rag.answer.linear import LinearModel

# Inverse L2 strength of the logistic model, chosen by cross-validation (see README).
REGULARIZATION = 1.0
FOLDS = 5

Record = Mapping[str, Any]
Model = TypeVar("Model", bound=LinearModel)


def source_of(record: Record) -> str:
    """What a record's thresholds must hold on: its index's source (XQuAD or ARCD)."""
    name = str(record.get("set", ""))
    return "arcd" if name.startswith("arcd") or name.endswith("on-arcd") else "xquad"


def fit_confidence(
    records: Sequence[Record], regularization: float = REGULARIZATION
) -> ConfidenceModel:
    """A logistic model of `correct` over standardized `FEATURES`, unweighted, so that its
    output is a probability on data like the calibration mix."""
    labels = np.array([right(r) for r in records], dtype=bool)
    if labels.all() or not labels.any():
        raise ValueError("need both correct and wrong answers to fit the confidence")
    x = np.array([[r["features"][name] for name in FEATURES] for r in records], dtype=float)
    return fit_linear(ConfidenceModel, FEATURES, x, labels, regularization)


def fit_linear(
    kind: type[Model],
    features: tuple[str, ...],
    x: np.ndarray,
    y: np.ndarray,
    regularization: float,
) -> Model:
    """A logistic model of `y` over the columns of `x` (named `features`), standardized."""
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0  # a constant signal gets no weight, and no division by zero
    fitted = LogisticRegression(C=regularization, max_iter=5000).fit((x - mean) / scale, y)
    return kind(
        features=features,
        mean=tuple(mean.tolist()),
        scale=tuple(scale.tolist()),
        coef=tuple(fitted.coef_[0].tolist()),
        intercept=float(fitted.intercept_[0]),
    )


def with_tiers(
    records: Sequence[Record], model: ConfidenceModel, thresholds: TierThresholds
) -> list[dict[str, Any]]:
    """The records as the fitted confidence would have tiered them."""
    tiered = []
    for r in records:
        confidence = model.probability(r["features"]) if r["features"] else 0.0
        tiered.append({**r, "confidence": confidence, "tier": thresholds.tier(confidence)})
    return tiered


def fit_language(records: Sequence[Record]) -> tuple[ConfidenceModel, TierThresholds]:
    usable = [r for r in records if r["features"]]
    model = fit_confidence(usable)
    scored = [
        Scored(
            confidence=model.probability(r["features"]),
            right=right(r),
            answerable=bool(r["answerable"]),
            variant=str(r.get("set", "")).endswith("-noanswer"),
            source=source_of(r),
        )
        for r in usable
    ]
    return model, choose_thresholds(scored)


def cross_validated(
    fixed: Sequence[Record], folded: Sequence[Record], fit: Callable = fit_language
) -> dict[str, Any]:
    """Tier metrics on `folded` (ARCD), each fold fitted on `fixed` (XQuAD) plus the other folds;
    folds are whole articles, so siblings of a held-out paragraph are held out too."""
    tested = []
    for fold in range(FOLDS):
        train = [r for r in folded if fold_of(r) != fold]
        test = [r for r in folded if fold_of(r) == fold]
        model, thresholds = fit([*fixed, *train])
        tested += with_tiers(test, model, thresholds)
    return checked(tested)


def checked(records: Sequence[Record]) -> dict[str, Any]:
    """What the tiers deliver on `records`, and how reliable the confidence is on them."""
    return {**tier_metrics(records), "reliability": reliability(records)}


def fold_of(record: Record) -> int:
    if record["gold_ids"]:
        return article_of(record["gold_ids"][0]) % FOLDS
    return zlib.crc32(record["id"].encode()) % FOLDS  # off-topic: no article of its own


def write_calibration(calibration: Mapping[str, Any], path: Path) -> None:
    path.write_text(json.dumps(calibration, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
