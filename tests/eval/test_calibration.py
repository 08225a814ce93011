"""Refusal and support thresholds on hand-made score lists with known answers."""

from __future__ import annotations

import pytest

from eval.calibration import calibrate, support_threshold, threshold_for


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
