"""Which sentences of the retrieved passages answer the question.

Every sentence of every retrieved passage is scored against the question with the embedding
model (which also works from English questions to Arabic text). The best sentence answers; other
sentences join it when they score almost as well, so an answer spread over two sentences or two
articles is not cut short.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from corpus import Span, is_heading, normalize_text
from corpus.instructions import addresses_reader
from embeddings.index.protocol import VectorIndex
from rag.question.answer_type import matches_type
from rag.retrieval.lexical import idf_overlap
from rag.schema import Passage, Question


@dataclass(frozen=True)
class ScoredSentence:
    """A candidate answer sentence."""

    passage: int  # index into the retrieved passages
    span: Span  # offsets within the passage's chunk text
    score: float
    cosine: float  # the sentence's own similarity to the question, one part of `score`
    vector: np.ndarray = field(repr=False, compare=False)


def _heading_line(text: str, span: Span) -> bool:
    """A sentence that is a whole line of its passage and reads as a heading names a topic;
    it answers nothing."""
    whole_line = (span.start == 0 or text[span.start - 1] == "\n") and (
        span.end == len(text) or text[span.end] == "\n"
    )
    return whole_line and is_heading(span.text)


class SentenceSelector:
    """Scores the candidate sentences and picks the ones that make the answer.

    The weights were chosen by a grid search on the even-numbered XQuAD articles (ar-ar and
    en-ar) and checked on the odd-numbered ones; the seed questions played no part.
    """

    def __init__(
        self,
        index: VectorIndex,
        *,
        lexical: bool = True,
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

    def score(self, question: Question, passages: Sequence[Passage]) -> list[ScoredSentence]:
        """Every sentence of the passages that can answer, best first: not a heading, and not
        text that instructs its reader (`corpus.instructions`), which is reported, not quoted."""
        candidates = [
            (i, span, vector)
            for i, sentences in enumerate(self.index.sentences_in([p.chunk for p in passages]))
            for span, vector in sentences
            if not _heading_line(passages[i].chunk.text, span) and not addresses_reader(span.text)
        ]
        if not candidates:
            return []
        similarity = np.stack([vector for _, _, vector in candidates]) @ question.vector
        prior = np.array([passages[i].dense_score or 0.0 for i, _, _ in candidates])
        # A sentence is read in its passage's context: the passage's own match to the question
        # breaks ties between sentences that say similar things in different contexts.
        scores = (1 - self.passage_weight) * similarity + self.passage_weight * prior
        if self.lexical and question.language == "ar":
            # Same-language questions share words with their answer; rare shared words (names,
            # numbers, technical terms) pin down the sentence better than the embedding alone.
            idf = self.index.idf(question.tokens)
            scores = scores + self.lexical_weight * np.array(
                [idf_overlap(idf, span.text) for _, span, _ in candidates]
            )
        if question.answer_type.has_surface_form:
            scores = scores + self.type_weight * np.array(
                [matches_type(span.text, question.answer_type) for _, span, _ in candidates]
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
