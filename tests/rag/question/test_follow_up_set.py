"""The follow-up detector measured on a labelled set (`data/follow_ups.jsonl`): question pairs in
both languages, the second either a real follow-up, a question that stands alone after another
topic, or one whose pronoun has its antecedent inside the question itself. The rules are
general (`rag.question.follow_up`); this set measures them, it was not fitted to.

Run with `-s` to see the figures: precision and recall of "is a follow-up", and every miss."""

from __future__ import annotations

import json
from pathlib import Path

from rag.question.follow_up import follow_up_context, is_follow_up
from rag.schema import Turn

DATA = Path(__file__).parent / "data" / "follow_ups.jsonl"
GOAL = 0.9


def _pairs() -> list[dict]:
    return [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()]


def test_the_set_covers_both_languages_and_every_kind() -> None:
    pairs = _pairs()
    assert len(pairs) >= 60
    for language in ("ar", "en"):
        kinds = {p["kind"] for p in pairs if p["language"] == language}
        assert kinds == {"follow_up", "standalone", "antecedent_inside"}


def test_precision_and_recall_of_the_detector_reach_the_goal() -> None:
    pairs = _pairs()
    predicted = [
        follow_up_context(p["question"], [Turn(p["previous"], "")]) is not None for p in pairs
    ]
    truth = [p["follow_up"] for p in pairs]
    hits = sum(p and t for p, t in zip(predicted, truth, strict=True))
    precision = hits / max(1, sum(predicted))
    recall = hits / max(1, sum(truth))
    misses = [
        p["question"] for p, guess in zip(pairs, predicted, strict=True) if guess != p["follow_up"]
    ]
    print(f"\nfollow-ups: {len(pairs)} pairs, {sum(truth)} follow-ups")
    print(f"precision {precision:.3f}, recall {recall:.3f}; wrong: {misses}")
    for language in ("ar", "en"):
        rows = [
            (g, p["follow_up"])
            for p, g in zip(pairs, predicted, strict=True)
            if p["language"] == language
        ]
        right = sum(g == t for g, t in rows)
        print(f"  {language}: {right}/{len(rows)} right")
    assert precision >= GOAL and recall >= GOAL, misses
    assert all(
        is_follow_up(p["question"]) == guess for p, guess in zip(pairs, predicted, strict=True)
    )
