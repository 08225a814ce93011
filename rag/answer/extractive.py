"""The answer that needs no LLM: the best sentences of the retrieved passages, each citing the
passage it was taken from, or a refusal when the answerability model judges that the passages do
not answer the question."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace

from rag.answer.answerability import AnswerabilityModel, answerability, answerability_features
from rag.answer.selection import ScoredSentence, SentenceSelector
from rag.messages import message
from rag.schema import (
    Answer,
    AnswerChunk,
    AnswerSentence,
    Citation,
    Passage,
    Question,
    answer_deltas,
)


def refusal(question: Question, passages: Sequence[Passage], mode: str = "extractive") -> Answer:
    """The answer that says, in the question's language, that the articles do not answer."""
    return Answer(
        question=question.text,
        language=question.language,
        lead=message("refusal", question.language),
        sentences=[],
        citations=[],
        tier="refused",
        mode=mode,
        passages=list(passages),
        top_score=top_dense_score(passages),
    )


def top_dense_score(passages: Sequence[Passage]) -> float | None:
    scores = [p.dense_score for p in passages if p.dense_score is not None]
    return max(scores) if scores else None


def compose_answer(
    question: Question, passages: Sequence[Passage], chosen: Sequence[ScoredSentence]
) -> Answer:
    """Number the cited passages in order of first use; each sentence carries its marker."""
    markers: dict[int, int] = {}
    sentences: list[AnswerSentence] = []
    support: dict[int, list[ScoredSentence]] = {}
    for item in chosen:
        marker = markers.setdefault(item.passage, len(markers) + 1)
        support.setdefault(marker, []).append(item)
        text = item.span.text if question.language == "ar" else f"“{item.span.text}”"
        sentences.append(AnswerSentence(text, (marker,)))  # SupportChecker scores it
    citations = [
        Citation(marker, passages[items[0].passage], items[0].span, items[0].score)
        for marker, items in support.items()
    ]
    return Answer(
        question=question.text,
        language=question.language,
        lead=message("lead", question.language),
        sentences=sentences,
        citations=citations,
        passages=list(passages),
    )


class ExtractiveGenerator:
    """Answers from the best sentences, or refuses when their answerability is below the
    question language's threshold."""

    def __init__(
        self,
        selector: SentenceSelector,
        refusal_thresholds: Mapping[str, float],
        same_claim: float,
        models: Mapping[str, AnswerabilityModel] | None = None,
    ) -> None:
        self.selector = selector
        self.refusal_thresholds = refusal_thresholds
        self.models = models or {}
        self.same_claim = same_claim

    def answer(self, question: Question, passages: Sequence[Passage]) -> Answer:
        scored = self.selector.score(question, passages)
        if not scored:
            return replace(refusal(question, passages), top_score=None)
        signals = answerability_features(
            question, passages, scored, self.selector.index, self.same_claim
        )
        score = answerability(signals, self.models.get(question.language))
        if score < self.refusal_thresholds[question.language]:
            answer = refusal(question, passages)
        else:
            answer = compose_answer(question, passages, self.selector.select(scored))
        return replace(
            answer,
            top_score=scored[0].score,
            answerability=score,
            answerability_features=signals,
        )

    def stream(self, question: Question, passages: Sequence[Passage]) -> Iterator[AnswerChunk]:
        answer = self.answer(question, passages)
        yield from answer_deltas(answer)
        yield AnswerChunk(answer=answer)
