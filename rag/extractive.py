"""The answer that needs no LLM: the sentences of the retrieved passages that answer the question.

Every sentence of every retrieved passage is scored against the question with the embedding
model (which also works from English questions to Arabic text). The best sentence answers; other
sentences join it when they score almost as well, so an answer spread over two sentences or two
articles is not cut short. Each answer sentence cites the passage it was taken from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from corpus import Span, normalize_text, search_tokens
from embeddings.index import VectorIndex
from rag.answer_type import AnswerType, matches_type, question_type
from rag.language import Language, detect_language
from rag.lexical import LexicalIndex
from rag.messages import message
from rag.schema import Answer, AnswerSentence, Citation, Passage


@dataclass(frozen=True)
class ScoredSentence:
    passage: int  # index into the retrieved passages
    span: Span  # offsets within the passage's chunk text
    score: float
    cosine: float  # the sentence's own similarity to the question, one part of `score`
    vector: np.ndarray = field(repr=False, compare=False)


class SentenceSelector:
    """Scores the candidate sentences and picks the ones that make the answer.

    The weights were chosen by a grid search on the even-numbered XQuAD articles (ar-ar and
    en-ar) and checked on the odd-numbered ones; the seed questions played no part.
    """

    def __init__(
        self,
        index: VectorIndex,
        lexical: LexicalIndex | None = None,
        *,
        max_sentences: int = 4,
        margin: float = 0.06,
        passage_weight: float = 0.6,
        lexical_weight: float = 0.05,
        type_weight: float = 0.01,
    ) -> None:
        self.index = index
        self.lexical = lexical
        self.max_sentences = max_sentences
        self.margin = margin
        self.passage_weight = passage_weight
        self.lexical_weight = lexical_weight
        self.type_weight = type_weight

    def score(
        self, question: str, question_vector: np.ndarray, passages: Sequence[Passage]
    ) -> list[ScoredSentence]:
        candidates = [
            (i, span, vector)
            for i, p in enumerate(passages)
            for span, vector in self.index.sentences_in(p.chunk)
        ]
        if not candidates:
            return []
        similarity = np.stack([vector for _, _, vector in candidates]) @ question_vector
        prior = np.array([passages[i].dense_score or 0.0 for i, _, _ in candidates])
        # A sentence is read in its passage's context: the passage's own match to the question
        # breaks ties between sentences that say similar things in different contexts.
        scores = (1 - self.passage_weight) * similarity + self.passage_weight * prior
        if self.lexical is not None and detect_language(question) == "ar":
            # Same-language questions share words with their answer; rare shared words (names,
            # numbers, technical terms) pin down the sentence better than the embedding alone.
            tokens = search_tokens(question)
            scores = scores + self.lexical_weight * np.array(
                [self.lexical.overlap(tokens, span.text) for _, span, _ in candidates]
            )
        expected = question_type(question)
        if expected is not AnswerType.OTHER:
            scores = scores + self.type_weight * np.array(
                [matches_type(span.text, expected) for _, span, _ in candidates]
            )
        scored = [
            ScoredSentence(i, span, float(score), float(cosine), vector)
            for (i, span, vector), score, cosine in zip(candidates, scores, similarity, strict=True)
        ]
        return sorted(scored, key=lambda s: -s.score)

    def select(self, scored: Sequence[ScoredSentence]) -> list[ScoredSentence]:
        if not scored:
            return []
        best = scored[0].score
        chosen: list[ScoredSentence] = []
        seen: set[str] = set()
        for candidate in scored:
            if len(chosen) == self.max_sentences or candidate.score < best - self.margin:
                break
            # Overlapping chunks repeat sentences, and articles repeat each other's wording.
            key = normalize_text(candidate.span.text)
            if key in seen:
                continue
            seen.add(key)
            chosen.append(candidate)
        return chosen


def refusal(
    question: str,
    language: Language,
    passages: Sequence[Passage],
    top_score: float | None,
    mode: str = "extractive",
) -> Answer:
    """The answer that says, in the question's language, that the articles do not answer."""
    return Answer(
        question=question,
        language=language,
        lead=message("refusal", language),
        sentences=[],
        citations=[],
        refused=True,
        mode=mode,
        passages=list(passages),
        top_score=top_score,
    )


def compose_answer(
    question: str,
    language: Language,
    passages: Sequence[Passage],
    chosen: Sequence[ScoredSentence],
    top_score: float,
) -> Answer:
    """Number the cited passages in order of first use; each sentence carries its marker."""
    markers: dict[int, int] = {}
    sentences: list[AnswerSentence] = []
    support: dict[int, list[ScoredSentence]] = {}
    for item in chosen:
        marker = markers.setdefault(item.passage, len(markers) + 1)
        support.setdefault(marker, []).append(item)
        text = item.span.text if language == "ar" else f"“{item.span.text}”"
        sentences.append(AnswerSentence(text, (marker,)))  # SupportChecker scores it
    citations = [
        Citation(marker, passages[items[0].passage], items[0].span, items[0].score)
        for marker, items in support.items()
    ]
    return Answer(
        question=question,
        language=language,
        lead=message("lead", language),
        sentences=sentences,
        citations=citations,
        passages=list(passages),
        top_score=top_score,
    )
