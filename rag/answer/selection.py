"""Which sentences of the retrieved passages answer the question.

Every sentence of every retrieved passage is scored against the question with the embedding
model (which also works from English questions to Arabic text). The best sentence answers; other
sentences join it when they score almost as well, so an answer spread over two sentences or two
articles is not cut short.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from corpus import Span, is_heading, normalize_text
from corpus.instructions import addresses_reader
from embeddings.index.protocol import VectorIndex
from rag.answer.ranking import Candidate, SentenceRanker, candidate_signals
from rag.schema import Passage, Question


@dataclass(frozen=True)
class ScoredSentence:
    """A candidate answer sentence."""

    passage: int  # index into the retrieved passages
    span: Span  # offsets within the passage's chunk text
    score: float  # the hand-weighed score: similarity, passage, rare words, answer type
    cosine: float  # the sentence's own similarity to the question, one part of `score`
    vector: np.ndarray = field(repr=False, compare=False)
    learned: float | None = None  # the learned ranker's log-odds, when there is one

    @property
    def rank(self) -> float:
        """What orders the candidates: the learned ranker's score, else `score`."""
        return self.score if self.learned is None else self.learned


def _heading_line(text: str, span: Span) -> bool:
    """A sentence that is a whole line of its passage and reads as a heading names a topic;
    it answers nothing."""
    whole_line = (span.start == 0 or text[span.start - 1] == "\n") and (
        span.end == len(text) or text[span.end] == "\n"
    )
    return whole_line and is_heading(span.text)


@dataclass(frozen=True)
class Candidates:
    """Every sentence of the passages that can answer, and its `RANK_FEATURES` signals."""

    items: list[Candidate]
    signals: dict[str, np.ndarray]


class SentenceSelector:
    """Scores the candidate sentences and picks the ones that make the answer.

    The hand weights were chosen by a grid search on the even-numbered XQuAD articles (ar-ar and
    en-ar) and checked on the odd-numbered ones; the seed questions played no part. A learned
    ranker per question language (`rag.answer.ranking`), where one was fitted and kept, orders
    the sentences instead.
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
        rankers: Mapping[str, SentenceRanker] | None = None,
    ) -> None:
        self.index = index
        self.lexical = lexical
        self.max_sentences = max_sentences
        self.margin = margin
        self.passage_weight = passage_weight
        self.lexical_weight = lexical_weight
        self.type_weight = type_weight
        self.rankers = rankers or {}

    def candidates(self, question: Question, passages: Sequence[Passage]) -> Candidates | None:
        """The sentences of the passages (headings and instructions left out) with their
        signals, or None."""
        items = []
        for i, sentences in enumerate(self.index.sentences_in([p.chunk for p in passages])):
            spans = [span for span, _ in sentences]
            for j, (span, vector) in enumerate(sentences):
                # A heading names a topic; text that instructs its reader or a model
                # (corpus.instructions) is reported, never quoted as an answer.
                if _heading_line(passages[i].chunk.text, span) or addresses_reader(span.text):
                    continue
                around = " ".join(s.text for s in spans[max(0, j - 1) : j + 2] if s is not span)
                items.append(Candidate(i, span, vector, around))
        if not items:
            return None
        idf = self.index.idf(question.tokens)
        return Candidates(items, candidate_signals(question, passages, items, idf))

    def hand_score(self, question: Question, signals: Mapping[str, np.ndarray]) -> np.ndarray:
        """The hand-weighed score of each candidate, from its signals."""
        # A sentence is read in its passage's context: the passage's own match to the question
        # breaks ties between sentences that say similar things in different contexts.
        scores = (1 - self.passage_weight) * signals["cosine"]
        scores = scores + self.passage_weight * signals["passage"]
        if self.lexical and question.language == "ar":
            # Same-language questions share words with their answer; rare shared words (names,
            # numbers, technical terms) pin down the sentence better than the embedding alone.
            scores = scores + self.lexical_weight * signals["overlap"]
        if question.answer_type.has_surface_form:
            scores = scores + self.type_weight * signals["type_match"]
        return scores

    def score(self, question: Question, passages: Sequence[Passage]) -> list[ScoredSentence]:
        """Every sentence of the passages that can answer, best first."""
        found = self.candidates(question, passages)
        if found is None:
            return []
        scores = self.hand_score(question, found.signals)
        ranker = self.rankers.get(question.language)
        learned = ranker.rank(found.signals) if ranker is not None else [None] * len(scores)
        scored = [
            ScoredSentence(c.passage, c.span, float(score), float(cosine), c.vector, rank)
            for c, score, cosine, rank in zip(
                found.items, scores, found.signals["cosine"], learned, strict=True
            )
        ]
        return sorted(scored, key=lambda s: -s.rank)

    def select(self, scored: Sequence[ScoredSentence]) -> list[ScoredSentence]:
        """The best-ranked sentences (at most `max_sentences`) scoring within `margin` of the
        first, each said once."""
        if not scored:
            return []
        best = scored[0].score
        chosen: list[ScoredSentence] = []
        seen: set[str] = set()
        for candidate in scored:
            if len(chosen) == self.max_sentences:
                break
            # Overlapping chunks repeat sentences, and articles repeat each other's wording.
            key = normalize_text(candidate.span.text)
            if candidate.score < best - self.margin or key in seen:
                continue
            seen.add(key)
            chosen.append(candidate)
        return chosen
