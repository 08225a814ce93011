"""Tier coverage, each stating tier's share right, reliability and the risk-coverage curve on
hand-made records."""

from __future__ import annotations

import pytest

from eval.selective import reliability, risk_coverage, selective_section, tier_metrics


def _record(tier: str, answerable: bool, hit: bool, confidence: float, direction="ar-ar") -> dict:
    return {
        "tier": tier,
        "answerable": answerable,
        "first_hit": None if tier == "refused" else hit,
        "confidence": confidence,
        "direction": direction,
    }


RECORDS = [
    _record("answer", True, True, 0.95),
    _record("answer", True, True, 0.9),
    _record("likely", True, False, 0.85),
    _record("likely", True, True, 0.6),
    _record("related", True, True, 0.5),
    _record("refused", True, False, 0.1),
    _record("answer", False, False, 0.8, "en-ar"),
    _record("related", False, False, 0.4, "en-ar"),
    _record("refused", False, False, 0.05, "en-ar"),
]


def test_tiers_split_answerable_questions_and_unanswerable_ones_count_as_wrong() -> None:
    metrics = tier_metrics(RECORDS)
    assert metrics["coverage"] == {
        "answer": pytest.approx(2 / 6),
        "likely": pytest.approx(2 / 6),
        "related": pytest.approx(1 / 6),
        "refused": pytest.approx(1 / 6),
    }
    assert metrics["stated_coverage"] == pytest.approx(4 / 6)
    assert metrics["right"] == {"answer": pytest.approx(2 / 3), "likely": pytest.approx(1 / 2)}
    assert metrics["unanswerable_stated"] == pytest.approx(1 / 3)
    assert metrics["unanswerable_in_answer"] == pytest.approx(1 / 3)
    assert metrics["unanswerable_refused"] == pytest.approx(1 / 3)


def test_reliability_sets_each_tiers_mean_confidence_beside_its_share_right() -> None:
    table = reliability(RECORDS)
    answer = table["levels"]["answer"]
    assert answer["questions"] == 3
    assert answer["predicted"] == pytest.approx((0.95 + 0.9 + 0.8) / 3)
    assert answer["observed"] == pytest.approx(2 / 3)
    # A refusal shows no sentence: its confidence is known, its share right is not.
    refused = table["levels"]["refused"]
    assert refused["questions"] == 2 and refused["observed"] is None
    # ECE over bins of the records that show a first sentence: 0.9-1.0 holds 0.95 and 0.9,
    # both right; 0.8-0.9 holds 0.85 and 0.8, both wrong; 0.6, 0.5 right; 0.4 wrong.
    expected = (2 * 0.075 + 2 * 0.825 + 1 * 0.4 + 1 * 0.5 + 1 * 0.4) / 7
    assert table["ece"] == pytest.approx(expected, abs=1e-4)
    assert reliability([])["ece"] is None


def test_risk_falls_as_fewer_and_surer_questions_are_answered() -> None:
    curve = risk_coverage(RECORDS)
    assert curve["coverage"][0] == pytest.approx(1 / 9, abs=1e-4) and curve["coverage"][-1] == 1.0
    assert curve["risk"][0] == 0.0  # the surest answer is right
    assert curve["risk"][-1] == pytest.approx(
        1 - 4 / 9, abs=1e-4
    )  # everything answered: 4 right of 9
    assert 0.0 < curve["aurc"] < curve["risk"][-1]
    assert risk_coverage([{**r, "confidence": None} for r in RECORDS])["aurc"] is None


def test_the_section_has_every_direction() -> None:
    section = selective_section(RECORDS)
    assert set(section["by_direction"]) == {"ar-ar", "en-ar"}
    assert section["by_direction"]["en-ar"]["coverage"]["answer"] is None  # no answerable ones


def test_a_no_answer_variant_is_one_only_if_no_paragraph_left_of_its_article_states_it() -> None:
    from eval.datasets import EvalQuestion
    from eval.runs import answer_left

    asked = EvalQuestion(
        "q", "متى تأسست المدينة؟", "ar", ("عام 1820",), ("003-001",), True, "ar-ar"
    )
    siblings = {3: ["تأسست المدينة عام ١٨٢٠ على ضفة النهر."], 4: ["عام 1820 في مدينة أخرى."]}
    assert answer_left(asked, siblings)  # its article still states it (Arabic-Indic digits too)
    assert not answer_left(asked, {3: ["نص آخر."], 4: siblings[4]})  # another article's is not
    assert not answer_left(EvalQuestion("o", "؟", "ar", (), (), False, "ar-ar"), siblings)
