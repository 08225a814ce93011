"""The signals of each candidate answer sentence, and the learned ranking over them.

Every sentence of the retrieved passages is described by cheap signals: its own and its
passage's similarity to the question (and how far each falls below the best candidate's), the
passage's place in the fused ranking, the question's rare words in the sentence and in its
neighbours, whether the asked-for kind of answer (a date, a number, a name) is there, where the
sentence stands in its article, and its length. `SentenceSelector` weighs the first few by hand;
`SentenceRanker` is a logistic model of "this sentence holds the answer" over all of them,
fitted per question language by `python -m eval calibrate --fit ranker` on XQuAD (even-numbered
articles) and ARCD train, and kept only where it picks the answer sentence more often than the
hand-weighed score on held-out questions.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from corpus import Span, search_tokens
from rag.answer.direct import answer_span
from rag.answer.linear import LinearModel
from rag.question.answer_type import matches_type
from rag.retrieval.lexical import idf_overlap
from rag.schema import Passage, Question

RANK_FEATURES = (
    "cosine",  # the sentence's cosine to the question
    "cosine_gap",  # the best candidate's cosine minus this one's
    "passage",  # its passage's dense score
    "passage_gap",  # the best passage's dense score minus this one's
    "passage_rank",  # its passage's place in the fused ranking (0 = first)
    "overlap",  # share of the question's rare words the sentence names
    "neighbour_overlap",  # the same for the sentences before and after it
    "type_match",  # 1 when a date or quantity is asked for and the sentence has one
    "span_found",  # 1 when a date, number, name or place is asked for and it states one
    "position",  # log of its offset in the article (news put the facts first)
    "words",  # log of how many words it has
    "novelty",  # share of its words the question does not have
)


@dataclass(frozen=True)
class Candidate:
    """A sentence that may answer: where it is, its vector, and its text's neighbours."""

    passage: int  # index into the retrieved passages
    span: Span  # offsets within the passage's chunk text
    vector: np.ndarray
    neighbours: str  # the sentences before and after it in the chunk


def candidate_signals(
    question: Question,
    passages: Sequence[Passage],
    candidates: Sequence[Candidate],
    idf: Mapping[str, float],
) -> dict[str, np.ndarray]:
    """`RANK_FEATURES` of every candidate, one array each. `idf`: the question's search
    tokens and their inverse document frequencies."""
    cosine = np.stack([c.vector for c in candidates]) @ question.vector
    prior = np.array([passages[c.passage].dense_score or 0.0 for c in candidates])
    asked = set(question.tokens)
    tokens = [set(search_tokens(c.span.text)) for c in candidates]
    expected = question.answer_type
    return {
        "cosine": cosine.astype(float),
        "cosine_gap": float(cosine.max()) - cosine.astype(float),
        "passage": prior,
        "passage_gap": prior.max() - prior,
        "passage_rank": np.array([float(c.passage) for c in candidates]),
        "overlap": np.array([idf_overlap(idf, c.span.text) for c in candidates]),
        "neighbour_overlap": np.array([idf_overlap(idf, c.neighbours) for c in candidates]),
        "type_match": np.array(
            [
                float(expected.has_surface_form and matches_type(c.span.text, expected))
                for c in candidates
            ]
        ),
        "span_found": np.array(
            [
                float(answer_span(c.span.text, expected, question.tokens) is not None)
                for c in candidates
            ]
        ),
        "position": np.array(
            [math.log1p((passages[c.passage].chunk.start + c.span.start) / 100) for c in candidates]
        ),
        "words": np.array([math.log1p(len(t)) for t in tokens]),
        "novelty": np.array([len(t - asked) / max(1, len(t)) for t in tokens]),
    }


class SentenceRanker(LinearModel):
    """Log-odds that a candidate sentence holds the answer, over `RANK_FEATURES`."""

    known = RANK_FEATURES
    kind = "sentence ranker"

    def rank(self, signals: Mapping[str, np.ndarray]) -> np.ndarray:
        return self.log_odds_of(np.column_stack([signals[name] for name in self.features]))


def sentence_rankers(payload: Mapping[str, Any] | None) -> dict[str, SentenceRanker]:
    """The per-language rankers of the `sentence_ranker` setting."""
    return SentenceRanker.per_language(payload)
