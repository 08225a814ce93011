"""The fits on hand-made records with known answers: tier thresholds, the confidence model,
the fusion weights, and the support threshold."""

from __future__ import annotations

import numpy as np
import pytest

from eval.fitting.fusion import fit_weights, fused_articles, mean_ndcg
from eval.fitting.levels import Scored, choose_thresholds, wilson
from eval.fitting.support import support_threshold
from eval.fitting.tiers import (
    cross_validated,
    fit_confidence,
    fold_of,
    with_tiers,
)
from rag.answer.confidence import FEATURES, TierThresholds


def _scored(confidence: float, right: bool, answerable: bool = True, **rest) -> Scored:
    variant = rest.get("variant", not answerable)
    return Scored(confidence, right, answerable, variant, rest.get("source", "xquad"))


def test_each_threshold_is_where_its_tier_delivers_its_target() -> None:
    items = [
        *(_scored(0.95 - i * 0.0005, True) for i in range(100)),  # all right above 0.90
        *(_scored(0.80 - i * 0.0001, i % 5 != 0) for i in range(300)),  # 80% right above 0.77
        *(_scored(0.50 - i * 0.0001, i % 2 == 0) for i in range(300)),  # half right above 0.47
        *(_scored(0.30, False) for _ in range(2)),  # answerable, first sentence wrong
        *(_scored(0.10 - i * 0.0001, False, answerable=False) for i in range(200)),
    ]
    tiers = choose_thresholds(items)

    def share_right(low: float, high: float) -> float:
        band = [i.right for i in items if low <= i.confidence < high]
        return sum(band) / len(band)

    # The answer tier reaches into the 80% band only as far as the whole stays right 90% of
    # the time, by the margin its Wilson bound needs.
    assert 0.77 < tiers.answer < 0.9 and share_right(tiers.answer, 1.0) >= 0.92
    # The likely tier takes the rest of the 80% band and stops early in the half-right one.
    assert 0.47 < tiers.likely < 0.77 and share_right(tiers.likely, tiers.answer) >= 0.72
    # Refused: every unanswerable question, and so few answerable ones that at most 5% of
    # them are refused and at least 95% of the refusals are right.
    refused = [i for i in items if i.confidence < tiers.related]
    assert all(i.confidence < tiers.related for i in items if not i.answerable)
    assert sum(i.answerable for i in refused) / sum(i.answerable for i in items) <= 0.05
    assert sum(not i.answerable for i in refused) / len(refused) >= 0.95


def test_every_source_must_meet_the_targets_not_their_mix() -> None:
    easy = [_scored(0.9 + i * 0.0005, True, source="xquad") for i in range(150)]
    hard = [_scored(0.9 + i * 0.0005, i % 3 != 0, source="arcd") for i in range(60)]
    # Pooled, 190 of 210 are right (0.905); ARCD alone is at 0.67.
    assert choose_thresholds([*easy, *hard]).answer > 0.9 + 59 * 0.0005 - 1e-9
    assert choose_thresholds(easy).answer == pytest.approx(0.9)


def test_too_many_no_answer_variants_keep_the_likely_tier_small() -> None:
    right = [_scored(0.9 - i * 0.001, i % 4 != 0) for i in range(100)]
    variants = [_scored(0.85 - i * 0.001, False, answerable=False) for i in range(40)]
    variants += [_scored(0.05, False, answerable=False) for _ in range(60)]
    tiers = choose_thresholds([*right, *variants])
    stated = sum(v.confidence >= tiers.likely for v in variants) / len(variants)
    assert stated <= 0.15


def test_nothing_precise_enough_puts_nothing_in_the_answer_tier() -> None:
    tiers = choose_thresholds([_scored(0.9, False), _scored(0.8, False, answerable=False)])
    assert tiers.answer == 1.0 and tiers.related <= tiers.likely <= tiers.answer


def test_the_wilson_bound_is_below_a_small_samples_share() -> None:
    low, high = wilson(5, 5)
    assert low < 0.7 and high == pytest.approx(1.0)
    low, high = wilson(950, 1000)
    assert 0.93 < low < 0.95 < high < 0.97


