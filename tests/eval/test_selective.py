"""Tier coverage, answer-tier precision and the risk-coverage curve on hand-made records."""

from __future__ import annotations

import pytest

from eval.selective import risk_coverage, selective_section, tier_metrics


def _record(tier: str, answerable: bool, hit: bool, confidence: float, direction="ar-ar") -> dict:
    return {
        "tier": tier,
        "answerable": answerable,
        "answer_hit": hit,
        "confidence": confidence,
        "direction": direction,
    }


RECORDS = [
    _record("answer", True, True, 0.95),
    _record("answer", True, True, 0.9),
    _record("answer", True, False, 0.85),
    _record("related", True, True, 0.5),
    _record("refused", True, False, 0.1),
    _record("answer", False, False, 0.8, "en-ar"),
    _record("related", False, False, 0.4, "en-ar"),
    _record("refused", False, False, 0.05, "en-ar"),
]


def test_tiers_split_answerable_questions_and_unanswerable_ones_count_as_wrong() -> None:
    metrics = tier_metrics(RECORDS)
    assert metrics["coverage"] == {"answer": 0.6, "related": 0.2, "refused": 0.2}
    assert metrics["answer_precision"] == pytest.approx(2 / 4)
    assert metrics["unanswerable_in_answer"] == pytest.approx(1 / 3)
    assert metrics["unanswerable_refused"] == pytest.approx(1 / 3)


def test_risk_falls_as_fewer_and_surer_questions_are_answered() -> None:
    curve = risk_coverage(RECORDS)
    assert curve["coverage"][0] == pytest.approx(1 / 8) and curve["coverage"][-1] == 1.0
    assert curve["risk"][0] == 0.0  # the surest answer is right
    assert curve["risk"][-1] == pytest.approx(1 - 3 / 8)  # everything answered: 3 right of 8
    assert 0.0 < curve["aurc"] < curve["risk"][-1]
    assert risk_coverage([{**r, "confidence": None} for r in RECORDS])["aurc"] is None


def test_the_section_has_every_direction() -> None:
    section = selective_section(RECORDS)
    assert set(section["by_direction"]) == {"ar-ar", "en-ar"}
    assert section["by_direction"]["en-ar"]["coverage"]["answer"] is None  # no answerable ones
