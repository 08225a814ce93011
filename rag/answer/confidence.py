"""How sure is the answer? A calibrated probability that the chosen sentence holds the answer,
and the three thresholds on it that make the four tiers.

The best sentence's score alone cannot tell a passage that answers the question from one that is
only on the same topic: both are close to the question in embedding space. More signals help:
whether the best sentence stands out from the other sentences and passages, how the passages and
the whole corpus match the question, how much of what the question names the sentence names,
whether other articles report the same, and whether a "when" or "how many" question finds a
date or a quantity.

A logistic model per question language weighs the signals into a probability. `python -m eval
calibrate` fits it on XQuAD (even-numbered articles, Arabic and English questions) and ARCD train
together, with their no-answer variants and off-topic questions, and stores it as plain numbers
in `rag/calibration.json` with the thresholds, each from what its tier must deliver on every
source it is fitted on (`eval/fitting/levels.py`). Without a fitted model there is no
confidence and every answer is in the answer tier.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from corpus import normalize_text, search_tokens
from embeddings.index.protocol import VectorIndex
from rag.answer.linear import LinearModel
from rag.answer.selection import ScoredSentence
from rag.question.answer_type import AnswerType, matches_type
from rag.retrieval.lexical import idf_overlap
from rag.schema import Passage, Question, Tier

FEATURES = (
    "top",  # the best sentence's answer score (SentenceSelector)
    "top_cosine",  # the best sentence's own cosine to the question
    "best_cosine",  # the best cosine between the question and a sentence of the passages
    "passage_cosine",  # the best cosine between the question and a passage
    "corpus_sentence",  # the best cosine between the question and any sentence of the corpus
    "gap",  # how far the best sentence stands above the best one from another passage that
    # does not say the same thing (news articles repeat each other: agreement is no doubt)
    "sentence_gap",  # how far it stands above the next sentence that says something else
    "overlap",  # share of the question's rare words the best sentence names (Arabic questions)
    "agreement",  # how many other articles say what the best sentence says
    "numbers_missing",  # 1 when a number of the question occurs in no retrieved passage
    "type_missing",  # 1 when a date or quantity is asked for and the best sentence has none
    "span_found",  # 1 when a date, number or name is asked for and the best sentence states one
    "novelty",  # share of the best sentence's words the question does not have
    "question_words",  # how many words the question has (short questions are vaguer)
    "sentence_words",  # log of how many the best sentence has
    "rank_top",  # the best sentence's ranking score (the learned ranker's log-odds, or `top`)
    "rank_gap",  # how far it stands above the next sentence that says something else
)

_NUMBER = re.compile(r"\d+")


def _says_the_same(a: ScoredSentence, b: ScoredSentence, same_claim: float) -> bool:
    return float(a.vector @ b.vector) >= same_claim


# Sentences of one news topic sit at cosine 0.85-0.93 to each other whatever they state, so
# only near-copies (an agency's sentence carried by several outlets) count as the same report,
# or two similar sentences that state the same answer span.
REPORT_COSINE = 0.95


def agreeing(
    scored: Sequence[ScoredSentence],
    passages: Sequence[Passage],
    same_claim: float,
    span: tuple[int, int] | None,
) -> list[ScoredSentence]:
    """The best sentence of each other article that reports what the best sentence says
    (`span`: the answer span found in the best sentence)."""
    best = scored[0]
    stated = normalize_text(best.span.text[slice(*span)]) if span else None
    found: dict[str, ScoredSentence] = {}
    own = passages[best.passage].article_id
    for s in scored[1:]:
        article = passages[s.passage].article_id
        if article == own or article in found:
            continue
        cosine = float(s.vector @ best.vector)
        if cosine >= REPORT_COSINE or (
            stated and cosine >= same_claim and stated in normalize_text(s.span.text)
        ):
            found[article] = s
    return list(found.values())


def confidence_features(
    question: Question,
    passages: Sequence[Passage],
    scored: Sequence[ScoredSentence],
    index: VectorIndex,
    same_claim: float,
    span: tuple[int, int] | None,
) -> dict[str, float]:
    """The signals of `FEATURES`, from the selector's scored sentences (best first, not empty)
    and the answer span found in the best one. Two sentences say the same thing when their
    cosine reaches `same_claim` (the support threshold: the cosine at which one sentence
    supports another)."""
    best = scored[0]
    sentence_tokens = set(search_tokens(best.span.text))
    different = [s for s in scored[1:] if not _says_the_same(s, best, same_claim)]
    other_passage = next((s.score for s in different if s.passage != best.passage), 0.0)
    next_sentence = next((s.score for s in different), 0.0)
    next_ranked = next((s.rank for s in different), best.rank)
    everything = "\n".join(p.chunk.search_text for p in passages)
    numbers = set(_NUMBER.findall(normalize_text(question.text)))
    expected = question.answer_type
    corpus_best = index.search_sentences(question.vector, 1)
    overlap = (
        idf_overlap(index.idf(question.own_tokens), best.span.text)
        if question.language == "ar"
        else 0.0
    )
    return {
        "top": best.score,
        "top_cosine": best.cosine,
        "best_cosine": max(s.cosine for s in scored),
        "passage_cosine": max((p.dense_score or 0.0) for p in passages),
        "corpus_sentence": corpus_best[0].score if corpus_best else 0.0,
        "gap": best.score - other_passage,
        "sentence_gap": best.score - next_sentence,
        "overlap": overlap,
        "agreement": float(len(agreeing(scored, passages, same_claim, span))),
        "numbers_missing": float(bool(numbers - set(_NUMBER.findall(normalize_text(everything))))),
        "type_missing": float(
            expected.has_surface_form and not matches_type(best.span.text, expected)
        ),
        "span_found": float(span is not None),
        "novelty": len(sentence_tokens - set(question.own_tokens)) / max(1, len(sentence_tokens)),
        "question_words": float(len(set(question.own_tokens))),
        "sentence_words": math.log1p(len(sentence_tokens)),
        "rank_top": best.rank,
        "rank_gap": best.rank - next_ranked,
    }


class ConfidenceModel(LinearModel):
    """A logistic model over standardized `FEATURES`; `probability` is its P(the first sentence
    holds the answer)."""

    known = FEATURES
    kind = "confidence model"


def confidence_models(payload: Mapping[str, Any] | None) -> dict[str, ConfidenceModel]:
    """The per-language models of the `confidence` setting (`{"ar": {...}, "en": {...}}`)."""
    return ConfidenceModel.per_language(payload)


@dataclass(frozen=True)
class TierThresholds:
    """The answer tier from `answer` up, likely from `likely` up, related from `related` up,
    else refused."""

    answer: float
    likely: float
    related: float

    def __post_init__(self) -> None:
        if not 0.0 <= self.related <= self.likely <= self.answer <= 1.0:
            raise ValueError(
                "tier thresholds must satisfy 0 <= related <= likely <= answer <= 1, got "
                f"related={self.related}, likely={self.likely}, answer={self.answer}"
            )

    def tier(self, confidence: float) -> Tier:
        if confidence >= self.answer:
            return "answer"
        if confidence >= self.likely:
            return "likely"
        return "related" if confidence >= self.related else "refused"

    def to_json(self) -> dict[str, float]:
        return {"answer": self.answer, "likely": self.likely, "related": self.related}


def borrowed_answer(question: Question, sentence: str, span: tuple[int, int] | None) -> bool:
    """Would `sentence` answer a follow-up only through the context it borrowed? True when the
    question leans on the conversation and its own words are not borne out by the sentence: it
    shares none of them, and does not state the kind of answer asked for (a date for "متى كان
    ذلك؟"). Such a sentence may be about the previous question's topic, not this one, so it
    never reaches the answer tier."""
    if question.context is None:
        return False
    if set(question.own_tokens) & set(search_tokens(sentence)):
        return False
    return span is None or question.answer_type is AnswerType.OTHER


def tier_thresholds(payload: Mapping[str, Any] | None) -> dict[str, TierThresholds]:
    """The per-language thresholds of the `tier_thresholds` setting."""
    try:
        return {
            language: TierThresholds(
                answer=float(t["answer"]), likely=float(t["likely"]), related=float(t["related"])
            )
            for language, t in (payload or {}).items()
        }
    except (KeyError, TypeError) as error:
        raise ValueError(f"tier thresholds: malformed entry ({error})") from error