def _records(rng: np.random.Generator, n: int) -> list[dict]:
    """Records where only `gap` tells right answers from wrong ones."""
    records = []
    for i in range(n):
        right = i % 3 != 0
        features = {name: float(rng.normal(0.5, 0.1)) for name in FEATURES}
        features["gap"] = float(rng.normal(0.08 if right else 0.0, 0.02))
        features["type_missing"] = 0.0  # constant: must not divide by zero
        records.append(
            {
                "id": f"q{i}",
                "answerable": True,
                "answer_hit": right,
                "first_hit": right,
                "features": features,
                "gold_ids": [f"{i % 10:03d}-000"],
                "direction": "ar-ar",
                "tier": "answer",
            }
        )
    return records


def test_the_fitted_confidence_is_a_probability_that_ranks_right_answers_higher() -> None:
    records = _records(np.random.default_rng(0), 150)
    model = fit_confidence(records)
    p = np.array([model.probability(r["features"]) for r in records])
    right = np.array([r["first_hit"] for r in records])
    assert p[right].mean() > 0.8 > 0.3 > p[~right].mean()
    weights = dict(zip(model.features, model.coef, strict=True))
    assert weights["gap"] == max(weights.values(), key=abs) and weights["gap"] > 0
    assert weights["type_missing"] == 0.0
    # Calibrated: the mean probability is close to the share of right answers.
    assert abs(p.mean() - right.mean()) < 0.05


def test_the_confidence_needs_right_and_wrong_answers() -> None:
    records = _records(np.random.default_rng(1), 9)
    for r in records:
        r["first_hit"] = True
    with pytest.raises(ValueError, match="both correct and wrong"):
        fit_confidence(records)


def test_cross_validation_tests_every_record_once_on_a_model_fitted_without_its_article() -> None:
    rng = np.random.default_rng(2)
    fixed, folded = _records(rng, 90), _records(rng, 100)
    fitted_on: list[set[int]] = []

    def fit(train):
        fitted_on.append({fold_of(r) for r in train if r in folded})
        model = fit_confidence(train)
        return model, TierThresholds(0.5, 0.4, 0.1)

    metrics = cross_validated(fixed, folded, fit)
    assert metrics["answerable"] == len(folded)
    assert all(len(folds) == 4 for folds in fitted_on)  # one fold left out each time
    tiered = with_tiers(folded, fit_confidence(folded), TierThresholds(0.5, 0.4, 0.1))
    assert {r["tier"] for r in tiered} <= {"answer", "likely", "related", "refused"}


def _ranked(gold: str, dense: list[str], bm25: list[str]) -> dict:
    return {"gold_ids": [gold], "chunk_ranked": {"dense": dense, "bm25": bm25}}


def test_fusion_weights_follow_the_ranking_that_finds_the_gold() -> None:
    # BM25 ranks the gold article first, dense ranks it third.
    records = [
        _ranked(f"g{i}", [f"x{i}:0-1", f"y{i}:0-1", f"g{i}:0-1"], [f"g{i}:0-1", f"x{i}:0-1"])
        for i in range(5)
    ]
    weights, gain = fit_weights([records], ["dense", "bm25"], rrf_k=60)
    assert weights["bm25"] > weights["dense"] == 1.0
    assert mean_ndcg(records, weights, 60) == pytest.approx(1.0)
    assert gain == pytest.approx(1.0 - mean_ndcg(records, {"dense": 1.0, "bm25": 1.0}, 60))
    assert fused_articles(records[0], weights, 60)[0] == "g0"


def test_fusion_weights_do_not_trade_one_source_for_another() -> None:
    # On the first source BM25 finds the gold, on the second dense does: equal weights stay.
    bm25_wins = [
        _ranked(f"g{i}", [f"x{i}:0-1", f"y{i}:0-1", f"g{i}:0-1"], [f"g{i}:0-1"]) for i in range(5)
    ]
    dense_wins = [
        _ranked(f"h{i}", [f"h{i}:0-1"], [f"x{i}:0-1", f"y{i}:0-1", f"h{i}:0-1"]) for i in range(5)
    ]
    weights, gain = fit_weights([bm25_wins, dense_wins], ["dense", "bm25"], rrf_k=60)
    assert weights == {"dense": 1.0, "bm25": 1.0} and gain == 0.0


def test_support_threshold_separates_the_groups() -> None:
    result = support_threshold([0.9, 0.88, 0.87, 0.95], [0.7, 0.75, 0.8, 0.86])
    assert result["support_threshold"] == pytest.approx(0.87)
    assert result["supported_recall"] == 1.0 and result["unsupported_rejected"] == 1.0
