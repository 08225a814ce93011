"""Refusal and support thresholds on hand-made score lists with known answers, and the\nanswerability model fitted on synthetic signals."""

from __future__ import annotations

import numpy as np
import pytest

from eval.calibration import calibrate, fit_answerability, support_threshold, threshold_for
from rag.answer.answerability import FEATURES


def test_threshold_refuses_at_most_the_allowed_share_of_answerable_questions() -> None:
    answerable = [0.1 * i for i in range(1, 11)]  # 0.1 .. 1.0
    threshold = threshold_for(answerable, max_false_refusal=0.2)
    refused = sum(score < threshold for score in answerable)
    assert refused <= 2 and threshold == pytest.approx(0.2)


def test_threshold_needs_answerable_scores() -> None:
    with pytest.raises(ValueError, match="no answerable"):
        threshold_for([], 0.1)


def test_calibrate_reports_per_language_thresholds_and_rates() -> None:
    scores = {
        "ar": {"answerable": [0.9, 0.88, 0.86, 0.84, 0.95], "unanswerable": [0.8, 0.85, 0.7]},
        "en": {"answerable": [0.8, 0.79, 0.81, 0.83], "unanswerable": [0.7]},
    }
    result = calibrate(scores, max_false_refusal=0.0)
    assert result["refusal_threshold_ar"] == pytest.approx(0.84)
    assert result["refusal_threshold_en"] == pytest.approx(0.79)
    stats = result["calibration_stats"]["ar"]
    assert stats["false_refusal_rate"] == 0.0
    assert stats["refusal_accuracy"] == pytest.approx(2 / 3)
    assert result["calibration_stats"]["en"]["refusal_accuracy"] == 1.0


def test_support_threshold_separates_the_groups() -> None:
    result = support_threshold([0.9, 0.88, 0.87, 0.95], [0.7, 0.75, 0.8, 0.86])
    assert result["support_threshold"] == pytest.approx(0.87)
    assert result["supported_recall"] == 1.0 and result["unsupported_rejected"] == 1.0


def test_fitted_answerability_ranks_answerable_questions_higher() -> None:
    rng = np.random.default_rng(0)
    answerable = [True] * 80 + [False] * 40

    def signals(ok: bool) -> dict[str, float]:
        values = {name: float(rng.normal(0.5, 0.1)) for name in FEATURES}
        values["gap"] = float(rng.normal(0.05 if ok else 0.0, 0.01))  # the one telling signal
        values["type_missing"] = 0.0  # constant: must not divide by zero
        return values

    rows = [signals(ok) for ok in answerable]
    model = fit_answerability(rows, answerable)
    scores = np.array([model.score(row) for row in rows])
    labels = np.array(answerable)
    assert scores[labels].min() > np.median(scores[~labels])
    weights = dict(zip(model.features, model.coef, strict=True))
    assert weights["gap"] == max(weights.values(), key=abs) and weights["gap"] > 0
    assert weights["type_missing"] == 0.0


def test_answerability_needs_both_kinds_of_question() -> None:
    rows = [dict.fromkeys(FEATURES, 0.5)] * 3
    with pytest.raises(ValueError, match="both answerable and unanswerable"):
        fit_answerability(rows, [True, True, True])
