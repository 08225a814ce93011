"""Does the corpus answer the question? A score from several signals, refused below a threshold.

The best sentence's score alone cannot tell a passage that answers the question from one that is
only on the same topic: both are close to the question in embedding space. A few more signals
help a little: whether the best sentence stands out from the other passages, how the passages and
the whole corpus match the question, whether numbers named in the question occur at all, and
whether a "when" or "how many" question finds a date or a quantity.

A logistic model weighs the signals. `python -m eval calibrate` fits it on the even-numbered
articles of XQuAD against its no-answer variant and stores it as plain numbers in
`rag/calibration.json`; the threshold on its score is chosen there too. Without a fitted model
the score is the best sentence's score.

Word overlap between question and passage is deliberately not a signal. It separated XQuAD's
no-answer questions best (held-out refusal 0.845 against 0.784 without it), because SQuAD
questions were written while reading the paragraph and borrow its words; but it refused
paraphrased news questions that the corpus does answer (seed questions, Arabic: 3 of 11 refused
against 1 of 11). The gap ignores other passages that repeat the best sentence: on XQuAD that
changed nothing held out but false refusals (0.073 to 0.087, ar-ar), and on news, where articles
repeat each other, it stopped refusing the one seed question the plain gap refused.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from corpus import normalize_text
from embeddings.index import VectorIndex
from rag.answer.selection import ScoredSentence
from rag.question.answer_type import AnswerType, matches_type
from rag.schema import Passage, Question

FEATURES = (
    "top",  # the best sentence's answer score (SentenceSelector)
    "best_cosine",  # the best cosine between the question and a sentence of the passages
    "passage_cosine",  # the best cosine between the question and a passage
    "corpus_sentence",  # the best cosine between the question and any sentence of the corpus
    "gap",  # how far the best sentence stands above the best one from another passage that
    # does not say the same thing (news articles repeat each other: agreement is no doubt)
    "numbers_missing",  # 1 when a number of the question occurs in no retrieved passage
    "type_missing",  # 1 when a date or quantity is asked for and the best sentence has none
)

_NUMBER = re.compile(r"\d+")


def answerability_features(
    question: Question,
    passages: Sequence[Passage],
    scored: Sequence[ScoredSentence],
    index: VectorIndex,
    same_claim: float,
) -> dict[str, float]:
    """The signals of `FEATURES`, from the selector's scored sentences (best first, not empty).
    Two sentences say the same thing when their cosine reaches `same_claim` (the support
    threshold: the cosine at which one sentence supports another)."""
    best = scored[0]
    runner_up = next(
        (
            s.score
            for s in scored
            if s.passage != best.passage and float(s.vector @ best.vector) < same_claim
        ),
        None,
    )
    everything = "\n".join(p.chunk.search_text for p in passages)
    numbers = set(_NUMBER.findall(normalize_text(question.search_query)))
    expected = question.answer_type
    corpus_best = index.search_sentences(question.vector, 1)
    return {
        "top": best.score,
        "best_cosine": max(s.cosine for s in scored),
        "passage_cosine": max((p.dense_score or 0.0) for p in passages),
        "corpus_sentence": corpus_best[0].score if corpus_best else 0.0,
        "gap": best.score - (runner_up if runner_up is not None else 0.0),
        "numbers_missing": float(bool(numbers - set(_NUMBER.findall(normalize_text(everything))))),
        "type_missing": float(
            expected is not AnswerType.OTHER and not matches_type(best.span.text, expected)
        ),
    }


@dataclass(frozen=True)
class AnswerabilityModel:
    """A logistic model over standardized features; `score` is its log-odds of an answer."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float

    def __post_init__(self) -> None:
        unknown = set(self.features) - set(FEATURES)
        if unknown:
            raise ValueError(f"unknown answerability feature(s): {', '.join(sorted(unknown))}")
        sizes = {len(self.features), len(self.mean), len(self.scale), len(self.coef)}
        if len(sizes) != 1:
            raise ValueError("answerability model: features, mean, scale and coef differ in length")
        if any(s <= 0 for s in self.scale):
            raise ValueError("answerability model: every scale must be positive")

    def score(self, values: Mapping[str, float]) -> float:
        x = np.array([values[name] for name in self.features], dtype=float)
        z = (x - np.asarray(self.mean)) / np.asarray(self.scale)
        return float(z @ np.asarray(self.coef) + self.intercept)

    def to_json(self) -> dict[str, Any]:
        return {
            "features": list(self.features),
            "mean": [round(v, 8) for v in self.mean],
            "scale": [round(v, 8) for v in self.scale],
            "coef": [round(v, 8) for v in self.coef],
            "intercept": round(self.intercept, 8),
        }

    @classmethod
    def from_json(cls, payload: Mapping[str, Any]) -> AnswerabilityModel:
        try:
            return cls(
                features=tuple(str(name) for name in payload["features"]),
                mean=tuple(float(v) for v in payload["mean"]),
                scale=tuple(float(v) for v in payload["scale"]),
                coef=tuple(float(v) for v in payload["coef"]),
                intercept=float(payload["intercept"]),
            )
        except (KeyError, TypeError) as error:
            raise ValueError(f"answerability model: malformed entry ({error})") from error


def answerability_models(payload: Mapping[str, Any] | None) -> dict[str, AnswerabilityModel]:
    """The per-language models of the `answerability` setting (`{"ar": {...}, "en": {...}}`)."""
    return {language: AnswerabilityModel.from_json(m) for language, m in (payload or {}).items()}


def answerability(values: Mapping[str, float], model: AnswerabilityModel | None) -> float:
    return model.score(values) if model is not None else values["top"]
