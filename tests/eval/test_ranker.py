"""Fitting the sentence ranker on hand-made candidate records: it learns the signal that marks
the answer sentence, beats the hand-weighed score where that signal is what it misses, and is
kept only when it wins every held-out check."""

from __future__ import annotations

import json

import numpy as np

from eval.fitting.ranker import check_ranker, fit_ranker, precision_at_1
from rag.answer.ranking import RANK_FEATURES


def _records(rng: np.random.Generator, n: int, informative: str, start: int = 0) -> list[dict]:
    """Questions of 8 candidates each; the answer sentence (one per question) stands out by
    `informative`, while the hand-weighed score is noise."""
    records = []
    for q in range(start, start + n):
        hit = [False] * 8
        hit[int(rng.integers(8))] = True
        signals = {name: rng.normal(0, 1, 8).round(4).tolist() for name in RANK_FEATURES}
        signals[informative] = [2.0 if h else float(rng.normal(0, 0.5)) for h in hit]
        records.append(
            {
                "id": f"q{q}",
                "answerable": True,
                "gold_ids": [f"{q % 50:03d}-000"],
                "candidates": {
                    "signals": signals,
                    "score": rng.normal(0, 1, 8).tolist(),
                    "hit": hit,
                },
            }
        )
    return records


def test_the_ranker_learns_the_signal_that_marks_the_answer() -> None:
    rng = np.random.default_rng(0)
    train, test = _records(rng, 200, "neighbour_overlap"), _records(rng, 100, "neighbour_overlap")
    ranker = fit_ranker(train)
    weights = dict(zip(ranker.features, ranker.coef, strict=True))
    assert max(weights, key=lambda k: abs(weights[k])) == "neighbour_overlap"
    learned, hand = precision_at_1(test, ranker), precision_at_1(test)
    assert learned["p_at_1"] > 0.9 > 0.3 > hand["p_at_1"]
    assert learned["any_candidate"] == 1.0 and learned["questions"] == 100
    # Plain numbers: JSON holds the whole model.
    assert json.loads(json.dumps(ranker.to_json()))["features"] == list(RANK_FEATURES)


def test_the_ranker_is_kept_only_when_it_wins_every_check() -> None:
    rng = np.random.default_rng(1)
    fit_on, held_out = _records(rng, 150, "overlap"), _records(rng, 80, "overlap")
    folded = _records(rng, 100, "overlap", start=1000)
    ranker, stats = check_ranker(fit_on, held_out, folded)
    assert stats["kept"] and stats["xquad_odd"]["learned"] > stats["xquad_odd"]["hand"]
    assert precision_at_1(held_out, ranker)["p_at_1"] == stats["xquad_odd"]["learned"]
    assert stats["arcd_cv"]["questions"] == 100
    # Where the held-out questions are answered by a signal the fit never saw, it loses.
    other = _records(rng, 80, "position")
    for r in other:  # the hand score knows this set's answer
        r["candidates"]["score"] = [1.0 if h else 0.0 for h in r["candidates"]["hit"]]
    _, stats = check_ranker(fit_on, other, folded)
    assert not stats["kept"] and stats["xquad_odd"]["hand"] == 1.0
