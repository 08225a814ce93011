"""Answers to broad questions, composed only of article sentences: a timeline, who said what, a
summary, a comparison. `ShapedGenerator` is the one place a shape is chosen (from the question,
`rag.question.broad`); a question of no shape, or one whose shape finds nothing, gets the
extractive answer, and so does a question the extractive answer would refuse.

The extractive answer's tier decides whether there is a shaped answer at all (none when it
refuses). A shaped answer's tier is "related" ("may not answer: the passages closest to the
question"), whose words are true of any lines the shapes pick; the answer and likely tiers
promise that one quoted sentence (most likely) states the answer, measured on questions with
one answer, which a broad answer's many lines are not and which no held-out set measures for
them. Nor is the extractive confidence (of its own first sentence) the shaped answer's: it has
none. Its lead says how complete it is ("6 events found in 4 articles").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace

from rag.answer.extractive import ExtractiveGenerator
from rag.answer.shapes.comparison import comparison
from rag.answer.shapes.pool import Pool, gather
from rag.answer.shapes.speaker import statements
from rag.answer.shapes.summary import summary
from rag.answer.shapes.timeline import timeline
from rag.question.broad import Shape
from rag.schema import Answer, AnswerChunk, Passage, Question, answer_deltas

# How far below the best sentence a sentence may score and still belong to a broad answer:
# twice the margin within which the extractive answer takes further evidence (fitted on XQuAD),
# since a broad answer gathers what several articles say.
BREADTH = 2


class ShapedGenerator:
    """The extractive answer, shaped for broad questions (`AnswerGenerator`)."""

    def __init__(self, extractive: ExtractiveGenerator) -> None:
        self.extractive = extractive
        self.selector = extractive.selector
        self.margin = BREADTH * extractive.selector.margin
        self.shapes: dict[Shape, Callable[[Pool, float], Answer | None]] = {
            Shape.TIMELINE: timeline,
            Shape.SPEAKER: statements,
            Shape.SUMMARY: summary,
            Shape.COMPARISON: comparison,
        }

    def answer(self, question: Question, passages: Sequence[Passage]) -> Answer:
        assessment = self.extractive.assess(question, passages)
        plain = self.extractive.compose(question, passages, assessment)
        compose = self.shapes.get(question.broad.shape) if question.broad else None
        if compose is None or plain.refused:
            return plain
        pool = gather(question, passages, assessment.scored, self.selector.index)
        shaped = compose(pool, self.margin)
        if shaped is None:
            return plain
        return replace(shaped, tier="related", top_score=plain.top_score)

    def stream(self, question: Question, passages: Sequence[Passage]) -> Iterator[AnswerChunk]:
        answer = self.answer(question, passages)
        yield from answer_deltas(answer)
        yield AnswerChunk(answer=answer)
