"""Fitting the sentence ranker (`rag.answer.ranking`): a logistic model per question language
of "this candidate sentence holds a gold answer", over the candidates `collect` recorded with
their signals, fitted on XQuAD's even-numbered articles and ARCD train.

It is checked by precision at 1 (the first-ranked sentence holds a gold answer, over answerable
questions) against the hand-weighed score, on XQuAD's odd-numbered articles and on ARCD by
cross-validation over articles, and kept for a language only if it beats the hand-weighed score
on every one of that language's checks."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from eval.fitting.tiers import FOLDS, fit_linear, fold_of
from rag.answer.ranking import RANK_FEATURES, SentenceRanker

Record = Mapping[str, Any]
REGULARIZATION = 1.0


def _with_candidates(records: Sequence[Record]) -> list[Record]:
    return [r for r in records if r["answerable"] and (r.get("candidates") or {}).get("hit")]


def _matrix(record: Record) -> np.ndarray:
    signals = record["candidates"]["signals"]
    return np.column_stack([np.asarray(signals[name], dtype=float) for name in RANK_FEATURES])


def fit_ranker(records: Sequence[Record], regularization: float = REGULARIZATION) -> SentenceRanker:
    """Fitted on the candidates of questions where some candidate holds the answer: the others
    say nothing about which sentence to put first."""
    usable = [r for r in _with_candidates(records) if any(r["candidates"]["hit"])]
    if not usable:
        raise ValueError("no question has a candidate sentence that holds its answer")
    x = np.vstack([_matrix(r) for r in usable])
    y = np.concatenate([np.asarray(r["candidates"]["hit"], dtype=bool) for r in usable])
    return fit_linear(SentenceRanker, RANK_FEATURES, x, y, regularization)


def _first_hit(record: Record, ranker: SentenceRanker | None) -> bool:
    candidates = record["candidates"]
    if ranker is None:
        scores = np.asarray(candidates["score"], dtype=float)
    else:
        signals = {k: np.asarray(v, dtype=float) for k, v in candidates["signals"].items()}
        scores = ranker.rank(signals)
    return bool(candidates["hit"][int(np.argmax(scores))])


def precision_at_1(
    records: Sequence[Record], ranker: SentenceRanker | None = None
) -> dict[str, float | int]:
    """Share of answerable questions whose first-ranked sentence holds a gold answer, by the
    ranker (None: the hand-weighed score), and the share where any candidate holds one."""
    usable = _with_candidates(records)
    if not usable:
        return {"questions": 0}
    return {
        "p_at_1": round(float(np.mean([_first_hit(r, ranker) for r in usable])), 4),
        "any_candidate": round(float(np.mean([any(r["candidates"]["hit"]) for r in usable])), 4),
        "questions": len(usable),
    }


def _compare(
    test: Sequence[Record], ranker_for: Callable[[Record], SentenceRanker]
) -> dict[str, Any]:
    usable = _with_candidates(test)
    hand = [_first_hit(r, None) for r in usable]
    learned = [_first_hit(r, ranker_for(r)) for r in usable]
    return {
        "hand": round(float(np.mean(hand)), 4) if usable else None,
        "learned": round(float(np.mean(learned)), 4) if usable else None,
        "any_candidate": precision_at_1(usable).get("any_candidate"),
        "questions": len(usable),
    }


def check_ranker(
    fit_on: Sequence[Record], held_out: Sequence[Record], folded: Sequence[Record]
) -> tuple[SentenceRanker, dict[str, Any]]:
    """The ranker fitted on `fit_on` plus `folded` (ARCD), its P@1 beside the hand-weighed
    score's on `held_out` (XQuAD odd), and on `folded` by cross-validation over articles."""
    ranker = fit_ranker([*fit_on, *folded])
    stats: dict[str, Any] = {"xquad_odd": _compare(held_out, lambda _: ranker)}
    if folded:
        by_fold = {
            fold: fit_ranker([*fit_on, *(r for r in folded if fold_of(r) != fold)])
            for fold in range(FOLDS)
        }
        stats["arcd_cv"] = _compare(folded, lambda r: by_fold[fold_of(r)])
    stats["kept"] = all(
        check["learned"] is not None and check["learned"] > check["hand"]
        for key, check in stats.items()
        if key in ("xquad_odd", "arcd_cv")
    )
    return ranker, stats
